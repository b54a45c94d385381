//! Growth (lead): career plans, the plate conversation and offers of work wished off a
//! plate, stretch opportunities with explained suggestions and the optimal plan for all open
//! ones, skill sourcing with the talent pool, and mentor matching.

pub mod career;
pub mod demo;
pub mod opportunities;
pub mod placements;
pub mod sourcing;
pub mod store;
pub mod stretch;
pub mod talent;
pub mod wishes;

/// A free-text note, trimmed; over 1,000 characters is an error at `note`.
pub(crate) fn checked_note(errors: &mut Vec<crate::error::FieldError>, text: &str) -> String {
    let note = text.trim().to_string();
    if note.chars().count() > 1000 {
        errors.push(crate::error::FieldError::new(
            "note",
            "keep the note under 1,000 characters",
        ));
    }
    note
}
