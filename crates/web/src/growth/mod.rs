//! Growth: career plans, stretch opportunities and placements, the talent pool.

pub mod api;
pub mod pages;
