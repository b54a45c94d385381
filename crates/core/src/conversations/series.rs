//! The 1:1 use cases: listing, proposing and answering series, scheduling, changing one
//! meeting, the agenda, notes and action items. Only the two people of a series read or
//! write it; anyone else — their managers, admins — is told it does not exist.

use super::sealed::{NoteKey, note_place};
use super::store::{ConversationStore, NewSeries, SharedNote};
use super::*;
use crate::access::Viewer;
use crate::error::{CoreError, CoreResult};
use crate::ids::{PersonId, PointId, SeriesId};
use crate::notify::{Notification, Topic};
use chrono::{Duration, NaiveDateTime};
use serde::Deserialize;

pub use super::actions::{ActionInput, accept_action, add_action};

/// How many past and coming meetings the meeting page lists.
const PAST_SHOWN: usize = 6;
const COMING_SHOWN: usize = 4;

/// A series the viewer is in, with what comes next.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeriesSummary {
    #[serde(flatten)]
    pub series: Series,
    /// The meeting whose agenda is open now.
    pub current: Option<Meeting>,
    /// When the last meeting that took place started.
    pub last_held_at: Option<i64>,
    /// Points not yet ticked.
    pub open_points: usize,
    /// The viewer sets the time (and is nudged to, while it is unset).
    pub i_organise: bool,
    /// A proposal waiting for the viewer's answer.
    pub awaits_me: bool,
}

use serde::Serialize;

/// One meeting with everything the two people see of it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetingView {
    pub series: Series,
    pub meeting: Meeting,
    /// Past, current and coming meetings around it, in order.
    pub nearby: Vec<Meeting>,
    pub agenda: Agenda,
    pub rules: &'static str,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub shared_note: Option<SharedNoteView>,
    /// The viewer's own private note of this meeting.
    pub private_note: Option<String>,
    /// Open action items (from any meeting) and those agreed at this one.
    pub actions: Vec<Action>,
    /// The viewer may change the schedule (the organiser).
    pub may_schedule: bool,
}

/// A shared note as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedNoteView {
    pub text: String,
    pub by: crate::ids::PersonName,
    pub at: i64,
}

impl From<SharedNote> for SharedNoteView {
    fn from(n: SharedNote) -> Self {
        SharedNoteView {
            text: n.text,
            by: n.by,
            at: n.at,
        }
    }
}

/// A series the viewer is in; anyone else is told it does not exist.
pub async fn load(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: SeriesId,
) -> CoreResult<Series> {
    store
        .series(id)
        .await?
        .filter(|s| s.involves(viewer.person_id()))
        .ok_or_else(|| CoreError::NotFound(format!("1:1 series {id}")))
}

pub(super) fn ended(series: &Series) -> CoreResult<()> {
    match series.status {
        SeriesStatus::Active => Ok(()),
        SeriesStatus::Ended => Err(CoreError::Conflict(
            "this 1:1 series has ended; it can be read but not changed".into(),
        )),
        SeriesStatus::Proposed => Err(CoreError::Conflict(
            "this 1:1 series is not accepted yet".into(),
        )),
        SeriesStatus::Declined => Err(CoreError::Conflict("this 1:1 series was declined".into())),
    }
}

fn exceptions_window(schedule: &Schedule, ex: &[Exception], around: NaiveDate) -> Vec<Meeting> {
    schedule.meetings(
        ex,
        around - Duration::days(400),
        around + Duration::days(400),
    )
}

/// The viewer's series with their current meeting, newest first.
pub async fn list(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    now: i64,
) -> CoreResult<Vec<SeriesSummary>> {
    let me = viewer.person_id();
    let mut out = Vec::new();
    for series in store.series_of(me).await? {
        let (current, last_held_at) = match &series.schedule {
            Some(s) if series.status == SeriesStatus::Active => {
                let ex = store.exceptions(series.id).await?;
                let held = s.held(&ex, now - 400 * 86_400, now);
                (s.current(&ex, now), held.last().map(|m| m.starts_at))
            }
            _ => (None, None),
        };
        let open_points = if series.status == SeriesStatus::Active {
            store
                .points(series.id)
                .await?
                .iter()
                .filter(|p| p.ticked_at_meeting.is_none())
                .count()
        } else {
            0
        };
        out.push(SeriesSummary {
            i_organise: series.organiser.id == me,
            awaits_me: series.status == SeriesStatus::Proposed && series.other.id == me,
            series,
            current,
            last_held_at,
            open_points,
        });
    }
    Ok(out)
}

