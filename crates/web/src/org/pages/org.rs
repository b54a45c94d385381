//! The org chart: a collapsible tree from any person. Each level is loaded when opened
//! (with JavaScript) or by following a node's link (without), so it stays fast at 100,000
//! people.

use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{plural, settings};
use axum::extract::{Path, Query, State};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::PersonId;
use trellis_core::org::PersonCard;
use trellis_core::org::people;

#[derive(Debug, Deserialize)]
pub struct OrgParams {
    pub root: Option<i64>,
}

fn node_label(p: &PersonCard) -> Markup {
    html! {
        span.node {
            a href=(format!("/people/{}", p.id)) { (p.display_name) }
            @if let Some(t) = &p.title { span.muted { (t) } }
            @if p.report_count > 0 {
                span.badge { (plural(p.report_count, "report", "reports")) }
                a href=(format!("/org?root={}", p.id)) aria-label=(format!("Open the chart from {}", p.display_name)) { "open" }
            }
        }
    }
}

/// One person in the tree: closed and lazy when they have reports.
fn node(p: &PersonCard) -> Markup {
    html! {
        li {
            @if p.report_count > 0 {
                details data-children=(format!("/org/children/{}", p.id)) {
                    summary { (node_label(p)) }
                    ul {}
                }
            } @else {
                div.leaf { (node_label(p)) }
            }
        }
    }
}

pub async fn show_org_chart(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(params): Query<OrgParams>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let store = state.store.as_ref();
    let (roots, chain) = match params.root {
        Some(id) => {
            let tree = people::subtree(store, &user.viewer, PersonId(id), 0).await?;
            (vec![tree.person], store.manager_chain(PersonId(id)).await?)
        }
        None => (store.top_of_tree().await?, Vec::new()),
    };
    let mut expanded = Vec::with_capacity(roots.len());
    for r in &roots {
        expanded.push((
            r.clone(),
            people::children(store, &user.viewer, r.id).await?,
        ));
    }
    let body = html! {
        h1 { "Org chart" }
        @if !chain.is_empty() {
            nav aria-label="Up the tree" {
                ol.chain {
                    @for m in chain.iter().rev() { li { a href=(format!("/org?root={}", m.id)) { (m.display_name) } } }
                    li aria-current="page" { (roots[0].display_name) }
                }
            }
        }
        p.muted { "Open a person to see who reports to them. " a href="/org" { "Start from the top" } "." }
        ul.org-tree {
            @for (root, reports) in &expanded {
                li {
                    details open data-loaded="yes" {
                        summary { (node_label(root)) }
                        ul { @for r in reports { (node(r)) } }
                    }
                }
            }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "org",
        },
        "Org chart",
        body,
    ))
}

/// The reports of one person, as list items for the tree.
pub async fn org_children(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let reports = people::children(state.store.as_ref(), &user.viewer, PersonId(id)).await?;
    Ok(html! { @for r in &reports { (node(r)) } })
}

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .route("/org", axum::routing::get(show_org_chart))
        .route("/org/children/{id}", axum::routing::get(org_children))
}
