//! A cycle's feedback step. At launch each reviewee gets peer reviews (when the cycle asks
//! for them: named or anonymous, peers named by the reviewee and asked by their manager
//! chain, or named by the chain) and, when they manage people, upward reviews from every
//! direct report, always anonymous. Both are 360s tied to the review, so the anonymity
//! rule, nominations, declining and the report are the 360's; they are shared with the
//! cycle. Upward reviews are not asked of a manager with fewer than `k` reports: the
//! answers could never be shown.

use super::store::InScope;
use super::*;
use crate::assessments::store::NewAssessment;
use crate::assessments::{FeedbackKind, InCycle, RaterGroup, peer_template, template};
use crate::ids::PersonId;
use std::collections::HashMap;

/// What a launch creates for the feedback step, and what it could not.
#[derive(Debug, Clone, Default)]
pub struct FeedbackPlan {
    pub assessments: Vec<NewAssessment>,
    /// Managers in the cycle with fewer than `k` direct reports: no upward reviews.
    pub too_few_reports: usize,
}

/// The 360s a launch creates (pure): `reviews` maps each reviewee to their review,
/// `everyone` is every active person with their manager.
pub fn plan(
    cycle: &Cycle,
    reviews: &[(PersonId, ReviewId)],
    everyone: &[InScope],
    k: u32,
    created_by: Option<PersonId>,
    now: i64,
) -> FeedbackPlan {
    let f = &cycle.feedback;
    let mut out = FeedbackPlan::default();
    if !f.on() {
        return out;
    }
    let mut reports: HashMap<PersonId, Vec<PersonId>> = HashMap::new();
    for p in everyone {
        if let Some(m) = p.manager {
            reports.entry(m).or_default().push(p.person);
        }
    }
    let due_on = f.feedback_due.unwrap_or(cycle.manager_review_due);
    let in_cycle = |review: ReviewId, kind: FeedbackKind| InCycle {
        cycle: cycle.id,
        review,
        cycle_name: cycle.name.clone(),
        kind,
        peers_named: f.peers == PeerReviews::Named,
        subject_nominates: f.nominated_by == Nominator::Reviewee,
        max_peers: f.max_peers,
        nominations_due: f.nominations_due,
        opens_on: cycle.opens.feedback,
    };
    for (person, review) in reviews {
        if f.peers != PeerReviews::Off {
            out.assessments.push(NewAssessment {
                subject: *person,
                behaviours: peer_template(),
                k,
                due_on,
                created_by,
                created_at: now,
                raters: Vec::new(),
                in_cycle: Some(in_cycle(*review, FeedbackKind::Peer)),
            });
        }
        let mine = reports.get(person).map(Vec::as_slice).unwrap_or_default();
        if f.upward && !mine.is_empty() {
            if mine.len() < k as usize {
                out.too_few_reports += 1;
                continue;
            }
            out.assessments.push(NewAssessment {
                subject: *person,
                behaviours: template(),
                k,
                due_on,
                created_by,
                created_at: now,
                raters: mine.iter().map(|r| (*r, RaterGroup::Reports)).collect(),
                in_cycle: Some(in_cycle(*review, FeedbackKind::Upward)),
            });
        }
    }
    out
}

/// How far the feedback step has come: raters asked and answered, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackProgress {
    /// Reviewees with fewer peer reviewers named than `k` (anonymous peer reviews only).
    pub short_of_peers: usize,
    pub peers_asked: usize,
    pub peers_answered: usize,
    pub upward_asked: usize,
    pub upward_answered: usize,
    /// Peer reviewers proposed and waiting for a manager's decision.
    pub proposals_waiting: usize,
}

/// One reminder to a peer or upward reviewer.
#[derive(Debug, Clone, PartialEq)]
pub struct RaterDue {
    pub assessment: crate::assessments::AssessmentId,
    pub rater: PersonId,
    pub kind: String,
    pub text: String,
}

/// The feedback step's reminders (pure): each rater asked who has not answered, `before`
/// days ahead of the deadline and once late, or now for an admin's `manual` reminder;
/// nothing before the step opens.
pub fn raters_due(
    assessments: &[crate::assessments::Assessment],
    before: [u32; 2],
    today: NaiveDate,
    manual: Option<i64>,
) -> Vec<RaterDue> {
    use crate::assessments::RaterStatus;
    let mut out = Vec::new();
    for a in assessments {
        let Some(c) = &a.in_cycle else { continue };
        if !a.open_on(today) {
            continue;
        }
        let left = (a.due_on - today).num_days();
        let what = match c.kind {
            FeedbackKind::Peer => {
                format!("your peer review of {} in {}", a.subject.name, c.cycle_name)
            }
            FeedbackKind::Upward => format!(
                "your upward review of {} in {}",
                a.subject.name, c.cycle_name
            ),
        };
        let due = a.due_on.format("%-d %B");
        let (kind, text) = match manual {
            Some(at) => (
                format!("manual-{at}"),
                format!("A reminder: {what} is due on {due}."),
            ),
            None if left < 0 => (
                "late".to_string(),
                format!("{what} was due on {due}: please answer."),
            ),
            None if left > 0 && before.contains(&(left as u32)) => (
                format!("before-{left}"),
                format!(
                    "{what} is due in {left} day{} ({due}).",
                    if left == 1 { "" } else { "s" }
                ),
            ),
            None => continue,
        };
        let mut text = text;
        if let Some(first) = text.get(..1) {
            text = first.to_uppercase() + &text[1..];
        }
        for r in a
            .raters
            .iter()
            .filter(|r| r.status == RaterStatus::Asked && !r.answered)
        {
            out.push(RaterDue {
                assessment: a.id,
                rater: r.person.id,
                kind: kind.clone(),
                text: text.clone(),
            });
        }
    }
    out
}

