//! The organisation-wide facts behind every manager's scorecard, each in one statement.

use crate::work::text_day;
use crate::{SqlStore, map_err};
use chrono::NaiveDate;
use std::collections::HashMap;
use trellis_core::error::CoreResult;
use trellis_core::ids::PersonId;
use trellis_core::scorecards::store::{OrgFacts, ScorecardStore};

/// Manager reviews (manager, due, submitted) and follow-through items (owner, agreed due
/// date, completed on, cancelled).
type ReviewFacts = (
    Vec<(PersonId, NaiveDate, Option<i64>)>,
    Vec<(PersonId, NaiveDate, Option<NaiveDate>, bool)>,
);

/// A hand-over: commitment, when, who, the owner before and after (ids as text).
type OwnerChange = (i64, i64, Option<i64>, Option<String>, Option<String>);

impl SqlStore {
    /// Pairs who were in one group of a connection round that was not marked missed,
    /// paired here: a self-join of the members has no index to use.
    async fn met_pairs(&self) -> CoreResult<Vec<(PersonId, PersonId)>> {
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT m.round_id, m.position, m.person_id FROM connect_group_members m \
             JOIN connect_groups g ON g.round_id = m.round_id AND g.position = m.position \
             WHERE COALESCE(g.outcome, 'met') = 'met' ORDER BY m.round_id, m.position",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut out = Vec::new();
        for group in rows.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            for (i, a) in group.iter().enumerate() {
                for b in &group[i + 1..] {
                    out.push((PersonId(a.2), PersonId(b.2)));
                }
            }
        }
        Ok(out)
    }

    /// Manager reviews of cycles launched since `since`, and every follow-through item.
    async fn review_facts(&self, since: i64) -> CoreResult<ReviewFacts> {
        let reviews: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
            "SELECT r.manager_id, COALESCE(r.manager_due_extended, c.manager_review_due), \
             r.manager_submitted_at FROM reviews r JOIN review_cycles c ON c.id = r.cycle_id \
             WHERE r.manager_id IS NOT NULL AND c.launched_at >= $1",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let items: Vec<(i64, String, Option<String>, String)> = sqlx::query_as(
            "SELECT c.owner_id, c.agreed_due_date, c.completed_on, c.status \
             FROM review_follow_through f JOIN commitments c ON c.id = f.commitment_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let day = |t: &str| t.parse::<NaiveDate>().ok();
        Ok((
            reviews
                .into_iter()
                .filter_map(|(m, due, at)| Some((PersonId(m), day(&due)?, at)))
                .collect(),
            items
                .into_iter()
                .filter_map(|(owner, due, done, status)| {
                    Some((
                        PersonId(owner),
                        day(&due)?,
                        done.as_deref().and_then(day),
                        status == "cancelled",
                    ))
                })
                .collect(),
        ))
    }

    async fn ids(&self, sql: &'static str, day: String) -> CoreResult<Vec<PersonId>> {
        let ids: Vec<i64> = sqlx::query_scalar(sql)
            .bind(day)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(ids.into_iter().map(PersonId).collect())
    }

    async fn id_pairs(
        &self,
        sql: &'static str,
        since: Option<i64>,
    ) -> CoreResult<Vec<(PersonId, PersonId)>> {
        let mut query = sqlx::query_as::<_, (i64, i64)>(sql);
        if let Some(since) = since {
            query = query.bind(since);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(a, b)| (PersonId(a), PersonId(b)))
            .collect())
    }

    /// Work that came to someone since `since`: created for them (by its requester, or
    /// themselves) or handed to them (by whoever handed it).
    async fn directed_since(&self, since: i64) -> CoreResult<Vec<(PersonId, PersonId)>> {
        let created: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, owner_id, requester_id FROM commitments WHERE created_at >= $1",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let changes: Vec<OwnerChange> = sqlx::query_as(
            "SELECT h.commitment_id, h.at, h.actor_id, h.before_value, h.after_value \
             FROM commitment_changes h JOIN commitments c ON c.id = h.commitment_id \
             WHERE h.field = 'owner' AND (h.at >= $1 OR c.created_at >= $1) \
             ORDER BY h.commitment_id, h.at, h.id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut first_owner: HashMap<i64, i64> = HashMap::new();
        let mut out = Vec::new();
        for (commitment, at, actor, before, after) in changes {
            if let Some(Ok(b)) = before.map(|b| b.parse::<i64>()) {
                first_owner.entry(commitment).or_insert(b);
            }
            if at >= since
                && let (Some(actor), Some(Ok(to))) = (actor, after.map(|a| a.parse::<i64>()))
            {
                out.push((PersonId(to), PersonId(actor)));
            }
        }
        for (id, owner, requester) in created {
            let to = first_owner.get(&id).copied().unwrap_or(owner);
            out.push((PersonId(to), PersonId(requester.unwrap_or(to))));
        }
        Ok(out)
    }
}

