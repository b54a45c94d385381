//! Single-use links by e-mail: invitations (an admin lets people in; 7 days), password
//! resets (asked for by the person, or forced by an admin; 1 hour) and the command line's
//! sign-in link. Only a token's digest is kept; using one marks it used in the same
//! statement that checks it, so a link works once even when it is opened twice at once.

use super::store::{AccountToken, AuthWrite, Invitation, LinksStore, NewAccountToken};
use super::{check_password_strength, hash_password, random_token, token_digest};
use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::error::{CoreError, CoreResult};
use crate::ids::{AccountId, PersonId};
use crate::mail::{OutgoingMail, Recipient, Site, compose, message_id};
use crate::org::Person;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Invitation,
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Invitation => "invitation",
            Purpose::Reset => "reset",
        }
    }

    pub fn parse(text: &str) -> Option<Purpose> {
        [Purpose::Invitation, Purpose::Reset]
            .into_iter()
            .find(|p| p.as_str() == text)
    }

    /// How long a link works.
    pub fn lifetime_seconds(self) -> i64 {
        match self {
            Purpose::Invitation => 7 * 86_400,
            Purpose::Reset => 3_600,
        }
    }

    /// The page that takes the link.
    fn path(self) -> &'static str {
        match self {
            Purpose::Invitation => "/welcome/",
            Purpose::Reset => "/reset/",
        }
    }
}

/// Common passwords, refused even when long enough.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Refuses short passwords and common ones (compared without case and spaces).
pub fn check_new_password(password: &str) -> CoreResult<()> {
    check_password_strength(password)?;
    let folded: String = password
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let one_character = folded.chars().all(|c| folded.starts_with(c));
    if one_character || COMMON_PASSWORDS.lines().any(|p| p == folded) {
        return Err(CoreError::field(
            "password",
            "this password is among the most common ones: choose another",
        ));
    }
    Ok(())
}

/// What the invitation and reset pages show before a password is chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkHolder {
    pub person: PersonId,
    pub name: String,
    pub email: String,
}

/// The person a live link belongs to; a clear error when it is unknown, used, revoked or
/// expired (which one is said: the holder of the link is its addressee).
pub async fn holder(
    store: &dyn LinksStore,
    token: &str,
    purpose: Purpose,
    now: i64,
) -> CoreResult<LinkHolder> {
    let found = store.account_token(&token_digest(token)).await?;
    let token = live(found, purpose, now)?;
    let person = store
        .person(token.person)
        .await?
        .filter(Person::is_active)
        .ok_or_else(|| CoreError::Conflict("this link belongs to someone who has left".into()))?;
    Ok(LinkHolder {
        person: person.id,
        name: person.display_name(),
        email: person.email,
    })
}

fn live(found: Option<AccountToken>, purpose: Purpose, now: i64) -> CoreResult<AccountToken> {
    let what = match purpose {
        Purpose::Invitation => "invitation",
        Purpose::Reset => "password reset link",
    };
    let token = found.filter(|t| t.purpose == purpose).ok_or_else(|| {
        CoreError::NotFound(format!(
            "this {what} is not known: check that the whole link was copied"
        ))
    })?;
    if token.used_at.is_some() {
        return Err(CoreError::Conflict(format!(
            "this {what} was used already: sign in, or ask for a new link"
        )));
    }
    if token.revoked_at.is_some() {
        return Err(CoreError::Conflict(format!(
            "this {what} was withdrawn: ask an admin for a new one"
        )));
    }
    if token.expires_at <= now {
        return Err(CoreError::Conflict(format!(
            "this {what} has expired: ask for a new one"
        )));
    }
    Ok(token)
}

