//! One-file backups of a whole installation (`trellis backup`, `trellis restore`).
//!
//! A backup is a SQLite database holding every table, behind a short header: a line that
//! names the format, then one line of JSON with the migration level, the rows per table,
//! the length of the database that follows and its SHA-256. From SQLite the database is
//! made by `VACUUM INTO`, a consistent copy taken while others keep writing; from
//! PostgreSQL it is filled table by table from one repeatable-read transaction. Either way
//! it holds the installation as it was at one moment, and it restores into either kind.

use crate::copy::{CopyReport, copy_database, copy_snapshot, refuse_occupied, verify};
use crate::copy_tables::tables;
use crate::{Backend, SqlStore, StoreOptions, map_err};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::sealed_file::{self, OpenError, Sealing};

/// The first line of every backup file.
const MAGIC: &str = "TRELLIS BACKUP 1";
/// The header's JSON line is far shorter than this; a longer one is not a header.
const HEADER_LIMIT: u64 = 1 << 20;

/// What a backup holds, as its header records it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BackupHeader {
    /// The migration level of the database inside.
    pub migration: i64,
    /// When it was taken (RFC 3339, UTC).
    pub taken_at: String,
    /// The kind of database it was taken from: `sqlite` or `postgres`.
    pub source: String,
    /// Rows per table.
    pub tables: Vec<(String, i64)>,
    /// The length of the database that follows the header, in bytes…
    pub payload_bytes: u64,
    /// …and its SHA-256, in hex (both of the database, before any sealing).
    pub sha256: String,
    /// How the database is sealed, when the backup was taken with a passphrase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Sealing>,
}

impl BackupHeader {
    /// Rows in one table; 0 when the backup has no such table.
    pub fn rows(&self, table: &str) -> i64 {
        self.tables
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, n)| *n)
    }
}

/// A file removed when dropped, unless kept.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> CoreError {
    CoreError::Unavailable(format!("cannot {what} {}: {e}", path.display()))
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

/// Writes a backup of `store` to `file` (replacing it): owner-only permissions, written
/// under another name first and renamed when complete, so a file by that name is always
/// whole. With a passphrase, the database inside is sealed with it.
pub async fn backup(
    store: &SqlStore,
    file: &Path,
    passphrase: Option<&str>,
) -> CoreResult<BackupHeader> {
    let status = store.migration_status().await?;
    if status.current != status.latest {
        return Err(CoreError::Conflict(format!(
            "the database is at migration {} and this Trellis at {}: run `trellis migrate` first",
            status.current, status.latest
        )));
    }
    let folder = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !folder.is_dir() {
        return Err(CoreError::Unavailable(format!(
            "the folder {} for the backup does not exist",
            folder.display()
        )));
    }
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "backup".into());
    let pid = std::process::id();
    let payload = Scratch(folder.join(format!(".{name}.{pid}.db")));
    let partial = Scratch(folder.join(format!(".{name}.{pid}.partial")));
    let source = match store.backend {
        Backend::Sqlite => {
            sqlx::query("VACUUM INTO $1")
                .bind(payload.0.to_string_lossy().into_owned())
                .execute(&store.pool)
                .await
                .map_err(map_err)?;
            "sqlite"
        }
        Backend::Postgres if store.native.is_some() => {
            // The schema first, then the rows with COPY, written directly into the file.
            let mut options = StoreOptions::new(sqlite_url(&payload.0));
            options.max_connections = 1;
            let target = SqlStore::connect(&options).await?;
            target.close().await;
            drop(target);
            crate::copy_pg::dump(store, &payload.0).await?;
            "postgres"
        }
        Backend::Postgres => {
            let mut options = StoreOptions::new(sqlite_url(&payload.0));
            options.max_connections = 1;
            let target = SqlStore::connect(&options).await?;
            let copied = copy_snapshot(store, &target).await;
            // Everything in the one file, nothing left in the write-ahead log beside it.
            let settled: CoreResult<(i64, i64, i64)> =
                sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
                    .fetch_one(&target.pool)
                    .await
                    .map_err(map_err);
            target.close().await;
            drop(target);
            copied?;
            if settled?.0 != 0 {
                return Err(CoreError::Unavailable(
                    "the backup's database could not be written out whole; try again".into(),
                ));
            }
            "postgres"
        }
    };
    let (payload_path, partial_path, file) =
        (payload.0.clone(), partial.0.clone(), file.to_path_buf());
    let source = source.to_string();
    let passphrase = passphrase.map(str::to_string);
    let header = tokio::task::spawn_blocking(move || {
        let mut header = describe(&payload_path, source)?;
        if passphrase.is_some() {
            header.encryption = Some(Sealing::new()?);
        }
        write_file(&header, &payload_path, &partial_path, passphrase.as_deref())?;
        std::fs::rename(&partial_path, &file).map_err(|e| io_error("write", &file, e))?;
        Ok::<_, CoreError>(header)
    })
    .await
    .map_err(|e| CoreError::Internal(format!("the backup was interrupted: {e}")))??;
    Ok(header)
}

