//! What the growth services need from a database. Part of [`crate::Store`].

use super::career::{CareerPlan, PlanChange, PlanFields};
use super::mentoring::{
    MenteeEntry, MenteeGoals, MentorEntry, MentorProfile, Mentorship, NewMentorship, NewRound,
    NewRoundPair, Round, RoundPair,
};
use super::opportunities::{
    Candidate, NewOpportunity, NewPlacement, Opportunity, OpportunityStatus, Placement,
    PlacementChange,
};
use super::talent::{NewTalent, Talent};
use super::wishes::{NewWish, PlateWish};
use crate::error::CoreResult;
use crate::ids::{
    CommitmentId, MentorshipId, OpportunityId, PersonId, PlacementId, RoundId, TalentId, WishId,
};
use crate::work::{Commitment, NewCommitment};
use async_trait::async_trait;
use chrono::NaiveDate;

/// A unit of work on placements (one transaction; dropped without [`PlacementWrite::commit`],
/// nothing is written). The use case decides what a placement comes with.
#[async_trait]
pub trait PlacementWrite: Send {
    /// The work a placement gives its candidate.
    async fn create_commitment(&mut self, commitment: &NewCommitment) -> CoreResult<CommitmentId>;
    /// A placement, pending — or approved, with the commitment it created, decided by its
    /// proposer.
    async fn create_placement(
        &mut self,
        new: &NewPlacement,
        approved_with: Option<CommitmentId>,
    ) -> CoreResult<PlacementId>;
    /// Marks an open opportunity filled; a conflict when it was filled or closed meanwhile.
    async fn fill_opportunity(&mut self, id: OpportunityId) -> CoreResult<()>;
    async fn audit(&mut self, entry: &crate::audit::AuditEntry) -> CoreResult<()>;
    async fn commit(self: Box<Self>) -> CoreResult<()>;
}

/// A unit of work on a mentoring round (one transaction; dropped without
/// [`RoundWrite::commit`], nothing is written).
#[async_trait]
pub trait RoundWrite: Send {
    /// Marks a draft round published; a conflict when it already is.
    async fn mark_published(&mut self, id: RoundId, by: PersonId, at: i64) -> CoreResult<()>;
    /// The mentorships the round starts, created at `at`.
    async fn create_mentorships(
        &mut self,
        round: RoundId,
        mentorships: &[NewMentorship],
        at: i64,
    ) -> CoreResult<()>;
    async fn audit(&mut self, entry: &crate::audit::AuditEntry) -> CoreResult<()>;
    async fn commit(self: Box<Self>) -> CoreResult<()>;
}

/// Storage of opportunities, placements and career plans.
#[async_trait]
pub trait GrowthStore: crate::work::store::WorkStore + Send + Sync {
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
        audit: Option<&crate::audit::AuditEntry>,
    ) -> CoreResult<()>;
    async fn mark_career_plan_reviewed(
        &self,
        person: PersonId,
        on: chrono::NaiveDate,
        by: PersonId,
        at: i64,
        audit: Option<&crate::audit::AuditEntry>,
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
        audit: Option<&crate::audit::AuditEntry>,
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
    /// Starts a unit of work on placements: writes that commit together, or not at all.
    async fn begin_placement_write(&self) -> CoreResult<Box<dyn PlacementWrite + '_>>;
    /// Moves a pending placement on (creating `commitment` and filling the opportunity
    /// when it is approved), in one transaction; a conflict when it no longer stands as
    /// `change.from`.
    async fn change_placement(
        &self,
        id: PlacementId,
        change: &PlacementChange,
        commitment: Option<&NewCommitment>,
        audit: Option<&crate::audit::AuditEntry>,
    ) -> CoreResult<()>;

    async fn mentee_goals(&self, person: PersonId) -> CoreResult<Option<MenteeGoals>>;
    async fn save_mentee_goals(
        &self,
        person: PersonId,
        goals: &MenteeGoals,
        at: i64,
    ) -> CoreResult<()>;
    async fn delete_mentee_goals(&self, person: PersonId) -> CoreResult<()>;
    async fn mentor_profile(&self, person: PersonId) -> CoreResult<Option<MentorProfile>>;
    async fn save_mentor_profile(
        &self,
        person: PersonId,
        profile: &MentorProfile,
        at: i64,
    ) -> CoreResult<()>;
    async fn delete_mentor_profile(&self, person: PersonId) -> CoreResult<()>;
    /// Everyone taking part in a round on `today`: active mentees with goals and no running
    /// mentorship, and active mentors with places left.
    async fn mentoring_pool(
        &self,
        today: chrono::NaiveDate,
    ) -> CoreResult<(Vec<MenteeEntry>, Vec<MentorEntry>)>;
    /// Every active person with a manager, as (person, manager).
    async fn manager_links(&self) -> CoreResult<Vec<(PersonId, PersonId)>>;
    /// Writes a draft round and its lines in one transaction.
    async fn create_mentoring_round(
        &self,
        round: &NewRound,
        pairs: &[NewRoundPair],
        audit: Option<&crate::audit::AuditEntry>,
    ) -> CoreResult<RoundId>;
    /// Newest first.
    async fn mentoring_rounds(&self) -> CoreResult<Vec<Round>>;
    async fn mentoring_round(&self, id: RoundId) -> CoreResult<Option<Round>>;
    async fn round_pairs(&self, id: RoundId) -> CoreResult<Vec<RoundPair>>;
    /// Leaves the mentee of a draft round unmatched, with this explanation.
    async fn remove_round_pair(
        &self,
        id: RoundId,
        mentee: PersonId,
        explanation: &str,
        audit: Option<&crate::audit::AuditEntry>,
    ) -> CoreResult<()>;
    /// Starts a unit of work on mentoring rounds: writes that commit together, or not at all.
    async fn begin_round_write(&self) -> CoreResult<Box<dyn RoundWrite + '_>>;
    /// As mentee or mentor, running and ended, newest first.
    async fn mentorships_of(&self, person: PersonId) -> CoreResult<Vec<Mentorship>>;
    async fn mentorship(&self, id: MentorshipId) -> CoreResult<Option<Mentorship>>;
    /// Marks a mentorship ended on `on`; `false` when it was already ended.
    async fn end_mentorship(
        &self,
        id: MentorshipId,
        on: NaiveDate,
        by: PersonId,
        note: &str,
        audit: Option<&crate::audit::AuditEntry>,
    ) -> CoreResult<bool>;

    /// Every skill name Trellis knows — people's, opportunities' and the pool's — sorted.
    async fn skill_names(&self) -> CoreResult<Vec<String>>;
    /// The talent pool, by name.
    async fn talent_pool(&self) -> CoreResult<Vec<Talent>>;
    /// Adds these people to the pool in one transaction.
    async fn add_talent(&self, talents: &[NewTalent]) -> CoreResult<Vec<TalentId>>;
    /// `false` when there was no such talent.
    async fn remove_talent(&self, id: TalentId) -> CoreResult<bool>;
    /// Skills of these people.
    async fn skills_of(
        &self,
        people: &[PersonId],
    ) -> CoreResult<std::collections::HashMap<PersonId, Vec<crate::org::SkillLevel>>>;
    /// Drops the person's wishes to move this commitment off their plate (it moved).
    async fn resolve_off_wishes(
        &self,
        commitment: CommitmentId,
        person: PersonId,
    ) -> CoreResult<()>;
}
