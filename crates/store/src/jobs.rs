//! Job claiming that is safe across instances: one UPDATE picks and leases a due job.
//! PostgreSQL skips rows other instances are claiming (`FOR UPDATE SKIP LOCKED`); SQLite
//! runs one writer at a time, so the same statement cannot hand a job out twice.

use crate::{Backend, SqlStore, map_err};
use sqlx::Row;
use trellis_core::error::CoreResult;
use trellis_core::jobs::{Job, JobOutcome};

/// Adds a job on a transaction's connection, so it runs exactly when the change that
/// asked for it is kept (a mail to deliver, a notification to e-mail).
pub(crate) async fn schedule_on(
    conn: &mut sqlx::AnyConnection,
    kind: &str,
    payload: &str,
    run_at: i64,
) -> CoreResult<()> {
    sqlx::query("INSERT INTO jobs (kind, payload, run_at) VALUES ($1, $2, $3)")
        .bind(kind.to_string())
        .bind(payload.to_string())
        .bind(run_at)
        .execute(conn)
        .await
        .map_err(map_err)?;
    Ok(())
}

#[async_trait::async_trait]
impl trellis_core::jobs::JobStore for SqlStore {
    async fn schedule_job(&self, kind: &str, payload: &str, run_at: i64) -> CoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO jobs (kind, payload, run_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(kind.to_string())
        .bind(payload.to_string())
        .bind(run_at)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)
    }
    async fn claim_job(&self, worker: &str, now: i64, lease: i64) -> CoreResult<Option<Job>> {
        self.claim(None, worker, now, lease).await
    }
    async fn has_pending_job(&self, kind: &str) -> CoreResult<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = $1 AND done_at IS NULL")
                .bind(kind.to_string())
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(n > 0)
    }
    async fn claim_job_of(
        &self,
        kind: &str,
        worker: &str,
        now: i64,
        lease: i64,
    ) -> CoreResult<Option<Job>> {
        self.claim(Some(kind), worker, now, lease).await
    }
    async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        now: i64,
        outcome: JobOutcome,
    ) -> CoreResult<()> {
        let query = match outcome {
            JobOutcome::Done => sqlx::query(
                "UPDATE jobs SET done_at = $3, last_error = NULL WHERE id = $1 AND claimed_by = $2",
            )
            .bind(id)
            .bind(worker.to_string())
            .bind(now),
            // Released for a later attempt, keeping the error.
            JobOutcome::Retry { at, error } => sqlx::query(
                "UPDATE jobs SET claimed_until = NULL, claimed_by = NULL, last_error = $3, \
                 run_at = $4 WHERE id = $1 AND claimed_by = $2",
            )
            .bind(id)
            .bind(worker.to_string())
            .bind(error)
            .bind(at),
            JobOutcome::GaveUp { error } => sqlx::query(
                "UPDATE jobs SET done_at = $3, last_error = $4 WHERE id = $1 AND claimed_by = $2",
            )
            .bind(id)
            .bind(worker.to_string())
            .bind(now)
            .bind(error),
        };
        query.execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }
}

impl SqlStore {
    /// Claims the most overdue job, of one kind or of any.
    async fn claim(
        &self,
        kind: Option<&str>,
        worker: &str,
        now: i64,
        lease: i64,
    ) -> CoreResult<Option<Job>> {
        let dedicated: Vec<String> = trellis_core::jobs::DEDICATED_KINDS
            .iter()
            .map(|k| format!("'{k}'"))
            .collect();
        let of_kind = match kind {
            Some(_) => " AND kind = $4".to_string(),
            None => format!(" AND kind NOT IN ({})", dedicated.join(", ")),
        };
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE jobs SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $3 \
             AND (claimed_until IS NULL OR claimed_until < $3){of_kind} \
             ORDER BY run_at, id LIMIT 1{lock}) RETURNING id, kind, payload, attempts"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(worker.to_string())
            .bind(now + lease)
            .bind(now);
        if let Some(kind) = kind {
            query = query.bind(kind.to_string());
        }
        let row = query.fetch_optional(&self.pool).await.map_err(map_err)?;
        row.map(|r| {
            Ok(Job {
                id: r.try_get("id").map_err(map_err)?,
                kind: r.try_get("kind").map_err(map_err)?,
                payload: r.try_get("payload").map_err(map_err)?,
                attempts: r.try_get("attempts").map_err(map_err)?,
            })
        })
        .transpose()
    }
}
