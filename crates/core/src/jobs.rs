//! Background jobs (digests, reminders, recomputations in later capabilities). Several
//! instances may run against one database: a job is claimed with a lease by exactly one of
//! them, and claimed again only if that instance did not finish it before the lease ended.

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
