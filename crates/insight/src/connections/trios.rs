//! Trios programmes: groups of three that meet as many new colleagues as the group allows
//! (a repeat-free trio schedule exists only for some sizes), with the one or two pairs an
//! uneven count needs rotating fairly.

use super::{History, Member, Plan, Rules, Shuffle};

/// Colleagues ahead in the order that a person is compared with when forming a trio.
const WINDOW: usize = 48;
/// Up to this many people, several orders are tried and the trios improved by swaps.
const SEARCH_UP_TO: usize = 300;
const ORDERS_TRIED: u64 = 8;

pub(super) fn plan(members: &[Member], history: &History, rules: &Rules) -> Plan {
    let mut present: Vec<u32> = (0..members.len() as u32)
        .filter(|&i| members[i as usize].present)
        .collect();
    let mut plan = Plan::default();
    let pairs_needed = match present.len() {
        0 | 1 => 0,
        2 => 1,
        n => [0, 2, 1][n % 3],
    };
    // The pairs go to those who were in one least often and not last round.
    let last_round = rules.round.saturating_sub(1);
    let spread = members.len().max(1) as u64;
    present.sort_by_key(|&i| {
        let m = &members[i as usize];
        (
            m.odd_count,
            m.last_odd != 0 && m.last_odd == last_round,
            m.last_odd,
            (i as u64 + rules.round as u64 * 7919) % spread,
        )
    });
    let paired = choose_paired(&present, 2 * pairs_needed, members, history, rules);
    let rest: Vec<u32> = present
        .iter()
        .copied()
        .filter(|p| !paired.contains(p))
        .collect();
    let mut leftover = Vec::new();
    for pair in best_pairs(&paired, history, rules) {
        match pair {
            Ok(pair) => plan.groups.push(pair),
            Err(person) => leftover.push(person),
        }
    }
    plan.odd = paired
        .iter()
        .copied()
        .filter(|p| !leftover.contains(p))
        .collect();
    let (trios, unplaced) = best_trios(&rest, members, history, rules);
    plan.groups.extend(trios);
    leftover.extend(unplaced);
    // Someone nobody may be grouped with sits out; so does a lone person.
    plan.odd.extend(leftover.iter().copied());
    plan.sit_out = leftover;
    plan
}

/// Who is put in the pairs: those next in the fair order, but among the people equally
/// due, the choice whose pairs are new.
fn choose_paired(
    order: &[u32],
    count: usize,
    members: &[Member],
    history: &History,
    rules: &Rules,
) -> Vec<u32> {
    if count == 0 || order.len() < count {
        return Vec::new();
    }
    let due = |i: u32| {
        let m = &members[i as usize];
        (
            m.odd_count,
            m.last_odd != 0 && m.last_odd + 1 == rules.round,
        )
    };
    let pool: Vec<u32> = order
        .iter()
        .copied()
        .take_while(|&p| due(p) == due(order[count - 1]))
        .take(8)
        .collect();
    let fixed: Vec<u32> = order[..count]
        .iter()
        .copied()
        .filter(|&p| due(p) < due(order[count - 1]))
        .collect();
    let pool: Vec<u32> = pool.into_iter().filter(|p| !fixed.contains(p)).collect();
    let wanted = count - fixed.len();
    let mut best: Option<((usize, usize), Vec<u32>)> = None;
    for chosen in combinations(&pool, wanted) {
        let people: Vec<u32> = fixed.iter().copied().chain(chosen).collect();
        let pairs = best_pairs(&people, history, rules);
        let placed = pairs.iter().filter(|p| p.is_ok()).count();
        let new = pairs
            .iter()
            .filter_map(|p| p.as_ref().ok())
            .filter(|p| !history.has_met(p[0], p[1]))
            .count();
        if best
            .as_ref()
            .is_none_or(|(score, _)| (placed, new) > *score)
        {
            best = Some(((placed, new), people));
        }
    }
    best.map(|(_, people)| people)
        .unwrap_or_else(|| order[..count].to_vec())
}

fn combinations(pool: &[u32], k: usize) -> Vec<Vec<u32>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    if pool.len() < k {
        return Vec::new();
    }
    let mut with_first: Vec<Vec<u32>> = combinations(&pool[1..], k - 1)
        .into_iter()
        .map(|mut rest| {
            rest.insert(0, pool[0]);
            rest
        })
        .collect();
    with_first.extend(combinations(&pool[1..], k));
    with_first
}

/// The pairing of two or four people with the most new pairs; people who cannot be paired
/// come back as `Err`.
fn best_pairs(people: &[u32], history: &History, rules: &Rules) -> Vec<Result<Vec<u32>, u32>> {
    let options: Vec<Vec<(u32, u32)>> = match people {
        [a, b] => vec![vec![(*a, *b)]],
        [a, b, c, d] => vec![
            vec![(*a, *b), (*c, *d)],
            vec![(*a, *c), (*b, *d)],
            vec![(*a, *d), (*b, *c)],
        ],
        _ => vec![],
    };
    let score = |option: &Vec<(u32, u32)>| {
        let allowed = option.iter().filter(|&&(a, b)| rules.allowed(a, b)).count();
        let new = option
            .iter()
            .filter(|&&(a, b)| rules.allowed(a, b) && !history.has_met(a, b))
            .count();
        (allowed, new)
    };
    let Some(best) = options.iter().max_by_key(|o| score(o)) else {
        return people.iter().map(|&p| Err(p)).collect();
    };
    best.iter()
        .flat_map(|&(a, b)| {
            if rules.allowed(a, b) {
                vec![Ok(vec![a, b])]
            } else {
                vec![Err(a), Err(b)]
            }
        })
        .collect()
}

