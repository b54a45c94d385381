//! Organisation-wide settings edited by people admins.

use crate::access::Viewer;
use crate::audit::AuditEntry;
use crate::error::{CoreError, CoreResult, FieldError};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// Settings to change; fields left out keep their values.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SettingsPatchRequest))]
#[serde(deny_unknown_fields)]
pub struct SettingsPatch {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 120))]
    pub organisation_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40))]
    pub manager_word: Option<String>,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40))]
    pub manager_word_plural: Option<String>,
    #[cfg_attr(feature = "openapi", schema(minimum = 2, maximum = 50))]
    pub anonymity_k_360: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 2, maximum = 50))]
    pub anonymity_k_survey: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 80))]
    pub default_capacity_hours: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 90))]
    pub workload_horizon_days: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub weight_skill_fit: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub weight_growth_wish: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub weight_stretch: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub weight_free_capacity: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub weight_move_off: Option<u32>,
    /// Three capital letters, e.g. EUR.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Z]{3}$"))]
    pub currency: Option<String>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 14))]
    pub reminder_days_report: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 14))]
    pub reminder_days_manager: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 30))]
    pub review_reminder_days_first: Option<u32>,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 30))]
    pub review_reminder_days_last: Option<u32>,
    /// How often the advice pulse asks, in months: 0 (off), 1, 2, 3, 6 or 12.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 12))]
    pub advice_pulse_every_months: Option<u32>,
    /// The departments it asks, comma-separated; empty: everyone.
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub advice_pulse_departments: Option<String>,
    /// A new manager is flagged "still doing the old job" when their delegation ratio is
    /// above this percentage …
    #[cfg_attr(feature = "openapi", schema(minimum = 10, maximum = 90))]
    pub delegation_flag_percent: Option<u32>,
    /// … for this many weeks in a row.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 12))]
    pub delegation_flag_weeks: Option<u32>,
}

impl SettingsPatch {
    /// The settings with the given values put in (trimmed; the manager words in lower case).
    pub fn apply_to(self, mut s: Settings) -> Settings {
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
            (self.reminder_days_report, &mut s.reminder_days_report),
            (self.reminder_days_manager, &mut s.reminder_days_manager),
            (
                self.review_reminder_days_first,
                &mut s.review_reminder_days_first,
            ),
            (
                self.review_reminder_days_last,
                &mut s.review_reminder_days_last,
            ),
            (
                self.advice_pulse_every_months,
                &mut s.advice_pulse_every_months,
            ),
            (self.delegation_flag_percent, &mut s.delegation_flag_percent),
            (self.delegation_flag_weeks, &mut s.delegation_flag_weeks),
        ];
        for (given, field) in numbers {
            if let Some(v) = given {
                *field = v;
            }
        }
        if let Some(v) = self.currency {
            s.currency = trimmed(v);
        }
        if let Some(v) = self.advice_pulse_departments {
            s.advice_pulse_departments = departments_list(&v);
        }
        s
    }
}

/// Changes the settings given, keeping the rest (admins only).
pub async fn change(
    store: &dyn SettingsStore,
    viewer: &Viewer,
    patch: SettingsPatch,
    now: i64,
) -> CoreResult<Settings> {
    if !viewer.may_administer() {
        // Said before the current values are read, so a member learns nothing from the answer.
        return Err(CoreError::Forbidden("change the settings".into()));
    }
    let current = store.settings().await?;
    update(store, viewer, patch.apply_to(current), now).await
}

/// Saves new settings: admins only, every field checked, and the audit line saying what
/// changed (before → after) written in the same transaction. Saving what is already
/// stored writes nothing.
pub async fn update(
    store: &dyn SettingsStore,
    viewer: &Viewer,
    new: Settings,
    now: i64,
) -> CoreResult<Settings> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("change the settings".into()));
    }
    new.validate()?;
    let current = store.settings().await?;
    let changes = new.changes_from(&current);
    if changes.is_empty() {
        return Ok(current);
    }
    let audit = AuditEntry {
        at: now,
        actor: viewer.actor(),
        action: "settings.update".into(),
        subject: "settings".into(),
        detail: changes,
    };
    let mut work = store.begin_settings_write().await?;
    work.save_settings(&new).await?;
    work.audit(&audit).await?;
    work.commit().await?;
    Ok(new)
}

