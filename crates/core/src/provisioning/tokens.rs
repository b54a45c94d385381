//! SCIM tokens: made by an admin (Admin → Provisioning, or `trellis token create --scim`),
//! shown once, revocable, their last use shown. A token acts as the identity provider, not
//! as a person, and reaches `/scim/v2` only.

use super::store::ProvisioningStore;
use super::{ScimError, ScimResult};
use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::auth::{random_token, token_digest};
use crate::error::{CoreError, CoreResult};
use crate::store::Store;
use serde::Serialize;

/// Tokens start with this, so a leaked one is recognised for what it is.
pub const PREFIX: &str = "trellis_scim_";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScimToken {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub created_by_name: Option<String>,
    pub expires_at: Option<i64>,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl ScimToken {
    /// "active", "expired" or "revoked".
    pub fn state(&self, now: i64) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at.is_some_and(|e| e <= now) {
            "expired"
        } else {
            "active"
        }
    }
}

/// Who wrote over SCIM: the token, named in audit lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScimActor {
    pub token_id: i64,
    pub token_name: String,
}

impl ScimActor {
    pub fn describe(&self) -> String {
        format!("SCIM token \"{}\"", self.token_name)
    }
}

/// A token just made: the secret is shown this once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: i64,
    pub secret: String,
}

/// Makes a token (admins, or the operator of the command line).
pub async fn create(
    store: &dyn Store,
    viewer: &Viewer,
    name: &str,
    valid_days: Option<i64>,
    now: i64,
) -> CoreResult<IssuedToken> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("make provisioning tokens".into()));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(CoreError::field(
            "name",
            "name the token (1 to 80 characters), such as the identity provider that uses it",
        ));
    }
    if valid_days.is_some_and(|d| !(1..=3650).contains(&d)) {
        return Err(CoreError::field(
            "valid_days",
            "a token is valid for 1 to 3650 days, or until revoked",
        ));
    }
    let secret = format!("{PREFIX}{}", random_token()?);
    let mut work = store.begin_provisioning_write().await?;
    let id = work
        .create_scim_token(
            name,
            &token_digest(&secret),
            viewer.actor(),
            valid_days.map(|d| now + d * 86_400),
            now,
        )
        .await?;
    work.audit(&AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "scim_token.create".into(),
        subject: format!("scim token {id}"),
        detail: name.to_string(),
    })
    .await?;
    work.commit().await?;
    Ok(IssuedToken { id, secret })
}

/// Every token (admins).
pub async fn list(store: &dyn Store, viewer: &Viewer) -> CoreResult<Vec<ScimToken>> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("see provisioning tokens".into()));
    }
    store.scim_tokens().await
}

/// Revokes a token at once (admins).
pub async fn revoke(store: &dyn Store, viewer: &Viewer, id: i64, now: i64) -> CoreResult<()> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("revoke provisioning tokens".into()));
    }
    let mut work = store.begin_provisioning_write().await?;
    if !work.revoke_scim_token(id, now).await? {
        return Err(CoreError::NotFound(format!(
            "active provisioning token {id}"
        )));
    }
    work.audit(&AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "scim_token.revoke".into(),
        subject: format!("scim token {id}"),
        detail: String::new(),
    })
    .await?;
    work.commit().await
}

fn unauthorized(detail: &str) -> ScimError {
    ScimError {
        status: 401,
        scim_type: None,
        detail: detail.into(),
    }
}

/// The token behind `Authorization: Bearer …`, if it is a live SCIM token.
pub async fn authenticate(
    store: &dyn ProvisioningStore,
    secret: Option<&str>,
    now: i64,
) -> ScimResult<ScimActor> {
    let Some(secret) = secret.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(unauthorized(
            "send Authorization: Bearer with a provisioning token made under Admin → Provisioning",
        ));
    };
    let token = store.scim_token(&token_digest(secret)).await?;
    let Some(token) = token else {
        return Err(unauthorized("this is not a provisioning token"));
    };
    match token.state(now) {
        "revoked" => Err(unauthorized("this provisioning token was revoked")),
        "expired" => Err(unauthorized("this provisioning token has expired")),
        _ => {
            store.note_scim_token_used(token.id, now).await?;
            Ok(ScimActor {
                token_id: token.id,
                token_name: token.name,
            })
        }
    }
}
