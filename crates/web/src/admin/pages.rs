//! People-admin pages: import with a preview before commit, settings, and the audit log.

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, plural, settings};
use axum::Router;
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::auth::random_token;
use trellis_core::org::import::{ImportOptions, ImportPlan, Located, MassLeave};
use trellis_core::org::imports;
use trellis_core::org::store::PendingImport;
use trellis_core::settings::Settings;
use trellis_core::{CoreError, FieldError};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin", get(show_admin))
        .route("/admin/settings", get(show_settings).post(save_settings))
        .route(
            "/admin/import",
            get(show_import)
                .post(preview_import)
                .layer(crate::upload_body()),
        )
        .route("/admin/import/commit", post(commit_import))
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
            section.card { h2 { a href="/admin/notifications" { "E-mail defaults" } } p { "Which notifications are e-mailed at once, in a daily summary or not at all, for people who have not chosen." } }
            section.card { h2 { a href="/admin/mail" { "E-mail" } } p { "What Trellis sent, what waits and the mail server's answers; send a test mail." } }
            section.card { h2 { a href="/admin/audit" { "Audit log" } } p { "Sign-ins, imports and changes to people." } }
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

fn upload_form(user: &CurrentUser) -> Markup {
    html! {
        form method="post" action="/admin/import" enctype="multipart/form-data" {
            (csrf_field(user))
            div.field {
                label for="file" { "CSV file" }
                input #file type="file" name="file" accept=".csv,text/csv" required;
                p.hint { "Columns are matched by name, whatever their case and punctuation: Employee Id, Email, Name (or First Name and Last Name), Preferred Name, Title, Manager Email (or Manager Id, Reports To), Department, Team, Location, Time Zone, Start Date, Status, Level, Skills (as rust:4; sql:3+). Very large files import faster from the command line (trellis import people)." }
            }
            div.field {
                label { input type="checkbox" name="deactivate_missing" value="1"; " Mark active people who are not in the file as having left" }
            }
            button type="submit" { "Preview import" }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ImportDoneParams {
    pub created: Option<usize>,
    pub updated: Option<usize>,
    pub unchanged: Option<usize>,
    pub deactivated: Option<usize>,
}

async fn show_import(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(done): Query<ImportDoneParams>,
) -> Result<Markup, PageError> {
    require_admin(&user)?;
    let settings = settings(&state).await?;
    let body = html! {
        h1 { "Import people" }
        @if let (Some(c), Some(u), Some(n), Some(d)) = (done.created, done.updated, done.unchanged, done.deactivated) {
            p.notice role="status" { "Import applied: " (c) " added, " (u) " updated, " (n) " unchanged, " (d) " marked as left." }
        }
        p.lead { "Nothing is written until you have checked the preview and confirmed it." }
        (upload_form(&user))
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "admin",
        },
        "Import people",
        body,
    ))
}

fn error_list(file: &str, plan: &ImportPlan) -> Markup {
    html! {
        div.error-summary role="alert" {
            p { strong { (plural((plan.errors.len() + plan.errors_not_shown) as i64, "problem", "problems")) " found. Nothing was written." }
                " Correct the file and upload it again." }
            ol #import-errors {
                @for issue in &plan.errors { li { code { (Located { file, issue }.to_string()) } } }
            }
            @if plan.errors_not_shown > 0 { p { "… and " (plan.errors_not_shown) " more." } }
        }
    }
}

