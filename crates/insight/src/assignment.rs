//! Optimal assignment: given a score for every (row, column) pair — for example an
//! opportunity and a candidate — choose at most one column per row and one row per column
//! so that the total score is as large as possible. Pairs that must not be matched (the
//! person has no free capacity, a must-have skill is missing) are left out, and a row may
//! stay unassigned when nothing allowed is worth it.
//!
//! The solver is the shortest augmenting path method with dual potentials (Jonker and
//! Volgenant's idea, in the form Crouse (2016) gives for rectangular problems — the same
//! algorithm as `scipy.optimize.linear_sum_assignment`), O(n³) in the worst case and far
//! less in practice. It is exact: the tests compare it with brute force.

/// A dense score matrix, row-major. `None` entries are forbidden pairs.
#[derive(Debug, Clone)]
pub struct Scores {
    rows: usize,
    cols: usize,
    /// Row-major; `f64::NAN` marks a forbidden pair.
    values: Vec<f64>,
}

impl Scores {
    /// A matrix of `rows × cols` scores, all forbidden until set.
    pub fn new(rows: usize, cols: usize) -> Scores {
        Scores {
            rows,
            cols,
            values: vec![f64::NAN; rows * cols],
        }
    }

    /// From row-major values (every pair allowed).
    pub fn from_values(rows: usize, cols: usize, values: Vec<f64>) -> Scores {
        assert_eq!(values.len(), rows * cols, "a score for every pair");
        Scores { rows, cols, values }
    }

    pub fn set(&mut self, row: usize, col: usize, score: Option<f64>) {
        self.values[row * self.cols + col] = score.filter(|s| s.is_finite()).unwrap_or(f64::NAN);
    }

    pub fn get(&self, row: usize, col: usize) -> Option<f64> {
        let v = self.values[row * self.cols + col];
        (!v.is_nan()).then_some(v)
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }
}

/// The chosen pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// For each row, its column, or `None` when it stays unassigned.
    pub col_of_row: Vec<Option<usize>>,
    pub total: f64,
}

/// The assignment with the largest total score. Rows are left unassigned only when every
/// allowed column is taken by a better use or nothing is allowed; a pair with a negative
/// score is never chosen (leaving both free scores 0).
pub fn maximise(scores: &Scores) -> Assignment {
    let (rows, cols) = (scores.rows, scores.cols);
    if rows == 0 || cols == 0 {
        return Assignment {
            col_of_row: vec![None; rows],
            total: 0.0,
        };
    }
    // Forbidden and negative pairs need the option of staying unassigned: one zero-cost
    // "unassigned" column per row. A complete, non-negative matrix does not.
    let needs_slack = scores.values.iter().any(|v| v.is_nan() || *v < 0.0);
    let transpose = rows > cols && !needs_slack;
    let (n_rows, n_cols) = if transpose {
        (cols, rows)
    } else {
        (rows, cols)
    };
    let width = if needs_slack { n_cols + n_rows } else { n_cols };
    let mut cost = vec![0.0f64; n_rows * width];
    for r in 0..n_rows {
        let line = &mut cost[r * width..(r + 1) * width];
        for (c, slot) in line.iter_mut().enumerate().take(n_cols) {
            let v = if transpose {
                scores.values[c * cols + r]
            } else {
                scores.values[r * cols + c]
            };
            *slot = if v.is_nan() { f64::INFINITY } else { -v };
        }
    }
    let col4row = solve_min(n_rows, width, &cost);
    let mut col_of_row = vec![None; rows];
    for (r, &c) in col4row.iter().enumerate() {
        if c >= n_cols {
            continue; // the "unassigned" column
        }
        let (row, col) = if transpose { (c, r) } else { (r, c) };
        if scores.get(row, col).is_some_and(|s| s >= 0.0) {
            col_of_row[row] = Some(col);
        }
    }
    let total = col_of_row
        .iter()
        .enumerate()
        .filter_map(|(r, c)| c.and_then(|c| scores.get(r, c)))
        .sum();
    Assignment { col_of_row, total }
}

