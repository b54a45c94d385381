//! Org history: every change of a person's manager, level, title, team, status or skills,
//! with the date it took effect, recorded in the same transaction as the change (pages, the
//! API and imports alike). Later capabilities read it: when someone became a manager, who
//! was promoted, who moved teams. Values are kept as they were shown at the time (names,
//! level codes, skills in the import notation), so the record stays true when a team is
//! renamed or a manager leaves.

use super::people::PersonFields;
use super::{Person, PersonStatus, SkillLevel, skills_notation};
use crate::access::{Reach, Viewer};
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use crate::org::store::OrgStore;
use chrono::NaiveDate;
use serde::Serialize;

/// A field whose changes are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HistoryField {
    Manager,
    Level,
    Title,
    Team,
    Status,
    Skills,
}

impl HistoryField {
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryField::Manager => "manager",
            HistoryField::Level => "level",
            HistoryField::Title => "title",
            HistoryField::Team => "team",
            HistoryField::Status => "status",
            HistoryField::Skills => "skills",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Some(match value {
            "manager" => HistoryField::Manager,
            "level" => HistoryField::Level,
            "title" => HistoryField::Title,
            "team" => HistoryField::Team,
            "status" => HistoryField::Status,
            "skills" => HistoryField::Skills,
            _ => return None,
        })
    }

    /// Level and employment status are private to the person, their chain and admins
    /// (as on the person page); the others are seen by whoever sees the person.
    fn visible_to(self, reach: Reach) -> bool {
        match self {
            HistoryField::Level | HistoryField::Status => reach.sees_private_fields(),
            _ => true,
        }
    }
}

/// One field's change: the values before and after, as shown (None when empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    pub field: HistoryField,
    pub before: Option<String>,
    pub after: Option<String>,
}

impl FieldChange {
    /// An active person marked as having left.
    pub fn left() -> FieldChange {
        FieldChange {
            field: HistoryField::Status,
            before: Some(PersonStatus::Active.as_str().into()),
            after: Some(PersonStatus::Left.as_str().into()),
        }
    }
}

/// The values a change is judged on, as shown: names, not ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryValues {
    pub manager: Option<String>,
    pub level: Option<String>,
    pub title: Option<String>,
    pub team: Option<String>,
    pub status: Option<PersonStatus>,
    pub skills: Vec<SkillLevel>,
}

/// What changed between two states of a person, in a fixed order.
pub fn changes(before: &HistoryValues, after: &HistoryValues) -> Vec<FieldChange> {
    let status = |s: Option<PersonStatus>| s.map(|s| s.as_str().to_string());
    let skills = |s: &[SkillLevel]| Some(skills_notation(s)).filter(|s| !s.is_empty());
    let pairs = [
        (
            HistoryField::Manager,
            before.manager.clone(),
            after.manager.clone(),
        ),
        (
            HistoryField::Level,
            before.level.clone(),
            after.level.clone(),
        ),
        (
            HistoryField::Title,
            before.title.clone(),
            after.title.clone(),
        ),
        (HistoryField::Team, before.team.clone(), after.team.clone()),
        (
            HistoryField::Status,
            status(before.status),
            status(after.status),
        ),
        (
            HistoryField::Skills,
            skills(&before.skills),
            skills(&after.skills),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, b, a)| b != a)
        .map(|(field, before, after)| FieldChange {
            field,
            before,
            after,
        })
        .collect()
}

/// A recorded change of one person, for the person page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryEntry {
    pub person: PersonId,
    pub field: HistoryField,
    pub before: Option<String>,
    pub after: Option<String>,
    /// The date the change took effect (the person's local date when it was made).
    pub effective_on: NaiveDate,
    /// Who made it (None for the command line and imports without a person).
    pub actor: Option<PersonId>,
    pub actor_name: Option<String>,
    /// How it was made: "profile", "api", "import", "command line".
    pub source: String,
}