async fn preview_import(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let settings = settings(&state).await?;
    let upload = crate::org::pages::upload::read_upload(&mut multipart, "upload.csv").await?;
    let deactivate_missing = upload.checked("deactivate_missing");
    let crate::org::pages::upload::Upload {
        csrf,
        file_name,
        content,
        ..
    } = upload;
    user.check_csrf(&csrf)?;
    let Some(content) = content.filter(|c| !c.is_empty()) else {
        return Err(PageError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            title: "No file".into(),
            message: "Choose a CSV file to import.".into(),
            fields: vec![],
        });
    };
    // The preview shows a mass leave and asks for the count; the commit checks it.
    let options = ImportOptions {
        deactivate_missing,
        mass_leave: MassLeave::Allow,
        importer: Some(user.viewer.person_id()),
    };
    let store = state.store.as_ref();
    let parsed = imports::read(&user.viewer, &content)?;
    // A file that can still be applied is kept for the commit before it is planned, and
    // dropped here: the file, its rows and the organisation are never all held at once.
    let upload_id = random_token()?;
    let kept = parsed.errors.is_empty();
    if kept {
        let pending = PendingImport {
            file_name: file_name.clone(),
            content,
            deactivate_missing,
        };
        store
            .save_pending_import(&upload_id, user.account.id, pending, crate::now())
            .await?;
    } else {
        drop(content);
    }
    let plan = imports::plan(store, parsed, options).await?;
    if kept && (!plan.is_valid() || plan.is_empty()) {
        store
            .discard_pending_import(&upload_id, user.account.id)
            .await?;
    }
    let frame = Frame {
        user: &user,
        settings: &settings,
        section: "admin",
    };
    if !plan.is_valid() {
        let body = html! {
            h1 { "Import people" }
            p.lead { "Checked " strong { (file_name) } "." }
            (error_list(&file_name, &plan))
            (upload_form(&user))
        };
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            page(&frame, "Import people", body),
        )
            .into_response());
    }
    let body = html! {
        h1 { "Preview: " (file_name) }
        ul.preview-counts {
            li { strong { (plan.creates.len()) } "to add" }
            li { strong { (plan.updates.len()) } "to update" }
            li { strong { (plan.unchanged) } "unchanged" }
            li { strong { (plan.deactivations.len()) } "to mark as left" }
        }
        @if !plan.ignored_columns.is_empty() {
            p.warning { "Ignored columns (not used by Trellis): " (plan.ignored_columns.join(", ")) }
        }
        @if !plan.new_teams.is_empty() { p { "New teams: " (plan.new_teams.join(", ")) } }
        @if !plan.new_levels.is_empty() { p { "New job levels: " (plan.new_levels.join(", ")) } }
        @if !plan.new_skills.is_empty() { p { "New skills: " (plan.new_skills.join(", ")) } }
        @if !plan.warnings.is_empty() {
            div.warning { p { strong { "Please check:" } }
                ul { @for w in &plan.warnings { li { (Located { file: &file_name, issue: w }.to_string()) } } } }
        }
        (changes_and_leavers(&plan))
        @if plan.is_empty() {
            p.notice { "This file matches what Trellis already holds: there is nothing to change." }
        } @else {
            form method="post" action="/admin/import/commit" {
                (csrf_field(&user))
                input type="hidden" name="upload" value=(upload_id);
                @if plan.is_mass_leave() {
                    div.warning role="alert" {
                        p { strong { "This would mark " (plan.deactivations.len()) " of the " (plan.active_people) " active people as having left." }
                            " A file cut short or exported from the wrong view looks like this. Check the file; to go ahead, type the number of people to mark as left." }
                        div.field {
                            label for="confirm_leave_count" { "Number of people to mark as left" }
                            input #confirm_leave_count type="text" inputmode="numeric" name="confirm_leave_count" autocomplete="off" required;
                        }
                    }
                }
                button type="submit" { "Apply import" }
                " "
                a.button.secondary href="/admin/import" { "Cancel" }
            }
        }
    };
    Ok(page(&frame, "Import preview", body).into_response())
}

/// What an import changes, person by person, and who it marks as left.
fn changes_and_leavers(plan: &trellis_core::org::import::ImportPlan) -> Markup {
    html! {
        @if !plan.updates.is_empty() {
            h2 { "Changes" }
            table.responsive {
                thead { tr { th { "Line" } th { "Person" } th { "What changes" } } }
                tbody {
                    @for u in plan.updates.iter().take(100) {
                        tr { td data-label="Line" { (u.line) } td data-label="Person" { (u.record.name) " " span.muted { (u.record.email) } } td data-label="Changes" { (u.changed.join(", ")) } }
                    }
                }
            }
            @if plan.updates.len() > 100 { p.muted { "… and " (plan.updates.len() - 100) " more." } }
        }
        @if !plan.deactivations.is_empty() {
            h2 { "To mark as left" }
            ul #leaving {
                @for d in plan.deactivations.iter().take(200) { li { (d.name) " " span.muted { (d.email) } } }
            }
            @if plan.deactivations.len() > 200 { p.muted { "… and " (plan.deactivations.len() - 200) " more." } }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CommitForm {
    pub csrf: String,
    pub upload: String,
    /// The count typed to confirm a mass leave.
    #[serde(default)]
    pub confirm_leave_count: String,
}

async fn commit_import(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<CommitForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let Some(upload) = state
        .store
        .take_pending_import(&form.upload, user.account.id)
        .await?
    else {
        return Err(PageError::new(
            StatusCode::GONE,
            "Preview expired",
            "This preview has already been applied or has expired. Upload the file again.",
        ));
    };
    let PendingImport {
        file_name,
        content,
        deactivate_missing,
    } = upload;
    // The file by value: freed once read.
    let (plan, summary) = imports::apply(
        state.store.as_ref(),
        &user.viewer,
        &file_name,
        content,
        ImportOptions {
            deactivate_missing,
            mass_leave: match form.confirm_leave_count.trim().parse() {
                Ok(n) => MassLeave::AllowExactly(n),
                Err(_) => MassLeave::Refuse,
            },
            importer: Some(user.viewer.person_id()),
        },
        crate::now(),
    )
    .await?;
    match summary {
        Some(s) => Ok(Redirect::to(&format!(
            "/admin/import?created={}&updated={}&unchanged={}&deactivated={}",
            s.created, s.updated, s.unchanged, s.deactivated
        ))
        .into_response()),
        None => {
            // The organisation changed between preview and commit.
            let settings = settings(&state).await?;
            let body = html! { h1 { "Import people" } (error_list(&file_name, &plan)) (upload_form(&user)) };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                page(
                    &Frame {
                        user: &user,
                        settings: &settings,
                        section: "admin",
                    },
                    "Import people",
                    body,
                ),
            )
                .into_response())
        }
    }
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

crate::auth::csrf_form!(CommitForm, SettingsForm);
