//! Import of people from HRIS CSV exports: parsing with clear per-row errors, then a plan
//! against the current organisation (creates, updates, deactivations) that the store applies
//! in one transaction. Nothing here touches the database.

use super::csv_format::{self, Column, DayMonthOrder};
use super::history::{self, FieldChange, HistoryValues};
use super::{PersonStatus, SkillLevel};
use crate::csv_file::Records;
use crate::ids::PersonId;
use chrono::NaiveDate;
use compact_str::CompactString;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
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

/// The rows of a file and every problem found while reading them.
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub rows: Vec<ImportRow>,
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

fn header_of(headers: &HashMap<Column, (usize, String)>, column: Column) -> String {
    headers
        .get(&column)
        .map(|(_, h)| h.clone())
        .unwrap_or_else(|| column.export_header().to_string())
}

/// Reads a people CSV. Every problem is collected; none stops the reading of later rows.
pub fn parse_people_csv(bytes: &[u8]) -> ParsedFile {
    let mut parsed = ParsedFile::default();
    if bytes.len() > MAX_IMPORT_BYTES {
        parsed.error(
            1,
            "file",
            format!(
                "the file is {} MB; Trellis imports files of up to {} MB — split it into several files",
                bytes.len() / (1024 * 1024),
                MAX_IMPORT_BYTES / (1024 * 1024)
            ),
        );
        return parsed;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let at = e.valid_up_to();
        let line = crate::csv_file::line_of(bytes, at);
        parsed.error(
            line,
            "file",
            format!(
                "the file is not UTF-8 text (byte 0x{:02X} at offset {at}); save it as CSV UTF-8 and try again",
                bytes[at]
            ),
        );
        return parsed;
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        parsed.error(
            1,
            "file",
            "the file is empty; expected a header row and people",
        );
        return parsed;
    }

    let mut records = match Records::new(bytes) {
        Ok(r) => r,
        Err((line, message)) => {
            parsed.error(line, "header", message);
            return parsed;
        }
    };
    let header_record = records.header().clone();
    let header_line = records.header_line();

    let mut headers: HashMap<Column, (usize, String)> = HashMap::new();
    for (index, header) in header_record.iter().enumerate() {
        match Column::from_header(header) {
            Some(column) => {
                if let Some((_, first)) = headers.get(&column) {
                    parsed.error(
                        header_line,
                        header,
                        format!("this column means the same as {first:?}; keep only one of them"),
                    );
                } else {
                    headers.insert(column, (index, header.to_string()));
                }
            }
            None if header.is_empty() => {}
            None => parsed.ignored_columns.push(header.to_string()),
        }
    }
    if !headers.contains_key(&Column::Email) {
        parsed.error(
            header_line,
            "header",
            "missing required column Email (also accepted: Work Email, Email Address)",
        );
    }
    let has_name = headers.contains_key(&Column::Name)
        || (headers.contains_key(&Column::FirstName) && headers.contains_key(&Column::LastName));
    if !has_name {
        parsed.error(
            header_line,
            "header",
            "missing required column Name (or both First Name and Last Name)",
        );
    }
    let manager_columns = [Column::ManagerEmail, Column::ManagerId, Column::ReportsTo]
        .into_iter()
        .filter(|c| headers.contains_key(c))
        .count();
    if manager_columns > 1 {
        parsed.error(
            header_line,
            "header",
            "the file names managers in more than one column (Manager Email, Manager Id, Reports To); keep one",
        );
    }
    if !parsed.errors.is_empty() {
        return parsed;
    }
    parsed.present = headers.keys().copied().collect();
    parsed.header_names = headers.iter().map(|(c, (_, h))| (*c, h.clone())).collect();

    // The day/month order is decided from the whole file, so dates are read once first.
    let order = match headers.get(&Column::StartDate) {
        Some((i, _)) => {
            let mut dates = match Records::new(bytes) {
                Ok(r) => r,
                Err(_) => return parsed,
            };
            // Decided date by date, so no column is kept in memory.
            let mut order = DayMonthOrder::Unknown;
            while let Some(next) = dates.next_record() {
                if let Ok((_, r)) = next
                    && let Some(v) = r.get(*i)
                {
                    order = order.and(csv_format::detect_day_month_order(std::iter::once(v)));
                }
            }
            order
        }
        None => DayMonthOrder::Unknown,
    };

    // Rows are independent: read them on every core.
    let read_row =
        |(line, record): &(u64, csv::StringRecord)| -> (Option<ImportRow>, Vec<ImportIssue>) {
            let line = *line;
            let field = |column: Column| -> Option<&str> {
                headers
                    .get(&column)
                    .and_then(|(i, _)| record.get(*i))
                    .map(crate::csv_file::unescape_cell)
                    .filter(|v| !v.is_empty())
            };
            let text = |column: Column| field(column).map(CompactString::from);
            let mut errors: Vec<(Column, String)> = Vec::new();

            let email = field(Column::Email).map(CompactString::from_str_to_lowercase);
            let email = match email {
                Some(e) if csv_format::is_plausible_email(&e) => e,
                Some(e) => {
                    errors.push((Column::Email, format!("{e:?} is not an e-mail address")));
                    CompactString::default()
                }
                None => {
                    errors.push((
                        Column::Email,
                        "is empty; every person needs an e-mail address".into(),
                    ));
                    CompactString::default()
                }
            };
            let name = match field(Column::Name) {
                Some(n) => CompactString::from(n),
                None => match (field(Column::FirstName), field(Column::LastName)) {
                    (Some(f), Some(l)) => compact_str::format_compact!("{f} {l}"),
                    (Some(f), None) => f.into(),
                    (None, Some(l)) => l.into(),
                    (None, None) => CompactString::default(),
                },
            };
            if name.is_empty() {
                let column = if headers.contains_key(&Column::Name) {
                    Column::Name
                } else {
                    Column::FirstName
                };
                errors.push((column, "is empty; every person needs a name".into()));
            } else if name.chars().count() > 200 {
                errors.push((Column::Name, "is longer than 200 characters".into()));
            }
            let employee_id = text(Column::EmployeeId);
            if employee_id.as_ref().is_some_and(|e| e.chars().count() > 64) {
                errors.push((Column::EmployeeId, "is longer than 64 characters".into()));
            }
            let time_zone = text(Column::TimeZone);
            if let Some(Err(message)) = time_zone.as_deref().map(csv_format::check_time_zone) {
                errors.push((Column::TimeZone, message));
            }
            let start_date = match field(Column::StartDate) {
                Some(v) => match csv_format::parse_date(v, order) {
                    Ok(d) => Some(d),
                    Err(m) => {
                        errors.push((Column::StartDate, m));
                        None
                    }
                },
                None => None,
            };
            let status = match field(Column::Status) {
                Some(v) => csv_format::parse_status(v).unwrap_or_else(|m| {
                    errors.push((Column::Status, m));
                    PersonStatus::Active
                }),
                None => PersonStatus::Active,
            };
            let skills = match field(Column::Skills) {
                Some(v) => csv_format::parse_skills(v).unwrap_or_else(|m| {
                    errors.push((Column::Skills, m));
                    Vec::new()
                }),
                None => Vec::new(),
            };
            let level = text(Column::Level);
            if level.as_ref().is_some_and(|l| l.chars().count() > 40) {
                errors.push((Column::Level, "is longer than 40 characters".into()));
            }
            // "Reports To" holds an e-mail address or an employee id.
            let manager = field(Column::ManagerEmail)
                .map(|m| ManagerRef::Email(CompactString::from_str_to_lowercase(m)))
                .or_else(|| field(Column::ManagerId).map(|m| ManagerRef::EmployeeId(m.into())))
                .or_else(|| {
                    field(Column::ReportsTo).map(|m| {
                        if m.contains('@') {
                            ManagerRef::Email(CompactString::from_str_to_lowercase(m))
                        } else {
                            ManagerRef::EmployeeId(m.into())
                        }
                    })
                });
            let (team, department) = match (text(Column::Team), text(Column::Department)) {
                (Some(t), Some(d)) if t != d => (Some(t), Some(d)),
                (Some(t), _) => (Some(t), None),
                (None, Some(d)) => (Some(d), None),
                (None, None) => (None, None),
            };
            let issues = errors
                .into_iter()
                .map(|(column, message)| ImportIssue {
                    line,
                    column: header_of(&headers, column),
                    message,
                })
                .collect();
            // Rows with errors still take part in duplicate and manager checks, so that one
            // bad cell does not cause a cascade of "unknown manager" messages.
            let row = (!email.is_empty()).then(|| ImportRow {
                line,
                record: PersonRecord {
                    employee_id,
                    email,
                    name,
                    preferred_name: text(Column::PreferredName),
                    title: text(Column::Title),
                    team,
                    department,
                    location: text(Column::Location),
                    time_zone,
                    start_date,
                    status,
                    level,
                    skills,
                },
                manager,
            });
            (row, issues)
        };
    // Rows are read in chunks on every core; only the parsed rows are kept, and once the
    // file has more errors than are reported (it cannot be imported) only errors are counted.
    const CHUNK: usize = 4096;
    // Once the first rows read cleanly, the rows are sized from the line count (an upper
    // bound): growing by doubling would leave the smaller buffers behind as free heap the
    // size of the final one. A file of junk never gets that far.
    // Capped, so blank lines cannot make it reserve more than a million rows' worth.
    let expected_rows = (bytes.iter().filter(|&&b| b == b'\n').count() + 1).min(1 << 20);
    let mut chunk: Vec<(u64, csv::StringRecord)> = Vec::with_capacity(CHUNK);
    let flush = |chunk: &mut Vec<(u64, csv::StringRecord)>, parsed: &mut ParsedFile| {
        let results: Vec<_> = chunk.par_iter().map(read_row).collect();
        chunk.clear();
        if parsed.rows.capacity() == 0 && parsed.errors.is_empty() {
            parsed.rows.reserve_exact(expected_rows);
        }
        for (row, issues) in results {
            for issue in issues {
                parsed.error(issue.line, issue.column, issue.message);
            }
            if let Some(row) = row
                && parsed.errors_not_shown == 0
            {
                parsed.rows.push(row);
            }
        }
        if parsed.errors_not_shown > 0 {
            parsed.rows = Vec::new();
        }
    };
    while let Some(next) = records.next_record() {
        match next {
            Ok((line, record)) => {
                chunk.push((line, record.clone()));
                if chunk.len() == CHUNK {
                    flush(&mut chunk, &mut parsed);
                }
            }
            Err((line, message)) => parsed.error(line, "row", message),
        }
    }
    flush(&mut chunk, &mut parsed);
    if parsed.rows.is_empty() && parsed.errors.is_empty() {
        parsed.error(1, "file", "the file has a header but no people");
    }
    parsed
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node {
    Row(usize),
    Existing(PersonId),
}

const MANAGER_COLUMN: &str = "manager";

/// Compares a parsed file with the organisation and decides what to write.
pub fn plan_import(
    parsed: ParsedFile,
    snapshot: &OrgSnapshot,
    options: ImportOptions,
) -> ImportPlan {
    let mut plan = ImportPlan {
        ignored_columns: parsed.ignored_columns.clone(),
        errors: parsed.errors,
        errors_not_shown: parsed.errors_not_shown,
        ..ImportPlan::default()
    };
    let rows = parsed.rows;
    let present = parsed.present;
    let names = parsed.header_names;
    let header = |column: Column| -> String {
        names
            .get(&column)
            .cloned()
            .unwrap_or_else(|| column.export_header().to_string())
    };
    let eid_header = header(Column::EmployeeId);
    let email_header = header(Column::Email);

    let mut existing_by_eid: HashMap<&str, usize> = HashMap::new();
    let mut existing_by_email: HashMap<&str, usize> = HashMap::new();
    let mut existing_by_id: HashMap<PersonId, usize> = HashMap::new();
    for (i, p) in snapshot.people.iter().enumerate() {
        if let Some(eid) = &p.record.employee_id {
            existing_by_eid.insert(eid.as_str(), i);
        }
        existing_by_email.insert(p.record.email.as_str(), i);
        existing_by_id.insert(p.id, i);
    }

    // Duplicates inside the file.
    let mut row_by_eid: HashMap<&str, usize> = HashMap::new();
    let mut row_by_email: HashMap<&str, usize> = HashMap::new();
    for (r, row) in rows.iter().enumerate() {
        if let Some(eid) = &row.record.employee_id {
            if let Some(&first) = row_by_eid.get(eid.as_str()) {
                plan.error(
                    row.line,
                    eid_header.as_str(),
                    format!(
                        "duplicate employee id {eid:?} (also on line {})",
                        rows[first].line
                    ),
                );
            } else {
                row_by_eid.insert(eid.as_str(), r);
            }
        }
        if let Some(&first) = row_by_email.get(row.record.email.as_str()) {
            plan.error(
                row.line,
                email_header.as_str(),
                format!(
                    "duplicate e-mail {:?} (also on line {})",
                    row.record.email, rows[first].line
                ),
            );
        } else {
            row_by_email.insert(row.record.email.as_str(), r);
        }
    }

    // Match rows to existing people: employee id first, then e-mail.
    let mut matched: Vec<Option<usize>> = Vec::with_capacity(rows.len());
    // The row matched to each existing person, by the person's index in the snapshot.
    let mut matched_by: Vec<Option<usize>> = vec![None; snapshot.people.len()];
    for (r, row) in rows.iter().enumerate() {
        let hit = row
            .record
            .employee_id
            .as_deref()
            .and_then(|eid| existing_by_eid.get(eid).copied())
            .or_else(|| existing_by_email.get(row.record.email.as_str()).copied());
        if let Some(e) = hit
            && let Some(other) = matched_by[e]
        {
            plan.error(
                row.line,
                email_header.as_str(),
                format!(
                    "this row and line {} both describe {} ({})",
                    rows[other].line,
                    snapshot.people[e].record.name,
                    snapshot.people[e].record.email
                ),
            );
            matched.push(None);
            continue;
        }
        if let Some(e) = hit {
            matched_by[e] = Some(r);
        }
        matched.push(hit);
    }
    // An e-mail may only move to a row if nobody outside the file still holds it.
    for (r, row) in rows.iter().enumerate() {
        if let Some(&holder) = existing_by_email.get(row.record.email.as_str())
            && matched[r] != Some(holder)
            && matched_by[holder].is_none()
        {
            let other = &snapshot.people[holder].record;
            plan.error(
                row.line,
                email_header.as_str(),
                format!(
                    "{} already belongs to {}{}, who is not in this file",
                    row.record.email,
                    other.name,
                    other
                        .employee_id
                        .as_ref()
                        .map(|e| format!(" (employee id {e})"))
                        .unwrap_or_default()
                ),
            );
        }
        if let Some(eid) = &row.record.employee_id
            && let Some(&holder) = existing_by_eid.get(eid.as_str())
            && matched[r] != Some(holder)
        {
            plan.error(
                row.line,
                eid_header.as_str(),
                format!(
                    "employee id {eid} already belongs to {}",
                    snapshot.people[holder].record.name
                ),
            );
        }
    }

    // Resolve managers to nodes of the final forest.
    let has_manager_column = present.contains(&Column::ManagerEmail)
        || present.contains(&Column::ManagerId)
        || present.contains(&Column::ReportsTo);
    let manager_header = [Column::ManagerEmail, Column::ManagerId, Column::ReportsTo]
        .into_iter()
        .find(|c| present.contains(c))
        .map(header)
        .unwrap_or_else(|| MANAGER_COLUMN.to_string());
    let manager_header = manager_header.as_str();
    let node_of_existing = |e: usize| -> Node {
        match matched_by[e] {
            Some(r) => Node::Row(r),
            None => Node::Existing(snapshot.people[e].id),
        }
    };
    let mut row_manager: Vec<Option<Node>> = Vec::with_capacity(rows.len());
    for (r, row) in rows.iter().enumerate() {
        let target = if !has_manager_column {
            matched[r].and_then(|e| {
                snapshot.people[e]
                    .manager_id
                    .and_then(|m| existing_by_id.get(&m).map(|&i| node_of_existing(i)))
            })
        } else {
            match &row.manager {
                None => None,
                Some(ManagerRef::Email(email)) => match row_by_email.get(email.as_str()) {
                    Some(&m) => Some(Node::Row(m)),
                    None => match existing_by_email.get(email.as_str()) {
                        Some(&e) if matched_by[e].is_none() => Some(node_of_existing(e)),
                        _ => {
                            plan.error(
                                row.line,
                                manager_header,
                                format!("no person with e-mail {email} in the file or in Trellis"),
                            );
                            None
                        }
                    },
                },
                Some(ManagerRef::EmployeeId(eid)) => match row_by_eid.get(eid.as_str()) {
                    Some(&m) => Some(Node::Row(m)),
                    None => match existing_by_eid.get(eid.as_str()) {
                        Some(&e) => Some(node_of_existing(e)),
                        None => {
                            plan.error(
                                row.line,
                                manager_header,
                                format!(
                                    "no person with employee id {eid} in the file or in Trellis"
                                ),
                            );
                            None
                        }
                    },
                },
            }
        };
        row_manager.push(target);
    }

    // Reporting lines must stay a forest.
    let manager_of = |node: Node| -> Option<Node> {
        match node {
            Node::Row(r) => row_manager[r],
            Node::Existing(id) => {
                let e = existing_by_id[&id];
                snapshot.people[e]
                    .manager_id
                    .and_then(|m| existing_by_id.get(&m).map(|&i| node_of_existing(i)))
            }
        }
    };
    let describe = |node: Node| -> String {
        match node {
            Node::Row(r) => format!("{} (line {})", rows[r].record.email, rows[r].line),
            Node::Existing(id) => snapshot.people[existing_by_id[&id]]
                .record
                .email
                .to_string(),
        }
    };
    // Walk state per node (0 unseen, 1 on the current path, 2 done), kept by index rather
    // than in a map: a map entry per person costs more than the person's row.
    let slot = |n: Node| match n {
        Node::Row(r) => r,
        Node::Existing(id) => rows.len() + existing_by_id[&id],
    };
    let mut state = vec![0u8; rows.len() + snapshot.people.len()];
    for r in 0..rows.len() {
        if state[r] != 0 {
            continue;
        }
        let mut path: Vec<Node> = Vec::new();
        let mut node = Some(Node::Row(r));
        while let Some(n) = node {
            match state[slot(n)] {
                2 => break,
                1 => {
                    let from = path.iter().position(|p| *p == n).unwrap_or(0);
                    let cycle: Vec<String> = path[from..]
                        .iter()
                        .map(|p| describe(*p))
                        .chain(std::iter::once(describe(n)))
                        .collect();
                    let line = match n {
                        Node::Row(r) => rows[r].line,
                        Node::Existing(_) => rows[r].line,
                    };
                    plan.error(
                        line,
                        manager_header,
                        format!("reporting loop: {}", cycle.join(" → ")),
                    );
                    break;
                }
                _ => {
                    state[slot(n)] = 1;
                    path.push(n);
                    node = manager_of(n);
                }
            }
        }
        for p in path {
            state[slot(p)] = 2;
        }
    }
    drop(state);

    // Decide creates, updates and unchanged rows.
    // The index in `creates` of each row that creates a person.
    let mut create_index: Vec<usize> = Vec::with_capacity(rows.len());
    let mut next_create = 0usize;
    for m in &matched {
        create_index.push(next_create);
        if m.is_none() {
            next_create += 1;
        }
    }
    let target_of = |node: Option<Node>| -> ManagerTarget {
        match node {
            None => ManagerTarget::None,
            Some(Node::Existing(id)) => ManagerTarget::Existing(id),
            Some(Node::Row(r)) => match matched[r] {
                Some(e) => ManagerTarget::Existing(snapshot.people[e].id),
                None => ManagerTarget::New(create_index[r]),
            },
        }
    };
    let mut team_set: HashMap<CompactString, Option<CompactString>> = HashMap::new();
    let mut new_levels = BTreeSet::new();
    let mut new_skills = BTreeSet::new();
    let skills_header = header(Column::Skills);
    let mut warnings = Vec::new();
    // Rows are taken from the front in slices and the rest shrunk down, so the file's rows
    // are given back while the plan grows instead of both being held in full.
    let mut rows = rows;
    let mut taken = 0;
    while !rows.is_empty() {
        let slice = rows.len().min(16 * 1024);
        let first = taken;
        taken += slice;
        let batch: Vec<ImportRow> = rows.drain(..slice).collect();
        rows.shrink_to_fit();
        for (offset, row) in batch.into_iter().enumerate() {
            let r = first + offset;
            let manager = target_of(row_manager[r]);
            let mut record = row.record;
            if let Some(e) = matched[r] {
                keep_absent_columns(&mut record, &snapshot.people[e].record, &present);
            }
            if let Some(team) = &record.team {
                let entry = team_set.entry(team.clone()).or_insert(None);
                if record.department.is_some() {
                    *entry = record.department.clone();
                }
                if let Some(d) = &record.department {
                    team_set.entry(d.clone()).or_insert(None);
                }
            }
            if let Some(level) = &record.level
                && !snapshot.levels.contains(level.as_str())
            {
                new_levels.insert(level.clone());
            }
            for s in &record.skills {
                if !snapshot.skills.contains(s.skill.as_str()) {
                    // A near miss of a known skill is most likely a typo: said once per skill.
                    if new_skills.insert(s.skill.clone())
                        && let Some(near) = crate::names::closest(
                            &s.skill,
                            snapshot.skills.iter().map(String::as_str),
                        )
                    {
                        warnings.push(ImportIssue {
                            line: row.line,
                            column: skills_header.clone(),
                            message: format!(
                                "{:?} would be a new skill; did you mean {near}?",
                                s.skill
                            ),
                        });
                    }
                }
            }
            if let ManagerTarget::Existing(m) = manager
                && let Some(&e) = existing_by_id.get(&m)
                && matched_by[e].is_none()
                && snapshot.people[e].record.status == PersonStatus::Left
                && record.status == PersonStatus::Active
            {
                warnings.push(ImportIssue {
                    line: row.line,
                    column: manager_header.to_string(),
                    message: format!(
                        "reports to {}, who has left",
                        snapshot.people[e].record.name
                    ),
                });
            }
            match matched[r] {
                None => plan.creates.push(PlannedCreate {
                    line: row.line,
                    record,
                    manager,
                }),
                Some(e) => {
                    let existing = &snapshot.people[e];
                    let current_manager = existing
                        .manager_id
                        .map(ManagerTarget::Existing)
                        .unwrap_or(ManagerTarget::None);
                    let mut changed = changed_fields(&existing.record, &record);
                    if current_manager != manager {
                        changed.push(MANAGER_COLUMN);
                    }
                    if changed.is_empty() {
                        plan.unchanged += 1;
                    } else {
                        plan.updates.push(PlannedUpdate {
                            line: row.line,
                            id: existing.id,
                            record,
                            manager,
                            changed,
                            history: Vec::new(),
                        });
                    }
                }
            }
        }
    }
    // The history's manager names, once every person the file creates is planned.
    for u in 0..plan.updates.len() {
        let update = &plan.updates[u];
        let existing = &snapshot.people[existing_by_id[&update.id]];
        let manager_name = |target: ManagerTarget| match target {
            ManagerTarget::None => None,
            ManagerTarget::Existing(id) => existing_by_id
                .get(&id)
                .map(|&i| snapshot.people[i].record.name.to_string()),
            ManagerTarget::New(c) => plan.creates.get(c).map(|c| c.record.name.to_string()),
        };
        let before = history_values(
            &existing.record,
            existing
                .manager_id
                .map(ManagerTarget::Existing)
                .and_then(&manager_name),
        );
        let after = history_values(&update.record, manager_name(update.manager));
        plan.updates[u].history = history::changes(&before, &after);
    }
    plan.active_people = snapshot
        .people
        .iter()
        .filter(|p| p.record.status == PersonStatus::Active)
        .count();
    if options.deactivate_missing {
        for (e, p) in snapshot.people.iter().enumerate() {
            if matched_by[e].is_none()
                && p.record.status == PersonStatus::Active
                && options.importer != Some(p.id)
            {
                plan.deactivations.push(PlannedLeave {
                    id: p.id,
                    name: p.record.name.to_string(),
                    email: p.record.email.to_string(),
                });
            }
        }
        let allowed = match options.mass_leave {
            MassLeave::Refuse => false,
            MassLeave::Allow => true,
            MassLeave::AllowExactly(n) => n == plan.deactivations.len(),
        };
        if plan.is_mass_leave() && !allowed {
            plan.error(
                1,
                "file",
                format!(
                    "this file would mark {} of the {} active people as having left, more than a quarter; \
                     check that the file is complete, or confirm the mass leave explicitly",
                    plan.deactivations.len(),
                    plan.active_people
                ),
            );
        }
    }
    let mut teams: Vec<(String, Option<String>)> = team_set
        .into_iter()
        .map(|(t, d)| (t.into_string(), d.map(CompactString::into_string)))
        .collect();
    teams.sort();
    plan.new_teams = teams
        .iter()
        .filter(|(t, _)| !snapshot.teams.contains_key(t))
        .map(|(t, _)| t.clone())
        .collect();
    plan.teams = teams;
    plan.new_levels = new_levels
        .into_iter()
        .map(CompactString::into_string)
        .collect();
    plan.new_skills = new_skills
        .into_iter()
        .map(CompactString::into_string)
        .collect();
    plan.warnings = warnings;
    plan.errors.sort_by_key(|e| e.line);
    plan
}

/// Columns missing from the file keep what Trellis already holds.
fn keep_absent_columns(
    record: &mut PersonRecord,
    stored: &PersonRecord,
    present: &HashSet<Column>,
) {
    let has = |c: Column| present.contains(&c);
    if !has(Column::EmployeeId) {
        record.employee_id = stored.employee_id.clone();
    }
    if !has(Column::PreferredName) {
        record.preferred_name = stored.preferred_name.clone();
    }
    if !has(Column::Title) {
        record.title = stored.title.clone();
    }
    if !has(Column::Team) && !has(Column::Department) {
        record.team = stored.team.clone();
        record.department = stored.department.clone();
    }
    if !has(Column::Location) {
        record.location = stored.location.clone();
    }
    if !has(Column::TimeZone) {
        record.time_zone = stored.time_zone.clone();
    }
    if !has(Column::StartDate) {
        record.start_date = stored.start_date;
    }
    if !has(Column::Status) {
        record.status = stored.status;
    }
    if !has(Column::Level) {
        record.level = stored.level.clone();
    }
    if !has(Column::Skills) {
        record.skills = stored.skills.clone();
    }
}

fn history_values(record: &PersonRecord, manager: Option<String>) -> HistoryValues {
    HistoryValues {
        manager,
        level: record.level.as_deref().map(str::to_string),
        title: record.title.as_deref().map(str::to_string),
        team: record.team.as_deref().map(str::to_string),
        status: Some(record.status),
        skills: record.skills.clone(),
    }
}

fn changed_fields(before: &PersonRecord, after: &PersonRecord) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let mut check = |name: &'static str, differs: bool| {
        if differs {
            changed.push(name);
        }
    };
    check("employee id", before.employee_id != after.employee_id);
    check("email", before.email != after.email);
    check("name", before.name != after.name);
    check(
        "preferred name",
        before.preferred_name != after.preferred_name,
    );
    check("title", before.title != after.title);
    check("team", before.team != after.team);
    check(
        "department",
        after.department.is_some() && before.department != after.department,
    );
    check("location", before.location != after.location);
    check("time zone", before.time_zone != after.time_zone);
    check("start date", before.start_date != after.start_date);
    check("status", before.status != after.status);
    check("level", before.level != after.level);
    check("skills", before.skills != after.skills);
    changed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(csv: &str, snapshot: &OrgSnapshot) -> ImportPlan {
        plan_import(
            parse_people_csv(csv.as_bytes()),
            snapshot,
            ImportOptions::default(),
        )
    }

    fn messages(plan: &ImportPlan) -> Vec<String> {
        plan.errors
            .iter()
            .map(|i| {
                Located {
                    file: "people.csv",
                    issue: i,
                }
                .to_string()
            })
            .collect()
    }

    #[test]
    fn a_manager_may_appear_after_their_reports() {
        let p = plan(
            "Email,Name,Manager Email\nb@x.org,Bea,a@x.org\na@x.org,Ada,\n",
            &OrgSnapshot::default(),
        );
        assert!(p.is_valid(), "{:?}", messages(&p));
        assert_eq!(p.creates.len(), 2);
        assert_eq!(p.creates[0].manager, ManagerTarget::New(1));
        assert_eq!(p.creates[1].manager, ManagerTarget::None);
    }

    #[test]
    fn every_error_is_reported_with_file_line_and_column() {
        let p = plan(
            "Work Email,First Name,Last Name,Hire Date,Skills,Shoe Size\n\
             a@x.org,Ada,Lovelace,2021-13-01,rust:4,42\n\
             not-an-email,Bob,Builder,2020-01-01,sql:9,43\n\
             a@x.org,Ann,Other,,,\n",
            &OrgSnapshot::default(),
        );
        assert_eq!(
            messages(&p),
            [
                "people.csv:2: Hire Date: \"2021-13-01\" is not a date; use YYYY-MM-DD (for example 2021-03-15)",
                "people.csv:3: Work Email: \"not-an-email\" is not an e-mail address",
                "people.csv:3: Skills: \"sql:9\": the level must be 1 to 5, optionally followed by + (wants to grow)",
                "people.csv:4: Work Email: duplicate e-mail \"a@x.org\" (also on line 2)",
            ]
        );
        assert_eq!(p.ignored_columns, ["Shoe Size"]);
    }

    #[test]
    fn missing_required_columns_are_named() {
        let p = plan("Name,Title\nAda,CTO\n", &OrgSnapshot::default());
        assert_eq!(
            messages(&p),
            [
                "people.csv:1: header: missing required column Email (also accepted: Work Email, Email Address)"
            ]
        );
    }

    #[test]
    fn a_reporting_loop_is_refused_and_named() {
        let p = plan(
            "Email,Name,Manager Email\na@x.org,A,c@x.org\nb@x.org,B,a@x.org\nc@x.org,C,b@x.org\n",
            &OrgSnapshot::default(),
        );
        let m = messages(&p);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].contains("reporting loop: a@x.org (line 2) → c@x.org (line 4) → b@x.org (line 3) → a@x.org (line 2)"),
            "{m:?}"
        );
    }

    #[test]
    fn unknown_managers_and_non_utf8_files_are_reported() {
        let p = plan(
            "Email,Name,Reports To\na@x.org,A,E99\n",
            &OrgSnapshot::default(),
        );
        assert_eq!(
            messages(&p),
            ["people.csv:2: Reports To: no person with employee id E99 in the file or in Trellis"]
        );
        let p = plan_import(
            parse_people_csv(b"Email,Name\na@x.org,Jos\xE9\n"),
            &OrgSnapshot::default(),
            ImportOptions::default(),
        );
        assert!(messages(&p)[0].starts_with("people.csv:2: file: the file is not UTF-8"));
    }

    fn existing(id: i64, email: &str, eid: &str, manager: Option<i64>) -> ExistingPerson {
        ExistingPerson {
            id: PersonId(id),
            record: PersonRecord {
                employee_id: Some(eid.into()),
                email: email.into(),
                name: email.split('@').next().unwrap().into(),
                preferred_name: None,
                title: Some("Engineer".into()),
                team: None,
                department: None,
                location: None,
                time_zone: None,
                start_date: None,
                status: PersonStatus::Active,
                level: None,
                skills: vec![],
            },
            manager_id: manager.map(PersonId),
        }
    }

    #[test]
    fn reimport_matches_by_employee_id_then_email_and_keeps_absent_columns() {
        let snapshot = OrgSnapshot {
            people: vec![
                existing(1, "ada@x.org", "E1", None),
                existing(2, "bob@x.org", "E2", Some(1)),
            ],
            ..OrgSnapshot::default()
        };
        // Ada changes e-mail (matched by id); Bob is matched by e-mail and unchanged.
        let p = plan(
            "Employee Id,Email,Name\nE1,ada.l@x.org,ada\nE2,bob@x.org,bob\n",
            &snapshot,
        );
        assert!(p.is_valid(), "{:?}", messages(&p));
        assert_eq!(p.unchanged, 1);
        assert_eq!(p.updates.len(), 1);
        assert_eq!(p.updates[0].id, PersonId(1));
        assert_eq!(p.updates[0].changed, ["email"]);
        assert_eq!(p.updates[0].record.title.as_deref(), Some("Engineer"));
        // Without an employee id column, Bob is found by e-mail and keeps his id and title.
        let p = plan("Email,Name\nbob@x.org,bob\n", &snapshot);
        assert_eq!((p.unchanged, p.updates.len()), (1, 0));
    }

    #[test]
    fn a_loop_through_existing_people_is_refused() {
        let snapshot = OrgSnapshot {
            people: vec![
                existing(1, "ada@x.org", "E1", None),
                existing(2, "bob@x.org", "E2", Some(1)),
            ],
            ..OrgSnapshot::default()
        };
        let p = plan(
            "Email,Name,Manager Email\nada@x.org,ada,bob@x.org\n",
            &snapshot,
        );
        assert_eq!(
            messages(&p),
            [
                "people.csv:2: Manager Email: reporting loop: ada@x.org (line 2) → bob@x.org → ada@x.org (line 2)"
            ]
        );
    }

    #[test]
    fn an_email_held_by_someone_outside_the_file_is_refused() {
        let snapshot = OrgSnapshot {
            people: vec![
                existing(1, "ada@x.org", "E1", None),
                existing(2, "bob@x.org", "E2", None),
            ],
            ..OrgSnapshot::default()
        };
        let p = plan("Employee Id,Email,Name\nE1,bob@x.org,ada\n", &snapshot);
        assert_eq!(
            messages(&p),
            [
                "people.csv:2: Email: bob@x.org already belongs to bob (employee id E2), who is not in this file"
            ]
        );
    }

    #[test]
    fn deactivate_missing_marks_only_active_people_outside_the_file() {
        let mut left = existing(3, "cy@x.org", "E3", None);
        left.record.status = PersonStatus::Left;
        let snapshot = OrgSnapshot {
            people: vec![
                existing(1, "ada@x.org", "E1", None),
                existing(2, "bob@x.org", "E2", None),
                left,
            ],
            ..OrgSnapshot::default()
        };
        let p = plan_import(
            parse_people_csv(b"Email,Name\nada@x.org,ada\n"),
            &snapshot,
            ImportOptions {
                deactivate_missing: true,
                ..ImportOptions::default()
            },
        );
        let leaving: Vec<PersonId> = p.deactivations.iter().map(|d| d.id).collect();
        assert_eq!(leaving, [PersonId(2)]);
    }

    #[test]
    fn a_mass_leave_is_refused_unless_confirmed_and_the_importer_never_leaves() {
        let snapshot = OrgSnapshot {
            people: (1..=8)
                .map(|i| existing(i, &format!("p{i}@x.org"), &format!("E{i}"), None))
                .collect(),
            ..OrgSnapshot::default()
        };
        let file = b"Email,Name\np1@x.org,p1\n";
        let with = |mass_leave, importer| {
            plan_import(
                parse_people_csv(file),
                &snapshot,
                ImportOptions {
                    deactivate_missing: true,
                    mass_leave,
                    importer,
                },
            )
        };
        let refused = with(MassLeave::Refuse, None);
        assert_eq!(
            messages(&refused),
            [
                "people.csv:1: file: this file would mark 7 of the 8 active people as having left, \
              more than a quarter; check that the file is complete, or confirm the mass leave explicitly"
            ]
        );
        assert_eq!(
            refused.deactivations[0].email, "p2@x.org",
            "the preview names who leaves"
        );
        assert!(with(MassLeave::Allow, None).is_valid());
        assert!(!with(MassLeave::AllowExactly(6), None).is_valid());
        let typed = with(MassLeave::AllowExactly(6), Some(PersonId(8)));
        assert!(typed.is_valid(), "{:?}", messages(&typed));
        assert!(typed.deactivations.iter().all(|d| d.id != PersonId(8)));
        // Two of eight is a quarter, not more: no confirmation needed.
        let small = plan_import(
            parse_people_csv(b"Email,Name\np1@x.org,p1\np2@x.org,p2\np3@x.org,p3\np4@x.org,p4\np5@x.org,p5\np6@x.org,p6\n"),
            &snapshot,
            ImportOptions { deactivate_missing: true, ..ImportOptions::default() },
        );
        assert!(small.is_valid() && small.deactivations.len() == 2);
    }

    #[test]
    fn a_file_cut_short_is_refused_row_by_row_and_never_read_as_blank_cells() {
        let p = plan(
            "Email,Name,Title,Manager Email,Team\n\
             a@x.org,Ada,CTO,,Core\n\
             b@x.org,Bea,Engineer\n\
             c@x.org,Cy,Engineer,a@x.org,Core,extra\n\
             d@x.org,Di,Engineer,a@x.org,Core,,\n",
            &OrgSnapshot::default(),
        );
        assert_eq!(
            messages(&p),
            [
                "people.csv:3: row: row has 3 cells, the header has 5",
                "people.csv:4: row: row has 6 cells, the header has 5",
            ]
        );
        assert!(!p.is_valid());
    }

    #[test]
    fn errors_name_the_editor_line_for_crlf_cr_bom_and_quoted_line_breaks() {
        for (end, bom) in [
            ("\n", false),
            ("\r\n", false),
            ("\r", false),
            ("\r\n", true),
        ] {
            let text = [
                "Email,Name,Title",
                "a@x.org,Ada,\"Chief",
                "Technology Officer\"",
                "",
                "oops,Bea,Engineer",
                "",
            ]
            .join(end);
            let bytes = if bom {
                [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()
            } else {
                text.into_bytes()
            };
            let p = plan_import(
                parse_people_csv(&bytes),
                &OrgSnapshot::default(),
                ImportOptions::default(),
            );
            assert_eq!(
                messages(&p),
                ["people.csv:5: Email: \"oops\" is not an e-mail address"],
                "line end {end:?}, BOM {bom}"
            );
        }
    }

    #[test]
    fn a_near_miss_of_a_known_skill_is_named_and_new_skills_and_levels_are_listed() {
        let mut snapshot = OrgSnapshot::default();
        snapshot.skills.insert("python".into());
        snapshot.levels.insert("L3".into());
        let p = plan(
            "Email,Name,Skills,Level,Time Zone\n\
             a@x.org,Ada,pyhton:3; kotlin:2,L9,Europe/Madrid\n\
             b@x.org,Bea,pyhton:2,L3,Europe/Madird\n",
            &snapshot,
        );
        assert_eq!(
            messages(&p),
            [
                "people.csv:3: Time Zone: \"Europe/Madird\" is not a time zone; did you mean Europe/Madrid?"
            ]
        );
        let warnings: Vec<String> = p
            .warnings
            .iter()
            .map(|w| format!("{}: {}: {}", w.line, w.column, w.message))
            .collect();
        assert_eq!(
            warnings,
            ["2: Skills: \"pyhton\" would be a new skill; did you mean python?"]
        );
        assert_eq!(p.new_skills, ["kotlin", "pyhton"]);
        assert_eq!(p.new_levels, ["L9"]);
    }
}
