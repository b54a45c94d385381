//! The career ladder: job levels with their rank (higher is more senior) and what each level
//! expects. Everyone signed in reads it (career plans and mentoring goals point at it);
//! people admins maintain it. An HRIS import creates the levels it names unranked (100), so
//! admins rank them here — seniority in mentor matching and "next level" in career plans
//! follow the rank.

use super::JobLevel;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::LevelId;
use crate::policy::Viewer;
use crate::store::{AuditEntry, NewLevel, Store};
use serde::{Deserialize, Serialize};

/// A level as an admin writes it; the code identifies it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct LevelInput {
    pub code: String,
    pub name: String,
    pub rank: Option<i64>,
    #[serde(default)]
    pub expectations: String,
}

/// The ladder, lowest rank first.
pub async fn list(store: &dyn Store) -> CoreResult<Vec<JobLevel>> {
    store.levels().await
}

/// Checks a level; every problem is reported at its field.
pub fn check(input: &LevelInput) -> Result<NewLevel, Vec<FieldError>> {
    let mut errors = Vec::new();
    let code = input.code.trim();
    if code.is_empty() || code.chars().count() > 20 || code.contains(char::is_whitespace) {
        errors.push(FieldError::new(
            "code",
            "give a code of 1 to 20 characters without spaces, e.g. L4",
        ));
    }
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        errors.push(FieldError::new("name", "give a name of 1 to 80 characters"));
    }
    let rank = match input.rank {
        Some(r) if (0..=1000).contains(&r) => r,
        _ => {
            errors.push(FieldError::new(
                "rank",
                "give the rank as a whole number from 0 to 1000; higher is more senior",
            ));
            0
        }
    };
    let expectations = input.expectations.trim();
    if expectations.chars().count() > 4000 {
        errors.push(FieldError::new(
            "expectations",
            "keep the expectations under 4,000 characters",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(NewLevel {
        code: code.to_string(),
        name: name.to_string(),
        rank,
        expectations: expectations.to_string(),
    })
}

/// Adds a level or updates the one with this code (people admins).
pub async fn save(
    store: &dyn Store,
    viewer: &Viewer,
    input: &LevelInput,
    now: i64,
) -> CoreResult<LevelId> {
    if !viewer.is_admin {
        return Err(CoreError::Forbidden(
            "change the career ladder; people admins do".into(),
        ));
    }
    let level = check(input).map_err(CoreError::Invalid)?;
    let id = store.upsert_level(&level).await?;
    store
        .audit(&AuditEntry {
            at: now,
            actor: Some(viewer.person_id),
            action: "level.save".into(),
            subject: level.code.clone(),
            detail: format!("{} (rank {})", level.name, level.rank),
        })
        .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_is_named() {
        let bad = LevelInput {
            code: "L 4".into(),
            name: String::new(),
            rank: Some(-1),
            expectations: String::new(),
        };
        let fields: Vec<String> = check(&bad)
            .unwrap_err()
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["code", "name", "rank"]);
        let good = LevelInput {
            code: " L4 ".into(),
            name: "Senior".into(),
            rank: Some(4),
            expectations: " Leads a piece of work end to end. ".into(),
        };
        let level = check(&good).unwrap();
        assert_eq!((level.code.as_str(), level.rank), ("L4", 4));
        assert_eq!(level.expectations, "Leads a piece of work end to end.");
    }
}
