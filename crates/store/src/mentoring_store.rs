//! Mentoring: `MentoringStore` for `SqlStore` (its SQL is in `mentoring.rs`).

use crate::*;
use async_trait::async_trait;
use trellis_core::error::CoreResult;

#[async_trait]
impl trellis_core::mentoring::store::MentoringStore for SqlStore {
    async fn begin_mentoring_write(
        &self,
    ) -> CoreResult<Box<dyn trellis_core::mentoring::store::MentoringWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
    async fn mentee_goals(
        &self,
        person: trellis_core::PersonId,
    ) -> CoreResult<Option<trellis_core::mentoring::MenteeGoals>> {
        mentoring::mentee_goals(self, person).await
    }
    async fn save_mentee_goals(
        &self,
        person: trellis_core::PersonId,
        goals: &trellis_core::mentoring::MenteeGoals,
        at: i64,
    ) -> CoreResult<()> {
        mentoring::save_mentee_goals(self, person, goals, at).await
    }
    async fn delete_mentee_goals(&self, person: trellis_core::PersonId) -> CoreResult<()> {
        mentoring::delete_mentee_goals(self, person).await
    }
    async fn mentor_profile(
        &self,
        person: trellis_core::PersonId,
    ) -> CoreResult<Option<trellis_core::mentoring::MentorProfile>> {
        mentoring::mentor_profile(self, person).await
    }
    async fn save_mentor_profile(
        &self,
        person: trellis_core::PersonId,
        profile: &trellis_core::mentoring::MentorProfile,
        at: i64,
    ) -> CoreResult<()> {
        mentoring::save_mentor_profile(self, person, profile, at).await
    }
    async fn delete_mentor_profile(&self, person: trellis_core::PersonId) -> CoreResult<()> {
        mentoring::delete_mentor_profile(self, person).await
    }
    async fn mentoring_pool(
        &self,
        today: chrono::NaiveDate,
    ) -> CoreResult<(
        Vec<trellis_core::mentoring::MenteeEntry>,
        Vec<trellis_core::mentoring::MentorEntry>,
    )> {
        mentoring::mentoring_pool(self, today).await
    }
    async fn manager_links(
        &self,
    ) -> CoreResult<Vec<(trellis_core::PersonId, trellis_core::PersonId)>> {
        mentoring::manager_links(self).await
    }
    async fn mentoring_rounds(&self) -> CoreResult<Vec<trellis_core::mentoring::Round>> {
        mentoring::rounds(self).await
    }
    async fn mentoring_round(
        &self,
        id: trellis_core::ids::RoundId,
    ) -> CoreResult<Option<trellis_core::mentoring::Round>> {
        mentoring::round(self, id).await
    }
    async fn round_pairs(
        &self,
        id: trellis_core::ids::RoundId,
    ) -> CoreResult<Vec<trellis_core::mentoring::RoundPair>> {
        mentoring::round_pairs(self, id).await
    }
    async fn mentorships_of(
        &self,
        person: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::mentoring::Mentorship>> {
        mentoring::mentorships_of(self, person).await
    }
    async fn mentorship(
        &self,
        id: trellis_core::ids::MentorshipId,
    ) -> CoreResult<Option<trellis_core::mentoring::Mentorship>> {
        mentoring::mentorship(self, id).await
    }
}
