//! 360 assessments, attacked as someone trying to learn who said what: a group below k,
//! the same subject's next 360 with one rater fewer, the order of comments, what raters,
//! the subject and admins can read, and what the database holds beside an anonymous answer.

use crate::common::{PASSWORD, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_core::assessments::RaterGroup;
use trellis_core::assessments::store::AssessmentStore;
use trellis_store::backend_tests;

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

fn answer(rating: u8, comment: &str) -> Value {
    json!({"ratings": vec![Some(rating); 12], "management_comment": comment})
}

const PEERS: [&str; 4] = [
    "rep@acme.test",
    "sales.head@acme.test",
    "ceo@acme.test",
    "hr@acme.test",
];

async fn ask(app: &TestApp, token: &str, subject: i64) -> Value {
    let r = app
        .api(
            Method::POST,
            "/api/v1/assessments",
            Some(token),
            Some(
                json!({"subject": subject, "due_on": day(10), "peers": PEERS,
                "reports": ["dev@acme.test", "dev2@acme.test"]}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

backend_tests!(a_360_keeps_every_rater_anonymous_under_the_rule);
async fn a_360_keeps_every_rater_anonymous_under_the_rule(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let erin = app.token("eng.head@acme.test").await;
    let max_id = app.id("mgr@acme.test").await;

    // Bad input: the subject among the peers, someone unknown; nothing written.
    let r = app
        .api(
            Method::POST,
            "/api/v1/assessments",
            Some(&erin),
            Some(json!({"subject": max_id, "due_on": day(10),
                "peers": ["mgr@acme.test", "nobody@acme.test"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(
        text.contains("leave them out") && text.contains("nobody has the e-mail"),
        "{text}"
    );
    let dana = app.token("dev@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/assessments",
            Some(&dana),
            Some(json!({"subject": max_id, "due_on": day(10)})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a report does not run a 360 of their manager"
    );

    let created = ask(&app, &erin, max_id).await;
    assert!(
        created["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Direct reports: 2 asked, fewer than 3"),
        "{created}"
    );
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/assessments/{id}");
    let put = |token: String, body: Value| {
        let app = &app;
        let path = path.clone();
        async move {
            app.api(
                Method::PUT,
                &format!("{path}/answer"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let max = app.token("mgr@acme.test").await;
    assert_eq!(
        put(max.clone(), answer(5, "I do my best")).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        put(erin.clone(), answer(3, "Solid")).await.status,
        StatusCode::NO_CONTENT
    );
    let r = put(dana.clone(), json!({"ratings": [9]})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (email, rating, comment) in [
        ("dev@acme.test", 1, "Only two of us answered"),
        ("dev2@acme.test", 1, ""),
    ] {
        let t = app.token(email).await;
        assert_eq!(
            put(t, answer(rating, comment)).await.status,
            StatusCode::NO_CONTENT
        );
    }
    for (i, email) in PEERS.iter().enumerate() {
        let t = app.token(email).await;
        let comment = ["Clear priorities", "Shields the team", "", "Explains why"][i];
        assert_eq!(
            put(t, answer(2 + i as u8 % 3, comment)).await.status,
            StatusCode::NO_CONTENT
        );
    }
    // Dana, a rater, sees only herself among the raters; the report waits for sharing.
    let seen = app.api(Method::GET, &path, Some(&dana), None).await.json();
    assert_eq!(
        seen["assessment"]["raters"].as_array().unwrap().len(),
        1,
        "{seen}"
    );
    assert_eq!(seen["my_group"], "reports");
    let r = app
        .api(Method::GET, &format!("{path}/report"), Some(&max), None)
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .api(Method::POST, &format!("{path}/share"), Some(&max), None)
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the subject does not share their own"
    );
    let r = app
        .api(Method::POST, &format!("{path}/share"), Some(&erin), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(
        put(app.token("ceo@acme.test").await, answer(5, ""))
            .await
            .status,
        StatusCode::CONFLICT,
        "answers lock once shared"
    );

    // The report: two reports are below k — absent from their group, from all colleagues
    // and from the comments; nobody's raw answer is returned.
    let report = app
        .api(Method::GET, &format!("{path}/report"), Some(&max), None)
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.text());
    let body = report.json();
    let line = &body["lines"][0];
    assert_eq!(line["self_score"], 5.0);
    assert_eq!(line["manager_score"], 3.0);
    assert_eq!(line["figures"][0]["group"], "all");
    assert_eq!(line["figures"][0]["answers"], 4, "peers only: {line}");
    let reports = line["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["group"] == "reports")
        .unwrap();
    assert_eq!(reports["score"], Value::Null);
    assert!(
        reports["hidden"]
            .as_str()
            .unwrap()
            .contains("protect anonymity")
    );
    let text = report.text();
    assert!(!text.contains("Only two of us"), "{text}");
    assert!(text.contains("Shields the team"));
    for name in ["Rita Rep", "Sam Sales", "Dana Dev", "pseudonym"] {
        assert!(
            !text.contains(name),
            "{name} appears in the subject's report"
        );
    }
    let again = app
        .api(Method::GET, &format!("{path}/report"), Some(&max), None)
        .await
        .json();
    assert_eq!(
        again["comments"], body["comments"],
        "comment order is stable"
    );
    assert_eq!(
        app.api(Method::GET, &format!("{path}/report"), Some(&dana), None)
            .await
            .status,
        StatusCode::NOT_FOUND,
        "a rater does not read the report"
    );
    let hr = app.token("hr@acme.test").await;
    let as_admin = app
        .api(Method::GET, &format!("{path}/report"), Some(&hr), None)
        .await
        .json();
    assert_eq!(
        as_admin["lines"], body["lines"],
        "an admin sees no more figures"
    );
    assert_eq!(as_admin["comments"], body["comments"]);

    // Max turns a behaviour into a growth goal on his career plan, once.
    let goal = |token: &String| {
        let app = &app;
        let (token, path) = (token.clone(), path.clone());
        async move {
            app.api(
                Method::POST,
                &format!("{path}/growth-goals"),
                Some(&token),
                Some(json!({"behaviour": 2})),
            )
            .await
        }
    };
    assert_eq!(goal(&erin).await.status, StatusCode::FORBIDDEN, "only Max");
    let r = goal(&max).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(
        goal(&max).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not twice"
    );
    let plan = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{max_id}/career-plan"),
            Some(&max),
            None,
        )
        .await
        .json();
    assert_eq!(
        plan["growth_goals"],
        json!(["Balances the workload"]),
        "{plan}"
    );
    assert_eq!(
        plan["history"][0]["what"],
        "Growth goal from a 360: Balances the workload"
    );

    // What the database holds: anonymous answers carry no rater, only a pseudonym that is
    // no person's id.
    let stored = app
        .store
        .answers(trellis_core::assessments::AssessmentId(id))
        .await
        .unwrap();
    assert_eq!(stored.len(), 8);
    for a in &stored {
        assert_eq!(a.rater.is_some(), a.group.named(), "{a:?}");
        if !a.group.named() {
            assert!(a.pseudonym > 1_000_000, "a pseudonym, not an id: {a:?}");
        }
    }
    assert!(stored.iter().any(|a| a.group == RaterGroup::Reports));

    // The next 360 of Max: one peer fewer answers, so every figure that would differ from
    // the published ones by that single answer is hidden.
    let second = ask(&app, &erin, max_id).await["id"].as_i64().unwrap();
    let path2 = format!("/api/v1/assessments/{second}");
    for email in &PEERS[..3] {
        let t = app.token(email).await;
        app.api(
            Method::PUT,
            &format!("{path2}/answer"),
            Some(&t),
            Some(answer(4, "")),
        )
        .await;
    }
    app.api(Method::POST, &format!("{path2}/share"), Some(&erin), None)
        .await;
    let later = app
        .api(Method::GET, &format!("{path2}/report"), Some(&max), None)
        .await
        .json();
    for f in later["lines"][0]["figures"].as_array().unwrap() {
        assert_eq!(f["score"], Value::Null, "{f}");
    }
    assert!(
        later["lines"][0]["figures"][0]["hidden"]
            .as_str()
            .unwrap()
            .contains("single someone out"),
        "{later}"
    );

    // The pages: the form says the answer is anonymous; the report draws its charts.
    let third = ask(&app, &erin, max_id).await["id"].as_i64().unwrap();
    let dana_page = app.sign_in("dev@acme.test", PASSWORD).await.unwrap();
    let form = app
        .get_page(&format!("/assessments/{third}"), Some(&dana_page))
        .await
        .text();
    assert!(form.contains("Your answer is anonymous"), "{form}");
    let mut fields: Vec<(String, String)> = vec![("csrf".into(), dana_page.csrf.clone())];
    fields.extend((0..12).map(|i| (format!("rating_{i}"), "4".to_string())));
    fields.push(("management_comment".into(), "Good".into()));
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let r = app
        .post_form(
            &format!("/assessments/{third}/answer"),
            Some(&dana_page),
            None,
            &pairs,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let max_page = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/assessments/{id}/report"), Some(&max_page))
        .await
        .text();
    for seen in [
        "360 report of Max Manager",
        "<svg",
        "hidden to protect anonymity",
        "Direct reports: fewer than 3 answers",
        "Make it a growth goal on my plan",
    ] {
        assert!(page.contains(seen), "{seen} in {page}");
    }
}

backend_tests!(a_team_view_needs_five_answers_and_only_pools_what_reports_showed);
async fn a_team_view_needs_five_answers_and_only_pools_what_reports_showed(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let erin = app.token("eng.head@acme.test").await;
    let max = app.token("mgr@acme.test").await;
    let max_id = app.id("mgr@acme.test").await;
    let mut ids = Vec::new();
    for (subject, rating) in [("dev@acme.test", 2u8), ("dev2@acme.test", 4u8)] {
        let subject_id = app.id(subject).await;
        let r = app
            .api(
                Method::POST,
                "/api/v1/assessments",
                Some(&max),
                Some(json!({"subject": subject_id, "due_on": day(10), "peers": PEERS})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let id = r.json()["id"].as_i64().unwrap();
        for email in PEERS {
            let t = app.token(email).await;
            let r = app
                .api(
                    Method::PUT,
                    &format!("/api/v1/assessments/{id}/answer"),
                    Some(&t),
                    Some(answer(rating, "")),
                )
                .await;
            assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        }
        ids.push(id);
    }
    let team = format!("/api/v1/assessments/team/{max_id}");
    // One report shared: four answers, below the team threshold of five.
    app.api(
        Method::POST,
        &format!("/api/v1/assessments/{}/share", ids[0]),
        Some(&max),
        None,
    )
    .await;
    let view = app.api(Method::GET, &team, Some(&max), None).await.json();
    assert_eq!(view["assessed"], 1);
    assert_eq!(view["lines"][0]["average"], Value::Null, "{view}");
    assert!(
        view["lines"][0]["hidden"]
            .as_str()
            .unwrap()
            .contains("too few")
    );
    // Both shared: eight answers, averaged; the department head sees the same.
    app.api(
        Method::POST,
        &format!("/api/v1/assessments/{}/share", ids[1]),
        Some(&max),
        None,
    )
    .await;
    let view = app.api(Method::GET, &team, Some(&erin), None).await.json();
    assert_eq!(view["lines"][0]["answers"], 8, "{view}");
    assert_eq!(view["lines"][0]["average"], 3.0);
    let dana = app.token("dev@acme.test").await;
    assert_eq!(
        app.api(Method::GET, &team, Some(&dana), None).await.status,
        StatusCode::NOT_FOUND,
        "a report does not read their manager's team view"
    );
    let page_session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/assessments/team/{max_id}"), Some(&page_session))
        .await
        .text();
    assert!(page.contains("2 of 2 direct reports"), "{page}");
    assert!(page.contains("3.0"), "{page}");
}

backend_tests!(the_threshold_is_the_organisations_when_asked_and_locked_after);
async fn the_threshold_is_the_organisations_when_asked_and_locked_after(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let max_id = app.id("mgr@acme.test").await;
    let set = |k: u32| {
        let app = &app;
        let hr = hr.clone();
        async move {
            let r = app
                .api(
                    Method::PATCH,
                    "/api/v1/settings",
                    Some(&hr),
                    Some(json!({"anonymity_k_360": k})),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        }
    };
    set(5).await;
    let created = ask(&app, &hr, max_id).await;
    assert!(
        created["warnings"][0]
            .as_str()
            .unwrap()
            .contains("Peers: 4 asked, fewer than 5"),
        "{created}"
    );
    let id = created["id"].as_i64().unwrap();
    set(2).await;
    let view = app
        .api(
            Method::GET,
            &format!("/api/v1/assessments/{id}"),
            Some(&hr),
            None,
        )
        .await
        .json();
    assert_eq!(view["assessment"]["k"], 5, "k stays as it was when asked");
}

backend_tests!(the_subject_proposes_raters_their_manager_asks_them_and_a_rater_may_decline);
async fn the_subject_proposes_raters_their_manager_asks_them_and_a_rater_may_decline(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let (erin, max) = (
        app.token("eng.head@acme.test").await,
        app.token("mgr@acme.test").await,
    );
    let max_id = app.id("mgr@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/assessments",
            Some(&erin),
            Some(json!({"subject": max_id, "due_on": day(10)})),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    let nominate = |token: &String, group: &str, email: &str| {
        let app = &app;
        let body = json!({"group": group, "email": email});
        let token = token.clone();
        async move {
            app.api(
                Method::POST,
                &format!("/api/v1/assessments/{id}/nominations"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    for (email, says) in [
        ("mgr@acme.test", "nobody nominates themselves"),
        ("ghost@acme.test", "nobody has the e-mail"),
    ] {
        let r = nominate(&max, "peers", email).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains(says), "{}", r.text());
    }
    let r = nominate(&max, "peers", "rep@acme.test").await;
    assert_eq!(r.json()["status"], "proposed", "{}", r.text());
    let r = nominate(&max, "peers", "rep@acme.test").await;
    assert!(r.text().contains("named already"), "{}", r.text());
    // Rita is not asked until Erin says so.
    let rita = app.token("rep@acme.test").await;
    let listed = app
        .api(Method::GET, "/api/v1/assessments", Some(&rita), None)
        .await
        .json();
    assert_eq!(listed["to_answer"], json!([]));
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/assessments/{id}/answer"),
            Some(&rita),
            Some(answer(3, "")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());
    let rita_id = app.id("rep@acme.test").await;
    let decide = format!("/api/v1/assessments/{id}/nominations/{rita_id}/decision");
    let r = app
        .api(
            Method::POST,
            &decide,
            Some(&max),
            Some(json!({"approve": true})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the subject does not approve their own"
    );
    let r = app
        .api(
            Method::POST,
            &decide,
            Some(&erin),
            Some(json!({"approve": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let listed = app
        .api(Method::GET, "/api/v1/assessments", Some(&rita), None)
        .await
        .json();
    assert_eq!(listed["to_answer"][0]["id"], id);
    // Rita declines; she is no longer counted as asked and cannot answer.
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/assessments/{id}/decline"),
            Some(&rita),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let view = app
        .api(
            Method::GET,
            &format!("/api/v1/assessments/{id}"),
            Some(&erin),
            None,
        )
        .await
        .json();
    assert!(
        view["progress"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["group"] != "peers" || p["asked"] == 0),
        "{view}"
    );
    let r = nominate(&max, "peers", "rep@acme.test").await;
    assert!(r.text().contains("declined"), "{}", r.text());
    // The manager chain asks directly.
    let r = nominate(&erin, "others", "sales.head@acme.test").await;
    assert_eq!(r.json()["status"], "asked");
    let page_session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/assessments/{id}"), Some(&page_session))
        .await
        .text();
    assert!(page.contains("Propose a rater"), "{page}");
}

/// A 360 of `subject` with three peers (and any reports) who all answer, shared by HR.
async fn answered_360(app: &TestApp, hr: &str, subject: &str, peers: [&str; 3], reports: &[&str]) {
    let id = app.id(subject).await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/assessments",
            Some(hr),
            Some(json!({"subject": id, "due_on": day(10), "peers": peers, "reports": reports})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let a = r.json()["id"].as_i64().unwrap();
    for (i, email) in peers.iter().chain(reports).enumerate() {
        let t = app.token(email).await;
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/assessments/{a}/answer"),
                Some(&t),
                Some(answer(
                    2 + (i % 3) as u8,
                    &format!("Comment {i} on {subject}"),
                )),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    }
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/assessments/{a}/share"),
            Some(hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
}

backend_tests!(a_level_filter_never_narrows_a_department_view_to_a_few_raters);
async fn a_level_filter_never_narrows_a_department_view_to_a_few_raters(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    // Engineering: Max (L5) and Dana and Devi (L2), three peer answers each.
    answered_360(
        &app,
        &hr,
        "mgr@acme.test",
        ["rep@acme.test", "sales.head@acme.test", "ceo@acme.test"],
        &[],
    )
    .await;
    answered_360(
        &app,
        &hr,
        "dev@acme.test",
        ["rep@acme.test", "sales.head@acme.test", "hr@acme.test"],
        &[],
    )
    .await;
    answered_360(
        &app,
        &hr,
        "dev2@acme.test",
        ["ceo@acme.test", "hr@acme.test", "rep@acme.test"],
        &[],
    )
    .await;
    let (engineering,): (i64,) = sqlx::query_as("SELECT id FROM teams WHERE name = 'Engineering'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    let view = |query: String| {
        let app = &app;
        let hr = hr.clone();
        async move {
            app.api(
                Method::GET,
                &format!("/api/v1/assessments/groups{query}"),
                Some(&hr),
                None,
            )
            .await
        }
    };
    let whole = view(format!("?team={engineering}")).await.json();
    assert_eq!(whole["assessed"], 3, "{whole}");
    assert_eq!(whole["lines"][0]["answers"], 9, "{whole}");
    // L2 would be 6 answers, 3 fewer than the whole: Max's three would be singled out.
    let l2 = view(format!("?team={engineering}&level=L2")).await.json();
    assert_eq!(l2["lines"][0]["average"], Value::Null, "{l2}");
    assert!(
        l2["lines"][0]["hidden"]
            .as_str()
            .unwrap()
            .contains("anonymity"),
        "{l2}"
    );
    // L5 is one person's three answers: below 5.
    let l5 = view(format!("?team={engineering}&level=L5")).await.json();
    assert_eq!(l5["lines"][0]["answers"], Value::Null, "{l5}");
    // The organisation is the same three people: the same figure, never a finer one.
    let org = view(String::new()).await.json();
    assert_eq!(org["lines"][0]["answers"], 9, "{org}");
    // Only people admins read these views.
    let max = app.token("mgr@acme.test").await;
    let r = app
        .api(Method::GET, "/api/v1/assessments/groups", Some(&max), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let session = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(
            &format!("/assessments/groups?team={engineering}&level=L2"),
            Some(&session),
        )
        .await
        .text();
    assert!(page.contains("hidden to protect anonymity"), "{page}");
}

backend_tests!(the_export_holds_only_what_the_reports_show);
async fn the_export_holds_only_what_the_reports_show(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    // Max: three peers and two direct reports, below k = 3.
    answered_360(
        &app,
        &hr,
        "mgr@acme.test",
        ["rep@acme.test", "sales.head@acme.test", "ceo@acme.test"],
        &["dev@acme.test", "dev2@acme.test"],
    )
    .await;
    let r = app
        .api(Method::GET, "/api/v1/assessments/export", Some(&hr), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let csv = r.text();
    assert!(
        csv.starts_with(
            "Subject,Subject Id,Assessment,Shared On,Family,Behaviour,Figure,Average,Answers,Note"
        ),
        "{csv}"
    );
    assert!(csv.contains("Max Manager"), "{csv}");
    assert!(csv.contains(",Peers,"), "{csv}");
    assert!(
        csv.contains("Direct reports: fewer than 3 answers, left out whole"),
        "{csv}"
    );
    for line in csv.lines().filter(|l| l.contains(",Direct reports,")) {
        assert!(
            line.contains("anonymity"),
            "a reports figure with a score: {line}"
        );
    }
    for secret in ["Rita Rep", "Dana Dev", "Comment 0", "Comment 3"] {
        assert!(!csv.contains(secret), "{secret} in the export");
    }
    let max = app.token("mgr@acme.test").await;
    let r = app
        .api(Method::GET, "/api/v1/assessments/export", Some(&max), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

backend_tests!(two_groups_whose_sum_minus_one_would_single_out_a_rater_are_never_both_shown);
async fn two_groups_whose_sum_minus_one_would_single_out_a_rater_are_never_both_shown(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let max = app.id("mgr@acme.test").await;
    let peers = ["rep@acme.test", "sales.head@acme.test", "ceo@acme.test"];
    let others = ["dev@acme.test", "dev2@acme.test", "hr@acme.test"];
    let r = app
        .api(
            Method::POST,
            "/api/v1/assessments",
            Some(&hr),
            Some(json!({"subject": max, "due_on": day(10), "peers": peers, "others": others})),
        )
        .await;
    let id = r.json()["id"].as_i64().unwrap();
    // On the first behaviour one of the others says "can't say": all colleagues would be
    // five answers, peers three and others two — all minus peers is the others' pair.
    for (i, email) in peers.iter().chain(&others).enumerate() {
        let mut body = answer(3 + (i % 2) as u8, "");
        if i == 3 {
            body["ratings"][0] = Value::Null;
        }
        let t = app.token(email).await;
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/assessments/{id}/answer"),
                Some(&t),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    }
    app.api(
        Method::POST,
        &format!("/api/v1/assessments/{id}/share"),
        Some(&hr),
        None,
    )
    .await;
    let erin = app.token("eng.head@acme.test").await;
    let report = app
        .api(
            Method::GET,
            &format!("/api/v1/assessments/{id}/report"),
            Some(&erin),
            None,
        )
        .await
        .json();
    let shown: Vec<i64> = report["lines"][0]["figures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["answers"].as_i64())
        .collect();
    for a in &shown {
        for b in &shown {
            assert!(a == b || (a - b).abs() >= 3, "{shown:?} in {report}");
        }
    }
    assert!(
        report["lines"][0]["figures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["hidden"].is_string()),
        "{report}"
    );
    // The export says the same.
    let csv = app
        .api(Method::GET, "/api/v1/assessments/export", Some(&hr), None)
        .await
        .text();
    let counts: Vec<i64> = csv
        .lines()
        .filter(|l| {
            l.contains(",Makes priorities clear,")
                && !l.contains(",Self,")
                && !l.contains(",Manager,")
        })
        .filter_map(|l| l.split(',').nth(8).and_then(|n| n.parse().ok()))
        .collect();
    assert_eq!(counts, shown, "{csv}");
}
