//! Mentee goals, mentor profiles, matching rounds and mentorships.

use crate::bulk::{Value, insert_rows};
use crate::growth::json_array;
use crate::sql::Columns;
use crate::work::person_name;
use crate::{SqlStore, map_err};
use chrono::NaiveDate;
use sqlx::AssertSqlSafe;
use trellis_core::PersonId;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::ids::PersonName;
use trellis_core::ids::{LevelId, MentorshipId, RoundId};
use trellis_core::mentoring::{
    EarlyEnd, MenteeEntry, MenteeGoals, MentorEntry, MentorProfile, Mentorship, NewMentorship,
    NewRound, NewRoundPair, Round, RoundGoal, RoundPair,
};

pub(crate) fn day_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn skills_from_json(raw: &str) -> Vec<String> {
    serde_json::from_str(raw).unwrap_or_default()
}

fn required_name(
    row: &dyn Columns,
    id: &str,
    name: &str,
    preferred: &str,
) -> CoreResult<PersonName> {
    person_name(row, id, name, preferred)?
        .ok_or_else(|| CoreError::Internal(format!("no person in {id}")))
}

#[async_trait::async_trait]
impl trellis_core::mentoring::store::MentoringStore for SqlStore {
    async fn begin_mentoring_write(
        &self,
    ) -> CoreResult<Box<dyn trellis_core::mentoring::store::MentoringWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
    async fn mentee_goals(&self, person: PersonId) -> CoreResult<Option<MenteeGoals>> {
        let row = sqlx::query(
            "SELECT skills, must_have_skill, target_level_id, note FROM mentee_goals \
             WHERE person_id = $1",
        )
        .bind(person.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.map(|r| {
            Ok(MenteeGoals {
                skills: skills_from_json(&r.text("skills")?),
                must_have: r.text_or_null("must_have_skill")?,
                target_level: r.int_or_null("target_level_id")?.map(LevelId),
                note: r.text("note")?,
            })
        })
        .transpose()
    }
    async fn save_mentee_goals(
        &self,
        person: PersonId,
        g: &MenteeGoals,
        at: i64,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO mentee_goals (person_id, skills, must_have_skill, target_level_id, note, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (person_id) DO UPDATE SET \
             skills = excluded.skills, must_have_skill = excluded.must_have_skill, \
             target_level_id = excluded.target_level_id, note = excluded.note, \
             updated_at = excluded.updated_at",
        )
        .bind(person.0)
        .bind(json_array(&g.skills)?)
        .bind(g.must_have.clone())
        .bind(g.target_level.map(|l| l.0))
        .bind(g.note.clone())
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn delete_mentee_goals(&self, person: PersonId) -> CoreResult<()> {
        sqlx::query("DELETE FROM mentee_goals WHERE person_id = $1")
            .bind(person.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn mentor_profile(&self, person: PersonId) -> CoreResult<Option<MentorProfile>> {
        let row = sqlx::query(
            "SELECT strengths, capacity, note FROM mentor_profiles WHERE person_id = $1",
        )
        .bind(person.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.map(|r| {
            Ok(MentorProfile {
                strengths: skills_from_json(&r.text("strengths")?),
                capacity: r.int("capacity")?.max(0) as u32,
                note: r.text("note")?,
            })
        })
        .transpose()
    }
    async fn save_mentor_profile(
        &self,
        person: PersonId,
        p: &MentorProfile,
        at: i64,
    ) -> CoreResult<()> {
        sqlx::query(
            "INSERT INTO mentor_profiles (person_id, strengths, capacity, note, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (person_id) DO UPDATE SET \
             strengths = excluded.strengths, capacity = excluded.capacity, note = excluded.note, \
             updated_at = excluded.updated_at",
        )
        .bind(person.0)
        .bind(json_array(&p.strengths)?)
        .bind(i64::from(p.capacity))
        .bind(p.note.clone())
        .bind(at)
        .execute(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(())
    }
    async fn delete_mentor_profile(&self, person: PersonId) -> CoreResult<()> {
        sqlx::query("DELETE FROM mentor_profiles WHERE person_id = $1")
            .bind(person.0)
            .execute(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(())
    }
    async fn mentoring_pool(
        &self,
        today: NaiveDate,
    ) -> CoreResult<(Vec<MenteeEntry>, Vec<MentorEntry>)> {
        let today = day_text(today);
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.preferred_name, l.rank AS level_rank, g.skills, \
             g.must_have_skill, g.target_level_id, g.note, t.rank AS target_rank, \
             t.name AS target_name \
             FROM mentee_goals g JOIN people p ON p.id = g.person_id \
             LEFT JOIN job_levels l ON l.id = p.level_id \
             LEFT JOIN job_levels t ON t.id = g.target_level_id \
             WHERE p.status = 'active' AND NOT EXISTS (SELECT 1 FROM mentorships m \
               WHERE m.mentee_id = p.id AND m.starts_on <= $1 AND m.ends_on >= $1 \
               AND (m.ended_on IS NULL OR m.ended_on > $1)) \
             ORDER BY p.id",
        )
        .bind(today.clone())
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mentees = rows
            .iter()
            .map(|r| {
                Ok(MenteeEntry {
                    person: required_name(r, "id", "name", "preferred_name")?,
                    level_rank: r.int_or_null("level_rank")?,
                    goals: MenteeGoals {
                        skills: skills_from_json(&r.text("skills")?),
                        must_have: r.text_or_null("must_have_skill")?,
                        target_level: r.int_or_null("target_level_id")?.map(LevelId),
                        note: r.text("note")?,
                    },
                    target_rank: r.int_or_null("target_rank")?,
                    target_name: r.text_or_null("target_name")?,
                })
            })
            .collect::<CoreResult<Vec<_>>>()?;
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.preferred_name, l.rank AS level_rank, l.name AS level_name, \
             f.strengths, f.capacity, (SELECT COUNT(*) FROM mentorships m WHERE m.mentor_id = p.id \
               AND m.starts_on <= $1 AND m.ends_on >= $1 \
               AND (m.ended_on IS NULL OR m.ended_on > $1)) AS running \
             FROM mentor_profiles f JOIN people p ON p.id = f.person_id \
             LEFT JOIN job_levels l ON l.id = p.level_id \
             WHERE p.status = 'active' ORDER BY p.id",
        )
        .bind(today)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        let mut mentors = Vec::new();
        for r in &rows {
            let places = (r.int("capacity")? - r.int("running")?).max(0) as u32;
            if places == 0 {
                continue;
            }
            mentors.push(MentorEntry {
                person: required_name(r, "id", "name", "preferred_name")?,
                level_rank: r.int_or_null("level_rank")?,
                level_name: r.text_or_null("level_name")?,
                strengths: skills_from_json(&r.text("strengths")?),
                places,
            });
        }
        Ok((mentees, mentors))
    }
    async fn manager_links(&self) -> CoreResult<Vec<(PersonId, PersonId)>> {
        let rows = sqlx::query(
            "SELECT id, manager_id FROM people WHERE status = 'active' AND manager_id IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| Ok((PersonId(r.int("id")?), PersonId(r.int("manager_id")?))))
            .collect()
    }
    async fn mentoring_rounds(&self) -> CoreResult<Vec<Round>> {
        let sql = format!("{ROUND_SELECT} ORDER BY r.created_at DESC, r.id DESC");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(|r| round_of(r)).collect()
    }
    async fn mentoring_round(&self, id: RoundId) -> CoreResult<Option<Round>> {
        let sql = format!("{ROUND_SELECT} WHERE r.id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.map(|r| round_of(&r)).transpose()
    }
    async fn round_pairs(&self, id: RoundId) -> CoreResult<Vec<RoundPair>> {
        let rows = sqlx::query(
            "SELECT x.mentee_id, e.name AS mentee_name, e.preferred_name AS mentee_preferred, \
             x.mentor_id, o.name AS mentor_name, o.preferred_name AS mentor_preferred, x.score, \
             x.explanation, x.goals FROM mentoring_pairs x JOIN people e ON e.id = x.mentee_id \
             LEFT JOIN people o ON o.id = x.mentor_id WHERE x.round_id = $1 ORDER BY x.mentee_id",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(RoundPair {
                    mentee: required_name(r, "mentee_id", "mentee_name", "mentee_preferred")?,
                    mentor: person_name(r, "mentor_id", "mentor_name", "mentor_preferred")?,
                    score: r.int("score")?,
                    explanation: r.text("explanation")?,
                    goals: r.text("goals")?,
                })
            })
            .collect()
    }
    async fn mentorships_of(&self, person: PersonId) -> CoreResult<Vec<Mentorship>> {
        if self.cache.is_some() {
            let involved = self
                .cached(
                    |c| &c.in_mentorships,
                    (),
                    || async {
                        let pairs: Vec<(i64, i64)> =
                            sqlx::query_as("SELECT mentee_id, mentor_id FROM mentorships")
                                .fetch_all(&self.pool)
                                .await
                                .map_err(map_err)?;
                        Ok(std::sync::Arc::new(
                            pairs.into_iter().flat_map(|(a, b)| [a, b]).collect(),
                        ))
                    },
                )
                .await?;
            if !involved.contains(&person.0) {
                return Ok(Vec::new());
            }
        }
        if let Some(reader) = &self.reader {
            // On every person page: a keyed read without the hand-off to sqlx's worker.
            return reader
                .read(|conn| {
                    let mut statement = conn.prepare_cached(&MENTORSHIPS_SQL)?;
                    let rows = statement
                        .query_map([person.0], |row| Ok(mentorship_row(row)))?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    Ok(rows)
                })?
                .into_iter()
                .collect();
        }
        self.cached(
            |c| &c.mentorships,
            person.0,
            || async {
                let rows = sqlx::query(MENTORSHIPS_SQL.as_str())
                    .bind(person.0)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(map_err)?;
                rows.iter().map(|r| mentorship_row(r)).collect()
            },
        )
        .await
    }
    async fn mentorship(&self, id: MentorshipId) -> CoreResult<Option<Mentorship>> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "{MENTORSHIP_COLUMNS} WHERE m.id = $1"
        )))
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await
        .map_err(map_err)?;
        row.as_ref().map(|r| mentorship_row(r)).transpose()
    }
}

pub(crate) async fn create_round_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::Backend,
    round: &NewRound,
    pairs: &[NewRoundPair],
) -> CoreResult<RoundId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO mentoring_rounds (name, goal, ends_on, published, created_by, created_at, \
         mentees, mentors) VALUES ($1, $2, $3, 0, $4, $5, $6, $7) RETURNING id",
    )
    .bind(round.name.clone())
    .bind(round.goal.as_str())
    .bind(day_text(round.ends_on))
    .bind(round.created_by.0)
    .bind(round.created_at)
    .bind(round.mentees)
    .bind(round.mentors)
    .fetch_one(&mut **tx)
    .await
    .map_err(map_err)?;
    let rows: Vec<Vec<Value>> = pairs
        .iter()
        .map(|p| {
            vec![
                Value::Int(Some(id)),
                Value::Int(Some(p.mentee.0)),
                Value::Int(p.mentor.map(|m| m.0)),
                Value::Int(Some(p.score)),
                Value::Text(Some(p.explanation.clone())),
                Value::Text(Some(p.goals.clone())),
            ]
        })
        .collect();
    insert_rows(
        tx,
        backend,
        "mentoring_pairs",
        &[
            "round_id",
            "mentee_id",
            "mentor_id",
            "score",
            "explanation",
            "goals",
        ],
        &rows,
    )
    .await?;
    Ok(RoundId(id))
}

