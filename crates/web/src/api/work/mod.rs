//! `/api/v1` work endpoints: commitments, plates, the team job view, priorities,
//! capacity and absences, objectives with key results and check-ins, and reports.

mod commitments;
mod objectives;
mod reports;
mod team;

pub use commitments::*;
pub use objectives::*;
pub use reports::*;
pub use team::*;
