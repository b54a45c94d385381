//! Career plans: the next step (target role and level on the ladder), strengths, growth
//! areas (skills from a current to a target level), what the manager committed to do to
//! help (commitments of the manager's, so they sit on the manager's plate and on the
//! person's plate until done), and when it was last reviewed together. Every change is kept.
//!
//! Visible to the person, their manager chain and admins — never to peers. The person and
//! their chain edit it; the chain records reviews and support.

use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::growth::store::GrowthStore;
use crate::ids::PersonName;
use crate::ids::{CommitmentId, LevelId, PersonId};
use crate::notify::{Notification, Topic};
use crate::org::csv_format::normalise_skill;
use crate::org::people::standing;
use crate::work::{Commitment, NewCommitment};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A skill to grow, from its current level to a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = GrowthAreaBody))]
pub struct GrowthArea {
    pub skill: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub current: u8,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 5))]
    pub target: u8,
}

/// The fields a person and their manager write: the whole plan as it should be.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CareerPlanRequest))]
#[serde(deny_unknown_fields)]
pub struct PlanFields {
    #[serde(default)]
    pub target_role: String,
    // The API's name for it is `target_level_id`, as in every body that names a level.
    /// A level of the career ladder.
    #[serde(default, rename(deserialize = "target_level_id"))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, rename = "target_level_id"))]
    pub target_level: Option<LevelId>,
    #[serde(default)]
    pub strengths: String,
    #[serde(default)]
    pub growth_areas: Vec<GrowthArea>,
    /// Goals in words (one from a 360 behaviour, say), beside the skills.
    #[serde(default)]
    pub growth_goals: Vec<String>,
}

/// A stored career plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CareerPlan {
    pub fields: PlanFields,
    /// Code and name of the target level.
    pub target_level_label: Option<String>,
    pub last_reviewed_on: Option<NaiveDate>,
    pub updated_at: i64,
    pub updated_by: Option<PersonName>,
}

/// One change in a plan's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanChange {
    pub at: i64,
    pub by: Option<PersonName>,
    pub what: String,
}

/// A plan is stale when it has not been reviewed together for this many days
/// (PRODUCT.md's career support coverage looks back six months).
pub const STALE_AFTER_DAYS: i64 = 182;

/// A person's plan as their page shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CareerView {
    pub person: PersonName,
    pub plan: Option<CareerPlan>,
    pub history: Vec<PlanChange>,
    /// What the manager committed to do, open first.
    pub support: Vec<Commitment>,
    /// Never reviewed, or not for [`STALE_AFTER_DAYS`].
    pub stale: bool,
    pub can_edit: bool,
    /// The manager chain and admins record reviews and support.
    pub can_support: bool,
}

async fn reach(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    person: PersonId,
) -> CoreResult<crate::org::people::Standing> {
    let s = standing(store, viewer, person).await?;
    if !s.reach.plate_visible() {
        // A peer's career plan is private: as if there were none.
        return Err(CoreError::NotFound(format!(
            "career plan of person {person}"
        )));
    }
    Ok(s)
}

/// Open help the person's manager promised in their career plan, shown on the person's
/// plate: the plate's own rule (the person, their manager chain and admins) already let its
/// viewer in.
pub async fn support_on_plate(
    store: &dyn GrowthStore,
    plate: &crate::work::plate::Plate,
) -> CoreResult<Vec<Commitment>> {
    let mut support = store.career_support(plate.person.id).await?;
    support.retain(|c| c.status == crate::work::CommitmentStatus::Open);
    Ok(support)
}

pub async fn show(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    person: PersonId,
    now: i64,
) -> CoreResult<CareerView> {
    let s = reach(store, viewer, person).await?;
    let plan = store.career_plan(person).await?;
    let history = store.career_history(person, 30).await?;
    let mut support = store.career_support(person).await?;
    support.sort_by_key(|c| (c.status != crate::work::CommitmentStatus::Open, c.due_date));
    let today = local_date(s.person.time_zone.as_deref(), now);
    let stale = plan
        .as_ref()
        .and_then(|p| p.last_reviewed_on)
        .is_none_or(|d| (today - d).num_days() > STALE_AFTER_DAYS);
    Ok(CareerView {
        person: PersonName {
            id: person,
            name: s.person.display_name(),
        },
        plan,
        history,
        support,
        stale,
        can_edit: true,
        can_support: s.reach.may_manage(),
    })
}

/// Saves the plan after checking every field.
pub async fn save(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    person: PersonId,
    fields: &PlanFields,
    now: i64,
) -> CoreResult<()> {
    save_noting(store, viewer, person, fields, now, "Plan updated").await
}

