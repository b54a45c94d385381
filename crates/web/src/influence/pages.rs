//! Influence pages: the overview of informal leaders and how influence spreads
//! (`/influence`, managers and admins), the card on a person's page, and the admin page
//! (`/admin/influence`: the advice pulse's settings and turnout, computing the figures,
//! uploading interactions).

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::flash::Flash;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_summary, format_date, input_field, settings};
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::access::Reach;
use trellis_core::influence::figures::{self, Figures};
use trellis_core::influence::{overview, pulse};
use trellis_core::settings::SettingsPatch;
use trellis_core::{CoreError, FieldError, PersonId};

fn percentile(p: f64) -> String {
    format!("{:.0}th percentile", p.round())
}

fn leader_note(settings: &trellis_core::settings::Settings) -> String {
    format!(
        "People without reports whose influence outside the line is in the organisation's top 5 %, \
         or at least 5 and within 10 % of their own {}'s: the leadership pipeline's hidden candidates.",
        settings.manager_word
    )
}

pub async fn show_overview(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let o = overview::overview(state.store.as_ref(), &user.viewer).await?;
    let body = html! {
        h1 { "Influence" }
        p.lead {
            "Who people seek out for advice, from the advice pulse, mentoring, feedback requests and imported interactions. "
            "Influence outside the line counts the distinct people outside someone's reporting line who sought their advice in the last 90 days."
        }
        @match o.computed_on {
            Some(day) => p.hint { "Figures computed on " (format_date(day)) "; they are computed again each day." }
            None => p.notice { "The figures have not been computed yet: the server computes them once a day." @if user.viewer.may_administer() { " " a href="/admin/influence" { "Compute them now" } "." } }
        }
        section.card aria-labelledby="leaders" {
            h2 #leaders { "Informal leaders" }
            p.hint { (leader_note(&settings)) }
            @if o.leaders.is_empty() { p.muted { "Nobody yet." } }
            @else {
                div.table-scroll { table.data {
                    thead { tr { th { "Person" } th { "Team" } th.num { "Outside the line" } th.num { "Sought by" } th { "Reach" } th { "Brokerage" } } }
                    tbody { @for l in &o.leaders {
                        tr {
                            td { a href=(format!("/people/{}", l.person.id)) { (l.person.name) } @if let Some(t) = &l.title { br; span.muted { (t) } } }
                            td { (l.team.as_deref().unwrap_or("—")) @if let Some(d) = &l.department { br; span.muted { (d) } } }
                            td.num { (l.influence_outside_line) }
                            td.num { (l.advice_sought_by) }
                            td { (percentile(l.reach_percentile)) }
                            td { (percentile(l.brokerage_percentile)) }
                        }
                    } }
                } }
            }
        }
        section.card aria-labelledby="spread" {
            h2 #spread { "How influence spreads" }
            p.hint { "Influence outside the line across each group; a group of fewer than " (o.threshold) " people shows only its size, and no figure is one person's." }
            div.table-scroll { table.data {
                thead { tr { th { "Group" } th.num { "People" } th.num { "Median" } th.num { "Upper quartile" } th.num { "Sought from outside" } th.num { "Informal leaders" } } }
                tbody { @for g in &o.groups {
                    tr {
                        td { (g.group) }
                        td.num { (g.people) }
                        @if g.shown {
                            td.num { (format!("{:.1}", g.median)) }
                            td.num { (format!("{:.1}", g.upper_quartile)) }
                            td.num { (g.sought_from_outside) }
                            td.num { (g.informal_leaders) }
                        } @else {
                            td colspan="4" { span.muted { "Fewer than " (o.threshold) " people: not shown" } }
                        }
                    }
                } }
            } }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "influence",
        },
        "Influence",
        body,
    ))
}

