//! The calibration page: manager ratings side by side (filtered by team, manager and level),
//! the distribution beside the cycle's guidance as a chart readable without colour, and the
//! 9-box, where a name is dragged to a box or moved with the form below it.

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::flash::Flash;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_summary, settings};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::reviews::calibration::{
    self, BoxMoveInput, CalibrationFilter, CalibrationView, Distribution, RatingChangeInput,
};
use trellis_core::reviews::{CycleId, ReviewId};
use trellis_core::{CoreError, FieldError};

const BANDS: [&str; 3] = ["low", "moderate", "high"];

/// A 9-box place in words, e.g. "high performance, moderate potential".
pub fn box_name(performance: u8, potential: u8) -> String {
    let band = |b: u8| BANDS.get(usize::from(b)).copied().unwrap_or("?");
    format!(
        "{} performance, {} potential",
        band(performance),
        band(potential)
    )
}

/// The filter as the page's form sends it (empty: no filter).
#[derive(Debug, Default, Deserialize)]
pub struct FilterForm {
    #[serde(default)]
    team: String,
    #[serde(default)]
    manager: String,
    #[serde(default)]
    level: String,
}

impl FilterForm {
    fn filter(&self) -> CalibrationFilter {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        CalibrationFilter {
            team: some(&self.team),
            manager: self.manager.trim().parse().ok(),
            level: some(&self.level),
        }
    }
}

/// The distribution of the performance question: per label, the guidance (outlined bar)
/// and the actual share (filled bar), each with its percentage written beside it.
fn distribution_chart(d: &Distribution) -> Markup {
    let row = 44;
    let width = 260.0;
    let height = d.labels.len() * row + 30;
    let share = |n: usize| {
        if d.rated == 0 {
            0.0
        } else {
            n as f64 / d.rated as f64
        }
    };
    html! {
        svg.distribution role="img" aria-labelledby="dist-title" width="560" height=(height) viewBox=(format!("0 0 560 {height}")) {
            title #dist-title { "Ratings of " (d.rated) " people per label"
                @if !d.guidance.is_empty() { ", beside the guidance" } ": "
                (d.labels.iter().enumerate().map(|(i, l)| {
                    let mut s = format!("{l} {:.0} %", share(d.actual[i]) * 100.0);
                    if let Some(g) = d.guidance.get(i) { s.push_str(&format!(" (guidance {g} %)")); }
                    s
                }).collect::<Vec<_>>().join(", ")) }
            @for (i, label) in d.labels.iter().enumerate() {
                @let y = i * row + 4;
                text x="0" y=(y + 14) { (label) }
                @let actual = share(d.actual[i]);
                rect x="180" y=(y + 2) width=(actual * width) height="14" fill="#2f6b4f" {}
                text x=(186.0 + actual * width) y=(y + 14) { (format!("{:.0} % ({})", actual * 100.0, d.actual[i])) }
                @if let Some(g) = d.guidance.get(i) {
                    @let g = f64::from(*g) / 100.0;
                    rect x="180" y=(y + 20) width=(g * width) height="12" fill="none" stroke="#333" stroke-dasharray="4 2" {}
                    text x=(186.0 + g * width) y=(y + 31) { "guidance " (format!("{:.0} %", g * 100.0)) }
                }
            }
            text x="0" y=(height - 6) { "Filled: actual. " @if !d.guidance.is_empty() { "Dashed outline: guidance." } }
        }
    }
}

fn rating_label(scale: &[String], rating: Option<u8>) -> String {
    rating
        .and_then(|r| scale.get(usize::from(r).wrapping_sub(1)).cloned())
        .unwrap_or_else(|| "—".into())
}

