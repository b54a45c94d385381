//! Writing and reading a review: the reviewee's self review, the manager review with the
//! three growth questions and their follow-through items, and what each viewer may read.

use super::store::ReviewStore;
use super::*;
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::work::NewCommitment;

/// A review as one viewer may read it, with what they may do.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewView {
    pub cycle: Cycle,
    pub review: Review,
    /// Every question of the manager form, the growth questions last.
    pub manager_questions: Vec<Question>,
    pub can_write_self: bool,
    pub can_write_manager: bool,
    /// The manager review is shown (to the reviewee, once shared).
    pub manager_review_visible: bool,
    /// The viewer's step opens later, on this day.
    pub opens_on: Option<NaiveDate>,
    /// The review's peer and upward reviews (360s), for the reviewee and those who see
    /// the review.
    pub feedback: Vec<FeedbackLink>,
}

/// A review's peer or upward reviews.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedbackLink {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub assessment: crate::assessments::AssessmentId,
    pub kind: crate::assessments::FeedbackKind,
    pub shared: bool,
}

/// The manager form's questions: the cycle's own, then the three growth questions.
pub fn manager_questions(cycle: &Cycle) -> Vec<Question> {
    let mut qs: Vec<Question> = cycle.questions.clone();
    qs.extend(GROWTH_QUESTIONS.iter().map(|g| Question {
        text: (*g).into(),
        scale: Vec::new(),
        in_self_review: false,
        in_manager_review: true,
        private: false,
    }));
    qs
}

/// Where growth question `g` sits among the manager form's answers.
pub fn growth_index(cycle: &Cycle, g: usize) -> usize {
    cycle.questions.len() + g
}

/// A review the viewer may read, filtered for them.
pub async fn show(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: ReviewId,
    today: NaiveDate,
) -> CoreResult<ReviewView> {
    let not_found = || CoreError::NotFound(format!("review {id}"));
    let mut review = store.review(id).await?.ok_or_else(not_found)?;
    let cycle = store.cycle(review.cycle).await?.ok_or_else(not_found)?;
    let reach = crate::org::people::reach_to(store, viewer, review.reviewee.id).await?;
    let me = viewer.person_id();
    let is_manager = review.manager.as_ref().is_some_and(|m| m.id == me);
    if !reach.sees_private_fields() && !is_manager {
        return Err(not_found());
    }
    let shared = matches!(cycle.state, CycleState::Shared | CycleState::Closed);
    let reviewee = review.reviewee.id == me;
    let questions = manager_questions(&cycle);
    if reviewee {
        as_the_reviewee_sees(&cycle, &mut review);
    }
    let opens = if reviewee {
        cycle.opens.self_review
    } else {
        cycle.opens.manager_review
    };
    let open = StepOpenings::is_open(opens, today);
    let feedback = store
        .assessments_of_review(id)
        .await?
        .into_iter()
        .filter_map(|a| {
            let kind = a.in_cycle.as_ref()?.kind;
            Some(FeedbackLink {
                assessment: a.id,
                kind,
                shared: a.state == crate::assessments::AssessmentState::Shared,
            })
        })
        .collect();
    Ok(ReviewView {
        opens_on: opens.filter(|_| !open && (reviewee || is_manager)),
        feedback,
        can_write_self: reviewee
            && open
            && cycle.state == CycleState::Launched
            && cycle.self_review_due.is_some()
            && review.self_submitted_at.is_none(),
        can_write_manager: is_manager
            && open
            && cycle.state == CycleState::Launched
            && review.manager_submitted_at.is_none(),
        manager_review_visible: !reviewee || shared,
        manager_questions: questions,
        cycle,
        review,
    })
}

/// What the reviewee may read of their review: the manager review once shared, without
/// private questions; never calibration's changes or the 9-box.
fn as_the_reviewee_sees(cycle: &Cycle, review: &mut Review) {
    if matches!(cycle.state, CycleState::Shared | CycleState::Closed) {
        let questions = manager_questions(cycle);
        review
            .manager_answers
            .retain(|a| questions.get(a.question).is_some_and(|q| !q.private));
    } else {
        review.manager_answers.clear();
        review.follow_through.clear();
    }
    review.rating_changes.clear();
    review.box_moves.clear();
}

