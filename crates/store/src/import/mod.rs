//! The org snapshot that import planning compares against, and the application of a plan
//! in one transaction, with multi-row statements so 100,000 people import in seconds.

use crate::people::{date, date_text, search_text, status};
use crate::{Backend, SqlStore, map_err, placeholders};
use compact_str::CompactString;
use futures_util::TryStreamExt;
use sqlx::any::AnyArguments;
use sqlx::{Any, AssertSqlSafe, Connection, Row};
use std::collections::{HashMap, HashSet};
use trellis_core::PersonId;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::org::SkillLevel;
use trellis_core::org::history::FieldChange;
use trellis_core::org::import::{
    ExistingPerson, ImportPlan, ManagerTarget, OrgSnapshot, PersonRecord,
};
use trellis_core::org::store::{ChangeRecord, ImportSummary};

/// Everyone with their team, department and level: the snapshot's people and `org_people`.
const PEOPLE_SQL: &str = "SELECT p.id, p.employee_id, p.email, p.name, p.preferred_name, \
    p.title, t.name AS team, pt.name AS department, p.location, p.time_zone, p.start_date, \
    p.status, l.code AS level, p.manager_id FROM people p LEFT JOIN teams t ON t.id = p.team_id \
    LEFT JOIN teams pt ON pt.id = t.parent_id LEFT JOIN job_levels l ON l.id = p.level_id";

#[async_trait::async_trait]
impl trellis_core::org::store::ImportStore for SqlStore {
    async fn org_people(&self) -> CoreResult<Vec<ExistingPerson>> {
        crate::sql::fetch(
            self,
            PEOPLE_SQL.to_string(),
            crate::sql::Params::new(),
            |r| {
                let get = |name: &str| -> CoreResult<Option<CompactString>> {
                    Ok(r.text_or_null(name)?.map(CompactString::from))
                };
                Ok(ExistingPerson {
                    id: PersonId(r.int("id")?),
                    record: PersonRecord {
                        employee_id: get("employee_id")?,
                        email: r.text("email")?.into(),
                        name: r.text("name")?.into(),
                        preferred_name: get("preferred_name")?,
                        title: get("title")?,
                        team: get("team")?,
                        department: get("department")?,
                        location: get("location")?,
                        time_zone: get("time_zone")?,
                        start_date: date(r.text_or_null("start_date")?),
                        status: status(&r.text("status")?),
                        level: get("level")?,
                        skills: Vec::new(),
                    },
                    manager_id: r.int_or_null("manager_id")?.map(PersonId),
                })
            },
        )
        .await
    }

