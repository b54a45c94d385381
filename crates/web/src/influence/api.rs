//! Influence over the API: the report, the interactions import, the advice pulse, the
//! overview and a person's influence.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use trellis_core::PersonId;
use trellis_core::influence::figures::{self, PersonInfluence};
use trellis_core::influence::imports::{self, InteractionImport};
use trellis_core::influence::overview::{self, Overview};
use trellis_core::influence::pulse::{self, PulseAsk, PulseTurnout};
use trellis_core::influence::report::{self, InfluenceReport};
use utoipa::{IntoParams, ToSchema};

/// Influence outside the line, everyone who sought the person's advice, reach (PageRank of
/// the advice graph) and brokerage (betweenness of the interaction graph, estimated from
/// 256 pivots above 10,000 people, with its 95 % half-width) for a person, a manager's
/// tree, a team or (admins, with no selector) the whole organisation. Who sought whose
/// advice is never returned: only the figures.
#[utoipa::path(get, path = "/api/v1/reports/influence", tag = "influence",
    params(crate::work::api::ReportParams),
    responses((status = 200, body = InfluenceReport), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn influence_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<crate::work::api::ReportParams>,
) -> Result<Json<InfluenceReport>, ApiError> {
    let (scope, days) = params.scope_and_window()?;
    Ok(Json(
        report::report(
            state.store.as_ref(),
            &user.viewer,
            scope,
            days,
            crate::now(),
        )
        .await?,
    ))
}

/// How an interactions file is imported.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InteractionImportParams {
    /// Check the file and say what would be added, without writing.
    #[serde(default)]
    pub dry_run: bool,
    /// The file's name, for error lines; default interactions.csv.
    pub file_name: Option<String>,
}

/// Import interactions from CSV (people admins): From, To (e-mail or employee id; aliases
/// From Email, Seeker Email, To Email, Adviser Email), Date (YYYY-MM-DD), Kind (advice,
/// meeting, message, work). All rows or none: errors come back as `FILE:LINE: column:
/// message` with 422; re-importing the same rows adds nothing.
#[utoipa::path(post, path = "/api/v1/interactions/import", tag = "influence",
    params(InteractionImportParams),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses((status = 200, body = InteractionImport), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn import_interactions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<InteractionImportParams>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<InteractionImport>, ApiError> {
    let body = body.map_err(|r| ApiError::new(r.status(), "bad_request", r.body_text()))?;
    let file = params.file_name.as_deref().unwrap_or("interactions.csv");
    Ok(Json(
        imports::import(
            state.store.as_ref(),
            &user.viewer,
            file,
            &body,
            params.dry_run,
            crate::now(),
        )
        .await?,
    ))
}

/// The advice pulse as it asks the caller: whether it asks them, the question, the open
/// round, and how many people they named in it (never whom).
#[utoipa::path(get, path = "/api/v1/advice-pulse", tag = "influence",
    responses((status = 200, body = PulseAsk), (status = 401, body = ErrorResponse)))]
pub async fn show_pulse(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<PulseAsk>, ApiError> {
    Ok(Json(
        pulse::my_pulse(state.store.as_ref(), &user.viewer, crate::now()).await?,
    ))
}

/// An answer to the advice pulse.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PulseAnswerRequest {
    /// The ids of up to 10 colleagues whose advice the caller sought; empty: nobody.
    #[schema(max_items = 10)]
    pub advisers: Vec<i64>,
}

/// How many people an answer named.
#[derive(Debug, Serialize, ToSchema)]
pub struct PulseAnswerResponse {
    pub named: u32,
}

/// Answer the open round of the advice pulse, replacing an earlier answer to it. Nobody,
/// admins included, can read who named whom back.
#[utoipa::path(post, path = "/api/v1/advice-pulse/answers", tag = "influence",
    request_body = PulseAnswerRequest,
    responses((status = 200, body = PulseAnswerResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn answer_pulse(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Json(body): Json<PulseAnswerRequest>,
) -> Result<Json<PulseAnswerResponse>, ApiError> {
    let advisers: Vec<PersonId> = body.advisers.into_iter().map(PersonId).collect();
    let named = pulse::answer(state.store.as_ref(), &user.viewer, &advisers, crate::now()).await?;
    Ok(Json(PulseAnswerResponse { named }))
}

/// How many people the latest round asked and how many answered (people admins).
#[utoipa::path(get, path = "/api/v1/advice-pulse/turnout", tag = "influence",
    responses((status = 200, body = PulseTurnout), (status = 403, body = ErrorResponse)))]
pub async fn pulse_turnout(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<PulseTurnout>, ApiError> {
    Ok(Json(
        pulse::turnout(state.store.as_ref(), &user.viewer).await?,
    ))
}

/// Informal leaders the caller may see (admins: everyone's; a manager: their tree's) and the
/// distribution of influence outside the line per group, from the figures computed daily.
#[utoipa::path(get, path = "/api/v1/influence", tag = "influence",
    responses((status = 200, body = Overview), (status = 403, body = ErrorResponse)))]
pub async fn show_overview(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Overview>, ApiError> {
    Ok(Json(
        overview::overview(state.store.as_ref(), &user.viewer).await?,
    ))
}

/// A person's influence (the person, their manager chain and admins): outside the line
/// over 90 days and by month, the departments it reaches (whole months, at least k people
/// behind each number), and reach and brokerage percentiles.
#[utoipa::path(get, path = "/api/v1/people/{id}/influence", tag = "influence",
    params(("id" = i64, Path, description = "The person's id")),
    responses((status = 200, body = PersonInfluence), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn person_influence(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PersonInfluence>, ApiError> {
    Ok(Json(
        figures::of_person(
            state.store.as_ref(),
            &user.viewer,
            PersonId(id),
            crate::now(),
        )
        .await?,
    ))
}

/// How many people computed figures cover.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComputedResponse {
    pub people: usize,
}

/// Compute everyone's influence figures now rather than at the daily run (people admins).
#[utoipa::path(post, path = "/api/v1/influence/compute", tag = "influence",
    responses((status = 200, body = ComputedResponse), (status = 403, body = ErrorResponse)))]
pub async fn compute(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<ComputedResponse>, ApiError> {
    if !user.viewer.may_administer() {
        return Err(trellis_core::CoreError::Forbidden(
            "compute the influence figures; people admins can".into(),
        )
        .into());
    }
    let people = figures::refresh(state.store.as_ref(), crate::now()).await?;
    Ok(Json(ComputedResponse { people }))
}

crate::api::operations!(
    influence_report,
    import_interactions,
    show_pulse,
    answer_pulse,
    pulse_turnout,
    show_overview,
    person_influence,
    compute
);
