//! Objectives, commitments, capacity and delivery: `WorkStore` for `SqlStore`.

use crate::*;
use async_trait::async_trait;
use trellis_core::error::CoreResult;

#[async_trait]
impl trellis_core::work::store::WorkStore for SqlStore {
    async fn tree_members(
        &self,
        manager: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::work::store::TreeMember>> {
        work::tree_members(self, manager).await
    }
    async fn create_commitment(
        &self,
        new: &trellis_core::work::NewCommitment,
    ) -> CoreResult<trellis_core::ids::CommitmentId> {
        work::create_commitment(self, new).await
    }
    async fn commitment(
        &self,
        id: trellis_core::ids::CommitmentId,
    ) -> CoreResult<Option<trellis_core::work::Commitment>> {
        work::commitment(self, id).await
    }
    async fn commitment_changes(
        &self,
        id: trellis_core::ids::CommitmentId,
    ) -> CoreResult<Vec<trellis_core::work::CommitmentChange>> {
        work::commitment_changes(self, id).await
    }
    async fn commitment_comments(
        &self,
        id: trellis_core::ids::CommitmentId,
    ) -> CoreResult<Vec<trellis_core::work::Comment>> {
        work::commitment_comments(self, id).await
    }
    async fn begin_work_write(
        &self,
    ) -> CoreResult<Box<dyn trellis_core::work::store::WorkWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
    async fn add_comment(
        &self,
        id: trellis_core::ids::CommitmentId,
        author: trellis_core::PersonId,
        at: i64,
        body: &str,
    ) -> CoreResult<()> {
        work::add_comment(self, id, author, at, body).await
    }
    async fn open_commitments(
        &self,
        owners: &[trellis_core::PersonId],
        order: trellis_core::work::store::CommitmentOrder,
        due_until: Option<chrono::NaiveDate>,
        limit: i64,
    ) -> CoreResult<Vec<trellis_core::work::Commitment>> {
        work::open_commitments(self, owners, order, due_until, limit).await
    }
    async fn active_people(&self) -> CoreResult<Vec<trellis_core::ids::PersonName>> {
        work::active_people(self).await
    }
    async fn closed_commitments(
        &self,
        owner: trellis_core::PersonId,
        limit: i64,
    ) -> CoreResult<Vec<trellis_core::work::Commitment>> {
        work::closed_commitments(self, owner, limit).await
    }
    async fn set_priorities(
        &self,
        order: &[(trellis_core::ids::CommitmentId, i64)],
    ) -> CoreResult<()> {
        work::set_priorities(self, order).await
    }
    async fn delivery_by_owner(
        &self,
        owners: Option<&[trellis_core::PersonId]>,
        window: trellis_core::work::metrics::Window,
        today: chrono::NaiveDate,
    ) -> CoreResult<
        Vec<(
            trellis_core::PersonId,
            trellis_core::work::metrics::DeliveryCounts,
        )>,
    > {
        work::delivery_by_owner(self, owners, window, today).await
    }
    async fn delivery_by_owner_and_month(
        &self,
        owners: Option<&[trellis_core::PersonId]>,
        window: trellis_core::work::metrics::Window,
        today: chrono::NaiveDate,
    ) -> CoreResult<
        Vec<(
            trellis_core::PersonId,
            String,
            trellis_core::work::metrics::DeliveryCounts,
        )>,
    > {
        work::delivery_by_owner_and_month(self, owners, window, today).await
    }
    async fn delivery_records(
        &self,
        owner: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::work::metrics::DeliveryRecord>> {
        work::delivery_records(self, owner).await
    }
    async fn remaining_effort(
        &self,
        owners: Option<&[trellis_core::PersonId]>,
        due_until: chrono::NaiveDate,
    ) -> CoreResult<Vec<(trellis_core::PersonId, f64)>> {
        work::remaining_effort(self, owners, due_until).await
    }
    async fn capacities(
        &self,
        owners: Option<&[trellis_core::PersonId]>,
    ) -> CoreResult<Vec<(trellis_core::PersonId, f64)>> {
        work::capacities(self, owners).await
    }
    async fn set_capacity(
        &self,
        person: trellis_core::PersonId,
        hours_per_week: Option<f64>,
    ) -> CoreResult<()> {
        work::set_capacity(self, person, hours_per_week).await
    }
    async fn absences_between(
        &self,
        owners: Option<&[trellis_core::PersonId]>,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
    ) -> CoreResult<Vec<trellis_core::work::Absence>> {
        work::absences_between(self, owners, first, last).await
    }
    async fn absences_of(
        &self,
        person: trellis_core::PersonId,
        since: chrono::NaiveDate,
    ) -> CoreResult<Vec<trellis_core::work::Absence>> {
        work::absences_of(self, person, since).await
    }
    async fn absence(
        &self,
        id: trellis_core::ids::AbsenceId,
    ) -> CoreResult<Option<trellis_core::work::Absence>> {
        work::absence_by_id(self, id).await
    }
    async fn add_absence(
        &self,
        person: trellis_core::PersonId,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
        note: &str,
    ) -> CoreResult<trellis_core::ids::AbsenceId> {
        work::add_absence(self, person, first, last, note).await
    }
    async fn delete_absence(&self, id: trellis_core::ids::AbsenceId) -> CoreResult<()> {
        work::delete_absence(self, id).await
    }
    async fn create_objective(
        &self,
        new: &trellis_core::work::NewObjective,
    ) -> CoreResult<trellis_core::ids::ObjectiveId> {
        work::create_objective(self, new).await
    }
    async fn objective(
        &self,
        id: trellis_core::ids::ObjectiveId,
    ) -> CoreResult<Option<trellis_core::work::Objective>> {
        work::objective(self, id).await
    }
    async fn objectives(
        &self,
        filter: &trellis_core::work::store::ObjectiveFilter,
    ) -> CoreResult<Vec<trellis_core::work::Objective>> {
        work::objectives(self, filter).await
    }
    async fn set_objective_parent(
        &self,
        id: trellis_core::ids::ObjectiveId,
        parent: Option<trellis_core::ids::ObjectiveId>,
    ) -> CoreResult<()> {
        work::set_objective_parent(self, id, parent).await
    }
    async fn set_objective_closed(
        &self,
        id: trellis_core::ids::ObjectiveId,
        closed: bool,
    ) -> CoreResult<()> {
        work::set_objective_closed(self, id, closed).await
    }
    async fn add_key_result(
        &self,
        objective: trellis_core::ids::ObjectiveId,
        kr: &trellis_core::work::NewKeyResult,
    ) -> CoreResult<trellis_core::ids::KeyResultId> {
        work::add_key_result(self, objective, kr).await
    }
    async fn key_result(
        &self,
        id: trellis_core::ids::KeyResultId,
    ) -> CoreResult<Option<trellis_core::work::KeyResult>> {
        work::key_result_by_id(self, id).await
    }
    async fn record_check_in(&self, check_in: &trellis_core::work::NewCheckIn) -> CoreResult<()> {
        work::record_check_in(self, check_in).await
    }
    async fn check_ins(
        &self,
        objective: trellis_core::ids::ObjectiveId,
        limit: i64,
    ) -> CoreResult<Vec<trellis_core::work::CheckIn>> {
        work::check_ins(self, objective, limit).await
    }
    async fn insert_work(&self, batch: &trellis_core::work::store::WorkBatch) -> CoreResult<()> {
        work::insert_work(self, batch).await
    }
}
