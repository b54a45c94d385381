//! Keeping data safe and provisioning from the command line: `trellis backup` and
//! `trellis restore` (plain and encrypted), and `trellis token create --scim`.

mod common;
use common::{text, trellis, trellis_with};
use trellis_store::backend_tests;
use trellis_store::testing::TestDatabase;

backend_tests!(a_backup_restores_with_the_commands_and_a_damaged_one_is_refused);
async fn a_backup_restores_with_the_commands_and_a_damaged_one_is_refused(backend: &'static str) {
    let source = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    trellis(&["demo", "--people", "40", "--export", csv.to_str().unwrap()]);
    let out = trellis(&[
        "import",
        "people",
        csv.to_str().unwrap(),
        "--database",
        &source.url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = dir.path().join("trellis.backup");
    let out = trellis(&["backup", file.to_str().unwrap(), "--database", &source.url]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(said.contains("Backed up 40 people"), "{said}");
    assert!(said.contains("secret_key"), "{said}");
    let target = TestDatabase::new("sqlite").await;
    let out = trellis(&["restore", file.to_str().unwrap(), "--to", &target.url]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains(&format!("from {backend}")) && said.contains("40 people"),
        "{said}"
    );
    let out = trellis(&[
        "export",
        "people",
        dir.path().join("again.csv").to_str().unwrap(),
        "--database",
        &target.url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = trellis(&["restore", file.to_str().unwrap(), "--to", &target.url]);
    assert!(
        text(&out.stderr).contains("not empty"),
        "{}",
        text(&out.stderr)
    );
    // Cut short: refused with a sentence, before anything is written.
    let bytes = std::fs::read(&file).unwrap();
    std::fs::write(&file, &bytes[..bytes.len() - 100]).unwrap();
    let empty = TestDatabase::new("sqlite").await;
    let out = trellis(&["restore", file.to_str().unwrap(), "--to", &empty.url]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is cut short"),
        "{}",
        text(&out.stderr)
    );
    let out = trellis(&["restore", csv.to_str().unwrap(), "--to", &empty.url]);
    assert!(
        text(&out.stderr).contains("is not a Trellis backup"),
        "{}",
        text(&out.stderr)
    );
}

backend_tests!(an_encrypted_backup_asks_for_its_passphrase);
async fn an_encrypted_backup_asks_for_its_passphrase(backend: &'static str) {
    let source = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let out = trellis(&[
        "demo",
        "--people",
        "30",
        "--no-serve",
        "--database",
        &source.url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = dir.path().join("sealed.backup");
    let file = file.to_str().unwrap();
    let short = [("TRELLIS_BACKUP_PASSPHRASE", "too short")];
    let out = trellis_with(
        &["backup", file, "--encrypt", "--database", &source.url],
        &short,
    );
    assert!(
        text(&out.stderr).contains("shorter than 12 characters"),
        "{}",
        text(&out.stderr)
    );
    let passphrase = [("TRELLIS_BACKUP_PASSPHRASE", "the passphrase of the backup")];
    let out = trellis_with(
        &["backup", file, "--encrypt", "--database", &source.url],
        &passphrase,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("It is encrypted"),
        "{}",
        text(&out.stdout)
    );
    let target = TestDatabase::new("sqlite").await;
    let wrong = [("TRELLIS_BACKUP_PASSPHRASE", "another passphrase entirely")];
    let out = trellis_with(&["restore", file, "--to", &target.url], &wrong);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("the passphrase does not open"),
        "{}",
        text(&out.stderr)
    );
    let out = trellis_with(&["restore", file, "--to", &target.url], &passphrase);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("every table has the rows the backup recorded"),
        "{}",
        text(&out.stdout)
    );
}

backend_tests!(a_provisioning_token_is_made_from_the_command_line);
async fn a_provisioning_token_is_made_from_the_command_line(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let out = trellis(&[
        "token",
        "create",
        "--scim",
        "--name",
        "Okta",
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_string();
    assert!(
        token.starts_with("trellis_scim_") && token.len() > 40,
        "{token}"
    );
    assert!(
        text(&out.stderr).contains("/scim/v2"),
        "{}",
        text(&out.stderr)
    );
    let store = db.store().await;
    let now = chrono::Utc::now().timestamp();
    let actor = trellis_core::provisioning::tokens::authenticate(&store, Some(&token), now)
        .await
        .unwrap();
    assert_eq!(actor.token_name, "Okta");
    let out = trellis(&[
        "token",
        "create",
        "--scim",
        "--email",
        "a@b.c",
        "--database",
        &db.url,
    ]);
    assert!(
        !out.status.success(),
        "--scim and --email do not go together"
    );
}

/// A `trellis serve` taking scheduled backups into `dir`.
fn serve_with_backups(database: &str, dir: &std::path::Path) -> std::process::Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::process::Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args([
            "serve",
            "--database",
            database,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .args([
            "--backup-dir",
            dir.to_str().unwrap(),
            "--backup-every",
            "6h",
            "--backup-keep",
            "3",
        ])
        .env_remove("TRELLIS_DATABASE")
        .env_remove("TRELLIS_CONFIG")
        .env_remove("TRELLIS_SMTP_URL")
        .env("TRELLIS_SECRET_KEY", common::TEST_SECRET_KEY)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start trellis serve")
}

backend_tests!(a_server_with_a_backup_folder_takes_one_backup_per_period);
async fn a_server_with_a_backup_folder_takes_one_backup_per_period(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let out = trellis(&[
        "demo",
        "--people",
        "20",
        "--no-serve",
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dir = tempfile::tempdir().unwrap();
    let out = trellis(&[
        "serve",
        "--database",
        &db.url,
        "--backup-dir",
        "/no/such/folder",
    ]);
    assert!(
        text(&out.stderr).contains("is not a folder"),
        "{}",
        text(&out.stderr)
    );
    // Two instances on one PostgreSQL database: one of them takes the backup.
    let instances = if backend == "postgres" { 2 } else { 1 };
    let mut servers: Vec<_> = (0..instances)
        .map(|_| serve_with_backups(&db.url, dir.path()))
        .collect();
    let backups = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "backup"))
            .collect()
    };
    let started = std::time::Instant::now();
    while backups().is_empty() && started.elapsed() < std::time::Duration::from_secs(60) {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    for server in &mut servers {
        server.kill().unwrap();
        server.wait().unwrap();
    }
    let taken = backups();
    assert_eq!(
        taken.len(),
        1,
        "one backup for the period, whatever the instances: {taken:?}"
    );
    let name = taken[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("trellis-") && name.ends_with("Z.backup"),
        "{name}"
    );
    let target = TestDatabase::new("sqlite").await;
    let out = trellis(&["restore", taken[0].to_str().unwrap(), "--to", &target.url]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The next backup waits for its time, six hours on.
    let store = db.store().await;
    let next: i64 =
        sqlx::query_scalar("SELECT run_at FROM jobs WHERE kind = 'backup' AND done_at IS NULL")
            .fetch_one(store.pool())
            .await
            .unwrap();
    let now = chrono::Utc::now().timestamp();
    assert!(
        (now + 6 * 3600 - 120..=now + 6 * 3600).contains(&next),
        "{next} vs {now}"
    );
}
