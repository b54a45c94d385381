//! Capacitated matching: mentees on one side, mentors with a capacity (how many mentees
//! each takes) on the other, an integer score for every allowed pair. Choose at most one
//! mentor per mentee and at most `capacity` mentees per mentor so that either the total
//! score is as large as possible, or as many mentees as possible are matched and, among
//! those matchings, the total score is largest.
//!
//! Pairs that must not be matched (a must-have filter fails) are simply absent, so the
//! problem is sparse: a dense expansion of every mentor into `capacity` slots would be a
//! 10,000 × 6,000 matrix, where the pairs that pass the filters are a few percent of it.
//!
//! The solver is the primal–dual method for weighted bipartite b-matching: mentee duals
//! `y`, mentor duals `z`, `y_i + z_j ≥ w_ij` on every pair, a matched pair tight, an
//! unmatched mentee at `y = 0` and a mentor with room at `z = 0` — which together prove the
//! matching optimal. Each phase runs one Dijkstra from every unmatched mentee at once over
//! reduced costs, moves the duals so that the shortest augmenting paths become tight, and
//! then augments along as many disjoint tight paths as it finds (as Hopcroft–Karp does for
//! cardinality). Scores are small integers, so every comparison is exact and the number of
//! phases is bounded by the number of distinct path lengths.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What the matching optimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// The largest total score; a mentee stays unmatched when their match would cost more
    /// elsewhere than it brings.
    HighestTotal,
    /// As many mentees matched as possible; among those matchings, the largest total.
    MostMatched,
}

/// An allowed pair and its score (0 or more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub mentee: usize,
    pub mentor: usize,
    pub score: i64,
}

/// The chosen pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    /// For each mentee, their mentor, or `None`.
    pub mentor_of: Vec<Option<usize>>,
    /// Sum of the chosen pairs' scores.
    pub total: i64,
    pub matched: usize,
}

const NONE: u32 = u32::MAX;

/// The optimal matching of `mentees` mentees to mentors with these capacities, over the
/// allowed `pairs` (pairs naming a mentee or mentor out of range, or with a negative
/// score, are ignored; a repeated pair keeps its best score).
pub fn best_matching(mentees: usize, capacities: &[u32], pairs: &[Pair], goal: Goal) -> Matching {
    let mentors = capacities.len();
    let Adjacency {
        start,
        to,
        score,
        weight,
    } = Adjacency::of(mentees, mentors, pairs, goal);
    let top = weight.iter().copied().max().unwrap_or(0);
    let mut y = vec![top; mentees];
    let mut z = vec![0i64; mentors];
    let mut mate = vec![NONE; mentees];
    let mut mate_pos = vec![0usize; mentees]; // index of the matched pair in `to`
    let mut assigned: Vec<Vec<u32>> = vec![Vec::new(); mentors];
    let cap: Vec<usize> = capacities.iter().map(|&c| c as usize).collect();
    // Every unmatched mentee shares the same dual, `free_y`.
    let mut free_y = top;
    let mut free: Vec<u32> = (0..mentees as u32)
        .filter(|&i| start[i as usize + 1] > start[i as usize])
        .collect();

    let mut search = Search::new(mentees, mentors);
    let graph = Graph {
        start: &start,
        to: &to,
        weight: &weight,
        cap: &cap,
    };

    while free_y > 0 && !free.is_empty() {
        // 1. Shortest reduced-cost distance from the free mentees to a mentor with room.
        let reach = nearest_room(&mut search, &graph, (&y, &z), &assigned, &free, free_y);
        // 2. Move the duals by the distance found (or all the way down to zero).
        let step = reach.min(free_y);
        let s = &search;
        shift_duals(
            step,
            &s.touched_mentees,
            &s.done_mentee,
            &s.dist_mentee,
            &mut y,
            -1,
        );
        shift_duals(
            step,
            &s.touched_mentors,
            &s.done_mentor,
            &s.dist_mentor,
            &mut z,
            1,
        );
        free_y -= step;
        if free_y == 0 || reach == i64::MAX {
            break;
        }
        // 3. Augment along disjoint tight paths from the free mentees.
        augment_tight_paths(
            &graph,
            &y,
            &z,
            &mut free,
            &mut mate,
            &mut mate_pos,
            &mut assigned,
        );
    }

    result(&mate, &mate_pos, &score)
}

