//! Provisioning: the SCIM 2.0 server at `/scim/v2` and Admin → Provisioning.

pub mod pages;
pub mod scim;
