//! The decision log: `/api/v1/decisions` and the `/decisions` pages.

pub mod api;
pub mod pages;
