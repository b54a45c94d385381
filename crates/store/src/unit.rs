//! The one transaction handle behind every unit of work (`OrgWrite`, `PlacementWrite`,
//! `RoundWrite`, …): each capability implements its steps on [`SqlUnit`] in its own file;
//! the audit line, the notifications and the commit are written here once.

use crate::sql::map_err;
use crate::{Backend, SqlStore};
use sqlx::Row;
use trellis_core::audit::AuditEntry;
use trellis_core::error::CoreError;
use trellis_core::error::CoreResult;
use trellis_core::ids::PersonId;
use trellis_core::notify::{Kept, Notification, Outbox, OutboxStore, Topic};
use trellis_core::unit_of_work::UnitOfWork;

/// One transaction, begun immediately on SQLite so it holds the write lock from its first
/// statement (two units never deadlock upgrading a read lock); dropped without a commit, it
/// rolls back.
pub(crate) struct SqlUnit {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) backend: Backend,
}

impl SqlUnit {
    pub(crate) async fn begin(store: &SqlStore) -> CoreResult<Box<SqlUnit>> {
        let tx = match store.backend {
            Backend::Sqlite => store.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => store.pool.begin().await,
        }
        .map_err(map_err)?;
        Ok(Box::new(SqlUnit {
            tx,
            backend: store.backend,
        }))
    }
}

#[async_trait::async_trait]
impl Outbox for SqlUnit {
    async fn notify(&mut self, note: &Notification) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO notifications (person_id, topic, text, link, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(note.to.0)
        .bind(note.topic.as_str())
        .bind(note.text.clone())
        .bind(note.link.clone())
        .bind(note.at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl UnitOfWork for SqlUnit {
    async fn audit(&mut self, entry: &AuditEntry) -> CoreResult<()> {
        crate::accounts::audit_in(&mut self.tx, entry).await
    }
    async fn commit(self: Box<Self>) -> CoreResult<()> {
        self.tx.commit().await.map_err(map_err)
    }
}

#[async_trait::async_trait]
impl OutboxStore for SqlStore {
    async fn notifications_of(&self, person: PersonId, limit: i64) -> CoreResult<Vec<Kept>> {
        let rows = sqlx::query(
            "SELECT id, topic, text, link, created_at, read_at FROM notifications \
             WHERE person_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
        )
        .bind(person.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let topic: String = r.try_get("topic").map_err(map_err)?;
                Ok(Kept {
                    id: r.try_get("id").map_err(map_err)?,
                    note: Notification {
                        to: person,
                        topic: Topic::parse(&topic).ok_or_else(|| {
                            CoreError::Internal(format!("notification topic {topic:?}"))
                        })?,
                        text: r.try_get("text").map_err(map_err)?,
                        link: r.try_get("link").map_err(map_err)?,
                        at: r.try_get("created_at").map_err(map_err)?,
                    },
                    read_at: r.try_get("read_at").map_err(map_err)?,
                })
            })
            .collect()
    }
}