/// Minimum-cost assignment of every row of an `n_rows × n_cols` matrix (`n_rows ≤ n_cols`,
/// row-major, `INFINITY` forbidden) — the column of each row. Each row must have a finite
/// path to a free column; [`maximise`] guarantees it with its "unassigned" columns.
fn solve_min(n_rows: usize, n_cols: usize, cost: &[f64]) -> Vec<usize> {
    const NONE: usize = usize::MAX;
    let mut u = vec![0.0f64; n_rows];
    let mut v = vec![0.0f64; n_cols];
    let mut shortest = vec![f64::INFINITY; n_cols];
    let mut path = vec![NONE; n_cols];
    let mut col4row = vec![NONE; n_rows];
    let mut row4col = vec![NONE; n_cols];
    let mut seen_row = vec![false; n_rows];
    let mut seen_col = vec![false; n_cols];
    let mut remaining: Vec<usize> = Vec::with_capacity(n_cols);

    // Column reduction (Jonker and Volgenant), for square problems: each column's potential
    // is its cheapest cost, so every reduced cost is non-negative, and a column whose
    // cheapest row is still free takes it at once. Only the rows left over need an
    // augmenting path. (With more columns than rows, a column that ends up unused must keep
    // a zero potential, which this start would break.)
    if n_rows == n_cols {
        reduce_columns(n_rows, cost, &mut v, &mut col4row, &mut row4col);
    }

    for current in 0..n_rows {
        if col4row[current] != NONE {
            continue;
        }
        // Dijkstra over columns from `current`, on reduced costs.
        let mut min_val = 0.0f64;
        remaining.clear();
        remaining.extend((0..n_cols).rev());
        seen_row.fill(false);
        seen_col.fill(false);
        shortest.fill(f64::INFINITY);
        let mut i = current;
        let sink = loop {
            seen_row[i] = true;
            let row = &cost[i * n_cols..(i + 1) * n_cols];
            let ui = u[i];
            let mut lowest = f64::INFINITY;
            let mut index = NONE;
            for (it, &j) in remaining.iter().enumerate() {
                let r = min_val + row[j] - ui - v[j];
                if r < shortest[j] {
                    path[j] = i;
                    shortest[j] = r;
                }
                let s = shortest[j];
                if s < lowest || (s == lowest && row4col[j] == NONE) {
                    lowest = s;
                    index = it;
                }
            }
            min_val = lowest;
            if index == NONE || !min_val.is_finite() {
                // No way to place this row; it keeps no column (cannot happen with slack).
                break NONE;
            }
            let j = remaining.swap_remove(index);
            seen_col[j] = true;
            if row4col[j] == NONE {
                break j;
            }
            i = row4col[j];
        };
        if sink == NONE {
            continue;
        }
        // Update the dual potentials.
        u[current] += min_val;
        for r in 0..n_rows {
            if seen_row[r] && r != current {
                u[r] += min_val - shortest[col4row[r]];
            }
        }
        for c in 0..n_cols {
            if seen_col[c] {
                v[c] -= min_val - shortest[c];
            }
        }
        // Flip the augmenting path.
        let mut j = sink;
        loop {
            let r = path[j];
            row4col[j] = r;
            std::mem::swap(&mut col4row[r], &mut j);
            if r == current {
                break;
            }
        }
    }
    col4row
}

