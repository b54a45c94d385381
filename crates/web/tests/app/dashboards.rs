//! Dashboards: admins see the organisation, a manager their tree, members nothing; filters
//! only narrow; a 9-box cell shows a count only from five people; the CSV carries the same
//! rows; the 9-box's narrow read places everyone where calibration does.

use crate::common::{demo_app, demo_app_on};
use axum::http::{Method, StatusCode};
use serde_json::Value;
use trellis_store::backend_tests;

fn people(d: &Value) -> u64 {
    d["people"].as_u64().unwrap()
}

#[tokio::test]
async fn dashboards_follow_the_tree_and_filters_only_narrow() {
    let (app, emails) = demo_app().await;
    let admin = app.token(&emails[0]).await;
    let manager = app.token(&emails[1]).await;
    let member = app.token(&emails[2]).await;
    let get = |token: String, query: &'static str| {
        let app = &app;
        async move {
            app.api(
                Method::GET,
                &format!("/api/v1/dashboard{query}"),
                Some(&token),
                None,
            )
            .await
        }
    };
    let all = get(admin.clone(), "").await.json();
    let rows = all["rows"].as_array().unwrap();
    assert!(rows.len() >= 6, "six departments: {all}");
    let sum: u64 = rows.iter().map(|r| r["people"].as_u64().unwrap()).sum();
    assert_eq!(sum, people(&all));
    assert_eq!(all["total"]["people"].as_u64().unwrap(), people(&all));
    assert_eq!(all["delivery_trend"].as_array().unwrap().len(), 6);
    let placed: u64 = all["nine_box"]["placed"].as_u64().unwrap();
    assert!(placed > 0, "the demo's calibrated cycle places people");
    for cell in all["nine_box"]["cells"].as_array().unwrap() {
        assert!(
            cell["count"].is_null() || cell["count"].as_u64().unwrap() >= 5,
            "{cell}"
        );
    }
    let in_workload: u64 = all["workload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["people"].as_u64().unwrap())
        .sum();
    assert_eq!(in_workload, people(&all));

    let department = rows[0]["department"].as_str().unwrap().to_string();
    let narrowed = app
        .api(
            Method::GET,
            &format!(
                "/api/v1/dashboard?department={}",
                department.replace(' ', "%20")
            ),
            Some(&admin),
            None,
        )
        .await
        .json();
    assert_eq!(people(&narrowed), rows[0]["people"].as_u64().unwrap());
    assert_eq!(narrowed["rows"].as_array().unwrap().len(), 1);
    let nobody = get(admin.clone(), "?location=Atlantis").await.json();
    assert_eq!(people(&nobody), 0);

    let tree = get(manager.clone(), "").await.json();
    assert_eq!(tree["scope"], "Your organisation");
    assert!(people(&tree) < people(&all), "{}", people(&tree));
    let r = get(member, "").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    let csv = get(admin, "/export").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"),
        "{:?}",
        csv.headers
    );
    let text = csv.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with(
            "department,people,managers,delivery,overloaded,career_support,delegation_median,managers_median_delivery,"
        ),
        "{}",
        lines[0]
    );
    let columns = lines[0].split(',').count();
    assert_eq!(
        columns,
        7 + 13,
        "the department figures and the 13 scorecard medians"
    );
    assert!(lines.iter().all(|l| l.split(',').count() == columns));
    assert_eq!(
        lines.len(),
        rows.len() + 2,
        "a row per department and the total"
    );
    assert!(lines.last().unwrap().starts_with("All,"));

    let session = app
        .sign_in(&emails[1], crate::common::PASSWORD)
        .await
        .unwrap();
    let page = app.get_page("/dashboard", Some(&session)).await.text();
    for part in [
        "Delivery by month",
        "<svg",
        "9-box",
        "Download CSV",
        "Managers' scorecards by department",
    ] {
        assert!(page.contains(part), "{part}");
    }
}

backend_tests!(the_nine_box_places_everyone_where_calibration_does);
async fn the_nine_box_places_everyone_where_calibration_does(backend: &'static str) {
    use trellis_core::reviews::calibration::{place, placement};
    use trellis_core::store::prelude::*;
    let (app, _) = demo_app_on(backend).await;
    let store = app.store.as_ref();
    let mut placed = 0;
    for cycle in store.cycles().await.unwrap() {
        let reviews = store.reviews_of_cycle(cycle.id).await.unwrap();
        // Two calibration moves of one review: the later one is where it stands.
        if let Some(review) = reviews.first() {
            for (performance, potential, at) in [(0, 2, 1_000), (2, 1, 2_000)] {
                sqlx::query(
                    "INSERT INTO review_box_moves \
                     (review_id, performance, potential, reason, moved_by, moved_at) \
                     VALUES ($1, $2, $3, 'calibration', $4, $5)",
                )
                .bind(review.id.0)
                .bind(performance)
                .bind(potential)
                .bind(review.reviewee.id.0)
                .bind(at)
                .execute(app.store.pool())
                .await
                .unwrap();
            }
        }
        let mut expected: Vec<(i64, u8, u8)> = store
            .reviews_of_cycle(cycle.id)
            .await
            .unwrap()
            .iter()
            .filter_map(|r| {
                placement(&cycle, r).map(|p| (r.reviewee.id.0, p.performance, p.potential))
            })
            .collect();
        let mut read: Vec<(i64, u8, u8)> = store
            .box_inputs(cycle.id)
            .await
            .unwrap()
            .iter()
            .filter_map(|b| {
                place(&cycle, &b.manager_answers, b.last_move)
                    .map(|p| (b.reviewee.0, p.performance, p.potential))
            })
            .collect();
        expected.sort_unstable();
        read.sort_unstable();
        assert_eq!(read, expected, "{backend}: {}", cycle.name);
        let first = reviews.first().map(|r| r.reviewee.id.0);
        assert!(
            first.is_none()
                || read
                    .iter()
                    .any(|p| Some(p.0) == first && p.1 == 2 && p.2 == 1),
            "{backend}: the later move stands"
        );
        placed += read.len();
    }
    assert!(placed > 0, "{backend}: the demo places people");
}
