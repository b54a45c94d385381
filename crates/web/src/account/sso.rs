//! Single sign-on pages: the redirect to the OpenID provider and its callback. The
//! protocol is `trellis_sso`'s; who the identity is, `trellis_core::auth::sso`'s.

use crate::AppState;
use crate::auth::{safe_next, session_cookie};
use crate::error::PageError;
use crate::pages::layout::bare;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use maud::html;
use serde::Deserialize;
use trellis_core::CoreError;
use trellis_core::auth::sso::{self, SsoIdentity, SsoSignIn};
use trellis_sso::SsoError;

/// The cookie that binds a sign-in under way to the browser that started it.
pub const SSO_COOKIE: &str = "trellis_sso";

#[derive(Debug, Deserialize)]
pub struct StartParams {
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// A page saying why single sign-on did not work, with the ways on.
fn problem(status: StatusCode, state: &AppState, message: &str) -> Response {
    let label = state
        .config
        .sso
        .as_ref()
        .map(|p| p.label().to_string())
        .unwrap_or_default();
    let page = bare(
        "Trellis could not sign you in",
        html! {
            div.signin.card {
                h1 { "Trellis could not sign you in" }
                div.error-summary role="alert" { p { (message) } }
                p {
                    @if !label.is_empty() { a href="/signin/sso" { "Sign in with " (label) " again" } " · " }
                    a href="/signin" { "Back to sign in" }
                }
            }
        },
    );
    (status, page).into_response()
}

/// Sends the browser to the provider, keeping the state, nonce and PKCE verifier.
pub async fn start(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(params): Query<StartParams>,
) -> Result<Response, PageError> {
    let Some(provider) = state.config.sso.clone() else {
        return Ok(problem(
            StatusCode::NOT_FOUND,
            &state,
            "Single sign-on is not set up for this Trellis. Sign in with your e-mail and password.",
        ));
    };
    let started = match provider.start().await {
        Ok(s) => s,
        Err(e) => return Ok(unavailable(&state, provider.label(), &e)),
    };
    let next = safe_next(params.next.as_deref());
    let browser = sso::remember_start(
        state.store.as_ref(),
        &started.pending.state,
        &started.pending.nonce,
        &started.pending.pkce_verifier,
        &next,
        crate::now(),
    )
    .await?;
    // Lax, not Strict: the provider's redirect back is a top-level navigation from its site.
    let cookie = Cookie::build((SSO_COOKIE, browser))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.secure_cookies)
        .path("/signin/sso")
        .max_age(time::Duration::seconds(sso::SIGN_IN_WINDOW_SECONDS))
        .build();
    Ok((jar.add(cookie), Redirect::to(&started.authorize_url)).into_response())
}

fn unavailable(state: &AppState, label: &str, error: &SsoError) -> Response {
    tracing::warn!(%error, "single sign-on failed");
    let message = match error {
        SsoError::Unavailable(_) => format!(
            "{label} did not answer Trellis. Try again in a minute; if it goes on, tell your \
             Trellis admin (the details are in Trellis's log)."
        ),
        SsoError::Rejected(_) => format!(
            "{label}'s answer did not pass Trellis's checks, so nobody was signed in. Start \
             again; if it goes on, tell your Trellis admin (the details are in Trellis's log)."
        ),
    };
    let status = match error {
        SsoError::Unavailable(_) => StatusCode::BAD_GATEWAY,
        SsoError::Rejected(_) => StatusCode::FORBIDDEN,
    };
    problem(status, state, &message)
}

/// Where the provider sends the browser back: checks everything, then signs in.
pub async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(params): Query<CallbackParams>,
) -> Result<Response, PageError> {
    let Some(provider) = state.config.sso.clone() else {
        return Ok(problem(
            StatusCode::NOT_FOUND,
            &state,
            "Single sign-on is not set up for this Trellis.",
        ));
    };
    let label = provider.label().to_string();
    let browser = jar.get(SSO_COOKIE).map(|c| c.value().to_string());
    let jar = jar.remove(Cookie::build(SSO_COOKIE).path("/signin/sso"));
    if let Some(error) = params.error.as_deref() {
        let why = params.error_description.as_deref().unwrap_or(error);
        let message = format!("{label} did not sign you in: {why}.");
        return Ok((jar, problem(StatusCode::FORBIDDEN, &state, &message)).into_response());
    }
    let (Some(code), Some(state_param)) = (params.code.as_deref(), params.state.as_deref()) else {
        let message = "This address is where the sign-in provider sends you back; open it from the sign-in page.";
        return Ok((jar, problem(StatusCode::BAD_REQUEST, &state, message)).into_response());
    };
    let now = crate::now();
    let started = match sso::take_start(state.store.as_ref(), state_param, browser.as_deref(), now)
        .await
    {
        Ok(s) => s,
        Err(CoreError::Conflict(why)) => {
            let message = format!("{}.", crate::pages::capitalised(&why));
            return Ok((jar, problem(StatusCode::BAD_REQUEST, &state, &message)).into_response());
        }
        Err(e) => return Err(e.into()),
    };
    let pending = trellis_sso::Pending {
        state: state_param.to_string(),
        nonce: started.nonce.clone(),
        pkce_verifier: started.pkce_verifier.clone(),
    };
    let identity = match provider.finish(code, &pending).await {
        Ok(identity) => identity,
        Err(e) => return Ok((jar, unavailable(&state, &label, &e)).into_response()),
    };
    let identity = SsoIdentity {
        issuer: identity.issuer,
        subject: identity.subject,
        email: identity.email,
        email_verified: identity.email_verified,
        name: identity.name,
    };
    match sso::sign_in(
        state.store.as_ref(),
        &identity,
        &state.config.trusted_domains,
        now,
    )
    .await?
    {
        SsoSignIn::Started { token, .. } => {
            let jar = jar.add(session_cookie(token, state.config.secure_cookies));
            Ok((jar, Redirect::to(&started.next_path)).into_response())
        }
        SsoSignIn::Refused(refusal) => {
            let message = refusal.sentence(&label, identity.email.as_deref());
            Ok((jar, problem(StatusCode::FORBIDDEN, &state, &message)).into_response())
        }
    }
}

pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/signin/sso", get(start))
        .route(trellis_sso::CALLBACK_PATH, get(callback))
}
