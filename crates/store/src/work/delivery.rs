//! Delivery reliability counted in SQL with the rule of `trellis_core::work::metrics::delivery`.

use super::*;
use crate::people::date;
use crate::sql::*;
use crate::{SqlStore, map_err};
use chrono::{Datelike, Duration, Months, NaiveDate};
use std::collections::HashMap;
use trellis_core::PersonId;
use trellis_core::error::CoreResult;
use trellis_core::work::metrics::{DeliveryCounts, DeliveryRecord, DeliveryState, Window};

/// The counting rule of `trellis_core::work::metrics::delivery`, in SQL, for the rows of
/// [`COUNTED`]: open work not yet due is left out; done work counts, on time when completed
/// on or before the agreed date; work its owner cancelled late counts as not delivered. The
/// conformance suite checks it against the core function.
pub(crate) const DUE_CASE: &str =
    "CASE WHEN status <> 'open' OR agreed_due_date < $1 THEN 1 ELSE 0 END";
/// Rows that can count: everything but work cancelled out of the record.
pub(crate) const COUNTED: &str = "(status <> 'cancelled' OR cancel_counts = 1)";
pub(crate) const ON_TIME_CASE: &str =
    "CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END";

/// The parameters every delivery count starts with: today, as `$1`.
pub(crate) fn today_param(today: NaiveDate) -> CoreResult<Params> {
    let mut p = Params::new();
    p.bind(text_day(today))?;
    Ok(p)
}

/// How a window splits between the `delivery_months` rollup and `commitments`: calendar
/// months that ended before today come from the rollup (all their open work is late, so
/// it counts); other days are counted from `commitments` with the rule above. A month the
/// window only partly covers is read whole from the rollup, less the days outside the
/// window, when those are fewer than the days inside by a margin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split {
    /// First and last `YYYY-MM` read from the rollup; an empty range when there is none.
    pub(crate) months: (String, String),
    /// Day ranges (both ends included) counted from commitments and added…
    pub(crate) added: Vec<(NaiveDate, NaiveDate)>,
    /// …and those taken away from the rollup's months.
    pub(crate) taken: Vec<(NaiveDate, NaiveDate)>,
}

/// A month's rollup rows cost about as much to read as this many days of commitments.
const ROLLUP_DAYS: i64 = 8;

pub(crate) fn split(window: Window, today: NaiveDate) -> Split {
    let mut months: Vec<NaiveDate> = Vec::new();
    let mut added: Vec<(NaiveDate, NaiveDate)> = Vec::new();
    let mut taken = Vec::new();
    let mut start = window.first.with_day(1).unwrap_or(window.first);
    while start <= window.last {
        let next = start
            .checked_add_months(Months::new(1))
            .unwrap_or(NaiveDate::MAX);
        let end = next - Duration::days(1);
        let (first, last) = (start.max(window.first), end.min(window.last));
        let covered = (last - first).num_days() + 1;
        let outside = (end - start).num_days() + 1 - covered;
        if end < today && (outside == 0 || outside + ROLLUP_DAYS < covered) {
            months.push(start);
            if first > start {
                taken.push((start, first - Duration::days(1)));
            }
            if last < end {
                taken.push((last + Duration::days(1), end));
            }
        } else {
            match added.last_mut() {
                Some(range) if range.1 + Duration::days(1) == first => range.1 = last,
                _ => added.push((first, last)),
            }
        }
        start = next;
    }
    let month = |d: &NaiveDate| d.format("%Y-%m").to_string();
    Split {
        months: match (months.first(), months.last()) {
            (Some(a), Some(b)) => (month(a), month(b)),
            _ => ("9999-99".into(), "0000-00".into()),
        },
        added,
        taken,
    }
}

/// What a delivery count is summed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Owner,
    OwnerAndMonth,
    Month,
}

/// An owner (0 when summed over everyone) and a month (empty when summed over months).
type SumKey = (i64, String);
/// Due and on-time counts of one part of a window; a part taken away counts negative.
type Sums = HashMap<SumKey, (i64, i64)>;
/// One row of a part.
type PartRow = (SumKey, (i64, i64));

