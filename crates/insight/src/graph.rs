//! The influence metrics as PRODUCT.md defines them, over people numbered 0..n:
//!
//! - *influence outside the line*: distinct people who sought a person's advice, leaving
//!   out their managers up the chain and everyone below them;
//! - *reach*: PageRank of the advice graph (edge seeker → adviser; repeated ties are one
//!   edge; damping 0.85; a person who sought nobody's advice spreads their rank over
//!   everyone, as igraph and networkx do; values sum to 1; iterated until the L1 change is
//!   below 1e-12);
//! - *brokerage*: betweenness of the undirected interaction graph (unweighted, each
//!   unordered pair counted once), exact from every person, or estimated from a sample of
//!   pivots with a 95 % half-width from the pivots' spread.
//!
//! Pure: no storage, no people, only numbers; the service around it maps people to indices.
//! Checked against a plain power method and a brute-force shortest-path count in its tests,
//! and against igraph by `benches/influence.sh`.

use rayon::prelude::*;

/// A reporting line as parent indices (none at the top), for the line exclusion.
pub struct Line {
    /// Entry and exit times of a depth-first walk: `b` is in `a`'s tree (or is `a`) when
    /// `enter[a] <= enter[b] < leave[a]`.
    enter: Vec<u32>,
    leave: Vec<u32>,
}

impl Line {
    /// From each person's manager; a loop (which the import refuses) is cut where found.
    pub fn new(manager: &[Option<u32>]) -> Line {
        let n = manager.len();
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (p, m) in manager.iter().enumerate() {
            match m {
                Some(m) if (*m as usize) < n && *m as usize != p => {
                    children[*m as usize].push(p as u32)
                }
                _ => roots.push(p as u32),
            }
        }
        let (mut enter, mut leave) = (vec![u32::MAX; n], vec![0; n]);
        let mut clock = 0u32;
        let mut walk = |root: u32, enter: &mut Vec<u32>, leave: &mut Vec<u32>| {
            // Iterative: reporting lines can be deep.
            let mut stack: Vec<(u32, usize)> = vec![(root, 0)];
            enter[root as usize] = clock;
            clock += 1;
            while let Some((node, next)) = stack.last_mut() {
                let kids = &children[*node as usize];
                if *next < kids.len() {
                    let child = kids[*next];
                    *next += 1;
                    if enter[child as usize] == u32::MAX {
                        enter[child as usize] = clock;
                        clock += 1;
                        stack.push((child, 0));
                    }
                } else {
                    leave[*node as usize] = clock;
                    stack.pop();
                }
            }
        };
        for r in roots {
            walk(r, &mut enter, &mut leave);
        }
        // People on a loop are reached from nowhere: each becomes a root of their own.
        for p in 0..n {
            if enter[p] == u32::MAX {
                walk(p as u32, &mut enter, &mut leave);
            }
        }
        Line { enter, leave }
    }

    /// Whether `b` is `a` or reports to `a`, directly or not.
    pub fn under(&self, a: u32, b: u32) -> bool {
        let (a, b) = (a as usize, b as usize);
        self.enter[a] <= self.enter[b] && self.enter[b] < self.leave[a]
    }

    /// Whether `a` and `b` share a line: one is in the other's tree.
    pub fn in_line(&self, a: u32, b: u32) -> bool {
        self.under(a, b) || self.under(b, a)
    }
}

/// Distinct advice edges (seeker, adviser), self-ties dropped, sorted.
pub fn advice_edges(ties: &[(u32, u32)]) -> Vec<(u32, u32)> {
    let mut edges: Vec<(u32, u32)> = ties.iter().copied().filter(|(s, a)| s != a).collect();
    edges.par_sort_unstable();
    edges.dedup();
    edges
}

/// Per person: distinct seekers of their advice, and those outside their line.
pub fn advice_counts(n: usize, edges: &[(u32, u32)], line: &Line) -> Vec<(u32, u32)> {
    let mut out = vec![(0u32, 0u32); n];
    for &(seeker, adviser) in edges {
        let o = &mut out[adviser as usize];
        o.0 += 1;
        if !line.in_line(adviser, seeker) {
            o.1 += 1;
        }
    }
    out
}

