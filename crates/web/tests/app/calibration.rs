//! Calibration: ratings side by side for admins and (when the cycle allows) managers of
//! their own tree, changes kept with their reason and the original, the distribution beside
//! the guidance, the 9-box, and what the reviewee never sees.

use crate::common::{PASSWORD, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_store::backend_tests;

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

fn cycle(people: &[i64], guidance: &[u8]) -> Value {
    json!({
        "name": "Calibrated half",
        "scope": {"kind": "people", "people": people},
        "questions": [
            {"text": "Delivery", "scale": ["1", "2", "3", "4", "5"]},
            {"text": "Potential", "scale": ["Growing", "Ready for more", "Ready for a bigger role"], "private": true}
        ],
        "manager_review_due": day(7),
        "share_on": day(8),
        "calibration": {"performance_question": 0, "potential_question": 1,
            "guidance": guidance, "managers_calibrate": true}
    })
}

fn answers(delivery: u8, potential: u8) -> Value {
    json!({"answers": [
        {"question": 0, "rating": delivery},
        {"question": 1, "rating": potential},
        {"question": 2, "text": "Staff engineer"},
        {"question": 3, "text": "Fewer interruptions"},
        {"question": 4, "text": "Lead the migration"}
    ], "submit": true})
}

backend_tests!(calibration_changes_ratings_with_reasons_and_places_people_on_the_nine_box);
async fn calibration_changes_ratings_with_reasons_and_places_people_on_the_nine_box(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let (dana, devi, rita) = (
        app.id("dev@acme.test").await,
        app.id("dev2@acme.test").await,
        app.id("rep@acme.test").await,
    );
    let bad = app
        .api(
            Method::POST,
            "/api/v1/review-cycles",
            Some(&hr),
            Some(cycle(&[dana], &[10, 20, 40, 20, 5])),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text().contains("the shares add up to 95 %, not 100 %"),
        "{}",
        bad.text()
    );
    let r = app
        .api(
            Method::POST,
            "/api/v1/review-cycles",
            Some(&hr),
            Some(cycle(&[dana, devi, rita], &[10, 20, 40, 20, 10])),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let cycle_path = format!("/api/v1/review-cycles/{id}");
    app.api(
        Method::POST,
        &format!("{cycle_path}/launch"),
        Some(&hr),
        None,
    )
    .await;
    let max = app.token("mgr@acme.test").await;
    let sam = app.token("sales.head@acme.test").await;
    let reviews = app
        .api(Method::GET, "/api/v1/reviews", Some(&max), None)
        .await
        .json();
    let review_of = |who: i64| {
        reviews["to_write"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["review"]["reviewee"]["id"] == who)
            .map(|e| e["review"]["id"].as_i64().unwrap())
            .unwrap()
    };
    let (dana_review, devi_review) = (review_of(dana), review_of(devi));
    for (review, delivery, potential) in [(dana_review, 3, 3), (devi_review, 2, 1)] {
        let r = app
            .api(
                Method::PUT,
                &format!("/api/v1/reviews/{review}/manager"),
                Some(&max),
                Some(answers(delivery, potential)),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    }
    let rita_review = app
        .api(Method::GET, "/api/v1/reviews", Some(&sam), None)
        .await
        .json()["to_write"][0]["review"]["id"]
        .as_i64()
        .unwrap();
    app.api(
        Method::PUT,
        &format!("/api/v1/reviews/{rita_review}/manager"),
        Some(&sam),
        Some(answers(5, 2)),
    )
    .await;

    let change =
        |rating: u8, reason: &str| json!({"question": 0, "rating": rating, "reason": reason});
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/reviews/{dana_review}/rating-changes"),
            Some(&hr),
            Some(change(4, "Led the incident response")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "not open yet");
    assert!(r.text().contains("calibration is not open"), "{}", r.text());
    let opened = app
        .api(
            Method::POST,
            &format!("{cycle_path}/calibration"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(opened.json()["not_handed_in"], 0, "{}", opened.text());
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/reviews/{dana_review}/manager"),
            Some(&max),
            Some(answers(5, 3)),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "manager reviews lock in calibration"
    );

    // Who calibrates whom: admins everyone, managers their tree, members nobody.
    let view = |token: String, query: &'static str| {
        let app = &app;
        async move {
            app.api(
                Method::GET,
                &format!("/api/v1/review-cycles/{id}/calibration{query}"),
                Some(&token),
                None,
            )
            .await
        }
    };
    let names = |v: &Value| -> Vec<String> {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reviewee"]["name"].as_str().unwrap().to_string())
            .collect()
    };
    let all = view(hr.clone(), "").await.json();
    assert_eq!(names(&all), ["Dana Dev", "Devi Dev", "Rita Rep"]);
    assert_eq!(all["distribution"]["actual"], json!([0, 1, 1, 0, 1]));
    assert_eq!(all["distribution"]["guidance"], json!([10, 20, 40, 20, 10]));
    let dana_row = &all["rows"][0];
    assert_eq!(
        dana_row["placement"],
        json!({"performance": 1, "potential": 2, "moved": false})
    );
    assert_eq!(
        names(&view(max.clone(), "").await.json()),
        ["Dana Dev", "Devi Dev"]
    );
    assert_eq!(names(&view(sam.clone(), "").await.json()), ["Rita Rep"]);
    let member = app.token("dev@acme.test").await;
    assert_eq!(view(member.clone(), "").await.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/reviews/{rita_review}/rating-changes"),
            Some(&max),
            Some(change(3, "Too generous")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "Rita is not in Max's tree");
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/reviews/{dana_review}/rating-changes"),
            Some(&member),
            Some(change(5, "I deserve it")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "nobody rates themselves");
    let by_max = format!("?manager={}", app.id("mgr@acme.test").await);
    let filtered = app
        .api(
            Method::GET,
            &format!("{cycle_path}/calibration{by_max}"),
            Some(&hr),
            None,
        )
        .await
        .json();
    assert_eq!(names(&filtered), ["Dana Dev", "Devi Dev"]);

    // A change needs a reason and a new rating on the scale; then it is kept.
    for (body, says) in [
        (change(4, "  "), "say why"),
        (change(6, "Led the incident response"), "rate from 1 to 5"),
        (change(3, "Same"), "the rating is already 3"),
    ] {
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/reviews/{dana_review}/rating-changes"),
                Some(&hr),
                Some(body),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{says}");
        assert!(r.text().contains(says), "{}", r.text());
    }
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/reviews/{dana_review}/rating-changes"),
            Some(&max),
            Some(change(4, "Led the incident response")),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/reviews/{devi_review}/box-moves"),
            Some(&hr),
            Some(json!({"performance": 2, "potential": 2, "reason": "Runs the platform guild"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let after = view(hr.clone(), "").await.json();
    assert_eq!(after["rows"][0]["ratings"], json!([4, 3]));
    assert_eq!(after["rows"][0]["original"], json!([3, null]));
    assert_eq!(after["rows"][0]["changes"][0]["by"]["name"], "Max Manager");
    assert_eq!(after["distribution"]["actual"], json!([0, 1, 0, 1, 1]));
    assert_eq!(
        after["rows"][1]["placement"],
        json!({"performance": 2, "potential": 2, "moved": true})
    );

    // The page: ratings with the original, the 9-box, the distribution chart.
    let hr_page = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/reviews/cycles/{id}/calibration"), Some(&hr_page))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    for seen in [
        "(was 3)",
        "9-box",
        "moved",
        "guidance 40 %",
        "high performance, high potential",
    ] {
        assert!(html.contains(seen), "{seen} in {html}");
    }
    let dana_page = app.sign_in("dev@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(
            &format!("/reviews/cycles/{id}/calibration"),
            Some(&dana_page),
        )
        .await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // The next step reaches the career plan only once shared (before, it would reveal the
    // review), from the manager side.
    let next = |token: &String, role: &str| {
        let app = &app;
        let (token, role) = (token.clone(), role.to_string());
        async move {
            app.api(
                Method::POST,
                &format!("/api/v1/reviews/{dana_review}/next-step"),
                Some(&token),
                Some(json!({"target_role": role})),
            )
            .await
        }
    };
    assert_eq!(
        next(&max, "Staff engineer").await.status,
        StatusCode::CONFLICT
    );

    // Shared: Dana reads the calibrated rating, never the change, the potential or the box.
    app.api(
        Method::POST,
        &format!("{cycle_path}/share"),
        Some(&hr),
        None,
    )
    .await;
    assert_eq!(next(&member, "CTO").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        next(&max, " ").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = next(&max, "Staff engineer").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let plan = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dana}/career-plan"),
            Some(&member),
            None,
        )
        .await
        .json();
    assert_eq!(plan["target_role"], "Staff engineer", "{plan}");
    assert_eq!(
        plan["history"][0]["what"],
        "Next step from Calibrated half: Staff engineer"
    );
    let mine = app
        .api(
            Method::GET,
            &format!("/api/v1/reviews/{dana_review}"),
            Some(&member),
            None,
        )
        .await
        .json();
    assert_eq!(mine["review"]["manager_answers"][0]["rating"], 4);
    assert!(
        mine["review"]["manager_answers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["question"] != 1),
        "the private potential rating stays with the chain: {mine}"
    );
    assert_eq!(mine["review"]["rating_changes"], json!([]));
    assert_eq!(mine["review"]["box_moves"], json!([]));
    let listed = app
        .api(Method::GET, "/api/v1/reviews", Some(&member), None)
        .await
        .json();
    assert_eq!(listed["mine"][0]["review"]["rating_changes"], json!([]));
    let page = app
        .get_page(&format!("/reviews/{dana_review}"), Some(&dana_page))
        .await
        .text();
    assert!(!page.contains("Led the incident response"), "{page}");
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/reviews/{dana_review}/rating-changes"),
            Some(&hr),
            Some(change(5, "Later")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("locked"), "{}", r.text());
}
