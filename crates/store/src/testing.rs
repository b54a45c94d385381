//! Throwaway databases for tests: a fresh SQLite file, or — when
//! `TRELLIS_TEST_DATABASE_URL` points at a PostgreSQL server — a fresh database on it.

use crate::{SqlStore, StoreOptions};
use sqlx::any::install_default_drivers;
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

/// A database that lives as long as this value.
pub struct TestDatabase {
    pub url: String,
    _dir: Option<tempfile_dir::TempDir>,
    admin_url: Option<String>,
    name: Option<String>,
}

mod tempfile_dir {
    /// A temporary folder removed on drop (kept small to avoid a dependency).
    pub struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The backends a test should run on: always SQLite, and PostgreSQL when configured.
/// Under CI (`CI` set) a missing PostgreSQL fails the test rather than passing it on
/// SQLite alone; elsewhere the skipped backend is said on stderr.
pub fn backends() -> Vec<&'static str> {
    let mut b = vec!["sqlite"];
    if std::env::var("TRELLIS_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        b.push("postgres");
    } else {
        skipped(
            "TRELLIS_TEST_DATABASE_URL",
            "the PostgreSQL half of this test",
        );
    }
    b
}

/// Whether PostgreSQL is configured for tests; when it is not, says so (or fails under CI,
/// like [`backends`]).
pub fn postgres_configured() -> bool {
    let configured = std::env::var("TRELLIS_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    if !configured {
        skipped("TRELLIS_TEST_DATABASE_URL", "this PostgreSQL test");
    }
    configured
}

/// One test per backend for each `async fn name(backend: &'static str)` named, so a failure
/// names its backend (`name::sqlite`, `name::postgres`): `backend_tests!(a, b);`. The
/// PostgreSQL test runs when `TRELLIS_TEST_DATABASE_URL` is set, and fails under CI when
/// it is not.
/// `backend_tests!(multi_thread: name)` runs them on two worker threads.
#[macro_export]
macro_rules! backend_tests {
    (multi_thread: $($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name("sqlite").await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if $crate::testing::postgres_configured() {
                        super::$name("postgres").await
                    }
                }
            }
        )+
    };
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    super::$name("sqlite").await
                }
                #[tokio::test]
                async fn postgres() {
                    if $crate::testing::postgres_configured() {
                        super::$name("postgres").await
                    }
                }
            }
        )+
    };
}

/// Says that a part of a test did not run for want of `variable`, or fails under CI.
pub fn skipped(variable: &str, what: &str) {
    if std::env::var("CI").is_ok_and(|v| !v.is_empty()) {
        panic!("{variable} is not set under CI: {what} would pass without running");
    }
    eprintln!("skipped: {what} ({variable} is not set; scripts/test sets it)");
}

fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDatabase {
    /// A new empty database on `backend` (`sqlite` or `postgres`).
    pub async fn new(backend: &str) -> TestDatabase {
        install_default_drivers();
        match backend {
            "postgres" => {
                let admin_url = std::env::var("TRELLIS_TEST_DATABASE_URL")
                    .expect("TRELLIS_TEST_DATABASE_URL is set for postgres tests");
                let name = format!("trellis_test_{}", unique_suffix());
                let mut conn = AnyConnection::connect(&admin_url)
                    .await
                    .expect("connect to the test PostgreSQL server");
                sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create a test database");
                let _ = conn.close().await;
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(b, _)| b)
                    .unwrap_or(&admin_url);
                TestDatabase {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    admin_url: Some(admin_url),
                    name: Some(name),
                }
            }
            _ => {
                let dir = std::env::temp_dir().join(format!("trellis-test-{}", unique_suffix()));
                std::fs::create_dir_all(&dir).expect("create a temporary folder");
                TestDatabase {
                    url: format!("sqlite://{}", dir.join("trellis.db").display()),
                    _dir: Some(tempfile_dir::TempDir(dir)),
                    admin_url: None,
                    name: None,
                }
            }
        }
    }

    /// Opens the database and applies the migrations.
    pub async fn store(&self) -> SqlStore {
        SqlStore::connect(&StoreOptions::new(self.url.clone()))
            .await
            .expect("open the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let (Some(admin), Some(name)) = (self.admin_url.take(), self.name.take()) {
            // Dropped from a plain thread: Drop cannot be async and may run inside a runtime.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio_runtime() else { return };
                rt.block_on(async move {
                    if let Ok(mut conn) = AnyConnection::connect(&admin).await {
                        let _ = sqlx::query(AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

fn tokio_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

/// The tables and columns `trellis copy` moves (for the test that holds them against the
/// schema, so a table or column added by a migration cannot be left behind by a copy).
pub fn copied_columns() -> Vec<(&'static str, Vec<&'static str>)> {
    crate::copy::copied_columns()
}
