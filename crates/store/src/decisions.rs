//! The decision log.

use crate::sql::{Columns, day};
use crate::unit::SqlUnit;
use crate::work::text_day;
use crate::{SqlStore, map_err};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use trellis_core::decisions::store::DecisionStore;
use trellis_core::decisions::{Belongs, Decision, DecisionFilter, NewDecision, Outcome, Verdict};
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::{DecisionId, PersonId, PersonName};
use trellis_core::notify::Notification;
use trellis_core::org::display_name;

const SELECT: &str = "SELECT d.id, d.title, d.why, d.alternatives, d.decided_by, d.owner_id, \
     p.name, p.preferred_name, d.team_id, t.name AS team_name, d.objective_id, \
     o.title AS objective_title, d.decided_on, d.revisit_on, d.verdict, d.learned, \
     d.outcome_at, d.created_at FROM decisions d JOIN people p ON p.id = d.owner_id \
     LEFT JOIN teams t ON t.id = d.team_id LEFT JOIN objectives o ON o.id = d.objective_id";

fn belongs(r: &AnyRow, id: &str, name: &str) -> CoreResult<Option<Belongs>> {
    Ok(match r.int_or_null(id)? {
        Some(id) => Some(Belongs {
            id,
            name: r.text_or_null(name)?.unwrap_or_default(),
        }),
        None => None,
    })
}

fn decision(r: &AnyRow) -> CoreResult<Decision> {
    let outcome = match r.text_or_null("verdict")? {
        Some(v) => Some(Outcome {
            verdict: Verdict::parse(&v)
                .ok_or_else(|| CoreError::Internal(format!("unknown verdict {v}")))?,
            learned: r.text("learned")?,
            recorded_at: r.int_or_null("outcome_at")?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Decision {
        id: DecisionId(r.int("id")?),
        title: r.text("title")?,
        why: r.text("why")?,
        alternatives: r.text("alternatives")?,
        decided_by: r.text("decided_by")?,
        owner: PersonName {
            id: PersonId(r.int("owner_id")?),
            name: display_name(
                &r.text("name")?,
                r.text_or_null("preferred_name")?.as_deref(),
            ),
        },
        team: belongs(r, "team_id", "team_name")?,
        objective: belongs(r, "objective_id", "objective_title")?,
        decided_on: day(r, "decided_on")?,
        revisit_on: day(r, "revisit_on")?,
        outcome,
        created_at: r.int("created_at")?,
    })
}

#[async_trait::async_trait]
impl DecisionStore for SqlStore {
    async fn create_decision(&self, d: &NewDecision) -> CoreResult<DecisionId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO decisions (title, why, alternatives, decided_by, owner_id, team_id, \
             objective_id, decided_on, revisit_on, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(d.title.clone())
        .bind(d.why.clone())
        .bind(d.alternatives.clone())
        .bind(d.decided_by.clone())
        .bind(d.owner.0)
        .bind(d.team.map(|t| t.0))
        .bind(d.objective.map(|o| o.0))
        .bind(text_day(d.decided_on))
        .bind(text_day(d.revisit_on))
        .bind(d.created_by.map(|p| p.0))
        .bind(d.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(DecisionId(id))
    }

    async fn decisions(&self, filter: &DecisionFilter) -> CoreResult<Vec<Decision>> {
        let mut conditions = Vec::new();
        let mut values = Vec::new();
        for (column, value) in [
            ("d.id", filter.id.map(|i| i.0)),
            ("d.team_id", filter.team.map(|t| t.0)),
            ("d.objective_id", filter.objective.map(|o| o.0)),
        ] {
            if let Some(value) = value {
                values.push(value);
                conditions.push(format!("{column} = ${}", values.len()));
            }
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        let sql = format!("{SELECT}{filter} ORDER BY d.decided_on DESC, d.id DESC");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in values {
            query = query.bind(v);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(map_err)?;
        rows.iter().map(decision).collect()
    }

    async fn decision(&self, id: DecisionId) -> CoreResult<Option<Decision>> {
        Ok(self
            .decisions(&DecisionFilter {
                id: Some(id),
                ..DecisionFilter::default()
            })
            .await?
            .pop())
    }

    async fn record_outcome(
        &self,
        id: DecisionId,
        verdict: Verdict,
        learned: &str,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()> {
        sqlx::query(
            "UPDATE decisions SET verdict = $1, learned = $2, outcome_by = $3, outcome_at = $4 \
             WHERE id = $5",
        )
        .bind(verdict.as_str())
        .bind(learned.to_string())
        .bind(by.0)
        .bind(at)
        .bind(id.0)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn set_revisit(&self, id: DecisionId, on: NaiveDate) -> CoreResult<()> {
        sqlx::query("UPDATE decisions SET revisit_on = $1, reminded_at = NULL WHERE id = $2")
            .bind(text_day(on))
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn decisions_to_revisit(&self, today: NaiveDate) -> CoreResult<Vec<Decision>> {
        let sql = format!(
            "{SELECT} WHERE d.verdict IS NULL AND d.reminded_at IS NULL AND d.revisit_on <= $1 \
             ORDER BY d.revisit_on, d.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(text_day(today))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(decision).collect()
    }

    async fn mark_revisit_reminded(
        &self,
        id: DecisionId,
        notes: &[Notification],
        at: i64,
    ) -> CoreResult<bool> {
        let mut unit = SqlUnit::begin(self).await?;
        let marked = sqlx::query(
            "UPDATE decisions SET reminded_at = $1 WHERE id = $2 AND reminded_at IS NULL \
             AND verdict IS NULL",
        )
        .bind(at)
        .bind(id.0)
        .execute(&mut *unit.tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        if marked == 1 {
            use trellis_core::unit_of_work::UnitOfWork;
            unit.notify_all(notes).await?;
        }
        unit.tx.commit().await.map_err(map_err)?;
        Ok(marked == 1)
    }
}
