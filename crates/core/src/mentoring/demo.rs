//! The demo's mentoring: mentors and mentees with a published matching round two months
//! old, and new mentees waiting for the next.

use crate::clock::local_date;
use crate::demo::{DemoOrg, DemoRng};
use crate::error::CoreResult;
use crate::ids::PersonId;
use crate::mentoring::store::MentoringStore;
use chrono::Duration;
use std::collections::HashMap;

/// Writes the demo's mentoring for the demo organisation already in the store.
pub async fn load(store: &dyn MentoringStore, org: &DemoOrg, now: i64) -> CoreResult<()> {
    let snapshot = store.org_snapshot().await?;
    let ids: HashMap<&str, PersonId> = snapshot
        .people
        .iter()
        .map(|p| (p.record.email.as_str(), p.id))
        .collect();
    write(store, org, &ids, now).await
}

/// Mentors (about one person in eight with a skill at 4 or more), mentees (about one in
/// six), a published round from two months ago whose mentorships are running, and mentees
/// who joined since and wait for the next round. The demo member is one of the matched
/// mentees' group and the demo manager mentors.
async fn write(
    store: &dyn MentoringStore,
    org: &DemoOrg,
    ids: &HashMap<&str, PersonId>,
    now: i64,
) -> CoreResult<()> {
    use super::{MenteeGoals, MentorProfile};
    let mut rng = DemoRng::new(0x003E_4708);
    let levels = store.levels().await?;
    let started = now - 60 * 86_400;
    let mut later: Vec<(PersonId, MenteeGoals)> = Vec::new();
    for (i, p) in org
        .people
        .iter()
        .enumerate()
        .take(crate::growth::demo::PLANS_AT_MOST)
    {
        let Some(&id) = ids.get(p.record.email.as_str()) else {
            continue;
        };
        let strong: Vec<String> = p
            .record
            .skills
            .iter()
            .filter(|s| s.level >= 4)
            .map(|s| s.skill.to_string())
            .collect();
        if !strong.is_empty() && (i == org.manager || rng.chance(0.12)) {
            store
                .save_mentor_profile(
                    id,
                    &MentorProfile {
                        strengths: strong.into_iter().take(4).collect(),
                        capacity: rng.range(1, 3) as u32,
                        note: String::new(),
                    },
                    started - 86_400 * 7,
                )
                .await?;
            continue;
        }
        if i != org.member && !rng.chance(0.16) {
            continue;
        }
        let mut skills: Vec<String> = p
            .record
            .skills
            .iter()
            .filter(|s| s.wants_to_grow || s.level <= 3)
            .map(|s| s.skill.to_string())
            .take(3)
            .collect();
        if skills.is_empty() {
            skills.push(rng.pick(&["communication", "leadership"]).to_string());
        }
        let target_level = p
            .record
            .level
            .as_ref()
            .and_then(|code| levels.iter().position(|l| l.code == *code))
            .and_then(|i| levels.get(i + 1))
            .map(|l| l.id);
        let goals = MenteeGoals {
            // The demo member names no must-have, so the first round can pair them.
            must_have: (i != org.member && rng.chance(0.3)).then(|| skills[0].clone()),
            skills,
            target_level,
            note: String::new(),
        };
        if i != org.member && rng.chance(0.3) {
            later.push((id, goals));
        } else {
            store
                .save_mentee_goals(id, &goals, started - 86_400 * 7)
                .await?;
        }
    }
    first_round(store, org, ids, now).await?;
    for (id, goals) in later {
        store
            .save_mentee_goals(id, &goals, now - 86_400 * 5)
            .await?;
    }
    Ok(())
}

/// The first round, run and published two months ago from everyone waiting then.
async fn first_round(
    store: &dyn MentoringStore,
    org: &DemoOrg,
    ids: &HashMap<&str, PersonId>,
    now: i64,
) -> CoreResult<()> {
    use super::{NewMentorship, NewRound, RoundGoal, propose};
    let today = local_date(None, now);
    let started = now - 60 * 86_400;
    let (mentees, mentors) = store.mentoring_pool(today).await?;
    if mentees.is_empty() || mentors.is_empty() {
        return Ok(());
    }
    let managers: HashMap<PersonId, PersonId> = store.manager_links().await?.into_iter().collect();
    let pairs = propose(&mentees, &mentors, &managers, RoundGoal::HighestTotal);
    let admin = ids
        .get(org.people[org.admin].record.email.as_str())
        .copied()
        .unwrap_or(mentees[0].person.id);
    let ends_on = today + Duration::days(120);
    let mut work = store.begin_mentoring_write().await?;
    let round = work
        .create_round(
            &NewRound {
                name: "Mentoring, first round".into(),
                goal: RoundGoal::HighestTotal,
                ends_on,
                created_by: admin,
                created_at: started - 86_400,
                mentees: mentees.len() as i64,
                mentors: mentors.len() as i64,
            },
            &pairs,
        )
        .await?;
    let mut mentorships = Vec::new();
    for pair in &pairs {
        let Some(mentor) = pair.mentor else { continue };
        mentorships.push(NewMentorship {
            mentee: pair.mentee,
            mentor,
            goals: pair.goals.clone(),
            starts_on: today - Duration::days(60),
            ends_on,
        });
    }
    work.mark_published(round, admin, started).await?;
    work.create_mentorships(round, &mentorships, started)
        .await?;
    work.commit().await?;
    Ok(())
}
