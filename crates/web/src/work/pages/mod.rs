//! My plate, commitments (new, show, edit, renegotiate, reassign, complete, comment),
//! capacity and absences.

mod commitment;
pub mod objectives;
mod plates;
pub mod team_work;

pub use commitment::*;
pub use plates::*;

use crate::auth::CurrentUser;
use crate::pages::layout::Frame;
use crate::pages::{bar, csrf_field, hours};
use chrono::NaiveDate;
use maud::{Markup, html};
use trellis_core::growth::wishes::PlateWish;
use trellis_core::work::metrics::{DeliveryCounts, Workload};
use trellis_core::work::{Commitment, CommitmentStatus, ObjectiveView};

pub(super) fn frame<'a>(
    user: &'a CurrentUser,
    settings: &'a trellis_core::settings::Settings,
) -> Frame<'a> {
    Frame {
        user,
        settings,
        section: "plate",
    }
}

/// "due today", "due in 3 days", "overdue by 2 days".
pub(crate) fn due_text(c: &Commitment, today: NaiveDate) -> Markup {
    let days = (c.due_date - today).num_days();
    // Overdue counts from the agreed date: a date moved after it passed does not rescue.
    let late_by = (today - c.agreed_due_date).num_days();
    html! {
        time datetime=(c.due_date) { (c.due_date.format("%a %-d %b")) }
        " "
        @if c.status != CommitmentStatus::Open {
        } @else if late_by > 0 {
            span.flag.bad { "overdue by " (crate::pages::plural(late_by, "day", "days")) }
            @if c.moved_after_missed() {
                " " span.flag.bad { "date moved after it passed (agreed " time datetime=(c.agreed_due_date) { (c.agreed_due_date.format("%-d %b")) } ")" }
            }
        } @else if days == 0 {
            span.flag.warn { "due today" }
        } @else if days <= 7 {
            span.muted { "in " (crate::pages::plural(days, "day", "days")) }
        }
    }
}

/// The workload line: ratio with its hours, flagged when overloaded.
pub(crate) fn workload_text(w: &Workload) -> Markup {
    let label = match w.ratio() {
        Some(r) => format!(
            "{r:.2} ({} of {})",
            hours(w.remaining_hours),
            hours(w.capacity_hours)
        ),
        None => format!("{} with no capacity", hours(w.remaining_hours)),
    };
    html! {
        (bar(w.ratio().unwrap_or(1.5), &label, w.overloaded()))
        @if w.overloaded() { " " span.flag.bad { "Overloaded" } }
    }
}

/// "12 of 14 on time" or "no data" (the percentage is shown beside it).
pub(crate) fn delivery_text(d: &DeliveryCounts) -> String {
    match d.reliability() {
        Some(_) => format!("{} of {} on time", d.on_time, d.due),
        None => "no data: nothing was due".into(),
    }
}

/// An objective's figures in words: progress, expected, gap and status.
pub(crate) fn objective_figures(v: &ObjectiveView) -> Markup {
    html! {
        @match (v.progress, v.status) {
            (Some(p), Some(s)) => {
                (crate::pages::progress_bar(p, v.expected, &format!("{:.0} % done", p * 100.0)))
                " "
                span class=(match s { trellis_core::work::metrics::ObjectiveStatus::OnTrack => "flag good", trellis_core::work::metrics::ObjectiveStatus::Behind => "flag warn", trellis_core::work::metrics::ObjectiveStatus::AtRisk => "flag bad" }) { (s.label()) }
                " "
                span.muted { "expected " (format!("{:.0} %", v.expected * 100.0))
                    @if let Some(g) = v.gap_points { @if g > 0.0 { ", " (crate::pages::plural(g as i64, "point", "points")) " behind" } @else { ", on or ahead of time" } } }
            }
            _ => { span.muted { "No key results yet" } }
        }
        @if v.check_in_due { " " span.flag.warn { "check-in due" } }
    }
}

pub(super) fn commitment_rows(list: &[Commitment], today: NaiveDate, show_owner: bool) -> Markup {
    html! {
        div.table-scroll {
            table.data {
                thead { tr {
                    th { "Commitment" }
                    @if show_owner { th { "Owner" } }
                    th { "Due" }
                    th.num { "Effort left" }
                } }
                tbody {
                    @for c in list {
                        tr {
                            td { a href=(format!("/commitments/{}", c.id)) { (c.title) }
                                @if !c.skills.is_empty() { br; span.muted { (c.skills.join(", ")) } } }
                            @if show_owner { td { a href=(format!("/people/{}", c.owner.id)) { (c.owner.name) } } }
                            td { (due_text(c, today)) }
                            td.num { (hours(c.remaining_hours)) }
                        }
                    }
                }
            }
        }
    }
}

pub(super) fn wish_line(user: &CurrentUser, w: &PlateWish) -> Markup {
    html! {
        li {
            @match w.commitment_id { Some(c) => { a href=(format!("/commitments/{c}")) { (w.what) } } None => { (w.what) } }
            form.inline method="post" action=(format!("/wishes/{}/delete", w.id)) {
                (csrf_field(user))
                button.link type="submit" aria-label=(format!("Remove wish {}", w.what)) { "Remove" }
            }
        }
    }
}

/// Work's pages: plates, commitments, the team job view and objectives.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .route("/plate", axum::routing::get(my_plate))
        .route("/people/{id}/plate", axum::routing::get(show_plate))
        .route("/people/{id}/capacity", axum::routing::post(save_capacity))
        .route("/people/{id}/absences", axum::routing::post(add_absence))
        .route("/absences/{id}/delete", axum::routing::post(delete_absence))
        .route("/people/{id}/wishes", axum::routing::post(add_wish))
        .route("/wishes/{id}/delete", axum::routing::post(remove_wish))
        .route("/commitments/new", axum::routing::get(new_commitment_form))
        .route("/commitments", axum::routing::post(create_commitment))
        .route("/commitments/{id}", axum::routing::get(show_commitment))
        .route(
            "/commitments/{id}/edit",
            axum::routing::get(edit_commitment_form).post(update_commitment),
        )
        .route(
            "/commitments/{id}/renegotiate",
            axum::routing::post(renegotiate),
        )
        .route("/commitments/{id}/reassign", axum::routing::post(reassign))
        .route("/commitments/{id}/status", axum::routing::post(set_status))
        .route("/commitments/{id}/comments", axum::routing::post(comment))
        .merge(team_work::routes())
        .merge(objectives::routes())
}
