//! New-manager transitions: `/api/v1/transitions` and the `/transitions` pages.

pub mod api;
pub mod pages;
