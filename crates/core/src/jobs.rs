//! Background jobs (digests, reminders, recomputations in later capabilities). Several
//! instances may run against one database: a job is claimed with a lease by exactly one of
//! them, and claimed again only if that instance did not finish it before the lease ended.

use crate::error::CoreResult;
use async_trait::async_trait;
use serde::Serialize;

/// Jobs that only a dedicated worker runs (backups need a configured folder): claiming
/// any job passes them over.
pub const DEDICATED_KINDS: &[&str] = &[crate::backups::BACKUP_JOB];

/// A job that an instance has claimed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
}

/// How a claimed job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    Done,
    /// Failed; run again at `at` (a backoff), keeping the error.
    Retry {
        at: i64,
        error: String,
    },
    /// Failed for good: done, with the error kept.
    GaveUp {
        error: String,
    },
}

/// The job queue, shared by every instance.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Adds a job to run at `run_at` (Unix seconds).
    async fn schedule_job(&self, kind: &str, payload: &str, run_at: i64) -> CoreResult<i64>;
    /// Claims the most overdue job not held by anyone (of any kind but the
    /// [`DEDICATED_KINDS`]), for `worker`, until `now + lease`.
    async fn claim_job(&self, worker: &str, now: i64, lease: i64) -> CoreResult<Option<Job>>;
    /// Whether a job of this kind waits to run (a job that reschedules itself is started
    /// only when none does).
    async fn has_pending_job(&self, kind: &str) -> CoreResult<bool>;
    /// Claims the most overdue job of one kind, as [`JobStore::claim_job`] does.
    async fn claim_job_of(
        &self,
        kind: &str,
        worker: &str,
        now: i64,
        lease: i64,
    ) -> CoreResult<Option<Job>>;
    /// Settles a claimed job; does nothing when `worker` no longer holds it.
    async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        now: i64,
        outcome: JobOutcome,
    ) -> CoreResult<()>;
}

/// Runs the next due job, whatever its kind: the background worker's one step. `None`
/// when no job is due.
#[async_trait]
pub trait JobRunner: Send + Sync {
    async fn run_next(&self, worker: &str, now: i64) -> CoreResult<Option<String>>;
}
