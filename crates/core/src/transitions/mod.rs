//! New-manager transitions: anyone who gained their first reports (or a bigger scope: at
//! least half of their reports, and two or more, came to them) in the last six months,
//! as the org history records it. Their page shows the delegation ratio by week, their
//! previous work still on their plate with the reports who want it, 1:1s held with each
//! report, stretch work given and the development programmes they are in. PRODUCT.md's
//! flag — the ratio above the threshold for the last weeks in a row — is "still doing the
//! old job", said to their own manager chain and admins, never as a label alone.
//!
//! Who sees a transition: the manager themself, their manager chain and admins; the flag
//! only the chain and admins.

pub mod delegation;
pub mod demo;
pub mod store;

use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult};
use crate::growth::wishes::{Direction, Taker, TeamMember, takers};
use crate::ids::{CommitmentId, PersonId, PersonName};
use crate::org::people::{reach_to, standing};
use crate::store::Store;
use chrono::{Duration, Months, NaiveDate};
use delegation::{WeekRatio, WorkHistory, ratio_at, stays_high};
use serde::Serialize;
use std::collections::HashMap;

/// How long a transition lasts.
pub const TRANSITION_MONTHS: u32 = 6;
/// Weeks of delegation ratio shown.
pub const WEEKS_SHOWN: i64 = 26;

const DAY: i64 = 86_400;

/// Why someone is in transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = TransitionKind))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// All of their reports came to them in the window: their first.
    FirstReports,
    /// At least half of their reports (two or more) came to them in the window.
    BiggerScope,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::FirstReports => "first reports",
            Kind::BiggerScope => "a bigger team",
        }
    }
}

/// A manager in transition (pure result).
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub manager: PersonId,
    pub began: NaiveDate,
    pub kind: Kind,
    pub reports: usize,
    pub new_reports: usize,
}

/// Managers in transition since `since` (pure), from each report's line and the day it
/// began (`None`: before the records).
pub fn in_transition(
    lines: &[(PersonId, PersonId, Option<NaiveDate>)],
    since: NaiveDate,
) -> Vec<Found> {
    let mut by_manager: HashMap<PersonId, Vec<Option<NaiveDate>>> = HashMap::new();
    for (manager, _, began) in lines {
        by_manager.entry(*manager).or_default().push(*began);
    }
    let mut out: Vec<Found> = by_manager
        .into_iter()
        .filter_map(|(manager, lines)| {
            let new: Vec<NaiveDate> = lines
                .iter()
                .filter_map(|d| d.filter(|d| *d >= since))
                .collect();
            let kind = if !new.is_empty() && new.len() == lines.len() {
                Kind::FirstReports
            } else if new.len() >= 2 && new.len() * 2 >= lines.len() {
                Kind::BiggerScope
            } else {
                return None;
            };
            Some(Found {
                manager,
                began: *new.iter().min()?,
                kind,
                reports: lines.len(),
                new_reports: new.len(),
            })
        })
        .collect();
    out.sort_by_key(|f| (f.began, f.manager));
    out
}

/// A transition as the list shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionSummary {
    pub manager: PersonName,
    pub title: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub began: NaiveDate,
    pub kind: Kind,
    pub reports: u32,
    pub new_reports: u32,
    /// The delegation ratio this week.
    pub ratio_now: Option<f64>,
    /// "Still doing the old job": only for their manager chain and admins.
    pub flagged: Option<bool>,
}

/// Work from before the transition still on the manager's plate.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OldWork {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: CommitmentId,
    pub title: String,
    pub effort_hours: f64,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_date: NaiveDate,
    /// Reports who want this work and have hours free, best first.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub takers: Vec<Taker>,
}

/// 1:1s held with one report since the transition began.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportOneOnOnes {
    pub report: PersonName,
    pub held: u32,
}

/// A transition's page.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionDetail {
    #[serde(flatten)]
    pub summary: TransitionSummary,
    /// Oldest first.
    pub weeks: Vec<WeekRatio>,
    /// The flag's threshold (0–1) and weeks, from the settings.
    pub threshold: f64,
    pub flag_weeks: u32,
    pub old_work: Vec<OldWork>,
    pub one_on_ones: Vec<ReportOneOnOnes>,
    pub stretch_given: u32,
    /// Development programmes they are in.
    pub programmes: Vec<String>,
}

/// The managers in transition now, from the reporting lines already read.
fn found(lines: &[(PersonId, PersonId, Option<NaiveDate>)], now: i64) -> Vec<Found> {
    let today = local_date(None, now);
    let since = today
        .checked_sub_months(Months::new(TRANSITION_MONTHS))
        .unwrap_or(today);
    in_transition(lines, since)
}

