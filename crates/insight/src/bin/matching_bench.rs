//! Times [`trellis_insight::matching::best_matching`] on a generated mentoring round shaped
//! like Trellis's own: mentees with two or three goal skills (a third of them with a
//! must-have skill), mentors with four strengths, 30 skills in all; a pair is allowed when
//! the mentor offers one of the goals (and the must-have one), and scores 60 points for the
//! share of goals covered, 20 for seniority and 20 for being outside the reporting line.
//! Usage: `matching-bench [MENTEES] [MENTORS] [CAPACITY] [SEED]` (default 10000 2000 3 7).

use std::time::Instant;
use trellis_insight::matching::{Goal, Pair, best_matching};

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn distinct(rng: &mut Rng, count: usize, of: u64) -> Vec<u64> {
    let mut picked = Vec::with_capacity(count);
    while picked.len() < count {
        let s = rng.below(of);
        if !picked.contains(&s) {
            picked.push(s);
        }
    }
    picked
}

fn main() {
    let arg = |i: usize, default: u64| -> u64 {
        std::env::args()
            .nth(i)
            .map(|a| a.parse().expect("arguments are numbers"))
            .unwrap_or(default)
    };
    let (mentees, mentors, capacity, seed) = (
        arg(1, 10_000) as usize,
        arg(2, 2_000) as usize,
        arg(3, 3) as u32,
        arg(4, 7),
    );
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    const SKILLS: u64 = 30;
    let started = Instant::now();
    let strengths: Vec<Vec<u64>> = (0..mentors)
        .map(|_| distinct(&mut rng, 4, SKILLS))
        .collect();
    let mentor_level: Vec<u64> = (0..mentors).map(|_| 3 + rng.below(4)).collect();
    let mentor_team: Vec<u64> = (0..mentors).map(|_| rng.below(400)).collect();
    let mut pairs = Vec::new();
    for mentee in 0..mentees {
        let count = 2 + rng.below(2) as usize;
        let goals = distinct(&mut rng, count, SKILLS);
        let must = (rng.below(3) == 0).then(|| goals[0]);
        let target = 2 + rng.below(4);
        let team = rng.below(400);
        for (mentor, offered) in strengths.iter().enumerate() {
            if must.is_some_and(|m| !offered.contains(&m)) {
                continue;
            }
            let covered = goals.iter().filter(|g| offered.contains(g)).count();
            if covered == 0 {
                continue;
            }
            let score = (60 * covered / goals.len()) as i64
                + if mentor_level[mentor] >= target {
                    20
                } else {
                    0
                }
                + if mentor_team[mentor] != team { 20 } else { 0 };
            pairs.push(Pair {
                mentee,
                mentor,
                score,
            });
        }
    }
    let scoring = started.elapsed().as_secs_f64();
    let capacities = vec![capacity; mentors];
    println!(
        "mentees {mentees} mentors {mentors} capacity {capacity} allowed pairs {} scoring {scoring:.3} s",
        pairs.len()
    );
    for goal in [Goal::HighestTotal, Goal::MostMatched] {
        let started = Instant::now();
        let m = best_matching(mentees, &capacities, &pairs, goal);
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{goal:?}: matched {} total {} seconds {seconds:.3}",
            m.matched, m.total
        );
    }
}
