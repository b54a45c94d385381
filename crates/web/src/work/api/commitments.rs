//! Commitments: create, read, change, renegotiate, reassign, status and comments.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use trellis_core::PersonId;
use trellis_core::ids::CommitmentId;
use trellis_core::ids::PersonName;
use trellis_core::work::commitments::{self, CommitmentDetail, CommitmentInput, CommitmentPatch};
use trellis_core::work::{Commitment, CommitmentStatus};
use utoipa::ToSchema;

/// A person named in work items.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRef {
    pub id: i64,
    pub name: String,
}

impl From<&PersonName> for PersonRef {
    fn from(p: &PersonName) -> Self {
        PersonRef {
            id: p.id.0,
            name: p.name.clone(),
        }
    }
}

/// A commitment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentResponse {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub owner: PersonRef,
    pub requester: Option<PersonRef>,
    pub objective_id: Option<i64>,
    pub objective_title: Option<String>,
    /// The due date now (ISO).
    pub due_date: NaiveDate,
    /// The date that counts for delivery: a date moved before it passed is the new
    /// agreement; a date moved after it passed is not.
    pub agreed_due_date: NaiveDate,
    pub effort_hours: f64,
    pub remaining_hours: f64,
    pub skills: Vec<String>,
    /// Lower comes first in team priorities.
    pub priority: i64,
    /// open, done or cancelled
    pub status: String,
    pub created_on: NaiveDate,
    /// The owner's local date of completion.
    pub completed_on: Option<NaiveDate>,
}

impl From<&Commitment> for CommitmentResponse {
    fn from(c: &Commitment) -> Self {
        CommitmentResponse {
            id: c.id.0,
            title: c.title.clone(),
            description: c.description.clone(),
            owner: (&c.owner).into(),
            requester: c.requester.as_ref().map(Into::into),
            objective_id: c.objective.as_ref().map(|o| o.0.0),
            objective_title: c.objective.as_ref().map(|o| o.1.clone()),
            due_date: c.due_date,
            agreed_due_date: c.agreed_due_date,
            effort_hours: c.effort_hours,
            remaining_hours: c.remaining_hours,
            skills: c.skills.clone(),
            priority: c.priority,
            status: c.status.as_str().into(),
            created_on: c.created_on,
            completed_on: c.completed_on,
        }
    }
}

/// One line of a commitment's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeResponse {
    /// Unix seconds.
    pub at: i64,
    pub actor: Option<PersonRef>,
    /// due_date, owner or status
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note: String,
    /// Due-date changes: made on or before the date then in force.
    pub in_time: Option<bool>,
}

/// A comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentResponse {
    pub at: i64,
    pub author: PersonRef,
    pub body: String,
}

/// What the caller may do with a commitment.
#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionsResponse {
    pub edit: bool,
    pub renegotiate: bool,
    pub complete: bool,
    pub cancel: bool,
    pub reassign: bool,
    pub comment: bool,
}

/// A commitment with its history and comments.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommitmentDetailResponse {
    #[serde(flatten)]
    pub commitment: CommitmentResponse,
    pub history: Vec<ChangeResponse>,
    pub comments: Vec<CommentResponse>,
    pub can: PermissionsResponse,
}

impl From<&CommitmentDetail> for CommitmentDetailResponse {
    fn from(d: &CommitmentDetail) -> Self {
        CommitmentDetailResponse {
            commitment: (&d.commitment).into(),
            history: d
                .changes
                .iter()
                .map(|c| ChangeResponse {
                    at: c.at,
                    actor: c.actor.as_ref().map(Into::into),
                    field: c.field.as_str().into(),
                    before: c.before.clone(),
                    after: c.after.clone(),
                    note: c.note.clone(),
                    in_time: c.in_time,
                })
                .collect(),
            comments: d
                .comments
                .iter()
                .map(|c| CommentResponse {
                    at: c.at,
                    author: (&c.author).into(),
                    body: c.body.clone(),
                })
                .collect(),
            can: PermissionsResponse {
                edit: d.can.edit,
                renegotiate: d.can.renegotiate,
                complete: d.can.complete,
                cancel: d.can.cancel,
                reassign: d.can.reassign,
                comment: d.can.comment,
            },
        }
    }
}

