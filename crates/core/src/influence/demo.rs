//! The demo's advice network: a few individual contributors whom people from other
//! departments seek out (the informal leaders), some managers consulted only by their own
//! reports, colleagues asking teammates, and the meetings and messages that connect teams
//! — imported as interactions, plus two months of advice pulse answers. The pulse is on,
//! monthly, and this month's round asks at the end, so the demo's people find it in their
//! notifications; the figures are computed last.

use super::store::InfluenceStore;
use super::{Interaction, InteractionKind, department_of};
use crate::access::Viewer;
use crate::clock::local_date;
use crate::demo::{DemoOrg, DemoRng};
use crate::error::CoreResult;
use crate::ids::PersonId;
use crate::settings::SettingsPatch;
use chrono::{Datelike, Duration, Months, NaiveDate};
use std::collections::{BTreeMap, HashMap};

/// Writes the demo's influence data for the demo organisation already in the store.
pub async fn load(store: &dyn InfluenceStore, org: &DemoOrg, now: i64) -> CoreResult<()> {
    let snapshot = store.org_snapshot().await?;
    let ids: HashMap<&str, PersonId> = snapshot
        .people
        .iter()
        .map(|p| (p.record.email.as_str(), p.id))
        .collect();
    let today = local_date(None, now);
    let mut rng = DemoRng::new(0x1f1_ad71ce);
    let (rows, experts) = network(org, &ids, today, &mut rng);
    store.add_interactions(&rows).await?;
    pulse_answers(store, org, &ids, &experts, &mut rng, now).await?;
    // This month's round asks now, as the server's first pass would.
    super::pulse::ask_when_due(store, now).await?;
    super::figures::refresh(store, now).await?;
    Ok(())
}

/// The imported part: interactions, and the informal leaders they make.
fn network(
    org: &DemoOrg,
    ids: &HashMap<&str, PersonId>,
    today: NaiveDate,
    rng: &mut DemoRng,
) -> (Vec<Interaction>, Vec<usize>) {
    let n = org.people.len();
    let id = |i: usize| ids.get(org.people[i].record.email.as_str()).copied();
    let department = |i: usize| department_of(&org.people[i].record).unwrap_or("");
    // The first day both people were there (never before either started).
    let both_since = |a: usize, b: usize| {
        [a, b]
            .iter()
            .filter_map(|i| org.people[*i].record.start_date)
            .max()
            .unwrap_or(today - Duration::days(365))
    };
    let day_between = |rng: &mut DemoRng, a: usize, b: usize| -> Option<NaiveDate> {
        let first = both_since(a, b).max(today - Duration::days(120));
        let span = (today - first).num_days();
        (span >= 1).then(|| first + Duration::days(rng.range(0, span as u64 - 1) as i64))
    };
    let mut rows: Vec<Interaction> = Vec::new();
    let mut tie = |rng: &mut DemoRng, from: usize, to: usize, kind: InteractionKind| {
        if from == to {
            return;
        }
        if let (Some(f), Some(t), Some(on)) = (id(from), id(to), day_between(rng, from, to)) {
            rows.push(Interaction {
                from: f,
                to: t,
                on,
                kind,
            });
        }
    };
    let contributors: Vec<usize> = (0..n)
        .filter(|i| org.people[*i].report_count == 0)
        .collect();
    let managers: Vec<usize> = (0..n).filter(|i| org.people[*i].report_count > 0).collect();
    // Informal leaders: about one contributor in thirty, sought from other departments.
    let experts: Vec<usize> = contributors.iter().copied().step_by(30).collect();
    for &expert in &experts {
        let seekers = rng.range(6, 14);
        for _ in 0..seekers {
            let seeker = *rng.pick(&contributors);
            if department(seeker) != department(expert) {
                tie(rng, seeker, expert, InteractionKind::Advice);
            }
        }
    }
    // Managers consulted only inside their line: their own reports ask them.
    for &m in managers.iter().step_by(3) {
        for r in (0..n).filter(|r| org.people[*r].manager == Some(m)) {
            if rng.chance(0.7) {
                tie(rng, r, m, InteractionKind::Advice);
            }
        }
    }
    // Teammates ask each other; meetings and messages within teams and across a few.
    let mut by_team: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in org.people.iter().enumerate() {
        if let Some(t) = &p.record.team {
            by_team.entry(t.as_str()).or_default().push(i);
        }
    }
    for members in by_team.values() {
        for &a in members {
            let b = *rng.pick(members);
            if rng.chance(0.2) {
                tie(rng, a, b, InteractionKind::Advice);
            }
            let c = *rng.pick(members);
            tie(rng, a, c, InteractionKind::Meeting);
            if rng.chance(0.15) {
                let other = rng.range(0, n as u64 - 1) as usize;
                tie(rng, a, other, InteractionKind::Message);
            }
        }
    }
    (rows, experts)
}

/// Two months of advice pulse answers, about half of the people each.
async fn pulse_answers(
    store: &dyn InfluenceStore,
    org: &DemoOrg,
    ids: &HashMap<&str, PersonId>,
    experts: &[usize],
    rng: &mut DemoRng,
    now: i64,
) -> CoreResult<()> {
    let today = local_date(None, now);
    let n = org.people.len();
    let id = |i: usize| ids.get(org.people[i].record.email.as_str()).copied();
    let department = |i: usize| department_of(&org.people[i].record).unwrap_or("");
    // The pulse: monthly for everyone; the last two rounds answered by about half.
    crate::settings::change(
        store,
        &Viewer::operator(),
        SettingsPatch {
            advice_pulse_every_months: Some(1),
            ..SettingsPatch::default()
        },
        now,
    )
    .await?;
    let this_month = today.with_day(1).unwrap_or(today);
    for back in [2, 1] {
        let round = this_month - Months::new(back);
        let asked_at = round
            .and_hms_opt(9, 0, 0)
            .map_or(now, |t| t.and_utc().timestamp());
        let mut work = store.begin_influence_write().await?;
        work.open_pulse_round(round, asked_at, n as u32).await?;
        for seeker in 0..n {
            let Some(seeker_id) = id(seeker) else {
                continue;
            };
            let started = org.people[seeker].record.start_date;
            if started.is_some_and(|s| s > round) || !rng.chance(0.5) {
                continue;
            }
            let mut named = Vec::new();
            if rng.chance(0.3)
                && let Some(&expert) =
                    experts.get(rng.range(0, experts.len().saturating_sub(1) as u64) as usize)
                && department(expert) != department(seeker)
            {
                named.push(expert);
            }
            if let Some(m) = org.people[seeker].manager {
                named.push(m);
            }
            let mut advisers: Vec<PersonId> = named
                .into_iter()
                .filter(|a| *a != seeker)
                .filter(|a| org.people[*a].record.start_date.is_none_or(|s| s <= round))
                .filter_map(id)
                .collect();
            advisers.dedup();
            work.save_pulse_answer(round, seeker_id, &advisers, asked_at + 86_400)
                .await?;
        }
        work.commit().await?;
    }
    Ok(())
}
