//! What succession planning needs from a database. Part of [`crate::Store`].

use super::{KeyRole, NewCandidate, NewKeyRole, RoleChanges};
use crate::error::CoreResult;
use crate::ids::{KeyRoleId, PersonId};
use async_trait::async_trait;

#[async_trait]
pub trait SuccessionStore: Send + Sync {
    async fn create_key_role(&self, role: &NewKeyRole) -> CoreResult<KeyRoleId>;
    /// Every key role with its candidates, ranked.
    async fn key_roles(&self) -> CoreResult<Vec<KeyRole>>;
    async fn key_role(&self, id: KeyRoleId) -> CoreResult<Option<KeyRole>>;
    async fn update_key_role(&self, id: KeyRoleId, changes: &RoleChanges) -> CoreResult<()>;
    /// Removes the role and its plan, in one transaction.
    async fn delete_key_role(&self, id: KeyRoleId) -> CoreResult<()>;
    /// Adds a candidate (last in rank) or replaces their readiness, condition, note and
    /// review date.
    async fn save_candidate(&self, role: KeyRoleId, candidate: &NewCandidate) -> CoreResult<()>;
    /// Ranks the plan's candidates in this order (first is 1), in one transaction.
    async fn rank_candidates(&self, role: KeyRoleId, order: &[PersonId]) -> CoreResult<()>;
    /// Removes a candidate and closes the gap in the ranks, in one transaction.
    async fn remove_candidate(&self, role: KeyRoleId, person: PersonId) -> CoreResult<()>;
    /// Per person: approved stretch work whose commitment is done, and development
    /// sessions attended.
    /// Everyone still with the organisation, as cards.
    async fn active_cards(&self) -> CoreResult<Vec<crate::org::PersonCard>>;
    /// People whose career plan names a next step (a target role or level).
    async fn people_with_next_step(&self) -> CoreResult<Vec<PersonId>>;
    async fn growth_record(&self, people: &[PersonId]) -> CoreResult<Vec<(PersonId, u32, u32)>>;
}
