//! `/scorecards/{id}`: the manager's job and the leader's job in two columns, each figure
//! with the organisation's median and how it is counted, and the directing-or-coaching
//! signal with its parts and a plain sentence.

use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::pages::charts::line_chart;
use crate::pages::layout::{Frame, page};
use crate::pages::settings;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use trellis_core::PersonId;
use trellis_core::scorecards::{self, Figure, Signal};

fn figure_card(f: &Figure) -> Markup {
    html! {
        li.figure-row {
            h3 { (f.label) }
            p.value { strong { (f.shown) }
                @if let Some(m) = &f.median_shown { " " span.muted { "· organisation median " (m) } } }
            @if f.trend.iter().any(|t| t.value.is_some()) {
                @let points: Vec<(String, Option<f64>)> = f.trend.iter().map(|t| (t.label.clone(), t.value)).collect();
                @let max = if f.percent { 1.0 } else { points.iter().filter_map(|(_, v)| *v).fold(1.0, f64::max) };
                (line_chart(&format!("{} by month", f.label), &points, max, None, f.percent))
            }
            details { summary { "How it is counted" } p { (f.definition) } }
        }
    }
}

fn signal_card(s: &Signal) -> Markup {
    let shown = |v: Option<f64>| {
        v.map(|v| format!("{:.0} %", v * 100.0))
            .unwrap_or_else(|| "nothing to count".into())
    };
    html! {
        section.card aria-labelledby="signal" {
            h2 #signal { "Directing or coaching" }
            p { (s.sentence) }
            div.table-scroll { table.data {
                thead { tr { th { "Part (last 90 days)" } th.num { "Theirs" } th.num { "Top quarter from" } th { "" } } }
                tbody { @for p in &s.parts { tr {
                    td { (p.label) } td.num { (shown(p.value)) } td.num { (shown(p.upper_quartile)) }
                    td { @if p.in_top_quartile { span.flag.warn { "top quarter" } } }
                } } }
            } }
            p.hint { "A signal from behaviour, not a verdict: “directing closely” is said only when two of the three parts are in the organisation's top quarter of managers." }
        }
    }
}

async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = match id.as_str() {
        "me" => {
            return Ok(
                Redirect::to(&format!("/scorecards/{}", user.viewer.person_id())).into_response(),
            );
        }
        other => other
            .parse::<i64>()
            .map_err(|_| trellis_core::CoreError::NotFound(format!("scorecard {other}")))?,
    };
    let settings = settings(&state).await?;
    let card = scorecards::show(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        crate::now(),
    )
    .await?;
    let frame = Frame {
        user: &user,
        settings: &settings,
        section: "scorecard",
    };
    Ok(page(
        &frame,
        &format!("{}: scorecard", card.manager.name),
        html! {
            h1 { (card.manager.name) ": the manager's job and the leader's job" }
            p.lead { (card.reports) " direct reports · medians over " (card.managers_compared) " managers · measured from the work, not only from opinion" }
            div.grid.scorecards {
                section.card aria-labelledby="managing" {
                    h2 #managing { "Managing: the work gets done" }
                    ul.plain { @for f in &card.managing { (figure_card(f)) } }
                }
                section.card aria-labelledby="leading" {
                    h2 #leading { "Leading: people grow" }
                    ul.plain { @for f in &card.leading { (figure_card(f)) } }
                }
            }
            (signal_card(&card.signal))
        },
    )
    .into_response())
}

pub(crate) fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/scorecards/{id}", axum::routing::get(show))
}
