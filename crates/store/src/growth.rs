//! Opportunities, the skills they need, and placements.

use crate::people::date;
use crate::sql::Columns;
use crate::work::{COMMITMENT_SELECT, commitment_any, person_name};
use crate::{SqlStore, map_err};
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use trellis_core::PersonId;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::growth::career::{CareerPlan, GrowthArea, PlanChange, PlanFields};
use trellis_core::growth::opportunities::{
    Candidate, CandidateConsent, NewOpportunity, NewPlacement, Opportunity, OpportunityStatus,
    Placement, PlacementChange, PlacementStatus,
};
use trellis_core::growth::stretch::Requirement;
use trellis_core::growth::wishes::{Direction, NewWish, PlateWish};
use trellis_core::ids::{CommitmentId, OpportunityId, PlacementId};
use trellis_core::ids::{LevelId, WishId};
use trellis_core::org::{SkillLevel, display_name};
use trellis_core::work::Commitment;

pub(crate) use crate::sql::json_list;

pub(crate) fn json_array<T: serde::Serialize>(items: &[T]) -> CoreResult<String> {
    serde_json::to_string(items).map_err(|e| CoreError::Internal(e.to_string()))
}

#[async_trait::async_trait]
impl trellis_core::growth::store::GrowthStore for SqlStore {
    async fn begin_growth_write(
        &self,
    ) -> CoreResult<Box<dyn trellis_core::growth::store::GrowthWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
    async fn plate_wishes(&self, people: &[PersonId]) -> CoreResult<Vec<PlateWish>> {
        let ids: Vec<i64> = people.iter().map(|p| p.0).collect();
        let sql = format!(
            "{WISH_SELECT} WHERE {} ORDER BY person_id, created_at, id",
            json_list(self.backend, "person_id", "$1", true)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(json_array(&ids)?)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(wish_row).collect()
    }
    async fn plate_wish(&self, id: WishId) -> CoreResult<Option<PlateWish>> {
        let row = sqlx::query(AssertSqlSafe(format!("{WISH_SELECT} WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(wish_row).transpose()
    }
    async fn add_plate_wish(&self, w: &NewWish) -> CoreResult<WishId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plate_wishes (person_id, direction, what, commitment_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(w.person.0)
        .bind(w.direction.as_str().to_string())
        .bind(w.what.clone())
        .bind(w.commitment.map(|c| c.0))
        .bind(w.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(WishId(id))
    }
    async fn delete_plate_wish(&self, id: WishId) -> CoreResult<()> {
        sqlx::query("DELETE FROM plate_wishes WHERE id = $1")
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn career_plan(&self, person: PersonId) -> CoreResult<Option<CareerPlan>> {
        let row = sqlx::query(
            "SELECT c.target_role, c.target_level_id, l.code AS level_code, l.name AS level_name, \
             c.strengths, c.growth_areas, c.growth_goals, c.last_reviewed_on, c.updated_at, \
             c.updated_by, \
             u.name AS updater_name, u.preferred_name AS updater_preferred \
             FROM career_plans c LEFT JOIN job_levels l ON l.id = c.target_level_id \
             LEFT JOIN people u ON u.id = c.updated_by WHERE c.person_id = $1",
        )
        .bind(person.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        let Some(r) = row else { return Ok(None) };
        let areas: Vec<GrowthArea> = serde_json::from_str(&r.text("growth_areas")?)
            .map_err(|e| CoreError::Internal(format!("growth areas in the database: {e}")))?;
        let label = match (r.text_or_null("level_code")?, r.text_or_null("level_name")?) {
            (Some(code), Some(name)) => Some(format!("{code} · {name}")),
            _ => None,
        };
        Ok(Some(CareerPlan {
            fields: PlanFields {
                target_role: r.text("target_role")?,
                target_level: r.int_or_null("target_level_id")?.map(LevelId),
                strengths: r.text("strengths")?,
                growth_areas: areas,
                growth_goals: serde_json::from_str(&r.text("growth_goals")?).map_err(|e| {
                    CoreError::Internal(format!("growth goals in the database: {e}"))
                })?,
            },
            target_level_label: label,
            last_reviewed_on: date(r.text_or_null("last_reviewed_on")?),
            updated_at: r.int("updated_at")?,
            updated_by: person_name(&r, "updated_by", "updater_name", "updater_preferred")?,
        }))
    }
    async fn career_history(&self, person: PersonId, limit: i64) -> CoreResult<Vec<PlanChange>> {
        let rows = sqlx::query(
            "SELECT h.at, h.what, h.by_id, p.name AS by_name, p.preferred_name AS by_preferred \
             FROM career_plan_history h LEFT JOIN people p ON p.id = h.by_id \
             WHERE h.person_id = $1 ORDER BY h.at DESC, h.id DESC LIMIT $2",
        )
        .bind(person.0)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(PlanChange {
                    at: r.int("at")?,
                    by: person_name(r, "by_id", "by_name", "by_preferred")?,
                    what: r.text("what")?,
                })
            })
            .collect()
    }
    async fn career_support(&self, person: PersonId) -> CoreResult<Vec<Commitment>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{COMMITMENT_SELECT} JOIN career_support cs ON cs.commitment_id = c.id \
             WHERE cs.person_id = $1 ORDER BY c.due_date, c.id"
        )))
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(commitment_any).collect()
    }
    async fn create_opportunity(&self, o: &NewOpportunity) -> CoreResult<OpportunityId> {
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO opportunities (title, description, poster_id, hours_per_week, weeks, \
             needs_manager_approval, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7) RETURNING id",
        )
        .bind(o.title.clone())
        .bind(o.description.clone())
        .bind(o.poster.0)
        .bind(o.hours_per_week)
        .bind(i64::from(o.weeks))
        .bind(i64::from(o.needs_manager_approval))
        .bind(o.created_at)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_err)?;
        for r in &o.requirements {
            sqlx::query(
                "INSERT INTO opportunity_skills (opportunity_id, skill, level) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(r.skill.clone())
            .bind(i64::from(r.level))
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(OpportunityId(id))
    }
    async fn opportunity(&self, id: OpportunityId) -> CoreResult<Option<Opportunity>> {
        let found = opportunities_where(self, &format!("o.id = {}", id.0), None).await?;
        Ok(found.into_iter().next())
    }
    async fn opportunities(
        &self,
        status: Option<OpportunityStatus>,
    ) -> CoreResult<Vec<Opportunity>> {
        match status {
            Some(s) => opportunities_where(self, "o.status = $1", Some(s.as_str().into())).await,
            None => opportunities_where(self, "1 = 1", None).await,
        }
    }
    async fn candidates_with_skills(&self, skills: &[String]) -> CoreResult<Vec<Candidate>> {
        let sql = format!(
            "SELECT p.id, p.name, p.preferred_name, s.name AS skill, ps.level, ps.wants_to_grow, \
             t.name AS team_name, m.name AS manager_name, m.preferred_name AS manager_preferred \
             FROM people p JOIN person_skills ps ON ps.person_id = p.id \
             JOIN skills s ON s.id = ps.skill_id \
             LEFT JOIN teams t ON t.id = p.team_id LEFT JOIN people m ON m.id = p.manager_id \
             WHERE p.status = 'active' AND p.id IN ( \
               SELECT ps2.person_id FROM person_skills ps2 JOIN skills s2 ON s2.id = ps2.skill_id \
               WHERE {}) \
             ORDER BY p.id, s.name",
            json_list(self.backend, "s2.name", "$1", false)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(json_array(skills)?)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let mut out: Vec<Candidate> = Vec::new();
        for r in &rows {
            let id = PersonId(r.int("id")?);
            if out.last().is_none_or(|c| c.id != id) {
                let name = r.text("name")?;
                let preferred = r.text_or_null("preferred_name")?;
                out.push(Candidate {
                    id,
                    name: display_name(&name, preferred.as_deref()),
                    skills: Vec::new(),
                    team: r.text_or_null("team_name")?,
                    manager: match r.text_or_null("manager_name")? {
                        Some(m) => Some(display_name(
                            &m,
                            r.text_or_null("manager_preferred")?.as_deref(),
                        )),
                        None => None,
                    },
                });
            }
            if let Some(c) = out.last_mut() {
                c.skills.push(SkillLevel {
                    skill: r.text("skill")?.into(),
                    level: r.int("level")?.clamp(1, 5) as u8,
                    wants_to_grow: r.int("wants_to_grow")? != 0,
                });
            }
        }
        Ok(out)
    }
    async fn interested_in(
        &self,
        opportunity: OpportunityId,
    ) -> CoreResult<Vec<trellis_core::ids::PersonName>> {
        let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
            "SELECT p.id, p.name, p.preferred_name FROM opportunity_interest i \
             JOIN people p ON p.id = i.person_id \
             WHERE i.opportunity_id = $1 AND p.status = 'active' ORDER BY i.at, p.id",
        )
        .bind(opportunity.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, preferred)| trellis_core::ids::PersonName {
                id: PersonId(id),
                name: trellis_core::org::display_name(&name, preferred.as_deref()),
            })
            .collect())
    }
    async fn set_interest(
        &self,
        opportunity: OpportunityId,
        person: PersonId,
        interested: bool,
        at: i64,
    ) -> CoreResult<()> {
        let query = if interested {
            sqlx::query(
                "INSERT INTO opportunity_interest (opportunity_id, person_id, at) \
                 VALUES ($1, $2, $3) ON CONFLICT (opportunity_id, person_id) DO NOTHING",
            )
            .bind(opportunity.0)
            .bind(person.0)
            .bind(at)
        } else {
            sqlx::query(
                "DELETE FROM opportunity_interest WHERE opportunity_id = $1 AND person_id = $2",
            )
            .bind(opportunity.0)
            .bind(person.0)
        };
        query.execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }
    async fn placements(&self, opportunity: OpportunityId) -> CoreResult<Vec<Placement>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{PLACEMENT_SELECT} WHERE pl.opportunity_id = $1 ORDER BY pl.proposed_at, pl.id"
        )))
        .bind(opportunity.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(placement_row).collect()
    }
    async fn placement(&self, id: PlacementId) -> CoreResult<Option<Placement>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "{PLACEMENT_SELECT} WHERE pl.id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(placement_row).transpose()
    }
    async fn pending_placements_of(&self, people: &[PersonId]) -> CoreResult<Vec<Placement>> {
        let ids: Vec<i64> = people.iter().map(|p| p.0).collect();
        let sql = format!(
            "{PLACEMENT_SELECT} WHERE pl.status = 'pending' AND {} ORDER BY pl.proposed_at, pl.id",
            json_list(self.backend, "pl.person_id", "$1", true)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(json_array(&ids)?)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(placement_row).collect()
    }
    async fn running_stretch_of(
        &self,
        person: PersonId,
    ) -> CoreResult<Vec<(OpportunityId, String)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT o.id, o.title FROM placements pl JOIN opportunities o ON o.id = pl.opportunity_id \
             JOIN commitments c ON c.id = pl.commitment_id \
             WHERE pl.person_id = $1 AND pl.status = 'approved' AND c.status = 'open' ORDER BY pl.id",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(id, t)| (OpportunityId(id), t))
            .collect())
    }
    async fn skills_of(
        &self,
        people: &[PersonId],
    ) -> CoreResult<std::collections::HashMap<PersonId, Vec<SkillLevel>>> {
        let mut out: std::collections::HashMap<PersonId, Vec<SkillLevel>> = Default::default();
        if people.is_empty() {
            return Ok(out);
        }
        let ids: Vec<i64> = people.iter().map(|p| p.0).collect();
        let sql = format!(
            "SELECT ps.person_id, s.name AS skill, ps.level, ps.wants_to_grow FROM person_skills ps \
             JOIN skills s ON s.id = ps.skill_id WHERE {} ORDER BY ps.person_id, s.name",
            json_list(self.backend, "ps.person_id", "$1", true)
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(json_array(&ids)?)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        for r in &rows {
            out.entry(PersonId(r.int("person_id")?))
                .or_default()
                .push(SkillLevel {
                    skill: r.text("skill")?.into(),
                    level: r.int("level")?.clamp(1, 5) as u8,
                    wants_to_grow: r.int("wants_to_grow")? != 0,
                });
        }
        Ok(out)
    }
}

