//! The organisation-wide facts behind every manager's scorecard, each in one statement.

use crate::sql::{Columns, Params, fetch, json_list};
use crate::work::text_day;
use crate::{SqlStore, map_err};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;
use trellis_core::error::CoreResult;
use trellis_core::ids::PersonId;
use trellis_core::scorecards::store::{DashboardMember, OrgFacts, ScorecardStore};

/// Manager reviews (manager, due, submitted) and follow-through items (owner, agreed due
/// date, completed on, cancelled).
type ReviewFacts = (
    Vec<(PersonId, NaiveDate, Option<i64>)>,
    Vec<(PersonId, NaiveDate, Option<NaiveDate>, bool)>,
);

/// A hand-over: commitment, when, who, the owner before and after (ids as text).
type OwnerChange = (i64, i64, Option<i64>, Option<String>, Option<String>);

/// How a row of a read becomes a value.
type Map<T> = fn(&dyn Columns) -> CoreResult<T>;

/// Ids of people, as read by [`SqlStore::person_ids`].
fn person(r: &dyn Columns) -> CoreResult<PersonId> {
    Ok(PersonId(r.int("id")?))
}

/// Pairs of people, as read by [`SqlStore::person_pairs`].
fn person_pair(r: &dyn Columns) -> CoreResult<(PersonId, PersonId)> {
    Ok((PersonId(r.int("a")?), PersonId(r.int("b")?)))
}

impl SqlStore {
    /// One day-bound list of people: `sql` has `{day}` and `{only}` (on `column`).
    async fn person_ids(
        &self,
        sql: &str,
        day: String,
        column: &str,
        people: Option<&[PersonId]>,
    ) -> CoreResult<Vec<PersonId>> {
        let mut p = Params::new();
        let day = p.bind(day)?;
        let only = p.maybe_people(self.backend, column, people)?;
        let sql = sql.replace("{day}", &day).replace("{only}", &only);
        fetch(self, sql, p, person).await
    }

