//! Moving a whole installation between databases (`trellis copy`), e.g. from SQLite to
//! PostgreSQL: every table, in an order that keeps references valid, verified by row counts.

use crate::bulk::{Value, insert_rows};
use crate::{Backend, SqlStore, map_err};
use futures_util::TryStreamExt;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Row, Transaction};
use std::collections::HashMap;
use trellis_core::error::{CoreError, CoreResult};

use crate::copy_tables::{Kind, Table, tables};
use Kind::{Bytes, Int, Real, Text};

fn read(row: &AnyRow, columns: &[(&str, Kind)]) -> CoreResult<Vec<Value>> {
    columns
        .iter()
        .map(|(name, kind)| {
            Ok(match kind {
                Int => Value::Int(row.try_get(*name).map_err(map_err)?),
                Real => Value::Real(row.try_get(*name).map_err(map_err)?),
                Text => Value::Text(row.try_get(*name).map_err(map_err)?),
                Bytes => Value::Bytes(row.try_get(*name).map_err(map_err)?),
            })
        })
        .collect()
}

/// Rows copied per table, checked against the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: Vec<(String, i64)>,
}

impl CopyReport {
    /// Rows copied into one table; 0 when it was not copied.
    pub fn rows(&self, table: &str) -> i64 {
        self.tables
            .iter()
            .find(|(t, _)| t == table)
            .map_or(0, |(_, n)| *n)
    }
}

async fn count<'c>(on: impl sqlx::Executor<'c, Database = Any>, table: &str) -> CoreResult<i64> {
    sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(on)
        .await
        .map_err(map_err)
}

/// Rows ordered so that a row's parent (same table) comes before it.
fn parents_first(rows: Vec<Vec<Value>>, id_index: usize, parent_index: usize) -> Vec<Vec<Value>> {
    let id_of = |r: &Vec<Value>, i: usize| match &r[i] {
        Value::Int(v) => *v,
        _ => None,
    };
    let mut children: HashMap<i64, Vec<usize>> = HashMap::new();
    let mut order: Vec<usize> = Vec::with_capacity(rows.len());
    let ids: std::collections::HashSet<i64> =
        rows.iter().filter_map(|r| id_of(r, id_index)).collect();
    for (i, r) in rows.iter().enumerate() {
        match id_of(r, parent_index) {
            Some(p) if ids.contains(&p) => children.entry(p).or_default().push(i),
            _ => order.push(i),
        }
    }
    let mut next = 0;
    while next < order.len() {
        if let Some(id) = id_of(&rows[order[next]], id_index)
            && let Some(c) = children.remove(&id)
        {
            order.extend(c);
        }
        next += 1;
    }
    // Rows caught in a loop (impossible through Trellis) still get copied, last.
    let mut placed = vec![false; rows.len()];
    for &i in &order {
        placed[i] = true;
    }
    order.extend((0..rows.len()).filter(|i| !placed[*i]));
    let mut rows: Vec<Option<Vec<Value>>> = rows.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| rows[i].take()).collect()
}

/// The tables and columns `trellis copy` moves, so a test can hold them against the schema.
pub(crate) fn copied_columns() -> Vec<(&'static str, Vec<&'static str>)> {
    tables()
        .map(|t| (t.name, t.columns.iter().map(|(c, _)| *c).collect()))
        .collect()
}

/// Rows read from the source before they are written to the target.
const BATCH_ROWS: usize = 2_000;

/// Copies every table of `from` into `to`. `to` must be empty unless `force` is set, in
/// which case its data is replaced. All of it happens in one transaction on `to`, and the
/// source is read in one transaction too — on PostgreSQL a repeatable-read one — so the
/// copy is a snapshot of one moment even while instances keep writing to the source.
/// Tables are streamed in batches rather than held in memory whole.
pub async fn copy_database(from: &SqlStore, to: &SqlStore, force: bool) -> CoreResult<CopyReport> {
    refuse_occupied(to, force).await?;
    copy_snapshot(from, to).await
}

