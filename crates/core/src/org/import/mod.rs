//! Import of people from HRIS CSV exports: parsing with clear per-row errors, then a plan
//! against the current organisation (creates, updates, deactivations) that the store applies
//! in one transaction. Nothing here touches the database.
//!
//! `parse` reads a file into rows, `plan` compares the rows with the organisation.

mod key_index;
mod leavers;
mod parse;
mod plan;
#[cfg(test)]
mod tests;

pub use parse::parse_people_csv;
pub use plan::plan_import;

use super::PersonStatus;
use super::SkillLevel;
use super::csv_format::Column;
use super::history::FieldChange;
use crate::ids::PersonId;
use chrono::NaiveDate;
use compact_str::CompactString;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Files larger than this are refused before parsing, with a message saying so.
pub const MAX_IMPORT_BYTES: usize = 256 * 1024 * 1024;
/// At most this many errors are kept; the count of the rest is reported.
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// The state of one person as the CSV format describes it. Imports hold several of these
/// for every person (file, organisation, plan), so text is kept inline when short (names,
/// teams, titles, time zones): one allocation per field would cost more than the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PersonRecord {
    pub employee_id: Option<CompactString>,
    pub email: CompactString,
    pub name: CompactString,
    pub preferred_name: Option<CompactString>,
    pub title: Option<CompactString>,
    /// The person's team.
    pub team: Option<CompactString>,
    /// The department the team belongs to, when the file names both.
    pub department: Option<CompactString>,
    pub location: Option<CompactString>,
    pub time_zone: Option<CompactString>,
    pub start_date: Option<NaiveDate>,
    pub status: PersonStatus,
    /// Job level code on the career ladder, e.g. `L4`.
    pub level: Option<CompactString>,
    pub skills: Vec<SkillLevel>,
}

/// How a row names its manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagerRef {
    Email(CompactString),
    EmployeeId(CompactString),
}

/// One parsed data row.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// Line in the file where the row starts (the header is line 1).
    pub line: u64,
    pub record: PersonRecord,
    /// `None` when the row leaves the manager empty (top of the tree).
    pub manager: Option<ManagerRef>,
}

/// A problem at a line and column of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportIssue {
    pub line: u64,
    pub column: String,
    pub message: String,
}

/// An issue with the file name, printed as `FILE:LINE: column: message`.
pub struct Located<'a> {
    pub file: &'a str,
    pub issue: &'a ImportIssue,
}

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.issue.line, self.issue.column, self.issue.message
        )
    }
}

/// Rows per block of [`Rows`].
const ROWS_PER_BLOCK: usize = 4096;

/// The parsed rows, kept in blocks of [`ROWS_PER_BLOCK`]: planning moves each block into the
/// plan and gives its memory back, where one buffer for every row would stay whole until the
/// last row is planned (or be copied when shrunk), holding the file twice.
#[derive(Debug, Default)]
pub struct Rows {
    /// Every block but the last is full.
    blocks: Vec<Vec<ImportRow>>,
}