/// The header of a finished payload: its rows per table, level, length and checksum.
fn describe(payload: &Path, source: String) -> CoreResult<BackupHeader> {
    let conn =
        rusqlite::Connection::open_with_flags(payload, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(crate::reader::read_error)?;
    let migration: i64 = conn
        .query_row("SELECT MAX(version) FROM trellis_migrations", [], |r| {
            r.get(0)
        })
        .map_err(crate::reader::read_error)?;
    let mut counted = Vec::new();
    for t in tables() {
        let n: i64 = conn
            .query_row(&format!("SELECT COUNT(*) FROM {}", t.name), [], |r| {
                r.get(0)
            })
            .map_err(crate::reader::read_error)?;
        counted.push((t.name.to_string(), n));
    }
    drop(conn);
    let (payload_bytes, sha256) = checksum(payload)?;
    Ok(BackupHeader {
        migration,
        taken_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        source,
        tables: counted,
        payload_bytes,
        sha256,
        encryption: None,
    })
}

fn checksum(path: &Path) -> CoreResult<(u64, String)> {
    let mut file = File::open(path).map_err(|e| io_error("read", path, e))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file
            .read(&mut buffer)
            .map_err(|e| io_error("read", path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        total += n as u64;
    }
    Ok((total, hex(&hasher.finalize())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The header, then the payload (sealed when a passphrase is given), into a new file only
/// its owner may read.
fn write_file(
    header: &BackupHeader,
    payload: &Path,
    out: &Path,
    passphrase: Option<&str>,
) -> CoreResult<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(out).map_err(|e| io_error("write", out, e))?;
    let mut file = std::io::BufWriter::with_capacity(1 << 20, file);
    let json = serde_json::to_string(header).map_err(|e| CoreError::Internal(e.to_string()))?;
    let mut input = BufReader::with_capacity(
        1 << 20,
        File::open(payload).map_err(|e| io_error("read", payload, e))?,
    );
    writeln!(file, "{MAGIC}")
        .and_then(|()| writeln!(file, "{json}"))
        .map_err(|e| io_error("write", out, e))?;
    match (&header.encryption, passphrase) {
        (Some(sealing), Some(passphrase)) => {
            sealed_file::seal(&mut input, &mut file, sealing, passphrase)?
        }
        _ => {
            std::io::copy(&mut input, &mut file).map_err(|e| io_error("write", out, e))?;
        }
    }
    let file = file
        .into_inner()
        .map_err(|e| io_error("write", out, e.into_error()))?;
    file.sync_all().map_err(|e| io_error("write", out, e))
}

/// Reads a backup's header, checking that it is one.
pub fn read_header(file: &Path) -> CoreResult<BackupHeader> {
    let input = File::open(file).map_err(|e| io_error("open", file, e))?;
    header_of(&mut BufReader::new(input), file)
}

fn header_of(input: &mut impl BufRead, file: &Path) -> CoreResult<BackupHeader> {
    let not_one = || {
        CoreError::Conflict(format!(
            "{} is not a Trellis backup: it does not start with \"{MAGIC}\"",
            file.display()
        ))
    };
    let mut magic = String::new();
    input
        .take(MAGIC.len() as u64 + 1)
        .read_line(&mut magic)
        .map_err(|_| not_one())?;
    if magic.trim_end() != MAGIC {
        return Err(not_one());
    }
    let mut json = String::new();
    input
        .take(HEADER_LIMIT)
        .read_line(&mut json)
        .map_err(|e| io_error("read", file, e))?;
    serde_json::from_str(&json).map_err(|e| {
        CoreError::Conflict(format!(
            "{} is damaged: its header cannot be read ({e})",
            file.display()
        ))
    })
}

/// Hashes and counts what passes through to the file it writes.
struct Checked<W: Write> {
    out: W,
    hasher: Sha256,
    total: u64,
}

impl<W: Write> Write for Checked<W> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let n = self.out.write(bytes)?;
        self.hasher.update(&bytes[..n]);
        self.total += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Copies a backup's payload out to `out` (opening it with the passphrase when it is
/// sealed), checking its length and checksum.
fn extract(file: &Path, out: &Path, passphrase: Option<&str>) -> CoreResult<BackupHeader> {
    let input = File::open(file).map_err(|e| io_error("open", file, e))?;
    let mut input = BufReader::with_capacity(1 << 20, input);
    let header = header_of(&mut input, file)?;
    let output = File::create(out).map_err(|e| io_error("write", out, e))?;
    let mut checked = Checked {
        out: std::io::BufWriter::with_capacity(1 << 20, output),
        hasher: Sha256::new(),
        total: 0,
    };
    let name = file.display();
    match (&header.encryption, passphrase) {
        (None, _) => {
            std::io::copy(&mut input, &mut checked).map_err(|e| io_error("read", file, e))?;
        }
        (Some(_), None) => {
            return Err(CoreError::Conflict(format!(
                "{name} is encrypted: give the passphrase it was taken with"
            )));
        }
        (Some(sealing), Some(passphrase)) => {
            match sealed_file::open(&mut input, &mut checked, sealing, passphrase) {
                Ok(_) => {}
                Err(OpenError::WrongPassphrase) => {
                    return Err(CoreError::Conflict(format!(
                        "the passphrase does not open {name} (or its start is damaged)"
                    )));
                }
                Err(OpenError::Damaged) => {
                    return Err(CoreError::Conflict(format!(
                        "{name} is damaged or cut short: part of its encrypted data does not check out"
                    )));
                }
                Err(OpenError::Io(e)) => return Err(CoreError::Unavailable(e)),
            }
        }
    }
    let Checked {
        out: output,
        hasher,
        total,
    } = checked;
    let output = output
        .into_inner()
        .map_err(|e| io_error("write", out, e.into_error()))?;
    output.sync_all().map_err(|e| io_error("write", out, e))?;
    let file = name;
    if total < header.payload_bytes {
        return Err(CoreError::Conflict(format!(
            "{file} is cut short: its header promises {} bytes of data and it holds {total}; \
             the backup did not finish writing or was truncated",
            header.payload_bytes
        )));
    }
    if total > header.payload_bytes {
        return Err(CoreError::Conflict(format!(
            "{file} is damaged: it holds {} bytes more than its header says",
            total - header.payload_bytes
        )));
    }
    if hex(&hasher.finalize()) != header.sha256 {
        return Err(CoreError::Conflict(format!(
            "{file} is damaged: its data does not match the checksum recorded when it was written"
        )));
    }
    Ok(header)
}

/// Replaces everything in the SQLite store `to` with the SQLite file `file`, which SQLite
/// copies itself, table by table (`INSERT … SELECT` from the attached file), in one
/// transaction whose foreign keys are checked at its end; rows per table.
async fn load_sqlite(file: &Path, to: &SqlStore) -> CoreResult<CopyReport> {
    use sqlx::Connection;
    let mut conn = to.pool.acquire().await.map_err(map_err)?;
    sqlx::query("ATTACH DATABASE $1 AS backup")
        .bind(file.to_string_lossy().into_owned())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    let loaded: CoreResult<CopyReport> = async {
        let mut tx = conn.begin_with("BEGIN IMMEDIATE").await.map_err(map_err)?;
        sqlx::query("PRAGMA defer_foreign_keys = ON")
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        for t in tables().rev() {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM main.{}", t.name)))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        let mut report = CopyReport { tables: Vec::new() };
        for t in tables() {
            let columns: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
            let columns = columns.join(", ");
            let done = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO main.{0} ({columns}) SELECT {columns} FROM backup.{0}",
                t.name
            )))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
            report
                .tables
                .push((t.name.to_string(), done.rows_affected() as i64));
        }
        tx.commit().await.map_err(map_err)?;
        Ok(report)
    }
    .await;
    let detached = sqlx::query("DETACH DATABASE backup")
        .execute(&mut *conn)
        .await
        .map_err(map_err);
    let report = loaded?;
    detached?;
    Ok(report)
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    pub header: BackupHeader,
    pub copied: CopyReport,
}

/// Loads a backup into `to`, which must be empty unless `force` is set (its data is then
/// replaced). The backup is checked whole (and opened with the passphrase when sealed)
/// before anything is written; the load is one transaction, and every table must end up
/// with the rows the header records.
pub async fn restore(
    file: &Path,
    to: &SqlStore,
    force: bool,
    passphrase: Option<&str>,
) -> CoreResult<Restored> {
    let scratch = Scratch(std::env::temp_dir().join(format!(
        "trellis-restore-{}-{}.db",
        std::process::id(),
        chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default()
    )));
    let (source, out) = (file.to_path_buf(), scratch.0.clone());
    let passphrase = passphrase.map(str::to_string);
    let header = tokio::task::spawn_blocking(move || extract(&source, &out, passphrase.as_deref()))
        .await
        .map_err(|e| CoreError::Internal(format!("the restore was interrupted: {e}")))??;
    // A backup from an older Trellis is brought up to this one's migrations first.
    let mut options = StoreOptions::new(sqlite_url(&scratch.0));
    options.max_connections = 2;
    let backup = SqlStore::connect(&options).await?;
    // Into PostgreSQL with COPY, reading the file directly; elsewhere row by row.
    let copied = match to.backend {
        Backend::Postgres if to.native.is_some() => {
            backup.close().await;
            drop(backup);
            refuse_occupied(to, force).await?;
            let copied = crate::copy_pg::load(&scratch.0, to).await?;
            verify(to, &copied).await?;
            copied
        }
        Backend::Sqlite => {
            backup.close().await;
            drop(backup);
            refuse_occupied(to, force).await?;
            let copied = load_sqlite(&scratch.0, to).await?;
            verify(to, &copied).await?;
            copied
        }
        Backend::Postgres => {
            let copied = copy_database(&backup, to, force).await;
            backup.close().await;
            drop(backup);
            copied?
        }
    };
    let short: Vec<String> = header
        .tables
        .iter()
        .filter(|(table, rows)| copied.rows(table) != *rows)
        .map(|(table, rows)| {
            format!(
                "{table}: {rows} in the backup, {} restored",
                copied.rows(table)
            )
        })
        .collect();
    if !short.is_empty() && header.migration == crate::latest_version() {
        return Err(CoreError::Internal(format!(
            "the restore does not match the backup ({})",
            short.join("; ")
        )));
    }
    Ok(Restored { header, copied })
}
