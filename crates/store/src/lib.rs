//! The [`Store`](trellis_core::Store) on sqlx: SQLite (embedded default) or PostgreSQL,
//! chosen from the URL scheme at start-up. Queries are written once in SQL that both
//! backends accept (`$n` placeholders, text dates, 64-bit integers); migrations are kept
//! per backend where their SQL must differ.
//!
//! Errors: everything returns `trellis_core::CoreError`; [`map_err`] turns named unique
//! constraints into conflicts and lost connections into `Unavailable`.

mod accounts;
mod assessments;
mod backup;
mod bulk;
mod cache;
mod connect;
mod conversations;
mod copy;
mod copy_pg;
mod copy_tables;
mod decisions;
mod development;
mod digest;
mod feedback;
mod growth;
mod history;
mod import;
mod influence;
mod jobs;
mod links;
mod mail;
mod mentoring;
mod migrate;
mod people;
mod provisioning;
mod reader;
mod reviews;
mod scorecards;
mod sql;
mod sso;
mod succession;
mod talent;
pub mod testing;
mod transitions;
mod unit;
mod work;

pub(crate) use sql::{map_err, placeholders};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, AssertSqlSafe, Executor};

use std::time::Duration;
use trellis_core::error::{CoreError, CoreResult};

/// Each SQLite connection's page cache, in KiB: the person page and org chart of a large
/// organisation read from it.
pub(crate) const PAGE_CACHE_KIB: i64 = 64 * 1024;
/// Trellis's queries look rows up by key; planning them anew on every call cost more than
/// running them. Prepared statements keep one plan.
const GENERIC_PLANS: &str = "SET plan_cache_mode = force_generic_plan";

pub use backup::{BackupHeader, Restored, backup, read_header, restore};
pub use copy::{CopyReport, copy_database};
pub use migrate::{MigrationStatus, latest_version};

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Picks the backend from the URL scheme.
    pub fn from_url(url: &str) -> CoreResult<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(CoreError::field(
                "database",
                format!(
                    "{} is not a database URL; use sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DB",
                    redact_url(url)
                ),
            ))
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Hides the password of a database URL for logs and messages.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((credentials, host)) = rest.split_once('@')
        && let Some((user, _password)) = credentials.split_once(':')
    {
        return format!("{scheme}://{user}:***@{host}");
    }
    url.to_string()
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    pub url: String,
    /// Pool size. SQLite serialises writers, so a few connections suffice; PostgreSQL
    /// instances share the server's `max_connections` (100 by default) between them.
    pub max_connections: u32,
    /// Run pending migrations on connect (serve does; `migrate` does it explicitly).
    pub migrate: bool,
}

impl StoreOptions {
    pub fn new(url: impl Into<String>) -> Self {
        StoreOptions {
            url: url.into(),
            max_connections: 16,
            migrate: true,
        }
    }
}

/// The sqlx-backed store.
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// Direct reads for the busiest pages (SQLite files only).
    reader: Option<std::sync::Arc<reader::SqliteReader>>,
    /// PostgreSQL's own rows for the reads of [`sql::fetch`], which decode several times
    /// faster than sqlx's Any rows: a read over everyone returns 100,000 of them.
    native: Option<sqlx::PgPool>,
    /// The busiest reads, trusted while the database says nothing was written since.
    cache: Option<std::sync::Arc<cache::ReadCache>>,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore")
            .field("backend", &self.backend)
            .finish()
    }
}

