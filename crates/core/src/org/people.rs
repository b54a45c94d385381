//! People services: the directory, the person page, the org chart, and edits — each
//! through the visibility policy.

use super::csv_format::{check_time_zone, is_plausible_email, normalise_skill};
use super::history::{self, FieldChange};
use super::{Page, PeopleFilter, Person, PersonCard, PersonStatus, SkillLevel};
use crate::access::{Reach, Viewer};
use crate::audit::AuditEntry;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{LevelId, PersonId, TeamId};
use crate::org::store::ChangeRecord;
use crate::org::store::OrgStore;
use crate::store::Store;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use super::input::PersonInput;

/// Every stored field of a person, as written on create and update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFields {
    pub employee_id: Option<String>,
    pub name: String,
    pub preferred_name: Option<String>,
    pub email: String,
    pub title: Option<String>,
    pub level_id: Option<LevelId>,
    pub team_id: Option<TeamId>,
    pub manager_id: Option<PersonId>,
    pub location: Option<String>,
    pub time_zone: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub status: PersonStatus,
}

impl From<&Person> for PersonFields {
    fn from(p: &Person) -> Self {
        PersonFields {
            employee_id: p.employee_id.clone(),
            name: p.name.clone(),
            preferred_name: p.preferred_name.clone(),
            email: p.email.clone(),
            title: p.title.clone(),
            level_id: p.level_id,
            team_id: p.team_id,
            manager_id: p.manager_id,
            location: p.location.clone(),
            time_zone: p.time_zone.clone(),
            start_date: p.start_date,
            status: p.status,
        }
    }
}

/// Changes to a person: absent fields stay as they are, `null` clears a field (`None`
/// and `Some(None)` here). People may change their own preferred_name, location,
/// time_zone and skills; admins anything.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = UpdatePersonRequest))]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    #[serde(default, deserialize_with = "crate::input::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub employee_id: Option<Option<String>>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::input::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub preferred_name: Option<Option<String>>,
    pub email: Option<String>,
    #[serde(default, deserialize_with = "crate::input::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::input::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub level_id: Option<Option<LevelId>>,
    #[serde(default, deserialize_with = "crate::input::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub team_id: Option<Option<TeamId>>,
    #[serde(default, deserialize_with = "crate::input::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub manager_id: Option<Option<PersonId>>,
    #[serde(default, deserialize_with = "crate::input::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub location: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::input::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub time_zone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::input::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub start_date: Option<Option<NaiveDate>>,
    pub status: Option<PersonStatus>,
    /// Replaces all skills.
    pub skills: Option<Vec<SkillLevel>>,
}

impl PersonPatch {
    /// Field names that only an admin may change.
    fn admin_only_fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        let mut check = |name: &'static str, set: bool| {
            if set {
                fields.push(name);
            }
        };
        check("employee_id", self.employee_id.is_some());
        check("name", self.name.is_some());
        check("email", self.email.is_some());
        check("title", self.title.is_some());
        check("level_id", self.level_id.is_some());
        check("team_id", self.team_id.is_some());
        check("manager_id", self.manager_id.is_some());
        check("start_date", self.start_date.is_some());
        check("status", self.status.is_some());
        fields
    }
}

/// A person as a given viewer may see them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonView {
    pub person: Person,
    pub reach: Reach,
    /// Managers above, nearest first (without report counts).
    pub chain: Vec<PersonCard>,
    pub reports: Vec<PersonCard>,
    pub skills: Vec<SkillLevel>,
    pub can_edit_profile: bool,
    pub can_edit_everything: bool,
}

/// Loads a person and redacts what the viewer may not see.
pub async fn show(store: &dyn OrgStore, viewer: &Viewer, id: PersonId) -> CoreResult<PersonView> {
    let around = store
        .person_neighbourhood(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("person {id}")))?;
    let chain_ids: Vec<PersonId> = around.chain.iter().map(|c| c.id).collect();
    let reach = viewer.reach(id, &chain_ids);
    let mut person = around.person;
    if hidden_from(&person, reach) {
        return Err(CoreError::NotFound(format!("person {id}")));
    }
    if !reach.sees_private_fields() {
        redact(&mut person);
    }
    Ok(PersonView {
        person,
        reach,
        chain: around.chain,
        reports: around.reports,
        skills: around.skills,
        can_edit_profile: reach.is_self() || viewer.may_administer(),
        can_edit_everything: viewer.may_administer(),
    })
}

