//! Continuous feedback: anyone gives anyone praise (optionally shown on their page, and to
//! their manager) or a note (theirs alone, and their manager's only when the giver ticks
//! it); anyone asks named people for feedback about themselves, and a manager about a
//! report, with a question and a due date. Requests are reminded after 3 working days and
//! expire after 30 days. Whoever received feedback decides what of it to bring to a 1:1.
//!
//! Who reads what: the giver, always; the person it is about, unless a manager asked for it
//! about them (then whoever asked, who decides what to bring up); their direct manager
//! when shared with them; everyone who sees the person's page, for praise shared there.
//! People admins have no reach into feedback: it is between people.

use super::store::ConversationStore;
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{FeedbackId, PersonId, PersonName, RequestId};
use crate::notify::{Notification, Topic};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// The longest feedback or question, in characters.
pub const MAX_TEXT: usize = 5_000;
/// Most people one request asks.
pub const MAX_ASKED: usize = 10;
/// A request expires this many days after it was made.
pub const EXPIRES_AFTER_DAYS: i64 = 30;
/// Unanswered requests are reminded after this many working days.
pub const REMIND_AFTER_WORKING_DAYS: i64 = 3;

/// Praise or a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    Praise,
    Note,
}

impl FeedbackKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Praise => "praise",
            FeedbackKind::Note => "note",
        }
    }
    pub fn parse(s: &str) -> Option<FeedbackKind> {
        match s {
            "praise" => Some(FeedbackKind::Praise),
            "note" => Some(FeedbackKind::Note),
            _ => None,
        }
    }
}

/// Feedback as kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Feedback {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: FeedbackId,
    pub from: PersonName,
    pub about: PersonName,
    pub kind: FeedbackKind,
    pub text: String,
    pub share_on_page: bool,
    pub share_with_manager: bool,
    /// The request it answers, with its asker and question.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub request: Option<RequestId>,
    pub asked_by: Option<PersonName>,
    pub question: Option<String>,
    pub created_at: i64,
}

/// Feedback as given.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = FeedbackRequestBody))]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    /// The person it is about.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub to: Option<PersonId>,
    pub kind: FeedbackKind,
    #[cfg_attr(feature = "openapi", schema(max_length = 5000))]
    pub text: String,
    /// Praise only: shown on their page to everyone who sees it.
    #[serde(default)]
    pub share_on_page: bool,
    /// Their manager reads it too.
    #[serde(default)]
    pub share_with_manager: bool,
}

/// A request as kept, with the people asked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Request {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: RequestId,
    pub asked_by: PersonName,
    pub about: PersonName,
    pub question: String,
    pub due_date: NaiveDate,
    pub created_at: i64,
    pub expires_at: i64,
    pub asked: Vec<Asked>,
}

/// One person asked, and where they stand.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asked {
    pub person: PersonName,
    pub answered_at: Option<i64>,
    pub declined_at: Option<i64>,
    pub reminded_at: Option<i64>,
}

impl Request {
    pub fn expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }
    fn asked_of(&self, person: PersonId) -> Option<&Asked> {
        self.asked.iter().find(|a| a.person.id == person)
    }
}

/// A request as filled in.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = AskForFeedbackRequest))]
#[serde(deny_unknown_fields)]
pub struct RequestInput {
    /// Whom the feedback is about: the asker (default) or one of their reports.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub about: Option<PersonId>,
    /// 1 to 10 people.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<i64>))]
    pub ask: Vec<PersonId>,
    pub question: String,
    /// Default: a week from today.
    pub due_date: Option<NaiveDate>,
}

/// Feedback a request's answer writes.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub from: PersonId,
    pub about: PersonId,
    pub kind: FeedbackKind,
    pub text: String,
    pub share_on_page: bool,
    pub share_with_manager: bool,
    pub request: Option<RequestId>,
    pub created_at: i64,
}

/// A request as the store writes it.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub asked_by: PersonId,
    pub about: PersonId,
    pub question: String,
    pub due_date: NaiveDate,
    pub created_at: i64,
    pub expires_at: i64,
    pub ask: Vec<PersonId>,
}

fn checked(field: &str, text: &str, what: &str) -> Result<String, FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, format!("write the {what}")));
    }
    let n = t.chars().count();
    if n > MAX_TEXT {
        return Err(FieldError::new(
            field,
            format!("{what} is at most {MAX_TEXT} characters; this has {n}"),
        ));
    }
    Ok(t.to_string())
}

/// Whether `viewer` may read `f` (the rule in the module documentation).
pub fn readable(f: &Feedback, viewer: PersonId, about_manager: Option<PersonId>) -> bool {
    if f.from.id == viewer {
        return true;
    }
    if let Some(asker) = &f.asked_by {
        return asker.id == viewer;
    }
    f.about.id == viewer
        || (f.kind == FeedbackKind::Praise && f.share_on_page)
        || (f.share_with_manager && about_manager == Some(viewer))
}

