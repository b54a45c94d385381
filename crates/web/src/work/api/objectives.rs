//! Objectives with key results and check-ins, and the alignment tree.

use super::*;
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use trellis_core::ids::{KeyResultId, ObjectiveId};
use trellis_core::work::ObjectiveView;
use trellis_core::work::metrics::Measure;
use trellis_core::work::objectives::{
    self, AlignmentNode, CheckInInput, KeyResultInput, ObjectiveInput,
};
use utoipa::ToSchema;

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
#[utoipa::path(post, path = "/api/v1/objectives", tag = "work", request_body = ObjectiveInput,
    responses((status = 201, body = ObjectiveDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_objective(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<ObjectiveInput>,
) -> Result<(StatusCode, Json<ObjectiveDetailResponse>), ApiError> {
    let id = objectives::create(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
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
    #[serde(default, deserialize_with = "trellis_core::input::double_option")]
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

/// Add a key result to an objective.
#[utoipa::path(post, path = "/api/v1/objectives/{id}/key-results", tag = "work",
    params(("id" = i64, Path, description = "Objective id")), request_body = KeyResultInput,
    responses((status = 201, body = ObjectiveDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_key_result(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<KeyResultInput>,
) -> Result<(StatusCode, Json<ObjectiveDetailResponse>), ApiError> {
    let id = ObjectiveId(id);
    objectives::add_key_result(state.store.as_ref(), &user.viewer, id, &body).await?;
    Ok((
        StatusCode::CREATED,
        objective_detail(&state, &user, id).await?,
    ))
}

/// Check in on a key result.
#[utoipa::path(post, path = "/api/v1/key-results/{id}/check-ins", tag = "work",
    params(("id" = i64, Path, description = "Key result id")), request_body = CheckInInput,
    responses((status = 201), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn check_in(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CheckInInput>,
) -> Result<StatusCode, ApiError> {
    objectives::check_in(
        state.store.as_ref(),
        &user.viewer,
        KeyResultId(id),
        &body,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::CREATED)
}
