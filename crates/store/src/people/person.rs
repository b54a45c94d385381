//! A person with their neighbourhood (manager chain, reports), through sqlx or the direct reader.

use super::*;
use crate::{SqlStore, map_err};
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::org::history::{HistoryEntry, HistoryField};
use trellis_core::org::store::Neighbourhood;
use trellis_core::org::{Person, PersonCard, SkillLevel, display_name};
use trellis_core::{LevelId, PersonId, TeamId};

pub(crate) const PERSON_SQL: &str = "SELECT p.id, p.employee_id, p.name, p.preferred_name, p.email, p.title, \
    p.level_id, l.code AS level_code, l.name AS level_name, p.team_id, t.name AS team_name, \
    p.manager_id, p.location, p.time_zone, p.start_date, p.status, \
    (SELECT COUNT(*) FROM people r WHERE r.manager_id = p.id AND r.status = 'active') AS report_count";
/// [`PERSON_SQL`] without counting reports, for queries that load the reports anyway.
pub(crate) const PERSON_SQL_UNCOUNTED: &str = "SELECT p.id, p.employee_id, p.name, p.preferred_name, p.email, \
    p.title, p.level_id, l.code AS level_code, l.name AS level_name, p.team_id, \
    t.name AS team_name, p.manager_id, p.location, p.time_zone, p.start_date, p.status, \
    0 AS report_count";
pub(crate) const PERSON_FROM: &str = "FROM people p LEFT JOIN teams t ON t.id = p.team_id \
    LEFT JOIN job_levels l ON l.id = p.level_id WHERE p.id = $1";

pub(crate) fn person_row(row: &AnyRow) -> CoreResult<Person> {
    let get = |name: &str| -> CoreResult<Option<String>> { row.try_get(name).map_err(map_err) };
    let id_of = |name: &str| -> CoreResult<Option<i64>> { row.try_get(name).map_err(map_err) };
    Ok(Person {
        id: PersonId(row.try_get("id").map_err(map_err)?),
        employee_id: get("employee_id")?,
        name: row.try_get("name").map_err(map_err)?,
        preferred_name: get("preferred_name")?,
        email: row.try_get("email").map_err(map_err)?,
        title: get("title")?,
        level_id: id_of("level_id")?.map(LevelId),
        level_code: get("level_code")?,
        level_name: get("level_name")?,
        team_id: id_of("team_id")?.map(TeamId),
        team_name: get("team_name")?,
        manager_id: id_of("manager_id")?.map(PersonId),
        location: get("location")?,
        time_zone: get("time_zone")?,
        start_date: date(get("start_date")?),
        status: status(&row.try_get::<String, _>("status").map_err(map_err)?),
        report_count: row.try_get("report_count").map_err(map_err)?,
    })
}

/// A card from the direct reader, by column position in [`CARD_COLUMNS`].
pub(crate) fn card_direct(row: &rusqlite::Row) -> rusqlite::Result<PersonCard> {
    let name: String = row.get(1)?;
    let preferred: Option<String> = row.get(2)?;
    Ok(PersonCard {
        id: PersonId(row.get(0)?),
        display_name: display_name(&name, preferred.as_deref()),
        email: row.get(3)?,
        title: row.get(4)?,
        team_name: row.get(5)?,
        location: row.get(6)?,
        status: status(&row.get::<_, String>(7)?),
        report_count: row.get(8)?,
    })
}

