//! Single sign-on against a real OpenID provider: a verified e-mail links the account at
//! the first sign-in and the subject keeps it linked; an unverified or missing e-mail is
//! refused with a sentence and kept for an admin, who links it by hand; forged ID tokens,
//! replayed callbacks and callbacks from another browser sign nobody in; passwords can be
//! turned off while the command line's one-time link still works.

use crate::common::oidc::{CLIENT_ID, CLIENT_SECRET, OidcProvider};
use crate::common::{Response, Session, TestApp, cookie_pair, hidden_value};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;
use std::sync::Arc;
use trellis_core::auth::sso::TrustedDomains;
use trellis_core::mail::Site;
use trellis_store::backend_tests;

const SITE: &str = "http://trellis.test";

struct Sso {
    app: TestApp,
    provider: OidcProvider,
}

async fn setup(backend: &'static str, trusted: &[&str], local_passwords: bool) -> Sso {
    let provider = OidcProvider::start(&format!("{SITE}/signin/sso/callback"));
    with_provider(backend, provider, trusted, local_passwords).await
}

async fn with_provider(
    backend: &'static str,
    provider: OidcProvider,
    trusted: &[&str],
    local_passwords: bool,
) -> Sso {
    let sso = trellis_sso::Provider::new(trellis_sso::SsoConfig {
        issuer: provider.issuer.clone(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        label: "Acme ID".into(),
        public_url: SITE.into(),
    })
    .unwrap();
    sso.discover().await.unwrap();
    let config = trellis_web::WebConfig {
        site: Site::new(SITE),
        sso: Some(Arc::new(sso)),
        trusted_domains: TrustedDomains::parse(trusted.iter().copied()).unwrap(),
        local_passwords,
        ..Default::default()
    };
    Sso {
        app: TestApp::with_config(backend, config).await,
        provider,
    }
}

/// What came back to Trellis from one sign-in through the provider.
struct Callback {
    response: Response,
    path: String,
    cookie: String,
}

/// A browser signs in: Trellis sends it to the provider, which sends it back.
async fn through_provider(s: &Sso, next: &str) -> Callback {
    let start = s
        .app
        .get_page(&format!("/signin/sso?next={next}"), None)
        .await;
    assert_eq!(start.status, StatusCode::SEE_OTHER, "{}", start.text());
    let cookie = cookie_pair(&start, "trellis_sso").expect("the sign-in is bound to this browser");
    let authorize = start.headers[header::LOCATION].to_str().unwrap();
    assert!(authorize.starts_with(&s.provider.issuer), "{authorize}");
    for part in [
        "code_challenge_method=S256",
        "nonce=",
        "state=",
        "scope=openid",
    ] {
        assert!(authorize.contains(part), "{part} in {authorize}");
    }
    let back = s.provider.authorize(authorize, SITE).await;
    let path = back.strip_prefix(SITE).unwrap().to_string();
    let response = callback(&s.app, &path, Some(&cookie)).await;
    Callback {
        response,
        path,
        cookie,
    }
}

async fn callback(app: &TestApp, path: &str, cookie: Option<&str>) -> Response {
    let mut request = Request::builder().uri(path);
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, c);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

/// The home page of the session a callback started.
async fn home(app: &TestApp, callback: &Response) -> String {
    let cookie = cookie_pair(callback, "trellis_session").expect("a session was started");
    let session = Session {
        cookie,
        csrf: String::new(),
    };
    let page = app.get_page("/", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    page.text()
}

fn refused(c: &Callback) -> String {
    assert_eq!(
        c.response.status,
        StatusCode::FORBIDDEN,
        "{}",
        c.response.text()
    );
    assert!(
        cookie_pair(&c.response, "trellis_session").is_none(),
        "nobody is signed in"
    );
    c.response.text()
}

backend_tests!(a_verified_email_links_the_account_and_the_subject_keeps_it);
async fn a_verified_email_links_the_account_and_the_subject_keeps_it(backend: &'static str) {
    let s = setup(backend, &[], true).await;
    let page = s.app.get_page("/signin", None).await.text();
    assert!(page.contains("Sign in with Acme ID"), "{page}");
    assert!(page.contains("type=\"password\""), "passwords are on");

    s.provider
        .sign_in_as("u-dana", "Dev@Acme.test", Some(true), "Dana Dev")
        .await;
    let first = through_provider(&s, "/plate").await;
    assert_eq!(first.response.status, StatusCode::SEE_OTHER);
    assert_eq!(
        first.response.headers[header::LOCATION],
        "/plate",
        "back where she was going"
    );
    assert!(home(&s.app, &first.response).await.contains("Dana"));

    // The provider now says another, unverified address: the subject is what counts.
    s.provider
        .sign_in_as("u-dana", "dana@elsewhere.test", Some(false), "Dana Dev")
        .await;
    let again = through_provider(&s, "/").await;
    assert!(home(&s.app, &again.response).await.contains("Dana"));

    let hr = s.app.token("hr@acme.test").await;
    let dana = s.app.id("dev@acme.test").await;
    let links = s
        .app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dana}/sso-links"),
            Some(&hr),
            None,
        )
        .await
        .json();
    assert_eq!(links[0]["subject"], "u-dana");
    assert_eq!(links[0]["issuer"], s.provider.issuer.as_str());
    assert!(
        links[0]["linked_by"].is_null(),
        "linked by her verified e-mail"
    );
    assert!(links[0]["last_sign_in_at"].is_i64());
    let rep = s.app.token("rep@acme.test").await;
    let peek = s
        .app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dana}/sso-links"),
            Some(&rep),
            None,
        )
        .await;
    assert_eq!(
        peek.status,
        StatusCode::FORBIDDEN,
        "a colleague cannot see them"
    );
}

