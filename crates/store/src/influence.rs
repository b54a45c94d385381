//! Interactions: imported ties between people, one row per tie, day and kind.

use crate::bulk::{Value, insert_new_rows};
use crate::mentoring::day_text;
use crate::sql::Columns;
use crate::{SqlStore, map_err};
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::PersonId;
use trellis_core::influence::store::InfluenceStore;
use trellis_core::influence::{Interaction, InteractionKind};

#[async_trait::async_trait]
impl InfluenceStore for SqlStore {
    async fn add_interactions(&self, rows: &[Interaction]) -> CoreResult<usize> {
        let values: Vec<Vec<Value>> = rows
            .iter()
            .map(|i| {
                vec![
                    Value::Int(Some(i.from.0)),
                    Value::Int(Some(i.to.0)),
                    Value::Text(Some(day_text(i.on))),
                    Value::Text(Some(i.kind.as_str().into())),
                ]
            })
            .collect();
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let added = insert_new_rows(
            &mut tx,
            self.backend,
            "interactions",
            &["from_id", "to_id", "on_day", "kind"],
            &values,
        )
        .await?;
        tx.commit().await.map_err(map_err)?;
        Ok(added as usize)
    }

    async fn held_advice_ties(
        &self,
        since: chrono::NaiveDate,
        since_at: i64,
    ) -> CoreResult<Vec<(PersonId, PersonId)>> {
        let rows = sqlx::query(
            "SELECT mentee_id AS seeker, mentor_id AS adviser FROM mentorships \
             WHERE ends_on >= $1 \
             UNION ALL \
             SELECT r.asked_by AS seeker, p.person_id AS adviser FROM feedback_requests r \
             JOIN feedback_request_people p ON p.request_id = r.id WHERE r.created_at >= $2",
        )
        .bind(day_text(since))
        .bind(since_at)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((PersonId(r.int("seeker")?), PersonId(r.int("adviser")?))))
            .collect()
    }
    async fn interactions_since(&self, since: chrono::NaiveDate) -> CoreResult<Vec<Interaction>> {
        let rows =
            sqlx::query("SELECT from_id, to_id, on_day, kind FROM interactions WHERE on_day >= $1")
                .bind(day_text(since))
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(Interaction {
                    from: PersonId(r.int("from_id")?),
                    to: PersonId(r.int("to_id")?),
                    on: r.day("on_day")?,
                    kind: InteractionKind::parse(&r.text("kind")?)
                        .ok_or_else(|| CoreError::Internal("an unknown interaction kind".into()))?,
                })
            })
            .collect()
    }
}
