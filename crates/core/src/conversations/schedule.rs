//! When a series meets: a first date (whose weekday it keeps), a local time and length,
//! every one, two or four weeks, in the organiser's time zone — so 10:00 stays 10:00
//! across daylight saving. Single meetings may be moved, skipped or cancelled; they are
//! known by their planned date (the iCalendar `RECURRENCE-ID`).

use crate::error::FieldError;
use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// The cadences offered, in weeks.
pub const CADENCES: [u32; 3] = [1, 2, 4];
/// A meeting stays the current one (its agenda open to ticks) until a day after it ends.
pub const GRACE_SECONDS: i64 = 86_400;

/// A series' rhythm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    /// The first meeting's date; its weekday is the series' weekday.
    pub first_date: NaiveDate,
    /// Local time in `time_zone`, `HH:MM`.
    #[serde(with = "hh_mm")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "10:00"))]
    pub start_time: NaiveTime,
    pub minutes: u32,
    /// 1, 2 or 4.
    pub every_weeks: u32,
    /// An IANA time zone, such as `Europe/Berlin`.
    pub time_zone: String,
}

mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(&text, "%H:%M").map_err(serde::de::Error::custom)
    }
}

/// A schedule as filled in.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ScheduleRequest))]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// The first meeting: today or later in the time zone.
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub first_date: Option<NaiveDate>,
    /// `HH:MM`, local.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, example = "10:00")
    )]
    pub start_time: Option<String>,
    /// 10 to 240 minutes (default 30).
    #[cfg_attr(feature = "openapi", schema(minimum = 10, maximum = 240))]
    pub minutes: Option<i64>,
    /// 1, 2 or 4 (default 1).
    pub every_weeks: Option<i64>,
    /// Default: the organiser's time zone.
    pub time_zone: Option<String>,
}

impl ScheduleInput {
    /// The schedule, or every field's problem. `today` is today in the chosen zone
    /// (a function, because the zone is part of the input).
    pub fn checked(
        &self,
        default_zone: Option<&str>,
        now: i64,
    ) -> Result<Schedule, Vec<FieldError>> {
        let mut errors = Vec::new();
        let zone = self
            .time_zone
            .as_deref()
            .map(str::trim)
            .filter(|z| !z.is_empty())
            .or(default_zone)
            .unwrap_or("UTC")
            .to_string();
        if zone.parse::<Tz>().is_err() {
            errors.push(FieldError::new(
                "time_zone",
                format!("{zone:?} is not a time zone; give one such as Europe/Berlin"),
            ));
        }
        let today = crate::clock::local_date(Some(&zone), now);
        let start_time = match self.start_time.as_deref().map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::new(
                    "start_time",
                    "give the time, such as 10:00",
                ));
                None
            }
            Some(t) => match NaiveTime::parse_from_str(t, "%H:%M") {
                Ok(t) => Some(t),
                Err(_) => {
                    errors.push(FieldError::new(
                        "start_time",
                        format!("{t:?} is not a time; give hours and minutes, such as 10:00"),
                    ));
                    None
                }
            },
        };
        let minutes = self.minutes.unwrap_or(30);
        if !(10..=240).contains(&minutes) {
            errors.push(FieldError::new(
                "minutes",
                format!("a meeting lasts 10 to 240 minutes, not {minutes}"),
            ));
        }
        let every = self.every_weeks.unwrap_or(1);
        if !CADENCES.contains(&(every.clamp(0, 100) as u32)) {
            errors.push(FieldError::new(
                "every_weeks",
                format!("meet every 1, 2 or 4 weeks, not every {every}"),
            ));
        }
        let first = match self.first_date {
            None => {
                errors.push(FieldError::new(
                    "first_date",
                    "give the date of the first meeting",
                ));
                None
            }
            Some(d) if d < today => {
                errors.push(FieldError::new(
                    "first_date",
                    format!("{d} is in the past; the first meeting is today ({today}) or later"),
                ));
                None
            }
            Some(d) => Some(d),
        };
        if let (Some(first), Some(start)) = (first, start_time)
            && first == today
            && local_to_unix(&zone, first.and_time(start)) <= now
        {
            errors.push(FieldError::new(
                "start_time",
                format!(
                    "{} today has passed; choose a later time or day",
                    start.format("%H:%M")
                ),
            ));
        }
        match (errors.is_empty(), first, start_time) {
            (true, Some(first_date), Some(start_time)) => Ok(Schedule {
                first_date,
                start_time,
                minutes: minutes as u32,
                every_weeks: every as u32,
                time_zone: zone,
            }),
            _ => Err(errors),
        }
    }
}

/// What happened to one planned meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "change", content = "to")]
pub enum Change {
    /// To another local date and time.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    Moved(NaiveDateTime),
    /// Not held this time; its points go to the next meeting.
    Skipped,
    /// Called off (shown as cancelled in calendars); its points go to the next meeting.
    Cancelled,
}

/// One meeting's change, by its planned date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Exception {
    pub occurrence: NaiveDate,
    pub change: Change,
}

