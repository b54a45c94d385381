//! An in-memory fake of the storage traits, for service-level tests that check a rule
//! without a database. It holds people, commitments, opportunities and placements; a unit of work records its steps
//! and makes them visible only when it commits (`FakeStore::committed`). Methods no service
//! under test calls say so when called, naming the method to implement here.

#![allow(unused_variables)]

use crate::audit::{AuditEntry, AuditLine, AuditStore};
use crate::error::CoreResult;
use crate::growth::career::{CareerPlan, PlanChange, PlanFields};
use crate::growth::opportunities::{
    Candidate, NewOpportunity, NewPlacement, Opportunity, OpportunityStatus, Placement,
    PlacementChange,
};
use crate::growth::store::{GrowthStore, GrowthWrite, TalentStore};
use crate::growth::talent::{NewTalent, Talent};
use crate::growth::wishes::{NewWish, PlateWish};
use crate::ids::*;
use crate::notify::{Kept, Notification, Outbox, OutboxStore};
use crate::org::history::{FieldChange, HistoryEntry};
use crate::org::import::{ImportPlan, OrgSnapshot};
use crate::org::people::PersonFields;
use crate::org::store::*;
use crate::org::*;
use crate::settings::{Settings, SettingsStore, SettingsWrite};
use crate::unit_of_work::UnitOfWork;
use crate::work::metrics::{DeliveryCounts, DeliveryRecord, Window};
use crate::work::store::*;
use crate::work::*;
use async_trait::async_trait;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

#[derive(Default)]
pub(crate) struct FakeStore {
    pub people: Mutex<Vec<Person>>,
    pub commitments: Mutex<HashMap<CommitmentId, Commitment>>,
    pub opportunities: Mutex<HashMap<OpportunityId, Opportunity>>,
    pub placements: Mutex<HashMap<PlacementId, Placement>>,
    /// What committed units of work and direct writes wrote, in order.
    log: Mutex<Vec<String>>,
    ids: AtomicI64,
}

impl FakeStore {
    /// An organisation of these people, as (id, name, manager).
    pub fn with_people(people: &[(i64, &str, Option<i64>)]) -> FakeStore {
        let store = FakeStore {
            ids: AtomicI64::new(1000),
            ..FakeStore::default()
        };
        *store.people.lock().unwrap() = people
            .iter()
            .map(|&(id, name, manager)| person(id, name, manager))
            .collect();
        store
    }

    pub fn add_commitment(&self, c: Commitment) {
        self.commitments.lock().unwrap().insert(c.id, c);
    }

    /// Every line written so far.
    pub fn committed(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    fn written(&self, line: String) {
        self.log.lock().unwrap().push(line);
    }

    fn next_id(&self) -> i64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }
}

/// An active person with nothing but a name and a manager.
pub(crate) fn person(id: i64, name: &str, manager: Option<i64>) -> Person {
    Person {
        id: PersonId(id),
        employee_id: None,
        name: name.into(),
        preferred_name: None,
        email: format!("{}@example.org", name.to_lowercase().replace(' ', ".")),
        title: None,
        level_id: None,
        level_code: None,
        level_name: None,
        team_id: None,
        team_name: None,
        manager_id: manager.map(PersonId),
        location: None,
        time_zone: None,
        start_date: None,
        status: PersonStatus::Active,
        report_count: 0,
    }
}

/// An open commitment of `owner`, requested by `requester`, agreed for `due`.
pub(crate) fn commitment(
    id: i64,
    title: &str,
    owner: (i64, &str),
    requester: Option<(i64, &str)>,
    due: &str,
) -> Commitment {
    let due: NaiveDate = due.parse().unwrap();
    let name = |(id, name): (i64, &str)| PersonName {
        id: PersonId(id),
        name: name.into(),
    };
    Commitment {
        id: CommitmentId(id),
        title: title.into(),
        description: String::new(),
        owner: name(owner),
        requester: requester.map(name),
        objective: None,
        due_date: due,
        agreed_due_date: due,
        effort_hours: 8.0,
        remaining_hours: 8.0,
        skills: Vec::new(),
        priority: 1,
        status: CommitmentStatus::Open,
        created_at: 0,
        created_on: due - chrono::Duration::days(30),
        completed_at: None,
        completed_on: None,
        private_about: None,
        accountable: PersonId(owner.0),
        cancel_counts: false,
    }
}

/// Noon UTC on this day, as a timestamp.
pub(crate) fn noon(day: &str) -> i64 {
    let day: NaiveDate = day.parse().unwrap();
    day.and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp()
}

