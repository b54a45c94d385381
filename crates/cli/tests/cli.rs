//! The `trellis` binary end to end: import errors and exit codes, export round trip,
//! accounts and tokens, and the demo's printed accounts — on every configured backend.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use trellis_store::backend_tests;
use trellis_store::testing::{TestDatabase, backends};

mod common;
use common::{TEST_SECRET_KEY, text, trellis};

backend_tests!(import_reports_every_error_and_writes_nothing);
async fn import_reports_every_error_and_writes_nothing(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hris.csv");
    std::fs::write(
        &file,
        "EID,Work Email,First Name,Last Name,Supervisor EID,Hire Date\n\
         1,a@x.org,Ada,Lovelace,,2020-01-01\n\
         2,b@x.org,Bob,Builder,9,03/04/2021\n\
         2,c@x.org,Cy,Clay,1,2021-05-05\n",
    )
    .unwrap();
    let out = trellis(&[
        "import",
        "people",
        file.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(!out.status.success(), "{backend}");
    let stderr = text(&out.stderr);
    let path = file.display();
    for expected in [
        format!(
            "{path}:3: Hire Date: \"03/04/2021\" is ambiguous: it could be 3 April 2021 or 4 March 2021; use YYYY-MM-DD"
        ),
        format!("{path}:3: Supervisor EID: no person with employee id 9 in the file or in Trellis"),
        format!("{path}:4: EID: duplicate employee id \"2\" (also on line 3)"),
        "3 errors; nothing was written.".to_string(),
    ] {
        assert!(
            stderr.contains(&expected),
            "{backend}: missing {expected:?} in\n{stderr}"
        );
    }
    let out = trellis(&["export", "people", "-", "--database", &db.url]);
    assert_eq!(
        text(&out.stdout).lines().count(),
        1,
        "{backend}: only the header, nothing imported"
    );
}

backend_tests!(a_cut_off_crlf_file_and_a_mass_leave_are_refused_by_the_command);
async fn a_cut_off_crlf_file_and_a_mass_leave_are_refused_by_the_command(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, content: &str, extra: &[&str]| {
        let file = dir.path().join(name);
        std::fs::write(&file, content).unwrap();
        let mut args = vec![
            "import",
            "people",
            file.to_str().unwrap(),
            "--database",
            &db.url,
        ];
        args.extend_from_slice(extra);
        let out = trellis(&args);
        (
            out.status.success(),
            text(&out.stdout),
            text(&out.stderr),
            file,
        )
    };
    let org = "Email,Name,Manager Email\r\na@x.org,Ada,\r\nb@x.org,Bea,a@x.org\r\nc@x.org,Cy,a@x.org\r\nd@x.org,Di,a@x.org\r\n";
    let (ok, _, stderr, _) = run("org.csv", org, &[]);
    assert!(ok, "{backend}: {stderr}");
    let (ok, _, stderr, file) = run(
        "cut.csv",
        "\u{feff}Email,Name,Manager Email\r\na@x.org,Ada,\r\nb@x.org,Bea\r\n",
        &[],
    );
    assert!(!ok, "{backend}");
    assert!(
        stderr.contains(&format!(
            "{}:3: row: row has 2 cells, the header has 3",
            file.display()
        )),
        "{stderr}"
    );
    let (ok, _, stderr, _) = run(
        "two.csv",
        "Email,Name\na@x.org,Ada\n",
        &["--deactivate-missing"],
    );
    assert!(!ok, "{backend}");
    assert!(
        stderr.contains("would mark 3 of the 4 active people as having left"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Bea <b@x.org>") && stderr.contains("--allow-mass-leave"),
        "{stderr}"
    );
    let (ok, stdout, stderr, _) = run(
        "two.csv",
        "Email,Name\na@x.org,Ada\n",
        &["--deactivate-missing", "--allow-mass-leave"],
    );
    assert!(ok, "{backend}: {stderr}");
    assert!(stdout.contains("marked 3 as left"), "{stdout}");
}

backend_tests!(an_export_imports_back_unchanged_and_accounts_get_tokens);
async fn an_export_imports_back_unchanged_and_accounts_get_tokens(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    let out = trellis(&[
        "demo",
        "--people",
        "60",
        "--seed",
        "3",
        "--export",
        csv.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = trellis(&[
        "import",
        "people",
        csv.to_str().unwrap(),
        "--database",
        &db.url,
        "--dry-run",
    ]);
    assert!(
        text(&out.stdout).contains("Would add 60"),
        "{}",
        text(&out.stdout)
    );
    let out = trellis(&[
        "import",
        "people",
        csv.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("Added 60, updated 0"),
        "{}",
        text(&out.stdout)
    );
    let exported = dir.path().join("export.csv");
    let out = trellis(&[
        "export",
        "people",
        exported.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(out.status.success());
    let out = trellis(&[
        "import",
        "people",
        exported.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(
        text(&out.stdout).starts_with("Added 0, updated 0, 60 unchanged"),
        "{backend}: {}",
        text(&out.stdout)
    );

    let email = text(&std::fs::read(&csv).unwrap())
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(1)
        .unwrap()
        .to_string();
    let out = trellis(&[
        "user",
        "create",
        "--email",
        &email,
        "--password",
        "short",
        "--database",
        &db.url,
    ]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("at least 10 characters"));
    let out = trellis(&[
        "user",
        "create",
        "--email",
        &email,
        "--password",
        "long enough password",
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        format!("Created an account for {email}.")
    );
    let out = trellis(&[
        "user",
        "create",
        "--email",
        "new@x.org",
        "--password",
        "long enough password",
        "--database",
        &db.url,
    ]);
    assert!(
        text(&out.stderr).contains("give --name"),
        "{}",
        text(&out.stderr)
    );
    let out = trellis(&["token", "create", "--email", &email, "--database", &db.url]);
    let token = text(&out.stdout).trim().to_string();
    assert_eq!(token.len(), 64, "{backend}: {token}");
    let out = trellis(&[
        "token",
        "create",
        "--email",
        "nobody@x.org",
        "--database",
        &db.url,
    ]);
    assert!(text(&out.stderr).contains("no active account for nobody@x.org"));
}

#[test]
fn bad_database_urls_and_missing_files_are_explained() {
    let out = trellis(&["migrate", "--database", "mysql://x"]);
    assert!(text(&out.stderr).contains("is not a database URL; use sqlite://PATH or postgres://"));
    let out = trellis(&["migrate", "--database", "sqlite:///no/such/folder/t.db"]);
    assert!(
        text(&out.stderr)
            .contains("the folder /no/such/folder for the SQLite database does not exist"),
        "{}",
        text(&out.stderr)
    );
    let out = trellis(&[
        "migrate",
        "--database",
        "postgres://u:secret@127.0.0.1:1/db",
    ]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot open postgres://u:***@127.0.0.1:1/db"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"));
    let out = trellis(&[
        "import",
        "people",
        "/no/such/file.csv",
        "--database",
        "sqlite::memory:",
    ]);
    assert!(text(&out.stderr).contains("cannot open /no/such/file.csv"));
}

#[test]
fn the_demo_prints_its_accounts_and_serves() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args([
            "demo",
            "--people",
            "40",
            "--listen",
            "127.0.0.1:0",
            "--password",
            "demo password 1",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut url = String::new();
    let mut accounts = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while accounts.len() < 3 && Instant::now() < deadline {
        let Some(Ok(line)) = lines.next() else { break };
        if let Some(rest) = line.strip_prefix("Trellis is running at ") {
            url = rest.split(' ').next().unwrap().to_string();
        }
        if line.starts_with("account ") {
            accounts.push(line);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let roles: Vec<&str> = accounts
        .iter()
        .map(|l| l.split(' ').nth(1).unwrap())
        .collect();
    assert_eq!(roles, ["role=admin", "role=manager", "role=member"]);
    for line in &accounts {
        let parts: Vec<&str> = line.split(' ').collect();
        assert!(
            parts[2].starts_with("email=") && parts[2].ends_with("@example.com"),
            "{line}"
        );
        assert_eq!(parts[3..].join(" "), "password=demo password 1");
    }
}

#[test]
fn a_wrong_postgres_role_or_database_is_explained() {
    let Ok(url) = std::env::var("TRELLIS_TEST_DATABASE_URL") else {
        return; // PostgreSQL is not configured for this run (scripts/test configures it).
    };
    let (base, _) = url.rsplit_once('/').unwrap();
    let wrong_db = format!("{base}/no_such_database");
    let out = trellis(&["migrate", "--database", &wrong_db]);
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("cannot open")
            && stderr.contains("no_such_database")
            && stderr.contains("does not exist"),
        "{stderr}"
    );
    let wrong_role = url.replacen("trellis:trellis@", "nobody:secret@", 1);
    let out = trellis(&["migrate", "--database", &wrong_role]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("nobody:***@") && stderr.contains("role \"nobody\" does not exist"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"));
}

#[tokio::test]
async fn copy_moves_an_installation_and_refuses_a_full_target() {
    let source = TestDatabase::new("sqlite").await;
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
    let target_backend = *backends().last().unwrap();
    let target = TestDatabase::new(target_backend).await;
    let out = trellis(&["copy", "--from", &source.url, "--to", &target.url]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("people") && stdout.contains("40 rows"),
        "{stdout}"
    );
    let out = trellis(&["copy", "--from", &source.url, "--to", &target.url]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("the target database is not empty"),
        "{}",
        text(&out.stderr)
    );
    let out = trellis(&[
        "copy",
        "--from",
        &source.url,
        "--to",
        &target.url,
        "--force",
    ]);
    assert!(
        out.status.success(),
        "{target_backend}: {}",
        text(&out.stderr)
    );
}

backend_tests!(reports_give_delivery_and_workload_in_every_format);
async fn reports_give_delivery_and_workload_in_every_format(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let out = trellis(&[
        "demo",
        "--people",
        "60",
        "--seed",
        "5",
        "--database",
        &db.url,
        "--password",
        "correct horse battery staple",
        "--no-serve",
    ]);
    assert!(out.status.success(), "{backend}: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("60 people") && stdout.contains("commitments"),
        "{stdout}"
    );

    let out = trellis(&[
        "report",
        "delivery",
        "--format",
        "json",
        "--window",
        "180d",
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{backend}: {}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 60, "{backend}: everyone in the organisation");
    let due: u64 = rows
        .iter()
        .map(|r| r["delivery"]["due"].as_u64().unwrap())
        .sum();
    assert_eq!(report["total_delivery"]["due"].as_u64().unwrap(), due);
    assert!(due > 300, "six months of work: {due}");
    let first = report["window"]["first"].as_str().unwrap().to_string();

    let out = trellis(&[
        "report",
        "workload",
        "--format",
        "csv",
        "--database",
        &db.url,
    ]);
    assert!(out.status.success());
    let csv = text(&out.stdout);
    assert!(csv.starts_with(
        "person_id,name,due,on_time,reliability,remaining_hours,capacity_hours,workload,overloaded"
    ));
    assert_eq!(csv.lines().count(), 61);
    assert!(
        csv.contains(",true"),
        "the demo has overloaded people:\n{csv}"
    );

    let out = trellis(&["report", "delivery", "--database", &db.url]);
    let table = text(&out.stdout);
    assert!(
        table.contains("Reliability") && table.lines().last().unwrap().starts_with("Total"),
        "{table}"
    );
    assert!(
        !table.contains(&first),
        "the default window is 90 days, not 180"
    );

    let out = trellis(&[
        "report",
        "delivery",
        "--window",
        "soon",
        "--database",
        &db.url,
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("\"soon\" is not a window"),
        "{}",
        text(&out.stderr)
    );
    let out = trellis(&[
        "report",
        "delivery",
        "--team",
        "99999",
        "--database",
        &db.url,
    ]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("team 99999 not found"),
        "{}",
        text(&out.stderr)
    );
}

backend_tests!(talent_imports_all_rows_or_none);
async fn talent_imports_all_rows_or_none(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "Email,Name,Skills\nada@x.org,Ada Lovelace,rust:4; sql:3\n",
    )
    .unwrap();
    let out = trellis(&[
        "import",
        "people",
        people.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{backend}: {}", text(&out.stderr));
    let pool = dir.path().join("pool.csv");
    std::fs::write(
        &pool,
        "Name,Skills,Hourly Rate,Hours Per Week,Available From\n\
         Kim Park,rust:5,120,20,2027-01-04\n\
         Lee Ray,rust:5,0,20,2027-01-04\n\
         Bo Lund,pyhton:4,80,10,2027-01-04\n",
    )
    .unwrap();
    let out = trellis(&[
        "import",
        "talent",
        pool.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(!out.status.success(), "{backend}");
    let stderr = text(&out.stderr);
    let path = pool.display();
    for expected in [
        format!("{path}:3: Hourly Rate: give the hourly rate as a number above 0 (at most 10,000)"),
        format!(
            "{path}:4: Skills: \"pyhton\" is not a skill Trellis knows (from people's skills, opportunities or this pool)"
        ),
        "2 errors; nothing was written.".to_string(),
    ] {
        assert!(
            stderr.contains(&expected),
            "{backend}: missing {expected:?} in\n{stderr}"
        );
    }
    std::fs::write(
        &pool,
        "Name,Skills,Hourly Rate,Hours Per Week,Available From\n\
         Kim Park,rust:5,120,20,2027-01-04\n",
    )
    .unwrap();
    let out = trellis(&[
        "import",
        "talent",
        pool.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{backend}: {}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "Added 1 to the talent pool.");
}

backend_tests!(the_career_ladder_imports_all_rows_or_none);
async fn the_career_ladder_imports_all_rows_or_none(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let ladder = dir.path().join("ladder.csv");
    let import = |dry_run: bool| {
        let mut args = vec!["import", "levels", ladder.to_str().unwrap()];
        if dry_run {
            args.push("--dry-run");
        }
        args.extend(["--database", db.url.as_str()]);
        trellis(&args)
    };
    std::fs::write(&ladder, "Code,Name,Rank\nL1,Junior,1\nL1,Junior again,x\n").unwrap();
    let out = import(false);
    assert!(!out.status.success(), "{backend}");
    let stderr = text(&out.stderr);
    let path = ladder.display();
    for expected in [
        format!("{path}:3: Rank: \"x\" is not a whole number"),
        format!("{path}:3: Code: L1 is already on line 2"),
        "2 errors; nothing was written.".to_string(),
    ] {
        assert!(
            stderr.contains(&expected),
            "{backend}: missing {expected:?} in\n{stderr}"
        );
    }
    std::fs::write(
        &ladder,
        "Code,Name,Rank,Expectations\nL1,Junior,1,Learns the craft\nL2,Engineer,2,\n",
    )
    .unwrap();
    let out = import(true);
    assert!(out.status.success(), "{backend}: {}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "Career ladder: would have 2 added, 0 updated, 0 unchanged. Nothing was written (dry run)."
    );
    let out = import(false);
    assert!(out.status.success(), "{backend}: {}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "Career ladder: 2 added, 0 updated, 0 unchanged."
    );
    let out = import(false);
    assert_eq!(
        text(&out.stdout).trim(),
        "Career ladder: 0 added, 0 updated, 2 unchanged."
    );
}

backend_tests!(invitations_are_queued_and_a_reset_link_is_printed_by_the_command);
async fn invitations_are_queued_and_a_reset_link_is_printed_by_the_command(backend: &'static str) {
    use trellis_core::store::prelude::*;
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("people.csv");
    std::fs::write(
        &file,
        "Email,Name,Manager Email\nada@x.org,Ada Lovelace,\nbob@x.org,Bob Builder,ada@x.org\ncy@x.org,Cy Clay,ada@x.org\n",
    )
    .unwrap();
    let out = trellis(&[
        "import",
        "people",
        file.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let url = "https://people.x.org";
    let invite = |extra: &[&str]| {
        let mut args = vec!["user", "invite", "--database", &db.url, "--public-url", url];
        args.extend_from_slice(extra);
        trellis(&args)
    };
    let out = invite(&["--email", "bob@x.org"]);
    assert!(out.status.success(), "{backend}: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(
            "Queued 1 invitation (links to https://people.x.org/welcome/…, valid 7 days)."
        ),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stdout).contains("no SMTP server is configured"),
        "{}",
        text(&out.stdout)
    );
    let out = invite(&["--all-without-account"]);
    assert!(
        text(&out.stdout).contains("Queued 3 invitations"),
        "{}",
        text(&out.stdout)
    );
    let out = invite(&["--email", "nobody@x.org"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("nobody has the e-mail nobody@x.org"),
        "{}",
        text(&out.stderr)
    );

    let store = db.store().await;
    let mails = store.recent_mails(10).await.unwrap();
    assert_eq!(mails.len(), 4, "{backend}");
    assert!(
        mails
            .iter()
            .all(|m| m.text.contains("https://people.x.org/welcome/"))
    );
    let invitations = store.invitations().await.unwrap();
    assert_eq!(invitations.len(), 3, "the newest of each person");

    let out = trellis(&[
        "user",
        "reset-password",
        "--email",
        "cy@x.org",
        "--database",
        &db.url,
        "--public-url",
        url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let link = text(&out.stdout).trim().to_string();
    let token = link
        .strip_prefix("https://people.x.org/reset/")
        .expect("a reset link");
    let holder = trellis_core::auth::links::holder(
        &store,
        token,
        trellis_core::auth::links::Purpose::Reset,
        trellis_store_now(),
    )
    .await
    .unwrap();
    assert_eq!(holder.email, "cy@x.org");
}

fn trellis_store_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// A `trellis serve` sending mail to the sink (its worker runs 8 senders).
fn serve_with_mail(database: &str, smtp_url: &str) -> std::process::Child {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args([
            "serve",
            "--database",
            database,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env_remove("TRELLIS_DATABASE")
        .env_remove("TRELLIS_CONFIG")
        .env("TRELLIS_SECRET_KEY", TEST_SECRET_KEY)
        .env("TRELLIS_SMTP_URL", smtp_url)
        .env("TRELLIS_MAIL_FROM", "Trellis <people@x.org>")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start trellis serve")
}

backend_tests!(multi_thread: a_sender_killed_mid_batch_loses_no_mail);
async fn a_sender_killed_mid_batch_loses_no_mail(backend: &'static str) {
    use trellis_core::mail::{MailStore, OutgoingMail, message_id};
    let db = TestDatabase::new(backend).await;
    let store = db.store().await;
    let sink = trellis_mail::testing::SmtpSink::start(0).await;
    const MAILS: usize = 400;
    let now = trellis_store_now();
    for i in 0..MAILS {
        let key = format!("batch {i}");
        store
            .queue_mail_now(
                &OutgoingMail {
                    message_id: message_id(&key, "x.org"),
                    key,
                    person: None,
                    to_address: format!("p{i}@x.org"),
                    to_name: format!("P {i}"),
                    subject: "Summary".into(),
                    text: "text".into(),
                    html: "<p>html</p>".into(),
                },
                now,
            )
            .await
            .unwrap();
    }
    let mut first = serve_with_mail(&db.url, &sink.url());
    let deadline = Instant::now() + Duration::from_secs(60);
    while sink.received().len() < 50 {
        assert!(
            Instant::now() < deadline,
            "{backend}: the first sender never sent"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // kill -9: no graceful stop, jobs in the middle of being sent stay claimed.
    first.kill().unwrap();
    first.wait().unwrap();
    let at_kill = sink.received().len();
    let mut second = serve_with_mail(&db.url, &sink.url());
    // Mail the killed sender held goes out when its lease (45 s) ends.
    let deadline = Instant::now() + Duration::from_secs(120);
    while (store.mail_counts().await.unwrap().sent as usize) < MAILS {
        assert!(
            Instant::now() < deadline,
            "{backend}: {:?} after the kill",
            store.mail_counts().await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut ids: Vec<String> = sink
        .received()
        .iter()
        .filter_map(|m| m.header("Message-ID"))
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), MAILS, "{backend}: every mail arrived");
    second.kill().unwrap();
    second.wait().unwrap();
    let received = sink.received().len();
    let duplicates = received - MAILS;
    println!("{backend}: killed after {at_kill} mails; {MAILS} arrived, {duplicates} twice");
    assert!(
        duplicates <= 8,
        "{backend}: only mails being sent at the kill (8 senders) may go twice, not {duplicates}"
    );
}

backend_tests!(a_wrong_smtp_url_is_a_warning_and_trellis_serves);
async fn a_wrong_smtp_url_is_a_warning_and_trellis_serves(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args([
            "serve",
            "--database",
            &db.url,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env_remove("TRELLIS_DATABASE")
        .env_remove("TRELLIS_CONFIG")
        .env("TRELLIS_SECRET_KEY", TEST_SECRET_KEY)
        .env("TRELLIS_SMTP_URL", "gopher://mailer:s3cret@mail.x.org")
        .env("TRELLIS_MAIL_FROM", "people@x.org")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut served = false;
    while Instant::now() < deadline && !served {
        served = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(served, "{backend}: trellis serves without mail");
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .contains("mail is not sent: smtp_url gopher://mailer:…@mail.x.org is not an SMTP URL"),
        "{backend}: {stderr}"
    );
    assert!(!stderr.contains("s3cret"), "the password is never printed");
}

/// `trellis serve` with extra environment; stderr is kept.
fn serve_with_env(database: &str, port: u16, env: &[(&str, &str)]) -> std::process::Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trellis"));
    command
        .args([
            "serve",
            "--database",
            database,
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .env_remove("TRELLIS_DATABASE")
        .env_remove("TRELLIS_CONFIG")
        .env("TRELLIS_SECRET_KEY", TEST_SECRET_KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    command.spawn().expect("start trellis serve")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `trellis serve` answers, then fetches a page over plain HTTP/1.0.
async fn fetch_when_served(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").ok()?;
            let mut page = String::new();
            stream.read_to_string(&mut page).ok()?;
            return Some(page);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

#[tokio::test]
async fn single_sign_on_settings_that_cannot_work_are_one_line_and_passwords_keep_working() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("t.db").display());
    let cases: [(&[(&str, &str)], &str); 4] = [
        (
            &[
                ("TRELLIS_OIDC_ISSUER", "http://id.example.org"),
                ("TRELLIS_OIDC_CLIENT_ID", "trellis"),
                ("TRELLIS_OIDC_CLIENT_SECRET", "s3cret"),
            ],
            "must use https",
        ),
        (
            &[
                ("TRELLIS_OIDC_ISSUER", "https://id.example.org"),
                ("TRELLIS_OIDC_CLIENT_ID", "trellis"),
            ],
            "oidc_client_secret is missing",
        ),
        (
            &[("TRELLIS_LOCAL_PASSWORDS", "false")],
            "local_passwords = false needs single sign-on",
        ),
        (
            &[
                ("TRELLIS_OIDC_ISSUER", "https://id.example.org"),
                ("TRELLIS_OIDC_CLIENT_ID", "trellis"),
                ("TRELLIS_OIDC_CLIENT_SECRET", "s3cret"),
                (
                    "TRELLIS_OIDC_TRUSTED_DOMAINS",
                    "example.org, ana@example.org",
                ),
                ("TRELLIS_LOCAL_PASSWORDS", "false"),
            ],
            "oidc_trusted_domains: \"ana@example.org\" is not an e-mail domain",
        ),
    ];
    for (env, expected) in cases {
        let port = free_port();
        let mut child = serve_with_env(&database, port, env);
        let page = fetch_when_served(port, "/signin").await;
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        let page = page.unwrap_or_else(|| panic!("{expected}: trellis serves"));
        assert!(
            page.contains("type=\"password\""),
            "{expected}: password sign-in works: {page}"
        );
        assert!(
            !page.contains("Sign in with"),
            "{expected}: no button that cannot work"
        );
        let stderr = text(&out.stderr);
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("single sign-on"))
            .collect();
        assert_eq!(lines.len(), 1, "one line: {stderr}");
        assert!(lines[0].contains(expected), "{expected}: {stderr}");
        assert!(
            lines[0].contains("people sign in with Trellis passwords"),
            "{stderr}"
        );
        assert!(!stderr.contains("s3cret"), "the secret is never printed");
    }
}

#[tokio::test]
async fn a_provider_that_does_not_answer_is_a_warning_and_trellis_serves() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("t.db").display());
    let port = free_port();
    let mut child = serve_with_env(
        &database,
        port,
        &[
            ("TRELLIS_OIDC_ISSUER", "http://127.0.0.1:9"),
            ("TRELLIS_OIDC_CLIENT_ID", "trellis"),
            ("TRELLIS_OIDC_CLIENT_SECRET", "s3cret"),
        ],
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut served = false;
    while Instant::now() < deadline && !served {
        served = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let out = child.wait_with_output().unwrap();
    assert!(served, "trellis serves while the provider is down");
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("single sign-on: the sign-in provider is unavailable")
            && stderr.contains("sign-in will ask it again"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"), "the secret is never printed");
}

/// Without a secret_key, `trellis serve` generates one into its configuration file, and
/// the next start reads it from there; a malformed key is refused with one line.
#[tokio::test]
async fn serve_generates_its_secret_key_into_the_configuration_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("trellis.toml");
    let database = format!("sqlite://{}", dir.path().join("t.db").display());
    std::fs::write(&config, format!("database = \"{database}\"\n")).unwrap();
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--config")
        .arg(&config)
        .env_remove("TRELLIS_DATABASE")
        .env_remove("TRELLIS_SECRET_KEY")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let page = fetch_when_served(port, "/healthz").await;
    child.kill().ok();
    child.wait().ok();
    assert!(page.is_some(), "served");
    let text = std::fs::read_to_string(&config).unwrap();
    let key = text
        .lines()
        .find_map(|l| l.strip_prefix("secret_key = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or_else(|| panic!("a key was written: {text}"));
    assert_eq!(key.len(), 64);
    assert!(
        text.starts_with(&format!("database = \"{database}\"")),
        "kept: {text}"
    );
    let bad = trellis(&["serve", "--secret-key", "abc", "--database", &database]);
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("secret_key: give 64 hexadecimal digits"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

backend_tests!(the_360_export_prints_what_the_report_shows);
async fn the_360_export_prints_what_the_report_shows(backend: &'static str) {
    use trellis_core::assessments::store::{AssessmentStore, NewAssessment, StoredAnswer};
    use trellis_core::assessments::{RaterGroup, template};
    use trellis_core::ids::PersonId;
    use trellis_core::store::prelude::*;
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    std::fs::write(
        &people,
        "Employee Id,Email,Name,Manager Email\n1,boss@x.org,Bo Boss,\n2,ann@x.org,Ann Ash,boss@x.org\n\
         3,cy@x.org,Cy Clay,boss@x.org\n4,di@x.org,Di Dee,boss@x.org\n5,ed@x.org,Ed Eel,ann@x.org\n",
    )
    .unwrap();
    let out = trellis(&[
        "import",
        "people",
        people.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // Ann's 360, shared: three peers answered, one report (below k = 3).
    let store = db.store().await;
    let id = |email: &str| {
        let store = &store;
        let email = email.to_string();
        async move { store.person_id_by_email(&email).await.unwrap().unwrap() }
    };
    let ann = id("ann@x.org").await;
    let raters: Vec<(PersonId, RaterGroup)> = vec![
        (id("boss@x.org").await, RaterGroup::Peers),
        (id("cy@x.org").await, RaterGroup::Peers),
        (id("di@x.org").await, RaterGroup::Peers),
        (id("ed@x.org").await, RaterGroup::Reports),
    ];
    let mut work = store.begin_assessment_write().await.unwrap();
    let a = work
        .create_assessment(&NewAssessment {
            subject: ann,
            behaviours: template(),
            k: 3,
            due_on: "2030-01-01".parse().unwrap(),
            created_by: None,
            created_at: 1,
            raters: raters.clone(),
            in_cycle: None,
        })
        .await
        .unwrap();
    for (i, (_, group)) in raters.iter().enumerate() {
        work.save_answer(
            a,
            &StoredAnswer {
                group: *group,
                pseudonym: 100 + i as u64,
                rater: None,
                ratings: vec![Some(4); 12],
                management_comment: "A secret comment".into(),
                leadership_comment: String::new(),
            },
        )
        .await
        .unwrap();
    }
    work.share_assessment(a, 2).await.unwrap();
    work.commit().await.unwrap();
    let out = trellis(&["export", "360", "-", "--database", &db.url]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(csv.contains("Ann Ash"), "{csv}");
    assert!(csv.contains("All colleagues,4.00,3"), "{csv}");
    assert!(
        csv.contains("Direct reports: fewer than 3 answers, left out whole"),
        "{csv}"
    );
    assert!(
        !csv.contains("A secret comment") && !csv.contains("Ed Eel"),
        "{csv}"
    );
    assert!(text(&out.stderr).contains("Exported the figures of 1 shared 360 report."));
}

backend_tests!(interactions_import_all_rows_or_none_and_feed_the_influence_report);
async fn interactions_import_all_rows_or_none_and_feed_the_influence_report(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let people = dir.path().join("people.csv");
    // Bo leads Ann and Cy; Di reports to Ann, Fi to Cy.
    std::fs::write(
        &people,
        "Employee Id,Email,Name,Manager Email\nE1,boss@x.org,Bo Boss,\nE2,ann@x.org,Ann Ash,boss@x.org\n\
         E3,cy@x.org,Cy Clay,boss@x.org\nE4,di@x.org,Di Dee,ann@x.org\nE6,fi@x.org,Fi Fox,cy@x.org\n",
    )
    .unwrap();
    let out = trellis(&[
        "import",
        "people",
        people.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "Seeker Email,Adviser Email,Date,Kind\n\
         ann@x.org,ann@x.org,2026-11-01,advice\n\
         nobody@x.org,ann@x.org,2026-11-01,advice\n\
         E4,ann@x.org,2026-13-01,advice\n\
         E4,ann@x.org,2999-01-01,advice\n\
         E4,ann@x.org,2026-11-01,gossip\n",
    )
    .unwrap();
    let out = trellis(&[
        "import",
        "interactions",
        bad.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    let path = bad.display();
    for expected in [
        format!("{path}:2: To: the same person as From"),
        format!("{path}:3: From: nobody in Trellis is nobody@x.org"),
        format!("{path}:4: Date: \"2026-13-01\" is not a date: use YYYY-MM-DD"),
        format!("{path}:5: Date: 2999-01-01 is in the future"),
        format!("{path}:6: Kind: \"gossip\" is not a kind"),
        "5 errors; nothing was written.".to_string(),
    ] {
        assert!(
            stderr.contains(&expected),
            "{backend}: missing {expected:?} in\n{stderr}"
        );
    }

    let day =
        |ago: i64| (chrono::Utc::now().date_naive() - chrono::Duration::days(ago)).to_string();
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!(
            "From,To,Date,Kind\n\
             di@x.org,ann@x.org,{d},advice\n\
             boss@x.org,ann@x.org,{d},advice\n\
             cy@x.org,ann@x.org,{d},advice\n\
             fi@x.org,ann@x.org,{d},advice\n\
             fi@x.org,ann@x.org,{d},advice\n\
             E6,ann@x.org,{e},advice\n\
             ann@x.org,cy@x.org,{d},meeting\n",
            d = day(5),
            e = day(6)
        ),
    )
    .unwrap();
    let import = |dry: bool| {
        let mut args = vec![
            "import",
            "interactions",
            good.to_str().unwrap(),
            "--database",
            &db.url,
        ];
        if dry {
            args.push("--dry-run");
        }
        trellis(&args)
    };
    let out = import(true);
    assert!(
        text(&out.stdout).contains("7 rows, 6 would be new"),
        "{}",
        text(&out.stdout)
    );
    let out = import(false);
    assert!(
        text(&out.stdout).contains("7 rows, 6 new"),
        "{}",
        text(&out.stdout)
    );
    let out = import(false);
    assert!(
        text(&out.stdout).contains("7 rows, 0 new"),
        "re-importing adds nothing"
    );

    // Ann: four distinct seekers; her manager and her report are in her line.
    let out = trellis(&[
        "report",
        "influence",
        "--format",
        "csv",
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let csv = text(&out.stdout);
    assert!(
        csv.starts_with(
            "email,name,influence_outside_line,advice_sought_by,reach,brokerage,brokerage_exact"
        ),
        "{csv}"
    );
    let ann = csv.lines().find(|l| l.starts_with("ann@x.org")).unwrap();
    assert!(ann.starts_with("ann@x.org,Ann Ash,2,4,"), "{ann}");
    assert!(ann.ends_with(",true"), "exact brokerage: {ann}");
    let out = trellis(&[
        "report",
        "influence",
        "--format",
        "json",
        "--database",
        &db.url,
    ]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let total: f64 = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["reach"].as_f64().unwrap())
        .sum();
    assert!((total - 1.0).abs() < 1e-9, "reach sums to 1: {total}");
    // Ann sits between her seekers and Cy, whom she met: she brokers.
    let ann = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == "ann@x.org")
        .unwrap();
    assert!(ann["brokerage"].as_f64().unwrap() > 0.0, "{ann}");
}

backend_tests!(connect_preview_reaches_the_round_robin_limit);
async fn connect_preview_reaches_the_round_robin_limit(backend: &'static str) {
    let db = TestDatabase::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("people.csv");
    let mut csv = String::from("Email,Name,Team,Department\n");
    for i in 0..50 {
        csv += &format!("e{i}@x.org,Engineer {i},Squad {},Engineering\n", i % 5);
    }
    for i in 0..51 {
        csv += &format!("s{i}@x.org,Seller {i},Region {},Sales\n", i % 3);
    }
    csv += "l0@x.org,Lawyer,Counsel,Legal\n";
    std::fs::write(&file, csv).unwrap();
    let out = trellis(&[
        "import",
        "people",
        file.to_str().unwrap(),
        "--database",
        &db.url,
    ]);
    assert!(out.status.success(), "{backend}: {}", text(&out.stderr));

    let preview = |department: &str, rounds: &str, extra: &[&str]| {
        let mut args = vec![
            "connect",
            "preview",
            "--department",
            department,
            "--rounds",
            rounds,
            "--database",
            &db.url,
        ];
        args.extend_from_slice(extra);
        trellis(&args)
    };
    let out = preview("engineering", "50", &["--format", "csv"]);
    assert!(out.status.success(), "{backend}: {}", text(&out.stderr));
    let csv = text(&out.stdout);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "round,groups,new_pairs,repeats,coverage");
    assert_eq!(lines[1], "1,25,25,0,0.0204");
    assert_eq!(lines[49], "49,25,25,0,1.0", "{csv}");
    assert!(lines[48].ends_with(",0,0.9796"), "{csv}");
    // After the limit, pairs meet again, those who met longest ago first.
    assert_eq!(lines[50], "50,25,0,25,1.0");

    let out = preview("Sales", "51", &[]);
    let table = text(&out.stdout);
    assert!(
        table.starts_with("department Sales: 51 people, nothing saved"),
        "{table}"
    );
    let full: Vec<&str> = table
        .lines()
        .filter(|l| l.trim_end().ends_with(" 1.0"))
        .collect();
    assert!(
        !full.is_empty(),
        "51 people have all met by round 51:\n{table}"
    );
    assert!(
        table.contains("Everyone has met everyone by round"),
        "{table}"
    );

    let out = preview(
        "Engineering",
        "4",
        &["--group-size", "3", "--format", "csv"],
    );
    let csv = text(&out.stdout);
    assert!(
        csv.lines().nth(1).unwrap().starts_with("1,17,49,0,"),
        "16 trios and a pair:\n{csv}"
    );

    for (department, extra, expected) in [
        (
            "Legal",
            vec![],
            "a connection programme needs at least 2 people; department \"Legal\" has 1 person active",
        ),
        (
            "Marketing",
            vec![],
            "no active people are in a department called \"Marketing\"",
        ),
        (
            "Sales",
            vec!["--group-size", "4"],
            "--group-size: a group size of 4 is not offered: choose 2 (pairs) or 3 (trios)",
        ),
    ] {
        let out = preview(department, "3", &extra);
        assert!(!out.status.success(), "{backend}: {department}");
        assert!(
            text(&out.stderr).contains(expected),
            "{backend}: {}",
            text(&out.stderr)
        );
    }
}
