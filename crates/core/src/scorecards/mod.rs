//! The two scorecards of a manager, side by side: the manager's job (the work gets done)
//! and the leader's job (people grow), each figure with its definition and the
//! organisation's median, and the directing-or-coaching signal from behaviour (PRODUCT.md)
//! with its three parts. For the manager, their manager chain and admins.

pub mod figures;
pub mod history;
pub mod store;

use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult};
use crate::ids::{PersonId, PersonName};
use crate::org::people::standing;
use crate::store::Store;
use crate::work::metrics::Window;
use chrono::{Datelike, Duration, Months, NaiveDate};
use figures::{ManagerFigures, PersonInputs, all_managers, quantile};
use serde::Serialize;
use std::collections::HashMap;
use store::OrgFacts;

/// Days behind the windowed figures.
pub const WINDOW_DAYS: u32 = 90;
/// Months of trend.
pub const TREND_MONTHS: u32 = 6;

/// One figure of a scorecard.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ScorecardFigure))]
pub struct Figure {
    pub key: String,
    pub label: String,
    pub value: Option<f64>,
    /// The value in words ("83 %", "2.5 a report", "none to count").
    pub shown: String,
    /// The organisation's median over every manager with a value; none where figures
    /// are not compared across managers.
    pub median: Option<f64>,
    pub median_shown: Option<String>,
    /// How it is counted.
    pub definition: String,
    /// By month, oldest first, where its history is known.
    pub trend: Vec<TrendPoint>,
    /// A share (0–1) rather than a count.
    pub percent: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    pub label: String,
    pub value: Option<f64>,
}

/// One part of the directing-or-coaching signal.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignalPart {
    pub label: String,
    pub value: Option<f64>,
    /// The organisation's upper quartile of this part.
    pub upper_quartile: Option<f64>,
    pub in_top_quartile: bool,
}

