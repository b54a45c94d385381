//! The evidence beside a succession candidate: what Trellis measured from the work and
//! from the growth record, next to the readiness someone judged. Every part follows the
//! rules that hold for it; callers gather it only for viewers in the candidate's manager
//! chain and admins ([`super::Reaches::sees_evidence`]).

use crate::access::Viewer;
use crate::assessments::{AssessmentState, Family};
use crate::error::CoreResult;
use crate::ids::PersonId;
use crate::reviews::calibration::{Placement, placement};
use crate::store::Store;
use crate::work::metrics::Window;
use serde::Serialize;
use std::collections::HashMap;

/// Days of delivery behind the evidence.
pub const DELIVERY_DAYS: u32 = 180;

/// Delivery reliability over the last [`DELIVERY_DAYS`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryFigure {
    pub due: u64,
    pub on_time: u64,
    pub reliability: f64,
}

/// The candidate's latest review written by their manager.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewEvidence {
    pub cycle: String,
    /// The performance rating's label.
    pub rating: Option<String>,
    pub nine_box: Option<Placement>,
}

/// Everything Trellis holds about a candidate's readiness.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evidence {
    pub delivery: Option<DeliveryFigure>,
    /// Stretch work approved and finished.
    pub stretch_completed: u32,
    pub last_review: Option<ReviewEvidence>,
    /// The latest shared 360's all-colleague average of the management behaviours
    /// (1–5), from the figures the anonymity rule shows.
    pub management_360: Option<f64>,
    pub leadership_360: Option<f64>,
    /// Distinct people outside their line who sought their advice (90 days).
    pub influence_outside_line: Option<u32>,
    pub informal_leader: bool,
    /// Development programme sessions attended.
    pub sessions_attended: u32,
    /// The next step on their career plan.
    pub next_step: Option<String>,
}

async fn last_review(store: &dyn Store, person: PersonId) -> CoreResult<Option<ReviewEvidence>> {
    let latest = store
        .reviews_involving(person)
        .await?
        .into_iter()
        .find(|r| r.reviewee.id == person && r.manager_submitted_at.is_some());
    let Some(review) = latest else {
        return Ok(None);
    };
    let Some(cycle) = store.cycle(review.cycle).await? else {
        return Ok(None);
    };
    let rating = cycle.calibration.performance_question.and_then(|q| {
        let answer = review.manager_answers.iter().find(|a| a.question == q)?;
        let label = cycle
            .questions
            .get(q)?
            .scale
            .get(usize::from(answer.rating?) - 1)?;
        Some(label.clone())
    });
    Ok(Some(ReviewEvidence {
        nine_box: placement(&cycle, &review),
        cycle: cycle.name,
        rating,
    }))
}

/// The latest shared 360's family averages, as its report shows them to this viewer.
pub(crate) async fn scores_360(
    store: &dyn Store,
    viewer: &Viewer,
    person: PersonId,
) -> CoreResult<(Option<f64>, Option<f64>)> {
    let latest = store
        .assessments_involving(person)
        .await?
        .into_iter()
        .filter(|a| a.subject.id == person && a.state == AssessmentState::Shared)
        .max_by_key(|a| (a.shared_at, a.id));
    let Some(latest) = latest else {
        return Ok((None, None));
    };
    let report = crate::assessments::report::show(store, viewer, latest.id).await?;
    let average = |family: Family| {
        let scores: Vec<f64> = report
            .lines
            .iter()
            .filter(|l| l.behaviour.family == family)
            .filter_map(|l| l.figures.iter().find(|f| f.group == "all")?.score)
            .collect();
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
    };
    Ok((average(Family::Management), average(Family::Leadership)))
}

/// The evidence of each person, for a viewer who may see it.
pub async fn gather(
    store: &dyn Store,
    viewer: &Viewer,
    people: &[PersonId],
    now: i64,
) -> CoreResult<HashMap<PersonId, Evidence>> {
    let mut out: HashMap<PersonId, Evidence> = HashMap::new();
    if people.is_empty() {
        return Ok(out);
    }
    let today = crate::clock::local_date(None, now);
    let delivery: HashMap<PersonId, _> = store
        .delivery_by_owner(Some(people), Window::ending(today, DELIVERY_DAYS), today)
        .await?
        .into_iter()
        .collect();
    let record: HashMap<PersonId, (u32, u32)> = store
        .growth_record(people)
        .await?
        .into_iter()
        .map(|(p, stretch, sessions)| (p, (stretch, sessions)))
        .collect();
    for &person in people {
        let (stretch_completed, sessions_attended) =
            record.get(&person).copied().unwrap_or_default();
        let (management_360, leadership_360) = scores_360(store, viewer, person).await?;
        let figures = store.influence_figures(Some(person)).await?.pop();
        let next_step = store.career_plan(person).await?.and_then(|plan| {
            let role = plan.fields.target_role.trim().to_string();
            match (role.is_empty(), plan.target_level_label) {
                (false, Some(level)) => Some(format!("{role} ({level})")),
                (false, None) => Some(role),
                (true, level) => level,
            }
        });
        out.insert(
            person,
            Evidence {
                delivery: delivery.get(&person).and_then(|c| {
                    Some(DeliveryFigure {
                        due: c.due,
                        on_time: c.on_time,
                        reliability: c.reliability()?,
                    })
                }),
                stretch_completed,
                last_review: last_review(store, person).await?,
                management_360,
                leadership_360,
                influence_outside_line: figures.as_ref().map(|f| f.influence_outside_line),
                informal_leader: figures.is_some_and(|f| f.informal_leader),
                sessions_attended,
                next_step,
            },
        );
    }
    Ok(out)
}
