//! What 360 assessments need from a database. Part of [`crate::Store`].

use super::{Assessment, AssessmentId, Behaviour, RaterGroup};
use crate::anonymity::AnswerSet;
use crate::error::CoreResult;
use crate::ids::PersonId;
use async_trait::async_trait;
use chrono::NaiveDate;

/// An assessment as the store writes it, with its raters.
#[derive(Debug, Clone)]
pub struct NewAssessment {
    pub subject: PersonId,
    pub behaviours: Vec<Behaviour>,
    pub k: u32,
    pub due_on: NaiveDate,
    /// None for the operator (the command line).
    pub created_by: Option<PersonId>,
    pub created_at: i64,
    pub raters: Vec<(PersonId, RaterGroup)>,
    /// Set for a review cycle's peer or upward reviews.
    pub in_cycle: Option<super::InCycle>,
}

/// One answer as stored: its group and pseudonym, and its author only when named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAnswer {
    pub group: RaterGroup,
    pub pseudonym: u64,
    pub rater: Option<PersonId>,
    pub ratings: Vec<Option<u8>>,
    pub management_comment: String,
    pub leadership_comment: String,
}

/// A unit of work on assessments (one transaction).
#[async_trait]
pub trait AssessmentWrite: crate::unit_of_work::UnitOfWork {
    async fn create_assessment(&mut self, new: &NewAssessment) -> CoreResult<AssessmentId>;
    /// Writes a review cycle's peer and upward reviews at once (each has `in_cycle`).
    async fn create_cycle_feedback(&mut self, new: &[NewAssessment]) -> CoreResult<()>;
    /// Writes or replaces the answer with this pseudonym.
    async fn save_answer(&mut self, id: AssessmentId, answer: &StoredAnswer) -> CoreResult<()>;
    async fn mark_answered(&mut self, id: AssessmentId, rater: PersonId) -> CoreResult<()>;
    /// Records a reminder to a rater as sent; `false` when it already was.
    async fn mark_rater_reminded(
        &mut self,
        id: AssessmentId,
        rater: PersonId,
        kind: &str,
        at: i64,
    ) -> CoreResult<bool>;
    async fn add_rater(
        &mut self,
        id: AssessmentId,
        rater: PersonId,
        group: RaterGroup,
        status: super::RaterStatus,
    ) -> CoreResult<()>;
    /// `false` when the rater was not in `from`.
    async fn set_rater_status(
        &mut self,
        id: AssessmentId,
        rater: PersonId,
        from: super::RaterStatus,
        to: super::RaterStatus,
    ) -> CoreResult<bool>;
    /// Takes a proposed rater out; `false` when they were not proposed.
    async fn remove_proposed_rater(
        &mut self,
        id: AssessmentId,
        rater: PersonId,
    ) -> CoreResult<bool>;
    /// `false` when it was shared already.
    async fn share_assessment(&mut self, id: AssessmentId, at: i64) -> CoreResult<bool>;
    /// Keeps the answer sets of the figures a shared report shows.
    async fn publish(
        &mut self,
        id: AssessmentId,
        subject: PersonId,
        figures: &[(String, AnswerSet)],
    ) -> CoreResult<()>;
}

/// Storage of 360 assessments. Above growth: a behaviour becomes a career plan's goal.
#[async_trait]
pub trait AssessmentStore: crate::growth::store::GrowthStore + Send + Sync {
    async fn begin_assessment_write(&self) -> CoreResult<Box<dyn AssessmentWrite + '_>>;
    async fn assessment(&self, id: AssessmentId) -> CoreResult<Option<Assessment>>;
    /// Where the person is the subject or a rater, newest first.
    async fn assessments_involving(&self, person: PersonId) -> CoreResult<Vec<Assessment>>;
    /// A review's peer and upward reviews.
    async fn assessments_of_review(
        &self,
        review: crate::ids::ReviewId,
    ) -> CoreResult<Vec<Assessment>>;
    /// Every peer and upward review of a cycle.
    async fn assessments_of_cycle(&self, cycle: crate::ids::CycleId)
    -> CoreResult<Vec<Assessment>>;
    /// Every shared 360, peer and upward reviews included, oldest first.
    async fn shared_assessments(&self) -> CoreResult<Vec<Assessment>>;
    /// Active people (in a team and the teams under it, or everyone) who are the subject
    /// of a shared 360 or upward reviews, with their job level.
    async fn assessed_subjects(
        &self,
        team: Option<crate::ids::TeamId>,
    ) -> CoreResult<Vec<(PersonId, Option<String>)>>;
    async fn answers(&self, id: AssessmentId) -> CoreResult<Vec<StoredAnswer>>;
    /// Answer sets published by the subject's assessments shared before this one.
    async fn published_before(
        &self,
        subject: PersonId,
        id: AssessmentId,
    ) -> CoreResult<Vec<AnswerSet>>;
}
