//! Everyday polish, each defect with the page or answer a person would see: figures said
//! once, no silent default in the reassign picker, the nav on career plans, a favicon,
//! the plan page speaking to an admin and saying why an opportunity has nobody.

use crate::common::{PASSWORD, TestApp};
use axum::http::{Method, StatusCode, header};
use serde_json::json;
use trellis_store::backend_tests;

fn day(offset: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

backend_tests!(reliability_is_said_once_and_reassigning_starts_with_nobody_chosen);
async fn reliability_is_said_once_and_reassigning_starts_with_nobody_chosen(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&mgr),
            Some(json!({"title": "Ship the importer", "owner_id": dev, "due_date": day(5), "effort_hours": 6})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/commitments/{id}"), Some(&session))
        .await
        .text();
    assert!(
        page.contains(r#"<option value="" disabled selected>Choose who takes it over</option>"#),
        "{page}"
    );
    let team = app.get_page("/team-work", Some(&session)).await.text();
    assert!(
        !team.contains("on time ("),
        "the percentage is not repeated: {team}"
    );
}

backend_tests!(a_career_plan_does_not_light_up_my_plate_and_there_is_a_favicon);
async fn a_career_plan_does_not_light_up_my_plate_and_there_is_a_favicon(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let me = app.id("mgr@acme.test").await;
    let dev = app.id("dev@acme.test").await;
    let mine = app
        .get_page(&format!("/people/{me}/career"), Some(&session))
        .await
        .text();
    assert!(
        !mine.contains(r#"href="/plate" aria-current="page""#),
        "{mine}"
    );
    let theirs = app
        .get_page(&format!("/people/{dev}/career"), Some(&session))
        .await
        .text();
    assert!(
        theirs.contains(r#"href="/people" aria-current="page""#),
        "{theirs}"
    );
    assert!(theirs.contains(r#"rel="icon" href="/static/favicon.svg""#));
    for path in ["/favicon.ico", "/static/favicon.svg"] {
        let icon = app.get_page(path, None).await;
        assert_eq!(icon.status, StatusCode::OK, "{path}");
        assert_eq!(icon.headers[header::CONTENT_TYPE], "image/svg+xml");
        assert!(icon.text().starts_with("<svg"));
    }
}

backend_tests!(the_plan_speaks_to_an_admin_and_says_why_nobody_is_suggested);
async fn the_plan_speaks_to_an_admin_and_says_why_nobody_is_suggested(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(&hr),
            Some(
                json!({"title": "Tune the kernel", "hours_per_week": 4, "weeks": 4,
                        "requirements": [{"skill": "kernel tuning", "level": 3}]}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let plan = app
        .api(Method::GET, "/api/v1/opportunities/plan", Some(&hr), None)
        .await
        .json();
    let row = plan["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["opportunity"]["title"] == "Tune the kernel")
        .unwrap()
        .clone();
    assert!(row["suggestion"].is_null());
    assert_eq!(row["unfilled"], "nobody_has_the_skills");
    let session = app.sign_in("hr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page("/opportunities/plan", Some(&session))
        .await
        .text();
    assert!(page.contains("Owners for all open opportunities"), "{page}");
    assert!(
        page.contains("Nobody inside has any of the skills it needs"),
        "{page}"
    );
    assert!(!page.contains("has the free hours"), "{page}");
}

backend_tests!(saving_says_so_once_on_the_next_page);
async fn saving_says_so_once_on_the_next_page(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let session = app.sign_in("dev@acme.test", PASSWORD).await.unwrap();
    let me = app.id("dev@acme.test").await;
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, &'a str);
    let cases: [Case; 3] = [
        (
            "capacity",
            vec![("hours_per_week", "30".into())],
            "Capacity saved",
        ),
        (
            "absences",
            vec![
                ("first_day", day(10)),
                ("last_day", day(12)),
                ("note", "Holiday".into()),
            ],
            "The absence is saved",
        ),
        (
            "wishes",
            vec![
                ("direction", "more".into()),
                ("what", "More Rust reviews".into()),
            ],
            "Your wish is saved",
        ),
    ];
    for (path, fields, said) in cases {
        let mut form: Vec<(&str, &str)> = vec![("csrf", session.csrf.as_str())];
        form.extend(fields.iter().map(|(k, v)| (*k, v.as_str())));
        let r = app
            .post_form(&format!("/people/{me}/{path}"), Some(&session), None, &form)
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}: {}", r.text());
        let flash = crate::common::cookie_pair(&r, "trellis_flash").expect("a message to show");
        let next = crate::common::Session {
            cookie: format!("{}; {flash}", session.cookie),
            csrf: session.csrf.clone(),
        };
        let page = app
            .get_page(&format!("/people/{me}/plate"), Some(&next))
            .await;
        assert!(page.text().contains(said), "{path}: {}", page.text());
        let cleared = crate::common::cookie_pair(&page, "trellis_flash").expect("cleared");
        assert_eq!(cleared, "trellis_flash=", "shown once");
        let again = app
            .get_page(&format!("/people/{me}/plate"), Some(&session))
            .await;
        assert!(!again.text().contains(said), "{path}: not on the next page");
    }
    // A made-up message is not shown.
    let forged = crate::common::Session {
        cookie: format!("{}; trellis_flash=You+won", session.cookie),
        csrf: session.csrf.clone(),
    };
    let page = app.get_page("/", Some(&forged)).await.text();
    assert!(!page.contains("You won") && !page.contains("class=\"notice flash\""));
}

backend_tests!(
    a_specialist_is_engaged_for_an_opportunity_and_only_their_adder_or_an_admin_removes_them
);
async fn a_specialist_is_engaged_for_an_opportunity_and_only_their_adder_or_an_admin_removes_them(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    let other = app.token("sales.head@acme.test").await;
    let hr = app.token("hr@acme.test").await;
    let talent = |name: &str| {
        json!({"name": name, "skills": [{"skill": "rust", "level": 5}], "hourly_rate": 100,
               "hours_per_week": 20, "available_from": day(0)})
    };
    let kim = app
        .api(
            Method::POST,
            "/api/v1/talent",
            Some(&mgr),
            Some(talent("Kim Park")),
        )
        .await;
    assert_eq!(kim.status, StatusCode::CREATED, "{}", kim.text());
    assert_eq!(kim.json()["added_by"], app.id("mgr@acme.test").await);
    let kim = kim.json()["id"].as_i64().unwrap();
    let lee = app
        .api(
            Method::POST,
            "/api/v1/talent",
            Some(&other),
            Some(talent("Lee Ray")),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    // Another manager cannot remove Kim; the page offers them no button for it.
    let r = app
        .api(
            Method::DELETE,
            &format!("/api/v1/talent/{kim}"),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let sales = app.sign_in("sales.head@acme.test", PASSWORD).await.unwrap();
    let page = app.get_page("/talent", Some(&sales)).await.text();
    assert!(!page.contains(&format!("/talent/{kim}/delete")), "{page}");
    assert!(
        page.contains(&format!("/talent/{lee}/delete")),
        "their own entry"
    );

    // The manager engages Kim for their opportunity; it is filled, the cost is the rate.
    let opportunity = app
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(&mgr),
            Some(
                json!({"title": "Port the parser", "hours_per_week": 10, "weeks": 4,
                        "requirements": [{"skill": "rust", "level": 4}]}),
            ),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let engage = |token: &str, body: serde_json::Value| {
        let (app, token) = (&app, token.to_string());
        async move {
            app.api(
                Method::POST,
                &format!("/api/v1/talent/{kim}/engagements"),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let r = engage(&other, json!({"opportunity_id": opportunity, "hours": 40})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "not their opportunity");
    let r = engage(&mgr, json!({"opportunity_id": opportunity, "hours": 0})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = engage(
        &mgr,
        json!({"opportunity_id": opportunity, "hours": 40, "note": "Via agency"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["cost"], 4000.0, "40 hours at 100 an hour");
    let shown = app
        .api(
            Method::GET,
            &format!("/api/v1/opportunities/{opportunity}"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    assert_eq!(shown["status"], "filled", "{shown}");
    let r = engage(&mgr, json!({"opportunity_id": opportunity, "hours": 10})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "filled already");

    // The page flow: the form, then the engagement on the pool page.
    let second = app
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(&mgr),
            Some(
                json!({"title": "Review the API", "hours_per_week": 5, "weeks": 2,
                        "requirements": [{"skill": "rust", "level": 3}]}),
            ),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let manager = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let form = app
        .get_page(&format!("/talent/{kim}/engage"), Some(&manager))
        .await
        .text();
    assert!(
        form.contains("Review the API") && !form.contains(">Port the parser<"),
        "{form}"
    );
    let r = app
        .post_form(
            &format!("/talent/{kim}/engage"),
            Some(&manager),
            None,
            &[
                ("csrf", &manager.csrf),
                ("opportunity_id", &second.to_string()),
                ("hours", "10"),
                ("cost", "950"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let pool = app.get_page("/talent", Some(&manager)).await.text();
    assert!(
        pool.contains("Engaged") && pool.contains("950 EUR") && pool.contains("4,000 EUR"),
        "{pool}"
    );

    // An admin removes Kim; the engagements stay, with the name kept.
    let r = app
        .api(
            Method::DELETE,
            &format!("/api/v1/talent/{kim}"),
            Some(&hr),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let list = app
        .api(Method::GET, "/api/v1/talent/engagements", Some(&mgr), None)
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert!(list[0]["talent_id"].is_null() && list[0]["talent_name"] == "Kim Park");
    let member = app.token("dev@acme.test").await;
    let r = app
        .api(
            Method::GET,
            "/api/v1/talent/engagements",
            Some(&member),
            None,
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "members do not see rates or costs"
    );
}

backend_tests!(the_team_view_sorts_people_and_lists_a_large_tree_in_pages);
async fn the_team_view_sorts_people_and_lists_a_large_tree_in_pages(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let mgr_token = app.token("mgr@acme.test").await;
    let mgr = app.id("mgr@acme.test").await;
    let dana = app.id("dev@acme.test").await;
    for title in ["Fix the cache", "Write the guide"] {
        let r = app
            .api(
                Method::POST,
                "/api/v1/commitments",
                Some(&mgr_token),
                Some(json!({"title": title, "owner_id": dana, "due_date": day(3), "effort_hours": 2})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    // Both were promised for yesterday.
    sqlx::query("UPDATE commitments SET due_date = $1, agreed_due_date = $1")
        .bind(day(-1))
        .execute(app.store.pool())
        .await
        .unwrap();
    let names = |sort: &'static str| {
        let (app, token) = (&app, mgr_token.clone());
        async move {
            let r = app
                .api(
                    Method::GET,
                    &format!("/api/v1/people/{mgr}/team-work?sort={sort}"),
                    Some(&token),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            r.json()["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| {
                    (
                        m["person"]["name"].as_str().unwrap().to_string(),
                        m["overdue"].as_i64().unwrap(),
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let by_overdue = names("overdue").await;
    assert_eq!(by_overdue[0], ("Dana Dev".to_string(), 2), "{by_overdue:?}");
    let by_name: Vec<String> = names("name").await.into_iter().map(|(n, _)| n).collect();
    assert_eq!(by_name, ["Dana Dev", "Devi Dev", "Max Manager"]);
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr}/team-work?sort=height"),
            Some(&mgr_token),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // A large tree: the first 50 people, and a link to all of them.
    let hr = app.token("hr@acme.test").await;
    for i in 0..55 {
        let r = app
            .api(
                Method::POST,
                "/api/v1/people",
                Some(&hr),
                Some(json!({"name": format!("Person {i:02}"), "email": format!("p{i}@acme.test"), "manager_id": mgr})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    }
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/team-work/{mgr}?sort=overdue"), Some(&session))
        .await
        .text();
    assert!(
        page.contains(r#"<option value="overdue" selected>"#),
        "{page}"
    );
    let table = &page[page.find("people-table").unwrap()..];
    assert!(table.find("Dana Dev").unwrap() < table.find("Max Manager").unwrap_or(usize::MAX));
    assert!(page.contains("Show all 58 people"), "{page}");
    assert_eq!(table.matches("/plate\">").count(), 50, "50 rows shown");
    let all = app
        .get_page(
            &format!("/team-work/{mgr}?sort=overdue&everyone=1"),
            Some(&session),
        )
        .await
        .text();
    let table = &all[all.find("people-table").unwrap()..];
    assert_eq!(table.matches("/plate\">").count(), 58);
}

backend_tests!(a_priority_moves_to_a_place_in_one_step_without_javascript);
async fn a_priority_moves_to_a_place_in_one_step_without_javascript(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let token = app.token("mgr@acme.test").await;
    let mgr = app.id("mgr@acme.test").await;
    let dana = app.id("dev@acme.test").await;
    let mut ids = Vec::new();
    for title in ["First", "Second", "Third", "Fourth", "Fifth"] {
        let r = app
            .api(
                Method::POST,
                "/api/v1/commitments",
                Some(&token),
                Some(json!({"title": title, "owner_id": dana, "due_date": day(9), "effort_hours": 1})),
            )
            .await;
        ids.push(r.json()["id"].as_i64().unwrap());
    }
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let order = || async {
        let page = app
            .get_page(&format!("/team-work/{mgr}"), Some(&session))
            .await
            .text();
        let list = &page[page.find("ol class=\"priorities\"").unwrap()..];
        let mut found: Vec<(usize, &str)> = ["First", "Second", "Third", "Fourth", "Fifth"]
            .into_iter()
            .map(|t| (list.find(&format!(">{t}</a>")).unwrap(), t))
            .collect();
        found.sort();
        found.into_iter().map(|(_, t)| t).collect::<Vec<_>>()
    };
    assert_eq!(
        order().await,
        ["First", "Second", "Third", "Fourth", "Fifth"]
    );
    let move_to = |id: i64, place: &'static str| {
        let (app, session) = (&app, &session);
        async move {
            app.post_form(
                &format!("/team-work/{mgr}/priorities"),
                Some(session),
                None,
                &[
                    ("csrf", &session.csrf),
                    ("commitment", &id.to_string()),
                    ("direction", "to"),
                    ("position", place),
                ],
            )
            .await
        }
    };
    let r = move_to(ids[4], "1").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(
        order().await,
        ["Fifth", "First", "Second", "Third", "Fourth"]
    );
    move_to(ids[0], "99").await;
    assert_eq!(
        order().await,
        ["Fifth", "Second", "Third", "Fourth", "First"],
        "past the end is the end"
    );
    let r = move_to(ids[1], "zero").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

backend_tests!(interest_in_an_opportunity_is_seen_by_its_poster_and_counts_as_a_growth_wish);
async fn interest_in_an_opportunity_is_seen_by_its_poster_and_counts_as_a_growth_wish(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    let erin = app.token("eng.head@acme.test").await;
    let devi = app.token("dev2@acme.test").await;
    let id = app
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(&mgr),
            Some(
                json!({"title": "Port the parser", "hours_per_week": 1, "weeks": 2,
                        "requirements": [{"skill": "rust", "level": 4}]}),
            ),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/opportunities/{id}");
    let erin_score = || async {
        let d = app.api(Method::GET, &path, Some(&mgr), None).await.json();
        d["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["person"]["name"] == "Erin Eng")
            .map(|s| {
                (
                    // Erin is outside the poster's tree: her score is not shown, its
                    // parts are.
                    s["growth_wish"].as_f64().unwrap(),
                    s["explanation"].as_str().unwrap().to_string(),
                )
            })
            .unwrap()
    };
    let (before, _) = erin_score().await;
    for token in [&erin, &devi] {
        let r = app
            .api(Method::PUT, &format!("{path}/interest"), Some(token), None)
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
    }
    let (after, why) = erin_score().await;
    assert!(
        after > before,
        "interest counts as a growth wish: {before} → {after}"
    );
    assert!(
        why.starts_with("Erin Eng said they are interested;"),
        "{why}"
    );
    let poster = app.api(Method::GET, &path, Some(&mgr), None).await.json();
    let names: Vec<&str> = poster["interested"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Erin Eng", "Devi Dev"],
        "the poster sees everyone interested"
    );
    let member = app.api(Method::GET, &path, Some(&devi), None).await.json();
    assert_eq!(member["i_am_interested"], true);
    assert_eq!(
        member["interested"],
        json!([]),
        "members do not see who else is"
    );

    // On the pages: Devi withdraws; the poster's page lists who is left.
    let session = app.sign_in("dev2@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/opportunities/{id}"), Some(&session))
        .await
        .text();
    assert!(page.contains("You said you are interested"), "{page}");
    let r = app
        .post_form(
            &format!("/opportunities/{id}/interest"),
            Some(&session),
            None,
            &[("csrf", &session.csrf), ("interested", "0")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app
        .get_page(&format!("/opportunities/{id}"), Some(&session))
        .await
        .text();
    assert!(page.contains("I\u{2019}m interested"), "{page}");
    let poster = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/opportunities/{id}"), Some(&poster))
        .await
        .text();
    assert!(
        page.contains("Interested (1)") && page.contains(">Erin Eng</a>"),
        "{page}"
    );
}

fn this_quarter() -> String {
    trellis_core::work::objectives::quarter_of(chrono::Utc::now().date_naive())
}

backend_tests!(objectives_filter_by_whose_and_at_risk_and_pickers_tell_identical_titles_apart);
async fn objectives_filter_by_whose_and_at_risk_and_pickers_tell_identical_titles_apart(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let quarter = this_quarter();
    let create = |email: &'static str, body: serde_json::Value| {
        let app = &app;
        async move {
            let token = app.token(email).await;
            let r = app
                .api(Method::POST, "/api/v1/objectives", Some(&token), Some(body))
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
            r.json()["id"].as_i64().unwrap()
        }
    };
    create(
        "hr@acme.test",
        json!({"title": "Company goal", "scope": "company", "quarter": quarter}),
    )
    .await;
    create(
        "mgr@acme.test",
        json!({"title": "Faster builds", "quarter": quarter}),
    )
    .await;
    let dana = create(
        "dev@acme.test",
        json!({"title": "Grow my code review", "quarter": quarter}),
    )
    .await;
    create(
        "dev2@acme.test",
        json!({"title": "Grow my code review", "quarter": quarter}),
    )
    .await;
    // Nothing done yet, well into the quarter: at risk (or just started: not).
    let dev = app.token("dev@acme.test").await;
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/objectives/{dana}/key-results"),
            Some(&dev),
            Some(json!({"title": "Reviews a week", "start": 0, "target": 10})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());

    let page = |email: &'static str, query: &'static str| {
        let app = &app;
        async move {
            let session = app.sign_in(email, PASSWORD).await.unwrap();
            app.get_page(&format!("/objectives{query}"), Some(&session))
                .await
                .text()
        }
    };
    let mine = page("dev@acme.test", "?show=mine").await;
    assert!(
        mine.contains("<h2 class=\"objective-level\">Personal</h2>"),
        "{mine}"
    );
    assert_eq!(
        mine.matches(">Grow my code review</a>").count(),
        1,
        "{mine}"
    );
    assert!(!mine.contains("Faster builds") && !mine.contains("Company goal"));
    let team = page("mgr@acme.test", "?show=team").await;
    assert_eq!(team.matches(">Grow my code review</a>").count(), 2);
    assert!(
        team.contains(">Faster builds</a>") && !team.contains(">Company goal</a>"),
        "{team}"
    );
    assert!(
        team.contains(">Dana Dev</a></h3>") && team.contains(">Devi Dev</a></h3>"),
        "grouped by owner"
    );
    let company = page("dev@acme.test", "?level=company").await;
    assert!(company.contains(">Company goal</a>") && !company.contains(">Faster builds</a>"));
    let at_risk = page("mgr@acme.test", "?show=at-risk").await;
    let (start, end) = trellis_core::work::objectives::quarter_dates(&quarter).unwrap();
    let expected =
        trellis_core::work::metrics::expected_progress(start, end, chrono::Utc::now().date_naive());
    // Over 30 points behind is at risk: only once enough of the quarter has gone.
    if expected > 0.3 {
        assert_eq!(
            at_risk.matches(">Grow my code review</a>").count(),
            1,
            "{at_risk}"
        );
        assert!(!at_risk.contains(">Faster builds</a>"));
    }

    // The picker says whose each objective is, and can be searched.
    let form = page("dev2@acme.test", "/new").await;
    assert!(
        form.contains("data-filter=\"Search by title or owner\""),
        "{form}"
    );
    assert!(
        form.contains("Personal: Grow my code review — Dana Dev")
            && form.contains("Personal: Grow my code review — Devi Dev"),
        "{form}"
    );
}

backend_tests!(approvals_say_the_organisations_word_for_a_manager);
async fn approvals_say_the_organisations_word_for_a_manager(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/settings",
            Some(&hr),
            Some(json!({"manager_word": "Lead", "manager_word_plural": "leads"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let mgr = app.token("mgr@acme.test").await;
    let rita = app.id("rep@acme.test").await;
    let r = app
        .api(
            Method::POST,
            "/api/v1/opportunities",
            Some(&mgr),
            Some(
                json!({"title": "Run the customer interviews", "hours_per_week": 3, "weeks": 4,
                        "needs_manager_approval": true,
                        "requirements": [{"skill": "negotiation", "level": 3}]}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let id = r.json()["id"].as_i64().unwrap();
    let p = app
        .api(
            Method::POST,
            &format!("/api/v1/opportunities/{id}/accept"),
            Some(&mgr),
            Some(json!({"person_id": rita})),
        )
        .await;
    assert_eq!(p.json()["status"], "pending", "{}", p.text());
    let session = app.sign_in("mgr@acme.test", PASSWORD).await.unwrap();
    let page = app
        .get_page(&format!("/opportunities/{id}"), Some(&session))
        .await
        .text();
    assert!(
        page.contains("the chosen person\u{2019}s lead approves"),
        "{page}"
    );
    assert!(page.contains("waiting for their lead"), "{page}");
    assert!(!page.contains(" manager "), "{page}");
    // Rita's own lead decides, and the approval reads in the same words.
    let sam = app.sign_in("sales.head@acme.test", PASSWORD).await.unwrap();
    let sam_id = app.id("sales.head@acme.test").await;
    let team = app
        .get_page(&format!("/team-work/{sam_id}"), Some(&sam))
        .await
        .text();
    assert!(team.contains("Run the customer interviews"), "{team}");
    assert!(!team.contains("manager approv"), "{team}");
}
