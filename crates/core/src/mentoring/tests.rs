//! Mentor matching: scoring, proposals, rounds and visibility.

use super::*;
use std::collections::HashMap;

fn mentee(
    id: i64,
    skills: &[&str],
    must: Option<&str>,
    rank: i64,
    target: Option<i64>,
) -> MenteeEntry {
    MenteeEntry {
        person: PersonName {
            id: PersonId(id),
            name: format!("Mentee{id} Doe"),
        },
        level_rank: Some(rank),
        goals: MenteeGoals {
            skills: skills.iter().map(|s| s.to_string()).collect(),
            must_have: must.map(str::to_string),
            target_level: None,
            note: String::new(),
        },
        target_rank: target,
        target_name: None,
    }
}

fn mentor(id: i64, strengths: &[&str], rank: i64, places: u32) -> MentorEntry {
    MentorEntry {
        person: PersonName {
            id: PersonId(id),
            name: format!("Mentor{id} Roe"),
        },
        level_rank: Some(rank),
        level_name: Some(format!("L{rank}")),
        strengths: strengths.iter().map(|s| s.to_string()).collect(),
        places,
    }
}

#[test]
fn score_adds_skills_seniority_and_distance() {
    let a = mentee(1, &["rust", "sql", "design"], None, 2, Some(4));
    let b = mentor(2, &["rust", "sql"], 4, 1);
    let s = match_score(&a, &b, false).expect("allowed");
    assert_eq!(s.points, 40 + 20 + 20);
    assert_eq!(
        s.explanation,
        "Mentor2 Roe offers rust and sql (2 of Mentee1\u{2019}s 3 goals), is at L4, \
         Mentee1\u{2019}s target level and works outside Mentee1\u{2019}s reporting line."
    );
    let inside = match_score(&a, &b, true).expect("allowed");
    assert_eq!(inside.points, 60);
    assert!(
        inside
            .explanation
            .ends_with("but is in Mentee1\u{2019}s reporting line.")
    );
    // Below the target level: no seniority points.
    let junior = mentor(3, &["design"], 3, 1);
    assert_eq!(
        match_score(&a, &junior, false).map(|s| s.points),
        Some(20 + 20)
    );
    // Without a target, a level above the mentee's own counts.
    let c = mentee(4, &["rust"], None, 2, None);
    assert_eq!(
        match_score(&c, &junior, false),
        None,
        "design is not a goal"
    );
    assert_eq!(match_score(&c, &b, false).map(|s| s.points), Some(100));
}

#[test]
fn filters_rule_pairs_out() {
    let a = mentee(1, &["rust", "sql"], Some("sql"), 2, None);
    assert_eq!(match_score(&a, &mentor(2, &["rust"], 5, 3), false), None);
    assert!(match_score(&a, &mentor(3, &["sql"], 5, 3), false).is_some());
    let me = mentor(1, &["rust", "sql"], 5, 3);
    assert_eq!(
        match_score(&a, &me, false),
        None,
        "nobody mentors themselves"
    );
}

#[test]
fn propose_respects_capacity_filters_and_prefers_outside_the_line() {
    // Mentor 10 manages mentee 1; mentor 11 is elsewhere. Both offer rust.
    let mentees = vec![
        mentee(1, &["rust"], None, 2, None),
        mentee(2, &["rust"], None, 2, None),
        mentee(3, &["go"], Some("go"), 2, None),
    ];
    let mentors = vec![mentor(10, &["rust"], 4, 1), mentor(11, &["rust"], 4, 1)];
    let managers: HashMap<PersonId, PersonId> = [(PersonId(1), PersonId(10))].into();
    let pairs = propose(&mentees, &mentors, &managers, RoundGoal::HighestTotal);
    assert_eq!(pairs[0].mentor, Some(PersonId(11)), "outside the line wins");
    assert_eq!(pairs[1].mentor, Some(PersonId(10)));
    assert_eq!(pairs[0].score + pairs[1].score, 200);
    assert_eq!(pairs[2].mentor, None);
    assert_eq!(
        pairs[2].explanation,
        "No mentor with places left offers go, which Mentee3 must have."
    );
    // Every mentor within capacity.
    for m in &mentors {
        let load = pairs
            .iter()
            .filter(|p| p.mentor == Some(m.person.id))
            .count();
        assert!(load as u32 <= m.places);
    }
}

