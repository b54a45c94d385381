//! Times [`trellis_insight::connections::plan_round`] on a generated programme: teams of
//! eight to meet across, one person in twenty away each round, one private exclusion per
//! hundred people, and a history of earlier rounds planned the same way.
//! Usage: `connections-bench [PEOPLE] [EARLIER_ROUNDS] [GROUP_SIZE] [SEED]`
//! (default 10000 10 2 7).

use std::collections::HashSet;
use std::time::Instant;
use trellis_insight::connections::{
    History, Member, OddOne, Rules, pair_key, plan_round, record_round,
};

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn main() {
    let arg = |i: usize, default: u64| -> u64 {
        std::env::args()
            .nth(i)
            .map(|a| a.parse().expect("arguments are numbers"))
            .unwrap_or(default)
    };
    let (people, earlier, group_size, seed) = (
        arg(1, 10_000) as usize,
        arg(2, 10) as u32,
        arg(3, 2) as usize,
        arg(4, 7),
    );
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut members: Vec<Member> = (0..people)
        .map(|i| Member::new((i / 8) as u32, true))
        .collect();
    let excluded: HashSet<u64> = (0..people / 100)
        .map(|_| {
            pair_key(
                rng.below(people as u64) as u32,
                rng.below(people as u64) as u32,
            )
        })
        .collect();
    let mut history = History::default();
    let mut slowest = 0f64;
    for round in 1..=earlier + 1 {
        for member in members.iter_mut() {
            member.present = rng.below(20) != 0;
        }
        let rules = Rules {
            round,
            group_size,
            odd_one: OddOne::Trio,
            excluded: excluded.clone(),
        };
        let started = Instant::now();
        let plan = plan_round(&members, &history, &rules);
        let seconds = started.elapsed().as_secs_f64();
        slowest = slowest.max(seconds);
        println!(
            "round {round}: {people} people, {} groups, {} new pairs, {} repeats, {} sit out, planned in {:.3} s",
            plan.groups.len(),
            plan.new_pairs,
            plan.repeats,
            plan.sit_out.len(),
            seconds
        );
        record_round(&mut members, &mut history, &plan, round);
    }
    println!("slowest round: {slowest:.3} s");
}
