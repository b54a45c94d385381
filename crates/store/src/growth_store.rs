//! Career plans, wishes, opportunities and placements: `GrowthStore` for `SqlStore`.

use crate::*;
use async_trait::async_trait;
use trellis_core::error::CoreResult;

#[async_trait]
impl trellis_core::growth::store::GrowthStore for SqlStore {
    async fn begin_growth_write(
        &self,
    ) -> CoreResult<Box<dyn trellis_core::growth::store::GrowthWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
    async fn plate_wishes(
        &self,
        people: &[trellis_core::PersonId],
    ) -> CoreResult<Vec<trellis_core::growth::wishes::PlateWish>> {
        growth::plate_wishes(self, people).await
    }
    async fn plate_wish(
        &self,
        id: trellis_core::ids::WishId,
    ) -> CoreResult<Option<trellis_core::growth::wishes::PlateWish>> {
        growth::plate_wish(self, id).await
    }
    async fn add_plate_wish(
        &self,
        wish: &trellis_core::growth::wishes::NewWish,
    ) -> CoreResult<trellis_core::ids::WishId> {
        growth::add_plate_wish(self, wish).await
    }
    async fn delete_plate_wish(&self, id: trellis_core::ids::WishId) -> CoreResult<()> {
        growth::delete_plate_wish(self, id).await
    }
    async fn career_plan(
        &self,
        person: trellis_core::PersonId,
    ) -> CoreResult<Option<trellis_core::growth::career::CareerPlan>> {
        growth::career_plan(self, person).await
    }
    async fn career_history(
        &self,
        person: trellis_core::PersonId,
        limit: i64,
    ) -> CoreResult<Vec<trellis_core::growth::career::PlanChange>> {
        growth::career_history(self, person, limit).await
    }
    async fn career_support(
        &self,
        person: trellis_core::PersonId,
    ) -> CoreResult<Vec<trellis_core::work::Commitment>> {
        growth::career_support(self, person).await
    }
    async fn create_opportunity(
        &self,
        new: &trellis_core::growth::opportunities::NewOpportunity,
    ) -> CoreResult<trellis_core::ids::OpportunityId> {
        growth::create_opportunity(self, new).await
    }
    async fn opportunity(
        &self,
        id: trellis_core::ids::OpportunityId,
    ) -> CoreResult<Option<trellis_core::growth::opportunities::Opportunity>> {
        growth::opportunity(self, id).await
    }
    async fn opportunities(
        &self,
        status: Option<trellis_core::growth::opportunities::OpportunityStatus>,
    ) -> CoreResult<Vec<trellis_core::growth::opportunities::Opportunity>> {
        growth::opportunities(self, status).await
    }
    async fn candidates_with_skills(
        &self,
        skills: &[String],
    ) -> CoreResult<Vec<trellis_core::growth::opportunities::Candidate>> {
        growth::candidates_with_skills(self, skills).await
    }
    async fn placements(
        &self,
        opportunity: trellis_core::ids::OpportunityId,
    ) -> CoreResult<Vec<trellis_core::growth::opportunities::Placement>> {
        growth::placements(self, opportunity).await
    }
    async fn placement(
        &self,
        id: trellis_core::ids::PlacementId,
    ) -> CoreResult<Option<trellis_core::growth::opportunities::Placement>> {
        growth::placement(self, id).await
    }
    async fn pending_placements_of(
        &self,
        people: &[trellis_core::PersonId],
    ) -> CoreResult<Vec<trellis_core::growth::opportunities::Placement>> {
        growth::pending_placements_of(self, people).await
    }
    async fn skill_names(&self) -> CoreResult<Vec<String>> {
        talent::skill_names(self).await
    }
    async fn talent_pool(&self) -> CoreResult<Vec<trellis_core::growth::talent::Talent>> {
        talent::talent_pool(self).await
    }
    async fn add_talent(
        &self,
        talents: &[trellis_core::growth::talent::NewTalent],
    ) -> CoreResult<Vec<trellis_core::ids::TalentId>> {
        talent::add_talent(self, talents).await
    }
    async fn remove_talent(&self, id: trellis_core::ids::TalentId) -> CoreResult<bool> {
        talent::remove_talent(self, id).await
    }
    async fn skills_of(
        &self,
        people: &[trellis_core::PersonId],
    ) -> CoreResult<
        std::collections::HashMap<trellis_core::PersonId, Vec<trellis_core::org::SkillLevel>>,
    > {
        growth::skills_of(self, people).await
    }
}
