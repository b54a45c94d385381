//! 1:1 series, their changed meetings, agendas, notes, action items and calendar feeds.

use crate::bulk::{Value, insert_rows};
use crate::mentoring::day_text;
use crate::sql::{Columns, person_or_null};
use crate::unit::SqlUnit;
use crate::{SqlStore, map_err, placeholders};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use sqlx::AssertSqlSafe;
use trellis_core::conversations::store::{
    ConversationStore, ConversationWrite, NewAction, NewSeries, OpenItems, PairRow, SharedNote,
};
use trellis_core::conversations::{
    Action, Change, Exception, Point, Schedule, Series, SeriesKind, SeriesStatus,
};
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::{ActionId, CommitmentId, PersonId, PersonName, PointId, SeriesId};

const SERIES_SELECT: &str = "SELECT s.id, s.kind, s.status, s.organiser_id, \
    o.name AS organiser_name, o.preferred_name AS organiser_preferred, s.other_id, \
    t.name AS other_name, t.preferred_name AS other_preferred, s.first_date, s.start_time, \
    s.minutes, s.every_weeks, s.time_zone, s.recurring, s.created_at, s.ended_at \
    FROM one_on_one_series s JOIN people o ON o.id = s.organiser_id \
    JOIN people t ON t.id = s.other_id";

fn name(row: &dyn Columns, id: &str, name: &str, preferred: &str) -> CoreResult<PersonName> {
    person_or_null(row, id, name, preferred)?
        .ok_or_else(|| CoreError::Internal(format!("no person in {id}")))
}

fn series_row(r: &dyn Columns) -> CoreResult<Series> {
    let schedule = match (
        r.text_or_null("first_date")?,
        r.text_or_null("start_time")?,
        r.int_or_null("minutes")?,
        r.int_or_null("every_weeks")?,
        r.text_or_null("time_zone")?,
    ) {
        (Some(first), Some(start), Some(minutes), Some(every), Some(zone)) => Some(Schedule {
            first_date: first
                .parse()
                .map_err(|_| CoreError::Internal("first_date is not a date".into()))?,
            start_time: NaiveTime::parse_from_str(&start, "%H:%M")
                .map_err(|_| CoreError::Internal("start_time is not a time".into()))?,
            minutes: minutes as u32,
            every_weeks: every as u32,
            time_zone: zone,
        }),
        _ => None,
    };
    Ok(Series {
        id: SeriesId(r.int("id")?),
        kind: SeriesKind::parse(&r.text("kind")?)
            .ok_or_else(|| CoreError::Internal("unknown series kind".into()))?,
        status: SeriesStatus::parse(&r.text("status")?)
            .ok_or_else(|| CoreError::Internal("unknown series status".into()))?,
        organiser: name(r, "organiser_id", "organiser_name", "organiser_preferred")?,
        other: name(r, "other_id", "other_name", "other_preferred")?,
        schedule,
        recurring: serde_json::from_str(&r.text("recurring")?).unwrap_or_default(),
        created_at: r.int("created_at")?,
        ended_at: r.int_or_null("ended_at")?,
    })
}

fn exception_row(r: &dyn Columns) -> CoreResult<Exception> {
    let occurrence: NaiveDate = r.day("occurrence")?;
    let change = match r.text("change")?.as_str() {
        "moved" => Change::Moved(
            NaiveDateTime::parse_from_str(&r.text("moved_to")?, "%Y-%m-%dT%H:%M")
                .map_err(|_| CoreError::Internal("moved_to is not a local time".into()))?,
        ),
        "skipped" => Change::Skipped,
        _ => Change::Cancelled,
    };
    Ok(Exception { occurrence, change })
}

const ACTION_SELECT: &str = "SELECT a.id, a.series_id, a.title, a.owner_id, \
    o.name AS owner_name, o.preferred_name AS owner_preferred, a.due_date, a.effort_hours, \
    a.meeting, a.created_by, b.name AS by_name, b.preferred_name AS by_preferred, \
    a.commitment_id, c.status AS commitment_status \
    FROM one_on_one_actions a JOIN people o ON o.id = a.owner_id \
    JOIN people b ON b.id = a.created_by \
    LEFT JOIN commitments c ON c.id = a.commitment_id";

fn action_row(r: &dyn Columns) -> CoreResult<Action> {
    let commitment = r.int_or_null("commitment_id")?.map(CommitmentId);
    Ok(Action {
        id: ActionId(r.int("id")?),
        title: r.text("title")?,
        owner: name(r, "owner_id", "owner_name", "owner_preferred")?,
        due_date: r.text_or_null("due_date")?.and_then(|d| d.parse().ok()),
        effort_hours: r.real_or_null("effort_hours")?,
        meeting: r.day("meeting")?,
        created_by: name(r, "created_by", "by_name", "by_preferred")?,
        commitment,
        open: commitment.is_none()
            || r.text_or_null("commitment_status")?.as_deref() == Some("open"),
    })
}

