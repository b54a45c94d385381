//! Directory cards packed as JSON, the directory's list and its facets.

use super::*;
use crate::{SqlStore, map_err};
use sqlx::AssertSqlSafe;
use trellis_core::PersonId;
use trellis_core::error::{CoreError, CoreResult};
use trellis_core::org::store::TeamStore;
use trellis_core::org::{DirectoryFacets, Page, PeopleFilter, PersonCard, display_name};

/// A card as packed by [`cards_as_json`].
#[derive(serde::Deserialize)]
pub(crate) struct CardJson {
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
pub(crate) fn cards_as_json_page(
    backend: crate::Backend,
    filter: &str,
    limit: i64,
    offset: i64,
) -> String {
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
pub(crate) fn card_aggregate(backend: crate::Backend, order: &str) -> String {
    card_aggregate_counting(backend, order, true)
}

/// As [`card_aggregate`]; without `count_reports` every card says 0 reports, which saves a
/// lookup per card where the count is not shown (the manager chain).
pub(crate) fn card_aggregate_counting(
    backend: crate::Backend,
    order: &str,
    count_reports: bool,
) -> String {
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

#[async_trait::async_trait]
impl trellis_core::org::store::DirectoryStore for SqlStore {
    async fn top_of_tree(&self) -> CoreResult<Vec<PersonCard>> {
        let sql = cards_as_json_page(
            self.backend,
            "p.manager_id IS NULL AND p.status = 'active'",
            200,
            0,
        );
        let packed: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(&self.pool)
            .await
            .map_err(map_err)?;
        unpack_cards(packed)
    }
    async fn list_people(&self, filter: &PeopleFilter) -> CoreResult<Page<PersonCard>> {
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
                // Each word matches what every colleague may read: the name, e-mail and
                // title, the location, a skill, the team (employee ids only for admins).
                let employee_id = if filter.search_employee_ids {
                    format!(" OR LOWER(p.employee_id) LIKE ${n} ESCAPE '\\'")
                } else {
                    String::new()
                };
                conditions.push(format!(
                    "(p.search_text LIKE ${n} ESCAPE '\\' \
                     OR LOWER(COALESCE(p.location, '')) LIKE ${n} ESCAPE '\\' \
                     OR p.id IN (SELECT ps.person_id FROM person_skills ps JOIN skills s \
                         ON s.id = ps.skill_id WHERE LOWER(s.name) LIKE ${n} ESCAPE '\\') \
                     OR p.team_id IN (SELECT t.id FROM teams t \
                         WHERE LOWER(t.name) LIKE ${n} ESCAPE '\\'){employee_id})"
                ));
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
        let total = count_query.fetch_one(&self.pool).await.map_err(map_err)?;
        let per_page = filter.per_page.max(1);
        let page = filter.page.max(1);
        let offset = (page as i64 - 1) * per_page as i64;
        let filter_sql = if conditions.is_empty() {
            "1 = 1".to_string()
        } else {
            conditions.join(" AND ")
        };
        let sql = cards_as_json_page(self.backend, &filter_sql, per_page as i64, offset);
        let mut query = sqlx::query_scalar::<_, Option<String>>(AssertSqlSafe(sql));
        for b in &binds {
            query = match b {
                BindValue::Text(t) => query.bind(t.clone()),
                BindValue::Int(i) => query.bind(*i),
            };
        }
        let packed = query.fetch_one(&self.pool).await.map_err(map_err)?;
        Ok(Page {
            items: unpack_cards(packed)?,
            total,
            page,
            per_page,
        })
    }
    async fn directory_facets(&self) -> CoreResult<DirectoryFacets> {
        let locations: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT location FROM people WHERE location IS NOT NULL AND status = 'active' ORDER BY location",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(map_err)?;
        Ok(DirectoryFacets {
            teams: self.teams().await?,
            locations,
            levels: self.levels().await?,
        })
    }
}

pub(crate) enum BindValue {
    Text(String),
    Int(i64),
}

pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}
