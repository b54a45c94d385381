//! Skill sourcing: when nobody inside qualifies for an opportunity — nobody has at least
//! [`QUALIFYING_FIT`] skill fit together with the hours free — the options are put side by
//! side: the best internal stretch candidate with a mentor who has the skill (costing both
//! of them time, no money, starting now), and specialists from the talent pool (costing
//! money, starting when they are available). Pure: the caller brings the scored candidates
//! and the pool.

use super::opportunities::{Candidate, Opportunity, Suggestion};
use super::talent::Talent;
use crate::ids::PersonName;
use crate::ids::TalentId;
use chrono::NaiveDate;
use serde::Serialize;

/// Skill fit an internal candidate needs (with the free hours) to qualify.
pub const QUALIFYING_FIT: f64 = 0.8;
/// Hours a week a mentor gives to an internal stretch candidate.
pub const MENTOR_HOURS_PER_WEEK: f64 = 1.0;
/// Most talent-pool specialists listed.
pub const EXTERNAL_SHOWN: usize = 5;

/// Someone inside qualifies: the skills (at least [`QUALIFYING_FIT`]) and the time.
pub fn qualifies(s: &Suggestion) -> bool {
    s.fit.has_capacity && s.fit.parts.skill_fit >= QUALIFYING_FIT
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OptionKind {
    InternalStretch,
    External,
}

/// One way to get the work done.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourcingOption {
    pub kind: OptionKind,
    pub summary: String,
    /// The internal candidate and their mentor.
    pub people: Vec<PersonName>,
    pub talent: Option<TalentId>,
    /// Share of the required levels met, 0–1.
    pub skill_fit: f64,
    /// Money, in the organisation's currency (0 for internal options).
    pub cost: f64,
    /// Hours of people inside it takes in all.
    pub internal_hours: f64,
    /// Days until the work can start.
    pub lead_time_days: i64,
    pub explanation: String,
}

/// The options when nobody inside qualifies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sourcing {
    pub reason: String,
    pub options: Vec<SourcingOption>,
}

fn level_of(c: &Candidate, skill: &str) -> Option<u8> {
    c.skills.iter().find(|s| s.skill == skill).map(|s| s.level)
}

fn hours(h: f64) -> String {
    let r = (h * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{r:.0} h")
    } else {
        format!("{r:.1} h")
    }
}

/// The options for `o`, or `None` when someone inside qualifies. `suggestions` are every
/// scored candidate (best first), `candidates` the same people with their skills.
pub fn options(
    o: &Opportunity,
    suggestions: &[Suggestion],
    candidates: &[Candidate],
    pool: &[Talent],
    today: NaiveDate,
) -> Option<Sourcing> {
    if suggestions.iter().any(qualifies) {
        return None;
    }
    let reason = why_nobody_qualifies(o, suggestions);
    let mut options: Vec<SourcingOption> = internal_stretch(o, suggestions, candidates)
        .into_iter()
        .collect();
    options.extend(external_options(o, pool, today));
    Some(Sourcing { reason, options })
}

/// Why nobody inside qualifies, in a sentence.
fn why_nobody_qualifies(o: &Opportunity, suggestions: &[Suggestion]) -> String {
    if suggestions.is_empty() {
        let skills: Vec<&str> = o.requirements.iter().map(|r| r.skill.as_str()).collect();
        format!(
            "Nobody inside qualifies: nobody has {} at any level, so there is no one to stretch \
             into it either.",
            skills.join(" or ")
        )
    } else {
        format!(
            "Nobody inside qualifies: of {} {} with one of the skills, none has at least {:.0} % \
             skill fit and {} a week free.",
            suggestions.len(),
            if suggestions.len() == 1 {
                "person"
            } else {
                "people"
            },
            QUALIFYING_FIT * 100.0,
            hours(o.hours_per_week)
        )
    }
}

