//! Work (manage): objectives with key results and check-ins, commitments with their
//! history, team priorities, capacity and absences, and the metrics of PRODUCT.md —
//! delivery reliability and workload.

pub mod commitments;
pub mod demo;
pub mod metrics;
pub mod objectives;
pub mod plate;
mod priorities;
pub mod reports;
pub mod store;
pub mod team_view;

use crate::ids::{AbsenceId, CommitmentId, KeyResultId, ObjectiveId, PersonId, PersonName, TeamId};
use chrono::NaiveDate;
use metrics::{Measure, ObjectiveStatus};
use serde::{Deserialize, Serialize};

/// Where a commitment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommitmentStatus {
    Open,
    Done,
    Cancelled,
}

impl CommitmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommitmentStatus::Open => "open",
            CommitmentStatus::Done => "done",
            CommitmentStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "open" => Some(CommitmentStatus::Open),
            "done" => Some(CommitmentStatus::Done),
            "cancelled" => Some(CommitmentStatus::Cancelled),
            _ => None,
        }
    }
}

/// A piece of work someone agreed to deliver by a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commitment {
    pub id: CommitmentId,
    pub title: String,
    pub description: String,
    pub owner: PersonName,
    pub requester: Option<PersonName>,
    pub objective: Option<(ObjectiveId, String)>,
    /// The due date now.
    pub due_date: NaiveDate,
    /// The date that counts for delivery reliability (see [`metrics::agreed_due_date`]).
    pub agreed_due_date: NaiveDate,
    pub effort_hours: f64,
    pub remaining_hours: f64,
    /// Normalised skill names.
    pub skills: Vec<String>,
    /// Position in team priorities: lower comes first.
    pub priority: i64,
    pub status: CommitmentStatus,
    pub created_at: i64,
    pub created_on: NaiveDate,
    pub completed_at: Option<i64>,
    /// The owner's local date of completion.
    pub completed_on: Option<NaiveDate>,
    /// Work that belongs to a private context about this person (support promised in their
    /// career plan; 1:1 action items and review follow-through to come): visible only to
    /// the owner, this person, both manager chains and admins — never to teammates.
    pub private_about: Option<PersonId>,
    /// Whose delivery record the commitment counts in (see
    /// [`metrics::accountable_after_reassign`]).
    pub accountable: PersonId,
    /// Cancelled by its owner alone after the agreed date: counts as not delivered.
    pub cancel_counts: bool,
}

impl Commitment {
    /// Open past its *agreed* due date as of `today` (moving the date after it passed does
    /// not make work less overdue).
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == CommitmentStatus::Open && self.agreed_due_date < today
    }

    /// Its date was moved after the agreed date had passed: late, whatever the date says.
    pub fn moved_after_missed(&self) -> bool {
        self.due_date != self.agreed_due_date
    }
}

/// A new commitment as the store writes it.
#[derive(Debug, Clone)]
pub struct NewCommitment {
    pub title: String,
    pub description: String,
    pub owner: PersonId,
    pub requester: Option<PersonId>,
    pub objective: Option<ObjectiveId>,
    pub due_date: NaiveDate,
    pub effort_hours: f64,
    pub skills: Vec<String>,
    pub created_at: i64,
    pub created_on: NaiveDate,
}

/// Which field a recorded change touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeField {
    DueDate,
    Owner,
    Status,
    /// Title, description, effort, skills or objective; `after` lists which.
    Details,
}

impl ChangeField {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeField::DueDate => "due_date",
            ChangeField::Owner => "owner",
            ChangeField::Status => "status",
            ChangeField::Details => "details",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "due_date" => Some(ChangeField::DueDate),
            "owner" => Some(ChangeField::Owner),
            "status" => Some(ChangeField::Status),
            "details" => Some(ChangeField::Details),
            _ => None,
        }
    }
}

/// One line of a commitment's history: who changed what, when, from what to what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentChange {
    pub at: i64,
    pub actor: Option<PersonName>,
    pub field: ChangeField,
    /// For owners the person's id; for due dates an ISO date; for status its name.
    pub before: Option<String>,
    pub after: Option<String>,
    pub note: String,
    /// For due-date changes: made on or before the date then in force (a renegotiation),
    /// or after it had passed (which does not rescue the commitment).
    pub in_time: Option<bool>,
}

