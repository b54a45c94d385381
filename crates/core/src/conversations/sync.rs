//! Keeping the reporting series in step with the reporting lines: every active person
//! with a manager has an open series with them; a series whose line no longer holds is
//! ended (and stays readable by its two people). Run by the worker whenever the org
//! history records a change of manager or status — from a page, the API, an import or
//! provisioning — so no writer has to remember it.

use super::store::ConversationStore;
use crate::error::CoreResult;
use crate::ids::{PersonId, SeriesId};
use std::collections::{HashMap, HashSet};

/// The job the org history schedules when a reporting line may have changed.
pub const SYNC_JOB: &str = "one_on_ones.sync";

/// What a sync does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncPlan {
    /// New (manager, report) pairs.
    pub create: Vec<(PersonId, PersonId)>,
    /// Series of lines that no longer hold.
    pub end: Vec<SeriesId>,
}

/// Compares the reporting lines, as (report, manager), with the open reporting series, as
/// (series, manager, report). A duplicate open series of one pair is ended too.
pub fn plan(lines: &[(PersonId, PersonId)], open: &[(SeriesId, PersonId, PersonId)]) -> SyncPlan {
    let wanted: HashSet<(PersonId, PersonId)> = lines.iter().map(|(r, m)| (*m, *r)).collect();
    let mut kept: HashMap<(PersonId, PersonId), SeriesId> = HashMap::new();
    let mut end = Vec::new();
    for (id, m, r) in open {
        if !wanted.contains(&(*m, *r)) || kept.contains_key(&(*m, *r)) {
            end.push(*id);
        } else {
            kept.insert((*m, *r), *id);
        }
    }
    let mut create: Vec<(PersonId, PersonId)> = wanted
        .into_iter()
        .filter(|pair| !kept.contains_key(pair))
        .collect();
    create.sort();
    end.sort();
    SyncPlan { create, end }
}

/// Brings the reporting series in step, in one transaction.
pub async fn sync_reporting_series(
    store: &dyn ConversationStore,
    now: i64,
) -> CoreResult<SyncPlan> {
    let lines = store.manager_links().await?;
    let open = store.open_reporting_series().await?;
    let plan = plan(&lines, &open);
    if plan.create.is_empty() && plan.end.is_empty() {
        return Ok(plan);
    }
    let mut work = store.begin_conversation_write().await?;
    work.end_series(&plan.end, now).await?;
    work.create_reporting_series(&plan.create, now).await?;
    work.commit().await?;
    Ok(plan)
}

/// Runs the 1:1 jobs only — keeping series in step and sending reminders: the worker of a
/// server that sends no mail (other jobs wait for a worker that can run them).
pub struct SyncRunner {
    pub store: std::sync::Arc<dyn crate::Store>,
}

#[async_trait::async_trait]
impl crate::jobs::JobRunner for SyncRunner {
    async fn run_next(&self, worker: &str, now: i64) -> CoreResult<Option<String>> {
        let store = self.store.as_ref();
        for kind in [SYNC_JOB, super::reminders::REMINDER_JOB] {
            if let Some(job) = store.claim_job_of(kind, worker, now, 300).await? {
                let done = run(store, kind, now).await?;
                store
                    .finish_job(job.id, worker, now, crate::jobs::JobOutcome::Done)
                    .await?;
                return Ok(Some(done));
            }
        }
        Ok(None)
    }
}

/// Runs one 1:1 job of `kind`: the sync, or the reminders (which schedule their next run).
pub async fn run(store: &dyn crate::Store, kind: &str, now: i64) -> CoreResult<String> {
    if kind == SYNC_JOB {
        let plan = sync_reporting_series(store, now).await?;
        return Ok(format!(
            "1:1 series in step: {} started, {} ended",
            plan.create.len(),
            plan.end.len()
        ));
    }
    let sent = super::reminders::send_due(store, now).await?
        + super::feedback::remind_requests(store, now).await?;
    store
        .schedule_job(
            super::reminders::REMINDER_JOB,
            "",
            now + super::reminders::REMINDER_EVERY_SECONDS,
        )
        .await?;
    Ok(format!("1:1 and feedback reminders: {sent} sent"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_manager_ends_the_old_series_and_starts_the_new_one() {
        let (dana, max, erin, devi) = (PersonId(4), PersonId(3), PersonId(2), PersonId(5));
        let lines = [(dana, erin), (devi, max)];
        let open = [
            (SeriesId(1), max, dana),
            (SeriesId(2), max, devi),
            (SeriesId(3), max, devi),
        ];
        let p = plan(&lines, &open);
        assert_eq!(p.create, [(erin, dana)]);
        assert_eq!(
            p.end,
            [SeriesId(1), SeriesId(3)],
            "the old line, and a duplicate"
        );
        assert_eq!(
            plan(
                &lines,
                &[(SeriesId(2), max, devi), (SeriesId(4), erin, dana)]
            ),
            SyncPlan::default()
        );
    }
}
