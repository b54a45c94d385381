//! `/api/v1/people`: list and search, show, create, update.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trellis_core::org::history;
use trellis_core::org::people::{self, PersonPatch, PersonView};
use trellis_core::org::{PeopleFilter, PersonCard, SkillLevel};
use trellis_core::{LevelId, PersonId, TeamId};
use utoipa::{IntoParams, ToSchema};

/// A person as listed.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonCardResponse {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub title: Option<String>,
    pub team: Option<String>,
    pub location: Option<String>,
    /// active or left
    pub status: String,
    pub report_count: i64,
}

impl From<&PersonCard> for PersonCardResponse {
    fn from(p: &PersonCard) -> Self {
        PersonCardResponse {
            id: p.id.0,
            display_name: p.display_name.clone(),
            email: p.email.clone(),
            title: p.title.clone(),
            team: p.team_name.clone(),
            location: p.location.clone(),
            status: p.status.as_str().into(),
            report_count: p.report_count,
        }
    }
}

/// A manager in a person's chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManagerResponse {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub title: Option<String>,
}

impl From<&PersonCard> for ManagerResponse {
    fn from(p: &PersonCard) -> Self {
        ManagerResponse {
            id: p.id.0,
            display_name: p.display_name.clone(),
            email: p.email.clone(),
            title: p.title.clone(),
        }
    }
}

/// A person, with private fields only when the caller may see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonResponse {
    pub id: i64,
    pub name: String,
    pub preferred_name: Option<String>,
    pub display_name: String,
    pub email: String,
    pub title: Option<String>,
    pub team_id: Option<i64>,
    pub team: Option<String>,
    pub manager_id: Option<i64>,
    pub location: Option<String>,
    pub time_zone: Option<String>,
    /// active or left
    pub status: String,
    pub report_count: i64,
    /// Managers above, nearest first.
    pub managers: Vec<ManagerResponse>,
    pub reports: Vec<PersonCardResponse>,
    pub skills: Vec<SkillLevel>,
    /// Private: the person, their manager chain and admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<String>,
    /// Private: job level code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level_id: Option<i64>,
    /// Private: ISO date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// How the caller relates to this person: myself, in_my_tree, admin or colleague.
    pub relation: String,
}

impl From<&PersonView> for PersonResponse {
    fn from(v: &PersonView) -> Self {
        let p = &v.person;
        PersonResponse {
            id: p.id.0,
            name: p.name.clone(),
            preferred_name: p.preferred_name.clone(),
            display_name: p.display_name(),
            email: p.email.clone(),
            title: p.title.clone(),
            team_id: p.team_id.map(|t| t.0),
            team: p.team_name.clone(),
            manager_id: p.manager_id.map(|m| m.0),
            location: p.location.clone(),
            time_zone: p.time_zone.clone(),
            status: p.status.as_str().into(),
            report_count: p.report_count,
            managers: v.chain.iter().map(ManagerResponse::from).collect(),
            reports: v.reports.iter().map(PersonCardResponse::from).collect(),
            skills: v.skills.clone(),
            employee_id: p.employee_id.clone(),
            level: p.level_code.clone(),
            level_id: p.level_id.map(|l| l.0),
            start_date: p.start_date.map(|d| d.format("%Y-%m-%d").to_string()),
            relation: v.reach.as_str().to_string(),
        }
    }
}

/// One page of people.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeopleListResponse {
    pub items: Vec<PersonCardResponse>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Directory filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    /// Words matched against name, preferred name, e-mail, title and employee id.
    pub q: Option<String>,
    /// A team or department (a department includes its teams).
    pub team_id: Option<i64>,
    pub location: Option<String>,
    /// Admins only: levels are private.
    pub level_id: Option<i64>,
    /// Admins only: include people who left.
    #[serde(default)]
    pub include_left: bool,
    /// From 1 (at most 1,000,000).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<u32>,
    /// 1 to 200, default 50.
    #[param(minimum = 1, maximum = 200)]
    pub per_page: Option<u32>,
}

