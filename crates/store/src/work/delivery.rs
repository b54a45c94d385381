//! Delivery reliability counted in SQL with the rule of `trellis_core::work::metrics::delivery`.

use super::*;
use crate::people::date;
use crate::sql::*;
use crate::{SqlStore, map_err};
use chrono::NaiveDate;
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

#[async_trait::async_trait]
impl trellis_core::work::store::DeliveryStore for SqlStore {
    async fn delivery_by_owner(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, DeliveryCounts)>> {
        let mut p = window_params(window, today)?;
        let filter = p.maybe_people(self.backend, "accountable_id", owners)?;
        let sql = format!(
            "SELECT accountable_id, SUM({DUE_CASE}) AS due, SUM({ON_TIME_CASE}) AS on_time \
             FROM commitments WHERE agreed_due_date >= $1 AND agreed_due_date <= $2 \
             AND {COUNTED}{filter} GROUP BY accountable_id HAVING SUM({DUE_CASE}) > 0"
        );
        let map: fn(&dyn Columns) -> CoreResult<(PersonId, DeliveryCounts)> =
            |r| Ok((PersonId(r.int("accountable_id")?), counts(r)?));
        fetch_for(self, owners.is_some(), sql, p, map).await
    }
    async fn delivery_by_owner_and_month(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<OwnerMonth>> {
        let mut p = window_params(window, today)?;
        let filter = p.maybe_people(self.backend, "accountable_id", owners)?;
        let sql = format!(
            "SELECT accountable_id, substr(agreed_due_date, 1, 7) AS month, SUM({DUE_CASE}) AS due, \
             SUM({ON_TIME_CASE}) AS on_time FROM commitments \
             WHERE agreed_due_date >= $1 AND agreed_due_date <= $2 AND {COUNTED}{filter} \
             GROUP BY accountable_id, substr(agreed_due_date, 1, 7) HAVING SUM({DUE_CASE}) > 0 \
             ORDER BY accountable_id, month"
        );
        let map: fn(&dyn Columns) -> CoreResult<OwnerMonth> = |r| {
            Ok((
                PersonId(r.int("accountable_id")?),
                r.text("month")?,
                counts(r)?,
            ))
        };
        fetch_for(self, owners.is_some(), sql, p, map).await
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
        fetch_for(self, owners.is_some(), sql, p, map).await
    }
}

/// Delivery counts of one owner in one month.
type OwnerMonth = (PersonId, String, DeliveryCounts);
