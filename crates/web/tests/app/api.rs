//! The API through the router, on every configured backend: what each role may see and do,
//! and how bad input is answered.

use crate::common;
use trellis_store::backend_tests;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::TestApp;
use serde_json::json;

backend_tests!(health_and_authentication);
async fn health_and_authentication(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let r = app.api(Method::GET, "/healthz", None, None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "ok");
    let token = app.token("dev@acme.test").await;
    let r = app
        .api(Method::GET, "/api/v1/people", Some(&token), None)
        .await;
    for (name, value) in [
        ("cache-control", "no-store"),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
    ] {
        assert_eq!(r.headers[name], value, "{name}");
    }
    let csp = r.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self';") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    let r = app.api(Method::GET, "/api/v1/people", None, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{backend}");
    assert_eq!(r.json()["error"]["code"], "unauthenticated");
    let r = app
        .api(Method::GET, "/api/v1/people", Some("not-a-token"), None)
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not valid")
    );
    let token = app.token("dev@acme.test").await;
    let me = app
        .api(Method::GET, "/api/v1/me", Some(&token), None)
        .await
        .json();
    assert_eq!(me["role"], "member");
    let token = app.token("mgr@acme.test").await;
    let me = app
        .api(Method::GET, "/api/v1/me", Some(&token), None)
        .await
        .json();
    assert_eq!(me["role"], "manager");
}

