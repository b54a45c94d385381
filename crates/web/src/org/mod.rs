//! The organisation: people, reporting lines, teams, the career ladder and imports.

pub mod api;
pub mod pages;
