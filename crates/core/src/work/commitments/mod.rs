//! Commitments: create, change, renegotiate, reassign, complete, cancel, comment and
//! reorder — each through the visibility policy, each change kept in the history.
//!
//! Who may do what: the owner works on their own commitments; the requester may move the
//! date or cancel; the owner's manager chain may do everything including reassigning
//! within their tree; admins may do everything. Teammates (people with the same manager)
//! may read, because team priorities are shared within a team.

use super::metrics::{Canceller, agreed_due_after_change, cancellation_counts};
use super::{
    ChangeField, Comment, Commitment, CommitmentChange, CommitmentStatus, NewChange, NewCommitment,
};
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{CommitmentId, ObjectiveId, PersonId};
use crate::notify::{Notification, Topic};
use crate::org::csv_format::normalise_skill;
use crate::org::people::{Standing, standing};
use crate::org::{Person, PersonStatus};
use crate::work::store::WorkStore;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Effort above this many hours is refused: a year of full-time work is not one commitment.
pub const MAX_EFFORT_HOURS: f64 = 2000.0;

/// What the viewer may do with one commitment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Permissions {
    pub edit: bool,
    pub renegotiate: bool,
    pub complete: bool,
    pub cancel: bool,
    pub reassign: bool,
    pub comment: bool,
}

fn permissions(viewer: &Viewer, c: &Commitment, owner: &Standing, teammate: bool) -> Permissions {
    let owner_side = owner.reach.acts_for();
    let requester = c
        .requester
        .as_ref()
        .is_some_and(|r| r.id == viewer.person_id());
    let above = owner.reach.may_manage();
    let open = c.status == CommitmentStatus::Open;
    Permissions {
        edit: owner_side && open,
        renegotiate: (owner_side || requester) && open,
        complete: owner_side,
        cancel: (owner_side || requester) && open,
        reassign: above && open,
        comment: owner_side || requester || teammate,
    }
}

/// A commitment with its history, comments and what the viewer may do.
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentDetail {
    pub commitment: Commitment,
    pub changes: Vec<CommitmentChange>,
    pub comments: Vec<Comment>,
    pub can: Permissions,
    /// Today in the owner's time zone.
    pub owner_today: NaiveDate,
}

async fn load(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: CommitmentId,
) -> CoreResult<(Commitment, Standing, Permissions)> {
    let not_found = || CoreError::NotFound(format!("commitment {id}"));
    let c = store.commitment(id).await?.ok_or_else(not_found)?;
    let owner = standing(store, viewer, c.owner.id).await?;
    let viewer_manager = store
        .person(viewer.person_id())
        .await?
        .and_then(|p| p.manager_id);
    // Work in a private context is not team work: teammates do not read it, while the
    // person it is about and their manager chain do.
    let teammate = c.private_about.is_none()
        && owner.person.manager_id.is_some()
        && (owner.person.manager_id == viewer_manager
            || owner.person.manager_id == Some(viewer.person_id()));
    let mut can = permissions(viewer, &c, &owner, teammate);
    if let Some(about) = c.private_about
        && crate::org::people::reach_to(store, viewer, about)
            .await?
            .sees_private_fields()
    {
        can.comment = true;
    }
    if !can.comment && !can.renegotiate && !can.complete {
        // Someone else's work outside the viewer's team: as if it did not exist.
        return Err(not_found());
    }
    Ok((c, owner, can))
}

/// One commitment with its history.
pub async fn show(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: CommitmentId,
    now: i64,
) -> CoreResult<CommitmentDetail> {
    let (commitment, owner, can) = load(store, viewer, id).await?;
    let changes = store.commitment_changes(id).await?;
    let comments = store.commitment_comments(id).await?;
    Ok(CommitmentDetail {
        commitment,
        changes,
        comments,
        can,
        owner_today: local_date(owner.person.time_zone.as_deref(), now),
    })
}

