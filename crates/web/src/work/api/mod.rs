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

crate::api::operations!(
    create_commitment,
    show_commitment,
    update_commitment,
    renegotiate_commitment,
    reassign_commitment,
    set_commitment_status,
    comment_on_commitment,
    show_plate,
    set_capacity,
    add_absence,
    delete_absence,
    show_team_work,
    reorder_priorities,
    list_objectives,
    create_objective,
    show_objective,
    update_objective,
    add_key_result,
    check_in,
    work_report,
    add_wish,
    remove_wish,
);
