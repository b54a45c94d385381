//! New-manager transitions: someone who gains their first report is in transition; their
//! delegation ratio follows the work as it is handed on; the transition is for them, their
//! chain and admins (404 to anyone else), and the flag only for the chain and admins.

use crate::common::{TestApp, demo_app};
use axum::http::{Method, StatusCode};
use serde_json::json;
use trellis_store::backend_tests;

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

backend_tests!(a_new_managers_ratio_follows_the_work_and_only_the_line_sees_it);
async fn a_new_managers_ratio_follows_the_work_and_only_the_line_sees_it(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let rita = app.token("rep@acme.test").await;
    let sam = app.token("sales.head@acme.test").await;
    let max = app.token("mgr@acme.test").await;
    let dana = app.token("dev@acme.test").await;
    let (rita_id, dana_id) = (app.id("rep@acme.test").await, app.id("dev@acme.test").await);
    let list = app
        .api(Method::GET, "/api/v1/transitions", Some(&hr), None)
        .await;
    assert_eq!(list.json(), json!([]), "the import records no changes");

    // Rita has 30 h of her own work; Dana has 10 h; then Dana moves to Rita.
    let mut rita_work = Vec::new();
    for (token, owner, hours) in [
        (&rita, rita_id, 20),
        (&rita, rita_id, 10),
        (&dana, dana_id, 10),
    ] {
        let r = app
            .api(
                Method::POST,
                "/api/v1/commitments",
                Some(token),
                Some(
                    json!({"title": format!("{hours} h of work"), "owner_id": owner,
                    "due_date": day(20), "effort_hours": hours}),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        if owner == rita_id {
            rita_work.push(r.json()["id"].as_i64().unwrap());
        }
    }
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{dana_id}"),
            Some(&hr),
            Some(json!({"manager_id": rita_id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let path = format!("/api/v1/transitions/{rita_id}");
    let d = app.api(Method::GET, &path, Some(&sam), None).await.json();
    assert_eq!(d["kind"], "first_reports");
    assert_eq!(
        (d["reports"].as_u64(), d["new_reports"].as_u64()),
        (Some(1), Some(1))
    );
    // 30 of the team's 40 hours are Rita's own.
    assert_eq!(d["ratio_now"], 0.75);
    let weeks = d["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 26);
    assert_eq!(weeks[25]["manager_hours"], 30.0);
    assert_eq!(weeks[25]["team_hours"], 40.0);
    assert_eq!(
        weeks[0]["ratio"],
        json!(null),
        "no open work half a year ago"
    );
    assert_eq!(d["flagged"], false, "one week is not four");
    assert_eq!(d["one_on_ones"][0]["report"]["name"], "Dana Dev");

    // Her manager hands Rita's 20 h to Dana: 10 of 40.
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{}/reassign", rita_work[0]),
            Some(&sam),
            Some(json!({"owner_id": dana_id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = app.api(Method::GET, &path, Some(&rita), None).await.json();
    assert_eq!(d["ratio_now"], 0.25);
    assert_eq!(
        d["flagged"],
        json!(null),
        "the flag is for her chain and admins"
    );
    // And finishing the 10 h she kept leaves her none of it.
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{}/status", rita_work[1]),
            Some(&rita),
            Some(json!({"status": "done"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let d = app.api(Method::GET, &path, Some(&hr), None).await.json();
    assert_eq!(d["ratio_now"], 0.0);
    assert_eq!(d["weeks"][25]["team_hours"], 30.0);

    // Outside the line: as if there were no transition.
    for (who, token) in [("a manager elsewhere", &max), ("her report", &dana)] {
        let r = app.api(Method::GET, &path, Some(token), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
    }
    let max_list = app
        .api(Method::GET, "/api/v1/transitions", Some(&max), None)
        .await
        .json();
    assert_eq!(max_list, json!([]));
    let sams = app
        .api(Method::GET, "/api/v1/transitions", Some(&sam), None)
        .await
        .json();
    assert_eq!(sams[0]["manager"]["name"], "Rita Rep");
}

#[tokio::test]
async fn the_demo_has_a_new_manager_still_doing_the_old_job() {
    let (app, emails) = demo_app().await;
    let admin = app.token(&emails[0]).await;
    let list = app
        .api(Method::GET, "/api/v1/transitions", Some(&admin), None)
        .await
        .json();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    let flagged: Vec<_> = list.iter().filter(|t| t["flagged"] == true).collect();
    assert_eq!(flagged.len(), 1, "{list:?}");
    let id = flagged[0]["manager"]["id"].as_i64().unwrap();
    let d = app
        .api(
            Method::GET,
            &format!("/api/v1/transitions/{id}"),
            Some(&admin),
            None,
        )
        .await
        .json();
    let old: Vec<&str> = d["old_work"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["title"].as_str().unwrap())
        .collect();
    assert!(
        old.contains(&"Finish the billing export I started"),
        "{old:?}"
    );
    let session = app
        .sign_in(&emails[0], crate::common::PASSWORD)
        .await
        .unwrap();
    let page = app
        .get_page(&format!("/transitions/{id}"), Some(&session))
        .await
        .text();
    assert!(page.contains("Still doing the old job"), "{page}");
    assert!(page.contains("<svg"), "the chart is drawn on the server");
}
