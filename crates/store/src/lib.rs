//! The [`Store`](trellis_core::Store) on sqlx: SQLite (embedded default) or PostgreSQL,
//! chosen from the URL scheme at start-up. Queries are written once in SQL that both
//! backends accept (`$n` placeholders, text dates, 64-bit integers); migrations are kept
//! per backend where their SQL must differ.
//!
//! Errors: everything returns `trellis_core::CoreError`; [`map_err`] turns named unique
//! constraints into conflicts and lost connections into `Unavailable`.

mod accounts;
mod bulk;
mod cache;
mod copy;
mod growth;
mod history;
mod import;
mod jobs;
mod mentoring;
mod migrate;
mod people;
mod reader;
pub mod testing;
mod work;

use async_trait::async_trait;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};
use std::time::Duration;
use trellis_core::error::{CoreError, CoreResult};

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
        let mut pool_options = AnyPoolOptions::new()
            .max_connections(match backend {
                // Every connection to :memory: is a database of its own: keep exactly one.
                Backend::Sqlite if in_memory => 1,
                Backend::Sqlite => options.max_connections.min(8),
                Backend::Postgres => options.max_connections,
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
                    conn.execute(
                        "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
                         PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; \
                         PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        if backend == Backend::Postgres {
            pool_options = pool_options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // Trellis's queries look rows up by key; planning them anew on every call
                    // cost more than running them. Prepared statements keep one plan.
                    conn.execute("SET plan_cache_mode = force_generic_plan")
                        .await?;
                    Ok(())
                })
            });
        }
        let pool = pool_options
            .connect(&url)
            .await
            .map_err(|e| connect_error(&options.url, e))?;
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

/// Maps a database error to the domain: constraint violations become conflicts with a
/// message a person can act on; connection trouble becomes `Unavailable`.
pub(crate) fn map_err(e: sqlx::Error) -> CoreError {
    match &e {
        sqlx::Error::Database(db) => {
            let message = db.message().to_string();
            let constraint = db.constraint().unwrap_or("").to_string();
            let text = format!("{constraint} {message}");
            if text.contains("people_email_unique") || text.contains("people.email") {
                CoreError::field("email", "a person with this e-mail address already exists")
            } else if text.contains("people_employee_id_unique")
                || text.contains("people.employee_id")
            {
                CoreError::field(
                    "employee_id",
                    "a person with this employee id already exists",
                )
            } else if text.contains("teams_name_unique") || text.contains("teams.name") {
                CoreError::field("name", "a team with this name already exists")
            } else if text.contains("accounts_person_unique") || text.contains("accounts.person_id")
            {
                CoreError::Conflict("this person already has an account".into())
            } else if db.is_unique_violation() {
                CoreError::Conflict(format!("this already exists ({message})"))
            } else if db.is_foreign_key_violation() {
                CoreError::Conflict(format!(
                    "this refers to something that does not exist ({message})"
                ))
            } else if message.contains("database is locked") || message.contains("busy") {
                CoreError::Unavailable("the database is busy; try again".into())
            } else {
                tracing::error!(error = %e, "database error");
                CoreError::Internal("a database error occurred; it has been logged".into())
            }
        }
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => {
            tracing::warn!(error = %e, "database unavailable");
            CoreError::Unavailable(e.to_string())
        }
        _ => {
            tracing::error!(error = %e, "database error");
            CoreError::Internal("a database error occurred; it has been logged".into())
        }
    }
}

/// A placeholder list for a multi-row statement. SQLite gets anonymous `?`: it looks up
/// each named parameter (`$n`) with a linear scan, which makes binding thousands of them
/// quadratic.
pub(crate) fn placeholders(backend: Backend, start: usize, count: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; count].join(", "),
        Backend::Postgres => (start..start + count)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

#[async_trait]
impl trellis_core::Store for SqlStore {
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