fn new_pairs_in(group: &[u32], history: &History) -> usize {
    let mut count = 0;
    for (i, &a) in group.iter().enumerate() {
        for &b in &group[i + 1..] {
            count += usize::from(!history.has_met(a, b));
        }
    }
    count
}

/// Trios over these people (a multiple of three): the best of several orders for small
/// groups, one for large; those who cannot be placed are returned apart.
fn best_trios(
    people: &[u32],
    members: &[Member],
    history: &History,
    rules: &Rules,
) -> (Vec<Vec<u32>>, Vec<u32>) {
    let attempts = if people.len() <= SEARCH_UP_TO {
        ORDERS_TRIED
    } else {
        1
    };
    type Scored = ((usize, usize), Vec<Vec<u32>>, Vec<u32>);
    let mut best: Option<Scored> = None;
    for attempt in 0..attempts {
        let mut order = people.to_vec();
        Shuffle::new(rules.round as u64 * 31 + attempt).shuffle(&mut order);
        let (mut trios, unplaced) = greedy_trios(&order, members, history, rules);
        if people.len() <= SEARCH_UP_TO {
            improve_by_swaps(&mut trios, history, rules);
        }
        let score = (
            usize::MAX - unplaced.len(),
            trios
                .iter()
                .map(|t| new_pairs_in(t, history))
                .sum::<usize>(),
        );
        if best.as_ref().is_none_or(|(s, ..)| score > *s) {
            best = Some((score, trios, unplaced));
        }
    }
    best.map(|(_, t, u)| (t, u)).unwrap_or_default()
}

fn greedy_trios(
    order: &[u32],
    members: &[Member],
    history: &History,
    rules: &Rules,
) -> (Vec<Vec<u32>>, Vec<u32>) {
    let mut placed = vec![false; order.len()];
    let mut trios = Vec::new();
    let mut unplaced = Vec::new();
    let same = |a: u32, b: u32| {
        let g = members[a as usize].group;
        g != super::NO_GROUP && g == members[b as usize].group
    };
    for x in 0..order.len() {
        if placed[x] {
            continue;
        }
        placed[x] = true;
        let a = order[x];
        let pick = |placed: &[bool], with: &[u32]| -> Option<usize> {
            let mut best: Option<((usize, usize), usize)> = None;
            let mut seen = 0;
            for y in x + 1..order.len() {
                if placed[y] {
                    continue;
                }
                let c = order[y];
                if !with.iter().all(|&w| rules.allowed(w, c)) {
                    continue;
                }
                let new = with.iter().filter(|&&w| !history.has_met(w, c)).count();
                let across = with.iter().filter(|&&w| !same(w, c)).count();
                let key = (new, across);
                if best.is_none_or(|(k, _)| key > k) {
                    best = Some((key, y));
                }
                seen += 1;
                if seen >= WINDOW && best.is_some_and(|(k, _)| k.0 == with.len()) {
                    break;
                }
            }
            best.map(|(_, y)| y)
        };
        let Some(y) = pick(&placed, &[a]) else {
            unplaced.push(a);
            continue;
        };
        placed[y] = true;
        let b = order[y];
        let Some(z) = pick(&placed, &[a, b]) else {
            placed[y] = false;
            unplaced.push(a);
            continue;
        };
        placed[z] = true;
        trios.push(vec![a, b, order[z]]);
    }
    (trios, unplaced)
}

/// Swaps one person between two trios while that adds new pairs and breaks no exclusion.
fn improve_by_swaps(trios: &mut [Vec<u32>], history: &History, rules: &Rules) {
    let fits = |group: &[u32], x: usize, c: u32| {
        group
            .iter()
            .enumerate()
            .all(|(i, &m)| i == x || rules.allowed(m, c))
    };
    // New pairs person `c` would make in `group` in place of its member `x`.
    let gain = |group: &[u32], x: usize, c: u32| {
        group
            .iter()
            .enumerate()
            .filter(|&(i, &m)| i != x && !history.has_met(m, c))
            .count()
    };
    for _ in 0..3 {
        let mut improved = false;
        for g in 0..trios.len() {
            for h in g + 1..trios.len() {
                for x in 0..3 {
                    for y in 0..3 {
                        let (a, b) = (trios[g][x], trios[h][y]);
                        let before = gain(&trios[g], x, a) + gain(&trios[h], y, b);
                        let after = gain(&trios[g], x, b) + gain(&trios[h], y, a);
                        if after > before && fits(&trios[g], x, b) && fits(&trios[h], y, a) {
                            trios[g][x] = b;
                            trios[h][y] = a;
                            improved = true;
                        }
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }
}
