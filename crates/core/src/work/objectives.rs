//! Objectives: company, team and personal, aligned to a parent; key results; weekly
//! check-ins; the alignment tree.
//!
//! Objectives are shared with everyone signed in (alignment only works when people can see
//! what the rest of the organisation aims for). They are changed by their owner, the
//! owner's manager chain and admins; company objectives are set by admins, team
//! objectives by people with reports.

use super::metrics::{
    Measure, expected_progress, gap_points, objective_progress, objective_status,
};
use super::store::ObjectiveFilter;
use super::{
    CheckIn, Confidence, NewCheckIn, NewKeyResult, NewObjective, Objective, ObjectiveView, Scope,
};
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::{KeyResultId, ObjectiveId, PersonId, TeamId};
use crate::org::people::standing;
use crate::work::store::WorkStore;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A week: after this long without a check-in, one is due.
const CHECK_IN_EVERY_SECONDS: i64 = 7 * 24 * 3600;

/// Progress, status and whether a check-in is due, as of `now`.
pub fn view(objective: Objective, now: i64) -> ObjectiveView {
    let today = local_date(None, now);
    let measures: Vec<&Measure> = objective.key_results.iter().map(|k| &k.measure).collect();
    let progress = objective_progress(&measures);
    let expected = expected_progress(objective.period_start, objective.period_end, today);
    let running =
        !objective.closed && objective.period_start <= today && today <= objective.period_end;
    let check_in_due = running
        && !objective.key_results.is_empty()
        && objective
            .key_results
            .iter()
            .filter_map(|k| k.last_check_in_at)
            .max()
            .is_none_or(|last| now - last >= CHECK_IN_EVERY_SECONDS);
    ObjectiveView {
        progress,
        expected,
        gap_points: progress.map(|p| gap_points(p, expected)),
        status: progress.map(|p| objective_status(p, expected)),
        check_in_due,
        objective,
    }
}

/// The first and last day of a quarter written `2026-Q4`.
pub fn quarter_dates(text: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (year, q) = text.trim().split_once(['-', ' '])?;
    let year: i32 = year.parse().ok()?;
    let q: u32 = q.trim_start_matches(['Q', 'q']).parse().ok()?;
    if !(1..=4).contains(&q) {
        return None;
    }
    let first = NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)?;
    let next = if q == 4 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, q * 3 + 1, 1)?
    };
    Some((first, next.pred_opt()?))
}

/// The quarter a day falls in, written `2026-Q4`.
pub fn quarter_of(day: NaiveDate) -> String {
    format!("{}-Q{}", day.year(), (day.month() - 1) / 3 + 1)
}

/// What a person fills in to create an objective.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ObjectiveRequest))]
#[serde(deny_unknown_fields)]
pub struct ObjectiveInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Default person. Company objectives: admins; team objectives: people with reports.
    pub scope: Option<Scope>,
    /// Required for team objectives.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub team_id: Option<TeamId>,
    /// Defaults to the viewer.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub owner_id: Option<PersonId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub parent_id: Option<ObjectiveId>,
    /// `2026-Q4`; or give both dates.
    pub quarter: Option<String>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
}

/// Creates an objective.
pub async fn create(
    store: &dyn WorkStore,
    viewer: &Viewer,
    input: &ObjectiveInput,
    now: i64,
) -> CoreResult<ObjectiveId> {
    let mut errors = Vec::new();
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new(
            "title",
            "give a title of 1 to 200 characters",
        ));
    }
    let scope = input.scope.unwrap_or(Scope::Person);
    match scope {
        Scope::Company if !viewer.may_administer() => {
            return Err(CoreError::Forbidden(
                "set company objectives; people admins do".into(),
            ));
        }
        Scope::Team if !viewer.may_administer() && !viewer.has_reports() => {
            return Err(CoreError::Forbidden(
                "set team objectives without a team of your own".into(),
            ));
        }
        _ => {}
    }
    let owner_id = input.owner_id.unwrap_or(viewer.person_id());
    let owner = standing(store, viewer, owner_id)
        .await
        .map_err(|e| match e {
            CoreError::NotFound(_) => {
                CoreError::field("owner_id", format!("there is no person {owner_id}"))
            }
            e => e,
        })?;
    if !owner.reach.acts_for() {
        errors.push(FieldError::new(
            "owner_id",
            format!("{} is outside your reporting tree", owner.person.name),
        ));
    }
    if owner.person.status == crate::org::PersonStatus::Left {
        errors.push(FieldError::new(
            "owner_id",
            format!("{} has left the organisation", owner.person.name),
        ));
    }
    let team = match (scope, input.team_id) {
        (Scope::Team, None) => {
            errors.push(FieldError::new("team_id", "choose the team"));
            None
        }
        (Scope::Team, Some(id)) => {
            if store.team(id).await?.is_none() {
                errors.push(FieldError::new("team_id", format!("there is no team {id}")));
            }
            Some(id)
        }
        (_, team) => team.filter(|_| scope == Scope::Team),
    };
    let period = match (&input.quarter, input.period_start, input.period_end) {
        (Some(q), _, _) if !q.trim().is_empty() => match quarter_dates(q) {
            Some(p) => Some(p),
            None => {
                errors.push(FieldError::new(
                    "quarter",
                    format!("{q:?} is not a quarter; write it like 2026-Q4"),
                ));
                None
            }
        },
        (_, Some(a), Some(b)) => Some((a, b)),
        _ => {
            errors.push(FieldError::new(
                "period",
                "choose a quarter or give the first and last day",
            ));
            None
        }
    };
    if let Some((a, b)) = period {
        if b < a {
            errors.push(FieldError::new(
                "period_end",
                format!("the period ends ({b}) before it starts ({a})"),
            ));
        } else if (b - a).num_days() > 731 {
            errors.push(FieldError::new(
                "period_end",
                "keep the period to two years at most",
            ));
        }
    }
    if let Some(parent) = input.parent_id {
        check_parent(store, &mut errors, scope, parent).await?;
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let (period_start, period_end) = period.unwrap_or_default();
    store
        .create_objective(&NewObjective {
            title: title.to_string(),
            description: input.description.trim().to_string(),
            scope,
            team,
            owner: owner_id,
            parent: input.parent_id,
            period_start,
            period_end,
            created_at: now,
        })
        .await
}