/// PRODUCT.md's signal: "directing closely" only when two of the three parts are in the
/// organisation's top quartile, and always with the figures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DirectingSignal))]
pub struct Signal {
    pub parts: Vec<SignalPart>,
    pub directing_closely: bool,
    pub sentence: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Scorecard {
    pub manager: PersonName,
    pub reports: u32,
    /// Managers the medians are taken over.
    pub managers_compared: u32,
    pub managing: Vec<Figure>,
    pub leading: Vec<Figure>,
    pub signal: Signal,
}

fn percent(v: f64) -> String {
    format!("{:.0} %", v * 100.0)
}

fn one_decimal(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

struct Spec {
    key: &'static str,
    label: &'static str,
    definition: &'static str,
    as_percent: bool,
    pick: Pick,
}

fn figure(spec: &Spec, mine: &ManagerFigures, all: &[ManagerFigures]) -> Figure {
    let show = |v: f64| {
        if spec.as_percent {
            percent(v)
        } else {
            one_decimal(v)
        }
    };
    let value = (spec.pick)(mine);
    let median = quantile(all.iter().map(spec.pick), 0.5);
    Figure {
        key: spec.key.into(),
        label: spec.label.into(),
        value,
        shown: value.map(show).unwrap_or_else(|| "nothing to count".into()),
        median,
        median_shown: median.map(show),
        definition: spec.definition.into(),
        trend: Vec::new(),
        percent: spec.as_percent,
    }
}

fn own_figure(
    key: &str,
    label: &str,
    definition: &str,
    value: Option<f64>,
    shown: String,
) -> Figure {
    Figure {
        key: key.into(),
        label: label.into(),
        value,
        shown,
        median: None,
        median_shown: None,
        definition: definition.into(),
        trend: Vec::new(),
        percent: false,
    }
}

const MANAGING: [Spec; 7] = [
    Spec {
        key: "delivery",
        label: "Delivery reliability of the team",
        definition: "Commitments of their direct reports completed by the agreed due date ÷ those whose agreed date fell in the last 90 days (PRODUCT.md).",
        as_percent: true,
        pick: |f| f.delivery,
    },
    Spec {
        key: "overloaded",
        label: "Overloaded reports",
        definition: "Share of direct reports whose open work due within the workload horizon is over 1.2 times their capacity.",
        as_percent: true,
        pick: |f| f.overloaded_share,
    },
    Spec {
        key: "workload_spread",
        label: "Workload spread",
        definition: "The most loaded report's workload minus the least loaded one's (1.0 is a full horizon of work): how evenly the work is shared.",
        as_percent: false,
        pick: |f| f.workload_spread,
    },
    Spec {
        key: "work_current",
        label: "Priorities kept current",
        definition: "Share of the team's remaining open hours that are not past their due date.",
        as_percent: true,
        pick: |f| f.work_current,
    },
    Spec {
        key: "objectives",
        label: "Objectives on track",
        definition: "Share of the running objectives of the manager and their direct reports that are on track (progress against the time gone).",
        as_percent: true,
        pick: |f| f.objectives_on_track,
    },
    Spec {
        key: "reviews_on_time",
        label: "Reviews completed on time",
        definition: "Share of the manager reviews they were due to write in review cycles of the last year that they submitted by the deadline (with any extension).",
        as_percent: true,
        pick: |f| f.reviews_on_time,
    },
    Spec {
        key: "one_on_ones",
        label: "1:1s held",
        definition: "1:1s held with direct reports in the last 90 days, per report.",
        as_percent: false,
        pick: |f| f.one_on_ones_per_report,
    },
];

const LEADING: [Spec; 6] = [
    Spec {
        key: "career_support",
        label: "Career support coverage",
        definition: "Share of direct reports with a career plan reviewed in the last six months, stretch work in the last quarter, and a mentor or development programme (PRODUCT.md).",
        as_percent: true,
        pick: |f| f.career_support,
    },
    Spec {
        key: "follow_through",
        label: "Growth-question follow-through on time",
        definition: "Share of the follow-through items from their answers to the three growth questions, due by now or done, that were done by their agreed date.",
        as_percent: true,
        pick: |f| f.follow_through_on_time,
    },
    Spec {
        key: "stretch_given",
        label: "Stretch given",
        definition: "Stretch assignments approved for direct reports in the last year, per report.",
        as_percent: false,
        pick: |f| f.stretch_per_report,
    },
    Spec {
        key: "people_grown",
        label: "People grown",
        definition: "Share of direct reports whose level or skills changed in the last year.",
        as_percent: true,
        pick: |f| f.grown_share,
    },
    Spec {
        key: "connection_coverage",
        label: "Connection coverage of the team",
        definition: "Pairs of direct reports who have met in a connection round ÷ all their pairs (pairs a private exclusion keeps apart are left out of both).",
        as_percent: true,
        pick: |f| f.connection_coverage,
    },
    Spec {
        key: "influence",
        label: "Their influence outside the line",
        definition: "Distinct people outside their line of authority who sought their advice in the last 90 days (PRODUCT.md).",
        as_percent: false,
        pick: |f| f.influence,
    },
];

/// The figures compared across managers: key, label, whether a share, and how to read it.
pub fn comparable() -> Vec<(&'static str, &'static str, bool, Pick)> {
    MANAGING
        .iter()
        .chain(LEADING.iter())
        .map(|s| (s.key, s.label, s.as_percent, s.pick))
        .collect()
}

/// Every manager's figures.
pub async fn all_figures(store: &dyn Store, now: i64) -> CoreResult<Vec<ManagerFigures>> {
    let (facts, inputs) = gather(store, now).await?;
    Ok(all_managers(&facts, &inputs))
}

/// One manager's figures, read from the facts about them and their direct reports alone;
/// `None` when they have no reports. Equal to their entry in [`all_figures`].
pub async fn figures_of(
    store: &dyn Store,
    manager: PersonId,
    now: i64,
) -> CoreResult<Option<ManagerFigures>> {
    let reports = reports_of(store, manager).await?;
    figures_with_reports(store, manager, &reports, now).await
}

async fn reports_of(store: &dyn Store, manager: PersonId) -> CoreResult<Vec<PersonId>> {
    Ok(store
        .direct_reports(manager)
        .await?
        .iter()
        .map(|r| r.id)
        .collect())
}

/// [`figures_of`] with the manager's direct reports already read.
async fn figures_with_reports(
    store: &dyn Store,
    manager: PersonId,
    reports: &[PersonId],
    now: i64,
) -> CoreResult<Option<ManagerFigures>> {
    if reports.is_empty() {
        return Ok(None);
    }
    let mut team = reports.to_vec();
    team.push(manager);
    let (facts, inputs) = gather_for(store, now, Some((manager, &team))).await?;
    Ok(all_managers(&facts, &inputs)
        .into_iter()
        .find(|f| f.manager == manager))
}

/// The day the figures are for and the windows they count over.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    pub today: NaiveDate,
    pub quarter: NaiveDate,
    pub half_year: NaiveDate,
    pub year: NaiveDate,
    /// The start of the [`WINDOW_DAYS`] window, in seconds.
    pub since: i64,
}

impl Bounds {
    pub fn of(now: i64) -> Self {
        let today = local_date(None, now);
        let back = |months| {
            today
                .checked_sub_months(Months::new(months))
                .unwrap_or(today)
        };
        Bounds {
            today,
            quarter: back(3),
            half_year: back(6),
            year: back(12),
            since: now - i64::from(WINDOW_DAYS) * 86_400,
        }
    }

