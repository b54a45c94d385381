//! The anonymity rule (PRODUCT.md principle 3, in detail), in one function: which of the
//! figures a viewer could see may be shown. Every figure — a rater group's average, "all
//! raters", a team view, a filtered view, an export's row — is built from a set of answers
//! (known by pseudonyms, never by raters). A figure is shown only when its set holds at
//! least `k` answers, and only when its set, against every figure already shown to the
//! viewer or published before (earlier cycles of the same subject), is equal or differs by
//! at least `k` answers: otherwise subtracting one from the other would single someone
//! out, so the figure is hidden and the page says why.
//!
//! Callers list figures from the coarsest to the finest, so when two clash the broader one
//! stays; "all raters" is built only from the groups that meet `k` ([`pooled`]), so a
//! group below `k` is never folded into it.

use std::collections::BTreeSet;

/// An answer's pseudonym: stable for its rater and subject, meaningless without the key.
pub type Pseudonym = u64;

/// The answers behind one figure.
pub type AnswerSet = BTreeSet<Pseudonym>;

/// Whether a figure may be shown, and why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Shown,
    /// Fewer than `k` answers.
    TooFew,
    /// Would differ from the figure at this index (of `published`, then of the figures)
    /// by fewer than `k` answers.
    Differencing {
        against: usize,
    },
}

impl Verdict {
    pub fn shown(self) -> bool {
        self == Verdict::Shown
    }
    /// What the page says in the figure's place.
    pub fn reason(self) -> &'static str {
        match self {
            Verdict::Shown => "",
            Verdict::TooFew => "hidden to protect anonymity: too few answers",
            Verdict::Differencing { .. } => {
                "hidden to protect anonymity: compared with another figure it would single someone out"
            }
        }
    }
}

/// The symmetric difference's size, without building it.
fn differ(a: &AnswerSet, b: &AnswerSet) -> usize {
    let shared = a.intersection(b).count();
    a.len() + b.len() - 2 * shared
}

/// The rule: a verdict per figure, in order. `published` are sets already shown (earlier
/// cycles): a new figure must keep its distance from them too.
pub fn visible(figures: &[AnswerSet], published: &[AnswerSet], k: u32) -> Vec<Verdict> {
    let k = k.max(1) as usize;
    let mut shown: Vec<(usize, &AnswerSet)> = published.iter().enumerate().collect();
    let mut out = Vec::with_capacity(figures.len());
    for (i, f) in figures.iter().enumerate() {
        let verdict = if f.len() < k {
            Verdict::TooFew
        } else if let Some((against, _)) = shown.iter().find(|(_, s)| {
            let d = differ(f, s);
            d != 0 && d < k
        }) {
            Verdict::Differencing { against: *against }
        } else {
            shown.push((published.len() + i, f));
            Verdict::Shown
        };
        out.push(verdict);
    }
    out
}

/// "All raters": the union of the groups that meet `k` — a group below `k` is dropped
/// whole, never folded in.
pub fn pooled(groups: &[AnswerSet], k: u32) -> AnswerSet {
    groups
        .iter()
        .filter(|g| g.len() >= k.max(1) as usize)
        .flat_map(|g| g.iter().copied())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(v: &[u64]) -> AnswerSet {
        v.iter().copied().collect()
    }

    #[test]
    fn a_group_below_k_is_dropped_whole() {
        let peers = set(&[1, 2, 3]);
        let reports = set(&[4, 5]);
        let all = pooled(&[peers.clone(), reports.clone()], 3);
        assert_eq!(all, peers, "the two reports are not folded into all raters");
        let v = visible(&[all, peers, reports], &[], 3);
        assert_eq!(v, [Verdict::Shown, Verdict::Shown, Verdict::TooFew]);
    }

    #[test]
    fn two_figures_one_answer_apart_are_never_both_shown() {
        // All raters, and a filter that leaves one of them out.
        let v = visible(&[set(&[1, 2, 3, 4, 5, 6]), set(&[1, 2, 3, 4, 5])], &[], 3);
        assert_eq!(v, [Verdict::Shown, Verdict::Differencing { against: 0 }]);
        // Groups of three and four against their union of seven: 4 and 3 apart, both fine.
        let v = visible(
            &[
                set(&[1, 2, 3, 4, 5, 6, 7]),
                set(&[1, 2, 3]),
                set(&[4, 5, 6, 7]),
            ],
            &[],
            3,
        );
        assert!(v.iter().all(|v| v.shown()));
    }

    #[test]
    fn a_rater_who_dropped_out_since_the_last_cycle_hides_the_new_figure() {
        let last = set(&[1, 2, 3, 4]);
        let now = set(&[1, 2, 3]);
        assert_eq!(
            visible(std::slice::from_ref(&now), &[last], 3),
            [Verdict::Differencing { against: 0 }]
        );
        // Three new answers since: far enough apart.
        assert_eq!(
            visible(&[set(&[1, 2, 3, 4, 5, 6, 7])], &[set(&[1, 2, 3, 4])], 3),
            [Verdict::Shown]
        );
    }

    #[test]
    fn no_two_visible_figures_differ_by_fewer_than_k_answers() {
        // A randomized check over many small worlds.
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..2_000 {
            let k = 2 + next(4) as u32;
            let make = |next: &mut dyn FnMut(u64) -> u64| -> AnswerSet {
                (0..next(12)).map(|_| next(14)).collect()
            };
            let published: Vec<AnswerSet> = (0..next(3)).map(|_| make(&mut next)).collect();
            let figures: Vec<AnswerSet> = (0..1 + next(8)).map(|_| make(&mut next)).collect();
            let verdicts = visible(&figures, &published, k);
            let mut seen: Vec<&AnswerSet> = published.iter().collect();
            for (f, v) in figures.iter().zip(&verdicts) {
                if v.shown() {
                    assert!(f.len() >= k as usize);
                    seen.push(f);
                }
            }
            // Published sets may clash with each other (they predate this check); every
            // pair with a new figure in it keeps its distance.
            for (i, a) in seen.iter().enumerate() {
                for b in seen
                    .iter()
                    .skip(i + 1)
                    .filter(|b| !published.iter().any(|p| std::ptr::eq(p, **b)))
                {
                    let d = differ(a, b);
                    assert!(
                        d == 0 || d >= k as usize,
                        "{a:?} and {b:?} differ by {d} < {k}"
                    );
                }
            }
        }
    }
}
