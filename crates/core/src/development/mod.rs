//! Development programmes: a cohort ("New managers, spring cohort") with a description, a
//! capacity, its participants and its sessions (when, how long, where, who facilitates).
//! Sessions go into participants' and facilitators' calendar feeds and are announced the
//! day before; the facilitator marks attendance; attendees, and only they, rate a session
//! afterwards, and the answers are shown only under the anonymity rule. Admins run
//! programmes; participants and facilitators see theirs.

pub mod coverage;
pub mod demo;
pub mod store;

use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::clock::zone;
use crate::conversations::calendar::OneOffEvent;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{CohortId, PersonId, PersonName, SessionId};
use crate::notify::{Notification, Topic};
use crate::store::Store;
use chrono::{NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};

/// A development programme.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cohort {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: CohortId,
    pub name: String,
    pub description: String,
    pub capacity: u32,
    pub participants: Vec<PersonName>,
    pub created_at: i64,
}

impl Cohort {
    pub fn has(&self, person: PersonId) -> bool {
        self.participants.iter().any(|p| p.id == person)
    }
}

pub struct NewCohort {
    pub name: String,
    pub description: String,
    pub capacity: u32,
    pub participants: Vec<PersonId>,
    pub created_by: Option<PersonId>,
    pub created_at: i64,
}

/// One session, with who was marked present or absent.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: SessionId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub cohort: CohortId,
    pub title: String,
    /// Seconds since the epoch.
    pub starts_at: i64,
    pub minutes: u32,
    /// A room, or a link to join.
    pub place: String,
    pub facilitator: PersonName,
    /// When an admin cancelled it (seconds since the epoch).
    pub cancelled_at: Option<i64>,
    #[serde(skip)]
    pub attendance: Vec<(PersonId, bool)>,
}

impl Session {
    pub fn ends_at(&self) -> i64 {
        self.starts_at + i64::from(self.minutes) * 60
    }
    fn attended(&self, person: PersonId) -> Option<bool> {
        self.attendance
            .iter()
            .find(|(p, _)| *p == person)
            .map(|(_, a)| *a)
    }
}

pub struct NewSession {
    pub cohort: CohortId,
    pub title: String,
    pub starts_at: i64,
    pub minutes: u32,
    pub place: String,
    pub facilitator: PersonId,
}

/// One attendee's answer about a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub rating: u8,
    pub comment: String,
}

/// A new programme as an admin fills it in.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DevelopmentProgrammeRequest))]
#[serde(deny_unknown_fields)]
pub struct CohortInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// At least the number of participants.
    pub capacity: i64,
    /// Person ids.
    #[serde(default)]
    pub participants: Vec<i64>,
    /// Also everyone who became a manager in this many months (1 to 24): whose reports
    /// all came to them by a recorded change in that time. Applied when it is created.
    #[serde(default)]
    pub new_managers_months: Option<i64>,
}

/// People who became managers on or after `since`: every one of their current reports
/// moved to them by a recorded change on or after that day (a report with no recorded
/// change has been theirs since before the records, so they are not new).
pub fn new_managers(
    lines: &[(PersonId, PersonId, Option<chrono::NaiveDate>)],
    since: chrono::NaiveDate,
) -> Vec<PersonId> {
    let mut first: std::collections::BTreeMap<PersonId, Option<chrono::NaiveDate>> =
        std::collections::BTreeMap::new();
    for (manager, _, on) in lines {
        let entry = first.entry(*manager).or_insert(*on);
        *entry = match (*entry, on) {
            (Some(a), Some(b)) => Some(a.min(*b)),
            _ => None,
        };
    }
    first
        .into_iter()
        .filter(|(_, on)| on.is_some_and(|d| d >= since))
        .map(|(m, _)| m)
        .collect()
}

/// A new session.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DevelopmentSessionRequest))]
#[serde(deny_unknown_fields)]
pub struct SessionInput {
    pub title: String,
    /// Local date and time, "2026-12-10T14:00".
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "2026-12-10T14:00"))]
    pub starts: String,
    /// The IANA time zone of `starts`; the creator's (or UTC) when left out.
    #[serde(default)]
    pub time_zone: Option<String>,
    /// 15 to 480.
    pub minutes: i64,
    /// A room, or a link to join.
    pub place: String,
    pub facilitator_id: i64,
}

