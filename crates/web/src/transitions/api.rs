//! `/api/v1/transitions`: managers who gained their first reports (or a bigger team) in
//! the last six months, with their delegation ratio by week. For the manager, their
//! manager chain and admins; the "still doing the old job" flag only for the chain and
//! admins.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, State};
use trellis_core::PersonId;
use trellis_core::transitions::{self, TransitionDetail, TransitionSummary};

/// The transitions the caller may see: their own, their tree's, everyone's for admins.
#[utoipa::path(get, path = "/api/v1/transitions", tag = "transitions",
    responses((status = 200, body = Vec<TransitionSummary>), (status = 403, body = ErrorResponse)))]
pub async fn list_transitions(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<TransitionSummary>>, ApiError> {
    Ok(Json(
        transitions::list(state.store.as_ref(), &user.viewer, crate::now()).await?,
    ))
}

/// One manager's transition: the delegation ratio by week, previous work still on their
/// plate with the reports who want it, 1:1s held, stretch given, programmes.
#[utoipa::path(get, path = "/api/v1/transitions/{person_id}", tag = "transitions",
    params(("person_id" = i64, Path, description = "The manager's person id")),
    responses((status = 200, body = TransitionDetail), (status = 404, body = ErrorResponse)))]
pub async fn show_transition(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(person): Path<i64>,
) -> Result<Json<TransitionDetail>, ApiError> {
    Ok(Json(
        transitions::show(
            state.store.as_ref(),
            &user.viewer,
            PersonId(person),
            crate::now(),
        )
        .await?,
    ))
}

crate::api::operations!(list_transitions, show_transition);
