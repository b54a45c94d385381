//! Everyone's influence figures as the pages show them: computed for the whole organisation
//! once a day by the worker (or when an admin asks), since brokerage over a large
//! organisation takes seconds, and kept with each person's percentiles. A person's page
//! adds what is cheap to compute live: influence outside the line by month, and the
//! departments their advice reaches.

use super::report::{OrgFigures, compute};
use super::store::InfluenceStore;
use crate::access::{Viewer, aggregate_visible};
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult};
use crate::ids::{PersonId, PersonName};
use crate::org::PersonStatus;
use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The window of the kept figures, in days.
pub const WINDOW_DAYS: u32 = 90;
/// Months of the trend on a person's page, this one included.
pub const TREND_MONTHS: u32 = 6;
/// Whole calendar months behind the departments a person's advice reaches.
pub const DEPARTMENT_MONTHS: u32 = 3;

/// One person's kept figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = InfluenceFigures))]
pub struct Figures {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub person_id: PersonId,
    pub computed_on: NaiveDate,
    pub influence_outside_line: u32,
    pub advice_sought_by: u32,
    pub reach: f64,
    pub brokerage: f64,
    /// Share of the organisation below the person (ties count half), 0–100.
    pub reach_percentile: f64,
    pub brokerage_percentile: f64,
    pub informal_leader: bool,
}

/// Percentiles (pure): for each value, the share of all values below it, counting equal
/// values half, from 0 to 100 — so a figure most people share sits in the middle, not at
/// the top.
pub fn percentiles(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    if n == 0 {
        return Vec::new();
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    values
        .iter()
        .map(|v| {
            let below = sorted.partition_point(|x| x < v);
            let equal = sorted.partition_point(|x| x <= v) - below;
            100.0 * (below as f64 + equal as f64 / 2.0) / n as f64
        })
        .collect()
}

/// Everyone's figures from a computation (pure).
pub fn figures_of(org: &OrgFigures) -> Vec<Figures> {
    let reach = percentiles(&org.reach);
    let brokerage = percentiles(&org.brokerage);
    org.people
        .iter()
        .enumerate()
        .map(|(i, p)| Figures {
            person_id: p.id,
            computed_on: org.last_day,
            influence_outside_line: org.counts[i].1,
            advice_sought_by: org.counts[i].0,
            reach: org.reach[i],
            brokerage: org.brokerage[i],
            reach_percentile: reach[i],
            brokerage_percentile: brokerage[i],
            informal_leader: org.informal_leader[i],
        })
        .collect()
}

/// Computes and keeps everyone's figures; how many people they cover.
pub async fn refresh(store: &dyn InfluenceStore, now: i64) -> CoreResult<usize> {
    let org = compute(store, WINDOW_DAYS, now).await?;
    let rows = figures_of(&org);
    let mut work = store.begin_influence_write().await?;
    work.save_influence_figures(&rows).await?;
    work.commit().await?;
    Ok(rows.len())
}

/// Recomputes the figures unless they were computed today (the worker's hourly pass);
/// how many people the new figures cover, or 0.
pub async fn refresh_if_stale(store: &dyn InfluenceStore, now: i64) -> CoreResult<usize> {
    let today = local_date(None, now);
    if store.influence_computed_on().await? >= Some(today) {
        return Ok(0);
    }
    refresh(store, now).await
}

/// One month's count of people outside the line who sought a person's advice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthCount {
    /// The month's first day.
    pub month: NaiveDate,
    pub people: u32,
}

/// A department a person's advice reaches, with how many of its people sought it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentReached {
    pub department: String,
    pub people: u32,
}

/// What a person's page shows of their influence.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonInfluence {
    pub person: PersonName,
    /// Influence outside the line over the last [`WINDOW_DAYS`] days, as of now.
    pub influence_outside_line: u32,
    /// Influence outside the line month by month, oldest first, this month last.
    pub months: Vec<MonthCount>,
    /// Whole calendar months the departments cover.
    pub departments_from: NaiveDate,
    pub departments_to: NaiveDate,
    /// Departments with at least k people behind their number, most first.
    pub departments: Vec<DepartmentReached>,
    /// The people of departments too small to show apart, when at least k.
    pub other_departments: Option<u32>,
    /// The fewest people behind a number shown.
    pub threshold: u32,
    /// The kept figures (reach and brokerage percentiles), when computed.
    pub figures: Option<Figures>,
}

