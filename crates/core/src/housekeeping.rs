//! The jobs that keep people's work in step, above every capability they touch: bringing
//! 1:1 series in step with reporting lines, and the hourly reminders (1:1s, feedback
//! requests, review deadlines), review steps opening on their dates, the advice pulse,
//! connection rounds, the weekly digests, the daily influence figures and the scorecards'
//! monthly figures, which schedule their next run themselves.

use crate::conversations::sync::{SYNC_JOB, sync_reporting_series};
use crate::error::CoreResult;
use crate::jobs::{JobOutcome, JobRunner};
use std::sync::Arc;

/// The job that sends due reminders and schedules itself again.
pub const REMINDER_JOB: &str = crate::conversations::reminders::REMINDER_JOB;
/// How often the reminder job runs.
pub const REMINDER_EVERY_SECONDS: i64 = crate::conversations::reminders::REMINDER_EVERY_SECONDS;

/// Whether a job of this kind is housekeeping.
pub fn is_housekeeping(kind: &str) -> bool {
    kind == SYNC_JOB || kind == REMINDER_JOB
}

/// Runs one housekeeping job of `kind`.
pub async fn run(store: &dyn crate::Store, kind: &str, now: i64) -> CoreResult<String> {
    if kind == SYNC_JOB {
        let plan = sync_reporting_series(store, now).await?;
        return Ok(format!(
            "1:1 series in step: {} started, {} ended",
            plan.create.len(),
            plan.end.len()
        ));
    }
    let sent = crate::conversations::reminders::send_due(store, now).await?
        + crate::conversations::feedback::remind_requests(store, now).await?
        + crate::reviews::reminders::send_due(store, now).await?
        + crate::reviews::steps::advance(store, now).await?
        + crate::influence::pulse::ask_when_due(store, now).await?
        + crate::development::remind_due(store, now).await?
        + crate::decisions::remind_due(store, now).await?;
    // The trailing windows the dashboards read, moved to today before they are read.
    crate::work::reports::roll_trailing_windows(store, now).await?;
    let connections = crate::connect::rounds::run_due(store, now).await?;
    let digests = crate::digest::send::queue_due(store, now).await?;
    // Once a day: everyone's influence figures, which the pages read.
    let figures = crate::influence::figures::refresh_if_stale(store, now).await?;
    // Once a day, after them: every manager's scorecard figures, kept for their trends.
    let scorecards = crate::scorecards::history::record_if_stale(store, now).await?;
    store
        .schedule_job(REMINDER_JOB, "", now + REMINDER_EVERY_SECONDS)
        .await?;
    let mut done = format!("reminders: {sent} sent");
    if connections > 0 {
        done += &format!("; {connections} connection rounds run");
    }
    if digests > 0 {
        done += &format!("; {digests} weekly digests queued");
    }
    if figures > 0 {
        done += &format!("; influence figures computed for {figures} people");
    }
    if scorecards > 0 {
        done += &format!("; scorecard figures recorded for {scorecards} managers");
    }
    Ok(done)
}

/// Runs housekeeping jobs only: the worker of a server that sends no mail (other jobs
/// wait for a worker that can run them).
pub struct Runner {
    pub store: Arc<dyn crate::Store>,
}

#[async_trait::async_trait]
impl JobRunner for Runner {
    async fn run_next(&self, worker: &str, now: i64) -> CoreResult<Option<String>> {
        let store = self.store.as_ref();
        for kind in [SYNC_JOB, REMINDER_JOB] {
            if let Some(job) = store.claim_job_of(kind, worker, now, 300).await? {
                let done = run(store, kind, now).await?;
                store
                    .finish_job(job.id, worker, now, JobOutcome::Done)
                    .await?;
                return Ok(Some(done));
            }
        }
        Ok(None)
    }
}
