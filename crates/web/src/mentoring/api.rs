//! `/api/v1` mentoring and talent-pool endpoints: my goals and mentor profile, my
//! mentorships and a person's, matching rounds (admins), and the talent pool (people with
//! reports and admins).

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use crate::work::api::PersonRef;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use trellis_core::PersonId;
use trellis_core::growth::stretch::Requirement;
use trellis_core::growth::talent::{self, Talent, TalentInput};
use trellis_core::ids::{MentorshipId, RoundId, TalentId};
use trellis_core::mentoring::{
    self, MenteeGoals, MentorInput, Mentorship, Round, RoundInput, RoundPair,
};
use utoipa::{IntoParams, ToSchema};

/// A mentor and a mentee working together.
#[derive(Debug, Serialize, ToSchema)]
pub struct MentorshipResponse {
    pub id: i64,
    pub mentee: PersonRef,
    pub mentor: PersonRef,
    pub goals: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub round_id: Option<i64>,
    /// Whether it runs today.
    pub running: bool,
    /// Set when it was ended before `ends_on`: from that day it no longer runs.
    pub ended_on: Option<NaiveDate>,
    pub ended_by: Option<PersonRef>,
    pub end_note: Option<String>,
}

impl From<&Mentorship> for MentorshipResponse {
    fn from(m: &Mentorship) -> Self {
        MentorshipResponse {
            id: m.id.0,
            mentee: (&m.mentee).into(),
            mentor: (&m.mentor).into(),
            goals: m.goals.clone(),
            starts_on: m.starts_on,
            ends_on: m.ends_on,
            round_id: m.round_id.map(|r| r.0),
            running: m.running_on(trellis_core::clock::local_date(None, crate::now())),
            ended_on: m.ended.as_ref().map(|e| e.on),
            ended_by: m.ended.as_ref().and_then(|e| e.by.as_ref()).map(Into::into),
            end_note: m.ended.as_ref().map(|e| e.note.clone()),
        }
    }
}

/// Why a mentorship ends early; `{}` gives none.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct EndMentorshipRequest {
    /// At most 1,000 characters; the mentee, the mentor, their managers and admins read it.
    pub note: String,
}

/// Ends a mentorship today, before its end date. The mentee, the mentor and admins may;
/// the mentor's place is free again for the next round.
#[utoipa::path(post, path = "/api/v1/mentorships/{id}/end", tag = "mentoring",
    params(("id" = i64, Path, description = "Mentorship id")),
    request_body = EndMentorshipRequest,
    responses((status = 200, body = MentorshipResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn end_mentorship(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<EndMentorshipRequest>,
) -> Result<Json<MentorshipResponse>, ApiError> {
    let ended = mentoring::end_early(
        state.store.as_ref(),
        &user.viewer,
        MentorshipId(id),
        &body.note,
        crate::now(),
    )
    .await?;
    Ok(Json((&ended).into()))
}

/// The caller's own side of mentoring.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyMentoringResponse {
    pub goals: Option<MenteeGoals>,
    pub mentor_profile: Option<MentorInput>,
    pub mentorships: Vec<MentorshipResponse>,
}

async fn my_mentoring(
    state: &AppState,
    user: &crate::auth::CurrentUser,
) -> Result<Json<MyMentoringResponse>, ApiError> {
    let m = mentoring::mine(state.store.as_ref(), &user.viewer).await?;
    Ok(Json(MyMentoringResponse {
        goals: m.goals.clone(),
        mentor_profile: m.profile.as_ref().map(Into::into),
        mentorships: m.mentorships.iter().map(Into::into).collect(),
    }))
}

/// My goals, mentor profile and mentorships.
#[utoipa::path(get, path = "/api/v1/mentoring/me", tag = "mentoring",
    responses((status = 200, body = MyMentoringResponse)))]
pub async fn show_my_mentoring(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<MyMentoringResponse>, ApiError> {
    my_mentoring(&state, &user).await
}

/// Set my goals as a mentee (I take part in the next round).
#[utoipa::path(put, path = "/api/v1/mentoring/me/goals", tag = "mentoring", request_body = MenteeGoals,
    responses((status = 200, body = MyMentoringResponse), (status = 422, body = ErrorResponse)))]