fn admin_only(viewer: &Viewer, what: &str) -> CoreResult<()> {
    if viewer.may_administer() {
        Ok(())
    } else {
        Err(CoreError::Forbidden(format!(
            "{what}: people admins run development programmes"
        )))
    }
}

/// Active people among `ids`; each unknown or departed one named at `field`.
async fn active_people(
    store: &dyn Store,
    ids: &[i64],
    field: &str,
    errors: &mut Vec<FieldError>,
) -> CoreResult<Vec<PersonId>> {
    let mut out = Vec::new();
    for &id in ids {
        match store.person(PersonId(id)).await? {
            Some(p) if p.is_active() => out.push(p.id),
            _ => errors.push(FieldError::new(
                field,
                format!("{id} is not an active person's id"),
            )),
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn capacity_error(capacity: i64, participants: usize) -> Option<FieldError> {
    if capacity < 1 {
        Some(FieldError::new("capacity", "give a capacity of at least 1"))
    } else if (capacity as usize) < participants {
        Some(FieldError::new(
            "capacity",
            format!("a capacity of {capacity} is below the {participants} participants"),
        ))
    } else {
        None
    }
}

/// Creates a programme with its first participants (admins). Each participant hears of it.
pub async fn create_cohort(
    store: &dyn Store,
    viewer: &Viewer,
    input: &CohortInput,
    now: i64,
) -> CoreResult<CohortId> {
    admin_only(viewer, "create a development programme")?;
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "give a name of 1 to 200 characters",
        ));
    }
    if input.description.chars().count() > 5000 {
        errors.push(FieldError::new(
            "description",
            "keep the description under 5,000 characters",
        ));
    }
    let mut participants =
        active_people(store, &input.participants, "participants", &mut errors).await?;
    if let Some(months) = input.new_managers_months {
        if !(1..=24).contains(&months) {
            errors.push(FieldError::new(
                "new_managers_months",
                "choose 1 to 24 months",
            ));
        } else {
            let today = crate::clock::local_date(None, now);
            let since = today
                .checked_sub_months(chrono::Months::new(months as u32))
                .unwrap_or(today);
            let lines = store.reporting_lines_since().await?;
            participants.extend(new_managers(&lines, since));
            participants.sort();
            participants.dedup();
            if participants.is_empty() {
                errors.push(FieldError::new(
                    "new_managers_months",
                    format!("nobody became a manager in the last {months} months"),
                ));
            }
        }
    }
    errors.extend(capacity_error(input.capacity, participants.len()));
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let id = store
        .create_cohort(
            &NewCohort {
                name: name.to_string(),
                description: input.description.trim().to_string(),
                capacity: input.capacity as u32,
                participants: participants.clone(),
                created_by: viewer.actor(),
                created_at: now,
            },
            &added_notes(name, &participants, "/development", now),
        )
        .await?;
    store
        .audit(&AuditEntry {
            at: now,
            actor: viewer.actor(),
            action: "development_programme.create".into(),
            subject: name.to_string(),
            detail: format!(
                "{} participants, capacity {}",
                participants.len(),
                input.capacity
            ),
        })
        .await?;
    Ok(id)
}

/// What each new participant is told; the link is filled in once the programme has an id.
fn added_notes(name: &str, people: &[PersonId], link: &str, now: i64) -> Vec<Notification> {
    people
        .iter()
        .map(|p| {
            Notification::new(
                *p,
                Topic::Development,
                format!("You are in the development programme \"{name}\"."),
                link.to_string(),
                now,
            )
        })
        .collect()
}

