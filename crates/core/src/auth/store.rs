//! What sign-in needs from a database. Part of [`crate::Store`].

use super::{Account, Session, SignInFailures};
use crate::error::CoreResult;
use crate::ids::{AccountId, PersonId};
use async_trait::async_trait;

/// Accounts, sessions, API tokens and failed sign-ins.
#[async_trait]
pub trait AuthStore: crate::audit::AuditStore + Send + Sync {
    async fn create_account(
        &self,
        person: PersonId,
        password_hash: &str,
        is_admin: bool,
    ) -> CoreResult<AccountId>;
    async fn account_by_email(&self, email: &str) -> CoreResult<Option<Account>>;
    async fn create_session(
        &self,
        account: AccountId,
        token_digest: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> CoreResult<()>;
    /// A live session by its token digest; extends it when it is used.
    async fn session(&self, token_digest: &str, now: i64) -> CoreResult<Option<Session>>;
    async fn delete_session(&self, token_digest: &str) -> CoreResult<()>;
    async fn create_api_token(
        &self,
        account: AccountId,
        name: &str,
        token_digest: &str,
        now: i64,
    ) -> CoreResult<()>;
    async fn account_by_api_token(
        &self,
        token_digest: &str,
        now: i64,
    ) -> CoreResult<Option<Account>>;
    /// A failed sign-in for an e-mail from a client address (empty when unknown).
    async fn record_failed_sign_in(&self, email: &str, client: &str, at: i64) -> CoreResult<()>;
    /// Failures since `since`: for this e-mail from this client, and from this client in all.
    async fn failed_sign_ins_since(
        &self,
        email: &str,
        client: &str,
        since: i64,
    ) -> CoreResult<SignInFailures>;
    async fn clear_failed_sign_ins(&self, email: &str) -> CoreResult<()>;
}
