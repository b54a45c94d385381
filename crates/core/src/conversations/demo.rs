//! The demo's 1:1s and feedback: a series for every manager–report pair, most of them
//! meeting weekly or fortnightly for months, with held, skipped and moved meetings,
//! talking points discussed and carried over, action items on plates, shared notes; some
//! pairs without a time and some with no 1:1 in a month; praise, notes and requests for
//! feedback. Written through the same store steps as live data, dated in the past, never
//! before either person started.

use super::feedback::{FeedbackKind, NewFeedback, NewRequest};
use super::store::{ConversationStore, NewAction};
use super::{Change, Schedule, SeriesKind, SeriesStatus};
use crate::clock::local_date;
use crate::demo::{DemoOrg, DemoRng};
use crate::error::CoreResult;
use crate::ids::PersonId;
use crate::work::NewCommitment;
use chrono::{Duration, NaiveDate, NaiveTime};
use std::collections::HashMap;

/// Series given a history (the rest of a large demo stay without a time).
const DETAILED_AT_MOST: usize = 400;

const POINTS: [&str; 10] = [
    "How the release went",
    "Workload for the next two weeks",
    "Conference talk proposal",
    "Feedback from the customer review",
    "Next step on the career plan",
    "Hiring for the open role",
    "On-call rota changes",
    "Training budget",
    "Blockers on the migration",
    "Time off in the summer",
];

fn topic(rng: &mut DemoRng) -> &'static str {
    POINTS[rng.range(0, POINTS.len() as u64 - 1) as usize]
}

const PRAISE: [&str; 5] = [
    "Thank you for stepping in on the incident at the weekend.",
    "Your write-up of the design review was the clearest I have read.",
    "The onboarding guide you wrote saved me days.",
    "Great job running the customer workshop.",
    "Thanks for the patient code reviews this month.",
];

/// Writes the demo's 1:1s and feedback for the demo organisation already in the store.
pub async fn load(store: &dyn ConversationStore, org: &DemoOrg, now: i64) -> CoreResult<()> {
    super::sync::sync_reporting_series(store, now).await?;
    let snapshot = store.org_snapshot().await?;
    let ids: HashMap<&str, PersonId> = snapshot
        .people
        .iter()
        .map(|p| (p.record.email.as_str(), p.id))
        .collect();
    let started: HashMap<PersonId, Option<NaiveDate>> = org
        .people
        .iter()
        .filter_map(|p| {
            ids.get(p.record.email.as_str())
                .map(|id| (*id, p.record.start_date))
        })
        .collect();
    let mut rng = DemoRng::new(0x0001_0E0E);
    let today = local_date(None, now);
    let open = store.open_reporting_series().await?;
    for (i, (series, manager, report)) in open.iter().enumerate().take(DETAILED_AT_MOST) {
        // One pair in eight has no time yet; the demo manager's are all set.
        if !rng.chance(0.875) {
            continue;
        }
        let begun = [manager, report]
            .iter()
            .filter_map(|p| started.get(p).copied().flatten())
            .max()
            .unwrap_or(today - Duration::days(365));
        let weeks_ago = rng.range(6, 20) as i64;
        let mut first = (today - Duration::weeks(weeks_ago)).max(begun + Duration::days(7));
        if first >= today - Duration::days(7) {
            first = today + Duration::days(rng.range(1, 6) as i64);
        }
        let schedule = Schedule {
            first_date: first,
            start_time: NaiveTime::from_hms_opt(
                rng.range(9, 16) as u32,
                if rng.chance(0.5) { 0 } else { 30 },
                0,
            )
            .unwrap_or_default(),
            minutes: if rng.chance(0.7) { 30 } else { 45 },
            every_weeks: if rng.chance(0.7) { 1 } else { 2 },
            time_zone: "UTC".into(),
        };
        let meetings = schedule.meetings(&[], first, today - Duration::days(1));
        let mut work = store.begin_conversation_write().await?;
        work.set_schedule(*series, Some(&schedule)).await?;
        // Some pairs have not met for over a month: their recent meetings were skipped.
        let lapsed = i % 9 == 4;
        let mut held = Vec::new();
        for (k, m) in meetings.iter().enumerate() {
            let recent = (today - m.occurrence).num_days() <= 35;
            if (lapsed && recent) || rng.chance(0.08) {
                work.set_exception(*series, m.occurrence, Some(Change::Skipped))
                    .await?;
            } else if k + 2 == meetings.len() && rng.chance(0.3) {
                let to = (m.occurrence + Duration::days(1)).and_time(schedule.start_time);
                work.set_exception(*series, m.occurrence, Some(Change::Moved(to)))
                    .await?;
                held.push((m.occurrence, super::local_to_unix("UTC", to)));
            } else {
                held.push((m.occurrence, m.starts_at));
            }
        }
        // Points: discussed at past meetings, one carried over, one added since.
        for (occurrence, at) in held.iter().rev().take(3) {
            let point = work
                .add_point(*series, *report, topic(&mut rng), None, at - 86_400)
                .await?;
            work.tick_point(*series, point, Some(*occurrence), *manager, *at + 600)
                .await?;
        }
        if let Some((_, at)) = held.last() {
            work.add_point(*series, *manager, topic(&mut rng), None, at - 3600)
                .await?;
            work.set_shared_note(
                *series,
                held.last().map(|h| h.0).unwrap_or(first),
                "Agreed to revisit the plan next time.",
                *manager,
                *at + 1800,
            )
            .await?;
            let due = today + Duration::days(rng.range(3, 20) as i64);
            let meeting = held.last().map(|h| h.0).unwrap_or(first);
            let commitment = work
                .create_commitment(&NewCommitment {
                    title: "Share the draft with the team".into(),
                    description: format!("Agreed in the 1:1 of {}.", meeting.format("%-d %B %Y")),
                    owner: *report,
                    requester: Some(*manager),
                    objective: None,
                    due_date: due,
                    effort_hours: rng.range(1, 4) as f64,
                    skills: Vec::new(),
                    created_at: *at + 1800,
                    created_on: meeting,
                })
                .await?;
            work.create_action(&NewAction {
                series: *series,
                meeting,
                title: "Share the draft with the team".into(),
                owner: *report,
                due_date: Some(due),
                effort_hours: Some(2.0),
                created_by: *manager,
                created_at: *at + 1800,
                commitment: Some(commitment),
                about: *report,
            })
            .await?;
        }
        work.add_point(*series, *report, topic(&mut rng), None, now - 3600)
            .await?;
        work.commit().await?;
    }
    feedback(store, org, &ids, &open, now, &mut rng).await
}

