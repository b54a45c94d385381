//! `/api/v1` 1:1 endpoints. Every one answers only the two people of a series: to anyone
//! else — their managers, admins, other tokens — a series is 404, as if it did not exist.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use trellis_core::CoreError;
use trellis_core::conversations::calendar::feeds;
use trellis_core::conversations::feedback::{
    self, Feedback, FeedbackInput, MyFeedback, RequestInput,
};
use trellis_core::conversations::series::{
    self, ActionInput, MeetingChange, MeetingView, Proposal, SeriesSummary,
};
use trellis_core::conversations::{Meeting, ScheduleInput, Series};
use trellis_core::ids::{ActionId, FeedbackId, PointId, RequestId, SeriesId};
use utoipa::ToSchema;

/// A new record's id.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedResponse {
    pub id: i64,
}

/// The meeting named in a path: a planned date, or `current`.
fn occurrence(text: &str) -> Result<Option<NaiveDate>, ApiError> {
    if text == "current" {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| ApiError::from(CoreError::NotFound(format!("a meeting on {text:?}"))))
}

fn planned(text: &str) -> Result<NaiveDate, ApiError> {
    occurrence(text)?.ok_or_else(|| {
        ApiError::from(CoreError::field(
            "date",
            "name the meeting by its planned date",
        ))
    })
}

/// My 1:1 series: reporting lines and chosen ones, proposals waiting for me first.
#[utoipa::path(get, path = "/api/v1/one-on-ones", tag = "conversations",
    responses((status = 200, body = Vec<SeriesSummary>)))]
pub async fn list_series(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<SeriesSummary>>, ApiError> {
    Ok(Json(
        series::list(state.store.as_ref(), &user.viewer, crate::now()).await?,
    ))
}

/// Proposes a 1:1 series to someone (a mentor, a skip-level); they accept or decline.
#[utoipa::path(post, path = "/api/v1/one-on-ones", tag = "conversations", request_body = Proposal,
    responses((status = 201, body = CreatedResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn propose_series(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<Proposal>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    let id = series::propose(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
    Ok((StatusCode::CREATED, Json(CreatedResponse { id: id.0 })))
}

/// One series of mine.
#[utoipa::path(get, path = "/api/v1/one-on-ones/{id}", tag = "conversations",
    params(("id" = i64, Path, description = "Series id")),
    responses((status = 200, body = SeriesSummary), (status = 404, body = ErrorResponse)))]
pub async fn show_series(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<SeriesSummary>, ApiError> {
    series::list(state.store.as_ref(), &user.viewer, crate::now())
        .await?
        .into_iter()
        .find(|s| s.series.id == SeriesId(id))
        .map(Json)
        .ok_or_else(|| CoreError::NotFound(format!("1:1 series {id}")).into())
}

/// An answer to a proposal.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = SeriesAnswerRequest)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub accept: bool,
}

/// The invited person accepts or declines a proposed series.
#[utoipa::path(post, path = "/api/v1/one-on-ones/{id}/answer", tag = "conversations",
    params(("id" = i64, Path, description = "Series id")), request_body = AnswerRequest,
    responses((status = 200, body = Series), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn answer_series(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AnswerRequest>,
) -> Result<Json<Series>, ApiError> {
    let s = series::answer(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        body.accept,
        crate::now(),
    )
    .await?;
    Ok(Json(s))
}

/// Sets the series' time (the organiser: the manager of a reporting pair).
#[utoipa::path(put, path = "/api/v1/one-on-ones/{id}/schedule", tag = "conversations",
    params(("id" = i64, Path, description = "Series id")), request_body = ScheduleInput,
    responses((status = 200, body = Series), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn set_schedule(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ScheduleInput>,
) -> Result<Json<Series>, ApiError> {
    let s = series::schedule(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        Some(&body),
        crate::now(),
    )
    .await?;
    Ok(Json(s))
}

/// Ends a chosen series (either person); reporting series end with the reporting line.
#[utoipa::path(post, path = "/api/v1/one-on-ones/{id}/end", tag = "conversations",
    params(("id" = i64, Path, description = "Series id")),
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn end_series(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    series::end(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One meeting: its agenda (with what carried over), the shared note, my private note and
/// the action items. `current` names the meeting whose agenda is open now.
#[utoipa::path(get, path = "/api/v1/one-on-ones/{id}/meetings/{date}", tag = "conversations",
    params(("id" = i64, Path, description = "Series id"),
        ("date" = String, Path, description = "Planned date (YYYY-MM-DD) or `current`")),
    responses((status = 200, body = MeetingView), (status = 404, body = ErrorResponse)))]
pub async fn show_meeting(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, date)): Path<(i64, String)>,
) -> Result<Json<MeetingView>, ApiError> {
    let view = series::meeting(
        state.store.as_ref(),
        &state.config.note_key,
        &user.viewer,
        SeriesId(id),
        occurrence(&date)?,
        crate::now(),
    )
    .await?;
    Ok(Json(view))
}

/// Moves, skips, cancels or restores one meeting (either person).
#[utoipa::path(post, path = "/api/v1/one-on-ones/{id}/meetings/{date}/change", tag = "conversations",
    params(("id" = i64, Path, description = "Series id"),
        ("date" = String, Path, description = "Planned date, YYYY-MM-DD")),
    request_body = MeetingChange,
    responses((status = 200, body = Meeting), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn change_meeting(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, date)): Path<(i64, String)>,
    ApiJson(body): ApiJson<MeetingChange>,
) -> Result<Json<Meeting>, ApiError> {
    let m = series::change_meeting(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        planned(&date)?,
        &body,
        crate::now(),
    )
    .await?;
    Ok(Json(m))
}

/// A talking point.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PointRequest {
    /// At most 2,000 characters.
    #[schema(max_length = 2000)]
    pub text: String,
    /// A page inside Trellis it is about (`/commitments/4`).
    pub link: Option<String>,
}

