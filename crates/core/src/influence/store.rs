//! What influence needs from a database. Part of [`crate::Store`].

use super::Interaction;
use crate::error::CoreResult;
use async_trait::async_trait;
use chrono::NaiveDate;

/// Storage of interactions. Above conversations (and so mentoring, growth, work and the
/// org): influence reads the ties those capabilities already hold.
#[async_trait]
pub trait InfluenceStore: crate::conversations::store::ConversationStore + Send + Sync {
    /// Adds interactions in one transaction; an interaction already held is skipped.
    /// Returns how many were new.
    async fn add_interactions(&self, rows: &[Interaction]) -> CoreResult<usize>;
    /// Interactions on or after `since`.
    async fn interactions_since(&self, since: NaiveDate) -> CoreResult<Vec<Interaction>>;
    /// Advice ties Trellis already holds from `since` (a day, and the same moment in
    /// seconds) to now, as (seeker, adviser): a mentee seeks their mentor's advice while
    /// the mentorship runs; asking someone for feedback seeks theirs.
    async fn held_advice_ties(
        &self,
        since: NaiveDate,
        since_at: i64,
    ) -> CoreResult<Vec<(crate::ids::PersonId, crate::ids::PersonId)>>;
}
