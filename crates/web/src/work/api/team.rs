//! Plates, capacity and absences, the team job view and its priorities, with the delivery and workload figures they show.

use super::*;
use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use trellis_core::PersonId;
use trellis_core::ids::{AbsenceId, CommitmentId};
use trellis_core::work::commitments::{self};
use trellis_core::work::metrics::{DeliveryCounts, Window, Workload};
use trellis_core::work::{plate, team_view};
use utoipa::{IntoParams, ToSchema};

/// Delivery counts: commitments due in the window and those delivered on time.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub due: u64,
    pub on_time: u64,
    /// on_time ÷ due; null when nothing was due ("no data").
    pub reliability: Option<f64>,
}

impl From<DeliveryCounts> for DeliveryResponse {
    fn from(d: DeliveryCounts) -> Self {
        DeliveryResponse {
            due: d.due,
            on_time: d.on_time,
            reliability: d.reliability(),
        }
    }
}

/// Remaining effort against capacity over the horizon.
#[derive(Debug, Serialize, ToSchema)]
pub struct WorkloadResponse {
    pub remaining_hours: f64,
    pub capacity_hours: f64,
    /// remaining ÷ capacity; null without capacity.
    pub ratio: Option<f64>,
    /// Over 1.2 (or work with no capacity).
    pub overloaded: bool,
}

impl From<Workload> for WorkloadResponse {
    fn from(w: Workload) -> Self {
        WorkloadResponse {
            remaining_hours: w.remaining_hours,
            capacity_hours: w.capacity_hours,
            ratio: w.ratio(),
            overloaded: w.overloaded(),
        }
    }
}

/// A span of days, both ends included.
#[derive(Debug, Serialize, ToSchema)]
pub struct WindowResponse {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl From<Window> for WindowResponse {
    fn from(w: Window) -> Self {
        WindowResponse {
            first: w.first,
            last: w.last,
        }
    }
}

/// An absence.
#[derive(Debug, Serialize, ToSchema)]
pub struct AbsenceResponse {
    pub id: i64,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub note: String,
}

/// One person's plate.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlateResponse {
    pub person: PersonRef,
    pub today: NaiveDate,
    /// Overdue first, then by due date.
    pub open: Vec<CommitmentResponse>,
    pub recently_closed: Vec<CommitmentResponse>,
    pub horizon: WindowResponse,
    pub workload: WorkloadResponse,
    pub capacity_hours_per_week: f64,
    pub capacity_is_custom: bool,
    pub absences: Vec<AbsenceResponse>,
    pub objectives: Vec<ObjectiveResponse>,
    /// Over the last 90 days.
    pub delivery: DeliveryResponse,
    /// Open help the person's manager promised in their career plan.
    pub support_for_me: Vec<CommitmentResponse>,
    /// The plate conversation.
    pub wishes: Vec<WishResponse>,
}

/// A wish in the plate conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct WishResponse {
    pub id: i64,
    pub person_id: i64,
    /// off or on
    pub direction: String,
    pub what: String,
    pub commitment_id: Option<i64>,
}

impl From<&trellis_core::growth::wishes::PlateWish> for WishResponse {
    fn from(w: &trellis_core::growth::wishes::PlateWish) -> Self {
        WishResponse {
            id: w.id.0,
            person_id: w.person_id.0,
            direction: w.direction.as_str().into(),
            what: w.what.clone(),
            commitment_id: w.commitment_id.map(|c| c.0),
        }
    }
}

/// Someone in the team who would take the work, and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct TakerResponse {
    pub person: PersonRef,
    /// "wants to grow rust and has 6 h free a week"
    pub reason: String,
}

/// Work someone would like moved off their plate, with the people in the tree who want it
/// (best first, at most three).
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferResponse {
    pub wish: WishResponse,
    pub from: PersonRef,
    /// The open commitment the wish names, still on the wisher's plate.
    pub commitment: Option<CommitmentResponse>,
    pub takers: Vec<TakerResponse>,
}

impl From<&trellis_core::growth::wishes::Offer> for OfferResponse {
    fn from(o: &trellis_core::growth::wishes::Offer) -> Self {
        OfferResponse {
            wish: (&o.wish).into(),
            from: (&o.from).into(),
            commitment: o.commitment.as_ref().map(Into::into),
            takers: o
                .takers
                .iter()
                .map(|t| TakerResponse {
                    person: (&t.person).into(),
                    reason: t.reason.clone(),
                })
                .collect(),
        }
    }
}

/// A new wish.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WishRequest {
    /// off or on
    pub direction: trellis_core::growth::wishes::Direction,
    #[serde(default)]
    pub what: String,
    /// One of the person's open commitments, to move off.
    pub commitment_id: Option<i64>,
}

