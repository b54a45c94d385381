//! The trailing windows (migration 34) on both backends: the rows the triggers keep equal
//! a count from scratch after every kind of change and every move of the spans, and the
//! figures read through them equal the metric definitions.

use std::collections::HashMap;
use trellis_core::PersonId;
use trellis_core::clock::local_date;
use trellis_core::demo;
use trellis_core::org::import::{ImportOptions, plan_import};
use trellis_core::store::prelude::*;
use trellis_core::work::metrics::{Window, delivery};
use trellis_store::testing::TestDatabase;
use trellis_store::{SqlStore, backend_tests};

const NOW: i64 = 1_795_424_400; // 2026-11-23 09:00 UTC

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

async fn organisation(backend: &str) -> (TestDatabase, SqlStore) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let org = demo::generate(150, 42);
    for level in demo::demo_levels() {
        store.upsert_level(&level).await.unwrap();
    }
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
    trellis_core::work::demo::load(&store, &org, NOW, 3)
        .await
        .unwrap();
    (db, store)
}

/// The kept rows, and the same counted from scratch over the spans as they stand.
async fn kept_and_recounted(store: &SqlStore) -> [Vec<(i64, i64, i64, i64)>; 2] {
    let kept = sqlx::query_as(
        "SELECT days, owner_id, due, on_time FROM delivery_windows \
         WHERE due <> 0 OR on_time <> 0 ORDER BY 1, 2",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let recounted = sqlx::query_as(
        "SELECT s.days, c.accountable_id, CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(CASE WHEN c.status = 'done' AND c.completed_on <= c.agreed_due_date \
         THEN 1 ELSE 0 END) AS BIGINT) \
         FROM delivery_window_spans s JOIN commitments c \
         ON c.agreed_due_date >= s.first AND c.agreed_due_date <= s.last \
         WHERE c.accountable_id IS NOT NULL AND (c.status <> 'cancelled' OR c.cancel_counts = 1) \
         GROUP BY 1, 2 ORDER BY 1, 2",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    [kept, recounted]
}

/// Remaining open hours per owner due on or before `until`, counted from scratch.
async fn open_hours(store: &SqlStore, until: chrono::NaiveDate) -> HashMap<PersonId, f64> {
    let rows: Vec<(i64, f64)> = sqlx::query_as(
        "SELECT owner_id, SUM(remaining_hours) FROM commitments \
         WHERE status = 'open' AND due_date <= $1 GROUP BY owner_id",
    )
    .bind(until.format("%Y-%m-%d").to_string())
    .fetch_all(store.pool())
    .await
    .unwrap();
    rows.into_iter()
        .filter(|(_, h)| *h != 0.0)
        .map(|(o, h)| (PersonId(o), h))
        .collect()
}

/// Every check after `after`: the kept rows, then delivery and open effort read through
/// them against the definitions, for windows and horizons near the spans and far away.
async fn check(backend: &str, store: &SqlStore, today: chrono::NaiveDate, after: &str) {
    let [kept, recounted] = kept_and_recounted(store).await;
    assert_eq!(kept, recounted, "{backend}: delivery windows after {after}");
    let kept_effort: Vec<(i64, f64)> =
        sqlx::query_as("SELECT owner_id, hours FROM open_effort ORDER BY owner_id")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let span: String = sqlx::query_scalar("SELECT last FROM open_effort_span")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let recounted = open_hours(store, day(&span)).await;
    for (owner, hours) in &kept_effort {
        let want = recounted.get(&PersonId(*owner)).copied().unwrap_or(0.0);
        assert!(
            (hours - want).abs() < 1e-6,
            "{backend}: effort of {owner} after {after}"
        );
    }
    assert!(
        recounted
            .keys()
            .all(|o| kept_effort.iter().any(|(k, _)| *k == o.0)),
        "{backend}: every owner with open hours is kept, after {after}"
    );
    let owners: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT accountable_id FROM commitments WHERE accountable_id IS NOT NULL",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let mut records = Vec::new();
    for o in owners {
        let id = PersonId(o);
        records.push((id, store.delivery_records(id).await.unwrap()));
    }
    let windows = [
        Window::ending(today, 90),
        Window::ending(today, 365),
        Window::ending(today, 88),
        Window::ending(today, 100),
        Window::ending(today - chrono::Duration::days(2), 90),
        Window::ending(today, 30),
        Window::ending(today, 700),
    ];
    for window in windows {
        let got: HashMap<_, _> = store
            .delivery_by_owner(None, window, today)
            .await
            .unwrap()
            .into_iter()
            .collect();
        for (owner, r) in &records {
            let want = delivery(r, window, today);
            let want = (want.due > 0).then_some(want);
            assert_eq!(
                got.get(owner).copied(),
                want,
                "{backend}: owner {owner}, {window:?}, after {after}"
            );
        }
        // Narrowed to a few owners, their lines alone.
        let some: Vec<PersonId> = records.iter().take(7).map(|(o, _)| *o).collect();
        for (owner, counts) in store
            .delivery_by_owner(Some(&some), window, today)
            .await
            .unwrap()
        {
            assert!(some.contains(&owner), "{backend}");
            assert_eq!(got.get(&owner), Some(&counts), "{backend}: {owner}");
        }
    }
    for ahead in [14, 13, 20, 3, 200] {
        let until = today + chrono::Duration::days(ahead);
        let got = store.remaining_effort(None, until).await.unwrap();
        let want = open_hours(store, until).await;
        let got_map: HashMap<PersonId, f64> = got.iter().copied().collect();
        for (owner, hours) in &want {
            let g = got_map.get(owner).copied().unwrap_or(0.0);
            assert!(
                (g - hours).abs() < 1e-6,
                "{backend}: {owner} until {until}: {g} ≠ {hours}, after {after}"
            );
        }
        assert!(
            got.iter()
                .all(|(o, h)| want.contains_key(o) || h.abs() < 1e-6),
            "{backend}: nobody without open hours, until {until}"
        );
    }
}

backend_tests!(trailing_windows_follow_every_change_and_every_move);
async fn trailing_windows_follow_every_change_and_every_move(backend: &'static str) {
    let (_db, store) = organisation(backend).await;
    let today = local_date(None, NOW);
    // The worker moves the windows to end yesterday and the effort to the horizon's end.
    assert!(
        trellis_core::work::reports::roll_trailing_windows(&store, NOW)
            .await
            .unwrap()
    );
    assert!(
        !trellis_core::work::reports::roll_trailing_windows(&store, NOW)
            .await
            .unwrap(),
        "{backend}: a second run the same day moves nothing"
    );
    let spans: Vec<(i64, String, String)> =
        sqlx::query_as("SELECT days, first, last FROM delivery_window_spans ORDER BY days")
            .fetch_all(store.pool())
            .await
            .unwrap();
    assert_eq!(
        spans,
        [
            (90, "2026-08-25".into(), "2026-11-22".into()),
            (365, "2025-11-23".into(), "2026-11-22".into())
        ]
    );
    let [kept, _] = kept_and_recounted(&store).await;
    assert!(kept.len() > 200, "{backend}: {} rows kept", kept.len());
    check(backend, &store, today, "the first move").await;
    for (what, sql) in [
        (
            "completed on time",
            "UPDATE commitments SET status = 'done', completed_on = agreed_due_date, remaining_hours = 0 WHERE status = 'open' AND id % 7 = 0",
        ),
        (
            "completed late",
            "UPDATE commitments SET status = 'done', completed_on = '2026-12-31' WHERE status = 'open' AND id % 11 = 0",
        ),
        (
            "cancelled late by the owner",
            "UPDATE commitments SET status = 'cancelled', cancel_counts = 1 WHERE status = 'open' AND id % 13 = 0",
        ),
        (
            "cancelled out of the record",
            "UPDATE commitments SET status = 'cancelled', cancel_counts = 0 WHERE id % 17 = 0",
        ),
        (
            "handed to someone else",
            "UPDATE commitments SET accountable_id = owner_id + 1, owner_id = owner_id + 1 WHERE id % 5 = 0 AND owner_id < 150",
        ),
        (
            "moved across a window's edge",
            "UPDATE commitments SET agreed_due_date = '2026-08-24', due_date = '2026-12-10' WHERE id % 9 = 0",
        ),
        (
            "reopened with hours left",
            "UPDATE commitments SET status = 'open', completed_on = NULL, cancel_counts = 0, remaining_hours = 2.25 WHERE id % 19 = 0",
        ),
        (
            "re-estimated",
            "UPDATE commitments SET remaining_hours = remaining_hours + 0.1 WHERE status = 'open' AND id % 4 = 0",
        ),
        (
            "written with nothing counted changing",
            "UPDATE commitments SET title = title || '.' WHERE id % 3 = 0",
        ),
        ("removed", "DELETE FROM commitments WHERE id % 23 = 0"),
    ] {
        sqlx::query(sql).execute(store.pool()).await.unwrap();
        check(backend, &store, today, what).await;
    }
    // Days pass without the worker, then it catches up; the clock goes back; a long jump.
    for (now, what) in [
        (NOW + 3 * 86_400, "three days without a move"),
        (NOW + 86_400, "the clock set back"),
        (NOW + 400 * 86_400, "a move over more than a year"),
    ] {
        let today = local_date(None, now);
        check(backend, &store, today, what).await;
        trellis_core::work::reports::roll_trailing_windows(&store, now)
            .await
            .unwrap();
        check(backend, &store, today, &format!("{what}, then a move")).await;
    }
}

backend_tests!(a_move_while_work_changes_loses_nothing);
async fn a_move_while_work_changes_loses_nothing(backend: &'static str) {
    let (_db, store) = organisation(backend).await;
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM commitments ORDER BY id")
        .fetch_all(store.pool())
        .await
        .unwrap();
    // Writers complete and reopen work around the window's edges while the windows move
    // back and forth a day at a time.
    let writers = (0..4).map(|w| {
        let store = store.clone();
        let ids = ids.clone();
        tokio::spawn(async move {
            for (i, id) in ids.iter().enumerate().filter(|(i, _)| i % 4 == w).take(60) {
                let due = if i % 2 == 0 {
                    "2026-08-25"
                } else {
                    "2026-11-22"
                };
                sqlx::query(
                    "UPDATE commitments SET status = 'done', completed_on = $1, \
                     agreed_due_date = $1, due_date = $1, remaining_hours = 0 WHERE id = $2",
                )
                .bind(due)
                .bind(id)
                .execute(store.pool())
                .await
                .unwrap();
            }
        })
    });
    let writers: Vec<_> = writers.collect();
    for step in 0..20 {
        let now = NOW + (step % 3) * 86_400;
        trellis_core::work::reports::roll_trailing_windows(&store, now)
            .await
            .unwrap();
    }
    for w in writers {
        w.await.unwrap();
    }
    let [kept, recounted] = kept_and_recounted(&store).await;
    assert_eq!(kept, recounted, "{backend}");
    check(
        backend,
        &store,
        local_date(None, NOW + 2 * 86_400),
        "moves among writers",
    )
    .await;
}

backend_tests!(a_read_while_the_spans_move_is_exact);
async fn a_read_while_the_spans_move_is_exact(backend: &'static str) {
    let (_db, store) = organisation(backend).await;
    let today = local_date(None, NOW + 2 * 86_400);
    let window = Window::ending(today, 90);
    let until = today + chrono::Duration::days(13);
    trellis_core::work::reports::roll_trailing_windows(&store, NOW)
        .await
        .unwrap();
    let want = (
        store.delivery_by_owner(None, window, today).await.unwrap(),
        store.remaining_effort(None, until).await.unwrap(),
    );
    // Readers read the same window and horizon while the spans move forward a day at a
    // time, as the worker moves them: wherever a move lands, every read is the same.
    let moving = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (store, moving, want) = (store.clone(), moving.clone(), want.clone());
            tokio::spawn(async move {
                let mut reads = 0;
                while moving.load(std::sync::atomic::Ordering::Relaxed) || reads == 0 {
                    let got = (
                        store.delivery_by_owner(None, window, today).await.unwrap(),
                        store.remaining_effort(None, until).await.unwrap(),
                    );
                    assert!(got.0 == want.0, "{backend}: delivery read during moves");
                    assert_eq!(got.1.len(), want.1.len(), "{backend}: owners with effort");
                    for ((o, g), (w, h)) in got.1.iter().zip(&want.1) {
                        assert!(o == w && (g - h).abs() < 1e-6, "{backend}: effort of {o}");
                    }
                    reads += 1;
                }
            })
        })
        .collect();
    for step in 1..=30 {
        trellis_core::work::reports::roll_trailing_windows(&store, NOW + step * 86_400)
            .await
            .unwrap();
    }
    moving.store(false, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        r.await.unwrap();
    }
}