/// Answers as given: one per question at most.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ReviewAnswersRequest))]
#[serde(deny_unknown_fields)]
pub struct AnswersInput {
    pub answers: Vec<Answer>,
    /// Done: every question answered, and the review is handed in.
    #[serde(default)]
    pub submit: bool,
}

/// Checks answers against the form's questions: each to a question on the form, a
/// rating on its scale, words within bounds; on submit, every question answered.
fn checked_answers(
    questions: &[(usize, &Question)],
    input: &AnswersInput,
) -> Result<Vec<Answer>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out: Vec<Answer> = Vec::new();
    for (i, a) in input.answers.iter().enumerate() {
        let field = format!("answers[{i}]");
        let Some((_, q)) = questions.iter().find(|(n, _)| *n == a.question) else {
            errors.push(FieldError::new(
                &field,
                format!("question {} is not on this form", a.question),
            ));
            continue;
        };
        if let Some(r) = a.rating {
            if q.scale.is_empty() {
                errors.push(FieldError::new(
                    &field,
                    "this question takes words, not a rating",
                ));
            } else if r == 0 || r as usize > q.scale.len() {
                errors.push(FieldError::new(
                    &field,
                    format!(
                        "a rating from 1 to {} ({} to {}), not {r}",
                        q.scale.len(),
                        q.scale[0],
                        q.scale[q.scale.len() - 1]
                    ),
                ));
            }
        }
        if a.text.chars().count() > MAX_ANSWER {
            errors.push(FieldError::new(
                &field,
                format!("an answer is at most {MAX_ANSWER} characters"),
            ));
        }
        if out.iter().any(|o| o.question == a.question) {
            errors.push(FieldError::new(&field, "one answer per question"));
        }
        out.push(Answer {
            question: a.question,
            rating: a.rating,
            text: a.text.trim().to_string(),
        });
    }
    if input.submit {
        for (n, q) in questions {
            let answered = out.iter().find(|a| a.question == *n).is_some_and(|a| {
                if q.scale.is_empty() {
                    !a.text.is_empty()
                } else {
                    a.rating.is_some()
                }
            });
            if !answered {
                errors.push(FieldError::new(
                    format!("question {n}"),
                    format!(
                        "answer \u{201c}{}\u{201d} before handing the review in",
                        q.text
                    ),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A step that opens later takes no answers yet.
fn not_yet(opens_on: Option<NaiveDate>) -> CoreResult<()> {
    match opens_on {
        Some(d) => Err(CoreError::Conflict(format!(
            "this step opens on {}: write it from then",
            d.format("%-d %B")
        ))),
        None => Ok(()),
    }
}

fn locked(cycle: &Cycle) -> CoreResult<()> {
    match cycle.state {
        CycleState::Launched => Ok(()),
        CycleState::Draft => Err(CoreError::Conflict("this cycle has not started".into())),
        _ => Err(CoreError::Conflict(
            "this cycle is shared: its reviews are locked".into(),
        )),
    }
}

/// Saves (or hands in) the reviewee's self review.
pub async fn save_self(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: ReviewId,
    input: &AnswersInput,
    now: i64,
) -> CoreResult<()> {
    let view = show(store, viewer, id, local_date(None, now)).await?;
    if view.review.reviewee.id != viewer.person_id() {
        return Err(CoreError::Forbidden(format!(
            "write this self review: {} does",
            view.review.reviewee.name
        )));
    }
    locked(&view.cycle)?;
    not_yet(view.opens_on)?;
    if view.cycle.self_review_due.is_none() {
        return Err(CoreError::Conflict("this cycle has no self review".into()));
    }
    if view.review.self_submitted_at.is_some() {
        return Err(CoreError::Conflict("your self review is handed in".into()));
    }
    let questions: Vec<(usize, &Question)> = view
        .cycle
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| q.in_self_review)
        .collect();
    let answers = checked_answers(&questions, input).map_err(CoreError::Invalid)?;
    let mut work = store.begin_review_write().await?;
    work.save_self_review(id, &answers, input.submit.then_some(now))
        .await?;
    work.commit().await
}

/// Saves (or hands in) the manager review: the reviewee's manager at launch.
pub async fn save_manager(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: ReviewId,
    input: &AnswersInput,
    now: i64,
) -> CoreResult<()> {
    let view = show(store, viewer, id, local_date(None, now)).await?;
    manager_may_write(&view, viewer, true)?;
    not_yet(view.opens_on)?;
    let all = view.manager_questions.clone();
    let questions: Vec<(usize, &Question)> = all
        .iter()
        .enumerate()
        .filter(|(_, q)| q.in_manager_review)
        .collect();
    let answers = checked_answers(&questions, input).map_err(CoreError::Invalid)?;
    let mut work = store.begin_review_write().await?;
    work.save_manager_review(id, &answers, input.submit.then_some(now))
        .await?;
    work.commit().await
}

/// The manager at launch, while the cycle runs; `answers`: the review is not handed in
/// either (follow-through items may still be added after it is).
fn manager_may_write(view: &ReviewView, viewer: &Viewer, answers: bool) -> CoreResult<()> {
    let Some(manager) = &view.review.manager else {
        return Err(CoreError::Conflict(
            "this review has no manager review: its person had no manager at launch".into(),
        ));
    };
    if manager.id != viewer.person_id() {
        return Err(CoreError::Forbidden(format!(
            "write this manager review: {} does",
            manager.name
        )));
    }
    locked(&view.cycle)?;
    if answers && view.review.manager_submitted_at.is_some() {
        return Err(CoreError::Conflict(
            "this manager review is handed in".into(),
        ));
    }
    Ok(())
}

/// A follow-through item as given.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = FollowThroughRequest))]
#[serde(deny_unknown_fields)]
pub struct FollowThroughInput {
    /// 0, 1 or 2: the growth question it answers.
    pub growth_question: usize,
    pub what: String,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub due_date: Option<NaiveDate>,
    /// Hours of work (default 1).
    pub effort_hours: Option<f64>,
}

/// Adds a follow-through item: a commitment on the manager's plate, private to the pair,
/// that joins their 1:1s when the cycle is shared.
pub async fn add_follow_through(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: ReviewId,
    input: &FollowThroughInput,
    now: i64,
) -> CoreResult<crate::ids::CommitmentId> {
    let view = show(store, viewer, id, local_date(None, now)).await?;
    manager_may_write(&view, viewer, false)?;
    let me = viewer.person_id();
    let zone = store.person(me).await?.and_then(|p| p.time_zone);
    let today = local_date(zone.as_deref(), now);
    let mut errors = Vec::new();
    if input.growth_question >= GROWTH_QUESTIONS.len() {
        errors.push(FieldError::new(
            "growth_question",
            "0, 1 or 2: one of the three growth questions",
        ));
    }
    let what = input.what.trim();
    if what.is_empty() || what.chars().count() > 200 {
        errors.push(FieldError::new(
            "what",
            "say what you will do, in 1 to 200 characters",
        ));
    }
    match input.due_date {
        None => errors.push(FieldError::new(
            "due_date",
            "give the date you will have done it by",
        )),
        Some(d) if d < today => errors.push(FieldError::new(
            "due_date",
            format!("{d} is before today ({today})"),
        )),
        Some(_) => {}
    }
    let effort = input.effort_hours.unwrap_or(1.0);
    if !(effort > 0.0 && effort <= 2000.0) {
        errors.push(FieldError::new(
            "effort_hours",
            "give more than 0 and at most 2,000 hours",
        ));
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let mut work = store.begin_review_write().await?;
    let commitment = work
        .create_commitment(&NewCommitment {
            title: what.to_string(),
            description: format!(
                "Follow-through from {} for {}: {}",
                view.cycle.name, view.review.reviewee.name, GROWTH_QUESTIONS[input.growth_question]
            ),
            owner: me,
            requester: Some(me),
            objective: None,
            due_date: input.due_date.unwrap_or(today),
            effort_hours: effort,
            skills: Vec::new(),
            created_at: now,
            created_on: today,
        })
        .await?;
    // Private to the manager's own context until the cycle is shared: it must not show the
    // reviewee their review early, nor the manager's teammates anything.
    work.add_follow_through(id, input.growth_question, commitment, me)
        .await?;
    work.commit().await?;
    Ok(commitment)
}

/// The next role a review names, for the reviewee's career plan.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = NextStepRequest))]
#[serde(deny_unknown_fields)]
pub struct NextStepInput {
    pub target_role: String,
}

/// Writes the next step a shared review names onto the reviewee's career plan, noted in
/// the plan's history with the cycle it came from. The manager side does this (the
/// reviewee edits their plan themselves); not before sharing, which would reveal the review.
pub async fn set_next_step(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: ReviewId,
    input: &NextStepInput,
    now: i64,
) -> CoreResult<()> {
    let view = show(store, viewer, id, local_date(None, now)).await?;
    let reviewee = view.review.reviewee.id;
    if reviewee == viewer.person_id() {
        return Err(CoreError::Forbidden(
            "take a review's next step to your plan: your career plan is yours to edit on its page"
                .into(),
        ));
    }
    if !matches!(view.cycle.state, CycleState::Shared | CycleState::Closed) {
        return Err(CoreError::Conflict(
            "the next step goes on the career plan once the cycle is shared: before, it would reveal the review"
                .into(),
        ));
    }
    let role = input.target_role.trim();
    if role.is_empty() || role.chars().count() > 200 {
        return Err(CoreError::field(
            "target_role",
            "name the next role in 1 to 200 characters",
        ));
    }
    let mut fields = store
        .career_plan(reviewee)
        .await?
        .map(|p| p.fields)
        .unwrap_or_default();
    fields.target_role = role.to_string();
    crate::growth::career::save_noting(
        store,
        viewer,
        reviewee,
        &fields,
        now,
        &format!("Next step from {}: {role}", view.cycle.name),
    )
    .await
}

/// What a person has to do and read in review cycles.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyReviews {
    /// Their own reviews, newest cycle first.
    pub mine: Vec<ReviewEntry>,
    /// Reviews they write as the manager.
    pub to_write: Vec<ReviewEntry>,
    /// Follow-through items of theirs still open, from every cycle.
    pub open_follow_through: Vec<OpenFollowThrough>,
}

/// A review with its cycle.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviewEntry {
    pub cycle: Cycle,
    pub review: Review,
}

/// An open follow-through item, with whom it is for.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenFollowThrough {
    pub reviewee: crate::ids::PersonName,
    #[serde(flatten)]
    pub item: FollowThrough,
}

pub async fn mine(store: &dyn ReviewStore, viewer: &Viewer) -> CoreResult<MyReviews> {
    let me = viewer.person_id();
    let mut out = MyReviews {
        mine: Vec::new(),
        to_write: Vec::new(),
        open_follow_through: Vec::new(),
    };
    for r in store.reviews_involving(me).await? {
        let Some(cycle) = store.cycle(r.cycle).await? else {
            continue;
        };
        if r.reviewee.id == me {
            let mut r = r;
            as_the_reviewee_sees(&cycle, &mut r);
            out.mine.push(ReviewEntry { cycle, review: r });
        } else {
            for f in r.follow_through.iter().filter(|f| f.open) {
                out.open_follow_through.push(OpenFollowThrough {
                    reviewee: r.reviewee.clone(),
                    item: f.clone(),
                });
            }
            out.to_write.push(ReviewEntry { cycle, review: r });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(scale: &[&str], self_review: bool) -> Question {
        Question {
            text: "Q".into(),
            scale: scale.iter().map(|s| s.to_string()).collect(),
            in_self_review: self_review,
            in_manager_review: true,
            private: false,
        }
    }

    #[test]
    fn answers_keep_to_the_form() {
        let rating = q(&["Low", "Mid", "High"], true);
        let words = q(&[], true);
        let form = [(0, &rating), (1, &words)];
        let input = |answers: Vec<Answer>, submit| AnswersInput { answers, submit };
        let ok = input(
            vec![
                Answer {
                    question: 0,
                    rating: Some(3),
                    text: String::new(),
                },
                Answer {
                    question: 1,
                    rating: None,
                    text: " Fine ".into(),
                },
            ],
            true,
        );
        assert_eq!(checked_answers(&form, &ok).unwrap()[1].text, "Fine");
        let bad = input(
            vec![
                Answer {
                    question: 0,
                    rating: Some(4),
                    text: String::new(),
                },
                Answer {
                    question: 7,
                    rating: None,
                    text: "x".into(),
                },
            ],
            true,
        );
        let errors = checked_answers(&form, &bad).unwrap_err();
        assert!(
            errors[0]
                .message
                .contains("a rating from 1 to 3 (Low to High), not 4"),
            "{errors:?}"
        );
        assert!(errors[1].message.contains("question 7 is not on this form"));
        assert!(
            errors.iter().any(|e| e.field == "question 1"),
            "unanswered on submit: {errors:?}"
        );
        assert!(
            checked_answers(&form, &input(vec![], false)).is_ok(),
            "a draft may be empty"
        );
    }
}
