//! Accounts, sessions, API tokens, sign-in throttling and the audit log.

use crate::sql::Columns;
use crate::{SqlStore, map_err};
use sqlx::{AssertSqlSafe, Row};
use trellis_core::audit::AuditEntry;
use trellis_core::auth::links::Purpose;
use trellis_core::auth::store::{AccountToken, Invitation};
use trellis_core::auth::{Account, SESSION_DAYS, Session};
use trellis_core::error::CoreResult;
use trellis_core::ids::PersonName;
use trellis_core::org::display_name;
use trellis_core::{AccountId, PersonId};

const ACCOUNT_COLUMNS: &str = "a.id, a.person_id, a.password_hash, a.is_admin, p.email, p.name, \
    p.preferred_name, p.time_zone, \
    (SELECT COUNT(*) FROM people r WHERE r.manager_id = p.id AND r.status = 'active') AS report_count";

fn account(row: &dyn Columns) -> CoreResult<Account> {
    let name = row.text("name")?;
    let preferred = row.text_or_null("preferred_name")?;
    Ok(Account {
        id: AccountId(row.int("id")?),
        person_id: PersonId(row.int("person_id")?),
        email: row.text("email")?,
        display_name: display_name(&name, preferred.as_deref()),
        is_admin: row.int("is_admin")? != 0,
        password_hash: row.text_or_null("password_hash")?,
        report_count: row.int("report_count")?,
        time_zone: row.text_or_null("time_zone")?,
    })
}

/// One row by key: directly on SQLite (every request signs in with it, and a direct read
/// skips the hand-off to sqlx's worker thread), through sqlx otherwise.
async fn keyed_row<T>(
    store: &SqlStore,
    sql: &str,
    key: &str,
    map: impl Fn(&dyn Columns) -> CoreResult<T>,
) -> CoreResult<Option<T>> {
    if let Some(reader) = &store.reader {
        use rusqlite::OptionalExtension;
        return reader
            .read(|conn| {
                conn.prepare_cached(sql)?
                    .query_row([key], |row| Ok(map(row)))
                    .optional()
            })?
            .transpose();
    }
    let row = sqlx::query(AssertSqlSafe(sql.to_string()))
        .bind(key.to_string())
        .fetch_optional(&store.pool)
        .await
        .map_err(map_err)?;
    row.as_ref().map(|r| map(r)).transpose()
}

