//! `/api/v1/connect` endpoints: programmes (create, list, one), running a round, a
//! person's choice (opt out, snooze), saying a connection met, and private exclusions.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use crate::work::api::PersonRef;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use trellis_core::PersonId;
use trellis_core::connect::programmes::{self, Choice, ProgrammeInput};
use trellis_core::connect::rounds::{self, Outcome};
use trellis_core::connect::slots::{self, WorkingHours};
use trellis_core::connect::views::{self, ProgrammeSummary, ProgrammeView};
use trellis_core::ids::{ConnectGroupId, ProgrammeId};
use utoipa::ToSchema;

/// A connection programme.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ConnectProgramme)]
pub struct ProgrammeResponse {
    pub id: i64,
    pub name: String,
    /// Who is in it, in words ("Department Engineering").
    pub audience: String,
    /// everyone, department, tree, location, list or group
    pub audience_kind: String,
    /// Active people in the audience.
    pub members: usize,
    pub rhythm_weeks: u32,
    pub group_size: usize,
    /// trio or sit_out
    pub odd_one: String,
    pub prefer_across: String,
    pub first_round_on: NaiveDate,
    pub rounds_run: u32,
    pub next_round_on: Option<NaiveDate>,
    /// When it was archived (seconds since the epoch); it runs no more rounds.
    pub archived_at: Option<i64>,
    /// The caller is in the audience.
    pub member: bool,
    /// The caller may run its rounds.
    pub runs_it: bool,
    /// The caller's own choice (members).
    pub choice: Choice,
}

impl From<&ProgrammeSummary> for ProgrammeResponse {
    fn from(s: &ProgrammeSummary) -> Self {
        let p = &s.programme;
        ProgrammeResponse {
            id: p.id.0,
            name: p.name.clone(),
            audience: s.audience.clone(),
            audience_kind: p.audience.kind().into(),
            members: s.members,
            rhythm_weeks: p.rhythm_weeks,
            group_size: p.group_size,
            odd_one: p.odd_one.clone(),
            prefer_across: serde_json::to_value(p.prefer_across)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            first_round_on: p.first_round_on,
            rounds_run: s.rounds_run,
            next_round_on: s.next_round_on,
            archived_at: p.archived_at,
            member: s.member,
            runs_it: s.runs_it,
            choice: s.choice.clone(),
        }
    }
}

/// One of the caller's rounds.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = MyConnection)]
pub struct MyConnectionResponse {
    pub round: u32,
    pub run_on: NaiveDate,
    /// The group's id, for saying whether it met; none when the caller sat out.
    pub group_id: Option<i64>,
    pub with: Vec<PersonRef>,
    /// met, missed, or none yet
    pub outcome: Option<String>,
    /// "Sits out this round".
    pub sat_out: bool,
    /// The 30 minutes suggested to the group, in everyone's working hours (seconds since
    /// the epoch); none when their hours never meet in the next two weeks.
    pub suggested_at: Option<i64>,
}

/// A round as those who run the programme see it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ConnectRound)]
pub struct RoundResponse {
    pub number: u32,
    pub run_on: NaiveDate,
    /// Run by the server on its due day, not by a person.
    pub automatic: bool,
    /// What the round did.
    pub summary: String,
}

/// Coverage: pairs met ÷ allowed pairs.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ConnectCoverage)]
pub struct CoverageResponse {
    /// After each round, from round 1.
    pub by_round: Vec<f64>,
    /// The round at which everyone will have met everyone at this rhythm.
    pub full_at_round: Option<u32>,
    /// `full_at_round` is estimated rather than planned (large programmes).
    pub estimated: bool,
}

/// One programme: the caller's pairings, and for those who run it the rounds and coverage.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ConnectProgrammeDetail)]
pub struct ProgrammeDetailResponse {
    pub programme: ProgrammeResponse,
    /// Newest first.
    pub mine: Vec<MyConnectionResponse>,
    /// Colleagues the caller has met here, and all their colleagues here.
    pub met: Option<u32>,
    pub colleagues: Option<u32>,
    /// Newest first (those who run it).
    pub rounds: Vec<RoundResponse>,
    /// Those who run it, when at least the anonymity threshold of people take part.
    pub coverage: Option<CoverageResponse>,
}

impl From<&ProgrammeView> for ProgrammeDetailResponse {
    fn from(v: &ProgrammeView) -> Self {
        ProgrammeDetailResponse {
            programme: (&v.summary).into(),
            mine: v
                .mine
                .iter()
                .map(|m| MyConnectionResponse {
                    round: m.round,
                    run_on: m.run_on,
                    group_id: m.group.map(|g| g.0),
                    with: m.with.iter().map(Into::into).collect(),
                    outcome: m.outcome.map(|o| o.as_str().to_string()),
                    sat_out: m.sat_out,
                    suggested_at: m.suggested_at,
                })
                .collect(),
            met: v.met.map(|(m, _)| m as u32),
            colleagues: v.met.map(|(_, c)| c as u32),
            rounds: v
                .rounds
                .iter()
                .map(|r| RoundResponse {
                    number: r.number,
                    run_on: r.run_on,
                    automatic: r.automatic,
                    summary: r.summary.clone(),
                })
                .collect(),
            coverage: v.coverage.as_ref().map(|c| CoverageResponse {
                by_round: c.by_round.clone(),
                full_at_round: c.full_at_round,
                estimated: c.estimated,
            }),
        }
    }
}