#[async_trait::async_trait]
impl ConversationWrite for SqlUnit {
    async fn create_series(&mut self, new: &NewSeries) -> CoreResult<SeriesId> {
        let s = new.schedule.as_ref();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO one_on_one_series (kind, status, organiser_id, other_id, first_date, \
             start_time, minutes, every_weeks, time_zone, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(new.kind.as_str())
        .bind(new.status.as_str())
        .bind(new.organiser.0)
        .bind(new.other.0)
        .bind(s.map(|s| day_text(s.first_date)))
        .bind(s.map(|s| s.start_time.format("%H:%M").to_string()))
        .bind(s.map(|s| i64::from(s.minutes)))
        .bind(s.map(|s| i64::from(s.every_weeks)))
        .bind(s.map(|s| s.time_zone.clone()))
        .bind(new.created_by.map(|p| p.0))
        .bind(new.created_at)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(SeriesId(id))
    }
    async fn create_reporting_series(
        &mut self,
        pairs: &[(PersonId, PersonId)],
        at: i64,
    ) -> CoreResult<()> {
        let rows: Vec<Vec<Value>> = pairs
            .iter()
            .map(|(manager, report)| {
                vec![
                    Value::Text(Some("reporting".into())),
                    Value::Text(Some("active".into())),
                    Value::Int(Some(manager.0)),
                    Value::Int(Some(report.0)),
                    Value::Int(Some(at)),
                ]
            })
            .collect();
        insert_rows(
            &mut self.tx,
            self.backend,
            "one_on_one_series",
            &["kind", "status", "organiser_id", "other_id", "created_at"],
            &rows,
        )
        .await
    }
    async fn end_series(&mut self, ids: &[SeriesId], at: i64) -> CoreResult<()> {
        for chunk in ids.chunks(1000) {
            // `at` is a number, written in place: SQLite's anonymous placeholders do not
            // mix with numbered ones.
            let sql = format!(
                "UPDATE one_on_one_series SET status = 'ended', ended_at = {at} \
                 WHERE status IN ('active', 'proposed') AND id IN ({})",
                placeholders(self.backend, 1, chunk.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for id in chunk {
                q = q.bind(id.0);
            }
            q.execute(&mut *self.tx).await.map_err(map_err)?;
        }
        Ok(())
    }
    async fn set_series_status(
        &mut self,
        id: SeriesId,
        from: SeriesStatus,
        to: SeriesStatus,
        at: i64,
    ) -> CoreResult<bool> {
        let ended = (to == SeriesStatus::Ended).then_some(at);
        let r = sqlx::query(
            "UPDATE one_on_one_series SET status = $1, ended_at = $2 WHERE id = $3 AND status = $4",
        )
        .bind(to.as_str())
        .bind(ended)
        .bind(id.0)
        .bind(from.as_str())
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn set_schedule(&mut self, id: SeriesId, s: Option<&Schedule>) -> CoreResult<()> {
        sqlx::query(
            "UPDATE one_on_one_series SET first_date = $1, start_time = $2, minutes = $3, \
             every_weeks = $4, time_zone = $5 WHERE id = $6",
        )
        .bind(s.map(|s| day_text(s.first_date)))
        .bind(s.map(|s| s.start_time.format("%H:%M").to_string()))
        .bind(s.map(|s| i64::from(s.minutes)))
        .bind(s.map(|s| i64::from(s.every_weeks)))
        .bind(s.map(|s| s.time_zone.clone()))
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        // A new rhythm starts afresh: changes to the old one's meetings no longer apply.
        sqlx::query("DELETE FROM one_on_one_changes WHERE series_id = $1")
            .bind(id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn set_exception(
        &mut self,
        id: SeriesId,
        occurrence: NaiveDate,
        change: Option<Change>,
    ) -> CoreResult<()> {
        sqlx::query("DELETE FROM one_on_one_changes WHERE series_id = $1 AND occurrence = $2")
            .bind(id.0)
            .bind(day_text(occurrence))
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        let Some(change) = change else {
            return Ok(());
        };
        let (kind, to) = match change {
            Change::Moved(to) => ("moved", Some(to.format("%Y-%m-%dT%H:%M").to_string())),
            Change::Skipped => ("skipped", None),
            Change::Cancelled => ("cancelled", None),
        };
        sqlx::query(
            "INSERT INTO one_on_one_changes (series_id, occurrence, change, moved_to) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id.0)
        .bind(day_text(occurrence))
        .bind(kind)
        .bind(to)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn set_recurring(&mut self, id: SeriesId, points: &[String]) -> CoreResult<()> {
        sqlx::query("UPDATE one_on_one_series SET recurring = $1 WHERE id = $2")
            .bind(serde_json::to_string(points).map_err(|e| CoreError::Internal(e.to_string()))?)
            .bind(id.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn add_point(
        &mut self,
        id: SeriesId,
        author: PersonId,
        text: &str,
        link: Option<&str>,
        at: i64,
    ) -> CoreResult<PointId> {
        let point: i64 = sqlx::query_scalar(
            "INSERT INTO talking_points (series_id, author_id, text, link, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(id.0)
        .bind(author.0)
        .bind(text.to_string())
        .bind(link.map(String::from))
        .bind(at)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(PointId(point))
    }
    async fn tick_point(
        &mut self,
        id: SeriesId,
        point: PointId,
        meeting: Option<NaiveDate>,
        by: PersonId,
        at: i64,
    ) -> CoreResult<bool> {
        let r = sqlx::query(
            "UPDATE talking_points SET ticked_meeting = $1, ticked_by = $2, ticked_at = $3 \
             WHERE id = $4 AND series_id = $5",
        )
        .bind(meeting.map(day_text))
        .bind(meeting.map(|_| by.0))
        .bind(meeting.map(|_| at))
        .bind(point.0)
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn remove_point(
        &mut self,
        id: SeriesId,
        point: PointId,
        author: PersonId,
    ) -> CoreResult<bool> {
        let r = sqlx::query(
            "DELETE FROM talking_points WHERE id = $1 AND series_id = $2 AND author_id = $3 \
             AND ticked_meeting IS NULL",
        )
        .bind(point.0)
        .bind(id.0)
        .bind(author.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn set_shared_note(
        &mut self,
        id: SeriesId,
        occurrence: NaiveDate,
        text: &str,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()> {
        if text.is_empty() {
            sqlx::query("DELETE FROM meeting_notes WHERE series_id = $1 AND occurrence = $2")
                .bind(id.0)
                .bind(day_text(occurrence))
                .execute(&mut *self.tx)
                .await
                .map_err(map_err)?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO meeting_notes (series_id, occurrence, text, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (series_id, occurrence) DO UPDATE SET \
             text = excluded.text, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(id.0)
        .bind(day_text(occurrence))
        .bind(text.to_string())
        .bind(by.0)
        .bind(at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn set_private_note(
        &mut self,
        id: SeriesId,
        occurrence: NaiveDate,
        author: PersonId,
        sealed: &str,
        at: i64,
    ) -> CoreResult<()> {
        if sealed.is_empty() {
            sqlx::query(
                "DELETE FROM private_notes WHERE series_id = $1 AND occurrence = $2 AND author_id = $3",
            )
            .bind(id.0)
            .bind(day_text(occurrence))
            .bind(author.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO private_notes (series_id, occurrence, author_id, sealed, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (series_id, occurrence, author_id) DO UPDATE \
             SET sealed = excluded.sealed, updated_at = excluded.updated_at",
        )
        .bind(id.0)
        .bind(day_text(occurrence))
        .bind(author.0)
        .bind(sealed.to_string())
        .bind(at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn create_action(&mut self, new: &NewAction) -> CoreResult<ActionId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO one_on_one_actions (series_id, meeting, title, owner_id, due_date, \
             effort_hours, created_by, created_at, commitment_id, about_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(new.series.0)
        .bind(day_text(new.meeting))
        .bind(new.title.clone())
        .bind(new.owner.0)
        .bind(new.due_date.map(day_text))
        .bind(new.effort_hours)
        .bind(new.created_by.0)
        .bind(new.created_at)
        .bind(new.commitment.map(|c| c.0))
        .bind(new.about.0)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(ActionId(id))
    }
    async fn link_action(&mut self, id: ActionId, commitment: CommitmentId) -> CoreResult<bool> {
        let r = sqlx::query(
            "UPDATE one_on_one_actions SET commitment_id = $1 WHERE id = $2 AND commitment_id IS NULL",
        )
        .bind(commitment.0)
        .bind(id.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn mark_reminded(
        &mut self,
        id: SeriesId,
        occurrence: NaiveDate,
        person: PersonId,
        kind: &str,
        at: i64,
    ) -> CoreResult<bool> {
        let r = sqlx::query(
            "INSERT INTO one_on_one_reminders (series_id, occurrence, person_id, kind, sent_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(id.0)
        .bind(day_text(occurrence))
        .bind(person.0)
        .bind(kind.to_string())
        .bind(at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(r.rows_affected() == 1)
    }
    async fn set_calendar_token(
        &mut self,
        person: PersonId,
        digest: &str,
        sealed: &str,
        at: i64,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO calendar_feeds (person_id, token_digest, sealed_token, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (person_id) DO UPDATE SET \
             token_digest = excluded.token_digest, sealed_token = excluded.sealed_token, \
             created_at = excluded.created_at",
        )
        .bind(person.0)
        .bind(digest.to_string())
        .bind(sealed.to_string())
        .bind(at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ConversationStore for SqlStore {
    async fn begin_conversation_write(&self) -> CoreResult<Box<dyn ConversationWrite + '_>> {
        Ok(SqlUnit::begin(self).await?)
    }
    async fn series(&self, id: SeriesId) -> CoreResult<Option<Series>> {
        let row = sqlx::query(AssertSqlSafe(format!("{SERIES_SELECT} WHERE s.id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.map(|r| series_row(&r)).transpose()
    }
    async fn series_of(&self, person: PersonId) -> CoreResult<Vec<Series>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{SERIES_SELECT} WHERE s.organiser_id = $1 OR s.other_id = $1 \
             ORDER BY CASE s.status WHEN 'proposed' THEN 0 WHEN 'active' THEN 1 ELSE 2 END, \
             s.kind DESC, s.created_at DESC, s.id DESC"
        )))
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| series_row(r)).collect()
    }
    async fn open_reporting_series(&self) -> CoreResult<Vec<(SeriesId, PersonId, PersonId)>> {
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT id, organiser_id, other_id FROM one_on_one_series \
             WHERE kind = 'reporting' AND status = 'active'",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(s, m, r)| (SeriesId(s), PersonId(m), PersonId(r)))
            .collect())
    }
    async fn active_series(
        &self,
        reporting_only: bool,
        organisers: Option<&[PersonId]>,
    ) -> CoreResult<Vec<PairRow>> {
        if organisers.is_some_and(|l| l.is_empty()) {
            return Ok(Vec::new());
        }
        // Ids are numbers, written in place (a tree can hold more than a statement's
        // placeholders).
        let mut filter = match organisers {
            Some(list) => format!(
                " AND s.organiser_id IN ({})",
                list.iter()
                    .map(|p| p.0.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None => String::new(),
        };
        if reporting_only {
            filter.push_str(" AND s.kind = 'reporting'");
        } else {
            filter.push_str(" AND s.first_date IS NOT NULL");
        }
        let select = SERIES_SELECT.replace(
            "FROM one_on_one_series s",
            ", tm.name AS team_name FROM one_on_one_series s",
        );
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{select} LEFT JOIN teams tm ON tm.id = t.team_id WHERE s.status = 'active'{filter} ORDER BY s.id"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let changes = sqlx::query(AssertSqlSafe(format!(
            "SELECT c.series_id, c.occurrence, c.change, c.moved_to FROM one_on_one_changes c \
             JOIN one_on_one_series s ON s.id = c.series_id WHERE s.status = 'active'{filter}"
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut by_series: std::collections::HashMap<i64, Vec<Exception>> = Default::default();
        for r in &changes {
            by_series
                .entry(r.int("series_id")?)
                .or_default()
                .push(exception_row(r)?);
        }
        rows.iter()
            .map(|r| {
                let series = series_row(r)?;
                Ok(PairRow {
                    exceptions: by_series.remove(&series.id.0).unwrap_or_default(),
                    team: r.text_or_null("team_name")?,
                    series,
                })
            })
            .collect()
    }
    async fn open_items(&self) -> CoreResult<std::collections::HashMap<SeriesId, OpenItems>> {
        let mut out: std::collections::HashMap<SeriesId, OpenItems> = Default::default();
        let points: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT p.series_id, COUNT(*) FROM talking_points p JOIN one_on_one_series s \
             ON s.id = p.series_id WHERE s.status = 'active' AND p.ticked_meeting IS NULL \
             GROUP BY p.series_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        for (id, n) in points {
            out.entry(SeriesId(id)).or_default().points = n as usize;
        }
        let actions: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT a.series_id, COUNT(*) FROM one_on_one_actions a JOIN one_on_one_series s \
             ON s.id = a.series_id WHERE s.status = 'active' AND a.commitment_id IS NULL \
             AND a.due_date IS NULL GROUP BY a.series_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        for (id, n) in actions {
            out.entry(SeriesId(id)).or_default().undated_actions = n as usize;
        }
        Ok(out)
    }
    async fn exceptions(&self, id: SeriesId) -> CoreResult<Vec<Exception>> {
        let rows = sqlx::query(
            "SELECT occurrence, change, moved_to FROM one_on_one_changes WHERE series_id = $1 \
             ORDER BY occurrence",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| exception_row(r)).collect()
    }
    async fn exceptions_of(
        &self,
        person: PersonId,
    ) -> CoreResult<std::collections::HashMap<SeriesId, Vec<Exception>>> {
        let rows = sqlx::query(
            "SELECT c.series_id, c.occurrence, c.change, c.moved_to FROM one_on_one_changes c \
             JOIN one_on_one_series s ON s.id = c.series_id \
             WHERE s.organiser_id = $1 OR s.other_id = $1 ORDER BY c.occurrence",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut out: std::collections::HashMap<SeriesId, Vec<Exception>> = Default::default();
        for r in &rows {
            out.entry(SeriesId(r.int("series_id")?))
                .or_default()
                .push(exception_row(r)?);
        }
        Ok(out)
    }
    async fn points(&self, id: SeriesId) -> CoreResult<Vec<Point>> {
        let rows = sqlx::query(
            "SELECT p.id, p.text, p.link, p.created_at, p.ticked_meeting, p.author_id, \
             a.name AS author_name, a.preferred_name AS author_preferred \
             FROM talking_points p JOIN people a ON a.id = p.author_id \
             WHERE p.series_id = $1 ORDER BY p.created_at, p.id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(Point {
                    id: PointId(r.int("id")?),
                    text: r.text("text")?,
                    author: name(r, "author_id", "author_name", "author_preferred")?,
                    created_at: r.int("created_at")?,
                    ticked_at_meeting: r
                        .text_or_null("ticked_meeting")?
                        .and_then(|d| d.parse().ok()),
                    link: r.text_or_null("link")?,
                })
            })
            .collect()
    }
    async fn shared_note(
        &self,
        id: SeriesId,
        occurrence: NaiveDate,
    ) -> CoreResult<Option<SharedNote>> {
        let row = sqlx::query(
            "SELECT n.text, n.updated_at, n.updated_by, p.name, p.preferred_name \
             FROM meeting_notes n JOIN people p ON p.id = n.updated_by \
             WHERE n.series_id = $1 AND n.occurrence = $2",
        )
        .bind(id.0)
        .bind(day_text(occurrence))
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.map(|r| {
            Ok(SharedNote {
                text: r.text("text")?,
                by: name(&r, "updated_by", "name", "preferred_name")?,
                at: r.int("updated_at")?,
            })
        })
        .transpose()
    }
    async fn private_note(
        &self,
        id: SeriesId,
        occurrence: NaiveDate,
        author: PersonId,
    ) -> CoreResult<Option<String>> {
        sqlx::query_scalar(
            "SELECT sealed FROM private_notes WHERE series_id = $1 AND occurrence = $2 AND author_id = $3",
        )
        .bind(id.0)
        .bind(day_text(occurrence))
        .bind(author.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)
    }
    async fn private_note_meetings(
        &self,
        id: SeriesId,
        author: PersonId,
    ) -> CoreResult<Vec<NaiveDate>> {
        let rows: Vec<String> = sqlx::query_scalar(
            "SELECT occurrence FROM private_notes WHERE series_id = $1 AND author_id = $2 ORDER BY occurrence",
        )
        .bind(id.0)
        .bind(author.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.iter().filter_map(|d| d.parse().ok()).collect())
    }
    async fn actions(&self, id: SeriesId) -> CoreResult<Vec<Action>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "{ACTION_SELECT} WHERE a.series_id = $1 ORDER BY a.created_at, a.id"
        )))
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter().map(|r| action_row(r)).collect()
    }
    async fn action(&self, id: ActionId) -> CoreResult<Option<(SeriesId, Action)>> {
        let row = sqlx::query(AssertSqlSafe(format!("{ACTION_SELECT} WHERE a.id = $1")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.map(|r| Ok((SeriesId(r.int("series_id")?), action_row(&r)?)))
            .transpose()
    }
    async fn calendar_token(&self, person: PersonId) -> CoreResult<Option<String>> {
        sqlx::query_scalar("SELECT sealed_token FROM calendar_feeds WHERE person_id = $1")
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)
    }
    async fn person_of_calendar(&self, digest: &str) -> CoreResult<Option<PersonId>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT person_id FROM calendar_feeds WHERE token_digest = $1")
                .bind(digest.to_string())
                .fetch_optional(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(id.map(PersonId))
    }
}
