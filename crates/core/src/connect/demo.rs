//! The demo's connection programme: "Coffee roulette" for the demo member's department,
//! every two weeks, with four past rounds (most pairs met, a few could not) and this
//! round's pairing, so the pages show a history, a coverage chart and a current pairing.

use super::PreferAcross;
use super::programmes::{Audience, NewProgramme};
use super::rounds::{Outcome, run_round};
use super::store::ConnectStore;
use crate::clock::local_date;
use crate::demo::{DemoOrg, DemoRng};
use crate::error::CoreResult;

const WEEK: i64 = 7 * 86_400;

pub async fn load(store: &dyn ConnectStore, org: &DemoOrg, now: i64) -> CoreResult<()> {
    let member = &org.people[org.member].record;
    let Some(department) = crate::influence::department_of(member) else {
        return Ok(());
    };
    let today = local_date(None, now);
    let mut work = store.begin_connect_write().await?;
    let id = work
        .create_programme(&NewProgramme {
            name: "Coffee roulette".into(),
            audience: Audience::Department(department.to_string()),
            rhythm_weeks: 2,
            group_size: 2,
            odd_one: "trio",
            prefer_across: PreferAcross::Team,
            first_round_on: today - chrono::Duration::weeks(8),
            owner: None,
            created_at: now - 9 * WEEK,
        })
        .await?;
    work.commit().await?;
    for weeks_ago in [8, 6, 4, 2, 0] {
        run_round(store, None, id, now - weeks_ago * WEEK).await?;
    }
    let mut rng = DemoRng::new(0xc0ffee);
    let rounds = store.connect_rounds(id).await?;
    let mut work = store.begin_connect_write().await?;
    for round in rounds.iter().filter(|r| r.run_on < today) {
        for group in &round.groups {
            let outcome = match rng.next_u64() % 10 {
                0 => Some(Outcome::Missed),
                1 | 2 => None,
                _ => Some(Outcome::Met),
            };
            if let Some(outcome) = outcome {
                let by = group.members[0].0;
                work.set_outcome(group.id, outcome, by, now).await?;
            }
        }
    }
    work.commit().await?;
    Ok(())
}