    /// The [`WINDOW_DAYS`] ending today.
    pub fn window(&self) -> Window {
        Window::ending(self.today, WINDOW_DAYS)
    }

    /// Midnight UTC starting a day, in seconds.
    pub fn start(&self, day: NaiveDate) -> i64 {
        day.and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp())
    }
}

/// The organisation's facts and each person's inputs to the figures.
pub async fn gather(store: &dyn Store, now: i64) -> CoreResult<(OrgFacts, PersonInputs)> {
    gather_for(store, now, None).await
}

/// [`gather`], or with a manager and their team (them and their direct reports) only
/// what that manager's figures read.
async fn gather_for(
    store: &dyn Store,
    now: i64,
    team: Option<(PersonId, &[PersonId])>,
) -> CoreResult<(OrgFacts, PersonInputs)> {
    let people = team.map(|(_, people)| people);
    let manager = team.map(|(manager, _)| manager);
    let b = Bounds::of(now);
    let (today, half_year, quarter, year, since) =
        (b.today, b.half_year, b.quarter, b.year, b.since);
    let start = |d: NaiveDate| b.start(d);
    let facts = store
        .org_facts(today, half_year, year, since, people)
        .await?;
    let settings = store.settings().await?;
    let horizon_days = settings.workload_horizon_days;
    let default_capacity = f64::from(settings.default_capacity_hours);
    let own: HashMap<PersonId, f64> = store.capacities(people).await?.into_iter().collect();
    let capacity = facts
        .lines
        .iter()
        .map(|(p, _)| {
            let weekly = own.get(p).copied().unwrap_or(default_capacity);
            (*p, weekly * f64::from(horizon_days) / 7.0)
        })
        .collect();
    let everyone: Vec<PersonId> = facts.lines.iter().map(|(p, _)| *p).collect();
    let mut held: HashMap<PersonId, usize> = HashMap::new();
    let organisers = manager.map(|m| vec![m]);
    for row in store.active_series(true, organisers.as_deref()).await? {
        if let Some(s) = &row.series.schedule {
            *held.entry(row.series.organiser.id).or_default() +=
                s.held(&row.exceptions, since, now).len();
        }
    }
    let effort = |until: NaiveDate| async move {
        store
            .remaining_effort(people, until)
            .await
            .map(|rows| rows.into_iter().collect::<HashMap<_, _>>())
    };
    let wanted = |ids: Vec<PersonId>| -> std::collections::HashSet<PersonId> {
        ids.into_iter()
            .filter(|p| people.is_none_or(|team| team.contains(p)))
            .collect()
    };
    let inputs = PersonInputs {
        delivery: store
            .delivery_by_owner(people, b.window(), today)
            .await?
            .into_iter()
            .collect(),
        // The horizon's days, today included, as the delivery and workload report counts them.
        due_in_horizon: effort(crate::work::reports::horizon(today, &settings).last).await?,
        capacity,
        remaining_all: effort(today + Duration::days(36_500)).await?,
        remaining_overdue: effort(today - Duration::days(1)).await?,
        one_on_ones_held: held,
        stretched: wanted(store.stretched_since(start(quarter)).await?),
        in_programme: wanted(store.in_development_since(start(half_year)).await?),
        stretch_approved: store
            .stretch_approved_since(&everyone, start(year))
            .await?
            .into_iter()
            .collect(),
        objectives: objectives_by_owner(store, people, now).await?,
        today,
        influence: store
            .influence_figures(manager)
            .await?
            .into_iter()
            .map(|f| (f.person_id, f.influence_outside_line))
            .collect(),
    };
    Ok((facts, inputs))
}

