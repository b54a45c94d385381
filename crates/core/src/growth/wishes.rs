//! The plate conversation: "what would you like moved off your plate, and onto it?" A
//! person records wishes — a commitment or a kind of work to move off, a skill or kind of
//! work to take on — and their manager sees them in the team view next to workload.
//! Private like the plate: the person, their manager chain and admins.

use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{CommitmentId, PersonId, WishId};
use crate::policy::{Relation, Viewer};
use crate::store::Store;
use crate::work::CommitmentStatus;
use crate::work::commitments::standing;
use serde::{Deserialize, Serialize};

/// Off the plate, or onto it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Off,
    On,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Off => "off",
            Direction::On => "on",
        }
    }

    pub fn parse(v: &str) -> Option<Self> {
        match v {
            "off" => Some(Direction::Off),
            "on" => Some(Direction::On),
            _ => None,
        }
    }
}

/// One wish.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlateWish {
    pub id: WishId,
    pub person_id: PersonId,
    pub direction: Direction,
    pub what: String,
    pub commitment_id: Option<CommitmentId>,
    pub created_at: i64,
}

/// A wish as the store writes it.
#[derive(Debug, Clone)]
pub struct NewWish {
    pub person: PersonId,
    pub direction: Direction,
    pub what: String,
    pub commitment: Option<CommitmentId>,
    pub created_at: i64,
}

async fn reach(store: &dyn Store, viewer: &Viewer, person: PersonId) -> CoreResult<()> {
    if standing(store, viewer, person).await?.relation == Relation::Colleague {
        return Err(CoreError::NotFound(format!("plate of person {person}")));
    }
    Ok(())
}

/// Records a wish. Moving off may name one of the person's open commitments (its title is
/// used when no words are given).
pub async fn add(
    store: &dyn Store,
    viewer: &Viewer,
    person: PersonId,
    direction: Direction,
    what: &str,
    commitment: Option<CommitmentId>,
    now: i64,
) -> CoreResult<WishId> {
    reach(store, viewer, person).await?;
    let mut what = what.trim().to_string();
    if let Some(id) = commitment {
        match store.commitment(id).await? {
            Some(c) if c.owner.id == person && c.status == CommitmentStatus::Open => {
                if what.is_empty() {
                    what = c.title;
                }
            }
            _ => {
                return Err(CoreError::field(
                    "commitment_id",
                    "choose one of the open commitments on this plate",
                ));
            }
        }
        if direction == Direction::On {
            return Err(CoreError::field(
                "commitment_id",
                "a commitment on the plate can only be wished off it",
            ));
        }
    }
    if what.is_empty() || what.chars().count() > 200 {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "what",
            "say what, in 1 to 200 characters: a kind of work, a skill, or a commitment",
        )]));
    }
    store
        .add_plate_wish(&crate::growth::wishes::NewWish {
            person,
            direction,
            what,
            commitment,
            created_at: now,
        })
        .await
}

/// Removes a wish (granted, or no longer wanted).
pub async fn remove(store: &dyn Store, viewer: &Viewer, id: WishId) -> CoreResult<PersonId> {
    let wish = store
        .plate_wish(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("wish {id}")))?;
    reach(store, viewer, wish.person_id).await?;
    store.delete_plate_wish(id).await?;
    Ok(wish.person_id)
}
