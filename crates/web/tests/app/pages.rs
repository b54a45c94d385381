//! Pages through the router: sign-in, CSRF, visibility on screen, edit forms, import
//! preview and commit, settings.

use crate::common;
use trellis_store::backend_tests;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, Session, TestApp, hidden_value};
use trellis_core::store::prelude::*;

#[tokio::test]
async fn sign_in_rejects_bad_passwords_throttles_and_signs_out() {
    let app = TestApp::new("sqlite").await;
    let r = app.get_page("/people", None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.headers[header::LOCATION], "/signin?next=/people");
    let err = app
        .sign_in("dev@acme.test", "wrong password")
        .await
        .err()
        .unwrap();
    assert_eq!(err.status, StatusCode::UNAUTHORIZED);
    assert!(err.text().contains("do not match an account"));
    for _ in 0..4 {
        let _ = app.sign_in("dev@acme.test", "wrong password").await;
    }
    let err = app.sign_in("dev@acme.test", PASSWORD).await.err().unwrap();
    assert_eq!(
        err.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    assert!(err.text().contains("Too many failed sign-ins"));
    // Another account is not affected.
    let session = app.sign_in("rep@acme.test", PASSWORD).await.unwrap();
    let home = app.get_page("/", Some(&session)).await;
    assert!(home.text().contains("Hello, Rita"));
    // Sign-out needs the CSRF token, then ends the session.
    let r = app
        .post_form("/signout", Some(&session), None, &[("csrf", "forged")])
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .post_form("/signout", Some(&session), None, &[("csrf", &session.csrf)])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = app.get_page("/", Some(&session)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        r.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .ends_with("&expired=1")
    );
    let form = app.get_page("/signin?next=/&expired=1", None).await;
    assert!(form.text().contains("Your session has expired"));
}

#[tokio::test]
async fn a_sign_in_form_without_its_cookie_is_refused() {
    let app = TestApp::new("sqlite").await;
    let r = app
        .post_form(
            "/signin",
            None,
            None,
            &[
                ("email", "rep@acme.test"),
                ("password", PASSWORD),
                ("csrf", "x"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("sign-in form had expired"));
}

backend_tests!(pages_show_private_details_only_down_the_tree);
async fn pages_show_private_details_only_down_the_tree(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let dev = app.id("dev@acme.test").await;
    let path = format!("/people/{dev}");
    let manager = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app.get_page(&path, Some(&manager)).await.text();
    assert!(
        page.contains("Employee id") && page.contains("E4"),
        "{backend}"
    );
    assert!(page.contains("this person is in your reporting tree"));
    let peer = app.sign_in("dev2@acme.test", PASSWORD).await.unwrap();
    let page = app.get_page(&path, Some(&peer)).await.text();
    assert!(page.contains("Dana Dev"));
    assert!(
        !page.contains("E4") && !page.contains("Start date"),
        "{backend}: {page}"
    );
    assert!(!page.contains(">Edit<"), "a peer cannot edit");
    let r = app.get_page(&format!("{path}/edit"), Some(&peer)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app.get_page("/admin", Some(&peer)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(
        !app.get_page("/", Some(&peer))
            .await
            .text()
            .contains("href=\"/admin\"")
    );
}

#[tokio::test]
async fn the_edit_form_names_each_bad_field_and_keeps_the_input() {
    let app = TestApp::new("sqlite").await;
    let session = app.sign_in("rep@acme.test", PASSWORD).await.unwrap();
    let rep = app.id("rep@acme.test").await;
    let path = format!("/people/{rep}/edit");
    let form = app.get_page(&path, Some(&session)).await.text();
    assert!(form.contains("name=\"skills\" value=\"negotiation:3\""));
    assert!(
        !form.contains("name=\"title\""),
        "members do not see HR fields"
    );
    let r = app
        .post_form(
            &path,
            Some(&session),
            None,
            &[
                ("csrf", &session.csrf),
                ("time_zone", "Moon"),
                ("skills", "sql:7"),
                ("location", "Boston"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(text.contains("the level must be 1 to 5"), "{text}");
    assert!(text.contains("value=\"Boston\""), "input kept");
    let r = app
        .post_form(
            &path,
            Some(&session),
            None,
            &[
                ("csrf", &session.csrf),
                ("time_zone", "America/New_York"),
                ("skills", "sql:2+; negotiation:4"),
                ("location", "Boston"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app
        .get_page(&format!("/people/{rep}?saved=1"), Some(&session))
        .await
        .text();
    assert!(
        page.contains("Saved.") && page.contains("Boston") && page.contains("America/New_York")
    );
    let r = app
        .post_form(
            &path,
            Some(&session),
            None,
            &[("csrf", "stale"), ("location", "Paris")],
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a form without the session's token is refused"
    );
}

#[tokio::test]
async fn a_skill_typed_one_letter_off_a_known_one_is_asked_about_once() {
    let app = TestApp::new("sqlite").await;
    let session = app.sign_in("rep@acme.test", PASSWORD).await.unwrap();
    let rep = app.id("rep@acme.test").await;
    let path = format!("/people/{rep}/edit");
    let save = |skills: &'static str, keep: Option<&'static str>| {
        let mut fields = vec![("csrf", session.csrf.as_str()), ("skills", skills)];
        if let Some(keep) = keep {
            fields.push(("keep_new_skills", keep));
        }
        let fields: Vec<(&str, String)> = fields
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect();
        let app = &app;
        let path = path.clone();
        let session = &session;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&path, Some(session), None, &fields).await
        }
    };
    let r = save("negotation:3", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = r.text();
    assert!(
        text.contains("&quot;negotation&quot; would be a new skill; did you mean negotiation? Correct it, or save again to add it as typed."),
        "{text}"
    );
    assert!(
        text.contains("name=\"keep_new_skills\" value=\"negotation\""),
        "{text}"
    );
    // Another typo is asked about anew; the same one, saved again, is kept as typed.
    let r = save("negotiatoin:3", Some("negotation")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("did you mean negotiation?"));
    let r = save("negotation:3", Some("negotation")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app
        .get_page(&format!("/people/{rep}"), Some(&session))
        .await
        .text();
    assert!(page.contains("<td>negotation</td>"), "{page}");
    // A known skill, or one like no other, is saved at once.
    assert_eq!(
        save("negotiation:4; woodwork:2", None).await.status,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_person_page_shows_the_history_its_viewer_may_see() {
    let app = TestApp::new("sqlite").await;
    let dev = app.id("dev@acme.test").await;
    let admin = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    // An admin gives Dana a new title and level.
    let token = app.token("hr@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{dev}"),
            Some(&token),
            Some(serde_json::json!({"title": "Staff Engineer", "level_id": null})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let page = app
        .get_page(&format!("/people/{dev}"), Some(&admin))
        .await
        .text();
    assert!(page.contains("<h2 id=\"history\">History</h2>"), "{page}");
    assert!(
        page.contains("<strong>Title</strong>: Software Engineer → Staff Engineer"),
        "{page}"
    );
    assert!(
        page.contains("Hana Hr</a> <span class=\"muted\">(api)</span>"),
        "{page}"
    );
    assert!(page.contains("<strong>Level</strong>: L2 → <span class=\"muted\">none</span>"));
    // A colleague reads the title's change, not the level's.
    let colleague = app.sign_in("rep@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/people/{dev}"), Some(&colleague))
        .await
        .text();
    assert!(page.contains("Software Engineer → Staff Engineer"));
    assert!(!page.contains("<strong>Level</strong>"), "{page}");
}

pub(crate) fn multipart(session: &Session, csv: &str, deactivate: bool) -> Request<Body> {
    let ticked: &[&str] = if deactivate {
        &["deactivate_missing"]
    } else {
        &[]
    };
    upload("/admin/import", session, "hris.csv", csv, ticked)
}

/// An upload form's request: the CSRF token, ticked boxes and one CSV file.
fn upload(path: &str, session: &Session, file: &str, csv: &str, ticked: &[&str]) -> Request<Body> {
    let boundary = "XtrellisBoundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n",
        session.csrf
    );
    for name in ticked {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n1\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file}\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ));
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .header(header::COOKIE, &session.cookie)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

/// A sign-in attempt from a client address (and an `X-Forwarded-For` header), on a router.
async fn sign_in_from(
    router: &axum::Router,
    peer: &str,
    forwarded: Option<&str>,
    email: &str,
    password: &str,
) -> StatusCode {
    use tower::ServiceExt;
    let peer: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    let with_peer = |mut request: Request<Body>| {
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        request
    };
    let form = router
        .clone()
        .oneshot(with_peer(
            Request::get("/signin").body(Body::empty()).unwrap(),
        ))
        .await
        .unwrap();
    let cookie = form.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = axum::body::to_bytes(form.into_body(), usize::MAX)
        .await
        .unwrap();
    let csrf = hidden_value(&String::from_utf8_lossy(&html), "csrf");
    let body = format!(
        "email={}&password={}&csrf={csrf}&next=/",
        email.replace('@', "%40"),
        password.replace(' ', "+")
    );
    let mut request = Request::post("/signin")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie);
    if let Some(f) = forwarded {
        request = request.header("x-forwarded-for", f);
    }
    let response = router
        .clone()
        .oneshot(with_peer(request.body(Body::from(body)).unwrap()))
        .await
        .unwrap();
    response.status()
}

#[tokio::test]
async fn guesses_slow_the_guessers_address_and_never_lock_the_owner_out() {
    let app = TestApp::new("sqlite").await;
    let router = &app.router;
    for _ in 0..5 {
        let s = sign_in_from(router, "10.0.0.1", None, "dev@acme.test", "wrong password").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let s = sign_in_from(router, "10.0.0.1", None, "dev@acme.test", PASSWORD).await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "the guessing address waits"
    );
    let s = sign_in_from(router, "10.0.0.2", None, "dev@acme.test", PASSWORD).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "the owner, elsewhere, signs in");
    // One guess at each of many accounts adds up for the address.
    let accounts = [
        "hr@acme.test",
        "mgr@acme.test",
        "rep@acme.test",
        "eng.head@acme.test",
        "dev2@acme.test",
        "sales.head@acme.test",
        "ceo@acme.test",
        "nobody@acme.test",
    ];
    let mut tries = 0;
    'spray: for _ in 0..3 {
        for email in accounts {
            if tries == 20 {
                break 'spray;
            }
            let s = sign_in_from(router, "10.0.0.3", None, email, "Winter2026!").await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{email}");
            tries += 1;
        }
    }
    let s = sign_in_from(router, "10.0.0.3", None, "rep@acme.test", PASSWORD).await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "a password spray is throttled"
    );
    // X-Forwarded-For is believed only from a trusted proxy: a guesser cannot rotate it.
    for i in 0..5 {
        let f = format!("192.0.2.{i}");
        let s = sign_in_from(
            router,
            "10.0.0.4",
            Some(&f),
            "mgr@acme.test",
            "nope nope nope",
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let s = sign_in_from(
        router,
        "10.0.0.4",
        Some("192.0.2.99"),
        "mgr@acme.test",
        PASSWORD,
    )
    .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let behind_proxy = trellis_web::router(trellis_web::AppState::new(
        app.store.clone(),
        trellis_web::WebConfig {
            trusted_proxies: vec!["10.0.0.9".parse().unwrap()],
            ..Default::default()
        },
    ));
    for _ in 0..5 {
        let s = sign_in_from(
            &behind_proxy,
            "10.0.0.9",
            Some("198.51.100.7"),
            "eng.head@acme.test",
            "nope nope nope",
        )
        .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let s = sign_in_from(
        &behind_proxy,
        "10.0.0.9",
        Some("198.51.100.7"),
        "eng.head@acme.test",
        PASSWORD,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "the client behind the proxy waits"
    );
    let s = sign_in_from(
        &behind_proxy,
        "10.0.0.9",
        Some("198.51.100.8"),
        "eng.head@acme.test",
        PASSWORD,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::SEE_OTHER,
        "another client behind the same proxy does not"
    );
}

backend_tests!(the_career_ladder_is_uploaded_checked_first_and_saved_whole);
async fn the_career_ladder_is_uploaded_checked_first_and_saved_whole(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let admin = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    let ranks = || async {
        let mut levels: Vec<(String, i64)> = app
            .store
            .levels()
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.code, l.rank))
            .collect();
        levels.sort();
        levels
    };
    let before = ranks().await;
    let bad = "Code,Name,Rank\nL2,Engineer,2\nL3,Senior,three\n";
    let r = app
        .send(upload(
            "/admin/ladder/import",
            &admin,
            "ladder.csv",
            bad,
            &[],
        ))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    assert!(
        r.text()
            .contains("ladder.csv:3: Rank: &quot;three&quot; is not a whole number"),
        "{}",
        r.text()
    );
    assert_eq!(ranks().await, before, "{backend}: nothing was saved");

    let good = "Code,Name,Rank,Expectations\nL2,Engineer,2,Delivers with help\nL3,Senior Engineer,3,\nL10,Distinguished,10,Sets direction\n";
    let r = app
        .send(upload(
            "/admin/ladder/import",
            &admin,
            "ladder.csv",
            good,
            &["dry_run"],
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
    assert!(
        r.text()
            .contains("Checked ladder.csv: it would add 1, change 2 and leave 0 as they are. Nothing was saved."),
        "{}",
        r.text()
    );
    assert_eq!(ranks().await, before, "{backend}: a check saves nothing");

    let r = app
        .send(upload(
            "/admin/ladder/import",
            &admin,
            "ladder.csv",
            good,
            &[],
        ))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
    assert!(
        r.text()
            .contains("Imported ladder.csv: 1 added, 2 changed, 0 as they were."),
        "{}",
        r.text()
    );
    let after = ranks().await;
    for (code, rank) in [("L10", 10), ("L2", 2), ("L3", 3)] {
        assert!(
            after.contains(&(code.to_string(), rank)),
            "{backend}: {after:?}"
        );
    }
    assert!(
        after.contains(&("L5".to_string(), 100)),
        "{backend}: levels the file leaves out stay"
    );
    // Members cannot upload.
    let member = app.sign_in("dev@acme.test", PASSWORD).await.unwrap();
    let r = app
        .send(upload(
            "/admin/ladder/import",
            &member,
            "ladder.csv",
            good,
            &[],
        ))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
}

backend_tests!(admin_import_previews_then_commits);
async fn admin_import_previews_then_commits(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let admin = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    let bad = "Email,Name,Manager Email\nnew@acme.test,New,ghost@acme.test\n";
    let r = app.send(multipart(&admin, bad, false)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    assert!(
        r.text()
            .contains("hris.csv:2: Manager Email: no person with e-mail ghost@acme.test"),
        "{}",
        r.text()
    );
    let kept = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM pending_imports")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
    };
    assert_eq!(kept().await, 0, "{backend}: a refused file is not kept");
    let good = "Email,Name,Manager Email,Title\nnew@acme.test,New Person,mgr@acme.test,Engineer\nrep@acme.test,Rita Rep,sales.head@acme.test,Senior Account Executive\n";
    let r = app.send(multipart(&admin, good, false)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let preview = r.text();
    assert!(
        preview.contains("<strong>1</strong>to add")
            && preview.contains("<strong>1</strong>to update"),
        "{preview}"
    );
    assert!(preview.contains("title"), "changed fields are listed");
    let upload = hidden_value(&preview, "upload");
    assert_eq!(kept().await, 1, "{backend}: kept for the commit");
    // Nothing is written before the commit.
    assert!(
        app.store
            .person_id_by_email("new@acme.test")
            .await
            .unwrap()
            .is_none()
    );
    let r = app
        .post_form(
            "/admin/import/commit",
            Some(&admin),
            None,
            &[("csrf", &admin.csrf), ("upload", &upload)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        app.store
            .person_id_by_email("new@acme.test")
            .await
            .unwrap()
            .is_some()
    );
    // The same preview cannot be applied twice.
    let r = app
        .post_form(
            "/admin/import/commit",
            Some(&admin),
            None,
            &[("csrf", &admin.csrf), ("upload", &upload)],
        )
        .await;
    assert_eq!(r.status, StatusCode::GONE);
    assert_eq!(kept().await, 0, "{backend}: taken by the commit");
    let audit = app.get_page("/admin/audit", Some(&admin)).await.text();
    assert!(audit.contains("people.import") && audit.contains("1 created, 1 updated"));
}

backend_tests!(a_mass_leave_on_the_upload_page_needs_the_count_typed_and_spares_the_importer);
async fn a_mass_leave_on_the_upload_page_needs_the_count_typed_and_spares_the_importer(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let admin = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    // A two-row file with the box ticked: the other six of eight would leave, but
    // never the admin doing the import.
    let file = "Email,Name\nceo@acme.test,Cleo Ceo\ndev@acme.test,Dana Dev\n";
    let r = app.send(multipart(&admin, file, true)).await;
    assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.text());
    let preview = r.text();
    assert!(
        preview.contains("<strong>5</strong>to mark as left"),
        "{preview}"
    );
    assert!(preview.contains("This would mark 5 of the 8 active people as having left."));
    assert!(preview.contains("Max Manager") && !preview.contains("Hana Hr <"));
    let leaving = &preview[preview.find("id=\"leaving\"").unwrap()..];
    assert!(!leaving[..leaving.find("</ul>").unwrap()].contains("Hana Hr"));
    let upload_id = hidden_value(&preview, "upload");
    let commit = |count: &'static str, id: String| {
        let admin = &admin;
        let app = &app;
        async move {
            app.post_form(
                "/admin/import/commit",
                Some(admin),
                None,
                &[
                    ("csrf", &admin.csrf),
                    ("upload", &id),
                    ("confirm_leave_count", count),
                ],
            )
            .await
        }
    };
    let r = commit("4", upload_id).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    assert!(r.text().contains("more than a quarter"), "{}", r.text());
    let mgr = app.id("mgr@acme.test").await;
    let active = |id| {
        let app = &app;
        async move {
            app.store
                .person(trellis_core::PersonId(id))
                .await
                .unwrap()
                .unwrap()
                .status
        }
    };
    assert_eq!(active(mgr).await, trellis_core::org::PersonStatus::Active);
    let r = app.send(multipart(&admin, file, true)).await;
    let r = commit("5", hidden_value(&r.text(), "upload")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
    assert_eq!(active(mgr).await, trellis_core::org::PersonStatus::Left);
    assert_eq!(
        active(app.id("hr@acme.test").await).await,
        trellis_core::org::PersonStatus::Active
    );
}

#[tokio::test]
async fn the_organisations_word_for_managers_is_used() {
    let app = TestApp::new("sqlite").await;
    let admin = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    let form = [
        ("csrf", admin.csrf.as_str()),
        ("organisation_name", "Acme"),
        ("manager_word", "Leader"),
        ("manager_word_plural", "leaders"),
        ("anonymity_k_360", "3"),
        ("anonymity_k_survey", "1"),
        ("default_capacity_hours", "36"),
        ("workload_horizon_days", "14"),
        ("weight_skill_fit", "40"),
        ("weight_growth_wish", "25"),
        ("weight_stretch", "20"),
        ("weight_free_capacity", "15"),
    ];
    let r = app
        .post_form("/admin/settings", Some(&admin), None, &form)
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("must be a whole number from 2 to 50"));
    let mut form = form;
    form[5].1 = "5";
    let r = app
        .post_form("/admin/settings", Some(&admin), None, &form)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let manager = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let home = app.get_page("/", Some(&manager)).await.text();
    assert!(
        home.contains("My leader") && home.contains(">leader</span>"),
        "{home}"
    );
    assert!(home.contains("Acme"));
    // Error pages keep the navigation and say what to do, in the organisation's words.
    let member = app.sign_in("rep@acme.test", PASSWORD).await.unwrap();
    let refused = app.get_page("/admin", Some(&member)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let text = refused.text();
    assert!(
        text.contains(r#"href="/plate""#),
        "the navigation stays: {text}"
    );
    assert!(text.contains("This is not open to you"), "{text}");
    assert!(text.contains("ask your leader or a people admin"), "{text}");
    assert!(!text.contains("you are not allowed"), "{text}");
    let missing = app.get_page("/people/999999", Some(&member)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text().contains(r#"href="/plate""#));
    assert!(
        missing.text().contains("We could not find that"),
        "{}",
        missing.text()
    );
    let nowhere = app.get_page("/no/such/page", None).await;
    assert_eq!(nowhere.status, StatusCode::NOT_FOUND);
    assert!(
        !nowhere.text().contains(r#"href="/plate""#),
        "nobody signed in: no navigation"
    );
    // The audit log names what changed, before and after, and who changed it.
    let audit = app.get_page("/admin/audit", Some(&admin)).await.text();
    let hr = app.id("hr@acme.test").await;
    assert!(
        audit.contains(&format!("<a href=\"/people/{hr}\">Hana Hr</a>"))
            && audit.contains("manager_word: &quot;manager&quot; → &quot;leader&quot;")
            && audit.contains("default_capacity_hours: 32 → 36"),
        "{audit}"
    );
}

#[tokio::test]
async fn the_audit_log_names_the_people_a_change_was_about() {
    let app = TestApp::new("sqlite").await;
    let token = app.token("hr@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{dev}"),
            Some(&token),
            Some(serde_json::json!({"title": "Staff Engineer"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let admin = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    let audit = app.get_page("/admin/audit", Some(&admin)).await.text();
    let row = &audit[audit.find("person.update").expect("audited")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(
        row.contains(&format!("<a href=\"/people/{dev}\">Dana Dev</a>")),
        "{row}"
    );
}
