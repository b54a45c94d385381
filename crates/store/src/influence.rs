//! Interactions: imported ties between people, one row per tie, day and kind.

use crate::Backend;
use crate::bulk::{Value, insert_new_rows, insert_rows};
use crate::mentoring::day_text;
use crate::sql::{Columns, Params, fetch};
use crate::unit::SqlUnit;
use crate::{SqlStore, map_err};
use chrono::NaiveDate;
use std::fmt::Write;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::PersonId;
use trellis_core::influence::figures::Figures;
use trellis_core::influence::store::{InfluenceStore, InfluenceWrite, TieToAdviser};
use trellis_core::influence::{Interaction, InteractionKind};

#[async_trait::async_trait]
impl InfluenceStore for SqlStore {
    async fn begin_influence_write(&self) -> CoreResult<Box<dyn InfluenceWrite + '_>> {
        Ok(SqlUnit::begin(self).await?)
    }

    async fn add_interactions(&self, rows: &[Interaction]) -> CoreResult<usize> {
        // A file can hold millions of rows: each batch goes as one JSON parameter that the
        // database unpacks itself, rather than four bound values a row.
        const BATCH: usize = 100_000;
        let sql = match self.backend {
            Backend::Sqlite => {
                "INSERT INTO interactions (from_id, to_id, on_day, kind) \
                 SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each($1) \
                 WHERE true ON CONFLICT DO NOTHING"
            }
            Backend::Postgres => {
                "INSERT INTO interactions (from_id, to_id, on_day, kind) \
                 SELECT (e ->> 0)::bigint, (e ->> 1)::bigint, e ->> 2, e ->> 3 \
                 FROM json_array_elements($1::json) e ON CONFLICT DO NOTHING"
            }
        };
        let mut tx = self.pool.begin().await.map_err(map_err)?;
        let mut added = 0;
        for batch in rows.chunks(BATCH) {
            let mut json = String::with_capacity(batch.len() * 40);
            json.push('[');
            for (k, i) in batch.iter().enumerate() {
                if k > 0 {
                    json.push(',');
                }
                let _ = write!(
                    json,
                    "[{},{},\"{}\",\"{}\"]",
                    i.from.0,
                    i.to.0,
                    i.on.format("%Y-%m-%d"),
                    i.kind.as_str()
                );
            }
            json.push(']');
            added += sqlx::query(sql)
                .bind(json)
                .execute(&mut *tx)
                .await
                .map_err(map_err)?
                .rows_affected();
        }
        tx.commit().await.map_err(map_err)?;
        Ok(added as usize)
    }

    async fn held_advice_ties(
        &self,
        since: chrono::NaiveDate,
        since_at: i64,
    ) -> CoreResult<Vec<(PersonId, PersonId)>> {
        let rows = sqlx::query(
            "SELECT mentee_id AS seeker, mentor_id AS adviser FROM mentorships \
             WHERE ends_on >= $1 \
             UNION ALL \
             SELECT r.asked_by AS seeker, p.person_id AS adviser FROM feedback_requests r \
             JOIN feedback_request_people p ON p.request_id = r.id WHERE r.created_at >= $2 \
             UNION ALL \
             SELECT seeker_id AS seeker, adviser_id AS adviser FROM advice_answers \
             WHERE round_on >= $1",
        )
        .bind(day_text(since))
        .bind(since_at)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((PersonId(r.int("seeker")?), PersonId(r.int("adviser")?))))
            .collect()
    }
    async fn interactions_since(&self, since: chrono::NaiveDate) -> CoreResult<Vec<Interaction>> {
        // A million rows for a large organisation: on the direct SQLite reader when there
        // is one, the kind as a number.
        let mut p = Params::new();
        let since = p.bind(day_text(since))?;
        let sql = format!(
            "SELECT from_id, to_id, on_day, CASE kind WHEN 'advice' THEN 0 WHEN 'meeting' THEN 1 \
             WHEN 'message' THEN 2 ELSE 3 END AS kind FROM interactions WHERE on_day >= {since}"
        );
        fetch(self, sql, p, |r| {
            Ok(Interaction {
                from: PersonId(r.int("from_id")?),
                to: PersonId(r.int("to_id")?),
                on: r.day("on_day")?,
                kind: InteractionKind::ALL[r.int("kind")?.clamp(0, 3) as usize],
            })
        })
        .await
    }

    async fn held_interactions(&self, since_at: i64) -> CoreResult<Vec<(PersonId, PersonId)>> {
        let rows = sqlx::query(
            "SELECT from_id AS a, about_id AS b FROM feedback WHERE created_at >= $1 \
             UNION ALL \
             SELECT requester_id AS a, owner_id AS b FROM commitments \
             WHERE created_at >= $1 AND requester_id IS NOT NULL AND requester_id <> owner_id \
             UNION ALL \
             SELECT x.person_id AS a, y.person_id AS b FROM connect_groups g \
             JOIN connect_rounds r ON r.id = g.round_id \
             JOIN connect_group_members x ON x.round_id = g.round_id AND x.position = g.position \
             JOIN connect_group_members y ON y.round_id = g.round_id AND y.position = g.position \
               AND y.person_id > x.person_id \
             WHERE g.outcome = 'met' AND r.run_at >= $1",
        )
        .bind(since_at)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((PersonId(r.int("a")?), PersonId(r.int("b")?))))
            .collect()
    }

    async fn advice_ties_to(
        &self,
        adviser: PersonId,
        since: NaiveDate,
    ) -> CoreResult<Vec<TieToAdviser>> {
        // Feedback requests are dated by their creation (Unix seconds, UTC days).
        let since_at = since
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp())
            .unwrap_or(0);
        let rows = sqlx::query(
            "SELECT from_id AS seeker, on_day AS first_day, on_day AS last_day \
             FROM interactions WHERE to_id = $1 AND kind = 'advice' AND on_day >= $2 \
             UNION ALL \
             SELECT mentee_id, starts_on, ends_on FROM mentorships \
             WHERE mentor_id = $1 AND ends_on >= $2 \
             UNION ALL \
             SELECT seeker_id, round_on, round_on FROM advice_answers \
             WHERE adviser_id = $1 AND round_on >= $2 \
             UNION ALL \
             SELECT r.asked_by, NULL, CAST(r.created_at AS TEXT) FROM feedback_requests r \
             JOIN feedback_request_people p ON p.request_id = r.id \
             WHERE p.person_id = $1 AND r.created_at >= $3",
        )
        .bind(adviser.0)
        .bind(day_text(since))
        .bind(since_at)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                let seeker = PersonId(r.int("seeker")?);
                let first: Option<String> = r.text_or_null("first_day")?;
                let (first_day, last_day) = match first {
                    Some(first) => (parse_day(&first)?, parse_day(&r.text("last_day")?)?),
                    None => {
                        let at: i64 = r.text("last_day")?.parse().map_err(|_| {
                            CoreError::Internal("a feedback request without a time".into())
                        })?;
                        let day = chrono::DateTime::from_timestamp(at, 0)
                            .map(|t| t.date_naive())
                            .unwrap_or(since);
                        (day, day)
                    }
                };
                Ok(TieToAdviser {
                    seeker,
                    first_day,
                    last_day,
                })
            })
            .collect()
    }

    async fn latest_pulse_round(&self) -> CoreResult<Option<NaiveDate>> {
        let row = sqlx::query("SELECT MAX(opens_on) AS latest FROM advice_pulse_rounds")
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        r_day_or_null(&row, "latest")
    }

    async fn pulse_response(&self, round: NaiveDate, person: PersonId) -> CoreResult<Option<u32>> {
        let row = sqlx::query(
            "SELECT named FROM advice_pulse_responses WHERE round_on = $1 AND person_id = $2",
        )
        .bind(day_text(round))
        .bind(person.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.map(|r| Ok(r.int("named")? as u32)).transpose()
    }

    async fn pulse_turnout(&self, round: NaiveDate) -> CoreResult<(u32, u32)> {
        let row = sqlx::query(
            "SELECT r.asked AS asked, \
             (SELECT COUNT(*) FROM advice_pulse_responses a WHERE a.round_on = r.opens_on) \
             AS answered FROM advice_pulse_rounds r WHERE r.opens_on = $1",
        )
        .bind(day_text(round))
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        match row {
            Some(r) => Ok((r.int("asked")? as u32, r.int("answered")? as u32)),
            None => Ok((0, 0)),
        }
    }

    async fn influence_computed_on(&self) -> CoreResult<Option<NaiveDate>> {
        let row = sqlx::query("SELECT MAX(computed_on) AS latest FROM influence_figures")
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        r_day_or_null(&row, "latest")
    }

    async fn influence_figures(&self, person: Option<PersonId>) -> CoreResult<Vec<Figures>> {
        // Two statements rather than `$1 = 0 OR …`, which would read every row for one.
        let only = if person.is_some() {
            "WHERE person_id = $1"
        } else {
            "WHERE $1 = 0"
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT person_id, computed_on, influence_outside_line, advice_sought_by, reach, \
             brokerage, reach_percentile, brokerage_percentile, informal_leader \
             FROM influence_figures {only} ORDER BY person_id"
        )))
        .bind(person.map_or(0, |p| p.0))
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(Figures {
                    person_id: PersonId(r.int("person_id")?),
                    computed_on: r.day("computed_on")?,
                    influence_outside_line: r.int("influence_outside_line")? as u32,
                    advice_sought_by: r.int("advice_sought_by")? as u32,
                    reach: r.real("reach")?,
                    brokerage: r.real("brokerage")?,
                    reach_percentile: r.real("reach_percentile")?,
                    brokerage_percentile: r.real("brokerage_percentile")?,
                    informal_leader: r.int("informal_leader")? != 0,
                })
            })
            .collect()
    }
}