    /// Rows are streamed, not fetched all at once: a database row costs several times the
    /// record it becomes, and an organisation of 100,000 people would hold them all at once.
    async fn people_admins(&self) -> CoreResult<Vec<PersonId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT a.person_id FROM accounts a JOIN people p ON p.id = a.person_id \
             WHERE a.is_admin = 1 AND p.status = 'active' ORDER BY a.person_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(ids.into_iter().map(PersonId).collect())
    }
    async fn org_snapshot(&self) -> CoreResult<OrgSnapshot> {
        // One connection reads it all, and on SQLite gives back the page cache that reading
        // every person filled (up to 64 MiB), which an import check does not need again.
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        let mut skills: HashMap<i64, Vec<SkillLevel>> = HashMap::new();
        let mut skill_rows = sqlx::query(
            "SELECT ps.person_id, s.name, ps.level, ps.wants_to_grow FROM person_skills ps \
             JOIN skills s ON s.id = ps.skill_id",
        )
        .fetch(&mut *conn);
        while let Some(r) = skill_rows.try_next().await.map_err(map_err)? {
            skills
                .entry(r.try_get("person_id").map_err(map_err)?)
                .or_default()
                .push(SkillLevel {
                    skill: r.try_get::<&str, _>("name").map_err(map_err)?.into(),
                    level: r.try_get::<i64, _>("level").map_err(map_err)? as u8,
                    wants_to_grow: r.try_get::<i64, _>("wants_to_grow").map_err(map_err)? != 0,
                });
        }
        drop(skill_rows);
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
            .fetch_one(&mut *conn)
            .await
            .map_err(map_err)?;
        let mut people = Vec::with_capacity(count as usize);
        let mut rows = sqlx::query(PEOPLE_SQL).fetch(&mut *conn);
        while let Some(r) = rows.try_next().await.map_err(map_err)? {
            let id: i64 = r.try_get("id").map_err(map_err)?;
            let get = |name: &str| -> CoreResult<Option<CompactString>> {
                let value: Option<&str> = r.try_get(name).map_err(map_err)?;
                Ok(value.map(CompactString::from))
            };
            let required = |name: &str| -> CoreResult<CompactString> {
                let value: &str = r.try_get(name).map_err(map_err)?;
                Ok(value.into())
            };
            let mut person_skills = skills.remove(&id).unwrap_or_default();
            person_skills.sort();
            people.push(ExistingPerson {
                id: PersonId(id),
                record: PersonRecord {
                    employee_id: get("employee_id")?,
                    email: required("email")?,
                    name: required("name")?,
                    preferred_name: get("preferred_name")?,
                    title: get("title")?,
                    team: get("team")?,
                    department: get("department")?,
                    location: get("location")?,
                    time_zone: get("time_zone")?,
                    start_date: date(get("start_date")?.map(CompactString::into_string)),
                    status: status(&r.try_get::<String, _>("status").map_err(map_err)?),
                    level: get("level")?,
                    skills: person_skills,
                },
                manager_id: r
                    .try_get::<Option<i64>, _>("manager_id")
                    .map_err(map_err)?
                    .map(PersonId),
            });
        }
        drop(rows);
        let team_rows = sqlx::query(
            "SELECT t.name, pt.name AS parent FROM teams t LEFT JOIN teams pt ON pt.id = t.parent_id",
        )
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
        let mut teams = HashMap::new();
        for r in &team_rows {
            teams.insert(
                r.try_get::<String, _>("name").map_err(map_err)?,
                r.try_get::<Option<String>, _>("parent").map_err(map_err)?,
            );
        }
        let levels: Vec<String> = sqlx::query_scalar("SELECT code FROM job_levels")
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?;
        let skill_names: Vec<String> = sqlx::query_scalar("SELECT name FROM skills")
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?;
        if self.backend == Backend::Sqlite {
            let _ = sqlx::query("PRAGMA shrink_memory")
                .execute(&mut *conn)
                .await;
            trim_c_heap();
        }
        let scim_managed: Vec<i64> = sqlx::query_scalar("SELECT person_id FROM scim_users")
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)?;
        Ok(OrgSnapshot {
            people,
            teams,
            levels: levels.into_iter().collect(),
            skills: skill_names.into_iter().collect(),
            scim_managed: scim_managed.into_iter().map(PersonId).collect(),
        })
    }
    async fn apply_import(
        &self,
        plan: &ImportPlan,
        record: &ChangeRecord,
    ) -> CoreResult<ImportSummary> {
        if !plan.is_valid() {
            return Err(CoreError::Invalid(vec![trellis_core::FieldError::new(
                "file",
                format!(
                    "the import has {} errors; nothing was written",
                    plan.errors.len() + plan.errors_not_shown
                ),
            )]));
        }
        let mut conn = self.pool.acquire().await.map_err(map_err)?;
        if self.backend == Backend::Sqlite {
            // A transaction that writes every person would otherwise fill the connection's
            // whole page cache (64 MiB) while the plan is held; past this size SQLite spills
            // pages to the write-ahead log, which is where they go on commit anyway.
            set_page_cache(&mut conn, IMPORT_PAGE_CACHE_KIB).await;
        }
        let applied = apply_on(self, &mut conn, plan, record).await;
        if self.backend == Backend::Sqlite {
            set_page_cache(&mut conn, crate::PAGE_CACHE_KIB).await;
            drop(conn);
            release_page_caches(self).await;
        }
        applied
    }
    async fn save_pending_import(
        &self,
        id: &str,
        account: trellis_core::AccountId,
        upload: trellis_core::org::store::PendingImport,
        now: i64,
    ) -> CoreResult<()> {
        sqlx::query("DELETE FROM pending_imports WHERE created_at < $1")
            .bind(now - 86_400)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO pending_imports (id, account_id, file_name, content, deactivate_missing, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(account.0)
        .bind(upload.file_name)
        .bind(compress_upload(upload.content)?)
        .bind(upload.deactivate_missing as i64)
        .bind(now)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        if self.backend == Backend::Sqlite {
            // Writing the file filled a page cache with it.
            release_page_caches(self).await;
        }
        Ok(())
    }
    async fn discard_pending_import(
        &self,
        id: &str,
        account: trellis_core::AccountId,
    ) -> CoreResult<()> {
        sqlx::query("DELETE FROM pending_imports WHERE id = $1 AND account_id = $2")
            .bind(id.to_string())
            .bind(account.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn waiting_imports(
        &self,
        account: trellis_core::AccountId,
        since: i64,
    ) -> CoreResult<Vec<trellis_core::org::store::WaitingImport>> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT id, file_name, created_at FROM pending_imports WHERE account_id = $1 \
             AND created_at >= $2 ORDER BY created_at DESC, id",
        )
        .bind(account.0)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, file_name, uploaded_at)| trellis_core::org::store::WaitingImport {
                    id,
                    file_name,
                    uploaded_at,
                },
            )
            .collect())
    }
    async fn pending_import(
        &self,
        id: &str,
        account: trellis_core::AccountId,
    ) -> CoreResult<Option<trellis_core::org::store::PendingImport>> {
        read_pending(self, id, account).await
    }
    async fn take_pending_import(
        &self,
        id: &str,
        account: trellis_core::AccountId,
    ) -> CoreResult<Option<trellis_core::org::store::PendingImport>> {
        let found = read_pending(self, id, account).await?;
        if found.is_some() {
            sqlx::query("DELETE FROM pending_imports WHERE id = $1")
                .bind(id.to_string())
                .execute(&self.pool)
                .await
                .map_err(map_err)?;
        }
        Ok(found)
    }
}

