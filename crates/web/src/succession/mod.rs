//! Succession: `/api/v1/succession` and the `/succession` pages.

pub mod api;
pub mod pages;
