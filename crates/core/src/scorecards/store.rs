//! What the scorecards need from a database. Part of [`crate::Store`].

use crate::error::CoreResult;
use crate::ids::PersonId;
use async_trait::async_trait;
use chrono::NaiveDate;
use std::sync::Arc;

/// Organisation-wide facts read in a few statements, from which every manager's figures
/// (and so the organisation's medians) are computed.
#[derive(Debug, Clone, Default)]
pub struct OrgFacts {
    /// Active people and their manager.
    pub lines: Vec<(PersonId, Option<PersonId>)>,
    /// People whose career plan was reviewed on or after the half-year mark.
    pub plan_reviewed: Vec<PersonId>,
    /// Mentees of a mentorship running today.
    pub mentored: Vec<PersonId>,
    /// People with a level or skills change in the year.
    pub grown: Vec<PersonId>,
    /// Pairs who met in a connection round (not marked missed).
    pub met_pairs: Vec<(PersonId, PersonId)>,
    /// Private exclusions, left out of connection coverage.
    pub excluded_pairs: Vec<(PersonId, PersonId)>,
    /// Work that came to someone in the window — created for them or handed to them —
    /// with who did it (themselves for their own).
    pub directed: Vec<(PersonId, PersonId)>,
    /// Due-date changes in the window: the work's owner and who changed it.
    pub due_changes: Vec<(PersonId, PersonId)>,
    /// Open commitment effort per owner now.
    pub open_effort: Vec<(PersonId, f64)>,
    /// Manager reviews of cycles launched in the year: the manager, the day it was due
    /// (with any extension) and when it was submitted.
    pub manager_reviews: Vec<(PersonId, NaiveDate, Option<i64>)>,
    /// Growth-question follow-through items: the manager who owns it, its agreed due date,
    /// the day it was completed and whether it was cancelled.
    pub follow_through: Vec<(PersonId, NaiveDate, Option<NaiveDate>, bool)>,
}

/// An active person as a dashboard groups and filters them.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardMember {
    pub id: PersonId,
    /// Their team's parent team, else their team.
    pub department: Option<Arc<str>>,
    pub location: Option<String>,
    /// Their level's code.
    pub level: Option<Arc<str>>,
    pub has_manager: bool,
}

#[async_trait]
pub trait ScorecardStore: Send + Sync {
    /// `half_year` and `year` bound the plan reviews and growth; `since` (seconds) the
    /// window of directing; `today` the running mentorships. With `people`, only the facts
    /// about them: their lines, their work and what came to it, pairs of two of them.
    async fn org_facts(
        &self,
        today: NaiveDate,
        half_year: NaiveDate,
        year: NaiveDate,
        since: i64,
        people: Option<&[PersonId]>,
    ) -> CoreResult<OrgFacts>;
    /// Of `people` (everyone when `None`): those whose career plan was reviewed on or after
    /// `half_year`, and the mentees of a mentorship running `today` — two parts of career
    /// support coverage.
    async fn plan_reviewed_and_mentored(
        &self,
        today: NaiveDate,
        half_year: NaiveDate,
        people: Option<&[PersonId]>,
    ) -> CoreResult<(Vec<PersonId>, Vec<PersonId>)>;
    /// Every active person, with what a dashboard groups and filters by.
    async fn dashboard_members(&self) -> CoreResult<Vec<DashboardMember>>;
    /// The figures of `month` (`YYYY-MM`) as recorded on `on`, each manager's as JSON text.
    async fn figures_taken_on(
        &self,
        month: &str,
        on: NaiveDate,
    ) -> CoreResult<Vec<(PersonId, String)>>;
    /// The last day managers' figures were recorded, if ever.
    async fn figures_recorded_on(&self) -> CoreResult<Option<NaiveDate>>;
    /// Replaces `month`'s (`YYYY-MM`) figures with these, each manager's as JSON text.
    async fn record_figures(
        &self,
        month: &str,
        on: NaiveDate,
        figures: &[(PersonId, String)],
    ) -> CoreResult<()>;
    /// One manager's recorded months from `from_month` on: month and figures JSON, oldest
    /// first.
    async fn recorded_figures(
        &self,
        manager: PersonId,
        from_month: &str,
    ) -> CoreResult<Vec<(String, String)>>;
}
