//! People-admin pages: import with a preview before commit, settings, and the audit log.

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, plural, settings};
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::settings::Settings;
use trellis_core::{CoreError, FieldError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(show_admin))
        .route("/admin/settings", get(show_settings).post(save_settings))
        .merge(super::import::routes())
        .route("/admin/audit", get(show_audit))
        .route(
            "/admin/ladder",
            get(crate::org::pages::ladder::show_ladder).post(crate::org::pages::ladder::save_level),
        )
        .route(
            "/admin/ladder/import",
            post(crate::org::pages::ladder::import_ladder).layer(crate::upload_body()),
        )
}

pub(crate) fn require_admin(user: &CurrentUser) -> Result<(), PageError> {
    if user.viewer.may_administer() {
        Ok(())
    } else {
        Err(CoreError::Forbidden("open the people-admin pages".into()).into())
    }
}

async fn show_admin(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    require_admin(&user)?;
    let settings = settings(&state).await?;
    let counts = state.store.counts().await?;
    let body = html! {
        h1 { "Admin" }
        p.lead { (plural(counts.active_people, "active person", "active people")) " · "
            (plural(counts.people - counts.active_people, "person", "people")) " who left · "
            (plural(counts.teams, "team", "teams")) " · " (plural(counts.accounts, "sign-in account", "sign-in accounts")) }
        div.grid {
            section.card { h2 { a href="/admin/import" { "Import people" } } p { "Upload a CSV export from your HR system, check the preview, then apply it." } }
            section.card { h2 { a href="/admin/settings" { "Settings" } } p { "Organisation name, what you call " (settings.manager_word_plural) ", and anonymity thresholds." } }
            section.card { h2 { a href="/admin/accounts" { "Accounts and invitations" } } p { "Invite people to sign in, resend or withdraw invitations, force a password reset." } }
            section.card { h2 { a href="/admin/provisioning" { "Provisioning" } } p { "Connect Okta, Entra ID or another identity provider over SCIM: its tokens, and the pause after mass deactivations." } }
            section.card { h2 { a href="/admin/notifications" { "E-mail defaults" } } p { "Which notifications are e-mailed at once, in a daily summary or not at all, for people who have not chosen." } }
            section.card { h2 { a href="/admin/mail" { "E-mail" } } p { "What Trellis sent, what waits and the mail server's answers; send a test mail." } }
            section.card { h2 { a href="/admin/audit" { "Audit log" } } p { "Sign-ins, imports and changes to people." } }
            section.card { h2 { a href="/admin/reviews" { "Review cycles" } } p { "Self and manager reviews with the three growth questions, their progress, and sharing." } }
            section.card { h2 { a href="/admin/influence" { "Influence" } } p { "The advice pulse, importing interactions from chat or mail systems, and computing the influence figures." } }
            section.card { h2 { a href="/admin/tips" { "Tips of the week" } } p { "The practical tip that ends each Monday's e-mail: the built-in library and your own." } }
            section.card { h2 { a href="/admin/ladder" { "Career ladder" } } p { "Job levels, their rank and what each expects. Career plans and mentor matching use the rank." } }
            section.card { h2 { a href="/mentoring/rounds" { "Mentor matching" } } p { "Run a matching round over everyone who signed up, review the pairs and publish." } }
            section.card { h2 { a href="/talent" { "Talent pool" } } p { "External specialists offered when nobody inside has the skill; import them from CSV." } }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "admin",
        },
        "Admin",
        body,
    ))
}