/// Running objectives per owner: on track, and with a status at all.
async fn objectives_by_owner(
    store: &dyn Store,
    owners: Option<&[PersonId]>,
    now: i64,
) -> CoreResult<HashMap<PersonId, (u32, u32)>> {
    let mut out: HashMap<PersonId, (u32, u32)> = HashMap::new();
    let running = store
        .objectives(&crate::work::store::ObjectiveFilter {
            active_on: Some(local_date(None, now)),
            owners: owners.map(<[PersonId]>::to_vec),
            ..Default::default()
        })
        .await?;
    for o in running {
        let owner = o.owner.id;
        let view = crate::work::objectives::view(o, now);
        if let Some(status) = view.status {
            let e = out.entry(owner).or_default();
            e.1 += 1;
            e.0 += u32::from(status == crate::work::metrics::ObjectiveStatus::OnTrack);
        }
    }
    Ok(out)
}

/// A manager's scorecard; not found for anyone but them, their chain and admins.
pub async fn show(
    store: &dyn Store,
    viewer: &Viewer,
    manager: PersonId,
    now: i64,
) -> CoreResult<Scorecard> {
    let s = standing(store, viewer, manager).await?;
    if !s.reach.acts_for() {
        return Err(CoreError::NotFound(format!(
            "the scorecard of person {manager}"
        )));
    }
    // The manager's own figures are read live; the organisation's to compare with come
    // from the day's record, so one scorecard does not read the whole organisation.
    let reports = reports_of(store, manager).await?;
    let mine = figures_with_reports(store, manager, &reports, now)
        .await?
        .ok_or_else(|| {
            CoreError::NotFound(format!(
                "a scorecard of {}: they have no reports",
                s.person.display_name()
            ))
        })?;
    let all = history::compared(store, now).await?;
    let mut managing: Vec<Figure> = MANAGING
        .iter()
        .map(|spec| figure(spec, &mine, &all))
        .collect();
    let mut leading: Vec<Figure> = LEADING
        .iter()
        .map(|spec| figure(spec, &mine, &all))
        .collect();
    let recorded = history::trends(store, &mine, now).await?;
    for f in managing.iter_mut().chain(leading.iter_mut()) {
        if let Some(trend) = recorded.get(f.key.as_str()) {
            f.trend = trend.clone();
        }
    }
    // Figures whose history the work itself keeps: their months are exact, not recorded.
    managing[0].trend = delivery_by_month(store, Some(&reports), now).await?;
    if let Some(f) = managing.iter_mut().find(|f| f.key == "one_on_ones") {
        f.trend = one_on_ones_by_month(store, manager, reports.len(), now).await?;
    }
    if let Some(f) = leading.iter_mut().find(|f| f.key == "influence") {
        f.trend = crate::influence::figures::of_person(store, viewer, manager, now)
            .await?
            .months
            .iter()
            .map(|m| TrendPoint {
                label: m.month.format("%b").to_string(),
                value: Some(f64::from(m.people)),
            })
            .collect();
    }
    let (management, leadership) =
        crate::succession::evidence::scores_360(store, viewer, manager).await?;
    let score = |v: Option<f64>| {
        v.map(|v| format!("{v:.1} of 5"))
            .unwrap_or_else(|| "no shared 360, or too few answers to show".into())
    };
    managing.push(own_figure(
        "management_360",
        "360: management behaviours",
        "The all-colleague average of the management behaviours in their latest shared 360, from the figures the anonymity rule shows.",
        management,
        score(management),
    ));
    leading.push(own_figure(
        "leadership_360",
        "360: leadership behaviours",
        "The all-colleague average of the leadership behaviours in their latest shared 360, from the figures the anonymity rule shows.",
        leadership,
        score(leadership),
    ));
    Ok(Scorecard {
        manager: PersonName {
            id: s.person.id,
            name: s.person.display_name(),
        },
        reports: mine.reports as u32,
        managers_compared: all.len() as u32,
        signal: signal(&mine, &all, &s.person.display_name()),
        managing,
        leading,
    })
}

