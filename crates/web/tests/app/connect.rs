//! Connection programmes over the API: who may create and run one, bad input refused at
//! the field, opt-outs and private exclusions respected, each person seeing only their own
//! pairings, and the outcome said only by the group.

use crate::common::TestApp;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_store::backend_tests;

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

fn programme(audience: &str, value: Option<String>, group_size: i64, first: String) -> Value {
    json!({
        "name": "Coffee roulette",
        "audience": audience,
        "audience_value": value,
        "rhythm_weeks": 1,
        "group_size": group_size,
        "first_round_on": first,
    })
}

backend_tests!(connection_rounds_over_the_api_respect_choices_exclusions_and_privacy);
async fn connection_rounds_over_the_api_respect_choices_exclusions_and_privacy(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let max = app.token("mgr@acme.test").await;
    let dana = app.token("dev@acme.test").await;
    let devi = app.token("dev2@acme.test").await;
    let rita = app.token("rep@acme.test").await;
    let (dana_id, max_id) = (app.id("dev@acme.test").await, app.id("mgr@acme.test").await);

    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&hr),
            Some(programme("everyone", None, 4, yesterday)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let text = r.text();
    assert!(
        text.contains("a group size of 4 is not offered: choose 2 (pairs) or 3 (trios)"),
        "{text}"
    );
    assert!(
        text.contains("the first round cannot be in the past"),
        "{text}"
    );
    let r = app
        .api(Method::GET, "/api/v1/connect/programmes", Some(&hr), None)
        .await;
    assert_eq!(r.json(), json!([]), "{backend}: nothing written");

    // A manager creates one for their own tree, not for everyone.
    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&max),
            Some(programme("everyone", None, 2, today())),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&max),
            Some(programme("tree", Some(max_id.to_string()), 2, today())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let tree = r.json()["programme"]["id"].as_i64().unwrap();
    assert_eq!(r.json()["programme"]["members"], 3, "Max, Dana and Devi");
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{tree}"),
            Some(&rita),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "Rita is not in Max's tree");

    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&hr),
            Some(programme("everyone", None, 2, today())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["programme"]["id"].as_i64().unwrap();
    assert_eq!(r.json()["programme"]["members"], 8);

    // Devi privately excludes Dana; Rita opts out.
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/connect/exclusions/{dana_id}"),
            Some(&devi),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app
        .api(Method::GET, "/api/v1/connect/exclusions", Some(&devi), None)
        .await;
    assert_eq!(r.json()[0]["name"], "Dana Dev");
    let r = app
        .api(Method::GET, "/api/v1/connect/exclusions", Some(&dana), None)
        .await;
    assert_eq!(r.json(), json!([]), "Dana never learns it");
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/connect/programmes/{id}/choice"),
            Some(&rita),
            Some(json!({"opted_out": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // Only those who run it run a round.
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/programmes/{id}/rounds"),
            Some(&dana),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    for _ in 0..7 {
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/connect/programmes/{id}/rounds"),
                Some(&hr),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{id}"),
            Some(&hr),
            None,
        )
        .await;
    let admin_view = r.json();
    assert_eq!(admin_view["rounds"].as_array().unwrap().len(), 7);
    assert!(
        admin_view["rounds"][6]["summary"]
            .as_str()
            .unwrap()
            .starts_with("7 people took part: 2 pairs and 1 trio"),
        "{admin_view}"
    );
    assert!(
        admin_view["mine"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| !m["with"].as_array().unwrap().is_empty())
    );
    assert!(
        admin_view["coverage"]["by_round"].as_array().unwrap().len() == 7,
        "{admin_view}"
    );

    // Dana sees her own pairings and "met X of Y", never the rounds or the coverage.
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{id}"),
            Some(&dana),
            None,
        )
        .await;
    let mine = r.json();
    assert_eq!(mine["rounds"], json!([]));
    assert_eq!(mine["coverage"], Value::Null);
    assert_eq!(
        mine["colleagues"], 6,
        "everyone in it but Dana and Rita, who opted out"
    );
    let partners: Vec<&str> = mine["mine"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| {
            m["with"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap())
        })
        .collect();
    assert!(
        !partners.contains(&"Devi Dev") && !partners.contains(&"Rita Rep"),
        "{partners:?}"
    );
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{id}"),
            Some(&rita),
            None,
        )
        .await;
    assert_eq!(r.json()["mine"], json!([]), "Rita opted out");

    // The group says whether it met; nobody else may.
    let group = mine["mine"][0]["group_id"].as_i64().unwrap();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/groups/{group}/outcome"),
            Some(&rita),
            Some(json!({"outcome": "met"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/groups/{group}/outcome"),
            Some(&dana),
            Some(json!({"outcome": "maybe"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/groups/{group}/outcome"),
            Some(&dana),
            Some(json!({"outcome": "met"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{id}"),
            Some(&dana),
            None,
        )
        .await;
    assert_eq!(r.json()["mine"][0]["outcome"], "met");

    // Only those who run it archive it; then it runs no more rounds and keeps its history.
    let archive = format!("/api/v1/connect/programmes/{id}/archive");
    let r = app.api(Method::POST, &archive, Some(&dana), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app.api(Method::POST, &archive, Some(&hr), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let archived = r.json();
    assert!(archived["programme"]["archived_at"].is_i64(), "{archived}");
    assert_eq!(archived["programme"]["next_round_on"], Value::Null);
    assert_eq!(archived["rounds"].as_array().unwrap().len(), 7);
    let r = app.api(Method::POST, &archive, Some(&hr), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("is already archived"), "{}", r.text());
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/programmes/{id}/rounds"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.text().contains("is archived: it runs no more rounds"),
        "{}",
        r.text()
    );
}
