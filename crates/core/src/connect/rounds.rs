//! Running a round of a programme, what people say happened, and the figures: coverage by
//! round and "you have met X of Y colleagues here".

use super::preview::groups_to_meet_across;
use super::programmes::{Programme, may_run_for};
use super::slots::{
    Calendar, WorkingHours, days_in_window, describe_slot, suggest_for_groups, window_last_day,
};
use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::clock::{local_date, zone};
use crate::connect::store::ConnectStore;
use crate::error::{CoreError, CoreResult};
use crate::ids::{ConnectGroupId, ConnectRoundId, PersonId, ProgrammeId};
use crate::notify::{Notification, Topic};
use crate::org::import::ExistingPerson;
use crate::work::Absence;
use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use trellis_insight::connections::{History, Member, Plan, Rules, coverage, pair_key, plan_round};

/// What a group says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Met,
    /// They could not meet: the pair may be grouped again as if it never met.
    Missed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Met => "met",
            Outcome::Missed => "missed",
        }
    }
    pub fn parse(text: &str) -> Option<Outcome> {
        match text {
            "met" => Some(Outcome::Met),
            "missed" => Some(Outcome::Missed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredGroup {
    pub id: ConnectGroupId,
    pub round: ConnectRoundId,
    /// With whether each was the round's odd one.
    pub members: Vec<(PersonId, bool)>,
    pub outcome: Option<Outcome>,
    /// The 30 minutes suggested to the group; `None` when their hours never meet.
    pub suggested_at: Option<i64>,
}

/// A group's suggested meeting, as one member's calendar shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConnectMeeting {
    pub group: ConnectGroupId,
    pub programme: String,
    pub run_on: NaiveDate,
    /// The suggested 30 minutes; `None` when the members' hours never met.
    pub starts_at: Option<i64>,
    /// The other members.
    pub with: Vec<String>,
    pub outcome: Option<Outcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredRound {
    pub id: ConnectRoundId,
    pub number: u32,
    pub run_on: NaiveDate,
    pub run_by: Option<PersonId>,
    pub members: u32,
    /// What the round did, in a sentence.
    pub summary: String,
    pub groups: Vec<StoredGroup>,
    pub sit_out: Vec<PersonId>,
}

/// A round to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRound {
    pub programme: ProgrammeId,
    pub number: u32,
    pub run_on: NaiveDate,
    pub run_at: i64,
    pub run_by: Option<PersonId>,
    pub members: u32,
    pub summary: String,
    /// Each group's people, with whether each was the odd one.
    pub groups: Vec<Vec<(PersonId, bool)>>,
    /// Each group's suggested slot, by the same index.
    pub suggested: Vec<Option<i64>>,
    pub sit_out: Vec<PersonId>,
}

/// A programme's people and history as the planner sees them.
struct Situation {
    ids: Vec<PersonId>,
    /// Display names, by the same index.
    names: Vec<String>,
    members: Vec<Member>,
    history: History,
    excluded: HashSet<u64>,
    away: usize,
    /// When each can meet, by the same index.
    calendars: Vec<Calendar>,
}

/// Runs the programme's next round now: `viewer` is who pressed the button, `None` the
/// background worker. A conflict when another instance wrote the same round first.
pub async fn run_round(
    store: &dyn ConnectStore,
    viewer: Option<&Viewer>,
    programme: ProgrammeId,
    now: i64,
) -> CoreResult<ConnectRoundId> {
    let found = store
        .programme(programme)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("connection programme {programme}")))?;
    if let Some(viewer) = viewer {
        may_run_for(viewer, &found.audience)?;
    }
    if found.archived_at.is_some() {
        return Err(CoreError::Conflict(format!(
            "\"{}\" is archived: it runs no more rounds",
            found.name
        )));
    }
    let today = local_date(None, now);
    let rounds = store.connect_rounds(programme).await?;
    let number = rounds.last().map_or(1, |r| r.number + 1);
    if viewer.is_none() && found.round_due_on(number) > today {
        return Err(CoreError::Conflict(format!(
            "round {number} is not due yet"
        )));
    }
    let situation = situation(store, &found, &rounds, today).await?;
    let present = situation.members.iter().filter(|m| m.present).count();
    super::check_enough_people(situation.ids.len(), &format!("\"{}\"", found.name))?;
    let shape = found.shape();
    let plan = plan_round(
        &situation.members,
        &situation.history,
        &Rules {
            round: number,
            group_size: shape.group_size,
            odd_one: shape.odd_one,
            excluded: situation.excluded.clone(),
        },
    );
    let summary = summarise(&plan, present, situation.away);
    let suggested = suggest_for_groups(today, &situation.calendars, &plan.groups);
    let id_of = |m: &u32| situation.ids[*m as usize];
    let round = NewRound {
        programme,
        number,
        run_on: today,
        run_at: now,
        run_by: viewer.and_then(Viewer::actor),
        members: situation.ids.len() as u32,
        summary: summary.clone(),
        groups: plan
            .groups
            .iter()
            .map(|g| g.iter().map(|m| (id_of(m), plan.odd.contains(m))).collect())
            .collect(),
        suggested: suggested.clone(),
        sit_out: plan.sit_out.iter().map(id_of).collect(),
    };
    let notes = tell_everyone(&found, &plan, &suggested, &situation, now);
    let mut work = store.begin_connect_write().await?;
    let id = work.create_connect_round(&round).await?;
    work.notify_all(&notes).await?;
    work.audit(&AuditEntry {
        at: now,
        actor: viewer.and_then(Viewer::actor),
        action: "connect_round.run".into(),
        subject: format!("{} round {number}", found.name),
        detail: summary,
    })
    .await?;
    work.commit().await?;
    Ok(id)
}

