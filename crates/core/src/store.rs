//! The storage boundary. `trellis-store` implements it with sqlx for SQLite and PostgreSQL;
//! services only ever see this trait.

use crate::auth::{Account, Session, SignInFailures};
use crate::error::CoreResult;
use crate::ids::{AccountId, LevelId, PersonId, TeamId};
use crate::org::history::{FieldChange, HistoryEntry};
use crate::org::import::{ImportPlan, OrgSnapshot};
use crate::org::people::PersonFields;
use crate::org::{
    DirectoryFacets, JobLevel, Page, PeopleFilter, Person, PersonCard, SkillLevel, Team,
};
use crate::settings::Settings;
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

/// One line of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: Option<PersonId>,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

impl AuditEntry {
    /// A line about a person: the log names and links them.
    pub fn about_person(
        at: i64,
        actor: PersonId,
        action: &str,
        person: PersonId,
        detail: String,
    ) -> Self {
        AuditEntry {
            at,
            actor: Some(actor),
            action: action.into(),
            subject: format!("person {person}"),
            detail,
        }
    }
}

/// An audit line as the log shows it: with the names of the person who acted and, when
/// the subject is a person, of that person.
#[derive(Debug, Clone, Serialize)]
pub struct AuditLine {
    pub entry: AuditEntry,
    pub actor_name: Option<String>,
    pub subject_person: Option<(PersonId, String)>,
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
}

/// A person created (no `id`) or changed, with their skills when they are set, and the
/// history of what changed.
#[derive(Debug, Clone)]
pub struct PersonWrite {
    pub id: Option<PersonId>,
    pub fields: PersonFields,
    pub skills: Option<Vec<SkillLevel>>,
    pub history: Vec<FieldChange>,
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

/// Everything the services need from a database (work storage is in
/// [`crate::work::store::WorkStore`]).
#[async_trait]
pub trait Store:
    crate::work::store::WorkStore + crate::growth::store::GrowthStore + Send + Sync
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> CoreResult<()>;

    async fn settings(&self) -> CoreResult<Settings>;
    /// Saves the settings, and the audit line that records the change in the same
    /// transaction.
    async fn save_settings(
        &self,
        settings: &Settings,
        audit: Option<&AuditEntry>,
    ) -> CoreResult<()>;

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
    /// Active people with no manager: the tops of the org chart.
    async fn top_of_tree(&self) -> CoreResult<Vec<PersonCard>>;
    async fn list_people(&self, filter: &PeopleFilter) -> CoreResult<Page<PersonCard>>;
    async fn directory_facets(&self) -> CoreResult<DirectoryFacets>;
    async fn create_person(&self, fields: &PersonFields) -> CoreResult<PersonId>;
    async fn update_person(&self, id: PersonId, fields: &PersonFields) -> CoreResult<()>;
    /// Replaces a person's skills (creating unknown skill names).
    async fn set_person_skills(&self, id: PersonId, skills: &[SkillLevel]) -> CoreResult<()>;

    async fn teams(&self) -> CoreResult<Vec<Team>>;
    async fn team(&self, id: TeamId) -> CoreResult<Option<Team>>;
    async fn team_members(&self, id: TeamId) -> CoreResult<Vec<PersonCard>>;
    async fn sub_teams(&self, id: TeamId) -> CoreResult<Vec<Team>>;
    async fn levels(&self) -> CoreResult<Vec<JobLevel>>;
    async fn level(&self, id: LevelId) -> CoreResult<Option<JobLevel>>;
    async fn upsert_level(&self, level: &NewLevel) -> CoreResult<LevelId>;
    /// Adds or updates every level, in one transaction: all of them or none.
    async fn upsert_levels(&self, levels: &[NewLevel]) -> CoreResult<()>;

    async fn org_snapshot(&self) -> CoreResult<OrgSnapshot>;
    /// Writes a valid plan in one transaction: all of it or nothing.
    async fn apply_import(
        &self,
        plan: &ImportPlan,
        record: &ChangeRecord,
    ) -> CoreResult<ImportSummary>;
    /// Creates or changes a person, their skills, history and audit line in one
    /// transaction.
    async fn write_person(
        &self,
        write: &PersonWrite,
        record: &ChangeRecord,
    ) -> CoreResult<PersonId>;
    /// A person's recorded changes, newest first.
    async fn person_history(&self, id: PersonId) -> CoreResult<Vec<HistoryEntry>>;
    async fn counts(&self) -> CoreResult<OrgCounts>;
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
    /// An upload of this account, removed as it is taken.
    async fn take_pending_import(
        &self,
        id: &str,
        account: AccountId,
    ) -> CoreResult<Option<PendingImport>>;

