//! `trellis import interactions` and the admin upload: `From`, `To` (e-mail or employee
//! id), `Date` (YYYY-MM-DD), `Kind` (advice, meeting, message, work). All rows or none,
//! every problem as `FILE:LINE: column: message`; re-importing the same rows adds nothing.
//! Meant for metadata exported from chat or mail systems.

use super::store::InfluenceStore;
use super::{Interaction, InteractionKind};
use crate::audit::AuditEntry;
use crate::csv_file::{self, Column, row_error};
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use crate::org::PersonStatus;
use crate::org::import::{MAX_IMPORT_BYTES, OrgSnapshot};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// What an import did, or would do on a dry run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InteractionImport {
    /// Rows read, duplicates within the file included.
    pub rows: usize,
    /// Interactions new to Trellis (on a dry run: that would be).
    pub added: usize,
}

/// Who an e-mail address or employee id names: active people only.
struct Directory {
    by_email: HashMap<String, (PersonId, bool)>,
    by_employee_id: HashMap<String, (PersonId, bool)>,
}

impl Directory {
    fn new(snapshot: &OrgSnapshot) -> Directory {
        let mut by_email = HashMap::new();
        let mut by_employee_id = HashMap::new();
        for p in &snapshot.people {
            let active = p.record.status == PersonStatus::Active;
            by_email.insert(p.record.email.to_lowercase().to_string(), (p.id, active));
            if let Some(e) = &p.record.employee_id {
                by_employee_id.insert(e.to_string(), (p.id, active));
            }
        }
        Directory {
            by_email,
            by_employee_id,
        }
    }

    fn find(&self, value: &str) -> Result<PersonId, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err("empty: give an e-mail address or an employee id".into());
        }
        let found = if value.contains('@') {
            // Most files spell addresses as the directory does: no lower-cased copy then.
            match self.by_email.get(value) {
                Some(found) => Some(found),
                None => self.by_email.get(&value.to_lowercase()),
            }
        } else {
            self.by_employee_id.get(value)
        };
        match found {
            Some((id, true)) => Ok(*id),
            Some((_, false)) => Err(format!("{value} has left")),
            None => Err(format!("nobody in Trellis is {value}")),
        }
    }
}

