//! The signed-in account: signing in and out, `/api/v1/me`.

pub mod api;
pub mod links;
pub mod pages;
pub mod sso;
pub mod sso_api;
