//! The weekly digest: who receives it, the weeks queued, the organisation's own tips.

use crate::bulk::{Value, insert_new_rows_returning, insert_rows};
use crate::sql::Columns;
use crate::unit::SqlUnit;
use crate::{SqlStore, map_err};
use trellis_core::PersonId;
use trellis_core::digest::store::{DigestRecipient, DigestStore};
use trellis_core::digest::tips::{Tip, TipAudience};
use trellis_core::error::CoreResult;

/// Weeks queued are kept this long: long enough that a week is never queued twice.
const KEEP_WEEKS_SECONDS: i64 = 60 * 86_400;

#[async_trait::async_trait]
impl DigestStore for SqlStore {
    async fn digest_recipients(&self) -> CoreResult<Vec<DigestRecipient>> {
        let rows = sqlx::query(
            "SELECT p.id, p.time_zone, \
             (SELECT MAX(w.week) FROM weekly_digests w WHERE w.person_id = p.id) AS last_week \
             FROM people p JOIN accounts a ON a.person_id = p.id \
             WHERE p.status = 'active' AND p.email <> '' \
             AND (a.password_hash IS NOT NULL \
                  OR EXISTS (SELECT 1 FROM sso_identities s WHERE s.person_id = p.id)) \
             AND NOT EXISTS (SELECT 1 FROM weekly_digest_off o WHERE o.person_id = p.id) \
             ORDER BY p.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(DigestRecipient {
                    person: PersonId(r.int("id")?),
                    time_zone: r.text_or_null("time_zone")?,
                    last_week: r.text_or_null("last_week")?,
                })
            })
            .collect()
    }

    async fn queue_weekly_digests(
        &self,
        kind: &str,
        due: &[(PersonId, String)],
        now: i64,
    ) -> CoreResult<usize> {
        if due.is_empty() {
            return Ok(0);
        }
        let mut unit = SqlUnit::begin(self).await?;
        sqlx::query("DELETE FROM weekly_digests WHERE queued_at < $1")
            .bind(now - KEEP_WEEKS_SECONDS)
            .execute(&mut *unit.tx)
            .await
            .map_err(map_err)?;
        let rows: Vec<Vec<Value>> = due
            .iter()
            .map(|(person, week)| {
                vec![
                    Value::Int(Some(person.0)),
                    Value::Text(Some(week.clone())),
                    Value::Int(Some(now)),
                ]
            })
            .collect();
        // Only the weeks this call recorded get a job: another instance's are its own.
        let new = insert_new_rows_returning(
            &mut unit.tx,
            unit.backend,
            "weekly_digests",
            &["person_id", "week", "queued_at"],
            &rows,
            "person_id, week",
        )
        .await?;
        let jobs: Vec<Vec<Value>> = new
            .iter()
            .map(|r| {
                Ok(vec![
                    Value::Text(Some(kind.to_string())),
                    Value::Text(Some(format!("{} {}", r.int("person_id")?, r.text("week")?))),
                    Value::Int(Some(now)),
                ])
            })
            .collect::<CoreResult<_>>()?;
        insert_rows(
            &mut unit.tx,
            unit.backend,
            "jobs",
            &["kind", "payload", "run_at"],
            &jobs,
        )
        .await?;
        unit.tx.commit().await.map_err(map_err)?;
        Ok(jobs.len())
    }

    async fn weekly_digest_on(&self, person: PersonId) -> CoreResult<bool> {
        let off: Option<i64> =
            sqlx::query_scalar("SELECT person_id FROM weekly_digest_off WHERE person_id = $1")
                .bind(person.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(off.is_none())
    }

    async fn set_weekly_digest(&self, person: PersonId, on: bool, at: i64) -> CoreResult<()> {
        let query = if on {
            sqlx::query("DELETE FROM weekly_digest_off WHERE person_id = $1").bind(person.0)
        } else {
            sqlx::query(
                "INSERT INTO weekly_digest_off (person_id, updated_at) VALUES ($1, $2) \
                 ON CONFLICT (person_id) DO NOTHING",
            )
            .bind(person.0)
            .bind(at)
        };
        query.execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }

    async fn digest_tips(&self) -> CoreResult<Vec<Tip>> {
        let rows = sqlx::query("SELECT id, audience, behaviour, text FROM digest_tips ORDER BY id")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(Tip {
                    id: Some(r.int("id")?),
                    audience: TipAudience::parse(&r.text("audience")?)
                        .unwrap_or(TipAudience::Everyone),
                    behaviour: r.text("behaviour")?,
                    text: r.text("text")?,
                })
            })
            .collect()
    }

    async fn add_digest_tip(
        &self,
        audience: TipAudience,
        behaviour: &str,
        text: &str,
        by: Option<PersonId>,
        at: i64,
    ) -> CoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO digest_tips (audience, behaviour, text, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(audience.as_str())
        .bind(behaviour.to_string())
        .bind(text.to_string())
        .bind(by.map(|p| p.0))
        .bind(at)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)
    }

    async fn remove_digest_tip(&self, id: i64) -> CoreResult<bool> {
        let done = sqlx::query("DELETE FROM digest_tips WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }
}
