//! What the weekly digest needs from a database. Part of [`crate::Store`].

use super::tips::{Tip, TipAudience};
use crate::error::CoreResult;
use crate::ids::PersonId;
use async_trait::async_trait;

/// Someone who receives the digest.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestRecipient {
    pub person: PersonId,
    pub time_zone: Option<String>,
    /// The newest week queued for them, "2026-W49".
    pub last_week: Option<String>,
}

#[async_trait]
pub trait DigestStore: Send + Sync {
    /// Active people who can sign in and have not turned the digest off.
    async fn digest_recipients(&self) -> CoreResult<Vec<DigestRecipient>>;
    /// Records each (person, week) not recorded yet and queues its job of `kind` to run at
    /// `now`, in one transaction: two instances queueing the same week queue it once. How
    /// many were new.
    async fn queue_weekly_digests(
        &self,
        kind: &str,
        due: &[(PersonId, String)],
        now: i64,
    ) -> CoreResult<usize>;
    async fn weekly_digest_on(&self, person: PersonId) -> CoreResult<bool>;
    async fn set_weekly_digest(&self, person: PersonId, on: bool, at: i64) -> CoreResult<()>;
    /// The organisation's own tips, oldest first.
    async fn digest_tips(&self) -> CoreResult<Vec<Tip>>;
    async fn add_digest_tip(
        &self,
        audience: TipAudience,
        behaviour: &str,
        text: &str,
        by: Option<PersonId>,
        at: i64,
    ) -> CoreResult<i64>;
    /// Whether there was such a tip.
    async fn remove_digest_tip(&self, id: i64) -> CoreResult<bool>;
}
