//! E-mail: a use case queues a mail in its unit of work (so it is sent exactly when the
//! change is kept), and the background worker delivers it through a [`Mailer`] — SMTP in
//! `trellis-mail`. Delivery is at least once: a mail is marked sent after the server
//! accepted it, so a sender killed in between sends it again (with the same `Message-ID`),
//! and only then. The bottom layer: it imports no capability.

use crate::error::CoreResult;
use crate::ids::PersonId;
use crate::jobs::{JobOutcome, JobStore};
use async_trait::async_trait;
use serde::Serialize;

/// The job kind that delivers one mail (its payload is the mail's id).
pub const MAIL_JOB: &str = "mail";
/// How long a sender holds a mail before another instance may send it: a killed sender's
/// mail goes out again within a minute.
pub const LEASE_SECONDS: i64 = 45;
/// Attempts before a mail is given up: the retries span more than a day, so a mail
/// server down overnight loses nothing.
pub const MAX_ATTEMPTS: i64 = 16;

/// Seconds to wait before the next attempt after `attempts` failed ones: 30 s, doubling,
/// at most four hours.
pub fn backoff_seconds(attempts: i64) -> i64 {
    let doublings = attempts.clamp(1, 20) - 1;
    (30_i64 << doublings).min(4 * 3600)
}

/// Where Trellis is reached: links in mails start here, and message ids name its host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Without a trailing slash, such as `https://people.example.org`.
    pub public_url: String,
}

impl Site {
    pub fn new(public_url: &str) -> Site {
        Site {
            public_url: public_url.trim().trim_end_matches('/').to_string(),
        }
    }

    /// An absolute link to a path of Trellis (`/welcome/…`).
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }

    /// The host name, for message ids.
    pub fn host(&self) -> &str {
        let rest = self
            .public_url
            .split_once("://")
            .map_or(self.public_url.as_str(), |(_, r)| r);
        let host = rest.split(['/', ':']).next().unwrap_or("");
        if host.is_empty() { "trellis" } else { host }
    }
}

/// A mail to queue. `key` makes queuing idempotent: a second mail with the same key is
/// not queued (an invitation resent gets a new key; a notification's mail uses its id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub key: String,
    /// See [`message_id`].
    pub message_id: String,
    pub person: Option<PersonId>,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A queued mail as kept, with how its delivery went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueuedMail {
    pub id: i64,
    pub key: String,
    pub person: Option<PersonId>,
    pub to_address: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Stable across retries, so a receiving server can tell a duplicate.
    pub message_id: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// Set when it was given up.
    pub failed_at: Option<i64>,
    pub attempts: i64,
    /// The server's last answer, or why it could not be reached.
    pub last_error: Option<String>,
}

impl QueuedMail {
    pub fn status(&self) -> MailStatus {
        match (self.sent_at, self.failed_at) {
            (Some(_), _) => MailStatus::Sent,
            (None, Some(_)) => MailStatus::Failed,
            (None, None) => MailStatus::Queued,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailStatus {
    Queued,
    Sent,
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }
}

/// Counts for the admins' e-mail page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MailCounts {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
}

/// Why a mail was not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Worth trying again (the server is down, busy, or answered 4xx).
    Transient(String),
    /// Will never work (the server refused the address for good, 5xx).
    Permanent(String),
}

/// Sends one mail; SMTP in production, a recording fake in tests.
#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, mail: &QueuedMail) -> Result<(), SendError>;
}

/// Where a unit of work queues its mails: kept in its transaction, with the job that
/// delivers each.
#[async_trait]
pub trait MailQueue: Send {
    /// Queues the mail unless one with its key exists; its id when queued.
    async fn queue_mail(&mut self, mail: &OutgoingMail, now: i64) -> CoreResult<Option<i64>>;
}

/// Reading and settling queued mail.
#[async_trait]
pub trait MailStore: JobStore + Send + Sync {
    async fn mail(&self, id: i64) -> CoreResult<Option<QueuedMail>>;
    /// The newest mails first.
    async fn recent_mails(&self, limit: i64) -> CoreResult<Vec<QueuedMail>>;
    async fn mail_counts(&self) -> CoreResult<MailCounts>;
    /// Records an attempt: sent at `now`, or failed with the server's answer (given up
    /// when `gave_up`).
    async fn record_attempt(
        &self,
        id: i64,
        now: i64,
        outcome: Result<(), (&str, bool)>,
    ) -> CoreResult<()>;
    /// Queues one mail on its own (a test mail); its id, or `None` when its key was used.
    async fn queue_mail_now(&self, mail: &OutgoingMail, now: i64) -> CoreResult<Option<i64>>;
}

/// What one run of the worker did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Sent(i64),
    /// Already sent by an instance that was stopped before it marked its job done.
    AlreadySent(i64),
    Retrying {
        mail: i64,
        error: String,
    },
    GaveUp {
        mail: i64,
        error: String,
    },
    /// A job of another kind, or for a mail that is gone: finished without sending.
    Skipped(i64),
}

/// Claims the next due job and, for a mail job, sends the mail; other kinds are finished
/// unrun (a worker that knows them uses [`send_job`] inside its own dispatch). `None`
/// when no job is due.
pub async fn deliver_next(
    store: &dyn MailStore,
    mailer: &dyn Mailer,
    worker: &str,
    now: i64,
) -> CoreResult<Option<Delivery>> {
    let Some(job) = store.claim_job(worker, now, LEASE_SECONDS).await? else {
        return Ok(None);
    };
    send_job(store, mailer, worker, &job, now).await.map(Some)
}