/// Search the directory.
#[utoipa::path(get, path = "/api/v1/people", tag = "people", params(PeopleParams),
    responses((status = 200, body = PeopleListResponse), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
pub async fn list_people(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Query(params): Query<PeopleParams>,
) -> Result<Json<PeopleListResponse>, ApiError> {
    let mut errors = Vec::new();
    if params.page.is_some_and(|p| !(1..=1_000_000).contains(&p)) {
        errors.push(trellis_core::FieldError::new(
            "page",
            "pages count from 1 to 1,000,000",
        ));
    }
    if params.per_page.is_some_and(|n| !(1..=200).contains(&n)) {
        errors.push(trellis_core::FieldError::new(
            "per_page",
            "give 1 to 200 people per page",
        ));
    }
    if !errors.is_empty() {
        return Err(trellis_core::CoreError::Invalid(errors).into());
    }
    let filter = PeopleFilter {
        query: params.q,
        team_id: params.team_id.map(TeamId),
        location: params.location,
        level_id: params.level_id.map(LevelId),
        include_left: params.include_left,
        page: params.page.unwrap_or(1),
        per_page: params.per_page.unwrap_or(50),
        // Decided by the directory for the viewer.
        search_employee_ids: false,
    };
    let page = people::list(state.store.as_ref(), &user.viewer, &filter).await?;
    Ok(Json(PeopleListResponse {
        items: page.items.iter().map(PersonCardResponse::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// One person.
#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "people",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = PersonResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_person(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<PersonResponse>, ApiError> {
    let view = people::show(state.store.as_ref(), &user.viewer, PersonId(id)).await?;
    Ok(Json(PersonResponse::from(&view)))
}

/// Add a person (admins only).
#[utoipa::path(post, path = "/api/v1/people", tag = "people", request_body = people::PersonInput,
    responses((status = 201, body = PersonResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_person(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<people::PersonInput>,
) -> Result<(StatusCode, Json<PersonResponse>), ApiError> {
    let store = state.store.as_ref();
    let id = people::create(store, &user.viewer, body, "api", crate::now()).await?;
    let view = people::show(store, &user.viewer, id).await?;
    Ok((StatusCode::CREATED, Json(PersonResponse::from(&view))))
}

/// Change a person.
#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "people",
    params(("id" = i64, Path, description = "Person id")), request_body = PersonPatch,
    responses((status = 200, body = PersonResponse), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn update_person(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PersonPatch>,
) -> Result<Json<PersonResponse>, ApiError> {
    let store = state.store.as_ref();
    people::update(store, &user.viewer, PersonId(id), body, "api", crate::now()).await?;
    let view = people::show(store, &user.viewer, PersonId(id)).await?;
    Ok(Json(PersonResponse::from(&view)))
}

/// One recorded change of a person's manager, level, title, team, status or skills.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntryResponse {
    /// manager, level, title, team, status or skills
    pub field: String,
    /// The value before, as shown then (a name, a level code, skills as `rust:4; sql:3+`);
    /// absent when empty.
    pub before: Option<String>,
    pub after: Option<String>,
    /// The date the change took effect.
    pub effective_on: chrono::NaiveDate,
    /// Who made it; absent for the command line.
    pub by: Option<crate::work::api::PersonRef>,
    /// profile, api, import or command line
    pub source: String,
}

/// A person's org history, newest first: changes of manager, title, team and skills for
/// whoever may see the person; of level and status only for the person, their manager
/// chain and admins (as the fields themselves).
#[utoipa::path(get, path = "/api/v1/people/{id}/history", tag = "people",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = Vec<HistoryEntryResponse>), (status = 401, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn person_history(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<HistoryEntryResponse>>, ApiError> {
    let entries = history::of_person(state.store.as_ref(), &user.viewer, PersonId(id)).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| HistoryEntryResponse {
                field: e.field.as_str().into(),
                before: e.before,
                after: e.after,
                effective_on: e.effective_on,
                by: e
                    .actor
                    .zip(e.actor_name)
                    .map(|(id, name)| crate::work::api::PersonRef { id: id.0, name }),
                source: e.source,
            })
            .collect(),
    ))
}
