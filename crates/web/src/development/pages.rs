//! `/development` (the programmes one runs, is in or facilitates in; admins create one)
//! and `/development/{id}` (the description, participants, sessions; the facilitator
//! marks attendance; attendees rate a session once it has ended; the facilitator and
//! admins read the ratings under the anonymity rule).

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::connect::exclusions::chosen;
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_for, error_summary, input_field, settings};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::clock::local_time;
use trellis_core::development::coverage::CareerSupportCoverage;
use trellis_core::development::views::{self, CohortView, SessionView};
use trellis_core::development::{self, CohortInput, SessionInput};
use trellis_core::ids::{CohortId, SessionId};
use trellis_core::provisioning::groups::{self, GroupRecord};
use trellis_core::{CoreError, FieldError, PersonId};

#[derive(Debug, Default, Clone, Deserialize)]
pub struct CohortForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub capacity: String,
    /// Ids chosen by the search, comma-separated.
    #[serde(default)]
    pub people: String,
    #[serde(default)]
    pub people_emails: String,
    /// Also everyone who became a manager in this many months; empty for nobody.
    #[serde(default)]
    pub new_managers_months: String,
    /// Also the active members of this group (its id); empty for none.
    #[serde(default)]
    pub group: String,
}
crate::auth::csrf_form!(CohortForm);

#[derive(Debug, Default, Clone, Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub title: String,
    /// From a datetime-local input: "2026-12-10T14:00".
    #[serde(default)]
    pub starts: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub place: String,
    /// The facilitator's e-mail.
    #[serde(default)]
    pub facilitator: String,
}
crate::auth::csrf_form!(SessionForm);

#[derive(Debug, Default, Clone, Deserialize)]
pub struct MarkForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub person: i64,
    /// "1" came, "0" did not.
    #[serde(default)]
    pub attended: String,
}
crate::auth::csrf_form!(MarkForm);

#[derive(Debug, Default, Clone, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub rating: String,
    #[serde(default)]
    pub comment: String,
}
crate::auth::csrf_form!(RatingForm);

fn frame<'a>(user: &'a CurrentUser, settings: &'a trellis_core::settings::Settings) -> Frame<'a> {
    Frame {
        user,
        settings,
        section: "development",
    }
}

fn people_picker(errors: &[FieldError], form_people: &str, emails: &str, label: &str) -> Markup {
    html! {
        div.field {
            label for="d-people_emails" { (label) }
            input type="hidden" name="people" value=(form_people) data-chosen-ids;
            ul.chosen aria-label="Chosen people" aria-live="polite" {}
            input #d-people_emails type="search" name="people_emails" value=(emails) autocomplete="off"
                data-people-search="1000" data-me="0" placeholder="Type a name or e-mail"
                aria-invalid=[error_for(errors, "participants").map(|_| "true")];
            @if let Some(e) = error_for(errors, "participants") { p.field-error { (e) } }
            p.hint { "Type to search, then choose; or write e-mail addresses separated by commas." }
            ul.search-results role="listbox" aria-label="Matching people" {}
        }
    }
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    form: &CohortForm,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let list = views::cohorts_for(state.store.as_ref(), &user.viewer, crate::now()).await?;
    let zone = user.account.time_zone.as_deref();
    Ok(page(
        &frame(user, &settings),
        "Development programmes",
        html! {
            h1 { "Development programmes" }
            p.lead { "Cohorts that learn together: sessions, attendance, and what attendees thought." }
            @if list.is_empty() {
                p { "You are not in a development programme." }
            } @else {
                ul.cards {
                    @for s in &list {
                        li.card {
                            h3 { a href=(format!("/development/{}", s.cohort.id)) { (s.cohort.name) } }
                            p { (s.cohort.participants.len()) " of " (s.cohort.capacity) " places taken · " (s.sessions) " sessions" }
                            @if let Some(at) = s.next_session_at { p.hint { "Next session " (local_time(zone, at)) } }
                        }
                    }
                }
            }
            @if user.viewer.may_administer() {
                section.card aria-labelledby="new-cohort" {
                    h2 #new-cohort { "New development programme" }
                    (error_summary(errors, "d-"))
                    form method="post" action="/development" novalidate {
                        (csrf_field(user))
                        (input_field(errors, "d-", "name", "Name", &form.name, "text", Some("For example “New managers, spring cohort”.")))
                        div.field {
                            label for="d-description" { "Description" }
                            textarea #d-description name="description" rows="3" { (form.description) }
                        }
                        (input_field(errors, "d-", "capacity", "Capacity", &form.capacity, "number", Some("How many people it takes; at least the participants.")))
                        (people_picker(errors, &form.people, &form.people_emails, "Participants"))
                        (input_field(errors, "d-", "new_managers_months", "Also everyone who became a manager in the last … months", &form.new_managers_months, "number", Some("For a new-managers cohort: for example 6. Leave empty to choose people only.")))
                        div.actions { button type="submit" { "Create programme" } }
                    }
                }
            }
        },
    ))
}

