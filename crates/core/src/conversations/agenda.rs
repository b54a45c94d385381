//! The shared agenda and its carry-over rules. A talking point is one record that sits on
//! exactly one meeting at a time — the current one — until it is ticked there, so nothing
//! is ever copied: unticked points carry over; a skipped or cancelled meeting passes its
//! points on; a meeting moved past the next one cannot duplicate them.

use super::{Meeting, Point};
use chrono::NaiveDate;
use serde::Serialize;

/// The rules, as the meeting page states them.
pub const RULES: &str = "Points that are not ticked carry over to the next meeting. A skipped \
    or cancelled meeting passes its points on to the next one. Each point sits on one meeting \
    at a time, so moving a meeting never copies its points.";

/// A point on the open agenda.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenPoint {
    #[serde(flatten)]
    pub point: Point,
    /// It was already open at an earlier meeting that took place.
    pub carried_over: bool,
}

/// What one meeting's agenda shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agenda {
    /// Ticked at this meeting.
    pub discussed: Vec<Point>,
    /// The current meeting only: every point not yet ticked.
    pub open: Vec<OpenPoint>,
    /// A past meeting only: points it had that were not ticked there, so went on.
    pub passed_on: Vec<Point>,
    /// Points can be added and ticked (the current meeting).
    pub is_current: bool,
}

/// Where a meeting stands against the current one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Past,
    Current,
    /// After the current meeting: its agenda is not open yet.
    Later,
}

/// Where `meeting` stands, given the current meeting (none: nothing scheduled ahead).
pub fn when(meeting: &Meeting, current: Option<&Meeting>) -> When {
    match current {
        Some(c) if c.occurrence == meeting.occurrence => When::Current,
        Some(c) if meeting.starts_at > c.starts_at => When::Later,
        Some(c) if meeting.starts_at == c.starts_at && meeting.occurrence > c.occurrence => {
            When::Later
        }
        _ => When::Past,
    }
}

