//! What the review services need from a database. Part of [`crate::Store`].

use super::{Answer, BoxInput, Cycle, CycleId, CycleState, Question, Review, ReviewId, Scope};
use crate::error::CoreResult;
use crate::ids::{CommitmentId, PersonId};
use async_trait::async_trait;
use chrono::NaiveDate;

/// A cycle as the store writes it.
#[derive(Debug, Clone)]
pub struct NewCycle {
    pub name: String,
    pub scope: Scope,
    pub questions: Vec<Question>,
    pub self_review_due: Option<NaiveDate>,
    pub manager_review_due: NaiveDate,
    pub share_on: NaiveDate,
    pub calibration: super::CalibrationSettings,
    pub feedback: super::FeedbackSettings,
    pub opens: super::StepOpenings,
    pub created_by: PersonId,
    pub created_at: i64,
}

/// A review a launch writes.
#[derive(Debug, Clone)]
pub struct NewReview {
    pub reviewee: PersonId,
    pub manager: Option<PersonId>,
    pub team: Option<String>,
    pub level: Option<String>,
}

/// Someone a cycle's scope reviews, with their manager and team now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InScope {
    pub person: PersonId,
    pub manager: Option<PersonId>,
    pub team: Option<String>,
    pub level: Option<String>,
}

/// A cycle's reviews counted per manager and team (its progress page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionGroup {
    /// The manager's name; none for reviews without a manager.
    pub manager: Option<String>,
    pub team: Option<String>,
    pub total: usize,
    pub self_done: usize,
    pub manager_done: usize,
}

/// A unit of work on reviews (one transaction). Follow-through items are commitments, and
/// sharing puts them in the pair's 1:1s, in the same transaction.
#[async_trait]
pub trait ReviewWrite:
    crate::conversations::store::ConversationWrite + crate::assessments::store::AssessmentWrite
{
    async fn create_cycle(&mut self, new: &NewCycle) -> CoreResult<CycleId>;
    /// Replaces a draft's details; `false` when it is no longer a draft.
    async fn update_cycle(&mut self, id: CycleId, new: &NewCycle) -> CoreResult<bool>;
    /// `false` when the cycle was not in `from` (someone else moved it first).
    async fn set_cycle_state(
        &mut self,
        id: CycleId,
        from: CycleState,
        to: CycleState,
        at: i64,
    ) -> CoreResult<bool>;
    /// Writes a launch's reviews; each reviewee with their review.
    async fn create_reviews(
        &mut self,
        cycle: CycleId,
        reviews: &[NewReview],
    ) -> CoreResult<Vec<(PersonId, ReviewId)>>;
    /// Saves the self review's answers; `submitted` marks it done.
    async fn save_self_review(
        &mut self,
        id: ReviewId,
        answers: &[Answer],
        submitted: Option<i64>,
    ) -> CoreResult<()>;
    async fn save_manager_review(
        &mut self,
        id: ReviewId,
        answers: &[Answer],
        submitted: Option<i64>,
    ) -> CoreResult<()>;
    /// Links a commitment of the manager's to a review's growth question; private to the
    /// reviewee's context.
    async fn add_follow_through(
        &mut self,
        review: ReviewId,
        growth_question: usize,
        commitment: CommitmentId,
        about: PersonId,
    ) -> CoreResult<()>;
    /// At sharing: each follow-through item of the cycle becomes private to its reviewee's
    /// context (until then, to its manager's, so the reviewee cannot come across it).
    async fn reveal_follow_through(&mut self, cycle: CycleId) -> CoreResult<()>;
    /// Records a deadline reminder as sent; `false` when it already was.
    async fn mark_review_reminded(
        &mut self,
        id: ReviewId,
        step: &str,
        kind: &str,
        at: i64,
    ) -> CoreResult<bool>;
    /// Records a calibration change of a manager rating (the answers are saved apart).
    async fn record_rating_change(
        &mut self,
        review: ReviewId,
        change: &super::RatingChange,
        by: PersonId,
    ) -> CoreResult<()>;
    /// Records a move on the 9-box.
    async fn record_box_move(
        &mut self,
        review: ReviewId,
        moved: &super::BoxMove,
        by: PersonId,
    ) -> CoreResult<()>;
    /// Changes a running cycle's opening days (an admin opening a step early); the
    /// feedback step's 360s take the new day too.
    async fn set_cycle_openings(
        &mut self,
        id: CycleId,
        opens: &super::StepOpenings,
    ) -> CoreResult<()>;
    /// Moves the deadline of the peer and upward reviews about one reviewee; their
    /// reminders may come again.
    async fn extend_feedback(&mut self, id: ReviewId, until: NaiveDate) -> CoreResult<()>;
    /// Moves one person's deadline of a step (`self` or `manager`).
    async fn extend_review(&mut self, id: ReviewId, step: &str, until: NaiveDate)
    -> CoreResult<()>;
}

/// Storage of review cycles and reviews. Reviews sit above conversations: their
/// follow-through comes back in 1:1s.
#[async_trait]
pub trait ReviewStore:
    crate::conversations::store::ConversationStore
    + crate::assessments::store::AssessmentStore
    + Send
    + Sync
{
    async fn begin_review_write(&self) -> CoreResult<Box<dyn ReviewWrite + '_>>;
    /// Newest first.
    async fn cycles(&self) -> CoreResult<Vec<Cycle>>;
    async fn cycle(&self, id: CycleId) -> CoreResult<Option<Cycle>>;
    async fn review(&self, id: ReviewId) -> CoreResult<Option<Review>>;
    /// Every review of a cycle, by reviewee name.
    async fn reviews_of_cycle(&self, cycle: CycleId) -> CoreResult<Vec<Review>>;
    /// What the 9-box needs of each review of a cycle that has a place: the reviewee, the
    /// manager's answers and the latest calibration move. Reviews with neither are left out.
    async fn box_inputs(&self, cycle: CycleId) -> CoreResult<Vec<BoxInput>>;
    /// Every review of a cycle without answers, follow-through or calibration: who, whose
    /// manager, which team and level, what is handed in.
    async fn review_statuses(&self, cycle: CycleId) -> CoreResult<Vec<Review>>;
    /// The cycle's reviews counted per manager and team.
    async fn completion_groups(&self, cycle: CycleId) -> CoreResult<Vec<CompletionGroup>>;
    /// Reviews of a cycle by id, whole.
    async fn reviews_among(&self, cycle: CycleId, ids: &[ReviewId]) -> CoreResult<Vec<Review>>;
    /// A person's reviews as reviewee and as manager, newest cycle first.
    async fn reviews_involving(&self, person: PersonId) -> CoreResult<Vec<Review>>;
    /// The feedback step's raters counted (see [`super::feedback::FeedbackProgress`]).
    async fn feedback_progress(
        &self,
        cycle: CycleId,
    ) -> CoreResult<super::feedback::FeedbackProgress>;
    /// The active people a scope covers now.
    async fn people_in_scope(&self, scope: &Scope) -> CoreResult<Vec<InScope>>;
}
