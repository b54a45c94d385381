//! Demo growth data: career plans for most people (some not reviewed for months), plate
//! wishes, open
//! opportunities posted by the demo manager and department heads — one needing a skill
//! nobody inside has, one needing the candidate's manager's approval — and a placement
//! waiting for the demo manager's approval; a talent pool with the specialists the Japan
//! work needs. The demo's mentoring is `crate::mentoring::demo`.

use super::career::{GrowthArea, PlanFields};
use super::opportunities::NewOpportunity;
use super::stretch::Requirement;
use crate::clock::local_date;
use crate::demo::DemoOrg;
use crate::demo::DemoRng;
use crate::error::CoreResult;
use crate::growth::store::GrowthStore;
use crate::ids::PersonId;
use chrono::Duration;
use std::collections::HashMap;

/// Poster (position in the demo), title, requirements, hours a week, weeks, approval.
type Planned = (usize, &'static str, Vec<Requirement>, f64, u32, bool);
/// The opportunities the demo posts: two by the demo manager stretching their own team's
/// skills, two by department heads (one needing approval, one needing a skill nobody has).
fn planned(org: &DemoOrg, heads: &[usize]) -> Vec<Planned> {
    // Skills of the demo manager's reports: work that would stretch them.
    let mut team_skills: Vec<String> = org
        .people
        .iter()
        .filter(|p| p.manager == Some(org.manager))
        .flat_map(|p| p.record.skills.iter().map(|s| s.skill.to_string()))
        .collect();
    team_skills.sort();
    team_skills.dedup();
    let skill = |k: usize, fallback: &str| {
        team_skills
            .get(k % team_skills.len().max(1))
            .cloned()
            .unwrap_or_else(|| fallback.to_string())
    };
    vec![
        (
            org.manager,
            "Lead the next incident review",
            vec![Requirement {
                skill: skill(0, "communication"),
                level: 3,
            }],
            3.0,
            4,
            false,
        ),
        (
            org.manager,
            "Prototype the reporting dashboard",
            vec![
                Requirement {
                    skill: skill(1, "sql"),
                    level: 4,
                },
                Requirement {
                    skill: skill(2, "python"),
                    level: 3,
                },
            ],
            5.0,
            6,
            false,
        ),
        (
            heads.first().copied().unwrap_or(org.admin),
            "Mentor this year's interns",
            vec![Requirement {
                skill: skill(3, "coaching"),
                level: 3,
            }],
            2.0,
            12,
            true,
        ),
        (
            heads.get(1).copied().unwrap_or(org.admin),
            "Localise the product for Japan",
            vec![Requirement {
                skill: "japanese".into(),
                level: 4,
            }],
            8.0,
            10,
            false,
        ),
    ]
}

/// Writes the demo's opportunities; `ids` maps the demo's e-mail addresses to people.
pub async fn load(store: &dyn GrowthStore, org: &DemoOrg, now: i64) -> CoreResult<usize> {
    let snapshot = store.org_snapshot().await?;
    let ids: HashMap<&str, PersonId> = snapshot
        .people
        .iter()
        .map(|p| (p.record.email.as_str(), p.id))
        .collect();
    let id_of = |i: usize| ids.get(org.people[i].record.email.as_str()).copied();
    let heads: Vec<usize> = org
        .people
        .iter()
        .enumerate()
        .filter(|(_, p)| p.manager.is_some_and(|m| org.people[m].manager.is_none()))
        .map(|(i, _)| i)
        .take(3)
        .collect();
    let mut posted = Vec::new();
    let plans = planned(org, &heads);
    for (poster, title, mut requirements, hours, weeks, approval) in plans {
        // A small team may offer the same skill twice.
        requirements.sort_by(|a, b| a.skill.cmp(&b.skill));
        requirements.dedup_by(|a, b| a.skill == b.skill);
        let Some(poster) = id_of(poster) else {
            continue;
        };
        let id = store
            .create_opportunity(&NewOpportunity {
                title: title.into(),
                description: String::new(),
                poster,
                hours_per_week: hours,
                weeks,
                needs_manager_approval: approval,
                requirements,
                created_at: now - 86_400,
            })
            .await?;
        posted.push((id, approval, poster));
    }
    // A head proposes one of the demo manager's reports through the same code as a person
    // would, so the explanation shown is the one Trellis computed.
    if let Some(&(opportunity, _, poster)) = posted.iter().find(|p| p.1) {
        let reports: Vec<PersonId> = org
            .people
            .iter()
            .filter(|p| p.manager == Some(org.manager))
            .filter_map(|p| ids.get(p.record.email.as_str()).copied())
            .collect();
        let head = crate::access::Viewer::signed_in(crate::ids::AccountId(0), poster, false, 1);
        let shown = super::opportunities::show(store, &head, opportunity, now - 3600).await?;
        let chosen = shown
            .suggestions
            .iter()
            .find(|s| reports.contains(&s.person.id) && s.fit.has_capacity)
            .or_else(|| shown.suggestions.iter().find(|s| s.fit.has_capacity))
            .map(|s| s.person.id);
        if let Some(person) = chosen {
            super::opportunities::accept(store, &head, opportunity, person, now - 3600).await?;
        }
    }
    career_plans(store, org, &ids, now).await?;
    plate_wishes(store, org, &ids, now).await?;
    talent_pool(store, now).await?;
    Ok(posted.len())
}

const WISHES_OFF: [&str; 5] = [
    "on-call rotations",
    "status reports",
    "recruiting interviews",
    "release coordination",
    "support tickets",
];
const WISHES_ON: [&str; 5] = [
    "customer conversations",
    "mentoring a new joiner",
    "architecture work",
    "public speaking",
    "data analysis",
];

/// About one person in five has said what they would like moved off or onto their plate;
/// the demo member and one of the demo manager's reports always have.
async fn plate_wishes(
    store: &dyn GrowthStore,
    org: &DemoOrg,
    ids: &HashMap<&str, PersonId>,
    now: i64,
) -> CoreResult<()> {
    use super::wishes::{Direction, NewWish};
    let mut rng = DemoRng::new(0x0FF_0A7E);
    // The demo member wishes one of their commitments off their plate, and a teammate
    // has asked for work with its skill: the manager's team view offers it to them.
    if let Some(&member) = ids.get(org.people[org.member].record.email.as_str()) {
        let open = store
            .open_commitments(
                &[member],
                crate::work::store::CommitmentOrder::Priority,
                None,
                20,
            )
            .await?;
        let teammate = org
            .people
            .iter()
            .enumerate()
            // The last teammate: the first one of the demo manager's reports is overloaded.
            .rfind(|(i, p)| {
                *i != org.member
                    && p.manager == org.people[org.member].manager
                    && p.record.status == crate::org::PersonStatus::Active
            })
            .and_then(|(_, p)| ids.get(p.record.email.as_str()).copied());
        if let (Some(c), Some(teammate)) = (open.iter().find(|c| !c.skills.is_empty()), teammate) {
            store
                .add_plate_wish(&NewWish {
                    person: member,
                    direction: Direction::Off,
                    what: c.title.clone(),
                    commitment: Some(c.id),
                    created_at: now - 86_400 * 3,
                })
                .await?;
            store
                .add_plate_wish(&NewWish {
                    person: teammate,
                    direction: Direction::On,
                    what: format!("more {}", c.skills[0]),
                    commitment: None,
                    created_at: now - 86_400 * 9,
                })
                .await?;
        }
    }
    for (i, p) in org.people.iter().enumerate().take(PLANS_AT_MOST) {
        let always = i == org.member || p.manager == Some(org.manager);
        if !always && !rng.chance(0.2) {
            continue;
        }
        let Some(&id) = ids.get(p.record.email.as_str()) else {
            continue;
        };
        let grow = p
            .record
            .skills
            .iter()
            .find(|s| s.wants_to_grow)
            .map(|s| format!("more {}", s.skill));
        for (direction, what) in [
            (Direction::Off, rng.pick(&WISHES_OFF).to_string()),
            (
                Direction::On,
                grow.unwrap_or_else(|| rng.pick(&WISHES_ON).to_string()),
            ),
        ] {
            store
                .add_plate_wish(&NewWish {
                    person: id,
                    direction,
                    what,
                    commitment: None,
                    created_at: now - 86_400 * rng.range(1, 60) as i64,
                })
                .await?;
        }
    }
    Ok(())
}

/// Career plans are written one by one with their history; a very large demo gets them for
/// its first people only, which is enough to show the feature.
pub(crate) const PLANS_AT_MOST: usize = 1500;

async fn career_plans(
    store: &dyn GrowthStore,
    org: &DemoOrg,
    ids: &HashMap<&str, PersonId>,
    now: i64,
) -> CoreResult<()> {
    let mut rng = DemoRng::new(0xCA7EE7);
    let levels = store.levels().await?;
    let today = local_date(None, now);
    for p in org.people.iter().take(PLANS_AT_MOST) {
        if !rng.chance(0.8) {
            continue;
        }
        let Some(&id) = ids.get(p.record.email.as_str()) else {
            continue;
        };
        let manager = p
            .manager
            .and_then(|m| ids.get(org.people[m].record.email.as_str()).copied());
        let next_level = p
            .record
            .level
            .as_ref()
            .and_then(|code| levels.iter().position(|l| l.code == *code))
            .and_then(|i| levels.get(i + 1))
            .map(|l| l.id);
        let growth_areas: Vec<GrowthArea> = p
            .record
            .skills
            .iter()
            .filter(|s| s.wants_to_grow && s.level < 5)
            .take(2)
            .map(|s| GrowthArea {
                skill: s.skill.to_string(),
                current: s.level,
                target: s.level + 1,
            })
            .collect();
        // Written and reviewed after the person started, never before.
        let started = p.record.start_date.map(at_noon).unwrap_or(i64::MIN);
        let written = (now - 86_400 * rng.range(200, 400) as i64).max(started + 86_400);
        if written >= now {
            continue; // started today: no plan yet
        }
        let fields = PlanFields {
            growth_goals: Vec::new(),
            target_role: p.record.title.as_deref().map(next_role).unwrap_or_default(),
            target_level: next_level,
            strengths: p
                .record
                .skills
                .iter()
                .filter(|s| s.level >= 4)
                .map(|s| s.skill.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            growth_areas,
        };
        // Most were reviewed recently; some not for over six months; never before written.
        let days_ago = rng
            .range(10, 300)
            .min(((now - written) / 86_400).max(0) as u64) as i64;
        let reviewed = today - Duration::days(days_ago);
        let mut work = store.begin_growth_write().await?;
        work.save_career_plan(id, &fields, id, written).await?;
        work.note_plan_history(id, id, written, "Plan updated")
            .await?;
        work.mark_career_plan_reviewed(id, reviewed).await?;
        work.note_plan_history(
            id,
            manager.unwrap_or(id),
            now - days_ago * 86_400,
            "Reviewed together",
        )
        .await?;
        work.commit().await?;
    }
    Ok(())
}

/// The next step from a job title: "Software Engineer" → "Senior Software Engineer", but
/// "Senior Software Engineer" → "Staff Software Engineer" (never "Senior Senior …").
fn next_role(title: &str) -> String {
    const LADDER: [(&str, &str); 6] = [
        ("Junior ", ""),
        ("Senior ", "Staff "),
        ("Staff ", "Principal "),
        ("Principal ", "Distinguished "),
        ("Head of ", "Director of "),
        ("VP ", "SVP "),
    ];
    for (now, next) in LADDER {
        if let Some(rest) = title.strip_prefix(now) {
            return format!("{next}{rest}");
        }
    }
    format!("Senior {title}")
}

fn at_noon(day: chrono::NaiveDate) -> i64 {
    day.and_hms_opt(12, 0, 0)
        .map(|t| t.and_utc().timestamp())
        .unwrap_or(0)
}

/// External specialists: people for the skills the organisation has, and for Japanese,
/// which nobody inside speaks.
async fn talent_pool(store: &dyn GrowthStore, now: i64) -> CoreResult<()> {
    use super::talent::NewTalent;
    let today = local_date(None, now);
    let skills = store.skill_names().await?;
    let mut rng = DemoRng::new(0x007A_1EE7);
    const NAMES: [&str; 10] = [
        "Aiko Tanaka",
        "Kenji Watanabe",
        "Maren Solberg",
        "Tomás Herrera",
        "Priya Raman",
        "Jonas Becker",
        "Chloé Martin",
        "Sam Okafor",
        "Ines Duarte",
        "Yuki Mori",
    ];
    let mut pool = Vec::new();
    for (i, name) in NAMES.iter().enumerate() {
        let mut offered: Vec<Requirement> = Vec::new();
        if i < 2 || i == 9 {
            offered.push(Requirement {
                skill: "japanese".into(),
                level: 5 - (i == 9) as u8,
            });
        }
        for _ in 0..2 {
            if let Some(s) = (!skills.is_empty()).then(|| rng.pick(&skills).clone())
                && !offered.iter().any(|o| o.skill == s)
            {
                offered.push(Requirement {
                    skill: s,
                    level: rng.range(4, 5) as u8,
                });
            }
        }
        pool.push(NewTalent {
            name: (*name).into(),
            email: Some(format!(
                "{}@specialists.example",
                name.split_whitespace()
                    .next()
                    .unwrap_or("x")
                    .to_lowercase()
                    .replace('é', "e")
                    .replace('á', "a")
            )),
            skills: offered,
            hourly_rate: rng.range(70, 160) as f64,
            hours_per_week: rng.range(10, 30) as f64,
            available_from: today + Duration::days(rng.range(0, 45) as i64),
            note: String::new(),
            created_at: now,
            created_by: None,
        });
    }
    store.add_talent(&pool).await?;
    Ok(())
}

#[cfg(test)]
mod role_tests {
    use super::next_role;

    #[test]
    fn the_next_role_never_repeats_a_seniority() {
        assert_eq!(next_role("Software Engineer"), "Senior Software Engineer");
        assert_eq!(
            next_role("Senior Software Engineer"),
            "Staff Software Engineer"
        );
        assert_eq!(next_role("Staff Designer"), "Principal Designer");
        assert_eq!(next_role("Head of Sales"), "Director of Sales");
        assert_eq!(next_role("Junior Analyst"), "Analyst");
    }
}