#[test]
fn the_skill_index_finds_exactly_the_pairs_match_score_allows() {
    let skills = ["rust", "sql", "go", "design", "sales"];
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let pick = |next: &mut dyn FnMut(u64) -> u64, k: usize| -> Vec<&str> {
        // Saved goals and strengths never repeat a skill.
        let mut v: Vec<&str> = (0..k).map(|_| skills[next(5) as usize]).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let mentees: Vec<MenteeEntry> = (0..40)
        .map(|i| {
            let k = 1 + next(3) as usize;
            let goals = pick(&mut next, k);
            let must = (next(3) == 0).then(|| goals[0]);
            let target = (next(2) == 0).then(|| next(6) as i64);
            mentee(i, &goals, must, next(6) as i64, target)
        })
        .collect();
    let mentors: Vec<MentorEntry> = (20..50)
        .map(|i| {
            let k = 1 + next(3) as usize;
            let strengths = pick(&mut next, k);
            mentor(i, &strengths, next(6) as i64, next(3) as u32)
        })
        .collect();
    let inside = |i: usize, j: usize| (i + j).is_multiple_of(4);
    let fast: Vec<(usize, usize, i64)> = {
        let mut v: Vec<_> = allowed_pairs(&mentees, &mentors, &inside)
            .into_iter()
            .map(|p| (p.mentee, p.mentor, p.score))
            .collect();
        v.sort();
        v
    };
    let mut slow = Vec::new();
    for (i, a) in mentees.iter().enumerate() {
        for (j, b) in mentors.iter().enumerate() {
            if b.places > 0
                && let Some(s) = match_score(a, b, inside(i, j))
            {
                slow.push((i, j, s.points));
            }
        }
    }
    assert!(!slow.is_empty());
    assert_eq!(fast, slow);
}

#[test]
fn rounds_never_break_capacity_or_must_have_filters() {
    let skills = ["rust", "sql", "go", "design"];
    let mut seed = 0x0123_4567_89ab_cdefu64;
    let mut next = |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for round in 0..200 {
        let mentees: Vec<MenteeEntry> = (0..(1 + next(12) as i64))
            .map(|i| {
                let a = skills[next(4) as usize];
                let b = skills[next(4) as usize];
                let goals: Vec<&str> = if a == b { vec![a] } else { vec![a, b] };
                let must = (next(2) == 0).then(|| goals[0]);
                mentee(i, &goals, must, next(4) as i64, None)
            })
            .collect();
        let mentors: Vec<MentorEntry> = (100..(101 + next(5) as i64))
            .map(|i| {
                mentor(
                    i,
                    &[skills[next(4) as usize]],
                    next(6) as i64,
                    next(3) as u32,
                )
            })
            .collect();
        let managers: HashMap<PersonId, PersonId> =
            [(PersonId(0), PersonId(100))].into_iter().collect();
        let goal = if round % 2 == 0 {
            RoundGoal::HighestTotal
        } else {
            RoundGoal::MostMatched
        };
        let pairs = propose(&mentees, &mentors, &managers, goal);
        assert_eq!(pairs.len(), mentees.len(), "a line for every mentee");
        for m in &mentors {
            let load = pairs
                .iter()
                .filter(|p| p.mentor == Some(m.person.id))
                .count();
            assert!(load as u32 <= m.places, "round {round}: over capacity");
        }
        for p in &pairs {
            let Some(mentor_id) = p.mentor else { continue };
            let mentee = mentees.iter().find(|m| m.person.id == p.mentee).unwrap();
            let mentor = mentors.iter().find(|m| m.person.id == mentor_id).unwrap();
            if let Some(must) = &mentee.goals.must_have {
                assert!(
                    mentor.strengths.contains(must),
                    "round {round}: must-have broken"
                );
            }
            assert!(
                mentee
                    .goals
                    .skills
                    .iter()
                    .any(|s| mentor.strengths.contains(s))
            );
            assert!(p.score > 0 && !p.explanation.is_empty());
        }
    }
}

#[test]
fn goals_read_as_a_sentence() {
    let g = MenteeGoals {
        skills: vec!["rust".into(), "sql".into()],
        must_have: Some("rust".into()),
        target_level: None,
        note: "Ready by spring.".into(),
    };
    assert_eq!(
        describe_goals(&g, None),
        "Grow rust and sql (must have rust). Ready by spring."
    );
}
