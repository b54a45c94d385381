//! Objectives, key results and check-ins.

use super::*;
use crate::sql::*;
use crate::{SqlStore, map_err};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use trellis_core::TeamId;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::{KeyResultId, ObjectiveId};
use trellis_core::work::metrics::Measure;
use trellis_core::work::store::ObjectiveFilter;
use trellis_core::work::{
    CheckIn, Confidence, KeyResult, NewCheckIn, NewKeyResult, NewObjective, Objective, Scope,
};

#[async_trait::async_trait]
impl trellis_core::work::store::ObjectiveStore for SqlStore {
    async fn create_objective(&self, o: &NewObjective) -> CoreResult<ObjectiveId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO objectives (title, description, scope, team_id, owner_id, parent_id, \
             period_start, period_end, closed, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9) RETURNING id",
        )
        .bind(o.title.clone())
        .bind(o.description.clone())
        .bind(o.scope.as_str().to_string())
        .bind(o.team.map(|t| t.0))
        .bind(o.owner.0)
        .bind(o.parent.map(|p| p.0))
        .bind(text_day(o.period_start))
        .bind(text_day(o.period_end))
        .bind(o.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(ObjectiveId(id))
    }
    async fn objective(&self, id: ObjectiveId) -> CoreResult<Option<Objective>> {
        let mut p = Params::new();
        let c = format!("o.id = {}", p.bind(id.0)?);
        Ok(objectives_where(self, &c, p).await?.into_iter().next())
    }
    async fn objectives(&self, f: &ObjectiveFilter) -> CoreResult<Vec<Objective>> {
        let mut p = Params::new();
        let mut conditions = vec!["1 = 1".to_string()];
        if let Some(d) = f.active_on {
            let d = p.bind(text_day(d))?;
            conditions.push(format!("o.period_start <= {d} AND o.period_end >= {d}"));
        }
        if let Some(owners) = &f.owners {
            conditions.push(p.people(self.backend, "o.owner_id", owners)?);
        }
        if let Some(parent) = f.parent {
            conditions.push(format!("o.parent_id = {}", p.bind(parent.0)?));
        }
        if let Some(scope) = f.scope {
            conditions.push(format!("o.scope = {}", p.bind(scope.as_str().to_string())?));
        }
        if !f.include_closed {
            conditions.push("o.closed = 0".into());
        }
        objectives_where(self, &conditions.join(" AND "), p).await
    }
    async fn set_objective_parent(
        &self,
        id: ObjectiveId,
        parent: Option<ObjectiveId>,
    ) -> CoreResult<()> {
        sqlx::query("UPDATE objectives SET parent_id = $1 WHERE id = $2")
            .bind(parent.map(|p| p.0))
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn set_objective_closed(&self, id: ObjectiveId, closed: bool) -> CoreResult<()> {
        sqlx::query("UPDATE objectives SET closed = $1 WHERE id = $2")
            .bind(i64::from(closed))
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn add_key_result(
        &self,
        objective: ObjectiveId,
        kr: &NewKeyResult,
    ) -> CoreResult<KeyResultId> {
        let (kind, start, target, current, unit, done) = measure_values(&kr.measure);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO key_results (objective_id, title, kind, start_value, target_value, \
             current_value, unit, done) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(objective.0)
        .bind(kr.title.clone())
        .bind(kind.to_string())
        .bind(start)
        .bind(target)
        .bind(current)
        .bind(unit)
        .bind(done)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(KeyResultId(id))
    }
    async fn key_result(&self, id: KeyResultId) -> CoreResult<Option<KeyResult>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "{KEY_RESULT_SELECT} WHERE k.id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(key_result).transpose()
    }
    async fn record_check_in(&self, c: &NewCheckIn) -> CoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query(
            "INSERT INTO check_ins (key_result_id, author_id, at, value, done, confidence, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(c.key_result_id.0)
        .bind(c.author.0)
        .bind(c.at)
        .bind(c.value)
        .bind(i64::from(c.done))
        .bind(c.confidence.as_str().to_string())
        .bind(c.note.clone())
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        sqlx::query(
            "UPDATE key_results SET current_value = COALESCE($1, current_value), \
             done = CASE WHEN kind = 'done' THEN $2 ELSE done END WHERE id = $3",
        )
        .bind(c.value)
        .bind(i64::from(c.done))
        .bind(c.key_result_id.0)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }
    async fn check_ins(&self, objective: ObjectiveId, limit: i64) -> CoreResult<Vec<CheckIn>> {
        let rows = sqlx::query(
            "SELECT ci.key_result_id, ci.author_id, p.name AS author_name, \
             p.preferred_name AS author_preferred, ci.at, ci.value, ci.done, ci.confidence, ci.note \
             FROM check_ins ci JOIN key_results k ON k.id = ci.key_result_id \
             JOIN people p ON p.id = ci.author_id \
             WHERE k.objective_id = $1 ORDER BY ci.at DESC, ci.id DESC LIMIT $2",
        )
        .bind(objective.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let confidence: String = get(r, "confidence")?;
                Ok(CheckIn {
                    key_result_id: KeyResultId(get(r, "key_result_id")?),
                    author: person_name(r, "author_id", "author_name", "author_preferred")?
                        .ok_or_else(|| CoreError::Internal("check-in without author".into()))?,
                    at: get(r, "at")?,
                    value: get(r, "value")?,
                    done: get::<i64>(r, "done")? != 0,
                    confidence: Confidence::parse(&confidence).unwrap_or(Confidence::Unsure),
                    note: get(r, "note")?,
                })
            })
            .collect()
    }
}

