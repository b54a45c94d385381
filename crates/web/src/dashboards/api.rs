//! `/api/v1/dashboard`: the organisation (admins) or the caller's tree (managers) per
//! department, with delivery by month, the spread of workload and the 9-box heat map;
//! the same rows as CSV.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use trellis_core::dashboards::{self, Dashboard, DashboardFilter};

/// The dashboard, narrowed by department, location and level.
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboards", params(DashboardFilter),
    responses((status = 200, body = Dashboard), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn show_dashboard(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(filter): Query<DashboardFilter>,
) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json(
        dashboards::show(state.store.as_ref(), &user.viewer, &filter, crate::now()).await?,
    ))
}

/// The dashboard's department rows as CSV, under the same rules and filters.
#[utoipa::path(get, path = "/api/v1/dashboard/export", tag = "dashboards", params(DashboardFilter),
    responses((status = 200, content_type = "text/csv", body = String),
        (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn export_dashboard(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(filter): Query<DashboardFilter>,
) -> Result<Response, ApiError> {
    let d = dashboards::show(state.store.as_ref(), &user.viewer, &filter, crate::now()).await?;
    Ok(csv_response(&d))
}

pub(crate) fn csv_response(d: &Dashboard) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"dashboard.csv\"",
            ),
        ],
        dashboards::csv(d),
    )
        .into_response()
}

crate::api::operations!(show_dashboard, export_dashboard);
