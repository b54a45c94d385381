//! Review deadlines: reminders some days before each deadline (organisation settings,
//! default 7 and 1), one when it has passed, each sent once; an admin's "remind everyone
//! incomplete"; and per-person extensions an admin grants.

use super::store::ReviewStore;
use super::*;
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult};
use crate::ids::PersonId;
use crate::notify::{Notification, Topic};

/// A step with a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    #[serde(rename = "self")]
    SelfReview,
    Manager,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::SelfReview => "self",
            Step::Manager => "manager",
        }
    }
}

/// A step whose deadline an admin can move for one person: their self review, their
/// manager's review of them, or the peer and upward reviews about them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExtendableStep {
    #[serde(rename = "self")]
    SelfReview,
    Manager,
    Feedback,
}

/// One reminder to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Due {
    pub review: ReviewId,
    pub step: Step,
    pub kind: String,
    pub to: PersonId,
    pub text: String,
}

/// Each open step of a review, with whom it waits for and its deadline (extensions
/// counted).
pub fn open_steps(cycle: &Cycle, r: &Review) -> Vec<(Step, PersonId, NaiveDate)> {
    let mut out = Vec::new();
    if let Some(due) = cycle.self_review_due
        && r.self_submitted_at.is_none()
    {
        out.push((
            Step::SelfReview,
            r.reviewee.id,
            r.self_due_extended.unwrap_or(due),
        ));
    }
    if let Some(m) = &r.manager
        && r.manager_submitted_at.is_none()
    {
        out.push((
            Step::Manager,
            m.id,
            r.manager_due_extended.unwrap_or(cycle.manager_review_due),
        ));
    }
    out
}

/// The reminders due on `today` (pure): `before` days ahead of a deadline, and once late.
pub fn due(cycle: &Cycle, reviews: &[Review], before: [u32; 2], today: NaiveDate) -> Vec<Due> {
    let mut out = Vec::new();
    for r in reviews {
        for (step, to, deadline) in open_steps(cycle, r) {
            let opens = match step {
                Step::SelfReview => cycle.opens.self_review,
                Step::Manager => cycle.opens.manager_review,
            };
            if !StepOpenings::is_open(opens, today) {
                continue;
            }
            let left = (deadline - today).num_days();
            let what = match step {
                Step::SelfReview => format!("your self review in {}", cycle.name),
                Step::Manager => format!("your review of {} in {}", r.reviewee.name, cycle.name),
            };
            let (kind, text) = if left < 0 {
                (
                    "late".to_string(),
                    format!(
                        "{} was due on {}: please hand it in.",
                        capitalised(&what),
                        deadline.format("%-d %B")
                    ),
                )
            } else if before.contains(&(left as u32)) && left > 0 {
                (
                    format!("before-{left}"),
                    format!(
                        "{} is due in {left} day{} ({}).",
                        capitalised(&what),
                        if left == 1 { "" } else { "s" },
                        deadline.format("%-d %B")
                    ),
                )
            } else {
                continue;
            };
            out.push(Due {
                review: r.id,
                step,
                kind,
                to,
                text,
            });
        }
    }
    out
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

async fn send(store: &dyn ReviewStore, due: &[Due], now: i64) -> CoreResult<usize> {
    if due.is_empty() {
        return Ok(0);
    }
    let mut work = store.begin_review_write().await?;
    let mut sent = 0;
    for d in due {
        if work
            .mark_review_reminded(d.review, d.step.as_str(), &d.kind, now)
            .await?
        {
            work.notify(&Notification::new(
                d.to,
                Topic::ReviewDue,
                d.text.clone(),
                format!("/reviews/{}", d.review),
                now,
            ))
            .await?;
            sent += 1;
        }
    }
    work.commit().await?;
    Ok(sent)
}

/// Sends the deadline reminders due now in every running cycle, each once.
pub async fn send_due(store: &dyn ReviewStore, now: i64) -> CoreResult<usize> {
    let settings = store.settings().await?;
    let before = [
        settings.review_reminder_days_first,
        settings.review_reminder_days_last,
    ];
    let today = local_date(None, now);
    let mut sent = 0;
    for cycle in store
        .cycles()
        .await?
        .into_iter()
        .filter(|c| c.state == CycleState::Launched)
    {
        let reviews = store.review_statuses(cycle.id).await?;
        sent += send(store, &due(&cycle, &reviews, before, today), now).await?;
        sent += super::feedback::send_reminders(store, &cycle, before, today, None, now).await?;
    }
    Ok(sent)
}

/// Reminds everyone whose step is still open in a cycle, now (people admins).
pub async fn remind_incomplete(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: CycleId,
    now: i64,
) -> CoreResult<usize> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "remind people about a review cycle: people admins do".into(),
        ));
    }
    let cycle = store
        .cycle(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("review cycle {id}")))?;
    if cycle.state != CycleState::Launched {
        return Err(CoreError::Conflict(
            "only a running cycle has reviews to remind people of".into(),
        ));
    }
    let reviews = store.review_statuses(id).await?;
    let cycle = &cycle;
    let due: Vec<Due> = reviews
        .iter()
        .flat_map(|r| {
            open_steps(cycle, r)
                .into_iter()
                .map(move |(step, to, deadline)| Due {
                    review: r.id,
                    step,
                    kind: format!("manual-{now}"),
                    to,
                    text: match step {
                        Step::SelfReview => format!(
                            "A reminder: your self review in {} is due on {}.",
                            cycle.name,
                            deadline.format("%-d %B")
                        ),
                        Step::Manager => format!(
                            "A reminder: your review of {} in {} is due on {}.",
                            r.reviewee.name,
                            cycle.name,
                            deadline.format("%-d %B")
                        ),
                    },
                })
        })
        .collect();
    let settings = store.settings().await?;
    let before = [
        settings.review_reminder_days_first,
        settings.review_reminder_days_last,
    ];
    Ok(send(store, &due, now).await?
        + super::feedback::send_reminders(
            store,
            cycle,
            before,
            local_date(None, now),
            Some(now),
            now,
        )
        .await?)
}

