//! The manager's work: objectives, commitments, plates, the team job view and reports.

pub mod api;
pub mod pages;
