//! Scorecards: a manager's two columns with the organisation's medians, the directing
//! signal said only with two of its three parts in the top quarter, for the manager, their
//! chain and admins (404 to anyone else); the batch figures agree with the one-manager
//! computation of career support coverage on the demo.

use crate::common::{TestApp, demo_app, demo_app_on};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_store::backend_tests;

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

fn figure<'a>(card: &'a Value, column: &str, key: &str) -> &'a Value {
    card[column]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {card}"))
}

backend_tests!(
    a_manager_who_assigns_and_moves_the_work_is_directing_closely_and_only_the_line_sees_it
);
async fn a_manager_who_assigns_and_moves_the_work_is_directing_closely_and_only_the_line_sees_it(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let max = app.token("mgr@acme.test").await;
    let (max_id, dana_id) = (app.id("mgr@acme.test").await, app.id("dev@acme.test").await);
    let mut ids = Vec::new();
    for (owner, hours) in [(max_id, 10), (dana_id, 30)] {
        let r = app
            .api(
                Method::POST,
                "/api/v1/commitments",
                Some(&max),
                Some(json!({"title": format!("{hours} h"), "owner_id": owner,
                    "due_date": day(10), "effort_hours": hours})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{}/renegotiate", ids[1]),
            Some(&max),
            Some(json!({"due_date": day(12), "note": "the client moved"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let path = format!("/api/v1/people/{max_id}/scorecard");
    let card = app.api(Method::GET, &path, Some(&max), None).await;
    assert_eq!(card.status, StatusCode::OK, "{}", card.text());
    let card = card.json();
    assert_eq!(card["reports"], 2);
    assert_eq!(
        card["managers_compared"], 4,
        "Cleo, Erin, Max and Sam manage"
    );
    let parts: Vec<&Value> = card["signal"]["parts"].as_array().unwrap().iter().collect();
    // Max assigned the one piece of work that came to his team, made its one date change,
    // and owns 10 of its 40 open hours.
    assert_eq!(parts[0]["value"], 1.0);
    assert_eq!(parts[1]["value"], 1.0);
    assert_eq!(parts[2]["value"], 0.25);
    assert_eq!(card["signal"]["directing_closely"], true);
    let sentence = card["signal"]["sentence"].as_str().unwrap();
    assert!(
        sentence.starts_with("Directing closely: 3 of the three parts"),
        "{sentence}"
    );
    let one = figure(&card, "managing", "one_on_ones");
    assert_eq!(one["shown"], "0");
    assert!(one["definition"].as_str().unwrap().contains("per report"));
    let current = figure(&card, "managing", "work_current");
    assert_eq!(current["shown"], "100 %");
    assert_eq!(
        figure(&card, "leading", "leadership_360")["value"],
        json!(null)
    );

    for (who, email) in [
        ("a report", "dev@acme.test"),
        ("a manager elsewhere", "sales.head@acme.test"),
    ] {
        let token = app.token(email).await;
        let r = app.api(Method::GET, &path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}");
    }
    for email in ["eng.head@acme.test", "hr@acme.test"] {
        let token = app.token(email).await;
        let r = app.api(Method::GET, &path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::OK, "{email}");
    }
    let dana = app.token("dev@acme.test").await;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dana_id}/scorecard"),
            Some(&dana),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.text().contains("they have no reports"), "{}", r.text());
}

#[tokio::test]
async fn the_scorecard_agrees_with_career_support_coverage_and_shows_two_columns() {
    let (app, emails) = demo_app().await;
    let manager = app.token(&emails[1]).await;
    let id = app.id(&emails[1]).await;
    let card = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{id}/scorecard"),
            Some(&manager),
            None,
        )
        .await
        .json();
    let coverage = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{id}/career-support"),
            Some(&manager),
            None,
        )
        .await
        .json();
    assert_eq!(
        figure(&card, "leading", "career_support")["value"],
        coverage["share"],
        "{card}"
    );
    let delivery = figure(&card, "managing", "delivery");
    assert!(delivery["median"].is_number(), "{delivery}");
    assert_eq!(delivery["trend"].as_array().unwrap().len(), 6);
    for (column, key) in [("managing", "one_on_ones"), ("leading", "influence")] {
        let f = figure(&card, column, key);
        assert_eq!(f["trend"].as_array().unwrap().len(), 6, "{f}");
        assert_eq!(f["percent"], false);
    }
    // Every other figure's trend comes from the months the worker recorded (the demo
    // records five), ending with this month's live value.
    for column in ["managing", "leading"] {
        for f in card[column].as_array().unwrap() {
            let key = f["key"].as_str().unwrap();
            if ["delivery", "one_on_ones", "influence"].contains(&key) || key.ends_with("_360") {
                continue;
            }
            let trend = f["trend"].as_array().unwrap();
            assert_eq!(trend.len(), 6, "{key}: {f}");
            assert_eq!(trend[5]["value"], f["value"], "{key}: this month is live");
            assert!(
                trend[..5].iter().any(|p| p["value"].is_number()) || f["value"].is_null(),
                "{key}: recorded months show: {f}"
            );
        }
    }
    // The demo's 1:1s were held: the last full month has some.
    let ones = figure(&card, "managing", "one_on_ones")["trend"].clone();
    assert!(ones[4]["value"].as_f64().unwrap() > 0.0, "{ones}");
    let session = app
        .sign_in(&emails[1], crate::common::PASSWORD)
        .await
        .unwrap();
    let page = app.get_page("/scorecards/me", Some(&session)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    let page = app
        .get_page(&format!("/scorecards/{id}"), Some(&session))
        .await
        .text();
    for part in [
        "Managing: the work gets done",
        "Leading: people grow",
        "Directing or coaching",
        "organisation median",
    ] {
        assert!(page.contains(part), "{part}");
    }
}

backend_tests!(the_worker_records_every_managers_figures_once_a_day);
async fn the_worker_records_every_managers_figures_once_a_day(backend: &'static str) {
    use trellis_core::scorecards::history::{record_if_stale, trends};
    use trellis_core::store::prelude::*;
    let app = TestApp::new(backend).await;
    let max = app.id("mgr@acme.test").await;
    let now = 1_795_424_400; // 2026-11-23 09:00 UTC
    let store = app.store.as_ref();
    let managers = record_if_stale(store, now).await.unwrap();
    assert!(managers >= 1, "{backend}");
    assert_eq!(
        record_if_stale(store, now + 3_600).await.unwrap(),
        0,
        "{backend}: once a day"
    );
    // The next day rewrites November's row; a day in December starts a new month.
    assert_eq!(
        record_if_stale(store, now + 86_400).await.unwrap(),
        managers
    );
    let december = now + 10 * 86_400;
    assert_eq!(record_if_stale(store, december).await.unwrap(), managers);
    let kept = store
        .recorded_figures(trellis_core::PersonId(max), "2026-01")
        .await
        .unwrap();
    let months: Vec<&str> = kept.iter().map(|(m, _)| m.as_str()).collect();
    assert_eq!(months, ["2026-11", "2026-12"], "{backend}");
    assert!(kept[0].1.contains("\"career_support\""), "{}", kept[0].1);
    let mine = trellis_core::scorecards::all_figures(store, december)
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.manager.0 == max)
        .unwrap();
    let trend = &trends(store, &mine, december).await.unwrap()["career_support"];
    let labels: Vec<&str> = trend.iter().map(|p| p.label.as_str()).collect();
    assert_eq!(
        labels,
        ["Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        "{backend}"
    );
    assert_eq!(trend[4].value, Some(0.0), "{backend}: November as recorded");
    assert_eq!(
        trend[3].value, None,
        "{backend}: nothing recorded in October"
    );
}

/// Two managers' figures agree, each to within rounding of the order sums were taken in.
fn agree(
    a: &trellis_core::scorecards::figures::ManagerFigures,
    b: &trellis_core::scorecards::figures::ManagerFigures,
) -> Result<(), String> {
    use trellis_core::scorecards::{Pick, comparable};
    let signal: [(&str, Pick); 3] = [
        ("directed", |f| f.directed),
        ("due_changes", |f| f.due_changes),
        ("delegation", |f| f.delegation),
    ];
    let picks = comparable().into_iter().map(|(k, _, _, p)| (k, p));
    for (key, pick) in picks.chain(signal) {
        let same = match (pick(a), pick(b)) {
            (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            (x, y) => x == y,
        };
        if !same {
            return Err(format!("{key}: {:?} and {:?}", pick(a), pick(b)));
        }
    }
    Ok(())
}

backend_tests!(each_managers_figures_read_alone_equal_the_organisation_wide_computation);
async fn each_managers_figures_read_alone_equal_the_organisation_wide_computation(
    backend: &'static str,
) {
    use trellis_core::scorecards::{all_figures, figures_of, history};
    use trellis_core::store::prelude::*;
    let (app, _) = demo_app_on(backend).await;
    let store = app.store.as_ref();
    let now = trellis_web::now();
    // Work that came to a report this week and that they have since handed outside the
    // team, once at their manager's request and once their own: it counts for the team
    // though nobody in it owns it now.
    let manager = all_figures(store, now)
        .await
        .unwrap()
        .into_iter()
        .max_by_key(|f| f.reports)
        .unwrap()
        .manager;
    let report = store.direct_reports(manager).await.unwrap()[0].id;
    let pool = app.store.pool();
    let handed: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM commitments WHERE owner_id = $1 ORDER BY id LIMIT 2")
            .bind(report.0)
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(handed.len(), 2, "{backend}");
    let outsider: i64 = sqlx::query_scalar(
        "SELECT id FROM people WHERE status = 'active' AND id <> $1 \
         AND (manager_id IS NULL OR manager_id <> $1) ORDER BY id LIMIT 1",
    )
    .bind(manager.0)
    .fetch_one(pool)
    .await
    .unwrap();
    for (commitment, requester) in handed.iter().zip([manager, report]) {
        sqlx::query(
            "UPDATE commitments SET owner_id = $1, requester_id = $2, created_at = $3 \
             WHERE id = $4",
        )
        .bind(outsider)
        .bind(requester.0)
        .bind(now - 86_400)
        .bind(commitment)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO commitment_changes (commitment_id, at, actor_id, field, before_value, \
             after_value) VALUES ($1, $2, $3, 'owner', $4, $5)",
        )
        .bind(commitment)
        .bind(now - 3_600)
        .bind(report.0)
        .bind(report.0.to_string())
        .bind(outsider.to_string())
        .execute(pool)
        .await
        .unwrap();
    }
    let all = all_figures(store, now).await.unwrap();
    assert!(all.len() > 20, "{backend}: {} managers", all.len());
    for whole in &all {
        let alone = figures_of(store, whole.manager, now)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(alone.reports, whole.reports);
        let m = whole.manager;
        agree(&alone, whole).unwrap_or_else(|e| panic!("{backend}: manager {m}: {e}"));
    }
    // What a scorecard compares with is the day's record once the worker has made it,
    // read back as computed.
    assert!(history::record_if_stale(store, now).await.unwrap() > 0);
    let mut compared = history::compared(store, now).await.unwrap();
    compared.sort_by_key(|f| f.manager);
    assert_eq!(compared.len(), all.len(), "{backend}");
    for (kept, whole) in compared.iter().zip(&all) {
        assert_eq!(kept.manager, whole.manager);
        agree(kept, whole).unwrap_or_else(|e| panic!("{backend}: kept {}: {e}", kept.manager));
    }
}