backend_tests!(an_unverified_or_unclaimed_email_is_refused_until_an_admin_links_it);
async fn an_unverified_or_unclaimed_email_is_refused_until_an_admin_links_it(
    backend: &'static str,
) {
    let s = setup(backend, &[], true).await;
    s.provider
        .sign_in_as("u-rita", "rep@acme.test", Some(false), "Rita Rep")
        .await;
    let text = refused(&through_provider(&s, "/").await);
    assert!(
        text.contains("Acme ID has not confirmed that rep@acme.test is yours"),
        "{text}"
    );
    assert!(text.contains("Ask a Trellis admin"), "{text}");

    s.provider
        .sign_in_as("u-max", "mgr@acme.test", None, "Max Manager")
        .await;
    let text = refused(&through_provider(&s, "/").await);
    assert!(
        text.contains("has not confirmed"),
        "a missing claim is not verified: {text}"
    );

    s.provider
        .sign_in_as("u-stranger", "nobody@acme.test", Some(true), "Stranger")
        .await;
    let text = refused(&through_provider(&s, "/").await);
    assert!(
        text.contains("Nobody in Trellis has the e-mail nobody@acme.test"),
        "{text}"
    );

    // Admins see the refusals, members do not.
    let hr = s.app.token("hr@acme.test").await;
    let dev = s.app.token("dev@acme.test").await;
    let list = s
        .app
        .api(Method::GET, "/api/v1/sso/refusals", Some(&hr), None)
        .await
        .json();
    let subjects: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects.len(), 3, "{list}");
    assert!(subjects.contains(&"u-rita") && subjects.contains(&"u-max"));
    let member = s
        .app
        .api(Method::GET, "/api/v1/sso/refusals", Some(&dev), None)
        .await;
    assert_eq!(member.status, StatusCode::FORBIDDEN);

    // An admin links Rita on Admin → Accounts, and Max through the API.
    let admin = s
        .app
        .sign_in("hr@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    let accounts = s.app.get_page("/admin/accounts", Some(&admin)).await.text();
    assert!(
        accounts.contains("Sign-ins waiting for a link (3)"),
        "{accounts}"
    );
    assert!(accounts.contains("e-mail not verified"), "{accounts}");
    assert!(
        accounts.contains(&format!("{SITE}/signin/sso/callback")),
        "the redirect URI to register"
    );
    let linked = s
        .app
        .post_form(
            "/admin/accounts/sso-link",
            Some(&admin),
            None,
            &[
                ("csrf", &admin.csrf),
                ("issuer", &s.provider.issuer),
                ("subject", "u-rita"),
                ("email", "rep@acme.test"),
            ],
        )
        .await;
    assert_eq!(linked.status, StatusCode::SEE_OTHER, "{}", linked.text());
    let max = s.app.id("mgr@acme.test").await;
    let r = s
        .app
        .api(
            Method::POST,
            &format!("/api/v1/people/{max}/sso-links"),
            Some(&dev),
            Some(json!({"subject": "u-max"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "members cannot link");
    let r = s
        .app
        .api(
            Method::POST,
            &format!("/api/v1/people/{max}/sso-links"),
            Some(&hr),
            Some(json!({"subject": "u-max"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = s
        .app
        .api(
            Method::POST,
            &format!("/api/v1/people/{max}/sso-links"),
            Some(&hr),
            Some(json!({"subject": "u-max"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "linked once: {}", r.text());
    let dana = s.app.id("dev@acme.test").await;
    let r = s
        .app
        .api(
            Method::POST,
            &format!("/api/v1/people/{dana}/sso-links"),
            Some(&hr),
            Some(json!({"subject": "u-x", "issuer": "https://other.example"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only the provider in use: {}",
        r.text()
    );

    s.provider
        .sign_in_as("u-rita", "rep@acme.test", Some(false), "Rita Rep")
        .await;
    assert!(
        home(&s.app, &through_provider(&s, "/").await.response)
            .await
            .contains("Rita")
    );
    s.provider
        .sign_in_as("u-max", "mgr@acme.test", None, "Max Manager")
        .await;
    assert!(
        home(&s.app, &through_provider(&s, "/").await.response)
            .await
            .contains("Max")
    );
    let list = s
        .app
        .api(Method::GET, "/api/v1/sso/refusals", Some(&hr), None)
        .await
        .json();
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "only the stranger waits: {list}"
    );

    // Unlinked, Max is refused again.
    let r = s
        .app
        .api(
            Method::DELETE,
            &format!("/api/v1/people/{max}/sso-links"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    refused(&through_provider(&s, "/").await);
}

backend_tests!(a_trusted_domain_counts_as_verified);
async fn a_trusted_domain_counts_as_verified(backend: &'static str) {
    // Entra ID sends no email_verified claim, and the e-mail in the ID token.
    let provider =
        OidcProvider::start_with_claims_in_id_token(&format!("{SITE}/signin/sso/callback"));
    let s = with_provider(backend, provider, &["acme.test"], true).await;
    s.provider
        .sign_in_as("u-devi", "dev2@acme.test", None, "Devi Dev")
        .await;
    assert!(
        home(&s.app, &through_provider(&s, "/").await.response)
            .await
            .contains("Devi")
    );
    s.provider
        .sign_in_as("u-other", "dev2@acme.test.evil.example", None, "Mallory")
        .await;
    refused(&through_provider(&s, "/").await);
}

backend_tests!(forged_id_tokens_sign_nobody_in);
async fn forged_id_tokens_sign_nobody_in(backend: &'static str) {
    let s = setup(backend, &[], true).await;
    s.provider
        .sign_in_as("u-dana", "dev@acme.test", Some(true), "Dana Dev")
        .await;
    for forgery in ["signature", "nonce", "issuer", "audience"] {
        s.provider.tamper(forgery).await;
        let text = refused(&through_provider(&s, "/").await);
        assert!(
            text.contains("did not pass Trellis's checks"),
            "{forgery}: {text}"
        );
    }
    let hr = s.app.token("hr@acme.test").await;
    let dana = s.app.id("dev@acme.test").await;
    let links = s
        .app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dana}/sso-links"),
            Some(&hr),
            None,
        )
        .await
        .json();
    assert_eq!(links, json!([]), "nothing was linked");
    s.provider.tamper("none").await;
    assert!(
        home(&s.app, &through_provider(&s, "/").await.response)
            .await
            .contains("Dana")
    );
}

backend_tests!(a_callback_works_once_and_only_in_the_browser_that_started_it);
async fn a_callback_works_once_and_only_in_the_browser_that_started_it(backend: &'static str) {
    let s = setup(backend, &[], true).await;
    s.provider
        .sign_in_as("u-dana", "dev@acme.test", Some(true), "Dana Dev")
        .await;
    let done = through_provider(&s, "/").await;
    assert_eq!(done.response.status, StatusCode::SEE_OTHER);
    let replay = callback(&s.app, &done.path, Some(&done.cookie)).await;
    assert_eq!(replay.status, StatusCode::BAD_REQUEST);
    assert!(replay.text().contains("used already"), "{}", replay.text());
    assert!(cookie_pair(&replay, "trellis_session").is_none());

    // A callback link sent to someone else does not sign them in as its sender.
    let start = s.app.get_page("/signin/sso", None).await;
    let authorize = start.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    let back = s.provider.authorize(&authorize, SITE).await;
    let elsewhere = callback(&s.app, back.strip_prefix(SITE).unwrap(), None).await;
    assert_eq!(elsewhere.status, StatusCode::BAD_REQUEST);
    assert!(
        elsewhere.text().contains("another browser"),
        "{}",
        elsewhere.text()
    );

    // A made-up state, and the provider saying no, are pages too.
    let made_up = callback(
        &s.app,
        "/signin/sso/callback?code=x&state=y",
        Some(&done.cookie),
    )
    .await;
    assert_eq!(made_up.status, StatusCode::BAD_REQUEST);
    let denied = callback(
        &s.app,
        "/signin/sso/callback?error=access_denied&error_description=The+user+cancelled",
        None,
    )
    .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(
        denied
            .text()
            .contains("Acme ID did not sign you in: The user cancelled."),
        "{}",
        denied.text()
    );
}

backend_tests!(with_passwords_off_only_single_sign_on_and_the_operators_link_let_people_in);
async fn with_passwords_off_only_single_sign_on_and_the_operators_link_let_people_in(
    backend: &'static str,
) {
    let s = setup(backend, &[], false).await;
    let page = s.app.get_page("/signin", None).await.text();
    assert!(page.contains("Sign in with Acme ID"), "{page}");
    assert!(
        !page.contains("type=\"password\""),
        "no password field: {page}"
    );
    let refused = s
        .app
        .post_form(
            "/signin",
            None,
            Some("trellis_signin_csrf=abc"),
            &[
                ("csrf", "abc"),
                ("email", "dev@acme.test"),
                ("password", crate::common::PASSWORD),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(
        refused.text().contains("Passwords are turned off"),
        "{}",
        refused.text()
    );
    let forgot = s.app.get_page("/forgot", None).await.text();
    assert!(
        forgot.contains("Trellis passwords are turned off"),
        "{forgot}"
    );
    assert!(!forgot.contains("Send the link"), "{forgot}");

    let hr = s.app.token("hr@acme.test").await;
    let dev = s.app.id("dev@acme.test").await;
    let r = s
        .app
        .api(
            Method::POST,
            &format!("/api/v1/people/{dev}/password-reset"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a reset link would bypass single sign-on"
    );

    // The operator's link (`trellis user reset-password`) signs the admin in once.
    let link = trellis_core::auth::links::reset_link_for_operator(
        s.app.store.as_ref(),
        "hr@acme.test",
        &Site::new(SITE),
        trellis_web::now(),
    )
    .await
    .unwrap();
    let path = link.strip_prefix(SITE).unwrap().to_string();
    let shown = s.app.get_page(&path, None).await;
    assert!(shown.text().contains("Sign in once"), "{}", shown.text());
    let cookie = cookie_pair(&shown, "trellis_signin_csrf").unwrap();
    let csrf = hidden_value(&shown.text(), "csrf");
    let used = s
        .app
        .post_form(&path, None, Some(&cookie), &[("csrf", &csrf)])
        .await;
    assert_eq!(used.status, StatusCode::SEE_OTHER, "{}", used.text());
    assert!(home(&s.app, &used).await.contains("Hana"));
    let again = s
        .app
        .post_form(&path, None, Some(&cookie), &[("csrf", &csrf)])
        .await;
    assert_eq!(again.status, StatusCode::GONE, "the link works once");
}

backend_tests!(a_provider_that_does_not_answer_is_a_page_not_a_crash);
async fn a_provider_that_does_not_answer_is_a_page_not_a_crash(backend: &'static str) {
    let sso = trellis_sso::Provider::new(trellis_sso::SsoConfig {
        issuer: "http://127.0.0.1:9".into(),
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        label: "Acme ID".into(),
        public_url: SITE.into(),
    })
    .unwrap();
    let config = trellis_web::WebConfig {
        sso: Some(Arc::new(sso)),
        ..Default::default()
    };
    let app = TestApp::with_config(backend, config).await;
    let r = app.get_page("/signin/sso", None).await;
    assert_eq!(r.status, StatusCode::BAD_GATEWAY);
    assert!(
        r.text().contains("Acme ID did not answer Trellis"),
        "{}",
        r.text()
    );
    assert!(
        app.sign_in("dev@acme.test", crate::common::PASSWORD)
            .await
            .is_ok(),
        "passwords still work"
    );
}

backend_tests!(admins_are_told_why_single_sign_on_is_off);
async fn admins_are_told_why_single_sign_on_is_off(backend: &'static str) {
    let config = trellis_web::WebConfig {
        sso_problem: Some("oidc_client_secret is missing".into()),
        ..Default::default()
    };
    let app = TestApp::with_config(backend, config).await;
    let admin = app
        .sign_in("hr@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    let page = app.get_page("/admin/accounts", Some(&admin)).await.text();
    assert!(
        page.contains("Single sign-on is off: oidc_client_secret is missing."),
        "{page}"
    );
    let signin = app.get_page("/signin", None).await.text();
    assert!(
        !signin.contains("Sign in with"),
        "no button that cannot work"
    );
}
