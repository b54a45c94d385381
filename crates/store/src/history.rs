//! The org history table, and person writes that record it with their audit line in one
//! transaction.

use crate::people::{create_person_in, set_person_skills_in};
use crate::{Backend, map_err, placeholders};
use sqlx::AssertSqlSafe;
use trellis_core::PersonId;
use trellis_core::error::CoreResult;
use trellis_core::org::SkillLevel;
use trellis_core::org::history::FieldChange;
use trellis_core::org::people::PersonFields;
use trellis_core::org::store::ChangeRecord;

/// Rows per statement when recording many changes (an import's).
const HISTORY_BATCH: usize = 500;

/// Writes people's changes on a connection, so they commit with the change itself.
pub(crate) async fn record_in(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    changes: &[(PersonId, &FieldChange)],
    record: &ChangeRecord,
) -> CoreResult<()> {
    const COLUMNS: usize = 8;
    let effective_on = record.effective_on.format("%Y-%m-%d").to_string();
    for chunk in changes.chunks(HISTORY_BATCH) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| format!("({})", placeholders(backend, r * COLUMNS + 1, COLUMNS)))
            .collect();
        let sql = format!(
            "INSERT INTO person_history (person_id, field, before_value, after_value, \
             effective_on, recorded_at, actor_id, source) VALUES {}",
            rows.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for (person, change) in chunk {
            q = q
                .bind(person.0)
                .bind(change.field.as_str())
                .bind(change.before.clone())
                .bind(change.after.clone())
                .bind(effective_on.clone())
                .bind(record.audit.at)
                .bind(record.audit.actor.map(|a| a.0))
                .bind(record.source);
        }
        q.execute(&mut *conn).await.map_err(map_err)?;
    }
    // A reporting line may have changed: the worker brings the 1:1 series in step once
    // this commits, whichever way the change came (a page, the API, an import).
    if changes.iter().any(|(_, c)| {
        matches!(
            c.field,
            trellis_core::org::history::HistoryField::Manager
                | trellis_core::org::history::HistoryField::Status
        )
    }) {
        schedule_sync_in(conn, record.audit.at).await?;
    }
    Ok(())
}

/// Asks the worker to bring the 1:1 series in step with the reporting lines once this
/// transaction commits (a person created under a manager, a manager changed, someone left).
pub(crate) async fn schedule_sync_in(conn: &mut sqlx::AnyConnection, at: i64) -> CoreResult<()> {
    crate::jobs::schedule_on(conn, trellis_core::conversations::sync::SYNC_JOB, "", at).await
}

/// The organisation's steps of a unit of work.
#[async_trait::async_trait]
impl trellis_core::org::store::OrgWrite for crate::unit::SqlUnit {
    async fn create_person(&mut self, fields: &PersonFields) -> CoreResult<PersonId> {
        let id = create_person_in(&mut self.tx, fields).await?;
        if fields.manager_id.is_some() {
            schedule_sync_in(&mut self.tx, 0).await?;
        }
        Ok(id)
    }
    async fn update_person(
        &mut self,
        id: PersonId,
        before: &PersonFields,
        after: &PersonFields,
    ) -> CoreResult<()> {
        crate::people::update_changed_in(&mut self.tx, id, before, after).await
    }
    async fn set_skills(&mut self, id: PersonId, skills: &[SkillLevel]) -> CoreResult<()> {
        set_person_skills_in(&mut self.tx, id, skills).await
    }
    async fn record_history(
        &mut self,
        changes: &[(PersonId, &FieldChange)],
        record: &ChangeRecord,
    ) -> CoreResult<()> {
        record_in(&mut self.tx, self.backend, changes, record).await
    }
}
