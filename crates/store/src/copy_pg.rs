//! Loading a SQLite file into PostgreSQL with `COPY … FROM STDIN` on a native connection:
//! what `trellis restore` does when the target is PostgreSQL. The file is read directly
//! (rusqlite) on a blocking thread, rows are written in COPY's text format, and the
//! delivery rollups that triggers keep row by row are switched off during the load and
//! rebuilt once at the end, all in one transaction.

use crate::copy::CopyReport;
use crate::copy_tables::tables;
use crate::{SqlStore, map_err};
use rusqlite::types::ValueRef;
use sqlx::{AssertSqlSafe, Executor};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;
use trellis_core::error::{CoreError, CoreResult};

/// Bytes sent to PostgreSQL at a time.
const CHUNK_BYTES: usize = 1 << 20;
/// Rows per COPY statement: foreign keys are checked at the end of each statement, so a
/// bounded statement keeps the queue of pending checks small. Tables whose rows refer to
/// each other go in one statement, so every row finds its parent.
const ROWS_PER_STATEMENT: usize = 250_000;

/// What the file reader sends: rows in COPY text format, or the end of one statement.
enum Piece {
    Rows(Vec<u8>),
    Cut,
}

/// The delivery rollups and trailing windows, filled from the loaded commitments as
/// migrations 28, 32 and 34 fill them (over the target's own spans).
const REBUILD_ROLLUPS: &str = "
DELETE FROM delivery_org_months;
DELETE FROM delivery_months;
INSERT INTO delivery_months (owner_id, month, settled, on_time, open)
SELECT accountable_id, substr(agreed_due_date, 1, 7),
       SUM(CASE WHEN status <> 'open' THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'done' AND completed_on <= agreed_due_date THEN 1 ELSE 0 END),
       SUM(CASE WHEN status = 'open' THEN 1 ELSE 0 END)
FROM commitments
WHERE accountable_id IS NOT NULL AND (status <> 'cancelled' OR cancel_counts = 1)
GROUP BY accountable_id, substr(agreed_due_date, 1, 7);
INSERT INTO delivery_org_months (month, shard, settled, on_time, open)
SELECT month, owner_id % 16, SUM(settled), SUM(on_time), SUM(open)
FROM delivery_months GROUP BY month, owner_id % 16;
DELETE FROM delivery_windows;
INSERT INTO delivery_windows (days, owner_id, due, on_time)
SELECT s.days, c.accountable_id, COUNT(*),
       SUM(CASE WHEN c.status = 'done' AND c.completed_on <= c.agreed_due_date THEN 1 ELSE 0 END)
FROM delivery_window_spans s
JOIN commitments c ON c.agreed_due_date >= s.first AND c.agreed_due_date <= s.last
WHERE c.accountable_id IS NOT NULL AND (c.status <> 'cancelled' OR c.cancel_counts = 1)
GROUP BY s.days, c.accountable_id;
DELETE FROM open_effort;
INSERT INTO open_effort (owner_id, hours)
SELECT c.owner_id, SUM(c.remaining_hours)
FROM open_effort_span s JOIN commitments c ON c.due_date <= s.last
WHERE c.status = 'open'
GROUP BY c.owner_id;
";

/// The tables whose triggers keep the rollups: off during the load.
const ROLLUP_SOURCES: [&str; 2] = ["commitments", "delivery_months"];

/// The foreign keys and secondary indexes of the loaded tables, as PostgreSQL defines them.
struct SetAside {
    /// (table, constraint, definition)
    foreign_keys: Vec<(String, String, String)>,
    /// (index, definition)
    indexes: Vec<(String, String)>,
}

