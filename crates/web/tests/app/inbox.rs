//! The notification centre: each person sees and opens only their own notifications,
//! the bell counts the unread, and the worker e-mails each as its person chose — at once,
//! in the morning's summary, or not at all — over real SMTP.

use crate::common::{self, TestApp};
use axum::http::{Method, StatusCode, header};
use serde_json::json;
use std::sync::Arc;
use trellis_core::inbox::{Runner, next_morning};
use trellis_core::jobs::JobRunner;
use trellis_core::mail::Site;
use trellis_core::store::prelude::*;
use trellis_mail::SmtpMailer;
use trellis_mail::testing::SmtpSink;
use trellis_store::backend_tests;

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset + 1)).to_string()
}

/// The manager hands Dana's work to Devi: Devi is told she has it, Dana that it went.
async fn hand_over(app: &TestApp) -> i64 {
    let mgr = app.token("mgr@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let dev2 = app.id("dev2@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&mgr),
            Some(json!({"title": "Ship the importer", "owner_id": dev, "due_date": day(5), "effort_hours": 4})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{id}/reassign"),
            Some(&mgr),
            Some(json!({"owner_id": dev2})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    id
}

fn runner(app: &TestApp, sink: &SmtpSink) -> Runner {
    Runner {
        store: app.store.clone(),
        mailer: Arc::new(SmtpMailer::new(&sink.url(), "people@acme.test").unwrap()),
        site: Site::new("https://people.acme.test"),
    }
}

async fn run_all(runner: &Runner, at: i64) -> usize {
    let mut ran = 0;
    while runner.run_next("test", at).await.unwrap().is_some() {
        ran += 1;
    }
    ran
}

backend_tests!(each_person_reads_and_opens_only_their_own_notifications);
async fn each_person_reads_and_opens_only_their_own_notifications(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let commitment = hand_over(&app).await;
    let devi = app
        .sign_in("dev2@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let dana = app
        .sign_in("dev@acme.test", common::PASSWORD)
        .await
        .unwrap();

    let home = app.get_page("/", Some(&devi)).await.text();
    assert!(
        home.contains("<span class=\"count\">1</span>"),
        "{backend}: the bell counts one"
    );
    let page = app.get_page("/notifications", Some(&devi)).await.text();
    assert!(
        page.contains("Max Manager handed you \u{201c}Ship the importer\u{201d}"),
        "{page}"
    );
    let dana_page = app.get_page("/notifications", Some(&dana)).await.text();
    assert!(
        dana_page.contains("Max Manager handed \u{201c}Ship the importer\u{201d} to Devi Dev."),
        "{dana_page}"
    );
    assert!(!dana_page.contains("handed you"), "{backend}: not Devi's");

    let devi_token = app.token("dev2@acme.test").await;
    let dana_token = app.token("dev@acme.test").await;
    let list = app
        .api(
            Method::GET,
            "/api/v1/notifications",
            Some(&devi_token),
            None,
        )
        .await
        .json();
    assert_eq!(list["unread"], 1);
    assert_eq!(list["notifications"][0]["topic"], "work_reassigned");
    let id = list["notifications"][0]["id"].as_i64().unwrap();
    // Dana can neither open nor mark Devi's.
    let r = app
        .post_form(
            &format!("/notifications/{id}/open"),
            Some(&dana),
            None,
            &[("csrf", &dana.csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/notifications/{id}/read"),
            Some(&dana_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
    // Devi opens hers: it is read and leads to the work.
    let r = app
        .post_form(
            &format!("/notifications/{id}/open"),
            Some(&devi),
            None,
            &[("csrf", &devi.csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers[header::LOCATION],
        format!("/commitments/{commitment}")
    );
    let home = app.get_page("/", Some(&devi)).await.text();
    assert!(
        !home.contains("class=\"count\""),
        "{backend}: nothing unread"
    );
    let r = app
        .api(
            Method::POST,
            "/api/v1/notifications/read-all",
            Some(&dana_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let list = app
        .api(
            Method::GET,
            "/api/v1/notifications",
            Some(&dana_token),
            None,
        )
        .await
        .json();
    assert_eq!(list["unread"], 0);
}

backend_tests!(notifications_are_mailed_at_once_in_the_morning_or_never_as_chosen);
async fn notifications_are_mailed_at_once_in_the_morning_or_never_as_chosen(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let sink = SmtpSink::start(0).await;
    let devi = app
        .sign_in("dev2@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let dana = app.token("dev@acme.test").await;
    // Devi wants work handed to her in the daily summary; Dana never wants to hear by
    // mail that work left her.
    let r = app
        .post_form(
            "/notifications/preferences",
            Some(&devi),
            None,
            &[("csrf", &devi.csrf), ("work_reassigned", "daily")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = app
        .api(
            Method::PUT,
            "/api/v1/notifications/preferences",
            Some(&dana),
            Some(json!({"topics": {"work_taken_away": "never"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["topics"]["work_taken_away"], "never");
    assert_eq!(r.json()["topics"]["due_date_moved"], "immediately");
    let r = app
        .api(
            Method::PUT,
            "/api/v1/notifications/preferences",
            Some(&dana),
            Some(json!({"topics": {"birthdays": "never", "due_date_moved": "hourly"}})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());

    hand_over(&app).await;
    let runner = runner(&app, &sink);
    let now = trellis_web::now();
    run_all(&runner, now).await;
    assert!(sink.received().is_empty(), "{backend}: nothing at once");
    // The next morning the summary goes, once.
    let morning = next_morning(None, now);
    run_all(&runner, morning).await;
    run_all(&runner, morning + 60).await;
    let got = sink.received();
    assert_eq!(got.len(), 1, "{backend}");
    assert_eq!(got[0].to, ["dev2@acme.test"]);
    assert_eq!(
        got[0].header("Subject").as_deref(),
        Some("1 new notification in Trellis at Our organisation")
    );
    assert!(
        got[0]
            .readable()
            .contains("https://people.acme.test/commitments/")
    );

    // At once: a due date Dana's manager moves.
    let mgr = app.token("mgr@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&mgr),
            Some(json!({"title": "Write the guide", "owner_id": dev, "due_date": day(5), "effort_hours": 2})),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{id}/renegotiate"),
            Some(&mgr),
            Some(json!({"due_date": day(9)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    run_all(&runner, trellis_web::now()).await;
    let got = sink.received();
    assert_eq!(got.len(), 2, "{backend}");
    assert_eq!(got[1].to, ["dev@acme.test"]);
    assert!(
        got[1]
            .header("Subject")
            .unwrap()
            .starts_with("Max Manager moved"),
        "{:?}",
        got[1].header("Subject")
    );
    assert!(
        got[1]
            .link_containing(&format!("/commitments/{id}"))
            .is_some()
    );
}

backend_tests!(the_organisation_defaults_are_an_admin_s_and_yield_to_a_person_s_own);
async fn the_organisation_defaults_are_an_admin_s_and_yield_to_a_person_s_own(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.sign_in("hr@acme.test", common::PASSWORD).await.unwrap();
    let dev = app
        .sign_in("dev@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let r = app
        .post_form(
            "/admin/notifications",
            Some(&dev),
            None,
            &[("csrf", &dev.csrf), ("work_reassigned", "never")],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
    let r = app
        .post_form(
            "/admin/notifications",
            Some(&hr),
            None,
            &[
                ("csrf", &hr.csrf),
                ("work_reassigned", "daily"),
                ("due_date_moved", "never"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let token = app.token("dev@acme.test").await;
    app.api(
        Method::PUT,
        "/api/v1/notifications/preferences",
        Some(&token),
        Some(json!({"topics": {"due_date_moved": "immediately"}})),
    )
    .await;
    let mine = app
        .api(
            Method::GET,
            "/api/v1/notifications/preferences",
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(
        mine["topics"]["work_reassigned"], "daily",
        "{backend}: the default"
    );
    assert_eq!(
        mine["topics"]["due_date_moved"], "immediately",
        "{backend}: their own"
    );
    let page = app
        .get_page("/notifications/preferences", Some(&dev))
        .await
        .text();
    assert!(page.contains("(default)"), "{page}");
}

backend_tests!(the_other_people_admins_are_told_of_an_applied_import);
async fn the_other_people_admins_are_told_of_an_applied_import(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let ceo = app.id("ceo@acme.test").await;
    sqlx::query("UPDATE accounts SET is_admin = 1 WHERE person_id = $1")
        .bind(ceo)
        .execute(app.store.pool())
        .await
        .unwrap();
    let hr = app.token("hr@acme.test").await;
    let r = app
        .send(
            axum::http::Request::builder()
                .method(Method::POST)
                .uri("/api/v1/imports/people?file_name=hris.csv")
                .header(header::AUTHORIZATION, format!("Bearer {hr}"))
                .header(header::CONTENT_TYPE, "text/csv")
                .body(axum::body::Body::from(
                    "Email,Name,Manager Email\nnia@acme.test,Nia New,mgr@acme.test\n",
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let told = |who: i64| {
        let store = app.store.clone();
        async move {
            store
                .notifications_of(trellis_core::PersonId(who), 10)
                .await
                .unwrap()
        }
    };
    let ceo_told = told(ceo).await;
    assert_eq!(ceo_told.len(), 1, "{backend}");
    assert_eq!(ceo_told[0].note.topic.as_str(), "import_applied");
    assert_eq!(
        ceo_told[0].note.text,
        "Hana Hr imported hris.csv: 1 added, 0 updated, 0 marked as left."
    );
    assert_eq!(ceo_told[0].note.link, "/admin/audit");
    assert!(
        told(app.id("hr@acme.test").await).await.is_empty(),
        "not the importer"
    );
    assert!(
        told(app.id("mgr@acme.test").await).await.is_empty(),
        "not a member"
    );
}