/// A change to record with a commitment update.
#[derive(Debug, Clone)]
pub struct NewChange {
    pub at: i64,
    pub actor: PersonId,
    pub field: ChangeField,
    pub before: Option<String>,
    pub after: Option<String>,
    pub note: String,
    pub in_time: Option<bool>,
}

/// A comment on a commitment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comment {
    pub at: i64,
    pub author: PersonName,
    pub body: String,
}

/// Company, team or personal objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ScopeParam))]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Company,
    Team,
    Person,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Company => "company",
            Scope::Team => "team",
            Scope::Person => "person",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "company" => Some(Scope::Company),
            "team" => Some(Scope::Team),
            "person" => Some(Scope::Person),
            _ => None,
        }
    }

    /// Company above team above person: an objective aligns to one of a wider scope or the same.
    pub fn rank(self) -> u8 {
        match self {
            Scope::Company => 0,
            Scope::Team => 1,
            Scope::Person => 2,
        }
    }
}

/// How sure the owner is at a check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ConfidenceParam))]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    OnTrack,
    Unsure,
    OffTrack,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::OnTrack => "on_track",
            Confidence::Unsure => "unsure",
            Confidence::OffTrack => "off_track",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Confidence::OnTrack => "on track",
            Confidence::Unsure => "unsure",
            Confidence::OffTrack => "off track",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "on_track" => Some(Confidence::OnTrack),
            "unsure" => Some(Confidence::Unsure),
            "off_track" => Some(Confidence::OffTrack),
            _ => None,
        }
    }
}

/// A key result with its latest check-in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KeyResult {
    pub id: KeyResultId,
    pub objective_id: ObjectiveId,
    pub title: String,
    pub measure: Measure,
    pub last_check_in_at: Option<i64>,
    pub last_confidence: Option<Confidence>,
}

/// An objective with its key results (progress and status are derived, see [`ObjectiveView`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Objective {
    pub id: ObjectiveId,
    pub title: String,
    pub description: String,
    pub scope: Scope,
    pub team: Option<(TeamId, String)>,
    pub owner: PersonName,
    pub parent: Option<(ObjectiveId, String)>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub closed: bool,
    pub key_results: Vec<KeyResult>,
}

/// An objective with its derived figures, as pages and the API show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ObjectiveView {
    #[serde(flatten)]
    pub objective: Objective,
    /// 0–1; `None` without key results.
    pub progress: Option<f64>,
    /// 0–1, linear over the period.
    pub expected: f64,
    /// Expected minus actual, in percentage points.
    pub gap_points: Option<f64>,
    pub status: Option<ObjectiveStatus>,
    /// The owner has not checked in for a week while the period runs.
    pub check_in_due: bool,
}

/// A new objective as the store writes it.
#[derive(Debug, Clone)]
pub struct NewObjective {
    pub title: String,
    pub description: String,
    pub scope: Scope,
    pub team: Option<TeamId>,
    pub owner: PersonId,
    pub parent: Option<ObjectiveId>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub created_at: i64,
}

/// A new key result.
#[derive(Debug, Clone)]
pub struct NewKeyResult {
    pub title: String,
    pub measure: Measure,
}

/// A weekly check-in on a key result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckIn {
    pub key_result_id: KeyResultId,
    pub author: PersonName,
    pub at: i64,
    pub value: Option<f64>,
    pub done: bool,
    pub confidence: Confidence,
    pub note: String,
}

/// A check-in as the store writes it (it also moves the key result's current value).
#[derive(Debug, Clone)]
pub struct NewCheckIn {
    pub key_result_id: KeyResultId,
    pub author: PersonId,
    pub at: i64,
    pub value: Option<f64>,
    pub done: bool,
    pub confidence: Confidence,
    pub note: String,
}

/// Days off, both ends included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Absence {
    pub id: AbsenceId,
    pub person_id: PersonId,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub note: String,
}

/// Joins skill names for display.
pub fn skills_text(skills: &[String]) -> String {
    skills.join(", ")
}
