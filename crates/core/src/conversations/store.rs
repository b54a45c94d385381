//! What the 1:1 services need from a database. Part of [`crate::Store`].

use super::feedback::{Feedback, Request};
use super::{Action, Change, Exception, Point, Schedule, Series, SeriesKind, SeriesStatus};
use crate::error::CoreResult;
use crate::ids::{
    ActionId, CommitmentId, FeedbackId, PersonId, PersonName, PointId, RequestId, SeriesId,
};
use async_trait::async_trait;
use chrono::NaiveDate;

/// A series as the store writes it.
#[derive(Debug, Clone)]
pub struct NewSeries {
    pub kind: SeriesKind,
    pub status: SeriesStatus,
    pub organiser: PersonId,
    pub other: PersonId,
    pub schedule: Option<Schedule>,
    pub created_by: Option<PersonId>,
    pub created_at: i64,
}

/// An action item as the store writes it.
#[derive(Debug, Clone)]
pub struct NewAction {
    pub series: SeriesId,
    pub meeting: NaiveDate,
    pub title: String,
    pub owner: PersonId,
    pub due_date: Option<NaiveDate>,
    pub effort_hours: Option<f64>,
    pub created_by: PersonId,
    pub created_at: i64,
    /// The commitment on the owner's plate, when it is there from the start.
    pub commitment: Option<CommitmentId>,
    /// The person whose private context it is (the report of the pair).
    pub about: PersonId,
}

/// A reporting series with what the health of 1:1s reads: its changed meetings and the
/// report's team (to group pairs).
#[derive(Debug, Clone)]
pub struct PairRow {
    pub series: Series,
    pub exceptions: Vec<Exception>,
    pub team: Option<String>,
}

/// What a meeting left open, per series: unticked points and action items without a due
/// date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenItems {
    pub points: usize,
    pub undated_actions: usize,
}

/// A shared note of one meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedNote {
    pub text: String,
    pub by: PersonName,
    pub at: i64,
}

