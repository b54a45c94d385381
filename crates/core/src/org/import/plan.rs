//! Comparing parsed rows with the organisation: matches, managers, the reporting forest,
//! and the creates, updates and leavers an import would write.

use super::*;
use crate::org::csv_format::Column;
use crate::org::history::{self, HistoryValues};
use hashbrown::{HashTable, hash_table};
use std::collections::BTreeSet;
use std::hash::{BuildHasher, RandomState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Node {
    Row(usize),
    Existing(PersonId),
}

const MANAGER_COLUMN: &str = "manager";

/// Rows (or people) by a text key, holding only their index and reading the key back from
/// the row: a map from `&str` to an index costs 24 bytes a slot where this costs 4, and
/// 240,000 rows take 524,288 slots — a file's four lookups were 30 MiB of its peak.
struct KeyIndex<'a> {
    slots: HashTable<u32>,
    hasher: RandomState,
    key_of: Box<dyn Fn(usize) -> &'a str + 'a>,
}

impl<'a> KeyIndex<'a> {
    fn new(capacity: usize, key_of: impl Fn(usize) -> &'a str + 'a) -> Self {
        KeyIndex {
            slots: HashTable::with_capacity(capacity),
            hasher: RandomState::new(),
            key_of: Box::new(key_of),
        }
    }

    fn get(&self, key: &str) -> Option<usize> {
        let hash = self.hasher.hash_one(key);
        self.slots
            .find(hash, |&i| (self.key_of)(i as usize) == key)
            .map(|&i| i as usize)
    }

    /// Files the index under its key, unless the key is already taken: then returns the
    /// index that holds it and files nothing.
    fn insert(&mut self, index: usize) -> Option<usize> {
        let KeyIndex {
            slots,
            hasher,
            key_of,
        } = self;
        let key = key_of(index);
        let slot = u32::try_from(index).expect("fewer than 4 billion rows");
        match slots.entry(
            hasher.hash_one(key),
            |&i| key_of(i as usize) == key,
            |&i| hasher.hash_one(key_of(i as usize)),
        ) {
            hash_table::Entry::Occupied(taken) => Some(*taken.get() as usize),
            hash_table::Entry::Vacant(free) => {
                free.insert(slot);
                None
            }
        }
    }
}

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

    // Employee ids and e-mails are unique in the organisation (the database says so).
    let people = &snapshot.people;
    let with_eid = people.iter().filter(|p| p.record.employee_id.is_some());
    let mut existing_by_eid = KeyIndex::new(with_eid.count(), |e| eid_of(&people[e].record));
    let mut existing_by_email = KeyIndex::new(people.len(), |e| people[e].record.email.as_str());
    let mut existing_by_id: HashMap<PersonId, usize> = HashMap::with_capacity(people.len());
    for (i, p) in people.iter().enumerate() {
        if p.record.employee_id.is_some() {
            existing_by_eid.insert(i);
        }
        existing_by_email.insert(i);
        existing_by_id.insert(p.id, i);
    }

    // Duplicates inside the file.
    let rows_ref = &rows;
    let mut row_by_eid = KeyIndex::new(rows.len(), |r| eid_of(&rows_ref[r].record));
    let mut row_by_email = KeyIndex::new(rows.len(), |r| rows_ref[r].record.email.as_str());
    for (r, row) in rows.iter().enumerate() {
        if let Some(eid) = &row.record.employee_id
            && let Some(first) = row_by_eid.insert(r)
        {
            plan.error(
                row.line,
                eid_header.as_str(),
                format!(
                    "duplicate employee id {eid:?} (also on line {})",
                    rows[first].line
                ),
            );
        }
        if let Some(first) = row_by_email.insert(r) {
            plan.error(
                row.line,
                email_header.as_str(),
                format!(
                    "duplicate e-mail {:?} (also on line {})",
                    row.record.email, rows[first].line
                ),
            );
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
            .and_then(|eid| existing_by_eid.get(eid))
            .or_else(|| existing_by_email.get(row.record.email.as_str()));
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
        if let Some(holder) = existing_by_email.get(row.record.email.as_str())
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
            && let Some(holder) = existing_by_eid.get(eid.as_str())
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
                    Some(m) => Some(Node::Row(m)),
                    None => match existing_by_email.get(email.as_str()) {
                        Some(e) if matched_by[e].is_none() => Some(node_of_existing(e)),
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
                    Some(m) => Some(Node::Row(m)),
                    None => match existing_by_eid.get(eid.as_str()) {
                        Some(e) => Some(node_of_existing(e)),
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
    // The lookups by key are done with; freed before the plan takes the rows' place.
    drop((row_by_eid, row_by_email, existing_by_eid, existing_by_email));

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
    // Each block of rows is moved into the plan and its memory given back, so the file's
    // rows and the plan are not both held in full.
    let creates = matched.iter().filter(|m| m.is_none()).count();
    plan.creates.reserve_exact(creates);
    // At most every matched row changes; sized once, as doubling would hold both buffers.
    plan.updates.reserve_exact(matched.len() - creates);
    for (first, block) in rows.into_blocks() {
        for (offset, row) in block.into_iter().enumerate() {
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
    // The history's manager names, once every person the file creates is planned; only for
    // a plan that can be applied, as nothing else reads it.
    if plan.is_valid() {
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

fn eid_of(record: &PersonRecord) -> &str {
    record.employee_id.as_deref().unwrap_or_default()
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
mod key_index_tests {
    use super::KeyIndex;

    #[test]
    fn a_key_index_finds_each_key_keeps_the_first_holder_and_grows() {
        let keys: Vec<String> = (0..10_000)
            .map(|i| format!("person{}@example.com", i % 7_000))
            .collect();
        // Sized for none: every slot comes from growing, which hashes keys read back by index.
        let mut index = KeyIndex::new(0, |i| keys[i].as_str());
        let taken: Vec<Option<usize>> = (0..keys.len()).map(|i| index.insert(i)).collect();
        assert!(taken[..7_000].iter().all(Option::is_none));
        assert_eq!(
            taken[7_000],
            Some(0),
            "a repeated key names its first holder"
        );
        assert_eq!(taken[9_999], Some(2_999));
        assert_eq!(index.get("person6999@example.com"), Some(6_999));
        assert_eq!(index.get("person42@example.com"), Some(42));
        assert_eq!(index.get("nobody@example.com"), None);
    }
}
