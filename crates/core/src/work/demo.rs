//! Demo work for the demo organisation: company, team and personal objectives with key
//! results and check-ins, about six months of commitments (on time, late, renegotiated in
//! time, cancelled, still open), absences and part-time capacity — with a few overloaded
//! people and a few teams behind on their objectives.

use super::metrics::agreed_due_after_change;
use super::objectives::quarter_dates;
use super::store::{CommitmentRow, WorkBatch};
use super::{
    ChangeField, CommitmentStatus, Confidence, NewChange, NewCheckIn, NewCommitment, NewKeyResult,
    NewObjective, Scope, metrics::Measure,
};
use crate::clock::local_date;
use crate::demo::{DemoOrg, DemoRng};
use crate::ids::{CommitmentId, KeyResultId, ObjectiveId, PersonId, TeamId};
use chrono::{Duration, NaiveDate, NaiveTime};
use std::collections::HashMap;

const VERBS: [&str; 10] = [
    "Ship", "Review", "Draft", "Fix", "Prepare", "Migrate", "Document", "Plan", "Analyse",
    "Present",
];
const THINGS: [&str; 24] = [
    "the onboarding flow",
    "Q4 budget figures",
    "the supplier contract",
    "search relevance",
    "the release checklist",
    "customer feedback summary",
    "billing export",
    "hiring plan",
    "the incident post-mortem",
    "pricing page copy",
    "data retention policy",
    "quarterly business review",
    "the API rate limits",
    "warehouse dashboard",
    "training materials",
    "the partner proposal",
    "security review findings",
    "campaign brief",
    "accessibility audit",
    "forecast model",
    "support macros",
    "the board deck",
    "vendor comparison",
    "the renewal pipeline",
];

/// A key result: title, start, target, unit.
type KeyResultSpec = (&'static str, f64, f64, &'static str);

const COMPANY_OBJECTIVES: [(&str, [KeyResultSpec; 2]); 3] = [
    (
        "Delight our customers",
        [
            ("Net promoter score", 31.0, 45.0, "points"),
            ("Median first response time", 9.0, 2.0, "h"),
        ],
    ),
    (
        "Grow revenue sustainably",
        [
            ("Annual recurring revenue", 12.0, 15.0, "M€"),
            ("Gross churn", 8.0, 5.0, "%"),
        ],
    ),
    (
        "Make this a great place to grow",
        [
            ("People with a reviewed career plan", 40.0, 90.0, "%"),
            ("Internal moves into stretch roles", 5.0, 20.0, ""),
        ],
    ),
];

/// A person of the demo organisation as stored.
#[derive(Debug, Clone)]
pub struct DemoWorker {
    pub id: PersonId,
    pub team: Option<TeamId>,
}

fn at_local_noon(day: NaiveDate) -> i64 {
    day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default())
        .and_utc()
        .timestamp()
}

/// Builds the demo's work. `workers` is index-aligned with `org.people`; `now` is the
/// moment the demo is built.
pub fn generate_work(org: &DemoOrg, workers: &[DemoWorker], now: i64, seed: u64) -> WorkBatch {
    let mut rng = DemoRng::new(seed ^ 0xA11C_E5ED);
    let mut batch = WorkBatch::default();
    // The order of the phases is the order the random numbers are drawn in: keep it.
    objectives(org, workers, now, &mut rng, &mut batch);
    let capacity = capacity_and_absences(workers, local_date(None, now), &mut rng, &mut batch);
    commitments(org, workers, &capacity, now, &mut rng, &mut batch);
    batch
}

/// How many managers above each person.
fn depths(org: &DemoOrg) -> Vec<u32> {
    let mut depth = vec![0u32; org.people.len()];
    for (i, slot) in depth.iter_mut().enumerate() {
        let mut d = 0;
        let mut at = org.people[i].manager;
        while let Some(m) = at {
            d += 1;
            at = org.people[m].manager;
            if d > 64 {
                break;
            }
        }
        *slot = d;
    }
    depth
}

/// Writes objectives with their key results and check-ins, numbering them as it goes.
struct ObjectiveWriter<'a> {
    workers: &'a [DemoWorker],
    next_objective: i64,
    next_kr: i64,
    q_start: NaiveDate,
    q_end: NaiveDate,
    today: NaiveDate,
    now: i64,
}

/// A key result to write: title, start, target, unit.
type KeyResultRow = (String, f64, f64, String);

