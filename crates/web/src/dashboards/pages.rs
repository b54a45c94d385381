//! `/dashboard`: per department for admins (the organisation) and managers (their tree),
//! with filters, charts drawn on the server, the 9-box heat map and a CSV export.

use crate::AppState;
use crate::auth::PageUser;
use crate::error::PageError;
use crate::pages::charts::{bar_chart, line_chart};
use crate::pages::layout::{Frame, page};
use crate::pages::settings;
use axum::extract::{Query, State};
use axum::response::Response;
use maud::{Markup, html};
use trellis_core::dashboards::{self, Dashboard, DashboardFilter, NineBox};

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.0} %", v * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn median(m: &trellis_core::dashboards::ManagerMedian) -> String {
    match m.median {
        None => "—".into(),
        Some(v) if m.percent => format!("{:.0} %", v * 100.0),
        Some(v) if v.fract() == 0.0 => format!("{v:.0}"),
        Some(v) => format!("{v:.1}"),
    }
}

fn query_of(f: &DashboardFilter) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("department", &f.department),
        ("location", &f.location),
        ("level", &f.level),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", urlencoding(v)));
        }
    }
    parts.join("&")
}

fn urlencoding(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn select(id: &str, label: &str, all: &str, options: &[String], chosen: &Option<String>) -> Markup {
    html! {
        div.field {
            label for=(format!("f-{id}")) { (label) }
            select id=(format!("f-{id}")) name=(id) {
                option value="" { (all) }
                @for o in options { option value=(o) selected[chosen.as_deref() == Some(o.as_str())] { (o) } }
            }
        }
    }
}

fn nine_box(n: &NineBox) -> Markup {
    let row_label = ["Low potential", "Moderate potential", "High potential"];
    html! {
        section aria-labelledby="nine-box" {
            h2 #nine-box { "9-box" }
            @match &n.cycle {
                None => p.muted { "No review cycle has placed anyone yet." },
                Some(cycle) => {
                    p.hint { (n.placed) " people placed in " (cycle) ". A cell shows its count only when at least " (dashboards::CELL_THRESHOLD) " people are in it." }
                    div.table-scroll { table.data.nine-box {
                        thead { tr { th { "" } th { "Low performance" } th { "Moderate performance" } th { "High performance" } } }
                        tbody { @for row in n.cells.chunks(3) { tr {
                            th scope="row" { (row_label[usize::from(row[0].potential)]) }
                            @for c in row { td.num { @match c.count { Some(n) => (n), None => span.muted { "fewer than " (dashboards::CELL_THRESHOLD) } } } }
                        } } }
                    } }
                }
            }
        }
    }
}

fn body(d: &Dashboard, filter: &DashboardFilter) -> Markup {
    let trend: Vec<(String, Option<f64>)> = d
        .delivery_trend
        .iter()
        .map(|t| (t.label.clone(), t.value))
        .collect();
    let workload: Vec<(String, f64)> = d
        .workload
        .iter()
        .map(|b| (b.label.clone(), f64::from(b.people)))
        .collect();
    let q = query_of(filter);
    html! {
        h1 { "Dashboard" }
        p.lead { (d.scope) ": " (d.people) " people" }
        form.filters method="get" action="/dashboard" {
            (select("department", "Department", "All departments", &d.departments, &filter.department))
            (select("location", "Location", "All locations", &d.locations, &filter.location))
            (select("level", "Level", "All levels", &d.levels, &filter.level))
            button.secondary type="submit" { "Show" }
            a href=(format!("/dashboard/export{}{}", if q.is_empty() { "" } else { "?" }, q)) { "Download CSV" }
        }
        div.table-scroll { table.data {
            thead { tr { th { "Department" } th.num { "People" } th.num { "Managers" } th.num { "Delivery (90 days)" } th.num { "Overloaded" } th.num { "Career support" } th.num { "Delegation (median)" } } }
            tbody {
                @for r in d.rows.iter().chain(std::iter::once(&d.total)) { tr {
                    td { (r.department) } td.num { (r.people) } td.num { (r.managers) } td.num { (pct(r.delivery)) }
                    td.num { (pct(r.overloaded)) } td.num { (pct(r.career_support)) } td.num { (pct(r.delegation_median)) }
                } }
            }
        } }
        h2 { "Managers' scorecards by department" }
        p.hint { "The median of each scorecard figure over the managers of each department." }
        div.table-scroll { table.data.medians {
            thead { tr { th { "Department" } @for m in &d.total.manager_medians { th.num { (m.label) } } } }
            tbody {
                @for r in d.rows.iter().chain(std::iter::once(&d.total)) { tr {
                    td { (r.department) }
                    @for m in &r.manager_medians { td.num { (median(m)) } }
                } }
            }
        } }
        details { summary { "How these are counted" }
            ul {
                li { "Delivery: commitments completed by their agreed due date ÷ those whose agreed date fell in the last 90 days." }
                li { "Overloaded: people whose open work due within the workload horizon is over 1.2 times their capacity." }
                li { "Career support: people with a career plan reviewed in six months, stretch work in the last quarter, and a mentor or development programme." }
                li { "Delegation: the median share of their team's open work that the department's managers own themselves." }
            }
        }
        section aria-labelledby="trend" {
            h2 #trend { "Delivery by month" }
            (line_chart("Delivery reliability by month", &trend, 1.0, None, true))
        }
        section aria-labelledby="workload" {
            h2 #workload { "Workload" }
            (bar_chart("People by workload", &workload, false))
        }
        (nine_box(&d.nine_box))
    }
}

async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(filter): Query<DashboardFilter>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let d = dashboards::show(state.store.as_ref(), &user.viewer, &filter, crate::now()).await?;
    let frame = Frame {
        user: &user,
        settings: &settings,
        section: "dashboard",
    };
    Ok(page(&frame, "Dashboard", body(&d, &filter)))
}

async fn export(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(filter): Query<DashboardFilter>,
) -> Result<Response, PageError> {
    let d = dashboards::show(state.store.as_ref(), &user.viewer, &filter, crate::now()).await?;
    Ok(crate::dashboards::api::csv_response(&d))
}

pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/dashboard", get(show))
        .route("/dashboard/export", get(export))
}
