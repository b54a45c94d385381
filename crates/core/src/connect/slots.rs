//! A suggested 30-minute slot for each group: the first one inside every member's working
//! hours, in each member's own time zone, on a day none of them is away.

use super::rounds::Outcome;
use super::store::ConnectStore;
use crate::access::Viewer;
use crate::conversations::calendar::OneOffEvent;
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Timelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::HashMap;

/// The meeting a round suggests.
pub const MEETING_MINUTES: i64 = 30;
/// How far ahead a slot is looked for.
const SEARCH_DAYS: i64 = 14;

/// When a person works: the same hours on the chosen weekdays, in their time zone.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct WorkingHours {
    /// ISO weekdays worked, 1 (Monday) to 7 (Sunday).
    pub weekdays: Vec<u8>,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

impl Default for WorkingHours {
    /// 09:00–17:00 on weekdays.
    fn default() -> Self {
        WorkingHours {
            weekdays: vec![1, 2, 3, 4, 5],
            starts: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            ends: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
        }
    }
}

impl WorkingHours {
    /// Sorted, without repeats; a clear message at the field otherwise.
    pub fn checked(mut self) -> CoreResult<WorkingHours> {
        self.weekdays.sort_unstable();
        self.weekdays.dedup();
        if self.weekdays.is_empty() {
            return Err(CoreError::field("weekdays", "choose at least one day"));
        }
        if let Some(day) = self.weekdays.iter().find(|d| !(1..=7).contains(*d)) {
            return Err(CoreError::field(
                "weekdays",
                format!("{day} is not a weekday: use 1 (Monday) to 7 (Sunday)"),
            ));
        }
        if self.ends - self.starts < Duration::minutes(MEETING_MINUTES) {
            return Err(CoreError::field(
                "ends",
                format!(
                    "the day must end at least {MEETING_MINUTES} minutes after it starts ({})",
                    self.starts.format("%H:%M")
                ),
            ));
        }
        Ok(self)
    }

    fn fits(&self, day: NaiveDate, from: NaiveTime) -> bool {
        let weekday = day.weekday().number_from_monday() as u8;
        let until = from + Duration::minutes(MEETING_MINUTES);
        self.weekdays.contains(&weekday)
            && from >= self.starts
            && until <= self.ends
            // A slot that would run past midnight wraps to the early morning.
            && until > from
    }
}

/// One member as the slot search sees them.
pub struct Availability<'a> {
    pub zone: Tz,
    pub hours: &'a WorkingHours,
    /// Days away, in their own calendar.
    pub away: &'a [NaiveDate],
}

const HALF_HOURS: usize = SEARCH_DAYS as usize * 48;
const WORDS: usize = HALF_HOURS.div_ceil(64);

/// Which half-hours of the two weeks a member could meet in, one bit each: members who
/// share a zone and hours share a mask, so a round of thousands computes only a few.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mask([u64; WORDS]);

/// The two weeks from the day after a round runs, in half-hours from midnight UTC.
pub struct SlotWindow {
    first: i64,
}

impl SlotWindow {
    pub fn after(run_on: NaiveDate) -> SlotWindow {
        let first = run_on
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, |t| t.and_utc().timestamp());
        SlotWindow { first }
    }

    fn start_of(&self, half_hour: usize) -> i64 {
        self.first + half_hour as i64 * 30 * 60
    }

    pub fn mask(&self, member: &Availability<'_>) -> Mask {
        let mut bits = [0u64; WORDS];
        for half_hour in 0..HALF_HOURS {
            if available(member, self.start_of(half_hour)) {
                bits[half_hour / 64] |= 1 << (half_hour % 64);
            }
        }
        Mask(bits)
    }

    /// A half-hour inside every mask: the first such on one of the first five days that
    /// have one, chosen by `spread` (the group's position) so a round does not book
    /// everyone at the same hour of the same day. `None` when the hours never meet.
    pub fn suggest(&self, masks: &[&Mask], spread: usize) -> Option<i64> {
        let mut both = [u64::MAX; WORDS];
        for mask in masks {
            for (word, bits) in both.iter_mut().zip(mask.0) {
                *word &= bits;
            }
        }
        let open = |half_hour: usize| both[half_hour / 64] & (1 << (half_hour % 64)) != 0;
        let days: Vec<usize> = (0..SEARCH_DAYS as usize)
            .filter_map(|day| (day * 48..(day + 1) * 48).find(|&h| open(h)))
            .take(5)
            .collect();
        let chosen = days.get(spread % days.len().max(1))?;
        Some(self.start_of(*chosen))
    }
}

