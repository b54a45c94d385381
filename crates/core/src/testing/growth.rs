//! The fake of the growth and talent storage traits.

use super::*;

#[async_trait]
impl TalentStore for FakeStore {
    async fn skill_names(&self) -> CoreResult<Vec<String>> {
        unreachable!("GrowthStore::skill_names is not used by the services under test")
    }
    async fn talent_pool(&self) -> CoreResult<Vec<Talent>> {
        unreachable!("GrowthStore::talent_pool is not used by the services under test")
    }
    async fn add_talent(&self, talents: &[NewTalent]) -> CoreResult<Vec<TalentId>> {
        unreachable!("GrowthStore::add_talent is not used by the services under test")
    }
    async fn remove_talent(&self, id: TalentId) -> CoreResult<bool> {
        unreachable!("GrowthStore::remove_talent is not used by the services under test")
    }
    async fn talent_engagements(&self) -> CoreResult<Vec<crate::growth::talent::Engagement>> {
        unreachable!("TalentStore::talent_engagements is not used by the services under test")
    }
}

#[async_trait]
impl GrowthStore for FakeStore {
    async fn begin_growth_write(&self) -> CoreResult<Box<dyn GrowthWrite + '_>> {
        Ok(Box::new(FakeUnit::new(self)))
    }
    async fn plate_wishes(&self, people: &[PersonId]) -> CoreResult<Vec<PlateWish>> {
        unreachable!("GrowthStore::plate_wishes is not used by the services under test")
    }
    async fn plate_wish(&self, id: WishId) -> CoreResult<Option<PlateWish>> {
        unreachable!("GrowthStore::plate_wish is not used by the services under test")
    }
    async fn add_plate_wish(&self, wish: &NewWish) -> CoreResult<WishId> {
        unreachable!("GrowthStore::add_plate_wish is not used by the services under test")
    }
    async fn delete_plate_wish(&self, id: WishId) -> CoreResult<()> {
        unreachable!("GrowthStore::delete_plate_wish is not used by the services under test")
    }
    async fn career_plan(&self, person: PersonId) -> CoreResult<Option<CareerPlan>> {
        Ok(None)
    }
    async fn career_history(&self, person: PersonId, limit: i64) -> CoreResult<Vec<PlanChange>> {
        unreachable!("GrowthStore::career_history is not used by the services under test")
    }
    async fn career_support(&self, person: PersonId) -> CoreResult<Vec<Commitment>> {
        unreachable!("GrowthStore::career_support is not used by the services under test")
    }
    async fn create_opportunity(&self, new: &NewOpportunity) -> CoreResult<OpportunityId> {
        unreachable!("GrowthStore::create_opportunity is not used by the services under test")
    }
    async fn opportunity(&self, id: OpportunityId) -> CoreResult<Option<Opportunity>> {
        Ok(self.opportunities.lock().unwrap().get(&id).cloned())
    }
    async fn opportunities(
        &self,
        status: Option<OpportunityStatus>,
    ) -> CoreResult<Vec<Opportunity>> {
        unreachable!("GrowthStore::opportunities is not used by the services under test")
    }
    async fn candidates_with_skills(&self, skills: &[String]) -> CoreResult<Vec<Candidate>> {
        unreachable!("GrowthStore::candidates_with_skills is not used by the services under test")
    }
    async fn placements(&self, opportunity: OpportunityId) -> CoreResult<Vec<Placement>> {
        unreachable!("GrowthStore::placements is not used by the services under test")
    }
    async fn interested_in(&self, opportunity: OpportunityId) -> CoreResult<Vec<PersonName>> {
        unreachable!("GrowthStore::interested_in is not used by the services under test")
    }
    async fn set_interest(
        &self,
        opportunity: OpportunityId,
        person: PersonId,
        interested: bool,
        at: i64,
    ) -> CoreResult<()> {
        unreachable!("GrowthStore::set_interest is not used by the services under test")
    }
    async fn placement(&self, id: PlacementId) -> CoreResult<Option<Placement>> {
        Ok(self.placements.lock().unwrap().get(&id).cloned())
    }
    async fn pending_placements_of(&self, people: &[PersonId]) -> CoreResult<Vec<Placement>> {
        unreachable!("GrowthStore::pending_placements_of is not used by the services under test")
    }
    async fn running_stretch_of(
        &self,
        _person: PersonId,
    ) -> CoreResult<Vec<(crate::ids::OpportunityId, String)>> {
        unreachable!("GrowthStore::running_stretch_of is not used by the services under test")
    }
    async fn skills_of(
        &self,
        people: &[PersonId],
    ) -> CoreResult<std::collections::HashMap<PersonId, Vec<crate::org::SkillLevel>>> {
        unreachable!("GrowthStore::skills_of is not used by the services under test")
    }
}

