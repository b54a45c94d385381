//! Opportunities: stretch work looking for an owner, the explained suggestions for it, the
//! globally optimal plan for every open opportunity at once, and accepting a suggestion,
//! which proposes the person (the consent it then needs is in [`super::placements`]).
//!
//! Everyone signed in sees open opportunities (an internal market). People with reports and
//! admins post them and read suggestions. A suggestion names free hours only for people in
//! the viewer's own tree (or to admins): another team's workload is not theirs to see.

pub use super::placements::{
    CandidateConsent, NewPlacement, Placement, PlacementChange, PlacementStatus,
};
use super::stretch::{Fit, Requirement, Weights, fit};
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::growth::store::GrowthStore;
use crate::ids::PersonName;
use crate::ids::{OpportunityId, PersonId, PlacementId};
use crate::notify::{Notification, Topic, to_each};
use crate::org::SkillLevel;
use crate::org::csv_format::normalise_skill;
use crate::settings::Settings;
use crate::work::NewCommitment;
use crate::work::commitments::MAX_EFFORT_HOURS;
use crate::work::reports::{horizon, workloads};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use trellis_insight::assignment::{Scores, maximise};

/// Where an opportunity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpportunityStatus {
    Open,
    Filled,
    Closed,
}

impl OpportunityStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OpportunityStatus::Open => "open",
            OpportunityStatus::Filled => "filled",
            OpportunityStatus::Closed => "closed",
        }
    }

    pub fn parse(v: &str) -> Option<Self> {
        match v {
            "open" => Some(OpportunityStatus::Open),
            "filled" => Some(OpportunityStatus::Filled),
            "closed" => Some(OpportunityStatus::Closed),
            _ => None,
        }
    }
}

/// Stretch work looking for an owner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Opportunity {
    pub id: OpportunityId,
    pub title: String,
    pub description: String,
    pub poster: PersonName,
    pub hours_per_week: f64,
    pub weeks: u32,
    pub needs_manager_approval: bool,
    pub status: OpportunityStatus,
    pub requirements: Vec<Requirement>,
    pub created_at: i64,
}

/// A new opportunity as the store writes it.
#[derive(Debug, Clone)]
pub struct NewOpportunity {
    pub title: String,
    pub description: String,
    pub poster: PersonId,
    pub hours_per_week: f64,
    pub weeks: u32,
    pub needs_manager_approval: bool,
    pub requirements: Vec<Requirement>,
    pub created_at: i64,
}

/// Someone who might take an opportunity.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: PersonId,
    pub name: String,
    pub skills: Vec<SkillLevel>,
    /// Where they work, as the directory shows it, so a poster sees whose person they ask.
    pub team: Option<String>,
    pub manager: Option<String>,
}

/// What a manager fills in to post an opportunity.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OpportunityRequest))]
#[serde(deny_unknown_fields)]
pub struct OpportunityInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Hours a week it takes, more than 0 and at most 40.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, exclusive_minimum = 0, maximum = 40)
    )]
    pub hours_per_week: Option<f64>,
    /// 1 to 52.
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, nullable = false, minimum = 1, maximum = 52)
    )]
    pub weeks: Option<u32>,
    /// The chosen person's manager must approve before the work is theirs.
    #[serde(default)]
    pub needs_manager_approval: bool,
    /// The skills the work needs, each with its level (at least one).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, min_items = 1))]
    pub requirements: Vec<Requirement>,
}

fn may_post(viewer: &Viewer) -> bool {
    viewer.may_lead_teams()
}

