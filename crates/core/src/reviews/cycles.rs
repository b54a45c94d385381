//! A cycle's life, for people admins: drafting (every field checked, every problem at
//! once), launching (a review for everyone in scope, with their manager then), sharing
//! (reviews locked; follow-through items join the pair's 1:1s), closing, and progress.

use super::store::{NewCycle, NewReview, ReviewStore};
use super::*;
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::PersonId;
use crate::notify::{Notification, Topic};
use std::collections::BTreeMap;

/// A cycle as filled in.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CycleRequest))]
#[serde(deny_unknown_fields)]
pub struct CycleInput {
    pub name: String,
    pub scope: Scope,
    /// The cycle's own questions; the three growth questions are always added.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Leave out for no self review.
    pub self_review_due: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub manager_review_due: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub share_on: Option<NaiveDate>,
    /// The 9-box's questions, distribution guidance, managers calibrating.
    #[serde(default)]
    pub calibration: CalibrationSettings,
    /// Peer and upward reviews; none when left out.
    #[serde(default)]
    pub feedback: FeedbackSettings,
    /// Steps that open later than the launch.
    #[serde(default)]
    pub opens: StepOpenings,
}

fn admin(viewer: &Viewer) -> CoreResult<()> {
    if viewer.may_administer() {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "run review cycles: people admins do".into(),
        ))
    }
}

/// Checks a cycle: the name, the scope, every question, the deadlines in order.
pub fn checked(
    input: &CycleInput,
    today: NaiveDate,
    viewer: PersonId,
    now: i64,
) -> Result<NewCycle, Vec<FieldError>> {
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        errors.push(FieldError::new(
            "name",
            "give the cycle a name of 1 to 120 characters",
        ));
    }
    if let Scope::People { people } = &input.scope
        && people.is_empty()
    {
        errors.push(FieldError::new(
            "scope",
            "name at least one person to review",
        ));
    }
    if input.questions.len() > MAX_QUESTIONS {
        errors.push(FieldError::new(
            "questions",
            format!("a cycle asks at most {MAX_QUESTIONS} questions of its own"),
        ));
    }
    for (i, q) in input.questions.iter().enumerate() {
        errors.extend(super::checks::question_errors(i, q));
    }
    let manager = match input.manager_review_due {
        None => {
            errors.push(FieldError::new(
                "manager_review_due",
                "give the manager review's deadline: every cycle has one",
            ));
            None
        }
        Some(d) if d < today => {
            errors.push(FieldError::new(
                "manager_review_due",
                format!("{d} is in the past"),
            ));
            None
        }
        Some(d) => Some(d),
    };
    if let Some(s) = input.self_review_due {
        if s < today {
            errors.push(FieldError::new(
                "self_review_due",
                format!("{s} is in the past"),
            ));
        } else if manager.is_some_and(|m| s > m) {
            errors.push(FieldError::new(
                "self_review_due",
                "the self review is due on or before the manager review",
            ));
        }
    }
    let share = match input.share_on {
        None => {
            errors.push(FieldError::new(
                "share_on",
                "give the day reviews are shared: every cycle shares them",
            ));
            None
        }
        Some(d) if manager.is_some_and(|m| d < m) => {
            errors.push(FieldError::new(
                "share_on",
                "reviews are shared on or after the manager review's deadline",
            ));
            None
        }
        Some(d) => Some(d),
    };
    errors.extend(super::calibration::settings_errors(
        &input.questions,
        &input.calibration,
    ));
    errors.extend(super::checks::step_errors(input, today, manager, share));
    match (errors.is_empty(), manager, share) {
        (true, Some(manager_review_due), Some(share_on)) => Ok(NewCycle {
            name: name.to_string(),
            scope: input.scope.clone(),
            questions: input
                .questions
                .iter()
                .map(|q| Question {
                    text: q.text.trim().to_string(),
                    scale: q.scale.iter().map(|l| l.trim().to_string()).collect(),
                    ..q.clone()
                })
                .collect(),
            self_review_due: input.self_review_due,
            manager_review_due,
            share_on,
            calibration: input.calibration.clone(),
            feedback: input.feedback.clone(),
            opens: input.opens.clone(),
            created_by: viewer,
            created_at: now,
        }),
        _ => Err(errors),
    }
}

fn today(now: i64) -> NaiveDate {
    local_date(None, now)
}

