//! Queued mail: `MailStore` for `SqlStore`, and queuing a mail (with the job that delivers
//! it) inside a unit of work.

use crate::SqlStore;
use crate::sql::map_err;
use crate::unit::SqlUnit;
use sqlx::Row;
use sqlx::any::AnyRow;
use trellis_core::error::CoreResult;
use trellis_core::ids::PersonId;
use trellis_core::mail::{MAIL_JOB, MailCounts, MailQueue, OutgoingMail, QueuedMail};

const MAIL_COLUMNS: &str = "id, idempotency_key, person_id, to_address, to_name, subject, \
    body_text, body_html, message_id, created_at, sent_at, failed_at, attempts, last_error";

fn mail_row(r: &AnyRow) -> CoreResult<QueuedMail> {
    Ok(QueuedMail {
        id: r.try_get("id").map_err(map_err)?,
        key: r.try_get("idempotency_key").map_err(map_err)?,
        person: r
            .try_get::<Option<i64>, _>("person_id")
            .map_err(map_err)?
            .map(PersonId),
        to_address: r.try_get("to_address").map_err(map_err)?,
        to_name: r.try_get("to_name").map_err(map_err)?,
        subject: r.try_get("subject").map_err(map_err)?,
        text: r.try_get("body_text").map_err(map_err)?,
        html: r.try_get("body_html").map_err(map_err)?,
        message_id: r.try_get("message_id").map_err(map_err)?,
        created_at: r.try_get("created_at").map_err(map_err)?,
        sent_at: r.try_get("sent_at").map_err(map_err)?,
        failed_at: r.try_get("failed_at").map_err(map_err)?,
        attempts: r.try_get("attempts").map_err(map_err)?,
        last_error: r.try_get("last_error").map_err(map_err)?,
    })
}

/// Inserts the mail unless its key is taken, and its delivery job; the mail's id.
async fn queue_on(
    conn: &mut sqlx::AnyConnection,
    mail: &OutgoingMail,
    now: i64,
) -> CoreResult<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO mails (idempotency_key, person_id, to_address, to_name, subject, \
         body_text, body_html, message_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
    )
    .bind(mail.key.clone())
    .bind(mail.person.map(|p| p.0))
    .bind(mail.to_address.clone())
    .bind(mail.to_name.clone())
    .bind(mail.subject.clone())
    .bind(mail.text.clone())
    .bind(mail.html.clone())
    .bind(mail.message_id.clone())
    .bind(now)
    .fetch_optional(&mut *conn)
    .await
    .map_err(map_err)?;
    if let Some(id) = id {
        crate::jobs::schedule_on(conn, MAIL_JOB, &id.to_string(), now).await?;
    }
    Ok(id)
}

#[async_trait::async_trait]
impl MailQueue for SqlUnit {
    async fn queue_mail(&mut self, mail: &OutgoingMail, now: i64) -> CoreResult<Option<i64>> {
        queue_on(&mut self.tx, mail, now).await
    }
}

#[async_trait::async_trait]
impl trellis_core::mail::MailStore for SqlStore {
    async fn mail(&self, id: i64) -> CoreResult<Option<QueuedMail>> {
        let sql = format!("SELECT {MAIL_COLUMNS} FROM mails WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(mail_row).transpose()
    }
    async fn recent_mails(&self, limit: i64) -> CoreResult<Vec<QueuedMail>> {
        let sql = format!("SELECT {MAIL_COLUMNS} FROM mails ORDER BY id DESC LIMIT $1");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(limit)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(mail_row).collect()
    }
    async fn mail_counts(&self) -> CoreResult<MailCounts> {
        let row = sqlx::query(
            "SELECT COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0) AS queued, \
             COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent, \
             COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS failed \
             FROM mails",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(MailCounts {
            queued: row.try_get("queued").map_err(map_err)?,
            sent: row.try_get("sent").map_err(map_err)?,
            failed: row.try_get("failed").map_err(map_err)?,
        })
    }
    async fn record_attempt(
        &self,
        id: i64,
        now: i64,
        outcome: Result<(), (&str, bool)>,
    ) -> CoreResult<()> {
        let query = match outcome {
            Ok(()) => sqlx::query(
                "UPDATE mails SET sent_at = $2, attempts = attempts + 1, last_error = NULL \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(now),
            Err((error, gave_up)) => sqlx::query(
                "UPDATE mails SET attempts = attempts + 1, last_error = $2, failed_at = $3 \
                 WHERE id = $1",
            )
            .bind(id)
            .bind(error.to_string())
            .bind(gave_up.then_some(now)),
        };
        query.execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }
    async fn queue_mail_now(&self, mail: &OutgoingMail, now: i64) -> CoreResult<Option<i64>> {
        let mut unit = SqlUnit::begin(self).await?;
        let id = unit.queue_mail(mail, now).await?;
        unit.tx.commit().await.map_err(map_err)?;
        Ok(id)
    }
}
