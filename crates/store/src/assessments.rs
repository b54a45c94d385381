//! 360 assessments: raters apart from answers, anonymous answers by pseudonym only.

use crate::bulk::{Value, insert_rows};
use crate::mentoring::day_text;
use crate::sql::{Columns, json, parse, person_or_null};
use crate::unit::SqlUnit;
use crate::{SqlStore, map_err};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;
use trellis_core::anonymity::AnswerSet;
use trellis_core::assessments::store::{
    AssessmentStore, AssessmentWrite, NewAssessment, StoredAnswer,
};
use trellis_core::assessments::{
    Assessment, AssessmentId, AssessmentState, FeedbackKind, InCycle, Rater, RaterGroup,
    RaterStatus,
};
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::PersonId;

fn group(text: &str) -> CoreResult<RaterGroup> {
    RaterGroup::parse(text).ok_or_else(|| CoreError::Internal("unknown rater group".into()))
}

const SELECT: &str = "SELECT a.id, a.subject_id, s.name AS subject_name, \
    s.preferred_name AS subject_preferred, a.behaviours, a.k, a.due_on, a.state, a.created_at, \
    a.shared_at, a.in_cycle, a.opens_on FROM assessments a JOIN people s ON s.id = a.subject_id";

fn assessment_row(r: &dyn Columns) -> CoreResult<Assessment> {
    Ok(Assessment {
        id: AssessmentId(r.int("id")?),
        subject: person_or_null(r, "subject_id", "subject_name", "subject_preferred")?
            .ok_or_else(|| CoreError::Internal("an assessment without its subject".into()))?,
        behaviours: parse(&r.text("behaviours")?, "an assessment's behaviours")?,
        k: r.int("k")? as u32,
        due_on: r.day("due_on")?,
        state: if r.text("state")? == "shared" {
            AssessmentState::Shared
        } else {
            AssessmentState::Open
        },
        created_at: r.int("created_at")?,
        shared_at: r.int_or_null("shared_at")?,
        raters: Vec::new(),
        in_cycle: match r.text_or_null("in_cycle")? {
            Some(text) => {
                let mut c: InCycle = parse(&text, "a 360's cycle")?;
                // The column is the truth: an admin may open the step early.
                c.opens_on = r.text_or_null("opens_on")?.and_then(|d| d.parse().ok());
                Some(c)
            }
            None => None,
        },
    })
}

impl SqlStore {
    async fn assessments_where(&self, filter: &str, bind: i64) -> CoreResult<Vec<Assessment>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{SELECT} WHERE {filter} ORDER BY a.id DESC"
        )))
        .bind(bind)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut out: Vec<Assessment> = rows
            .iter()
            .map(|r| assessment_row(r))
            .collect::<CoreResult<_>>()?;
        if out.is_empty() {
            return Ok(out);
        }
        // The same filter as a subquery, not a list of ids: with tens of thousands of ids
        // SQLite's planner walks people by name and scans every rater for each of them.
        let raters = sqlx::query(AssertSqlSafe(format!(
            "SELECT r.assessment_id, r.rater_id, p.name, p.preferred_name, r.rater_group, \
             r.answered, r.status FROM assessment_raters r JOIN people p ON p.id = r.rater_id \
             WHERE r.assessment_id IN (SELECT a.id FROM assessments a WHERE {filter}) \
             ORDER BY p.name, p.id"
        )))
        .bind(bind)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut by: HashMap<i64, Vec<Rater>> = HashMap::new();
        for r in &raters {
            by.entry(r.int("assessment_id")?).or_default().push(Rater {
                person: person_or_null(r, "rater_id", "name", "preferred_name")?
                    .ok_or_else(|| CoreError::Internal("a rater without a person".into()))?,
                group: group(&r.text("rater_group")?)?,
                answered: r.int("answered")? != 0,
                status: match r.text("status")?.as_str() {
                    "proposed" => RaterStatus::Proposed,
                    "declined" => RaterStatus::Declined,
                    _ => RaterStatus::Asked,
                },
            });
        }
        for a in &mut out {
            a.raters = by.remove(&a.id.0).unwrap_or_default();
        }
        Ok(out)
    }
}

