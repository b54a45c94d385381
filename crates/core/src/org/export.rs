//! Export of people in the import format, so that importing an export changes nothing.

use super::csv_format::EXPORT_COLUMNS;
use super::import::OrgSnapshot;
use super::skills_notation;
use std::collections::HashMap;
use std::io::Write;

/// Writes every person of the snapshot as CSV, in the order of [`EXPORT_COLUMNS`].
pub fn write_people_csv<W: Write>(snapshot: &OrgSnapshot, out: W) -> csv::Result<()> {
    let email_by_id: HashMap<_, &str> = snapshot
        .people
        .iter()
        .map(|p| (p.id, p.record.email.as_str()))
        .collect();
    let mut writer = crate::csv_file::SafeWriter::new(out);
    writer.write_record(EXPORT_COLUMNS.iter().map(|c| c.export_header()))?;
    let mut people: Vec<_> = snapshot.people.iter().collect();
    people.sort_by_key(|p| p.id);
    for p in people {
        let r = &p.record;
        // A team with a department is written as both; a team alone as the department.
        let (department, team) = match (&r.department, &r.team) {
            (Some(d), Some(t)) => (d.as_str(), t.as_str()),
            (None, Some(t)) => (t.as_str(), ""),
            (_, None) => ("", ""),
        };
        let start = r
            .start_date
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let manager = p
            .manager_id
            .and_then(|m| email_by_id.get(&m).copied())
            .unwrap_or("");
        writer.write_record([
            r.employee_id.as_deref().unwrap_or(""),
            r.email.as_str(),
            r.name.as_str(),
            r.preferred_name.as_deref().unwrap_or(""),
            r.title.as_deref().unwrap_or(""),
            manager,
            department,
            team,
            r.location.as_deref().unwrap_or(""),
            r.time_zone.as_deref().unwrap_or(""),
            start.as_str(),
            if r.status == super::PersonStatus::Left {
                "Left"
            } else {
                "Active"
            },
            r.level.as_deref().unwrap_or(""),
            skills_notation(&r.skills).as_str(),
        ])?;
    }
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PersonId;
    use crate::org::PersonStatus;
    use crate::org::import::{
        ExistingPerson, ImportOptions, PersonRecord, parse_people_csv, plan_import,
    };

    #[test]
    fn member_text_is_exported_as_text_not_formulas_and_imports_back_unchanged() {
        let record = PersonRecord {
            employee_id: Some("E1".into()),
            email: "ada@x.org".into(),
            name: "Ada".into(),
            preferred_name: Some("@sum(1+1)".into()),
            title: Some("=HYPERLINK(\"http://evil.example\",\"click\")".into()),
            team: None,
            department: None,
            location: Some("-Lisbon".into()),
            time_zone: None,
            start_date: None,
            status: PersonStatus::Active,
            level: None,
            skills: Vec::new(),
        };
        let snapshot = OrgSnapshot {
            people: vec![ExistingPerson {
                id: PersonId(1),
                record,
                manager_id: None,
            }],
            ..OrgSnapshot::default()
        };
        let mut out = Vec::new();
        write_people_csv(&snapshot, &mut out).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(
            text.contains("'@sum(1+1)")
                && text.contains("\"'=HYPERLINK(")
                && text.contains("'-Lisbon"),
            "{text}"
        );
        let plan = plan_import(parse_people_csv(&out), &snapshot, ImportOptions::default());
        assert!(plan.is_valid(), "{:?}", plan.errors);
        assert!(plan.is_empty(), "{:?}", plan.updates);
    }
}