/// A meeting's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeetingState {
    Planned,
    Moved,
    Skipped,
    Cancelled,
}

/// One meeting of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Meeting {
    /// Its planned date: what it is known by, even after a move.
    pub occurrence: NaiveDate,
    /// Local start in the series' time zone.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub starts: NaiveDateTime,
    pub starts_at: i64,
    pub ends_at: i64,
    pub state: MeetingState,
}

impl Meeting {
    /// Takes place (or took place): neither skipped nor cancelled.
    pub fn happens(&self) -> bool {
        matches!(self.state, MeetingState::Planned | MeetingState::Moved)
    }
}

/// Unix seconds of a local time; in a daylight-saving gap, the first instant after it.
pub fn local_to_unix(zone: &str, local: NaiveDateTime) -> i64 {
    let tz: Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.timestamp(),
        chrono::LocalResult::Ambiguous(early, _) => early.timestamp(),
        chrono::LocalResult::None => tz
            .from_local_datetime(&(local + Duration::hours(1)))
            .earliest()
            .map(|t| t.timestamp())
            .unwrap_or_else(|| local.and_utc().timestamp()),
    }
}

impl Schedule {
    /// Planned dates from `from` to `to`, both included.
    pub fn planned(&self, from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> + '_ {
        let step = 7 * i64::from(self.every_weeks.max(1));
        let skip = ((from - self.first_date).num_days().max(0) + step - 1) / step;
        (skip..)
            .map(move |k| self.first_date + Duration::days(k * step))
            .take_while(move |d| *d <= to)
    }

    /// Whether `date` is a planned date.
    pub fn is_planned(&self, date: NaiveDate) -> bool {
        let days = (date - self.first_date).num_days();
        days >= 0 && days % (7 * i64::from(self.every_weeks.max(1))) == 0
    }

    fn meeting(&self, occurrence: NaiveDate, change: Option<Change>) -> Meeting {
        let (starts, state) = match change {
            None => (occurrence.and_time(self.start_time), MeetingState::Planned),
            Some(Change::Moved(to)) => (to, MeetingState::Moved),
            Some(Change::Skipped) => (occurrence.and_time(self.start_time), MeetingState::Skipped),
            Some(Change::Cancelled) => (
                occurrence.and_time(self.start_time),
                MeetingState::Cancelled,
            ),
        };
        let starts_at = local_to_unix(&self.time_zone, starts);
        Meeting {
            occurrence,
            starts,
            starts_at,
            ends_at: starts_at + 60 * i64::from(self.minutes),
            state,
        }
    }

