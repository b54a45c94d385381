//! A whole mentoring round as `trellis_core::mentoring::propose` runs it: scoring
//! every allowed pair (skill index, reporting lines, seniority), the optimal matching and
//! the sentences for the chosen pairs. 10,000 mentees and 2,000 mentors with three places
//! each by default, in an organisation of 100,000 people.
//! Run: `cargo bench -p trellis-core --bench mentoring [-- MENTEES MENTORS PLACES]`.

use std::collections::HashMap;
use std::time::Instant;
use trellis_core::PersonId;
use trellis_core::ids::PersonName;
use trellis_core::mentoring::{MenteeEntry, MenteeGoals, MentorEntry, RoundGoal, propose};

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const SKILLS: [&str; 30] = [
    "rust",
    "sql",
    "go",
    "python",
    "typescript",
    "kubernetes",
    "security",
    "data analysis",
    "design",
    "research",
    "writing",
    "public speaking",
    "negotiation",
    "sales",
    "finance",
    "forecasting",
    "recruiting",
    "coaching",
    "leadership",
    "product strategy",
    "pricing",
    "accessibility",
    "testing",
    "observability",
    "networking",
    "compliance",
    "support",
    "marketing",
    "copywriting",
    "machine learning",
];

fn skills(rng: &mut Rng, count: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    while out.len() < count {
        let s = SKILLS[rng.below(SKILLS.len() as u64) as usize].to_string();
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let mentees_n = args.first().copied().unwrap_or(10_000);
    let mentors_n = args.get(1).copied().unwrap_or(2_000);
    let places = args.get(2).copied().unwrap_or(3) as u32;
    let people = 100_000usize;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // A reporting forest: each person's manager comes earlier, spans of about seven.
    let managers: HashMap<PersonId, PersonId> = (1..people)
        .map(|i| {
            (
                PersonId(i as i64),
                PersonId(((i - 1) / 7 + rng.below(3) as usize).min(i - 1) as i64),
            )
        })
        .collect();
    let name = |i: usize| PersonName {
        id: PersonId(i as i64),
        name: format!("Person{i} Example"),
    };
    let mentors: Vec<MentorEntry> = (0..mentors_n)
        .map(|k| {
            let id = 1 + k * (people / mentors_n - 1).max(1);
            MentorEntry {
                person: name(id),
                level_rank: Some(3 + rng.below(4) as i64),
                level_name: Some("Senior".into()),
                strengths: skills(&mut rng, 4),
                places,
            }
        })
        .collect();
    let mentees: Vec<MenteeEntry> = (0..mentees_n)
        .map(|k| {
            let id = 2 + k * (people / mentees_n - 1).max(1);
            let count = 2 + rng.below(2) as usize;
            let goals = skills(&mut rng, count);
            MenteeEntry {
                person: name(id),
                level_rank: Some(1 + rng.below(3) as i64),
                goals: MenteeGoals {
                    must_have: (rng.below(3) == 0).then(|| goals[0].clone()),
                    skills: goals,
                    target_level: None,
                    note: String::new(),
                },
                target_rank: (rng.below(2) == 0).then(|| 3 + rng.below(3) as i64),
                target_name: None,
            }
        })
        .collect();
    println!(
        "mentoring round: {mentees_n} mentees, {mentors_n} mentors with {places} places, {people} people"
    );
    for goal in [RoundGoal::HighestTotal, RoundGoal::MostMatched] {
        let started = Instant::now();
        let pairs = propose(&mentees, &mentors, &managers, goal);
        let seconds = started.elapsed().as_secs_f64();
        let matched: Vec<_> = pairs.iter().filter(|p| p.mentor.is_some()).collect();
        let total: i64 = matched.iter().map(|p| p.score).sum();
        println!(
            "{}: matched {} total score {total} seconds {seconds:.3}",
            goal.label(),
            matched.len()
        );
    }
}