/// A member of a round as the slot search sees them, owning what [`Availability`] borrows.
pub struct Calendar {
    pub zone: Tz,
    pub hours: WorkingHours,
    /// Days away in the two weeks after the round, in their own calendar.
    pub away: Vec<NaiveDate>,
}

/// Each group's slot, by index: members (indexes into `calendars`) who share a zone and
/// hours and are never away share one mask.
pub fn suggest_for_groups(
    run_on: NaiveDate,
    calendars: &[Calendar],
    groups: &[Vec<u32>],
) -> Vec<Option<i64>> {
    let window = SlotWindow::after(run_on);
    let mut shared: HashMap<(Tz, &WorkingHours), Mask> = HashMap::new();
    let mut own: HashMap<u32, Mask> = HashMap::new();
    for group in groups {
        for &m in group {
            let calendar = &calendars[m as usize];
            let availability = Availability {
                zone: calendar.zone,
                hours: &calendar.hours,
                away: &calendar.away,
            };
            if calendar.away.is_empty() {
                shared
                    .entry((calendar.zone, &calendar.hours))
                    .or_insert_with(|| window.mask(&availability));
            } else {
                own.insert(m, window.mask(&availability));
            }
        }
    }
    groups
        .iter()
        .enumerate()
        .map(|(position, group)| {
            let masks: Vec<&Mask> = group
                .iter()
                .filter_map(|&m| {
                    let calendar = &calendars[m as usize];
                    own.get(&m)
                        .or_else(|| shared.get(&(calendar.zone, &calendar.hours)))
                })
                .collect();
            window.suggest(&masks, position)
        })
        .collect()
}

/// The days of `first..=last` that fall in the two weeks after a round run on `run_on`.
pub fn days_in_window(run_on: NaiveDate, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    let from = first.max(run_on + Duration::days(1));
    let to = last.min(run_on + Duration::days(SEARCH_DAYS + 1));
    from.iter_days().take_while(|d| *d <= to).collect()
}

/// The last day a slot could fall on, in any zone.
pub fn window_last_day(run_on: NaiveDate) -> NaiveDate {
    run_on + Duration::days(SEARCH_DAYS + 1)
}

fn available(member: &Availability<'_>, at: i64) -> bool {
    let Some(utc) = DateTime::<Utc>::from_timestamp(at, 0) else {
        return false;
    };
    let local = utc.with_timezone(&member.zone).naive_local();
    member.hours.fits(
        local.date(),
        local.time().with_second(0).unwrap_or_default(),
    ) && !member.away.contains(&local.date())
}

/// The viewer's working hours: their own, or the default.
pub async fn my_working_hours(
    store: &dyn ConnectStore,
    viewer: &Viewer,
) -> CoreResult<WorkingHours> {
    Ok(store
        .working_hours(viewer.person_id())
        .await?
        .unwrap_or_default())
}

/// Sets the viewer's own working hours; `None` goes back to the default. Checked at the
/// field, nothing written on bad input.
pub async fn set_my_working_hours(
    store: &dyn ConnectStore,
    viewer: &Viewer,
    hours: Option<WorkingHours>,
    now: i64,
) -> CoreResult<WorkingHours> {
    let hours = hours.map(WorkingHours::checked).transpose()?;
    store
        .set_working_hours(viewer.person_id(), hours.as_ref(), now)
        .await?;
    Ok(hours.unwrap_or_default())
}

/// The person's suggested connection meetings as calendar events; one they could not
/// keep shows as cancelled.
pub async fn calendar_events(
    store: &dyn ConnectStore,
    person: PersonId,
) -> CoreResult<Vec<OneOffEvent>> {
    Ok(store
        .connect_meetings_of(person)
        .await?
        .into_iter()
        .filter_map(|m| {
            Some(OneOffEvent {
                key: format!("connect-{}", m.group),
                starts_at: m.starts_at?,
                minutes: MEETING_MINUTES,
                summary: format!("{}: meet {}", m.programme, m.with.join(" and ")),
                location: None,
                cancelled: m.outcome == Some(Outcome::Missed),
            })
        })
        .collect())
}

