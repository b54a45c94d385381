//! The demo's development programme: "New managers, spring cohort" of the demo manager
//! and other managers with few reports, facilitated by the demo admin, with three past
//! sessions (attendance marked, most attendees' ratings given) and two to come — so the
//! pages show attendance, feedback under the anonymity rule and sessions in calendars.

use super::store::DevelopmentStore;
use super::{NewCohort, NewSession};
use crate::demo::{DemoOrg, DemoRng};
use crate::error::CoreResult;

const WEEK: i64 = 7 * 86_400;

const COMMENTS: [&str; 6] = [
    "The role play on hard conversations was the most useful hour of my month.",
    "Good examples; I would like more time for questions.",
    "Practical: I used the delegation checklist the next day.",
    "",
    "Hearing how other new managers handle 1:1s helped a lot.",
    "A little long, but the exercises were worth it.",
];

pub async fn load(store: &dyn DevelopmentStore, org: &DemoOrg, now: i64) -> CoreResult<()> {
    let email = |i: usize| org.people[i].record.email.to_string();
    let mut participants = Vec::new();
    let mut candidates: Vec<usize> = vec![org.manager];
    candidates.extend(
        (0..org.people.len())
            .filter(|&i| i != org.manager && i != org.admin)
            .filter(|&i| (1..=4).contains(&org.people[i].report_count)),
    );
    for i in candidates.into_iter().take(8) {
        if let Some(id) = store.person_id_by_email(&email(i)).await? {
            participants.push(id);
        }
    }
    let Some(facilitator) = store.person_id_by_email(&email(org.admin)).await? else {
        return Ok(());
    };
    if participants.len() < 2 {
        return Ok(());
    }
    let id = store
        .create_cohort(
            &NewCohort {
                name: "New managers, spring cohort".into(),
                description: "Five sessions on the first year of managing people: 1:1s, \
                    feedback, delegation, hard conversations and growing your team."
                    .into(),
                capacity: 10,
                participants: participants.clone(),
                created_by: Some(facilitator),
                created_at: now - 8 * WEEK,
            },
            &[],
        )
        .await?;
    // Ten in the morning, UTC, on a day a few weeks from now.
    let at = |weeks: i64| (now.div_euclid(86_400) + weeks * 7) * 86_400 + 10 * 3600;
    let sessions = [
        (-6, "Your first 90 days as a manager"),
        (-4, "1:1s that matter"),
        (-2, "Giving feedback that lands"),
        (1, "Delegating without letting go of the outcome"),
        (3, "Hard conversations"),
    ];
    let mut rng = DemoRng::new(0x5e55);
    for (weeks, title) in sessions {
        let session = store
            .add_session(&NewSession {
                cohort: id,
                title: title.into(),
                starts_at: at(weeks),
                minutes: 90,
                place: "Training room 2, or https://meet.example.org/new-managers".into(),
                facilitator,
            })
            .await?;
        if weeks > 0 {
            continue;
        }
        for (n, person) in participants.iter().enumerate() {
            let came = !rng.next_u64().is_multiple_of(8);
            store
                .mark_attendance(session, *person, came, facilitator, at(weeks) + 7200)
                .await?;
            if came && !rng.next_u64().is_multiple_of(5) {
                let rating = 3 + (rng.next_u64() % 3) as u8;
                let comment = COMMENTS[(n + weeks.unsigned_abs() as usize) % COMMENTS.len()];
                store
                    .give_feedback(session, *person, rating, comment, at(weeks) + 86_400)
                    .await?;
            }
        }
    }
    Ok(())
}
