//! The plate conversation: "what would you like moved off your plate, and onto it?" A
//! person records wishes — a commitment or a kind of work to move off, a skill or kind of
//! work to take on — and their manager sees them in the team view next to workload.
//! Private like the plate: the person, their manager chain and admins.

use crate::access::Viewer;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::growth::store::GrowthStore;
use crate::ids::{CommitmentId, PersonId, WishId};
use crate::org::people::standing;
use crate::work::CommitmentStatus;
use serde::{Deserialize, Serialize};

/// Off the plate, or onto it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = WishDirection))]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Off,
    On,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Off => "off",
            Direction::On => "on",
        }
    }

    pub fn parse(v: &str) -> Option<Self> {
        match v {
            "off" => Some(Direction::Off),
            "on" => Some(Direction::On),
            _ => None,
        }
    }
}

/// One wish.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlateWish {
    pub id: WishId,
    pub person_id: PersonId,
    pub direction: Direction,
    pub what: String,
    pub commitment_id: Option<CommitmentId>,
    pub created_at: i64,
}

/// A wish as the store writes it.
#[derive(Debug, Clone)]
pub struct NewWish {
    pub person: PersonId,
    pub direction: Direction,
    pub what: String,
    pub commitment: Option<CommitmentId>,
    pub created_at: i64,
}

async fn reach(store: &dyn GrowthStore, viewer: &Viewer, person: PersonId) -> CoreResult<()> {
    if !standing(store, viewer, person).await?.reach.plate_visible() {
        return Err(CoreError::NotFound(format!("plate of person {person}")));
    }
    Ok(())
}

/// Records a wish. Moving off may name one of the person's open commitments (its title is
/// used when no words are given).
pub async fn add(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    person: PersonId,
    direction: Direction,
    what: &str,
    commitment: Option<CommitmentId>,
    now: i64,
) -> CoreResult<WishId> {
    reach(store, viewer, person).await?;
    let mut what = what.trim().to_string();
    if let Some(id) = commitment {
        match store.commitment(id).await? {
            Some(c) if c.owner.id == person && c.status == CommitmentStatus::Open => {
                if what.is_empty() {
                    what = c.title;
                }
            }
            _ => {
                return Err(CoreError::field(
                    "commitment_id",
                    "choose one of the open commitments on this plate",
                ));
            }
        }
        if direction == Direction::On {
            return Err(CoreError::field(
                "commitment_id",
                "a commitment on the plate can only be wished off it",
            ));
        }
    }
    if what.is_empty() || what.chars().count() > 200 {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "what",
            "say what, in 1 to 200 characters: a kind of work, a skill, or a commitment",
        )]));
    }
    store
        .add_plate_wish(&crate::growth::wishes::NewWish {
            person,
            direction,
            what,
            commitment,
            created_at: now,
        })
        .await
}

/// Removes a wish (granted, or no longer wanted).
pub async fn remove(store: &dyn GrowthStore, viewer: &Viewer, id: WishId) -> CoreResult<PersonId> {
    let wish = store
        .plate_wish(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("wish {id}")))?;
    reach(store, viewer, wish.person_id).await?;
    store.delete_plate_wish(id).await?;
    Ok(wish.person_id)
}

/// Someone who might take work another person wishes off their plate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Taker {
    pub person: crate::ids::PersonName,
    /// "wants to grow rust and has 6 h free a week"
    pub reason: String,
}

/// A wish to move work off a plate, with the people in the team who want that work.
#[derive(Debug, Clone, Serialize)]
pub struct Offer {
    pub wish: PlateWish,
    pub from: crate::ids::PersonName,
    /// The open commitment the wish names, still on the wisher's plate.
    pub commitment: Option<crate::work::Commitment>,
    /// Best first, at most [`TAKERS_SHOWN`].
    pub takers: Vec<Taker>,
}

/// How many people an offer names.
pub const TAKERS_SHOWN: usize = 3;