/// Delivery counts of a window summed by `key`, with nothing due left out, in key order.
/// The window's parts — the rollup's months and each range of days — are statements of
/// their own, read side by side and added up here: one statement would sort all of their
/// rows together, and a range of days OR-ed with another is hidden from the indexes.
async fn counted(
    store: &SqlStore,
    window: Window,
    today: NaiveDate,
    owners: Option<&[PersonId]>,
    key: Key,
) -> CoreResult<Vec<(SumKey, DeliveryCounts)>> {
    if key != Key::Owner {
        return counted_from(store, window, today, owners, key, &[]).await;
    }
    // Per owner, a kept trailing window near this one is the cheapest read of all. A move
    // commits a span's dates and rows together, but they are read in statements of their
    // own: when the dates changed meanwhile, the rows may be the new ones, so read again.
    let mut spans = super::trailing::spans(store).await?;
    for _ in 0..3 {
        let counted = counted_from(store, window, today, owners, key, &spans).await?;
        let now = super::trailing::spans(store).await?;
        if now == spans {
            return Ok(counted);
        }
        spans = now;
    }
    // Moving three times within a read: count without the spans.
    counted_from(store, window, today, owners, key, &[]).await
}

/// [`counted`] with the kept spans as read.
async fn counted_from(
    store: &SqlStore,
    window: Window,
    today: NaiveDate,
    owners: Option<&[PersonId]>,
    key: Key,
    spans: &[super::trailing::Span],
) -> CoreResult<Vec<(SumKey, DeliveryCounts)>> {
    let backend = store.backend;
    // Parts already summed per owner, and rows to be summed per key.
    let mut summed: Vec<(String, Params)> = Vec::new();
    let mut parts: Vec<(String, Params)> = Vec::new();
    let near = super::trailing::plan(window, today, spans);
    let s = match near {
        Some(near) => {
            let mut p = Params::new();
            let days = p.bind(near.days)?;
            let only = p.maybe_people(backend, "owner_id", owners)?;
            summed.push((
                format!(
                    "SELECT owner_id AS owner, '' AS month, due, on_time FROM delivery_windows \
                     WHERE days = {days}{only} ORDER BY owner_id"
                ),
                p,
            ));
            Split {
                months: ("9999-99".into(), "0000-00".into()),
                added: near.added,
                taken: near.taken,
            }
        }
        None => split(window, today),
    };
    if s.months.0 <= s.months.1 {
        let mut p = Params::new();
        let from = p.bind(s.months.0.clone())?;
        let to = p.bind(s.months.1.clone())?;
        let only = p.maybe_people(backend, "owner_id", owners)?;
        // Months over everyone, not per owner, come from the organisation's rollup.
        let (owner, table) = match (key, owners) {
            (Key::Month, None) => ("CAST(0 AS BIGINT)", "delivery_org_months"),
            _ => ("owner_id", "delivery_months"),
        };
        parts.push((
            format!(
                "SELECT {owner} AS owner, month, settled + open AS due, on_time FROM {table} \
                 WHERE month >= {from} AND month <= {to}{only}"
            ),
            p,
        ));
    }
    let added = s.added.iter().map(|r| ("", r));
    for (sign, (first, last)) in added.chain(s.taken.iter().map(|r| ("-", r))) {
        let mut p = today_param(today)?;
        let first = p.bind(text_day(*first))?;
        let last = p.bind(text_day(*last))?;
        let only = p.maybe_people(backend, "accountable_id", owners)?;
        parts.push((
            format!(
                "SELECT accountable_id AS owner, substr(agreed_due_date, 1, 7) AS month, \
                 {sign}{DUE_CASE} AS due, {sign}{ON_TIME_CASE} AS on_time FROM commitments \
                 WHERE agreed_due_date >= {first} AND agreed_due_date <= {last} \
                 AND {COUNTED}{only}"
            ),
            p,
        ));
    }
    let (select, group) = match key {
        Key::Owner => ("owner, '' AS month", "owner"),
        Key::OwnerAndMonth => ("owner, month", "owner, month"),
        Key::Month => ("CAST(0 AS BIGINT) AS owner, month", "month"),
    };
    let map: fn(&dyn Columns) -> CoreResult<PartRow> = |r| {
        Ok((
            (r.int("owner")?, r.text("month")?),
            (r.int("due")?, r.int("on_time")?),
        ))
    };
    let grouped = parts.into_iter().map(|(rows, p)| {
        let sql = format!(
            "SELECT {select}, CAST(SUM(due) AS BIGINT) AS due, \
             CAST(SUM(on_time) AS BIGINT) AS on_time FROM ({rows}) c GROUP BY {group}"
        );
        (sql, p)
    });
    let reads = summed
        .into_iter()
        .chain(grouped)
        .map(|(sql, p)| fetch(store, sql, p, map));
    // Each part's rows are unique per key, so the largest (100,000 rows of a kept window
    // over everyone) is taken whole and the others, a few days each, are added to it:
    // one small map instead of one as large as the organisation.
    let mut parts = futures_util::future::try_join_all(reads).await?;
    let largest = (0..parts.len()).max_by_key(|i| parts[*i].len());
    let base = largest.map(|i| parts.swap_remove(i)).unwrap_or_default();
    let mut sums = Sums::new();
    for (k, (due, on_time)) in parts.into_iter().flatten() {
        let sum = sums.entry(k).or_default();
        sum.0 += due;
        sum.1 += on_time;
    }
    let mut counted: Vec<(SumKey, DeliveryCounts)> = Vec::with_capacity(base.len() + sums.len());
    let mut keep = |k: SumKey, (due, on_time): (i64, i64)| {
        if due > 0 {
            let counts = DeliveryCounts {
                due: due as u64,
                on_time: on_time.max(0) as u64,
            };
            counted.push((k, counts));
        }
    };
    for (k, (due, on_time)) in base {
        let (more_due, more_on_time) = match sums.is_empty() {
            true => (0, 0),
            false => sums.remove(&k).unwrap_or_default(),
        };
        keep(k, (due + more_due, on_time + more_on_time));
    }
    for (k, sum) in sums {
        keep(k, sum);
    }
    counted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(counted)
}

