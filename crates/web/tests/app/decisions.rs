//! The decision log: managers record decisions with a revisit date, refused at the field
//! when a part is wrong; on the date the owner is asked once, over real SMTP, what came
//! of it; the owner, their chain and admins record it, nobody else; reversed decisions
//! show on the team's log and on the objective they belong to.

use crate::common::{self, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use std::sync::Arc;
use trellis_core::decisions::remind_due;
use trellis_core::inbox::Runner;
use trellis_core::jobs::JobRunner;
use trellis_core::mail::Site;
use trellis_mail::SmtpMailer;
use trellis_mail::testing::SmtpSink;
use trellis_store::backend_tests;

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

async fn team_id(app: &TestApp, token: &str, name: &str) -> i64 {
    let teams = app
        .api(Method::GET, "/api/v1/teams", Some(token), None)
        .await
        .json();
    teams
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .and_then(|t| t["id"].as_i64())
        .unwrap()
}

backend_tests!(bad_decisions_are_refused_at_the_field_and_nothing_is_written);
async fn bad_decisions_are_refused_at_the_field_and_nothing_is_written(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let max = app.token("mgr@acme.test").await;
    let dana = app.token("dev@acme.test").await;
    let rita = app.id("rep@acme.test").await;
    let platform = team_id(&app, &max, "Platform").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/decisions",
            Some(&max),
            Some(
                json!({"title": " ", "why": "", "revisit_on": day(-1), "owner_id": rita,
                "decided_on": day(1)}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(
        r.field_errors(),
        [
            "title: say what was decided".to_string(),
            "why: say why it was decided".into(),
            format!(
                "decided_on: {} is after today; record a decision once it is made",
                day(1)
            ),
            format!(
                "revisit_on: {} is in the past; choose today or a later day",
                day(-1)
            ),
            "owner_id: Rita Rep is not in your team; record decisions you or your team own".into(),
            "team_id: choose the team or the objective the decision belongs to".into(),
        ]
    );
    let r = app
        .api(
            Method::POST,
            "/api/v1/decisions",
            Some(&max),
            Some(
                json!({"title": "Weekly releases", "why": "Smaller changes", "team_id": 999999,
                "objective_id": 999999}),
            ),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        [
            "revisit_on: choose a date to revisit the decision",
            "team_id: there is no team 999999",
            "objective_id: there is no objective 999999",
        ]
    );
    // Members do not record decisions.
    let r = app
        .api(
            Method::POST,
            "/api/v1/decisions",
            Some(&dana),
            Some(json!({"title": "Weekly releases", "why": "Smaller changes",
                "team_id": platform, "revisit_on": day(30)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let list = app
        .api(Method::GET, "/api/v1/decisions", Some(&max), None)
        .await;
    assert_eq!(list.json(), json!([]), "nothing written");

    // The page says the same at the fields.
    let session = app
        .sign_in("mgr@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let r = app
        .post_form(
            "/decisions",
            Some(&session),
            None,
            &[
                ("csrf", &session.csrf),
                ("title", "Weekly releases"),
                ("why", "Smaller changes"),
                ("revisit_on", "next week"),
                ("owner_email", "nobody@acme.test"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text();
    for message in [
        "\"next week\" is not a date; use the form YYYY-MM-DD",
        "nobody has the e-mail nobody@acme.test",
        "choose the team or the objective the decision belongs to",
    ] {
        assert!(page.contains(&message.replace('"', "&quot;")), "{message}");
    }
    assert!(
        page.contains("value=\"Weekly releases\""),
        "what was typed stays"
    );
}

fn runner(app: &TestApp, sink: &SmtpSink) -> Runner {
    Runner {
        store: app.store.clone(),
        mailer: Arc::new(SmtpMailer::new(&sink.url(), "people@acme.test").unwrap()),
        site: Site::new("https://people.acme.test"),
    }
}

backend_tests!(the_owner_is_asked_once_on_the_revisit_date_and_records_what_came_of_it);
async fn the_owner_is_asked_once_on_the_revisit_date_and_records_what_came_of_it(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let sink = SmtpSink::start(0).await;
    let max = app.token("mgr@acme.test").await;
    let erin = app.token("eng.head@acme.test").await;
    let sam = app.token("sales.head@acme.test").await;
    let dana = app.token("dev@acme.test").await;
    let dana_id = app.id("dev@acme.test").await;
    let platform = team_id(&app, &max, "Platform").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/objectives",
            Some(&max),
            Some(json!({"title": "Release every week", "scope": "team", "team_id": platform,
                "quarter": trellis_core::work::objectives::quarter_of(chrono::Utc::now().date_naive())})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let objective = r.json()["id"].as_i64().unwrap();
    // Max records it for Dana, who owns the release train; the objective gives the team.
    let r = app
        .api(
            Method::POST,
            "/api/v1/decisions",
            Some(&max),
            Some(
                json!({"title": "Move to weekly releases", "why": "Smaller changes fail less.",
                "alternatives": "Release on demand; keep the monthly train.",
                "decided_by": "The platform team", "owner_id": dana_id,
                "objective_id": objective, "revisit_on": day(1)}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let d = r.json();
    let id = d["id"].as_i64().unwrap();
    assert_eq!(d["team"]["name"], "Platform");
    assert_eq!(d["objective"]["name"], "Release every week");
    assert_eq!(d["owner"]["name"], "Dana Dev");
    assert_eq!(d["decided_on"], day(0));
    assert_eq!(d["status"], "open");
    assert_eq!(d["may_revisit"], true);

    // Before the date, nobody is asked; on it, Dana once, even from two instances.
    let now = trellis_web::now();
    assert_eq!(remind_due(app.store.as_ref(), now).await.unwrap(), 0);
    let later = now + 2 * 86_400;
    let (a, b) = tokio::join!(
        remind_due(app.store.as_ref(), later),
        remind_due(app.store.as_ref(), later)
    );
    assert_eq!(a.unwrap() + b.unwrap(), 1, "{backend}");
    assert_eq!(remind_due(app.store.as_ref(), later).await.unwrap(), 0);
    let runner = runner(&app, &sink);
    while runner.run_next("test", later).await.unwrap().is_some() {}
    let mails = sink.received();
    assert_eq!(mails.len(), 1, "{backend}");
    assert_eq!(mails[0].to, ["dev@acme.test"]);
    let text = mails[0].readable();
    assert!(
        text.contains("Move to weekly releases")
            && text.contains("was it kept, changed or reversed, and what was learned?"),
        "{text}"
    );
    assert!(
        text.contains(&format!("https://people.acme.test/decisions/{id}")),
        "{text}"
    );

    // Someone outside the line reads it but may not record its outcome.
    let outcome = format!("/api/v1/decisions/{id}/outcome");
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/decisions/{id}"),
            Some(&sam),
            None,
        )
        .await;
    assert_eq!(r.json()["may_revisit"], false);
    let r = app
        .api(
            Method::POST,
            &outcome,
            Some(&sam),
            Some(json!({"verdict": "kept"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            Method::POST,
            &outcome,
            Some(&dana),
            Some(json!({"verdict": "abandoned"})),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        ["verdict: “abandoned” is not an outcome; choose kept, changed or reversed"]
    );
    let r = app
        .api(
            Method::POST,
            &outcome,
            Some(&dana),
            Some(json!({"verdict": "reversed"})),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        ["learned: say what was learned, for whoever decides something like it next"]
    );
    let r = app
        .api(
            Method::POST,
            &outcome,
            Some(&dana),
            Some(json!({"verdict": "reversed",
                "learned": "Weekly releases need a test suite under ten minutes first."})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["status"], "reversed");
    // Her manager's manager may correct it; with an outcome the date no longer moves.
    let r = app
        .api(
            Method::POST,
            &outcome,
            Some(&erin),
            Some(json!({"verdict": "changed", "learned": "Fortnightly works."})),
        )
        .await;
    assert_eq!(r.json()["outcome"]["verdict"], "changed");
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/decisions/{id}/revisit"),
            Some(&dana),
            Some(json!({"revisit_on": day(10)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);

    // The team's log and the objective list it; filters by status work.
    let list = |query: String| {
        let app = &app;
        let sam = &sam;
        async move {
            app.api(
                Method::GET,
                &format!("/api/v1/decisions{query}"),
                Some(sam),
                None,
            )
            .await
            .json()
        }
    };
    let titles = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|d| d["title"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        titles(list(format!("?team_id={platform}&status=changed")).await),
        ["Move to weekly releases"]
    );
    assert!(titles(list("?status=due".into()).await).is_empty());
    assert_eq!(
        titles(list(format!("?objective_id={objective}")).await).len(),
        1
    );
    let r = app
        .api(
            Method::GET,
            "/api/v1/decisions?status=late",
            Some(&sam),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let session = app
        .sign_in("sales.head@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let page = app
        .get_page(&format!("/objectives/{objective}"), Some(&session))
        .await
        .text();
    assert!(page.contains("Move to weekly releases"), "{page}");
    let page = app
        .get_page(&format!("/decisions?team={platform}"), Some(&session))
        .await
        .text();
    assert!(page.contains("Changed course"));
    assert!(page.contains("Fortnightly works."));
}

backend_tests!(the_owner_moves_the_revisit_date_and_is_asked_on_the_new_one);
async fn the_owner_moves_the_revisit_date_and_is_asked_on_the_new_one(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let session = app
        .sign_in("mgr@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let platform = team_id(&app, &app.token("mgr@acme.test").await, "Platform").await;
    let r = app
        .post_form(
            "/decisions",
            Some(&session),
            None,
            &[
                ("csrf", &session.csrf),
                ("title", "Pair on every incident"),
                ("why", "Two people learn from each one."),
                ("team_id", &platform.to_string()),
                ("revisit_on", &day(0)),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let path = r.headers["location"].to_str().unwrap().to_string();
    let page = app.get_page(&path, Some(&session)).await.text();
    assert!(page.contains("due to revisit"), "{page}");
    let r = app
        .post_form(
            &format!("{path}/revisit"),
            Some(&session),
            None,
            &[("csrf", &session.csrf), ("revisit_on", &day(-3))],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("is in the past; choose today or a later day")
    );
    let r = app
        .post_form(
            &format!("{path}/revisit"),
            Some(&session),
            None,
            &[("csrf", &session.csrf), ("revisit_on", &day(14))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let now = trellis_web::now();
    assert_eq!(remind_due(app.store.as_ref(), now).await.unwrap(), 0);
    assert_eq!(
        remind_due(app.store.as_ref(), now + 15 * 86_400)
            .await
            .unwrap(),
        1
    );
}