/// Praise (half of it on people's pages), notes, and requests from managers about their
/// reports, some answered.
async fn feedback(
    store: &dyn ConversationStore,
    org: &DemoOrg,
    ids: &HashMap<&str, PersonId>,
    open: &[(crate::ids::SeriesId, PersonId, PersonId)],
    now: i64,
    rng: &mut DemoRng,
) -> CoreResult<()> {
    let people: Vec<PersonId> = org
        .people
        .iter()
        .filter_map(|p| ids.get(p.record.email.as_str()).copied())
        .collect();
    if people.len() < 3 {
        return Ok(());
    }
    let member = ids
        .get(org.people[org.member].record.email.as_str())
        .copied();
    let mut work = store.begin_conversation_write().await?;
    for k in 0..people.len().min(300) / 3 {
        let from = *rng.pick(&people);
        let about = if k < 3 {
            member.unwrap_or(from)
        } else {
            *rng.pick(&people)
        };
        if from == about {
            continue;
        }
        let praise = rng.chance(0.7);
        work.create_feedback(&NewFeedback {
            from,
            about,
            kind: if praise {
                FeedbackKind::Praise
            } else {
                FeedbackKind::Note
            },
            text: if praise {
                rng.pick(&PRAISE).to_string()
            } else {
                "The last demo ran long; a shorter agenda would help.".into()
            },
            share_on_page: praise && rng.chance(0.5),
            share_with_manager: rng.chance(0.3),
            request: None,
            created_at: now - rng.range(1, 60) as i64 * 86_400,
        })
        .await?;
    }
    // Managers ask two colleagues of a report about them; one has answered.
    for (_, manager, report) in open.iter().take(12) {
        let others: Vec<PersonId> = open
            .iter()
            .filter(|(_, m, r)| m == manager && r != report)
            .map(|(_, _, r)| *r)
            .take(2)
            .collect();
        if others.is_empty() {
            continue;
        }
        let at = now - rng.range(2, 10) as i64 * 86_400;
        let request = work
            .create_request(&NewRequest {
                asked_by: *manager,
                about: *report,
                question: "What is one thing they do that helps the team, and one thing to do differently?".into(),
                due_date: local_date(None, at) + Duration::days(14),
                created_at: at,
                expires_at: at + super::feedback::EXPIRES_AFTER_DAYS * 86_400,
                ask: others.clone(),
            })
            .await?;
        work.mark_answered(request, others[0], at + 86_400).await?;
        work.create_feedback(&NewFeedback {
            from: others[0],
            about: *report,
            kind: FeedbackKind::Note,
            text: "Always explains the why; could delegate more of the small tasks.".into(),
            share_on_page: false,
            share_with_manager: false,
            request: Some(request),
            created_at: at + 86_400,
        })
        .await?;
    }
    work.commit().await?;
    // A proposal waiting: the demo member asks their skip-level for a 1:1.
    let skip = org.people[org.member]
        .manager
        .and_then(|m| org.people[m].manager)
        .and_then(|s| ids.get(org.people[s].record.email.as_str()).copied());
    if let (Some(member), Some(skip)) = (member, skip) {
        let mut work = store.begin_conversation_write().await?;
        work.create_series(&super::store::NewSeries {
            kind: SeriesKind::Chosen,
            status: SeriesStatus::Proposed,
            organiser: member,
            other: skip,
            schedule: None,
            created_by: Some(member),
            created_at: now - 86_400,
        })
        .await?;
        work.commit().await?;
    }
    Ok(())
}