pub(crate) async fn detail(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: ProgrammeId,
) -> Result<ProgrammeView, ApiError> {
    let k = state.store.settings().await?.anonymity_k_survey;
    Ok(views::programme_view(state.store.as_ref(), &user.viewer, id, k, crate::now()).await?)
}

/// The connection programmes the caller is in or runs.
#[utoipa::path(get, path = "/api/v1/connect/programmes", tag = "connect",
    responses((status = 200, body = Vec<ProgrammeResponse>)))]
pub async fn list_programmes(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<ProgrammeResponse>>, ApiError> {
    let list = views::programmes_for(state.store.as_ref(), &user.viewer, crate::now()).await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

/// Creates a connection programme (admins; a manager for their own tree: audience `tree`
/// with their person id). At least 2 active people; group size 2 or 3; every 1, 2 or 4
/// weeks; the first round today or later.
#[utoipa::path(post, path = "/api/v1/connect/programmes", tag = "connect",
    request_body = ProgrammeInput,
    responses((status = 201, body = ProgrammeDetailResponse), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn create_programme(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<ProgrammeInput>,
) -> Result<(StatusCode, Json<ProgrammeDetailResponse>), ApiError> {
    let id = programmes::create_programme(state.store.as_ref(), &user.viewer, &body, crate::now())
        .await?;
    let view = detail(&state, &user, id).await?;
    Ok((StatusCode::CREATED, Json((&view).into())))
}

/// One programme: the caller's pairings and "met X of Y"; for those who run it, what each
/// round did and the coverage. Not found for anyone else.
#[utoipa::path(get, path = "/api/v1/connect/programmes/{id}", tag = "connect",
    params(("id" = i64, Path, description = "Programme id")),
    responses((status = 200, body = ProgrammeDetailResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_programme(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ProgrammeDetailResponse>, ApiError> {
    Ok(Json(
        (&detail(&state, &user, ProgrammeId(id)).await?).into(),
    ))
}

/// Runs the programme's next round now (those who run it); the server also runs each
/// round on its due day.
#[utoipa::path(post, path = "/api/v1/connect/programmes/{id}/rounds", tag = "connect",
    params(("id" = i64, Path, description = "Programme id")),
    responses((status = 201, body = ProgrammeDetailResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn run_round(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<ProgrammeDetailResponse>), ApiError> {
    let id = ProgrammeId(id);
    // Someone who may not see the programme learns nothing about it.
    detail(&state, &user, id).await?;
    rounds::run_round(state.store.as_ref(), Some(&user.viewer), id, crate::now()).await?;
    let view = detail(&state, &user, id).await?;
    Ok((StatusCode::CREATED, Json((&view).into())))
}

/// Archives the programme (those who run it): it runs no more rounds; its history stays.
#[utoipa::path(post, path = "/api/v1/connect/programmes/{id}/archive", tag = "connect",
    params(("id" = i64, Path, description = "Programme id")),
    responses((status = 200, body = ProgrammeDetailResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn archive_programme(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ProgrammeDetailResponse>, ApiError> {
    let id = ProgrammeId(id);
    // Someone who may not see the programme learns nothing about it.
    detail(&state, &user, id).await?;
    programmes::archive_programme(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    Ok(Json((&detail(&state, &user, id).await?).into()))
}

/// The caller opts out of a programme (or back in), or snoozes it until a day.
#[utoipa::path(put, path = "/api/v1/connect/programmes/{id}/choice", tag = "connect",
    params(("id" = i64, Path, description = "Programme id")),
    request_body = Choice,
    responses((status = 200, body = Choice), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn set_choice(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<Choice>,
) -> Result<Json<Choice>, ApiError> {
    programmes::set_choice(
        state.store.as_ref(),
        &user.viewer,
        ProgrammeId(id),
        &body,
        crate::now(),
    )
    .await?;
    Ok(Json(body))
}

/// Whether a connection met.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = ConnectOutcomeRequest)]
#[serde(deny_unknown_fields)]
pub struct OutcomeRequest {
    /// met, or missed (we couldn't: the pair may meet in a later round)
    pub outcome: String,
}

/// A member of the group says it met, or could not.
#[utoipa::path(post, path = "/api/v1/connect/groups/{id}/outcome", tag = "connect",
    params(("id" = i64, Path, description = "Group id (group_id in a programme's mine)")),
    request_body = OutcomeRequest,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn set_outcome(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<OutcomeRequest>,
) -> Result<StatusCode, ApiError> {
    let outcome = Outcome::parse(body.outcome.trim())
        .ok_or_else(|| trellis_core::CoreError::field("outcome", "say met, or missed"))?;
    rounds::set_outcome(
        state.store.as_ref(),
        &user.viewer,
        ConnectGroupId(id),
        outcome,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The colleagues the caller never wants to be paired with. Private: nobody else sees it,
/// and the colleague never learns it.
#[utoipa::path(get, path = "/api/v1/connect/exclusions", tag = "connect",
    responses((status = 200, body = Vec<PersonRef>)))]
pub async fn list_exclusions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<PersonRef>>, ApiError> {
    let ids = state.store.exclusions_by(user.viewer.person_id()).await?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let name = trellis_core::org::people::name_of(state.store.as_ref(), id).await?;
        out.push(PersonRef { id: id.0, name });
    }
    Ok(Json(out))
}

/// Never pair the caller with this colleague, in any programme.
#[utoipa::path(put, path = "/api/v1/connect/exclusions/{person_id}", tag = "connect",
    params(("person_id" = i64, Path, description = "The colleague's person id")),
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_exclusion(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(person_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    programmes::set_exclusion(
        state.store.as_ref(),
        &user.viewer,
        PersonId(person_id),
        true,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts an exclusion.
#[utoipa::path(delete, path = "/api/v1/connect/exclusions/{person_id}", tag = "connect",
    params(("person_id" = i64, Path, description = "The colleague's person id")),
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn remove_exclusion(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(person_id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    programmes::set_exclusion(
        state.store.as_ref(),
        &user.viewer,
        PersonId(person_id),
        false,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// When the caller works, for the 30 minutes each connection round suggests: the same
/// hours on the chosen weekdays, in the caller's time zone.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[schema(as = WorkingHours)]
#[serde(deny_unknown_fields)]
pub struct WorkingHoursBody {
    /// ISO weekdays, 1 (Monday) to 7 (Sunday).
    pub weekdays: Vec<u8>,
    /// "09:00"
    pub starts: String,
    /// "17:00"
    pub ends: String,
}

impl From<&WorkingHours> for WorkingHoursBody {
    fn from(h: &WorkingHours) -> Self {
        WorkingHoursBody {
            weekdays: h.weekdays.clone(),
            starts: h.starts.format("%H:%M").to_string(),
            ends: h.ends.format("%H:%M").to_string(),
        }
    }
}

impl WorkingHoursBody {
    /// Times as "HH:MM", each wrong one named at its field.
    pub fn parsed(&self) -> Result<WorkingHours, trellis_core::CoreError> {
        let time = |field: &str, text: &str| {
            NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
                trellis_core::CoreError::field(
                    field,
                    format!("\"{}\" is not a time: write it as 09:00", text.trim()),
                )
            })
        };
        Ok(WorkingHours {
            weekdays: self.weekdays.clone(),
            starts: time("starts", &self.starts)?,
            ends: time("ends", &self.ends)?,
        })
    }
}

/// The caller's working hours (09:00–17:00 on weekdays unless they set their own).
#[utoipa::path(get, path = "/api/v1/connect/working-hours", tag = "connect",
    responses((status = 200, body = WorkingHoursBody)))]
pub async fn get_working_hours(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<WorkingHoursBody>, ApiError> {
    let hours = slots::my_working_hours(state.store.as_ref(), &user.viewer).await?;
    Ok(Json((&hours).into()))
}

/// Sets the caller's working hours.
#[utoipa::path(put, path = "/api/v1/connect/working-hours", tag = "connect",
    request_body = WorkingHoursBody,
    responses((status = 200, body = WorkingHoursBody), (status = 422, body = ErrorResponse)))]
pub async fn set_working_hours(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<WorkingHoursBody>,
) -> Result<Json<WorkingHoursBody>, ApiError> {
    let hours = slots::set_my_working_hours(
        state.store.as_ref(),
        &user.viewer,
        Some(body.parsed()?),
        crate::now(),
    )
    .await?;
    Ok(Json((&hours).into()))
}

/// Goes back to the default working hours, 09:00–17:00 on weekdays.
#[utoipa::path(delete, path = "/api/v1/connect/working-hours", tag = "connect",
    responses((status = 200, body = WorkingHoursBody)))]
pub async fn reset_working_hours(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<WorkingHoursBody>, ApiError> {
    let hours =
        slots::set_my_working_hours(state.store.as_ref(), &user.viewer, None, crate::now()).await?;
    Ok(Json((&hours).into()))
}

crate::api::operations!(
    list_programmes,
    create_programme,
    show_programme,
    run_round,
    archive_programme,
    set_choice,
    set_outcome,
    list_exclusions,
    add_exclusion,
    remove_exclusion,
    get_working_hours,
    set_working_hours,
    reset_working_hours,
);
