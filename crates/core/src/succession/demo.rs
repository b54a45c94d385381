//! The demo's succession plans: the demo manager's own role with two of their reports on
//! it (one ready now, one ready once a condition is met), their manager's role with the
//! demo manager ready in 1–2 years, each department head's role, and a role not yet filled
//! with nobody on its plan — so coverage, bench strength and a single point of failure
//! all show.

use super::{Impact, NewCandidate, NewKeyRole, Readiness};
use crate::demo::DemoOrg;
use crate::error::CoreResult;
use crate::ids::PersonId;
use crate::store::Store;

/// A holder, the impact of losing them, and candidates with readiness and condition.
type Plan = (usize, Impact, Vec<(usize, Readiness, &'static str)>);

pub async fn load(store: &dyn Store, org: &DemoOrg, now: i64) -> CoreResult<()> {
    let today = crate::clock::local_date(None, now);
    let id_of = async |i: usize| -> CoreResult<Option<PersonId>> {
        store
            .person_id_by_email(org.people[i].record.email.as_ref())
            .await
    };
    let reports = |m: usize| -> Vec<usize> {
        (0..org.people.len())
            .filter(|&i| org.people[i].manager == Some(m))
            .collect()
    };
    let title = |i: usize| {
        org.people[i]
            .record
            .title
            .clone()
            .unwrap_or_else(|| "Manager".into())
    };
    let mut plans: Vec<Plan> = Vec::new();
    let manager = org.manager;
    let mine = reports(manager);
    plans.push((
        manager,
        Impact::High,
        mine.iter()
            .take(2)
            .zip([
                (Readiness::Now, ""),
                (Readiness::Once, "after leading the Q3 migration"),
            ])
            .map(|(&p, (r, c))| (p, r, c))
            .collect(),
    ));
    if let Some(boss) = org.people[manager].manager {
        plans.push((
            boss,
            Impact::Critical,
            vec![(manager, Readiness::OneToTwoYears, "")],
        ));
    }
    let top = (0..org.people.len()).find(|&i| org.people[i].manager.is_none());
    if let Some(top) = top {
        for head in reports(top).into_iter().filter(|&h| h != org.admin).take(4) {
            if plans.iter().any(|(h, _, _)| *h == head) {
                continue;
            }
            let successors: Vec<_> = reports(head)
                .into_iter()
                .filter(|&p| org.people[p].report_count > 0)
                .take(1)
                .map(|p| (p, Readiness::ThreePlusYears, ""))
                .collect();
            plans.push((head, Impact::Critical, successors));
        }
    }
    for (holder, impact, candidates) in plans {
        let Some(holder_id) = id_of(holder).await? else {
            continue;
        };
        let role = store
            .create_key_role(&NewKeyRole {
                title: title(holder).to_string(),
                holder: Some(holder_id),
                team: None,
                reports_to: None,
                impact,
                why: String::new(),
                created_by: None,
                created_at: now,
            })
            .await?;
        for (person, readiness, condition) in candidates {
            if let Some(id) = id_of(person).await? {
                store
                    .save_candidate(
                        role,
                        &NewCandidate {
                            person: id,
                            readiness,
                            condition: condition.into(),
                            note: String::new(),
                            reviewed_on: today,
                            by: None,
                            at: now,
                        },
                    )
                    .await?;
            }
        }
    }
    // A role not yet filled, reporting to the top: nobody is on its plan yet.
    if let Some(top) = top
        && let Some(top_id) = id_of(top).await?
    {
        store
            .create_key_role(&NewKeyRole {
                title: "Head of Data".into(),
                holder: None,
                team: None,
                reports_to: Some(top_id),
                impact: Impact::High,
                why: "Planned for next year; the data platform depends on it.".into(),
                created_by: None,
                created_at: now,
            })
            .await?;
    }
    Ok(())
}
