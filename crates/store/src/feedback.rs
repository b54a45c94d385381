//! Continuous feedback and requests for it.

use crate::mentoring::day_text;
use crate::sql::{Columns, person_or_null};
use crate::unit::SqlUnit;
use crate::{SqlStore, map_err};
use sqlx::AssertSqlSafe;
use std::collections::HashMap;
use trellis_core::conversations::feedback::{
    Asked, Feedback, FeedbackKind, NewFeedback, NewRequest, Request,
};
use trellis_core::conversations::store::{FeedbackStore, FeedbackWrite};
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::{FeedbackId, PersonId, PersonName, RequestId};

fn name(row: &dyn Columns, id: &str, name: &str, preferred: &str) -> CoreResult<PersonName> {
    person_or_null(row, id, name, preferred)?
        .ok_or_else(|| CoreError::Internal(format!("no person in {id}")))
}

const FEEDBACK_SELECT: &str = "SELECT f.id, f.kind, f.text, f.share_on_page, \
    f.share_with_manager, f.request_id, f.created_at, f.from_id, g.name AS from_name, \
    g.preferred_name AS from_preferred, f.about_id, a.name AS about_name, \
    a.preferred_name AS about_preferred, r.question, r.asked_by, k.name AS asker_name, \
    k.preferred_name AS asker_preferred \
    FROM feedback f JOIN people g ON g.id = f.from_id JOIN people a ON a.id = f.about_id \
    LEFT JOIN feedback_requests r ON r.id = f.request_id \
    LEFT JOIN people k ON k.id = r.asked_by";

fn feedback_row(r: &dyn Columns) -> CoreResult<Feedback> {
    Ok(Feedback {
        id: FeedbackId(r.int("id")?),
        from: name(r, "from_id", "from_name", "from_preferred")?,
        about: name(r, "about_id", "about_name", "about_preferred")?,
        kind: FeedbackKind::parse(&r.text("kind")?)
            .ok_or_else(|| CoreError::Internal("unknown feedback kind".into()))?,
        text: r.text("text")?,
        share_on_page: r.int("share_on_page")? != 0,
        share_with_manager: r.int("share_with_manager")? != 0,
        request: r.int_or_null("request_id")?.map(RequestId),
        asked_by: person_or_null(r, "asked_by", "asker_name", "asker_preferred")?,
        question: r.text_or_null("question")?,
        created_at: r.int("created_at")?,
    })
}

const REQUEST_SELECT: &str = "SELECT r.id, r.question, r.due_date, r.created_at, r.expires_at, \
    r.asked_by, k.name AS asker_name, k.preferred_name AS asker_preferred, r.about_id, \
    a.name AS about_name, a.preferred_name AS about_preferred \
    FROM feedback_requests r JOIN people k ON k.id = r.asked_by \
    JOIN people a ON a.id = r.about_id";