pub async fn save_my_goals(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<MenteeGoals>,
) -> Result<Json<MyMentoringResponse>, ApiError> {
    mentoring::save_goals(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
    my_mentoring(&state, &user).await
}

/// Stop taking part as a mentee.
#[utoipa::path(delete, path = "/api/v1/mentoring/me/goals", tag = "mentoring",
    responses((status = 204)))]
pub async fn delete_my_goals(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .delete_mentee_goals(user.viewer.person_id())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Set my mentor profile (strengths and how many mentees I take).
#[utoipa::path(put, path = "/api/v1/mentoring/me/mentor", tag = "mentoring", request_body = MentorInput,
    responses((status = 200, body = MyMentoringResponse), (status = 422, body = ErrorResponse)))]
pub async fn save_my_mentor_profile(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<MentorInput>,
) -> Result<Json<MyMentoringResponse>, ApiError> {
    mentoring::save_profile(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
    my_mentoring(&state, &user).await
}

/// Stop mentoring (running mentorships go on until they end).
#[utoipa::path(delete, path = "/api/v1/mentoring/me/mentor", tag = "mentoring",
    responses((status = 204)))]
pub async fn delete_my_mentor_profile(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<StatusCode, ApiError> {
    state
        .store
        .delete_mentor_profile(user.viewer.person_id())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A person's mentorships, as far as the caller may see them (the person, the manager
/// chain of either side and admins see them; others only those they are part of).
#[utoipa::path(get, path = "/api/v1/people/{id}/mentorships", tag = "mentoring",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = Vec<MentorshipResponse>), (status = 404, body = ErrorResponse)))]
pub async fn person_mentorships(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<MentorshipResponse>>, ApiError> {
    let list = mentoring::of_person(state.store.as_ref(), &user.viewer, PersonId(id)).await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

/// A matching round.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundResponse {
    pub id: i64,
    pub name: String,
    /// highest_total or most_matched
    pub goal: String,
    pub ends_on: NaiveDate,
    pub published: bool,
    pub created_by: PersonRef,
    /// Mentees and mentors who took part.
    pub mentees: i64,
    pub mentors: i64,
    pub matched: i64,
    pub total_score: i64,
}

impl From<&Round> for RoundResponse {
    fn from(r: &Round) -> Self {
        RoundResponse {
            id: r.id.0,
            name: r.name.clone(),
            goal: r.goal.as_str().into(),
            ends_on: r.ends_on,
            published: r.published,
            created_by: (&r.created_by).into(),
            mentees: r.mentees,
            mentors: r.mentors,
            matched: r.matched,
            total_score: r.total_score,
        }
    }
}

/// One mentee's line: the proposed mentor with the score (0–100) and why, or why none.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundPairResponse {
    pub mentee: PersonRef,
    pub mentor: Option<PersonRef>,
    pub score: i64,
    pub explanation: String,
}

impl From<&RoundPair> for RoundPairResponse {
    fn from(p: &RoundPair) -> Self {
        RoundPairResponse {
            mentee: (&p.mentee).into(),
            mentor: p.mentor.as_ref().map(Into::into),
            score: p.score,
            explanation: p.explanation.clone(),
        }
    }
}

/// A round with every mentee's line.
#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDetailResponse {
    #[serde(flatten)]
    pub round: RoundResponse,
    pub pairs: Vec<RoundPairResponse>,
}

async fn round_detail(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: RoundId,
) -> Result<Json<RoundDetailResponse>, ApiError> {
    let v = mentoring::show_round(state.store.as_ref(), &user.viewer, id).await?;
    Ok(Json(RoundDetailResponse {
        round: (&v.round).into(),
        pairs: v.pairs.iter().map(Into::into).collect(),
    }))
}

/// Matching rounds, newest first (admins).
#[utoipa::path(get, path = "/api/v1/mentoring/rounds", tag = "mentoring",
    responses((status = 200, body = Vec<RoundResponse>), (status = 403, body = ErrorResponse)))]
