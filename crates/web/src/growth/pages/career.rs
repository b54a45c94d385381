//! A person's career plan: next step, strengths, growth areas, the support their manager
//! promised, reviews, and the history of changes.

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::flash::Flash;
use crate::pages::layout::{Frame, page};
use crate::pages::{
    csrf_field, error_for, error_summary, form_date, form_number, input_field, settings,
};
use crate::work::pages::due_text;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::clock::local_date;
use trellis_core::growth::career::{self, GrowthArea, PlanFields};
use trellis_core::work::CommitmentStatus;
use trellis_core::{CoreError, FieldError, LevelId, PersonId};

/// The plan form as typed: growth areas one per line, `skill current → target`.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct CareerForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub target_role: String,
    #[serde(default)]
    pub target_level: String,
    #[serde(default)]
    pub strengths: String,
    #[serde(default)]
    pub growth_areas: String,
    /// One per line.
    #[serde(default)]
    pub growth_goals: String,
}

fn areas_text(areas: &[GrowthArea]) -> String {
    areas
        .iter()
        .map(|a| format!("{} {} → {}", a.skill, a.current, a.target))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Reads `sql 2 → 3` (or `sql 2 3`, `sql: 2 -> 3`) per line.
fn parse_areas(errors: &mut Vec<FieldError>, text: &str) -> Vec<GrowthArea> {
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let cleaned = line.replace("→", " ").replace("->", " ").replace(':', " ");
        let parts: Vec<&str> = cleaned.split_whitespace().collect();
        let n = parts.len();
        let levels = (n >= 3).then(|| {
            (
                parts[n - 2].parse::<u8>().ok(),
                parts[n - 1].parse::<u8>().ok(),
            )
        });
        match levels {
            Some((Some(current), Some(target))) => out.push(GrowthArea {
                skill: parts[..n - 2].join(" "),
                current,
                target,
            }),
            _ => errors.push(FieldError::new(
                format!("growth_areas[{i}]"),
                format!("line {}: {line:?}: write a skill, its level now and the target, like \u{201c}sql 2 → 3\u{201d}", i + 1),
            )),
        }
    }
    out
}

/// Every change of the plan, newest first.
fn plan_history(user: &CurrentUser, history: &[career::PlanChange]) -> Markup {
    html! {
        section aria-labelledby="history" {
            h2 #history { "History" }
            @if history.is_empty() { p.muted { "No changes yet." } }
            ul.history { @for h in history {
                li { (h.what) br; span.muted { (crate::pages::format_time(h.at, user)) @if let Some(b) = &h.by { " · " (b.name) } } }
            } }
        }
    }
}

async fn career_page(
    state: &AppState,
    user: &CurrentUser,
    person: PersonId,
    form: Option<&CareerForm>,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let now = crate::now();
    let v = career::show(store, &user.viewer, person, now).await?;
    let levels = store.levels().await?;
    let filled = match (form, &v.plan) {
        (Some(f), _) => f.clone(),
        (None, Some(p)) => CareerForm {
            csrf: String::new(),
            target_role: p.fields.target_role.clone(),
            target_level: p
                .fields
                .target_level
                .map(|l| l.to_string())
                .unwrap_or_default(),
            strengths: p.fields.strengths.clone(),
            growth_areas: areas_text(&p.fields.growth_areas),
            growth_goals: p.fields.growth_goals.join("\n"),
        },
        (None, None) => CareerForm::default(),
    };
    let mine = person == user.viewer.person_id();
    let today = local_date(None, now);
    let body = html! {
        nav aria-label="Person" { ol.chain { li { a href=(format!("/people/{person}")) { (v.person.name) } } li aria-current="page" { "Career plan" } } }
        h1 { @if mine { "My career plan" } @else { (v.person.name) "\u{2019}s career plan" } }
        p.lead {
            @match v.plan.as_ref().and_then(|p| p.last_reviewed_on) {
                Some(d) => { "Last reviewed together on " (crate::pages::format_date(d)) }
                None => { "Not reviewed together yet" }
            }
            @if v.stale { " " span.flag.warn { "due for a review" } }
            " · visible to " @if mine { "you" } @else { (v.person.name) } ", their " (settings.manager_word) " chain and people admins"
        }
        @if v.can_support && v.plan.is_some() {
            form.inline-forms method="post" action=(format!("/people/{person}/career/review")) {
                (csrf_field(user))
                button.secondary type="submit" { "We reviewed it together today" }
            }
        }
        (error_summary(errors, "f-"))
        div.grid {
            section.card aria-labelledby="plan" {
                h2 #plan { "The plan" }
                form method="post" action=(format!("/people/{person}/career")) novalidate {
                    (csrf_field(user))
                    (input_field(errors, "f-", "target_role", "Next step: the role", &filled.target_role, "text", Some("For example Staff Engineer, or Team Lead.")))
                    div.field {
                        label for="f-target_level" { "Next step: the level" }
                        select #f-target_level name="target_level" aria-invalid=[error_for(errors, "target_level").map(|_| "true")] {
                            option value="" { "—" }
                            @for l in &levels { option value=(l.id) selected[filled.target_level == l.id.to_string()] { (l.code) " · " (l.name) } }
                        }
                        @if let Some(e) = error_for(errors, "target_level") { p.field-error { (e) } }
                    }
                    div.field {
                        label for="f-strengths" { "Strengths" }
                        textarea #f-strengths name="strengths" rows="3" { (filled.strengths) }
                    }
                    div.field {
                        label for="f-growth_areas" { "Growth areas" }
                        textarea #f-growth_areas name="growth_areas" rows="4" aria-invalid=[error_for(errors, "growth_areas").map(|_| "true")] { (filled.growth_areas) }
                        p.hint { "One per line: the skill, its level now and the target (1–5), like \u{201c}sql 2 → 3\u{201d}." }
                        @if let Some(e) = error_for(errors, "growth_areas") { p.field-error { (e) } }
                    }
                    div.field {
                        label for="f-growth_goals" { "Growth goals" }
                        textarea #f-growth_goals name="growth_goals" rows="3" aria-invalid=[error_for(errors, "growth_goals").map(|_| "true")] { (filled.growth_goals) }
                        p.hint { "In words, one per line, like \u{201c}Explain the direction and why\u{201d}. A 360 report can add one in a click." }
                        @if let Some(e) = error_for(errors, "growth_goals") { p.field-error { (e) } }
                    }
                    button type="submit" { "Save plan" }
                }
            }
            section.card aria-labelledby="support-title" {
                h2 #support-title { "Support the " (settings.manager_word) " promised" }
                @if v.support.is_empty() { p.muted { "Nothing promised yet." } }
                ul.plain {
                    @for c in &v.support {
                        li { a href=(format!("/commitments/{}", c.id)) { (c.title) } " · " (c.owner.name) " · "
                            @if c.status == CommitmentStatus::Open { (due_text(c, today)) } @else { (c.status.as_str()) } }
                    }
                }
                @if v.can_support {
                    form method="post" action=(format!("/people/{person}/career/support")) novalidate {
                        (csrf_field(user))
                        (input_field(errors, "f-", "what", "What you will do to help", "", "text", Some("It goes on your plate and theirs until it is done.")))
                        (input_field(errors, "f-", "due_date", "By", "", "date", None))
                        (input_field(errors, "f-", "effort_hours", "Hours it takes you", "", "number", Some("Default 1.")))
                        button type="submit" { "Promise support" }
                    }
                }
            }
        }
        (plan_history(user, &v.history))
    };
    // A career plan is not the plate: the nav marks "People" for someone else's, nothing
    // for one's own (it has no entry of its own).
    let section = if mine { "" } else { "people" };
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section,
        },
        "Career plan",
        body,
    ))
}

