//! Managers' scorecards: `/api/v1/people/{id}/scorecard` and `/scorecards/{id}`.

pub mod api;
pub mod pages;
