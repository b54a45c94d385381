//! 1:1s: series, meetings with their shared agenda and notes, action items, and each
//! person's calendar feed.

pub mod api;
pub mod feedback;
pub mod meeting;
pub mod pages;
mod panel;
