//! The 1:1s page: my series (the time to set, proposals to answer), proposing one, and my
//! calendar feed; the feed itself at `/calendar/{token}.ics`.

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::flash::Flash;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_summary, format_date, format_time, settings};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::CoreError;
use trellis_core::conversations::calendar::feeds;
use trellis_core::conversations::series::{self, Proposal, SeriesSummary};
use trellis_core::conversations::{CADENCES, ScheduleInput, SeriesKind, SeriesStatus};
use trellis_core::ids::SeriesId;

/// The schedule form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub first_date: String,
    #[serde(default)]
    pub start_time: String,
    #[serde(default)]
    pub minutes: String,
    #[serde(default)]
    pub every_weeks: String,
    #[serde(default)]
    pub time_zone: String,
    /// Proposing only: the other person's e-mail.
    #[serde(default)]
    pub with: String,
}

impl ScheduleForm {
    fn input(&self) -> Result<ScheduleInput, CoreError> {
        let number = |field: &str, text: &str| -> Result<Option<i64>, CoreError> {
            match text.trim() {
                "" => Ok(None),
                t => t
                    .parse()
                    .map(Some)
                    .map_err(|_| CoreError::field(field, format!("{t:?} is not a number"))),
            }
        };
        Ok(ScheduleInput {
            first_date: match self.first_date.trim() {
                "" => None,
                d => {
                    Some(d.parse().map_err(|_| {
                        CoreError::field("first_date", format!("{d:?} is not a date"))
                    })?)
                }
            },
            start_time: Some(self.start_time.clone()),
            minutes: number("minutes", &self.minutes)?,
            every_weeks: number("every_weeks", &self.every_weeks)?,
            time_zone: Some(self.time_zone.clone()).filter(|z| !z.trim().is_empty()),
        })
    }
}

crate::auth::csrf_form!(ScheduleForm, AnswerForm);

/// Accept or decline.
#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub accept: String,
}

/// The fields of a schedule, filled with what is typed (or sensible defaults).
pub(crate) fn schedule_fields(form: &ScheduleForm, prefix: &str) -> Markup {
    let every = form.every_weeks.parse().unwrap_or(1);
    html! {
        div.inline-forms {
            div.field {
                label for=(format!("{prefix}first_date")) { "First meeting" }
                input id=(format!("{prefix}first_date")) type="date" name="first_date" value=(form.first_date) required;
            }
            div.field {
                label for=(format!("{prefix}start_time")) { "Time" }
                input id=(format!("{prefix}start_time")) type="time" name="start_time" value=(if form.start_time.is_empty() { "10:00" } else { form.start_time.as_str() }) required;
            }
            div.field {
                label for=(format!("{prefix}minutes")) { "Minutes" }
                input.place id=(format!("{prefix}minutes")) type="number" name="minutes" min="10" max="240" value=(if form.minutes.is_empty() { "30" } else { form.minutes.as_str() });
            }
            div.field {
                label for=(format!("{prefix}every_weeks")) { "Every" }
                select id=(format!("{prefix}every_weeks")) name="every_weeks" {
                    @for n in CADENCES {
                        option value=(n) selected[n == every] { @if n == 1 { "week" } @else { (n) " weeks" } }
                    }
                }
            }
            div.field {
                label for=(format!("{prefix}time_zone")) { "Time zone" }
                input id=(format!("{prefix}time_zone")) type="text" name="time_zone" value=(form.time_zone) placeholder="Yours";
            }
        }
    }
}

