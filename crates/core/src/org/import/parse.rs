//! Reading a people CSV into rows, every problem collected with its line and column.

use super::{ImportIssue, ImportRow, MAX_IMPORT_BYTES, ManagerRef, ParsedFile, PersonRecord};
use crate::csv_file::Records;
use crate::org::PersonStatus;
use crate::org::csv_format::{self, Column, DayMonthOrder};
use compact_str::CompactString;
use rayon::prelude::*;
use std::collections::HashMap;

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

    let headers = read_header(&header_record, header_line, &mut parsed);
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
    let read_row = |row: &(u64, csv::StringRecord)| read_row(&headers, order, row);
    // Rows are read in chunks on every core; only the parsed rows are kept, and once the
    // file has more errors than are reported (it cannot be imported) only errors are counted.
    const CHUNK: usize = 4096;
    let mut chunk: Vec<(u64, csv::StringRecord)> = Vec::with_capacity(CHUNK);
    let flush = |chunk: &mut Vec<(u64, csv::StringRecord)>, parsed: &mut ParsedFile| {
        let results: Vec<_> = chunk.par_iter().map(read_row).collect();
        chunk.clear();
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
            parsed.rows = Default::default();
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

/// Reads one data row: the person it describes (when it has an e-mail address) and every
/// problem with its cells.
fn read_row(
    headers: &HashMap<Column, (usize, String)>,
    order: DayMonthOrder,
    (line, record): &(u64, csv::StringRecord),
) -> (Option<ImportRow>, Vec<ImportIssue>) {
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
    let manager = manager_ref(field);
    let (team, department) = team_and_department(text(Column::Team), text(Column::Department));
    let issues = errors
        .into_iter()
        .map(|(column, message)| ImportIssue {
            line,
            column: header_of(headers, column),
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
}

/// The columns a header names, each with its index and the file's own words; duplicates,
/// missing required columns and competing manager columns are errors on `parsed`, and
/// columns Trellis does not know are listed as ignored.
fn read_header(
    header_record: &csv::StringRecord,
    header_line: u64,
    parsed: &mut ParsedFile,
) -> HashMap<Column, (usize, String)> {
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
    headers
}

/// How a row names its manager: the first manager column it fills.
fn manager_ref<'a>(field: impl Fn(Column) -> Option<&'a str>) -> Option<ManagerRef> {
    // "Reports To" holds an e-mail address or an employee id.
    field(Column::ManagerEmail)
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
        })
}

/// A row's team, and the department above it when the file names a different one; a row
/// with only a department belongs to it.
fn team_and_department(
    team: Option<CompactString>,
    department: Option<CompactString>,
) -> (Option<CompactString>, Option<CompactString>) {
    match (team, department) {
        (Some(t), Some(d)) if t != d => (Some(t), Some(d)),
        (Some(t), _) => (Some(t), None),
        (None, Some(d)) => (Some(d), None),
        (None, None) => (None, None),
    }
}
