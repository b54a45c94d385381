//! Work through the router on every configured backend: commitments, plates, the team job
//! view, objectives and reports — what each role may see and do, the figures users read,
//! and how bad input is answered.

use crate::common;
use trellis_store::backend_tests;

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate};
use common::TestApp;
use serde_json::{Value, json};
use trellis_core::clock::local_date;
use trellis_core::ids::CommitmentId;
use trellis_core::store::prelude::*;
use trellis_core::work::store::{CommitmentRow, WorkBatch};
use trellis_core::work::{CommitmentStatus, NewCommitment};
use trellis_core::{PersonId, WorkStore};

fn today() -> NaiveDate {
    local_date(None, trellis_web::now())
}

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

/// Past work with known outcomes, written straight to the store (the API only accepts due
/// dates from today on).
fn history(owner: i64, rows: &[(i64, i64, Option<i64>, CommitmentStatus)]) -> WorkBatch {
    let mut batch = WorkBatch::default();
    for (i, (due_offset, agreed_offset, done_offset, status)) in rows.iter().enumerate() {
        let due = today() + Duration::days(*due_offset);
        batch.commitments.push(CommitmentRow {
            id: CommitmentId(1000 + owner * 100 + i as i64),
            new: NewCommitment {
                title: format!("Past work {i}"),
                description: String::new(),
                owner: PersonId(owner),
                requester: None,
                objective: None,
                due_date: due,
                effort_hours: 4.0,
                skills: Vec::new(),
                created_at: 0,
                created_on: due - Duration::days(10),
            },
            due_date: due,
            agreed_due_date: today() + Duration::days(*agreed_offset),
            remaining_hours: if *status == CommitmentStatus::Open {
                4.0
            } else {
                0.0
            },
            priority: 1000 + owner * 100 + i as i64,
            status: *status,
            completed_at: done_offset.map(|_| 0),
            completed_on: done_offset.map(|d| today() + Duration::days(d)),
        });
    }
    batch
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app
        .api(Method::POST, "/api/v1/commitments", Some(token), Some(body))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    r.json()
}

