//! One meeting of a 1:1 series: the shared agenda (with its carry-over rules stated), the
//! action items, shared notes, the viewer's private note, changing the meeting, and the
//! job and career panel beside it.

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::flash::Flash;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_summary, format_date, format_time, settings};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::conversations::series::{self, ActionInput, MeetingChange, MeetingView};
use trellis_core::conversations::{Meeting, MeetingState, Point};
use trellis_core::ids::{ActionId, PersonId, PointId, SeriesId};
use trellis_core::{CoreError, FieldError};

/// Every form of the meeting page, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct MeetingForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub ticked: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub owner_id: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub effort_hours: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub recurring: String,
}

crate::auth::csrf_form!(MeetingForm);

fn when_text(m: &Meeting, zone: &str) -> String {
    let end = m.starts + chrono::Duration::seconds(m.ends_at - m.starts_at);
    format!(
        "{} – {} ({zone})",
        m.starts.format("%A %-d %B %Y, %H:%M"),
        end.format("%H:%M")
    )
}

fn state_flag(m: &Meeting) -> Markup {
    html! {
        @match m.state {
            MeetingState::Planned => {},
            MeetingState::Moved => { " " span.flag { "moved from " (m.occurrence.format("%-d %b")) } },
            MeetingState::Skipped => { " " span.flag.warn { "skipped" } },
            MeetingState::Cancelled => { " " span.flag.bad { "cancelled" } },
        }
    }
}

fn point_line(
    user: &CurrentUser,
    v: &MeetingView,
    p: &Point,
    carried: bool,
    ticked: bool,
) -> Markup {
    let id = v.series.id;
    html! {
        li.point {
            @if v.agenda.is_current {
                form.inline method="post" action=(format!("/one-on-ones/{id}/points/{}/tick", p.id)) {
                    (csrf_field(user))
                    input type="hidden" name="ticked" value=(if ticked { "0" } else { "1" });
                    button.small.secondary type="submit" aria-label=(format!("{} {}", if ticked { "Untick" } else { "Tick" }, p.text)) { @if ticked { "✓" } @else { "○" } }
                }
                " "
            } @else if ticked { "✓ " }
            @if let Some(link) = &p.link { a href=(link) { (p.text) } } @else { (p.text) }
            " " span.muted { "· " (p.author.name) }
            @if carried { " " span.flag { "carried over" } }
            @if v.agenda.is_current && !ticked && p.author.id == user.viewer.person_id() {
                " "
                form.inline method="post" action=(format!("/one-on-ones/{id}/points/{}/remove", p.id)) {
                    (csrf_field(user))
                    button.link type="submit" aria-label=(format!("Remove {}", p.text)) { "remove" }
                }
            }
        }
    }
}

fn agenda_section(
    user: &CurrentUser,
    v: &MeetingView,
    form: &MeetingForm,
    errors: &[FieldError],
) -> Markup {
    let id = v.series.id;
    html! {
        section.card aria-labelledby="agenda" {
            h2 #agenda { "Agenda" }
            p.hint { (v.rules) }
            @if !v.series.recurring.is_empty() {
                h3 { "Asked every time" }
                ul { @for r in &v.series.recurring { li { (r) } } }
            }
            @if v.agenda.is_current {
                @if v.agenda.open.is_empty() { p.muted { "No open talking points. Add what you would like to talk about." } }
                ul.plain.points { @for p in &v.agenda.open { (point_line(user, v, &p.point, p.carried_over, false)) } }
                (error_summary(errors, "a-"))
                form method="post" action=(format!("/one-on-ones/{id}/points")) {
                    (csrf_field(user))
                    div.field {
                        label for="a-text" { "Add a talking point" }
                        textarea #a-text name="text" rows="2" maxlength="2000" required { (form.text) }
                    }
                    button type="submit" { "Add" }
                }
            } @else if v.agenda.discussed.is_empty() && v.agenda.passed_on.is_empty() {
                p.muted { "Talking points go on the next meeting that takes place; this one's agenda opens when it is next." }
            }
            @if !v.agenda.discussed.is_empty() {
                h3 { "Discussed" }
                ul.plain.points { @for p in &v.agenda.discussed { (point_line(user, v, p, false, true)) } }
            }
            @if !v.agenda.passed_on.is_empty() {
                h3 { "Went on to a later meeting" }
                ul.plain.points { @for p in &v.agenda.passed_on { (point_line(user, v, p, false, false)) } }
            }
            details {
                summary { "Points asked every time" }
                form method="post" action=(format!("/one-on-ones/{id}/recurring")) {
                    (csrf_field(user))
                    div.field {
                        label for="recurring" { "One per line (at most 10)" }
                        textarea #recurring name="recurring" rows="3" { (v.series.recurring.join("\n")) }
                    }
                    button.secondary type="submit" { "Save" }
                }
            }
        }
    }
}