/// The influence card of a person's page: for the person, their manager chain and admins.
pub(crate) async fn influence_card(
    state: &AppState,
    user: &CurrentUser,
    person: PersonId,
    reach: Reach,
) -> Result<Markup, PageError> {
    if !reach.plate_visible() {
        return Ok(html! {});
    }
    let settings = settings(state).await?;
    let i = figures::of_person(state.store.as_ref(), &user.viewer, person, crate::now()).await?;
    let most = i.months.iter().map(|m| m.people).max().unwrap_or(0).max(1);
    Ok(html! {
        section.card aria-labelledby="influence" {
            h2 #influence { "Influence" }
            p {
                strong { (i.influence_outside_line) }
                " " (if i.influence_outside_line == 1 { "person" } else { "people" })
                " outside " (if reach.is_self() { "your" } else { "their" }) " reporting line sought "
                (if reach.is_self() { "your" } else { "their" }) " advice in the last 90 days."
            }
            table.trend aria-label="Influence outside the line by month" {
                thead { tr { th { "Month" } th { "People" } } }
                tbody { @for m in &i.months {
                    tr { td { (m.month.format("%B %Y")) } td { (crate::pages::bar(f64::from(m.people) / f64::from(most), &m.people.to_string(), false)) } }
                } }
            }
            h3 { "Departments reached" }
            p.hint { (format_date(i.departments_from)) " to " (format_date(i.departments_to)) ", whole months; a department shows when at least " (i.threshold) " of its people sought advice." }
            @if i.departments.is_empty() && i.other_departments.is_none() { p.muted { "None to show." } }
            @else {
                ul { @for d in &i.departments { li { (d.department) ": " (d.people) } }
                     @if let Some(n) = i.other_departments { li { "Other departments: " (n) } } }
            }
            @match &i.figures {
                Some(f) => (figure_lines(f, &settings)),
                None => p.muted { "Reach and brokerage appear once the day's figures are computed." },
            }
        }
    })
}

fn figure_lines(f: &Figures, settings: &trellis_core::settings::Settings) -> Markup {
    html! {
        dl.facts {
            dt { "Reach" } dd { (percentile(f.reach_percentile)) span.muted { " — how far advice flows to them, through whom it comes (PageRank)" } }
            dt { "Brokerage" } dd { (percentile(f.brokerage_percentile)) span.muted { " — how often they connect people who otherwise would not meet (betweenness)" } }
            @if f.informal_leader { dt { "Informal leader" } dd { (leader_note(settings)) } }
        }
        p.hint { "Percentiles among everyone in the organisation, computed on " (format_date(f.computed_on)) "." }
    }
}

/// The admin page's settings form.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct PulseForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub every_months: String,
    #[serde(default)]
    pub departments: String,
}

crate::auth::csrf_form!(PulseForm);

/// The form to compute the figures now.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ComputeForm {
    #[serde(default)]
    pub csrf: String,
}

crate::auth::csrf_form!(ComputeForm);

