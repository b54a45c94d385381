//! Stretch opportunities through the router on every configured backend: posting, the
//! explained suggestions and who may read them, accepting (with and without the
//! candidate's manager's approval) and the plan for all open opportunities.

use crate::common;
use trellis_store::backend_tests;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::{Value, json};
use trellis_core::store::prelude::*;

async fn post(app: &TestApp, token: &str, body: Value) -> common::Response {
    app.api(
        Method::POST,
        "/api/v1/opportunities",
        Some(token),
        Some(body),
    )
    .await
}

backend_tests!(a_manager_posts_reads_explained_suggestions_and_accepts_one);
async fn a_manager_posts_reads_explained_suggestions_and_accepts_one(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    let dev = app.token("dev@acme.test").await;
    let dev_id = app.id("dev@acme.test").await;
    // Members do not post; bad input is refused at the field.
    let r = post(&app, &dev, json!({"title": "X", "hours_per_week": 2, "weeks": 2, "requirements": [{"skill": "rust", "level": 3}]})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
    let r = post(
        &app,
        &mgr,
        json!({"title": "Speed up the build", "hours_per_week": 0, "weeks": 4, "requirements": []}),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["hours_per_week", "requirements"]);
    let r = post(
        &app,
        &mgr,
        json!({"title": "Speed up the build", "hours_per_week": 4, "weeks": 6,
               "requirements": [{"skill": "Rust", "level": 3}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let o = r.json();
    let id = o["id"].as_i64().unwrap();
    assert_eq!(o["requirements"][0]["skill"], "rust");
    let first = &o["suggestions"][0];
    assert_eq!(first["person"]["id"], dev_id, "{backend}: {o}");
    let why = first["explanation"].as_str().unwrap();
    assert!(
        why.starts_with("Dana Dev wants to grow rust (2 → 3) and has ")
            && why.ends_with(" h free a week."),
        "{why}"
    );
    // Another team sees the opportunity, not the suggestions.
    let rep = app.token("rep@acme.test").await;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/opportunities/{id}"),
            Some(&rep),
            None,
        )
        .await
        .json();
    assert_eq!(r["can_manage"], false);
    assert!(r["suggestions"].as_array().unwrap().is_empty());
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/opportunities/{id}/accept"),
            Some(&rep),
            Some(json!({"person_id": dev_id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Accepted without approval: the commitment exists at once.
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/opportunities/{id}/accept"),
            Some(&mgr),
            Some(json!({"person_id": dev_id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let p = r.json();
    assert_eq!(p["status"], "approved");
    let c = p["commitment_id"].as_i64().unwrap();
    let c = app
        .api(
            Method::GET,
            &format!("/api/v1/commitments/{c}"),
            Some(&dev),
            None,
        )
        .await
        .json();
    assert_eq!(c["title"], "Speed up the build");
    assert_eq!(c["effort_hours"], 24.0);
    assert_eq!(c["requester"]["id"], app.id("mgr@acme.test").await);
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/opportunities/{id}"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    assert_eq!(r["status"], "filled", "{backend}");
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/opportunities/{id}/accept"),
            Some(&mgr),
            Some(json!({"person_id": dev_id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

backend_tests!(the_candidate_may_answer_first_and_either_side_may_say_no);
/// Consent in the other order, and a no: the candidate may answer before their manager
/// chain, and either of them declining ends the placement; nothing lands on the plate.
async fn the_candidate_may_answer_first_and_either_side_may_say_no(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    let rep = app.token("rep@acme.test").await;
    let sales = app.token("sales.head@acme.test").await;
    let rep_id = app.id("rep@acme.test").await;
    let propose = |title: &'static str| {
        let app = &app;
        let mgr = mgr.clone();
        async move {
            let o = post(
                app,
                &mgr,
                json!({"title": title, "hours_per_week": 2, "weeks": 2,
                       "requirements": [{"skill": "negotiation", "level": 3}]}),
            )
            .await
            .json();
            let id = o["id"].as_i64().unwrap();
            let p = app
                .api(
                    Method::POST,
                    &format!("/api/v1/opportunities/{id}/accept"),
                    Some(&mgr),
                    Some(json!({"person_id": rep_id})),
                )
                .await
                .json();
            assert_eq!(p["candidate_consent"], "asked", "{p}");
            p["id"].as_i64().unwrap()
        }
    };
    let answer = |token: String, pid: i64, agree: bool| {
        let app = &app;
        async move {
            app.api(
                Method::POST,
                &format!("/api/v1/placements/{pid}/answer"),
                Some(&token),
                Some(json!({"agree": agree})),
            )
            .await
        }
    };
    let decide = |pid: i64, approve: bool| {
        let app = &app;
        let sales = sales.clone();
        async move {
            app.api(
                Method::POST,
                &format!("/api/v1/placements/{pid}/decision"),
                Some(&sales),
                Some(json!({"approve": approve})),
            )
            .await
        }
    };

    // Rita agrees first: it waits for her manager, then is hers.
    let first = propose("Interview three customers").await;
    let p = answer(rep.clone(), first, true).await.json();
    assert_eq!(
        (p["status"].as_str(), p["candidate_consent"].as_str()),
        (Some("pending"), Some("agreed")),
        "{backend}: {p}"
    );
    let r = answer(rep.clone(), first, true).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: answered once");
    let p = decide(first, true).await.json();
    assert_eq!(p["status"], "approved", "{backend}: {p}");
    assert!(p["commitment_id"].as_i64().is_some());

    // Rita says no: declined, and her manager has nothing left to decide.
    let second = propose("Run the renewal calls").await;
    let p = answer(rep.clone(), second, false).await.json();
    assert_eq!(p["status"], "declined", "{backend}: {p}");
    assert_eq!(decide(second, true).await.status, StatusCode::CONFLICT);
    let asked = app
        .api(Method::GET, "/api/v1/placements/asked", Some(&rep), None)
        .await
        .json();
    assert_eq!(asked, json!([]), "{backend}: nothing left to answer");

    // Her manager says no first: declined, and Rita is no longer asked.
    let third = propose("Draft the pricing page").await;
    assert_eq!(decide(third, false).await.json()["status"], "declined");
    assert_eq!(
        answer(rep.clone(), third, true).await.status,
        StatusCode::CONFLICT,
        "{backend}"
    );
    let plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{rep_id}/plate"),
            Some(&rep),
            None,
        )
        .await
        .json();
    let titles: Vec<&str> = plate["open"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["title"].as_str())
        .collect();
    assert!(
        titles.contains(&"Interview three customers"),
        "{backend}: {titles:?}"
    );
    assert!(
        !titles.contains(&"Run the renewal calls") && !titles.contains(&"Draft the pricing page"),
        "{backend}: {titles:?}"
    );
}

backend_tests!(another_teams_candidate_needs_their_managers_approval);
async fn another_teams_candidate_needs_their_managers_approval(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    let rep_id = app.id("rep@acme.test").await;
    let o = post(
        &app,
        &mgr,
        // Not asked for: another team's candidate still waits for their own manager.
        json!({"title": "Run the customer interviews", "hours_per_week": 3, "weeks": 4,
               "needs_manager_approval": false,
               "requirements": [{"skill": "negotiation", "level": 3}]}),
    )
    .await
    .json();
    let id = o["id"].as_i64().unwrap();
    let rita = o["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["person"]["id"] == rep_id)
        .unwrap()
        .clone();
    let why = rita["explanation"].as_str().unwrap();
    assert!(
        why.ends_with("has the time free.") && !why.contains(" h free"),
        "{backend}: another team's free hours stay private: {why}"
    );
    for private in ["score", "free_capacity", "move_off", "has_capacity"] {
        assert_eq!(
            rita[private],
            Value::Null,
            "{backend}: {private} of another team"
        );
    }
    assert!(rita["skill_fit"].as_f64().is_some());
    assert_eq!(rita["team"], "Enterprise", "{backend}: whose person it is");
    assert_eq!(rita["manager"], "Sam Sales");
    let dev_id = app.id("dev@acme.test").await;
    let mine = o["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["person"]["id"] == dev_id)
        .cloned();
    if let Some(mine) = mine {
        assert!(mine["score"].as_f64().is_some(), "own tree: figures shown");
    }
    let session = app
        .sign_in("mgr@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let page = app
        .get_page(&format!("/opportunities/{}", o["id"]), Some(&session))
        .await
        .text();
    let row = &page[page.find("Rita Rep").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        !row.contains(", time "),
        "{backend}: no free time on the page: {row}"
    );
    assert!(row.contains("—"), "{row}");
    assert!(row.contains("(Enterprise, reports to Sam Sales)"), "{row}");
    let p = app
        .api(
            Method::POST,
            &format!("/api/v1/opportunities/{id}/accept"),
            Some(&mgr),
            Some(json!({"person_id": rep_id})),
        )
        .await
        .json();
    assert_eq!(p["status"], "pending", "{backend}");
    assert_eq!(p["commitment_id"], Value::Null);
    let pid = p["id"].as_i64().unwrap();
    // Rita is not offered buttons she may not use on her own placement.
    let rita_session = app
        .sign_in("rep@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let own = app
        .get_page(&format!("/team-work/{rep_id}"), Some(&rita_session))
        .await;
    assert!(!own.text().contains("Approve Rita Rep"), "{backend}");
    let sales = app
        .sign_in("sales.head@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let head_id = app.id("sales.head@acme.test").await;
    let theirs = app
        .get_page(&format!("/team-work/{head_id}"), Some(&sales))
        .await
        .text();
    assert!(
        theirs.contains("Approve Rita Rep"),
        "{backend}: her manager decides"
    );
    // Declining is asked once (no JavaScript): the first post only asks.
    let r = app
        .post_form(
            &format!("/placements/{pid}/decision"),
            Some(&sales),
            None,
            &[("csrf", &sales.csrf), ("approve", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{backend}");
    assert!(
        r.text().contains("Decline this placement?")
            && r.text().contains("name=\"confirmed\" value=\"1\""),
        "{}",
        r.text()
    );
    let still = app
        .api(
            Method::GET,
            &format!("/api/v1/opportunities/{id}"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    assert_eq!(
        still["placements"][0]["status"], "pending",
        "{backend}: nothing decided yet"
    );
    // Neither the poster nor the person decides; their manager chain or an admin does.
    for who in ["mgr@acme.test", "rep@acme.test"] {
        let token = app.token(who).await;
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/placements/{pid}/decision"),
                Some(&token),
                Some(json!({"approve": true})),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{who}");
    }
    let hr = app.token("hr@acme.test").await;
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/placements/{pid}/decision"),
            Some(&hr),
            Some(json!({"approve": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let p = r.json();
    // Rita is from outside the poster's tree: she is asked too, and nothing is on her
    // plate until she agrees.
    assert_eq!(p["status"], "pending", "{backend}");
    assert_eq!(p["manager_approved"], true);
    assert_eq!(p["candidate_consent"], "asked");
    assert_eq!(p["commitment_id"], Value::Null);
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/placements/{pid}/decision"),
            Some(&hr),
            Some(json!({"approve": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{backend}: approved once");
    // Only Rita answers; to anyone else the question does not exist.
    for who in ["mgr@acme.test", "sales.head@acme.test", "hr@acme.test"] {
        let token = app.token(who).await;
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/placements/{pid}/answer"),
                Some(&token),
                Some(json!({"agree": true})),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {who}");
    }
    let rep = app.token("rep@acme.test").await;
    let asked = app
        .api(Method::GET, "/api/v1/placements/asked", Some(&rep), None)
        .await
        .json();
    assert_eq!(asked[0]["id"], pid, "{backend}: {asked}");
    let plate_page = app
        .get_page(&format!("/people/{rep_id}/plate"), Some(&rita_session))
        .await
        .text();
    assert!(
        plate_page.contains("Stretch work you are asked about")
            && plate_page.contains("your manager agreed")
            && plate_page.contains(&format!("action=\"/placements/{pid}/answer\"")),
        "{backend}: {plate_page}"
    );
    let r = app
        .post_form(
            &format!("/placements/{pid}/answer"),
            Some(&rita_session),
            None,
            &[("csrf", &rita_session.csrf), ("agree", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
    let p = app
        .api(
            Method::GET,
            &format!("/api/v1/opportunities/{id}"),
            Some(&mgr),
            None,
        )
        .await
        .json()["placements"][0]
        .clone();
    assert_eq!(p["status"], "approved", "{backend}: {p}");
    assert_eq!(p["candidate_consent"], "agreed");
    assert!(p["commitment_id"].as_i64().is_some());
    // Each step is in the audit log, about Rita, in the order it happened.
    let steps: Vec<(String, Option<String>)> = app
        .store
        .audit_log(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.entry.action.starts_with("placement."))
        .map(|l| (l.entry.action, l.subject_person.map(|(_, name)| name)))
        .collect();
    let rita = Some("Rita Rep".to_string());
    assert_eq!(
        steps,
        [
            ("placement.answer".to_string(), rita.clone()),
            ("placement.answer".to_string(), rita.clone()),
            ("placement.propose".to_string(), rita.clone()),
        ],
        "{backend}"
    );
    // Whoever should act or know was told, in the same transaction as each step; the
    // person who acted is not told what they did.
    let told = |id: i64| {
        let store = app.store.clone();
        async move {
            store
                .notifications_of(trellis_core::PersonId(id), 10)
                .await
                .unwrap()
                .into_iter()
                .map(|k| (k.note.topic.as_str(), k.note.text, k.note.link))
                .collect::<Vec<_>>()
        }
    };
    let link = format!("/opportunities/{id}");
    assert_eq!(
        told(rep_id).await,
        [(
            "stretch_proposed",
            "You are proposed for the stretch work \u{201c}Run the customer interviews\u{201d}; your answer is asked.".to_string(),
            link.clone()
        )],
        "{backend}"
    );
    assert_eq!(
        told(head_id).await,
        [(
            "placement_to_approve",
            "Rita Rep is proposed for the stretch work \u{201c}Run the customer interviews\u{201d}; it waits for your approval.".to_string(),
            format!("/team-work/{head_id}#approvals")
        )],
        "{backend}"
    );
    assert_eq!(
        told(app.id("mgr@acme.test").await).await,
        [(
            "placement_answered",
            "Rita Rep takes on \u{201c}Run the customer interviews\u{201d}.".to_string(),
            link.clone()
        )],
        "{backend}"
    );
    let plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{rep_id}/plate"),
            Some(&rep),
            None,
        )
        .await
        .json();
    assert!(
        plate["open"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["title"] == "Run the customer interviews"),
        "{backend}: on Rita's plate"
    );
}

backend_tests!(the_plan_gives_each_open_opportunity_its_best_owner_overall);
async fn the_plan_gives_each_open_opportunity_its_best_owner_overall(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    for (title, skill) in [
        ("Rust work", "rust"),
        ("Go work", "go"),
        ("Haskell work", "haskell"),
    ] {
        let r = post(
            &app,
            &mgr,
            json!({"title": title, "hours_per_week": 2, "weeks": 2,
                   "requirements": [{"skill": skill, "level": 2}]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED);
    }
    let plan = app
        .api(Method::GET, "/api/v1/opportunities/plan", Some(&mgr), None)
        .await
        .json();
    let rows = plan["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3, "{backend}");
    let owner = |title: &str| {
        rows.iter()
            .find(|r| r["opportunity"]["title"] == title)
            .unwrap()["suggestion"]["person"]["name"]
            .clone()
    };
    assert_eq!(owner("Go work"), "Devi Dev");
    assert_ne!(owner("Rust work"), "Devi Dev", "nobody takes two");
    assert_eq!(owner("Haskell work"), Value::Null, "nobody has the skill");
    let dev = app.token("dev@acme.test").await;
    let r = app
        .api(Method::GET, "/api/v1/opportunities/plan", Some(&dev), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

backend_tests!(career_plans_are_private_reviewed_together_and_support_lands_on_both_plates);
async fn career_plans_are_private_reviewed_together_and_support_lands_on_both_plates(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let dev = app.token("dev@acme.test").await;
    let mgr = app.token("mgr@acme.test").await;
    let dev_id = app.id("dev@acme.test").await;
    let mgr_id = app.id("mgr@acme.test").await;
    let path = format!("/api/v1/people/{dev_id}/career-plan");
    let r = app
        .api(
            Method::PUT,
            &path,
            Some(&dev),
            Some(
                json!({"target_role": "Senior Engineer", "target_level_id": 999999,
                        "growth_areas": [{"skill": "sql", "current": 3, "target": 3}]}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["target_level", "growth_areas[0]"]);
    let r = app
        .api(
            Method::PUT,
            &path,
            Some(&dev),
            Some(
                json!({"target_role": "Senior Engineer", "strengths": "Calm in incidents",
                        "growth_areas": [{"skill": "SQL", "current": 3, "target": 4}]}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let plan = r.json();
    assert_eq!(plan["growth_areas"][0]["skill"], "sql");
    assert_eq!(plan["stale"], true, "never reviewed");
    // Peers and other teams see nothing; the manager chain sees it.
    for who in ["dev2@acme.test", "rep@acme.test"] {
        let token = app.token(who).await;
        let r = app.api(Method::GET, &path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}: {who}");
    }
    let head = app.token("eng.head@acme.test").await;
    let r = app.api(Method::GET, &path, Some(&head), None).await;
    assert_eq!(r.json()["target_role"], "Senior Engineer");
    // The review is recorded by the manager, with the person.
    let r = app
        .api(Method::POST, &format!("{path}/review"), Some(&dev), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(Method::POST, &format!("{path}/review"), Some(&mgr), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["stale"], false);
    // Support: a commitment of the manager's, on both plates.
    let due = (trellis_core::clock::local_date(None, trellis_web::now())
        + chrono::Duration::days(10))
    .to_string();
    let r = app
        .api(
            Method::POST,
            &format!("{path}/support"),
            Some(&mgr),
            Some(json!({"what": "Pair on the query planner", "due_date": due, "effort_hours": 2})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let plan = r.json();
    let title = "Help Dana Dev: Pair on the query planner";
    assert_eq!(plan["support"][0]["title"], title);
    let told = app
        .store
        .notifications_of(trellis_core::PersonId(dev_id), 10)
        .await
        .unwrap();
    assert_eq!(told.len(), 1, "{backend}: {told:?}");
    assert_eq!(told[0].note.topic.as_str(), "support_promised");
    assert_eq!(
        told[0].note.text,
        format!(
            "Max Manager promised support on your career plan: Pair on the query planner, by {due}."
        )
    );
    assert_eq!(told[0].note.link, format!("/people/{dev_id}/career"));
    let audited: Vec<String> = app
        .store
        .audit_log(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.entry.action.starts_with("career_plan."))
        .map(|l| format!("{} {}", l.entry.action, l.subject_person.unwrap().1))
        .collect();
    assert_eq!(
        audited,
        [
            "career_plan.support Dana Dev",
            "career_plan.review Dana Dev",
            "career_plan.save Dana Dev"
        ],
        "{backend}: every change to the plan is audited"
    );
    let whats: Vec<&str> = plan["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["what"].as_str().unwrap())
        .collect();
    assert_eq!(
        whats,
        [
            &format!("Support promised: {title}")[..],
            "Reviewed together",
            "Plan updated"
        ]
    );
    let dev_plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dev_id}/plate"),
            Some(&dev),
            None,
        )
        .await
        .json();
    assert_eq!(dev_plate["support_for_me"][0]["title"], title, "{backend}");
    let mgr_plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/plate"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    assert!(
        mgr_plate["open"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["title"] == title)
    );
}

backend_tests!(plate_wishes_reach_the_manager_and_no_one_else);
async fn plate_wishes_reach_the_manager_and_no_one_else(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let dev = app.token("dev@acme.test").await;
    let mgr = app.token("mgr@acme.test").await;
    let dev_id = app.id("dev@acme.test").await;
    let mgr_id = app.id("mgr@acme.test").await;
    let due = (trellis_core::clock::local_date(None, trellis_web::now())
        + chrono::Duration::days(3))
    .to_string();
    let c = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&dev),
            Some(json!({"title": "Weekly on-call report", "due_date": due, "effort_hours": 2})),
        )
        .await
        .json();
    let path = format!("/api/v1/people/{dev_id}/wishes");
    let r = app
        .api(
            Method::POST,
            &path,
            Some(&dev),
            Some(json!({"direction": "off", "commitment_id": c["id"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{backend}: {r:?}");
    assert_eq!(r.json()["what"], "Weekly on-call report");
    let r = app
        .api(
            Method::POST,
            &path,
            Some(&dev),
            Some(json!({"direction": "on", "what": "more SQL"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let on_id = r.json()["id"].as_i64().unwrap();
    let r = app
        .api(
            Method::POST,
            &path,
            Some(&dev),
            Some(json!({"direction": "on", "what": " "})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A teammate can neither add nor read them.
    let dev2 = app.token("dev2@acme.test").await;
    let r = app
        .api(
            Method::POST,
            &path,
            Some(&dev2),
            Some(json!({"direction": "on", "what": "x"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let team = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/team-work"),
            Some(&dev2),
            None,
        )
        .await
        .json();
    assert!(
        team["wishes"].as_array().unwrap().is_empty(),
        "members see priorities only"
    );
    // The manager sees both next to workload.
    let team = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/team-work"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    let wishes: Vec<(String, String)> = team["wishes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["direction"].as_str().unwrap().into(),
                w["what"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        wishes,
        [
            ("off".to_string(), "Weekly on-call report".to_string()),
            ("on".into(), "more SQL".into())
        ],
        "{backend}"
    );
    let r = app
        .api(
            Method::DELETE,
            &format!("/api/v1/wishes/{on_id}"),
            Some(&dev),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dev_id}/plate"),
            Some(&dev),
            None,
        )
        .await
        .json();
    assert_eq!(plate["wishes"].as_array().unwrap().len(), 1);
}

backend_tests!(support_promised_in_a_career_plan_is_not_team_work_for_the_managers_peers);
async fn support_promised_in_a_career_plan_is_not_team_work_for_the_managers_peers(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let head = app.token("eng.head@acme.test").await;
    let mgr_id = app.id("mgr@acme.test").await;
    let ceo_id = app.id("ceo@acme.test").await;
    let due = (trellis_core::clock::local_date(None, trellis_web::now())
        + chrono::Duration::days(10))
    .to_string();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/people/{mgr_id}/career-plan/support"),
            Some(&head),
            Some(json!({"what": "Sponsor the architecture course", "due_date": due, "effort_hours": 3})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{backend}: {r:?}");
    let id = r.json()["support"][0]["id"].as_i64().unwrap();
    let read = |who: &'static str| {
        let app = &app;
        async move {
            let token = app.token(who).await;
            app.api(
                Method::GET,
                &format!("/api/v1/commitments/{id}"),
                Some(&token),
                None,
            )
            .await
            .status
        }
    };
    // Erin's peers under the CEO read team work, not what she promised Max.
    assert_eq!(
        read("sales.head@acme.test").await,
        StatusCode::NOT_FOUND,
        "{backend}"
    );
    assert_eq!(read("hr@acme.test").await, StatusCode::OK, "admins");
    assert_eq!(
        read("mgr@acme.test").await,
        StatusCode::OK,
        "the person it is about"
    );
    assert_eq!(
        read("eng.head@acme.test").await,
        StatusCode::OK,
        "the owner"
    );
    assert_eq!(
        read("ceo@acme.test").await,
        StatusCode::OK,
        "the owner's chain"
    );
    let sales = app.token("sales.head@acme.test").await;
    let team = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{ceo_id}/team-work"),
            Some(&sales),
            None,
        )
        .await;
    assert_eq!(team.status, StatusCode::OK, "{backend}: {team:?}");
    assert!(
        !team.text().contains("Sponsor the architecture course"),
        "{backend}: not in the teammates' view"
    );
}