const ROUND_SELECT: &str = "SELECT r.id, r.name, r.goal, r.ends_on, r.published, r.created_by, \
    c.name AS creator_name, c.preferred_name AS creator_preferred, r.created_at, \
    r.published_at, r.mentees, r.mentors, \
    (SELECT COUNT(*) FROM mentoring_pairs x WHERE x.round_id = r.id \
       AND x.mentor_id IS NOT NULL) AS matched, \
    (SELECT CAST(COALESCE(SUM(x.score), 0) AS BIGINT) FROM mentoring_pairs x WHERE x.round_id = r.id \
       AND x.mentor_id IS NOT NULL) AS total_score \
    FROM mentoring_rounds r JOIN people c ON c.id = r.created_by";

fn round_of(r: &dyn Columns) -> CoreResult<Round> {
    Ok(Round {
        id: RoundId(r.int("id")?),
        name: r.text("name")?,
        goal: RoundGoal::parse(&r.text("goal")?).unwrap_or(RoundGoal::HighestTotal),
        ends_on: r.day("ends_on")?,
        published: r.int("published")? != 0,
        created_by: required_name(r, "created_by", "creator_name", "creator_preferred")?,
        created_at: r.int("created_at")?,
        published_at: r.int_or_null("published_at")?,
        mentees: r.int("mentees")?,
        mentors: r.int("mentors")?,
        matched: r.int("matched")?,
        total_score: r.int("total_score")?,
    })
}