#[async_trait::async_trait]
impl trellis_core::work::store::DeliveryStore for SqlStore {
    async fn delivery_by_owner(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, DeliveryCounts)>> {
        let counted = counted(self, window, today, owners, Key::Owner).await?;
        Ok(counted
            .into_iter()
            .map(|((owner, _), c)| (PersonId(owner), c))
            .collect())
    }
    async fn delivery_by_owner_and_month(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<OwnerMonth>> {
        let counted = counted(self, window, today, owners, Key::OwnerAndMonth).await?;
        Ok(counted
            .into_iter()
            .map(|((owner, month), c)| (PersonId(owner), month, c))
            .collect())
    }
    async fn delivery_by_month(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<(String, DeliveryCounts)>> {
        let counted = counted(self, window, today, owners, Key::Month).await?;
        Ok(counted
            .into_iter()
            .map(|((_, month), c)| (month, c))
            .collect())
    }
    async fn delivery_records(&self, owner: PersonId) -> CoreResult<Vec<DeliveryRecord>> {
        let rows = sqlx::query(
            "SELECT agreed_due_date, status, completed_on, cancel_counts FROM commitments \
             WHERE COALESCE(accountable_id, owner_id) = $1",
        )
        .bind(owner.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let status: String = get(r, "status")?;
                Ok(DeliveryRecord {
                    agreed_due: day(r, "agreed_due_date")?,
                    state: match status.as_str() {
                        "done" => DeliveryState::Done,
                        "cancelled" if get::<i64>(r, "cancel_counts")? != 0 => {
                            DeliveryState::CancelledLate
                        }
                        "cancelled" => DeliveryState::Cancelled,
                        _ => DeliveryState::Open,
                    },
                    completed_on: date(get(r, "completed_on")?),
                })
            })
            .collect()
    }
    async fn roll_trailing_windows(
        &self,
        last: NaiveDate,
        effort_until: NaiveDate,
    ) -> CoreResult<bool> {
        super::trailing::roll(self, last, effort_until).await
    }
    async fn remaining_effort(
        &self,
        owners: Option<&[PersonId]>,
        due_until: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, f64)>> {
        // As with the delivery spans: read again when a move landed between the kept
        // rows' day and the rows.
        let mut kept = super::trailing::effort_until(self).await?;
        for _ in 0..3 {
            let effort = remaining_effort_from(self, owners, due_until, kept).await?;
            let now = super::trailing::effort_until(self).await?;
            if now == kept {
                return Ok(effort);
            }
            kept = now;
        }
        remaining_effort_from(self, owners, due_until, None).await
    }
}

/// Open hours due up to `due_until` per owner, from the open-effort rows kept up to
/// `kept` when it is near.
async fn remaining_effort_from(
    store: &SqlStore,
    owners: Option<&[PersonId]>,
    due_until: NaiveDate,
    kept: Option<NaiveDate>,
) -> CoreResult<Vec<(PersonId, f64)>> {
    let map: fn(&dyn Columns) -> CoreResult<(PersonId, f64)> =
        |r| Ok((PersonId(r.int("owner_id")?), r.real("hours")?));
    let kept =
        kept.filter(|kept| (due_until - *kept).num_days().abs() <= super::trailing::MAX_EDGE_DAYS);
    let Some(kept) = kept else {
        let mut p = Params::new();
        let until = p.bind(text_day(due_until))?;
        let filter = p.maybe_people(store.backend, "owner_id", owners)?;
        let sql = format!(
            "SELECT owner_id, SUM(remaining_hours) AS hours FROM commitments \
             WHERE status = 'open' AND due_date <= {until}{filter} GROUP BY owner_id"
        );
        return fetch(store, sql, p, map).await;
    };
    // The kept rows, with the open work due between their day and this one added or
    // taken away.
    let mut p = Params::new();
    let filter = p.maybe_people(store.backend, "owner_id", owners)?;
    let mut reads = vec![fetch(
        store,
        format!("SELECT owner_id, hours FROM open_effort WHERE hours <> 0{filter}"),
        p,
        map,
    )];
    if kept != due_until {
        let (sign, after, until) = match kept < due_until {
            true => ("", kept, due_until),
            false => ("-", due_until, kept),
        };
        let mut p = Params::new();
        let after = p.bind(text_day(after))?;
        let until = p.bind(text_day(until))?;
        let filter = p.maybe_people(store.backend, "owner_id", owners)?;
        let sql = format!(
            "SELECT owner_id, SUM({sign}remaining_hours) AS hours FROM commitments \
             WHERE status = 'open' AND due_date > {after} AND due_date <= {until}{filter} \
             GROUP BY owner_id"
        );
        reads.push(fetch(store, sql, p, map));
    }
    let mut hours: HashMap<PersonId, f64> = HashMap::new();
    for part in futures_util::future::try_join_all(reads).await? {
        for (owner, h) in part {
            *hours.entry(owner).or_default() += h;
        }
    }
    let mut out: Vec<(PersonId, f64)> = hours.into_iter().filter(|(_, h)| h.abs() > 1e-9).collect();
    out.sort_unstable_by_key(|(owner, _)| owner.0);
    Ok(out)
}

/// Delivery counts of one owner in one month.
type OwnerMonth = (PersonId, String, DeliveryCounts);

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn window(first: &str, last: &str) -> Window {
        Window {
            first: day(first),
            last: day(last),
        }
    }

