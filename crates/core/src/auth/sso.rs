//! Who a single sign-on is. The protocol (discovery, tokens, signatures) is checked
//! elsewhere; these are Trellis's rules for the identity it yields:
//! - an account at a provider is linked to a person by (issuer, subject), never by e-mail
//!   alone;
//! - the first sign-in links it to the active person with that e-mail only when the
//!   e-mail is verified: the provider said `email_verified: true`, or the address is in a
//!   domain the provider is trusted for (Entra ID sends no such claim). A missing claim is
//!   not a verified one;
//! - anything else is refused with a sentence for the person, and kept for an admin, who
//!   can link the account by hand.

use super::store::{AuthWrite, LinksStore};
use super::{random_token, start_session, token_digest};
use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::error::{CoreError, CoreResult};
use crate::ids::{PersonId, PersonName};
use crate::org::Person;
use async_trait::async_trait;

/// How long a started sign-in may take before its callback is refused.
pub const SIGN_IN_WINDOW_SECONDS: i64 = 10 * 60;

/// The identity a provider vouched for (every protocol check passed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoIdentity {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    /// The `email_verified` claim as sent; `None` when there was none.
    pub email_verified: Option<bool>,
    pub name: Option<String>,
}

/// The provider's e-mail domains whose addresses count as verified without the claim.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedDomains(Vec<String>);

impl TrustedDomains {
    /// From a list such as `example.org, example.com`; a leading `@` is allowed.
    pub fn parse<'a>(items: impl IntoIterator<Item = &'a str>) -> Result<TrustedDomains, String> {
        let mut domains = Vec::new();
        for item in items.into_iter().flat_map(|i| i.split(',')) {
            let item = item.trim();
            let domain = item.trim_start_matches('@').to_lowercase();
            if domain.is_empty() {
                continue;
            }
            if !domain.contains('.') || domain.contains(['@', ' ', '/']) {
                return Err(format!(
                    "oidc_trusted_domains: {item:?} is not an e-mail domain such as example.org"
                ));
            }
            domains.push(domain);
        }
        Ok(TrustedDomains(domains))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn list(&self) -> &[String] {
        &self.0
    }

    /// Whether an address is in one of the domains (exactly: not its subdomains).
    fn holds(&self, email: &str) -> bool {
        email
            .rsplit_once('@')
            .is_some_and(|(_, domain)| self.0.iter().any(|d| d == domain))
    }
}

/// Whether an identity's e-mail may match a person at its first sign-in.
pub fn email_is_verified(identity: &SsoIdentity, trusted: &TrustedDomains) -> bool {
    let Some(email) = identity.email.as_deref() else {
        return false;
    };
    identity.email_verified == Some(true) || trusted.holds(email)
}

/// Why a sign-in was refused; each says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SsoRefusal {
    /// The provider sent no e-mail, and the account is not linked.
    NoEmail,
    /// The e-mail is not verified (and its domain not trusted).
    Unverified,
    /// No active person has the e-mail.
    NoPerson,
    /// The linked person, or the person with the e-mail, has left.
    Left,
    /// The person with the e-mail is linked to another account at this provider.
    LinkedElsewhere,
}

impl SsoRefusal {
    pub fn as_str(&self) -> &'static str {
        match self {
            SsoRefusal::NoEmail => "no e-mail",
            SsoRefusal::Unverified => "e-mail not verified",
            SsoRefusal::NoPerson => "nobody has this e-mail",
            SsoRefusal::Left => "left the organisation",
            SsoRefusal::LinkedElsewhere => "person linked to another account",
        }
    }

    /// What the person reads on the page.
    pub fn sentence(&self, provider: &str, email: Option<&str>) -> String {
        let address = email.unwrap_or("your account");
        match self {
            SsoRefusal::NoEmail => format!(
                "{provider} did not tell Trellis your e-mail address, so Trellis cannot tell who \
                 you are. Ask a Trellis admin to link your {provider} account to you."
            ),
            SsoRefusal::Unverified => format!(
                "{provider} has not confirmed that {address} is yours, so Trellis will not sign \
                 you in with it. Ask a Trellis admin to link your {provider} account to you."
            ),
            SsoRefusal::NoPerson => format!(
                "Nobody in Trellis has the e-mail {address}. Ask a Trellis admin to add you, or \
                 to link your {provider} account to your profile."
            ),
            SsoRefusal::Left => "This account belongs to someone who has left the organisation, \
                 so it cannot sign in. Ask a Trellis admin if this is wrong."
                .to_string(),
            SsoRefusal::LinkedElsewhere => format!(
                "The Trellis profile with {address} is already linked to another {provider} \
                 account. Ask a Trellis admin to check which one is yours."
            ),
        }
    }
}

