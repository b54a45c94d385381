//! Influence: leadership measured from behaviour (PRODUCT.md, capability E) — who seeks
//! whose advice, and who connects people who would otherwise not meet. Influence owns the
//! interactions imported from chat, mail or work systems ([`imports`]); the metrics
//! themselves are pure, in `trellis_insight::graph`.

pub mod demo;
pub mod figures;
pub mod imports;
pub mod overview;
pub mod pulse;
pub mod report;
pub mod store;

use crate::ids::PersonId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What an interaction was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InteractionKind {
    /// From sought To's advice: a tie of the advice graph and of the interaction graph.
    Advice,
    Meeting,
    Message,
    Work,
}

impl InteractionKind {
    pub const ALL: [InteractionKind; 4] = [
        InteractionKind::Advice,
        InteractionKind::Meeting,
        InteractionKind::Message,
        InteractionKind::Work,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            InteractionKind::Advice => "advice",
            InteractionKind::Meeting => "meeting",
            InteractionKind::Message => "message",
            InteractionKind::Work => "work",
        }
    }
    pub fn parse(s: &str) -> Option<InteractionKind> {
        InteractionKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

/// One interaction between two people on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Interaction {
    pub from: PersonId,
    pub to: PersonId,
    pub on: NaiveDate,
    pub kind: InteractionKind,
}

/// A person's department: their team's parent, or their team when it has none (a person
/// placed in a department directly).
pub fn department_of(record: &crate::org::import::PersonRecord) -> Option<&str> {
    record.department.as_deref().or(record.team.as_deref())
}