async fn detail(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: CommitmentId,
) -> Result<Json<CommitmentDetailResponse>, ApiError> {
    let d = commitments::show(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    Ok(Json((&d).into()))
}

/// One commitment with its history.
#[utoipa::path(get, path = "/api/v1/commitments/{id}", tag = "work",
    params(("id" = i64, Path, description = "Commitment id")),
    responses((status = 200, body = CommitmentDetailResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_commitment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CommitmentDetailResponse>, ApiError> {
    detail(&state, &user, CommitmentId(id)).await
}

/// Create a commitment.
#[utoipa::path(post, path = "/api/v1/commitments", tag = "work", request_body = CommitmentInput,
    responses((status = 201, body = CommitmentDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_commitment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CommitmentInput>,
) -> Result<(StatusCode, Json<CommitmentDetailResponse>), ApiError> {
    let id = commitments::create(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
    Ok((StatusCode::CREATED, detail(&state, &user, id).await?))
}

/// Change a commitment's title, description, effort, remaining hours, skills or objective;
/// fields left out keep their values.
#[utoipa::path(patch, path = "/api/v1/commitments/{id}", tag = "work",
    params(("id" = i64, Path, description = "Commitment id")), request_body = CommitmentPatch,
    responses((status = 200, body = CommitmentDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_commitment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommitmentPatch>,
) -> Result<Json<CommitmentDetailResponse>, ApiError> {
    let id = CommitmentId(id);
    commitments::edit(state.store.as_ref(), &user.viewer, id, &body, crate::now()).await?;
    detail(&state, &user, id).await
}

/// A new due date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenegotiateRequest {
    #[schema(required = true, nullable = false)]
    pub due_date: Option<NaiveDate>,
    #[serde(default)]
    pub note: String,
}

/// Move the due date (kept in the history; before the date passes it is the new agreement).
#[utoipa::path(post, path = "/api/v1/commitments/{id}/renegotiate", tag = "work",
    params(("id" = i64, Path, description = "Commitment id")), request_body = RenegotiateRequest,
    responses((status = 200, body = CommitmentDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn renegotiate_commitment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RenegotiateRequest>,
) -> Result<Json<CommitmentDetailResponse>, ApiError> {
    let id = CommitmentId(id);
    commitments::renegotiate(
        state.store.as_ref(),
        &user.viewer,
        id,
        body.due_date,
        &body.note,
        crate::now(),
    )
    .await?;
    detail(&state, &user, id).await
}

/// A new owner.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassignRequest {
    pub owner_id: i64,
    #[serde(default)]
    pub note: String,
}

/// Give the commitment to someone else in your tree.
#[utoipa::path(post, path = "/api/v1/commitments/{id}/reassign", tag = "work",
    params(("id" = i64, Path, description = "Commitment id")), request_body = ReassignRequest,
    responses((status = 200, body = CommitmentDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn reassign_commitment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ReassignRequest>,
) -> Result<Json<CommitmentDetailResponse>, ApiError> {
    let id = CommitmentId(id);
    commitments::reassign(
        state.store.as_ref(),
        &user.viewer,
        id,
        PersonId(body.owner_id),
        &body.note,
        crate::now(),
    )
    .await?;
    detail(&state, &user, id).await
}

/// open, done or cancelled.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusParam {
    Open,
    Done,
    Cancelled,
}

/// A new status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    pub status: StatusParam,
    #[serde(default)]
    pub note: String,
}

/// Complete, cancel or reopen a commitment.
#[utoipa::path(post, path = "/api/v1/commitments/{id}/status", tag = "work",
    params(("id" = i64, Path, description = "Commitment id")), request_body = StatusRequest,
    responses((status = 200, body = CommitmentDetailResponse), (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn set_commitment_status(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<StatusRequest>,
) -> Result<Json<CommitmentDetailResponse>, ApiError> {
    let id = CommitmentId(id);
    let status = match body.status {
        StatusParam::Open => CommitmentStatus::Open,
        StatusParam::Done => CommitmentStatus::Done,
        StatusParam::Cancelled => CommitmentStatus::Cancelled,
    };
    commitments::set_status(
        state.store.as_ref(),
        &user.viewer,
        id,
        status,
        &body.note,
        crate::now(),
    )
    .await?;
    detail(&state, &user, id).await
}

/// A comment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub body: String,
}

/// Comment on a commitment.
#[utoipa::path(post, path = "/api/v1/commitments/{id}/comments", tag = "work",
    params(("id" = i64, Path, description = "Commitment id")), request_body = CommentRequest,
    responses((status = 201, body = CommitmentDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn comment_on_commitment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommentRequest>,
) -> Result<(StatusCode, Json<CommitmentDetailResponse>), ApiError> {
    let id = CommitmentId(id);
    commitments::comment(
        state.store.as_ref(),
        &user.viewer,
        id,
        &body.body,
        crate::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, detail(&state, &user, id).await?))
}