/// Posts an opportunity (people with reports and admins).
pub async fn create(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    input: &OpportunityInput,
    now: i64,
) -> CoreResult<OpportunityId> {
    if !may_post(viewer) {
        return Err(CoreError::Forbidden(
            "post opportunities without a team; people with reports and admins can".into(),
        ));
    }
    let mut errors = Vec::new();
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new(
            "title",
            "give a title of 1 to 200 characters",
        ));
    }
    let hours = match input.hours_per_week {
        Some(h) if h.is_finite() && h > 0.0 && h <= 40.0 => h,
        _ => {
            errors.push(FieldError::new(
                "hours_per_week",
                "give the hours a week it takes, more than 0 and at most 40",
            ));
            0.0
        }
    };
    let weeks = match input.weeks {
        Some(w) if (1..=52).contains(&w) => w,
        _ => {
            errors.push(FieldError::new(
                "weeks",
                "give how many weeks, from 1 to 52",
            ));
            0
        }
    };
    let mut requirements: Vec<Requirement> = Vec::new();
    for (i, r) in input.requirements.iter().enumerate() {
        let skill = normalise_skill(&r.skill);
        if skill.is_empty() {
            errors.push(FieldError::new(
                format!("requirements[{i}]"),
                "name the skill",
            ));
        } else if !(1..=5).contains(&r.level) {
            errors.push(FieldError::new(
                format!("requirements[{i}]"),
                format!("{skill}: the level must be from 1 to 5"),
            ));
        } else if requirements.iter().any(|q| q.skill == skill) {
            errors.push(FieldError::new(
                format!("requirements[{i}]"),
                format!("{skill} is listed twice"),
            ));
        } else {
            requirements.push(Requirement {
                skill,
                level: r.level,
            });
        }
    }
    if input.requirements.is_empty() {
        errors.push(FieldError::new(
            "requirements",
            "list at least one skill the work needs, with its level",
        ));
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    store
        .create_opportunity(&NewOpportunity {
            title: title.to_string(),
            description: input.description.trim().to_string(),
            poster: viewer.person_id(),
            hours_per_week: hours,
            weeks,
            needs_manager_approval: input.needs_manager_approval,
            requirements,
            created_at: now,
        })
        .await
}

/// A suggested owner with the reasons.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub person: PersonName,
    pub fit: Fit,
    pub free_hours_per_week: f64,
    /// The viewer may read this person's hours and plate wishes (their tree, or admins).
    pub details_visible: bool,
    pub team: Option<String>,
    pub manager: Option<String>,
}

impl Suggestion {
    /// Outside the viewer's tree (and for non-admins) the free hours and the plate wish
    /// never leave the server, nor the total score they could be worked back from: the
    /// ranking used them, the viewer sees the order and the sentence.
    fn redact_private_parts(&mut self) {
        if !self.details_visible {
            self.fit.score = 0.0;
            self.fit.parts.free_capacity = 0.0;
            self.fit.parts.move_off = 0.0;
            self.fit.has_capacity = false;
            self.free_hours_per_week = 0.0;
        }
    }
}

/// Free hours a week per candidate: capacity over the workload horizon less the open work
/// due in it, spread over the horizon's weeks.
async fn free_hours(
    store: &dyn GrowthStore,
    people: &[PersonId],
    settings: &Settings,
    now: i64,
) -> CoreResult<HashMap<PersonId, f64>> {
    let h = horizon(local_date(None, now), settings);
    let weeks = h.days() as f64 / 7.0;
    let loads = workloads(store, Some(people), people, settings, h).await?;
    Ok(loads
        .into_iter()
        .map(|(id, w)| {
            (
                id,
                ((w.capacity_hours - w.remaining_hours) / weeks).max(0.0),
            )
        })
        .collect())
}

/// People whose free hours the viewer may see named: their tree, or everyone for admins.
async fn hours_visible(
    store: &dyn GrowthStore,
    viewer: &Viewer,
) -> CoreResult<Option<HashSet<PersonId>>> {
    if viewer.may_administer() {
        return Ok(None);
    }
    Ok(Some(
        store
            .tree_members(viewer.person_id())
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect(),
    ))
}

/// What each candidate would like moved off their plate (their oldest such wish).
async fn work_off(
    store: &dyn GrowthStore,
    people: &[PersonId],
) -> CoreResult<HashMap<PersonId, String>> {
    let mut off = HashMap::new();
    for w in store.plate_wishes(people).await? {
        if w.direction == super::wishes::Direction::Off {
            off.entry(w.person_id).or_insert(w.what);
        }
    }
    Ok(off)
}