/// A proposal of a series with someone outside the reporting line.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ProposeSeriesRequest))]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub with: Option<PersonId>,
    /// A time to propose with it (it can be set later).
    pub schedule: Option<ScheduleInput>,
}

/// Proposes a series to someone; they accept or decline.
pub async fn propose(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    proposal: &Proposal,
    now: i64,
) -> CoreResult<SeriesId> {
    let me = viewer.person_id();
    let Some(with) = proposal.with else {
        return Err(CoreError::field("with", "choose the person to meet"));
    };
    if with == me {
        return Err(CoreError::field("with", "a 1:1 is with someone else"));
    }
    let other = crate::org::people::standing(store, viewer, with)
        .await
        .map_err(|_| CoreError::field("with", format!("there is no person {with}")))?;
    if !other.person.is_active() {
        return Err(CoreError::field(
            "with",
            format!("{} has left", other.person.display_name()),
        ));
    }
    let existing = store.series_of(me).await?;
    if let Some(s) = existing.iter().find(|s| {
        s.involves(with) && matches!(s.status, SeriesStatus::Active | SeriesStatus::Proposed)
    }) {
        return Err(CoreError::Conflict(format!(
            "you already have a 1:1 series with {} (series {})",
            s.partner_of(me).name,
            s.id
        )));
    }
    let zone = store.person(me).await?.and_then(|p| p.time_zone);
    let schedule = match &proposal.schedule {
        Some(input) => Some(
            input
                .checked(zone.as_deref(), now)
                .map_err(CoreError::Invalid)?,
        ),
        None => None,
    };
    let mut work = store.begin_conversation_write().await?;
    let id = work
        .create_series(&NewSeries {
            kind: SeriesKind::Chosen,
            status: SeriesStatus::Proposed,
            organiser: me,
            other: with,
            schedule,
            created_by: Some(me),
            created_at: now,
        })
        .await?;
    let by = crate::org::people::name_of(store, me).await?;
    work.notify(&Notification::new(
        with,
        Topic::OneOnOneProposed,
        format!("{by} proposes a 1:1 series with you."),
        format!("/one-on-ones/{id}"),
        now,
    ))
    .await?;
    work.commit().await?;
    Ok(id)
}

/// The invited person accepts or declines a proposed series.
pub async fn answer(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: SeriesId,
    accept: bool,
    now: i64,
) -> CoreResult<Series> {
    let series = load(store, viewer, id).await?;
    if series.status != SeriesStatus::Proposed || series.other.id != viewer.person_id() {
        return Err(CoreError::Conflict(
            if series.status == SeriesStatus::Proposed {
                format!("{} answers this proposal", series.other.name)
            } else {
                "this proposal was already answered".into()
            },
        ));
    }
    let to = if accept {
        SeriesStatus::Active
    } else {
        SeriesStatus::Declined
    };
    let mut work = store.begin_conversation_write().await?;
    if !work
        .set_series_status(id, SeriesStatus::Proposed, to, now)
        .await?
    {
        return Err(CoreError::Conflict(
            "this proposal was already answered".into(),
        ));
    }
    let verb = if accept { "accepted" } else { "declined" };
    work.notify(&Notification::new(
        series.organiser.id,
        Topic::OneOnOneProposed,
        format!("{} {verb} your 1:1 series.", series.other.name),
        format!("/one-on-ones/{id}"),
        now,
    ))
    .await?;
    work.commit().await?;
    load(store, viewer, id).await
}

/// Ends a chosen series (either person). Reporting series end with the reporting line.
pub async fn end(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: SeriesId,
    now: i64,
) -> CoreResult<()> {
    let series = load(store, viewer, id).await?;
    if series.kind == SeriesKind::Reporting {
        return Err(CoreError::Conflict(
            "a 1:1 series with a manager ends when the reporting line changes".into(),
        ));
    }
    ended(&series)?;
    let mut work = store.begin_conversation_write().await?;
    work.end_series(&[id], now).await?;
    work.commit().await
}