async fn show_list(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    list_page(&state, &user, &CohortForm::default(), &[]).await
}

async fn people_of(state: &AppState, ids: &str, emails: &str) -> Result<Vec<i64>, CoreError> {
    if ids.trim().is_empty() && emails.trim().is_empty() {
        return Ok(Vec::new());
    }
    Ok(chosen(state, ids, emails, "participants")
        .await?
        .into_iter()
        .map(|p| p.0)
        .collect())
}

async fn create(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<CohortForm>,
) -> Result<Response, PageError> {
    let result = match people_of(&state, &form.people, &form.people_emails).await {
        Ok(participants) => {
            let input = CohortInput {
                name: form.name.clone(),
                description: form.description.clone(),
                capacity: form.capacity.trim().parse().unwrap_or(0),
                participants,
                new_managers_months: match form.new_managers_months.trim() {
                    "" => None,
                    text => Some(text.parse().unwrap_or(0)),
                },
            };
            development::create_cohort(state.store.as_ref(), &user.viewer, &input, crate::now())
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/development/{id}")).into_response()),
        Err(CoreError::Invalid(errors)) => {
            let page = list_page(&state, &user, &form, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn session_card(user: &CurrentUser, view: &SessionView) -> Markup {
    let s = &view.session;
    let zone = user.account.time_zone.as_deref();
    html! {
        li.card.session {
            h3 { (s.title) @if s.cancelled_at.is_some() { " " span.badge { "cancelled" } } }
            p { (local_time(zone, s.starts_at)) " · " (s.minutes) " minutes · " (s.place) " · facilitated by " (s.facilitator.name) }
            @if view.may_cancel {
                form.inline method="post" action=(format!("/development/sessions/{}/cancel", s.id)) {
                    (csrf_field(user))
                    button.secondary type="submit" { "Cancel this session" }
                }
            }
            @match view.mine {
                Some(true) => p.notice { "You attended." },
                Some(false) => p { "You were not there." },
                None => {},
            }
            @if view.gave_feedback { p.hint { "Thank you for your feedback." } }
            @if view.may_give_feedback {
                form.rating method="post" action=(format!("/development/sessions/{}/feedback", s.id)) {
                    (csrf_field(user))
                    fieldset {
                        legend { "How useful was it? (only attendees answer; shown only as a group)" }
                        @for r in 1..=5 {
                            label.check { input type="radio" name="rating" value=(r) required; " " (r) }
                        }
                    }
                    div.field {
                        label for=(format!("c-{}", s.id)) { "Comment (optional)" }
                        textarea id=(format!("c-{}", s.id)) name="comment" rows="2" {}
                    }
                    button type="submit" { "Send feedback" }
                }
            }
            @if !view.attendance.is_empty() && s.cancelled_at.is_none() {
                h4 { "Attendance" }
                @if !view.may_mark { p.hint { "Marked once the session has begun." } }
                ul.attendance {
                    @for a in &view.attendance {
                        li {
                            (a.person.name) ": "
                            @match a.attended { Some(true) => "came", Some(false) => "did not come", None => "not marked" }
                            @if view.may_mark {
                                " "
                                form.inline method="post" action=(format!("/development/sessions/{}/attendance", s.id)) {
                                    (csrf_field(user))
                                    input type="hidden" name="person" value=(a.person.id.0);
                                    button.secondary type="submit" name="attended" value="1" aria-label=(format!("{} came", a.person.name)) { "Came" }
                                    " "
                                    button.secondary type="submit" name="attended" value="0" aria-label=(format!("{} did not come", a.person.name)) { "Did not come" }
                                }
                            }
                        }
                    }
                }
            }
            @if let Some(f) = &view.feedback {
                h4 { "Feedback" }
                @match (f.average, &f.hidden) {
                    (Some(avg), _) => {
                        p.figure { (format!("{avg:.1}")) " out of 5 from " (f.answers) " attendees" }
                        @if !f.comments.is_empty() { ul.comments { @for c in &f.comments { li { (c) } } } }
                    }
                    (None, Some(why)) => p.hint { (crate::pages::plural(f.answers as i64, "answer", "answers")) " so far: " (why) "." },
                    _ => {},
                }
            }
        }
    }
}

fn cohort_page(
    user: &CurrentUser,
    settings: &trellis_core::settings::Settings,
    view: &CohortView,
    (form, groups): (&SessionForm, &[GroupRecord]),
    errors: &[FieldError],
) -> Markup {
    let c = &view.cohort;
    page(
        &frame(user, settings),
        &c.name,
        html! {
            p.breadcrumb { a href="/development" { "Development programmes" } }
            h1 { (c.name) }
            @if !c.description.is_empty() { p.lead { (c.description) } }
            section.card aria-labelledby="participants" {
                h2 #participants { "Participants (" (c.participants.len()) " of " (c.capacity) ")" }
                ul {
                    @for p in &c.participants {
                        li {
                            a href=(format!("/people/{}", p.id)) { (p.name) }
                            @if view.runs_it {
                                " "
                                form.inline method="post" action=(format!("/development/{}/participants/{}/remove", c.id, p.id)) {
                                    (csrf_field(user))
                                    button.secondary type="submit" aria-label=(format!("Take {} out", p.name)) { "Take out" }
                                }
                            }
                        }
                    }
                }
                @if view.runs_it {
                    (error_summary(&errors.iter().filter(|e| e.field == "participants").cloned().collect::<Vec<_>>(), "d-"))
                    form method="post" action=(format!("/development/{}/participants", c.id)) novalidate {
                        (csrf_field(user))
                        (people_picker(errors, "", "", "Add participants"))
                        @if !groups.is_empty() {
                            div.field {
                                label for="d-group" { "And the members of a group" }
                                select #d-group name="group" {
                                    option value="" { "No group" }
                                    @for g in groups { option value=(g.id) { (g.name) } }
                                }
                            }
                        }
                        div.actions { button type="submit" { "Add" } }
                    }
                }
            }
            section.card aria-labelledby="sessions" {
                h2 #sessions { "Sessions" }
                @if view.sessions.is_empty() { p { "No sessions yet." } }
                ul.sessions { @for s in &view.sessions { (session_card(user, s)) } }
                @if view.runs_it {
                    h3 { "Add a session" }
                    (error_summary(&errors.iter().filter(|e| e.field != "participants").cloned().collect::<Vec<_>>(), "s-"))
                    form method="post" action=(format!("/development/{}/sessions", c.id)) novalidate {
                        (csrf_field(user))
                        (input_field(errors, "s-", "title", "Title", &form.title, "text", None))
                        (input_field(errors, "s-", "starts", "Starts", &form.starts, "datetime-local", Some("In your time zone.")))
                        (input_field(errors, "s-", "minutes", "Minutes", &form.minutes, "number", Some("15 to 480.")))
                        (input_field(errors, "s-", "place", "Place or link", &form.place, "text", None))
                        (input_field(errors, "s-", "facilitator_id", "Facilitator's e-mail", &form.facilitator, "email", None))
                        div.actions { button type="submit" { "Add session" } }
                    }
                }
            }
        },
    )
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    id: CohortId,
    form: &SessionForm,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let view = views::cohort_view(
        state.store.as_ref(),
        &user.viewer,
        id,
        settings.anonymity_k_survey,
        crate::now(),
    )
    .await?;
    // Groups to add from, for those who run the programme.
    let groups = if view.runs_it {
        state.store.groups(false).await?
    } else {
        Vec::new()
    };
    Ok(cohort_page(user, &settings, &view, (form, &groups), errors))
}

async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    render(&state, &user, CohortId(id), &SessionForm::default(), &[]).await
}

/// Re-renders the programme with the form's errors, or goes back to it.
async fn answer(
    state: &AppState,
    user: &CurrentUser,
    id: CohortId,
    form: &SessionForm,
    result: Result<(), CoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/development/{id}")).into_response()),
        Err(CoreError::Invalid(errors)) => {
            let page = render(state, user, id, form, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

async fn add_participants(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<CohortForm>,
) -> Result<Response, PageError> {
    let id = CohortId(id);
    let chosen = match people_of(&state, &form.people, &form.people_emails).await {
        Ok(mut people) => match form.group.trim().parse::<i64>() {
            Ok(group) => groups::active_members(state.store.as_ref(), group, "participants")
                .await
                .map(|members| {
                    people.extend(members.iter().map(|m| m.0));
                    people.sort_unstable();
                    people.dedup();
                    people
                }),
            Err(_) => Ok(people),
        },
        Err(e) => Err(e),
    };
    let result = match chosen {
        Ok(people) => development::add_participants(
            state.store.as_ref(),
            &user.viewer,
            id,
            &people,
            crate::now(),
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    answer(&state, &user, id, &SessionForm::default(), result).await
}

async fn remove_participant(
    State(state): State<AppState>,
    Path((id, person)): Path<(i64, i64)>,
    CsrfForm(user, _form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    development::remove_participant(
        state.store.as_ref(),
        &user.viewer,
        CohortId(id),
        PersonId(person),
    )
    .await?;
    Ok(Redirect::to(&format!("/development/{id}")).into_response())
}

async fn add_session(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<SessionForm>,
) -> Result<Response, PageError> {
    let id = CohortId(id);
    let facilitator = state
        .store
        .person_id_by_email(form.facilitator.trim())
        .await?;
    let result = match facilitator {
        None => Err(CoreError::field(
            "facilitator_id",
            format!("nobody has the e-mail {:?}", form.facilitator.trim()),
        )),
        Some(facilitator) => {
            let input = SessionInput {
                title: form.title.clone(),
                starts: form.starts.clone(),
                time_zone: user.account.time_zone.clone(),
                minutes: form.minutes.trim().parse().unwrap_or(0),
                place: form.place.clone(),
                facilitator_id: facilitator.0,
            };
            development::add_session(state.store.as_ref(), &user.viewer, id, &input, crate::now())
                .await
                .map(|_| ())
        }
    };
    answer(&state, &user, id, &form, result).await
}

async fn cohort_of(state: &AppState, session: SessionId) -> Result<CohortId, PageError> {
    Ok(state
        .store
        .dev_session(session)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("session {session}")))?
        .cohort)
}

async fn mark(
    State(state): State<AppState>,
    Path(session): Path<i64>,
    CsrfForm(user, form): CsrfForm<MarkForm>,
) -> Result<Response, PageError> {
    let session = SessionId(session);
    development::mark_attendance(
        state.store.as_ref(),
        &user.viewer,
        session,
        PersonId(form.person),
        form.attended == "1",
        crate::now(),
    )
    .await?;
    let id = cohort_of(&state, session).await?;
    Ok(Redirect::to(&format!("/development/{id}#sessions")).into_response())
}

async fn cancel(
    State(state): State<AppState>,
    Path(session): Path<i64>,
    CsrfForm(user, form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    let id = SessionId(session);
    if !crate::pages::confirmed(&form.confirmed) {
        let s = state
            .store
            .dev_session(id)
            .await?
            .ok_or_else(|| CoreError::NotFound(format!("session {id}")))?;
        return crate::pages::Confirmation {
            title: "Cancel this session?",
            question: html! {
                "\u{201c}" (s.title) "\u{201d} on " (local_time(user.account.time_zone.as_deref(), s.starts_at))
                " will be cancelled: its participants and facilitator are told, and their calendars show it cancelled."
            },
            action: format!("/development/sessions/{session}/cancel"),
            fields: Vec::new(),
            button: "Cancel the session",
            back: format!("/development/{}", s.cohort),
        }
        .page(&state, &user)
        .await;
    }
    let cohort =
        development::cancel_session(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    Ok(Redirect::to(&format!("/development/{cohort}#sessions")).into_response())
}

async fn rate(
    State(state): State<AppState>,
    Path(session): Path<i64>,
    CsrfForm(user, form): CsrfForm<RatingForm>,
) -> Result<Response, PageError> {
    let session = SessionId(session);
    development::give_feedback(
        state.store.as_ref(),
        &user.viewer,
        session,
        form.rating.trim().parse().unwrap_or(0),
        &form.comment,
        crate::now(),
    )
    .await?;
    let id = cohort_of(&state, session).await?;
    Ok(Redirect::to(&format!("/development/{id}#sessions")).into_response())
}

/// A manager's career support coverage with each direct report's three parts.
pub(crate) fn career_support(c: &CareerSupportCoverage) -> Markup {
    let mark = |yes: bool| if yes { "yes" } else { "—" };
    html! {
        section.card aria-labelledby="career-support" {
            h2 #career-support { "Career support of direct reports" }
            @match c.share {
                None => p.muted { "No direct reports." },
                Some(share) => {
                    p.figure { strong { (format!("{:.0} %", share * 100.0)) } " — " (c.covered) " of " (c.reports.len())
                        " with all three: a career plan reviewed in six months, stretch work in the last quarter, and a mentor or development programme." }
                    table {
                        thead { tr { th { "Report" } th { "Plan reviewed" } th { "Stretch" } th { "Mentor or programme" } } }
                        tbody {
                            @for r in &c.reports {
                                tr {
                                    td { a href=(format!("/people/{}/career", r.person.id)) { (r.person.name) } }
                                    td { (mark(r.plan_reviewed)) } td { (mark(r.stretch)) } td { (mark(r.mentor_or_programme)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/development", get(show_list).post(create))
        .route("/development/{id}", get(show))
        .route("/development/{id}/participants", post(add_participants))
        .route(
            "/development/{id}/participants/{person}/remove",
            post(remove_participant),
        )
        .route("/development/{id}/sessions", post(add_session))
        .route("/development/sessions/{id}/attendance", post(mark))
        .route("/development/sessions/{id}/feedback", post(rate))
        .route("/development/sessions/{id}/cancel", post(cancel))
}