/// What a person fills in to create a commitment (or to edit one: `owner` and `due_date`
/// are then ignored, they have their own actions). The API's body for a new commitment.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CommitmentRequest))]
#[serde(deny_unknown_fields)]
pub struct CommitmentInput {
    /// What will be delivered.
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 200, pattern = r"\S")
    )]
    pub title: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 10000))]
    pub description: String,
    /// Defaults to the viewer; a manager may give work to anyone in their tree.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub owner_id: Option<PersonId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub objective_id: Option<ObjectiveId>,
    /// The agreed due date (today or later in the owner's time zone).
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub due_date: Option<NaiveDate>,
    /// Hours of work, more than 0 and at most 2,000.
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            nullable = false,
            exclusive_minimum = 0,
            maximum = 2000
        )
    )]
    pub effort_hours: Option<f64>,
    /// Only on edit (a form's field, not the API's): hours still to do (defaults to the
    /// effort).
    #[serde(skip_deserializing)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub remaining_hours: Option<f64>,
    #[serde(default)]
    pub skills: Vec<String>,
}

fn check_text(errors: &mut Vec<FieldError>, title: &str, description: &str) {
    let title = title.trim();
    if title.is_empty() {
        errors.push(FieldError::new("title", "say what will be delivered"));
    } else if title.chars().count() > 200 {
        errors.push(FieldError::new("title", "keep the title to 200 characters"));
    }
    if description.chars().count() > 10_000 {
        errors.push(FieldError::new(
            "description",
            "keep the description to 10,000 characters",
        ));
    }
}

fn check_hours(errors: &mut Vec<FieldError>, field: &str, hours: Option<f64>) -> f64 {
    match hours {
        None => {
            errors.push(FieldError::new(field, "give the effort in hours"));
            0.0
        }
        Some(h) if !h.is_finite() || h <= 0.0 => {
            errors.push(FieldError::new(
                field,
                "give a positive number of hours (for example 4 or 0.5)",
            ));
            0.0
        }
        Some(h) if h > MAX_EFFORT_HOURS => {
            errors.push(FieldError::new(
                field,
                format!(
                    "{h} hours is more than a year of full-time work; split it into commitments of at most {MAX_EFFORT_HOURS} hours"
                ),
            ));
            0.0
        }
        Some(h) => h,
    }
}

fn clean_skills(skills: &[String]) -> Vec<String> {
    let mut out: Vec<String> = skills
        .iter()
        .flat_map(|s| s.split([',', ';']))
        .map(normalise_skill)
        .filter(|s| !s.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

async fn check_objective(
    store: &dyn WorkStore,
    errors: &mut Vec<FieldError>,
    objective: Option<ObjectiveId>,
) -> CoreResult<()> {
    if let Some(id) = objective {
        match store.objective(id).await? {
            None => errors.push(FieldError::new(
                "objective_id",
                format!("there is no objective {id}"),
            )),
            Some(o) if o.closed => errors.push(FieldError::new(
                "objective_id",
                format!("the objective \u{201c}{}\u{201d} is closed", o.title),
            )),
            Some(_) => {}
        }
    }
    Ok(())
}

fn active_owner(errors: &mut Vec<FieldError>, field: &str, person: &Person) {
    if person.status == PersonStatus::Left {
        errors.push(FieldError::new(
            field,
            format!(
                "{} has left the organisation; choose someone who is still here",
                person.name
            ),
        ));
    }
}

pub(super) fn invalid_or<T>(errors: Vec<FieldError>, value: T) -> CoreResult<T> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(CoreError::Invalid(errors))
    }
}