/// Sends the mail of a claimed mail job and settles the job.
pub async fn send_job(
    store: &dyn MailStore,
    mailer: &dyn Mailer,
    worker: &str,
    job: &crate::jobs::Job,
    now: i64,
) -> CoreResult<Delivery> {
    let mail = match (job.kind.as_str(), job.payload.parse::<i64>()) {
        (MAIL_JOB, Ok(id)) => store.mail(id).await?,
        _ => None,
    };
    let Some(mail) = mail else {
        store
            .finish_job(job.id, worker, now, JobOutcome::Done)
            .await?;
        return Ok(Delivery::Skipped(job.id));
    };
    if mail.sent_at.is_some() || mail.failed_at.is_some() {
        store
            .finish_job(job.id, worker, now, JobOutcome::Done)
            .await?;
        return Ok(Delivery::AlreadySent(mail.id));
    }
    let result = mailer.send(&mail).await;
    let (delivery, outcome) = match result {
        Ok(()) => {
            store.record_attempt(mail.id, now, Ok(())).await?;
            (Delivery::Sent(mail.id), JobOutcome::Done)
        }
        Err(SendError::Transient(error)) if job.attempts < MAX_ATTEMPTS => {
            store
                .record_attempt(mail.id, now, Err((&error, false)))
                .await?;
            let at = now + backoff_seconds(job.attempts);
            (
                Delivery::Retrying {
                    mail: mail.id,
                    error: error.clone(),
                },
                JobOutcome::Retry { at, error },
            )
        }
        Err(SendError::Transient(error) | SendError::Permanent(error)) => {
            store
                .record_attempt(mail.id, now, Err((&error, true)))
                .await?;
            (
                Delivery::GaveUp {
                    mail: mail.id,
                    error: error.clone(),
                },
                JobOutcome::GaveUp { error },
            )
        }
    };
    store.finish_job(job.id, worker, now, outcome).await?;
    Ok(delivery)
}

/// A stable `Message-ID` for a mail: its key's digest at the host Trellis is reached on.
pub fn message_id(key: &str, host: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest: String = Sha256::digest(key.as_bytes())[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!(
        "<{digest}@{}>",
        if host.is_empty() { "trellis" } else { host }
    )
}

/// Whom a mail goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub person: Option<PersonId>,
    pub address: String,
    pub name: String,
}

/// A mail with a plain-text part, an HTML part with a button, and the footer every mail
/// carries (where to change what Trellis sends).
pub fn compose(
    to: &Recipient,
    subject: String,
    text: String,
    link: &str,
    button: &str,
    site: &Site,
    key: String,
) -> OutgoingMail {
    let preferences = site.link("/notifications/preferences");
    let footer = format!("\n--\nChoose what Trellis e-mails you: {preferences}\n");
    let paragraphs: String = text
        .split("\n\n")
        .filter(|p| !p.contains(link))
        // Lines within a paragraph (a digest's list) stay lines.
        .map(|p| format!("<p>{}</p>", escape_html(p.trim()).replace('\n', "<br>")))
        .collect();
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">{paragraphs}\
         <p><a href=\"{link}\" style=\"background:#2563eb;color:#fff;padding:8px 14px;\
         border-radius:4px;text-decoration:none\">{button}</a></p>\
         <p style=\"color:#555\">Or open {link_text}</p>\
         <hr><p style=\"color:#777;font-size:12px\"><a href=\"{preferences}\">Choose what \
         Trellis e-mails you</a></p></body></html>",
        link = escape_html(link),
        link_text = escape_html(link),
        button = escape_html(button),
        preferences = escape_html(&preferences),
    );
    OutgoingMail {
        message_id: message_id(&key, site.host()),
        key,
        person: to.person,
        to_address: to.address.clone(),
        to_name: to.name.clone(),
        subject,
        text: text + &footer,
        html,
    }
}

/// Escapes text for an HTML mail body.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_half_a_minute_to_four_hours() {
        let waits: Vec<i64> = (1..MAX_ATTEMPTS).map(backoff_seconds).collect();
        assert_eq!(&waits[..5], &[30, 60, 120, 240, 480]);
        assert_eq!(waits[10], 4 * 3600);
        let total: i64 = waits.iter().sum();
        assert!(
            total > 24 * 3600,
            "a day of an unreachable server is survived"
        );
    }

    #[test]
    fn paragraphs_keep_their_lines_and_text_is_escaped() {
        let mail = compose(
            &Recipient {
                person: None,
                address: "dana@example.org".into(),
                name: "Dana".into(),
            },
            "Your week".into(),
            "Due this week:\n- Ship <it>\n- Test it\n\nBye".into(),
            "https://t.example/digest",
            "Open",
            &Site::new("https://t.example"),
            "weekly 1 2026-W49".into(),
        );
        assert!(
            mail.html
                .contains("<p>Due this week:<br>- Ship &lt;it&gt;<br>- Test it</p><p>Bye</p>"),
            "{}",
            mail.html
        );
    }

    #[test]
    fn a_message_id_depends_only_on_the_key() {
        let a = message_id("invitation 4 1", "people.example.org");
        assert_eq!(a, message_id("invitation 4 1", "people.example.org"));
        assert_ne!(a, message_id("invitation 4 2", "people.example.org"));
        assert!(a.starts_with('<') && a.ends_with("@people.example.org>"));
    }
}
