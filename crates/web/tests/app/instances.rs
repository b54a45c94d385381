//! Several instances on one database, and one installation copied to another backend.

use crate::common;
use trellis_store::backend_tests;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, TestApp};
use serde_json::json;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tower::ServiceExt;
use trellis_core::store::prelude::*;
use trellis_store::testing::{TestDatabase, backends};

/// A second instance: its own pool and router on the same database.
async fn second_instance(app: &TestApp) -> axum::Router {
    let store = Arc::new(app.db.store().await);
    trellis_web::router(trellis_web::AppState::new(
        store,
        trellis_web::WebConfig::default(),
    ))
}

async fn call(
    router: &axum::Router,
    method: Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(b) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let response = router
        .clone()
        .oneshot(builder.body(body).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    )
}

backend_tests!(multi_thread: two_instances_serve_one_organisation);
async fn two_instances_serve_one_organisation(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let a = app.router.clone();
    let b = second_instance(&app).await;
    // A session made on one instance is valid on the other.
    let session = app.sign_in("rep@acme.test", PASSWORD).await.unwrap();
    let response = b
        .clone()
        .oneshot(
            Request::builder()
                .uri("/")
                .header(header::COOKIE, &session.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{backend}");
    // Signing out on one instance ends the session on the other at once.
    let doomed = app.sign_in("dev@acme.test", PASSWORD).await.unwrap();
    let page_on_b = |cookie: String| {
        let b = b.clone();
        async move {
            b.oneshot(
                Request::builder()
                    .uri("/")
                    .header(header::COOKIE, cookie)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap()
            .status()
        }
    };
    assert_eq!(page_on_b(doomed.cookie.clone()).await, StatusCode::OK);
    let response = app
        .post_form("/signout", Some(&doomed), None, &[("csrf", &doomed.csrf)])
        .await;
    assert_eq!(response.status, StatusCode::SEE_OTHER, "{backend}");
    assert_eq!(
        page_on_b(doomed.cookie.clone()).await,
        StatusCode::SEE_OTHER,
        "{backend}: the other instance sends the signed-out browser to sign in"
    );

    // 32 clients, each creating people and updating them, alternating instances.
    let token = Arc::new(app.token("hr@acme.test").await);
    let server_errors = Arc::new(AtomicUsize::new(0));
    let stale_reads = Arc::new(AtomicUsize::new(0));
    let mut clients = Vec::new();
    for c in 0..32 {
        let (a, b, token, server_errors, stale_reads) = (
            a.clone(),
            b.clone(),
            token.clone(),
            server_errors.clone(),
            stale_reads.clone(),
        );
        clients.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..6 {
                let (first, second) = if (c + i) % 2 == 0 { (&a, &b) } else { (&b, &a) };
                let email = format!("c{c}.p{i}@acme.test");
                let (status, body) = call(
                    first,
                    Method::POST,
                    "/api/v1/people",
                    &token,
                    Some(json!({"name": format!("Client {c} Person {i}"), "email": email})),
                )
                .await;
                if status.is_server_error() {
                    server_errors.fetch_add(1, Ordering::Relaxed);
                }
                if status != StatusCode::CREATED {
                    continue;
                }
                let id = body["id"].as_i64().unwrap();
                let title = format!("Title {c}-{i}");
                let (status, _) = call(
                    second,
                    Method::PATCH,
                    &format!("/api/v1/people/{id}"),
                    &token,
                    Some(json!({"title": title})),
                )
                .await;
                if status.is_server_error() {
                    server_errors.fetch_add(1, Ordering::Relaxed);
                }
                if status == StatusCode::OK {
                    // The instance that created the person (and read it into its
                    // caches) shows the change made on the other at once.
                    let (_, node) = call(
                        first,
                        Method::GET,
                        &format!("/api/v1/org/{id}?depth=0"),
                        &token,
                        None,
                    )
                    .await;
                    let (_, person) = call(
                        first,
                        Method::GET,
                        &format!("/api/v1/people/{id}"),
                        &token,
                        None,
                    )
                    .await;
                    if node["person"]["title"] != title.as_str()
                        || person["title"] != title.as_str()
                    {
                        stale_reads.fetch_add(1, Ordering::Relaxed);
                    }
                }
                acknowledged.push((email, (status == StatusCode::OK).then_some(title)));
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for c in clients {
        acknowledged.extend(c.await.unwrap());
    }
    assert_eq!(
        server_errors.load(Ordering::Relaxed),
        0,
        "{backend}: no request failed with a 5xx"
    );
    assert_eq!(
        stale_reads.load(Ordering::Relaxed),
        0,
        "{backend}: every update was read back at once on the other instance"
    );
    assert_eq!(
        acknowledged.len(),
        32 * 6,
        "{backend}: every create was acknowledged"
    );
    // Every acknowledged write is there exactly once, seen from either instance.
    for (n, (email, title)) in acknowledged.iter().enumerate() {
        let router = if n % 2 == 0 { &a } else { &b };
        let (_, list) = call(
            router,
            Method::GET,
            &format!("/api/v1/people?q={email}"),
            &token,
            None,
        )
        .await;
        assert_eq!(list["total"], 1, "{backend}: {email}");
        if let Some(title) = title {
            assert_eq!(&list["items"][0]["title"], title, "{backend}: {email}");
        }
    }
    let counts = app.store.counts().await.unwrap();
    assert_eq!(counts.people, 8 + 32 * 6, "{backend}");
}

/// Every list the API offers, page by page, as JSON text.
async fn every_list(router: &axum::Router, token: &str) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    let mut page = 1;
    loop {
        let path = format!("/api/v1/people?per_page=100&page={page}&include_left=true");
        let (status, body) = call(router, Method::GET, &path, token, None).await;
        assert_eq!(status, StatusCode::OK);
        let done = body["items"].as_array().unwrap().is_empty();
        out.push((path, body));
        if done {
            break;
        }
        page += 1;
    }
    for path in ["/api/v1/org", "/api/v1/teams", "/api/v1/me"] {
        let (_, body) = call(router, Method::GET, path, token, None).await;
        out.push((path.to_string(), body));
    }
    let (_, teams) = call(router, Method::GET, "/api/v1/teams", token, None).await;
    for t in teams.as_array().unwrap() {
        let path = format!("/api/v1/teams/{}", t["id"]);
        let (_, body) = call(router, Method::GET, &path, token, None).await;
        out.push((path, body));
    }
    let (_, roots) = call(router, Method::GET, "/api/v1/org", token, None).await;
    for r in roots.as_array().unwrap() {
        let path = format!("/api/v1/org/{}?depth=4", r["id"]);
        let (_, body) = call(router, Method::GET, &path, token, None).await;
        out.push((path, body));
    }
    for id in (1..=250).step_by(7) {
        for path in [
            format!("/api/v1/people/{id}"),
            format!("/api/v1/people/{id}/plate"),
            format!("/api/v1/people/{id}/team-work?window_days=180"),
            format!("/api/v1/commitments/{}", id * 13),
            format!("/api/v1/people/{id}/mentorships"),
        ] {
            let (_, body) = call(router, Method::GET, &path, token, None).await;
            out.push((path, body));
        }
    }
    for path in [
        "/api/v1/objectives",
        "/api/v1/reports/work?window=180d",
        "/api/v1/opportunities",
        "/api/v1/opportunities/1",
        "/api/v1/opportunities/3",
        "/api/v1/opportunities/4",
        "/api/v1/mentoring/rounds",
        "/api/v1/mentoring/rounds/1",
        "/api/v1/talent",
    ] {
        let (status, body) = call(router, Method::GET, path, token, None).await;
        assert_eq!(status, StatusCode::OK);
        out.push((path.to_string(), body));
    }
    out
}

#[tokio::test]
async fn a_copied_installation_answers_every_list_the_same() {
    let target_backend = *backends().last().unwrap();
    // The demo organisation on SQLite.
    let source_db = TestDatabase::new("sqlite").await;
    let source = Arc::new(source_db.store().await);
    let org = trellis_core::demo::generate(250, 11);
    for level in trellis_core::demo::demo_levels() {
        source.upsert_level(&level).await.unwrap();
    }
    let plan = trellis_core::org::import::plan_import(
        org.as_import(),
        &Default::default(),
        Default::default(),
    );
    source
        .apply_import(
            &plan,
            &trellis_core::org::imports::import_record(&plan, None, "people.csv", 0),
        )
        .await
        .unwrap();
    trellis_core::work::demo::load(source.as_ref(), &org, trellis_web::now(), 11)
        .await
        .unwrap();
    trellis_core::growth::demo::load(source.as_ref(), &org, trellis_web::now())
        .await
        .unwrap();
    trellis_core::mentoring::demo::load(source.as_ref(), &org, trellis_web::now())
        .await
        .unwrap();
    let admin = source
        .person_id_by_email(&org.people[org.admin].record.email)
        .await
        .unwrap()
        .unwrap();
    let account = source.create_account(admin, "unused", true).await.unwrap();
    let token = trellis_core::auth::random_token().unwrap();
    source
        .create_api_token(
            account,
            "copy",
            &trellis_core::auth::token_digest(&token),
            0,
        )
        .await
        .unwrap();

    let target_db = TestDatabase::new(target_backend).await;
    let target = Arc::new(target_db.store().await);
    trellis_store::copy_database(&source, &target, false)
        .await
        .unwrap();

    let router = |s: Arc<trellis_store::SqlStore>| {
        trellis_web::router(trellis_web::AppState::new(
            s,
            trellis_web::WebConfig::default(),
        ))
    };
    let before = every_list(&router(source.clone()), &token).await;
    let after = every_list(&router(target.clone()), &token).await;
    assert!(before.len() > 40, "the comparison covers the whole API");
    assert_eq!(before.len(), after.len());
    for ((path, a), (_, b)) in before.iter().zip(&after) {
        assert_eq!(a, b, "{target_backend}: {path} differs after the copy");
    }
}
