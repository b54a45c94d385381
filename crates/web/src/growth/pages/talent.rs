//! The talent pool page: external specialists with skills, rates and availability, added by
//! hand or imported from CSV (admins), for people with reports and admins.

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::org::pages::people::skill_level;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_summary, form_date, hours, input_field, settings};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::growth::stretch::Requirement;
use trellis_core::growth::talent::{self, TalentInput};
use trellis_core::ids::TalentId;
use trellis_core::org::csv_format::parse_skills;
use trellis_core::{CoreError, FieldError};

/// The add form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct TalentForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub skills: String,
    #[serde(default)]
    pub hourly_rate: String,
    #[serde(default)]
    pub hours_per_week: String,
    #[serde(default)]
    pub available_from: String,
    #[serde(default)]
    pub note: String,
}

/// An amount rounded to whole units with thousands grouped: "3,840 EUR".
pub(crate) fn money(amount: f64, currency: &str) -> String {
    let whole = amount.round() as i64;
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}{grouped} {currency}", if whole < 0 { "-" } else { "" })
}

async fn talent_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<&TalentForm>,
    errors: &[FieldError],
    import_errors: &[String],
    notice: Option<String>,
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let pool = talent::list(store, &user.viewer).await?;
    let engaged = talent::engagements(store, &user.viewer).await?;
    let filled = form.cloned().unwrap_or_default();
    let body = html! {
        h1 { "Talent pool" }
        p.lead { "External specialists Trellis offers when nobody inside has the skill and the time. Rates are per hour in " (settings.currency) "." }
        @if let Some(n) = &notice { p.notice role="status" { (n) } }
        (crate::org::pages::upload::refused_file(import_errors, "Nothing was added."))
        (error_summary(errors, "f-"))
        @if pool.is_empty() { p.muted { "Nobody in the pool yet." } }
        @else {
            table {
                thead { tr { th { "Name" } th { "Skills" } th.num { "Rate an hour" } th.num { "Hours a week" } th { "Available from" } th { span.visually-hidden { "Actions" } } } }
                tbody { @for t in &pool {
                    tr {
                        td { (t.name) @if let Some(e) = &t.email { br; a href=(format!("mailto:{e}")) { (e) } } @if !t.note.is_empty() { br; span.muted { (t.note) } } }
                        td { @for (i, s) in t.skills.iter().enumerate() { @if i > 0 { br; } (s.skill) " " (skill_level(s.level)) } }
                        td.num { (money(t.hourly_rate, &settings.currency)) }
                        td.num { (hours(t.hours_per_week)) }
                        td { (crate::pages::format_date(t.available_from)) }
                        td {
                            a.button.small href=(format!("/talent/{}/engage", t.id)) aria-label=(format!("Engage {}", t.name)) { "Engage" }
                            @if talent::may_remove(&user.viewer, t) {
                                " "
                                form.inline method="post" action=(format!("/talent/{}/delete", t.id)) {
                                    (csrf_field(user))
                                    button.secondary.small type="submit" aria-label=(format!("Remove {}", t.name)) { "Remove" }
                                }
                            }
                        }
                    }
                } }
            }
        }
        @if !engaged.is_empty() {
            section.card #engaged aria-labelledby="engaged-title" {
                h2 #engaged-title { "Engaged" }
                div.table-scroll { table.data {
                    thead { tr { th { "Specialist" } th { "For" } th.num { "Hours" } th.num { "Cost" } th { "When" } } }
                    tbody { @for e in &engaged {
                        tr {
                            td { (e.talent_name) @if !e.note.is_empty() { br; span.muted { (e.note) } } }
                            td { a href=(format!("/opportunities/{}", e.opportunity)) { (e.opportunity_title) } }
                            td.num { (hours(e.hours)) }
                            td.num { (money(e.cost, &settings.currency)) }
                            td { (crate::pages::format_time(e.engaged_at, user)) @if let Some(b) = &e.engaged_by { br; span.muted { "by " (b.name) } } }
                        }
                    } }
                } }
            }
        }
        div.grid {
            section.card aria-labelledby="add" {
                h2 #add { "Add someone" }
                form method="post" action="/talent" novalidate {
                    (csrf_field(user))
                    (input_field(errors, "f-", "name", "Name", &filled.name, "text", None))
                    (input_field(errors, "f-", "email", "E-mail (optional)", &filled.email, "email", None))
                    (input_field(errors, "f-", "skills", "Skills", &filled.skills, "text", Some("Each with a level 1–5, separated by semicolons: rust:4; sql:3. Use the names Trellis knows from people and opportunities.")))
                    (input_field(errors, "f-", "hourly_rate", &format!("Rate an hour ({})", settings.currency), &filled.hourly_rate, "number", None))
                    (input_field(errors, "f-", "hours_per_week", "Hours a week they can work", &filled.hours_per_week, "number", None))
                    (input_field(errors, "f-", "available_from", "Available from", &filled.available_from, "date", None))
                    (input_field(errors, "f-", "note", "Note (optional)", &filled.note, "text", None))
                    button type="submit" { "Add to the pool" }
                }
            }
            @if user.viewer.may_administer() {
                section.card aria-labelledby="import" {
                    h2 #import { "Import from CSV" }
                    p.hint { "Columns: Name, Email, Skills (rust:4; sql:3), Hourly Rate, Hours Per Week, Available From (YYYY-MM-DD), Note. Every row is added, or none." }
                    form method="post" action="/talent/import" enctype="multipart/form-data" {
                        (csrf_field(user))
                        div.field { label for="talent-file" { "CSV file" } input #talent-file type="file" name="file" accept=".csv,text/csv"; }
                        button type="submit" { "Import" }
                    }
                }
            }
        }
    };
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "opportunities",
        },
        "Talent pool",
        body,
    ))
}

