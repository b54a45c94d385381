//! 1:1 reminders through the notification centre: the report (or invited person) some
//! days before — so they can add their talking points — and the manager (or organiser)
//! some days before, both organisation settings; and a nudge after a meeting that left
//! points unticked or action items without a due date. Each is sent once: the store keeps
//! which were, so several instances never send one twice.

use super::store::{ConversationStore, OpenItems, PairRow};
use super::{Meeting, SeriesId};
use crate::error::CoreResult;
use crate::ids::PersonId;
use crate::notify::{Notification, Topic};
use crate::settings::Settings;

/// The job that sends due reminders and schedules itself again.
pub const REMINDER_JOB: &str = "one_on_ones.reminders";
/// How often the reminder job runs.
pub const REMINDER_EVERY_SECONDS: i64 = 3600;
/// How long after a meeting its "left open" nudge may still be sent.
const AFTER_WINDOW_SECONDS: i64 = 2 * 86_400;

/// "1 thing", "2 things".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// One reminder to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Reminder {
    pub series: SeriesId,
    pub meeting: Meeting,
    pub to: PersonId,
    /// `before` or `after`.
    pub kind: &'static str,
    pub text: String,
}

/// The reminders due now (pure): before the current meeting of each series, and after the
/// last one held when it left something open.
pub fn due(
    rows: &[PairRow],
    open: &std::collections::HashMap<SeriesId, OpenItems>,
    settings: &Settings,
    now: i64,
) -> Vec<Reminder> {
    let mut out = Vec::new();
    for row in rows {
        let series = &row.series;
        let Some(schedule) = &series.schedule else {
            continue;
        };
        if let Some(m) = schedule
            .current(&row.exceptions, now)
            .filter(|m| m.starts_at > now)
        {
            for (who, other, days) in [
                (
                    &series.other,
                    &series.organiser,
                    settings.reminder_days_report,
                ),
                (
                    &series.organiser,
                    &series.other,
                    settings.reminder_days_manager,
                ),
            ] {
                if days > 0 && m.starts_at - now <= i64::from(days) * 86_400 {
                    out.push(Reminder {
                        series: series.id,
                        meeting: m,
                        to: who.id,
                        kind: "before",
                        text: format!(
                            "Your 1:1 with {} is on {}: add what you would like to talk about.",
                            other.name,
                            m.starts.format("%A %-d %B at %H:%M")
                        ),
                    });
                }
            }
        }
        let items = open.get(&series.id).copied().unwrap_or_default();
        if items == OpenItems::default() {
            continue;
        }
        let held = schedule.held(&row.exceptions, now - AFTER_WINDOW_SECONDS - 86_400, now);
        if let Some(m) = held
            .last()
            .filter(|m| m.ends_at >= now - AFTER_WINDOW_SECONDS)
        {
            let mut left = Vec::new();
            if items.points > 0 {
                left.push(count(
                    items.points,
                    "talking point unticked",
                    "talking points unticked",
                ));
            }
            if items.undated_actions > 0 {
                left.push(count(
                    items.undated_actions,
                    "action item without a due date",
                    "action items without a due date",
                ));
            }
            for (who, other) in [
                (&series.organiser, &series.other),
                (&series.other, &series.organiser),
            ] {
                out.push(Reminder {
                    series: series.id,
                    meeting: *m,
                    to: who.id,
                    kind: "after",
                    text: format!(
                        "Your 1:1 with {} left {}: tick what you covered, and give action items a date.",
                        other.name,
                        left.join(" and ")
                    ),
                });
            }
        }
    }
    out
}

/// Sends the reminders due now, each once; how many were sent.
pub async fn send_due(store: &dyn ConversationStore, now: i64) -> CoreResult<usize> {
    let settings = store.settings().await?;
    let rows = store.active_series(false, None).await?;
    let open = store.open_items().await?;
    let due = due(&rows, &open, &settings, now);
    if due.is_empty() {
        return Ok(0);
    }
    let mut work = store.begin_conversation_write().await?;
    let mut sent = 0;
    for r in &due {
        if work
            .mark_reminded(r.series, r.meeting.occurrence, r.to, r.kind, now)
            .await?
        {
            work.notify(&Notification::new(
                r.to,
                Topic::OneOnOneReminder,
                r.text.clone(),
                format!(
                    "/one-on-ones/{}/meetings/{}",
                    r.series, r.meeting.occurrence
                ),
                now,
            ))
            .await?;
            sent += 1;
        }
    }
    work.commit().await?;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::{Schedule, Series, SeriesKind, SeriesStatus};
    use crate::ids::PersonName;
    use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

    fn t(s: &str) -> i64 {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
            .unwrap()
            .and_utc()
            .timestamp()
    }
    fn row() -> PairRow {
        PairRow {
            series: Series {
                id: SeriesId(7),
                kind: SeriesKind::Reporting,
                status: SeriesStatus::Active,
                organiser: PersonName {
                    id: PersonId(1),
                    name: "Max".into(),
                },
                other: PersonName {
                    id: PersonId(2),
                    name: "Dana".into(),
                },
                schedule: Some(Schedule {
                    first_date: NaiveDate::from_ymd_opt(2026, 1, 6).unwrap(),
                    start_time: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
                    minutes: 30,
                    every_weeks: 1,
                    time_zone: "UTC".into(),
                }),
                recurring: vec![],
                created_at: 0,
                ended_at: None,
            },
            exceptions: vec![],
            team: None,
        }
    }

    #[test]
    fn the_report_hears_two_days_before_and_the_manager_one() {
        let settings = Settings::default();
        let open = Default::default();
        let to = |now: &str| -> Vec<i64> {
            due(&[row()], &open, &settings, t(now))
                .iter()
                .map(|r| r.to.0)
                .collect()
        };
        assert_eq!(to("2026-01-03 12:00"), Vec::<i64>::new());
        assert_eq!(to("2026-01-04 11:00"), [2], "Dana, two days before");
        assert_eq!(to("2026-01-05 11:00"), [2, 1], "and Max, one day before");
        let r = &due(&[row()], &open, &settings, t("2026-01-05 11:00"))[0];
        assert!(
            r.text
                .starts_with("Your 1:1 with Max is on Tuesday 6 January at 10:00"),
            "{}",
            r.text
        );
    }

    #[test]
    fn a_meeting_that_left_points_open_nudges_both() {
        let open = [(
            SeriesId(7),
            OpenItems {
                points: 2,
                undated_actions: 1,
            },
        )]
        .into();
        let sent = due(&[row()], &open, &Settings::default(), t("2026-01-06 15:00"));
        let after: Vec<_> = sent.iter().filter(|r| r.kind == "after").collect();
        assert_eq!(after.len(), 2);
        assert!(
            after[0]
                .text
                .contains("left 2 talking points unticked and 1 action item without a due date"),
            "{}",
            after[0].text
        );
        // Three days later, the nudge is over.
        assert!(
            due(&[row()], &open, &Settings::default(), t("2026-01-09 15:00"))
                .iter()
                .all(|r| r.kind == "before")
        );
    }
}