/// Adds participants within the capacity (admins).
pub async fn add_participants(
    store: &dyn Store,
    viewer: &Viewer,
    id: CohortId,
    ids: &[i64],
    now: i64,
) -> CoreResult<usize> {
    admin_only(viewer, "add participants")?;
    let cohort = found(store, id).await?;
    let mut errors = Vec::new();
    let people = active_people(store, ids, "participants", &mut errors).await?;
    if people.is_empty() && errors.is_empty() {
        errors.push(FieldError::new("participants", "choose someone to add"));
    }
    let new: Vec<PersonId> = people.into_iter().filter(|p| !cohort.has(*p)).collect();
    let after = cohort.participants.len() + new.len();
    if after > cohort.capacity as usize {
        errors.push(FieldError::new(
            "participants",
            format!(
                "\"{}\" has room for {} more (capacity {})",
                cohort.name,
                cohort.capacity as usize - cohort.participants.len().min(cohort.capacity as usize),
                cohort.capacity
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let notes = added_notes(&cohort.name, &new, &format!("/development/{id}"), now);
    store.add_participants(id, &new, &notes, now).await
}

/// Takes someone out of a programme (admins).
pub async fn remove_participant(
    store: &dyn Store,
    viewer: &Viewer,
    id: CohortId,
    person: PersonId,
) -> CoreResult<()> {
    admin_only(viewer, "remove a participant")?;
    found(store, id).await?;
    store.remove_participant(id, person).await
}

async fn found(store: &dyn Store, id: CohortId) -> CoreResult<Cohort> {
    store
        .cohort(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("development programme {id}")))
}

/// Adds a session (admins): in the future, 15 minutes to 8 hours, somewhere, with an
/// active facilitator.
pub async fn add_session(
    store: &dyn Store,
    viewer: &Viewer,
    id: CohortId,
    input: &SessionInput,
    now: i64,
) -> CoreResult<SessionId> {
    admin_only(viewer, "add a session")?;
    found(store, id).await?;
    let mut errors = Vec::new();
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new(
            "title",
            "give a title of 1 to 200 characters",
        ));
    }
    let zone_name = match &input.time_zone {
        Some(z) if !z.trim().is_empty() => Some(z.trim().to_string()),
        _ => store
            .person(viewer.person_id())
            .await?
            .and_then(|p| p.time_zone),
    };
    let tz = match zone_name.as_deref() {
        None => Some(chrono_tz::UTC),
        Some(name) => {
            let found = zone(Some(name));
            if found.is_none() {
                errors.push(FieldError::new(
                    "time_zone",
                    format!(
                        "\"{name}\" is not a time zone: use an IANA name such as Europe/Berlin"
                    ),
                ));
            }
            found
        }
    };
    let starts_at = match NaiveDateTime::parse_from_str(input.starts.trim(), "%Y-%m-%dT%H:%M") {
        Ok(local) => tz.and_then(|tz| tz.from_local_datetime(&local).earliest()),
        Err(_) => {
            errors.push(FieldError::new(
                "starts",
                format!(
                    "\"{}\" is not a date and time: write it as 2026-12-10T14:00",
                    input.starts.trim()
                ),
            ));
            None
        }
    }
    .map(|t| t.timestamp());
    if starts_at.is_some_and(|at| at <= now) {
        errors.push(FieldError::new(
            "starts",
            "the session cannot be in the past",
        ));
    }
    if !(15..=480).contains(&input.minutes) {
        errors.push(FieldError::new(
            "minutes",
            "a session lasts 15 minutes to 8 hours (480)",
        ));
    }
    let place = input.place.trim();
    if place.is_empty() {
        errors.push(FieldError::new(
            "place",
            "say where: a room, or a link to join",
        ));
    }
    let facilitator = active_people(
        store,
        &[input.facilitator_id],
        "facilitator_id",
        &mut errors,
    )
    .await?
    .pop();
    let (Some(starts_at), Some(facilitator), true) = (starts_at, facilitator, errors.is_empty())
    else {
        return Err(CoreError::Invalid(errors));
    };
    store
        .add_session(&NewSession {
            cohort: id,
            title: title.to_string(),
            starts_at,
            minutes: input.minutes as u32,
            place: place.to_string(),
            facilitator,
        })
        .await
}

async fn found_session(store: &dyn Store, id: SessionId) -> CoreResult<(Cohort, Session)> {
    let not_found = || CoreError::NotFound(format!("session {id}"));
    let session = store.dev_session(id).await?.ok_or_else(not_found)?;
    let cohort = store.cohort(session.cohort).await?.ok_or_else(not_found)?;
    Ok((cohort, session))
}

/// The facilitator (or an admin) marks whether a participant came, once it has begun.
pub async fn mark_attendance(
    store: &dyn Store,
    viewer: &Viewer,
    session: SessionId,
    person: PersonId,
    attended: bool,
    now: i64,
) -> CoreResult<()> {
    let (cohort, s) = found_session(store, session).await?;
    let me = viewer.person_id();
    if s.facilitator.id != me && !viewer.may_administer() {
        if cohort.has(me) {
            return Err(CoreError::Forbidden(
                "mark attendance: the facilitator does".into(),
            ));
        }
        return Err(CoreError::NotFound(format!("session {session}")));
    }
    if !cohort.has(person) {
        return Err(CoreError::field(
            "person_id",
            "only participants of the programme are marked",
        ));
    }
    if s.cancelled_at.is_some() {
        return Err(CoreError::Conflict("the session was cancelled".into()));
    }
    if s.starts_at > now {
        return Err(CoreError::Conflict(
            "attendance is marked once the session has begun".into(),
        ));
    }
    store
        .mark_attendance(session, person, attended, me, now)
        .await
}

/// An attendee rates a session (1 to 5) with an optional comment, once it has ended.
/// Anyone else is refused: feedback comes only from those who were there.
pub async fn give_feedback(
    store: &dyn Store,
    viewer: &Viewer,
    session: SessionId,
    rating: i64,
    comment: &str,
    now: i64,
) -> CoreResult<()> {
    let (cohort, s) = found_session(store, session).await?;
    let me = viewer.person_id();
    if !cohort.has(me) && s.facilitator.id != me && !viewer.may_administer() {
        return Err(CoreError::NotFound(format!("session {session}")));
    }
    if s.cancelled_at.is_some() {
        return Err(CoreError::Conflict("the session was cancelled".into()));
    }
    if s.attended(me) != Some(true) {
        return Err(CoreError::Forbidden(
            "give feedback on this session: only those marked as attending do".into(),
        ));
    }
    if s.ends_at() > now {
        return Err(CoreError::Conflict(
            "feedback opens when the session has ended".into(),
        ));
    }
    let mut errors = Vec::new();
    if !(1..=5).contains(&rating) {
        errors.push(FieldError::new("rating", "rate it from 1 to 5"));
    }
    if comment.chars().count() > 2000 {
        errors.push(FieldError::new(
            "comment",
            "keep the comment under 2,000 characters",
        ));
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    store
        .give_feedback(session, me, rating as u8, comment.trim(), now)
        .await
}

/// An admin cancels a session that has not begun; participants and the facilitator are
/// told, and it shows as cancelled in their calendars.
pub async fn cancel_session(
    store: &dyn Store,
    viewer: &Viewer,
    session: SessionId,
    now: i64,
) -> CoreResult<CohortId> {
    admin_only(viewer, "cancel a session")?;
    let (cohort, s) = found_session(store, session).await?;
    if s.cancelled_at.is_some() {
        return Err(CoreError::Conflict(format!(
            "\"{}\" is already cancelled",
            s.title
        )));
    }
    if s.starts_at <= now {
        return Err(CoreError::Conflict(format!(
            "\"{}\" has begun: it can no longer be cancelled",
            s.title
        )));
    }
    let notes = tell_session_people(store, &cohort, &s, now, |when| {
        format!("{}: \"{}\" on {when} is cancelled.", cohort.name, s.title)
    })
    .await?;
    store.cancel_session(session, &notes, now).await?;
    store
        .audit(&AuditEntry {
            at: now,
            actor: viewer.actor(),
            action: "development_session.cancel".into(),
            subject: format!("{}: {}", cohort.name, s.title),
            detail: String::new(),
        })
        .await?;
    Ok(cohort.id)
}

/// A notification for each participant and the facilitator of a session, its sentence
/// made by `text` from the start time in that person's zone.
async fn tell_session_people(
    store: &dyn Store,
    cohort: &Cohort,
    s: &Session,
    now: i64,
    text: impl Fn(&str) -> String,
) -> CoreResult<Vec<Notification>> {
    let mut notes = Vec::new();
    let people = cohort
        .participants
        .iter()
        .map(|p| p.id)
        .chain(std::iter::once(s.facilitator.id));
    for person in people {
        let zone_name = store.person(person).await?.and_then(|p| p.time_zone);
        let when = crate::clock::local_time(zone_name.as_deref(), s.starts_at);
        notes.push(Notification::new(
            person,
            Topic::Development,
            text(&when),
            format!("/development/{}", cohort.id),
            now,
        ));
    }
    Ok(notes)
}

/// The answers about a session as its facilitator and admins see them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackSummary {
    pub answers: usize,
    /// The average rating and the comments, when at least `k` attendees answered.
    pub average: Option<f64>,
    pub comments: Vec<String>,
    /// Why the figures are hidden, when they are.
    pub hidden: Option<String>,
}

/// Summarises answers under the anonymity rule: fewer than `k` show only their count.
pub fn summarise_feedback(answers: &[Feedback], k: u32) -> FeedbackSummary {
    if !crate::access::aggregate_visible(answers.len(), k) {
        return FeedbackSummary {
            answers: answers.len(),
            average: None,
            comments: Vec::new(),
            hidden: Some(format!(
                "shown once at least {k} attendees have answered, so no answer can be traced"
            )),
        };
    }
    let total: u32 = answers.iter().map(|a| u32::from(a.rating)).sum();
    let mut comments: Vec<String> = answers
        .iter()
        .map(|a| a.comment.clone())
        .filter(|c| !c.is_empty())
        .collect();
    // Sorted, so their order says nothing about who wrote them.
    comments.sort();
    FeedbackSummary {
        answers: answers.len(),
        average: Some(f64::from(total) / answers.len() as f64),
        comments,
        hidden: None,
    }
}

pub mod views;

/// Sessions starting in the next day, announced once to participants and the facilitator.
pub async fn remind_due(store: &dyn Store, now: i64) -> CoreResult<usize> {
    let mut sent = 0;
    for (cohort, s) in store.sessions_to_remind(now, now + 86_400).await? {
        let notes = tell_session_people(store, &cohort, &s, now, |when| {
            format!(
                "{}: \"{}\" starts {when} ({} minutes, {}).",
                cohort.name, s.title, s.minutes, s.place
            )
        })
        .await?;
        sent += notes.len();
        store.mark_reminded(s.id, &notes, now).await?;
    }
    Ok(sent)
}

/// The person's sessions as calendar events.
pub async fn calendar_events(store: &dyn Store, person: PersonId) -> CoreResult<Vec<OneOffEvent>> {
    Ok(store
        .sessions_of(person)
        .await?
        .into_iter()
        .map(|(cohort, s)| OneOffEvent {
            key: format!("session-{}", s.id),
            starts_at: s.starts_at,
            minutes: i64::from(s.minutes),
            summary: format!("{}: {}", cohort.name, s.title),
            location: Some(s.place.clone()),
            cancelled: s.cancelled_at.is_some(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(ratings: &[u8]) -> Vec<Feedback> {
        ratings
            .iter()
            .map(|r| Feedback {
                rating: *r,
                comment: format!("comment {r}"),
            })
            .collect()
    }

    #[test]
    fn feedback_shows_only_from_k_answers() {
        let few = summarise_feedback(&answers(&[5, 1]), 3);
        assert_eq!(few.answers, 2);
        assert_eq!(few.average, None);
        assert!(few.comments.is_empty());
        assert!(few.hidden.unwrap().contains("at least 3 attendees"));
        let enough = summarise_feedback(&answers(&[5, 4, 3]), 3);
        assert_eq!(enough.average, Some(4.0));
        assert_eq!(enough.comments, ["comment 3", "comment 4", "comment 5"]);
    }

    #[test]
    fn a_new_manager_is_one_whose_reports_all_came_recently() {
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let (ana, ben, cy) = (PersonId(1), PersonId(2), PersonId(3));
        let lines = [
            (ana, PersonId(10), Some(day("2026-10-01"))),
            (ana, PersonId(11), Some(day("2026-11-15"))),
            // Ben's second report has been his since before the records.
            (ben, PersonId(12), Some(day("2026-11-01"))),
            (ben, PersonId(13), None),
            (cy, PersonId(14), Some(day("2025-01-01"))),
        ];
        assert_eq!(new_managers(&lines, day("2026-06-01")), [ana]);
        assert_eq!(new_managers(&lines, day("2024-06-01")), [ana, cy]);
    }

    #[test]
    fn capacity_is_at_least_the_participants() {
        assert_eq!(
            capacity_error(3, 5).unwrap().message,
            "a capacity of 3 is below the 5 participants"
        );
        assert!(capacity_error(0, 0).is_some());
        assert!(capacity_error(5, 5).is_none());
    }
}
