//! `/api/v1/org` (reporting lines) and `/api/v1/teams`.

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use crate::org::api::people::PersonCardResponse;
use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use trellis_core::org::Team;
use trellis_core::org::people::{self, OrgNode};
use trellis_core::org::teams;
use trellis_core::{CoreError, PersonId, TeamId};
use utoipa::{IntoParams, ToSchema};

/// A person and the reports loaded below them.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgNodeResponse {
    pub person: PersonCardResponse,
    /// Empty when the person has no reports or the depth limit was reached
    /// (compare with `person.report_count`).
    #[schema(no_recursion)]
    pub reports: Vec<OrgNodeResponse>,
}

impl From<&OrgNode> for OrgNodeResponse {
    fn from(n: &OrgNode) -> Self {
        OrgNodeResponse {
            person: PersonCardResponse::from(&n.person),
            reports: n.reports.iter().map(OrgNodeResponse::from).collect(),
        }
    }
}

/// How deep to load a subtree.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubtreeParams {
    /// Levels below the person to include, 0 to 4 (default 1).
    #[param(minimum = 0, maximum = 4)]
    pub depth: Option<u32>,
}

/// The people at the top of the organisation (no manager).
#[utoipa::path(get, path = "/api/v1/org", tag = "org",
    responses((status = 200, body = Vec<PersonCardResponse>), (status = 401, body = ErrorResponse)))]
pub async fn list_org_roots(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<Vec<PersonCardResponse>>, ApiError> {
    let tops = state.store.top_of_tree().await?;
    Ok(Json(tops.iter().map(PersonCardResponse::from).collect()))
}

/// The reporting subtree under a person.
#[utoipa::path(get, path = "/api/v1/org/{id}", tag = "org",
    params(("id" = i64, Path, description = "Person id"), SubtreeParams),
    responses((status = 200, body = OrgNodeResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_org_subtree(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    Query(params): Query<SubtreeParams>,
) -> Result<Json<OrgNodeResponse>, ApiError> {
    let depth = params.depth.unwrap_or(1);
    if depth > 4 {
        return Err(CoreError::field(
            "depth",
            "must be 0 to 4; load deeper levels from the returned nodes",
        )
        .into());
    }
    let tree = people::subtree(state.store.as_ref(), &user.viewer, PersonId(id), depth).await?;
    Ok(Json(OrgNodeResponse::from(&tree)))
}

/// A team or department.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamResponse {
    pub id: i64,
    pub name: String,
    /// The department this team belongs to.
    pub parent_id: Option<i64>,
    pub parent: Option<String>,
    /// Active people directly in this team.
    pub member_count: i64,
}

impl From<&Team> for TeamResponse {
    fn from(t: &Team) -> Self {
        TeamResponse {
            id: t.id.0,
            name: t.name.clone(),
            parent_id: t.parent_id.map(|p| p.0),
            parent: t.parent_name.clone(),
            member_count: t.member_count,
        }
    }
}

/// A team with its members and sub-teams.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDetailResponse {
    pub team: TeamResponse,
    pub teams: Vec<TeamResponse>,
    pub members: Vec<PersonCardResponse>,
}

/// All teams and departments.
#[utoipa::path(get, path = "/api/v1/teams", tag = "org",
    responses((status = 200, body = Vec<TeamResponse>), (status = 401, body = ErrorResponse)))]
pub async fn list_teams(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<Vec<TeamResponse>>, ApiError> {
    let teams = state.store.teams().await?;
    Ok(Json(teams.iter().map(TeamResponse::from).collect()))
}

/// One team.
#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "org",
    params(("id" = i64, Path, description = "Team id")),
    responses((status = 200, body = TeamDetailResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_team(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<TeamDetailResponse>, ApiError> {
    let view = teams::show(state.store.as_ref(), &user.viewer, TeamId(id)).await?;
    Ok(Json(TeamDetailResponse {
        team: TeamResponse::from(&view.team),
        teams: view.sub_teams.iter().map(TeamResponse::from).collect(),
        members: view.members.iter().map(PersonCardResponse::from).collect(),
    }))
}

/// A level on the career ladder.
#[derive(Debug, Serialize, ToSchema)]
pub struct LevelResponse {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Higher is more senior.
    pub rank: i64,
    pub expectations: String,
}

impl From<&trellis_core::org::JobLevel> for LevelResponse {
    fn from(l: &trellis_core::org::JobLevel) -> Self {
        LevelResponse {
            id: l.id.0,
            code: l.code.clone(),
            name: l.name.clone(),
            rank: l.rank,
            expectations: l.expectations.clone(),
        }
    }
}

/// The career ladder, lowest rank first.
#[utoipa::path(get, path = "/api/v1/levels", tag = "org",
    responses((status = 200, body = Vec<LevelResponse>)))]
pub async fn list_levels(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<Vec<LevelResponse>>, ApiError> {
    let levels = trellis_core::org::ladder::list(state.store.as_ref()).await?;
    Ok(Json(levels.iter().map(Into::into).collect()))
}

/// Add a level, or change the one with this code (people admins).
#[utoipa::path(put, path = "/api/v1/levels/{code}", tag = "org", request_body = trellis_core::org::ladder::LevelInput,
    params(("code" = String, Path, description = "The level's code, e.g. L4")),
    responses((status = 200, body = LevelResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn save_level(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(code): Path<String>,
    crate::api::ApiJson(body): crate::api::ApiJson<trellis_core::org::ladder::LevelInput>,
) -> Result<Json<LevelResponse>, ApiError> {
    // The code is the level's path, not part of its body.
    let input = trellis_core::org::ladder::LevelInput { code, ..body };
    let store = state.store.as_ref();
    let id = trellis_core::org::ladder::save(store, &user.viewer, &input, crate::now()).await?;
    let level = store
        .level(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("level {id}")))?;
    Ok(Json((&level).into()))
}

/// Where the ladder file came from, and whether only to check it.
#[derive(Debug, Deserialize, IntoParams)]
pub struct LadderImportParams {
    /// Used in error messages (`FILE:LINE: column: message`).
    pub file_name: Option<String>,
    /// Check the file and count what would change, without saving.
    #[serde(default)]
    pub dry_run: bool,
}

/// What a ladder import changed, or would change on a dry run.
#[derive(Debug, Serialize, ToSchema)]
pub struct LadderImportResponse {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub dry_run: bool,
}

/// Import the career ladder from CSV (people admins): columns Code, Name, Rank (0–1000,
/// higher is more senior), Expectations (optional). Each level is added, or changed when its
/// code exists; levels the file leaves out stay. Every row is saved, or none: errors come
/// back as `FILE:LINE: column: message` with 422.
#[utoipa::path(post, path = "/api/v1/levels/import", tag = "org", params(LadderImportParams),
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses((status = 200, body = LadderImportResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn import_levels(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<LadderImportParams>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<LadderImportResponse>, ApiError> {
    let body = body.map_err(|r| ApiError::new(r.status(), "bad_request", r.body_text()))?;
    let file = params.file_name.as_deref().unwrap_or("ladder.csv");
    let done = trellis_core::org::ladder::import(
        state.store.as_ref(),
        &user.viewer,
        file,
        &body,
        params.dry_run,
        crate::now(),
    )
    .await?;
    Ok(Json(LadderImportResponse {
        added: done.added,
        updated: done.updated,
        unchanged: done.unchanged,
        dry_run: params.dry_run,
    }))
}
