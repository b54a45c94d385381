//! Administration: settings, the import upload, the audit log, accounts and e-mail.

pub mod accounts;
pub mod api;
pub mod import;
pub mod pages;
