//! `/api/v1` 360 endpoints. The raw answers are never returned: only the report's figures,
//! built under the anonymity rule.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use trellis_core::PersonId;
use trellis_core::assessments::nominations::{self, Nominated, NominationInput};
use trellis_core::assessments::org_view::{self, GroupFilter, GroupView};
use trellis_core::assessments::report::{self, Report};
use trellis_core::assessments::team::{self, TeamView};
use trellis_core::assessments::{
    self, AnswerInput, AssessmentId, AssessmentInput, AssessmentView, Created, MyAssessments,
};

/// Asks raters for a 360 of someone (their manager chain or a people admin). The subject
/// and their manager are added as named raters; the response warns about any group that
/// can never reach the anonymity threshold.
#[utoipa::path(post, path = "/api/v1/assessments", tag = "assessments", request_body = AssessmentInput,
    responses((status = 201, body = Created), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn create_assessment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<AssessmentInput>,
) -> Result<(StatusCode, Json<Created>), ApiError> {
    let created = assessments::create(
        state.store.as_ref(),
        &user.viewer,
        &body,
        chrono::Utc::now().date_naive(),
        crate::now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// The 360s I am asked to answer and the ones about me.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "assessments",
    responses((status = 200, body = MyAssessments)))]
pub async fn my_assessments(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<MyAssessments>, ApiError> {
    Ok(Json(
        assessments::mine(state.store.as_ref(), &user.viewer).await?,
    ))
}

/// A 360's progress per group (raters by name only for the subject's chain and admins).
#[utoipa::path(get, path = "/api/v1/assessments/{id}", tag = "assessments",
    params(("id" = i64, Path, description = "Assessment id")),
    responses((status = 200, body = AssessmentView), (status = 404, body = ErrorResponse)))]
pub async fn show_assessment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<AssessmentView>, ApiError> {
    Ok(Json(
        assessments::show(state.store.as_ref(), &user.viewer, AssessmentId(id)).await?,
    ))
}

