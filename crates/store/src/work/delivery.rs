//! Delivery reliability counted in SQL with the rule of `trellis_core::work::metrics::delivery`.

use super::*;
use crate::people::date;
use crate::sql::*;
use crate::{SqlStore, map_err};
use chrono::{Datelike, Duration, Months, NaiveDate};
use trellis_core::PersonId;
use trellis_core::error::CoreResult;
use trellis_core::work::metrics::{DeliveryCounts, DeliveryRecord, DeliveryState, Window};

/// The counting rule of `trellis_core::work::metrics::delivery`, in SQL, for the rows of
/// [`COUNTED`]: open work not yet due is left out; done work counts, on time when completed
/// on or before the agreed date; work its owner cancelled late counts as not delivered. The
/// conformance suite checks it against the core function.
pub(crate) const DUE_CASE: &str =
    "CASE WHEN status <> 'open' OR agreed_due_date < $3 THEN 1 ELSE 0 END";
/// Rows that can count: everything but work cancelled out of the record.
pub(crate) const COUNTED: &str = "(status <> 'cancelled' OR cancel_counts = 1)";
pub(crate) const ON_TIME_CASE: &str =
    "CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END";

pub(crate) fn window_params(window: Window, today: NaiveDate) -> CoreResult<Params> {
    let mut p = Params::new();
    p.bind(text_day(window.first))?;
    p.bind(text_day(window.last))?;
    p.bind(text_day(today))?;
    Ok(p)
}

pub(crate) fn counts(row: &dyn Columns) -> CoreResult<DeliveryCounts> {
    Ok(DeliveryCounts {
        due: row.int("due")?.max(0) as u64,
        on_time: row.int("on_time")?.max(0) as u64,
    })
}

/// How a window splits between the `delivery_months` rollup and `commitments`: whole
/// calendar months inside the window that ended before today come from the rollup (all
/// their open work is late, so it counts); the days before the first whole month and after
/// the last are counted from `commitments` with the rule above.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split {
    /// First and last `YYYY-MM` read from the rollup; an empty range when none is whole.
    pub(crate) months: (String, String),
    /// Days from the window's first up to (not including) this one come from commitments…
    pub(crate) head_until: NaiveDate,
    /// …and days after this one up to the window's last.
    pub(crate) tail_after: NaiveDate,
}

pub(crate) fn split(window: Window, today: NaiveDate) -> Split {
    let first_whole = if window.first.day() == 1 {
        Some(window.first)
    } else {
        window
            .first
            .with_day(1)
            .and_then(|d| d.checked_add_months(Months::new(1)))
    };
    // The last day a whole month may end on: inside the window and before today.
    let limit = window.last.min(today - Duration::days(1));
    let last_whole_end = if (limit + Duration::days(1)).day() == 1 {
        limit
    } else {
        limit.with_day(1).map_or(limit, |d| d - Duration::days(1))
    };
    match first_whole {
        Some(first) if first <= last_whole_end => Split {
            months: (
                first.format("%Y-%m").to_string(),
                last_whole_end.format("%Y-%m").to_string(),
            ),
            head_until: first,
            tail_after: last_whole_end,
        },
        _ => Split {
            months: ("9999-99".into(), "0000-00".into()),
            head_until: window.last + Duration::days(1),
            tail_after: window.last,
        },
    }
}

/// Per-row delivery counts of a window, from the rollup and the edge days, as a subquery
/// with columns `owner`, `month`, `due` and `on_time` (binds `$4` to `$7` after
/// [`window_params`], and the owner lists).
fn counted_rows(
    p: &mut Params,
    backend: crate::Backend,
    window: Window,
    today: NaiveDate,
    owners: Option<&[PersonId]>,
) -> CoreResult<String> {
    let s = split(window, today);
    let from_month = p.bind(s.months.0)?;
    let to_month = p.bind(s.months.1)?;
    let head = p.bind(text_day(s.head_until))?;
    let tail = p.bind(text_day(s.tail_after))?;
    let rolled = p.maybe_people(backend, "owner_id", owners)?;
    let edges = p.maybe_people(backend, "accountable_id", owners)?;
    // The two edges are separate ranges: an OR of them hides each from the indexes.
    let edge = |range: &str| {
        format!(
            "SELECT accountable_id AS owner, substr(agreed_due_date, 1, 7) AS month, \
             {DUE_CASE} AS due, {ON_TIME_CASE} AS on_time FROM commitments \
             WHERE {range} AND {COUNTED}{edges}"
        )
    };
    Ok(format!(
        "SELECT owner_id AS owner, month, settled + open AS due, on_time FROM delivery_months \
         WHERE month >= {from_month} AND month <= {to_month}{rolled} \
         UNION ALL {} UNION ALL {}",
        edge(&format!(
            "agreed_due_date >= $1 AND agreed_due_date < {head}"
        )),
        edge(&format!(
            "agreed_due_date > {tail} AND agreed_due_date <= $2"
        )),
    ))
}

