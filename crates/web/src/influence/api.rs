//! The influence report and the interactions import, over the API.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use trellis_core::influence::imports::{self, InteractionImport};
use trellis_core::influence::report::{self, InfluenceReport};
use utoipa::IntoParams;

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

crate::api::operations!(influence_report, import_interactions);