async fn check_parent(
    store: &dyn WorkStore,
    errors: &mut Vec<FieldError>,
    scope: Scope,
    parent: ObjectiveId,
) -> CoreResult<()> {
    match store.objective(parent).await? {
        None => errors.push(FieldError::new(
            "parent_id",
            format!("there is no objective {parent}"),
        )),
        Some(p) if p.scope.rank() > scope.rank() => errors.push(FieldError::new(
            "parent_id",
            format!(
                "a {} objective cannot align to a {} objective (\u{201c}{}\u{201d}); align to the same level or above",
                scope.as_str(),
                p.scope.as_str(),
                p.title
            ),
        )),
        Some(_) => {}
    }
    Ok(())
}

async fn load_for_change(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: ObjectiveId,
) -> CoreResult<Objective> {
    let objective = store
        .objective(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("objective {id}")))?;
    let owner = standing(store, viewer, objective.owner.id).await?;
    if !owner.reach.acts_for() {
        return Err(CoreError::Forbidden(format!(
            "change \u{201c}{}\u{201d}; its owner, their {} chain and admins can",
            objective.title, "manager"
        )));
    }
    Ok(objective)
}

/// An objective with its check-ins, the objectives aligned to it and whether the viewer
/// may change it.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveDetail {
    #[serde(flatten)]
    pub view: ObjectiveView,
    pub check_ins: Vec<CheckIn>,
    pub children: Vec<ObjectiveView>,
    pub can_change: bool,
}

pub async fn show(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: ObjectiveId,
    now: i64,
) -> CoreResult<ObjectiveDetail> {
    let objective = store
        .objective(id)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("objective {id}")))?;
    let owner = standing(store, viewer, objective.owner.id).await?;
    let check_ins = store.check_ins(id, 50).await?;
    let children = store
        .objectives(&ObjectiveFilter {
            parent: Some(id),
            include_closed: true,
            ..ObjectiveFilter::default()
        })
        .await?
        .into_iter()
        .map(|o| view(o, now))
        .collect();
    Ok(ObjectiveDetail {
        view: view(objective, now),
        check_ins,
        children,
        can_change: owner.reach.acts_for(),
    })
}

/// Aligns an objective to another (or to none), refusing loops with the loop named.
pub async fn set_parent(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: ObjectiveId,
    parent: Option<ObjectiveId>,
) -> CoreResult<()> {
    let objective = load_for_change(store, viewer, id).await?;
    if let Some(parent) = parent {
        let mut errors = Vec::new();
        check_parent(store, &mut errors, objective.scope, parent).await?;
        if !errors.is_empty() {
            return Err(CoreError::Invalid(errors));
        }
        // Walk up from the new parent; meeting this objective again would close a loop.
        let mut names = vec![objective.title.clone()];
        let mut cursor = Some(parent);
        let mut steps = 0;
        while let Some(at) = cursor {
            let Some(o) = store.objective(at).await? else {
                break;
            };
            names.push(o.title.clone());
            if at == id {
                return Err(CoreError::field(
                    "parent_id",
                    format!(
                        "aligning here would make a loop: {}",
                        names
                            .iter()
                            .map(|n| format!("\u{201c}{n}\u{201d}"))
                            .collect::<Vec<_>>()
                            .join(" → ")
                    ),
                ));
            }
            cursor = o.parent.map(|(p, _)| p);
            steps += 1;
            if steps > 100 {
                break;
            }
        }
    }
    store.set_objective_parent(id, parent).await
}