impl ObjectiveWriter<'_> {
    /// An objective of this quarter whose key results stand at `pace` of where they should
    /// be by now, checked in every other week.
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        batch: &mut WorkBatch,
        rng: &mut DemoRng,
        title: String,
        scope: Scope,
        owner: usize,
        parent: Option<ObjectiveId>,
        krs: Vec<KeyResultRow>,
        pace: f64,
    ) -> ObjectiveId {
        let (q_start, q_end, today) = (self.q_start, self.q_end, self.today);
        let id = ObjectiveId(self.next_objective);
        self.next_objective += 1;
        batch.objectives.push((
            id,
            NewObjective {
                title,
                description: String::new(),
                scope,
                team: if scope == Scope::Team {
                    self.workers[owner].team
                } else {
                    None
                },
                owner: self.workers[owner].id,
                parent,
                period_start: q_start,
                period_end: q_end,
                created_at: at_local_noon(q_start),
            },
        ));
        let expected = super::metrics::expected_progress(q_start, q_end, today);
        for (title, start, target, unit) in krs {
            let kr = KeyResultId(self.next_kr);
            self.next_kr += 1;
            let progress =
                (expected * pace + (rng.range(0, 10) as f64 - 5.0) / 100.0).clamp(0.0, 1.0);
            // A count without a unit ("milestones", "sessions") moves in whole steps.
            let whole = unit.is_empty();
            let current = rounded(start + (target - start) * progress, whole);
            batch.key_results.push((
                kr,
                id,
                NewKeyResult {
                    title,
                    measure: Measure::Numeric {
                        start,
                        target,
                        current,
                        unit,
                    },
                },
            ));
            self.check_ins(batch, kr, owner, (start, current, whole), pace);
        }
        id
    }

    /// Check-ins every other week, the latest one showing the current value; `whole` for
    /// counts.
    fn check_ins(
        &self,
        batch: &mut WorkBatch,
        kr: KeyResultId,
        owner: usize,
        (start, current, whole): (f64, f64, bool),
        pace: f64,
    ) {
        let weeks_in = ((self.today - self.q_start).num_days() / 7).max(0);
        let mut week = weeks_in;
        while week >= 1 {
            let at = at_local_noon(self.q_start + Duration::weeks(week)) - 3600 * 3;
            if at <= self.now {
                let share = (week as f64 / weeks_in.max(1) as f64).min(1.0);
                let value = start + (current - start) * share;
                batch.check_ins.push(NewCheckIn {
                    key_result_id: kr,
                    author: self.workers[owner].id,
                    at,
                    value: Some(rounded(value, whole)),
                    done: false,
                    confidence: if pace >= 0.9 {
                        Confidence::OnTrack
                    } else if pace >= 0.6 {
                        Confidence::Unsure
                    } else {
                        Confidence::OffTrack
                    },
                    note: String::new(),
                });
            }
            week -= 2;
        }
    }
}

/// Objectives: company (owned by the CEO), one per team lead aligned upwards, and a
/// personal one for about one person in five.
fn objectives(
    org: &DemoOrg,
    workers: &[DemoWorker],
    now: i64,
    rng: &mut DemoRng,
    batch: &mut WorkBatch,
) {
    let today = local_date(None, now);
    let quarter = super::objectives::quarter_of(today);
    let (q_start, q_end) = quarter_dates(&quarter).unwrap_or((today, today));
    let ceo = org
        .people
        .iter()
        .position(|p| p.manager.is_none())
        .unwrap_or(0);
    let depth = depths(org);
    let mut writer = ObjectiveWriter {
        workers,
        next_objective: 1,
        next_kr: 1,
        q_start,
        q_end,
        today,
        now,
    };
    let mut team_objective: HashMap<usize, ObjectiveId> = HashMap::new();
    let company: Vec<ObjectiveId> = COMPANY_OBJECTIVES
        .iter()
        .map(|(title, krs)| {
            writer.add(
                batch,
                rng,
                title.to_string(),
                Scope::Company,
                ceo,
                None,
                krs.iter()
                    .map(|(t, a, b, u)| (t.to_string(), *a, *b, u.to_string()))
                    .collect(),
                1.0,
            )
        })
        .collect();
    // Managers in tree order (parents first), so a team objective can align to its
    // manager's.
    let mut order: Vec<usize> = (0..org.people.len()).collect();
    order.sort_by_key(|&i| (depth[i], i));
    for &i in &order {
        let p = &org.people[i];
        if p.report_count < 2 || i == ceo {
            continue;
        }
        let parent = p
            .manager
            .and_then(|m| team_objective.get(&m).copied())
            .unwrap_or(company[i % company.len()]);
        // One team in six is behind, one in ten at risk; the demo manager's team is behind.
        let pace = if i == org.manager {
            0.55
        } else if rng.chance(0.1) {
            0.4
        } else if rng.chance(0.17) {
            0.65
        } else {
            1.0
        };
        let thing = rng.pick(&THINGS);
        let team_name = p.record.team.clone().unwrap_or_else(|| "the team".into());
        let id = writer.add(
            batch,
            rng,
            format!("{team_name}: improve {thing}"),
            Scope::Team,
            i,
            Some(parent),
            vec![
                ("Milestones delivered".into(), 0.0, 6.0, "".into()),
                ("Cycle time".into(), 12.0, 7.0, "days".into()),
            ],
            pace,
        );
        team_objective.insert(i, id);
    }
    for &i in &order {
        let p = &org.people[i];
        if p.report_count > 0 || !rng.chance(0.2) {
            continue;
        }
        let parent = p.manager.and_then(|m| team_objective.get(&m).copied());
        let skill = p
            .record
            .skills
            .first()
            .map(|s| s.skill.clone())
            .unwrap_or_else(|| "communication".into());
        let pace = if rng.chance(0.2) { 0.5 } else { 1.0 };
        writer.add(
            batch,
            rng,
            format!("Grow my {skill}"),
            Scope::Person,
            i,
            parent,
            vec![("Practice sessions completed".into(), 0.0, 10.0, "".into())],
            pace,
        );
    }
}

