//! The decision log: managers and admins record what was decided, why, the alternatives
//! considered, who decided, the team or objective it belongs to and a date to revisit it.
//! On that date the owner is asked what came of it — kept, changed or reversed, and what
//! was learned — so reversing a decision that did not work out is part of the record, not
//! a failure hidden from it. Like objectives, the log is open to everyone signed in.

pub mod demo;
pub mod store;

use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{DecisionId, ObjectiveId, PersonId, PersonName, TeamId};
use crate::notify::{Notification, Topic};
use crate::org::PersonStatus;
use crate::org::people::standing;
use crate::store::Store;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What came of a decision when it was revisited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DecisionVerdict))]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Kept,
    Changed,
    Reversed,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [Verdict::Kept, Verdict::Changed, Verdict::Reversed];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Kept => "kept",
            Verdict::Changed => "changed",
            Verdict::Reversed => "reversed",
        }
    }

    pub fn parse(text: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == text)
    }

    /// How the log says it, without blame.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Kept => "Kept",
            Verdict::Changed => "Changed course",
            Verdict::Reversed => "Reversed",
        }
    }
}

/// A team or an objective a decision belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Belongs {
    pub id: i64,
    pub name: String,
}

/// What came of a decision, once its owner recorded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = DecisionOutcome))]
pub struct Outcome {
    pub verdict: Verdict,
    pub learned: String,
    pub recorded_at: i64,
}

/// A decision in the log.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub id: DecisionId,
    /// What was decided.
    pub title: String,
    pub why: String,
    pub alternatives: String,
    /// Who decided, in the recorder's words ("the platform team", "Ana and Ben").
    pub decided_by: String,
    /// Who answers for it and is asked to revisit it.
    pub owner: PersonName,
    pub team: Option<Belongs>,
    pub objective: Option<Belongs>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub decided_on: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub revisit_on: NaiveDate,
    pub outcome: Option<Outcome>,
    pub created_at: i64,
}

impl Decision {
    /// Where it stands on `today`.
    pub fn status(&self, today: NaiveDate) -> Status {
        match &self.outcome {
            Some(o) => Status::Closed(o.verdict),
            None if self.revisit_on <= today => Status::Due,
            None => Status::Open,
        }
    }
}

/// Where a decision stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for its revisit date.
    Open,
    /// The revisit date has come and no outcome is recorded.
    Due,
    Closed(Verdict),
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Due => "due",
            Status::Closed(v) => v.as_str(),
        }
    }

    /// How the log says it.
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "waiting for its revisit date",
            Status::Due => "due to revisit",
            Status::Closed(v) => v.label(),
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "open" => Some(Status::Open),
            "due" => Some(Status::Due),
            other => Verdict::parse(other).map(Status::Closed),
        }
    }
}

/// A decision as the pages and the API show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionView {
    #[serde(flatten)]
    pub decision: Decision,
    /// `open`, `due`, `kept`, `changed` or `reversed`.
    pub status: String,
    /// The viewer may record the outcome and move the revisit date: the owner, their
    /// manager chain and admins.
    pub may_revisit: bool,
}

#[derive(Debug, Clone, Default)]
pub struct DecisionFilter {
    pub id: Option<DecisionId>,
    pub team: Option<TeamId>,
    pub objective: Option<ObjectiveId>,
}

pub struct NewDecision {
    pub title: String,
    pub why: String,
    pub alternatives: String,
    pub decided_by: String,
    pub owner: PersonId,
    pub team: Option<TeamId>,
    pub objective: Option<ObjectiveId>,
    pub decided_on: NaiveDate,
    pub revisit_on: NaiveDate,
    pub created_by: Option<PersonId>,
    pub created_at: i64,
}

/// A decision to record.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    /// What was decided.
    pub title: String,
    pub why: String,
    #[serde(default)]
    pub alternatives: String,
    /// Who decided; the owner's name when empty.
    #[serde(default)]
    pub decided_by: String,
    /// Who answers for it; the caller when absent.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// The team it belongs to; the objective's team when absent.
    #[serde(default)]
    pub team_id: Option<i64>,
    #[serde(default)]
    pub objective_id: Option<i64>,
    /// Today when absent.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub decided_on: Option<NaiveDate>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub revisit_on: Option<NaiveDate>,
}

