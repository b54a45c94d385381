//! `/api/v1/settings`: the organisation's settings, read by anyone signed in and changed by
//! admins through the same core service as the settings page.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use trellis_core::settings::{self, Settings};
use utoipa::ToSchema;

/// The organisation's settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsResponse {
    pub organisation_name: String,
    /// The word for a people manager ("manager", "leader", …).
    pub manager_word: String,
    pub manager_word_plural: String,
    /// Fewest answers per 360 rater group before an aggregate is shown.
    pub anonymity_k_360: u32,
    /// Fewest answers or people for surveys and team-level insight.
    pub anonymity_k_survey: u32,
    /// Weekly hours of a person whose own capacity is not set.
    pub default_capacity_hours: u32,
    /// How many days ahead workload looks.
    pub workload_horizon_days: u32,
    /// Weights (0–100) of the parts of a stretch suggestion's score.
    pub weight_skill_fit: u32,
    pub weight_growth_wish: u32,
    pub weight_stretch: u32,
    pub weight_free_capacity: u32,
    pub weight_move_off: u32,
    /// ISO 4217 code of the currency talent-pool rates are in.
    pub currency: String,
    /// Days before a 1:1 its report is reminded (0: never).
    pub reminder_days_report: u32,
    /// Days before a 1:1 its manager is reminded (0: never).
    pub reminder_days_manager: u32,
    /// Days before a review deadline its people are reminded, twice (0: not).
    pub review_reminder_days_first: u32,
    pub review_reminder_days_last: u32,
    /// How often the advice pulse asks, in months (0: off).
    pub advice_pulse_every_months: u32,
    /// The departments it asks, comma-separated; empty: everyone.
    pub advice_pulse_departments: String,
    /// A new manager whose delegation ratio stays above this percentage …
    pub delegation_flag_percent: u32,
    /// … for this many weeks is flagged "still doing the old job".
    pub delegation_flag_weeks: u32,
}

impl From<Settings> for SettingsResponse {
    fn from(s: Settings) -> Self {
        SettingsResponse {
            organisation_name: s.organisation_name,
            manager_word: s.manager_word,
            manager_word_plural: s.manager_word_plural,
            anonymity_k_360: s.anonymity_k_360,
            anonymity_k_survey: s.anonymity_k_survey,
            default_capacity_hours: s.default_capacity_hours,
            workload_horizon_days: s.workload_horizon_days,
            weight_skill_fit: s.weight_skill_fit,
            weight_growth_wish: s.weight_growth_wish,
            weight_stretch: s.weight_stretch,
            weight_free_capacity: s.weight_free_capacity,
            weight_move_off: s.weight_move_off,
            currency: s.currency,
            reminder_days_report: s.reminder_days_report,
            reminder_days_manager: s.reminder_days_manager,
            review_reminder_days_first: s.review_reminder_days_first,
            review_reminder_days_last: s.review_reminder_days_last,
            advice_pulse_every_months: s.advice_pulse_every_months,
            advice_pulse_departments: s.advice_pulse_departments,
            delegation_flag_percent: s.delegation_flag_percent,
            delegation_flag_weeks: s.delegation_flag_weeks,
        }
    }
}

/// The organisation's settings (anyone signed in).
#[utoipa::path(get, path = "/api/v1/settings", tag = "settings",
    responses((status = 200, body = SettingsResponse)))]
pub async fn show_settings(
    State(state): State<AppState>,
    ApiUser(_user): ApiUser,
) -> Result<Json<SettingsResponse>, ApiError> {
    Ok(Json(state.store.settings().await?.into()))
}

/// Change settings (admins only); each change is in the audit log as before → after.
/// Turning the advice pulse on asks its current round at once.
#[utoipa::path(patch, path = "/api/v1/settings", tag = "settings",
    request_body = settings::SettingsPatch,
    responses((status = 200, body = SettingsResponse), (status = 403, body = ErrorResponse),
        (status = 422, description = "A value out of range; nothing was changed", body = ErrorResponse)))]
pub async fn update_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<settings::SettingsPatch>,
) -> Result<Json<SettingsResponse>, ApiError> {
    let saved = settings::change(state.store.as_ref(), &user.viewer, body, crate::now()).await?;
    // The advice pulse just turned on asks its current round now, not at the hourly pass.
    trellis_core::influence::pulse::ask_when_due(state.store.as_ref(), crate::now()).await?;
    Ok(Json(saved.into()))
}

crate::api::operations!(show_settings, update_settings,);