backend_tests!(a_manager_assigns_and_a_member_renegotiates_and_completes);
async fn a_manager_assigns_and_a_member_renegotiates_and_completes(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    let dev = app.token("dev@acme.test").await;
    let dev_id = app.id("dev@acme.test").await;
    let c = create(
        &app,
        &mgr,
        json!({"title": "Ship the importer", "owner_id": dev_id, "due_date": day(5),
               "effort_hours": 6, "skills": ["Rust", "sql"]}),
    )
    .await;
    let id = c["id"].as_i64().unwrap();
    assert_eq!(c["owner"]["id"], dev_id, "{backend}");
    assert_eq!(c["skills"], json!(["rust", "sql"]));
    assert_eq!(c["requester"]["id"], app.id("mgr@acme.test").await);
    // On the member's plate.
    let plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dev_id}/plate"),
            Some(&dev),
            None,
        )
        .await
        .json();
    assert!(
        plate["open"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == id)
    );
    // The member moves the date before it passes: a renegotiation.
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{id}/renegotiate"),
            Some(&dev),
            Some(json!({"due_date": day(9), "note": "waiting on review"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let c = r.json();
    assert_eq!(c["due_date"], day(9));
    assert_eq!(c["agreed_due_date"], day(9), "{backend}: the new agreement");
    assert_eq!(c["history"][0]["in_time"], true);
    assert_eq!(c["history"][0]["note"], "waiting on review");
    // A member may not reassign; the manager may, within their tree only.
    let dev2_id = app.id("dev2@acme.test").await;
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{id}/reassign"),
            Some(&dev),
            Some(json!({"owner_id": dev2_id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let rep_id = app.id("rep@acme.test").await;
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{id}/reassign"),
            Some(&mgr),
            Some(json!({"owner_id": rep_id})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "owner_id");
    // Complete: done on time.
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{id}/status"),
            Some(&dev),
            Some(json!({"status": "done"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    let c = r.json();
    assert_eq!(c["status"], "done");
    assert_eq!(c["remaining_hours"], 0.0);
    assert_eq!(c["completed_on"], day(0));
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{id}/status"),
            Some(&dev),
            Some(json!({"status": "done"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
}

backend_tests!(other_teams_cannot_see_plates_commitments_or_team_figures);
async fn other_teams_cannot_see_plates_commitments_or_team_figures(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    let dev_id = app.id("dev@acme.test").await;
    let mgr_id = app.id("mgr@acme.test").await;
    let c = create(
        &app,
        &mgr,
        json!({"title": "Private work", "owner_id": dev_id, "due_date": day(3), "effort_hours": 2}),
    )
    .await;
    let id = c["id"].as_i64().unwrap();
    let rep = app.token("rep@acme.test").await;
    let dev2 = app.token("dev2@acme.test").await;
    let dev = app.token("dev@acme.test").await;
    // Another team: nothing at all.
    for path in [
        format!("/api/v1/commitments/{id}"),
        format!("/api/v1/people/{dev_id}/plate"),
    ] {
        let r = app.api(Method::GET, &path, Some(&rep), None).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{backend} {path}");
    }
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/team-work"),
            Some(&rep),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/reports/work?manager_id={mgr_id}"),
            Some(&rep),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(Method::GET, "/api/v1/reports/work", Some(&rep), None)
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "the whole organisation is for admins"
    );
    // A teammate reads the commitment (team priorities are shared) but cannot change
    // it, and does not see the owner's plate.
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/commitments/{id}"),
            Some(&dev2),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["can"]["complete"], false);
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{id}/status"),
            Some(&dev2),
            Some(json!({"status": "done"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dev_id}/plate"),
            Some(&dev2),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // Members see their team's priorities, not its workload or delivery.
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/team-work"),
            Some(&dev),
            None,
        )
        .await
        .json();
    assert_eq!(r["full"], false, "{backend}");
    assert_eq!(r["priorities"][0]["id"], id);
    assert!(r["members"].as_array().unwrap().is_empty());
    assert_eq!(r["delivery"]["due"], 0);
    // The manager's own manager sees it all.
    let head = app.token("eng.head@acme.test").await;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/team-work"),
            Some(&head),
            None,
        )
        .await
        .json();
    assert_eq!(r["full"], true);
    assert_eq!(r["members"].as_array().unwrap().len(), 3);
    // Members cannot reorder; the manager can.
    let second = create(
        &app,
        &mgr,
        json!({"title": "Second", "owner_id": dev_id, "due_date": day(4), "effort_hours": 1}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/people/{mgr_id}/team-work/priorities");
    let r = app
        .api(
            Method::PUT,
            &path,
            Some(&dev),
            Some(json!({"order": [second]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .api(
            Method::PUT,
            &path,
            Some(&mgr),
            Some(json!({"order": [second]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{r:?}");
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/team-work"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    assert_eq!(r["priorities"][0]["id"], second, "{backend}");
    assert_eq!(r["priorities"][1]["id"], id);
    let r = app
        .api(
            Method::PUT,
            &path,
            Some(&mgr),
            Some(json!({"order": [999999]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["error"]["fields"][0]["field"], "order[0]");
}

backend_tests!(team_delivery_and_workload_are_the_defined_figures);
async fn team_delivery_and_workload_are_the_defined_figures(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let dev = app.id("dev@acme.test").await;
    let dev2 = app.id("dev2@acme.test").await;
    let mgr_id = app.id("mgr@acme.test").await;
    // dev: on time; late; renegotiated in time then on time; cancelled; open and late.
    let mut batch = history(
        dev,
        &[
            (-20, -20, Some(-21), CommitmentStatus::Done),
            (-15, -15, Some(-12), CommitmentStatus::Done),
            (-5, -5, Some(-6), CommitmentStatus::Done),
            (-8, -8, None, CommitmentStatus::Cancelled),
            (-3, -3, None, CommitmentStatus::Open),
        ],
    );
    // dev2: moved after the date had passed (agreed stays), done by the new date: late.
    batch
        .commitments
        .extend(history(dev2, &[(-2, -10, Some(-4), CommitmentStatus::Done)]).commitments);
    app.store.insert_work(&batch).await.unwrap();
    let mgr = app.token("mgr@acme.test").await;
    let r = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/team-work?window_days=30"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    let member = |id: i64| {
        r["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["person"]["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        member(dev)["delivery"],
        json!({"due": 4, "on_time": 2, "reliability": 0.5}),
        "{backend}"
    );
    assert_eq!(
        member(dev2)["delivery"],
        json!({"due": 1, "on_time": 0, "reliability": 0.0})
    );
    assert_eq!(
        member(mgr_id)["delivery"]["reliability"],
        Value::Null,
        "no data, not 0 %"
    );
    assert_eq!(r["delivery"]["due"], 5);
    assert_eq!(r["delivery"]["on_time"], 2);
    assert_eq!(r["overdue"].as_array().unwrap().len(), 1);
    // The same figures from the report API.
    let report = app
        .api(
            Method::GET,
            &format!("/api/v1/reports/work?manager_id={mgr_id}&window=30d"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    assert_eq!(report["total"]["due"], 5, "{backend}");
    assert_eq!(report["rows"].as_array().unwrap().len(), 3);
    // Workload: 4 h overdue open work; capacity 20 h/week with every day off recorded
    // over the horizon is no capacity at all: overloaded.
    let token = app.token("dev@acme.test").await;
    let r = app
        .api(
            Method::PUT,
            &format!("/api/v1/people/{dev}/capacity"),
            Some(&token),
            Some(json!({"hours_per_week": 20})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dev}/plate"),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(plate["capacity_hours_per_week"], 20.0);
    assert_eq!(plate["workload"]["remaining_hours"], 4.0);
    let capacity = plate["workload"]["capacity_hours"].as_f64().unwrap();
    assert!(capacity > 0.0 && capacity % 4.0 == 0.0, "{capacity}");
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/people/{dev}/absences"),
            Some(&token),
            Some(json!({"first_day": day(0), "last_day": day(13), "note": "Holiday"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    let plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{dev}/plate"),
            Some(&token),
            None,
        )
        .await
        .json();
    assert_eq!(plate["workload"]["capacity_hours"], 0.0, "{backend}");
    assert_eq!(plate["workload"]["ratio"], Value::Null);
    assert_eq!(plate["workload"]["overloaded"], true);
    assert_eq!(plate["delivery"]["due"], 4);
}

backend_tests!(bad_work_input_is_refused_at_the_field_and_nothing_is_written);
async fn bad_work_input_is_refused_at_the_field_and_nothing_is_written(backend: &'static str) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    let dev_id = app.id("dev@acme.test").await;
    let fields = |r: &common::Response| -> Vec<String> {
        r.json()["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect()
    };
    let r = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&mgr),
            Some(
                json!({"title": " ", "owner_id": dev_id, "due_date": day(-1), "effort_hours": -3}),
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    assert_eq!(fields(&r), ["title", "effort_hours", "due_date"]);
    let r = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&mgr),
            Some(json!({"title": "Rewrite everything", "due_date": day(1), "effort_hours": 50000})),
        )
        .await;
    assert!(
        r.json()["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("split it")
    );
    // Someone who has left cannot be given work.
    let hr = app.token("hr@acme.test").await;
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/people/{dev_id}"),
            Some(&hr),
            Some(json!({"status": "left"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .api(
            Method::POST,
            "/api/v1/commitments",
            Some(&mgr),
            Some(json!({"title": "X", "owner_id": dev_id, "due_date": day(1), "effort_hours": 1})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("has left")
    );
    let mgr_id = app.id("mgr@acme.test").await;
    let plate = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/plate"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    assert!(
        plate["open"].as_array().unwrap().is_empty(),
        "nothing written"
    );
    // Objectives: key result with target = start, check-in on a closed objective, loops.
    let r = app
        .api(
            Method::POST,
            "/api/v1/objectives",
            Some(&mgr),
            Some(json!({"title": "Company goal", "scope": "company", "quarter": "2026-Q4"})),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::FORBIDDEN,
        "only admins set company objectives"
    );
    let team = app
        .api(
            Method::POST,
            "/api/v1/objectives",
            Some(&mgr),
            Some(json!({"title": "Faster builds", "scope": "team", "quarter": "2026-Q4"})),
        )
        .await;
    assert_eq!(fields(&team), ["team_id"]);
    let a = app
        .api(
            Method::POST,
            "/api/v1/objectives",
            Some(&mgr),
            Some(json!({"title": "Faster builds", "quarter": "2026-Q4"})),
        )
        .await
        .json();
    let a_id = a["id"].as_i64().unwrap();
    let b = app
        .api(
            Method::POST,
            "/api/v1/objectives",
            Some(&mgr),
            Some(json!({"title": "Cache the compiler", "parent_id": a_id, "quarter": "2026-Q4"})),
        )
        .await
        .json();
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/objectives/{a_id}"),
            Some(&mgr),
            Some(json!({"parent_id": b["id"]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    let message = r.json()["error"]["fields"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("loop") && message.contains("Cache the compiler"),
        "{message}"
    );
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/objectives/{a_id}/key-results"),
            Some(&mgr),
            Some(json!({"title": "Build time", "start": 10, "target": 10})),
        )
        .await;
    assert_eq!(fields(&r), ["target"]);
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/objectives/{a_id}/key-results"),
            Some(&mgr),
            Some(json!({"title": "Build time", "start": 10, "target": 4, "unit": "min"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let kr = r.json()["key_results"][0]["id"].as_i64().unwrap();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/key-results/{kr}/check-ins"),
            Some(&mgr),
            Some(json!({"value": 7, "confidence": "unsure"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let o = app
        .api(
            Method::GET,
            &format!("/api/v1/objectives/{a_id}"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    assert_eq!(o["progress"], 0.5, "{backend}: (7 − 10) ÷ (4 − 10)");
    assert_eq!(o["check_ins"][0]["confidence"], "unsure");
    let r = app
        .api(
            Method::PATCH,
            &format!("/api/v1/objectives/{a_id}"),
            Some(&mgr),
            Some(json!({"closed": true})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/key-results/{kr}/check-ins"),
            Some(&mgr),
            Some(json!({"value": 6, "confidence": "on_track"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("closed")
    );
    // Someone outside the owner's line cannot change it.
    let rep = app.token("rep@acme.test").await;
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/objectives/{a_id}/key-results"),
            Some(&rep),
            Some(json!({"title": "Mine now", "kind": "done"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

backend_tests!(a_patch_changes_only_the_fields_sent_and_names_those_it_cannot_change);
async fn a_patch_changes_only_the_fields_sent_and_names_those_it_cannot_change(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let mgr = app.token("mgr@acme.test").await;
    let dev_id = app.id("dev@acme.test").await;
    let objective = app
        .api(
            Method::POST,
            "/api/v1/objectives",
            Some(&mgr),
            Some(json!({"title": "Faster builds", "quarter": "2026-Q4"})),
        )
        .await
        .json();
    let c = create(
        &app,
        &mgr,
        json!({"title": "Cache builds", "description": "Use sccache on CI", "owner_id": dev_id,
               "objective_id": objective["id"], "due_date": day(5), "effort_hours": 8,
               "skills": ["rust", "ci"]}),
    )
    .await;
    let path = format!("/api/v1/commitments/{}", c["id"]);
    let r = app
        .api(
            Method::PATCH,
            &path,
            Some(&mgr),
            Some(json!({"title": "Cache all builds", "effort_hours": 10})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{backend}: {r:?}");
    let after = r.json();
    assert_eq!(after["title"], "Cache all builds");
    assert_eq!(after["effort_hours"], 10.0);
    assert_eq!(after["description"], "Use sccache on CI", "{backend}: kept");
    assert_eq!(after["skills"], json!(["ci", "rust"]));
    assert_eq!(after["objective_id"], objective["id"]);
    let edit = after["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["field"] == "details")
        .expect("the edit is in the history");
    assert_eq!(edit["after"], "title, effort, remaining hours");
    // Only remaining hours, without the effort: accepted.
    let r = app
        .api(
            Method::PATCH,
            &path,
            Some(&mgr),
            Some(json!({"remaining_hours": 4})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{r:?}");
    assert_eq!(r.json()["effort_hours"], 10.0);
    // Owner and date have their own routes: named, never ignored.
    let r = app
        .api(
            Method::PATCH,
            &path,
            Some(&mgr),
            Some(json!({"owner_id": app.id("dev2@acme.test").await, "due_date": day(9)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{backend}");
    let named: Vec<String> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(named, ["owner_id", "due_date"]);
    let r = app
        .api(
            Method::PATCH,
            &path,
            Some(&mgr),
            Some(json!({"objective_id": null})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.json()["objective_id"].is_null());
    assert_eq!(r.json()["description"], "Use sccache on CI");
}

backend_tests!(delivery_cannot_be_gamed_by_cancelling_moving_or_handing_on_late_work);
/// PRODUCT.md's refined delivery definition, hand-checked: late work cancelled by its owner
/// counts as not delivered; cancelled by the owner's manager it is out of the record; late
/// work handed to a volunteer stays late for whoever held it; a date moved after it passed
/// leaves the work overdue, and the team view says so.
async fn delivery_cannot_be_gamed_by_cancelling_moving_or_handing_on_late_work(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let dev = app.id("dev@acme.test").await;
    let dev2 = app.id("dev2@acme.test").await;
    let mgr_id = app.id("mgr@acme.test").await;
    let mut batch = history(
        dev,
        &[
            (-20, -20, Some(-20), CommitmentStatus::Done),
            (-19, -19, Some(-19), CommitmentStatus::Done),
            (-18, -18, Some(-18), CommitmentStatus::Done),
            (-17, -17, Some(-17), CommitmentStatus::Done),
            (-16, -16, Some(-16), CommitmentStatus::Done),
            (-15, -15, Some(-15), CommitmentStatus::Done),
            (-10, -10, None, CommitmentStatus::Open), // X: assigned by the manager
            (-5, -5, None, CommitmentStatus::Open),   // Y: handed to a volunteer
            (3, -4, None, CommitmentStatus::Open),    // Z: moved after it passed
            (-7, -7, None, CommitmentStatus::Open),   // W: cancelled by the manager
        ],
    );
    batch.commitments[6].new.requester = Some(PersonId(mgr_id));
    app.store.insert_work(&batch).await.unwrap();
    let id = |i: i64| 1000 + dev * 100 + i;
    let member = app.token("dev@acme.test").await;
    let mgr = app.token("mgr@acme.test").await;
    let status = |token: &str, i: i64, note: &str| {
        let body = json!({"status": "cancelled", "note": note});
        let token = token.to_string();
        let app = &app;
        async move {
            app.api(
                Method::POST,
                &format!("/api/v1/commitments/{}/status", id(i)),
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let r = status(&member, 6, "").await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{backend}: a reason is asked"
    );
    assert_eq!(r.json()["error"]["fields"][0]["field"], "note");
    let r = status(&member, 6, "Not needed any more").await;
    assert!(r.status.is_success(), "{backend}: {r:?}");
    let r = status(&mgr, 9, "The customer withdrew it").await;
    assert!(r.status.is_success(), "{backend}: {r:?}");
    // Each cancellation is in the audit log, with who, why and whether it still counts.
    let cancels: Vec<_> = app
        .store
        .audit_log(50)
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.entry.action == "commitment.cancel")
        .collect();
    assert_eq!(cancels.len(), 2, "{backend}");
    assert_eq!(cancels[0].actor_name.as_deref(), Some("Max Manager"));
    assert!(
        cancels[0]
            .entry
            .detail
            .ends_with(": The customer withdrew it")
    );
    assert_eq!(cancels[1].entry.subject, format!("commitment {}", id(6)));
    assert!(
        cancels[1]
            .entry
            .detail
            .contains("of Dana Dev (still counts as not delivered): Not needed any more"),
        "{backend}: {}",
        cancels[1].entry.detail
    );
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/commitments/{}/reassign", id(7)),
            Some(&mgr),
            Some(json!({"owner_id": dev2, "note": "Devi volunteered"})),
        )
        .await;
    assert!(r.status.is_success(), "{backend}: {r:?}");
    let team = app
        .api(
            Method::GET,
            &format!("/api/v1/people/{mgr_id}/team-work?window_days=30"),
            Some(&mgr),
            None,
        )
        .await
        .json();
    let delivery = |person: i64| {
        team["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["person"]["id"] == person)
            .unwrap()["delivery"]
            .clone()
    };
    // 6 on time; X (cancelled late by its owner), Y (late before it was handed on)
    // and Z (moved after it passed) not delivered; W out of the record: 6 ÷ 9.
    assert_eq!(delivery(dev)["due"], 9, "{backend}: {}", delivery(dev));
    assert_eq!(delivery(dev)["on_time"], 6);
    assert_eq!(
        delivery(dev2)["reliability"],
        Value::Null,
        "{backend}: the volunteer is not charged"
    );
    let overdue: Vec<i64> = team["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        overdue,
        [id(7), id(8)],
        "{backend}: overdue from the agreed date"
    );
    let session = app
        .sign_in("mgr@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let page = app
        .get_page(&format!("/team-work/{mgr_id}"), Some(&session))
        .await
        .text();
    assert!(page.contains("date moved after it passed"), "{backend}");
}

#[tokio::test]
async fn pages_show_the_plate_and_keep_input_on_errors() {
    let app = TestApp::new("sqlite").await;
    let dev = app
        .sign_in("dev@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let page = app.get_page("/commitments/new", Some(&dev)).await;
    assert_eq!(page.status, StatusCode::OK);
    let r = app
        .post_form(
            "/commitments",
            Some(&dev),
            None,
            &[
                ("csrf", &dev.csrf),
                ("title", "Write the runbook"),
                ("due_date", "next week"),
                ("effort_hours", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text();
    assert!(html.contains("is not a date") && html.contains("value=\"Write the runbook\""));
    let r = app
        .post_form(
            "/commitments",
            Some(&dev),
            None,
            &[
                ("csrf", &dev.csrf),
                ("title", "Write the runbook"),
                ("due_date", &day(2)),
                ("effort_hours", "3"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{r:?}");
    let location = r.headers["location"].to_str().unwrap().to_string();
    let plate = app.get_page("/plate", Some(&dev)).await;
    assert_eq!(plate.status, StatusCode::SEE_OTHER);
    let dev_id = app.id("dev@acme.test").await;
    let html = app
        .get_page(&format!("/people/{dev_id}/plate"), Some(&dev))
        .await
        .text();
    assert!(
        html.contains("My plate") && html.contains("Write the runbook"),
        "{html}"
    );
    assert!(html.contains("1 open commitment"));
    // Moving the date to the past is refused at the field.
    let r = app
        .post_form(
            &format!("{location}/renegotiate"),
            Some(&dev),
            None,
            &[("csrf", &dev.csrf), ("due_date", &day(-3)), ("note", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("has passed"));
    // Another team's member gets no plate page.
    let rep = app
        .sign_in("rep@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let r = app
        .get_page(&format!("/people/{dev_id}/plate"), Some(&rep))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let mgr_id = app.id("mgr@acme.test").await;
    let r = app
        .get_page(&format!("/team-work/{mgr_id}"), Some(&rep))
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // The manager's team page shows the work and who is flagged.
    let mgr = app
        .sign_in("mgr@acme.test", common::PASSWORD)
        .await
        .unwrap();
    let html = app
        .get_page(&format!("/team-work/{mgr_id}"), Some(&mgr))
        .await
        .text();
    assert!(html.contains("Write the runbook") && html.contains("Delivered as promised"));
    assert!(
        html.contains("Team work"),
        "managers get the navigation entry"
    );
}

backend_tests!(a_patch_names_the_action_for_the_owner_and_the_due_date_and_changes_nothing);
async fn a_patch_names_the_action_for_the_owner_and_the_due_date_and_changes_nothing(
    backend: &'static str,
) {
    let app = TestApp::new(backend).await;
    let dev = app.token("dev@acme.test").await;
    let c = create(
        &app,
        &dev,
        json!({"title": "Write the guide", "due_date": day(5), "effort_hours": 3}),
    )
    .await;
    let path = format!("/api/v1/commitments/{}", c["id"]);
    let r = app
        .api(
            Method::PATCH,
            &path,
            Some(&dev),
            Some(json!({"title": "Renamed", "owner_id": 1, "due_date": day(9)})),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let fields: Vec<(String, String)> = r.json()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        fields,
        [
            (
                "owner_id".to_string(),
                "the owner is not changed here; reassign the work instead".to_string()
            ),
            (
                "due_date".to_string(),
                "the due date is not changed here; renegotiate it instead".to_string()
            ),
        ]
    );
    let after = app.api(Method::GET, &path, Some(&dev), None).await.json();
    assert_eq!(after["title"], "Write the guide");
    assert_eq!(after["due_date"], day(5));
}