/// What came of a decision.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    /// `kept`, `changed` or `reversed`.
    pub verdict: String,
    /// What was learned; needed when the decision was changed or reversed.
    #[serde(default)]
    pub learned: String,
}

fn text_error(errors: &mut Vec<FieldError>, field: &str, text: &str, max: usize, what: &str) {
    if text.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("{what} is longer than {max} characters"),
        ));
    }
}

/// The day decisions are dated and revisited by: the organisation's calendar day.
pub fn today(now: i64) -> NaiveDate {
    local_date(None, now)
}

/// Records a decision (managers and admins, for themselves or someone they act for).
pub async fn record(
    store: &dyn Store,
    viewer: &Viewer,
    input: &DecisionInput,
    now: i64,
) -> CoreResult<DecisionId> {
    if !viewer.may_lead_teams() {
        return Err(CoreError::Forbidden(
            "record decisions; managers and admins do".into(),
        ));
    }
    let today = today(now);
    let mut errors = Vec::new();
    let title = input.title.trim();
    if title.is_empty() {
        errors.push(FieldError::new("title", "say what was decided"));
    }
    text_error(&mut errors, "title", title, 200, "what was decided");
    if input.why.trim().is_empty() {
        errors.push(FieldError::new("why", "say why it was decided"));
    }
    text_error(&mut errors, "why", &input.why, 4000, "the why");
    text_error(
        &mut errors,
        "alternatives",
        &input.alternatives,
        4000,
        "the alternatives",
    );
    text_error(
        &mut errors,
        "decided_by",
        &input.decided_by,
        200,
        "who decided",
    );
    let decided_on = input.decided_on.unwrap_or(today);
    if decided_on > today {
        errors.push(FieldError::new(
            "decided_on",
            format!("{decided_on} is after today; record a decision once it is made"),
        ));
    }
    match input.revisit_on {
        None => errors.push(FieldError::new(
            "revisit_on",
            "choose a date to revisit the decision",
        )),
        Some(day) if day < today => errors.push(FieldError::new(
            "revisit_on",
            format!("{day} is in the past; choose today or a later day"),
        )),
        Some(day) if day < decided_on => errors.push(FieldError::new(
            "revisit_on",
            format!("{day} is before the decision was made ({decided_on})"),
        )),
        Some(_) => {}
    }
    let owner_id = PersonId(input.owner_id.unwrap_or(viewer.person_id().0));
    let owner_name = match standing(store, viewer, owner_id).await {
        Ok(s) if s.person.status == PersonStatus::Left => {
            errors.push(FieldError::new(
                "owner_id",
                format!("{} has left the organisation", s.person.display_name()),
            ));
            None
        }
        Ok(s) if !s.reach.acts_for() => {
            errors.push(FieldError::new(
                "owner_id",
                format!(
                    "{} is not in your team; record decisions you or your team own",
                    s.person.display_name()
                ),
            ));
            None
        }
        Ok(s) => Some(s.person.display_name()),
        Err(CoreError::NotFound(_)) => {
            errors.push(FieldError::new(
                "owner_id",
                format!("there is no person {owner_id}"),
            ));
            None
        }
        Err(e) => return Err(e),
    };
    let (team, objective) = belongs_to(store, input, &mut errors).await?;
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let decided_by = match input.decided_by.trim() {
        "" => owner_name.unwrap_or_default(),
        text => text.to_string(),
    };
    let id = store
        .create_decision(&NewDecision {
            title: title.to_string(),
            why: input.why.trim().to_string(),
            alternatives: input.alternatives.trim().to_string(),
            decided_by,
            owner: owner_id,
            team,
            objective,
            decided_on,
            revisit_on: input.revisit_on.unwrap_or(today),
            created_by: viewer.actor(),
            created_at: now,
        })
        .await?;
    store
        .audit(&AuditEntry {
            at: now,
            actor: viewer.actor(),
            action: "decision recorded".into(),
            subject: format!("decision {id}"),
            detail: title.to_string(),
        })
        .await?;
    Ok(id)
}

