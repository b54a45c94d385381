//! The weekly digest: "Your week" as a page and through the API, turning the Monday
//! e-mail off or on, and the admins' own tips.

pub mod api;
pub mod pages;
