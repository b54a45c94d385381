//! The pages a link in a mail opens: accepting an invitation, resetting a password, and
//! asking for a reset. Nobody is signed in yet, so their forms carry the double-submit
//! CSRF cookie of the sign-in form.

use super::{Ways, ways};
use crate::AppState;
use crate::auth::{SIGNIN_CSRF_COOKIE, constant_time_eq, session_cookie, signin_csrf_cookie};
use crate::error::PageError;
use crate::pages::capitalised;
use crate::pages::layout::bare;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::CoreError;
use trellis_core::auth::links::{self, LinkHolder, Purpose};
use trellis_core::auth::{MIN_PASSWORD_CHARS, random_token, start_session};

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    pub csrf: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirm: String,
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    pub csrf: String,
    #[serde(default)]
    pub email: String,
}

fn titles(purpose: Purpose) -> (&'static str, &'static str) {
    match purpose {
        Purpose::Invitation => ("Welcome to Trellis", "Choose your password"),
        Purpose::Reset => ("Choose a new password", "Save the new password"),
    }
}

fn password_page(
    ways: Ways,
    purpose: Purpose,
    organisation: &str,
    holder: &LinkHolder,
    csrf: &str,
    error: Option<&str>,
) -> Markup {
    let (title, button) = titles(purpose);
    bare(
        title,
        html! {
            div.signin.card {
                h1 { (title) }
                @match (purpose, ways.passwords) {
                    (Purpose::Invitation, _) => p { "Hello " (holder.name) ". You are invited to " (organisation) "'s Trellis. You will sign in with " strong { (holder.email) } "." },
                    (Purpose::Reset, true) => p { "Hello " (holder.name) ". Choose a new password for " strong { (holder.email) } "; you will be signed in on every device again." },
                    (Purpose::Reset, false) => p { "Hello " (holder.name) ". This link signs you in once as " strong { (holder.email) } ", without " (ways.sso.unwrap_or("single sign-on")) "." },
                }
                @if let Some(e) = error { div.error-summary role="alert" { p { (e) } } }
                @if let (Some(label), Purpose::Invitation) = (ways.sso, purpose) {
                    p { a.button.sso href="/signin/sso" { "Sign in with " (label) } }
                    @if ways.passwords { p.hint { "Or choose a Trellis password:" } }
                }
                @if !ways.passwords {
                    @if purpose == Purpose::Reset {
                        form method="post" {
                            input type="hidden" name="csrf" value=(csrf);
                            button type="submit" { "Sign in once" }
                        }
                    }
                } @else {
                form method="post" {
                    input type="hidden" name="csrf" value=(csrf);
                    input type="email" name="email" value=(holder.email) autocomplete="username" hidden;
                    div.field {
                        label for="password" { "Password" }
                        input #password type="password" name="password" autocomplete="new-password" minlength=(MIN_PASSWORD_CHARS) required autofocus;
                        p.hint { "At least " (MIN_PASSWORD_CHARS) " characters; a few unrelated words are easy to remember and hard to guess." }
                    }
                    div.field {
                        label for="confirm" { "The same password again" }
                        input #confirm type="password" name="confirm" autocomplete="new-password" required;
                    }
                    button type="submit" { (button) }
                }
                }
            }
        },
    )
}

/// A link that does not work: what happened and what to do.
fn dead_link_page(message: &str) -> Markup {
    bare(
        "This link does not work",
        html! {
            div.signin.card {
                h1 { "This link does not work" }
                div.error-summary role="alert" { p { (capitalised(message)) "." } }
                p { a href="/signin" { "Sign in" } " · " a href="/forgot" { "Get a new password link" } }
            }
        },
    )
}

fn dead_link(e: CoreError) -> Result<Response, PageError> {
    match e {
        CoreError::NotFound(m) => Ok((StatusCode::NOT_FOUND, dead_link_page(&m)).into_response()),
        CoreError::Conflict(m) => Ok((StatusCode::GONE, dead_link_page(&m)).into_response()),
        other => Err(other.into()),
    }
}

async fn show(
    state: AppState,
    jar: CookieJar,
    token: String,
    purpose: Purpose,
) -> Result<Response, PageError> {
    let holder = match links::holder(state.store.as_ref(), &token, purpose, crate::now()).await {
        Ok(h) => h,
        Err(e) => return dead_link(e),
    };
    let organisation = state.settings().await?.organisation_name;
    let csrf = random_token()?;
    let jar = jar.add(signin_csrf_cookie(
        csrf.clone(),
        state.config.secure_cookies,
    ));
    Ok((
        jar,
        password_page(ways(&state), purpose, &organisation, &holder, &csrf, None),
    )
        .into_response())
}

