//! Nominations: the subject proposes raters for their 360 and their manager chain asks
//! them (or not); the chain and admins can also ask someone directly; anyone asked for an
//! anonymous group may decline before answering. Each group is capped.

use super::store::AssessmentStore;
use super::*;
use crate::notify::{Notification, Topic};

/// A rater proposed or asked.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = NominationRequest))]
#[serde(deny_unknown_fields)]
pub struct NominationInput {
    pub group: RaterGroup,
    pub email: String,
}

/// What a nomination did, and whether its group can still reach `k`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Nominated {
    pub status: RaterStatus,
    /// Groups asked but below `k`, which the report will leave out unless more are named.
    pub warnings: Vec<String>,
}

/// The rules a review cycle adds: only peers are named, by whom the cycle says, until its
/// nominations close, never a direct report (they give upward reviews).
async fn cycle_rules(
    store: &dyn AssessmentStore,
    a: &Assessment,
    runs: bool,
    group: RaterGroup,
    person: PersonId,
    today: NaiveDate,
) -> CoreResult<()> {
    let Some(c) = &a.in_cycle else { return Ok(()) };
    if c.kind == FeedbackKind::Upward {
        return Err(CoreError::Conflict(
            "upward reviews ask every direct report; nobody else is named".into(),
        ));
    }
    if group != RaterGroup::Peers {
        return Err(CoreError::field("group", "name peers for peer reviews"));
    }
    if !runs && !c.subject_nominates {
        return Err(CoreError::Forbidden(format!(
            "in {} your manager names your peer reviewers",
            c.cycle_name
        )));
    }
    if !runs
        && let Some(due) = c.nominations_due
        && today > due
    {
        return Err(CoreError::Conflict(format!(
            "nominations closed on {}: ask your manager to add someone",
            due.format("%-d %B")
        )));
    }
    if store
        .person(person)
        .await?
        .is_some_and(|p| p.manager_id == Some(a.subject.id))
    {
        return Err(CoreError::field(
            "email",
            "a direct report gives an upward review, not a peer review",
        ));
    }
    Ok(())
}

/// The person a nomination names, checked: someone who works here, not the subject, not
/// named before, within the cycle's rules and the group's cap.
async fn nominee(
    store: &dyn AssessmentStore,
    a: &Assessment,
    runs: bool,
    input: &NominationInput,
    today: NaiveDate,
) -> CoreResult<crate::org::Person> {
    let person = match store.person_id_by_email(input.email.trim()).await? {
        Some(p) => store.person(p).await?,
        None => None,
    };
    let Some(person) = person else {
        return Err(CoreError::field(
            "email",
            format!("nobody has the e-mail {:?}", input.email.trim()),
        ));
    };
    if person.status != crate::org::PersonStatus::Active {
        return Err(CoreError::field(
            "email",
            format!(
                "{} has left: choose someone who works here",
                person.display_name()
            ),
        ));
    }
    if person.id == a.subject.id {
        return Err(CoreError::field(
            "email",
            "nobody nominates themselves: the self review is asked already",
        ));
    }
    cycle_rules(store, a, runs, input.group, person.id, today).await?;
    if let Some(r) = a.raters.iter().find(|r| r.person.id == person.id) {
        return Err(CoreError::field(
            "email",
            match r.status {
                RaterStatus::Declined => {
                    format!("{} declined to answer this 360", person.display_name())
                }
                _ => format!(
                    "{} is named already: once, in one group",
                    person.display_name()
                ),
            },
        ));
    }
    let in_group = a
        .raters
        .iter()
        .filter(|r| r.group == input.group && r.status != RaterStatus::Declined)
        .count();
    let cap = a.cap(input.group);
    if in_group >= cap {
        return Err(CoreError::field(
            "group",
            format!(
                "{} has {cap} raters already, the most this group takes",
                input.group.label()
            ),
        ));
    }
    Ok(person)
}