fn series_line(s: &SeriesSummary, user: &CurrentUser) -> Markup {
    let me = user.viewer.person_id();
    let partner = s.series.partner_of(me);
    let id = s.series.id;
    html! {
        li.series {
            p {
                strong { a href=(format!("/one-on-ones/{id}")) { "1:1 with " (partner.name) } }
                @match (s.series.kind, s.series.status) {
                    (_, SeriesStatus::Proposed) => { " " span.flag.warn { "proposed" } }
                    (_, SeriesStatus::Ended) => { " " span.flag { "ended" } }
                    (_, SeriesStatus::Declined) => { " " span.flag { "declined" } }
                    (SeriesKind::Reporting, _) => {
                        " " span.muted { @if s.series.organiser.id == me { "your report" } @else { "your manager" } }
                    }
                    (SeriesKind::Chosen, _) => {}
                }
            }
            @if let Some(schedule) = &s.series.schedule {
                p.muted { (schedule.describe()) }
            }
            @if s.series.status == SeriesStatus::Active {
                @match &s.current {
                    Some(m) => p {
                        "Next: " a href=(format!("/one-on-ones/{id}/meetings/{}", m.occurrence)) { (m.starts.format("%A %-d %B, %H:%M")) }
                        " · " (s.open_points) " open talking point" @if s.open_points != 1 { "s" }
                    },
                    None if s.series.schedule.is_none() && s.i_organise => p.notice {
                        "No time set yet. " a href=(format!("/one-on-ones/{id}")) { "Set a time" } " so you both can prepare."
                    },
                    None if s.series.schedule.is_none() => p.muted { (s.series.organiser.name) " has not set a time yet." },
                    None => p.muted { "No meeting ahead." },
                }
                @if let Some(last) = s.last_held_at { p.muted { "Last met " (format_time(last, user)) } }
            }
            @if s.awaits_me {
                form.inline method="post" action=(format!("/one-on-ones/{id}/answer")) {
                    (csrf_field(user))
                    button type="submit" name="accept" value="1" { "Accept" }
                    " "
                    button.secondary type="submit" name="accept" value="0" { "Decline" }
                }
            }
        }
    }
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<&ScheduleForm>,
    errors: &[trellis_core::FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let list = series::list(state.store.as_ref(), &user.viewer, crate::now()).await?;
    let token = feeds::token(
        state.store.as_ref(),
        &state.config.note_key,
        &user.viewer,
        crate::now(),
    )
    .await?;
    let url = format!("{}/calendar/{token}.ics", state.config.site.public_url);
    let webcal = format!(
        "webcal://{}",
        url.split_once("://").map(|(_, r)| r).unwrap_or(&url)
    );
    let blank = ScheduleForm::default();
    let form = form.unwrap_or(&blank);
    let (open, past): (Vec<_>, Vec<_>) = list.iter().partition(|s| {
        matches!(
            s.series.status,
            SeriesStatus::Active | SeriesStatus::Proposed
        )
    });
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "one-on-ones",
        },
        "1:1s",
        html! {
            h1 { "1:1s" }
            p.hint { "Every " (settings.manager_word) " and report have a 1:1 series; propose one with anyone else (a mentor, a skip-level)." }
            @if user.viewer.has_reports() || user.viewer.may_administer() { p { a href="/one-on-ones/health" { "Health of 1:1s" } } }
            @if open.is_empty() { p.muted { "No 1:1s yet." } }
            ul.plain.series-list { @for s in &open { (series_line(s, user)) } }
            section.card aria-labelledby="propose" {
                h2 #propose { "Propose a 1:1" }
                (error_summary(errors, "p-"))
                form method="post" action="/one-on-ones" {
                    (csrf_field(user))
                    div.field {
                        label for="p-with" { "Their e-mail" }
                        input #p-with type="email" name="with" value=(form.with) required autocomplete="off";
                    }
                    (schedule_fields(form, "p-"))
                    button type="submit" { "Propose" }
                }
            }
            section.card aria-labelledby="calendar" {
                h2 #calendar { "Your calendar feed" }
                p { "Subscribe to this address in your calendar app to see your 1:1s, the meetings your connection rounds suggest and your development sessions. It holds titles and times only — never talking points, notes or feedback. Keep it to yourself: anyone with the address sees your 1:1 times." }
                div.copy-row {
                    input #calendar-url type="text" readonly value=(url) aria-label="Calendar feed address";
                    button.secondary type="button" data-copy="calendar-url" { "Copy" }
                }
                p { a href=(webcal) { "Open in your calendar app" } }
                form method="post" action="/one-on-ones/calendar/rotate" {
                    (csrf_field(user))
                    button.secondary type="submit" { "Make a new address" }
                    span.hint { " The old one stops working at once." }
                }
            }
            @if !past.is_empty() {
                section aria-labelledby="past" {
                    h2 #past { "Ended and declined" }
                    ul.plain.series-list { @for s in &past { (series_line(s, user)) } }
                }
            }
        },
    ))
}

pub async fn show_list(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    list_page(&state, &user, None, &[]).await
}

