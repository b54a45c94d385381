//! Every manager's comparable figures from organisation-wide facts (pure), so a scorecard
//! can put the organisation's median beside each figure and say where the directing
//! signal's parts stand among all managers. A manager's team here is their active direct
//! reports; the delegation ratio adds the manager (PRODUCT.md).

use super::store::OrgFacts;
use crate::ids::PersonId;
use crate::work::metrics::DeliveryCounts;
use chrono::NaiveDate;
use std::collections::{HashMap, HashSet};

/// Everything per person the figures read, besides the facts.
#[derive(Debug, Clone, Default)]
pub struct PersonInputs {
    /// Delivery counts over the window.
    pub delivery: HashMap<PersonId, DeliveryCounts>,
    /// Remaining hours due within the workload horizon.
    pub due_in_horizon: HashMap<PersonId, f64>,
    /// Capacity over the horizon, in hours.
    pub capacity: HashMap<PersonId, f64>,
    /// Remaining hours of open work, all of it, and of work past its due date.
    pub remaining_all: HashMap<PersonId, f64>,
    pub remaining_overdue: HashMap<PersonId, f64>,
    /// 1:1s held by each manager with their reports in the window.
    pub one_on_ones_held: HashMap<PersonId, usize>,
    /// Stretch work in the last quarter (or running), and a development programme.
    pub stretched: HashSet<PersonId>,
    pub in_programme: HashSet<PersonId>,
    /// Stretch work approved for each person in the year.
    pub stretch_approved: HashMap<PersonId, u32>,
    /// Influence outside the line.
    pub influence: HashMap<PersonId, u32>,
    /// Per owner, running objectives on track and those with a status.
    pub objectives: HashMap<PersonId, (u32, u32)>,
    /// The day the figures are for.
    pub today: NaiveDate,
}

/// One manager's comparable figures; `None` where there is nothing to count.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagerFigures {
    pub manager: PersonId,
    pub reports: usize,
    pub delivery: Option<f64>,
    pub overloaded_share: Option<f64>,
    pub workload_spread: Option<f64>,
    pub work_current: Option<f64>,
    pub objectives_on_track: Option<f64>,
    pub reviews_on_time: Option<f64>,
    pub one_on_ones_per_report: Option<f64>,
    pub follow_through_on_time: Option<f64>,
    pub career_support: Option<f64>,
    pub stretch_per_report: Option<f64>,
    pub grown_share: Option<f64>,
    pub connection_coverage: Option<f64>,
    pub influence: Option<f64>,
    pub directed: Option<f64>,
    pub due_changes: Option<f64>,
    pub delegation: Option<f64>,
}

