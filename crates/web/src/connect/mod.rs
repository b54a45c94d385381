//! Connection programmes: the list, one programme, rounds, choices, exclusions.

pub mod api;
pub mod exclusions;
pub mod hours;
pub mod pages;
