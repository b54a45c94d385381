//! The one transaction handle behind every unit of work (`OrgWrite`, `PlacementWrite`,
//! `RoundWrite`, …): each capability implements its steps on [`SqlUnit`] in its own file;
//! the audit line, the notifications and the commit are written here once.

use crate::bulk::{Value, insert_rows, insert_rows_returning};
use crate::sql::map_err;
use crate::{Backend, SqlStore};
use sqlx::Row;
use trellis_core::audit::AuditEntry;
use trellis_core::error::CoreError;
use trellis_core::error::CoreResult;
use trellis_core::ids::PersonId;
use trellis_core::notify::{Delivery, Kept, Notification, Outbox, OutboxStore, Preferences, Topic};
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
        notify_in(&mut self.tx, note).await
    }
}

/// Keeps a notification, and the job that e-mails it as its person prefers, on a
/// transaction's connection.
pub(crate) async fn notify_in(
    conn: &mut sqlx::AnyConnection,
    note: &Notification,
) -> CoreResult<()> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notifications (person_id, topic, text, link, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(note.to.0)
    .bind(note.topic.as_str())
    .bind(note.text.clone())
    .bind(note.link.clone())
    .bind(note.at)
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    // The worker decides, by the person's preference, whether and when it is mailed.
    crate::jobs::schedule_on(
        conn,
        trellis_core::notify::NOTIFICATION_JOB,
        &id.to_string(),
        note.at,
    )
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl UnitOfWork for SqlUnit {
    async fn audit(&mut self, entry: &AuditEntry) -> CoreResult<()> {
        crate::accounts::audit_in(&mut self.tx, entry).await
    }
    async fn commit(self: Box<Self>) -> CoreResult<()> {
        self.tx.commit().await.map_err(map_err)
    }
    /// In a few multi-row statements: a connection round tells thousands of people at once.
    async fn notify_all(&mut self, notes: &[Notification]) -> CoreResult<()> {
        let rows: Vec<Vec<Value>> = notes
            .iter()
            .map(|n| {
                vec![
                    Value::Int(Some(n.to.0)),
                    Value::Text(Some(n.topic.as_str().to_string())),
                    Value::Text(Some(n.text.clone())),
                    Value::Text(Some(n.link.clone())),
                    Value::Int(Some(n.at)),
                ]
            })
            .collect();
        let kept = insert_rows_returning(
            &mut self.tx,
            self.backend,
            "notifications",
            &["person_id", "topic", "text", "link", "created_at"],
            &rows,
            "id, created_at",
        )
        .await?;
        let mut jobs = Vec::with_capacity(kept.len());
        for row in &kept {
            let id: i64 = row.try_get("id").map_err(map_err)?;
            let at: i64 = row.try_get("created_at").map_err(map_err)?;
            jobs.push(vec![
                Value::Text(Some(trellis_core::notify::NOTIFICATION_JOB.to_string())),
                Value::Text(Some(id.to_string())),
                Value::Int(Some(at)),
            ]);
        }
        insert_rows(
            &mut self.tx,
            self.backend,
            "jobs",
            &["kind", "payload", "run_at"],
            &jobs,
        )
        .await
    }
}

const KEPT_COLUMNS: &str = "id, person_id, topic, text, link, created_at, read_at";

fn kept(r: &sqlx::any::AnyRow) -> CoreResult<Kept> {
    let topic: String = r.try_get("topic").map_err(map_err)?;
    Ok(Kept {
        id: r.try_get("id").map_err(map_err)?,
        note: Notification {
            to: PersonId(r.try_get("person_id").map_err(map_err)?),
            topic: Topic::parse(&topic)
                .ok_or_else(|| CoreError::Internal(format!("notification topic {topic:?}")))?,
            text: r.try_get("text").map_err(map_err)?,
            link: r.try_get("link").map_err(map_err)?,
            at: r.try_get("created_at").map_err(map_err)?,
        },
        read_at: r.try_get("read_at").map_err(map_err)?,
    })
}

fn topic_list(rows: &[sqlx::any::AnyRow]) -> CoreResult<Vec<(Topic, Delivery)>> {
    Ok(rows
        .iter()
        .filter_map(|r| {
            let topic: String = r.try_get("topic").ok()?;
            let delivery: String = r.try_get("delivery").ok()?;
            Some((Topic::parse(&topic)?, Delivery::parse(&delivery)?))
        })
        .collect())
}

#[async_trait::async_trait]
impl OutboxStore for SqlStore {
    async fn notifications_of(&self, person: PersonId, limit: i64) -> CoreResult<Vec<Kept>> {
        let sql = format!(
            "SELECT {KEPT_COLUMNS} FROM notifications WHERE person_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(person.0)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(kept).collect()
    }
    async fn unread_count(&self, person: PersonId) -> CoreResult<i64> {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL",
        )
        .bind(person.0)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)
    }
    async fn mark_read(&self, person: PersonId, id: i64, now: i64) -> CoreResult<Option<Kept>> {
        sqlx::query(
            "UPDATE notifications SET read_at = $3 WHERE id = $1 AND person_id = $2 \
             AND read_at IS NULL",
        )
        .bind(id)
        .bind(person.0)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        let sql =
            format!("SELECT {KEPT_COLUMNS} FROM notifications WHERE id = $1 AND person_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(kept).transpose()
    }
    async fn mark_all_read(&self, person: PersonId, now: i64) -> CoreResult<u64> {
        let done = sqlx::query(
            "UPDATE notifications SET read_at = $2 WHERE person_id = $1 AND read_at IS NULL",
        )
        .bind(person.0)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected())
    }
    async fn preferences(&self, person: Option<PersonId>) -> CoreResult<Preferences> {
        let defaults = sqlx::query("SELECT topic, delivery FROM notification_defaults")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let own = match person {
            Some(p) => sqlx::query(
                "SELECT topic, delivery FROM notification_preferences WHERE person_id = $1",
            )
            .bind(p.0)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?,
            None => Vec::new(),
        };
        Ok(Preferences {
            defaults: topic_list(&defaults)?,
            own: topic_list(&own)?,
        })
    }
    async fn set_preference(
        &self,
        person: Option<PersonId>,
        topic: Topic,
        delivery: Delivery,
    ) -> CoreResult<()> {
        let query = match person {
            Some(p) => sqlx::query(
                "INSERT INTO notification_preferences (person_id, topic, delivery) \
                 VALUES ($1, $2, $3) ON CONFLICT (person_id, topic) \
                 DO UPDATE SET delivery = excluded.delivery",
            )
            .bind(p.0)
            .bind(topic.as_str())
            .bind(delivery.as_str()),
            None => sqlx::query(
                "INSERT INTO notification_defaults (topic, delivery) VALUES ($1, $2) \
                 ON CONFLICT (topic) DO UPDATE SET delivery = excluded.delivery",
            )
            .bind(topic.as_str())
            .bind(delivery.as_str()),
        };
        query.execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }
    async fn notification(&self, id: i64) -> CoreResult<Option<Kept>> {
        let sql = format!("SELECT {KEPT_COLUMNS} FROM notifications WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(kept).transpose()
    }
    async fn undelivered(&self, person: PersonId) -> CoreResult<Vec<Kept>> {
        let sql = format!(
            "SELECT {KEPT_COLUMNS} FROM notifications WHERE person_id = $1 \
             AND delivered_at IS NULL AND read_at IS NULL ORDER BY created_at, id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(person.0)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(kept).collect()
    }
    async fn mark_delivered(&self, ids: &[i64], now: i64) -> CoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let sql = format!(
            "UPDATE notifications SET delivered_at = $2 WHERE {}",
            crate::sql::json_list(self.backend, "id", "$1", true)
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(crate::growth::json_array(ids)?)
            .bind(now)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}
