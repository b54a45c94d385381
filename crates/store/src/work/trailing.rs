//! The trailing windows of migration 34: delivery counts per owner over 90 and 365 days
//! ending yesterday, and open effort per owner up to the end of the workload horizon, kept
//! by triggers and moved forward each day by the worker. A read over a window near a kept
//! span takes the span's rows and counts only the days where the two differ from
//! commitments, so it stays exact whenever the worker last ran.

use super::text_day;
use crate::sql::*;
use crate::{Backend, SqlStore, map_err};
use chrono::{Duration, NaiveDate};
use sqlx::AssertSqlSafe;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::work::metrics::Window;

/// The advisory lock PostgreSQL's triggers take shared and a move takes alone.
const MOVE_LOCK: i64 = 7_346_001;

/// Beyond this many days at the edges, the monthly rollups are cheaper than a span.
pub(crate) const MAX_EDGE_DAYS: i64 = 31;

/// Days, both ends included.
pub(crate) type Range = (NaiveDate, NaiveDate);

/// One kept delivery window: every counted commitment due in it counts as due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) days: i64,
    pub(crate) range: Range,
}

/// How a window is read from a span: its rows, plus the days only the window has, less
/// the days only the span has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpanPlan {
    pub(crate) days: i64,
    pub(crate) added: Vec<Range>,
    pub(crate) taken: Vec<Range>,
}

/// The days of `a` that are not in `b`.
fn minus(a: Range, b: Range) -> Vec<Range> {
    if b.1 < a.0 || b.0 > a.1 {
        return vec![a];
    }
    let mut out = Vec::new();
    if a.0 < b.0 {
        out.push((a.0, b.0 - Duration::days(1)));
    }
    if a.1 > b.1 {
        out.push((b.1 + Duration::days(1), a.1));
    }
    out
}

fn length(ranges: &[Range]) -> i64 {
    ranges.iter().map(|(a, b)| (*b - *a).num_days() + 1).sum()
}

/// The cheapest span to read `window` from, if one is close enough. A span counts all its
/// open work as late, which holds only while it ends before today.
pub(crate) fn plan(window: Window, today: NaiveDate, spans: &[Span]) -> Option<SpanPlan> {
    let wanted = (window.first, window.last);
    spans
        .iter()
        .filter(|s| s.range.1 < today)
        .map(|s| SpanPlan {
            days: s.days,
            added: minus(wanted, s.range),
            taken: minus(s.range, wanted),
        })
        .map(|p| (length(&p.added) + length(&p.taken), p))
        .filter(|(edges, _)| *edges <= MAX_EDGE_DAYS)
        .min_by_key(|(edges, _)| *edges)
        .map(|(_, p)| p)
}

fn parse_day(text: &str) -> CoreResult<NaiveDate> {
    text.parse()
        .map_err(|_| CoreError::Internal(format!("a span day of {text:?}")))
}

/// A span's row: its length and its first and last days.
type SpanRow = (i64, String, String);

/// The kept delivery spans.
pub(crate) async fn spans(store: &SqlStore) -> CoreResult<Vec<Span>> {
    let map: fn(&dyn Columns) -> CoreResult<SpanRow> =
        |r| Ok((r.int("days")?, r.text("first")?, r.text("last")?));
    let sql = "SELECT days, first, last FROM delivery_window_spans ORDER BY days".to_string();
    fetch(store, sql, Params::new(), map)
        .await?
        .into_iter()
        .map(|(days, first, last)| {
            Ok(Span {
                days,
                range: (parse_day(&first)?, parse_day(&last)?),
            })
        })
        .collect()
}

/// The last due day the open-effort rows cover.
pub(crate) async fn effort_until(store: &SqlStore) -> CoreResult<Option<NaiveDate>> {
    let map: fn(&dyn Columns) -> CoreResult<String> = |r| r.text("last");
    let sql = "SELECT last FROM open_effort_span".to_string();
    match fetch(store, sql, Params::new(), map).await?.first() {
        Some(last) => Ok(Some(parse_day(last)?)),
        None => Ok(None),
    }
}

