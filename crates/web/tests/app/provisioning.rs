//! SCIM provisioning: an Okta and an Entra ID provisioning sequence replayed as those
//! providers send them (PUT updates, non-compliant PATCH bodies, string booleans, manager
//! changes, deactivation, group membership), then the organisation checked; bad input gets
//! a SCIM error body and writes nothing; a provisioning token reaches SCIM and nothing else;
//! a provider deactivating a quarter of the organisation within an hour is paused.

use crate::common::{Response, TestApp};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use trellis_core::Viewer;
use trellis_core::provisioning::{
    ENTERPRISE_SCHEMA, GROUP_SCHEMA, PATCH_SCHEMA, USER_SCHEMA, tokens,
};
use trellis_core::store::prelude::*;
use trellis_store::backend_tests;

async fn scim_token(app: &TestApp, name: &str) -> String {
    let now = chrono::Utc::now().timestamp();
    tokens::create(app.store.as_ref(), &Viewer::operator(), name, None, now)
        .await
        .unwrap()
        .secret
}

async fn scim(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> Response {
    let builder = Request::builder()
        .method(method)
        .uri(format!("/scim/v2{path}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let request = match body {
        Some(b) => builder
            .header(header::CONTENT_TYPE, "application/scim+json")
            .body(Body::from(b.to_string())),
        None => builder.body(Body::empty()),
    };
    let response = app.send(request.unwrap()).await;
    assert_eq!(
        response
            .headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap()),
        (response.status != StatusCode::NO_CONTENT && response.status != StatusCode::NOT_MODIFIED)
            .then_some("application/scim+json"),
        "{path}: {}",
        response.text()
    );
    response
}

fn enc(filter: &str) -> String {
    crate::common::urlencode(filter)
}

/// A person as the API shows them to an admin.
async fn person(app: &TestApp, admin: &str, id: &str) -> Value {
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{id}"),
            Some(admin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn okta_user(user_name: &str, given: &str, family: &str, manager: Option<&str>) -> Value {
    let mut user = json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "userName": user_name,
        "name": {"givenName": given, "familyName": family},
        "emails": [{"primary": true, "value": user_name, "type": "work"}],
        "displayName": format!("{given} {family}"),
        "locale": "en-US",
        "externalId": format!("00u-{}", user_name.split('@').next().unwrap_or_default()),
        "groups": [],
        "password": "ignored-by-trellis-1",
        "active": true,
    });
    if let Some(m) = manager {
        user[ENTERPRISE_SCHEMA] = json!({"manager": {"value": m}, "department": "Provisioned"});
    }
    user
}

backend_tests!(an_okta_sequence_leaves_the_organisation_as_the_provider_says);
async fn an_okta_sequence_leaves_the_organisation_as_the_provider_says(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let okta = scim_token(&app, "Okta").await;
    let admin = app.token("hr@acme.test").await;
    // Okta looks a person up before it creates them.
    let lookup = |name: &str| {
        format!(
            "/Users?filter={}&startIndex=1&count=100",
            enc(&format!("userName eq \"{name}\""))
        )
    };
    let r = scim(&app, Method::GET, &lookup("lea@acme.test"), &okta, None).await;
    assert_eq!(r.json()["totalResults"], 0);
    assert_eq!(r.json()["Resources"], json!([]));

    // A person already imported from the HR file is taken over, not duplicated.
    let mgr_id = app.id("mgr@acme.test").await.to_string();
    let r = scim(
        &app,
        Method::POST,
        "/Users",
        &okta,
        Some(okta_user("mgr@acme.test", "Max", "Manager", None)),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["id"], mgr_id.as_str());
    assert_eq!(
        r.headers.get(header::LOCATION).unwrap().to_str().unwrap(),
        r.json()["meta"]["location"].as_str().unwrap()
    );
    let r = scim(
        &app,
        Method::POST,
        "/Users",
        &okta,
        Some(okta_user("lea@acme.test", "Lea", "Lambert", Some(&mgr_id))),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let lea = r.json();
    let lea_id = lea["id"].as_str().unwrap().to_string();
    assert_eq!(lea["userName"], "lea@acme.test");
    assert_eq!(lea[ENTERPRISE_SCHEMA]["manager"]["value"], mgr_id.as_str());
    assert!(
        lea.get("password").is_none(),
        "unknown attributes are ignored, never echoed"
    );
    let r = scim(&app, Method::GET, &lookup("LEA@acme.test"), &okta, None).await;
    assert_eq!(r.json()["totalResults"], 1, "userName is case-insensitive");
    assert_eq!(r.json()["Resources"][0]["id"], lea_id.as_str());

    // Okta updates a profile with PUT: the whole User.
    let mut changed = okta_user(
        "lea@acme.test",
        "Lea",
        "Lambert-Ng",
        Some(&app.id("eng.head@acme.test").await.to_string()),
    );
    changed["title"] = json!("Staff Engineer");
    changed[ENTERPRISE_SCHEMA]["department"] = json!("Platform");
    let r = scim(
        &app,
        Method::PUT,
        &format!("/Users/{lea_id}"),
        &okta,
        Some(changed),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let p = person(&app, &admin, &lea_id).await;
    assert_eq!(p["name"], "Lea Lambert-Ng");
    assert_eq!(p["title"], "Staff Engineer");
    assert_eq!(p["team"], "Platform");
    assert_eq!(p["manager_id"], app.id("eng.head@acme.test").await);
    let history = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{lea_id}/history"),
            Some(&admin),
            None,
        )
        .await
        .json();
    let manager_change = history
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["field"] == "manager")
        .unwrap_or_else(|| panic!("{history}"));
    assert_eq!(manager_change["before"], "Max Manager");
    assert_eq!(manager_change["source"], "scim");

    // Groups, with members added by PATCH and the group renamed by Okta's PATCH.
    let r = scim(
        &app,
        Method::POST,
        "/Groups",
        &okta,
        Some(json!({"schemas": [GROUP_SCHEMA], "displayName": "Engineering leads", "members": []})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let group = r.json()["id"].as_str().unwrap().to_string();
    let r = scim(&app, Method::PATCH, &format!("/Groups/{group}"), &okta, Some(json!({"schemas": [PATCH_SCHEMA], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": lea_id, "display": "lea@acme.test"}, {"value": mgr_id, "display": "mgr@acme.test"}]},
        {"op": "replace", "value": {"id": group, "displayName": "Platform leads"}}
    ]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["displayName"], "Platform leads");
    let body = r.json();
    let members: Vec<&str> = body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert_eq!(members.len(), 2);
    assert!(members.contains(&lea_id.as_str()) && members.contains(&mgr_id.as_str()));

    // Okta deactivates with a PATCH of active.
    let r = scim(&app, Method::PATCH, &format!("/Users/{lea_id}"), &okta, Some(json!({"schemas": [PATCH_SCHEMA], "Operations": [{"op": "replace", "value": {"active": false}}]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["active"], false);
    assert_eq!(person(&app, &admin, &lea_id).await["status"], "left");
    let tokens = app.store.scim_tokens().await.unwrap();
    assert!(tokens[0].last_used_at.is_some(), "the token's use is shown");
}

backend_tests!(an_entra_id_sequence_with_its_quirks_is_understood);
async fn an_entra_id_sequence_with_its_quirks_is_understood(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let entra = scim_token(&app, "Entra ID").await;
    let admin = app.token("hr@acme.test").await;
    let upn = "Ada.Lovelace@contoso.test";
    let r = scim(
        &app,
        Method::GET,
        &format!("/Users?filter={}", enc(&format!("userName eq \"{upn}\""))),
        &entra,
        None,
    )
    .await;
    assert_eq!(r.json()["totalResults"], 0);
    let r = scim(
        &app,
        Method::POST,
        "/Users",
        &entra,
        Some(json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
            "externalId": "8f1a-ada",
            "userName": upn,
            "active": true,
            "displayName": "Ada Lovelace",
            "title": "Analyst",
            "emails": [{"primary": true, "type": "work", "value": "ada@contoso.test"}],
            "name": {"formatted": "Ada Lovelace", "familyName": "Lovelace", "givenName": "Ada"},
            ENTERPRISE_SCHEMA: {"employeeNumber": "E100", "department": "Analytics"}
        })),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let ada = r.json()["id"].as_str().unwrap().to_string();
    let version = r
        .headers
        .get(header::ETAG)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(version, r.json()["meta"]["version"].as_str().unwrap());
    let r = scim(
        &app,
        Method::GET,
        &format!("/Users?filter={}", enc("externalId eq \"8f1a-ada\"")),
        &entra,
        None,
    )
    .await;
    assert_eq!(r.json()["Resources"][0]["id"], ada.as_str());
    let r = scim(
        &app,
        Method::GET,
        &format!(
            "/Users?filter={}",
            enc("emails[type eq \"work\"].value eq \"ADA@contoso.test\"")
        ),
        &entra,
        None,
    )
    .await;
    assert_eq!(r.json()["totalResults"], 1, "{}", r.text());

    // Entra's PATCH: capitalised ops, a filtered path, a manager as a bare id, "False".
    let manager = app.id("mgr@acme.test").await.to_string();
    let r = scim(&app, Method::PATCH, &format!("/Users/{ada}"), &entra, Some(json!({"schemas": [PATCH_SCHEMA], "Operations": [
        {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ada.lovelace@contoso.test"},
        {"op": "Replace", "path": "name.familyName", "value": "King"},
        {"op": "Replace", "path": "name.formatted", "value": "Ada King"},
        {"op": "Add", "path": format!("{ENTERPRISE_SCHEMA}:manager"), "value": manager},
        {"op": "Replace", "path": "title", "value": "Lead Analyst"}
    ]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_ne!(
        r.headers.get(header::ETAG).unwrap().to_str().unwrap(),
        version,
        "a change makes a new version"
    );
    let p = person(&app, &admin, &ada).await;
    assert_eq!(p["email"], "ada.lovelace@contoso.test");
    assert_eq!(p["name"], "Ada King");
    assert_eq!(p["title"], "Lead Analyst");
    assert_eq!(p["manager_id"].to_string(), manager);
    assert_eq!(p["employee_id"], "E100");
    assert_eq!(p["team"], "Analytics");

    // An If-Match on an old version is refused.
    let stale = Request::builder()
        .method(Method::PATCH)
        .uri(format!("/scim/v2/Users/{ada}"))
        .header(header::AUTHORIZATION, format!("Bearer {entra}"))
        .header(header::IF_MATCH, &version)
        .body(Body::from(
            json!({"Operations": [{"op": "replace", "path": "title", "value": "x"}]}).to_string(),
        ))
        .unwrap();
    assert_eq!(
        app.send(stale).await.status,
        StatusCode::PRECONDITION_FAILED
    );

    let r = scim(
        &app,
        Method::PATCH,
        &format!("/Users/{ada}"),
        &entra,
        Some(json!({"schemas": [PATCH_SCHEMA], "Operations": [
            {"op": "Replace", "path": "active", "value": "False"}
        ]})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(person(&app, &admin, &ada).await["status"], "left");

    // Groups as Entra sends them, members read or left out.
    let dana = app.id("dev@acme.test").await.to_string();
    let r = scim(&app, Method::POST, "/Groups", &entra, Some(json!({"schemas": [GROUP_SCHEMA], "externalId": "g-1", "displayName": "Analytics access", "members": []}))).await;
    let group = r.json()["id"].as_str().unwrap().to_string();
    for op in [
        json!({"op": "Add", "path": "members", "value": [{"value": ada}, {"value": dana}]}),
        json!({"op": "Remove", "path": "members", "value": [{"value": ada}]}),
    ] {
        let r = scim(
            &app,
            Method::PATCH,
            &format!("/Groups/{group}"),
            &entra,
            Some(json!({"schemas": [PATCH_SCHEMA], "Operations": [op]})),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let r = scim(&app, Method::GET, &format!("/Groups/{group}"), &entra, None).await;
    assert_eq!(
        r.json()["members"],
        json!([{"value": dana, "$ref": format!("http://127.0.0.1:8080/scim/v2/Users/{dana}"), "type": "User"}])
    );
    let r = scim(
        &app,
        Method::GET,
        &format!(
            "/Groups?excludedAttributes=members&filter={}",
            enc("displayName eq \"analytics ACCESS\"")
        ),
        &entra,
        None,
    )
    .await;
    assert_eq!(r.json()["totalResults"], 1);
    assert!(r.json()["Resources"][0].get("members").is_none());

    // DELETE: the person is kept as left, the User is gone.
    let r = scim(&app, Method::DELETE, &format!("/Users/{ada}"), &entra, None).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = scim(&app, Method::GET, &format!("/Users/{ada}"), &entra, None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.json()["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(person(&app, &admin, &ada).await["status"], "left");
}

backend_tests!(bad_scim_input_gets_a_scim_error_and_nothing_is_written);
async fn bad_scim_input_gets_a_scim_error_and_nothing_is_written(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let token = scim_token(&app, "Okta").await;
    let admin = app.token("hr@acme.test").await;
    let before = app.store.counts().await.unwrap();
    let error = |r: &Response, status: StatusCode, scim_type: Option<&str>, says: &str| {
        assert_eq!(r.status, status, "{}", r.text());
        let body = r.json();
        assert_eq!(body["status"], status.as_u16().to_string());
        assert_eq!(body["scimType"].as_str(), scim_type, "{body}");
        assert!(body["detail"].as_str().unwrap().contains(says), "{body}");
    };
    let raw = Request::builder()
        .method(Method::POST)
        .uri("/scim/v2/Users")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from("{\"userName\": \"x@acme.test\","))
        .unwrap();
    error(
        &app.send(raw).await,
        StatusCode::BAD_REQUEST,
        Some("invalidSyntax"),
        "not valid JSON",
    );
    let r = scim(
        &app,
        Method::POST,
        "/Users",
        &token,
        Some(json!({"userName": "tz@acme.test", "timezone": "Europe/Berln"})),
    )
    .await;
    error(
        &r,
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "timezone: \"Europe/Berln\" is not a time zone; did you mean Europe/Berlin?",
    );
    let r = scim(
        &app,
        Method::POST,
        "/Users",
        &token,
        Some(json!({"userName": "no-mail", "name": {"givenName": "N"}})),
    )
    .await;
    error(&r, StatusCode::BAD_REQUEST, Some("invalidValue"), "emails");
    let r = scim(
        &app,
        Method::GET,
        &format!(
            "/Users?filter={}",
            enc("nickName eq \"x\" and phoneNumbers pr")
        ),
        &token,
        None,
    )
    .await;
    error(
        &r,
        StatusCode::BAD_REQUEST,
        Some("invalidFilter"),
        "\"phoneNumbers\" is not supported",
    );
    let r = scim(
        &app,
        Method::GET,
        &format!("/Users?filter={}", enc("userName regex \"x\"")),
        &token,
        None,
    )
    .await;
    error(
        &r,
        StatusCode::BAD_REQUEST,
        Some("invalidFilter"),
        "\"regex\"",
    );
    let r = scim(&app, Method::GET, "/Users?count=ten", &token, None).await;
    error(
        &r,
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "count must be a whole number",
    );

    // A manager loop, over SCIM: the CEO cannot report to someone below them.
    let ceo = scim(
        &app,
        Method::POST,
        "/Users",
        &token,
        Some(json!({"userName": "ceo@acme.test", "emails": [{"value": "ceo@acme.test"}]})),
    )
    .await
    .json();
    let ceo_id = ceo["id"].as_str().unwrap().to_string();
    let dev = app.id("dev@acme.test").await.to_string();
    let r = scim(&app, Method::PATCH, &format!("/Users/{ceo_id}"), &token, Some(json!({"Operations": [{"op": "add", "path": format!("{ENTERPRISE_SCHEMA}:manager.value"), "value": dev}]}))).await;
    error(
        &r,
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "manager: this would make a reporting loop",
    );
    assert_eq!(
        person(&app, &admin, &ceo_id).await["manager_id"],
        Value::Null
    );

    // Uniqueness, with the SCIM error body.
    let r = scim(
        &app,
        Method::POST,
        "/Users",
        &token,
        Some(json!({"userName": "CEO@acme.test", "emails": [{"value": "other@acme.test"}]})),
    )
    .await;
    error(
        &r,
        StatusCode::CONFLICT,
        Some("uniqueness"),
        "userName \"CEO@acme.test\" belongs to User",
    );
    let r = scim(
        &app,
        Method::POST,
        "/Users",
        &token,
        Some(json!({"userName": "c2", "emails": [{"value": "CEO@acme.test"}]})),
    )
    .await;
    error(
        &r,
        StatusCode::CONFLICT,
        Some("uniqueness"),
        "ceo@acme.test belongs to User",
    );
    let r = scim(
        &app,
        Method::PATCH,
        &format!("/Users/{ceo_id}"),
        &token,
        Some(json!({"Operations": [{"op": "jump"}]})),
    )
    .await;
    error(
        &r,
        StatusCode::BAD_REQUEST,
        Some("invalidSyntax"),
        "Operations[0].op is \"jump\"",
    );
    let r = scim(
        &app,
        Method::POST,
        "/Groups",
        &token,
        Some(json!({"displayName": "G", "members": [{"value": "999999"}]})),
    )
    .await;
    error(
        &r,
        StatusCode::BAD_REQUEST,
        Some("invalidValue"),
        "members[0]: there is no User 999999",
    );
    let r = scim(&app, Method::GET, "/Users/abc", &token, None).await;
    error(&r, StatusCode::NOT_FOUND, None, "User abc not found");
    let r = scim(&app, Method::GET, "/Nothing", &token, None).await;
    error(&r, StatusCode::NOT_FOUND, None, "not found");

    let after = app.store.counts().await.unwrap();
    assert_eq!(
        after.people, before.people,
        "only the CEO was taken over; nobody was added"
    );
    assert!(app.store.groups(false).await.unwrap().is_empty());
}

backend_tests!(a_provisioning_token_reaches_scim_and_nothing_else);
async fn a_provisioning_token_reaches_scim_and_nothing_else(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let token = scim_token(&app, "Okta").await;
    let personal = app.token("hr@acme.test").await;
    let r = app
        .api(Method::GET, "/api/v1/people", Some(&token), None)
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a SCIM token is no API token"
    );
    let page = Request::builder()
        .uri("/admin")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.send(page).await.status,
        StatusCode::SEE_OTHER,
        "nor a sign-in"
    );
    for wrong in [personal.as_str(), "", "trellis_scim_0000"] {
        let r = scim(&app, Method::GET, "/Users", wrong, None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{wrong}");
        assert_eq!(r.json()["status"], "401");
    }
    let session = app
        .sign_in("hr@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    let cookie = Request::builder()
        .uri("/scim/v2/Users")
        .header(header::COOKIE, &session.cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.send(cookie).await.status,
        StatusCode::UNAUTHORIZED,
        "nor does a session reach SCIM"
    );

    // Revoked and expired tokens answer 401 with a SCIM body that says so.
    let now = chrono::Utc::now().timestamp();
    let ids: Vec<i64> = app
        .store
        .scim_tokens()
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    tokens::revoke(app.store.as_ref(), &Viewer::operator(), ids[0], now)
        .await
        .unwrap();
    let r = scim(&app, Method::GET, "/Users", &token, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["detail"].as_str().unwrap().contains("revoked"));
    let short = tokens::create(
        app.store.as_ref(),
        &Viewer::operator(),
        "short",
        Some(1),
        now - 2 * 86_400,
    )
    .await
    .unwrap();
    let r = scim(&app, Method::GET, "/Users", &short.secret, None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["detail"].as_str().unwrap().contains("expired"));
}

backend_tests!(admins_make_and_revoke_tokens_and_a_mass_deactivation_waits_for_them);
async fn admins_make_and_revoke_tokens_and_a_mass_deactivation_waits_for_them(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let member = app
        .sign_in("dev@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    assert_eq!(
        app.get_page("/admin/provisioning", Some(&member))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let hr = app
        .sign_in("hr@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    let r = app
        .post_form(
            "/admin/provisioning/tokens",
            Some(&hr),
            None,
            &[("csrf", &hr.csrf), ("name", " "), ("valid_days", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("name the token"));
    let r = app
        .post_form(
            "/admin/provisioning/tokens",
            Some(&hr),
            None,
            &[("csrf", &hr.csrf), ("name", "Okta"), ("valid_days", "90")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    let start = html.find("trellis_scim_").expect("the token is shown once");
    let token: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let page = app.get_page("/admin/provisioning", Some(&hr)).await.text();
    assert!(
        page.contains("Okta") && !page.contains(&token),
        "listed, never shown again"
    );
    assert!(page.contains("http://127.0.0.1:8080/scim/v2"));

    // Eight people are managed; four more are created. Deactivating a quarter pauses.
    let mut ids = Vec::new();
    for email in [
        "ceo@acme.test",
        "eng.head@acme.test",
        "mgr@acme.test",
        "dev@acme.test",
        "dev2@acme.test",
        "sales.head@acme.test",
        "rep@acme.test",
        "n1@acme.test",
        "n2@acme.test",
        "n3@acme.test",
        "n4@acme.test",
    ] {
        let r = scim(
            &app,
            Method::POST,
            "/Users",
            &token,
            Some(json!({"userName": email})),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        ids.push(r.json()["id"].as_str().unwrap().to_string());
    }
    let leavers = [
        "n1@acme.test",
        "n2@acme.test",
        "n3@acme.test",
        "n4@acme.test",
        "rep@acme.test",
    ];
    let leaver_ids: Vec<&String> = ids[ids.len() - 4..]
        .iter()
        .chain(std::iter::once(&ids[6]))
        .collect();
    for (i, id) in leaver_ids.iter().enumerate() {
        let r = scim(
            &app,
            Method::PATCH,
            &format!("/Users/{id}"),
            &token,
            Some(json!({"Operations": [{"op": "replace", "path": "active", "value": false}]})),
        )
        .await;
        if i < 4 {
            assert_eq!(r.status, StatusCode::OK, "{}: {}", leavers[i], r.text());
        } else {
            assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE, "{}", r.text());
            assert!(
                r.json()["detail"]
                    .as_str()
                    .unwrap()
                    .contains("tried to deactivate 5 of 12 active people within an hour"),
                "{}",
                r.text()
            );
        }
    }
    let rita = app.id("rep@acme.test").await;
    assert_eq!(
        app.store
            .person(trellis_core::PersonId(rita))
            .await
            .unwrap()
            .unwrap()
            .status
            .as_str(),
        "active"
    );
    let r = scim(
        &app,
        Method::POST,
        "/Users",
        &token,
        Some(json!({"userName": "n5@acme.test"})),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "every write waits"
    );
    let bell = app
        .store
        .unread_count(trellis_core::PersonId(app.id("hr@acme.test").await))
        .await
        .unwrap();
    assert!(bell >= 1, "the admins are told");
    let page = app.get_page("/admin/provisioning", Some(&hr)).await.text();
    assert!(page.contains("Provisioning is paused"), "{page}");

    let r = app
        .post_form(
            "/admin/provisioning/resume",
            Some(&hr),
            None,
            &[("csrf", &hr.csrf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = scim(
        &app,
        Method::PATCH,
        &format!("/Users/{}", ids[6]),
        &token,
        Some(json!({"Operations": [{"op": "replace", "path": "active", "value": false}]})),
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "after the admin confirms: {}",
        r.text()
    );

    // Revoked from the page, the token stops at once.
    let token_id = app.store.scim_tokens().await.unwrap()[0].id.to_string();
    let r = app
        .post_form(
            "/admin/provisioning/revoke",
            Some(&hr),
            None,
            &[("csrf", &hr.csrf), ("token", &token_id)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        scim(&app, Method::GET, "/Users", &token, None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

backend_tests!(a_provisioned_group_is_the_audience_of_a_review_cycle);
async fn a_provisioned_group_is_the_audience_of_a_review_cycle(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let token = scim_token(&app, "Okta").await;
    let hr = app.token("hr@acme.test").await;
    let day = |d: i64| (chrono::Utc::now().date_naive() + chrono::Duration::days(d)).to_string();
    let (dana, rita) = (app.id("dev@acme.test").await, app.id("rep@acme.test").await);
    let r = scim(&app, Method::POST, "/Groups", &token, Some(json!({"displayName": "Pilot", "members": [{"value": dana.to_string()}, {"value": rita.to_string()}]}))).await;
    let group: i64 = r.json()["id"].as_str().unwrap().parse().unwrap();
    let cycle = |group_id: i64| {
        json!({"name": "Pilot review", "scope": {"kind": "group", "group_id": group_id},
               "questions": [], "manager_review_due": day(7), "share_on": day(8)})
    };
    let r = app
        .api(
            Method::POST,
            "/api/v1/review-cycles",
            Some(&hr),
            Some(cycle(group + 100)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.field_errors(),
        [format!("scope: there is no group {}", group + 100)]
    );
    let r = app
        .api(
            Method::POST,
            "/api/v1/review-cycles",
            Some(&hr),
            Some(cycle(group)),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    // The provider changes the group before launch: the cycle reviews the group as it is then.
    let r = scim(&app, Method::PATCH, &format!("/Groups/{group}"), &token, Some(json!({"Operations": [{"op": "remove", "path": format!("members[value eq \"{rita}\"]")}]}))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let launched = app
        .api(
            Method::POST,
            &format!("/api/v1/review-cycles/{id}/launch"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(launched.json()["reviews"], 1, "{}", launched.text());
    let session = app
        .sign_in("hr@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    let page = app.get_page("/admin/reviews", Some(&session)).await.text();
    assert!(
        page.contains(&format!("value=\"group:{group}\"")) && page.contains("Group Pilot"),
        "the form offers the group"
    );
}

backend_tests!(a_provisioned_group_is_the_audience_of_a_connection_programme);
async fn a_provisioned_group_is_the_audience_of_a_connection_programme(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let token = scim_token(&app, "Entra ID").await;
    let hr = app.token("hr@acme.test").await;
    let mut members = Vec::new();
    for email in ["dev@acme.test", "dev2@acme.test", "rep@acme.test"] {
        members.push(json!({"value": app.id(email).await.to_string()}));
    }
    let r = scim(
        &app,
        Method::POST,
        "/Groups",
        &token,
        Some(json!({"displayName": "New joiners", "members": members})),
    )
    .await;
    let group = r.json()["id"].as_str().unwrap().to_string();
    let programme = |value: &str| {
        json!({"name": "Joiner coffee", "audience": "group", "audience_value": value, "rhythm_weeks": 2,
               "group_size": 2, "first_round_on": chrono::Utc::now().date_naive().to_string()})
    };
    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&hr),
            Some(programme("Old joiners")),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        ["audience_value: there is no group \"Old joiners\""]
    );
    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&hr),
            Some(programme("new JOINERS")),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["programme"]["id"].as_i64().unwrap();
    let shown = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{id}"),
            Some(&hr),
            None,
        )
        .await
        .json();
    assert_eq!(
        (
            shown["programme"]["audience"].as_str(),
            shown["programme"]["audience_kind"].as_str(),
            shown["programme"]["members"].as_i64()
        ),
        (Some("Group New joiners"), Some("group"), Some(3))
    );
    // The programme follows the group as the provider changes it.
    let rita = app.id("rep@acme.test").await;
    let r = scim(&app, Method::PATCH, &format!("/Groups/{group}"), &token, Some(json!({"Operations": [{"op": "Remove", "path": "members", "value": [{"value": rita.to_string()}]}]}))).await;
    assert_eq!(r.status, StatusCode::OK);
    let shown = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{id}"),
            Some(&hr),
            None,
        )
        .await
        .json();
    assert_eq!(shown["programme"]["members"], 2);
}

backend_tests!(a_groups_members_join_a_development_programme);
async fn a_groups_members_join_a_development_programme(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let token = scim_token(&app, "Okta").await;
    let hr = app.token("hr@acme.test").await;
    let (dana, devi, rita) = (
        app.id("dev@acme.test").await,
        app.id("dev2@acme.test").await,
        app.id("rep@acme.test").await,
    );
    let members = json!([{"value": dana.to_string()}, {"value": devi.to_string()}, {"value": rita.to_string()}]);
    let r = scim(
        &app,
        Method::POST,
        "/Groups",
        &token,
        Some(json!({"displayName": "Future leads", "members": members})),
    )
    .await;
    let group: i64 = r.json()["id"].as_str().unwrap().parse().unwrap();
    // Rita leaves: the group keeps her, the programme does not take her.
    let r = scim(
        &app,
        Method::POST,
        "/Users",
        &token,
        Some(json!({"userName": "rep@acme.test", "active": false})),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let r = app.api(Method::POST, "/api/v1/development/programmes", Some(&hr), Some(json!({"name": "Leading for the first time", "capacity": 5, "participants": [dana]}))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["cohort"]["id"]
        .as_i64()
        .unwrap_or_else(|| r.json()["id"].as_i64().unwrap());
    let path = format!("/api/v1/development/programmes/{id}/participants");
    let r = app
        .api(
            Method::POST,
            &path,
            Some(&hr),
            Some(json!({"group_id": group + 50})),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        [format!("group_id: there is no group {}", group + 50)]
    );
    let r = app
        .api(
            Method::POST,
            &path,
            Some(&hr),
            Some(json!({"group_id": group})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut joined: Vec<i64> = r.json()["cohort"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    joined.sort();
    let mut expected = vec![dana, devi];
    expected.sort();
    assert_eq!(joined, expected, "{}", r.text());
    let session = app
        .sign_in("hr@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    let page = app
        .get_page(&format!("/development/{id}"), Some(&session))
        .await
        .text();
    assert!(page.contains("And the members of a group") && page.contains("Future leads"));
}