pub async fn show_talent(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    talent_page(&state, &user, None, &[], &[], None).await
}

fn optional_number(errors: &mut Vec<FieldError>, field: &str, text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.replace(',', ".").parse::<f64>() {
        Ok(v) => Some(v),
        Err(_) => {
            errors.push(FieldError::new(field, format!("{t:?} is not a number")));
            None
        }
    }
}

pub async fn add_talent(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<TalentForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let skills: Vec<Requirement> = match parse_skills(&form.skills) {
        Ok(list) => list
            .into_iter()
            .map(|s| Requirement {
                skill: s.skill.into_string(),
                level: s.level,
            })
            .collect(),
        Err(m) => {
            errors.push(FieldError::new("skills", m));
            Vec::new()
        }
    };
    let rate = optional_number(&mut errors, "hourly_rate", &form.hourly_rate);
    let weekly = optional_number(&mut errors, "hours_per_week", &form.hours_per_week);
    let available = if form.available_from.trim().is_empty() {
        None
    } else {
        form_date(&mut errors, "available_from", &form.available_from)
    };
    let r = if errors.is_empty() {
        let input = TalentInput {
            name: form.name.clone(),
            email: Some(form.email.clone()),
            skills,
            hourly_rate: rate,
            hours_per_week: weekly,
            available_from: available,
            note: form.note.clone(),
        };
        talent::add(state.store.as_ref(), &user.viewer, &input, crate::now())
            .await
            .map(|_| ())
    } else {
        Err(CoreError::Invalid(errors))
    };
    crate::pages::after_post(
        r,
        "/talent".into(),
        Some(crate::pages::flash::Flash::TalentAdded),
        |errors| {
            let (state, user, form) = (&state, &user, &form);
            async move { talent_page(state, user, Some(form), &errors, &[], None).await }
        },
    )
    .await
}

/// The engage form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct EngageForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub opportunity_id: String,
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub cost: String,
    #[serde(default)]
    pub note: String,
}

crate::auth::csrf_form!(EngageForm);