/// Each person placed hears whom they meet; each who sits out hears that, and only that.
fn tell_everyone(
    programme: &Programme,
    plan: &Plan,
    suggested: &[Option<i64>],
    situation: &Situation,
    now: i64,
) -> Vec<Notification> {
    let link = format!("/connect/{}", programme.id);
    let within = match programme.rhythm_weeks {
        1 => "this week".to_string(),
        n => format!("in the next {n} weeks"),
    };
    let mut notes = Vec::new();
    for (group, slot) in plan.groups.iter().zip(suggested) {
        for &m in group {
            let others: Vec<&str> = group
                .iter()
                .filter(|&&o| o != m)
                .map(|&o| situation.names[o as usize].as_str())
                .collect();
            let when = match slot {
                Some(at) => format!(
                    "suggested: {} your time, for 30 minutes (or find another time {within})",
                    describe_slot(*at, situation.calendars[m as usize].zone)
                ),
                None => format!("find 30 minutes together {within}"),
            };
            notes.push(Notification::new(
                situation.ids[m as usize],
                Topic::Connection,
                format!(
                    "{}: you meet {} — {when}.",
                    programme.name,
                    others.join(" and ")
                ),
                link.clone(),
                now,
            ));
        }
    }
    for &m in &plan.sit_out {
        notes.push(Notification::new(
            situation.ids[m as usize],
            Topic::Connection,
            format!("{}: you sit out this round.", programme.name),
            link.clone(),
            now,
        ));
    }
    notes
}

