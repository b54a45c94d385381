//! What the next rounds of a programme would do, without saving them: one line per round
//! with its groups, new pairs, repeats and the coverage after it.

use super::{PreferAcross, Shape, check_enough_people};
use crate::access::Viewer;
use crate::error::{CoreError, CoreResult};
use crate::org::PersonStatus;
use crate::org::import::ExistingPerson;
use crate::org::store::ImportStore;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use trellis_insight::connections::{
    History, Member, NO_GROUP, Rules, coverage, plan_round, record_round,
};

/// The most rounds a preview simulates.
pub const MOST_ROUNDS: u32 = 1_000;

/// One simulated round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewRound {
    pub round: u32,
    pub groups: usize,
    pub new_pairs: usize,
    pub repeats: usize,
    /// Pairs met ÷ allowed pairs after this round.
    pub coverage: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Preview {
    /// Who the programme is, in words.
    pub audience: String,
    pub people: usize,
    pub rounds: Vec<PreviewRound>,
    /// The first previewed round after which every allowed pair has met.
    pub full_coverage_round: Option<u32>,
}

/// The next `rounds` rounds of a new programme of everyone active in this department, with
/// nobody away and no exclusions (a new programme has none yet).
pub async fn preview_department(
    store: &dyn ImportStore,
    viewer: &Viewer,
    department: &str,
    rounds: u32,
    shape: Shape,
) -> CoreResult<Preview> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "preview connection rounds; people admins do".into(),
        ));
    }
    check_rounds(rounds)?;
    super::check_group_size(shape.group_size as i64)?;
    let wanted = department.trim();
    let mut people: Vec<ExistingPerson> = store
        .org_people()
        .await?
        .into_iter()
        .filter(|p| {
            p.record.status == PersonStatus::Active
                && crate::influence::department_of(&p.record)
                    .is_some_and(|d| d.trim().eq_ignore_ascii_case(wanted))
        })
        .collect();
    if people.is_empty() {
        return Err(CoreError::field(
            "department",
            format!("no active people are in a department called \"{wanted}\""),
        ));
    }
    check_enough_people(people.len(), &format!("department \"{wanted}\""))?;
    people.sort_by_key(|p| p.id);
    let groups = groups_to_meet_across(&people, shape.prefer_across);
    let members: Vec<Member> = groups.iter().map(|&g| Member::new(g, true)).collect();
    let mut preview = simulate(
        members,
        History::default(),
        &HashSet::new(),
        0,
        rounds,
        shape,
    );
    preview.audience = format!("department {wanted}");
    Ok(preview)
}

pub(super) fn check_rounds(rounds: u32) -> CoreResult<()> {
    if rounds == 0 || rounds > MOST_ROUNDS {
        return Err(CoreError::field(
            "rounds",
            format!("preview 1 to {MOST_ROUNDS} rounds, not {rounds}"),
        ));
    }
    Ok(())
}

/// Each person's group for the meet-across preference, numbered in order of appearance.
pub fn groups_to_meet_across(people: &[ExistingPerson], across: PreferAcross) -> Vec<u32> {
    let mut numbers: HashMap<String, u32> = HashMap::new();
    people
        .iter()
        .map(|p| {
            let key = match across {
                PreferAcross::Nothing => None,
                PreferAcross::Team => p.record.team.as_deref(),
                PreferAcross::Department => crate::influence::department_of(&p.record),
                PreferAcross::Location => p.record.location.as_deref(),
            };
            match key {
                None => NO_GROUP,
                Some(k) => {
                    let next = numbers.len() as u32;
                    *numbers.entry(k.to_lowercase()).or_insert(next)
                }
            }
        })
        .collect()
}

/// Plans and records `rounds` rounds after `done` ones on a copy of the history.
pub fn simulate(
    mut members: Vec<Member>,
    mut history: History,
    excluded: &HashSet<u64>,
    done: u32,
    rounds: u32,
    shape: Shape,
) -> Preview {
    let counted = vec![true; members.len()];
    let mut lines = Vec::with_capacity(rounds as usize);
    let mut full_coverage_round = None;
    for round in done + 1..=done + rounds {
        let rules = Rules {
            round,
            group_size: shape.group_size,
            odd_one: shape.odd_one,
            excluded: excluded.clone(),
        };
        let plan = plan_round(&members, &history, &rules);
        record_round(&mut members, &mut history, &plan, round);
        let covered = coverage(&counted, &history, excluded).unwrap_or(1.0);
        if covered >= 1.0 && full_coverage_round.is_none() {
            full_coverage_round = Some(round);
        }
        lines.push(PreviewRound {
            round,
            groups: plan.groups.len(),
            new_pairs: plan.new_pairs,
            repeats: plan.repeats,
            coverage: covered,
        });
    }
    Preview {
        audience: String::new(),
        people: members.len(),
        rounds: lines,
        full_coverage_round,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connect::format_coverage;

    fn preview(n: usize, rounds: u32) -> Preview {
        let members = vec![Member::new(NO_GROUP, true); n];
        simulate(
            members,
            History::default(),
            &HashSet::new(),
            0,
            rounds,
            Shape::pairs(),
        )
    }

    #[test]
    fn fifty_people_meet_everyone_in_49_rounds_and_51_in_51() {
        let fifty = preview(50, 49);
        assert!(
            fifty
                .rounds
                .iter()
                .all(|r| r.repeats == 0 && r.groups == 25)
        );
        assert_eq!(fifty.rounds.last().unwrap().coverage, 1.0);
        assert!(fifty.rounds[47].coverage < 1.0);
        assert_eq!(fifty.full_coverage_round, Some(49));
        let fifty_one = preview(51, 51);
        assert!(fifty_one.full_coverage_round.is_some_and(|r| r <= 51));
        assert_eq!(format_coverage(fifty.rounds[48].coverage), "1.0");
        assert_eq!(format_coverage(fifty.rounds[0].coverage), "0.0204");
    }
}
