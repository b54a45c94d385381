//! Development programmes: admins create them within their capacity, sessions only in the
//! future, the facilitator marks attendance, only attendees rate a session and their
//! ratings show only under the anonymity rule; sessions reach calendar feeds and are
//! announced once the day before.

use crate::common::{self, TestApp};
use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use trellis_core::development::{NewSession, remind_due};
use trellis_core::ids::CohortId;
use trellis_core::store::prelude::*;
use trellis_store::backend_tests;

fn tomorrow_at_ten() -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(1))
        .and_hms_opt(10, 0, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

backend_tests!(a_cohort_runs_within_capacity_and_only_attendees_rate_its_sessions);
async fn a_cohort_runs_within_capacity_and_only_attendees_rate_its_sessions(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let max = app.token("mgr@acme.test").await;
    let cleo = app.token("ceo@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/settings",
            Some(&hr),
            Some(json!({"anonymity_k_survey": 3})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mut ids = std::collections::HashMap::new();
    let mut tokens = std::collections::HashMap::new();
    for who in ["dev", "dev2", "rep", "sales.head", "mgr"] {
        let email = format!("{who}@acme.test");
        ids.insert(who, app.id(&email).await);
        tokens.insert(who, app.token(&email).await);
    }
    let programmes = "/api/v1/development/programmes";

    let r = app
        .api(
            Method::POST,
            programmes,
            Some(&hr),
            Some(json!({"name": " ", "capacity": 1, "participants": [ids["dev"], ids["dev2"], 999999]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.field_errors(),
        [
            "name: give a name of 1 to 200 characters",
            "participants: 999999 is not an active person's id",
            "capacity: a capacity of 1 is below the 2 participants"
        ]
    );
    let input = json!({"name": "New managers, spring cohort",
        "description": "Six sessions on the first year of managing.", "capacity": 4,
        "participants": [ids["dev"], ids["dev2"], ids["rep"], ids["sales.head"]]});
    let r = app
        .api(
            Method::POST,
            programmes,
            Some(&tokens["dev"]),
            Some(input.clone()),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let list = app
        .api(Method::GET, programmes, Some(&hr), None)
        .await
        .json();
    assert_eq!(list, json!([]), "nothing written");
    let r = app
        .api(Method::POST, programmes, Some(&hr), Some(input))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["cohort"]["id"].as_i64().unwrap();
    let notes = app
        .api(
            Method::GET,
            "/api/v1/notifications",
            Some(&tokens["dev"]),
            None,
        )
        .await
        .json();
    assert_eq!(
        notes["notifications"][0]["text"],
        "You are in the development programme \"New managers, spring cohort\"."
    );
    assert_eq!(
        notes["notifications"][0]["link"],
        format!("/development/{id}")
    );
    let r = app
        .api(
            Method::POST,
            &format!("{programmes}/{id}/participants"),
            Some(&hr),
            Some(json!({"participants": [ids["mgr"]]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.field_errors()[0].contains("has room for 0 more (capacity 4)"),
        "{:?}",
        r.field_errors()
    );

    // Sessions: in the future, of a sensible length, somewhere, with a facilitator.
    let sessions = format!("{programmes}/{id}/sessions");
    let r = app
        .api(
            Method::POST,
            &sessions,
            Some(&hr),
            Some(json!({"title": "Kick-off", "starts": "2020-01-06T10:00", "time_zone": "Mars/Olympus",
                "minutes": 5, "place": "", "facilitator_id": ids["mgr"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.field_errors(),
        [
            "time_zone: \"Mars/Olympus\" is not a time zone: use an IANA name such as Europe/Berlin",
            "minutes: a session lasts 15 minutes to 8 hours (480)",
            "place: say where: a room, or a link to join"
        ]
    );
    let r = app
        .api(
            Method::POST,
            &sessions,
            Some(&hr),
            Some(
                json!({"title": "Kick-off", "starts": "2020-01-06T10:00", "minutes": 90,
                "place": "Room 4", "facilitator_id": ids["mgr"]}),
            ),
        )
        .await;
    assert_eq!(
        r.field_errors(),
        ["starts: the session cannot be in the past"]
    );
    let r = app
        .api(
            Method::POST,
            &sessions,
            Some(&hr),
            Some(
                json!({"title": "Kick-off", "starts": tomorrow_at_ten(), "time_zone": "UTC",
                "minutes": 90, "place": "Room 4", "facilitator_id": ids["mgr"]}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let upcoming = r.json()["sessions"][0]["session"]["id"].as_i64().unwrap();

    // Announced once the day before, to participants and the facilitator.
    let now = trellis_web::now();
    let starts = r.json()["sessions"][0]["session"]["starts_at"]
        .as_i64()
        .unwrap();
    let remind = |at: i64| remind_due(app.store.as_ref(), at);
    assert_eq!(remind(starts - 2 * 86_400).await.unwrap(), 0, "not yet");
    assert_eq!(remind(starts - 20 * 3600).await.unwrap(), 5);
    assert_eq!(remind(starts - 3600).await.unwrap(), 0, "once");
    let notes = app
        .api(Method::GET, "/api/v1/notifications", Some(&max), None)
        .await
        .json();
    assert!(
        notes["notifications"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("New managers, spring cohort: \"Kick-off\" starts "),
        "{notes}"
    );

    // An admin cancels the coming session: its people are told, it cannot be cancelled
    // twice, and calendars show it cancelled (below).
    let cancel = format!("/api/v1/development/sessions/{upcoming}/cancel");
    let r = app.api(Method::POST, &cancel, Some(&max), None).await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the facilitator does not cancel"
    );
    let r = app.api(Method::POST, &cancel, Some(&hr), None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json()["sessions"][0]["session"]["cancelled_at"].is_i64());
    let r = app.api(Method::POST, &cancel, Some(&hr), None).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.text().contains("is already cancelled"), "{}", r.text());
    let notes = app
        .api(
            Method::GET,
            "/api/v1/notifications",
            Some(&tokens["dev2"]),
            None,
        )
        .await
        .json();
    // The reminder above was written at a simulated hour that may lie after this
    // cancellation, so look for the notice rather than at the top of the list.
    let told = notes["notifications"].as_array().unwrap().iter();
    let told: Vec<&str> = told.filter_map(|n| n["text"].as_str()).collect();
    assert!(
        told.iter().any(|text| text.ends_with("is cancelled.")),
        "{told:?}"
    );

    // A session that took place yesterday (written as it would have been then).
    let past = app
        .store
        .add_session(&NewSession {
            cohort: CohortId(id),
            title: "Giving feedback".into(),
            starts_at: now - 86_400,
            minutes: 60,
            place: "Room 4".into(),
            facilitator: trellis_core::PersonId(ids["mgr"]),
        })
        .await
        .unwrap();
    let attendance = |session: i64, who: &str| {
        format!(
            "/api/v1/development/sessions/{session}/attendance/{}",
            ids[who]
        )
    };
    let came = Some(json!({"attended": true}));
    let r = app
        .api(
            Method::PUT,
            &attendance(upcoming, "dev"),
            Some(&max),
            came.clone(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "not begun yet: {}",
        r.text()
    );
    let r = app
        .api(
            Method::PUT,
            &attendance(past.0, "dev"),
            Some(&tokens["rep"]),
            came.clone(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "a participant does not mark"
    );
    let r = app
        .api(
            Method::PUT,
            &attendance(past.0, "dev"),
            Some(&cleo),
            came.clone(),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NOT_FOUND,
        "an outsider learns nothing"
    );
    for who in ["dev", "dev2", "sales.head"] {
        let r = app
            .api(
                Method::PUT,
                &attendance(past.0, who),
                Some(&max),
                came.clone(),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    }
    let r = app
        .api(
            Method::PUT,
            &attendance(past.0, "rep"),
            Some(&max),
            Some(json!({"attended": false})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);

    // Only attendees rate it; the ratings show as a group from three answers.
    let feedback = format!("/api/v1/development/sessions/{}/feedback", past.0);
    let rate = |rating: i64, comment: &str| Some(json!({"rating": rating, "comment": comment}));
    let r = app
        .api(
            Method::PUT,
            &feedback,
            Some(&tokens["rep"]),
            rate(1, "I was not there"),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = app
        .api(Method::PUT, &feedback, Some(&cleo), rate(1, ""))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .api(Method::PUT, &feedback, Some(&tokens["dev"]), rate(9, ""))
        .await;
    assert_eq!(r.field_errors(), ["rating: rate it from 1 to 5"]);
    for (who, rating, comment) in [("dev", 5, "Practical"), ("dev2", 3, "Too long")] {
        let r = app
            .api(
                Method::PUT,
                &feedback,
                Some(&tokens[who]),
                rate(rating, comment),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    }
    let past_of = |view: &Value| -> Value {
        view["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["session"]["id"] == past.0)
            .unwrap()
            .clone()
    };
    let show = format!("{programmes}/{id}");
    let seen = past_of(&app.api(Method::GET, &show, Some(&max), None).await.json());
    assert_eq!(seen["feedback"]["answers"], 2);
    assert_eq!(seen["feedback"]["average"], Value::Null, "{seen}");
    assert_eq!(seen["feedback"]["comments"], json!([]));
    let r = app
        .api(
            Method::PUT,
            &feedback,
            Some(&tokens["sales.head"]),
            rate(4, "Good examples"),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let seen = past_of(&app.api(Method::GET, &show, Some(&hr), None).await.json());
    assert_eq!(seen["feedback"]["average"], 4.0);
    assert_eq!(
        seen["feedback"]["comments"],
        json!(["Good examples", "Practical", "Too long"])
    );
    assert_eq!(seen["attendance"].as_array().unwrap().len(), 4);

    // A participant sees their own attendance, never the others' or the ratings.
    let theirs = app
        .api(Method::GET, &show, Some(&tokens["dev"]), None)
        .await
        .json();
    let mine = past_of(&theirs);
    assert_eq!(mine["mine"], true);
    assert_eq!(mine["gave_feedback"], true);
    assert_eq!(mine["attendance"], json!([]));
    assert_eq!(mine["feedback"], Value::Null);
    assert_eq!(
        app.api(Method::GET, &show, Some(&cleo), None).await.status,
        StatusCode::NOT_FOUND
    );

    // Sessions are in the participants' calendar feeds.
    let r = app
        .api(
            Method::GET,
            "/api/v1/me/calendar",
            Some(&tokens["dev"]),
            None,
        )
        .await;
    let url = r.json()["url"].as_str().unwrap().to_string();
    let feed = app
        .get_page(&url[url.find("/calendar/").unwrap()..], None)
        .await
        .text();
    for must in [
        "SUMMARY:New managers\\, spring cohort: Kick-off",
        "LOCATION:Room 4",
        "DURATION:PT90M",
        "STATUS:CANCELLED",
    ] {
        assert!(feed.contains(must), "{must}: {feed}");
    }
    crate::one_on_ones::check_with_python_icalendar(&feed, 2);
}

backend_tests!(an_admin_runs_a_programme_on_its_pages);
async fn an_admin_runs_a_programme_on_its_pages(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.sign_in("hr@acme.test", common::PASSWORD).await.unwrap();
    let form = |fields: &[(&'static str, &'static str)]| {
        let mut all = vec![("csrf", hr.csrf.clone())];
        all.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
        all
    };
    let post = |path: String, fields: Vec<(&'static str, String)>| {
        let app = &app;
        let hr = &hr;
        async move {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&path, Some(hr), None, &pairs).await
        }
    };
    let r = post(
        "/development".into(),
        form(&[
            ("name", "New managers"),
            ("capacity", "1"),
            ("people_emails", "dev@acme.test, dev2@acme.test"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("a capacity of 1 is below the 2 participants"),
        "{}",
        r.text()
    );
    let r = post(
        "/development".into(),
        form(&[
            ("name", "New managers"),
            ("capacity", "3"),
            ("people_emails", "dev@acme.test, dev2@acme.test"),
        ]),
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let location = r.headers["location"].to_str().unwrap().to_string();
    let mut fields = form(&[
        ("title", "Kick-off"),
        ("minutes", "60"),
        ("place", "Room 4"),
        ("facilitator", "mgr@acme.test"),
    ]);
    fields.push(("starts", "2020-01-06T10:00".into()));
    let r = post(format!("{location}/sessions"), fields.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("the session cannot be in the past"));
    fields.pop();
    fields.push(("starts", tomorrow_at_ten()));
    let r = post(format!("{location}/sessions"), fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app.get_page(&location, Some(&hr)).await.text();
    for must in [
        "<h1>New managers</h1>",
        "Participants (2 of 3)",
        "Kick-off",
        "facilitated by Max Manager",
        "Marked once the session has begun.",
    ] {
        assert!(page.contains(must), "{must}: {page}");
    }
    // A session that took place yesterday: the admin marks Dana present on the page, and
    // Dana rates it there.
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let past = app
        .store
        .add_session(&NewSession {
            cohort: CohortId(id),
            title: "Giving feedback".into(),
            starts_at: trellis_web::now() - 86_400,
            minutes: 60,
            place: "Room 4".into(),
            facilitator: trellis_core::PersonId(app.id("mgr@acme.test").await),
        })
        .await
        .unwrap();
    let dana_id = app.id("dev@acme.test").await.to_string();
    let mut mark = form(&[("attended", "1")]);
    mark.push(("person", dana_id));
    let r = post(format!("/development/sessions/{}/attendance", past.0), mark).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let dana = app
        .sign_in("dev@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let page = app.get_page(&location, Some(&dana)).await.text();
    assert!(page.contains("You attended."), "{page}");
    assert!(page.contains("How useful was it?"), "{page}");
    let r = app
        .post_form(
            &format!("/development/sessions/{}/feedback", past.0),
            Some(&dana),
            None,
            &[("csrf", &dana.csrf), ("rating", "4"), ("comment", "Useful")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app.get_page(&location, Some(&dana)).await.text();
    assert!(page.contains("Thank you for your feedback."), "{page}");
    assert!(!page.contains("How useful was it?"), "answered once");
    let page = app.get_page(&location, Some(&hr)).await.text();
    assert!(
        page.contains("1 answer so far: shown once at least 5 attendees have answered"),
        "{page}"
    );
    assert!(page.contains("Dana Dev: came"), "{page}");

    let list = app.get_page("/development", Some(&dana)).await.text();
    assert!(
        list.contains("New managers") && list.contains("2 of 3 places taken"),
        "{list}"
    );
    assert!(
        !list.contains("New development programme"),
        "only admins create"
    );

    // The admin cancels the coming session, asked once.
    let token = app.token("hr@acme.test").await;
    let view = app
        .api(
            Method::GET,
            &format!("/api/v1/development/programmes/{id}"),
            Some(&token),
            None,
        )
        .await
        .json();
    let coming = view["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["session"]["title"] == "Kick-off")
        .unwrap()["session"]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/development/sessions/{coming}/cancel");
    let r = post(path.clone(), form(&[])).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text().contains("Cancel this session?"), "{}", r.text());
    let r = post(path, form(&[("confirmed", "1")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app.get_page(&location, Some(&hr)).await.text();
    assert!(
        page.contains("<span class=\"badge\">cancelled</span>"),
        "{page}"
    );
}

backend_tests!(a_new_managers_cohort_takes_everyone_who_became_a_manager_recently);
async fn a_new_managers_cohort_takes_everyone_who_became_a_manager_recently(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let (dana, rita) = (app.id("dev@acme.test").await, app.id("rep@acme.test").await);
    let programmes = "/api/v1/development/programmes";
    let cohort = |months: i64| {
        Some(json!({"name": "New managers", "capacity": 5, "new_managers_months": months}))
    };
    let r = app
        .api(Method::POST, programmes, Some(&hr), cohort(6))
        .await;
    assert_eq!(
        r.field_errors(),
        ["new_managers_months: nobody became a manager in the last 6 months"],
        "everyone's reports have been theirs since the import"
    );
    // Dana now reports to Rita: Rita has become a manager.
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{dana}"),
            Some(&hr),
            Some(json!({"manager_id": rita})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = app
        .api(Method::POST, programmes, Some(&hr), cohort(30))
        .await;
    assert_eq!(
        r.field_errors(),
        ["new_managers_months: choose 1 to 24 months"]
    );
    let r = app
        .api(Method::POST, programmes, Some(&hr), cohort(6))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let view = r.json();
    let names: Vec<&str> = view["cohort"]["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Rita Rep"], "only Rita is new");
}

backend_tests!(a_programme_counts_toward_career_support_coverage_seen_only_up_the_line);
async fn a_programme_counts_toward_career_support_coverage_seen_only_up_the_line(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let max = app.token("mgr@acme.test").await;
    let (max_id, dana) = (app.id("mgr@acme.test").await, app.id("dev@acme.test").await);
    let path = format!("/api/v1/people/{max_id}/career-support");
    let before = app.api(Method::GET, &path, Some(&max), None).await.json();
    let parts = |c: &Value, name: &str| -> Value {
        c["reports"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["person"]["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(parts(&before, "Dana Dev")["mentor_or_programme"], false);
    assert_eq!(before["share"], 0.0);
    for who in ["dev@acme.test", "dev2@acme.test"] {
        let token = app.token(who).await;
        let r = app.api(Method::GET, &path, Some(&token), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{who} is below Max");
    }
    assert_eq!(
        app.api(Method::GET, &path, Some(&hr), None).await.status,
        StatusCode::OK
    );

    let r = app
        .api(
            Method::POST,
            "/api/v1/development/programmes",
            Some(&hr),
            Some(json!({"name": "Craft", "capacity": 3, "participants": [dana]})),
        )
        .await;
    let id = r.json()["cohort"]["id"].as_i64().unwrap();
    let after = app.api(Method::GET, &path, Some(&max), None).await.json();
    assert_eq!(
        parts(&after, "Dana Dev")["mentor_or_programme"],
        false,
        "a programme with no session yet does not count"
    );
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/development/programmes/{id}/sessions"),
            Some(&hr),
            Some(
                json!({"title": "Kick-off", "starts": tomorrow_at_ten(), "time_zone": "UTC",
                "minutes": 60, "place": "Room 4", "facilitator_id": max_id}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let after = app.api(Method::GET, &path, Some(&max), None).await.json();
    assert_eq!(parts(&after, "Dana Dev")["mentor_or_programme"], true);
    assert_eq!(parts(&after, "Devi Dev")["mentor_or_programme"], false);
    let session = app
        .sign_in("mgr@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let page = app
        .get_page(&format!("/team-work/{max_id}"), Some(&session))
        .await
        .text();
    assert!(page.contains("Career support of direct reports"), "{page}");
}