fn share(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn pair(a: PersonId, b: PersonId) -> (PersonId, PersonId) {
    if a < b { (a, b) } else { (b, a) }
}

/// Every manager's figures.
pub fn all_managers(facts: &OrgFacts, inputs: &PersonInputs) -> Vec<ManagerFigures> {
    let mut reports: HashMap<PersonId, Vec<PersonId>> = HashMap::new();
    for (person, manager) in &facts.lines {
        if let Some(m) = manager {
            reports.entry(*m).or_default().push(*person);
        }
    }
    let reviewed: HashSet<PersonId> = facts.plan_reviewed.iter().copied().collect();
    let mentored: HashSet<PersonId> = facts.mentored.iter().copied().collect();
    let grown: HashSet<PersonId> = facts.grown.iter().copied().collect();
    let met: HashSet<(PersonId, PersonId)> =
        facts.met_pairs.iter().map(|(a, b)| pair(*a, *b)).collect();
    let excluded: HashSet<(PersonId, PersonId)> = facts
        .excluded_pairs
        .iter()
        .map(|(a, b)| pair(*a, *b))
        .collect();
    let effort: HashMap<PersonId, f64> = facts.open_effort.iter().copied().collect();
    let mut directed: HashMap<PersonId, Vec<PersonId>> = HashMap::new();
    for (to, by) in &facts.directed {
        directed.entry(*to).or_default().push(*by);
    }
    let mut due_changes: HashMap<PersonId, Vec<PersonId>> = HashMap::new();
    for (owner, by) in &facts.due_changes {
        due_changes.entry(*owner).or_default().push(*by);
    }
    let today = inputs.today;
    let mut reviews: HashMap<PersonId, (usize, usize)> = HashMap::new();
    for (m, due, submitted) in &facts.manager_reviews {
        let deadline = due
            .and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp())
            + 86_400;
        if *due < today || submitted.is_some() {
            let e = reviews.entry(*m).or_default();
            e.1 += 1;
            e.0 += usize::from(submitted.is_some_and(|at| at < deadline));
        }
    }
    let mut follow: HashMap<PersonId, (usize, usize)> = HashMap::new();
    for (owner, due, done, cancelled) in &facts.follow_through {
        if !cancelled && (*due < today || done.is_some()) {
            let e = follow.entry(*owner).or_default();
            e.1 += 1;
            e.0 += usize::from(done.is_some_and(|d| d <= *due));
        }
    }
    let mut out: Vec<ManagerFigures> = reports
        .into_iter()
        .map(|(m, team)| {
            let n = team.len();
            let counts = |f: &dyn Fn(&PersonId) -> bool| team.iter().filter(|p| f(p)).count();
            let (mut due, mut on_time) = (0, 0);
            for p in &team {
                if let Some(c) = inputs.delivery.get(p) {
                    due += c.due;
                    on_time += c.on_time;
                }
            }
            let ratios: Vec<f64> = team
                .iter()
                .map(|p| {
                    let left = inputs.due_in_horizon.get(p).copied().unwrap_or(0.0);
                    match inputs.capacity.get(p).copied().unwrap_or(0.0) {
                        c if c > 0.0 => left / c,
                        _ if left > 0.0 => f64::INFINITY,
                        _ => 0.0,
                    }
                })
                .collect();
            let overloaded = ratios.iter().filter(|r| **r > 1.2).count();
            let finite: Vec<f64> = ratios.iter().copied().filter(|r| r.is_finite()).collect();
            let spread = (!finite.is_empty()).then(|| {
                finite.iter().copied().fold(f64::MIN, f64::max)
                    - finite.iter().copied().fold(f64::MAX, f64::min)
            });
            let all: f64 = team
                .iter()
                .filter_map(|p| inputs.remaining_all.get(p))
                .sum();
            let late: f64 = team
                .iter()
                .filter_map(|p| inputs.remaining_overdue.get(p))
                .sum();
            let supported = counts(&|p| {
                reviewed.contains(p)
                    && inputs.stretched.contains(p)
                    && (mentored.contains(p) || inputs.in_programme.contains(p))
            });
            let (mut pairs, mut met_pairs) = (0, 0);
            for (i, a) in team.iter().enumerate() {
                for b in &team[i + 1..] {
                    let p = pair(*a, *b);
                    if excluded.contains(&p) {
                        continue;
                    }
                    pairs += 1;
                    met_pairs += usize::from(met.contains(&p));
                }
            }
            let came: Vec<PersonId> = team
                .iter()
                .flat_map(|p| directed.get(p).cloned().unwrap_or_default())
                .collect();
            let moved: Vec<PersonId> = team
                .iter()
                .flat_map(|p| due_changes.get(p).cloned().unwrap_or_default())
                .collect();
            let (mut on_track, mut with_status) =
                inputs.objectives.get(&m).copied().unwrap_or((0, 0));
            for p in &team {
                if let Some((a, b)) = inputs.objectives.get(p) {
                    on_track += a;
                    with_status += b;
                }
            }
            let ratio_of = |(a, b): (usize, usize)| share(a, b);
            let mine = effort.get(&m).copied().unwrap_or(0.0);
            let team_effort = mine + team.iter().filter_map(|p| effort.get(p)).sum::<f64>();
            ManagerFigures {
                manager: m,
                reports: n,
                delivery: (due > 0).then(|| on_time as f64 / due as f64),
                overloaded_share: share(overloaded, n),
                workload_spread: spread,
                work_current: (all > 0.0).then(|| 1.0 - late / all),
                objectives_on_track: share(on_track as usize, with_status as usize),
                reviews_on_time: reviews.get(&m).copied().and_then(ratio_of),
                follow_through_on_time: follow.get(&m).copied().and_then(ratio_of),
                one_on_ones_per_report: (n > 0).then(|| {
                    inputs.one_on_ones_held.get(&m).copied().unwrap_or(0) as f64 / n as f64
                }),
                career_support: share(supported, n),
                stretch_per_report: (n > 0).then(|| {
                    team.iter()
                        .map(|p| inputs.stretch_approved.get(p).copied().unwrap_or(0))
                        .sum::<u32>() as f64
                        / n as f64
                }),
                grown_share: share(counts(&|p| grown.contains(p)), n),
                connection_coverage: share(met_pairs, pairs),
                influence: Some(f64::from(inputs.influence.get(&m).copied().unwrap_or(0))),
                directed: share(came.iter().filter(|by| **by == m).count(), came.len()),
                due_changes: share(moved.iter().filter(|by| **by == m).count(), moved.len()),
                delegation: (team_effort > 0.0).then(|| mine / team_effort),
            }
        })
        .collect();
    out.sort_by_key(|f| f.manager);
    out
}