impl SetAside {
    async fn read(tx: &mut sqlx::PgConnection, tables: &[&str]) -> CoreResult<SetAside> {
        let tables: Vec<String> = tables.iter().map(|t| t.to_string()).collect();
        let foreign_keys: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT c.conrelid::regclass::text, c.conname::text, pg_get_constraintdef(c.oid) \
             FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
             WHERE c.contype = 'f' AND n.nspname = current_schema() \
             AND c.conrelid::regclass::text = ANY($1) ORDER BY 1, 2",
        )
        .bind(&tables)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        let indexes: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) \
             FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = current_schema() AND t.relname::text = ANY($1) \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) \
             ORDER BY 1",
        )
        .bind(&tables)
        .fetch_all(&mut *tx)
        .await
        .map_err(map_err)?;
        Ok(SetAside {
            foreign_keys,
            indexes,
        })
    }

    async fn drop_all(&self, tx: &mut sqlx::PgConnection) -> CoreResult<()> {
        for (table, name, _) in &self.foreign_keys {
            tx.execute(AssertSqlSafe(format!(
                "ALTER TABLE {table} DROP CONSTRAINT \"{name}\""
            )))
            .await
            .map_err(map_err)?;
        }
        for (index, _) in &self.indexes {
            tx.execute(AssertSqlSafe(format!("DROP INDEX {index}")))
                .await
                .map_err(map_err)?;
        }
        Ok(())
    }

    async fn restore_all(&self, tx: &mut sqlx::PgConnection) -> CoreResult<()> {
        tx.execute("SET LOCAL maintenance_work_mem = '256MB'")
            .await
            .map_err(map_err)?;
        for (_, definition) in &self.indexes {
            tx.execute(AssertSqlSafe(definition.clone()))
                .await
                .map_err(map_err)?;
        }
        for (table, name, definition) in &self.foreign_keys {
            tx.execute(AssertSqlSafe(format!(
                "ALTER TABLE {table} ADD CONSTRAINT \"{name}\" {definition}"
            )))
            .await
            .map_err(|e| {
                CoreError::Conflict(format!(
                    "the backup's {table} refer to rows it does not hold ({name}): {}",
                    map_err(e)
                ))
            })?;
        }
        Ok(())
    }
}

/// One value in COPY's text format.
fn put(out: &mut Vec<u8>, value: ValueRef<'_>) {
    match value {
        ValueRef::Null => out.extend_from_slice(b"\\N"),
        ValueRef::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        ValueRef::Real(r) => out.extend_from_slice(format!("{r:?}").as_bytes()),
        ValueRef::Text(text) => {
            for &b in text {
                match b {
                    b'\\' => out.extend_from_slice(b"\\\\"),
                    b'\n' => out.extend_from_slice(b"\\n"),
                    b'\r' => out.extend_from_slice(b"\\r"),
                    b'\t' => out.extend_from_slice(b"\\t"),
                    other => out.push(other),
                }
            }
        }
        ValueRef::Blob(bytes) => {
            out.extend_from_slice(b"\\\\x");
            for b in bytes {
                out.extend_from_slice(format!("{b:02x}").as_bytes());
            }
        }
    }
}