/// What a single sign-on came to.
#[derive(Debug, PartialEq, Eq)]
pub enum SsoSignIn {
    /// A session was started (the token goes in the cookie).
    Started {
        token: String,
        person: PersonId,
    },
    Refused(SsoRefusal),
}

/// A sign-in under way, kept between the redirect and the callback. `state_digest` and
/// `browser_digest` are digests: the state travels in the URL, the browser secret in a
/// cookie, and neither is kept in the clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartedSignIn {
    pub state_digest: String,
    pub browser_digest: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next_path: String,
    pub created_at: i64,
}

/// An account at a provider linked to a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoLink {
    pub issuer: String,
    pub subject: String,
    pub person: PersonId,
    pub email: Option<String>,
    pub linked_at: i64,
    /// The admin who linked it; `None` when a verified e-mail did.
    pub linked_by: Option<PersonName>,
    pub last_sign_in_at: Option<i64>,
}

/// A refused sign-in, waiting for an admin.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SsoRefused {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub reason: String,
    pub attempted_at: i64,
}

/// What single sign-on keeps in the database.
#[async_trait]
pub trait SsoStore: Send + Sync {
    async fn save_started_sign_in(&self, started: &StartedSignIn) -> CoreResult<()>;
    /// Takes (deletes and returns) a sign-in under way; `None` when it was taken already.
    /// Sign-ins started before `expired_before` are deleted on the way.
    async fn take_started_sign_in(
        &self,
        state_digest: &str,
        expired_before: i64,
    ) -> CoreResult<Option<StartedSignIn>>;
    async fn sso_link(&self, issuer: &str, subject: &str) -> CoreResult<Option<SsoLink>>;
    async fn sso_links_of(&self, person: PersonId) -> CoreResult<Vec<SsoLink>>;
    async fn record_sso_refusal(&self, refused: &SsoRefused) -> CoreResult<()>;
    /// Refused sign-ins, newest first.
    async fn sso_refusals(&self) -> CoreResult<Vec<SsoRefused>>;
    /// Starts a unit of work for a sign-in or a link.
    async fn begin_sso_write(&self) -> CoreResult<Box<dyn SsoWrite + '_>>;
}

/// The writes of a sign-in or a link, in one unit with the audit entry.
#[async_trait]
pub trait SsoWrite: AuthWrite {
    /// Links an account to a person (removing its refusal); a conflict when the account or
    /// the person is linked already at this provider.
    async fn link_sso(&mut self, link: &NewSsoLink) -> CoreResult<()>;
    /// Unlinks a person's account at a provider; whether there was one.
    async fn unlink_sso(&mut self, person: PersonId, issuer: &str) -> CoreResult<bool>;
    async fn note_sso_sign_in(&mut self, issuer: &str, subject: &str, at: i64) -> CoreResult<()>;
}

/// A link to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSsoLink {
    pub issuer: String,
    pub subject: String,
    pub person: PersonId,
    pub email: Option<String>,
    pub at: i64,
    pub by: Option<PersonId>,
}

/// Keeps a sign-in just started. The browser secret (for its cookie) is returned.
pub async fn remember_start(
    store: &dyn SsoStore,
    state: &str,
    nonce: &str,
    pkce_verifier: &str,
    next_path: &str,
    now: i64,
) -> CoreResult<String> {
    let browser = random_token()?;
    store
        .save_started_sign_in(&StartedSignIn {
            state_digest: token_digest(state),
            browser_digest: token_digest(&browser),
            nonce: nonce.to_string(),
            pkce_verifier: pkce_verifier.to_string(),
            next_path: next_path.to_string(),
            created_at: now,
        })
        .await?;
    Ok(browser)
}

/// The sign-in a callback finishes: used up at once, whatever follows, so a replayed
/// callback finds nothing. It must come back within [`SIGN_IN_WINDOW_SECONDS`] to the
/// browser that started it (its cookie), so a callback link sent to someone else does not
/// sign them in as its sender.
pub async fn take_start(
    store: &dyn SsoStore,
    state: &str,
    browser: Option<&str>,
    now: i64,
) -> CoreResult<StartedSignIn> {
    let started = store
        .take_started_sign_in(&token_digest(state), now - SIGN_IN_WINDOW_SECONDS)
        .await?
        .filter(|s| s.created_at > now - SIGN_IN_WINDOW_SECONDS)
        .ok_or_else(|| {
            CoreError::Conflict(
                "this sign-in was used already or took too long: start again".into(),
            )
        })?;
    let same_browser = browser.is_some_and(|b| {
        super::constant_time_eq(
            token_digest(b).as_bytes(),
            started.browser_digest.as_bytes(),
        )
    });
    if !same_browser {
        return Err(CoreError::Conflict(
            "this sign-in was started in another browser: start again here".into(),
        ));
    }
    Ok(started)
}

