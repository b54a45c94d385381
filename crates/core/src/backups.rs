//! Scheduled backups: the `backup` job, taken by an instance that has a backup folder
//! configured (`backup_dir`), one instance at a time through the job queue's claim, every
//! `backup_every`, keeping the newest `backup_keep` files. Taking the backup itself
//! (`trellis backup`) belongs to the store; this decides when, and records how it went.

use crate::error::CoreResult;
use crate::jobs::{JobOutcome, JobRunner};
use crate::store::Store;
use async_trait::async_trait;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

pub const BACKUP_JOB: &str = "backup";
/// A backup of a large installation takes minutes: the claim outlasts it.
const LEASE_SECONDS: i64 = 6 * 3600;
/// A failed backup is tried again after this long.
const RETRY_SECONDS: i64 = 3600;
/// How often a worker looks for a due backup.
const LOOK_EVERY_SECONDS: i64 = 60;

/// Takes one backup and removes the ones beyond those kept.
#[async_trait]
pub trait BackupTaker: Send + Sync {
    /// Says what it wrote and removed.
    async fn take(&self, now: i64) -> CoreResult<String>;
}

/// Starts the schedule: the first backup now, unless one waits already.
pub async fn start(store: &dyn Store, now: i64) -> CoreResult<()> {
    if !store.has_pending_job(BACKUP_JOB).await? {
        store.schedule_job(BACKUP_JOB, "", now).await?;
    }
    Ok(())
}

/// A worker that takes the due backup, and otherwise does what `inner` does.
pub struct Runner<R> {
    pub store: Arc<dyn Store>,
    pub taker: Arc<dyn BackupTaker>,
    /// Seconds between backups.
    pub every: i64,
    pub inner: R,
    /// When this worker last looked for a due backup.
    pub looked_at: AtomicI64,
}

impl<R> Runner<R> {
    pub fn new(store: Arc<dyn Store>, taker: Arc<dyn BackupTaker>, every: i64, inner: R) -> Self {
        Runner {
            store,
            taker,
            every,
            inner,
            looked_at: AtomicI64::new(i64::MIN),
        }
    }
}

#[async_trait]
impl<R: JobRunner> JobRunner for Runner<R> {
    async fn run_next(&self, worker: &str, now: i64) -> CoreResult<Option<String>> {
        let looked = self.looked_at.load(Ordering::Relaxed);
        if now.saturating_sub(looked) >= LOOK_EVERY_SECONDS
            && self
                .looked_at
                .compare_exchange(looked, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
            && let Some(job) = self
                .store
                .claim_job_of(BACKUP_JOB, worker, now, LEASE_SECONDS)
                .await?
        {
            let store = self.store.as_ref();
            let (outcome, said) = match self.taker.take(now).await {
                Ok(said) => (JobOutcome::Done, said),
                Err(e) => (
                    JobOutcome::Retry {
                        at: now + RETRY_SECONDS,
                        error: e.to_string(),
                    },
                    format!("the backup failed ({e}); it is tried again in an hour"),
                ),
            };
            let done = outcome == JobOutcome::Done;
            store.finish_job(job.id, worker, now, outcome).await?;
            if done && !store.has_pending_job(BACKUP_JOB).await? {
                store.schedule_job(BACKUP_JOB, "", now + self.every).await?;
            }
            return Ok(Some(said));
        }
        self.inner.run_next(worker, now).await
    }
}

/// How often backups are taken, `30m`, `12h` or `1d`, as seconds (at least 15 minutes).
pub fn parse_every(text: &str) -> Result<i64, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let seconds = match unit {
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "backup_every: give minutes, hours or days such as 12h or 1d, not {text:?}"
            ));
        }
    };
    let n: i64 = number.trim().parse().map_err(|_| {
        format!("backup_every: give minutes, hours or days such as 12h or 1d, not {text:?}")
    })?;
    let every = n * seconds;
    if every < 15 * 60 {
        return Err(format!("backup_every: at least 15m, not {text:?}"));
    }
    Ok(every)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backup_interval_is_read_in_minutes_hours_or_days() {
        assert_eq!(parse_every("1d"), Ok(86_400));
        assert_eq!(parse_every(" 12h "), Ok(43_200));
        assert_eq!(parse_every("30m"), Ok(1_800));
        assert!(parse_every("5m").unwrap_err().contains("at least 15m"));
        assert!(
            parse_every("daily")
                .unwrap_err()
                .contains("such as 12h or 1d")
        );
        assert!(parse_every("").is_err());
    }
}
