//! 1:1s: series kept in step with reporting lines, schedules and their bad input, the
//! shared agenda's carry-over, private notes that nobody else reaches by any route, action
//! items on plates, proposals, and the calendar feed.

use crate::common::{PASSWORD, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_store::backend_tests;

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

/// Runs the worker's sync jobs, as a server does after the org changes; how many ran.
async fn run_sync(app: &TestApp) -> usize {
    let runner = trellis_core::housekeeping::Runner {
        store: app.store.clone(),
    };
    trellis_mail::run_due(&runner, "test").await
}

/// The series of `token`'s person with the person of `partner`.
async fn series_with(app: &TestApp, token: &str, partner: i64) -> Value {
    let list = app
        .api(Method::GET, "/api/v1/one-on-ones", Some(token), None)
        .await
        .json();
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| {
            (s["organiser"]["id"] == partner || s["other"]["id"] == partner)
                && s["status"] != "ended"
        })
        .cloned()
        .unwrap_or_else(|| panic!("a series with {partner}: {list}"))
}

/// Max's series with Dana, scheduled weekly from tomorrow at 10:00 in Berlin.
async fn scheduled(app: &TestApp) -> (i64, String, String) {
    assert!(run_sync(app).await >= 1, "the import scheduled a sync");
    let mgr = app.token("mgr@acme.test").await;
    let dana = app.id("dev@acme.test").await;
    let id = series_with(app, &mgr, dana).await["id"].as_i64().unwrap();
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/one-on-ones/{id}/schedule"),
            Some(&mgr),
            Some(
                json!({"first_date": day(1), "start_time": "10:00", "minutes": 30,
                        "every_weeks": 1, "time_zone": "Europe/Berlin"}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    (id, mgr, app.token("dev@acme.test").await)
}

backend_tests!(every_reporting_line_has_a_series_and_a_new_manager_starts_a_new_one);
async fn every_reporting_line_has_a_series_and_a_new_manager_starts_a_new_one(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    assert!(run_sync(&app).await >= 1);
    let mgr = app.token("mgr@acme.test").await;
    let list = app
        .api(Method::GET, "/api/v1/one-on-ones", Some(&mgr), None)
        .await
        .json();
    let mut partners: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            if s["i_organise"] == true {
                s["other"]["name"].as_str().unwrap()
            } else {
                s["organiser"]["name"].as_str().unwrap()
            }
        })
        .collect();
    partners.sort();
    assert_eq!(partners, ["Dana Dev", "Devi Dev", "Erin Eng"], "{list}");
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .all(|s| s["schedule"].is_null() && s["kind"] == "reporting")
    );

    // Dana moves to Erin: the worker ends Max's series and starts Erin's.
    let dana = app.id("dev@acme.test").await;
    let erin = app.id("eng.head@acme.test").await;
    let old = series_with(&app, &mgr, dana).await["id"].as_i64().unwrap();
    let hr = app.token("hr@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{dana}"),
            Some(&hr),
            Some(json!({"manager_id": erin})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(run_sync(&app).await, 1, "the change scheduled one sync");
    let dana_token = app.token("dev@acme.test").await;
    let new = series_with(&app, &dana_token, erin).await;
    assert_eq!(new["kind"], "reporting");
    assert_eq!(new["organiser"]["name"], "Erin Eng");
    let ended = app
        .api(
            Method::GET,
            &format!("/api/v1/one-on-ones/{old}"),
            Some(&dana_token),
            None,
        )
        .await;
    assert_eq!(
        ended.status,
        StatusCode::OK,
        "the old series stays readable"
    );
    assert_eq!(ended.json()["status"], "ended");
    // Nothing left to do: a second sync changes nothing.
    let plan =
        trellis_core::conversations::sync::sync_reporting_series(app.store.as_ref(), 0).await;
    assert_eq!(plan.unwrap(), Default::default());
}