/// Saves the plan, with `note` in its history (where the change came from).
pub async fn save_noting(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    person: PersonId,
    fields: &PlanFields,
    now: i64,
    note: &str,
) -> CoreResult<()> {
    reach(store, viewer, person).await?;
    let mut errors = Vec::new();
    if fields.target_role.chars().count() > 200 {
        errors.push(FieldError::new(
            "target_role",
            "keep the role to 200 characters",
        ));
    }
    if fields.strengths.chars().count() > 5000 {
        errors.push(FieldError::new(
            "strengths",
            "keep the strengths to 5,000 characters",
        ));
    }
    if let Some(level) = fields.target_level
        && store.level(level).await?.is_none()
    {
        errors.push(FieldError::new(
            "target_level",
            format!("there is no level {level} on the career ladder"),
        ));
    }
    let mut areas: Vec<GrowthArea> = Vec::new();
    for (i, a) in fields.growth_areas.iter().enumerate() {
        let skill = normalise_skill(&a.skill);
        let field = format!("growth_areas[{i}]");
        if skill.is_empty() {
            errors.push(FieldError::new(field, "name the skill"));
        } else if !(1..=5).contains(&a.current) || !(1..=5).contains(&a.target) {
            errors.push(FieldError::new(
                field,
                format!("{skill}: levels go from 1 to 5"),
            ));
        } else if a.target <= a.current {
            errors.push(FieldError::new(
                field,
                format!(
                    "{skill}: the target ({}) must be above the current level ({})",
                    a.target, a.current
                ),
            ));
        } else if areas.iter().any(|x| x.skill == skill) {
            errors.push(FieldError::new(field, format!("{skill} is listed twice")));
        } else {
            areas.push(GrowthArea {
                skill,
                current: a.current,
                target: a.target,
            });
        }
    }
    if areas.len() > 10 {
        errors.push(FieldError::new(
            "growth_areas",
            "focus on at most 10 growth areas",
        ));
    }
    let mut goals: Vec<String> = Vec::new();
    for (i, g) in fields.growth_goals.iter().enumerate() {
        let g = g.trim();
        let field = format!("growth_goals[{i}]");
        if g.is_empty() || g.chars().count() > 200 {
            errors.push(FieldError::new(field, "a goal has 1 to 200 characters"));
        } else if goals.iter().any(|x| x.eq_ignore_ascii_case(g)) {
            errors.push(FieldError::new(field, format!("{g:?} is listed twice")));
        } else {
            goals.push(g.to_string());
        }
    }
    if goals.len() > 10 {
        errors.push(FieldError::new(
            "growth_goals",
            "focus on at most 10 growth goals",
        ));
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let clean = PlanFields {
        growth_goals: goals,
        target_role: fields.target_role.trim().to_string(),
        target_level: fields.target_level,
        strengths: fields.strengths.trim().to_string(),
        growth_areas: areas,
    };
    let audit = AuditEntry::about_person(
        now,
        viewer.person_id(),
        "career_plan.save",
        person,
        format!("target role {:?}", clean.target_role),
    );
    let by = viewer.person_id();
    let mut work = store.begin_growth_write().await?;
    work.save_career_plan(person, &clean, by, now).await?;
    work.note_plan_history(person, by, now, note).await?;
    work.audit(&audit).await?;
    work.commit().await
}

/// Records that the person and their manager reviewed the plan together today.
pub async fn review(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    person: PersonId,
    now: i64,
) -> CoreResult<()> {
    let s = reach(store, viewer, person).await?;
    if !s.reach.may_manage() {
        return Err(CoreError::Forbidden(
            "record a review of your own plan; your manager records it with you".into(),
        ));
    }
    if store.career_plan(person).await?.is_none() {
        return Err(CoreError::Conflict(
            "there is no plan to review yet; write it first".into(),
        ));
    }
    let today = local_date(s.person.time_zone.as_deref(), now);
    let audit = AuditEntry::about_person(
        now,
        viewer.person_id(),
        "career_plan.review",
        person,
        format!("reviewed on {today}"),
    );
    let mut work = store.begin_growth_write().await?;
    work.mark_career_plan_reviewed(person, today).await?;
    work.note_plan_history(person, viewer.person_id(), now, "Reviewed together")
        .await?;
    work.audit(&audit).await?;
    work.commit().await
}

/// What a manager commits to do to help: becomes a commitment of the manager's (requested
/// by the person), on both plates until done.
pub async fn add_support(
    store: &dyn GrowthStore,
    viewer: &Viewer,
    person: PersonId,
    what: &str,
    due_date: Option<NaiveDate>,
    effort_hours: Option<f64>,
    now: i64,
) -> CoreResult<CommitmentId> {
    let s = reach(store, viewer, person).await?;
    if !s.reach.may_manage() {
        return Err(CoreError::Forbidden(
            "promise support on your own plan; your manager does".into(),
        ));
    }
    let mut errors = Vec::new();
    let what = what.trim();
    if what.is_empty() || what.chars().count() > 200 {
        errors.push(FieldError::new(
            "what",
            "say what you will do, in 1 to 200 characters",
        ));
    }
    let me = store
        .person(viewer.person_id())
        .await?
        .ok_or_else(|| CoreError::NotFound("your person record".into()))?;
    let today = local_date(me.time_zone.as_deref(), now);
    let due = match due_date {
        None => {
            errors.push(FieldError::new(
                "due_date",
                "give the date you will do it by",
            ));
            today
        }
        Some(d) if d < today => {
            errors.push(FieldError::new(
                "due_date",
                format!("{d} is before today ({today})"),
            ));
            d
        }
        Some(d) => d,
    };
    let effort = effort_hours.unwrap_or(1.0);
    if !effort.is_finite() || effort <= 0.0 || effort > 200.0 {
        errors.push(FieldError::new(
            "effort_hours",
            "give the hours it takes you, more than 0 and at most 200",
        ));
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let audit = AuditEntry::about_person(
        now,
        viewer.person_id(),
        "career_plan.support",
        person,
        format!("{what}, due {due}"),
    );
    let by = viewer.person_id();
    let support = NewCommitment {
        title: format!("Help {}: {what}", s.person.display_name()),
        description: "Promised in their career plan.".into(),
        owner: viewer.person_id(),
        requester: Some(person),
        objective: None,
        due_date: due,
        effort_hours: effort,
        skills: Vec::new(),
        created_at: now,
        created_on: today,
    };
    let note = Notification::new(
        person,
        Topic::SupportPromised,
        format!(
            "{} promised support on your career plan: {what}, by {due}.",
            crate::org::people::name_of(store, by).await?
        ),
        format!("/people/{person}/career"),
        now,
    );
    let mut work = store.begin_growth_write().await?;
    let id = work.create_commitment(&support).await?;
    work.link_support(id, person).await?;
    work.note_plan_history(
        person,
        by,
        now,
        &format!("Support promised: {}", support.title),
    )
    .await?;
    work.audit(&audit).await?;
    if person != by {
        work.notify(&note).await?;
    }
    work.commit().await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{FakeStore, noon, viewer};

    fn org() -> FakeStore {
        FakeStore::with_people(&[
            (1, "Mia Manager", None),
            (2, "Dana Dev", Some(1)),
            (3, "Devi Dev", Some(1)),
        ])
    }

    #[tokio::test]
    async fn support_promised_is_the_managers_work_on_the_plan_and_the_person_is_told() {
        let store = org();
        let due = "2026-12-20".parse().ok();
        add_support(
            &store,
            &viewer(1, 2),
            PersonId(2),
            " Pair on the planner ",
            due,
            Some(2.0),
            noon("2026-12-01"),
        )
        .await
        .unwrap();
        assert_eq!(
            store.committed(),
            [
                "create_commitment 1000 \"Help Dana Dev: Pair on the planner\" owner 1",
                "link_support 1000 to 2",
                "note_plan_history 2 \"Support promised: Help Dana Dev: Pair on the planner\"",
                "audit career_plan.support",
                "notify 2 support_promised: Mia Manager promised support on your career plan: Pair on the planner, by 2026-12-20.",
            ]
        );
    }

    #[tokio::test]
    async fn only_the_manager_chain_promises_support_and_a_refusal_writes_nothing() {
        let store = org();
        let due = "2026-12-20".parse().ok();
        let own = add_support(
            &store,
            &viewer(2, 0),
            PersonId(2),
            "Learn",
            due,
            None,
            noon("2026-12-01"),
        )
        .await;
        assert!(matches!(own, Err(CoreError::Forbidden(_))), "{own:?}");
        let peer = add_support(
            &store,
            &viewer(3, 0),
            PersonId(2),
            "Help",
            due,
            None,
            noon("2026-12-01"),
        )
        .await;
        assert!(
            matches!(peer, Err(CoreError::NotFound(_))),
            "a peer's plan is private: {peer:?}"
        );
        let past = add_support(
            &store,
            &viewer(1, 2),
            PersonId(2),
            "Help",
            "2026-11-01".parse().ok(),
            None,
            noon("2026-12-01"),
        )
        .await;
        assert!(
            matches!(&past, Err(CoreError::Invalid(f)) if f[0].field == "due_date"),
            "{past:?}"
        );
        assert!(store.committed().is_empty());
    }
}