/// Sets the password of the link's holder (creating their account when it is an
/// invitation) and uses up the link, in one unit of work; a reset ends every session of the
/// account. The account, for the caller to start a session.
pub async fn set_password(
    store: &dyn LinksStore,
    token: &str,
    purpose: Purpose,
    password: &str,
    now: i64,
) -> CoreResult<AccountId> {
    let holder = holder(store, token, purpose, now).await?;
    check_new_password(password)?;
    let password = password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| CoreError::Internal(format!("hashing the password failed: {e}")))??;
    let mut work = store.begin_auth_write().await?;
    if !work
        .take_account_token(&token_digest(token), purpose.as_str(), now)
        .await?
    {
        return Err(CoreError::Conflict(
            "this link was used a moment ago: sign in, or ask for a new link".into(),
        ));
    }
    let account = work.set_password(holder.person, &hash).await?;
    if purpose == Purpose::Reset {
        work.end_sessions(account).await?;
    }
    work.revoke_account_tokens(holder.person, purpose.as_str(), now)
        .await?;
    work.audit(&AuditEntry {
        at: now,
        actor: Some(holder.person),
        action: match purpose {
            Purpose::Invitation => "account.invitation_accepted",
            Purpose::Reset => "account.password_reset",
        }
        .into(),
        subject: format!("account {account}"),
        detail: String::new(),
    })
    .await?;
    work.commit().await?;
    Ok(account)
}

/// Signs in the holder of a reset link without a password, using up the link: how the
/// command line's one-time link lets an admin in when passwords are turned off and single
/// sign-on is broken. The account, for the caller to start a session.
pub async fn sign_in_with_link(
    store: &dyn LinksStore,
    token: &str,
    now: i64,
) -> CoreResult<(AccountId, PersonId)> {
    let holder = holder(store, token, Purpose::Reset, now).await?;
    let mut work = store.begin_auth_write().await?;
    if !work
        .take_account_token(&token_digest(token), Purpose::Reset.as_str(), now)
        .await?
    {
        return Err(CoreError::Conflict(
            "this link was used a moment ago: ask for a new one".into(),
        ));
    }
    let account = work.ensure_account(holder.person).await?;
    work.audit(&AuditEntry {
        at: now,
        actor: Some(holder.person),
        action: "account.signed_in_with_link".into(),
        subject: format!("account {account}"),
        detail: String::new(),
    })
    .await?;
    work.commit().await?;
    Ok((account, holder.person))
}

/// What an invitation round did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invited {
    /// People who were sent an invitation (earlier ones withdrawn).
    pub sent: Vec<PersonId>,
    /// People passed over, with why: already signing in, left, no e-mail.
    pub skipped: Vec<(PersonId, String)>,
}

/// Invites people (admins): each gets a mail with a link to set a password, valid 7
/// days; an earlier invitation of theirs stops working. People who already sign in, or
/// have left, are passed over and said so.
pub async fn invite(
    store: &dyn LinksStore,
    viewer: &Viewer,
    people: &[PersonId],
    site: &Site,
    now: i64,
) -> CoreResult<Invited> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("invite people".into()));
    }
    let organisation = store.settings().await?.organisation_name;
    let inviter = match store.person(viewer.person_id()).await? {
        Some(p) => p.display_name(),
        None => "An admin".to_string(),
    };
    let mut invited = Invited::default();
    let mut work = store.begin_auth_write().await?;
    for &id in people {
        let Some(person) = store.person(id).await? else {
            invited.skipped.push((id, "not found".into()));
            continue;
        };
        if !person.is_active() {
            invited.skipped.push((id, "has left".into()));
            continue;
        }
        let has_password = store
            .account_of(id)
            .await?
            .is_some_and(|a| a.password_hash.is_some());
        if has_password || !store.sso_links_of(id).await?.is_empty() {
            invited.skipped.push((id, "signs in already".into()));
            continue;
        }
        work.revoke_account_tokens(id, Purpose::Invitation.as_str(), now)
            .await?;
        let token = random_token()?;
        issue(
            &mut *work,
            &person,
            Purpose::Invitation,
            &token,
            viewer.actor(),
            now,
        )
        .await?;
        let mail = invitation_mail(&person, &organisation, &inviter, site, &token);
        work.queue_mail(&mail, now).await?;
        invited.sent.push(id);
    }
    if !invited.sent.is_empty() {
        work.audit(&AuditEntry {
            at: now,
            actor: viewer.actor(),
            action: "account.invite".into(),
            subject: format!("{} people", invited.sent.len()),
            detail: invited
                .sent
                .iter()
                .map(|p| format!("person {p}"))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .await?;
    }
    work.commit().await?;
    Ok(invited)
}

/// Invites everyone active who cannot sign in yet.
pub async fn invite_all_without_account(
    store: &dyn LinksStore,
    viewer: &Viewer,
    site: &Site,
    now: i64,
) -> CoreResult<Invited> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("invite people".into()));
    }
    let people: Vec<PersonId> = store
        .people_without_password()
        .await?
        .into_iter()
        .map(|(p, _)| p.id)
        .collect();
    invite(store, viewer, &people, site, now).await
}

