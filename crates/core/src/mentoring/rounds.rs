//! Rounds: run, review, take a pair out, publish.

use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{PersonId, RoundId};
use crate::mentoring::store::MentoringStore;
use crate::notify::{Notification, Topic};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::*;

/// What an admin fills in to run a round.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = RoundRequest))]
#[serde(deny_unknown_fields)]
pub struct RoundInput {
    pub name: String,
    /// highest_total (default) or most_matched
    #[serde(default)]
    pub goal: Option<String>,
    /// When the mentorships end: after today and within three years.
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub ends_on: Option<NaiveDate>,
}

/// Runs a round over everyone taking part now and keeps its proposed pairs as a draft.
pub async fn run_round(
    store: &dyn MentoringStore,
    viewer: &Viewer,
    input: &RoundInput,
    now: i64,
) -> CoreResult<RoundId> {
    require_admin(viewer)?;
    let today = local_date(None, now);
    let mut errors = Vec::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            "name",
            "give a name of 1 to 200 characters",
        ));
    }
    let goal = match input.goal.as_deref().map(str::trim) {
        None | Some("") => RoundGoal::HighestTotal,
        Some(g) => RoundGoal::parse(g).unwrap_or_else(|| {
            errors.push(FieldError::new(
                "goal",
                "choose highest_total or most_matched",
            ));
            RoundGoal::HighestTotal
        }),
    };
    let ends_on = match input.ends_on {
        Some(d) if d > today && d <= today + chrono::Duration::days(3 * 366) => d,
        Some(_) => {
            errors.push(FieldError::new(
                "ends_on",
                "the mentorships must end after today and within three years",
            ));
            today
        }
        None => {
            errors.push(FieldError::new(
                "ends_on",
                "give the date the mentorships end",
            ));
            today
        }
    };
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let (mentees, mentors) = store.mentoring_pool(today).await?;
    let managers: HashMap<PersonId, PersonId> = store.manager_links().await?.into_iter().collect();
    let pairs = propose(&mentees, &mentors, &managers, goal);
    let round = NewRound {
        name: name.to_string(),
        goal,
        ends_on,
        created_by: viewer.person_id(),
        created_at: now,
        mentees: mentees.len() as i64,
        mentors: mentors.len() as i64,
    };
    let audit = crate::audit::AuditEntry {
        at: now,
        actor: Some(viewer.person_id()),
        action: "mentoring_round.run".into(),
        subject: name.to_string(),
        detail: format!(
            "{} mentees, {} mentors, {} matched (draft)",
            round.mentees,
            round.mentors,
            pairs.iter().filter(|p| p.mentor.is_some()).count()
        ),
    };
    let mut work = store.begin_mentoring_write().await?;
    let id = work.create_round(&round, &pairs).await?;
    work.audit(&audit).await?;
    work.commit().await?;
    Ok(id)
}

/// A proposed line as the store writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRoundPair {
    pub mentee: PersonId,
    pub mentor: Option<PersonId>,
    pub score: i64,
    pub explanation: String,
    pub goals: String,
}

/// A round with its lines, for review.
#[derive(Debug, Clone, Serialize)]
pub struct RoundView {
    pub round: Round,
    /// Matched first (best score first), then those left unmatched.
    pub pairs: Vec<RoundPair>,
}

pub(super) async fn load_round(store: &dyn MentoringStore, id: RoundId) -> CoreResult<Round> {
    store
        .mentoring_round(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("mentoring round {id}")))
}

pub async fn rounds(store: &dyn MentoringStore, viewer: &Viewer) -> CoreResult<Vec<Round>> {
    require_admin(viewer)?;
    store.mentoring_rounds().await
}

pub async fn show_round(
    store: &dyn MentoringStore,
    viewer: &Viewer,
    id: RoundId,
) -> CoreResult<RoundView> {
    require_admin(viewer)?;
    let round = load_round(store, id).await?;
    let mut pairs = store.round_pairs(id).await?;
    pairs.sort_by(|a, b| {
        b.mentor
            .is_some()
            .cmp(&a.mentor.is_some())
            .then(b.score.cmp(&a.score))
            .then(a.mentee.name.cmp(&b.mentee.name))
    });
    Ok(RoundView { round, pairs })
}

