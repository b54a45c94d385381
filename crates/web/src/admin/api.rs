//! `/api/v1/settings`: the organisation's settings, read by anyone signed in and changed by
//! admins through the same core service as the settings page.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
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
        }
    }
}

/// Settings to change; fields left out keep their values.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsPatchRequest {
    #[schema(min_length = 1, max_length = 120)]
    pub organisation_name: Option<String>,
    #[schema(min_length = 1, max_length = 40)]
    pub manager_word: Option<String>,
    #[schema(min_length = 1, max_length = 40)]
    pub manager_word_plural: Option<String>,
    #[schema(minimum = 2, maximum = 50)]
    pub anonymity_k_360: Option<u32>,
    #[schema(minimum = 2, maximum = 50)]
    pub anonymity_k_survey: Option<u32>,
    #[schema(minimum = 1, maximum = 80)]
    pub default_capacity_hours: Option<u32>,
    #[schema(minimum = 1, maximum = 90)]
    pub workload_horizon_days: Option<u32>,
    #[schema(minimum = 0, maximum = 100)]
    pub weight_skill_fit: Option<u32>,
    #[schema(minimum = 0, maximum = 100)]
    pub weight_growth_wish: Option<u32>,
    #[schema(minimum = 0, maximum = 100)]
    pub weight_stretch: Option<u32>,
    #[schema(minimum = 0, maximum = 100)]
    pub weight_free_capacity: Option<u32>,
    #[schema(minimum = 0, maximum = 100)]
    pub weight_move_off: Option<u32>,
    /// Three capital letters, e.g. EUR.
    #[schema(pattern = "^[A-Z]{3}$")]
    pub currency: Option<String>,
}

impl SettingsPatchRequest {
    fn apply(self, mut s: Settings) -> Settings {
        let trimmed = |v: String| v.trim().to_string();
        if let Some(v) = self.organisation_name {
            s.organisation_name = trimmed(v);
        }
        if let Some(v) = self.manager_word {
            s.manager_word = trimmed(v).to_lowercase();
        }
        if let Some(v) = self.manager_word_plural {
            s.manager_word_plural = trimmed(v).to_lowercase();
        }
        let numbers = [
            (self.anonymity_k_360, &mut s.anonymity_k_360),
            (self.anonymity_k_survey, &mut s.anonymity_k_survey),
            (self.default_capacity_hours, &mut s.default_capacity_hours),
            (self.workload_horizon_days, &mut s.workload_horizon_days),
            (self.weight_skill_fit, &mut s.weight_skill_fit),
            (self.weight_growth_wish, &mut s.weight_growth_wish),
            (self.weight_stretch, &mut s.weight_stretch),
            (self.weight_free_capacity, &mut s.weight_free_capacity),
            (self.weight_move_off, &mut s.weight_move_off),
        ];
        for (given, field) in numbers {
            if let Some(v) = given {
                *field = v;
            }
        }
        if let Some(v) = self.currency {
            s.currency = trimmed(v);
        }
        s
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
#[utoipa::path(patch, path = "/api/v1/settings", tag = "settings",
    request_body = SettingsPatchRequest,
    responses((status = 200, body = SettingsResponse), (status = 403, body = ErrorResponse),
        (status = 422, description = "A value out of range; nothing was changed", body = ErrorResponse)))]
pub async fn update_settings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<SettingsPatchRequest>,
) -> Result<Json<SettingsResponse>, ApiError> {
    if !user.viewer.may_administer() {
        // Said before the current values are read, so a member learns nothing from the answer.
        return Err(trellis_core::CoreError::Forbidden("change the settings".into()).into());
    }
    let current = state.store.settings().await?;
    let saved = settings::update(
        state.store.as_ref(),
        &user.viewer,
        body.apply(current),
        crate::now(),
    )
    .await?;
    Ok(Json(saved.into()))
}

crate::api::operations!(show_settings, update_settings,);
