//! What people see of connection programmes: the list, one programme — for its members
//! their own pairings and "met X of Y", for those who run it the rounds and the coverage.
//! Nobody sees who excluded whom, and nobody sees other people's pairings.

use super::programmes::{Audience, Choice, Programme, may_run_for};
use super::rounds::{Coverage, Outcome, coverage_of, met_among};
use super::slots::describe_slot;
use crate::access::Viewer;
use crate::clock::{local_date, zone};
use crate::connect::store::ConnectStore;
use crate::error::{CoreError, CoreResult};
use crate::ids::{ConnectGroupId, PersonId, PersonName, ProgrammeId};
use crate::org::display_name;
use crate::org::import::ExistingPerson;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// A programme in a list.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeSummary {
    pub programme: Programme,
    /// Who is in it, in words.
    pub audience: String,
    /// Active people in the audience.
    pub members: usize,
    pub rounds_run: u32,
    pub next_round_on: Option<NaiveDate>,
    /// The viewer is in the audience.
    pub member: bool,
    /// The viewer may run its rounds (an admin, or the manager whose tree it is).
    pub runs_it: bool,
    pub choice: Choice,
}

/// One of the viewer's rounds.
#[derive(Debug, Clone, Serialize)]
pub struct MyConnection {
    pub round: u32,
    pub run_on: NaiveDate,
    /// The group, or `None` when they sat out or did not take part.
    pub group: Option<ConnectGroupId>,
    pub with: Vec<PersonName>,
    pub outcome: Option<Outcome>,
    /// Present but not placed: "sits out this round".
    pub sat_out: bool,
    /// The 30 minutes suggested to the group (seconds since the epoch).
    pub suggested_at: Option<i64>,
    /// The same, in the viewer's time zone: "Mon 7 Dec, 09:00".
    pub suggested: Option<String>,
}

