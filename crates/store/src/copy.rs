//! Moving a whole installation between databases (`trellis copy`), e.g. from SQLite to
//! PostgreSQL: every table, in an order that keeps references valid, verified by row counts.

use crate::bulk::{Value, insert_rows};
use crate::{Backend, SqlStore, map_err};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use std::collections::HashMap;
use trellis_core::error::{CoreError, CoreResult};

use crate::copy_tables::{Kind, tables};
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

async fn count(store: &SqlStore, table: &str) -> CoreResult<i64> {
    sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(&store.pool)
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

/// Copies every table of `from` into `to`. `to` must be empty unless `force` is set, in
/// which case its data is replaced. All of it happens in one transaction on `to`.
pub async fn copy_database(from: &SqlStore, to: &SqlStore, force: bool) -> CoreResult<CopyReport> {
    let mut occupied = Vec::new();
    for t in tables() {
        let n = count(to, t.name).await?;
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
    for t in tables() {
        let names: Vec<&str> = t.columns.iter().map(|(n, _)| *n).collect();
        let list = names.join(", ");
        let rows = sqlx::query(AssertSqlSafe(format!("SELECT {list} FROM {}", t.name)))
            .fetch_all(&from.pool)
            .await
            .map_err(map_err)?;
        let mut values: Vec<Vec<Value>> = rows
            .iter()
            .map(|r| read(r, t.columns))
            .collect::<CoreResult<_>>()?;
        if let Some(parent) = t.parent {
            let parent_index = names.iter().position(|n| *n == parent).unwrap_or(0);
            values = parents_first(values, 0, parent_index);
        }
        insert_rows(&mut tx, to.backend, t.name, &names, &values).await?;
        if t.identity && to.backend == Backend::Postgres {
            // Later inserts must not collide with the copied ids.
            sqlx::query(AssertSqlSafe(format!(
                "SELECT setval(pg_get_serial_sequence('{0}', 'id'), COALESCE((SELECT MAX(id) FROM {0}), 0) + 1, false)",
                t.name
            )))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
    }
    tx.commit().await.map_err(map_err)?;
    let mut report = CopyReport { tables: Vec::new() };
    let mut mismatches = Vec::new();
    for t in tables() {
        let (source, target) = (count(from, t.name).await?, count(to, t.name).await?);
        if source != target {
            mismatches.push(format!(
                "{}: {source} rows in the source, {target} in the target",
                t.name
            ));
        }
        report.tables.push((t.name.to_string(), target));
    }
    if !mismatches.is_empty() {
        return Err(CoreError::Internal(format!(
            "the copy does not match the source ({}); was the source written to during the copy?",
            mismatches.join("; ")
        )));
    }
    Ok(report)
}