/// The person page's data through the direct SQLite reader.
pub(crate) fn neighbourhood_direct(
    conn: &rusqlite::Connection,
    id: PersonId,
) -> rusqlite::Result<Option<Neighbourhood>> {
    use rusqlite::OptionalExtension;
    let mut statement = conn.prepare_cached(&format!("{PERSON_SQL_UNCOUNTED} {PERSON_FROM}"))?;
    let Some(person) = statement.query_row([id.0], person_row_direct).optional()? else {
        return Ok(None);
    };
    let mut statement = conn.prepare_cached(
        "SELECT s.name, ps.level, ps.wants_to_grow FROM person_skills ps \
         JOIN skills s ON s.id = ps.skill_id WHERE ps.person_id = $1",
    )?;
    let mut skills = statement
        .query_map([id.0], |r| {
            Ok(SkillLevel {
                skill: r.get::<_, String>(0)?.into(),
                level: r.get::<_, i64>(1)? as u8,
                wants_to_grow: r.get::<_, i64>(2)? != 0,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    skills.sort();
    // Up the chain one keyed lookup at a time; the bound stops a loop in bad data.
    let mut statement = conn.prepare_cached(
        "SELECT p.id, p.name, p.preferred_name, p.email, p.title, t.name, p.location, p.status, \
         0, p.manager_id FROM people p LEFT JOIN teams t ON t.id = p.team_id WHERE p.id = $1",
    )?;
    let mut chain = Vec::new();
    let mut next = person.manager_id;
    while let Some(manager) = next.filter(|_| chain.len() < 200) {
        let found = statement
            .query_row([manager.0], |r| {
                Ok((card_direct(r)?, r.get::<_, Option<i64>>(9)?))
            })
            .optional()?;
        let Some((card, above)) = found else { break };
        chain.push(card);
        next = above.map(PersonId);
    }
    let mut statement = conn.prepare_cached(&format!(
        "SELECT {CARD_COLUMNS} FROM people p LEFT JOIN teams t ON t.id = p.team_id \
         WHERE p.manager_id = $1 AND p.status = 'active' ORDER BY p.name, p.id"
    ))?;
    let reports = statement
        .query_map([id.0], card_direct)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Some(Neighbourhood {
        person,
        skills,
        chain,
        reports,
    }))
}

/// [`person_row`] for the direct SQLite reader.
pub(crate) fn person_row_direct(row: &rusqlite::Row) -> rusqlite::Result<Person> {
    use crate::reader::text;
    let id_of = |name: &str| -> rusqlite::Result<Option<i64>> { row.get(name) };
    Ok(Person {
        id: PersonId(row.get("id")?),
        employee_id: text(row, "employee_id")?,
        name: row.get("name")?,
        preferred_name: text(row, "preferred_name")?,
        email: row.get("email")?,
        title: text(row, "title")?,
        level_id: id_of("level_id")?.map(LevelId),
        level_code: text(row, "level_code")?,
        level_name: text(row, "level_name")?,
        team_id: id_of("team_id")?.map(TeamId),
        team_name: text(row, "team_name")?,
        manager_id: id_of("manager_id")?.map(PersonId),
        location: text(row, "location")?,
        time_zone: text(row, "time_zone")?,
        start_date: date(text(row, "start_date")?),
        status: status(&row.get::<_, String>("status")?),
        report_count: row.get("report_count")?,
    })
}

#[async_trait::async_trait]
impl trellis_core::org::store::PersonStore for SqlStore {
    async fn person(&self, id: PersonId) -> CoreResult<Option<Person>> {
        let row = sqlx::query(AssertSqlSafe(format!("{PERSON_SQL} {PERSON_FROM}")))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        row.as_ref().map(person_row).transpose()
    }
    /// A person's neighbourhood; the report count comes from the reports loaded.
    async fn person_neighbourhood(&self, id: PersonId) -> CoreResult<Option<Neighbourhood>> {
        self.cached(
            |c| &c.neighbourhoods,
            id.0,
            || person_neighbourhood_counted(self, id),
        )
        .await
    }
    async fn person_with_reports(&self, id: PersonId) -> CoreResult<Option<PersonWithReports>> {
        self.cached(
            |c| &c.with_reports,
            id.0,
            || person_with_reports_counted(self, id),
        )
        .await
    }
    async fn person_id_by_email(&self, email: &str) -> CoreResult<Option<PersonId>> {
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&self.pool)
            .await
            .map_err(map_err)?;
        Ok(id.map(PersonId))
    }
    async fn manager_chain(&self, id: PersonId) -> CoreResult<Vec<PersonCard>> {
        // The depth guard stops a runaway query should the data ever hold a loop.
        let sql = format!(
            "WITH RECURSIVE chain(id, depth) AS ( \
               SELECT manager_id, 1 FROM people WHERE id = $1 AND manager_id IS NOT NULL \
               UNION ALL \
               SELECT q.manager_id, c.depth + 1 FROM people q JOIN chain c ON q.id = c.id \
               WHERE q.manager_id IS NOT NULL AND c.depth < 200) \
             SELECT {CARD_COLUMNS} FROM chain c JOIN people p ON p.id = c.id \
             LEFT JOIN teams t ON t.id = p.team_id ORDER BY c.depth"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_all(&self.pool)
            .await
            .map_err(map_err)?;
        rows.iter().map(card).collect()
    }
    async fn direct_reports(&self, id: PersonId) -> CoreResult<Vec<PersonCard>> {
        let sql = cards_as_json(self.backend, "p.manager_id = $1 AND p.status = 'active'");
        let packed: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        unpack_cards(packed)
    }
    async fn person_history(&self, id: PersonId) -> CoreResult<Vec<HistoryEntry>> {
        let rows = sqlx::query(
            "SELECT h.field, h.before_value, h.after_value, h.effective_on, h.actor_id, \
             a.name AS actor_name, h.source FROM person_history h \
             LEFT JOIN people a ON a.id = h.actor_id \
             WHERE h.person_id = $1 ORDER BY h.effective_on DESC, h.id DESC",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        rows.iter()
            .map(|row| {
                let field: String = row.try_get("field").map_err(map_err)?;
                let effective_on: String = row.try_get("effective_on").map_err(map_err)?;
                Ok(HistoryEntry {
                    person: id,
                    field: HistoryField::parse(&field)
                        .ok_or_else(|| CoreError::Internal(format!("history field {field:?}")))?,
                    before: row.try_get("before_value").map_err(map_err)?,
                    after: row.try_get("after_value").map_err(map_err)?,
                    effective_on: chrono::NaiveDate::parse_from_str(&effective_on, "%Y-%m-%d")
                        .map_err(|e| CoreError::Internal(format!("history date: {e}")))?,
                    actor: row
                        .try_get::<Option<i64>, _>("actor_id")
                        .map_err(map_err)?
                        .map(PersonId),
                    actor_name: row.try_get("actor_name").map_err(map_err)?,
                    source: row.try_get("source").map_err(map_err)?,
                })
            })
            .collect()
    }
}

pub(crate) fn text_column(row: &rusqlite::Row, name: &str) -> rusqlite::Result<Option<String>> {
    row.get(name)
}

/// A person with their active reports; the count comes from the reports loaded.
/// A person and their active reports.
pub(crate) type PersonWithReports = (Person, Vec<PersonCard>);

pub(crate) async fn person_with_reports_counted(
    store: &SqlStore,
    id: PersonId,
) -> CoreResult<Option<PersonWithReports>> {
    Ok(person_with_reports_uncounted(store, id)
        .await?
        .map(|(mut person, reports)| {
            person.report_count = reports.len() as i64;
            (person, reports)
        }))
}

pub(crate) async fn person_neighbourhood_counted(
    store: &SqlStore,
    id: PersonId,
) -> CoreResult<Option<Neighbourhood>> {
    Ok(person_neighbourhood_uncounted(store, id)
        .await?
        .map(|mut n| {
            n.person.report_count = n.reports.len() as i64;
            n
        }))
}

/// Skills packed into one text column: records split by U+001F, fields by U+001E.
pub(crate) fn unpack_skills(packed: Option<String>) -> Vec<SkillLevel> {
    let mut skills: Vec<SkillLevel> = packed
        .unwrap_or_default()
        .split('\u{1f}')
        .filter_map(|record| {
            let mut fields = record.split('\u{1e}');
            let skill = fields.next()?.into();
            let level = fields.next()?.parse().ok()?;
            let grow = fields.next()? != "0";
            Some(SkillLevel {
                skill,
                level,
                wants_to_grow: grow,
            })
        })
        .collect();
    skills.sort();
    skills
}

pub(crate) async fn person_with_reports_uncounted(
    store: &SqlStore,
    id: PersonId,
) -> CoreResult<Option<(Person, Vec<PersonCard>)>> {
    let sql = format!(
        "{PERSON_SQL_UNCOUNTED}, (SELECT {reports} FROM people p LEFT JOIN teams t ON t.id = p.team_id \
         WHERE p.manager_id = $1 AND p.status = 'active') AS reports {PERSON_FROM}",
        reports = card_aggregate(store.backend, "p.name, p.id"),
    );
    if let Some(reader) = &store.reader {
        let found = reader.read(|conn| {
            let mut statement = conn.prepare_cached(&sql)?;
            let mut rows = statement.query([id.0])?;
            match rows.next()? {
                Some(row) => Ok(Some((
                    person_row_direct(row)?,
                    text_column(row, "reports")?,
                ))),
                None => Ok(None),
            }
        })?;
        return found
            .map(|(person, reports)| Ok((person, unpack_cards(reports)?)))
            .transpose();
    }
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(&store.pool)
        .await
        .map_err(map_err)?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some((
        person_row(&row)?,
        unpack_cards(row.try_get("reports").map_err(map_err)?)?,
    )))
}

pub(crate) async fn person_neighbourhood_uncounted(
    store: &SqlStore,
    id: PersonId,
) -> CoreResult<Option<Neighbourhood>> {
    let skills = match store.backend {
        crate::Backend::Sqlite => {
            "group_concat(s.name || char(30) || ps.level || char(30) || ps.wants_to_grow, char(31))"
        }
        crate::Backend::Postgres => {
            "string_agg(s.name || chr(30) || ps.level || chr(30) || ps.wants_to_grow, chr(31))"
        }
    };
    // One round trip: the person, their skills, their managers (nearest first) and their
    // active reports (by name), the lists packed as JSON.
    let sql = format!(
        "{PERSON_SQL_UNCOUNTED}, \
         (SELECT {skills} FROM person_skills ps JOIN skills s ON s.id = ps.skill_id \
          WHERE ps.person_id = $1) AS skills, \
         (WITH RECURSIVE chain(id, depth) AS ( \
            SELECT manager_id, 1 FROM people WHERE id = $1 AND manager_id IS NOT NULL \
            UNION ALL \
            SELECT q.manager_id, c.depth + 1 FROM people q JOIN chain c ON q.id = c.id \
            WHERE q.manager_id IS NOT NULL AND c.depth < 200) \
          SELECT {chain} FROM chain c JOIN people p ON p.id = c.id \
          LEFT JOIN teams t ON t.id = p.team_id) AS chain, \
         (SELECT {reports} FROM people p LEFT JOIN teams t ON t.id = p.team_id \
          WHERE p.manager_id = $1 AND p.status = 'active') AS reports \
         {PERSON_FROM}",
        chain = card_aggregate_counting(store.backend, "c.depth", false),
        reports = card_aggregate(store.backend, "p.name, p.id"),
    );
    if let Some(reader) = &store.reader {
        // Without a thread hand-off, small keyed statements are cheaper than one query that
        // packs lists as JSON.
        return reader.read(|conn| neighbourhood_direct(conn, id));
    }
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(&store.pool)
        .await
        .map_err(map_err)?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Neighbourhood {
        person: person_row(&row)?,
        skills: unpack_skills(row.try_get("skills").map_err(map_err)?),
        chain: unpack_cards(row.try_get("chain").map_err(map_err)?)?,
        reports: unpack_cards(row.try_get("reports").map_err(map_err)?)?,
    }))
}
