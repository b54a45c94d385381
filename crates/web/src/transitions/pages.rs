//! `/transitions` (new managers the viewer may see, with this week's delegation ratio) and
//! `/transitions/{person}` (the ratio by week as a chart and a table, previous work still
//! on their plate and who wants it, 1:1s held, stretch given, programmes; the flag for
//! their chain and admins, always with its figures).

use crate::AppState;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::charts::line_chart;
use crate::pages::layout::{Frame, page};
use crate::pages::{format_date, settings};
use axum::extract::{Path, State};
use maud::{Markup, html};
use trellis_core::PersonId;
use trellis_core::transitions::{self, TransitionDetail};

fn frame<'a>(user: &'a CurrentUser, settings: &'a trellis_core::settings::Settings) -> Frame<'a> {
    Frame {
        user,
        settings,
        section: "transitions",
    }
}

fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.0} %", r * 100.0))
        .unwrap_or_else(|| "no open work".into())
}

async fn list(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let list = transitions::list(state.store.as_ref(), &user.viewer, crate::now()).await?;
    Ok(page(
        &frame(&user, &settings),
        "New managers",
        html! {
            h1 { "New managers" }
            p.lead { "People who gained their first reports, or a bigger team, in the last six months — and how much of the team's open work they still do themselves." }
            @if list.is_empty() {
                p.muted { "Nobody you can see is in a transition." }
            } @else {
                div.table-scroll { table.data {
                    thead { tr { th { "Manager" } th { "Since" } th { "Change" } th.num { "Delegation ratio this week" } th { "" } } }
                    tbody { @for t in &list { tr {
                        td { a href=(format!("/transitions/{}", t.manager.id)) { (t.manager.name) } @if let Some(title) = &t.title { br; span.muted { (title) } } }
                        td { (format_date(t.began)) }
                        td { (t.kind.label()) ": " (t.new_reports) " of " (t.reports) " reports new" }
                        td.num { (percent(t.ratio_now)) }
                        td { @if t.flagged == Some(true) { span.flag.warn { "still doing the old job" } } }
                    } } }
                } }
            }
            p.hint { "The delegation ratio is the share of the team's open commitment effort (the manager and their direct reports) that the manager owns personally." }
        },
    ))
}

fn flag_box(d: &TransitionDetail) -> Markup {
    let s = &d.summary;
    let first = s.manager.name.split_whitespace().next().unwrap_or("");
    html! {
        @if s.flagged == Some(true) {
            section.card.flagged aria-labelledby="flag" {
                h2 #flag { "Still doing the old job" }
                p { (first) " has owned more than " (format!("{:.0} %", d.threshold * 100.0)) " of the team's open work for each of the last "
                    (d.flag_weeks) " weeks (this week: " (percent(s.ratio_now)) "). New managers who keep their previous work do not learn to delegate; "
                    "the work below could go to reports who want it." }
            }
        }
    }
}

async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(person): Path<i64>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let d = transitions::show(
        state.store.as_ref(),
        &user.viewer,
        PersonId(person),
        crate::now(),
    )
    .await?;
    let s = &d.summary;
    let points: Vec<(String, Option<f64>)> = d
        .weeks
        .iter()
        .map(|w| (w.week_ending.format("%-d %b").to_string(), w.ratio))
        .collect();
    Ok(page(
        &frame(&user, &settings),
        &format!("{} in transition", s.manager.name),
        html! {
            nav aria-label="Breadcrumb" { ol.chain { li { a href="/transitions" { "New managers" } } li aria-current="page" { (s.manager.name) } } }
            h1 { (s.manager.name) }
            p.lead { (s.kind.label()) " since " (format_date(s.began)) ": " (s.new_reports) " of " (s.reports) " reports new" }
            (flag_box(&d))
            section aria-labelledby="ratio" {
                h2 #ratio { "Delegation ratio by week" }
                p { "This week " strong { (percent(s.ratio_now)) } " of the team's open commitment effort is " (s.manager.name) "'s own. The dashed line is the flag's threshold, " (format!("{:.0} %", d.threshold * 100.0)) "." }
                (line_chart("Delegation ratio by week", &points, 1.0, Some(d.threshold), true))
                details {
                    summary { "The figures" }
                    div.table-scroll { table.data {
                        thead { tr { th { "Week ending" } th.num { "Their hours" } th.num { "Team hours" } th.num { "Ratio" } } }
                        tbody { @for w in &d.weeks { tr {
                            td { (format_date(w.week_ending)) } td.num { (format!("{:.0}", w.manager_hours)) } td.num { (format!("{:.0}", w.team_hours)) } td.num { (percent(w.ratio)) }
                        } } }
                    } }
                }
            }
            section aria-labelledby="old-work" {
                h2 #old-work { "Previous work still on their plate" }
                @if d.old_work.is_empty() { p.muted { "None: everything from before the change is done or handed on." } }
                ul.plain { @for w in &d.old_work { li {
                    a href=(format!("/commitments/{}", w.id)) { (w.title) } " · " (format!("{:.0} h", w.effort_hours)) " · due " (format_date(w.due_date))
                    @if !w.takers.is_empty() { ul { @for t in &w.takers { li { (t.reason) } } } }
                } } }
            }
            section aria-labelledby="ones" {
                h2 #ones { "1:1s held since " (format_date(s.began)) }
                ul.plain { @for o in &d.one_on_ones { li { (o.report.name) ": " (o.held) } } }
            }
            ul.figures {
                li { strong { (d.stretch_given) } " stretch assignments given to reports" }
                li { strong { (d.programmes.len()) } " development programmes" @if !d.programmes.is_empty() { ": " (d.programmes.join(", ")) } }
            }
        },
    ))
}

pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/transitions", get(list))
        .route("/transitions/{person}", get(show))
}
