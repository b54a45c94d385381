//! The metric definitions of PRODUCT.md for work: key-result and objective progress,
//! objective status, the agreed due date, delivery reliability, capacity and workload.
//! Pure functions on plain values; the tests below pin each definition with small
//! hand-checked examples.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

/// How a key result is measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Measure {
    Numeric {
        start: f64,
        target: f64,
        current: f64,
        unit: String,
    },
    Done {
        done: bool,
    },
}

/// Progress of a key result from 0 to 1: `(current − start) ÷ (target − start)`, clamped.
/// A falling target (below the start) works the same way: going down is progress.
pub fn key_result_progress(measure: &Measure) -> f64 {
    match measure {
        Measure::Numeric {
            start,
            target,
            current,
            ..
        } => {
            let span = target - start;
            if span == 0.0 || !span.is_finite() {
                // Refused on input; kept total so a bad row never breaks a page.
                return if current == target { 1.0 } else { 0.0 };
            }
            ((current - start) / span).clamp(0.0, 1.0)
        }
        Measure::Done { done } => {
            if *done {
                1.0
            } else {
                0.0
            }
        }
    }
}

/// Objective progress: the mean of its key results' progress; `None` without key results.
pub fn objective_progress(measures: &[&Measure]) -> Option<f64> {
    if measures.is_empty() {
        return None;
    }
    Some(measures.iter().map(|m| key_result_progress(m)).sum::<f64>() / measures.len() as f64)
}

/// Progress expected by `today` if work went linearly from the first to the last day of the
/// period: 0 on the first day, 1 on the last.
pub fn expected_progress(period_start: NaiveDate, period_end: NaiveDate, today: NaiveDate) -> f64 {
    let total = (period_end - period_start).num_days();
    if total <= 0 {
        return if today >= period_end { 1.0 } else { 0.0 };
    }
    ((today - period_start).num_days() as f64 / total as f64).clamp(0.0, 1.0)
}

/// Where an objective stands against the time that has passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectiveStatus {
    OnTrack,
    Behind,
    AtRisk,
}

impl ObjectiveStatus {
    pub fn label(self) -> &'static str {
        match self {
            ObjectiveStatus::OnTrack => "on track",
            ObjectiveStatus::Behind => "behind",
            ObjectiveStatus::AtRisk => "at risk",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ObjectiveStatus::OnTrack => "on_track",
            ObjectiveStatus::Behind => "behind",
            ObjectiveStatus::AtRisk => "at_risk",
        }
    }
}

/// The gap in percentage points between expected and actual progress decides the status:
/// under 15 on track, 15 to 30 behind, over 30 at risk.
pub fn objective_status(progress: f64, expected: f64) -> ObjectiveStatus {
    let gap = gap_points(progress, expected);
    if gap < 15.0 {
        ObjectiveStatus::OnTrack
    } else if gap <= 30.0 {
        ObjectiveStatus::Behind
    } else {
        ObjectiveStatus::AtRisk
    }
}

/// Expected minus actual progress, in whole percentage points (rounded so that what the
/// page shows is what decides the status).
pub fn gap_points(progress: f64, expected: f64) -> f64 {
    ((expected - progress) * 100.0).round()
}

/// The due date that counts for delivery after a change of due date made on `changed_on`
/// (the owner's local date). A change made on or before the due date in force is the new
/// agreement; once that date has passed, later changes do not rescue the commitment.
pub fn agreed_due_after_change(
    due_in_force: NaiveDate,
    agreed: NaiveDate,
    changed_on: NaiveDate,
    new_due: NaiveDate,
) -> NaiveDate {
    let never_missed = agreed == due_in_force;
    if never_missed && changed_on <= due_in_force {
        new_due
    } else {
        agreed
    }
}

/// The agreed due date from the original date and every due-date change in order
/// (`(changed_on, new_due)`).
pub fn agreed_due_date(original: NaiveDate, changes: &[(NaiveDate, NaiveDate)]) -> NaiveDate {
    let mut due = original;
    let mut agreed = original;
    for &(changed_on, new_due) in changes {
        agreed = agreed_due_after_change(due, agreed, changed_on, new_due);
        due = new_due;
    }
    agreed
}