/// Signs in the person an identity belongs to, linking it at the first sign-in when its
/// verified e-mail matches an active person; records a refusal for the admins otherwise.
pub async fn sign_in(
    store: &dyn LinksStore,
    identity: &SsoIdentity,
    trusted: &TrustedDomains,
    now: i64,
) -> CoreResult<SsoSignIn> {
    let outcome = match store.sso_link(&identity.issuer, &identity.subject).await? {
        Some(link) => match active(store, link.person).await? {
            Some(person) => Ok((person, false)),
            None => Err(SsoRefusal::Left),
        },
        None => first_match(store, identity, trusted).await?,
    };
    let (person, link_now) = match outcome {
        Ok(found) => found,
        Err(refusal) => {
            store
                .record_sso_refusal(&SsoRefused {
                    issuer: identity.issuer.clone(),
                    subject: identity.subject.clone(),
                    email: identity.email.clone(),
                    name: identity.name.clone(),
                    reason: refusal.as_str().into(),
                    attempted_at: now,
                })
                .await?;
            return Ok(SsoSignIn::Refused(refusal));
        }
    };
    let mut work = store.begin_sso_write().await?;
    if link_now {
        work.link_sso(&NewSsoLink {
            issuer: identity.issuer.clone(),
            subject: identity.subject.clone(),
            person: person.id,
            email: identity.email.clone(),
            at: now,
            by: None,
        })
        .await?;
        work.audit(&AuditEntry {
            at: now,
            actor: Some(person.id),
            action: "sso.linked_by_verified_email".into(),
            subject: format!("person {}", person.id),
            detail: identity.issuer.clone(),
        })
        .await?;
    }
    work.note_sso_sign_in(&identity.issuer, &identity.subject, now)
        .await?;
    let account = work.ensure_account(person.id).await?;
    work.commit().await?;
    let token = start_session(store, account, person.id, now).await?;
    Ok(SsoSignIn::Started {
        token,
        person: person.id,
    })
}

fn admin(viewer: &Viewer, what: &str) -> CoreResult<()> {
    if viewer.may_administer() {
        Ok(())
    } else {
        Err(CoreError::Forbidden(what.into()))
    }
}

async fn active(store: &dyn LinksStore, person: PersonId) -> CoreResult<Option<Person>> {
    Ok(store.person(person).await?.filter(Person::is_active))
}

/// The person an unlinked identity may be linked to at its first sign-in.
async fn first_match(
    store: &dyn LinksStore,
    identity: &SsoIdentity,
    trusted: &TrustedDomains,
) -> CoreResult<Result<(Person, bool), SsoRefusal>> {
    let Some(email) = identity.email.as_deref() else {
        return Ok(Err(SsoRefusal::NoEmail));
    };
    if !email_is_verified(identity, trusted) {
        return Ok(Err(SsoRefusal::Unverified));
    }
    let Some(id) = store.person_id_by_email(email).await? else {
        return Ok(Err(SsoRefusal::NoPerson));
    };
    let Some(person) = active(store, id).await? else {
        return Ok(Err(SsoRefusal::Left));
    };
    let linked_elsewhere = store
        .sso_links_of(person.id)
        .await?
        .iter()
        .any(|l| l.issuer == identity.issuer);
    if linked_elsewhere {
        return Ok(Err(SsoRefusal::LinkedElsewhere));
    }
    Ok(Ok((person, true)))
}

