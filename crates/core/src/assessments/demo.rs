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
use std::collections::BTreeMap;

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

/// Writes the demo's 360s, starting with `first` (the demo manager) as a subject.
pub async fn load(store: &dyn Store, key: &NoteKey, first: PersonId, now: i64) -> CoreResult<()> {
    let mut rng = DemoRng::new(0x0360);
    let today = crate::clock::local_date(None, now);
    let people = store.people_in_scope(&Scope::Everyone).await?;
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
