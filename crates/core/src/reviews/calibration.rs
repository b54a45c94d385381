//! Calibration: once an admin opens it, manager reviews are locked and calibrators — people
//! admins, and managers for their own tree when the cycle allows it — see the manager
//! ratings side by side, change one with a reason (kept with who and when; the manager's
//! original stays visible to them), compare the distribution with the cycle's guidance, and
//! place people on a 9-box of performance and potential. Ratings and boxes are the manager
//! chain's and admins'; the reviewee reads only the ratings as shared.

use super::cycles::load;
use super::store::ReviewStore;
use super::*;
use crate::access::Viewer;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::PersonId;
use std::collections::{BTreeSet, HashSet};

/// The longest reason for a change, in characters.
pub const MAX_REASON: usize = 500;

/// A question the manager rates on a scale: the only kind calibration works with.
fn rating_question(questions: &[Question], i: usize) -> Option<&Question> {
    questions
        .get(i)
        .filter(|q| !q.scale.is_empty() && q.in_manager_review)
}

/// Checks a cycle's calibration settings against its questions.
pub fn settings_errors(questions: &[Question], s: &CalibrationSettings) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (field, q) in [
        ("calibration.performance_question", s.performance_question),
        ("calibration.potential_question", s.potential_question),
    ] {
        if let Some(i) = q
            && rating_question(questions, i).is_none()
        {
            errors.push(FieldError::new(
                field,
                format!(
                    "question {} is not a rating question of the manager review",
                    i + 1
                ),
            ));
        }
    }
    if s.performance_question.is_some() && s.performance_question == s.potential_question {
        errors.push(FieldError::new(
            "calibration.potential_question",
            "performance and potential are two different questions",
        ));
    }
    if !s.guidance.is_empty() {
        match s
            .performance_question
            .and_then(|i| rating_question(questions, i))
        {
            None => errors.push(FieldError::new(
                "calibration.guidance",
                "guidance is for the performance question: choose it first",
            )),
            Some(q) if q.scale.len() != s.guidance.len() => errors.push(FieldError::new(
                "calibration.guidance",
                format!(
                    "give one share per label of the performance scale: {}, not {}",
                    q.scale.len(),
                    s.guidance.len()
                ),
            )),
            Some(_) => {
                let sum: u32 = s.guidance.iter().map(|&g| u32::from(g)).sum();
                if sum != 100 {
                    errors.push(FieldError::new(
                        "calibration.guidance",
                        format!("the shares add up to {sum} %, not 100 %"),
                    ));
                }
            }
        }
    }
    errors
}

/// Where a rating sits on one side of the 9-box: 0 low, 1 moderate, 2 high. Scales split
/// symmetrically: 1–2 / 3 / 4–5 on five labels, 1 / 2–3 / 4 on four, 1 / – / 2 on two.
pub fn third(rating: u8, scale_len: usize) -> u8 {
    let n = scale_len.max(1);
    let r = usize::from(rating.max(1)) - 1;
    ((r * 3 + 1) / n).min(2) as u8
}

/// A person's place on the 9-box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Placement {
    /// 0 low, 1 moderate, 2 high.
    pub performance: u8,
    pub potential: u8,
    /// Placed by a calibrator's move rather than by the ratings.
    pub moved: bool,
}

/// The 9-box place of a review: the latest move, else where its two ratings put it.
pub fn placement(cycle: &Cycle, review: &Review) -> Option<Placement> {
    let last_move = review
        .box_moves
        .last()
        .map(|m| (m.performance, m.potential));
    place(cycle, &review.manager_answers, last_move)
}

/// The 9-box place of a review from its parts (see [`placement`]).
pub fn place(
    cycle: &Cycle,
    manager_answers: &[Answer],
    last_move: Option<(u8, u8)>,
) -> Option<Placement> {
    if let Some((performance, potential)) = last_move {
        return Some(Placement {
            performance,
            potential,
            moved: true,
        });
    }
    let side = |q: Option<usize>| {
        let i = q?;
        let question = rating_question(&cycle.questions, i)?;
        let rating = manager_answers.iter().find(|a| a.question == i)?.rating?;
        Some(third(rating, question.scale.len()))
    };
    Some(Placement {
        performance: side(cycle.calibration.performance_question)?,
        potential: side(cycle.calibration.potential_question)?,
        moved: false,
    })
}