#[async_trait]
impl GrowthWrite for FakeUnit<'_> {
    async fn create_placement(
        &mut self,
        new: &NewPlacement,
        approved_with: Option<CommitmentId>,
    ) -> CoreResult<PlacementId> {
        unreachable!("GrowthWrite::create_placement is not used by the services under test")
    }
    async fn fill_opportunity(&mut self, id: OpportunityId) -> CoreResult<()> {
        self.steps.push(format!("fill_opportunity {id}"));
        Ok(())
    }
    async fn record_engagement(
        &mut self,
        new: &crate::growth::talent::NewEngagement,
    ) -> CoreResult<i64> {
        self.steps
            .push(format!("record_engagement {}", new.opportunity));
        Ok(1)
    }
    async fn change_placement(
        &mut self,
        id: PlacementId,
        change: &PlacementChange,
        with: Option<CommitmentId>,
    ) -> CoreResult<()> {
        self.steps.push(format!(
            "change_placement {id} {} candidate {}{}",
            change.status.as_str(),
            change.candidate_consent.as_str(),
            with.map(|c| format!(" with commitment {c}"))
                .unwrap_or_default()
        ));
        Ok(())
    }
    async fn save_career_plan(
        &mut self,
        person: PersonId,
        fields: &PlanFields,
        by: PersonId,
        at: i64,
    ) -> CoreResult<()> {
        unreachable!("GrowthWrite::save_career_plan is not used by the services under test")
    }
    async fn mark_career_plan_reviewed(
        &mut self,
        person: PersonId,
        on: NaiveDate,
    ) -> CoreResult<()> {
        unreachable!(
            "GrowthWrite::mark_career_plan_reviewed is not used by the services under test"
        )
    }
    async fn note_plan_history(
        &mut self,
        person: PersonId,
        by: PersonId,
        at: i64,
        what: &str,
    ) -> CoreResult<()> {
        self.steps
            .push(format!("note_plan_history {person} {what:?}"));
        Ok(())
    }
    async fn link_support(&mut self, commitment: CommitmentId, person: PersonId) -> CoreResult<()> {
        self.steps
            .push(format!("link_support {commitment} to {person}"));
        Ok(())
    }
    async fn resolve_off_wishes(
        &mut self,
        commitment: CommitmentId,
        person: PersonId,
    ) -> CoreResult<()> {
        self.steps
            .push(format!("resolve_off_wishes {commitment} of {person}"));
        Ok(())
    }
}

#[async_trait]
impl OutboxStore for FakeStore {
    async fn notifications_of(&self, person: PersonId, limit: i64) -> CoreResult<Vec<Kept>> {
        unreachable!("OutboxStore::notifications_of is not used by the services under test")
    }
    async fn unread_count(&self, person: PersonId) -> CoreResult<i64> {
        unreachable!("OutboxStore::unread_count is not used by the services under test")
    }
    async fn mark_read(&self, person: PersonId, id: i64, now: i64) -> CoreResult<Option<Kept>> {
        unreachable!("OutboxStore::mark_read is not used by the services under test")
    }
    async fn mark_all_read(&self, person: PersonId, now: i64) -> CoreResult<u64> {
        unreachable!("OutboxStore::mark_all_read is not used by the services under test")
    }
    async fn preferences(
        &self,
        person: Option<PersonId>,
    ) -> CoreResult<crate::notify::Preferences> {
        unreachable!("OutboxStore::preferences is not used by the services under test")
    }
    async fn set_preference(
        &self,
        person: Option<PersonId>,
        topic: crate::notify::Topic,
        delivery: crate::notify::Delivery,
    ) -> CoreResult<()> {
        unreachable!("OutboxStore::set_preference is not used by the services under test")
    }
    async fn notification(&self, id: i64) -> CoreResult<Option<Kept>> {
        unreachable!("OutboxStore::notification is not used by the services under test")
    }
    async fn undelivered(&self, person: PersonId) -> CoreResult<Vec<Kept>> {
        unreachable!("OutboxStore::undelivered is not used by the services under test")
    }
    async fn mark_delivered(&self, ids: &[i64], now: i64) -> CoreResult<()> {
        unreachable!("OutboxStore::mark_delivered is not used by the services under test")
    }
}