/// Record what the person would like moved off or onto their plate.
#[utoipa::path(post, path = "/api/v1/people/{id}/wishes", tag = "growth",
    params(("id" = i64, Path, description = "Person id")), request_body = WishRequest,
    responses((status = 201, body = WishResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_wish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<WishRequest>,
) -> Result<(StatusCode, Json<WishResponse>), ApiError> {
    use trellis_core::growth::wishes;
    let store = state.store.as_ref();
    let wish = wishes::add(
        store,
        &user.viewer,
        PersonId(id),
        body.direction,
        &body.what,
        body.commitment_id.map(CommitmentId),
        crate::now(),
    )
    .await?;
    let w = store
        .plate_wish(wish)
        .await?
        .ok_or_else(|| trellis_core::CoreError::NotFound(format!("wish {wish}")))?;
    Ok((StatusCode::CREATED, Json((&w).into())))
}

/// Remove a wish.
#[utoipa::path(delete, path = "/api/v1/wishes/{id}", tag = "growth",
    params(("id" = i64, Path, description = "Wish id")),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn remove_wish(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    trellis_core::growth::wishes::remove(
        state.store.as_ref(),
        &user.viewer,
        trellis_core::ids::WishId(id),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A person's plate: their open commitments, workload, objectives and absences (the
/// person, their manager chain and admins).
#[utoipa::path(get, path = "/api/v1/people/{id}/plate", tag = "work",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = PlateResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_plate(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PlateResponse>, ApiError> {
    let p = plate::show(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        crate::now(),
    )
    .await?;
    let wishes = trellis_core::growth::wishes::of_plate(state.store.as_ref(), &p).await?;
    let support = trellis_core::growth::career::support_on_plate(state.store.as_ref(), &p).await?;
    Ok(Json(PlateResponse {
        person: (&p.person).into(),
        today: p.today,
        open: p.open.iter().map(Into::into).collect(),
        recently_closed: p.recently_closed.iter().map(Into::into).collect(),
        horizon: p.horizon.into(),
        workload: p.workload.into(),
        capacity_hours_per_week: p.capacity_hours_per_week,
        capacity_is_custom: p.capacity_is_custom,
        absences: p
            .absences
            .iter()
            .map(|a| AbsenceResponse {
                id: a.id.0,
                first_day: a.first_day,
                last_day: a.last_day,
                note: a.note.clone(),
            })
            .collect(),
        objectives: p.objectives.iter().map(Into::into).collect(),
        delivery: p.delivery.into(),
        support_for_me: support.iter().map(Into::into).collect(),
        wishes: wishes.iter().map(Into::into).collect(),
    }))
}

/// Weekly hours; null returns to the organisation default.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityRequest {
    /// 0 to 80; null for the organisation default.
    #[schema(minimum = 0, maximum = 80)]
    pub hours_per_week: Option<f64>,
}

/// Set a person's weekly capacity.
#[utoipa::path(put, path = "/api/v1/people/{id}/capacity", tag = "work",
    params(("id" = i64, Path, description = "Person id")), request_body = CapacityRequest,
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn set_capacity(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<CapacityRequest>,
) -> Result<StatusCode, ApiError> {
    plate::set_capacity(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        body.hours_per_week,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Days off.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceRequest {
    #[schema(required = true, nullable = false)]
    pub first_day: Option<NaiveDate>,
    /// Defaults to the first day.
    pub last_day: Option<NaiveDate>,
    #[serde(default)]
    pub note: String,
}

/// Record days off (they reduce capacity).
#[utoipa::path(post, path = "/api/v1/people/{id}/absences", tag = "work",
    params(("id" = i64, Path, description = "Person id")), request_body = AbsenceRequest,
    responses((status = 201, body = AbsenceResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_absence(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AbsenceRequest>,
) -> Result<(StatusCode, Json<AbsenceResponse>), ApiError> {
    let absence = plate::add_absence(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        body.first_day,
        body.last_day,
        &body.note,
    )
    .await?;
    let first = body.first_day.unwrap_or_default();
    Ok((
        StatusCode::CREATED,
        Json(AbsenceResponse {
            id: absence.0,
            first_day: first,
            last_day: body.last_day.unwrap_or(first),
            note: body.note.trim().to_string(),
        }),
    ))
}

/// Remove recorded days off.
#[utoipa::path(delete, path = "/api/v1/absences/{id}", tag = "work",
    params(("id" = i64, Path, description = "Absence id")),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn delete_absence(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    plate::delete_absence(state.store.as_ref(), &user.viewer, AbsenceId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The window of delivery figures.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamWorkParams {
    /// Days, 7 to 730; default 90.
    #[param(minimum = 7, maximum = 730)]
    pub window_days: Option<u32>,
    /// How members are ordered: tree (default), workload, reliability, overdue or name.
    #[param(pattern = "^(tree|workload|reliability|overdue|name)$")]
    pub sort: Option<String>,
}

/// One person of a tree with their figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberFiguresResponse {
    pub person: PersonRef,
    pub title: Option<String>,
    pub manager_id: Option<i64>,
    pub depth: u32,
    pub workload: WorkloadResponse,
    pub delivery: DeliveryResponse,
    /// Open work past its agreed date.
    pub overdue: i64,
}

/// One month of delivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthResponse {
    /// YYYY-MM
    pub month: String,
    pub delivery: DeliveryResponse,
}

/// A manager's team: priorities, due work, workload, delivery and objectives. Direct
/// reports of the manager get the priorities only (`full` false).
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamWorkResponse {
    pub manager: PersonRef,
    pub full: bool,
    pub today: NaiveDate,
    pub priorities: Vec<CommitmentResponse>,
    pub priorities_truncated: bool,
    pub overdue: Vec<CommitmentResponse>,
    pub due_this_week: Vec<CommitmentResponse>,
    pub members: Vec<MemberFiguresResponse>,
    pub overloaded_count: usize,
    pub window: WindowResponse,
    pub horizon: WindowResponse,
    pub delivery: DeliveryResponse,
    pub trend: Vec<MonthResponse>,
    pub objectives: Vec<ObjectiveResponse>,
    /// What people in the tree would like moved off and onto their plates.
    pub wishes: Vec<WishResponse>,
    /// Each off-wish with the people in the tree who want that work (the full view only).
    pub offers: Vec<OfferResponse>,
}

/// The team job view of a manager's whole tree.
#[utoipa::path(get, path = "/api/v1/people/{id}/team-work", tag = "work",
    params(("id" = i64, Path, description = "The manager's person id"), TeamWorkParams),
    responses((status = 200, body = TeamWorkResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_team_work(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    Query(params): Query<TeamWorkParams>,
) -> Result<Json<TeamWorkResponse>, ApiError> {
    let mut v = team_view::show(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        params.window_days.unwrap_or(90),
        crate::now(),
    )
    .await?;
    let order = match params.sort.as_deref() {
        None => team_view::MemberOrder::Tree,
        Some(text) => team_view::MemberOrder::parse(text).ok_or_else(|| {
            trellis_core::CoreError::field(
                "sort",
                "order by tree, workload, reliability, overdue or name",
            )
        })?,
    };
    order.sort(&mut v.members);
    let conversation = trellis_core::growth::wishes::of_team(state.store.as_ref(), &v).await?;
    Ok(Json(TeamWorkResponse {
        manager: (&v.manager).into(),
        full: v.full,
        today: v.today,
        priorities: v.priorities.iter().map(Into::into).collect(),
        priorities_truncated: v.priorities_truncated,
        overdue: v.overdue.iter().map(Into::into).collect(),
        due_this_week: v.due_this_week.iter().map(Into::into).collect(),
        members: v
            .members
            .iter()
            .map(|m| MemberFiguresResponse {
                person: (&m.person).into(),
                title: m.title.clone(),
                manager_id: m.manager_id.map(|p| p.0),
                depth: m.depth,
                workload: m.workload.into(),
                delivery: m.delivery.into(),
                overdue: m.overdue,
            })
            .collect(),
        overloaded_count: v.overloaded_count,
        window: v.window.into(),
        horizon: v.horizon.into(),
        delivery: v.team_delivery.into(),
        trend: v
            .trend
            .iter()
            .map(|m| MonthResponse {
                month: m.month.clone(),
                delivery: m.delivery.into(),
            })
            .collect(),
        objectives: v.objectives.iter().map(Into::into).collect(),
        wishes: conversation.wishes.iter().map(Into::into).collect(),
        offers: conversation.offers.iter().map(Into::into).collect(),
    }))
}

/// Commitment ids in their new order (the rest follow in their current order).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrioritiesRequest {
    pub order: Vec<i64>,
}

/// Reorder a team's priorities (the manager, their chain or an admin).
#[utoipa::path(put, path = "/api/v1/people/{id}/team-work/priorities", tag = "work",
    params(("id" = i64, Path, description = "The manager's person id")), request_body = PrioritiesRequest,
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn reorder_priorities(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PrioritiesRequest>,
) -> Result<StatusCode, ApiError> {
    let order: Vec<CommitmentId> = body.order.into_iter().map(CommitmentId).collect();
    commitments::reorder(state.store.as_ref(), &user.viewer, PersonId(id), &order).await?;
    Ok(StatusCode::NO_CONTENT)
}
