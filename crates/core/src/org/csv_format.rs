//! The people CSV format shared by import and export: column names with the aliases that
//! common HRIS exports use, and the parsing of dates, statuses and skills.

use super::{PersonStatus, SkillLevel};
use chrono::NaiveDate;

/// A column Trellis understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    EmployeeId,
    Email,
    Name,
    FirstName,
    LastName,
    PreferredName,
    Title,
    ManagerEmail,
    ManagerId,
    /// "Reports To": an e-mail address or an employee id.
    ReportsTo,
    Department,
    Team,
    Location,
    TimeZone,
    StartDate,
    Status,
    Level,
    Skills,
}

impl Column {
    /// The header Trellis writes on export.
    pub fn export_header(self) -> &'static str {
        match self {
            Column::EmployeeId => "Employee Id",
            Column::Email => "Email",
            Column::Name => "Name",
            Column::FirstName => "First Name",
            Column::LastName => "Last Name",
            Column::PreferredName => "Preferred Name",
            Column::Title => "Title",
            Column::ManagerEmail => "Manager Email",
            Column::ManagerId => "Manager Id",
            Column::ReportsTo => "Reports To",
            Column::Department => "Department",
            Column::Team => "Team",
            Column::Location => "Location",
            Column::TimeZone => "Time Zone",
            Column::StartDate => "Start Date",
            Column::Status => "Status",
            Column::Level => "Level",
            Column::Skills => "Skills",
        }
    }

    /// Recognises a header, ignoring case, spaces and punctuation.
    pub fn from_header(header: &str) -> Option<Column> {
        let key: String = header
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect();
        Some(match key.as_str() {
            "employeeid" | "employeenumber" | "employeeno" | "eid" | "empid" | "workerid"
            | "personid" => Column::EmployeeId,
            "email" | "workemail" | "emailaddress" | "workemailaddress" | "mail" => Column::Email,
            "name" | "fullname" | "employeename" | "displayname" => Column::Name,
            "firstname" | "givenname" | "legalfirstname" => Column::FirstName,
            "lastname" | "surname" | "familyname" | "legallastname" => Column::LastName,
            "preferredname" | "nickname" | "preferredfirstname" => Column::PreferredName,
            "title" | "jobtitle" | "position" | "role" => Column::Title,
            "manageremail" | "supervisoremail" | "manageremailaddress" => Column::ManagerEmail,
            "managerid"
            | "supervisoreid"
            | "supervisorid"
            | "managereid"
            | "manageremployeeid"
            | "supervisoremployeeid" => Column::ManagerId,
            "reportsto" | "manager" | "supervisor" => Column::ReportsTo,
            "department" | "division" | "dept" => Column::Department,
            "team" | "group" => Column::Team,
            "location" | "office" | "worklocation" | "site" => Column::Location,
            "timezone" | "tz" => Column::TimeZone,
            "startdate" | "hiredate" | "dateofhire" | "joiningdate" | "originalhiredate" => {
                Column::StartDate
            }
            "status" | "employmentstatus" | "employeestatus" => Column::Status,
            "level" | "joblevel" | "grade" | "careerlevel" => Column::Level,
            "skills" => Column::Skills,
            _ => return None,
        })
    }
}

/// The columns Trellis writes on export, in order. Import reads them back unchanged.
pub const EXPORT_COLUMNS: [Column; 14] = [
    Column::EmployeeId,
    Column::Email,
    Column::Name,
    Column::PreferredName,
    Column::Title,
    Column::ManagerEmail,
    Column::Department,
    Column::Team,
    Column::Location,
    Column::TimeZone,
    Column::StartDate,
    Column::Status,
    Column::Level,
    Column::Skills,
];

/// How the numeric dates of a file are ordered, decided from the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayMonthOrder {
    DayFirst,
    MonthFirst,
    /// Every numeric date in the file could be read either way.
    Unknown,
    /// Some dates can only be day-first and others only month-first.
    Mixed,
}

impl DayMonthOrder {
    /// What two parts of a file say together.
    pub fn and(self, other: DayMonthOrder) -> DayMonthOrder {
        use DayMonthOrder::*;
        match (self, other) {
            (Unknown, o) | (o, Unknown) => o,
            (a, b) if a == b => a,
            _ => Mixed,
        }
    }
}

/// Splits `12/03/2021`, `12.03.2021` or `12-03-2021` into three numbers.
fn numeric_parts(value: &str) -> Option<(u32, u32, i32)> {
    let parts: Vec<&str> = value.split(['/', '.', '-']).collect();
    if parts.len() != 3 || parts[2].len() != 4 || parts[0].len() > 2 || parts[1].len() > 2 {
        return None;
    }
    Some((
        parts[0].parse().ok()?,
        parts[1].parse().ok()?,
        parts[2].parse().ok()?,
    ))
}

