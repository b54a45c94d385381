//! A deterministic, realistic demo organisation: six departments, spans of control from 3
//! to 10, names, titles, levels, locations, start dates and skills. Used by `trellis demo`
//! and by tests and benchmarks that need a believable org of any size.

use crate::ids::PersonId;
use crate::org::csv_format::{Column, EXPORT_COLUMNS};
use crate::org::import::{
    ExistingPerson, ImportRow, ManagerRef, OrgSnapshot, ParsedFile, PersonRecord,
};
use crate::org::store::NewLevel;
use crate::org::{PersonStatus, SkillLevel};
use chrono::NaiveDate;
use data::*;

mod data;

/// A small, fast, seedable generator (SplitMix64): the demo must be identical for a seed
/// on every machine and every version of any random-number crate.
#[derive(Debug, Clone)]
pub struct DemoRng(u64);

impl DemoRng {
    pub fn new(seed: u64) -> Self {
        DemoRng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next_u64() % (high - low + 1)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as u64 - 1) as usize]
    }
}

/// The career ladder of the demo organisation.
pub fn demo_levels() -> Vec<NewLevel> {
    [
        ("L1", "Associate", "Learns the craft; delivers well-defined tasks with guidance; asks for help early."),
        ("L2", "Professional", "Delivers features or accounts independently; estimates own work; gives useful feedback to peers."),
        ("L3", "Senior", "Owns outcomes for an area; breaks down ambiguous problems; mentors L1–L2 colleagues."),
        ("L4", "Staff / Lead", "Leads work across a team; sets technical or functional direction; grows other seniors; first people-management step."),
        ("L5", "Principal / Manager", "Leads a team or a multi-team initiative; hires and develops people; keeps promises to other teams."),
        ("L6", "Director", "Leads managers; shapes the department's strategy and structure; builds the next generation of leaders."),
        ("L7", "Vice President", "Runs a department; accountable for its results, budget and health; partners across the company."),
        ("L8", "Executive", "Sets company direction; accountable to the board; owns the organisation's culture."),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (code, name, expectations))| NewLevel {
        code: code.into(),
        name: name.into(),
        rank: i as i64 + 1,
        expectations: expectations.into(),
    })
    .collect()
}

/// One generated person; `manager` is an index into the same list.
#[derive(Debug, Clone)]
pub struct DemoPerson {
    pub record: PersonRecord,
    pub manager: Option<usize>,
    pub report_count: usize,
}

/// The generated organisation and the three people who get demo sign-in accounts.
#[derive(Debug, Clone)]
pub struct DemoOrg {
    pub organisation_name: String,
    pub people: Vec<DemoPerson>,
    pub admin: usize,
    pub manager: usize,
    pub member: usize,
}

impl DemoOrg {
    /// The people as a parsed import file, so the demo is loaded by the import path itself.
    pub fn as_import(&self) -> ParsedFile {
        let rows = self
            .people
            .iter()
            .enumerate()
            .map(|(i, p)| ImportRow {
                line: i as u64 + 2,
                record: p.record.clone(),
                manager: p
                    .manager
                    .map(|m| ManagerRef::Email(self.people[m].record.email.clone())),
            })
            .collect();
        ParsedFile {
            rows,
            present: EXPORT_COLUMNS
                .iter()
                .copied()
                .collect::<std::collections::HashSet<Column>>(),
            ..ParsedFile::default()
        }
    }

