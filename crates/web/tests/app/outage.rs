//! The database goes away while Trellis runs: requests get a clear 503 (not a panic, not a
//! hang), the server keeps running, and it recovers when the database comes back.
//! Runs on a private PostgreSQL cluster when `TRELLIS_TEST_PG_BIN` names PostgreSQL's
//! bin folder (scripts/test sets it).

use crate::common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;
use trellis_core::store::prelude::*;

struct Cluster {
    bin: String,
    dir: tempfile::TempDir,
    port: u16,
}

fn as_postgres(program: &str) -> Command {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    if is_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", program]);
        c
    } else {
        Command::new(program)
    }
}

impl Cluster {
    fn pg_ctl(&self, args: &[&str]) {
        let status = as_postgres(&format!("{}/pg_ctl", self.bin))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "pg_ctl {args:?}");
    }

    fn start(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log");
        self.pg_ctl(&["-l", log.to_str().unwrap(), "-w", "-o", &options, "start"]);
    }

    fn stop(&self) {
        // Immediate: connections drop as they would when the server crashes.
        self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
    }

    fn new(bin: String) -> Cluster {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let _ = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir.path())
            .status();
        let status = as_postgres(&format!("{bin}/initdb"))
            .arg("-D")
            .arg(dir.path().join("data"))
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-locale",
            ])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "initdb");
        let cluster = Cluster { bin, dir, port };
        cluster.start();
        cluster
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_postgres(&format!("{}/pg_ctl", self.bin))
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .status();
    }
}

async fn get(router: &axum::Router, path: &str, token: &str) -> (StatusCode, String) {
    let (status, body, _) = get_with_headers(router, path, token).await;
    (status, body)
}

async fn get_with_headers(
    router: &axum::Router,
    path: &str,
    token: &str,
) -> (StatusCode, String, axum::http::HeaderMap) {
    let request = Request::builder()
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&body).into_owned(), headers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_gives_503_and_trellis_recovers() {
    let Ok(bin) = std::env::var("TRELLIS_TEST_PG_BIN") else {
        trellis_store::testing::skipped("TRELLIS_TEST_PG_BIN", "the PostgreSQL outage test");
        return;
    };
    let cluster = Cluster::new(bin);
    let url = format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port);
    let store = Arc::new(
        trellis_store::SqlStore::connect(&trellis_store::StoreOptions::new(url))
            .await
            .unwrap(),
    );
    let plan = trellis_core::org::import::plan_import(
        trellis_core::org::import::parse_people_csv(common::ORG_CSV.as_bytes()),
        &store.org_snapshot().await.unwrap(),
        Default::default(),
    );
    store
        .apply_import(
            &plan,
            &trellis_core::org::imports::import_record(&plan, None, "people.csv", 0),
        )
        .await
        .unwrap();
    let hr = store
        .person_id_by_email("hr@acme.test")
        .await
        .unwrap()
        .unwrap();
    let account = store.create_account(hr, "unused", true).await.unwrap();
    let token = trellis_core::auth::random_token().unwrap();
    store
        .create_api_token(account, "t", &trellis_core::auth::token_digest(&token), 0)
        .await
        .unwrap();
    let router = trellis_web::router(trellis_web::AppState::new(
        store.clone(),
        trellis_web::WebConfig::default(),
    ));
    assert_eq!(
        get(&router, "/api/v1/people", &token).await.0,
        StatusCode::OK
    );

    cluster.stop();
    let started = Instant::now();
    let (status, body) = get(&router, "/api/v1/people", &token).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert!(
        body.contains("\"code\":\"unavailable\"")
            && body.contains("the database is unavailable right now"),
        "{body}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "answered, not hung"
    );
    let (status, body, headers) = get_with_headers(&router, "/healthz", "").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        body, r#"{"message":"database unreachable","status":"unavailable"}"#,
        "anonymous callers read no database error text"
    );
    assert_eq!(headers[header::RETRY_AFTER], "5");
    let (status, page, headers) = get_with_headers(&router, "/people", &token).await;
    assert!(
        status == StatusCode::SERVICE_UNAVAILABLE && page.contains("Temporarily unavailable"),
        "{status}: {page}"
    );
    assert_eq!(headers[header::RETRY_AFTER], "5", "the HTML page too");

    cluster.start();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _) = get(&router, "/api/v1/people", &token).await;
        if status == StatusCode::OK {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "Trellis did not recover: {status}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
