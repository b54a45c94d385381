//! Mail delivery over real SMTP (the sink in `trellis_mail::testing`), on both backends:
//! each mail once, retried after a refusal, sent by exactly one of two instances, and sent
//! again — never lost — when a sender stopped mid-send.

use std::sync::Arc;
use std::time::Duration;
use trellis_core::mail::{
    Delivery, MailStore, Mailer, OutgoingMail, backoff_seconds, deliver_next, message_id,
};
use trellis_core::store::prelude::*;
use trellis_mail::testing::SmtpSink;
use trellis_mail::{SmtpMailer, WorkerOptions, spawn_worker};
use trellis_store::backend_tests;
use trellis_store::testing::TestDatabase;

fn mail(key: &str, to: &str) -> OutgoingMail {
    OutgoingMail {
        key: key.into(),
        message_id: message_id(key, "people.example.org"),
        person: None,
        to_address: to.into(),
        to_name: "Ada Lovelace, R&D".into(),
        subject: "You are invited to Trellis".into(),
        text: format!("Set your password: https://people.example.org/welcome/{key}\n"),
        html: format!(
            "<p>Set your password: <a href=\"https://people.example.org/welcome/{key}\">here</a></p>"
        ),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

backend_tests!(a_queued_mail_arrives_once_with_both_parts_and_its_message_id);
async fn a_queued_mail_arrives_once_with_both_parts_and_its_message_id(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let sink = SmtpSink::start(0).await;
    let mailer = SmtpMailer::new(&sink.url(), "Acme People <people@acme.test>").unwrap();
    let at = now();
    let first = store
        .queue_mail_now(&mail("k1", "ada@acme.test"), at)
        .await
        .unwrap();
    assert!(first.is_some());
    assert_eq!(
        store
            .queue_mail_now(&mail("k1", "ada@acme.test"), at)
            .await
            .unwrap(),
        None,
        "{backend}: the same key is queued once"
    );
    let ran = trellis_mail::drain(&store, &mailer, "w").await;
    assert_eq!(ran, 1, "{backend}");
    let got = sink.received();
    assert_eq!(got.len(), 1, "{backend}");
    let m = &got[0];
    assert_eq!(
        (m.from.as_str(), m.to.as_slice()),
        ("people@acme.test", &["ada@acme.test".to_string()][..])
    );
    assert_eq!(
        m.header("Message-ID"),
        Some(message_id("k1", "people.example.org"))
    );
    assert_eq!(
        m.header("Subject").as_deref(),
        Some("You are invited to Trellis")
    );
    // The name, with its comma, encoded as RFC 2047 asks.
    assert_eq!(
        m.header("To").as_deref(),
        Some("=?utf-8?b?QWRhIExvdmVsYWNlLCBSJkQ=?= <ada@acme.test>")
    );
    assert!(m.data.contains("text/plain") && m.data.contains("text/html"));
    assert_eq!(
        m.link_containing("/welcome/").as_deref(),
        Some("https://people.example.org/welcome/k1")
    );
    let kept = store.mail(first.unwrap()).await.unwrap().unwrap();
    assert!(
        kept.sent_at.is_some() && kept.last_error.is_none(),
        "{kept:?}"
    );
    assert_eq!(store.mail_counts().await.unwrap().sent, 1);
    assert_eq!(
        trellis_mail::drain(&store, &mailer, "w").await,
        0,
        "nothing is left"
    );
}

backend_tests!(a_refused_mail_is_retried_after_its_backoff_and_sent_once);
async fn a_refused_mail_is_retried_after_its_backoff_and_sent_once(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let sink = SmtpSink::start(1).await;
    let mailer = SmtpMailer::new(&sink.url(), "people@acme.test").unwrap();
    let at = now();
    let id = store
        .queue_mail_now(&mail("k2", "bob@acme.test"), at)
        .await
        .unwrap()
        .unwrap();
    let first = deliver_next(&store, &mailer, "w", at)
        .await
        .unwrap()
        .unwrap();
    let Delivery::Retrying { error, .. } = first else {
        panic!("{backend}: {first:?}")
    };
    assert!(error.contains("451"), "{error}");
    let kept = store.mail(id).await.unwrap().unwrap();
    assert_eq!(kept.attempts, 1);
    assert!(
        kept.last_error
            .as_deref()
            .unwrap()
            .contains("Try again later")
    );
    assert_eq!(store.mail_counts().await.unwrap().queued, 1);
    assert_eq!(
        deliver_next(&store, &mailer, "w", at + backoff_seconds(1) - 1)
            .await
            .unwrap(),
        None,
        "{backend}: not before its backoff"
    );
    let second = deliver_next(&store, &mailer, "w", at + backoff_seconds(1))
        .await
        .unwrap();
    assert_eq!(second, Some(Delivery::Sent(id)), "{backend}");
    assert_eq!((sink.refused(), sink.received().len()), (1, 1));
}

backend_tests!(an_unreachable_server_keeps_the_mail_queued_with_the_reason);
async fn an_unreachable_server_keeps_the_mail_queued_with_the_reason(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mailer = SmtpMailer::new(&format!("smtp://127.0.0.1:{port}"), "people@acme.test").unwrap();
    let id = store
        .queue_mail_now(&mail("k3", "cy@acme.test"), now())
        .await
        .unwrap()
        .unwrap();
    let d = deliver_next(&store, &mailer, "w", now())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(d, Delivery::Retrying { .. }), "{backend}: {d:?}");
    let kept = store.mail(id).await.unwrap().unwrap();
    assert!(kept.sent_at.is_none() && kept.failed_at.is_none());
    assert!(!kept.last_error.unwrap_or_default().is_empty());
}

backend_tests!(multi_thread: two_instances_send_each_of_a_thousand_mails_once);
async fn two_instances_send_each_of_a_thousand_mails_once(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let a: Arc<trellis_store::SqlStore> = Arc::new(db.store().await);
    let b: Arc<trellis_store::SqlStore> = Arc::new(db.store().await);
    let sink = SmtpSink::start(0).await;
    let at = now();
    for i in 0..1000 {
        a.queue_mail_now(&mail(&format!("bulk {i}"), &format!("p{i}@acme.test")), at)
            .await
            .unwrap();
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for (name, store) in [("a", a.clone()), ("b", b.clone())] {
        let mailer: Arc<dyn Mailer> =
            Arc::new(SmtpMailer::new(&sink.url(), "people@acme.test").unwrap());
        let options = WorkerOptions {
            name: name.into(),
            senders: 3,
            idle: Duration::from_millis(50),
        };
        let runner = Arc::new(trellis_mail::MailRunner { store, mailer });
        tasks.extend(spawn_worker(runner, options, stopped.clone()));
    }
    for _ in 0..600 {
        if a.mail_counts().await.unwrap().sent == 1000 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.send(true).unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let got = sink.received();
    let mut ids: Vec<String> = got
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(
        (got.len(), ids.len()),
        (1000, 1000),
        "{backend}: each mail once"
    );
}

backend_tests!(a_sender_stopped_mid_send_loses_no_mail);
async fn a_sender_stopped_mid_send_loses_no_mail(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let sink = SmtpSink::start(0).await;
    let mailer = SmtpMailer::new(&sink.url(), "people@acme.test").unwrap();
    let at = now();
    for key in ["before", "during", "after"] {
        store
            .queue_mail_now(&mail(key, "dee@acme.test"), at)
            .await
            .unwrap();
    }
    // The first sender claims two jobs and stops: the first before sending, the second
    // after the server accepted its mail but before it was marked sent.
    let held = store.claim_job("killed", at, 45).await.unwrap().unwrap();
    let sent_unmarked = store.claim_job("killed", at, 45).await.unwrap().unwrap();
    let unmarked = store
        .mail(sent_unmarked.payload.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    mailer.send(&unmarked).await.unwrap();
    // Within the lease nobody else sends them; the third mail goes out.
    assert_eq!(trellis_mail::drain(&store, &mailer, "other").await, 1);
    // After the lease, another sender takes both over.
    let later = at + 46;
    let mut settled = 0;
    while deliver_next(&store, &mailer, "other", later)
        .await
        .unwrap()
        .is_some()
    {
        settled += 1;
    }
    assert_eq!(settled, 2, "{backend}: {held:?}");
    let got = sink.received();
    let keys: Vec<String> = got
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    for key in ["before", "during", "after"] {
        assert!(
            keys.contains(&message_id(key, "people.example.org")),
            "{backend}: {key} was lost"
        );
    }
    assert_eq!(
        got.len(),
        4,
        "{backend}: only the mail sent at the stop went twice"
    );
    assert_eq!(store.mail_counts().await.unwrap().sent, 3);
}