impl SqlStore {
    /// Connects, and migrates when asked. SQLite files are created when missing.
    pub async fn connect(options: &StoreOptions) -> CoreResult<SqlStore> {
        install_default_drivers();
        let backend = Backend::from_url(&options.url)?;
        let url = match backend {
            Backend::Sqlite if !options.url.contains("mode=") => {
                let sep = if options.url.contains('?') { '&' } else { '?' };
                format!("{}{sep}mode=rwc", options.url)
            }
            _ => options.url.clone(),
        };
        if backend == Backend::Sqlite
            && let Some(path) = sqlite_path(&url)
            && let Some(parent) = std::path::Path::new(&path).parent()
            && !parent.as_os_str().is_empty()
            && !parent.exists()
        {
            return Err(CoreError::Unavailable(format!(
                "the folder {} for the SQLite database does not exist",
                parent.display()
            )));
        }
        let in_memory = backend == Backend::Sqlite && url.contains(":memory:");
        // On PostgreSQL the native reads take half of the connections the instance may open.
        let native_connections = match backend {
            Backend::Postgres if options.max_connections >= 2 => options.max_connections / 2,
            _ => 0,
        };
        let mut pool_options = AnyPoolOptions::new()
            .max_connections(match backend {
                // Every connection to :memory: is a database of its own: keep exactly one.
                Backend::Sqlite if in_memory => 1,
                Backend::Sqlite => options.max_connections.min(8),
                Backend::Postgres => options.max_connections - native_connections,
            })
            .acquire_timeout(Duration::from_secs(5));
        if in_memory {
            pool_options = pool_options.idle_timeout(None).max_lifetime(None);
        }
        if backend == Backend::Sqlite {
            pool_options = pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers work while one writer writes; the busy timeout makes
                    // writers queue instead of failing.
                    conn.execute(AssertSqlSafe(format!(
                        "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
                         PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; \
                         PRAGMA cache_size = -{PAGE_CACHE_KIB}; PRAGMA temp_store = MEMORY;"
                    )))
                    .await?;
                    Ok(())
                })
            });
        }
        if backend == Backend::Postgres {
            pool_options = pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(GENERIC_PLANS).await?;
                    Ok(())
                })
            });
        }
        let pool = pool_options
            .connect(&url)
            .await
            .map_err(|e| connect_error(&options.url, e))?;
        // Opened on first use: most commands never make such a read.
        let native = match native_connections {
            0 => None,
            n => Some(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(n)
                    .acquire_timeout(Duration::from_secs(5))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(GENERIC_PLANS).await?;
                            Ok(())
                        })
                    })
                    .connect_lazy(&url)
                    .map_err(|e| connect_error(&options.url, e))?,
            ),
        };
        let reader = match backend {
            Backend::Sqlite if !in_memory => {
                sqlite_path(&url).map(|path| std::sync::Arc::new(reader::SqliteReader::new(path)))
            }
            _ => None,
        };
        let cache = match (&reader, backend) {
            (_, Backend::Postgres) => Some(cache::Changes::Counter(cache::ChangeCounter::new())),
            (Some(reader), Backend::Sqlite) => Some(cache::Changes::DataVersion(
                std::sync::Mutex::new(reader.watcher()?),
            )),
            (None, Backend::Sqlite) => None,
        }
        .map(|changes| std::sync::Arc::new(cache::ReadCache::new(changes)));
        let store = SqlStore {
            pool,
            backend,
            reader,
            native,
            cache,
        };
        let status = migrate::status(&store.pool, backend).await?;
        if status.current > status.latest {
            return Err(CoreError::Unavailable(format!(
                "the database is at migration {}, newer than this Trellis knows (up to {}); run a newer Trellis",
                status.current, status.latest
            )));
        }
        if options.migrate {
            migrate::run(&store.pool, backend).await?;
        }
        Ok(store)
    }

    /// `load`'s answer, from the read cache when there is one and nothing was written since.
    pub(crate) async fn cached<K, V, Load, Loading>(
        &self,
        kind: impl FnOnce(&cache::ReadCache) -> &cache::Tagged<K, V>,
        key: K,
        load: Load,
    ) -> CoreResult<V>
    where
        K: std::hash::Hash + Eq,
        V: Clone,
        Load: FnOnce() -> Loading,
        Loading: std::future::Future<Output = CoreResult<V>>,
    {
        match &self.cache {
            Some(cache) => cache.read(&self.pool, kind(cache), key, load).await,
            None => load().await,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend_kind(&self) -> Backend {
        self.backend
    }

    /// Applies pending migrations; returns the versions applied.
    pub async fn migrate(&self) -> CoreResult<Vec<i64>> {
        migrate::run(&self.pool, self.backend).await
    }

    pub async fn migration_status(&self) -> CoreResult<MigrationStatus> {
        migrate::status(&self.pool, self.backend).await
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
        if let Some(native) = &self.native {
            native.close().await;
        }
    }
}

fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or("");
    (!path.is_empty() && path != ":memory:").then(|| path.to_string())
}

fn connect_error(url: &str, e: sqlx::Error) -> CoreError {
    let text = e.to_string();
    let hint = tls_hint(url, &text).unwrap_or_default();
    CoreError::Unavailable(format!("cannot open {}: {text}{hint}", redact_url(url)))
}

/// What to do about a TLS failure, in words: the library's own say only what failed.
fn tls_hint(url: &str, error: &str) -> Option<String> {
    let root_cert = url
        .split_once('?')
        .and_then(|(_, query)| {
            query
                .split('&')
                .find_map(|pair| pair.strip_prefix("sslrootcert="))
        })
        .map(str::to_string);
    if error.contains("UnknownIssuer") {
        Some(match root_cert {
            Some(file) => {
                format!(" (the server's certificate is not signed by the authority in {file})")
            }
            None => " (the server's certificate is not signed by a public authority: name \
                     your provider's CA certificate with sslrootcert=FILE in the URL)"
                .into(),
        })
    } else if error.contains("NotValidForName") {
        Some(
            " (the server's certificate is made for another host name: connect by the name \
             it names, or use sslmode=verify-ca)"
                .into(),
        )
    } else if let Some(file) = root_cert
        && error.contains("os error")
    {
        Some(format!(" (the sslrootcert file {file} cannot be read)"))
    } else {
        None
    }
}

#[async_trait::async_trait]
impl trellis_core::Store for SqlStore {
    fn read_in_one_view<'a>(
        &'a self,
        request: trellis_core::store::BoxFuture<'a, ()>,
    ) -> trellis_core::store::BoxFuture<'a, ()> {
        Box::pin(crate::cache::in_one_view(request))
    }
    fn backend(&self) -> &'static str {
        self.backend.name()
    }
    async fn ping(&self) -> CoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(map_err)
    }
}

#[cfg(test)]
mod tests {
    use super::tls_hint;

    #[test]
    fn tls_failures_say_what_to_change_in_the_url() {
        let url = "postgres://u:p@db:5432/trellis?sslmode=verify-full";
        let unknown = "invalid peer certificate: UnknownIssuer";
        assert!(tls_hint(url, unknown).unwrap().contains("sslrootcert=FILE"));
        let with_ca = format!("{url}&sslrootcert=/etc/ca.pem");
        assert!(
            tls_hint(&with_ca, unknown)
                .unwrap()
                .contains("not signed by the authority in /etc/ca.pem")
        );
        assert!(
            tls_hint(&with_ca, "No such file or directory (os error 2)")
                .unwrap()
                .contains("sslrootcert file /etc/ca.pem cannot be read")
        );
        assert!(
            tls_hint(url, "invalid peer certificate: NotValidForName")
                .unwrap()
                .contains("verify-ca")
        );
        assert_eq!(tls_hint(url, "connection refused"), None);
    }
}