/// An upload of an account, with its file expanded.
async fn read_pending(
    store: &SqlStore,
    id: &str,
    account: trellis_core::AccountId,
) -> CoreResult<Option<trellis_core::org::store::PendingImport>> {
    let row = sqlx::query(
            "SELECT file_name, content, deactivate_missing FROM pending_imports WHERE id = $1 AND account_id = $2",
        )
        .bind(id.to_string())
        .bind(account.0)
        .fetch_optional(&store.pool)
        .await
        .map_err(map_err)?;
    let Some(row) = row else { return Ok(None) };
    let stored: Vec<u8> = row.try_get("content").map_err(map_err)?;
    let file_name = row.try_get("file_name").map_err(map_err)?;
    let deactivate_missing = row
        .try_get::<i64, _>("deactivate_missing")
        .map_err(map_err)?
        != 0;
    drop(row);
    Ok(Some(trellis_core::org::store::PendingImport {
        file_name,
        content: expand_upload(stored)?,
        deactivate_missing,
    }))
}

/// Secondary indexes of the tables an import fills. When an import more than doubles the
/// organisation they are dropped and rebuilt inside its transaction: building an index
/// once is much faster than updating it row by row. Keep in step with the migrations.
const BULK_INDEXES: [(&str, &str); 3] = [
    (
        "people_manager",
        "CREATE INDEX people_manager ON people (manager_id, status)",
    ),
    (
        "people_team",
        "CREATE INDEX people_team ON people (team_id)",
    ),
    ("people_name", "CREATE INDEX people_name ON people (name)"),
];

