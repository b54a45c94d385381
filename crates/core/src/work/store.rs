//! What the work services need from a database. Part of [`crate::Store`].

use super::metrics::{DeliveryCounts, DeliveryRecord, Window};
use super::{
    Absence, CheckIn, Comment, Commitment, CommitmentChange, CommitmentStatus, KeyResult,
    NewChange, NewCheckIn, NewCommitment, NewKeyResult, NewObjective, Objective, Scope,
};
use crate::error::CoreResult;
use crate::ids::PersonName;
use crate::ids::{AbsenceId, CommitmentId, KeyResultId, ObjectiveId, PersonId};
use async_trait::async_trait;
use chrono::NaiveDate;

/// An active person in a manager's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeMember {
    pub id: PersonId,
    pub name: String,
    pub title: Option<String>,
    pub manager_id: Option<PersonId>,
    pub time_zone: Option<String>,
    /// 0 for the manager at the top, 1 for direct reports, and so on.
    pub depth: u32,
}

/// How to order a list of open commitments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommitmentOrder {
    /// Team priorities: lowest priority number first.
    Priority,
    /// A plate: earliest due date first.
    DueDate,
}

/// Which objectives to list.
#[derive(Debug, Clone, Default)]
pub struct ObjectiveFilter {
    /// Only objectives whose period includes this day.
    pub active_on: Option<NaiveDate>,
    pub owners: Option<Vec<PersonId>>,
    pub scope: Option<Scope>,
    /// Only objectives aligned directly to this one.
    pub parent: Option<ObjectiveId>,
    pub include_closed: bool,
}

/// A commitment with every column, for bulk loading (the demo).
#[derive(Debug, Clone)]
pub struct CommitmentRow {
    pub id: CommitmentId,
    pub new: NewCommitment,
    pub due_date: NaiveDate,
    pub agreed_due_date: NaiveDate,
    pub remaining_hours: f64,
    pub priority: i64,
    pub status: CommitmentStatus,
    pub completed_at: Option<i64>,
    pub completed_on: Option<NaiveDate>,
}

/// Work written in one go: objectives, key results, check-ins, commitments with their
/// history, absences and capacities, with ids chosen by the caller (an empty database).
#[derive(Debug, Clone, Default)]
pub struct WorkBatch {
    pub objectives: Vec<(ObjectiveId, NewObjective)>,
    pub key_results: Vec<(KeyResultId, ObjectiveId, NewKeyResult)>,
    pub check_ins: Vec<NewCheckIn>,
    pub commitments: Vec<CommitmentRow>,
    pub changes: Vec<(CommitmentId, NewChange)>,
    pub absences: Vec<(PersonId, NaiveDate, NaiveDate, String)>,
    pub capacities: Vec<(PersonId, f64)>,
}

/// A unit of work on commitments (one transaction; dropped without committing, nothing is
/// written).
#[async_trait]
pub trait WorkWrite: crate::unit_of_work::UnitOfWork {
    /// Writes a commitment with the next priority.
    async fn create_commitment(&mut self, new: &NewCommitment) -> CoreResult<CommitmentId>;
    /// Saves a commitment's fields and its new history lines; not found when it is gone.
    async fn update_commitment(&mut self, c: &Commitment, changes: &[NewChange]) -> CoreResult<()>;
}

/// Commitments: plates, priorities, their history and comments.
#[async_trait]
pub trait CommitmentStore: Send + Sync {
    /// Active people in a manager's tree, the manager first, then by depth and name.
    async fn tree_members(&self, manager: PersonId) -> CoreResult<Vec<TreeMember>>;

    /// Writes a commitment with the next priority (it joins the end of every list).
    async fn create_commitment(&self, new: &NewCommitment) -> CoreResult<CommitmentId>;
    async fn commitment(&self, id: CommitmentId) -> CoreResult<Option<Commitment>>;
    async fn commitment_changes(&self, id: CommitmentId) -> CoreResult<Vec<CommitmentChange>>;
    async fn commitment_comments(&self, id: CommitmentId) -> CoreResult<Vec<Comment>>;
    async fn add_comment(
        &self,
        id: CommitmentId,
        author: PersonId,
        at: i64,
        body: &str,
    ) -> CoreResult<()>;
    /// Open commitments of these owners (due on or before `due_until` when given), at
    /// most `limit`.
    async fn open_commitments(
        &self,
        owners: &[PersonId],
        order: CommitmentOrder,
        due_until: Option<NaiveDate>,
        limit: i64,
    ) -> CoreResult<Vec<Commitment>>;
    /// Open commitments past their agreed date, counted per owner (owners with none are
    /// left out).
    async fn overdue_by_owner(
        &self,
        owners: &[PersonId],
        today: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, i64)>>;
    /// Every active person by name (whole-organisation reports).
    async fn active_people(&self) -> CoreResult<Vec<PersonName>>;
    /// Recent done or cancelled commitments of one owner, newest first.
    async fn closed_commitments(&self, owner: PersonId, limit: i64) -> CoreResult<Vec<Commitment>>;
    /// Sets priorities in one transaction.
    async fn set_priorities(&self, order: &[(CommitmentId, i64)]) -> CoreResult<()>;
}

