//! Org: people, reporting lines, teams, job levels and skills.

pub mod csv_format;
pub mod export;
pub mod history;
pub mod import;
pub mod imports;
pub mod input;
pub mod ladder;
pub mod people;
pub mod store;
pub mod teams;

use crate::ids::{LevelId, PersonId, TeamId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Whether a person still works here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = PersonStatusParam))]
#[serde(rename_all = "lowercase")]
pub enum PersonStatus {
    #[default]
    Active,
    Left,
}

impl PersonStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PersonStatus::Active => "active",
            PersonStatus::Left => "left",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value.as_bytes() {
            b"active" => Some(PersonStatus::Active),
            b"left" => Some(PersonStatus::Left),
            _ => None,
        }
    }
}

/// A skill and how well someone has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SkillResponse))]
pub struct SkillLevel {
    // Inline when short, as an import holds several for every person.
    /// Lower-case skill name, e.g. `rust`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub skill: compact_str::CompactString,
    /// 1 (aware) to 5 (expert).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub level: u8,
    /// The person wants to grow this skill.
    pub wants_to_grow: bool,
}

impl SkillLevel {
    /// The import/export notation: `rust:4` or `sql:3+`.
    pub fn notation(&self) -> String {
        format!(
            "{}:{}{}",
            self.skill,
            self.level,
            if self.wants_to_grow { "+" } else { "" }
        )
    }
}

/// Formats skills as `rust:4; sql:3+`.
pub fn skills_notation(skills: &[SkillLevel]) -> String {
    skills
        .iter()
        .map(SkillLevel::notation)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A team or department.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub parent_id: Option<TeamId>,
    pub parent_name: Option<String>,
    pub member_count: i64,
}

/// A level on the career ladder, with what is expected at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobLevel {
    pub id: LevelId,
    pub code: String,
    pub name: String,
    /// Higher is more senior; used to order the ladder.
    pub rank: i64,
    pub expectations: String,
}

/// Everything Trellis holds about a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: PersonId,
    pub employee_id: Option<String>,
    pub name: String,
    pub preferred_name: Option<String>,
    pub email: String,
    pub title: Option<String>,
    pub level_id: Option<LevelId>,
    pub level_code: Option<String>,
    /// The level's name on the ladder, e.g. "Senior".
    pub level_name: Option<String>,
    pub team_id: Option<TeamId>,
    pub team_name: Option<String>,
    pub manager_id: Option<PersonId>,
    pub location: Option<String>,
    pub time_zone: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub status: PersonStatus,
    pub report_count: i64,
}

impl Person {
    /// The name to show: the preferred name with the family name, or the full name.
    pub fn display_name(&self) -> String {
        display_name(&self.name, self.preferred_name.as_deref())
    }

    pub fn is_active(&self) -> bool {
        self.status == PersonStatus::Active
    }
}

/// The preferred name replaces the first word of the full name when set.
pub fn display_name(name: &str, preferred: Option<&str>) -> String {
    match preferred.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => match name.split_once(' ') {
            Some((first, rest)) if first != p => format!("{p} {rest}"),
            _ => name.to_string(),
        },
        None => name.to_string(),
    }
}

/// A person as listed in the directory, org chart and team pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCard {
    pub id: PersonId,
    pub display_name: String,
    pub email: String,
    pub title: Option<String>,
    pub team_name: Option<String>,
    pub location: Option<String>,
    pub status: PersonStatus,
    pub report_count: i64,
}

/// Filters for the people directory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleFilter {
    /// Matches name, preferred name, email or title (and employee id where asked below).
    pub query: Option<String>,
    /// Search employee ids too; only for viewers who may read everyone's (admins).
    pub search_employee_ids: bool,
    pub team_id: Option<TeamId>,
    pub location: Option<String>,
    pub level_id: Option<LevelId>,
    /// People who left are listed only when asked for.
    pub include_left: bool,
    pub page: u32,
    pub per_page: u32,
}

/// One page of a list, with the total count for paging.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn page_count(&self) -> u32 {
        if self.per_page == 0 {
            return 1;
        }
        ((self.total.max(0) as u64).div_ceil(self.per_page as u64)).max(1) as u32
    }
}

/// Values for the directory's filter menus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryFacets {
    pub teams: Vec<Team>,
    pub locations: Vec<String>,
    pub levels: Vec<JobLevel>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferred_name_replaces_the_first_name() {
        assert_eq!(display_name("Robert Smith", Some("Bob")), "Bob Smith");
        assert_eq!(display_name("Robert Smith", None), "Robert Smith");
        assert_eq!(display_name("Robert Smith", Some(" ")), "Robert Smith");
        assert_eq!(display_name("Madonna", Some("Maddy")), "Madonna");
        assert_eq!(display_name("Rita Rep", Some("Ri")), "Ri Rep");
    }

    #[test]
    fn skills_round_trip_through_notation() {
        let skills = vec![
            SkillLevel {
                skill: "rust".into(),
                level: 4,
                wants_to_grow: false,
            },
            SkillLevel {
                skill: "sql".into(),
                level: 3,
                wants_to_grow: true,
            },
        ];
        assert_eq!(skills_notation(&skills), "rust:4; sql:3+");
    }
}