/// What the organisation calls things, and its anonymity thresholds (PRODUCT.md principle 3 and 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub organisation_name: String,
    /// The word for a people manager, singular ("manager", "leader", "supervisor" …).
    pub manager_word: String,
    /// Plural of [`Settings::manager_word`].
    pub manager_word_plural: String,
    /// Minimum answers per 360 rater group before an aggregate is shown.
    pub anonymity_k_360: u32,
    /// Minimum answers or people for surveys and team-level insight.
    pub anonymity_k_survey: u32,
    /// Working hours per week of a person whose own capacity is not set.
    pub default_capacity_hours: u32,
    /// How many days ahead workload looks (open work due within them counts).
    pub workload_horizon_days: u32,
    /// Weights (0–100) of the parts of a stretch suggestion's score.
    pub weight_skill_fit: u32,
    pub weight_growth_wish: u32,
    pub weight_stretch: u32,
    pub weight_free_capacity: u32,
    pub weight_move_off: u32,
    /// ISO 4217 code of the currency talent-pool rates and sourcing costs are in.
    pub currency: String,
    /// Days before a 1:1 its report (or invited person) is reminded; 0: never.
    pub reminder_days_report: u32,
    /// Days before a 1:1 its manager (or organiser) is reminded; 0: never.
    pub reminder_days_manager: u32,
    /// Days before a review deadline whoever it waits for is reminded (twice); 0: not.
    pub review_reminder_days_first: u32,
    pub review_reminder_days_last: u32,
    /// How often the advice pulse asks "who have you gone to for advice?", in months
    /// (0: off).
    pub advice_pulse_every_months: u32,
    /// The departments the advice pulse asks, comma-separated; empty: everyone.
    pub advice_pulse_departments: String,
    /// A manager promoted in the last six months whose delegation ratio stays above this
    /// percentage for [`Settings::delegation_flag_weeks`] weeks is "still doing the old job".
    pub delegation_flag_percent: u32,
    pub delegation_flag_weeks: u32,
}

