//! Mentor matching. Mentees state goals (skills to grow, optionally one a mentor must
//! have, and a career target on the ladder); mentors state strengths and how many mentees
//! they take. An admin runs a round: every allowed pair is scored (pure [`match_score`],
//! explained in a sentence), and the matching that maximises the total score — or matches
//! as many mentees as possible first — is found by `trellis_insight::matching`. The admin
//! reviews the proposed pairs, removes any, and publishes: each pair becomes a mentorship
//! with goals, a start and an end, shown on both people's pages.
//!
//! Who sees what: your own goals, profile and mentorships are yours; a mentorship is also
//! visible to the manager chain of either person and to admins — not to peers.

use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{LevelId, MentorshipId, PersonId, RoundId};
use crate::org::csv_format::normalise_skill;
use crate::policy::{Relation, Viewer};
use crate::store::Store;
use crate::work::PersonName;
use crate::work::commitments::standing;
use crate::work::metrics::local_date;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use trellis_insight::matching::{Goal, Pair, best_matching};

/// Points for the share of the mentee's goal skills the mentor offers.
pub const SKILL_POINTS: i64 = 60;
/// Points when the mentor is at the mentee's target level (or, without a target, above
/// the mentee's level).
pub const SENIORITY_POINTS: i64 = 20;
/// Points when the mentor is outside the mentee's reporting line (neither above nor below).
pub const OUTSIDE_LINE_POINTS: i64 = 20;
/// Most mentees one mentor may take.
pub const MAX_CAPACITY: i64 = 10;

/// What a mentee would like to grow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MenteeGoals {
    pub skills: Vec<String>,
    /// A mentor must offer this skill (one of `skills`).
    pub must_have: Option<String>,
    pub target_level: Option<LevelId>,
    pub note: String,
}

/// What a mentor offers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MentorProfile {
    pub strengths: Vec<String>,
    /// How many mentees at a time.
    pub capacity: u32,
    pub note: String,
}

/// The form for a mentor profile (capacity as typed, so 0 and blanks get a message).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct MentorInput {
    #[serde(default)]
    pub strengths: Vec<String>,
    pub capacity: Option<i64>,
    #[serde(default)]
    pub note: String,
}

/// Someone taking part in a round as a mentee, with what scoring needs.
#[derive(Debug, Clone, PartialEq)]
pub struct MenteeEntry {
    pub person: PersonName,
    pub level_rank: Option<i64>,
    pub goals: MenteeGoals,
    pub target_rank: Option<i64>,
    pub target_name: Option<String>,
}

/// Someone taking part in a round as a mentor.
#[derive(Debug, Clone, PartialEq)]
pub struct MentorEntry {
    pub person: PersonName,
    pub level_rank: Option<i64>,
    pub level_name: Option<String>,
    pub strengths: Vec<String>,
    /// Places left: capacity less the mentorships running now.
    pub places: u32,
}

/// A pair's score and the sentence that explains it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatchScore {
    pub points: i64,
    pub explanation: String,
}

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Scores a mentee–mentor pair; `None` when a filter rules it out (the same person, the
/// must-have skill not offered, or none of the goals offered). `inside_line`: one of them
/// is in the other's manager chain.
pub fn match_score(
    mentee: &MenteeEntry,
    mentor: &MentorEntry,
    inside_line: bool,
) -> Option<MatchScore> {
    if mentee.person.id == mentor.person.id {
        return None;
    }
    if let Some(m) = &mentee.goals.must_have
        && !mentor.strengths.contains(m)
    {
        return None;
    }
    let covered: Vec<String> = mentee
        .goals
        .skills
        .iter()
        .filter(|s| mentor.strengths.contains(s))
        .cloned()
        .collect();
    if covered.is_empty() {
        return None;
    }
    let goals = mentee.goals.skills.len().max(1) as i64;
    let skill_points = (SKILL_POINTS * covered.len() as i64 + goals / 2) / goals;
    let senior = senior(mentee, mentor);
    let points = skill_points
        + if senior { SENIORITY_POINTS } else { 0 }
        + if inside_line { 0 } else { OUTSIDE_LINE_POINTS };
    let mentee_name = first_name(&mentee.person.name);
    let mut sentence = format!(
        "{} offers {} ({} of {mentee_name}\u{2019}s {} goal{})",
        mentor.person.name,
        list(&covered),
        covered.len(),
        goals,
        if goals == 1 { "" } else { "s" }
    );
    if senior {
        let level = mentor.level_name.clone().unwrap_or_default();
        if mentee.target_rank.is_some() {
            sentence.push_str(&format!(
                ", is at {level}, {mentee_name}\u{2019}s target level"
            ));
        } else {
            sentence.push_str(&format!(", is a level above at {level}"));
        }
    }
    if inside_line {
        sentence.push_str(&format!(
            ", but is in {mentee_name}\u{2019}s reporting line."
        ));
    } else {
        sentence.push_str(&format!(
            " and works outside {mentee_name}\u{2019}s reporting line."
        ));
    }
    Some(MatchScore {
        points,
        explanation: sentence,
    })
}

fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or(name)
}