/// Drafts a cycle.
pub async fn create(
    store: &dyn crate::Store,
    viewer: &Viewer,
    input: &CycleInput,
    now: i64,
) -> CoreResult<CycleId> {
    admin(viewer)?;
    check_group(store, &input.scope).await?;
    let new = checked(input, today(now), viewer.person_id(), now).map_err(CoreError::Invalid)?;
    let mut work = store.begin_review_write().await?;
    let id = work.create_cycle(&new).await?;
    work.audit(&crate::audit::AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "review_cycle.create".into(),
        subject: format!("review cycle {id}"),
        detail: new.name.clone(),
    })
    .await?;
    work.commit().await?;
    Ok(id)
}

/// A cycle for a group names one that exists.
async fn check_group(store: &dyn crate::Store, scope: &Scope) -> CoreResult<()> {
    if let Scope::Group { group_id } = scope
        && store.group(*group_id).await?.is_none()
    {
        return Err(CoreError::field(
            "scope",
            format!("there is no group {group_id}"),
        ));
    }
    Ok(())
}

/// Changes a draft.
pub async fn update(
    store: &dyn crate::Store,
    viewer: &Viewer,
    id: CycleId,
    input: &CycleInput,
    now: i64,
) -> CoreResult<()> {
    admin(viewer)?;
    check_group(store, &input.scope).await?;
    load(store, id).await?;
    let new = checked(input, today(now), viewer.person_id(), now).map_err(CoreError::Invalid)?;
    let mut work = store.begin_review_write().await?;
    if !work.update_cycle(id, &new).await? {
        return Err(CoreError::Conflict(
            "this cycle is launched; its questions and steps are fixed".into(),
        ));
    }
    work.commit().await
}

pub(super) async fn load(store: &dyn ReviewStore, id: CycleId) -> CoreResult<Cycle> {
    store
        .cycle(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("review cycle {id}")))
}

/// What a launch did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Launched {
    pub reviews: usize,
    /// Peer and upward reviews created.
    pub feedback: usize,
    /// What the feedback step could not do, in words.
    pub warnings: Vec<String>,
}

/// Launches a draft: a review for everyone its scope covers now, with their manager, and
/// the feedback step's 360s.
pub async fn launch(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: CycleId,
    now: i64,
) -> CoreResult<Launched> {
    admin(viewer)?;
    let cycle = load(store, id).await?;
    if cycle.state != CycleState::Draft {
        return Err(CoreError::Conflict(
            "this cycle was already launched".into(),
        ));
    }
    if cycle.manager_review_due < today(now) {
        return Err(CoreError::field(
            "manager_review_due",
            "the manager review's deadline has passed; change it before launching",
        ));
    }
    let people = store.people_in_scope(&cycle.scope).await?;
    if people.is_empty() {
        return Err(CoreError::field(
            "scope",
            "nobody active is in this cycle's scope",
        ));
    }
    let everyone = if cycle.feedback.upward && cycle.scope != Scope::Everyone {
        store.people_in_scope(&Scope::Everyone).await?
    } else {
        Vec::new()
    };
    // The organisation's threshold now, fixed in the cycle's 360s for good.
    let k = store.settings().await?.anonymity_k_360.max(2);
    let reviews: Vec<NewReview> = people
        .iter()
        .map(|p| NewReview {
            reviewee: p.person,
            manager: p.manager,
            team: p.team.clone(),
            level: p.level.clone(),
        })
        .collect();
    let mut work = store.begin_review_write().await?;
    if !work
        .set_cycle_state(id, CycleState::Draft, CycleState::Launched, now)
        .await?
    {
        return Err(CoreError::Conflict(
            "this cycle was launched a moment ago".into(),
        ));
    }
    let ids = work.create_reviews(id, &reviews).await?;
    let everyone = if everyone.is_empty() {
        &people
    } else {
        &everyone
    };
    let feedback = super::feedback::plan(&cycle, &ids, everyone, k, viewer.actor(), now);
    work.create_cycle_feedback(&feedback.assessments).await?;
    work.notify_all(&launch_notes(&cycle, &people, &feedback, today(now), now))
        .await?;
    work.audit(&crate::audit::AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "review_cycle.launch".into(),
        subject: format!("review cycle {id}"),
        detail: format!(
            "{}: {} reviews, {} peer and upward reviews",
            cycle.name,
            reviews.len(),
            feedback.assessments.len()
        ),
    })
    .await?;
    work.commit().await?;
    let mut warnings = Vec::new();
    if feedback.too_few_reports > 0 {
        warnings.push(format!(
            "{} manager{} fewer than {k} direct reports: no upward reviews for them, as their answers could never be shown",
            feedback.too_few_reports,
            if feedback.too_few_reports == 1 { " has" } else { "s have" }
        ));
    }
    if cycle.feedback.peers == PeerReviews::Anonymous && cycle.feedback.max_peers < k as u8 {
        warnings.push(format!(
            "at most {} peers each, fewer than {k}: anonymous peer reviews will never be shown",
            cycle.feedback.max_peers
        ));
    }
    Ok(Launched {
        reviews: reviews.len(),
        feedback: feedback.assessments.len(),
        warnings,
    })
}