async fn save(
    state: AppState,
    jar: CookieJar,
    token: String,
    purpose: Purpose,
    form: PasswordForm,
) -> Result<Response, PageError> {
    let store = state.store.as_ref();
    let now = crate::now();
    let holder = match links::holder(store, &token, purpose, now).await {
        Ok(h) => h,
        Err(e) => return dead_link(e),
    };
    let organisation = state.settings().await?.organisation_name;
    let fresh = random_token()?;
    let again = |jar: CookieJar, status: StatusCode, message: &str| -> Response {
        let jar = jar.add(signin_csrf_cookie(
            fresh.clone(),
            state.config.secure_cookies,
        ));
        let page = password_page(
            ways(&state),
            purpose,
            &organisation,
            &holder,
            &fresh,
            Some(message),
        );
        (status, jar, page).into_response()
    };
    let cookie = jar.get(SIGNIN_CSRF_COOKIE).map(|c| c.value().to_string());
    if !cookie.is_some_and(|t| constant_time_eq(t.as_bytes(), form.csrf.as_bytes())) {
        return Ok(again(
            jar,
            StatusCode::FORBIDDEN,
            "The form had expired. Please enter the password again.",
        ));
    }
    if !state.config.local_passwords {
        return sign_in_once(&state, jar, &token, purpose, now).await;
    }
    if form.password != form.confirm {
        return Ok(again(
            jar,
            StatusCode::UNPROCESSABLE_ENTITY,
            "The two passwords differ. Type the same password twice.",
        ));
    }
    let account = match links::set_password(store, &token, purpose, &form.password, now).await {
        Ok(a) => a,
        Err(CoreError::Invalid(errors)) => {
            let message = errors
                .first()
                .map(|e| capitalised(&e.message))
                .unwrap_or_default();
            return Ok(again(
                jar,
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("{message}."),
            ));
        }
        Err(e) => return dead_link(e),
    };
    let session = start_session(store, account, holder.person, now).await?;
    let jar = jar.add(session_cookie(session, state.config.secure_cookies));
    let next = match purpose {
        Purpose::Invitation => "/?welcome=1",
        Purpose::Reset => "/?password=changed",
    };
    Ok((jar, Redirect::to(next)).into_response())
}

/// With passwords turned off, a reset link (the command line's) signs its holder in once;
/// an invitation leads on to single sign-on instead.
async fn sign_in_once(
    state: &AppState,
    jar: CookieJar,
    token: &str,
    purpose: Purpose,
    now: i64,
) -> Result<Response, PageError> {
    if purpose != Purpose::Reset {
        return Ok(Redirect::to("/signin/sso").into_response());
    }
    let store = state.store.as_ref();
    let (account, person) = match links::sign_in_with_link(store, token, now).await {
        Ok(found) => found,
        Err(e) => return dead_link(e),
    };
    let session = start_session(store, account, person, now).await?;
    let jar = jar.add(session_cookie(session, state.config.secure_cookies));
    Ok((jar, Redirect::to("/")).into_response())
}

pub async fn show_welcome(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    show(state, jar, token, Purpose::Invitation).await
}

pub async fn accept_welcome(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    save(state, jar, token, Purpose::Invitation, form).await
}

pub async fn show_reset(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    show(state, jar, token, Purpose::Reset).await
}

pub async fn save_reset(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    save(state, jar, token, Purpose::Reset, form).await
}

fn forgot_page(ways: Ways, csrf: &str, sent: bool) -> Markup {
    bare(
        "Forgot your password?",
        html! {
            div.signin.card {
                h1 { "Forgot your password?" }
                @if !ways.passwords {
                    p { "Trellis passwords are turned off here: your organisation signs in through " (ways.sso.unwrap_or("single sign-on")) "." }
                    p { a.button.sso href="/signin/sso" { "Sign in with " (ways.sso.unwrap_or("single sign-on")) } }
                    p { "If that does not work, ask a Trellis admin." }
                } @else if sent {
                    p.notice role="status" { "If an account has that address, a link to choose a new password is on its way. It works once, for one hour." }
                    p { a href="/signin" { "Back to sign in" } }
                } @else {
                    p { "Give your work e-mail and we will send a link to choose a new password." }
                    form method="post" action="/forgot" {
                        input type="hidden" name="csrf" value=(csrf);
                        div.field {
                            label for="email" { "Work e-mail" }
                            input #email type="email" name="email" autocomplete="username" required autofocus;
                        }
                        button type="submit" { "Send the link" }
                    }
                    p { a href="/signin" { "Back to sign in" } }
                }
            }
        },
    )
}

pub async fn show_forgot(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Response, PageError> {
    let csrf = random_token()?;
    let jar = jar.add(signin_csrf_cookie(
        csrf.clone(),
        state.config.secure_cookies,
    ));
    Ok((jar, forgot_page(ways(&state), &csrf, false)).into_response())
}

/// The same answer whether or not the address has an account.
pub async fn request_reset(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<ForgotForm>,
) -> Result<Response, PageError> {
    let cookie = jar.get(SIGNIN_CSRF_COOKIE).map(|c| c.value().to_string());
    if !state.config.local_passwords
        || !cookie.is_some_and(|t| constant_time_eq(t.as_bytes(), form.csrf.as_bytes()))
    {
        return show_forgot(State(state), jar).await;
    }
    links::request_reset(
        state.store.as_ref(),
        &form.email,
        &state.config.site,
        crate::now(),
    )
    .await?;
    Ok(forgot_page(ways(&state), "", true).into_response())
}

pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/welcome/{token}", get(show_welcome).post(accept_welcome))
        .route("/reset/{token}", get(show_reset).post(save_reset))
        .route("/forgot", get(show_forgot).post(request_reset))
}
