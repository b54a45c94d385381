//! Influence over the API: interactions imported by people admins only, all rows or none;
//! the report gives figures, never who sought whose advice, and each viewer only the
//! people they may see.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use trellis_store::backend_tests;

fn day(ago: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(ago)).to_string()
}

async fn upload(app: &TestApp, token: &str, csv: String, dry_run: bool) -> crate::common::Response {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(format!(
                "/api/v1/interactions/import?dry_run={dry_run}&file_name=chat.csv"
            ))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(csv))
            .unwrap(),
    )
    .await
}

backend_tests!(the_influence_report_gives_figures_to_whoever_may_see_them_and_never_the_ties);
async fn the_influence_report_gives_figures_to_whoever_may_see_them_and_never_the_ties(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let dana = app.token("dev@acme.test").await;
    // Rita (Sales) and Devi seek Dana's advice; Max, her manager, does too (in her line).
    let csv = format!(
        "From Email,To Email,Date,Kind\nrep@acme.test,dev@acme.test,{d},advice\n\
         dev2@acme.test,dev@acme.test,{d},advice\nmgr@acme.test,dev@acme.test,{d},advice\n\
         dev@acme.test,sales.head@acme.test,{d},meeting\n",
        d = day(3)
    );
    let r = upload(&app, &dana, csv.clone(), false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only people admins import");
    let bad = format!(
        "From,To,Date,Kind\nrep@acme.test,ghost@acme.test,{},advice\n",
        day(3)
    );
    let r = upload(&app, &hr, bad, false).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("chat.csv:2: To: nobody in Trellis is ghost@acme.test"),
        "{}",
        r.text()
    );
    let r = upload(&app, &hr, csv.clone(), true).await;
    assert_eq!(r.json()["added"], 4, "{}", r.text());
    let r = upload(&app, &hr, csv.clone(), false).await;
    assert_eq!(r.json()["added"], 4, "{}", r.text());
    assert_eq!(upload(&app, &hr, csv, false).await.json()["added"], 0);

    // The whole organisation: people admins.
    let r = app
        .api(Method::GET, "/api/v1/reports/influence", Some(&hr), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    let row = |body: &Value, email: &str| {
        body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["email"] == email)
            .cloned()
    };
    let d = row(&body, "dev@acme.test").unwrap();
    assert_eq!(d["advice_sought_by"], 3, "{d}");
    assert_eq!(d["influence_outside_line"], 2, "{d}");
    assert_eq!(d["brokerage_exact"], true);
    assert_eq!(
        app.api(Method::GET, "/api/v1/reports/influence", Some(&dana), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Dana sees her own figures and nobody else's; the answer names no seeker.
    let dana_id = app.id("dev@acme.test").await;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/reports/influence?person_id={dana_id}"),
            Some(&dana),
            None,
        )
        .await;
    let text = r.text();
    assert_eq!(r.json()["rows"].as_array().unwrap().len(), 1, "{text}");
    for other in [
        "rep@acme.test",
        "dev2@acme.test",
        "mgr@acme.test",
        "Rita",
        "Devi",
    ] {
        assert!(!text.contains(other), "{other} in Dana's figures: {text}");
    }
    // Rita may not read Dana's.
    let rita = app.token("rep@acme.test").await;
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/api/v1/reports/influence?person_id={dana_id}"),
            Some(&rita),
            None,
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Max reads his tree: himself, Dana and Devi.
    let max = app.token("mgr@acme.test").await;
    let max_id = app.id("mgr@acme.test").await;
    let tree = app
        .api(
            Method::GET,
            &format!("/api/v1/reports/influence?manager_id={max_id}"),
            Some(&max),
            None,
        )
        .await
        .json();
    assert_eq!(tree["rows"].as_array().unwrap().len(), 3, "{tree}");
    assert!(row(&tree, "rep@acme.test").is_none());
}
