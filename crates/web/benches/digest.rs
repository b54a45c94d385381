//! The weekly digest on a real database: everyone in a generated organisation can sign in;
//! the hourly pass queues the week's digests (one job per person, recorded once), a second
//! pass finds nothing new, then a sample of digests is composed and its mails queued, as
//! the workers do one by one.
//!
//! Run: `cargo bench -p trellis-web --bench digest [-- PEOPLE…]` (default 10,000 and
//! 100,000), on SQLite, and on PostgreSQL too when `TRELLIS_TEST_DATABASE_URL` is set.

use std::time::Instant;
use trellis_core::digest::send::{queue_due, send};
use trellis_core::digest::week_label;
use trellis_core::mail::Site;
use trellis_core::org::import::{ImportOptions, plan_import};
use trellis_core::store::prelude::*;
use trellis_core::{clock, demo};
use trellis_store::testing::{TestDatabase, backends};

/// How many digests are composed to time one.
const SAMPLE: usize = 200;

async fn measure(backend: &'static str, people: usize) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let org = demo::generate(people, 42);
    let plan = plan_import(
        org.as_import(),
        &store.org_snapshot().await.unwrap(),
        ImportOptions::default(),
    );
    store
        .apply_import(
            &plan,
            &trellis_core::org::imports::import_record(&plan, None, "people.csv", 0),
        )
        .await
        .unwrap();
    sqlx::query("INSERT INTO accounts (person_id, password_hash) SELECT id, 'set' FROM people")
        .execute(store.pool())
        .await
        .unwrap();
    // A Tuesday noon in UTC: Monday 07:00 has come in every zone, and the week is the same.
    let today = clock::local_date(None, trellis_web::now());
    let tuesday = today
        + chrono::Duration::days(
            (8 - i64::from(chrono::Datelike::weekday(&today).number_from_monday())) % 7 + 1,
        );
    let now = tuesday.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp();
    let started = Instant::now();
    let queued = queue_due(&store, now).await.unwrap();
    let first = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let again = queue_due(&store, now + 3600).await.unwrap();
    let second = started.elapsed().as_secs_f64();
    assert_eq!(again, 0);
    let site = Site::new("https://trellis.example");
    let week = week_label(tuesday);
    let ids: Vec<_> = store
        .org_people()
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    let step = (ids.len() / SAMPLE).max(1);
    let started = Instant::now();
    let mut composed = 0;
    for id in ids.iter().step_by(step).take(SAMPLE) {
        send(&store, &site, &format!("{id} {week}"), now)
            .await
            .unwrap();
        composed += 1;
    }
    let each = started.elapsed().as_secs_f64() * 1000.0 / composed as f64;
    println!(
        "{backend:>8} {people:>7} people: {queued} digests queued in {first:.2} s; \
         the next hour's pass {second:.2} s; composing and queueing one mail {each:.1} ms \
         on average over {composed} (about {:.0} s for everyone on one worker)",
        each * queued as f64 / 1000.0
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10_000, 100_000]
    } else {
        sizes
    };
    for backend in backends() {
        for &people in &sizes {
            measure(backend, people).await;
        }
    }
}
