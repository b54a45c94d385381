//! Development programmes: cohorts, participants, sessions, attendance and feedback.

use crate::bulk::{Value, insert_new_rows};
use crate::sql::Columns;
use crate::unit::SqlUnit;
use crate::{SqlStore, map_err};
use std::collections::HashMap;
use trellis_core::development::store::DevelopmentStore;
use trellis_core::development::{Cohort, Feedback, NewCohort, NewSession, Session};
use trellis_core::error::CoreResult;
use trellis_core::ids::{CohortId, PersonId, PersonName, SessionId};
use trellis_core::notify::Notification;
use trellis_core::org::display_name;
use trellis_core::unit_of_work::UnitOfWork;

const NAME: &str = "COALESCE(p.preferred_name, p.name)";

impl SqlStore {
    /// Cohorts (all, or one) with their participants, by name.
    async fn cohort_rows(&self, only: Option<CohortId>) -> CoreResult<Vec<Cohort>> {
        let filter = if only.is_some() { "WHERE id = $1" } else { "" };
        let sql = format!(
            "SELECT id, name, description, capacity, created_at FROM dev_cohorts {filter} \
             ORDER BY created_at DESC, id DESC"
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(id) = only {
            query = query.bind(id.0);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(map_err)?;
        let sql = format!(
            "SELECT d.cohort_id, p.id, p.name, p.preferred_name FROM dev_participants d \
             JOIN people p ON p.id = d.person_id {} ORDER BY {NAME}, p.id",
            if only.is_some() {
                "WHERE d.cohort_id = $1"
            } else {
                ""
            }
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(id) = only {
            query = query.bind(id.0);
        }
        let mut people: HashMap<i64, Vec<PersonName>> = HashMap::new();
        for r in query.fetch_all(&self.pool).await.map_err(map_err)? {
            people
                .entry(r.int("cohort_id")?)
                .or_default()
                .push(PersonName {
                    id: PersonId(r.int("id")?),
                    name: display_name(
                        &r.text("name")?,
                        r.text_or_null("preferred_name")?.as_deref(),
                    ),
                });
        }
        rows.iter()
            .map(|r| {
                let id = r.int("id")?;
                Ok(Cohort {
                    id: CohortId(id),
                    name: r.text("name")?,
                    description: r.text("description")?,
                    capacity: r.int("capacity")? as u32,
                    participants: people.remove(&id).unwrap_or_default(),
                    created_at: r.int("created_at")?,
                })
            })
            .collect()
    }

    /// Sessions matching `filter` (a WHERE clause on `s` with one parameter), with their
    /// facilitator and attendance.
    async fn session_rows(&self, filter: &str, value: i64) -> CoreResult<Vec<Session>> {
        let sql = format!(
            "SELECT s.id, s.cohort_id, s.title, s.starts_at, s.minutes, s.place, s.cancelled_at, \
             p.id AS facilitator_id, p.name, p.preferred_name FROM dev_sessions s \
             JOIN people p ON p.id = s.facilitator_id WHERE {filter} ORDER BY s.starts_at, s.id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(value)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        let mut out: Vec<Session> = rows
            .iter()
            .map(|r| {
                Ok(Session {
                    id: SessionId(r.int("id")?),
                    cohort: CohortId(r.int("cohort_id")?),
                    title: r.text("title")?,
                    starts_at: r.int("starts_at")?,
                    minutes: r.int("minutes")? as u32,
                    place: r.text("place")?,
                    facilitator: PersonName {
                        id: PersonId(r.int("facilitator_id")?),
                        name: display_name(
                            &r.text("name")?,
                            r.text_or_null("preferred_name")?.as_deref(),
                        ),
                    },
                    cancelled_at: r.int_or_null("cancelled_at")?,
                    attendance: Vec::new(),
                })
            })
            .collect::<CoreResult<_>>()?;
        if out.is_empty() {
            return Ok(out);
        }
        let at: HashMap<i64, usize> = out.iter().enumerate().map(|(i, s)| (s.id.0, i)).collect();
        let sql = format!(
            "SELECT a.session_id, a.person_id, a.attended FROM dev_attendance a \
             JOIN dev_sessions s ON s.id = a.session_id WHERE {filter}"
        );
        let marks: Vec<(i64, i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(value)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        for (session, person, attended) in marks {
            if let Some(&i) = at.get(&session) {
                out[i].attendance.push((PersonId(person), attended != 0));
            }
        }
        Ok(out)
    }
}

impl SqlStore {
    /// Sets a session's `column` (reminded_at or cancelled_at) and writes `notes`, in one
    /// transaction; only the instance that sets it first sends them.
    async fn mark_session_once(
        &self,
        session: SessionId,
        column: &'static str,
        notes: &[Notification],
        at: i64,
    ) -> CoreResult<()> {
        let mut unit = SqlUnit::begin(self).await?;
        let sql =
            format!("UPDATE dev_sessions SET {column} = $1 WHERE id = $2 AND {column} IS NULL");
        let marked = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(at)
            .bind(session.0)
            .execute(&mut *unit.tx)
            .await
            .map_err(map_err)?
            .rows_affected();
        if marked == 1 {
            unit.notify_all(notes).await?;
        }
        unit.tx.commit().await.map_err(map_err)
    }
}

fn participant_rows(cohort: i64, people: &[PersonId], at: i64) -> Vec<Vec<Value>> {
    people
        .iter()
        .map(|p| {
            vec![
                Value::Int(Some(cohort)),
                Value::Int(Some(p.0)),
                Value::Int(Some(at)),
            ]
        })
        .collect()
}

#[async_trait::async_trait]
impl DevelopmentStore for SqlStore {
    async fn create_cohort(
        &self,
        cohort: &NewCohort,
        notes: &[Notification],
    ) -> CoreResult<CohortId> {
        let mut unit = SqlUnit::begin(self).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO dev_cohorts (name, description, capacity, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(cohort.name.clone())
        .bind(cohort.description.clone())
        .bind(i64::from(cohort.capacity))
        .bind(cohort.created_by.map(|p| p.0))
        .bind(cohort.created_at)
        .fetch_one(&mut *unit.tx)
        .await
        .map_err(map_err)?;
        insert_new_rows(
            &mut unit.tx,
            unit.backend,
            "dev_participants",
            &["cohort_id", "person_id", "added_at"],
            &participant_rows(id, &cohort.participants, cohort.created_at),
        )
        .await?;
        // The page exists now: the notes point at it.
        let notes: Vec<Notification> = notes
            .iter()
            .map(|n| Notification {
                link: format!("/development/{id}"),
                ..n.clone()
            })
            .collect();
        unit.notify_all(&notes).await?;
        unit.tx.commit().await.map_err(map_err)?;
        Ok(CohortId(id))
    }

    async fn cohorts(&self) -> CoreResult<Vec<Cohort>> {
        self.cohort_rows(None).await
    }

    async fn cohort(&self, id: CohortId) -> CoreResult<Option<Cohort>> {
        Ok(self.cohort_rows(Some(id)).await?.pop())
    }

    async fn add_participants(
        &self,
        cohort: CohortId,
        people: &[PersonId],
        notes: &[Notification],
        at: i64,
    ) -> CoreResult<usize> {
        let mut unit = SqlUnit::begin(self).await?;
        let added = insert_new_rows(
            &mut unit.tx,
            unit.backend,
            "dev_participants",
            &["cohort_id", "person_id", "added_at"],
            &participant_rows(cohort.0, people, at),
        )
        .await?;
        unit.notify_all(notes).await?;
        unit.tx.commit().await.map_err(map_err)?;
        Ok(added as usize)
    }

    async fn remove_participant(&self, cohort: CohortId, person: PersonId) -> CoreResult<()> {
        sqlx::query("DELETE FROM dev_participants WHERE cohort_id = $1 AND person_id = $2")
            .bind(cohort.0)
            .bind(person.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn add_session(&self, s: &NewSession) -> CoreResult<SessionId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO dev_sessions (cohort_id, title, starts_at, minutes, place, \
             facilitator_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(s.cohort.0)
        .bind(s.title.clone())
        .bind(s.starts_at)
        .bind(i64::from(s.minutes))
        .bind(s.place.clone())
        .bind(s.facilitator.0)
        .fetch_one(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(SessionId(id))
    }

    async fn dev_sessions(&self, cohort: CohortId) -> CoreResult<Vec<Session>> {
        self.session_rows("s.cohort_id = $1", cohort.0).await
    }

    async fn dev_session(&self, id: SessionId) -> CoreResult<Option<Session>> {
        Ok(self.session_rows("s.id = $1", id.0).await?.pop())
    }

    async fn sessions_of(&self, person: PersonId) -> CoreResult<Vec<(Cohort, Session)>> {
        let sessions = self
            .session_rows(
                "(s.facilitator_id = $1 OR EXISTS (SELECT 1 FROM dev_participants d \
                 WHERE d.cohort_id = s.cohort_id AND d.person_id = $1))",
                person.0,
            )
            .await?;
        let cohorts: HashMap<CohortId, Cohort> = self
            .cohort_rows(None)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        Ok(sessions
            .into_iter()
            .filter_map(|s| Some((cohorts.get(&s.cohort)?.clone(), s)))
            .collect())
    }

    async fn mark_attendance(
        &self,
        session: SessionId,
        person: PersonId,
        attended: bool,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO dev_attendance (session_id, person_id, attended, marked_by, marked_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id, person_id) DO UPDATE SET \
             attended = excluded.attended, marked_by = excluded.marked_by, \
             marked_at = excluded.marked_at",
        )
        .bind(session.0)
        .bind(person.0)
        .bind(i64::from(attended))
        .bind((by.0 != 0).then_some(by.0))
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn give_feedback(
        &self,
        session: SessionId,
        person: PersonId,
        rating: u8,
        comment: &str,
        at: i64,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO dev_feedback (session_id, person_id, rating, comment, given_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (session_id, person_id) DO UPDATE SET \
             rating = excluded.rating, comment = excluded.comment, given_at = excluded.given_at",
        )
        .bind(session.0)
        .bind(person.0)
        .bind(i64::from(rating))
        .bind(comment.to_string())
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }

    async fn session_feedback(&self, session: SessionId) -> CoreResult<Vec<Feedback>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT rating, comment FROM dev_feedback WHERE session_id = $1 \
             ORDER BY rating, comment",
        )
        .bind(session.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(rating, comment)| Feedback {
                rating: rating as u8,
                comment,
            })
            .collect())
    }

    async fn gave_feedback(&self, session: SessionId, person: PersonId) -> CoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT rating FROM dev_feedback WHERE session_id = $1 AND person_id = $2",
        )
        .bind(session.0)
        .bind(person.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(found.is_some())
    }

    async fn sessions_to_remind(&self, from: i64, to: i64) -> CoreResult<Vec<(Cohort, Session)>> {
        let ids: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM dev_sessions WHERE reminded_at IS NULL AND cancelled_at IS NULL \
             AND starts_at > $1 \
             AND starts_at <= $2 ORDER BY starts_at",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut out = Vec::new();
        for (id,) in ids {
            if let Some(s) = self.dev_session(SessionId(id)).await?
                && let Some(c) = self.cohort(s.cohort).await?
            {
                out.push((c, s));
            }
        }
        Ok(out)
    }

    async fn mark_reminded(
        &self,
        session: SessionId,
        notes: &[Notification],
        at: i64,
    ) -> CoreResult<()> {
        self.mark_session_once(session, "reminded_at", notes, at)
            .await
    }

    async fn reporting_lines_since(
        &self,
    ) -> CoreResult<Vec<(PersonId, PersonId, Option<chrono::NaiveDate>)>> {
        // History names the manager as they were named then; the report reports to them
        // now, so their latest change to that name is the change to them.
        let rows: Vec<(i64, i64, Option<String>)> = sqlx::query_as(
            "SELECT m.id, r.id, (SELECT MAX(h.effective_on) FROM person_history h \
             WHERE h.person_id = r.id AND h.field = 'manager' AND h.after_value = m.name) \
             FROM people r JOIN people m ON m.id = r.manager_id \
             WHERE r.status = 'active' AND m.status = 'active' ORDER BY m.id, r.id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(m, r, since)| (PersonId(m), PersonId(r), since.and_then(|d| d.parse().ok())))
            .collect())
    }

    async fn in_development_since(&self, since: i64) -> CoreResult<Vec<PersonId>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT DISTINCT d.person_id FROM dev_participants d \
             WHERE EXISTS (SELECT 1 FROM dev_sessions s WHERE s.cohort_id = d.cohort_id \
             AND s.starts_at >= $1 AND s.cancelled_at IS NULL) ORDER BY d.person_id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|(p,)| PersonId(p)).collect())
    }

    async fn stretched_since(&self, since: i64) -> CoreResult<Vec<PersonId>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT DISTINCT pl.person_id FROM placements pl \
             LEFT JOIN commitments c ON c.id = pl.commitment_id \
             WHERE pl.status = 'approved' AND (pl.decided_at >= $1 OR c.status = 'open') \
             ORDER BY pl.person_id",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|(p,)| PersonId(p)).collect())
    }

    async fn cancel_session(
        &self,
        session: SessionId,
        notes: &[Notification],
        at: i64,
    ) -> CoreResult<()> {
        self.mark_session_once(session, "cancelled_at", notes, at)
            .await
    }
}