async fn admin_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<&PulseForm>,
    errors: &[FieldError],
    upload_problems: &[String],
    notice: Option<String>,
) -> Result<Markup, PageError> {
    crate::admin::pages::require_admin(user)?;
    let settings = settings(state).await?;
    let turnout = pulse::turnout(state.store.as_ref(), &user.viewer).await?;
    let computed = state.store.influence_figures(None).await?;
    let every = form.map_or(settings.advice_pulse_every_months.to_string(), |f| {
        f.every_months.clone()
    });
    let departments = form.map_or(settings.advice_pulse_departments.clone(), |f| {
        f.departments.clone()
    });
    let body = html! {
        h1 { "Influence" }
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        section.card aria-labelledby="pulse" {
            h2 #pulse { "Advice pulse" }
            p.hint { "Asks each person, through their notifications, “Who have you gone to for advice?” and lets them name up to 10 colleagues. Who named whom is never shown to anyone, admins included: only the influence figures are." }
            @match turnout.round {
                Some(r) => p { "Latest round: " (format_date(r)) " — asked " (turnout.asked) ", answered " (turnout.answered) "." },
                None => p.muted { "No round has asked yet." },
            }
            (error_summary(errors, "p-"))
            form method="post" action="/admin/influence/pulse" novalidate {
                (csrf_field(user))
                div.field {
                    label for="p-every_months" { "Rhythm" }
                    select #p-every_months name="every_months" {
                        @for (value, label) in [("0", "Off"), ("1", "Every month"), ("2", "Every 2 months"), ("3", "Every 3 months"), ("6", "Every 6 months"), ("12", "Every year")] {
                            option value=(value) selected[every == value] { (label) }
                        }
                    }
                    p.hint { "A round opens on the first day of its month; turning the pulse on asks the current round at once." }
                }
                (input_field(errors, "p-", "departments", "Departments it asks", &departments, "text", Some("Comma-separated; empty asks everyone.")))
                button type="submit" { "Save" }
            }
        }
        section.card aria-labelledby="figures" {
            h2 #figures { "Figures" }
            @match computed.first() {
                Some(f) => p { "Computed on " (format_date(f.computed_on)) " for " (computed.len()) " people. The server computes them again each day." },
                None => p.muted { "Not computed yet; the server computes them once a day." },
            }
            form method="post" action="/admin/influence/compute" {
                (csrf_field(user))
                button.secondary type="submit" { "Compute now" }
            }
            p { a href="/influence" { "See informal leaders and how influence spreads" } }
        }
        section.card aria-labelledby="upload" {
            h2 #upload { "Import interactions" }
            p.hint { "Metadata exported from chat, mail or work systems. Columns: From, To (e-mail or employee id), Date (YYYY-MM-DD), Kind: advice (From sought To's advice), meeting, message or work. Every row is added, or none; rows already held are skipped." }
            @if !upload_problems.is_empty() {
                div.error-summary role="alert" { p { strong { "Nothing was imported:" } } ul { @for p in upload_problems { li { (p) } } } }
            }
            form method="post" action="/admin/influence/import" enctype="multipart/form-data" {
                (csrf_field(user))
                div.field { label for="i-file" { "CSV file" } input #i-file type="file" name="file" accept=".csv,text/csv"; }
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
        "Influence",
        body,
    ))
}

pub async fn show_admin(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    admin_page(&state, &user, None, &[], &[], None).await
}

pub async fn save_pulse(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<PulseForm>,
) -> Result<Response, PageError> {
    crate::admin::pages::require_admin(&user)?;
    let every = form.every_months.trim().parse::<u32>().ok();
    let errors = match every {
        None => vec![FieldError::new(
            "every_months",
            "choose how often the pulse asks",
        )],
        Some(every) => {
            let patch = SettingsPatch {
                advice_pulse_every_months: Some(every),
                advice_pulse_departments: Some(form.departments.clone()),
                ..SettingsPatch::default()
            };
            match trellis_core::settings::change(
                state.store.as_ref(),
                &user.viewer,
                patch,
                crate::now(),
            )
            .await
            {
                Ok(_) => {
                    // Turned on: ask the current round now rather than at the next hourly pass.
                    pulse::ask_when_due(state.store.as_ref(), crate::now()).await?;
                    return Ok(crate::pages::flash::redirect(
                        "/admin/influence",
                        Flash::Saved,
                    ));
                }
                Err(CoreError::Invalid(errors)) => errors
                    .into_iter()
                    .map(|e| {
                        let field = if e.field == "advice_pulse_departments" {
                            "departments"
                        } else {
                            "every_months"
                        };
                        FieldError::new(field, e.message)
                    })
                    .collect(),
                Err(e) => return Err(e.into()),
            }
        }
    };
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        admin_page(&state, &user, Some(&form), &errors, &[], None).await?,
    )
        .into_response())
}

pub async fn compute_now(
    State(state): State<AppState>,
    CsrfForm(user, _form): CsrfForm<ComputeForm>,
) -> Result<Markup, PageError> {
    crate::admin::pages::require_admin(&user)?;
    let n = figures::refresh(state.store.as_ref(), crate::now()).await?;
    admin_page(
        &state,
        &user,
        None,
        &[],
        &[],
        Some(format!("Computed the figures for {n} people.")),
    )
    .await
}

pub async fn import_upload(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    mut multipart: Multipart,
) -> Result<Response, PageError> {
    let upload = crate::org::pages::upload::read_upload(&mut multipart, "interactions.csv").await?;
    user.check_csrf(&upload.csrf)?;
    let Some(content) = &upload.content else {
        let problems = [format!("{}: choose a CSV file to import", upload.file_name)];
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            admin_page(&state, &user, None, &[], &problems, None).await?,
        )
            .into_response());
    };
    let result = trellis_core::influence::imports::import(
        state.store.as_ref(),
        &user.viewer,
        &upload.file_name,
        content,
        false,
        crate::now(),
    )
    .await;
    match result {
        Ok(done) => {
            let notice = format!(
                "Read {} rows from {}: {} new interactions added, the rest already held. The figures include them from the next computation.",
                done.rows, upload.file_name, done.added
            );
            Ok(admin_page(&state, &user, None, &[], &[], Some(notice))
                .await?
                .into_response())
        }
        Err(CoreError::Invalid(fields)) => {
            let lines: Vec<String> = fields.into_iter().map(|f| f.message).collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                admin_page(&state, &user, None, &[], &lines, None).await?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// The routes of the influence pages.
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/influence", get(show_overview))
        .route(
            "/advice",
            get(super::pulse::show_pulse).post(super::pulse::answer_pulse),
        )
        .route("/admin/influence", get(show_admin))
        .route("/admin/influence/pulse", post(save_pulse))
        .route("/admin/influence/compute", post(compute_now))
        .route(
            "/admin/influence/import",
            post(import_upload).layer(crate::upload_body()),
        )
}
