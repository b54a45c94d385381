//! Connection programmes on a real database, both backends: creating one (and refusing bad
//! input with nothing written), rounds that respect opt-outs, snoozes, absences and private
//! exclusions, outcomes, and the figures.

use chrono::NaiveDate;
use std::collections::HashSet;
use trellis_core::connect::programmes::{
    Audience, Choice, ProgrammeInput, create_programme, set_choice, set_exclusion,
};
use trellis_core::connect::rounds::{Outcome, coverage_of, met_of, run_round, set_outcome};
use trellis_core::demo;
use trellis_core::ids::{AccountId, PersonId};
use trellis_core::org::import::{ImportOptions, plan_import};
use trellis_core::store::prelude::*;
use trellis_core::{CoreError, Viewer};
use trellis_store::backend_tests;
use trellis_store::testing::TestDatabase;

/// 2026-03-02, a Monday, at noon UTC.
const MONDAY: i64 = 1_772_452_800;
const WEEK: i64 = 7 * 86_400;

async fn org(backend: &str, size: usize) -> (TestDatabase, trellis_store::SqlStore, Vec<PersonId>) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let org = demo::generate(size, 42);
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
    // The active people (the demo has some who left).
    let mut ids: Vec<PersonId> = store
        .org_people()
        .await
        .unwrap()
        .iter()
        .filter(|p| p.record.status == trellis_core::org::PersonStatus::Active)
        .map(|p| p.id)
        .collect();
    ids.sort();
    (db, store, ids)
}

fn person(id: PersonId) -> Viewer {
    Viewer::signed_in(AccountId(id.0), id, false, 0)
}

fn input(audience: &str, group_size: i64, first: NaiveDate) -> ProgrammeInput {
    ProgrammeInput {
        name: "Coffee roulette".into(),
        audience: audience.into(),
        audience_value: None,
        people: None,
        rhythm_weeks: 2,
        group_size,
        odd_one: None,
        prefer_across: None,
        first_round_on: first,
    }
}

fn fields(error: CoreError) -> Vec<String> {
    match error {
        CoreError::Invalid(fields) => fields
            .into_iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect(),
        other => panic!("expected field errors, got {other:?}"),
    }
}

backend_tests!(a_programme_is_checked_and_nothing_is_written_when_it_is_wrong);
async fn a_programme_is_checked_and_nothing_is_written_when_it_is_wrong(backend: &'static str) {
    let (_db, store, ids) = org(backend, 30).await;
    let admin = Viewer::signed_in(AccountId(1), ids[0], true, 0);
    let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let mut wrong = input("department", 4, monday.pred_opt().unwrap());
    wrong.rhythm_weeks = 3;
    wrong.name = " ".into();
    let errors = fields(
        create_programme(&store, &admin, &wrong, MONDAY)
            .await
            .unwrap_err(),
    );
    for expected in [
        "name: give a name of 1 to 200 characters",
        "audience_value: name the department",
        "rhythm_weeks: rounds run every 1, 2 or 4 weeks",
        "group_size: a group size of 4 is not offered: choose 2 (pairs) or 3 (trios)",
        "first_round_on: the first round cannot be in the past (today is 2026-03-02)",
    ] {
        assert!(
            errors.contains(&expected.to_string()),
            "{backend}: {expected} not in {errors:?}"
        );
    }
    let mut one = input("list", 2, monday);
    one.people = Some(vec![ids[3].0]);
    let errors = fields(
        create_programme(&store, &admin, &one, MONDAY)
            .await
            .unwrap_err(),
    );
    assert_eq!(
        errors,
        [
            "audience: a connection programme needs at least 2 people; this audience has 1 person active"
        ]
    );
    assert!(
        store.programmes().await.unwrap().is_empty(),
        "{backend}: nothing written"
    );

    // Someone who is not an admin creates one only for their own tree.
    let refused = create_programme(
        &store,
        &person(ids[5]),
        &input("everyone", 2, monday),
        MONDAY,
    )
    .await;
    assert!(
        matches!(refused, Err(CoreError::Forbidden(_))),
        "{backend}: {refused:?}"
    );
}