/// A person's recorded changes, newest first, without the fields the viewer may not see.
/// A person the viewer may not see is not found, as everywhere.
pub async fn of_person(
    store: &dyn OrgStore,
    viewer: &Viewer,
    id: PersonId,
) -> CoreResult<Vec<HistoryEntry>> {
    let person = store
        .person(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("person {id}")))?;
    let reach = super::people::reach_to(store, viewer, id).await?;
    if super::people::hidden_from(&person, reach) {
        return Err(CoreError::NotFound(format!("person {id}")));
    }
    let mut entries = store.person_history(id).await?;
    entries.retain(|e| e.field.visible_to(reach));
    Ok(entries)
}

/// What the org history records of changing `person` to `fields` (and, when given, to
/// these skills; to a team made in the same change, `new_team`).
pub(crate) async fn field_changes(
    store: &dyn OrgStore,
    person: &Person,
    fields: &PersonFields,
    skills: Option<&[SkillLevel]>,
    new_team: Option<&str>,
) -> CoreResult<Vec<FieldChange>> {
    let old = PersonFields::from(person);
    let skills_before = match skills {
        Some(_) => store
            .person_neighbourhood(person.id)
            .await?
            .map(|n| n.skills)
            .unwrap_or_default(),
        None => Vec::new(),
    };
    // The stored person carries its level and team by name; only what changed is looked up.
    let manager_changed = fields.manager_id != old.manager_id;
    let before = HistoryValues {
        manager: if manager_changed {
            manager_name(store, old.manager_id).await?
        } else {
            None
        },
        level: person.level_code.clone(),
        title: person.title.clone(),
        team: person.team_name.clone(),
        status: Some(person.status),
        skills: skills_before.clone(),
    };
    let after = HistoryValues {
        manager: if manager_changed {
            manager_name(store, fields.manager_id).await?
        } else {
            None
        },
        level: match fields.level_id {
            l if l == old.level_id => before.level.clone(),
            Some(l) => store.level(l).await?.map(|l| l.code),
            None => None,
        },
        title: fields.title.clone(),
        team: match (new_team, fields.team_id) {
            (Some(name), _) => Some(name.to_string()),
            (None, t) if t == old.team_id => before.team.clone(),
            (None, Some(t)) => store.team(t).await?.map(|t| t.name),
            (None, None) => None,
        },
        status: Some(fields.status),
        skills: skills.map(<[SkillLevel]>::to_vec).unwrap_or(skills_before),
    };
    Ok(changes(&before, &after))
}

/// The full name of a manager, as the org history keeps it.
async fn manager_name(store: &dyn OrgStore, id: Option<PersonId>) -> CoreResult<Option<String>> {
    Ok(match id {
        Some(m) => store.person(m).await?.map(|p| p.name),
        None => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_kept_fields_that_differ_are_changes() {
        let before = HistoryValues {
            manager: Some("Ana Silva".into()),
            level: Some("L3".into()),
            title: Some("Engineer".into()),
            team: Some("Payments".into()),
            status: Some(PersonStatus::Active),
            skills: vec![SkillLevel {
                skill: "rust".into(),
                level: 3,
                wants_to_grow: false,
            }],
        };
        let mut after = before.clone();
        assert!(changes(&before, &after).is_empty());
        after.level = Some("L4".into());
        after.manager = None;
        after.skills[0].wants_to_grow = true;
        assert_eq!(
            changes(&before, &after),
            vec![
                FieldChange {
                    field: HistoryField::Manager,
                    before: Some("Ana Silva".into()),
                    after: None,
                },
                FieldChange {
                    field: HistoryField::Level,
                    before: Some("L3".into()),
                    after: Some("L4".into()),
                },
                FieldChange {
                    field: HistoryField::Skills,
                    before: Some("rust:3".into()),
                    after: Some("rust:3+".into()),
                },
            ]
        );
    }

    #[test]
    fn level_and_status_changes_are_private_like_the_fields() {
        let me = Viewer::signed_in(crate::AccountId(1), crate::PersonId(1), false, 0);
        let colleague = me.reach(crate::PersonId(2), &[]);
        let myself = me.reach(crate::PersonId(1), &[]);
        for field in [HistoryField::Level, HistoryField::Status] {
            assert!(!field.visible_to(colleague));
            assert!(field.visible_to(myself));
        }
        assert!(HistoryField::Title.visible_to(colleague));
        for f in ["manager", "level", "title", "team", "status", "skills"] {
            assert_eq!(HistoryField::parse(f).unwrap().as_str(), f);
        }
    }
}
