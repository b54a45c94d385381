//! What sign-in needs from a database. Part of [`crate::Store`].

use super::links::Purpose;
use super::{Account, Session, SignInFailures};
use crate::error::CoreResult;
use crate::ids::{AccountId, PersonId, PersonName};
use crate::mail::MailQueue;
use crate::unit_of_work::UnitOfWork;
use async_trait::async_trait;

/// A single-use link as kept (its token is not: only the digest).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountToken {
    pub id: i64,
    pub person: PersonId,
    pub purpose: Purpose,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A link to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccountToken {
    pub digest: String,
    pub person: PersonId,
    pub purpose: String,
    pub created_at: i64,
    pub created_by: Option<PersonId>,
    pub expires_at: i64,
}

/// A person's newest invitation, for the admins' list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub person: PersonName,
    pub email: String,
    pub sent_at: i64,
    pub sent_by: Option<PersonName>,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The person signs in now (accepted, or given a password another way).
    pub signs_in: bool,
}

impl Invitation {
    /// accepted, withdrawn, expired or waiting.
    pub fn state(&self, now: i64) -> &'static str {
        if self.accepted_at.is_some() {
            "accepted"
        } else if self.revoked_at.is_some() {
            "withdrawn"
        } else if self.expires_at <= now {
            "expired"
        } else {
            "waiting"
        }
    }
}

/// A unit of work on accounts: links, passwords, sessions, with the mails they send.
#[async_trait]
pub trait AuthWrite: UnitOfWork + MailQueue {
    async fn create_account_token(&mut self, token: &NewAccountToken) -> CoreResult<()>;
    /// Withdraws a person's open links of a purpose; how many.
    async fn revoke_account_tokens(
        &mut self,
        person: PersonId,
        purpose: &str,
        now: i64,
    ) -> CoreResult<u64>;
    /// Marks a live link used; false when it was used, withdrawn or expired meanwhile.
    async fn take_account_token(
        &mut self,
        digest: &str,
        purpose: &str,
        now: i64,
    ) -> CoreResult<bool>;
    /// Sets a person's password, creating their (non-admin) account when they have none.
    async fn set_password(&mut self, person: PersonId, hash: &str) -> CoreResult<AccountId>;
    /// The password stops working (a forced reset).
    async fn clear_password(&mut self, account: AccountId) -> CoreResult<()>;
    async fn end_sessions(&mut self, account: AccountId) -> CoreResult<()>;
    /// The person's account, created without a password when they have none.
    async fn ensure_account(&mut self, person: PersonId) -> CoreResult<AccountId>;
}

/// What the single-use links and single sign-on need: accounts, linked sign-in accounts,
/// people, the organisation's name.
pub trait LinksStore:
    AuthStore + super::sso::SsoStore + crate::org::store::PersonStore + crate::settings::SettingsStore
{
}

impl<T> LinksStore for T where
    T: AuthStore
        + super::sso::SsoStore
        + crate::org::store::PersonStore
        + crate::settings::SettingsStore
        + ?Sized
{
}

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

    /// Starts a unit of work on accounts.
    async fn begin_auth_write(&self) -> CoreResult<Box<dyn AuthWrite + '_>>;
    /// A link by its token's digest.
    async fn account_token(&self, digest: &str) -> CoreResult<Option<AccountToken>>;
    /// The account of a person, whether or not they may sign in.
    async fn account_of(&self, person: PersonId) -> CoreResult<Option<Account>>;
    /// Active people who cannot sign in (no account, or one without a password), with
    /// their e-mail, by name.
    async fn people_without_password(&self) -> CoreResult<Vec<(PersonName, String)>>;
    /// The newest invitation of each person invited, newest first.
    async fn invitations(&self) -> CoreResult<Vec<Invitation>>;
}
