//! `/api/v1/me/digest` (the caller's week and whether it is e-mailed on Mondays) and
//! `/api/v1/digest/tips` (the tip library; admins add and remove their own).

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trellis_core::digest::tips::TipAudience;
use trellis_core::digest::{self, Digest};
use utoipa::ToSchema;

/// The caller's week, as the Monday e-mail tells it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = WeeklyDigest)]
pub struct DigestResponse {
    #[serde(flatten)]
    pub digest: Digest,
    /// Whether it is e-mailed every Monday at 07:00 in the caller's time zone.
    pub weekly_email: bool,
}

/// Whether the caller gets the Monday e-mail.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestSubscription {
    pub weekly_email: bool,
}

/// One of the organisation's own tips, as added.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DigestOwnTip)]
pub struct OwnTip {
    pub id: i64,
    pub audience: TipAudience,
    pub behaviour: String,
    pub text: String,
}

/// A tip an admin adds.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTip {
    /// managers or everyone
    pub audience: String,
    /// One of the 360's behaviours: the upward 360's for managers, the peer 360's for
    /// everyone.
    pub behaviour: String,
    /// 20 to 600 characters.
    pub text: String,
}

/// The caller's week: due and overdue work, next 1:1s, what waits for them, their
/// connection and the tip of the week.
#[utoipa::path(get, path = "/api/v1/me/digest", tag = "digest",
    responses((status = 200, body = DigestResponse), (status = 401, body = ErrorResponse)))]
pub async fn show_digest(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<DigestResponse>, ApiError> {
    let store = state.store.as_ref();
    let digest = digest::compose(store, &user.viewer, crate::now()).await?;
    let weekly_email = store.weekly_digest_on(user.viewer.person_id()).await?;
    Ok(Json(DigestResponse {
        digest,
        weekly_email,
    }))
}

/// Turns the caller's Monday e-mail off or on.
#[utoipa::path(put, path = "/api/v1/me/digest/subscription", tag = "digest",
    request_body = DigestSubscription,
    responses((status = 200, body = DigestSubscription), (status = 422, body = ErrorResponse)))]
pub async fn set_subscription(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<DigestSubscription>,
) -> Result<Json<DigestSubscription>, ApiError> {
    state
        .store
        .set_weekly_digest(user.viewer.person_id(), body.weekly_email, crate::now())
        .await?;
    Ok(Json(body))
}

/// A built-in tip.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DigestBuiltInTip)]
pub struct BuiltInTip {
    pub audience: TipAudience,
    pub behaviour: String,
    pub text: String,
}

/// The tip library: the built-in tips and the organisation's own, in the order they are
/// given.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = DigestTipLibrary)]
pub struct TipLibrary {
    pub built_in: Vec<BuiltInTip>,
    pub own: Vec<OwnTip>,
}

/// The tip library (admins).
#[utoipa::path(get, path = "/api/v1/digest/tips", tag = "digest",
    responses((status = 200, body = TipLibrary), (status = 403, body = ErrorResponse)))]
pub async fn list_tips(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<TipLibrary>, ApiError> {
    if !user.viewer.may_administer() {
        return Err(
            trellis_core::CoreError::Forbidden("only people admins manage tips".into()).into(),
        );
    }
    let built_in = [TipAudience::Managers, TipAudience::Everyone]
        .into_iter()
        .flat_map(digest::tips::built_in)
        .map(|t| BuiltInTip {
            audience: t.audience,
            behaviour: t.behaviour,
            text: t.text,
        })
        .collect();
    let own = state
        .store
        .digest_tips()
        .await?
        .into_iter()
        .filter_map(|t| {
            Some(OwnTip {
                id: t.id?,
                audience: t.audience,
                behaviour: t.behaviour,
                text: t.text,
            })
        })
        .collect();
    Ok(Json(TipLibrary { built_in, own }))
}

/// Adds a tip of the organisation's own (admins).
#[utoipa::path(post, path = "/api/v1/digest/tips", tag = "digest", request_body = NewTip,
    responses((status = 201, body = OwnTip), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn add_tip(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<NewTip>,
) -> Result<(StatusCode, Json<OwnTip>), ApiError> {
    let store = state.store.as_ref();
    let id = digest::add_tip(
        store,
        &user.viewer,
        &body.audience,
        &body.behaviour,
        &body.text,
        crate::now(),
    )
    .await?;
    let tip = store
        .digest_tips()
        .await?
        .into_iter()
        .find(|t| t.id == Some(id))
        .ok_or_else(|| trellis_core::CoreError::NotFound(format!("tip {id}")))?;
    Ok((
        StatusCode::CREATED,
        Json(OwnTip {
            id,
            audience: tip.audience,
            behaviour: tip.behaviour,
            text: tip.text,
        }),
    ))
}

/// Removes one of the organisation's tips (admins).
#[utoipa::path(delete, path = "/api/v1/digest/tips/{id}", tag = "digest",
    params(("id" = i64, Path, description = "Tip id")),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn remove_tip(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    digest::remove_tip(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

crate::api::operations!(
    show_digest,
    set_subscription,
    list_tips,
    add_tip,
    remove_tip
);
