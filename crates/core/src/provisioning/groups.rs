//! Groups: many-to-many sets of people (a person has one team; an identity provider's groups
//! are often access groups). Over SCIM they are the Group resource; members are Users by id.

use super::filter::{self, field};
use super::tokens::ScimActor;
use super::users::check_attributes;
use super::{
    GROUP_SCHEMA, Paging, Projection, ScimError, ScimResult, patch, timestamp, version_of,
};
use crate::audit::AuditEntry;
use crate::ids::PersonId;
use crate::store::Store;
use serde_json::{Map, Value, json};

/// A group as stored, with its members when they were read.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRecord {
    pub id: i64,
    pub name: String,
    pub external_id: Option<String>,
    pub source: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub members: Vec<PersonId>,
}

/// A group's own fields, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct NewGroup {
    pub name: String,
    pub external_id: Option<String>,
    pub source: &'static str,
}

const FILTERABLE: &[&str] = &["id", "externalId", "displayName", "members", "meta"];

fn group_id(text: &str) -> ScimResult<i64> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ScimError::not_found(format!("Group {text}")))
}

/// The active members of a group, by id, to add as participants or reviewees; refused at
/// `field` when there is no such group.
pub async fn active_members(
    store: &dyn Store,
    id: i64,
    field: &str,
) -> crate::error::CoreResult<Vec<PersonId>> {
    let group = store
        .group(id)
        .await?
        .ok_or_else(|| crate::error::CoreError::field(field, format!("there is no group {id}")))?;
    let mut active = Vec::new();
    for member in group.members {
        if store.person(member).await?.is_some_and(|p| p.is_active()) {
            active.push(member);
        }
    }
    Ok(active)
}

pub fn render(g: &GroupRecord, base: &str, with_members: bool) -> Value {
    let mut group = Map::new();
    group.insert("schemas".into(), json!([GROUP_SCHEMA]));
    group.insert("id".into(), json!(g.id.to_string()));
    if let Some(e) = &g.external_id {
        group.insert("externalId".into(), json!(e));
    }
    group.insert("displayName".into(), json!(g.name));
    if with_members && !g.members.is_empty() {
        let members: Vec<Value> = g
            .members
            .iter()
            .map(|id| {
                json!({"value": id.0.to_string(), "$ref": format!("{base}/Users/{}", id.0), "type": "User"})
            })
            .collect();
        group.insert("members".into(), json!(members));
    }
    let mut group = Value::Object(group);
    let version = version_of(&group);
    group["meta"] = json!({
        "resourceType": "Group",
        "created": timestamp(g.created_at),
        "lastModified": timestamp(g.updated_at),
        "location": format!("{base}/Groups/{}", g.id),
        "version": version,
    });
    group
}

pub async fn get(
    store: &dyn Store,
    id: &str,
    base: &str,
    projection: &Projection,
) -> ScimResult<Value> {
    let id = group_id(id)?;
    let group = store
        .group(id)
        .await?
        .ok_or_else(|| ScimError::not_found(format!("Group {id}")))?;
    let mut body = render(&group, base, projection.wants("members"));
    projection.apply(&mut body);
    Ok(body)
}

pub async fn list(
    store: &dyn Store,
    filter_text: Option<&str>,
    paging: Paging,
    base: &str,
    projection: &Projection,
) -> ScimResult<(Vec<Value>, usize)> {
    let filter = match filter_text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            let f = filter::parse(text)?;
            check_attributes(&f, FILTERABLE)?;
            Some(f)
        }
        None => None,
    };
    let names_members = filter.as_ref().is_some_and(|f| {
        f.attributes()
            .iter()
            .any(|a| a.to_lowercase().starts_with("members"))
    });
    let with_members = projection.wants("members");
    let groups = store.groups(with_members || names_members).await?;
    let matching: Vec<Value> = groups
        .iter()
        .map(|g| render(g, base, true))
        .filter(|g| filter.as_ref().is_none_or(|f| f.matches(g)))
        .map(|mut g| {
            projection.apply(&mut g);
            g
        })
        .collect();
    let total = matching.len();
    Ok((
        matching
            .into_iter()
            .skip(paging.offset())
            .take(paging.count)
            .collect(),
        total,
    ))
}

/// What a Group body says: its name, external id and members.
struct GroupInput {
    name: String,
    external_id: Option<String>,
    members: Vec<PersonId>,
}

