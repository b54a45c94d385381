//! The team job view: a manager's whole tree — ordered priorities, what is due this week
//! and overdue, workload per person against capacity, delivery reliability per person and
//! for the team with a monthly trend, and the team's objectives.
//!
//! The manager, their own managers and admins see all of it. The manager's direct reports
//! see the team's priorities only: workload and reliability of others are not theirs to see.

use super::commitments::PRIORITY_LIST_LIMIT;
use super::metrics::{DeliveryCounts, Window, Workload};
use super::objectives::view;
use super::reports::{horizon, workloads};
use super::store::{CommitmentOrder, ObjectiveFilter};
use super::{Commitment, ObjectiveView};
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use crate::ids::PersonName;
use crate::org::people::standing;
use crate::work::store::WorkStore;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// One person of the tree with their figures.
#[derive(Debug, Clone, Serialize)]
pub struct MemberFigures {
    pub person: PersonName,
    pub title: Option<String>,
    pub manager_id: Option<PersonId>,
    /// 0 for the manager, 1 for direct reports, …
    pub depth: u32,
    pub workload: Workload,
    pub workload_ratio: Option<f64>,
    pub overloaded: bool,
    pub delivery: DeliveryCounts,
    pub reliability: Option<f64>,
    /// Open work past its agreed date.
    pub overdue: i64,
}

/// How the people of a team view are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MemberOrder {
    /// The reporting tree, as the org chart.
    #[default]
    Tree,
    /// Most loaded first (no capacity at all counts as the most).
    Workload,
    /// Least reliable first (no data last).
    Reliability,
    /// Most overdue first.
    Overdue,
    Name,
}

impl MemberOrder {
    pub const ALL: [MemberOrder; 5] = [
        MemberOrder::Tree,
        MemberOrder::Workload,
        MemberOrder::Reliability,
        MemberOrder::Overdue,
        MemberOrder::Name,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberOrder::Tree => "tree",
            MemberOrder::Workload => "workload",
            MemberOrder::Reliability => "reliability",
            MemberOrder::Overdue => "overdue",
            MemberOrder::Name => "name",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MemberOrder::Tree => "reporting lines",
            MemberOrder::Workload => "workload, highest first",
            MemberOrder::Reliability => "reliability, lowest first",
            MemberOrder::Overdue => "overdue work, most first",
            MemberOrder::Name => "name",
        }
    }

    pub fn parse(text: &str) -> Option<MemberOrder> {
        MemberOrder::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// Orders the people; ties keep the tree's order.
    pub fn sort(self, members: &mut [MemberFigures]) {
        let load = |m: &MemberFigures| match m.workload_ratio {
            Some(r) => r,
            None if m.workload.remaining_hours > 0.0 => f64::INFINITY,
            None => 0.0,
        };
        match self {
            MemberOrder::Tree => {}
            MemberOrder::Workload => members.sort_by(|a, b| load(b).total_cmp(&load(a))),
            MemberOrder::Reliability => {
                members.sort_by(|a, b| match (a.reliability, b.reliability) {
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => std::cmp::Ordering::Equal,
                })
            }
            MemberOrder::Overdue => members.sort_by_key(|m| std::cmp::Reverse(m.overdue)),
            MemberOrder::Name => members.sort_by_key(|m| m.person.name.to_lowercase()),
        }
    }
}

/// One month of the team's delivery trend.
#[derive(Debug, Clone, Serialize)]
pub struct MonthDelivery {
    /// `YYYY-MM`.
    pub month: String,
    pub delivery: DeliveryCounts,
    pub reliability: Option<f64>,
}

/// What the viewer sees of a team.
#[derive(Debug, Clone, Serialize)]
pub struct TeamJobView {
    pub manager: PersonName,
    /// The viewer sees workload, delivery and objectives (not only priorities).
    pub full: bool,
    pub can_reorder: bool,
    pub today: NaiveDate,
    /// Open commitments of the tree, highest priority first.
    pub priorities: Vec<Commitment>,
    /// More open commitments exist than the list holds.
    pub priorities_truncated: bool,
    pub overdue: Vec<Commitment>,
    /// Open, due from today to Sunday.
    pub due_this_week: Vec<Commitment>,
    pub members: Vec<MemberFigures>,
    pub overloaded_count: usize,
    pub window: Window,
    pub horizon: Window,
    pub team_delivery: DeliveryCounts,
    pub team_reliability: Option<f64>,
    pub trend: Vec<MonthDelivery>,
    pub objectives: Vec<ObjectiveView>,
}

/// How many overdue or due-this-week items the view lists.
const DUE_LIST_LIMIT: i64 = 200;