/// What the matching needs to know of one team member.
#[derive(Debug, Clone)]
pub struct TeamMember {
    pub person: crate::ids::PersonName,
    pub skills: Vec<crate::org::SkillLevel>,
    /// Their "onto my plate" wishes.
    pub wants: Vec<String>,
    pub free_hours_per_week: f64,
}

/// Words that say what work is about: four letters or more, lower case.
fn topic_words(text: &str) -> Vec<String> {
    const COMMON: [&str; 8] = [
        "more", "work", "less", "with", "from", "into", "some", "other",
    ];
    text.split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 4 && !COMMON.contains(&w.as_str()))
        .collect()
}

/// People (other than `from`) who want the work an off-wish names: they want to grow one
/// of its skills, or asked for work with a word in common; they must have hours free.
/// Pure, so the rule is pinned by tests.
pub fn takers(
    from: PersonId,
    wish_text: &str,
    skills: &[String],
    members: &[TeamMember],
) -> Vec<Taker> {
    let mut topics = topic_words(wish_text);
    topics.extend(skills.iter().map(|s| s.to_lowercase()));
    let mut found: Vec<(usize, f64, Taker)> = Vec::new();
    for m in members {
        if m.person.id == from || m.free_hours_per_week < 1.0 {
            continue;
        }
        let mut reasons = Vec::new();
        for s in &m.skills {
            if s.wants_to_grow && skills.iter().any(|k| *k == s.skill) {
                reasons.push(format!("wants to grow {} (now {})", s.skill, s.level));
            }
        }
        for want in &m.wants {
            let words = topic_words(want);
            let lower = want.to_lowercase();
            let names_skill = skills.iter().any(|s| {
                lower
                    .split(|c: char| !c.is_alphanumeric() && c != '+' && c != '#')
                    .any(|w| w == s.to_lowercase())
            });
            if names_skill || words.iter().any(|w| topics.contains(w)) {
                reasons.push(format!("asked for \u{201c}{want}\u{201d}"));
            }
        }
        if reasons.is_empty() {
            continue;
        }
        let free = (m.free_hours_per_week * 10.0).round() / 10.0;
        let first = m.person.name.split_whitespace().next().unwrap_or("");
        let reason = format!(
            "{first} {} and has {} h free a week.",
            reasons.join(" and "),
            if free.fract() == 0.0 {
                format!("{free:.0}")
            } else {
                format!("{free:.1}")
            }
        );
        found.push((
            reasons.len(),
            m.free_hours_per_week,
            Taker {
                person: m.person.clone(),
                reason,
            },
        ));
    }
    found.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(b.1.total_cmp(&a.1))
            .then(a.2.person.name.cmp(&b.2.person.name))
    });
    found
        .into_iter()
        .take(TAKERS_SHOWN)
        .map(|(_, _, t)| t)
        .collect()
}

/// The wishes on a plate, shown beside it: the plate's own rule (the person, their manager
/// chain and admins) already let its viewer in.
pub async fn of_plate(
    store: &dyn GrowthStore,
    plate: &crate::work::plate::Plate,
) -> CoreResult<Vec<PlateWish>> {
    store.plate_wishes(&[plate.person.id]).await
}

/// The plate conversation of a team job view: every wish in the tree, and the work wished
/// off offered to who wants it.
#[derive(Debug, Clone, Default)]
pub struct TeamWishes {
    pub wishes: Vec<PlateWish>,
    pub offers: Vec<Offer>,
}

/// The wishes and offers of a team job view, with each member's free hours a week over the
/// view's horizon. Only the full view has them (the tree's manager chain and admins):
/// wishes are private plate data, and a colleague's partial view does not carry them.
pub async fn of_team(
    store: &dyn GrowthStore,
    view: &crate::work::team_view::TeamJobView,
) -> CoreResult<TeamWishes> {
    if !view.full {
        return Ok(TeamWishes::default());
    }
    let ids: Vec<PersonId> = view.members.iter().map(|m| m.person.id).collect();
    let wishes = store.plate_wishes(&ids).await?;
    let weeks = (view.horizon.days() as f64 / 7.0).max(1.0 / 7.0);
    let free: Vec<(crate::ids::PersonName, f64)> = view
        .members
        .iter()
        .map(|m| {
            let w = &m.workload;
            (
                m.person.clone(),
                ((w.capacity_hours - w.remaining_hours) / weeks).max(0.0),
            )
        })
        .collect();
    let offers = offers(store, &wishes, &free).await?;
    Ok(TeamWishes { wishes, offers })
}

