//! Sign-in and sign-out with local accounts.

use super::{Ways, ways};
use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{
    SESSION_COOKIE, SIGNIN_CSRF_COOKIE, constant_time_eq, safe_next, session_cookie,
    signin_csrf_cookie,
};
use crate::error::PageError;
use crate::pages::ConfirmForm;
use crate::pages::layout::bare;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::auth::{SignIn, random_token, token_digest};

#[derive(Debug, Deserialize)]
pub struct SigninParams {
    pub next: Option<String>,
    pub expired: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SigninForm {
    pub email: String,
    pub password: String,
    pub csrf: String,
    pub next: Option<String>,
}

fn signin_page(
    ways: &Ways,
    csrf: &str,
    next: &str,
    email: &str,
    notice: Option<&str>,
    error: Option<&str>,
) -> Markup {
    let sso_href = format!("/signin/sso?next={}", crate::auth::encode_component(next));
    bare(
        "Sign in",
        html! {
            div.signin.card {
                h1 { "Sign in to Trellis" }
                @if let Some(n) = notice { p.notice role="status" { (n) } }
                @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
                @if let Some(label) = ways.sso {
                    p { a.button.sso href=(sso_href) { "Sign in with " (label) } }
                }
                @if ways.passwords {
                    @if ways.sso.is_some() { p.hint { "Or with your e-mail and a Trellis password:" } }
                    form method="post" action="/signin" {
                        input type="hidden" name="csrf" value=(csrf);
                        input type="hidden" name="next" value=(next);
                        div.field {
                            label for="email" { "Work e-mail" }
                            input #email type="email" name="email" value=(email) autocomplete="username" required autofocus[ways.sso.is_none()];
                        }
                        div.field {
                            label for="password" { "Password" }
                            input #password type="password" name="password" autocomplete="current-password" required;
                        }
                        button type="submit" { "Sign in" }
                    }
                    p { a href="/forgot" { "Forgot your password?" } }
                } @else {
                    p.hint { "Your organisation signs in to Trellis only through " (ways.sso.unwrap_or("single sign-on")) "." }
                }
            }
        },
    )
}

/// The sign-in form, with a fresh double-submit CSRF cookie.
pub async fn show_signin(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(params): Query<SigninParams>,
) -> Result<Response, PageError> {
    let token = random_token()?;
    let jar = jar.add(signin_csrf_cookie(
        token.clone(),
        state.config.secure_cookies,
    ));
    let notice = params
        .expired
        .is_some()
        .then_some("Your session has expired. Please sign in again.");
    let next = safe_next(params.next.as_deref());
    Ok((
        jar,
        signin_page(&ways(&state), &token, &next, "", notice, None),
    )
        .into_response())
}

/// Checks the password (with throttling) and starts a session.
pub async fn sign_in(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    jar: CookieJar,
    Form(form): Form<SigninForm>,
) -> Result<Response, PageError> {
    let client = crate::auth::client_address(&parts, &state.config.trusted_proxies);
    let next = safe_next(form.next.as_deref());
    let email = form.email.trim().to_lowercase();
    let fresh = random_token()?;
    let retry = |jar: CookieJar, status: StatusCode, message: &str| -> Response {
        let jar = jar.add(signin_csrf_cookie(
            fresh.clone(),
            state.config.secure_cookies,
        ));
        (
            status,
            jar,
            signin_page(&ways(&state), &fresh, &next, &email, None, Some(message)),
        )
            .into_response()
    };
    let cookie_token = jar.get(SIGNIN_CSRF_COOKIE).map(|c| c.value().to_string());
    if !cookie_token.is_some_and(|t| constant_time_eq(t.as_bytes(), form.csrf.as_bytes())) {
        return Ok(retry(
            jar,
            StatusCode::FORBIDDEN,
            "The sign-in form had expired. Please enter your details again.",
        ));
    }
    if !state.config.local_passwords {
        return Ok(retry(
            jar,
            StatusCode::FORBIDDEN,
            "Passwords are turned off here: sign in with the button above.",
        ));
    }
    let outcome = trellis_core::auth::sign_in(
        state.store.as_ref(),
        &email,
        &form.password,
        &client,
        crate::now(),
    )
    .await?;
    let token = match outcome {
        SignIn::Started { token, .. } => token,
        SignIn::Throttled => {
            return Ok(retry(
                jar,
                StatusCode::TOO_MANY_REQUESTS,
                "Too many failed sign-ins from this address. Wait 15 minutes and try again.",
            ));
        }
        SignIn::Refused => {
            return Ok(retry(
                jar,
                StatusCode::UNAUTHORIZED,
                "That e-mail and password do not match an account. Check both and try again.",
            ));
        }
    };
    let jar = jar
        .remove(Cookie::build(SIGNIN_CSRF_COOKIE).path("/"))
        .add(session_cookie(token, state.config.secure_cookies));
    Ok((jar, Redirect::to(&next)).into_response())
}

/// Ends the session.
pub async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    CsrfForm(_user, _form): CsrfForm<ConfirmForm>,
) -> Result<Response, PageError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let digest = token_digest(cookie.value());
        state.store.delete_session(&digest).await?;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    Ok((jar, Redirect::to("/signin")).into_response())
}

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .route("/signin", axum::routing::get(show_signin).post(sign_in))
        .route("/signout", axum::routing::post(sign_out))
}
