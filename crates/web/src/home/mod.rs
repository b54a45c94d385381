//! The home page, which brings the capabilities together for one person.

pub mod next;
pub mod pages;