pub(crate) const OBJECTIVE_SELECT: &str = "SELECT o.id, o.title, o.description, o.scope, o.team_id, \
    t.name AS team_name, o.owner_id, p.name AS owner_name, p.preferred_name AS owner_preferred, \
    o.parent_id, q.title AS parent_title, o.period_start, o.period_end, o.closed \
    FROM objectives o JOIN people p ON p.id = o.owner_id \
    LEFT JOIN teams t ON t.id = o.team_id LEFT JOIN objectives q ON q.id = o.parent_id";

pub(crate) const KEY_RESULT_SELECT: &str = "SELECT k.id, k.objective_id, k.title, k.kind, k.start_value, \
    k.target_value, k.current_value, k.unit, k.done, \
    (SELECT MAX(ci.at) FROM check_ins ci WHERE ci.key_result_id = k.id) AS last_at, \
    (SELECT ci.confidence FROM check_ins ci WHERE ci.key_result_id = k.id \
     ORDER BY ci.at DESC, ci.id DESC LIMIT 1) AS last_confidence \
    FROM key_results k";

pub(crate) fn key_result(row: &AnyRow) -> CoreResult<KeyResult> {
    let kind: String = get(row, "kind")?;
    let confidence: Option<String> = get(row, "last_confidence")?;
    Ok(KeyResult {
        id: KeyResultId(get(row, "id")?),
        objective_id: ObjectiveId(get(row, "objective_id")?),
        title: get(row, "title")?,
        measure: if kind == "done" {
            Measure::Done {
                done: get::<i64>(row, "done")? != 0,
            }
        } else {
            Measure::Numeric {
                start: get(row, "start_value")?,
                target: get(row, "target_value")?,
                current: get(row, "current_value")?,
                unit: get(row, "unit")?,
            }
        },
        last_check_in_at: get(row, "last_at")?,
        last_confidence: confidence.as_deref().and_then(Confidence::parse),
    })
}

pub(crate) async fn objectives_where(
    store: &SqlStore,
    condition: &str,
    p: Params,
) -> CoreResult<Vec<Objective>> {
    let sql =
        format!("{OBJECTIVE_SELECT} WHERE {condition} ORDER BY o.period_end DESC, o.title, o.id");
    let rows = sqlx::query_with(AssertSqlSafe(sql), p.args)
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    let mut objectives: Vec<Objective> = rows
        .iter()
        .map(|r| {
            let scope: String = get(r, "scope")?;
            let team_id: Option<i64> = get(r, "team_id")?;
            let team_name: Option<String> = get(r, "team_name")?;
            let parent_id: Option<i64> = get(r, "parent_id")?;
            let parent_title: Option<String> = get(r, "parent_title")?;
            Ok(Objective {
                id: ObjectiveId(get(r, "id")?),
                title: get(r, "title")?,
                description: get(r, "description")?,
                scope: Scope::parse(&scope).unwrap_or(Scope::Person),
                team: team_id.map(|t| (TeamId(t), team_name.unwrap_or_default())),
                owner: person_name(r, "owner_id", "owner_name", "owner_preferred")?
                    .ok_or_else(|| CoreError::Internal("objective without owner".into()))?,
                parent: parent_id.map(|p| (ObjectiveId(p), parent_title.unwrap_or_default())),
                period_start: day(r, "period_start")?,
                period_end: day(r, "period_end")?,
                closed: get::<i64>(r, "closed")? != 0,
                key_results: Vec::new(),
            })
        })
        .collect::<CoreResult<_>>()?;
    if objectives.is_empty() {
        return Ok(objectives);
    }
    let ids = format!(
        "[{}]",
        objectives
            .iter()
            .map(|o| o.id.0.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    let filter = json_list(store.backend, "k.objective_id", "$1", true);
    let rows = sqlx::query(AssertSqlSafe(format!(
        "{KEY_RESULT_SELECT} WHERE {filter} ORDER BY k.id"
    )))
    .bind(ids)
    .fetch_all(&store.pool)
    .await
    .map_err(map_err)?;
    let mut index = std::collections::HashMap::new();
    for (i, o) in objectives.iter().enumerate() {
        index.insert(o.id, i);
    }
    for r in &rows {
        let kr = key_result(r)?;
        if let Some(&i) = index.get(&kr.objective_id) {
            objectives[i].key_results.push(kr);
        }
    }
    Ok(objectives)
}

pub(crate) fn measure_values(m: &Measure) -> (&'static str, f64, f64, f64, String, i64) {
    match m {
        Measure::Numeric {
            start,
            target,
            current,
            unit,
        } => ("numeric", *start, *target, *current, unit.clone(), 0),
        Measure::Done { done } => ("done", 0.0, 1.0, 0.0, String::new(), i64::from(*done)),
    }
}