/// Delivery and remaining effort, counted by the database.
#[async_trait]
pub trait DeliveryStore: Send + Sync {
    /// Delivery counts per owner as [`super::metrics::delivery`] defines them, counted by
    /// the database (`None`: every owner). Owners with nothing due are left out.
    async fn delivery_by_owner(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, DeliveryCounts)>>;
    /// The same counts per owner and calendar month (`YYYY-MM`) of the agreed due date, in
    /// one pass: the team view sums them both ways.
    async fn delivery_by_owner_and_month(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, String, DeliveryCounts)>>;
    /// The same counts summed over the owners per calendar month (dashboards' trends).
    async fn delivery_by_month(
        &self,
        owners: Option<&[PersonId]>,
        window: Window,
        today: NaiveDate,
    ) -> CoreResult<Vec<(String, DeliveryCounts)>>;
    /// Every commitment of one owner as delivery sees it (for checks and exports).
    async fn delivery_records(&self, owner: PersonId) -> CoreResult<Vec<DeliveryRecord>>;
    /// Remaining hours of open commitments due on or before `due_until`, per owner.
    async fn remaining_effort(
        &self,
        owners: Option<&[PersonId]>,
        due_until: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, f64)>>;
    /// Moves the kept trailing windows the counts above start from: the delivery windows
    /// to end on `last`, the open effort to cover work due up to `effort_until`. The counts
    /// are exact wherever the windows stand; this only keeps them cheap. Whether anything
    /// moved.
    async fn roll_trailing_windows(
        &self,
        last: NaiveDate,
        effort_until: NaiveDate,
    ) -> CoreResult<bool>;
}

/// Capacity and absences.
#[async_trait]
pub trait CapacityStore: Send + Sync {
    /// Weekly hours of people whose capacity differs from the organisation default.
    async fn capacities(&self, owners: Option<&[PersonId]>) -> CoreResult<Vec<(PersonId, f64)>>;
    /// `None` returns the person to the organisation default.
    async fn set_capacity(&self, person: PersonId, hours_per_week: Option<f64>) -> CoreResult<()>;
    /// Absences that overlap `first..=last`.
    async fn absences_between(
        &self,
        owners: Option<&[PersonId]>,
        first: NaiveDate,
        last: NaiveDate,
    ) -> CoreResult<Vec<Absence>>;
    /// A person's absences ending on or after `since`, by first day.
    async fn absences_of(&self, person: PersonId, since: NaiveDate) -> CoreResult<Vec<Absence>>;
    async fn absence(&self, id: AbsenceId) -> CoreResult<Option<Absence>>;
    async fn add_absence(
        &self,
        person: PersonId,
        first: NaiveDate,
        last: NaiveDate,
        note: &str,
    ) -> CoreResult<AbsenceId>;
    async fn delete_absence(&self, id: AbsenceId) -> CoreResult<()>;
}

/// Objectives, key results and check-ins.
#[async_trait]
pub trait ObjectiveStore: Send + Sync {
    async fn create_objective(&self, new: &NewObjective) -> CoreResult<ObjectiveId>;
    async fn objective(&self, id: ObjectiveId) -> CoreResult<Option<Objective>>;
    async fn objectives(&self, filter: &ObjectiveFilter) -> CoreResult<Vec<Objective>>;
    async fn set_objective_parent(
        &self,
        id: ObjectiveId,
        parent: Option<ObjectiveId>,
    ) -> CoreResult<()>;
    async fn set_objective_closed(&self, id: ObjectiveId, closed: bool) -> CoreResult<()>;
    async fn add_key_result(
        &self,
        objective: ObjectiveId,
        kr: &NewKeyResult,
    ) -> CoreResult<KeyResultId>;
    async fn key_result(&self, id: KeyResultId) -> CoreResult<Option<KeyResult>>;
    /// Records a check-in and moves the key result to its value, in one transaction.
    async fn record_check_in(&self, check_in: &NewCheckIn) -> CoreResult<()>;
    /// Check-ins on an objective's key results, newest first.
    async fn check_ins(&self, objective: ObjectiveId, limit: i64) -> CoreResult<Vec<CheckIn>>;
}

/// Storage of objectives, commitments, capacity and absences.
#[async_trait]
pub trait WorkStore:
    CommitmentStore
    + DeliveryStore
    + CapacityStore
    + ObjectiveStore
    + crate::org::store::OrgStore
    + crate::settings::SettingsStore
    + Send
    + Sync
{
    /// Starts a unit of work on commitments: writes that commit together, or not at all.
    async fn begin_work_write(&self) -> CoreResult<Box<dyn WorkWrite + '_>>;

    /// Writes a whole batch in one transaction (the demo organisation).
    async fn insert_work(&self, batch: &WorkBatch) -> CoreResult<()>;
}
