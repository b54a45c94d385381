//! Every manager's figures kept month by month. The worker records them once a day into
//! the current month's row, so the last day recorded in a month stands for the month, and
//! each figure of the scorecard has a trend from the day Trellis started recording.

use super::figures::ManagerFigures;
use super::{Pick, TREND_MONTHS, TrendPoint};
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use crate::store::Store;
use chrono::{Datelike, Months, NaiveDate};
use std::collections::{BTreeMap, HashMap};

/// `YYYY-MM` of a day.
pub fn month_key(day: NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// The figures kept besides the compared ones: the parts of the directing signal, whose
/// upper quartiles a scorecard reads from the day's record.
const SIGNAL_PARTS: [(&str, Pick); 3] = [
    ("directed", |f| f.directed),
    ("due_changes", |f| f.due_changes),
    ("delegation", |f| f.delegation),
];

fn kept() -> impl Iterator<Item = (&'static str, Pick)> {
    super::comparable()
        .into_iter()
        .map(|(key, _, _, pick)| (key, pick))
        .chain(SIGNAL_PARTS)
}

/// A manager's figures as the JSON object kept: figure key to value.
pub fn encode(figures: &ManagerFigures) -> CoreResult<String> {
    let values: BTreeMap<&str, Option<f64>> =
        kept().map(|(key, pick)| (key, pick(figures))).collect();
    serde_json::to_string(&values).map_err(|e| CoreError::Internal(e.to_string()))
}

/// A manager's kept figures read back (their number of reports is not kept); `None` when
/// the record lacks a figure, as one written by an earlier Trellis may.
pub fn decode(manager: PersonId, json: &str) -> Option<ManagerFigures> {
    // Borrowed keys: a scorecard decodes every manager's record of the day.
    let values: HashMap<&str, Option<f64>> = serde_json::from_str(json).ok()?;
    if kept().any(|(key, _)| !values.contains_key(key)) {
        return None;
    }
    let v = |key: &str| values.get(key).copied().flatten();
    Some(ManagerFigures {
        manager,
        reports: 0,
        delivery: v("delivery"),
        overloaded_share: v("overloaded"),
        workload_spread: v("workload_spread"),
        work_current: v("work_current"),
        objectives_on_track: v("objectives"),
        reviews_on_time: v("reviews_on_time"),
        one_on_ones_per_report: v("one_on_ones"),
        follow_through_on_time: v("follow_through"),
        career_support: v("career_support"),
        stretch_per_report: v("stretch_given"),
        grown_share: v("people_grown"),
        connection_coverage: v("connection_coverage"),
        influence: v("influence"),
        directed: v("directed"),
        due_changes: v("due_changes"),
        delegation: v("delegation"),
    })
}

/// Every manager's figures to compare with: as the worker recorded them today, or, before
/// it has, computed now from the whole organisation.
pub async fn compared(store: &dyn Store, now: i64) -> CoreResult<Vec<ManagerFigures>> {
    let today = local_date(None, now);
    let rows = store.figures_taken_on(&month_key(today), today).await?;
    let recorded: Option<Vec<ManagerFigures>> =
        rows.iter().map(|(m, json)| decode(*m, json)).collect();
    match recorded {
        Some(all) if !all.is_empty() => Ok(all),
        _ => super::all_figures(store, now).await,
    }
}

/// Records today's figures of every manager into this month, once a day; the number of
/// managers recorded (0 when today's are already kept).
pub async fn record_if_stale(store: &dyn Store, now: i64) -> CoreResult<usize> {
    let today = local_date(None, now);
    if store.figures_recorded_on().await? >= Some(today) {
        return Ok(0);
    }
    record(store, now).await
}

/// Records today's figures of every manager into this month.
pub async fn record(store: &dyn Store, now: i64) -> CoreResult<usize> {
    let today = local_date(None, now);
    let all = super::all_figures(store, now).await?;
    let rows = all
        .iter()
        .map(|f| Ok((f.manager, encode(f)?)))
        .collect::<CoreResult<Vec<(PersonId, String)>>>()?;
    store
        .record_figures(&month_key(today), today, &rows)
        .await?;
    Ok(rows.len())
}

/// Each figure's trend over the last [`TREND_MONTHS`], oldest first: the recorded months,
/// then this month's live value. Empty for a figure until a past month was recorded.
pub async fn trends(
    store: &dyn Store,
    mine: &ManagerFigures,
    now: i64,
) -> CoreResult<HashMap<&'static str, Vec<TrendPoint>>> {
    let today = local_date(None, now);
    let this_month = today.with_day(1).unwrap_or(today);
    let months: Vec<NaiveDate> = (0..TREND_MONTHS)
        .rev()
        .map(|k| {
            this_month
                .checked_sub_months(Months::new(k))
                .unwrap_or(this_month)
        })
        .collect();
    let recorded: HashMap<String, HashMap<String, Option<f64>>> = store
        .recorded_figures(mine.manager, &month_key(months[0]))
        .await?
        .into_iter()
        .filter_map(|(month, json)| Some((month, serde_json::from_str(&json).ok()?)))
        .collect();
    let past_recorded = |key: &str| {
        months[..months.len() - 1].iter().any(|m| {
            recorded
                .get(&month_key(*m))
                .is_some_and(|f| f.contains_key(key))
        })
    };
    let mut out = HashMap::new();
    for (key, _, _, pick) in super::comparable() {
        if !past_recorded(key) {
            continue;
        }
        out.insert(key, points(&months, &recorded, key, pick, mine));
    }
    Ok(out)
}

fn points(
    months: &[NaiveDate],
    recorded: &HashMap<String, HashMap<String, Option<f64>>>,
    key: &str,
    pick: Pick,
    mine: &ManagerFigures,
) -> Vec<TrendPoint> {
    let last = months.len() - 1;
    months
        .iter()
        .enumerate()
        .map(|(i, m)| TrendPoint {
            label: m.format("%b").to_string(),
            value: if i == last {
                pick(mine)
            } else {
                recorded
                    .get(&month_key(*m))
                    .and_then(|f| f.get(key).copied().flatten())
            },
        })
        .collect()
}

/// The demo's history: the figures as they stood on the last day of each of the past
/// [`TREND_MONTHS`] − 1 months, computed from the demo's work as of that day, as the
/// worker would have recorded them.
pub async fn load_demo(store: &dyn Store, now: i64) -> CoreResult<usize> {
    let today = local_date(None, now);
    let this_month = today.with_day(1).unwrap_or(today);
    let mut recorded = 0;
    for k in (1..TREND_MONTHS).rev() {
        let Some(month) = this_month.checked_sub_months(Months::new(k)) else {
            continue;
        };
        let last_day = month + Months::new(1) - chrono::Duration::days(1);
        let then = now - (today - last_day).num_seconds();
        recorded += record(store, then).await?;
    }
    Ok(recorded)
}