    /// The people as a snapshot (ids are positions + 1), for CSV export without a database.
    pub fn as_snapshot(&self) -> OrgSnapshot {
        OrgSnapshot {
            people: self
                .people
                .iter()
                .enumerate()
                .map(|(i, p)| ExistingPerson {
                    id: PersonId(i as i64 + 1),
                    record: p.record.clone(),
                    manager_id: p.manager.map(|m| PersonId(m as i64 + 1)),
                })
                .collect(),
            ..OrgSnapshot::default()
        }
    }
}
/// A new person of the demo, with a unique e-mail address, under `manager`; gives their
/// position.
fn new_person(
    rng: &mut DemoRng,
    people: &mut Vec<DemoPerson>,
    used_emails: &mut std::collections::HashSet<String>,
    manager: Option<usize>,
    depth: u32,
    dept: &Department,
    team: Option<&str>,
) -> usize {
    let first = *rng.pick(&FIRST_NAMES);
    let last = *rng.pick(&LAST_NAMES);
    let base = format!("{}.{}", ascii_slug(first), ascii_slug(last));
    let mut email = format!("{base}@example.com");
    let mut n = 2;
    while !used_emails.insert(email.clone()) {
        email = format!("{base}{n}@example.com");
        n += 1;
    }
    let preferred = NICKNAMES
        .iter()
        .find(|(full, _)| *full == first)
        .filter(|_| rng.chance(0.6))
        .map(|(_, nick)| nick.to_string());
    let (location, tz) = *rng.pick(&LOCATIONS);
    // Seniority falls with depth; the exact level and title are settled once spans are known.
    let years_back = rng.range(0, 4 + 3 * (4u64.saturating_sub(depth as u64)));
    let start = NaiveDate::from_ymd_opt(2026 - years_back as i32, 1, 1).unwrap()
        + chrono::Duration::days(rng.range(0, 330) as i64);
    let index = people.len();
    let skill_count = rng.range(2, 5) as usize;
    let mut skills: Vec<SkillLevel> = Vec::new();
    while skills.len() < skill_count {
        let name = rng.pick(dept.skills).to_string();
        if skills.iter().any(|s| s.skill == name) {
            continue;
        }
        let level = rng.range(1, 5) as u8;
        skills.push(SkillLevel {
            skill: name.into(),
            level,
            wants_to_grow: level < 5 && rng.chance(0.3),
        });
    }
    skills.sort();
    people.push(DemoPerson {
        record: PersonRecord {
            employee_id: Some(compact_str::format_compact!("E{:06}", index + 1)),
            email: email.into(),
            name: compact_str::format_compact!("{first} {last}"),
            preferred_name: preferred.map(Into::into),
            title: None,
            team: Some(team.unwrap_or(dept.name).into()),
            department: team.map(|_| dept.name.into()),
            location: Some(location.into()),
            time_zone: Some(tz.into()),
            start_date: Some(start),
            status: PersonStatus::Active,
            level: None,
            skills,
        },
        manager,
        report_count: 0,
    });
    if let Some(m) = manager {
        people[m].report_count += 1;
    }
    index
}
/// Fills a department below its head, breadth first, with spans of 3 to 10, until it has
/// `budget` people.
#[allow(clippy::too_many_arguments)]
fn fill_department(
    rng: &mut DemoRng,
    people: &mut Vec<DemoPerson>,
    used_emails: &mut std::collections::HashSet<String>,
    depth_of: &mut Vec<u32>,
    dept_of: &mut Vec<usize>,
    d: usize,
    head: usize,
    budget: usize,
) {
    let dept = &DEPARTMENTS[d];
    let mut created = 1;
    let mut queue = std::collections::VecDeque::from([head]);
    let mut team_counter = 0usize;
    while created < budget {
        let Some(manager) = queue.pop_front() else {
            break;
        };
        let left = budget - created;
        let mut span = rng.range(3, 10) as usize;
        if left < span + 3 {
            span = left; // avoid leaving a stranded group of one or two
        }
        let span = span.min(10);
        for _ in 0..span {
            let depth = depth_of[manager] + 1;
            let team = if manager == head {
                // Once the department's named teams are taken, the head's further reports
                // sit in the department itself (never a made-up "People & Finance 7").
                let name = dept.teams.get(team_counter).map(|t| (*t).into());
                team_counter += 1;
                name
            } else {
                people[manager].record.team.clone()
            };
            let team_ref = team.as_deref();
            let p = new_person(
                rng,
                people,
                used_emails,
                Some(manager),
                depth,
                dept,
                team_ref,
            );
            if manager == head {
                // Teams below the head name their department; the head sits in it.
            } else {
                people[p].record.department = people[manager].record.department.clone();
            }
            depth_of.push(depth);
            dept_of.push(d);
            queue.push_back(p);
            created += 1;
        }
    }
}