fn settings_page(frame: &Frame, form: &Settings, errors: &[FieldError], saved: bool) -> Markup {
    let err = |name: &str| {
        errors
            .iter()
            .find(|e| e.field == name)
            .map(|e| e.message.clone())
    };
    let field = |name: &str, label: &str, value: String, kind: &str, hint: &str| -> Markup {
        let e = err(name);
        let id = format!("f-{name}");
        html! {
            div.field {
                label for=(id) { (label) }
                input id=(id) name=(name) type=(kind) value=(value) aria-invalid=[e.as_ref().map(|_| "true")];
                p.hint { (hint) }
                @if let Some(e) = e { p.field-error { (e) } }
            }
        }
    };
    html! {
        h1 { "Settings" }
        @if saved { p.notice role="status" { "Settings saved." } }
        @if !errors.is_empty() {
            div.error-summary role="alert" { ul { @for e in errors { li { a href=(format!("#f-{}", e.field)) { (e.message) } } } } }
        }
        form method="post" action="/admin/settings" novalidate {
            (csrf_field(frame.user))
            (field("organisation_name", "Organisation name", form.organisation_name.clone(), "text", "Shown at the top of every page."))
            (field("manager_word", "Your word for a people manager", form.manager_word.clone(), "text", "For example manager, leader, supervisor or lead. Trellis uses it everywhere."))
            (field("manager_word_plural", "The same word in the plural", form.manager_word_plural.clone(), "text", "For example managers, leaders."))
            (field("anonymity_k_360", "Minimum answers per 360 rater group", form.anonymity_k_360.to_string(), "number", "An aggregate is shown only when it covers at least this many answers (default 3)."))
            (field("anonymity_k_survey", "Minimum answers for surveys and team insight", form.anonymity_k_survey.to_string(), "number", "Default 5. Locked for a cycle once it starts."))
            (field("default_capacity_hours", "Working hours per week", form.default_capacity_hours.to_string(), "number", "Capacity of anyone without their own figure (default 32). Workload compares open work with it."))
            (field("workload_horizon_days", "Workload horizon in days", form.workload_horizon_days.to_string(), "number", "Open work due within this many days counts towards workload (default 14)."))
            (field("currency", "Currency", form.currency.clone(), "text", "Three-letter code (EUR, USD, GBP …) of talent-pool rates and sourcing costs."))
            (field("reminder_days_report", "Remind the report of a 1:1, days before", form.reminder_days_report.to_string(), "number", "So they can add their talking points (default 2; 0 sends none)."))
            (field("reminder_days_manager", "Remind the manager of a 1:1, days before", form.reminder_days_manager.to_string(), "number", "Default 1; 0 sends none."))
            (field("review_reminder_days_first", "Remind of a review deadline, days before", form.review_reminder_days_first.to_string(), "number", "Default 7; 0 sends none."))
            (field("review_reminder_days_last", "And again, days before", form.review_reminder_days_last.to_string(), "number", "Default 1; 0 sends none. Whoever is late is reminded once the day after."))
            (field("delegation_flag_percent", "New managers: flag a delegation ratio above, in percent", form.delegation_flag_percent.to_string(), "number", "The share of the team's open work the manager owns themself (default 40)."))
            (field("delegation_flag_weeks", "… for this many weeks in a row", form.delegation_flag_weeks.to_string(), "number", "Default 4. The flag goes to their own manager and admins as “still doing the old job”."))
            fieldset {
                legend { "Stretch suggestions: how much each part of the score counts (0–100)" }
                (field("weight_skill_fit", "Skill fit", form.weight_skill_fit.to_string(), "number", "Has the skills at the levels the work needs (default 40)."))
                (field("weight_growth_wish", "Growth wish", form.weight_growth_wish.to_string(), "number", "Wants to grow a skill the work needs (default 25)."))
                (field("weight_stretch", "Stretch", form.weight_stretch.to_string(), "number", "One level below what the work needs: a growth step (default 20)."))
                (field("weight_free_capacity", "Free time", form.weight_free_capacity.to_string(), "number", "Has the hours free (default 15)."))
                (field("weight_move_off", "Work to move off", form.weight_move_off.to_string(), "number", "Has asked for work to be moved off their plate, which taking this on frees (default 10)."))
            }
            button type="submit" { "Save settings" }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct SavedParams {
    pub saved: Option<String>,
}

async fn show_settings(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<SavedParams>,
) -> Result<Markup, PageError> {
    require_admin(&user)?;
    let settings = settings(&state).await?;
    let frame = Frame {
        user: &user,
        settings: &settings,
        section: "admin",
    };
    let body = settings_page(&frame, &settings, &[], q.saved.is_some());
    Ok(page(&frame, "Settings", body))
}

#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    pub csrf: String,
    pub organisation_name: String,
    pub manager_word: String,
    pub manager_word_plural: String,
    pub anonymity_k_360: String,
    pub anonymity_k_survey: String,
    pub default_capacity_hours: String,
    pub workload_horizon_days: String,
    pub weight_skill_fit: String,
    pub weight_growth_wish: String,
    pub weight_stretch: String,
    pub weight_free_capacity: String,
    #[serde(default)]
    pub weight_move_off: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub reminder_days_report: String,
    #[serde(default)]
    pub reminder_days_manager: String,
    #[serde(default)]
    pub review_reminder_days_first: String,
    #[serde(default)]
    pub review_reminder_days_last: String,
    #[serde(default)]
    pub delegation_flag_percent: String,
    #[serde(default)]
    pub delegation_flag_weeks: String,
}

async fn save_settings(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<SettingsForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let current = settings(&state).await?;
    let mut errors = Vec::new();
    let mut number = |name: &str, v: &str| -> u32 {
        v.trim().parse().unwrap_or_else(|_| {
            errors.push(FieldError::new(
                name,
                format!("{:?} is not a whole number", v.trim()),
            ));
            0
        })
    };
    let k360 = number("anonymity_k_360", &form.anonymity_k_360);
    let ksurvey = number("anonymity_k_survey", &form.anonymity_k_survey);
    let capacity = number("default_capacity_hours", &form.default_capacity_hours);
    let horizon = number("workload_horizon_days", &form.workload_horizon_days);
    let w_fit = number("weight_skill_fit", &form.weight_skill_fit);
    let w_wish = number("weight_growth_wish", &form.weight_growth_wish);
    let w_stretch = number("weight_stretch", &form.weight_stretch);
    let w_free = number("weight_free_capacity", &form.weight_free_capacity);
    let w_off = if form.weight_move_off.trim().is_empty() {
        current.weight_move_off
    } else {
        number("weight_move_off", &form.weight_move_off)
    };
    let new = Settings {
        organisation_name: form.organisation_name.trim().to_string(),
        manager_word: form.manager_word.trim().to_lowercase(),
        manager_word_plural: form.manager_word_plural.trim().to_lowercase(),
        anonymity_k_360: k360,
        anonymity_k_survey: ksurvey,
        default_capacity_hours: capacity,
        workload_horizon_days: horizon,
        weight_skill_fit: w_fit,
        weight_growth_wish: w_wish,
        weight_stretch: w_stretch,
        weight_free_capacity: w_free,
        weight_move_off: w_off,
        currency: match form.currency.trim() {
            "" => current.currency.clone(),
            c => c.to_uppercase(),
        },
        reminder_days_report: match form.reminder_days_report.trim() {
            "" => current.reminder_days_report,
            v => number("reminder_days_report", v),
        },
        reminder_days_manager: match form.reminder_days_manager.trim() {
            "" => current.reminder_days_manager,
            v => number("reminder_days_manager", v),
        },
        review_reminder_days_first: match form.review_reminder_days_first.trim() {
            "" => current.review_reminder_days_first,
            v => number("review_reminder_days_first", v),
        },
        review_reminder_days_last: match form.review_reminder_days_last.trim() {
            "" => current.review_reminder_days_last,
            v => number("review_reminder_days_last", v),
        },
        // Set on the influence page.
        advice_pulse_every_months: current.advice_pulse_every_months,
        advice_pulse_departments: current.advice_pulse_departments.clone(),
        delegation_flag_percent: match form.delegation_flag_percent.trim() {
            "" => current.delegation_flag_percent,
            v => number("delegation_flag_percent", v),
        },
        delegation_flag_weeks: match form.delegation_flag_weeks.trim() {
            "" => current.delegation_flag_weeks,
            v => number("delegation_flag_weeks", v),
        },
    };
    if errors.is_empty() {
        match trellis_core::settings::update(
            state.store.as_ref(),
            &user.viewer,
            new.clone(),
            crate::now(),
        )
        .await
        {
            Ok(_) => return Ok(Redirect::to("/admin/settings?saved=1").into_response()),
            Err(CoreError::Invalid(f)) => errors = f,
            Err(e) => return Err(e.into()),
        }
    }
    let frame = Frame {
        user: &user,
        settings: &current,
        section: "admin",
    };
    let body = settings_page(&frame, &new, &errors, false);
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        page(&frame, "Settings", body),
    )
        .into_response())
}

