//! `/api/v1` work endpoints: commitments, plates, the team job view, priorities,
//! capacity and absences, objectives with key results and check-ins, and reports.

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use trellis_core::error::{CoreError, FieldError};
use trellis_core::ids::{AbsenceId, CommitmentId, KeyResultId, ObjectiveId};
use trellis_core::work::commitments::{self, CommitmentDetail, CommitmentInput, CommitmentPatch};
use trellis_core::work::metrics::{DeliveryCounts, Measure, Window, Workload};
use trellis_core::work::objectives::{
    self, AlignmentNode, CheckInInput, KeyResultInput, ObjectiveInput,
};
use trellis_core::work::reports::{self, ReportScope};
use trellis_core::work::{
    Commitment, CommitmentStatus, Confidence, ObjectiveView, PersonName, Scope, plate, team_view,
};
use trellis_core::{PersonId, TeamId};
use utoipa::{IntoParams, ToSchema};

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

/// A new commitment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentRequest {
    /// What will be delivered.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub description: String,
    /// Defaults to the caller; a manager may give work to anyone in their tree.
    pub owner_id: Option<i64>,
    pub objective_id: Option<i64>,
    /// The agreed due date (today or later in the owner's time zone).
    #[schema(required = true, nullable = false)]
    pub due_date: Option<NaiveDate>,
    /// Hours of work, more than 0 and at most 2,000.
    #[schema(
        required = true,
        nullable = false,
        exclusive_minimum = 0,
        maximum = 2000
    )]
    pub effort_hours: Option<f64>,
    #[serde(default)]
    pub skills: Vec<String>,
}

impl From<CommitmentRequest> for CommitmentInput {
    fn from(r: CommitmentRequest) -> Self {
        CommitmentInput {
            title: r.title,
            description: r.description,
            owner_id: r.owner_id.map(PersonId),
            objective_id: r.objective_id.map(ObjectiveId),
            due_date: r.due_date,
            effort_hours: r.effort_hours,
            remaining_hours: None,
            skills: r.skills,
        }
    }
}

/// Create a commitment.
#[utoipa::path(post, path = "/api/v1/commitments", tag = "work", request_body = CommitmentRequest,
    responses((status = 201, body = CommitmentDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_commitment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CommitmentRequest>,
) -> Result<(StatusCode, Json<CommitmentDetailResponse>), ApiError> {
    let id = commitments::create(
        state.store.as_ref(),
        &user.viewer,
        &body.into(),
        crate::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, detail(&state, &user, id).await?))
}

/// Changes to a commitment's details: only the fields sent change, the rest are kept.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommitmentPatchRequest {
    pub title: Option<String>,
    pub description: Option<String>,
    /// `null` removes the link to an objective.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub objective_id: Option<Option<i64>>,
    #[schema(minimum = 0.0, exclusive_minimum = 0.0)]
    pub effort_hours: Option<f64>,
    /// Hours still to do, from 0 up to the effort.
    #[schema(minimum = 0.0)]
    pub remaining_hours: Option<f64>,
    /// Replaces all skills.
    pub skills: Option<Vec<String>>,
    /// Not changed here: reassign with `POST /api/v1/commitments/{id}/reassign`.
    #[serde(default)]
    #[schema(ignore)]
    pub owner_id: Option<serde_json::Value>,
    /// Not changed here: renegotiate with `POST /api/v1/commitments/{id}/renegotiate`.
    #[serde(default)]
    #[schema(ignore)]
    pub due_date: Option<serde_json::Value>,
}