pub async fn propose(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<ScheduleForm>,
) -> Result<Response, PageError> {
    let result = async {
        let with = state
            .store
            .person_id_by_email(form.with.trim())
            .await?
            .ok_or_else(|| {
                CoreError::field(
                    "with",
                    format!("nobody has the e-mail {:?}", form.with.trim()),
                )
            })?;
        let schedule = if form.first_date.trim().is_empty() {
            None
        } else {
            Some(form.input()?)
        };
        series::propose(
            state.store.as_ref(),
            &user.viewer,
            &Proposal {
                with: Some(with),
                schedule,
            },
            crate::now(),
        )
        .await
    }
    .await;
    match result {
        Ok(id) => Ok(crate::pages::flash::redirect(
            &format!("/one-on-ones/{id}"),
            Flash::Saved,
        )),
        Err(CoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            list_page(&state, &user, Some(&form), &errors).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<AnswerForm>,
) -> Result<Response, PageError> {
    series::answer(
        state.store.as_ref(),
        &user.viewer,
        SeriesId(id),
        form.accept == "1",
        crate::now(),
    )
    .await?;
    Ok(crate::pages::flash::redirect(
        &format!("/one-on-ones/{id}"),
        Flash::Saved,
    ))
}

/// A series: its current meeting, or the form to set its time.
pub async fn show_series(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let s = series::load(state.store.as_ref(), &user.viewer, SeriesId(id)).await?;
    if s.schedule.is_some() {
        return Ok(Redirect::to(&format!("/one-on-ones/{id}/meetings/current")).into_response());
    }
    Ok(series_page(&state, &user, SeriesId(id), None, &[])
        .await?
        .into_response())
}

/// A series without a time: who sets it, and (for them) the form.
async fn series_page(
    state: &AppState,
    user: &CurrentUser,
    id: SeriesId,
    form: Option<&ScheduleForm>,
    errors: &[trellis_core::FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let s = series::load(state.store.as_ref(), &user.viewer, id).await?;
    let me = user.viewer.person_id();
    let blank = ScheduleForm {
        first_date: (trellis_core::clock::local_date(
            user.account.time_zone.as_deref(),
            crate::now(),
        ) + chrono::Duration::days(1))
        .to_string(),
        ..ScheduleForm::default()
    };
    let form = form.unwrap_or(&blank);
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "one-on-ones",
        },
        &s.title(),
        html! {
            p { a href="/one-on-ones" { "← All 1:1s" } }
            h1 { (s.title()) }
            @if s.status == SeriesStatus::Proposed {
                p.notice { @if s.other.id == me { (s.organiser.name) " proposes this series. Accept it on " a href="/one-on-ones" { "your 1:1s" } "." } @else { "Waiting for " (s.other.name) " to accept." } }
            }
            @if s.organiser.id == me && s.status == SeriesStatus::Active {
                section.card {
                    h2 { "Set a time" }
                    p.hint { "Meetings repeat on the first meeting's weekday, at the same local time in the time zone (yours when left empty), across daylight saving." }
                    (error_summary(errors, "s-"))
                    form method="post" action=(format!("/one-on-ones/{id}/schedule")) {
                        (csrf_field(user))
                        (schedule_fields(form, "s-"))
                        button type="submit" { "Save the time" }
                    }
                }
            } @else if s.status == SeriesStatus::Active {
                p.muted { (s.organiser.name) " sets the time of this series; you will see its meetings here once it is set." }
            }
            @if s.status == SeriesStatus::Ended { p.muted { "This series has ended." } }
            p.muted { "Started " (format_date(trellis_core::clock::local_date(None, s.created_at))) }
        },
    ))
}

