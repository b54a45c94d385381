//! Trellis domain logic: types, validation, the visibility policy and the services that
//! orchestrate a use case through the [`store::Store`] trait. No HTTP, no SQL.
//!
//! Errors: services return [`error::CoreError`]; the web layer maps it to status codes in
//! one place and the CLI turns it into a message.

pub mod access;
pub mod anonymity;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod backups;
pub mod clock;
pub mod connect;
pub mod conversations;
pub mod csv_file;
pub mod dashboards;
pub mod decisions;
pub mod demo;
pub mod development;
pub mod digest;
pub mod error;
pub mod growth;
pub mod housekeeping;
pub mod ids;
pub mod inbox;
pub mod influence;
pub mod input;
pub mod jobs;
pub mod mail;
pub mod mentoring;
pub mod names;
pub mod notify;
pub mod org;
pub mod provisioning;
pub mod reviews;
pub mod scorecards;
pub mod sealed_file;

pub mod settings;
pub mod store;
pub mod succession;
#[cfg(test)]
pub(crate) mod testing;
pub mod transitions;
pub mod unit_of_work;
pub mod work;

pub use access::Viewer;
pub use error::{CoreError, FieldError};
pub use growth::store::GrowthStore;
pub use ids::{AccountId, LevelId, PersonId, PersonName, TeamId};
pub use store::Store;
pub use work::store::WorkStore;