    #[test]
    fn whole_months_before_today_come_from_the_rollup_and_the_edges_from_commitments() {
        // A year ending today: December 2025 is read whole less its first four days, and
        // today's month as days.
        let s = split(window("2025-12-05", "2026-12-04"), day("2026-12-04"));
        assert_eq!(s.months, ("2025-12".into(), "2026-11".into()));
        assert_eq!(s.taken, [(day("2025-12-01"), day("2025-12-04"))]);
        assert_eq!(s.added, [(day("2026-12-01"), day("2026-12-04"))]);
        // A window that starts on the first and a month that ends the day before today.
        let s = split(window("2026-10-01", "2026-11-30"), day("2026-12-01"));
        assert_eq!(s.months, ("2026-10".into(), "2026-11".into()));
        assert!(s.added.is_empty() && s.taken.is_empty());
        // Today's month is never whole: its open work is not yet decided.
        let s = split(window("2026-10-01", "2026-11-30"), day("2026-11-30"));
        assert_eq!(s.months, ("2026-10".into(), "2026-10".into()));
        assert_eq!(s.added, [(day("2026-11-01"), day("2026-11-30"))]);
    }

    #[test]
    fn a_month_mostly_inside_the_window_is_read_whole_less_the_days_outside() {
        // 90 days ending on 5 December: 24 days of September are inside, 6 outside.
        let s = split(window("2026-09-07", "2026-12-05"), day("2026-12-05"));
        assert_eq!(s.months, ("2026-09".into(), "2026-11".into()));
        assert_eq!(s.taken, [(day("2026-09-01"), day("2026-09-06"))]);
        assert_eq!(s.added, [(day("2026-12-01"), day("2026-12-05"))]);
        // A window in the past that ends early in a month and starts late in one.
        let s = split(window("2026-08-25", "2026-11-03"), day("2026-12-05"));
        assert_eq!(s.months, ("2026-09".into(), "2026-10".into()));
        assert_eq!(
            s.added,
            [
                (day("2026-08-25"), day("2026-08-31")),
                (day("2026-11-01"), day("2026-11-03"))
            ]
        );
        // …and one that ends late in a month: the whole of it, less its last days.
        let s = split(window("2026-09-01", "2026-10-28"), day("2026-12-05"));
        assert_eq!(s.months, ("2026-09".into(), "2026-10".into()));
        assert_eq!(s.taken, [(day("2026-10-29"), day("2026-10-31"))]);
        assert!(s.added.is_empty());
    }

    #[test]
    fn a_window_without_a_month_before_today_is_read_from_commitments_alone() {
        for (first, last, today) in [
            ("2026-11-03", "2026-11-28", "2026-11-29"),
            ("2026-10-31", "2026-11-01", "2026-12-04"),
            ("2026-12-01", "2027-01-31", "2026-12-04"),
        ] {
            let w = window(first, last);
            let s = split(w, day(today));
            assert!(s.months.0 > s.months.1, "{first}..{last}: no month");
            assert_eq!(s.added, [(w.first, w.last)], "{first}..{last}");
            assert!(s.taken.is_empty());
        }
    }
}