/// Creates a commitment for the viewer, or for someone in their tree (admins: anyone).
pub async fn create(
    store: &dyn WorkStore,
    viewer: &Viewer,
    input: &CommitmentInput,
    now: i64,
) -> CoreResult<CommitmentId> {
    let owner_id = input.owner_id.unwrap_or(viewer.person_id());
    let owner = standing(store, viewer, owner_id)
        .await
        .map_err(|e| match e {
            CoreError::NotFound(_) => {
                CoreError::field("owner_id", format!("there is no person {owner_id}"))
            }
            e => e,
        })?;
    if !owner.reach.acts_for() {
        return Err(CoreError::Forbidden(
            "give work to someone outside your reporting tree; ask them or their manager".into(),
        ));
    }
    let mut errors = Vec::new();
    check_text(&mut errors, &input.title, &input.description);
    active_owner(&mut errors, "owner_id", &owner.person);
    let effort = check_hours(&mut errors, "effort_hours", input.effort_hours);
    let today = local_date(owner.person.time_zone.as_deref(), now);
    let due = match input.due_date {
        None => {
            errors.push(FieldError::new("due_date", "give the agreed due date"));
            today
        }
        Some(d) if d < today => {
            errors.push(FieldError::new(
                "due_date",
                format!("{d} is before today ({today}); a new commitment is due today or later"),
            ));
            d
        }
        Some(d) => d,
    };
    check_objective(store, &mut errors, input.objective_id).await?;
    invalid_or(errors, ())?;
    let id = store
        .create_commitment(&NewCommitment {
            title: input.title.trim().to_string(),
            description: input.description.trim().to_string(),
            owner: owner_id,
            requester: Some(viewer.person_id()),
            objective: input.objective_id,
            due_date: due,
            effort_hours: effort,
            skills: clean_skills(&input.skills),
            created_at: now,
            created_on: today,
        })
        .await?;
    Ok(id)
}

/// Changes to a commitment's details: only the fields given change, the rest are kept.
/// The owner and the due date are not details: they change by reassigning and
/// renegotiating, which have rules of their own, so a patch that names them is refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CommitmentPatchRequest))]
#[serde(deny_unknown_fields)]
pub struct CommitmentPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    /// `null` removes the link to an objective.
    #[serde(default, deserialize_with = "crate::input::double_option")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub objective_id: Option<Option<ObjectiveId>>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, exclusive_minimum = 0.0))]
    pub effort_hours: Option<f64>,
    /// Hours still to do, from 0 up to the effort.
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0))]
    pub remaining_hours: Option<f64>,
    /// Replaces all skills.
    pub skills: Option<Vec<String>>,
    /// Not changed here: the work is reassigned.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub owner_id: Option<serde::de::IgnoredAny>,
    /// Not changed here: the due date is renegotiated.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub due_date: Option<serde::de::IgnoredAny>,
}

impl From<&CommitmentInput> for CommitmentPatch {
    /// A whole form: every detail given.
    fn from(input: &CommitmentInput) -> Self {
        CommitmentPatch {
            title: Some(input.title.clone()),
            description: Some(input.description.clone()),
            objective_id: Some(input.objective_id),
            // A form left blank asks for a positive number of hours.
            effort_hours: Some(input.effort_hours.unwrap_or(0.0)),
            remaining_hours: input.remaining_hours,
            skills: Some(input.skills.clone()),
            ..Default::default()
        }
    }
}