/// Who a launch tells what: each step open now says so, a step opening later says when.
fn launch_notes(
    cycle: &Cycle,
    people: &[super::store::InScope],
    feedback: &super::feedback::FeedbackPlan,
    today: NaiveDate,
    now: i64,
) -> Vec<Notification> {
    let link = "/reviews".to_string();
    let when = |opens: Option<NaiveDate>| match opens.filter(|d| *d > today) {
        Some(d) => format!(" (it opens on {})", d.format("%-d %B")),
        None => String::new(),
    };
    let mut notes = Vec::new();
    if let Some(due) = cycle.self_review_due {
        for p in people {
            notes.push(Notification::new(
                p.person,
                Topic::ReviewDue,
                format!(
                    "{} has started: write your self review by {}{}.",
                    cycle.name,
                    due.format("%-d %B"),
                    when(cycle.opens.self_review)
                ),
                link.clone(),
                now,
            ));
        }
    }
    let mut per_manager: BTreeMap<PersonId, usize> = BTreeMap::new();
    for p in people {
        if let Some(m) = p.manager {
            *per_manager.entry(m).or_default() += 1;
        }
    }
    for (manager, n) in per_manager {
        notes.push(Notification::new(
            manager,
            Topic::ReviewDue,
            format!(
                "{} has started: {n} manager review{} to write by {}{}.",
                cycle.name,
                if n == 1 { "" } else { "s" },
                cycle.manager_review_due.format("%-d %B"),
                when(cycle.opens.manager_review)
            ),
            link.clone(),
            now,
        ));
    }
    if cycle.feedback.peers != PeerReviews::Off
        && cycle.feedback.nominated_by == Nominator::Reviewee
        && let Some(due) = cycle.feedback.nominations_due
    {
        for p in people {
            notes.push(Notification::new(
                p.person,
                Topic::ReviewDue,
                format!(
                    "{}: name up to {} colleagues to review you, by {}.",
                    cycle.name,
                    cycle.feedback.max_peers,
                    due.format("%-d %B")
                ),
                link.clone(),
                now,
            ));
        }
    }
    for a in feedback.assessments.iter().filter(|a| !a.raters.is_empty()) {
        for (rater, _) in &a.raters {
            notes.push(Notification::new(
                *rater,
                Topic::ReviewDue,
                format!(
                    "{}: review your manager, anonymously, by {}{}.",
                    cycle.name,
                    a.due_on.format("%-d %B"),
                    when(cycle.opens.feedback)
                ),
                "/assessments".to_string(),
                now,
            ));
        }
    }
    notes
}

/// Shares a launched cycle: every review is locked and its reviewee reads it; the
/// follow-through items join the pair's 1:1s and come back there until done.
pub async fn share(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: CycleId,
    now: i64,
) -> CoreResult<()> {
    admin(viewer)?;
    share_as(store, viewer.actor(), id, now).await
}