/// What scoring knows of the candidates besides their skills.
struct Context {
    free: HashMap<PersonId, f64>,
    work_off: HashMap<PersonId, String>,
    /// Whose hours and plate wishes the viewer may read; `None` for all.
    visible: Option<HashSet<PersonId>>,
    weights: Weights,
}

async fn context(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    people: &[PersonId],
    now: i64,
) -> CoreResult<Context> {
    let settings = store.settings().await?;
    Ok(Context {
        free: free_hours(store, people, &settings, now).await?,
        work_off: work_off(store, people).await?,
        visible: hours_visible(store, viewer).await?,
        weights: super::stretch::Weights::from_settings(&settings),
    })
}

fn score_all(
    o: &Opportunity,
    candidates: &[Candidate],
    cx: &Context,
    interested: &HashSet<PersonId>,
) -> Vec<Suggestion> {
    candidates
        .iter()
        .map(|c| {
            let hours = cx.free.get(&c.id).copied().unwrap_or(0.0);
            let mut f = fit(
                &c.name,
                &c.skills,
                hours,
                cx.work_off.get(&c.id).map(String::as_str),
                &o.requirements,
                o.hours_per_week,
                &cx.weights,
            );
            if interested.contains(&c.id) {
                f = f.with_interest(&c.name, &cx.weights);
            }
            let visible = cx.visible.as_ref().is_none_or(|v| v.contains(&c.id));
            if !visible {
                f.explanation = f.explanation_outside.clone();
            }
            Suggestion {
                person: PersonName {
                    id: c.id,
                    name: c.name.clone(),
                },
                fit: f,
                free_hours_per_week: hours,
                details_visible: visible,
                team: c.team.clone(),
                manager: c.manager.clone(),
            }
        })
        .collect()
}

/// An opportunity with its placements, and suggestions when the viewer may act on them.
#[derive(Debug, Clone, Serialize)]
pub struct OpportunityDetail {
    pub opportunity: Opportunity,
    pub placements: Vec<Placement>,
    /// Best first: those with the free hours, then the rest; empty unless `can_manage`.
    pub suggestions: Vec<Suggestion>,
    pub can_manage: bool,
    /// The options side by side when nobody inside qualifies (only for those who manage).
    pub sourcing: Option<super::sourcing::Sourcing>,
    /// Who said they are interested (only for those who manage; empty otherwise).
    pub interested: Vec<PersonName>,
    /// Whether the viewer said they are interested.
    pub i_am_interested: bool,
}

/// How many suggestions an opportunity page lists.
pub const SUGGESTIONS_SHOWN: usize = 10;

pub(super) async fn load(store: &dyn GrowthStore, id: OpportunityId) -> CoreResult<Opportunity> {
    store
        .opportunity(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("opportunity {id}")))
}

fn can_manage(viewer: &Viewer, o: &Opportunity) -> bool {
    viewer.may_administer() || o.poster.id == viewer.person_id()
}

/// Ranked candidates for one opportunity (everyone with one of its skills).
pub async fn suggestions(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    o: &Opportunity,
    now: i64,
) -> CoreResult<Vec<Suggestion>> {
    let mut all = ranked(store, viewer, o, now).await?.1;
    all.iter_mut().for_each(Suggestion::redact_private_parts);
    Ok(all)
}

async fn interested_ids(
    store: &dyn GrowthStore,
    id: OpportunityId,
) -> CoreResult<HashSet<PersonId>> {
    Ok(store
        .interested_in(id)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect())
}