pub async fn list_rounds(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<RoundResponse>>, ApiError> {
    let list = mentoring::rounds(state.store.as_ref(), &user.viewer).await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

/// Run a matching round over everyone taking part now; the result is a draft to review.
#[utoipa::path(post, path = "/api/v1/mentoring/rounds", tag = "mentoring", request_body = RoundInput,
    responses((status = 201, body = RoundDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn run_round(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<RoundInput>,
) -> Result<(StatusCode, Json<RoundDetailResponse>), ApiError> {
    let id = mentoring::run_round(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
    Ok((StatusCode::CREATED, round_detail(&state, &user, id).await?))
}

/// One round with its proposed pairs.
#[utoipa::path(get, path = "/api/v1/mentoring/rounds/{id}", tag = "mentoring",
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, body = RoundDetailResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_round(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<RoundDetailResponse>, ApiError> {
    round_detail(&state, &user, RoundId(id)).await
}

/// Take a proposed pair out of a draft round.
#[utoipa::path(delete, path = "/api/v1/mentoring/rounds/{id}/pairs/{mentee}", tag = "mentoring",
    params(("id" = i64, Path, description = "Round id"), ("mentee" = i64, Path, description = "The mentee's person id")),
    responses((status = 200, body = RoundDetailResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn remove_pair(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, mentee)): Path<(i64, i64)>,
) -> Result<Json<RoundDetailResponse>, ApiError> {
    mentoring::remove_pair(
        state.store.as_ref(),
        &user.viewer,
        RoundId(id),
        PersonId(mentee),
        crate::now(),
    )
    .await?;
    round_detail(&state, &user, RoundId(id)).await
}

/// Publish a round: each proposed pair becomes a mentorship.
#[utoipa::path(post, path = "/api/v1/mentoring/rounds/{id}/publish", tag = "mentoring",
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, body = RoundDetailResponse), (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn publish_round(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<RoundDetailResponse>, ApiError> {
    mentoring::publish(
        state.store.as_ref(),
        &user.viewer,
        RoundId(id),
        crate::now(),
    )
    .await?;
    round_detail(&state, &user, RoundId(id)).await
}

/// An external specialist.
#[derive(Debug, Serialize, ToSchema)]
pub struct TalentResponse {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub skills: Vec<Requirement>,
    /// In the organisation's currency.
    pub hourly_rate: f64,
    pub hours_per_week: f64,
    pub available_from: NaiveDate,
    pub note: String,
    /// Who added them (they and admins may remove the entry); null for older entries.
    pub added_by: Option<i64>,
}

impl From<&Talent> for TalentResponse {
    fn from(t: &Talent) -> Self {
        TalentResponse {
            id: t.id.0,
            name: t.name.clone(),
            email: t.email.clone(),
            skills: t.skills.clone(),
            hourly_rate: t.hourly_rate,
            hours_per_week: t.hours_per_week,
            available_from: t.available_from,
            note: t.note.clone(),
            added_by: t.created_by.map(|p| p.0),
        }
    }
}

/// A specialist engaged for an opportunity.
#[derive(Debug, Serialize, ToSchema)]
pub struct EngagementResponse {
    pub id: i64,
    /// Null once the specialist was removed from the pool (the record stays).
    pub talent_id: Option<i64>,
    pub talent_name: String,
    pub opportunity_id: i64,
    pub opportunity_title: String,
    pub hours: f64,
    /// In the organisation's currency.
    pub cost: f64,
    pub note: String,
    /// Unix seconds.
    pub engaged_at: i64,
    pub engaged_by: Option<crate::work::api::PersonRef>,
}

impl From<&talent::Engagement> for EngagementResponse {
    fn from(e: &talent::Engagement) -> Self {
        EngagementResponse {
            id: e.id,
            talent_id: e.talent.map(|t| t.0),
            talent_name: e.talent_name.clone(),
            opportunity_id: e.opportunity.0,
            opportunity_title: e.opportunity_title.clone(),
            hours: e.hours,
            cost: e.cost,
            note: e.note.clone(),
            engaged_at: e.engaged_at,
            engaged_by: e.engaged_by.as_ref().map(|p| crate::work::api::PersonRef {
                id: p.id.0,
                name: p.name.clone(),
            }),
        }
    }
}

/// Every engagement of a specialist, newest first (people with reports and admins).
#[utoipa::path(get, path = "/api/v1/talent/engagements", tag = "mentoring",
    responses((status = 200, body = Vec<EngagementResponse>), (status = 403, body = ErrorResponse)))]
pub async fn list_engagements(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<EngagementResponse>>, ApiError> {
    let list = talent::engagements(state.store.as_ref(), &user.viewer).await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

/// Engage a specialist for an open opportunity you posted (admins: any): records the
/// hours and the cost (the hours at their rate unless given) and marks the opportunity
/// filled.
#[utoipa::path(post, path = "/api/v1/talent/{id}/engagements", tag = "mentoring",
    params(("id" = i64, Path, description = "Talent id")),
    request_body = talent::EngagementInput,
    responses((status = 201, body = EngagementResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn engage_talent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<talent::EngagementInput>,
) -> Result<(StatusCode, Json<EngagementResponse>), ApiError> {
    let store = state.store.as_ref();
    let engagement = talent::engage(store, &user.viewer, TalentId(id), &body, crate::now()).await?;
    let all = talent::engagements(store, &user.viewer).await?;
    let e = all
        .iter()
        .find(|e| e.id == engagement)
        .ok_or_else(|| trellis_core::CoreError::NotFound(format!("engagement {engagement}")))?;
    Ok((StatusCode::CREATED, Json(e.into())))
}

/// The talent pool, by name (people with reports and admins).
#[utoipa::path(get, path = "/api/v1/talent", tag = "mentoring",
    responses((status = 200, body = Vec<TalentResponse>), (status = 403, body = ErrorResponse)))]
pub async fn list_talent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<TalentResponse>>, ApiError> {
    let list = talent::list(state.store.as_ref(), &user.viewer).await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

/// Add someone to the talent pool.
#[utoipa::path(post, path = "/api/v1/talent", tag = "mentoring", request_body = TalentInput,
    responses((status = 201, body = TalentResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_talent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<TalentInput>,
) -> Result<(StatusCode, Json<TalentResponse>), ApiError> {
    let store = state.store.as_ref();
    let id = talent::add(store, &user.viewer, &body, crate::now()).await?;
    let all = talent::list(store, &user.viewer).await?;
    let t = all
        .iter()
        .find(|t| t.id == id)
        .ok_or_else(|| trellis_core::CoreError::NotFound(format!("talent {id}")))?;
    Ok((StatusCode::CREATED, Json(t.into())))
}

/// Remove someone from the talent pool.
#[utoipa::path(delete, path = "/api/v1/talent/{id}", tag = "mentoring",
    params(("id" = i64, Path, description = "Talent id")),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn remove_talent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    talent::remove(state.store.as_ref(), &user.viewer, TalentId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct TalentImportParams {
    /// Used in error messages (`FILE:LINE: column: message`).
    pub file_name: Option<String>,
}

/// What an import added.
#[derive(Debug, Serialize, ToSchema)]
pub struct TalentImportResponse {
    pub added: usize,
}

/// Import the talent pool from CSV (admins): columns Name, Email, Skills (`rust:4; sql:3`),
/// Hourly Rate, Hours Per Week, Available From (YYYY-MM-DD), Note. Every row is added, or
/// none: errors come back as `FILE:LINE: column: message` with 422.
#[utoipa::path(post, path = "/api/v1/talent/import", tag = "mentoring", params(TalentImportParams),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses((status = 200, body = TalentImportResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn import_talent(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<TalentImportParams>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<TalentImportResponse>, ApiError> {
    let body = body.map_err(|r| ApiError::new(r.status(), "bad_request", r.body_text()))?;
    let file = params.file_name.as_deref().unwrap_or("talent.csv");
    let done = talent::import(
        state.store.as_ref(),
        &user.viewer,
        file,
        &body,
        crate::now(),
    )
    .await?;
    Ok(Json(TalentImportResponse { added: done.added }))
}

crate::api::operations!(
    show_my_mentoring,
    save_my_goals,
    delete_my_goals,
    save_my_mentor_profile,
    delete_my_mentor_profile,
    person_mentorships,
    list_rounds,
    run_round,
    show_round,
    remove_pair,
    publish_round,
    list_talent,
    add_talent,
    remove_talent,
    import_talent,
    list_engagements,
    engage_talent,
    end_mentorship,
);
