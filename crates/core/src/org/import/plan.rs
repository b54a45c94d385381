//! Comparing parsed rows with the organisation: matches, managers, the reporting forest,
//! and the creates, updates and leavers an import would write.

use super::key_index::KeyIndex;
use super::leavers::plan_leavers;
use super::*;
use crate::org::csv_format::Column;
use crate::org::history::{self, HistoryValues};
use std::collections::BTreeSet;

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
    let headers = Headers {
        names: parsed.header_names,
        present: parsed.present,
    };
    let existing_by_id: HashMap<PersonId, usize> = snapshot
        .people
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    let (matched, matched_by, row_manager) = {
        let keys = Keys::new(&rows, snapshot, &headers, &mut plan);
        let (matched, matched_by) = keys.match_rows(&mut plan);
        keys.check_key_holders(&matched, &matched_by, &mut plan);
        let row_manager = keys.resolve_managers(&matched, &matched_by, &existing_by_id, &mut plan);
        // The lookups by key are freed here, before the plan takes the rows' place.
        (matched, matched_by, row_manager)
    };
    let forest = Forest {
        rows: &rows,
        snapshot,
        existing_by_id: &existing_by_id,
        matched_by: &matched_by,
        row_manager: &row_manager,
    };
    forest.check(&headers.manager(), &mut plan);
    let decided = Decided {
        snapshot,
        existing_by_id: &existing_by_id,
        matched: &matched,
        matched_by: &matched_by,
        row_manager: &row_manager,
        headers: &headers,
    };
    let wording = decided.build(rows, &mut plan);
    plan_leavers(snapshot, &matched_by, options, &mut plan);
    // The history's manager names, once every person the file creates is planned; only for
    // a plan that can be applied, as nothing else reads it.
    if plan.is_valid() {
        add_history(snapshot, &existing_by_id, &mut plan);
    }
    wording.finish(snapshot, &mut plan);
    plan.errors.sort_by_key(|e| e.line);
    plan
}

/// The file's own words for its columns, and which columns it has.
struct Headers {
    names: HashMap<Column, String>,
    present: HashSet<Column>,
}

impl Headers {
    fn of(&self, column: Column) -> String {
        self.names
            .get(&column)
            .cloned()
            .unwrap_or_else(|| column.export_header().to_string())
    }

    fn has_manager_column(&self) -> bool {
        [Column::ManagerEmail, Column::ManagerId, Column::ReportsTo]
            .iter()
            .any(|c| self.present.contains(c))
    }

    /// The header errors about managers are reported under.
    fn manager(&self) -> String {
        [Column::ManagerEmail, Column::ManagerId, Column::ReportsTo]
            .into_iter()
            .find(|c| self.present.contains(c))
            .map(|c| self.of(c))
            .unwrap_or_else(|| MANAGER_COLUMN.to_string())
    }
}

/// Rows and people by e-mail and employee id, with the checks that need them.
struct Keys<'a> {
    rows: &'a Rows,
    snapshot: &'a OrgSnapshot,
    existing_by_eid: KeyIndex<'a>,
    existing_by_email: KeyIndex<'a>,
    row_by_eid: KeyIndex<'a>,
    row_by_email: KeyIndex<'a>,
    eid_header: String,
    email_header: String,
    manager_header: String,
    has_manager_column: bool,
}

