//! Maximum-cardinality matching on a general graph (Edmonds' blossom algorithm), started
//! from a given matching so that only the people it leaves free are searched from.

use std::collections::VecDeque;

pub(crate) const FREE: u32 = u32::MAX;

/// Grows `mate` (symmetric, `FREE` for unmatched) to a maximum matching of the graph with
/// these adjacency lists. O(V·E) per augmentation; meant for a few hundred vertices.
pub(crate) fn maximum_matching(adjacency: &[Vec<u32>], mate: &mut [u32]) {
    let n = adjacency.len();
    let mut search = Search {
        adjacency,
        parent: vec![FREE; n],
        base: (0..n as u32).collect(),
        used: vec![false; n],
        in_blossom: vec![false; n],
        queue: VecDeque::new(),
    };
    for root in 0..n {
        if mate[root] != FREE || adjacency[root].is_empty() {
            continue;
        }
        let mut end = search.augmenting_path(root as u32, mate);
        // Flip the path: every other edge joins the matching.
        while end != FREE {
            let previous = search.parent[end as usize];
            let next = mate[previous as usize];
            mate[end as usize] = previous;
            mate[previous as usize] = end;
            end = next;
        }
    }
}

struct Search<'a> {
    adjacency: &'a [Vec<u32>],
    parent: Vec<u32>,
    base: Vec<u32>,
    used: Vec<bool>,
    in_blossom: Vec<bool>,
    queue: VecDeque<u32>,
}

impl Search<'_> {
    /// The free vertex an augmenting path from `root` ends at, or `FREE`.
    fn augmenting_path(&mut self, root: u32, mate: &[u32]) -> u32 {
        let n = self.adjacency.len();
        self.used.fill(false);
        self.parent.fill(FREE);
        for (i, b) in self.base.iter_mut().enumerate() {
            *b = i as u32;
        }
        self.used[root as usize] = true;
        self.queue.clear();
        self.queue.push_back(root);
        while let Some(v) = self.queue.pop_front() {
            for &to in &self.adjacency[v as usize] {
                if self.base[v as usize] == self.base[to as usize] || mate[v as usize] == to {
                    continue;
                }
                let to_mate = mate[to as usize];
                if to == root || (to_mate != FREE && self.parent[to_mate as usize] != FREE) {
                    // An odd cycle: contract it into its base.
                    let shared = self.common_base(v, to, mate);
                    self.in_blossom.fill(false);
                    self.mark_path(v, shared, to, mate);
                    self.mark_path(to, shared, v, mate);
                    for i in 0..n {
                        if self.in_blossom[self.base[i] as usize] {
                            self.base[i] = shared;
                            if !self.used[i] {
                                self.used[i] = true;
                                self.queue.push_back(i as u32);
                            }
                        }
                    }
                } else if self.parent[to as usize] == FREE {
                    self.parent[to as usize] = v;
                    if to_mate == FREE {
                        return to;
                    }
                    self.used[to_mate as usize] = true;
                    self.queue.push_back(to_mate);
                }
            }
        }
        FREE
    }

    fn common_base(&self, mut a: u32, mut b: u32, mate: &[u32]) -> u32 {
        let mut seen = vec![false; self.adjacency.len()];
        loop {
            a = self.base[a as usize];
            seen[a as usize] = true;
            if mate[a as usize] == FREE {
                break;
            }
            a = self.parent[mate[a as usize] as usize];
        }
        loop {
            b = self.base[b as usize];
            if seen[b as usize] {
                return b;
            }
            b = self.parent[mate[b as usize] as usize];
        }
    }

    fn mark_path(&mut self, mut v: u32, shared: u32, mut child: u32, mate: &[u32]) {
        while self.base[v as usize] != shared {
            let m = mate[v as usize];
            self.in_blossom[self.base[v as usize] as usize] = true;
            self.in_blossom[self.base[m as usize] as usize] = true;
            self.parent[v as usize] = child;
            child = m;
            v = self.parent[m as usize];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(mate: &[u32]) -> usize {
        mate.iter().filter(|&&m| m != FREE).count() / 2
    }

    fn graph(n: usize, edges: &[(u32, u32)]) -> Vec<Vec<u32>> {
        let mut adjacency = vec![Vec::new(); n];
        for &(a, b) in edges {
            adjacency[a as usize].push(b);
            adjacency[b as usize].push(a);
        }
        adjacency
    }

    #[test]
    fn an_odd_cycle_with_a_tail_is_matched_through_the_blossom() {
        // Triangle 0-1-2 with tails 2-3 and 0-4; a greedy start of 0-1 leaves 2, 3, 4 —
        // only a path through the contracted triangle matches everyone but one.
        let adjacency = graph(6, &[(0, 1), (1, 2), (2, 0), (2, 3), (0, 4), (3, 5)]);
        let mut mate = vec![FREE; 6];
        mate[0] = 1;
        mate[1] = 0;
        mate[2] = 3;
        mate[3] = 2;
        maximum_matching(&adjacency, &mut mate);
        assert_eq!(size(&mate), 3);
        for (v, &m) in mate.iter().enumerate() {
            if m != FREE {
                assert_eq!(mate[m as usize], v as u32);
                assert!(adjacency[v].contains(&m));
            }
        }
    }

    #[test]
    fn matches_as_many_as_an_exhaustive_search_on_small_graphs() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..300 {
            let n = 2 + (next() % 9) as usize;
            let edges: Vec<(u32, u32)> = (0..n as u32)
                .flat_map(|a| (a + 1..n as u32).map(move |b| (a, b)))
                .filter(|_| next() % 3 == 0)
                .collect();
            let mut mate = vec![FREE; n];
            maximum_matching(&graph(n, &edges), &mut mate);
            assert_eq!(size(&mate), best(&edges, 0, &mut vec![false; n]));
        }
    }

    fn best(edges: &[(u32, u32)], from: usize, taken: &mut [bool]) -> usize {
        let mut top = 0;
        for (i, &(a, b)) in edges.iter().enumerate().skip(from) {
            if !taken[a as usize] && !taken[b as usize] {
                taken[a as usize] = true;
                taken[b as usize] = true;
                top = top.max(1 + best(edges, i + 1, taken));
                taken[a as usize] = false;
                taken[b as usize] = false;
            }
        }
        top
    }
}