backend_tests!(work_moved_both_ways_at_once_does_not_deadlock);
async fn work_moved_both_ways_at_once_does_not_deadlock(backend: &'static str) {
    let (_db, store) = organisation(backend).await;
    trellis_core::work::reports::roll_trailing_windows(&store, NOW)
        .await
        .unwrap();
    // One owner's open work, moved between two months in opposite directions by eight
    // writers at once: each change takes from one month and adds to the other.
    let owner: i64 = sqlx::query_scalar(
        "SELECT accountable_id FROM commitments WHERE accountable_id IS NOT NULL \
         GROUP BY accountable_id ORDER BY COUNT(*) DESC LIMIT 1",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM commitments WHERE accountable_id = $1 AND status = 'open' ORDER BY id",
    )
    .bind(owner)
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert!(ids.len() >= 4, "{backend}: an owner with open work");
    let writers = (0..8).map(|w| {
        let (store, ids) = (store.clone(), ids.clone());
        tokio::spawn(async move {
            for round in 0..40 {
                for (i, id) in ids.iter().enumerate() {
                    let due = if (i + w + round) % 2 == 0 {
                        "2026-08-25"
                    } else {
                        "2026-11-22"
                    };
                    sqlx::query(
                        "UPDATE commitments SET agreed_due_date = $1, due_date = $1 WHERE id = $2",
                    )
                    .bind(due)
                    .bind(id)
                    .execute(store.pool())
                    .await
                    .unwrap_or_else(|e| panic!("{backend}: {e}"));
                }
            }
        })
    });
    for w in writers.collect::<Vec<_>>() {
        w.await.unwrap();
    }
    let [kept, recounted] = kept_and_recounted(&store).await;
    assert_eq!(kept, recounted, "{backend}");
}