impl CommitmentPatchRequest {
    /// The patch, or a 422 naming each field this route cannot change.
    fn patch(self) -> Result<CommitmentPatch, CoreError> {
        let mut errors = Vec::new();
        if self.owner_id.is_some() {
            errors.push(FieldError::new(
                "owner_id",
                "the owner is not changed here; use POST /api/v1/commitments/{id}/reassign",
            ));
        }
        if self.due_date.is_some() {
            errors.push(FieldError::new(
                "due_date",
                "the due date is not changed here; use POST /api/v1/commitments/{id}/renegotiate",
            ));
        }
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        Ok(CommitmentPatch {
            title: self.title,
            description: self.description,
            objective_id: self.objective_id.map(|o| o.map(ObjectiveId)),
            effort_hours: self.effort_hours,
            remaining_hours: self.remaining_hours,
            skills: self.skills,
        })
    }
}

/// Change a commitment's title, description, effort, remaining hours, skills or objective;
/// fields left out keep their values.
#[utoipa::path(patch, path = "/api/v1/commitments/{id}", tag = "work",
    params(("id" = i64, Path, description = "Commitment id")), request_body = CommitmentPatchRequest,
    responses((status = 200, body = CommitmentDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_commitment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CommitmentPatchRequest>,
) -> Result<Json<CommitmentDetailResponse>, ApiError> {
    let id = CommitmentId(id);
    let patch = body.patch()?;
    commitments::edit(state.store.as_ref(), &user.viewer, id, &patch, crate::now()).await?;
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

/// Delivery counts: commitments due in the window and those delivered on time.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub due: u64,
    pub on_time: u64,
    /// on_time ÷ due; null when nothing was due ("no data").
    pub reliability: Option<f64>,
}

impl From<DeliveryCounts> for DeliveryResponse {
    fn from(d: DeliveryCounts) -> Self {
        DeliveryResponse {
            due: d.due,
            on_time: d.on_time,
            reliability: d.reliability(),
        }
    }
}

/// Remaining effort against capacity over the horizon.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkloadResponse {
    pub remaining_hours: f64,
    pub capacity_hours: f64,
    /// remaining ÷ capacity; null without capacity.
    pub ratio: Option<f64>,
    /// Over 1.2 (or work with no capacity).
    pub overloaded: bool,
}

impl From<Workload> for WorkloadResponse {
    fn from(w: Workload) -> Self {
        WorkloadResponse {
            remaining_hours: w.remaining_hours,
            capacity_hours: w.capacity_hours,
            ratio: w.ratio(),
            overloaded: w.overloaded(),
        }
    }
}

/// A span of days, both ends included.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowResponse {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl From<Window> for WindowResponse {
    fn from(w: Window) -> Self {
        WindowResponse {
            first: w.first,
            last: w.last,
        }
    }
}

/// A key result.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyResultResponse {
    pub id: i64,
    pub title: String,
    /// numeric or done
    pub kind: String,
    pub start: Option<f64>,
    pub target: Option<f64>,
    pub current: Option<f64>,
    pub unit: Option<String>,
    pub done: Option<bool>,
    /// 0–1.
    pub progress: f64,
    pub last_check_in_at: Option<i64>,
    /// on_track, unsure or off_track
    pub last_confidence: Option<String>,
}

/// An objective with progress against the time elapsed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveResponse {
    pub id: i64,
    pub title: String,
    pub description: String,
    /// company, team or person
    pub scope: String,
    pub team_id: Option<i64>,
    pub team: Option<String>,
    pub owner: PersonRef,
    pub parent_id: Option<i64>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub closed: bool,
    pub key_results: Vec<KeyResultResponse>,
    /// Mean of the key results' progress, 0–1; null without key results.
    pub progress: Option<f64>,
    /// Linear share of the period elapsed, 0–1.
    pub expected: f64,
    /// Expected minus actual progress in percentage points.
    pub gap_points: Option<f64>,
    /// on_track (gap under 15), behind (15–30) or at_risk (over 30).
    pub status: Option<String>,
    pub check_in_due: bool,
}

