//! What development programmes need from a database. Part of [`crate::Store`].

use super::{Cohort, Feedback, NewCohort, NewSession, Session};
use crate::error::CoreResult;
use crate::ids::{CohortId, PersonId, SessionId};
use crate::notify::Notification;
use async_trait::async_trait;

#[async_trait]
pub trait DevelopmentStore: crate::org::store::OrgStore + Send + Sync {
    /// A programme with its participants and what they are told, in one transaction
    /// (`notes` link to the new programme's page, `/development/{id}`, once it has one).
    async fn create_cohort(
        &self,
        cohort: &NewCohort,
        notes: &[Notification],
    ) -> CoreResult<CohortId>;
    async fn cohorts(&self) -> CoreResult<Vec<Cohort>>;
    async fn cohort(&self, id: CohortId) -> CoreResult<Option<Cohort>>;
    /// Adds people not in it yet, and tells them, in one transaction; how many were new.
    async fn add_participants(
        &self,
        cohort: CohortId,
        people: &[PersonId],
        notes: &[Notification],
        at: i64,
    ) -> CoreResult<usize>;
    async fn remove_participant(&self, cohort: CohortId, person: PersonId) -> CoreResult<()>;
    async fn add_session(&self, session: &NewSession) -> CoreResult<SessionId>;
    /// A programme's sessions, earliest first, with who was marked.
    async fn dev_sessions(&self, cohort: CohortId) -> CoreResult<Vec<Session>>;
    async fn dev_session(&self, id: SessionId) -> CoreResult<Option<Session>>;
    /// Every session the person is in (as a participant of its programme) or facilitates.
    async fn sessions_of(&self, person: PersonId) -> CoreResult<Vec<(Cohort, Session)>>;
    async fn mark_attendance(
        &self,
        session: SessionId,
        person: PersonId,
        attended: bool,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()>;
    /// One answer per attendee; a second replaces the first.
    async fn give_feedback(
        &self,
        session: SessionId,
        person: PersonId,
        rating: u8,
        comment: &str,
        at: i64,
    ) -> CoreResult<()>;
    /// The session's answers, in an order unrelated to who gave them.
    async fn session_feedback(&self, session: SessionId) -> CoreResult<Vec<Feedback>>;
    /// Whether the person has answered about the session.
    async fn gave_feedback(&self, session: SessionId, person: PersonId) -> CoreResult<bool>;
    /// Sessions starting between `from` and `to` that have not been announced.
    async fn sessions_to_remind(&self, from: i64, to: i64) -> CoreResult<Vec<(Cohort, Session)>>;
    /// Announces a session: the notifications and the mark, in one transaction.
    async fn mark_reminded(
        &self,
        session: SessionId,
        notes: &[Notification],
        at: i64,
    ) -> CoreResult<()>;
    /// Each active report of an active manager with the day the report's recorded
    /// change of manager to them took effect; `None` when no such change is recorded (they
    /// have reported to them since before the records).
    async fn reporting_lines_since(
        &self,
    ) -> CoreResult<Vec<(PersonId, PersonId, Option<chrono::NaiveDate>)>>;
    /// People in a development programme with a session on or after `since` (seconds).
    async fn in_development_since(&self, since: i64) -> CoreResult<Vec<PersonId>>;
    /// People with stretch work approved on or after `since` (seconds), or still running.
    async fn stretched_since(&self, since: i64) -> CoreResult<Vec<PersonId>>;
    /// Cancels a session and tells its people, in one transaction; only the first of two
    /// instances does.
    async fn cancel_session(
        &self,
        session: SessionId,
        notes: &[Notification],
        at: i64,
    ) -> CoreResult<()>;
}