/// The best internal candidate with the time, mentored where someone inside has the
/// missing skill and an hour a week.
fn internal_stretch(
    o: &Opportunity,
    suggestions: &[Suggestion],
    candidates: &[Candidate],
) -> Option<SourcingOption> {
    let weeks = f64::from(o.weeks);
    let stretch = suggestions
        .iter()
        .filter(|s| s.fit.has_capacity)
        .max_by(|a, b| a.fit.score.total_cmp(&b.fit.score));
    let s = stretch?;
    let who = candidates.iter().find(|c| c.id == s.person.id)?;
    let gaps: Vec<(&str, u8, Option<u8>)> = o
        .requirements
        .iter()
        .filter_map(|r| {
            let have = level_of(who, &r.skill);
            (have.unwrap_or(0) < r.level).then_some((r.skill.as_str(), r.level, have))
        })
        .collect();
    // A mentor has every missing skill at the level the work needs, and an hour free.
    let mentor = candidates
        .iter()
        .filter(|c| c.id != who.id)
        .filter(|c| {
            gaps.iter()
                .all(|(skill, need, _)| level_of(c, skill).unwrap_or(0) >= *need)
        })
        .filter(|c| {
            suggestions
                .iter()
                .find(|x| x.person.id == c.id)
                .is_some_and(|x| x.free_hours_per_week >= MENTOR_HOURS_PER_WEEK)
        })
        .max_by_key(|c| {
            gaps.iter()
                .map(|(skill, _, _)| u32::from(level_of(c, skill).unwrap_or(0)))
                .sum::<u32>()
        });
    let gap_text: Vec<String> = gaps
        .iter()
        .map(|(skill, need, have)| match have {
            Some(h) => format!("{skill} at {h} (needs {need})"),
            None => format!("no {skill} yet (needs {need})"),
        })
        .collect();
    let candidate_hours = o.hours_per_week * weeks;
    let mut people = vec![s.person.clone()];
    let (summary, explanation, mentor_hours) = match mentor {
        Some(m) => {
            people.push(PersonName {
                id: m.id,
                name: m.name.clone(),
            });
            (
                format!("Stretch {}, mentored by {}", s.person.name, m.name),
                format!(
                    "{} has the time and {}; {} has the skill and can give {} a week to mentor. \
                         It costs {} of {}\u{2019}s time and {} of {}\u{2019}s, and can start now.",
                    s.person.name,
                    gap_text.join(", "),
                    m.name,
                    hours(MENTOR_HOURS_PER_WEEK),
                    hours(candidate_hours),
                    first(&s.person.name),
                    hours(MENTOR_HOURS_PER_WEEK * weeks),
                    first(&m.name),
                ),
                MENTOR_HOURS_PER_WEEK * weeks,
            )
        }
        None => (
            format!("Stretch {} (no mentor inside)", s.person.name),
            format!(
                "{} has the time and {}, but nobody inside has the missing skill at that \
                     level with an hour a week free to mentor. It costs {} of {}\u{2019}s time.",
                s.person.name,
                gap_text.join(", "),
                hours(candidate_hours),
                first(&s.person.name)
            ),
            0.0,
        ),
    };
    Some(SourcingOption {
        kind: OptionKind::InternalStretch,
        summary,
        people,
        talent: None,
        skill_fit: s.fit.parts.skill_fit,
        cost: 0.0,
        internal_hours: candidate_hours + mentor_hours,
        lead_time_days: 0,
        explanation,
    })
}

/// Talent-pool specialists with every skill and the hours, cheapest first.
fn external_options(o: &Opportunity, pool: &[Talent], today: NaiveDate) -> Vec<SourcingOption> {
    let weeks = f64::from(o.weeks);
    let mut external: Vec<SourcingOption> = pool
        .iter()
        .filter(|t| t.hours_per_week >= o.hours_per_week)
        .filter(|t| {
            o.requirements.iter().all(|r| {
                t.skills
                    .iter()
                    .any(|s| s.skill == r.skill && s.level >= r.level)
            })
        })
        .map(|t| {
            let cost = t.hourly_rate * o.hours_per_week * weeks;
            let lead = (t.available_from - today).num_days().max(0);
            let skills: Vec<String> = o
                .requirements
                .iter()
                .filter_map(|r| {
                    t.skills
                        .iter()
                        .find(|s| s.skill == r.skill)
                        .map(|s| format!("{} at {}", s.skill, s.level))
                })
                .collect();
            SourcingOption {
                kind: OptionKind::External,
                summary: format!("{} (talent pool)", t.name),
                people: Vec::new(),
                talent: Some(t.id),
                skill_fit: 1.0,
                cost,
                internal_hours: 0.0,
                lead_time_days: lead,
                explanation: format!(
                    "{} has {}; {} a week at {} an hour for {} weeks; {}.",
                    t.name,
                    skills.join(", "),
                    hours(o.hours_per_week),
                    rate(t.hourly_rate),
                    o.weeks,
                    if lead == 0 {
                        "available now".to_string()
                    } else {
                        format!("available from {}", t.available_from)
                    }
                ),
            }
        })
        .collect();
    external.sort_by(|a, b| {
        a.cost
            .total_cmp(&b.cost)
            .then(a.lead_time_days.cmp(&b.lead_time_days))
    });
    external.truncate(EXTERNAL_SHOWN);
    external
}

