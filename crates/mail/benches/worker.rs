//! The mail worker's throughput: MAILS queued mails (default 10,000) sent to a local SMTP
//! sink by two instances on one database (each with its senders), timed until every mail
//! is sent; then checks that the sink got each mail once. `SENDERS` (default: the
//! worker's) per instance.
//! `cargo bench -p trellis-mail --bench worker [-- MAILS]`; `DATABASE=postgres://…` (an
//! empty database) runs it on PostgreSQL, a temporary SQLite file otherwise.

use std::sync::Arc;
use std::time::{Duration, Instant};
use trellis_core::mail::{MailStore, Mailer, OutgoingMail, message_id};
use trellis_mail::testing::SmtpSink;
use trellis_mail::{MailRunner, SmtpMailer, WorkerOptions, spawn_worker};
use trellis_store::{SqlStore, StoreOptions};

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let mails: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let url = std::env::var("DATABASE")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("mail.db").display()));
    let open = || async {
        let mut options = StoreOptions::new(url.clone());
        options.migrate = true;
        Arc::new(
            SqlStore::connect(&options)
                .await
                .expect("open the database"),
        )
    };
    let a = open().await;
    let b = open().await;
    let sink = SmtpSink::start(0).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let queued = Instant::now();
    for i in 0..mails {
        let key = format!("bench {i}");
        a.queue_mail_now(
            &OutgoingMail {
                message_id: message_id(&key, "bench.example.org"),
                key,
                person: None,
                to_address: format!("person{i}@bench.example.org"),
                to_name: format!("Person {i}"),
                subject: "Your weekly summary".into(),
                text: "Three things happened.\n".repeat(20),
                html: "<p>Three things happened.</p>".repeat(20),
            },
            now,
        )
        .await
        .unwrap();
    }
    println!(
        "queued {mails} mails in {:.1} s ({})",
        queued.elapsed().as_secs_f64(),
        url.split("://").next().unwrap_or("")
    );
    let senders: usize = std::env::var("SENDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(WorkerOptions::default().senders);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (name, store) in [("a", a.clone()), ("b", b.clone())] {
        let mailer: Arc<dyn Mailer> =
            Arc::new(SmtpMailer::new(&sink.url(), "people@bench.example.org").unwrap());
        let runner = Arc::new(MailRunner { store, mailer });
        let options = WorkerOptions {
            name: name.into(),
            senders,
            idle: Duration::from_millis(100),
        };
        tasks.extend(spawn_worker(runner, options, stopped.clone()));
    }
    loop {
        let counts = a.mail_counts().await.unwrap();
        if counts.sent as usize >= mails {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "stuck at {counts:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seconds = started.elapsed().as_secs_f64();
    stop.send(true).unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let got = sink.received();
    let mut ids: Vec<String> = got.iter().filter_map(|m| m.header("Message-ID")).collect();
    ids.sort();
    ids.dedup();
    println!(
        "sent {mails} mails with two instances ({senders} senders each) in {seconds:.1} s: {:.0} a second; \
         the sink received {} mails, {} distinct, {} duplicates",
        mails as f64 / seconds,
        got.len(),
        ids.len(),
        got.len() - ids.len()
    );
    assert_eq!(ids.len(), mails, "every mail arrived");
}