pub async fn show(
    store: &dyn WorkStore,
    viewer: &Viewer,
    manager: PersonId,
    window_days: u32,
    now: i64,
) -> CoreResult<TeamJobView> {
    if !(7..=730).contains(&window_days) {
        return Err(CoreError::field(
            "window",
            "choose a window of 7 to 730 days",
        ));
    }
    let s = standing(store, viewer, manager).await?;
    let full = s.reach.acts_for();
    let teammate = !full
        && store
            .person(viewer.person_id())
            .await?
            .is_some_and(|me| me.manager_id == Some(manager));
    if !full && !teammate {
        return Err(CoreError::Forbidden(format!(
            "see the work of {}'s team",
            s.person.name
        )));
    }
    let settings = store.settings().await?;
    let today = local_date(None, now);
    let members = store.tree_members(manager).await?;
    let ids: Vec<PersonId> = members.iter().map(|m| m.id).collect();
    let mut priorities = store
        .open_commitments(
            &ids,
            CommitmentOrder::Priority,
            None,
            PRIORITY_LIST_LIMIT + 1,
        )
        .await?;
    if !full {
        // Teammates read the team's work, not what belongs to a private context.
        priorities.retain(|c| c.private_about.is_none());
    }
    let priorities_truncated = priorities.len() as i64 > PRIORITY_LIST_LIMIT;
    priorities.truncate(PRIORITY_LIST_LIMIT as usize);
    let manager_name = PersonName {
        id: manager,
        name: s.person.name.clone(),
    };
    let window = Window::ending(today, window_days);
    let horizon = horizon(today, &settings);
    if !full {
        return Ok(TeamJobView::teammates(
            manager_name,
            today,
            priorities,
            priorities_truncated,
            window,
            horizon,
        ));
    }
    let sunday = today + Duration::days(6 - i64::from(today.weekday().num_days_from_monday()));
    // The team's objectives: those of the manager and of their direct reports.
    let owners: Vec<PersonId> = members
        .iter()
        .filter(|m| m.depth <= 1)
        .map(|m| m.id)
        .collect();
    let objective_filter = ObjectiveFilter {
        active_on: Some(today),
        owners: Some(owners),
        ..ObjectiveFilter::default()
    };
    // Independent reads, side by side.
    let (due_soon, by_month, workloads, objectives, late) = futures_util::join!(
        store.open_commitments(&ids, CommitmentOrder::DueDate, Some(sunday), DUE_LIST_LIMIT),
        store.delivery_by_owner_and_month(Some(&ids), window, today),
        workloads(store, Some(&ids), &ids, &settings, horizon),
        store.objectives(&objective_filter),
        store.overdue_by_owner(&ids, today),
    );
    let (overdue, due_this_week): (Vec<_>, Vec<_>) =
        due_soon?.into_iter().partition(|c| c.is_overdue(today));
    let mut delivery: HashMap<PersonId, DeliveryCounts> = HashMap::new();
    let mut months: std::collections::BTreeMap<String, DeliveryCounts> = Default::default();
    for (owner, month, counts) in by_month? {
        delivery.entry(owner).or_default().add(counts);
        months.entry(month).or_default().add(counts);
    }
    let (mut figures, team) = member_figures(&members, &delivery, &workloads?);
    count_overdue(&mut figures, late?);
    let trend = months
        .into_iter()
        .map(|(month, d)| MonthDelivery {
            month,
            reliability: d.reliability(),
            delivery: d,
        })
        .collect();
    let mut objectives: Vec<ObjectiveView> =
        objectives?.into_iter().map(|o| view(o, now)).collect();
    // The team's own objectives first, then personal ones.
    objectives.sort_by_key(|o| o.objective.scope.rank());
    Ok(TeamJobView {
        manager: manager_name,
        full,
        can_reorder: !s.reach.is_self() || viewer.has_reports(),
        today,
        priorities,
        priorities_truncated,
        overdue,
        due_this_week,
        overloaded_count: figures.iter().filter(|m| m.overloaded).count(),
        members: figures,
        window,
        horizon,
        team_reliability: team.reliability(),
        team_delivery: team,
        trend,
        objectives,
    })
}

/// Each member's open work past its agreed date.
fn count_overdue(figures: &mut [MemberFigures], late: Vec<(PersonId, i64)>) {
    let late: HashMap<PersonId, i64> = late.into_iter().collect();
    for m in figures {
        m.overdue = late.get(&m.person.id).copied().unwrap_or(0);
    }
}

/// Each member's workload and delivery, and the team's delivery in total.
fn member_figures(
    members: &[crate::work::store::TreeMember],
    delivery: &HashMap<PersonId, DeliveryCounts>,
    workloads: &HashMap<PersonId, Workload>,
) -> (Vec<MemberFigures>, DeliveryCounts) {
    let mut team = DeliveryCounts::default();
    let figures: Vec<MemberFigures> = members
        .iter()
        .map(|m| {
            let d = delivery.get(&m.id).copied().unwrap_or_default();
            team.add(d);
            let w = workloads[&m.id];
            MemberFigures {
                person: PersonName {
                    id: m.id,
                    name: m.name.clone(),
                },
                title: m.title.clone(),
                manager_id: m.manager_id,
                depth: m.depth,
                workload_ratio: w.ratio(),
                overloaded: w.overloaded(),
                workload: w,
                reliability: d.reliability(),
                delivery: d,
                overdue: 0,
            }
        })
        .collect();
    (figures, team)
}

impl TeamJobView {
    /// What a teammate sees: the team's priorities, none of the figures.
    fn teammates(
        manager: PersonName,
        today: NaiveDate,
        priorities: Vec<Commitment>,
        priorities_truncated: bool,
        window: Window,
        horizon: Window,
    ) -> TeamJobView {
        TeamJobView {
            manager,
            full: false,
            can_reorder: false,
            today,
            priorities,
            priorities_truncated,
            overdue: Vec::new(),
            due_this_week: Vec::new(),
            members: Vec::new(),
            overloaded_count: 0,
            window,
            horizon,
            team_delivery: DeliveryCounts::default(),
            team_reliability: None,
            trend: Vec::new(),
            objectives: Vec::new(),
        }
    }
}
