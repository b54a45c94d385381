//! What the growth services need from a database. Part of [`crate::Store`].

use super::career::{CareerPlan, PlanChange, PlanFields};
use super::opportunities::{
    Candidate, NewOpportunity, NewPlacement, Opportunity, OpportunityStatus, Placement,
    PlacementStatus,
};
use super::wishes::{NewWish, PlateWish};
use crate::error::CoreResult;
use crate::ids::{CommitmentId, OpportunityId, PersonId, PlacementId, WishId};
use crate::work::{Commitment, NewCommitment};
use async_trait::async_trait;

/// Storage of opportunities, placements and career plans.
#[async_trait]
pub trait GrowthStore: Send + Sync {
    /// Wishes of these people, oldest first.
    async fn plate_wishes(&self, people: &[PersonId]) -> CoreResult<Vec<PlateWish>>;
    async fn plate_wish(&self, id: WishId) -> CoreResult<Option<PlateWish>>;
    async fn add_plate_wish(&self, wish: &NewWish) -> CoreResult<WishId>;
    async fn delete_plate_wish(&self, id: WishId) -> CoreResult<()>;
    async fn career_plan(&self, person: PersonId) -> CoreResult<Option<CareerPlan>>;
    /// Writes the plan and a history line with its snapshot, in one transaction.
    async fn save_career_plan(
        &self,
        person: PersonId,
        fields: &PlanFields,
        by: PersonId,
        at: i64,
        what: &str,
    ) -> CoreResult<()>;
    async fn mark_career_plan_reviewed(
        &self,
        person: PersonId,
        on: chrono::NaiveDate,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()>;
    /// Newest first.
    async fn career_history(&self, person: PersonId, limit: i64) -> CoreResult<Vec<PlanChange>>;
    /// Creates the manager's commitment, ties it to the plan and notes it in the history.
    async fn add_career_support(
        &self,
        person: PersonId,
        commitment: &NewCommitment,
        by: PersonId,
        at: i64,
    ) -> CoreResult<CommitmentId>;
    /// Every commitment promised in this person's plan.
    async fn career_support(&self, person: PersonId) -> CoreResult<Vec<Commitment>>;

    async fn create_opportunity(&self, new: &NewOpportunity) -> CoreResult<OpportunityId>;
    async fn opportunity(&self, id: OpportunityId) -> CoreResult<Option<Opportunity>>;
    /// Newest first; `None` for every status.
    async fn opportunities(
        &self,
        status: Option<OpportunityStatus>,
    ) -> CoreResult<Vec<Opportunity>>;
    /// Active people with at least one of these skills, each with all their skills.
    async fn candidates_with_skills(&self, skills: &[String]) -> CoreResult<Vec<Candidate>>;
    async fn placements(&self, opportunity: OpportunityId) -> CoreResult<Vec<Placement>>;
    async fn placement(&self, id: PlacementId) -> CoreResult<Option<Placement>>;
    /// Pending placements of people in this list (a manager's approvals to give).
    async fn pending_placements_of(&self, people: &[PersonId]) -> CoreResult<Vec<Placement>>;
    /// Writes a placement. With `commitment` (no approval needed) it is approved at once:
    /// the commitment is created and the opportunity filled, all in one transaction.
    async fn create_placement(
        &self,
        new: &NewPlacement,
        commitment: Option<&NewCommitment>,
    ) -> CoreResult<PlacementId>;
    /// Approves (creating `commitment` and filling the opportunity) or declines a pending
    /// placement, in one transaction.
    async fn decide_placement(
        &self,
        id: PlacementId,
        status: PlacementStatus,
        by: PersonId,
        at: i64,
        commitment: Option<&NewCommitment>,
    ) -> CoreResult<()>;
}