/// What a round optimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundGoal {
    HighestTotal,
    MostMatched,
}

impl RoundGoal {
    pub fn as_str(self) -> &'static str {
        match self {
            RoundGoal::HighestTotal => "highest_total",
            RoundGoal::MostMatched => "most_matched",
        }
    }

    pub fn parse(v: &str) -> Option<Self> {
        match v {
            "highest_total" => Some(RoundGoal::HighestTotal),
            "most_matched" => Some(RoundGoal::MostMatched),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RoundGoal::HighestTotal => "Highest total score",
            RoundGoal::MostMatched => "Most mentees matched",
        }
    }
}

/// A round as the store keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub id: RoundId,
    pub name: String,
    pub goal: RoundGoal,
    pub ends_on: NaiveDate,
    pub published: bool,
    pub created_by: PersonName,
    pub created_at: i64,
    pub published_at: Option<i64>,
    pub mentees: i64,
    pub mentors: i64,
    pub matched: i64,
    pub total_score: i64,
}

/// A new round with its proposed pairs.
#[derive(Debug, Clone)]
pub struct NewRound {
    pub name: String,
    pub goal: RoundGoal,
    pub ends_on: NaiveDate,
    pub created_by: PersonId,
    pub created_at: i64,
    pub mentees: i64,
    pub mentors: i64,
}

/// One mentee's line in a round: their proposed mentor, or why there is none.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundPair {
    pub mentee: PersonName,
    pub mentor: Option<PersonName>,
    pub score: i64,
    pub explanation: String,
    /// The mentee's goals as they stood when the round ran (the mentorship keeps them).
    pub goals: String,
}

/// A mentor and mentee working together.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mentorship {
    pub id: MentorshipId,
    pub mentee: PersonName,
    pub mentor: PersonName,
    pub goals: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub round_id: Option<RoundId>,
    /// Set when the mentee, the mentor or an admin ended it before its end date.
    pub ended: Option<EarlyEnd>,
}

/// A mentorship ended before its end date: from `on` it no longer runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EarlyEnd {
    pub on: NaiveDate,
    /// Who ended it (gone when that person was removed).
    pub by: Option<PersonName>,
    pub note: String,
}

impl Mentorship {
    pub fn running_on(&self, day: NaiveDate) -> bool {
        self.starts_on <= day
            && day <= self.ends_on
            && self.ended.as_ref().is_none_or(|e| day < e.on)
    }
}

