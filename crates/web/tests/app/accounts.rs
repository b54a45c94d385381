//! Accounts: an admin invites, the mail arrives over real SMTP with a link that works
//! once; password resets never say whether an address has an account; links that are
//! wrong, used or expired say so; members cannot invite.

use crate::common::{self, Response, Session, TestApp, cookie_pair, hidden_value};
use axum::http::{Method, StatusCode, header};
use serde_json::json;
use trellis_core::auth::links::{self, Purpose};
use trellis_core::store::prelude::*;
use trellis_mail::testing::{Received, SmtpSink};
use trellis_mail::{SmtpMailer, drain};
use trellis_store::backend_tests;

async fn deliver(app: &TestApp, sink: &SmtpSink) -> Vec<Received> {
    let mailer = SmtpMailer::new(&sink.url(), "Acme People <people@acme.test>").unwrap();
    drain(app.store.as_ref(), &mailer, "test").await;
    sink.received()
}

/// The path of the link in a mail (`/welcome/…` or `/reset/…`).
fn link_path(mail: &Received, prefix: &str) -> String {
    let link = mail
        .link_containing(prefix)
        .unwrap_or_else(|| panic!("no {prefix} link in {}", mail.readable()));
    link.strip_prefix("http://127.0.0.1:8080")
        .unwrap()
        .to_string()
}

/// Opens a link page and posts a password to it, as a browser would.
async fn choose_password(app: &TestApp, path: &str, password: &str, confirm: &str) -> Response {
    let page = app.get_page(path, None).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let cookie = cookie_pair(&page, "trellis_signin_csrf").expect("form cookie");
    let csrf = hidden_value(&page.text(), "csrf");
    app.post_form(
        path,
        None,
        Some(&cookie),
        &[
            ("csrf", &csrf),
            ("password", password),
            ("confirm", confirm),
        ],
    )
    .await
}

