//! The delegation ratio (PRODUCT.md): the share of the team's open commitment effort that
//! the manager owns personally, where the team is the manager and their direct reports.
//! At any moment it is read from each commitment's history — who owned it then and
//! whether it was open — so work handed on counts for its new owner from the moment it
//! moved, and work handed back counts for the manager again. Effort is a commitment's
//! estimate in hours (its remaining hours are known only for today).

use crate::ids::{CommitmentId, PersonId};
use chrono::NaiveDate;
use serde::Serialize;

/// One change in a commitment's life that delegation reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Event {
    /// Handed to this owner.
    Owner(PersonId),
    /// Opened again (true) or closed: done or cancelled (false).
    Open(bool),
}

/// A commitment's history as delegation needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkHistory {
    pub id: CommitmentId,
    pub title: String,
    pub effort_hours: f64,
    pub created_at: i64,
    /// Who owned it when it was created.
    pub first_owner: PersonId,
    /// Later changes, oldest first.
    pub events: Vec<(i64, Event)>,
}

impl WorkHistory {
    /// Its owner at `at` when it was open then.
    pub fn open_owner_at(&self, at: i64) -> Option<PersonId> {
        if self.created_at > at {
            return None;
        }
        let (mut owner, mut open) = (self.first_owner, true);
        for (when, event) in &self.events {
            if *when > at {
                break;
            }
            match event {
                Event::Owner(p) => owner = *p,
                Event::Open(o) => open = *o,
            }
        }
        open.then_some(owner)
    }
}

/// The ratio at one moment, with the hours behind it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WeekRatio {
    /// The last day of the week.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub week_ending: NaiveDate,
    pub manager_hours: f64,
    pub team_hours: f64,
    /// `None` when the team had no open work.
    pub ratio: Option<f64>,
}

/// The delegation ratio at `at` (pure): `in_team(person, at)` says who was in the team.
pub fn ratio_at(
    work: &[WorkHistory],
    manager: PersonId,
    in_team: impl Fn(PersonId) -> bool,
    at: i64,
) -> (f64, f64, Option<f64>) {
    let (mut mine, mut team) = (0.0, 0.0);
    for w in work {
        match w.open_owner_at(at) {
            Some(p) if p == manager => {
                mine += w.effort_hours;
                team += w.effort_hours;
            }
            Some(p) if in_team(p) => team += w.effort_hours,
            _ => {}
        }
    }
    (mine, team, (team > 0.0).then(|| mine / team))
}

/// Whether the last `weeks` weeks were all above `threshold` (pure): a week without open
/// work breaks the run, and a shorter history is not enough.
pub fn stays_high(weeks_oldest_first: &[WeekRatio], threshold: f64, weeks: usize) -> bool {
    weeks > 0
        && weeks_oldest_first.len() >= weeks
        && weeks_oldest_first[weeks_oldest_first.len() - weeks..]
            .iter()
            .all(|w| w.ratio.is_some_and(|r| r > threshold))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;

    fn work(id: i64, hours: f64, owner: i64, created: i64, events: &[(i64, Event)]) -> WorkHistory {
        WorkHistory {
            id: CommitmentId(id),
            title: format!("c{id}"),
            effort_hours: hours,
            created_at: created * DAY,
            first_owner: PersonId(owner),
            events: events.iter().map(|(d, e)| (d * DAY, *e)).collect(),
        }
    }

    #[test]
    fn the_ratio_follows_owners_through_reassignments_and_closing() {
        let (max, dana, devi, outsider) = (PersonId(1), PersonId(2), PersonId(3), PersonId(9));
        let team = |p: PersonId| [max, dana, devi].contains(&p);
        let work = [
            // 10 h Max handed to Dana on day 5, and Dana handed back on day 20.
            work(
                1,
                10.0,
                1,
                0,
                &[(5, Event::Owner(dana)), (20, Event::Owner(max))],
            ),
            // 30 h Max kept, done on day 15.
            work(2, 30.0, 1, 0, &[(15, Event::Open(false))]),
            // 20 h of Devi's from day 2.
            work(3, 20.0, 3, 2, &[]),
            // Outside the team: never counts.
            work(4, 50.0, 9, 0, &[]),
            // 40 h handed from Max to someone outside the team on day 10.
            work(5, 40.0, 1, 0, &[(10, Event::Owner(outsider))]),
        ];
        // Day 1: Max owns 10 + 30 + 40 of 80 (Devi's is not created yet).
        assert_eq!(ratio_at(&work, max, team, DAY), (80.0, 80.0, Some(1.0)));
        // Day 7: Dana has the 10 h; Max 30 + 40 of 100.
        assert_eq!(
            ratio_at(&work, max, team, 7 * DAY),
            (70.0, 100.0, Some(0.7))
        );
        // Day 12: the 40 h left the team.
        assert_eq!(
            ratio_at(&work, max, team, 12 * DAY),
            (30.0, 60.0, Some(0.5))
        );
        // Day 16: the 30 h are done.
        assert_eq!(ratio_at(&work, max, team, 16 * DAY), (0.0, 30.0, Some(0.0)));
        // Day 21: Dana handed the 10 h back.
        let (mine, all, r) = ratio_at(&work, max, team, 21 * DAY);
        assert_eq!((mine, all), (10.0, 30.0));
        assert!((r.unwrap() - 1.0 / 3.0).abs() < 1e-9);
        // Before anything existed: no ratio, not 0.
        assert_eq!(ratio_at(&work, max, team, -DAY), (0.0, 0.0, None));
    }

    fn weeks(ratios: &[Option<f64>]) -> Vec<WeekRatio> {
        ratios
            .iter()
            .map(|r| WeekRatio {
                week_ending: "2026-01-04".parse().unwrap(),
                manager_hours: 0.0,
                team_hours: 0.0,
                ratio: *r,
            })
            .collect()
    }

    #[test]
    fn the_flag_needs_four_weeks_in_a_row_above_the_threshold() {
        let high = Some(0.6);
        assert!(stays_high(
            &weeks(&[Some(0.1), high, high, high, high]),
            0.4,
            4
        ));
        // Three weeks are not four.
        assert!(!stays_high(
            &weeks(&[Some(0.1), Some(0.3), high, high, high]),
            0.4,
            4
        ));
        // The latest week dropped: the run is over.
        assert!(!stays_high(
            &weeks(&[high, high, high, high, Some(0.2)]),
            0.4,
            4
        ));
        // Exactly the threshold is not above it; a week without open work breaks the run.
        assert!(!stays_high(&weeks(&[high, Some(0.4), high, high]), 0.4, 4));
        assert!(!stays_high(&weeks(&[high, None, high, high]), 0.4, 4));
        // Too short a history.
        assert!(!stays_high(&weeks(&[high, high, high]), 0.4, 4));
    }
}
