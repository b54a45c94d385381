//! `trellis backup` and `trellis restore`: a backup from either backend restores into
//! either, whole; a backup taken while people write holds one moment; a damaged, cut or
//! foreign file is refused with a sentence and nothing is written.

use std::path::PathBuf;
use trellis_core::demo;
use trellis_core::org::export::write_people_csv;
use trellis_core::org::import::{ImportOptions, parse_people_csv, plan_import};
use trellis_core::store::prelude::*;
use trellis_core::work::metrics::Window;
use trellis_store::testing::{TestDatabase, backends};
use trellis_store::{SqlStore, backend_tests};

const NOW: i64 = 1_795_424_400; // 2026-11-23 09:00 UTC

/// A folder removed when the test ends.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let dir = std::env::temp_dir().join(format!(
            "trellis-backup-{name}-{}-{}",
            std::process::id(),
            chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Folder(dir)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn import(store: &SqlStore, csv: &str) {
    let plan = plan_import(
        parse_people_csv(csv.as_bytes()),
        &store.org_snapshot().await.unwrap(),
        ImportOptions::default(),
    );
    assert!(plan.is_valid(), "{:?}", plan.errors);
    store
        .apply_import(
            &plan,
            &trellis_core::org::imports::import_record(&plan, None, "people.csv", 0),
        )
        .await
        .unwrap();
}

/// An organisation of 120 with its work: levels, people, commitments and their rollups.
async fn organisation(backend: &str) -> (TestDatabase, SqlStore) {
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let org = demo::generate(120, 42);
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
    trellis_core::work::demo::load(&store, &org, NOW, 2)
        .await
        .unwrap();
    (db, store)
}