/// Builds an organisation of `size` people (at least 20) from `seed`.
pub fn generate(size: usize, seed: u64) -> DemoOrg {
    let size = size.max(20);
    let mut rng = DemoRng::new(seed);
    let mut people: Vec<DemoPerson> = Vec::with_capacity(size);
    let mut used_emails = std::collections::HashSet::new();

    let ceo_dept = &DEPARTMENTS[0];
    let ceo = new_person(
        &mut rng,
        &mut people,
        &mut used_emails,
        None,
        0,
        ceo_dept,
        None,
    );
    people[ceo].record.team = Some("Leadership Team".into());
    people[ceo].record.department = None;
    let total_share: u32 = DEPARTMENTS.iter().map(|d| d.share).sum();
    let mut depth_of: Vec<u32> = vec![0];
    let mut dept_of: Vec<usize> = vec![0];
    let remaining = size - 1;
    let mut department_heads = Vec::new();
    for (d, dept) in DEPARTMENTS.iter().enumerate() {
        let budget = if d == DEPARTMENTS.len() - 1 {
            size.saturating_sub(people.len())
        } else {
            (remaining as u64 * dept.share as u64 / total_share as u64) as usize
        }
        .max(4);
        let head = new_person(
            &mut rng,
            &mut people,
            &mut used_emails,
            Some(ceo),
            1,
            dept,
            None,
        );
        depth_of.push(1);
        dept_of.push(d);
        department_heads.push(head);
        fill_department(
            &mut rng,
            &mut people,
            &mut used_emails,
            &mut depth_of,
            &mut dept_of,
            d,
            head,
            budget,
        );
    }
    let _ = remaining;

    // Titles and levels follow each person's place in the tree.
    for i in 0..people.len() {
        let dept = &DEPARTMENTS[dept_of[i]];
        let reports = people[i].report_count;
        let depth = depth_of[i];
        let (title, level) = if i == ceo {
            ("Chief Executive Officer".to_string(), "L8")
        } else if depth == 1 {
            (dept.head_title.to_string(), "L7")
        } else if reports > 0 && has_manager_reports(&people, i) {
            (dept.director_title.to_string(), "L6")
        } else if reports > 0 {
            (dept.manager_title.to_string(), "L5")
        } else {
            let step = rng.range(0, 3) as usize;
            (
                dept.ic_titles[step].to_string(),
                ["L1", "L2", "L3", "L4"][step],
            )
        };
        people[i].record.title = Some(title.into());
        people[i].record.level = Some(level.into());
    }

    // A few people without reports have left.
    for p in people.iter_mut().skip(1) {
        if p.report_count == 0 && rng.chance(0.02) {
            p.record.status = PersonStatus::Left;
        }
    }
    for i in 0..people.len() {
        if people[i].record.status == PersonStatus::Left
            && let Some(m) = people[i].manager
        {
            people[m].report_count -= 1;
        }
    }

    // Demo accounts: the head of People as admin, an engineering manager with several
    // reports as manager, and one of that manager's reports as member.
    let admin = department_heads[5];
    let manager = (0..people.len())
        .find(|&i| {
            dept_of[i] == 0
                && depth_of[i] >= 2
                && people[i].report_count >= 4
                && !has_manager_reports(&people, i)
        })
        .or_else(|| (0..people.len()).find(|&i| people[i].report_count >= 3 && i != ceo))
        .unwrap_or(department_heads[0]);
    let member = (0..people.len())
        .find(|&i| {
            people[i].manager == Some(manager)
                && people[i].report_count == 0
                && people[i].record.status == PersonStatus::Active
        })
        .unwrap_or(people.len() - 1);
    DemoOrg {
        organisation_name: "Fernhill Labs".into(),
        people,
        admin,
        manager,
        member,
    }
}

fn has_manager_reports(people: &[DemoPerson], i: usize) -> bool {
    // Only called for the few people with reports; a scan is cheap enough for a demo.
    people
        .iter()
        .any(|p| p.manager == Some(i) && p.report_count > 0)
}

fn ascii_slug(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            'ü' => Some('u'),
            ' ' => None,
            c if c.is_ascii_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::import::{ImportOptions, plan_import};

    #[test]
    fn the_same_seed_gives_the_same_organisation() {
        let a = generate(250, 7);
        let b = generate(250, 7);
        assert_eq!(a.people.len(), 250);
        assert_eq!(a.people[100].record, b.people[100].record);
        assert_ne!(generate(250, 8).people[100].record, a.people[100].record);
    }

    #[test]
    fn spans_of_control_are_three_to_ten_with_six_departments() {
        let org = generate(250, 1);
        let mut spans = vec![0usize; org.people.len()];
        for p in &org.people {
            if let Some(m) = p.manager {
                spans[m] += 1;
            }
        }
        let ceo_span = spans[0];
        assert_eq!(ceo_span, 6, "the CEO leads the six department heads");
        for (i, s) in spans.iter().enumerate().skip(1) {
            assert!(
                *s == 0 || (1..=10).contains(s),
                "person {i} has {s} reports"
            );
        }
        let managers: Vec<usize> = spans.iter().skip(1).copied().filter(|s| *s > 0).collect();
        let in_range = managers.iter().filter(|s| (3..=10).contains(*s)).count();
        assert!(in_range * 10 >= managers.len() * 9, "{managers:?}");
    }

    #[test]
    fn the_demo_is_a_valid_import() {
        let org = generate(300, 3);
        let plan = plan_import(
            org.as_import(),
            &OrgSnapshot::default(),
            ImportOptions::default(),
        );
        assert!(plan.is_valid(), "{:?}", plan.errors);
        assert_eq!(plan.creates.len(), 300);
        assert!(org.people[org.member].manager == Some(org.manager));
    }
}