/// PostgreSQL checks a foreign key with a query per inserted row; a bulk import drops these
/// and adds them back, which checks all rows in one join. Names are PostgreSQL's defaults
/// for the constraints of the migrations.
const BULK_FOREIGN_KEYS: [(&str, &str, &str); 5] = [
    (
        "people",
        "people_level_id_fkey",
        "FOREIGN KEY (level_id) REFERENCES job_levels(id)",
    ),
    (
        "people",
        "people_team_id_fkey",
        "FOREIGN KEY (team_id) REFERENCES teams(id)",
    ),
    (
        "people",
        "people_manager_id_fkey",
        "FOREIGN KEY (manager_id) REFERENCES people(id)",
    ),
    (
        "person_skills",
        "person_skills_person_id_fkey",
        "FOREIGN KEY (person_id) REFERENCES people(id) ON DELETE CASCADE",
    ),
    (
        "person_skills",
        "person_skills_skill_id_fkey",
        "FOREIGN KEY (skill_id) REFERENCES skills(id)",
    ),
];

/// Ids per statement for deletions and status changes.
const PAIR_BATCH: usize = 4000;

/// Rows per multi-row INSERT of people and of skills, within SQLite's 32,766 bound
/// parameters. SQLite gains from large statements (fewer hand-offs to its worker thread);
/// PostgreSQL loses past a few thousand parameters.
fn batch_sizes(backend: Backend) -> (usize, usize) {
    match backend {
        Backend::Sqlite => (2000, 8000),
        Backend::Postgres => (500, 4000),
    }
}

async fn name_ids(
    tx: &mut sqlx::AnyConnection,
    sql: &'static str,
) -> CoreResult<HashMap<String, i64>> {
    let rows = sqlx::query(sql)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get(1).map_err(map_err)?,
                r.try_get(0).map_err(map_err)?,
            ))
        })
        .collect()
}

fn bind_person(
    args: &mut AnyArguments,
    r: &PersonRecord,
    teams: &HashMap<String, i64>,
    levels: &HashMap<String, i64>,
) -> CoreResult<()> {
    use sqlx::Arguments;
    let team = r.team.as_deref().and_then(|t| teams.get(t).copied());
    let level = r.level.as_deref().and_then(|l| levels.get(l).copied());
    let text = |v: &Option<CompactString>| v.as_deref().map(str::to_string);
    let e = |e: sqlx::error::BoxDynError| CoreError::Internal(e.to_string());
    args.add(text(&r.employee_id)).map_err(e)?;
    args.add(r.name.to_string()).map_err(e)?;
    args.add(text(&r.preferred_name)).map_err(e)?;
    args.add(r.email.to_string()).map_err(e)?;
    args.add(text(&r.title)).map_err(e)?;
    args.add(level).map_err(e)?;
    args.add(team).map_err(e)?;
    args.add(text(&r.location)).map_err(e)?;
    args.add(text(&r.time_zone)).map_err(e)?;
    args.add(date_text(r.start_date)).map_err(e)?;
    args.add(r.status.as_str()).map_err(e)?;
    args.add(search_text(
        &r.name,
        r.preferred_name.as_deref(),
        &r.email,
        r.title.as_deref(),
    ))
    .map_err(e)?;
    Ok(())
}

const PERSON_COLUMNS: usize = 12;

fn add<T>(args: &mut AnyArguments, value: T) -> CoreResult<()>
where
    T: for<'q> sqlx::Encode<'q, Any> + sqlx::Type<Any>,
{
    use sqlx::Arguments;
    args.add(value)
        .map_err(|e| CoreError::Internal(e.to_string()))
}

/// Reserves ids for new people inside the import's transaction.
async fn allocate_person_ids(
    store: &SqlStore,
    tx: &mut sqlx::AnyConnection,
    count: usize,
) -> CoreResult<Vec<i64>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    match store.backend {
        // The transaction holds SQLite's write lock, so nobody else takes these ids.
        Backend::Sqlite => {
            let max: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM people")
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
            Ok((1..=count as i64).map(|i| max + i).collect())
        }
        // The identity sequence hands out ids that no concurrent insert will reuse.
        // (As one text row: a hundred thousand one-number rows are slow to fetch.)
        Backend::Postgres => {
            let ids: String = sqlx::query_scalar(
                "SELECT string_agg(nextval(pg_get_serial_sequence('people', 'id'))::text, ',') \
                 FROM generate_series(1, $1)",
            )
            .bind(count as i64)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            ids.split(',')
                .map(|id| {
                    id.parse().map_err(|_| {
                        CoreError::Internal(format!("bad id {id:?} from the sequence"))
                    })
                })
                .collect()
        }
    }
}