/// A quantile of the values present (pure), interpolating between neighbours.
pub fn quantile(values: impl Iterator<Item = Option<f64>>, q: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.flatten().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let at = q * (v.len() - 1) as f64;
    let (low, high) = (at.floor() as usize, at.ceil() as usize);
    let w = at - low as f64;
    Some(v[low] * (1.0 - w) + v[high] * w)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> i64 {
        day(s).and_hms_opt(12, 0, 0).unwrap().and_utc().timestamp()
    }

    #[test]
    fn a_managers_figures_count_their_direct_reports() {
        let p = PersonId;
        // Max (1) manages Dana (2) and Devi (3); Erin (4) manages Max.
        let facts = OrgFacts {
            lines: vec![
                (p(1), Some(p(4))),
                (p(2), Some(p(1))),
                (p(3), Some(p(1))),
                (p(4), None),
            ],
            plan_reviewed: vec![p(2), p(3)],
            mentored: vec![p(2)],
            grown: vec![p(3)],
            met_pairs: vec![(p(3), p(2))],
            excluded_pairs: vec![],
            // Max created one for Dana and handed one to Devi; Devi made one of her own.
            directed: vec![(p(2), p(1)), (p(3), p(1)), (p(3), p(3))],
            due_changes: vec![(p(2), p(1)), (p(2), p(2)), (p(3), p(3)), (p(3), p(3))],
            open_effort: vec![(p(1), 30.0), (p(2), 10.0), (p(3), 20.0)],
            // Two reviews due and one written late; one not due yet.
            manager_reviews: vec![
                (p(1), day("2026-03-01"), Some(at("2026-02-27"))),
                (p(1), day("2026-03-01"), Some(at("2026-03-02"))),
                (p(1), day("2026-09-01"), None),
            ],
            // One on time, one late, one past due and open, one cancelled.
            follow_through: vec![
                (p(1), day("2026-04-01"), Some(day("2026-04-01")), false),
                (p(1), day("2026-04-01"), Some(day("2026-04-05")), false),
                (p(1), day("2026-04-01"), None, false),
                (p(1), day("2026-04-01"), None, true),
            ],
        };
        let inputs = PersonInputs {
            delivery: [
                (p(2), DeliveryCounts { due: 4, on_time: 3 }),
                (p(3), DeliveryCounts { due: 6, on_time: 6 }),
            ]
            .into(),
            due_in_horizon: [(p(2), 50.0), (p(3), 10.0)].into(),
            capacity: [(p(2), 40.0), (p(3), 40.0)].into(),
            remaining_all: [(p(2), 60.0), (p(3), 20.0)].into(),
            remaining_overdue: [(p(2), 20.0)].into(),
            one_on_ones_held: [(p(1), 9)].into(),
            stretched: [p(2), p(3)].into(),
            in_programme: HashSet::new(),
            stretch_approved: [(p(2), 1)].into(),
            influence: [(p(1), 4)].into(),
            objectives: [(p(1), (1, 1)), (p(2), (0, 2)), (p(3), (1, 1))].into(),
            today: day("2026-06-01"),
        };
        let all = all_managers(&facts, &inputs);
        let max = all.iter().find(|f| f.manager == p(1)).unwrap();
        assert_eq!(max.reports, 2);
        assert_eq!(max.delivery, Some(0.9));
        // Dana is at 1.25 (overloaded), Devi at 0.25.
        assert_eq!(max.overloaded_share, Some(0.5));
        assert_eq!(max.workload_spread, Some(1.0));
        assert_eq!(max.work_current, Some(0.75));
        assert_eq!(max.one_on_ones_per_report, Some(4.5));
        // Only Dana has all three: plan reviewed, stretch, mentor.
        assert_eq!(max.career_support, Some(0.5));
        assert_eq!(max.stretch_per_report, Some(0.5));
        assert_eq!(max.grown_share, Some(0.5));
        assert_eq!(max.connection_coverage, Some(1.0));
        assert_eq!(max.influence, Some(4.0));
        assert_eq!(max.directed, Some(2.0 / 3.0));
        assert_eq!(max.due_changes, Some(0.25));
        assert_eq!(max.delegation, Some(0.5));
        assert_eq!(max.objectives_on_track, Some(0.5));
        assert_eq!(max.reviews_on_time, Some(0.5));
        assert_eq!(max.follow_through_on_time, Some(1.0 / 3.0));
        let erin = all.iter().find(|f| f.manager == p(4)).unwrap();
        assert_eq!(erin.delivery, None, "Max has nothing due");
        assert_eq!(erin.connection_coverage, None, "one report makes no pair");
    }

    #[test]
    fn quantiles_skip_missing_values() {
        let v = [Some(1.0), None, Some(3.0), Some(2.0), Some(4.0)];
        assert_eq!(quantile(v.into_iter(), 0.5), Some(2.5));
        assert_eq!(quantile(v.into_iter(), 0.75), Some(3.25));
        assert_eq!(quantile([None].into_iter(), 0.5), None);
    }
}
