//! Review cycles that end in follow-through. An admin drafts a cycle — who is reviewed,
//! its questions, the deadlines of its steps (an optional self review, the manager review
//! and sharing, which cannot be left out) — and launches it: each reviewee gets a review
//! with the manager they have then. The manager's form always asks the three growth
//! questions (PRODUCT.md, capability D), which no admin can remove; each answer can carry
//! follow-through items, commitments of the manager's that are private to the pair and come
//! back in their 1:1s once the cycle is shared (not before: that would reveal the review)
//! until done. Sharing locks every review: the reviewee then reads their self review and
//! the manager review, except questions marked private to the manager chain.
//!
//! Who sees what: a review is its reviewee's (their self review always, the manager's once
//! shared), their manager chain's and people admins'; anyone else is told it does not
//! exist.

pub mod calibration;
pub mod checks;
pub mod cycles;
pub mod demo;
pub mod feedback;
pub mod forms;
pub mod reminders;
pub mod steps;
pub mod store;

use crate::ids::{CommitmentId, PersonName, TeamId};
pub use crate::ids::{CycleId, ReviewId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The three growth questions, asked on every manager form.
pub const GROWTH_QUESTIONS: [&str; 3] = [
    "What is the next step in their career, and how can I help them get there?",
    "What is one thing I can do to better support their growth?",
    "What opportunities can I give them this year to stretch and develop?",
];

/// Most questions a cycle asks besides the growth questions.
pub const MAX_QUESTIONS: usize = 20;
/// The longest answer, in characters.
pub const MAX_ANSWER: usize = 10_000;

/// Where a cycle stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CycleState {
    Draft,
    Launched,
    /// Manager reviews locked; calibrators adjust ratings and the 9-box.
    Calibration,
    /// Reviews locked; reviewees read them.
    Shared,
    Closed,
}

impl CycleState {
    pub fn as_str(self) -> &'static str {
        match self {
            CycleState::Draft => "draft",
            CycleState::Launched => "launched",
            CycleState::Calibration => "calibration",
            CycleState::Shared => "shared",
            CycleState::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<CycleState> {
        [
            CycleState::Draft,
            CycleState::Launched,
            CycleState::Calibration,
            CycleState::Shared,
            CycleState::Closed,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
    }
}

/// Who a cycle reviews.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Scope {
    /// Every active person.
    Everyone,
    /// Everyone in a team or department and the teams under it.
    Team {
        #[cfg_attr(feature = "openapi", schema(value_type = i64))]
        team_id: TeamId,
    },
    /// Named people.
    People {
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<i64>))]
        people: Vec<crate::ids::PersonId>,
    },
    /// Everyone active in a group (such as one an identity provider provisions), as it is
    /// when the cycle is launched.
    Group { group_id: i64 },
}

/// A question of the cycle's forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    pub text: String,
    /// A rating scale's labels, lowest first (2 to 7); none: a written answer.
    #[serde(default)]
    pub scale: Vec<String>,
    /// Asked in the self review.
    #[serde(default)]
    pub in_self_review: bool,
    /// Asked in the manager review.
    #[serde(default = "yes")]
    pub in_manager_review: bool,
    /// A manager assessment for the manager chain and admins: never shown to the reviewee.
    #[serde(default)]
    pub private: bool,
}

fn yes() -> bool {
    true
}

/// How a cycle calibrates: all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CalibrationSettings {
    /// The rating question (by its place) that places people by performance on the 9-box
    /// and whose distribution is compared with the guidance.
    #[serde(default)]
    pub performance_question: Option<usize>,
    /// The rating question that places people by potential.
    #[serde(default)]
    pub potential_question: Option<usize>,
    /// Distribution guidance: the share (percent) hoped for at each label of the
    /// performance question, lowest first; empty for none.
    #[serde(default)]
    pub guidance: Vec<u8>,
    /// Managers calibrate their own tree too (admins always calibrate).
    #[serde(default)]
    pub managers_calibrate: bool,
}

/// Peer reviews in a cycle: none, or named, or anonymous under the anonymity rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PeerReviews {
    #[default]
    Off,
    Named,
    Anonymous,
}

/// Who names a reviewee's peer reviewers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Nominator {
    /// The reviewee proposes, their manager chain asks (or not).
    #[default]
    Reviewee,
    /// The manager chain names them.
    Manager,
}

