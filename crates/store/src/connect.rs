//! Connection programmes, choices, private exclusions and rounds.

use crate::bulk::{Value, insert_rows};
use crate::mentoring::day_text;
use crate::sql::Columns;
use crate::{SqlStore, map_err};
use chrono::NaiveTime;
use std::collections::HashMap;
use trellis_core::PersonId;
use trellis_core::connect::PreferAcross;
use trellis_core::connect::programmes::{Audience, Choice, NewProgramme, Programme};
use trellis_core::connect::rounds::{ConnectMeeting, NewRound, Outcome, StoredGroup, StoredRound};
use trellis_core::connect::slots::WorkingHours;
use trellis_core::connect::store::{ConnectStore, ConnectWrite};
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::{ConnectGroupId, ConnectRoundId, ProgrammeId};

const PROGRAMME_COLUMNS: &str = "id, name, audience_kind, audience_value, rhythm_weeks, \
    group_size, odd_one, prefer_across, first_round_on, owner_id, created_at, archived_at";

fn prefer_text(p: PreferAcross) -> &'static str {
    match p {
        PreferAcross::Nothing => "nothing",
        PreferAcross::Team => "team",
        PreferAcross::Department => "department",
        PreferAcross::Location => "location",
    }
}

/// A group audience is kept as a list whose value names the group: the table's CHECK on
/// the audience kind predates groups, and SQLite changes a CHECK only by rebuilding a table
/// that others refer to.
const GROUP_PREFIX: &str = "group:";

fn audience_kind(a: &Audience) -> &'static str {
    match a {
        Audience::Group { .. } => "list",
        other => other.kind(),
    }
}

fn audience_value(a: &Audience) -> String {
    match a {
        Audience::Department(v) | Audience::Location(v) => v.clone(),
        Audience::Tree(p) => p.0.to_string(),
        Audience::Group { id, .. } => format!("{GROUP_PREFIX}{id}"),
        Audience::Everyone | Audience::List(_) => String::new(),
    }
}