/// Changes the details of a commitment (not its owner, date or status, which have their
/// own use cases), and records which ones changed in its history.
pub async fn edit(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: CommitmentId,
    patch: &CommitmentPatch,
    now: i64,
) -> CoreResult<()> {
    let mut moved = Vec::new();
    if patch.owner_id.is_some() {
        moved.push(FieldError::new(
            "owner_id",
            "the owner is not changed here; reassign the work instead",
        ));
    }
    if patch.due_date.is_some() {
        moved.push(FieldError::new(
            "due_date",
            "the due date is not changed here; renegotiate it instead",
        ));
    }
    if !moved.is_empty() {
        return Err(CoreError::Invalid(moved));
    }
    let (mut c, _owner, can) = load(store, viewer, id).await?;
    if !can.edit {
        return Err(CoreError::Forbidden("change this commitment".into()));
    }
    let mut errors = Vec::new();
    let title = patch
        .title
        .as_deref()
        .unwrap_or(&c.title)
        .trim()
        .to_string();
    let description = patch
        .description
        .as_deref()
        .unwrap_or(&c.description)
        .trim()
        .to_string();
    check_text(&mut errors, &title, &description);
    let effort = match patch.effort_hours {
        Some(h) => check_hours(&mut errors, "effort_hours", Some(h)),
        None => c.effort_hours,
    };
    let remaining = match patch.remaining_hours {
        // Untouched work stays untouched; started work keeps what is left, up to the effort.
        None if c.remaining_hours == c.effort_hours => effort,
        None => c.remaining_hours.min(effort),
        Some(r) if !r.is_finite() || r < 0.0 || r > effort => {
            errors.push(FieldError::new(
                "remaining_hours",
                "give the hours still to do, from 0 up to the effort",
            ));
            0.0
        }
        Some(r) => r,
    };
    let objective = match patch.objective_id {
        Some(o) => o,
        None => c.objective.as_ref().map(|(o, _)| *o),
    };
    if patch.objective_id.is_some() {
        check_objective(store, &mut errors, objective).await?;
    }
    invalid_or(errors, ())?;
    let skills = match &patch.skills {
        Some(s) => clean_skills(s),
        None => c.skills.clone(),
    };
    let mut changed = Vec::new();
    if title != c.title {
        changed.push("title");
    }
    if description != c.description {
        changed.push("description");
    }
    if effort != c.effort_hours {
        changed.push("effort");
    }
    if remaining != c.remaining_hours {
        changed.push("remaining hours");
    }
    if skills != c.skills {
        changed.push("skills");
    }
    if objective != c.objective.as_ref().map(|(o, _)| *o) {
        changed.push("objective");
    }
    if changed.is_empty() {
        return Ok(());
    }
    c.title = title;
    c.description = description;
    c.effort_hours = effort;
    c.remaining_hours = remaining;
    c.skills = skills;
    c.objective = objective.map(|o| (o, String::new()));
    let change = NewChange {
        at: now,
        actor: viewer.person_id(),
        field: ChangeField::Details,
        before: None,
        after: Some(changed.join(", ")),
        note: String::new(),
        in_time: None,
    };
    save(store, &c, &[change], None).await
}

/// Saves a commitment and its history lines, with the audit line when there is one, in
/// one unit of work.
async fn save(
    store: &dyn WorkStore,
    c: &Commitment,
    changes: &[NewChange],
    audit: Option<&crate::audit::AuditEntry>,
) -> CoreResult<()> {
    let mut work = store.begin_work_write().await?;
    work.update_commitment(c, changes).await?;
    if let Some(entry) = audit {
        work.audit(entry).await?;
    }
    work.commit().await
}

/// Moves the due date. Made on or before the date in force it is a renegotiation (the new
/// date becomes the agreement); made after, the history says so and delivery still counts
/// the commitment as late.
pub async fn renegotiate(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: CommitmentId,
    new_due: Option<NaiveDate>,
    note: &str,
    now: i64,
) -> CoreResult<CommitmentChange> {
    let (mut c, owner, can) = load(store, viewer, id).await?;
    if !can.renegotiate {
        return Err(CoreError::Forbidden(
            "move the due date of this commitment".into(),
        ));
    }
    let today = local_date(owner.person.time_zone.as_deref(), now);
    let Some(new_due) = new_due else {
        return Err(CoreError::field("due_date", "give the new due date"));
    };
    if new_due == c.due_date {
        return Err(CoreError::field(
            "due_date",
            format!("the commitment is already due on {new_due}"),
        ));
    }
    if new_due < today {
        return Err(CoreError::field(
            "due_date",
            format!("{new_due} has passed; agree a date from today ({today}) on"),
        ));
    }
    if note.chars().count() > 2000 {
        return Err(CoreError::field(
            "note",
            "keep the note to 2,000 characters",
        ));
    }
    let in_time = today <= c.due_date;
    let change = NewChange {
        at: now,
        actor: viewer.person_id(),
        field: ChangeField::DueDate,
        before: Some(c.due_date.to_string()),
        after: Some(new_due.to_string()),
        note: note.trim().to_string(),
        in_time: Some(in_time),
    };
    let old_due = c.due_date;
    c.agreed_due_date = agreed_due_after_change(c.due_date, c.agreed_due_date, today, new_due);
    c.due_date = new_due;
    let mut work = store.begin_work_write().await?;
    work.update_commitment(&c, std::slice::from_ref(&change))
        .await?;
    if c.owner.id != viewer.person_id() {
        work.notify(&Notification::new(
            c.owner.id,
            Topic::DueDateMoved,
            format!(
                "{} moved \u{201c}{}\u{201d} from {old_due} to {new_due}.",
                crate::org::people::name_of(store, viewer.person_id()).await?,
                c.title
            ),
            format!("/commitments/{id}"),
            now,
        ))
        .await?;
    }
    work.commit().await?;
    Ok(CommitmentChange {
        at: change.at,
        actor: None,
        field: change.field,
        before: change.before,
        after: change.after,
        note: change.note,
        in_time: change.in_time,
    })
}

