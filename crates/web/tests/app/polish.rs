//! Everyday polish, each defect with the page or answer a person would see: figures said
//! once, no silent default in the reassign picker, the nav on career plans, a favicon,
//! the plan page speaking to an admin and saying why an opportunity has nobody.

use crate::common::{PASSWORD, TestApp};
use axum::http::{Method, StatusCode, header};
use serde_json::json;
use trellis_store::backend_tests;

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

backend_tests!(reliability_is_said_once_and_reassigning_starts_with_nobody_chosen);
async fn reliability_is_said_once_and_reassigning_starts_with_nobody_chosen(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&mgr),
            Some(json!({"title": "Ship the importer", "owner_id": dev, "due_date": day(5), "effort_hours": 6})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/commitments/{id}"), Some(&session))
        .await
        .text();
    assert!(
        page.contains(r#"<option value="" disabled selected>Choose who takes it over</option>"#),
        "{page}"
    );
    let team = app.get_page("/team-work", Some(&session)).await.text();
    assert!(
        !team.contains("on time ("),
        "the percentage is not repeated: {team}"
    );
}

backend_tests!(a_career_plan_does_not_light_up_my_plate_and_there_is_a_favicon);
async fn a_career_plan_does_not_light_up_my_plate_and_there_is_a_favicon(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let me = app.id("mgr@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let mine = app
        .get_page(&format!("/people/{me}/career"), Some(&session))
        .await
        .text();
    assert!(
        !mine.contains(r#"href="/plate" aria-current="page""#),
        "{mine}"
    );
    let theirs = app
        .get_page(&format!("/people/{dev}/career"), Some(&session))
        .await
        .text();
    assert!(
        theirs.contains(r#"href="/people" aria-current="page""#),
        "{theirs}"
    );
    assert!(theirs.contains(r#"rel="icon" href="/static/favicon.svg""#));
    for path in ["/favicon.ico", "/static/favicon.svg"] {
        let icon = app.get_page(path, None).await;
        assert_eq!(icon.status, StatusCode::OK, "{path}");
        assert_eq!(icon.headers[header::CONTENT_TYPE], "image/svg+xml");
        assert!(icon.text().starts_with("<svg"));
    }
}

backend_tests!(the_plan_speaks_to_an_admin_and_says_why_nobody_is_suggested);
async fn the_plan_speaks_to_an_admin_and_says_why_nobody_is_suggested(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(&hr),
            Some(
                json!({"title": "Tune the kernel", "hours_per_week": 4, "weeks": 4,
                        "requirements": [{"skill": "kernel tuning", "level": 3}]}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let plan = app
        .api(Method::GET, "/api/v1/opportunities/plan", Some(&hr), None)
        .await
        .json();
    let row = plan["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["opportunity"]["title"] == "Tune the kernel")
        .unwrap()
        .clone();
    assert!(row["suggestion"].is_null());
    assert_eq!(row["unfilled"], "nobody_has_the_skills");
    let session = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page("/opportunities/plan", Some(&session))
        .await
        .text();
    assert!(page.contains("Owners for all open opportunities"), "{page}");
    assert!(
        page.contains("Nobody inside has any of the skills it needs"),
        "{page}"
    );
    assert!(!page.contains("has the free hours"), "{page}");
}
