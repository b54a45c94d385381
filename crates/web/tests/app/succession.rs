//! Succession: admins mark key roles, refused at the field when a part is wrong; a plan
//! is seen by admins and the chain above the role only — the holder, peers and the
//! candidates get 404 — and the evidence beside a candidate only by the candidate's own
//! chain; ranks move and close up; coverage counts ready-now, none ready and nobody.

use crate::common::{self, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_store::backend_tests;

const ROLES: &str = "/api/v1/succession/key-roles";

async fn mark(app: &TestApp, token: &str, body: Value) -> common::Response {
    app.api(Method::POST, ROLES, Some(token), Some(body)).await
}

async fn put_candidate(
    app: &TestApp,
    token: &str,
    role: i64,
    person: i64,
    body: Value,
) -> common::Response {
    app.api(
        Method::PUT,
        &format!("{ROLES}/{role}/candidates/{person}"),
        Some(token),
        Some(body),
    )
    .await
}

fn names(plan: &Value) -> Vec<(String, u64)> {
    plan["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["person"]["name"].as_str().unwrap().to_string(),
                c["rank"].as_u64().unwrap(),
            )
        })
        .collect()
}

backend_tests!(bad_key_roles_and_candidates_are_refused_at_the_field);
async fn bad_key_roles_and_candidates_are_refused_at_the_field(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let max = app.token("mgr@acme.test").await;
    let max_id = app.id("mgr@acme.test").await;
    let dana = app.id("dev@acme.test").await;
    let rita = app.id("rep@acme.test").await;

    let r = mark(&app, &hr, json!({"impact": "huge"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        r.field_errors(),
        [
            "impact: “huge” is not an impact; choose critical, high or moderate",
            "title: name the person who holds the role, or give a title for a role not yet filled",
        ]
    );
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{rita}"),
            Some(&hr),
            Some(json!({"status": "left"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = mark(&app, &hr, json!({"holder_id": rita, "impact": "high"})).await;
    assert_eq!(
        r.field_errors(),
        ["holder_id: Rita Rep has left the organisation"]
    );
    // Managers do not mark key roles.
    let r = mark(&app, &max, json!({"holder_id": dana, "impact": "high"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let overview = app
        .api(Method::GET, "/api/v1/succession", Some(&hr), None)
        .await
        .json();
    assert_eq!(overview["roles"], json!([]), "nothing written");

    let r = mark(
        &app,
        &hr,
        json!({"holder_id": max_id, "impact": "critical"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let plan = r.json();
    assert_eq!(
        plan["title"], "Engineering Manager",
        "the holder's job title"
    );
    assert_eq!(plan["team"]["name"], "Platform");
    let role = plan["id"].as_i64().unwrap();
    let r = mark(&app, &hr, json!({"holder_id": max_id, "impact": "high"})).await;
    assert_eq!(
        r.field_errors(),
        ["holder_id: Max Manager's role is a key role already (“Engineering Manager”)"]
    );

    for (person, body, error) in [
        (
            dana,
            json!({"readiness": "soon"}),
            "readiness: “soon” is not a readiness; choose ready_now, ready_1_2_years, ready_3_plus_years or ready_once",
        ),
        (
            dana,
            json!({"readiness": "ready_once"}),
            "condition: say what they will be ready once they have done",
        ),
        (
            rita,
            json!({"readiness": "ready_now"}),
            "person_id: Rita Rep has left the organisation",
        ),
        (
            max_id,
            json!({"readiness": "ready_now"}),
            "person_id: Max Manager holds the role",
        ),
        (
            dana,
            json!({"readiness": "ready_now", "rank": 3}),
            "rank: rank 3 is not a place on this plan; choose 1 to 1",
        ),
    ] {
        let r = put_candidate(&app, &hr, role, person, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert_eq!(r.field_errors(), [error]);
    }
    let plan = app
        .api(Method::GET, &format!("{ROLES}/{role}"), Some(&hr), None)
        .await
        .json();
    assert_eq!(plan["candidates"], json!([]), "nothing written");

    // The page says it at the field.
    let session = app.sign_in("hr@acme.test", common::PASSWORD).await.unwrap();
    let r = app
        .post_form(
            "/succession",
            Some(&session),
            None,
            &[
                ("csrf", &session.csrf),
                ("holder_email", "nobody@acme.test"),
                ("impact", "high"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("nobody has the e-mail nobody@acme.test"));
}

backend_tests!(only_admins_and_the_chain_above_see_a_plan_and_evidence_follows_the_candidate);
async fn only_admins_and_the_chain_above_see_a_plan_and_evidence_follows_the_candidate(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let erin = app.token("eng.head@acme.test").await;
    let cleo = app.token("ceo@acme.test").await;
    let max = app.token("mgr@acme.test").await;
    let dana = app.token("dev@acme.test").await;
    let devi = app.token("dev2@acme.test").await;
    let sam = app.token("sales.head@acme.test").await;
    let max_id = app.id("mgr@acme.test").await;
    let dana_id = app.id("dev@acme.test").await;
    let rita_id = app.id("rep@acme.test").await;
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/people/{dana_id}/career-plan"),
            Some(&dana),
            Some(json!({"target_role": "Engineering Manager"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let role = mark(
        &app,
        &hr,
        json!({"holder_id": max_id, "impact": "critical"}),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    // Erin, above Max, builds the plan: Dana from her tree, Rita from Sales.
    let r = put_candidate(
        &app,
        &erin,
        role,
        dana_id,
        json!({"readiness": "ready_now", "note": "Ran the team while Max was away."}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = put_candidate(
        &app,
        &erin,
        role,
        rita_id,
        json!({"readiness": "ready_once", "condition": "after leading a team of three"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let plan = r.json();
    assert_eq!(
        names(&plan),
        [("Dana Dev".to_string(), 1), ("Rita Rep".to_string(), 2)]
    );
    assert_eq!(
        plan["candidates"][1]["condition"],
        "after leading a team of three"
    );
    // Evidence: Dana is in Erin's tree, Rita is not.
    let evidence = plan["evidence"].as_array().unwrap();
    assert_eq!(evidence.len(), 1, "{plan}");
    assert_eq!(evidence[0]["person_id"], dana_id);
    assert_eq!(evidence[0]["evidence"]["next_step"], "Engineering Manager");
    assert_eq!(evidence[0]["evidence"]["stretch_completed"], 0);
    let all = app
        .api(Method::GET, &format!("{ROLES}/{role}"), Some(&cleo), None)
        .await
        .json();
    assert_eq!(
        all["evidence"].as_array().unwrap().len(),
        2,
        "the CEO reaches both"
    );

    // The holder, a candidate, a peer and a manager elsewhere: as if there were no plan.
    for (who, token) in [
        ("holder", &max),
        ("candidate", &dana),
        ("peer", &devi),
        ("elsewhere", &sam),
    ] {
        let r = app
            .api(Method::GET, &format!("{ROLES}/{role}"), Some(token), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
        let r = put_candidate(
            &app,
            token,
            role,
            app.id("dev2@acme.test").await,
            json!({"readiness": "ready_now"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
    }
    let r = app
        .api(Method::GET, "/api/v1/succession", Some(&dana), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let sams = app
        .api(Method::GET, "/api/v1/succession", Some(&sam), None)
        .await
        .json();
    assert_eq!(sams["roles"], json!([]));
    let max_view = app
        .api(Method::GET, "/api/v1/succession", Some(&max), None)
        .await
        .json();
    assert_eq!(
        max_view["roles"],
        json!([]),
        "the holder does not see their own plan"
    );
    let session = app
        .sign_in("dev@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let page = app
        .get_page(&format!("/succession/{role}"), Some(&session))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);

    // A role not yet filled, reporting to Erin: nobody on it yet.
    let r = mark(&app, &hr, json!({"title": "Head of Data", "reports_to_id": app.id("eng.head@acme.test").await, "impact": "high"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let overview = app
        .api(Method::GET, "/api/v1/succession", Some(&erin), None)
        .await
        .json();
    assert_eq!(overview["roles"].as_array().unwrap().len(), 2);
    let c = &overview["coverage"];
    assert_eq!(
        (
            &c["key_roles"],
            &c["covered"],
            &c["not_ready_now"],
            &c["no_successor"]
        ),
        (&json!(2), &json!(1), &json!(0), &json!(1))
    );
    assert_eq!(overview["bench"][0]["department"], "Engineering");
    assert_eq!(overview["bench"][0]["ready_now"], 1);

    // Ranks move and close up.
    let r = put_candidate(
        &app,
        &hr,
        role,
        app.id("dev2@acme.test").await,
        json!({"readiness": "ready_3_plus_years", "rank": 1}),
    )
    .await;
    assert_eq!(
        names(&r.json()),
        [
            ("Devi Dev".to_string(), 1),
            ("Dana Dev".to_string(), 2),
            ("Rita Rep".to_string(), 3)
        ]
    );
    let r = app
        .api(
            Method::DELETE,
            &format!("{ROLES}/{role}/candidates/{dana_id}"),
            Some(&erin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let plan = app
        .api(Method::GET, &format!("{ROLES}/{role}"), Some(&erin), None)
        .await
        .json();
    assert_eq!(
        names(&plan),
        [("Devi Dev".to_string(), 1), ("Rita Rep".to_string(), 2)]
    );
    // Only admins change or remove the role itself.
    let r = app
        .api(
            Method::DELETE,
            &format!("{ROLES}/{role}"),
            Some(&erin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            Method::PATCH,
            &format!("{ROLES}/{role}"),
            Some(&hr),
            Some(json!({"impact": "moderate", "why": "Two others know the system."})),
        )
        .await;
    assert_eq!(r.json()["impact"], "moderate");
    let r = app
        .api(Method::DELETE, &format!("{ROLES}/{role}"), Some(&hr), None)
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .api(Method::GET, &format!("{ROLES}/{role}"), Some(&hr), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
