//! The organisation, accounts, settings and imports: `trellis_core::Store` for `SqlStore`.

use crate::*;
use async_trait::async_trait;
use trellis_core::error::CoreResult;

#[async_trait]
impl trellis_core::Store for SqlStore {
    fn read_in_one_view<'a>(
        &'a self,
        request: trellis_core::store::BoxFuture<'a, ()>,
    ) -> trellis_core::store::BoxFuture<'a, ()> {
        Box::pin(crate::cache::in_one_view(request))
    }
    fn backend(&self) -> &'static str {
        self.backend.name()
    }
    async fn ping(&self) -> CoreResult<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(map_err)
    }
}

#[async_trait]
impl trellis_core::settings::SettingsStore for SqlStore {
    async fn settings(&self) -> CoreResult<trellis_core::settings::Settings> {
        people::settings(self).await
    }
    async fn begin_settings_write(
        &self,
    ) -> CoreResult<Box<dyn trellis_core::settings::SettingsWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
}

#[async_trait]
impl trellis_core::org::store::OrgStore for SqlStore {
    async fn person(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<Option<trellis_core::org::Person>> {
        people::person(self, id).await
    }
    async fn person_neighbourhood(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<Option<trellis_core::org::store::Neighbourhood>> {
        people::person_neighbourhood(self, id).await
    }
    async fn person_with_reports(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<
        Option<(
            trellis_core::org::Person,
            Vec<trellis_core::org::PersonCard>,
        )>,
    > {
        people::person_with_reports(self, id).await
    }
    async fn person_id_by_email(&self, email: &str) -> CoreResult<Option<trellis_core::PersonId>> {
        people::person_id_by_email(self, email).await
    }
    async fn manager_chain(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::org::PersonCard>> {
        people::manager_chain(self, id).await
    }
    async fn direct_reports(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::org::PersonCard>> {
        people::direct_reports(self, id).await
    }
    async fn top_of_tree(&self) -> CoreResult<Vec<trellis_core::org::PersonCard>> {
        people::top_of_tree(self).await
    }
    async fn list_people(
        &self,
        filter: &trellis_core::org::PeopleFilter,
    ) -> CoreResult<trellis_core::org::Page<trellis_core::org::PersonCard>> {
        people::list_people(self, filter).await
    }
    async fn directory_facets(&self) -> CoreResult<trellis_core::org::DirectoryFacets> {
        people::directory_facets(self).await
    }
    async fn create_person(
        &self,
        fields: &trellis_core::org::people::PersonFields,
    ) -> CoreResult<trellis_core::PersonId> {
        people::create_person(self, fields).await
    }
    async fn update_person(
        &self,
        id: trellis_core::PersonId,
        fields: &trellis_core::org::people::PersonFields,
    ) -> CoreResult<()> {
        people::update_person(self, id, fields).await
    }
    async fn set_person_skills(
        &self,
        id: trellis_core::PersonId,
        skills: &[trellis_core::org::SkillLevel],
    ) -> CoreResult<()> {
        people::set_person_skills(self, id, skills).await
    }
    async fn teams(&self) -> CoreResult<Vec<trellis_core::org::Team>> {
        people::teams(self).await
    }
    async fn team(&self, id: trellis_core::TeamId) -> CoreResult<Option<trellis_core::org::Team>> {
        people::team(self, id).await
    }
    async fn team_members(
        &self,
        id: trellis_core::TeamId,
    ) -> CoreResult<Vec<trellis_core::org::PersonCard>> {
        people::team_members(self, id).await
    }
    async fn sub_teams(
        &self,
        id: trellis_core::TeamId,
    ) -> CoreResult<Vec<trellis_core::org::Team>> {
        people::sub_teams(self, id).await
    }
    async fn levels(&self) -> CoreResult<Vec<trellis_core::org::JobLevel>> {
        people::levels(self).await
    }
    async fn level(
        &self,
        id: trellis_core::LevelId,
    ) -> CoreResult<Option<trellis_core::org::JobLevel>> {
        people::level(self, id).await
    }
    async fn upsert_level(
        &self,
        level: &trellis_core::org::store::NewLevel,
    ) -> CoreResult<trellis_core::LevelId> {
        people::upsert_level(self, level).await
    }
    async fn upsert_levels(&self, levels: &[trellis_core::org::store::NewLevel]) -> CoreResult<()> {
        people::upsert_levels(self, levels).await
    }
    async fn org_snapshot(&self) -> CoreResult<trellis_core::org::import::OrgSnapshot> {
        import::org_snapshot(self).await
    }
    async fn apply_import(
        &self,
        plan: &trellis_core::org::import::ImportPlan,
        record: &trellis_core::org::store::ChangeRecord,
    ) -> CoreResult<trellis_core::org::store::ImportSummary> {
        import::apply_import(self, plan, record).await
    }
    async fn begin_org_write(
        &self,
    ) -> CoreResult<Box<dyn trellis_core::org::store::OrgWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
    async fn person_history(
        &self,
        id: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::org::history::HistoryEntry>> {
        history::person_history(self, id).await
    }
    async fn counts(&self) -> CoreResult<trellis_core::org::store::OrgCounts> {
        people::counts(self).await
    }
    async fn save_pending_import(
        &self,
        id: &str,
        account: trellis_core::AccountId,
        upload: trellis_core::org::store::PendingImport,
        now: i64,
    ) -> CoreResult<()> {
        import::save_pending_import(self, id, account, upload, now).await
    }
    async fn discard_pending_import(
        &self,
        id: &str,
        account: trellis_core::AccountId,
    ) -> CoreResult<()> {
        import::discard_pending_import(self, id, account).await
    }
    async fn take_pending_import(
        &self,
        id: &str,
        account: trellis_core::AccountId,
    ) -> CoreResult<Option<trellis_core::org::store::PendingImport>> {
        import::take_pending_import(self, id, account).await
    }
}

#[async_trait]
impl trellis_core::auth::store::AuthStore for SqlStore {
    async fn create_account(
        &self,
        person: trellis_core::PersonId,
        password_hash: &str,
        is_admin: bool,
    ) -> CoreResult<trellis_core::AccountId> {
        accounts::create_account(self, person, password_hash, is_admin).await
    }
    async fn account_by_email(
        &self,
        email: &str,
    ) -> CoreResult<Option<trellis_core::auth::Account>> {
        accounts::account_by_email(self, email).await
    }
    async fn create_session(
        &self,
        account: trellis_core::AccountId,
        token_digest: &str,
        csrf_token: &str,
        expires_at: i64,
    ) -> CoreResult<()> {
        accounts::create_session(self, account, token_digest, csrf_token, expires_at).await
    }
    async fn session(
        &self,
        token_digest: &str,
        now: i64,
    ) -> CoreResult<Option<trellis_core::auth::Session>> {
        accounts::session(self, token_digest, now).await
    }
    async fn delete_session(&self, token_digest: &str) -> CoreResult<()> {
        accounts::delete_session(self, token_digest).await
    }
    async fn create_api_token(
        &self,
        account: trellis_core::AccountId,
        name: &str,
        token_digest: &str,
        now: i64,
    ) -> CoreResult<()> {
        accounts::create_api_token(self, account, name, token_digest, now).await
    }
    async fn account_by_api_token(
        &self,
        token_digest: &str,
        now: i64,
    ) -> CoreResult<Option<trellis_core::auth::Account>> {
        accounts::account_by_api_token(self, token_digest, now).await
    }
    async fn record_failed_sign_in(&self, email: &str, client: &str, at: i64) -> CoreResult<()> {
        accounts::record_failed_sign_in(self, email, client, at).await
    }
    async fn failed_sign_ins_since(
        &self,
        email: &str,
        client: &str,
        since: i64,
    ) -> CoreResult<trellis_core::auth::SignInFailures> {
        accounts::failed_sign_ins_since(self, email, client, since).await
    }
    async fn clear_failed_sign_ins(&self, email: &str) -> CoreResult<()> {
        accounts::clear_failed_sign_ins(self, email).await
    }
}

#[async_trait]
impl trellis_core::jobs::JobStore for SqlStore {
    async fn schedule_job(&self, kind: &str, payload: &str, run_at: i64) -> CoreResult<i64> {
        jobs::schedule_job(self, kind, payload, run_at).await
    }
    async fn claim_job(
        &self,
        worker: &str,
        now: i64,
        lease: i64,
    ) -> CoreResult<Option<trellis_core::jobs::Job>> {
        jobs::claim_job(self, worker, now, lease).await
    }
    async fn finish_job(
        &self,
        id: i64,
        worker: &str,
        now: i64,
        error: Option<&str>,
    ) -> CoreResult<()> {
        jobs::finish_job(self, id, worker, now, error).await
    }
}

#[async_trait]
impl trellis_core::audit::AuditStore for SqlStore {
    async fn audit(&self, entry: &trellis_core::audit::AuditEntry) -> CoreResult<()> {
        accounts::audit(self, entry).await
    }
    async fn audit_log(&self, limit: i64) -> CoreResult<Vec<trellis_core::audit::AuditLine>> {
        accounts::audit_log(self, limit).await
    }
}
