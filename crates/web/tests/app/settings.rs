//! `/api/v1/settings`: anyone signed in reads them, only admins change them, a change is
//! checked field by field and audited as before → after, and the settings page saves
//! through the same service.

use crate::common;
use trellis_store::backend_tests;

use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::json;
use trellis_core::store::prelude::*;

backend_tests!(settings_are_read_by_everyone_and_changed_by_admins_with_an_audit_line);
async fn settings_are_read_by_everyone_and_changed_by_admins_with_an_audit_line(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let admin = app.token("hr@acme.test").await;
    let member = app.token("dev@acme.test").await;

    let r = app
        .api(Method::GET, "/api/v1/settings", Some(&member), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{backend}");
    assert_eq!(r.json()["manager_word"], "manager");
    assert_eq!(r.json()["anonymity_k_360"], 3);

    let change = json!({"manager_word": "Leader", "manager_word_plural": "leaders", "default_capacity_hours": 30});
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/settings",
            Some(&member),
            Some(change.clone()),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "{backend}: a member may not"
    );

    let r = app
        .api(
            Method::PATCH,
            "/api/v1/settings",
            Some(&admin),
            Some(change),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{backend}: {r:?}");
    let saved = r.json();
    assert_eq!(
        saved["manager_word"], "leader",
        "lower-cased as the page does"
    );
    assert_eq!(saved["default_capacity_hours"], 30);
    assert_eq!(
        saved["anonymity_k_360"], 3,
        "fields left out keep their values"
    );
    let stored = app.store.settings().await.unwrap();
    assert_eq!(stored.manager_word_plural, "leaders");

    let audit = app.store.audit_log(10).await.unwrap();
    let line = audit
        .iter()
        .find(|l| l.entry.action == "settings.update")
        .expect("the change is audited");
    assert_eq!(
        line.entry.detail,
        "default_capacity_hours: 32 → 30; manager_word: \"manager\" → \"leader\"; \
         manager_word_plural: \"managers\" → \"leaders\"",
        "{backend}"
    );

    // Out of range: refused with the field named, nothing changed.
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/settings",
            Some(&admin),
            Some(json!({"anonymity_k_360": 1, "organisation_name": "Acme Two"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    assert_eq!(r.json()["error"]["fields"][0]["field"], "anonymity_k_360");
    assert_eq!(app.store.settings().await.unwrap().anonymity_k_360, 3);
    assert_ne!(
        app.store.settings().await.unwrap().organisation_name,
        "Acme Two",
        "{backend}: all or nothing"
    );

    // A field the route does not know is named, not ignored.
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/settings",
            Some(&admin),
            Some(json!({"manager_wrod": "boss"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    assert!(r.text().contains("manager_wrod"), "{}", r.text());

    // Saving what is stored writes no audit line.
    let before = app.store.audit_log(50).await.unwrap().len();
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/settings",
            Some(&admin),
            Some(json!({"manager_word": "leader"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{backend}");
    assert_eq!(app.store.audit_log(50).await.unwrap().len(), before);
}

backend_tests!(the_settings_page_checks_its_token_and_saves_through_the_service);
/// The settings page saves through the same service, and like every form it is refused
/// without the session's CSRF token (the `CsrfForm` extractor), with nothing changed.
async fn the_settings_page_checks_its_token_and_saves_through_the_service(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let session = app.sign_in("hr@acme.test", common::PASSWORD).await.unwrap();
    let form = |csrf: &str| {
        vec![
            ("csrf", csrf.to_string()),
            ("organisation_name", "Acme Renamed".to_string()),
            ("manager_word", "lead".to_string()),
            ("manager_word_plural", "leads".to_string()),
            ("anonymity_k_360", "3".to_string()),
            ("anonymity_k_survey", "5".to_string()),
            ("default_capacity_hours", "32".to_string()),
            ("workload_horizon_days", "14".to_string()),
            ("weight_skill_fit", "40".to_string()),
            ("weight_growth_wish", "25".to_string()),
            ("weight_stretch", "20".to_string()),
            ("weight_free_capacity", "15".to_string()),
            ("weight_move_off", "10".to_string()),
            ("currency", "EUR".to_string()),
        ]
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        let session = &session;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form("/admin/settings", Some(session), None, &pairs)
                .await
        }
    };
    let r = post(form("forged")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{backend}");
    assert_ne!(
        app.store.settings().await.unwrap().organisation_name,
        "Acme Renamed"
    );

    let r = post(form(&session.csrf)).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{backend}: {}", r.text());
    let saved = app.store.settings().await.unwrap();
    assert_eq!(
        (
            saved.organisation_name.as_str(),
            saved.manager_word.as_str()
        ),
        ("Acme Renamed", "lead")
    );
    let audit = app.store.audit_log(10).await.unwrap();
    assert!(
        audit.iter().any(|l| l.entry.action == "settings.update"
            && l.entry
                .detail
                .contains("manager_word: \"manager\" → \"lead\"")),
        "{backend}"
    );
}