/// Says (or withdraws) that the viewer is interested in an open opportunity: its poster
/// sees it beside the suggestions, and it counts in the viewer's ranking as a growth wish.
pub async fn set_interest(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    id: OpportunityId,
    interested: bool,
    now: i64,
) -> CoreResult<()> {
    let o = load(store, id).await?;
    if interested && o.status != OpportunityStatus::Open {
        return Err(CoreError::Conflict(format!(
            "\u{201c}{}\u{201d} is {}: it no longer takes interest",
            o.title,
            o.status.as_str()
        )));
    }
    let Some(me) = viewer.actor() else {
        return Err(CoreError::Forbidden(
            "say you are interested as nobody; sign in as a person".into(),
        ));
    };
    store.set_interest(id, me, interested, now).await
}

/// The candidates not yet proposed, with their suggestions ranked best first.
async fn ranked(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    o: &Opportunity,
    now: i64,
) -> CoreResult<(Vec<Candidate>, Vec<Suggestion>)> {
    let skills: Vec<String> = o.requirements.iter().map(|r| r.skill.clone()).collect();
    let taken: HashSet<PersonId> = store
        .placements(o.id)
        .await?
        .into_iter()
        .filter(|p| p.status != PlacementStatus::Declined)
        .map(|p| p.person.id)
        .collect();
    let candidates: Vec<Candidate> = store
        .candidates_with_skills(&skills)
        .await?
        .into_iter()
        .filter(|c| !taken.contains(&c.id))
        .collect();
    let ids: Vec<PersonId> = candidates.iter().map(|c| c.id).collect();
    let cx = context(store, viewer, &ids, now).await?;
    let interested = interested_ids(store, o.id).await?;
    let mut all = score_all(o, &candidates, &cx, &interested);
    all.sort_by(|a, b| {
        b.fit
            .has_capacity
            .cmp(&a.fit.has_capacity)
            .then(b.fit.score.total_cmp(&a.fit.score))
            .then(a.person.name.cmp(&b.person.name))
    });
    Ok((candidates, all))
}

pub async fn show(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    id: OpportunityId,
    now: i64,
) -> CoreResult<OpportunityDetail> {
    let opportunity = load(store, id).await?;
    let manage = can_manage(viewer, &opportunity);
    let placements = store.placements(id).await?;
    let (suggestions, sourcing) = if manage && opportunity.status == OpportunityStatus::Open {
        let (candidates, mut all) = ranked(store, viewer, &opportunity, now).await?;
        let sourcing = if all.iter().any(super::sourcing::qualifies) {
            None
        } else {
            let pool = store.talent_pool().await?;
            super::sourcing::options(
                &opportunity,
                &all,
                &candidates,
                &pool,
                local_date(None, now),
            )
        };
        all.truncate(SUGGESTIONS_SHOWN);
        all.iter_mut().for_each(Suggestion::redact_private_parts);
        (all, sourcing)
    } else {
        (Vec::new(), None)
    };
    let interested = store.interested_in(id).await?;
    let i_am_interested = interested.iter().any(|p| Some(p.id) == viewer.actor());
    Ok(OpportunityDetail {
        opportunity,
        placements,
        suggestions,
        can_manage: manage,
        sourcing,
        interested: if manage { interested } else { Vec::new() },
        i_am_interested,
    })
}

/// The commitment an approved placement becomes.
pub(super) fn commitment_for(o: &Opportunity, person: PersonId, now: i64) -> NewCommitment {
    let today = local_date(None, now);
    NewCommitment {
        title: o.title.clone(),
        description: format!(
            "Stretch opportunity: {} h a week for {} weeks.{}{}",
            o.hours_per_week,
            o.weeks,
            if o.description.is_empty() { "" } else { " " },
            o.description
        ),
        owner: person,
        requester: Some(o.poster.id),
        objective: None,
        due_date: today + Duration::weeks(i64::from(o.weeks)),
        effort_hours: (o.hours_per_week * f64::from(o.weeks)).min(MAX_EFFORT_HOURS),
        skills: o.requirements.iter().map(|r| r.skill.clone()).collect(),
        created_at: now,
        created_on: today,
    }
}

