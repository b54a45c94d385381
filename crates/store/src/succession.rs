//! Key roles and their succession plans.

use crate::sql::{Columns, day, json, json_list};
use crate::unit::SqlUnit;
use crate::work::text_day;
use crate::{SqlStore, map_err};
use sqlx::any::AnyRow;
use std::collections::HashMap;
use trellis_core::decisions::Belongs;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::{KeyRoleId, PersonId, PersonName};
use trellis_core::org::{PersonCard, display_name};
use trellis_core::succession::store::SuccessionStore;
use trellis_core::succession::{
    Candidate, Impact, KeyRole, NewCandidate, NewKeyRole, Readiness, RoleChanges,
};

const ROLES: &str = "SELECT k.id, k.title, k.holder_id, h.name AS holder_name, \
     h.preferred_name AS holder_preferred, h.status AS holder_status, t.id AS team_id, \
     t.name AS team_name, k.reports_to_id, m.name AS reports_to_name, \
     m.preferred_name AS reports_to_preferred, k.impact, k.why, k.created_at \
     FROM key_roles k LEFT JOIN people h ON h.id = k.holder_id \
     LEFT JOIN people m ON m.id = k.reports_to_id \
     LEFT JOIN teams t ON t.id = COALESCE(h.team_id, k.team_id)";

fn named(r: &AnyRow, id: &str, name: &str, preferred: &str) -> CoreResult<Option<PersonName>> {
    Ok(match r.int_or_null(id)? {
        Some(id) => Some(PersonName {
            id: PersonId(id),
            name: display_name(
                &r.text_or_null(name)?.unwrap_or_default(),
                r.text_or_null(preferred)?.as_deref(),
            ),
        }),
        None => None,
    })
}

fn role(r: &AnyRow) -> CoreResult<KeyRole> {
    let impact = r.text("impact")?;
    Ok(KeyRole {
        id: KeyRoleId(r.int("id")?),
        title: r.text("title")?,
        holder: named(r, "holder_id", "holder_name", "holder_preferred")?,
        holder_active: r.text_or_null("holder_status")?.as_deref() == Some("active"),
        team: match r.int_or_null("team_id")? {
            Some(id) => Some(Belongs {
                id,
                name: r.text_or_null("team_name")?.unwrap_or_default(),
            }),
            None => None,
        },
        reports_to: named(
            r,
            "reports_to_id",
            "reports_to_name",
            "reports_to_preferred",
        )?,
        impact: Impact::parse(&impact)
            .ok_or_else(|| CoreError::Internal(format!("unknown impact {impact}")))?,
        why: r.text("why")?,
        created_at: r.int("created_at")?,
        candidates: Vec::new(),
    })
}

fn candidate(r: &AnyRow) -> CoreResult<(i64, Candidate)> {
    let readiness = r.text("readiness")?;
    Ok((
        r.int("key_role_id")?,
        Candidate {
            person: PersonName {
                id: PersonId(r.int("person_id")?),
                name: display_name(
                    &r.text("name")?,
                    r.text_or_null("preferred_name")?.as_deref(),
                ),
            },
            active: r.text("status")? == "active",
            rank: r.int("rank")? as u32,
            readiness: Readiness::parse(&readiness)
                .ok_or_else(|| CoreError::Internal(format!("unknown readiness {readiness}")))?,
            condition: r.text("condition")?,
            note: r.text("note")?,
            reviewed_on: day(r, "reviewed_on")?,
        },
    ))
}

