//! Connection programmes: create one, and each person's choices in it (opt out, snooze)
//! and their private exclusions.

use super::{PreferAcross, Shape};
use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::clock::local_date;
use crate::connect::store::ConnectStore;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{PersonId, ProgrammeId};
use crate::org::PersonStatus;
use crate::org::import::ExistingPerson;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use trellis_insight::connections::OddOne;

/// Who is in a programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Audience {
    Everyone,
    /// Everyone active in this department (a team's parent, or a team without one).
    Department(String),
    /// This manager and everyone below them.
    Tree(PersonId),
    Location(String),
    List(Vec<PersonId>),
    /// The active members of a group (such as one an identity provider provisions), as it
    /// is at each round.
    Group {
        id: i64,
        name: String,
        members: Vec<PersonId>,
    },
}

impl Audience {
    pub fn kind(&self) -> &'static str {
        match self {
            Audience::Everyone => "everyone",
            Audience::Department(_) => "department",
            Audience::Tree(_) => "tree",
            Audience::Location(_) => "location",
            Audience::List(_) => "list",
            Audience::Group { .. } => "group",
        }
    }

    /// The active people in it, by id.
    pub fn members(&self, people: &[ExistingPerson]) -> Vec<PersonId> {
        let active = people
            .iter()
            .filter(|p| p.record.status == PersonStatus::Active);
        let mut ids: Vec<PersonId> = match self {
            Audience::Everyone => active.map(|p| p.id).collect(),
            Audience::Department(d) => active
                .filter(|p| {
                    crate::influence::department_of(&p.record)
                        .is_some_and(|x| x.trim().eq_ignore_ascii_case(d))
                })
                .map(|p| p.id)
                .collect(),
            Audience::Location(l) => active
                .filter(|p| {
                    p.record
                        .location
                        .as_deref()
                        .is_some_and(|x| x.trim().eq_ignore_ascii_case(l))
                })
                .map(|p| p.id)
                .collect(),
            Audience::List(list) | Audience::Group { members: list, .. } => {
                let wanted: HashSet<PersonId> = list.iter().copied().collect();
                active
                    .filter(|p| wanted.contains(&p.id))
                    .map(|p| p.id)
                    .collect()
            }
            Audience::Tree(root) => {
                let manager: HashMap<PersonId, PersonId> = people
                    .iter()
                    .filter_map(|p| p.manager_id.map(|m| (p.id, m)))
                    .collect();
                active
                    .filter(|p| {
                        let mut at = Some(p.id);
                        let mut steps = 0;
                        while let Some(id) = at {
                            if id == *root {
                                return true;
                            }
                            steps += 1;
                            if steps > people.len() {
                                return false;
                            }
                            at = manager.get(&id).copied();
                        }
                        false
                    })
                    .map(|p| p.id)
                    .collect()
            }
        };
        ids.sort();
        ids
    }
}

/// A programme as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Programme {
    pub id: ProgrammeId,
    pub name: String,
    pub audience: Audience,
    pub rhythm_weeks: u32,
    pub group_size: usize,
    /// `trio` or `sit_out`.
    pub odd_one: String,
    pub prefer_across: PreferAcross,
    pub first_round_on: NaiveDate,
    /// Who created it; `None` for the command line.
    pub owner: Option<PersonId>,
    pub created_at: i64,
    pub archived_at: Option<i64>,
}

impl Programme {
    pub fn shape(&self) -> Shape {
        Shape {
            group_size: self.group_size,
            odd_one: if self.odd_one == "sit_out" {
                OddOne::SitOut
            } else {
                OddOne::Trio
            },
            prefer_across: self.prefer_across,
        }
    }

    /// The day round `number` (from 1) is due.
    pub fn round_due_on(&self, number: u32) -> NaiveDate {
        self.first_round_on
            + chrono::Duration::weeks(
                i64::from(self.rhythm_weeks) * i64::from(number.saturating_sub(1)),
            )
    }
}

/// A programme to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProgramme {
    pub name: String,
    pub audience: Audience,
    pub rhythm_weeks: u32,
    pub group_size: usize,
    pub odd_one: &'static str,
    pub prefer_across: PreferAcross,
    pub first_round_on: NaiveDate,
    pub owner: Option<PersonId>,
    pub created_at: i64,
}