/// Runs every programme's round that is due today or earlier (the worker's hourly pass).
/// Two instances may both try: the round's number is unique, so one writes it and the
/// other is told it exists. A programme that has dropped below two people waits.
pub async fn run_due(store: &dyn ConnectStore, now: i64) -> CoreResult<usize> {
    let today = local_date(None, now);
    let mut run = 0;
    for programme in store.programmes().await? {
        if programme.archived_at.is_some() {
            continue;
        }
        let next = store.connect_rounds_run(programme.id).await? + 1;
        if programme.round_due_on(next) > today {
            continue;
        }
        match run_round(store, None, programme.id, now).await {
            Ok(_) => run += 1,
            Err(CoreError::Conflict(_)) | Err(CoreError::Invalid(_)) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(run)
}

/// The sentence a round's page shows: what it did, never why anyone was away.
fn summarise(plan: &Plan, present: usize, away: usize) -> String {
    let pairs = plan.groups.iter().filter(|g| g.len() == 2).count();
    let trios = plan.groups.len() - pairs;
    let count =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let groups = match trios {
        0 => count(pairs, "pair", "pairs"),
        _ => format!(
            "{} and {}",
            count(pairs, "pair", "pairs"),
            count(trios, "trio", "trios")
        ),
    };
    let mut parts = vec![format!(
        "{} took part: {groups}",
        count(present, "person", "people")
    )];
    parts.push(format!(
        "{} and {}",
        count(
            plan.new_pairs,
            "new pair of colleagues",
            "new pairs of colleagues"
        ),
        count(plan.repeats, "repeat", "repeats")
    ));
    if !plan.sit_out.is_empty() {
        parts.push(format!(
            "{} out this round",
            count(plan.sit_out.len(), "person sits", "people sit")
        ));
    }
    if away > 0 {
        parts.push(format!(
            "{} not taking part this time",
            count(away, "person", "people")
        ));
    }
    format!("{}.", parts.join("; "))
}

async fn situation(
    store: &dyn ConnectStore,
    programme: &Programme,
    rounds: &[StoredRound],
    today: NaiveDate,
) -> CoreResult<Situation> {
    let people = store.org_people().await?;
    let choices: HashMap<PersonId, super::programmes::Choice> =
        store.choices(programme.id).await?.into_iter().collect();
    let ids: Vec<PersonId> = programme
        .audience
        .members(&people)
        .into_iter()
        .filter(|id| !choices.get(id).is_some_and(|c| c.opted_out))
        .collect();
    let index: HashMap<PersonId, u32> = ids
        .iter()
        .enumerate()
        .map(|(i, &p)| (p, i as u32))
        .collect();
    let in_programme: Vec<_> = people
        .into_iter()
        .filter(|p| index.contains_key(&p.id))
        .collect();
    // `in_programme` follows the store's order; the planner's follows `ids`.
    let mut by_id: Vec<_> = in_programme;
    by_id.sort_by_key(|p| p.id);
    let groups = groups_to_meet_across(&by_id, programme.prefer_across);
    let names = by_id
        .iter()
        .map(|p| crate::org::display_name(&p.record.name, p.record.preferred_name.as_deref()))
        .collect();
    let week_end = today + chrono::Duration::days(6);
    let absences = store
        .absences_between(Some(&ids), today, window_last_day(today))
        .await?;
    let away_on_plate: HashSet<PersonId> = absences
        .iter()
        .filter(|a| a.first_day <= week_end && a.last_day >= today)
        .map(|a| a.person_id)
        .collect();
    let calendars = calendars_of(store, &by_id, &absences, today).await?;
    let mut members: Vec<Member> = ids
        .iter()
        .zip(&groups)
        .map(|(id, &group)| {
            let snoozed = choices
                .get(id)
                .and_then(|c| c.snoozed_until)
                .is_some_and(|until| until > today);
            Member::new(group, !snoozed && !away_on_plate.contains(id))
        })
        .collect();
    let away = members.iter().filter(|m| !m.present).count();
    let history = history_of(rounds, &index, &mut members);
    let excluded = store
        .all_exclusions()
        .await?
        .into_iter()
        .filter_map(|(a, b)| Some(pair_key(*index.get(&a)?, *index.get(&b)?)))
        .collect();
    Ok(Situation {
        ids,
        names,
        members,
        history,
        excluded,
        away,
        calendars,
    })
}

/// Each person's zone (UTC when unknown), working hours and days away, in `people`'s order.
async fn calendars_of(
    store: &dyn ConnectStore,
    people: &[ExistingPerson],
    absences: &[Absence],
    today: NaiveDate,
) -> CoreResult<Vec<Calendar>> {
    let mut hours: HashMap<PersonId, WorkingHours> =
        store.all_working_hours().await?.into_iter().collect();
    let mut away: HashMap<PersonId, Vec<NaiveDate>> = HashMap::new();
    for a in absences {
        away.entry(a.person_id)
            .or_default()
            .extend(days_in_window(today, a.first_day, a.last_day));
    }
    Ok(people
        .iter()
        .map(|p| Calendar {
            zone: zone(p.record.time_zone.as_deref()).unwrap_or(Tz::UTC),
            hours: hours.remove(&p.id).unwrap_or_default(),
            away: away.remove(&p.id).unwrap_or_default(),
        })
        .collect())
}

/// Who met whom (a group that said it could not meet did not), and who was the odd one
/// when.
fn history_of(
    rounds: &[StoredRound],
    index: &HashMap<PersonId, u32>,
    members: &mut [Member],
) -> History {
    let mut history = History::default();
    for (position, round) in rounds.iter().enumerate() {
        let last = position + 1 == rounds.len();
        for group in &round.groups {
            let people: Vec<(u32, bool)> = group
                .members
                .iter()
                .filter_map(|(p, odd)| Some((*index.get(p)?, *odd)))
                .collect();
            if group.outcome != Some(Outcome::Missed) {
                for (i, &(a, _)) in people.iter().enumerate() {
                    for &(b, _) in &people[i + 1..] {
                        history.record(a, b, round.number);
                    }
                }
            }
            let has_odd = group.members.iter().any(|(_, odd)| *odd);
            for &(m, odd) in &people {
                let member = &mut members[m as usize];
                if odd {
                    member.odd_count += 1;
                    member.last_odd = round.number;
                }
                if last && has_odd && group.members.len() == 3 {
                    member.in_last_trio = true;
                }
            }
        }
        for p in &round.sit_out {
            if let Some(&m) = index.get(p) {
                members[m as usize].odd_count += 1;
                members[m as usize].last_odd = round.number;
            }
        }
    }
    history
}

/// The programme's next `rounds` rounds as they would run from its history, without saving
/// them: its people, opt-outs and exclusions as they are now, nobody away.
pub async fn preview_programme(
    store: &dyn ConnectStore,
    viewer: &Viewer,
    programme: ProgrammeId,
    rounds: u32,
    now: i64,
) -> CoreResult<super::preview::Preview> {
    let found = store
        .programme(programme)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("connection programme {programme}")))?;
    may_run_for(viewer, &found.audience)?;
    super::preview::check_rounds(rounds)?;
    let stored = store.connect_rounds(programme).await?;
    let situation = situation(store, &found, &stored, local_date(None, now)).await?;
    super::check_enough_people(situation.ids.len(), &format!("\"{}\"", found.name))?;
    let mut members = situation.members;
    for m in members.iter_mut() {
        m.present = true;
    }
    let done = stored.last().map_or(0, |r| r.number);
    let mut preview = super::preview::simulate(
        members,
        situation.history,
        &situation.excluded,
        done,
        rounds,
        found.shape(),
    );
    preview.audience = found.name.clone();
    Ok(preview)
}