/// Sends the feedback reminders due, each once; how many went out.
pub async fn send_reminders(
    store: &dyn super::store::ReviewStore,
    cycle: &Cycle,
    before: [u32; 2],
    today: NaiveDate,
    manual: Option<i64>,
    now: i64,
) -> crate::error::CoreResult<usize> {
    if !cycle.feedback.on() {
        return Ok(0);
    }
    let due = raters_due(
        &store.assessments_of_cycle(cycle.id).await?,
        before,
        today,
        manual,
    );
    if due.is_empty() {
        return Ok(0);
    }
    let mut work = store.begin_review_write().await?;
    let mut sent = 0;
    for d in &due {
        if work
            .mark_rater_reminded(d.assessment, d.rater, &d.kind, now)
            .await?
        {
            work.notify(&crate::notify::Notification::new(
                d.rater,
                crate::notify::Topic::ReviewDue,
                d.text.clone(),
                format!("/assessments/{}", d.assessment),
                now,
            ))
            .await?;
            sent += 1;
        }
    }
    work.commit().await?;
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycle(feedback: FeedbackSettings) -> Cycle {
        let d: NaiveDate = "2027-01-31".parse().unwrap();
        Cycle {
            id: CycleId(1),
            name: "Winter".into(),
            state: CycleState::Draft,
            scope: Scope::Everyone,
            questions: Vec::new(),
            self_review_due: None,
            manager_review_due: d,
            share_on: d,
            calibration: CalibrationSettings::default(),
            feedback,
            opens: StepOpenings::default(),
            created_at: 0,
            launched_at: None,
            calibration_at: None,
            shared_at: None,
        }
    }

    fn person(id: i64, manager: Option<i64>) -> InScope {
        InScope {
            person: PersonId(id),
            manager: manager.map(PersonId),
            team: None,
            level: None,
        }
    }

    #[test]
    fn upward_reviews_ask_every_report_and_skip_managers_below_k() {
        // 1 manages 2, 3, 4; 2 manages 5 and 6 only.
        let everyone = vec![
            person(1, None),
            person(2, Some(1)),
            person(3, Some(1)),
            person(4, Some(1)),
            person(5, Some(2)),
            person(6, Some(2)),
        ];
        let reviews: Vec<(PersonId, ReviewId)> =
            (1..=6).map(|i| (PersonId(i), ReviewId(i * 10))).collect();
        let c = cycle(FeedbackSettings {
            upward: true,
            feedback_due: Some("2027-01-20".parse().unwrap()),
            ..FeedbackSettings::default()
        });
        let p = plan(&c, &reviews, &everyone, 3, None, 0);
        assert_eq!(p.assessments.len(), 1, "only 1 has k reports");
        let a = &p.assessments[0];
        assert_eq!(a.subject, PersonId(1));
        assert_eq!(a.raters.len(), 3);
        assert!(a.raters.iter().all(|(_, g)| *g == RaterGroup::Reports));
        assert_eq!(a.in_cycle.as_ref().unwrap().review, ReviewId(10));
        assert_eq!(p.too_few_reports, 1);
    }

    #[test]
    fn peer_reviews_give_everyone_a_360_to_name_peers_in() {
        let everyone = vec![person(1, None), person(2, Some(1))];
        let reviews = vec![(PersonId(2), ReviewId(7))];
        let c = cycle(FeedbackSettings {
            peers: PeerReviews::Named,
            nominated_by: Nominator::Manager,
            feedback_due: Some("2027-01-20".parse().unwrap()),
            ..FeedbackSettings::default()
        });
        let p = plan(&c, &reviews, &everyone, 3, None, 0);
        assert_eq!(p.assessments.len(), 1);
        let c = p.assessments[0].in_cycle.clone().unwrap();
        assert!(c.peers_named && !c.subject_nominates);
        assert_eq!(c.kind, FeedbackKind::Peer);
        assert!(p.assessments[0].raters.is_empty());
    }
}
