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

#[async_trait::async_trait]
impl trellis_core::org::store::TeamStore for SqlStore {
    async fn teams(&self) -> CoreResult<Vec<Team>> {
        let sql = format!(
            "SELECT {TEAM_COLUMNS} FROM teams t LEFT JOIN teams pt ON pt.id = t.parent_id \
             ORDER BY COALESCE(pt.name, t.name), t.parent_id IS NOT NULL, t.name"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(team_row).collect()
    }
    async fn team(&self, id: TeamId) -> CoreResult<Option<Team>> {
        let sql = format!(
            "SELECT {TEAM_COLUMNS} FROM teams t LEFT JOIN teams pt ON pt.id = t.parent_id WHERE t.id = $1"
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(team_row).transpose()
    }
    async fn team_members(&self, id: TeamId) -> CoreResult<Vec<PersonCard>> {
        let sql = cards_as_json_page(
            self.backend,
            "p.team_id = $1 AND p.status = 'active'",
            2000,
            0,
        );
        let packed: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        unpack_cards(packed)
    }
    async fn sub_teams(&self, id: TeamId) -> CoreResult<Vec<Team>> {
        let sql = format!(
            "SELECT {TEAM_COLUMNS} FROM teams t LEFT JOIN teams pt ON pt.id = t.parent_id \
             WHERE t.parent_id = $1 ORDER BY t.name"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(team_row).collect()
    }
    async fn levels(&self) -> CoreResult<Vec<JobLevel>> {
        let rows = sqlx::query(
            "SELECT id, code, name, rank, expectations FROM job_levels ORDER BY rank, code",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(level_row).collect()
    }
    async fn level(&self, id: LevelId) -> CoreResult<Option<JobLevel>> {
        let row =
            sqlx::query("SELECT id, code, name, rank, expectations FROM job_levels WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        row.as_ref().map(level_row).transpose()
    }
    async fn upsert_level(&self, level: &NewLevel) -> CoreResult<LevelId> {
        let id = upsert_level_query(level)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(LevelId(id))
    }
    /// Adds or updates every level, in one transaction.
    async fn upsert_levels(&self, levels: &[NewLevel]) -> CoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        for level in levels {
            upsert_level_query(level)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)
    }
    async fn counts(&self) -> CoreResult<OrgCounts> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM people) AS people, \
             (SELECT COUNT(*) FROM people WHERE status = 'active') AS active_people, \
             (SELECT COUNT(*) FROM teams) AS teams, (SELECT COUNT(*) FROM accounts) AS accounts",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(OrgCounts {
            people: row.try_get("people").map_err(map_err)?,
            active_people: row.try_get("active_people").map_err(map_err)?,
            teams: row.try_get("teams").map_err(map_err)?,
            accounts: row.try_get("accounts").map_err(map_err)?,
        })
    }
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