backend_tests!(private_fields_follow_the_reporting_tree);
async fn private_fields_follow_the_reporting_tree(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let dev = app.id("dev@acme.test").await;
    let path = format!("/api/v1/people/{dev}");
    // Dana herself, her manager and her manager's manager see her employment details.
    for (email, relation) in [
        ("dev@acme.test", "myself"),
        ("mgr@acme.test", "in_my_tree"),
        ("eng.head@acme.test", "in_my_tree"),
        ("hr@acme.test", "admin"),
    ] {
        let token = app.token(email).await;
        let p = app.api(Method::GET, &path, Some(&token), None).await.json();
        assert_eq!(p["relation"], relation, "{backend} {email}");
        assert_eq!(p["employee_id"], "E4", "{backend} {email}");
        assert_eq!(p["level"], "L2");
        assert_eq!(p["start_date"], "2021-04-01");
    }
    // A peer and someone in another department see the directory card only.
    for email in ["dev2@acme.test", "rep@acme.test"] {
        let token = app.token(email).await;
        let p = app.api(Method::GET, &path, Some(&token), None).await.json();
        assert_eq!(p["relation"], "colleague", "{backend} {email}");
        assert!(p.get("employee_id").is_none(), "{backend} {email}: {p}");
        assert!(p.get("level").is_none());
        assert!(p.get("start_date").is_none());
        assert_eq!(p["email"], "dev@acme.test");
        assert_eq!(p["managers"][0]["email"], "mgr@acme.test");
    }
    // A manager does not see up their own chain.
    let token = app.token("mgr@acme.test").await;
    let ceo = app.id("ceo@acme.test").await;
    let p = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{ceo}"),
            Some(&token),
            None,
        )
        .await
        .json();
    assert!(p.get("employee_id").is_none());
    // Levels are private, so only admins may filter by them.
    let r = app
        .api(Method::GET, "/api/v1/people?level_id=1", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

backend_tests!(people_change_only_what_they_may);
async fn people_change_only_what_they_may(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let rep = app.id("rep@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let token = app.token("rep@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{dev}"),
            Some(&token),
            Some(json!({"preferred_name": "D"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "{backend}: another person's profile"
    );
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{rep}"),
            Some(&token),
            Some(json!({"title": "CEO"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("title")
    );
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{rep}"),
            Some(&token),
            Some(json!({"preferred_name": "Ri", "time_zone": "America/New_York", "skills": [{"skill": "SQL", "level": 2, "wants_to_grow": true}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = r.json();
    assert_eq!(p["display_name"], "Ri Rep");
    assert_eq!(p["skills"][0]["skill"], "sql");
    // null clears a field.
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{rep}"),
            Some(&token),
            Some(json!({"preferred_name": null})),
        )
        .await;
    assert_eq!(r.json()["display_name"], "Rita Rep");
    // Bad values are named at their field, all at once.
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{rep}"),
            Some(&token),
            Some(json!({"time_zone": "Mars/Olympus Mons", "skills": [{"skill": "sql", "level": 9, "wants_to_grow": false}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["skills[0].level"]);
}

backend_tests!(a_change_checks_what_it_changes);
/// A change is checked where it changes something: Dana's title can be changed after her
/// manager left, while choosing a leaver as manager, or an e-mail someone else holds, is
/// still refused at its field.
async fn a_change_checks_what_it_changes(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let admin = app.token("hr@acme.test").await;
    let (mgr, dev, dev2) = (
        app.id("mgr@acme.test").await,
        app.id("dev@acme.test").await,
        app.id("dev2@acme.test").await,
    );
    let patch = |id: i64, body: serde_json::Value| {
        let (app, admin) = (&app, &admin);
        async move {
            app.api(
                Method::PATCH,
                &format!("/api/v1/people/{id}"),
                Some(admin),
                Some(body),
            )
            .await
        }
    };
    let r = patch(mgr, json!({"status": "left"})).await;
    assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
    let r = patch(dev, json!({"title": "Senior Software Engineer"})).await;
    assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
    assert_eq!(r.json()["title"], "Senior Software Engineer");
    let ceo = app.id("ceo@acme.test").await;
    let r = patch(ceo, json!({"manager_id": mgr})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    assert!(r.text().contains("Max Manager has left"), "{}", r.text());
    let r = patch(dev2, json!({"email": "DEV@acme.test"})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    assert!(
        r.text().contains("already belongs to another person"),
        "{}",
        r.text()
    );
}

backend_tests!(admins_create_people_and_reporting_loops_are_refused);
async fn admins_create_people_and_reporting_loops_are_refused(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let member = app.token("dev@acme.test").await;
    let admin = app.token("hr@acme.test").await;
    let mgr = app.id("mgr@acme.test").await;
    let body = json!({"name": "Nia New", "email": "Nia@Acme.test", "manager_id": mgr, "start_date": "2026-01-05"});
    let r = app
        .api(
            Method::POST,
            "/api/v1/people",
            Some(&member),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
    let r = app
        .api(
            Method::POST,
            "/api/v1/people",
            Some(&admin),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["email"], "nia@acme.test");
    assert_eq!(r.json()["managers"][0]["email"], "mgr@acme.test");
    let r = app
        .api(Method::POST, "/api/v1/people", Some(&admin), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "email");
    // The CEO may not report to someone below them.
    let ceo = app.id("ceo@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{ceo}"),
            Some(&admin),
            Some(json!({"manager_id": dev})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    let message = r.json()["error"]["fields"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("reporting loop") && message.contains("Dana Dev"),
        "{message}"
    );
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{ceo}"),
            Some(&admin),
            Some(json!({"manager_id": ceo})),
        )
        .await;
    assert!(r.text().contains("cannot report to themselves"));
}

backend_tests!(people_who_left_leave_the_directory);
async fn people_who_left_leave_the_directory(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let admin = app.token("hr@acme.test").await;
    let member = app.token("dev@acme.test").await;
    let dev2 = app.id("dev2@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{dev2}"),
            Some(&admin),
            Some(json!({"status": "left"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dev2}"),
            Some(&member),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend}");
    let list = app
        .api(Method::GET, "/api/v1/people?q=dev", Some(&member), None)
        .await
        .json();
    assert_eq!(list["total"], 1);
    // include_left is ignored for members, honoured for admins.
    let list = app
        .api(
            Method::GET,
            "/api/v1/people?q=dev&include_left=true",
            Some(&member),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 1);
    let list = app
        .api(
            Method::GET,
            "/api/v1/people?q=dev&include_left=true",
            Some(&admin),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 2);
    // Their account no longer signs in.
    assert!(
        app.sign_in("dev2@acme.test", common::PASSWORD)
            .await
            .is_err()
    );
}

backend_tests!(org_subtrees_and_teams);
async fn org_subtrees_and_teams(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let token = app.token("rep@acme.test").await;
    let roots = app
        .api(Method::GET, "/api/v1/org", Some(&token), None)
        .await
        .json();
    assert_eq!(roots.as_array().unwrap().len(), 1);
    let ceo = roots[0]["id"].as_i64().unwrap();
    let tree = app
        .api(
            Method::GET,
            &format!("/api/v1/org/{ceo}?depth=2"),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(tree["person"]["report_count"], 3, "{backend}");
    let eng = tree["reports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["person"]["email"] == "eng.head@acme.test")
        .unwrap();
    assert_eq!(eng["reports"][0]["person"]["email"], "mgr@acme.test");
    assert_eq!(
        eng["reports"][0]["reports"].as_array().unwrap().len(),
        0,
        "depth limit"
    );
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/org/{ceo}?depth=9"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(Method::GET, "/api/v1/org/999999", Some(&token), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let teams = app
        .api(Method::GET, "/api/v1/teams", Some(&token), None)
        .await
        .json();
    let platform = teams
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Platform")
        .unwrap();
    assert_eq!(platform["parent"], "Engineering");
    assert_eq!(platform["member_count"], 3);
    let detail = app
        .api(
            Method::GET,
            &format!("/api/v1/teams/{}", platform["id"]),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(detail["members"].as_array().unwrap().len(), 3);
}

backend_tests!(changes_of_manager_level_title_and_skills_are_kept_as_org_history);
/// Org history: a change of manager, level, title or skills, through the API or an import,
/// is kept with its date and author; level and status changes are seen only by those who
/// see the fields; a person the viewer may not see has no history to read.
async fn changes_of_manager_level_title_and_skills_are_kept_as_org_history(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let eng_head = app.id("eng.head@acme.test").await;
    let levels = app
        .api(Method::GET, "/api/v1/levels", Some(&hr), None)
        .await
        .json();
    let l3 = levels
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == "L3")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let history = |token: String| {
        let app = &app;
        async move {
            let r = app
                .api(
                    Method::GET,
                    &format!("/api/v1/people/{dev}/history"),
                    Some(&token),
                    None,
                )
                .await;
            (r.status, r.json())
        }
    };
    assert_eq!(
        history(hr.clone()).await.1,
        json!([]),
        "{backend}: nothing yet"
    );

    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{dev}"),
            Some(&hr),
            Some(json!({"title": "Senior Software Engineer", "level_id": l3, "manager_id": eng_head, "location": "Paris"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
    let (status, entries) = history(hr.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let shown: Vec<(String, String, String)> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_string(),
                e["before"].as_str().unwrap_or("").to_string(),
                e["after"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let owned = |f: &str, b: &str, a: &str| (f.to_string(), b.to_string(), a.to_string());
    assert_eq!(
        shown,
        vec![
            owned("title", "Software Engineer", "Senior Software Engineer"),
            owned("level", "L2", "L3"),
            owned("manager", "Max Manager", "Erin Eng"),
        ],
        "{backend}: newest first, the location is not history"
    );
    assert_eq!(entries[0]["by"]["name"], "Hana Hr");
    assert_eq!(entries[0]["source"], "api");
    assert_eq!(
        entries[0]["effective_on"].as_str().unwrap().len(),
        10,
        "a date"
    );

    // The person sees their own level change; a colleague sees the title and manager only.
    let (_, own) = history(app.token("dev@acme.test").await).await;
    assert_eq!(own.as_array().unwrap().len(), 3);
    let (status, colleague) = history(app.token("rep@acme.test").await).await;
    assert_eq!(status, StatusCode::OK);
    let fields: Vec<&str> = colleague
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["title", "manager"],
        "{backend}: no level for a colleague"
    );

    // An import's changes are kept too, with the import as their source, and so is a
    // person marked as having left.
    let csv = "Email,Name,Manager Email,Team,Title,Level,Skills\n\
         dev@acme.test,Dana Dev,eng.head@acme.test,Platform,Senior Software Engineer,L3,rust:3+; sql:3\n";
    let r = import(&app, &hr, "?file_name=hris.csv", csv).await;
    assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
    let (_, entries) = history(hr.clone()).await;
    assert_eq!(entries[0]["field"], "skills", "{backend}: {entries}");
    assert_eq!(entries[0]["before"], "rust:2+; sql:3");
    assert_eq!(entries[0]["after"], "rust:3+; sql:3");
    assert_eq!(entries[0]["source"], "import");
    assert_eq!(
        entries.as_array().unwrap().len(),
        4,
        "only the skills changed"
    );

    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{dev}"),
            Some(&hr),
            Some(json!({"status": "left"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let (_, entries) = history(hr.clone()).await;
    assert_eq!(entries[0]["field"], "status");
    assert_eq!(entries[0]["after"], "left");
    // A leaver is not found by a colleague, nor is their history.
    let (status, _) = history(app.token("rep@acme.test").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{backend}");
}

/// The framework's own refusals come in the API's one error shape, with the status the
/// document gives for every operation.
#[tokio::test]
async fn refusals_of_unreadable_requests_are_json_errors_the_document_lists() {
    let app = TestApp::new("sqlite").await;
    let token = app.token("hr@acme.test").await;
    let r = app
        .api(
            Method::GET,
            "/api/v1/people/not-a-number",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.json()["error"]["code"], "bad_request", "{}", r.text());
    let r = app
        .api(
            Method::GET,
            "/api/v1/people/1/team-work?window_days=-3",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("window_days")
    );
    let r = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/commitments")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "text/plain")
                .body(Body::from("title"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(r.json()["error"]["code"].is_string(), "{}", r.text());
    // JSON has one number type: an integer written as 8.0 is the integer 8.
    let rep = app.id("rep@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{rep}"),
            Some(&token),
            Some(serde_json::json!({"manager_id": app.id("ceo@acme.test").await as f64})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{rep}"),
            Some(&token),
            Some(serde_json::json!({"manager_id": 1.5})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("manager_id"),
        "the field is named: {}",
        r.text()
    );
    let doc = trellis_web::api::openapi_document();
    let doc = serde_json::to_value(&doc).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let codes = op["responses"].as_object().unwrap();
            assert!(
                codes.contains_key("401") && codes.contains_key("503"),
                "{method} {path}"
            );
            if path.contains('{') {
                assert!(codes.contains_key("404"), "{method} {path}");
            }
            if op.get("requestBody").is_some() {
                assert!(
                    codes.contains_key("415") && codes.contains_key("422"),
                    "{method} {path}"
                );
            }
        }
    }
}

async fn import(app: &TestApp, token: &str, query: &str, csv: &str) -> common::Response {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/imports/people{query}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(csv.to_string()))
            .unwrap(),
    )
    .await
}

backend_tests!(imports_report_every_error_and_write_nothing);
async fn imports_report_every_error_and_write_nothing(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let admin = app.token("hr@acme.test").await;
    let member = app.token("dev@acme.test").await;
    let csv = "Email,Name,Manager Email,Start Date\nnew@acme.test,New Person,mgr@acme.test,2026-01-05\nbad,Bad Email,,\nx@acme.test,X,nobody@acme.test,31/02/2020\n";
    let r = import(&app, &member, "", csv).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
    let r = import(&app, &admin, "?file_name=hris.csv", csv).await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend}: {}",
        r.text()
    );
    let report = r.json();
    let lines: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            "hris.csv:3: Email: \"bad\" is not an e-mail address",
            "hris.csv:4: Start Date: \"31/02/2020\" is not a valid date",
            "hris.csv:4: Manager Email: no person with e-mail nobody@acme.test in the file or in Trellis",
        ]
    );
    assert_eq!(report["applied"], false);
    let list = app
        .api(
            Method::GET,
            "/api/v1/people?q=new%40acme",
            Some(&admin),
            None,
        )
        .await
        .json();
    assert_eq!(list["total"], 0, "nothing was written");
    // A dry run of a good file writes nothing either; the real run does.
    let good = "Email,Name,Manager Email\nnew@acme.test,New Person,mgr@acme.test\n";
    let r = import(&app, &admin, "?dry_run=true", good).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["created"], 1);
    assert_eq!(r.json()["applied"], false);
    assert_eq!(
        app.api(
            Method::GET,
            "/api/v1/people?q=new%40acme",
            Some(&admin),
            None
        )
        .await
        .json()["total"],
        0
    );
    let r = import(&app, &admin, "", good).await;
    assert_eq!(r.json()["applied"], true);
    assert_eq!(
        app.api(
            Method::GET,
            "/api/v1/people?q=new%40acme",
            Some(&admin),
            None
        )
        .await
        .json()["total"],
        1
    );
}

backend_tests!(a_cut_off_file_or_a_mass_leave_through_the_api_writes_nothing);
async fn a_cut_off_file_or_a_mass_leave_through_the_api_writes_nothing(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let admin = app.token("hr@acme.test").await;
    let export = app
        .api(Method::GET, "/api/v1/people?q=Max", Some(&admin), None)
        .await
        .json();
    assert_eq!(export["total"], 1);
    // Cut after the Title column: every row short, in CRLF as Excel writes it.
    let cut = "Email,Name,Title,Manager Email,Team\r\nmgr@acme.test,Max Manager,Engineering Manager\r\ndev@acme.test,Dana Dev,Software Engineer\r\n";
    let r = import(&app, &admin, "?file_name=hris.csv", cut).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    let lines: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["text"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        lines,
        [
            "hris.csv:2: row: row has 3 cells, the header has 5",
            "hris.csv:3: row: row has 3 cells, the header has 5"
        ]
    );
    let dev = app.id("dev@acme.test").await;
    let chain = trellis_core::org::store::PersonStore::manager_chain(
        app.store.as_ref(),
        trellis_core::PersonId(dev),
    )
    .await
    .unwrap();
    assert_eq!(
        chain[0].email, "mgr@acme.test",
        "{backend}: nothing changed"
    );

    let two = "Email,Name\nceo@acme.test,Cleo Ceo\ndev@acme.test,Dana Dev\n";
    let r = import(&app, &admin, "?deactivate_missing=true", two).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    let report = r.json();
    assert_eq!(report["deactivated"], 5);
    let leaving: Vec<&str> = report["leaving"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["email"].as_str().unwrap())
        .collect();
    assert!(leaving.contains(&"mgr@acme.test") && !leaving.contains(&"hr@acme.test"));
    assert!(
        report["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("5 of the 8 active people")
    );
    let r = import(
        &app,
        &admin,
        "?deactivate_missing=true&allow_mass_leave=true",
        two,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
    assert_eq!(r.json()["applied"], true);
}

backend_tests!(search_matches_employee_ids_only_for_viewers_who_may_read_them);
async fn search_matches_employee_ids_only_for_viewers_who_may_read_them(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let total = |token: String, q: &'static str| {
        let app = &app;
        async move {
            app.api(
                Method::GET,
                &format!("/api/v1/people?q={q}"),
                Some(&token),
                None,
            )
            .await
            .json()["total"]
                .clone()
        }
    };
    let member = app.token("rep@acme.test").await;
    let admin = app.token("hr@acme.test").await;
    assert_eq!(
        total(member.clone(), "E4").await,
        0,
        "{backend}: no id search"
    );
    assert_eq!(total(member, "dana").await, 1);
    assert_eq!(
        total(admin, "e4").await,
        1,
        "{backend}: admins read every id"
    );
}

backend_tests!(a_person_who_left_is_404_everywhere_for_colleagues_as_an_unknown_id_is);
async fn a_person_who_left_is_404_everywhere_for_colleagues_as_an_unknown_id_is(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let admin = app.token("hr@acme.test").await;
    let mgr = app.token("mgr@acme.test").await;
    let peer = app.token("dev2@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let work = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&mgr),
            Some(serde_json::json!({"title": "Hand over", "owner_id": dev,
                "due_date": (chrono::Utc::now().date_naive() + chrono::Duration::days(3)).to_string(),
                "effort_hours": 2})),
        )
        .await
        .json();
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{dev}"),
            Some(&admin),
            Some(serde_json::json!({"status": "left"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{backend}");
    let unknown = 999_999;
    for (path, hidden, missing) in [
        (
            "people",
            format!("/api/v1/people/{dev}"),
            format!("/api/v1/people/{unknown}"),
        ),
        (
            "mentorships",
            format!("/api/v1/people/{dev}/mentorships"),
            format!("/api/v1/people/{unknown}/mentorships"),
        ),
        (
            "org",
            format!("/api/v1/org/{dev}"),
            format!("/api/v1/org/{unknown}"),
        ),
        (
            "plate",
            format!("/api/v1/people/{dev}/plate"),
            format!("/api/v1/people/{unknown}/plate"),
        ),
    ] {
        let a = app.api(Method::GET, &hidden, Some(&peer), None).await;
        let b = app.api(Method::GET, &missing, Some(&peer), None).await;
        assert_eq!(a.status, StatusCode::NOT_FOUND, "{backend} {path}: {a:?}");
        assert_eq!(
            a.text().replace(&dev.to_string(), "ID"),
            b.text().replace(&unknown.to_string(), "ID"),
            "{backend} {path}: the same answer as an unknown id"
        );
        assert!(!a.text().contains("Dana"), "{path}: {a:?}");
    }
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/commitments/{}", work["id"]),
            Some(&peer),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "{backend}: a teammate's leaver's work"
    );
    // The former manager keeps one answer: the person page and the org node open.
    for path in [
        format!("/api/v1/people/{dev}"),
        format!("/api/v1/org/{dev}"),
    ] {
        let r = app.api(Method::GET, &path, Some(&mgr), None).await;
        assert_eq!(r.status, StatusCode::OK, "{backend} {path}: {r:?}");
    }
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{unknown}/mentorships"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "admins too: no 200 [] for an unknown id"
    );
}

#[tokio::test]
async fn an_upload_over_max_upload_mb_is_refused_with_a_sentence_before_it_is_read() {
    let app = TestApp::new("sqlite").await;
    let admin = app.token("hr@acme.test").await;
    let small = trellis_web::router(trellis_web::AppState::new(
        app.store.clone(),
        trellis_web::WebConfig {
            max_upload_bytes: 1024 * 1024,
            ..Default::default()
        },
    ));
    use tower::ServiceExt;
    // Announced as 100 MB: answered from the header alone (the body is never sent).
    let announced = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports/people")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .header(header::CONTENT_LENGTH, 100 * 1024 * 1024)
        .body(Body::empty())
        .unwrap();
    let r = small.clone().oneshot(announced).await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("larger than 1 MB"),
        "{body}"
    );
    // The upload page answers with the sentence too.
    let page = Request::builder()
        .method(Method::POST)
        .uri("/admin/import")
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
        .header(header::CONTENT_LENGTH, 100 * 1024 * 1024)
        .body(Body::empty())
        .unwrap();
    let r = small.clone().oneshot(page).await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let html = axum::body::to_bytes(r.into_body(), usize::MAX)
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&html).contains("larger than 1 MB"));
    // A body that does not say its length is cut at the limit as it streams in.
    let chunks =
        futures_util::stream::iter((0..40).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 64 * 1024])));
    let streamed = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/imports/people")
        .header(header::AUTHORIZATION, format!("Bearer {admin}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from_stream(chunks))
        .unwrap();
    let r = small.oneshot(streamed).await.unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

backend_tests!(malformed_requests_get_clear_errors);
async fn malformed_requests_get_clear_errors(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let admin = app.token("hr@acme.test").await;
    let send = |body: &'static str, content_type: &'static str| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/people")
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap()
    };
    let r = app.send(send("{\"name\": ", "application/json")).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{backend}");
    assert_eq!(r.json()["error"]["code"], "invalid_json");
    let r = app
        .send(send(
            "{\"name\": \"A\", \"email\": \"a@b.c\", \"colour\": 1}",
            "application/json",
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`")
    );
    let r = app
        .send(send("name=A", "application/x-www-form-urlencoded"))
        .await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let big = format!(
        "{{\"name\": \"{}\", \"email\": \"a@b.c\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let r = app
        .send(
            Request::builder()
                .method(Method::POST)
                .uri("/api/v1/people")
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(big))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.json()["error"]["code"], "too_large");
    let r = app
        .api(Method::GET, "/api/v1/people/abc", Some(&admin), None)
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = app
        .api(Method::GET, "/api/v1/nothing-here", Some(&admin), None)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.json()["error"]["code"], "not_found");
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_header_to_write() {
    let app = TestApp::new("sqlite").await;
    let session = app
        .sign_in("rep@acme.test", common::PASSWORD)
        .await
        .unwrap_or_else(|r| panic!("{}", r.text()));
    let rep = app.id("rep@acme.test").await;
    let request = |csrf: Option<&str>| {
        let mut b = Request::builder()
            .method(Method::PATCH)
            .uri(format!("/api/v1/people/{rep}"))
            .header(header::COOKIE, &session.cookie)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = csrf {
            b = b.header("x-csrf-token", c);
        }
        b.body(Body::from("{\"location\": \"Boston\"}")).unwrap()
    };
    let r = app.send(request(None)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.json()["error"]["code"], "csrf");
    let r = app.send(request(Some(&session.csrf))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["location"], "Boston");
}

#[test]
fn the_openapi_document_matches_its_snapshot() {
    let current =
        serde_json::to_string_pretty(&trellis_web::api::openapi_document()).unwrap() + "\n";
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok() {
        std::fs::write(&path, &current).unwrap();
    }
    let saved = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        saved == current,
        "the API changed: review it, then run UPDATE_SNAPSHOTS=1 cargo test -p trellis-web --test app api:: to accept"
    );
}

backend_tests!(the_ladder_imports_from_csv_through_the_api);
async fn the_ladder_imports_from_csv_through_the_api(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let dev = app.token("dev@acme.test").await;
    let send = |token: String, query: &'static str, csv: &'static str| {
        let app = &app;
        async move {
            app.send(
                Request::builder()
                    .method(Method::POST)
                    .uri(format!("/api/v1/levels/import{query}"))
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .header(header::CONTENT_TYPE, "text/csv")
                    .body(Body::from(csv))
                    .unwrap(),
            )
            .await
        }
    };
    let good = "Code,Name,Rank\nL2,Engineer,2\nL11,Fellow,11\n";
    let r = send(dev.clone(), "", good).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
    let r = send(hr.clone(), "?file_name=ranks.csv", "Code,Rank\nL2,2\n").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    assert_eq!(
        r.json()["error"]["fields"][0]["message"],
        "ranks.csv:1: Name: this column is missing"
    );
    let r = send(hr.clone(), "?dry_run=true", good).await;
    assert_eq!(
        r.json(),
        json!({"added": 1, "updated": 1, "unchanged": 0, "dry_run": true}),
        "{backend}"
    );
    let r = send(hr.clone(), "", good).await;
    assert_eq!(
        r.json(),
        json!({"added": 1, "updated": 1, "unchanged": 0, "dry_run": false}),
        "{backend}"
    );
    let r = send(hr.clone(), "", good).await;
    assert_eq!(
        r.json(),
        json!({"added": 0, "updated": 0, "unchanged": 2, "dry_run": false}),
        "{backend}: the same file again changes nothing"
    );
    let levels = app
        .api(Method::GET, "/api/v1/levels", Some(&dev), None)
        .await
        .json();
    let ranked: Vec<(&str, i64)> = levels
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["code"].as_str().unwrap(), l["rank"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        &ranked[..3],
        [("L2", 2), ("L11", 11), ("L3", 100)],
        "{backend}: levels the file leaves out stay unranked"
    );
}

backend_tests!(admins_rank_the_career_ladder_and_everyone_reads_it);
async fn admins_rank_the_career_ladder_and_everyone_reads_it(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let dev = app.token("dev@acme.test").await;
    let hr = app.token("hr@acme.test").await;
    // The import created the levels it names, unranked.
    let levels = app
        .api(Method::GET, "/api/v1/levels", Some(&dev), None)
        .await
        .json();
    let l5 = levels
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == "L5")
        .cloned()
        .unwrap();
    assert_eq!(l5["rank"], 100, "{backend}");
    let body =
        json!({"name": "Engineering Manager", "rank": 5, "expectations": "Runs a team of 4 to 8."});
    let r = app
        .api(
            Method::PUT,
            "/api/v1/levels/L5",
            Some(&dev),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            Method::PUT,
            "/api/v1/levels/L5",
            Some(&hr),
            Some(json!({"name": "", "rank": 5000})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["name", "rank"]);
    let r = app
        .api(Method::PUT, "/api/v1/levels/L5", Some(&hr), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(
        (r.json()["id"].clone(), r.json()["rank"].clone()),
        (l5["id"].clone(), json!(5))
    );
    let r = app
        .api(
            Method::PUT,
            "/api/v1/levels/L9",
            Some(&hr),
            Some(json!({"name": "Fellow", "rank": 9})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let levels = app
        .api(Method::GET, "/api/v1/levels", Some(&dev), None)
        .await
        .json();
    let last = levels.as_array().unwrap().first().cloned().unwrap();
    assert_eq!(last["code"], "L5", "lowest rank first: {levels}");
    // The admin page lists them.
    let session = app.sign_in("hr@acme.test", common::PASSWORD).await.unwrap();
    let page = app.get_page("/admin/ladder", Some(&session)).await.text();
    assert!(
        page.contains("Runs a team of 4 to 8.") && page.contains("Fellow"),
        "{backend}"
    );
    let member = app
        .sign_in("dev@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let r = app.get_page("/admin/ladder", Some(&member)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

backend_tests!(search_finds_people_by_skill_location_and_team_but_not_private_fields);
async fn search_finds_people_by_skill_location_and_team_but_not_private_fields(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let member = app.token("rep@acme.test").await;
    let names = |q: &'static str| {
        let (app, member) = (&app, member.clone());
        async move {
            let page = app
                .api(
                    Method::GET,
                    &format!("/api/v1/people?q={q}"),
                    Some(&member),
                    None,
                )
                .await
                .json();
            let mut names: Vec<String> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["display_name"].as_str().unwrap().to_string())
                .collect();
            names.sort();
            names
        }
    };
    assert_eq!(names("Lisbon").await, ["Devi Dev"], "{backend}: a location");
    assert_eq!(
        names("negotiation").await,
        ["Rita Rep", "Sam Sales"],
        "{backend}: a skill"
    );
    assert_eq!(
        names("rust+london").await,
        ["Dana Dev", "Max Manager"],
        "{backend}: every word"
    );
    assert_eq!(names("enterprise").await, ["Rita Rep"], "{backend}: a team");
    assert!(
        names("E4").await.is_empty(),
        "{backend}: employee ids stay private"
    );
    // The directory page searches the same way.
    let session = app
        .sign_in("rep@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    let page = app.get_page("/people?q=go", Some(&session)).await.text();
    assert!(page.contains("Devi Dev"), "{backend}: {page}");
}

/// Every `$ref` names a schema the document holds (a path parameter's type is not
/// collected into the components by itself).
#[test]
fn every_schema_reference_resolves() {
    let doc = serde_json::to_value(trellis_web::api::openapi_document()).unwrap();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    fn refs(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|x| refs(x, out));
            }
            serde_json::Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    let missing: Vec<&String> = all
        .iter()
        .filter(|r| {
            r.strip_prefix("#/components/schemas/")
                .is_none_or(|name| !schemas.contains_key(name))
        })
        .collect();
    assert!(missing.is_empty(), "unresolvable references: {missing:?}");
}
