//! `/api/v1/decisions`: the decision log. Everyone signed in reads it; managers and admins
//! record decisions; the owner, their manager chain and admins record the outcome.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use trellis_core::CoreError;
use trellis_core::decisions::{
    self, DecisionFilter, DecisionInput, DecisionView, OutcomeInput, Status,
};
use trellis_core::ids::{DecisionId, ObjectiveId, TeamId};
use utoipa::{IntoParams, ToSchema};

/// Which decisions to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionParams {
    /// Only this team's.
    #[param(minimum = 1, maximum = 2147483647)]
    pub team_id: Option<i64>,
    /// Only those about this objective.
    #[param(minimum = 1, maximum = 2147483647)]
    pub objective_id: Option<i64>,
    /// `open`, `due`, `kept`, `changed` or `reversed`.
    #[param(pattern = "^(open|due|kept|changed|reversed)$")]
    pub status: Option<String>,
}

/// A new revisit date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevisitRequest {
    #[schema(value_type = Option<String>, format = Date)]
    pub revisit_on: Option<NaiveDate>,
}

pub(crate) fn status_param(text: Option<&str>) -> Result<Option<Status>, CoreError> {
    match text.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Status::parse(s).map(Some).ok_or_else(|| {
            CoreError::field(
                "status",
                format!("“{s}” is not a status; choose open, due, kept, changed or reversed"),
            )
        }),
    }
}

/// The decision log, latest decided first.
#[utoipa::path(get, path = "/api/v1/decisions", tag = "decisions", params(DecisionParams),
    responses((status = 200, body = Vec<DecisionView>), (status = 422, body = ErrorResponse)))]
pub async fn list_decisions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<DecisionParams>,
) -> Result<Json<Vec<DecisionView>>, ApiError> {
    if params
        .status
        .as_deref()
        .is_some_and(|s| s.trim().is_empty())
    {
        return Err(CoreError::field(
            "status",
            "choose open, due, kept, changed or reversed, or leave it out",
        )
        .into());
    }
    let status = status_param(params.status.as_deref())?;
    for (field, id) in [
        ("team_id", params.team_id),
        ("objective_id", params.objective_id),
    ] {
        if id.is_some_and(|id| !(1..=i64::from(i32::MAX)).contains(&id)) {
            return Err(CoreError::field(field, "is not an id").into());
        }
    }
    let filter = DecisionFilter {
        id: None,
        team: params.team_id.map(TeamId),
        objective: params.objective_id.map(ObjectiveId),
    };
    Ok(Json(
        decisions::list(
            state.store.as_ref(),
            &user.viewer,
            &filter,
            status,
            crate::now(),
        )
        .await?,
    ))
}

/// Records a decision (managers and admins): what, why, the alternatives, who decided,
/// the team or objective it belongs to, and a revisit date, on which its owner is asked
/// what came of it.
#[utoipa::path(post, path = "/api/v1/decisions", tag = "decisions", request_body = DecisionInput,
    responses((status = 201, body = DecisionView), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn record_decision(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<DecisionInput>,
) -> Result<(StatusCode, Json<DecisionView>), ApiError> {
    let store = state.store.as_ref();
    let now = crate::now();
    let id = decisions::record(store, &user.viewer, &body, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(decisions::show(store, &user.viewer, id, now).await?),
    ))
}

/// One decision.
#[utoipa::path(get, path = "/api/v1/decisions/{id}", tag = "decisions",
    params(("id" = i64, Path, description = "Decision id")),
    responses((status = 200, body = DecisionView), (status = 404, body = ErrorResponse)))]
pub async fn show_decision(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<DecisionView>, ApiError> {
    Ok(Json(
        decisions::show(
            state.store.as_ref(),
            &user.viewer,
            DecisionId(id),
            crate::now(),
        )
        .await?,
    ))
}

/// Records what came of a decision (its owner, their manager chain, admins): kept,
/// changed or reversed, with what was learned. A second outcome replaces the first.
#[utoipa::path(post, path = "/api/v1/decisions/{id}/outcome", tag = "decisions",
    params(("id" = i64, Path, description = "Decision id")), request_body = OutcomeInput,
    responses((status = 200, body = DecisionView), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn record_outcome(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<OutcomeInput>,
) -> Result<Json<DecisionView>, ApiError> {
    let store = state.store.as_ref();
    let now = crate::now();
    decisions::record_outcome(store, &user.viewer, DecisionId(id), &body, now).await?;
    Ok(Json(
        decisions::show(store, &user.viewer, DecisionId(id), now).await?,
    ))
}

/// Moves the revisit date of a decision without an outcome; its owner is asked again on
/// the new date.
#[utoipa::path(put, path = "/api/v1/decisions/{id}/revisit", tag = "decisions",
    params(("id" = i64, Path, description = "Decision id")), request_body = RevisitRequest,
    responses((status = 200, body = DecisionView), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn move_revisit(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RevisitRequest>,
) -> Result<Json<DecisionView>, ApiError> {
    let store = state.store.as_ref();
    let now = crate::now();
    decisions::move_revisit(store, &user.viewer, DecisionId(id), body.revisit_on, now).await?;
    Ok(Json(
        decisions::show(store, &user.viewer, DecisionId(id), now).await?,
    ))
}

crate::api::operations!(
    list_decisions,
    record_decision,
    show_decision,
    record_outcome,
    move_revisit,
);