/// Department names as the settings keep them: trimmed, comma-separated, no empties.
pub fn departments_list(text: &str) -> String {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Settings {
    /// What changed from `before`, as the audit log shows it: `name: before → after; …`
    /// (an empty string when nothing did).
    pub fn changes_from(&self, before: &Settings) -> String {
        let (Ok(serde_json::Value::Object(old)), Ok(serde_json::Value::Object(new))) =
            (serde_json::to_value(before), serde_json::to_value(self))
        else {
            return String::new();
        };
        let shown = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => format!("{s:?}"),
            other => other.to_string(),
        };
        new.iter()
            .filter_map(|(key, value)| {
                let was = old.get(key)?;
                (was != value).then(|| format!("{key}: {} → {}", shown(was), shown(value)))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            organisation_name: "Our organisation".into(),
            manager_word: "manager".into(),
            manager_word_plural: "managers".into(),
            anonymity_k_360: 3,
            anonymity_k_survey: 5,
            default_capacity_hours: 32,
            workload_horizon_days: 14,
            weight_skill_fit: 40,
            weight_growth_wish: 25,
            weight_stretch: 20,
            weight_free_capacity: 15,
            weight_move_off: 10,
            currency: "EUR".into(),
            reminder_days_report: 2,
            reminder_days_manager: 1,
            review_reminder_days_first: 7,
            review_reminder_days_last: 1,
            advice_pulse_every_months: 0,
            advice_pulse_departments: String::new(),
            delegation_flag_percent: 40,
            delegation_flag_weeks: 4,
        }
    }
}

impl Settings {
    /// Checks every field and reports all problems at once.
    pub fn validate(&self) -> CoreResult<()> {
        let mut errors = Vec::new();
        let name = self.organisation_name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            errors.push(FieldError::new(
                "organisation_name",
                "give a name of 1 to 120 characters",
            ));
        }
        for (field, word) in [
            ("manager_word", &self.manager_word),
            ("manager_word_plural", &self.manager_word_plural),
        ] {
            let w = word.trim();
            if w.is_empty() || w.chars().count() > 40 || w.contains(['<', '>', '"']) {
                errors.push(FieldError::new(
                    field,
                    "give a word of 1 to 40 characters without < > or \"",
                ));
            }
        }
        if !(2..=50).contains(&self.anonymity_k_360) {
            errors.push(FieldError::new(
                "anonymity_k_360",
                "must be a whole number from 2 to 50",
            ));
        }
        if !(2..=50).contains(&self.anonymity_k_survey) {
            errors.push(FieldError::new(
                "anonymity_k_survey",
                "must be a whole number from 2 to 50",
            ));
        }
        if !(1..=80).contains(&self.default_capacity_hours) {
            errors.push(FieldError::new(
                "default_capacity_hours",
                "must be a whole number of hours from 1 to 80",
            ));
        }
        if !(1..=90).contains(&self.workload_horizon_days) {
            errors.push(FieldError::new(
                "workload_horizon_days",
                "must be a whole number of days from 1 to 90",
            ));
        }
        for (field, days) in [
            (
                "review_reminder_days_first",
                self.review_reminder_days_first,
            ),
            ("review_reminder_days_last", self.review_reminder_days_last),
        ] {
            if days > 30 {
                errors.push(FieldError::new(
                    field,
                    "must be a whole number of days from 0 (no reminder) to 30",
                ));
            }
        }
        if ![0, 1, 2, 3, 6, 12].contains(&self.advice_pulse_every_months) {
            errors.push(FieldError::new(
                "advice_pulse_every_months",
                "must be 0 (off), 1, 2, 3, 6 or 12 months",
            ));
        }
        if !(10..=90).contains(&self.delegation_flag_percent) {
            errors.push(FieldError::new(
                "delegation_flag_percent",
                "must be a whole percentage from 10 to 90",
            ));
        }
        if !(1..=12).contains(&self.delegation_flag_weeks) {
            errors.push(FieldError::new(
                "delegation_flag_weeks",
                "must be a whole number of weeks from 1 to 12",
            ));
        }
        if self.advice_pulse_departments.chars().count() > 2000 {
            errors.push(FieldError::new(
                "advice_pulse_departments",
                "name at most 2,000 characters of departments",
            ));
        }
        for (field, days) in [
            ("reminder_days_report", self.reminder_days_report),
            ("reminder_days_manager", self.reminder_days_manager),
        ] {
            if days > 14 {
                errors.push(FieldError::new(
                    field,
                    "must be a whole number of days from 0 (no reminder) to 14",
                ));
            }
        }
        for (field, w) in [
            ("weight_skill_fit", self.weight_skill_fit),
            ("weight_growth_wish", self.weight_growth_wish),
            ("weight_stretch", self.weight_stretch),
            ("weight_free_capacity", self.weight_free_capacity),
            ("weight_move_off", self.weight_move_off),
        ] {
            if w > 100 {
                errors.push(FieldError::new(
                    field,
                    "must be a whole number from 0 to 100",
                ));
            }
        }
        if !(self.currency.len() == 3 && self.currency.chars().all(|c| c.is_ascii_uppercase())) {
            errors.push(FieldError::new(
                "currency",
                "give a three-letter currency code such as EUR, USD or GBP",
            ));
        }
        if self.weight_skill_fit
            + self.weight_growth_wish
            + self.weight_stretch
            + self.weight_free_capacity
            + self.weight_move_off
            == 0
        {
            errors.push(FieldError::new(
                "weight_skill_fit",
                "at least one weight must be above 0",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(CoreError::Invalid(errors))
        }
    }

    /// The manager word with a capital first letter, for headings.
    pub fn manager_word_title(&self) -> String {
        capitalise(&self.manager_word)
    }

    /// The plural manager word with a capital first letter, for headings.
    pub fn manager_word_plural_title(&self) -> String {
        capitalise(&self.manager_word_plural)
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Where the organisation's settings are kept. Part of [`crate::Store`].
#[async_trait]
pub trait SettingsStore: Send + Sync {
    async fn settings(&self) -> CoreResult<Settings>;
    /// Starts a unit of work on the settings.
    async fn begin_settings_write(&self) -> CoreResult<Box<dyn SettingsWrite + '_>>;
}

/// A unit of work on the settings (one transaction).
#[async_trait]
pub trait SettingsWrite: crate::unit_of_work::UnitOfWork {
    /// Saves every setting.
    async fn save_settings(&mut self, settings: &Settings) -> CoreResult<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_changes_what_it_gives_and_tidies_the_words() {
        let patch: SettingsPatch = serde_json::from_str(
            r#"{"manager_word": " Lead ", "manager_word_plural": "Leads", "weight_stretch": 7}"#,
        )
        .unwrap();
        let s = patch.apply_to(Settings::default());
        assert_eq!(
            (s.manager_word.as_str(), s.manager_word_plural.as_str()),
            ("lead", "leads")
        );
        assert_eq!(s.weight_stretch, 7);
        assert_eq!(s.organisation_name, Settings::default().organisation_name);
        assert!(serde_json::from_str::<SettingsPatch>(r#"{"manager": "x"}"#).is_err());
    }

    #[test]
    fn defaults_are_valid() {
        Settings::default().validate().unwrap();
    }

    #[test]
    fn every_bad_field_is_reported() {
        let s = Settings {
            organisation_name: " ".into(),
            manager_word: "".into(),
            anonymity_k_360: 1,
            ..Settings::default()
        };
        let CoreError::Invalid(fields) = s.validate().unwrap_err() else {
            panic!("expected validation error")
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            names,
            ["organisation_name", "manager_word", "anonymity_k_360"]
        );
    }

    #[test]
    fn headings_capitalise_the_chosen_word() {
        let s = Settings {
            manager_word: "leader".into(),
            ..Settings::default()
        };
        assert_eq!(s.manager_word_title(), "Leader");
    }
}
