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
