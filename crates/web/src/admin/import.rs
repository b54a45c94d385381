//! Admin → Import people: upload a CSV export, check the preview, apply it. An upload
//! that can be applied is kept (a day) for its admin, who can reopen its preview from the
//! home page or this page, apply it, or discard it.

use super::pages::require_admin;
use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, format_time, plural, settings};
use axum::Router;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::auth::random_token;
use trellis_core::org::import::{ImportOptions, ImportPlan, Located, MassLeave};
use trellis_core::org::imports;
use trellis_core::org::store::PendingImport;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/import",
            get(show_import)
                .post(preview_import)
                .layer(crate::upload_body()),
        )
        .route("/admin/import/commit", post(commit_import))
        .route("/admin/import/waiting/{id}", get(reopen_preview))
        .route("/admin/import/discard", post(discard_upload))
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
    pub discarded: Option<String>,
}

/// How long an upload is kept for its preview.
const UPLOAD_KEPT_SECONDS: i64 = 86_400;

/// The admin's uploads waiting to be applied, newest first.
pub(crate) async fn waiting_uploads(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<trellis_core::org::store::WaitingImport>, trellis_core::CoreError> {
    state
        .store
        .waiting_imports(user.account.id, crate::now() - UPLOAD_KEPT_SECONDS)
        .await
}

/// An upload's preview again, planned against the organisation as it is now.
async fn reopen_preview(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let kept = state.store.pending_import(&id, user.account.id).await?;
    let Some(upload) = kept else {
        return Err(PageError::new(
            StatusCode::GONE,
            "Upload gone",
            "This upload has been applied or discarded, or is more than a day old. Upload the file again.",
        ));
    };
    let parsed = imports::read(&user.viewer, &upload.content)?;
    let options = ImportOptions {
        deactivate_missing: upload.deactivate_missing,
        mass_leave: MassLeave::Allow,
        importer: Some(user.viewer.person_id()),
    };
    show_preview(&state, &user, &id, true, &upload.file_name, parsed, options).await
}

#[derive(Debug, Deserialize)]
pub struct DiscardForm {
    pub csrf: String,
    pub upload: String,
}

crate::auth::csrf_form!(DiscardForm, CommitForm);

async fn discard_upload(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<DiscardForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    state
        .store
        .discard_pending_import(&form.upload, user.account.id)
        .await?;
    Ok(Redirect::to("/admin/import?discarded=1").into_response())
}

async fn show_import(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(done): Query<ImportDoneParams>,
) -> Result<Markup, PageError> {
    require_admin(&user)?;
    let settings = settings(&state).await?;
    let waiting = waiting_uploads(&state, &user).await?;
    let body = html! {
        h1 { "Import people" }
        @if let (Some(c), Some(u), Some(n), Some(d)) = (done.created, done.updated, done.unchanged, done.deactivated) {
            p.notice role="status" { "Import applied: " (c) " added, " (u) " updated, " (n) " unchanged, " (d) " marked as left." }
        }
        p.lead { "Nothing is written until you have checked the preview and confirmed it." }
        @if done.discarded.is_some() { p.notice role="status" { "The upload was discarded: nothing was written." } }
        @if !waiting.is_empty() {
            section.card #waiting {
                h2 { "Waiting for you to apply" }
                p.hint { "Files you uploaded whose preview you have not applied yet; each is kept for a day." }
                ul {
                    @for w in &waiting {
                        li {
                            a href=(format!("/admin/import/waiting/{}", w.id)) { (w.file_name) }
                            " uploaded " (format_time(w.uploaded_at, &user)) " "
                            form.inline method="post" action="/admin/import/discard" {
                                (csrf_field(&user))
                                input type="hidden" name="upload" value=(w.id);
                                button.secondary type="submit" { "Discard" }
                            }
                        }
                    }
                }
            }
        }
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
    show_preview(&state, &user, &upload_id, kept, &file_name, parsed, options).await
}

/// Plans a read file against the organisation as it is now and shows the preview (or the
/// errors); a kept upload that cannot be applied, or would change nothing, is dropped.
async fn show_preview(
    state: &AppState,
    user: &CurrentUser,
    upload_id: &str,
    kept: bool,
    file_name: &str,
    parsed: trellis_core::org::import::ParsedFile,
    options: ImportOptions,
) -> Result<Response, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let plan = imports::plan(store, parsed, options).await?;
    if kept && (!plan.is_valid() || plan.is_empty()) {
        store
            .discard_pending_import(upload_id, user.account.id)
            .await?;
    }
    let frame = Frame {
        user,
        settings: &settings,
        section: "admin",
    };
    if !plan.is_valid() {
        let body = html! {
            h1 { "Import people" }
            p.lead { "Checked " strong { (file_name) } "." }
            (error_list(file_name, &plan))
            (upload_form(user))
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
                ul { @for w in &plan.warnings { li { (Located { file: file_name, issue: w }.to_string()) } } } }
        }
        (changes_and_leavers(&plan))
        @if plan.is_empty() {
            p.notice { "This file matches what Trellis already holds: there is nothing to change." }
        } @else {
            form method="post" action="/admin/import/commit" {
                (csrf_field(user))
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
                a.button.secondary href="/admin/import" { "Not now" }
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