impl SqlStore {
    async fn roles_where(&self, filter: &str, id: Option<i64>) -> CoreResult<Vec<KeyRole>> {
        let sql = format!("{ROLES}{filter} ORDER BY k.title, k.id");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(id) = id {
            query = query.bind(id);
        }
        let mut roles: Vec<KeyRole> = query
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?
            .iter()
            .map(role)
            .collect::<CoreResult<_>>()?;
        let at: HashMap<i64, usize> = roles.iter().enumerate().map(|(i, r)| (r.id.0, i)).collect();
        let sql = format!(
            "SELECT c.key_role_id, c.person_id, p.name, p.preferred_name, p.status, c.rank, \
             c.readiness, c.condition, c.note, c.reviewed_on FROM succession_candidates c \
             JOIN people p ON p.id = c.person_id {} ORDER BY c.key_role_id, c.rank",
            if id.is_some() {
                "WHERE c.key_role_id = $1"
            } else {
                ""
            }
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(id) = id {
            query = query.bind(id);
        }
        for r in query.fetch_all(&self.pool).await.map_err(map_err)? {
            let (role, c) = candidate(&r)?;
            if let Some(&i) = at.get(&role) {
                roles[i].candidates.push(c);
            }
        }
        Ok(roles)
    }

    /// Writes the ranks 1, 2, … in `order` inside a transaction.
    async fn write_ranks(
        unit: &mut SqlUnit,
        role: KeyRoleId,
        order: &[PersonId],
    ) -> CoreResult<()> {
        for (i, person) in order.iter().enumerate() {
            sqlx::query(
                "UPDATE succession_candidates SET rank = $1 WHERE key_role_id = $2 \
                 AND person_id = $3",
            )
            .bind(i as i64 + 1)
            .bind(role.0)
            .bind(person.0)
            .execute(&mut *unit.tx)
            .await
            .map_err(map_err)?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl SuccessionStore for SqlStore {
    async fn create_key_role(&self, r: &NewKeyRole) -> CoreResult<KeyRoleId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO key_roles (title, holder_id, team_id, reports_to_id, impact, why, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(r.title.clone())
        .bind(r.holder.map(|p| p.0))
        .bind(r.team.map(|t| t.0))
        .bind(r.reports_to.map(|p| p.0))
        .bind(r.impact.as_str())
        .bind(r.why.clone())
        .bind(r.created_by.map(|p| p.0))
        .bind(r.created_at)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(KeyRoleId(id))
    }

    async fn key_roles(&self) -> CoreResult<Vec<KeyRole>> {
        self.roles_where("", None).await
    }

    async fn key_role(&self, id: KeyRoleId) -> CoreResult<Option<KeyRole>> {
        Ok(self
            .roles_where(" WHERE k.id = $1", Some(id.0))
            .await?
            .pop())
    }

    async fn update_key_role(&self, id: KeyRoleId, c: &RoleChanges) -> CoreResult<()> {
        sqlx::query("UPDATE key_roles SET title = $1, impact = $2, why = $3 WHERE id = $4")
            .bind(c.title.clone())
            .bind(c.impact.as_str())
            .bind(c.why.clone())
            .bind(id.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn delete_key_role(&self, id: KeyRoleId) -> CoreResult<()> {
        let mut unit = SqlUnit::begin(self).await?;
        for sql in [
            "DELETE FROM succession_candidates WHERE key_role_id = $1",
            "DELETE FROM key_roles WHERE id = $1",
        ] {
            sqlx::query(sql)
                .bind(id.0)
                .execute(&mut *unit.tx)
                .await
                .map_err(map_err)?;
        }
        unit.tx.commit().await.map_err(map_err)
    }

    async fn save_candidate(&self, role: KeyRoleId, c: &NewCandidate) -> CoreResult<()> {
        let mut unit = SqlUnit::begin(self).await?;
        let updated = sqlx::query(
            "UPDATE succession_candidates SET readiness = $1, condition = $2, note = $3, \
             reviewed_on = $4 WHERE key_role_id = $5 AND person_id = $6",
        )
        .bind(c.readiness.as_str())
        .bind(c.condition.clone())
        .bind(c.note.clone())
        .bind(text_day(c.reviewed_on))
        .bind(role.0)
        .bind(c.person.0)
        .execute(&mut *unit.tx)
        .await
        .map_err(map_err)?
        .rows_affected();
        if updated == 0 {
            sqlx::query(
                "INSERT INTO succession_candidates (key_role_id, person_id, rank, readiness, \
                 condition, note, reviewed_on, added_by, added_at) \
                 SELECT $1, $2, COALESCE(MAX(rank), 0) + 1, $3, $4, $5, $6, $7, $8 \
                 FROM succession_candidates WHERE key_role_id = $1",
            )
            .bind(role.0)
            .bind(c.person.0)
            .bind(c.readiness.as_str())
            .bind(c.condition.clone())
            .bind(c.note.clone())
            .bind(text_day(c.reviewed_on))
            .bind(c.by.map(|p| p.0))
            .bind(c.at)
            .execute(&mut *unit.tx)
            .await
            .map_err(map_err)?;
        }
        unit.tx.commit().await.map_err(map_err)
    }

    async fn rank_candidates(&self, role: KeyRoleId, order: &[PersonId]) -> CoreResult<()> {
        let mut unit = SqlUnit::begin(self).await?;
        Self::write_ranks(&mut unit, role, order).await?;
        unit.tx.commit().await.map_err(map_err)
    }

    async fn remove_candidate(&self, role: KeyRoleId, person: PersonId) -> CoreResult<()> {
        let mut unit = SqlUnit::begin(self).await?;
        sqlx::query("DELETE FROM succession_candidates WHERE key_role_id = $1 AND person_id = $2")
            .bind(role.0)
            .bind(person.0)
            .execute(&mut *unit.tx)
            .await
            .map_err(map_err)?;
        let rest: Vec<i64> = sqlx::query_scalar(
            "SELECT person_id FROM succession_candidates WHERE key_role_id = $1 ORDER BY rank",
        )
        .bind(role.0)
        .fetch_all(&mut *unit.tx)
        .await
        .map_err(map_err)?;
        let order: Vec<PersonId> = rest.into_iter().map(PersonId).collect();
        Self::write_ranks(&mut unit, role, &order).await?;
        unit.tx.commit().await.map_err(map_err)
    }

    async fn active_cards(&self) -> CoreResult<Vec<PersonCard>> {
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.preferred_name, p.email, p.title, t.name AS team_name, \
             p.location, p.status, 0 AS report_count FROM people p \
             LEFT JOIN teams t ON t.id = p.team_id WHERE p.status = 'active' ORDER BY p.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(crate::people::card).collect()
    }

    async fn people_with_next_step(&self) -> CoreResult<Vec<PersonId>> {
        let ids: Vec<i64> = sqlx::query_scalar(
            "SELECT person_id FROM career_plans WHERE target_role <> '' \
             OR target_level_id IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(ids.into_iter().map(PersonId).collect())
    }

    async fn growth_record(&self, people: &[PersonId]) -> CoreResult<Vec<(PersonId, u32, u32)>> {
        let ids = json(&people.iter().map(|p| p.0).collect::<Vec<_>>())?;
        let mut out: HashMap<i64, (u32, u32)> = HashMap::new();
        let stretch = format!(
            "SELECT pl.person_id, COUNT(*) AS n FROM placements pl \
             JOIN commitments c ON c.id = pl.commitment_id \
             WHERE pl.status = 'approved' AND c.status = 'done' AND {} GROUP BY pl.person_id",
            json_list(self.backend, "pl.person_id", "$1", true)
        );
        let sessions = format!(
            "SELECT a.person_id, COUNT(*) AS n FROM dev_attendance a \
             WHERE a.attended = 1 AND {} GROUP BY a.person_id",
            json_list(self.backend, "a.person_id", "$1", true)
        );
        for (i, sql) in [stretch, sessions].into_iter().enumerate() {
            let rows: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(ids.clone())
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
            for (person, n) in rows {
                let entry = out.entry(person).or_default();
                if i == 0 {
                    entry.0 = n as u32;
                } else {
                    entry.1 = n as u32;
                }
            }
        }
        Ok(out
            .into_iter()
            .map(|(p, (s, d))| (PersonId(p), s, d))
            .collect())
    }
}
