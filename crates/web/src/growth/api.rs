//! `/api/v1` growth endpoints: opportunities, explained suggestions, the optimal plan for
//! all open opportunities, accepting a suggestion and deciding on a placement.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use crate::work::api::PersonRef;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trellis_core::PersonId;
use trellis_core::growth::opportunities::{
    self, Opportunity, OpportunityInput, OpportunityStatus, Placement, Suggestion,
};
use trellis_core::growth::stretch::Requirement;
use trellis_core::ids::{OpportunityId, PlacementId};
use utoipa::ToSchema;

/// Stretch work looking for an owner.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityResponse {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub poster: PersonRef,
    pub hours_per_week: f64,
    pub weeks: u32,
    pub needs_manager_approval: bool,
    /// open, filled or closed
    pub status: String,
    pub requirements: Vec<Requirement>,
}

impl From<&Opportunity> for OpportunityResponse {
    fn from(o: &Opportunity) -> Self {
        OpportunityResponse {
            id: o.id.0,
            title: o.title.clone(),
            description: o.description.clone(),
            poster: (&o.poster).into(),
            hours_per_week: o.hours_per_week,
            weeks: o.weeks,
            needs_manager_approval: o.needs_manager_approval,
            status: o.status.as_str().into(),
            requirements: o.requirements.clone(),
        }
    }
}

/// A suggested owner: the score, its parts (each 0–1) and the reasons in a sentence.
/// For people outside the caller's reporting tree (unless an admin asks) the score, free
/// capacity and plate wish are private: `null`, while the order still uses them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionResponse {
    pub person: PersonRef,
    /// The candidate's team and manager, as the directory shows them.
    pub team: Option<String>,
    pub manager: Option<String>,
    pub score: Option<f64>,
    pub skill_fit: f64,
    pub growth_wish: f64,
    pub stretch: f64,
    pub free_capacity: Option<f64>,
    /// 1 when the person asked for work to be moved off their plate.
    pub move_off: Option<f64>,
    pub has_capacity: Option<bool>,
    pub explanation: String,
}

impl From<&Suggestion> for SuggestionResponse {
    fn from(s: &Suggestion) -> Self {
        SuggestionResponse {
            person: (&s.person).into(),
            team: s.team.clone(),
            manager: s.manager.clone(),
            score: s.details_visible.then_some(s.fit.score),
            skill_fit: s.fit.parts.skill_fit,
            growth_wish: s.fit.parts.growth_wish,
            stretch: s.fit.parts.stretch,
            free_capacity: s.details_visible.then_some(s.fit.parts.free_capacity),
            move_off: s.details_visible.then_some(s.fit.parts.move_off),
            has_capacity: s.details_visible.then_some(s.fit.has_capacity),
            explanation: s.fit.explanation.clone(),
        }
    }
}

/// A person proposed for an opportunity.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlacementResponse {
    pub id: i64,
    pub opportunity_id: i64,
    pub opportunity_title: String,
    pub person: PersonRef,
    /// pending (waiting for the person's manager chain, the person, or both), approved or
    /// declined
    pub status: String,
    /// not_asked (the poster's own report), asked, agreed or declined: a person from
    /// outside the poster's tree is asked too
    pub candidate_consent: String,
    /// The person's manager chain has approved; with the person still asked, it waits for
    /// them.
    pub manager_approved: bool,
    pub explanation: String,
    pub proposed_by: PersonRef,
    pub decided_by: Option<PersonRef>,
    /// The commitment created when approved.
    pub commitment_id: Option<i64>,
}

