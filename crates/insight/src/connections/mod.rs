//! Connection rounds: who meets whom this round, so that over the rounds everyone meets
//! everyone else.
//!
//! In a group of *n* (even) everyone can meet everyone in *n − 1* rounds without a repeat:
//! the circle method seats people 0..n−1, and round *r* pairs seat *n − 1* with seat *r* and
//! seats *i*, *j* with *i + j ≡ 2r (mod n − 1)*. Every pair belongs to exactly one circle
//! round, so the planner picks, each round, the circle round whose pairs met least (then
//! longest ago, then the one with the fewest pairs inside a team when meeting across is
//! preferred), keeps its pairs that are present, allowed and new, and repairs the rest
//! with a maximum matching on the pairs that have not met. An odd count gets a bye seat;
//! the odd one out, chosen in fair rotation, joins a pair (a trio) or sits out.
//!
//! Plain data in, plain data out: people are indices into the member list, which the
//! caller keeps in a stable order (by person id) from round to round.

mod blossom;
mod pairs;
mod trios;

use std::collections::{HashMap, HashSet};

/// A member's group for the meet-across preference, or none.
pub const NO_GROUP: u32 = u32::MAX;

/// What happens to the odd one out in a pairs programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OddOne {
    /// They join a pair.
    Trio,
    /// They sit this round out.
    SitOut,
}

/// One member of a programme, as this round sees them.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    /// The team, department or location to meet across; [`NO_GROUP`] for none.
    pub group: u32,
    /// Takes part this round: not opted out, snoozed or away.
    pub present: bool,
    /// Rounds in which they were the odd one (joined a trio, sat out, or — in a trios
    /// programme — were put in a pair).
    pub odd_count: u32,
    /// The last such round; 0 for never.
    pub last_odd: u32,
    /// Was in the trio of a pairs programme last round.
    pub in_last_trio: bool,
}

impl Member {
    pub fn new(group: u32, present: bool) -> Member {
        Member {
            group,
            present,
            odd_count: 0,
            last_odd: 0,
            in_last_trio: false,
        }
    }
}

/// When a pair last met and how often.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Met {
    pub count: u32,
    pub last: u32,
}

/// The pairs that have met, by member index.
#[derive(Debug, Clone, Default)]
pub struct History {
    met: HashMap<u64, Met>,
}

/// The key of an unordered pair.
pub fn pair_key(a: u32, b: u32) -> u64 {
    let (low, high) = if a < b { (a, b) } else { (b, a) };
    ((low as u64) << 32) | high as u64
}

fn unkey(key: u64) -> (u32, u32) {
    ((key >> 32) as u32, key as u32)
}

impl History {
    pub fn record(&mut self, a: u32, b: u32, round: u32) {
        let met = self.met.entry(pair_key(a, b)).or_default();
        met.count += 1;
        met.last = met.last.max(round);
    }

    pub fn get(&self, a: u32, b: u32) -> Option<Met> {
        self.met.get(&pair_key(a, b)).copied()
    }

    pub fn has_met(&self, a: u32, b: u32) -> bool {
        self.met.contains_key(&pair_key(a, b))
    }

    /// Every pair that has met, in no particular order.
    pub fn pairs(&self) -> impl Iterator<Item = (u32, u32, Met)> + '_ {
        self.met.iter().map(|(&k, &m)| {
            let (a, b) = unkey(k);
            (a, b, m)
        })
    }

    pub fn len(&self) -> usize {
        self.met.len()
    }

    pub fn is_empty(&self) -> bool {
        self.met.is_empty()
    }
}

/// How this programme's rounds run.
#[derive(Debug, Clone)]
pub struct Rules {
    /// This round's number, from 1.
    pub round: u32,
    /// 2 for pairs, 3 for trios.
    pub group_size: usize,
    pub odd_one: OddOne,
    /// Pairs never to be grouped (private exclusions), by [`pair_key`].
    pub excluded: HashSet<u64>,
}

impl Rules {
    pub fn allowed(&self, a: u32, b: u32) -> bool {
        a != b && !self.excluded.contains(&pair_key(a, b))
    }
}

/// What a round does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// Pairs and trios, by member index.
    pub groups: Vec<Vec<u32>>,
    /// Present members who are not in a group this round.
    pub sit_out: Vec<u32>,
    /// The odd ones this round: joined a trio or sat out (pairs), or put in a pair (trios).
    pub odd: Vec<u32>,
    /// People re-paired so that nobody is in the trio twice in a row.
    pub moved: Vec<u32>,
    /// The circle round the pairs follow, when it is a pairs programme.
    pub circle_round: Option<u32>,
    /// Pairs inside the groups that had never met.
    pub new_pairs: usize,
    /// Pairs inside the groups that had met before.
    pub repeats: usize,
}

/// Plans one round for these members.
pub fn plan_round(members: &[Member], history: &History, rules: &Rules) -> Plan {
    let mut plan = if rules.group_size == 3 {
        trios::plan(members, history, rules)
    } else {
        pairs::plan(members, history, rules)
    };
    for group in &plan.groups {
        for (i, &a) in group.iter().enumerate() {
            for &b in &group[i + 1..] {
                if history.has_met(a, b) {
                    plan.repeats += 1;
                } else {
                    plan.new_pairs += 1;
                }
            }
        }
    }
    plan
}

/// Records a planned round: its pairs met, its odd ones counted.
pub fn record_round(members: &mut [Member], history: &mut History, plan: &Plan, round: u32) {
    for group in &plan.groups {
        for (i, &a) in group.iter().enumerate() {
            for &b in &group[i + 1..] {
                history.record(a, b, round);
            }
        }
    }
    for member in members.iter_mut() {
        member.in_last_trio = false;
    }
    for group in plan.groups.iter().filter(|g| g.len() == 3) {
        if group.iter().any(|m| plan.odd.contains(m)) {
            for &m in group {
                members[m as usize].in_last_trio = true;
            }
        }
    }
    for &m in &plan.odd {
        members[m as usize].odd_count += 1;
        members[m as usize].last_odd = round;
    }
}

/// Connection coverage (PRODUCT.md): pairs who have met ÷ all pairs, leaving out the
/// members who are not `counted` (opted out) and the excluded pairs. `None` with no pairs.
pub fn coverage(counted: &[bool], history: &History, excluded: &HashSet<u64>) -> Option<f64> {
    let n = counted.iter().filter(|&&c| c).count() as u64;
    let excluded_counted = excluded
        .iter()
        .map(|&k| unkey(k))
        .filter(|&(a, b)| is_counted(counted, a) && is_counted(counted, b))
        .count() as u64;
    let all = (n * n.saturating_sub(1) / 2).saturating_sub(excluded_counted);
    if all == 0 {
        return None;
    }
    let met = history
        .pairs()
        .filter(|&(a, b, _)| {
            is_counted(counted, a) && is_counted(counted, b) && !excluded.contains(&pair_key(a, b))
        })
        .count() as u64;
    Some(met as f64 / all as f64)
}

fn is_counted(counted: &[bool], m: u32) -> bool {
    counted.get(m as usize).copied().unwrap_or(false)
}

/// A small deterministic generator, so a round planned twice is planned the same.
pub(crate) struct Shuffle(u64);

impl Shuffle {
    pub(crate) fn new(seed: u64) -> Shuffle {
        Shuffle(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests;
