//! The department and organisation views for people admins: the average per behaviour over
//! the latest shared 360 of everyone in a department (and the teams under it) or in the
//! whole organisation, under the team view's rule (k = 5, only answers each person's own
//! report showed). A level filter narrows it: the whole and every level's slice are one
//! fixed set of figures, checked together, so no two a viewer can ask for differ by fewer
//! than k answers — a slice that would single someone out is hidden, and the page says why.

use super::store::AssessmentStore;
use super::team::{Pool, TEAM_K, TeamLine, contribution};
use super::*;
use crate::anonymity::{AnswerSet, visible};
use crate::ids::TeamId;
use std::collections::BTreeMap;

/// Which people a group view covers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct GroupFilter {
    /// A department or team and the teams under it; none: the organisation.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", param(value_type = Option<i64>))]
    pub team: Option<TeamId>,
    /// Only people at this job level.
    #[serde(default)]
    pub level: Option<String>,
}

/// A department's or the organisation's averages.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GroupView {
    /// "Engineering", or "the organisation".
    pub title: String,
    pub level: Option<String>,
    /// People with a shared 360 in the view (after the level filter).
    pub assessed: usize,
    pub k: u32,
    /// Levels a filter can choose.
    pub levels: Vec<String>,
    pub lines: Vec<TeamLine>,
}

/// The view for a people admin.
pub async fn show(
    store: &dyn AssessmentStore,
    viewer: &Viewer,
    filter: &GroupFilter,
) -> CoreResult<GroupView> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "read department and organisation 360 averages: people admins do".into(),
        ));
    }
    let title = match filter.team {
        Some(t) => {
            store
                .team(t)
                .await?
                .ok_or_else(|| CoreError::NotFound(format!("team {t}")))?
                .name
        }
        None => "the organisation".to_string(),
    };
    // Every level's pool and the whole.
    let mut whole = Pool::default();
    let mut by_level: BTreeMap<String, Pool> = BTreeMap::new();
    for (subject, level) in store.assessed_subjects(filter.team).await? {
        let Some(c) = contribution(store, subject).await? else {
            continue;
        };
        whole.add(&c);
        by_level
            .entry(level.unwrap_or_else(|| "No level".into()))
            .or_default()
            .add(&c);
    }
    let levels: Vec<String> = by_level.keys().cloned().collect();
    let chosen = match &filter.level {
        None => &whole,
        Some(l) => by_level.get(l).ok_or_else(|| {
            CoreError::field(
                "level",
                format!("nobody at level {l:?} has a shared 360 here"),
            )
        })?,
    };
    // The fixed set: each behaviour of the whole and of every level, all checked at once.
    let mut sets: Vec<AnswerSet> = Vec::new();
    let pools: Vec<&Pool> = std::iter::once(&whole).chain(by_level.values()).collect();
    for pool in &pools {
        for b in &whole.order {
            let at = pool.order.iter().position(|x| x.text == b.text);
            sets.push(at.map(|i| pool.sets[i].clone()).unwrap_or_default());
        }
    }
    let verdicts = visible(&sets, &[], TEAM_K);
    let offset = match &filter.level {
        None => 0,
        Some(l) => (1 + levels.iter().position(|x| x == l).unwrap_or(0)) * whole.order.len(),
    };
    let lines = whole
        .order
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let (set, v) = (&sets[offset + i], &verdicts[offset + i]);
            let at = chosen.order.iter().position(|x| x.text == b.text);
            let sum = at.map(|j| chosen.sums[j]).unwrap_or(0.0);
            TeamLine {
                behaviour: b.clone(),
                average: (v.shown() && !set.is_empty()).then(|| sum / set.len() as f64),
                answers: v.shown().then_some(set.len()),
                hidden: (!v.shown()).then(|| v.reason().to_string()),
            }
        })
        .collect();
    Ok(GroupView {
        title,
        level: filter.level.clone(),
        assessed: chosen.subjects,
        k: TEAM_K,
        levels,
        lines,
    })
}