/// Indexes of `creates` ordered so that every new manager comes before their reports.
fn managers_first(creates: &[trellis_core::org::import::PlannedCreate]) -> Vec<usize> {
    let mut reports: Vec<Vec<usize>> = vec![Vec::new(); creates.len()];
    let mut order = Vec::with_capacity(creates.len());
    for (i, c) in creates.iter().enumerate() {
        match c.manager {
            ManagerTarget::New(m) => reports[m].push(i),
            _ => order.push(i),
        }
    }
    let mut next = 0;
    while next < order.len() {
        let i = order[next];
        order.extend(reports[i].iter().copied());
        next += 1;
    }
    order
}

/// The page cache of the connection that applies an import, in KiB.
const IMPORT_PAGE_CACHE_KIB: i64 = 8 * 1024;

/// Sets a SQLite connection's page cache and gives back what it holds beyond it.
async fn set_page_cache(conn: &mut sqlx::AnyConnection, kib: i64) {
    let _ = sqlx::query(AssertSqlSafe(format!(
        "PRAGMA cache_size = -{kib}; PRAGMA shrink_memory"
    )))
    .execute(&mut *conn)
    .await;
}

mod steps;
use steps::*;

async fn apply_on(
    store: &SqlStore,
    conn: &mut sqlx::AnyConnection,
    plan: &ImportPlan,
    record: &ChangeRecord,
) -> CoreResult<ImportSummary> {
    let mut tx = match store.backend {
        Backend::Sqlite => conn.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => conn.begin().await,
    }
    .map_err(map_err)?;
    if store.backend == Backend::Postgres {
        // One import at a time across instances.
        sqlx::query("SELECT pg_advisory_xact_lock(7415107)")
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    }

    write_reference_data(&mut tx, plan).await?;
    let teams = name_ids(&mut tx, "SELECT id, name FROM teams").await?;
    let levels = name_ids(&mut tx, "SELECT id, code FROM job_levels").await?;
    let skills = name_ids(&mut tx, "SELECT id, name FROM skills").await?;

    let bulk = plan.creates.len() >= 10_000
        && plan.creates.len() > 2 * (plan.updates.len() + plan.unchanged);
    if bulk {
        drop_bulk_indexes(&mut tx, store.backend).await?;
    }

    // New people get their ids up front, so reporting lines are written with the rows.
    let created_ids = allocate_person_ids(store, &mut tx, plan.creates.len()).await?;
    // Managers before their reports, so every reference points at a row already written.
    let order = managers_first(&plan.creates);
    let (people_batch, skills_batch) = batch_sizes(store.backend);
    let chunks: Vec<&[usize]> = order.chunks(people_batch).collect();
    let build = |chunk: &[usize]| -> CoreResult<(String, AnyArguments)> {
        let width = PERSON_COLUMNS + 2;
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(store.backend, i * width + 1, width)))
            .collect();
        let sql = format!(
            "INSERT INTO people (employee_id, name, preferred_name, email, title, level_id, team_id, \
             location, time_zone, start_date, status, search_text, id, manager_id) VALUES {}",
            values.join(", ")
        );
        let mut args = AnyArguments::default();
        for &i in chunk {
            let c = &plan.creates[i];
            bind_person(&mut args, &c.record, &teams, &levels)?;
            add(&mut args, created_ids[i])?;
            add(&mut args, resolve(c.manager, &created_ids))?;
        }
        Ok((sql, args))
    };
    // The database works on one batch while the next is prepared.
    let mut next = chunks.first().map(|c| build(c)).transpose()?;
    for k in 0..chunks.len() {
        let Some((sql, args)) = next.take() else {
            break;
        };
        let execute = sqlx::query_with(AssertSqlSafe(sql), args).execute(&mut *tx);
        let prepare = async { chunks.get(k + 1).map(|c| build(c)).transpose() };
        let (done, prepared) = tokio::join!(execute, prepare);
        done.map_err(map_err)?;
        next = prepared?;
    }

    write_updates(&mut tx, plan, &teams, &levels, &created_ids).await?;

    write_skills(
        &mut tx,
        store.backend,
        plan,
        &created_ids,
        &skills,
        skills_batch,
    )
    .await?;

    if bulk {
        create_bulk_indexes(&mut tx, store.backend).await?;
    }

    write_deactivations(&mut tx, store.backend, plan).await?;
    // The org history and the audit line commit with the data they describe.
    let left = FieldChange::left();
    let changes: Vec<(PersonId, &FieldChange)> = plan
        .updates
        .iter()
        .flat_map(|u| u.history.iter().map(move |c| (u.id, c)))
        .chain(plan.deactivations.iter().map(|l| (l.id, &left)))
        .collect();
    crate::history::record_in(&mut tx, store.backend, &changes, record).await?;
    if !plan.creates.is_empty() {
        crate::history::schedule_sync_in(&mut tx, record.audit.at).await?;
    }
    crate::accounts::audit_in(&mut tx, &record.audit).await?;
    for note in &record.notices {
        crate::unit::notify_in(&mut tx, note).await?;
    }
    tx.commit().await.map_err(map_err)?;
    Ok(ImportSummary {
        created: plan.creates.len(),
        updated: plan.updates.len(),
        unchanged: plan.unchanged,
        deactivated: plan.deactivations.len(),
    })
}

