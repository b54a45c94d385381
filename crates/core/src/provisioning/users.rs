//! SCIM Users: create, read, list, replace, patch and delete, each through the org services'
//! validation (e-mail, time zone, the reporting-loop check), history and audit, in one
//! transaction. A provider deactivating more than a quarter of active people within an hour
//! is paused until an admin confirms.

use super::filter::{self, Filter};
use super::store::{PauseState, ScimIdentity};
use super::tokens::ScimActor;
use super::user::{ScimPerson, UserInput, render};
use super::{Paging, ScimError, ScimResult, patch};
use crate::audit::AuditEntry;
use crate::error::CoreError;
use crate::ids::PersonId;
use crate::notify::{Notification, Topic};
use crate::org::PersonStatus;
use crate::org::history::field_changes;
use crate::org::people::{PersonFields, validate};
use crate::org::store::ChangeRecord;
use crate::store::Store;
use serde_json::Value;

/// The attributes a User filter may name.
const FILTERABLE: &[&str] = &[
    "id",
    "externalId",
    "userName",
    "name",
    "displayName",
    "nickName",
    "title",
    "emails",
    "active",
    "timezone",
    "preferredLanguage",
    "employeeNumber",
    "department",
    "division",
    "manager",
    "meta",
];

/// A share of active people deactivated within an hour that pauses provisioning, and the
/// fewest deactivations that can (so a small organisation is not paused by one leaver).
const PAUSE_SHARE: i64 = 4;
const PAUSE_MINIMUM: i64 = 5;
const PAUSE_WINDOW: i64 = 3600;

fn scim_id(text: &str) -> ScimResult<PersonId> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .map(PersonId)
        .ok_or_else(|| ScimError::not_found(format!("User {text}")))
}

/// One User as rendered.
pub async fn get(store: &dyn Store, id: &str, base: &str) -> ScimResult<Value> {
    let id = scim_id(id)?;
    let person = store
        .scim_user(id)
        .await?
        .ok_or_else(|| ScimError::not_found(format!("User {}", id.0)))?;
    Ok(render(&person, base))
}

/// Users matching a filter, one page of them, and how many match.
pub async fn list(
    store: &dyn Store,
    filter_text: Option<&str>,
    paging: Paging,
    base: &str,
) -> ScimResult<(Vec<Value>, usize)> {
    let Some(text) = filter_text.map(str::trim).filter(|t| !t.is_empty()) else {
        let (people, total) = store.scim_users_page(paging.offset(), paging.count).await?;
        return Ok((people.iter().map(|p| render(p, base)).collect(), total));
    };
    let filter = filter::parse(text)?;
    check_attributes(&filter, FILTERABLE)?;
    let candidates: Vec<ScimPerson> = match indexed(store, &filter).await? {
        Some(found) => found,
        None => store.all_scim_users().await?,
    };
    let matching: Vec<Value> = candidates
        .iter()
        .map(|p| render(p, base))
        .filter(|u| filter.matches(u))
        .collect();
    let total = matching.len();
    let page = matching
        .into_iter()
        .skip(paging.offset())
        .take(paging.count)
        .collect();
    Ok((page, total))
}