/// A signed-in viewer who is this person.
pub(crate) fn viewer(id: i64, reports: i64) -> crate::access::Viewer {
    crate::access::Viewer::signed_in(AccountId(id), PersonId(id), false, reports)
}

fn card(p: &Person) -> PersonCard {
    PersonCard {
        id: p.id,
        display_name: p.display_name(),
        email: p.email.clone(),
        title: p.title.clone(),
        team_name: p.team_name.clone(),
        location: p.location.clone(),
        status: p.status,
        report_count: p.report_count,
    }
}

/// A unit of work: its steps are kept aside and written to the store's log on commit.
pub(crate) struct FakeUnit<'a> {
    store: &'a FakeStore,
    steps: Vec<String>,
    updated: Vec<Commitment>,
}

impl<'a> FakeUnit<'a> {
    fn new(store: &'a FakeStore) -> Self {
        FakeUnit {
            store,
            steps: Vec::new(),
            updated: Vec::new(),
        }
    }
}

#[async_trait]
impl Outbox for FakeUnit<'_> {
    async fn notify(&mut self, note: &Notification) -> CoreResult<()> {
        self.steps.push(format!(
            "notify {} {}: {}",
            note.to,
            note.topic.as_str(),
            note.text
        ));
        Ok(())
    }
}

#[async_trait]
impl UnitOfWork for FakeUnit<'_> {
    async fn audit(&mut self, entry: &AuditEntry) -> CoreResult<()> {
        self.steps.push(format!("audit {}", entry.action));
        Ok(())
    }
    async fn commit(self: Box<Self>) -> CoreResult<()> {
        let mut commitments = self.store.commitments.lock().unwrap();
        for c in self.updated {
            commitments.insert(c.id, c);
        }
        self.store.log.lock().unwrap().extend(self.steps);
        Ok(())
    }
}

#[async_trait]
impl PersonStore for FakeStore {
    async fn person(&self, id: PersonId) -> CoreResult<Option<Person>> {
        Ok(self
            .people
            .lock()
            .unwrap()
            .iter()
            .find(|p| p.id == id)
            .cloned())
    }
    async fn person_neighbourhood(&self, id: PersonId) -> CoreResult<Option<Neighbourhood>> {
        unreachable!("OrgStore::person_neighbourhood is not used by the services under test")
    }
    async fn person_with_reports(
        &self,
        id: PersonId,
    ) -> CoreResult<Option<(Person, Vec<PersonCard>)>> {
        unreachable!("OrgStore::person_with_reports is not used by the services under test")
    }
    async fn person_id_by_email(&self, email: &str) -> CoreResult<Option<PersonId>> {
        unreachable!("OrgStore::person_id_by_email is not used by the services under test")
    }
    async fn manager_chain(&self, id: PersonId) -> CoreResult<Vec<PersonCard>> {
        let people = self.people.lock().unwrap();
        let mut chain = Vec::new();
        let mut at = people
            .iter()
            .find(|p| p.id == id)
            .and_then(|p| p.manager_id);
        while let Some(m) = at {
            let Some(manager) = people.iter().find(|p| p.id == m) else {
                break;
            };
            chain.push(card(manager));
            at = manager.manager_id;
        }
        Ok(chain)
    }
    async fn direct_reports(&self, id: PersonId) -> CoreResult<Vec<PersonCard>> {
        unreachable!("OrgStore::direct_reports is not used by the services under test")
    }
    async fn person_history(&self, id: PersonId) -> CoreResult<Vec<HistoryEntry>> {
        unreachable!("OrgStore::person_history is not used by the services under test")
    }
}

#[async_trait]
impl DirectoryStore for FakeStore {
    async fn top_of_tree(&self) -> CoreResult<Vec<PersonCard>> {
        unreachable!("OrgStore::top_of_tree is not used by the services under test")
    }
    async fn list_people(&self, filter: &PeopleFilter) -> CoreResult<Page<PersonCard>> {
        unreachable!("OrgStore::list_people is not used by the services under test")
    }
    async fn directory_facets(&self) -> CoreResult<DirectoryFacets> {
        unreachable!("OrgStore::directory_facets is not used by the services under test")
    }
}