fn actions_section(
    user: &CurrentUser,
    v: &MeetingView,
    form: &MeetingForm,
    errors: &[FieldError],
) -> Markup {
    let id = v.series.id;
    let me = user.viewer.person_id();
    let partner = v.series.partner_of(me);
    html! {
        section.card aria-labelledby="actions" {
            h2 #actions { "Action items" }
            p.hint { "Action items go on their owner's plate and count in delivery like any work. One you set for the other person waits until they accept it. Open ones come back here until done." }
            @if v.actions.is_empty() { p.muted { "None yet." } }
            ul.plain {
                @for a in &v.actions {
                    li {
                        @match a.commitment {
                            Some(c) => { a href=(format!("/commitments/{c}")) { (a.title) } },
                            None => { (a.title) },
                        }
                        " · " (a.owner.name)
                        @if let Some(d) = a.due_date { " · due " (format_date(d)) }
                        @if a.commitment.is_some() && !a.open { " " span.flag.good { "done" } }
                        @if a.commitment.is_none() {
                            @if a.due_date.is_none() || a.effort_hours.is_none() { " " span.flag.warn { "needs a due date and effort" } }
                            @else if a.owner.id == me {
                                form.inline method="post" action=(format!("/one-on-ones/{id}/actions/{}/accept", a.id)) {
                                    (csrf_field(user))
                                    button.small type="submit" { "Accept onto my plate" }
                                }
                            } @else { " " span.flag { "waiting for " (a.owner.name) " to accept" } }
                        }
                    }
                }
            }
            @if v.agenda.is_current {
                (error_summary(errors, "x-"))
                form method="post" action=(format!("/one-on-ones/{id}/actions")) {
                    (csrf_field(user))
                    div.field {
                        label for="x-title" { "What" }
                        input #x-title type="text" name="title" maxlength="200" value=(form.title) required;
                    }
                    div.inline-forms {
                        div.field {
                            label for="x-owner" { "Who" }
                            select #x-owner name="owner_id" {
                                option value=(me) selected[form.owner_id != partner.id.to_string()] { "Me" }
                                option value=(partner.id) selected[form.owner_id == partner.id.to_string()] { (partner.name) }
                            }
                        }
                        div.field {
                            label for="x-due" { "Due" }
                            input #x-due type="date" name="due_date" value=(form.due_date);
                        }
                        div.field {
                            label for="x-effort" { "Hours" }
                            input.place #x-effort type="number" name="effort_hours" min="0.5" step="0.5" value=(form.effort_hours);
                        }
                    }
                    button type="submit" { "Add action item" }
                }
            }
        }
    }
}

fn notes_section(user: &CurrentUser, v: &MeetingView) -> Markup {
    let id = v.series.id;
    let date = v.meeting.occurrence;
    let partner = &v.series.partner_of(user.viewer.person_id()).name;
    html! {
        section.card aria-labelledby="shared" {
            h2 #shared { "Shared notes" }
            p.hint { "You and " (partner) " both read and edit these." }
            form method="post" action=(format!("/one-on-ones/{id}/meetings/{date}/shared-note")) {
                (csrf_field(user))
                label.visually-hidden for="shared-text" { "Shared notes" }
                textarea #shared-text name="text" rows="5" maxlength="20000" { @if let Some(n) = &v.shared_note { (n.text) } }
                @if let Some(n) = &v.shared_note { p.muted { "Last saved by " (n.by.name) ", " (format_time(n.at, user)) } }
                button.secondary type="submit" { "Save shared notes" }
            }
        }
        section.card.private aria-labelledby="private" {
            h2 #private { "My private note" }
            p.hint { "Only you can read this note — not " (partner) ", not your managers, not people admins, not exports. Trellis keeps it sealed with the server's secret key, so even a copy of the database does not show it." }
            form method="post" action=(format!("/one-on-ones/{id}/meetings/{date}/private-note")) {
                (csrf_field(user))
                label.visually-hidden for="private-text" { "My private note" }
                textarea #private-text name="text" rows="4" maxlength="20000" { @if let Some(n) = &v.private_note { (n) } }
                button.secondary type="submit" { "Save my private note" }
            }
        }
    }
}

