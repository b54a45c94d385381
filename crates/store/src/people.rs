//! People, teams, levels, skills and settings.

use crate::{SqlStore, map_err};
use chrono::NaiveDate;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::org::people::PersonFields;
use trellis_core::org::{
    DirectoryFacets, JobLevel, Page, PeopleFilter, Person, PersonCard, PersonStatus, SkillLevel,
    Team, display_name,
};
use trellis_core::settings::Settings;
use trellis_core::store::{Neighbourhood, NewLevel, OrgCounts};
use trellis_core::{LevelId, PersonId, TeamId};

pub(crate) const CARD_COLUMNS: &str = "p.id, p.name, p.preferred_name, p.email, p.title, \
    t.name AS team_name, p.location, p.status, \
    (SELECT COUNT(*) FROM people r WHERE r.manager_id = p.id AND r.status = 'active') AS report_count";

pub(crate) fn card(row: &AnyRow) -> CoreResult<PersonCard> {
    let name: String = row.try_get("name").map_err(map_err)?;
    let preferred: Option<String> = row.try_get("preferred_name").map_err(map_err)?;
    Ok(PersonCard {
        id: PersonId(row.try_get("id").map_err(map_err)?),
        display_name: display_name(&name, preferred.as_deref()),
        email: row.try_get("email").map_err(map_err)?,
        title: row.try_get("title").map_err(map_err)?,
        team_name: row.try_get("team_name").map_err(map_err)?,
        location: row.try_get("location").map_err(map_err)?,
        status: status(&row.try_get::<String, _>("status").map_err(map_err)?),
        report_count: row.try_get("report_count").map_err(map_err)?,
    })
}

pub(crate) fn status(value: &str) -> PersonStatus {
    PersonStatus::parse(value).unwrap_or(PersonStatus::Active)
}

pub(crate) fn date(value: Option<String>) -> Option<NaiveDate> {
    value.and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok())
}

pub(crate) fn date_text(value: Option<NaiveDate>) -> Option<String> {
    value.map(|d| d.format("%Y-%m-%d").to_string())
}

/// What directory search matches against, lower-cased: only what every colleague may read
/// (employee ids are private; admins search them apart).
pub(crate) fn search_text(
    name: &str,
    preferred: Option<&str>,
    email: &str,
    title: Option<&str>,
) -> String {
    [Some(name), preferred, Some(email), title]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

pub async fn settings(store: &SqlStore) -> CoreResult<Settings> {
    store
        .cached(|c| &c.settings, (), || settings_uncached(store))
        .await
}

async fn settings_uncached(store: &SqlStore) -> CoreResult<Settings> {
    const SQL: &str = "SELECT key, value FROM settings";
    let pairs: Vec<(String, String)> = match &store.reader {
        // Read on every page: directly on SQLite.
        Some(reader) => reader.read(|conn| {
            conn.prepare_cached(SQL)?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        })?,
        None => sqlx::query_as(SQL)
            .fetch_all(&store.pool)
            .await
            .map_err(map_err)?,
    };
    let mut s = Settings::default();
    for (key, value) in pairs {
        match key.as_str() {
            "organisation_name" => s.organisation_name = value,
            "manager_word" => s.manager_word = value,
            "manager_word_plural" => s.manager_word_plural = value,
            "anonymity_k_360" => s.anonymity_k_360 = value.parse().unwrap_or(s.anonymity_k_360),
            "anonymity_k_survey" => {
                s.anonymity_k_survey = value.parse().unwrap_or(s.anonymity_k_survey)
            }
            "default_capacity_hours" => {
                s.default_capacity_hours = value.parse().unwrap_or(s.default_capacity_hours)
            }
            "workload_horizon_days" => {
                s.workload_horizon_days = value.parse().unwrap_or(s.workload_horizon_days)
            }
            "weight_skill_fit" => s.weight_skill_fit = value.parse().unwrap_or(s.weight_skill_fit),
            "weight_growth_wish" => {
                s.weight_growth_wish = value.parse().unwrap_or(s.weight_growth_wish)
            }
            "weight_stretch" => s.weight_stretch = value.parse().unwrap_or(s.weight_stretch),
            "weight_free_capacity" => {
                s.weight_free_capacity = value.parse().unwrap_or(s.weight_free_capacity)
            }
            "weight_move_off" => s.weight_move_off = value.parse().unwrap_or(s.weight_move_off),
            "currency" => s.currency = value,
            _ => {}
        }
    }
    Ok(s)
}

pub async fn save_settings(
    store: &SqlStore,
    s: &Settings,
    audit: Option<&trellis_core::store::AuditEntry>,
) -> CoreResult<()> {
    let mut tx = store.pool.begin().await.map_err(map_err)?;
    for (key, value) in [
        ("organisation_name", s.organisation_name.clone()),
        ("manager_word", s.manager_word.clone()),
        ("manager_word_plural", s.manager_word_plural.clone()),
        ("anonymity_k_360", s.anonymity_k_360.to_string()),
        ("anonymity_k_survey", s.anonymity_k_survey.to_string()),
        (
            "default_capacity_hours",
            s.default_capacity_hours.to_string(),
        ),
        ("workload_horizon_days", s.workload_horizon_days.to_string()),
        ("weight_skill_fit", s.weight_skill_fit.to_string()),
        ("weight_growth_wish", s.weight_growth_wish.to_string()),
        ("weight_stretch", s.weight_stretch.to_string()),
        ("weight_free_capacity", s.weight_free_capacity.to_string()),
        ("weight_move_off", s.weight_move_off.to_string()),
        ("currency", s.currency.clone()),
    ] {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut *tx)
        .await
        .map_err(map_err)?;
    }
    if let Some(audit) = audit {
        crate::accounts::audit_in(&mut tx, audit).await?;
    }
    tx.commit().await.map_err(map_err)
}