/// Proposes (the subject) or asks (their chain, admins) someone to rate.
pub async fn nominate(
    store: &dyn AssessmentStore,
    viewer: &Viewer,
    id: AssessmentId,
    input: &NominationInput,
    today: NaiveDate,
    now: i64,
) -> CoreResult<Nominated> {
    let me = viewer.person_id();
    let a = store
        .assessment(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("360 assessment {id}")))?;
    let runs = runs(store, viewer, a.subject.id).await?;
    if !runs && a.subject.id != me {
        if !a
            .raters
            .iter()
            .any(|r| r.person.id == me && r.status == RaterStatus::Asked)
        {
            return Err(CoreError::NotFound(format!("360 assessment {id}")));
        }
        return Err(CoreError::Forbidden(
            "name raters for this 360: the person it is about proposes them, their manager chain asks them".into(),
        ));
    }
    if a.state != AssessmentState::Open {
        return Err(CoreError::Conflict(
            "this 360 was shared: its raters are fixed".into(),
        ));
    }
    if input.group.named() {
        return Err(CoreError::field(
            "group",
            "the person and their manager are asked already; name peers, direct reports or others",
        ));
    }
    let person = nominee(store, &a, runs, input, today).await?;
    let status = if runs {
        RaterStatus::Asked
    } else {
        RaterStatus::Proposed
    };
    let mut work = store.begin_assessment_write().await?;
    work.add_rater(id, person.id, input.group, status).await?;
    let manager = store.person(a.subject.id).await?.and_then(|p| p.manager_id);
    let note = match (status, manager) {
        (RaterStatus::Proposed, Some(m)) => Some(Notification::new(
            m,
            Topic::ReviewDue,
            format!(
                "{} proposed {} as a rater for their 360: ask them, or not.",
                a.subject.name,
                person.display_name()
            ),
            format!("/assessments/{id}"),
            now,
        )),
        (RaterStatus::Asked, _) => Some(Notification::new(
            person.id,
            Topic::ReviewDue,
            format!("You are asked for a 360 of {}.", a.subject.name),
            format!("/assessments/{id}"),
            now,
        )),
        _ => None,
    };
    if let Some(n) = note {
        work.notify_all(&[n]).await?;
    }
    work.commit().await?;
    let mut after = a;
    after.raters.push(Rater {
        person: PersonName {
            id: person.id,
            name: person.display_name(),
        },
        group: input.group,
        answered: false,
        status,
    });
    Ok(Nominated {
        status,
        warnings: after.short_groups(),
    })
}

/// The subject's manager chain (or an admin) asks a proposed rater, or takes them out.
pub async fn decide(
    store: &dyn AssessmentStore,
    viewer: &Viewer,
    id: AssessmentId,
    rater: PersonId,
    approve: bool,
    now: i64,
) -> CoreResult<()> {
    let view = show(store, viewer, id).await?;
    if !runs(store, viewer, view.assessment.subject.id).await? {
        return Err(CoreError::Forbidden(
            "decide on a proposed rater: the subject's manager chain and people admins do".into(),
        ));
    }
    if view.assessment.state != AssessmentState::Open {
        return Err(CoreError::Conflict(
            "this 360 was shared: its raters are fixed".into(),
        ));
    }
    let mut work = store.begin_assessment_write().await?;
    let done = if approve {
        work.set_rater_status(id, rater, RaterStatus::Proposed, RaterStatus::Asked)
            .await?
    } else {
        work.remove_proposed_rater(id, rater).await?
    };
    if !done {
        return Err(CoreError::Conflict(
            "this person is not waiting for a decision".into(),
        ));
    }
    if approve {
        work.notify_all(&[Notification::new(
            rater,
            Topic::ReviewDue,
            format!(
                "You are asked for a 360 of {}.",
                view.assessment.subject.name
            ),
            format!("/assessments/{id}"),
            now,
        )])
        .await?;
    }
    work.commit().await
}

/// A rater of an anonymous group declines before answering.
pub async fn decline(
    store: &dyn AssessmentStore,
    viewer: &Viewer,
    id: AssessmentId,
) -> CoreResult<()> {
    let view = show(store, viewer, id).await?;
    let Some(group) = view.my_group else {
        return Err(CoreError::Forbidden(
            "decline this 360: only the people asked do".into(),
        ));
    };
    if group.named() {
        return Err(CoreError::Conflict(
            "the person and their manager answer every 360 they are part of".into(),
        ));
    }
    if view.i_answered {
        return Err(CoreError::Conflict("you have answered already".into()));
    }
    if view.assessment.state != AssessmentState::Open {
        return Err(CoreError::Conflict("this 360 was shared already".into()));
    }
    let mut work = store.begin_assessment_write().await?;
    work.set_rater_status(
        id,
        viewer.person_id(),
        RaterStatus::Asked,
        RaterStatus::Declined,
    )
    .await?;
    work.commit().await
}