/// Phase step 1: the shortest reduced-cost distance from the free mentees to a mentor with
/// room (`i64::MAX` when none is nearer than `free_y`), leaving the distances in `s`.
fn nearest_room(
    s: &mut Search,
    graph: &Graph,
    duals: (&[i64], &[i64]),
    assigned: &[Vec<u32>],
    free: &[u32],
    free_y: i64,
) -> i64 {
    let (y, z) = duals;
    let mentees = y.len();
    // Nodes in the heap: mentees as their index, mentors as `mentees + index`.
    let mentor_node = |j: usize| (mentees + j) as u32;
    reset(
        &mut s.dist_mentee,
        &mut s.done_mentee,
        &mut s.touched_mentees,
        &mut s.dist_mentor,
        &mut s.done_mentor,
        &mut s.touched_mentors,
        &mut s.heap,
    );
    for &i in free {
        s.dist_mentee[i as usize] = 0;
        s.touched_mentees.push(i);
        s.heap.push(Reverse((0, i)));
    }
    let mut reach = i64::MAX;
    // No path longer than this matters: the free mentees' own dual, or the shortest
    // way to a mentor with room seen so far.
    let mut bound = free_y;
    while let Some(Reverse((d, node))) = s.heap.pop() {
        if d >= bound {
            break; // past this, leaving the free mentees unmatched is as good
        }
        let node = node as usize;
        if node < mentees {
            if s.done_mentee[node] || d > s.dist_mentee[node] {
                continue;
            }
            s.done_mentee[node] = true;
            for k in graph.start[node]..graph.start[node + 1] {
                if d + y[node] - graph.weight[k] >= bound {
                    break; // every later pair is at least this far (z ≥ 0)
                }
                let j = graph.to[k] as usize;
                if s.done_mentor[j] {
                    continue;
                }
                let nd = d + y[node] + z[j] - graph.weight[k];
                if nd < s.dist_mentor[j] {
                    if s.dist_mentor[j] == i64::MAX {
                        s.touched_mentors.push(j as u32);
                    }
                    s.dist_mentor[j] = nd;
                    if assigned[j].len() < graph.cap[j] {
                        bound = bound.min(nd + 1);
                    }
                    s.heap.push(Reverse((nd, mentor_node(j))));
                }
            }
        } else {
            let j = node - mentees;
            if s.done_mentor[j] || d > s.dist_mentor[j] {
                continue;
            }
            s.done_mentor[j] = true;
            if assigned[j].len() < graph.cap[j] {
                reach = d;
                break;
            }
            for &k in &assigned[j] {
                let k = k as usize;
                if !s.done_mentee[k] && d < s.dist_mentee[k] {
                    if s.dist_mentee[k] == i64::MAX {
                        s.touched_mentees.push(k as u32);
                    }
                    s.dist_mentee[k] = d;
                    s.heap.push(Reverse((d, k as u32)));
                }
            }
        }
    }
    reach
}

/// The pairs in compressed rows: for each mentee, its mentors best first, with their
/// scores and the weights the search uses.
struct Adjacency {
    start: Vec<usize>,
    to: Vec<u32>,
    score: Vec<i64>,
    weight: Vec<i64>,
}

