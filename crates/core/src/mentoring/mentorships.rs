//! Mentee goals, mentor profiles, and the mentorships a viewer may see or end.

use crate::access::{Reach, Viewer};
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{MentorshipId, PersonId};
use crate::mentoring::store::MentoringStore;
use crate::org::csv_format::normalise_skill;
use crate::org::people::standing;
use chrono::NaiveDate;
use serde::Serialize;

use super::*;

/// Ends a mentorship today, before its end date: the mentee, the mentor and admins may.
/// The mentor's place is free again for the next round, and the mentee takes part in it.
pub async fn end_early(
    store: &dyn MentoringStore,
    viewer: &Viewer,
    id: MentorshipId,
    note: &str,
    now: i64,
) -> CoreResult<Mentorship> {
    let mentorship = store
        .mentorship(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("mentorship {id}")))?;
    let party = [mentorship.mentee.id, mentorship.mentor.id].contains(&viewer.person_id());
    if !party && !viewer.may_administer() {
        // Either side's managers see the mentorship and are told who may end it; anyone
        // else learns nothing of it.
        let mut sees = false;
        for side in [mentorship.mentee.id, mentorship.mentor.id] {
            sees |= store
                .manager_chain(side)
                .await?
                .iter()
                .any(|c| c.id == viewer.person_id());
        }
        return Err(if sees {
            CoreError::Forbidden(
                "end this mentorship: only the mentee, the mentor or a people admin can".into(),
            )
        } else {
            CoreError::NotFound(format!("mentorship {id}"))
        });
    }
    let today = local_date(None, now);
    if let Some(end) = &mentorship.ended {
        return Err(CoreError::Conflict(format!(
            "this mentorship was already ended on {}",
            end.on.format("%-d %B %Y")
        )));
    }
    if mentorship.ends_on < today {
        return Err(CoreError::Conflict(format!(
            "this mentorship is over: it ended on {}",
            mentorship.ends_on.format("%-d %B %Y")
        )));
    }
    let mut errors = Vec::new();
    let note = crate::growth::checked_note(&mut errors, note);
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let audit = crate::audit::AuditEntry::about_person(
        now,
        viewer.person_id(),
        "mentorship.end",
        mentorship.mentee.id,
        format!(
            "{} mentoring {}, ended early",
            mentorship.mentor.name, mentorship.mentee.name
        ),
    );
    let mut work = store.begin_mentoring_write().await?;
    if !work
        .end_mentorship(id, today, viewer.person_id(), &note)
        .await?
    {
        return Err(CoreError::Conflict(
            "this mentorship was ended a moment ago".into(),
        ));
    }
    work.audit(&audit).await?;
    let by = crate::org::people::name_of(store, viewer.person_id()).await?;
    let notes = crate::notify::to_each(
        [mentorship.mentee.id, mentorship.mentor.id],
        Some(viewer.person_id()),
        |to| {
            let other = if to == mentorship.mentee.id {
                &mentorship.mentor.name
            } else {
                &mentorship.mentee.name
            };
            crate::notify::Notification::new(
                to,
                crate::notify::Topic::MentorshipEnded,
                format!("{by} ended your mentorship with {other}."),
                "/mentoring".into(),
                now,
            )
        },
    );
    work.notify_all(&notes).await?;
    work.commit().await?;
    store
        .mentorship(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("mentorship {id}")))
}

/// A mentorship as the store writes it.
#[derive(Debug, Clone)]
pub struct NewMentorship {
    pub mentee: PersonId,
    pub mentor: PersonId,
    pub goals: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

pub(super) fn check_skills(
    field: &str,
    raw: &[String],
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw {
        let s = normalise_skill(s);
        if s.is_empty() || out.contains(&s) {
            continue;
        }
        if s.chars().count() > 60 {
            errors.push(FieldError::new(
                field,
                format!("\u{201c}{s}\u{201d} is too long for a skill (at most 60 characters)"),
            ));
            continue;
        }
        out.push(s);
    }
    if out.len() > 10 {
        errors.push(FieldError::new(field, "list at most 10 skills"));
    }
    out
}

/// Saves the viewer's own mentee goals (taking part in the next round).
pub async fn save_goals(
    store: &dyn MentoringStore,
    viewer: &Viewer,
    input: &MenteeGoals,
    now: i64,
) -> CoreResult<()> {
    let mut errors = Vec::new();
    let skills = check_skills("skills", &input.skills, &mut errors);
    if skills.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "skills",
            "name at least one skill you would like to grow",
        ));
    }
    let must_have = input
        .must_have
        .as_deref()
        .map(normalise_skill)
        .filter(|s| !s.is_empty());
    if let Some(m) = &must_have
        && !skills.contains(m)
    {
        errors.push(FieldError::new(
            "must_have",
            format!("{m} is not among your goal skills; add it there or leave this empty"),
        ));
    }
    if let Some(level) = input.target_level
        && store.level(level).await?.is_none()
    {
        errors.push(FieldError::new(
            "target_level",
            "choose a level on the career ladder",
        ));
    }
    let note = crate::growth::checked_note(&mut errors, &input.note);
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    store
        .save_mentee_goals(
            viewer.person_id(),
            &MenteeGoals {
                skills,
                must_have,
                target_level: input.target_level,
                note,
            },
            now,
        )
        .await
}