async fn add_person(app: &TestApp, hr: &str, email: &str) -> i64 {
    let r = app
        .api(
            Method::POST,
            "/api/v1/people",
            Some(hr),
            Some(json!({"name": "Nia New", "email": email, "manager_id": app.id("mgr@acme.test").await})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

backend_tests!(an_invited_person_chooses_a_password_once_and_is_signed_in);
async fn an_invited_person_chooses_a_password_once_and_is_signed_in(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let sink = SmtpSink::start(0).await;
    let hr_token = app.token("hr@acme.test").await;
    let nia = add_person(&app, &hr_token, "nia@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/settings",
            Some(&hr_token),
            Some(json!({"organisation_name": "Acme"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let hr = app.sign_in("hr@acme.test", common::PASSWORD).await.unwrap();

    let page = app.get_page("/admin/accounts", Some(&hr)).await;
    assert!(
        page.text().contains("People who cannot sign in yet (1)"),
        "{}",
        page.text()
    );
    let r = app
        .post_form(
            "/admin/accounts/invite",
            Some(&hr),
            None,
            &[("csrf", &hr.csrf), (&format!("p{nia}"), "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let mails = deliver(&app, &sink).await;
    assert_eq!(mails.len(), 1, "{backend}");
    let mail = &mails[0];
    assert_eq!(mail.to, ["nia@acme.test"]);
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Hana Hr invited you to Trellis at Acme")
    );
    assert!(mail.readable().contains("/notifications/preferences"));
    let path = link_path(mail, "/welcome/");

    let page = app.get_page(&path, None).await;
    assert!(page.text().contains("nia@acme.test"), "{}", page.text());
    let r = choose_password(&app, &path, "plum orchard at dusk", "plum orchard at dawn").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("The two passwords differ"));
    let r = choose_password(&app, &path, "Password123", "Password123").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("among the most common"), "{}", r.text());

    let r = choose_password(&app, &path, "plum orchard at dusk", "plum orchard at dusk").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(r.headers[header::LOCATION], "/?welcome=1");
    let cookie = cookie_pair(&r, "trellis_session").expect("signed in");
    let home = app
        .get_page(
            "/",
            Some(&Session {
                cookie,
                csrf: String::new(),
            }),
        )
        .await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.text().contains("Nia New"), "{}", home.text());
    assert!(
        app.sign_in("nia@acme.test", "plum orchard at dusk")
            .await
            .is_ok()
    );

    // Once only.
    let again = app.get_page(&path, None).await;
    assert_eq!(again.status, StatusCode::GONE);
    assert!(
        again.text().contains("This invitation was used already"),
        "{}",
        again.text()
    );
    let page = app.get_page("/admin/accounts", Some(&hr)).await;
    assert!(
        page.text().contains("data-state=\"accepted\""),
        "{}",
        page.text()
    );
    assert!(page.text().contains("Everyone active can sign in."));
}

backend_tests!(a_wrong_withdrawn_or_expired_invitation_says_so_and_sets_nothing);
async fn a_wrong_withdrawn_or_expired_invitation_says_so_and_sets_nothing(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let sink = SmtpSink::start(0).await;
    let hr_token = app.token("hr@acme.test").await;
    let nia = add_person(&app, &hr_token, "nia@acme.test").await;
    let hr = app.sign_in("hr@acme.test", common::PASSWORD).await.unwrap();
    let person = nia.to_string();
    let form = [("csrf", hr.csrf.as_str()), ("person", person.as_str())];
    let invite = || app.post_form("/admin/accounts/invite", Some(&hr), None, &form);
    invite().await;
    let first = link_path(&deliver(&app, &sink).await[0], "/welcome/");
    // Resending withdraws the first link.
    invite().await;
    let mails = deliver(&app, &sink).await;
    let second = link_path(&mails[1], "/welcome/");
    assert_ne!(first, second);
    let r = app.get_page(&first, None).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert!(r.text().contains("withdrawn"), "{}", r.text());

    let r = app.get_page("/welcome/not-a-token", None).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("is not known"));

    // Eight days on, the second link has expired.
    let token = second.strip_prefix("/welcome/").unwrap();
    let later = trellis_web::now() + 8 * 86_400;
    let e = links::set_password(
        app.store.as_ref(),
        token,
        Purpose::Invitation,
        "plum orchard at dusk",
        later,
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("expired"), "{e}");
    assert!(
        app.store
            .account_of(trellis_core::PersonId(nia))
            .await
            .unwrap()
            .is_none(),
        "{backend}"
    );

    // Withdrawn by hand.
    let r = app
        .post_form(
            "/admin/accounts/withdraw",
            Some(&hr),
            None,
            &[("csrf", &hr.csrf), ("person", &nia.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(app.get_page(&second, None).await.status, StatusCode::GONE);
}

backend_tests!(a_password_reset_never_tells_whether_an_address_has_an_account);
async fn a_password_reset_never_tells_whether_an_address_has_an_account(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let sink = SmtpSink::start(0).await;
    let dev = app
        .sign_in("dev@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let ask = |email: &'static str| {
        let app = &app;
        async move {
            let page = app.get_page("/forgot", None).await;
            let cookie = cookie_pair(&page, "trellis_signin_csrf").unwrap();
            let csrf = hidden_value(&page.text(), "csrf");
            app.post_form(
                "/forgot",
                None,
                Some(&cookie),
                &[("csrf", &csrf), ("email", email)],
            )
            .await
        }
    };
    let known = ask("Dev@Acme.test").await;
    let unknown = ask("nobody@acme.test").await;
    assert_eq!(
        (known.status, unknown.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(known.text(), unknown.text(), "{backend}: the same answer");
    assert!(known.text().contains("If an account has that address"));
    // Asking again at once sends nothing more.
    ask("dev@acme.test").await;
    let mails = deliver(&app, &sink).await;
    assert_eq!(mails.len(), 1, "{backend}");
    assert_eq!(mails[0].to, ["dev@acme.test"]);
    let path = link_path(&mails[0], "/reset/");

    let r = choose_password(&app, &path, "a new pass for dana", "a new pass for dana").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // The old session ended, the old password no longer works, the new one does.
    assert_eq!(
        app.get_page("/", Some(&dev)).await.status,
        StatusCode::SEE_OTHER
    );
    assert!(
        app.sign_in("dev@acme.test", common::PASSWORD)
            .await
            .is_err()
    );
    assert!(
        app.sign_in("dev@acme.test", "a new pass for dana")
            .await
            .is_ok()
    );
    assert_eq!(
        app.get_page(&path, None).await.status,
        StatusCode::GONE,
        "once only"
    );
}

backend_tests!(an_admin_forces_a_reset_and_members_cannot_invite);
async fn an_admin_forces_a_reset_and_members_cannot_invite(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let sink = SmtpSink::start(0).await;
    let hr = app.sign_in("hr@acme.test", common::PASSWORD).await.unwrap();
    let dev = app
        .sign_in("dev@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let rep = app.id("rep@acme.test").await;
    for path in ["/admin/accounts/invite", "/admin/accounts/force-reset"] {
        let r = app
            .post_form(
                path,
                Some(&dev),
                None,
                &[("csrf", &dev.csrf), ("person", &rep.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {path}");
    }
    assert_eq!(
        app.get_page("/admin/accounts", Some(&dev)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get_page("/admin/mail", Some(&dev)).await.status,
        StatusCode::FORBIDDEN
    );
    assert!(deliver(&app, &sink).await.is_empty());
    // The person page offers it to admins only.
    let rita_page = |s| {
        let app = &app;
        async move {
            app.get_page(&format!("/people/{rep}"), Some(s))
                .await
                .text()
        }
    };
    assert!(
        rita_page(&hr).await.contains("Force a password reset"),
        "{backend}"
    );
    assert!(
        !rita_page(&dev).await.contains("Force a password reset"),
        "{backend}"
    );

    let r = app
        .post_form(
            "/admin/accounts/force-reset",
            Some(&hr),
            None,
            &[("csrf", &hr.csrf), ("person", &rep.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(
        app.sign_in("rep@acme.test", common::PASSWORD)
            .await
            .is_err(),
        "{backend}"
    );
    let mails = deliver(&app, &sink).await;
    assert_eq!(mails.len(), 1);
    assert!(
        mails[0]
            .readable()
            .contains("An admin asked you to choose a new password")
    );
    let path = link_path(&mails[0], "/reset/");
    let r = choose_password(&app, &path, "rita picks anew", "rita picks anew").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(
        app.sign_in("rep@acme.test", "rita picks anew")
            .await
            .is_ok()
    );

    // The e-mail page shows what went.
    let page = app.get_page("/admin/mail", Some(&hr)).await.text();
    assert!(page.contains("0 queued · 1 sent · 0 failed"), "{page}");
    assert!(page.contains("Your Trellis password at Our organisation"));
}

backend_tests!(invitations_through_the_api_are_for_admins_and_say_who_was_passed_over);
async fn invitations_through_the_api_are_for_admins_and_say_who_was_passed_over(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let dev = app.token("dev@acme.test").await;
    let nia = add_person(&app, &hr, "nia@acme.test").await;
    let rep = app.id("rep@acme.test").await;
    let body = json!({"person_ids": [nia, rep]});
    let r = app
        .api(
            Method::POST,
            "/api/v1/invitations",
            Some(&dev),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
    for path in ["/api/v1/invitations", "/api/v1/mail"] {
        let r = app.api(Method::GET, path, Some(&dev), None).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}: {path}");
    }
    let r = app
        .api(Method::POST, "/api/v1/invitations", Some(&hr), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"sent": [nia], "skipped": [{"person_id": rep, "reason": "signs in already"}]})
    );
    let list = app
        .api(Method::GET, "/api/v1/invitations", Some(&hr), None)
        .await
        .json();
    assert_eq!(list[0]["person"]["id"], nia);
    assert_eq!(list[0]["state"], "waiting");
    assert_eq!(list[0]["sent_by"]["name"], "Hana Hr");
    let mail = app
        .api(Method::GET, "/api/v1/mail", Some(&hr), None)
        .await
        .json();
    assert_eq!(mail["queued"], 1);
    assert_eq!(mail["recent"][0]["to_address"], "nia@acme.test");
    assert_eq!(mail["problem"], "no SMTP server is configured (smtp_url)");
    let path = format!("/api/v1/invitations/{nia}");
    assert_eq!(
        app.api(Method::DELETE, &path, Some(&hr), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.api(Method::DELETE, &path, Some(&hr), None).await.status,
        StatusCode::NOT_FOUND,
        "{backend}: nothing open to withdraw"
    );
    let list = app
        .api(Method::GET, "/api/v1/invitations", Some(&hr), None)
        .await
        .json();
    assert_eq!(list[0]["state"], "withdrawn");
}
