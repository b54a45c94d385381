//! Review cycles, reviews and their follow-through items.

use crate::bulk::{Value, insert_rows};
use crate::mentoring::day_text;
use crate::sql::{Columns, Params, fetch, json, parse, person_or_null};
use crate::unit::SqlUnit;
use crate::{SqlStore, map_err};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::{CommitmentId, PersonId};
use trellis_core::reviews::feedback::FeedbackProgress;
use trellis_core::reviews::store::{
    CompletionGroup, InScope, NewCycle, NewReview, ReviewStore, ReviewWrite,
};
use trellis_core::reviews::{
    Answer, BoxInput, BoxMove, Cycle, CycleId, CycleState, FeedbackSettings, FollowThrough,
    RatingChange, Review, ReviewId, Scope, StepOpenings,
};

/// A cycle's steps column: the feedback step and the days steps open.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct Steps {
    #[serde(default)]
    feedback: FeedbackSettings,
    #[serde(default)]
    opens: StepOpenings,
}

const CYCLE_SELECT: &str = "SELECT id, name, state, scope, questions, self_review_due, \
    manager_review_due, share_on, calibration, steps, created_at, launched_at, calibration_at, \
    shared_at FROM review_cycles";

fn cycle_row(r: &dyn Columns) -> CoreResult<Cycle> {
    let steps: Steps = parse(&r.text("steps")?, "a cycle's steps")?;
    Ok(Cycle {
        id: CycleId(r.int("id")?),
        name: r.text("name")?,
        state: CycleState::parse(&r.text("state")?)
            .ok_or_else(|| CoreError::Internal("unknown cycle state".into()))?,
        scope: parse(&r.text("scope")?, "a cycle's scope")?,
        questions: parse(&r.text("questions")?, "a cycle's questions")?,
        self_review_due: r
            .text_or_null("self_review_due")?
            .and_then(|d| d.parse().ok()),
        manager_review_due: r.day("manager_review_due")?,
        share_on: r.day("share_on")?,
        calibration: parse(&r.text("calibration")?, "a cycle's calibration")?,
        feedback: steps.feedback,
        opens: steps.opens,
        created_at: r.int("created_at")?,
        launched_at: r.int_or_null("launched_at")?,
        calibration_at: r.int_or_null("calibration_at")?,
        shared_at: r.int_or_null("shared_at")?,
    })
}

const REVIEW_SELECT: &str = "SELECT r.id, r.cycle_id, r.reviewee_id, e.name AS reviewee_name, \
    e.preferred_name AS reviewee_preferred, r.manager_id, m.name AS manager_name, \
    m.preferred_name AS manager_preferred, r.team_name, r.level_name, r.self_answers, r.self_submitted_at, \
    r.manager_answers, r.manager_submitted_at, r.self_due_extended, r.manager_due_extended \
    FROM reviews r JOIN people e ON e.id = r.reviewee_id LEFT JOIN people m ON m.id = r.manager_id";

fn review_row(r: &dyn Columns) -> CoreResult<Review> {
    Ok(Review {
        id: ReviewId(r.int("id")?),
        cycle: CycleId(r.int("cycle_id")?),
        reviewee: person_or_null(r, "reviewee_id", "reviewee_name", "reviewee_preferred")?
            .ok_or_else(|| CoreError::Internal("a review without its person".into()))?,
        manager: person_or_null(r, "manager_id", "manager_name", "manager_preferred")?,
        team: r.text_or_null("team_name")?,
        level: r.text_or_null("level_name")?,
        self_answers: parse::<Vec<Answer>>(&r.text("self_answers")?, "self answers")?,
        self_submitted_at: r.int_or_null("self_submitted_at")?,
        manager_answers: parse::<Vec<Answer>>(&r.text("manager_answers")?, "manager answers")?,
        manager_submitted_at: r.int_or_null("manager_submitted_at")?,
        follow_through: Vec::new(),
        self_due_extended: r
            .text_or_null("self_due_extended")?
            .and_then(|d| d.parse().ok()),
        manager_due_extended: r
            .text_or_null("manager_due_extended")?
            .and_then(|d| d.parse().ok()),
        rating_changes: Vec::new(),
        box_moves: Vec::new(),
    })
}