/// Capacity (about one in ten works part time) and absences (some in the coming two
/// weeks, some past). Gives each person's weekly hours.
fn capacity_and_absences(
    workers: &[DemoWorker],
    today: NaiveDate,
    rng: &mut DemoRng,
    batch: &mut WorkBatch,
) -> Vec<f64> {
    let mut capacity = vec![32.0f64; workers.len()];
    for (i, w) in workers.iter().enumerate() {
        if rng.chance(0.1) {
            let hours = *rng.pick(&[16.0, 20.0, 24.0]);
            capacity[i] = hours;
            batch.capacities.push((w.id, hours));
        }
    }
    for w in workers {
        if rng.chance(0.08) {
            let first = today + Duration::days(rng.range(0, 10) as i64);
            let last = first + Duration::days(rng.range(0, 4) as i64);
            batch
                .absences
                .push((w.id, first, last, "Holiday".to_string()));
        }
        if rng.chance(0.15) {
            let first = today - Duration::days(rng.range(20, 150) as i64);
            let last = first + Duration::days(rng.range(1, 9) as i64);
            batch
                .absences
                .push((w.id, first, last, "Leave".to_string()));
        }
    }
    capacity
}

/// The demo manager's first report who manages nobody.
fn first_report(org: &DemoOrg) -> Option<usize> {
    org.people
        .iter()
        .position(|p| p.manager == Some(org.manager) && p.report_count == 0)
}

