//! Influence over the API: interactions imported by people admins only, all rows or none;
//! the report gives figures, never who sought whose advice, and each viewer only the
//! people they may see.

use crate::common::TestApp;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use trellis_store::backend_tests;

fn day(ago: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(ago)).to_string()
}

async fn upload(app: &TestApp, token: &str, csv: String, dry_run: bool) -> crate::common::Response {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(format!(
                "/api/v1/interactions/import?dry_run={dry_run}&file_name=chat.csv"
            ))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(csv))
            .unwrap(),
    )
    .await
}

backend_tests!(the_influence_report_gives_figures_to_whoever_may_see_them_and_never_the_ties);
async fn the_influence_report_gives_figures_to_whoever_may_see_them_and_never_the_ties(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let dana = app.token("dev@acme.test").await;
    // Rita (Sales) and Devi seek Dana's advice; Max, her manager, does too (in her line).
    let csv = format!(
        "From Email,To Email,Date,Kind\nrep@acme.test,dev@acme.test,{d},advice\n\
         dev2@acme.test,dev@acme.test,{d},advice\nmgr@acme.test,dev@acme.test,{d},advice\n\
         dev@acme.test,sales.head@acme.test,{d},meeting\n",
        d = day(3)
    );
    let r = upload(&app, &dana, csv.clone(), false).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "only people admins import");
    let bad = format!(
        "From,To,Date,Kind\nrep@acme.test,ghost@acme.test,{},advice\n",
        day(3)
    );
    let r = upload(&app, &hr, bad, false).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("chat.csv:2: To: nobody in Trellis is ghost@acme.test"),
        "{}",
        r.text()
    );
    let r = upload(&app, &hr, csv.clone(), true).await;
    assert_eq!(r.json()["added"], 4, "{}", r.text());
    let r = upload(&app, &hr, csv.clone(), false).await;
    assert_eq!(r.json()["added"], 4, "{}", r.text());
    assert_eq!(upload(&app, &hr, csv, false).await.json()["added"], 0);

    // The whole organisation: people admins.
    let r = app
        .api(Method::GET, "/api/v1/reports/influence", Some(&hr), None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let body = r.json();
    let row = |body: &Value, email: &str| {
        body["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["email"] == email)
            .cloned()
    };
    let d = row(&body, "dev@acme.test").unwrap();
    assert_eq!(d["advice_sought_by"], 3, "{d}");
    assert_eq!(d["influence_outside_line"], 2, "{d}");
    assert_eq!(d["brokerage_exact"], true);
    assert_eq!(
        app.api(Method::GET, "/api/v1/reports/influence", Some(&dana), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Dana sees her own figures and nobody else's; the answer names no seeker.
    let dana_id = app.id("dev@acme.test").await;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/reports/influence?person_id={dana_id}"),
            Some(&dana),
            None,
        )
        .await;
    let text = r.text();
    assert_eq!(r.json()["rows"].as_array().unwrap().len(), 1, "{text}");
    for other in [
        "rep@acme.test",
        "dev2@acme.test",
        "mgr@acme.test",
        "Rita",
        "Devi",
    ] {
        assert!(!text.contains(other), "{other} in Dana's figures: {text}");
    }
    // Rita may not read Dana's.
    let rita = app.token("rep@acme.test").await;
    assert_eq!(
        app.api(
            Method::GET,
            &format!("/api/v1/reports/influence?person_id={dana_id}"),
            Some(&rita),
            None,
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    // Max reads his tree: himself, Dana and Devi.
    let max = app.token("mgr@acme.test").await;
    let max_id = app.id("mgr@acme.test").await;
    let tree = app
        .api(
            Method::GET,
            &format!("/api/v1/reports/influence?manager_id={max_id}"),
            Some(&max),
            None,
        )
        .await
        .json();
    assert_eq!(tree["rows"].as_array().unwrap().len(), 3, "{tree}");
    assert!(row(&tree, "rep@acme.test").is_none());
}

/// Every GET of the API without a request body, with `{id}`-like parameters filled in by
/// `id`, as one caller: path → body.
async fn every_read(app: &TestApp, token: &str, ids: &[i64]) -> Vec<(String, String)> {
    let doc = serde_json::to_value(trellis_web::api::openapi_document()).unwrap();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_none() {
            continue;
        }
        let params = path.matches('{').count();
        let filled: Vec<String> = match params {
            0 => vec![path.clone()],
            1 => ids
                .iter()
                .map(|id| {
                    let open = path.find('{').unwrap();
                    let close = path.find('}').unwrap();
                    format!("{}{id}{}", &path[..open], &path[close + 1..])
                })
                .collect(),
            _ => continue,
        };
        for p in filled {
            let r = app.api(Method::GET, &p, Some(token), None).await;
            out.push((p, r.text()));
        }
    }
    out
}

backend_tests!(the_advice_pulse_asks_and_its_answers_count_but_are_never_shown);
async fn the_advice_pulse_asks_and_its_answers_count_but_are_never_shown(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app.token("hr@acme.test").await;
    let dana = app.token("dev@acme.test").await;
    let rita = app.token("rep@acme.test").await;
    let max = app.token("mgr@acme.test").await;
    let sam = app.token("sales.head@acme.test").await;
    let (dana_id, rita_id, sam_id) = (
        app.id("dev@acme.test").await,
        app.id("rep@acme.test").await,
        app.id("sales.head@acme.test").await,
    );
    let pulse = app
        .api(Method::GET, "/api/v1/advice-pulse", Some(&dana), None)
        .await
        .json();
    assert_eq!(pulse["asked"], false, "off until an admin turns it on");
    let answer = |ids: Vec<i64>| serde_json::json!({ "advisers": ids });
    let r = app
        .api(
            Method::POST,
            "/api/v1/advice-pulse/answers",
            Some(&dana),
            Some(answer(vec![rita_id])),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert!(r.text().contains("does not ask you"), "{}", r.text());

    // Turned on for Engineering and Sales: the round asks at once, through notifications.
    let r = app
        .api(
            Method::PATCH,
            "/api/v1/settings",
            Some(&hr),
            Some(serde_json::json!({"advice_pulse_every_months": 1, "advice_pulse_departments": "Engineering, Sales"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let notes = app
        .api(Method::GET, "/api/v1/notifications", Some(&dana), None)
        .await
        .text();
    assert!(
        notes.contains("Who have you gone to for advice in the last month?")
            && notes.contains("/advice"),
        "{notes}"
    );
    let hana_notes = app
        .api(Method::GET, "/api/v1/notifications", Some(&hr), None)
        .await
        .text();
    assert!(
        !hana_notes.contains("advice"),
        "People is not asked: {hana_notes}"
    );
    let turnout = app
        .api(Method::GET, "/api/v1/advice-pulse/turnout", Some(&hr), None)
        .await
        .json();
    assert_eq!(
        (turnout["asked"].clone(), turnout["answered"].clone()),
        (6.into(), 0.into()),
        "{turnout}"
    );
    assert_eq!(
        app.api(
            Method::GET,
            "/api/v1/advice-pulse/turnout",
            Some(&dana),
            None
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );

    // Everything a caller can read, before Dana answers.
    let ids = [dana_id, rita_id, sam_id];
    let callers = [&hr, &dana, &rita, &max, &sam];
    let mut before = Vec::new();
    for c in callers {
        before.push(every_read(&app, c, &ids).await);
    }

    // Bad answers: herself, more than ten, nobody with that id.
    for (ids, says) in [
        (vec![dana_id], "not yourself"),
        ((1000..1011).collect(), "at most 10"),
        (vec![999_999], "nobody has the id 999999"),
    ] {
        let r = app
            .api(
                Method::POST,
                "/api/v1/advice-pulse/answers",
                Some(&dana),
                Some(answer(ids)),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        assert!(r.text().contains(says), "{}", r.text());
    }
    // Dana sought Rita's and Sam's advice (outside her line); answering again replaces it.
    let r = app
        .api(
            Method::POST,
            "/api/v1/advice-pulse/answers",
            Some(&dana),
            Some(answer(vec![rita_id])),
        )
        .await;
    assert_eq!(r.json()["named"], 1, "{}", r.text());
    let r = app
        .api(
            Method::POST,
            "/api/v1/advice-pulse/answers",
            Some(&dana),
            Some(answer(vec![rita_id, sam_id, rita_id])),
        )
        .await;
    assert_eq!(r.json()["named"], 2, "{}", r.text());
    let mine = app
        .api(Method::GET, "/api/v1/advice-pulse", Some(&dana), None)
        .await;
    assert_eq!(mine.json()["named"], 2);
    assert!(!mine.text().contains("Rita") && !mine.text().contains(&format!("{rita_id},")));

    // The answers count in the metrics, as figures only.
    let report = app
        .api(
            Method::GET,
            &format!("/api/v1/reports/influence?person_id={rita_id}"),
            Some(&hr),
            None,
        )
        .await
        .json();
    assert_eq!(report["rows"][0]["advice_sought_by"], 1, "{report}");
    assert_eq!(report["rows"][0]["influence_outside_line"], 1, "{report}");

    // Nothing else a caller reads changed: the pulse's answers show only in figures.
    let figures_only = [
        "/api/v1/advice-pulse",
        "/api/v1/reports/influence",
        "/api/v1/influence",
        "/influence",
    ];
    for (i, c) in callers.iter().enumerate() {
        let after = every_read(&app, c, &ids).await;
        for ((path, was), (_, now)) in before[i].iter().zip(&after) {
            // A scorecard shows the manager's influence by month, as their influence page
            // does, to the same people (them, their chain, admins).
            if figures_only.iter().any(|f| path.starts_with(f))
                || path.ends_with("/influence")
                || path.ends_with("/scorecard")
            {
                continue;
            }
            assert_eq!(
                was, now,
                "{path} changed for caller {i} after an advice pulse answer"
            );
            assert!(!now.contains("advice_answers") && !now.contains("named_by"));
        }
    }

    // The figures: computed on demand by admins; a person's influence for them, their
    // chain and admins; departments only with at least 5 people behind them.
    assert_eq!(
        app.api(Method::POST, "/api/v1/influence/compute", Some(&dana), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .api(Method::POST, "/api/v1/influence/compute", Some(&hr), None)
        .await;
    assert_eq!(r.json()["people"], 8, "{}", r.text());
    let path = format!("/api/v1/people/{rita_id}/influence");
    for (who, status) in [
        (&rita, 200),
        (&sam, 200),
        (&hr, 200),
        (&dana, 403),
        (&max, 403),
    ] {
        let r = app.api(Method::GET, &path, Some(who), None).await;
        assert_eq!(r.status.as_u16(), status, "{}", r.text());
    }
    let mine = app.api(Method::GET, &path, Some(&rita), None).await;
    let body = mine.json();
    assert_eq!(body["influence_outside_line"], 1, "{body}");
    assert_eq!(body["months"].as_array().unwrap().len(), 6);
    assert_eq!(body["months"][5]["people"], 1, "{body}");
    assert_eq!(
        body["departments"],
        serde_json::json!([]),
        "one seeker: no department shown"
    );
    assert!(
        body["figures"]["reach_percentile"].as_f64().unwrap() > 50.0,
        "{body}"
    );
    assert!(!mine.text().contains("Dana"), "{}", mine.text());
    // Sam: Dana sought his advice from outside his line; Rita, his report, does not count.
    let r = app
        .api(
            Method::POST,
            "/api/v1/advice-pulse/answers",
            Some(&rita),
            Some(answer(vec![sam_id])),
        )
        .await;
    assert_eq!(r.json()["named"], 1, "{}", r.text());
    let sams = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{sam_id}/influence"),
            Some(&sam),
            None,
        )
        .await
        .json();
    assert_eq!(sams["influence_outside_line"], 1, "{sams}");
    assert_eq!(sams["person"]["name"], "Sam Sales");

    // The overview: managers and admins; groups under 5 people show only their size.
    assert_eq!(
        app.api(Method::GET, "/api/v1/influence", Some(&dana), None)
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let max_view = app
        .api(Method::GET, "/api/v1/influence", Some(&max), None)
        .await
        .json();
    assert_eq!(max_view["groups"][0]["group"], "Your tree");
    assert_eq!(max_view["groups"][0]["shown"], false, "{max_view}");
    let hr_view = app
        .api(Method::GET, "/api/v1/influence", Some(&hr), None)
        .await
        .json();
    let org = hr_view["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "The organisation")
        .unwrap()
        .clone();
    assert_eq!(
        (org["people"].clone(), org["shown"].clone()),
        (8.into(), true.into()),
        "{hr_view}"
    );
    assert_eq!(org["sought_from_outside"], 2, "Rita and Sam: {hr_view}");
}

backend_tests!(the_pulse_and_influence_pages_work_without_showing_who_named_whom);
async fn the_pulse_and_influence_pages_work_without_showing_who_named_whom(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let hr = app
        .sign_in("hr@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    let dana = app
        .sign_in("dev@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    let rita = app
        .sign_in("rep@acme.test", crate::common::PASSWORD)
        .await
        .unwrap();
    // Dana may not reach the admin page; Hana turns the pulse on there.
    assert_eq!(
        app.get_page("/admin/influence", Some(&dana)).await.status,
        StatusCode::FORBIDDEN
    );
    let page = app.get_page("/admin/influence", Some(&hr)).await;
    assert!(
        page.text().contains("No round has asked yet"),
        "{}",
        page.text()
    );
    let r = app
        .post_form(
            "/admin/influence/pulse",
            Some(&hr),
            None,
            &[
                ("csrf", &hr.csrf),
                ("every_months", "1"),
                ("departments", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app.get_page("/admin/influence", Some(&hr)).await.text();
    assert!(page.contains("asked 8, answered 0"), "{page}");
    let r = app
        .post_form(
            "/admin/influence/pulse",
            Some(&hr),
            None,
            &[
                ("csrf", &hr.csrf),
                ("every_months", "5"),
                ("departments", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.text()
            .contains("must be 0 (off), 1, 2, 3, 6 or 12 months"),
        "{}",
        r.text()
    );

    // Dana answers on her page, naming Rita by e-mail; an unknown address is refused.
    let page = app.get_page("/advice", Some(&dana)).await.text();
    assert!(
        page.contains("Who have you gone to for advice in the last month?"),
        "{page}"
    );
    assert!(page.contains("Advice pulse"), "in the navigation once on");
    let r = app
        .post_form(
            "/advice",
            Some(&dana),
            None,
            &[
                ("csrf", &dana.csrf),
                ("advisers", ""),
                ("emails", "ghost@acme.test"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("nobody has the e-mail"), "{}", r.text());
    let r = app
        .post_form(
            "/advice",
            Some(&dana),
            None,
            &[
                ("csrf", &dana.csrf),
                ("advisers", ""),
                ("emails", "rep@acme.test"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = app.get_page("/advice", Some(&dana)).await.text();
    assert!(page.contains("naming 1 colleague"), "{page}");
    assert!(
        !page.contains("Rita"),
        "her answer is not shown back: {page}"
    );

    // The figures, then Rita's page shows her influence card; Dana's name is nowhere on it.
    let r = app
        .post_form(
            "/admin/influence/compute",
            Some(&hr),
            None,
            &[("csrf", &hr.csrf)],
        )
        .await;
    assert!(
        r.text().contains("Computed the figures for 8 people"),
        "{}",
        r.text()
    );
    let rita_id = app.id("rep@acme.test").await;
    let page = app
        .get_page(&format!("/people/{rita_id}"), Some(&rita))
        .await
        .text();
    assert!(
        page.contains("1</strong> person outside your reporting line sought your advice"),
        "{page}"
    );
    assert!(
        page.contains("Reach") && page.contains("percentile"),
        "{page}"
    );
    assert!(!page.contains("Dana"), "{page}");
    let page = app
        .get_page(&format!("/people/{rita_id}"), Some(&dana))
        .await
        .text();
    assert!(
        !page.contains("id=\"influence\""),
        "a colleague does not see it"
    );
    let page = app.get_page("/influence", Some(&hr)).await.text();
    assert!(
        page.contains("How influence spreads") && page.contains("The organisation"),
        "{page}"
    );

    // Interactions uploaded on the admin page: all rows or none.
    let boundary = "XyZ";
    let upload = |csv: String| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"chat.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n",
            hr.csrf
        )
    };
    let send = |body: String| {
        Request::builder()
            .method(Method::POST)
            .uri("/admin/influence/import")
            .header(header::COOKIE, &hr.cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap()
    };
    let r = app
        .send(send(upload(format!(
            "From,To,Date,Kind\nrep@acme.test,rep@acme.test,{},advice\n",
            day(2)
        ))))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("chat.csv:2"), "{}", r.text());
    let r = app
        .send(send(upload(format!(
            "From,To,Date,Kind\nrep@acme.test,dev@acme.test,{},advice\n",
            day(2)
        ))))
        .await;
    assert!(
        r.text().contains("1 new interactions added"),
        "{}",
        r.text()
    );
}

#[test]
fn only_the_metrics_read_the_advice_pulse_answers() {
    // Who named whom is read in one place: the store's advice ties for the metrics.
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut readers = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("target") && !path.ends_with("node_modules") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && path.components().any(|c| c.as_os_str() == "src")
                && std::fs::read_to_string(&path)
                    .unwrap()
                    .contains("FROM advice_answers")
            {
                readers.push(path.file_name().unwrap().to_string_lossy().to_string());
            }
        }
    }
    assert_eq!(readers, vec!["influence.rs".to_string()], "{readers:?}");
}