/// A group's member says they met, or could not.
pub async fn set_outcome(
    store: &dyn ConnectStore,
    viewer: &Viewer,
    group: ConnectGroupId,
    outcome: Outcome,
    now: i64,
) -> CoreResult<()> {
    let Some((_, found)) = store.connect_group(group).await? else {
        return Err(CoreError::NotFound(format!("connection {group}")));
    };
    if !found.members.iter().any(|(p, _)| *p == viewer.person_id()) {
        return Err(CoreError::NotFound(format!("connection {group}")));
    }
    let mut work = store.begin_connect_write().await?;
    work.set_outcome(group, outcome, viewer.person_id(), now)
        .await?;
    work.commit().await?;
    Ok(())
}

/// A programme's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Pairs met ÷ allowed pairs after each round, from round 1.
    pub by_round: Vec<f64>,
    /// The round at which every allowed pair will have met at this rhythm, and whether it
    /// is estimated (large programmes) rather than planned.
    pub full_at_round: Option<u32>,
    pub estimated: bool,
}

/// Coverage after each round so far (PRODUCT.md: opted-out people and excluded pairs left
/// out), and when it reaches 100 %.
pub async fn coverage_of(
    store: &dyn ConnectStore,
    programme: &Programme,
    today: NaiveDate,
) -> CoreResult<Coverage> {
    let rounds = store.connect_rounds(programme.id).await?;
    let situation = situation(store, programme, &rounds, today).await?;
    let counted = vec![true; situation.ids.len()];
    let index: HashMap<PersonId, u32> = situation
        .ids
        .iter()
        .enumerate()
        .map(|(i, &p)| (p, i as u32))
        .collect();
    let mut by_round = Vec::with_capacity(rounds.len());
    for upto in 1..=rounds.len() {
        let mut scratch = situation.members.clone();
        let history = history_of(&rounds[..upto], &index, &mut scratch);
        by_round.push(coverage(&counted, &history, &situation.excluded).unwrap_or(1.0));
    }
    let now_covered = coverage(&counted, &situation.history, &situation.excluded).unwrap_or(1.0);
    let done = rounds.last().map_or(0, |r| r.number);
    let (full_at_round, estimated) = if now_covered >= 1.0 {
        (
            by_round
                .iter()
                .position(|&c| c >= 1.0)
                .map(|p| rounds[p].number),
            false,
        )
    } else if situation.ids.len() <= 200 {
        let mut everyone = situation.members.clone();
        for m in everyone.iter_mut() {
            m.present = true;
        }
        let preview = super::preview::simulate(
            everyone,
            situation.history.clone(),
            &situation.excluded,
            done,
            (situation.ids.len() as u32 + 1) * 2,
            programme.shape(),
        );
        (preview.full_coverage_round, false)
    } else {
        let n = situation.ids.len() as f64;
        let all = n * (n - 1.0) / 2.0 - situation.excluded.len() as f64;
        let unmet = (1.0 - now_covered) * all;
        let per_round = (n / 2.0).floor().max(1.0);
        (Some(done + (unmet / per_round).ceil() as u32), true)
    };
    Ok(Coverage {
        by_round,
        full_at_round,
        estimated,
    })
}

