//! What provisioning needs from a database. Part of [`crate::Store`].

use super::groups::{GroupRecord, NewGroup};
use super::tokens::ScimToken;
use super::user::ScimPerson;
use crate::error::CoreResult;
use crate::ids::{PersonId, TeamId};
use crate::org::store::OrgWrite;
use async_trait::async_trait;
use serde_json::Value;

/// What SCIM keeps beside a person.
#[derive(Debug, Clone, PartialEq)]
pub struct ScimIdentity {
    pub user_name: String,
    pub external_id: Option<String>,
    pub attributes: Value,
}

/// Whether provisioning is paused, since when and why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PauseState {
    pub paused_at: Option<i64>,
    pub reason: String,
    /// When an admin last confirmed: deactivations before it no longer count.
    pub resumed_at: Option<i64>,
}

#[async_trait]
pub trait ProvisioningStore: Send + Sync {
    /// The token with this digest, whatever its state.
    async fn scim_token(&self, digest: &str) -> CoreResult<Option<ScimToken>>;
    /// Notes a token's use (at most every few minutes, so a sync does not write each time).
    async fn note_scim_token_used(&self, id: i64, now: i64) -> CoreResult<()>;
    /// Every token, newest first.
    async fn scim_tokens(&self) -> CoreResult<Vec<ScimToken>>;

    async fn scim_user(&self, id: PersonId) -> CoreResult<Option<ScimPerson>>;
    /// The person whose SCIM userName is this (already lowercased).
    async fn scim_user_id_by_name(&self, user_name_key: &str) -> CoreResult<Option<PersonId>>;
    async fn scim_user_id_by_external_id(&self, external_id: &str) -> CoreResult<Option<PersonId>>;
    /// One page of SCIM users by id, and how many there are.
    async fn scim_users_page(
        &self,
        offset: usize,
        limit: usize,
    ) -> CoreResult<(Vec<ScimPerson>, usize)>;
    /// Every SCIM user, by id: what a filter no index answers is evaluated over.
    async fn all_scim_users(&self) -> CoreResult<Vec<ScimPerson>>;
    /// How many people an identity provider manages.
    async fn scim_user_count(&self) -> CoreResult<usize>;

    async fn group(&self, id: i64) -> CoreResult<Option<GroupRecord>>;
    async fn group_id_by_name(&self, name_key: &str) -> CoreResult<Option<i64>>;
    /// Every group by id, with its members when asked.
    async fn groups(&self, with_members: bool) -> CoreResult<Vec<GroupRecord>>;

    /// The team of exactly this name.
    async fn team_id_by_name(&self, name: &str) -> CoreResult<Option<TeamId>>;

    async fn scim_pause(&self) -> CoreResult<PauseState>;
    async fn scim_deactivations_since(&self, since: i64) -> CoreResult<i64>;
    /// Starts a unit of work for a SCIM request.
    async fn begin_provisioning_write(&self) -> CoreResult<Box<dyn ProvisioningWrite + '_>>;
}

/// One SCIM request's writes, with the org writes they go through.
#[async_trait]
pub trait ProvisioningWrite: OrgWrite {
    async fn put_scim_user(
        &mut self,
        id: PersonId,
        identity: &ScimIdentity,
        now: i64,
    ) -> CoreResult<()>;
    async fn remove_scim_user(&mut self, id: PersonId) -> CoreResult<()>;
    /// The team of this name, made when there is none.
    async fn team_named(&mut self, name: &str) -> CoreResult<TeamId>;
    async fn record_scim_deactivation(&mut self, id: PersonId, now: i64) -> CoreResult<()>;
    async fn pause_scim(&mut self, now: i64, reason: &str) -> CoreResult<()>;
    async fn resume_scim(&mut self, by: Option<PersonId>, now: i64) -> CoreResult<()>;

    async fn create_scim_token(
        &mut self,
        name: &str,
        digest: &str,
        by: Option<PersonId>,
        expires_at: Option<i64>,
        now: i64,
    ) -> CoreResult<i64>;
    /// Revokes a token; false when there is no such token or it was revoked already.
    async fn revoke_scim_token(&mut self, id: i64, now: i64) -> CoreResult<bool>;

    async fn create_group(&mut self, group: &NewGroup, now: i64) -> CoreResult<i64>;
    async fn update_group(&mut self, id: i64, group: &NewGroup, now: i64) -> CoreResult<()>;
    async fn set_group_members(&mut self, id: i64, members: &[PersonId]) -> CoreResult<()>;
    async fn delete_group(&mut self, id: i64) -> CoreResult<()>;
}
