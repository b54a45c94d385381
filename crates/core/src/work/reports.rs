//! Delivery reliability and workload for a person, a manager's tree, a team or the whole
//! organisation: the `trellis report` command and the reports API.

use super::Absence;
use super::metrics::{DeliveryCounts, Window, Workload, capacity_hours};
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonName;
use crate::ids::{PersonId, TeamId};
use crate::org::people::standing;
use crate::settings::Settings;
use crate::work::store::WorkStore;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::collections::HashMap;

/// Whose figures a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportScope {
    Person(PersonId),
    /// A manager and everyone below them.
    Tree(PersonId),
    /// The members of a team and of the teams inside it.
    Team(TeamId),
    Organisation,
}

/// The days workload looks at, starting today.
pub fn horizon(today: NaiveDate, settings: &Settings) -> Window {
    Window {
        first: today,
        last: today + Duration::days(i64::from(settings.workload_horizon_days.max(1)) - 1),
    }
}

/// Workload per person over the horizon. `owners` narrows the queries (`None`: everyone);
/// `people` are those to report, each with their capacity.
pub(crate) async fn workloads(
    store: &dyn WorkStore,
    owners: Option<&[PersonId]>,
    people: &[PersonId],
    settings: &Settings,
    horizon: Window,
) -> CoreResult<HashMap<PersonId, Workload>> {
    Ok(WorkloadInputs::read(store, owners, horizon)
        .await?
        .of(people, settings, horizon))
}

/// What workload is computed from: remaining effort, weekly capacities and absences.
pub(crate) struct WorkloadInputs {
    remaining: HashMap<PersonId, f64>,
    capacities: HashMap<PersonId, f64>,
    absences: HashMap<PersonId, Vec<(NaiveDate, NaiveDate)>>,
}

impl WorkloadInputs {
    pub(crate) async fn read(
        store: &dyn WorkStore,
        owners: Option<&[PersonId]>,
        horizon: Window,
    ) -> CoreResult<Self> {
        let (remaining, capacities, absent) = futures_util::join!(
            store.remaining_effort(owners, horizon.last),
            store.capacities(owners),
            store.absences_between(owners, horizon.first, horizon.last),
        );
        let mut absences: HashMap<PersonId, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
        for Absence {
            person_id,
            first_day,
            last_day,
            ..
        } in absent?
        {
            absences
                .entry(person_id)
                .or_default()
                .push((first_day, last_day));
        }
        Ok(WorkloadInputs {
            remaining: remaining?.into_iter().collect(),
            capacities: capacities?.into_iter().collect(),
            absences,
        })
    }

    pub(crate) fn of(
        &self,
        people: &[PersonId],
        settings: &Settings,
        horizon: Window,
    ) -> HashMap<PersonId, Workload> {
        let default = f64::from(settings.default_capacity_hours);
        // Everyone without absences shares one capacity figure; count working days once.
        let plain = capacity_hours(1.0, horizon.first, horizon.last, &[]);
        people
            .iter()
            .map(|id| {
                let weekly = self.capacities.get(id).copied().unwrap_or(default);
                let capacity = match self.absences.get(id) {
                    Some(off) => capacity_hours(weekly, horizon.first, horizon.last, off),
                    None => weekly * plain,
                };
                (
                    *id,
                    Workload {
                        remaining_hours: self.remaining.get(id).copied().unwrap_or(0.0),
                        capacity_hours: capacity,
                    },
                )
            })
            .collect()
    }
}

/// One person's line in a report.
#[derive(Debug, Clone, Serialize)]
pub struct ReportRow {
    pub person: PersonName,
    pub delivery: DeliveryCounts,
    /// `on_time ÷ due`; `None` is "no data".
    pub reliability: Option<f64>,
    pub workload: Workload,
    pub workload_ratio: Option<f64>,
    pub overloaded: bool,
}

/// Delivery and workload for everyone in scope, with the total.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub window: Window,
    pub horizon: Window,
    pub rows: Vec<ReportRow>,
    pub total_delivery: DeliveryCounts,
    pub total_reliability: Option<f64>,
    pub overloaded_people: usize,
}

