//! The weekly digest: each person's week as they may see it, sent once per person and week
//! over real SMTP however many instances queue it and restart, the tip aimed at the
//! manager's lowest-rated behaviour, and the tip library's bad input.

use crate::common::{self, TestApp, demo_app};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use trellis_core::digest::send::{WEEKLY_JOB, queue_due, send};
use trellis_core::digest::tips::{TipAudience, built_in};
use trellis_core::inbox::Runner;
use trellis_core::jobs::JobRunner;
use trellis_core::mail::Site;
use trellis_mail::SmtpMailer;
use trellis_mail::testing::SmtpSink;
use trellis_store::backend_tests;

/// Noon UTC today: the week's digest is due everywhere the fixture's people are (UTC).
fn noon_today() -> i64 {
    chrono::Utc::now()
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

fn runner(store: Arc<dyn trellis_core::Store>, sink: &SmtpSink) -> Runner {
    Runner {
        store,
        mailer: Arc::new(SmtpMailer::new(&sink.url(), "people@acme.test").unwrap()),
        site: Site::new("https://people.acme.test"),
    }
}

backend_tests!(multi_thread: the_digest_goes_once_per_person_and_week_across_instances_and_restarts);
async fn the_digest_goes_once_per_person_and_week_across_instances_and_restarts(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let sink = SmtpSink::start(0).await;
    let now = noon_today();
    let max = app.token("mgr@acme.test").await;
    let dana = app.id("dev@acme.test").await;
    let today = chrono::Utc::now().date_naive().to_string();
    let r = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&max),
            Some(json!({"title": "Ship the importer", "owner_id": dana, "due_date": today, "effort_hours": 4})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    // Rita turns the Monday e-mail off.
    let rita = app.token("rep@acme.test").await;
    let r = app
        .api(
            Method::PUT,
            "/api/v1/me/digest/subscription",
            Some(&rita),
            Some(json!({"weekly_email": false})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // Two instances queue the week at the same moment; one restarts and queues again.
    let first: Arc<dyn trellis_core::Store> = app.store.clone();
    let second: Arc<dyn trellis_core::Store> = Arc::new(app.db.store().await);
    let (a, b) = tokio::join!(
        queue_due(first.as_ref(), now),
        queue_due(second.as_ref(), now)
    );
    let queued = a.unwrap() + b.unwrap();
    assert!(queued >= 6, "{backend}: {queued}");
    let restarted: Arc<dyn trellis_core::Store> = Arc::new(app.db.store().await);
    assert_eq!(queue_due(restarted.as_ref(), now + 3600).await.unwrap(), 0);

    // A worker writes one digest's mail and dies before it can say so: its lease runs out
    // and another worker runs the job again.
    let job = first
        .claim_job_of(WEEKLY_JOB, "crashed", now, 60)
        .await
        .unwrap()
        .unwrap();
    let site = Site::new("https://people.acme.test");
    let said = send(first.as_ref(), &site, &job.payload, now)
        .await
        .unwrap();
    assert!(said.ends_with("queued"), "{said}");
    let later = now + 120;

    // Both instances' workers send what is queued.
    let (one, two) = (runner(first, &sink), runner(second, &sink));
    let mut ran = 0;
    loop {
        let (x, y) = tokio::join!(one.run_next("a", later), two.run_next("b", later));
        let done = [x.unwrap(), y.unwrap()].iter().flatten().count();
        if done == 0 {
            break;
        }
        ran += done;
    }
    assert!(ran >= queued, "{ran} jobs for {queued} digests");
    for _ in 0..3 {
        one.run_next("a", later).await.unwrap();
    }
    let mails = sink.wait_for(queued).await;
    let mut per_person: HashMap<String, Vec<String>> = HashMap::new();
    for m in &mails {
        per_person
            .entry(m.to[0].clone())
            .or_default()
            .push(m.readable());
    }
    assert_eq!(mails.len(), queued, "{backend}: one mail per queued digest");
    assert!(per_person.values().all(|m| m.len() == 1), "{per_person:?}");
    assert!(
        !per_person.contains_key("rep@acme.test"),
        "Rita turned it off"
    );

    // What each role reads.
    let dana_mail = &per_person["dev@acme.test"][0];
    assert!(dana_mail.contains("Subject: Your week at"), "{dana_mail}");
    assert!(dana_mail.contains("Due this week:"), "{dana_mail}");
    assert!(
        dana_mail.contains("- Ship the importer (due"),
        "{dana_mail}"
    );
    assert!(
        dana_mail.contains("https://people.acme.test/digest"),
        "{dana_mail}"
    );
    let member_tips = built_in(TipAudience::Everyone);
    assert!(
        member_tips
            .iter()
            .any(|t| dana_mail.contains(&t.text[..40])),
        "a tip for everyone: {dana_mail}"
    );
    let max_mail = &per_person["mgr@acme.test"][0];
    assert!(
        !max_mail.contains("Ship the importer"),
        "Dana's work is hers: {max_mail}"
    );
    assert!(
        built_in(TipAudience::Managers)
            .iter()
            .any(|t| max_mail.contains(&t.text[..40])),
        "a manager's tip: {max_mail}"
    );
}

backend_tests!(the_tip_library_refuses_bad_input_and_the_page_turns_the_mail_off);
async fn the_tip_library_refuses_bad_input_and_the_page_turns_the_mail_off(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let dana = app.token("dev@acme.test").await;
    let tips = "/api/v1/digest/tips";
    let good = json!({"audience": "managers", "behaviour": "Removes obstacles",
        "text": "Ask what slowed the team down this week and remove one thing before Friday."});
    let r = app
        .api(Method::POST, tips, Some(&dana), Some(good.clone()))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app
        .api(
            Method::POST,
            tips,
            Some(&hr),
            Some(json!({"audience": "interns", "behaviour": "Juggles", "text": "Be nice"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let fields = r.field_errors();
    assert_eq!(
        fields,
        [
            "audience: choose managers or everyone",
            "text: write the tip: at least 20 characters"
        ]
    );
    let r = app
        .api(
            Method::POST,
            tips,
            Some(&hr),
            Some(json!({"audience": "everyone", "behaviour": "Removes obstacles", "text": good["text"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("choose one of the 360's behaviours: Delivers as promised"),
        "everyone's tips follow the peer 360: {}",
        r.text()
    );
    let all = app.api(Method::GET, tips, Some(&hr), None).await.json();
    assert_eq!(all["built_in"].as_array().unwrap().len(), 64);
    assert_eq!(all["own"], json!([]), "nothing written");

    let r = app.api(Method::POST, tips, Some(&hr), Some(good)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let all = app.api(Method::GET, tips, Some(&hr), None).await.json();
    assert_eq!(all["own"][0]["id"], id);
    assert_eq!(all["own"][0]["behaviour"], "Removes obstacles");
    let path = format!("{tips}/{id}");
    assert_eq!(
        app.api(Method::DELETE, &path, Some(&dana), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(Method::DELETE, &path, Some(&hr), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.api(Method::DELETE, &path, Some(&hr), None).await.status,
        StatusCode::NOT_FOUND
    );

    // Dana reads her week on the page and turns the e-mail off there.
    let session = app
        .sign_in("dev@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let page = app.get_page("/digest", Some(&session)).await.text();
    assert!(page.contains("<h1>Your week</h1>"), "{page}");
    assert!(page.contains("Tip of the week"), "{page}");
    assert!(page.contains("every Monday at 07:00"), "{page}");
    let r = app
        .post_form(
            "/digest/subscription",
            Some(&session),
            None,
            &[("csrf", &session.csrf), ("weekly_email", "off")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let me = app
        .api(Method::GET, "/api/v1/me/digest", Some(&dana), None)
        .await
        .json();
    assert_eq!(me["weekly_email"], false);
    let page = app.get_page("/digest", Some(&session)).await.text();
    assert!(page.contains("You do not get this by e-mail."), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_managers_tip_answers_the_lowest_behaviour_of_their_own_latest_360() {
    let (app, emails) = demo_app().await;
    let manager = app.token(&emails[1]).await;
    let mine = app
        .api(Method::GET, "/api/v1/assessments", Some(&manager), None)
        .await
        .json();
    let shared: Vec<&Value> = mine["about_me"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["state"] == "shared")
        .collect();
    let latest = shared
        .iter()
        .max_by_key(|a| (a["shared_at"].as_i64(), a["id"].as_i64()))
        .expect("the demo manager has a shared 360");
    let report = app
        .api(
            Method::GET,
            &format!("/api/v1/assessments/{}/report", latest["id"]),
            Some(&manager),
            None,
        )
        .await
        .json();
    let lowest = report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| {
            let all = l["figures"]
                .as_array()?
                .iter()
                .find(|f| f["group"] == "all")?;
            Some((
                all["score"].as_f64()?,
                l["behaviour"]["text"].as_str()?.to_string(),
            ))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, b)| b)
        .expect("a figure the manager may see");
    let digest = app
        .api(Method::GET, "/api/v1/me/digest", Some(&manager), None)
        .await
        .json();
    assert_eq!(digest["tip_for"], lowest.as_str(), "{digest}");
    assert_eq!(digest["tip"]["behaviour"], lowest.as_str());
    assert_eq!(digest["tip"]["audience"], "managers");
    // A member without a 360 gets the library in order, and sees only their own week.
    let member = app.token(&emails[2]).await;
    let theirs = app
        .api(Method::GET, "/api/v1/me/digest", Some(&member), None)
        .await
        .json();
    assert_eq!(theirs["tip"]["audience"], "everyone", "{theirs}");
    assert_ne!(theirs["name"], digest["name"]);
}