/// PageRank of the advice graph (`edges` distinct, seeker → adviser).
pub fn pagerank(n: usize, edges: &[(u32, u32)]) -> Vec<f64> {
    if n == 0 {
        return Vec::new();
    }
    const DAMPING: f64 = 0.85;
    let mut out_degree = vec![0u32; n];
    for &(s, _) in edges {
        out_degree[s as usize] += 1;
    }
    // Incoming edges grouped by adviser: each step pulls rank in, one pass, cache-friendly.
    let mut by_target: Vec<(u32, u32)> = edges.iter().map(|&(s, a)| (a, s)).collect();
    by_target.par_sort_unstable();
    let mut start = vec![0usize; n + 1];
    for &(a, _) in &by_target {
        start[a as usize + 1] += 1;
    }
    for i in 0..n {
        start[i + 1] += start[i];
    }
    let sources: Vec<u32> = by_target.iter().map(|&(_, s)| s).collect();
    let inverse: Vec<f64> = out_degree
        .iter()
        .map(|&d| if d == 0 { 0.0 } else { 1.0 / f64::from(d) })
        .collect();
    let mut rank = vec![1.0 / n as f64; n];
    let mut share = vec![0.0; n];
    let mut next = vec![0.0; n];
    for _ in 0..10_000 {
        let dangling: f64 = rank
            .iter()
            .zip(&out_degree)
            .filter(|(_, d)| **d == 0)
            .map(|(r, _)| r)
            .sum();
        for i in 0..n {
            share[i] = rank[i] * inverse[i];
        }
        let base = (1.0 - DAMPING) / n as f64 + DAMPING * dangling / n as f64;
        next.par_iter_mut().enumerate().for_each(|(a, x)| {
            let pulled: f64 = sources[start[a]..start[a + 1]]
                .iter()
                .map(|&s| share[s as usize])
                .sum();
            *x = base + DAMPING * pulled;
        });
        let change: f64 = next.iter().zip(&rank).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut rank, &mut next);
        if change < 1e-12 {
            break;
        }
    }
    // Normalised, so the values sum to exactly 1 up to rounding.
    let total: f64 = rank.iter().sum();
    rank.iter().map(|r| r / total).collect()
}

/// An undirected, unweighted graph as adjacency lists (no self-loops, no repeats).
pub struct Undirected {
    start: Vec<usize>,
    next: Vec<u32>,
}

