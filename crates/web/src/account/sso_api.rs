//! Single sign-on for admins through the API: refused sign-ins, and linking a person's
//! account at the provider by hand.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trellis_core::PersonId;
use trellis_core::auth::sso::{self, SsoRefused};
use utoipa::{IntoParams, ToSchema};

/// A person's account at an OpenID provider.
#[derive(Debug, Serialize, ToSchema)]
pub struct SsoLinkResponse {
    pub issuer: String,
    /// The provider's `sub` for the person.
    pub subject: String,
    pub email: Option<String>,
    /// Unix seconds.
    pub linked_at: i64,
    /// The admin who linked it; null when a verified e-mail matched it.
    pub linked_by: Option<crate::work::api::PersonRef>,
    pub last_sign_in_at: Option<i64>,
}

/// An account to link.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SsoLinkRequest {
    /// The provider's `sub`, as shown among the refused sign-ins.
    #[schema(min_length = 1)]
    pub subject: String,
    /// The provider: the configured one, which is also what leaving it out means.
    pub issuer: Option<String>,
}

/// Which provider's link to remove.
#[derive(Debug, Deserialize, IntoParams)]
pub struct IssuerQuery {
    /// The provider; the configured one when left out.
    pub issuer: Option<String>,
}

fn issuer_or_configured(state: &AppState, issuer: Option<String>) -> Result<String, ApiError> {
    match issuer.filter(|i| !i.trim().is_empty()) {
        Some(i) => Ok(i.trim().to_string()),
        None => match &state.config.sso {
            Some(provider) => Ok(provider.issuer().to_string()),
            None => Err(trellis_core::CoreError::field(
                "issuer",
                "single sign-on is not set up here: name the issuer",
            )
            .into()),
        },
    }
}

/// Sign-ins refused for want of a match, newest first (admins).
#[utoipa::path(get, path = "/api/v1/sso/refusals", tag = "account",
    responses((status = 200, body = Vec<SsoRefused>), (status = 403, body = ErrorResponse)))]
pub async fn list_sso_refusals(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<SsoRefused>>, ApiError> {
    Ok(Json(
        sso::refusals(state.store.as_ref(), &user.viewer).await?,
    ))
}

/// A person's linked sign-in accounts (admins, and the person).
#[utoipa::path(get, path = "/api/v1/people/{id}/sso-links", tag = "account",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = Vec<SsoLinkResponse>), (status = 403, body = ErrorResponse)))]
pub async fn list_sso_links(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(person): Path<i64>,
) -> Result<Json<Vec<SsoLinkResponse>>, ApiError> {
    let links = sso::links_of(state.store.as_ref(), &user.viewer, PersonId(person)).await?;
    Ok(Json(
        links
            .into_iter()
            .map(|l| SsoLinkResponse {
                issuer: l.issuer,
                subject: l.subject,
                email: l.email,
                linked_at: l.linked_at,
                linked_by: l.linked_by.map(|p| crate::work::api::PersonRef {
                    id: p.id.0,
                    name: p.name,
                }),
                last_sign_in_at: l.last_sign_in_at,
            })
            .collect(),
    ))
}

/// Link an account at the provider to a person by hand (admins).
#[utoipa::path(post, path = "/api/v1/people/{id}/sso-links", tag = "account",
    params(("id" = i64, Path, description = "Person id")),
    request_body = SsoLinkRequest,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_sso_link(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(person): Path<i64>,
    ApiJson(body): ApiJson<SsoLinkRequest>,
) -> Result<StatusCode, ApiError> {
    let issuer = issuer_or_configured(&state, body.issuer)?;
    // Only the provider people sign in with now: a link to another would never be used.
    if state.config.sso.as_ref().map(|p| p.issuer()) != Some(issuer.as_str()) {
        return Err(trellis_core::CoreError::field(
            "issuer",
            "give the issuer of the provider Trellis signs in with (or leave it out)",
        )
        .into());
    }
    sso::link_by_hand(
        state.store.as_ref(),
        &user.viewer,
        PersonId(person),
        &issuer,
        &body.subject,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unlink a person's account at a provider (admins).
#[utoipa::path(delete, path = "/api/v1/people/{id}/sso-links", tag = "account",
    params(("id" = i64, Path, description = "Person id"), IssuerQuery),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
pub async fn delete_sso_link(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(person): Path<i64>,
    Query(query): Query<IssuerQuery>,
) -> Result<StatusCode, ApiError> {
    let issuer = issuer_or_configured(&state, query.issuer)?;
    sso::unlink(
        state.store.as_ref(),
        &user.viewer,
        PersonId(person),
        &issuer,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

crate::api::operations!(
    list_sso_refusals,
    list_sso_links,
    create_sso_link,
    delete_sso_link,
);
