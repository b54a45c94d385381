//! Pairs programmes: the circle round that suits the history best, repaired around
//! absences, exclusions and pairs that already met.

use super::blossom::{FREE, maximum_matching};
use super::{History, Member, OddOne, Plan, Rules, Shuffle, unkey};

/// Up to this many people, the pairs that have not met are matched exactly (a maximum
/// matching); above it, greedily (every person left is tried against everyone left).
const EXACT_MATCHING_UP_TO: usize = 400;
/// How many same-group pairs are looked at to rank the circle rounds for meeting across
/// groups; a department of 10,000 has 50 million, so large groups are sampled.
const SAME_GROUP_BUDGET: u64 = 4_000_000;
/// Above this many people left to pair with someone they met, pairs are formed in order
/// rather than by when they last met.
const OLDEST_FIRST_UP_TO: usize = 2_000;

/// The circle method's seating for `n` members (a bye seat when `n` is odd).
struct Circle {
    n: usize,
    /// Rounds in one cycle (seats − 1); the last seat is `m`.
    m: usize,
}

impl Circle {
    fn new(n: usize) -> Circle {
        let seats = n + n % 2;
        Circle {
            n,
            m: seats.saturating_sub(1),
        }
    }

    /// The circle round in which these two seats meet.
    fn round_of(&self, a: usize, b: usize) -> usize {
        if a == self.m {
            b
        } else if b == self.m {
            a
        } else {
            // (a + b) / 2 mod m; m is odd, so 2 has the inverse (m + 1) / 2.
            ((a + b) as u64 * (self.m as u64 + 1) / 2 % self.m as u64) as usize
        }
    }

    /// Who this seat meets in circle round `r`; `n` or more is the bye seat.
    fn partner(&self, r: usize, i: usize) -> usize {
        if i == self.m {
            r
        } else if i == r {
            self.m
        } else {
            (2 * r + self.m - i) % self.m
        }
    }
}

pub(super) fn plan(members: &[Member], history: &History, rules: &Rules) -> Plan {
    let n = members.len();
    let present: Vec<u32> = (0..n as u32)
        .filter(|&i| members[i as usize].present)
        .collect();
    let mut plan = Plan::default();
    if present.len() < 2 {
        plan.odd = present.clone();
        plan.sit_out = present;
        return plan;
    }
    let circle = Circle::new(n);
    let r = choose_circle_round(&circle, members, history, rules);
    plan.circle_round = Some(r as u32 + 1);
    let odd = (present.len() % 2 == 1).then(|| choose_odd(&circle, r, members, &present, rules));
    let mut active = vec![false; n];
    for &p in &present {
        active[p as usize] = odd != Some(p);
    }
    let active_list: Vec<u32> = present
        .iter()
        .copied()
        .filter(|&p| active[p as usize])
        .collect();
    let has_unmet = unmet_partner_left(&active, active_list.len(), history, rules);
    let mut mate = vec![FREE; n];
    for &i in &active_list {
        let j = circle.partner(r, i as usize);
        if j >= n || (i as usize) > j || !active[j] || !rules.allowed(i, j as u32) {
            continue;
        }
        let j = j as u32;
        if !history.has_met(i, j) || (!has_unmet[i as usize] && !has_unmet[j as usize]) {
            mate[i as usize] = j;
            mate[j as usize] = i;
        }
    }
    match_new_pairs(&active_list, &mut mate, members, history, rules);
    let leftover = pair_oldest_met(&active_list, &mut mate, members, history, rules);
    for &i in &active_list {
        let j = mate[i as usize];
        if j != FREE && i < j {
            plan.groups.push(vec![i, j]);
        }
    }
    for person in odd.into_iter().chain(leftover) {
        plan.odd.push(person);
        let joined = rules.odd_one == OddOne::Trio
            && join_a_pair(&mut plan, person, members, history, rules);
        if !joined {
            plan.sit_out.push(person);
        }
    }
    plan
}

