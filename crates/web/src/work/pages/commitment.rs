//! Commitments: new, show, edit, renegotiate, reassign, complete, comment.

use super::*;
use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::page;
use crate::pages::{
    csrf_field, error_for, error_summary, form_date, form_number, hours, input_field, settings,
};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::ids::{CommitmentId, ObjectiveId};
use trellis_core::work::commitments::{self, CommitmentDetail, CommitmentInput};
use trellis_core::work::objectives::view;
use trellis_core::work::store::ObjectiveFilter;
use trellis_core::work::{ChangeField, Commitment, CommitmentStatus, ObjectiveView};
use trellis_core::{CoreError, FieldError, PersonId, Store};

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
pub(super) async fn objective_choices(store: &dyn Store) -> Result<Vec<ObjectiveView>, PageError> {
    let now = crate::now();
    Ok(store
        .objectives(&ObjectiveFilter {
            active_on: Some(trellis_core::clock::local_date(None, now)),
            ..ObjectiveFilter::default()
        })
        .await?
        .into_iter()
        .take(300)
        .map(|o| view(o, now))
        .collect())
}

/// People the viewer may give work to: themselves and their tree.
pub(super) async fn owner_choices(
    store: &dyn Store,
    user: &CurrentUser,
) -> Result<Vec<(PersonId, String)>, PageError> {
    Ok(store
        .tree_members(user.viewer.person_id())
        .await?
        .into_iter()
        .take(1000)
        .map(|m| (m.id, m.name))
        .collect())
}

pub(super) async fn commitment_form_page(
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
                            option value=(id) selected[form.owner_id == id.to_string()] { (name) @if *id == user.viewer.person_id() { " (me)" } }
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
                select #f-objective_id name="objective_id" data-filter="Search by title or owner" {
                    option value="" { "None" }
                    @for o in &objectives {
                        option value=(o.objective.id) selected[form.objective_id == o.objective.id.to_string()] { (crate::work::pages::objectives::choice_label(&o.objective)) }
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
        owner_id: params
            .owner
            .unwrap_or(user.viewer.person_id().0)
            .to_string(),
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
    CsrfForm(user, form): CsrfForm<CommitmentForm>,
) -> Result<Response, PageError> {
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
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<CommitmentForm>,
) -> Result<Response, PageError> {
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

pub(super) fn change_text(
    c: &trellis_core::work::CommitmentChange,
    names: &[(PersonId, String)],
) -> Markup {
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

pub(super) async fn commitment_page(
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
                CommitmentStatus::Done => { "Done" @if let Some(day) = c.completed_on { " on " (crate::pages::format_date(day)) }
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
                    @if c.is_overdue(d.owner_today) && c.owner.id == user.viewer.person_id()
                        && c.requester.as_ref().is_none_or(|r| r.id == user.viewer.person_id()) {
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
                            // Nobody is picked for the manager: the first person listed is
                            // not a default anyone chose.
                            select #f-owner_id name="owner_id" required {
                                option value="" disabled selected[!reassign_to.iter().any(|(pid, _)| *pid != c.owner.id && form.owner_id == pid.to_string())] { "Choose who takes it over" }
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
        (history_and_comments(user, &d, &names, form, errors))
    };
    Ok(page(&frame(user, &settings), &c.title, body))
}

/// A commitment's history and its comments, with the comment form for those who may.
fn history_and_comments(
    user: &CurrentUser,
    d: &CommitmentDetail,
    names: &[(PersonId, String)],
    form: &ActionForm,
    errors: &[FieldError],
) -> Markup {
    let c = &d.commitment;
    html! {
        section aria-labelledby="history" {
            h2 #history { "History" }
            ul.history {
                li { "Created " (c.created_on) " by " @match &c.requester { Some(r) => { (r.name) } None => { (c.owner.name) } } ", due " (d.changes.iter().find(|ch| ch.field == ChangeField::DueDate).and_then(|ch| ch.before.clone()).unwrap_or_else(|| c.due_date.to_string())) }
                @for ch in &d.changes {
                    li {
                        (change_text(ch, names))
                        br; span.muted { (crate::pages::format_time(ch.at, user)) @if let Some(a) = &ch.actor { " · " (a.name) } @if !ch.note.is_empty() { " · \u{201c}" (ch.note) "\u{201d}" } }
                    }
                }
            }
        }
        section aria-labelledby="comments" {
            h2 #comments { "Comments" }
            @if d.comments.is_empty() { p.muted { "No comments yet." } }
            ul.history { @for m in &d.comments { li { (m.body) br; span.muted { (m.author.name) " · " (crate::pages::format_time(m.at, user)) } } } }
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
    }
}

pub async fn show_commitment(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    commitment_page(&state, &user, CommitmentId(id), &ActionForm::default(), &[]).await
}

pub(super) async fn action_result(
    state: &AppState,
    user: &CurrentUser,
    id: CommitmentId,
    form: &ActionForm,
    result: Result<(), CoreError>,
) -> Result<Response, PageError> {
    crate::pages::after_post(
        result,
        format!("/commitments/{id}"),
        Some(crate::pages::flash::Flash::Saved),
        |errors| async move { commitment_page(state, user, id, form, &errors).await },
    )
    .await
}

pub async fn renegotiate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
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
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
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
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
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
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<ActionForm>,
) -> Result<Response, PageError> {
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

crate::auth::csrf_form!(ActionForm, CommitmentForm);