const OPPORTUNITY_SELECT: &str = "SELECT o.id, o.title, o.description, o.poster_id, \
    p.name AS poster_name, p.preferred_name AS poster_preferred, o.hours_per_week, o.weeks, \
    o.needs_manager_approval, o.status, o.created_at \
    FROM opportunities o JOIN people p ON p.id = o.poster_id";

async fn opportunities_where(
    store: &SqlStore,
    condition: &str,
    bind: Option<String>,
) -> CoreResult<Vec<Opportunity>> {
    let sql =
        format!("{OPPORTUNITY_SELECT} WHERE {condition} ORDER BY o.created_at DESC, o.id DESC");
    let mut q = sqlx::query(AssertSqlSafe(sql));
    if let Some(b) = bind {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&store.pool).await.map_err(map_err)?;
    let mut list: Vec<Opportunity> = rows
        .iter()
        .map(|r| {
            let status: String = r.text("status")?;
            Ok(Opportunity {
                id: OpportunityId(r.int("id")?),
                title: r.text("title")?,
                description: r.text("description")?,
                poster: person_name(r, "poster_id", "poster_name", "poster_preferred")?
                    .ok_or_else(|| CoreError::Internal("opportunity without poster".into()))?,
                hours_per_week: r.real("hours_per_week")?,
                weeks: r.int("weeks")? as u32,
                needs_manager_approval: r.int("needs_manager_approval")? != 0,
                status: OpportunityStatus::parse(&status).unwrap_or(OpportunityStatus::Open),
                requirements: Vec::new(),
                created_at: r.int("created_at")?,
            })
        })
        .collect::<CoreResult<_>>()?;
    if list.is_empty() {
        return Ok(list);
    }
    let ids: Vec<i64> = list.iter().map(|o| o.id.0).collect();
    let sql = format!(
        "SELECT opportunity_id, skill, level FROM opportunity_skills WHERE {} \
         ORDER BY opportunity_id, level DESC, skill",
        json_list(store.backend, "opportunity_id", "$1", true)
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(json_array(&ids)?)
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    for r in &rows {
        let id = OpportunityId(r.int("opportunity_id")?);
        if let Some(o) = list.iter_mut().find(|o| o.id == id) {
            o.requirements.push(Requirement {
                skill: r.text("skill")?,
                level: r.int("level")?.clamp(1, 5) as u8,
            });
        }
    }
    Ok(list)
}

const PLACEMENT_SELECT: &str = "SELECT pl.id, pl.opportunity_id, o.title AS opportunity_title, \
    pl.person_id, pe.name AS person_name, pe.preferred_name AS person_preferred, pl.status, \
    pl.explanation, pl.proposed_by, pb.name AS proposer_name, \
    pb.preferred_name AS proposer_preferred, pl.proposed_at, pl.decided_by, \
    db.name AS decider_name, db.preferred_name AS decider_preferred, pl.decided_at, \
    pl.commitment_id, pl.candidate_consent, pl.manager_approved_at \
    FROM placements pl JOIN opportunities o ON o.id = pl.opportunity_id \
    JOIN people pe ON pe.id = pl.person_id JOIN people pb ON pb.id = pl.proposed_by \
    LEFT JOIN people db ON db.id = pl.decided_by";

fn placement_row(r: &AnyRow) -> CoreResult<Placement> {
    let status: String = r.text("status")?;
    let missing = || CoreError::Internal("placement without its people".into());
    Ok(Placement {
        id: PlacementId(r.int("id")?),
        opportunity_id: OpportunityId(r.int("opportunity_id")?),
        opportunity_title: r.text("opportunity_title")?,
        person: person_name(r, "person_id", "person_name", "person_preferred")?
            .ok_or_else(missing)?,
        status: PlacementStatus::parse(&status).unwrap_or(PlacementStatus::Pending),
        explanation: r.text("explanation")?,
        proposed_by: person_name(r, "proposed_by", "proposer_name", "proposer_preferred")?
            .ok_or_else(missing)?,
        proposed_at: r.int("proposed_at")?,
        decided_by: person_name(r, "decided_by", "decider_name", "decider_preferred")?,
        decided_at: r.int_or_null("decided_at")?,
        commitment_id: r.int_or_null("commitment_id")?.map(CommitmentId),
        candidate_consent: CandidateConsent::parse(&r.text("candidate_consent")?)
            .unwrap_or(CandidateConsent::NotAsked),
        manager_approved_at: r.int_or_null("manager_approved_at")?,
    })
}

/// Growth's steps of a unit of work: placements here, career plans and wishes below.
#[async_trait::async_trait]
impl trellis_core::growth::store::GrowthWrite for crate::unit::SqlUnit {
    async fn create_placement(
        &mut self,
        p: &NewPlacement,
        approved_with: Option<CommitmentId>,
    ) -> CoreResult<PlacementId> {
        let status = if approved_with.is_some() {
            PlacementStatus::Approved
        } else {
            PlacementStatus::Pending
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO placements (opportunity_id, person_id, status, explanation, proposed_by, \
             proposed_at, decided_by, decided_at, commitment_id, candidate_consent) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(p.opportunity.0)
        .bind(p.person.0)
        .bind(status.as_str().to_string())
        .bind(p.explanation.clone())
        .bind(p.proposed_by.0)
        .bind(p.proposed_at)
        .bind(approved_with.map(|_| p.proposed_by.0))
        .bind(approved_with.map(|_| p.proposed_at))
        .bind(approved_with.map(|c| c.0))
        .bind(p.candidate_consent.as_str())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(PlacementId(id))
    }
    async fn fill_opportunity(&mut self, id: OpportunityId) -> CoreResult<()> {
        fill(&mut self.tx, id).await
    }
    async fn record_engagement(
        &mut self,
        new: &trellis_core::growth::talent::NewEngagement,
    ) -> CoreResult<i64> {
        sqlx::query_scalar(
            "INSERT INTO talent_engagements (talent_id, talent_name, opportunity_id, hours, cost, \
             note, engaged_at, engaged_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(new.talent.0)
        .bind(new.talent_name.clone())
        .bind(new.opportunity.0)
        .bind(new.hours)
        .bind(new.cost)
        .bind(new.note.clone())
        .bind(new.at)
        .bind(new.by.map(|p| p.0))
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map_err)
    }
    async fn change_placement(
        &mut self,
        id: PlacementId,
        change: &PlacementChange,
        with: Option<CommitmentId>,
    ) -> CoreResult<()> {
        let changed = sqlx::query(
            "UPDATE placements SET status = $1, candidate_consent = $2, \
             manager_approved_by = COALESCE($3, manager_approved_by), \
             manager_approved_at = COALESCE($4, manager_approved_at), \
             decided_by = $5, decided_at = $6, commitment_id = $7 \
             WHERE id = $8 AND status = 'pending' AND candidate_consent = $9 \
             AND (CASE WHEN manager_approved_at IS NULL THEN 0 ELSE 1 END) = $10",
        )
        .bind(change.status.as_str())
        .bind(change.candidate_consent.as_str())
        .bind(change.manager_approved.map(|(by, _)| by.0))
        .bind(change.manager_approved.map(|(_, at)| at))
        .bind(change.decided.map(|(by, _)| by.0))
        .bind(change.decided.map(|(_, at)| at))
        .bind(with.map(|c| c.0))
        .bind(id.0)
        .bind(change.from.0.as_str())
        .bind(change.from.1 as i64)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        if changed == 0 {
            return Err(CoreError::Conflict(
                "this placement was answered meanwhile; reload to see where it stands".into(),
            ));
        }
        Ok(())
    }
    async fn save_career_plan(
        &mut self,
        person: PersonId,
        fields: &PlanFields,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()> {
        save_career_plan_in(&mut self.tx, person, fields, by, at).await
    }
    async fn mark_career_plan_reviewed(
        &mut self,
        person: PersonId,
        on: chrono::NaiveDate,
    ) -> CoreResult<()> {
        mark_career_plan_reviewed_in(&mut self.tx, person, on).await
    }
    async fn note_plan_history(
        &mut self,
        person: PersonId,
        by: PersonId,
        at: i64,
        what: &str,
    ) -> CoreResult<()> {
        note_history(&mut self.tx, person, by, at, what).await
    }
    async fn link_support(&mut self, commitment: CommitmentId, person: PersonId) -> CoreResult<()> {
        link_support_in(&mut self.tx, commitment, person).await
    }
    async fn resolve_off_wishes(
        &mut self,
        commitment: CommitmentId,
        person: PersonId,
    ) -> CoreResult<()> {
        resolve_off_wishes_in(&mut self.tx, commitment, person).await
    }
}

async fn fill(tx: &mut sqlx::Transaction<'_, sqlx::Any>, id: OpportunityId) -> CoreResult<()> {
    let done =
        sqlx::query("UPDATE opportunities SET status = 'filled' WHERE id = $1 AND status = 'open'")
            .bind(id.0)
            .execute(&mut **tx)
            .await
            .map_err(map_err)?;
    if done.rows_affected() == 0 {
        return Err(CoreError::Conflict(
            "the opportunity was filled or closed meanwhile".into(),
        ));
    }
    Ok(())
}

pub(crate) async fn note_history(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    person: PersonId,
    by: PersonId,
    at: i64,
    what: &str,
) -> CoreResult<()> {
    // The snapshot is the plan as it stands after the change.
    let row = sqlx::query(
        "SELECT target_role, target_level_id, strengths, growth_areas, growth_goals, \
         last_reviewed_on FROM career_plans WHERE person_id = $1",
    )
    .bind(person.0)
    .fetch_optional(&mut **tx)
    .await
    .map_err(map_err)?;
    let snapshot = match row {
        Some(r) => serde_json::json!({
            "target_role": r.text("target_role")?,
            "target_level_id": r.int_or_null("target_level_id")?,
            "strengths": r.text("strengths")?,
            "growth_areas": serde_json::from_str::<serde_json::Value>(&r.text("growth_areas")?)
                .unwrap_or_default(),
            "growth_goals": serde_json::from_str::<serde_json::Value>(&r.text("growth_goals")?)
                .unwrap_or_default(),
            "last_reviewed_on": r.text_or_null("last_reviewed_on")?,
        })
        .to_string(),
        None => String::new(),
    };
    sqlx::query(
        "INSERT INTO career_plan_history (person_id, at, by_id, what, snapshot) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(person.0)
    .bind(at)
    .bind(by.0)
    .bind(what.to_string())
    .bind(snapshot)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn save_career_plan_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    person: PersonId,
    f: &PlanFields,
    by: PersonId,
    at: i64,
) -> CoreResult<()> {
    let areas =
        serde_json::to_string(&f.growth_areas).map_err(|e| CoreError::Internal(e.to_string()))?;
    sqlx::query(
        "INSERT INTO career_plans (person_id, target_role, target_level_id, strengths, \
         growth_areas, growth_goals, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (person_id) DO UPDATE SET target_role = excluded.target_role, \
         target_level_id = excluded.target_level_id, strengths = excluded.strengths, \
         growth_areas = excluded.growth_areas, growth_goals = excluded.growth_goals, \
         updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(person.0)
    .bind(f.target_role.clone())
    .bind(f.target_level.map(|l| l.0))
    .bind(f.strengths.clone())
    .bind(areas)
    .bind(serde_json::to_string(&f.growth_goals).map_err(|e| CoreError::Internal(e.to_string()))?)
    .bind(at)
    .bind(by.0)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn mark_career_plan_reviewed_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    person: PersonId,
    on: chrono::NaiveDate,
) -> CoreResult<()> {
    sqlx::query("UPDATE career_plans SET last_reviewed_on = $1 WHERE person_id = $2")
        .bind(on.format("%Y-%m-%d").to_string())
        .bind(person.0)
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn link_support_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    commitment: CommitmentId,
    person: PersonId,
) -> CoreResult<()> {
    sqlx::query("INSERT INTO career_support (commitment_id, person_id) VALUES ($1, $2)")
        .bind(commitment.0)
        .bind(person.0)
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    Ok(())
}

fn wish_row(r: &AnyRow) -> CoreResult<PlateWish> {
    let direction = r.text("direction")?;
    Ok(PlateWish {
        id: WishId(r.int("id")?),
        person_id: PersonId(r.int("person_id")?),
        direction: Direction::parse(&direction).unwrap_or(Direction::Off),
        what: r.text("what")?,
        commitment_id: r.int_or_null("commitment_id")?.map(CommitmentId),
        created_at: r.int("created_at")?,
    })
}

const WISH_SELECT: &str =
    "SELECT id, person_id, direction, what, commitment_id, created_at FROM plate_wishes";

pub(crate) async fn resolve_off_wishes_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    commitment: CommitmentId,
    person: PersonId,
) -> CoreResult<()> {
    sqlx::query(
        "DELETE FROM plate_wishes WHERE commitment_id = $1 AND person_id = $2 AND direction = 'off'",
    )
    .bind(commitment.0)
    .bind(person.0)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}
