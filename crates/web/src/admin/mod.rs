//! Administration: settings, the import upload and the audit log.

pub mod api;
pub mod pages;
