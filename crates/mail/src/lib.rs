//! Trellis mail: the SMTP [`Mailer`] (lettre over rustls) and the background worker that
//! runs the job queue — each queued mail sent by one instance, retried with backoff when
//! the server refuses or is down, sent again when a sender was killed mid-send.

pub mod testing;

use async_trait::async_trait;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Mechanism;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::Arc;
use std::time::Duration;
use trellis_core::jobs::JobRunner;
use trellis_core::mail::{Delivery, MailStore, Mailer, QueuedMail, SendError, deliver_next};

/// Where and as whom mail is sent.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("from", &self.from.to_string())
            .finish()
    }
}

impl SmtpMailer {
    /// From `smtp://[user:password@]host[:port]` (add `?tls=required` for STARTTLS) or
    /// `smtps://…` (TLS from the start), and the sender, such as
    /// `Trellis <people@example.org>`. The error says which of the two is wrong.
    pub fn new(smtp_url: &str, mail_from: &str) -> Result<SmtpMailer, String> {
        let from: Mailbox = mail_from.parse().map_err(|e| {
            format!("mail_from {mail_from:?} is not an address such as Trellis <people@example.org>: {e}")
        })?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| {
                format!(
                    "smtp_url {} is not an SMTP URL such as smtp://mail.example.org:587?tls=required: {e}",
                    redact(smtp_url)
                )
            })?
            .authentication(vec![Mechanism::Plain, Mechanism::Login])
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(SmtpMailer { transport, from })
    }

    /// Whether the server answers (for the admins' e-mail page and start-up).
    pub async fn check(&self) -> Result<(), String> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err("the SMTP server did not answer".into()),
            Err(e) => Err(e.to_string()),
        }
    }

    fn message(&self, mail: &QueuedMail) -> Result<Message, SendError> {
        let address = mail.to_address.parse().map_err(|e| {
            SendError::Permanent(format!("{:?} is not an address: {e}", mail.to_address))
        })?;
        let to = Mailbox::new(
            Some(mail.to_name.clone()).filter(|n| !n.is_empty()),
            address,
        );
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(mail.message_id.clone()))
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|e| SendError::Permanent(format!("the mail cannot be written: {e}")))
    }
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}:…{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, mail: &QueuedMail) -> Result<(), SendError> {
        let message = self.message(mail)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            // 4xx answers, timeouts and refused connections: try again later.
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Names this instance's claims (host and process), so a lease names its holder.
    pub name: String,
    /// Senders running at once in this instance.
    pub senders: usize,
    /// How long to wait when nothing is due.
    pub idle: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            name: format!("worker-{}", std::process::id()),
            // A mail takes ~45 ms on loopback, most of it lettre's last write of the
            // message waiting for the server's delayed ACK: senders overlap those waits.
            senders: 8,
            idle: Duration::from_secs(2),
        }
    }
}

/// Runs only mail jobs (other kinds are finished unrun): for tools and tests that have no
/// notification centre.
pub struct MailRunner {
    pub store: Arc<dyn MailStore>,
    pub mailer: Arc<dyn Mailer>,
}

#[async_trait]
impl JobRunner for MailRunner {
    async fn run_next(
        &self,
        worker: &str,
        now: i64,
    ) -> trellis_core::error::CoreResult<Option<String>> {
        let delivery = deliver_next(self.store.as_ref(), self.mailer.as_ref(), worker, now).await?;
        Ok(delivery.map(|d| {
            log(&d);
            format!("{d:?}")
        }))
    }
}

/// Runs the job queue until `stop` says so: `senders` loops, each running the next due
/// job. Errors of the database are logged and retried after a pause, never fatal.
pub fn spawn_worker(
    runner: Arc<dyn JobRunner>,
    options: WorkerOptions,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<tokio::task::JoinHandle<()>> {
    (0..options.senders.max(1))
        .map(|i| {
            let runner = runner.clone();
            let mut stop = stop.clone();
            let name = format!("{}-{i}", options.name);
            let idle = options.idle;
            tokio::spawn(async move {
                loop {
                    if *stop.borrow() {
                        return;
                    }
                    let pause = match runner.run_next(&name, now()).await {
                        Ok(Some(done)) => {
                            tracing::debug!("job: {done}");
                            continue;
                        }
                        Ok(None) => idle,
                        Err(e) => {
                            tracing::warn!("the worker cannot reach the database: {e}");
                            idle * 2
                        }
                    };
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = stop.changed() => {}
                    }
                }
            })
        })
        .collect()
}

/// Runs every job due now, one at a time (the command line and tests); how many ran.
pub async fn run_due(runner: &dyn JobRunner, name: &str) -> usize {
    let mut ran = 0;
    while let Ok(Some(_)) = runner.run_next(name, now()).await {
        ran += 1;
    }
    ran
}

/// Delivers every mail job due now, one at a time; how many jobs ran.
pub async fn drain(store: &dyn MailStore, mailer: &dyn Mailer, name: &str) -> usize {
    let mut ran = 0;
    while let Ok(Some(delivery)) = deliver_next(store, mailer, name, now()).await {
        log(&delivery);
        ran += 1;
    }
    ran
}

fn log(delivery: &Delivery) {
    match delivery {
        Delivery::Retrying { mail, error } => {
            tracing::warn!(mail, "mail not sent, will retry: {error}")
        }
        Delivery::GaveUp { mail, error } => tracing::error!(mail, "mail given up: {error}"),
        _ => tracing::debug!(?delivery, "mail job"),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_url_is_never_shown() {
        assert_eq!(
            redact("smtps://mailer:s3cret@mail.example.org:465"),
            "smtps://mailer:…@mail.example.org:465"
        );
        assert_eq!(redact("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    }

    #[test]
    fn bad_settings_say_which_is_wrong() {
        let e = SmtpMailer::new("smtp://127.0.0.1:2525", "not an address").unwrap_err();
        assert!(e.starts_with("mail_from"), "{e}");
        let e = SmtpMailer::new("gopher://x:y@host", "a@b.org").unwrap_err();
        assert!(e.starts_with("smtp_url gopher://x:…@host"), "{e}");
    }
}