/// Closes an objective (no more check-ins) or opens it again.
pub async fn set_closed(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: ObjectiveId,
    closed: bool,
) -> CoreResult<()> {
    let objective = load_for_change(store, viewer, id).await?;
    if objective.closed == closed {
        return Err(CoreError::Conflict(format!(
            "the objective is already {}",
            if closed { "closed" } else { "open" }
        )));
    }
    store.set_objective_closed(id, closed).await
}

/// What a person fills in to add a key result.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = KeyResultRequest))]
#[serde(deny_unknown_fields)]
pub struct KeyResultInput {
    pub title: String,
    /// `numeric` (default) or `done`.
    pub kind: Option<String>,
    pub start: Option<f64>,
    pub target: Option<f64>,
    pub current: Option<f64>,
    #[serde(default)]
    pub unit: String,
}

/// Adds a key result to an open objective.
pub async fn add_key_result(
    store: &dyn WorkStore,
    viewer: &Viewer,
    objective: ObjectiveId,
    input: &KeyResultInput,
) -> CoreResult<KeyResultId> {
    let o = load_for_change(store, viewer, objective).await?;
    let mut errors = Vec::new();
    if o.closed {
        errors.push(FieldError::new(
            "objective",
            "the objective is closed; open it again to add key results",
        ));
    }
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        errors.push(FieldError::new(
            "title",
            "give a title of 1 to 200 characters",
        ));
    }
    let measure = match input.kind.as_deref().unwrap_or("numeric") {
        "done" => Measure::Done { done: false },
        "numeric" => {
            let mut number = |field: &str, v: Option<f64>| match v {
                Some(x) if x.is_finite() => x,
                _ => {
                    errors.push(FieldError::new(field, "give a number"));
                    0.0
                }
            };
            let start = number("start", input.start);
            let target = number("target", input.target);
            let current = input.current.filter(|c| c.is_finite()).unwrap_or(start);
            if input.start.is_some() && input.target.is_some() && start == target {
                errors.push(FieldError::new(
                    "target",
                    format!(
                        "the target equals the start ({start}); progress could never be measured"
                    ),
                ));
            }
            if input.unit.chars().count() > 20 {
                errors.push(FieldError::new("unit", "keep the unit to 20 characters"));
            }
            Measure::Numeric {
                start,
                target,
                current,
                unit: input.unit.trim().to_string(),
            }
        }
        other => {
            errors.push(FieldError::new(
                "kind",
                format!("{other:?} is not a kind of key result; use numeric or done"),
            ));
            Measure::Done { done: false }
        }
    };
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    store
        .add_key_result(
            objective,
            &NewKeyResult {
                title: title.to_string(),
                measure,
            },
        )
        .await
}

/// What a person fills in at a check-in.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CheckInRequest))]
#[serde(deny_unknown_fields)]
pub struct CheckInInput {
    /// The new value of a numeric key result.
    pub value: Option<f64>,
    /// For done/not-done key results.
    #[serde(default)]
    pub done: bool,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub confidence: Option<Confidence>,
    #[serde(default)]
    pub note: String,
}

/// Records a check-in on a key result of an open objective.
pub async fn check_in(
    store: &dyn WorkStore,
    viewer: &Viewer,
    key_result: KeyResultId,
    input: &CheckInInput,
    now: i64,
) -> CoreResult<()> {
    let kr = store
        .key_result(key_result)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("key result {key_result}")))?;
    let o = load_for_change(store, viewer, kr.objective_id).await?;
    if o.closed {
        return Err(CoreError::field(
            "objective",
            format!(
                "\u{201c}{}\u{201d} is closed; open it again to check in",
                o.title
            ),
        ));
    }
    let mut errors = Vec::new();
    let value = match kr.measure {
        Measure::Numeric { .. } => match input.value {
            Some(v) if v.is_finite() => Some(v),
            _ => {
                errors.push(FieldError::new("value", "give the new value"));
                None
            }
        },
        Measure::Done { .. } => None,
    };
    let Some(confidence) = input.confidence else {
        errors.push(FieldError::new(
            "confidence",
            "say how confident you are: on track, unsure or off track",
        ));
        return Err(CoreError::Invalid(errors));
    };
    if input.note.chars().count() > 2000 {
        errors.push(FieldError::new("note", "keep the note to 2,000 characters"));
    }
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    store
        .record_check_in(&NewCheckIn {
            key_result_id: key_result,
            author: viewer.person_id(),
            at: now,
            value,
            done: input.done,
            confidence,
            note: input.note.trim().to_string(),
        })
        .await
}

