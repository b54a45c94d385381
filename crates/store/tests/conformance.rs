//! The store conformance suite: every test runs on SQLite, and on PostgreSQL when
//! `TRELLIS_TEST_DATABASE_URL` is set.

use trellis_core::demo;
use trellis_core::jobs::JobOutcome;
use trellis_core::org::PeopleFilter;
use trellis_core::org::export::write_people_csv;
use trellis_core::org::import::{ImportOptions, MassLeave, parse_people_csv, plan_import};
use trellis_core::store::prelude::*;
use trellis_store::backend_tests;
use trellis_store::testing::{TestDatabase, backends};

async fn demo_store(backend: &str, size: usize) -> (TestDatabase, trellis_store::SqlStore) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    import_demo(&store, size).await;
    (db, store)
}

async fn import_demo(store: &trellis_store::SqlStore, size: usize) {
    let org = demo::generate(size, 42);
    for level in demo::demo_levels() {
        store.upsert_level(&level).await.unwrap();
    }
    let plan = plan_import(
        org.as_import(),
        &store.org_snapshot().await.unwrap(),
        ImportOptions::default(),
    );
    assert!(plan.is_valid(), "{:?}", plan.errors);
    let summary = store
        .apply_import(
            &plan,
            &trellis_core::org::imports::import_record(&plan, None, "people.csv", 0),
        )
        .await
        .unwrap();
    assert_eq!(summary.created, size);
}

backend_tests!(an_export_imported_again_changes_nothing);
async fn an_export_imported_again_changes_nothing(backend: &'static str) {
    let (_db, store) = demo_store(backend, 300).await;
    let mut csv = Vec::new();
    write_people_csv(&store.org_snapshot().await.unwrap(), &mut csv).unwrap();
    let plan = plan_import(
        parse_people_csv(&csv),
        &store.org_snapshot().await.unwrap(),
        ImportOptions::default(),
    );
    assert!(plan.is_valid(), "{backend}: {:?}", plan.errors);
    assert!(
        plan.is_empty(),
        "{backend}: {} updates, first {:?}",
        plan.updates.len(),
        plan.updates.first()
    );
    assert_eq!(plan.unchanged, 300, "{backend}");
    let counts = store.counts().await.unwrap();
    assert_eq!(counts.people, 300, "{backend}");
}

backend_tests!(reporting_lines_read_back_as_imported);
async fn reporting_lines_read_back_as_imported(backend: &'static str) {
    let (_db, store) = demo_store(backend, 120).await;
    let tops = store.top_of_tree().await.unwrap();
    assert_eq!(tops.len(), 1, "{backend}: one CEO");
    let ceo = &tops[0];
    assert_eq!(ceo.report_count, 6, "{backend}: six department heads");
    let heads = store.direct_reports(ceo.id).await.unwrap();
    assert_eq!(heads.len(), 6);
    let below = store.direct_reports(heads[0].id).await.unwrap();
    let chain = store.manager_chain(below[0].id).await.unwrap();
    assert_eq!(
        chain.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![heads[0].id, ceo.id],
        "{backend}: nearest manager first"
    );
}