fn nine_box(user: &CurrentUser, v: &CalibrationView) -> Markup {
    let id = v.cycle.id;
    html! {
        section.card aria-labelledby="ninebox" {
            h2 #ninebox { "9-box" }
            p.hint { "Performance from “" (v.columns.iter().find(|c| Some(c.question) == v.cycle.calibration.performance_question).map(|c| c.text.as_str()).unwrap_or("")) "”, potential from “"
                (v.columns.iter().find(|c| Some(c.question) == v.cycle.calibration.potential_question).map(|c| c.text.as_str()).unwrap_or("")) "”. "
                @if v.can_change { "Drag a name to a box, or use the form below; every move is kept with its reason." } }
            div.table-scroll { table.nine-box data-cycle=(id) {
                thead { tr { th { "Potential ↓ / performance →" } @for p in BANDS { th scope="col" { (p) } } } }
                tbody {
                    @for pot in (0..3u8).rev() {
                        tr {
                            th scope="row" { (BANDS[usize::from(pot)]) }
                            @for perf in 0..3u8 {
                                td.box-cell data-box=(format!("{perf}-{pot}")) aria-label=(box_name(perf, pot)) {
                                    ul.plain {
                                        @for r in v.rows.iter().filter(|r| r.placement.is_some_and(|p| p.performance == perf && p.potential == pot)) {
                                            li data-review=(r.review) { (r.reviewee.name) @if r.placement.is_some_and(|p| p.moved) { " " span.flag { "moved" } } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
            @let unplaced = v.rows.iter().filter(|r| r.placement.is_none()).count();
            @if unplaced > 0 { p.muted { (unplaced) " without both ratings yet: not on the 9-box." } }
            @if v.can_change && !v.rows.is_empty() {
                form.inline-forms.box-move method="post" action=(format!("/reviews/cycles/{id}/box-moves")) {
                    (csrf_field(user))
                    div.field { label for="m-review" { "Person" } select #m-review name="review" { @for r in &v.rows { option value=(r.review) { (r.reviewee.name) } } } }
                    div.field { label for="m-box" { "To the box" } select #m-box name="place" {
                        @for pot in (0..3u8).rev() { @for perf in 0..3u8 { option value=(format!("{perf}-{pot}")) { (box_name(perf, pot)) } } } } }
                    div.field { label for="m-reason" { "Why" } input #m-reason type="text" name="reason" maxlength="500" required; }
                    button.secondary type="submit" { "Move" }
                }
            }
        }
    }
}

async fn calibration_page(
    state: &AppState,
    user: &CurrentUser,
    id: CycleId,
    form: &FilterForm,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let v = calibration::view(state.store.as_ref(), &user.viewer, id, &form.filter()).await?;
    let query = format!(
        "team={}&manager={}&level={}",
        urlencoding(&form.team),
        urlencoding(&form.manager),
        urlencoding(&form.level)
    );
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "reviews",
        },
        &format!("Calibration · {}", v.cycle.name),
        html! {
            p { @if user.viewer.may_administer() { a href=(format!("/admin/reviews/{id}")) { "← " (v.cycle.name) } } @else { a href="/reviews" { "← Reviews" } } }
            h1 { "Calibration: " (v.cycle.name) }
            p.muted { (super::pages::state_label(v.cycle.state)) " · "
                @if v.can_change { "Change a rating with a reason: the " (settings.manager_word) "'s original stays visible here. People see the ratings once the cycle is shared; they never see this page or the 9-box." }
                @else if v.cycle.state == trellis_core::reviews::CycleState::Launched { "Ratings can be changed once an admin opens calibration." }
                @else { "Ratings are locked." } }
            (error_summary(errors, "m-"))
            form.inline-forms method="get" action=(format!("/reviews/cycles/{id}/calibration")) {
                div.field { label for="f-team" { "Team" } select #f-team name="team" { option value="" { "All" } @for t in &v.teams { option value=(t) selected[form.team == *t] { (t) } } } }
                div.field { label for="f-manager" { (settings.manager_word) } select #f-manager name="manager" { option value="" { "All" } @for m in &v.managers { option value=(m.id) selected[form.manager == m.id.to_string()] { (m.name) } } } }
                div.field { label for="f-level" { "Level" } select #f-level name="level" { option value="" { "All" } @for l in &v.levels { option value=(l) selected[form.level == *l] { (l) } } } }
                button.secondary type="submit" { "Filter" }
            }
            @if let Some(d) = &v.distribution { h2 { "Distribution" } (distribution_chart(d)) }
            h2 { (v.rows.len()) " people" }
            @if v.columns.is_empty() { p.muted { "This cycle asks no rating questions: there is nothing to calibrate." } }
            @else {
                div.table-scroll { table.calibration {
                    thead { tr { th { "Person" } th { (settings.manager_word) } th { "Team" } th { "Level" }
                        @for c in &v.columns { th { (c.text) } }
                        @if v.nine_box { th { "9-box" } } } }
                    tbody {
                        @for r in &v.rows {
                            tr {
                                td { a href=(format!("/reviews/{}", r.review)) { (r.reviewee.name) } @if !r.submitted { " " span.flag.warn { "not handed in" } } }
                                td { (r.manager.as_ref().map(|m| m.name.as_str()).unwrap_or("—")) }
                                td { (r.team.as_deref().unwrap_or("—")) }
                                td { (r.level.as_deref().unwrap_or("—")) }
                                @for (i, c) in v.columns.iter().enumerate() {
                                    td { (rating_label(&c.scale, r.ratings[i]))
                                        @if let Some(o) = r.original[i] { " " span.muted { "(was " (rating_label(&c.scale, Some(o))) ")" } } }
                                }
                                @if v.nine_box { td { (r.placement.map(|p| box_name(p.performance, p.potential)).unwrap_or_else(|| "—".into())) } }
                            }
                        }
                    }
                } }
                @if v.can_change && !v.rows.is_empty() {
                    section.card aria-labelledby="change" {
                        h2 #change { "Change a rating" }
                        form.inline-forms method="post" action=(format!("/reviews/cycles/{id}/rating-changes?{query}")) {
                            (csrf_field(user))
                            div.field { label for="m-person" { "Person" } select #m-person name="review" { @for r in v.rows.iter().filter(|r| r.submitted) { option value=(r.review) { (r.reviewee.name) } } } }
                            div.field { label for="m-rating" { "New rating" } select #m-rating name="rating" {
                                @for c in &v.columns { optgroup label=(c.text) { @for (n, l) in c.scale.iter().enumerate() { option value=(format!("{}:{}", c.question, n + 1)) { (l) } } } } } }
                            div.field { label for="m-reason" { "Why" } input #m-reason type="text" name="reason" maxlength="500" required; }
                            button.secondary type="submit" { "Change" }
                        }
                    }
                }
            }
            @if v.nine_box { (nine_box(user, &v)) }
        },
    ))
}

/// Percent-encodes a query value (the filter is echoed into the change form's address).
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

pub async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(form): Query<FilterForm>,
) -> Result<Markup, PageError> {
    calibration_page(&state, &user, CycleId(id), &form, &[]).await
}

/// A change or a move as the page's forms send it.
#[derive(Debug, Default, Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub review: i64,
    /// `question:rating` for a rating change.
    #[serde(default)]
    pub rating: String,
    /// `performance-potential` for a 9-box move.
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub reason: String,
}

crate::auth::csrf_form!(ChangeForm);

fn pair(s: &str, sep: char, field: &str) -> Result<(usize, u8), CoreError> {
    s.split_once(sep)
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
        .ok_or_else(|| CoreError::field(field, "choose one of the options"))
}

async fn after(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    filter: FilterForm,
    result: Result<(), CoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(crate::pages::flash::redirect(
            &format!(
                "/reviews/cycles/{id}/calibration?team={}&manager={}&level={}",
                urlencoding(&filter.team),
                urlencoding(&filter.manager),
                urlencoding(&filter.level)
            ),
            Flash::Saved,
        )),
        Err(CoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            calibration_page(state, user, CycleId(id), &filter, &errors).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn change_rating(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(filter): Query<FilterForm>,
    CsrfForm(user, form): CsrfForm<ChangeForm>,
) -> Result<Response, PageError> {
    let result = match pair(&form.rating, ':', "rating") {
        Ok((question, rating)) => {
            calibration::change_rating(
                state.store.as_ref(),
                &user.viewer,
                ReviewId(form.review),
                &RatingChangeInput {
                    question,
                    rating,
                    reason: form.reason.clone(),
                },
                crate::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &user, id, filter, result).await
}

pub async fn move_box(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(filter): Query<FilterForm>,
    CsrfForm(user, form): CsrfForm<ChangeForm>,
) -> Result<Response, PageError> {
    let result = match pair(&form.place, '-', "performance") {
        Ok((performance, potential)) => {
            calibration::move_box(
                state.store.as_ref(),
                &user.viewer,
                ReviewId(form.review),
                &BoxMoveInput {
                    performance: performance.min(255) as u8,
                    potential,
                    reason: form.reason.clone(),
                },
                crate::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &user, id, filter, result).await
}

/// The calibration routes (admins, and managers for their tree when the cycle allows).
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/reviews/cycles/{id}/calibration", get(show))
        .route("/reviews/cycles/{id}/rating-changes", post(change_rating))
        .route("/reviews/cycles/{id}/box-moves", post(move_box))
}