/// Accepts a suggestion: the person gets the work at once, or — when the poster asked for
/// it and is not the person's own manager — once their manager approves.
pub async fn accept(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    id: OpportunityId,
    person: PersonId,
    now: i64,
) -> CoreResult<PlacementId> {
    let o = load(store, id).await?;
    if !can_manage(viewer, &o) {
        return Err(CoreError::Forbidden(
            "accept suggestions for an opportunity someone else posted".into(),
        ));
    }
    if o.status != OpportunityStatus::Open {
        return Err(CoreError::Conflict(format!(
            "\u{201c}{}\u{201d} is {}",
            o.title,
            o.status.as_str()
        )));
    }
    let all = ranked(store, viewer, &o, now).await?.1;
    let Some(s) = all.iter().find(|s| s.person.id == person) else {
        return Err(CoreError::field(
            "person_id",
            "this person is not among the candidates (they need one of the skills and must not be proposed already)",
        ));
    };
    let target = store
        .person(person)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("person {person}")))?;
    if target.status == crate::org::PersonStatus::Left {
        return Err(CoreError::field(
            "person_id",
            format!("{} has left the organisation", target.name),
        ));
    }
    let own_manager_side = crate::org::people::reach_to(store, viewer, person)
        .await?
        .in_own_tree();
    let placement = NewPlacement {
        opportunity: id,
        person,
        explanation: s.fit.explanation.clone(),
        proposed_by: viewer.person_id(),
        proposed_at: now,
        candidate_consent: if own_manager_side {
            CandidateConsent::NotAsked
        } else {
            CandidateConsent::Asked
        },
    };
    // Consent: a candidate outside the poster's tree waits for their own manager chain,
    // whatever the opportunity asked; inside it, the poster is that chain.
    let approved_now = own_manager_side;
    let commitment = approved_now.then(|| commitment_for(&o, person, now));
    let audit = crate::audit::AuditEntry::about_person(
        now,
        viewer.person_id(),
        "placement.propose",
        person,
        format!(
            "for {:?}{}",
            o.title,
            if approved_now {
                ", given at once"
            } else {
                ", waiting for consent"
            }
        ),
    );
    let poster = viewer.person_id();
    let link = format!("/opportunities/{id}");
    let mut notes = to_each([person], Some(poster), |to| {
        let text = if approved_now {
            format!("You have new stretch work: \u{201c}{}\u{201d}.", o.title)
        } else {
            format!(
                "You are proposed for the stretch work \u{201c}{}\u{201d}; your answer is asked.",
                o.title
            )
        };
        Notification::new(to, Topic::StretchProposed, text, link.clone(), now)
    });
    if !approved_now {
        notes.extend(to_each(target.manager_id, Some(poster), |to| {
            let text = format!(
                "{} is proposed for the stretch work \u{201c}{}\u{201d}; it waits for your approval.",
                target.display_name(),
                o.title
            );
            // Where the manager decides: the approvals of their team view.
            let approvals = format!("/team-work/{to}#approvals");
            Notification::new(to, Topic::PlacementToApprove, text, approvals, now)
        }));
    }
    let mut work = store.begin_growth_write().await?;
    let approved_with = match &commitment {
        Some(c) => Some(work.create_commitment(c).await?),
        None => None,
    };
    let id = work.create_placement(&placement, approved_with).await?;
    if approved_with.is_some() {
        work.fill_opportunity(placement.opportunity).await?;
    }
    work.audit(&audit).await?;
    work.notify_all(&notes).await?;
    work.commit().await?;
    Ok(id)
}

/// One row of the plan for every open opportunity.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedOpportunity {
    pub opportunity: Opportunity,
    /// The owner the optimal plan gives it, if anyone qualifies.
    pub suggestion: Option<Suggestion>,
    /// Why nobody was given it, when nobody was.
    pub unfilled: Option<Unfilled>,
}

/// Why the plan gives an opportunity to nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unfilled {
    /// Nobody inside has any of the skills it needs.
    NobodyHasTheSkills,
    /// People have a skill it needs, but none has the free hours.
    NoFreeHours,
    /// Everyone who qualifies is given another opportunity, where they score higher.
    TakenElsewhere,
}

