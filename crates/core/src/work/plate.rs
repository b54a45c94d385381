//! My plate: a person's open commitments (overdue first, then by due date), workload
//! against capacity, objectives with check-ins due, absences. Seen by the person, their
//! manager chain and admins.

use super::metrics::{DeliveryCounts, Window, Workload};
use super::objectives::view;
use super::reports::{horizon, workloads};
use super::store::{CommitmentOrder, ObjectiveFilter};
use super::{Absence, Commitment, ObjectiveView};
use crate::access::{Reach, Viewer};
use crate::clock::local_date;
use crate::error::{CoreError, CoreResult, FieldError};
use crate::ids::PersonName;
use crate::ids::{AbsenceId, PersonId};
use crate::org::people::standing;
use crate::work::store::WorkStore;
use chrono::NaiveDate;
use serde::Serialize;

/// How many open commitments a plate lists.
pub const PLATE_LIMIT: i64 = 500;

/// Everything on one person's plate.
#[derive(Debug, Clone, Serialize)]
pub struct Plate {
    pub person: PersonName,
    pub reach: Reach,
    /// Today in the person's time zone.
    pub today: NaiveDate,
    /// Overdue first, then by due date.
    pub open: Vec<Commitment>,
    pub recently_closed: Vec<Commitment>,
    pub horizon: Window,
    pub workload: Workload,
    pub overloaded: bool,
    pub capacity_hours_per_week: f64,
    /// The person has their own capacity rather than the organisation default.
    pub capacity_is_custom: bool,
    pub absences: Vec<Absence>,
    pub objectives: Vec<ObjectiveView>,
    /// Delivery over the last 90 days.
    pub delivery: DeliveryCounts,
}

/// The window of the plate's own delivery figure.
pub const PLATE_WINDOW_DAYS: u32 = 90;

async fn reach(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: PersonId,
) -> CoreResult<crate::org::people::Standing> {
    let s = standing(store, viewer, id).await?;
    if !s.reach.plate_visible() {
        // A colleague's plate is private: behave as if there were none.
        return Err(CoreError::NotFound(format!("plate of person {id}")));
    }
    Ok(s)
}

pub async fn show(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: PersonId,
    now: i64,
) -> CoreResult<Plate> {
    let s = reach(store, viewer, id).await?;
    let settings = store.settings().await?;
    let today = local_date(s.person.time_zone.as_deref(), now);
    let horizon = horizon(today, &settings);
    let mut open = store
        .open_commitments(&[id], CommitmentOrder::DueDate, None, PLATE_LIMIT)
        .await?;
    // Overdue first (they are earliest anyway), then by due date, then priority.
    open.sort_by_key(|c| (!c.is_overdue(today), c.due_date, c.priority));
    let recently_closed = store.closed_commitments(id, 10).await?;
    let workload = workloads(store, Some(&[id]), &[id], &settings, horizon).await?[&id];
    let custom = store.capacities(Some(&[id])).await?.first().map(|c| c.1);
    let absences = store.absences_of(id, today).await?;
    let objectives = store
        .objectives(&ObjectiveFilter {
            active_on: Some(today),
            owners: Some(vec![id]),
            ..ObjectiveFilter::default()
        })
        .await?
        .into_iter()
        .map(|o| view(o, now))
        .collect();
    let delivery = store
        .delivery_by_owner(Some(&[id]), Window::ending(today, PLATE_WINDOW_DAYS), today)
        .await?
        .first()
        .map(|d| d.1)
        .unwrap_or_default();
    Ok(Plate {
        person: PersonName {
            id,
            name: s.person.name.clone(),
        },
        reach: s.reach,
        today,
        open,
        recently_closed,
        horizon,
        overloaded: workload.overloaded(),
        workload,
        capacity_hours_per_week: custom.unwrap_or(f64::from(settings.default_capacity_hours)),
        capacity_is_custom: custom.is_some(),
        absences,
        objectives,
        delivery,
    })
}

/// Sets a person's weekly hours; `None` returns them to the organisation default.
pub async fn set_capacity(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: PersonId,
    hours_per_week: Option<f64>,
) -> CoreResult<()> {
    reach(store, viewer, id).await?;
    if let Some(h) = hours_per_week
        && (!h.is_finite() || !(0.0..=80.0).contains(&h))
    {
        return Err(CoreError::field(
            "hours_per_week",
            "give the working hours per week, from 0 to 80",
        ));
    }
    store.set_capacity(id, hours_per_week).await
}

/// Records days off.
pub async fn add_absence(
    store: &dyn WorkStore,
    viewer: &Viewer,
    id: PersonId,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    note: &str,
) -> CoreResult<AbsenceId> {
    reach(store, viewer, id).await?;
    let mut errors = Vec::new();
    if first.is_none() {
        errors.push(FieldError::new("first_day", "give the first day off"));
    }
    let last = last.or(first);
    if let (Some(a), Some(b)) = (first, last) {
        if b < a {
            errors.push(FieldError::new(
                "last_day",
                format!("the last day ({b}) is before the first ({a})"),
            ));
        } else if (b - a).num_days() > 366 {
            errors.push(FieldError::new(
                "last_day",
                "record at most a year at a time",
            ));
        }
    }
    if note.chars().count() > 200 {
        errors.push(FieldError::new("note", "keep the note to 200 characters"));
    }
    match (first, last) {
        (Some(first), Some(last)) if errors.is_empty() => {
            store.add_absence(id, first, last, note.trim()).await
        }
        _ => Err(CoreError::Invalid(errors)),
    }
}

/// Removes recorded days off.
pub async fn delete_absence(
    store: &dyn WorkStore,
    viewer: &Viewer,
    absence: AbsenceId,
) -> CoreResult<PersonId> {
    let a = store
        .absence(absence)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("absence {absence}")))?;
    reach(store, viewer, a.person_id).await?;
    store.delete_absence(absence).await?;
    Ok(a.person_id)
}
