//! Admin → Provisioning: the SCIM address to give the identity provider, its tokens (made
//! and shown once, revoked, their last use), and the pause after mass deactivations.

use crate::AppState;
use crate::admin::pages::require_admin;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::flash::{Flash, redirect};
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, format_time, plural, settings};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::CoreError;
use trellis_core::error::FieldError;
use trellis_core::provisioning::tokens::{self, IssuedToken};
use trellis_core::provisioning::users;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/provisioning", get(show))
        .route("/admin/provisioning/tokens", post(create_token))
        .route("/admin/provisioning/revoke", post(revoke_token))
        .route("/admin/provisioning/resume", post(resume))
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    /// Days the token is valid; empty for "until revoked".
    #[serde(default)]
    pub valid_days: String,
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    pub csrf: String,
    pub token: i64,
}

crate::auth::csrf_form!(TokenForm, RevokeForm);

async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    provisioning_page(&state, &user, None, &[], None).await
}

async fn provisioning_page(
    state: &AppState,
    user: &CurrentUser,
    issued: Option<(&str, IssuedToken)>,
    errors: &[FieldError],
    form: Option<&TokenForm>,
) -> Result<Markup, PageError> {
    require_admin(user)?;
    let store = state.store.as_ref();
    let settings = settings(state).await?;
    let list = tokens::list(store, &user.viewer).await?;
    let pause = store.scim_pause().await?;
    let managed = store.scim_user_count().await?;
    let groups = store.groups(false).await?.len();
    let now = crate::now();
    let base = state.config.site.link("/scim/v2");
    let error = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.clone())
    };
    let body = html! {
        h1 { "Provisioning" }
        p.lead { "Your identity provider (Okta, Entra ID, or any SCIM 2.0 client) creates, changes and deactivates people and groups here. "
            (plural(managed as i64, "person is", "people are")) " managed by it; " (plural(groups as i64, "group", "groups")) "." }
        @if let Some(at) = pause.paused_at {
            section.card.warning role="alert" #paused {
                h2 { "Provisioning is paused" }
                p { "Since " (format_time(at, user)) ": " (pause.reason) }
                p { "Until you confirm, the identity provider's changes are refused (it retries them). Check in the identity provider that these people really left, then confirm." }
                form method="post" action="/admin/provisioning/resume" {
                    (csrf_field(user))
                    button type="submit" { "Confirm and resume provisioning" }
                }
            }
        }
        section.card {
            h2 { "Connect the identity provider" }
            dl.facts {
                dt { "SCIM base URL" } dd { code #scim-url { (base) } }
                dt { "Authentication" } dd { "Bearer token (HTTP header), made below" }
                dt { "Users" } dd { "userName (Entra ID: the UPN), name, emails, title, active, externalId, timezone, preferredLanguage, and the enterprise extension's employeeNumber, department (the team), division and manager" }
                dt { "Groups" } dd { "displayName and members" }
            }
            p.hint { "A provider that deactivates more than a quarter of active people within an hour is paused until a people admin confirms here." }
        }
        @if let Some((name, token)) = &issued {
            section.card #issued role="status" {
                h2 { "Token \"" (name) "\" is made" }
                p { "Copy it into the identity provider now: Trellis shows it only this once." }
                p { code #new-token { (token.secret) } }
            }
        }
        section.card {
            h2 { "Tokens" }
            @if list.is_empty() {
                p { "No token yet." }
            } @else {
                table #tokens {
                    thead { tr { th { "Name" } th { "Made" } th { "Valid until" } th { "Last used" } th { "State" } th {} } }
                    tbody {
                        @for t in &list {
                            tr {
                                td { (t.name) }
                                td { (format_time(t.created_at, user)) @if let Some(by) = &t.created_by_name { " by " (by) } }
                                td { @match t.expires_at { Some(e) => (format_time(e, user)), None => "until revoked" } }
                                td { @match t.last_used_at { Some(u) => (format_time(u, user)), None => "never" } }
                                td { (t.state(now)) }
                                td {
                                    @if t.state(now) == "active" {
                                        form.inline method="post" action="/admin/provisioning/revoke" {
                                            (csrf_field(user))
                                            input type="hidden" name="token" value=(t.id);
                                            button.secondary type="submit" { "Revoke" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "Make a token" }
            form method="post" action="/admin/provisioning/tokens" {
                (csrf_field(user))
                label for="token-name" { "Name" }
                input #token-name type="text" name="name" required maxlength="80" placeholder="Okta" value=(form.map(|f| f.name.as_str()).unwrap_or(""))
                    aria-invalid=[error("name").map(|_| "true")];
                @if let Some(e) = error("name") { small.error { (e) } }
                label for="token-days" { "Valid for" }
                select #token-days name="valid_days" {
                    option value="" { "until revoked" }
                    option value="90" { "90 days" }
                    option value="365" { "a year" }
                }
                @if let Some(e) = error("valid_days") { small.error { (e) } }
                button type="submit" { "Make token" }
            }
        }
    };
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "admin",
        },
        "Provisioning",
        body,
    ))
}

async fn create_token(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<TokenForm>,
) -> Result<Response, PageError> {
    let valid_days = match form.valid_days.trim() {
        "" => None,
        days => Some(days.parse::<i64>().unwrap_or(0)),
    };
    match tokens::create(
        state.store.as_ref(),
        &user.viewer,
        &form.name,
        valid_days,
        crate::now(),
    )
    .await
    {
        Ok(issued) => {
            let name = form.name.trim().to_string();
            Ok(
                provisioning_page(&state, &user, Some((&name, issued)), &[], None)
                    .await?
                    .into_response(),
            )
        }
        Err(CoreError::Invalid(errors)) => {
            let page = provisioning_page(&state, &user, None, &errors, Some(&form)).await?;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<RevokeForm>,
) -> Result<Response, PageError> {
    tokens::revoke(state.store.as_ref(), &user.viewer, form.token, crate::now()).await?;
    Ok(redirect("/admin/provisioning", Flash::Saved))
}

#[derive(Debug, Deserialize)]
pub struct ResumeForm {
    pub csrf: String,
}

crate::auth::csrf_form!(ResumeForm);

async fn resume(
    State(state): State<AppState>,
    CsrfForm(user, _form): CsrfForm<ResumeForm>,
) -> Result<Response, PageError> {
    users::resume(state.store.as_ref(), &user.viewer, crate::now()).await?;
    Ok(redirect("/admin/provisioning", Flash::Saved))
}
