//! 1:1 figures, through the router as a browser or a calendar app asks:
//! - the meeting page of a report with 50 open commitments, one request at a time (p50);
//! - a calendar feed holding 200 series, one request at a time (p50);
//! - creating the series of every manager–report pair after a 100,000-person import.
//!
//! Run: `cargo bench -p trellis-web --bench one_on_ones [-- PEOPLE]` (default 100,000).

#[path = "../tests/common/mod.rs"]
mod common;

use axum::http::Method;
use std::time::{Duration, Instant};
use trellis_core::conversations::store::NewSeries;
use trellis_core::conversations::{Change, Schedule, SeriesKind, SeriesStatus};
use trellis_core::store::prelude::*;
use trellis_core::work::NewCommitment;

fn percentile(mut times: Vec<Duration>, p: f64) -> f64 {
    times.sort();
    times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
}

async fn timed(
    app: &common::TestApp,
    path: &str,
    session: Option<&common::Session>,
    n: usize,
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let r = app.get_page(path, session).await;
        times.push(started.elapsed());
        assert_eq!(r.status.as_u16(), 200, "{path}: {}", r.text());
    }
    times
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let people: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let (app, emails) = common::demo_app().await;
    let store = app.store.as_ref();
    let now = trellis_web::now();
    let today = trellis_core::clock::local_date(None, now);

    // The demo manager's first report, with 50 open commitments, meeting weekly.
    let manager = store.person_id_by_email(&emails[1]).await.unwrap().unwrap();
    let series = store
        .series_of(manager)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.kind == SeriesKind::Reporting && s.organiser.id == manager)
        .expect("a report");
    let report = series.other.id;
    let open = store
        .open_commitments(
            &[report],
            trellis_core::work::store::CommitmentOrder::DueDate,
            None,
            500,
        )
        .await
        .unwrap()
        .len();
    for i in open..50 {
        store
            .create_commitment(&NewCommitment {
                title: format!("Bench work {i}"),
                description: String::new(),
                owner: report,
                requester: Some(manager),
                objective: None,
                due_date: today + chrono::Duration::days(1 + i as i64 % 30),
                effort_hours: 2.0,
                skills: Vec::new(),
                created_at: now,
                created_on: today,
            })
            .await
            .unwrap();
    }
    let mut work = store.begin_conversation_write().await.unwrap();
    work.set_schedule(
        series.id,
        Some(&Schedule {
            first_date: today - chrono::Duration::weeks(12),
            start_time: chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            minutes: 30,
            every_weeks: 1,
            time_zone: "Europe/Berlin".into(),
        }),
    )
    .await
    .unwrap();
    work.commit().await.unwrap();
    let session = app.sign_in(&emails[1], common::PASSWORD).await.unwrap();
    let path = format!("/one-on-ones/{}/meetings/current", series.id);
    timed(&app, &path, Some(&session), 20).await;
    let page = timed(&app, &path, Some(&session), 300).await;
    println!(
        "meeting page, report with {} open commitments: p50 {:.2} ms, p90 {:.2} ms (300 requests, one at a time)",
        50.max(open),
        percentile(page.clone(), 0.5),
        percentile(page, 0.9)
    );

    // A feed of 200 series, each with a moved, a skipped and a cancelled meeting.
    let everyone: Vec<_> = store
        .org_snapshot()
        .await
        .unwrap()
        .people
        .iter()
        .map(|p| p.id)
        .collect();
    let mut work = store.begin_conversation_write().await.unwrap();
    for (made, other) in everyone
        .iter()
        .filter(|p| **p != manager)
        .take(200)
        .enumerate()
    {
        let id = work
            .create_series(&NewSeries {
                kind: SeriesKind::Chosen,
                status: SeriesStatus::Active,
                organiser: manager,
                other: *other,
                schedule: Some(Schedule {
                    first_date: today - chrono::Duration::weeks(8),
                    start_time: chrono::NaiveTime::from_hms_opt(9 + (made % 8) as u32, 0, 0)
                        .unwrap(),
                    minutes: 30,
                    every_weeks: [1, 2, 4][made % 3],
                    time_zone: ["Europe/Berlin", "America/New_York", "Asia/Tokyo"][made % 3].into(),
                }),
                created_by: Some(manager),
                created_at: now,
            })
            .await
            .unwrap();
        let first = today - chrono::Duration::weeks(8);
        for (k, change) in [(1, Change::Skipped), (2, Change::Cancelled)] {
            work.set_exception(
                id,
                first + chrono::Duration::weeks(k * [1, 2, 4][made % 3]),
                Some(change),
            )
            .await
            .unwrap();
        }
    }
    work.commit().await.unwrap();
    let token = app.token(&emails[1]).await;
    let url = app
        .api(Method::GET, "/api/v1/me/calendar", Some(&token), None)
        .await
        .json()["url"]
        .as_str()
        .unwrap()
        .to_string();
    let feed_path = &url[url.find("/calendar/").unwrap()..];
    let feed_series = store
        .series_of(manager)
        .await
        .unwrap()
        .iter()
        .filter(|s| s.schedule.is_some())
        .count();
    timed(&app, feed_path, None, 10).await;
    let feed = timed(&app, feed_path, None, 200).await;
    println!(
        "calendar feed with {feed_series} series: p50 {:.2} ms, p90 {:.2} ms (200 requests, one at a time)",
        percentile(feed.clone(), 0.5),
        percentile(feed, 0.9)
    );

    // The series of every pair after a large import.
    let db = trellis_store::testing::TestDatabase::new("sqlite").await;
    let big = db.store().await;
    let org = trellis_core::demo::generate(people, 3);
    let plan = trellis_core::org::import::plan_import(
        org.as_import(),
        &trellis_core::org::import::OrgSnapshot::default(),
        trellis_core::org::import::ImportOptions::default(),
    );
    big.apply_import(
        &plan,
        &trellis_core::org::imports::import_record(&plan, None, "bench", now),
    )
    .await
    .unwrap();
    let started = Instant::now();
    let done = trellis_core::conversations::sync::sync_reporting_series(&big, now)
        .await
        .unwrap();
    println!(
        "series for a {people}-person import: {} created in {:.2} s",
        done.create.len(),
        started.elapsed().as_secs_f64()
    );
}