async fn people_csv(store: &SqlStore) -> String {
    let mut out = Vec::new();
    write_people_csv(&store.org_snapshot().await.unwrap(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Every row of a table, each value written out, sorted: equal contents whatever the
/// backend (whole numbers, numbers, text and bytes decode alike from both).
async fn contents(store: &SqlStore, table: &str) -> Vec<String> {
    use sqlx::{Column, Row};
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}")))
        .fetch_all(store.pool())
        .await
        .unwrap();
    let mut out: Vec<String> = rows
        .iter()
        .map(|row| {
            (0..row.columns().len())
                .map(|i| {
                    let name = row.columns()[i].name();
                    if let Ok(v) = row.try_get::<Option<i64>, _>(i) {
                        format!("{name}={v:?}")
                    } else if let Ok(v) = row.try_get::<Option<f64>, _>(i) {
                        format!("{name}={v:?}")
                    } else if let Ok(v) = row.try_get::<Option<String>, _>(i) {
                        format!("{name}={v:?}")
                    } else {
                        format!("{name}={:?}", row.try_get::<Option<Vec<u8>>, _>(i).unwrap())
                    }
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect();
    out.sort();
    out
}

/// The foreign keys, indexes and triggers of a database, as it defines them.
async fn schema(store: &trellis_store::SqlStore) -> Vec<String> {
    let sql = match store.backend_kind().name() {
        "postgres" => {
            "SELECT conrelid::regclass::text || ' ' || conname::text || ' ' || pg_get_constraintdef(oid) \
             FROM pg_constraint WHERE connamespace = current_schema()::regnamespace \
             UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() \
             UNION ALL SELECT tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text \
             FROM pg_trigger WHERE NOT tgisinternal"
        }
        _ => "SELECT type || ' ' || name || ' ' || COALESCE(sql, '') FROM sqlite_master",
    };
    let mut rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_all(store.pool())
        .await
        .unwrap();
    rows.sort();
    rows
}

backend_tests!(a_backup_restores_whole_into_either_backend);
async fn a_backup_restores_whole_into_either_backend(backend: &'static str) {
    let (_db, source) = organisation(backend).await;
    let folder = Folder::new("whole");
    let file = folder.0.join("trellis.backup");
    let header = trellis_store::backup(&source, &file, None).await.unwrap();
    assert_eq!(header.source, backend);
    assert_eq!(header.rows("people"), 120);
    assert!(header.rows("commitments") > 1000, "{header:?}");
    assert_eq!(header.migration, trellis_store::latest_version());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner may read a backup");
    }
    // Nothing is left beside it.
    let names: Vec<String> = std::fs::read_dir(&folder.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["trellis.backup"]);
    assert_eq!(trellis_store::read_header(&file).unwrap(), header);

    let today = trellis_core::clock::local_date(None, NOW);
    let window = Window::ending(today, 120);
    for target_backend in backends() {
        let target_db = TestDatabase::new(target_backend).await;
        let target = target_db.store().await;
        let shape = schema(&target).await;
        let restored = trellis_store::restore(&file, &target, false, None)
            .await
            .unwrap();
        assert_eq!(
            schema(&target).await,
            shape,
            "{backend} → {target_backend}: every key, index and trigger is back"
        );
        for (table, rows) in &header.tables {
            assert_eq!(
                restored.copied.rows(table),
                *rows,
                "{backend} → {target_backend}: {table}"
            );
        }
        assert_eq!(people_csv(&target).await, people_csv(&source).await);
        // Every row of every table, value for value.
        for (table, _) in &header.tables {
            assert!(
                contents(&target, table).await == contents(&source, table).await,
                "{backend} → {target_backend}: {table} differs"
            );
        }
        // The delivery rollups are rebuilt and count as the source does.
        assert_eq!(
            target.delivery_by_owner(None, window, today).await.unwrap(),
            source.delivery_by_owner(None, window, today).await.unwrap(),
            "{backend} → {target_backend}"
        );
        let refused = trellis_store::restore(&file, &target, false, None)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("not empty") && refused.contains("--force"),
            "{refused}"
        );
        trellis_store::restore(&file, &target, true, None)
            .await
            .unwrap();
        assert_eq!(people_csv(&target).await, people_csv(&source).await);
        // New people after a restore get ids of their own.
        import(
            &target,
            "Email,Name\nafter.restore@example.org,After Restore\n",
        )
        .await;
    }
}

backend_tests!(a_damaged_cut_or_foreign_file_is_refused_and_nothing_is_written);
async fn a_damaged_cut_or_foreign_file_is_refused_and_nothing_is_written(backend: &'static str) {
    let (_db, source) = organisation("sqlite").await;
    let folder = Folder::new("damaged");
    let good = folder.0.join("good.backup");
    trellis_store::backup(&source, &good, None).await.unwrap();
    let bytes = std::fs::read(&good).unwrap();

    let mut flipped = bytes.clone();
    let middle = bytes.len() - 5000;
    flipped[middle] ^= 0x40;
    let cut = bytes[..bytes.len() / 2].to_vec();
    let foreign = b"Email,Name\nsomeone@example.org,Someone\n".to_vec();
    let cases = [
        (flipped, "is damaged: its data does not match the checksum"),
        (cut, "is cut short: its header promises"),
        (foreign, "is not a Trellis backup"),
    ];
    let target_db = TestDatabase::new(backend).await;
    let target = target_db.store().await;
    for (content, expected) in cases {
        let file = folder.0.join("bad.backup");
        std::fs::write(&file, content).unwrap();
        let err = trellis_store::restore(&file, &target, false, None)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.backup"), "{err}");
        assert!(err.contains(expected), "{backend}: {err}");
        assert_eq!(
            target.org_snapshot().await.unwrap().people.len(),
            0,
            "{err}"
        );
    }
}

backend_tests!(an_encrypted_backup_restores_only_with_its_passphrase);
async fn an_encrypted_backup_restores_only_with_its_passphrase(backend: &'static str) {
    let (_db, source) = organisation("sqlite").await;
    let folder = Folder::new("sealed");
    let file = folder.0.join("sealed.backup");
    let passphrase = "a long backup passphrase";
    let header = trellis_store::backup(&source, &file, Some(passphrase))
        .await
        .unwrap();
    assert!(header.encryption.is_some());
    let bytes = std::fs::read(&file).unwrap();
    let known = people_csv(&source).await;
    let email = known
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .find(|c| c.contains('@'))
        .unwrap()
        .to_string();
    assert!(
        !bytes.windows(email.len()).any(|w| w == email.as_bytes()),
        "no person's e-mail is readable in the file"
    );
    let target_db = TestDatabase::new(backend).await;
    let target = target_db.store().await;
    let attempts = [
        (None, "is encrypted: give the passphrase"),
        (Some("not the passphrase"), "the passphrase does not open"),
    ];
    for (given, expected) in attempts {
        let err = trellis_store::restore(&file, &target, false, given)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains(expected), "{err}");
    }
    let mut altered = bytes.clone();
    let at = bytes.len() - 100_000;
    altered[at] ^= 1;
    let damaged = folder.0.join("damaged.backup");
    std::fs::write(&damaged, &altered).unwrap();
    let err = trellis_store::restore(&damaged, &target, false, Some(passphrase))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("is damaged or cut short"), "{err}");
    assert_eq!(
        target.org_snapshot().await.unwrap().people.len(),
        0,
        "nothing written"
    );
    trellis_store::restore(&file, &target, false, Some(passphrase))
        .await
        .unwrap();
    assert_eq!(people_csv(&target).await, known);
}

backend_tests!(multi_thread: a_backup_taken_while_people_write_holds_one_moment);
/// Pairs of people are imported, one transaction each, while backups run: every restored
/// backup holds whole imports only — as many pairs of people as records of imports in the
/// audit log, which is copied long after the people.
async fn a_backup_taken_while_people_write_holds_one_moment(backend: &'static str) {
    let (db, source) = organisation(backend).await;
    let count = |table: &'static str| {
        let pool = source.pool().clone();
        async move {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM {table}"
            )))
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let audited = count("audit_log").await;
    import(
        &source,
        "Email,Name
probe.a@example.org,Probe A
probe.b@example.org,Probe B
",
    )
    .await;
    let (people, audit) = (count("people").await, count("audit_log").await);
    let per_import = audit - audited;
    assert!(per_import > 0, "{backend}: an import is audited");
    let writer = db.store().await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writing = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut pairs = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let csv = format!(
                    "Email,Name\npair{pairs}.a@example.org,Pair {pairs} A\n\
                     pair{pairs}.b@example.org,Pair {pairs} B\n"
                );
                import(&writer, &csv).await;
                pairs += 1;
            }
            pairs
        })
    };
    let folder = Folder::new("moment");
    let mut headers = Vec::new();
    for i in 0..4 {
        let file = folder.0.join(format!("moment{i}.backup"));
        headers.push(trellis_store::backup(&source, &file, None).await.unwrap());
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let pairs = writing.await.unwrap();
    assert!(
        pairs > 0,
        "{backend}: the writer wrote while the backups ran"
    );
    for header in headers {
        let new_people = header.rows("people") - people;
        let imports = header.rows("audit_log") - audit;
        assert_eq!(new_people % 2, 0, "{backend}: a pair is torn: {header:?}");
        assert_eq!(
            new_people / 2,
            imports / per_import,
            "{backend}: people and the audit log are from different moments"
        );
    }
    // The last one restores with every pair whole.
    let file = folder.0.join("moment3.backup");
    let target_db = TestDatabase::new("sqlite").await;
    let target = target_db.store().await;
    trellis_store::restore(&file, &target, false, None)
        .await
        .unwrap();
    let emails: std::collections::HashSet<String> = target
        .org_snapshot()
        .await
        .unwrap()
        .people
        .iter()
        .map(|p| p.record.email.to_string())
        .collect();
    for pair in 0..pairs {
        let a = emails.contains(&format!("pair{pair}.a@example.org"));
        let b = emails.contains(&format!("pair{pair}.b@example.org"));
        assert_eq!(a, b, "{backend}: pair {pair} is torn");
    }
}
