//! `/notifications`: a person's own notifications, newest first; opening one marks it read
//! and goes where it points; `/notifications/preferences`: how each topic is e-mailed.

use crate::AppState;
use crate::auth::{CsrfForm, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, format_time, settings};
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;
use trellis_core::inbox;
use trellis_core::notify::{Delivery, Preferences, Topic};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(show))
        .route("/notifications/{id}/open", post(open))
        .route("/notifications/read-all", post(read_all))
        .route(
            "/notifications/preferences",
            get(show_preferences).post(save_preferences),
        )
        .route(
            "/admin/notifications",
            get(show_defaults).post(save_defaults),
        )
}

async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let (list, unread) = inbox::mine(state.store.as_ref(), &user.viewer, 200).await?;
    let body = html! {
        h1 { "Notifications" }
        p.lead {
            @if unread == 0 { "Nothing unread." } @else { (unread) " unread." }
            " " a href="/notifications/preferences" { "Choose what is e-mailed to you" }
        }
        @if unread > 0 {
            form method="post" action="/notifications/read-all" {
                (csrf_field(&user))
                button.secondary type="submit" { "Mark all as read" }
            }
        }
        @if list.is_empty() {
            p { "When someone proposes you for stretch work, hands you work, promises support on your career plan or pairs you with a mentor, it shows here." }
        } @else {
            ul.notifications {
                @for k in &list {
                    li.unread[k.read_at.is_none()] {
                        form.inline method="post" action=(format!("/notifications/{}/open", k.id)) {
                            (csrf_field(&user))
                            button.link type="submit" { (k.note.text) }
                        }
                        @if k.read_at.is_none() { span.visually-hidden { " (unread)" } }
                        time { (format_time(k.note.at, &user)) }
                    }
                }
            }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "notifications",
        },
        "Notifications",
        body,
    ))
}

async fn open(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    let kept = inbox::open(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    // Links are paths inside Trellis, written by Trellis: never another site.
    let to = if kept.note.link.starts_with('/') && !kept.note.link.starts_with("//") {
        kept.note.link
    } else {
        "/notifications".to_string()
    };
    Ok(Redirect::to(&to).into_response())
}

async fn read_all(
    State(state): State<AppState>,
    CsrfForm(user, _form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    inbox::read_all(state.store.as_ref(), &user.viewer, crate::now()).await?;
    Ok(Redirect::to("/notifications").into_response())
}

#[derive(Debug, Deserialize)]
pub struct SavedParams {
    pub saved: Option<String>,
}

/// A form with one `topic` field per topic, each naming a delivery.
#[derive(Debug, Deserialize)]
pub struct ChoicesForm {
    pub csrf: String,
    #[serde(flatten)]
    pub fields: HashMap<String, String>,
}

crate::auth::csrf_form!(ChoicesForm);

impl ChoicesForm {
    fn choices(&self) -> Vec<(Topic, Delivery)> {
        Topic::ALL
            .into_iter()
            .filter_map(|t| {
                let d = self
                    .fields
                    .get(t.as_str())
                    .and_then(|v| Delivery::parse(v))?;
                Some((t, d))
            })
            .collect()
    }
}

fn choices_table(preferences: &Preferences, own: bool) -> Markup {
    html! {
        table {
            thead { tr { th { "When" } @for d in Delivery::ALL { th { (d.label()) } } } }
            tbody {
                @for topic in Topic::ALL {
                    @let chosen = if own { preferences.delivery(topic) } else { preferences.default_for(topic) };
                    tr {
                        th scope="row" { (topic.label()) }
                        @for d in Delivery::ALL {
                            td {
                                label {
                                    input type="radio" name=(topic.as_str()) value=(d.as_str()) checked[chosen == d];
                                    span.visually-hidden { (topic.label()) ": " (d.label()) }
                                    @if own && d == preferences.default_for(topic) { small { " (default)" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn show_preferences(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(params): Query<SavedParams>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let preferences = inbox::preferences(state.store.as_ref(), &user.viewer).await?;
    let body = html! {
        h1 { "What Trellis e-mails you" }
        @if params.saved.is_some() { p.notice role="status" { "Saved." } }
        p { "Everything shows on your " a href="/notifications" { "notifications" } " page. Choose, for each kind, whether it is also e-mailed to " strong { (user.account.email) } " at once, in one summary each morning at 7:00, or not at all." }
        form method="post" action="/notifications/preferences" {
            (csrf_field(&user))
            (choices_table(&preferences, true))
            button type="submit" { "Save" }
        }
        p { "Every Monday at 07:00 Trellis also e-mails you " a href="/digest" { "your week" } ": what is due and waiting, and a tip. Turn it off or on there." }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "notifications",
        },
        "E-mail preferences",
        body,
    ))
}

async fn save_preferences(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<ChoicesForm>,
) -> Result<Response, PageError> {
    inbox::choose(state.store.as_ref(), &user.viewer, &form.choices()).await?;
    Ok(Redirect::to("/notifications/preferences?saved=1").into_response())
}

async fn show_defaults(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(params): Query<SavedParams>,
) -> Result<Markup, PageError> {
    crate::admin::pages::require_admin(&user)?;
    let settings = settings(&state).await?;
    let preferences = state.store.preferences(None).await?;
    let body = html! {
        h1 { "E-mail defaults" }
        @if params.saved.is_some() { p.notice role="status" { "Saved: people who have not chosen for themselves get these." } }
        p { "How each kind of notification is e-mailed to people who have not chosen for themselves. People can change it on their own preferences page." }
        form method="post" action="/admin/notifications" {
            (csrf_field(&user))
            (choices_table(&preferences, false))
            button type="submit" { "Save the defaults" }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "admin",
        },
        "E-mail defaults",
        body,
    ))
}

async fn save_defaults(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<ChoicesForm>,
) -> Result<Response, PageError> {
    inbox::choose_defaults(
        state.store.as_ref(),
        &user.viewer,
        &form.choices(),
        crate::now(),
    )
    .await?;
    Ok(Redirect::to("/admin/notifications?saved=1").into_response())
}
