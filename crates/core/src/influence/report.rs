//! The influence report: for everyone in scope, over a window ending today, the metrics of
//! PRODUCT.md — influence outside the line, everyone who sought the person's advice, reach
//! and brokerage — computed over the whole organisation's graphs (a person's reach depends
//! on everyone's ties) and shown for the people asked for. Who named whom never leaves
//! this module: only the figures do.
//!
//! The advice graph holds imported advice ties and the ones Trellis holds (mentees seek
//! their mentors, askers of feedback seek whom they ask, advice pulse answers); the
//! interaction graph holds every imported interaction, every advice tie, 1:1s held,
//! feedback given and commitments requested of someone else, undirected.

use super::InteractionKind;
use super::store::InfluenceStore;
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use crate::org::PersonStatus;
use crate::work::reports::{ReportScope, people_in_scope};
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;
use trellis_insight::graph;

/// Exact betweenness up to this many people; above it, estimated from pivots.
pub const EXACT_UP_TO: usize = 10_000;
/// Pivots of the estimate.
pub const PIVOTS: usize = 256;

/// One person's figures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InfluenceRow {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub person_id: PersonId,
    pub email: String,
    pub name: String,
    /// Distinct people outside their line (not their managers up the chain, not anyone
    /// below them) who sought their advice.
    pub influence_outside_line: u32,
    /// Distinct people who sought their advice.
    pub advice_sought_by: u32,
    /// PageRank of the advice graph.
    pub reach: f64,
    /// Betweenness of the interaction graph.
    pub brokerage: f64,
    pub brokerage_exact: bool,
    /// The 95 % half-width of an estimated brokerage.
    pub brokerage_error: Option<f64>,
    /// Without reports, and sought from outside their line like a leader: in the
    /// organisation's top 5 %, or at least 5 and within 10 % of their own manager's.
    pub informal_leader: bool,
}

/// The report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InfluenceReport {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Active people in the organisation's graphs.
    pub people: usize,
    pub advice_ties: usize,
    pub interaction_ties: usize,
    /// Pivots of estimated brokerage; none when exact.
    pub pivots: Option<usize>,
    pub rows: Vec<InfluenceRow>,
    /// How long brokerage took (the command line says so; not part of the answer).
    #[serde(skip)]
    pub brokerage_seconds: f64,
}

/// The organisation's figures over a window: everyone active, in the order of `people`.
pub struct OrgFigures {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub people: Vec<crate::org::import::ExistingPerson>,
    /// Per person: (everyone who sought their advice, those outside their line).
    pub counts: Vec<(u32, u32)>,
    pub reach: Vec<f64>,
    pub brokerage: Vec<f64>,
    /// Half-widths of estimated brokerage; none when exact.
    pub brokerage_error: Option<Vec<f64>>,
    pub informal_leader: Vec<bool>,
    pub advice_ties: usize,
    pub interaction_ties: usize,
    /// How long brokerage took, the slow part.
    pub brokerage_seconds: f64,
}

/// Computes everyone's figures over `window_days` ending today.
pub async fn compute(
    store: &dyn InfluenceStore,
    window_days: u32,
    now: i64,
) -> CoreResult<OrgFigures> {
    let last_day = local_date(None, now);
    let first_day = last_day - Duration::days(i64::from(window_days) - 1);
    let since_at = now - i64::from(window_days) * 86_400;

    // Everyone active, numbered; their managers for the line.
    let people = store.org_people().await?;
    let active: Vec<crate::org::import::ExistingPerson> = people
        .into_iter()
        .filter(|p| p.record.status == PersonStatus::Active)
        .collect();
    let index: HashMap<PersonId, u32> = active
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i as u32))
        .collect();
    let managers: Vec<Option<u32>> = active
        .iter()
        .map(|p| p.manager_id.and_then(|m| index.get(&m).copied()))
        .collect();
    let at = |p: PersonId| index.get(&p).copied();

    let mut advice: Vec<(u32, u32)> = Vec::new();
    let mut interactions: Vec<(u32, u32)> = Vec::new();
    for i in store.interactions_since(first_day).await? {
        if let (Some(from), Some(to)) = (at(i.from), at(i.to)) {
            if i.kind == InteractionKind::Advice {
                advice.push((from, to));
            }
            interactions.push((from, to));
        }
    }
    for (seeker, adviser) in store.held_advice_ties(first_day, since_at).await? {
        if let (Some(s), Some(a)) = (at(seeker), at(adviser)) {
            advice.push((s, a));
            interactions.push((s, a));
        }
    }
    for (a, b) in store.held_interactions(since_at).await? {
        if let (Some(a), Some(b)) = (at(a), at(b)) {
            interactions.push((a, b));
        }
    }
    // 1:1s held in the window.
    for row in store.active_series(false, None).await? {
        let Some(schedule) = &row.series.schedule else {
            continue;
        };
        if let (Some(a), Some(b)) = (at(row.series.organiser.id), at(row.series.other.id))
            && !schedule.held(&row.exceptions, since_at, now).is_empty()
        {
            interactions.push((a, b));
        }
    }
    let n = active.len();
    let edges = graph::advice_edges(&advice);
    let line = graph::Line::new(&managers);
    let counts = graph::advice_counts(n, &edges, &line);
    let reach = graph::pagerank(n, &edges);
    let undirected = graph::Undirected::new(n, &interactions);
    let started = std::time::Instant::now();
    let (brokerage, brokerage_error) = if n <= EXACT_UP_TO {
        (graph::betweenness(&undirected), None)
    } else {
        let s = graph::sampled_betweenness(&undirected, &graph::pivots(n, PIVOTS, 0x1f1u64));
        (s.estimate, Some(s.half_width))
    };
    let brokerage_seconds = started.elapsed().as_secs_f64();
    let interaction_ties = graph::advice_edges(
        &interactions
            .iter()
            .map(|&(a, b)| (a.min(b), a.max(b)))
            .collect::<Vec<_>>(),
    )
    .len();
    let outside: Vec<u32> = counts.iter().map(|c| c.1).collect();
    let informal_leader = informal_leaders(&outside, &managers);
    Ok(OrgFigures {
        first_day,
        last_day,
        people: active,
        counts,
        reach,
        brokerage,
        brokerage_error,
        informal_leader,
        advice_ties: edges.len(),
        interaction_ties,
        brokerage_seconds,
    })
}