impl Rows {
    pub fn len(&self) -> usize {
        self.blocks.last().map_or(0, |last| {
            (self.blocks.len() - 1) * ROWS_PER_BLOCK + last.len()
        })
    }

    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    pub fn push(&mut self, row: ImportRow) {
        match self.blocks.last_mut() {
            Some(block) if block.len() < ROWS_PER_BLOCK => block.push(row),
            _ => {
                let mut block = Vec::with_capacity(ROWS_PER_BLOCK);
                block.push(row);
                self.blocks.push(block);
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &ImportRow> {
        self.blocks.iter().flatten()
    }

    /// The rows block by block, each with the index of its first row, each block's memory
    /// given back once the caller is done with it.
    fn into_blocks(self) -> impl Iterator<Item = (usize, Vec<ImportRow>)> {
        self.blocks
            .into_iter()
            .enumerate()
            .map(|(b, block)| (b * ROWS_PER_BLOCK, block))
    }
}

impl FromIterator<ImportRow> for Rows {
    fn from_iter<I: IntoIterator<Item = ImportRow>>(rows: I) -> Self {
        let mut all = Rows::default();
        rows.into_iter().for_each(|row| all.push(row));
        all
    }
}

impl std::ops::Index<usize> for Rows {
    type Output = ImportRow;

    fn index(&self, r: usize) -> &ImportRow {
        &self.blocks[r / ROWS_PER_BLOCK][r % ROWS_PER_BLOCK]
    }
}

/// The rows of a file and every problem found while reading them.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub rows: Rows,
    /// Columns the file has, so missing ones keep the stored values on update.
    pub present: HashSet<Column>,
    /// The file's own header for each column, so messages use the file's words.
    pub header_names: HashMap<Column, String>,
    /// Headers that mean nothing to Trellis; listed, not an error.
    pub ignored_columns: Vec<String>,
    pub errors: Vec<ImportIssue>,
    /// Errors beyond [`MAX_REPORTED_ERRORS`].
    pub errors_not_shown: usize,
}

impl ParsedFile {
    /// The file is refused on its own and has no rows to compare with the organisation, so
    /// planning needs no snapshot of it (which would cost memory for every person).
    pub fn refused_outright(&self) -> bool {
        self.rows.is_empty() && !self.errors.is_empty()
    }

    fn error(&mut self, line: u64, column: impl Into<String>, message: impl Into<String>) {
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(ImportIssue {
                line,
                column: column.into(),
                message: message.into(),
            });
        } else {
            self.errors_not_shown += 1;
        }
    }
}

/// A person as stored, in the terms of the CSV format.
#[derive(Debug, Clone)]
pub struct ExistingPerson {
    pub id: PersonId,
    pub record: PersonRecord,
    pub manager_id: Option<PersonId>,
}

/// What the organisation holds now, as far as an import needs to know.
#[derive(Debug, Clone, Default)]
pub struct OrgSnapshot {
    pub people: Vec<ExistingPerson>,
    /// Team name → its department's name.
    pub teams: HashMap<String, Option<String>>,
    pub levels: HashSet<String>,
    pub skills: HashSet<String>,
    /// People an identity provider manages over SCIM: it alone marks them as left.
    pub scim_managed: HashSet<PersonId>,
}

/// Import choices.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Mark active people who are not in the file as having left.
    pub deactivate_missing: bool,
    /// Whether more than a quarter of the active people may be marked as left at once.
    pub mass_leave: MassLeave,
    /// The person doing the import, who is never marked as left by it.
    pub importer: Option<PersonId>,
}

/// Consent to mark more than a quarter of the active people as left: a file cut short or
/// exported from the wrong view must not empty the organisation on one tick.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MassLeave {
    #[default]
    Refuse,
    Allow,
    /// Allowed when exactly this many would leave (the count the admin typed).
    AllowExactly(usize),
}

/// A person the import marks as having left.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedLeave {
    pub id: PersonId,
    pub name: String,
    pub email: String,
}

/// Who a planned person reports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ManagerTarget {
    None,
    Existing(PersonId),
    /// Index into [`ImportPlan::creates`].
    New(usize),
}

/// A person the import creates.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedCreate {
    pub line: u64,
    pub record: PersonRecord,
    pub manager: ManagerTarget,
}

/// A change to an existing person.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedUpdate {
    pub line: u64,
    pub id: PersonId,
    pub record: PersonRecord,
    pub manager: ManagerTarget,
    /// Names of the fields that change, for the preview.
    pub changed: Vec<&'static str>,
    /// The changes the org history keeps (manager, level, title, team, status, skills).
    pub history: Vec<FieldChange>,
}

/// Everything an import would do, or the errors that stop it.
#[derive(Debug, Default, Serialize)]
pub struct ImportPlan {
    pub creates: Vec<PlannedCreate>,
    pub updates: Vec<PlannedUpdate>,
    pub unchanged: usize,
    pub deactivations: Vec<PlannedLeave>,
    /// Active people before the import, to judge how many would leave.
    pub active_people: usize,
    /// Every team the imported people belong to, with its department when given.
    pub teams: Vec<(String, Option<String>)>,
    pub new_teams: Vec<String>,
    pub new_levels: Vec<String>,
    pub new_skills: Vec<String>,
    pub ignored_columns: Vec<String>,
    pub warnings: Vec<ImportIssue>,
    pub errors: Vec<ImportIssue>,
    pub errors_not_shown: usize,
}

impl ImportPlan {
    /// True when the import may be applied.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty() && self.errors_not_shown == 0
    }

    /// True when more than a quarter of the active people would be marked as left.
    pub fn is_mass_leave(&self) -> bool {
        self.deactivations.len() * 4 > self.active_people
    }

    /// True when applying would write nothing.
    pub fn is_empty(&self) -> bool {
        self.creates.is_empty() && self.updates.is_empty() && self.deactivations.is_empty()
    }

    fn error(&mut self, line: u64, column: impl Into<String>, message: impl Into<String>) {
        if self.errors.len() < MAX_REPORTED_ERRORS {
            self.errors.push(ImportIssue {
                line,
                column: column.into(),
                message: message.into(),
            });
        } else {
            self.errors_not_shown += 1;
        }
    }
}
