//! Connection rounds (PRODUCT.md capability C): everyone meets everyone else over time, no
//! pair repeating until every pair in the group has met. The planning itself is
//! [`trellis_insight::connections`]; this module decides who is in a group, what each
//! round may not do (exclusions, absences) and what the figures mean.

pub mod demo;
pub mod preview;
pub mod programmes;
pub mod rounds;
pub mod slots;
pub mod store;
pub mod views;

use crate::error::{CoreError, CoreResult, FieldError};
use serde::{Deserialize, Serialize};
use trellis_insight::connections::OddOne;

/// Which grouping a programme prefers its people to meet across.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreferAcross {
    Nothing,
    Team,
    Department,
    Location,
}

impl PreferAcross {
    pub fn parse(text: &str) -> Option<PreferAcross> {
        match text.trim().to_ascii_lowercase().as_str() {
            "none" | "nothing" => Some(PreferAcross::Nothing),
            "team" | "teams" => Some(PreferAcross::Team),
            "department" | "departments" => Some(PreferAcross::Department),
            "location" | "locations" => Some(PreferAcross::Location),
            _ => None,
        }
    }
}

/// How a programme's rounds are formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// 2 (pairs) or 3 (trios).
    pub group_size: usize,
    /// In a pairs programme with an odd count: the odd one joins a pair, or sits out.
    pub odd_one: OddOne,
    pub prefer_across: PreferAcross,
}

impl Shape {
    /// A pairs programme as it is created by default: the odd one makes a trio (nobody is
    /// left out), meeting across teams preferred.
    pub fn pairs() -> Shape {
        Shape {
            group_size: 2,
            odd_one: OddOne::Trio,
            prefer_across: PreferAcross::Team,
        }
    }
}

/// Checks a group size as a person gave it.
pub fn check_group_size(size: i64) -> CoreResult<usize> {
    match size {
        2 | 3 => Ok(size as usize),
        other => Err(CoreError::Invalid(vec![FieldError::new(
            "group_size",
            format!("a group size of {other} is not offered: choose 2 (pairs) or 3 (trios)"),
        )])),
    }
}

/// A programme needs two people to pair anyone.
pub fn check_enough_people(count: usize, who: &str) -> CoreResult<()> {
    if count < 2 {
        let people = if count == 1 { "1 person" } else { "nobody" };
        return Err(CoreError::Invalid(vec![FieldError::new(
            "audience",
            format!("a connection programme needs at least 2 people; {who} has {people} active"),
        )]));
    }
    Ok(())
}

/// A coverage figure as people read it: 1.0, 0.5102.
pub fn format_coverage(coverage: f64) -> String {
    let text = format!("{coverage:.4}");
    let trimmed = text.trim_end_matches('0');
    if trimmed.ends_with('.') {
        format!("{trimmed}0")
    } else {
        trimmed.to_string()
    }
}