/// Sets (or clears) the schedule: the organiser only.
pub async fn schedule(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: SeriesId,
    input: Option<&ScheduleInput>,
    now: i64,
) -> CoreResult<Series> {
    let series = load(store, viewer, id).await?;
    if series.organiser.id != viewer.person_id() {
        return Err(CoreError::Forbidden(format!(
            "change this series' time: {} sets it; move a single meeting instead",
            series.organiser.name
        )));
    }
    ended(&series)?;
    let zone = store
        .person(series.organiser.id)
        .await?
        .and_then(|p| p.time_zone);
    let schedule = match input {
        Some(input) => Some(
            input
                .checked(zone.as_deref(), now)
                .map_err(CoreError::Invalid)?,
        ),
        None => None,
    };
    let mut work = store.begin_conversation_write().await?;
    work.set_schedule(id, schedule.as_ref()).await?;
    work.commit().await?;
    load(store, viewer, id).await
}

/// A change to one meeting as asked for.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MeetingChangeRequest))]
#[serde(deny_unknown_fields)]
pub struct MeetingChange {
    /// `move`, `skip`, `cancel` or `restore` (back as planned).
    pub action: String,
    /// For `move`: the new local date and time, `YYYY-MM-DDTHH:MM`.
    pub to: Option<String>,
}

/// Moves, skips, cancels or restores one meeting: either person.
pub async fn change_meeting(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: SeriesId,
    occurrence: NaiveDate,
    change: &MeetingChange,
    now: i64,
) -> CoreResult<Meeting> {
    let series = load(store, viewer, id).await?;
    ended(&series)?;
    let Some(schedule) = &series.schedule else {
        return Err(CoreError::Conflict(
            "this series has no time yet; set one first".into(),
        ));
    };
    if !schedule.is_planned(occurrence) {
        return Err(CoreError::NotFound(format!(
            "a meeting of this series on {occurrence}"
        )));
    }
    let ex = store.exceptions(id).await?;
    let meeting = schedule
        .meeting_of(&ex, occurrence)
        .expect("a planned date");
    let new = match change.action.as_str() {
        "move" => {
            let to = change
                .to
                .as_deref()
                .map(str::trim)
                .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M").ok())
                .ok_or_else(|| {
                    CoreError::field("to", "give the new date and time, such as 2026-05-04T10:00")
                })?;
            check_move(schedule, occurrence, to, now).map_err(|e| CoreError::Invalid(vec![e]))?;
            Some(Change::Moved(to))
        }
        "skip" => Some(Change::Skipped),
        "cancel" => Some(Change::Cancelled),
        "restore" => None,
        other => {
            return Err(CoreError::field(
                "action",
                format!("{other:?} is not a change; give move, skip, cancel or restore"),
            ));
        }
    };
    if meeting.ends_at <= now && change.action != "move" {
        return Err(CoreError::Conflict(format!(
            "the meeting of {} is over; only meetings to come can be changed",
            meeting.starts.format("%-d %B")
        )));
    }
    let mut work = store.begin_conversation_write().await?;
    work.set_exception(id, occurrence, new).await?;
    let partner = series.partner_of(viewer.person_id()).id;
    let by = crate::org::people::name_of(store, viewer.person_id()).await?;
    let what = match new {
        Some(Change::Moved(to)) => format!(
            "moved your 1:1 of {} to {}",
            occurrence.format("%-d %B"),
            to.format("%-d %B at %H:%M")
        ),
        Some(Change::Skipped) => format!("skipped your 1:1 of {}", occurrence.format("%-d %B")),
        Some(Change::Cancelled) => format!("cancelled your 1:1 of {}", occurrence.format("%-d %B")),
        None => format!(
            "restored your 1:1 of {} as planned",
            occurrence.format("%-d %B")
        ),
    };
    work.notify(&Notification::new(
        partner,
        Topic::OneOnOneReminder,
        format!("{by} {what}."),
        format!("/one-on-ones/{id}/meetings/{occurrence}"),
        now,
    ))
    .await?;
    work.commit().await?;
    let ex = store.exceptions(id).await?;
    Ok(schedule
        .meeting_of(&ex, occurrence)
        .expect("a planned date"))
}

