//! The home page says what is waiting for each person, with links where it is done: a
//! member's own work and notifications, a manager's approvals and reviews, an admin's
//! imports waiting, people without an account and undelivered mail.

use crate::common::{self, PASSWORD, TestApp, hidden_value};
use axum::http::{Method, StatusCode};
use serde_json::json;
use trellis_core::mail::{MailStore, OutgoingMail, message_id};
use trellis_core::store::prelude::PersonStore;
use trellis_store::backend_tests;

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

backend_tests!(home_lists_next_actions_for_a_member_a_manager_and_an_admin);
async fn home_lists_next_actions_for_a_member_a_manager_and_an_admin(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let rep = app
        .sign_in("rep@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let page = app.get_page("/", Some(&rep)).await.text();
    assert!(page.contains("Nothing is waiting"), "{backend}: {page}");

    // Dana: work due today, and a notification (her manager moved a date).
    let mgr = app.token("mgr@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&mgr),
            Some(json!({"title": "Fix the login bug", "owner_id": dev, "due_date": today(), "effort_hours": 2})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let dana = app
        .sign_in("dev@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let page = app.get_page("/", Some(&dana)).await.text();
    assert!(
        page.contains("<a href=\"/plate\">1 commitment due this week</a>"),
        "{page}"
    );
    assert!(!page.contains("Nothing is waiting"));

    // Max manages Dana and Devi: neither has a career plan reviewed.
    let max = app
        .sign_in("mgr@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let page = app.get_page("/", Some(&max)).await.text();
    assert!(
        page.contains("2 career plans of your reports are due for a review together"),
        "{backend}: {page}"
    );
    assert!(page.contains(&format!("href=\"/people/{dev}/career\"")) || page.contains("/career\""));

    // Hana (admin): a new person without an account and a mail that failed.
    let hr_token = app.token("hr@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/people",
            Some(&hr_token),
            Some(json!({"name": "Nia New", "email": "nia@acme.test"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let mail = OutgoingMail {
        key: "failed".into(),
        message_id: message_id("failed", "acme.test"),
        person: None,
        to_address: "gone@acme.test".into(),
        to_name: "Gone".into(),
        subject: "x".into(),
        text: "x".into(),
        html: "x".into(),
    };
    let id = app.store.queue_mail_now(&mail, 1).await.unwrap().unwrap();
    app.store
        .record_attempt(id, 2, Err(("550 no such user", true)))
        .await
        .unwrap();
    let hana = app.sign_in("hr@acme.test", common::PASSWORD).await.unwrap();
    let page = app.get_page("/", Some(&hana)).await.text();
    assert!(
        page.contains("<a href=\"/admin/accounts\">1 person cannot sign in yet: invite them</a>"),
        "{backend}: {page}"
    );
    assert!(page.contains("1 e-mail could not be delivered"), "{page}");
    // Others see none of the admin's lines.
    let page = app.get_page("/", Some(&max)).await.text();
    assert!(!page.contains("cannot sign in yet"));
}

backend_tests!(an_admins_unapplied_import_waits_on_their_home_page_until_applied_or_discarded);
async fn an_admins_unapplied_import_waits_on_their_home_page_until_applied_or_discarded(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    let good = "Email,Name,Manager Email\nnew@acme.test,New Person,mgr@acme.test\n";
    let r = app.send(crate::pages::multipart(&hr, good, false)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let upload = hidden_value(&r.text(), "upload");

    // The admin walks away; home says what waits and links to the preview.
    let home = app.get_page("/", Some(&hr)).await.text();
    let line = "Your import of hris.csv waits for you to check and apply it";
    assert!(home.contains(line), "{home}");
    let link = format!("/admin/import/waiting/{upload}");
    assert!(home.contains(&link), "{home}");
    let listed = app.get_page("/admin/import", Some(&hr)).await.text();
    assert!(
        listed.contains("Waiting for you to apply") && listed.contains(&link),
        "{listed}"
    );

    // Another admin neither sees it nor opens it.
    let ceo = app
        .store
        .person_id_by_email("ceo@acme.test")
        .await
        .unwrap()
        .unwrap();
    sqlx::query("UPDATE accounts SET is_admin = 1 WHERE person_id = $1")
        .bind(ceo.0)
        .execute(app.store.pool())
        .await
        .unwrap();
    let other = app.sign_in("ceo@acme.test", PASSWORD).await.unwrap();
    assert!(!app.get_page("/", Some(&other)).await.text().contains(line));
    let r = app.get_page(&link, Some(&other)).await;
    assert_eq!(r.status, StatusCode::GONE, "an upload belongs to its admin");

    // Reopened, the preview applies.
    let preview = app.get_page(&link, Some(&hr)).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    assert!(
        preview.text().contains("<strong>1</strong>to add"),
        "{}",
        preview.text()
    );
    assert_eq!(hidden_value(&preview.text(), "upload"), upload);
    let r = app
        .post_form(
            "/admin/import/commit",
            Some(&hr),
            None,
            &[("csrf", &hr.csrf), ("upload", &upload)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(!app.get_page("/", Some(&hr)).await.text().contains(line));

    // Another upload, discarded, leaves nothing waiting and nothing written.
    let more = "Email,Name,Manager Email\nmore@acme.test,More Person,mgr@acme.test\n";
    let r = app.send(crate::pages::multipart(&hr, more, false)).await;
    let upload = hidden_value(&r.text(), "upload");
    let r = app
        .post_form(
            "/admin/import/discard",
            Some(&hr),
            None,
            &[("csrf", &hr.csrf), ("upload", &upload)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        !app.get_page("/", Some(&hr))
            .await
            .text()
            .contains("waits for you to check")
    );
    assert!(
        app.store
            .person_id_by_email("more@acme.test")
            .await
            .unwrap()
            .is_none()
    );
    let gone = app
        .get_page(&format!("/admin/import/waiting/{upload}"), Some(&hr))
        .await;
    assert_eq!(gone.status, StatusCode::GONE);
}
