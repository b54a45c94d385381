//! Stretch suggestions: how well a person suits an opportunity, as a score made of named
//! parts (skill fit, growth wish, stretch, free capacity, a wish to move work off their
//! plate) whose weights are settings, and a sentence that says why. Pure functions; the assignment of many opportunities at once is
//! `trellis_insight::assignment` on these scores.

use crate::org::SkillLevel;
use serde::{Deserialize, Serialize};

/// How much each part counts. They need not add up to 1; the score is their weighted mean.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    pub skill_fit: f64,
    pub growth_wish: f64,
    pub stretch: f64,
    pub free_capacity: f64,
    pub move_off: f64,
}

impl Weights {
    /// The weights an admin set under Admin → Settings.
    pub fn from_settings(settings: &crate::settings::Settings) -> Weights {
        Weights {
            skill_fit: f64::from(settings.weight_skill_fit),
            growth_wish: f64::from(settings.weight_growth_wish),
            stretch: f64::from(settings.weight_stretch),
            free_capacity: f64::from(settings.weight_free_capacity),
            move_off: f64::from(settings.weight_move_off),
        }
    }
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            skill_fit: 0.4,
            growth_wish: 0.25,
            stretch: 0.2,
            free_capacity: 0.15,
            move_off: 0.1,
        }
    }
}

/// A skill an opportunity needs, at a level from 1 to 5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RequirementBody))]
pub struct Requirement {
    pub skill: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub level: u8,
}

/// The parts of a score, each from 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Parts {
    /// Mean over required skills of `min(level ÷ required, 1)`; a missing skill counts 0.
    pub skill_fit: f64,
    /// Share of required skills the person wants to grow.
    pub growth_wish: f64,
    /// Mean over required skills: one level below the requirement is a growth step (1),
    /// at or above it no stretch (0.3), two below a long reach (0.3), further or missing 0.
    pub stretch: f64,
    /// Free hours a week ÷ the hours the opportunity needs, at most 1.
    pub free_capacity: f64,
    /// 1 when the person has asked for work to be moved off their plate: taking this on
    /// frees that work for someone who wants it.
    pub move_off: f64,
}

/// A candidate's score with its parts and the sentence that explains it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fit {
    pub score: f64,
    pub parts: Parts,
    /// The person has the free hours the opportunity needs.
    pub has_capacity: bool,
    pub explanation: String,
    /// The same without the free hours and the plate wish, for viewers outside the
    /// person's reporting tree ("has the time free").
    #[serde(skip)]
    pub explanation_outside: String,
}

fn level_of<'a>(skills: &'a [SkillLevel], name: &str) -> Option<&'a SkillLevel> {
    skills.iter().find(|s| s.skill == name)
}

fn stretch_value(have: Option<u8>, need: u8) -> f64 {
    match have {
        None => 0.0,
        Some(h) if h >= need => 0.3,
        Some(h) if h + 1 == need => 1.0,
        Some(h) if h + 2 == need => 0.3,
        Some(_) => 0.0,
    }
}

fn hours(h: f64) -> String {
    let r = (h * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0} h")
    } else {
        format!("{r:.1} h")
    }
}

