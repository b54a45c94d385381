//! Mentor matching. Mentees state goals (skills to grow, optionally one a mentor must
//! have, and a career target on the ladder); mentors state strengths and how many mentees
//! they take. An admin runs a round: every allowed pair is scored (pure [`match_score`],
//! explained in a sentence), and the matching that maximises the total score — or matches
//! as many mentees as possible first — is found by `trellis_insight::matching`. The admin
//! reviews the proposed pairs, removes any, and publishes: each pair becomes a mentorship
//! with goals, a start and an end, shown on both people's pages.
//!
//! Who sees what: your own goals, profile and mentorships are yours; a mentorship is also
//! visible to the manager chain of either person and to admins — not to peers.

pub mod demo;
mod mentorships;
mod rounds;
mod scoring;
pub mod store;
#[cfg(test)]
mod tests;

pub use mentorships::*;
pub use rounds::*;
pub use scoring::*;

use crate::ids::PersonName;
use crate::ids::{LevelId, MentorshipId, PersonId, RoundId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Points for the share of the mentee's goal skills the mentor offers.
pub const SKILL_POINTS: i64 = 60;
/// Points when the mentor is at the mentee's target level (or, without a target, above
/// the mentee's level).
pub const SENIORITY_POINTS: i64 = 20;
/// Points when the mentor is outside the mentee's reporting line (neither above nor below).
pub const OUTSIDE_LINE_POINTS: i64 = 20;
/// Most mentees one mentor may take.
pub const MAX_CAPACITY: i64 = 10;

/// What a mentee would like to grow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MenteeGoalsBody))]
#[serde(deny_unknown_fields)]
pub struct MenteeGoals {
    /// Skills to grow (1 to 10).
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 10))]
    pub skills: Vec<String>,
    /// A mentor must offer this skill (one of `skills`).
    #[serde(default)]
    pub must_have: Option<String>,
    /// The level on the career ladder the mentee is working towards.
    #[serde(default, rename = "target_level_id")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub target_level: Option<LevelId>,
    #[serde(default)]
    pub note: String,
}

/// What a mentor offers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MentorProfile {
    pub strengths: Vec<String>,
    /// How many mentees at a time.
    pub capacity: u32,
    pub note: String,
}

/// What a mentor offers, as filled in (capacity as typed, so 0 and blanks get a message).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = MentorProfileBody))]
#[serde(deny_unknown_fields)]
pub struct MentorInput {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub strengths: Vec<String>,
    /// How many mentees at a time, 1 to 10.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10))]
    pub capacity: Option<i64>,
    #[serde(default)]
    pub note: String,
}

impl From<&MentorProfile> for MentorInput {
    /// The form filled in with a saved profile.
    fn from(p: &MentorProfile) -> Self {
        MentorInput {
            strengths: p.strengths.clone(),
            capacity: Some(i64::from(p.capacity)),
            note: p.note.clone(),
        }
    }
}

/// Someone taking part in a round as a mentee, with what scoring needs.
#[derive(Debug, Clone, PartialEq)]
pub struct MenteeEntry {
    pub person: PersonName,
    pub level_rank: Option<i64>,
    pub goals: MenteeGoals,
    pub target_rank: Option<i64>,
    pub target_name: Option<String>,
}

/// Someone taking part in a round as a mentor.
#[derive(Debug, Clone, PartialEq)]
pub struct MentorEntry {
    pub person: PersonName,
    pub level_rank: Option<i64>,
    pub level_name: Option<String>,
    pub strengths: Vec<String>,
    /// Places left: capacity less the mentorships running now.
    pub places: u32,
}

/// What a round optimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundGoal {
    HighestTotal,
    MostMatched,
}

impl RoundGoal {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundGoal::HighestTotal => "highest_total",
            RoundGoal::MostMatched => "most_matched",
        }
    }

    pub fn parse(v: &str) -> Option<Self> {
        match v {
            "highest_total" => Some(RoundGoal::HighestTotal),
            "most_matched" => Some(RoundGoal::MostMatched),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RoundGoal::HighestTotal => "Highest total score",
            RoundGoal::MostMatched => "Most mentees matched",
        }
    }
}

/// A round as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub id: RoundId,
    pub name: String,
    pub goal: RoundGoal,
    pub ends_on: NaiveDate,
    pub published: bool,
    pub created_by: PersonName,
    pub created_at: i64,
    pub published_at: Option<i64>,
    pub mentees: i64,
    pub mentors: i64,
    pub matched: i64,
    pub total_score: i64,
}

/// A new round with its proposed pairs.
#[derive(Debug, Clone)]
pub struct NewRound {
    pub name: String,
    pub goal: RoundGoal,
    pub ends_on: NaiveDate,
    pub created_by: PersonId,
    pub created_at: i64,
    pub mentees: i64,
    pub mentors: i64,
}

/// One mentee's line in a round: their proposed mentor, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundPair {
    pub mentee: PersonName,
    pub mentor: Option<PersonName>,
    pub score: i64,
    pub explanation: String,
    /// The mentee's goals as they stood when the round ran (the mentorship keeps them).
    pub goals: String,
}

/// A mentor and mentee working together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mentorship {
    pub id: MentorshipId,
    pub mentee: PersonName,
    pub mentor: PersonName,
    pub goals: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub round_id: Option<RoundId>,
    /// Set when the mentee, the mentor or an admin ended it before its end date.
    pub ended: Option<EarlyEnd>,
}

/// A mentorship ended before its end date: from `on` it no longer runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EarlyEnd {
    pub on: NaiveDate,
    /// Who ended it (gone when that person was removed).
    pub by: Option<PersonName>,
    pub note: String,
}

impl Mentorship {
    pub fn running_on(&self, day: NaiveDate) -> bool {
        self.starts_on <= day
            && day <= self.ends_on
            && self.ended.as_ref().is_none_or(|e| day < e.on)
    }
}