    /// Pairs who were in one group of a connection round that was not marked missed,
    /// paired here: a self-join of the members has no index to use.
    async fn met_pairs(
        &self,
        people: Option<&[PersonId]>,
    ) -> CoreResult<Vec<(PersonId, PersonId)>> {
        let mut p = Params::new();
        let only = p.maybe_people(self.backend, "m.person_id", people)?;
        let sql = format!(
            "SELECT m.round_id AS round, m.position AS position, m.person_id AS id \
             FROM connect_group_members m \
             JOIN connect_groups g ON g.round_id = m.round_id AND g.position = m.position \
             WHERE COALESCE(g.outcome, 'met') = 'met'{only} ORDER BY m.round_id, m.position"
        );
        let map: Map<(i64, i64, i64)> = |r| Ok((r.int("round")?, r.int("position")?, r.int("id")?));
        let rows = fetch(self, sql, p, map).await?;
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
    async fn review_facts(
        &self,
        since: i64,
        people: Option<&[PersonId]>,
    ) -> CoreResult<ReviewFacts> {
        let mut p = Params::new();
        let from = p.bind(since)?;
        let only = p.maybe_people(self.backend, "r.manager_id", people)?;
        let sql = format!(
            "SELECT r.manager_id AS id, COALESCE(r.manager_due_extended, c.manager_review_due) AS due, \
             r.manager_submitted_at AS at FROM reviews r JOIN review_cycles c ON c.id = r.cycle_id \
             WHERE r.manager_id IS NOT NULL AND c.launched_at >= {from}{only}"
        );
        let map: Map<(i64, String, Option<i64>)> =
            |r| Ok((r.int("id")?, r.text("due")?, r.int_or_null("at")?));
        let reviews = fetch(self, sql, p, map).await?;
        let mut p = Params::new();
        let only = p.maybe_people(self.backend, "c.owner_id", people)?;
        let sql = format!(
            "SELECT c.owner_id AS id, c.agreed_due_date AS due, c.completed_on AS done, \
             c.status AS status FROM review_follow_through f \
             JOIN commitments c ON c.id = f.commitment_id WHERE 1 = 1{only}"
        );
        let map: Map<(i64, String, Option<String>, String)> = |r| {
            Ok((
                r.int("id")?,
                r.text("due")?,
                r.text_or_null("done")?,
                r.text("status")?,
            ))
        };
        let items = fetch(self, sql, p, map).await?;
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

    /// The commitments a directing read looks at — every one, or those some people own or
    /// once owned — as a `WITH` prefix, the `FROM` source naming them `c`, the join
    /// condition, and the placeholder of `since`.
    fn touched(
        &self,
        p: &mut Params,
        since: i64,
        people: Option<&[PersonId]>,
    ) -> CoreResult<(String, &'static str, &'static str, String)> {
        let from = p.bind(since)?;
        let Some(ids) = people else {
            return Ok((String::new(), "commitments c", "", from));
        };
        let owners = p.people(self.backend, "owner_id", ids)?;
        let texts: Vec<String> = ids.iter().map(|i| i.0.to_string()).collect();
        let texts = p.bind(crate::sql::json(&texts)?)?;
        let before = json_list(self.backend, "before_value", &texts, false);
        Ok((
            format!(
                "WITH touched AS (SELECT id FROM commitments WHERE {owners} \
                 UNION SELECT commitment_id AS id FROM commitment_changes \
                 WHERE field = 'owner' AND {before}) "
            ),
            "touched t CROSS JOIN commitments c",
            " AND c.id = t.id",
            from,
        ))
    }

    /// Work that came to someone since `since`: created for them (by its requester, or
    /// themselves) or handed to them (by whoever handed it). Narrowed to some people, only
    /// the work they own or once owned is read: whatever came to them is one or the other.
    async fn directed_since(
        &self,
        since: i64,
        people: Option<&[PersonId]>,
    ) -> CoreResult<Vec<(PersonId, PersonId)>> {
        let mut p = Params::new();
        let (with, source, join, from) = self.touched(&mut p, since, people)?;
        let sql = format!(
            "{with}SELECT c.id AS id, c.owner_id AS owner, c.requester_id AS requester \
             FROM {source} WHERE c.created_at >= {from}{join}"
        );
        let map: Map<(i64, i64, Option<i64>)> =
            |r| Ok((r.int("id")?, r.int("owner")?, r.int_or_null("requester")?));
        let created = fetch(self, sql, p, map).await?;
        let mut p = Params::new();
        let (with, source, join, from) = self.touched(&mut p, since, people)?;
        let sql = format!(
            "{with}SELECT h.commitment_id AS id, h.at AS at, h.actor_id AS actor, \
             h.before_value AS before, h.after_value AS after \
             FROM {source} JOIN commitment_changes h ON h.commitment_id = c.id \
             WHERE h.field = 'owner' AND (h.at >= {from} OR c.created_at >= {from}){join} \
             ORDER BY h.commitment_id, h.at, h.id"
        );
        let map: Map<OwnerChange> = |r| {
            Ok((
                r.int("id")?,
                r.int("at")?,
                r.int_or_null("actor")?,
                r.text_or_null("before")?,
                r.text_or_null("after")?,
            ))
        };
        let changes = fetch(self, sql, p, map).await?;
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
        if let Some(ids) = people {
            let wanted: std::collections::HashSet<PersonId> = ids.iter().copied().collect();
            out.retain(|(to, _)| wanted.contains(to));
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
    async fn plan_reviewed_and_mentored(
        &self,
        today: NaiveDate,
        half_year: NaiveDate,
        people: Option<&[PersonId]>,
    ) -> CoreResult<(Vec<PersonId>, Vec<PersonId>)> {
        let reviewed = self.person_ids(
            "SELECT person_id AS id FROM career_plans WHERE last_reviewed_on >= {day}{only}",
            text_day(half_year),
            "person_id",
            people,
        );
        let mentored = self.person_ids(
            "SELECT DISTINCT mentee_id AS id FROM mentorships WHERE starts_on <= {day} \
             AND ends_on >= {day} AND ended_on IS NULL{only}",
            text_day(today),
            "mentee_id",
            people,
        );
        Ok((reviewed.await?, mentored.await?))
    }
    async fn dashboard_members(&self) -> CoreResult<Vec<DashboardMember>> {
        // Teams and levels are few: read apart and joined here, people's rows stay narrow.
        let map: Map<(i64, String)> = |r| Ok((r.int("id")?, r.text("name")?));
        let departments = fetch(
            self,
            "SELECT t.id, COALESCE(pt.name, t.name) AS name FROM teams t \
             LEFT JOIN teams pt ON pt.id = t.parent_id"
                .into(),
            Params::new(),
            map,
        );
        let levels = fetch(
            self,
            "SELECT id, code AS name FROM job_levels".into(),
            Params::new(),
            map,
        );
        let people = fetch(
            self,
            "SELECT id, team_id, level_id, location, manager_id FROM people \
             WHERE status = 'active'"
                .into(),
            Params::new(),
            |r| {
                Ok((
                    PersonId(r.int("id")?),
                    r.int_or_null("team_id")?,
                    r.int_or_null("level_id")?,
                    r.text_or_null("location")?,
                    r.int_or_null("manager_id")?.is_some(),
                ))
            },
        );
        let (departments, levels, people) = futures_util::join!(departments, levels, people);
        let shared = |rows: Vec<(i64, String)>| -> HashMap<i64, Arc<str>> {
            rows.into_iter()
                .map(|(id, name)| (id, name.into()))
                .collect()
        };
        let (departments, levels) = (shared(departments?), shared(levels?));
        Ok(people?
            .into_iter()
            .map(|(id, team, level, location, has_manager)| DashboardMember {
                id,
                department: team.and_then(|t| departments.get(&t).cloned()),
                location,
                level: level.and_then(|l| levels.get(&l).cloned()),
                has_manager,
            })
            .collect())
    }
    async fn figures_taken_on(
        &self,
        month: &str,
        on: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, String)>> {
        let mut p = Params::new();
        let month = p.bind(month.to_string())?;
        let day = p.bind(text_day(on))?;
        let sql = format!(
            "SELECT manager_id, figures FROM scorecard_months \
             WHERE month = {month} AND taken_on = {day}"
        );
        let map: Map<(PersonId, String)> =
            |r| Ok((PersonId(r.int("manager_id")?), r.text("figures")?));
        fetch(self, sql, p, map).await
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
        people: Option<&[PersonId]>,
    ) -> CoreResult<OrgFacts> {
        let mut p = Params::new();
        let only = p.maybe_people(self.backend, "id", people)?;
        let sql = format!("SELECT id, manager_id FROM people WHERE status = 'active'{only}");
        let map: Map<(PersonId, Option<PersonId>)> = |r| {
            Ok((
                PersonId(r.int("id")?),
                r.int_or_null("manager_id")?.map(PersonId),
            ))
        };
        let lines = fetch(self, sql, p, map).await?;
        let mut p = Params::new();
        let only = p.maybe_people(self.backend, "owner_id", people)?;
        let sql = format!(
            "SELECT owner_id, SUM(effort_hours) AS hours FROM commitments \
             WHERE status = 'open'{only} GROUP BY owner_id"
        );
        let map: Map<(PersonId, f64)> = |r| Ok((PersonId(r.int("owner_id")?), r.real("hours")?));
        let open_effort = fetch(self, sql, p, map).await?;
        let year_start = year
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp());
        let (manager_reviews, follow_through) = self.review_facts(year_start, people).await?;
        let mut p = Params::new();
        let from = p.bind(since)?;
        let only = p.maybe_people(self.backend, "c.owner_id", people)?;
        // Narrowed, the few people's work leads; for everyone, the window's changes do.
        let source = if people.is_some() {
            "commitments c CROSS JOIN commitment_changes h"
        } else {
            "commitment_changes h CROSS JOIN commitments c"
        };
        let sql = format!(
            "SELECT c.owner_id AS a, h.actor_id AS b FROM {source} \
             WHERE c.id = h.commitment_id AND h.field = 'due_date' AND h.at >= {from} \
             AND h.actor_id IS NOT NULL{only}"
        );
        let due_changes = fetch(self, sql, p, person_pair).await?;
        let mut p = Params::new();
        let only = p.maybe_people(self.backend, "person_id", people)?;
        let also = p.maybe_people(self.backend, "excluded_id", people)?;
        let sql = format!(
            "SELECT person_id AS a, excluded_id AS b FROM connect_exclusions \
             WHERE 1 = 1{only}{also}"
        );
        let excluded_pairs = fetch(self, sql, p, person_pair).await?;
        let (plan_reviewed, mentored) = self
            .plan_reviewed_and_mentored(today, half_year, people)
            .await?;
        Ok(OrgFacts {
            manager_reviews,
            follow_through,
            lines,
            plan_reviewed,
            mentored,
            grown: self
                .person_ids(
                    "SELECT DISTINCT person_id AS id FROM person_history \
                     WHERE field IN ('level', 'skills') AND effective_on >= {day}{only}",
                    text_day(year),
                    "person_id",
                    people,
                )
                .await?,
            met_pairs: self.met_pairs(people).await?,
            excluded_pairs,
            directed: self.directed_since(since, people).await?,
            due_changes,
            open_effort,
        })
    }
}