pub(crate) async fn people_in_scope(
    store: &dyn WorkStore,
    viewer: &Viewer,
    scope: ReportScope,
) -> CoreResult<Option<Vec<PersonName>>> {
    match scope {
        ReportScope::Organisation => {
            if !viewer.may_administer() {
                return Err(CoreError::Forbidden(
                    "see the whole organisation's figures; people admins can".into(),
                ));
            }
            Ok(None)
        }
        ReportScope::Team(team) => {
            if !viewer.may_administer() {
                return Err(CoreError::Forbidden(
                    "see a team's figures by team; ask for your own tree instead".into(),
                ));
            }
            if store.team(team).await?.is_none() {
                return Err(CoreError::NotFound(format!("team {team}")));
            }
            let mut people = store.team_members(team).await?;
            for sub in store.sub_teams(team).await? {
                people.extend(store.team_members(sub.id).await?);
            }
            Ok(Some(
                people
                    .into_iter()
                    .map(|c| PersonName {
                        id: c.id,
                        name: c.display_name,
                    })
                    .collect(),
            ))
        }
        ReportScope::Person(id) | ReportScope::Tree(id) => {
            let s = standing(store, viewer, id).await?;
            if !s.reach.plate_visible() {
                return Err(CoreError::Forbidden(format!(
                    "see the delivery and workload of {}",
                    s.person.name
                )));
            }
            if matches!(scope, ReportScope::Person(_)) {
                return Ok(Some(vec![PersonName {
                    id,
                    name: s.person.name,
                }]));
            }
            Ok(Some(
                store
                    .tree_members(id)
                    .await?
                    .into_iter()
                    .map(|m| PersonName {
                        id: m.id,
                        name: m.name,
                    })
                    .collect(),
            ))
        }
    }
}

/// Delivery reliability over `window_days` ending today and workload over the horizon.
pub async fn report(
    store: &dyn WorkStore,
    viewer: &Viewer,
    scope: ReportScope,
    window_days: u32,
    now: i64,
) -> CoreResult<Report> {
    if !(1..=3660).contains(&window_days) {
        return Err(CoreError::field(
            "window",
            "give a window of 1 to 3660 days, like 90d",
        ));
    }
    let settings = store.settings().await?;
    let today = local_date(None, now);
    let window = Window::ending(today, window_days);
    let horizon = horizon(today, &settings);
    let selected = people_in_scope(store, viewer, scope).await?;
    let owners: Option<Vec<PersonId>> = selected.as_ref().map(|p| p.iter().map(|p| p.id).collect());
    let owners = owners.as_deref();
    // Everything the rows need, side by side; everyone's names too when no list was given.
    let (everyone, delivery, inputs) = futures_util::join!(
        async {
            match &selected {
                Some(_) => Ok(Vec::new()),
                None => store.active_people().await,
            }
        },
        store.delivery_by_owner(owners, window, today),
        WorkloadInputs::read(store, owners, horizon),
    );
    let people = match selected {
        Some(p) => p,
        None => everyone?,
    };
    let ids: Vec<PersonId> = people.iter().map(|p| p.id).collect();
    let delivery: HashMap<PersonId, DeliveryCounts> = delivery?.into_iter().collect();
    let workloads = inputs?.of(&ids, &settings, horizon);
    let mut total = DeliveryCounts::default();
    let mut overloaded_people = 0;
    let rows: Vec<ReportRow> = people
        .into_iter()
        .map(|person| {
            let d = delivery.get(&person.id).copied().unwrap_or_default();
            total.add(d);
            let w = workloads[&person.id];
            if w.overloaded() {
                overloaded_people += 1;
            }
            ReportRow {
                delivery: d,
                reliability: d.reliability(),
                workload_ratio: w.ratio(),
                overloaded: w.overloaded(),
                workload: w,
                person,
            }
        })
        .collect();
    Ok(Report {
        window,
        horizon,
        rows,
        total_reliability: total.reliability(),
        total_delivery: total,
        overloaded_people,
    })
}

/// Keeps the trailing windows where the reads over everyone want them: delivery ending
/// yesterday, open effort to the end of the workload horizon. Run by the worker; whether
/// anything moved.
pub async fn roll_trailing_windows(store: &dyn WorkStore, now: i64) -> CoreResult<bool> {
    let settings = store.settings().await?;
    let today = local_date(None, now);
    store
        .roll_trailing_windows(today - Duration::days(1), horizon(today, &settings).last)
        .await
}

/// Parses a window like `90d`, `12w` or `90`.
pub fn parse_window(text: &str) -> Option<u32> {
    let t = text.trim().to_ascii_lowercase();
    let (digits, factor) = if let Some(d) = t.strip_suffix('d') {
        (d, 1)
    } else if let Some(w) = t.strip_suffix('w') {
        (w, 7)
    } else {
        (t.as_str(), 1)
    };
    digits
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(factor))
        .filter(|n| *n > 0)
}

/// "83 %" or "no data".
pub fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) => format!("{:.0} %", v * 100.0),
        None => "no data".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_read_in_days_or_weeks() {
        assert_eq!(parse_window("90d"), Some(90));
        assert_eq!(parse_window("12w"), Some(84));
        assert_eq!(parse_window("30"), Some(30));
        assert_eq!(parse_window("0d"), None);
        assert_eq!(parse_window("soon"), None);
        assert_eq!(percent(None), "no data");
        assert_eq!(percent(Some(0.825)), "82 %");
    }
}
