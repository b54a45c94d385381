//! Background jobs (digests, reminders, recomputations in later capabilities). Several
//! instances may run against one database: a job is claimed with a lease by exactly one of
//! them, and claimed again only if that instance did not finish it before the lease ended.

use crate::error::CoreResult;
use async_trait::async_trait;
use serde::Serialize;

/// A job that an instance has claimed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

/// How long a claim lasts before another instance may take the job over.
pub const LEASE_SECONDS: i64 = 300;

/// The job queue, shared by every instance.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Adds a job to run at `run_at` (Unix seconds).
    async fn schedule_job(&self, kind: &str, payload: &str, run_at: i64) -> CoreResult<i64>;
    /// Claims the most overdue job not held by anyone, for `worker`, until `now + lease`.
    async fn claim_job(&self, worker: &str, now: i64, lease: i64) -> CoreResult<Option<Job>>;
    /// Marks a claimed job done (or failed, with the error kept for the next attempt).
    async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        now: i64,
        error: Option<&str>,
    ) -> CoreResult<()>;
}
