//! Properties of connection rounds, checked over many generated programmes.

use super::*;

struct Programme {
    members: Vec<Member>,
    history: History,
    excluded: HashSet<u64>,
    group_size: usize,
    odd_one: OddOne,
    round: u32,
}

impl Programme {
    fn new(n: usize, group_size: usize, odd_one: OddOne) -> Programme {
        Programme {
            members: vec![Member::new(NO_GROUP, true); n],
            history: History::default(),
            excluded: HashSet::new(),
            group_size,
            odd_one,
            round: 0,
        }
    }

    fn rules(&self) -> Rules {
        Rules {
            round: self.round + 1,
            group_size: self.group_size,
            odd_one: self.odd_one,
            excluded: self.excluded.clone(),
        }
    }

    /// Plans and records the next round, checking what must hold in every round.
    fn next(&mut self) -> Plan {
        let rules = self.rules();
        let plan = plan_round(&self.members, &self.history, &rules);
        self.check(&plan, &rules);
        self.round += 1;
        record_round(&mut self.members, &mut self.history, &plan, self.round);
        plan
    }

    fn check(&self, plan: &Plan, rules: &Rules) {
        let mut seen = vec![0; self.members.len()];
        for &p in plan.groups.iter().flatten().chain(&plan.sit_out) {
            seen[p as usize] += 1;
        }
        for (i, member) in self.members.iter().enumerate() {
            let expected = usize::from(member.present);
            assert_eq!(seen[i], expected, "member {i} placed {} times", seen[i]);
        }
        for group in &plan.groups {
            assert!((2..=3).contains(&group.len()), "{group:?}");
            for (x, &a) in group.iter().enumerate() {
                for &b in &group[x + 1..] {
                    assert!(rules.allowed(a, b), "excluded pair {a}-{b} grouped");
                }
            }
        }
        if self.group_size == 2 {
            self.check_repeats_unavoidable(plan, rules);
        }
    }

    /// No two people who meet only colleagues they met before (or sit out) could have met
    /// each other for the first time instead.
    fn check_repeats_unavoidable(&self, plan: &Plan, rules: &Rules) {
        let mut stuck = Vec::new();
        for group in &plan.groups {
            for &a in group {
                if !plan.odd.contains(&a)
                    && !plan.moved.contains(&a)
                    && group.iter().all(|&b| b == a || self.history.has_met(a, b))
                {
                    stuck.push(a);
                }
            }
        }
        for (x, &a) in stuck.iter().enumerate() {
            for &b in &stuck[x + 1..] {
                assert!(
                    self.history.has_met(a, b) || !rules.allowed(a, b),
                    "round {}: {a} and {b} repeated with others though they never met",
                    rules.round
                );
            }
        }
    }

    fn coverage(&self) -> f64 {
        let counted = vec![true; self.members.len()];
        coverage(&counted, &self.history, &self.excluded).unwrap_or(1.0)
    }
}

struct Random(Shuffle);

impl Random {
    fn new(seed: u64) -> Random {
        Random(Shuffle::new(seed))
    }
    fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }
}

#[test]
fn even_groups_reach_the_circle_limit_without_a_repeat() {
    for n in [2, 4, 6, 8, 10, 14, 20, 50, 64] {
        let mut programme = Programme::new(n, 2, OddOne::Trio);
        for round in 1..n {
            let plan = programme.next();
            assert_eq!(plan.repeats, 0, "n = {n}, round {round}");
            assert_eq!(plan.groups.len(), n / 2);
        }
        assert_eq!(programme.coverage(), 1.0, "n = {n}");
        // After the limit, the pairs that met longest ago come first: the next cycle
        // repeats the first round's pairs.
        let first: HashSet<u64> = programme
            .history
            .pairs()
            .filter(|(_, _, m)| m.last == 1)
            .map(|(a, b, _)| pair_key(a, b))
            .collect();
        let again = programme.next();
        for group in &again.groups {
            assert!(first.contains(&pair_key(group[0], group[1])), "n = {n}");
        }
    }
}

#[test]
fn odd_groups_reach_full_coverage_within_n_rounds_and_rotate_the_odd_one() {
    for n in [3, 5, 7, 9, 15, 51] {
        for odd_one in [OddOne::SitOut, OddOne::Trio] {
            let mut programme = Programme::new(n, 2, odd_one);
            let mut last_odd: Option<u32> = None;
            for round in 1..=n {
                let plan = programme.next();
                assert_eq!(plan.odd.len(), 1, "n = {n}, round {round}");
                if odd_one == OddOne::SitOut {
                    assert_eq!(plan.repeats, 0, "n = {n}, round {round}");
                    assert_eq!(plan.sit_out, plan.odd);
                } else {
                    assert!(plan.sit_out.is_empty());
                    assert_eq!(plan.groups.iter().filter(|g| g.len() == 3).count(), 1);
                }
                assert_ne!(last_odd, Some(plan.odd[0]), "odd twice in a row, n = {n}");
                last_odd = Some(plan.odd[0]);
                let counts: Vec<u32> = programme.members.iter().map(|m| m.odd_count).collect();
                let (low, high) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
                assert!(high - low <= 1, "n = {n}: odd counts {counts:?}");
            }
            // In a group of seven, keeping everyone out of the trio twice in a row costs
            // up to a round; from nine on, the limit holds as for pairs.
            let mut rounds = n;
            while programme.coverage() < 1.0 {
                programme.next();
                rounds += 1;
            }
            let allowed = if odd_one == OddOne::Trio && n == 7 {
                n + 1
            } else {
                n
            };
            assert!(rounds <= allowed, "n = {n}, {odd_one:?}: {rounds} rounds");
        }
    }
}

