//! `/api/v1/imports/people`: the CSV import, as a dry run or for real.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trellis_core::org::import::{ImportIssue, ImportOptions, ImportPlan, MassLeave};
use trellis_core::org::imports;
use trellis_core::org::store::ImportSummary;
use utoipa::{IntoParams, ToSchema};

/// Import choices.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// Check the file and report what would change, without writing.
    #[serde(default)]
    pub dry_run: bool,
    /// Mark active people who are not in the file as having left.
    #[serde(default)]
    pub deactivate_missing: bool,
    /// Confirm marking more than a quarter of the active people as left (refused otherwise).
    #[serde(default)]
    pub allow_mass_leave: bool,
    /// Name used in error messages (default people.csv).
    pub file_name: Option<String>,
}

/// A problem at a line of the file.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportIssueResponse {
    pub line: u64,
    pub column: String,
    pub message: String,
    /// `FILE:LINE: column: message`
    pub text: String,
}

/// A person the import marks as having left.
#[derive(Debug, Serialize, ToSchema)]
pub struct LeavingPersonResponse {
    pub id: i64,
    pub name: String,
    pub email: String,
}

/// What an import did or would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReportResponse {
    /// True when the changes were written.
    pub applied: bool,
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deactivated: usize,
    /// Who is (or would be) marked as left.
    pub leaving: Vec<LeavingPersonResponse>,
    pub new_teams: Vec<String>,
    pub new_levels: Vec<String>,
    pub new_skills: Vec<String>,
    /// Columns Trellis does not use.
    pub ignored_columns: Vec<String>,
    pub warnings: Vec<ImportIssueResponse>,
    /// Every problem found; when not empty nothing was written.
    pub errors: Vec<ImportIssueResponse>,
    /// Problems beyond the first 1,000.
    pub errors_not_shown: usize,
}

fn issues(file: &str, list: &[ImportIssue]) -> Vec<ImportIssueResponse> {
    list.iter()
        .map(|i| ImportIssueResponse {
            line: i.line,
            column: i.column.clone(),
            message: i.message.clone(),
            text: trellis_core::org::import::Located { file, issue: i }.to_string(),
        })
        .collect()
}

fn report(
    file: &str,
    plan: &ImportPlan,
    summary: Option<&ImportSummary>,
    dry_run: bool,
) -> ImportReportResponse {
    ImportReportResponse {
        applied: summary.is_some(),
        dry_run,
        created: plan.creates.len(),
        updated: plan.updates.len(),
        unchanged: plan.unchanged,
        deactivated: plan.deactivations.len(),
        leaving: plan
            .deactivations
            .iter()
            .map(|d| LeavingPersonResponse {
                id: d.id.0,
                name: d.name.clone(),
                email: d.email.clone(),
            })
            .collect(),
        new_teams: plan.new_teams.clone(),
        new_levels: plan.new_levels.clone(),
        new_skills: plan.new_skills.clone(),
        ignored_columns: plan.ignored_columns.clone(),
        warnings: issues(file, &plan.warnings),
        errors: issues(file, &plan.errors),
        errors_not_shown: plan.errors_not_shown,
    }
}

/// Import people from an HRIS CSV export (admins only). Send the file as the request body.
/// With errors the answer is 422 and nothing is written.
#[utoipa::path(post, path = "/api/v1/imports/people", tag = "imports", params(ImportParams),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 200, description = "Applied, or checked when dry_run", body = ImportReportResponse),
        (status = 422, description = "The file has errors; nothing was written", body = ImportReportResponse),
        (status = 403, body = ErrorResponse), (status = 413, body = ErrorResponse)))]
pub async fn import_people(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<ImportParams>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ImportReportResponse>), ApiError> {
    let body = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "the file is larger than {} MB; import it with `trellis import people FILE.csv`",
                    state.config.max_upload_bytes / (1024 * 1024)
                ),
            )
        } else {
            ApiError::new(r.status(), "bad_request", r.body_text())
        }
    })?;
    let file = params.file_name.as_deref().unwrap_or("people.csv");
    let options = ImportOptions {
        deactivate_missing: params.deactivate_missing,
        mass_leave: if params.allow_mass_leave {
            MassLeave::Allow
        } else {
            MassLeave::Refuse
        },
        importer: Some(user.viewer.person_id()),
    };
    let store = state.store.as_ref();
    if params.dry_run {
        let plan = imports::preview(store, &user.viewer, body, options).await?;
        let status = if plan.is_valid() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok((status, Json(report(file, &plan, None, true))));
    }
    let (plan, summary) =
        imports::apply(store, &user.viewer, file, body, options, crate::now()).await?;
    let status = if summary.is_some() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Json(report(file, &plan, summary.as_ref(), false))))
}