impl From<&ObjectiveView> for ObjectiveResponse {
    fn from(v: &ObjectiveView) -> Self {
        let o = &v.objective;
        ObjectiveResponse {
            id: o.id.0,
            title: o.title.clone(),
            description: o.description.clone(),
            scope: o.scope.as_str().into(),
            team_id: o.team.as_ref().map(|t| t.0.0),
            team: o.team.as_ref().map(|t| t.1.clone()),
            owner: (&o.owner).into(),
            parent_id: o.parent.as_ref().map(|p| p.0.0),
            period_start: o.period_start,
            period_end: o.period_end,
            closed: o.closed,
            key_results: o
                .key_results
                .iter()
                .map(|k| {
                    let progress = trellis_core::work::metrics::key_result_progress(&k.measure);
                    let (kind, start, target, current, unit, done) = match &k.measure {
                        Measure::Numeric {
                            start,
                            target,
                            current,
                            unit,
                        } => (
                            "numeric",
                            Some(*start),
                            Some(*target),
                            Some(*current),
                            Some(unit.clone()),
                            None,
                        ),
                        Measure::Done { done } => ("done", None, None, None, None, Some(*done)),
                    };
                    KeyResultResponse {
                        id: k.id.0,
                        title: k.title.clone(),
                        kind: kind.into(),
                        start,
                        target,
                        current,
                        unit,
                        done,
                        progress,
                        last_check_in_at: k.last_check_in_at,
                        last_confidence: k.last_confidence.map(|c| c.as_str().into()),
                    }
                })
                .collect(),
            progress: v.progress,
            expected: v.expected,
            gap_points: v.gap_points,
            status: v.status.map(|s| s.as_str().into()),
            check_in_due: v.check_in_due,
        }
    }
}

/// An absence.
#[derive(Debug, Serialize, ToSchema)]
pub struct AbsenceResponse {
    pub id: i64,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub note: String,
}

/// One person's plate.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlateResponse {
    pub person: PersonRef,
    pub today: NaiveDate,
    /// Overdue first, then by due date.
    pub open: Vec<CommitmentResponse>,
    pub recently_closed: Vec<CommitmentResponse>,
    pub horizon: WindowResponse,
    pub workload: WorkloadResponse,
    pub capacity_hours_per_week: f64,
    pub capacity_is_custom: bool,
    pub absences: Vec<AbsenceResponse>,
    pub objectives: Vec<ObjectiveResponse>,
    /// Over the last 90 days.
    pub delivery: DeliveryResponse,
    /// Open help the person's manager promised in their career plan.
    pub support_for_me: Vec<CommitmentResponse>,
    /// The plate conversation.
    pub wishes: Vec<WishResponse>,
}

/// A wish in the plate conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct WishResponse {
    pub id: i64,
    pub person_id: i64,
    /// off or on
    pub direction: String,
    pub what: String,
    pub commitment_id: Option<i64>,
}

impl From<&trellis_core::growth::wishes::PlateWish> for WishResponse {
    fn from(w: &trellis_core::growth::wishes::PlateWish) -> Self {
        WishResponse {
            id: w.id.0,
            person_id: w.person_id.0,
            direction: w.direction.as_str().into(),
            what: w.what.clone(),
            commitment_id: w.commitment_id.map(|c| c.0),
        }
    }
}

/// A new wish.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WishRequest {
    /// off or on
    pub direction: WishDirection,
    #[serde(default)]
    pub what: String,
    /// One of the person's open commitments, to move off.
    pub commitment_id: Option<i64>,
}

/// Off the plate, or onto it.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum WishDirection {
    Off,
    On,
}

