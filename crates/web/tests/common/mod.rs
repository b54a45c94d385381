//! `TestApp`: the router over a real database (SQLite, or PostgreSQL when
//! `TRELLIS_TEST_DATABASE_URL` is set) with a small known organisation and accounts.
#![allow(dead_code)]

pub mod oidc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use std::sync::Arc;
use tower::ServiceExt;
use trellis_core::auth::{hash_password, random_token, token_digest};
use trellis_core::org::import::{ImportOptions, parse_people_csv, plan_import};
use trellis_core::store::prelude::*;
use trellis_store::SqlStore;
use trellis_store::testing::TestDatabase;

pub const ORG_CSV: &str = "\
Employee Id,Email,Name,Manager Email,Department,Team,Title,Level,Start Date,Location,Skills
E1,ceo@acme.test,Cleo Ceo,,Leadership,,CEO,L8,2015-01-01,Berlin,strategy:5
E2,eng.head@acme.test,Erin Eng,ceo@acme.test,Engineering,,VP Engineering,L7,2016-02-01,Berlin,rust:4
E3,mgr@acme.test,Max Manager,eng.head@acme.test,Engineering,Platform,Engineering Manager,L5,2018-03-01,London,rust:3
E4,dev@acme.test,Dana Dev,mgr@acme.test,Engineering,Platform,Software Engineer,L2,2021-04-01,London,rust:2+; sql:3
E5,dev2@acme.test,Devi Dev,mgr@acme.test,Engineering,Platform,Software Engineer,L2,2022-05-01,Lisbon,go:3
E6,sales.head@acme.test,Sam Sales,ceo@acme.test,Sales,,Chief Revenue Officer,L7,2017-01-01,New York,negotiation:5
E7,rep@acme.test,Rita Rep,sales.head@acme.test,Sales,Enterprise,Account Executive,L3,2020-06-01,New York,negotiation:3
E8,hr@acme.test,Hana Hr,ceo@acme.test,People,,People Partner,L4,2019-01-01,Berlin,coaching:4
";

pub const PASSWORD: &str = "correct horse battery staple";

/// The router over a fresh database with the org above.
pub struct TestApp {
    pub db: TestDatabase,
    pub store: Arc<SqlStore>,
    pub router: axum::Router,
    pub backend: &'static str,
}