#[async_trait::async_trait]
impl trellis_core::auth::store::AuthStore for SqlStore {
    async fn create_account(
        &self,
        person: PersonId,
        password_hash: &str,
        is_admin: bool,
    ) -> CoreResult<AccountId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (person_id, password_hash, is_admin) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(person.0)
        .bind(password_hash.to_string())
        .bind(is_admin as i64)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(AccountId(id))
    }
    async fn account_by_email(&self, email: &str) -> CoreResult<Option<Account>> {
        // People who left cannot sign in.
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a JOIN people p ON p.id = a.person_id \
             WHERE p.email = $1 AND p.status = 'active'"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(|r| account(r)).transpose()
    }
    async fn create_session(
        &self,
        account: AccountId,
        token_digest: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_digest, account_id, csrf_token, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_digest.to_string())
        .bind(account.0)
        .bind(csrf_token.to_string())
        .bind(expires_at)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn session(&self, token_digest: &str, now: i64) -> CoreResult<Option<Session>> {
        let mut found = self
            .cached(
                |c| &c.sessions,
                token_digest.to_string(),
                || session_row(self, token_digest),
            )
            .await?;
        if found.as_ref().is_some_and(|f| f.2 <= now) && self.cache.is_some() {
            // Renewals are not counted as changes (see below): another instance may have
            // extended what looks expired here.
            found = session_row(self, token_digest).await?;
        }
        let Some((account, csrf_token, expires_at)) = found.filter(|f| f.2 > now) else {
            return Ok(None);
        };
        let renewed = now + SESSION_DAYS * 86_400;
        // Sliding expiry, written at most once an hour to keep reads cheap. The change counters
        // leave this update out (migration 0005), or every renewal would empty every instance's
        // cache of sessions; this instance keeps the new expiry in its own copy.
        if renewed - expires_at > 3600 {
            sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_digest = $2")
                .bind(renewed)
                .bind(token_digest.to_string())
                .execute(&self.pool)
                .await
                .map_err(map_err)?;
            if let Some(cache) = &self.cache {
                cache.sessions.update(token_digest, |row| {
                    if let Some(row) = row {
                        row.2 = renewed;
                    }
                });
            }
        }
        Ok(Some(Session {
            account,
            csrf_token,
            expires_at: renewed.max(expires_at),
        }))
    }
    async fn delete_session(&self, token_digest: &str) -> CoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_digest = $1")
            .bind(token_digest.to_string())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn create_api_token(
        &self,
        account: AccountId,
        name: &str,
        token_digest: &str,
        now: i64,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO api_tokens (account_id, name, token_digest, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(account.0)
        .bind(name.to_string())
        .bind(token_digest.to_string())
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn account_by_api_token(
        &self,
        token_digest: &str,
        _now: i64,
    ) -> CoreResult<Option<Account>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM api_tokens k JOIN accounts a ON a.id = k.account_id \
             JOIN people p ON p.id = a.person_id WHERE k.token_digest = $1 AND p.status = 'active'"
        );
        self.cached(
            |c| &c.api_tokens,
            token_digest.to_string(),
            || keyed_row(self, &sql, token_digest, account),
        )
        .await
    }
    async fn record_failed_sign_in(&self, email: &str, client: &str, at: i64) -> CoreResult<()> {
        sqlx::query("INSERT INTO failed_sign_ins (email, at, client) VALUES ($1, $2, $3)")
            .bind(email.trim().to_lowercase())
            .bind(at)
            .bind(client.to_string())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn failed_sign_ins_since(
        &self,
        email: &str,
        client: &str,
        since: i64,
    ) -> CoreResult<trellis_core::auth::SignInFailures> {
        let (account_from_client, from_client): (i64, i64) = sqlx::query_as(
            "SELECT COALESCE(SUM(CASE WHEN email = $1 THEN 1 ELSE 0 END), 0), COUNT(*) \
             FROM failed_sign_ins WHERE client = $2 AND at > $3",
        )
        .bind(email.trim().to_lowercase())
        .bind(client.to_string())
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(trellis_core::auth::SignInFailures {
            account_from_client,
            from_client,
        })
    }
    async fn clear_failed_sign_ins(&self, email: &str) -> CoreResult<()> {
        sqlx::query("DELETE FROM failed_sign_ins WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn begin_auth_write(
        &self,
    ) -> CoreResult<Box<dyn trellis_core::auth::store::AuthWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
    async fn account_token(&self, digest: &str) -> CoreResult<Option<AccountToken>> {
        let row = sqlx::query(
            "SELECT id, person_id, purpose, expires_at, used_at, revoked_at FROM account_tokens \
             WHERE token_digest = $1",
        )
        .bind(digest.to_string())
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.map(|r| {
            let purpose = r.text("purpose")?;
            Ok(AccountToken {
                id: r.int("id")?,
                person: PersonId(r.int("person_id")?),
                purpose: Purpose::parse(&purpose).ok_or_else(|| {
                    trellis_core::CoreError::Internal(format!("link purpose {purpose:?}"))
                })?,
                expires_at: r.int("expires_at")?,
                used_at: r.int_or_null("used_at")?,
                revoked_at: r.int_or_null("revoked_at")?,
            })
        })
        .transpose()
    }
    async fn account_of(&self, person: PersonId) -> CoreResult<Option<Account>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a JOIN people p ON p.id = a.person_id \
             WHERE a.person_id = $1"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(|r| account(r)).transpose()
    }
    async fn people_without_password(&self) -> CoreResult<Vec<(PersonName, String)>> {
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.preferred_name, p.email FROM people p \
             LEFT JOIN accounts a ON a.person_id = p.id \
             WHERE p.status = 'active' AND p.email <> '' AND a.password_hash IS NULL \
             AND NOT EXISTS (SELECT 1 FROM sso_identities s WHERE s.person_id = p.id) \
             ORDER BY p.name, p.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let name = display_name(
                    &r.text("name")?,
                    r.text_or_null("preferred_name")?.as_deref(),
                );
                Ok((
                    PersonName {
                        id: PersonId(r.int("id")?),
                        name,
                    },
                    r.text("email")?,
                ))
            })
            .collect()
    }
    async fn invitations(&self) -> CoreResult<Vec<Invitation>> {
        let rows = sqlx::query(
            "SELECT t.person_id, p.name, p.preferred_name, p.email, t.created_at, t.created_by, \
             b.name AS by_name, b.preferred_name AS by_preferred, t.expires_at, t.used_at, \
             t.revoked_at, CASE WHEN a.password_hash IS NOT NULL OR EXISTS (SELECT 1 FROM \
             sso_identities s WHERE s.person_id = t.person_id) THEN 1 ELSE 0 END AS signs_in \
             FROM account_tokens t JOIN people p ON p.id = t.person_id \
             LEFT JOIN people b ON b.id = t.created_by \
             LEFT JOIN accounts a ON a.person_id = t.person_id \
             WHERE t.purpose = 'invitation' AND t.id = (SELECT MAX(n.id) FROM account_tokens n \
                 WHERE n.person_id = t.person_id AND n.purpose = 'invitation') \
             ORDER BY t.id DESC",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let name = |n: &str, pref: &str| -> CoreResult<String> {
                    Ok(display_name(&r.text(n)?, r.text_or_null(pref)?.as_deref()))
                };
                Ok(Invitation {
                    person: PersonName {
                        id: PersonId(r.int("person_id")?),
                        name: name("name", "preferred_name")?,
                    },
                    email: r.text("email")?,
                    sent_at: r.int("created_at")?,
                    sent_by: match r.int_or_null("created_by")? {
                        Some(id) => Some(PersonName {
                            id: PersonId(id),
                            name: name("by_name", "by_preferred")?,
                        }),
                        None => None,
                    },
                    expires_at: r.int("expires_at")?,
                    accepted_at: r.int_or_null("used_at")?,
                    revoked_at: r.int_or_null("revoked_at")?,
                    signs_in: r.int_or_null("signs_in")?.unwrap_or(0) != 0,
                })
            })
            .collect()
    }
}

