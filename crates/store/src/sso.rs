//! Single sign-on: linked accounts at OpenID providers, sign-ins under way, and refused
//! sign-ins waiting for an admin.

use crate::sql::Columns;
use crate::unit::SqlUnit;
use crate::{SqlStore, map_err};
use trellis_core::auth::sso::{NewSsoLink, SsoLink, SsoRefused, SsoStore, SsoWrite, StartedSignIn};
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::PersonId;

const LINK_COLUMNS: &str = "l.issuer, l.subject, l.person_id, l.email, l.linked_at, \
    l.linked_by, l.last_sign_in_at, b.name AS by_name, b.preferred_name AS by_preferred";

fn link(row: &dyn Columns) -> CoreResult<SsoLink> {
    let linked_by = crate::sql::person_or_null(row, "linked_by", "by_name", "by_preferred")?;
    Ok(SsoLink {
        issuer: row.text("issuer")?,
        subject: row.text("subject")?,
        person: PersonId(row.int("person_id")?),
        email: row.text_or_null("email")?,
        linked_at: row.int("linked_at")?,
        linked_by,
        last_sign_in_at: row.int_or_null("last_sign_in_at")?,
    })
}

fn started(row: &dyn Columns) -> CoreResult<StartedSignIn> {
    Ok(StartedSignIn {
        state_digest: row.text("state_digest")?,
        browser_digest: row.text("browser_digest")?,
        nonce: row.text("nonce")?,
        pkce_verifier: row.text("pkce_verifier")?,
        next_path: row.text("next_path")?,
        created_at: row.int("created_at")?,
    })
}

#[async_trait::async_trait]
impl SsoStore for SqlStore {
    async fn save_started_sign_in(&self, s: &StartedSignIn) -> CoreResult<()> {
        // Sign-ins nobody finished go, so starting many fills nothing.
        sqlx::query("DELETE FROM sso_sign_ins WHERE created_at < $1")
            .bind(s.created_at - trellis_core::auth::sso::SIGN_IN_WINDOW_SECONDS)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO sso_sign_ins (state_digest, browser_digest, nonce, pkce_verifier, \
             next_path, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.state_digest.clone())
        .bind(s.browser_digest.clone())
        .bind(s.nonce.clone())
        .bind(s.pkce_verifier.clone())
        .bind(s.next_path.clone())
        .bind(s.created_at)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn take_started_sign_in(
        &self,
        state_digest: &str,
        expired_before: i64,
    ) -> CoreResult<Option<StartedSignIn>> {
        sqlx::query("DELETE FROM sso_sign_ins WHERE created_at < $1")
            .bind(expired_before)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        // One statement reads and deletes: two callbacks with one state cannot both get it.
        let row = sqlx::query(
            "DELETE FROM sso_sign_ins WHERE state_digest = $1 RETURNING state_digest, \
             browser_digest, nonce, pkce_verifier, next_path, created_at",
        )
        .bind(state_digest.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(|r| started(r)).transpose()
    }
    async fn sso_link(&self, issuer: &str, subject: &str) -> CoreResult<Option<SsoLink>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM sso_identities l LEFT JOIN people b ON b.id = l.linked_by \
             WHERE l.issuer = $1 AND l.subject = $2"
        )))
        .bind(issuer.to_string())
        .bind(subject.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(|r| link(r)).transpose()
    }
    async fn sso_links_of(&self, person: PersonId) -> CoreResult<Vec<SsoLink>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM sso_identities l LEFT JOIN people b ON b.id = l.linked_by \
             WHERE l.person_id = $1 ORDER BY l.issuer"
        )))
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| link(r)).collect()
    }
    async fn record_sso_refusal(&self, r: &SsoRefused) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO sso_refusals (issuer, subject, email, name, reason, attempted_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (issuer, subject) DO UPDATE SET \
             email = excluded.email, name = excluded.name, reason = excluded.reason, \
             attempted_at = excluded.attempted_at",
        )
        .bind(r.issuer.clone())
        .bind(r.subject.clone())
        .bind(r.email.clone())
        .bind(r.name.clone())
        .bind(r.reason.clone())
        .bind(r.attempted_at)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn sso_refusals(&self) -> CoreResult<Vec<SsoRefused>> {
        let rows = sqlx::query(
            "SELECT issuer, subject, email, name, reason, attempted_at FROM sso_refusals \
             ORDER BY attempted_at DESC, subject LIMIT 500",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let r: &dyn Columns = r;
                Ok(SsoRefused {
                    issuer: r.text("issuer")?,
                    subject: r.text("subject")?,
                    email: r.text_or_null("email")?,
                    name: r.text_or_null("name")?,
                    reason: r.text("reason")?,
                    attempted_at: r.int("attempted_at")?,
                })
            })
            .collect()
    }
    async fn begin_sso_write(&self) -> CoreResult<Box<dyn SsoWrite + '_>> {
        Ok(SqlUnit::begin(self).await?)
    }
}

#[async_trait::async_trait]
impl SsoWrite for SqlUnit {
    async fn link_sso(&mut self, l: &NewSsoLink) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO sso_identities (issuer, subject, person_id, email, linked_at, linked_by) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(l.issuer.clone())
        .bind(l.subject.clone())
        .bind(l.person.0)
        .bind(l.email.clone())
        .bind(l.at)
        .bind(l.by.map(|p| p.0))
        .execute(&mut *self.tx)
        .await
        .map_err(|e| match map_err(e) {
            CoreError::Conflict(_) => CoreError::Conflict(
                "this person or this account is linked already at this provider: unlink it first"
                    .into(),
            ),
            other => other,
        })?;
        sqlx::query("DELETE FROM sso_refusals WHERE issuer = $1 AND subject = $2")
            .bind(l.issuer.clone())
            .bind(l.subject.clone())
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn unlink_sso(&mut self, person: PersonId, issuer: &str) -> CoreResult<bool> {
        let done = sqlx::query("DELETE FROM sso_identities WHERE person_id = $1 AND issuer = $2")
            .bind(person.0)
            .bind(issuer.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected() > 0)
    }
    async fn note_sso_sign_in(&mut self, issuer: &str, subject: &str, at: i64) -> CoreResult<()> {
        sqlx::query(
            "UPDATE sso_identities SET last_sign_in_at = $3 WHERE issuer = $1 AND subject = $2",
        )
        .bind(issuer.to_string())
        .bind(subject.to_string())
        .bind(at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
}
