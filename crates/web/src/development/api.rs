//! `/api/v1/development`: programmes (admins create them and add participants and
//! sessions), attendance (the facilitator marks it) and feedback (attendees give it).

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use trellis_core::PersonId;
use trellis_core::development::coverage::{CareerSupportCoverage, career_support_coverage};
use trellis_core::development::views::{self, CohortSummary, CohortView};
use trellis_core::development::{self, CohortInput, SessionInput};
use trellis_core::ids::{CohortId, SessionId};
use trellis_core::provisioning::groups;
use utoipa::ToSchema;

async fn view(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: CohortId,
) -> Result<CohortView, ApiError> {
    let k = state.store.settings().await?.anonymity_k_survey;
    Ok(views::cohort_view(state.store.as_ref(), &user.viewer, id, k, crate::now()).await?)
}

/// People to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantsRequest {
    /// Person ids.
    #[serde(default)]
    pub participants: Vec<i64>,
    /// Also every active member of this group (such as one the identity provider keeps).
    #[serde(default)]
    pub group_id: Option<i64>,
}

/// Whether a participant came.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttendanceRequest {
    pub attended: bool,
}

/// An attendee's rating of a session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionFeedbackRequest {
    /// 1 to 5.
    pub rating: i64,
    #[serde(default)]
    pub comment: String,
}

/// The development programmes the caller runs (admins: all), is in, or facilitates in.
#[utoipa::path(get, path = "/api/v1/development/programmes", tag = "development",
    responses((status = 200, body = Vec<CohortSummary>)))]
pub async fn list_cohorts(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<CohortSummary>>, ApiError> {
    Ok(Json(
        views::cohorts_for(state.store.as_ref(), &user.viewer, crate::now()).await?,
    ))
}

/// Creates a development programme with its first participants (admins). The capacity
/// must hold them.
#[utoipa::path(post, path = "/api/v1/development/programmes", tag = "development",
    request_body = CohortInput,
    responses((status = 201, body = CohortView), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn create_cohort(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CohortInput>,
) -> Result<(StatusCode, Json<CohortView>), ApiError> {
    let id =
        development::create_cohort(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &user, id).await?)))
}

/// One programme: its sessions; for the facilitator and admins the attendance and the
/// feedback under the anonymity rule; for a participant their own attendance.
#[utoipa::path(get, path = "/api/v1/development/programmes/{id}", tag = "development",
    params(("id" = i64, Path, description = "Programme id")),
    responses((status = 200, body = CohortView), (status = 404, body = ErrorResponse)))]
pub async fn show_cohort(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CohortView>, ApiError> {
    Ok(Json(view(&state, &user, CohortId(id)).await?))
}

/// Adds participants within the capacity (admins); each is told.
#[utoipa::path(post, path = "/api/v1/development/programmes/{id}/participants", tag = "development",
    params(("id" = i64, Path, description = "Programme id")), request_body = ParticipantsRequest,
    responses((status = 200, body = CohortView), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_participants(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ParticipantsRequest>,
) -> Result<Json<CohortView>, ApiError> {
    let id = CohortId(id);
    let mut people = body.participants;
    if let Some(group) = body.group_id {
        let members = groups::active_members(state.store.as_ref(), group, "group_id").await?;
        people.extend(members.iter().map(|m| m.0));
    }
    people.sort_unstable();
    people.dedup();
    development::add_participants(
        state.store.as_ref(),
        &user.viewer,
        id,
        &people,
        crate::now(),
    )
    .await?;
    Ok(Json(view(&state, &user, id).await?))
}

/// Takes a participant out (admins).
#[utoipa::path(delete, path = "/api/v1/development/programmes/{id}/participants/{person_id}",
    tag = "development",
    params(("id" = i64, Path, description = "Programme id"),
        ("person_id" = i64, Path, description = "The participant's person id")),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn remove_participant(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, person)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    development::remove_participant(
        state.store.as_ref(),
        &user.viewer,
        CohortId(id),
        PersonId(person),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a session (admins): in the future, 15 to 480 minutes, a place or link, and a
/// facilitator. It goes into participants' and the facilitator's calendar feeds.
#[utoipa::path(post, path = "/api/v1/development/programmes/{id}/sessions", tag = "development",
    params(("id" = i64, Path, description = "Programme id")), request_body = SessionInput,
    responses((status = 201, body = CohortView), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_session(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SessionInput>,
) -> Result<(StatusCode, Json<CohortView>), ApiError> {
    let id = CohortId(id);
    development::add_session(state.store.as_ref(), &user.viewer, id, &body, crate::now()).await?;
    Ok((StatusCode::CREATED, Json(view(&state, &user, id).await?)))
}

/// The facilitator (or an admin) marks whether a participant came, once it has begun.
#[utoipa::path(put, path = "/api/v1/development/sessions/{id}/attendance/{person_id}",
    tag = "development",
    params(("id" = i64, Path, description = "Session id"),
        ("person_id" = i64, Path, description = "The participant's person id")),
    request_body = AttendanceRequest,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn mark_attendance(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, person)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<AttendanceRequest>,
) -> Result<StatusCode, ApiError> {
    development::mark_attendance(
        state.store.as_ref(),
        &user.viewer,
        SessionId(id),
        PersonId(person),
        body.attended,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Cancels a session that has not begun (admins); its people are told and their
/// calendars show it cancelled.
#[utoipa::path(post, path = "/api/v1/development/sessions/{id}/cancel", tag = "development",
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, body = CohortView), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn cancel_session(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CohortView>, ApiError> {
    let cohort = development::cancel_session(
        state.store.as_ref(),
        &user.viewer,
        SessionId(id),
        crate::now(),
    )
    .await?;
    Ok(Json(view(&state, &user, cohort).await?))
}

/// An attendee rates the session once it has ended; nobody else may.
#[utoipa::path(put, path = "/api/v1/development/sessions/{id}/feedback", tag = "development",
    params(("id" = i64, Path, description = "Session id")), request_body = SessionFeedbackRequest,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn give_feedback(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SessionFeedbackRequest>,
) -> Result<StatusCode, ApiError> {
    development::give_feedback(
        state.store.as_ref(),
        &user.viewer,
        SessionId(id),
        body.rating,
        &body.comment,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A manager's career support coverage (PRODUCT.md): the share of their direct reports
/// with a career plan reviewed in six months, stretch work in the last quarter and a
/// mentor or development programme, with each report's parts. The manager, their chain
/// and admins.
#[utoipa::path(get, path = "/api/v1/people/{id}/career-support", tag = "development",
    params(("id" = i64, Path, description = "The manager's person id")),
    responses((status = 200, body = CareerSupportCoverage), (status = 404, body = ErrorResponse)))]
pub async fn career_support(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CareerSupportCoverage>, ApiError> {
    Ok(Json(
        career_support_coverage(
            state.store.as_ref(),
            &user.viewer,
            PersonId(id),
            crate::now(),
        )
        .await?,
    ))
}

crate::api::operations!(
    career_support,
    list_cohorts,
    create_cohort,
    show_cohort,
    add_participants,
    remove_participant,
    add_session,
    mark_attendance,
    cancel_session,
    give_feedback,
);