#[async_trait]
impl TeamStore for FakeStore {
    async fn teams(&self) -> CoreResult<Vec<Team>> {
        unreachable!("OrgStore::teams is not used by the services under test")
    }
    async fn team(&self, id: TeamId) -> CoreResult<Option<Team>> {
        unreachable!("OrgStore::team is not used by the services under test")
    }
    async fn team_members(&self, id: TeamId) -> CoreResult<Vec<PersonCard>> {
        unreachable!("OrgStore::team_members is not used by the services under test")
    }
    async fn sub_teams(&self, id: TeamId) -> CoreResult<Vec<Team>> {
        unreachable!("OrgStore::sub_teams is not used by the services under test")
    }
    async fn levels(&self) -> CoreResult<Vec<JobLevel>> {
        unreachable!("OrgStore::levels is not used by the services under test")
    }
    async fn level(&self, id: LevelId) -> CoreResult<Option<JobLevel>> {
        unreachable!("OrgStore::level is not used by the services under test")
    }
    async fn upsert_level(&self, level: &NewLevel) -> CoreResult<LevelId> {
        unreachable!("OrgStore::upsert_level is not used by the services under test")
    }
    async fn upsert_levels(&self, levels: &[NewLevel]) -> CoreResult<()> {
        unreachable!("OrgStore::upsert_levels is not used by the services under test")
    }
    async fn counts(&self) -> CoreResult<OrgCounts> {
        unreachable!("OrgStore::counts is not used by the services under test")
    }
}

#[async_trait]
impl ImportStore for FakeStore {
    async fn people_admins(&self) -> CoreResult<Vec<PersonId>> {
        unreachable!("ImportStore::people_admins is not used by the services under test")
    }
    async fn org_snapshot(&self) -> CoreResult<OrgSnapshot> {
        unreachable!("OrgStore::org_snapshot is not used by the services under test")
    }
    async fn apply_import(
        &self,
        plan: &ImportPlan,
        record: &ChangeRecord,
    ) -> CoreResult<ImportSummary> {
        unreachable!("OrgStore::apply_import is not used by the services under test")
    }
    async fn save_pending_import(
        &self,
        id: &str,
        account: AccountId,
        upload: PendingImport,
        now: i64,
    ) -> CoreResult<()> {
        unreachable!("OrgStore::save_pending_import is not used by the services under test")
    }
    async fn discard_pending_import(&self, id: &str, account: AccountId) -> CoreResult<()> {
        unreachable!("OrgStore::discard_pending_import is not used by the services under test")
    }
    async fn waiting_imports(
        &self,
        account: AccountId,
        since: i64,
    ) -> CoreResult<Vec<crate::org::store::WaitingImport>> {
        unreachable!("ImportStore::waiting_imports is not used by the services under test")
    }
    async fn pending_import(
        &self,
        id: &str,
        account: AccountId,
    ) -> CoreResult<Option<PendingImport>> {
        unreachable!("ImportStore::pending_import is not used by the services under test")
    }
    async fn take_pending_import(
        &self,
        id: &str,
        account: AccountId,
    ) -> CoreResult<Option<PendingImport>> {
        unreachable!("OrgStore::take_pending_import is not used by the services under test")
    }
}

#[async_trait]
impl OrgStore for FakeStore {
    async fn create_person(&self, fields: &PersonFields) -> CoreResult<PersonId> {
        unreachable!("OrgStore::create_person is not used by the services under test")
    }
    async fn update_person(&self, id: PersonId, fields: &PersonFields) -> CoreResult<()> {
        unreachable!("OrgStore::update_person is not used by the services under test")
    }
    async fn set_person_skills(&self, id: PersonId, skills: &[SkillLevel]) -> CoreResult<()> {
        unreachable!("OrgStore::set_person_skills is not used by the services under test")
    }
    async fn begin_org_write(&self) -> CoreResult<Box<dyn OrgWrite + '_>> {
        unreachable!("OrgStore::begin_org_write is not used by the services under test")
    }
}

#[async_trait]
impl OrgWrite for FakeUnit<'_> {
    async fn create_person(&mut self, fields: &PersonFields) -> CoreResult<PersonId> {
        unreachable!("OrgWrite::create_person is not used by the services under test")
    }
    async fn update_person(
        &mut self,
        id: PersonId,
        before: &PersonFields,
        after: &PersonFields,
    ) -> CoreResult<()> {
        unreachable!("OrgWrite::update_person is not used by the services under test")
    }
    async fn set_skills(&mut self, id: PersonId, skills: &[SkillLevel]) -> CoreResult<()> {
        unreachable!("OrgWrite::set_skills is not used by the services under test")
    }
    async fn record_history(
        &mut self,
        changes: &[(PersonId, &FieldChange)],
        record: &ChangeRecord,
    ) -> CoreResult<()> {
        unreachable!("OrgWrite::record_history is not used by the services under test")
    }
}