/// Saves (or revises) my answer while the 360 is open.
#[utoipa::path(put, path = "/api/v1/assessments/{id}/answer", tag = "assessments",
    params(("id" = i64, Path, description = "Assessment id")), request_body = AnswerInput,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn answer_assessment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AnswerInput>,
) -> Result<StatusCode, ApiError> {
    assessments::answer(
        state.store.as_ref(),
        &state.config.note_key,
        &user.viewer,
        AssessmentId(id),
        &body,
        crate::today(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Shares the report with the subject: answers lock.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/share", tag = "assessments",
    params(("id" = i64, Path, description = "Assessment id")),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn share_assessment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    assessments::share(
        state.store.as_ref(),
        &user.viewer,
        AssessmentId(id),
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The report, once shared: the subject, their manager chain and admins.
#[utoipa::path(get, path = "/api/v1/assessments/{id}/report", tag = "assessments",
    params(("id" = i64, Path, description = "Assessment id")),
    responses((status = 200, body = Report), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn assessment_report(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(
        report::show(state.store.as_ref(), &user.viewer, AssessmentId(id)).await?,
    ))
}

/// The average per behaviour over a manager's direct reports' shared 360s, with k = 5
/// (the manager, their chain and admins).
#[utoipa::path(get, path = "/api/v1/assessments/team/{manager}", tag = "assessments",
    params(("manager" = i64, Path, description = "The manager's person id")),
    responses((status = 200, body = TeamView), (status = 404, body = ErrorResponse)))]
pub async fn team_view(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(manager): Path<i64>,
) -> Result<Json<TeamView>, ApiError> {
    Ok(Json(
        team::show(state.store.as_ref(), &user.viewer, PersonId(manager)).await?,
    ))
}

/// A department's or the organisation's averages per behaviour, with k = 5 and a level
/// filter whose slices are checked with the whole (people admins).
#[utoipa::path(get, path = "/api/v1/assessments/groups", tag = "assessments",
    params(GroupFilter),
    responses((status = 200, body = GroupView), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn group_view(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    axum::extract::Query(filter): axum::extract::Query<GroupFilter>,
) -> Result<Json<GroupView>, ApiError> {
    Ok(Json(
        org_view::show(state.store.as_ref(), &user.viewer, &filter).await?,
    ))
}

/// Every shared report's figures as CSV, as the reports show them (people admins).
#[utoipa::path(get, path = "/api/v1/assessments/export", tag = "assessments",
    responses((status = 200, content_type = "text/csv", body = String,
        description = "Subject, Subject Id, Assessment, Shared On, Family, Behaviour, Figure, Average, Answers, Note"),
        (status = 403, body = ErrorResponse)))]
pub async fn export_assessments(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<axum::response::Response, ApiError> {
    Ok(csv_download(export_csv(&state, &user.viewer).await?))
}

/// The export's bytes.
pub(crate) async fn export_csv(
    state: &AppState,
    viewer: &trellis_core::access::Viewer,
) -> Result<Vec<u8>, trellis_core::CoreError> {
    let mut out = Vec::new();
    trellis_core::assessments::export::write_csv(state.store.as_ref(), viewer, &mut out).await?;
    Ok(out)
}

/// The export as a download.
pub(crate) fn csv_download(bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"360-results.csv\"",
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Which behaviour becomes a growth goal.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrowthGoalRequest {
    /// The behaviour's place in the 360 (0 first).
    pub behaviour: usize,
}

/// Turns a behaviour of my shared 360 into a growth goal on my career plan.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/growth-goals", tag = "assessments",
    params(("id" = i64, Path, description = "Assessment id")), request_body = GrowthGoalRequest,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_growth_goal(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<GrowthGoalRequest>,
) -> Result<StatusCode, ApiError> {
    report::add_growth_goal(
        state.store.as_ref(),
        &user.viewer,
        AssessmentId(id),
        body.behaviour,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Proposes a rater (the subject) or asks one (their manager chain, admins).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/nominations", tag = "assessments",
    params(("id" = i64, Path, description = "Assessment id")), request_body = NominationInput,
    responses((status = 200, body = Nominated), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn nominate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NominationInput>,
) -> Result<Json<Nominated>, ApiError> {
    Ok(Json(
        nominations::nominate(
            state.store.as_ref(),
            &user.viewer,
            AssessmentId(id),
            &body,
            crate::today(),
            crate::now(),
        )
        .await?,
    ))
}

/// Asks a proposed rater or takes them out.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NominationDecisionRequest {
    pub approve: bool,
}

/// The subject's manager chain (or an admin) decides on a proposed rater.
#[utoipa::path(post, path = "/api/v1/assessments/{id}/nominations/{person}/decision", tag = "assessments",
    params(("id" = i64, Path, description = "Assessment id"), ("person" = i64, Path, description = "The proposed rater")),
    request_body = NominationDecisionRequest,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn decide_nomination(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path((id, person)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<NominationDecisionRequest>,
) -> Result<StatusCode, ApiError> {
    nominations::decide(
        state.store.as_ref(),
        &user.viewer,
        AssessmentId(id),
        PersonId(person),
        body.approve,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Declines to answer (a rater of peers, reports or others who has not answered).
#[utoipa::path(post, path = "/api/v1/assessments/{id}/decline", tag = "assessments",
    params(("id" = i64, Path, description = "Assessment id")),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse)))]
pub async fn decline_assessment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    nominations::decline(state.store.as_ref(), &user.viewer, AssessmentId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

crate::api::operations!(
    create_assessment,
    my_assessments,
    show_assessment,
    answer_assessment,
    share_assessment,
    assessment_report,
    team_view,
    group_view,
    export_assessments,
    add_growth_goal,
    nominate,
    decide_nomination,
    decline_assessment,
);