/// Refuses a target that holds data, unless its data is to be replaced.
pub(crate) async fn refuse_occupied(to: &SqlStore, force: bool) -> CoreResult<()> {
    let mut occupied = Vec::new();
    for t in tables() {
        let n = count(&to.pool, t.name).await?;
        if n > 0 {
            occupied.push(format!("{} ({n} rows)", t.name));
        }
    }
    if !occupied.is_empty() && !force {
        return Err(CoreError::Conflict(format!(
            "the target database is not empty: {}; use --force to replace its data",
            occupied.join(", ")
        )));
    }
    Ok(())
}

/// Replaces everything in `to` with one snapshot of `from`; rows per table, checked.
pub(crate) async fn copy_snapshot(from: &SqlStore, to: &SqlStore) -> CoreResult<CopyReport> {
    let mut source = match from.backend {
        Backend::Sqlite => from.pool.begin().await,
        Backend::Postgres => {
            from.pool
                .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .await
        }
    }
    .map_err(map_err)?;
    let mut tx = match to.backend {
        Backend::Sqlite => to.pool.begin_with("BEGIN IMMEDIATE").await,
        Backend::Postgres => to.pool.begin().await,
    }
    .map_err(map_err)?;
    for t in tables().rev() {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", t.name)))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    let mut report = CopyReport { tables: Vec::new() };
    for t in tables() {
        // Counted in the snapshot that is copied: the target must end up with exactly these.
        let expected = count(&mut *source, t.name).await?;
        copy_table(&mut source, &mut tx, to.backend, t).await?;
        report.tables.push((t.name.to_string(), expected));
    }
    tx.commit().await.map_err(map_err)?;
    source.rollback().await.map_err(map_err)?;
    verify(to, &report).await?;
    Ok(report)
}

/// Checks that every table of the target holds the rows the report expects.
pub(crate) async fn verify(to: &SqlStore, report: &CopyReport) -> CoreResult<()> {
    let mut mismatches = Vec::new();
    for (table, expected) in &report.tables {
        let copied = count(&to.pool, table).await?;
        if copied != *expected {
            mismatches.push(format!(
                "{table}: {expected} rows in the source, {copied} in the target"
            ));
        }
    }
    if !mismatches.is_empty() {
        return Err(CoreError::Internal(format!(
            "the copy does not match the source ({})",
            mismatches.join("; ")
        )));
    }
    Ok(())
}

/// Streams one table from the source transaction into the target's.
async fn copy_table(
    source: &mut Transaction<'_, Any>,
    target: &mut Transaction<'_, Any>,
    backend: Backend,
    t: &Table,
) -> CoreResult<()> {
    let names: Vec<&str> = t.columns.iter().map(|(n, _)| *n).collect();
    let select = format!("SELECT {} FROM {}", names.join(", "), t.name);
    let mut rows = sqlx::query(AssertSqlSafe(select)).fetch(&mut **source);
    // A table whose rows refer to each other is written whole, parents first.
    let batch = if t.parent.is_some() {
        usize::MAX
    } else {
        BATCH_ROWS
    };
    let mut values: Vec<Vec<Value>> = Vec::new();
    while let Some(row) = rows.try_next().await.map_err(map_err)? {
        values.push(read(&row, t.columns)?);
        if values.len() >= batch {
            insert_rows(target, backend, t.name, &names, &values).await?;
            values.clear();
        }
    }
    drop(rows);
    if let Some(parent) = t.parent {
        let parent_index = names.iter().position(|n| *n == parent).unwrap_or(0);
        values = parents_first(values, 0, parent_index);
    }
    insert_rows(target, backend, t.name, &names, &values).await?;
    if t.identity && backend == Backend::Postgres {
        // Later inserts must not collide with the copied ids.
        sqlx::query(AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
            t.name
        )))
        .execute(&mut **target)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}