/// One objective in the alignment tree with those aligned to it.
#[derive(Debug, Clone, Serialize)]
pub struct AlignmentNode {
    #[serde(flatten)]
    pub view: ObjectiveView,
    pub children: Vec<AlignmentNode>,
}

/// Which running objectives a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Showing {
    #[default]
    All,
    /// The viewer's own.
    Mine,
    /// The viewer's and their reporting tree's.
    MyTeam,
    /// Those at risk.
    AtRisk,
}

impl Showing {
    pub const ALL: [Showing; 4] = [
        Showing::All,
        Showing::Mine,
        Showing::MyTeam,
        Showing::AtRisk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Showing::All => "all",
            Showing::Mine => "mine",
            Showing::MyTeam => "team",
            Showing::AtRisk => "at-risk",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Showing::All => "All",
            Showing::Mine => "Mine",
            Showing::MyTeam => "My team",
            Showing::AtRisk => "At risk",
        }
    }

    pub fn parse(text: &str) -> Option<Showing> {
        Showing::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Running objectives as a list, filtered, grouped by level (company, team, person) and
/// then owner, for finding one among many rather than reading the whole tree.
pub async fn listed(
    store: &dyn WorkStore,
    viewer: &Viewer,
    showing: Showing,
    level: Option<Scope>,
    now: i64,
) -> CoreResult<Vec<ObjectiveView>> {
    let today = local_date(None, now);
    let owners = match showing {
        Showing::Mine => Some(vec![viewer.person_id()]),
        Showing::MyTeam => Some(
            store
                .tree_members(viewer.person_id())
                .await?
                .into_iter()
                .map(|m| m.id)
                .collect(),
        ),
        Showing::All | Showing::AtRisk => None,
    };
    let all = store
        .objectives(&ObjectiveFilter {
            active_on: Some(today),
            owners,
            scope: level,
            ..ObjectiveFilter::default()
        })
        .await?;
    let mut views: Vec<ObjectiveView> = all
        .into_iter()
        .map(|o| view(o, now))
        .filter(|v| {
            showing != Showing::AtRisk || v.status == Some(super::metrics::ObjectiveStatus::AtRisk)
        })
        .collect();
    views.sort_by(|a, b| {
        let (x, y) = (&a.objective, &b.objective);
        x.scope
            .rank()
            .cmp(&y.scope.rank())
            .then_with(|| x.owner.name.cmp(&y.owner.name))
            .then_with(|| x.title.cmp(&y.title))
    });
    Ok(views)
}

/// Company → team → person objectives running on `now`'s day, each under its parent.
/// Objectives whose parent is not running stand at the top.
pub async fn alignment_tree(
    store: &dyn WorkStore,
    _viewer: &Viewer,
    now: i64,
) -> CoreResult<Vec<AlignmentNode>> {
    let today = local_date(None, now);
    let all = store
        .objectives(&ObjectiveFilter {
            active_on: Some(today),
            ..ObjectiveFilter::default()
        })
        .await?;
    Ok(build_tree(all.into_iter().map(|o| view(o, now)).collect()))
}

fn build_tree(views: Vec<ObjectiveView>) -> Vec<AlignmentNode> {
    use std::collections::HashMap;
    let ids: std::collections::HashSet<ObjectiveId> =
        views.iter().map(|v| v.objective.id).collect();
    let mut children: HashMap<ObjectiveId, Vec<ObjectiveView>> = HashMap::new();
    let mut roots = Vec::new();
    for v in views {
        match v.objective.parent {
            Some((p, _)) if ids.contains(&p) => children.entry(p).or_default().push(v),
            _ => roots.push(v),
        }
    }
    fn attach(
        v: ObjectiveView,
        children: &mut std::collections::HashMap<ObjectiveId, Vec<ObjectiveView>>,
        depth: u32,
    ) -> AlignmentNode {
        let kids = if depth < 50 {
            children.remove(&v.objective.id).unwrap_or_default()
        } else {
            Vec::new()
        };
        AlignmentNode {
            children: kids
                .into_iter()
                .map(|k| attach(k, children, depth + 1))
                .collect(),
            view: v,
        }
    }
    roots.sort_by(|a, b| {
        (a.objective.scope.rank(), &a.objective.title)
            .cmp(&(b.objective.scope.rank(), &b.objective.title))
    });
    roots
        .into_iter()
        .map(|r| attach(r, &mut children, 0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_are_read_and_written() {
        let (a, b) = quarter_dates("2026-Q4").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-10-01".into(), "2026-12-31".into())
        );
        let (a, b) = quarter_dates("2026 q1").unwrap();
        assert_eq!(
            (a.to_string(), b.to_string()),
            ("2026-01-01".into(), "2026-03-31".into())
        );
        assert!(quarter_dates("2026-Q5").is_none());
        assert_eq!(quarter_of("2026-11-23".parse().unwrap()), "2026-Q4");
    }
}
