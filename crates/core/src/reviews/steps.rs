//! Steps that open on their dates, run by the worker's hourly pass: a self or manager
//! review that opens later tells its writers the day it opens; calibration opens by itself
//! on its day; on the sharing day a cycle whose manager reviews are all in is shared, and
//! otherwise its people admins are told what is missing (never shared incomplete).

use super::reminders::Step;
use super::store::ReviewStore;
use super::*;
use crate::clock::local_date;
use crate::error::CoreResult;
use crate::notify::{Notification, Topic};

/// Moves every running cycle along its dates; how many notices and moves it made.
pub async fn advance(store: &dyn ReviewStore, now: i64) -> CoreResult<usize> {
    let today = local_date(None, now);
    let mut done = 0;
    for cycle in store.cycles().await? {
        if !matches!(cycle.state, CycleState::Launched | CycleState::Calibration) {
            continue;
        }
        if cycle.state == CycleState::Launched {
            done += announce_openings(store, &cycle, today, now).await?;
        }
        let statuses = store.review_statuses(cycle.id).await?;
        let missing = statuses
            .iter()
            .filter(|r| r.manager.is_some() && r.manager_submitted_at.is_none())
            .count();
        if cycle.share_on <= today {
            if missing == 0 {
                super::cycles::share_as(store, None, cycle.id, now).await?;
                done += 1;
            } else if let Some(first) = statuses.first() {
                done += tell_admins(store, &cycle, first.id, missing, now).await?;
            }
        } else if cycle.state == CycleState::Launched
            && cycle.opens.calibration.is_some_and(|d| d <= today)
        {
            super::calibration::open_as(store, None, cycle.id, now).await?;
            done += 1;
        }
    }
    Ok(done)
}

/// Tells each writer, once, that a step which opened later is open now.
async fn announce_openings(
    store: &dyn ReviewStore,
    cycle: &Cycle,
    today: NaiveDate,
    now: i64,
) -> CoreResult<usize> {
    let opened = |d: Option<NaiveDate>| d.is_some_and(|d| d <= today);
    let self_opened = opened(cycle.opens.self_review) && cycle.self_review_due.is_some();
    let manager_opened = opened(cycle.opens.manager_review);
    if !self_opened && !manager_opened {
        return Ok(0);
    }
    let mut notes = Vec::new();
    for r in store.review_statuses(cycle.id).await? {
        for (step, to, due) in super::reminders::open_steps(cycle, &r) {
            let text = match step {
                Step::SelfReview if self_opened => format!(
                    "Your self review in {} is open: write it by {}.",
                    cycle.name,
                    due.format("%-d %B")
                ),
                Step::Manager if manager_opened => format!(
                    "Your review of {} in {} is open: write it by {}.",
                    r.reviewee.name,
                    cycle.name,
                    due.format("%-d %B")
                ),
                _ => continue,
            };
            notes.push((r.id, step, to, text));
        }
    }
    let mut work = store.begin_review_write().await?;
    let mut sent = 0;
    for (review, step, to, text) in notes {
        if work
            .mark_review_reminded(review, step.as_str(), "opened", now)
            .await?
        {
            work.notify(&Notification::new(
                to,
                Topic::ReviewDue,
                text,
                format!("/reviews/{review}"),
                now,
            ))
            .await?;
            sent += 1;
        }
    }
    work.commit().await?;
    Ok(sent)
}

/// On the sharing day of a cycle with manager reviews missing: tells its people admins
/// once (recorded with the cycle's first review, one record per cycle).
async fn tell_admins(
    store: &dyn ReviewStore,
    cycle: &Cycle,
    first: ReviewId,
    missing: usize,
    now: i64,
) -> CoreResult<usize> {
    let admins = store.people_admins().await?;
    let mut work = store.begin_review_write().await?;
    if !work
        .mark_review_reminded(first, Step::Manager.as_str(), "share-day", now)
        .await?
    {
        return Ok(0);
    }
    let notes: Vec<Notification> = admins
        .iter()
        .map(|a| {
            Notification::new(
                *a,
                Topic::ReviewDue,
                format!(
                    "{} was to be shared today, but {missing} manager review{} not in: share it when ready.",
                    cycle.name,
                    if missing == 1 { " is" } else { "s are" }
                ),
                format!("/admin/reviews/{}", cycle.id),
                now,
            )
        })
        .collect();
    work.notify_all(&notes).await?;
    work.commit().await?;
    Ok(notes.len())
}

/// A step with a form that an admin can open before its day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FormStep {
    SelfReview,
    Feedback,
    ManagerReview,
}

impl FormStep {
    pub fn parse(s: &str) -> Option<FormStep> {
        match s {
            "self_review" => Some(FormStep::SelfReview),
            "feedback" => Some(FormStep::Feedback),
            "manager_review" => Some(FormStep::ManagerReview),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            FormStep::SelfReview => "The self review",
            FormStep::Feedback => "Peer and upward reviews",
            FormStep::ManagerReview => "The manager review",
        }
    }
}

/// Opens a step of a running cycle today, before its day (people admins).
pub async fn open_now(
    store: &dyn ReviewStore,
    viewer: &crate::access::Viewer,
    id: CycleId,
    step: FormStep,
    now: i64,
) -> CoreResult<()> {
    if !viewer.may_administer() {
        return Err(crate::error::CoreError::Forbidden(
            "open a step of a review cycle: people admins do".into(),
        ));
    }
    let cycle = super::cycles::load(store, id).await?;
    if cycle.state != CycleState::Launched {
        return Err(crate::error::CoreError::Conflict(
            "only a running cycle's steps are opened".into(),
        ));
    }
    let today = local_date(None, now);
    let mut opens = cycle.opens.clone();
    let slot = match step {
        FormStep::SelfReview => &mut opens.self_review,
        FormStep::Feedback => &mut opens.feedback,
        FormStep::ManagerReview => &mut opens.manager_review,
    };
    if StepOpenings::is_open(*slot, today) {
        return Err(crate::error::CoreError::Conflict(format!(
            "{} is open already",
            step.label()
        )));
    }
    *slot = Some(today);
    let mut work = store.begin_review_write().await?;
    work.set_cycle_openings(id, &opens).await?;
    work.audit(&crate::audit::AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "review_cycle.open_step".into(),
        subject: format!("review cycle {id}"),
        detail: format!("{}: {} opened early", cycle.name, step.label()),
    })
    .await?;
    work.commit().await?;
    // The announcement goes out with the next pass, or now.
    announce_openings(store, &super::cycles::load(store, id).await?, today, now).await?;
    Ok(())
}
