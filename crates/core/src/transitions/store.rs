//! What new-manager transitions need from a database. Part of [`crate::Store`].

use super::delegation::WorkHistory;
use crate::error::CoreResult;
use crate::ids::PersonId;
use async_trait::async_trait;

#[async_trait]
pub trait TransitionStore: Send + Sync {
    /// Every commitment that anyone in `people` owned at some time and that was still
    /// open at or after `since` (seconds), with its owner and status changes.
    async fn work_histories(&self, people: &[PersonId], since: i64)
    -> CoreResult<Vec<WorkHistory>>;
    /// Per person: stretch work approved for them at or after `since` (seconds).
    async fn stretch_approved_since(
        &self,
        people: &[PersonId],
        since: i64,
    ) -> CoreResult<Vec<(PersonId, u32)>>;
}