/// The circle round to follow: fewest pairs met (excluded pairs count as met: they never
/// will), then met longest ago, then fewest pairs inside a group, then the first.
fn choose_circle_round(
    circle: &Circle,
    members: &[Member],
    history: &History,
    rules: &Rules,
) -> usize {
    let (n, m) = (circle.n, circle.m);
    if m == 0 {
        return 0;
    }
    let mut met = vec![0u32; m];
    let mut age = vec![0u64; m];
    for (a, b, when) in history.pairs() {
        if (a as usize) < n && (b as usize) < n {
            let r = circle.round_of(a as usize, b as usize);
            met[r] += 1;
            age[r] += when.last as u64;
        }
    }
    for &key in &rules.excluded {
        let (a, b) = unkey(key);
        if (a as usize) < n && (b as usize) < n && !history.has_met(a, b) {
            met[circle.round_of(a as usize, b as usize)] += 1;
        }
    }
    let same = same_group_pairs(circle, members, rules.round);
    (0..m)
        .min_by_key(|&r| (met[r], age[r], same[r], r))
        .unwrap_or(0)
}

/// Per circle round, how many of its pairs share a group (estimated from a sample when
/// there are more than the budget).
fn same_group_pairs(circle: &Circle, members: &[Member], round: u32) -> Vec<u64> {
    let mut same = vec![0u64; circle.m];
    let mut by_group: std::collections::HashMap<u32, Vec<usize>> = Default::default();
    for (i, member) in members.iter().enumerate() {
        if member.group != super::NO_GROUP {
            by_group.entry(member.group).or_default().push(i);
        }
    }
    let pair_count = |s: usize| (s as u64) * (s as u64).saturating_sub(1) / 2;
    let total: u64 = by_group.values().map(|g| pair_count(g.len())).sum();
    let mut shuffle = Shuffle::new(round as u64);
    for group in by_group.values() {
        if total <= SAME_GROUP_BUDGET {
            for (x, &a) in group.iter().enumerate() {
                for &b in &group[x + 1..] {
                    same[circle.round_of(a, b)] += 1;
                }
            }
        } else {
            let samples = pair_count(group.len()) * SAME_GROUP_BUDGET / total;
            for _ in 0..samples {
                let (a, b) = (
                    group[shuffle.below(group.len())],
                    group[shuffle.below(group.len())],
                );
                if a != b {
                    same[circle.round_of(a, b)] += 1;
                }
            }
        }
    }
    same
}

/// The odd one out: not odd (or in the trio) last round, fewest times odd, then (to keep the circle whole)
/// someone whose circle partner is away or the bye seat, then odd longest ago.
fn choose_odd(
    circle: &Circle,
    r: usize,
    members: &[Member],
    present: &[u32],
    rules: &Rules,
) -> u32 {
    let last_round = rules.round.saturating_sub(1);
    // Below seven, three of the group are in the trio and the rest cannot make it up.
    let trio_rule = rules.odd_one == OddOne::Trio && present.len() >= 7;
    *present
        .iter()
        .min_by_key(|&&i| {
            let member = &members[i as usize];
            let partner = circle.partner(r, i as usize);
            let partner_missing = partner >= circle.n || !members[partner].present;
            (
                (trio_rule && member.in_last_trio)
                    || (member.last_odd != 0 && member.last_odd == last_round),
                member.odd_count,
                !partner_missing,
                member.last_odd,
                i,
            )
        })
        .expect("at least one person is present")
}

/// For each active person: is there an active, allowed colleague they have not met?
fn unmet_partner_left(
    active: &[bool],
    active_count: usize,
    history: &History,
    rules: &Rules,
) -> Vec<bool> {
    let mut closed = vec![0usize; active.len()];
    let is_active = |p: u32| active.get(p as usize).copied().unwrap_or(false);
    for (a, b, _) in history.pairs() {
        if is_active(a) && is_active(b) && rules.allowed(a, b) {
            closed[a as usize] += 1;
            closed[b as usize] += 1;
        }
    }
    for &key in &rules.excluded {
        let (a, b) = unkey(key);
        if is_active(a) && is_active(b) {
            closed[a as usize] += 1;
            closed[b as usize] += 1;
        }
    }
    closed
        .iter()
        .enumerate()
        .map(|(i, &c)| active[i] && c + 1 < active_count)
        .collect()
}

