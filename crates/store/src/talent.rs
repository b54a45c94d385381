//! Growth's skills and the talent pool: every skill name Trellis knows, and the outside
//! specialists sourcing can propose.

use crate::growth::{json_array, json_list};
use crate::mentoring::day_text;
use crate::people::date;
use crate::sql::Columns;
use crate::{SqlStore, map_err};
use sqlx::AssertSqlSafe;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::growth::stretch::Requirement;
use trellis_core::growth::talent::{Engagement, NewTalent, Talent};
use trellis_core::ids::{OpportunityId, PersonId, TalentId};

#[async_trait::async_trait]
impl trellis_core::growth::store::TalentStore for SqlStore {
    async fn skill_names(&self) -> CoreResult<Vec<String>> {
        sqlx::query_scalar(
            "SELECT name FROM skills UNION SELECT skill FROM opportunity_skills \
             UNION SELECT skill FROM talent_skills ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)
    }
    async fn talent_pool(&self) -> CoreResult<Vec<Talent>> {
        let rows = sqlx::query(
            "SELECT id, name, email, hourly_rate, hours_per_week, available_from, note, \
             created_by FROM talent_pool ORDER BY name, id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut pool: Vec<Talent> = rows
            .iter()
            .map(|r| {
                Ok(Talent {
                    id: TalentId(r.int("id")?),
                    name: r.text("name")?,
                    email: r.text_or_null("email")?,
                    skills: Vec::new(),
                    hourly_rate: r.real("hourly_rate")?,
                    hours_per_week: r.real("hours_per_week")?,
                    available_from: date(Some(r.text("available_from")?))
                        .ok_or_else(|| CoreError::Internal("talent without a start date".into()))?,
                    note: r.text("note")?,
                    created_by: r.int_or_null("created_by")?.map(PersonId),
                })
            })
            .collect::<CoreResult<_>>()?;
        if pool.is_empty() {
            return Ok(pool);
        }
        let ids: Vec<i64> = pool.iter().map(|t| t.id.0).collect();
        let sql = format!(
            "SELECT talent_id, skill, level FROM talent_skills WHERE {} \
             ORDER BY talent_id, level DESC, skill",
            json_list(self.backend, "talent_id", "$1", true)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(json_array(&ids)?)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let index: std::collections::HashMap<i64, usize> =
            pool.iter().enumerate().map(|(i, t)| (t.id.0, i)).collect();
        for r in &rows {
            if let Some(&i) = index.get(&r.int("talent_id")?) {
                pool[i].skills.push(Requirement {
                    skill: r.text("skill")?,
                    level: r.int("level")?.clamp(1, 5) as u8,
                });
            }
        }
        Ok(pool)
    }
    async fn add_talent(&self, talents: &[NewTalent]) -> CoreResult<Vec<TalentId>> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let mut ids = Vec::with_capacity(talents.len());
        for t in talents {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO talent_pool (name, email, hourly_rate, hours_per_week, available_from, \
                 note, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(t.name.clone())
            .bind(t.email.clone())
            .bind(t.hourly_rate)
            .bind(t.hours_per_week)
            .bind(day_text(t.available_from))
            .bind(t.note.clone())
            .bind(t.created_at)
            .bind(t.created_by.map(|p| p.0))
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
            for s in &t.skills {
                sqlx::query(
                    "INSERT INTO talent_skills (talent_id, skill, level) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(s.skill.clone())
                .bind(i64::from(s.level))
                .execute(&mut *tx)
                .await
                .map_err(map_err)?;
            }
            ids.push(TalentId(id));
        }
        tx.commit().await.map_err(map_err)?;
        Ok(ids)
    }
    async fn remove_talent(&self, id: TalentId) -> CoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        sqlx::query("DELETE FROM talent_skills WHERE talent_id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        let n = sqlx::query("DELETE FROM talent_pool WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?
            .rows_affected();
        tx.commit().await.map_err(map_err)?;
        Ok(n > 0)
    }
    async fn talent_engagements(&self) -> CoreResult<Vec<Engagement>> {
        let rows = sqlx::query(
            "SELECT e.id, e.talent_id, e.talent_name, e.opportunity_id, o.title, e.hours, e.cost, \
             e.note, e.engaged_at, e.engaged_by, b.name AS by_name, \
             b.preferred_name AS by_preferred FROM talent_engagements e \
             JOIN opportunities o ON o.id = e.opportunity_id \
             LEFT JOIN people b ON b.id = e.engaged_by ORDER BY e.engaged_at DESC, e.id DESC",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let r: &dyn Columns = r;
                Ok(Engagement {
                    id: r.int("id")?,
                    talent: r.int_or_null("talent_id")?.map(TalentId),
                    talent_name: r.text("talent_name")?,
                    opportunity: OpportunityId(r.int("opportunity_id")?),
                    opportunity_title: r.text("title")?,
                    hours: r.real("hours")?,
                    cost: r.real("cost")?,
                    note: r.text("note")?,
                    engaged_at: r.int("engaged_at")?,
                    engaged_by: crate::sql::person_or_null(
                        r,
                        "engaged_by",
                        "by_name",
                        "by_preferred",
                    )?,
                })
            })
            .collect()
    }
}
