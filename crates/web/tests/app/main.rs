//! The web integration tests, one module per capability, in one binary (one link of the
//! whole stack instead of one per file). Each test runs on SQLite, and on PostgreSQL when
//! `TRELLIS_TEST_DATABASE_URL` is set. The browser tests are a target of their own.

#[path = "../common/mod.rs"]
mod common;

mod accounts;
mod api;
mod assessments;
mod calibration;
mod connect;
mod cycle_feedback;
mod dashboards;
mod decisions;
mod demo;
mod development;
mod digest;
mod feedback;
mod growth;
mod home;
mod inbox;
mod influence;
mod instances;
mod mentoring;
mod one_on_ones;
mod outage;
mod pages;
mod polish;
mod provisioning;
mod reviews;
mod scorecards;
mod settings;
mod sso;
mod succession;
mod transitions;
mod work;
