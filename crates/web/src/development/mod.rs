//! Development programmes: the list, one programme with its sessions, attendance and
//! feedback.

pub mod api;
pub mod pages;