/// The page of an audit line's subject ("commitment 12" → its page), when it has one.
fn subject_link(subject: &str) -> Option<String> {
    let (kind, id) = subject.split_once(' ')?;
    let id: i64 = id.parse().ok()?;
    let base = match kind {
        "commitment" => "/commitments",
        "round" => "/mentoring/rounds",
        "opportunity" => "/opportunities",
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

async fn show_audit(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    require_admin(&user)?;
    let settings = settings(&state).await?;
    let entries = state.store.audit_log(200).await?;
    let body = html! {
        h1 { "Audit log" }
        p.muted { "The latest 200 entries, newest first, at times in your time zone." }
        table.responsive {
            thead { tr { th { "When" } th { "Who" } th { "What" } th { "Subject" } th { "Detail" } } }
            tbody {
                @for line in &entries {
                    @let e = &line.entry;
                    tr {
                        td data-label="When" { (crate::pages::format_time(e.at, &user)) }
                        td data-label="Who" {
                            @match (e.actor, &line.actor_name) {
                                (Some(a), Some(name)) => { a href=(format!("/people/{a}")) { (name) } }
                                (Some(a), None) => { "person " (a) }
                                (None, _) => { span.muted { "command line" } }
                            }
                        }
                        td data-label="What" { (e.action) }
                        td data-label="Subject" {
                            @match (&line.subject_person, subject_link(&e.subject)) {
                                (Some((id, name)), _) => { a href=(format!("/people/{id}")) { (name) } }
                                (None, Some(href)) => { a href=(href) { (e.subject) } }
                                (None, None) => { (e.subject) }
                            }
                        }
                        td data-label="Detail" { (e.detail) }
                    }
                }
            }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "admin",
        },
        "Audit log",
        body,
    ))
}

crate::auth::csrf_form!(SettingsForm);