impl Unfilled {
    pub fn as_str(self) -> &'static str {
        match self {
            Unfilled::NobodyHasTheSkills => "nobody_has_the_skills",
            Unfilled::NoFreeHours => "no_free_hours",
            Unfilled::TakenElsewhere => "taken_elsewhere",
        }
    }

    pub fn sentence(self) -> &'static str {
        match self {
            Unfilled::NobodyHasTheSkills => {
                "Nobody inside has any of the skills it needs: look at sourcing on its page."
            }
            Unfilled::NoFreeHours => "People with its skills have no free hours for it.",
            Unfilled::TakenElsewhere => {
                "Everyone who could take it is planned for another opportunity."
            }
        }
    }
}

/// The plan for every open opportunity the viewer manages at once: the assignment with the
/// largest total score in which nobody takes more than one and nobody takes work they have
/// no free hours for (globally optimal, not greedy).
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub rows: Vec<PlannedOpportunity>,
    /// Hidden when a suggested owner is outside the viewer's tree.
    pub total_score: Option<f64>,
}

pub async fn plan(store: &dyn GrowthStore, viewer: &Viewer, now: i64) -> CoreResult<Plan> {
    if !may_post(viewer) {
        return Err(CoreError::Forbidden(
            "plan opportunities without a team; people with reports and admins can".into(),
        ));
    }
    let open: Vec<Opportunity> = store
        .opportunities(Some(OpportunityStatus::Open))
        .await?
        .into_iter()
        .filter(|o| can_manage(viewer, o))
        .collect();
    let mut skills: Vec<String> = open
        .iter()
        .flat_map(|o| o.requirements.iter().map(|r| r.skill.clone()))
        .collect();
    skills.sort();
    skills.dedup();
    let candidates = store.candidates_with_skills(&skills).await?;
    let ids: Vec<PersonId> = candidates.iter().map(|c| c.id).collect();
    let cx = context(store, viewer, &ids, now).await?;
    let mut matrix = Scores::new(open.len(), candidates.len());
    let mut scored: Vec<Vec<Suggestion>> = Vec::with_capacity(open.len());
    // Per opportunity: whether anyone has a skill it needs, and anyone also the hours.
    let mut reach: Vec<(bool, bool)> = Vec::with_capacity(open.len());
    for (r, o) in open.iter().enumerate() {
        let row = score_all(o, &candidates, &cx, &interested_ids(store, o.id).await?);
        let (mut skilled, mut free) = (false, false);
        for (c, s) in row.iter().enumerate() {
            let needs_skill = o
                .requirements
                .iter()
                .any(|q| candidates[c].skills.iter().any(|k| k.skill == q.skill));
            skilled |= needs_skill;
            if s.fit.has_capacity && needs_skill {
                free = true;
                matrix.set(r, c, Some(s.fit.score));
            }
        }
        reach.push((skilled, free));
        scored.push(row);
    }
    let assignment = maximise(&matrix);
    let mut rows = Vec::with_capacity(open.len());
    let mut all_visible = true;
    for (r, o) in open.into_iter().enumerate() {
        let suggestion = assignment.col_of_row[r].map(|c| {
            let mut s = scored[r][c].clone();
            all_visible &= s.details_visible;
            s.redact_private_parts();
            s
        });
        let unfilled = match (&suggestion, reach[r]) {
            (Some(_), _) => None,
            (None, (false, _)) => Some(Unfilled::NobodyHasTheSkills),
            (None, (true, false)) => Some(Unfilled::NoFreeHours),
            (None, (true, true)) => Some(Unfilled::TakenElsewhere),
        };
        rows.push(PlannedOpportunity {
            opportunity: o,
            suggestion,
            unfilled,
        });
    }
    Ok(Plan {
        rows,
        // The total less the visible scores would give a hidden one away.
        total_score: all_visible.then_some(assignment.total),
    })
}