/// Withdraws a person's open invitation (admins).
pub async fn revoke_invitation(
    store: &dyn LinksStore,
    viewer: &Viewer,
    person: PersonId,
    now: i64,
) -> CoreResult<()> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("withdraw invitations".into()));
    }
    let mut work = store.begin_auth_write().await?;
    let withdrawn = work
        .revoke_account_tokens(person, Purpose::Invitation.as_str(), now)
        .await?;
    if withdrawn == 0 {
        return Err(CoreError::NotFound(format!(
            "an open invitation of person {person}"
        )));
    }
    work.audit(&AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "account.invitation_withdrawn".into(),
        subject: format!("person {person}"),
        detail: String::new(),
    })
    .await?;
    work.commit().await
}

/// Every invitation (the newest of each person), for admins.
pub async fn invitations(store: &dyn LinksStore, viewer: &Viewer) -> CoreResult<Vec<Invitation>> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("see invitations".into()));
    }
    store.invitations().await
}

/// Sends a reset link to this address when an active person with an account has it. The
/// answer is the same either way, so it never tells whether the address has an account;
/// one mail per address in five minutes at most.
pub async fn request_reset(
    store: &dyn LinksStore,
    email: &str,
    site: &Site,
    now: i64,
) -> CoreResult<()> {
    let email = email.trim().to_lowercase();
    let Some(account) = store.account_by_email(&email).await? else {
        return Ok(());
    };
    let Some(person) = store.person(account.person_id).await? else {
        return Ok(());
    };
    let organisation = store.settings().await?.organisation_name;
    let token = random_token()?;
    let mut work = store.begin_auth_write().await?;
    issue(&mut *work, &person, Purpose::Reset, &token, None, now).await?;
    let mut mail = reset_mail(&person, &organisation, site, &token, false);
    // The key counts five-minute windows: asking again at once sends nothing more.
    mail.key = format!("reset {} {}", person.id, now / 300);
    mail.message_id = message_id(&mail.key, site.host());
    work.queue_mail(&mail, now).await?;
    work.commit().await
}

/// An admin makes a person choose a new password: the old one stops working, every
/// session ends, and a reset link is mailed.
pub async fn force_reset(
    store: &dyn LinksStore,
    viewer: &Viewer,
    person: PersonId,
    site: &Site,
    now: i64,
) -> CoreResult<()> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("reset passwords".into()));
    }
    let person = store
        .person(person)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("person {person}")))?;
    let account = store.account_of(person.id).await?.ok_or_else(|| {
        CoreError::Conflict(format!(
            "{} has no account yet: invite them",
            person.display_name()
        ))
    })?;
    let organisation = store.settings().await?.organisation_name;
    let token = random_token()?;
    let mut work = store.begin_auth_write().await?;
    work.clear_password(account.id).await?;
    work.end_sessions(account.id).await?;
    work.revoke_account_tokens(person.id, Purpose::Reset.as_str(), now)
        .await?;
    issue(
        &mut *work,
        &person,
        Purpose::Reset,
        &token,
        viewer.actor(),
        now,
    )
    .await?;
    work.queue_mail(&reset_mail(&person, &organisation, site, &token, true), now)
        .await?;
    work.audit(&AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "account.reset_forced".into(),
        subject: format!("account {}", account.id),
        detail: String::new(),
    })
    .await?;
    work.commit().await
}