/// "You have met X of your Y colleagues here": the denominator is everyone else in the
/// programme, so it never reveals that someone excluded this person.
pub async fn met_of(
    store: &dyn ConnectStore,
    programme: &Programme,
    person: PersonId,
) -> CoreResult<(usize, usize)> {
    let rounds = store.connect_rounds(programme.id).await?;
    let people = store.org_people().await?;
    let choices = store.choices(programme.id).await?;
    Ok(met_among(programme, &rounds, &people, &choices, person))
}

/// [`met_of`] from what the caller has already read.
pub fn met_among(
    programme: &Programme,
    rounds: &[StoredRound],
    people: &[crate::org::import::ExistingPerson],
    choices: &[(PersonId, super::programmes::Choice)],
    person: PersonId,
) -> (usize, usize) {
    let out: HashSet<PersonId> = choices
        .iter()
        .filter(|(_, c)| c.opted_out)
        .map(|(p, _)| *p)
        .collect();
    let members: HashSet<PersonId> = programme
        .audience
        .members(people)
        .into_iter()
        .filter(|p| !out.contains(p))
        .collect();
    let mut met: HashSet<PersonId> = HashSet::new();
    for group in rounds.iter().flat_map(|r| &r.groups) {
        if group.outcome == Some(Outcome::Missed)
            || !group.members.iter().any(|(p, _)| *p == person)
        {
            continue;
        }
        met.extend(
            group
                .members
                .iter()
                .map(|(p, _)| *p)
                .filter(|p| *p != person && members.contains(p)),
        );
    }
    (met.len(), members.len().saturating_sub(1))
}