/// Scores `name` (with `skills`, `free_hours` a week, and what they would like moved off
/// their plate, if anything) for an opportunity needing `requirements` and `hours_per_week`.
pub fn fit(
    name: &str,
    skills: &[SkillLevel],
    free_hours: f64,
    work_off: Option<&str>,
    requirements: &[Requirement],
    hours_per_week: f64,
    weights: &Weights,
) -> Fit {
    let n = requirements.len().max(1) as f64;
    let mut skill_fit = 0.0;
    let mut wish = 0.0;
    let mut stretch = 0.0;
    let mut growth_steps = Vec::new();
    let mut wishes = Vec::new();
    let mut strong = Vec::new();
    let mut missing = Vec::new();
    for r in requirements {
        let have = level_of(skills, &r.skill);
        let level = have.map(|s| s.level);
        skill_fit += level.map_or(0.0, |l| (f64::from(l) / f64::from(r.level)).min(1.0));
        stretch += stretch_value(level, r.level);
        match have {
            Some(s) if s.wants_to_grow => {
                wish += 1.0;
                wishes.push(format!(
                    "{} ({} → {})",
                    r.skill,
                    s.level,
                    r.level.max(s.level + 1).min(5)
                ));
            }
            _ => {}
        }
        match level {
            Some(l) if l >= r.level => strong.push(format!("{} at {l}", r.skill)),
            Some(l) if l + 1 == r.level => {
                growth_steps.push(format!("{} ({l} → {})", r.skill, r.level))
            }
            Some(l) => missing.push(format!("{} ({l}, needs {})", r.skill, r.level)),
            None => missing.push(format!("{} (needs {})", r.skill, r.level)),
        }
    }
    let parts = Parts {
        skill_fit: skill_fit / n,
        growth_wish: wish / n,
        stretch: stretch / n,
        free_capacity: if hours_per_week > 0.0 {
            (free_hours / hours_per_week).clamp(0.0, 1.0)
        } else {
            1.0
        },
        move_off: if work_off.is_some() { 1.0 } else { 0.0 },
    };
    let total_weight = weights.skill_fit
        + weights.growth_wish
        + weights.stretch
        + weights.free_capacity
        + weights.move_off;
    let score = if total_weight > 0.0 {
        (weights.skill_fit * parts.skill_fit
            + weights.growth_wish * parts.growth_wish
            + weights.stretch * parts.stretch
            + weights.free_capacity * parts.free_capacity
            + weights.move_off * parts.move_off)
            / total_weight
    } else {
        0.0
    };
    let has_capacity = free_hours + 1e-9 >= hours_per_week;
    let mut reasons = Vec::new();
    if !wishes.is_empty() {
        reasons.push(format!("wants to grow {}", list(&wishes)));
    } else if !growth_steps.is_empty() {
        reasons.push(format!(
            "would take a growth step in {}",
            list(&growth_steps)
        ));
    }
    if !strong.is_empty() {
        reasons.push(format!("already has {}", list(&strong)));
    }
    if !missing.is_empty() {
        reasons.push(format!("would need help with {}", list(&missing)));
    }
    let mut outside = reasons.clone();
    outside.push(if has_capacity {
        "has the time free".to_string()
    } else {
        "does not have the time free".to_string()
    });
    reasons.push(if has_capacity {
        format!("has {} free a week", hours(free_hours))
    } else {
        format!(
            "has only {} free a week of the {} needed",
            hours(free_hours.max(0.0)),
            hours(hours_per_week)
        )
    });
    if let Some(off) = work_off {
        reasons.push(format!(
            "would like \u{201c}{off}\u{201d} moved off their plate"
        ));
    }
    Fit {
        score,
        parts,
        has_capacity,
        explanation: format!("{name} {}.", list(&reasons)),
        explanation_outside: format!("{name} {}.", list(&outside)),
    }
}

impl Fit {
    /// The fit of someone who said they are interested in the opportunity: the interest
    /// counts as a growth wish in every skill it needs, and the explanation says so first.
    pub fn with_interest(mut self, name: &str, weights: &Weights) -> Fit {
        self.parts.growth_wish = 1.0;
        let p = self.parts;
        let total = weights.skill_fit
            + weights.growth_wish
            + weights.stretch
            + weights.free_capacity
            + weights.move_off;
        if total > 0.0 {
            self.score = (weights.skill_fit * p.skill_fit
                + weights.growth_wish * p.growth_wish
                + weights.stretch * p.stretch
                + weights.free_capacity * p.free_capacity
                + weights.move_off * p.move_off)
                / total;
        }
        for text in [&mut self.explanation, &mut self.explanation_outside] {
            if let Some(rest) = text.strip_prefix(name) {
                *text = format!("{name} said they are interested;{rest}");
            }
        }
        self
    }
}