impl SqlStore {
    async fn programme_rows(&self, filter: Option<ProgrammeId>) -> CoreResult<Vec<Programme>> {
        let sql = format!(
            "SELECT {PROGRAMME_COLUMNS} FROM connect_programmes {} ORDER BY id",
            if filter.is_some() {
                "WHERE id = $1"
            } else {
                ""
            }
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        if let Some(id) = filter {
            query = query.bind(id.0);
        }
        let rows = query.fetch_all(&self.pool).await.map_err(map_err)?;
        let lists: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT programme_id, person_id FROM connect_list_members ORDER BY person_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut list_of: HashMap<i64, Vec<PersonId>> = HashMap::new();
        for (programme, person) in lists {
            list_of.entry(programme).or_default().push(PersonId(person));
        }
        let mut programmes = Vec::with_capacity(rows.len());
        for r in &rows {
            let id = r.int("id")?;
            let value = r.text("audience_value")?;
            let audience = match r.text("audience_kind")?.as_str() {
                "everyone" => Audience::Everyone,
                "department" => Audience::Department(value),
                "location" => Audience::Location(value),
                "tree" => Audience::Tree(PersonId(value.parse().unwrap_or_default())),
                // A group's members as they are now; a deleted group has nobody.
                "list" if value.starts_with(GROUP_PREFIX) => {
                    let id: i64 = value[GROUP_PREFIX.len()..].parse().unwrap_or_default();
                    let group =
                        trellis_core::provisioning::store::ProvisioningStore::group(self, id)
                            .await?;
                    let (name, members) = group.map(|g| (g.name, g.members)).unwrap_or_default();
                    Audience::Group { id, name, members }
                }
                _ => Audience::List(list_of.remove(&id).unwrap_or_default()),
            };
            programmes.push(programme(r, id, audience)?);
        }
        Ok(programmes)
    }
}

fn programme(r: &sqlx::any::AnyRow, id: i64, audience: Audience) -> CoreResult<Programme> {
    Ok(Programme {
        id: ProgrammeId(id),
        name: r.text("name")?,
        audience,
        rhythm_weeks: r.int("rhythm_weeks")? as u32,
        group_size: r.int("group_size")? as usize,
        odd_one: r.text("odd_one")?,
        prefer_across: PreferAcross::parse(&r.text("prefer_across")?).unwrap_or(PreferAcross::Team),
        first_round_on: r.day("first_round_on")?,
        owner: r.int_or_null("owner_id")?.map(PersonId),
        created_at: r.int("created_at")?,
        archived_at: r.int_or_null("archived_at")?,
    })
}

fn group_of(r: &sqlx::any::AnyRow) -> CoreResult<StoredGroup> {
    Ok(StoredGroup {
        id: ConnectGroupId(r.int("id")?),
        round: ConnectRoundId(r.int("round_id")?),
        members: Vec::new(),
        outcome: r
            .text_or_null("outcome")?
            .as_deref()
            .and_then(Outcome::parse),
        suggested_at: r.int_or_null("suggested_at")?,
    })
}

fn hours_of(r: &sqlx::any::AnyRow) -> CoreResult<WorkingHours> {
    let time = |column: &str| -> CoreResult<NaiveTime> {
        let text = r.text(column)?;
        NaiveTime::parse_from_str(&text, "%H:%M").map_err(|_| {
            CoreError::Internal(format!("working_hours.{column} is not a time: {text}"))
        })
    };
    Ok(WorkingHours {
        weekdays: r
            .text("weekdays")?
            .split(',')
            .filter_map(|d| d.trim().parse().ok())
            .collect(),
        starts: time("starts")?,
        ends: time("ends")?,
    })
}

#[async_trait::async_trait]
impl ConnectStore for SqlStore {
    async fn begin_connect_write(&self) -> CoreResult<Box<dyn ConnectWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
    async fn programmes(&self) -> CoreResult<Vec<Programme>> {
        self.programme_rows(None).await
    }
    async fn programme(&self, id: ProgrammeId) -> CoreResult<Option<Programme>> {
        Ok(self.programme_rows(Some(id)).await?.pop())
    }
    async fn choices(&self, programme: ProgrammeId) -> CoreResult<Vec<(PersonId, Choice)>> {
        let rows = sqlx::query(
            "SELECT person_id, opted_out, snoozed_until FROM connect_choices \
             WHERE programme_id = $1",
        )
        .bind(programme.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok((
                    PersonId(r.int("person_id")?),
                    Choice {
                        opted_out: r.int("opted_out")? != 0,
                        snoozed_until: r
                            .text_or_null("snoozed_until")?
                            .and_then(|d| d.parse().ok()),
                    },
                ))
            })
            .collect()
    }
    async fn set_choice(
        &self,
        programme: ProgrammeId,
        person: PersonId,
        choice: &Choice,
        at: i64,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO connect_choices (programme_id, person_id, opted_out, snoozed_until, \
             updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (programme_id, person_id) DO \
             UPDATE SET opted_out = excluded.opted_out, snoozed_until = excluded.snoozed_until, \
             updated_at = excluded.updated_at",
        )
        .bind(programme.0)
        .bind(person.0)
        .bind(i64::from(choice.opted_out))
        .bind(choice.snoozed_until.map(day_text))
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn all_exclusions(&self) -> CoreResult<Vec<(PersonId, PersonId)>> {
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT person_id, excluded_id FROM connect_exclusions")
                .fetch_all(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|(a, b)| (PersonId(a), PersonId(b)))
            .collect())
    }
    async fn exclusions_by(&self, person: PersonId) -> CoreResult<Vec<PersonId>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT excluded_id FROM connect_exclusions WHERE person_id = $1 ORDER BY excluded_id",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(rows.into_iter().map(|(p,)| PersonId(p)).collect())
    }
    async fn set_exclusion(
        &self,
        person: PersonId,
        excluded: PersonId,
        on: bool,
        at: i64,
    ) -> CoreResult<()> {
        let query = if on {
            sqlx::query(
                "INSERT INTO connect_exclusions (person_id, excluded_id, created_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (person_id, excluded_id) DO NOTHING",
            )
            .bind(person.0)
            .bind(excluded.0)
            .bind(at)
        } else {
            sqlx::query("DELETE FROM connect_exclusions WHERE person_id = $1 AND excluded_id = $2")
                .bind(person.0)
                .bind(excluded.0)
        };
        query.execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }
    async fn connect_rounds_run(&self, programme: ProgrammeId) -> CoreResult<u32> {
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(number) FROM connect_rounds WHERE programme_id = $1")
                .bind(programme.0)
                .fetch_one(&self.pool)
                .await
                .map_err(map_err)?;
        Ok(last.unwrap_or(0) as u32)
    }
    async fn connect_rounds(&self, programme: ProgrammeId) -> CoreResult<Vec<StoredRound>> {
        let rounds = sqlx::query(
            "SELECT id, number, run_on, run_by, members, summary FROM connect_rounds \
             WHERE programme_id = $1 ORDER BY number",
        )
        .bind(programme.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut out: Vec<StoredRound> = rounds
            .iter()
            .map(|r| {
                Ok(StoredRound {
                    id: ConnectRoundId(r.int("id")?),
                    number: r.int("number")? as u32,
                    run_on: r.day("run_on")?,
                    run_by: r.int_or_null("run_by")?.map(PersonId),
                    members: r.int("members")? as u32,
                    summary: r.text("summary")?,
                    groups: Vec::new(),
                    sit_out: Vec::new(),
                })
            })
            .collect::<CoreResult<_>>()?;
        let at: HashMap<i64, usize> = out.iter().enumerate().map(|(i, r)| (r.id.0, i)).collect();
        let groups = sqlx::query(
            "SELECT g.id, g.round_id, g.position, g.outcome, g.suggested_at FROM connect_groups g \
             JOIN connect_rounds r ON r.id = g.round_id WHERE r.programme_id = $1 \
             ORDER BY g.round_id, g.position",
        )
        .bind(programme.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut slot: HashMap<(i64, i64), (usize, usize)> = HashMap::new();
        for g in &groups {
            // A round written by another instance since the rounds were read waits for
            // the next read.
            let Some(&round) = at.get(&g.int("round_id")?) else {
                continue;
            };
            slot.insert(
                (g.int("round_id")?, g.int("position")?),
                (round, out[round].groups.len()),
            );
            out[round].groups.push(group_of(g)?);
        }
        let members: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT m.round_id, m.position, m.person_id, m.odd FROM connect_group_members m \
             JOIN connect_rounds r ON r.id = m.round_id WHERE r.programme_id = $1 \
             ORDER BY m.round_id, m.position, m.person_id",
        )
        .bind(programme.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        for (round, position, person, odd) in members {
            if let Some(&(r, g)) = slot.get(&(round, position)) {
                out[r].groups[g].members.push((PersonId(person), odd != 0));
            }
        }
        let sitouts: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT s.round_id, s.person_id FROM connect_sitouts s \
             JOIN connect_rounds r ON r.id = s.round_id WHERE r.programme_id = $1 \
             ORDER BY s.person_id",
        )
        .bind(programme.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        for (round, person) in sitouts {
            if let Some(&r) = at.get(&round) {
                out[r].sit_out.push(PersonId(person));
            }
        }
        Ok(out)
    }
    async fn all_working_hours(&self) -> CoreResult<Vec<(PersonId, WorkingHours)>> {
        let rows = sqlx::query("SELECT person_id, weekdays, starts, ends FROM working_hours")
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((PersonId(r.int("person_id")?), hours_of(r)?)))
            .collect()
    }
    async fn working_hours(&self, person: PersonId) -> CoreResult<Option<WorkingHours>> {
        let row = sqlx::query(
            "SELECT person_id, weekdays, starts, ends FROM working_hours WHERE person_id = $1",
        )
        .bind(person.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(hours_of).transpose()
    }
    async fn set_working_hours(
        &self,
        person: PersonId,
        hours: Option<&WorkingHours>,
        at: i64,
    ) -> CoreResult<()> {
        let query = match hours {
            Some(h) => sqlx::query(
                "INSERT INTO working_hours (person_id, weekdays, starts, ends, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id) DO UPDATE SET \
                 weekdays = excluded.weekdays, starts = excluded.starts, ends = excluded.ends, \
                 updated_at = excluded.updated_at",
            )
            .bind(person.0)
            .bind(
                h.weekdays
                    .iter()
                    .map(u8::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            )
            .bind(h.starts.format("%H:%M").to_string())
            .bind(h.ends.format("%H:%M").to_string())
            .bind(at),
            None => sqlx::query("DELETE FROM working_hours WHERE person_id = $1").bind(person.0),
        };
        query.execute(&self.pool).await.map_err(map_err)?;
        Ok(())
    }
    async fn connect_meetings_of(&self, person: PersonId) -> CoreResult<Vec<ConnectMeeting>> {
        let rows = sqlx::query(
            "SELECT g.id, g.suggested_at, g.outcome, r.run_on, p.name AS programme, \
             COALESCE(o.preferred_name, o.name) AS other \
             FROM connect_group_members m \
             JOIN connect_groups g ON g.round_id = m.round_id AND g.position = m.position \
             JOIN connect_rounds r ON r.id = g.round_id \
             JOIN connect_programmes p ON p.id = r.programme_id \
             JOIN connect_group_members om ON om.round_id = m.round_id \
                  AND om.position = m.position AND om.person_id <> m.person_id \
             JOIN people o ON o.id = om.person_id \
             WHERE m.person_id = $1 \
             ORDER BY r.run_on DESC, g.id DESC, o.name",
        )
        .bind(person.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut out: Vec<ConnectMeeting> = Vec::new();
        for r in &rows {
            let group = ConnectGroupId(r.int("id")?);
            let other = r.text("other")?;
            match out.last_mut() {
                Some(last) if last.group == group => last.with.push(other),
                _ => out.push(ConnectMeeting {
                    group,
                    programme: r.text("programme")?,
                    run_on: r.day("run_on")?,
                    starts_at: r.int_or_null("suggested_at")?,
                    with: vec![other],
                    outcome: r
                        .text_or_null("outcome")?
                        .as_deref()
                        .and_then(Outcome::parse),
                }),
            }
        }
        Ok(out)
    }
    async fn connect_group(
        &self,
        group: ConnectGroupId,
    ) -> CoreResult<Option<(ProgrammeId, StoredGroup)>> {
        let Some(row) = sqlx::query(
            "SELECT g.id, g.round_id, g.position, g.outcome, g.suggested_at, r.programme_id \
             FROM connect_groups g JOIN connect_rounds r ON r.id = g.round_id WHERE g.id = $1",
        )
        .bind(group.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?
        else {
            return Ok(None);
        };
        let mut found = group_of(&row)?;
        let members: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT person_id, odd FROM connect_group_members WHERE round_id = $1 \
             AND position = $2 ORDER BY person_id",
        )
        .bind(row.int("round_id")?)
        .bind(row.int("position")?)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        found.members = members
            .into_iter()
            .map(|(p, odd)| (PersonId(p), odd != 0))
            .collect();
        Ok(Some((ProgrammeId(row.int("programme_id")?), found)))
    }
}

#[async_trait::async_trait]
impl ConnectWrite for crate::unit::SqlUnit {
    async fn create_programme(&mut self, p: &NewProgramme) -> CoreResult<ProgrammeId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO connect_programmes (name, audience_kind, audience_value, rhythm_weeks, \
             group_size, odd_one, prefer_across, first_round_on, owner_id, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(p.name.clone())
        .bind(audience_kind(&p.audience))
        .bind(audience_value(&p.audience))
        .bind(i64::from(p.rhythm_weeks))
        .bind(p.group_size as i64)
        .bind(p.odd_one)
        .bind(prefer_text(p.prefer_across))
        .bind(day_text(p.first_round_on))
        .bind(p.owner.map(|o| o.0))
        .bind(p.created_at)
        .fetch_one(&mut *self.tx)
        .await
        .map_err(map_err)?;
        if let Audience::List(people) = &p.audience {
            let mut unique = people.clone();
            unique.sort();
            unique.dedup();
            let rows: Vec<Vec<Value>> = unique
                .iter()
                .map(|person| vec![Value::Int(Some(id)), Value::Int(Some(person.0))])
                .collect();
            insert_rows(
                &mut self.tx,
                self.backend,
                "connect_list_members",
                &["programme_id", "person_id"],
                &rows,
            )
            .await?;
        }
        Ok(ProgrammeId(id))
    }
    async fn archive_programme(&mut self, programme: ProgrammeId, at: i64) -> CoreResult<()> {
        sqlx::query(
            "UPDATE connect_programmes SET archived_at = $2 WHERE id = $1 AND archived_at IS NULL",
        )
        .bind(programme.0)
        .bind(at)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn create_connect_round(&mut self, round: &NewRound) -> CoreResult<ConnectRoundId> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO connect_rounds (programme_id, number, run_on, run_at, run_by, members, \
             summary) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(round.programme.0)
        .bind(i64::from(round.number))
        .bind(day_text(round.run_on))
        .bind(round.run_at)
        .bind(round.run_by.map(|p| p.0))
        .bind(i64::from(round.members))
        .bind(round.summary.clone())
        .fetch_one(&mut *self.tx)
        .await
        .map_err(|e| match map_err(e) {
            CoreError::Conflict(_) => CoreError::Conflict(format!(
                "round {} of this programme has already been run",
                round.number
            )),
            other => other,
        })?;
        let groups: Vec<Vec<Value>> = (0..round.groups.len())
            .map(|position| {
                vec![
                    Value::Int(Some(id)),
                    Value::Int(Some(position as i64)),
                    Value::Int(round.suggested.get(position).copied().flatten()),
                ]
            })
            .collect();
        insert_rows(
            &mut self.tx,
            self.backend,
            "connect_groups",
            &["round_id", "position", "suggested_at"],
            &groups,
        )
        .await?;
        let members: Vec<Vec<Value>> = round
            .groups
            .iter()
            .enumerate()
            .flat_map(|(position, group)| {
                group.iter().map(move |(person, odd)| {
                    vec![
                        Value::Int(Some(id)),
                        Value::Int(Some(position as i64)),
                        Value::Int(Some(person.0)),
                        Value::Int(Some(i64::from(*odd))),
                    ]
                })
            })
            .collect();
        insert_rows(
            &mut self.tx,
            self.backend,
            "connect_group_members",
            &["round_id", "position", "person_id", "odd"],
            &members,
        )
        .await?;
        let sitouts: Vec<Vec<Value>> = round
            .sit_out
            .iter()
            .map(|p| vec![Value::Int(Some(id)), Value::Int(Some(p.0))])
            .collect();
        insert_rows(
            &mut self.tx,
            self.backend,
            "connect_sitouts",
            &["round_id", "person_id"],
            &sitouts,
        )
        .await?;
        Ok(ConnectRoundId(id))
    }
    async fn set_outcome(
        &mut self,
        group: ConnectGroupId,
        outcome: Outcome,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()> {
        sqlx::query(
            "UPDATE connect_groups SET outcome = $1, outcome_by = $2, outcome_at = $3 WHERE id = $4",
        )
        .bind(outcome.as_str())
        .bind(by.0)
        .bind(at)
        .bind(group.0)
        .execute(&mut *self.tx)
        .await
        .map_err(map_err)?;
        Ok(())
    }
}
