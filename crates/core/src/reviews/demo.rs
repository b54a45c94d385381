//! The demo's reviews: a summer cycle, shared, whose follow-through items sit on managers'
//! plates and in their 1:1s (some done, some open); and a winter cycle running now, with
//! self reviews handed in, late or waiting, and manager reviews under way. Written through
//! the same store steps as live data.

use super::store::{NewCycle, NewReview, ReviewStore};
use super::*;
use crate::clock::local_date;
use crate::demo::DemoRng;
use crate::error::CoreResult;
use crate::ids::PersonId;
use crate::work::NewCommitment;
use chrono::Duration;

/// Reviews given answers (the rest of a large demo wait untouched).
const ANSWERED_AT_MOST: usize = 400;

const FOLLOW: [&str; 4] = [
    "Introduce them to a staff engineer as a mentor",
    "Give them the lead on the next migration",
    "Protect two focus days a week",
    "Sponsor their conference talk",
];

fn questions() -> Vec<Question> {
    vec![
        Question {
            text: "How well did they deliver on their commitments?".into(),
            scale: vec![
                "Below expectations".into(),
                "Meets expectations".into(),
                "Above expectations".into(),
            ],
            in_self_review: true,
            in_manager_review: true,
            private: false,
        },
        Question {
            text: "What went well, and what would you do differently?".into(),
            scale: Vec::new(),
            in_self_review: true,
            in_manager_review: true,
            private: false,
        },
        Question {
            text: "Potential: how far could they grow in the next two years?".into(),
            scale: vec![
                "Growing in the role".into(),
                "Ready for more".into(),
                "Ready for a bigger role".into(),
            ],
            in_self_review: false,
            in_manager_review: true,
            private: true,
        },
    ]
}

/// The 9-box on delivery and potential, with guidance for delivery.
fn calibration() -> CalibrationSettings {
    CalibrationSettings {
        performance_question: Some(0),
        potential_question: Some(2),
        guidance: vec![15, 60, 25],
        managers_calibrate: true,
    }
}

fn answers(rng: &mut DemoRng, growth: bool) -> Vec<Answer> {
    let mut out = vec![
        Answer {
            question: 0,
            rating: Some(rng.range(2, 3) as u8),
            text: String::new(),
        },
        Answer {
            question: 1,
            rating: None,
            text: "Shipped what we promised; would ask for help earlier next time.".into(),
        },
    ];
    if growth {
        out.push(Answer {
            question: 2,
            rating: Some(rng.range(1, 3) as u8),
            text: String::new(),
        });
        for (g, text) in [
            "A senior role on the platform team",
            "Fewer interruptions in the afternoons",
            "Lead a cross-team project",
        ]
        .iter()
        .enumerate()
        {
            out.push(Answer {
                question: 3 + g,
                rating: None,
                text: (*text).into(),
            });
        }
    }
    out
}

/// Calibrates the summer cycle: a few ratings raised with a reason, one person moved on
/// the 9-box.
async fn calibrate(
    store: &dyn ReviewStore,
    cycle: CycleId,
    admin: PersonId,
    at: i64,
) -> CoreResult<()> {
    let reviews = store.reviews_of_cycle(cycle).await?;
    let mut work = store.begin_review_write().await?;
    work.set_cycle_state(cycle, CycleState::Launched, CycleState::Calibration, at)
        .await?;
    let rated = reviews
        .iter()
        .filter(|r| r.manager_submitted_at.is_some())
        .filter(|r| r.manager_answers.first().and_then(|a| a.rating) == Some(2));
    for r in rated.take(3) {
        let mut answers = r.manager_answers.clone();
        answers[0].rating = Some(3);
        work.save_manager_review(r.id, &answers, r.manager_submitted_at)
            .await?;
        let change = RatingChange {
            question: 0,
            from: Some(2),
            to: 3,
            reason: "Led the incident response for the whole department".into(),
            by: None,
            at,
        };
        work.record_rating_change(r.id, &change, admin).await?;
    }
    if let Some(r) = reviews.iter().find(|r| r.manager_submitted_at.is_some()) {
        let moved = BoxMove {
            performance: 2,
            potential: 2,
            reason: "Runs the platform guild beyond their role".into(),
            by: None,
            at,
        };
        work.record_box_move(r.id, &moved, admin).await?;
    }
    work.commit().await
}