/// A person's influence, for the person, their manager chain and admins.
pub async fn of_person(
    store: &dyn InfluenceStore,
    viewer: &Viewer,
    person: PersonId,
    now: i64,
) -> CoreResult<PersonInfluence> {
    let chain: Vec<PersonId> = store
        .manager_chain(person)
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    if !viewer.reach(person, &chain).plate_visible() {
        return Err(CoreError::Forbidden(
            "see this person's influence: it is for them, their managers and admins".into(),
        ));
    }
    let Some(me) = store.person(person).await? else {
        return Err(CoreError::NotFound("person".into()));
    };
    let k = store.settings().await?.anonymity_k_survey.max(5);
    let today = local_date(None, now);
    let this_month = today.with_day(1).unwrap_or(today);
    let first_month = this_month - Months::new(TREND_MONTHS - 1);
    let departments_from = this_month - Months::new(DEPARTMENT_MONTHS);
    let departments_to = this_month - Duration::days(1);
    let window_from = today - Duration::days(i64::from(WINDOW_DAYS) - 1);
    let since = first_month.min(departments_from).min(window_from);

    // Read on every view of a person's page: only the people who sought their advice are
    // looked up, never the whole organisation.
    let ties = store.advice_ties_to(person, since).await?;
    let mut departments: HashMap<PersonId, String> = HashMap::new();
    let mut team_departments: HashMap<crate::ids::TeamId, Option<String>> = HashMap::new();
    for seeker in ties.iter().map(|t| t.seeker).collect::<HashSet<_>>() {
        if seeker == person || chain.contains(&seeker) {
            continue;
        }
        let Some(p) = store.person(seeker).await? else {
            continue;
        };
        // Outside the line: not a manager up the chain (above), not below the person.
        let below = store
            .manager_chain(seeker)
            .await?
            .iter()
            .any(|m| m.id == person);
        if p.status != PersonStatus::Active || below {
            continue;
        }
        let department = match p.team_id {
            Some(team) => match team_departments.get(&team) {
                Some(d) => d.clone(),
                None => {
                    // A team's parent is its department; a team without one is a department.
                    let d = store
                        .team(team)
                        .await?
                        .map(|t| t.parent_name.unwrap_or(t.name));
                    team_departments.insert(team, d.clone());
                    d
                }
            },
            None => None,
        };
        departments.insert(seeker, department.unwrap_or_else(|| "No department".into()));
    }
    let ties: Vec<_> = ties
        .into_iter()
        .filter(|t| departments.contains_key(&t.seeker))
        .collect();
    let seekers_between = |from: NaiveDate, to: NaiveDate| -> HashSet<PersonId> {
        ties.iter()
            .filter(|t| t.first_day <= to && t.last_day >= from)
            .map(|t| t.seeker)
            .collect()
    };
    let months = (0..TREND_MONTHS)
        .map(|i| {
            let month = first_month + Months::new(i);
            let end = (month + Months::new(1)) - Duration::days(1);
            MonthCount {
                month,
                people: seekers_between(month, end).len() as u32,
            }
        })
        .collect();
    let mut by_department: BTreeMap<String, u32> = BTreeMap::new();
    for seeker in seekers_between(departments_from, departments_to) {
        *by_department
            .entry(departments[&seeker].clone())
            .or_default() += 1;
    }
    let (shown, hidden) = departments_shown(by_department, k);
    Ok(PersonInfluence {
        person: PersonName {
            id: person,
            name: me.display_name(),
        },
        influence_outside_line: seekers_between(window_from, today).len() as u32,
        months,
        departments_from,
        departments_to,
        departments: shown,
        other_departments: aggregate_visible(hidden as usize, k).then_some(hidden),
        threshold: k,
        figures: store
            .influence_figures(Some(person))
            .await?
            .into_iter()
            .next(),
    })
}

/// Departments with at least `k` people behind them, most first, and the people of the
/// rest (pure).
pub fn departments_shown(counts: BTreeMap<String, u32>, k: u32) -> (Vec<DepartmentReached>, u32) {
    let mut hidden = 0;
    let mut shown: Vec<DepartmentReached> = Vec::new();
    for (department, people) in counts {
        if aggregate_visible(people as usize, k) {
            shown.push(DepartmentReached { department, people });
        } else {
            hidden += people;
        }
    }
    shown.sort_by(|a, b| {
        b.people
            .cmp(&a.people)
            .then(a.department.cmp(&b.department))
    });
    (shown, hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_count_ties_half_and_run_from_0_to_100() {
        let p = percentiles(&[0.0, 0.0, 0.0, 1.0]);
        assert_eq!(p, vec![37.5, 37.5, 37.5, 87.5]);
        let p = percentiles(&[3.0, 1.0, 2.0]);
        assert_eq!(
            p,
            vec![100.0 * 2.5 / 3.0, 100.0 * 0.5 / 3.0, 100.0 * 1.5 / 3.0]
        );
        assert!(percentiles(&[]).is_empty());
    }

    #[test]
    fn small_departments_are_never_shown_apart() {
        let counts: BTreeMap<String, u32> = [
            ("Sales".to_string(), 7),
            ("Legal".to_string(), 2),
            ("Ops".to_string(), 5),
            ("Design".to_string(), 4),
        ]
        .into();
        let (shown, hidden) = departments_shown(counts, 5);
        assert_eq!(
            shown,
            vec![
                DepartmentReached {
                    department: "Sales".into(),
                    people: 7
                },
                DepartmentReached {
                    department: "Ops".into(),
                    people: 5
                }
            ]
        );
        assert_eq!(hidden, 6);
    }
}
