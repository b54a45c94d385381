//! The advice pulse: every few months (a setting, off until an admin turns it on) each
//! person it asks is told "Who have you gone to for advice in the last month?" and may name
//! up to ten colleagues. Answering is optional. Who named whom is written here and read
//! only by the metrics (`InfluenceStore::held_advice_ties`): no page, export or API answer
//! shows it, not even to the person who answered — they see how many they named.

use super::store::InfluenceStore;
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use crate::notify::{Notification, Topic};
use crate::org::PersonStatus;
use crate::settings::Settings;
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use std::collections::HashSet;

/// The most people one answer names.
pub const MOST_NAMED: usize = 10;

/// The round a day falls in (pure): the first day of the latest month, on or before the
/// day's, whose number since year 0 is a multiple of `every_months`. `None` when off.
pub fn round_of(day: NaiveDate, every_months: u32) -> Option<NaiveDate> {
    if every_months == 0 {
        return None;
    }
    let months = day.year() as u32 * 12 + day.month0();
    let back = months % every_months;
    day.with_day(1).map(|first| first - Months::new(back))
}

/// The question, in the rhythm's words (pure).
pub fn question(every_months: u32) -> String {
    match every_months {
        1 => "Who have you gone to for advice in the last month?".into(),
        m => format!("Who have you gone to for advice in the last {m} months?"),
    }
}

/// Whether the pulse asks this person (pure): active, and in one of its departments when
/// it names any.
pub fn asks(settings: &Settings, department: Option<&str>) -> bool {
    let wanted: Vec<&str> = settings
        .advice_pulse_departments
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    wanted.is_empty()
        || department.is_some_and(|d| wanted.iter().any(|w| w.eq_ignore_ascii_case(d.trim())))
}

/// Asks the current round when nobody has yet (the worker's hourly pass); how many people
/// it asked.
pub async fn ask_when_due(store: &dyn InfluenceStore, now: i64) -> CoreResult<usize> {
    let settings = store.settings().await?;
    let Some(round) = round_of(local_date(None, now), settings.advice_pulse_every_months) else {
        return Ok(0);
    };
    if store.latest_pulse_round().await? >= Some(round) {
        return Ok(0);
    }
    let people = store.org_people().await?;
    let people: Vec<PersonId> = people
        .iter()
        .filter(|p| p.record.status == PersonStatus::Active)
        .filter(|p| asks(&settings, super::department_of(&p.record)))
        .map(|p| p.id)
        .collect();
    let mut work = store.begin_influence_write().await?;
    if !work
        .open_pulse_round(round, now, people.len() as u32)
        .await?
    {
        return Ok(0);
    }
    let text = format!(
        "{} Name up to {MOST_NAMED} colleagues — it takes a minute, and nobody sees who named whom.",
        question(settings.advice_pulse_every_months)
    );
    for person in &people {
        work.notify(&Notification::new(
            *person,
            Topic::AdvicePulse,
            text.clone(),
            "/advice".into(),
            now,
        ))
        .await?;
    }
    work.commit().await?;
    Ok(people.len())
}

/// What the pulse asks a person now.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PulseAsk {
    /// Whether the pulse is on and asks this person.
    pub asked: bool,
    pub question: String,
    /// The open round's first day; none before the first round.
    pub round: Option<NaiveDate>,
    /// The day the next round opens (this one closes the day before).
    pub next_round: Option<NaiveDate>,
    /// How many people the viewer named in this round, when they answered it.
    pub named: Option<u32>,
    pub most_named: usize,
}

/// The pulse as the viewer sees it.
pub async fn my_pulse(
    store: &dyn InfluenceStore,
    viewer: &Viewer,
    now: i64,
) -> CoreResult<PulseAsk> {
    let settings = store.settings().await?;
    let every = settings.advice_pulse_every_months;
    let today = local_date(None, now);
    let me = store.person(viewer.person_id()).await?;
    // A person's department is their team's parent, or their team when it has none.
    let department = match me.as_ref().and_then(|p| p.team_id) {
        Some(team) => store
            .team(team)
            .await?
            .map(|t| t.parent_name.unwrap_or(t.name)),
        None => None,
    };
    let asked = every > 0
        && me.as_ref().is_some_and(|p| {
            p.status == PersonStatus::Active && asks(&settings, department.as_deref())
        });
    let round = match round_of(today, every) {
        Some(current) if asked && store.latest_pulse_round().await? >= Some(current) => {
            Some(current)
        }
        _ => None,
    };
    let named = match round {
        Some(r) => store.pulse_response(r, viewer.person_id()).await?,
        None => None,
    };
    Ok(PulseAsk {
        asked,
        question: question(every.max(1)),
        round,
        next_round: round.map(|r| r + Months::new(every)),
        named,
        most_named: MOST_NAMED,
    })
}