/// Adds a talking point to the current meeting.
#[utoipa::path(post, path = "/api/v1/one-on-ones/{id}/points", tag = "conversations",
    params(("id" = i64, Path, description = "Series id")), request_body = PointRequest,
    responses((status = 201, body = CreatedResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_point(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PointRequest>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    let p = series::add_point(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        &body.text,
        body.link.as_deref(),
        crate::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedResponse { id: p.0 })))
}

/// Ticked or not.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TickRequest {
    pub ticked: bool,
}

/// Ticks a point as discussed at the current meeting (or unticks it).
#[utoipa::path(put, path = "/api/v1/one-on-ones/{id}/points/{point}/tick", tag = "conversations",
    params(("id" = i64, Path, description = "Series id"), ("point" = i64, Path, description = "Point id")),
    request_body = TickRequest,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn tick_point(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, point)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<TickRequest>,
) -> Result<StatusCode, ApiError> {
    series::tick(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        PointId(point),
        body.ticked,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a point I added, while it is not ticked.
#[utoipa::path(delete, path = "/api/v1/one-on-ones/{id}/points/{point}", tag = "conversations",
    params(("id" = i64, Path, description = "Series id"), ("point" = i64, Path, description = "Point id")),
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn remove_point(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, point)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    series::remove_point(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        PointId(point),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Points asked at every meeting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurringRequest {
    /// At most 10.
    pub points: Vec<String>,
}

/// Replaces the points asked at every meeting.
#[utoipa::path(put, path = "/api/v1/one-on-ones/{id}/recurring", tag = "conversations",
    params(("id" = i64, Path, description = "Series id")), request_body = RecurringRequest,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn set_recurring(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RecurringRequest>,
) -> Result<StatusCode, ApiError> {
    let lines: Vec<String> = body
        .points
        .iter()
        .map(|p| p.replace(['\r', '\n'], " "))
        .collect();
    series::set_recurring(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        &lines.join("\n"),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A note's text; empty removes it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRequest {
    #[schema(max_length = 20000)]
    pub text: String,
}

/// Saves the meeting's shared note (both people read it).
#[utoipa::path(put, path = "/api/v1/one-on-ones/{id}/meetings/{date}/shared-note", tag = "conversations",
    params(("id" = i64, Path, description = "Series id"), ("date" = String, Path, description = "Planned date")),
    request_body = NoteRequest,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn save_shared_note(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, date)): Path<(i64, String)>,
    ApiJson(body): ApiJson<NoteRequest>,
) -> Result<StatusCode, ApiError> {
    series::save_shared_note(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        planned(&date)?,
        &body.text,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Saves my private note of the meeting: readable by me alone, sealed at rest.
#[utoipa::path(put, path = "/api/v1/one-on-ones/{id}/meetings/{date}/private-note", tag = "conversations",
    params(("id" = i64, Path, description = "Series id"), ("date" = String, Path, description = "Planned date")),
    request_body = NoteRequest,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn save_private_note(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, date)): Path<(i64, String)>,
    ApiJson(body): ApiJson<NoteRequest>,
) -> Result<StatusCode, ApiError> {
    series::save_private_note(
        state.store.as_ref(),
        &state.config.note_key,
        &user.viewer,
        SeriesId(id),
        planned(&date)?,
        &body.text,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Agrees an action item: on the owner's plate at once when I may give them work,
/// otherwise waiting for them to accept it.
#[utoipa::path(post, path = "/api/v1/one-on-ones/{id}/actions", tag = "conversations",
    params(("id" = i64, Path, description = "Series id")), request_body = ActionInput,
    responses((status = 201, body = CreatedResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_action(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ActionInput>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    let a = series::add_action(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        &body,
        crate::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedResponse { id: a.0 })))
}

/// The commitment an accepted action item became.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedResponse {
    pub commitment_id: i64,
}

/// Accepts an action item set for me: it goes on my plate.
#[utoipa::path(post, path = "/api/v1/one-on-one-actions/{id}/accept", tag = "conversations",
    params(("id" = i64, Path, description = "Action item id")),
    responses((status = 200, body = AcceptedResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn accept_action(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<AcceptedResponse>, ApiError> {
    let c = series::accept_action(
        state.store.as_ref(),
        &user.viewer,
        ActionId(id),
        crate::now(),
    )
    .await?;
    Ok(Json(AcceptedResponse { commitment_id: c.0 }))
}

/// The health of 1:1s: per pair in my tree (everyone's for a people admin), meetings held
/// in 90 days, the average gap, the last one, and flags; teams' figures above the
/// anonymity threshold only.
#[utoipa::path(get, path = "/api/v1/one-on-ones/health", tag = "conversations",
    responses((status = 200, body = trellis_core::conversations::health::Health),
        (status = 403, body = ErrorResponse)))]
pub async fn one_on_one_health(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<trellis_core::conversations::health::Health>, ApiError> {
    let h = trellis_core::conversations::health::health(
        state.store.as_ref(),
        &user.viewer,
        crate::now(),
    )
    .await?;
    Ok(Json(h))
}

/// My calendar feed's secret address.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarResponse {
    /// `https://…/calendar/{token}.ics`
    pub url: String,
    /// The same as `webcal://`, which calendar apps subscribe to.
    pub webcal: String,
}

fn calendar_response(state: &AppState, token: &str) -> CalendarResponse {
    let url = format!("{}/calendar/{token}.ics", state.config.site.public_url);
    let webcal = format!(
        "webcal://{}",
        url.split_once("://").map(|(_, rest)| rest).unwrap_or(&url)
    );
    CalendarResponse { url, webcal }
}

/// My calendar feed: my 1:1 series as recurring events, titles and times only.
#[utoipa::path(get, path = "/api/v1/me/calendar", tag = "conversations",
    responses((status = 200, body = CalendarResponse)))]
pub async fn my_calendar(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<CalendarResponse>, ApiError> {
    let token = feeds::token(
        state.store.as_ref(),
        &state.config.note_key,
        &user.viewer,
        crate::now(),
    )
    .await?;
    Ok(Json(calendar_response(&state, &token)))
}

/// A new secret address for my calendar feed; the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/me/calendar/rotate", tag = "conversations",
    responses((status = 200, body = CalendarResponse)))]
pub async fn rotate_calendar(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<CalendarResponse>, ApiError> {
    let token = feeds::rotate(
        state.store.as_ref(),
        &state.config.note_key,
        &user.viewer,
        crate::now(),
    )
    .await?;
    Ok(Json(calendar_response(&state, &token)))
}

/// Gives someone praise or a note.
#[utoipa::path(post, path = "/api/v1/feedback", tag = "conversations", request_body = FeedbackInput,
    responses((status = 201, body = CreatedResponse), (status = 422, body = ErrorResponse)))]
