//! Connection programmes over the API: who may create and run one, bad input refused at
//! the field, opt-outs and private exclusions respected, each person seeing only their own
//! pairings, and the outcome said only by the group.

use crate::common::TestApp;
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_store::backend_tests;

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

fn programme(audience: &str, value: Option<String>, group_size: i64, first: String) -> Value {
    json!({
        "name": "Coffee roulette",
        "audience": audience,
        "audience_value": value,
        "rhythm_weeks": 1,
        "group_size": group_size,
        "first_round_on": first,
    })
}

backend_tests!(connection_rounds_over_the_api_respect_choices_exclusions_and_privacy);
async fn connection_rounds_over_the_api_respect_choices_exclusions_and_privacy(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let max = app.token("mgr@acme.test").await;
    let dana = app.token("dev@acme.test").await;
    let devi = app.token("dev2@acme.test").await;
    let rita = app.token("rep@acme.test").await;
    let (dana_id, max_id) = (app.id("dev@acme.test").await, app.id("mgr@acme.test").await);

    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&hr),
            Some(programme("everyone", None, 4, yesterday)),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let text = r.text();
    assert!(
        text.contains("a group size of 4 is not offered: choose 2 (pairs) or 3 (trios)"),
        "{text}"
    );
    assert!(
        text.contains("the first round cannot be in the past"),
        "{text}"
    );
    let r = app
        .api(Method::GET, "/api/v1/connect/programmes", Some(&hr), None)
        .await;
    assert_eq!(r.json(), json!([]), "{backend}: nothing written");

    // A manager creates one for their own tree, not for everyone.
    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&max),
            Some(programme("everyone", None, 2, today())),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&max),
            Some(programme("tree", Some(max_id.to_string()), 2, today())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let tree = r.json()["programme"]["id"].as_i64().unwrap();
    assert_eq!(r.json()["programme"]["members"], 3, "Max, Dana and Devi");
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{tree}"),
            Some(&rita),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "Rita is not in Max's tree");

    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&hr),
            Some(programme("everyone", None, 2, today())),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["programme"]["id"].as_i64().unwrap();
    assert_eq!(r.json()["programme"]["members"], 8);

    // Devi privately excludes Dana; Rita opts out.
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/connect/exclusions/{dana_id}"),
            Some(&devi),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app
        .api(Method::GET, "/api/v1/connect/exclusions", Some(&devi), None)
        .await;
    assert_eq!(r.json()[0]["name"], "Dana Dev");
    let r = app
        .api(Method::GET, "/api/v1/connect/exclusions", Some(&dana), None)
        .await;
    assert_eq!(r.json(), json!([]), "Dana never learns it");
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/connect/programmes/{id}/choice"),
            Some(&rita),
            Some(json!({"opted_out": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // Only those who run it run a round.
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/programmes/{id}/rounds"),
            Some(&dana),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    for _ in 0..7 {
        let r = app
            .api(
                Method::POST,
                &format!("/api/v1/connect/programmes/{id}/rounds"),
                Some(&hr),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{id}"),
            Some(&hr),
            None,
        )
        .await;
    let admin_view = r.json();
    assert_eq!(admin_view["rounds"].as_array().unwrap().len(), 7);
    assert!(
        admin_view["rounds"][6]["summary"]
            .as_str()
            .unwrap()
            .starts_with("7 people took part: 2 pairs and 1 trio"),
        "{admin_view}"
    );
    assert!(
        admin_view["mine"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| !m["with"].as_array().unwrap().is_empty())
    );
    assert!(
        admin_view["coverage"]["by_round"].as_array().unwrap().len() == 7,
        "{admin_view}"
    );

    // Dana sees her own pairings and "met X of Y", never the rounds or the coverage.
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{id}"),
            Some(&dana),
            None,
        )
        .await;
    let mine = r.json();
    assert_eq!(mine["rounds"], json!([]));
    assert_eq!(mine["coverage"], Value::Null);
    assert_eq!(
        mine["colleagues"], 6,
        "everyone in it but Dana and Rita, who opted out"
    );
    let partners: Vec<&str> = mine["mine"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| {
            m["with"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].as_str().unwrap())
        })
        .collect();
    assert!(
        !partners.contains(&"Devi Dev") && !partners.contains(&"Rita Rep"),
        "{partners:?}"
    );
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{id}"),
            Some(&rita),
            None,
        )
        .await;
    assert_eq!(r.json()["mine"], json!([]), "Rita opted out");

    // The group says whether it met; nobody else may.
    let group = mine["mine"][0]["group_id"].as_i64().unwrap();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/groups/{group}/outcome"),
            Some(&rita),
            Some(json!({"outcome": "met"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/groups/{group}/outcome"),
            Some(&dana),
            Some(json!({"outcome": "maybe"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/groups/{group}/outcome"),
            Some(&dana),
            Some(json!({"outcome": "met"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{id}"),
            Some(&dana),
            None,
        )
        .await;
    assert_eq!(r.json()["mine"][0]["outcome"], "met");

    // Only those who run it archive it; then it runs no more rounds and keeps its history.
    let archive = format!("/api/v1/connect/programmes/{id}/archive");
    let r = app.api(Method::POST, &archive, Some(&dana), None).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app.api(Method::POST, &archive, Some(&hr), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let archived = r.json();
    assert!(archived["programme"]["archived_at"].is_i64(), "{archived}");
    assert_eq!(archived["programme"]["next_round_on"], Value::Null);
    assert_eq!(archived["rounds"].as_array().unwrap().len(), 7);
    let r = app.api(Method::POST, &archive, Some(&hr), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("is already archived"), "{}", r.text());
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/programmes/{id}/rounds"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        r.text().contains("is archived: it runs no more rounds"),
        "{}",
        r.text()
    );
}

backend_tests!(a_round_suggests_a_slot_in_both_peoples_hours_and_puts_it_in_their_feeds);
async fn a_round_suggests_a_slot_in_both_peoples_hours_and_puts_it_in_their_feeds(
    backend: &'static str,
) {
    use chrono::{Datelike, TimeZone, Timelike};
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let dana = app.token("dev@acme.test").await;
    let devi = app.token("dev2@acme.test").await;
    let (dana_id, devi_id) = (
        app.id("dev@acme.test").await,
        app.id("dev2@acme.test").await,
    );
    let hours = "/api/v1/connect/working-hours";

    let r = app.api(Method::GET, hours, Some(&dana), None).await;
    assert_eq!(
        r.json(),
        json!({"weekdays": [1, 2, 3, 4, 5], "starts": "09:00", "ends": "17:00"}),
        "the default"
    );
    for (body, says) in [
        (
            json!({"weekdays": [1], "starts": "9am", "ends": "17:00"}),
            "\"9am\" is not a time: write it as 09:00",
        ),
        (
            json!({"weekdays": [], "starts": "09:00", "ends": "17:00"}),
            "choose at least one day",
        ),
        (
            json!({"weekdays": [1, 9], "starts": "09:00", "ends": "17:00"}),
            "9 is not a weekday",
        ),
        (
            json!({"weekdays": [1], "starts": "17:00", "ends": "09:00"}),
            "the day must end at least 30 minutes after it starts (17:00)",
        ),
    ] {
        let r = app.api(Method::PUT, hours, Some(&dana), Some(body)).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        let message = r.json()["error"]["fields"][0]["message"].clone();
        assert!(
            message.as_str().unwrap().contains(says),
            "{says}: {message}"
        );
    }
    let r = app.api(Method::GET, hours, Some(&dana), None).await;
    assert_eq!(r.json()["starts"], "09:00", "nothing written");

    // Dana works afternoons in Berlin, Devi the default day in New York.
    for (id, zone) in [(dana_id, "Europe/Berlin"), (devi_id, "America/New_York")] {
        let r = app
            .api(
                Method::PATCH,
                &format!("/api/v1/people/{id}"),
                Some(&hr),
                Some(json!({"time_zone": zone})),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    }
    let afternoons = json!({"weekdays": [1, 2, 3, 4, 5], "starts": "13:00", "ends": "18:00"});
    let r = app
        .api(Method::PUT, hours, Some(&dana), Some(afternoons.clone()))
        .await;
    assert_eq!(r.json(), afternoons);

    let mut input = programme("list", None, 2, today());
    input["people"] = json!([dana_id, devi_id]);
    let r = app
        .api(
            Method::POST,
            "/api/v1/connect/programmes",
            Some(&hr),
            Some(input),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["programme"]["id"].as_i64().unwrap();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/programmes/{id}/rounds"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let mine = app
        .api(
            Method::GET,
            &format!("/api/v1/connect/programmes/{id}"),
            Some(&dana),
            None,
        )
        .await
        .json();
    let at = mine["mine"][0]["suggested_at"].as_i64().expect("a slot");
    let utc = chrono::Utc.timestamp_opt(at, 0).unwrap();
    let now = chrono::Utc::now();
    assert!(utc > now && utc < now + chrono::Duration::days(16), "{utc}");
    let berlin = utc.with_timezone(&chrono_tz::Europe::Berlin);
    let new_york = utc.with_timezone(&chrono_tz::America::New_York);
    for (local, from, until) in [
        (berlin.naive_local(), 13, 18),
        (new_york.naive_local(), 9, 17),
    ] {
        assert!(local.weekday().number_from_monday() <= 5, "{local}");
        let minutes = local.hour() * 60 + local.minute();
        assert!(
            minutes >= from * 60 && minutes + 30 <= until * 60,
            "{local} is outside {from}:00–{until}:00"
        );
    }

    // Each hears the time in their own zone.
    let slot_in = |local: chrono::NaiveDateTime| local.format("%a %-d %b, %H:%M").to_string();
    for (token, local) in [
        (&dana, berlin.naive_local()),
        (&devi, new_york.naive_local()),
    ] {
        let notes = app
            .api(Method::GET, "/api/v1/notifications", Some(token), None)
            .await
            .json();
        let text = notes["notifications"][0]["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            text.contains(&format!("suggested: {} your time", slot_in(local))),
            "{text}"
        );
    }
    let session = app
        .sign_in("dev@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    let page = app
        .get_page(&format!("/connect/{id}"), Some(&session))
        .await
        .text();
    assert!(
        page.contains(&format!(
            "Suggested: <strong>{}</strong> your time",
            slot_in(berlin.naive_local())
        )),
        "{page}"
    );

    // The meeting is in both calendar feeds; once they could not meet, it is cancelled.
    let feed_of = |token: String| {
        let app = &app;
        async move {
            let r = app
                .api(Method::GET, "/api/v1/me/calendar", Some(&token), None)
                .await;
            let url = r.json()["url"].as_str().unwrap().to_string();
            app.get_page(&url[url.find("/calendar/").unwrap()..], None)
                .await
                .text()
        }
    };
    let stamp = utc.format("%Y%m%dT%H%M%SZ").to_string();
    for (token, other) in [(dana.clone(), "Devi Dev"), (devi.clone(), "Dana Dev")] {
        let feed = feed_of(token).await;
        for must in [
            format!("DTSTART:{stamp}"),
            "DURATION:PT30M".to_string(),
            format!("SUMMARY:Coffee roulette: meet {other}"),
        ] {
            assert!(feed.contains(&must), "{must}: {feed}");
        }
        assert!(!feed.contains("STATUS:CANCELLED"), "{feed}");
        crate::one_on_ones::check_with_python_icalendar(&feed, 1);
    }
    let group = mine["mine"][0]["group_id"].as_i64().unwrap();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/connect/groups/{group}/outcome"),
            Some(&devi),
            Some(json!({"outcome": "missed"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    assert!(feed_of(dana.clone()).await.contains("STATUS:CANCELLED"));

    // The page form: bad input at the field, then saved and shown on /connect.
    let bad = app
        .post_form(
            "/connect/working-hours",
            Some(&session),
            None,
            &[
                ("csrf", &session.csrf),
                ("starts", "10:00"),
                ("ends", "16:00"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.text().contains("choose at least one day"),
        "{}",
        bad.text()
    );
    let saved = app
        .post_form(
            "/connect/working-hours",
            Some(&session),
            None,
            &[
                ("csrf", &session.csrf),
                ("day1", "on"),
                ("day3", "on"),
                ("day5", "on"),
                ("starts", "08:00"),
                ("ends", "12:30"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
    let list = app.get_page("/connect", Some(&session)).await.text();
    assert!(
        list.contains("Monday, Wednesday and Friday, 08:00–12:30"),
        "{list}"
    );
    let reset = app
        .post_form(
            "/connect/working-hours",
            Some(&session),
            None,
            &[("csrf", &session.csrf), ("reset", "1")],
        )
        .await;
    assert_eq!(reset.status, StatusCode::SEE_OTHER);
    let r = app.api(Method::GET, hours, Some(&dana), None).await;
    assert_eq!(r.json()["starts"], "09:00");
}

backend_tests!(an_admin_creates_list_and_manager_programmes_on_the_page);
async fn an_admin_creates_list_and_manager_programmes_on_the_page(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app
        .sign_in("hr@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    let token = app.token("hr@acme.test").await;
    let today = today();
    let post = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        let hr = &hr;
        async move {
            let mut form: Vec<(&str, &str)> = vec![
                ("csrf", hr.csrf.as_str()),
                ("name", "Lunch pairs"),
                ("rhythm_weeks", "2"),
                ("group_size", "2"),
                ("odd_one", "trio"),
                ("prefer_across", "team"),
            ];
            for (k, v) in &fields {
                form.push((k, v.as_str()));
            }
            app.post_form("/connect", Some(hr), None, &form).await
        }
    };
    let r = post(vec![
        ("audience", "list".into()),
        ("people_emails", "dev@acme.test, nobody@acme.test".into()),
        ("first_round_on", today.clone()),
    ])
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("nobody has the e-mail &quot;nobody@acme.test&quot;"),
        "{}",
        r.text()
    );
    let r = post(vec![
        ("audience", "list".into()),
        ("people_emails", "dev@acme.test".into()),
        ("first_round_on", today.clone()),
    ])
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let list = app
        .api(
            Method::GET,
            "/api/v1/connect/programmes",
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(list, json!([]), "nothing written");

    let dana = app.id("dev@acme.test").await;
    let r = post(vec![
        ("audience", "list".into()),
        ("people", dana.to_string()),
        ("people_emails", "dev2@acme.test; rep@acme.test".into()),
        ("first_round_on", today.clone()),
    ])
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = post(vec![
        ("audience", "tree".into()),
        ("audience_value", "mgr@acme.test".into()),
        ("first_round_on", today.clone()),
    ])
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let list = app
        .api(
            Method::GET,
            "/api/v1/connect/programmes",
            Some(&token),
            None,
        )
        .await
        .json();
    let kinds: Vec<(String, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["audience"].as_str().unwrap().to_string(),
                p["members"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("3 chosen people".to_string(), 3),
            ("Max Manager's organisation".to_string(), 3)
        ]
    );
}