/// Narrows the calibration view; filters only ever narrow.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::IntoParams),
    into_params(parameter_in = Query)
)]
pub struct CalibrationFilter {
    /// A team (department) name, as at launch.
    pub team: Option<String>,
    /// A manager's person id: everyone under them, at any depth.
    pub manager: Option<i64>,
    /// A job level name, as at launch.
    pub level: Option<String>,
}

/// A rating question, as a column of the view.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingColumn {
    pub question: usize,
    pub text: String,
    pub scale: Vec<String>,
}

/// One reviewee in the calibration view.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalibrationRow {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub review: ReviewId,
    pub reviewee: PersonName,
    pub manager: Option<PersonName>,
    pub team: Option<String>,
    pub level: Option<String>,
    /// The manager review is handed in.
    pub submitted: bool,
    /// The rating now, per column.
    pub ratings: Vec<Option<u8>>,
    /// The manager's own rating, per column, where calibration changed it.
    pub original: Vec<Option<u8>>,
    pub changes: Vec<RatingChange>,
    pub placement: Option<Placement>,
    pub box_moves: Vec<BoxMove>,
}

/// The performance question's ratings beside the guidance.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Distribution {
    pub labels: Vec<String>,
    /// Percent per label; empty when the cycle gives no guidance.
    pub guidance: Vec<u8>,
    /// People per label.
    pub actual: Vec<usize>,
    pub rated: usize,
}

/// The calibration view of a cycle for one calibrator.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalibrationView {
    pub cycle: Cycle,
    pub columns: Vec<RatingColumn>,
    pub rows: Vec<CalibrationRow>,
    pub distribution: Option<Distribution>,
    /// The cycle names both 9-box questions.
    pub nine_box: bool,
    /// Ratings and boxes can change now (the cycle is in calibration).
    pub can_change: bool,
    /// Filter choices, from every row the viewer may calibrate.
    pub teams: Vec<String>,
    pub managers: Vec<PersonName>,
    pub levels: Vec<String>,
}

/// The reviewees a viewer may calibrate in a cycle: everyone for admins, their tree for
/// managers when the cycle lets managers calibrate (never their own review).
async fn calibrates(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    cycle: &Cycle,
) -> CoreResult<Option<HashSet<PersonId>>> {
    if viewer.may_administer() {
        return Ok(None);
    }
    if !cycle.calibration.managers_calibrate || !viewer.has_reports() {
        return Err(CoreError::Forbidden(
            "calibrate this cycle: people admins do (and managers for their tree when the cycle allows it)"
                .into(),
        ));
    }
    let me = viewer.person_id();
    let tree = store.tree_members(me).await?;
    Ok(Some(
        tree.into_iter()
            .map(|m| m.id)
            .filter(|&p| p != me)
            .collect(),
    ))
}

fn row(cycle: &Cycle, columns: &[RatingColumn], r: Review) -> CalibrationRow {
    let rating = |q: usize| {
        r.manager_answers
            .iter()
            .find(|a| a.question == q)
            .and_then(|a| a.rating)
    };
    let original = |q: usize| {
        r.rating_changes
            .iter()
            .find(|c| c.question == q)
            .and_then(|c| c.from)
    };
    CalibrationRow {
        review: r.id,
        ratings: columns.iter().map(|c| rating(c.question)).collect(),
        original: columns.iter().map(|c| original(c.question)).collect(),
        placement: placement(cycle, &r),
        submitted: r.manager_submitted_at.is_some(),
        reviewee: r.reviewee,
        manager: r.manager,
        team: r.team,
        level: r.level,
        changes: r.rating_changes,
        box_moves: r.box_moves,
    }
}