/// A reset link for the command line, which prints it: it always works, even when mail or
/// single sign-on does not. The link, valid one hour.
pub async fn reset_link_for_operator(
    store: &dyn LinksStore,
    email: &str,
    site: &Site,
    now: i64,
) -> CoreResult<String> {
    let email = email.trim().to_lowercase();
    let id = store
        .person_id_by_email(&email)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("nobody has the e-mail {email}")))?;
    let person = store
        .person(id)
        .await?
        .filter(Person::is_active)
        .ok_or_else(|| CoreError::Conflict(format!("{email} belongs to someone who has left")))?;
    let token = random_token()?;
    let mut work = store.begin_auth_write().await?;
    issue(&mut *work, &person, Purpose::Reset, &token, None, now).await?;
    work.audit(&AuditEntry {
        at: now,
        actor: None,
        action: "account.reset_link_printed".into(),
        subject: format!("person {}", person.id),
        detail: String::new(),
    })
    .await?;
    work.commit().await?;
    Ok(site.link(&format!("{}{token}", Purpose::Reset.path())))
}

fn recipient(person: &Person) -> Recipient {
    Recipient {
        person: Some(person.id),
        address: person.email.clone(),
        name: person.display_name(),
    }
}

async fn issue(
    work: &mut dyn AuthWrite,
    person: &Person,
    purpose: Purpose,
    token: &str,
    by: Option<PersonId>,
    now: i64,
) -> CoreResult<()> {
    work.create_account_token(&NewAccountToken {
        digest: token_digest(token),
        person: person.id,
        purpose: purpose.as_str().into(),
        created_at: now,
        created_by: by,
        expires_at: now + purpose.lifetime_seconds(),
    })
    .await
}

fn invitation_mail(
    person: &Person,
    organisation: &str,
    inviter: &str,
    site: &Site,
    token: &str,
) -> OutgoingMail {
    let link = site.link(&format!("{}{token}", Purpose::Invitation.path()));
    let name = person.display_name();
    let text = format!(
        "Hello {name},\n\n{inviter} invited you to Trellis, {organisation}'s place for \
         priorities, commitments and growth.\n\nStart here (the link works once, for 7 \
         days):\n{link}\n\nYour sign-in e-mail is {email}.\n",
        email = person.email
    );
    compose(
        &recipient(person),
        format!("{inviter} invited you to Trellis at {organisation}"),
        text,
        &link,
        "Start using Trellis",
        site,
        format!("invitation {}", token_digest(token)),
    )
}

fn reset_mail(
    person: &Person,
    organisation: &str,
    site: &Site,
    token: &str,
    forced: bool,
) -> OutgoingMail {
    let link = site.link(&format!("{}{token}", Purpose::Reset.path()));
    let why = if forced {
        "An admin asked you to choose a new password; your old one no longer works."
    } else {
        "Someone (we hope you) asked to reset your Trellis password. If it was not you, \
         ignore this mail: your password stays as it is."
    };
    let text = format!(
        "Hello {name},\n\n{why}\n\nChoose a new password here (the link works once, for \
         one hour):\n{link}\n",
        name = person.display_name()
    );
    compose(
        &recipient(person),
        format!("Your Trellis password at {organisation}"),
        text,
        &link,
        "Choose a new password",
        site,
        format!("reset {}", token_digest(token)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_one_character_passwords_are_refused_however_written() {
        for weak in ["Password123", "QWERTY UIOP", "1234567890", "zzzzzzzzzzzz"] {
            assert!(check_new_password(weak).is_err(), "{weak}");
        }
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("plum orchard at dusk").is_ok());
    }

    #[test]
    fn a_link_states_why_it_does_not_work() {
        let token = |used: Option<i64>, revoked: Option<i64>, expires_at| AccountToken {
            id: 1,
            person: PersonId(4),
            purpose: Purpose::Invitation,
            expires_at,
            used_at: used,
            revoked_at: revoked,
        };
        let message = |r: CoreResult<AccountToken>| r.unwrap_err().to_string();
        assert!(
            message(live(
                Some(token(Some(5), None, 100)),
                Purpose::Invitation,
                10
            ))
            .contains("used already")
        );
        assert!(
            message(live(
                Some(token(None, Some(5), 100)),
                Purpose::Invitation,
                10
            ))
            .contains("withdrawn")
        );
        assert!(
            message(live(Some(token(None, None, 100)), Purpose::Invitation, 100))
                .contains("expired")
        );
        assert!(
            message(live(Some(token(None, None, 100)), Purpose::Reset, 10)).contains("not known")
        );
        assert!(live(Some(token(None, None, 100)), Purpose::Invitation, 99).is_ok());
    }
}
