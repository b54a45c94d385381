//! 1:1s: a series between two people (every manager–report pair has one, kept in step
//! with the reporting lines; anyone may propose one with anyone), its meetings on a
//! cadence in the organiser's time zone, a shared agenda whose unticked points carry
//! over, shared notes, private notes sealed with the server's key, and action items that
//! become commitments. Calendar feeds give each person their series as iCalendar.
//!
//! Who sees what: a series, its agenda, shared notes and action items are the two
//! people's — and, for action items only, their manager chains' (as private work, the
//! Trust rule). A private note is its author's alone: no other person, chain, admin,
//! export or audit line ever reads it.

pub mod actions;
pub mod agenda;
pub mod calendar;
pub mod demo;
pub mod feedback;
pub mod health;
pub mod reminders;
pub mod schedule;
pub mod sealed;
pub mod series;
pub mod store;
pub mod sync;

pub use agenda::*;
pub use schedule::*;

use crate::ids::{ActionId, CommitmentId, PersonId, PersonName, PointId, SeriesId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest talking point, shared note or private note, in characters.
pub const MAX_POINT: usize = 2_000;
pub const MAX_NOTE: usize = 20_000;

/// How a series came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeriesKind {
    /// A manager and a direct report: created and ended with the reporting line.
    Reporting,
    /// Proposed by one person to another (a mentor, a skip-level); the other accepts.
    Chosen,
}

impl SeriesKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SeriesKind::Reporting => "reporting",
            SeriesKind::Chosen => "chosen",
        }
    }
    pub fn parse(s: &str) -> Option<SeriesKind> {
        match s {
            "reporting" => Some(SeriesKind::Reporting),
            "chosen" => Some(SeriesKind::Chosen),
            _ => None,
        }
    }
}

/// Where a series stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SeriesStatus {
    /// Proposed, waiting for the other person.
    Proposed,
    Active,
    Declined,
    /// Over (the reporting line changed, or one of them ended it): still readable by both.
    Ended,
}

impl SeriesStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SeriesStatus::Proposed => "proposed",
            SeriesStatus::Active => "active",
            SeriesStatus::Declined => "declined",
            SeriesStatus::Ended => "ended",
        }
    }
    pub fn parse(s: &str) -> Option<SeriesStatus> {
        match s {
            "proposed" => Some(SeriesStatus::Proposed),
            "active" => Some(SeriesStatus::Active),
            "declined" => Some(SeriesStatus::Declined),
            "ended" => Some(SeriesStatus::Ended),
            _ => None,
        }
    }
}

/// A 1:1 series as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Series {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: SeriesId,
    pub kind: SeriesKind,
    pub status: SeriesStatus,
    /// Sets the time: the manager of a reporting pair, the proposer of a chosen one.
    pub organiser: PersonName,
    /// The report of a reporting pair, the invited person of a chosen one.
    pub other: PersonName,
    /// `None` until the organiser sets a time.
    pub schedule: Option<Schedule>,
    /// Talking points asked at every meeting.
    pub recurring: Vec<String>,
    pub created_at: i64,
    pub ended_at: Option<i64>,
}

impl Series {
    pub fn involves(&self, person: PersonId) -> bool {
        self.organiser.id == person || self.other.id == person
    }
    /// The other side, seen from `person`.
    pub fn partner_of(&self, person: PersonId) -> &PersonName {
        if self.organiser.id == person {
            &self.other
        } else {
            &self.organiser
        }
    }
    /// The person the job and career panels are about: the report of a reporting pair,
    /// otherwise whoever was invited.
    pub fn about(&self) -> &PersonName {
        &self.other
    }
    /// "1:1 Max Manager / Dana Dev".
    pub fn title(&self) -> String {
        format!("1:1 {} / {}", self.organiser.name, self.other.name)
    }
}

/// A talking point.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Point {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: PointId,
    pub text: String,
    pub author: PersonName,
    pub created_at: i64,
    /// The meeting (by its planned date) where it was ticked as discussed.
    pub ticked_at_meeting: Option<NaiveDate>,
    /// Where it came from, when it was turned from the job or career panel: a page link.
    pub link: Option<String>,
}

/// An action item agreed in a meeting.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Action {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: ActionId,
    pub title: String,
    pub owner: PersonName,
    pub due_date: Option<NaiveDate>,
    pub effort_hours: Option<f64>,
    /// The meeting it was agreed in, by planned date.
    pub meeting: NaiveDate,
    pub created_by: PersonName,
    /// Set once it is on the owner's plate as a commitment.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub commitment: Option<CommitmentId>,
    /// Open on the owner's plate (or not yet there).
    pub open: bool,
}

impl Action {
    /// Waits for its owner to accept it (the report set it for their manager).
    pub fn awaits_owner(&self) -> bool {
        self.commitment.is_none() && self.due_date.is_some() && self.effort_hours.is_some()
    }
}