/// A unit of work on 1:1s (one transaction; dropped without committing, nothing is
/// written). Action items become commitments in the same transaction.
#[async_trait]
pub trait ConversationWrite: crate::work::store::WorkWrite + FeedbackWrite {
    async fn create_series(&mut self, new: &NewSeries) -> CoreResult<SeriesId>;
    /// Many reporting series at once (an import's new lines), unscheduled.
    async fn create_reporting_series(
        &mut self,
        pairs: &[(PersonId, PersonId)],
        at: i64,
    ) -> CoreResult<()>;
    /// Ends these series at `at` (they stay readable by their two people).
    async fn end_series(&mut self, ids: &[SeriesId], at: i64) -> CoreResult<()>;
    /// `false` when the series was not in `from` any more (someone else answered first).
    async fn set_series_status(
        &mut self,
        id: SeriesId,
        from: SeriesStatus,
        to: SeriesStatus,
        at: i64,
    ) -> CoreResult<bool>;
    async fn set_schedule(&mut self, id: SeriesId, schedule: Option<&Schedule>) -> CoreResult<()>;
    /// Replaces the change of one meeting (`None` restores it as planned).
    async fn set_exception(
        &mut self,
        id: SeriesId,
        occurrence: NaiveDate,
        change: Option<Change>,
    ) -> CoreResult<()>;
    async fn set_recurring(&mut self, id: SeriesId, points: &[String]) -> CoreResult<()>;
    async fn add_point(
        &mut self,
        id: SeriesId,
        author: PersonId,
        text: &str,
        link: Option<&str>,
        at: i64,
    ) -> CoreResult<PointId>;
    /// Ticks (at a meeting) or unticks (`None`) a point; `false` when it is not the series'.
    async fn tick_point(
        &mut self,
        id: SeriesId,
        point: PointId,
        meeting: Option<NaiveDate>,
        by: PersonId,
        at: i64,
    ) -> CoreResult<bool>;
    /// Removes a point its author added; `false` when it is not theirs or was ticked.
    async fn remove_point(
        &mut self,
        id: SeriesId,
        point: PointId,
        author: PersonId,
    ) -> CoreResult<bool>;
    async fn set_shared_note(
        &mut self,
        id: SeriesId,
        occurrence: NaiveDate,
        text: &str,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()>;
    /// A private note, already sealed; an empty `sealed` removes it.
    async fn set_private_note(
        &mut self,
        id: SeriesId,
        occurrence: NaiveDate,
        author: PersonId,
        sealed: &str,
        at: i64,
    ) -> CoreResult<()>;
    async fn create_action(&mut self, new: &NewAction) -> CoreResult<ActionId>;
    /// Puts an accepted action item on its owner's plate.
    async fn link_action(&mut self, id: ActionId, commitment: CommitmentId) -> CoreResult<bool>;
    /// Records a reminder as sent; `false` when it already was (by this or another instance).
    async fn mark_reminded(
        &mut self,
        id: SeriesId,
        occurrence: NaiveDate,
        person: PersonId,
        kind: &str,
        at: i64,
    ) -> CoreResult<bool>;
    /// Keeps a person's calendar feed token: its digest (to find it) and sealed (to show it).
    async fn set_calendar_token(
        &mut self,
        person: PersonId,
        digest: &str,
        sealed: &str,
        at: i64,
    ) -> CoreResult<()>;
}

/// Storage of 1:1 series, meetings, agendas, notes and calendar feeds. 1:1s sit above
/// mentoring: they read people, work and growth below them.
#[async_trait]
pub trait ConversationStore:
    crate::mentoring::store::MentoringStore + FeedbackStore + Send + Sync
{
    async fn begin_conversation_write(&self) -> CoreResult<Box<dyn ConversationWrite + '_>>;
    async fn series(&self, id: SeriesId) -> CoreResult<Option<Series>>;
    /// Every series a person is in, any status, newest first.
    async fn series_of(&self, person: PersonId) -> CoreResult<Vec<Series>>;
    /// Reporting series not ended, as (series, manager, report).
    async fn open_reporting_series(&self) -> CoreResult<Vec<(SeriesId, PersonId, PersonId)>>;
    /// Active series, each with its changed meetings and the report's team: reporting ones
    /// (whose organiser is in `organisers`, when given) for the health of 1:1s, or every
    /// scheduled one for reminders.
    async fn active_series(
        &self,
        reporting_only: bool,
        organisers: Option<&[PersonId]>,
    ) -> CoreResult<Vec<PairRow>>;
    /// What each active series has left open.
    async fn open_items(&self) -> CoreResult<std::collections::HashMap<SeriesId, OpenItems>>;
    async fn exceptions(&self, id: SeriesId) -> CoreResult<Vec<Exception>>;
    /// The changed meetings of every series a person is in (their calendar feed), in one
    /// read.
    async fn exceptions_of(
        &self,
        person: PersonId,
    ) -> CoreResult<std::collections::HashMap<SeriesId, Vec<Exception>>>;
    async fn points(&self, id: SeriesId) -> CoreResult<Vec<Point>>;
    async fn shared_note(
        &self,
        id: SeriesId,
        occurrence: NaiveDate,
    ) -> CoreResult<Option<SharedNote>>;
    /// The sealed private note of `author` at a meeting.
    async fn private_note(
        &self,
        id: SeriesId,
        occurrence: NaiveDate,
        author: PersonId,
    ) -> CoreResult<Option<String>>;
    /// Meetings of the series that have a private note by `author`.
    async fn private_note_meetings(
        &self,
        id: SeriesId,
        author: PersonId,
    ) -> CoreResult<Vec<NaiveDate>>;
    async fn actions(&self, id: SeriesId) -> CoreResult<Vec<Action>>;
    async fn action(&self, id: ActionId) -> CoreResult<Option<(SeriesId, Action)>>;
    /// A person's calendar token, sealed.
    async fn calendar_token(&self, person: PersonId) -> CoreResult<Option<String>>;
    async fn person_of_calendar(&self, digest: &str) -> CoreResult<Option<PersonId>>;
}

/// Feedback's steps of a unit of work on 1:1s.
#[async_trait]
pub trait FeedbackWrite: crate::unit_of_work::UnitOfWork {
    async fn create_feedback(
        &mut self,
        new: &super::feedback::NewFeedback,
    ) -> CoreResult<FeedbackId>;
    async fn create_request(&mut self, new: &super::feedback::NewRequest) -> CoreResult<RequestId>;
    /// `false` when the person had already answered or declined.
    async fn mark_answered(&mut self, id: RequestId, person: PersonId, at: i64)
    -> CoreResult<bool>;
    async fn mark_declined(&mut self, id: RequestId, person: PersonId, at: i64)
    -> CoreResult<bool>;
    /// `false` when they were already reminded.
    async fn mark_request_reminded(
        &mut self,
        id: RequestId,
        person: PersonId,
        at: i64,
    ) -> CoreResult<bool>;
}

/// Storage of feedback and requests for it: part of [`ConversationStore`].
#[async_trait]
pub trait FeedbackStore: Send + Sync {
    /// Feedback about a person, newest first (with its request's asker and question).
    async fn feedback_about(&self, person: PersonId) -> CoreResult<Vec<Feedback>>;
    async fn feedback_from(&self, person: PersonId) -> CoreResult<Vec<Feedback>>;
    /// Answers to the requests a person made.
    async fn answers_to_requests_of(&self, person: PersonId) -> CoreResult<Vec<Feedback>>;
    /// Unrequested feedback about a person's direct reports, shared with their manager.
    async fn feedback_shared_with_manager(&self, manager: PersonId) -> CoreResult<Vec<Feedback>>;
    async fn request(&self, id: RequestId) -> CoreResult<Option<Request>>;
    /// Requests asking a person, newest first.
    async fn requests_to(&self, person: PersonId) -> CoreResult<Vec<Request>>;
    /// Requests a person made, newest first.
    async fn requests_by(&self, person: PersonId) -> CoreResult<Vec<Request>>;
    /// Open requests (not expired at `now`) with each person who has neither answered,
    /// declined nor been reminded.
    async fn unanswered_requests(&self, now: i64) -> CoreResult<Vec<(Request, PersonId)>>;
}
