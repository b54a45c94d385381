//! Mentoring: goals, mentor profiles, rounds and mentorships.

pub mod api;
pub mod pages;
