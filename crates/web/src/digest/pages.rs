//! `/digest` ("Your week": the Monday e-mail as a page, and turning that e-mail off or on)
//! and `/admin/tips` (the tip library, where admins add and remove their own tips).

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_for, error_summary, settings};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::digest::tips::{Tip, TipAudience};
use trellis_core::digest::{self, DigestLine};
use trellis_core::{CoreError, FieldError};

#[derive(Debug, Default, Clone, Deserialize)]
pub struct SubscriptionForm {
    #[serde(default)]
    pub csrf: String,
    /// "on" or "off"
    #[serde(default)]
    pub weekly_email: String,
}
crate::auth::csrf_form!(SubscriptionForm);

#[derive(Debug, Default, Clone, Deserialize)]
pub struct TipForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub audience: String,
    #[serde(default)]
    pub behaviour: String,
    #[serde(default)]
    pub text: String,
}
crate::auth::csrf_form!(TipForm);

fn lines(id: &str, title: &str, lines: &[DigestLine]) -> Markup {
    html! {
        @if !lines.is_empty() {
            section.card aria-labelledby=(id) {
                h2 id=(id) { (title) }
                ul { @for l in lines { li { a href=(l.link) { (l.text) } } } }
            }
        }
    }
}

async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let store = state.store.as_ref();
    let d = digest::compose(store, &user.viewer, crate::now()).await?;
    let on = store.weekly_digest_on(user.viewer.person_id()).await?;
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "digest",
        },
        "Your week",
        html! {
            h1 { "Your week" }
            p.lead { "From Monday " (d.monday.format("%-d %B")) ": what is due and waiting for you, and one practical tip." }
            (lines("overdue", "Overdue", &d.overdue))
            (lines("due", "Due this week", &d.due_this_week))
            (lines("one-on-ones", "Your next 1:1s", &d.one_on_ones))
            (lines("waiting", "Waiting for you", &d.waiting))
            @if let Some(c) = &d.connection {
                section.card aria-labelledby="connection" {
                    h2 #connection { "Your connection this week" }
                    p { a href=(c.link) { (c.text) } }
                }
            }
            @if d.is_quiet() {
                p { "Nothing is due or waiting for you this week." }
            }
            @if let Some(t) = &d.tip {
                section.card.tip aria-labelledby="tip" {
                    h2 #tip { "Tip of the week" }
                    p { (t.text) }
                    p.hint {
                        @match &d.tip_for {
                            Some(b) => { "Chosen for \u{201c}" (b) "\u{201d}, the behaviour your latest 360 rated lowest." }
                            None => { "About \u{201c}" (t.behaviour) "\u{201d}." }
                        }
                    }
                }
            }
            section.card aria-labelledby="weekly-email" {
                h2 #weekly-email { "The Monday e-mail" }
                form method="post" action="/digest/subscription" {
                    (csrf_field(&user))
                    @if on {
                        p { "Trellis e-mails you this every Monday at 07:00 in your time zone." }
                        button.secondary type="submit" name="weekly_email" value="off" { "Stop the Monday e-mail" }
                    } @else {
                        p { "You do not get this by e-mail." }
                        button type="submit" name="weekly_email" value="on" { "E-mail it to me every Monday" }
                    }
                }
            }
        },
    ))
}

async fn set_subscription(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<SubscriptionForm>,
) -> Result<Response, PageError> {
    let on = match form.weekly_email.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(CoreError::field("weekly_email", "say on or off").into()),
    };
    state
        .store
        .set_weekly_digest(user.viewer.person_id(), on, crate::now())
        .await?;
    Ok(Redirect::to("/digest#weekly-email").into_response())
}

fn behaviours(audience: TipAudience) -> Vec<String> {
    match audience {
        TipAudience::Managers => trellis_core::assessments::template(),
        TipAudience::Everyone => trellis_core::assessments::peer_template(),
    }
    .into_iter()
    .map(|b| b.text)
    .collect()
}