backend_tests!(a_schedule_with_bad_input_says_where_and_writes_nothing);
async fn a_schedule_with_bad_input_says_where_and_writes_nothing(backend: &'static str) {
    let app = TestApp::new(backend).await;
    run_sync(&app).await;
    let mgr = app.token("mgr@acme.test").await;
    let dana = app.id("dev@acme.test").await;
    let id = series_with(&app, &mgr, dana).await["id"].as_i64().unwrap();
    let path = format!("/api/v1/one-on-ones/{id}/schedule");
    let r = app
        .api(
            Method::PUT,
            &path,
            Some(&mgr),
            Some(json!({"first_date": day(-3), "start_time": "10:00", "every_weeks": 0})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}: {}",
                f["field"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        fields
            .iter()
            .any(|f| f.starts_with("every_weeks: meet every 1, 2 or 4 weeks, not every 0")),
        "{fields:?}"
    );
    assert!(
        fields
            .iter()
            .any(|f| f.starts_with("first_date:") && f.contains("in the past")),
        "{fields:?}"
    );
    let s = series_with(&app, &mgr, dana).await;
    assert!(s["schedule"].is_null(), "nothing written: {s}");
    // Only the organiser sets the time; the report is told who does.
    let dana_token = app.token("dev@acme.test").await;
    let r = app
        .api(
            Method::PUT,
            &path,
            Some(&dana_token),
            Some(json!({"first_date": day(1), "start_time": "10:00"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.text().contains("Max Manager sets it"), "{}", r.text());
}

/// The open and discussed points of a meeting, by text.
fn agenda(view: &Value) -> (Vec<String>, Vec<String>) {
    let texts = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .map(|p| p["text"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    (
        texts(&view["agenda"]["open"]),
        texts(&view["agenda"]["discussed"]),
    )
}

backend_tests!(talking_points_carry_over_past_skipped_and_moved_meetings_without_copies);
async fn talking_points_carry_over_past_skipped_and_moved_meetings_without_copies(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let (id, mgr, dana) = scheduled(&app).await;
    let base = format!("/api/v1/one-on-ones/{id}");
    for (token, text) in [(&dana, "Conference budget"), (&mgr, "Q3 roadmap")] {
        let r = app
            .api(
                Method::POST,
                &format!("{base}/points"),
                Some(token),
                Some(json!({"text": text})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let r = app
        .api(
            Method::POST,
            &format!("{base}/points"),
            Some(&dana),
            Some(json!({"text": "x".repeat(2001)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("at most 2000 characters; this one has 2001"),
        "{}",
        r.text()
    );
    let current = |token: &str| {
        let (app, base) = (&app, &base);
        let token = token.to_string();
        async move {
            app.api(
                Method::GET,
                &format!("{base}/meetings/current"),
                Some(&token),
                None,
            )
            .await
            .json()
        }
    };
    let first = current(&mgr).await;
    assert_eq!(first["meeting"]["occurrence"], day(1));
    assert_eq!(agenda(&first).0, ["Conference budget", "Q3 roadmap"]);
    assert!(first["rules"].as_str().unwrap().contains("carry over"));

    // Tomorrow is skipped: its points go on to next week's meeting.
    let r = app
        .api(
            Method::POST,
            &format!("{base}/meetings/{}/change", day(1)),
            Some(&dana),
            Some(json!({"action": "skip"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let next = current(&dana).await;
    assert_eq!(next["meeting"]["occurrence"], day(8));
    assert_eq!(agenda(&next).0, ["Conference budget", "Q3 roadmap"]);

    // Ticked there, a point is discussed at that meeting and leaves the open list.
    let point = next["agenda"]["open"][0]["id"].as_i64().unwrap();
    let r = app
        .api(
            Method::PUT,
            &format!("{base}/points/{point}/tick"),
            Some(&mgr),
            Some(json!({"ticked": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let next = current(&dana).await;
    assert_eq!(
        agenda(&next),
        (
            vec!["Q3 roadmap".to_string()],
            vec!["Conference budget".to_string()]
        )
    );

    // Next week's meeting moves past the one after: the open point sits on the meeting
    // now current, and the moved one shows no copy of it.
    let to = format!("{}T15:30", day(20));
    let r = app
        .api(
            Method::POST,
            &format!("{base}/meetings/{}/change", day(8)),
            Some(&mgr),
            Some(json!({"action": "move", "to": to})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["state"], "moved");
    let now_current = current(&dana).await;
    assert_eq!(now_current["meeting"]["occurrence"], day(15));
    assert_eq!(agenda(&now_current).0, ["Q3 roadmap"]);
    let moved = app
        .api(
            Method::GET,
            &format!("{base}/meetings/{}", day(8)),
            Some(&dana),
            None,
        )
        .await
        .json();
    assert_eq!(
        agenda(&moved),
        (vec![], vec!["Conference budget".to_string()]),
        "{moved}"
    );

    // Bad changes: a move into the past, an unknown action, a day that is no meeting.
    let r = app
        .api(
            Method::POST,
            &format!("{base}/meetings/{}/change", day(15)),
            Some(&mgr),
            Some(json!({"action": "move", "to": format!("{}T09:00", day(-2))})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("is in the past"), "{}", r.text());
    let r = app
        .api(
            Method::POST,
            &format!("{base}/meetings/{}/change", day(15)),
            Some(&mgr),
            Some(json!({"action": "postpone"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            Method::POST,
            &format!("{base}/meetings/{}/change", day(16)),
            Some(&mgr),
            Some(json!({"action": "skip"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

backend_tests!(a_private_note_is_read_by_its_author_alone_by_every_route);
async fn a_private_note_is_read_by_its_author_alone_by_every_route(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let (id, mgr, dana) = scheduled(&app).await;
    let secret = "Thinking about leaving for a startup";
    let meeting = format!("/api/v1/one-on-ones/{id}/meetings/{}", day(1));
    let r = app
        .api(
            Method::PUT,
            &format!("{meeting}/private-note"),
            Some(&dana),
            Some(json!({"text": secret})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app
        .api(
            Method::PUT,
            &format!("{meeting}/shared-note"),
            Some(&mgr),
            Some(json!({"text": "We agreed on the budget"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // The author reads it; the other person sees the shared note and not the private one.
    let mine = app
        .api(Method::GET, &meeting, Some(&dana), None)
        .await
        .json();
    assert_eq!(mine["private_note"], secret);
    let theirs = app.api(Method::GET, &meeting, Some(&mgr), None).await;
    assert_eq!(
        theirs.json()["shared_note"]["text"],
        "We agreed on the budget"
    );
    assert!(theirs.json()["private_note"].is_null());
    assert!(!theirs.text().contains(secret));
    // The manager's manager, an admin, a teammate: the meeting does not exist for them.
    for email in [
        "eng.head@acme.test",
        "hr@acme.test",
        "dev2@acme.test",
        "ceo@acme.test",
    ] {
        let token = app.token(email).await;
        for path in [
            meeting.clone(),
            format!("/api/v1/one-on-ones/{id}"),
            format!("{meeting}/private-note"),
        ] {
            let method = if path.ends_with("private-note") {
                Method::PUT
            } else {
                Method::GET
            };
            let body = (method == Method::PUT).then(|| json!({"text": "overwritten"}));
            let r = app.api(method, &path, Some(&token), body).await;
            assert_eq!(
                r.status,
                StatusCode::NOT_FOUND,
                "{email} {path}: {}",
                r.text()
            );
        }
        let session = app.sign_in(email, PASSWORD).await.unwrap();
        let page = app
            .get_page(
                &format!("/one-on-ones/{id}/meetings/{}", day(1)),
                Some(&session),
            )
            .await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{email}");
        assert!(!page.text().contains(secret));
    }
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(
            &format!("/one-on-ones/{id}/meetings/{}", day(1)),
            Some(&session),
        )
        .await
        .text();
    assert!(
        page.contains("We agreed on the budget") && !page.contains(secret),
        "{page}"
    );
    assert!(page.contains("Only you can read this note"), "{page}");
    // Not in the audit log, and sealed in the database itself.
    let hr = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    let audit = app.get_page("/admin/audit", Some(&hr)).await.text();
    assert!(!audit.contains(secret));
    let sealed: Vec<(String,)> = sqlx::query_as("SELECT sealed FROM private_notes")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(sealed.len(), 1);
    assert!(sealed[0].0.starts_with("v1.") && !sealed[0].0.contains("startup"));
    // Dana's own page shows it back to her.
    let dana_session = app.sign_in("dev@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(
            &format!("/one-on-ones/{id}/meetings/{}", day(1)),
            Some(&dana_session),
        )
        .await
        .text();
    assert!(page.contains(secret));
    // And a manager of Dana's does not change the author's note by writing "theirs".
    let after = app
        .api(Method::GET, &meeting, Some(&dana), None)
        .await
        .json();
    assert_eq!(after["private_note"], secret);
    drop(mgr);
}

backend_tests!(action_items_go_on_plates_privately_and_wait_for_a_manager_to_accept);
async fn action_items_go_on_plates_privately_and_wait_for_a_manager_to_accept(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let (id, mgr, dana) = scheduled(&app).await;
    let dana_id = app.id("dev@acme.test").await;
    let max_id = app.id("mgr@acme.test").await;
    let base = format!("/api/v1/one-on-ones/{id}");
    let r = app
        .api(Method::POST, &format!("{base}/actions"), Some(&mgr),
            Some(json!({"title": "Write the conference proposal", "owner_id": dana_id, "due_date": day(10), "effort_hours": 4})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let view = app
        .api(
            Method::GET,
            &format!("{base}/meetings/current"),
            Some(&dana),
            None,
        )
        .await
        .json();
    let commitment = view["actions"][0]["commitment"]
        .as_i64()
        .expect("on Dana's plate");
    let plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dana_id}/plate"),
            Some(&dana),
            None,
        )
        .await
        .text();
    assert!(plate.contains("Write the conference proposal"), "{plate}");
    // Private to the pair and their chains: Dana's teammate does not see it.
    let devi = app.token("dev2@acme.test").await;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/commitments/{commitment}"),
            Some(&devi),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let erin = app.token("eng.head@acme.test").await;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/commitments/{commitment}"),
            Some(&erin),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "the chain sees it");

    // Dana sets one for Max: it waits until he accepts.
    let r = app
        .api(Method::POST, &format!("{base}/actions"), Some(&dana),
            Some(json!({"title": "Ask finance about the budget", "owner_id": max_id, "due_date": day(5), "effort_hours": 1})))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let action = r.json()["id"].as_i64().unwrap();
    let max_plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{max_id}/plate"),
            Some(&mgr),
            None,
        )
        .await
        .text();
    assert!(!max_plate.contains("Ask finance"), "not before he accepts");
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/one-on-one-actions/{action}/accept"),
            Some(&dana),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only its owner accepts it");
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/one-on-one-actions/{action}/accept"),
            Some(&mgr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let max_plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{max_id}/plate"),
            Some(&mgr),
            None,
        )
        .await
        .text();
    assert!(max_plate.contains("Ask finance"), "{max_plate}");
    let r = app
        .api(
            Method::POST,
            &format!("{base}/actions"),
            Some(&dana),
            Some(json!({"title": "Someone else's", "owner_id": app.id("dev2@acme.test").await})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

backend_tests!(anyone_proposes_a_series_and_the_other_person_answers);
async fn anyone_proposes_a_series_and_the_other_person_answers(backend: &'static str) {
    let app = TestApp::new(backend).await;
    run_sync(&app).await;
    let dana = app.token("dev@acme.test").await;
    let rita_id = app.id("rep@acme.test").await;
    let me = app.id("dev@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/one-on-ones",
            Some(&dana),
            Some(json!({"with": me})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not with oneself"
    );
    let r = app
        .api(
            Method::POST,
            "/api/v1/one-on-ones",
            Some(&dana),
            Some(json!({"with": rita_id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let again = app
        .api(
            Method::POST,
            "/api/v1/one-on-ones",
            Some(&dana),
            Some(json!({"with": rita_id})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let rita = app.token("rep@acme.test").await;
    let mine = series_with(&app, &rita, me).await;
    assert_eq!(mine["awaits_me"], true);
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/one-on-ones/{id}/answer"),
            Some(&dana),
            Some(json!({"accept": true})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "the proposer does not answer"
    );
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/one-on-ones/{id}/answer"),
            Some(&rita),
            Some(json!({"accept": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["status"], "active");
    let notes = app
        .api(Method::GET, "/api/v1/notifications", Some(&dana), None)
        .await
        .text();
    assert!(
        notes.contains("Rita Rep accepted your 1:1 series"),
        "{notes}"
    );
}

backend_tests!(the_calendar_feed_holds_times_only_and_a_rotated_address_is_gone);
async fn the_calendar_feed_holds_times_only_and_a_rotated_address_is_gone(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let (id, mgr, dana) = scheduled(&app).await;
    let base = format!("/api/v1/one-on-ones/{id}");
    app.api(
        Method::POST,
        &format!("{base}/points"),
        Some(&dana),
        Some(json!({"text": "A secret topic"})),
    )
    .await;
    app.api(
        Method::POST,
        &format!("{base}/meetings/{}/change", day(8)),
        Some(&mgr),
        Some(json!({"action": "skip"})),
    )
    .await;
    app.api(
        Method::POST,
        &format!("{base}/meetings/{}/change", day(15)),
        Some(&mgr),
        Some(json!({"action": "move", "to": format!("{}T16:00", day(16))})),
    )
    .await;
    app.api(
        Method::POST,
        &format!("{base}/meetings/{}/change", day(22)),
        Some(&mgr),
        Some(json!({"action": "cancel"})),
    )
    .await;
    let r = app
        .api(Method::GET, "/api/v1/me/calendar", Some(&dana), None)
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let url = r.json()["url"].as_str().unwrap().to_string();
    assert!(
        r.json()["webcal"]
            .as_str()
            .unwrap()
            .starts_with("webcal://")
    );
    let path = &url[url.find("/calendar/").unwrap()..];
    let feed = app.get_page(path, None).await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(
        feed.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    let text = feed.text();
    for must in [
        "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin",
        "RRULE:FREQ=WEEKLY;INTERVAL=1",
        "SUMMARY:1:1 Max Manager / Dana Dev",
        "STATUS:CANCELLED",
    ] {
        assert!(text.contains(must), "{must}: {text}");
    }
    let compact = |d: String| d.replace('-', "");
    assert!(
        text.contains(&format!(
            "EXDATE;TZID=Europe/Berlin:{}T100000",
            compact(day(8))
        )),
        "{text}"
    );
    assert!(text.contains(&format!(
        "RECURRENCE-ID;TZID=Europe/Berlin:{}T100000",
        compact(day(15))
    )));
    assert!(text.contains(&format!(
        "DTSTART;TZID=Europe/Berlin:{}T160000",
        compact(day(16))
    )));
    assert!(
        !text.contains("secret topic"),
        "no talking points in a feed"
    );
    check_with_python_icalendar(&text, 3);
    // A new address: the old one is gone at once.
    let rotated = app
        .api(
            Method::POST,
            "/api/v1/me/calendar/rotate",
            Some(&dana),
            None,
        )
        .await
        .json();
    assert_ne!(rotated["url"].as_str().unwrap(), url);
    assert_eq!(app.get_page(path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_page(&format!("/calendar/{}.ics", "0".repeat(64)), None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get_page("/calendar/nonsense.ics", None).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Parses the feed with Python's `icalendar` (RFC 5545): every event has a UID, a DTSTAMP
/// and a DTSTART. `scripts/test` installs the parser; without it, this says so and fails.
pub(crate) fn check_with_python_icalendar(feed: &str, events: usize) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, feed).unwrap();
    let script = "import sys, icalendar\n\
        cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n\
        events = cal.walk('VEVENT')\n\
        assert events, 'no events'\n\
        for e in events:\n\
        \x20   for key in ('UID', 'DTSTAMP', 'DTSTART'):\n\
        \x20       assert key in e, key\n\
        print(len(events))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "the feed does not parse with Python's icalendar (pip install icalendar): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        events.to_string(),
        "events in the feed"
    );
}

backend_tests!(reminders_go_out_once_before_a_meeting);
async fn reminders_go_out_once_before_a_meeting(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let (id, _mgr, dana) = scheduled(&app).await;
    let view = app
        .api(
            Method::GET,
            &format!("/api/v1/one-on-ones/{id}/meetings/current"),
            Some(&dana),
            None,
        )
        .await
        .json();
    let starts = view["meeting"]["starts_at"].as_i64().unwrap();
    let store = app.store.as_ref();
    // Three days before: nobody yet. An hour before: the report (2 days) and the manager
    // (1 day). Again: nothing more.
    assert_eq!(
        trellis_core::conversations::reminders::send_due(store, starts - 3 * 86_400)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        trellis_core::conversations::reminders::send_due(store, starts - 3600)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        trellis_core::conversations::reminders::send_due(store, starts - 1800)
            .await
            .unwrap(),
        0
    );
    let notes = app
        .api(Method::GET, "/api/v1/notifications", Some(&dana), None)
        .await
        .text();
    assert!(notes.contains("Your 1:1 with Max Manager is on"), "{notes}");
}

backend_tests!(the_health_of_one_on_ones_shows_a_tree_and_hides_small_teams);
async fn the_health_of_one_on_ones_shows_a_tree_and_hides_small_teams(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let (_id, mgr, dana) = scheduled(&app).await;
    let pairs = |token: String| {
        let app = &app;
        async move {
            let h = app
                .api(
                    Method::GET,
                    "/api/v1/one-on-ones/health",
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(h.status, StatusCode::OK, "{}", h.text());
            h.json()
        }
    };
    let max = pairs(mgr.clone()).await;
    let reports: Vec<(&str, &Value)> = max["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["report"]["name"].as_str().unwrap(), &p["flag"]))
        .collect();
    assert_eq!(
        reports,
        [
            ("Devi Dev", &json!("no_time_set")),
            ("Dana Dev", &Value::Null)
        ],
        "flagged first: {max}"
    );
    assert_eq!(
        max["teams"][0]["pairs"],
        Value::Null,
        "2 pairs: below the threshold of 5"
    );
    let erin = pairs(app.token("eng.head@acme.test").await).await;
    assert_eq!(
        erin["pairs"].as_array().unwrap().len(),
        3,
        "Erin's tree: Max, Dana, Devi"
    );
    let admin = pairs(app.token("hr@acme.test").await).await;
    assert_eq!(admin["pairs"].as_array().unwrap().len(), 7, "every pair");
    let r = app
        .api(Method::GET, "/api/v1/one-on-ones/health", Some(&dana), None)
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page("/one-on-ones/health", Some(&session))
        .await
        .text();
    assert!(
        page.contains("no time set") && page.contains("fewer than 5"),
        "{page}"
    );
}

backend_tests!(a_weekly_feed_keeps_ten_o_clock_across_daylight_saving);
async fn a_weekly_feed_keeps_ten_o_clock_across_daylight_saving(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let (_id, _mgr, dana) = scheduled(&app).await;
    let url = app
        .api(Method::GET, "/api/v1/me/calendar", Some(&dana), None)
        .await
        .json()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let feed = app
        .get_page(&url[url.find("/calendar/").unwrap()..], None)
        .await
        .text();
    // A calendar app expands the rule in the event's zone: a year of weeks crosses Berlin's changes
    // of time, and every meeting stays at 10:00 there while its UTC hour moves.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, &feed).unwrap();
    let script = "import sys, icalendar\n\
        from dateutil.rrule import rrulestr\n\
        cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n\
        e = cal.walk('VEVENT')[0]\n\
        start = e['DTSTART'].dt\n\
        rule = rrulestr(e['RRULE'].to_ical().decode(), dtstart=start)\n\
        days = [d for _, d in zip(range(52), rule)]\n\
        assert all((d.hour, d.minute) == (10, 0) for d in days), days\n\
        offsets = sorted({d.utcoffset().total_seconds() / 3600 for d in days})\n\
        print(offsets)\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "[1.0, 2.0]",
        "winter and summer time"
    );
}

backend_tests!(the_meeting_page_puts_the_job_and_the_career_beside_the_agenda);
async fn the_meeting_page_puts_the_job_and_the_career_beside_the_agenda(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let (id, mgr, dana) = scheduled(&app).await;
    let dana_id = app.id("dev@acme.test").await;
    let c = app
        .api(Method::POST, "/api/v1/commitments", Some(&mgr),
            Some(json!({"title": "Ship the importer", "owner_id": dana_id, "due_date": day(3), "effort_hours": 5})))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/one-on-ones/{id}/recurring"),
            Some(&dana),
            Some(json!({"points": ["How are you, really?"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let path = format!("/one-on-ones/{id}/meetings/current");
    let page = app.get_page(&path, Some(&session)).await.text();
    for must in [
        "About Dana Dev",
        "Ship the importer",
        "+ agenda",
        "Asked every time",
        "How are you, really?",
        "carry over to the next meeting",
        "Only you can read this note",
    ] {
        assert!(page.contains(must), "{must}: {page}");
    }
    // One click turns the commitment into a talking point that links to it.
    let r = app
        .post_form(
            &format!("/one-on-ones/{id}/points"),
            Some(&session),
            None,
            &[
                ("csrf", &session.csrf),
                ("text", "Due soon: Ship the importer"),
                ("link", &format!("/commitments/{c}")),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let view = app
        .api(
            Method::GET,
            &format!("/api/v1/one-on-ones/{id}/meetings/current"),
            Some(&dana),
            None,
        )
        .await
        .json();
    assert_eq!(
        view["agenda"]["open"][0]["text"],
        "Due soon: Ship the importer"
    );
    assert_eq!(
        view["agenda"]["open"][0]["link"],
        format!("/commitments/{c}")
    );
    // A point of a meeting page form that is too long is refused at the field.
    let long = "y".repeat(2001);
    let r = app
        .post_form(
            &format!("/one-on-ones/{id}/points"),
            Some(&session),
            None,
            &[("csrf", &session.csrf), ("text", &long)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("at most 2000 characters"));

    // A chosen series with a colleague shows no plate: Rita may not see Dana's.
    let rita_id = app.id("rep@acme.test").await;
    let chosen = app
        .api(
            Method::POST,
            "/api/v1/one-on-ones",
            Some(&dana),
            Some(
                json!({"with": rita_id, "schedule": {"first_date": day(2), "start_time": "15:00"}}),
            ),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let rita = app.token("rep@acme.test").await;
    app.api(
        Method::POST,
        &format!("/api/v1/one-on-ones/{chosen}/answer"),
        Some(&rita),
        Some(json!({"accept": true})),
    )
    .await;
    let rita_session = app.sign_in("rep@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(
            &format!("/one-on-ones/{chosen}/meetings/current"),
            Some(&rita_session),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(
        !page.text().contains("Workload") && !page.text().contains("About Dana"),
        "{}",
        page.text()
    );
}
