//! Action items agreed in a 1:1: commitments private to the pair and their chains (the
//! Trust rule), on the owner's plate at once when the person setting one may give them
//! work, otherwise waiting for the owner to accept it.

use super::series::{checked_text, ended, load, meeting_exists};
use super::store::{ConversationStore, NewAction};
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{ActionId, PersonId, SeriesId};
use crate::notify::{Notification, Topic};
use crate::work::NewCommitment;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// An action item as filled in.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ActionRequest))]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    pub title: String,
    /// One of the two people; default the viewer.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub owner_id: Option<PersonId>,
    /// Without a due date it waits at the meeting (and its people are reminded).
    pub due_date: Option<NaiveDate>,
    pub effort_hours: Option<f64>,
    /// The meeting it is agreed at (default: the current one).
    pub meeting: Option<NaiveDate>,
}

/// Adds an action item. It goes on its owner's plate at once when the viewer may give
/// them work (themself, or a report); set for the other side otherwise, it waits until
/// they accept it. Without a due date and effort it waits at the meeting.
pub async fn add_action(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    id: SeriesId,
    input: &ActionInput,
    now: i64,
) -> CoreResult<ActionId> {
    let series = load(store, viewer, id).await?;
    ended(&series)?;
    let me = viewer.person_id();
    let owner = input.owner_id.unwrap_or(me);
    if !series.involves(owner) {
        return Err(CoreError::field(
            "owner_id",
            "an action item is for one of the two people of the 1:1",
        ));
    }
    let title = checked_text("title", &input.title, 200, "action item")?;
    let ex = store.exceptions(id).await?;
    let meeting = match input.meeting {
        Some(o) => meeting_exists(&series, &ex, o)?.occurrence,
        None => series
            .schedule
            .as_ref()
            .and_then(|s| s.current(&ex, now))
            .map(|m| m.occurrence)
            .ok_or_else(|| {
                CoreError::Conflict(
                    "set a time for this series before agreeing action items".into(),
                )
            })?,
    };
    let owner_person = store
        .person(owner)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("person {owner}")))?;
    let today = local_date(owner_person.time_zone.as_deref(), now);
    let mut errors = Vec::new();
    if let Some(d) = input.due_date
        && d < today
    {
        errors.push(FieldError::new(
            "due_date",
            format!("{d} is before today ({today})"),
        ));
    }
    if let Some(h) = input.effort_hours
        && !(h > 0.0 && h <= 2000.0)
    {
        errors.push(FieldError::new(
            "effort_hours",
            "give more than 0 and at most 2,000 hours",
        ));
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let reach = crate::org::people::reach_to(store, viewer, owner).await?;
    let direct = owner == me || reach.in_own_tree();
    let mut work = store.begin_conversation_write().await?;
    let commitment = match (input.due_date, input.effort_hours, direct) {
        (Some(due), Some(effort), true) => Some(
            work.create_commitment(&NewCommitment {
                title: title.clone(),
                description: format!("Agreed in the 1:1 of {}.", meeting.format("%-d %B %Y")),
                owner,
                requester: Some(me),
                objective: None,
                due_date: due,
                effort_hours: effort,
                skills: Vec::new(),
                created_at: now,
                created_on: today,
            })
            .await?,
        ),
        _ => None,
    };
    let action = work
        .create_action(&NewAction {
            series: id,
            meeting,
            title: title.clone(),
            owner,
            due_date: input.due_date,
            effort_hours: input.effort_hours,
            created_by: me,
            created_at: now,
            commitment,
            about: series.about().id,
        })
        .await?;
    if commitment.is_none() && !direct && input.due_date.is_some() && input.effort_hours.is_some() {
        let by = crate::org::people::name_of(store, me).await?;
        work.notify(&Notification::new(
            owner,
            Topic::ActionToAccept,
            format!("{by} asks you to take on \u{201c}{title}\u{201d} from your 1:1."),
            format!("/one-on-ones/{id}/meetings/{meeting}"),
            now,
        ))
        .await?;
    }
    work.commit().await?;
    Ok(action)
}

/// The owner accepts an action item set for them: it goes on their plate.
pub async fn accept_action(
    store: &dyn ConversationStore,
    viewer: &Viewer,
    action: ActionId,
    now: i64,
) -> CoreResult<crate::ids::CommitmentId> {
    let (id, a) = store
        .action(action)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("action item {action}")))?;
    let series = load(store, viewer, id).await?;
    ended(&series)?;
    if a.owner.id != viewer.person_id() {
        return Err(CoreError::Forbidden(format!(
            "accept this action item: {} does",
            a.owner.name
        )));
    }
    if a.commitment.is_some() {
        return Err(CoreError::Conflict(
            "this action item is already on your plate".into(),
        ));
    }
    let (Some(due), Some(effort)) = (a.due_date, a.effort_hours) else {
        return Err(CoreError::Conflict(
            "give this action item a due date and effort first".into(),
        ));
    };
    let today = local_date(
        store
            .person(a.owner.id)
            .await?
            .and_then(|p| p.time_zone)
            .as_deref(),
        now,
    );
    let mut work = store.begin_conversation_write().await?;
    let commitment = work
        .create_commitment(&NewCommitment {
            title: a.title.clone(),
            description: format!("Agreed in the 1:1 of {}.", a.meeting.format("%-d %B %Y")),
            owner: a.owner.id,
            requester: Some(a.created_by.id),
            objective: None,
            due_date: due.max(today),
            effort_hours: effort,
            skills: Vec::new(),
            created_at: now,
            created_on: today,
        })
        .await?;
    if !work.link_action(action, commitment).await? {
        return Err(CoreError::Conflict(
            "this action item was accepted a moment ago".into(),
        ));
    }
    work.commit().await?;
    Ok(commitment)
}