/// Links an account at a provider to a person by hand (admins): for a refused sign-in, or
/// an account whose e-mail the provider does not verify.
pub async fn link_by_hand(
    store: &dyn LinksStore,
    viewer: &Viewer,
    person: PersonId,
    issuer: &str,
    subject: &str,
    now: i64,
) -> CoreResult<()> {
    admin(viewer, "link sign-in accounts")?;
    let (issuer, subject) = (issuer.trim(), subject.trim());
    if subject.is_empty() {
        return Err(CoreError::field(
            "subject",
            "give the account's subject (sub)",
        ));
    }
    let person = active(store, person).await?.ok_or_else(|| {
        CoreError::NotFound("nobody active has this id: only current people can sign in".into())
    })?;
    if let Some(existing) = store.sso_link(issuer, subject).await? {
        return Err(CoreError::Conflict(format!(
            "this account is linked to person {} already: unlink it there first",
            existing.person
        )));
    }
    let refused_email = store
        .sso_refusals()
        .await?
        .into_iter()
        .find(|r| r.issuer == issuer && r.subject == subject)
        .and_then(|r| r.email);
    let mut work = store.begin_sso_write().await?;
    work.link_sso(&NewSsoLink {
        issuer: issuer.into(),
        subject: subject.into(),
        person: person.id,
        email: refused_email,
        at: now,
        by: viewer.actor(),
    })
    .await?;
    work.audit(&AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "sso.linked_by_admin".into(),
        subject: format!("person {}", person.id),
        detail: format!("{issuer} {subject}"),
    })
    .await?;
    work.commit().await
}

/// Unlinks a person's account at a provider (admins); its sessions are not ended.
pub async fn unlink(
    store: &dyn LinksStore,
    viewer: &Viewer,
    person: PersonId,
    issuer: &str,
    now: i64,
) -> CoreResult<()> {
    admin(viewer, "unlink sign-in accounts")?;
    let mut work = store.begin_sso_write().await?;
    if !work.unlink_sso(person, issuer).await? {
        return Err(CoreError::NotFound(
            "this person has no linked account at this provider".into(),
        ));
    }
    work.audit(&AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "sso.unlinked".into(),
        subject: format!("person {person}"),
        detail: issuer.to_string(),
    })
    .await?;
    work.commit().await
}

/// Refused sign-ins waiting for an admin (admins only).
pub async fn refusals(store: &dyn LinksStore, viewer: &Viewer) -> CoreResult<Vec<SsoRefused>> {
    admin(viewer, "see refused sign-ins")?;
    store.sso_refusals().await
}

/// A person's linked accounts (admins, and the person).
pub async fn links_of(
    store: &dyn LinksStore,
    viewer: &Viewer,
    person: PersonId,
) -> CoreResult<Vec<SsoLink>> {
    if viewer.actor() != Some(person) {
        admin(viewer, "see another person's sign-in accounts")?;
    }
    store.sso_links_of(person).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(email: Option<&str>, verified: Option<bool>) -> SsoIdentity {
        SsoIdentity {
            issuer: "https://id.example.org".into(),
            subject: "abc".into(),
            email: email.map(String::from),
            email_verified: verified,
            name: None,
        }
    }

    #[test]
    fn only_a_verified_email_or_a_trusted_domain_counts() {
        let none = TrustedDomains::default();
        let trusted = TrustedDomains::parse(["@example.org, example.com"]).unwrap();
        let a = |email, verified| identity(Some(email), verified);
        assert!(email_is_verified(&a("ana@example.net", Some(true)), &none));
        assert!(!email_is_verified(
            &a("ana@example.net", Some(false)),
            &none
        ));
        assert!(
            !email_is_verified(&a("ana@example.net", None), &none),
            "a missing claim is not a verified one"
        );
        assert!(email_is_verified(&a("ana@example.org", None), &trusted));
        assert!(email_is_verified(
            &a("ana@example.com", Some(false)),
            &trusted
        ));
        assert!(
            !email_is_verified(&a("ana@evil.example.org", None), &trusted),
            "subdomains are not trusted"
        );
        assert!(!email_is_verified(&identity(None, Some(true)), &trusted));
    }

    #[test]
    fn trusted_domains_must_look_like_domains() {
        assert!(TrustedDomains::parse(["example.org"]).is_ok());
        let err = TrustedDomains::parse(["ana@example.org"]).unwrap_err();
        assert!(err.contains("oidc_trusted_domains"), "{err}");
        assert!(TrustedDomains::parse(["localhost"]).is_err());
        assert!(TrustedDomains::parse([""]).unwrap().is_empty());
    }

    #[test]
    fn every_refusal_tells_the_person_to_ask_an_admin() {
        for refusal in [
            SsoRefusal::NoEmail,
            SsoRefusal::Unverified,
            SsoRefusal::NoPerson,
            SsoRefusal::Left,
            SsoRefusal::LinkedElsewhere,
        ] {
            let text = refusal.sentence("Example ID", Some("ana@example.org"));
            assert!(text.contains("admin"), "{text}");
        }
    }
}