#[async_trait::async_trait]
impl trellis_core::work::store::DeliveryStore for SqlStore {
    async fn delivery_by_owner(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, DeliveryCounts)>> {
        let mut p = window_params(window, today)?;
        let rows = counted_rows(&mut p, self.backend, window, today, owners)?;
        let sql = format!(
            "SELECT owner AS accountable_id, CAST(SUM(due) AS BIGINT) AS due, \
             CAST(SUM(on_time) AS BIGINT) AS on_time \
             FROM ({rows}) c GROUP BY owner HAVING SUM(due) > 0"
        );
        let map: fn(&dyn Columns) -> CoreResult<(PersonId, DeliveryCounts)> =
            |r| Ok((PersonId(r.int("accountable_id")?), counts(r)?));
        fetch(self, sql, p, map).await
    }
    async fn delivery_by_owner_and_month(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<OwnerMonth>> {
        let mut p = window_params(window, today)?;
        let rows = counted_rows(&mut p, self.backend, window, today, owners)?;
        let sql = format!(
            "SELECT owner AS accountable_id, month, CAST(SUM(due) AS BIGINT) AS due, \
             CAST(SUM(on_time) AS BIGINT) AS on_time \
             FROM ({rows}) c GROUP BY owner, month HAVING SUM(due) > 0 ORDER BY owner, month"
        );
        let map: fn(&dyn Columns) -> CoreResult<OwnerMonth> = |r| {
            Ok((
                PersonId(r.int("accountable_id")?),
                r.text("month")?,
                counts(r)?,
            ))
        };
        fetch(self, sql, p, map).await
    }
    async fn delivery_by_month(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<(String, DeliveryCounts)>> {
        let mut p = window_params(window, today)?;
        let rows = counted_rows(&mut p, self.backend, window, today, owners)?;
        let sql = format!(
            "SELECT month, CAST(SUM(due) AS BIGINT) AS due, CAST(SUM(on_time) AS BIGINT) AS on_time \
             FROM ({rows}) c GROUP BY month HAVING SUM(due) > 0 ORDER BY month"
        );
        let map: fn(&dyn Columns) -> CoreResult<(String, DeliveryCounts)> =
            |r| Ok((r.text("month")?, counts(r)?));
        fetch(self, sql, p, map).await
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
    async fn remaining_effort(
        &self,
        owners: Option<&[PersonId]>,
        due_until: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, f64)>> {
        let mut p = Params::new();
        let until = p.bind(text_day(due_until))?;
        let filter = p.maybe_people(self.backend, "owner_id", owners)?;
        let sql = format!(
            "SELECT owner_id, SUM(remaining_hours) AS hours FROM commitments \
             WHERE status = 'open' AND due_date <= {until}{filter} GROUP BY owner_id"
        );
        let map: fn(&dyn Columns) -> CoreResult<(PersonId, f64)> =
            |r| Ok((PersonId(r.int("owner_id")?), r.real("hours")?));
        fetch(self, sql, p, map).await
    }
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
        let s = split(window("2025-12-05", "2026-12-04"), day("2026-12-04"));
        assert_eq!(s.months, ("2026-01".into(), "2026-11".into()));
        assert_eq!(s.head_until, day("2026-01-01"));
        assert_eq!(s.tail_after, day("2026-11-30"));
        // A window that starts on the first and a month that ends the day before today.
        let s = split(window("2026-10-01", "2026-11-30"), day("2026-12-01"));
        assert_eq!(s.months, ("2026-10".into(), "2026-11".into()));
        assert_eq!(s.head_until, day("2026-10-01"));
        assert_eq!(s.tail_after, day("2026-11-30"));
        // Today's month is never whole: its open work is not yet decided.
        let s = split(window("2026-10-01", "2026-11-30"), day("2026-11-30"));
        assert_eq!(s.months, ("2026-10".into(), "2026-10".into()));
        assert_eq!(s.tail_after, day("2026-10-31"));
    }

    #[test]
    fn a_window_without_a_whole_month_is_read_from_commitments_alone() {
        for (first, last, today) in [
            ("2026-11-03", "2026-11-28", "2026-12-04"),
            ("2026-10-31", "2026-11-01", "2026-12-04"),
            ("2026-12-01", "2027-01-31", "2026-12-04"),
        ] {
            let w = window(first, last);
            let s = split(w, day(today));
            assert!(s.months.0 > s.months.1, "{first}..{last}: no month");
            assert_eq!(s.head_until, w.last + Duration::days(1));
            assert_eq!(s.tail_after, w.last);
        }
    }
}