/// The cycle's feedback step: peer reviews and upward reviews (reports reviewing their
/// manager, always anonymous), each a 360 tied to the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FeedbackSettings {
    #[serde(default)]
    pub peers: PeerReviews,
    #[serde(default)]
    pub upward: bool,
    #[serde(default)]
    pub nominated_by: Nominator,
    /// Most peer reviewers per reviewee (1 to 12).
    #[serde(default = "default_max_peers")]
    pub max_peers: u8,
    /// The last day to name peer reviewers.
    #[serde(default)]
    pub nominations_due: Option<NaiveDate>,
    /// Peer and upward reviews are due.
    #[serde(default)]
    pub feedback_due: Option<NaiveDate>,
}

fn default_max_peers() -> u8 {
    5
}

impl Default for FeedbackSettings {
    fn default() -> Self {
        FeedbackSettings {
            peers: PeerReviews::Off,
            upward: false,
            nominated_by: Nominator::Reviewee,
            max_peers: default_max_peers(),
            nominations_due: None,
            feedback_due: None,
        }
    }
}

impl FeedbackSettings {
    pub fn on(&self) -> bool {
        self.peers != PeerReviews::Off || self.upward
    }
}

/// When each step with a form opens, and when calibration opens by itself; none: at launch
/// (calibration: when an admin opens it). An admin can open a step early.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepOpenings {
    #[serde(default)]
    pub self_review: Option<NaiveDate>,
    #[serde(default)]
    pub feedback: Option<NaiveDate>,
    #[serde(default)]
    pub manager_review: Option<NaiveDate>,
    #[serde(default)]
    pub calibration: Option<NaiveDate>,
}

impl StepOpenings {
    /// Whether a step that opens on `on` is open on `today`.
    pub fn is_open(on: Option<NaiveDate>, today: NaiveDate) -> bool {
        on.is_none_or(|d| d <= today)
    }
}

/// A cycle as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cycle {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: CycleId,
    pub name: String,
    pub state: CycleState,
    pub scope: Scope,
    pub questions: Vec<Question>,
    /// `None`: no self review step.
    pub self_review_due: Option<NaiveDate>,
    pub manager_review_due: NaiveDate,
    pub share_on: NaiveDate,
    pub calibration: CalibrationSettings,
    pub feedback: FeedbackSettings,
    pub opens: StepOpenings,
    pub created_at: i64,
    pub launched_at: Option<i64>,
    pub calibration_at: Option<i64>,
    pub shared_at: Option<i64>,
}

/// One answer: to a question by its place (growth questions are numbered after the
/// cycle's own), a rating on its scale (1 = its first label) and/or words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    pub question: usize,
    #[serde(default)]
    pub rating: Option<u8>,
    #[serde(default)]
    pub text: String,
}

/// A follow-through item on a growth answer: the manager's commitment to the reviewee.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowThrough {
    /// 0, 1 or 2: which growth question it answers.
    pub growth_question: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub commitment: CommitmentId,
    pub what: String,
    pub due_date: NaiveDate,
    pub open: bool,
}

/// What a review's 9-box place is made of (see `calibration::place`).
#[derive(Debug, Clone, PartialEq)]
pub struct BoxInput {
    pub reviewee: crate::ids::PersonId,
    pub manager_answers: Vec<Answer>,
    /// The latest calibration move: performance and potential.
    pub last_move: Option<(u8, u8)>,
}

/// One person's review in a cycle.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Review {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: ReviewId,
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub cycle: CycleId,
    pub reviewee: PersonName,
    /// Their manager when the cycle launched; none for someone at the top.
    pub manager: Option<PersonName>,
    /// The reviewee's team at launch (progress per department).
    pub team: Option<String>,
    /// Their job level at launch (calibration filters by it).
    pub level: Option<String>,
    pub self_answers: Vec<Answer>,
    pub self_submitted_at: Option<i64>,
    pub manager_answers: Vec<Answer>,
    pub manager_submitted_at: Option<i64>,
    pub follow_through: Vec<FollowThrough>,
    /// Extensions an admin granted this person.
    pub self_due_extended: Option<NaiveDate>,
    pub manager_due_extended: Option<NaiveDate>,
    /// Calibration's changes of manager ratings, oldest first (never shown to the reviewee).
    pub rating_changes: Vec<RatingChange>,
    /// Moves on the 9-box, oldest first (never shown to the reviewee).
    pub box_moves: Vec<BoxMove>,
}

/// A manager rating changed in calibration.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingChange {
    pub question: usize,
    pub from: Option<u8>,
    pub to: u8,
    pub reason: String,
    pub by: Option<PersonName>,
    pub at: i64,
}

/// A move on the 9-box: performance and potential, 0 (low) to 2 (high).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoxMove {
    pub performance: u8,
    pub potential: u8,
    pub reason: String,
    pub by: Option<PersonName>,
    pub at: i64,
}
