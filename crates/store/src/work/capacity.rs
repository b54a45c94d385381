//! Weekly capacity and absences.

use super::*;
use crate::sql::*;
use crate::{SqlStore, map_err};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use trellis_core::PersonId;
use trellis_core::error::CoreResult;
use trellis_core::ids::AbsenceId;
use trellis_core::work::Absence;

#[async_trait::async_trait]
impl trellis_core::work::store::CapacityStore for SqlStore {
    async fn capacities(&self, owners: Option<&[PersonId]>) -> CoreResult<Vec<(PersonId, f64)>> {
        let mut p = Params::new();
        let filter = p.maybe_people(self.backend, "person_id", owners)?;
        let sql = format!("SELECT person_id, hours_per_week FROM capacities WHERE 1 = 1{filter}");
        let map: fn(&dyn Columns) -> CoreResult<(PersonId, f64)> =
            |r| Ok((PersonId(r.int("person_id")?), r.real("hours_per_week")?));
        fetch(self, sql, p, map).await
    }
    async fn set_capacity(&self, person: PersonId, hours: Option<f64>) -> CoreResult<()> {
        match hours {
            Some(h) => sqlx::query(
                "INSERT INTO capacities (person_id, hours_per_week) VALUES ($1, $2) \
                 ON CONFLICT (person_id) DO UPDATE SET hours_per_week = excluded.hours_per_week",
            )
            .bind(person.0)
            .bind(h),
            None => sqlx::query("DELETE FROM capacities WHERE person_id = $1").bind(person.0),
        }
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn absences_between(
        &self,
        owners: Option<&[PersonId]>,
        first: NaiveDate,
        last: NaiveDate,
    ) -> CoreResult<Vec<Absence>> {
        let mut p = Params::new();
        let a = p.bind(text_day(first))?;
        let b = p.bind(text_day(last))?;
        let filter = p.maybe_people(self.backend, "person_id", owners)?;
        let sql = format!(
            "SELECT id, person_id, first_day, last_day, note FROM absences \
             WHERE last_day >= {a} AND first_day <= {b}{filter} ORDER BY person_id, first_day"
        );
        fetch(self, sql, p, absence_row).await
    }
    async fn absences_of(&self, person: PersonId, since: NaiveDate) -> CoreResult<Vec<Absence>> {
        let rows = sqlx::query(
            "SELECT id, person_id, first_day, last_day, note FROM absences \
             WHERE person_id = $1 AND last_day >= $2 ORDER BY first_day, id",
        )
        .bind(person.0)
        .bind(text_day(since))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(absence).collect()
    }
    async fn absence(&self, id: AbsenceId) -> CoreResult<Option<Absence>> {
        let row = sqlx::query(
            "SELECT id, person_id, first_day, last_day, note FROM absences WHERE id = $1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(absence).transpose()
    }
    async fn add_absence(
        &self,
        person: PersonId,
        first: NaiveDate,
        last: NaiveDate,
        note: &str,
    ) -> CoreResult<AbsenceId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO absences (person_id, first_day, last_day, note) VALUES ($1, $2, $3, $4) \
             RETURNING id",
        )
        .bind(person.0)
        .bind(text_day(first))
        .bind(text_day(last))
        .bind(note.to_string())
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(AbsenceId(id))
    }
    async fn delete_absence(&self, id: AbsenceId) -> CoreResult<()> {
        sqlx::query("DELETE FROM absences WHERE id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}

pub(crate) fn absence_row(row: &dyn Columns) -> CoreResult<Absence> {
    Ok(Absence {
        id: AbsenceId(row.int("id")?),
        person_id: PersonId(row.int("person_id")?),
        first_day: row.day("first_day")?,
        last_day: row.day("last_day")?,
        note: row.text("note")?,
    })
}

pub(crate) fn absence(row: &AnyRow) -> CoreResult<Absence> {
    absence_row(row)
}
