//! The SQL helpers every capability's store code shares: parameters bound for sqlx and
//! the direct SQLite reader at once, rows read the same from either, reads routed to the
//! reader when it can answer, lists of ids as one JSON array parameter, multi-row
//! placeholders, and the mapping of database errors to the domain.

use crate::people::date;
use crate::{Backend, SqlStore};
use chrono::NaiveDate;
use rusqlite::types::Value;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::postgres::PgRow;
use sqlx::{Any, Arguments, AssertSqlSafe, Column, Row, TypeInfo, ValueRef};
use trellis_core::PersonId;
use trellis_core::error::{CoreError, CoreResult};

/// A value bound for sqlx and, on SQLite, for the direct reader.
pub(crate) trait Bindable: for<'q> sqlx::Encode<'q, Any> + sqlx::Type<Any> {
    fn direct(&self) -> rusqlite::types::Value;
}

impl Bindable for i64 {
    fn direct(&self) -> rusqlite::types::Value {
        rusqlite::types::Value::Integer(*self)
    }
}

impl Bindable for String {
    fn direct(&self) -> rusqlite::types::Value {
        rusqlite::types::Value::Text(self.clone())
    }
}

/// Collects parameters and hands out their placeholders.
pub(crate) struct Params {
    pub(crate) args: AnyArguments,
    pub(crate) direct: Vec<rusqlite::types::Value>,
}

impl Params {
    pub(crate) fn new() -> Self {
        Params {
            args: AnyArguments::default(),
            direct: Vec::new(),
        }
    }

    pub(crate) fn bind<T: Bindable>(&mut self, value: T) -> CoreResult<String> {
        self.direct.push(value.direct());
        self.args
            .add(value)
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        Ok(format!("${}", self.direct.len()))
    }

    /// `column IN (…these people…)`.
    pub(crate) fn people(
        &mut self,
        backend: Backend,
        column: &str,
        ids: &[PersonId],
    ) -> CoreResult<String> {
        let json = format!(
            "[{}]",
            ids.iter()
                .map(|i| i.0.to_string())
                .collect::<Vec<_>>()
                .join(",")
        );
        let p = self.bind(json)?;
        Ok(json_list(backend, column, &p, true))
    }

    /// `column IN (…)` or nothing at all for everyone.
    pub(crate) fn maybe_people(
        &mut self,
        backend: Backend,
        column: &str,
        ids: Option<&[PersonId]>,
    ) -> CoreResult<String> {
        match ids {
            Some(ids) => Ok(format!(" AND {}", self.people(backend, column, ids)?)),
            None => Ok(String::new()),
        }
    }
}

pub(crate) fn get<T>(row: &AnyRow, column: &str) -> CoreResult<T>
where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any>,
{
    row.try_get(column).map_err(map_err)
}

pub(crate) fn day(row: &AnyRow, column: &str) -> CoreResult<NaiveDate> {
    date(get(row, column)?)
        .ok_or_else(|| CoreError::Internal(format!("{column} is not a date in the database")))
}

/// A person named by three columns of a row (id, name, preferred name); `None` when the
/// id is null — "linked by", "engaged by", "sent by".
pub(crate) fn person_or_null(
    row: &dyn Columns,
    id: &str,
    name: &str,
    preferred: &str,
) -> CoreResult<Option<trellis_core::ids::PersonName>> {
    let Some(id) = row.int_or_null(id)? else {
        return Ok(None);
    };
    Ok(Some(trellis_core::ids::PersonName {
        id: trellis_core::PersonId(id),
        name: trellis_core::org::display_name(
            &row.text(name)?,
            row.text_or_null(preferred)?.as_deref(),
        ),
    }))
}

/// A result row from either sqlx or the direct SQLite reader, so each mapping is written once.
pub(crate) trait Columns {
    fn int_or_null(&self, column: &str) -> CoreResult<Option<i64>>;
    fn real_or_null(&self, column: &str) -> CoreResult<Option<f64>>;
    fn text_or_null(&self, column: &str) -> CoreResult<Option<String>>;