/// A cycle 360's kind as its column keeps it.
pub(crate) fn kind_text(kind: FeedbackKind) -> &'static str {
    match kind {
        FeedbackKind::Peer => "peer",
        FeedbackKind::Upward => "upward",
    }
}

fn pseudonym_text(p: u64) -> String {
    format!("{p:016x}")
}

#[async_trait::async_trait]
impl AssessmentWrite for SqlUnit {
    async fn create_assessment(&mut self, new: &NewAssessment) -> CoreResult<AssessmentId> {
        if new.in_cycle.is_some() {
            return Err(CoreError::Internal(
                "a review cycle's 360s are written with the cycle".into(),
            ));
        }
        let row = sqlx::query(
            "INSERT INTO assessments (subject_id, behaviours, k, due_on, state, created_by, \
             created_at) VALUES ($1, $2, $3, $4, 'open', $5, $6) RETURNING id",
        )
        .bind(new.subject.0)
        .bind(json(&new.behaviours)?)
        .bind(i64::from(new.k))
        .bind(new.due_on.to_string())
        .bind(new.created_by.map(|p| p.0))
        .bind(new.created_at)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map_err)?;
        let id = row.int("id")?;
        for (rater, g) in &new.raters {
            sqlx::query(
                "INSERT INTO assessment_raters (assessment_id, rater_id, rater_group) \
                 VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(rater.0)
            .bind(g.as_str())
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        }
        Ok(AssessmentId(id))
    }
    async fn create_cycle_feedback(&mut self, new: &[NewAssessment]) -> CoreResult<()> {
        if new.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(new.len());
        for a in new {
            let c = a
                .in_cycle
                .as_ref()
                .ok_or_else(|| CoreError::Internal("a cycle's 360 without its cycle".into()))?;
            rows.push(vec![
                Value::Int(Some(a.subject.0)),
                Value::Text(Some(json(&a.behaviours)?)),
                Value::Int(Some(i64::from(a.k))),
                Value::Text(Some(day_text(a.due_on))),
                Value::Text(Some("open".into())),
                Value::Int(a.created_by.map(|p| p.0)),
                Value::Int(Some(a.created_at)),
                Value::Int(Some(c.review.0)),
                Value::Int(Some(c.cycle.0)),
                Value::Text(Some(json(c)?)),
                Value::Text(Some(kind_text(c.kind).into())),
                Value::Text(c.opens_on.map(day_text)),
            ]);
        }
        insert_rows(
            &mut self.tx,
            self.backend,
            "assessments",
            &[
                "subject_id",
                "behaviours",
                "k",
                "due_on",
                "state",
                "created_by",
                "created_at",
                "review_id",
                "cycle_id",
                "in_cycle",
                "feedback_kind",
                "opens_on",
            ],
            &rows,
        )
        .await?;
        // Their ids, by review and kind, to write the raters.
        let reviews: Vec<String> = new
            .iter()
            .filter_map(|a| a.in_cycle.as_ref().map(|c| c.review.0.to_string()))
            .collect();
        let mut ids: HashMap<(i64, String), i64> = HashMap::new();
        for chunk in reviews.chunks(5000) {
            let found = sqlx::query(AssertSqlSafe(format!(
                "SELECT id, review_id, feedback_kind FROM assessments WHERE review_id IN ({})",
                chunk.join(", ")
            )))
            .fetch_all(&mut *self.tx)
            .await
            .map_err(map_err)?;
            for r in &found {
                ids.insert(
                    (r.int("review_id")?, r.text("feedback_kind")?),
                    r.int("id")?,
                );
            }
        }
        let mut raters = Vec::new();
        for a in new {
            let Some(c) = &a.in_cycle else { continue };
            let id = ids
                .get(&(c.review.0, kind_text(c.kind).to_string()))
                .copied()
                .ok_or_else(|| CoreError::Internal("a cycle's 360 was not written".into()))?;
            for (rater, g) in &a.raters {
                raters.push(vec![
                    Value::Int(Some(id)),
                    Value::Int(Some(rater.0)),
                    Value::Text(Some(g.as_str().into())),
                ]);
            }
        }
        insert_rows(
            &mut self.tx,
            self.backend,
            "assessment_raters",
            &["assessment_id", "rater_id", "rater_group"],
            &raters,
        )
        .await
    }
    async fn save_answer(&mut self, id: AssessmentId, a: &StoredAnswer) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO assessment_answers (assessment_id, rater_group, pseudonym, rater_id, \
             ratings, comments) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (assessment_id, pseudonym) DO UPDATE SET ratings = excluded.ratings, \
             comments = excluded.comments",
        )
        .bind(id.0)
        .bind(a.group.as_str())
        .bind(pseudonym_text(a.pseudonym))
        .bind(a.rater.map(|r| r.0))
        .bind(json(&a.ratings)?)
        .bind(json(&[&a.management_comment, &a.leadership_comment])?)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn mark_answered(&mut self, id: AssessmentId, rater: PersonId) -> CoreResult<()> {
        sqlx::query(
            "UPDATE assessment_raters SET answered = 1 WHERE assessment_id = $1 AND rater_id = $2",
        )
        .bind(id.0)
        .bind(rater.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn mark_rater_reminded(
        &mut self,
        id: AssessmentId,
        rater: PersonId,
        kind: &str,
        at: i64,
    ) -> CoreResult<bool> {
        let r = sqlx::query(
            "INSERT INTO assessment_reminders (assessment_id, rater_id, kind, sent_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(id.0)
        .bind(rater.0)
        .bind(kind.to_string())
        .bind(at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn add_rater(
        &mut self,
        id: AssessmentId,
        rater: PersonId,
        group: RaterGroup,
        status: RaterStatus,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO assessment_raters (assessment_id, rater_id, rater_group, status) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id.0)
        .bind(rater.0)
        .bind(group.as_str())
        .bind(status.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn set_rater_status(
        &mut self,
        id: AssessmentId,
        rater: PersonId,
        from: RaterStatus,
        to: RaterStatus,
    ) -> CoreResult<bool> {
        let r = sqlx::query(
            "UPDATE assessment_raters SET status = $1 \
             WHERE assessment_id = $2 AND rater_id = $3 AND status = $4",
        )
        .bind(to.as_str())
        .bind(id.0)
        .bind(rater.0)
        .bind(from.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn remove_proposed_rater(
        &mut self,
        id: AssessmentId,
        rater: PersonId,
    ) -> CoreResult<bool> {
        let r = sqlx::query(
            "DELETE FROM assessment_raters \
             WHERE assessment_id = $1 AND rater_id = $2 AND status = 'proposed'",
        )
        .bind(id.0)
        .bind(rater.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn share_assessment(&mut self, id: AssessmentId, at: i64) -> CoreResult<bool> {
        let r = sqlx::query(
            "UPDATE assessments SET state = 'shared', shared_at = $1 WHERE id = $2 AND state = 'open'",
        )
        .bind(at)
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn publish(
        &mut self,
        id: AssessmentId,
        subject: PersonId,
        figures: &[(String, AnswerSet)],
    ) -> CoreResult<()> {
        for (figure, set) in figures {
            let list: Vec<String> = set.iter().map(|p| pseudonym_text(*p)).collect();
            sqlx::query(
                "INSERT INTO assessment_published (assessment_id, subject_id, figure, pseudonyms) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id.0)
            .bind(subject.0)
            .bind(figure.clone())
            .bind(json(&list)?)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        }
        Ok(())
    }
}

fn unhex(text: &str) -> CoreResult<u64> {
    u64::from_str_radix(text, 16).map_err(|_| CoreError::Internal("a malformed pseudonym".into()))
}

#[async_trait::async_trait]
impl AssessmentStore for SqlStore {
    async fn begin_assessment_write(&self) -> CoreResult<Box<dyn AssessmentWrite + '_>> {
        Ok(SqlUnit::begin(self).await?)
    }
    async fn assessment(&self, id: AssessmentId) -> CoreResult<Option<Assessment>> {
        Ok(self.assessments_where("a.id = $1", id.0).await?.pop())
    }
    async fn assessments_involving(&self, person: PersonId) -> CoreResult<Vec<Assessment>> {
        self.assessments_where(
            "(a.subject_id = $1 OR a.id IN (SELECT assessment_id FROM assessment_raters \
             WHERE rater_id = $1))",
            person.0,
        )
        .await
    }
    async fn assessments_of_review(
        &self,
        review: trellis_core::ids::ReviewId,
    ) -> CoreResult<Vec<Assessment>> {
        self.assessments_where("a.review_id = $1", review.0).await
    }
    async fn assessments_of_cycle(
        &self,
        cycle: trellis_core::ids::CycleId,
    ) -> CoreResult<Vec<Assessment>> {
        self.assessments_where("a.cycle_id = $1", cycle.0).await
    }
    async fn shared_assessments(&self) -> CoreResult<Vec<Assessment>> {
        let mut all = self
            .assessments_where("a.state = 'shared' AND a.id > $1", 0)
            .await?;
        all.reverse();
        Ok(all)
    }
    async fn assessed_subjects(
        &self,
        team: Option<trellis_core::ids::TeamId>,
    ) -> CoreResult<Vec<(PersonId, Option<String>)>> {
        let base = "SELECT p.id, l.name AS level_name FROM people p \
            LEFT JOIN job_levels l ON l.id = p.level_id WHERE p.status = 'active' \
            AND EXISTS (SELECT 1 FROM assessments a WHERE a.subject_id = p.id \
            AND a.state = 'shared' AND (a.feedback_kind IS NULL OR a.feedback_kind = 'upward'))";
        let rows = match team {
            None => {
                sqlx::query(AssertSqlSafe(format!("{base} ORDER BY p.id")))
                    .fetch_all(&self.pool)
                    .await
            }
            Some(t) => {
                sqlx::query(AssertSqlSafe(format!(
                    "WITH RECURSIVE tree(id) AS (SELECT id FROM teams WHERE id = $1 \
                     UNION ALL SELECT t.id FROM teams t JOIN tree ON t.parent_id = tree.id) \
                     {base} AND p.team_id IN (SELECT id FROM tree) ORDER BY p.id"
                )))
                .bind(t.0)
                .fetch_all(&self.pool)
                .await
            }
        }
        .map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((PersonId(r.int("id")?), r.text_or_null("level_name")?)))
            .collect()
    }
    async fn answers(&self, id: AssessmentId) -> CoreResult<Vec<StoredAnswer>> {
        let rows = sqlx::query(
            "SELECT rater_group, pseudonym, rater_id, ratings, comments FROM assessment_answers \
             WHERE assessment_id = $1 ORDER BY pseudonym",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let [management, leadership]: [String; 2] =
                    parse(&r.text("comments")?, "an answer's comments")?;
                Ok(StoredAnswer {
                    group: group(&r.text("rater_group")?)?,
                    pseudonym: unhex(&r.text("pseudonym")?)?,
                    rater: r.int_or_null("rater_id")?.map(PersonId),
                    ratings: parse(&r.text("ratings")?, "an answer's ratings")?,
                    management_comment: management,
                    leadership_comment: leadership,
                })
            })
            .collect()
    }
    async fn published_before(
        &self,
        subject: PersonId,
        id: AssessmentId,
    ) -> CoreResult<Vec<AnswerSet>> {
        let rows = sqlx::query(
            "SELECT p.pseudonyms FROM assessment_published p \
             JOIN assessments a ON a.id = p.assessment_id \
             WHERE p.subject_id = $1 AND p.assessment_id <> $2 \
             AND a.shared_at <= COALESCE((SELECT shared_at FROM assessments WHERE id = $2), a.shared_at) \
             ORDER BY p.assessment_id, p.figure",
        )
        .bind(subject.0)
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let list: Vec<String> = parse(&r.text("pseudonyms")?, "published answers")?;
                list.iter().map(|p| unhex(p)).collect()
            })
            .collect()
    }
}