    /// The meetings whose (possibly moved) local start date lies from `from` to `to`, in
    /// the order they take place.
    pub fn meetings(
        &self,
        exceptions: &[Exception],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Vec<Meeting> {
        let change = |d: NaiveDate| {
            exceptions
                .iter()
                .find(|e| e.occurrence == d)
                .map(|e| e.change)
        };
        let mut out: Vec<Meeting> = self
            .planned(from, to)
            .map(|d| self.meeting(d, change(d)))
            .collect();
        // Meetings moved in from outside the window.
        for e in exceptions {
            if let Change::Moved(_) = e.change
                && self.is_planned(e.occurrence)
                && !(from..=to).contains(&e.occurrence)
            {
                out.push(self.meeting(e.occurrence, Some(e.change)));
            }
        }
        out.retain(|m| (from..=to).contains(&m.starts.date()));
        out.sort_by_key(|m| (m.starts_at, m.occurrence));
        out
    }

    /// The meeting of this planned date, if it is one.
    pub fn meeting_of(&self, exceptions: &[Exception], occurrence: NaiveDate) -> Option<Meeting> {
        self.is_planned(occurrence).then(|| {
            let change = exceptions
                .iter()
                .find(|e| e.occurrence == occurrence)
                .map(|e| e.change);
            self.meeting(occurrence, change)
        })
    }

    /// The meeting whose agenda is open now: the first that takes place and has not been
    /// over for a day. Unticked points belong to it.
    pub fn current(&self, exceptions: &[Exception], now: i64) -> Option<Meeting> {
        let today = crate::clock::local_date(Some(&self.time_zone), now);
        // Moves are limited to a year either way, so this window sees every candidate.
        self.meetings(
            exceptions,
            today - Duration::days(400),
            today + Duration::days(800),
        )
        .into_iter()
        .find(|m| m.happens() && m.ends_at + GRACE_SECONDS > now)
    }

    /// The meetings held (taken place and over) from `since` until `now`.
    pub fn held(&self, exceptions: &[Exception], since: i64, now: i64) -> Vec<Meeting> {
        let from = crate::clock::local_date(Some(&self.time_zone), since) - Duration::days(1);
        let to = crate::clock::local_date(Some(&self.time_zone), now) + Duration::days(1);
        self.meetings(exceptions, from, to)
            .into_iter()
            .filter(|m| m.happens() && m.starts_at >= since && m.ends_at <= now)
            .collect()
    }

    /// "Every week on Tuesday at 10:00 for 30 minutes (Europe/Berlin)".
    pub fn describe(&self) -> String {
        let every = match self.every_weeks {
            1 => "Every week".to_string(),
            n => format!("Every {n} weeks"),
        };
        format!(
            "{every} on {} at {} for {} minutes ({})",
            self.first_date.format("%A"),
            self.start_time.format("%H:%M"),
            self.minutes,
            self.time_zone
        )
    }
}

/// Checks a move: to a local time from now on, and at most a year from the planned date.
pub fn check_move(
    schedule: &Schedule,
    occurrence: NaiveDate,
    to: NaiveDateTime,
    now: i64,
) -> Result<(), FieldError> {
    if local_to_unix(&schedule.time_zone, to) <= now {
        return Err(FieldError::new(
            "to",
            format!(
                "{} is in the past; move the meeting to a later time",
                to.format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    if (to.date() - occurrence).num_days().abs() > 365 {
        return Err(FieldError::new(
            "to",
            "a meeting moves at most a year from its planned date",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn weekly(first: &str, zone: &str) -> Schedule {
        Schedule {
            first_date: d(first),
            start_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            minutes: 30,
            every_weeks: 1,
            time_zone: zone.into(),
        }
    }
    fn at(zone: &str, s: &str) -> i64 {
        local_to_unix(
            zone,
            NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap(),
        )
    }

    #[test]
    fn ten_o_clock_stays_ten_o_clock_across_daylight_saving() {
        // Berlin leaves summer time on 25 October 2026.
        let s = weekly("2026-10-20", "Europe/Berlin");
        let m = s.meetings(&[], d("2026-10-01"), d("2026-11-10"));
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].starts_at, at("UTC", "2026-10-20 08:00"));
        assert_eq!(
            m[1].starts_at,
            at("UTC", "2026-10-27 09:00"),
            "an hour later in UTC"
        );
        assert!(m.iter().all(|m| m.starts.time() == s.start_time));
    }

    #[test]
    fn a_moved_meeting_appears_once_at_its_new_time() {
        let s = weekly("2026-01-06", "UTC");
        let moved = NaiveDateTime::parse_from_str("2026-01-15 14:00", "%Y-%m-%d %H:%M").unwrap();
        let ex = [
            Exception {
                occurrence: d("2026-01-06"),
                change: Change::Moved(moved),
            },
            Exception {
                occurrence: d("2026-01-20"),
                change: Change::Skipped,
            },
        ];
        let m = s.meetings(&ex, d("2026-01-01"), d("2026-01-31"));
        let dates: Vec<_> = m
            .iter()
            .map(|m| (m.occurrence, m.starts.date(), m.state))
            .collect();
        assert_eq!(
            dates,
            [
                (d("2026-01-13"), d("2026-01-13"), MeetingState::Planned),
                (d("2026-01-06"), d("2026-01-15"), MeetingState::Moved),
                (d("2026-01-20"), d("2026-01-20"), MeetingState::Skipped),
                (d("2026-01-27"), d("2026-01-27"), MeetingState::Planned),
            ]
        );
        // Seen from a window that holds only its new date, it is still there.
        let later = s.meetings(&ex, d("2026-01-14"), d("2026-01-16"));
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].occurrence, d("2026-01-06"));
    }

    #[test]
    fn the_current_meeting_skips_what_does_not_take_place() {
        let s = weekly("2026-01-06", "UTC");
        let ex = [Exception {
            occurrence: d("2026-01-13"),
            change: Change::Cancelled,
        }];
        let now = at("UTC", "2026-01-08 12:00");
        assert_eq!(s.current(&ex, now).unwrap().occurrence, d("2026-01-20"));
        // During the meeting and for a day after, it stays current.
        let during = at("UTC", "2026-01-06 10:10");
        assert_eq!(s.current(&ex, during).unwrap().occurrence, d("2026-01-06"));
    }

    #[test]
    fn every_two_weeks_keeps_the_weekday() {
        let mut s = weekly("2026-03-03", "UTC");
        s.every_weeks = 2;
        let m: Vec<_> = s.planned(d("2026-03-04"), d("2026-04-01")).collect();
        assert_eq!(m, [d("2026-03-17"), d("2026-03-31")]);
        assert!(
            s.describe()
                .starts_with("Every 2 weeks on Tuesday at 10:00")
        );
    }

    #[test]
    fn bad_input_is_named_field_by_field() {
        let now = at("UTC", "2026-05-05 12:00");
        let input = ScheduleInput {
            first_date: Some(d("2026-05-01")),
            start_time: Some("25:00".into()),
            minutes: Some(5),
            every_weeks: Some(0),
            time_zone: Some("Mars/Base".into()),
        };
        let errors = input.checked(None, now).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "time_zone",
                "start_time",
                "minutes",
                "every_weeks",
                "first_date"
            ]
        );
        assert!(errors[3].message.contains("not every 0"));
        assert!(errors[4].message.contains("in the past"));
    }
}