/// Gives feedback to someone else.
pub async fn give(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    input: &FeedbackInput,
    now: i64,
) -> CoreResult<FeedbackId> {
    let me = viewer.person_id();
    let Some(to) = input.to else {
        return Err(CoreError::field("to", "choose whom the feedback is for"));
    };
    if to == me {
        return Err(CoreError::field(
            "to",
            "feedback is for someone else; write yourself a private note in a 1:1",
        ));
    }
    let person = crate::org::people::standing(store, viewer, to)
        .await
        .map_err(|_| CoreError::field("to", format!("there is no person {to}")))?;
    if !person.person.is_active() {
        return Err(CoreError::field(
            "to",
            format!("{} has left", person.person.display_name()),
        ));
    }
    let text = checked("text", &input.text, "feedback").map_err(|e| CoreError::Invalid(vec![e]))?;
    let share_on_page = input.share_on_page && input.kind == FeedbackKind::Praise;
    let by = crate::org::people::name_of(store, me).await?;
    let mut work = store.begin_conversation_write().await?;
    let id = work
        .create_feedback(&NewFeedback {
            from: me,
            about: to,
            kind: input.kind,
            text,
            share_on_page,
            share_with_manager: input.share_with_manager,
            request: None,
            created_at: now,
        })
        .await?;
    let what = if input.kind == FeedbackKind::Praise {
        "praise"
    } else {
        "a note"
    };
    work.notify(&Notification::new(
        to,
        Topic::FeedbackReceived,
        format!("{by} gave you {what}."),
        "/feedback#received".into(),
        now,
    ))
    .await?;
    work.commit().await?;
    Ok(id)
}

/// The feedback about `person` that the viewer may read, newest first.
pub async fn about(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    person: PersonId,
) -> CoreResult<Vec<Feedback>> {
    let standing = crate::org::people::standing(store, viewer, person).await?;
    let manager = standing.person.manager_id;
    let me = viewer.person_id();
    Ok(store
        .feedback_about(person)
        .await?
        .into_iter()
        .filter(|f| readable(f, me, manager))
        .collect())
}

/// Praise shown on a person's page.
pub async fn praise_on_page(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    person: PersonId,
) -> CoreResult<Vec<Feedback>> {
    crate::org::people::standing(store, viewer, person).await?;
    Ok(store
        .feedback_about(person)
        .await?
        .into_iter()
        .filter(|f| f.kind == FeedbackKind::Praise && f.share_on_page && f.asked_by.is_none())
        .collect())
}

/// What the viewer can read of feedback: received, given, and answers to their requests.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyFeedback {
    pub received: Vec<Feedback>,
    pub given: Vec<Feedback>,
    /// Answers to requests the viewer made about someone else (a report).
    pub about_my_reports: Vec<Feedback>,
    /// Shared with the viewer as their manager.
    pub shared_with_me: Vec<Feedback>,
    /// Requests waiting for the viewer's answer.
    pub to_answer: Vec<Request>,
    /// Requests the viewer made.
    pub asked: Vec<Request>,
}

pub async fn mine(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    now: i64,
) -> CoreResult<MyFeedback> {
    let me = viewer.person_id();
    let received: Vec<Feedback> = store
        .feedback_about(me)
        .await?
        .into_iter()
        .filter(|f| f.asked_by.as_ref().is_none_or(|a| a.id == me))
        .collect();
    let given = store.feedback_from(me).await?;
    let about_my_reports = store
        .answers_to_requests_of(me)
        .await?
        .into_iter()
        .filter(|f| f.about.id != me)
        .collect();
    let shared_with_me = store.feedback_shared_with_manager(me).await?;
    let to_answer = store
        .requests_to(me)
        .await?
        .into_iter()
        .filter(|r| {
            !r.expired(now)
                && r.asked_of(me)
                    .is_some_and(|a| a.answered_at.is_none() && a.declined_at.is_none())
        })
        .collect();
    let asked = store.requests_by(me).await?;
    Ok(MyFeedback {
        received,
        given,
        about_my_reports,
        shared_with_me,
        to_answer,
        asked,
    })
}

