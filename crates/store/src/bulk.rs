//! Multi-row inserts for the copy command and bulk loads.

use crate::{Backend, map_err, placeholders};
use sqlx::any::AnyArguments;
use sqlx::{Any, Arguments, AssertSqlSafe, Transaction};
use trellis_core::error::{CoreError, CoreResult};

/// One column value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

/// Parameters per statement: under both SQLite's and PostgreSQL's limits.
const PARAMETERS_PER_STATEMENT: usize = 8000;

/// Inserts `rows` into `table` in as few statements as the parameter limits allow.
pub(crate) async fn insert_rows(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> CoreResult<()> {
    insert(tx, backend, table, columns, rows, "")
        .await
        .map(|_| ())
}

/// Inserts the `rows` that are not in `table` yet (by its keys); how many were new.
pub(crate) async fn insert_new_rows(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> CoreResult<u64> {
    insert(tx, backend, table, columns, rows, " ON CONFLICT DO NOTHING").await
}

async fn insert(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
    suffix: &str,
) -> CoreResult<u64> {
    let mut inserted = 0;
    for (sql, args) in statements(backend, table, columns, rows, suffix)? {
        inserted += sqlx::query_with(AssertSqlSafe(sql), args)
            .execute(&mut **tx)
            .await
            .map_err(map_err)?
            .rows_affected();
    }
    Ok(inserted)
}

/// Inserts `rows` into `table` and answers the `returning` columns of each new row.
pub(crate) async fn insert_rows_returning(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
    returning: &str,
) -> CoreResult<Vec<sqlx::any::AnyRow>> {
    let suffix = format!(" RETURNING {returning}");
    fetch(tx, statements(backend, table, columns, rows, &suffix)?).await
}

/// Inserts the `rows` that are not in `table` yet (by its keys) and answers the
/// `returning` columns of those that were new.
pub(crate) async fn insert_new_rows_returning(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
    returning: &str,
) -> CoreResult<Vec<sqlx::any::AnyRow>> {
    let suffix = format!(" ON CONFLICT DO NOTHING RETURNING {returning}");
    fetch(tx, statements(backend, table, columns, rows, &suffix)?).await
}

/// Runs the statements, answering every row they return.
async fn fetch(
    tx: &mut Transaction<'_, Any>,
    statements: Vec<(String, AnyArguments)>,
) -> CoreResult<Vec<sqlx::any::AnyRow>> {
    let mut answered = Vec::new();
    for (sql, args) in statements {
        answered.extend(
            sqlx::query_with(AssertSqlSafe(sql), args)
                .fetch_all(&mut **tx)
                .await
                .map_err(map_err)?,
        );
    }
    Ok(answered)
}

/// The multi-row INSERT statements, with their arguments, that write `rows`.
fn statements(
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
    suffix: &str,
) -> CoreResult<Vec<(String, AnyArguments)>> {
    let width = columns.len();
    let list = columns.join(", ");
    let per_statement = (PARAMETERS_PER_STATEMENT / width).max(1);
    let mut out = Vec::new();
    for chunk in rows.chunks(per_statement) {
        let tuples: Vec<String> = (0..chunk.len())
            .map(|i| format!("({})", placeholders(backend, i * width + 1, width)))
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({list}) VALUES {}{suffix}",
            tuples.join(", ")
        );
        let mut args = AnyArguments::default();
        for row in chunk {
            for v in row {
                let added = match v {
                    Value::Int(x) => args.add(*x),
                    Value::Real(x) => args.add(*x),
                    Value::Text(x) => args.add(x.clone()),
                    Value::Bytes(x) => args.add(x.clone()),
                };
                added.map_err(|e| CoreError::Internal(e.to_string()))?;
            }
        }
        out.push((sql, args));
    }
    Ok(out)
}
