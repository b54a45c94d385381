//! Organisation dashboards: for admins the whole organisation, for a manager their tree —
//! per department, the delivery, workload, career support and delegation figures, delivery
//! by month, the spread of workload and a 9-box heat map whose cells show a count only
//! where at least five people are behind it. Filters by department, location and level
//! only ever narrow; the CSV export carries the same rows under the same rules.

use crate::access::Viewer;
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use crate::reviews::calibration::place;
use crate::scorecards::figures::{ManagerFigures, quantile};
use crate::scorecards::{TrendPoint, delivery_by_month, history};
use crate::store::Store;
use crate::work::metrics::DeliveryCounts;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// The fewest people a 9-box cell shows a count for.
pub const CELL_THRESHOLD: u32 = 5;

/// Narrows a dashboard.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct DashboardFilter {
    #[serde(default)]
    pub department: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    /// A level code (`L4`).
    #[serde(default)]
    pub level: Option<String>,
}

/// One department's figures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DepartmentRow {
    pub department: String,
    pub people: u32,
    pub managers: u32,
    /// Delivery reliability over 90 days.
    pub delivery: Option<f64>,
    /// Share of people over 1.2 times their capacity within the workload horizon.
    pub overloaded: Option<f64>,
    /// Share of people with a manager who have all three parts of career support.
    pub career_support: Option<f64>,
    /// The managers' median delegation ratio.
    pub delegation_median: Option<f64>,
    /// The median of each scorecard figure over the managers here.
    pub manager_medians: Vec<ManagerMedian>,
}

/// The median of one scorecard figure over a department's managers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManagerMedian {
    pub key: String,
    pub label: String,
    /// A share (0–1) rather than a count.
    pub percent: bool,
    pub median: Option<f64>,
}

/// One cell of the 9-box (performance and potential 0 low … 2 high).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = NineBoxCell))]
pub struct Cell {
    pub performance: u8,
    pub potential: u8,
    /// `None` when fewer than [`CELL_THRESHOLD`] people are in it.
    pub count: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NineBox {
    /// The review cycle the places come from; none before any.
    pub cycle: Option<String>,
    pub placed: u32,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = WorkloadBucket))]
pub struct Bucket {
    pub label: String,
    pub people: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    /// "The organisation", or the manager's tree.
    pub scope: String,
    pub people: u32,
    pub departments: Vec<String>,
    pub locations: Vec<String>,
    pub levels: Vec<String>,
    pub rows: Vec<DepartmentRow>,
    pub total: DepartmentRow,
    pub delivery_trend: Vec<TrendPoint>,
    pub workload: Vec<Bucket>,
    pub nine_box: NineBox,
}

struct Member {
    id: PersonId,
    department: Arc<str>,
    location: Option<String>,
    level: Option<Arc<str>>,
    has_manager: bool,
}

/// A person's figures as the dashboard's rows read them.
struct Counted<'a> {
    member: &'a Member,
    delivery: Option<DeliveryCounts>,
    /// Work due within the horizon over capacity.
    ratio: f64,
    /// Has a manager and all three parts of career support.
    supported: bool,
    /// Their own scorecard figures, when they manage.
    figures: Option<&'a ManagerFigures>,
}

fn matches(filter: &Option<String>, value: Option<&str>) -> bool {
    match filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        None => true,
        Some(f) => value.is_some_and(|v| v.eq_ignore_ascii_case(f)),
    }
}

/// The 9-box counts (pure): a cell with fewer than the threshold shows none.
pub fn heat_map(places: &[(u8, u8)], threshold: u32) -> Vec<Cell> {
    let mut counts: HashMap<(u8, u8), u32> = HashMap::new();
    for p in places {
        *counts.entry(*p).or_default() += 1;
    }
    let mut cells = Vec::new();
    for potential in (0..3).rev() {
        for performance in 0..3 {
            let n = counts.get(&(performance, potential)).copied().unwrap_or(0);
            cells.push(Cell {
                performance,
                potential,
                count: (n >= threshold).then_some(n),
            });
        }
    }
    cells
}