pub async fn set_schedule(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<ScheduleForm>,
) -> Result<Response, PageError> {
    let result = match form.input() {
        Ok(input) => series::schedule(
            state.store.as_ref(),
            &user.viewer,
            SeriesId(id),
            Some(&input),
            crate::now(),
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    crate::pages::after_post(result, format!("/one-on-ones/{id}/meetings/current"), Some(Flash::Saved), |errors| async move {
        series_page(&state, &user, SeriesId(id), Some(&form), &errors).await
    })
    .await
}

pub async fn rotate_calendar(
    State(state): State<AppState>,
    CsrfForm(user, _): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    feeds::rotate(
        state.store.as_ref(),
        &state.config.note_key,
        &user.viewer,
        crate::now(),
    )
    .await?;
    Ok(crate::pages::flash::redirect(
        "/one-on-ones#calendar",
        Flash::Saved,
    ))
}

/// The feed: text/calendar, or 404 for a token that does not exist.
pub async fn calendar_feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let token = file.strip_suffix(".ics").unwrap_or("");
    let host = state
        .config
        .site
        .public_url
        .split_once("://")
        .map(|(_, h)| h.split('/').next().unwrap_or(h).to_string())
        .unwrap_or_else(|| "trellis".into());
    let store = state.store.as_ref();
    let person = feeds::owner(store, token).await?;
    let mut meetings = trellis_core::connect::slots::calendar_events(store, person).await?;
    meetings.extend(trellis_core::development::calendar_events(store, person).await?);
    let body = feeds::feed(store, person, &meetings, &host, crate::now()).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
        ],
        body,
    )
        .into_response())
}

/// The health of 1:1s for managers and people admins.
pub async fn show_health(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    use trellis_core::conversations::health::{self, Flag};
    let settings = settings(&state).await?;
    let h = health::health(state.store.as_ref(), &user.viewer, crate::now()).await?;
    let flagged = h.pairs.iter().filter(|p| p.flag.is_some()).count();
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "one-on-ones",
        },
        "Health of 1:1s",
        html! {
            p { a href="/one-on-ones" { "← 1:1s" } }
            h1 { "Health of 1:1s" }
            p.hint { @if user.viewer.may_administer() { "Every " (settings.manager_word) " and report." } @else { "The pairs in your tree." }
                " Meetings held in the last 90 days; a pair without a time, or with no 1:1 in 30 days, is flagged." }
            ul.figures {
                li { span.muted { "Pairs" } strong { (h.pairs.len()) } }
                li { span.muted { "Flagged" } strong { (flagged) } "no time set, or no 1:1 in 30 days" }
            }
            div.table-scroll {
                table {
                    thead { tr { th { (settings.manager_word_title()) } th { "Report" } th { "Team" } th { "Held (90 days)" } th { "Average gap" } th { "Last" } th { "" } } }
                    tbody {
                        @for p in &h.pairs {
                            tr {
                                td { a href=(format!("/people/{}", p.manager.id)) { (p.manager.name) } }
                                td { a href=(format!("/people/{}", p.report.id)) { (p.report.name) } }
                                td { (p.team.as_deref().unwrap_or("—")) }
                                td { (p.held) }
                                td { @if let Some(g) = p.average_gap_days { (format!("{g:.0} days")) } @else { "—" } }
                                td { @if let Some(l) = p.last_held_at { (format_date(trellis_core::clock::local_date(user.account.time_zone.as_deref(), l))) } @else { "never" } }
                                td { @match p.flag {
                                    Some(Flag::NoTimeSet) => span.flag.warn { "no time set" },
                                    Some(Flag::NoneIn30Days) => span.flag.bad { "no 1:1 in 30 days" },
                                    None => {},
                                } }
                            }
                        }
                    }
                }
            }
            h2 { "By team" }
            p.hint { "A team's figures are shown when they cover at least " (h.threshold) " pairs." }
            div.table-scroll {
                table {
                    thead { tr { th { "Team" } th { "Pairs" } th { "Met in the last 30 days" } } }
                    tbody {
                        @for t in &h.teams {
                            tr {
                                td { (t.team) }
                                td { @if let Some(n) = t.pairs { (n) } @else { span.muted { "fewer than " (h.threshold) } } }
                                td { @if let (Some(m), Some(n)) = (t.met_recently, t.pairs) { (m) " (" (format!("{:.0} %", m as f64 * 100.0 / n as f64)) ")" } @else { "—" } }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/one-on-ones", get(show_list).post(propose))
        .route("/one-on-ones/calendar/rotate", post(rotate_calendar))
        .route("/one-on-ones/health", get(show_health))
        .route("/one-on-ones/{id}", get(show_series))
        .route("/one-on-ones/{id}/answer", post(answer))
        .route("/one-on-ones/{id}/schedule", post(set_schedule))
        .route("/calendar/{file}", get(calendar_feed))
        .merge(super::meeting::routes())
        .merge(super::feedback::routes())
}