/// Moves every delivery span to end on `last` and the open-effort span to
/// `effort_until`, adding the days that enter and taking away those that leave, in one
/// transaction. Whether anything moved.
pub(crate) async fn roll(
    store: &SqlStore,
    last: NaiveDate,
    effort_until: NaiveDate,
) -> CoreResult<bool> {
    let mut tx = match store.backend {
        Backend::Sqlite => store.pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => store.pool.begin().await,
    }
    .map_err(map_err)?;
    if store.backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MOVE_LOCK)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    let rows: Vec<SpanRow> = sqlx::query_as("SELECT days, first, last FROM delivery_window_spans")
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
    let mut moved = false;
    for (days, first, old_last) in rows {
        let old = (parse_day(&first)?, parse_day(&old_last)?);
        let new = (last - Duration::days(days - 1), last);
        if old == new {
            continue;
        }
        let entering = minus(new, old).into_iter().map(|r| ("", r));
        let leaving = minus(old, new).into_iter().map(|r| ("-", r));
        for (sign, (from, to)) in entering.chain(leaving) {
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO delivery_windows (days, owner_id, due, on_time) \
                 SELECT $1, accountable_id, SUM({sign}1), \
                 SUM({sign}CASE WHEN status = 'done' AND completed_on <= agreed_due_date \
                 THEN 1 ELSE 0 END) FROM commitments \
                 WHERE agreed_due_date >= $2 AND agreed_due_date <= $3 \
                 AND accountable_id IS NOT NULL AND {} GROUP BY accountable_id \
                 ON CONFLICT (days, owner_id) DO UPDATE SET \
                 due = delivery_windows.due + excluded.due, \
                 on_time = delivery_windows.on_time + excluded.on_time",
                super::delivery::COUNTED
            )))
            .bind(days)
            .bind(text_day(from))
            .bind(text_day(to))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        sqlx::query("UPDATE delivery_window_spans SET first = $1, last = $2 WHERE days = $3")
            .bind(text_day(new.0))
            .bind(text_day(new.1))
            .bind(days)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        moved = true;
    }
    if moved {
        sqlx::query("DELETE FROM delivery_windows WHERE due = 0 AND on_time = 0")
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    let old: Option<String> = sqlx::query_scalar("SELECT last FROM open_effort_span")
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_err)?;
    if let Some(old) = old.as_deref().map(parse_day).transpose()?
        && old != effort_until
    {
        // Open work due after the earlier day and up to the later one enters or leaves.
        let (sign, after, until) = match old < effort_until {
            true => ("", old, effort_until),
            false => ("-", effort_until, old),
        };
        sqlx::query(AssertSqlSafe(format!(
            "INSERT INTO open_effort (owner_id, hours) \
             SELECT owner_id, SUM({sign}remaining_hours) FROM commitments \
             WHERE status = 'open' AND due_date > $1 AND due_date <= $2 GROUP BY owner_id \
             ON CONFLICT (owner_id) DO UPDATE SET hours = open_effort.hours + excluded.hours"
        )))
        .bind(text_day(after))
        .bind(text_day(until))
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query("UPDATE open_effort_span SET last = $1")
            .bind(text_day(effort_until))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        // Sums of hours in floating point: what is left of nothing is a rounding.
        sqlx::query("DELETE FROM open_effort WHERE hours < 1e-9 AND hours > -1e-9")
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        moved = true;
    }
    tx.commit().await.map_err(map_err)?;
    Ok(moved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn span(days: i64, first: &str, last: &str) -> Span {
        Span {
            days,
            range: (day(first), day(last)),
        }
    }

    #[test]
    fn a_window_ending_today_reads_the_span_ending_yesterday_and_one_day_each_side() {
        let spans = [
            span(90, "2026-09-06", "2026-12-04"),
            span(365, "2025-12-05", "2026-12-04"),
        ];
        let window = Window::ending(day("2026-12-05"), 90);
        let p = plan(window, day("2026-12-05"), &spans).unwrap();
        assert_eq!(p.days, 90);
        assert_eq!(p.added, [(day("2026-12-05"), day("2026-12-05"))]);
        assert_eq!(p.taken, [(day("2026-09-06"), day("2026-09-06"))]);
        // A year: the other span.
        let p = plan(
            Window::ending(day("2026-12-05"), 365),
            day("2026-12-05"),
            &spans,
        )
        .unwrap();
        assert_eq!(p.days, 365);
        // The worker has not run for ten days: ten days each side.
        let p = plan(
            Window::ending(day("2026-12-15"), 90),
            day("2026-12-15"),
            &spans,
        )
        .unwrap();
        assert_eq!(p.added, [(day("2026-12-05"), day("2026-12-15"))]);
        assert_eq!(p.taken, [(day("2026-09-06"), day("2026-09-16"))]);
    }

    #[test]
    fn no_span_when_it_reaches_today_or_lies_too_far_away() {
        let spans = [span(90, "2026-09-06", "2026-12-04")];
        // Its open work due on 4 December is not late on 4 December.
        assert_eq!(
            plan(
                Window::ending(day("2026-12-04"), 90),
                day("2026-12-04"),
                &spans
            ),
            None
        );
        assert_eq!(
            plan(
                Window::ending(day("2027-02-01"), 90),
                day("2027-02-01"),
                &spans
            ),
            None
        );
        assert_eq!(
            plan(
                Window::ending(day("2026-12-05"), 30),
                day("2026-12-05"),
                &spans
            ),
            None
        );
        // A window in the past, a few days off, still reads the span.
        let p = plan(
            Window::ending(day("2026-12-01"), 87),
            day("2026-12-05"),
            &spans,
        )
        .unwrap();
        assert!(p.added.is_empty());
        assert_eq!(p.taken, [(day("2026-12-02"), day("2026-12-04"))]);
    }
}