/// Refuses a filter on an attribute Trellis does not keep, naming it.
pub fn check_attributes(filter: &Filter, allowed: &[&str]) -> ScimResult<()> {
    for name in filter.attributes() {
        let top = name.split('.').next().unwrap_or(&name);
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(top)) {
            return Err(ScimError::bad_request(
                "invalidFilter",
                format!(
                    "filtering on \"{name}\" is not supported; filter on {}",
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// The lookups providers make before they create (`userName eq`, `externalId eq`, `id eq`),
/// answered from an index.
async fn indexed(store: &dyn Store, filter: &Filter) -> ScimResult<Option<Vec<ScimPerson>>> {
    let id = if let Some(name) = filter.equality("userName") {
        store.scim_user_id_by_name(&name.to_lowercase()).await?
    } else if let Some(external) = filter.equality("externalId") {
        store.scim_user_id_by_external_id(external).await?
    } else if let Some(id) = filter.equality("id") {
        id.parse::<i64>().ok().map(PersonId)
    } else {
        return Ok(None);
    };
    Ok(Some(match id {
        Some(id) => store.scim_user(id).await?.into_iter().collect(),
        None => Vec::new(),
    }))
}

/// Creates a User (POST). A person already in Trellis with the same work e-mail and no SCIM
/// identity yet is taken over rather than duplicated: an organisation imported from a CSV
/// file then connected to its identity provider keeps its history.
pub async fn create(
    store: &dyn Store,
    actor: &ScimActor,
    body: &Value,
    now: i64,
) -> ScimResult<PersonId> {
    let input = UserInput::read(body)?;
    write(store, actor, None, input, now).await
}

/// Replaces a User (PUT).
pub async fn replace(
    store: &dyn Store,
    actor: &ScimActor,
    id: &str,
    body: &Value,
    now: i64,
) -> ScimResult<()> {
    let id = scim_id(id)?;
    if store.scim_user(id).await?.is_none() {
        return Err(ScimError::not_found(format!("User {}", id.0)));
    }
    let input = UserInput::read(body)?;
    write(store, actor, Some(id), input, now).await.map(|_| ())
}

/// Applies a PATCH to the User as rendered and writes the result as a replacement.
pub async fn patch(
    store: &dyn Store,
    actor: &ScimActor,
    id: &str,
    body: &Value,
    base: &str,
    now: i64,
) -> ScimResult<()> {
    let ops = patch::read(body)?;
    let mut current = get(store, id, base).await?;
    patch::apply(&mut current, &ops, &["emails"])?;
    let input = UserInput::read(&current)?;
    write(store, actor, Some(scim_id(id)?), input, now)
        .await
        .map(|_| ())
}

/// DELETE: the person is marked as left (kept, as the import does) and the SCIM resource is
/// removed, so that reading it answers 404.
pub async fn delete(store: &dyn Store, actor: &ScimActor, id: &str, now: i64) -> ScimResult<()> {
    let id = scim_id(id)?;
    let person = store
        .person(id)
        .await?
        .ok_or_else(|| ScimError::not_found(format!("User {}", id.0)))?;
    if store.scim_user(id).await?.is_none() {
        return Err(ScimError::not_found(format!("User {}", id.0)));
    }
    refuse_while_paused(store).await?;
    let old = PersonFields::from(&person);
    let mut fields = old.clone();
    fields.status = PersonStatus::Left;
    let deactivating = person.status == PersonStatus::Active;
    if deactivating {
        check_deactivation_pace(store, now).await?;
    }
    let changes = field_changes(store, &person, &fields, None, None).await?;
    let record = record(actor, "person.scim_delete", id, &fields, now);
    let mut work = store.begin_provisioning_write().await?;
    work.update_person(id, &old, &fields).await?;
    let changes: Vec<_> = changes.iter().map(|c| (id, c)).collect();
    work.record_history(&changes, &record).await?;
    work.remove_scim_user(id).await?;
    if deactivating {
        work.record_scim_deactivation(id, now).await?;
    }
    work.audit(&record.audit).await?;
    work.commit().await?;
    Ok(())
}

fn record(
    actor: &ScimActor,
    action: &str,
    id: PersonId,
    fields: &PersonFields,
    now: i64,
) -> ChangeRecord {
    ChangeRecord {
        audit: AuditEntry {
            at: now,
            actor: None,
            action: action.into(),
            subject: format!("person {id}"),
            detail: format!("{} by {}", fields.email, actor.describe()),
        },
        effective_on: crate::clock::local_date(fields.time_zone.as_deref(), now),
        source: "scim",
        notices: Vec::new(),
    }
}

async fn refuse_while_paused(store: &dyn Store) -> ScimResult<PauseState> {
    let pause = store.scim_pause().await?;
    if pause.paused_at.is_some() {
        return Err(ScimError {
            status: 503,
            scim_type: None,
            detail: format!(
                "provisioning is paused: {} A people admin must confirm under Admin → Provisioning before changes are accepted again.",
                pause.reason
            ),
        });
    }
    Ok(pause)
}

/// Pauses provisioning, tells the admins and refuses this request when one more
/// deactivation would pass a quarter of active people within the hour.
async fn check_deactivation_pace(store: &dyn Store, now: i64) -> ScimResult<()> {
    let pause = store.scim_pause().await?;
    let since = (now - PAUSE_WINDOW).max(pause.resumed_at.unwrap_or(i64::MIN));
    let recent = store.scim_deactivations_since(since).await? + 1;
    let active = store.counts().await?.active_people;
    // The base is everyone active before this hour's deactivations.
    let base = active + recent - 1;
    if recent < PAUSE_MINIMUM || recent * PAUSE_SHARE <= base {
        return Ok(());
    }
    let reason = format!(
        "the identity provider tried to deactivate {recent} of {base} active people within an hour (more than a quarter)."
    );
    let admins = store.people_admins().await?;
    let mut work = store.begin_provisioning_write().await?;
    work.pause_scim(now, &reason).await?;
    for admin in admins {
        work.notify(&Notification::new(
            admin,
            Topic::ProvisioningPaused,
            format!("Provisioning is paused: {reason} Check the identity provider, then confirm to go on."),
            "/admin/provisioning".into(),
            now,
        ))
        .await?;
    }
    work.audit(&AuditEntry {
        at: now,
        actor: None,
        action: "scim.pause".into(),
        subject: "provisioning".into(),
        detail: reason.clone(),
    })
    .await?;
    work.commit().await?;
    Err(ScimError {
        status: 503,
        scim_type: None,
        detail: format!(
            "provisioning is paused: {reason} A people admin must confirm under Admin → Provisioning."
        ),
    })
}

/// Where a new or replaced User's team comes from: an existing team, or one to make.
enum Team {
    None,
    Existing(crate::ids::TeamId),
    New(String),
}

/// Writes a User: `existing` is the person replaced, or None to create (or take over).
async fn write(
    store: &dyn Store,
    actor: &ScimActor,
    existing: Option<PersonId>,
    input: UserInput,
    now: i64,
) -> ScimResult<PersonId> {
    refuse_while_paused(store).await?;
    let key = input.user_name.to_lowercase();
    if let Some(holder) = store.scim_user_id_by_name(&key).await?
        && Some(holder) != existing
    {
        return Err(ScimError::uniqueness(format!(
            "userName \"{}\" belongs to User {}",
            input.user_name, holder.0
        )));
    }
    if let Some(external) = &input.external_id
        && let Some(holder) = store.scim_user_id_by_external_id(external).await?
        && Some(holder) != existing
    {
        return Err(ScimError::uniqueness(format!(
            "externalId \"{external}\" belongs to User {}",
            holder.0
        )));
    }
    let email = input.work_email().ok_or_else(|| {
        ScimError::bad_request(
            "invalidValue",
            "emails: give the person's work e-mail address (or a userName that is one)",
        )
    })?;
    let email_key = email.trim().to_lowercase();
    let holder = store.person_id_by_email(&email_key).await?;
    let target = match (existing, holder) {
        (Some(id), Some(h)) if h != id => {
            return Err(ScimError::uniqueness(format!(
                "the e-mail {email_key} belongs to another person ({})",
                h.0
            )));
        }
        (Some(id), _) => Some(id),
        (None, Some(h)) if store.scim_user(h).await?.is_some() => {
            return Err(ScimError::uniqueness(format!(
                "the e-mail {email_key} belongs to User {} (userName differs)",
                h.0
            )));
        }
        (None, h) => h,
    };
    let person = match target {
        Some(id) => Some(
            store
                .person(id)
                .await?
                .ok_or_else(|| ScimError::not_found(format!("User {}", id.0)))?,
        ),
        None => None,
    };
    let manager_id = match &input.manager {
        None => None,
        Some(text) => Some(
            text.parse::<i64>()
                .ok()
                .filter(|m| *m > 0)
                .map(PersonId)
                .ok_or_else(|| {
                    ScimError::bad_request(
                        "invalidValue",
                        format!("manager: \"{text}\" is not the id of a User"),
                    )
                })?,
        ),
    };
    let team = match &input.department {
        None => Team::None,
        Some(name) => match store.team_id_by_name(name).await? {
            Some(id) => Team::Existing(id),
            None => Team::New(name.clone()),
        },
    };
    let mut fields = PersonFields {
        employee_id: input.employee_number.clone(),
        name: input.full_name(),
        preferred_name: input.nick_name.clone(),
        email,
        title: input.title.clone(),
        level_id: person.as_ref().and_then(|p| p.level_id),
        team_id: match team {
            Team::Existing(id) => Some(id),
            _ => None,
        },
        manager_id,
        location: person.as_ref().and_then(|p| p.location.clone()),
        time_zone: input.timezone.clone(),
        start_date: person.as_ref().and_then(|p| p.start_date),
        status: match (input.active, &person) {
            (Some(true), _) | (None, None) => PersonStatus::Active,
            (Some(false), _) => PersonStatus::Left,
            (None, Some(p)) => p.status,
        },
    };
    let old = person.as_ref().map(PersonFields::from);
    validate(store, target.zip(old.as_ref()), &mut fields)
        .await
        .map_err(scim_field_names)?;
    let deactivating = person
        .as_ref()
        .is_some_and(|p| p.status == PersonStatus::Active)
        && fields.status == PersonStatus::Left;
    if deactivating {
        check_deactivation_pace(store, now).await?;
    }
    let new_team = match &team {
        Team::New(name) => Some(name.as_str()),
        _ => None,
    };
    let changes = match &person {
        Some(p) => field_changes(store, p, &fields, None, new_team).await?,
        None => Vec::new(),
    };
    let action = if person.is_none() {
        "person.scim_create"
    } else {
        "person.scim_update"
    };
    let mut work = store.begin_provisioning_write().await?;
    if let Some(name) = new_team {
        fields.team_id = Some(work.team_named(name).await?);
    }
    let id = match (target, &old) {
        (Some(id), Some(old)) => {
            work.update_person(id, old, &fields).await?;
            id
        }
        _ => work.create_person(&fields).await?,
    };
    let record = record(actor, action, id, &fields, now);
    let changes: Vec<_> = changes.iter().map(|c| (id, c)).collect();
    work.record_history(&changes, &record).await?;
    let identity = ScimIdentity {
        user_name: input.user_name.clone(),
        external_id: input.external_id.clone(),
        attributes: input.kept_attributes(),
    };
    work.put_scim_user(id, &identity, now).await?;
    if deactivating {
        work.record_scim_deactivation(id, now).await?;
    }
    work.audit(&record.audit).await?;
    work.commit().await?;
    Ok(id)
}

/// Names the fields of a validation error as SCIM does.
fn scim_field_names(e: CoreError) -> ScimError {
    let CoreError::Invalid(errors) = e else {
        return e.into();
    };
    let detail = errors
        .iter()
        .map(|f| {
            let name = match f.field.as_str() {
                "email" => "emails",
                "manager_id" => "manager",
                "time_zone" => "timezone",
                "employee_id" => "employeeNumber",
                "team_id" => "department",
                other => other,
            };
            format!("{name}: {}", f.message)
        })
        .collect::<Vec<_>>()
        .join("; ");
    ScimError::bad_request("invalidValue", detail)
}

/// An admin confirms that the deactivations were meant: provisioning goes on, and those
/// made so far no longer count towards the next pause.
pub async fn resume(
    store: &dyn Store,
    viewer: &crate::access::Viewer,
    now: i64,
) -> crate::error::CoreResult<()> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("resume provisioning".into()));
    }
    let mut work = store.begin_provisioning_write().await?;
    work.resume_scim(viewer.actor(), now).await?;
    work.audit(&AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "scim.resume".into(),
        subject: "provisioning".into(),
        detail: String::new(),
    })
    .await?;
    work.commit().await
}
