//! `/api/v1/succession`: key roles and their plans. Admins mark key roles; admins and the
//! manager chain above a role read and edit its plan; to anyone else — the holder, peers,
//! the candidates — a plan answers 404. Evidence beside a candidate is only for the
//! candidate's own manager chain and admins.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use trellis_core::PersonId;
use trellis_core::ids::KeyRoleId;
use trellis_core::succession::overview::{self, Overview, PlanView};
use trellis_core::succession::{self, CandidateInput, KeyRoleChanges, KeyRoleInput};

async fn plan(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: KeyRoleId,
) -> Result<PlanView, ApiError> {
    Ok(overview::plan(state.store.as_ref(), &user.viewer, id, crate::now()).await?)
}

/// Coverage, bench strength per department, the key roles the caller may see and the
/// hidden candidates in their reach (managers and admins).
#[utoipa::path(get, path = "/api/v1/succession", tag = "succession",
    responses((status = 200, body = Overview), (status = 403, body = ErrorResponse)))]
pub async fn succession_overview(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Overview>, ApiError> {
    Ok(Json(
        overview::overview(state.store.as_ref(), &user.viewer, crate::now()).await?,
    ))
}

/// Marks a key role (admins): a holder's position (titled by their job title unless
/// given), or a role not yet filled with a title, a team and the manager it reports to.
#[utoipa::path(post, path = "/api/v1/succession/key-roles", tag = "succession",
    request_body = KeyRoleInput,
    responses((status = 201, body = PlanView), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn mark_key_role(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<KeyRoleInput>,
) -> Result<(StatusCode, Json<PlanView>), ApiError> {
    let id = succession::mark_role(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
    Ok((StatusCode::CREATED, Json(plan(&state, &user, id).await?)))
}

/// A key role's plan: ranked candidates with their readiness, and the evidence beside
/// those in the caller's reach.
#[utoipa::path(get, path = "/api/v1/succession/key-roles/{id}", tag = "succession",
    params(("id" = i64, Path, description = "Key role id")),
    responses((status = 200, body = PlanView), (status = 404, body = ErrorResponse)))]
pub async fn show_key_role(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PlanView>, ApiError> {
    Ok(Json(plan(&state, &user, KeyRoleId(id)).await?))
}

/// Changes a key role's title, impact or why (admins).
#[utoipa::path(patch, path = "/api/v1/succession/key-roles/{id}", tag = "succession",
    params(("id" = i64, Path, description = "Key role id")), request_body = KeyRoleChanges,
    responses((status = 200, body = PlanView), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn change_key_role(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<KeyRoleChanges>,
) -> Result<Json<PlanView>, ApiError> {
    let id = KeyRoleId(id);
    succession::change_role(state.store.as_ref(), &user.viewer, id, &body).await?;
    Ok(Json(plan(&state, &user, id).await?))
}

/// Removes a key role and its plan (admins).
#[utoipa::path(delete, path = "/api/v1/succession/key-roles/{id}", tag = "succession",
    params(("id" = i64, Path, description = "Key role id")),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn remove_key_role(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    succession::remove_role(
        state.store.as_ref(),
        &user.viewer,
        KeyRoleId(id),
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts a person on the plan (last in rank), or changes their readiness, condition and
/// note, marking the entry reviewed today; `rank` moves them.
#[utoipa::path(put, path = "/api/v1/succession/key-roles/{id}/candidates/{person_id}",
    tag = "succession",
    params(("id" = i64, Path, description = "Key role id"),
        ("person_id" = i64, Path, description = "The candidate's person id")),
    request_body = CandidateInput,
    responses((status = 200, body = PlanView), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn save_candidate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, person)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<CandidateInput>,
) -> Result<Json<PlanView>, ApiError> {
    let id = KeyRoleId(id);
    succession::save_candidate(
        state.store.as_ref(),
        &user.viewer,
        id,
        person,
        &body,
        crate::now(),
    )
    .await?;
    Ok(Json(plan(&state, &user, id).await?))
}

/// Takes a candidate off the plan.
#[utoipa::path(delete, path = "/api/v1/succession/key-roles/{id}/candidates/{person_id}",
    tag = "succession",
    params(("id" = i64, Path, description = "Key role id"),
        ("person_id" = i64, Path, description = "The candidate's person id")),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn remove_candidate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, person)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    succession::remove_candidate(
        state.store.as_ref(),
        &user.viewer,
        KeyRoleId(id),
        PersonId(person),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

crate::api::operations!(
    succession_overview,
    mark_key_role,
    show_key_role,
    change_key_role,
    remove_key_role,
    save_candidate,
    remove_candidate,
);
