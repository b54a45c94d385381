//! Direct, synchronous SQLite reads for the pages everyone opens all day (the person page,
//! the org chart). sqlx runs each SQLite connection on a thread of its own and hands every
//! query and row across threads; under load those hand-offs, not SQLite, took most of the
//! time. These reads are short indexed lookups, so they run on the calling thread over a
//! small pool of read-only connections. The SQL is the same as on the sqlx path, and the
//! conformance suite runs through here on SQLite.

use rusqlite::{Connection, OpenFlags, Row};
use std::sync::Mutex;
use trellis_core::error::{CoreError, CoreResult};

/// Connections kept open for reuse.
const IDLE_LIMIT: usize = 16;

pub(crate) struct SqliteReader {
    path: String,
    idle: Mutex<Vec<Connection>>,
    /// Reads handed to blocking threads at once: enough to use every core for one page's
    /// independent reads, few enough that connections are reused under load.
    pub(crate) slots: tokio::sync::Semaphore,
}

pub(crate) fn read_error(e: rusqlite::Error) -> CoreError {
    match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            CoreError::Unavailable("the database is busy; try again".into())
        }
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::CannotOpen => {
            CoreError::Unavailable(format!("cannot open the database: {e}"))
        }
        other => {
            tracing::error!(error = %other, "database read error");
            CoreError::Internal("a database error occurred; it has been logged".into())
        }
    }
}

impl SqliteReader {
    pub(crate) fn new(path: String) -> SqliteReader {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        SqliteReader {
            path,
            idle: Mutex::new(Vec::new()),
            slots: tokio::sync::Semaphore::new(cores * 2),
        }
    }

    /// A connection of its own that never writes, for the read cache to ask the file's
    /// data version on.
    pub(crate) fn watcher(&self) -> CoreResult<Connection> {
        self.open().map_err(read_error)
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.set_prepared_statement_cache_capacity(32);
        conn.execute_batch("PRAGMA cache_size = -16384;")?;
        Ok(conn)
    }

    /// Runs `read` on a pooled connection.
    pub(crate) fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> CoreResult<T> {
        let pooled = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match pooled {
            Some(c) => c,
            None => self.open().map_err(read_error)?,
        };
        // One read transaction for all the statements of a read: SQLite then takes its
        // file locks once, not once per statement (they are system calls).
        let result = conn.execute_batch("BEGIN").and_then(|()| {
            let value = read(&conn);
            let end = conn.execute_batch("COMMIT");
            value.and_then(|v| end.map(|()| v))
        });
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < IDLE_LIMIT
        {
            idle.push(conn);
        }
        result.map_err(read_error)
    }
}

/// Reads an optional text column by name.
pub(crate) fn text(row: &Row, name: &str) -> rusqlite::Result<Option<String>> {
    row.get(name)
}
