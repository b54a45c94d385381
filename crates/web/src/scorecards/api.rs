//! `/api/v1/people/{id}/scorecard`: a manager's two scorecards side by side.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, State};
use trellis_core::PersonId;
use trellis_core::scorecards::{self, Scorecard};

/// A manager's scorecards: the manager's job (delivery, workload, priorities, 1:1s, 360
/// management) and the leader's job (career support, stretch, growth, connection,
/// influence, 360 leadership), each with its definition and the organisation's median,
/// and the directing-or-coaching signal with its three parts. For the manager, their
/// manager chain and admins.
#[utoipa::path(get, path = "/api/v1/people/{id}/scorecard", tag = "scorecards",
    params(("id" = i64, Path, description = "The manager's person id")),
    responses((status = 200, body = Scorecard), (status = 404, body = ErrorResponse)))]
pub async fn show_scorecard(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Scorecard>, ApiError> {
    Ok(Json(
        scorecards::show(
            state.store.as_ref(),
            &user.viewer,
            PersonId(id),
            crate::now(),
        )
        .await?,
    ))
}

crate::api::operations!(show_scorecard);