pub struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.text())
    }
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// An API error's fields as "field: message", in order.
    pub fn field_errors(&self) -> Vec<String> {
        self.json()["error"]["fields"]
            .as_array()
            .map(|fields| {
                fields
                    .iter()
                    .map(|f| {
                        format!(
                            "{}: {}",
                            f["field"].as_str().unwrap_or(""),
                            f["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A browser-like session: cookie and CSRF token.
pub struct Session {
    pub cookie: String,
    pub csrf: String,
}

impl TestApp {
    pub async fn new(backend: &'static str) -> TestApp {
        TestApp::with_config(backend, trellis_web::WebConfig::default()).await
    }

    /// The app with settings of its own (single sign-on, passwords off, …).
    pub async fn with_config(backend: &'static str, config: trellis_web::WebConfig) -> TestApp {
        let db = TestDatabase::new(backend).await;
        let store = Arc::new(db.store().await);
        let plan = plan_import(
            parse_people_csv(ORG_CSV.as_bytes()),
            &store.org_snapshot().await.unwrap(),
            ImportOptions::default(),
        );
        assert!(plan.is_valid(), "{:?}", plan.errors);
        store
            .apply_import(
                &plan,
                &trellis_core::org::imports::import_record(&plan, None, "people.csv", 0),
            )
            .await
            .unwrap();
        let hash = hash_password(PASSWORD).unwrap();
        for email in [
            "hr@acme.test",
            "mgr@acme.test",
            "dev@acme.test",
            "rep@acme.test",
            "eng.head@acme.test",
            "dev2@acme.test",
            "sales.head@acme.test",
            "ceo@acme.test",
        ] {
            let id = store.person_id_by_email(email).await.unwrap().unwrap();
            store
                .create_account(id, &hash, email == "hr@acme.test")
                .await
                .unwrap();
        }
        let state = trellis_web::AppState::new(store.clone(), config);
        TestApp {
            db,
            store,
            router: trellis_web::router(state),
            backend,
        }
    }

    pub async fn id(&self, email: &str) -> i64 {
        self.store
            .person_id_by_email(email)
            .await
            .unwrap()
            .unwrap()
            .0
    }

    /// A fresh API token for an account.
    pub async fn token(&self, email: &str) -> String {
        let account = self.store.account_by_email(email).await.unwrap().unwrap();
        let token = random_token().unwrap();
        self.store
            .create_api_token(account.id, "test", &token_digest(&token), 0)
            .await
            .unwrap();
        token
    }

    pub async fn send(&self, request: Request<Body>) -> Response {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        Response {
            status,
            headers,
            body,
        }
    }

    /// An API call with a bearer token (None: anonymous).
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Response {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let request = match body {
            Some(b) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string()))
                .unwrap(),
            None => builder.body(Body::empty()).unwrap(),
        };
        self.send(request).await
    }

    pub async fn get_page(&self, path: &str, session: Option<&Session>) -> Response {
        let mut builder = Request::builder().uri(path);
        if let Some(s) = session {
            builder = builder.header(header::COOKIE, &s.cookie);
        }
        self.send(builder.body(Body::empty()).unwrap()).await
    }

    pub async fn post_form(
        &self,
        path: &str,
        session: Option<&Session>,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> Response {
        let body = form
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(s) = session {
            builder = builder.header(header::COOKIE, &s.cookie);
        } else if let Some(c) = cookie {
            builder = builder.header(header::COOKIE, c);
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    /// Signs in through the form, as a browser would.
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<Session, Response> {
        let form = self.get_page("/signin", None).await;
        let cookie = cookie_pair(&form, "trellis_signin_csrf").expect("sign-in CSRF cookie");
        let csrf = hidden_value(&form.text(), "csrf");
        let response = self
            .post_form(
                "/signin",
                None,
                Some(&cookie),
                &[
                    ("email", email),
                    ("password", password),
                    ("csrf", &csrf),
                    ("next", "/"),
                ],
            )
            .await;
        if response.status != StatusCode::SEE_OTHER {
            return Err(response);
        }
        let cookie = cookie_pair(&response, "trellis_session").expect("session cookie");
        let home = self
            .get_page(
                "/",
                Some(&Session {
                    cookie: cookie.clone(),
                    csrf: String::new(),
                }),
            )
            .await;
        let csrf = hidden_value(&home.text(), "csrf");
        Ok(Session { cookie, csrf })
    }
}

/// The demo organisation (250 people with their work, growth and mentoring) behind the
/// router, with its admin, a manager and a member signing in with [`PASSWORD`]: the pages
/// at the sizes people see them.
pub async fn demo_app() -> (TestApp, [String; 3]) {
    demo_app_on("sqlite").await
}

/// [`demo_app`] on either backend.
pub async fn demo_app_on(backend: &'static str) -> (TestApp, [String; 3]) {
    use trellis_core::org::import::{ImportOptions, OrgSnapshot, plan_import};
    use trellis_core::store::prelude::*;
    let db = trellis_store::testing::TestDatabase::new(backend).await;
    let store = std::sync::Arc::new(db.store().await);
    let now = trellis_web::now();
    let org = trellis_core::demo::generate(250, 7);
    store
        .upsert_levels(&trellis_core::demo::demo_levels())
        .await
        .unwrap();
    let plan = plan_import(
        org.as_import(),
        &OrgSnapshot::default(),
        ImportOptions::default(),
    );
    assert!(plan.is_valid(), "{:?}", plan.errors.first());
    store
        .apply_import(
            &plan,
            &trellis_core::org::imports::import_record(&plan, None, "demo", now),
        )
        .await
        .unwrap();
    trellis_core::work::demo::load(store.as_ref(), &org, now, 7)
        .await
        .unwrap();
    trellis_core::growth::demo::load(store.as_ref(), &org, now)
        .await
        .unwrap();
    trellis_core::mentoring::demo::load(store.as_ref(), &org, now)
        .await
        .unwrap();
    trellis_core::conversations::demo::load(store.as_ref(), &org, now)
        .await
        .unwrap();
    trellis_core::reviews::demo::load(store.as_ref(), now)
        .await
        .unwrap();
    let config = trellis_web::WebConfig::default();
    let manager_email = org.people[org.manager].record.email.to_string();
    let manager = store
        .person_id_by_email(&manager_email)
        .await
        .unwrap()
        .unwrap();
    trellis_core::assessments::demo::load(store.as_ref(), &config.note_key, manager, now)
        .await
        .unwrap();
    trellis_core::influence::demo::load(store.as_ref(), &org, now)
        .await
        .unwrap();
    trellis_core::connect::demo::load(store.as_ref(), &org, now)
        .await
        .unwrap();
    trellis_core::development::demo::load(store.as_ref(), &org, now)
        .await
        .unwrap();
    trellis_core::decisions::demo::load(store.as_ref(), &org, now)
        .await
        .unwrap();
    trellis_core::succession::demo::load(store.as_ref(), &org, now)
        .await
        .unwrap();
    trellis_core::transitions::demo::load(store.as_ref(), &org, now)
        .await
        .unwrap();
    trellis_core::scorecards::history::load_demo(store.as_ref(), now)
        .await
        .unwrap();
    let hash = trellis_core::auth::hash_password(PASSWORD).unwrap();
    let mut emails = Vec::new();
    for (index, admin) in [(org.admin, true), (org.manager, false), (org.member, false)] {
        let email = org.people[index].record.email.to_string();
        let id = store.person_id_by_email(&email).await.unwrap().unwrap();
        store.create_account(id, &hash, admin).await.unwrap();
        emails.push(email);
    }
    let state = trellis_web::AppState::new(store.clone(), config);
    let app = TestApp {
        db,
        store,
        router: trellis_web::router(state),
        backend,
    };
    (app, emails.try_into().unwrap())
}

pub fn cookie_pair(response: &Response, name: &str) -> Option<String> {
    response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

pub fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no hidden {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap_or("").to_string()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
