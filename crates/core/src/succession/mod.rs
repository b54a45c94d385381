//! Succession: admins mark key roles (a person's position, or a role not yet filled) with
//! the impact of losing them; each has a plan of ranked candidates with a readiness, a
//! note and the day it was last reviewed, and beside every candidate the evidence Trellis
//! holds ([`evidence`]). The overview ([`overview`]) counts coverage, bench strength per
//! department and the hidden candidates not yet on any plan.
//!
//! Who sees a plan: admins, and the manager chain above the role (above its holder, or the
//! manager an unfilled role reports to and their chain). Nobody else — not the holder, not
//! their peers and not the candidates, who do not learn that they are listed — and to them
//! the plan answers as if it did not exist. The evidence beside a candidate follows the
//! candidate's own rules: it is shown only to the candidate's manager chain and admins.

pub mod demo;
pub mod evidence;
pub mod overview;
pub mod store;

use crate::access::{Reach, Viewer};
use crate::audit::AuditEntry;
use crate::decisions::Belongs;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{KeyRoleId, PersonId, PersonName, TeamId};
use crate::org::PersonStatus;
use crate::org::people::reach_to;
use crate::store::Store;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What losing the person in a key role would cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = KeyRoleImpact))]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    Critical,
    High,
    Moderate,
}

impl Impact {
    pub const ALL: [Impact; 3] = [Impact::Critical, Impact::High, Impact::Moderate];

    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Critical => "critical",
            Impact::High => "high",
            Impact::Moderate => "moderate",
        }
    }

    pub fn parse(text: &str) -> Option<Impact> {
        Impact::ALL.into_iter().find(|i| i.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Impact::Critical => "Critical: the work stops without them",
            Impact::High => "High: the work slows for months",
            Impact::Moderate => "Moderate: others can cover for a while",
        }
    }
}

/// How soon a candidate could step into the role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SuccessionReadiness))]
pub enum Readiness {
    #[serde(rename = "ready_now")]
    Now,
    #[serde(rename = "ready_1_2_years")]
    OneToTwoYears,
    #[serde(rename = "ready_3_plus_years")]
    ThreePlusYears,
    /// Ready once a condition is met ("after leading the Q3 migration").
    #[serde(rename = "ready_once")]
    Once,
}

impl Readiness {
    pub const ALL: [Readiness; 4] = [
        Readiness::Now,
        Readiness::OneToTwoYears,
        Readiness::ThreePlusYears,
        Readiness::Once,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Readiness::Now => "ready_now",
            Readiness::OneToTwoYears => "ready_1_2_years",
            Readiness::ThreePlusYears => "ready_3_plus_years",
            Readiness::Once => "ready_once",
        }
    }

    pub fn parse(text: &str) -> Option<Readiness> {
        Readiness::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            Readiness::Now => "Ready now",
            Readiness::OneToTwoYears => "Ready in 1–2 years",
            Readiness::ThreePlusYears => "Ready in 3+ years",
            Readiness::Once => "Ready once …",
        }
    }
}

/// A candidate on a succession plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SuccessionCandidate))]
pub struct Candidate {
    pub person: PersonName,
    /// Still with the organisation.
    pub active: bool,
    /// 1 is the first choice.
    pub rank: u32,
    pub readiness: Readiness,
    /// What "ready once …" waits for; empty otherwise.
    pub condition: String,
    pub note: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub reviewed_on: NaiveDate,
}

/// A key role and its succession plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyRole {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: KeyRoleId,
    pub title: String,
    /// Who holds it; none for a role not yet filled.
    pub holder: Option<PersonName>,
    /// Whether the holder is still with the organisation (a role whose holder left is
    /// vacant).
    pub holder_active: bool,
    /// The holder's team, or the team of a role not yet filled.
    pub team: Option<Belongs>,
    /// The manager a role not yet filled reports to.
    pub reports_to: Option<PersonName>,
    pub impact: Impact,
    /// Why it matters, in the admin's words.
    pub why: String,
    pub created_at: i64,
    pub candidates: Vec<Candidate>,
}

impl KeyRole {
    pub fn ready_now(&self) -> usize {
        self.active_candidates()
            .filter(|c| c.readiness == Readiness::Now)
            .count()
    }

    pub fn active_candidates(&self) -> impl Iterator<Item = &Candidate> {
        self.candidates.iter().filter(|c| c.active)
    }