/// Looks at every date of a file to tell day-first from month-first files.
pub fn detect_day_month_order<'a>(values: impl Iterator<Item = &'a str>) -> DayMonthOrder {
    let (mut day_first, mut month_first) = (false, false);
    for v in values {
        if let Some((a, b, _)) = numeric_parts(v.trim()) {
            if a > 12 && b <= 12 {
                day_first = true;
            }
            if b > 12 && a <= 12 {
                month_first = true;
            }
        }
    }
    match (day_first, month_first) {
        (true, false) => DayMonthOrder::DayFirst,
        (false, true) => DayMonthOrder::MonthFirst,
        (false, false) => DayMonthOrder::Unknown,
        (true, true) => DayMonthOrder::Mixed,
    }
}

/// Parses a date in ISO 8601 or the usual day/month formats.
pub fn parse_date(value: &str, order: DayMonthOrder) -> Result<NaiveDate, String> {
    let v = value.trim();
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(d);
    }
    // ISO date-times from some exports: keep the date part.
    if v.len() > 10
        && v.as_bytes()[10] == b'T'
        && let Ok(d) = NaiveDate::parse_from_str(&v[..10], "%Y-%m-%d")
    {
        return Ok(d);
    }
    for format in [
        "%d %b %Y",
        "%d %B %Y",
        "%b %d, %Y",
        "%B %d, %Y",
        "%d-%b-%Y",
        "%Y/%m/%d",
    ] {
        if let Ok(d) = NaiveDate::parse_from_str(v, format) {
            return Ok(d);
        }
    }
    let Some((a, b, year)) = numeric_parts(v) else {
        return Err(format!(
            "{v:?} is not a date; use YYYY-MM-DD (for example 2021-03-15)"
        ));
    };
    let day_first = NaiveDate::from_ymd_opt(year, b, a);
    let month_first = NaiveDate::from_ymd_opt(year, a, b);
    match (day_first, month_first) {
        (Some(d), None) | (None, Some(d)) => Ok(d),
        (None, None) => Err(format!("{v:?} is not a valid date")),
        (Some(d), Some(m)) if d == m => Ok(d),
        (Some(d), Some(m)) => match order {
            DayMonthOrder::DayFirst => Ok(d),
            DayMonthOrder::MonthFirst => Ok(m),
            DayMonthOrder::Unknown => Err(format!(
                "{v:?} is ambiguous: it could be {} or {}; use YYYY-MM-DD",
                d.format("%-d %B %Y"),
                m.format("%-d %B %Y")
            )),
            DayMonthOrder::Mixed => Err(format!(
                "{v:?} is ambiguous: this file has both day-first and month-first dates; use YYYY-MM-DD"
            )),
        },
    }
}

/// Reads an employment status as HRIS exports write it.
pub fn parse_status(value: &str) -> Result<PersonStatus, String> {
    let key = value.trim().to_lowercase();
    match key.as_str() {
        "" | "active" | "a" | "employed" | "current" | "on leave" | "leave" => {
            Ok(PersonStatus::Active)
        }
        "left" | "terminated" | "t" | "inactive" | "former" | "departed" | "resigned" => {
            Ok(PersonStatus::Left)
        }
        _ => Err(format!(
            "{:?} is not a status; use Active or Left",
            value.trim()
        )),
    }
}

/// Parses `rust:4; sql:3+` (`+` means the person wants to grow the skill).
pub fn parse_skills(value: &str) -> Result<Vec<SkillLevel>, String> {
    let mut skills: Vec<SkillLevel> = Vec::new();
    for part in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let Some((name, level)) = part.rsplit_once(':') else {
            return Err(format!(
                "{part:?} has no level; write skills as name:level, e.g. rust:4; sql:3+"
            ));
        };
        let name = normalise_skill(name);
        if name.is_empty() || name.chars().count() > 60 {
            return Err(format!("{part:?}: a skill name has 1 to 60 characters"));
        }
        let level = level.trim();
        let (digits, grow) = match level.strip_suffix('+') {
            Some(d) => (d.trim(), true),
            None => (level, false),
        };
        let level: u8 = match digits.parse() {
            Ok(n @ 1..=5) => n,
            _ => {
                return Err(format!(
                    "{part:?}: the level must be 1 to 5, optionally followed by + (wants to grow)"
                ));
            }
        };
        if skills.iter().any(|s| s.skill == name) {
            return Err(format!("skill {name:?} is listed twice"));
        }
        skills.push(SkillLevel {
            skill: name.into(),
            level,
            wants_to_grow: grow,
        });
    }
    skills.sort();
    Ok(skills)
}