fn read(body: &Value) -> ScimResult<GroupInput> {
    let invalid = |d: String| ScimError::bad_request("invalidValue", d);
    if !body.is_object() {
        return Err(ScimError::bad_request(
            "invalidSyntax",
            "a Group must be a JSON object",
        ));
    }
    let name = field(body, "displayName")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| invalid("displayName is required: name the group".into()))?;
    if name.chars().count() > 200 {
        return Err(invalid(
            "displayName: give a name of 1 to 200 characters".into(),
        ));
    }
    let external_id = field(body, "externalId")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string);
    let mut members = Vec::new();
    match field(body, "members") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let value = match field(item, "value") {
                    Some(Value::String(s)) => s.trim().to_string(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => return Err(invalid(format!("members[{i}].value is required"))),
                };
                let id = value
                    .parse::<i64>()
                    .ok()
                    .filter(|v| *v > 0)
                    .ok_or_else(|| {
                        invalid(format!("members[{i}]: \"{value}\" is not the id of a User"))
                    })?;
                if !members.contains(&PersonId(id)) {
                    members.push(PersonId(id));
                }
            }
        }
        Some(other) => return Err(invalid(format!("members must be a list, not {other}"))),
    }
    Ok(GroupInput {
        name: name.to_string(),
        external_id,
        members,
    })
}

pub async fn create(
    store: &dyn Store,
    actor: &ScimActor,
    body: &Value,
    now: i64,
) -> ScimResult<i64> {
    write(store, actor, None, read(body)?, now).await
}

pub async fn replace(
    store: &dyn Store,
    actor: &ScimActor,
    id: &str,
    body: &Value,
    now: i64,
) -> ScimResult<()> {
    let id = group_id(id)?;
    if store.group(id).await?.is_none() {
        return Err(ScimError::not_found(format!("Group {id}")));
    }
    write(store, actor, Some(id), read(body)?, now)
        .await
        .map(|_| ())
}

pub async fn patch(
    store: &dyn Store,
    actor: &ScimActor,
    id: &str,
    body: &Value,
    base: &str,
    now: i64,
) -> ScimResult<()> {
    let ops = patch::read(body)?;
    let mut current = get(store, id, base, &Projection::default()).await?;
    patch::apply(&mut current, &ops, &["members"])?;
    write(store, actor, Some(group_id(id)?), read(&current)?, now)
        .await
        .map(|_| ())
}

pub async fn delete(store: &dyn Store, actor: &ScimActor, id: &str, now: i64) -> ScimResult<()> {
    let id = group_id(id)?;
    let group = store
        .group(id)
        .await?
        .ok_or_else(|| ScimError::not_found(format!("Group {id}")))?;
    let mut work = store.begin_provisioning_write().await?;
    work.delete_group(id).await?;
    work.audit(&audit(actor, "group.scim_delete", id, &group.name, now))
        .await?;
    work.commit().await?;
    Ok(())
}

fn audit(actor: &ScimActor, action: &str, id: i64, name: &str, now: i64) -> AuditEntry {
    AuditEntry {
        at: now,
        actor: None,
        action: action.into(),
        subject: format!("group {id}"),
        detail: format!("{name} by {}", actor.describe()),
    }
}

async fn write(
    store: &dyn Store,
    actor: &ScimActor,
    existing: Option<i64>,
    input: GroupInput,
    now: i64,
) -> ScimResult<i64> {
    if let Some(holder) = store.group_id_by_name(&input.name.to_lowercase()).await?
        && Some(holder) != existing
    {
        return Err(ScimError::uniqueness(format!(
            "displayName \"{}\" belongs to Group {holder}",
            input.name
        )));
    }
    for (i, member) in input.members.iter().enumerate() {
        if store.person(*member).await?.is_none() {
            return Err(ScimError::bad_request(
                "invalidValue",
                format!("members[{i}]: there is no User {}", member.0),
            ));
        }
    }
    let fields = NewGroup {
        name: input.name.clone(),
        external_id: input.external_id,
        source: "scim",
    };
    let mut work = store.begin_provisioning_write().await?;
    let (id, action) = match existing {
        Some(id) => {
            work.update_group(id, &fields, now).await?;
            (id, "group.scim_update")
        }
        None => (work.create_group(&fields, now).await?, "group.scim_create"),
    };
    work.set_group_members(id, &input.members).await?;
    work.audit(&audit(actor, action, id, &input.name, now))
        .await?;
    work.commit().await?;
    Ok(id)
}
