//! What influence needs from a database. Part of [`crate::Store`].

use super::Interaction;
use super::figures::Figures;
use crate::error::CoreResult;
use crate::ids::PersonId;
use crate::unit_of_work::UnitOfWork;
use async_trait::async_trait;
use chrono::NaiveDate;

/// An advice tie to one adviser: who sought it, and the days it covers (one day, or the
/// months a mentorship runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TieToAdviser {
    pub seeker: PersonId,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
}

/// Storage of interactions, advice pulse answers and computed figures. Above conversations
/// (and so mentoring, growth, work and the org): influence reads the ties those
/// capabilities already hold.
#[async_trait]
pub trait InfluenceStore: crate::conversations::store::ConversationStore + Send + Sync {
    async fn begin_influence_write(&self) -> CoreResult<Box<dyn InfluenceWrite + '_>>;
    /// Adds interactions in one transaction; an interaction already held is skipped.
    /// Returns how many were new.
    async fn add_interactions(&self, rows: &[Interaction]) -> CoreResult<usize>;
    /// Interactions on or after `since`.
    async fn interactions_since(&self, since: NaiveDate) -> CoreResult<Vec<Interaction>>;
    /// Advice ties Trellis already holds from `since` (a day, and the same moment in
    /// seconds) to now, as (seeker, adviser): a mentee seeks their mentor's advice while
    /// the mentorship runs; asking someone for feedback seeks theirs; an advice pulse
    /// answer names whose advice its person sought.
    async fn held_advice_ties(
        &self,
        since: NaiveDate,
        since_at: i64,
    ) -> CoreResult<Vec<(PersonId, PersonId)>>;
    /// Interactions (undirected) Trellis holds since `since_at`: feedback given,
    /// commitments someone requested of someone else, and connections that met.
    async fn held_interactions(&self, since_at: i64) -> CoreResult<Vec<(PersonId, PersonId)>>;
    /// Every advice tie to one person from `since` on, from every source.
    async fn advice_ties_to(
        &self,
        adviser: PersonId,
        since: NaiveDate,
    ) -> CoreResult<Vec<TieToAdviser>>;
    /// The newest advice pulse round asked, if any.
    async fn latest_pulse_round(&self) -> CoreResult<Option<NaiveDate>>;
    /// How many people a person named in a round, if they answered it.
    async fn pulse_response(&self, round: NaiveDate, person: PersonId) -> CoreResult<Option<u32>>;
    /// How many people a round asked and how many answered.
    async fn pulse_turnout(&self, round: NaiveDate) -> CoreResult<(u32, u32)>;
    /// The day the kept figures were computed, if ever.
    async fn influence_computed_on(&self) -> CoreResult<Option<NaiveDate>>;
    /// The figures as last computed: everyone's, or one person's.
    async fn influence_figures(&self, person: Option<PersonId>) -> CoreResult<Vec<Figures>>;
}

/// A transaction of influence writes.
#[async_trait]
pub trait InfluenceWrite: UnitOfWork {
    /// Records a round as asked; `false` when another instance asked it first.
    async fn open_pulse_round(
        &mut self,
        opens_on: NaiveDate,
        at: i64,
        asked: u32,
    ) -> CoreResult<bool>;
    /// Replaces a person's answer to a round.
    async fn save_pulse_answer(
        &mut self,
        round: NaiveDate,
        seeker: PersonId,
        advisers: &[PersonId],
        at: i64,
    ) -> CoreResult<()>;
    /// Replaces everyone's figures.
    async fn save_influence_figures(&mut self, rows: &[Figures]) -> CoreResult<()>;
}
