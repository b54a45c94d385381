//! The demo organisation's work, written in bulk.

use super::*;
use crate::bulk::{Value, insert_rows};
use crate::people::date_text;
use crate::{Backend, SqlStore, map_err};
use sqlx::AssertSqlSafe;
use trellis_core::error::CoreResult;
use trellis_core::work::store::WorkBatch;

pub(crate) fn int(v: i64) -> Value {
    Value::Int(Some(v))
}
pub(crate) fn text(v: impl Into<String>) -> Value {
    Value::Text(Some(v.into()))
}

#[async_trait::async_trait]
impl trellis_core::work::store::WorkStore for SqlStore {
    async fn begin_work_write(
        &self,
    ) -> CoreResult<Box<dyn trellis_core::work::store::WorkWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
    async fn insert_work(&self, b: &WorkBatch) -> CoreResult<()> {
        let mut tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
        .map_err(map_err)?;
        let backend = self.backend;
        insert_objectives(&mut tx, backend, b).await?;
        insert_commitments(&mut tx, backend, b).await?;
        insert_time(&mut tx, backend, b).await?;
        if backend == Backend::Postgres {
            // Later inserts must not collide with the ids chosen here.
            for table in ["objectives", "key_results", "commitments"] {
                sqlx::query(AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                     COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            }
        }
        tx.commit().await.map_err(map_err)
    }
}

/// Objectives with their key results and check-ins.
async fn insert_objectives(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    b: &WorkBatch,
) -> CoreResult<()> {
    let rows: Vec<Vec<Value>> = b
        .objectives
        .iter()
        .map(|(id, o)| {
            vec![
                int(id.0),
                text(o.title.clone()),
                text(o.description.clone()),
                text(o.scope.as_str()),
                Value::Int(o.team.map(|t| t.0)),
                int(o.owner.0),
                Value::Int(o.parent.map(|p| p.0)),
                text(text_day(o.period_start)),
                text(text_day(o.period_end)),
                int(0),
                int(o.created_at),
            ]
        })
        .collect();
    // Parents come first in the batch, so the self-reference holds row by row.
    insert_rows(
        tx,
        backend,
        "objectives",
        &[
            "id",
            "title",
            "description",
            "scope",
            "team_id",
            "owner_id",
            "parent_id",
            "period_start",
            "period_end",
            "closed",
            "created_at",
        ],
        &rows,
    )
    .await?;
    let rows: Vec<Vec<Value>> = b
        .key_results
        .iter()
        .map(|(id, objective, kr)| {
            let (kind, start, target, current, unit, done) = measure_values(&kr.measure);
            vec![
                int(id.0),
                int(objective.0),
                text(kr.title.clone()),
                text(kind),
                Value::Real(Some(start)),
                Value::Real(Some(target)),
                Value::Real(Some(current)),
                text(unit),
                int(done),
            ]
        })
        .collect();
    insert_rows(
        tx,
        backend,
        "key_results",
        &[
            "id",
            "objective_id",
            "title",
            "kind",
            "start_value",
            "target_value",
            "current_value",
            "unit",
            "done",
        ],
        &rows,
    )
    .await?;
    let rows: Vec<Vec<Value>> = b
        .check_ins
        .iter()
        .map(|c| {
            vec![
                int(c.key_result_id.0),
                int(c.author.0),
                int(c.at),
                Value::Real(c.value),
                int(i64::from(c.done)),
                text(c.confidence.as_str()),
                text(c.note.clone()),
            ]
        })
        .collect();
    insert_rows(
        tx,
        backend,
        "check_ins",
        &[
            "key_result_id",
            "author_id",
            "at",
            "value",
            "done",
            "confidence",
            "note",
        ],
        &rows,
    )
    .await?;
    Ok(())
}

/// Commitments and their history, in batches.
async fn insert_commitments(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    b: &WorkBatch,
) -> CoreResult<()> {
    const BATCH: usize = 50_000;
    for chunk in b.commitments.chunks(BATCH) {
        let rows: Vec<Vec<Value>> = chunk
            .iter()
            .map(|c| {
                vec![
                    int(c.id.0),
                    text(c.new.title.clone()),
                    text(c.new.description.clone()),
                    int(c.new.owner.0),
                    Value::Int(c.new.requester.map(|r| r.0)),
                    Value::Int(c.new.objective.map(|o| o.0)),
                    text(text_day(c.due_date)),
                    text(text_day(c.agreed_due_date)),
                    Value::Real(Some(c.new.effort_hours)),
                    Value::Real(Some(c.remaining_hours)),
                    text(c.new.skills.join(",")),
                    int(c.priority),
                    text(c.status.as_str()),
                    int(c.new.created_at),
                    text(text_day(c.new.created_on)),
                    Value::Int(c.completed_at),
                    Value::Text(date_text(c.completed_on)),
                    int(c.new.owner.0),
                ]
            })
            .collect();
        insert_rows(
            tx,
            backend,
            "commitments",
            &[
                "id",
                "title",
                "description",
                "owner_id",
                "requester_id",
                "objective_id",
                "due_date",
                "agreed_due_date",
                "effort_hours",
                "remaining_hours",
                "skills",
                "priority",
                "status",
                "created_at",
                "created_on",
                "completed_at",
                "completed_on",
                "accountable_id",
            ],
            &rows,
        )
        .await?;
    }
    for chunk in b.changes.chunks(BATCH) {
        let rows: Vec<Vec<Value>> = chunk
            .iter()
            .map(|(id, ch)| {
                vec![
                    int(id.0),
                    int(ch.at),
                    int(ch.actor.0),
                    text(ch.field.as_str()),
                    Value::Text(ch.before.clone()),
                    Value::Text(ch.after.clone()),
                    text(ch.note.clone()),
                    Value::Int(ch.in_time.map(i64::from)),
                ]
            })
            .collect();
        insert_rows(
            tx,
            backend,
            "commitment_changes",
            &[
                "commitment_id",
                "at",
                "actor_id",
                "field",
                "before_value",
                "after_value",
                "note",
                "in_time",
            ],
            &rows,
        )
        .await?;
    }
    Ok(())
}

/// Absences and capacities.
async fn insert_time(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: Backend,
    b: &WorkBatch,
) -> CoreResult<()> {
    let rows: Vec<Vec<Value>> = b
        .absences
        .iter()
        .map(|(p, a, z, note)| {
            vec![
                int(p.0),
                text(text_day(*a)),
                text(text_day(*z)),
                text(note.clone()),
            ]
        })
        .collect();
    insert_rows(
        tx,
        backend,
        "absences",
        &["person_id", "first_day", "last_day", "note"],
        &rows,
    )
    .await?;
    let rows: Vec<Vec<Value>> = b
        .capacities
        .iter()
        .map(|(p, h)| vec![int(p.0), Value::Real(Some(*h))])
        .collect();
    insert_rows(
        tx,
        backend,
        "capacities",
        &["person_id", "hours_per_week"],
        &rows,
    )
    .await?;
    Ok(())
}