async fn engage_page(
    state: &AppState,
    user: &CurrentUser,
    id: TalentId,
    form: &EngageForm,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let specialist = talent::list(store, &user.viewer)
        .await?
        .into_iter()
        .find(|t| t.id == id)
        .ok_or_else(|| CoreError::NotFound(format!("specialist {id} in the talent pool")))?;
    let open: Vec<_> = store
        .opportunities(Some(
            trellis_core::growth::opportunities::OpportunityStatus::Open,
        ))
        .await?
        .into_iter()
        .filter(|o| user.viewer.may_administer() || o.poster.id == user.viewer.person_id())
        .collect();
    let body = html! {
        nav aria-label="Talent pool" { ol.chain { li { a href="/talent" { "Talent pool" } } li aria-current="page" { "Engage " (specialist.name) } } }
        h1 { "Engage " (specialist.name) }
        p.lead { (money(specialist.hourly_rate, &settings.currency)) " an hour, " (hours(specialist.hours_per_week)) " a week, from " (crate::pages::format_date(specialist.available_from)) ". Recording the engagement marks the opportunity filled." }
        (error_summary(errors, "f-"))
        @if open.is_empty() {
            p.muted { "You have no open opportunities to engage anyone for. " a href="/opportunities/new" { "Post one" } }
        } @else {
            form.card method="post" novalidate {
                (csrf_field(user))
                div.field {
                    label for="f-opportunity_id" { "For the opportunity" }
                    select #f-opportunity_id name="opportunity_id" required {
                        option value="" disabled selected[form.opportunity_id.is_empty()] { "Choose an opportunity" }
                        @for o in &open { option value=(o.id) selected[form.opportunity_id == o.id.to_string()] { (o.title) } }
                    }
                    @if let Some(e) = crate::pages::error_for(errors, "opportunity_id") { p.field-error { (e) } }
                }
                (input_field(errors, "f-", "hours", "Hours agreed", &form.hours, "number", None))
                (input_field(errors, "f-", "cost", &format!("Cost agreed ({})", settings.currency), &form.cost, "number", Some("Leave empty for the hours at their rate.")))
                (input_field(errors, "f-", "note", "Note (optional)", &form.note, "text", None))
                button type="submit" { "Record the engagement" }
            }
        }
    };
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "opportunities",
        },
        "Engage a specialist",
        body,
    ))
}

pub async fn show_engage(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    engage_page(&state, &user, TalentId(id), &EngageForm::default(), &[]).await
}

pub async fn engage(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<EngageForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let opportunity = form
        .opportunity_id
        .trim()
        .parse::<i64>()
        .unwrap_or_else(|_| {
            errors.push(FieldError::new(
                "opportunity_id",
                "choose an opportunity from the list",
            ));
            0
        });
    let hours_agreed = optional_number(&mut errors, "hours", &form.hours);
    let cost = optional_number(&mut errors, "cost", &form.cost);
    let r = if errors.is_empty() {
        let input = talent::EngagementInput {
            opportunity_id: opportunity,
            hours: hours_agreed,
            cost,
            note: form.note.clone(),
        };
        talent::engage(
            state.store.as_ref(),
            &user.viewer,
            TalentId(id),
            &input,
            crate::now(),
        )
        .await
        .map(|_| ())
    } else {
        Err(CoreError::Invalid(errors))
    };
    crate::pages::after_post(
        r,
        "/talent#engaged".into(),
        Some(crate::pages::flash::Flash::Engaged),
        |errors| {
            let (state, user, form) = (&state, &user, &form);
            async move { engage_page(state, user, TalentId(id), form, &errors).await }
        },
    )
    .await
}

pub async fn remove_talent(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    talent::remove(state.store.as_ref(), &user.viewer, TalentId(id)).await?;
    Ok(Redirect::to("/talent").into_response())
}

pub async fn import_talent(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = crate::org::pages::upload::read_upload(&mut multipart, "talent.csv").await?;
    user.check_csrf(&upload.csrf)?;
    let Some(content) = &upload.content else {
        let errors = [format!("{}: choose a CSV file to import", upload.file_name)];
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            talent_page(&state, &user, None, &[], &errors, None).await?,
        )
            .into_response());
    };
    match talent::import(
        state.store.as_ref(),
        &user.viewer,
        &upload.file_name,
        content,
        crate::now(),
    )
    .await
    {
        Ok(done) => {
            let notice = format!(
                "Added {} {} from {}.",
                done.added,
                if done.added == 1 { "person" } else { "people" },
                upload.file_name
            );
            Ok(talent_page(&state, &user, None, &[], &[], Some(notice))
                .await?
                .into_response())
        }
        Err(CoreError::Invalid(fields)) => {
            let lines: Vec<String> = fields.into_iter().map(|f| f.message).collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                talent_page(&state, &user, None, &[], &lines, None).await?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

crate::auth::csrf_form!(TalentForm);

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .route("/talent", axum::routing::get(show_talent).post(add_talent))
        .route("/talent/{id}/delete", axum::routing::post(remove_talent))
        .route(
            "/talent/{id}/engage",
            axum::routing::get(show_engage).post(engage),
        )
        .route(
            "/talent/import",
            axum::routing::post(import_talent).layer(crate::upload_body()),
        )
}
