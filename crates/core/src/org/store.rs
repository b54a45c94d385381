//! What the org services need from a database. Part of [`crate::Store`].

use super::history::{FieldChange, HistoryEntry};
use super::import::{ImportPlan, OrgSnapshot};
use super::people::PersonFields;
use super::{DirectoryFacets, JobLevel, Page, PeopleFilter, Person, PersonCard, SkillLevel, Team};
use crate::audit::AuditEntry;
use crate::error::CoreResult;
use crate::ids::{AccountId, LevelId, PersonId, TeamId};
use async_trait::async_trait;
use serde::Serialize;

/// What an applied import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub deactivated: usize,
}

/// A new level on the career ladder.
#[derive(Debug, Clone)]
pub struct NewLevel {
    pub code: String,
    pub name: String,
    pub rank: i64,
    pub expectations: String,
}

/// What a change records beside its data, written in the same transaction: its audit line
/// and, for people, the history of the fields it changed.
#[derive(Debug, Clone)]
pub struct ChangeRecord {
    pub audit: AuditEntry,
    /// The date the change takes effect, for the org history.
    pub effective_on: chrono::NaiveDate,
    /// How the change was made: "profile", "api", "import", "command line".
    pub source: &'static str,
    /// Who is told, kept in the change's transaction (an import tells the people admins).
    pub notices: Vec<crate::notify::Notification>,
}

/// A unit of work on the organisation: writes that commit together with their history and
/// audit line, or not at all. Dropped without [`OrgWrite::commit`], nothing is written.
/// The use case decides what to write; the store only writes it.
#[async_trait]
pub trait OrgWrite: crate::unit_of_work::UnitOfWork {
    async fn create_person(&mut self, fields: &PersonFields) -> CoreResult<PersonId>;
    /// Changes a person from `before` (as read) to `after`, writing only what differs; not
    /// found when there is no such person.
    async fn update_person(
        &mut self,
        id: PersonId,
        before: &PersonFields,
        after: &PersonFields,
    ) -> CoreResult<()>;
    /// Replaces a person's skills (creating unknown skill names).
    async fn set_skills(&mut self, id: PersonId, skills: &[SkillLevel]) -> CoreResult<()>;
    /// Keeps changes of people's fields in the org history, as `record` says.
    async fn record_history(
        &mut self,
        changes: &[(PersonId, &FieldChange)],
        record: &ChangeRecord,
    ) -> CoreResult<()>;
}

/// A person and the people and skills around them.
#[derive(Debug, Clone)]
pub struct Neighbourhood {
    pub person: Person,
    pub skills: Vec<SkillLevel>,
    /// Managers above, nearest first. Their `report_count` is not loaded (0): the chain is
    /// for naming and linking, and counting each manager's reports would slow every page.
    pub chain: Vec<PersonCard>,
    pub reports: Vec<PersonCard>,
}

/// Row counts, for health checks, the copy command and the demo.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct OrgCounts {
    pub people: i64,
    pub active_people: i64,
    pub teams: i64,
    pub accounts: i64,
}

/// An uploaded file waiting for the admin to confirm its preview.
#[derive(Debug, Clone)]
pub struct PendingImport {
    pub file_name: String,
    pub content: Vec<u8>,
    pub deactivate_missing: bool,
}

/// An upload kept for its admin, as listed (without its content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingImport {
    pub id: String,
    pub file_name: String,
    pub uploaded_at: i64,
}

/// One person and the people around them: reads the person pages make.
#[async_trait]
pub trait PersonStore: Send + Sync {
    async fn person(&self, id: PersonId) -> CoreResult<Option<Person>>;
    /// A person with their skills, managers (nearest first) and active reports, in as few
    /// round trips as the backend allows: the person page reads this on every view.
    async fn person_neighbourhood(&self, id: PersonId) -> CoreResult<Option<Neighbourhood>>;
    /// A person with their active reports (by name), in one round trip: the org chart.
    async fn person_with_reports(
        &self,
        id: PersonId,
    ) -> CoreResult<Option<(Person, Vec<PersonCard>)>>;
    async fn person_id_by_email(&self, email: &str) -> CoreResult<Option<PersonId>>;
    /// The chain of managers above a person, nearest first.
    async fn manager_chain(&self, id: PersonId) -> CoreResult<Vec<PersonCard>>;
    /// Active direct reports, by name.
    async fn direct_reports(&self, id: PersonId) -> CoreResult<Vec<PersonCard>>;
    /// A person's recorded changes, newest first.
    async fn person_history(&self, id: PersonId) -> CoreResult<Vec<HistoryEntry>>;
}