pub(crate) async fn remove_round_pair_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: RoundId,
    mentee: PersonId,
    explanation: &str,
) -> CoreResult<()> {
    sqlx::query(
        "UPDATE mentoring_pairs SET mentor_id = NULL, score = 0, explanation = $1 \
         WHERE round_id = $2 AND mentee_id = $3",
    )
    .bind(explanation.to_string())
    .bind(id.0)
    .bind(mentee.0)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    Ok(())
}

pub(crate) async fn mark_published_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: RoundId,
    by: PersonId,
    at: i64,
) -> CoreResult<()> {
    let changed = sqlx::query(
        "UPDATE mentoring_rounds SET published = 1, published_by = $1, published_at = $2 \
         WHERE id = $3 AND published = 0",
    )
    .bind(by.0)
    .bind(at)
    .bind(id.0)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?
    .rows_affected();
    if changed == 0 {
        return Err(CoreError::Conflict(
            "this round is already published".into(),
        ));
    }
    Ok(())
}
pub(crate) async fn create_mentorships_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    backend: crate::Backend,
    round: RoundId,
    mentorships: &[NewMentorship],
    at: i64,
) -> CoreResult<()> {
    let rows: Vec<Vec<Value>> = mentorships
        .iter()
        .map(|m| {
            vec![
                Value::Int(Some(m.mentee.0)),
                Value::Int(Some(m.mentor.0)),
                Value::Int(Some(round.0)),
                Value::Text(Some(m.goals.clone())),
                Value::Text(Some(day_text(m.starts_on))),
                Value::Text(Some(day_text(m.ends_on))),
                Value::Int(Some(at)),
            ]
        })
        .collect();
    insert_rows(
        tx,
        backend,
        "mentorships",
        &[
            "mentee_id",
            "mentor_id",
            "round_id",
            "goals",
            "starts_on",
            "ends_on",
            "created_at",
        ],
        &rows,
    )
    .await
}