fn parse_day(text: &str) -> CoreResult<NaiveDate> {
    text.parse()
        .map_err(|_| CoreError::Internal(format!("{text:?} is not a day")))
}

fn r_day_or_null(row: &sqlx::any::AnyRow, column: &str) -> CoreResult<Option<NaiveDate>> {
    row.text_or_null(column)?.map(|t| parse_day(&t)).transpose()
}

#[async_trait::async_trait]
impl InfluenceWrite for SqlUnit {
    async fn open_pulse_round(
        &mut self,
        opens_on: NaiveDate,
        at: i64,
        asked: u32,
    ) -> CoreResult<bool> {
        let added = insert_new_rows(
            &mut self.tx,
            self.backend,
            "advice_pulse_rounds",
            &["opens_on", "asked_at", "asked"],
            &[vec![
                Value::Text(Some(day_text(opens_on))),
                Value::Int(Some(at)),
                Value::Int(Some(i64::from(asked))),
            ]],
        )
        .await?;
        Ok(added == 1)
    }

    async fn save_pulse_answer(
        &mut self,
        round: NaiveDate,
        seeker: PersonId,
        advisers: &[PersonId],
        at: i64,
    ) -> CoreResult<()> {
        for table in ["advice_answers", "advice_pulse_responses"] {
            let column = if table == "advice_answers" {
                "seeker_id"
            } else {
                "person_id"
            };
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE round_on = $1 AND {column} = $2"
            )))
            .bind(day_text(round))
            .bind(seeker.0)
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        }
        let round_text = day_text(round);
        let rows: Vec<Vec<Value>> = advisers
            .iter()
            .map(|a| {
                vec![
                    Value::Text(Some(round_text.clone())),
                    Value::Int(Some(seeker.0)),
                    Value::Int(Some(a.0)),
                ]
            })
            .collect();
        insert_rows(
            &mut self.tx,
            self.backend,
            "advice_answers",
            &["round_on", "seeker_id", "adviser_id"],
            &rows,
        )
        .await?;
        insert_rows(
            &mut self.tx,
            self.backend,
            "advice_pulse_responses",
            &["round_on", "person_id", "named", "answered_at"],
            &[vec![
                Value::Text(Some(round_text)),
                Value::Int(Some(seeker.0)),
                Value::Int(Some(advisers.len() as i64)),
                Value::Int(Some(at)),
            ]],
        )
        .await
    }

    async fn save_influence_figures(&mut self, rows: &[Figures]) -> CoreResult<()> {
        sqlx::query("DELETE FROM influence_figures")
            .execute(&mut *self.tx)
            .await
            .map_err(map_err)?;
        let values: Vec<Vec<Value>> = rows
            .iter()
            .map(|f| {
                vec![
                    Value::Int(Some(f.person_id.0)),
                    Value::Text(Some(day_text(f.computed_on))),
                    Value::Int(Some(i64::from(f.influence_outside_line))),
                    Value::Int(Some(i64::from(f.advice_sought_by))),
                    Value::Real(Some(f.reach)),
                    Value::Real(Some(f.brokerage)),
                    Value::Real(Some(f.reach_percentile)),
                    Value::Real(Some(f.brokerage_percentile)),
                    Value::Int(Some(i64::from(f.informal_leader))),
                ]
            })
            .collect();
        insert_rows(
            &mut self.tx,
            self.backend,
            "influence_figures",
            &[
                "person_id",
                "computed_on",
                "influence_outside_line",
                "advice_sought_by",
                "reach",
                "brokerage",
                "reach_percentile",
                "brokerage_percentile",
                "informal_leader",
            ],
            &values,
        )
        .await
    }
}