/// The column-reduction start of a square problem (see [`solve_min`]).
fn reduce_columns(
    n: usize,
    cost: &[f64],
    v: &mut [f64],
    col4row: &mut [usize],
    row4col: &mut [usize],
) {
    const NONE: usize = usize::MAX;
    let (n_rows, n_cols) = (n, n);
    let mut best_row = vec![NONE; n_cols];
    v.fill(f64::INFINITY);
    for i in 0..n_rows {
        let row = &cost[i * n_cols..(i + 1) * n_cols];
        for (j, &c) in row.iter().enumerate() {
            if c < v[j] {
                v[j] = c;
                best_row[j] = i;
            }
        }
    }
    for j in 0..n_cols {
        if !v[j].is_finite() {
            v[j] = 0.0; // a column nobody may take
            continue;
        }
        let i = best_row[j];
        if col4row[i] == NONE {
            col4row[i] = j;
            row4col[j] = i;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64, so the random instances are the same on every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// The best total by trying every way to give each row a distinct column or none.
    fn brute_force(s: &Scores) -> f64 {
        fn go(s: &Scores, row: usize, used: &mut Vec<bool>) -> f64 {
            if row == s.rows() {
                return 0.0;
            }
            let mut best = go(s, row + 1, used); // leave this row unassigned
            for c in 0..s.cols() {
                if !used[c]
                    && let Some(v) = s.get(row, c)
                {
                    used[c] = true;
                    best = best.max(v + go(s, row + 1, used));
                    used[c] = false;
                }
            }
            best
        }
        go(s, 0, &mut vec![false; s.cols()])
    }

    fn valid(s: &Scores, a: &Assignment) {
        let mut used = vec![false; s.cols()];
        for (r, c) in a.col_of_row.iter().enumerate() {
            if let Some(c) = *c {
                assert!(!used[c], "column {c} used twice");
                used[c] = true;
                assert!(s.get(r, c).is_some(), "forbidden pair ({r}, {c}) chosen");
            }
        }
    }

    #[test]
    fn a_hand_checked_case() {
        // Greedy takes (0,0)=9 and is left with (1,1)=1: 10. The optimum is 8 + 7 = 15.
        let s = Scores::from_values(2, 2, vec![9.0, 8.0, 7.0, 1.0]);
        let a = maximise(&s);
        assert_eq!(a.col_of_row, vec![Some(1), Some(0)]);
        assert_eq!(a.total, 15.0);
    }

    #[test]
    fn forbidden_pairs_are_never_chosen_and_rows_may_stay_free() {
        let mut s = Scores::new(3, 2);
        s.set(0, 0, Some(5.0));
        s.set(1, 0, Some(4.0));
        s.set(2, 1, Some(-1.0)); // allowed but worse than nothing
        let a = maximise(&s);
        assert_eq!(a.col_of_row, vec![Some(0), None, None]);
        assert_eq!(a.total, 5.0);
    }

    #[test]
    fn the_optimum_equals_brute_force_on_random_instances() {
        let mut rng = Rng(7);
        for case in 0..600 {
            let rows = 1 + rng.below(6) as usize;
            let cols = 1 + rng.below(6) as usize;
            let mut s = Scores::new(rows, cols);
            let sparse = case % 3 == 0;
            for r in 0..rows {
                for c in 0..cols {
                    if !sparse || rng.below(3) > 0 {
                        // Whole numbers, ties included, sometimes negative.
                        s.set(r, c, Some(rng.below(20) as f64 - 3.0));
                    }
                }
            }
            let a = maximise(&s);
            valid(&s, &a);
            assert_eq!(a.total, brute_force(&s), "case {case}: {s:?} → {a:?}");
        }
    }

    #[test]
    fn square_matrices_with_ties_take_the_column_reduction_start() {
        let mut rng = Rng(23);
        for case in 0..400 {
            let n = 1 + rng.below(7) as usize;
            // Few distinct values, so columns share their cheapest row often.
            let values = (0..n * n).map(|_| rng.below(5) as f64).collect();
            let s = Scores::from_values(n, n, values);
            let a = maximise(&s);
            valid(&s, &a);
            assert_eq!(a.col_of_row.iter().filter(|c| c.is_some()).count(), n);
            assert_eq!(a.total, brute_force(&s), "case {case}: {s:?}");
        }
    }

    #[test]
    fn complete_rectangular_matrices_both_ways() {
        let mut rng = Rng(11);
        for _ in 0..200 {
            let rows = 1 + rng.below(7) as usize;
            let cols = 1 + rng.below(7) as usize;
            let values = (0..rows * cols)
                .map(|_| (rng.below(1000) as f64) / 10.0)
                .collect();
            let s = Scores::from_values(rows, cols, values);
            let a = maximise(&s);
            valid(&s, &a);
            assert_eq!(
                a.col_of_row.iter().filter(|c| c.is_some()).count(),
                rows.min(cols)
            );
            assert!((a.total - brute_force(&s)).abs() < 1e-9);
        }
    }
}