/// The team and objective named by the input, checked; the objective's team stands in
/// for a team not given.
async fn belongs_to(
    store: &dyn Store,
    input: &DecisionInput,
    errors: &mut Vec<FieldError>,
) -> CoreResult<(Option<TeamId>, Option<ObjectiveId>)> {
    let mut team = None;
    if let Some(id) = input.team_id {
        match store.team(TeamId(id)).await? {
            Some(t) => team = Some(t.id),
            None => errors.push(FieldError::new("team_id", format!("there is no team {id}"))),
        }
    }
    let mut objective = None;
    if let Some(id) = input.objective_id {
        match store.objective(ObjectiveId(id)).await? {
            Some(o) => {
                objective = Some(o.id);
                if input.team_id.is_none() {
                    team = o.team.map(|(id, _)| id);
                }
            }
            None => errors.push(FieldError::new(
                "objective_id",
                format!("there is no objective {id}"),
            )),
        }
    }
    if input.team_id.is_none() && input.objective_id.is_none() {
        errors.push(FieldError::new(
            "team_id",
            "choose the team or the objective the decision belongs to",
        ));
    }
    Ok((team, objective))
}

/// Whether the viewer may record the outcome of the owner's decisions: the owner, their
/// manager chain and admins.
async fn may_revisit(store: &dyn Store, viewer: &Viewer, owner: PersonId) -> CoreResult<bool> {
    Ok(match standing(store, viewer, owner).await {
        Ok(s) => s.reach.acts_for(),
        Err(CoreError::NotFound(_)) => false,
        Err(e) => return Err(e),
    })
}

async fn view_of(
    store: &dyn Store,
    viewer: &Viewer,
    decision: Decision,
    now: i64,
) -> CoreResult<DecisionView> {
    Ok(DecisionView {
        status: decision.status(today(now)).as_str().to_string(),
        may_revisit: may_revisit(store, viewer, decision.owner.id).await?,
        decision,
    })
}

/// The log, filtered by team, objective and status.
pub async fn list(
    store: &dyn Store,
    viewer: &Viewer,
    filter: &DecisionFilter,
    status: Option<Status>,
    now: i64,
) -> CoreResult<Vec<DecisionView>> {
    let today = today(now);
    let mut out = Vec::new();
    for d in store.decisions(filter).await? {
        if status.is_none_or(|s| d.status(today) == s) {
            out.push(view_of(store, viewer, d, now).await?);
        }
    }
    Ok(out)
}

pub async fn show(
    store: &dyn Store,
    viewer: &Viewer,
    id: DecisionId,
    now: i64,
) -> CoreResult<DecisionView> {
    let decision = store
        .decision(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("decision {id}")))?;
    view_of(store, viewer, decision, now).await
}

async fn revisitable(store: &dyn Store, viewer: &Viewer, id: DecisionId) -> CoreResult<Decision> {
    let decision = store
        .decision(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("decision {id}")))?;
    if !may_revisit(store, viewer, decision.owner.id).await? {
        return Err(CoreError::Forbidden(format!(
            "revisit this decision; {} owns it",
            decision.owner.name
        )));
    }
    Ok(decision)
}

