//! Accounts, passwords, sessions and API tokens: the rules, not the transport.

pub mod links;
pub mod sso;
pub mod store;

use crate::error::{CoreError, CoreResult};
use crate::ids::{AccountId, PersonId};
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// How long a session lasts without use.
pub const SESSION_DAYS: i64 = 14;
/// Failed sign-ins for one account from one address within [`THROTTLE_WINDOW_SECONDS`]
/// before that address is paused for it.
pub const MAX_FAILED_SIGN_INS: i64 = 5;
pub const THROTTLE_WINDOW_SECONDS: i64 = 15 * 60;
/// Shorter passwords are refused.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// A sign-in account, tied to one person.
#[derive(Debug, Clone, Serialize)]
pub struct Account {
    pub id: AccountId,
    pub person_id: PersonId,
    pub email: String,
    pub display_name: String,
    pub is_admin: bool,
    #[serde(skip)]
    pub password_hash: Option<String>,
    /// Active direct reports of the person, so the manager role can be derived.
    pub report_count: i64,
    /// The person's IANA time zone, in which pages show times (UTC when unset).
    pub time_zone: Option<String>,
}

/// A signed-in browser session.
#[derive(Debug, Clone)]
pub struct Session {
    pub account: Account,
    pub csrf_token: String,
    pub expires_at: i64,
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> CoreResult<String> {
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(format!("hashing the password failed: {e}")))
}

/// Checks a password against a stored hash; a malformed hash never verifies.
/// Checks a password against an account's hash, or — for an e-mail without an account —
/// against a hash made once at start-up, so both answers take the same argon2 work and the
/// timing does not tell which addresses have accounts.
pub fn verify_password_or_equal_work(password: &str, stored_hash: Option<&str>) -> bool {
    static UNKNOWN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    match stored_hash {
        Some(h) => verify_password(password, h),
        None => {
            let dummy = UNKNOWN.get_or_init(|| {
                let secret = random_token().unwrap_or_else(|_| "unknown account".into());
                hash_password(&secret).unwrap_or_default()
            });
            let _ = verify_password(password, dummy);
            false
        }
    }
}

pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    match argon2::password_hash::phc::PasswordHash::new(stored_hash) {
        Ok(parsed) => argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// Refuses passwords that are too short to be safe.
pub fn check_password_strength(password: &str) -> CoreResult<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CoreError::field(
            "password",
            format!("use at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

/// A random secret for cookies, CSRF and API tokens (256 bits, hex).
pub fn random_token() -> CoreResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| CoreError::Internal(format!("no randomness available: {e}")))?;
    Ok(hex(&bytes))
}

/// Compares secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Only this digest of a session or API token is stored.
pub fn token_digest(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Failed sign-ins from one client address in the throttle window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignInFailures {
    /// For the account being tried.
    pub account_from_client: i64,
    /// For any account: ten accounts with one guess each add up here.
    pub from_client: i64,
}

/// Failures from one address, across accounts, before that address must wait.
pub const MAX_FAILED_SIGN_INS_PER_CLIENT: i64 = 20;

/// Whether this client must wait. Throttling is by address, never for the account as a
/// whole: an attacker's guesses slow the attacker down and do not lock the owner out.
pub fn sign_in_throttled(failures: SignInFailures) -> bool {
    failures.account_from_client >= MAX_FAILED_SIGN_INS
        || failures.from_client >= MAX_FAILED_SIGN_INS_PER_CLIENT
}

/// What a sign-in attempt came to.
#[derive(Debug, PartialEq, Eq)]
pub enum SignIn {
    /// A session was started: `token` goes in the cookie (the store keeps its digest).
    Started { token: String, account: AccountId },
    /// Too many failures from this client address: it must wait.
    Throttled,
    /// The e-mail and password do not match an account (which of the two is not said).
    Refused,
}

/// Checks an e-mail and password from a client address, throttled by address, and starts a
/// session: the failure is recorded, or the failures cleared and the sign-in audited. The
/// password check takes the same time whether or not the account exists.
pub async fn sign_in(
    store: &dyn store::AuthStore,
    email: &str,
    password: &str,
    client: &str,
    now: i64,
) -> CoreResult<SignIn> {
    let email = email.trim().to_lowercase();
    let failures = store
        .failed_sign_ins_since(&email, client, now - THROTTLE_WINDOW_SECONDS)
        .await?;
    if sign_in_throttled(failures) {
        return Ok(SignIn::Throttled);
    }
    let account = store.account_by_email(&email).await?;
    let password = password.to_string();
    let hash = account.as_ref().and_then(|a| a.password_hash.clone());
    // argon2 takes tens of milliseconds: keep it off the async workers.
    let valid = tokio::task::spawn_blocking(move || {
        verify_password_or_equal_work(&password, hash.as_deref())
    })
    .await
    .unwrap_or(false);
    let Some(account) = account.filter(|_| valid) else {
        store.record_failed_sign_in(&email, client, now).await?;
        return Ok(SignIn::Refused);
    };
    store.clear_failed_sign_ins(&email).await?;
    let token = start_session(store, account.id, account.person_id, now).await?;
    Ok(SignIn::Started {
        token,
        account: account.id,
    })
}

/// Starts a session of an account (after a password check, or a password set from a
/// link) and audits it; the token for the cookie.
pub async fn start_session(
    store: &dyn store::AuthStore,
    account: AccountId,
    person: PersonId,
    now: i64,
) -> CoreResult<String> {
    let token = random_token()?;
    let csrf = random_token()?;
    store
        .create_session(
            account,
            &token_digest(&token),
            &csrf,
            now + SESSION_DAYS * 86_400,
        )
        .await?;
    store
        .audit(&crate::audit::AuditEntry {
            at: now,
            actor: Some(person),
            action: "session.sign_in".into(),
            subject: format!("account {account}"),
            detail: String::new(),
        })
        .await?;
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_as_digests() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_digest(&a).len(), 64);
        assert_ne!(token_digest(&a), a);
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check_password_strength("short").is_err());
        assert!(check_password_strength("long enough pass").is_ok());
    }

    #[test]
    fn an_unknown_account_is_refused_after_the_same_argon2_work() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(verify_password_or_equal_work(
            "correct horse battery",
            Some(&hash)
        ));
        assert!(!verify_password_or_equal_work(
            "correct horse battery",
            None
        ));
        assert!(!verify_password_or_equal_work("wrong", Some(&hash)));
    }

    #[test]
    fn throttling_counts_the_account_from_one_address_and_the_address_in_all() {
        let f = |account_from_client, from_client| SignInFailures {
            account_from_client,
            from_client,
        };
        assert!(!sign_in_throttled(f(4, 4)));
        assert!(sign_in_throttled(f(5, 5)));
        assert!(!sign_in_throttled(f(1, 19)));
        assert!(
            sign_in_throttled(f(1, 20)),
            "one guess at each of 20 accounts"
        );
    }
}
