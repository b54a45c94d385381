//! Growth (lead): stretch opportunities with explained suggestions, the optimal plan for
//! all open ones, and placements approved by the candidate's manager. Career plans, plate
//! wishes, skill sourcing and mentor matching build on this.

pub mod career;
pub mod demo;
pub mod mentoring;
pub mod opportunities;
pub mod sourcing;
pub mod store;
pub mod stretch;
pub mod talent;
pub mod wishes;