/// One meeting's page: by planned date, or the current meeting.
pub async fn meeting(
    store: &dyn ConversationStore,
    key: &NoteKey,
    viewer: &Viewer,
    id: SeriesId,
    occurrence: Option<NaiveDate>,
    now: i64,
) -> CoreResult<MeetingView> {
    let series = load(store, viewer, id).await?;
    let Some(schedule) = &series.schedule else {
        return Err(CoreError::NotFound(
            "a meeting of a series with no time set".into(),
        ));
    };
    let ex = store.exceptions(id).await?;
    let current = if series.status == SeriesStatus::Active {
        schedule.current(&ex, now)
    } else {
        None
    };
    let meeting = match occurrence {
        Some(o) => schedule
            .meeting_of(&ex, o)
            .ok_or_else(|| CoreError::NotFound(format!("a meeting of this series on {o}")))?,
        None => current
            .or_else(|| schedule.held(&ex, now - 400 * 86_400, now).last().copied())
            .ok_or_else(|| CoreError::NotFound("a meeting of this series".into()))?,
    };
    let all = exceptions_window(schedule, &ex, meeting.starts.date());
    let at = all
        .iter()
        .position(|m| m.occurrence == meeting.occurrence)
        .unwrap_or(0);
    let nearby: Vec<Meeting> =
        all[at.saturating_sub(PAST_SHOWN)..(at + COMING_SHOWN + 1).min(all.len())].to_vec();
    let previous_held = all[..at]
        .iter()
        .rev()
        .find(|m| m.happens() && m.ends_at <= now)
        .map(|m| m.starts_at);
    let points = store.points(id).await?;
    let start_of = |o: NaiveDate| schedule.meeting_of(&ex, o).map(|m| m.starts_at);
    let mut agenda = agenda::agenda(
        &points,
        &meeting,
        agenda::when(&meeting, current.as_ref()),
        previous_held,
        start_of,
    );
    if series.status != SeriesStatus::Active {
        agenda.is_current = false;
    }
    let me = viewer.person_id();
    let private_note = match store.private_note(id, meeting.occurrence, me).await? {
        Some(sealed) => Some(key.open(&note_place(id, meeting.occurrence, me), &sealed)?),
        None => None,
    };
    let actions = store
        .actions(id)
        .await?
        .into_iter()
        .filter(|a| a.open || a.meeting == meeting.occurrence)
        .collect();
    Ok(MeetingView {
        may_schedule: series.organiser.id == me && series.status == SeriesStatus::Active,
        shared_note: store
            .shared_note(id, meeting.occurrence)
            .await?
            .map(Into::into),
        series,
        meeting,
        nearby,
        agenda,
        rules: agenda::RULES,
        private_note,
        actions,
    })
}

pub(super) fn checked_text(field: &str, text: &str, max: usize, what: &str) -> CoreResult<String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(CoreError::field(field, format!("write the {what}")));
    }
    let n = text.chars().count();
    if n > max {
        return Err(CoreError::field(
            field,
            format!("a {what} is at most {max} characters; this one has {n}"),
        ));
    }
    Ok(text.to_string())
}

/// Adds a talking point to the current meeting (either person, before or during it).
pub async fn add_point(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: SeriesId,
    text: &str,
    link: Option<&str>,
    now: i64,
) -> CoreResult<PointId> {
    let series = load(store, viewer, id).await?;
    ended(&series)?;
    let text = checked_text("text", text, MAX_POINT, "talking point")?;
    // Only links inside Trellis: a point is never a way to send someone elsewhere.
    let link = link.filter(|l| l.starts_with('/') && !l.starts_with("//"));
    let mut work = store.begin_conversation_write().await?;
    let point = work
        .add_point(id, viewer.person_id(), &text, link, now)
        .await?;
    work.commit().await?;
    Ok(point)
}