    async fn settings(&self) -> CoreResult<trellis_core::settings::Settings> {
        people::settings(self).await
    }
    async fn save_settings(
        &self,
        s: &trellis_core::settings::Settings,
        audit: Option<&trellis_core::store::AuditEntry>,
    ) -> CoreResult<()> {
        people::save_settings(self, s, audit).await
    }
    async fn person(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<Option<trellis_core::org::Person>> {
        people::person(self, id).await
    }
    async fn person_neighbourhood(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<Option<trellis_core::store::Neighbourhood>> {
        people::person_neighbourhood(self, id).await
    }
    async fn person_with_reports(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<
        Option<(
            trellis_core::org::Person,
            Vec<trellis_core::org::PersonCard>,
        )>,
    > {
        people::person_with_reports(self, id).await
    }
    async fn person_id_by_email(&self, email: &str) -> CoreResult<Option<trellis_core::PersonId>> {
        people::person_id_by_email(self, email).await
    }
    async fn manager_chain(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::org::PersonCard>> {
        people::manager_chain(self, id).await
    }
    async fn direct_reports(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::org::PersonCard>> {
        people::direct_reports(self, id).await
    }
    async fn top_of_tree(&self) -> CoreResult<Vec<trellis_core::org::PersonCard>> {
        people::top_of_tree(self).await
    }
    async fn list_people(
        &self,
        filter: &trellis_core::org::PeopleFilter,
    ) -> CoreResult<trellis_core::org::Page<trellis_core::org::PersonCard>> {
        people::list_people(self, filter).await
    }
    async fn directory_facets(&self) -> CoreResult<trellis_core::org::DirectoryFacets> {
        people::directory_facets(self).await
    }
    async fn create_person(
        &self,
        fields: &trellis_core::org::people::PersonFields,
    ) -> CoreResult<trellis_core::PersonId> {
        people::create_person(self, fields).await
    }
    async fn update_person(
        &self,
        id: trellis_core::PersonId,
        fields: &trellis_core::org::people::PersonFields,
    ) -> CoreResult<()> {
        people::update_person(self, id, fields).await
    }
    async fn set_person_skills(
        &self,
        id: trellis_core::PersonId,
        skills: &[trellis_core::org::SkillLevel],
    ) -> CoreResult<()> {
        people::set_person_skills(self, id, skills).await
    }
    async fn teams(&self) -> CoreResult<Vec<trellis_core::org::Team>> {
        people::teams(self).await
    }
    async fn team(&self, id: trellis_core::TeamId) -> CoreResult<Option<trellis_core::org::Team>> {
        people::team(self, id).await
    }
    async fn team_members(
        &self,
        id: trellis_core::TeamId,
    ) -> CoreResult<Vec<trellis_core::org::PersonCard>> {
        people::team_members(self, id).await
    }
    async fn sub_teams(
        &self,
        id: trellis_core::TeamId,
    ) -> CoreResult<Vec<trellis_core::org::Team>> {
        people::sub_teams(self, id).await
    }
    async fn levels(&self) -> CoreResult<Vec<trellis_core::org::JobLevel>> {
        people::levels(self).await
    }
    async fn level(
        &self,
        id: trellis_core::LevelId,
    ) -> CoreResult<Option<trellis_core::org::JobLevel>> {
        people::level(self, id).await
    }
    async fn upsert_level(
        &self,
        level: &trellis_core::store::NewLevel,
    ) -> CoreResult<trellis_core::LevelId> {
        people::upsert_level(self, level).await
    }
    async fn upsert_levels(&self, levels: &[trellis_core::store::NewLevel]) -> CoreResult<()> {
        people::upsert_levels(self, levels).await
    }
    async fn org_snapshot(&self) -> CoreResult<trellis_core::org::import::OrgSnapshot> {
        import::org_snapshot(self).await
    }
    async fn apply_import(
        &self,
        plan: &trellis_core::org::import::ImportPlan,
        record: &trellis_core::store::ChangeRecord,
    ) -> CoreResult<trellis_core::store::ImportSummary> {
        import::apply_import(self, plan, record).await
    }
    async fn write_person(
        &self,
        write: &trellis_core::store::PersonWrite,
        record: &trellis_core::store::ChangeRecord,
    ) -> CoreResult<trellis_core::PersonId> {
        history::write_person(self, write, record).await
    }
    async fn person_history(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::org::history::HistoryEntry>> {
        history::person_history(self, id).await
    }
    async fn counts(&self) -> CoreResult<trellis_core::store::OrgCounts> {
        people::counts(self).await
    }
    async fn save_pending_import(
        &self,
        id: &str,
        account: trellis_core::AccountId,
        upload: &trellis_core::store::PendingImport,
        now: i64,
    ) -> CoreResult<()> {
        import::save_pending_import(self, id, account, upload, now).await
    }
    async fn take_pending_import(
        &self,
        id: &str,
        account: trellis_core::AccountId,
    ) -> CoreResult<Option<trellis_core::store::PendingImport>> {
        import::take_pending_import(self, id, account).await
    }
    async fn create_account(
        &self,
        person: trellis_core::PersonId,
        password_hash: &str,
        is_admin: bool,
    ) -> CoreResult<trellis_core::AccountId> {
        accounts::create_account(self, person, password_hash, is_admin).await
    }
    async fn account_by_email(
        &self,
        email: &str,
    ) -> CoreResult<Option<trellis_core::auth::Account>> {
        accounts::account_by_email(self, email).await
    }
    async fn create_session(
        &self,
        account: trellis_core::AccountId,
        token_digest: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> CoreResult<()> {
        accounts::create_session(self, account, token_digest, csrf_token, expires_at).await
    }
    async fn session(
        &self,
        token_digest: &str,
        now: i64,
    ) -> CoreResult<Option<trellis_core::auth::Session>> {
        accounts::session(self, token_digest, now).await
    }
    async fn delete_session(&self, token_digest: &str) -> CoreResult<()> {
        accounts::delete_session(self, token_digest).await
    }
    async fn create_api_token(
        &self,
        account: trellis_core::AccountId,
        name: &str,
        token_digest: &str,
        now: i64,
    ) -> CoreResult<()> {
        accounts::create_api_token(self, account, name, token_digest, now).await
    }
    async fn account_by_api_token(
        &self,
        token_digest: &str,
        now: i64,
    ) -> CoreResult<Option<trellis_core::auth::Account>> {
        accounts::account_by_api_token(self, token_digest, now).await
    }
    async fn record_failed_sign_in(&self, email: &str, client: &str, at: i64) -> CoreResult<()> {
        accounts::record_failed_sign_in(self, email, client, at).await
    }
    async fn failed_sign_ins_since(
        &self,
        email: &str,
        client: &str,
        since: i64,
    ) -> CoreResult<trellis_core::auth::SignInFailures> {
        accounts::failed_sign_ins_since(self, email, client, since).await
    }
    async fn clear_failed_sign_ins(&self, email: &str) -> CoreResult<()> {
        accounts::clear_failed_sign_ins(self, email).await
    }
    async fn schedule_job(&self, kind: &str, payload: &str, run_at: i64) -> CoreResult<i64> {
        jobs::schedule_job(self, kind, payload, run_at).await
    }
    async fn claim_job(
        &self,
        worker: &str,
        now: i64,
        lease: i64,
    ) -> CoreResult<Option<trellis_core::jobs::Job>> {
        jobs::claim_job(self, worker, now, lease).await
    }
    async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        now: i64,
        error: Option<&str>,
    ) -> CoreResult<()> {
        jobs::finish_job(self, id, worker, now, error).await
    }
    async fn audit(&self, entry: &trellis_core::store::AuditEntry) -> CoreResult<()> {
        accounts::audit(self, entry).await
    }
    async fn audit_log(&self, limit: i64) -> CoreResult<Vec<trellis_core::store::AuditLine>> {
        accounts::audit_log(self, limit).await
    }
}

#[async_trait]
impl trellis_core::work::store::WorkStore for SqlStore {
    async fn tree_members(
        &self,
        manager: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::work::store::TreeMember>> {
        work::tree_members(self, manager).await
    }
    async fn create_commitment(
        &self,
        new: &trellis_core::work::NewCommitment,
    ) -> CoreResult<trellis_core::ids::CommitmentId> {
        work::create_commitment(self, new).await
    }
    async fn commitment(
        &self,
        id: trellis_core::ids::CommitmentId,
    ) -> CoreResult<Option<trellis_core::work::Commitment>> {
        work::commitment(self, id).await
    }
    async fn commitment_changes(
        &self,
        id: trellis_core::ids::CommitmentId,
    ) -> CoreResult<Vec<trellis_core::work::CommitmentChange>> {
        work::commitment_changes(self, id).await
    }
    async fn commitment_comments(
        &self,
        id: trellis_core::ids::CommitmentId,
    ) -> CoreResult<Vec<trellis_core::work::Comment>> {
        work::commitment_comments(self, id).await
    }
    async fn update_commitment(
        &self,
        c: &trellis_core::work::Commitment,
        changes: &[trellis_core::work::NewChange],
        audit: Option<&trellis_core::store::AuditEntry>,
    ) -> CoreResult<()> {
        work::update_commitment(self, c, changes, audit).await
    }
    async fn add_comment(
        &self,
        id: trellis_core::ids::CommitmentId,
        author: trellis_core::PersonId,
        at: i64,
        body: &str,
    ) -> CoreResult<()> {
        work::add_comment(self, id, author, at, body).await
    }
    async fn open_commitments(
        &self,
        owners: &[trellis_core::PersonId],
        order: trellis_core::work::store::CommitmentOrder,
        due_until: Option<chrono::NaiveDate>,
        limit: i64,
    ) -> CoreResult<Vec<trellis_core::work::Commitment>> {
        work::open_commitments(self, owners, order, due_until, limit).await
    }
    async fn active_people(&self) -> CoreResult<Vec<trellis_core::work::PersonName>> {
        work::active_people(self).await
    }
    async fn closed_commitments(
        &self,
        owner: trellis_core::PersonId,
        limit: i64,
    ) -> CoreResult<Vec<trellis_core::work::Commitment>> {
        work::closed_commitments(self, owner, limit).await
    }
    async fn set_priorities(
        &self,
        order: &[(trellis_core::ids::CommitmentId, i64)],
    ) -> CoreResult<()> {
        work::set_priorities(self, order).await
    }
    async fn delivery_by_owner(
        &self,
        owners: Option<&[trellis_core::PersonId]>,
        window: trellis_core::work::metrics::Window,
        today: chrono::NaiveDate,
    ) -> CoreResult<
        Vec<(
            trellis_core::PersonId,
            trellis_core::work::metrics::DeliveryCounts,
        )>,
    > {
        work::delivery_by_owner(self, owners, window, today).await
    }
    async fn delivery_by_owner_and_month(
        &self,
        owners: Option<&[trellis_core::PersonId]>,
        window: trellis_core::work::metrics::Window,
        today: chrono::NaiveDate,
    ) -> CoreResult<
        Vec<(
            trellis_core::PersonId,
            String,
            trellis_core::work::metrics::DeliveryCounts,
        )>,
    > {
        work::delivery_by_owner_and_month(self, owners, window, today).await
    }
    async fn delivery_records(
        &self,
        owner: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::work::metrics::DeliveryRecord>> {
        work::delivery_records(self, owner).await
    }
    async fn remaining_effort(
        &self,
        owners: Option<&[trellis_core::PersonId]>,
        due_until: chrono::NaiveDate,
    ) -> CoreResult<Vec<(trellis_core::PersonId, f64)>> {
        work::remaining_effort(self, owners, due_until).await
    }
    async fn capacities(
        &self,
        owners: Option<&[trellis_core::PersonId]>,
    ) -> CoreResult<Vec<(trellis_core::PersonId, f64)>> {
        work::capacities(self, owners).await
    }
    async fn set_capacity(
        &self,
        person: trellis_core::PersonId,
        hours_per_week: Option<f64>,
    ) -> CoreResult<()> {
        work::set_capacity(self, person, hours_per_week).await
    }
    async fn absences_between(
        &self,
        owners: Option<&[trellis_core::PersonId]>,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
    ) -> CoreResult<Vec<trellis_core::work::Absence>> {
        work::absences_between(self, owners, first, last).await
    }
    async fn absences_of(
        &self,
        person: trellis_core::PersonId,
        since: chrono::NaiveDate,
    ) -> CoreResult<Vec<trellis_core::work::Absence>> {
        work::absences_of(self, person, since).await
    }
    async fn absence(
        &self,
        id: trellis_core::ids::AbsenceId,
    ) -> CoreResult<Option<trellis_core::work::Absence>> {
        work::absence_by_id(self, id).await
    }
    async fn add_absence(
        &self,
        person: trellis_core::PersonId,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
        note: &str,
    ) -> CoreResult<trellis_core::ids::AbsenceId> {
        work::add_absence(self, person, first, last, note).await
    }
    async fn delete_absence(&self, id: trellis_core::ids::AbsenceId) -> CoreResult<()> {
        work::delete_absence(self, id).await
    }
    async fn create_objective(
        &self,
        new: &trellis_core::work::NewObjective,
    ) -> CoreResult<trellis_core::ids::ObjectiveId> {
        work::create_objective(self, new).await
    }
    async fn objective(
        &self,
        id: trellis_core::ids::ObjectiveId,
    ) -> CoreResult<Option<trellis_core::work::Objective>> {
        work::objective(self, id).await
    }
    async fn objectives(
        &self,
        filter: &trellis_core::work::store::ObjectiveFilter,
    ) -> CoreResult<Vec<trellis_core::work::Objective>> {
        work::objectives(self, filter).await
    }
    async fn set_objective_parent(
        &self,
        id: trellis_core::ids::ObjectiveId,
        parent: Option<trellis_core::ids::ObjectiveId>,
    ) -> CoreResult<()> {
        work::set_objective_parent(self, id, parent).await
    }
    async fn set_objective_closed(
        &self,
        id: trellis_core::ids::ObjectiveId,
        closed: bool,
    ) -> CoreResult<()> {
        work::set_objective_closed(self, id, closed).await
    }
    async fn add_key_result(
        &self,
        objective: trellis_core::ids::ObjectiveId,
        kr: &trellis_core::work::NewKeyResult,
    ) -> CoreResult<trellis_core::ids::KeyResultId> {
        work::add_key_result(self, objective, kr).await
    }
    async fn key_result(
        &self,
        id: trellis_core::ids::KeyResultId,
    ) -> CoreResult<Option<trellis_core::work::KeyResult>> {
        work::key_result_by_id(self, id).await
    }
    async fn record_check_in(&self, check_in: &trellis_core::work::NewCheckIn) -> CoreResult<()> {
        work::record_check_in(self, check_in).await
    }
    async fn check_ins(
        &self,
        objective: trellis_core::ids::ObjectiveId,
        limit: i64,
    ) -> CoreResult<Vec<trellis_core::work::CheckIn>> {
        work::check_ins(self, objective, limit).await
    }
    async fn insert_work(&self, batch: &trellis_core::work::store::WorkBatch) -> CoreResult<()> {
        work::insert_work(self, batch).await
    }
}

#[async_trait]
impl trellis_core::growth::store::GrowthStore for SqlStore {
    async fn plate_wishes(
        &self,
        people: &[trellis_core::PersonId],
    ) -> CoreResult<Vec<trellis_core::growth::wishes::PlateWish>> {
        growth::plate_wishes(self, people).await
    }
    async fn plate_wish(
        &self,
        id: trellis_core::ids::WishId,
    ) -> CoreResult<Option<trellis_core::growth::wishes::PlateWish>> {
        growth::plate_wish(self, id).await
    }
    async fn add_plate_wish(
        &self,
        wish: &trellis_core::growth::wishes::NewWish,
    ) -> CoreResult<trellis_core::ids::WishId> {
        growth::add_plate_wish(self, wish).await
    }
    async fn delete_plate_wish(&self, id: trellis_core::ids::WishId) -> CoreResult<()> {
        growth::delete_plate_wish(self, id).await
    }
    async fn career_plan(
        &self,
        person: trellis_core::PersonId,
    ) -> CoreResult<Option<trellis_core::growth::career::CareerPlan>> {
        growth::career_plan(self, person).await
    }
    async fn save_career_plan(
        &self,
        person: trellis_core::PersonId,
        fields: &trellis_core::growth::career::PlanFields,
        by: trellis_core::PersonId,
        at: i64,
        what: &str,
        audit: Option<&trellis_core::store::AuditEntry>,
    ) -> CoreResult<()> {
        growth::save_career_plan(self, person, fields, by, at, what, audit).await
    }
    async fn mark_career_plan_reviewed(
        &self,
        person: trellis_core::PersonId,
        on: chrono::NaiveDate,
        by: trellis_core::PersonId,
        at: i64,
        audit: Option<&trellis_core::store::AuditEntry>,
    ) -> CoreResult<()> {
        growth::mark_career_plan_reviewed(self, person, on, by, at, audit).await
    }
    async fn career_history(
        &self,
        person: trellis_core::PersonId,
        limit: i64,
    ) -> CoreResult<Vec<trellis_core::growth::career::PlanChange>> {
        growth::career_history(self, person, limit).await
    }
    async fn add_career_support(
        &self,
        person: trellis_core::PersonId,
        commitment: &trellis_core::work::NewCommitment,
        by: trellis_core::PersonId,
        at: i64,
        audit: Option<&trellis_core::store::AuditEntry>,
    ) -> CoreResult<trellis_core::ids::CommitmentId> {
        growth::add_career_support(self, person, commitment, by, at, audit).await
    }
    async fn career_support(
        &self,
        person: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::work::Commitment>> {
        growth::career_support(self, person).await
    }
    async fn create_opportunity(
        &self,
        new: &trellis_core::growth::opportunities::NewOpportunity,
    ) -> CoreResult<trellis_core::ids::OpportunityId> {
        growth::create_opportunity(self, new).await
    }
    async fn opportunity(
        &self,
        id: trellis_core::ids::OpportunityId,
    ) -> CoreResult<Option<trellis_core::growth::opportunities::Opportunity>> {
        growth::opportunity(self, id).await
    }
    async fn opportunities(
        &self,
        status: Option<trellis_core::growth::opportunities::OpportunityStatus>,
    ) -> CoreResult<Vec<trellis_core::growth::opportunities::Opportunity>> {
        growth::opportunities(self, status).await
    }
    async fn candidates_with_skills(
        &self,
        skills: &[String],
    ) -> CoreResult<Vec<trellis_core::growth::opportunities::Candidate>> {
        growth::candidates_with_skills(self, skills).await
    }
    async fn placements(
        &self,
        opportunity: trellis_core::ids::OpportunityId,
    ) -> CoreResult<Vec<trellis_core::growth::opportunities::Placement>> {
        growth::placements(self, opportunity).await
    }
    async fn placement(
        &self,
        id: trellis_core::ids::PlacementId,
    ) -> CoreResult<Option<trellis_core::growth::opportunities::Placement>> {
        growth::placement(self, id).await
    }
    async fn pending_placements_of(
        &self,
        people: &[trellis_core::PersonId],
    ) -> CoreResult<Vec<trellis_core::growth::opportunities::Placement>> {
        growth::pending_placements_of(self, people).await
    }
    async fn create_placement(
        &self,
        new: &trellis_core::growth::opportunities::NewPlacement,
        commitment: Option<&trellis_core::work::NewCommitment>,
        audit: Option<&trellis_core::store::AuditEntry>,
    ) -> CoreResult<trellis_core::ids::PlacementId> {
        growth::create_placement(self, new, commitment, audit).await
    }
    async fn change_placement(
        &self,
        id: trellis_core::ids::PlacementId,
        change: &trellis_core::growth::opportunities::PlacementChange,
        commitment: Option<&trellis_core::work::NewCommitment>,
        audit: Option<&trellis_core::store::AuditEntry>,
    ) -> CoreResult<()> {
        growth::change_placement(self, id, change, commitment, audit).await
    }
    async fn mentee_goals(
        &self,
        person: trellis_core::PersonId,
    ) -> CoreResult<Option<trellis_core::growth::mentoring::MenteeGoals>> {
        mentoring::mentee_goals(self, person).await
    }
    async fn save_mentee_goals(
        &self,
        person: trellis_core::PersonId,
        goals: &trellis_core::growth::mentoring::MenteeGoals,
        at: i64,
    ) -> CoreResult<()> {
        mentoring::save_mentee_goals(self, person, goals, at).await
    }
    async fn delete_mentee_goals(&self, person: trellis_core::PersonId) -> CoreResult<()> {
        mentoring::delete_mentee_goals(self, person).await
    }
    async fn mentor_profile(
        &self,
        person: trellis_core::PersonId,
    ) -> CoreResult<Option<trellis_core::growth::mentoring::MentorProfile>> {
        mentoring::mentor_profile(self, person).await
    }
    async fn save_mentor_profile(
        &self,
        person: trellis_core::PersonId,
        profile: &trellis_core::growth::mentoring::MentorProfile,
        at: i64,
    ) -> CoreResult<()> {
        mentoring::save_mentor_profile(self, person, profile, at).await
    }
    async fn delete_mentor_profile(&self, person: trellis_core::PersonId) -> CoreResult<()> {
        mentoring::delete_mentor_profile(self, person).await
    }
    async fn mentoring_pool(
        &self,
        today: chrono::NaiveDate,
    ) -> CoreResult<(
        Vec<trellis_core::growth::mentoring::MenteeEntry>,
        Vec<trellis_core::growth::mentoring::MentorEntry>,
    )> {
        mentoring::mentoring_pool(self, today).await
    }
    async fn manager_links(
        &self,
    ) -> CoreResult<Vec<(trellis_core::PersonId, trellis_core::PersonId)>> {
        mentoring::manager_links(self).await
    }
    async fn create_mentoring_round(
        &self,
        round: &trellis_core::growth::mentoring::NewRound,
        pairs: &[trellis_core::growth::mentoring::NewRoundPair],
        audit: Option<&trellis_core::store::AuditEntry>,
    ) -> CoreResult<trellis_core::ids::RoundId> {
        mentoring::create_round(self, round, pairs, audit).await
    }
    async fn mentoring_rounds(&self) -> CoreResult<Vec<trellis_core::growth::mentoring::Round>> {
        mentoring::rounds(self).await
    }
    async fn mentoring_round(
        &self,
        id: trellis_core::ids::RoundId,
    ) -> CoreResult<Option<trellis_core::growth::mentoring::Round>> {
        mentoring::round(self, id).await
    }
    async fn round_pairs(
        &self,
        id: trellis_core::ids::RoundId,
    ) -> CoreResult<Vec<trellis_core::growth::mentoring::RoundPair>> {
        mentoring::round_pairs(self, id).await
    }
    async fn remove_round_pair(
        &self,
        id: trellis_core::ids::RoundId,
        mentee: trellis_core::PersonId,
        explanation: &str,
        audit: Option<&trellis_core::store::AuditEntry>,
    ) -> CoreResult<()> {
        mentoring::remove_round_pair(self, id, mentee, explanation, audit).await
    }
    async fn publish_round(
        &self,
        id: trellis_core::ids::RoundId,
        by: trellis_core::PersonId,
        at: i64,
        mentorships: &[trellis_core::growth::mentoring::NewMentorship],
        audit: Option<&trellis_core::store::AuditEntry>,
    ) -> CoreResult<()> {
        mentoring::publish_round(self, id, by, at, mentorships, audit).await
    }
    async fn mentorships_of(
        &self,
        person: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::growth::mentoring::Mentorship>> {
        mentoring::mentorships_of(self, person).await
    }
    async fn mentorship(
        &self,
        id: trellis_core::ids::MentorshipId,
    ) -> CoreResult<Option<trellis_core::growth::mentoring::Mentorship>> {
        mentoring::mentorship(self, id).await
    }
    async fn end_mentorship(
        &self,
        id: trellis_core::ids::MentorshipId,
        on: chrono::NaiveDate,
        by: trellis_core::PersonId,
        note: &str,
        audit: Option<&trellis_core::store::AuditEntry>,
    ) -> CoreResult<bool> {
        mentoring::end_mentorship(self, id, on, by, note, audit).await
    }
    async fn skill_names(&self) -> CoreResult<Vec<String>> {
        mentoring::skill_names(self).await
    }
    async fn talent_pool(&self) -> CoreResult<Vec<trellis_core::growth::talent::Talent>> {
        mentoring::talent_pool(self).await
    }
    async fn add_talent(
        &self,
        talents: &[trellis_core::growth::talent::NewTalent],
    ) -> CoreResult<Vec<trellis_core::ids::TalentId>> {
        mentoring::add_talent(self, talents).await
    }
    async fn remove_talent(&self, id: trellis_core::ids::TalentId) -> CoreResult<bool> {
        mentoring::remove_talent(self, id).await
    }
    async fn skills_of(
        &self,
        people: &[trellis_core::PersonId],
    ) -> CoreResult<
        std::collections::HashMap<trellis_core::PersonId, Vec<trellis_core::org::SkillLevel>>,
    > {
        growth::skills_of(self, people).await
    }
    async fn resolve_off_wishes(
        &self,
        commitment: trellis_core::ids::CommitmentId,
        person: trellis_core::PersonId,
    ) -> CoreResult<()> {
        growth::resolve_off_wishes(self, commitment, person).await
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
