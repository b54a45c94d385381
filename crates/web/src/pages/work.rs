//! My plate, commitments (new, show, edit, renegotiate, reassign, complete, comment),
//! capacity and absences.

use super::layout::{Frame, page};
use super::{
    bar, csrf_field, error_for, error_summary, form_date, form_number, hours, input_field, settings,
};
use crate::AppState;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::growth::wishes::{self, Direction, PlateWish};
use trellis_core::ids::WishId;
use trellis_core::ids::{AbsenceId, CommitmentId, ObjectiveId};
use trellis_core::work::commitments::{self, CommitmentDetail, CommitmentInput};
use trellis_core::work::metrics::{DeliveryCounts, Workload};
use trellis_core::work::objectives::view;
use trellis_core::work::reports::percent;
use trellis_core::work::store::ObjectiveFilter;
use trellis_core::work::{ChangeField, Commitment, CommitmentStatus, ObjectiveView, plate};
use trellis_core::{CoreError, FieldError, PersonId, Store};

fn frame<'a>(user: &'a CurrentUser, settings: &'a trellis_core::settings::Settings) -> Frame<'a> {
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
            span.flag.bad { "overdue by " (super::plural(late_by, "day", "days")) }
            @if c.moved_after_missed() {
                " " span.flag.bad { "date moved after it passed (agreed " time datetime=(c.agreed_due_date) { (c.agreed_due_date.format("%-d %b")) } ")" }
            }
        } @else if days == 0 {
            span.flag.warn { "due today" }
        } @else if days <= 7 {
            span.muted { "in " (super::plural(days, "day", "days")) }
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

/// "12 of 14 on time (86 %)" or "no data".
pub(crate) fn delivery_text(d: &DeliveryCounts) -> String {
    match d.reliability() {
        Some(_) => format!(
            "{} of {} on time ({})",
            d.on_time,
            d.due,
            percent(d.reliability())
        ),
        None => "no data: nothing was due".into(),
    }
}

/// An objective's figures in words: progress, expected, gap and status.
pub(crate) fn objective_figures(v: &ObjectiveView) -> Markup {
    html! {
        @match (v.progress, v.status) {
            (Some(p), Some(s)) => {
                (super::progress_bar(p, v.expected, &format!("{:.0} % done", p * 100.0)))
                " "
                span class=(match s { trellis_core::work::metrics::ObjectiveStatus::OnTrack => "flag good", trellis_core::work::metrics::ObjectiveStatus::Behind => "flag warn", trellis_core::work::metrics::ObjectiveStatus::AtRisk => "flag bad" }) { (s.label()) }
                " "
                span.muted { "expected " (format!("{:.0} %", v.expected * 100.0))
                    @if let Some(g) = v.gap_points { @if g > 0.0 { ", " (super::plural(g as i64, "point", "points")) " behind" } @else { ", on or ahead of time" } } }
            }
            _ => { span.muted { "No key results yet" } }
        }
        @if v.check_in_due { " " span.flag.warn { "check-in due" } }
    }
}

fn commitment_rows(list: &[Commitment], today: NaiveDate, show_owner: bool) -> Markup {
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

fn wish_line(user: &CurrentUser, w: &PlateWish) -> Markup {
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

pub async fn my_plate(PageUser(user): PageUser) -> Redirect {
    Redirect::to(&format!("/people/{}/plate", user.account.person_id))
}

async fn plate_page(
    state: &AppState,
    user: &CurrentUser,
    id: PersonId,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let p = plate::show(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    let mine = p.person.id == user.viewer.person_id;
    let overdue = p.open.iter().filter(|c| c.is_overdue(p.today)).count() as i64;
    let asked = if mine {
        trellis_core::growth::placements::asked_of_me(state.store.as_ref(), &user.viewer).await?
    } else {
        Vec::new()
    };
    let body = html! {
        h1 { @if mine { "My plate" } @else { (p.person.name) "\u{2019}s plate" } }
        p.lead {
            (super::plural(p.open.len() as i64, "open commitment", "open commitments"))
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
                ul.plain { @for a in &asked { (super::opportunities::asked_line(user, a)) } }
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
        @if !p.support_for_me.is_empty() {
            section aria-labelledby="support" {
                h2 #support { "Support promised to " @if mine { "you" } @else { (p.person.name) } }
                p.hint { "From the career plan: what the " (settings.manager_word) " committed to do, until it is done." }
                (commitment_rows(&p.support_for_me, p.today, true))
            }
        }
        section aria-labelledby="wishes" {
            h2 #wishes { "What would " @if mine { "you" } @else { (p.person.name) } " like moved off the plate, and onto it?" }
            p.hint { "Your " (settings.manager_word) " sees these next to your workload." }
            @let (off, on): (Vec<_>, Vec<_>) = p.wishes.iter().partition(|w| w.direction == Direction::Off);
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
                        @for c in &p.open { option value=(c.id) { (c.title) } }
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
                            (a.first_day.format("%a %-d %b %Y")) @if a.last_day != a.first_day { " – " (a.last_day.format("%a %-d %b %Y")) }
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
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<CapacityForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    let mut errors = Vec::new();
    let hours = form_number(&mut errors, "hours_per_week", &form.hours_per_week);
    let result = if errors.is_empty() {
        plate::set_capacity(state.store.as_ref(), &user.viewer, PersonId(id), hours).await
    } else {
        Err(CoreError::Invalid(errors))
    };
    plate_result(&state, &user, PersonId(id), result).await
}

async fn plate_result<T>(
    state: &AppState,
    user: &CurrentUser,
    id: PersonId,
    result: Result<T, CoreError>,
) -> Result<Response, PageError> {
    super::after_post(
        result.map(|_| ()),
        format!("/people/{id}/plate"),
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
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<AbsenceForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
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
    plate_result(&state, &user, PersonId(id), result).await
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
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<WishForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
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
    plate_result(&state, &user, PersonId(id), result).await
}

pub async fn remove_wish(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<super::CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    let person = wishes::remove(state.store.as_ref(), &user.viewer, WishId(id)).await?;
    Ok(Redirect::to(&format!("/people/{person}/plate#wishes")).into_response())
}

pub async fn delete_absence(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<super::CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    let person = plate::delete_absence(state.store.as_ref(), &user.viewer, AbsenceId(id)).await?;
    Ok(Redirect::to(&format!("/people/{person}/plate")).into_response())
}

/// The values of the commitment form as typed.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct CommitmentForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub objective_id: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub effort_hours: String,
    #[serde(default)]
    pub remaining_hours: String,
    #[serde(default)]
    pub skills: String,
}

impl CommitmentForm {
    fn from_commitment(c: &Commitment) -> Self {
        CommitmentForm {
            csrf: String::new(),
            title: c.title.clone(),
            description: c.description.clone(),
            owner_id: c.owner.id.to_string(),
            objective_id: c
                .objective
                .as_ref()
                .map(|o| o.0.to_string())
                .unwrap_or_default(),
            due_date: c.due_date.to_string(),
            effort_hours: c.effort_hours.to_string(),
            remaining_hours: c.remaining_hours.to_string(),
            skills: c.skills.join(", "),
        }
    }

    fn input(&self) -> Result<CommitmentInput, CoreError> {
        let mut errors = Vec::new();
        let id = |errors: &mut Vec<FieldError>, field: &str, v: &str| -> Option<i64> {
            let t = v.trim();
            if t.is_empty() {
                return None;
            }
            t.parse()
                .map_err(|_| errors.push(FieldError::new(field, "choose from the list")))
                .ok()
        };
        let input = CommitmentInput {
            title: self.title.clone(),
            description: self.description.clone(),
            owner_id: id(&mut errors, "owner_id", &self.owner_id).map(PersonId),
            objective_id: id(&mut errors, "objective_id", &self.objective_id).map(ObjectiveId),
            due_date: form_date(&mut errors, "due_date", &self.due_date),
            effort_hours: form_number(&mut errors, "effort_hours", &self.effort_hours),
            remaining_hours: form_number(&mut errors, "remaining_hours", &self.remaining_hours),
            skills: vec![self.skills.clone()],
        };
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(CoreError::Invalid(errors))
        }
    }
}

/// Objectives a commitment can serve: those running today.
async fn objective_choices(store: &dyn Store) -> Result<Vec<ObjectiveView>, PageError> {
    let now = crate::now();
    Ok(store
        .objectives(&ObjectiveFilter {
            active_on: Some(trellis_core::work::metrics::local_date(None, now)),
            ..ObjectiveFilter::default()
        })
        .await?
        .into_iter()
        .take(300)
        .map(|o| view(o, now))
        .collect())
}

/// People the viewer may give work to: themselves and their tree.
async fn owner_choices(
    store: &dyn Store,
    user: &CurrentUser,
) -> Result<Vec<(PersonId, String)>, PageError> {
    Ok(store
        .tree_members(user.viewer.person_id)
        .await?
        .into_iter()
        .take(1000)
        .map(|m| (m.id, m.name))
        .collect())
}

async fn commitment_form_page(
    state: &AppState,
    user: &CurrentUser,
    heading: &str,
    action: &str,
    form: &CommitmentForm,
    editing: bool,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let owners = if editing {
        Vec::new()
    } else {
        owner_choices(store, user).await?
    };
    let objectives = objective_choices(store).await?;
    let body = html! {
        h1 { (heading) }
        (error_summary(errors, "f-"))
        form method="post" action=(action) novalidate {
            (csrf_field(user))
            (input_field(errors, "f-", "title", "What will be delivered", &form.title, "text", None))
            div.field {
                label for="f-description" { "Details" }
                textarea #f-description name="description" rows="3" { (form.description) }
                @if let Some(e) = error_for(errors, "description") { p.field-error { (e) } }
            }
            @if !editing {
                div.field {
                    label for="f-owner_id" { "Owner" }
                    select #f-owner_id name="owner_id" aria-invalid=[error_for(errors, "owner_id").map(|_| "true")] {
                        @for (id, name) in &owners {
                            option value=(id) selected[form.owner_id == id.to_string()] { (name) @if *id == user.viewer.person_id { " (me)" } }
                        }
                        @if !form.owner_id.is_empty() && !owners.iter().any(|(id, _)| id.to_string() == form.owner_id) {
                            option value=(form.owner_id) selected { "Person " (form.owner_id) }
                        }
                    }
                    p.hint { "You can give work to yourself and to people in your reporting tree." }
                    @if let Some(e) = error_for(errors, "owner_id") { p.field-error { (e) } }
                }
                (input_field(errors, "f-", "due_date", "Agreed due date", &form.due_date, "date", Some("The date the owner agrees to deliver by. Delivery reliability counts against it.")))
            }
            (input_field(errors, "f-", "effort_hours", "Effort in hours", &form.effort_hours, "number", Some("Your best estimate of the whole job, for example 4 or 0.5.")))
            @if editing {
                (input_field(errors, "f-", "remaining_hours", "Hours still to do", &form.remaining_hours, "number", Some("Workload counts what is left.")))
            }
            (input_field(errors, "f-", "skills", "Skills needed", &form.skills, "text", Some("Comma-separated, for example sql, writing.")))
            div.field {
                label for="f-objective_id" { "Serves the objective" }
                select #f-objective_id name="objective_id" {
                    option value="" { "None" }
                    @for o in &objectives {
                        option value=(o.objective.id) selected[form.objective_id == o.objective.id.to_string()] { (o.objective.title) " (" (o.objective.owner.name) ")" }
                    }
                }
                @if let Some(e) = error_for(errors, "objective_id") { p.field-error { (e) } }
            }
            button type="submit" { "Save" }
        }
    };
    Ok(page(&frame(user, &settings), heading, body))
}

#[derive(Debug, Deserialize)]
pub struct NewCommitmentParams {
    pub owner: Option<i64>,
}

pub async fn new_commitment_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(params): Query<NewCommitmentParams>,
) -> Result<Markup, PageError> {
    let form = CommitmentForm {
        owner_id: params.owner.unwrap_or(user.viewer.person_id.0).to_string(),
        ..CommitmentForm::default()
    };
    commitment_form_page(
        &state,
        &user,
        "New commitment",
        "/commitments",
        &form,
        false,
        &[],
    )
    .await
}

pub async fn create_commitment(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Form(form): Form<CommitmentForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    let result = match form.input() {
        Ok(input) => {
            commitments::create(state.store.as_ref(), &user.viewer, &input, crate::now()).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/commitments/{id}")).into_response()),
        Err(CoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            commitment_form_page(
                &state,
                &user,
                "New commitment",
                "/commitments",
                &form,
                false,
                &errors,
            )
            .await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_commitment_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let d = commitments::show(
        state.store.as_ref(),
        &user.viewer,
        CommitmentId(id),
        crate::now(),
    )
    .await?;
    if !d.can.edit {
        return Err(CoreError::Forbidden("change this commitment".into()).into());
    }
    commitment_form_page(
        &state,
        &user,
        "Edit commitment",
        &format!("/commitments/{id}/edit"),
        &CommitmentForm::from_commitment(&d.commitment),
        true,
        &[],
    )
    .await
}

pub async fn update_commitment(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<CommitmentForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    let result = match form.input() {
        Ok(input) => {
            commitments::edit(
                state.store.as_ref(),
                &user.viewer,
                CommitmentId(id),
                &(&input).into(),
                crate::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/commitments/{id}")).into_response()),
        Err(CoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            commitment_form_page(
                &state,
                &user,
                "Edit commitment",
                &format!("/commitments/{id}/edit"),
                &form,
                true,
                &errors,
            )
            .await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

fn change_text(c: &trellis_core::work::CommitmentChange, names: &[(PersonId, String)]) -> Markup {
    let name_of = |v: &Option<String>| -> String {
        v.as_deref()
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|id| {
                names
                    .iter()
                    .find(|(p, _)| p.0 == id)
                    .map(|(_, n)| n.clone())
            })
            .unwrap_or_else(|| v.clone().map(|s| format!("person {s}")).unwrap_or_default())
    };
    html! {
        @match c.field {
            ChangeField::DueDate => {
                "Due date moved from " (c.before.clone().unwrap_or_default()) " to " (c.after.clone().unwrap_or_default())
                @match c.in_time {
                    Some(true) => { " " span.flag.good { "renegotiated in time" } }
                    Some(false) => { " " span.flag.bad { "after the date had passed: still counts as late" } }
                    None => {}
                }
            }
            ChangeField::Owner => { "Reassigned from " (name_of(&c.before)) " to " (name_of(&c.after)) }
            ChangeField::Status => { "Marked " (c.after.clone().unwrap_or_default()) }
            ChangeField::Details => { "Edited " (c.after.clone().unwrap_or_default()) }
        }
    }
}

/// Values typed into the action forms of the commitment page, kept when they fail.
#[derive(Debug, Default, Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub status: String,
}

async fn commitment_page(
    state: &AppState,
    user: &CurrentUser,
    id: CommitmentId,
    form: &ActionForm,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let d: CommitmentDetail = commitments::show(store, &user.viewer, id, crate::now()).await?;
    let c = &d.commitment;
    let reassign_to = if d.can.reassign {
        owner_choices(store, user).await?
    } else {
        Vec::new()
    };
    let mut names = reassign_to.clone();
    for ch in &d.changes {
        for v in [&ch.before, &ch.after] {
            if ch.field == ChangeField::Owner
                && let Some(pid) = v.as_deref().and_then(|s| s.parse::<i64>().ok())
                && !names.iter().any(|(p, _)| p.0 == pid)
                && let Some(p) = store.person(PersonId(pid)).await?
            {
                names.push((p.id, p.display_name()));
            }
        }
    }
    let body = html! {
        nav aria-label="Owner" { ol.chain { li { a href=(format!("/people/{}/plate", c.owner.id)) { (c.owner.name) "\u{2019}s plate" } } li aria-current="page" { (c.title) } } }
        h1 { (c.title) }
        p.lead {
            @match c.status {
                CommitmentStatus::Open => { "Open" }
                CommitmentStatus::Done => { "Done" @if let Some(day) = c.completed_on { " on " (day.format("%a %-d %b %Y")) }
                    @if c.completed_on.is_some_and(|day| day <= c.agreed_due_date) { " " span.flag.good { "on time" } } @else { " " span.flag.bad { "late" } } }
                CommitmentStatus::Cancelled => { "Cancelled" }
            }
            " · due " (due_text(c, d.owner_today))
        }
        @if c.agreed_due_date != c.due_date {
            p.warning { "For delivery this still counts as due on " strong { (c.agreed_due_date) } ": the date was moved after it had passed." }
        }
        (error_summary(errors, "f-"))
        dl.facts {
            dt { "Owner" } dd { a href=(format!("/people/{}", c.owner.id)) { (c.owner.name) } }
            @if let Some(r) = &c.requester { dt { "Asked by" } dd { a href=(format!("/people/{}", r.id)) { (r.name) } } }
            dt { "Effort" } dd { (hours(c.effort_hours)) ", " (hours(c.remaining_hours)) " left" }
            @if !c.skills.is_empty() { dt { "Skills" } dd { (c.skills.join(", ")) } }
            @if let Some((oid, title)) = &c.objective { dt { "Objective" } dd { a href=(format!("/objectives/{oid}")) { (title) } } }
            dt { "Created" } dd { (c.created_on) }
        }
        @if !c.description.is_empty() { p { (c.description) } }
        @if d.can.edit { p { a href=(format!("/commitments/{}/edit", c.id)) { "Edit title, effort or skills" } } }
        div.inline-forms {
            @if c.status == CommitmentStatus::Open && d.can.complete {
                form method="post" action=(format!("/commitments/{}/status", c.id)) {
                    (csrf_field(user)) input type="hidden" name="status" value="done";
                    button type="submit" { "Mark done" }
                }
            }
            @if d.can.cancel {
                form.cancel method="post" action=(format!("/commitments/{}/status", c.id)) {
                    (csrf_field(user)) input type="hidden" name="status" value="cancelled";
                    label for="cancel-note" { "Why cancel it?" }
                    input #cancel-note type="text" name="note" required maxlength="2000";
                    @if c.is_overdue(d.owner_today) && c.owner.id == user.viewer.person_id
                        && c.requester.as_ref().is_none_or(|r| r.id == user.viewer.person_id) {
                        p.hint { "It is past its agreed date: cancelled by you, it counts as not delivered. Your manager or whoever asked for it can take it out of the record." }
                    }
                    button.secondary type="submit" { "Cancel commitment" }
                }
            }
            @if c.status != CommitmentStatus::Open && d.can.complete {
                form method="post" action=(format!("/commitments/{}/status", c.id)) {
                    (csrf_field(user)) input type="hidden" name="status" value="open";
                    button.secondary type="submit" { "Reopen" }
                }
            }
        }
        div.grid {
            @if d.can.renegotiate {
                section.card aria-labelledby="renegotiate" {
                    h2 #renegotiate { "Move the due date" }
                    p.hint { "Agreed before " (c.due_date) " passes, the new date becomes the promise. After it has passed, the history says so and it still counts as late." }
                    form method="post" action=(format!("/commitments/{}/renegotiate", c.id)) novalidate {
                        (csrf_field(user))
                        (input_field(errors, "f-", "due_date", "New due date", &form.due_date, "date", None))
                        (input_field(errors, "f-", "note", "Why", &form.note, "text", None))
                        button type="submit" { "Move due date" }
                    }
                }
            }
            @if d.can.reassign {
                section.card aria-labelledby="reassign" {
                    h2 #reassign { "Reassign" }
                    form method="post" action=(format!("/commitments/{}/reassign", c.id)) novalidate {
                        (csrf_field(user))
                        div.field {
                            label for="f-owner_id" { "New owner" }
                            select #f-owner_id name="owner_id" {
                                @for (pid, name) in &reassign_to {
                                    @if *pid != c.owner.id { option value=(pid) selected[form.owner_id == pid.to_string()] { (name) } }
                                }
                            }
                            @if let Some(e) = error_for(errors, "owner_id") { p.field-error { (e) } }
                        }
                        button type="submit" { "Reassign" }
                    }
                }
            }
        }
        section aria-labelledby="history" {
            h2 #history { "History" }
            ul.history {
                li { "Created " (c.created_on) " by " @match &c.requester { Some(r) => { (r.name) } None => { (c.owner.name) } } ", due " (d.changes.iter().find(|ch| ch.field == ChangeField::DueDate).and_then(|ch| ch.before.clone()).unwrap_or_else(|| c.due_date.to_string())) }
                @for ch in &d.changes {
                    li {
                        (change_text(ch, &names))
                        br; span.muted { (super::format_time(ch.at)) @if let Some(a) = &ch.actor { " · " (a.name) } @if !ch.note.is_empty() { " · \u{201c}" (ch.note) "\u{201d}" } }
                    }
                }
            }
        }
        section aria-labelledby="comments" {
            h2 #comments { "Comments" }
            @if d.comments.is_empty() { p.muted { "No comments yet." } }
            ul.history { @for m in &d.comments { li { (m.body) br; span.muted { (m.author.name) " · " (super::format_time(m.at)) } } } }
            @if d.can.comment {
                form method="post" action=(format!("/commitments/{}/comments", c.id)) novalidate {
                    (csrf_field(user))
                    div.field {
                        label for="f-body" { "Add a comment" }
                        textarea #f-body name="body" rows="2" aria-invalid=[error_for(errors, "body").map(|_| "true")] { (form.body) }
                        @if let Some(e) = error_for(errors, "body") { p.field-error { (e) } }
                    }
                    button type="submit" { "Comment" }
                }
            }
        }
    };
    Ok(page(&frame(user, &settings), &c.title, body))
}

pub async fn show_commitment(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    commitment_page(&state, &user, CommitmentId(id), &ActionForm::default(), &[]).await
}

async fn action_result(
    state: &AppState,
    user: &CurrentUser,
    id: CommitmentId,
    form: &ActionForm,
    result: Result<(), CoreError>,
) -> Result<Response, PageError> {
    super::after_post(result, format!("/commitments/{id}"), |errors| async move {
        commitment_page(state, user, id, form, &errors).await
    })
    .await
}

pub async fn renegotiate(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    let id = CommitmentId(id);
    let mut errors = Vec::new();
    let due = form_date(&mut errors, "due_date", &form.due_date);
    let result = if errors.is_empty() {
        commitments::renegotiate(
            state.store.as_ref(),
            &user.viewer,
            id,
            due,
            &form.note,
            crate::now(),
        )
        .await
        .map(|_| ())
    } else {
        Err(CoreError::Invalid(errors))
    };
    action_result(&state, &user, id, &form, result).await
}

pub async fn reassign(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    let id = CommitmentId(id);
    let result = match form.owner_id.trim().parse::<i64>() {
        Ok(owner) => {
            commitments::reassign(
                state.store.as_ref(),
                &user.viewer,
                id,
                PersonId(owner),
                &form.note,
                crate::now(),
            )
            .await
        }
        Err(_) => Err(CoreError::field("owner_id", "choose the new owner")),
    };
    action_result(&state, &user, id, &form, result).await
}

pub async fn set_status(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    let id = CommitmentId(id);
    let Some(status) = CommitmentStatus::parse(&form.status) else {
        return Err(CoreError::field("status", "choose open, done or cancelled").into());
    };
    let result = commitments::set_status(
        state.store.as_ref(),
        &user.viewer,
        id,
        status,
        &form.note,
        crate::now(),
    )
    .await;
    action_result(&state, &user, id, &form, result).await
}

pub async fn comment(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Form(form): Form<ActionForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&form.csrf)?;
    let id = CommitmentId(id);
    let result = commitments::comment(
        state.store.as_ref(),
        &user.viewer,
        id,
        &form.body,
        crate::now(),
    )
    .await;
    action_result(&state, &user, id, &form, result).await
}
