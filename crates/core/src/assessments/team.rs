//! A manager's team view: the average per behaviour over their direct reports' latest
//! shared 360s, under the same rule with k = 5 for team-level aggregates (PRODUCT.md). It
//! takes in only answers each report's own report already showed (its "all colleagues"
//! figure), so it can never reveal a group that was left out there.

use super::report::figures;
use super::store::AssessmentStore;
use super::*;
use crate::anonymity::{AnswerSet, visible};

/// The anonymity threshold of team-level aggregates.
pub const TEAM_K: u32 = 5;

/// One behaviour across the team.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamLine {
    pub behaviour: Behaviour,
    pub average: Option<f64>,
    pub answers: Option<usize>,
    pub hidden: Option<String>,
}

/// The team view.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamView {
    pub manager: PersonName,
    /// Direct reports with a shared 360.
    pub assessed: usize,
    pub reports: usize,
    pub k: u32,
    pub lines: Vec<TeamLine>,
}

/// The team view of `manager`'s direct reports: the manager, their chain and admins.
pub async fn show(
    store: &dyn AssessmentStore,
    viewer: &Viewer,
    manager: PersonId,
) -> CoreResult<TeamView> {
    let not_found = || CoreError::NotFound(format!("the 360 team view of person {manager}"));
    let (person, reports) = store
        .person_with_reports(manager)
        .await?
        .ok_or_else(not_found)?;
    let reach = crate::org::people::reach_to(store, viewer, manager).await?;
    if !(viewer.may_administer() || manager == viewer.person_id() || reach.may_manage()) {
        return Err(not_found());
    }
    // Per behaviour (by its words): the answers already shown, keyed apart per subject.
    let mut order: Vec<Behaviour> = template();
    let mut sets: Vec<AnswerSet> = vec![AnswerSet::new(); order.len()];
    let mut sums: Vec<f64> = vec![0.0; order.len()];
    let mut assessed = 0;
    for report in &reports {
        let latest = store
            .assessments_involving(report.id)
            .await?
            .into_iter()
            .filter(|a| a.subject.id == report.id && a.state == AssessmentState::Shared)
            .max_by_key(|a| a.shared_at);
        let Some(a) = latest else { continue };
        assessed += 1;
        let answers = store.answers(a.id).await?;
        let published = store.published_before(a.subject.id, a.id).await?;
        let f = figures(&a, &answers, &published);
        for (b, group, set, verdict) in &f.entries {
            if group != "all" || !verdict.shown() {
                continue;
            }
            let behaviour = &a.behaviours[*b];
            let at = match order.iter().position(|x| x.text == behaviour.text) {
                Some(i) => i,
                None => {
                    order.push(behaviour.clone());
                    sets.push(AnswerSet::new());
                    sums.push(0.0);
                    order.len() - 1
                }
            };
            for x in answers.iter().filter(|x| set.contains(&x.pseudonym)) {
                if let Some(r) = x.ratings.get(*b).copied().flatten() {
                    // A pseudonym is per rater and subject; mixing in the subject keeps
                    // two subjects' answers apart.
                    sets[at].insert(
                        x.pseudonym ^ (a.subject.id.0 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    );
                    sums[at] += f64::from(r);
                }
            }
        }
    }
    let verdicts = visible(&sets, &[], TEAM_K);
    let lines = order
        .into_iter()
        .zip(sets.iter().zip(sums))
        .zip(verdicts)
        .filter(|((_, (set, _)), _)| assessed > 0 || !set.is_empty())
        .map(|((behaviour, (set, sum)), v)| TeamLine {
            behaviour,
            average: (v.shown() && !set.is_empty()).then(|| sum / set.len() as f64),
            answers: v.shown().then_some(set.len()),
            hidden: (!v.shown()).then(|| v.reason().to_string()),
        })
        .collect();
    Ok(TeamView {
        manager: PersonName {
            id: person.id,
            name: person.display_name(),
        },
        assessed,
        reports: reports.len(),
        k: TEAM_K,
        lines,
    })
}