#[test]
fn nobody_is_in_the_trio_twice_in_a_row() {
    // With five, three are in the trio and only two are not: from seven on it is possible.
    for n in [7, 9, 11, 21] {
        let mut programme = Programme::new(n, 2, OddOne::Trio);
        let mut previous: Vec<u32> = Vec::new();
        for _ in 0..3 * n {
            let plan = programme.next();
            let trio = plan.groups.iter().find(|g| g.len() == 3).unwrap().clone();
            assert!(
                trio.iter().all(|m| !previous.contains(m)),
                "n = {n}: {previous:?} then {trio:?}"
            );
            previous = trio;
        }
    }
}

#[test]
fn absences_opt_outs_and_exclusions_hold_in_every_round() {
    for seed in 0..60 {
        let mut random = Random::new(seed);
        let n = 4 + random.below(60);
        let size = if seed % 4 == 3 { 3 } else { 2 };
        let odd = if seed % 2 == 0 {
            OddOne::Trio
        } else {
            OddOne::SitOut
        };
        let mut programme = Programme::new(n, size, odd);
        for _ in 0..n / 4 {
            let (a, b) = (random.below(n) as u32, random.below(n) as u32);
            if a != b {
                programme.excluded.insert(pair_key(a, b));
            }
        }
        for _ in 0..2 * n {
            for member in programme.members.iter_mut() {
                member.present = random.below(10) != 0;
            }
            // `next` checks placement, exclusions and that repeats were unavoidable.
            programme.next();
        }
    }
}

#[test]
fn large_groups_are_repaired_greedily_with_the_same_guarantees() {
    let mut random = Random::new(99);
    let n = 1_201;
    let mut programme = Programme::new(n, 2, OddOne::Trio);
    for _ in 0..300 {
        let (a, b) = (random.below(n) as u32, random.below(n) as u32);
        if a != b {
            programme.excluded.insert(pair_key(a, b));
        }
    }
    for _ in 0..4 {
        for member in programme.members.iter_mut() {
            member.present = random.below(20) != 0;
        }
        let plan = programme.next();
        assert_eq!(plan.repeats, 0);
    }
}

#[test]
fn meeting_across_teams_is_preferred_without_costing_the_limit() {
    let mut with_total = 0;
    let mut without_total = 0;
    for seed in 0..10 {
        let mut random = Random::new(seed + 1000);
        let n = 24;
        let teams: Vec<u32> = (0..n).map(|_| random.below(4) as u32).collect();
        let same_team_pairs = |programme: &mut Programme, rounds: usize| {
            let mut same = 0;
            for _ in 0..rounds {
                let plan = programme.next();
                same += plan
                    .groups
                    .iter()
                    .filter(|g| teams[g[0] as usize] == teams[g[1] as usize])
                    .count();
            }
            same
        };
        let mut with = Programme::new(n, 2, OddOne::Trio);
        for (member, &team) in with.members.iter_mut().zip(&teams) {
            member.group = team;
        }
        let mut without = Programme::new(n, 2, OddOne::Trio);
        with_total += same_team_pairs(&mut with, 8);
        without_total += same_team_pairs(&mut without, 8);
        same_team_pairs(&mut with, n - 1 - 8);
        assert_eq!(with.coverage(), 1.0);
        assert_eq!(with.history.len(), n * (n - 1) / 2, "no repeats on the way");
    }
    assert!(
        with_total * 5 < without_total * 3,
        "same-team pairs in the first 8 rounds: {with_total} with the preference, {without_total} without"
    );
}

#[test]
fn trios_respect_history_and_rotate_the_pairs() {
    for n in [9, 10, 11, 12, 15, 20, 31] {
        let mut programme = Programme::new(n, 3, OddOne::Trio);
        for round in 1..=2 {
            let plan = programme.next();
            assert_eq!(plan.repeats, 0, "n = {n}, round {round}");
        }
        for _ in 0..3 * n {
            programme.next();
            let counts: Vec<u32> = programme.members.iter().map(|m| m.odd_count).collect();
            let (low, high) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            assert!(high - low <= 1, "n = {n}: pair counts {counts:?}");
        }
        assert!(
            programme.coverage() > 0.95,
            "n = {n}: {}",
            programme.coverage()
        );
    }
}

#[test]
fn coverage_leaves_out_opted_out_people_and_excluded_pairs() {
    // Four counted people (six pairs), one excluded pair: five allowed; two have met.
    let mut history = History::default();
    history.record(0, 1, 1);
    history.record(2, 3, 1);
    history.record(0, 4, 1); // 4 has opted out since
    let excluded: HashSet<u64> = [pair_key(1, 2)].into();
    let counted = [true, true, true, true, false];
    assert_eq!(coverage(&counted, &history, &excluded), Some(2.0 / 5.0));
    assert_eq!(coverage(&[true], &history, &excluded), None);
}

#[test]
fn one_present_person_sits_out_and_an_empty_round_is_empty() {
    let mut programme = Programme::new(3, 2, OddOne::Trio);
    programme.members[0].present = false;
    programme.members[1].present = false;
    let plan = programme.next();
    assert_eq!(plan.sit_out, vec![2]);
    assert!(plan.groups.is_empty());
    programme.members[2].present = false;
    assert_eq!(
        programme.next(),
        Plan {
            circle_round: None,
            ..Plan::default()
        }
    );
}
