//! The demo's 360s: the demo manager's, shared, with self, manager, peers and reports
//! answering; a second manager's, shared, whose two direct reports are below k and left out
//! whole; and a third, open, with some answers in. Written through the same services as
//! live data, with the server's key for pseudonyms.

use super::{AnswerInput, AssessmentInput};
use crate::access::Viewer;
use crate::conversations::sealed::NoteKey;
use crate::demo::DemoRng;
use crate::error::CoreResult;
use crate::ids::{AccountId, PersonId};
use crate::reviews::Scope;
use crate::store::Store;
use chrono::Duration;
use std::collections::{BTreeMap, HashMap};

const COMMENTS: [&str; 6] = [
    "Keeps our priorities clear even when plans change.",
    "Could say no to more requests; the team is stretched.",
    "Always explains why a decision was made.",
    "Introduced me to people across the company who helped.",
    "Our 1:1s are where I get real coaching.",
    "Deadlines are sometimes set before the work is understood.",
];

async fn email(store: &dyn Store, id: PersonId) -> CoreResult<String> {
    Ok(store
        .person(id)
        .await?
        .map(|p| p.email.to_string())
        .unwrap_or_default())
}

/// The running cycle's peer and upward reviews: for its first reviewees, three peers from
/// around them asked (a fourth proposed, waiting for the manager), and about two in three
/// peer and upward reviewers answered, through the same service as live answers.
async fn cycle_feedback(
    store: &dyn Store,
    key: &NoteKey,
    people: &[crate::reviews::store::InScope],
    rng: &mut DemoRng,
    now: i64,
) -> CoreResult<()> {
    use super::{FeedbackKind, RaterGroup, RaterStatus};
    let today = crate::clock::local_date(None, now);
    let Some(cycle) = store
        .cycles()
        .await?
        .into_iter()
        .find(|c| c.state == crate::reviews::CycleState::Launched && c.feedback.on())
    else {
        return Ok(());
    };
    let all = store.assessments_of_cycle(cycle.id).await?;
    // Looked up once: a scan per candidate made this quadratic in the organisation's size.
    let managers: HashMap<PersonId, Option<PersonId>> =
        people.iter().map(|p| (p.person, p.manager)).collect();
    let mut work = store.begin_assessment_write().await?;
    for (i, a) in all
        .iter()
        .filter(|a| {
            a.in_cycle
                .as_ref()
                .is_some_and(|c| c.kind == FeedbackKind::Peer)
        })
        .take(150)
        .enumerate()
    {
        let manager_of = |p: PersonId| managers.get(&p).copied().flatten();
        let boss = manager_of(a.subject.id);
        let candidates: Vec<PersonId> = people
            .iter()
            .map(|p| p.person)
            .filter(|p| {
                *p != a.subject.id && Some(*p) != boss && manager_of(*p) != Some(a.subject.id)
            })
            .collect();
        let mut chosen: Vec<PersonId> = Vec::new();
        for step in 0..candidates.len() {
            let rater = candidates[(i * 5 + step * 11 + 1) % candidates.len()];
            if chosen.contains(&rater) {
                continue;
            }
            let status = if chosen.len() < 3 {
                RaterStatus::Asked
            } else {
                RaterStatus::Proposed
            };
            work.add_rater(a.id, rater, RaterGroup::Peers, status)
                .await?;
            chosen.push(rater);
            if chosen.len() == 4 {
                break;
            }
        }
    }
    work.commit().await?;
    for a in store.assessments_of_cycle(cycle.id).await?.iter().take(300) {
        for r in a.raters.iter().filter(|r| r.status == RaterStatus::Asked) {
            if !rng.chance(0.65) {
                continue;
            }
            let base = 3 + rng.range(0, 2) as u8;
            let answer = AnswerInput {
                ratings: (0..a.behaviours.len())
                    .map(|_| Some((base + rng.range(0, 2) as u8).min(5)))
                    .collect(),
                management_comment: COMMENTS[rng.range(0, 5) as usize].into(),
                leadership_comment: String::new(),
            };
            let viewer = Viewer::signed_in(AccountId(0), r.person.id, false, 0);
            super::answer(store, key, &viewer, a.id, &answer, today).await?;
        }
    }
    Ok(())
}

/// Writes the demo's 360s, starting with `first` (the demo manager) as a subject.
pub async fn load(store: &dyn Store, key: &NoteKey, first: PersonId, now: i64) -> CoreResult<()> {
    let mut rng = DemoRng::new(0x0360);
    let today = crate::clock::local_date(None, now);
    let people = store.people_in_scope(&Scope::Everyone).await?;
    cycle_feedback(store, key, &people, &mut rng, now).await?;
    let mut reports: BTreeMap<PersonId, Vec<PersonId>> = BTreeMap::new();
    for p in &people {
        if let Some(m) = p.manager {
            reports.entry(m).or_default().push(p.person);
        }
    }
    let mut subjects: Vec<PersonId> = vec![first];
    subjects.extend(
        reports
            .iter()
            .filter(|(m, r)| **m != first && r.len() >= 3)
            .map(|(m, _)| *m)
            .take(2),
    );
    let operator = Viewer::operator();
    for (n, subject) in subjects.iter().copied().enumerate() {
        let mine = reports.get(&subject).cloned().unwrap_or_default();
        let manager = people
            .iter()
            .find(|p| p.person == subject)
            .and_then(|p| p.manager);
        // Peers: others with the same manager, else anyone outside the subject's team.
        let mut peers: Vec<PersonId> = people
            .iter()
            .filter(|p| p.person != subject && p.manager == manager && !mine.contains(&p.person))
            .map(|p| p.person)
            .take(4)
            .collect();
        for p in &people {
            if peers.len() >= 4 {
                break;
            }
            if p.person != subject
                && Some(p.person) != manager
                && !mine.contains(&p.person)
                && !peers.contains(&p.person)
            {
                peers.push(p.person);
            }
        }
        // The second subject asks only two reports: below k, left out whole.
        let asked_reports: Vec<PersonId> = if n == 1 {
            mine.iter().copied().take(2).collect()
        } else {
            mine.iter().copied().take(6).collect()
        };
        let mut input = AssessmentInput {
            subject,
            due_on: today + Duration::days(14),
            peers: Vec::new(),
            reports: Vec::new(),
            others: Vec::new(),
            behaviours: None,
        };
        for p in &peers {
            input.peers.push(email(store, *p).await?);
        }
        for p in &asked_reports {
            input.reports.push(email(store, *p).await?);
        }
        let created = super::create(store, &operator, &input, today, now).await?;
        let answering: Vec<PersonId> = std::iter::once(subject)
            .chain(manager)
            .chain(peers.iter().copied())
            .chain(asked_reports.iter().copied())
            .collect();
        for (i, rater) in answering.iter().enumerate() {
            // The third stays open with about half its answers in.
            if n == 2 && i % 2 == 1 {
                continue;
            }
            let base = 2 + rng.range(0, 2) as u8;
            let answer = AnswerInput {
                ratings: (0..12)
                    .map(|_| Some((base + rng.range(0, 2) as u8).min(5)))
                    .collect(),
                management_comment: COMMENTS[rng.range(0, 5) as usize].into(),
                leadership_comment: if rng.chance(0.5) {
                    COMMENTS[rng.range(0, 5) as usize].into()
                } else {
                    String::new()
                },
            };
            let viewer = Viewer::signed_in(AccountId(0), *rater, false, 0);
            super::answer(store, key, &viewer, created.id, &answer, today).await?;
        }
        if n < 2 {
            super::share(store, &operator, created.id, now).await?;
        }
    }
    Ok(())
}