/// Commitments: about twenty per person over six months and the coming month, delivered
/// as reliably as their owner delivers; a few people carry far more than they can do.
fn commitments(
    org: &DemoOrg,
    workers: &[DemoWorker],
    capacity: &[f64],
    now: i64,
    rng: &mut DemoRng,
    batch: &mut WorkBatch,
) {
    let today = local_date(None, now);
    let n = org.people.len();
    let mut next_commitment = 1i64;
    let first_report_of_demo_manager = first_report(org);
    let horizon_end = today + Duration::days(13);
    for i in 0..n {
        let p = &org.people[i];
        let owner = workers[i].id;
        let requester = p.manager.map(|m| workers[m].id).unwrap_or(owner);
        let tz = p.record.time_zone.as_deref();
        let reliability = reliability(rng);
        // The demo member and one of the demo manager's reports carry too much.
        let overloaded = i == org.member
            || Some(i) == first_report_of_demo_manager
            || (p.report_count == 0 && rng.chance(0.04));
        let count = rng.range(14, 26);
        let skills: Vec<String> = p
            .record
            .skills
            .iter()
            .map(|s| s.skill.to_string())
            .collect();
        let mut open_soon_hours = 0.0;
        for k in 0..count {
            let due = today + Duration::days(rng.range(0, 210) as i64 - 180);
            let lead = rng.range(3, 30) as i64;
            // Asked for before it was due, never after today (nor before the owner started).
            let created_on = (due - Duration::days(lead))
                .min(today)
                .max(p.record.start_date.unwrap_or(NaiveDate::MIN));
            let effort = rng.range(2, 24) as f64;
            let title = format!("{} {}", rng.pick(&VERBS), rng.pick(&THINGS));
            let mut row = CommitmentRow {
                id: CommitmentId(next_commitment),
                new: NewCommitment {
                    title,
                    description: String::new(),
                    owner,
                    requester: Some(requester),
                    objective: None,
                    due_date: due,
                    effort_hours: effort,
                    skills: if skills.is_empty() {
                        Vec::new()
                    } else {
                        vec![skills[(k as usize) % skills.len()].clone()]
                    },
                    created_at: at_local_noon(created_on),
                    created_on,
                },
                due_date: due,
                agreed_due_date: due,
                remaining_hours: effort,
                priority: next_commitment,
                status: CommitmentStatus::Open,
                completed_at: None,
                completed_on: None,
            };
            next_commitment += 1;
            if due < today {
                if rng.chance(0.05) {
                    row.status = CommitmentStatus::Cancelled;
                } else if rng.chance(0.1) {
                    // Renegotiated in time, then delivered by the new date.
                    let changed_on = due - Duration::days(rng.range(1, lead.max(1) as u64) as i64);
                    let new_due = due + Duration::days(rng.range(3, 14) as i64);
                    move_due(
                        batch,
                        owner,
                        &mut row,
                        changed_on.max(created_on),
                        new_due,
                        rng,
                    );
                    if row.due_date < today {
                        let done = row.due_date - Duration::days(rng.range(0, 2) as i64);
                        complete(&mut row, done, tz);
                    }
                } else if rng.chance(reliability) {
                    let done = due - Duration::days(rng.range(0, 3) as i64);
                    complete(&mut row, done.max(created_on), tz);
                } else {
                    let late = due + Duration::days(rng.range(1, 12) as i64);
                    if rng.chance(0.3) {
                        // Moved after it had passed: does not rescue it.
                        move_due(batch, owner, &mut row, due + Duration::days(1), late, rng);
                    }
                    // Most late work gets done in the end; what is still open is recent.
                    if late < today && (rng.chance(0.85) || late < today - Duration::days(21)) {
                        complete(&mut row, late, tz);
                    }
                }
            } else if due <= horizon_end {
                open_soon_hours += row.remaining_hours;
            }
            batch.commitments.push(row);
        }
        // A few people carry far more than they can do in the coming two weeks.
        if overloaded {
            let target = capacity[i] * 2.0 * 1.6;
            let (requester, open) = (Some(requester), open_soon_hours);
            let urgent = Urgent {
                owner,
                requester,
                target,
                today,
                now,
            };
            overload(batch, rng, &mut next_commitment, open, &urgent);
        }
    }
}

/// How reliably a person delivers: most do well, some struggle.
fn reliability(rng: &mut DemoRng) -> f64 {
    if rng.chance(0.15) {
        0.45 + rng.range(0, 25) as f64 / 100.0
    } else {
        0.8 + rng.range(0, 18) as f64 / 100.0
    }
}

/// Who an urgent request is for, and how many hours it fills their next two weeks to.
struct Urgent {
    owner: PersonId,
    requester: Option<PersonId>,
    target: f64,
    today: NaiveDate,
    now: i64,
}

/// Urgent requests from another team until the person's next two weeks hold `target` hours.
fn overload(
    batch: &mut WorkBatch,
    rng: &mut DemoRng,
    next_commitment: &mut i64,
    mut open_soon_hours: f64,
    urgent: &Urgent,
) {
    let mut k = 0;
    while open_soon_hours < urgent.target && k < 12 {
        let due = urgent.today + Duration::days(rng.range(1, 12) as i64);
        let effort = rng.range(8, 16) as f64;
        open_soon_hours += effort;
        batch.commitments.push(CommitmentRow {
            id: CommitmentId(*next_commitment),
            new: NewCommitment {
                title: format!("{} {}", rng.pick(&VERBS), rng.pick(&THINGS)),
                description: "Urgent request from another team.".into(),
                owner: urgent.owner,
                requester: urgent.requester,
                objective: None,
                due_date: due,
                effort_hours: effort,
                skills: Vec::new(),
                created_at: urgent.now - 86_400,
                created_on: urgent.today - Duration::days(1),
            },
            due_date: due,
            agreed_due_date: due,
            remaining_hours: effort,
            priority: *next_commitment,
            status: CommitmentStatus::Open,
            completed_at: None,
            completed_on: None,
        });
        *next_commitment += 1;
        k += 1;
    }
}