impl SqlStore {
    async fn feedback_where(&self, filter: &str, person: PersonId) -> CoreResult<Vec<Feedback>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{FEEDBACK_SELECT} WHERE {filter} ORDER BY f.created_at DESC, f.id DESC"
        )))
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| feedback_row(r)).collect()
    }

    /// Requests matching `filter` (on `r`, with `$1`), each with the people asked.
    async fn requests_where(&self, filter: &str, bind: i64) -> CoreResult<Vec<Request>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{REQUEST_SELECT} WHERE {filter} ORDER BY r.created_at DESC, r.id DESC"
        )))
        .bind(bind)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(Request {
                id: RequestId(r.int("id")?),
                asked_by: name(r, "asked_by", "asker_name", "asker_preferred")?,
                about: name(r, "about_id", "about_name", "about_preferred")?,
                question: r.text("question")?,
                due_date: r.day("due_date")?,
                created_at: r.int("created_at")?,
                expires_at: r.int("expires_at")?,
                asked: Vec::new(),
            });
        }
        if out.is_empty() {
            return Ok(out);
        }
        let ids: Vec<String> = out.iter().map(|r| r.id.0.to_string()).collect();
        let people = sqlx::query(AssertSqlSafe(format!(
            "SELECT q.request_id, q.person_id, p.name, p.preferred_name, q.answered_at, \
             q.declined_at, q.reminded_at FROM feedback_request_people q \
             JOIN people p ON p.id = q.person_id WHERE q.request_id IN ({}) ORDER BY p.name",
            ids.join(", ")
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut asked: HashMap<i64, Vec<Asked>> = HashMap::new();
        for q in &people {
            asked.entry(q.int("request_id")?).or_default().push(Asked {
                person: name(q, "person_id", "name", "preferred_name")?,
                answered_at: q.int_or_null("answered_at")?,
                declined_at: q.int_or_null("declined_at")?,
                reminded_at: q.int_or_null("reminded_at")?,
            });
        }
        for r in &mut out {
            r.asked = asked.remove(&r.id.0).unwrap_or_default();
        }
        Ok(out)
    }
}

async fn create_feedback_in(unit: &mut SqlUnit, f: &NewFeedback) -> CoreResult<FeedbackId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO feedback (from_id, about_id, kind, text, share_on_page, share_with_manager, \
         request_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(f.from.0)
    .bind(f.about.0)
    .bind(f.kind.as_str())
    .bind(f.text.clone())
    .bind(i64::from(f.share_on_page))
    .bind(i64::from(f.share_with_manager))
    .bind(f.request.map(|r| r.0))
    .bind(f.created_at)
    .fetch_one(&mut *unit.tx)
    .await
    .map_err(map_err)?;
    Ok(FeedbackId(id))
}

async fn create_request_in(unit: &mut SqlUnit, r: &NewRequest) -> CoreResult<RequestId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO feedback_requests (asked_by, about_id, question, due_date, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(r.asked_by.0)
    .bind(r.about.0)
    .bind(r.question.clone())
    .bind(day_text(r.due_date))
    .bind(r.created_at)
    .bind(r.expires_at)
    .fetch_one(&mut *unit.tx)
    .await
    .map_err(map_err)?;
    for p in &r.ask {
        sqlx::query("INSERT INTO feedback_request_people (request_id, person_id) VALUES ($1, $2)")
            .bind(id)
            .bind(p.0)
            .execute(&mut *unit.tx)
            .await
            .map_err(map_err)?;
    }
    Ok(RequestId(id))
}

/// Sets one of the request person's moments (answered, declined, reminded) once.
async fn mark_in(
    unit: &mut SqlUnit,
    column: &str,
    id: RequestId,
    person: PersonId,
    at: i64,
) -> CoreResult<bool> {
    let open = if column == "reminded_at" {
        "reminded_at IS NULL AND answered_at IS NULL AND declined_at IS NULL"
    } else {
        "answered_at IS NULL AND declined_at IS NULL"
    };
    let r = sqlx::query(AssertSqlSafe(format!(
        "UPDATE feedback_request_people SET {column} = $1 \
         WHERE request_id = $2 AND person_id = $3 AND {open}"
    )))
    .bind(at)
    .bind(id.0)
    .bind(person.0)
    .execute(&mut *unit.tx)
    .await
    .map_err(map_err)?;
    Ok(r.rows_affected() == 1)
}

#[async_trait::async_trait]
impl FeedbackWrite for SqlUnit {
    async fn create_feedback(&mut self, new: &NewFeedback) -> CoreResult<FeedbackId> {
        create_feedback_in(self, new).await
    }
    async fn create_request(&mut self, new: &NewRequest) -> CoreResult<RequestId> {
        create_request_in(self, new).await
    }
    async fn mark_answered(
        &mut self,
        id: RequestId,
        person: PersonId,
        at: i64,
    ) -> CoreResult<bool> {
        mark_in(self, "answered_at", id, person, at).await
    }
    async fn mark_declined(
        &mut self,
        id: RequestId,
        person: PersonId,
        at: i64,
    ) -> CoreResult<bool> {
        mark_in(self, "declined_at", id, person, at).await
    }
    async fn mark_request_reminded(
        &mut self,
        id: RequestId,
        person: PersonId,
        at: i64,
    ) -> CoreResult<bool> {
        mark_in(self, "reminded_at", id, person, at).await
    }
}

#[async_trait::async_trait]
impl FeedbackStore for SqlStore {
    async fn feedback_about(&self, person: PersonId) -> CoreResult<Vec<Feedback>> {
        self.feedback_where("f.about_id = $1", person).await
    }
    async fn feedback_from(&self, person: PersonId) -> CoreResult<Vec<Feedback>> {
        self.feedback_where("f.from_id = $1", person).await
    }
    async fn answers_to_requests_of(&self, person: PersonId) -> CoreResult<Vec<Feedback>> {
        self.feedback_where("r.asked_by = $1", person).await
    }
    async fn feedback_shared_with_manager(&self, manager: PersonId) -> CoreResult<Vec<Feedback>> {
        self.feedback_where(
            "f.share_with_manager = 1 AND f.request_id IS NULL AND a.manager_id = $1",
            manager,
        )
        .await
    }
    async fn request(&self, id: RequestId) -> CoreResult<Option<Request>> {
        Ok(self.requests_where("r.id = $1", id.0).await?.pop())
    }
    async fn requests_to(&self, person: PersonId) -> CoreResult<Vec<Request>> {
        self.requests_where(
            "r.id IN (SELECT request_id FROM feedback_request_people WHERE person_id = $1)",
            person.0,
        )
        .await
    }
    async fn requests_by(&self, person: PersonId) -> CoreResult<Vec<Request>> {
        self.requests_where("r.asked_by = $1", person.0).await
    }
    async fn unanswered_requests(&self, now: i64) -> CoreResult<Vec<(Request, PersonId)>> {
        let requests = self
            .requests_where(
                "r.expires_at > $1 AND r.id IN (SELECT request_id FROM feedback_request_people \
                 WHERE answered_at IS NULL AND declined_at IS NULL AND reminded_at IS NULL)",
                now,
            )
            .await?;
        let mut out = Vec::new();
        for r in requests {
            let open: Vec<PersonId> = r
                .asked
                .iter()
                .filter(|a| {
                    a.answered_at.is_none() && a.declined_at.is_none() && a.reminded_at.is_none()
                })
                .map(|a| a.person.id)
                .collect();
            for p in open {
                out.push((r.clone(), p));
            }
        }
        Ok(out)
    }
}