/// The weekly ratios of a manager's team, oldest first.
fn weeks_of(
    work: &[WorkHistory],
    manager: PersonId,
    lines: &[(PersonId, Option<NaiveDate>)],
    now: i64,
) -> Vec<WeekRatio> {
    (0..WEEKS_SHOWN)
        .rev()
        .map(|k| {
            let at = now - k * 7 * DAY;
            let day = local_date(None, at);
            let in_team = |p: PersonId| {
                lines
                    .iter()
                    .any(|(r, since)| *r == p && since.is_none_or(|s| s <= day))
            };
            let (manager_hours, team_hours, ratio) = ratio_at(work, manager, in_team, at);
            WeekRatio {
                week_ending: day,
                manager_hours,
                team_hours,
                ratio,
            }
        })
        .collect()
}

struct Computed {
    summary: TransitionSummary,
    threshold: f64,
    flag_weeks: u32,
    weeks: Vec<WeekRatio>,
    work: Vec<WorkHistory>,
    reports: Vec<PersonId>,
}

async fn compute(
    store: &dyn Store,
    viewer: &Viewer,
    f: &Found,
    lines: &[(PersonId, PersonId, Option<NaiveDate>)],
    now: i64,
) -> CoreResult<Computed> {
    let settings = store.settings().await?;
    let person = store
        .person(f.manager)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("person {}", f.manager)))?;
    let mine: Vec<(PersonId, Option<NaiveDate>)> = lines
        .iter()
        .filter(|(m, _, _)| *m == f.manager)
        .map(|(_, r, d)| (*r, *d))
        .collect();
    let mut team: Vec<PersonId> = mine.iter().map(|(r, _)| *r).collect();
    let reports = team.clone();
    team.push(f.manager);
    let work = store
        .work_histories(&team, now - WEEKS_SHOWN * 7 * DAY)
        .await?;
    let weeks = weeks_of(&work, f.manager, &mine, now);
    let may_flag = reach_to(store, viewer, f.manager).await?.may_manage();
    let threshold = f64::from(settings.delegation_flag_percent) / 100.0;
    let flagged =
        may_flag.then(|| stays_high(&weeks, threshold, settings.delegation_flag_weeks as usize));
    Ok(Computed {
        threshold,
        flag_weeks: settings.delegation_flag_weeks,
        summary: TransitionSummary {
            manager: PersonName {
                id: person.id,
                name: person.display_name(),
            },
            title: person.title.clone(),
            began: f.began,
            kind: f.kind,
            reports: f.reports as u32,
            new_reports: f.new_reports as u32,
            ratio_now: weeks.last().and_then(|w| w.ratio),
            flagged,
        },
        weeks,
        work,
        reports,
    })
}

/// The transitions the viewer may see: their own, their tree's, everyone's for admins.
pub async fn list(
    store: &dyn Store,
    viewer: &Viewer,
    now: i64,
) -> CoreResult<Vec<TransitionSummary>> {
    if !viewer.may_lead_teams() {
        return Err(CoreError::Forbidden(
            "see new managers' transitions; managers and admins do".into(),
        ));
    }
    let lines = store.reporting_lines_since().await?;
    let mut out = Vec::new();
    for f in found(&lines, now) {
        if !reach_to(store, viewer, f.manager).await?.acts_for() {
            continue;
        }
        out.push(compute(store, viewer, &f, &lines, now).await?.summary);
    }
    Ok(out)
}

/// One manager's transition.
pub async fn show(
    store: &dyn Store,
    viewer: &Viewer,
    manager: PersonId,
    now: i64,
) -> CoreResult<TransitionDetail> {
    let s = standing(store, viewer, manager).await?;
    let not_found = || CoreError::NotFound(format!("a transition of person {manager}"));
    if !s.reach.acts_for() {
        return Err(not_found());
    }
    let lines = store.reporting_lines_since().await?;
    let f = found(&lines, now)
        .into_iter()
        .find(|f| f.manager == manager)
        .ok_or_else(not_found)?;
    let c = compute(store, viewer, &f, &lines, now).await?;
    let began_at = f
        .began
        .and_hms_opt(0, 0, 0)
        .map_or(now, |d| d.and_utc().timestamp());
    Ok(TransitionDetail {
        old_work: old_work(store, viewer, &c, began_at, now).await?,
        one_on_ones: one_on_ones(store, manager, &c.reports, began_at, now).await?,
        stretch_given: store
            .stretch_approved_since(&c.reports, began_at)
            .await?
            .iter()
            .map(|(_, n)| n)
            .sum(),
        programmes: store
            .cohorts()
            .await?
            .into_iter()
            .filter(|p| p.has(manager))
            .map(|p| p.name)
            .collect(),
        threshold: c.threshold,
        flag_weeks: c.flag_weeks,
        weeks: c.weeks,
        summary: c.summary,
    })
}