#[async_trait]
impl AuditStore for FakeStore {
    async fn audit(&self, entry: &AuditEntry) -> CoreResult<()> {
        self.written(format!("audit {}", entry.action));
        Ok(())
    }
    async fn audit_log(&self, limit: i64) -> CoreResult<Vec<AuditLine>> {
        unreachable!("AuditStore::audit_log is not used by the services under test")
    }
}

#[async_trait]
impl SettingsStore for FakeStore {
    async fn settings(&self) -> CoreResult<Settings> {
        Ok(Settings::default())
    }
    async fn begin_settings_write(&self) -> CoreResult<Box<dyn SettingsWrite + '_>> {
        Ok(Box::new(FakeUnit::new(self)))
    }
}

#[async_trait]
impl SettingsWrite for FakeUnit<'_> {
    async fn save_settings(&mut self, settings: &Settings) -> CoreResult<()> {
        unreachable!("SettingsWrite::save_settings is not used by the services under test")
    }
}

#[async_trait]
impl CommitmentStore for FakeStore {
    async fn tree_members(&self, manager: PersonId) -> CoreResult<Vec<TreeMember>> {
        unreachable!("WorkStore::tree_members is not used by the services under test")
    }
    async fn create_commitment(&self, new: &NewCommitment) -> CoreResult<CommitmentId> {
        unreachable!("WorkStore::create_commitment is not used by the services under test")
    }
    async fn commitment(&self, id: CommitmentId) -> CoreResult<Option<Commitment>> {
        Ok(self.commitments.lock().unwrap().get(&id).cloned())
    }
    async fn commitment_changes(&self, id: CommitmentId) -> CoreResult<Vec<CommitmentChange>> {
        unreachable!("WorkStore::commitment_changes is not used by the services under test")
    }
    async fn commitment_comments(&self, id: CommitmentId) -> CoreResult<Vec<Comment>> {
        unreachable!("WorkStore::commitment_comments is not used by the services under test")
    }
    async fn add_comment(
        &self,
        id: CommitmentId,
        author: PersonId,
        at: i64,
        body: &str,
    ) -> CoreResult<()> {
        unreachable!("WorkStore::add_comment is not used by the services under test")
    }
    async fn open_commitments(
        &self,
        owners: &[PersonId],
        order: CommitmentOrder,
        due_until: Option<NaiveDate>,
        limit: i64,
    ) -> CoreResult<Vec<Commitment>> {
        unreachable!("WorkStore::open_commitments is not used by the services under test")
    }
    async fn active_people(&self) -> CoreResult<Vec<PersonName>> {
        unreachable!("WorkStore::active_people is not used by the services under test")
    }
    async fn overdue_by_owner(
        &self,
        owners: &[PersonId],
        today: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, i64)>> {
        unreachable!("CommitmentStore::overdue_by_owner is not used by the services under test")
    }
    async fn closed_commitments(&self, owner: PersonId, limit: i64) -> CoreResult<Vec<Commitment>> {
        unreachable!("WorkStore::closed_commitments is not used by the services under test")
    }
    async fn set_priorities(&self, order: &[(CommitmentId, i64)]) -> CoreResult<()> {
        unreachable!("WorkStore::set_priorities is not used by the services under test")
    }
}