/// Gives the commitment to someone else in the viewer's tree (admins: anyone active).
/// The whole store, not only work's: a wish in the plate conversation (growth) to have this
/// work moved off the old owner's plate is granted — until the notification outbox lets
/// growth hear of the move itself.
pub async fn reassign(
    store: &dyn crate::store::Store,
    viewer: &Viewer,
    id: CommitmentId,
    new_owner: PersonId,
    note: &str,
    now: i64,
) -> CoreResult<()> {
    let (mut c, owner, can) = load(store, viewer, id).await?;
    if !can.reassign {
        return Err(CoreError::Forbidden(
            "reassign this commitment; only the owner's manager chain or an admin can".into(),
        ));
    }
    let to = standing(store, viewer, new_owner)
        .await
        .map_err(|e| match e {
            CoreError::NotFound(_) => {
                CoreError::field("owner_id", format!("there is no person {new_owner}"))
            }
            e => e,
        })?;
    let mut errors = Vec::new();
    if !to.reach.acts_for() {
        errors.push(FieldError::new(
            "owner_id",
            format!("{} is outside your reporting tree", to.person.name),
        ));
    }
    active_owner(&mut errors, "owner_id", &to.person);
    if new_owner == c.owner.id {
        errors.push(FieldError::new(
            "owner_id",
            format!("{} already owns this commitment", to.person.name),
        ));
    }
    invalid_or(errors, ())?;
    let change = NewChange {
        at: now,
        actor: viewer.person_id(),
        field: ChangeField::Owner,
        before: Some(c.owner.id.to_string()),
        after: Some(new_owner.to_string()),
        note: note.trim().to_string(),
        in_time: None,
    };
    let old_owner = c.owner.id;
    let today = local_date(owner.person.time_zone.as_deref(), now);
    c.accountable = super::metrics::accountable_after_reassign(
        c.accountable,
        new_owner,
        c.agreed_due_date,
        today,
    );
    c.owner.id = new_owner;
    c.owner.name = to.person.name;
    let actor_name = crate::org::people::name_of(store, viewer.person_id()).await?;
    let note = Notification::new(
        new_owner,
        Topic::WorkReassigned,
        format!(
            "{actor_name} handed you \u{201c}{}\u{201d}, due {}.",
            c.title, c.due_date
        ),
        format!("/commitments/{id}"),
        now,
    );
    let taken = Notification::new(
        old_owner,
        Topic::WorkTakenAway,
        format!(
            "{actor_name} handed \u{201c}{}\u{201d} to {}.",
            c.title, c.owner.name
        ),
        format!("/commitments/{id}"),
        now,
    );
    // Work reaches into growth here (through the aggregate, in the same unit of work): a
    // wish to have this work moved off the old owner's plate is granted.
    let mut work = store.begin_growth_write().await?;
    work.update_commitment(&c, &[change]).await?;
    work.resolve_off_wishes(id, old_owner).await?;
    if new_owner != viewer.person_id() {
        work.notify(&note).await?;
    }
    if old_owner != viewer.person_id() {
        work.notify(&taken).await?;
    }
    work.commit().await
}