fn change_section(user: &CurrentUser, v: &MeetingView, errors: &[FieldError]) -> Markup {
    let id = v.series.id;
    let date = v.meeting.occurrence;
    let open = v.series.status == trellis_core::conversations::SeriesStatus::Active
        && v.meeting.ends_at > crate::now();
    html! {
        @if open {
            section.card aria-labelledby="change" {
                h2 #change { "Change this meeting" }
                (error_summary(errors, "c-"))
                form.inline-forms method="post" action=(format!("/one-on-ones/{id}/meetings/{date}/change")) {
                    (csrf_field(user))
                    input type="hidden" name="action" value="move";
                    div.field {
                        label for="c-to" { "Move to" }
                        input #c-to type="datetime-local" name="to" value=(v.meeting.starts.format("%Y-%m-%dT%H:%M")) required;
                    }
                    button.secondary type="submit" { "Move" }
                }
                @for (action, label) in [("skip", "Skip this one"), ("cancel", "Cancel this one"), ("restore", "Back as planned")] {
                    @if action != "restore" || v.meeting.state != MeetingState::Planned {
                        form.inline method="post" action=(format!("/one-on-ones/{id}/meetings/{date}/change")) {
                            (csrf_field(user))
                            input type="hidden" name="action" value=(action);
                            button.secondary type="submit" { (label) }
                        }
                    }
                }
                p.hint { "A skipped or cancelled meeting passes its talking points on to the next one." }
            }
        }
    }
}

pub(crate) async fn meeting_page(
    state: &AppState,
    user: &CurrentUser,
    id: SeriesId,
    occurrence: Option<NaiveDate>,
    form: Option<&MeetingForm>,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let v = series::meeting(
        state.store.as_ref(),
        &state.config.note_key,
        &user.viewer,
        id,
        occurrence,
        crate::now(),
    )
    .await?;
    let panel = super::panel::about(state, user, &v.series).await?;
    let blank = MeetingForm::default();
    let form = form.unwrap_or(&blank);
    let zone = v
        .series
        .schedule
        .as_ref()
        .map(|s| s.time_zone.as_str())
        .unwrap_or("UTC");
    let prefixed = |p: &str| {
        errors
            .iter()
            .filter(|e| e.field.starts_with(p))
            .map(|e| FieldError::new(e.field.trim_start_matches(p), e.message.clone()))
            .collect::<Vec<_>>()
    };
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "one-on-ones",
        },
        &v.series.title(),
        html! {
            p { a href="/one-on-ones" { "← All 1:1s" } }
            h1 { (v.series.title()) }
            p.lead { (when_text(&v.meeting, zone)) (state_flag(&v.meeting)) @if v.agenda.is_current { " " span.flag.good { "current" } } }
            @if let Some(s) = &v.series.schedule { p.muted { (s.describe()) @if v.may_schedule { " · " a href=(format!("/one-on-ones/{id}/time")) { "change the time" } } } }
            nav.meetings aria-label="Meetings of this series" {
                ul {
                    @for m in &v.nearby {
                        li { a href=(format!("/one-on-ones/{id}/meetings/{}", m.occurrence)) aria-current=[(m.occurrence == v.meeting.occurrence).then_some("page")] { (m.starts.format("%-d %b")) } (state_flag(m)) }
                    }
                }
            }
            div.meeting-layout {
                div {
                    (agenda_section(user, &v, form, &prefixed("a-")))
                    (actions_section(user, &v, form, &prefixed("x-")))
                    (notes_section(user, &v))
                    (change_section(user, &v, &prefixed("c-")))
                }
                @if let Some(panel) = panel { (panel) }
            }
        },
    ))
}

pub async fn show_meeting(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path((id, date)): Path<(i64, String)>,
) -> Result<Markup, PageError> {
    let occurrence = if date == "current" {
        None
    } else {
        Some(
            date.parse()
                .map_err(|_| CoreError::NotFound(format!("a meeting on {date:?}")))?,
        )
    };
    meeting_page(&state, &user, SeriesId(id), occurrence, None, &[]).await
}