impl<'a> Keys<'a> {
    /// Files every person and row under its keys; a key the file repeats is an error.
    fn new(
        rows: &'a Rows,
        snapshot: &'a OrgSnapshot,
        headers: &Headers,
        plan: &mut ImportPlan,
    ) -> Keys<'a> {
        // Employee ids and e-mails are unique in the organisation (the database says so).
        let people = &snapshot.people;
        let with_eid = people.iter().filter(|p| p.record.employee_id.is_some());
        let mut existing_by_eid = KeyIndex::new(with_eid.count(), |e| eid_of(&people[e].record));
        let mut existing_by_email =
            KeyIndex::new(people.len(), |e| people[e].record.email.as_str());
        for (i, p) in people.iter().enumerate() {
            if p.record.employee_id.is_some() {
                existing_by_eid.insert(i);
            }
            existing_by_email.insert(i);
        }
        let eid_header = headers.of(Column::EmployeeId);
        let email_header = headers.of(Column::Email);
        let mut row_by_eid = KeyIndex::new(rows.len(), |r| eid_of(&rows[r].record));
        let mut row_by_email = KeyIndex::new(rows.len(), |r| rows[r].record.email.as_str());
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
        Keys {
            rows,
            snapshot,
            existing_by_eid,
            existing_by_email,
            row_by_eid,
            row_by_email,
            eid_header,
            email_header,
            manager_header: headers.manager(),
            has_manager_column: headers.has_manager_column(),
        }
    }

    /// Each row's existing person (employee id first, then e-mail), and each person's row.
    fn match_rows(&self, plan: &mut ImportPlan) -> (Vec<Option<usize>>, Vec<Option<usize>>) {
        let (rows, people) = (self.rows, &self.snapshot.people);
        let mut matched: Vec<Option<usize>> = Vec::with_capacity(rows.len());
        // The row matched to each existing person, by the person's index in the snapshot.
        let mut matched_by: Vec<Option<usize>> = vec![None; people.len()];
        for (r, row) in rows.iter().enumerate() {
            let hit = row
                .record
                .employee_id
                .as_deref()
                .and_then(|eid| self.existing_by_eid.get(eid))
                .or_else(|| self.existing_by_email.get(row.record.email.as_str()));
            if let Some(e) = hit
                && let Some(other) = matched_by[e]
            {
                plan.error(
                    row.line,
                    self.email_header.as_str(),
                    format!(
                        "this row and line {} both describe {} ({})",
                        rows[other].line, people[e].record.name, people[e].record.email
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
        (matched, matched_by)
    }

    /// An e-mail or employee id may only move to a row if nobody outside the file still
    /// holds it.
    fn check_key_holders(
        &self,
        matched: &[Option<usize>],
        matched_by: &[Option<usize>],
        plan: &mut ImportPlan,
    ) {
        let people = &self.snapshot.people;
        for (r, row) in self.rows.iter().enumerate() {
            if let Some(holder) = self.existing_by_email.get(row.record.email.as_str())
                && matched[r] != Some(holder)
                && matched_by[holder].is_none()
            {
                let other = &people[holder].record;
                plan.error(
                    row.line,
                    self.email_header.as_str(),
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
                && let Some(holder) = self.existing_by_eid.get(eid.as_str())
                && matched[r] != Some(holder)
            {
                plan.error(
                    row.line,
                    self.eid_header.as_str(),
                    format!(
                        "employee id {eid} already belongs to {}",
                        people[holder].record.name
                    ),
                );
            }
        }
    }

    /// Each row's manager as a node of the final forest; a manager nobody has is an error.
    fn resolve_managers(
        &self,
        matched: &[Option<usize>],
        matched_by: &[Option<usize>],
        existing_by_id: &HashMap<PersonId, usize>,
        plan: &mut ImportPlan,
    ) -> Vec<Option<Node>> {
        let people = &self.snapshot.people;
        let node_of_existing = |e: usize| -> Node {
            match matched_by[e] {
                Some(r) => Node::Row(r),
                None => Node::Existing(people[e].id),
            }
        };
        let header = self.manager_header.as_str();
        let mut row_manager: Vec<Option<Node>> = Vec::with_capacity(self.rows.len());
        for (r, row) in self.rows.iter().enumerate() {
            let target = if !self.has_manager_column {
                matched[r].and_then(|e| {
                    people[e]
                        .manager_id
                        .and_then(|m| existing_by_id.get(&m).map(|&i| node_of_existing(i)))
                })
            } else {
                match &row.manager {
                    None => None,
                    Some(ManagerRef::Email(email)) => match self.row_by_email.get(email.as_str()) {
                        Some(m) => Some(Node::Row(m)),
                        None => match self.existing_by_email.get(email.as_str()) {
                            Some(e) if matched_by[e].is_none() => Some(node_of_existing(e)),
                            _ => {
                                plan.error(
                                    row.line,
                                    header,
                                    format!(
                                        "no person with e-mail {email} in the file or in Trellis"
                                    ),
                                );
                                None
                            }
                        },
                    },
                    Some(ManagerRef::EmployeeId(eid)) => match self.row_by_eid.get(eid.as_str()) {
                        Some(m) => Some(Node::Row(m)),
                        None => match self.existing_by_eid.get(eid.as_str()) {
                            Some(e) => Some(node_of_existing(e)),
                            None => {
                                plan.error(
                                    row.line,
                                    header,
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
        row_manager
    }
}

/// The reporting lines the import would leave: file rows and people it does not mention.
struct Forest<'a> {
    rows: &'a Rows,
    snapshot: &'a OrgSnapshot,
    existing_by_id: &'a HashMap<PersonId, usize>,
    matched_by: &'a [Option<usize>],
    row_manager: &'a [Option<Node>],
}

impl Forest<'_> {
    fn node_of_existing(&self, e: usize) -> Node {
        match self.matched_by[e] {
            Some(r) => Node::Row(r),
            None => Node::Existing(self.snapshot.people[e].id),
        }
    }

    fn manager_of(&self, node: Node) -> Option<Node> {
        match node {
            Node::Row(r) => self.row_manager[r],
            Node::Existing(id) => {
                let e = self.existing_by_id[&id];
                self.snapshot.people[e].manager_id.and_then(|m| {
                    self.existing_by_id
                        .get(&m)
                        .map(|&i| self.node_of_existing(i))
                })
            }
        }
    }

    fn describe(&self, node: Node) -> String {
        match node {
            Node::Row(r) => format!("{} (line {})", self.rows[r].record.email, self.rows[r].line),
            Node::Existing(id) => self.snapshot.people[self.existing_by_id[&id]]
                .record
                .email
                .to_string(),
        }
    }

    /// Walk state is kept by index rather than in a map: a map entry per person costs more
    /// than the person's row.
    fn slot(&self, node: Node) -> usize {
        match node {
            Node::Row(r) => r,
            Node::Existing(id) => self.rows.len() + self.existing_by_id[&id],
        }
    }

    /// Reporting lines must stay a forest: every loop is an error at the row that closes it.
    fn check(&self, manager_header: &str, plan: &mut ImportPlan) {
        // 0 unseen, 1 on the current path, 2 done.
        let mut state = vec![0u8; self.rows.len() + self.snapshot.people.len()];
        for r in 0..self.rows.len() {
            if state[r] != 0 {
                continue;
            }
            let mut path: Vec<Node> = Vec::new();
            let mut node = Some(Node::Row(r));
            while let Some(n) = node {
                match state[self.slot(n)] {
                    2 => break,
                    1 => {
                        let from = path.iter().position(|p| *p == n).unwrap_or(0);
                        let cycle: Vec<String> = path[from..]
                            .iter()
                            .map(|p| self.describe(*p))
                            .chain(std::iter::once(self.describe(n)))
                            .collect();
                        let line = match n {
                            Node::Row(r) => self.rows[r].line,
                            Node::Existing(_) => self.rows[r].line,
                        };
                        plan.error(
                            line,
                            manager_header,
                            format!("reporting loop: {}", cycle.join(" → ")),
                        );
                        break;
                    }
                    _ => {
                        state[self.slot(n)] = 1;
                        path.push(n);
                        node = self.manager_of(n);
                    }
                }
            }
            for p in path {
                state[self.slot(p)] = 2;
            }
        }
    }
}

/// What was decided about each row: its person, if any, and its manager.
struct Decided<'a> {
    snapshot: &'a OrgSnapshot,
    existing_by_id: &'a HashMap<PersonId, usize>,
    matched: &'a [Option<usize>],
    matched_by: &'a [Option<usize>],
    row_manager: &'a [Option<Node>],
    headers: &'a Headers,
}

/// The teams, levels and skills the rows name, gathered while they become the plan.
#[derive(Default)]
struct Wording {
    team_set: HashMap<CompactString, Option<CompactString>>,
    new_levels: BTreeSet<CompactString>,
    new_skills: BTreeSet<CompactString>,
    warnings: Vec<ImportIssue>,
}

impl Decided<'_> {
    fn target_of(&self, create_index: &[usize], node: Option<Node>) -> ManagerTarget {
        match node {
            None => ManagerTarget::None,
            Some(Node::Existing(id)) => ManagerTarget::Existing(id),
            Some(Node::Row(r)) => match self.matched[r] {
                Some(e) => ManagerTarget::Existing(self.snapshot.people[e].id),
                None => ManagerTarget::New(create_index[r]),
            },
        }
    }

    /// Moves every row into the plan as a create, an update or an unchanged row. Each block
    /// of rows is moved and its memory given back, so the file's rows and the plan are not
    /// both held in full.
    fn build(&self, rows: Rows, plan: &mut ImportPlan) -> Wording {
        // The index in `creates` of each row that creates a person.
        let mut create_index: Vec<usize> = Vec::with_capacity(rows.len());
        let mut next_create = 0usize;
        for m in self.matched {
            create_index.push(next_create);
            if m.is_none() {
                next_create += 1;
            }
        }
        let mut wording = Wording::default();
        let skills_header = self.headers.of(Column::Skills);
        let manager_header = self.headers.manager();
        let creates = self.matched.iter().filter(|m| m.is_none()).count();
        plan.creates.reserve_exact(creates);
        // At most every matched row changes; sized once, as doubling would hold both buffers.
        plan.updates.reserve_exact(self.matched.len() - creates);
        for (first, block) in rows.into_blocks() {
            for (offset, row) in block.into_iter().enumerate() {
                let r = first + offset;
                let manager = self.target_of(&create_index, self.row_manager[r]);
                let mut record = row.record;
                if let Some(e) = self.matched[r] {
                    keep_absent_columns(
                        &mut record,
                        &self.snapshot.people[e].record,
                        &self.headers.present,
                    );
                }
                wording.note(&record, row.line, self.snapshot, &skills_header);
                self.warn_of_left_manager(
                    &record,
                    manager,
                    row.line,
                    &manager_header,
                    &mut wording,
                );
                self.decide(plan, row.line, r, record, manager);
            }
        }
        wording
    }

    fn warn_of_left_manager(
        &self,
        record: &PersonRecord,
        manager: ManagerTarget,
        line: u64,
        manager_header: &str,
        wording: &mut Wording,
    ) {
        let people = &self.snapshot.people;
        if let ManagerTarget::Existing(m) = manager
            && let Some(&e) = self.existing_by_id.get(&m)
            && self.matched_by[e].is_none()
            && people[e].record.status == PersonStatus::Left
            && record.status == PersonStatus::Active
        {
            wording.warnings.push(ImportIssue {
                line,
                column: manager_header.to_string(),
                message: format!("reports to {}, who has left", people[e].record.name),
            });
        }
    }

    fn decide(
        &self,
        plan: &mut ImportPlan,
        line: u64,
        r: usize,
        record: PersonRecord,
        manager: ManagerTarget,
    ) {
        match self.matched[r] {
            None => plan.creates.push(PlannedCreate {
                line,
                record,
                manager,
            }),
            Some(e) => {
                let existing = &self.snapshot.people[e];
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
                        line,
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

impl Wording {
    /// Notes the row's team, level and skills; a new skill one typo from a known one is
    /// most likely a typo, said once per skill.
    fn note(&mut self, record: &PersonRecord, line: u64, snapshot: &OrgSnapshot, header: &str) {
        if let Some(team) = &record.team {
            let entry = self.team_set.entry(team.clone()).or_insert(None);
            if record.department.is_some() {
                *entry = record.department.clone();
            }
            if let Some(d) = &record.department {
                self.team_set.entry(d.clone()).or_insert(None);
            }
        }
        if let Some(level) = &record.level
            && !snapshot.levels.contains(level.as_str())
        {
            self.new_levels.insert(level.clone());
        }
        for s in &record.skills {
            if !snapshot.skills.contains(s.skill.as_str())
                && self.new_skills.insert(s.skill.clone())
                && let Some(near) =
                    crate::names::closest(&s.skill, snapshot.skills.iter().map(String::as_str))
            {
                self.warnings.push(ImportIssue {
                    line,
                    column: header.to_string(),
                    message: format!("{:?} would be a new skill; did you mean {near}?", s.skill),
                });
            }
        }
    }

    /// The teams, new teams, levels and skills, and the warnings, into the plan.
    fn finish(self, snapshot: &OrgSnapshot, plan: &mut ImportPlan) {
        let mut teams: Vec<(String, Option<String>)> = self
            .team_set
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
        plan.new_levels = self
            .new_levels
            .into_iter()
            .map(CompactString::into_string)
            .collect();
        plan.new_skills = self
            .new_skills
            .into_iter()
            .map(CompactString::into_string)
            .collect();
        plan.warnings = self.warnings;
    }
}

/// The org history of every update: what changed, with managers by name.
fn add_history(
    snapshot: &OrgSnapshot,
    existing_by_id: &HashMap<PersonId, usize>,
    plan: &mut ImportPlan,
) {
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