#[async_trait::async_trait]
impl ScorecardStore for SqlStore {
    async fn figures_recorded_on(&self) -> CoreResult<Option<NaiveDate>> {
        // Asked every hour: the newest month is found on the key, then only its rows read.
        let day: Option<String> = sqlx::query_scalar(
            "SELECT MAX(taken_on) FROM scorecard_months \
             WHERE month = (SELECT MAX(month) FROM scorecard_months)",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(day.and_then(|d| d.parse().ok()))
    }
    async fn record_figures(
        &self,
        month: &str,
        on: NaiveDate,
        figures: &[(PersonId, String)],
    ) -> CoreResult<()> {
        let rows: Vec<(i64, &str)> = figures.iter().map(|(p, f)| (p.0, f.as_str())).collect();
        // One statement for every manager: the rows travel as one JSON array.
        let insert = match self.backend {
            crate::Backend::Sqlite => {
                "INSERT INTO scorecard_months (month, manager_id, figures, taken_on) \
                 SELECT $1, json_extract(value, '$[0]'), json_extract(value, '$[1]'), $2 \
                 FROM json_each($3)"
            }
            crate::Backend::Postgres => {
                "INSERT INTO scorecard_months (month, manager_id, figures, taken_on) \
                 SELECT $1, (e->>0)::bigint, e->>1, $2 FROM jsonb_array_elements($3::jsonb) e"
            }
        };
        let mut tx = match self.backend {
            crate::Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            crate::Backend::Postgres => self.pool.begin().await,
        }
        .map_err(map_err)?;
        sqlx::query("DELETE FROM scorecard_months WHERE month = $1")
            .bind(month.to_string())
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        sqlx::query(insert)
            .bind(month.to_string())
            .bind(text_day(on))
            .bind(crate::sql::json(&rows)?)
            .execute(&mut *tx)
            .await
            .map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }
    async fn recorded_figures(
        &self,
        manager: PersonId,
        from_month: &str,
    ) -> CoreResult<Vec<(String, String)>> {
        sqlx::query_as(
            "SELECT month, figures FROM scorecard_months WHERE manager_id = $1 AND month >= $2 \
             ORDER BY month",
        )
        .bind(manager.0)
        .bind(from_month.to_string())
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)
    }
    async fn org_facts(
        &self,
        today: NaiveDate,
        half_year: NaiveDate,
        year: NaiveDate,
        since: i64,
    ) -> CoreResult<OrgFacts> {
        let lines: Vec<(i64, Option<i64>)> =
            sqlx::query_as("SELECT id, manager_id FROM people WHERE status = 'active'")
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        let open_effort: Vec<(i64, f64)> = sqlx::query_as(
            "SELECT owner_id, SUM(effort_hours) FROM commitments WHERE status = 'open' \
             GROUP BY owner_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let year_start = year
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp());
        let (manager_reviews, follow_through) = self.review_facts(year_start).await?;
        Ok(OrgFacts {
            manager_reviews,
            follow_through,
            lines: lines
                .into_iter()
                .map(|(p, m)| (PersonId(p), m.map(PersonId)))
                .collect(),
            plan_reviewed: self
                .ids(
                    "SELECT person_id FROM career_plans WHERE last_reviewed_on >= $1",
                    text_day(half_year),
                )
                .await?,
            mentored: self
                .ids(
                    "SELECT DISTINCT mentee_id FROM mentorships WHERE starts_on <= $1 \
                     AND ends_on >= $1 AND ended_on IS NULL",
                    text_day(today),
                )
                .await?,
            grown: self
                .ids(
                    "SELECT DISTINCT person_id FROM person_history \
                     WHERE field IN ('level', 'skills') AND effective_on >= $1",
                    text_day(year),
                )
                .await?,
            met_pairs: self.met_pairs().await?,
            excluded_pairs: self
                .id_pairs(
                    "SELECT person_id, excluded_id FROM connect_exclusions",
                    None,
                )
                .await?,
            directed: self.directed_since(since).await?,
            due_changes: self
                .id_pairs(
                    "SELECT c.owner_id, h.actor_id FROM commitment_changes h \
                     JOIN commitments c ON c.id = h.commitment_id \
                     WHERE h.field = 'due_date' AND h.at >= $1 AND h.actor_id IS NOT NULL",
                    Some(since),
                )
                .await?,
            open_effort: open_effort
                .into_iter()
                .map(|(p, h)| (PersonId(p), h))
                .collect(),
        })
    }
}