/// Pairs as many of the unpaired as possible with someone they have not met: exactly
/// (augmenting the circle pairs) for small groups, greedily otherwise.
fn match_new_pairs(
    active: &[u32],
    mate: &mut [u32],
    members: &[Member],
    history: &History,
    rules: &Rules,
) {
    let new_pair = |a: u32, b: u32| rules.allowed(a, b) && !history.has_met(a, b);
    let unpaired: Vec<u32> = active
        .iter()
        .copied()
        .filter(|&p| mate[p as usize] == FREE)
        .collect();
    if unpaired.is_empty() {
        return;
    }
    let scope: Vec<u32> = if active.len() <= EXACT_MATCHING_UP_TO {
        active.to_vec()
    } else {
        unpaired.clone()
    };
    if scope.len() > EXACT_MATCHING_UP_TO {
        greedy_new_pairs(&unpaired, mate, members, new_pair);
        return;
    }
    let adjacency: Vec<Vec<u32>> = scope
        .iter()
        .map(|&a| {
            (0..scope.len() as u32)
                .filter(|&y| new_pair(a, scope[y as usize]))
                .collect()
        })
        .collect();
    let position: std::collections::HashMap<u32, u32> = scope
        .iter()
        .enumerate()
        .map(|(x, &p)| (p, x as u32))
        .collect();
    let mut local: Vec<u32> = scope
        .iter()
        .map(|&p| match mate[p as usize] {
            FREE => FREE,
            // Kept repeats stay: their people have nobody new left, so no path uses them.
            other => position[&other],
        })
        .collect();
    maximum_matching(&adjacency, &mut local);
    for (x, &y) in local.iter().enumerate() {
        mate[scope[x] as usize] = if y == FREE { FREE } else { scope[y as usize] };
    }
}

/// Each unpaired person in turn takes the first unpaired colleague they have not met from
/// another group, or failing that from any group.
fn greedy_new_pairs(
    unpaired: &[u32],
    mate: &mut [u32],
    members: &[Member],
    new_pair: impl Fn(u32, u32) -> bool,
) {
    for (x, &a) in unpaired.iter().enumerate() {
        if mate[a as usize] != FREE {
            continue;
        }
        let mut fallback = None;
        let mut looked = 0;
        for &b in &unpaired[x + 1..] {
            if mate[b as usize] != FREE || !new_pair(a, b) {
                continue;
            }
            fallback.get_or_insert(b);
            if !same_group(members, a, b) {
                fallback = Some(b);
                break;
            }
            looked += 1;
            if looked > 64 {
                break;
            }
        }
        if let Some(b) = fallback {
            mate[a as usize] = b;
            mate[b as usize] = a;
        }
    }
}

fn same_group(members: &[Member], a: u32, b: u32) -> bool {
    let g = members[a as usize].group;
    g != super::NO_GROUP && g == members[b as usize].group
}

/// Pairs the people still unpaired (nobody new is left for them) with colleagues they met
/// longest ago; returns those who cannot be paired at all (exclusions).
fn pair_oldest_met(
    active: &[u32],
    mate: &mut [u32],
    members: &[Member],
    history: &History,
    rules: &Rules,
) -> Vec<u32> {
    let unpaired: Vec<u32> = active
        .iter()
        .copied()
        .filter(|&p| mate[p as usize] == FREE)
        .collect();
    if unpaired.len() <= OLDEST_FIRST_UP_TO {
        let mut candidates = Vec::new();
        for (x, &a) in unpaired.iter().enumerate() {
            for &b in &unpaired[x + 1..] {
                if rules.allowed(a, b) {
                    let met = history.get(a, b).unwrap_or_default();
                    candidates.push((met.last, met.count, same_group(members, a, b), a, b));
                }
            }
        }
        candidates.sort_unstable();
        for (_, _, _, a, b) in candidates {
            if mate[a as usize] == FREE && mate[b as usize] == FREE {
                mate[a as usize] = b;
                mate[b as usize] = a;
            }
        }
    } else {
        for (x, &a) in unpaired.iter().enumerate() {
            if mate[a as usize] != FREE {
                continue;
            }
            if let Some(&b) = unpaired[x + 1..]
                .iter()
                .find(|&&b| mate[b as usize] == FREE && rules.allowed(a, b))
            {
                mate[a as usize] = b;
                mate[b as usize] = a;
            }
        }
    }
    unpaired
        .into_iter()
        .filter(|&p| mate[p as usize] == FREE)
        .collect()
}