    fn int(&self, column: &str) -> CoreResult<i64> {
        self.int_or_null(column)?.ok_or_else(|| missing(column))
    }
    fn real(&self, column: &str) -> CoreResult<f64> {
        self.real_or_null(column)?.ok_or_else(|| missing(column))
    }
    fn text(&self, column: &str) -> CoreResult<String> {
        self.text_or_null(column)?.ok_or_else(|| missing(column))
    }
    fn day(&self, column: &str) -> CoreResult<NaiveDate> {
        date(self.text_or_null(column)?).ok_or_else(|| missing(column))
    }
}

pub(crate) fn missing(column: &str) -> CoreError {
    CoreError::Internal(format!("{column} is missing or malformed in the database"))
}

impl Columns for AnyRow {
    fn int_or_null(&self, column: &str) -> CoreResult<Option<i64>> {
        get(self, column)
    }
    fn real_or_null(&self, column: &str) -> CoreResult<Option<f64>> {
        get(self, column)
    }
    fn text_or_null(&self, column: &str) -> CoreResult<Option<String>> {
        get(self, column)
    }
}

/// PostgreSQL's columns, read as leniently as sqlx's Any rows read them: any width of
/// integer, either width of float.
/// A column's position, by a scan of the few columns a read has: a read over everyone
/// looks columns up 100,000 times, and sqlx's lookup by name hashes the name each time.
fn position(row: &PgRow, column: &str) -> CoreResult<usize> {
    row.columns()
        .iter()
        .position(|c| c.name() == column)
        .ok_or_else(|| missing(column))
}

impl Columns for PgRow {
    fn int_or_null(&self, column: &str) -> CoreResult<Option<i64>> {
        let i = position(self, column)?;
        let value = self.try_get_raw(i).map_err(map_err)?;
        if value.is_null() {
            return Ok(None);
        }
        let wide = match value.type_info().name() {
            "INT2" => self.try_get::<i16, _>(i).map(i64::from),
            "INT4" => self.try_get::<i32, _>(i).map(i64::from),
            _ => self.try_get::<i64, _>(i),
        };
        wide.map(Some).map_err(map_err)
    }
    fn real_or_null(&self, column: &str) -> CoreResult<Option<f64>> {
        let i = position(self, column)?;
        let value = self.try_get_raw(i).map_err(map_err)?;
        if value.is_null() {
            return Ok(None);
        }
        let wide = match value.type_info().name() {
            "FLOAT4" => self.try_get::<f32, _>(i).map(f64::from),
            _ => self.try_get::<f64, _>(i),
        };
        wide.map(Some).map_err(map_err)
    }
    fn text_or_null(&self, column: &str) -> CoreResult<Option<String>> {
        self.try_get(position(self, column)?).map_err(map_err)
    }
}

pub(crate) fn direct_error(e: rusqlite::Error) -> CoreError {
    tracing::error!(error = %e, "database read error");
    CoreError::Internal("a database error occurred; it has been logged".into())
}

impl Columns for rusqlite::Row<'_> {
    fn int_or_null(&self, column: &str) -> CoreResult<Option<i64>> {
        self.get(column).map_err(direct_error)
    }
    fn real_or_null(&self, column: &str) -> CoreResult<Option<f64>> {
        // SQLite hands back whole sums of REAL columns as integers.
        match self.get_ref(column).map_err(direct_error)? {
            rusqlite::types::ValueRef::Null => Ok(None),
            rusqlite::types::ValueRef::Integer(i) => Ok(Some(i as f64)),
            rusqlite::types::ValueRef::Real(r) => Ok(Some(r)),
            _ => Err(missing(column)),
        }
    }
    fn text_or_null(&self, column: &str) -> CoreResult<Option<String>> {
        self.get(column).map_err(direct_error)
    }
}

