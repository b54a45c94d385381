//! The organisation's settings, cached and saved with their audit line.

use crate::{SqlStore, map_err};
use trellis_core::error::CoreResult;
use trellis_core::settings::Settings;

#[async_trait::async_trait]
impl trellis_core::settings::SettingsStore for SqlStore {
    async fn settings(&self) -> CoreResult<Settings> {
        self.cached(|c| &c.settings, (), || settings_uncached(self))
            .await
    }
    async fn begin_settings_write(
        &self,
    ) -> CoreResult<Box<dyn trellis_core::settings::SettingsWrite + '_>> {
        Ok(crate::unit::SqlUnit::begin(self).await?)
    }
}

pub(crate) async fn settings_uncached(store: &SqlStore) -> CoreResult<Settings> {
    const SQL: &str = "SELECT key, value FROM settings";
    let pairs: Vec<(String, String)> = match &store.reader {
        // Read on every page: directly on SQLite.
        Some(reader) => reader.read(|conn| {
            conn.prepare_cached(SQL)?
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect()
        })?,
        None => sqlx::query_as(SQL)
            .fetch_all(&store.pool)
            .await
            .map_err(map_err)?,
    };
    let mut s = Settings::default();
    for (key, value) in pairs {
        match key.as_str() {
            "organisation_name" => s.organisation_name = value,
            "manager_word" => s.manager_word = value,
            "manager_word_plural" => s.manager_word_plural = value,
            "anonymity_k_360" => s.anonymity_k_360 = value.parse().unwrap_or(s.anonymity_k_360),
            "anonymity_k_survey" => {
                s.anonymity_k_survey = value.parse().unwrap_or(s.anonymity_k_survey)
            }
            "default_capacity_hours" => {
                s.default_capacity_hours = value.parse().unwrap_or(s.default_capacity_hours)
            }
            "workload_horizon_days" => {
                s.workload_horizon_days = value.parse().unwrap_or(s.workload_horizon_days)
            }
            "weight_skill_fit" => s.weight_skill_fit = value.parse().unwrap_or(s.weight_skill_fit),
            "weight_growth_wish" => {
                s.weight_growth_wish = value.parse().unwrap_or(s.weight_growth_wish)
            }
            "weight_stretch" => s.weight_stretch = value.parse().unwrap_or(s.weight_stretch),
            "weight_free_capacity" => {
                s.weight_free_capacity = value.parse().unwrap_or(s.weight_free_capacity)
            }
            "weight_move_off" => s.weight_move_off = value.parse().unwrap_or(s.weight_move_off),
            "currency" => s.currency = value,
            "reminder_days_report" => {
                s.reminder_days_report = value.parse().unwrap_or(s.reminder_days_report)
            }
            "review_reminder_days_first" => {
                s.review_reminder_days_first = value.parse().unwrap_or(s.review_reminder_days_first)
            }
            "review_reminder_days_last" => {
                s.review_reminder_days_last = value.parse().unwrap_or(s.review_reminder_days_last)
            }
            "advice_pulse_every_months" => {
                s.advice_pulse_every_months = value.parse().unwrap_or(s.advice_pulse_every_months)
            }
            "advice_pulse_departments" => s.advice_pulse_departments = value,
            "delegation_flag_percent" => {
                s.delegation_flag_percent = value.parse().unwrap_or(s.delegation_flag_percent)
            }
            "delegation_flag_weeks" => {
                s.delegation_flag_weeks = value.parse().unwrap_or(s.delegation_flag_weeks)
            }
            "reminder_days_manager" => {
                s.reminder_days_manager = value.parse().unwrap_or(s.reminder_days_manager)
            }
            _ => {}
        }
    }
    Ok(s)
}

/// The settings' step of a unit of work.
#[async_trait::async_trait]
impl trellis_core::settings::SettingsWrite for crate::unit::SqlUnit {
    async fn save_settings(&mut self, s: &Settings) -> CoreResult<()> {
        save_settings_in(&mut self.tx, s).await
    }
}

async fn save_settings_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    s: &Settings,
) -> CoreResult<()> {
    for (key, value) in [
        ("organisation_name", s.organisation_name.clone()),
        ("manager_word", s.manager_word.clone()),
        ("manager_word_plural", s.manager_word_plural.clone()),
        ("anonymity_k_360", s.anonymity_k_360.to_string()),
        ("anonymity_k_survey", s.anonymity_k_survey.to_string()),
        (
            "default_capacity_hours",
            s.default_capacity_hours.to_string(),
        ),
        ("workload_horizon_days", s.workload_horizon_days.to_string()),
        ("weight_skill_fit", s.weight_skill_fit.to_string()),
        ("weight_growth_wish", s.weight_growth_wish.to_string()),
        ("weight_stretch", s.weight_stretch.to_string()),
        ("weight_free_capacity", s.weight_free_capacity.to_string()),
        ("weight_move_off", s.weight_move_off.to_string()),
        ("currency", s.currency.clone()),
        ("reminder_days_report", s.reminder_days_report.to_string()),
        ("reminder_days_manager", s.reminder_days_manager.to_string()),
        (
            "review_reminder_days_first",
            s.review_reminder_days_first.to_string(),
        ),
        (
            "review_reminder_days_last",
            s.review_reminder_days_last.to_string(),
        ),
        (
            "advice_pulse_every_months",
            s.advice_pulse_every_months.to_string(),
        ),
        (
            "advice_pulse_departments",
            s.advice_pulse_departments.clone(),
        ),
        (
            "delegation_flag_percent",
            s.delegation_flag_percent.to_string(),
        ),
        ("delegation_flag_weeks", s.delegation_flag_weeks.to_string()),
    ] {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&mut **tx)
        .await
        .map_err(map_err)?;
    }
    Ok(())
}