/// Reads one table of the file and sends it as COPY text, cut into statements.
fn read_table(
    file: &Path,
    table: &str,
    columns: &[&str],
    whole: bool,
    to: mpsc::Sender<Piece>,
) -> CoreResult<i64> {
    let conn =
        rusqlite::Connection::open_with_flags(file, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(crate::reader::read_error)?;
    let mut statement = conn
        .prepare(&format!("SELECT {} FROM {table}", columns.join(", ")))
        .map_err(crate::reader::read_error)?;
    let mut rows = statement.query([]).map_err(crate::reader::read_error)?;
    let mut buffer = Vec::with_capacity(CHUNK_BYTES + 4096);
    let (mut in_statement, mut total) = (0usize, 0i64);
    let gone = || CoreError::Internal("the load stopped while the file was read".into());
    while let Some(row) = rows.next().map_err(crate::reader::read_error)? {
        for i in 0..columns.len() {
            if i > 0 {
                buffer.push(b'\t');
            }
            put(
                &mut buffer,
                row.get_ref(i).map_err(crate::reader::read_error)?,
            );
        }
        buffer.push(b'\n');
        in_statement += 1;
        total += 1;
        if buffer.len() >= CHUNK_BYTES {
            to.blocking_send(Piece::Rows(std::mem::take(&mut buffer)))
                .map_err(|_| gone())?;
            buffer.reserve(CHUNK_BYTES + 4096);
        }
        if !whole && in_statement == ROWS_PER_STATEMENT {
            if !buffer.is_empty() {
                to.blocking_send(Piece::Rows(std::mem::take(&mut buffer)))
                    .map_err(|_| gone())?;
            }
            to.blocking_send(Piece::Cut).map_err(|_| gone())?;
            in_statement = 0;
        }
    }
    if !buffer.is_empty() {
        to.blocking_send(Piece::Rows(buffer)).map_err(|_| gone())?;
    }
    Ok(total)
}

/// Replaces everything in the PostgreSQL store `to` with the SQLite file `file` (already at
/// this Trellis's migration level); rows per table as read from the file.
pub(crate) async fn load(file: &Path, to: &SqlStore) -> CoreResult<CopyReport> {
    let native = to
        .native
        .as_ref()
        .ok_or_else(|| CoreError::Internal("no native PostgreSQL connection for COPY".into()))?;
    let mut tx = native.begin().await.map_err(map_err)?;
    for table in ROLLUP_SOURCES {
        tx.execute(AssertSqlSafe(format!(
            "ALTER TABLE {table} DISABLE TRIGGER USER"
        )))
        .await
        .map_err(map_err)?;
    }
    let names: Vec<&str> = tables().map(|t| t.name).collect();
    // Foreign keys checked row by row and indexes kept up row by row cost most of a load:
    // they are set aside and made again over the loaded tables, which checks every key
    // and builds every index in one pass each.
    let aside = SetAside::read(&mut tx, &names).await?;
    aside.drop_all(&mut tx).await?;
    tx.execute(AssertSqlSafe(format!("TRUNCATE {}", names.join(", "))))
        .await
        .map_err(map_err)?;
    let mut report = CopyReport { tables: Vec::new() };
    for t in tables() {
        let columns: Vec<&'static str> = t.columns.iter().map(|(c, _)| *c).collect();
        let copy = format!("COPY {} ({}) FROM STDIN", t.name, columns.join(", "));
        let (send, mut receive) = mpsc::channel::<Piece>(4);
        let (path, name, whole): (PathBuf, &'static str, bool) =
            (file.to_path_buf(), t.name, t.parent.is_some());
        let reader =
            tokio::task::spawn_blocking(move || read_table(&path, name, &columns, whole, send));
        loop {
            let mut statement = tx.copy_in_raw(&copy).await.map_err(map_err)?;
            let mut more = false;
            while let Some(piece) = receive.recv().await {
                match piece {
                    Piece::Rows(bytes) => {
                        statement.send(bytes).await.map_err(map_err)?;
                    }
                    Piece::Cut => {
                        more = true;
                        break;
                    }
                }
            }
            statement.finish().await.map_err(map_err)?;
            if !more {
                break;
            }
        }
        let rows = reader
            .await
            .map_err(|e| CoreError::Internal(format!("the load was interrupted: {e}")))??;
        if t.identity {
            // Later inserts must not collide with the loaded ids.
            tx.execute(AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
                t.name
            )))
            .await
            .map_err(map_err)?;
        }
        report.tables.push((t.name.to_string(), rows));
    }
    aside.restore_all(&mut tx).await?;
    tx.execute(REBUILD_ROLLUPS).await.map_err(map_err)?;
    for table in ROLLUP_SOURCES {
        tx.execute(AssertSqlSafe(format!(
            "ALTER TABLE {table} ENABLE TRIGGER USER"
        )))
        .await
        .map_err(map_err)?;
    }
    // The commitments' own change note was off with their triggers: readers' caches learn
    // of the load from the rollups' (the same area).
    tx.commit().await.map_err(map_err)?;
    // The planner's statistics of the loaded tables, so the first pages are planned well.
    native.execute("ANALYZE").await.map_err(map_err)?;
    Ok(report)
}

/// One field of COPY's text format with its escapes undone, into `out`.
fn unescape_into(raw: &[u8], out: &mut Vec<u8>) {
    out.clear();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            out.push(match raw[i + 1] {
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'b' => 8,
                b'f' => 12,
                b'v' => 11,
                other => other,
            });
            i += 2;
        } else {
            out.push(raw[i]);
            i += 1;
        }
    }
}

