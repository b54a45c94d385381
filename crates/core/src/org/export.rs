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
    let mut writer = csv::Writer::from_writer(out);
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
