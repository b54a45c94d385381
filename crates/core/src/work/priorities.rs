//! A team's priorities: one commitment moved up or down, or a list put first. The team's
//! manager, their chain or an admin may.

use super::Commitment;
use super::commitments::invalid_or;
use super::store::CommitmentOrder;
use crate::access::Viewer;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{CommitmentId, PersonId};
use crate::org::people::standing;
use crate::work::store::WorkStore;

/// Moves one commitment up or down in the priorities of `manager`'s team (the manager's
/// tree), swapping places with its neighbour.
pub async fn move_priority(
    store: &dyn WorkStore,
    viewer: &Viewer,
    manager: PersonId,
    id: CommitmentId,
    up: bool,
) -> CoreResult<()> {
    let list = team_priorities_for_change(store, viewer, manager).await?;
    let Some(pos) = list.iter().position(|c| c.id == id) else {
        return Err(CoreError::NotFound(format!(
            "commitment {id} in these priorities"
        )));
    };
    let other = if up {
        pos.checked_sub(1)
    } else {
        (pos + 1 < list.len()).then_some(pos + 1)
    };
    let Some(other) = other else {
        return Ok(()); // already at the top (or bottom)
    };
    let ids: Vec<CommitmentId> = list.iter().map(|c| c.id).collect();
    let mut order = ids.clone();
    order.swap(pos, other);
    reorder_list(store, &list, &order).await
}

/// Moves a commitment to a place in the team's priorities (1 is the top; a place past the
/// end is the end): one step instead of one reload per place.
pub async fn move_to(
    store: &dyn WorkStore,
    viewer: &Viewer,
    manager: PersonId,
    id: CommitmentId,
    position: usize,
) -> CoreResult<()> {
    if position == 0 {
        return Err(CoreError::field(
            "position",
            "give a place from 1 (the top)",
        ));
    }
    let list = team_priorities_for_change(store, viewer, manager).await?;
    let mut order: Vec<CommitmentId> = list.iter().map(|c| c.id).collect();
    let Some(from) = order.iter().position(|c| *c == id) else {
        return Err(CoreError::NotFound(format!(
            "commitment {id} in these priorities"
        )));
    };
    let moved = order.remove(from);
    order.insert((position - 1).min(order.len()), moved);
    reorder_list(store, &list, &order).await
}

/// Puts `order` (some or all of the team's open commitments) first, in that order; the
/// rest keep their relative order after them.
pub async fn reorder(
    store: &dyn WorkStore,
    viewer: &Viewer,
    manager: PersonId,
    order: &[CommitmentId],
) -> CoreResult<()> {
    let list = team_priorities_for_change(store, viewer, manager).await?;
    let mut errors = Vec::new();
    for (i, id) in order.iter().enumerate() {
        if !list.iter().any(|c| c.id == *id) {
            errors.push(FieldError::new(
                format!("order[{i}]"),
                format!("commitment {id} is not an open commitment of this team"),
            ));
        }
        if order[..i].contains(id) {
            errors.push(FieldError::new(
                format!("order[{i}]"),
                format!("commitment {id} is listed twice"),
            ));
        }
    }
    invalid_or(errors, ())?;
    let mut full: Vec<CommitmentId> = order.to_vec();
    full.extend(list.iter().map(|c| c.id).filter(|id| !order.contains(id)));
    reorder_list(store, &list, &full).await
}

/// The most commitments a priority list holds (and reorders).
pub const PRIORITY_LIST_LIMIT: i64 = 200;

async fn team_priorities_for_change(
    store: &dyn WorkStore,
    viewer: &Viewer,
    manager: PersonId,
) -> CoreResult<Vec<Commitment>> {
    let standing = standing(store, viewer, manager).await?;
    let reach = standing.reach;
    let allowed = reach.may_manage() || (reach.is_self() && viewer.has_reports());
    if !allowed {
        return Err(CoreError::Forbidden(
            "reorder the priorities of a team you do not lead".into(),
        ));
    }
    let members: Vec<PersonId> = store
        .tree_members(manager)
        .await?
        .into_iter()
        .map(|m| m.id)
        .collect();
    store
        .open_commitments(
            &members,
            CommitmentOrder::Priority,
            None,
            PRIORITY_LIST_LIMIT,
        )
        .await
}

/// Gives the commitments of `list` the priorities they already hold, sorted, in the new
/// order: the team's block moves as a whole and other teams' positions are untouched.
async fn reorder_list(
    store: &dyn WorkStore,
    list: &[Commitment],
    order: &[CommitmentId],
) -> CoreResult<()> {
    let mut slots: Vec<i64> = list.iter().map(|c| c.priority).collect();
    slots.sort_unstable();
    slots.dedup();
    if slots.len() < list.len() {
        // Equal priorities (from bulk loads) cannot be swapped; spread them first.
        let start = slots.first().copied().unwrap_or(0);
        slots = (0..list.len() as i64).map(|i| start + i).collect();
    }
    let assignments: Vec<(CommitmentId, i64)> = order.iter().copied().zip(slots).collect();
    store.set_priorities(&assignments).await
}
