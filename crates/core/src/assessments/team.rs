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

/// What one subject's latest shared 360 (a standalone one or upward reviews; peer
/// reviews rate other behaviours) adds to a group view: per behaviour, the answers its
/// report already showed as "all colleagues", each with a pseudonym mixed with the subject
/// so two subjects' answers stay apart.
pub(crate) struct Contribution {
    pub lines: Vec<(Behaviour, Vec<(u64, u8)>)>,
}

pub(crate) async fn contribution(
    store: &dyn AssessmentStore,
    subject: PersonId,
) -> CoreResult<Option<Contribution>> {
    let latest = store
        .assessments_involving(subject)
        .await?
        .into_iter()
        .filter(|a| {
            a.subject.id == subject
                && a.state == AssessmentState::Shared
                && a.in_cycle
                    .as_ref()
                    .is_none_or(|c| c.kind == FeedbackKind::Upward)
        })
        .max_by_key(|a| a.shared_at);
    let Some(a) = latest else { return Ok(None) };
    let answers = store.answers(a.id).await?;
    let published = store.published_before(a.subject.id, a.id).await?;
    let f = figures(&a, &answers, &published);
    let mut lines = Vec::new();
    for (b, group, set, verdict) in &f.entries {
        if group != "all" || !verdict.shown() {
            continue;
        }
        let pairs = answers
            .iter()
            .filter(|x| set.contains(&x.pseudonym))
            .filter_map(|x| {
                let r = x.ratings.get(*b).copied().flatten()?;
                Some((
                    x.pseudonym ^ (subject.0 as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                    r,
                ))
            })
            .collect();
        lines.push((a.behaviours[*b].clone(), pairs));
    }
    Ok(Some(Contribution { lines }))
}

/// Answer sets and sums per behaviour (by its words), the template's first.
pub(crate) struct Pool {
    pub order: Vec<Behaviour>,
    pub sets: Vec<AnswerSet>,
    pub sums: Vec<f64>,
    pub subjects: usize,
}

impl Default for Pool {
    fn default() -> Self {
        let order = template();
        Pool {
            sets: vec![AnswerSet::new(); order.len()],
            sums: vec![0.0; order.len()],
            order,
            subjects: 0,
        }
    }
}

impl Pool {
    pub(crate) fn add(&mut self, c: &Contribution) {
        self.subjects += 1;
        for (behaviour, pairs) in &c.lines {
            let at = match self.order.iter().position(|x| x.text == behaviour.text) {
                Some(i) => i,
                None => {
                    self.order.push(behaviour.clone());
                    self.sets.push(AnswerSet::new());
                    self.sums.push(0.0);
                    self.order.len() - 1
                }
            };
            for (p, r) in pairs {
                if self.sets[at].insert(*p) {
                    self.sums[at] += f64::from(*r);
                }
            }
        }
    }
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
    let mut pool = Pool::default();
    for report in &reports {
        if let Some(c) = contribution(store, report.id).await? {
            pool.add(&c);
        }
    }
    let assessed = pool.subjects;
    let (order, sets, sums) = (pool.order, pool.sets, pool.sums);
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