impl From<&Placement> for PlacementResponse {
    fn from(p: &Placement) -> Self {
        PlacementResponse {
            id: p.id.0,
            opportunity_id: p.opportunity_id.0,
            opportunity_title: p.opportunity_title.clone(),
            person: (&p.person).into(),
            status: p.status.as_str().into(),
            candidate_consent: p.candidate_consent.as_str().into(),
            manager_approved: p.manager_approved_at.is_some()
                || p.status == trellis_core::growth::opportunities::PlacementStatus::Approved,
            explanation: p.explanation.clone(),
            proposed_by: (&p.proposed_by).into(),
            decided_by: p.decided_by.as_ref().map(Into::into),
            commitment_id: p.commitment_id.map(|c| c.0),
        }
    }
}

/// An opportunity with its placements and, for its poster and admins, suggestions.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpportunityDetailResponse {
    #[serde(flatten)]
    pub opportunity: OpportunityResponse,
    pub placements: Vec<PlacementResponse>,
    /// Best first; empty unless the caller may accept them.
    pub suggestions: Vec<SuggestionResponse>,
    pub can_manage: bool,
    /// When nobody inside qualifies: the options side by side (for those who manage it).
    pub sourcing: Option<SourcingResponse>,
    /// Who said they are interested (for those who manage it; empty otherwise).
    pub interested: Vec<PersonRef>,
    /// Whether the caller said they are interested.
    pub i_am_interested: bool,
}

/// One way to get the work done when nobody inside qualifies.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourcingOptionResponse {
    /// internal_stretch (a stretch candidate with a mentor) or external (talent pool)
    pub kind: String,
    pub summary: String,
    /// The internal candidate and their mentor.
    pub people: Vec<PersonRef>,
    pub talent_id: Option<i64>,
    /// Share of the required levels met, 0–1.
    pub skill_fit: f64,
    /// Money, in `currency`.
    pub cost: f64,
    pub currency: String,
    /// Hours of people inside it takes in all.
    pub internal_hours: f64,
    /// Days until the work can start.
    pub lead_time_days: i64,
    pub explanation: String,
}

/// The sourcing options and why they are shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourcingResponse {
    pub reason: String,
    pub options: Vec<SourcingOptionResponse>,
}

