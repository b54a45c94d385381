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