/// Work the manager owned before the transition and still holds, with the reports who
/// want it (their growth wishes and free hours, as the team view's offers read them).
async fn old_work(
    store: &dyn Store,
    viewer: &Viewer,
    c: &Computed,
    began_at: i64,
    now: i64,
) -> CoreResult<Vec<OldWork>> {
    let manager = c.summary.manager.id;
    let held: Vec<&WorkHistory> = c
        .work
        .iter()
        .filter(|w| w.created_at < began_at && w.open_owner_at(now) == Some(manager))
        .collect();
    if held.is_empty() {
        return Ok(Vec::new());
    }
    let view = crate::work::team_view::show(store, viewer, manager, 90, now).await?;
    let weeks = (view.horizon.days() as f64 / 7.0).max(1.0 / 7.0);
    let skills = store.skills_of(&c.reports).await?;
    let wishes = store.plate_wishes(&c.reports).await?;
    let members: Vec<TeamMember> = view
        .members
        .iter()
        .filter(|m| c.reports.contains(&m.person.id))
        .map(|m| TeamMember {
            person: m.person.clone(),
            skills: skills.get(&m.person.id).cloned().unwrap_or_default(),
            wants: wishes
                .iter()
                .filter(|w| w.person_id == m.person.id && w.direction == Direction::On)
                .map(|w| w.what.clone())
                .collect(),
            free_hours_per_week: ((m.workload.capacity_hours - m.workload.remaining_hours) / weeks)
                .max(0.0),
        })
        .collect();
    let mut out = Vec::new();
    for w in held {
        let Some(commitment) = store.commitment(w.id).await? else {
            continue;
        };
        out.push(OldWork {
            id: w.id,
            title: w.title.clone(),
            effort_hours: w.effort_hours,
            due_date: commitment.due_date,
            takers: takers(manager, &commitment.title, &commitment.skills, &members),
        });
    }
    out.sort_by_key(|o| o.due_date);
    Ok(out)
}

async fn one_on_ones(
    store: &dyn Store,
    manager: PersonId,
    reports: &[PersonId],
    since: i64,
    now: i64,
) -> CoreResult<Vec<ReportOneOnOnes>> {
    let rows = store.active_series(true, Some(&[manager])).await?;
    let mut out = Vec::new();
    for &report in reports {
        let row = rows
            .iter()
            .find(|r| r.series.organiser.id == manager && r.series.other.id == report);
        let held = row
            .and_then(|r| {
                let s = r.series.schedule.as_ref()?;
                Some(s.held(&r.exceptions, since, now).len() as u32)
            })
            .unwrap_or(0);
        let name = match row {
            Some(r) => r.series.other.clone(),
            None => PersonName {
                id: report,
                name: store
                    .person(report)
                    .await?
                    .map(|p| p.display_name())
                    .unwrap_or_default(),
            },
        };
        out.push(ReportOneOnOnes { report: name, held });
    }
    out.sort_by(|a, b| a.report.name.cmp(&b.report.name));
    Ok(out)
}

/// The day a week of the chart begins, for labels.
pub fn week_start(week_ending: NaiveDate) -> NaiveDate {
    week_ending - Duration::days(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_reports_and_a_bigger_team_are_transitions_and_a_steady_team_is_not() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let since = day("2026-06-01");
        let p = PersonId;
        let lines = [
            // Ana: both reports came in the window — her first.
            (p(1), p(10), Some(day("2026-07-01"))),
            (p(1), p(11), Some(day("2026-09-01"))),
            // Ben: two of his three came in the window — a bigger team.
            (p(2), p(12), Some(day("2026-08-01"))),
            (p(2), p(13), Some(day("2026-08-02"))),
            (p(2), p(14), None),
            // Cy: one new of three — steady.
            (p(3), p(15), Some(day("2026-08-01"))),
            (p(3), p(16), None),
            (p(3), p(17), Some(day("2025-01-01"))),
        ];
        let found = in_transition(&lines, since);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].manager, found[0].kind, found[0].began),
            (p(1), Kind::FirstReports, day("2026-07-01"))
        );
        assert_eq!(
            (
                found[1].manager,
                found[1].kind,
                found[1].new_reports,
                found[1].reports
            ),
            (p(2), Kind::BiggerScope, 2, 3)
        );
    }
}
