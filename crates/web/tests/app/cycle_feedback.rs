//! A review cycle's feedback step and its dates: peers named by the reviewee and asked by
//! their manager (capped, declinable, warned when short of k), upward reviews from every
//! direct report, both shared with the cycle under the anonymity rule; named peer reviews;
//! steps that open on their days or when an admin opens them.

use crate::common::TestApp;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_store::backend_tests;

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

fn ratings(n: usize, rating: u8, comment: &str) -> Value {
    json!({"ratings": vec![Some(rating); n], "management_comment": comment})
}

fn cycle(feedback: Value, opens: Value) -> Value {
    json!({
        "name": "Winter",
        "scope": {"kind": "everyone"},
        "questions": [{"text": "How did they deliver?", "scale": ["Below", "Meets", "Above"]}],
        "manager_review_due": day(7),
        "share_on": day(8),
        "feedback": feedback,
        "opens": opens
    })
}

/// Creates and launches a cycle as the people admin; the launch's answer.
async fn launch(app: &TestApp, hr: &str, body: Value) -> (i64, Value) {
    let r = app
        .api(Method::POST, "/api/v1/review-cycles", Some(hr), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/review-cycles/{id}/launch"),
            Some(hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (id, r.json())
}

/// The reviewee's feedback 360 of a kind, found from their review.
async fn feedback_of(app: &TestApp, token: &str, kind: &str) -> Option<i64> {
    let mine = app
        .api(Method::GET, "/api/v1/reviews", Some(token), None)
        .await
        .json();
    let review = mine["mine"][0]["review"]["id"].as_i64().unwrap();
    let view = app
        .api(
            Method::GET,
            &format!("/api/v1/reviews/{review}"),
            Some(token),
            None,
        )
        .await
        .json();
    view["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind)
        .map(|f| f["assessment"].as_i64().unwrap())
}

async fn nominate(app: &TestApp, token: &str, id: i64, email: &str) -> crate::common::Response {
    app.api(
        Method::POST,
        &format!("/api/v1/assessments/{id}/nominations"),
        Some(token),
        Some(json!({"group": "peers", "email": email})),
    )
    .await
}

async fn decide(app: &TestApp, token: &str, id: i64, person: i64, approve: bool) -> StatusCode {
    app.api(
        Method::POST,
        &format!("/api/v1/assessments/{id}/nominations/{person}/decision"),
        Some(token),
        Some(json!({"approve": approve})),
    )
    .await
    .status
}

async fn answer(app: &TestApp, email: &str, id: i64, body: Value) -> crate::common::Response {
    let token = app.token(email).await;
    app.api(
        Method::PUT,
        &format!("/api/v1/assessments/{id}/answer"),
        Some(&token),
        Some(body),
    )
    .await
}

backend_tests!(a_cycle_asks_peers_and_reports_and_shares_their_reviews_under_the_rule);
async fn a_cycle_asks_peers_and_reports_and_shares_their_reviews_under_the_rule(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let feedback = json!({"peers": "anonymous", "upward": true, "max_peers": 4,
        "nominations_due": day(2), "feedback_due": day(5)});

    // Bad input: feedback due after the manager review, too many peers; nothing written.
    let mut bad = feedback.clone();
    bad["feedback_due"] = json!(day(9));
    bad["max_peers"] = json!(20);
    let r = app
        .api(
            Method::POST,
            "/api/v1/review-cycles",
            Some(&hr),
            Some(cycle(bad, json!({}))),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(
        text.contains("feedback.feedback_due")
            && text.contains("on or before the manager review")
            && text.contains("ask 1 to 12 peers per person, not 20"),
        "{text}"
    );
    let listed = app
        .api(Method::GET, "/api/v1/review-cycles", Some(&hr), None)
        .await
        .json();
    assert_eq!(listed, json!([]));

    // Eight reviews and eight peer 360s; upward reviews only for Cleo, the one manager
    // with k = 3 direct reports (Erin, Sam and Hana).
    let (cycle_id, launched) = launch(&app, &hr, cycle(feedback, json!({}))).await;
    assert_eq!(launched["reviews"], 8, "{launched}");
    assert_eq!(launched["feedback"], 9, "{launched}");
    assert!(
        launched["warnings"][0]
            .as_str()
            .unwrap()
            .contains("3 managers have fewer than 3 direct reports"),
        "{launched}"
    );

    // Dana proposes peers: never herself, at most 4, warned while short of k.
    let dana = app.token("dev@acme.test").await;
    let max = app.token("mgr@acme.test").await;
    let peer = feedback_of(&app, &dana, "peer").await.unwrap();
    assert_eq!(feedback_of(&app, &dana, "upward").await, None);
    let r = nominate(&app, &dana, peer, "dev@acme.test").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = nominate(&app, &dana, peer, "dev2@acme.test").await;
    assert_eq!(r.json()["status"], "proposed", "{}", r.text());
    assert!(
        r.json()["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Peers: 1 named, fewer than 3"),
        "{}",
        r.text()
    );
    for (email, short) in [
        ("rep@acme.test", true),
        ("ceo@acme.test", false),
        ("sales.head@acme.test", false),
    ] {
        let r = nominate(&app, &dana, peer, email).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["warnings"] != json!([]), short, "{}", r.text());
    }
    let r = nominate(&app, &dana, peer, "eng.head@acme.test").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("has 4 raters already"), "{}", r.text());
    // Cleo cannot name her own report as a peer: Erin reviews her upward.
    let cleo = app.token("ceo@acme.test").await;
    let cleo_peer = feedback_of(&app, &cleo, "peer").await.unwrap();
    let r = nominate(&app, &cleo, cleo_peer, "eng.head@acme.test").await;
    assert!(r.text().contains("gives an upward review"), "{}", r.text());

    // Max asks three and not Sam; Devi declines; so Max asks Erin himself.
    let (devi_id, rita_id, cleo_id, sam_id) = (
        app.id("dev2@acme.test").await,
        app.id("rep@acme.test").await,
        app.id("ceo@acme.test").await,
        app.id("sales.head@acme.test").await,
    );
    assert_eq!(
        decide(&app, &dana, peer, rita_id, true).await,
        StatusCode::FORBIDDEN
    );
    for (who, yes) in [
        (devi_id, true),
        (rita_id, true),
        (cleo_id, true),
        (sam_id, false),
    ] {
        assert_eq!(
            decide(&app, &max, peer, who, yes).await,
            StatusCode::NO_CONTENT
        );
    }
    let devi = app.token("dev2@acme.test").await;
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/assessments/{peer}/decline"),
            Some(&devi),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let view = app
        .api(
            Method::GET,
            &format!("/api/v1/assessments/{peer}"),
            Some(&dana),
            None,
        )
        .await
        .json();
    assert!(
        view["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Peers: 2 named, fewer than 3"),
        "{view}"
    );
    let r = nominate(&app, &max, peer, "eng.head@acme.test").await;
    assert_eq!(r.json()["status"], "asked", "{}", r.text());

    // The progress page counts the step.
    let progress = app
        .api(
            Method::GET,
            &format!("/api/v1/review-cycles/{cycle_id}"),
            Some(&hr),
            None,
        )
        .await
        .json();
    assert_eq!(progress["feedback"]["peers_asked"], 3, "{progress}");
    assert_eq!(progress["feedback"]["upward_asked"], 3, "{progress}");

    // "Remind everyone incomplete" reaches the peer and upward reviewers too; the
    // worker reminds them the day before the deadline, once.
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/review-cycles/{cycle_id}/remind"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rita = app.token("rep@acme.test").await;
    let notes = app
        .api(Method::GET, "/api/v1/notifications", Some(&rita), None)
        .await
        .text();
    assert!(
        notes.contains("A reminder: your peer review of Dana Dev in Winter is due on"),
        "{notes}"
    );
    let at = |days: i64| (chrono::Utc::now() + chrono::Duration::days(days)).timestamp();
    let store = app.store.as_ref();
    use trellis_core::reviews::reminders::send_due;
    send_due(store, at(4)).await.unwrap();
    let notes = app
        .api(Method::GET, "/api/v1/notifications", Some(&rita), None)
        .await
        .text();
    assert!(
        notes.contains("Your peer review of Dana Dev in Winter is due in 1 day"),
        "{notes}"
    );

    // An admin gives Dana's peer reviewers two more days; never before the deadline.
    let mine = app
        .api(Method::GET, "/api/v1/reviews", Some(&dana), None)
        .await
        .json();
    let review = mine["mine"][0]["review"]["id"].as_i64().unwrap();
    let extend = |until: String| {
        let app = &app;
        let hr = hr.clone();
        async move {
            app.api(
                Method::POST,
                &format!("/api/v1/reviews/{review}/extension"),
                Some(&hr),
                Some(json!({"step": "feedback", "until": until})),
            )
            .await
        }
    };
    assert_eq!(
        extend(day(3)).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = extend(day(7)).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let view = app
        .api(
            Method::GET,
            &format!("/api/v1/assessments/{peer}"),
            Some(&dana),
            None,
        )
        .await
        .json();
    assert_eq!(view["assessment"]["due_on"], day(7), "{view}");

    // Peers answer; Dana cannot answer her own; two of Cleo's three reports answer.
    for (email, comment) in [
        ("rep@acme.test", "Always ships"),
        ("ceo@acme.test", ""),
        ("eng.head@acme.test", "Teaches SQL"),
    ] {
        let r = answer(&app, email, peer, ratings(6, 4, comment)).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    }
    let r = answer(&app, "dev@acme.test", peer, ratings(6, 5, "")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let upward = feedback_of(&app, &cleo, "upward").await.unwrap();
    for email in ["eng.head@acme.test", "hr@acme.test"] {
        let r = answer(&app, email, upward, ratings(12, 2, "Too busy for us")).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    }
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/assessments/{peer}/share"),
            Some(&max),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "shared with the cycle only");
    let report = format!("/api/v1/assessments/{peer}/report");
    assert_eq!(
        app.api(Method::GET, &report, Some(&dana), None)
            .await
            .status,
        StatusCode::CONFLICT
    );

    // Sharing the cycle shares both.
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/review-cycles/{cycle_id}/share"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app.api(Method::GET, &report, Some(&dana), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    assert_eq!(body["lines"][0]["figures"][0]["answers"], 3, "{body}");
    assert_eq!(body["lines"][0]["figures"][0]["score"], 4.0);
    let text = r.text();
    assert!(text.contains("Teaches SQL"), "{text}");
    for name in ["Rita Rep", "Erin Eng", "Cleo Ceo"] {
        assert!(!text.contains(name), "{name} in Dana's peer report");
    }
    // Cleo's upward reviews: two answers, below k: left out whole, comments too.
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/assessments/{upward}/report"),
            Some(&cleo),
            None,
        )
        .await;
    let text = r.text();
    assert!(!text.contains("Too busy for us"), "{text}");
    assert!(text.contains("left out whole"), "{text}");
    assert_eq!(r.json()["lines"][0]["figures"][0]["score"], Value::Null);
    // Max, Dana's manager, reads her peer report; Rita, a rater, does not.
    assert_eq!(
        app.api(Method::GET, &report, Some(&max), None).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.api(Method::GET, &report, Some(&rita), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    // Nothing in the database ties an anonymous answer to its author.
    let (named,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM assessment_answers a JOIN assessments s ON s.id = a.assessment_id \
         WHERE s.review_id IS NOT NULL AND a.rater_id IS NOT NULL",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(named, 0);
}

backend_tests!(named_peer_reviews_carry_their_authors_and_the_manager_names_the_peers);
async fn named_peer_reviews_carry_their_authors_and_the_manager_names_the_peers(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let (cycle_id, _) = launch(
        &app,
        &hr,
        cycle(
            json!({"peers": "named", "nominated_by": "manager", "max_peers": 2,
                "nominations_due": day(2), "feedback_due": day(5)}),
            json!({}),
        ),
    )
    .await;
    let dana = app.token("dev@acme.test").await;
    let max = app.token("mgr@acme.test").await;
    let peer = feedback_of(&app, &dana, "peer").await.unwrap();
    let r = nominate(&app, &dana, peer, "rep@acme.test").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.text().contains("names your peer reviewers"),
        "{}",
        r.text()
    );
    let r = nominate(&app, &max, peer, "rep@acme.test").await;
    assert_eq!(r.json()["status"], "asked", "{}", r.text());
    assert_eq!(
        r.json()["warnings"],
        json!([]),
        "named peers need no threshold"
    );
    let page = app
        .get_page(
            &format!("/assessments/{peer}"),
            Some(
                &app.sign_in("rep@acme.test", crate::common::PASSWORD)
                    .await
                    .unwrap(),
            ),
        )
        .await
        .text();
    assert!(page.contains("Your answer is named"), "{page}");
    let r = answer(&app, "rep@acme.test", peer, ratings(6, 5, "Great pairing")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    app.api(
        Method::POST,
        &format!("/api/v1/review-cycles/{cycle_id}/share"),
        Some(&hr),
        None,
    )
    .await;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/assessments/{peer}/report"),
            Some(&dana),
            None,
        )
        .await;
    let text = r.text();
    assert!(text.contains("Rita Rep (peer)"), "{text}");
    assert!(text.contains("Great pairing"), "{text}");
    let figures = r.json()["lines"][0]["figures"].clone();
    let named = figures
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["group"] == "peers")
        .unwrap()
        .clone();
    assert_eq!(named["score"], 5.0, "{figures}");
    assert!(
        !figures
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["group"] == "all"),
        "no anonymous pool when only named peers were asked: {figures}"
    );
}

backend_tests!(steps_open_on_their_days_or_when_an_admin_opens_them);
async fn steps_open_on_their_days_or_when_an_admin_opens_them(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let mut body = cycle(
        json!({}),
        json!({"manager_review": day(3), "calibration": day(7)}),
    );
    body["self_review_due"] = json!(day(3));
    body["opens"]["self_review"] = json!(day(1));
    // Opening after its deadline is refused.
    let mut bad = body.clone();
    bad["opens"]["manager_review"] = json!(day(9));
    let r = app
        .api(Method::POST, "/api/v1/review-cycles", Some(&hr), Some(bad))
        .await;
    assert!(
        r.text()
            .contains("the manager review opens on or before its deadline"),
        "{}",
        r.text()
    );
    let (cycle_id, _) = launch(&app, &hr, body).await;
    let max = app.token("mgr@acme.test").await;
    let reviews = app
        .api(Method::GET, "/api/v1/reviews", Some(&max), None)
        .await
        .json();
    let review = reviews["to_write"][0]["review"]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{reviews}"));
    let path = format!("/api/v1/reviews/{review}");
    let view = app.api(Method::GET, &path, Some(&max), None).await.json();
    assert_eq!(view["can_write_manager"], false, "{view}");
    assert_eq!(view["opens_on"], day(3));
    let write = json!({"answers": [{"question": 0, "rating": 2}]});
    let r = app
        .api(
            Method::PUT,
            &format!("{path}/manager"),
            Some(&max),
            Some(write.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("this step opens on"), "{}", r.text());

    // An admin opens it now; Max writes.
    let max_member = app.token("dev@acme.test").await;
    let open = format!("/api/v1/review-cycles/{cycle_id}/steps/manager_review/open");
    assert_eq!(
        app.api(Method::POST, &open, Some(&max_member), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app.api(Method::POST, &open, Some(&hr), None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(
        app.api(Method::POST, &open, Some(&hr), None).await.status,
        StatusCode::CONFLICT,
        "open already"
    );
    let r = app
        .api(
            Method::PUT,
            &format!("{path}/manager"),
            Some(&max),
            Some(write),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());

    // The worker: the self review opens tomorrow and says so, once; calibration opens by
    // itself on its day; on the sharing day, with manager reviews missing, the admins
    // are told and nothing is shared.
    let store = app.store.as_ref();
    let at = |days: i64| (chrono::Utc::now() + chrono::Duration::days(days)).timestamp();
    use trellis_core::reviews::steps::advance;
    assert_eq!(advance(store, at(0)).await.unwrap(), 0);
    assert_eq!(
        advance(store, at(1)).await.unwrap(),
        8,
        "eight self reviews open"
    );
    assert_eq!(advance(store, at(1)).await.unwrap(), 0, "once");
    let dana = app.token("dev@acme.test").await;
    let notes = app
        .api(Method::GET, "/api/v1/notifications", Some(&dana), None)
        .await
        .text();
    assert!(
        notes.contains("Your self review in Winter is open"),
        "{notes}"
    );
    advance(store, at(7)).await.unwrap();
    let state = |hr: String| {
        let app = &app;
        async move {
            app.api(
                Method::GET,
                &format!("/api/v1/review-cycles/{cycle_id}"),
                Some(&hr),
                None,
            )
            .await
            .json()["cycle"]["state"]
                .clone()
        }
    };
    assert_eq!(state(hr.clone()).await, "calibration");
    advance(store, at(8)).await.unwrap();
    assert_eq!(
        state(hr.clone()).await,
        "calibration",
        "not shared incomplete"
    );
    let notes = app
        .api(Method::GET, "/api/v1/notifications", Some(&hr), None)
        .await
        .text();
    assert!(
        notes.contains("was to be shared today, but 7 manager reviews are not in"),
        "{notes}"
    );
}