/// The state of a commitment as delivery reliability sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    Open,
    Done,
    /// Cancelled out of the record (before its agreed date passed, or by someone with the
    /// authority to: the requester, the owner's manager chain, an admin).
    Cancelled,
    /// Cancelled by its owner alone after the agreed date passed: counts as not delivered.
    CancelledLate,
}

/// What delivery reliability needs of one commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub agreed_due: NaiveDate,
    pub state: DeliveryState,
    /// The owner's local date of completion.
    pub completed_on: Option<NaiveDate>,
}

/// A span of whole days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Window {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Window {
    /// The `days` days that end on `last` (today, usually).
    pub fn ending(last: NaiveDate, days: u32) -> Window {
        Window {
            first: last - Duration::days(i64::from(days.max(1)) - 1),
            last,
        }
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.first <= day && day <= self.last
    }

    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }
}

/// Commitments counted and those delivered on time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    /// Commitments whose agreed due date fell in the window (cancelled and still-open work
    /// not yet due excluded).
    pub due: u64,
    pub on_time: u64,
}

impl DeliveryCounts {
    /// `on_time ÷ due`; `None` when nothing was due: "no data", never 0 % or 100 %.
    pub fn reliability(&self) -> Option<f64> {
        (self.due > 0).then(|| self.on_time as f64 / self.due as f64)
    }

    pub fn add(&mut self, other: DeliveryCounts) {
        self.due += other.due;
        self.on_time += other.on_time;
    }
}

/// Delivery reliability over a window as of `today`: commitments completed on or before
/// their agreed due date ÷ commitments whose agreed due date fell in the window. Cancelled
/// work is excluded, and so is open work whose agreed date is today or later (it can still
/// be delivered on time, so it is not yet decided).
pub fn delivery(records: &[DeliveryRecord], window: Window, today: NaiveDate) -> DeliveryCounts {
    let mut counts = DeliveryCounts::default();
    for r in records {
        if !window.contains(r.agreed_due) {
            continue;
        }
        match r.state {
            DeliveryState::Cancelled => {}
            DeliveryState::CancelledLate => counts.due += 1,
            DeliveryState::Open => {
                if r.agreed_due < today {
                    counts.due += 1;
                }
            }
            DeliveryState::Done => {
                counts.due += 1;
                if r.completed_on.is_some_and(|d| d <= r.agreed_due) {
                    counts.on_time += 1;
                }
            }
        }
    }
    counts
}

/// Who the delivery record is charged to after a reassignment on `today`: work handed on
/// before its agreed date passed is the new owner's to deliver; work already late stays
/// late for whoever held it, and the new owner's record is not charged for it.
pub fn accountable_after_reassign<P>(
    accountable: P,
    new_owner: P,
    agreed_due: NaiveDate,
    today: NaiveDate,
) -> P {
    if today > agreed_due {
        accountable
    } else {
        new_owner
    }
}

/// Who cancels a commitment, as far as its record is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canceller {
    /// The owner (also when they gave the work to themselves).
    Owner,
    /// Someone else who asked for the work.
    Requester,
    /// The owner's manager chain or an admin.
    Authority,
}

/// Whether a cancellation on `today` leaves the work in the record as not delivered: only
/// after the agreed date has passed and only when the owner alone cancels — an owner cannot
/// cancel their own late work out of the record.
pub fn cancellation_counts(by: Canceller, agreed_due: NaiveDate, today: NaiveDate) -> bool {
    today > agreed_due && by == Canceller::Owner
}

/// Workload above this is overloaded (PRODUCT.md).
pub const OVERLOAD_THRESHOLD: f64 = 1.2;