pub async fn give_feedback(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<FeedbackInput>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    let id = feedback::give(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
    Ok((StatusCode::CREATED, Json(CreatedResponse { id: id.0 })))
}

/// My feedback: received, given, answers to my requests, shared with me as a manager, and
/// the requests I answer and made.
#[utoipa::path(get, path = "/api/v1/feedback", tag = "conversations",
    responses((status = 200, body = MyFeedback)))]
pub async fn my_feedback(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<MyFeedback>, ApiError> {
    Ok(Json(
        feedback::mine(state.store.as_ref(), &user.viewer, crate::now()).await?,
    ))
}

/// The feedback about a person that I may read (their praise wall, at least).
#[utoipa::path(get, path = "/api/v1/people/{id}/feedback", tag = "conversations",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = Vec<Feedback>), (status = 404, body = ErrorResponse)))]
pub async fn person_feedback(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Feedback>>, ApiError> {
    Ok(Json(
        feedback::about(
            state.store.as_ref(),
            &user.viewer,
            trellis_core::PersonId(id),
        )
        .await?,
    ))
}

/// Asks named people for feedback about me or one of my reports.
#[utoipa::path(post, path = "/api/v1/feedback-requests", tag = "conversations", request_body = RequestInput,
    responses((status = 201, body = CreatedResponse), (status = 422, body = ErrorResponse)))]
