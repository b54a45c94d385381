//! The notification centre: the bell's page, opening a notification, preferences.

pub mod api;
pub mod pages;
