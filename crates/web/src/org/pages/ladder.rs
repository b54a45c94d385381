//! Admin → Career ladder: the job levels with their rank and expectations, one form to
//! add a level or change one, and a CSV upload for the whole ladder.

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_summary, input_field, settings};
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::org::ladder::{self, LevelInput};
use trellis_core::{CoreError, FieldError};

/// The form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct LevelForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub rank: String,
    #[serde(default)]
    pub expectations: String,
}

#[derive(Debug, Deserialize)]
pub struct LadderParams {
    /// The level to change in the form.
    pub code: Option<String>,
    pub saved: Option<String>,
}

fn require_admin(user: &CurrentUser) -> Result<(), PageError> {
    if user.viewer.may_administer() {
        Ok(())
    } else {
        Err(CoreError::Forbidden("change the career ladder; people admins do".into()).into())
    }
}

async fn ladder_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<LevelForm>,
    errors: &[FieldError],
    notice: Option<String>,
    import_errors: &[String],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let levels = ladder::list(state.store.as_ref()).await?;
    let form = form.unwrap_or_default();
    let editing = levels.iter().any(|l| l.code == form.code);
    let body = html! {
        nav aria-label="Admin" { ol.chain { li { a href="/admin" { "Admin" } } li aria-current="page" { "Career ladder" } } }
        h1 { "Career ladder" }
        p.lead { "Higher rank is more senior. Career plans suggest the next level up, and mentor matching gives points to mentors at a mentee's target level." }
        @if let Some(n) = &notice { p.notice role="status" { (n) } }
        (crate::org::pages::upload::refused_file(import_errors, "Nothing was changed."))
        (error_summary(errors, "f-"))
        @if levels.is_empty() { p.muted { "No levels yet: add the first below, import the ladder from a CSV file, or import people with a Level column." } }
        @else {
            table {
                thead { tr { th { "Code" } th { "Name" } th.num { "Rank" } th { "Expectations" } th { span.visually-hidden { "Actions" } } } }
                tbody { @for l in &levels {
                    tr {
                        td { (l.code) } td { (l.name) } td.num { (l.rank) }
                        td { @if l.expectations.is_empty() { span.muted { "—" } } @else { (l.expectations) } }
                        td { a href=(format!("/admin/ladder?code={}#level-form", l.code)) aria-label=(format!("Change {}", l.code)) { "Change" } }
                    }
                } }
            }
        }
        section.card #level-form aria-labelledby="form-title" {
            h2 #form-title { @if editing { "Change " (form.code) } @else { "Add a level" } }
            form method="post" action="/admin/ladder" novalidate {
                (csrf_field(user))
                (input_field(errors, "f-", "code", "Code", &form.code, "text", Some("As your HR system writes it, e.g. L4. Saving an existing code changes that level.")))
                (input_field(errors, "f-", "name", "Name", &form.name, "text", Some("e.g. Senior Engineer.")))
                (input_field(errors, "f-", "rank", "Rank", &form.rank, "number", Some("0 to 1000; higher is more senior.")))
                div.field {
                    label for="f-expectations" { "What this level expects" }
                    textarea #f-expectations name="expectations" rows="4" { (form.expectations) }
                }
                button type="submit" { "Save level" }
            }
        }
        section.card aria-labelledby="import" {
            h2 #import { "Import from CSV" }
            p.hint { "Columns: Code, Name, Rank, Expectations (optional). Each level is added, or changed when its code exists; levels the file leaves out stay. Every row is saved, or none." }
            form method="post" action="/admin/ladder/import" enctype="multipart/form-data" {
                (csrf_field(user))
                div.field { label for="ladder-file" { "CSV file" } input #ladder-file type="file" name="file" accept=".csv,text/csv"; }
                div.field { label { input type="checkbox" name="dry_run" value="1"; " Only check the file and say what would change" } }
                button type="submit" { "Import" }
            }
        }
    };
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "admin",
        },
        "Career ladder",
        body,
    ))
}

pub async fn show_ladder(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(q): Query<LadderParams>,
) -> Result<Markup, PageError> {
    require_admin(&user)?;
    let levels = ladder::list(state.store.as_ref()).await?;
    let form = q.code.as_deref().and_then(|code| {
        levels.iter().find(|l| l.code == code).map(|l| LevelForm {
            code: l.code.clone(),
            name: l.name.clone(),
            rank: l.rank.to_string(),
            expectations: l.expectations.clone(),
            ..LevelForm::default()
        })
    });
    let notice = q.saved.map(|code| format!("Saved {code}."));
    ladder_page(&state, &user, form, &[], notice, &[]).await
}

pub async fn save_level(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<LevelForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let rank = match form.rank.trim() {
        "" => Ok(None),
        r => r
            .parse::<i64>()
            .map(Some)
            .map_err(|_| CoreError::field("rank", format!("{r:?} is not a whole number"))),
    };
    let result = match rank {
        Ok(rank) => {
            let input = LevelInput {
                code: form.code.clone(),
                name: form.name.clone(),
                rank,
                expectations: form.expectations.clone(),
            };
            ladder::save(state.store.as_ref(), &user.viewer, &input, crate::now())
                .await
                .map(|_| ())
        }
        Err(e) => Err(e),
    };
    let code = form.code.trim().to_string();
    crate::pages::after_post(
        result,
        format!("/admin/ladder?saved={}", urlencoding(&code)),
        // The page says which level was saved.
        None,
        |errors| {
            let (state, user) = (&state, &user);
            async move { ladder_page(state, user, Some(form), &errors, None, &[]).await }
        },
    )
    .await
}

/// A whole ladder from a CSV upload, or with "only check" ticked, what it would change.
pub async fn import_ladder(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let upload = crate::org::pages::upload::read_upload(&mut multipart, "ladder.csv").await?;
    user.check_csrf(&upload.csrf)?;
    let refuse = |errors: Vec<String>| {
        let (state, user) = (&state, &user);
        async move {
            Ok::<Response, PageError>(
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ladder_page(state, user, None, &[], None, &errors).await?,
                )
                    .into_response(),
            )
        }
    };
    let Some(content) = &upload.content else {
        return refuse(vec![format!(
            "{}: choose a CSV file to import",
            upload.file_name
        )])
        .await;
    };
    let dry_run = upload.checked("dry_run");
    match ladder::import(
        state.store.as_ref(),
        &user.viewer,
        &upload.file_name,
        content,
        dry_run,
        crate::now(),
    )
    .await
    {
        Ok(done) => {
            let notice = if dry_run {
                format!(
                    "Checked {}: it would add {}, change {} and leave {} as they are. Nothing was saved.",
                    upload.file_name, done.added, done.updated, done.unchanged
                )
            } else {
                format!(
                    "Imported {}: {} added, {} changed, {} as they were.",
                    upload.file_name, done.added, done.updated, done.unchanged
                )
            };
            Ok(ladder_page(&state, &user, None, &[], Some(notice), &[])
                .await?
                .into_response())
        }
        Err(CoreError::Invalid(fields)) => {
            refuse(fields.into_iter().map(|f| f.message).collect()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Percent-encodes a level code for a query string.
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

crate::auth::csrf_form!(LevelForm);
