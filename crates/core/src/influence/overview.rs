//! The influence overview, from the kept figures: the informal leaders a viewer may see
//! (admins: everyone's; a manager: their tree's), and the distribution of influence outside
//! the line per group — each department for admins, a manager's tree for them — shown only
//! where at least k people are behind it, and never one person's figure.

use super::figures::Figures;
use super::store::InfluenceStore;
use crate::access::{Viewer, aggregate_visible};
use crate::error::{CoreError, CoreResult};
use crate::ids::{PersonId, PersonName};
use crate::org::PersonStatus;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// An informal leader, as the overview lists them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeaderRow {
    pub person: PersonName,
    pub title: Option<String>,
    pub team: Option<String>,
    pub department: Option<String>,
    pub influence_outside_line: u32,
    pub advice_sought_by: u32,
    pub reach_percentile: f64,
    pub brokerage_percentile: f64,
}

/// How influence outside the line spreads over a group.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = InfluenceDistribution))]
pub struct Distribution {
    pub group: String,
    pub people: u32,
    /// Whether the group is large enough to show (at least k people); the figures below
    /// are zero when not.
    pub shown: bool,
    pub median: f64,
    pub upper_quartile: f64,
    /// People sought by anyone outside their line.
    pub sought_from_outside: u32,
    pub informal_leaders: u32,
}

/// The overview.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = InfluenceOverview))]
pub struct Overview {
    /// The day the figures were computed; none before the first computation.
    pub computed_on: Option<NaiveDate>,
    pub leaders: Vec<LeaderRow>,
    pub groups: Vec<Distribution>,
    /// The fewest people behind a figure shown.
    pub threshold: u32,
}

/// A quantile of sorted values (pure), interpolating between neighbours.
pub fn quantile(sorted: &[u32], q: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n => {
            let at = q * (n - 1) as f64;
            let (low, high) = (at.floor() as usize, at.ceil() as usize);
            let w = at - low as f64;
            f64::from(sorted[low]) * (1.0 - w) + f64::from(sorted[high]) * w
        }
    }
}

/// A group's distribution (pure).
pub fn distribution(group: String, figures: &[&Figures], k: u32) -> Distribution {
    let people = figures.len() as u32;
    if !aggregate_visible(figures.len(), k) {
        return Distribution {
            group,
            people,
            shown: false,
            median: 0.0,
            upper_quartile: 0.0,
            sought_from_outside: 0,
            informal_leaders: 0,
        };
    }
    let mut values: Vec<u32> = figures.iter().map(|f| f.influence_outside_line).collect();
    values.sort_unstable();
    Distribution {
        group,
        people,
        shown: true,
        median: quantile(&values, 0.5),
        upper_quartile: quantile(&values, 0.75),
        sought_from_outside: values.iter().filter(|v| **v > 0).count() as u32,
        informal_leaders: figures.iter().filter(|f| f.informal_leader).count() as u32,
    }
}

/// The overview for admins and managers.
pub async fn overview(store: &dyn InfluenceStore, viewer: &Viewer) -> CoreResult<Overview> {
    if !viewer.may_lead_teams() {
        return Err(CoreError::Forbidden(
            "see influence across people: their managers and admins do".into(),
        ));
    }
    let k = store.settings().await?.anonymity_k_survey.max(5);
    let people = store.org_people().await?;
    let figures = store.influence_figures(None).await?;
    let by_person: HashMap<PersonId, &Figures> = figures.iter().map(|f| (f.person_id, f)).collect();
    let managers: HashMap<PersonId, Option<PersonId>> =
        people.iter().map(|p| (p.id, p.manager_id)).collect();
    let me = viewer.person_id();
    let in_my_tree = |person: PersonId| {
        let mut at = managers.get(&person).copied().flatten();
        let mut steps = 0;
        while let Some(m) = at {
            if m == me {
                return true;
            }
            steps += 1;
            if steps > managers.len() {
                return false;
            }
            at = managers.get(&m).copied().flatten();
        }
        false
    };
    let admin = viewer.may_administer();
    let mut leaders = Vec::new();
    let mut tree: Vec<&Figures> = Vec::new();
    let mut departments: BTreeMap<String, Vec<&Figures>> = BTreeMap::new();
    for p in people
        .iter()
        .filter(|p| p.record.status == PersonStatus::Active)
    {
        let Some(f) = by_person.get(&p.id) else {
            continue;
        };
        let mine = in_my_tree(p.id);
        if mine {
            tree.push(f);
        }
        let department = super::department_of(&p.record).map(str::to_string);
        if admin {
            departments
                .entry(department.clone().unwrap_or_else(|| "No department".into()))
                .or_default()
                .push(f);
        }
        if f.informal_leader && (admin || mine) {
            leaders.push(LeaderRow {
                person: PersonName {
                    id: p.id,
                    name: p.record.name.to_string(),
                },
                title: p.record.title.as_ref().map(|t| t.to_string()),
                team: p.record.team.as_ref().map(|t| t.to_string()),
                department,
                influence_outside_line: f.influence_outside_line,
                advice_sought_by: f.advice_sought_by,
                reach_percentile: f.reach_percentile,
                brokerage_percentile: f.brokerage_percentile,
            });
        }
    }
    leaders.sort_by(|a, b| {
        b.influence_outside_line
            .cmp(&a.influence_outside_line)
            .then(a.person.name.cmp(&b.person.name))
    });
    let mut groups = Vec::new();
    if !tree.is_empty() {
        groups.push(distribution("Your tree".into(), &tree, k));
    }
    if admin {
        let everyone: Vec<&Figures> = departments.values().flatten().copied().collect();
        groups.push(distribution("The organisation".into(), &everyone, k));
        for (name, people) in &departments {
            groups.push(distribution(name.clone(), people, k));
        }
    }
    Ok(Overview {
        computed_on: figures.first().map(|f| f.computed_on),
        leaders,
        groups,
        threshold: k,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figure(outside: u32, leader: bool) -> Figures {
        Figures {
            person_id: PersonId(1),
            computed_on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            influence_outside_line: outside,
            advice_sought_by: outside,
            reach: 0.0,
            brokerage: 0.0,
            reach_percentile: 0.0,
            brokerage_percentile: 0.0,
            informal_leader: leader,
        }
    }

    #[test]
    fn a_group_under_k_shows_nothing_but_its_size() {
        let four: Vec<Figures> = (0..4).map(|i| figure(i, false)).collect();
        let d = distribution("Legal".into(), &four.iter().collect::<Vec<_>>(), 5);
        assert!(!d.shown);
        assert_eq!((d.people, d.median, d.sought_from_outside), (4, 0.0, 0));
        let six: Vec<Figures> = [0, 0, 1, 3, 4, 12]
            .into_iter()
            .map(|v| figure(v, v == 12))
            .collect();
        let d = distribution("Sales".into(), &six.iter().collect::<Vec<_>>(), 5);
        assert!(d.shown);
        assert_eq!(d.median, 2.0);
        assert_eq!(d.upper_quartile, 3.75);
        assert_eq!((d.sought_from_outside, d.informal_leaders), (4, 1));
    }
}