async fn detail(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    id: OpportunityId,
) -> Result<Json<OpportunityDetailResponse>, ApiError> {
    let d = opportunities::show(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    let currency = if d.sourcing.is_some() {
        state.store.settings().await?.currency
    } else {
        String::new()
    };
    let sourcing = d.sourcing.as_ref().map(|s| SourcingResponse {
        reason: s.reason.clone(),
        options: s
            .options
            .iter()
            .map(|o| SourcingOptionResponse {
                kind: match o.kind {
                    trellis_core::growth::sourcing::OptionKind::InternalStretch => {
                        "internal_stretch".into()
                    }
                    trellis_core::growth::sourcing::OptionKind::External => "external".into(),
                },
                summary: o.summary.clone(),
                people: o.people.iter().map(Into::into).collect(),
                talent_id: o.talent.map(|t| t.0),
                skill_fit: o.skill_fit,
                cost: o.cost,
                currency: currency.clone(),
                internal_hours: o.internal_hours,
                lead_time_days: o.lead_time_days,
                explanation: o.explanation.clone(),
            })
            .collect(),
    });
    Ok(Json(OpportunityDetailResponse {
        sourcing,
        opportunity: (&d.opportunity).into(),
        placements: d.placements.iter().map(Into::into).collect(),
        suggestions: d.suggestions.iter().map(Into::into).collect(),
        can_manage: d.can_manage,
        interested: d.interested.iter().map(Into::into).collect(),
        i_am_interested: d.i_am_interested,
    }))
}

/// Say you are interested in an open opportunity: its poster sees it beside the
/// suggestions, and it counts in your ranking as a wish to grow.
#[utoipa::path(put, path = "/api/v1/opportunities/{id}/interest", tag = "growth",
    params(("id" = i64, Path, description = "Opportunity id")),
    responses((status = 204), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn express_interest(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    opportunities::set_interest(
        state.store.as_ref(),
        &user.viewer,
        OpportunityId(id),
        true,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraw your interest in an opportunity.
#[utoipa::path(delete, path = "/api/v1/opportunities/{id}/interest", tag = "growth",
    params(("id" = i64, Path, description = "Opportunity id")),
    responses((status = 204), (status = 404, body = ErrorResponse)))]
pub async fn withdraw_interest(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    opportunities::set_interest(
        state.store.as_ref(),
        &user.viewer,
        OpportunityId(id),
        false,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Open opportunities, newest first.
#[utoipa::path(get, path = "/api/v1/opportunities", tag = "growth",
    responses((status = 200, body = Vec<OpportunityResponse>)))]
pub async fn list_opportunities(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<Vec<OpportunityResponse>>, ApiError> {
    let list = state
        .store
        .opportunities(Some(OpportunityStatus::Open))
        .await?;
    Ok(Json(list.iter().map(Into::into).collect()))
}

/// Post an opportunity (people with reports and admins).
#[utoipa::path(post, path = "/api/v1/opportunities", tag = "growth", request_body = OpportunityInput,
    responses((status = 201, body = OpportunityDetailResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn create_opportunity(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<OpportunityInput>,
) -> Result<(StatusCode, Json<OpportunityDetailResponse>), ApiError> {
    let id = opportunities::create(state.store.as_ref(), &user.viewer, &body, crate::now()).await?;
    Ok((StatusCode::CREATED, detail(&state, &user, id).await?))
}

/// One opportunity with its explained suggestions.
#[utoipa::path(get, path = "/api/v1/opportunities/{id}", tag = "growth",
    params(("id" = i64, Path, description = "Opportunity id")),
    responses((status = 200, body = OpportunityDetailResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_opportunity(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<OpportunityDetailResponse>, ApiError> {
    detail(&state, &user, OpportunityId(id)).await
}

/// Whom to give the work.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    pub person_id: i64,
}

/// Accept a suggestion: the commitment is created at once, or when the person's manager
/// approves (if the poster asked for approval and is not their manager).
#[utoipa::path(post, path = "/api/v1/opportunities/{id}/accept", tag = "growth",
    params(("id" = i64, Path, description = "Opportunity id")), request_body = AcceptRequest,
    responses((status = 201, body = PlacementResponse), (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn accept_suggestion(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AcceptRequest>,
) -> Result<(StatusCode, Json<PlacementResponse>), ApiError> {
    let store = state.store.as_ref();
    let placement = opportunities::accept(
        store,
        &user.viewer,
        OpportunityId(id),
        PersonId(body.person_id),
        crate::now(),
    )
    .await?;
    let p = store
        .placement(placement)
        .await?
        .ok_or_else(|| trellis_core::CoreError::NotFound(format!("placement {placement}")))?;
    Ok((StatusCode::CREATED, Json((&p).into())))
}

/// Approve or decline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    pub approve: bool,
}

/// The person's manager chain (or an admin) approves or declines a pending placement.
#[utoipa::path(post, path = "/api/v1/placements/{id}/decision", tag = "growth",
    params(("id" = i64, Path, description = "Placement id")), request_body = DecisionRequest,
    responses((status = 200, body = PlacementResponse), (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn decide_placement(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<DecisionRequest>,
) -> Result<Json<PlacementResponse>, ApiError> {
    let store = state.store.as_ref();
    trellis_core::growth::placements::decide(
        store,
        &user.viewer,
        PlacementId(id),
        body.approve,
        crate::now(),
    )
    .await?;
    let p = store
        .placement(PlacementId(id))
        .await?
        .ok_or_else(|| trellis_core::CoreError::NotFound(format!("placement {id}")))?;
    Ok(Json((&p).into()))
}

/// The candidate's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[schema(as = PlacementAnswerRequest)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    pub agree: bool,
}

/// The stretch work the caller is asked about (from outside their manager's tree) and has
/// not answered yet.
#[utoipa::path(get, path = "/api/v1/placements/asked", tag = "growth",
    responses((status = 200, body = Vec<PlacementResponse>), (status = 401, body = ErrorResponse)))]
pub async fn asked_placements(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<PlacementResponse>>, ApiError> {
    let asked =
        trellis_core::growth::placements::asked_of_me(state.store.as_ref(), &user.viewer).await?;
    Ok(Json(asked.iter().map(Into::into).collect()))
}

/// The candidate agrees to or declines a placement they are asked about; agreeing after
/// their manager chain approved gives them the work. Only the candidate may answer (404 for
/// anyone else).
#[utoipa::path(post, path = "/api/v1/placements/{id}/answer", tag = "growth",
    params(("id" = i64, Path, description = "Placement id")), request_body = AnswerRequest,
    responses((status = 200, body = PlacementResponse), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn answer_placement(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<AnswerRequest>,
) -> Result<Json<PlacementResponse>, ApiError> {
    let store = state.store.as_ref();
    trellis_core::growth::placements::answer(
        store,
        &user.viewer,
        PlacementId(id),
        body.agree,
        crate::now(),
    )
    .await?;
    let p = store
        .placement(PlacementId(id))
        .await?
        .ok_or_else(|| trellis_core::CoreError::NotFound(format!("placement {id}")))?;
    Ok(Json((&p).into()))
}

/// One opportunity of the plan and the owner it gets.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanRowResponse {
    pub opportunity: OpportunityResponse,
    pub suggestion: Option<SuggestionResponse>,
    /// Why nobody is suggested: nobody_has_the_skills, no_free_hours or taken_elsewhere.
    pub unfilled: Option<String>,
    /// The same, as a sentence.
    pub unfilled_reason: Option<String>,
}

/// The globally optimal plan for every open opportunity the caller manages.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanResponse {
    pub rows: Vec<PlanRowResponse>,
    /// `null` when a suggested owner is outside the caller's tree (it would reveal their score).
    pub total_score: Option<f64>,
}

/// Owners for all open opportunities at once: the largest total score with nobody taking
/// two and nobody taking work they have no free hours for.
#[utoipa::path(get, path = "/api/v1/opportunities/plan", tag = "growth",
    responses((status = 200, body = PlanResponse), (status = 403, body = ErrorResponse)))]
pub async fn plan_opportunities(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<PlanResponse>, ApiError> {
    let plan = opportunities::plan(state.store.as_ref(), &user.viewer, crate::now()).await?;
    Ok(Json(PlanResponse {
        rows: plan
            .rows
            .iter()
            .map(|r| PlanRowResponse {
                opportunity: (&r.opportunity).into(),
                suggestion: r.suggestion.as_ref().map(Into::into),
                unfilled: r.unfilled.map(|u| u.as_str().to_string()),
                unfilled_reason: r.unfilled.map(|u| u.sentence().to_string()),
            })
            .collect(),
        total_score: plan.total_score,
    }))
}

/// One change of a career plan.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanChangeResponse {
    pub at: i64,
    pub by: Option<PersonRef>,
    pub what: String,
}

/// A career plan, its history and the support promised (the person, their manager chain
/// and admins only).
#[derive(Debug, Serialize, ToSchema)]
pub struct CareerPlanResponse {
    pub person: PersonRef,
    /// False until someone writes the plan.
    pub exists: bool,
    pub target_role: String,
    pub target_level_id: Option<i64>,
    pub target_level: Option<String>,
    pub strengths: String,
    pub growth_areas: Vec<trellis_core::growth::career::GrowthArea>,
    /// Goals in words, beside the skills.
    pub growth_goals: Vec<String>,
    pub last_reviewed_on: Option<chrono::NaiveDate>,
    /// Never reviewed together, or not for six months.
    pub stale: bool,
    pub support: Vec<crate::work::api::CommitmentResponse>,
    pub history: Vec<PlanChangeResponse>,
}

async fn career_response(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    person: PersonId,
) -> Result<Json<CareerPlanResponse>, ApiError> {
    let v = trellis_core::growth::career::show(
        state.store.as_ref(),
        &user.viewer,
        person,
        crate::now(),
    )
    .await?;
    let plan = v.plan.as_ref();
    Ok(Json(CareerPlanResponse {
        person: (&v.person).into(),
        exists: plan.is_some(),
        target_role: plan
            .map(|p| p.fields.target_role.clone())
            .unwrap_or_default(),
        target_level_id: plan.and_then(|p| p.fields.target_level.map(|l| l.0)),
        target_level: plan.and_then(|p| p.target_level_label.clone()),
        strengths: plan.map(|p| p.fields.strengths.clone()).unwrap_or_default(),
        growth_areas: plan
            .map(|p| p.fields.growth_areas.clone())
            .unwrap_or_default(),
        growth_goals: plan
            .map(|p| p.fields.growth_goals.clone())
            .unwrap_or_default(),
        last_reviewed_on: plan.and_then(|p| p.last_reviewed_on),
        stale: v.stale,
        support: v.support.iter().map(Into::into).collect(),
        history: v
            .history
            .iter()
            .map(|h| PlanChangeResponse {
                at: h.at,
                by: h.by.as_ref().map(Into::into),
                what: h.what.clone(),
            })
            .collect(),
    }))
}

/// A person's career plan.
#[utoipa::path(get, path = "/api/v1/people/{id}/career-plan", tag = "growth",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = CareerPlanResponse), (status = 404, body = ErrorResponse)))]
pub async fn show_career_plan(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CareerPlanResponse>, ApiError> {
    career_response(&state, &user, PersonId(id)).await
}

/// Write a career plan (the person, their manager chain or an admin); the change is kept
/// in its history.
#[utoipa::path(put, path = "/api/v1/people/{id}/career-plan", tag = "growth",
    params(("id" = i64, Path, description = "Person id")), request_body = trellis_core::growth::career::PlanFields,
    responses((status = 200, body = CareerPlanResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn save_career_plan(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<trellis_core::growth::career::PlanFields>,
) -> Result<Json<CareerPlanResponse>, ApiError> {
    trellis_core::growth::career::save(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        &body,
        crate::now(),
    )
    .await?;
    career_response(&state, &user, PersonId(id)).await
}

/// Record that the plan was reviewed together today (the manager chain or an admin).
#[utoipa::path(post, path = "/api/v1/people/{id}/career-plan/review", tag = "growth",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = CareerPlanResponse), (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn review_career_plan(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<CareerPlanResponse>, ApiError> {
    trellis_core::growth::career::review(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        crate::now(),
    )
    .await?;
    career_response(&state, &user, PersonId(id)).await
}

/// Help a manager promises.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupportRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub what: String,
    #[schema(required = true, nullable = false)]
    pub due_date: Option<chrono::NaiveDate>,
    /// Default 1.
    pub effort_hours: Option<f64>,
}

/// Promise support in a person's career plan: a commitment of yours, on both plates until
/// done (the manager chain or an admin).
#[utoipa::path(post, path = "/api/v1/people/{id}/career-plan/support", tag = "growth",
    params(("id" = i64, Path, description = "Person id")), request_body = SupportRequest,
    responses((status = 201, body = CareerPlanResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn add_career_support(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<SupportRequest>,
) -> Result<(StatusCode, Json<CareerPlanResponse>), ApiError> {
    trellis_core::growth::career::add_support(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        &body.what,
        body.due_date,
        body.effort_hours,
        crate::now(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        career_response(&state, &user, PersonId(id)).await?,
    ))
}

crate::api::operations!(
    list_opportunities,
    create_opportunity,
    show_opportunity,
    express_interest,
    withdraw_interest,
    accept_suggestion,
    decide_placement,
    answer_placement,
    asked_placements,
    plan_opportunities,
    show_career_plan,
    save_career_plan,
    review_career_plan,
    add_career_support,
);