/// Ends a mentorship today, before its end date: the mentee, the mentor and admins may.
/// The mentor's place is free again for the next round, and the mentee takes part in it.
pub async fn end_early(
    store: &dyn Store,
    viewer: &Viewer,
    id: MentorshipId,
    note: &str,
    now: i64,
) -> CoreResult<Mentorship> {
    let mentorship = store
        .mentorship(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("mentorship {id}")))?;
    let party = [mentorship.mentee.id, mentorship.mentor.id].contains(&viewer.person_id);
    if !party && !viewer.can_administer() {
        // Either side's managers see the mentorship and are told who may end it; anyone
        // else learns nothing of it.
        let mut sees = false;
        for side in [mentorship.mentee.id, mentorship.mentor.id] {
            sees |= store
                .manager_chain(side)
                .await?
                .iter()
                .any(|c| c.id == viewer.person_id);
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
    let note = super::checked_note(&mut errors, note);
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let audit = crate::store::AuditEntry::about_person(
        now,
        viewer.person_id,
        "mentorship.end",
        mentorship.mentee.id,
        format!(
            "{} mentoring {}, ended early",
            mentorship.mentor.name, mentorship.mentee.name
        ),
    );
    if !store
        .end_mentorship(id, today, viewer.person_id, &note, Some(&audit))
        .await?
    {
        return Err(CoreError::Conflict(
            "this mentorship was ended a moment ago".into(),
        ));
    }
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

fn check_skills(field: &str, raw: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
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
    store: &dyn Store,
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
    let note = super::checked_note(&mut errors, &input.note);
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    store
        .save_mentee_goals(
            viewer.person_id,
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
    store: &dyn Store,
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
    let note = super::checked_note(&mut errors, &input.note);
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    store
        .save_mentor_profile(
            viewer.person_id,
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

pub async fn mine(store: &dyn Store, viewer: &Viewer) -> CoreResult<MyMentoring> {
    Ok(MyMentoring {
        goals: store.mentee_goals(viewer.person_id).await?,
        profile: store.mentor_profile(viewer.person_id).await?,
        mentorships: store.mentorships_of(viewer.person_id).await?,
    })
}

/// A person's mentorships as the viewer may see them: all of them for the person, their
/// manager chain and admins; for anyone else only the ones they are part of.
pub async fn of_person(
    store: &dyn Store,
    viewer: &Viewer,
    person: PersonId,
) -> CoreResult<Vec<Mentorship>> {
    // Unknown ids and people the viewer may not see are 404 alike, for admins too.
    let relation = standing(store, viewer, person).await?.relation;
    visible_mentorships(store, viewer, person, relation).await
}

/// [`of_person`] when the viewer's relation to the person is known (the person page).
pub async fn visible_mentorships(
    store: &dyn Store,
    viewer: &Viewer,
    person: PersonId,
    relation: Relation,
) -> CoreResult<Vec<Mentorship>> {
    let all = store.mentorships_of(person).await?;
    if all.is_empty()
        || matches!(
            relation,
            Relation::Myself | Relation::InMyTree | Relation::Admin
        )
    {
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
        let mine = other == viewer.person_id;
        let above_other = !mine
            && store
                .manager_chain(other)
                .await?
                .iter()
                .any(|c| c.id == viewer.person_id);
        if mine || above_other {
            visible.push(m);
        }
    }
    Ok(visible)
}

fn require_admin(viewer: &Viewer) -> CoreResult<()> {
    if viewer.is_admin {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "run mentoring rounds; people admins do".into(),
        ))
    }
}

/// What an admin fills in to run a round.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct RoundInput {
    pub name: String,
    pub goal: Option<String>,
    /// When the mentorships end.
    pub ends_on: Option<NaiveDate>,
}

/// Runs a round over everyone taking part now and keeps its proposed pairs as a draft.
pub async fn run_round(
    store: &dyn Store,
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
        created_by: viewer.person_id,
        created_at: now,
        mentees: mentees.len() as i64,
        mentors: mentors.len() as i64,
    };
    let audit = crate::store::AuditEntry {
        at: now,
        actor: Some(viewer.person_id),
        action: "mentoring_round.run".into(),
        subject: name.to_string(),
        detail: format!(
            "{} mentees, {} mentors, {} matched (draft)",
            round.mentees,
            round.mentors,
            pairs.iter().filter(|p| p.mentor.is_some()).count()
        ),
    };
    store
        .create_mentoring_round(&round, &pairs, Some(&audit))
        .await
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

fn chain_of(person: PersonId, managers: &HashMap<PersonId, PersonId>) -> Vec<PersonId> {
    let mut chain = Vec::new();
    let mut at = person;
    while let Some(&m) = managers.get(&at) {
        if chain.contains(&m) || chain.len() > 64 {
            break; // reporting lines are a forest; this only guards bad data
        }
        chain.push(m);
        at = m;
    }
    chain
}

/// Scores every allowed pair and finds the best matching (pure; the round's heart).
pub fn propose(
    mentees: &[MenteeEntry],
    mentors: &[MentorEntry],
    managers: &HashMap<PersonId, PersonId>,
    goal: RoundGoal,
) -> Vec<NewRoundPair> {
    let mentee_chains: Vec<Vec<PersonId>> = mentees
        .iter()
        .map(|m| chain_of(m.person.id, managers))
        .collect();
    let mentor_chains: Vec<Vec<PersonId>> = mentors
        .iter()
        .map(|m| chain_of(m.person.id, managers))
        .collect();
    let inside = |i: usize, j: usize| {
        mentee_chains[i].contains(&mentors[j].person.id)
            || mentor_chains[j].contains(&mentees[i].person.id)
    };
    let pairs = allowed_pairs(mentees, mentors, &inside);
    let capacities: Vec<u32> = mentors.iter().map(|m| m.places).collect();
    let goal = match goal {
        RoundGoal::HighestTotal => Goal::HighestTotal,
        RoundGoal::MostMatched => Goal::MostMatched,
    };
    let matching = best_matching(mentees.len(), &capacities, &pairs, goal);
    let mut allowed = vec![0usize; mentees.len()];
    for p in &pairs {
        allowed[p.mentee] += 1;
    }
    drop(pairs);
    mentees
        .iter()
        .enumerate()
        .map(|(i, mentee)| {
            // Sentences only for the chosen pairs: a large round allows millions.
            let chosen = matching.mentor_of[i]
                .and_then(|j| match_score(mentee, &mentors[j], inside(i, j)).map(|s| (j, s)));
            match chosen {
                Some((j, s)) => NewRoundPair {
                    mentee: mentee.person.id,
                    mentor: Some(mentors[j].person.id),
                    score: s.points,
                    explanation: s.explanation,
                    goals: describe_goals(&mentee.goals, mentee.target_name.as_deref()),
                },
                None => NewRoundPair {
                    mentee: mentee.person.id,
                    mentor: None,
                    score: 0,
                    explanation: unmatched_reason(mentee, allowed[i]),
                    goals: describe_goals(&mentee.goals, mentee.target_name.as_deref()),
                },
            }
        })
        .collect()
}

/// Every pair [`match_score`] allows, with its points, found through an index of who
/// offers which skill instead of trying every mentee with every mentor.
fn allowed_pairs(
    mentees: &[MenteeEntry],
    mentors: &[MentorEntry],
    inside: &dyn Fn(usize, usize) -> bool,
) -> Vec<Pair> {
    let mut skill_index: HashMap<&str, usize> = HashMap::new();
    let mut offering: Vec<Vec<u32>> = Vec::new();
    for (j, m) in mentors.iter().enumerate() {
        if m.places == 0 {
            continue;
        }
        for s in &m.strengths {
            let next = skill_index.len();
            let k = *skill_index.entry(s.as_str()).or_insert(next);
            if k == offering.len() {
                offering.push(Vec::new());
            }
            if offering[k].last() != Some(&(j as u32)) {
                offering[k].push(j as u32);
            }
        }
    }
    let mut covered = vec![0u32; mentors.len()];
    let mut has_must = vec![false; mentors.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut pairs = Vec::new();
    for (i, mentee) in mentees.iter().enumerate() {
        let must = match &mentee.goals.must_have {
            Some(m) => match skill_index.get(m.as_str()) {
                Some(&k) => Some(k),
                None => continue, // nobody offers it
            },
            None => None,
        };
        let mut goals: Vec<usize> = mentee
            .goals
            .skills
            .iter()
            .filter_map(|s| skill_index.get(s.as_str()).copied())
            .collect();
        goals.sort_unstable();
        goals.dedup();
        for &k in &goals {
            for &j in &offering[k] {
                if covered[j as usize] == 0 {
                    touched.push(j);
                }
                covered[j as usize] += 1;
            }
        }
        if let Some(k) = must {
            for &j in &offering[k] {
                has_must[j as usize] = true;
            }
        }
        let count = mentee.goals.skills.len().max(1) as i64;
        for &j in &touched {
            let j = j as usize;
            let mentor = &mentors[j];
            if mentor.person.id != mentee.person.id && (must.is_none() || has_must[j]) {
                let skill_points = (SKILL_POINTS * i64::from(covered[j]) + count / 2) / count;
                let points = skill_points
                    + if senior(mentee, mentor) {
                        SENIORITY_POINTS
                    } else {
                        0
                    }
                    + if inside(i, j) { 0 } else { OUTSIDE_LINE_POINTS };
                pairs.push(Pair {
                    mentee: i,
                    mentor: j,
                    score: points,
                });
            }
            covered[j] = 0;
        }
        touched.clear();
        if let Some(k) = must {
            for &j in &offering[k] {
                has_must[j as usize] = false;
            }
        }
    }
    pairs
}

/// The mentor is at the mentee's target level, or above the mentee's own without one.
fn senior(mentee: &MenteeEntry, mentor: &MentorEntry) -> bool {
    match (mentee.target_rank, mentee.level_rank, mentor.level_rank) {
        (Some(target), _, Some(m)) => m >= target,
        (None, Some(own), Some(m)) => m > own,
        _ => false,
    }
}

fn unmatched_reason(mentee: &MenteeEntry, allowed: usize) -> String {
    let name = first_name(&mentee.person.name);
    if allowed == 0 {
        match &mentee.goals.must_have {
            Some(m) => format!("No mentor with places left offers {m}, which {name} must have."),
            None => format!(
                "No mentor with places left offers {}.",
                list(&mentee.goals.skills).replace(" and ", " or ")
            ),
        }
    } else {
        format!(
            "The {allowed} mentor{} who could take {name} are full with pairs that score more overall.",
            if allowed == 1 { "" } else { "s" }
        )
    }
}

/// A round with its lines, for review.
#[derive(Debug, Clone, Serialize)]
pub struct RoundView {
    pub round: Round,
    /// Matched first (best score first), then those left unmatched.
    pub pairs: Vec<RoundPair>,
}

async fn load_round(store: &dyn Store, id: RoundId) -> CoreResult<Round> {
    store
        .mentoring_round(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("mentoring round {id}")))
}

pub async fn rounds(store: &dyn Store, viewer: &Viewer) -> CoreResult<Vec<Round>> {
    require_admin(viewer)?;
    store.mentoring_rounds().await
}

pub async fn show_round(store: &dyn Store, viewer: &Viewer, id: RoundId) -> CoreResult<RoundView> {
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
    store: &dyn Store,
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
    let audit = crate::store::AuditEntry::about_person(
        now,
        viewer.person_id,
        "mentoring_round.remove_pair",
        mentee,
        format!("taken out of {:?} in review", round.name),
    );
    store
        .remove_round_pair(id, mentee, "Taken out in review.", Some(&audit))
        .await
}

/// Publishes a draft round: every proposed pair becomes a mentorship from today to the
/// round's end, with the mentee's goals, in one transaction.
pub async fn publish(
    store: &dyn Store,
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
    let mentorships: Vec<NewMentorship> = store
        .round_pairs(id)
        .await?
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
    let audit = crate::store::AuditEntry {
        at: now,
        actor: Some(viewer.person_id),
        action: "mentoring_round.publish".into(),
        subject: format!("round {id}"),
        detail: format!("{:?}: {count} mentorships", round.name),
    };
    store
        .publish_round(id, viewer.person_id, now, &mentorships, Some(&audit))
        .await?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn mentee(
        id: i64,
        skills: &[&str],
        must: Option<&str>,
        rank: i64,
        target: Option<i64>,
    ) -> MenteeEntry {
        MenteeEntry {
            person: PersonName {
                id: PersonId(id),
                name: format!("Mentee{id} Doe"),
            },
            level_rank: Some(rank),
            goals: MenteeGoals {
                skills: skills.iter().map(|s| s.to_string()).collect(),
                must_have: must.map(str::to_string),
                target_level: None,
                note: String::new(),
            },
            target_rank: target,
            target_name: None,
        }
    }

    fn mentor(id: i64, strengths: &[&str], rank: i64, places: u32) -> MentorEntry {
        MentorEntry {
            person: PersonName {
                id: PersonId(id),
                name: format!("Mentor{id} Roe"),
            },
            level_rank: Some(rank),
            level_name: Some(format!("L{rank}")),
            strengths: strengths.iter().map(|s| s.to_string()).collect(),
            places,
        }
    }

    #[test]
    fn score_adds_skills_seniority_and_distance() {
        let a = mentee(1, &["rust", "sql", "design"], None, 2, Some(4));
        let b = mentor(2, &["rust", "sql"], 4, 1);
        let s = match_score(&a, &b, false).expect("allowed");
        assert_eq!(s.points, 40 + 20 + 20);
        assert_eq!(
            s.explanation,
            "Mentor2 Roe offers rust and sql (2 of Mentee1\u{2019}s 3 goals), is at L4, \
             Mentee1\u{2019}s target level and works outside Mentee1\u{2019}s reporting line."
        );
        let inside = match_score(&a, &b, true).expect("allowed");
        assert_eq!(inside.points, 60);
        assert!(
            inside
                .explanation
                .ends_with("but is in Mentee1\u{2019}s reporting line.")
        );
        // Below the target level: no seniority points.
        let junior = mentor(3, &["design"], 3, 1);
        assert_eq!(
            match_score(&a, &junior, false).map(|s| s.points),
            Some(20 + 20)
        );
        // Without a target, a level above the mentee's own counts.
        let c = mentee(4, &["rust"], None, 2, None);
        assert_eq!(
            match_score(&c, &junior, false),
            None,
            "design is not a goal"
        );
        assert_eq!(match_score(&c, &b, false).map(|s| s.points), Some(100));
    }

    #[test]
    fn filters_rule_pairs_out() {
        let a = mentee(1, &["rust", "sql"], Some("sql"), 2, None);
        assert_eq!(match_score(&a, &mentor(2, &["rust"], 5, 3), false), None);
        assert!(match_score(&a, &mentor(3, &["sql"], 5, 3), false).is_some());
        let me = mentor(1, &["rust", "sql"], 5, 3);
        assert_eq!(
            match_score(&a, &me, false),
            None,
            "nobody mentors themselves"
        );
    }

    #[test]
    fn propose_respects_capacity_filters_and_prefers_outside_the_line() {
        // Mentor 10 manages mentee 1; mentor 11 is elsewhere. Both offer rust.
        let mentees = vec![
            mentee(1, &["rust"], None, 2, None),
            mentee(2, &["rust"], None, 2, None),
            mentee(3, &["go"], Some("go"), 2, None),
        ];
        let mentors = vec![mentor(10, &["rust"], 4, 1), mentor(11, &["rust"], 4, 1)];
        let managers: HashMap<PersonId, PersonId> = [(PersonId(1), PersonId(10))].into();
        let pairs = propose(&mentees, &mentors, &managers, RoundGoal::HighestTotal);
        assert_eq!(pairs[0].mentor, Some(PersonId(11)), "outside the line wins");
        assert_eq!(pairs[1].mentor, Some(PersonId(10)));
        assert_eq!(pairs[0].score + pairs[1].score, 200);
        assert_eq!(pairs[2].mentor, None);
        assert_eq!(
            pairs[2].explanation,
            "No mentor with places left offers go, which Mentee3 must have."
        );
        // Every mentor within capacity.
        for m in &mentors {
            let load = pairs
                .iter()
                .filter(|p| p.mentor == Some(m.person.id))
                .count();
            assert!(load as u32 <= m.places);
        }
    }

    #[test]
    fn the_skill_index_finds_exactly_the_pairs_match_score_allows() {
        let skills = ["rust", "sql", "go", "design", "sales"];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let pick = |next: &mut dyn FnMut(u64) -> u64, k: usize| -> Vec<&str> {
            // Saved goals and strengths never repeat a skill.
            let mut v: Vec<&str> = (0..k).map(|_| skills[next(5) as usize]).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mentees: Vec<MenteeEntry> = (0..40)
            .map(|i| {
                let k = 1 + next(3) as usize;
                let goals = pick(&mut next, k);
                let must = (next(3) == 0).then(|| goals[0]);
                let target = (next(2) == 0).then(|| next(6) as i64);
                mentee(i, &goals, must, next(6) as i64, target)
            })
            .collect();
        let mentors: Vec<MentorEntry> = (20..50)
            .map(|i| {
                let k = 1 + next(3) as usize;
                let strengths = pick(&mut next, k);
                mentor(i, &strengths, next(6) as i64, next(3) as u32)
            })
            .collect();
        let inside = |i: usize, j: usize| (i + j).is_multiple_of(4);
        let fast: Vec<(usize, usize, i64)> = {
            let mut v: Vec<_> = allowed_pairs(&mentees, &mentors, &inside)
                .into_iter()
                .map(|p| (p.mentee, p.mentor, p.score))
                .collect();
            v.sort();
            v
        };
        let mut slow = Vec::new();
        for (i, a) in mentees.iter().enumerate() {
            for (j, b) in mentors.iter().enumerate() {
                if b.places > 0
                    && let Some(s) = match_score(a, b, inside(i, j))
                {
                    slow.push((i, j, s.points));
                }
            }
        }
        assert!(!slow.is_empty());
        assert_eq!(fast, slow);
    }

    #[test]
    fn rounds_never_break_capacity_or_must_have_filters() {
        let skills = ["rust", "sql", "go", "design"];
        let mut seed = 0x0123_4567_89ab_cdefu64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..200 {
            let mentees: Vec<MenteeEntry> = (0..(1 + next(12) as i64))
                .map(|i| {
                    let a = skills[next(4) as usize];
                    let b = skills[next(4) as usize];
                    let goals: Vec<&str> = if a == b { vec![a] } else { vec![a, b] };
                    let must = (next(2) == 0).then(|| goals[0]);
                    mentee(i, &goals, must, next(4) as i64, None)
                })
                .collect();
            let mentors: Vec<MentorEntry> = (100..(101 + next(5) as i64))
                .map(|i| {
                    mentor(
                        i,
                        &[skills[next(4) as usize]],
                        next(6) as i64,
                        next(3) as u32,
                    )
                })
                .collect();
            let managers: HashMap<PersonId, PersonId> =
                [(PersonId(0), PersonId(100))].into_iter().collect();
            let goal = if round % 2 == 0 {
                RoundGoal::HighestTotal
            } else {
                RoundGoal::MostMatched
            };
            let pairs = propose(&mentees, &mentors, &managers, goal);
            assert_eq!(pairs.len(), mentees.len(), "a line for every mentee");
            for m in &mentors {
                let load = pairs
                    .iter()
                    .filter(|p| p.mentor == Some(m.person.id))
                    .count();
                assert!(load as u32 <= m.places, "round {round}: over capacity");
            }
            for p in &pairs {
                let Some(mentor_id) = p.mentor else { continue };
                let mentee = mentees.iter().find(|m| m.person.id == p.mentee).unwrap();
                let mentor = mentors.iter().find(|m| m.person.id == mentor_id).unwrap();
                if let Some(must) = &mentee.goals.must_have {
                    assert!(
                        mentor.strengths.contains(must),
                        "round {round}: must-have broken"
                    );
                }
                assert!(
                    mentee
                        .goals
                        .skills
                        .iter()
                        .any(|s| mentor.strengths.contains(s))
                );
                assert!(p.score > 0 && !p.explanation.is_empty());
            }
        }
    }

    #[test]
    fn goals_read_as_a_sentence() {
        let g = MenteeGoals {
            skills: vec!["rust".into(), "sql".into()],
            must_have: Some("rust".into()),
            target_level: None,
            note: "Ready by spring.".into(),
        };
        assert_eq!(
            describe_goals(&g, None),
            "Grow rust and sql (must have rust). Ready by spring."
        );
    }
}
