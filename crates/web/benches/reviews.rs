//! Review cycle figures on a generated organisation (default 10,000 people): launching a
//! cycle for everyone with anonymous peer reviews and upward reviews, its progress page
//! (per step, per manager, per team, and the feedback step) with every review written and
//! four peer answers per person (40,000 at 10,000 people), the calibration view of the
//! department nearest 500 people, one request at a time, and sharing the cycle (every
//! peer and upward report checked under the anonymity rule and published).
//!
//! Run: `cargo bench -p trellis-web --bench reviews [-- PEOPLE]`.

#[path = "../tests/common/mod.rs"]
mod common;

use axum::http::Method;
use std::sync::Arc;
use std::time::{Duration, Instant};
use trellis_core::reviews::Answer;
use trellis_core::reviews::store::ReviewStore;
use trellis_core::store::prelude::*;

fn percentile(mut times: Vec<Duration>, p: f64) -> f64 {
    times.sort();
    times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let people: usize = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let db = trellis_store::testing::TestDatabase::new("sqlite").await;
    let store = Arc::new(db.store().await);
    let now = trellis_web::now();
    let org = trellis_core::demo::generate(people, 5);
    let plan = trellis_core::org::import::plan_import(
        org.as_import(),
        &trellis_core::org::import::OrgSnapshot::default(),
        trellis_core::org::import::ImportOptions::default(),
    );
    store
        .apply_import(
            &plan,
            &trellis_core::org::imports::import_record(&plan, None, "bench", now),
        )
        .await
        .unwrap();
    let admin_email = org.people[org.admin].record.email.to_string();
    let admin = store
        .person_id_by_email(&admin_email)
        .await
        .unwrap()
        .unwrap();
    store
        .create_account(
            admin,
            &trellis_core::auth::hash_password(common::PASSWORD).unwrap(),
            true,
        )
        .await
        .unwrap();
    let state = trellis_web::AppState::new(store.clone(), trellis_web::WebConfig::default());
    let app = common::TestApp {
        db,
        store: store.clone(),
        router: trellis_web::router(state),
        backend: "sqlite",
    };
    let token = app.token(&admin_email).await;
    let today = chrono::Utc::now().date_naive();
    let body = serde_json::json!({
        "name": "Bench cycle",
        "scope": {"kind": "everyone"},
        "questions": [{"text": "Delivery", "scale": ["Low", "Mid", "High"], "in_self_review": true},
            {"text": "Potential", "scale": ["Low", "Mid", "High"], "private": true}],
        "calibration": {"performance_question": 0, "potential_question": 1, "guidance": [20, 60, 20]},
        "self_review_due": (today + chrono::Duration::days(7)).to_string(),
        "manager_review_due": (today + chrono::Duration::days(14)).to_string(),
        "share_on": (today + chrono::Duration::days(21)).to_string(),
        "feedback": {"peers": "anonymous", "upward": true, "nominated_by": "manager",
            "max_peers": 4, "nominations_due": (today + chrono::Duration::days(3)).to_string(),
            "feedback_due": (today + chrono::Duration::days(10)).to_string()}
    });
    let id = app
        .api(
            Method::POST,
            "/api/v1/review-cycles",
            Some(&token),
            Some(body),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let started = Instant::now();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/review-cycles/{id}/launch"),
            Some(&token),
            None,
        )
        .await;
    let launch = started.elapsed();
    println!(
        "launch a cycle for {} people with {} peer and upward 360s: {:.2} s",
        r.json()["reviews"],
        r.json()["feedback"],
        launch.as_secs_f64()
    );

    // Every review written, so the progress counts everything.
    let reviews = store
        .reviews_of_cycle(trellis_core::reviews::CycleId(id))
        .await
        .unwrap();
    let mut work = store.begin_review_write().await.unwrap();
    let answer = |question: usize, rating: u8| Answer {
        question,
        rating: Some(rating),
        text: "Fine".into(),
    };
    for (i, r) in reviews.iter().enumerate() {
        work.save_self_review(r.id, &[answer(0, 2)], Some(now))
            .await
            .unwrap();
        if r.manager.is_some() {
            let ratings = [answer(0, 1 + (i % 3) as u8), answer(1, 1 + (i % 2) as u8)];
            work.save_manager_review(r.id, &ratings, Some(now))
                .await
                .unwrap();
        }
    }
    work.commit().await.unwrap();
    let peer_answers = answer_peer_reviews(store.as_ref(), id).await;
    println!("peer answers written: {peer_answers}");
    let session = app.sign_in(&admin_email, common::PASSWORD).await.unwrap();
    let path = format!("/admin/reviews/{id}");
    let mut times = Vec::new();
    for i in 0..60 {
        let started = Instant::now();
        let r = app.get_page(&path, Some(&session)).await;
        if i >= 10 {
            times.push(started.elapsed());
        }
        assert_eq!(r.status.as_u16(), 200);
    }
    println!(
        "progress page of {} reviews: p50 {:.1} ms, p90 {:.1} ms (50 requests, one at a time)",
        reviews.len(),
        percentile(times.clone(), 0.5),
        percentile(times, 0.9)
    );

    // Calibration: the manager whose tree is nearest 500 people, filtered to it.
    let mut under: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    let manager_of: std::collections::HashMap<i64, i64> = reviews
        .iter()
        .filter_map(|r| Some((r.reviewee.id.0, r.manager.as_ref()?.id.0)))
        .collect();
    for r in &reviews {
        let mut at = r.reviewee.id.0;
        while let Some(&m) = manager_of.get(&at) {
            *under.entry(m).or_default() += 1;
            at = m;
        }
    }
    let (head, size) = under
        .iter()
        .min_by_key(|(_, n)| n.abs_diff(500))
        .map(|(m, n)| (*m, *n))
        .unwrap();
    app.api(
        Method::POST,
        &format!("/api/v1/review-cycles/{id}/calibration"),
        Some(&token),
        None,
    )
    .await;
    let path = format!("/reviews/cycles/{id}/calibration?manager={head}");
    let mut times = Vec::new();
    for i in 0..60 {
        let started = Instant::now();
        let r = app.get_page(&path, Some(&session)).await;
        if i >= 10 {
            times.push(started.elapsed());
        }
        assert_eq!(r.status.as_u16(), 200);
    }
    println!(
        "calibration page of a {size}-person department: p50 {:.1} ms, p90 {:.1} ms (50 requests, one at a time)",
        percentile(times.clone(), 0.5),
        percentile(times, 0.9)
    );
    let started = Instant::now();
    let r = app
        .api(
            Method::POST,
            &format!("/api/v1/review-cycles/{id}/share"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status.as_u16(), 204, "{}", r.text());
    println!(
        "share the cycle (every peer and upward report checked and published): {:.2} s",
        started.elapsed().as_secs_f64()
    );
}

/// Four peers asked for each reviewee's peer reviews (the next four people), each
/// answering; how many answers.
async fn answer_peer_reviews(store: &trellis_store::SqlStore, cycle: i64) -> usize {
    use trellis_core::assessments::store::{AssessmentStore, AssessmentWrite, StoredAnswer};
    use trellis_core::assessments::{FeedbackKind, RaterGroup, RaterStatus};
    let all = store
        .assessments_of_cycle(trellis_core::reviews::CycleId(cycle))
        .await
        .unwrap();
    let peers: Vec<_> = all
        .iter()
        .filter(|a| {
            a.in_cycle
                .as_ref()
                .is_some_and(|c| c.kind == FeedbackKind::Peer)
        })
        .collect();
    let mut work = store.begin_review_write().await.unwrap();
    let mut n = 0;
    for (i, a) in peers.iter().enumerate() {
        for step in 1..=4 {
            let rater = peers[(i + step * 7) % peers.len()].subject.id;
            work.add_rater(a.id, rater, RaterGroup::Peers, RaterStatus::Asked)
                .await
                .unwrap();
            work.save_answer(
                a.id,
                &StoredAnswer {
                    group: RaterGroup::Peers,
                    pseudonym: (rater.0 as u64) << 32 | a.subject.id.0 as u64,
                    rater: None,
                    ratings: vec![Some(1 + ((i + step) % 5) as u8); 6],
                    management_comment: "Reliable".into(),
                    leadership_comment: String::new(),
                },
            )
            .await
            .unwrap();
            AssessmentWrite::mark_answered(&mut *work, a.id, rater)
                .await
                .unwrap();
            n += 1;
        }
    }
    work.commit().await.unwrap();
    n
}