/// Writes the demo's review cycles for the organisation already in the store (after its
/// 1:1s, whose series the follow-through joins).
pub async fn load(store: &dyn ReviewStore, now: i64) -> CoreResult<()> {
    let today = local_date(None, now);
    let mut rng = DemoRng::new(0x0005_EE55);
    let people = store.people_in_scope(&Scope::Everyone).await?;
    let admin = store
        .people_admins()
        .await?
        .first()
        .copied()
        .unwrap_or(PersonId(1));
    let reviews: Vec<NewReview> = people
        .iter()
        .map(|p| NewReview {
            reviewee: p.person,
            manager: p.manager,
            team: p.team.clone(),
            level: p.level.clone(),
        })
        .collect();

    // Summer: shared two months ago.
    let summer_at = now - 75 * 86_400;
    let mut work = store.begin_review_write().await?;
    let summer = work
        .create_cycle(&NewCycle {
            name: "Summer review".into(),
            scope: Scope::Everyone,
            questions: questions(),
            self_review_due: Some(today - Duration::days(70)),
            manager_review_due: today - Duration::days(65),
            share_on: today - Duration::days(60),
            calibration: calibration(),
            feedback: FeedbackSettings::default(),
            opens: StepOpenings::default(),
            created_by: admin,
            created_at: summer_at,
        })
        .await?;
    work.set_cycle_state(summer, CycleState::Draft, CycleState::Launched, summer_at)
        .await?;
    work.create_reviews(summer, &reviews).await?;
    work.commit().await?;
    let written = store.reviews_of_cycle(summer).await?;
    let mut work = store.begin_review_write().await?;
    for r in written.iter().take(ANSWERED_AT_MOST) {
        work.save_self_review(
            r.id,
            &answers(&mut rng, false),
            Some(summer_at + 5 * 86_400),
        )
        .await?;
        let Some(manager) = &r.manager else { continue };
        work.save_manager_review(
            r.id,
            &answers(&mut rng, true),
            Some(summer_at + 10 * 86_400),
        )
        .await?;
        if rng.chance(0.5) {
            let due = today + Duration::days(rng.range(5, 40) as i64);
            let commitment = work
                .create_commitment(&NewCommitment {
                    title: FOLLOW[rng.range(0, 3) as usize].into(),
                    description: format!(
                        "Follow-through from Summer review for {}",
                        r.reviewee.name
                    ),
                    owner: manager.id,
                    requester: Some(manager.id),
                    objective: None,
                    due_date: due,
                    effort_hours: 2.0,
                    skills: Vec::new(),
                    created_at: summer_at + 10 * 86_400,
                    created_on: local_date(None, summer_at + 10 * 86_400),
                })
                .await?;
            work.add_follow_through(r.id, rng.range(0, 2) as usize, commitment, manager.id)
                .await?;
        }
    }
    work.commit().await?;
    calibrate(store, summer, admin, summer_at + 14 * 86_400).await?;
    // Sharing puts the follow-through in the pairs' 1:1s.
    super::cycles::share(
        store,
        &crate::access::Viewer::operator(),
        summer,
        now - 60 * 86_400,
    )
    .await?;
    let mut work = store.begin_review_write().await?;
    work.set_cycle_state(
        summer,
        CycleState::Shared,
        CycleState::Closed,
        now - 30 * 86_400,
    )
    .await?;

    work.commit().await?;
    winter(store, &reviews, admin, now, &mut rng).await
}

/// Winter: running; self reviews were due two days ago, manager reviews under way.
async fn winter(
    store: &dyn ReviewStore,
    reviews: &[NewReview],
    admin: PersonId,
    now: i64,
    rng: &mut DemoRng,
) -> CoreResult<()> {
    let today = local_date(None, now);
    let mut work = store.begin_review_write().await?;
    let winter_at = now - 12 * 86_400;
    let new = NewCycle {
        name: "Winter review".into(),
        scope: Scope::Everyone,
        questions: questions(),
        self_review_due: Some(today - Duration::days(2)),
        manager_review_due: today + Duration::days(7),
        share_on: today + Duration::days(10),
        calibration: calibration(),
        // Anonymous peer reviews (nominations closed) and upward reviews, due in 3 days.
        feedback: FeedbackSettings {
            peers: PeerReviews::Anonymous,
            upward: true,
            nominated_by: Nominator::Reviewee,
            max_peers: 5,
            nominations_due: Some(today - Duration::days(4)),
            feedback_due: Some(today + Duration::days(3)),
        },
        opens: StepOpenings::default(),
        created_by: admin,
        created_at: winter_at,
    };
    let winter = work.create_cycle(&new).await?;
    work.set_cycle_state(winter, CycleState::Draft, CycleState::Launched, winter_at)
        .await?;
    let ids = work.create_reviews(winter, reviews).await?;
    work.commit().await?;
    let cycle = store
        .cycle(winter)
        .await?
        .ok_or_else(|| crate::error::CoreError::Internal("the demo's winter cycle".into()))?;
    let everyone: Vec<super::store::InScope> = reviews
        .iter()
        .map(|r| super::store::InScope {
            person: r.reviewee,
            manager: r.manager,
            team: None,
            level: None,
        })
        .collect();
    let k = store.settings().await?.anonymity_k_360.max(2);
    let plan = super::feedback::plan(&cycle, &ids, &everyone, k, Some(admin), winter_at);
    let mut work = store.begin_review_write().await?;
    work.create_cycle_feedback(&plan.assessments).await?;
    work.commit().await?;
    let written = store.reviews_of_cycle(winter).await?;
    let mut work = store.begin_review_write().await?;
    for r in written.iter().take(ANSWERED_AT_MOST) {
        if rng.chance(0.65) {
            work.save_self_review(
                r.id,
                &answers(rng, false),
                Some(winter_at + rng.range(1, 9) as i64 * 86_400),
            )
            .await?;
        }
        if r.manager.is_some() && rng.chance(0.3) {
            work.save_manager_review(r.id, &answers(rng, true), Some(now - 86_400))
                .await?;
        }
    }
    work.commit().await
}