pub async fn ask_for_feedback(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<RequestInput>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    let id = feedback::ask(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
    Ok((StatusCode::CREATED, Json(CreatedResponse { id: id.0 })))
}

/// Answers a request for feedback I was asked.
#[utoipa::path(post, path = "/api/v1/feedback-requests/{id}/answer", tag = "conversations",
    params(("id" = i64, Path, description = "Request id")), request_body = NoteRequest,
    responses((status = 201, body = CreatedResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn answer_request(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NoteRequest>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    let f = feedback::answer(
        state.store.as_ref(),
        &user.viewer,
        RequestId(id),
        &body.text,
        crate::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedResponse { id: f.0 })))
}

/// Declines a request for feedback I was asked.
#[utoipa::path(post, path = "/api/v1/feedback-requests/{id}/decline", tag = "conversations",
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn decline_request(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    feedback::decline(
        state.store.as_ref(),
        &user.viewer,
        RequestId(id),
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The 1:1 to bring feedback to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BringRequest {
    pub series_id: i64,
}

/// Brings feedback I received to one of my 1:1s as a talking point.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/bring", tag = "conversations",
    params(("id" = i64, Path, description = "Feedback id")), request_body = BringRequest,
    responses((status = 201, body = CreatedResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn bring_feedback(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BringRequest>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    let p = feedback::bring_to_one_on_one(
        state.store.as_ref(),
        &user.viewer,
        FeedbackId(id),
        SeriesId(body.series_id),
        crate::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedResponse { id: p.0 })))
}

crate::api::operations!(
    list_series,
    one_on_one_health,
    propose_series,
    show_series,
    answer_series,
    set_schedule,
    end_series,
    show_meeting,
    change_meeting,
    add_point,
    tick_point,
    remove_point,
    set_recurring,
    save_shared_note,
    save_private_note,
    add_action,
    accept_action,
    my_calendar,
    rotate_calendar,
    give_feedback,
    my_feedback,
    person_feedback,
    ask_for_feedback,
    answer_request,
    decline_request,
    bring_feedback,
);