impl SqlStore {
    /// Reviews matching `filter` (on `r`, one bound number), with their follow-through.
    async fn reviews_where(&self, filter: &str, bind: i64) -> CoreResult<Vec<Review>> {
        self.reviews_matching(filter, bind, true).await
    }

    /// `full`: with answers, follow-through and calibration; else the statuses only.
    async fn reviews_matching(
        &self,
        filter: &str,
        bind: i64,
        full: bool,
    ) -> CoreResult<Vec<Review>> {
        let select = if full {
            REVIEW_SELECT.to_string()
        } else {
            REVIEW_SELECT
                .replace("r.self_answers,", "'[]' AS self_answers,")
                .replace("r.manager_answers,", "'[]' AS manager_answers,")
        };
        let sql = format!("{select} WHERE {filter} ORDER BY r.cycle_id DESC, e.name, r.id");
        if !full {
            // Statuses of a whole cycle are many short rows: the direct reader decodes
            // them several times faster than sqlx's generic rows.
            let mut p = Params::new();
            p.bind(bind)?;
            return fetch(self, sql, p, |r| review_row(r)).await;
        }
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(bind)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let mut reviews: Vec<Review> = rows
            .iter()
            .map(|r| review_row(r))
            .collect::<CoreResult<_>>()?;
        if reviews.is_empty() {
            return Ok(reviews);
        }
        let items = sqlx::query(AssertSqlSafe(format!(
            "SELECT f.review_id, f.growth_question, f.commitment_id, c.title, c.due_date, c.status \
             FROM review_follow_through f JOIN commitments c ON c.id = f.commitment_id \
             JOIN reviews r ON r.id = f.review_id WHERE {filter} ORDER BY c.id"
        )))
        .bind(bind)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut by_review: HashMap<i64, Vec<FollowThrough>> = HashMap::new();
        for f in &items {
            by_review
                .entry(f.int("review_id")?)
                .or_default()
                .push(FollowThrough {
                    growth_question: f.int("growth_question")? as usize,
                    commitment: CommitmentId(f.int("commitment_id")?),
                    what: f.text("title")?,
                    due_date: f.day("due_date")?,
                    open: f.text("status")? == "open",
                });
        }
        for r in &mut reviews {
            r.follow_through = by_review.remove(&r.id.0).unwrap_or_default();
        }
        self.load_calibration(&mut reviews, filter, bind).await?;
        Ok(reviews)
    }

    /// Calibration's rating changes and 9-box moves of the reviews matching `filter`.
    async fn load_calibration(
        &self,
        reviews: &mut [Review],
        filter: &str,
        bind: i64,
    ) -> CoreResult<()> {
        let changes = sqlx::query(AssertSqlSafe(format!(
            "SELECT x.review_id, x.question, x.from_rating, x.to_rating, x.reason, x.changed_at, \
             x.changed_by, b.name AS by_name, b.preferred_name AS by_preferred \
             FROM review_rating_changes x JOIN reviews r ON r.id = x.review_id \
             LEFT JOIN people b ON b.id = x.changed_by WHERE {filter} ORDER BY x.id"
        )))
        .bind(bind)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let moves = sqlx::query(AssertSqlSafe(format!(
            "SELECT x.review_id, x.performance, x.potential, x.reason, x.moved_at, \
             x.moved_by, b.name AS by_name, b.preferred_name AS by_preferred \
             FROM review_box_moves x JOIN reviews r ON r.id = x.review_id \
             LEFT JOIN people b ON b.id = x.moved_by WHERE {filter} ORDER BY x.id"
        )))
        .bind(bind)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        if changes.is_empty() && moves.is_empty() {
            return Ok(());
        }
        let place: HashMap<i64, usize> = reviews
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.0, i))
            .collect();
        for c in &changes {
            if let Some(&i) = place.get(&c.int("review_id")?) {
                reviews[i].rating_changes.push(RatingChange {
                    question: c.int("question")? as usize,
                    from: c.int_or_null("from_rating")?.map(|r| r as u8),
                    to: c.int("to_rating")? as u8,
                    reason: c.text("reason")?,
                    by: person_or_null(c, "changed_by", "by_name", "by_preferred")?,
                    at: c.int("changed_at")?,
                });
            }
        }
        for m in &moves {
            if let Some(&i) = place.get(&m.int("review_id")?) {
                reviews[i].box_moves.push(BoxMove {
                    performance: m.int("performance")? as u8,
                    potential: m.int("potential")? as u8,
                    reason: m.text("reason")?,
                    by: person_or_null(m, "moved_by", "by_name", "by_preferred")?,
                    at: m.int("moved_at")?,
                });
            }
        }
        Ok(())
    }
}