/// How far the viewer reaches to a person, read from the person's manager chain.
pub async fn reach_to(store: &dyn OrgStore, viewer: &Viewer, id: PersonId) -> CoreResult<Reach> {
    let chain: Vec<PersonId> = store
        .manager_chain(id)
        .await?
        .iter()
        .map(|c| c.id)
        .collect();
    Ok(viewer.reach(id, &chain))
}

/// A person the viewer may see, with how far the viewer reaches to them.
#[derive(Debug, Clone)]
pub struct Standing {
    pub person: Person,
    pub reach: Reach,
}

/// The person and the viewer's reach to them; a person hidden from the viewer is not found,
/// exactly as an unknown id. Every service about one person starts here.
pub async fn standing(store: &dyn OrgStore, viewer: &Viewer, id: PersonId) -> CoreResult<Standing> {
    let person = store
        .person(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("person {id}")))?;
    let reach = reach_to(store, viewer, id).await?;
    if hidden_from(&person, reach) {
        return Err(CoreError::NotFound(format!("person {id}")));
    }
    Ok(Standing { person, reach })
}

/// The one rule for people who left: they drop out of sight for colleagues, and stay
/// visible to themselves, their (former) manager chain and admins. Everything about a
/// hidden person answers as if the id did not exist.
pub fn hidden_from(person: &Person, reach: Reach) -> bool {
    person.status == PersonStatus::Left && !reach.sees_private_fields()
}

/// Clears the fields only the person, their manager chain and admins may see.
fn redact(person: &mut Person) {
    person.employee_id = None;
    person.start_date = None;
    person.level_id = None;
    person.level_code = None;
    person.level_name = None;
}

/// The directory: active people matching the filter (admins may include people who left).
pub async fn list(
    store: &dyn OrgStore,
    viewer: &Viewer,
    filter: &PeopleFilter,
) -> CoreResult<Page<PersonCard>> {
    let mut filter = filter.clone();
    filter.include_left &= viewer.may_administer();
    // Search only over fields the viewer may read.
    filter.search_employee_ids = viewer.may_administer();
    filter.per_page = filter.per_page.clamp(1, 200);
    filter.page = filter.page.max(1);
    if filter.level_id.is_some() && !viewer.may_administer() {
        // Levels are private; filtering by them would reveal them.
        return Err(CoreError::Forbidden("filter the directory by level".into()));
    }
    store.list_people(&filter).await
}

/// One level of the org chart below a person: their direct reports with report counts.
pub async fn children(
    store: &dyn OrgStore,
    _viewer: &Viewer,
    id: PersonId,
) -> CoreResult<Vec<PersonCard>> {
    if store.person(id).await?.is_none() {
        return Err(CoreError::NotFound(format!("person {id}")));
    }
    store.direct_reports(id).await
}

/// A node of an org subtree.
#[derive(Debug, Clone, Serialize)]
pub struct OrgNode {
    pub person: PersonCard,
    /// Loaded reports; empty when `report_count` is 0 or the depth limit was reached.
    pub reports: Vec<OrgNode>,
}

/// The subtree under a person, `depth` levels deep (1 = the person and their reports).
pub async fn subtree(
    store: &dyn OrgStore,
    viewer: &Viewer,
    id: PersonId,
    depth: u32,
) -> CoreResult<OrgNode> {
    let depth = depth.clamp(0, 4);
    let (person, reports) = store
        .person_with_reports(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("person {id}")))?;
    if person.status == PersonStatus::Left
        && !viewer.may_administer()
        && hidden_from(&person, reach_to(store, viewer, id).await?)
    {
        return Err(CoreError::NotFound(format!("person {id}")));
    }
    let root = PersonCard {
        id: person.id,
        display_name: person.display_name(),
        email: person.email.clone(),
        title: person.title.clone(),
        team_name: person.team_name.clone(),
        location: person.location.clone(),
        status: person.status,
        report_count: person.report_count,
    };
    let mut node = OrgNode {
        person: root,
        reports: Vec::new(),
    };
    if depth > 0 {
        // The first level came with the person.
        node.reports = reports
            .into_iter()
            .map(|p| OrgNode {
                person: p,
                reports: Vec::new(),
            })
            .collect();
        for child in &mut node.reports {
            fill(store, child, depth - 1).await?;
        }
    }
    Ok(node)
}