/// The people directory: search, facets and the tops of the org chart.
#[async_trait]
pub trait DirectoryStore: Send + Sync {
    /// Active people with no manager: the tops of the org chart.
    async fn top_of_tree(&self) -> CoreResult<Vec<PersonCard>>;
    async fn list_people(&self, filter: &PeopleFilter) -> CoreResult<Page<PersonCard>>;
    async fn directory_facets(&self) -> CoreResult<DirectoryFacets>;
}

/// Teams, the career ladder and the organisation's counts.
#[async_trait]
pub trait TeamStore: Send + Sync {
    async fn teams(&self) -> CoreResult<Vec<Team>>;
    async fn team(&self, id: TeamId) -> CoreResult<Option<Team>>;
    async fn team_members(&self, id: TeamId) -> CoreResult<Vec<PersonCard>>;
    async fn sub_teams(&self, id: TeamId) -> CoreResult<Vec<Team>>;
    async fn levels(&self) -> CoreResult<Vec<JobLevel>>;
    async fn level(&self, id: LevelId) -> CoreResult<Option<JobLevel>>;
    async fn upsert_level(&self, level: &NewLevel) -> CoreResult<LevelId>;
    /// Adds or updates every level, in one transaction: all of them or none.
    async fn upsert_levels(&self, levels: &[NewLevel]) -> CoreResult<()>;
    async fn counts(&self) -> CoreResult<OrgCounts>;
}

/// Imports: the snapshot a plan is made against, applying it, and uploads waiting for their preview.
#[async_trait]
pub trait ImportStore: Send + Sync {
    async fn org_snapshot(&self) -> CoreResult<OrgSnapshot>;
    /// Everyone, as the snapshot has them but without their skills: what whole-organisation
    /// figures need, read faster.
    async fn org_people(&self) -> CoreResult<Vec<crate::org::import::ExistingPerson>> {
        Ok(self.org_snapshot().await?.people)
    }
    /// People admins who can sign in: told when an import is applied.
    async fn people_admins(&self) -> CoreResult<Vec<PersonId>>;
    /// Writes a valid plan in one transaction: all of it or nothing.
    async fn apply_import(
        &self,
        plan: &ImportPlan,
        record: &ChangeRecord,
    ) -> CoreResult<ImportSummary>;
    /// Keeps an upload between preview and commit (older uploads are pruned); taken by
    /// value, so the file is held once while it is written.
    async fn save_pending_import(
        &self,
        id: &str,
        account: AccountId,
        upload: PendingImport,
        now: i64,
    ) -> CoreResult<()>;
    /// Removes an upload whose preview found it cannot be applied.
    async fn discard_pending_import(&self, id: &str, account: AccountId) -> CoreResult<()>;
    /// The uploads this account kept and has neither applied nor discarded, newest first
    /// (those older than `since` are pruned).
    async fn waiting_imports(
        &self,
        account: AccountId,
        since: i64,
    ) -> CoreResult<Vec<WaitingImport>>;
    /// An upload of this account, read and kept (to show its preview again).
    async fn pending_import(
        &self,
        id: &str,
        account: AccountId,
    ) -> CoreResult<Option<PendingImport>>;
    /// An upload of this account, removed as it is taken.
    async fn take_pending_import(
        &self,
        id: &str,
        account: AccountId,
    ) -> CoreResult<Option<PendingImport>>;
}

/// People, reporting lines, teams, the career ladder, imports and the org history.
#[async_trait]
pub trait OrgStore:
    PersonStore + DirectoryStore + TeamStore + ImportStore + crate::audit::AuditStore + Send + Sync
{
    async fn create_person(&self, fields: &PersonFields) -> CoreResult<PersonId>;
    async fn update_person(&self, id: PersonId, fields: &PersonFields) -> CoreResult<()>;
    /// Replaces a person's skills (creating unknown skill names).
    async fn set_person_skills(&self, id: PersonId, skills: &[SkillLevel]) -> CoreResult<()>;
    /// Starts a unit of work on the organisation (on SQLite, it holds the write lock).
    async fn begin_org_write(&self) -> CoreResult<Box<dyn OrgWrite + '_>>;
}