/// Saves the viewer's own mentor profile.
pub async fn save_profile(
    store: &dyn MentoringStore,
    viewer: &Viewer,
    input: &MentorInput,
    now: i64,
) -> CoreResult<()> {
    let mut errors = Vec::new();
    let strengths = check_skills("strengths", &input.strengths, &mut errors);
    if strengths.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "strengths",
            "name at least one skill you can help others grow",
        ));
    }
    let capacity = match input.capacity {
        Some(c) if (1..=MAX_CAPACITY).contains(&c) => c as u32,
        Some(0) => {
            errors.push(FieldError::new(
                "capacity",
                "a mentor takes at least 1 mentee; to stop mentoring, remove your profile",
            ));
            0
        }
        _ => {
            errors.push(FieldError::new(
                "capacity",
                format!("give how many mentees you can take at a time, from 1 to {MAX_CAPACITY}"),
            ));
            0
        }
    };
    let note = crate::growth::checked_note(&mut errors, &input.note);
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    store
        .save_mentor_profile(
            viewer.person_id(),
            &MentorProfile {
                strengths,
                capacity,
                note,
            },
            now,
        )
        .await
}

/// The viewer's own side of mentoring.
#[derive(Debug, Clone, Serialize)]
pub struct MyMentoring {
    pub goals: Option<MenteeGoals>,
    pub profile: Option<MentorProfile>,
    pub mentorships: Vec<Mentorship>,
}

pub async fn mine(store: &dyn MentoringStore, viewer: &Viewer) -> CoreResult<MyMentoring> {
    Ok(MyMentoring {
        goals: store.mentee_goals(viewer.person_id()).await?,
        profile: store.mentor_profile(viewer.person_id()).await?,
        mentorships: store.mentorships_of(viewer.person_id()).await?,
    })
}

/// A person's mentorships as the viewer may see them: all of them for the person, their
/// manager chain and admins; for anyone else only the ones they are part of.
pub async fn of_person(
    store: &dyn MentoringStore,
    viewer: &Viewer,
    person: PersonId,
) -> CoreResult<Vec<Mentorship>> {
    // Unknown ids and people the viewer may not see are 404 alike, for admins too.
    let reach = standing(store, viewer, person).await?.reach;
    visible_mentorships(store, viewer, person, reach).await
}

/// [`of_person`] when the viewer's reach to the person is known (the person page).
pub async fn visible_mentorships(
    store: &dyn MentoringStore,
    viewer: &Viewer,
    person: PersonId,
    reach: Reach,
) -> CoreResult<Vec<Mentorship>> {
    let all = store.mentorships_of(person).await?;
    if all.is_empty() || reach.sees_private_fields() {
        return Ok(all);
    }
    // The other person's chain may see the mentorship too.
    let mut visible = Vec::new();
    for m in all {
        let other = if m.mentee.id == person {
            m.mentor.id
        } else {
            m.mentee.id
        };
        let mine = other == viewer.person_id();
        let above_other = !mine
            && store
                .manager_chain(other)
                .await?
                .iter()
                .any(|c| c.id == viewer.person_id());
        if mine || above_other {
            visible.push(m);
        }
    }
    Ok(visible)
}

pub(super) fn require_admin(viewer: &Viewer) -> CoreResult<()> {
    if viewer.may_administer() {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "run mentoring rounds; people admins do".into(),
        ))
    }
}