backend_tests!(an_update_writes_only_what_changed_and_search_follows_it);
async fn an_update_writes_only_what_changed_and_search_follows_it(backend: &'static str) {
    use trellis_core::org::people::PersonFields;
    let (_db, store) = demo_store(backend, 120).await;
    let id = store.top_of_tree().await.unwrap()[0].id;
    let person = store.person(id).await.unwrap().unwrap();
    let before = PersonFields::from(&person);
    let mut after = before.clone();
    after.title = Some("Keeper of the Zeppelin".into());
    let mut work = store.begin_org_write().await.unwrap();
    work.update_person(id, &before, &after).await.unwrap();
    work.commit().await.unwrap();
    let read = store.person(id).await.unwrap().unwrap();
    assert_eq!(
        read.title.as_deref(),
        Some("Keeper of the Zeppelin"),
        "{backend}"
    );
    assert_eq!(
        PersonFields::from(&read),
        after,
        "{backend}: everything else as it was"
    );
    let found = store
        .list_people(&PeopleFilter {
            query: Some("zeppelin".into()),
            per_page: 10,
            page: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1, "{backend}: the new title is searched");
    // Nothing changed, and nobody there: still not found.
    let mut work = store.begin_org_write().await.unwrap();
    let missing = work
        .update_person(trellis_core::PersonId(999_999), &after, &after)
        .await;
    assert!(
        matches!(missing, Err(trellis_core::CoreError::NotFound(_))),
        "{backend}: {missing:?}"
    );
}

backend_tests!(directory_search_filters_and_pages);
async fn directory_search_filters_and_pages(backend: &'static str) {
    let (_db, store) = demo_store(backend, 200).await;
    let all = store
        .list_people(&PeopleFilter {
            per_page: 50,
            page: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(all.items.len(), 50);
    let someone = &all.items[7];
    let found = store
        .list_people(&PeopleFilter {
            query: Some(someone.email.to_uppercase()),
            per_page: 50,
            page: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.total, 1, "{backend}");
    assert_eq!(found.items[0].id, someone.id);
    let none = store
        .list_people(&PeopleFilter {
            query: Some("zz_nobody%".into()),
            per_page: 50,
            page: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(none.total, 0, "{backend}: % is matched literally");
}

backend_tests!(a_reimport_updates_changes_managers_and_deactivates);
async fn a_reimport_updates_changes_managers_and_deactivates(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let first = "Employee Id,Email,Name,Manager Email,Title,Skills\n\
                 E1,ada@x.org,Ada,,CEO,strategy:5\n\
                 E2,bob@x.org,Bob,ada@x.org,CTO,rust:4\n\
                 E3,cy@x.org,Cy,bob@x.org,Engineer,rust:2+; sql:3\n";
    let plan = plan_import(
        parse_people_csv(first.as_bytes()),
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
    // Cy now reports to Ada, Bob is missing from the file and is deactivated.
    let second = "Employee Id,Email,Name,Manager Email,Title,Skills\n\
                  E1,ada@x.org,Ada,,CEO,strategy:5\n\
                  E3,cy@x.org,Cy,ada@x.org,Senior Engineer,rust:3+\n";
    let plan = plan_import(
        parse_people_csv(second.as_bytes()),
        &store.org_snapshot().await.unwrap(),
        ImportOptions {
            deactivate_missing: true,
            mass_leave: MassLeave::Allow,
            importer: None,
        },
    );
    assert!(plan.is_valid(), "{:?}", plan.errors);
    let summary = store
        .apply_import(
            &plan,
            &trellis_core::org::imports::import_record(&plan, None, "people.csv", 0),
        )
        .await
        .unwrap();
    assert_eq!(
        (summary.updated, summary.unchanged, summary.deactivated),
        (1, 1, 1),
        "{backend}"
    );
    let cy = store.person_id_by_email("cy@x.org").await.unwrap().unwrap();
    let person = store.person(cy).await.unwrap().unwrap();
    assert_eq!(person.title.as_deref(), Some("Senior Engineer"));
    let chain = store.manager_chain(cy).await.unwrap();
    assert_eq!(chain.len(), 1);
    assert_eq!(chain[0].email, "ada@x.org");
    let skills = store
        .person_neighbourhood(cy)
        .await
        .unwrap()
        .unwrap()
        .skills;
    assert_eq!(skills.len(), 1);
    assert!(skills[0].wants_to_grow);
    let bob = store
        .person_id_by_email("bob@x.org")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.person(bob).await.unwrap().unwrap().status.as_str(),
        "left"
    );
}

backend_tests!(sessions_expire_and_can_be_deleted);
async fn sessions_expire_and_can_be_deleted(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let plan = plan_import(
        parse_people_csv(b"Email,Name\nada@x.org,Ada\n"),
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
    let ada = store
        .person_id_by_email("ada@x.org")
        .await
        .unwrap()
        .unwrap();
    let account = store.create_account(ada, "hash", true).await.unwrap();
    store
        .create_session(account, "digest", "csrf", 1_000)
        .await
        .unwrap();
    let live = store.session("digest", 500).await.unwrap().unwrap();
    assert_eq!(live.account.email, "ada@x.org");
    assert!(live.account.is_admin);
    assert!(
        store
            .session("digest", 2_000_000_000)
            .await
            .unwrap()
            .is_none(),
        "{backend}: expired"
    );
    store.delete_session("digest").await.unwrap();
    assert!(store.session("digest", 500).await.unwrap().is_none());
    assert!(
        store.create_account(ada, "hash", false).await.is_err(),
        "one account per person"
    );
}

backend_tests!(a_unit_of_work_commits_whole_or_not_at_all);
/// A unit of work writes a person, their skills, history and audit line together; one
/// dropped before its commit leaves no trace.
async fn a_unit_of_work_commits_whole_or_not_at_all(backend: &'static str) {
    use trellis_core::audit::AuditEntry;
    use trellis_core::org::history::{FieldChange, HistoryField};
    use trellis_core::org::people::PersonFields;
    use trellis_core::org::store::ChangeRecord;
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let fields = |email: &str| PersonFields {
        employee_id: None,
        name: "Ada Lovelace".into(),
        preferred_name: None,
        email: email.into(),
        title: None,
        level_id: None,
        team_id: None,
        manager_id: None,
        location: None,
        time_zone: None,
        start_date: None,
        status: trellis_core::org::PersonStatus::Active,
    };
    let audit = |subject: &str| AuditEntry {
        at: 1_000,
        actor: None,
        action: "person.create".into(),
        subject: subject.into(),
        detail: String::new(),
    };
    let skills = [trellis_core::org::SkillLevel {
        skill: "rust".into(),
        level: 4,
        wants_to_grow: true,
    }];

    let mut work = store.begin_org_write().await.unwrap();
    let dropped = work.create_person(&fields("gone@x.org")).await.unwrap();
    work.set_skills(dropped, &skills).await.unwrap();
    work.audit(&audit("dropped")).await.unwrap();
    drop(work);
    assert!(
        store
            .person_id_by_email("gone@x.org")
            .await
            .unwrap()
            .is_none(),
        "{backend}"
    );
    assert!(store.audit_log(10).await.unwrap().is_empty(), "{backend}");

    let mut work = store.begin_org_write().await.unwrap();
    let ada = work.create_person(&fields("ada@x.org")).await.unwrap();
    work.set_skills(ada, &skills).await.unwrap();
    let title = FieldChange {
        field: HistoryField::Title,
        before: None,
        after: Some("Analyst".into()),
    };
    let record = ChangeRecord {
        audit: audit("kept"),
        effective_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
        source: "api",
        notices: Vec::new(),
    };
    work.record_history(&[(ada, &title)], &record)
        .await
        .unwrap();
    work.audit(&record.audit).await.unwrap();
    work.commit().await.unwrap();
    assert_eq!(
        store.person_id_by_email("ada@x.org").await.unwrap(),
        Some(ada)
    );
    let around = store.person_neighbourhood(ada).await.unwrap().unwrap();
    assert_eq!(around.skills.len(), 1, "{backend}");
    assert_eq!(
        store.person_history(ada).await.unwrap().len(),
        1,
        "{backend}"
    );
    assert_eq!(store.audit_log(10).await.unwrap().len(), 1, "{backend}");
}

backend_tests!(a_placement_given_on_a_filled_opportunity_leaves_no_work_behind);
/// Two managers give the same opportunity at once: the second unit of work finds it filled,
/// and neither its commitment nor its placement is written.
async fn a_placement_given_on_a_filled_opportunity_leaves_no_work_behind(backend: &'static str) {
    use trellis_core::growth::opportunities::{CandidateConsent, NewOpportunity, NewPlacement};
    use trellis_core::work::store::CommitmentOrder;
    let (_db, store) = demo_store(backend, 150).await;
    let people = store.top_of_tree().await.unwrap();
    let (poster, person) = (
        people[0].id,
        store.direct_reports(people[0].id).await.unwrap()[0].id,
    );
    let opportunity = store
        .create_opportunity(&NewOpportunity {
            title: "Lead the migration".into(),
            description: String::new(),
            poster,
            hours_per_week: 4.0,
            weeks: 6,
            needs_manager_approval: false,
            requirements: Vec::new(),
            created_at: 1_000,
        })
        .await
        .unwrap();
    let give = |title: &'static str| {
        let store = &store;
        async move {
            let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
            let mut work = store.begin_growth_write().await?;
            let commitment = work
                .create_commitment(&trellis_core::work::NewCommitment {
                    title: title.into(),
                    description: String::new(),
                    owner: person,
                    requester: Some(poster),
                    objective: None,
                    due_date: day,
                    effort_hours: 24.0,
                    skills: Vec::new(),
                    created_at: 1_000,
                    created_on: day,
                })
                .await?;
            let placement = NewPlacement {
                opportunity,
                person,
                explanation: String::new(),
                proposed_by: poster,
                proposed_at: 1_000,
                candidate_consent: CandidateConsent::NotAsked,
            };
            work.create_placement(&placement, Some(commitment)).await?;
            work.fill_opportunity(opportunity).await?;
            work.commit().await
        }
    };
    give("first").await.unwrap();
    let second = give("second").await;
    assert!(
        matches!(second, Err(trellis_core::CoreError::Conflict(_))),
        "{backend}: {second:?}"
    );
    assert_eq!(
        store.placements(opportunity).await.unwrap().len(),
        1,
        "{backend}"
    );
    let titles: Vec<String> = store
        .open_commitments(&[person], CommitmentOrder::DueDate, None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.title)
        .collect();
    assert!(
        titles.contains(&"first".to_string()),
        "{backend}: {titles:?}"
    );
    assert!(
        !titles.contains(&"second".to_string()),
        "{backend}: {titles:?}"
    );
}

backend_tests!(a_unit_of_work_keeps_its_notifications_and_audit_line_only_when_it_commits);
async fn a_unit_of_work_keeps_its_notifications_and_audit_line_only_when_it_commits(
    backend: &'static str,
) {
    use trellis_core::audit::AuditEntry;
    use trellis_core::notify::{Notification, Topic};
    let (_db, store) = demo_store(backend, 120).await;
    let person = store.top_of_tree().await.unwrap()[0].id;
    let before = store.audit_log(1000).await.unwrap().len();
    let note = |text: &str| {
        Notification::new(
            person,
            Topic::WorkReassigned,
            text.into(),
            "/plate".into(),
            7,
        )
    };
    let audit = AuditEntry {
        at: 7,
        actor: Some(person),
        action: "test.write".into(),
        subject: "test".into(),
        detail: String::new(),
    };
    {
        let mut work = store.begin_work_write().await.unwrap();
        work.notify(&note("dropped")).await.unwrap();
        work.audit(&audit).await.unwrap();
        // Dropped without a commit: nothing is kept.
    }
    assert!(
        store.notifications_of(person, 10).await.unwrap().is_empty(),
        "{backend}"
    );
    assert_eq!(
        store.audit_log(1000).await.unwrap().len(),
        before,
        "{backend}"
    );

    let mut work = store.begin_work_write().await.unwrap();
    work.notify_all(&[note("first"), note("second")])
        .await
        .unwrap();
    work.audit(&audit).await.unwrap();
    work.commit().await.unwrap();
    let kept = store.notifications_of(person, 10).await.unwrap();
    let texts: Vec<&str> = kept.iter().map(|k| k.note.text.as_str()).collect();
    assert_eq!(texts, ["second", "first"], "{backend}: newest first");
    assert_eq!(kept[0].note, note("second"), "{backend}");
    assert_eq!(kept[0].read_at, None, "{backend}");
    assert_eq!(
        store.audit_log(1000).await.unwrap().len(),
        before + 1,
        "{backend}"
    );
}

backend_tests!(an_upload_kept_for_its_commit_is_stored_compressed_and_read_back_as_sent);
async fn an_upload_kept_for_its_commit_is_stored_compressed_and_read_back_as_sent(
    backend: &'static str,
) {
    use trellis_core::org::store::PendingImport;
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let plan = plan_import(
        parse_people_csv(b"Email,Name\nada@x.org,Ada\n"),
        &store.org_snapshot().await.unwrap(),
        ImportOptions::default(),
    );
    let record = trellis_core::org::imports::import_record(&plan, None, "people.csv", 0);
    store.apply_import(&plan, &record).await.unwrap();
    let ada = store
        .person_id_by_email("ada@x.org")
        .await
        .unwrap()
        .unwrap();
    let account = store.create_account(ada, "hash", true).await.unwrap();
    let csv: Vec<u8> = std::iter::once("Email,Name\n".to_string())
        .chain((0..20_000).map(|i| format!("person{i}@example.com,Person Number {i}\n")))
        .collect::<String>()
        .into_bytes();
    let upload = |content: Vec<u8>| PendingImport {
        file_name: "people.csv".into(),
        content,
        deactivate_missing: true,
    };
    store
        .save_pending_import("kept", account, upload(csv.clone()), 1_000)
        .await
        .unwrap();
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT content FROM pending_imports WHERE id = 'kept'")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert!(stored.starts_with(&[0x1f, 0x8b]), "{backend}: gzip");
    assert!(
        stored.len() * 4 < csv.len(),
        "{backend}: {} bytes",
        stored.len()
    );
    let back = store
        .take_pending_import("kept", account)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.content, csv, "{backend}: the file as it was sent");
    assert_eq!(back.file_name, "people.csv");
    assert!(back.deactivate_missing);
    assert!(
        store
            .take_pending_import("kept", account)
            .await
            .unwrap()
            .is_none()
    );

    // A preview that cannot be applied throws its file away.
    store
        .save_pending_import("refused", account, upload(csv.clone()), 1_000)
        .await
        .unwrap();
    store
        .discard_pending_import("refused", account)
        .await
        .unwrap();
    assert!(
        store
            .take_pending_import("refused", account)
            .await
            .unwrap()
            .is_none()
    );

    // Uploads kept before they were compressed are read as they were stored.
    sqlx::query(
        "INSERT INTO pending_imports (id, account_id, file_name, content, deactivate_missing, created_at) \
         VALUES ('plain', $1, 'old.csv', $2, 0, 1000)",
    )
    .bind(account.0)
    .bind(b"Email,Name\nbo@x.org,Bo\n".to_vec())
    .execute(store.pool())
    .await
    .unwrap();
    let plain = store
        .take_pending_import("plain", account)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(plain.content, b"Email,Name\nbo@x.org,Bo\n");
}

backend_tests!(a_write_made_elsewhere_is_read_at_once);
async fn a_write_made_elsewhere_is_read_at_once(backend: &'static str) {
    // Two instances on one database; `b` writes behind `a`'s back, some of it in plain
    // SQL as any other client of the database might.
    let (db, a) = demo_store(backend, 50).await;
    let b = db.store().await;
    let ceo = a.top_of_tree().await.unwrap()[0].id;
    let (_, reports) = a.person_with_reports(ceo).await.unwrap().unwrap();
    let around = a.person_neighbourhood(ceo).await.unwrap().unwrap();
    assert_ne!(around.person.title.as_deref(), Some("Chief Gardener"));
    let account = a.create_account(ceo, "hash", true).await.unwrap();
    a.create_session(account, "digest", "csrf", 2_000_000_000)
        .await
        .unwrap();
    assert!(a.session("digest", 500).await.unwrap().is_some());
    let mut settings = a.settings().await.unwrap();

    sqlx::query("UPDATE people SET title = 'Chief Gardener' WHERE id = $1")
        .bind(ceo.0)
        .execute(b.pool())
        .await
        .unwrap();
    let around = a.person_neighbourhood(ceo).await.unwrap().unwrap();
    assert_eq!(
        around.person.title.as_deref(),
        Some("Chief Gardener"),
        "{backend}: the person page"
    );
    sqlx::query("UPDATE people SET status = 'left' WHERE id = $1")
        .bind(reports[0].id.0)
        .execute(b.pool())
        .await
        .unwrap();
    let (person, now_reporting) = a.person_with_reports(ceo).await.unwrap().unwrap();
    assert_eq!(person.title.as_deref(), Some("Chief Gardener"), "{backend}");
    assert_eq!(
        now_reporting.len(),
        reports.len() - 1,
        "{backend}: the org chart without the person who left"
    );
    b.delete_session("digest").await.unwrap();
    assert!(
        a.session("digest", 500).await.unwrap().is_none(),
        "{backend}: signed out everywhere"
    );
    settings.organisation_name = "Renamed Inc".into();
    let mut work = b.begin_settings_write().await.unwrap();
    work.save_settings(&settings).await.unwrap();
    work.commit().await.unwrap();
    assert_eq!(
        a.settings().await.unwrap().organisation_name,
        "Renamed Inc",
        "{backend}"
    );
}

backend_tests!(a_session_renewed_on_another_instance_stays_valid_here);
async fn a_session_renewed_on_another_instance_stays_valid_here(backend: &'static str) {
    let (db, a) = demo_store(backend, 50).await;
    let b = db.store().await;
    let person = a.top_of_tree().await.unwrap()[0].id;
    let account = a.create_account(person, "hash", false).await.unwrap();
    let fortnight = trellis_core::auth::SESSION_DAYS * 86_400;
    a.create_session(account, "shared", "csrf", 100 + fortnight)
        .await
        .unwrap();
    // `a` reads it (and keeps a copy); later `b` renews it.
    assert!(a.session("shared", 100).await.unwrap().is_some());
    assert!(b.session("shared", 1_000_000).await.unwrap().is_some());
    // Past the expiry `a` saw, the session lives on.
    let later = 200 + fortnight;
    assert!(
        a.session("shared", later).await.unwrap().is_some(),
        "{backend}"
    );
}

/// PostgreSQL's change counters, which the read caches trust: one count per writing
/// transaction and area, none for a rolled-back one, exact under concurrent writers, and
/// every table that a cache may read counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_writing_transaction_is_counted_once() {
    if !backends().contains(&"postgres") {
        trellis_store::testing::skipped("TRELLIS_TEST_DATABASE_URL", "the change-counter test");
        return;
    }
    let (_db, store) = demo_store("postgres", 50).await;
    assert_every_write_is_counted_once(&store).await;
}

/// A database migrated with any earlier text of migration 0005 (which shipped as one
/// counter, then four areas, then 16 stripes per area) starts, and after the repair
/// migration counts changes exactly as one migrated with today's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_migrated_with_an_earlier_change_counter_is_repaired() {
    if !backends().contains(&"postgres") {
        trellis_store::testing::skipped("TRELLIS_TEST_DATABASE_URL", "the repair-migration test");
        return;
    }
    use sha2::Digest;
    let sha = |text: &str| {
        sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let earlier = [
        include_str!("fixtures/0005_change_counter_v1_one_counter.sql"),
        include_str!("fixtures/0005_change_counter_v2_four_areas.sql"),
        include_str!("fixtures/0005_change_counter_v3_sixteen_stripes.sql"),
    ];
    let before_0005 = [
        include_str!("../migrations/postgres/0001_org.sql"),
        include_str!("../migrations/postgres/0002_work.sql"),
        include_str!("../migrations/postgres/0003_growth.sql"),
        include_str!("../migrations/postgres/0004_mentoring.sql"),
    ];
    for (n, text_0005) in earlier.into_iter().enumerate() {
        let db = TestDatabase::new("postgres").await;
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        // The first database predates checksums; the others recorded the text they applied.
        let with_checksums = n > 0;
        sqlx::query(if with_checksums {
            "CREATE TABLE trellis_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
             applied_at BIGINT NOT NULL, checksum TEXT)"
        } else {
            "CREATE TABLE trellis_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
             applied_at BIGINT NOT NULL)"
        })
        .execute(&pool)
        .await
        .unwrap();
        for (i, text) in before_0005.iter().chain([&text_0005]).enumerate() {
            sqlx::raw_sql(sqlx::AssertSqlSafe(text.to_string()))
                .execute(&pool)
                .await
                .unwrap();
            let insert = if with_checksums {
                sqlx::query(
                    "INSERT INTO trellis_migrations (version, name, applied_at, checksum) \
                     VALUES ($1, 'earlier', 0, $2)",
                )
                .bind(i as i64 + 1)
                .bind(sha(text))
            } else {
                sqlx::query(
                    "INSERT INTO trellis_migrations (version, name, applied_at) \
                     VALUES ($1, 'earlier', 0)",
                )
                .bind(i as i64 + 1)
            };
            insert.execute(&pool).await.unwrap();
        }
        // Writes counted the earlier way.
        for _ in 0..3 {
            sqlx::query("UPDATE people SET title = title")
                .execute(&pool)
                .await
                .unwrap();
        }
        let old_total: i64 = sqlx::query_scalar("SELECT SUM(value)::BIGINT FROM change_counter")
            .fetch_one(&pool)
            .await
            .unwrap();
        pool.close().await;

        let store = db.store().await;
        let start: Vec<(String, i64)> =
            sqlx::query_as("SELECT area, SUM(value)::BIGINT FROM change_counter GROUP BY area")
                .fetch_all(store.pool())
                .await
                .unwrap();
        assert_eq!(start.len(), 4, "earlier text {n}: four areas: {start:?}");
        assert!(
            start.iter().all(|(_, value)| *value > old_total),
            "earlier text {n}: the counters restart above every earlier value ({old_total}): {start:?}"
        );
        import_demo(&store, 50).await;
        assert_every_write_is_counted_once(&store).await;
    }
}

async fn assert_every_write_is_counted_once(store: &trellis_store::SqlStore) {
    let pool = store.pool();
    let counts = || async {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("SELECT area, SUM(value)::BIGINT FROM change_counter GROUP BY area")
                .fetch_all(pool)
                .await
                .unwrap();
        rows.into_iter()
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let before = counts().await;
    let mut tx = pool.begin().await.unwrap();
    for title in ["One", "Two", "Three"] {
        sqlx::query("UPDATE people SET title = $1")
            .bind(title)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    sqlx::query("DELETE FROM person_skills")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let after = counts().await;
    assert_eq!(
        after["org"],
        before["org"] + 1,
        "one transaction, one count"
    );
    assert_eq!(
        after["sessions"], before["sessions"],
        "other areas untouched"
    );
    assert_eq!(after["other"], before["other"]);

    let mut tx = pool.begin().await.unwrap();
    sqlx::query("UPDATE people SET title = 'Never'")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(counts().await, after, "a rolled-back write counts nothing");

    sqlx::query("UPDATE teams SET name = name")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM commitments")
        .execute(pool)
        .await
        .unwrap();
    let later = counts().await;
    assert_eq!(
        later["org"],
        after["org"] + 1,
        "a statement on its own counts"
    );
    assert_eq!(later["other"], after["other"] + 1, "work is counted apart");

    // A session made and ended counts; its sliding renewal does not (every instance renews
    // on its own), and the session still reads as renewed.
    let person = store.top_of_tree().await.unwrap()[0].id;
    let account = store.create_account(person, "hash", false).await.unwrap();
    store
        .create_session(account, "renewed", "csrf", 1_000_000)
        .await
        .unwrap();
    let made = counts().await;
    assert_eq!(made["sessions"], later["sessions"] + 1);
    let renewed = store.session("renewed", 999_000).await.unwrap().unwrap();
    assert!(renewed.expires_at > 1_000_000, "renewed");
    assert_eq!(
        counts().await["sessions"],
        made["sessions"],
        "a renewal is no change"
    );
    // Within the hour the renewal is not written again, by this store's copy.
    store.session("renewed", 999_100).await.unwrap().unwrap();
    let stored: i64 =
        sqlx::query_scalar("SELECT expires_at FROM sessions WHERE token_digest = 'renewed'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(stored, renewed.expires_at);
    store.delete_session("renewed").await.unwrap();
    assert_eq!(counts().await["sessions"], made["sessions"] + 1);
    assert!(store.session("renewed", 999_100).await.unwrap().is_none());
    let later = counts().await;

    // Writers touching two areas in opposite orders, at once: none deadlocks and every
    // transaction counts once in each area it wrote to.
    let people: Vec<i64> = sqlx::query_scalar("SELECT id FROM people ORDER BY id LIMIT 2")
        .fetch_all(pool)
        .await
        .unwrap();
    let mut writers = Vec::new();
    for (w, person) in people.into_iter().enumerate() {
        let pool = pool.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..25 {
                let mut tx = pool.begin().await.unwrap();
                let org = format!("UPDATE people SET title = 'T{i}' WHERE id = {person}");
                let other =
                    format!("UPDATE commitments SET title = 'C{i}' WHERE owner_id = {person}");
                let (first, second) = if w == 0 {
                    (&org, &other)
                } else {
                    (&other, &org)
                };
                for sql in [first, second] {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.clone()))
                        .execute(&mut *tx)
                        .await
                        .unwrap();
                }
                tx.commit().await.unwrap();
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let last = counts().await;
    assert_eq!(last["org"], later["org"] + 50);
    assert_eq!(last["other"], later["other"] + 50);
    let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM change_counter_pending")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(pending, 0, "nothing is left behind");

    let uncounted: Vec<String> = sqlx::query_scalar(
        "SELECT t.tablename::text FROM pg_tables t WHERE t.schemaname = current_schema() \
         AND t.tablename NOT IN ('change_counter', 'change_counter_pending', \
             'trellis_migrations', 'jobs', 'failed_sign_ins', 'audit_log', \
             'notifications', 'mails', 'account_tokens', 'notification_defaults', \
             'notification_preferences', 'sso_identities', 'sso_sign_ins', 'sso_refusals', \
             'weekly_digests') \
         AND NOT EXISTS (SELECT 1 FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid \
             WHERE c.relname = t.tablename AND g.tgname = 'note_change') ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(
        uncounted.is_empty(),
        "tables whose writes the change counter misses (add the note_change trigger in their migration): {uncounted:?}"
    );
}

backend_tests!(a_database_from_a_newer_trellis_is_refused);
async fn a_database_from_a_newer_trellis_is_refused(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    sqlx::query(
        "INSERT INTO trellis_migrations (version, name, applied_at) VALUES (9999, 'future', 0)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;
    let err = trellis_store::SqlStore::connect(&trellis_store::StoreOptions::new(db.url.clone()))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("migration 9999, newer than this Trellis knows"),
        "{backend}: {err}"
    );
}

backend_tests!(a_migration_whose_text_changed_after_it_was_applied_is_refused);
async fn a_migration_whose_text_changed_after_it_was_applied_is_refused(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let checksum = |store: &trellis_store::SqlStore| {
        let pool = store.pool().clone();
        async move {
            sqlx::query_scalar::<_, Option<String>>(
                "SELECT checksum FROM trellis_migrations WHERE version = 2",
            )
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let recorded = checksum(&store).await.expect("recorded when applied");
    assert_eq!(recorded.len(), 64, "{backend}: a SHA-256");
    // A database migrated before checksums were kept gets today's on the next start.
    sqlx::query("UPDATE trellis_migrations SET checksum = NULL")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let options = trellis_store::StoreOptions::new(db.url.clone());
    let store = trellis_store::SqlStore::connect(&options).await.unwrap();
    assert_eq!(checksum(&store).await.as_deref(), Some(recorded.as_str()));
    // One applied from another text is refused, by name.
    sqlx::query("UPDATE trellis_migrations SET checksum = 'edited' WHERE version = 2")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let err = trellis_store::SqlStore::connect(&options)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("migration 2 (work) applied to this database differs"),
        "{backend}: {err}"
    );
}

backend_tests!(a_copy_moves_every_row_and_refuses_a_full_target);
async fn a_copy_moves_every_row_and_refuses_a_full_target(target_backend: &'static str) {
    let (_source_db, source) = demo_store("sqlite", 150).await;
    let ada = source
        .person_id_by_email(
            &source
                .list_people(&PeopleFilter {
                    per_page: 1,
                    page: 1,
                    ..Default::default()
                })
                .await
                .unwrap()
                .items[0]
                .email,
        )
        .await
        .unwrap()
        .unwrap();
    source.create_account(ada, "hash", true).await.unwrap();
    let target_db = TestDatabase::new(target_backend).await;
    let target = target_db.store().await;
    let report = trellis_store::copy_database(&source, &target, false)
        .await
        .unwrap();
    let people = report.tables.iter().find(|(t, _)| t == "people").unwrap().1;
    assert_eq!(people, 150, "{target_backend}");
    let mut a = Vec::new();
    let mut b = Vec::new();
    write_people_csv(&source.org_snapshot().await.unwrap(), &mut a).unwrap();
    write_people_csv(&target.org_snapshot().await.unwrap(), &mut b).unwrap();
    assert_eq!(
        String::from_utf8(a).unwrap(),
        String::from_utf8(b).unwrap(),
        "{target_backend}"
    );
    // New rows in the target do not collide with copied ids.
    let plan = plan_import(
        parse_people_csv(b"Email,Name\nnew.person@example.org,New Person\n"),
        &target.org_snapshot().await.unwrap(),
        ImportOptions::default(),
    );
    target
        .apply_import(
            &plan,
            &trellis_core::org::imports::import_record(&plan, None, "people.csv", 0),
        )
        .await
        .unwrap();
    let err = trellis_store::copy_database(&source, &target, false)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("the target database is not empty: settings") || err.contains("not empty"),
        "{err}"
    );
    assert!(err.contains("--force"));
    let again = trellis_store::copy_database(&source, &target, true)
        .await
        .unwrap();
    assert_eq!(again, report, "{target_backend}: --force replaces the data");
}

backend_tests!(multi_thread: each_due_job_is_claimed_by_exactly_one_instance);
async fn each_due_job_is_claimed_by_exactly_one_instance(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    // Two "instances": two pools on one database.
    let a = std::sync::Arc::new(db.store().await);
    let b = std::sync::Arc::new(db.store().await);
    for i in 0..60 {
        a.schedule_job("digest", &format!("person {i}"), 100)
            .await
            .unwrap();
    }
    a.schedule_job("later", "", 10_000).await.unwrap();
    let mut workers = Vec::new();
    for w in 0..8 {
        let store = if w % 2 == 0 { a.clone() } else { b.clone() };
        workers.push(tokio::spawn(async move {
            let name = format!("worker-{w}");
            let mut claimed = Vec::new();
            while let Some(job) = store.claim_job(&name, 200, 300).await.unwrap() {
                store
                    .finish_job(job.id, &name, 201, JobOutcome::Done)
                    .await
                    .unwrap();
                claimed.push(job.id);
            }
            claimed
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.unwrap());
    }
    all.sort();
    let before = all.len();
    all.dedup();
    assert_eq!(before, all.len(), "{backend}: a job was claimed twice");
    assert_eq!(
        all.len(),
        60,
        "{backend}: every due job ran, the future one did not"
    );
    // A lease that ran out lets another instance take over an unfinished job.
    let id = a.schedule_job("reminder", "", 100).await.unwrap();
    let first = a.claim_job("crashed", 200, 300).await.unwrap().unwrap();
    assert_eq!(first.id, id);
    assert!(
        b.claim_job("other", 250, 300).await.unwrap().is_none(),
        "{backend}: leased"
    );
    let again = b.claim_job("other", 600, 300).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempts), (id, 2), "{backend}");
}

backend_tests!(a_bulk_import_keeps_every_index_and_reference_check);
async fn a_bulk_import_keeps_every_index_and_reference_check(backend: &'static str) {
    // Over 10,000 new people: the path that rebuilds indexes and references at the end.
    let (_db, store) = demo_store(backend, 10_500).await;
    let indexes: Vec<String> = match backend {
        "postgres" => sqlx::query_scalar("SELECT indexname::text FROM pg_indexes WHERE tablename IN ('people', 'person_skills')"),
        _ => sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('people', 'person_skills')"),
    }
    .fetch_all(store.pool())
    .await
    .unwrap();
    for name in ["people_manager", "people_team", "people_name"] {
        assert!(
            indexes.iter().any(|i| i == name),
            "{backend}: index {name} missing from {indexes:?}"
        );
    }
    let orphan = sqlx::query("INSERT INTO person_skills (person_id, skill_id, level, wants_to_grow) VALUES (999999, 1, 3, 0)")
        .execute(store.pool())
        .await;
    assert!(
        orphan.is_err(),
        "{backend}: the reference to people is enforced again"
    );
    let loop_to_nobody = sqlx::query("UPDATE people SET manager_id = 999999 WHERE id = 1")
        .execute(store.pool())
        .await;
    assert!(
        loop_to_nobody.is_err(),
        "{backend}: manager references are enforced again"
    );
    let tops = store.top_of_tree().await.unwrap();
    assert_eq!(tops.len(), 1, "{backend}");
}

mod work {
    use super::demo_store;
    use trellis_core::clock::local_date;
    use trellis_core::demo;
    use trellis_core::store::prelude::*;
    use trellis_core::work::metrics::{DeliveryCounts, Measure, Window, delivery};
    use trellis_core::work::store::{CommitmentOrder, ObjectiveFilter};
    use trellis_core::work::{
        ChangeField, CommitmentStatus, Confidence, NewChange, NewCheckIn, NewCommitment,
        NewKeyResult, NewObjective, Scope,
    };
    use trellis_store::backend_tests;

    const NOW: i64 = 1_795_424_400; // 2026-11-23 09:00 UTC

    backend_tests!(delivery_counted_by_the_database_matches_the_metric_definition);
    async fn delivery_counted_by_the_database_matches_the_metric_definition(backend: &'static str) {
        let (_db, store) = demo_store(backend, 150).await;
        let org = demo::generate(150, 42);
        let written = trellis_core::work::demo::load(&store, &org, NOW, 3)
            .await
            .unwrap();
        assert!(written > 150 * 14, "{backend}: {written}");
        let today = local_date(None, NOW);
        let window = Window::ending(today, 120);
        let by_owner = store.delivery_by_owner(None, window, today).await.unwrap();
        assert!(by_owner.len() > 100, "{backend}");
        let mut total = DeliveryCounts::default();
        for (owner, counts) in &by_owner {
            let records = store.delivery_records(*owner).await.unwrap();
            assert_eq!(
                *counts,
                delivery(&records, window, today),
                "{backend}: owner {owner}"
            );
            total.add(*counts);
        }
        let mut by_month = DeliveryCounts::default();
        for (owner, _, c) in store
            .delivery_by_owner_and_month(None, window, today)
            .await
            .unwrap()
        {
            assert!(by_owner.iter().any(|(o, _)| *o == owner));
            by_month.add(c);
        }
        assert_eq!(by_month, total, "{backend}: months add up");
        // Narrowing to some owners gives exactly their lines.
        let some: Vec<_> = by_owner.iter().take(5).map(|(o, _)| *o).collect();
        let narrowed = store
            .delivery_by_owner(Some(&some), window, today)
            .await
            .unwrap();
        assert_eq!(narrowed.len(), 5, "{backend}");
        check_every_window(backend, &store, today, "as loaded").await;
        // Every kind of change the rollup has to follow, some of them many rows at once.
        let pool = store.pool();
        for (what, sql) in [
            (
                "completed on time",
                "UPDATE commitments SET status = 'done', completed_on = agreed_due_date WHERE status = 'open' AND id % 7 = 0",
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
                "UPDATE commitments SET accountable_id = owner_id + 1 WHERE id % 5 = 0 AND owner_id < 150",
            ),
            (
                "moved to another month",
                "UPDATE commitments SET agreed_due_date = '2026-09-30' WHERE id % 9 = 0",
            ),
            (
                "reopened",
                "UPDATE commitments SET status = 'open', completed_on = NULL, cancel_counts = 0 WHERE id % 19 = 0",
            ),
            (
                "written while moved",
                "UPDATE commitments SET title = title || '.' WHERE id % 3 = 0",
            ),
            ("removed", "DELETE FROM commitments WHERE id % 23 = 0"),
        ] {
            sqlx::query(sql).execute(pool).await.unwrap();
            check_every_window(backend, &store, today, what).await;
        }
    }

    /// The rollup's counts and the delivery figures read through it equal the definition,
    /// for windows that start and end inside months, span the current month, or lie in the
    /// past or the future.
    async fn check_every_window(
        backend: &str,
        store: &trellis_store::SqlStore,
        today: chrono::NaiveDate,
        after: &str,
    ) {
        let rebuilt: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT accountable_id, substr(agreed_due_date, 1, 7), \
             CAST(SUM(CASE WHEN status <> 'open' THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END) AS BIGINT), \
             CAST(SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS BIGINT) FROM commitments \
             WHERE status <> 'cancelled' OR cancel_counts = 1 GROUP BY 1, 2 ORDER BY 1, 2",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        let kept: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT owner_id, month, settled, on_time, open FROM delivery_months \
             WHERE settled <> 0 OR on_time <> 0 OR open <> 0 ORDER BY 1, 2",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(kept, rebuilt, "{backend}: the rollup after {after}");
        let mut months: std::collections::BTreeMap<String, (i64, i64, i64)> = Default::default();
        for (_, month, settled, on_time, open) in &rebuilt {
            let m = months.entry(month.clone()).or_default();
            m.0 += settled;
            m.1 += on_time;
            m.2 += open;
        }
        let rebuilt_org: Vec<(String, i64, i64, i64)> = months
            .into_iter()
            .map(|(m, (s, o, p))| (m, s, o, p))
            .collect();
        let kept_org: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "SELECT month, CAST(SUM(settled) AS BIGINT), CAST(SUM(on_time) AS BIGINT), \
             CAST(SUM(open) AS BIGINT) FROM delivery_org_months GROUP BY month \
             HAVING SUM(settled) <> 0 OR SUM(on_time) <> 0 OR SUM(open) <> 0 ORDER BY month",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert_eq!(
            kept_org, rebuilt_org,
            "{backend}: the organisation's rollup after {after}"
        );
        let owners: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT accountable_id FROM commitments ORDER BY accountable_id",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        let mut records = Vec::new();
        for o in &owners {
            let id = trellis_core::PersonId(*o);
            records.push((id, store.delivery_records(id).await.unwrap()));
        }
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let windows = [
            Window::ending(today, 1),
            Window::ending(today, 7),
            Window::ending(today, 31),
            Window::ending(today, 95),
            Window::ending(today, 365),
            Window {
                first: day("2026-09-01"),
                last: day("2026-10-31"),
            },
            Window {
                first: day("2026-08-15"),
                last: day("2026-11-15"),
            },
            Window {
                first: day("2026-10-31"),
                last: day("2026-11-01"),
            },
            Window {
                first: day("2026-09-01"),
                last: day("2026-10-28"),
            },
            Window {
                first: day("2026-11-01"),
                last: day("2027-03-31"),
            },
            Window {
                first: day("2026-12-01"),
                last: day("2027-01-31"),
            },
        ];
        for window in windows {
            let got: std::collections::HashMap<_, _> = store
                .delivery_by_owner(None, window, today)
                .await
                .unwrap()
                .into_iter()
                .collect();
            let mut months = std::collections::HashMap::new();
            for (o, _, c) in store
                .delivery_by_owner_and_month(None, window, today)
                .await
                .unwrap()
            {
                months
                    .entry(o)
                    .or_insert_with(DeliveryCounts::default)
                    .add(c);
            }
            let mut by_month = std::collections::BTreeMap::new();
            for record in records.iter().flat_map(|(_, r)| r) {
                let c = delivery(std::slice::from_ref(record), window, today);
                if c.due > 0 {
                    by_month
                        .entry(record.agreed_due.format("%Y-%m").to_string())
                        .or_insert_with(DeliveryCounts::default)
                        .add(c);
                }
            }
            let got_by_month: std::collections::BTreeMap<_, _> = store
                .delivery_by_month(None, window, today)
                .await
                .unwrap()
                .into_iter()
                .collect();
            assert_eq!(
                got_by_month, by_month,
                "{backend}: {window:?} by month, after {after}"
            );
            for (owner, r) in &records {
                let want = delivery(r, window, today);
                let want = (want.due > 0).then_some(want);
                assert_eq!(
                    got.get(owner).copied(),
                    want,
                    "{backend}: owner {owner}, {window:?}, after {after}"
                );
                assert_eq!(months.get(owner).copied(), want, "{backend}: by month");
            }
        }
    }

    backend_tests!(commitments_keep_their_history_and_priorities);
    async fn commitments_keep_their_history_and_priorities(backend: &'static str) {
        let (_db, store) = demo_store(backend, 40).await;
        let ceo = store.top_of_tree().await.unwrap()[0].id;
        let tree = store.tree_members(ceo).await.unwrap();
        assert_eq!(tree.len(), 40, "{backend}: the whole org under the CEO");
        assert_eq!(tree[0].id, ceo);
        assert!(tree.windows(2).all(|w| w[0].depth <= w[1].depth));
        let owner = tree[1].id;
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let new = |title: &str, due: &str| NewCommitment {
            title: title.into(),
            description: "".into(),
            owner,
            requester: Some(ceo),
            objective: None,
            due_date: day(due),
            effort_hours: 6.5,
            skills: vec!["rust".into(), "sql".into()],
            created_at: NOW,
            created_on: day("2026-11-23"),
        };
        let a = store
            .create_commitment(&new("A", "2026-11-30"))
            .await
            .unwrap();
        let b = store
            .create_commitment(&new("B", "2026-11-25"))
            .await
            .unwrap();
        let mut c = store.commitment(a).await.unwrap().unwrap();
        assert_eq!(c.skills, ["rust", "sql"], "{backend}");
        assert_eq!(c.remaining_hours, 6.5);
        assert_eq!(c.requester.as_ref().unwrap().id, ceo);
        c.due_date = day("2026-12-04");
        c.agreed_due_date = day("2026-12-04");
        let mut work = store.begin_work_write().await.unwrap();
        work.update_commitment(
            &c,
            &[NewChange {
                at: NOW + 60,
                actor: owner,
                field: ChangeField::DueDate,
                before: Some("2026-11-30".into()),
                after: Some("2026-12-04".into()),
                note: "scope grew".into(),
                in_time: Some(true),
            }],
        )
        .await
        .unwrap();
        work.commit().await.unwrap();
        let history = store.commitment_changes(a).await.unwrap();
        assert_eq!(history.len(), 1, "{backend}");
        assert_eq!(history[0].in_time, Some(true));
        assert_eq!(history[0].actor.as_ref().unwrap().id, owner);
        store.add_comment(a, ceo, NOW, "Thanks").await.unwrap();
        assert_eq!(
            store.commitment_comments(a).await.unwrap()[0].body,
            "Thanks"
        );
        let by_priority = store
            .open_commitments(&[owner], CommitmentOrder::Priority, None, 10)
            .await
            .unwrap();
        assert_eq!(by_priority.iter().map(|c| c.id).collect::<Vec<_>>(), [a, b]);
        let by_due = store
            .open_commitments(&[owner], CommitmentOrder::DueDate, None, 10)
            .await
            .unwrap();
        assert_eq!(by_due.iter().map(|c| c.id).collect::<Vec<_>>(), [b, a]);
        store
            .set_priorities(&[(a, by_priority[1].priority), (b, by_priority[0].priority)])
            .await
            .unwrap();
        let swapped = store
            .open_commitments(&[owner], CommitmentOrder::Priority, None, 10)
            .await
            .unwrap();
        assert_eq!(swapped[0].id, b, "{backend}");
        let soon = store
            .open_commitments(
                &[owner],
                CommitmentOrder::DueDate,
                Some(day("2026-11-26")),
                10,
            )
            .await
            .unwrap();
        assert_eq!(soon.len(), 1);
        let effort = store
            .remaining_effort(Some(&[owner]), day("2026-12-31"))
            .await
            .unwrap();
        assert_eq!(effort, vec![(owner, 13.0)], "{backend}");
        let mut done = store.commitment(b).await.unwrap().unwrap();
        done.status = CommitmentStatus::Done;
        done.remaining_hours = 0.0;
        done.completed_at = Some(NOW);
        done.completed_on = Some(day("2026-11-23"));
        let mut work = store.begin_work_write().await.unwrap();
        work.update_commitment(&done, &[]).await.unwrap();
        work.commit().await.unwrap();
        assert_eq!(store.closed_commitments(owner, 5).await.unwrap()[0].id, b);
        // Capacity and absences.
        store.set_capacity(owner, Some(20.0)).await.unwrap();
        assert_eq!(
            store.capacities(Some(&[owner])).await.unwrap(),
            vec![(owner, 20.0)]
        );
        store.set_capacity(owner, None).await.unwrap();
        assert!(store.capacities(Some(&[owner])).await.unwrap().is_empty());
        let off = store
            .add_absence(owner, day("2026-11-26"), day("2026-11-27"), "Holiday")
            .await
            .unwrap();
        let overlapping = store
            .absences_between(None, day("2026-11-23"), day("2026-12-06"))
            .await
            .unwrap();
        assert_eq!(overlapping.len(), 1, "{backend}");
        assert_eq!(store.absence(off).await.unwrap().unwrap().person_id, owner);
        store.delete_absence(off).await.unwrap();
        assert!(
            store
                .absences_of(owner, day("2026-01-01"))
                .await
                .unwrap()
                .is_empty()
        );
    }

    backend_tests!(objectives_with_key_results_and_check_ins);
    async fn objectives_with_key_results_and_check_ins(backend: &'static str) {
        let (_db, store) = demo_store(backend, 40).await;
        let ceo = store.top_of_tree().await.unwrap()[0].id;
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
        let company = store
            .create_objective(&NewObjective {
                title: "Delight customers".into(),
                description: "".into(),
                scope: Scope::Company,
                team: None,
                owner: ceo,
                parent: None,
                period_start: day("2026-10-01"),
                period_end: day("2026-12-31"),
                created_at: NOW,
            })
            .await
            .unwrap();
        let kr = store
            .add_key_result(
                company,
                &NewKeyResult {
                    title: "Response time".into(),
                    measure: Measure::Numeric {
                        start: 9.0,
                        target: 2.0,
                        current: 9.0,
                        unit: "h".into(),
                    },
                },
            )
            .await
            .unwrap();
        store
            .record_check_in(&NewCheckIn {
                key_result_id: kr,
                author: ceo,
                at: NOW,
                value: Some(5.5),
                done: false,
                confidence: Confidence::Unsure,
                note: "halfway".into(),
            })
            .await
            .unwrap();
        let o = store.objective(company).await.unwrap().unwrap();
        assert_eq!(o.key_results.len(), 1, "{backend}");
        let k = &o.key_results[0];
        assert_eq!(k.last_confidence, Some(Confidence::Unsure));
        assert_eq!(k.last_check_in_at, Some(NOW));
        assert!(matches!(k.measure, Measure::Numeric { current, .. } if current == 5.5));
        let running = store
            .objectives(&ObjectiveFilter {
                active_on: Some(day("2026-11-23")),
                ..ObjectiveFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(running.len(), 1);
        let later = store
            .objectives(&ObjectiveFilter {
                active_on: Some(day("2027-01-05")),
                ..ObjectiveFilter::default()
            })
            .await
            .unwrap();
        assert!(later.is_empty());
        store.set_objective_closed(company, true).await.unwrap();
        assert!(store.objective(company).await.unwrap().unwrap().closed);
        assert_eq!(
            store.check_ins(company, 10).await.unwrap()[0].note,
            "halfway"
        );
    }
}

/// A managed PostgreSQL that requires TLS is reached with `sslmode` in the URL: `require`
/// encrypts, `verify-full` also checks the server's certificate against `sslrootcert`, and a
/// certificate nobody vouches for is refused with a message that says so.
#[tokio::test]
async fn postgresql_is_reached_over_tls_when_the_url_asks() {
    let Some(ca) = std::env::var("TRELLIS_TEST_PG_CA")
        .ok()
        .filter(|ca| !ca.is_empty())
    else {
        trellis_store::testing::skipped(
            "TRELLIS_TEST_PG_CA",
            "the PostgreSQL TLS test (scripts/test makes a certificate)",
        );
        return;
    };
    if !backends().contains(&"postgres") {
        return;
    }
    let db = TestDatabase::new("postgres").await;
    // verify-full checks the name the certificate was made for.
    let url = db.url.replace("@127.0.0.1:", "@localhost:");
    let encrypted = |url: String| async move {
        let store =
            trellis_store::SqlStore::connect(&trellis_store::StoreOptions::new(url.clone()))
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
        let ssl: bool =
            sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                .fetch_one(store.pool())
                .await
                .unwrap();
        store.close().await;
        ssl
    };
    assert!(encrypted(format!("{url}?sslmode=require")).await, "require");
    assert!(
        encrypted(format!("{url}?sslmode=verify-full&sslrootcert={ca}")).await,
        "verify-full"
    );
    assert!(
        !encrypted(format!("{url}?sslmode=disable")).await,
        "disable"
    );

    // The public roots do not vouch for the test's own authority.
    let err = trellis_store::SqlStore::connect(&trellis_store::StoreOptions::new(format!(
        "{url}?sslmode=verify-full"
    )))
    .await
    .expect_err("an unknown certificate authority is refused")
    .to_string();
    assert!(
        err.contains("sslrootcert=FILE"),
        "says what to change: {err}"
    );
    assert!(
        !err.contains(":trellis@"),
        "the password is not printed: {err}"
    );
}

backend_tests!(copy_moves_every_table_and_column_of_the_schema);
/// `trellis copy` names its tables and columns by hand: every table and column the
/// migrations create is in its list (and nothing else), on both backends.
async fn copy_moves_every_table_and_column_of_the_schema(backend: &'static str) {
    use std::collections::BTreeSet;
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let sql = if backend == "sqlite" {
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
    } else {
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema()"
    };
    let rows: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(store.pool()).await.unwrap();
    // The migrator's record and the change counter's own state are not data.
    // The delivery rollups are rebuilt by their triggers as the commitments are copied.
    let not_data = [
        "trellis_migrations",
        "change_counter",
        "change_counter_pending",
        "delivery_months",
        "delivery_org_months",
        // The trailing windows: rebuilt from commitments over the target's own spans.
        "delivery_window_spans",
        "delivery_windows",
        "open_effort_span",
        "open_effort",
    ];
    let schema: BTreeSet<(String, String)> = rows
        .into_iter()
        .filter(|(t, _)| !not_data.contains(&t.as_str()))
        .collect();
    let copied: BTreeSet<(String, String)> = trellis_store::testing::copied_columns()
        .into_iter()
        .flat_map(|(t, columns)| {
            columns
                .into_iter()
                .map(move |c| (t.to_string(), c.to_string()))
        })
        .collect();
    let forgotten: Vec<String> = schema
        .difference(&copied)
        .map(|(t, c)| format!("{t}.{c}"))
        .collect();
    let unknown: Vec<String> = copied
        .difference(&schema)
        .map(|(t, c)| format!("{t}.{c}"))
        .collect();
    assert!(
        forgotten.is_empty(),
        "{backend}: `trellis copy` leaves these columns behind (add them to the tables in copy_tables.rs or copy_tables/later.rs): {forgotten:?}"
    );
    assert!(
        unknown.is_empty(),
        "{backend}: copy.rs names columns the schema does not have: {unknown:?}"
    );
}
