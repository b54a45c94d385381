//! Scoring a mentee–mentor pair and proposing the best matching of a round.

use crate::ids::PersonId;
use serde::Serialize;
use std::collections::HashMap;
use trellis_insight::matching::{Goal, Pair, best_matching};

use super::*;

/// A pair's score and the sentence that explains it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchScore {
    pub points: i64,
    pub explanation: String,
}

pub(super) fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Scores a mentee–mentor pair; `None` when a filter rules it out (the same person, the
/// must-have skill not offered, or none of the goals offered). `inside_line`: one of them
/// is in the other's manager chain.
pub fn match_score(
    mentee: &MenteeEntry,
    mentor: &MentorEntry,
    inside_line: bool,
) -> Option<MatchScore> {
    if mentee.person.id == mentor.person.id {
        return None;
    }
    if let Some(m) = &mentee.goals.must_have
        && !mentor.strengths.contains(m)
    {
        return None;
    }
    let covered: Vec<String> = mentee
        .goals
        .skills
        .iter()
        .filter(|s| mentor.strengths.contains(s))
        .cloned()
        .collect();
    if covered.is_empty() {
        return None;
    }
    let goals = mentee.goals.skills.len().max(1) as i64;
    let skill_points = (SKILL_POINTS * covered.len() as i64 + goals / 2) / goals;
    let senior = senior(mentee, mentor);
    let points = skill_points
        + if senior { SENIORITY_POINTS } else { 0 }
        + if inside_line { 0 } else { OUTSIDE_LINE_POINTS };
    let mentee_name = first_name(&mentee.person.name);
    let mut sentence = format!(
        "{} offers {} ({} of {mentee_name}\u{2019}s {} goal{})",
        mentor.person.name,
        list(&covered),
        covered.len(),
        goals,
        if goals == 1 { "" } else { "s" }
    );
    if senior {
        let level = mentor.level_name.clone().unwrap_or_default();
        if mentee.target_rank.is_some() {
            sentence.push_str(&format!(
                ", is at {level}, {mentee_name}\u{2019}s target level"
            ));
        } else {
            sentence.push_str(&format!(", is a level above at {level}"));
        }
    }
    if inside_line {
        sentence.push_str(&format!(
            ", but is in {mentee_name}\u{2019}s reporting line."
        ));
    } else {
        sentence.push_str(&format!(
            " and works outside {mentee_name}\u{2019}s reporting line."
        ));
    }
    Some(MatchScore {
        points,
        explanation: sentence,
    })
}

pub(super) fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

pub(super) fn chain_of(person: PersonId, managers: &HashMap<PersonId, PersonId>) -> Vec<PersonId> {
    let mut chain = Vec::new();
    let mut at = person;
    while let Some(&m) = managers.get(&at) {
        if chain.contains(&m) || chain.len() > 64 {
            break; // reporting lines are a forest; this only guards bad data
        }
        chain.push(m);
        at = m;
    }
    chain
}

/// Scores every allowed pair and finds the best matching (pure; the round's heart).
pub fn propose(
    mentees: &[MenteeEntry],
    mentors: &[MentorEntry],
    managers: &HashMap<PersonId, PersonId>,
    goal: RoundGoal,
) -> Vec<NewRoundPair> {
    let mentee_chains: Vec<Vec<PersonId>> = mentees
        .iter()
        .map(|m| chain_of(m.person.id, managers))
        .collect();
    let mentor_chains: Vec<Vec<PersonId>> = mentors
        .iter()
        .map(|m| chain_of(m.person.id, managers))
        .collect();
    let inside = |i: usize, j: usize| {
        mentee_chains[i].contains(&mentors[j].person.id)
            || mentor_chains[j].contains(&mentees[i].person.id)
    };
    let pairs = allowed_pairs(mentees, mentors, &inside);
    let capacities: Vec<u32> = mentors.iter().map(|m| m.places).collect();
    let goal = match goal {
        RoundGoal::HighestTotal => Goal::HighestTotal,
        RoundGoal::MostMatched => Goal::MostMatched,
    };
    let matching = best_matching(mentees.len(), &capacities, &pairs, goal);
    let mut allowed = vec![0usize; mentees.len()];
    for p in &pairs {
        allowed[p.mentee] += 1;
    }
    drop(pairs);
    mentees
        .iter()
        .enumerate()
        .map(|(i, mentee)| {
            // Sentences only for the chosen pairs: a large round allows millions.
            let chosen = matching.mentor_of[i]
                .and_then(|j| match_score(mentee, &mentors[j], inside(i, j)).map(|s| (j, s)));
            match chosen {
                Some((j, s)) => NewRoundPair {
                    mentee: mentee.person.id,
                    mentor: Some(mentors[j].person.id),
                    score: s.points,
                    explanation: s.explanation,
                    goals: describe_goals(&mentee.goals, mentee.target_name.as_deref()),
                },
                None => NewRoundPair {
                    mentee: mentee.person.id,
                    mentor: None,
                    score: 0,
                    explanation: unmatched_reason(mentee, allowed[i]),
                    goals: describe_goals(&mentee.goals, mentee.target_name.as_deref()),
                },
            }
        })
        .collect()
}

/// Every pair [`match_score`] allows, with its points, found through an index of who
/// offers which skill instead of trying every mentee with every mentor.
pub(super) fn allowed_pairs(
    mentees: &[MenteeEntry],
    mentors: &[MentorEntry],
    inside: &dyn Fn(usize, usize) -> bool,
) -> Vec<Pair> {
    let mut skill_index: HashMap<&str, usize> = HashMap::new();
    let mut offering: Vec<Vec<u32>> = Vec::new();
    for (j, m) in mentors.iter().enumerate() {
        if m.places == 0 {
            continue;
        }
        for s in &m.strengths {
            let next = skill_index.len();
            let k = *skill_index.entry(s.as_str()).or_insert(next);
            if k == offering.len() {
                offering.push(Vec::new());
            }
            if offering[k].last() != Some(&(j as u32)) {
                offering[k].push(j as u32);
            }
        }
    }
    let mut covered = vec![0u32; mentors.len()];
    let mut has_must = vec![false; mentors.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut pairs = Vec::new();
    for (i, mentee) in mentees.iter().enumerate() {
        let must = match &mentee.goals.must_have {
            Some(m) => match skill_index.get(m.as_str()) {
                Some(&k) => Some(k),
                None => continue, // nobody offers it
            },
            None => None,
        };
        let mut goals: Vec<usize> = mentee
            .goals
            .skills
            .iter()
            .filter_map(|s| skill_index.get(s.as_str()).copied())
            .collect();
        goals.sort_unstable();
        goals.dedup();
        for &k in &goals {
            for &j in &offering[k] {
                if covered[j as usize] == 0 {
                    touched.push(j);
                }
                covered[j as usize] += 1;
            }
        }
        if let Some(k) = must {
            for &j in &offering[k] {
                has_must[j as usize] = true;
            }
        }
        let count = mentee.goals.skills.len().max(1) as i64;
        for &j in &touched {
            let j = j as usize;
            let mentor = &mentors[j];
            if mentor.person.id != mentee.person.id && (must.is_none() || has_must[j]) {
                let skill_points = (SKILL_POINTS * i64::from(covered[j]) + count / 2) / count;
                let points = skill_points
                    + if senior(mentee, mentor) {
                        SENIORITY_POINTS
                    } else {
                        0
                    }
                    + if inside(i, j) { 0 } else { OUTSIDE_LINE_POINTS };
                pairs.push(Pair {
                    mentee: i,
                    mentor: j,
                    score: points,
                });
            }
            covered[j] = 0;
        }
        touched.clear();
        if let Some(k) = must {
            for &j in &offering[k] {
                has_must[j as usize] = false;
            }
        }
    }
    pairs
}

/// The mentor is at the mentee's target level, or above the mentee's own without one.
pub(super) fn senior(mentee: &MenteeEntry, mentor: &MentorEntry) -> bool {
    match (mentee.target_rank, mentee.level_rank, mentor.level_rank) {
        (Some(target), _, Some(m)) => m >= target,
        (None, Some(own), Some(m)) => m > own,
        _ => false,
    }
}

pub(super) fn unmatched_reason(mentee: &MenteeEntry, allowed: usize) -> String {
    let name = first_name(&mentee.person.name);
    if allowed == 0 {
        match &mentee.goals.must_have {
            Some(m) => format!("No mentor with places left offers {m}, which {name} must have."),
            None => format!(
                "No mentor with places left offers {}.",
                list(&mentee.goals.skills).replace(" and ", " or ")
            ),
        }
    } else {
        format!(
            "The {allowed} mentor{} who could take {name} are full with pairs that score more overall.",
            if allowed == 1 { "" } else { "s" }
        )
    }
}