/// Working days (Monday to Friday) from `first` to `last` inclusive that are not inside any
/// absence (`(first_day, last_day)`, inclusive).
pub fn working_days(first: NaiveDate, last: NaiveDate, absences: &[(NaiveDate, NaiveDate)]) -> u32 {
    let mut days = 0;
    let mut day = first;
    while day <= last {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let absent = absences.iter().any(|&(a, b)| a <= day && day <= b);
        if !weekend && !absent {
            days += 1;
        }
        day += Duration::days(1);
    }
    days
}

/// Hours a person can give over the horizon: their weekly hours spread over five working
/// days, times the working days they are not absent.
pub fn capacity_hours(
    hours_per_week: f64,
    first: NaiveDate,
    last: NaiveDate,
    absences: &[(NaiveDate, NaiveDate)],
) -> f64 {
    hours_per_week / 5.0 * f64::from(working_days(first, last, absences))
}

/// Remaining effort against capacity over a horizon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Workload {
    pub remaining_hours: f64,
    pub capacity_hours: f64,
}

impl Workload {
    /// Remaining effort ÷ capacity; `None` when there is no capacity at all (then any
    /// remaining work is an overload).
    pub fn ratio(&self) -> Option<f64> {
        (self.capacity_hours > 0.0).then(|| self.remaining_hours / self.capacity_hours)
    }