/// Skill names are compared in lower case with single spaces.
pub fn normalise_skill(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A light check of an e-mail address: one `@`, something on both sides, a dot in the domain.
pub fn is_plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.contains(char::is_whitespace)
        && !domain.contains('@')
        && email.len() <= 254
}

/// A time zone must be an IANA name (`Europe/Berlin`) or `UTC`; a near miss is named.
pub fn check_time_zone(tz: &str) -> Result<(), String> {
    if tz.parse::<chrono_tz::Tz>().is_ok() {
        return Ok(());
    }
    let names = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
    Err(match crate::names::closest(tz, names) {
        Some(near) => format!("{tz:?} is not a time zone; did you mean {near}?"),
        None => format!("{tz:?} is not a time zone name such as Europe/Berlin or UTC"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_ignoring_case_and_punctuation() {
        assert_eq!(Column::from_header("Employee_ID"), Some(Column::EmployeeId));
        assert_eq!(Column::from_header("EID"), Some(Column::EmployeeId));
        assert_eq!(Column::from_header("work e-mail"), Some(Column::Email));
        assert_eq!(
            Column::from_header("Supervisor EID"),
            Some(Column::ManagerId)
        );
        assert_eq!(Column::from_header("Reports To"), Some(Column::ReportsTo));
        assert_eq!(Column::from_header("Hire Date"), Some(Column::StartDate));
        assert_eq!(Column::from_header("Division"), Some(Column::Department));
        assert_eq!(Column::from_header("Favourite colour"), None);
    }

    #[test]
    fn dates_in_iso_and_usual_formats() {
        let d = NaiveDate::from_ymd_opt(2021, 3, 15).unwrap();
        for v in [
            "2021-03-15",
            "15/03/2021",
            "03/15/2021",
            "15 Mar 2021",
            "March 15, 2021",
            "15-Mar-2021",
            "2021-03-15T09:00:00Z",
        ] {
            assert_eq!(parse_date(v, DayMonthOrder::Unknown), Ok(d), "{v}");
        }
    }

    #[test]
    fn ambiguous_dates_are_reported_unless_the_file_decides() {
        let err = parse_date("03/04/2021", DayMonthOrder::Unknown).unwrap_err();
        assert!(err.contains("3 April 2021 or 4 March 2021"), "{err}");
        assert_eq!(
            parse_date("03/04/2021", DayMonthOrder::DayFirst),
            Ok(NaiveDate::from_ymd_opt(2021, 4, 3).unwrap())
        );
        assert_eq!(
            detect_day_month_order(["25/12/2020", "03/04/2021"].into_iter()),
            DayMonthOrder::DayFirst
        );
        assert_eq!(
            detect_day_month_order(["25/12/2020", "12/25/2021"].into_iter()),
            DayMonthOrder::Mixed
        );
        assert!(parse_date("31/02/2021", DayMonthOrder::DayFirst).is_err());
        assert!(parse_date("yesterday", DayMonthOrder::Unknown).is_err());
    }

    #[test]
    fn skills_notation_parses_levels_and_growth_wishes() {
        let skills = parse_skills("Rust:4; sql : 3+ ;").unwrap();
        assert_eq!(skills.len(), 2);
        assert_eq!(skills[0].skill, "rust");
        assert_eq!(skills[1].skill, "sql");
        assert!(skills[1].wants_to_grow);
        assert!(parse_skills("rust:6").unwrap_err().contains("1 to 5"));
        assert!(parse_skills("rust").unwrap_err().contains("no level"));
        assert!(
            parse_skills("rust:3; Rust:2")
                .unwrap_err()
                .contains("twice")
        );
    }

    #[test]
    fn time_zones_are_iana_names_and_near_misses_are_named() {
        assert_eq!(check_time_zone("Europe/Madrid"), Ok(()));
        assert_eq!(check_time_zone("UTC"), Ok(()));
        assert_eq!(
            check_time_zone("Europe/Madird"),
            Err("\"Europe/Madird\" is not a time zone; did you mean Europe/Madrid?".into())
        );
        assert!(
            check_time_zone("Moon")
                .unwrap_err()
                .contains("such as Europe/Berlin")
        );
        assert!(
            check_time_zone("Europe/Atlantis").is_err(),
            "looks right, is not a zone"
        );
    }

    #[test]
    fn statuses_from_hris_words() {
        assert_eq!(parse_status("Terminated"), Ok(PersonStatus::Left));
        assert_eq!(parse_status("ACTIVE"), Ok(PersonStatus::Active));
        assert!(parse_status("maybe").is_err());
    }
}
