//! Review cycles: drafting with every problem named, launching, self and manager reviews
//! with the three growth questions, follow-through items that stay hidden until sharing
//! and then come back in the pair's 1:1s, and who may read what.

use crate::common::{PASSWORD, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_store::backend_tests;

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

fn cycle(people: &[i64]) -> Value {
    json!({
        "name": "2026 second half",
        "scope": {"kind": "people", "people": people},
        "questions": [
            {"text": "How did they deliver?", "scale": ["Below", "Meets", "Above"], "in_self_review": true},
            {"text": "Promotion readiness", "private": true}
        ],
        "self_review_due": day(3),
        "manager_review_due": day(7),
        "share_on": day(8)
    })
}

backend_tests!(a_review_asks_the_growth_questions_and_its_follow_through_returns_in_one_on_ones);
async fn a_review_asks_the_growth_questions_and_its_follow_through_returns_in_one_on_ones(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let (dana, devi) = (
        app.id("dev@acme.test").await,
        app.id("dev2@acme.test").await,
    );
    // Bad input: every problem named, nothing written.
    let mut bad = cycle(&[dana]);
    bad["manager_review_due"] = Value::Null;
    bad["share_on"] = json!(day(-1));
    bad["questions"][0]["scale"] = json!(["Only one"]);
    let r = app
        .api(Method::POST, "/api/v1/review-cycles", Some(&hr), Some(bad))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(
        text.contains("a rating scale has 2 to 7 labels, not 1")
            && text.contains("every cycle has one"),
        "{text}"
    );
    let none = app
        .api(Method::GET, "/api/v1/review-cycles", Some(&hr), None)
        .await
        .json();
    assert_eq!(none, json!([]));
    let member = app.token("dev@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/review-cycles",
            Some(&member),
            Some(cycle(&[dana])),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let r = app
        .api(
            Method::POST,
            "/api/v1/review-cycles",
            Some(&hr),
            Some(cycle(&[dana, devi])),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let launched = app
        .api(
            Method::POST,
            &format!("/api/v1/review-cycles/{id}/launch"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(launched.json()["reviews"], 2, "{}", launched.text());
    let again = app
        .api(
            Method::POST,
            &format!("/api/v1/review-cycles/{id}/launch"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);

    // Dana's self review: a rating off the scale is refused; then handed in.
    let mine = app
        .api(Method::GET, "/api/v1/reviews", Some(&member), None)
        .await
        .json();
    let review = mine["mine"][0]["review"]["id"].as_i64().unwrap();
    let path = format!("/api/v1/reviews/{review}");
    let view = app
        .api(Method::GET, &path, Some(&member), None)
        .await
        .json();
    assert_eq!(view["can_write_self"], true);
    let questions: Vec<&str> = view["manager_questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["text"].as_str().unwrap())
        .collect();
    assert_eq!(questions.len(), 5);
    assert_eq!(
        questions[2],
        "What is the next step in their career, and how can I help them get there?"
    );
    let r = app
        .api(
            Method::PUT,
            &format!("{path}/self"),
            Some(&member),
            Some(json!({"answers": [{"question": 0, "rating": 4}], "submit": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("a rating from 1 to 3 (Below to Above), not 4"),
        "{}",
        r.text()
    );
    let r = app.api(Method::PUT, &format!("{path}/self"), Some(&member), Some(json!({"answers": [{"question": 0, "rating": 3, "text": "Shipped the importer"}], "submit": true}))).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());

    // Max's manager review, with a private assessment and a follow-through item.
    let max = app.token("mgr@acme.test").await;
    let answers = json!({"answers": [
        {"question": 0, "rating": 3},
        {"question": 1, "text": "Ready for promotion next year"},
        {"question": 2, "text": "Staff engineer; I will find her a mentor"},
        {"question": 3, "text": "Protect her focus time"},
        {"question": 4, "text": "Lead the Q1 migration"}
    ], "submit": true});
    let r = app
        .api(
            Method::PUT,
            &format!("{path}/manager"),
            Some(&member),
            Some(answers.clone()),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "only her manager writes it"
    );
    let r = app
        .api(
            Method::PUT,
            &format!("{path}/manager"),
            Some(&max),
            Some(answers.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app
        .api(Method::POST, &format!("{path}/follow-through"), Some(&max),
            Some(json!({"growth_question": 0, "what": "Pair Dana with a staff engineer", "due_date": day(20), "effort_hours": 2})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let commitment = r.json()["id"].as_i64().unwrap();

    // Before sharing: Dana reads only her own answers; the item is nobody else's business.
    let before = app
        .api(Method::GET, &path, Some(&member), None)
        .await
        .json();
    assert_eq!(before["review"]["manager_answers"], json!([]));
    assert_eq!(before["review"]["follow_through"], json!([]));
    let c = format!("/api/v1/commitments/{commitment}");
    for (email, status) in [
        ("dev@acme.test", 404),
        ("dev2@acme.test", 404),
        ("mgr@acme.test", 200),
        ("eng.head@acme.test", 200),
    ] {
        let token = app.token(email).await;
        assert_eq!(
            app.api(Method::GET, &c, Some(&token), None)
                .await
                .status
                .as_u16(),
            status,
            "{email}"
        );
    }
    let rita = app.token("rep@acme.test").await;
    assert_eq!(
        app.api(Method::GET, &path, Some(&rita), None).await.status,
        StatusCode::NOT_FOUND
    );
    let erin = app.token("eng.head@acme.test").await;
    assert!(
        app.api(Method::GET, &path, Some(&erin), None)
            .await
            .text()
            .contains("Ready for promotion")
    );

    // The pair's 1:1 has a time; sharing puts the item on its agenda.
    let runner = trellis_core::housekeeping::Runner {
        store: app.store.clone(),
    };
    trellis_mail::run_due(&runner, "test").await;
    let series = app
        .api(Method::GET, "/api/v1/one-on-ones", Some(&max), None)
        .await
        .json();
    let series = series
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["other"]["id"] == dana)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    app.api(
        Method::PUT,
        &format!("/api/v1/one-on-ones/{series}/schedule"),
        Some(&max),
        Some(json!({"first_date": day(1), "start_time": "10:00"})),
    )
    .await;
    let meeting = format!("/api/v1/one-on-ones/{series}/meetings/current");
    assert!(
        !app.api(Method::GET, &meeting, Some(&member), None)
            .await
            .text()
            .contains("Pair Dana"),
        "not before sharing"
    );
    let progress = app
        .api(
            Method::GET,
            &format!("/api/v1/review-cycles/{id}"),
            Some(&hr),
            None,
        )
        .await
        .json();
    assert_eq!(
        progress["overall"],
        json!({"group": "Everyone", "self_done": 1, "manager_done": 1, "total": 2})
    );
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/review-cycles/{id}/share"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());

    let after = app.api(Method::GET, &path, Some(&member), None).await;
    let text = after.text();
    assert!(
        text.contains("Lead the Q1 migration") && text.contains("Pair Dana with a staff engineer"),
        "{text}"
    );
    assert!(
        !text.contains("Ready for promotion"),
        "a private assessment is never shown to the reviewee: {text}"
    );
    assert_eq!(
        app.api(Method::GET, &c, Some(&member), None).await.status,
        StatusCode::OK
    );
    let agenda = app
        .api(Method::GET, &meeting, Some(&member), None)
        .await
        .json();
    assert_eq!(
        agenda["actions"][0]["title"],
        "Pair Dana with a staff engineer"
    );
    // Locked after sharing.
    let r = app
        .api(
            Method::PUT,
            &format!("{path}/manager"),
            Some(&max),
            Some(answers),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("locked"), "{}", r.text());
    let session = app.sign_in("dev@acme.test", PASSWORD).await.unwrap();
    drop(session);
}

backend_tests!(an_admin_runs_a_cycle_and_people_write_their_reviews_on_the_pages);
async fn an_admin_runs_a_cycle_and_people_write_their_reviews_on_the_pages(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    let form = [
        ("csrf", hr.csrf.as_str()),
        ("name", "Winter reviews"),
        ("people", "dev@acme.test, dev2@acme.test"),
        (
            "questions",
            "How well did they deliver? | Below; Meets; Above [self]\nReady for more? [private]",
        ),
        ("self_review_due", &day(2)),
        ("manager_review_due", &day(5)),
        ("share_on", &day(4)),
    ];
    let r = app
        .post_form("/admin/reviews", Some(&hr), None, &form)
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "shared before the manager reviews are due"
    );
    assert!(
        r.text()
            .contains("reviews are shared on or after the manager review"),
        "{}",
        r.text()
    );
    let mut form = form;
    let later = day(6);
    form[6] = ("share_on", &later);
    let r = app
        .post_form("/admin/reviews", Some(&hr), None, &form)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cycle = r.headers["location"].to_str().unwrap().to_string();
    let r = app
        .post_form(
            &format!("{cycle}/launch"),
            Some(&hr),
            None,
            &[("csrf", &hr.csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app.get_page(&cycle, Some(&hr)).await.text();
    assert!(
        page.contains("Manager reviews handed in") && page.contains("Max Manager"),
        "{page}"
    );

    // Dana writes and hands in her self review on the page.
    let dana = app.sign_in("dev@acme.test", PASSWORD).await.unwrap();
    let list = app.get_page("/reviews", Some(&dana)).await.text();
    let at = list.find("href=\"/reviews/").expect("her review is listed");
    let review: String = list[at + 15..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    let page = app
        .get_page(&format!("/reviews/{review}"), Some(&dana))
        .await
        .text();
    assert!(
        page.contains("Your self review") && !page.contains("Ready for more?"),
        "{page}"
    );
    let r = app
        .post_form(
            &format!("/reviews/{review}/self"),
            Some(&dana),
            None,
            &[
                ("csrf", &dana.csrf),
                ("rating-0", "3"),
                ("text-0", "Shipped the importer"),
                ("submit", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app
        .get_page(&format!("/reviews/{review}"), Some(&dana))
        .await
        .text();
    assert!(
        page.contains("Shipped the importer")
            && page.contains("shown here once the cycle is shared"),
        "{page}"
    );

    // Max's form ends with the growth questions and marks the private one.
    let max = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/reviews/{review}"), Some(&max))
        .await
        .text();
    assert!(
        page.contains("What opportunities can I give them this year to stretch and develop?"),
        "{page}"
    );
    assert!(page.contains("Dana Dev never does"), "{page}");
    let r = app
        .post_form(
            &format!("/reviews/{review}/manager"),
            Some(&max),
            None,
            &[("csrf", &max.csrf), ("rating-0", "9"), ("submit", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("not 9"), "{}", r.text());
    let r = app
        .post_form(
            &format!("/reviews/{review}/follow-through"),
            Some(&max),
            None,
            &[
                ("csrf", &max.csrf),
                ("growth_question", "2"),
                ("what", "Give Dana the Q1 migration"),
                ("due_date", &day(30)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mine = app.get_page("/reviews", Some(&max)).await.text();
    assert!(mine.contains("Give Dana the Q1 migration"), "{mine}");
}

backend_tests!(deadlines_are_reminded_once_extended_per_person_and_late_people_hear_it);
async fn deadlines_are_reminded_once_extended_per_person_and_late_people_hear_it(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let dana = app.id("dev@acme.test").await;
    let id = app
        .api(
            Method::POST,
            "/api/v1/review-cycles",
            Some(&hr),
            Some(cycle(&[dana])),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    app.api(
        Method::POST,
        &format!("/api/v1/review-cycles/{id}/launch"),
        Some(&hr),
        None,
    )
    .await;
    let store = app.store.as_ref();
    use trellis_core::reviews::reminders::send_due;
    let at = |days: i64| (chrono::Utc::now() + chrono::Duration::days(days)).timestamp();
    // Self review due in 3 days, manager review in 7: a week ahead reminds Max.
    assert_eq!(
        send_due(store, at(0)).await.unwrap(),
        1,
        "Max, 7 days before"
    );
    assert_eq!(send_due(store, at(0)).await.unwrap(), 0, "once");
    assert_eq!(
        send_due(store, at(2)).await.unwrap(),
        1,
        "Dana, 1 day before"
    );
    assert_eq!(send_due(store, at(4)).await.unwrap(), 1, "Dana is late");
    let dana_token = app.token("dev@acme.test").await;
    let notes = app
        .api(
            Method::GET,
            "/api/v1/notifications",
            Some(&dana_token),
            None,
        )
        .await
        .text();
    assert!(
        notes.contains("Your self review in 2026 second half was due on"),
        "{notes}"
    );
    // An extension for Dana: bad dates refused at the field, then granted.
    let review = app
        .api(Method::GET, "/api/v1/reviews", Some(&dana_token), None)
        .await
        .json()["mine"][0]["review"]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/reviews/{review}/extension");
    let r = app
        .api(
            Method::POST,
            &path,
            Some(&hr),
            Some(json!({"step": "self", "until": day(20)})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "past the sharing day"
    );
    let r = app
        .api(
            Method::POST,
            &path,
            Some(&dana_token),
            Some(json!({"step": "self", "until": day(5)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            Method::POST,
            &path,
            Some(&hr),
            Some(json!({"step": "self", "until": day(5)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert_eq!(
        send_due(store, at(4)).await.unwrap(),
        1,
        "a day before the new deadline"
    );
    // The admin's button reminds everyone still open now: Dana and Max.
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/review-cycles/{id}/remind"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.json()["reminded"], 2, "{}", r.text());
}