const MENTORSHIP_COLUMNS: &str = "SELECT m.id, m.mentee_id, e.name AS mentee_name, \
    e.preferred_name AS mentee_preferred, m.mentor_id, o.name AS mentor_name, \
    o.preferred_name AS mentor_preferred, m.goals, m.starts_on, m.ends_on, m.round_id, \
    m.ended_on, m.end_note, m.ended_by, b.name AS ended_by_name, \
    b.preferred_name AS ended_by_preferred \
    FROM mentorships m JOIN people e ON e.id = m.mentee_id JOIN people o ON o.id = m.mentor_id \
    LEFT JOIN people b ON b.id = m.ended_by";

/// One person's mentorships, newest first.
static MENTORSHIPS_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{MENTORSHIP_COLUMNS} WHERE m.mentee_id = $1 OR m.mentor_id = $1 \
         ORDER BY m.starts_on DESC, m.id DESC"
    )
});

fn mentorship_row(r: &dyn Columns) -> CoreResult<Mentorship> {
    Ok(Mentorship {
        id: MentorshipId(r.int("id")?),
        mentee: required_name(r, "mentee_id", "mentee_name", "mentee_preferred")?,
        mentor: required_name(r, "mentor_id", "mentor_name", "mentor_preferred")?,
        goals: r.text("goals")?,
        starts_on: r.day("starts_on")?,
        ends_on: r.day("ends_on")?,
        round_id: r.int_or_null("round_id")?.map(RoundId),
        ended: match r.text_or_null("ended_on")? {
            None => None,
            Some(_) => Some(EarlyEnd {
                on: r.day("ended_on")?,
                by: match r.int_or_null("ended_by")? {
                    Some(_) => Some(required_name(
                        r,
                        "ended_by",
                        "ended_by_name",
                        "ended_by_preferred",
                    )?),
                    None => None,
                },
                note: r.text("end_note")?,
            }),
        },
    })
}

pub(crate) async fn end_mentorship_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: MentorshipId,
    on: NaiveDate,
    by: PersonId,
    note: &str,
) -> CoreResult<bool> {
    let done = sqlx::query(
        "UPDATE mentorships SET ended_on = $1, ended_by = $2, end_note = $3 \
         WHERE id = $4 AND ended_on IS NULL",
    )
    .bind(on.to_string())
    .bind(by.0)
    .bind(note.to_string())
    .bind(id.0)
    .execute(&mut **tx)
    .await
    .map_err(map_err)?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    Ok(true)
}

/// Mentoring's steps of a unit of work.
#[async_trait::async_trait]
impl trellis_core::mentoring::store::MentoringWrite for crate::unit::SqlUnit {
    async fn create_round(
        &mut self,
        round: &trellis_core::mentoring::NewRound,
        pairs: &[trellis_core::mentoring::NewRoundPair],
    ) -> CoreResult<trellis_core::ids::RoundId> {
        create_round_in(&mut self.tx, self.backend, round, pairs).await
    }
    async fn remove_round_pair(
        &mut self,
        id: trellis_core::ids::RoundId,
        mentee: PersonId,
        explanation: &str,
    ) -> CoreResult<()> {
        remove_round_pair_in(&mut self.tx, id, mentee, explanation).await
    }
    async fn mark_published(
        &mut self,
        id: trellis_core::ids::RoundId,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()> {
        mark_published_in(&mut self.tx, id, by, at).await
    }
    async fn create_mentorships(
        &mut self,
        round: trellis_core::ids::RoundId,
        mentorships: &[trellis_core::mentoring::NewMentorship],
        at: i64,
    ) -> CoreResult<()> {
        create_mentorships_in(&mut self.tx, self.backend, round, mentorships, at).await
    }
    async fn end_mentorship(
        &mut self,
        id: trellis_core::ids::MentorshipId,
        on: chrono::NaiveDate,
        by: PersonId,
        note: &str,
    ) -> CoreResult<bool> {
        end_mentorship_in(&mut self.tx, id, on, by, note).await
    }
}