fn back(id: SeriesId, date: Option<NaiveDate>, anchor: &str) -> String {
    match date {
        Some(d) => format!("/one-on-ones/{id}/meetings/{d}#{anchor}"),
        None => format!("/one-on-ones/{id}/meetings/current#{anchor}"),
    }
}

/// Where a form of the meeting page returns: its meeting, the section to show, and the
/// prefix that puts field errors under that section's form.
struct Back {
    id: SeriesId,
    date: Option<NaiveDate>,
    anchor: &'static str,
    prefix: &'static str,
}

/// After a form of the meeting page: back to the meeting, or the page again with the
/// field errors under the form they belong to.
async fn done(
    state: &AppState,
    user: &CurrentUser,
    to: Back,
    form: &MeetingForm,
    result: Result<(), CoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(crate::pages::flash::redirect(
            &back(to.id, to.date, to.anchor),
            Flash::Saved,
        )),
        Err(CoreError::Invalid(errors)) => {
            let errors: Vec<FieldError> = errors
                .into_iter()
                .map(|e| FieldError::new(format!("{}{}", to.prefix, e.field), e.message))
                .collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                meeting_page(state, user, to.id, to.date, Some(form), &errors).await?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn planned(date: &str) -> Result<NaiveDate, PageError> {
    Ok(date
        .parse()
        .map_err(|_| CoreError::NotFound(format!("a meeting on {date:?}")))?)
}

pub async fn add_point(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    let link = Some(form.link.as_str()).filter(|l| !l.is_empty());
    let r = series::add_point(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        &form.text,
        link,
        crate::now(),
    )
    .await
    .map(|_| ());
    done(
        &state,
        &user,
        Back {
            id: SeriesId(id),
            date: None,
            anchor: "agenda",
            prefix: "a-",
        },
        &form,
        r,
    )
    .await
}

pub async fn tick_point(
    State(state): State<AppState>,
    Path((id, point)): Path<(i64, i64)>,
    CsrfForm(user, form): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    let r = series::tick(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        PointId(point),
        form.ticked == "1",
        crate::now(),
    )
    .await;
    done(
        &state,
        &user,
        Back {
            id: SeriesId(id),
            date: None,
            anchor: "agenda",
            prefix: "a-",
        },
        &form,
        r,
    )
    .await
}

pub async fn remove_point(
    State(state): State<AppState>,
    Path((id, point)): Path<(i64, i64)>,
    CsrfForm(user, form): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    let r = series::remove_point(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        PointId(point),
    )
    .await;
    done(
        &state,
        &user,
        Back {
            id: SeriesId(id),
            date: None,
            anchor: "agenda",
            prefix: "a-",
        },
        &form,
        r,
    )
    .await
}

pub async fn set_recurring(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    let r = series::set_recurring(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        &form.recurring,
    )
    .await;
    done(
        &state,
        &user,
        Back {
            id: SeriesId(id),
            date: None,
            anchor: "agenda",
            prefix: "a-",
        },
        &form,
        r,
    )
    .await
}

pub async fn add_action(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    let parsed =
        (|| -> Result<ActionInput, CoreError> {
            Ok(ActionInput {
                title: form.title.clone(),
                owner_id: form.owner_id.trim().parse().ok().map(PersonId),
                due_date: match form.due_date.trim() {
                    "" => None,
                    d => Some(d.parse().map_err(|_| {
                        CoreError::field("due_date", format!("{d:?} is not a date"))
                    })?),
                },
                effort_hours: {
                    let mut errors = Vec::new();
                    let hours =
                        crate::pages::form_number(&mut errors, "effort_hours", &form.effort_hours);
                    if !errors.is_empty() {
                        return Err(CoreError::Invalid(errors));
                    }
                    hours
                },
                meeting: None,
            })
        })();
    let r = match parsed {
        Ok(input) => series::add_action(
            state.store.as_ref(),
            &user.viewer,
            SeriesId(id),
            &input,
            crate::now(),
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    done(
        &state,
        &user,
        Back {
            id: SeriesId(id),
            date: None,
            anchor: "actions",
            prefix: "x-",
        },
        &form,
        r,
    )
    .await
}

pub async fn accept_action(
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, i64)>,
    CsrfForm(user, form): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    let r = series::accept_action(
        state.store.as_ref(),
        &user.viewer,
        ActionId(action),
        crate::now(),
    )
    .await
    .map(|_| ());
    done(
        &state,
        &user,
        Back {
            id: SeriesId(id),
            date: None,
            anchor: "actions",
            prefix: "x-",
        },
        &form,
        r,
    )
    .await
}

pub async fn save_shared_note(
    State(state): State<AppState>,
    Path((id, date)): Path<(i64, String)>,
    CsrfForm(user, form): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    let date = planned(&date)?;
    let r = series::save_shared_note(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        date,
        &form.text,
        crate::now(),
    )
    .await;
    done(
        &state,
        &user,
        Back {
            id: SeriesId(id),
            date: Some(date),
            anchor: "shared",
            prefix: "n-",
        },
        &form,
        r,
    )
    .await
}

pub async fn save_private_note(
    State(state): State<AppState>,
    Path((id, date)): Path<(i64, String)>,
    CsrfForm(user, form): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    let date = planned(&date)?;
    let r = series::save_private_note(
        state.store.as_ref(),
        &state.config.note_key,
        &user.viewer,
        SeriesId(id),
        date,
        &form.text,
        crate::now(),
    )
    .await;
    done(
        &state,
        &user,
        Back {
            id: SeriesId(id),
            date: Some(date),
            anchor: "private",
            prefix: "n-",
        },
        &form,
        r,
    )
    .await
}

pub async fn change_meeting(
    State(state): State<AppState>,
    Path((id, date)): Path<(i64, String)>,
    CsrfForm(user, form): CsrfForm<MeetingForm>,
) -> Result<Response, PageError> {
    let date = planned(&date)?;
    let change = MeetingChange {
        action: form.action.clone(),
        to: Some(form.to.clone()).filter(|t| !t.is_empty()),
    };
    let r = series::change_meeting(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        date,
        &change,
        crate::now(),
    )
    .await
    .map(|_| ());
    done(
        &state,
        &user,
        Back {
            id: SeriesId(id),
            date: Some(date),
            anchor: "change",
            prefix: "c-",
        },
        &form,
        r,
    )
    .await
}

/// The series' time, to change it (the organiser).
pub async fn show_time(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let s = series::load(state.store.as_ref(), &user.viewer, SeriesId(id)).await?;
    let form = s
        .schedule
        .as_ref()
        .map(|s| super::pages::ScheduleForm {
            first_date: s
                .first_date
                .max(trellis_core::clock::local_date(
                    Some(&s.time_zone),
                    crate::now(),
                ))
                .to_string(),
            start_time: s.start_time.format("%H:%M").to_string(),
            minutes: s.minutes.to_string(),
            every_weeks: s.every_weeks.to_string(),
            time_zone: s.time_zone.clone(),
            ..Default::default()
        })
        .unwrap_or_default();
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "one-on-ones",
        },
        &s.title(),
        html! {
            p { a href=(format!("/one-on-ones/{id}")) { "← Back to the meeting" } }
            h1 { "The time of " (s.title()) }
            p.hint { "A new time starts the series afresh from its first meeting; single meetings you moved or skipped go back to the new rhythm." }
            form method="post" action=(format!("/one-on-ones/{id}/schedule")) {
                (csrf_field(&user))
                (super::pages::schedule_fields(&form, "s-"))
                button type="submit" { "Save the time" }
            }
        },
    ))
}

/// The routes of the meeting page.
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/one-on-ones/{id}/time", get(show_time))
        .route("/one-on-ones/{id}/meetings/{date}", get(show_meeting))
        .route(
            "/one-on-ones/{id}/meetings/{date}/change",
            post(change_meeting),
        )
        .route(
            "/one-on-ones/{id}/meetings/{date}/shared-note",
            post(save_shared_note),
        )
        .route(
            "/one-on-ones/{id}/meetings/{date}/private-note",
            post(save_private_note),
        )
        .route("/one-on-ones/{id}/points", post(add_point))
        .route("/one-on-ones/{id}/points/{point}/tick", post(tick_point))
        .route(
            "/one-on-ones/{id}/points/{point}/remove",
            post(remove_point),
        )
        .route("/one-on-ones/{id}/recurring", post(set_recurring))
        .route("/one-on-ones/{id}/actions", post(add_action))
        .route(
            "/one-on-ones/{id}/actions/{action}/accept",
            post(accept_action),
        )
}
