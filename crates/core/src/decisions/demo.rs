//! The demo's decision log: the demo manager's team has a decision kept, one reversed
//! with what was learned, one due to revisit now and one waiting for its date — so the
//! log, the statuses and the revisit form all have something to show.

use super::NewDecision;
use crate::demo::DemoOrg;
use crate::error::CoreResult;
use crate::store::Store;
use chrono::Duration;

pub async fn load(store: &dyn Store, org: &DemoOrg, now: i64) -> CoreResult<()> {
    let email = org.people[org.manager].record.email.to_string();
    let Some(manager) = store.person_id_by_email(&email).await? else {
        return Ok(());
    };
    let Some(team) = store.person(manager).await?.and_then(|p| p.team_id) else {
        return Ok(());
    };
    let today = super::today(now);
    let decisions = [
        (
            "Release every week instead of every month",
            "Smaller releases are easier to test and to roll back.",
            "Keep the monthly train; release on demand.",
            -120,
            -30,
            Some((
                super::Verdict::Kept,
                "Incidents per release halved; keep it.",
            )),
        ),
        (
            "Move the team's stand-up to the afternoon",
            "Two people start late in another time zone.",
            "Written stand-ups; two stand-ups.",
            -90,
            -20,
            Some((
                super::Verdict::Reversed,
                "Afternoon stand-ups broke up the best focus time of the day. A written \
                 check-in in the morning worked better for everyone.",
            )),
        ),
        (
            "Pair on every incident",
            "Two people learn from each incident, and nobody handles one alone.",
            "A rota of one; pairing only on severe incidents.",
            -45,
            0,
            None,
        ),
        (
            "Hire a second engineer for the data pipeline rather than a contractor",
            "The pipeline is core work for years, not a project.",
            "A six-month contractor; moving someone from the product team.",
            -10,
            60,
            None,
        ),
    ];
    for (i, (title, why, alternatives, decided, revisit, outcome)) in
        decisions.into_iter().enumerate()
    {
        let id = store
            .create_decision(&NewDecision {
                title: title.into(),
                why: why.into(),
                alternatives: alternatives.into(),
                decided_by: "The team, with its manager".into(),
                owner: manager,
                team: Some(team),
                objective: None,
                decided_on: today + Duration::days(decided),
                revisit_on: today + Duration::days(revisit),
                created_by: Some(manager),
                created_at: now + decided * 86_400 + i as i64,
            })
            .await?;
        if let Some((verdict, learned)) = outcome {
            store
                .record_outcome(id, verdict, learned, manager, now + revisit * 86_400)
                .await?;
        }
    }
    Ok(())
}
