//! The career ladder: job levels with their rank (higher is more senior) and what each level
//! expects. Everyone signed in reads it (career plans and mentoring goals point at it);
//! people admins maintain it, one level at a time or as a whole CSV file. An HRIS import
//! creates the levels it names unranked (100), so admins rank them here — seniority in
//! mentor matching and "next level" in career plans follow the rank.

use super::JobLevel;
use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::csv_file::{self, Column, row_error};
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{LevelId, PersonId};
use crate::org::store::NewLevel;
use crate::org::store::OrgStore;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A level's name, rank and expectations, as an admin writes them; its code identifies it
/// (in the API, the code is the level's path).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = LevelRequest))]
#[serde(deny_unknown_fields)]
pub struct LevelInput {
    #[serde(skip_deserializing)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub code: String,
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 80, pattern = r"\S")
    )]
    pub name: String,
    /// 0 to 1000; higher is more senior.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, minimum = 0, maximum = 1000)
    )]
    pub rank: Option<i64>,
    #[serde(default)]
    pub expectations: String,
}

/// The ladder, lowest rank first.
pub async fn list(store: &dyn OrgStore) -> CoreResult<Vec<JobLevel>> {
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
    store: &dyn OrgStore,
    viewer: &Viewer,
    input: &LevelInput,
    now: i64,
) -> CoreResult<LevelId> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "change the career ladder; people admins do".into(),
        ));
    }
    let level = check(input).map_err(CoreError::Invalid)?;
    let id = store.upsert_level(&level).await?;
    store
        .audit(&AuditEntry {
            at: now,
            actor: Some(viewer.person_id()),
            action: "level.save".into(),
            subject: level.code.clone(),
            detail: format!("{} (rank {})", level.name, level.rank),
        })
        .await?;
    Ok(id)
}

/// What a ladder import did, or would do on a dry run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LadderImport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// Reads a career-ladder CSV: `Code, Name, Rank, Expectations` (expectations optional;
/// headers in any case and spacing). Every problem comes back as `FILE:LINE: column:
/// message`.
pub fn parse_csv(file: &str, content: &[u8]) -> Result<Vec<NewLevel>, Vec<String>> {
    let column = |name, headers, required| Column {
        name,
        headers,
        required,
    };
    let columns = [
        column("Code", &["code", "level", "levelcode"][..], true),
        column("Name", &["name", "levelname", "title"], true),
        column("Rank", &["rank", "seniority", "order"], true),
        column("Expectations", &["expectations", "description"], false),
    ];
    let rows = csv_file::read(file, content, &columns)?;
    let mut errors = Vec::new();
    let mut levels: Vec<NewLevel> = Vec::new();
    let mut lines_of_codes: HashMap<String, u64> = HashMap::new();
    for row in &rows {
        let raw_rank = row.get(2);
        let rank = match raw_rank.parse::<i64>() {
            Ok(r) => Some(r),
            Err(_) if raw_rank.is_empty() => None,
            Err(_) => {
                errors.push(row_error(
                    file,
                    row.line,
                    "Rank",
                    &format!("{raw_rank:?} is not a whole number"),
                ));
                // Reported: the check below need not say it again.
                Some(0)
            }
        };
        let input = LevelInput {
            code: row.get(0).to_string(),
            name: row.get(1).to_string(),
            rank,
            expectations: row.get(3).to_string(),
        };
        match check(&input) {
            Ok(level) => {
                if let Some(first) = lines_of_codes.insert(level.code.clone(), row.line) {
                    errors.push(row_error(
                        file,
                        row.line,
                        "Code",
                        &format!("{} is already on line {first}", level.code),
                    ));
                }
                levels.push(level);
            }
            Err(fields) => {
                for f in fields {
                    let column = match f.field.as_str() {
                        "code" => "Code",
                        "name" => "Name",
                        "rank" => "Rank",
                        _ => "Expectations",
                    };
                    errors.push(row_error(file, row.line, column, &f.message));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(levels)
    } else {
        Err(errors)
    }
}

/// Imports a ladder file (people admins): every level added or updated by its code, all of
/// them or none. Levels the file does not name stay as they are.
pub async fn import(
    store: &dyn OrgStore,
    viewer: &Viewer,
    file: &str,
    content: &[u8],
    dry_run: bool,
    now: i64,
) -> CoreResult<LadderImport> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "change the career ladder; people admins do".into(),
        ));
    }
    apply_file(store, Some(viewer.person_id()), file, content, dry_run, now).await
}

/// The import itself, for an admin or (with no actor) the command line.
pub async fn apply_file(
    store: &dyn OrgStore,
    actor: Option<PersonId>,
    file: &str,
    content: &[u8],
    dry_run: bool,
    now: i64,
) -> CoreResult<LadderImport> {
    let levels = parse_csv(file, content).map_err(csv_file::refused)?;
    let existing: HashMap<String, JobLevel> = store
        .levels()
        .await?
        .into_iter()
        .map(|l| (l.code.clone(), l))
        .collect();
    let mut outcome = LadderImport::default();
    let mut changed = Vec::new();
    for level in levels {
        match existing.get(&level.code) {
            None => outcome.added += 1,
            Some(old)
                if old.name == level.name
                    && old.rank == level.rank
                    && old.expectations == level.expectations =>
            {
                outcome.unchanged += 1;
                continue;
            }
            Some(_) => outcome.updated += 1,
        }
        changed.push(level);
    }
    if !dry_run && !changed.is_empty() {
        store.upsert_levels(&changed).await?;
        store
            .audit(&AuditEntry {
                at: now,
                actor,
                action: "ladder.import".into(),
                subject: file.to_string(),
                detail: format!(
                    "{} added, {} updated, {} unchanged",
                    outcome.added, outcome.updated, outcome.unchanged
                ),
            })
            .await?;
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ladder_file_reads_in_any_header_spelling() {
        let csv = "level code,Level name,RANK,Expectations\n\
                   L1,Junior,1,Learns the craft\n\
                   \n\
                   L2,Engineer,2,\n";
        let levels = parse_csv("ladder.csv", csv.as_bytes()).unwrap();
        let seen: Vec<(&str, &str, i64, &str)> = levels
            .iter()
            .map(|l| {
                (
                    l.code.as_str(),
                    l.name.as_str(),
                    l.rank,
                    l.expectations.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("L1", "Junior", 1, "Learns the craft"),
                ("L2", "Engineer", 2, "")
            ]
        );
    }

    #[test]
    fn every_bad_cell_is_named_by_line_and_column() {
        let csv = "Code,Name,Rank\n\
                   L1,Junior,one\n\
                   L 2,,5000\n\
                   L1,Again,3\n\
                   L4,Lead,\n";
        let errors = parse_csv("ladder.csv", csv.as_bytes()).unwrap_err();
        assert_eq!(
            errors,
            [
                "ladder.csv:2: Rank: \"one\" is not a whole number",
                "ladder.csv:3: Code: give a code of 1 to 20 characters without spaces, e.g. L4",
                "ladder.csv:3: Name: give a name of 1 to 80 characters",
                "ladder.csv:3: Rank: give the rank as a whole number from 0 to 1000; higher is more senior",
                "ladder.csv:4: Code: L1 is already on line 2",
                "ladder.csv:5: Rank: give the rank as a whole number from 0 to 1000; higher is more senior",
            ]
        );
    }

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
