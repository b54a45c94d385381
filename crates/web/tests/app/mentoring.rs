//! Mentor matching, the talent pool, skill sourcing and offering moved-off work, through
//! the router on every configured backend. The test organisation (see `common`): Cleo
//! (CEO) → Erin (engineering) → Max (manager) → Dana and Devi; Cleo → Sam (sales) → Rita;
//! Cleo → Hana, the people admin.

use crate::common;
use trellis_store::backend_tests;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, TestApp};
use serde_json::{Value, json};
use trellis_core::store::prelude::*;

fn today() -> chrono::NaiveDate {
    trellis_core::clock::local_date(None, trellis_web::now())
}

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> common::Response {
    app.api(Method::PUT, path, Some(token), Some(body)).await
}

fn fields(r: &common::Response) -> Vec<String> {
    r.json()["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn mentorships(app: &TestApp, token: &str, person: i64) -> Vec<Value> {
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{person}/mentorships"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    r.json().as_array().cloned().unwrap_or_default()
}

backend_tests!(an_admin_runs_reviews_and_publishes_a_round_within_the_rules);
async fn an_admin_runs_reviews_and_publishes_a_round_within_the_rules(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let dev = app.token("dev@acme.test").await;
    let dev2 = app.token("dev2@acme.test").await;
    let rep = app.token("rep@acme.test").await;
    let mgr = app.token("mgr@acme.test").await;
    let head = app.token("eng.head@acme.test").await;
    let hr = app.token("hr@acme.test").await;
    let (dev_id, dev2_id, rep_id) = (
        app.id("dev@acme.test").await,
        app.id("dev2@acme.test").await,
        app.id("rep@acme.test").await,
    );
    let (head_id, hr_id) = (
        app.id("eng.head@acme.test").await,
        app.id("hr@acme.test").await,
    );

    // The ladder, so seniority counts (an import alone leaves levels unranked).
    for (code, rank) in [
        ("L2", 2),
        ("L3", 3),
        ("L4", 4),
        ("L5", 5),
        ("L7", 7),
        ("L8", 8),
    ] {
        app.store
            .upsert_level(&trellis_core::org::store::NewLevel {
                code: code.into(),
                name: code.into(),
                rank,
                expectations: String::new(),
            })
            .await
            .unwrap();
    }
    // Bad input is answered at the field and nothing is written.
    let r = put(
        &app,
        &rep,
        "/api/v1/mentoring/me/goals",
        json!({"skills": ["go"], "must_have": "kubernetes"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    assert_eq!(fields(&r), ["must_have"]);
    let r = put(
        &app,
        &rep,
        "/api/v1/mentoring/me/goals",
        json!({"skills": [], "target_level_id": 999_999}),
    )
    .await;
    assert_eq!(fields(&r), ["skills", "target_level"]);
    let r = put(
        &app,
        &mgr,
        "/api/v1/mentoring/me/mentor",
        json!({"strengths": ["rust"], "capacity": 0}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), ["capacity"]);
    assert!(
        r.json()["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at least 1 mentee"),
        "{r:?}"
    );
    let mine = app
        .api(Method::GET, "/api/v1/mentoring/me", Some(&mgr), None)
        .await
        .json();
    assert_eq!(mine["mentor_profile"], Value::Null, "nothing written");

    // Mentees and mentors state what they want and offer.
    for (token, body) in [
        (
            &dev,
            json!({"skills": ["Rust", "sql"], "must_have": "rust"}),
        ),
        (&dev2, json!({"skills": ["negotiation"]})),
        (&rep, json!({"skills": ["go"], "must_have": "go"})),
    ] {
        let r = put(&app, token, "/api/v1/mentoring/me/goals", body).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {r:?}");
    }
    for (token, body) in [
        (&mgr, json!({"strengths": ["rust"], "capacity": 1})),
        (&head, json!({"strengths": ["rust", "sql"], "capacity": 1})),
        (&hr, json!({"strengths": ["negotiation"], "capacity": 2})),
    ] {
        let r = put(&app, token, "/api/v1/mentoring/me/mentor", body).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {r:?}");
    }

    // Only admins run rounds; a bad end date is refused.
    let ends = (today() + chrono::Duration::days(90)).to_string();
    let round = json!({"name": "Spring mentoring", "goal": "highest_total", "ends_on": ends});
    let r = app
        .api(
            Method::POST,
            "/api/v1/mentoring/rounds",
            Some(&mgr),
            Some(round.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            Method::POST,
            "/api/v1/mentoring/rounds",
            Some(&hr),
            Some(json!({"name": "", "goal": "fastest", "ends_on": today().to_string()})),
        )
        .await;
    assert_eq!(fields(&r), ["name", "goal", "ends_on"]);
    let r = app
        .api(
            Method::POST,
            "/api/v1/mentoring/rounds",
            Some(&hr),
            Some(round),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{backend}: {r:?}");
    let d = r.json();
    let id = d["id"].as_i64().unwrap();
    assert_eq!(
        (d["mentees"].as_i64(), d["mentors"].as_i64()),
        (Some(3), Some(3))
    );
    let pair_of = |d: &Value, mentee: i64| -> Value {
        d["pairs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["mentee"]["id"] == mentee)
            .cloned()
            .unwrap()
    };
    // Dana: Erin covers both goals and is senior, but is above her in the line (80);
    // Max covers one and is her own manager (50). Capacity one each: Erin.
    let p = pair_of(&d, dev_id);
    assert_eq!(p["mentor"]["id"], head_id, "{backend}: {d}");
    assert_eq!(p["score"], 80);
    assert_eq!(
        p["explanation"],
        "Erin Eng offers rust and sql (2 of Dana\u{2019}s 2 goals), is a level above at L7, but is in Dana\u{2019}s reporting line."
    );
    let p = pair_of(&d, dev2_id);
    assert_eq!(
        (p["mentor"]["id"].as_i64(), p["score"].as_i64()),
        (Some(hr_id), Some(100))
    );
    // Rita must have go, which nobody offers.
    let p = pair_of(&d, rep_id);
    assert_eq!(p["mentor"], Value::Null);
    assert_eq!(
        p["explanation"],
        "No mentor with places left offers go, which Rita must have."
    );
    assert_eq!(
        (d["matched"].as_i64(), d["total_score"].as_i64()),
        (Some(2), Some(180))
    );

    // Nobody sees a draft's pairs as mentorships yet.
    assert!(mentorships(&app, &dev, dev_id).await.is_empty());

    // Review: take Devi's pair out, then publish.
    let r = app
        .api(
            Method::DELETE,
            &format!("/api/v1/mentoring/rounds/{id}/pairs/{dev2_id}"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        pair_of(&r.json(), dev2_id)["explanation"],
        "Taken out in review."
    );
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/mentoring/rounds/{id}/publish"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.json()["published"], true);
    let published = app.store.audit_log(20).await.unwrap();
    assert!(
        published
            .iter()
            .any(|l| l.entry.action == "mentoring_round.publish"
                && l.entry.subject == format!("round {id}")
                && l.actor_name.as_deref() == Some("Hana Hr")),
        "{backend}: the publication is audited"
    );
    // Each pair is told; the mentee taken out in review is not.
    let told = |id: i64| {
        let store = app.store.clone();
        async move {
            store
                .notifications_of(trellis_core::PersonId(id), 10)
                .await
                .unwrap()
                .into_iter()
                .map(|k| format!("{} {} {}", k.note.topic.as_str(), k.note.text, k.note.link))
                .collect::<Vec<_>>()
        }
    };
    let head_name = app
        .store
        .person(trellis_core::PersonId(head_id))
        .await
        .unwrap()
        .unwrap()
        .display_name();
    assert_eq!(
        told(dev_id).await,
        [format!(
            "mentorship_started {head_name} is your mentor until {ends}. /mentoring"
        )],
        "{backend}"
    );
    assert!(
        told(head_id).await.contains(&format!(
            "mentorship_started You mentor Dana Dev until {ends}. /mentoring"
        )),
        "{backend}"
    );
    assert!(told(dev2_id).await.is_empty(), "{backend}");
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/mentoring/rounds/{id}/publish"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let r = app
        .api(
            Method::DELETE,
            &format!("/api/v1/mentoring/rounds/{id}/pairs/{dev_id}"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a published round is not edited"
    );

    // The mentorship shows for both people, their chains and admins; not for peers.
    for (token, person) in [
        (&dev, dev_id),
        (&head, dev_id),
        (&mgr, dev_id),
        (&hr, dev_id),
        (&head, head_id),
    ] {
        let list = mentorships(&app, token, person).await;
        assert_eq!(list.len(), 1, "{backend}: person {person}");
        assert_eq!(list[0]["mentor"]["id"], head_id);
        assert_eq!(list[0]["goals"], "Grow rust and sql (must have rust).");
        assert_eq!(list[0]["ends_on"], ends);
    }
    assert!(
        mentorships(&app, &dev2, dev_id).await.is_empty(),
        "a teammate"
    );
    assert!(
        mentorships(&app, &rep, head_id).await.is_empty(),
        "another department"
    );
    // Rounds are for admins only.
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/mentoring/rounds/{id}"),
            Some(&dev),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The person page shows it to Dana's manager.
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/people/{dev_id}"), Some(&session))
        .await
        .text();
    assert!(
        page.contains("Mentoring") && page.contains("Erin Eng"),
        "{backend}"
    );

    // A running mentorship takes the mentee and the mentor's place out of the next round.
    let r = app
        .api(
            Method::POST,
            "/api/v1/mentoring/rounds",
            Some(&hr),
            Some(json!({"name": "Next", "goal": "most_matched", "ends_on": ends})),
        )
        .await
        .json();
    assert_eq!(
        (r["mentees"].as_i64(), r["mentors"].as_i64()),
        (Some(2), Some(2)),
        "{r}"
    );

    // Ending it early: the mentee, the mentor or an admin may. Dana's manager sees it
    // and is told who may; a teammate and another department learn nothing of it.
    let mentorship = mentorships(&app, &dev, dev_id).await[0]["id"]
        .as_i64()
        .unwrap();
    let end = |token: String, body: Value| {
        let app = &app;
        async move {
            app.api(
                Method::POST,
                &format!("/api/v1/mentorships/{mentorship}/end"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let r = end(mgr.clone(), json!({})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {r:?}");
    assert!(
        r.text()
            .contains("only the mentee, the mentor or a people admin")
    );
    for outsider in [&dev2, &rep] {
        let r = end(outsider.clone(), json!({})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {r:?}");
    }
    let r = end(dev.clone(), json!({"note": "x".repeat(1001)})).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend}: {r:?}"
    );
    assert_eq!(fields(&r), ["note"]);
    assert_eq!(
        mentorships(&app, &hr, dev_id).await[0]["running"],
        true,
        "{backend}: nothing was written"
    );
    let r = end(
        dev.clone(),
        json!({"note": "  I moved to the data team.  "}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{backend}: {r:?}");
    let ended = r.json();
    assert_eq!(ended["running"], false);
    assert_eq!(ended["ended_on"], today().to_string());
    assert_eq!(ended["ended_by"]["id"], dev_id);
    assert_eq!(ended["end_note"], "I moved to the data team.");
    let r = end(head.clone(), json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: ended once");
    let seen = &mentorships(&app, &head, head_id).await[0];
    assert_eq!(
        (&seen["running"], &seen["end_note"]),
        (&json!(false), &json!("I moved to the data team.")),
        "{backend}: the mentor sees it ended"
    );
    // Dana takes part in the next round again, and Erin's place is free.
    let r = app
        .api(
            Method::POST,
            "/api/v1/mentoring/rounds",
            Some(&hr),
            Some(json!({"name": "After", "goal": "most_matched", "ends_on": ends})),
        )
        .await
        .json();
    assert_eq!(
        (r["mentees"].as_i64(), r["mentors"].as_i64()),
        (Some(3), Some(3)),
        "{r}"
    );
    // The person page says so, to the mentor's manager too.
    let page = app
        .get_page(&format!("/people/{head_id}"), Some(&session))
        .await
        .text();
    assert!(
        page.contains("Ended early on") && page.contains("by Dana Dev"),
        "{backend}: {page}"
    );
    assert!(page.contains("I moved to the data team."));
    assert!(
        !page.contains("End this mentorship today"),
        "{backend}: nothing left to end"
    );
}

backend_tests!(most_matched_pairs_more_people_than_highest_total);
async fn most_matched_pairs_more_people_than_highest_total(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let mgr = app.token("mgr@acme.test").await;
    // Hana offers rust and sql from outside everyone's line; Max offers rust and manages
    // Dana. Dana must have rust: Hana 60 + 20 = 80, Max 30. Rita must have sql, which
    // only Hana offers: 15 + 20 = 35.
    put(
        &app,
        &app.token("dev@acme.test").await,
        "/api/v1/mentoring/me/goals",
        json!({"skills": ["rust", "sql"], "must_have": "rust"}),
    )
    .await;
    put(
        &app,
        &app.token("rep@acme.test").await,
        "/api/v1/mentoring/me/goals",
        json!({"skills": ["sql", "go", "negotiation", "python"], "must_have": "sql"}),
    )
    .await;
    put(
        &app,
        &hr,
        "/api/v1/mentoring/me/mentor",
        json!({"strengths": ["rust", "sql"], "capacity": 1}),
    )
    .await;
    put(
        &app,
        &mgr,
        "/api/v1/mentoring/me/mentor",
        json!({"strengths": ["rust"], "capacity": 1}),
    )
    .await;
    let ends = (today() + chrono::Duration::days(60)).to_string();
    let mut results = Vec::new();
    for goal in ["highest_total", "most_matched"] {
        let r = app
            .api(
                Method::POST,
                "/api/v1/mentoring/rounds",
                Some(&hr),
                Some(json!({"name": goal, "goal": goal, "ends_on": ends})),
            )
            .await
            .json();
        results.push((
            r["matched"].as_i64().unwrap(),
            r["total_score"].as_i64().unwrap(),
        ));
    }
    assert_eq!(results, [(1, 80), (2, 65)], "{backend}");
}

async fn import(app: &TestApp, token: &str, csv: &str) -> common::Response {
    let request = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/talent/import?file_name=pool.csv")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv.to_string()))
        .unwrap();
    app.send(request).await
}

backend_tests!(the_talent_pool_refuses_bad_rows_and_sourcing_appears_only_when_nobody_qualifies);
async fn the_talent_pool_refuses_bad_rows_and_sourcing_appears_only_when_nobody_qualifies(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let dev = app.token("dev@acme.test").await;
    let mgr = app.token("mgr@acme.test").await;
    let hr = app.token("hr@acme.test").await;
    let r = app
        .api(Method::GET, "/api/v1/talent", Some(&dev), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "members do not see rates");
    let r = app
        .api(
            Method::POST,
            "/api/v1/talent",
            Some(&mgr),
            Some(json!({"name": "Kim Park", "skills": [{"skill": "cobol", "level": 4}], "hourly_rate": -5, "hours_per_week": 10, "available_from": today().to_string()})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(fields(&r), ["skills", "hourly_rate"]);

    // A file with bad rows adds nobody and names every row.
    let bad = "Name,Skills,Hourly Rate,Hours Per Week,Available From\n\
               Kim Park,sql:5,lots,20,2026-12-01\n\
               Lee Ray,sqll:5,90,20,2026-12-01\n\
               Ann Bell,sql:5,95,20,2026-12-01\n";
    let r = import(&app, &hr, bad).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend}: {r:?}"
    );
    let messages: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        messages,
        [
            "pool.csv:2: Hourly Rate: \"lots\" is not a number",
            "pool.csv:3: Skills: \"sqll\" is not a skill Trellis knows (from people's skills, opportunities or this pool); did you mean sql?",
        ]
    );
    let pool = app
        .api(Method::GET, "/api/v1/talent", Some(&mgr), None)
        .await
        .json();
    assert_eq!(pool.as_array().unwrap().len(), 0, "nothing written");
    let r = import(&app, &mgr, bad).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "imports are for admins");
    let start = (today() + chrono::Duration::days(10)).to_string();
    let good = format!(
        "Name,Email,Skills,Hourly Rate,Hours Per Week,Available From,Note\n\
         Kim Park,kim@ext.test,sql:5,120,20,{start},\n\
         Ann Bell,,sql:4; rust:3,80,10,{start},Only ten hours\n"
    );
    let r = import(&app, &hr, &good).await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.json()["added"], 2);

    // Nobody inside has sql at 5 with the time: options side by side.
    let o = app
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(&mgr),
            Some(
                json!({"title": "Tune the warehouse", "hours_per_week": 8, "weeks": 5,
                        "requirements": [{"skill": "sql", "level": 5}]}),
            ),
        )
        .await
        .json();
    let s = &o["sourcing"];
    assert!(
        s["reason"]
            .as_str()
            .unwrap()
            .starts_with("Nobody inside qualifies"),
        "{backend}: {o}"
    );
    let options = s["options"].as_array().unwrap();
    assert_eq!(options.len(), 2, "{o}");
    assert_eq!(options[0]["kind"], "internal_stretch");
    assert_eq!(options[0]["summary"], "Stretch Dana Dev (no mentor inside)");
    assert_eq!(options[0]["internal_hours"], 40.0);
    assert_eq!(options[1]["kind"], "external");
    assert_eq!(options[1]["summary"], "Kim Park (talent pool)");
    assert_eq!(options[1]["cost"], 120.0 * 8.0 * 5.0);
    assert_eq!(options[1]["currency"], "EUR");
    assert_eq!(options[1]["lead_time_days"], 10);
    // Ann has only ten hours at level 4: not offered.

    // Someone inside qualifies (Erin has rust at 4 and the time): no options.
    let o = app
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(&mgr),
            Some(
                json!({"title": "Review the rust services", "hours_per_week": 4, "weeks": 2,
                        "requirements": [{"skill": "rust", "level": 4}]}),
            ),
        )
        .await
        .json();
    assert_eq!(o["sourcing"], Value::Null, "{o}");

    // The page shows them to the poster.
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let list = app
        .api(Method::GET, "/api/v1/opportunities", Some(&mgr), None)
        .await
        .json();
    let warehouse = list
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["title"] == "Tune the warehouse")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let page = app
        .get_page(&format!("/opportunities/{warehouse}"), Some(&session))
        .await
        .text();
    assert!(
        page.contains("Other ways to get it done") && page.contains("4,800 EUR"),
        "{backend}"
    );
}

backend_tests!(work_wished_off_is_offered_to_who_wants_it_and_giving_it_grants_the_wish);
async fn work_wished_off_is_offered_to_who_wants_it_and_giving_it_grants_the_wish(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let dev = app.token("dev@acme.test").await;
    let dev2 = app.token("dev2@acme.test").await;
    let mgr = app.token("mgr@acme.test").await;
    let (dev_id, dev2_id, mgr_id) = (
        app.id("dev@acme.test").await,
        app.id("dev2@acme.test").await,
        app.id("mgr@acme.test").await,
    );
    let due = (today() + chrono::Duration::days(5)).to_string();
    let c = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&mgr),
            Some(
                json!({"title": "Port the billing job", "owner_id": dev_id, "due_date": due,
                        "effort_hours": 6, "skills": ["go"]}),
            ),
        )
        .await
        .json();
    let cid = c["id"].as_i64().unwrap();
    for (token, person, body) in [
        (
            &dev,
            dev_id,
            json!({"direction": "off", "commitment_id": cid}),
        ),
        (
            &dev2,
            dev2_id,
            json!({"direction": "on", "what": "more go"}),
        ),
    ] {
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/people/{person}/wishes"),
                Some(token),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{backend}: {r:?}");
    }
    // The wish counts in stretch suggestions: taking stretch work on frees that work.
    let o = app
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(&mgr),
            Some(json!({"title": "Rust CLI", "hours_per_week": 2, "weeks": 3,
                        "requirements": [{"skill": "rust", "level": 3}]})),
        )
        .await
        .json();
    let dana = o["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["person"]["id"] == dev_id)
        .cloned()
        .unwrap();
    assert_eq!(dana["move_off"], 1.0, "{backend}: {dana}");
    assert!(
        dana["explanation"]
            .as_str()
            .unwrap()
            .ends_with("would like \u{201c}Port the billing job\u{201d} moved off their plate."),
        "{dana}"
    );
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/team-work/{mgr_id}"), Some(&session))
        .await
        .text();
    assert!(
        page.contains("Work people would like moved off their plate"),
        "{backend}"
    );
    assert!(
        page.contains("Devi asked for \u{201c}more go\u{201d} and has 32 h free a week."),
        "{page}"
    );
    assert!(page.contains("Give it to Devi Dev"));
    // The API carries the same offers, to the manager only: wishes are private plate data.
    let team = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/team-work"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    let offer = &team["offers"][0];
    assert_eq!(offer["from"]["id"], dev_id, "{backend}: {team}");
    assert_eq!(offer["commitment"]["title"], "Port the billing job");
    assert_eq!(offer["takers"][0]["person"]["id"], dev2_id);
    assert_eq!(
        offer["takers"][0]["reason"],
        "Devi asked for \u{201c}more go\u{201d} and has 32 h free a week."
    );
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/team-work"),
            Some(&dev2),
            None,
        )
        .await;
    if r.status == StatusCode::OK {
        assert_eq!(r.json()["full"], false, "{backend}");
        assert_eq!(
            r.json()["offers"],
            json!([]),
            "{backend}: a teammate sees no offers"
        );
    } else {
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
    }
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{cid}/reassign"),
            Some(&mgr),
            Some(json!({"owner_id": dev2_id, "note": "At Dana's wish"})),
        )
        .await;
    assert!(r.status.is_success(), "{r:?}");
    let team = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/team-work"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    let off: Vec<&Value> = team["wishes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["direction"] == "off")
        .collect();
    assert!(off.is_empty(), "the wish is granted: {off:?}");
    // The new owner is told, with a link to the work; the old owner and the manager are not.
    let told = app
        .store
        .notifications_of(trellis_core::PersonId(dev2_id), 10)
        .await
        .unwrap();
    assert_eq!(told.len(), 1, "{backend}: {told:?}");
    assert_eq!(told[0].note.topic.as_str(), "work_reassigned");
    assert!(
        told[0]
            .note
            .text
            .contains("handed you \u{201c}Port the billing job\u{201d}, due "),
        "{backend}: {}",
        told[0].note.text
    );
    assert_eq!(told[0].note.link, format!("/commitments/{cid}"));
    // The one it left is told where it went; the manager who moved it is not told.
    let left = app
        .store
        .notifications_of(trellis_core::PersonId(dev_id), 10)
        .await
        .unwrap();
    assert_eq!(left.len(), 1, "{backend}: {left:?}");
    assert_eq!(left[0].note.topic.as_str(), "work_taken_away");
    assert!(
        app.store
            .notifications_of(trellis_core::PersonId(mgr_id), 10)
            .await
            .unwrap()
            .is_empty(),
        "{backend}"
    );
}
