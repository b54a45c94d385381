//! What the mentoring services need from a database. Part of [`crate::Store`].

use super::{
    MenteeEntry, MenteeGoals, MentorEntry, MentorProfile, Mentorship, NewMentorship, NewRound,
    NewRoundPair, Round, RoundPair,
};
use crate::error::CoreResult;
use crate::ids::{MentorshipId, PersonId, RoundId};
use async_trait::async_trait;
use chrono::NaiveDate;

/// A unit of work on mentoring (one transaction; dropped without committing, nothing is
/// written): draft rounds, publishing, ending mentorships.
#[async_trait]
pub trait MentoringWrite: crate::unit_of_work::UnitOfWork {
    /// A draft round and its lines.
    async fn create_round(
        &mut self,
        round: &NewRound,
        pairs: &[NewRoundPair],
    ) -> CoreResult<RoundId>;
    /// Leaves the mentee of a draft round unmatched, with this explanation.
    async fn remove_round_pair(
        &mut self,
        id: RoundId,
        mentee: PersonId,
        explanation: &str,
    ) -> CoreResult<()>;
    /// Marks a draft round published; a conflict when it already is.
    async fn mark_published(&mut self, id: RoundId, by: PersonId, at: i64) -> CoreResult<()>;
    /// The mentorships the round starts, created at `at`.
    async fn create_mentorships(
        &mut self,
        round: RoundId,
        mentorships: &[NewMentorship],
        at: i64,
    ) -> CoreResult<()>;
    /// Marks a mentorship ended on `on`; `false` when it was already ended.
    async fn end_mentorship(
        &mut self,
        id: MentorshipId,
        on: NaiveDate,
        by: PersonId,
        note: &str,
    ) -> CoreResult<bool>;
}

/// Storage of mentee goals, mentor profiles, rounds and mentorships. Mentoring sits above
/// growth: it reads people, skills and the career ladder below it.
#[async_trait]
pub trait MentoringStore: crate::growth::store::GrowthStore + Send + Sync {
    /// Starts a unit of work on mentoring: writes that commit together, or not at all.
    async fn begin_mentoring_write(&self) -> CoreResult<Box<dyn MentoringWrite + '_>>;
    async fn mentee_goals(&self, person: PersonId) -> CoreResult<Option<MenteeGoals>>;
    async fn save_mentee_goals(
        &self,
        person: PersonId,
        goals: &MenteeGoals,
        at: i64,
    ) -> CoreResult<()>;
    async fn delete_mentee_goals(&self, person: PersonId) -> CoreResult<()>;
    async fn mentor_profile(&self, person: PersonId) -> CoreResult<Option<MentorProfile>>;
    async fn save_mentor_profile(
        &self,
        person: PersonId,
        profile: &MentorProfile,
        at: i64,
    ) -> CoreResult<()>;
    async fn delete_mentor_profile(&self, person: PersonId) -> CoreResult<()>;
    /// Everyone taking part in a round on `today`: active mentees with goals and no running
    /// mentorship, and active mentors with places left.
    async fn mentoring_pool(
        &self,
        today: chrono::NaiveDate,
    ) -> CoreResult<(Vec<MenteeEntry>, Vec<MentorEntry>)>;
    /// Every active person with a manager, as (person, manager).
    async fn manager_links(&self) -> CoreResult<Vec<(PersonId, PersonId)>>;
    /// Newest first.
    async fn mentoring_rounds(&self) -> CoreResult<Vec<Round>>;
    async fn mentoring_round(&self, id: RoundId) -> CoreResult<Option<Round>>;
    async fn round_pairs(&self, id: RoundId) -> CoreResult<Vec<RoundPair>>;
    /// As mentee or mentor, running and ended, newest first.
    async fn mentorships_of(&self, person: PersonId) -> CoreResult<Vec<Mentorship>>;
    async fn mentorship(&self, id: MentorshipId) -> CoreResult<Option<Mentorship>>;
}