/// Marks the commitment done, cancelled (with a reason) or open again. An owner who cancels
/// their own work after its agreed date passed does not take it out of the record: it
/// counts as not delivered. The requester, the owner's manager chain or an admin can.
pub async fn set_status(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: CommitmentId,
    status: CommitmentStatus,
    note: &str,
    now: i64,
) -> CoreResult<()> {
    let (mut c, owner, can) = load(store, viewer, id).await?;
    let allowed = match status {
        CommitmentStatus::Done => can.complete,
        CommitmentStatus::Cancelled => can.cancel,
        CommitmentStatus::Open => can.complete,
    };
    if !allowed {
        return Err(CoreError::Forbidden(format!(
            "mark this commitment {}",
            status.as_str()
        )));
    }
    if c.status == status {
        return Err(CoreError::Conflict(format!(
            "the commitment is already {}",
            status.as_str()
        )));
    }
    let note = note.trim();
    if status == CommitmentStatus::Cancelled && note.is_empty() {
        return Err(CoreError::field(
            "note",
            "say why the commitment is cancelled; the reason is kept in its history",
        ));
    }
    let today = local_date(owner.person.time_zone.as_deref(), now);
    let canceller = if owner.reach.may_manage() {
        Canceller::Authority
    } else if c
        .requester
        .as_ref()
        .is_some_and(|r| r.id == viewer.person_id() && r.id != c.owner.id)
    {
        Canceller::Requester
    } else {
        // Work you gave yourself is yours to account for.
        Canceller::Owner
    };
    let change = NewChange {
        at: now,
        actor: viewer.person_id(),
        field: ChangeField::Status,
        before: Some(c.status.as_str().into()),
        after: Some(status.as_str().into()),
        note: note.to_string(),
        in_time: None,
    };
    c.cancel_counts = false;
    match status {
        CommitmentStatus::Done => {
            c.completed_at = Some(now);
            c.completed_on = Some(local_date(owner.person.time_zone.as_deref(), now));
            c.remaining_hours = 0.0;
        }
        CommitmentStatus::Cancelled => {
            c.completed_at = None;
            c.completed_on = None;
            c.cancel_counts = cancellation_counts(canceller, c.agreed_due_date, today);
        }
        CommitmentStatus::Open => {
            c.completed_at = None;
            c.completed_on = None;
            if c.remaining_hours == 0.0 {
                c.remaining_hours = c.effort_hours;
            }
        }
    }
    c.status = status;
    // A cancellation takes work out of someone's record: the audit log keeps who and why.
    let audit = (status == CommitmentStatus::Cancelled).then(|| crate::audit::AuditEntry {
        at: now,
        actor: Some(viewer.person_id()),
        action: "commitment.cancel".into(),
        subject: format!("commitment {}", c.id),
        detail: format!(
            "{:?} of {}{}: {note}",
            c.title,
            c.owner.name,
            if c.cancel_counts {
                " (still counts as not delivered)"
            } else {
                ""
            }
        ),
    });
    save(store, &c, &[change], audit.as_ref()).await
}

/// Adds a comment.
pub async fn comment(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: CommitmentId,
    body: &str,
    now: i64,
) -> CoreResult<()> {
    let (_c, _owner, can) = load(store, viewer, id).await?;
    if !can.comment {
        return Err(CoreError::Forbidden("comment on this commitment".into()));
    }
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 5000 {
        return Err(CoreError::field(
            "body",
            "write a comment of 1 to 5,000 characters",
        ));
    }
    store.add_comment(id, viewer.person_id(), now, body).await
}

pub use super::priorities::{PRIORITY_LIST_LIMIT, move_priority, move_to, reorder};

#[cfg(test)]
mod tests;