/// A round as those who run the programme see it: what it did, not who met whom.
#[derive(Debug, Clone, Serialize)]
pub struct RoundLine {
    pub number: u32,
    pub run_on: NaiveDate,
    pub automatic: bool,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeView {
    pub summary: ProgrammeSummary,
    /// The viewer's rounds, newest first (members).
    pub mine: Vec<MyConnection>,
    /// (met, colleagues): "you have met X of your Y colleagues here" (members).
    pub met: Option<(usize, usize)>,
    /// For those who run it.
    pub rounds: Vec<RoundLine>,
    /// For those who run it, when at least `k` people take part.
    pub coverage: Option<Coverage>,
}

fn describe(audience: &Audience, people: &[ExistingPerson]) -> String {
    match audience {
        Audience::Everyone => "Everyone".into(),
        Audience::Department(d) => format!("Department {d}"),
        Audience::Location(l) => format!("Location {l}"),
        Audience::Tree(p) => format!(
            "{}'s organisation",
            people
                .iter()
                .find(|person| person.id == *p)
                .map(|person| display_name(
                    &person.record.name,
                    person.record.preferred_name.as_deref()
                ))
                .unwrap_or_else(|| format!("person {p}"))
        ),
        Audience::List(people) => format!("{} chosen people", people.len()),
        Audience::Group { name, .. } => format!("Group {name}"),
    }
}

async fn summaries(
    store: &dyn ConnectStore,
    viewer: &Viewer,
    only: Option<ProgrammeId>,
    people: &[ExistingPerson],
    now: i64,
) -> CoreResult<Vec<ProgrammeSummary>> {
    let today = local_date(None, now);
    let mut out = Vec::new();
    let programmes = match only {
        Some(id) => store.programme(id).await?.into_iter().collect(),
        None => store.programmes().await?,
    };
    for programme in programmes {
        let members = programme.audience.members(people);
        let member = members.binary_search(&viewer.person_id()).is_ok();
        let runs_it = may_run_for(viewer, &programme.audience).is_ok();
        if !member && !runs_it {
            continue;
        }
        let rounds_run = store.connect_rounds_run(programme.id).await?;
        let choice = if member {
            store
                .choices(programme.id)
                .await?
                .into_iter()
                .find(|(p, _)| *p == viewer.person_id())
                .map(|(_, c)| c)
                .unwrap_or_default()
        } else {
            Choice::default()
        };
        let next = programme.round_due_on(rounds_run + 1);
        out.push(ProgrammeSummary {
            audience: describe(&programme.audience, people),
            members: members.len(),
            rounds_run,
            next_round_on: programme.archived_at.is_none().then_some(next.max(today)),
            member,
            runs_it,
            choice,
            programme,
        });
    }
    Ok(out)
}

/// The programmes the viewer is in or runs.
pub async fn programmes_for(
    store: &dyn ConnectStore,
    viewer: &Viewer,
    now: i64,
) -> CoreResult<Vec<ProgrammeSummary>> {
    summaries(store, viewer, None, &store.org_people().await?, now).await
}

/// One programme; not found for anyone neither in it nor running it. Coverage is shown
/// when at least `k` people take part (the anonymity rule for group figures).
pub async fn programme_view(
    store: &dyn ConnectStore,
    viewer: &Viewer,
    id: ProgrammeId,
    k: u32,
    now: i64,
) -> CoreResult<ProgrammeView> {
    // Read once: on a large organisation these are the page's cost.
    let people = store.org_people().await?;
    let summary = summaries(store, viewer, Some(id), &people, now)
        .await?
        .pop()
        .ok_or_else(|| CoreError::NotFound(format!("connection programme {id}")))?;
    let programme = &summary.programme;
    let rounds = store.connect_rounds(id).await?;
    let mut mine = Vec::new();
    let mut met = None;
    if summary.member {
        let me = viewer.person_id();
        let my_zone = people
            .iter()
            .find(|p| p.id == me)
            .and_then(|p| zone(p.record.time_zone.as_deref()))
            .unwrap_or(chrono_tz::Tz::UTC);
        let mut partners: HashMap<PersonId, String> = HashMap::new();
        for round in rounds.iter().rev() {
            let group = round
                .groups
                .iter()
                .find(|g| g.members.iter().any(|(p, _)| *p == me));
            let sat_out = round.sit_out.contains(&me);
            if group.is_none() && !sat_out {
                continue;
            }
            for (p, _) in group.map_or(&[][..], |g| &g.members[..]) {
                partners.entry(*p).or_default();
            }
            mine.push(MyConnection {
                round: round.number,
                run_on: round.run_on,
                group: group.map(|g| g.id),
                with: group
                    .map(|g| {
                        g.members
                            .iter()
                            .filter(|(p, _)| *p != me)
                            .map(|(p, _)| PersonName {
                                id: *p,
                                name: String::new(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
                outcome: group.and_then(|g| g.outcome),
                sat_out,
                suggested_at: group.and_then(|g| g.suggested_at),
                suggested: group
                    .and_then(|g| g.suggested_at)
                    .map(|at| describe_slot(at, my_zone)),
            });
        }
        for person in &people {
            if let Some(name) = partners.get_mut(&person.id) {
                *name = display_name(&person.record.name, person.record.preferred_name.as_deref());
            }
        }
        for connection in &mut mine {
            for with in &mut connection.with {
                with.name = partners.get(&with.id).cloned().unwrap_or_default();
            }
        }
        let choices = store.choices(id).await?;
        met = Some(met_among(programme, &rounds, &people, &choices, me));
    }
    let (lines, coverage) = if summary.runs_it {
        let lines = rounds
            .iter()
            .rev()
            .map(|r| RoundLine {
                number: r.number,
                run_on: r.run_on,
                automatic: r.run_by.is_none(),
                summary: r.summary.clone(),
            })
            .collect();
        let coverage = if summary.members >= k as usize {
            Some(coverage_of(store, programme, local_date(None, now)).await?)
        } else {
            None
        };
        (lines, coverage)
    } else {
        (Vec::new(), None)
    };
    Ok(ProgrammeView {
        summary,
        mine,
        met,
        rounds: lines,
        coverage,
    })
}