backend_tests!(rounds_respect_choices_absences_and_private_exclusions);
async fn rounds_respect_choices_absences_and_private_exclusions(backend: &'static str) {
    let (_db, store, ids) = org(backend, 31).await;
    let admin = Viewer::signed_in(AccountId(1), ids[0], true, 0);
    let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let id = create_programme(&store, &admin, &input("everyone", 2, monday), MONDAY)
        .await
        .unwrap();
    let programme = store.programme(id).await.unwrap().unwrap();
    assert_eq!(programme.audience, Audience::Everyone);
    let (out, snoozed, away, excluder, excluded) = (ids[1], ids[2], ids[3], ids[4], ids[5]);
    set_choice(
        &store,
        &person(out),
        id,
        &Choice {
            opted_out: true,
            snoozed_until: None,
        },
        MONDAY,
    )
    .await
    .unwrap();
    let until = monday + chrono::Duration::days(10);
    set_choice(
        &store,
        &person(snoozed),
        id,
        &Choice {
            opted_out: false,
            snoozed_until: Some(until),
        },
        MONDAY,
    )
    .await
    .unwrap();
    store
        .add_absence(away, monday, monday + chrono::Duration::days(2), "Holiday")
        .await
        .unwrap();
    set_exclusion(&store, &person(excluder), excluded, true, MONDAY)
        .await
        .unwrap();
    assert_eq!(store.exclusions_by(excluder).await.unwrap(), vec![excluded]);
    assert!(
        store.exclusions_by(excluded).await.unwrap().is_empty(),
        "{backend}: only the person who excluded sees it"
    );

    run_round(&store, Some(&admin), id, MONDAY).await.unwrap();
    let rounds = store.connect_rounds(id).await.unwrap();
    let first = &rounds[0];
    let grouped: Vec<PersonId> = first
        .groups
        .iter()
        .flat_map(|g| g.members.iter().map(|m| m.0))
        .collect();
    for skipped in [out, snoozed, away] {
        assert!(
            !grouped.contains(&skipped) && !first.sit_out.contains(&skipped),
            "{backend}"
        );
    }
    assert_eq!(
        grouped.len() + first.sit_out.len(),
        ids.len() - 3,
        "{backend}: everyone active less the three"
    );
    assert_eq!(
        first.members as usize,
        ids.len() - 1,
        "{backend}: the opted-out person is not a member"
    );
    assert!(
        first.summary.contains("2 people not taking part this time"),
        "{backend}: {}",
        first.summary
    );
    assert!(
        !first.summary.contains("absent") && !first.summary.contains("snooze"),
        "{backend}"
    );

    // Forty rounds in all, two weeks apart: the excluded pair never meets, the opted-out
    // person never takes part, the snoozed person does once the snooze is over.
    for round in 1..40 {
        run_round(&store, None, id, MONDAY + round * 2 * WEEK)
            .await
            .unwrap();
    }
    let rounds = store.connect_rounds(id).await.unwrap();
    assert_eq!(rounds.len(), 40);
    let mut pairs: HashSet<(PersonId, PersonId)> = HashSet::new();
    for group in rounds.iter().flat_map(|r| &r.groups) {
        let people: Vec<PersonId> = group.members.iter().map(|m| m.0).collect();
        assert!(
            !(people.contains(&excluder) && people.contains(&excluded)),
            "{backend}"
        );
        assert!(!people.contains(&out), "{backend}");
        for a in &people {
            for b in &people {
                if a < b {
                    pairs.insert((*a, *b));
                }
            }
        }
    }
    assert!(
        rounds[1]
            .groups
            .iter()
            .any(|g| g.members.iter().any(|m| m.0 == snoozed)),
        "{backend}"
    );
    // n members, one excluded pair: n(n − 1)/2 − 1 allowed pairs; with the absences made
    // up for, all have met by now.
    let n = ids.len() - 1;
    assert_eq!(pairs.len(), n * (n - 1) / 2 - 1, "{backend}");
    let coverage = coverage_of(&store, &programme, monday).await.unwrap();
    assert_eq!(coverage.by_round.len(), 40);
    assert_eq!(*coverage.by_round.last().unwrap(), 1.0, "{backend}");
    assert!(
        coverage.by_round.windows(2).all(|w| w[0] <= w[1]),
        "{backend}"
    );
    // The person who was excluded reads the same denominator as everyone.
    assert_eq!(
        met_of(&store, &programme, excluded).await.unwrap(),
        (n - 2, n - 1),
        "{backend}"
    );
    assert_eq!(
        met_of(&store, &programme, ids[9]).await.unwrap(),
        (n - 1, n - 1),
        "{backend}"
    );

    // The preview goes on from the history without saving: every pair has met, so the
    // next rounds are repeats of pairs that met longest ago.
    let preview = trellis_core::connect::rounds::preview_programme(&store, &admin, id, 3, MONDAY)
        .await
        .unwrap();
    assert_eq!(preview.rounds[0].round, 41);
    assert!(
        preview
            .rounds
            .iter()
            .all(|r| r.new_pairs == 0 && r.coverage == 1.0),
        "{backend}: {preview:?}"
    );
    assert_eq!(
        store.connect_rounds(id).await.unwrap().len(),
        40,
        "{backend}: nothing saved"
    );
    // A group member says they met, or could not; nobody else may.
    let group = rounds[39].groups[0].clone();
    let stranger = ids
        .iter()
        .copied()
        .find(|p| !group.members.iter().any(|m| m.0 == *p) && *p != out)
        .unwrap();
    let refused = set_outcome(&store, &person(stranger), group.id, Outcome::Met, MONDAY).await;
    assert!(
        matches!(refused, Err(CoreError::NotFound(_))),
        "{backend}: {refused:?}"
    );
    let member = group.members[0].0;
    set_outcome(&store, &person(member), group.id, Outcome::Missed, MONDAY)
        .await
        .unwrap();
    let (_, stored) = store.connect_group(group.id).await.unwrap().unwrap();
    assert_eq!(stored.outcome, Some(Outcome::Missed));
    // A connection that met is an interaction for the influence metrics; one that could
    // not meet is not.
    let held = store.held_interactions(0).await.unwrap();
    let pair = |g: &trellis_core::connect::rounds::StoredGroup| (g.members[0].0, g.members[1].0);
    assert!(!held.contains(&pair(&group)), "{backend}");
    let other = rounds[39].groups[1].clone();
    set_outcome(
        &store,
        &person(other.members[1].0),
        other.id,
        Outcome::Met,
        MONDAY,
    )
    .await
    .unwrap();
    let held = store.held_interactions(0).await.unwrap();
    assert!(held.contains(&pair(&other)), "{backend}: {held:?}");
}