/// Reads one figure of a manager.
pub type Pick = fn(&ManagerFigures) -> Option<f64>;

/// The directing-or-coaching signal (pure): each part against the organisation's upper
/// quartile; a part of zero is never "top".
pub fn signal(mine: &ManagerFigures, all: &[ManagerFigures], name: &str) -> Signal {
    let parts_of: [(&str, Pick); 3] = [
        (
            "Share of the team's new and handed-on work that they assigned",
            |f| f.directed,
        ),
        (
            "Share of due-date changes on their reports' work that they made",
            |f| f.due_changes,
        ),
        (
            "Delegation ratio: the team's open work they own themselves",
            |f| f.delegation,
        ),
    ];
    let parts: Vec<SignalPart> = parts_of
        .iter()
        .map(|(label, pick)| {
            let value = pick(mine);
            let upper_quartile = quantile(all.iter().map(pick), 0.75);
            SignalPart {
                label: (*label).into(),
                value,
                upper_quartile,
                in_top_quartile: matches!((value, upper_quartile), (Some(v), Some(q)) if v > 0.0 && v >= q),
            }
        })
        .collect();
    let top = parts.iter().filter(|p| p.in_top_quartile).count();
    let first = name.split_whitespace().next().unwrap_or(name);
    let sentence = if top >= 2 {
        format!(
            "Directing closely: {top} of the three parts put {first} among the organisation's top quarter of managers. Coaching means letting the team own more of its work and its dates."
        )
    } else {
        format!(
            "Coaching rather than directing: {top} of the three parts put {first} among the organisation's top quarter; it takes two to say \u{201c}directing closely\u{201d}."
        )
    };
    Signal {
        directing_closely: top >= 2,
        parts,
        sentence,
    }
}

/// 1:1s held with direct reports per calendar month, per report, the last [`TREND_MONTHS`].
async fn one_on_ones_by_month(
    store: &dyn Store,
    manager: PersonId,
    reports: usize,
    now: i64,
) -> CoreResult<Vec<TrendPoint>> {
    let today = local_date(None, now);
    let this_month = today.with_day(1).unwrap_or(today);
    let rows = store.active_series(true, Some(&[manager])).await?;
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map_or(0, |t| t.and_utc().timestamp())
    };
    Ok((0..TREND_MONTHS)
        .rev()
        .map(|k| {
            let month = this_month
                .checked_sub_months(Months::new(k))
                .unwrap_or(this_month);
            let from = start(month);
            let to = start(month + Months::new(1)).min(now);
            let held: usize = rows
                .iter()
                .filter(|r| r.series.organiser.id == manager)
                .filter_map(|r| {
                    Some(
                        r.series
                            .schedule
                            .as_ref()?
                            .held(&r.exceptions, from, to)
                            .len(),
                    )
                })
                .sum();
            TrendPoint {
                label: month.format("%b").to_string(),
                value: (reports > 0).then(|| held as f64 / reports as f64),
            }
        })
        .collect())
}

/// Delivery reliability of these people (everyone's when `None`) by month, the last
/// [`TREND_MONTHS`], oldest first.
pub async fn delivery_by_month(
    store: &dyn Store,
    people: Option<&[PersonId]>,
    now: i64,
) -> CoreResult<Vec<TrendPoint>> {
    let today = local_date(None, now);
    let first = today
        .with_day(1)
        .and_then(|d| d.checked_sub_months(Months::new(TREND_MONTHS - 1)))
        .unwrap_or(today);
    let mut by_month: HashMap<String, (u64, u64)> = HashMap::new();
    if people.is_none_or(|p| !p.is_empty()) {
        let window = Window { first, last: today };
        for (month, c) in store.delivery_by_month(people, window, today).await? {
            let e = by_month.entry(month).or_default();
            e.0 += c.due;
            e.1 += c.on_time;
        }
    }
    Ok((0..TREND_MONTHS)
        .rev()
        .map(|k| {
            let month = today.checked_sub_months(Months::new(k)).unwrap_or(today);
            let value = by_month
                .get(&month.format("%Y-%m").to_string())
                .and_then(|(due, on)| (*due > 0).then(|| *on as f64 / *due as f64));
            TrendPoint {
                label: month.format("%b").to_string(),
                value,
            }
        })
        .collect())
}
