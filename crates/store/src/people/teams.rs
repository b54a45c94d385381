//! Teams, job levels and the organisation's counts.

use super::*;
use crate::{SqlStore, map_err};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use trellis_core::error::CoreResult;
use trellis_core::org::store::{NewLevel, OrgCounts};
use trellis_core::org::{JobLevel, PersonCard, Team};
use trellis_core::{LevelId, TeamId};

pub(crate) const TEAM_COLUMNS: &str = "t.id, t.name, t.parent_id, pt.name AS parent_name, \
    (SELECT COUNT(*) FROM people p WHERE p.team_id = t.id AND p.status = 'active') AS member_count";

pub(crate) fn team_row(row: &AnyRow) -> CoreResult<Team> {
    Ok(Team {
        id: TeamId(row.try_get("id").map_err(map_err)?),
        name: row.try_get("name").map_err(map_err)?,
        parent_id: row
            .try_get::<Option<i64>, _>("parent_id")
            .map_err(map_err)?
            .map(TeamId),
        parent_name: row.try_get("parent_name").map_err(map_err)?,
        member_count: row.try_get("member_count").map_err(map_err)?,
    })
}

pub async fn teams(store: &SqlStore) -> CoreResult<Vec<Team>> {
    let sql = format!(
        "SELECT {TEAM_COLUMNS} FROM teams t LEFT JOIN teams pt ON pt.id = t.parent_id \
         ORDER BY COALESCE(pt.name, t.name), t.parent_id IS NOT NULL, t.name"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    rows.iter().map(team_row).collect()
}

pub async fn team(store: &SqlStore, id: TeamId) -> CoreResult<Option<Team>> {
    let sql = format!(
        "SELECT {TEAM_COLUMNS} FROM teams t LEFT JOIN teams pt ON pt.id = t.parent_id WHERE t.id = $1"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(&store.pool)
        .await
        .map_err(map_err)?;
    row.as_ref().map(team_row).transpose()
}

pub async fn sub_teams(store: &SqlStore, id: TeamId) -> CoreResult<Vec<Team>> {
    let sql = format!(
        "SELECT {TEAM_COLUMNS} FROM teams t LEFT JOIN teams pt ON pt.id = t.parent_id \
         WHERE t.parent_id = $1 ORDER BY t.name"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    rows.iter().map(team_row).collect()
}

pub async fn team_members(store: &SqlStore, id: TeamId) -> CoreResult<Vec<PersonCard>> {
    let sql = cards_as_json_page(
        store.backend,
        "p.team_id = $1 AND p.status = 'active'",
        2000,
        0,
    );
    let packed: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_one(&store.pool)
        .await
        .map_err(map_err)?;
    unpack_cards(packed)
}

pub(crate) fn level_row(row: &AnyRow) -> CoreResult<JobLevel> {
    Ok(JobLevel {
        id: LevelId(row.try_get("id").map_err(map_err)?),
        code: row.try_get("code").map_err(map_err)?,
        name: row.try_get("name").map_err(map_err)?,
        rank: row.try_get("rank").map_err(map_err)?,
        expectations: row.try_get("expectations").map_err(map_err)?,
    })
}

pub async fn levels(store: &SqlStore) -> CoreResult<Vec<JobLevel>> {
    let rows = sqlx::query(
        "SELECT id, code, name, rank, expectations FROM job_levels ORDER BY rank, code",
    )
    .fetch_all(&store.pool)
    .await
    .map_err(map_err)?;
    rows.iter().map(level_row).collect()
}

pub async fn level(store: &SqlStore, id: LevelId) -> CoreResult<Option<JobLevel>> {
    let row =
        sqlx::query("SELECT id, code, name, rank, expectations FROM job_levels WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&store.pool)
            .await
            .map_err(map_err)?;
    row.as_ref().map(level_row).transpose()
}

pub(crate) const UPSERT_LEVEL: &str = "INSERT INTO job_levels (code, name, rank, expectations) \
    VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
    rank = excluded.rank, expectations = excluded.expectations RETURNING id";

pub(crate) fn upsert_level_query(
    level: &NewLevel,
) -> sqlx::query::QueryScalar<'static, sqlx::Any, i64, sqlx::any::AnyArguments> {
    sqlx::query_scalar(UPSERT_LEVEL)
        .bind(level.code.clone())
        .bind(level.name.clone())
        .bind(level.rank)
        .bind(level.expectations.clone())
}

pub async fn upsert_level(store: &SqlStore, level: &NewLevel) -> CoreResult<LevelId> {
    let id = upsert_level_query(level)
        .fetch_one(&store.pool)
        .await
        .map_err(map_err)?;
    Ok(LevelId(id))
}

/// Adds or updates every level, in one transaction.
pub async fn upsert_levels(store: &SqlStore, levels: &[NewLevel]) -> CoreResult<()> {
    let mut tx = store.pool.begin().await.map_err(map_err)?;
    for level in levels {
        upsert_level_query(level)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    tx.commit().await.map_err(map_err)
}

pub async fn counts(store: &SqlStore) -> CoreResult<OrgCounts> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM people) AS people, \
         (SELECT COUNT(*) FROM people WHERE status = 'active') AS active_people, \
         (SELECT COUNT(*) FROM teams) AS teams, (SELECT COUNT(*) FROM accounts) AS accounts",
    )
    .fetch_one(&store.pool)
    .await
    .map_err(map_err)?;
    Ok(OrgCounts {
        people: row.try_get("people").map_err(map_err)?,
        active_people: row.try_get("active_people").map_err(map_err)?,
        teams: row.try_get("teams").map_err(map_err)?,
        accounts: row.try_get("accounts").map_err(map_err)?,
    })
}