/// The calibration view: the ratings of everyone the viewer calibrates, narrowed by the
/// filter, with the distribution and 9-box places.
pub async fn view(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: CycleId,
    filter: &CalibrationFilter,
) -> CoreResult<CalibrationView> {
    let cycle = load(store, id).await?;
    let scope = calibrates(store, viewer, &cycle).await?;
    if cycle.state == CycleState::Draft {
        return Err(CoreError::Conflict(
            "this cycle has not started: there is nothing to calibrate yet".into(),
        ));
    }
    let columns: Vec<RatingColumn> = cycle
        .questions
        .iter()
        .enumerate()
        .filter(|(i, _)| rating_question(&cycle.questions, *i).is_some())
        .map(|(i, q)| RatingColumn {
            question: i,
            text: q.text.clone(),
            scale: q.scale.clone(),
        })
        .collect();
    // Statuses first (who, team, level, manager), whole reviews only for the rows shown.
    let statuses: Vec<Review> = store
        .review_statuses(id)
        .await?
        .into_iter()
        .filter(|r| scope.as_ref().is_none_or(|s| s.contains(&r.reviewee.id)))
        .collect();
    let teams: BTreeSet<String> = statuses.iter().filter_map(|r| r.team.clone()).collect();
    let levels: BTreeSet<String> = statuses.iter().filter_map(|r| r.level.clone()).collect();
    let mut managers: Vec<PersonName> = Vec::new();
    for m in statuses.iter().filter_map(|r| r.manager.as_ref()) {
        if !managers.iter().any(|x| x.id == m.id) {
            managers.push(m.clone());
        }
    }
    managers.sort_by(|a, b| a.name.cmp(&b.name));
    // A manager's filter takes in their whole tree: a department calibrates together.
    let under: Option<HashSet<PersonId>> = match filter.manager {
        Some(m) => Some(
            store
                .tree_members(PersonId(m))
                .await?
                .into_iter()
                .map(|t| t.id)
                .filter(|&p| p != PersonId(m))
                .collect(),
        ),
        None => None,
    };
    let shown: Vec<ReviewId> = statuses
        .iter()
        .filter(|r| {
            filter
                .team
                .as_ref()
                .is_none_or(|t| r.team.as_ref() == Some(t))
        })
        .filter(|r| {
            filter
                .level
                .as_ref()
                .is_none_or(|l| r.level.as_ref() == Some(l))
        })
        .filter(|r| under.as_ref().is_none_or(|u| u.contains(&r.reviewee.id)))
        .map(|r| r.id)
        .collect();
    let rows: Vec<CalibrationRow> = store
        .reviews_among(id, &shown)
        .await?
        .into_iter()
        .map(|r| row(&cycle, &columns, r))
        .collect();
    let distribution = cycle.calibration.performance_question.and_then(|q| {
        let column = columns.iter().position(|c| c.question == q)?;
        let labels = columns[column].scale.clone();
        let mut actual = vec![0; labels.len()];
        for r in &rows {
            if let Some(rating) = r.ratings[column]
                && let Some(n) = actual.get_mut(usize::from(rating) - 1)
            {
                *n += 1;
            }
        }
        Some(Distribution {
            rated: actual.iter().sum(),
            guidance: cycle.calibration.guidance.clone(),
            labels,
            actual,
        })
    });
    Ok(CalibrationView {
        nine_box: cycle.calibration.performance_question.is_some()
            && cycle.calibration.potential_question.is_some(),
        can_change: cycle.state == CycleState::Calibration,
        columns,
        rows,
        distribution,
        teams: teams.into_iter().collect(),
        managers,
        levels: levels.into_iter().collect(),
        cycle,
    })
}

/// Opens calibration: manager reviews lock and calibrators may change ratings and boxes.
/// Returns how many manager reviews were not handed in.
pub async fn open(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: CycleId,
    now: i64,
) -> CoreResult<usize> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "open calibration: people admins do".into(),
        ));
    }
    open_as(store, viewer.actor(), id, now).await
}