/// Gives one person's step more time (people admins).
pub async fn extend(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: ReviewId,
    step: ExtendableStep,
    until: NaiveDate,
    now: i64,
) -> CoreResult<()> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "extend a review deadline: people admins do".into(),
        ));
    }
    let review = store
        .review(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("review {id}")))?;
    let cycle = store
        .cycle(review.cycle)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("review {id}")))?;
    if cycle.state != CycleState::Launched {
        return Err(CoreError::Conflict(
            "only a running cycle's deadlines are extended".into(),
        ));
    }
    let current = match step {
        ExtendableStep::SelfReview => cycle
            .self_review_due
            .ok_or_else(|| CoreError::field("step", "this cycle has no self review"))?,
        ExtendableStep::Manager => cycle.manager_review_due,
        ExtendableStep::Feedback => cycle
            .feedback
            .feedback_due
            .ok_or_else(|| CoreError::field("step", "this cycle has no peer or upward reviews"))?,
    };
    if until <= current || until < local_date(None, now) {
        return Err(CoreError::field(
            "until",
            format!("an extension ends after the deadline ({current}) and after today"),
        ));
    }
    if until > cycle.share_on {
        return Err(CoreError::field(
            "until",
            format!(
                "the cycle is shared on {}; extend up to that day",
                cycle.share_on
            ),
        ));
    }
    let mut work = store.begin_review_write().await?;
    let what = match step {
        ExtendableStep::SelfReview => {
            work.extend_review(id, Step::SelfReview.as_str(), until)
                .await?;
            "self review"
        }
        ExtendableStep::Manager => {
            work.extend_review(id, Step::Manager.as_str(), until)
                .await?;
            "manager review"
        }
        ExtendableStep::Feedback => {
            work.extend_feedback(id, until).await?;
            "peer and upward reviews"
        }
    };
    work.audit(&crate::audit::AuditEntry::about_person(
        now,
        viewer.person_id(),
        "review.extend",
        review.reviewee.id,
        format!("{} {what} due {until}", cycle.name),
    ))
    .await?;
    work.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PersonName;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn reminders_come_seven_and_one_day_before_and_once_late() {
        let cycle = Cycle {
            id: CycleId(1),
            name: "H2".into(),
            state: CycleState::Launched,
            scope: Scope::Everyone,
            questions: vec![],
            self_review_due: Some(d("2026-12-10")),
            manager_review_due: d("2026-12-17"),
            share_on: d("2026-12-20"),
            created_at: 0,
            launched_at: Some(0),
            shared_at: None,
            calibration: Default::default(),
            feedback: FeedbackSettings::default(),
            opens: StepOpenings::default(),
            calibration_at: None,
        };
        let name = |id: i64, n: &str| PersonName {
            id: PersonId(id),
            name: n.into(),
        };
        let mut r = Review {
            id: ReviewId(5),
            cycle: CycleId(1),
            reviewee: name(2, "Dana"),
            manager: Some(name(1, "Max")),
            team: None,
            level: None,
            self_answers: vec![],
            self_submitted_at: None,
            manager_answers: vec![],
            manager_submitted_at: None,
            follow_through: vec![],
            self_due_extended: None,
            manager_due_extended: None,
            rating_changes: vec![],
            box_moves: vec![],
        };
        let kinds = |r: &Review, today: &str| -> Vec<(Step, String)> {
            due(&cycle, std::slice::from_ref(r), [7, 1], d(today))
                .into_iter()
                .map(|d| (d.step, d.kind))
                .collect()
        };
        assert_eq!(
            kinds(&r, "2026-12-03"),
            [(Step::SelfReview, "before-7".to_string())]
        );
        assert_eq!(
            kinds(&r, "2026-12-10"),
            [(Step::Manager, "before-7".to_string())],
            "due today: no more 'before'"
        );
        assert_eq!(
            kinds(&r, "2026-12-11"),
            [(Step::SelfReview, "late".to_string())]
        );
        r.self_due_extended = Some(d("2026-12-15"));
        assert_eq!(
            kinds(&r, "2026-12-11"),
            Vec::<(Step, String)>::new(),
            "extended"
        );
        assert!(
            due(&cycle, &[r], [7, 1], d("2026-12-16"))[1]
                .text
                .starts_with("Your review of Dana in H2 is due in 1 day")
        );
    }
}