/// Answers the open round, replacing an earlier answer to it; how many were named.
pub async fn answer(
    store: &dyn InfluenceStore,
    viewer: &Viewer,
    advisers: &[PersonId],
    now: i64,
) -> CoreResult<u32> {
    let ask = my_pulse(store, viewer, now).await?;
    let Some(round) = ask.round else {
        return Err(CoreError::Conflict(if ask.asked {
            "the advice pulse has not asked its first round yet".into()
        } else {
            "the advice pulse does not ask you: it is off, or asks other departments".into()
        }));
    };
    let mut named: Vec<PersonId> = Vec::new();
    let mut seen = HashSet::new();
    for p in advisers {
        if seen.insert(*p) {
            named.push(*p);
        }
    }
    if named.len() > MOST_NAMED {
        return Err(CoreError::field(
            "advisers",
            format!("name at most {MOST_NAMED} people ({} given)", named.len()),
        ));
    }
    if named.contains(&viewer.person_id()) {
        return Err(CoreError::field(
            "advisers",
            "name the colleagues whose advice you sought, not yourself",
        ));
    }
    for p in &named {
        match store.person(*p).await? {
            Some(person) if person.status == PersonStatus::Active => {}
            Some(person) => {
                return Err(CoreError::field(
                    "advisers",
                    format!("{} has left the organisation", person.name),
                ));
            }
            None => {
                return Err(CoreError::field(
                    "advisers",
                    format!("nobody has the id {}", p.0),
                ));
            }
        }
    }
    let mut work = store.begin_influence_write().await?;
    work.save_pulse_answer(round, viewer.person_id(), &named, now)
        .await?;
    work.commit().await?;
    Ok(named.len() as u32)
}

/// How a round went, for admins: how many it asked and answered.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PulseTurnout {
    pub round: Option<NaiveDate>,
    pub asked: u32,
    pub answered: u32,
}

/// The latest round's turnout (admins).
pub async fn turnout(store: &dyn InfluenceStore, viewer: &Viewer) -> CoreResult<PulseTurnout> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "see the advice pulse's turnout".into(),
        ));
    }
    let round = store.latest_pulse_round().await?;
    let (asked, answered) = match round {
        Some(r) => store.pulse_turnout(r).await?,
        None => (0, 0),
    };
    Ok(PulseTurnout {
        round,
        asked,
        answered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn rounds_open_on_the_first_of_their_months() {
        assert_eq!(round_of(day("2026-12-03"), 0), None);
        assert_eq!(round_of(day("2026-12-03"), 1), Some(day("2026-12-01")));
        // Quarterly: January, April, July, October.
        assert_eq!(round_of(day("2026-12-03"), 3), Some(day("2026-10-01")));
        assert_eq!(round_of(day("2026-10-01"), 3), Some(day("2026-10-01")));
        assert_eq!(round_of(day("2026-09-30"), 3), Some(day("2026-07-01")));
        assert_eq!(round_of(day("2027-01-15"), 12), Some(day("2027-01-01")));
        assert_eq!(round_of(day("2026-06-15"), 6), Some(day("2026-01-01")));
    }

    #[test]
    fn the_pulse_asks_its_departments_or_everyone() {
        let mut s = Settings::default();
        assert!(asks(&s, None));
        s.advice_pulse_departments = "Engineering, Sales".into();
        assert!(asks(&s, Some("sales")));
        assert!(!asks(&s, Some("Legal")));
        assert!(!asks(&s, None));
        assert_eq!(
            question(1),
            "Who have you gone to for advice in the last month?"
        );
        assert_eq!(
            question(3),
            "Who have you gone to for advice in the last 3 months?"
        );
    }
}