pub async fn show_career(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    career_page(&state, &user, PersonId(id), None, &[]).await
}

async fn result(
    state: &AppState,
    user: &CurrentUser,
    person: PersonId,
    form: Option<&CareerForm>,
    r: Result<(), CoreError>,
    done: Flash,
) -> Result<Response, PageError> {
    crate::pages::after_post(
        r,
        format!("/people/{person}/career"),
        Some(done),
        |errors| async move { career_page(state, user, person, form, &errors).await },
    )
    .await
}

pub async fn save_career(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<CareerForm>,
) -> Result<Response, PageError> {
    let person = PersonId(id);
    let mut errors = Vec::new();
    let areas = parse_areas(&mut errors, &form.growth_areas);
    let level = match form.target_level.trim() {
        "" => None,
        t => t
            .parse::<i64>()
            .map_err(|_| {
                errors.push(FieldError::new(
                    "target_level",
                    "choose a level from the list",
                ))
            })
            .ok()
            .map(LevelId),
    };
    let r = if errors.is_empty() {
        let fields = PlanFields {
            target_role: form.target_role.clone(),
            target_level: level,
            strengths: form.strengths.clone(),
            growth_areas: areas,
            growth_goals: form
                .growth_goals
                .lines()
                .map(str::trim)
                .filter(|g| !g.is_empty())
                .map(str::to_string)
                .collect(),
        };
        career::save(
            state.store.as_ref(),
            &user.viewer,
            person,
            &fields,
            crate::now(),
        )
        .await
    } else {
        Err(CoreError::Invalid(errors))
    };
    result(&state, &user, person, Some(&form), r, Flash::PlanSaved).await
}

pub async fn review_career(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    let r = career::review(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        crate::now(),
    )
    .await;
    result(&state, &user, PersonId(id), None, r, Flash::Reviewed).await
}

#[derive(Debug, Deserialize)]
pub struct SupportForm {
    pub csrf: String,
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub effort_hours: String,
}

pub async fn add_support(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<SupportForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let due = form_date(&mut errors, "due_date", &form.due_date);
    let effort = form_number(&mut errors, "effort_hours", &form.effort_hours);
    let r = if errors.is_empty() {
        career::add_support(
            state.store.as_ref(),
            &user.viewer,
            PersonId(id),
            &form.what,
            due,
            effort,
            crate::now(),
        )
        .await
        .map(|_| ())
    } else {
        Err(CoreError::Invalid(errors))
    };
    result(&state, &user, PersonId(id), None, r, Flash::SupportAdded).await
}

crate::auth::csrf_form!(CareerForm, SupportForm);

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .route(
            "/people/{id}/career",
            axum::routing::get(show_career).post(save_career),
        )
        .route(
            "/people/{id}/career/review",
            axum::routing::post(review_career),
        )
        .route(
            "/people/{id}/career/support",
            axum::routing::post(add_support),
        )
}