/// Takes a proposed pair out of a draft round in review (the mentee stays unmatched).
pub async fn remove_pair(
    store: &dyn MentoringStore,
    viewer: &Viewer,
    id: RoundId,
    mentee: PersonId,
    now: i64,
) -> CoreResult<()> {
    require_admin(viewer)?;
    let round = load_round(store, id).await?;
    if round.published {
        return Err(CoreError::Conflict(format!(
            "\u{201c}{}\u{201d} is published; its mentorships are running",
            round.name
        )));
    }
    let pairs = store.round_pairs(id).await?;
    let Some(pair) = pairs.iter().find(|p| p.mentee.id == mentee) else {
        return Err(CoreError::NotFound(format!(
            "person {mentee} in mentoring round {id}"
        )));
    };
    if pair.mentor.is_none() {
        return Err(CoreError::Conflict(format!(
            "{} has no proposed mentor to remove",
            pair.mentee.name
        )));
    }
    let audit = crate::audit::AuditEntry::about_person(
        now,
        viewer.person_id(),
        "mentoring_round.remove_pair",
        mentee,
        format!("taken out of {:?} in review", round.name),
    );
    let mut work = store.begin_mentoring_write().await?;
    work.remove_round_pair(id, mentee, "Taken out in review.")
        .await?;
    work.audit(&audit).await?;
    work.commit().await
}

/// Publishes a draft round: every proposed pair becomes a mentorship from today to the
/// round's end, with the mentee's goals, in one transaction.
pub async fn publish(
    store: &dyn MentoringStore,
    viewer: &Viewer,
    id: RoundId,
    now: i64,
) -> CoreResult<usize> {
    require_admin(viewer)?;
    let round = load_round(store, id).await?;
    if round.published {
        return Err(CoreError::Conflict(format!(
            "\u{201c}{}\u{201d} is already published",
            round.name
        )));
    }
    let today = local_date(None, now);
    if round.ends_on <= today {
        return Err(CoreError::Conflict(format!(
            "\u{201c}{}\u{201d} ends on {}, which has passed; run a new round",
            round.name, round.ends_on
        )));
    }
    let pairs = store.round_pairs(id).await?;
    let mut notes = Vec::new();
    for p in &pairs {
        let Some(mentor) = &p.mentor else { continue };
        let mut told = |to: PersonId, text: String| {
            notes.push(Notification::new(
                to,
                Topic::MentorshipStarted,
                text,
                "/mentoring".into(),
                now,
            ))
        };
        told(
            p.mentee.id,
            format!("{} is your mentor until {}.", mentor.name, round.ends_on),
        );
        told(
            mentor.id,
            format!("You mentor {} until {}.", p.mentee.name, round.ends_on),
        );
    }
    let mentorships: Vec<NewMentorship> = pairs
        .into_iter()
        .filter_map(|p| {
            p.mentor.map(|mentor| NewMentorship {
                mentee: p.mentee.id,
                mentor: mentor.id,
                goals: p.goals,
                starts_on: today,
                ends_on: round.ends_on,
            })
        })
        .collect();
    let count = mentorships.len();
    let audit = crate::audit::AuditEntry {
        at: now,
        actor: Some(viewer.person_id()),
        action: "mentoring_round.publish".into(),
        subject: format!("round {id}"),
        detail: format!("{:?}: {count} mentorships", round.name),
    };
    let mut work = store.begin_mentoring_write().await?;
    work.mark_published(id, viewer.person_id(), now).await?;
    work.create_mentorships(id, &mentorships, now).await?;
    work.audit(&audit).await?;
    work.notify_all(&notes).await?;
    work.commit().await?;
    Ok(count)
}

/// The goals as one line: "Grow rust and sql (must have rust); towards Staff. Note", with
/// the name of the target level.
pub fn describe_goals(goals: &MenteeGoals, target: Option<&str>) -> String {
    let mut text = format!("Grow {}", list(&goals.skills));
    if let Some(m) = &goals.must_have {
        text.push_str(&format!(" (must have {m})"));
    }
    if let Some(level) = target {
        text.push_str(&format!("; towards {level}"));
    }
    text.push('.');
    if !goals.note.is_empty() {
        text.push(' ');
        text.push_str(&goals.note);
    }
    text
}
