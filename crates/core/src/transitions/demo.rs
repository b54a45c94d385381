//! The demo's newly promoted managers (PRODUCT.md: "a few newly promoted managers still
//! holding their old work"): two managers of small teams whose reports moved to them
//! weeks ago by recorded changes. The first still holds a lot of the work from before —
//! flagged "still doing the old job" — and the second has handed most of it on.

use crate::audit::AuditEntry;
use crate::demo::DemoOrg;
use crate::error::CoreResult;
use crate::org::history::{FieldChange, HistoryField};
use crate::org::store::ChangeRecord;
use crate::store::Store;
use crate::work::NewCommitment;
use chrono::Duration;

const DAY: i64 = 86_400;

pub async fn load(store: &dyn Store, org: &DemoOrg, now: i64) -> CoreResult<()> {
    let today = crate::clock::local_date(None, now);
    let special = [org.manager, org.admin, org.member];
    let mut promoted: Vec<usize> = (0..org.people.len())
        .filter(|&i| !special.contains(&i) && (2..=4).contains(&org.people[i].report_count))
        .filter(|&i| org.people[i].manager.is_some_and(|m| !special.contains(&m)))
        .collect();
    // The smallest teams: a new manager's first.
    promoted.sort_by_key(|&i| (org.people[i].report_count, i));
    promoted.truncate(2);
    // (days since the reports moved, the old work's hours)
    let plans = [(75, [40.0, 32.0, 24.0]), (40, [6.0, 0.0, 0.0])];
    for (&m, (days_ago, old_work)) in promoted.iter().zip(plans) {
        let email = org.people[m].record.email.to_string();
        let Some(manager) = store.person_id_by_email(&email).await? else {
            continue;
        };
        let Some(person) = store.person(manager).await? else {
            continue;
        };
        let reports = store.direct_reports(manager).await?;
        let change = FieldChange {
            field: HistoryField::Manager,
            before: Some("(their previous manager)".into()),
            after: Some(person.name.clone()),
        };
        let changes: Vec<_> = reports.iter().map(|r| (r.id, &change)).collect();
        let began = today - Duration::days(days_ago);
        let mut write = store.begin_org_write().await?;
        write
            .record_history(
                &changes,
                &ChangeRecord {
                    audit: AuditEntry {
                        at: now - days_ago * DAY,
                        actor: None,
                        action: "demo.reporting_lines".into(),
                        subject: format!("person {manager}"),
                        detail: format!("{} reports moved to {}", reports.len(), person.name),
                    },
                    effective_on: began,
                    source: "import",
                    notices: Vec::new(),
                },
            )
            .await?;
        write.commit().await?;
        let titles = [
            "Finish the billing export I started",
            "Review the vendor contract (from my old role)",
            "Keep the release checklist up to date",
        ];
        for (i, (title, hours)) in titles.iter().zip(old_work).enumerate() {
            if hours == 0.0 {
                continue;
            }
            let created = now - (days_ago + 30) * DAY;
            store
                .create_commitment(&NewCommitment {
                    title: (*title).into(),
                    description: String::new(),
                    owner: manager,
                    requester: None,
                    objective: None,
                    due_date: today + Duration::days(14 + 7 * i as i64),
                    effort_hours: hours,
                    skills: Vec::new(),
                    created_at: created,
                    created_on: crate::clock::local_date(None, created),
                })
                .await?;
        }
    }
    Ok(())
}