/// Shares a cycle for a people admin, or by itself on its sharing day (`actor` none).
pub(super) async fn share_as(
    store: &dyn ReviewStore,
    actor: Option<PersonId>,
    id: CycleId,
    now: i64,
) -> CoreResult<()> {
    let cycle = load(store, id).await?;
    let from = cycle.state;
    if !matches!(from, CycleState::Launched | CycleState::Calibration) {
        return Err(CoreError::Conflict(match cycle.state {
            CycleState::Draft => "launch this cycle before sharing it".into(),
            _ => "this cycle was already shared".into(),
        }));
    }
    let reviews = store.reviews_of_cycle(id).await?;
    let mut links = Vec::new();
    for r in &reviews {
        let Some(manager) = &r.manager else { continue };
        if r.follow_through.is_empty() {
            continue;
        }
        let series = store.series_of(manager.id).await?.into_iter().find(|s| {
            s.kind == crate::conversations::SeriesKind::Reporting
                && s.status == crate::conversations::SeriesStatus::Active
                && s.organiser.id == manager.id
                && s.other.id == r.reviewee.id
        });
        if let Some(series) = series {
            let exceptions = store.exceptions(series.id).await?;
            let meeting = series
                .schedule
                .as_ref()
                .and_then(|s| s.current(&exceptions, now))
                .map(|m| m.occurrence)
                .unwrap_or_else(|| today(now));
            for f in &r.follow_through {
                links.push(crate::conversations::store::NewAction {
                    series: series.id,
                    meeting,
                    title: f.what.clone(),
                    owner: manager.id,
                    due_date: Some(f.due_date),
                    effort_hours: None,
                    created_by: manager.id,
                    created_at: now,
                    commitment: Some(f.commitment),
                    about: r.reviewee.id,
                });
            }
        }
    }
    // The peer and upward reports, each under the anonymity rule with what earlier
    // reports of the same person published.
    let mut reports = Vec::new();
    for a in store.assessments_of_cycle(id).await? {
        let answers = store.answers(a.id).await?;
        let published = store.published_before(a.subject.id, a.id).await?;
        let sets = crate::assessments::report::figures(&a, &answers, &published).shown_sets();
        reports.push((a.id, a.subject.id, sets));
    }
    let mut work = store.begin_review_write().await?;
    if !work
        .set_cycle_state(id, from, CycleState::Shared, now)
        .await?
    {
        return Err(CoreError::Conflict(
            "this cycle was shared a moment ago".into(),
        ));
    }
    work.reveal_follow_through(id).await?;
    for (assessment, subject, sets) in &reports {
        work.share_assessment(*assessment, now).await?;
        work.publish(*assessment, *subject, sets).await?;
    }
    for link in &links {
        work.create_action(link).await?;
    }
    let notes: Vec<Notification> = reviews
        .iter()
        .map(|r| {
            Notification::new(
                r.reviewee.id,
                Topic::ReviewDue,
                format!("Your review in {} is shared: read it.", cycle.name),
                format!("/reviews/{}", r.id),
                now,
            )
        })
        .collect();
    work.notify_all(&notes).await?;
    work.audit(&crate::audit::AuditEntry {
        at: now,
        actor,
        action: "review_cycle.share".into(),
        subject: format!("review cycle {id}"),
        detail: if actor.is_some() {
            cycle.name.clone()
        } else {
            format!("{}: on its sharing day", cycle.name)
        },
    })
    .await?;
    work.commit().await
}

/// Closes a shared cycle.
pub async fn close(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: CycleId,
    now: i64,
) -> CoreResult<()> {
    admin(viewer)?;
    let mut work = store.begin_review_write().await?;
    if !work
        .set_cycle_state(id, CycleState::Shared, CycleState::Closed, now)
        .await?
    {
        return Err(CoreError::Conflict("only a shared cycle is closed".into()));
    }
    work.commit().await
}

/// Completion of one step, for a group.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Completion {
    pub group: String,
    pub self_done: usize,
    pub manager_done: usize,
    pub total: usize,
}

/// A cycle's progress: overall, per manager and per department.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub cycle: Cycle,
    pub overall: Completion,
    pub by_manager: Vec<Completion>,
    pub by_team: Vec<Completion>,
    /// Reviews without a manager (someone at the top): no manager review to write.
    pub without_manager: usize,
    /// The feedback step, when the cycle has one.
    pub feedback: Option<super::feedback::FeedbackProgress>,
}