/// Reads an interactions file against the organisation; `today` bounds the dates.
pub fn parse_csv(
    file: &str,
    content: &[u8],
    snapshot: &OrgSnapshot,
    today: NaiveDate,
) -> Result<Vec<Interaction>, Vec<String>> {
    if content.len() > MAX_IMPORT_BYTES {
        return Err(vec![format!(
            "{file}: the file is {} MB; Trellis imports files of up to {} MB — split it into several files",
            content.len() / (1024 * 1024),
            MAX_IMPORT_BYTES / (1024 * 1024)
        )]);
    }
    let column = |name, headers, required| Column {
        name,
        headers,
        required,
    };
    let columns = [
        column(
            "From",
            &["from", "fromemail", "seekeremail", "seeker"][..],
            true,
        ),
        column("To", &["to", "toemail", "adviseremail", "adviser"], true),
        column("Date", &["date", "day", "on"], true),
        column("Kind", &["kind", "type"], true),
    ];
    let directory = Directory::new(snapshot);
    let mut errors = Vec::new();
    let mut out = Vec::new();
    // Row by row, without copying the cells: files of a million interactions.
    csv_file::visit(file, content, &columns, |line, cells| {
        let mut person = |at: usize, name: &str| match directory.find(cells[at]) {
            Ok(id) => Some(id),
            Err(m) => {
                errors.push(row_error(file, line, name, &m));
                None
            }
        };
        let (from, to) = (person(0, "From"), person(1, "To"));
        let raw = cells[2].trim();
        let on = match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) if d > today => {
                errors.push(row_error(
                    file,
                    line,
                    "Date",
                    &format!("{raw} is in the future"),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(row_error(
                    file,
                    line,
                    "Date",
                    &format!("{raw:?} is not a date: use YYYY-MM-DD"),
                ));
                None
            }
        };
        let kind = InteractionKind::parse(cells[3]);
        if kind.is_none() {
            errors.push(row_error(
                file,
                line,
                "Kind",
                &format!(
                    "{:?} is not a kind: use advice, meeting, message or work",
                    cells[3].trim()
                ),
            ));
        }
        if let (Some(from), Some(to)) = (from, to)
            && from == to
        {
            errors.push(row_error(
                file,
                line,
                "To",
                "the same person as From: an interaction is between two people",
            ));
            return true;
        }
        if let (Some(from), Some(to), Some(on), Some(kind)) = (from, to, on, kind) {
            out.push(Interaction { from, to, on, kind });
        }
        errors.len() < crate::org::import::MAX_REPORTED_ERRORS
    })?;
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Imports a file: all rows or none; `actor` none for the command line.
#[allow(clippy::too_many_arguments)]
pub async fn apply_file(
    store: &dyn InfluenceStore,
    actor: Option<PersonId>,
    file: &str,
    content: &[u8],
    dry_run: bool,
    today: NaiveDate,
    now: i64,
) -> CoreResult<InteractionImport> {
    // Who is who, without skills: all a file of interactions names.
    let snapshot = OrgSnapshot {
        people: store.org_people().await?,
        ..OrgSnapshot::default()
    };
    let mut rows = parse_csv(file, content, &snapshot, today).map_err(csv_file::refused)?;
    let read = rows.len();
    rows.sort_unstable();
    rows.dedup();
    if dry_run {
        // What is new: the file's interactions less those held from its first day on.
        let held: std::collections::HashSet<Interaction> = match rows.iter().map(|r| r.on).min() {
            Some(first) => store.interactions_since(first).await?.into_iter().collect(),
            None => Default::default(),
        };
        return Ok(InteractionImport {
            rows: read,
            added: rows.iter().filter(|r| !held.contains(r)).count(),
        });
    }
    let added = store.add_interactions(&rows).await?;
    store
        .audit(&AuditEntry {
            at: now,
            actor,
            action: "interactions.import".into(),
            subject: file.to_string(),
            detail: format!("{read} rows, {added} new"),
        })
        .await?;
    Ok(InteractionImport { rows: read, added })
}

/// The admin upload (people admins).
pub async fn import(
    store: &dyn InfluenceStore,
    viewer: &crate::access::Viewer,
    file: &str,
    content: &[u8],
    dry_run: bool,
    now: i64,
) -> CoreResult<InteractionImport> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "import interactions: people admins do".into(),
        ));
    }
    let today = crate::clock::local_date(None, now);
    apply_file(
        store,
        Some(viewer.person_id()),
        file,
        content,
        dry_run,
        today,
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::import::{ExistingPerson, PersonRecord};

    fn person(id: i64, email: &str, eid: &str, status: PersonStatus) -> ExistingPerson {
        ExistingPerson {
            id: PersonId(id),
            record: PersonRecord {
                employee_id: Some(eid.into()),
                email: email.into(),
                name: email.into(),
                preferred_name: None,
                title: None,
                team: None,
                department: None,
                location: None,
                time_zone: None,
                start_date: None,
                status,
                level: None,
                skills: vec![],
            },
            manager_id: None,
        }
    }

    fn snapshot() -> OrgSnapshot {
        OrgSnapshot {
            people: vec![
                person(1, "ada@x.org", "E1", PersonStatus::Active),
                person(2, "bob@x.org", "E2", PersonStatus::Active),
                person(3, "cy@x.org", "E3", PersonStatus::Left),
            ],
            ..OrgSnapshot::default()
        }
    }

    #[test]
    fn people_are_named_by_email_in_any_case_or_employee_id_and_leavers_are_refused() {
        let today: NaiveDate = "2026-12-01".parse().unwrap();
        let ok = parse_csv(
            "f.csv",
            b"Seeker Email,Adviser Email,Date,Kind\nADA@x.org,E2,2026-11-30,Advice\n",
            &snapshot(),
            today,
        )
        .unwrap();
        assert_eq!(
            ok,
            vec![Interaction {
                from: PersonId(1),
                to: PersonId(2),
                on: "2026-11-30".parse().unwrap(),
                kind: InteractionKind::Advice,
            }]
        );
        let errors = parse_csv(
            "f.csv",
            b"From,To,Date,Kind\ncy@x.org,E2,2026-11-30,work\nE1,,2026-11-30,work\n",
            &snapshot(),
            today,
        )
        .unwrap_err();
        assert_eq!(
            errors,
            vec![
                "f.csv:2: From: cy@x.org has left".to_string(),
                "f.csv:3: To: empty: give an e-mail address or an employee id".to_string(),
            ]
        );
    }

    #[test]
    fn a_file_without_a_kind_column_says_so() {
        let errors = parse_csv(
            "f.csv",
            b"From,To,Date\nE1,E2,2026-11-30\n",
            &snapshot(),
            "2026-12-01".parse().unwrap(),
        )
        .unwrap_err();
        assert!(errors[0].contains("Kind"), "{errors:?}");
    }
}