/// "Tue 8 Dec, 10:00" in the reader's zone.
pub fn describe_slot(at: i64, zone: Tz) -> String {
    DateTime::<Utc>::from_timestamp(at, 0)
        .map(|t| {
            t.with_timezone(&zone)
                .format("%a %-d %b, %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn suggest_slot(members: &[Availability<'_>], run_on: NaiveDate, spread: usize) -> Option<i64> {
        let window = SlotWindow::after(run_on);
        let masks: Vec<Mask> = members.iter().map(|m| window.mask(m)).collect();
        window.suggest(&masks.iter().collect::<Vec<_>>(), spread)
    }

    fn at(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn two_people_in_one_zone_meet_at_nine_on_the_next_weekday() {
        let hours = WorkingHours::default();
        let both = |zone: Tz| Availability {
            zone,
            hours: &hours,
            away: &[],
        };
        // 2026-12-04 is a Friday: the next working day is Monday the 7th.
        let slot = suggest_slot(&[both(Tz::UTC), both(Tz::UTC)], day("2026-12-04"), 0);
        assert_eq!(slot, Some(at("2026-12-07T09:00:00Z")));
        assert_eq!(describe_slot(slot.unwrap(), Tz::UTC), "Mon 7 Dec, 09:00");
    }

    #[test]
    fn zones_overlap_only_where_both_work_and_absences_are_skipped() {
        let hours = WorkingHours::default();
        let berlin = Availability {
            zone: chrono_tz::Europe::Berlin,
            hours: &hours,
            away: &[day("2026-12-07")],
        };
        let new_york = Availability {
            zone: chrono_tz::America::New_York,
            hours: &hours,
            away: &[],
        };
        // Berlin (UTC+1) works 08:00–16:00 UTC, New York (UTC−5) 14:00–22:00 UTC: the
        // overlap is 14:00–16:00 UTC, and Berlin is away on Monday.
        let slot = suggest_slot(&[berlin, new_york], day("2026-12-04"), 0).unwrap();
        assert_eq!(slot, at("2026-12-08T14:00:00Z"));
        assert_eq!(
            describe_slot(slot, chrono_tz::Europe::Berlin),
            "Tue 8 Dec, 15:00"
        );
        assert_eq!(
            describe_slot(slot, chrono_tz::America::New_York),
            "Tue 8 Dec, 09:00"
        );
    }

    #[test]
    fn groups_are_spread_over_the_week_and_hours_that_never_meet_give_none() {
        let hours = WorkingHours::default();
        let here = || Availability {
            zone: Tz::UTC,
            hours: &hours,
            away: &[],
        };
        let slot = suggest_slot(&[here(), here()], day("2026-12-04"), 2).unwrap();
        assert_eq!(slot, at("2026-12-09T09:00:00Z"), "the third working day");
        let nights = WorkingHours {
            weekdays: vec![6, 7],
            ..WorkingHours::default()
        };
        let weekend = Availability {
            zone: Tz::UTC,
            hours: &nights,
            away: &[],
        };
        assert_eq!(suggest_slot(&[here(), weekend], day("2026-12-04"), 0), None);
    }

    #[test]
    fn working_hours_are_checked_at_the_field() {
        let bad = WorkingHours {
            weekdays: vec![],
            ..WorkingHours::default()
        };
        assert!(
            bad.checked()
                .unwrap_err()
                .to_string()
                .contains("at least one day")
        );
        let short = WorkingHours {
            ends: NaiveTime::from_hms_opt(9, 15, 0).unwrap(),
            ..WorkingHours::default()
        };
        assert!(
            short
                .checked()
                .unwrap_err()
                .to_string()
                .contains("at least 30 minutes")
        );
        let odd = WorkingHours {
            weekdays: vec![8, 1, 1],
            ..WorkingHours::default()
        };
        assert!(
            odd.checked()
                .unwrap_err()
                .to_string()
                .contains("8 is not a weekday")
        );
    }
}
