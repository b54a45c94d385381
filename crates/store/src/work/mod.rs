//! Objectives, key results, check-ins, commitments with their history, capacity and
//! absences. Lists of people are passed as one JSON array parameter (`json_each` on
//! SQLite, `jsonb_array_elements_text` on PostgreSQL), so a 500-person tree is one bound
//! value rather than 500.

mod capacity;
mod commitments;
mod delivery;
mod demo;
mod objectives;
mod trailing;

pub(crate) use commitments::*;
pub(crate) use objectives::*;

use chrono::NaiveDate;

pub(crate) fn text_day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}
