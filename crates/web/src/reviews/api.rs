//! `/api/v1` review endpoints: cycles for people admins, reviews for their reviewee, their
//! manager chain and admins — anyone else is told a review does not exist.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::conversations::api::CreatedResponse;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trellis_core::reviews::calibration::{
    self, BoxMoveInput, CalibrationFilter, CalibrationView, RatingChangeInput,
};
use trellis_core::reviews::cycles::{self, CycleInput, Launched, Progress};
use trellis_core::reviews::forms::{
    self, AnswersInput, FollowThroughInput, MyReviews, NextStepInput, ReviewView,
};
use trellis_core::reviews::reminders;
use trellis_core::reviews::steps::{self, FormStep};
use trellis_core::reviews::{Cycle, CycleId, ReviewId};
use utoipa::ToSchema;

/// Every review cycle (people admins).
#[utoipa::path(get, path = "/api/v1/review-cycles", tag = "reviews",
    responses((status = 200, body = Vec<Cycle>), (status = 403, body = ErrorResponse)))]
pub async fn list_cycles(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<Cycle>>, ApiError> {
    Ok(Json(
        cycles::list(state.store.as_ref(), &user.viewer).await?,
    ))
}

/// Drafts a cycle: who, the questions (the three growth questions are always added to the
/// manager form) and the deadlines of its steps.
#[utoipa::path(post, path = "/api/v1/review-cycles", tag = "reviews", request_body = CycleInput,
    responses((status = 201, body = CreatedResponse), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn create_cycle(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<CycleInput>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    let id = cycles::create(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
    Ok((StatusCode::CREATED, Json(CreatedResponse { id: id.0 })))
}

/// A cycle with its completion per step, per manager and per team.
#[utoipa::path(get, path = "/api/v1/review-cycles/{id}", tag = "reviews",
    params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, body = Progress), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
pub async fn show_cycle(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Progress>, ApiError> {
    Ok(Json(
        cycles::progress(state.store.as_ref(), &user.viewer, CycleId(id)).await?,
    ))
}

/// Changes a draft.
#[utoipa::path(put, path = "/api/v1/review-cycles/{id}", tag = "reviews",
    params(("id" = i64, Path, description = "Cycle id")), request_body = CycleInput,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_cycle(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CycleInput>,
) -> Result<StatusCode, ApiError> {
    cycles::update(
        state.store.as_ref(),
        &user.viewer,
        CycleId(id),
        &body,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Launches a draft: a review for everyone in scope, with their manager now.
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/launch", tag = "reviews",
    params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, body = Launched), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn launch_cycle(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Launched>, ApiError> {
    Ok(Json(
        cycles::launch(
            state.store.as_ref(),
            &user.viewer,
            CycleId(id),
            crate::now(),
        )
        .await?,
    ))
}

/// Shares a launched cycle: reviews are locked and read by their reviewees; follow-through
/// items join the pairs' 1:1s.
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/share", tag = "reviews",
    params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn share_cycle(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    cycles::share(
        state.store.as_ref(),
        &user.viewer,
        CycleId(id),
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Closes a shared cycle.
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/close", tag = "reviews",
    params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn close_cycle(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    cycles::close(
        state.store.as_ref(),
        &user.viewer,
        CycleId(id),
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// My reviews, the ones I write as the manager, and my open follow-through items.
#[utoipa::path(get, path = "/api/v1/reviews", tag = "reviews",
    responses((status = 200, body = MyReviews)))]
pub async fn my_reviews(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<MyReviews>, ApiError> {
    Ok(Json(forms::mine(state.store.as_ref(), &user.viewer).await?))
}

/// A review as I may read it.
#[utoipa::path(get, path = "/api/v1/reviews/{id}", tag = "reviews",
    params(("id" = i64, Path, description = "Review id")),
    responses((status = 200, body = ReviewView), (status = 404, body = ErrorResponse)))]
pub async fn show_review(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<ReviewView>, ApiError> {
    Ok(Json(
        forms::show(
            state.store.as_ref(),
            &user.viewer,
            ReviewId(id),
            crate::today(),
        )
        .await?,
    ))
}

/// Saves my self review (`submit`: hand it in).
#[utoipa::path(put, path = "/api/v1/reviews/{id}/self", tag = "reviews",
    params(("id" = i64, Path, description = "Review id")), request_body = AnswersInput,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn save_self(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AnswersInput>,
) -> Result<StatusCode, ApiError> {
    forms::save_self(
        state.store.as_ref(),
        &user.viewer,
        ReviewId(id),
        &body,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Saves the manager review (the reviewee's manager at launch; `submit`: hand it in).
#[utoipa::path(put, path = "/api/v1/reviews/{id}/manager", tag = "reviews",
    params(("id" = i64, Path, description = "Review id")), request_body = AnswersInput,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn save_manager(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AnswersInput>,
) -> Result<StatusCode, ApiError> {
    forms::save_manager(
        state.store.as_ref(),
        &user.viewer,
        ReviewId(id),
        &body,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a follow-through item to a growth answer: the manager's commitment, private to
/// the pair, in their 1:1s once the cycle is shared.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/follow-through", tag = "reviews",
    params(("id" = i64, Path, description = "Review id")), request_body = FollowThroughInput,
    responses((status = 201, body = CreatedResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn add_follow_through(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<FollowThroughInput>,
) -> Result<(StatusCode, Json<CreatedResponse>), ApiError> {
    let c = forms::add_follow_through(
        state.store.as_ref(),
        &user.viewer,
        ReviewId(id),
        &body,
        crate::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedResponse { id: c.0 })))
}

/// Puts the next role a shared review names on the reviewee's career plan (their manager
/// chain and admins), noted in the plan's history.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/next-step", tag = "reviews",
    params(("id" = i64, Path, description = "Review id")), request_body = NextStepInput,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn set_next_step(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NextStepInput>,
) -> Result<StatusCode, ApiError> {
    forms::set_next_step(
        state.store.as_ref(),
        &user.viewer,
        ReviewId(id),
        &body,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many manager reviews were not handed in when calibration opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalibrationOpenedResponse {
    pub not_handed_in: usize,
}

/// Opens calibration: manager reviews lock; calibrators change ratings and boxes (people
/// admins).
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/calibration", tag = "reviews",
    params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, body = CalibrationOpenedResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn open_calibration(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CalibrationOpenedResponse>, ApiError> {
    let n = calibration::open(
        state.store.as_ref(),
        &user.viewer,
        CycleId(id),
        crate::now(),
    )
    .await?;
    Ok(Json(CalibrationOpenedResponse { not_handed_in: n }))
}

/// The manager ratings side by side, the distribution beside the guidance and each
/// person's 9-box place: for people admins, and managers for their tree when the cycle
/// allows it.
#[utoipa::path(get, path = "/api/v1/review-cycles/{id}/calibration", tag = "reviews",
    params(("id" = i64, Path, description = "Cycle id"), CalibrationFilter),
    responses((status = 200, body = CalibrationView), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn calibration_view(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    Query(filter): Query<CalibrationFilter>,
) -> Result<Json<CalibrationView>, ApiError> {
    Ok(Json(
        calibration::view(state.store.as_ref(), &user.viewer, CycleId(id), &filter).await?,
    ))
}

/// Changes a manager rating in calibration, with a reason.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/rating-changes", tag = "reviews",
    params(("id" = i64, Path, description = "Review id")), request_body = RatingChangeInput,
    responses((status = 204), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn change_rating(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<RatingChangeInput>,
) -> Result<StatusCode, ApiError> {
    calibration::change_rating(
        state.store.as_ref(),
        &user.viewer,
        ReviewId(id),
        &body,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves someone on the 9-box, with a reason.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/box-moves", tag = "reviews",
    params(("id" = i64, Path, description = "Review id")), request_body = BoxMoveInput,
    responses((status = 204), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn move_box(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<BoxMoveInput>,
) -> Result<StatusCode, ApiError> {
    calibration::move_box(
        state.store.as_ref(),
        &user.viewer,
        ReviewId(id),
        &body,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many were reminded.
#[derive(Debug, Serialize, ToSchema)]
pub struct RemindedResponse {
    pub reminded: usize,
}

/// Reminds everyone whose step of a running cycle is still open, now (people admins).
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/remind", tag = "reviews",
    params(("id" = i64, Path, description = "Cycle id")),
    responses((status = 200, body = RemindedResponse), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn remind_cycle(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<RemindedResponse>, ApiError> {
    let n = reminders::remind_incomplete(
        state.store.as_ref(),
        &user.viewer,
        CycleId(id),
        crate::now(),
    )
    .await?;
    Ok(Json(RemindedResponse { reminded: n }))
}

/// More time for one person's step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionRequest {
    pub step: reminders::ExtendableStep,
    pub until: chrono::NaiveDate,
}

/// Gives one person's step more time, up to the day the cycle is shared (people admins).
#[utoipa::path(post, path = "/api/v1/reviews/{id}/extension", tag = "reviews",
    params(("id" = i64, Path, description = "Review id")), request_body = ExtensionRequest,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn extend_review(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ExtensionRequest>,
) -> Result<StatusCode, ApiError> {
    reminders::extend(
        state.store.as_ref(),
        &user.viewer,
        ReviewId(id),
        body.step,
        body.until,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Opens a step of a running cycle today, before its day (people admins).
#[utoipa::path(post, path = "/api/v1/review-cycles/{id}/steps/{step}/open", tag = "reviews",
    params(("id" = i64, Path, description = "Cycle id"),
        ("step" = String, Path, description = "The step: self_review, feedback or manager_review")),
    responses((status = 204), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn open_step(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, step)): Path<(i64, String)>,
) -> Result<StatusCode, ApiError> {
    let step = FormStep::parse(&step).ok_or_else(|| {
        trellis_core::CoreError::NotFound(format!(
            "a step {step:?}: self_review, feedback or manager_review"
        ))
    })?;
    steps::open_now(
        state.store.as_ref(),
        &user.viewer,
        CycleId(id),
        step,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

crate::api::operations!(
    open_step,
    remind_cycle,
    extend_review,
    list_cycles,
    create_cycle,
    show_cycle,
    update_cycle,
    launch_cycle,
    share_cycle,
    close_cycle,
    open_calibration,
    calibration_view,
    change_rating,
    move_box,
    my_reviews,
    show_review,
    save_self,
    save_manager,
    add_follow_through,
    set_next_step,
);
