//! The checks of a cycle as filled in, every problem at once and at its field: each
//! question of the cycle's own, and the feedback step and the days steps open.

use super::cycles::CycleInput;
use super::*;
use crate::error::FieldError;

/// Every problem with one question of the cycle's own.
pub(super) fn question_errors(i: usize, q: &Question) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let field = format!("questions[{i}]");
    let n = q.text.trim().chars().count();
    if n == 0 || n > 500 {
        errors.push(FieldError::new(
            &field,
            "a question has 1 to 500 characters",
        ));
    }
    if !q.scale.is_empty() && !(2..=7).contains(&q.scale.len()) {
        errors.push(FieldError::new(
            &field,
            format!("a rating scale has 2 to 7 labels, not {}", q.scale.len()),
        ));
    }
    if q.scale
        .iter()
        .any(|l| l.trim().is_empty() || l.chars().count() > 60)
    {
        errors.push(FieldError::new(
            &field,
            "each label of a scale has 1 to 60 characters",
        ));
    }
    if !q.in_self_review && !q.in_manager_review {
        errors.push(FieldError::new(
            &field,
            "ask it in the self review, the manager review or both",
        ));
    }
    if q.private && q.in_self_review {
        errors.push(FieldError::new(
            &field,
            "a private manager assessment is not asked in the self review",
        ));
    }
    if GROWTH_QUESTIONS
        .iter()
        .any(|g| g.eq_ignore_ascii_case(q.text.trim()))
    {
        errors.push(FieldError::new(
            &field,
            "the growth questions are always asked; leave them out of the list",
        ));
    }
    errors
}

/// Every problem with the feedback step and the steps' opening days: each in the future,
/// each step open before it is due, nominations before feedback before the manager review.
pub(super) fn step_errors(
    input: &CycleInput,
    today: NaiveDate,
    manager: Option<NaiveDate>,
    share: Option<NaiveDate>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let f = &input.feedback;
    let o = &input.opens;
    let mut past = |field: &str, d: Option<NaiveDate>| {
        if let Some(d) = d.filter(|d| *d < today) {
            errors.push(FieldError::new(field, format!("{d} is in the past")));
        }
    };
    past("feedback.nominations_due", f.nominations_due);
    past("feedback.feedback_due", f.feedback_due);
    past("opens.self_review", o.self_review);
    past("opens.feedback", o.feedback);
    past("opens.manager_review", o.manager_review);
    past("opens.calibration", o.calibration);
    let mut order = |field: &str, first: Option<NaiveDate>, then: Option<NaiveDate>, says: &str| {
        if let (Some(a), Some(b)) = (first, then)
            && a > b
        {
            errors.push(FieldError::new(field, says));
        }
    };
    order(
        "opens.self_review",
        o.self_review,
        input.self_review_due,
        "the self review opens on or before its deadline",
    );
    order(
        "opens.manager_review",
        o.manager_review,
        manager,
        "the manager review opens on or before its deadline",
    );
    order(
        "opens.calibration",
        manager,
        o.calibration,
        "calibration opens once the manager reviews are due",
    );
    order(
        "opens.calibration",
        o.calibration,
        share,
        "calibration opens before the reviews are shared",
    );
    if f.on() {
        order(
            "opens.feedback",
            o.feedback,
            f.feedback_due,
            "the feedback step opens on or before its deadline",
        );
        order(
            "feedback.nominations_due",
            f.nominations_due,
            f.feedback_due,
            "name peer reviewers before the feedback is due",
        );
        order(
            "feedback.feedback_due",
            f.feedback_due,
            manager,
            "peer and upward reviews are due on or before the manager review",
        );
        if f.feedback_due.is_none() {
            errors.push(FieldError::new(
                "feedback.feedback_due",
                "give the day peer and upward reviews are due",
            ));
        }
    }
    if f.peers != PeerReviews::Off {
        if !(1..=12).contains(&f.max_peers) {
            errors.push(FieldError::new(
                "feedback.max_peers",
                format!("ask 1 to 12 peers per person, not {}", f.max_peers),
            ));
        }
        if f.nominations_due.is_none() {
            errors.push(FieldError::new(
                "feedback.nominations_due",
                "give the last day to name peer reviewers",
            ));
        }
    }
    errors
}