    async fn create_account(
        &self,
        person: PersonId,
        password_hash: &str,
        is_admin: bool,
    ) -> CoreResult<AccountId>;
    async fn account_by_email(&self, email: &str) -> CoreResult<Option<Account>>;
    async fn create_session(
        &self,
        account: AccountId,
        token_digest: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> CoreResult<()>;
    /// A live session by its token digest; extends it when it is used.
    async fn session(&self, token_digest: &str, now: i64) -> CoreResult<Option<Session>>;
    async fn delete_session(&self, token_digest: &str) -> CoreResult<()>;
    async fn create_api_token(
        &self,
        account: AccountId,
        name: &str,
        token_digest: &str,
        now: i64,
    ) -> CoreResult<()>;
    async fn account_by_api_token(
        &self,
        token_digest: &str,
        now: i64,
    ) -> CoreResult<Option<Account>>;
    /// A failed sign-in for an e-mail from a client address (empty when unknown).
    async fn record_failed_sign_in(&self, email: &str, client: &str, at: i64) -> CoreResult<()>;
    /// Failures since `since`: for this e-mail from this client, and from this client in all.
    async fn failed_sign_ins_since(
        &self,
        email: &str,
        client: &str,
        since: i64,
    ) -> CoreResult<SignInFailures>;
    async fn clear_failed_sign_ins(&self, email: &str) -> CoreResult<()>;

    /// Adds a job to run at `run_at` (Unix seconds).
    async fn schedule_job(&self, kind: &str, payload: &str, run_at: i64) -> CoreResult<i64>;
    /// Claims the most overdue job not held by anyone, for `worker`, until `now + lease`.
    async fn claim_job(
        &self,
        worker: &str,
        now: i64,
        lease: i64,
    ) -> CoreResult<Option<crate::jobs::Job>>;
    /// Marks a claimed job done (or failed, with the error kept for the next attempt).
    async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        now: i64,
        error: Option<&str>,
    ) -> CoreResult<()>;

    async fn audit(&self, entry: &AuditEntry) -> CoreResult<()>;
    async fn audit_log(&self, limit: i64) -> CoreResult<Vec<AuditLine>>;
}

tokio::task_local! {
    /// The database's change counts that the cached reads of this request were checked
    /// against; taken at the request's first cached read.
    static READ_VIEW: std::cell::RefCell<Option<Vec<i64>>>;
}

/// Runs a request that only reads (GET) against one view of the database: a store that
/// caches reads asks the database whether anything changed once, at the first cached read,
/// and the rest of the request reads as of then. Requests that write must not use this,
/// so that they read back their own writes.
pub async fn in_one_view<F: std::future::Future>(request: F) -> F::Output {
    READ_VIEW
        .scope(std::cell::RefCell::new(None), request)
        .await
}

/// The change counts this request already read, when it runs in one view.
pub fn request_view() -> Option<Vec<i64>> {
    READ_VIEW.try_with(|v| v.borrow().clone()).ok().flatten()
}

/// Keeps the change counts just read for the rest of this request (when it runs in one view).
pub fn keep_request_view(counts: &[i64]) {
    let _ = READ_VIEW.try_with(|v| *v.borrow_mut() = Some(counts.to_vec()));
}

#[cfg(test)]
mod view_tests {
    use super::*;

    #[tokio::test]
    async fn a_view_lasts_one_request() {
        keep_request_view(&[1, 2]);
        assert_eq!(request_view(), None, "outside a request nothing is kept");
        let seen = in_one_view(async {
            assert_eq!(request_view(), None);
            keep_request_view(&[3, 4]);
            request_view()
        })
        .await;
        assert_eq!(seen, Some(vec![3, 4]));
        assert_eq!(in_one_view(async { request_view() }).await, None);
    }
}