    pub fn lists(&self, person: PersonId) -> bool {
        self.candidates.iter().any(|c| c.person.id == person)
    }
}

pub struct NewKeyRole {
    pub title: String,
    pub holder: Option<PersonId>,
    pub team: Option<TeamId>,
    pub reports_to: Option<PersonId>,
    pub impact: Impact,
    pub why: String,
    pub created_by: Option<PersonId>,
    pub created_at: i64,
}

pub struct RoleChanges {
    pub title: String,
    pub impact: Impact,
    pub why: String,
}

pub struct NewCandidate {
    pub person: PersonId,
    pub readiness: Readiness,
    pub condition: String,
    pub note: String,
    pub reviewed_on: NaiveDate,
    pub by: Option<PersonId>,
    pub at: i64,
}

/// A key role to mark.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyRoleInput {
    /// The role's title; the holder's job title when empty.
    #[serde(default)]
    pub title: String,
    /// Who holds it; leave out for a role not yet filled.
    #[serde(default)]
    pub holder_id: Option<i64>,
    /// The team of a role not yet filled.
    #[serde(default)]
    pub team_id: Option<i64>,
    /// The manager a role not yet filled reports to.
    #[serde(default)]
    pub reports_to_id: Option<i64>,
    /// `critical`, `high` or `moderate`.
    pub impact: String,
    #[serde(default)]
    pub why: String,
}

/// Changes to a key role.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct KeyRoleChanges {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub impact: Option<String>,
    #[serde(default)]
    pub why: Option<String>,
}

/// A candidate to add, or their new readiness.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CandidateInput {
    /// `ready_now`, `ready_1_2_years`, `ready_3_plus_years` or `ready_once`.
    pub readiness: String,
    /// What "ready once …" waits for (needed then).
    #[serde(default)]
    pub condition: String,
    #[serde(default)]
    pub note: String,
    /// A new place in the ranking (1 is first); where they are when absent.
    #[serde(default)]
    pub rank: Option<u32>,
}

/// Answers viewer-to-person reach questions once per person in a request.
pub(crate) struct Reaches<'a> {
    store: &'a dyn Store,
    viewer: &'a Viewer,
    known: HashMap<PersonId, Reach>,
}

impl<'a> Reaches<'a> {
    pub(crate) fn new(store: &'a dyn Store, viewer: &'a Viewer) -> Self {
        Reaches {
            store,
            viewer,
            known: HashMap::new(),
        }
    }

    pub(crate) async fn of(&mut self, person: PersonId) -> CoreResult<Reach> {
        if let Some(r) = self.known.get(&person) {
            return Ok(*r);
        }
        let r = reach_to(self.store, self.viewer, person).await?;
        self.known.insert(person, r);
        Ok(r)
    }

    /// The plan rule: admins, and the chain above the role; never a listed candidate
    /// who is not an admin.
    pub(crate) async fn sees_plan(&mut self, role: &KeyRole) -> CoreResult<bool> {
        if self.viewer.may_administer() {
            return Ok(true);
        }
        if role.lists(self.viewer.person_id()) {
            return Ok(false);
        }
        Ok(match (&role.holder, &role.reports_to) {
            (Some(h), _) => self.of(h.id).await?.is_above(),
            (None, Some(m)) => self.of(m.id).await?.in_own_tree(),
            (None, None) => false,
        })
    }

    /// The candidate's own rule for their ratings, 9-box, 360, delivery and wishes.
    pub(crate) async fn sees_evidence(&mut self, person: PersonId) -> CoreResult<bool> {
        Ok(self.of(person).await?.may_manage())
    }
}

fn not_found(id: KeyRoleId) -> CoreError {
    CoreError::NotFound(format!("key role {id}"))
}

/// The role, when the viewer may see its plan; otherwise as if it did not exist.
pub async fn visible_role(
    store: &dyn Store,
    viewer: &Viewer,
    id: KeyRoleId,
) -> CoreResult<KeyRole> {
    let role = store.key_role(id).await?.ok_or_else(|| not_found(id))?;
    if !Reaches::new(store, viewer).sees_plan(&role).await? {
        return Err(not_found(id));
    }
    Ok(role)
}

fn text_errors(errors: &mut Vec<FieldError>, field: &str, text: &str, max: usize) {
    if text.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("keep it to {max} characters"),
        ));
    }
}