/// Binds one field of a COPY row (`\N` for NULL) as SQLite keeps its column's kind.
fn bind_field(
    insert: &mut rusqlite::Statement<'_>,
    index: usize,
    raw: &[u8],
    kind: crate::copy_tables::Kind,
    scratch: &mut Vec<u8>,
) -> CoreResult<()> {
    use crate::copy_tables::Kind;
    let bad = |what: &str| CoreError::Internal(format!("COPY gave {what} that cannot be read"));
    let bound = if raw == b"\\N" {
        insert.raw_bind_parameter(index, rusqlite::types::Null)
    } else {
        // Most fields have no escapes and are bound as they arrived.
        let bytes = if raw.contains(&b'\\') {
            unescape_into(raw, scratch);
            &scratch[..]
        } else {
            raw
        };
        let text = || std::str::from_utf8(bytes).map_err(|_| bad("text that is not UTF-8"));
        match kind {
            Kind::Int => insert.raw_bind_parameter(
                index,
                text()?.parse::<i64>().map_err(|_| bad("a whole number"))?,
            ),
            Kind::Real => insert
                .raw_bind_parameter(index, text()?.parse::<f64>().map_err(|_| bad("a number"))?),
            Kind::Text => insert.raw_bind_parameter(index, text()?),
            Kind::Bytes => {
                let digits = bytes.strip_prefix(b"\\x").ok_or_else(|| bad("bytes"))?;
                let digits = std::str::from_utf8(digits).map_err(|_| bad("bytes"))?;
                let blob: Vec<u8> = (0..digits.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(digits.get(i..i + 2).unwrap_or("zz"), 16))
                    .collect::<Result<_, _>>()
                    .map_err(|_| bad("bytes"))?;
                insert.raw_bind_parameter(index, blob)
            }
        }
    };
    bound.map_err(crate::reader::read_error)
}

/// Writes COPY text arriving on `from` into one table of the SQLite file, in the open
/// transaction of `conn`; the rows written.
fn write_table(
    conn: &rusqlite::Connection,
    table: &crate::copy_tables::Table,
    mut from: mpsc::Receiver<Vec<u8>>,
) -> CoreResult<i64> {
    let names: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
    let marks: Vec<String> = (1..=names.len()).map(|i| format!("?{i}")).collect();
    let mut insert = conn
        .prepare(&format!(
            "INSERT INTO {} ({}) VALUES ({})",
            table.name,
            names.join(", "),
            marks.join(", ")
        ))
        .map_err(crate::reader::read_error)?;
    let (mut pending, mut rows) = (Vec::new(), 0i64);
    let mut scratch = Vec::new();
    while let Some(chunk) = from.blocking_recv() {
        pending.extend_from_slice(&chunk);
        let mut start = 0;
        while let Some(end) = pending[start..].iter().position(|b| *b == b'\n') {
            let line = &pending[start..start + end];
            for (i, (raw, (_, kind))) in line.split(|b| *b == b'\t').zip(table.columns).enumerate()
            {
                bind_field(&mut insert, i + 1, raw, *kind, &mut scratch)?;
            }
            insert.raw_execute().map_err(crate::reader::read_error)?;
            rows += 1;
            start += end + 1;
        }
        pending.drain(..start);
    }
    Ok(rows)
}