/// Ticks a point as discussed at the current meeting, or unticks it.
pub async fn tick(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: SeriesId,
    point: PointId,
    ticked: bool,
    now: i64,
) -> CoreResult<()> {
    let series = load(store, viewer, id).await?;
    ended(&series)?;
    let meeting = match (&series.schedule, ticked) {
        (_, false) => None,
        (Some(s), true) => {
            let ex = store.exceptions(id).await?;
            Some(s.current(&ex, now).map(|m| m.occurrence).ok_or_else(|| {
                CoreError::Conflict("there is no meeting coming up to tick it at".into())
            })?)
        }
        (None, true) => {
            return Err(CoreError::Conflict(
                "set a time for this series before ticking points".into(),
            ));
        }
    };
    let mut work = store.begin_conversation_write().await?;
    if !work
        .tick_point(id, point, meeting, viewer.person_id(), now)
        .await?
    {
        return Err(CoreError::NotFound(format!("talking point {point}")));
    }
    work.commit().await
}

/// Removes a point its author added, while it is not ticked.
pub async fn remove_point(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: SeriesId,
    point: PointId,
) -> CoreResult<()> {
    let series = load(store, viewer, id).await?;
    ended(&series)?;
    let mut work = store.begin_conversation_write().await?;
    if !work.remove_point(id, point, viewer.person_id()).await? {
        return Err(CoreError::NotFound(format!(
            "an unticked talking point {point} of yours"
        )));
    }
    work.commit().await
}

/// Replaces the points asked at every meeting, one per line (the organiser).
pub async fn set_recurring(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: SeriesId,
    lines: &str,
) -> CoreResult<()> {
    let series = load(store, viewer, id).await?;
    ended(&series)?;
    let points: Vec<String> = lines
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if points.len() > 10 {
        return Err(CoreError::field(
            "recurring",
            "at most 10 points are asked every time",
        ));
    }
    for p in &points {
        checked_text("recurring", p, MAX_POINT, "recurring point")?;
    }
    let mut work = store.begin_conversation_write().await?;
    work.set_recurring(id, &points).await?;
    work.commit().await
}

pub(super) fn meeting_exists(
    series: &Series,
    ex: &[Exception],
    occurrence: NaiveDate,
) -> CoreResult<Meeting> {
    series
        .schedule
        .as_ref()
        .and_then(|s| s.meeting_of(ex, occurrence))
        .ok_or_else(|| CoreError::NotFound(format!("a meeting of this series on {occurrence}")))
}

/// Saves the shared note of a meeting (either person; an empty text clears it).
pub async fn save_shared_note(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: SeriesId,
    occurrence: NaiveDate,
    text: &str,
    now: i64,
) -> CoreResult<()> {
    let series = load(store, viewer, id).await?;
    ended(&series)?;
    meeting_exists(&series, &store.exceptions(id).await?, occurrence)?;
    let text = text.trim();
    if text.chars().count() > MAX_NOTE {
        return Err(CoreError::field(
            "text",
            format!("a note is at most {MAX_NOTE} characters"),
        ));
    }
    let mut work = store.begin_conversation_write().await?;
    work.set_shared_note(id, occurrence, text, viewer.person_id(), now)
        .await?;
    work.commit().await
}

/// Saves the viewer's private note of a meeting, sealed; an empty text removes it. It is
/// never audited: an audit line would say more than nothing about it.
pub async fn save_private_note(
    store: &dyn ConversationStore,
    key: &NoteKey,
    viewer: &Viewer,
    id: SeriesId,
    occurrence: NaiveDate,
    text: &str,
    now: i64,
) -> CoreResult<()> {
    let series = load(store, viewer, id).await?;
    meeting_exists(&series, &store.exceptions(id).await?, occurrence)?;
    let text = text.trim();
    if text.chars().count() > MAX_NOTE {
        return Err(CoreError::field(
            "text",
            format!("a note is at most {MAX_NOTE} characters"),
        ));
    }
    let me = viewer.person_id();
    let sealed = if text.is_empty() {
        String::new()
    } else {
        key.seal(&note_place(id, occurrence, me), text)?
    };
    let mut work = store.begin_conversation_write().await?;
    work.set_private_note(id, occurrence, me, &sealed, now)
        .await?;
    work.commit().await
}
