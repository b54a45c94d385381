//! What the growth services need from a database. Part of [`crate::Store`].

use super::career::{CareerPlan, PlanChange, PlanFields};
use super::opportunities::{
    Candidate, NewOpportunity, NewPlacement, Opportunity, OpportunityStatus, Placement,
    PlacementChange,
};
use super::talent::{Engagement, NewEngagement, NewTalent, Talent};
use super::wishes::{NewWish, PlateWish};
use crate::error::CoreResult;
use crate::ids::{
    CommitmentId, OpportunityId, PersonId, PersonName, PlacementId, TalentId, WishId,
};
use crate::work::Commitment;
use async_trait::async_trait;
use chrono::NaiveDate;

/// A unit of work on growth (one transaction; dropped without committing, nothing is
/// written): placements, career plans and plate wishes. The use case decides the
/// steps — what a placement comes with, what the plan's history says — and the store only
/// writes them.
#[async_trait]
pub trait GrowthWrite: crate::work::store::WorkWrite {
    /// A placement, pending — or approved, with the commitment it created, decided by its
    /// proposer.
    async fn create_placement(
        &mut self,
        new: &NewPlacement,
        approved_with: Option<CommitmentId>,
    ) -> CoreResult<PlacementId>;
    /// Marks an open opportunity filled; a conflict when it was filled or closed meanwhile.
    async fn fill_opportunity(&mut self, id: OpportunityId) -> CoreResult<()>;
    /// Records a specialist engaged for an opportunity; its id.
    async fn record_engagement(&mut self, new: &NewEngagement) -> CoreResult<i64>;
    /// Moves a pending placement on, approved with `with` when it is approved; a conflict
    /// when it no longer stands as `change.from`.
    async fn change_placement(
        &mut self,
        id: PlacementId,
        change: &PlacementChange,
        with: Option<CommitmentId>,
    ) -> CoreResult<()>;

    /// Creates or replaces a person's career plan.
    async fn save_career_plan(
        &mut self,
        person: PersonId,
        fields: &PlanFields,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()>;
    async fn mark_career_plan_reviewed(
        &mut self,
        person: PersonId,
        on: NaiveDate,
    ) -> CoreResult<()>;
    /// A line of the plan's history, with the plan as it stands now.
    async fn note_plan_history(
        &mut self,
        person: PersonId,
        by: PersonId,
        at: i64,
        what: &str,
    ) -> CoreResult<()>;
    /// Shows this commitment as support promised on the person's plan.
    async fn link_support(&mut self, commitment: CommitmentId, person: PersonId) -> CoreResult<()>;
    /// Drops the person's wishes to move this commitment off their plate (it moved).
    async fn resolve_off_wishes(
        &mut self,
        commitment: CommitmentId,
        person: PersonId,
    ) -> CoreResult<()>;
}

/// The talent pool and the skill names it is searched by.
#[async_trait]
pub trait TalentStore: Send + Sync {
    /// Every skill name Trellis knows — people's, opportunities' and the pool's — sorted.
    async fn skill_names(&self) -> CoreResult<Vec<String>>;
    /// The talent pool, by name.
    async fn talent_pool(&self) -> CoreResult<Vec<Talent>>;
    /// Adds these people to the pool in one transaction.
    async fn add_talent(&self, talents: &[NewTalent]) -> CoreResult<Vec<TalentId>>;
    /// `false` when there was no such talent.
    async fn remove_talent(&self, id: TalentId) -> CoreResult<bool>;
    /// Every engagement of a specialist, newest first.
    async fn talent_engagements(&self) -> CoreResult<Vec<Engagement>>;
}

/// Storage of opportunities, placements and career plans.
#[async_trait]
pub trait GrowthStore: TalentStore + crate::work::store::WorkStore + Send + Sync {
    /// Starts a unit of work on growth: writes that commit together, or not at all.
    async fn begin_growth_write(&self) -> CoreResult<Box<dyn GrowthWrite + '_>>;
    /// Wishes of these people, oldest first.
    async fn plate_wishes(&self, people: &[PersonId]) -> CoreResult<Vec<PlateWish>>;
    async fn plate_wish(&self, id: WishId) -> CoreResult<Option<PlateWish>>;
    async fn add_plate_wish(&self, wish: &NewWish) -> CoreResult<WishId>;
    async fn delete_plate_wish(&self, id: WishId) -> CoreResult<()>;
    async fn career_plan(&self, person: PersonId) -> CoreResult<Option<CareerPlan>>;
    /// Newest first.
    async fn career_history(&self, person: PersonId, limit: i64) -> CoreResult<Vec<PlanChange>>;
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
    /// Who said they are interested in an opportunity, first to say so first.
    async fn interested_in(&self, opportunity: OpportunityId) -> CoreResult<Vec<PersonName>>;
    /// Records (or, with `interested` false, withdraws) a person's interest.
    async fn set_interest(
        &self,
        opportunity: OpportunityId,
        person: PersonId,
        interested: bool,
        at: i64,
    ) -> CoreResult<()>;
    async fn placement(&self, id: PlacementId) -> CoreResult<Option<Placement>>;
    /// Pending placements of people in this list (a manager's approvals to give).
    async fn pending_placements_of(&self, people: &[PersonId]) -> CoreResult<Vec<Placement>>;
    /// Stretch work a person is doing now: approved placements whose work is still open,
    /// as (opportunity, title).
    async fn running_stretch_of(
        &self,
        person: PersonId,
    ) -> CoreResult<Vec<(OpportunityId, String)>>;
    /// Skills of these people.
    async fn skills_of(
        &self,
        people: &[PersonId],
    ) -> CoreResult<std::collections::HashMap<PersonId, Vec<crate::org::SkillLevel>>>;
}