/// Workload buckets (pure).
pub fn buckets(ratios: &[f64]) -> Vec<Bucket> {
    let edges = [
        ("up to 50 %", 0.5),
        ("50–80 %", 0.8),
        ("80–100 %", 1.0),
        ("100–120 %", 1.2),
    ];
    let mut out: Vec<Bucket> = edges
        .iter()
        .map(|(l, _)| Bucket {
            label: (*l).into(),
            people: 0,
        })
        .collect();
    out.push(Bucket {
        label: "over 120 %".into(),
        people: 0,
    });
    for r in ratios {
        let i = edges
            .iter()
            .position(|(_, e)| r <= e)
            .unwrap_or(edges.len());
        out[i].people += 1;
    }
    out
}

/// Maps keyed by person with a fast hasher: a dashboard over everyone looks each
/// person up in several of them.
type ByPerson<V> = HashMap<PersonId, V, foldhash::fast::RandomState>;
type People = HashSet<PersonId, foldhash::fast::RandomState>;

/// What the department rows read per person, besides the managers' recorded figures.
struct Support {
    delivery: ByPerson<DeliveryCounts>,
    /// Remaining hours due within the workload horizon, and capacity over it.
    due_in_horizon: ByPerson<f64>,
    own_capacity: ByPerson<f64>,
    default_capacity: f64,
    /// The three parts of career support coverage.
    reviewed: People,
    stretched: People,
    mentored: People,
    in_programme: People,
}

impl Support {
    /// Reads it for these people (everyone when `None`), with the windows of the
    /// scorecards.
    async fn read(store: &dyn Store, people: Option<&[PersonId]>, now: i64) -> CoreResult<Self> {
        let b = crate::scorecards::Bounds::of(now);
        let settings = store.settings().await?;
        let horizon_days = f64::from(settings.workload_horizon_days);
        let horizon = crate::work::reports::horizon(b.today, &settings).last;
        // Independent reads, side by side.
        let (support, delivery, due, capacities, stretched, in_programme) = futures_util::join!(
            store.plan_reviewed_and_mentored(b.today, b.half_year, people),
            store.delivery_by_owner(people, b.window(), b.today),
            store.remaining_effort(people, horizon),
            store.capacities(people),
            store.stretched_since(b.start(b.quarter)),
            store.in_development_since(b.start(b.half_year)),
        );
        let (reviewed, mentored) = support?;
        let wanted: Option<People> = people.map(|p| p.iter().copied().collect());
        let keep = |ids: Vec<PersonId>| -> People {
            ids.into_iter()
                .filter(|p| wanted.as_ref().is_none_or(|w| w.contains(p)))
                .collect()
        };
        Ok(Support {
            delivery: delivery?.into_iter().collect(),
            due_in_horizon: due?.into_iter().collect(),
            own_capacity: capacities?
                .into_iter()
                .map(|(p, weekly)| (p, weekly * horizon_days / 7.0))
                .collect(),
            default_capacity: f64::from(settings.default_capacity_hours) * horizon_days / 7.0,
            reviewed: keep(reviewed),
            mentored: keep(mentored),
            stretched: keep(stretched?),
            in_programme: keep(in_programme?),
        })
    }

    /// Work due within the horizon over capacity, as the scorecards count it.
    fn workload_ratio(&self, p: PersonId) -> f64 {
        let left = self.due_in_horizon.get(&p).copied().unwrap_or(0.0);
        let capacity = self
            .own_capacity
            .get(&p)
            .copied()
            .unwrap_or(self.default_capacity);
        match capacity {
            c if c > 0.0 => left / c,
            _ if left > 0.0 => f64::INFINITY,
            _ => 0.0,
        }
    }

    /// All three parts of career support.
    fn supported(&self, p: PersonId) -> bool {
        self.reviewed.contains(&p)
            && self.stretched.contains(&p)
            && (self.mentored.contains(&p) || self.in_programme.contains(&p))
    }
}

async fn scope(
    store: &dyn Store,
    viewer: &Viewer,
) -> CoreResult<(String, Option<HashSet<PersonId>>)> {
    if viewer.may_administer() {
        return Ok(("The organisation".into(), None));
    }
    if !viewer.has_reports() {
        return Err(CoreError::Forbidden(
            "see dashboards; managers see their tree's, people admins everyone's".into(),
        ));
    }
    let tree: HashSet<PersonId> = store
        .tree_members(viewer.person_id())
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    Ok(("Your organisation".into(), Some(tree)))
}

/// What a dashboard can be filtered by: the values among the people it covers.
struct Facets {
    departments: Vec<String>,
    locations: Vec<String>,
    levels: Vec<String>,
}