#[async_trait]
impl DeliveryStore for FakeStore {
    async fn delivery_by_owner(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, DeliveryCounts)>> {
        unreachable!("WorkStore::delivery_by_owner is not used by the services under test")
    }
    async fn delivery_by_owner_and_month(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, String, DeliveryCounts)>> {
        unreachable!(
            "WorkStore::delivery_by_owner_and_month is not used by the services under test"
        )
    }
    async fn delivery_by_month(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<(String, DeliveryCounts)>> {
        unreachable!("WorkStore::delivery_by_month is not used by the services under test")
    }
    async fn delivery_records(&self, owner: PersonId) -> CoreResult<Vec<DeliveryRecord>> {
        unreachable!("WorkStore::delivery_records is not used by the services under test")
    }
    async fn roll_trailing_windows(
        &self,
        last: NaiveDate,
        effort_until: NaiveDate,
    ) -> CoreResult<bool> {
        Ok(false)
    }
    async fn remaining_effort(
        &self,
        owners: Option<&[PersonId]>,
        due_until: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, f64)>> {
        unreachable!("WorkStore::remaining_effort is not used by the services under test")
    }
}

#[async_trait]
impl CapacityStore for FakeStore {
    async fn capacities(&self, owners: Option<&[PersonId]>) -> CoreResult<Vec<(PersonId, f64)>> {
        unreachable!("WorkStore::capacities is not used by the services under test")
    }
    async fn set_capacity(&self, person: PersonId, hours_per_week: Option<f64>) -> CoreResult<()> {
        unreachable!("WorkStore::set_capacity is not used by the services under test")
    }
    async fn absences_between(
        &self,
        owners: Option<&[PersonId]>,
        first: NaiveDate,
        last: NaiveDate,
    ) -> CoreResult<Vec<Absence>> {
        unreachable!("WorkStore::absences_between is not used by the services under test")
    }
    async fn absences_of(&self, person: PersonId, since: NaiveDate) -> CoreResult<Vec<Absence>> {
        unreachable!("WorkStore::absences_of is not used by the services under test")
    }
    async fn absence(&self, id: AbsenceId) -> CoreResult<Option<Absence>> {
        unreachable!("WorkStore::absence is not used by the services under test")
    }
    async fn add_absence(
        &self,
        person: PersonId,
        first: NaiveDate,
        last: NaiveDate,
        note: &str,
    ) -> CoreResult<AbsenceId> {
        unreachable!("WorkStore::add_absence is not used by the services under test")
    }
    async fn delete_absence(&self, id: AbsenceId) -> CoreResult<()> {
        unreachable!("WorkStore::delete_absence is not used by the services under test")
    }
}

#[async_trait]
impl ObjectiveStore for FakeStore {
    async fn create_objective(&self, new: &NewObjective) -> CoreResult<ObjectiveId> {
        unreachable!("WorkStore::create_objective is not used by the services under test")
    }
    async fn objective(&self, id: ObjectiveId) -> CoreResult<Option<Objective>> {
        unreachable!("WorkStore::objective is not used by the services under test")
    }
    async fn objectives(&self, filter: &ObjectiveFilter) -> CoreResult<Vec<Objective>> {
        unreachable!("WorkStore::objectives is not used by the services under test")
    }
    async fn set_objective_parent(
        &self,
        id: ObjectiveId,
        parent: Option<ObjectiveId>,
    ) -> CoreResult<()> {
        unreachable!("WorkStore::set_objective_parent is not used by the services under test")
    }
    async fn set_objective_closed(&self, id: ObjectiveId, closed: bool) -> CoreResult<()> {
        unreachable!("WorkStore::set_objective_closed is not used by the services under test")
    }
    async fn add_key_result(
        &self,
        objective: ObjectiveId,
        kr: &NewKeyResult,
    ) -> CoreResult<KeyResultId> {
        unreachable!("WorkStore::add_key_result is not used by the services under test")
    }
    async fn key_result(&self, id: KeyResultId) -> CoreResult<Option<KeyResult>> {
        unreachable!("WorkStore::key_result is not used by the services under test")
    }
    async fn record_check_in(&self, check_in: &NewCheckIn) -> CoreResult<()> {
        unreachable!("WorkStore::record_check_in is not used by the services under test")
    }
    async fn check_ins(&self, objective: ObjectiveId, limit: i64) -> CoreResult<Vec<CheckIn>> {
        unreachable!("WorkStore::check_ins is not used by the services under test")
    }
}

#[async_trait]
impl WorkStore for FakeStore {
    async fn begin_work_write(&self) -> CoreResult<Box<dyn WorkWrite + '_>> {
        Ok(Box::new(FakeUnit::new(self)))
    }
    async fn insert_work(&self, batch: &WorkBatch) -> CoreResult<()> {
        unreachable!("WorkStore::insert_work is not used by the services under test")
    }
}

#[async_trait]
impl WorkWrite for FakeUnit<'_> {
    async fn create_commitment(&mut self, new: &NewCommitment) -> CoreResult<CommitmentId> {
        let id = CommitmentId(self.store.next_id());
        self.steps.push(format!(
            "create_commitment {id} {:?} owner {}",
            new.title, new.owner
        ));
        Ok(id)
    }
    async fn update_commitment(&mut self, c: &Commitment, changes: &[NewChange]) -> CoreResult<()> {
        self.steps.push(format!(
            "update_commitment {} {} ({} history lines)",
            c.id,
            c.status.as_str(),
            changes.len()
        ));
        self.updated.push(c.clone());
        Ok(())
    }
}

mod growth;