fn cycle_fields<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    c: &NewCycle,
) -> CoreResult<sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>> {
    Ok(q.bind(c.name.clone())
        .bind(json(&c.scope)?)
        .bind(json(&c.questions)?)
        .bind(c.self_review_due.map(day_text))
        .bind(day_text(c.manager_review_due))
        .bind(day_text(c.share_on))
        .bind(json(&c.calibration)?)
        .bind(json(&Steps {
            feedback: c.feedback.clone(),
            opens: c.opens.clone(),
        })?))
}

#[async_trait::async_trait]
impl ReviewWrite for SqlUnit {
    async fn create_cycle(&mut self, new: &NewCycle) -> CoreResult<CycleId> {
        let q = sqlx::query(
            "INSERT INTO review_cycles (name, scope, questions, self_review_due, \
             manager_review_due, share_on, calibration, steps, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10) RETURNING id",
        );
        let row = cycle_fields(q, new)?
            .bind(new.created_by.0)
            .bind(new.created_at)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(CycleId(row.int("id")?))
    }
    async fn update_cycle(&mut self, id: CycleId, new: &NewCycle) -> CoreResult<bool> {
        let q = sqlx::query(
            "UPDATE review_cycles SET name = $1, scope = $2, questions = $3, self_review_due = $4, \
             manager_review_due = $5, share_on = $6, calibration = $7, steps = $8 \
             WHERE id = $9 AND state = 'draft'",
        );
        let r = cycle_fields(q, new)?
            .bind(id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn set_cycle_state(
        &mut self,
        id: CycleId,
        from: CycleState,
        to: CycleState,
        at: i64,
    ) -> CoreResult<bool> {
        let column = match to {
            CycleState::Launched => "launched_at",
            CycleState::Calibration => "calibration_at",
            CycleState::Shared => "shared_at",
            CycleState::Closed => "closed_at",
            CycleState::Draft => "created_at",
        };
        let r = sqlx::query(AssertSqlSafe(format!(
            "UPDATE review_cycles SET state = $1, {column} = $2 WHERE id = $3 AND state = $4"
        )))
        .bind(to.as_str())
        .bind(at)
        .bind(id.0)
        .bind(from.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn create_reviews(
        &mut self,
        cycle: CycleId,
        reviews: &[NewReview],
    ) -> CoreResult<Vec<(PersonId, ReviewId)>> {
        let rows: Vec<Vec<Value>> = reviews
            .iter()
            .map(|r| {
                vec![
                    Value::Int(Some(cycle.0)),
                    Value::Int(Some(r.reviewee.0)),
                    Value::Int(r.manager.map(|m| m.0)),
                    Value::Text(r.team.clone()),
                    Value::Text(r.level.clone()),
                ]
            })
            .collect();
        insert_rows(
            &mut self.tx,
            self.backend,
            "reviews",
            &[
                "cycle_id",
                "reviewee_id",
                "manager_id",
                "team_name",
                "level_name",
            ],
            &rows,
        )
        .await?;
        let rows = sqlx::query("SELECT id, reviewee_id FROM reviews WHERE cycle_id = $1")
            .bind(cycle.0)
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((PersonId(r.int("reviewee_id")?), ReviewId(r.int("id")?))))
            .collect()
    }
    async fn set_cycle_openings(&mut self, id: CycleId, opens: &StepOpenings) -> CoreResult<()> {
        let row = sqlx::query("SELECT steps FROM review_cycles WHERE id = $1")
            .bind(id.0)
            .fetch_one(&mut *self.tx)
            .await
            .map_err(map_err)?;
        let mut steps: Steps = parse(&row.text("steps")?, "a cycle's steps")?;
        steps.opens = opens.clone();
        sqlx::query("UPDATE review_cycles SET steps = $1 WHERE id = $2")
            .bind(json(&steps)?)
            .bind(id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        sqlx::query(
            "UPDATE assessments SET opens_on = $1 \
             WHERE cycle_id = $2",
        )
        .bind(opens.feedback.map(day_text))
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn save_self_review(
        &mut self,
        id: ReviewId,
        answers: &[Answer],
        submitted: Option<i64>,
    ) -> CoreResult<()> {
        sqlx::query("UPDATE reviews SET self_answers = $1, self_submitted_at = $2 WHERE id = $3")
            .bind(json(&answers)?)
            .bind(submitted)
            .bind(id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn save_manager_review(
        &mut self,
        id: ReviewId,
        answers: &[Answer],
        submitted: Option<i64>,
    ) -> CoreResult<()> {
        sqlx::query(
            "UPDATE reviews SET manager_answers = $1, manager_submitted_at = $2 WHERE id = $3",
        )
        .bind(json(&answers)?)
        .bind(submitted)
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn add_follow_through(
        &mut self,
        review: ReviewId,
        growth_question: usize,
        commitment: CommitmentId,
        about: PersonId,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO review_follow_through (commitment_id, review_id, growth_question, about_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(commitment.0)
        .bind(review.0)
        .bind(growth_question as i64)
        .bind(about.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn mark_review_reminded(
        &mut self,
        id: ReviewId,
        step: &str,
        kind: &str,
        at: i64,
    ) -> CoreResult<bool> {
        let r = sqlx::query(
            "INSERT INTO review_reminders (review_id, step, kind, sent_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id.0)
        .bind(step.to_string())
        .bind(kind.to_string())
        .bind(at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn extend_feedback(&mut self, id: ReviewId, until: chrono::NaiveDate) -> CoreResult<()> {
        sqlx::query(
            "DELETE FROM assessment_reminders \
             WHERE assessment_id IN (SELECT id FROM assessments WHERE review_id = $1)",
        )
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        sqlx::query("UPDATE assessments SET due_on = $1 WHERE review_id = $2")
            .bind(day_text(until))
            .bind(id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn extend_review(
        &mut self,
        id: ReviewId,
        step: &str,
        until: chrono::NaiveDate,
    ) -> CoreResult<()> {
        let column = if step == "self" {
            "self_due_extended"
        } else {
            "manager_due_extended"
        };
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE reviews SET {column} = $1 WHERE id = $2"
        )))
        .bind(day_text(until))
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        // A new deadline: its reminders may come again.
        sqlx::query("DELETE FROM review_reminders WHERE review_id = $1 AND step = $2")
            .bind(id.0)
            .bind(step.to_string())
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn record_rating_change(
        &mut self,
        review: ReviewId,
        change: &RatingChange,
        by: PersonId,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO review_rating_changes (review_id, question, from_rating, to_rating, \
             reason, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(review.0)
        .bind(change.question as i64)
        .bind(change.from.map(i64::from))
        .bind(i64::from(change.to))
        .bind(change.reason.clone())
        .bind(by.0)
        .bind(change.at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn record_box_move(
        &mut self,
        review: ReviewId,
        moved: &BoxMove,
        by: PersonId,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO review_box_moves (review_id, performance, potential, reason, moved_by, \
             moved_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(review.0)
        .bind(i64::from(moved.performance))
        .bind(i64::from(moved.potential))
        .bind(moved.reason.clone())
        .bind(by.0)
        .bind(moved.at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn reveal_follow_through(&mut self, cycle: CycleId) -> CoreResult<()> {
        sqlx::query(
            "UPDATE review_follow_through SET about_id = (SELECT r.reviewee_id FROM reviews r \
             WHERE r.id = review_follow_through.review_id) \
             WHERE review_id IN (SELECT id FROM reviews WHERE cycle_id = $1)",
        )
        .bind(cycle.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ReviewStore for SqlStore {
    async fn begin_review_write(&self) -> CoreResult<Box<dyn ReviewWrite + '_>> {
        Ok(SqlUnit::begin(self).await?)
    }
    async fn cycles(&self) -> CoreResult<Vec<Cycle>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{CYCLE_SELECT} ORDER BY created_at DESC, id DESC"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| cycle_row(r)).collect()
    }
    async fn cycle(&self, id: CycleId) -> CoreResult<Option<Cycle>> {
        let row = sqlx::query(AssertSqlSafe(format!("{CYCLE_SELECT} WHERE id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.map(|r| cycle_row(&r)).transpose()
    }
    async fn review(&self, id: ReviewId) -> CoreResult<Option<Review>> {
        Ok(self.reviews_where("r.id = $1", id.0).await?.pop())
    }
    async fn reviews_of_cycle(&self, cycle: CycleId) -> CoreResult<Vec<Review>> {
        self.reviews_where("r.cycle_id = $1", cycle.0).await
    }
    async fn box_inputs(&self, cycle: CycleId) -> CoreResult<Vec<BoxInput>> {
        let mut p = Params::new();
        let cycle = p.bind(cycle.0)?;
        let sql = format!(
            // Each review's last move found once for the cycle, not by a lookup per review.
            "SELECT r.reviewee_id, r.manager_answers, m.performance, m.potential FROM reviews r \
             LEFT JOIN (SELECT x.review_id, MAX(x.id) AS id FROM review_box_moves x \
             JOIN reviews y ON y.id = x.review_id WHERE y.cycle_id = {cycle} \
             GROUP BY x.review_id) last ON last.review_id = r.id \
             LEFT JOIN review_box_moves m ON m.id = last.id \
             WHERE r.cycle_id = {cycle} AND (r.manager_answers <> '[]' OR last.id IS NOT NULL)"
        );
        fetch(self, sql, p, |r| {
            let performance = r.int_or_null("performance")?;
            let potential = r.int_or_null("potential")?;
            Ok(BoxInput {
                reviewee: PersonId(r.int("reviewee_id")?),
                manager_answers: parse(&r.text("manager_answers")?, "a review's answers")?,
                last_move: performance.zip(potential).map(|(a, b)| (a as u8, b as u8)),
            })
        })
        .await
    }
    async fn review_statuses(&self, cycle: CycleId) -> CoreResult<Vec<Review>> {
        self.reviews_matching("r.cycle_id = $1", cycle.0, false)
            .await
    }
    async fn completion_groups(&self, cycle: CycleId) -> CoreResult<Vec<CompletionGroup>> {
        let rows = sqlx::query(
            "SELECT r.manager_id, m.name AS manager_name, m.preferred_name AS manager_preferred, \
             r.team_name, COUNT(*) AS total, COUNT(r.self_submitted_at) AS self_done, \
             COUNT(r.manager_submitted_at) AS manager_done \
             FROM reviews r LEFT JOIN people m ON m.id = r.manager_id WHERE r.cycle_id = $1 \
             GROUP BY r.manager_id, m.name, m.preferred_name, r.team_name",
        )
        .bind(cycle.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(CompletionGroup {
                    manager: person_or_null(r, "manager_id", "manager_name", "manager_preferred")?
                        .map(|m| m.name),
                    team: r.text_or_null("team_name")?,
                    total: r.int("total")? as usize,
                    self_done: r.int("self_done")? as usize,
                    manager_done: r.int("manager_done")? as usize,
                })
            })
            .collect()
    }
    async fn reviews_among(&self, cycle: CycleId, ids: &[ReviewId]) -> CoreResult<Vec<Review>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<String> = ids.iter().map(|i| i.0.to_string()).collect();
        self.reviews_where(
            &format!("r.cycle_id = $1 AND r.id IN ({})", ids.join(", ")),
            cycle.0,
        )
        .await
    }
    async fn reviews_involving(&self, person: PersonId) -> CoreResult<Vec<Review>> {
        self.reviews_where("(r.reviewee_id = $1 OR r.manager_id = $1)", person.0)
            .await
    }
    async fn feedback_progress(&self, cycle: CycleId) -> CoreResult<FeedbackProgress> {
        // Each 360 of the cycle with its raters counted, then summed per kind: two rows.
        let rows = sqlx::query(
            "SELECT feedback_kind, CAST(SUM(asked) AS BIGINT) AS asked, \
             CAST(SUM(answered) AS BIGINT) AS answered, \
             CAST(SUM(proposed) AS BIGINT) AS proposed, \
             CAST(SUM(CASE WHEN asked + proposed < k THEN 1 ELSE 0 END) AS BIGINT) AS short \
             FROM (SELECT a.feedback_kind, a.k, \
               SUM(CASE WHEN r.status = 'asked' THEN 1 ELSE 0 END) AS asked, \
               SUM(CASE WHEN r.status = 'asked' AND r.answered <> 0 THEN 1 ELSE 0 END) AS answered, \
               SUM(CASE WHEN r.status = 'proposed' THEN 1 ELSE 0 END) AS proposed \
               FROM assessments a LEFT JOIN assessment_raters r ON r.assessment_id = a.id \
               WHERE a.cycle_id = $1 GROUP BY a.id, a.feedback_kind, a.k) per_assessment \
             GROUP BY feedback_kind",
        )
        .bind(cycle.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut p = FeedbackProgress::default();
        for r in &rows {
            let count =
                |c: &str| -> CoreResult<usize> { Ok(r.int_or_null(c)?.unwrap_or(0) as usize) };
            if r.text("feedback_kind")? == "peer" {
                p.peers_asked = count("asked")?;
                p.peers_answered = count("answered")?;
                p.proposals_waiting = count("proposed")?;
                p.short_of_peers = count("short")?;
            } else {
                p.upward_asked = count("asked")?;
                p.upward_answered = count("answered")?;
            }
        }
        Ok(p)
    }
    async fn people_in_scope(&self, scope: &Scope) -> CoreResult<Vec<InScope>> {
        let base = "SELECT p.id, p.manager_id, t.name AS team_name, l.name AS level_name \
            FROM people p LEFT JOIN teams t ON t.id = p.team_id \
            LEFT JOIN job_levels l ON l.id = p.level_id WHERE p.status = 'active'";
        let rows = match scope {
            Scope::Everyone => {
                sqlx::query(AssertSqlSafe(format!("{base} ORDER BY p.id")))
                    .fetch_all(&self.pool)
                    .await
            }
            Scope::Team { team_id } => {
                sqlx::query(AssertSqlSafe(format!(
                    "WITH RECURSIVE tree(id) AS (SELECT id FROM teams WHERE id = $1 \
                 UNION ALL SELECT t.id FROM teams t JOIN tree ON t.parent_id = tree.id) \
                 {base} AND p.team_id IN (SELECT id FROM tree) ORDER BY p.id"
                )))
                .bind(team_id.0)
                .fetch_all(&self.pool)
                .await
            }
            Scope::Group { group_id } => {
                sqlx::query(AssertSqlSafe(format!(
                    "{base} AND p.id IN (SELECT person_id FROM person_group_members \
                     WHERE group_id = $1) ORDER BY p.id"
                )))
                .bind(*group_id)
                .fetch_all(&self.pool)
                .await
            }
            Scope::People { people } => {
                let ids: Vec<String> = people.iter().map(|p| p.0.to_string()).collect();
                sqlx::query(AssertSqlSafe(format!(
                    "{base} AND p.id IN ({}) ORDER BY p.id",
                    ids.join(", ")
                )))
                .fetch_all(&self.pool)
                .await
            }
        }
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(InScope {
                    person: PersonId(r.int("id")?),
                    manager: r.int_or_null("manager_id")?.map(PersonId),
                    team: r.text_or_null("team_name")?,
                    level: r.text_or_null("level_name")?,
                })
            })
            .collect()
    }
}