fn rate(r: f64) -> String {
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.2}")
    }
}

fn first(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::growth::opportunities::OpportunityStatus;
    use crate::growth::stretch::{Requirement, Weights, fit};
    use crate::ids::{OpportunityId, PersonId};
    use crate::org::SkillLevel;

    fn opportunity() -> Opportunity {
        Opportunity {
            id: OpportunityId(1),
            title: "Database migration".into(),
            description: String::new(),
            poster: PersonName {
                id: PersonId(99),
                name: "Pat Poster".into(),
            },
            hours_per_week: 6.0,
            weeks: 8,
            needs_manager_approval: false,
            status: OpportunityStatus::Open,
            requirements: vec![Requirement {
                skill: "sql".into(),
                level: 4,
            }],
            created_at: 0,
        }
    }

    fn person(id: i64, name: &str, sql: u8) -> Candidate {
        Candidate {
            id: PersonId(id),
            name: name.into(),
            skills: vec![SkillLevel {
                skill: "sql".into(),
                level: sql,
                wants_to_grow: false,
            }],
            team: None,
            manager: None,
        }
    }

    fn scored(o: &Opportunity, c: &Candidate, free: f64) -> Suggestion {
        Suggestion {
            person: PersonName {
                id: c.id,
                name: c.name.clone(),
            },
            fit: fit(
                &c.name,
                &c.skills,
                free,
                None,
                &o.requirements,
                o.hours_per_week,
                &Weights::default(),
            ),
            free_hours_per_week: free,
            details_visible: true,
            team: None,
            manager: None,
        }
    }

    fn talent(id: i64, sql: u8, rate: f64, from: NaiveDate) -> Talent {
        Talent {
            id: TalentId(id),
            name: format!("Ext{id} Smith"),
            email: None,
            skills: vec![Requirement {
                skill: "sql".into(),
                level: sql,
            }],
            hourly_rate: rate,
            hours_per_week: 20.0,
            available_from: from,
            note: String::new(),
            created_by: None,
        }
    }

    #[test]
    fn options_appear_exactly_when_nobody_inside_qualifies() {
        let o = opportunity();
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let ana = person(1, "Ana Lee", 2); // time, 50 % fit
        let bo = person(2, "Bo Chan", 5); // the skill, no time for the work, 2 h free
        let pool = [
            talent(10, 4, 100.0, today + chrono::Duration::days(14)),
            talent(11, 3, 50.0, today), // not at the level
            talent(12, 5, 80.0, today),
        ];
        let people = [ana.clone(), bo.clone()];
        let s = [scored(&o, &ana, 10.0), scored(&o, &bo, 2.0)];
        let got = options(&o, &s, &people, &pool, today).expect("nobody qualifies");
        assert_eq!(
            got.reason,
            "Nobody inside qualifies: of 2 people with one of the skills, none has at least \
             80 % skill fit and 6 h a week free."
        );
        assert_eq!(got.options.len(), 3);
        let internal = &got.options[0];
        assert_eq!(internal.summary, "Stretch Ana Lee, mentored by Bo Chan");
        assert_eq!(internal.internal_hours, 6.0 * 8.0 + 8.0);
        assert_eq!(internal.cost, 0.0);
        assert_eq!(
            internal.explanation,
            "Ana Lee has the time and sql at 2 (needs 4); Bo Chan has the skill and can give \
             1 h a week to mentor. It costs 48 h of Ana\u{2019}s time and 8 h of Bo\u{2019}s, \
             and can start now."
        );
        // Cheapest first: 80 × 6 × 8 = 3,840 now; 100 × 48 = 4,800 in 14 days.
        assert_eq!(got.options[1].talent, Some(TalentId(12)));
        assert_eq!(got.options[1].cost, 3840.0);
        assert_eq!(got.options[2].cost, 4800.0);
        assert_eq!(got.options[2].lead_time_days, 14);

        // Give Bo the time: he qualifies, and there are no options.
        let s = [scored(&o, &ana, 10.0), scored(&o, &bo, 6.0)];
        assert_eq!(options(&o, &s, &people, &pool, today), None);
        // Someone at 80 % fit with the time also qualifies (level 4 of 4 → 100 %; 3 of 4 → 75 %).
        let cy = person(3, "Cy Dahl", 3);
        let s = [scored(&o, &cy, 10.0)];
        assert!(options(&o, &s, std::slice::from_ref(&cy), &pool, today).is_some());
    }
}