/// The people a dashboard covers — its tree, else everyone active — with the facets to
/// filter by, and those the filter keeps.
fn in_view(
    members: Vec<crate::scorecards::store::DashboardMember>,
    tree: Option<&HashSet<PersonId>>,
    filter: &DashboardFilter,
) -> (Facets, Vec<Member>) {
    let people: Vec<Member> = members
        .into_iter()
        .filter(|p| tree.is_none_or(|t| t.contains(&p.id)))
        .map(|p| Member {
            id: p.id,
            department: p.department.unwrap_or_else(|| "No department".into()),
            location: p.location,
            level: p.level,
            has_manager: p.has_manager,
        })
        .collect();
    let facet = |f: fn(&Member) -> Option<&str>| -> Vec<String> {
        people
            .iter()
            .filter_map(f)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(str::to_string)
            .collect()
    };
    let facets = Facets {
        departments: facet(|m| Some(&m.department)),
        locations: facet(|m| m.location.as_deref()),
        levels: facet(|m| m.level.as_deref()),
    };
    let kept = people
        .into_iter()
        .filter(|m| matches(&filter.department, Some(&m.department)))
        .filter(|m| matches(&filter.location, m.location.as_deref()))
        .filter(|m| matches(&filter.level, m.level.as_deref()))
        .collect();
    (facets, kept)
}

pub async fn show(
    store: &dyn Store,
    viewer: &Viewer,
    filter: &DashboardFilter,
    now: i64,
) -> CoreResult<Dashboard> {
    let (scope_name, tree) = scope(store, viewer).await?;
    // Everyone's figures are read with no list of people; a tree or a filter names them.
    let narrowed = tree.is_some()
        || [&filter.department, &filter.location, &filter.level]
            .iter()
            .any(|f| f.as_deref().is_some_and(|f| !f.trim().is_empty()));
    // Over everyone, the reads start together; narrowed, the people are read first.
    let (members, everyone, compared) = futures_util::join!(
        store.dashboard_members(),
        async {
            if narrowed {
                return None;
            }
            Some(futures_util::join!(
                Support::read(store, None, now),
                delivery_by_month(store, None, now)
            ))
        },
        history::compared(store, now),
    );
    let (facets, people) = in_view(members?, tree.as_ref(), filter);
    let Facets {
        departments,
        locations,
        levels,
    } = facets;
    let ids: Vec<PersonId> = people.iter().map(|m| m.id).collect();
    let (support, delivery_trend, nine_box) = match everyone {
        Some((support, trend)) => (support?, trend?, nine_box(store, &ids).await?),
        None => {
            let (support, trend, places) = futures_util::join!(
                Support::read(store, Some(&ids), now),
                delivery_by_month(store, Some(&ids), now),
                nine_box(store, &ids),
            );
            (support?, trend?, places?)
        }
    };
    // Each manager's scorecard figures as the worker recorded them today.
    let managers: ByPerson<ManagerFigures> =
        compared?.into_iter().map(|f| (f.manager, f)).collect();
    // Each person's figures, looked up once for their department's row and the total.
    let counted: Vec<Counted> = people
        .iter()
        .map(|m| Counted {
            member: m,
            delivery: support.delivery.get(&m.id).copied(),
            ratio: support.workload_ratio(m.id),
            supported: m.has_manager && support.supported(m.id),
            figures: managers.get(&m.id),
        })
        .collect();
    let comparable = crate::scorecards::comparable();
    let row = |name: String, group: &[&Counted]| {
        let n = group.len();
        let (mut due, mut on_time) = (0, 0);
        for c in group.iter().filter_map(|c| c.delivery) {
            due += c.due;
            on_time += c.on_time;
        }
        let with_manager = group.iter().filter(|c| c.member.has_manager).count();
        let supported = group.iter().filter(|c| c.supported).count();
        let mine: Vec<&ManagerFigures> = group.iter().filter_map(|c| c.figures).collect();
        let delegation = mine.iter().map(|f| f.delegation);
        let manager_medians = comparable
            .iter()
            .map(|(key, label, percent, pick)| ManagerMedian {
                key: (*key).into(),
                label: (*label).into(),
                percent: *percent,
                median: quantile(mine.iter().map(|f| pick(f)), 0.5),
            })
            .collect();
        DepartmentRow {
            department: name,
            people: n as u32,
            managers: mine.len() as u32,
            delivery: (due > 0).then(|| on_time as f64 / due as f64),
            overloaded: (n > 0)
                .then(|| group.iter().filter(|c| c.ratio > 1.2).count() as f64 / n as f64),
            career_support: (with_manager > 0).then(|| supported as f64 / with_manager as f64),
            delegation_median: quantile(delegation, 0.5),
            manager_medians,
        }
    };
    let mut by_department: BTreeMap<&str, Vec<&Counted>> = BTreeMap::new();
    for c in &counted {
        by_department
            .entry(&c.member.department)
            .or_default()
            .push(c);
    }
    let rows = by_department
        .into_iter()
        .map(|(d, group)| row(d.to_string(), &group))
        .collect();
    let all: Vec<&Counted> = counted.iter().collect();
    let ratios: Vec<f64> = counted.iter().map(|c| c.ratio).collect();
    Ok(Dashboard {
        scope: scope_name,
        people: people.len() as u32,
        departments,
        locations,
        levels,
        rows,
        total: row("All".into(), &all),
        delivery_trend,
        workload: buckets(&ratios),
        nine_box,
    })
}