/// Opens calibration for a people admin, or by itself on its day (`actor` none).
pub(super) async fn open_as(
    store: &dyn ReviewStore,
    actor: Option<crate::ids::PersonId>,
    id: CycleId,
    now: i64,
) -> CoreResult<usize> {
    let cycle = load(store, id).await?;
    if cycle.state != CycleState::Launched {
        return Err(CoreError::Conflict(match cycle.state {
            CycleState::Draft => "launch this cycle before calibrating it".into(),
            CycleState::Calibration => "calibration is already open".into(),
            _ => "this cycle was shared: its ratings are locked".into(),
        }));
    }
    let missing = store
        .review_statuses(id)
        .await?
        .iter()
        .filter(|r| r.manager.is_some() && r.manager_submitted_at.is_none())
        .count();
    let mut work = store.begin_review_write().await?;
    if !work
        .set_cycle_state(id, CycleState::Launched, CycleState::Calibration, now)
        .await?
    {
        return Err(CoreError::Conflict(
            "this cycle changed a moment ago; reload it".into(),
        ));
    }
    work.audit(&crate::audit::AuditEntry {
        at: now,
        actor,
        action: "review_cycle.calibrate".into(),
        subject: format!("review cycle {id}"),
        detail: format!("{}: {missing} manager reviews not handed in", cycle.name),
    })
    .await?;
    work.commit().await?;
    Ok(missing)
}

/// A calibrator's change of one manager rating.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RatingChangeRequest))]
#[serde(deny_unknown_fields)]
pub struct RatingChangeInput {
    /// The question, by its place in the cycle.
    pub question: usize,
    /// The new rating, 1 = the scale's first label.
    pub rating: u8,
    pub reason: String,
}

/// A calibrator's move on the 9-box.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = BoxMoveRequest))]
#[serde(deny_unknown_fields)]
pub struct BoxMoveInput {
    /// 0 low, 1 moderate, 2 high.
    pub performance: u8,
    pub potential: u8,
    pub reason: String,
}

/// The review and cycle a calibrator may change now.
async fn changeable(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: ReviewId,
) -> CoreResult<(Cycle, Review)> {
    let not_found = || CoreError::NotFound(format!("review {id}"));
    let review = store.review(id).await?.ok_or_else(not_found)?;
    let cycle = load(store, review.cycle).await?;
    let scope = match calibrates(store, viewer, &cycle).await {
        Ok(scope) => scope,
        // Someone who may not calibrate learns nothing about the review.
        Err(_) => return Err(not_found()),
    };
    if scope.is_some_and(|s| !s.contains(&review.reviewee.id)) {
        return Err(not_found());
    }
    if cycle.state != CycleState::Calibration {
        return Err(CoreError::Conflict(match cycle.state {
            CycleState::Draft | CycleState::Launched => {
                "calibration is not open: an admin opens it on the cycle's page".into()
            }
            _ => "this cycle was shared: its ratings are locked".into(),
        }));
    }
    Ok((cycle, review))
}

fn checked_reason(reason: &str) -> CoreResult<String> {
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > MAX_REASON {
        return Err(CoreError::field(
            "reason",
            format!("say why in 1 to {MAX_REASON} characters: the manager and calibrators read it"),
        ));
    }
    Ok(reason.to_string())
}

/// Changes a manager rating in calibration, keeping the change with its reason.
pub async fn change_rating(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: ReviewId,
    input: &RatingChangeInput,
    now: i64,
) -> CoreResult<()> {
    let (cycle, review) = changeable(store, viewer, id).await?;
    let Some(question) = rating_question(&cycle.questions, input.question) else {
        return Err(CoreError::field(
            "question",
            format!(
                "question {} is not a rating question of the manager review",
                input.question + 1
            ),
        ));
    };
    if input.rating == 0 || usize::from(input.rating) > question.scale.len() {
        return Err(CoreError::field(
            "rating",
            format!(
                "rate from 1 to {} on this question's scale",
                question.scale.len()
            ),
        ));
    }
    let reason = checked_reason(&input.reason)?;
    if review.manager_submitted_at.is_none() {
        return Err(CoreError::Conflict(
            "the manager review was not handed in: there is no rating to calibrate".into(),
        ));
    }
    let mut answers = review.manager_answers.clone();
    let from = answers
        .iter()
        .find(|a| a.question == input.question)
        .and_then(|a| a.rating);
    if from == Some(input.rating) {
        return Err(CoreError::field(
            "rating",
            format!(
                "the rating is already {}",
                question.scale[usize::from(input.rating) - 1]
            ),
        ));
    }
    match answers.iter_mut().find(|a| a.question == input.question) {
        Some(a) => a.rating = Some(input.rating),
        None => answers.push(Answer {
            question: input.question,
            rating: Some(input.rating),
            text: String::new(),
        }),
    }
    let change = RatingChange {
        question: input.question,
        from,
        to: input.rating,
        reason,
        by: None,
        at: now,
    };
    let mut work = store.begin_review_write().await?;
    work.save_manager_review(id, &answers, review.manager_submitted_at)
        .await?;
    work.record_rating_change(id, &change, viewer.person_id())
        .await?;
    work.audit(&crate::audit::AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "review.calibrate".into(),
        subject: format!("review {id}"),
        detail: format!(
            "question {}: {:?} → {}",
            input.question + 1,
            from,
            input.rating
        ),
    })
    .await?;
    work.commit().await
}