impl Adjacency {
    fn of(mentees: usize, mentors: usize, pairs: &[Pair], goal: Goal) -> Adjacency {
        let mut start = vec![0usize; mentees + 1];
        for p in pairs {
            if p.mentee < mentees && p.mentor < mentors && p.score >= 0 {
                start[p.mentee + 1] += 1;
            }
        }
        for i in 0..mentees {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut to = vec![0u32; start[mentees]];
        let mut score = vec![0i64; start[mentees]];
        for p in pairs {
            if p.mentee < mentees && p.mentor < mentors && p.score >= 0 {
                let k = fill[p.mentee];
                to[k] = p.mentor as u32;
                score[k] = p.score;
                fill[p.mentee] += 1;
            }
        }
        // "Most matched": every pair is worth more than any difference in score totals can
        // make up, so a matching with one more pair always wins.
        let bonus = match goal {
            Goal::HighestTotal => 0,
            Goal::MostMatched => {
                let best: i64 = (0..mentees)
                    .map(|i| {
                        score[start[i]..start[i + 1]]
                            .iter()
                            .copied()
                            .max()
                            .unwrap_or(0)
                    })
                    .sum();
                best + 1
            }
        };
        let mut weight: Vec<i64> = score.iter().map(|s| s + bonus).collect();
        // Each mentee's pairs best first: a tight pair has `w ≥ y`, and a pair's reduced cost
        // is at least `y − w`, so both searches stop early in the list.
        for i in 0..mentees {
            let range = start[i]..start[i + 1];
            let mut order: Vec<usize> = range.clone().collect();
            order.sort_unstable_by(|&a, &b| weight[b].cmp(&weight[a]).then(to[a].cmp(&to[b])));
            let sorted: Vec<(u32, i64, i64)> = order
                .iter()
                .map(|&k| (to[k], score[k], weight[k]))
                .collect();
            for (offset, (t, s, w)) in sorted.into_iter().enumerate() {
                let k = range.start + offset;
                to[k] = t;
                score[k] = s;
                weight[k] = w;
            }
        }
        Adjacency {
            start,
            to,
            score,
            weight,
        }
    }
}

/// The shortest-path search's working arrays, kept across phases and reset only where a
/// phase touched them.
struct Search {
    dist_mentee: Vec<i64>,
    dist_mentor: Vec<i64>,
    done_mentee: Vec<bool>,
    done_mentor: Vec<bool>,
    touched_mentees: Vec<u32>,
    touched_mentors: Vec<u32>,
    heap: BinaryHeap<Reverse<(i64, u32)>>,
}

impl Search {
    fn new(mentees: usize, mentors: usize) -> Search {
        Search {
            dist_mentee: vec![i64::MAX; mentees],
            dist_mentor: vec![i64::MAX; mentors],
            done_mentee: vec![false; mentees],
            done_mentor: vec![false; mentors],
            touched_mentees: Vec::new(),
            touched_mentors: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }
}

/// Forgets the last phase's distances, where it set them.
fn reset(
    dist_mentee: &mut [i64],
    done_mentee: &mut [bool],
    touched_mentees: &mut Vec<u32>,
    dist_mentor: &mut [i64],
    done_mentor: &mut [bool],
    touched_mentors: &mut Vec<u32>,
    heap: &mut BinaryHeap<Reverse<(i64, u32)>>,
) {
    for &i in touched_mentees.iter() {
        dist_mentee[i as usize] = i64::MAX;
        done_mentee[i as usize] = false;
    }
    for &j in touched_mentors.iter() {
        dist_mentor[j as usize] = i64::MAX;
        done_mentor[j as usize] = false;
    }
    touched_mentees.clear();
    touched_mentors.clear();
    heap.clear();
}

/// Moves the duals of the nodes the search settled closer than `step` by the difference:
/// down for mentees (`sign` −1), up for mentors (+1).
fn shift_duals(
    step: i64,
    touched: &[u32],
    done: &[bool],
    dist: &[i64],
    dual: &mut [i64],
    sign: i64,
) {
    for &n in touched {
        let n = n as usize;
        if done[n] && dist[n] < step {
            dual[n] += sign * (step - dist[n]);
        }
    }
}

/// The matching the mates describe, with its total score.
fn result(mate: &[u32], mate_pos: &[usize], score: &[i64]) -> Matching {
    let mentees = mate.len();
    let mut mentor_of = vec![None; mentees];
    let mut total = 0;
    let mut matched = 0;
    for i in 0..mentees {
        if mate[i] != NONE {
            mentor_of[i] = Some(mate[i] as usize);
            total += score[mate_pos[i]];
            matched += 1;
        }
    }
    Matching {
        mentor_of,
        total,
        matched,
    }
}

struct Graph<'a> {
    start: &'a [usize],
    to: &'a [u32],
    weight: &'a [i64],
    cap: &'a [usize],
}

/// Depth-first search over tight edges (reduced cost 0) from each free mentee to a mentor
/// with room; flips every path found. A mentee is entered at most once per phase and each
/// edge is tried once (current arc), so a phase is linear in the edges; a path missed
/// because its mentees were used by an earlier one is found in the next phase.
fn augment_tight_paths(
    g: &Graph,
    y: &[i64],
    z: &[i64],
    free: &mut Vec<u32>,
    mate: &mut [u32],
    mate_pos: &mut [usize],
    assigned: &mut [Vec<u32>],
) {
    const NO_EDGE: usize = usize::MAX;
    struct Frame {
        mentee: u32,
        /// The edge to the mentor being explored (or taken), `NO_EDGE` for none yet.
        edge: usize,
        /// Next of that (full) mentor's mentees to go on through.
        sub: usize,
    }
    let mentees = mate.len();
    let mut seen = vec![false; mentees];
    let mut next: Vec<usize> = g.start[..mentees].to_vec();
    let mut stack: Vec<Frame> = Vec::new();
    let mut still_free = Vec::new();
    for &root in free.iter() {
        stack.clear();
        seen[root as usize] = true;
        stack.push(Frame {
            mentee: root,
            edge: NO_EDGE,
            sub: 0,
        });
        let mut found = false;
        'search: while let Some(top) = stack.last_mut() {
            if top.edge != NO_EDGE {
                let j = g.to[top.edge] as usize;
                while top.sub < assigned[j].len() {
                    let m = assigned[j][top.sub];
                    top.sub += 1;
                    if !seen[m as usize] {
                        seen[m as usize] = true;
                        stack.push(Frame {
                            mentee: m,
                            edge: NO_EDGE,
                            sub: 0,
                        });
                        continue 'search;
                    }
                }
                top.edge = NO_EDGE;
            }
            let i = top.mentee as usize;
            while next[i] < g.start[i + 1] {
                let k = next[i];
                if g.weight[k] < y[i] {
                    next[i] = g.start[i + 1]; // sorted: no tight pair further on
                    break;
                }
                next[i] += 1;
                let j = g.to[k] as usize;
                if mate[i] == j as u32 || y[i] + z[j] != g.weight[k] {
                    continue;
                }
                top.edge = k;
                top.sub = 0;
                if assigned[j].len() < g.cap[j] {
                    found = true;
                    break 'search;
                }
                continue 'search;
            }
            stack.pop();
        }
        if !found {
            still_free.push(root);
            continue;
        }
        // Flip: each mentee on the path moves to the mentor its edge leads to.
        for f in stack.iter().rev() {
            let i = f.mentee as usize;
            let j = g.to[f.edge];
            if mate[i] != NONE {
                let old = &mut assigned[mate[i] as usize];
                if let Some(pos) = old.iter().position(|&m| m as usize == i) {
                    old.swap_remove(pos);
                }
            }
            mate[i] = j;
            mate_pos[i] = f.edge;
            assigned[j as usize].push(i as u32);
        }
    }
    *free = still_free;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way to give each mentee a mentor or none, within capacities.
    fn brute_force(mentees: usize, caps: &[u32], pairs: &[Pair], goal: Goal) -> (usize, i64) {
        let score_of = |i: usize, j: usize| {
            pairs
                .iter()
                .filter(|p| p.mentee == i && p.mentor == j)
                .map(|p| p.score)
                .max()
        };
        let mut best = (0usize, 0i64);
        let mut choice = vec![None; mentees];
        fn walk(
            i: usize,
            choice: &mut Vec<Option<usize>>,
            load: &mut Vec<u32>,
            caps: &[u32],
            score_of: &dyn Fn(usize, usize) -> Option<i64>,
            goal: Goal,
            best: &mut (usize, i64),
        ) {
            if i == choice.len() {
                let matched = choice.iter().flatten().count();
                let total: i64 = choice
                    .iter()
                    .enumerate()
                    .filter_map(|(m, c)| c.and_then(|c| score_of(m, c)))
                    .sum();
                let better = match goal {
                    Goal::HighestTotal => total > best.1,
                    Goal::MostMatched => (matched, total) > *best,
                };
                if better {
                    *best = (matched, total);
                }
                return;
            }
            choice[i] = None;
            walk(i + 1, choice, load, caps, score_of, goal, best);
            for j in 0..caps.len() {
                if load[j] < caps[j] && score_of(i, j).is_some() {
                    load[j] += 1;
                    choice[i] = Some(j);
                    walk(i + 1, choice, load, caps, score_of, goal, best);
                    load[j] -= 1;
                }
            }
            choice[i] = None;
        }
        let mut load = vec![0; caps.len()];
        walk(0, &mut choice, &mut load, caps, &score_of, goal, &mut best);
        if goal == Goal::HighestTotal {
            // The brute force counts the matched pairs of one best matching; only the
            // total is comparable.
            best.0 = usize::MAX;
        }
        best
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn check(m: &Matching, caps: &[u32], pairs: &[Pair]) {
        let mut load = vec![0u32; caps.len()];
        let mut total = 0;
        for (i, j) in m.mentor_of.iter().enumerate() {
            if let Some(j) = *j {
                load[j] += 1;
                total += pairs
                    .iter()
                    .filter(|p| p.mentee == i && p.mentor == j)
                    .map(|p| p.score)
                    .max()
                    .expect("only allowed pairs are matched");
            }
        }
        for (j, l) in load.iter().enumerate() {
            assert!(*l <= caps[j], "mentor {j} over capacity");
        }
        assert_eq!(total, m.total);
        assert_eq!(m.matched, m.mentor_of.iter().flatten().count());
    }

    #[test]
    fn matches_brute_force_on_small_random_instances() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for case in 0..1500 {
            let mentees = 1 + rng.below(6) as usize;
            let mentors = 1 + rng.below(4) as usize;
            let caps: Vec<u32> = (0..mentors).map(|_| rng.below(3) as u32).collect();
            let mut pairs = Vec::new();
            for i in 0..mentees {
                for j in 0..mentors {
                    if rng.below(3) > 0 {
                        pairs.push(Pair {
                            mentee: i,
                            mentor: j,
                            score: rng.below(if case % 2 == 0 { 5 } else { 100 }) as i64,
                        });
                    }
                }
            }
            for goal in [Goal::HighestTotal, Goal::MostMatched] {
                let m = best_matching(mentees, &caps, &pairs, goal);
                check(&m, &caps, &pairs);
                let (matched, total) = brute_force(mentees, &caps, &pairs, goal);
                assert_eq!(
                    m.total, total,
                    "case {case} {goal:?}: {pairs:?} caps {caps:?}"
                );
                if goal == Goal::MostMatched {
                    assert_eq!(m.matched, matched, "case {case}: {pairs:?} caps {caps:?}");
                }
            }
        }
    }