/// The places of the latest review cycle with any, for the people given.
async fn nine_box(store: &dyn Store, people: &[PersonId]) -> CoreResult<NineBox> {
    let wanted: HashSet<PersonId> = people.iter().copied().collect();
    let mut cycles = store.cycles().await?;
    cycles.sort_by_key(|c| std::cmp::Reverse((c.launched_at, c.id)));
    for cycle in cycles {
        let places: Vec<(u8, u8)> = store
            .box_inputs(cycle.id)
            .await?
            .iter()
            .filter(|r| wanted.contains(&r.reviewee))
            .filter_map(|r| place(&cycle, &r.manager_answers, r.last_move))
            .map(|p| (p.performance, p.potential))
            .collect();
        if !places.is_empty() {
            return Ok(NineBox {
                cycle: Some(cycle.name.clone()),
                placed: places.len() as u32,
                cells: heat_map(&places, CELL_THRESHOLD),
            });
        }
    }
    Ok(NineBox {
        cycle: None,
        placed: 0,
        cells: heat_map(&[], CELL_THRESHOLD),
    })
}

/// The rows as CSV, with the header first: the department figures, then the median of
/// each scorecard figure over the department's managers.
pub fn csv(d: &Dashboard) -> String {
    let number = |v: Option<f64>| v.map(|v| format!("{v:.3}")).unwrap_or_default();
    let mut header = vec![
        "department".to_string(),
        "people".into(),
        "managers".into(),
        "delivery".into(),
        "overloaded".into(),
        "career_support".into(),
        "delegation_median".into(),
    ];
    header.extend(
        d.total
            .manager_medians
            .iter()
            .map(|m| format!("managers_median_{}", m.key)),
    );
    let mut out = header.join(",") + "\n";
    for r in d.rows.iter().chain(std::iter::once(&d.total)) {
        let name = if r.department.contains([',', '"', '\n']) {
            format!("\"{}\"", r.department.replace('"', "\"\""))
        } else {
            r.department.clone()
        };
        let mut cells = vec![
            name,
            r.people.to_string(),
            r.managers.to_string(),
            number(r.delivery),
            number(r.overloaded),
            number(r.career_support),
            number(r.delegation_median),
        ];
        cells.extend(r.manager_medians.iter().map(|m| number(m.median)));
        out += &(cells.join(",") + "\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_shows_its_count_only_from_five_people() {
        let mut places = vec![(2, 2); 5];
        places.extend([(1, 1); 4]);
        let cells = heat_map(&places, 5);
        assert_eq!(cells.len(), 9);
        let cell = |perf: u8, pot: u8| {
            cells
                .iter()
                .find(|c| c.performance == perf && c.potential == pot)
                .unwrap()
                .count
        };
        assert_eq!(cell(2, 2), Some(5));
        assert_eq!(cell(1, 1), None, "four people are too few");
        assert_eq!(cell(0, 0), None);
        // High potential is the top row.
        assert_eq!((cells[0].potential, cells[0].performance), (2, 0));
    }

    #[test]
    fn workload_falls_into_five_buckets() {
        let b = buckets(&[0.1, 0.5, 0.79, 1.0, 1.2, 1.21, f64::INFINITY]);
        let counts: Vec<u32> = b.iter().map(|b| b.people).collect();
        // 1.2 is not overloaded: over 1.2 is.
        assert_eq!(counts, [2, 1, 1, 1, 2]);
    }
}