/// For a manager's team view: every off-wish in the tree with the people who want that
/// work. `members` are the tree with free hours (from the view's workloads).
pub async fn offers(
    store: &dyn GrowthStore,
    wishes: &[PlateWish],
    members: &[(crate::ids::PersonName, f64)],
) -> CoreResult<Vec<Offer>> {
    let off: Vec<&PlateWish> = wishes
        .iter()
        .filter(|w| w.direction == Direction::Off)
        .collect();
    if off.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<PersonId> = members.iter().map(|(p, _)| p.id).collect();
    let skills = store.skills_of(&ids).await?;
    let team: Vec<TeamMember> = members
        .iter()
        .map(|(p, free)| TeamMember {
            person: p.clone(),
            skills: skills.get(&p.id).cloned().unwrap_or_default(),
            wants: wishes
                .iter()
                .filter(|w| w.person_id == p.id && w.direction == Direction::On)
                .map(|w| w.what.clone())
                .collect(),
            free_hours_per_week: *free,
        })
        .collect();
    let mut out = Vec::new();
    for w in off {
        let Some(from) = members.iter().find(|(p, _)| p.id == w.person_id) else {
            continue;
        };
        let commitment = match w.commitment_id {
            Some(id) => store
                .commitment(id)
                .await?
                .filter(|c| c.owner.id == w.person_id && c.status == CommitmentStatus::Open),
            None => None,
        };
        let (text, skills) = match &commitment {
            Some(c) => (format!("{} {}", w.what, c.title), c.skills.clone()),
            None => (w.what.clone(), Vec::new()),
        };
        out.push(Offer {
            wish: w.clone(),
            from: from.0.clone(),
            takers: takers(w.person_id, &text, &skills, &team),
            commitment,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PersonName;
    use crate::org::SkillLevel;

    fn member(id: i64, name: &str, grow: Option<&str>, wants: &[&str], free: f64) -> TeamMember {
        TeamMember {
            person: PersonName {
                id: PersonId(id),
                name: name.into(),
            },
            skills: grow
                .map(|g| {
                    vec![SkillLevel {
                        skill: g.into(),
                        level: 2,
                        wants_to_grow: true,
                    }]
                })
                .unwrap_or_default(),
            wants: wants.iter().map(|w| w.to_string()).collect(),
            free_hours_per_week: free,
        }
    }

    #[test]
    fn takers_want_the_skill_or_the_kind_of_work_and_have_time() {
        let team = [
            member(1, "Ana Lee", Some("rust"), &[], 8.0),
            member(2, "Bo Chan", None, &["more release coordination"], 4.0),
            member(3, "Cy Dahl", Some("rust"), &[], 0.0),
            member(4, "Di Eng", None, &["customer conversations"], 10.0),
        ];
        let t = takers(
            PersonId(9),
            "Release coordination Ship the rust client",
            &["rust".to_string()],
            &team,
        );
        let names: Vec<&str> = t.iter().map(|t| t.person.name.as_str()).collect();
        assert_eq!(
            names,
            ["Ana Lee", "Bo Chan"],
            "Cy has no time, Di wants other work"
        );
        assert_eq!(
            t[0].reason,
            "Ana wants to grow rust (now 2) and has 8 h free a week."
        );
        assert_eq!(
            t[1].reason,
            "Bo asked for \u{201c}more release coordination\u{201d} and has 4 h free a week."
        );
        // A short skill named in a wish counts too.
        let sql = [member(5, "Eva Falk", None, &["more sql"], 3.0)];
        assert_eq!(
            takers(PersonId(9), "Fix the report", &["sql".into()], &sql).len(),
            1
        );
        // Nobody takes their own work.
        assert!(takers(PersonId(1), "rust", &["rust".into()], &team[..1]).is_empty());
    }
}