async fn fill(store: &dyn OrgStore, node: &mut OrgNode, depth: u32) -> CoreResult<()> {
    // Breadth-first, one query per node: bounded by the depth limit of 4.
    let mut level: Vec<&mut OrgNode> = vec![node];
    for _ in 0..depth {
        let mut next: Vec<&mut OrgNode> = Vec::new();
        for n in level {
            if n.person.report_count > 0 {
                n.reports = store
                    .direct_reports(n.person.id)
                    .await?
                    .into_iter()
                    .map(|p| OrgNode {
                        person: p,
                        reports: Vec::new(),
                    })
                    .collect();
            }
            next.extend(n.reports.iter_mut());
        }
        level = next;
    }
    Ok(())
}

fn clean(value: Option<String>) -> Option<String> {
    value
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Validates fields and reports every problem at once.
/// Checks a person's fields. For a change (`stored` given), what the database must confirm
/// is checked only where it differs from what is stored, which was checked when it was
/// written: a change of title reads nothing else.
pub(crate) async fn validate(
    store: &dyn OrgStore,
    stored: Option<(PersonId, &PersonFields)>,
    fields: &mut PersonFields,
) -> CoreResult<()> {
    let id = stored.map(|(id, _)| id);
    let changed = |differs: fn(&PersonFields, &PersonFields) -> bool| {
        stored.is_none_or(|(_, before)| differs(before, fields))
    };
    let email_changed = changed(|a, b| a.email != b.email.trim().to_lowercase());
    let team_changed = changed(|a, b| a.team_id != b.team_id);
    let level_changed = changed(|a, b| a.level_id != b.level_id);
    let manager_changed = changed(|a, b| a.manager_id != b.manager_id || a.status != b.status);
    let mut errors = Vec::new();
    fields.name = fields.name.trim().to_string();
    fields.email = fields.email.trim().to_lowercase();
    fields.employee_id = clean(fields.employee_id.take());
    fields.preferred_name = clean(fields.preferred_name.take());
    fields.title = clean(fields.title.take());
    fields.location = clean(fields.location.take());
    fields.time_zone = clean(fields.time_zone.take());
    if fields.name.is_empty() || fields.name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "give a name of 1 to 200 characters",
        ));
    }
    if !is_plausible_email(&fields.email) {
        errors.push(FieldError::new(
            "email",
            format!("{:?} is not an e-mail address", fields.email),
        ));
    } else if email_changed
        && let Some(holder) = store.person_id_by_email(&fields.email).await?
        && Some(holder) != id
    {
        errors.push(FieldError::new(
            "email",
            format!("{} already belongs to another person", fields.email),
        ));
    }
    if let Some(Err(message)) = fields.time_zone.as_deref().map(check_time_zone) {
        errors.push(FieldError::new("time_zone", message));
    }
    if fields.employee_id.as_ref().is_some_and(|e| e.len() > 64) {
        errors.push(FieldError::new(
            "employee_id",
            "is longer than 64 characters",
        ));
    }
    if let Some(team) = fields.team_id
        && team_changed
        && store.team(team).await?.is_none()
    {
        errors.push(FieldError::new(
            "team_id",
            format!("there is no team {team}"),
        ));
    }
    if let Some(level) = fields.level_id
        && level_changed
        && store.level(level).await?.is_none()
    {
        errors.push(FieldError::new(
            "level_id",
            format!("there is no job level {level}"),
        ));
    }
    if let Some(manager) = fields.manager_id
        && manager_changed
    {
        match store.person(manager).await? {
            None => errors.push(FieldError::new(
                "manager_id",
                format!("there is no person {manager}"),
            )),
            Some(m) if Some(m.id) == id => errors.push(FieldError::new(
                "manager_id",
                "a person cannot report to themselves",
            )),
            Some(m) => {
                if let Some(id) = id {
                    let chain = store.manager_chain(manager).await?;
                    if let Some(pos) = chain.iter().position(|c| c.id == id) {
                        let names: Vec<String> = std::iter::once(m.display_name())
                            .chain(chain[..pos].iter().map(|c| c.display_name.clone()))
                            .collect();
                        errors.push(FieldError::new(
                            "manager_id",
                            format!(
                                "this would make a reporting loop: {} reports (through {}) to the person being changed",
                                m.display_name(),
                                names.join(" → ")
                            ),
                        ));
                    }
                }
                if m.status == PersonStatus::Left && fields.status == PersonStatus::Active {
                    errors.push(FieldError::new(
                        "manager_id",
                        format!(
                            "{} has left; choose someone who works here",
                            m.display_name()
                        ),
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CoreError::Invalid(errors))
    }
}

/// Validates skill entries: names 1–60 characters, levels 1–5, no repeats.
fn validate_skills(skills: &mut [SkillLevel]) -> CoreResult<()> {
    let mut errors = Vec::new();
    for (i, s) in skills.iter_mut().enumerate() {
        s.skill = normalise_skill(&s.skill).into();
        if s.skill.is_empty() || s.skill.chars().count() > 60 {
            errors.push(FieldError::new(
                format!("skills[{i}].skill"),
                "a skill name has 1 to 60 characters",
            ));
        }
        if !(1..=5).contains(&s.level) {
            errors.push(FieldError::new(
                format!("skills[{i}].level"),
                "the level must be 1 to 5",
            ));
        }
    }
    skills.sort();
    for w in skills.windows(2) {
        if w[0].skill == w[1].skill {
            errors.push(FieldError::new(
                "skills",
                format!("skill {:?} is listed twice", w[0].skill),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(CoreError::Invalid(errors))
    }
}

/// A skill typed in a profile that Trellis does not know yet, and the known skill it is
/// most likely a typo of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillNearMiss {
    pub typed: String,
    pub known: String,
}

/// The skills in `skills` that would be new to Trellis although a known one is a near miss
/// ("pyhton" beside python): a form asks once before adding them as typed.
pub async fn skill_near_misses(
    // The skills Trellis knows include opportunities' and the talent pool's.
    store: &dyn Store,
    skills: &[SkillLevel],
) -> CoreResult<Vec<SkillNearMiss>> {
    if skills.is_empty() {
        return Ok(Vec::new());
    }
    let known = store.skill_names().await?;
    Ok(near_misses(skills, &known))
}

fn near_misses(skills: &[SkillLevel], known: &[String]) -> Vec<SkillNearMiss> {
    let known_set: std::collections::HashSet<&str> = known.iter().map(String::as_str).collect();
    let mut misses = Vec::new();
    for s in skills {
        let typed = normalise_skill(&s.skill);
        // Names of two or three letters (go, r, sql) are as often other skills as typos.
        if known_set.contains(typed.as_str()) || typed.chars().count() < 4 {
            continue;
        }
        if let Some(near) = crate::names::closest(&typed, known.iter().map(String::as_str)) {
            misses.push(SkillNearMiss {
                typed,
                known: near.to_string(),
            });
        }
    }
    misses
}

/// Adds a person (admins only).
pub async fn create(
    store: &dyn OrgStore,
    viewer: &Viewer,
    input: PersonInput,
    source: &'static str,
    now: i64,
) -> CoreResult<PersonId> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("add people".into()));
    }
    let mut skills = input.skills;
    let mut fields = PersonFields {
        employee_id: input.employee_id,
        name: input.name,
        preferred_name: input.preferred_name,
        email: input.email,
        title: input.title,
        level_id: input.level_id,
        team_id: input.team_id,
        manager_id: input.manager_id,
        location: input.location,
        time_zone: input.time_zone,
        start_date: input.start_date,
        status: input.status.unwrap_or_default(),
    };
    validate(store, None, &mut fields).await?;
    validate_skills(&mut skills)?;
    let record = person_record(viewer, "person.create", "", &fields, source, now);
    let mut work = store.begin_org_write().await?;
    let id = work.create_person(&fields).await?;
    work.set_skills(id, &skills).await?;
    work.audit(&AuditEntry {
        subject: format!("person {id}"),
        ..record.audit
    })
    .await?;
    work.commit().await?;
    Ok(id)
}

impl PersonPatch {
    /// Puts the fields given into `fields`, leaving the rest; gives the skills, when given.
    fn apply_to(self, fields: &mut PersonFields) -> Option<Vec<SkillLevel>> {
        let PersonPatch {
            employee_id,
            name,
            preferred_name,
            email,
            title,
            level_id,
            team_id,
            manager_id,
            location,
            time_zone,
            start_date,
            status,
            skills,
        } = self;
        if let Some(v) = employee_id {
            fields.employee_id = v;
        }
        if let Some(v) = name {
            fields.name = v;
        }
        if let Some(v) = preferred_name {
            fields.preferred_name = v;
        }
        if let Some(v) = email {
            fields.email = v;
        }
        if let Some(v) = title {
            fields.title = v;
        }
        if let Some(v) = level_id {
            fields.level_id = v;
        }
        if let Some(v) = team_id {
            fields.team_id = v;
        }
        if let Some(v) = manager_id {
            fields.manager_id = v;
        }
        if let Some(v) = location {
            fields.location = v;
        }
        if let Some(v) = time_zone {
            fields.time_zone = v;
        }
        if let Some(v) = start_date {
            fields.start_date = v;
        }
        if let Some(v) = status {
            fields.status = v;
        }
        skills
    }
}

/// Changes a person. People edit their own preferred name, location, time zone and skills;
/// admins edit everything.
pub async fn update(
    store: &dyn OrgStore,
    viewer: &Viewer,
    id: PersonId,
    patch: PersonPatch,
    source: &'static str,
    now: i64,
) -> CoreResult<()> {
    let person = store
        .person(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("person {id}")))?;
    let is_self = viewer.person_id() == id;
    if !viewer.may_administer() {
        if !is_self {
            return Err(CoreError::Forbidden(
                "change another person's profile".into(),
            ));
        }
        let admin_only = patch.admin_only_fields();
        if !admin_only.is_empty() {
            return Err(CoreError::Forbidden(format!(
                "change {} (ask a people admin)",
                admin_only.join(", ")
            )));
        }
    }
    let mut fields = PersonFields::from(&person);
    let skills = patch.apply_to(&mut fields);
    let skills = match skills {
        Some(mut s) => {
            validate_skills(&mut s)?;
            Some(s)
        }
        None => None,
    };
    let old = PersonFields::from(&person);
    validate(store, Some((id, &old)), &mut fields).await?;
    let changes = history::field_changes(store, &person, &fields, skills.as_deref(), None).await?;
    let mut record = person_record(viewer, "person.update", "", &fields, source, now);
    record.audit.subject = format!("person {id}");
    record.effective_on = crate::clock::local_date(person.time_zone.as_deref(), now);
    let mut work = store.begin_org_write().await?;
    work.update_person(id, &old, &fields).await?;
    if let Some(skills) = &skills {
        work.set_skills(id, skills).await?;
    }
    let changes: Vec<(PersonId, &FieldChange)> = changes.iter().map(|c| (id, c)).collect();
    work.record_history(&changes, &record).await?;
    work.audit(&record.audit).await?;
    work.commit().await
}

/// The audit line and history date of a change to a person made by `viewer`.
fn person_record(
    viewer: &Viewer,
    action: &str,
    subject: &str,
    fields: &PersonFields,
    source: &'static str,
    now: i64,
) -> ChangeRecord {
    ChangeRecord {
        audit: AuditEntry {
            at: now,
            actor: Some(viewer.person_id()),
            action: action.into(),
            subject: subject.into(),
            detail: fields.email.clone(),
        },
        effective_on: crate::clock::local_date(fields.time_zone.as_deref(), now),
        source,
        notices: Vec::new(),
    }
}

/// How a notification or a sentence names the person who acted ("Your manager" when they
/// are gone).
pub async fn name_of(store: &dyn OrgStore, id: PersonId) -> CoreResult<String> {
    Ok(store
        .person(id)
        .await?
        .map(|p| p.display_name())
        .unwrap_or_else(|| "Your manager".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skill(name: &str) -> SkillLevel {
        SkillLevel {
            skill: name.into(),
            level: 3,
            wants_to_grow: false,
        }
    }

    #[test]
    fn a_new_skill_one_typo_from_a_known_one_is_a_near_miss() {
        let known = ["python", "rust", "sql", "kubernetes"].map(String::from);
        let typed = [
            skill("pyhton"),
            skill("rust"),
            skill("Kubernetis"),
            skill("sq"),
            skill("woodwork"),
        ];
        assert_eq!(
            near_misses(&typed, &known),
            vec![
                SkillNearMiss {
                    typed: "pyhton".into(),
                    known: "python".into()
                },
                SkillNearMiss {
                    typed: "kubernetis".into(),
                    known: "kubernetes".into()
                },
            ],
            "known skills, short names and skills like no other are not asked about"
        );
    }
}
