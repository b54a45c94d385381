//! What the decision log needs from a database. Part of [`crate::Store`].

use super::{Decision, DecisionFilter, NewDecision, Verdict};
use crate::error::CoreResult;
use crate::ids::{DecisionId, PersonId};
use crate::notify::Notification;
use async_trait::async_trait;
use chrono::NaiveDate;

#[async_trait]
pub trait DecisionStore: Send + Sync {
    async fn create_decision(&self, decision: &NewDecision) -> CoreResult<DecisionId>;
    /// Decisions matching the filter, the latest decided first.
    async fn decisions(&self, filter: &DecisionFilter) -> CoreResult<Vec<Decision>>;
    async fn decision(&self, id: DecisionId) -> CoreResult<Option<Decision>>;
    /// Records (or replaces) what came of a decision.
    async fn record_outcome(
        &self,
        id: DecisionId,
        verdict: Verdict,
        learned: &str,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()>;
    /// Moves the revisit date; the owner is reminded again on the new one.
    async fn set_revisit(&self, id: DecisionId, on: NaiveDate) -> CoreResult<()>;
    /// Decisions without an outcome whose revisit date is `today` or earlier and whose
    /// owner has not been reminded.
    async fn decisions_to_revisit(&self, today: NaiveDate) -> CoreResult<Vec<Decision>>;
    /// Marks the reminder sent and writes `notes`, in one transaction; only the first of
    /// two instances does, and learns so (`true`).
    async fn mark_revisit_reminded(
        &self,
        id: DecisionId,
        notes: &[Notification],
        at: i64,
    ) -> CoreResult<bool>;
}
