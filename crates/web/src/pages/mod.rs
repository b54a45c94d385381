//! Server-rendered pages. Each module is one area of the UI; all of them go through the
//! core services, so pages and API obey the same visibility policy.

pub mod admin;
pub mod home;
pub mod layout;
pub mod org;
pub mod people;
pub mod signin;
pub mod teams;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::settings::Settings;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::show_home))
        .route("/signin", get(signin::show_signin).post(signin::sign_in))
        .route("/signout", post(signin::sign_out))
        .route("/people", get(people::list_people))
        .route(
            "/people/new",
            get(people::new_person_form).post(people::create_person),
        )
        .route("/people/{id}", get(people::show_person))
        .route(
            "/people/{id}/edit",
            get(people::edit_person_form).post(people::update_person),
        )
        .route("/org", get(org::show_org_chart))
        .route("/org/children/{id}", get(org::org_children))
        .route("/teams", get(teams::list_teams))
        .route("/teams/{id}", get(teams::show_team))
        .merge(admin::routes())
}

/// Settings for the frame; a failure here is a failure of the page.
pub(crate) async fn settings(state: &AppState) -> Result<Settings, PageError> {
    Ok(state.settings().await?)
}

/// A form that carries only its CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

/// The hidden CSRF field of every form.
pub(crate) fn csrf_field(user: &CurrentUser) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf.clone().unwrap_or_default()); }
}

/// Unknown paths.
pub async fn not_found() -> impl IntoResponse {
    PageError::new(
        StatusCode::NOT_FOUND,
        "Not found",
        "There is no page at this address. It may have moved, or the link may be wrong.",
    )
}

/// "1 report" / "3 reports".
pub(crate) fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