const PERSON_SQL: &str = "SELECT p.id, p.employee_id, p.name, p.preferred_name, p.email, p.title, \
    p.level_id, l.code AS level_code, l.name AS level_name, p.team_id, t.name AS team_name, \
    p.manager_id, p.location, p.time_zone, p.start_date, p.status, \
    (SELECT COUNT(*) FROM people r WHERE r.manager_id = p.id AND r.status = 'active') AS report_count";
/// [`PERSON_SQL`] without counting reports, for queries that load the reports anyway.
const PERSON_SQL_UNCOUNTED: &str = "SELECT p.id, p.employee_id, p.name, p.preferred_name, p.email, \
    p.title, p.level_id, l.code AS level_code, l.name AS level_name, p.team_id, \
    t.name AS team_name, p.manager_id, p.location, p.time_zone, p.start_date, p.status, \
    0 AS report_count";
const PERSON_FROM: &str = "FROM people p LEFT JOIN teams t ON t.id = p.team_id \
    LEFT JOIN job_levels l ON l.id = p.level_id WHERE p.id = $1";

fn person_row(row: &AnyRow) -> CoreResult<Person> {
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
fn card_direct(row: &rusqlite::Row) -> rusqlite::Result<PersonCard> {
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
fn neighbourhood_direct(
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
fn person_row_direct(row: &rusqlite::Row) -> rusqlite::Result<Person> {
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

pub async fn person(store: &SqlStore, id: PersonId) -> CoreResult<Option<Person>> {
    let row = sqlx::query(AssertSqlSafe(format!("{PERSON_SQL} {PERSON_FROM}")))
        .bind(id.0)
        .fetch_optional(&store.pool)
        .await
        .map_err(map_err)?;
    row.as_ref().map(person_row).transpose()
}

fn text_column(row: &rusqlite::Row, name: &str) -> rusqlite::Result<Option<String>> {
    row.get(name)
}

/// A person with their active reports; the count comes from the reports loaded.
/// A person and their active reports.
pub(crate) type PersonWithReports = (Person, Vec<PersonCard>);

pub async fn person_with_reports(
    store: &SqlStore,
    id: PersonId,
) -> CoreResult<Option<PersonWithReports>> {
    store
        .cached(
            |c| &c.with_reports,
            id.0,
            || person_with_reports_counted(store, id),
        )
        .await
}

async fn person_with_reports_counted(
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

/// A person's neighbourhood; the report count comes from the reports loaded.
pub async fn person_neighbourhood(
    store: &SqlStore,
    id: PersonId,
) -> CoreResult<Option<Neighbourhood>> {
    store
        .cached(
            |c| &c.neighbourhoods,
            id.0,
            || person_neighbourhood_counted(store, id),
        )
        .await
}

async fn person_neighbourhood_counted(
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
fn unpack_skills(packed: Option<String>) -> Vec<SkillLevel> {
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

async fn person_with_reports_uncounted(
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

async fn person_neighbourhood_uncounted(
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

pub async fn person_id_by_email(store: &SqlStore, email: &str) -> CoreResult<Option<PersonId>> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM people WHERE email = $1")
        .bind(email.trim().to_lowercase())
        .fetch_optional(&store.pool)
        .await
        .map_err(map_err)?;
    Ok(id.map(PersonId))
}

pub async fn manager_chain(store: &SqlStore, id: PersonId) -> CoreResult<Vec<PersonCard>> {
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
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    rows.iter().map(card).collect()
}

pub async fn direct_reports(store: &SqlStore, id: PersonId) -> CoreResult<Vec<PersonCard>> {
    let sql = cards_as_json(store.backend, "p.manager_id = $1 AND p.status = 'active'");
    let packed: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_one(&store.pool)
        .await
        .map_err(map_err)?;
    unpack_cards(packed)
}

/// A card as packed by [`cards_as_json`].
#[derive(serde::Deserialize)]
struct CardJson {
    id: i64,
    name: String,
    preferred_name: Option<String>,
    email: String,
    title: Option<String>,
    team_name: Option<String>,
    location: Option<String>,
    status: String,
    report_count: i64,
}

/// One row holding every matching card as a JSON array, ordered by name. The SQLite driver
/// hands each result row to the async side separately; one row instead of dozens saves
/// most of a list query's cost.
/// As [`cards_as_json`] for the first `limit` people by name after `offset`.
fn cards_as_json_page(backend: crate::Backend, filter: &str, limit: i64, offset: i64) -> String {
    format!(
        "SELECT {} FROM (SELECT * FROM people p WHERE {filter} ORDER BY p.name, p.id \
         LIMIT {limit} OFFSET {offset}) p LEFT JOIN teams t ON t.id = p.team_id",
        card_aggregate(backend, "p.name, p.id")
    )
}

pub(crate) fn cards_as_json(backend: crate::Backend, filter: &str) -> String {
    format!(
        "SELECT {} FROM people p LEFT JOIN teams t ON t.id = p.team_id WHERE {filter}",
        card_aggregate(backend, "p.name, p.id")
    )
}

/// The aggregate expression packing `p` (people) and `t` (their team) rows as JSON cards.
fn card_aggregate(backend: crate::Backend, order: &str) -> String {
    card_aggregate_counting(backend, order, true)
}

/// As [`card_aggregate`]; without `count_reports` every card says 0 reports, which saves a
/// lookup per card where the count is not shown (the manager chain).
fn card_aggregate_counting(backend: crate::Backend, order: &str, count_reports: bool) -> String {
    let (aggregate, object, cast) = match backend {
        crate::Backend::Sqlite => ("json_group_array", "json_object", ""),
        crate::Backend::Postgres => ("json_agg", "json_build_object", "::text"),
    };
    let count = if count_reports {
        "(SELECT COUNT(*) FROM people r WHERE r.manager_id = p.id AND r.status = 'active')"
    } else {
        "0"
    };
    format!(
        "{aggregate}({object}('id', p.id, 'name', p.name, 'preferred_name', p.preferred_name, \
         'email', p.email, 'title', p.title, 'team_name', t.name, 'location', p.location, \
         'status', p.status, 'report_count', {count}) ORDER BY {order}){cast}"
    )
}

pub(crate) fn unpack_cards(packed: Option<String>) -> CoreResult<Vec<PersonCard>> {
    let Some(packed) = packed else {
        return Ok(Vec::new());
    };
    let cards: Vec<CardJson> = serde_json::from_str(&packed).map_err(|e| {
        CoreError::Internal(format!("unreadable person list from the database: {e}"))
    })?;
    Ok(cards
        .into_iter()
        .map(|c| PersonCard {
            id: PersonId(c.id),
            display_name: display_name(&c.name, c.preferred_name.as_deref()),
            email: c.email,
            title: c.title,
            team_name: c.team_name,
            location: c.location,
            status: status(&c.status),
            report_count: c.report_count,
        })
        .collect())
}

pub async fn top_of_tree(store: &SqlStore) -> CoreResult<Vec<PersonCard>> {
    let sql = cards_as_json_page(
        store.backend,
        "p.manager_id IS NULL AND p.status = 'active'",
        200,
        0,
    );
    let packed: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(&store.pool)
        .await
        .map_err(map_err)?;
    unpack_cards(packed)
}

pub async fn list_people(store: &SqlStore, filter: &PeopleFilter) -> CoreResult<Page<PersonCard>> {
    let mut conditions: Vec<String> = Vec::new();
    let mut binds: Vec<BindValue> = Vec::new();
    if !filter.include_left {
        conditions.push("p.status = 'active'".into());
    }
    if let Some(q) = filter
        .query
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty())
    {
        for word in q.split_whitespace().take(5) {
            binds.push(BindValue::Text(format!(
                "%{}%",
                escape_like(&word.to_lowercase())
            )));
            let n = binds.len();
            conditions.push(if filter.search_employee_ids {
                format!("(p.search_text LIKE ${n} ESCAPE '\\' OR LOWER(p.employee_id) LIKE ${n} ESCAPE '\\')")
            } else {
                format!("p.search_text LIKE ${n} ESCAPE '\\'")
            });
        }
    }
    if let Some(team) = filter.team_id {
        binds.push(BindValue::Int(team.0));
        let n = binds.len();
        // A department includes its teams.
        conditions.push(format!(
            "(p.team_id = ${n} OR p.team_id IN (SELECT id FROM teams WHERE parent_id = ${n}))"
        ));
    }
    if let Some(location) = filter.location.as_deref().filter(|l| !l.is_empty()) {
        binds.push(BindValue::Text(location.to_string()));
        conditions.push(format!("p.location = ${}", binds.len()));
    }
    if let Some(level) = filter.level_id {
        binds.push(BindValue::Int(level.0));
        conditions.push(format!("p.level_id = ${}", binds.len()));
    }
    let where_clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    let count_sql = format!("SELECT COUNT(*) FROM people p {where_clause}");
    let mut count_query = sqlx::query_scalar::<_, i64>(AssertSqlSafe(count_sql));
    for b in &binds {
        count_query = match b {
            BindValue::Text(t) => count_query.bind(t.clone()),
            BindValue::Int(i) => count_query.bind(*i),
        };
    }
    let total = count_query.fetch_one(&store.pool).await.map_err(map_err)?;
    let per_page = filter.per_page.max(1);
    let page = filter.page.max(1);
    let offset = (page as i64 - 1) * per_page as i64;
    let filter_sql = if conditions.is_empty() {
        "1 = 1".to_string()
    } else {
        conditions.join(" AND ")
    };
    let sql = cards_as_json_page(store.backend, &filter_sql, per_page as i64, offset);
    let mut query = sqlx::query_scalar::<_, Option<String>>(AssertSqlSafe(sql));
    for b in &binds {
        query = match b {
            BindValue::Text(t) => query.bind(t.clone()),
            BindValue::Int(i) => query.bind(*i),
        };
    }
    let packed = query.fetch_one(&store.pool).await.map_err(map_err)?;
    Ok(Page {
        items: unpack_cards(packed)?,
        total,
        page,
        per_page,
    })
}

enum BindValue {
    Text(String),
    Int(i64),
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

pub async fn directory_facets(store: &SqlStore) -> CoreResult<DirectoryFacets> {
    let locations: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT location FROM people WHERE location IS NOT NULL AND status = 'active' ORDER BY location",
    )
    .fetch_all(&store.pool)
    .await
    .map_err(map_err)?;
    Ok(DirectoryFacets {
        teams: teams(store).await?,
        locations,
        levels: levels(store).await?,
    })
}

/// The 13 stored fields of a person, bound as `$1`…`$13` in the order of the column lists
/// below.
fn person_arguments(f: &PersonFields) -> CoreResult<sqlx::any::AnyArguments> {
    use sqlx::Arguments;
    let mut args = sqlx::any::AnyArguments::default();
    let search = search_text(
        &f.name,
        f.preferred_name.as_deref(),
        &f.email,
        f.title.as_deref(),
    );
    let bound = [
        args.add(f.employee_id.clone()),
        args.add(f.name.clone()),
        args.add(f.preferred_name.clone()),
        args.add(f.email.clone()),
        args.add(f.title.clone()),
        args.add(f.level_id.map(|l| l.0)),
        args.add(f.team_id.map(|t| t.0)),
        args.add(f.manager_id.map(|m| m.0)),
        args.add(f.location.clone()),
        args.add(f.time_zone.clone()),
        args.add(date_text(f.start_date)),
        args.add(f.status.as_str().to_string()),
        args.add(search),
    ];
    for result in bound {
        result.map_err(|e| CoreError::Internal(e.to_string()))?;
    }
    Ok(args)
}

pub async fn create_person(store: &SqlStore, f: &PersonFields) -> CoreResult<PersonId> {
    let mut conn = store.pool.acquire().await.map_err(map_err)?;
    create_person_in(&mut conn, f).await
}

pub(crate) async fn create_person_in(
    conn: &mut sqlx::AnyConnection,
    f: &PersonFields,
) -> CoreResult<PersonId> {
    let id: i64 = sqlx::query_scalar_with(
        "INSERT INTO people (employee_id, name, preferred_name, email, title, level_id, team_id, \
         manager_id, location, time_zone, start_date, status, search_text) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        person_arguments(f)?,
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(map_err)?;
    Ok(PersonId(id))
}

pub async fn update_person(store: &SqlStore, id: PersonId, f: &PersonFields) -> CoreResult<()> {
    let mut conn = store.pool.acquire().await.map_err(map_err)?;
    update_person_in(&mut conn, id, f).await
}

pub(crate) async fn update_person_in(
    conn: &mut sqlx::AnyConnection,
    id: PersonId,
    f: &PersonFields,
) -> CoreResult<()> {
    use sqlx::Arguments;
    let mut args = person_arguments(f)?;
    args.add(id.0)
        .map_err(|e| CoreError::Internal(e.to_string()))?;
    let result = sqlx::query_with(
        "UPDATE people SET employee_id = $1, name = $2, preferred_name = $3, email = $4, title = $5, \
         level_id = $6, team_id = $7, manager_id = $8, location = $9, time_zone = $10, \
         start_date = $11, status = $12, search_text = $13 WHERE id = $14",
        args,
    )
    .execute(&mut *conn)
    .await
    .map_err(map_err)?;
    if result.rows_affected() == 0 {
        return Err(CoreError::NotFound(format!("person {id}")));
    }
    Ok(())
}

pub async fn set_person_skills(
    store: &SqlStore,
    id: PersonId,
    skills: &[SkillLevel],
) -> CoreResult<()> {
    let mut tx = store.pool.begin().await.map_err(map_err)?;
    set_person_skills_in(&mut tx, id, skills).await?;
    tx.commit().await.map_err(map_err)
}

pub(crate) async fn set_person_skills_in(
    conn: &mut sqlx::AnyConnection,
    id: PersonId,
    skills: &[SkillLevel],
) -> CoreResult<()> {
    sqlx::query("DELETE FROM person_skills WHERE person_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    for s in skills {
        sqlx::query("INSERT INTO skills (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(s.skill.to_string())
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
        sqlx::query(
            "INSERT INTO person_skills (person_id, skill_id, level, wants_to_grow) \
             SELECT $1, id, $2, $3 FROM skills WHERE name = $4",
        )
        .bind(id.0)
        .bind(s.level as i64)
        .bind(s.wants_to_grow as i64)
        .bind(s.skill.to_string())
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}

const TEAM_COLUMNS: &str = "t.id, t.name, t.parent_id, pt.name AS parent_name, \
    (SELECT COUNT(*) FROM people p WHERE p.team_id = t.id AND p.status = 'active') AS member_count";

fn team_row(row: &AnyRow) -> CoreResult<Team> {
    Ok(Team {
        id: TeamId(row.try_get("id").map_err(map_err)?),
        name: row.try_get("name").map_err(map_err)?,
        parent_id: row
            .try_get::<Option<i64>, _>("parent_id")
            .map_err(map_err)?
            .map(TeamId),
        parent_name: row.try_get("parent_name").map_err(map_err)?,
        member_count: row.try_get("member_count").map_err(map_err)?,
    })
}

pub async fn teams(store: &SqlStore) -> CoreResult<Vec<Team>> {
    let sql = format!(
        "SELECT {TEAM_COLUMNS} FROM teams t LEFT JOIN teams pt ON pt.id = t.parent_id \
         ORDER BY COALESCE(pt.name, t.name), t.parent_id IS NOT NULL, t.name"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    rows.iter().map(team_row).collect()
}

pub async fn team(store: &SqlStore, id: TeamId) -> CoreResult<Option<Team>> {
    let sql = format!(
        "SELECT {TEAM_COLUMNS} FROM teams t LEFT JOIN teams pt ON pt.id = t.parent_id WHERE t.id = $1"
    );
    let row = sqlx::query(AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_optional(&store.pool)
        .await
        .map_err(map_err)?;
    row.as_ref().map(team_row).transpose()
}

pub async fn sub_teams(store: &SqlStore, id: TeamId) -> CoreResult<Vec<Team>> {
    let sql = format!(
        "SELECT {TEAM_COLUMNS} FROM teams t LEFT JOIN teams pt ON pt.id = t.parent_id \
         WHERE t.parent_id = $1 ORDER BY t.name"
    );
    let rows = sqlx::query(AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_all(&store.pool)
        .await
        .map_err(map_err)?;
    rows.iter().map(team_row).collect()
}

pub async fn team_members(store: &SqlStore, id: TeamId) -> CoreResult<Vec<PersonCard>> {
    let sql = cards_as_json_page(
        store.backend,
        "p.team_id = $1 AND p.status = 'active'",
        2000,
        0,
    );
    let packed: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql))
        .bind(id.0)
        .fetch_one(&store.pool)
        .await
        .map_err(map_err)?;
    unpack_cards(packed)
}

fn level_row(row: &AnyRow) -> CoreResult<JobLevel> {
    Ok(JobLevel {
        id: LevelId(row.try_get("id").map_err(map_err)?),
        code: row.try_get("code").map_err(map_err)?,
        name: row.try_get("name").map_err(map_err)?,
        rank: row.try_get("rank").map_err(map_err)?,
        expectations: row.try_get("expectations").map_err(map_err)?,
    })
}

pub async fn levels(store: &SqlStore) -> CoreResult<Vec<JobLevel>> {
    let rows = sqlx::query(
        "SELECT id, code, name, rank, expectations FROM job_levels ORDER BY rank, code",
    )
    .fetch_all(&store.pool)
    .await
    .map_err(map_err)?;
    rows.iter().map(level_row).collect()
}

pub async fn level(store: &SqlStore, id: LevelId) -> CoreResult<Option<JobLevel>> {
    let row =
        sqlx::query("SELECT id, code, name, rank, expectations FROM job_levels WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&store.pool)
            .await
            .map_err(map_err)?;
    row.as_ref().map(level_row).transpose()
}

const UPSERT_LEVEL: &str = "INSERT INTO job_levels (code, name, rank, expectations) \
    VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
    rank = excluded.rank, expectations = excluded.expectations RETURNING id";

fn upsert_level_query(
    level: &NewLevel,
) -> sqlx::query::QueryScalar<'static, sqlx::Any, i64, sqlx::any::AnyArguments> {
    sqlx::query_scalar(UPSERT_LEVEL)
        .bind(level.code.clone())
        .bind(level.name.clone())
        .bind(level.rank)
        .bind(level.expectations.clone())
}

pub async fn upsert_level(store: &SqlStore, level: &NewLevel) -> CoreResult<LevelId> {
    let id = upsert_level_query(level)
        .fetch_one(&store.pool)
        .await
        .map_err(map_err)?;
    Ok(LevelId(id))
}

/// Adds or updates every level, in one transaction.
pub async fn upsert_levels(store: &SqlStore, levels: &[NewLevel]) -> CoreResult<()> {
    let mut tx = store.pool.begin().await.map_err(map_err)?;
    for level in levels {
        upsert_level_query(level)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_err)?;
    }
    tx.commit().await.map_err(map_err)
}

pub async fn counts(store: &SqlStore) -> CoreResult<OrgCounts> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM people) AS people, \
         (SELECT COUNT(*) FROM people WHERE status = 'active') AS active_people, \
         (SELECT COUNT(*) FROM teams) AS teams, (SELECT COUNT(*) FROM accounts) AS accounts",
    )
    .fetch_one(&store.pool)
    .await
    .map_err(map_err)?;
    Ok(OrgCounts {
        people: row.try_get("people").map_err(map_err)?,
        active_people: row.try_get("active_people").map_err(map_err)?,
        teams: row.try_get("teams").map_err(map_err)?,
        accounts: row.try_get("accounts").map_err(map_err)?,
    })
}