impl Undirected {
    pub fn new(n: usize, pairs: &[(u32, u32)]) -> Undirected {
        let mut both: Vec<(u32, u32)> = pairs
            .iter()
            .filter(|(a, b)| a != b)
            .flat_map(|&(a, b)| [(a, b), (b, a)])
            .collect();
        both.par_sort_unstable();
        both.dedup();
        let mut start = vec![0usize; n + 1];
        for &(a, _) in &both {
            start[a as usize + 1] += 1;
        }
        for i in 0..n {
            start[i + 1] += start[i];
        }
        Undirected {
            start,
            next: both.into_iter().map(|(_, b)| b).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.start.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn neighbours(&self, v: u32) -> &[u32] {
        &self.next[self.start[v as usize]..self.start[v as usize + 1]]
    }
}

/// Brandes' dependencies of every vertex on shortest paths from `source`, into `delta`.
struct Brandes {
    order: Vec<u32>,
    sigma: Vec<f64>,
    dist: Vec<i32>,
    delta: Vec<f64>,
}

impl Brandes {
    fn new(n: usize) -> Brandes {
        Brandes {
            order: Vec::with_capacity(n),
            sigma: vec![0.0; n],
            dist: vec![-1; n],
            delta: vec![0.0; n],
        }
    }

    fn run(&mut self, g: &Undirected, source: u32) {
        for &v in &self.order {
            self.sigma[v as usize] = 0.0;
            self.dist[v as usize] = -1;
            self.delta[v as usize] = 0.0;
        }
        self.order.clear();
        self.sigma[source as usize] = 1.0;
        self.dist[source as usize] = 0;
        self.order.push(source);
        let mut head = 0;
        while head < self.order.len() {
            let v = self.order[head];
            head += 1;
            let dv = self.dist[v as usize];
            for &w in g.neighbours(v) {
                let w = w as usize;
                if self.dist[w] < 0 {
                    self.dist[w] = dv + 1;
                    self.order.push(w as u32);
                }
                if self.dist[w] == dv + 1 {
                    self.sigma[w] += self.sigma[v as usize];
                }
            }
        }
        // Back from the farthest: a predecessor of w is a neighbour one step closer.
        for &w in self.order.iter().rev() {
            let w = w as usize;
            let coefficient = (1.0 + self.delta[w]) / self.sigma[w];
            for &v in g.neighbours(w as u32) {
                let v = v as usize;
                if self.dist[v] == self.dist[w] - 1 {
                    self.delta[v] += self.sigma[v] * coefficient;
                }
            }
        }
        self.delta[source as usize] = 0.0;
    }
}

/// Betweenness from `sources` (each unordered pair once when every vertex is a source):
/// per vertex the sum of its dependencies over the sources, halved, and per vertex the sum
/// of squares, for the sampling error. Both cores share the sources.
fn dependencies(g: &Undirected, sources: &[u32]) -> (Vec<f64>, Vec<f64>) {
    let n = g.len();
    let chunk = sources
        .len()
        .div_ceil(rayon::current_num_threads().max(1) * 4)
        .max(1);
    sources
        .par_chunks(chunk)
        .map(|chunk| {
            let mut b = Brandes::new(n);
            let (mut sum, mut squares) = (vec![0.0; n], vec![0.0; n]);
            for &s in chunk {
                b.run(g, s);
                for &v in &b.order {
                    let d = b.delta[v as usize] / 2.0;
                    sum[v as usize] += d;
                    squares[v as usize] += d * d;
                }
            }
            (sum, squares)
        })
        .reduce(
            || (vec![0.0; n], vec![0.0; n]),
            |(mut a, mut a2), (b, b2)| {
                for i in 0..n {
                    a[i] += b[i];
                    a2[i] += b2[i];
                }
                (a, a2)
            },
        )
}

/// Exact betweenness (igraph's `betweenness(directed=False)`).
pub fn betweenness(g: &Undirected) -> Vec<f64> {
    let sources: Vec<u32> = (0..g.len() as u32).collect();
    dependencies(g, &sources).0
}

/// Betweenness estimated from `pivots`: each vertex's summed dependencies scaled by
/// n / pivots, with a 95 % half-width from the spread of the pivots' contributions.
pub struct Sampled {
    pub estimate: Vec<f64>,
    pub half_width: Vec<f64>,
    /// The raw sums over the pivots (igraph's `betweenness(sources=pivots)`).
    pub partial: Vec<f64>,
}

pub fn sampled_betweenness(g: &Undirected, pivots: &[u32]) -> Sampled {
    let n = g.len() as f64;
    let k = pivots.len().max(1) as f64;
    let (sum, squares) = dependencies(g, pivots);
    let estimate = sum.iter().map(|s| s * n / k).collect();
    let half_width = sum
        .iter()
        .zip(&squares)
        .map(|(s, q)| {
            if k < 2.0 {
                return f64::INFINITY;
            }
            let mean = s / k;
            let variance = ((q / k - mean * mean) * k / (k - 1.0)).max(0.0);
            1.96 * n * (variance / k).sqrt()
        })
        .collect();
    Sampled {
        estimate,
        half_width,
        partial: sum,
    }
}

/// `count` distinct pivots drawn evenly from 0..n by a fixed seed (so a report can be
/// repeated and compared).
pub fn pivots(n: usize, count: usize, seed: u64) -> Vec<u32> {
    let count = count.min(n);
    let mut all: Vec<u32> = (0..n as u32).collect();
    let mut state = seed | 1;
    // A partial Fisher–Yates shuffle with xorshift: the first `count` are the sample.
    for i in 0..count {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let j = i + (state % (n - i) as u64) as usize;
        all.swap(i, j);
    }
    all.truncate(count);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny deterministic generator for random graphs.
    fn random_pairs(n: u32, m: usize, seed: u64) -> Vec<(u32, u32)> {
        let mut s = seed | 1;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        (0..m)
            .map(|_| ((next() % n as u64) as u32, (next() % n as u64) as u32))
            .collect()
    }

    #[test]
    fn the_line_excludes_managers_up_the_chain_and_everyone_below() {
        // 0 manages 1 and 2; 1 manages 3; 3 manages 4. 5 is on their own.
        let line = Line::new(&[None, Some(0), Some(0), Some(1), Some(3), None]);
        let edges = advice_edges(&[
            (0, 1), // 1's manager: in line
            (4, 1), // below 1: in line
            (2, 1), // a peer: outside
            (5, 1), // elsewhere: outside
            (5, 1), // repeated: one
            (1, 1), // a self-tie: dropped
        ]);
        let counts = advice_counts(6, &edges, &line);
        assert_eq!(counts[1], (4, 2));
        assert!(line.in_line(0, 4) && line.in_line(4, 0));
        assert!(!line.in_line(2, 3));
    }

    #[test]
    fn a_path_and_a_star_have_their_known_betweenness() {
        // 0 - 1 - 2 - 3: 1 and 2 are each between two pairs.
        let g = Undirected::new(4, &[(0, 1), (1, 2), (2, 3), (2, 1)]);
        assert_eq!(betweenness(&g), vec![0.0, 2.0, 2.0, 0.0]);
        // A star of five: the centre is between every pair of the four leaves.
        let g = Undirected::new(5, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
        assert_eq!(betweenness(&g)[0], 6.0);
        // A square: each corner carries half of one pair.
        let g = Undirected::new(4, &[(0, 1), (1, 2), (2, 3), (3, 0)]);
        assert_eq!(betweenness(&g), vec![0.5; 4]);
    }

    /// Betweenness by counting every shortest path between every pair, plainly.
    fn brute_force(n: usize, pairs: &[(u32, u32)]) -> Vec<f64> {
        const FAR: usize = usize::MAX / 4;
        let mut dist = vec![vec![FAR; n]; n];
        let mut count = vec![vec![0f64; n]; n];
        let g = Undirected::new(n, pairs);
        for s in 0..n {
            dist[s][s] = 0;
            count[s][s] = 1.0;
            let mut frontier = vec![s];
            while !frontier.is_empty() {
                let mut next = Vec::new();
                for &v in &frontier {
                    for &w in g.neighbours(v as u32) {
                        let w = w as usize;
                        if dist[s][w] == FAR {
                            dist[s][w] = dist[s][v] + 1;
                            next.push(w);
                        }
                        if dist[s][w] == dist[s][v] + 1 {
                            count[s][w] += count[s][v];
                        }
                    }
                }
                frontier = next;
            }
        }
        let mut b = vec![0.0; n];
        for s in 0..n {
            for t in s + 1..n {
                if dist[s][t] == FAR {
                    continue;
                }
                for v in 0..n {
                    if v != s && v != t && dist[s][v] + dist[v][t] == dist[s][t] {
                        b[v] += count[s][v] * count[v][t] / count[s][t];
                    }
                }
            }
        }
        b
    }

    #[test]
    fn betweenness_equals_counting_every_shortest_path_on_random_graphs() {
        for seed in 1..30 {
            let n = 5 + (seed as usize * 7) % 30;
            let pairs = random_pairs(n as u32, n * 2, seed);
            let fast = betweenness(&Undirected::new(n, &pairs));
            let slow = brute_force(n, &pairs);
            for (a, b) in fast.iter().zip(&slow) {
                assert!(
                    (a - b).abs() <= 1e-9 * b.abs().max(1.0),
                    "{seed}: {a} vs {b}"
                );
            }
        }
    }

    #[test]
    fn sampling_every_vertex_is_exact_and_a_sample_stays_near_it() {
        let n = 400;
        let pairs = random_pairs(n as u32, 1600, 42);
        let g = Undirected::new(n, &pairs);
        let exact = betweenness(&g);
        let all: Vec<u32> = (0..n as u32).collect();
        let full = sampled_betweenness(&g, &all);
        for (a, b) in full.estimate.iter().zip(&exact) {
            assert!((a - b).abs() < 1e-6);
        }
        let sample = sampled_betweenness(&g, &pivots(n, 200, 7));
        let within = exact
            .iter()
            .zip(sample.estimate.iter().zip(&sample.half_width))
            .filter(|(x, (e, h))| (*x - *e).abs() <= **h + 1e-9)
            .count();
        assert!(
            within as f64 >= 0.9 * n as f64,
            "{within} of {n} within the stated error"
        );
    }

    /// PageRank by the power method written plainly, over a dense matrix.
    fn plain_pagerank(n: usize, edges: &[(u32, u32)]) -> Vec<f64> {
        let mut out = vec![Vec::new(); n];
        for &(s, a) in edges {
            out[s as usize].push(a as usize);
        }
        let mut r = vec![1.0 / n as f64; n];
        for _ in 0..5000 {
            let mut next = vec![0.15 / n as f64; n];
            for s in 0..n {
                if out[s].is_empty() {
                    for x in next.iter_mut() {
                        *x += 0.85 * r[s] / n as f64;
                    }
                } else {
                    for &a in &out[s] {
                        next[a] += 0.85 * r[s] / out[s].len() as f64;
                    }
                }
            }
            r = next;
        }
        r
    }

    #[test]
    fn pagerank_equals_the_plain_power_method_and_sums_to_one() {
        for seed in 1..10 {
            let n = 10 + seed as usize * 9;
            let edges = advice_edges(&random_pairs(n as u32, n * 3, seed));
            let fast = pagerank(n, &edges);
            let slow = plain_pagerank(n, &edges);
            assert!((fast.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() < 1e-10, "{seed}: {a} vs {b}");
            }
        }
        // Two people asking each other: equal; a third nobody asks gets the floor.
        let r = pagerank(3, &[(0, 1), (1, 0)]);
        assert!((r[0] - r[1]).abs() < 1e-15 && r[2] < r[0]);
    }

    #[test]
    fn pivots_are_distinct_and_repeatable() {
        let p = pivots(1000, 256, 9);
        let mut sorted = p.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 256);
        assert_eq!(p, pivots(1000, 256, 9));
    }
}
