//! Influence: the influence report and the interactions import over the API; the advice
//! pulse, the overview, a person's influence card and the admin page.

pub mod api;
pub mod pages;
pub mod pulse;
