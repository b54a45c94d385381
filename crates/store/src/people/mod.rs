//! People, teams, levels, skills and settings.

mod directory;
mod person;
mod settings;
mod teams;
mod writes;

pub(crate) use directory::*;
pub(crate) use person::*;
pub(crate) use writes::*;

use crate::map_err;
use chrono::NaiveDate;
use sqlx::Row;
use sqlx::any::AnyRow;
use trellis_core::PersonId;
use trellis_core::error::CoreResult;
use trellis_core::org::{PersonCard, PersonStatus, display_name};

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