/// Records what came of a decision: kept, changed or reversed, with what was learned
/// (needed unless it was kept). A second outcome replaces the first.
pub async fn record_outcome(
    store: &dyn Store,
    viewer: &Viewer,
    id: DecisionId,
    input: &OutcomeInput,
    now: i64,
) -> CoreResult<()> {
    let decision = revisitable(store, viewer, id).await?;
    let mut errors = Vec::new();
    let verdict = Verdict::parse(input.verdict.trim());
    if verdict.is_none() {
        errors.push(FieldError::new(
            "verdict",
            format!(
                "“{}” is not an outcome; choose kept, changed or reversed",
                input.verdict
            ),
        ));
    }
    let learned = input.learned.trim();
    if verdict.is_some_and(|v| v != Verdict::Kept) && learned.is_empty() {
        errors.push(FieldError::new(
            "learned",
            "say what was learned, for whoever decides something like it next",
        ));
    }
    text_error(&mut errors, "learned", learned, 4000, "what was learned");
    let Some(verdict) = verdict.filter(|_| errors.is_empty()) else {
        return Err(CoreError::Invalid(errors));
    };
    let by = viewer.actor().unwrap_or(decision.owner.id);
    store.record_outcome(id, verdict, learned, by, now).await?;
    store
        .audit(&AuditEntry {
            at: now,
            actor: viewer.actor(),
            action: "decision revisited".into(),
            subject: format!("decision {id}"),
            detail: format!("{}: {}", verdict.as_str(), decision.title),
        })
        .await
}

/// Moves the revisit date of a decision that has no outcome yet.
pub async fn move_revisit(
    store: &dyn Store,
    viewer: &Viewer,
    id: DecisionId,
    on: Option<NaiveDate>,
    now: i64,
) -> CoreResult<()> {
    let decision = revisitable(store, viewer, id).await?;
    if decision.outcome.is_some() {
        return Err(CoreError::Conflict(
            "its outcome is recorded; record a new decision to revisit it again".into(),
        ));
    }
    let today = today(now);
    let on = match on {
        None => return Err(CoreError::field("revisit_on", "choose a date to revisit")),
        Some(day) if day < today => {
            return Err(CoreError::field(
                "revisit_on",
                format!("{day} is in the past; choose today or a later day"),
            ));
        }
        Some(day) => day,
    };
    store.set_revisit(id, on).await
}

/// Asks owners, once, to revisit decisions whose date has come; an owner who has left is
/// replaced by the people admins.
pub async fn remind_due(store: &dyn Store, now: i64) -> CoreResult<usize> {
    let mut sent = 0;
    let due = store.decisions_to_revisit(today(now)).await?;
    if due.is_empty() {
        return Ok(0);
    }
    for d in due {
        let text = format!(
            "Time to revisit “{}” (decided {}): was it kept, changed or reversed, and what \
             was learned?",
            d.title, d.decided_on
        );
        let active =
            matches!(store.person(d.owner.id).await?, Some(p) if p.status != PersonStatus::Left);
        let to = if active {
            vec![d.owner.id]
        } else {
            store.people_admins().await?
        };
        let notes: Vec<Notification> = to
            .into_iter()
            .map(|p| {
                Notification::new(
                    p,
                    Topic::DecisionRevisit,
                    text.clone(),
                    format!("/decisions/{}", d.id),
                    now,
                )
            })
            .collect();
        if store.mark_revisit_reminded(d.id, &notes, now).await? {
            sent += notes.len();
        }
    }
    Ok(sent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(revisit: &str, outcome: Option<Verdict>) -> Decision {
        Decision {
            id: DecisionId(1),
            title: "Move to weekly releases".into(),
            why: "Smaller changes".into(),
            alternatives: String::new(),
            decided_by: "Ana".into(),
            owner: PersonName {
                id: PersonId(1),
                name: "Ana".into(),
            },
            team: None,
            objective: None,
            decided_on: "2026-01-10".parse().unwrap(),
            revisit_on: revisit.parse().unwrap(),
            outcome: outcome.map(|verdict| Outcome {
                verdict,
                learned: String::new(),
                recorded_at: 0,
            }),
            created_at: 0,
        }
    }

    #[test]
    fn a_decision_is_due_from_its_revisit_day_until_an_outcome_is_recorded() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let d = decision("2026-06-01", None);
        assert_eq!(d.status(day("2026-05-31")), Status::Open);
        assert_eq!(d.status(day("2026-06-01")), Status::Due);
        let reversed = decision("2026-06-01", Some(Verdict::Reversed));
        assert_eq!(
            reversed.status(day("2026-07-01")),
            Status::Closed(Verdict::Reversed)
        );
        for s in ["open", "due", "kept", "changed", "reversed"] {
            assert_eq!(Status::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(Status::parse("late"), None);
    }
}
