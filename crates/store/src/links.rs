//! The unit of work on accounts: single-use links, passwords and sessions.

use crate::sql::map_err;
use crate::unit::SqlUnit;
use trellis_core::auth::store::{AuthWrite, NewAccountToken};
use trellis_core::error::CoreResult;
use trellis_core::ids::{AccountId, PersonId};

#[async_trait::async_trait]
impl AuthWrite for SqlUnit {
    async fn create_account_token(&mut self, token: &NewAccountToken) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO account_tokens (token_digest, person_id, purpose, created_at, \
             created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token.digest.clone())
        .bind(token.person.0)
        .bind(token.purpose.clone())
        .bind(token.created_at)
        .bind(token.created_by.map(|p| p.0))
        .bind(token.expires_at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn revoke_account_tokens(
        &mut self,
        person: PersonId,
        purpose: &str,
        now: i64,
    ) -> CoreResult<u64> {
        let done = sqlx::query(
            "UPDATE account_tokens SET revoked_at = $3 WHERE person_id = $1 AND purpose = $2 \
             AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
        )
        .bind(person.0)
        .bind(purpose.to_string())
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected())
    }
    async fn take_account_token(
        &mut self,
        digest: &str,
        purpose: &str,
        now: i64,
    ) -> CoreResult<bool> {
        let done = sqlx::query(
            "UPDATE account_tokens SET used_at = $3 WHERE token_digest = $1 AND purpose = $2 \
             AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
        )
        .bind(digest.to_string())
        .bind(purpose.to_string())
        .bind(now)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(done.rows_affected() == 1)
    }
    async fn set_password(&mut self, person: PersonId, hash: &str) -> CoreResult<AccountId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (person_id, password_hash, is_admin) VALUES ($1, $2, 0) \
             ON CONFLICT (person_id) DO UPDATE SET password_hash = excluded.password_hash \
             RETURNING id",
        )
        .bind(person.0)
        .bind(hash.to_string())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(AccountId(id))
    }
    async fn clear_password(&mut self, account: AccountId) -> CoreResult<()> {
        sqlx::query("UPDATE accounts SET password_hash = NULL WHERE id = $1")
            .bind(account.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn ensure_account(&mut self, person: PersonId) -> CoreResult<AccountId> {
        sqlx::query(
            "INSERT INTO accounts (person_id, password_hash, is_admin) VALUES ($1, NULL, 0) \
             ON CONFLICT (person_id) DO NOTHING",
        )
        .bind(person.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE person_id = $1")
            .bind(person.0)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(AccountId(id))
    }
    async fn end_sessions(&mut self, account: AccountId) -> CoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
}