/// What an admin (or a manager, for their tree) fills in.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ConnectProgrammeRequest))]
#[serde(deny_unknown_fields)]
pub struct ProgrammeInput {
    pub name: String,
    /// everyone, department, tree, location, list or group
    pub audience: String,
    /// The department or location name, the manager's person id for a tree, or the
    /// group's name or id.
    #[serde(default)]
    pub audience_value: Option<String>,
    /// The people of a list audience.
    #[serde(default)]
    pub people: Option<Vec<i64>>,
    /// 1, 2 or 4
    pub rhythm_weeks: i64,
    /// 2 (pairs) or 3 (trios)
    pub group_size: i64,
    /// trio (default) or sit_out: what the odd one out of a pairs round does
    #[serde(default)]
    pub odd_one: Option<String>,
    /// nothing, team (default), department or location
    #[serde(default)]
    pub prefer_across: Option<String>,
    /// The first round's day: today or later.
    pub first_round_on: NaiveDate,
}

/// Creates a programme. Admins create any; a manager creates one for their own tree.
pub async fn create_programme(
    store: &dyn crate::Store,
    viewer: &Viewer,
    input: &ProgrammeInput,
    now: i64,
) -> CoreResult<ProgrammeId> {
    let today = local_date(None, now);
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "give a name of 1 to 200 characters",
        ));
    }
    let value = input.audience_value.as_deref().map(str::trim).unwrap_or("");
    let audience = match input.audience.trim() {
        "everyone" => Some(Audience::Everyone),
        "department" | "location" | "group" if value.is_empty() => {
            errors.push(FieldError::new(
                "audience_value",
                format!("name the {}", input.audience.trim()),
            ));
            None
        }
        "department" => Some(Audience::Department(value.to_string())),
        "location" => Some(Audience::Location(value.to_string())),
        "tree" => match value.parse::<i64>() {
            Ok(id) => Some(Audience::Tree(PersonId(id))),
            Err(_) => {
                errors.push(FieldError::new(
                    "audience_value",
                    "give the manager's person id",
                ));
                None
            }
        },
        "group" => {
            let id = match value.parse::<i64>() {
                Ok(id) => Some(id),
                Err(_) => store.group_id_by_name(&value.to_lowercase()).await?,
            };
            match id {
                Some(id) => match store.group(id).await? {
                    Some(g) => Some(Audience::Group {
                        id,
                        name: g.name,
                        members: g.members,
                    }),
                    None => None,
                },
                None => None,
            }
            .or_else(|| {
                errors.push(FieldError::new(
                    "audience_value",
                    format!("there is no group {value:?}"),
                ));
                None
            })
        }
        "list" => Some(Audience::List(
            input
                .people
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(PersonId)
                .collect(),
        )),
        other => {
            errors.push(FieldError::new(
                "audience",
                format!(
                    "\"{other}\" is not an audience: choose everyone, department, tree, location, list or group"
                ),
            ));
            None
        }
    };
    if ![1, 2, 4].contains(&input.rhythm_weeks) {
        errors.push(FieldError::new(
            "rhythm_weeks",
            "rounds run every 1, 2 or 4 weeks",
        ));
    }
    let group_size = match super::check_group_size(input.group_size) {
        Ok(size) => size,
        Err(CoreError::Invalid(mut fields)) => {
            errors.append(&mut fields);
            2
        }
        Err(other) => return Err(other),
    };
    let odd_one = match input.odd_one.as_deref().map(str::trim) {
        None | Some("") | Some("trio") => "trio",
        Some("sit_out") => "sit_out",
        Some(other) => {
            errors.push(FieldError::new(
                "odd_one",
                format!("\"{other}\" is not offered: choose trio or sit_out"),
            ));
            "trio"
        }
    };
    let prefer_across = match input.prefer_across.as_deref() {
        None => PreferAcross::Team,
        Some(text) => PreferAcross::parse(text).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "prefer_across",
                "choose nothing, team, department or location",
            ));
            PreferAcross::Team
        }),
    };
    if input.first_round_on < today {
        errors.push(FieldError::new(
            "first_round_on",
            format!("the first round cannot be in the past (today is {today})"),
        ));
    }
    if let Some(audience) = &audience {
        may_run_for(viewer, audience)?;
        let people = store.org_people().await?;
        let count = audience.members(&people).len();
        if count < 2 {
            let people = if count == 1 { "1 person" } else { "nobody" };
            errors.push(FieldError::new(
                "audience",
                format!("a connection programme needs at least 2 people; this audience has {people} active"),
            ));
        }
    }
    let Some(audience) = audience.filter(|_| errors.is_empty()) else {
        return Err(CoreError::Invalid(errors));
    };
    let programme = NewProgramme {
        name: name.to_string(),
        audience,
        rhythm_weeks: input.rhythm_weeks as u32,
        group_size,
        odd_one,
        prefer_across,
        first_round_on: input.first_round_on,
        owner: viewer.actor(),
        created_at: now,
    };
    let mut work = store.begin_connect_write().await?;
    let id = work.create_programme(&programme).await?;
    work.audit(&AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "connect_programme.create".into(),
        subject: name.to_string(),
        detail: format!(
            "{} audience, every {} weeks, groups of {}",
            programme.audience.kind(),
            programme.rhythm_weeks,
            group_size
        ),
    })
    .await?;
    work.commit().await?;
    Ok(id)
}