/// Record what the person would like moved off or onto their plate.
#[utoipa::path(post, path = "/api/v1/people/{id}/wishes", tag = "growth",
    params(("id" = i64, Path, description = "Person id")), request_body = WishRequest,
    responses((status = 201, body = WishResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_wish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WishRequest>,
) -> Result<(StatusCode, Json<WishResponse>), ApiError> {
    use trellis_core::growth::wishes::{self, Direction};
    let store = state.store.as_ref();
    let direction = match body.direction {
        WishDirection::Off => Direction::Off,
        WishDirection::On => Direction::On,
    };
    let wish = wishes::add(
        store,
        &user.viewer,
        PersonId(id),
        direction,
        &body.what,
        body.commitment_id.map(CommitmentId),
        crate::now(),
    )
    .await?;
    let w = store
        .plate_wish(wish)
        .await?
        .ok_or_else(|| trellis_core::CoreError::NotFound(format!("wish {wish}")))?;
    Ok((StatusCode::CREATED, Json((&w).into())))
}

/// Remove a wish.
#[utoipa::path(delete, path = "/api/v1/wishes/{id}", tag = "growth",
    params(("id" = i64, Path, description = "Wish id")),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn remove_wish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    trellis_core::growth::wishes::remove(
        state.store.as_ref(),
        &user.viewer,
        trellis_core::ids::WishId(id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A person's plate: their open commitments, workload, objectives and absences (the
/// person, their manager chain and admins).
#[utoipa::path(get, path = "/api/v1/people/{id}/plate", tag = "work",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = PlateResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_plate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PlateResponse>, ApiError> {
    let p = plate::show(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        crate::now(),
    )
    .await?;
    Ok(Json(PlateResponse {
        person: (&p.person).into(),
        today: p.today,
        open: p.open.iter().map(Into::into).collect(),
        recently_closed: p.recently_closed.iter().map(Into::into).collect(),
        horizon: p.horizon.into(),
        workload: p.workload.into(),
        capacity_hours_per_week: p.capacity_hours_per_week,
        capacity_is_custom: p.capacity_is_custom,
        absences: p
            .absences
            .iter()
            .map(|a| AbsenceResponse {
                id: a.id.0,
                first_day: a.first_day,
                last_day: a.last_day,
                note: a.note.clone(),
            })
            .collect(),
        objectives: p.objectives.iter().map(Into::into).collect(),
        delivery: p.delivery.into(),
        support_for_me: p.support_for_me.iter().map(Into::into).collect(),
        wishes: p.wishes.iter().map(Into::into).collect(),
    }))
}

/// Weekly hours; null returns to the organisation default.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityRequest {
    /// 0 to 80; null for the organisation default.
    #[schema(minimum = 0, maximum = 80)]
    pub hours_per_week: Option<f64>,
}

/// Set a person's weekly capacity.
#[utoipa::path(put, path = "/api/v1/people/{id}/capacity", tag = "work",
    params(("id" = i64, Path, description = "Person id")), request_body = CapacityRequest,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn set_capacity(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CapacityRequest>,
) -> Result<StatusCode, ApiError> {
    plate::set_capacity(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        body.hours_per_week,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Days off.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceRequest {
    #[schema(required = true, nullable = false)]
    pub first_day: Option<NaiveDate>,
    /// Defaults to the first day.
    pub last_day: Option<NaiveDate>,
    #[serde(default)]
    pub note: String,
}

/// Record days off (they reduce capacity).
#[utoipa::path(post, path = "/api/v1/people/{id}/absences", tag = "work",
    params(("id" = i64, Path, description = "Person id")), request_body = AbsenceRequest,
    responses((status = 201, body = AbsenceResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_absence(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AbsenceRequest>,
) -> Result<(StatusCode, Json<AbsenceResponse>), ApiError> {
    let absence = plate::add_absence(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        body.first_day,
        body.last_day,
        &body.note,
    )
    .await?;
    let first = body.first_day.unwrap_or_default();
    Ok((
        StatusCode::CREATED,
        Json(AbsenceResponse {
            id: absence.0,
            first_day: first,
            last_day: body.last_day.unwrap_or(first),
            note: body.note.trim().to_string(),
        }),
    ))
}

/// Remove recorded days off.
#[utoipa::path(delete, path = "/api/v1/absences/{id}", tag = "work",
    params(("id" = i64, Path, description = "Absence id")),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn delete_absence(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    plate::delete_absence(state.store.as_ref(), &user.viewer, AbsenceId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The window of delivery figures.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamWorkParams {
    /// Days, 7 to 730; default 90.
    #[param(minimum = 7, maximum = 730)]
    pub window_days: Option<u32>,
}

/// One person of a tree with their figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberFiguresResponse {
    pub person: PersonRef,
    pub title: Option<String>,
    pub manager_id: Option<i64>,
    pub depth: u32,
    pub workload: WorkloadResponse,
    pub delivery: DeliveryResponse,
}

/// One month of delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthResponse {
    /// YYYY-MM
    pub month: String,
    pub delivery: DeliveryResponse,
}

/// A manager's team: priorities, due work, workload, delivery and objectives. Direct
/// reports of the manager get the priorities only (`full` false).
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamWorkResponse {
    pub manager: PersonRef,
    pub full: bool,
    pub today: NaiveDate,
    pub priorities: Vec<CommitmentResponse>,
    pub priorities_truncated: bool,
    pub overdue: Vec<CommitmentResponse>,
    pub due_this_week: Vec<CommitmentResponse>,
    pub members: Vec<MemberFiguresResponse>,
    pub overloaded_count: usize,
    pub window: WindowResponse,
    pub horizon: WindowResponse,
    pub delivery: DeliveryResponse,
    pub trend: Vec<MonthResponse>,
    pub objectives: Vec<ObjectiveResponse>,
    /// What people in the tree would like moved off and onto their plates.
    pub wishes: Vec<WishResponse>,
}

/// The team job view of a manager's whole tree.
#[utoipa::path(get, path = "/api/v1/people/{id}/team-work", tag = "work",
    params(("id" = i64, Path, description = "The manager's person id"), TeamWorkParams),
    responses((status = 200, body = TeamWorkResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_team_work(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    Query(params): Query<TeamWorkParams>,
) -> Result<Json<TeamWorkResponse>, ApiError> {
    let v = team_view::show(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        params.window_days.unwrap_or(90),
        crate::now(),
    )
    .await?;
    Ok(Json(TeamWorkResponse {
        manager: (&v.manager).into(),
        full: v.full,
        today: v.today,
        priorities: v.priorities.iter().map(Into::into).collect(),
        priorities_truncated: v.priorities_truncated,
        overdue: v.overdue.iter().map(Into::into).collect(),
        due_this_week: v.due_this_week.iter().map(Into::into).collect(),
        members: v
            .members
            .iter()
            .map(|m| MemberFiguresResponse {
                person: (&m.person).into(),
                title: m.title.clone(),
                manager_id: m.manager_id.map(|p| p.0),
                depth: m.depth,
                workload: m.workload.into(),
                delivery: m.delivery.into(),
            })
            .collect(),
        overloaded_count: v.overloaded_count,
        window: v.window.into(),
        horizon: v.horizon.into(),
        delivery: v.team_delivery.into(),
        trend: v
            .trend
            .iter()
            .map(|m| MonthResponse {
                month: m.month.clone(),
                delivery: m.delivery.into(),
            })
            .collect(),
        objectives: v.objectives.iter().map(Into::into).collect(),
        wishes: v.wishes.iter().map(Into::into).collect(),
    }))
}

/// Commitment ids in their new order (the rest follow in their current order).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrioritiesRequest {
    pub order: Vec<i64>,
}

/// Reorder a team's priorities (the manager, their chain or an admin).
#[utoipa::path(put, path = "/api/v1/people/{id}/team-work/priorities", tag = "work",
    params(("id" = i64, Path, description = "The manager's person id")), request_body = PrioritiesRequest,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn reorder_priorities(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PrioritiesRequest>,
) -> Result<StatusCode, ApiError> {
    let order: Vec<CommitmentId> = body.order.into_iter().map(CommitmentId).collect();
    commitments::reorder(state.store.as_ref(), &user.viewer, PersonId(id), &order).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An objective in the alignment tree.
#[derive(Debug, Serialize, ToSchema)]
pub struct AlignmentResponse {
    #[serde(flatten)]
    pub objective: ObjectiveResponse,
    #[schema(no_recursion)]
    pub children: Vec<AlignmentResponse>,
}

fn alignment(n: &AlignmentNode) -> AlignmentResponse {
    AlignmentResponse {
        objective: (&n.view).into(),
        children: n.children.iter().map(alignment).collect(),
    }
}

/// The running objectives as a tree: company → team → person.
#[utoipa::path(get, path = "/api/v1/objectives", tag = "work",
    responses((status = 200, body = Vec<AlignmentResponse>)))]
pub async fn list_objectives(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<AlignmentResponse>>, ApiError> {
    let tree = objectives::alignment_tree(state.store.as_ref(), &user.viewer, crate::now()).await?;
    Ok(Json(tree.iter().map(alignment).collect()))
}

/// company, team or person.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScopeParam {
    Company,
    Team,
    Person,
}

/// A new objective.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveRequest {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Default person. Company objectives: admins; team objectives: people with reports.
    pub scope: Option<ScopeParam>,
    pub team_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub parent_id: Option<i64>,
    /// `2026-Q4`, or give period_start and period_end.
    pub quarter: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
}

/// An objective with its check-ins and aligned objectives.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectiveDetailResponse {
    #[serde(flatten)]
    pub objective: ObjectiveResponse,
    pub children: Vec<ObjectiveResponse>,
    pub check_ins: Vec<CheckInResponse>,
    pub can_change: bool,
}

/// A check-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInResponse {
    pub key_result_id: i64,
    pub author: PersonRef,
    pub at: i64,
    pub value: Option<f64>,
    pub done: bool,
    pub confidence: String,
    pub note: String,
}

async fn objective_detail(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: ObjectiveId,
) -> Result<Json<ObjectiveDetailResponse>, ApiError> {
    let d = objectives::show(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    Ok(Json(ObjectiveDetailResponse {
        objective: (&d.view).into(),
        children: d.children.iter().map(Into::into).collect(),
        check_ins: d
            .check_ins
            .iter()
            .map(|c| CheckInResponse {
                key_result_id: c.key_result_id.0,
                author: (&c.author).into(),
                at: c.at,
                value: c.value,
                done: c.done,
                confidence: c.confidence.as_str().into(),
                note: c.note.clone(),
            })
            .collect(),
        can_change: d.can_change,
    }))
}

/// Create an objective.
#[utoipa::path(post, path = "/api/v1/objectives", tag = "work", request_body = ObjectiveRequest,
    responses((status = 201, body = ObjectiveDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_objective(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<ObjectiveRequest>,
) -> Result<(StatusCode, Json<ObjectiveDetailResponse>), ApiError> {
    let input = ObjectiveInput {
        title: body.title,
        description: body.description,
        scope: body.scope.map(|s| match s {
            ScopeParam::Company => Scope::Company,
            ScopeParam::Team => Scope::Team,
            ScopeParam::Person => Scope::Person,
        }),
        team_id: body.team_id.map(TeamId),
        owner_id: body.owner_id.map(PersonId),
        parent_id: body.parent_id.map(ObjectiveId),
        quarter: body.quarter,
        period_start: body.period_start,
        period_end: body.period_end,
    };
    let id = objectives::create(state.store.as_ref(), &user.viewer, &input, crate::now()).await?;
    Ok((
        StatusCode::CREATED,
        objective_detail(&state, &user, id).await?,
    ))
}

/// One objective.
#[utoipa::path(get, path = "/api/v1/objectives/{id}", tag = "work",
    params(("id" = i64, Path, description = "Objective id")),
    responses((status = 200, body = ObjectiveDetailResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_objective(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ObjectiveDetailResponse>, ApiError> {
    objective_detail(&state, &user, ObjectiveId(id)).await
}

/// Changes to an objective: its alignment and whether it is closed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectivePatch {
    /// `null` removes the alignment.
    #[serde(default, deserialize_with = "super::double_option")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    pub closed: Option<bool>,
}

/// Align or close an objective.
#[utoipa::path(patch, path = "/api/v1/objectives/{id}", tag = "work",
    params(("id" = i64, Path, description = "Objective id")), request_body = ObjectivePatch,
    responses((status = 200, body = ObjectiveDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_objective(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ObjectivePatch>,
) -> Result<Json<ObjectiveDetailResponse>, ApiError> {
    let id = ObjectiveId(id);
    let store = state.store.as_ref();
    if let Some(parent) = body.parent_id {
        objectives::set_parent(store, &user.viewer, id, parent.map(ObjectiveId)).await?;
    }
    if let Some(closed) = body.closed {
        objectives::set_closed(store, &user.viewer, id, closed).await?;
    }
    objective_detail(&state, &user, id).await
}

/// A new key result.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyResultRequest {
    pub title: String,
    /// numeric (default) or done
    pub kind: Option<String>,
    pub start: Option<f64>,
    pub target: Option<f64>,
    pub current: Option<f64>,
    #[serde(default)]
    pub unit: String,
}

/// Add a key result to an objective.
#[utoipa::path(post, path = "/api/v1/objectives/{id}/key-results", tag = "work",
    params(("id" = i64, Path, description = "Objective id")), request_body = KeyResultRequest,
    responses((status = 201, body = ObjectiveDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_key_result(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<KeyResultRequest>,
) -> Result<(StatusCode, Json<ObjectiveDetailResponse>), ApiError> {
    let id = ObjectiveId(id);
    let input = KeyResultInput {
        title: body.title,
        kind: body.kind,
        start: body.start,
        target: body.target,
        current: body.current,
        unit: body.unit,
    };
    objectives::add_key_result(state.store.as_ref(), &user.viewer, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        objective_detail(&state, &user, id).await?,
    ))
}

/// on_track, unsure or off_track.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConfidenceParam {
    OnTrack,
    Unsure,
    OffTrack,
}

/// A weekly check-in.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// The new value (numeric key results).
    pub value: Option<f64>,
    /// Done or not (done/not-done key results).
    #[serde(default)]
    pub done: bool,
    #[schema(required = true, nullable = false)]
    pub confidence: Option<ConfidenceParam>,
    #[serde(default)]
    pub note: String,
}

/// Check in on a key result.
#[utoipa::path(post, path = "/api/v1/key-results/{id}/check-ins", tag = "work",
    params(("id" = i64, Path, description = "Key result id")), request_body = CheckInRequest,
    responses((status = 201), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn check_in(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CheckInRequest>,
) -> Result<StatusCode, ApiError> {
    let input = CheckInInput {
        value: body.value,
        done: body.done,
        confidence: body.confidence.map(|c| match c {
            ConfidenceParam::OnTrack => Confidence::OnTrack,
            ConfidenceParam::Unsure => Confidence::Unsure,
            ConfidenceParam::OffTrack => Confidence::OffTrack,
        }),
        note: body.note,
    };
    objectives::check_in(
        state.store.as_ref(),
        &user.viewer,
        KeyResultId(id),
        &input,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::CREATED)
}

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
    let scope = match (params.person_id, params.manager_id, params.team_id) {
        (Some(p), None, None) => ReportScope::Person(PersonId(p)),
        (None, Some(m), None) => ReportScope::Tree(PersonId(m)),
        (None, None, Some(t)) => ReportScope::Team(TeamId(t)),
        (None, None, None) => ReportScope::Organisation,
        _ => {
            return Err(trellis_core::CoreError::field(
                "person_id",
                "give one of person_id, manager_id or team_id (or none for the whole organisation)",
            )
            .into());
        }
    };
    let window = params.window.as_deref().unwrap_or("90d");
    let days = reports::parse_window(window).ok_or_else(|| {
        trellis_core::CoreError::field(
            "window",
            format!("{window:?} is not a window; write it like 90d or 12w"),
        )
    })?;
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