/// Moves a commitment's due date as its owner would, with the history line that says so.
fn move_due(
    batch: &mut WorkBatch,
    owner: PersonId,
    row: &mut CommitmentRow,
    changed_on: NaiveDate,
    new_due: NaiveDate,
    rng: &mut DemoRng,
) {
    let in_time = changed_on <= row.due_date;
    batch.changes.push((
        row.id,
        NewChange {
            at: at_local_noon(changed_on),
            actor: owner,
            field: ChangeField::DueDate,
            before: Some(row.due_date.to_string()),
            after: Some(new_due.to_string()),
            note: if in_time {
                (*rng.pick(&[
                    "Waiting on legal",
                    "Scope grew",
                    "Swapped with an urgent fix",
                ]))
                .to_string()
            } else {
                "Slipped".to_string()
            },
            in_time: Some(in_time),
        },
    ));
    row.agreed_due_date =
        agreed_due_after_change(row.due_date, row.agreed_due_date, changed_on, new_due);
    row.due_date = new_due;
}

/// Generates the demo's work for an organisation already imported into `store` and
/// writes it in one transaction. Returns how many commitments were written.
pub async fn load(
    store: &dyn crate::store::Store,
    org: &DemoOrg,
    now: i64,
    seed: u64,
) -> crate::error::CoreResult<usize> {
    let snapshot = store.org_snapshot().await?;
    let ids: HashMap<&str, PersonId> = snapshot
        .people
        .iter()
        .map(|p| (p.record.email.as_str(), p.id))
        .collect();
    let teams: HashMap<String, TeamId> = store
        .teams()
        .await?
        .into_iter()
        .map(|t| (t.name, t.id))
        .collect();
    let mut workers = Vec::with_capacity(org.people.len());
    for p in &org.people {
        let id = ids.get(p.record.email.as_str()).copied().ok_or_else(|| {
            crate::error::CoreError::Internal(format!("{} was not imported", p.record.email))
        })?;
        workers.push(DemoWorker {
            id,
            team: p.record.team.as_deref().and_then(|t| teams.get(t).copied()),
        });
    }
    let batch = generate_work(org, &workers, now, seed);
    store.insert_work(&batch).await?;
    Ok(batch.commitments.len())
}

fn complete(row: &mut CommitmentRow, day: NaiveDate, tz: Option<&str>) {
    let at = at_local_noon(day);
    row.status = CommitmentStatus::Done;
    row.remaining_hours = 0.0;
    row.completed_at = Some(at);
    row.completed_on = Some(local_date(tz, at));
}

/// A figure as people write it: whole for counts, one decimal otherwise.
fn rounded(value: f64, whole: bool) -> f64 {
    if whole {
        value.round()
    } else {
        (value * 10.0).round() / 10.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::generate;
    use crate::work::metrics::{DeliveryRecord, DeliveryState, Window, delivery};

    #[test]
    fn demo_work_has_a_realistic_mix() {
        let org = generate(250, 7);
        let workers: Vec<DemoWorker> = (0..org.people.len())
            .map(|i| DemoWorker {
                id: PersonId(i as i64 + 1),
                team: None,
            })
            .collect();
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 23)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap()
            .and_utc()
            .timestamp();
        let batch = generate_work(&org, &workers, now, 1);
        let per_person = batch.commitments.len() as f64 / 250.0;
        assert!((14.0..30.0).contains(&per_person), "{per_person}");
        let done = batch
            .commitments
            .iter()
            .filter(|c| c.status == CommitmentStatus::Done)
            .count();
        let cancelled = batch
            .commitments
            .iter()
            .filter(|c| c.status == CommitmentStatus::Cancelled)
            .count();
        assert!(done > 0 && cancelled > 0);
        assert!(batch.changes.iter().any(|c| c.1.in_time == Some(true)));
        assert!(batch.changes.iter().any(|c| c.1.in_time == Some(false)));
        let records: Vec<DeliveryRecord> = batch
            .commitments
            .iter()
            .map(|c| DeliveryRecord {
                agreed_due: c.agreed_due_date,
                state: match c.status {
                    CommitmentStatus::Done => DeliveryState::Done,
                    CommitmentStatus::Cancelled => DeliveryState::Cancelled,
                    CommitmentStatus::Open => DeliveryState::Open,
                },
                completed_on: c.completed_on,
            })
            .collect();
        let today = local_date(None, now);
        let r = delivery(&records, Window::ending(today, 180), today)
            .reliability()
            .unwrap();
        assert!((0.6..0.95).contains(&r), "organisation reliability {r}");
        assert!(batch.objectives.len() > 10 && !batch.check_ins.is_empty());
    }
}
