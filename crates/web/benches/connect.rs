//! Connection rounds end to end on a real database: a programme of everyone in a generated
//! organisation, each round read (people, opt-outs, exclusions, every earlier round),
//! planned and written with its notifications, three rounds two weeks apart; then a
//! person's programme page as the API answers it.
//!
//! Run: `cargo bench -p trellis-web --bench connect [-- PEOPLE…]` (default 10,000 and
//! 100,000), on SQLite, and on PostgreSQL too when `TRELLIS_TEST_DATABASE_URL` is set.

use std::time::Instant;
use trellis_core::connect::programmes::{ProgrammeInput, create_programme};
use trellis_core::connect::rounds::run_round;
use trellis_core::connect::views::programme_view;
use trellis_core::org::import::{ImportOptions, plan_import};
use trellis_core::store::prelude::*;
use trellis_core::{Viewer, demo};
use trellis_store::testing::{TestDatabase, backends};

const WEEK: i64 = 7 * 86_400;

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
    let now = trellis_web::now();
    let operator = Viewer::operator();
    let input = ProgrammeInput {
        name: "Everyone".into(),
        audience: "everyone".into(),
        audience_value: None,
        people: None,
        rhythm_weeks: 2,
        group_size: 2,
        odd_one: None,
        prefer_across: None,
        first_round_on: trellis_core::clock::local_date(None, now),
    };
    let id = create_programme(&store, &operator, &input, now)
        .await
        .unwrap();
    let mut line = format!("{backend:>8} {people:>7} people: rounds");
    for round in 0..3 {
        let started = Instant::now();
        run_round(&store, None, id, now + round * 2 * WEEK)
            .await
            .unwrap();
        line += &format!(" {:.2} s", started.elapsed().as_secs_f64());
    }
    let someone = store.org_people().await.unwrap()[1].id;
    let viewer = Viewer::signed_in(trellis_core::AccountId(1), someone, false, 0);
    let started = Instant::now();
    let view = programme_view(&store, &viewer, id, 5, now + 4 * WEEK)
        .await
        .unwrap();
    line += &format!(
        "; a person's programme page {:.0} ms ({} rounds)",
        started.elapsed().as_secs_f64() * 1000.0,
        view.mine.len()
    );
    println!("{line}");
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
