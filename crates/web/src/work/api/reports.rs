//! Delivery reliability and workload reports.

use super::*;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use trellis_core::work::reports::{self, ReportScope};
use trellis_core::{PersonId, TeamId};
use utoipa::{IntoParams, ToSchema};

/// Whose figures.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// A person (their own figures).
    pub person_id: Option<i64>,
    /// A manager: everyone in their tree.
    pub manager_id: Option<i64>,
    /// A team and the teams inside it (admins).
    pub team_id: Option<i64>,
    /// Like 90d or 12w; default 90d.
    pub window: Option<String>,
}

impl ReportParams {
    /// Whose figures, and over how many days.
    pub(crate) fn scope_and_window(&self) -> Result<(ReportScope, u32), trellis_core::CoreError> {
        let scope = match (self.person_id, self.manager_id, self.team_id) {
            (Some(p), None, None) => ReportScope::Person(PersonId(p)),
            (None, Some(m), None) => ReportScope::Tree(PersonId(m)),
            (None, None, Some(t)) => ReportScope::Team(TeamId(t)),
            (None, None, None) => ReportScope::Organisation,
            _ => {
                return Err(trellis_core::CoreError::field(
                    "person_id",
                    "give one of person_id, manager_id or team_id (or none for the whole organisation)",
                ));
            }
        };
        let window = self.window.as_deref().unwrap_or("90d");
        let days = reports::parse_window(window).ok_or_else(|| {
            trellis_core::CoreError::field(
                "window",
                format!("{window:?} is not a window; write it like 90d or 12w"),
            )
        })?;
        Ok((scope, days))
    }
}

/// One person's line.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportRowResponse {
    pub person: PersonRef,
    pub delivery: DeliveryResponse,
    pub workload: WorkloadResponse,
}

/// Delivery reliability and workload per person, with the total.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportResponse {
    pub window: WindowResponse,
    pub horizon: WindowResponse,
    pub rows: Vec<ReportRowResponse>,
    pub total: DeliveryResponse,
    pub overloaded_people: usize,
}

/// Delivery reliability and workload for a person, a manager's tree, a team, or (admins,
/// with no selector) the whole organisation.
#[utoipa::path(get, path = "/api/v1/reports/work", tag = "work", params(ReportParams),
    responses((status = 200, body = ReportResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn work_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<ReportParams>,
) -> Result<Json<ReportResponse>, ApiError> {
    let (scope, days) = params.scope_and_window()?;
    let r = reports::report(
        state.store.as_ref(),
        &user.viewer,
        scope,
        days,
        crate::now(),
    )
    .await?;
    Ok(Json(ReportResponse {
        window: r.window.into(),
        horizon: r.horizon.into(),
        rows: r
            .rows
            .iter()
            .map(|row| ReportRowResponse {
                person: (&row.person).into(),
                delivery: row.delivery.into(),
                workload: row.workload.into(),
            })
            .collect(),
        total: r.total_delivery.into(),
        overloaded_people: r.overloaded_people,
    }))
}