/// Asks named people for feedback about the viewer or one of their reports.
pub async fn ask(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    input: &RequestInput,
    now: i64,
) -> CoreResult<RequestId> {
    let me = viewer.person_id();
    let about = input.about.unwrap_or(me);
    let mut errors = Vec::new();
    if about != me {
        let reach = crate::org::people::reach_to(store, viewer, about).await?;
        if !reach.in_own_tree() {
            errors.push(FieldError::new(
                "about",
                "ask about yourself or someone in your reporting tree",
            ));
        }
    }
    let mut ask: Vec<PersonId> = Vec::new();
    for p in &input.ask {
        if !ask.contains(p) {
            ask.push(*p);
        }
    }
    if ask.is_empty() || ask.len() > MAX_ASKED {
        errors.push(FieldError::new(
            "ask",
            format!("ask 1 to {MAX_ASKED} people"),
        ));
    }
    if ask.contains(&about) || ask.contains(&me) {
        errors.push(FieldError::new(
            "ask",
            "ask other people than the person it is about, and yourself",
        ));
    }
    for p in &ask {
        if !store.person(*p).await?.is_some_and(|p| p.is_active()) {
            errors.push(FieldError::new(
                "ask",
                format!("there is no active person {p}"),
            ));
        }
    }
    let question = checked("question", &input.question, "question")
        .map_err(|e| errors.push(e))
        .ok();
    let zone = store.person(me).await?.and_then(|p| p.time_zone);
    let today = local_date(zone.as_deref(), now);
    let due = input.due_date.unwrap_or(today + Duration::days(7));
    if due < today || due > today + Duration::days(EXPIRES_AFTER_DAYS) {
        errors.push(FieldError::new(
            "due_date",
            format!(
                "give a date from today to {}",
                today + Duration::days(EXPIRES_AFTER_DAYS)
            ),
        ));
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let question = question.unwrap_or_default();
    let by = crate::org::people::name_of(store, me).await?;
    let about_name = crate::org::people::name_of(store, about).await?;
    let mut work = store.begin_conversation_write().await?;
    let id = work
        .create_request(&NewRequest {
            asked_by: me,
            about,
            question,
            due_date: due,
            created_at: now,
            expires_at: now + EXPIRES_AFTER_DAYS * 86_400,
            ask: ask.clone(),
        })
        .await?;
    let subject = if about == me {
        "them".to_string()
    } else {
        about_name
    };
    for p in &ask {
        work.notify(&Notification::new(
            *p,
            Topic::FeedbackAsked,
            format!("{by} asks for your feedback about {subject}."),
            "/feedback#to-answer".into(),
            now,
        ))
        .await?;
    }
    work.commit().await?;
    Ok(id)
}

async fn open_request(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: RequestId,
    now: i64,
) -> CoreResult<Request> {
    let me = viewer.person_id();
    let r = store
        .request(id)
        .await?
        .filter(|r| r.asked_of(me).is_some() || r.asked_by.id == me)
        .ok_or_else(|| CoreError::NotFound(format!("feedback request {id}")))?;
    let Some(asked) = r.asked_of(me) else {
        return Err(CoreError::Conflict(
            "the people you asked answer this request".into(),
        ));
    };
    if r.expired(now) {
        return Err(CoreError::Conflict(format!(
            "this request expired on {}",
            local_date(None, r.expires_at).format("%-d %B %Y")
        )));
    }
    if asked.answered_at.is_some() || asked.declined_at.is_some() {
        return Err(CoreError::Conflict(
            "you have already answered this request".into(),
        ));
    }
    Ok(r)
}

/// Answers a request: the answer goes to whoever asked.
pub async fn answer(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: RequestId,
    text: &str,
    now: i64,
) -> CoreResult<FeedbackId> {
    let r = open_request(store, viewer, id, now).await?;
    let me = viewer.person_id();
    let text = checked("text", text, "answer").map_err(|e| CoreError::Invalid(vec![e]))?;
    let by = crate::org::people::name_of(store, me).await?;
    let mut work = store.begin_conversation_write().await?;
    if !work.mark_answered(id, me, now).await? {
        return Err(CoreError::Conflict(
            "you have already answered this request".into(),
        ));
    }
    let f = work
        .create_feedback(&NewFeedback {
            from: me,
            about: r.about.id,
            kind: FeedbackKind::Note,
            text,
            share_on_page: false,
            share_with_manager: false,
            request: Some(id),
            created_at: now,
        })
        .await?;
    work.notify(&Notification::new(
        r.asked_by.id,
        Topic::FeedbackReceived,
        format!("{by} answered your request for feedback."),
        "/feedback#asked".into(),
        now,
    ))
    .await?;
    work.commit().await?;
    Ok(f)
}

/// Declines a request.
pub async fn decline(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: RequestId,
    now: i64,
) -> CoreResult<()> {
    open_request(store, viewer, id, now).await?;
    let mut work = store.begin_conversation_write().await?;
    if !work.mark_declined(id, viewer.person_id(), now).await? {
        return Err(CoreError::Conflict(
            "you have already answered this request".into(),
        ));
    }
    work.commit().await
}

/// Brings feedback the viewer received (or asked for about a report) to one of their 1:1s
/// as a talking point: they decide what of it the other person reads.
pub async fn bring_to_one_on_one(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: FeedbackId,
    series: crate::ids::SeriesId,
    now: i64,
) -> CoreResult<crate::ids::PointId> {
    let me = viewer.person_id();
    let mut mine = store.feedback_about(me).await?;
    mine.extend(store.answers_to_requests_of(me).await?);
    let f = mine
        .into_iter()
        .find(|f| f.id == id && f.asked_by.as_ref().is_none_or(|a| a.id == me))
        .ok_or_else(|| CoreError::NotFound(format!("feedback {id}")))?;
    let mut text: String = f.text.chars().take(300).collect();
    if f.text.chars().count() > 300 {
        text.push('…');
    }
    let point = format!("Feedback from {}: {text}", f.from.name);
    super::series::add_point(store, viewer, series, &point, Some("/feedback"), now).await
}

/// Working days after `from` up to and including `to`: Monday to Friday, not on an
/// absence (pure).
pub fn working_days(from: NaiveDate, to: NaiveDate, absent: impl Fn(NaiveDate) -> bool) -> i64 {
    let mut n = 0;
    let mut d = from;
    while d < to {
        d += Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !absent(d) {
            n += 1;
        }
    }
    n
}

/// Reminds everyone asked who has neither answered nor declined after 3 of their working
/// days (in their time zone, their absences excluded), once; how many were reminded.
pub async fn remind_requests(store: &dyn ConversationStore, now: i64) -> CoreResult<usize> {
    let mut due = Vec::new();
    for (r, person) in store.unanswered_requests(now).await? {
        let Some(p) = store.person(person).await? else {
            continue;
        };
        let zone = p.time_zone.as_deref();
        let (asked_on, today) = (local_date(zone, r.created_at), local_date(zone, now));
        let absences = store.absences_of(person, asked_on).await?;
        let absent = |d: NaiveDate| absences.iter().any(|a| a.first_day <= d && d <= a.last_day);
        if working_days(asked_on, today, absent) >= REMIND_AFTER_WORKING_DAYS {
            due.push((r, person));
        }
    }
    if due.is_empty() {
        return Ok(0);
    }
    let mut work = store.begin_conversation_write().await?;
    let mut sent = 0;
    for (r, person) in &due {
        if work.mark_request_reminded(r.id, *person, now).await? {
            work.notify(&Notification::new(
                *person,
                Topic::FeedbackAsked,
                format!(
                    "{} still hopes for your feedback, by {}.",
                    r.asked_by.name,
                    r.due_date.format("%-d %B")
                ),
                "/feedback#to-answer".into(),
                now,
            ))
            .await?;
            sent += 1;
        }
    }
    work.commit().await?;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn working_days_skip_weekends_and_absences() {
        // Thursday to the next Tuesday: Friday, Monday, Tuesday.
        assert_eq!(working_days(d("2026-12-03"), d("2026-12-08"), |_| false), 3);
        assert_eq!(
            working_days(d("2026-12-03"), d("2026-12-08"), |x| x == d("2026-12-07")),
            2
        );
        assert_eq!(working_days(d("2026-12-05"), d("2026-12-06"), |_| false), 0);
    }

    fn feedback(
        kind: FeedbackKind,
        on_page: bool,
        manager: bool,
        asked_by: Option<i64>,
    ) -> Feedback {
        let name = |id: i64| PersonName {
            id: PersonId(id),
            name: format!("P{id}"),
        };
        Feedback {
            id: FeedbackId(1),
            from: name(1),
            about: name(2),
            kind,
            text: "x".into(),
            share_on_page: on_page,
            share_with_manager: manager,
            request: asked_by.map(|_| RequestId(1)),
            asked_by: asked_by.map(name),
            question: None,
            created_at: 0,
        }
    }

    #[test]
    fn who_reads_feedback() {
        let manager = Some(PersonId(3));
        let note = feedback(FeedbackKind::Note, false, false, None);
        assert!(readable(&note, PersonId(1), manager) && readable(&note, PersonId(2), manager));
        assert!(
            !readable(&note, PersonId(3), manager),
            "not the manager unless ticked"
        );
        let shared = feedback(FeedbackKind::Note, false, true, None);
        assert!(readable(&shared, PersonId(3), manager));
        assert!(!readable(&shared, PersonId(4), manager));
        let wall = feedback(FeedbackKind::Praise, true, false, None);
        assert!(readable(&wall, PersonId(4), manager), "praise on the page");
        let asked = feedback(FeedbackKind::Note, false, false, Some(3));
        assert!(
            readable(&asked, PersonId(3), manager) && !readable(&asked, PersonId(2), manager),
            "the asker, not the subject"
        );
    }
}
