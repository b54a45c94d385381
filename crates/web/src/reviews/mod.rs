//! Review cycles: the admins' cycles and progress, and everyone's reviews to write and read.

mod admin_pages;
pub mod api;
pub mod calibration_pages;
pub mod pages;
