//! Organisation dashboards: `/api/v1/dashboard` and the `/dashboard` page.

pub mod api;
pub mod pages;