/// Admins run any programme; a manager runs one whose audience is their own tree.
pub(super) fn may_run_for(viewer: &Viewer, audience: &Audience) -> CoreResult<()> {
    if viewer.may_administer() || *audience == Audience::Tree(viewer.person_id()) {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "run this connection programme; people admins do, and managers for their own tree"
                .into(),
        ))
    }
}

/// Those who run a programme archive it: no more rounds, no more notifications; its rounds,
/// outcomes and coverage stay readable, and the met pairs stay interactions.
pub async fn archive_programme(
    store: &dyn ConnectStore,
    viewer: &Viewer,
    programme: ProgrammeId,
    now: i64,
) -> CoreResult<()> {
    let found = store
        .programme(programme)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("connection programme {programme}")))?;
    may_run_for(viewer, &found.audience)?;
    if found.archived_at.is_some() {
        return Err(CoreError::Conflict(format!(
            "\"{}\" is already archived",
            found.name
        )));
    }
    let mut work = store.begin_connect_write().await?;
    work.archive_programme(programme, now).await?;
    work.audit(&AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "connect_programme.archive".into(),
        subject: found.name.clone(),
        detail: String::new(),
    })
    .await?;
    work.commit().await
}

/// A person's choice in one programme.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ConnectChoice))]
pub struct Choice {
    pub opted_out: bool,
    /// Skips rounds due before this day.
    #[serde(default)]
    pub snoozed_until: Option<NaiveDate>,
}

/// A person opts out of a programme, back in, or snoozes it.
pub async fn set_choice(
    store: &dyn ConnectStore,
    viewer: &Viewer,
    programme: ProgrammeId,
    choice: &Choice,
    now: i64,
) -> CoreResult<()> {
    let found = store
        .programme(programme)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("connection programme {programme}")))?;
    let people = store.org_people().await?;
    if !found
        .audience
        .members(&people)
        .contains(&viewer.person_id())
    {
        return Err(CoreError::NotFound(format!(
            "connection programme {programme}"
        )));
    }
    let today = local_date(None, now);
    if choice
        .snoozed_until
        .is_some_and(|d| d <= today || d > today + chrono::Duration::days(366))
    {
        return Err(CoreError::field(
            "snoozed_until",
            "snooze until a day after today and within a year",
        ));
    }
    store
        .set_choice(programme, viewer.person_id(), choice, now)
        .await
}

/// A person privately excludes a colleague from every programme (or lifts it). Nobody else
/// sees it; the colleague never learns it.
pub async fn set_exclusion(
    store: &dyn ConnectStore,
    viewer: &Viewer,
    colleague: PersonId,
    on: bool,
    now: i64,
) -> CoreResult<()> {
    if colleague == viewer.person_id() {
        return Err(CoreError::field("person", "you cannot exclude yourself"));
    }
    let people = store.org_people().await?;
    if !people
        .iter()
        .any(|p| p.id == colleague && p.record.status == PersonStatus::Active)
    {
        return Err(CoreError::NotFound(format!("person {colleague}")));
    }
    store
        .set_exclusion(viewer.person_id(), colleague, on, now)
        .await
}