/// Adds the odd one to the pair that suits them best: nobody from last round's trio, most
/// colleagues they have not met, across groups; `false` when no pair may take them.
fn join_a_pair(
    plan: &mut Plan,
    person: u32,
    members: &[Member],
    history: &History,
    rules: &Rules,
) -> bool {
    let in_last_trio = |m: u32| members[m as usize].in_last_trio;
    let best = plan
        .groups
        .iter()
        .enumerate()
        .filter(|(_, g)| g.len() == 2 && g.iter().all(|&m| rules.allowed(person, m)))
        .min_by_key(|(x, g)| {
            let repeat_of_trio = g.iter().any(|&m| in_last_trio(m));
            let met = g.iter().filter(|&&m| history.has_met(person, m)).count();
            let same = g
                .iter()
                .filter(|&&m| same_group(members, person, m))
                .count();
            (repeat_of_trio, met, same, *x)
        })
        .map(|(x, g)| (x, g.iter().any(|&m| in_last_trio(m))));
    let x = match best {
        None => return false,
        Some((x, false)) => x,
        // Every pair holds someone from last round's trio: swap partners between two
        // pairs so that two people who were not in it are together.
        Some((x, true)) => {
            regroup_without_last_trio(plan, person, members, history, rules).unwrap_or(x)
        }
    };
    plan.groups[x].push(person);
    true
}

/// Turns pairs (a, t) and (b, u), where a and b were not in last round's trio, into (a, b)
/// and (t, u), choosing the swap that keeps the most pairs new; the index of (a, b).
fn regroup_without_last_trio(
    plan: &mut Plan,
    person: u32,
    members: &[Member],
    history: &History,
    rules: &Rules,
) -> Option<usize> {
    let fresh = |m: u32| !members[m as usize].in_last_trio;
    // (index, the one not in last trio, the other), for pairs with exactly one such.
    let halves: Vec<(usize, u32, u32)> = plan
        .groups
        .iter()
        .enumerate()
        .take(400)
        .filter(|(_, g)| g.len() == 2 && fresh(g[0]) != fresh(g[1]))
        .map(|(x, g)| {
            if fresh(g[0]) {
                (x, g[0], g[1])
            } else {
                (x, g[1], g[0])
            }
        })
        .filter(|&(_, a, _)| rules.allowed(person, a))
        .collect();
    let mut best: Option<((usize, usize), usize, usize)> = None;
    for (i, &(x, a, t)) in halves.iter().enumerate() {
        for &(y, b, u) in &halves[i + 1..] {
            if !rules.allowed(a, b) || !rules.allowed(t, u) || !rules.allowed(person, b) {
                continue;
            }
            let met = |pairs: &[(u32, u32)]| {
                pairs
                    .iter()
                    .filter(|&&(p, q)| history.has_met(p, q))
                    .count()
            };
            // New pairs the swap gives up first, then pairs that repeat.
            let lost = met(&[(a, b), (t, u)]).saturating_sub(met(&[(a, t), (b, u)]));
            let key = (lost, met(&[(a, b), (t, u), (person, a), (person, b)]));
            if best.is_none_or(|(k, ..)| key < k) {
                best = Some((key, x, y));
            }
        }
    }
    let (_, x, y) = best?;
    let (a, t) = if fresh(plan.groups[x][0]) {
        (plan.groups[x][0], plan.groups[x][1])
    } else {
        (plan.groups[x][1], plan.groups[x][0])
    };
    let (b, u) = if fresh(plan.groups[y][0]) {
        (plan.groups[y][0], plan.groups[y][1])
    } else {
        (plan.groups[y][1], plan.groups[y][0])
    };
    plan.groups[x] = vec![a, b];
    plan.groups[y] = vec![t, u];
    plan.moved.extend([a, b, t, u]);
    Some(x)
}
