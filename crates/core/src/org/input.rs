//! What an admin fills in to add a person: the API's body and the add-person form's
//! reading, which `people::create` turns into the person's stored fields.

use super::people::PersonPatch;
use super::{PersonStatus, SkillLevel};
use crate::ids::{LevelId, PersonId, TeamId};
use chrono::NaiveDate;
use serde::Deserialize;

/// A new person as an admin fills it in (the API's body to add one).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CreatePersonRequest))]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    pub name: String,
    pub email: String,
    pub employee_id: Option<String>,
    pub preferred_name: Option<String>,
    pub title: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub team_id: Option<TeamId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub level_id: Option<LevelId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub manager_id: Option<PersonId>,
    pub location: Option<String>,
    pub time_zone: Option<String>,
    /// ISO date, YYYY-MM-DD.
    pub start_date: Option<NaiveDate>,
    /// active (default) or left
    pub status: Option<PersonStatus>,
    #[serde(default)]
    pub skills: Vec<SkillLevel>,
}

impl From<PersonPatch> for PersonInput {
    /// A form read as a change of nothing: what it gives is the new person.
    fn from(p: PersonPatch) -> Self {
        PersonInput {
            employee_id: p.employee_id.flatten(),
            name: p.name.unwrap_or_default(),
            preferred_name: p.preferred_name.flatten(),
            email: p.email.unwrap_or_default(),
            title: p.title.flatten(),
            level_id: p.level_id.flatten(),
            team_id: p.team_id.flatten(),
            manager_id: p.manager_id.flatten(),
            location: p.location.flatten(),
            time_zone: p.time_zone.flatten(),
            start_date: p.start_date.flatten(),
            status: p.status,
            skills: p.skills.unwrap_or_default(),
        }
    }
}