#[async_trait::async_trait]
impl trellis_core::audit::AuditStore for SqlStore {
    async fn audit(&self, entry: &AuditEntry) -> CoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        audit_in(&mut conn, entry).await
    }
    async fn audit_log(&self, limit: i64) -> CoreResult<Vec<trellis_core::audit::AuditLine>> {
        let rows = sqlx::query(
            "SELECT a.at, a.actor_id, a.action, a.subject, a.detail, p.name AS actor_name, \
             s.id AS subject_id, s.name AS subject_name \
             FROM (SELECT * FROM audit_log ORDER BY id DESC LIMIT $1) a \
             LEFT JOIN people p ON p.id = a.actor_id \
             LEFT JOIN people s ON s.id = (CASE WHEN a.subject LIKE 'person %' \
                 THEN CAST(SUBSTR(a.subject, 8) AS BIGINT) END) \
             ORDER BY a.id DESC",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let subject_id: Option<i64> = r.try_get("subject_id").map_err(map_err)?;
                let subject_name: Option<String> = r.try_get("subject_name").map_err(map_err)?;
                Ok(trellis_core::audit::AuditLine {
                    entry: AuditEntry {
                        at: r.try_get("at").map_err(map_err)?,
                        actor: r
                            .try_get::<Option<i64>, _>("actor_id")
                            .map_err(map_err)?
                            .map(PersonId),
                        action: r.try_get("action").map_err(map_err)?,
                        subject: r.try_get("subject").map_err(map_err)?,
                        detail: r.try_get("detail").map_err(map_err)?,
                    },
                    actor_name: r.try_get("actor_name").map_err(map_err)?,
                    subject_person: subject_id.map(PersonId).zip(subject_name),
                })
            })
            .collect()
    }
}

/// A session's account, CSRF token and expiry, before the expiry is checked.
pub(crate) type SessionRow = (Account, String, i64);

async fn session_row(store: &SqlStore, token_digest: &str) -> CoreResult<Option<SessionRow>> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS}, s.csrf_token, s.expires_at FROM sessions s \
         JOIN accounts a ON a.id = s.account_id JOIN people p ON p.id = a.person_id \
         WHERE s.token_digest = $1 AND p.status = 'active'"
    );
    keyed_row(store, &sql, token_digest, |row| {
        Ok((
            account(row)?,
            row.text("csrf_token")?,
            row.int("expires_at")?,
        ))
    })
    .await
}

/// Writes an audit line on a connection, so that it commits with the change it records.
pub(crate) async fn audit_in(conn: &mut sqlx::AnyConnection, entry: &AuditEntry) -> CoreResult<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(entry.at)
    .bind(entry.actor.map(|a| a.0))
    .bind(entry.action.clone())
    .bind(entry.subject.clone())
    .bind(entry.detail.clone())
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(())
}
