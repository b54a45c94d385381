//! Teams and departments.

use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::org::pages::people::person_list;
use crate::pages::layout::{Frame, page};
use crate::pages::{plural, settings};
use axum::extract::{Path, State};
use maud::{Markup, html};
use trellis_core::TeamId;
use trellis_core::org::teams;

pub async fn list_teams(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let teams = state.store.teams().await?;
    let departments: Vec<_> = teams.iter().filter(|t| t.parent_id.is_none()).collect();
    let body = html! {
        h1 { "Teams" }
        @if teams.is_empty() { p { "No teams yet. Teams are created by importing people with a Department or Team column." } }
        div.grid {
            @for d in &departments {
                section.card {
                    h2 { a href=(format!("/teams/{}", d.id)) { (d.name) } }
                    @let subs: Vec<_> = teams.iter().filter(|t| t.parent_id == Some(d.id)).collect();
                    p.muted { (plural(d.member_count, "person", "people")) " directly"
                        @if !subs.is_empty() { ", " (plural(subs.len() as i64, "team", "teams")) } }
                    @if !subs.is_empty() {
                        ul.plain { @for t in subs { li { a href=(format!("/teams/{}", t.id)) { (t.name) } " " span.muted { "(" (t.member_count) ")" } } } }
                    }
                }
            }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "teams",
        },
        "Teams",
        body,
    ))
}

pub async fn show_team(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let teams::TeamView {
        team,
        members,
        sub_teams: subs,
    } = teams::show(state.store.as_ref(), &user.viewer, TeamId(id)).await?;
    let leads: Vec<_> = members
        .iter()
        .filter(|m| m.report_count > 0)
        .cloned()
        .collect();
    let body = html! {
        @if let (Some(parent), Some(pid)) = (&team.parent_name, team.parent_id) {
            nav aria-label="Department" { ol.chain { li { a href=(format!("/teams/{pid}")) { (parent) } } li aria-current="page" { (team.name) } } }
        }
        h1 { (team.name) }
        p.lead { (plural(team.member_count, "person", "people"))
            @if !subs.is_empty() { " · " (plural(subs.len() as i64, "team", "teams")) }
            " · " a href=(format!("/decisions?team={}", team.id)) { "Decisions" } }
        div.grid {
            @if !leads.is_empty() {
                section.card { h2 { (settings.manager_word_plural_title()) } (person_list(&leads)) }
            }
            @if !subs.is_empty() {
                section.card {
                    h2 { "Teams" }
                    ul.plain { @for t in &subs { li { a href=(format!("/teams/{}", t.id)) { (t.name) } " " span.muted { "(" (t.member_count) ")" } } } }
                }
            }
        }
        h2 { "Members" }
        @if members.is_empty() { p.muted { "Nobody is in this team directly." } }
        @else { (person_list(&members)) }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "teams",
        },
        &team.name,
        body,
    ))
}

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .route("/teams", axum::routing::get(list_teams))
        .route("/teams/{id}", axum::routing::get(show_team))
}