    /// Over 1.2, or work with no capacity to do it.
    pub fn overloaded(&self) -> bool {
        match self.ratio() {
            Some(r) => r > OVERLOAD_THRESHOLD,
            None => self.remaining_hours > 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::local_date;

    #[test]
    fn delivery_reliability_is_charged_to_whoever_held_the_work_when_it_went_late() {
        // Due 10 March with Ada. Handed to Bea on 5 March (in time): Bea's to deliver.
        // Handed to Bea on 12 March (already late): still Ada's record, not Bea's.
        let due = d("2026-03-10");
        assert_eq!(
            accountable_after_reassign("ada", "bea", due, d("2026-03-05")),
            "bea"
        );
        assert_eq!(
            accountable_after_reassign("ada", "bea", due, d("2026-03-10")),
            "bea"
        );
        assert_eq!(
            accountable_after_reassign("ada", "bea", due, d("2026-03-12")),
            "ada"
        );
        // And on to Cy after that: Ada keeps it.
        assert_eq!(
            accountable_after_reassign("ada", "cy", due, d("2026-03-20")),
            "ada"
        );
    }

    #[test]
    fn an_owner_cannot_cancel_their_own_late_work_out_of_the_record() {
        let due = d("2026-03-10");
        let late = d("2026-03-20");
        assert!(!cancellation_counts(Canceller::Owner, due, d("2026-03-09")));
        assert!(
            !cancellation_counts(Canceller::Owner, due, due),
            "on the day is in time"
        );
        assert!(cancellation_counts(Canceller::Owner, due, late));
        assert!(!cancellation_counts(Canceller::Requester, due, late));
        assert!(!cancellation_counts(Canceller::Authority, due, late));
        // 6 of 7 on time, then the seventh, 10 days late, cancelled by its owner:
        // 6 ÷ 7 ≈ 86 %, not 100 %.
        let window = Window::ending(d("2026-03-31"), 31);
        let mut records: Vec<DeliveryRecord> = (1..=6)
            .map(|i| DeliveryRecord {
                agreed_due: d("2026-03-01") + Duration::days(i),
                state: DeliveryState::Done,
                completed_on: Some(d("2026-03-01") + Duration::days(i)),
            })
            .collect();
        records.push(DeliveryRecord {
            agreed_due: due,
            state: DeliveryState::CancelledLate,
            completed_on: None,
        });
        let counts = delivery(&records, window, d("2026-03-31"));
        assert_eq!((counts.due, counts.on_time), (7, 6));
        records[6].state = DeliveryState::Cancelled;
        let counts = delivery(&records, window, d("2026-03-31"));
        assert_eq!(
            (counts.due, counts.on_time),
            (6, 6),
            "cancelled by the requester"
        );
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn numeric(start: f64, target: f64, current: f64) -> Measure {
        Measure::Numeric {
            start,
            target,
            current,
            unit: String::new(),
        }
    }

    #[test]
    fn key_result_progress_is_clamped_and_works_for_falling_targets() {
        assert_eq!(key_result_progress(&numeric(0.0, 10.0, 5.0)), 0.5);
        assert_eq!(key_result_progress(&numeric(0.0, 10.0, 15.0)), 1.0);
        assert_eq!(key_result_progress(&numeric(0.0, 10.0, -3.0)), 0.0);
        // Cut latency from 800 ms to 200 ms; now 500 ms: half way.
        assert_eq!(key_result_progress(&numeric(800.0, 200.0, 500.0)), 0.5);
        // Moving the wrong way on a falling target is no progress.
        assert_eq!(key_result_progress(&numeric(800.0, 200.0, 900.0)), 0.0);
        assert_eq!(key_result_progress(&Measure::Done { done: true }), 1.0);
        assert_eq!(key_result_progress(&Measure::Done { done: false }), 0.0);
    }

    #[test]
    fn objective_progress_is_the_mean_of_its_key_results() {
        let a = numeric(0.0, 4.0, 1.0); // 0.25
        let b = Measure::Done { done: true }; // 1.0
        assert_eq!(objective_progress(&[&a, &b]), Some(0.625));
        assert_eq!(objective_progress(&[]), None);
    }

    #[test]
    fn objective_status_compares_progress_with_linear_time() {
        // A 100-day period, 50 days in: 50 % expected.
        let expected = expected_progress(d("2026-01-01"), d("2026-04-11"), d("2026-02-20"));
        assert_eq!(expected, 0.5);
        assert_eq!(objective_status(0.36, expected), ObjectiveStatus::OnTrack); // gap 14
        assert_eq!(objective_status(0.35, expected), ObjectiveStatus::Behind); // gap 15
        assert_eq!(objective_status(0.20, expected), ObjectiveStatus::Behind); // gap 30
        assert_eq!(objective_status(0.19, expected), ObjectiveStatus::AtRisk); // gap 31
        assert_eq!(objective_status(0.9, expected), ObjectiveStatus::OnTrack); // ahead
        assert_eq!(
            expected_progress(d("2026-01-01"), d("2026-03-31"), d("2025-12-01")),
            0.0
        );
        assert_eq!(
            expected_progress(d("2026-01-01"), d("2026-03-31"), d("2026-06-01")),
            1.0
        );
    }

    #[test]
    fn delivery_reliability_renegotiated_before_the_due_date_is_the_new_agreement() {
        // Due 10 March; moved to 20 March on 9 March; done 18 March: on time.
        let agreed = agreed_due_date(d("2026-03-10"), &[(d("2026-03-09"), d("2026-03-20"))]);
        assert_eq!(agreed, d("2026-03-20"));
        // Moving it on the due date itself still counts as before it passed.
        let agreed = agreed_due_date(d("2026-03-10"), &[(d("2026-03-10"), d("2026-03-20"))]);
        assert_eq!(agreed, d("2026-03-20"));
    }

    #[test]
    fn delivery_reliability_a_change_after_the_due_date_does_not_rescue() {
        // Due 10 March; moved to 20 March on 12 March (already late); done 18 March: late.
        let agreed = agreed_due_date(d("2026-03-10"), &[(d("2026-03-12"), d("2026-03-20"))]);
        assert_eq!(agreed, d("2026-03-10"));
        // Nor does a further, timely-looking change once it has been missed.
        let agreed = agreed_due_date(
            d("2026-03-10"),
            &[
                (d("2026-03-12"), d("2026-03-20")),
                (d("2026-03-15"), d("2026-03-30")),
            ],
        );
        assert_eq!(agreed, d("2026-03-10"));
        // Two timely renegotiations chain.
        let agreed = agreed_due_date(
            d("2026-03-10"),
            &[
                (d("2026-03-01"), d("2026-03-20")),
                (d("2026-03-19"), d("2026-03-25")),
            ],
        );
        assert_eq!(agreed, d("2026-03-25"));
        let window = Window::ending(d("2026-03-31"), 31);
        let late = DeliveryRecord {
            agreed_due: d("2026-03-10"),
            state: DeliveryState::Done,
            completed_on: Some(d("2026-03-18")),
        };
        assert_eq!(
            delivery(&[late], window, d("2026-03-31")),
            DeliveryCounts { due: 1, on_time: 0 }
        );
    }

    #[test]
    fn delivery_reliability_excludes_cancelled_work() {
        let window = Window::ending(d("2026-03-31"), 31);
        let records = [
            DeliveryRecord {
                agreed_due: d("2026-03-05"),
                state: DeliveryState::Done,
                completed_on: Some(d("2026-03-04")),
            },
            DeliveryRecord {
                agreed_due: d("2026-03-06"),
                state: DeliveryState::Cancelled,
                completed_on: None,
            },
            DeliveryRecord {
                agreed_due: d("2026-03-07"),
                state: DeliveryState::Open,
                completed_on: None,
            },
        ];
        let counts = delivery(&records, window, d("2026-03-31"));
        assert_eq!(counts, DeliveryCounts { due: 2, on_time: 1 });
        assert_eq!(counts.reliability(), Some(0.5));
    }

    #[test]
    fn delivery_reliability_done_on_the_due_date_in_the_owners_time_zone() {
        // 2026-03-10 23:30 in Los Angeles is already 11 March in UTC.
        let at = chrono::NaiveDateTime::parse_from_str("2026-03-11 06:30:00", "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp();
        assert_eq!(local_date(Some("America/Los_Angeles"), at), d("2026-03-10"));
        assert_eq!(local_date(None, at), d("2026-03-11"));
        let on_time = DeliveryRecord {
            agreed_due: d("2026-03-10"),
            state: DeliveryState::Done,
            completed_on: Some(local_date(Some("America/Los_Angeles"), at)),
        };
        let counts = delivery(
            &[on_time],
            Window::ending(d("2026-03-31"), 31),
            d("2026-03-31"),
        );
        assert_eq!(counts, DeliveryCounts { due: 1, on_time: 1 });
    }

    #[test]
    fn delivery_reliability_with_nothing_due_is_no_data() {
        let window = Window::ending(d("2026-03-31"), 31);
        assert_eq!(delivery(&[], window, d("2026-03-31")).reliability(), None);
        // Open work due today or later is not decided yet, and work outside the window
        // does not count.
        let records = [
            DeliveryRecord {
                agreed_due: d("2026-03-31"),
                state: DeliveryState::Open,
                completed_on: None,
            },
            DeliveryRecord {
                agreed_due: d("2026-02-01"),
                state: DeliveryState::Done,
                completed_on: Some(d("2026-02-01")),
            },
        ];
        assert_eq!(
            delivery(&records, window, d("2026-03-31")).reliability(),
            None
        );
    }

    #[test]
    fn workload_with_an_absence() {
        // Two weeks from Monday 2 March 2026: ten working days.
        let first = d("2026-03-02");
        let last = d("2026-03-15");
        assert_eq!(working_days(first, last, &[]), 10);
        // Off Wednesday to Friday of the first week: seven working days left.
        let absences = [(d("2026-03-04"), d("2026-03-06"))];
        assert_eq!(working_days(first, last, &absences), 7);
        // 32 h a week → 6.4 h a day → 44.8 h over the horizon.
        let capacity = capacity_hours(32.0, first, last, &absences);
        assert!((capacity - 44.8).abs() < 1e-9);
        let w = Workload {
            remaining_hours: 56.0,
            capacity_hours: capacity,
        };
        assert!((w.ratio().unwrap() - 1.25).abs() < 1e-9);
        assert!(w.overloaded());
        let fine = Workload {
            remaining_hours: 12.0, // exactly 1.2: not over
            capacity_hours: 10.0,
        };
        assert!(!fine.overloaded());
        let away = Workload {
            remaining_hours: 1.0,
            capacity_hours: 0.0,
        };
        assert_eq!(away.ratio(), None);
        assert!(away.overloaded());
    }
}
