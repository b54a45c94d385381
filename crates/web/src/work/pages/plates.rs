//! A person's plate: commitments, wishes, capacity and absences.

use super::*;
use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::flash::Flash;
use crate::pages::layout::page;
use crate::pages::{
    csrf_field, error_for, error_summary, form_date, form_number, hours, input_field, settings,
};
use axum::extract::{Path, State};
use axum::response::{Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::growth::wishes::{self, Direction};
use trellis_core::ids::WishId;
use trellis_core::ids::{AbsenceId, CommitmentId};
use trellis_core::work::reports::percent;
use trellis_core::work::{CommitmentStatus, plate};
use trellis_core::{CoreError, FieldError, PersonId};

pub async fn my_plate(PageUser(user): PageUser) -> Redirect {
    Redirect::to(&format!("/people/{}/plate", user.account.person_id))
}

pub(super) async fn plate_page(
    state: &AppState,
    user: &CurrentUser,
    id: PersonId,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let p = plate::show(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    let wishes = trellis_core::growth::wishes::of_plate(state.store.as_ref(), &p).await?;
    let support = trellis_core::growth::career::support_on_plate(state.store.as_ref(), &p).await?;
    let mine = p.person.id == user.viewer.person_id();
    let overdue = p.open.iter().filter(|c| c.is_overdue(p.today)).count() as i64;
    let asked = if mine {
        trellis_core::growth::placements::asked_of_me(state.store.as_ref(), &user.viewer).await?
    } else {
        Vec::new()
    };
    let body = html! {
        h1 { @if mine { "My plate" } @else { (p.person.name) "\u{2019}s plate" } }
        p.lead {
            (crate::pages::plural(p.open.len() as i64, "open commitment", "open commitments"))
            @if overdue > 0 { ", " span.flag.bad { (overdue) " overdue" } }
            " · " a href=(format!("/commitments/new?owner={}", p.person.id)) { "New commitment" }
            @if !mine { " · " a href=(format!("/people/{}", p.person.id)) { "Profile" } }
            " · " a href=(format!("/people/{}/career", p.person.id)) { "Career plan" }
        }
        (error_summary(errors, "f-"))
        @if !asked.is_empty() {
            section.card aria-labelledby="asked" {
                h2 #asked { "Stretch work you are asked about" }
                p.hint { "From outside your team: it goes on your plate only if you and your " (settings.manager_word) " both agree." }
                ul.plain { @for a in &asked { (crate::growth::pages::opportunities::asked_line(user, a)) } }
            }
        }
        ul.figures {
            li { span.muted { "Workload, next " (p.horizon.days()) " days" } strong { @match p.workload.ratio() { Some(r) => { (format!("{r:.2}")) } None => { "no capacity" } } }
                (workload_text(&p.workload))
                p.hint { "Open work due by " (p.horizon.last.format("%-d %b")) " against " (hours(p.capacity_hours_per_week)) " a week, less absences. Over 1.2 is overloaded." } }
            li { span.muted { "Delivered as promised, last 90 days" } strong { (percent(p.delivery.reliability())) } (delivery_text(&p.delivery)) }
        }
        section aria-labelledby="open" {
            h2 #open { "Open commitments" }
            @if p.open.is_empty() { p.muted { "Nothing open. " a href=(format!("/commitments/new?owner={}", p.person.id)) { "Add a commitment" } } }
            @else { (commitment_rows(&p.open, p.today, false)) }
        }
        @if !support.is_empty() {
            section aria-labelledby="support" {
                h2 #support { "Support promised to " @if mine { "you" } @else { (p.person.name) } }
                p.hint { "From the career plan: what the " (settings.manager_word) " committed to do, until it is done." }
                (commitment_rows(&support, p.today, true))
            }
        }
        section aria-labelledby="wishes" {
            h2 #wishes { "What would " @if mine { "you" } @else { (p.person.name) } " like moved off the plate, and onto it?" }
            p.hint { "Your " (settings.manager_word) " sees these next to your workload." }
            @let (off, on): (Vec<_>, Vec<_>) = wishes.iter().partition(|w| w.direction == Direction::Off);
            div.grid {
                div { h3 { "Off" } @if off.is_empty() { p.muted { "Nothing yet." } } ul.plain { @for w in &off { (wish_line(user, w)) } } }
                div { h3 { "On" } @if on.is_empty() { p.muted { "Nothing yet." } } ul.plain { @for w in &on { (wish_line(user, w)) } } }
            }
            form.inline-forms method="post" action=(format!("/people/{}/wishes", p.person.id)) novalidate {
                (csrf_field(user))
                div.field {
                    label for="f-direction" { "Move" }
                    select #f-direction name="direction" { option value="off" { "off my plate" } option value="on" { "onto my plate" } }
                }
                div.field {
                    label for="f-commitment_id" { "A commitment (to move off)" }
                    select #f-commitment_id name="commitment_id" {
                        option value="" { "—" }
                        // The due date tells two of the same title apart.
                        @for c in &p.open { option value=(c.id) { (c.title) " — due " (c.due_date.format("%-d %b")) } }
                    }
                    @if let Some(e) = error_for(errors, "commitment_id") { p.field-error { (e) } }
                }
                (input_field(errors, "f-", "what", "Or in words", "", "text", Some("A kind of work or a skill, like “on-call” or “more SQL”.")))
                button type="submit" { "Add wish" }
            }
        }
        section aria-labelledby="objectives" {
            h2 #objectives { "Objectives" }
            @if p.objectives.is_empty() { p.muted { "No running objectives. " a href="/objectives/new" { "Set one" } } }
            ul.plain {
                @for o in &p.objectives {
                    li { a href=(format!("/objectives/{}", o.objective.id)) { (o.objective.title) } br; (objective_figures(o)) }
                }
            }
        }
        (capacity_and_absences(user, &p, errors))
        @if !p.recently_closed.is_empty() {
            section aria-labelledby="closed" {
                h2 #closed { "Recently closed" }
                ul.plain { @for c in &p.recently_closed {
                    li { a href=(format!("/commitments/{}", c.id)) { (c.title) } " · "
                        @match c.status { CommitmentStatus::Done => { "done" @if let Some(d) = c.completed_on { " " (d.format("%-d %b")) } @if c.completed_on.is_some_and(|d| d > c.agreed_due_date) { " " span.flag.bad { "late" } } } _ => { "cancelled" } } }
                } }
            }
        }
    };
    let title = if mine {
        "My plate".to_string()
    } else {
        format!("{}\u{2019}s plate", p.person.name)
    };
    Ok(page(&frame(user, &settings), &title, body))
}

/// A plate's capacity and absences, each with its form.
fn capacity_and_absences(
    user: &CurrentUser,
    p: &trellis_core::work::plate::Plate,
    errors: &[FieldError],
) -> Markup {
    html! {
        div.grid {
            section.card aria-labelledby="capacity" {
                h2 #capacity { "Capacity" }
                p { (hours(p.capacity_hours_per_week)) " a week"
                    @if p.capacity_is_custom { " (own figure)" } @else { " (organisation default)" } }
                form method="post" action=(format!("/people/{}/capacity", p.person.id)) novalidate {
                    (csrf_field(user))
                    (input_field(errors, "f-", "hours_per_week", "Hours per week", &if p.capacity_is_custom { p.capacity_hours_per_week.to_string() } else { String::new() }, "number", Some("Leave empty for the organisation default.")))
                    button type="submit" { "Save capacity" }
                }
            }
            section.card aria-labelledby="absences" {
                h2 #absences { "Absences" }
                @if p.absences.is_empty() { p.muted { "No days off recorded from today on." } }
                ul.plain {
                    @for a in &p.absences {
                        li {
                            (crate::pages::format_date(a.first_day)) @if a.last_day != a.first_day { " – " (crate::pages::format_date(a.last_day)) }
                            @if !a.note.is_empty() { " · " (a.note) }
                            form.inline method="post" action=(format!("/absences/{}/delete", a.id)) {
                                (csrf_field(user))
                                button.link type="submit" aria-label=(format!("Remove absence from {}", a.first_day)) { "Remove" }
                            }
                        }
                    }
                }
                form method="post" action=(format!("/people/{}/absences", p.person.id)) novalidate {
                    (csrf_field(user))
                    (input_field(errors, "f-", "first_day", "First day off", "", "date", None))
                    (input_field(errors, "f-", "last_day", "Last day off", "", "date", Some("Leave empty for a single day.")))
                    (input_field(errors, "f-", "note", "Note", "", "text", None))
                    button type="submit" { "Add absence" }
                }
            }
        }
    }
}

pub async fn show_plate(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    plate_page(&state, &user, PersonId(id), &[]).await
}

#[derive(Debug, Deserialize)]
pub struct CapacityForm {
    pub csrf: String,
    #[serde(default)]
    pub hours_per_week: String,
}

pub async fn save_capacity(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<CapacityForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let hours = form_number(&mut errors, "hours_per_week", &form.hours_per_week);
    let result = if errors.is_empty() {
        plate::set_capacity(state.store.as_ref(), &user.viewer, PersonId(id), hours).await
    } else {
        Err(CoreError::Invalid(errors))
    };
    plate_result(&state, &user, PersonId(id), result, Flash::CapacitySaved).await
}

pub(super) async fn plate_result<T>(
    state: &AppState,
    user: &CurrentUser,
    id: PersonId,
    result: Result<T, CoreError>,
    done: Flash,
) -> Result<Response, PageError> {
    crate::pages::after_post(
        result.map(|_| ()),
        format!("/people/{id}/plate"),
        Some(done),
        |errors| async move { plate_page(state, user, id, &errors).await },
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct AbsenceForm {
    pub csrf: String,
    #[serde(default)]
    pub first_day: String,
    #[serde(default)]
    pub last_day: String,
    #[serde(default)]
    pub note: String,
}

pub async fn add_absence(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<AbsenceForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let first = form_date(&mut errors, "first_day", &form.first_day);
    let last = form_date(&mut errors, "last_day", &form.last_day);
    let result = if errors.is_empty() {
        plate::add_absence(
            state.store.as_ref(),
            &user.viewer,
            PersonId(id),
            first,
            last,
            &form.note,
        )
        .await
    } else {
        Err(CoreError::Invalid(errors))
    };
    plate_result(&state, &user, PersonId(id), result, Flash::AbsenceAdded).await
}

#[derive(Debug, Deserialize)]
pub struct WishForm {
    pub csrf: String,
    #[serde(default)]
    pub direction: String,
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub commitment_id: String,
}

pub async fn add_wish(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<WishForm>,
) -> Result<Response, PageError> {
    let direction = Direction::parse(&form.direction).unwrap_or(Direction::Off);
    let commitment = form
        .commitment_id
        .trim()
        .parse::<i64>()
        .ok()
        .map(CommitmentId);
    let result = wishes::add(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        direction,
        &form.what,
        commitment,
        crate::now(),
    )
    .await;
    plate_result(&state, &user, PersonId(id), result, Flash::WishAdded).await
}

pub async fn remove_wish(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    let person = wishes::remove(state.store.as_ref(), &user.viewer, WishId(id)).await?;
    Ok(crate::pages::flash::redirect(
        &format!("/people/{person}/plate#wishes"),
        Flash::WishRemoved,
    ))
}

pub async fn delete_absence(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    let person = plate::delete_absence(state.store.as_ref(), &user.viewer, AbsenceId(id)).await?;
    Ok(crate::pages::flash::redirect(
        &format!("/people/{person}/plate"),
        Flash::AbsenceRemoved,
    ))
}

crate::auth::csrf_form!(AbsenceForm, CapacityForm, WishForm);