/// "a", "a and b", "a, b and c".
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(name: &str, level: u8, grow: bool) -> SkillLevel {
        SkillLevel {
            skill: name.into(),
            level,
            wants_to_grow: grow,
        }
    }

    fn need(name: &str, level: u8) -> Requirement {
        Requirement {
            skill: name.into(),
            level,
        }
    }

    #[test]
    fn interest_counts_as_a_growth_wish_and_is_said_first() {
        let plain = fit(
            "Ana",
            &[skill("sql", 2, false)],
            6.0,
            None,
            &[need("sql", 3)],
            4.0,
            &Weights::default(),
        );
        let keen = plain.clone().with_interest("Ana", &Weights::default());
        assert_eq!(plain.parts.growth_wish, 0.0);
        assert_eq!(keen.parts.growth_wish, 1.0);
        let expected = (0.4 * (2.0 / 3.0) + 0.25 + 0.2 + 0.15) / 1.1;
        assert!((keen.score - expected).abs() < 1e-12, "{}", keen.score);
        assert!(keen.score > plain.score);
        assert!(
            keen.explanation
                .starts_with("Ana said they are interested; would take a growth step"),
            "{}",
            keen.explanation
        );
    }

    #[test]
    fn a_growth_wish_one_level_below_is_explained() {
        let f = fit(
            "Ana",
            &[skill("sql", 2, true)],
            6.0,
            None,
            &[need("sql", 3)],
            4.0,
            &Weights::default(),
        );
        assert_eq!(
            f.explanation,
            "Ana wants to grow sql (2 → 3) and has 6 h free a week."
        );
        // fit 2/3, wish 1, stretch 1, capacity 1 (6 of 4 h), nothing to move off.
        let expected = (0.4 * (2.0 / 3.0) + 0.25 + 0.2 + 0.15) / 1.1;
        assert!((f.score - expected).abs() < 1e-12, "{}", f.score);
        assert!(f.has_capacity);
        assert_eq!(
            f.explanation_outside,
            "Ana wants to grow sql (2 → 3) and has the time free."
        );
        // A wish to move work off adds its part and is said (only to the person's chain).
        let off = fit(
            "Ana",
            &[skill("sql", 2, true)],
            6.0,
            Some("status reports"),
            &[need("sql", 3)],
            4.0,
            &Weights::default(),
        );
        assert!((off.score - (expected * 1.1 + 0.1) / 1.1).abs() < 1e-12);
        assert_eq!(
            off.explanation,
            "Ana wants to grow sql (2 → 3), has 6 h free a week and would like \u{201c}status reports\u{201d} moved off their plate."
        );
        assert_eq!(off.explanation_outside, f.explanation_outside);
    }

    #[test]
    fn far_below_is_not_a_stretch_and_missing_capacity_is_said() {
        let f = fit(
            "Bo",
            &[skill("rust", 1, false), skill("sql", 5, false)],
            2.0,
            None,
            &[need("rust", 4), need("sql", 3)],
            8.0,
            &Weights::default(),
        );
        assert_eq!(f.parts.stretch, (0.0 + 0.3) / 2.0);
        assert_eq!(f.parts.skill_fit, (0.25 + 1.0) / 2.0);
        assert_eq!(f.parts.free_capacity, 0.25);
        assert!(!f.has_capacity);
        assert_eq!(
            f.explanation,
            "Bo already has sql at 5, would need help with rust (1, needs 4) and has only 2 h free a week of the 8 h needed."
        );
        assert_eq!(
            f.explanation_outside,
            "Bo already has sql at 5, would need help with rust (1, needs 4) and does not have the time free."
        );
    }

    #[test]
    fn weights_change_the_ranking() {
        let expert = [skill("go", 5, false)];
        let learner = [skill("go", 2, true)];
        let req = [need("go", 3)];
        let by_skill = Weights {
            skill_fit: 1.0,
            growth_wish: 0.0,
            stretch: 0.0,
            free_capacity: 0.0,
            move_off: 0.0,
        };
        let by_growth = Weights {
            skill_fit: 0.0,
            growth_wish: 1.0,
            stretch: 1.0,
            free_capacity: 0.0,
            move_off: 0.0,
        };
        let e = |w| fit("E", &expert, 10.0, None, &req, 5.0, &w).score;
        let l = |w| fit("L", &learner, 10.0, None, &req, 5.0, &w).score;
        assert!(e(by_skill) > l(by_skill));
        assert!(l(by_growth) > e(by_growth));
    }
}