/// The agenda of `meeting`. `previous_held` is the start of the last meeting that took
/// place before it; `start_of` gives the start of the meeting of a planned date, to tell
/// whether a point was ticked later than `meeting`.
pub fn agenda(
    points: &[Point],
    meeting: &Meeting,
    when: When,
    previous_held: Option<i64>,
    start_of: impl Fn(NaiveDate) -> Option<i64>,
) -> Agenda {
    let discussed: Vec<Point> = points
        .iter()
        .filter(|p| p.ticked_at_meeting == Some(meeting.occurrence))
        .cloned()
        .collect();
    let mut agenda = Agenda {
        discussed,
        is_current: when == When::Current,
        ..Agenda::default()
    };
    match when {
        When::Current => {
            agenda.open = points
                .iter()
                .filter(|p| p.ticked_at_meeting.is_none())
                .map(|p| OpenPoint {
                    point: p.clone(),
                    carried_over: previous_held.is_some_and(|held| p.created_at < held),
                })
                .collect();
        }
        When::Past => {
            // Present before it ended, and not ticked at it or at an earlier meeting.
            agenda.passed_on = points
                .iter()
                .filter(|p| p.created_at < meeting.ends_at)
                .filter(|p| match p.ticked_at_meeting {
                    None => true,
                    Some(at) if at == meeting.occurrence => false,
                    Some(at) => start_of(at).is_some_and(|s| s > meeting.starts_at),
                })
                .cloned()
                .collect();
        }
        When::Later => {}
    }
    agenda
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::{Change, Exception, Schedule};
    use crate::ids::{PersonId, PersonName, PointId};
    use chrono::{NaiveDateTime, NaiveTime};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn t(s: &str) -> i64 {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
            .timestamp()
    }
    fn point(id: i64, created: &str, ticked: Option<&str>) -> Point {
        Point {
            id: PointId(id),
            text: format!("point {id}"),
            author: PersonName {
                id: PersonId(1),
                name: "Max".into(),
            },
            created_at: t(created),
            ticked_at_meeting: ticked.map(d),
            link: None,
        }
    }
    fn weekly() -> Schedule {
        Schedule {
            first_date: d("2026-01-06"),
            start_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            minutes: 30,
            every_weeks: 1,
            time_zone: "UTC".into(),
        }
    }

    /// The agenda of the meeting of `occurrence` as of `now`, as the service builds it.
    fn agenda_at(ex: &[Exception], points: &[Point], occurrence: &str, now: &str) -> Agenda {
        let s = weekly();
        let now = t(now);
        let current = s.current(ex, now);
        let all = s.meetings(ex, d("2026-01-01"), d("2026-03-01"));
        let meeting = s.meeting_of(ex, d(occurrence)).unwrap();
        let previous_held = all
            .iter()
            .filter(|m| m.happens() && m.starts_at < meeting.starts_at)
            .map(|m| m.starts_at)
            .next_back();
        let start_of = |o: NaiveDate| s.meeting_of(ex, o).map(|m| m.starts_at);
        agenda(
            points,
            &meeting,
            when(&meeting, current.as_ref()),
            previous_held,
            start_of,
        )
    }

    fn ids(points: &[Point]) -> Vec<i64> {
        points.iter().map(|p| p.id.0).collect()
    }
    fn open(a: &Agenda) -> Vec<(i64, bool)> {
        a.open
            .iter()
            .map(|p| (p.point.id.0, p.carried_over))
            .collect()
    }

    #[test]
    fn unticked_points_carry_over_to_the_next_meeting() {
        let points = [
            point(1, "2026-01-05 09:00", Some("2026-01-06")),
            point(2, "2026-01-05 09:30", None),
            point(3, "2026-01-08 09:00", None),
        ];
        let held = agenda_at(&[], &points, "2026-01-06", "2026-01-09 12:00");
        assert_eq!(ids(&held.discussed), [1]);
        assert_eq!(
            ids(&held.passed_on),
            [2],
            "point 2 went on to the next meeting"
        );
        let next = agenda_at(&[], &points, "2026-01-13", "2026-01-09 12:00");
        assert!(next.is_current);
        assert_eq!(open(&next), [(2, true), (3, false)]);
    }

    #[test]
    fn a_skipped_meeting_passes_its_points_to_the_next() {
        let ex = [Exception {
            occurrence: d("2026-01-13"),
            change: Change::Skipped,
        }];
        let points = [point(1, "2026-01-10 09:00", None)];
        let skipped = agenda_at(&ex, &points, "2026-01-13", "2026-01-14 12:00");
        assert_eq!(ids(&skipped.passed_on), [1]);
        let next = agenda_at(&ex, &points, "2026-01-20", "2026-01-14 12:00");
        assert_eq!(
            open(&next),
            [(1, false)],
            "no meeting took place since it was added"
        );
    }

    #[test]
    fn a_meeting_moved_past_the_next_does_not_duplicate_points() {
        let moved = NaiveDateTime::parse_from_str("2026-01-22 10:00", "%Y-%m-%d %H:%M").unwrap();
        let ex = [Exception {
            occurrence: d("2026-01-13"),
            change: Change::Moved(moved),
        }];
        let points = [point(1, "2026-01-10 09:00", None)];
        // Before the 20th, the 20th is the current meeting and holds the point…
        let twentieth = agenda_at(&ex, &points, "2026-01-20", "2026-01-15 12:00");
        assert_eq!(open(&twentieth), [(1, false)]);
        // …and the moved meeting, later, holds nothing yet.
        let moved_one = agenda_at(&ex, &points, "2026-01-13", "2026-01-15 12:00");
        assert!(moved_one.open.is_empty() && moved_one.passed_on.is_empty());
        // Ticked on the 20th, it is discussed there and not open on the moved meeting.
        let ticked = [point(1, "2026-01-10 09:00", Some("2026-01-20"))];
        let after = agenda_at(&ex, &ticked, "2026-01-13", "2026-01-21 12:00");
        assert!(after.is_current && after.open.is_empty());
        assert_eq!(
            ids(&agenda_at(&ex, &ticked, "2026-01-20", "2026-01-21 12:00").discussed),
            [1]
        );
    }

    #[test]
    fn a_cancelled_meeting_has_nothing_discussed() {
        let ex = [Exception {
            occurrence: d("2026-01-06"),
            change: Change::Cancelled,
        }];
        let points = [point(1, "2026-01-05 09:00", Some("2026-01-13"))];
        let cancelled = agenda_at(&ex, &points, "2026-01-06", "2026-01-14 12:00");
        assert!(cancelled.discussed.is_empty());
        assert_eq!(
            ids(&cancelled.passed_on),
            [1],
            "ticked at the next one instead"
        );
    }
}