async fn tips_page(
    state: &AppState,
    user: &CurrentUser,
    form: &TipForm,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    crate::admin::pages::require_admin(user)?;
    let settings = settings(state).await?;
    let own: Vec<Tip> = state.store.digest_tips().await?;
    let built_in = |a| digest::tips::built_in(a).len();
    let mut all_behaviours = behaviours(TipAudience::Managers);
    for b in behaviours(TipAudience::Everyone) {
        if !all_behaviours.contains(&b) {
            all_behaviours.push(b);
        }
    }
    let invalid = |field: &str| error_for(errors, field).map(|_| "true");
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "admin",
        },
        "Tips",
        html! {
            p.breadcrumb { a href="/admin" { "Admin" } }
            h1 { "Tips of the week" }
            p.lead {
                "Each Monday's e-mail ends with one tip. Trellis has " (built_in(TipAudience::Managers))
                " for managers — chosen for the behaviour their latest 360 rated lowest, otherwise in order — and "
                (built_in(TipAudience::Everyone)) " for everyone. Tips you add join them."
            }
            section.card aria-labelledby="own" {
                h2 #own { "Your organisation's tips" }
                @if own.is_empty() { p { "None yet." } }
                ul.tips {
                    @for t in &own {
                        li {
                            strong { (t.behaviour) } " (" (t.audience.as_str()) "): " (t.text) " "
                            @if let Some(id) = t.id {
                                form.inline method="post" action=(format!("/admin/tips/{id}/remove")) {
                                    (csrf_field(user))
                                    button.secondary type="submit" { "Remove" }
                                }
                            }
                        }
                    }
                }
            }
            section.card aria-labelledby="add" {
                h2 #add { "Add a tip" }
                (error_summary(errors, "t-"))
                form method="post" action="/admin/tips" novalidate {
                    (csrf_field(user))
                    div.field {
                        label for="t-audience" { "For" }
                        @if let Some(e) = error_for(errors, "audience") { p.error-message { (e) } }
                        select #t-audience name="audience" aria-invalid=[invalid("audience")] {
                            option value="managers" selected[form.audience != "everyone"] { "Managers" }
                            option value="everyone" selected[form.audience == "everyone"] { "Everyone" }
                        }
                    }
                    div.field {
                        label for="t-behaviour" { "Behaviour it helps with" }
                        @if let Some(e) = error_for(errors, "behaviour") { p.error-message { (e) } }
                        select #t-behaviour name="behaviour" aria-invalid=[invalid("behaviour")] {
                            @for b in &all_behaviours {
                                option value=(b) selected[&form.behaviour == b] { (b) }
                            }
                        }
                        p.hint { "Managers' tips follow the upward 360; everyone's the peer 360." }
                    }
                    div.field {
                        label for="t-text" { "Tip" }
                        @if let Some(e) = error_for(errors, "text") { p.error-message { (e) } }
                        textarea #t-text name="text" rows="3" maxlength=(digest::MAX_TIP) aria-invalid=[invalid("text")] { (form.text) }
                    }
                    div.actions { button type="submit" { "Add the tip" } }
                }
            }
        },
    ))
}

async fn show_tips(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    tips_page(&state, &user, &TipForm::default(), &[]).await
}

async fn add_tip(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<TipForm>,
) -> Result<Response, PageError> {
    match digest::add_tip(
        state.store.as_ref(),
        &user.viewer,
        &form.audience,
        &form.behaviour,
        &form.text,
        crate::now(),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/admin/tips#own").into_response()),
        Err(CoreError::Invalid(errors)) => {
            let page = tips_page(&state, &user, &form, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn remove_tip(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _form): CsrfForm<SubscriptionForm>,
) -> Result<Response, PageError> {
    digest::remove_tip(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    Ok(Redirect::to("/admin/tips#own").into_response())
}

pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/digest", get(show))
        .route("/digest/subscription", post(set_subscription))
        .route("/admin/tips", get(show_tips).post(add_tip))
        .route("/admin/tips/{id}/remove", post(remove_tip))
}