/// Moves someone on the 9-box, keeping the move with its reason.
pub async fn move_box(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: ReviewId,
    input: &BoxMoveInput,
    now: i64,
) -> CoreResult<()> {
    let (cycle, review) = changeable(store, viewer, id).await?;
    if cycle.calibration.performance_question.is_none()
        || cycle.calibration.potential_question.is_none()
    {
        return Err(CoreError::Conflict(
            "this cycle has no 9-box: it names no performance and potential questions".into(),
        ));
    }
    for (field, v) in [
        ("performance", input.performance),
        ("potential", input.potential),
    ] {
        if v > 2 {
            return Err(CoreError::field(
                field,
                "choose 0 (low), 1 (moderate) or 2 (high)",
            ));
        }
    }
    let reason = checked_reason(&input.reason)?;
    if placement(&cycle, &review)
        .is_some_and(|p| (p.performance, p.potential) == (input.performance, input.potential))
    {
        return Err(CoreError::field(
            "performance",
            "they are in that box already",
        ));
    }
    let moved = BoxMove {
        performance: input.performance,
        potential: input.potential,
        reason,
        by: None,
        at: now,
    };
    let mut work = store.begin_review_write().await?;
    work.record_box_move(id, &moved, viewer.person_id()).await?;
    work.audit(&crate::audit::AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "review.nine_box".into(),
        subject: format!("review {id}"),
        detail: format!(
            "performance {}, potential {}",
            input.performance, input.potential
        ),
    })
    .await?;
    work.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_split_into_three_symmetric_bands() {
        let bands = |n: usize| (1..=n as u8).map(|r| third(r, n)).collect::<Vec<_>>();
        assert_eq!(bands(5), [0, 0, 1, 2, 2]);
        assert_eq!(bands(4), [0, 1, 1, 2]);
        assert_eq!(bands(3), [0, 1, 2]);
        assert_eq!(bands(2), [0, 2]);
        assert_eq!(bands(7), [0, 0, 1, 1, 1, 2, 2]);
        assert_eq!(bands(6), [0, 0, 1, 1, 2, 2]);
    }

    fn rating(text: &str, labels: usize) -> Question {
        Question {
            text: text.into(),
            scale: (1..=labels).map(|i| format!("L{i}")).collect(),
            in_self_review: false,
            in_manager_review: true,
            private: false,
        }
    }

    #[test]
    fn settings_name_rating_questions_and_guidance_adds_to_100() {
        let mut words = rating("Words", 0);
        words.scale.clear();
        let qs = vec![rating("Performance", 5), rating("Potential", 3), words];
        let ok = CalibrationSettings {
            performance_question: Some(0),
            potential_question: Some(1),
            guidance: vec![10, 20, 40, 20, 10],
            managers_calibrate: true,
        };
        assert!(settings_errors(&qs, &ok).is_empty());
        let bad = CalibrationSettings {
            performance_question: Some(2),
            potential_question: Some(2),
            guidance: vec![50, 40],
            managers_calibrate: false,
        };
        let fields: Vec<String> = settings_errors(&qs, &bad)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "calibration.performance_question",
                "calibration.potential_question",
                "calibration.potential_question",
                "calibration.guidance"
            ]
        );
        let short = CalibrationSettings {
            guidance: vec![10, 20, 40, 20, 5],
            ..ok
        };
        assert_eq!(
            settings_errors(&qs, &short)[0].message,
            "the shares add up to 95 %, not 100 %"
        );
    }
}