/// After an import each idle SQLite connection hands back its page cache (up to 64 MiB
/// each, filled by reading and writing every person); the pages people open fill it again
/// with what they read.
async fn release_page_caches(store: &SqlStore) {
    let mut idle = Vec::new();
    while let Some(conn) = store.pool.try_acquire() {
        idle.push(conn);
    }
    for conn in &mut idle {
        let _ = sqlx::query("PRAGMA shrink_memory")
            .execute(&mut **conn)
            .await;
    }
    trim_c_heap();
}

/// SQLite allocates with the C library's malloc, and glibc keeps what SQLite frees in its
/// heaps: without this, a page cache filled by reading or writing every person stays with
/// the process after `shrink_memory`, and each import leaves it larger.
fn trim_c_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of glibc's heaps; it takes no pointers
    // and may run at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A kept upload is stored gzip-compressed: CSV shrinks about five times, and writing a
/// 50 MB file whole made SQLite hold it three times over (the value, its copy and the
/// record) beside a page cache full of it.
fn compress_upload(content: Vec<u8>) -> CoreResult<Vec<u8>> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(content.len() / 4),
        flate2::Compression::fast(),
    );
    gz.write_all(&content)
        .and_then(|()| {
            drop(content);
            gz.finish()
        })
        .map_err(|e| CoreError::Internal(format!("compressing an upload: {e}")))
}

/// The upload as it was sent. Uploads kept before they were compressed are plain CSV,
/// which never starts with gzip's magic bytes.
fn expand_upload(stored: Vec<u8>) -> CoreResult<Vec<u8>> {
    use std::io::Read;
    if !stored.starts_with(&[0x1f, 0x8b]) {
        return Ok(stored);
    }
    // gzip ends with the original length (modulo 4 GiB): the buffer is sized once.
    let size = stored
        .last_chunk::<4>()
        .map_or(0, |tail| u32::from_le_bytes(*tail) as usize);
    let mut content = Vec::with_capacity(size);
    flate2::read::GzDecoder::new(stored.as_slice())
        .read_to_end(&mut content)
        .map_err(|e| CoreError::Internal(format!("reading a kept upload: {e}")))?;
    Ok(content)
}