    #[test]
    fn agrees_with_the_dense_assignment_on_slot_copies() {
        use crate::assignment::{Scores, maximise};
        let mut rng = Rng(42);
        for _ in 0..20 {
            let (mentees, mentors) = (40, 12);
            let caps: Vec<u32> = (0..mentors).map(|_| 1 + rng.below(3) as u32).collect();
            let mut pairs = Vec::new();
            for i in 0..mentees {
                for j in 0..mentors {
                    if rng.below(4) == 0 {
                        pairs.push(Pair {
                            mentee: i,
                            mentor: j,
                            score: 1 + rng.below(100) as i64,
                        });
                    }
                }
            }
            let slots: Vec<usize> = (0..mentors)
                .flat_map(|j| std::iter::repeat_n(j, caps[j] as usize))
                .collect();
            let mut dense = Scores::new(mentees, slots.len());
            for p in &pairs {
                for (s, &j) in slots.iter().enumerate() {
                    if j == p.mentor {
                        dense.set(p.mentee, s, Some(p.score as f64));
                    }
                }
            }
            let m = best_matching(mentees, &caps, &pairs, Goal::HighestTotal);
            check(&m, &caps, &pairs);
            assert_eq!(m.total as f64, maximise(&dense).total);
        }
    }

    #[test]
    fn most_matched_gives_up_score_for_an_extra_pair() {
        // Ana fits mentor 0 best (10); Cy fits only mentor 0 (8); Ana also fits mentor 1 (1).
        let pairs = [
            Pair {
                mentee: 0,
                mentor: 0,
                score: 10,
            },
            Pair {
                mentee: 0,
                mentor: 1,
                score: 1,
            },
            Pair {
                mentee: 1,
                mentor: 0,
                score: 8,
            },
        ];
        let total = best_matching(2, &[1, 1], &pairs, Goal::HighestTotal);
        assert_eq!((total.matched, total.total), (1, 10));
        assert_eq!(total.mentor_of, vec![Some(0), None]);
        let most = best_matching(2, &[1, 1], &pairs, Goal::MostMatched);
        assert_eq!((most.matched, most.total), (2, 9));
        assert_eq!(most.mentor_of, vec![Some(1), Some(0)]);
    }

    #[test]
    fn highest_total_leaves_a_poor_match_out_when_it_costs_a_better_one() {
        let pairs = [
            Pair {
                mentee: 0,
                mentor: 0,
                score: 50,
            },
            Pair {
                mentee: 0,
                mentor: 1,
                score: 0,
            },
            Pair {
                mentee: 1,
                mentor: 0,
                score: 40,
            },
        ];
        let m = best_matching(2, &[1, 1], &pairs, Goal::HighestTotal);
        assert_eq!(m.total, 50);
        let most = best_matching(2, &[1, 1], &pairs, Goal::MostMatched);
        assert_eq!((most.matched, most.total), (2, 40));
    }

    #[test]
    fn capacity_zero_and_empty_inputs() {
        let pairs = [Pair {
            mentee: 0,
            mentor: 0,
            score: 5,
        }];
        assert_eq!(
            best_matching(1, &[0], &pairs, Goal::HighestTotal).matched,
            0
        );
        assert_eq!(best_matching(0, &[], &[], Goal::MostMatched).matched, 0);
        let far = [Pair {
            mentee: 3,
            mentor: 9,
            score: 5,
        }];
        assert_eq!(best_matching(1, &[1], &far, Goal::HighestTotal).matched, 0);
    }
}