/// Runs a read on the direct SQLite reader when the store has one, on PostgreSQL's own rows
/// when it has those, otherwise through sqlx's Any rows. Reads over everyone come here too:
/// both decode rows several times faster than Any.
pub(crate) async fn fetch<T: Send + 'static>(
    store: &SqlStore,
    sql: String,
    p: Params,
    map: fn(&dyn Columns) -> CoreResult<T>,
) -> CoreResult<Vec<T>> {
    if let Some(reader) = &store.reader {
        // On a blocking thread, so that a page's independent reads run side by side.
        let _slot = reader
            .slots
            .acquire()
            .await
            .map_err(|e| CoreError::Internal(e.to_string()))?;
        let reader = reader.clone();
        let direct = p.direct;
        let rows = tokio::task::spawn_blocking(move || {
            let names: Vec<String> = (1..=direct.len()).map(|i| format!("${i}")).collect();
            let started = std::time::Instant::now();
            let _logged = SlowRead(&sql, started);
            reader.read(|conn| {
                let mut statement = conn.prepare_cached(&sql)?;
                // A parameter the statement does not use is left out, as sqlx does.
                let named: Vec<(&str, &dyn rusqlite::ToSql)> = names
                    .iter()
                    .zip(&direct)
                    .filter(|(n, _)| matches!(statement.parameter_index(n), Ok(Some(_))))
                    .map(|(n, v)| (n.as_str(), v as &dyn rusqlite::ToSql))
                    .collect();
                let mut rows = statement.query(named.as_slice())?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    out.push(map(row));
                }
                Ok(out)
            })
        })
        .await
        .map_err(|e| CoreError::Internal(format!("a read was interrupted: {e}")))??;
        return rows.into_iter().collect();
    }
    if let Some(native) = &store.native {
        let started = std::time::Instant::now();
        let _logged = SlowRead(&sql, started);
        let mut query = sqlx::query(AssertSqlSafe(sql.as_str()));
        for value in p.direct {
            query = match value {
                Value::Integer(i) => query.bind(i),
                Value::Real(r) => query.bind(r),
                Value::Text(t) => query.bind(t),
                Value::Blob(b) => query.bind(b),
                Value::Null => query.bind(None::<i64>),
            };
        }
        // Mapped as they arrive: 100,000 rows are never held twice.
        let mut rows = query.fetch(native);
        let mut out = Vec::new();
        while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows)
            .await
            .map_err(map_err)?
        {
            out.push(map(&row)?);
        }
        return Ok(out);
    }
    let rows = sqlx::query_with(AssertSqlSafe(sql), p.args)
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    rows.iter().map(|r| map(r)).collect()
}

/// Logs a direct or native read that took a while when it ends, as sqlx logs its own statements
/// (`TRELLIS_LOG=trellis_store=debug`).
struct SlowRead<'a>(&'a str, std::time::Instant);

impl Drop for SlowRead<'_> {
    fn drop(&mut self) {
        let elapsed = self.1.elapsed();
        if elapsed >= std::time::Duration::from_millis(5) {
            let summary: String = self.0.chars().take(110).collect();
            tracing::debug!(?elapsed, summary, "direct read");
        }
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

/// `column IN (…one JSON array parameter…)` for numbers or text.
pub(crate) fn json_list(backend: Backend, column: &str, param: &str, numbers: bool) -> String {
    match (backend, numbers) {
        (Backend::Sqlite, _) => format!("{column} IN (SELECT value FROM json_each({param}))"),
        (Backend::Postgres, true) => {
            format!("{column} IN (SELECT jsonb_array_elements_text({param}::jsonb)::bigint)")
        }
        (Backend::Postgres, false) => {
            format!("{column} IN (SELECT jsonb_array_elements_text({param}::jsonb))")
        }
    }
}

/// A value as the JSON text a column keeps.
pub(crate) fn json<T: serde::Serialize>(v: &T) -> CoreResult<String> {
    serde_json::to_string(v).map_err(|e| CoreError::Internal(e.to_string()))
}

/// A column's JSON text as a value; `what` names it in the error.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> CoreResult<T> {
    serde_json::from_str(text)
        .map_err(|e| CoreError::Internal(format!("{what} in the database: {e}")))
}
