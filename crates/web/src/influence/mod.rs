//! Influence: the influence report and the interactions import.

pub mod api;