fn impact_of(errors: &mut Vec<FieldError>, text: &str) -> Option<Impact> {
    let impact = Impact::parse(text.trim());
    if impact.is_none() {
        errors.push(FieldError::new(
            "impact",
            format!("“{text}” is not an impact; choose critical, high or moderate"),
        ));
    }
    impact
}

/// An active person by id for a field, or the error that says why not.
async fn active_person(
    store: &dyn Store,
    errors: &mut Vec<FieldError>,
    field: &str,
    id: i64,
) -> CoreResult<Option<crate::org::Person>> {
    match store.person(PersonId(id)).await? {
        None => errors.push(FieldError::new(field, format!("there is no person {id}"))),
        Some(p) if p.status == PersonStatus::Left => errors.push(FieldError::new(
            field,
            format!("{} has left the organisation", p.display_name()),
        )),
        Some(p) => return Ok(Some(p)),
    }
    Ok(None)
}

/// Marks a key role (admins): a holder's position, or a role not yet filled with a title.
pub async fn mark_role(
    store: &dyn Store,
    viewer: &Viewer,
    input: &KeyRoleInput,
    now: i64,
) -> CoreResult<KeyRoleId> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "mark key roles; people admins do".into(),
        ));
    }
    let mut errors = Vec::new();
    let impact = impact_of(&mut errors, &input.impact);
    let mut title = input.title.trim().to_string();
    text_errors(&mut errors, "title", &title, 200);
    text_errors(&mut errors, "why", &input.why, 2000);
    let mut team = None;
    let mut reports_to = None;
    match input.holder_id {
        Some(id) => {
            if let Some(holder) = active_person(store, &mut errors, "holder_id", id).await? {
                if title.is_empty() {
                    title = holder.title.clone().unwrap_or_default();
                }
                if let Some(role) = store
                    .key_roles()
                    .await?
                    .into_iter()
                    .find(|r| r.holder.as_ref().is_some_and(|h| h.id == holder.id))
                {
                    errors.push(FieldError::new(
                        "holder_id",
                        format!(
                            "{}'s role is a key role already (“{}”)",
                            holder.display_name(),
                            role.title
                        ),
                    ));
                }
            }
        }
        None => {
            if let Some(id) = input.reports_to_id {
                reports_to = active_person(store, &mut errors, "reports_to_id", id)
                    .await?
                    .map(|p| p.id);
            }
            if let Some(id) = input.team_id {
                match store.team(TeamId(id)).await? {
                    Some(t) => team = Some(t.id),
                    None => {
                        errors.push(FieldError::new("team_id", format!("there is no team {id}")))
                    }
                }
            }
        }
    }
    if title.is_empty() && !errors.iter().any(|e| e.field == "holder_id") {
        errors.push(FieldError::new(
            "title",
            match input.holder_id {
                Some(_) => "give the role a title: its holder has no job title",
                None => {
                    "name the person who holds the role, or give a title for a role not yet filled"
                }
            },
        ));
    }
    let Some(impact) = impact.filter(|_| errors.is_empty()) else {
        return Err(CoreError::Invalid(errors));
    };
    let id = store
        .create_key_role(&NewKeyRole {
            title: title.clone(),
            holder: input.holder_id.map(PersonId),
            team,
            reports_to,
            impact,
            why: input.why.trim().to_string(),
            created_by: viewer.actor(),
            created_at: now,
        })
        .await?;
    store
        .audit(&AuditEntry {
            at: now,
            actor: viewer.actor(),
            action: "key role marked".into(),
            subject: format!("key role {id}"),
            detail: title,
        })
        .await?;
    Ok(id)
}

/// Changes a key role's title, impact or why (admins).
pub async fn change_role(
    store: &dyn Store,
    viewer: &Viewer,
    id: KeyRoleId,
    changes: &KeyRoleChanges,
) -> CoreResult<()> {
    let role = visible_role(store, viewer, id).await?;
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "change key roles; people admins do".into(),
        ));
    }
    let mut errors = Vec::new();
    let title = changes
        .title
        .as_deref()
        .map(str::trim)
        .unwrap_or(&role.title)
        .to_string();
    if title.is_empty() {
        errors.push(FieldError::new("title", "give the role a title"));
    }
    text_errors(&mut errors, "title", &title, 200);
    let impact = match &changes.impact {
        Some(text) => impact_of(&mut errors, text),
        None => Some(role.impact),
    };
    let why = changes.why.clone().unwrap_or(role.why);
    text_errors(&mut errors, "why", &why, 2000);
    let Some(impact) = impact.filter(|_| errors.is_empty()) else {
        return Err(CoreError::Invalid(errors));
    };
    store
        .update_key_role(
            id,
            &RoleChanges {
                title,
                impact,
                why: why.trim().to_string(),
            },
        )
        .await
}

