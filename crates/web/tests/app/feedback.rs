//! Continuous feedback: who reads what the giver chose, requests that go to whoever asked,
//! reminders after three working days, expiry, and bringing feedback to a 1:1.

use crate::common::{PASSWORD, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_store::backend_tests;

fn texts(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|f| f["text"].as_str().unwrap().to_string())
        .collect()
}

backend_tests!(feedback_is_read_by_whom_the_giver_chose);
async fn feedback_is_read_by_whom_the_giver_chose(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let devi = app.token("dev2@acme.test").await;
    let dana = app.id("dev@acme.test").await;
    for body in [
        json!({"to": dana, "kind": "praise", "text": "Great demo on Friday", "share_on_page": true}),
        json!({"to": dana, "kind": "note", "text": "Slow down in reviews"}),
        json!({"to": dana, "kind": "note", "text": "Ask Max about the budget", "share_with_manager": true}),
    ] {
        let r = app
            .api(Method::POST, "/api/v1/feedback", Some(&devi), Some(body))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let r = app
        .api(
            Method::POST,
            "/api/v1/feedback",
            Some(&devi),
            Some(json!({"to": app.id("dev2@acme.test").await, "kind": "praise", "text": "Me"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text().contains("feedback is for someone else"),
        "{}",
        r.text()
    );
    let about = |email: &'static str| {
        let app = &app;
        async move {
            let token = app.token(email).await;
            let r = app
                .api(
                    Method::GET,
                    &format!("/api/v1/people/{dana}/feedback"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{email}: {}", r.text());
            texts(&r.json())
        }
    };
    assert_eq!(
        about("dev@acme.test").await.len(),
        3,
        "Dana reads all three"
    );
    assert_eq!(
        about("rep@acme.test").await,
        ["Great demo on Friday"],
        "a colleague: the praise on her page"
    );
    assert_eq!(
        about("hr@acme.test").await,
        ["Great demo on Friday"],
        "admins have no reach into feedback"
    );
    assert_eq!(
        about("mgr@acme.test").await,
        ["Ask Max about the budget", "Great demo on Friday"]
    );
    assert_eq!(
        about("eng.head@acme.test").await,
        ["Great demo on Friday"],
        "the direct manager only"
    );
    let max = app.token("mgr@acme.test").await;
    let mine = app
        .api(Method::GET, "/api/v1/feedback", Some(&max), None)
        .await
        .json();
    assert_eq!(texts(&mine["shared_with_me"]), ["Ask Max about the budget"]);
    let session = app.sign_in("rep@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/people/{dana}"), Some(&session))
        .await
        .text();
    assert!(
        page.contains("Great demo on Friday") && !page.contains("Slow down"),
        "{page}"
    );
}

backend_tests!(a_request_goes_to_whoever_asked_is_reminded_and_expires);
async fn a_request_goes_to_whoever_asked_is_reminded_and_expires(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let max = app.token("mgr@acme.test").await;
    let (dana, devi, rita) = (
        app.id("dev@acme.test").await,
        app.id("dev2@acme.test").await,
        app.id("rep@acme.test").await,
    );
    let r = app
        .api(
            Method::POST,
            "/api/v1/feedback-requests",
            Some(&max),
            Some(json!({"about": dana, "ask": [], "question": "How does Dana run reviews?"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "nobody asked");
    let rita_token = app.token("rep@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/feedback-requests",
            Some(&rita_token),
            Some(json!({"about": dana, "ask": [devi], "question": "?"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not about someone outside one's tree"
    );
    assert!(r.text().contains("\"about\""), "{}", r.text());
    let r = app
        .api(Method::POST, "/api/v1/feedback-requests", Some(&max), Some(json!({"about": dana, "ask": [devi, rita], "question": "How does Dana run reviews?"})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let devi_token = app.token("dev2@acme.test").await;
    let waiting = app
        .api(Method::GET, "/api/v1/feedback", Some(&devi_token), None)
        .await
        .json();
    assert_eq!(
        waiting["to_answer"][0]["question"],
        "How does Dana run reviews?"
    );
    let answer = |token: String| {
        let app = &app;
        async move {
            app.api(
                Method::POST,
                &format!("/api/v1/feedback-requests/{id}/answer"),
                Some(&token),
                Some(json!({"text": "Thorough and kind"})),
            )
            .await
        }
    };
    assert_eq!(answer(devi_token.clone()).await.status, StatusCode::CREATED);
    assert_eq!(
        answer(devi_token.clone()).await.status,
        StatusCode::CONFLICT,
        "once"
    );
    // The answer goes to Max, who asked; Dana does not read it.
    let max_view = app
        .api(Method::GET, "/api/v1/feedback", Some(&max), None)
        .await
        .json();
    assert_eq!(texts(&max_view["about_my_reports"]), ["Thorough and kind"]);
    let dana_token = app.token("dev@acme.test").await;
    let dana_view = app
        .api(Method::GET, "/api/v1/feedback", Some(&dana_token), None)
        .await;
    assert!(!dana_view.text().contains("Thorough and kind"));
    // Rita has not answered: reminded once after three working days.
    let created = max_view["asked"][0]["created_at"].as_i64().unwrap();
    let store = app.store.as_ref();
    use trellis_core::conversations::feedback::remind_requests;
    assert_eq!(
        remind_requests(store, created + 86_400).await.unwrap(),
        0,
        "a day later: not yet"
    );
    assert_eq!(
        remind_requests(store, created + 6 * 86_400).await.unwrap(),
        1,
        "only Rita"
    );
    assert_eq!(
        remind_requests(store, created + 7 * 86_400).await.unwrap(),
        0,
        "once"
    );
    // Thirty days on, it has expired.
    sqlx::query("UPDATE feedback_requests SET expires_at = 1")
        .execute(app.store.pool())
        .await
        .unwrap();
    let late = answer(rita_token).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(late.text().contains("expired"), "{}", late.text());
}

backend_tests!(received_feedback_is_brought_to_a_one_on_one_by_its_recipient);
async fn received_feedback_is_brought_to_a_one_on_one_by_its_recipient(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let runner = trellis_core::housekeeping::Runner {
        store: app.store.clone(),
    };
    trellis_mail::run_due(&runner, "test").await;
    let max = app.token("mgr@acme.test").await;
    let dana = app.id("dev@acme.test").await;
    let list = app
        .api(Method::GET, "/api/v1/one-on-ones", Some(&max), None)
        .await
        .json();
    let series = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["other"]["id"] == dana)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(1)).to_string();
    app.api(
        Method::PUT,
        &format!("/api/v1/one-on-ones/{series}/schedule"),
        Some(&max),
        Some(json!({"first_date": tomorrow, "start_time": "10:00"})),
    )
    .await;
    let devi = app.token("dev2@acme.test").await;
    let f = app
        .api(
            Method::POST,
            "/api/v1/feedback",
            Some(&devi),
            Some(json!({"to": dana, "kind": "note", "text": "Your RFC was hard to follow"})),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/feedback/{f}/bring"),
            Some(&max),
            Some(json!({"series_id": series})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "only its recipient brings it"
    );
    let dana_token = app.token("dev@acme.test").await;
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/feedback/{f}/bring"),
            Some(&dana_token),
            Some(json!({"series_id": series})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let view = app
        .api(
            Method::GET,
            &format!("/api/v1/one-on-ones/{series}/meetings/current"),
            Some(&max),
            None,
        )
        .await
        .json();
    assert_eq!(
        view["agenda"]["open"][0]["text"],
        "Feedback from Devi Dev: Your RFC was hard to follow"
    );
    // The page: a manager's feedback page lists it nowhere else.
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app.get_page("/feedback", Some(&session)).await.text();
    assert!(
        page.contains("Give feedback") && !page.contains("hard to follow"),
        "{page}"
    );
}