/// Drops the indexes and triggers of a SQLite database; their kinds and definitions.
fn set_aside_in_sqlite(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<(String, String)>> {
    let found: Vec<(String, String, String)> = conn
        .prepare(
            "SELECT type, name, sql FROM sqlite_master \
             WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    for (kind, name, _) in &found {
        conn.execute_batch(&format!("DROP {} \"{name}\"", kind.to_uppercase()))?;
    }
    Ok(found
        .into_iter()
        .map(|(kind, _, sql)| (kind, sql))
        .collect())
}

/// Fills the SQLite file `file` (created and migrated, empty) with one snapshot of the
/// PostgreSQL store `from`, read with `COPY … TO STDOUT` in one repeatable-read
/// transaction; rows per table.
pub(crate) async fn dump(from: &SqlStore, file: &Path) -> CoreResult<CopyReport> {
    use futures_util::TryStreamExt;
    let native = from
        .native
        .as_ref()
        .ok_or_else(|| CoreError::Internal("no native PostgreSQL connection for COPY".into()))?;
    let mut source = native
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(map_err)?;
    // One writer thread holds the SQLite transaction; tables arrive one after another.
    let (tables_in, mut tables_out) =
        mpsc::channel::<(&'static crate::copy_tables::Table, mpsc::Receiver<Vec<u8>>)>(1);
    let path = file.to_path_buf();
    let writer = tokio::task::spawn_blocking(move || -> CoreResult<Vec<(String, i64)>> {
        let conn = rusqlite::Connection::open(&path).map_err(crate::reader::read_error)?;
        conn.execute_batch("PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; BEGIN")
            .map_err(crate::reader::read_error)?;
        // Indexes and the rollups' triggers are made again once the rows are in: each
        // index is then built in one pass, and the rollups are summed once.
        let aside = set_aside_in_sqlite(&conn).map_err(crate::reader::read_error)?;
        let mut written = Vec::new();
        while let Some((table, rows)) = tables_out.blocking_recv() {
            written.push((table.name.to_string(), write_table(&conn, table, rows)?));
        }
        let remake = |kind: &str| {
            aside
                .iter()
                .filter(|(k, _)| k == kind)
                .try_for_each(|(_, sql)| conn.execute_batch(sql))
        };
        remake("index")
            .and_then(|()| conn.execute_batch(REBUILD_ROLLUPS))
            .and_then(|()| remake("trigger"))
            .map_err(crate::reader::read_error)?;
        // Everything in the one file: no write-ahead log beside it.
        conn.execute_batch("COMMIT; PRAGMA journal_mode = DELETE")
            .map_err(crate::reader::read_error)?;
        Ok(written)
    });
    let mut expected = Vec::new();
    for t in tables() {
        let count: i64 =
            sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {}", t.name)))
                .fetch_one(&mut *source)
                .await
                .map_err(map_err)?;
        expected.push((t.name.to_string(), count));
        let (rows_in, rows_out) = mpsc::channel::<Vec<u8>>(4);
        if tables_in.send((t, rows_out)).await.is_err() {
            break;
        }
        let columns: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
        let mut stream = source
            .copy_out_raw(&format!(
                "COPY (SELECT {} FROM {}) TO STDOUT",
                columns.join(", "),
                t.name
            ))
            .await
            .map_err(map_err)?;
        // PostgreSQL sends a row a message: they are gathered into large pieces, so the
        // writer thread is woken once a megabyte rather than once a row.
        let mut gathered = Vec::with_capacity(CHUNK_BYTES + 4096);
        let mut stopped = false;
        while let Some(chunk) = stream.try_next().await.map_err(map_err)? {
            gathered.extend_from_slice(&chunk);
            // The writer stopped (its error is read below): the rest is read and dropped.
            if gathered.len() >= CHUNK_BYTES && !stopped {
                stopped = rows_in.send(std::mem::take(&mut gathered)).await.is_err();
                gathered.reserve(CHUNK_BYTES + 4096);
            } else if stopped {
                gathered.clear();
            }
        }
        if stopped || (!gathered.is_empty() && rows_in.send(gathered).await.is_err()) {
            break;
        }
    }
    drop(tables_in);
    let written = writer
        .await
        .map_err(|e| CoreError::Internal(format!("the backup was interrupted: {e}")))??;
    source.rollback().await.map_err(map_err)?;
    if written != expected {
        return Err(CoreError::Internal(
            "the backup's database does not hold the rows of the snapshot".into(),
        ));
    }
    Ok(CopyReport { tables: written })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_bytes_survive_the_copy_format_both_ways() {
        let tricky = "tab\there, line\nbreak, cr\r, back\\slash, \\N, ünïcode";
        let mut line = Vec::new();
        put(&mut line, ValueRef::Text(tricky.as_bytes()));
        assert!(
            !line.contains(&b'\t') && !line.contains(&b'\n'),
            "one field of one line"
        );
        let mut back = Vec::new();
        unescape_into(&line, &mut back);
        assert_eq!(String::from_utf8(back).unwrap(), tricky);
        let mut null = Vec::new();
        put(&mut null, ValueRef::Null);
        assert_eq!(null, b"\\N");
        let mut blob = Vec::new();
        put(&mut blob, ValueRef::Blob(&[0, 255, 16]));
        assert_eq!(blob, b"\\\\x00ff10");
        let mut real = Vec::new();
        put(&mut real, ValueRef::Real(0.1));
        assert_eq!(real, b"0.1");
    }
}