/// The report for `scope` over `window_days` ending today.
pub async fn report(
    store: &dyn InfluenceStore,
    viewer: &Viewer,
    scope: ReportScope,
    window_days: u32,
    now: i64,
) -> CoreResult<InfluenceReport> {
    if !(1..=3660).contains(&window_days) {
        return Err(CoreError::field(
            "window",
            "give a window of 1 to 3660 days, like 90d",
        ));
    }
    let wanted = people_in_scope(store, viewer, scope).await?;
    let org = compute(store, window_days, now).await?;
    let row = |i: usize| {
        let p = &org.people[i];
        InfluenceRow {
            person_id: p.id,
            email: p.record.email.to_string(),
            name: p.record.name.to_string(),
            influence_outside_line: org.counts[i].1,
            advice_sought_by: org.counts[i].0,
            reach: org.reach[i],
            brokerage: org.brokerage[i],
            brokerage_exact: org.brokerage_error.is_none(),
            brokerage_error: org.brokerage_error.as_ref().map(|e| e[i]),
            informal_leader: org.informal_leader[i],
        }
    };
    let rows = match wanted {
        None => (0..org.people.len()).map(row).collect(),
        Some(people) => {
            let index: HashMap<PersonId, usize> = org
                .people
                .iter()
                .enumerate()
                .map(|(i, p)| (p.id, i))
                .collect();
            people
                .iter()
                .filter_map(|p| index.get(&p.id))
                .map(|i| row(*i))
                .collect()
        }
    };
    Ok(InfluenceReport {
        first_day: org.first_day,
        last_day: org.last_day,
        people: org.people.len(),
        advice_ties: org.advice_ties,
        interaction_ties: org.interaction_ties,
        pivots: org.brokerage_error.is_some().then_some(PIVOTS),
        rows,
        brokerage_seconds: org.brokerage_seconds,
    })
}

/// Informal leaders (pure): people without reports whose influence outside the line is in
/// the top 5 % of everyone's — at most 5 % of the organisation are sought as much, so a
/// count many people share is never "top" — and above 0; or at least 5 and within 10 % of
/// their own manager's.
pub fn informal_leaders(outside: &[u32], managers: &[Option<u32>]) -> Vec<bool> {
    let n = outside.len();
    let mut has_reports = vec![false; n];
    for m in managers.iter().flatten() {
        has_reports[*m as usize] = true;
    }
    let mut sorted = outside.to_vec();
    sorted.sort_unstable();
    let top_share = n.div_ceil(20);
    (0..n)
        .map(|i| {
            let mine = outside[i];
            let sought_as_much = n - sorted.partition_point(|x| *x < mine);
            let top = mine > 0 && sought_as_much <= top_share;
            let near_manager = managers[i].is_some_and(|m| {
                mine >= 5 && f64::from(mine) >= 0.9 * f64::from(outside[m as usize])
            });
            !has_reports[i] && (top || near_manager)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn informal_leaders_are_sought_like_leaders_without_leading_anyone() {
        // 0 manages 1..=40; 40 people, one in the top 5 % (the two highest: 40 × 5 % = 2).
        let mut managers = vec![Some(0u32); 41];
        managers[0] = None;
        let mut outside = vec![1u32; 41];
        outside[0] = 30; // the manager: has reports, never an informal leader
        outside[7] = 12; // top 5 %
        outside[8] = 27; // within 10 % of the manager's 30, and top 5 %
        outside[9] = 4; // near nobody: too few
        let leaders = informal_leaders(&outside, &managers);
        assert!(!leaders[0]);
        assert!(leaders[7] && leaders[8]);
        assert!(!leaders[9] && !leaders[1]);
        // Within 10 % of the manager but under 5: not enough.
        let leaders = informal_leaders(
            &[
                4, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            ],
            &{
                let mut m = vec![Some(0u32); 22];
                m[0] = None;
                m
            },
        );
        assert!(leaders[1], "4 is the top 5 % here");
        let none = informal_leaders(&[0; 10], &[None; 10]);
        assert!(none.iter().all(|l| !l), "nobody sought: nobody leads");
        // A count half the organisation shares is not the top 5 %.
        let mut many = vec![1u32; 40];
        many[..20].fill(0);
        many[3] = 9;
        let leaders = informal_leaders(&many, &[None; 40]);
        assert!(leaders[3]);
        assert_eq!(leaders.iter().filter(|l| **l).count(), 1, "{leaders:?}");
    }
}
