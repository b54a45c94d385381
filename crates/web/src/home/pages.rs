//! Home: what is waiting for me, then me, my manager, my team and my reports.

use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::org::pages::people::person_list;
use crate::pages::layout::{Frame, page};
use crate::pages::{plural, settings};
use axum::extract::State;
use maud::{Markup, html};
use trellis_core::org::people;

/// Notices after following a link from a mail.
#[derive(Debug, serde::Deserialize)]
pub struct HomeParams {
    pub welcome: Option<String>,
    pub password: Option<String>,
}

pub async fn show_home(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    axum::extract::Query(params): axum::extract::Query<HomeParams>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let store = state.store.as_ref();
    let me = people::show(store, &user.viewer, user.account.person_id).await?;
    let manager = me.chain.first().cloned();
    let plate =
        trellis_core::work::plate::show(store, &user.viewer, user.account.person_id, crate::now())
            .await?;
    let peers = match &manager {
        Some(m) => store
            .direct_reports(m.id)
            .await?
            .into_iter()
            .filter(|p| p.id != me.person.id)
            .collect(),
        None => Vec::new(),
    };
    let manager_word = settings.manager_word_title();
    let mut actions = super::next::for_everyone(&state, &user, &plate).await?;
    if user.viewer.has_reports() {
        actions.extend(super::next::for_managers(&state, &user, &me.reports).await?);
    }
    if user.viewer.may_administer() {
        actions.extend(super::next::for_admins(&state, &user).await?);
    }
    let body = html! {
        h1 { "Hello, " (me.person.preferred_name.clone().unwrap_or_else(|| me.person.name.split(' ').next().unwrap_or("").to_string())) }
        p.lead {
            (me.person.title.clone().unwrap_or_default())
            @if let Some(team) = &me.person.team_name { " · " (team) }
            @if let Some(loc) = &me.person.location { " · " (loc) }
        }
        @if params.welcome.is_some() { p.notice role="status" { "Welcome to Trellis: your password is set and you are signed in." } }
        @if params.password.is_some() { p.notice role="status" { "Your new password is set; other devices were signed out." } }
        (super::next::list(actions))
        p { a href="/digest" { "Your week" } ": everything due and waiting this week in one place, with a tip — also e-mailed every Monday." }
        div.grid {
            section.card aria-labelledby="my-manager" {
                h2 #my-manager { "My " (settings.manager_word) }
                @match &manager {
                    Some(m) => {
                        p { a href=(format!("/people/{}", m.id)) { (m.display_name) } br; span.muted { (m.title.clone().unwrap_or_default()) } }
                    }
                    None => { p.muted { "You are at the top of the organisation." } }
                }
            }
            section.card aria-labelledby="my-reports" {
                h2 #my-reports { "My reports" }
                @if me.reports.is_empty() {
                    p.muted { "Nobody reports to you." }
                } @else {
                    p.muted { (plural(me.reports.len() as i64, "direct report", "direct reports")) " · " a href=(format!("/org?root={}", me.person.id)) { "see your tree" } }
                    (person_list(&me.reports))
                }
            }
            section.card aria-labelledby="my-team" {
                h2 #my-team { "My team" }
                @if peers.is_empty() {
                    p.muted { "No one else reports to your " (settings.manager_word) "." }
                } @else {
                    p.muted { "People who share your " (settings.manager_word) "." }
                    (person_list(&peers))
                }
            }
            section.card aria-labelledby="my-plate" {
                h2 #my-plate { "My plate" }
                p { (plural(plate.open.len() as i64, "open commitment", "open commitments"))
                    @let overdue = plate.open.iter().filter(|c| c.is_overdue(plate.today)).count() as i64;
                    @if overdue > 0 { ", " span.flag.bad { (overdue) " overdue" } } }
                p { "Workload " (crate::work::pages::workload_text(&plate.workload)) }
                @let due: Vec<_> = plate.objectives.iter().filter(|o| o.check_in_due).collect();
                @if !due.is_empty() { p { (plural(due.len() as i64, "objective needs", "objectives need")) " a check-in." } }
                p { a href="/plate" { "Open my plate" }
                    @if user.viewer.has_reports() { " · " a href="/team-work" { "my team’s work" } } }
            }
            section.card aria-labelledby="my-profile" {
                h2 #my-profile { "My profile" }
                p { a href=(format!("/people/{}", me.person.id)) { "View my profile" } " · " a href=(format!("/people/{}/edit", me.person.id)) { "edit my details and skills" } }
                p.muted { (plural(me.skills.len() as i64, "skill", "skills")) " recorded"
                    @let growing = me.skills.iter().filter(|s| s.wants_to_grow).count() as i64;
                    @if growing > 0 { ", " (growing) " you want to grow" } "." }
            }
        }
        @if user.viewer.has_reports() {
            p.muted { "You are a " (manager_word.to_lowercase()) " because people report to you." }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "home",
        },
        "Home",
        body,
    ))
}

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new().route("/", axum::routing::get(show_home))
}