backend_tests!(a_round_is_written_once_and_the_worker_runs_due_rounds);
async fn a_round_is_written_once_and_the_worker_runs_due_rounds(backend: &'static str) {
    let (_db, store, ids) = org(backend, 20).await;
    let admin = Viewer::signed_in(AccountId(1), ids[0], true, 0);
    let monday = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let id = create_programme(&store, &admin, &input("everyone", 3, monday), MONDAY)
        .await
        .unwrap();
    // Two instances run the same due round at once: one writes it, the other is told.
    let (a, b) = tokio::join!(
        run_round(&store, None, id, MONDAY),
        run_round(&store, None, id, MONDAY)
    );
    let rounds = store.connect_rounds(id).await.unwrap();
    assert_eq!(rounds.len(), 1, "{backend}");
    let refused = a.err().or(b.err()).expect("one of them is refused");
    let refused = refused.to_string();
    assert!(
        refused.contains("round 1 of this programme has already been run")
            || refused.contains("round 2 is not due yet"),
        "{backend}: {refused}"
    );
    assert!(
        rounds[0]
            .groups
            .iter()
            .all(|g| g.members.len() == 3 || g.members.len() == 2)
    );
    // Each group's 30 minutes fall in every member's working hours (09:00–17:00 on
    // weekdays, the default) in their own zone, in the two weeks after the round; members
    // of one zone always get a slot.
    let zones: std::collections::HashMap<PersonId, chrono_tz::Tz> = store
        .org_people()
        .await
        .unwrap()
        .into_iter()
        .map(|p| {
            let zone = p.record.time_zone.as_deref().and_then(|z| z.parse().ok());
            (p.id, zone.unwrap_or(chrono_tz::UTC))
        })
        .collect();
    let mut slots = Vec::new();
    for group in &rounds[0].groups {
        let members: Vec<chrono_tz::Tz> = group.members.iter().map(|m| zones[&m.0]).collect();
        let Some(slot) = group.suggested_at else {
            assert!(
                members.iter().any(|z| *z != members[0]),
                "{backend}: {group:?}"
            );
            continue;
        };
        slots.push(slot);
        assert!(slot > MONDAY && slot < MONDAY + 16 * 86_400, "{slot}");
        for zone in members {
            let local = chrono::DateTime::from_timestamp(slot, 0)
                .unwrap()
                .with_timezone(&zone);
            use chrono::{Datelike, Timelike};
            assert!(local.weekday().number_from_monday() <= 5, "{local}");
            assert!((9..17).contains(&local.hour()), "{local}");
        }
    }
    assert!(
        slots.len() > 1 && slots.iter().any(|s| *s != slots[0]),
        "{slots:?}"
    );
    // Everyone placed hears whom they meet.
    let someone = rounds[0].groups[0].members[0].0;
    let notes = store.notifications_of(someone, 10).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.note.text.starts_with("Coffee roulette: you meet ")
                && n.note.text.ends_with(
                    " your time, for 30 minutes (or find another time in the next 2 weeks)."
                )
                && n.note.link == format!("/connect/{id}")),
        "{backend}: {notes:?}"
    );

    // The worker's pass: nothing due a week later, round 2 two weeks later, once.
    use trellis_core::connect::rounds::run_due;
    assert_eq!(run_due(&store, MONDAY + WEEK).await.unwrap(), 0);
    assert_eq!(run_due(&store, MONDAY + 2 * WEEK).await.unwrap(), 1);
    assert_eq!(run_due(&store, MONDAY + 2 * WEEK + 3600).await.unwrap(), 0);
    assert_eq!(
        store.connect_rounds(id).await.unwrap().len(),
        2,
        "{backend}"
    );
}