/// Removes a key role and its plan (admins).
pub async fn remove_role(
    store: &dyn Store,
    viewer: &Viewer,
    id: KeyRoleId,
    now: i64,
) -> CoreResult<()> {
    let role = visible_role(store, viewer, id).await?;
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "remove key roles; people admins do".into(),
        ));
    }
    store.delete_key_role(id).await?;
    store
        .audit(&AuditEntry {
            at: now,
            actor: viewer.actor(),
            action: "key role removed".into(),
            subject: format!("key role {id}"),
            detail: role.title,
        })
        .await
}

fn readiness_of(errors: &mut Vec<FieldError>, input: &CandidateInput) -> Option<Readiness> {
    let readiness = Readiness::parse(input.readiness.trim());
    match readiness {
        None => errors.push(FieldError::new(
            "readiness",
            format!(
                "“{}” is not a readiness; choose ready_now, ready_1_2_years, \
                 ready_3_plus_years or ready_once",
                input.readiness
            ),
        )),
        Some(Readiness::Once) if input.condition.trim().is_empty() => errors.push(FieldError::new(
            "condition",
            "say what they will be ready once they have done",
        )),
        Some(_) => {}
    }
    text_errors(errors, "condition", &input.condition, 300);
    text_errors(errors, "note", &input.note, 2000);
    readiness
}

/// Puts a candidate on the plan, or updates their readiness, condition and note (which
/// marks the entry reviewed today); with `rank`, moves them to that place.
pub async fn save_candidate(
    store: &dyn Store,
    viewer: &Viewer,
    id: KeyRoleId,
    person: i64,
    input: &CandidateInput,
    now: i64,
) -> CoreResult<()> {
    let role = visible_role(store, viewer, id).await?;
    let mut errors = Vec::new();
    let readiness = readiness_of(&mut errors, input);
    let listed = role.lists(PersonId(person));
    if !listed
        && let Some(p) = active_person(store, &mut errors, "person_id", person).await?
        && role.holder.as_ref().is_some_and(|h| h.id == p.id)
    {
        errors.push(FieldError::new(
            "person_id",
            format!("{} holds the role", p.display_name()),
        ));
    }
    let places = role.candidates.len() + usize::from(!listed);
    if let Some(rank) = input.rank
        && (rank == 0 || rank as usize > places)
    {
        errors.push(FieldError::new(
            "rank",
            format!("rank {rank} is not a place on this plan; choose 1 to {places}"),
        ));
    }
    let Some(readiness) = readiness.filter(|_| errors.is_empty()) else {
        return Err(CoreError::Invalid(errors));
    };
    let person = PersonId(person);
    store
        .save_candidate(
            id,
            &NewCandidate {
                person,
                readiness,
                condition: if readiness == Readiness::Once {
                    input.condition.trim().to_string()
                } else {
                    String::new()
                },
                note: input.note.trim().to_string(),
                reviewed_on: crate::clock::local_date(None, now),
                by: viewer.actor(),
                at: now,
            },
        )
        .await?;
    if let Some(rank) = input.rank {
        let mut order: Vec<PersonId> = role
            .candidates
            .iter()
            .map(|c| c.person.id)
            .filter(|p| *p != person)
            .collect();
        order.insert(rank as usize - 1, person);
        store.rank_candidates(id, &order).await?;
    }
    Ok(())
}

/// Takes a candidate off the plan.
pub async fn remove_candidate(
    store: &dyn Store,
    viewer: &Viewer,
    id: KeyRoleId,
    person: PersonId,
) -> CoreResult<()> {
    let role = visible_role(store, viewer, id).await?;
    if !role.lists(person) {
        return Err(CoreError::NotFound(format!(
            "candidate {person} on key role {id}"
        )));
    }
    store.remove_candidate(id, person).await
}