/// Completion per step, per manager and per team (people admins).
pub fn progress_of(cycle: Cycle, groups: &[super::store::CompletionGroup]) -> Progress {
    let mut overall = Completion {
        group: "Everyone".into(),
        ..Completion::default()
    };
    let mut by_manager: BTreeMap<String, Completion> = BTreeMap::new();
    let mut by_team: BTreeMap<String, Completion> = BTreeMap::new();
    let mut without_manager = 0;
    for g in groups {
        let manager = match &g.manager {
            Some(m) => m.clone(),
            None => {
                without_manager += g.total;
                "No manager".into()
            }
        };
        let team = g.team.clone().unwrap_or_else(|| "No team".into());
        for (map, key) in [(&mut by_manager, manager), (&mut by_team, team)] {
            let c = map.entry(key.clone()).or_insert_with(|| Completion {
                group: key,
                ..Completion::default()
            });
            c.self_done += g.self_done;
            c.manager_done += g.manager_done;
            c.total += g.total;
        }
        overall.self_done += g.self_done;
        overall.manager_done += g.manager_done;
        overall.total += g.total;
    }
    Progress {
        cycle,
        overall,
        by_manager: by_manager.into_values().collect(),
        by_team: by_team.into_values().collect(),
        without_manager,
        feedback: None,
    }
}

pub async fn progress(
    store: &dyn ReviewStore,
    viewer: &Viewer,
    id: CycleId,
) -> CoreResult<Progress> {
    admin(viewer)?;
    let cycle = load(store, id).await?;
    let groups = store.completion_groups(id).await?;
    let feedback = if cycle.feedback.on() && cycle.state != CycleState::Draft {
        let mut f = store.feedback_progress(id).await?;
        if cycle.feedback.peers != PeerReviews::Anonymous {
            // Named peers need no threshold.
            f.short_of_peers = 0;
        }
        Some(f)
    } else {
        None
    };
    Ok(Progress {
        feedback,
        ..progress_of(cycle, &groups)
    })
}

/// Every cycle (people admins).
pub async fn list(store: &dyn ReviewStore, viewer: &Viewer) -> CoreResult<Vec<Cycle>> {
    admin(viewer)?;
    store.cycles().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn input() -> CycleInput {
        CycleInput {
            name: "2026 H2".into(),
            scope: Scope::Everyone,
            questions: vec![Question {
                text: "How did they deliver?".into(),
                scale: vec!["Below".into(), "Meets".into(), "Above".into()],
                in_self_review: true,
                in_manager_review: true,
                private: false,
            }],
            self_review_due: Some(d("2026-12-10")),
            manager_review_due: Some(d("2026-12-17")),
            share_on: Some(d("2026-12-20")),
            calibration: Default::default(),
            feedback: FeedbackSettings::default(),
            opens: StepOpenings::default(),
        }
    }

    #[test]
    fn a_cycle_needs_its_manager_review_and_deadlines_in_order() {
        assert!(checked(&input(), d("2026-12-01"), PersonId(1), 0).is_ok());
        let mut bad = input();
        bad.manager_review_due = None;
        bad.self_review_due = Some(d("2026-12-30"));
        bad.share_on = Some(d("2026-12-05"));
        bad.questions[0].scale = vec!["Only".into()];
        bad.questions.push(Question {
            text: GROWTH_QUESTIONS[1].into(),
            ..bad.questions[0].clone()
        });
        let errors = checked(&bad, d("2026-12-01"), PersonId(1), 0).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "questions[0]",
                "questions[1]",
                "questions[1]",
                "manager_review_due"
            ],
            "{errors:?}"
        );
        let mut order = input();
        order.self_review_due = Some(d("2026-12-18"));
        let errors = checked(&order, d("2026-12-01"), PersonId(1), 0).unwrap_err();
        assert_eq!(errors[0].field, "self_review_due");
    }

    #[test]
    fn progress_counts_per_step_manager_and_team() {
        let cycle = Cycle {
            id: CycleId(1),
            name: "c".into(),
            state: CycleState::Launched,
            scope: Scope::Everyone,
            questions: vec![],
            self_review_due: None,
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
        let group = |manager: Option<&str>, total, done| super::super::store::CompletionGroup {
            manager: manager.map(str::to_string),
            team: Some("Platform".into()),
            total,
            self_done: done,
            manager_done: done,
        };
        let p = progress_of(cycle, &[group(Some("Max"), 2, 1), group(None, 1, 0)]);
        assert_eq!((p.overall.manager_done, p.overall.total), (1, 3));
        assert_eq!(p.by_manager[0].group, "Max");
        assert_eq!(
            (p.by_manager[0].manager_done, p.by_manager[0].total),
            (1, 2)
        );
        assert_eq!(p.without_manager, 1);
        assert_eq!(p.by_team[0].total, 3);
    }
}
