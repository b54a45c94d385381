//! `/decisions` (the log, by team, objective and status; managers and admins record a
//! decision) and `/decisions/{id}` (the decision; its owner, their chain and admins record
//! what came of it or move the revisit date).

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::flash::Flash;
use crate::pages::layout::{Frame, page};
use crate::pages::{
    after_post, csrf_field, error_for, error_summary, form_date, format_date, input_field, settings,
};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::decisions::{
    self, DecisionFilter, DecisionInput, DecisionView, OutcomeInput, Status, Verdict,
};
use trellis_core::ids::{DecisionId, ObjectiveId, TeamId};
use trellis_core::work::store::ObjectiveFilter;
use trellis_core::{CoreError, FieldError};

#[derive(Debug, Default, Clone, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub objective: String,
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub why: String,
    #[serde(default)]
    pub alternatives: String,
    #[serde(default)]
    pub decided_by: String,
    /// The owner's e-mail; the recorder when empty.
    #[serde(default)]
    pub owner_email: String,
    #[serde(default)]
    pub team_id: String,
    #[serde(default)]
    pub objective_id: String,
    #[serde(default)]
    pub decided_on: String,
    #[serde(default)]
    pub revisit_on: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct RevisitForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub verdict: String,
    #[serde(default)]
    pub learned: String,
    #[serde(default)]
    pub revisit_on: String,
}
crate::auth::csrf_form!(DecisionForm, RevisitForm);

fn frame<'a>(user: &'a CurrentUser, settings: &'a trellis_core::settings::Settings) -> Frame<'a> {
    Frame {
        user,
        settings,
        section: "decisions",
    }
}

fn id_of(text: &str) -> Option<i64> {
    text.trim().parse().ok()
}

fn status_badge(view: &DecisionView) -> Markup {
    let d = &view.decision;
    html! {
        @match &d.outcome {
            Some(o) => span.badge { (o.verdict.label()) },
            None if view.status == "due" => span.flag.warn { "due to revisit" },
            None => span.muted { "revisit " (format_date(d.revisit_on)) },
        }
    }
}

fn decision_form(
    user: &CurrentUser,
    form: &DecisionForm,
    errors: &[FieldError],
    teams: &[trellis_core::org::Team],
    objectives: &[trellis_core::work::Objective],
) -> Markup {
    let field_error = |name: &str| {
        html! { @if let Some(e) = error_for(errors, name) { p.field-error id=(format!("n-{name}-error")) { (e) } } }
    };
    html! {
        section.card #new aria-labelledby="new-decision" {
            h2 #new-decision { "Record a decision" }
            (error_summary(errors, "n-"))
            form method="post" action="/decisions" novalidate {
                (csrf_field(user))
                (input_field(errors, "n-", "title", "What was decided", &form.title, "text", None))
                div.field {
                    label for="n-why" { "Why" }
                    textarea #n-why name="why" rows="3" aria-invalid=[error_for(errors, "why").map(|_| "true")] { (form.why) }
                    (field_error("why"))
                }
                div.field {
                    label for="n-alternatives" { "Alternatives considered" }
                    textarea #n-alternatives name="alternatives" rows="2" { (form.alternatives) }
                    p.hint { "What else was on the table, and why it was not chosen." }
                }
                (input_field(errors, "n-", "decided_by", "Who decided", &form.decided_by, "text", Some("For example “the platform team”. The owner when empty.")))
                (input_field(errors, "n-", "owner_email", "Owner's e-mail", &form.owner_email, "email", Some("Who is asked to revisit it. You when empty.")))
                div.field {
                    label for="n-team_id" { "Team" }
                    select #n-team_id name="team_id" aria-invalid=[error_for(errors, "team_id").map(|_| "true")] {
                        option value="" { "—" }
                        @for t in teams { option value=(t.id) selected[form.team_id == t.id.to_string()] { (t.name) } }
                    }
                    (field_error("team_id"))
                }
                div.field {
                    label for="n-objective_id" { "Objective" }
                    select #n-objective_id name="objective_id" data-filter="Search by title" {
                        option value="" { "—" }
                        @for o in objectives { option value=(o.id) selected[form.objective_id == o.id.to_string()] { (o.title) " · " (o.owner.name) } }
                    }
                    p.hint { "A team, an objective, or both. The objective's team is used when no team is chosen." }
                    (field_error("objective_id"))
                }
                (input_field(errors, "n-", "decided_on", "Decided on", &form.decided_on, "date", Some("Today when empty.")))
                (input_field(errors, "n-", "revisit_on", "Revisit on", &form.revisit_on, "date", Some("On this day the owner is asked whether it was kept, changed or reversed.")))
                div.actions { button type="submit" { "Record decision" } }
            }
        }
    }
}

async fn log_page(
    state: &AppState,
    user: &CurrentUser,
    query: &LogQuery,
    form: &DecisionForm,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let now = crate::now();
    let status = crate::decisions::api::status_param(Some(&query.status))?;
    let filter = DecisionFilter {
        id: None,
        team: id_of(&query.team).map(TeamId),
        objective: id_of(&query.objective).map(ObjectiveId),
    };
    let list = decisions::list(store, &user.viewer, &filter, status, now).await?;
    let teams = store.teams().await?;
    let objectives = store
        .objectives(&ObjectiveFilter {
            active_on: Some(decisions::today(now)),
            ..ObjectiveFilter::default()
        })
        .await?;
    let status_text = status.map(Status::as_str).unwrap_or("");
    Ok(page(
        &frame(user, &settings),
        "Decisions",
        html! {
            h1 { "Decisions" }
            p.lead { "What was decided and why, and — on the revisit date — what came of it. Changing course when a decision does not work out is part of the record, not a mark against anyone." }
            form.filters method="get" action="/decisions" {
                div.field {
                    label for="f-team" { "Team" }
                    select #f-team name="team" {
                        option value="" { "All teams" }
                        @for t in &teams { option value=(t.id) selected[query.team == t.id.to_string()] { (t.name) } }
                    }
                }
                div.field {
                    label for="f-status" { "Status" }
                    select #f-status name="status" {
                        option value="" { "Any" }
                        @for (value, label) in [("open", "Waiting for its revisit date"), ("due", "Due to revisit"), ("kept", "Kept"), ("changed", "Changed course"), ("reversed", "Reversed")] {
                            option value=(value) selected[status_text == value] { (label) }
                        }
                    }
                }
                @if !query.objective.is_empty() { input type="hidden" name="objective" value=(query.objective); }
                button.secondary type="submit" { "Show" }
            }
            @if list.is_empty() {
                p.muted { "No decisions recorded here yet." }
            } @else {
                ul.cards.decisions {
                    @for v in &list {
                        @let d = &v.decision;
                        li.card {
                            h3 { a href=(format!("/decisions/{}", d.id)) { (d.title) } " " (status_badge(v)) }
                            p { (format_date(d.decided_on)) " · decided by " (d.decided_by) " · owner " (d.owner.name)
                                @if let Some(t) = &d.team { " · " (t.name) }
                                @if let Some(o) = &d.objective { " · " a href=(format!("/objectives/{}", o.id)) { (o.name) } } }
                            @if let Some(o) = &d.outcome { @if !o.learned.is_empty() { p { strong { "Learned: " } (o.learned) } } }
                        }
                    }
                }
            }
            @if user.viewer.may_lead_teams() {
                (decision_form(user, form, errors, &teams, &objectives))
            }
        },
    ))
}

async fn show_log(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(query): Query<LogQuery>,
) -> Result<Markup, PageError> {
    // A link from a team or an objective starts the form there.
    let form = DecisionForm {
        team_id: query.team.clone(),
        objective_id: query.objective.clone(),
        ..DecisionForm::default()
    };
    log_page(&state, &user, &query, &form, &[]).await
}

async fn create(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    let store = state.store.as_ref();
    let mut errors = Vec::new();
    let decided_on = form_date(&mut errors, "decided_on", &form.decided_on);
    let revisit_on = form_date(&mut errors, "revisit_on", &form.revisit_on);
    let owner_id = match form.owner_email.trim() {
        "" => None,
        email => match store.person_id_by_email(email).await? {
            Some(id) => Some(id.0),
            None => {
                errors.push(FieldError::new(
                    "owner_email",
                    format!("nobody has the e-mail {email}"),
                ));
                None
            }
        },
    };
    let input = DecisionInput {
        title: form.title.clone(),
        why: form.why.clone(),
        alternatives: form.alternatives.clone(),
        decided_by: form.decided_by.clone(),
        owner_id,
        team_id: id_of(&form.team_id),
        objective_id: id_of(&form.objective_id),
        decided_on,
        revisit_on,
    };
    let result = match decisions::record(store, &user.viewer, &input, crate::now()).await {
        Err(CoreError::Invalid(more)) => {
            errors.extend(more.into_iter().map(|e| match e.field.as_str() {
                "owner_id" => FieldError::new("owner_email", e.message),
                _ => e,
            }));
            Err(CoreError::Invalid(errors))
        }
        Ok(_) if !errors.is_empty() => Err(CoreError::Invalid(errors)),
        other => other,
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/decisions/{id}")).into_response()),
        Err(CoreError::Invalid(errors)) => {
            let page = log_page(&state, &user, &LogQuery::default(), &form, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn revisit_forms(user: &CurrentUser, v: &DecisionView, errors: &[FieldError]) -> Markup {
    let d = &v.decision;
    let current = d.outcome.as_ref().map(|o| o.verdict);
    html! {
        section.card aria-labelledby="outcome" {
            h2 #outcome { @if d.outcome.is_some() { "Change the outcome" } @else { "What came of it?" } }
            (error_summary(errors, "o-"))
            form method="post" action=(format!("/decisions/{}/outcome", d.id)) novalidate {
                (csrf_field(user))
                fieldset #o-verdict {
                    legend { "The decision was" }
                    @for v in Verdict::ALL {
                        label.check { input type="radio" name="verdict" value=(v.as_str()) checked[current == Some(v)]; " " (v.label()) }
                    }
                    @if let Some(e) = error_for(errors, "verdict") { p.field-error { (e) } }
                }
                div.field {
                    label for="o-learned" { "What was learned" }
                    textarea #o-learned name="learned" rows="3" aria-invalid=[error_for(errors, "learned").map(|_| "true")] {
                        (d.outcome.as_ref().map(|o| o.learned.as_str()).unwrap_or(""))
                    }
                    p.hint { "Needed when it was changed or reversed: what would you tell whoever decides something like it next?" }
                    @if let Some(e) = error_for(errors, "learned") { p.field-error { (e) } }
                }
                button type="submit" { "Record outcome" }
            }
            @if d.outcome.is_none() {
                form.inline method="post" action=(format!("/decisions/{}/revisit", d.id)) novalidate {
                    (csrf_field(user))
                    (input_field(errors, "o-", "revisit_on", "Not yet: revisit on", &d.revisit_on.to_string(), "date", None))
                    button.secondary type="submit" { "Move the revisit date" }
                }
            }
        }
    }
}

async fn decision_page(
    state: &AppState,
    user: &CurrentUser,
    id: DecisionId,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let v = decisions::show(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    let d = &v.decision;
    Ok(page(
        &frame(user, &settings),
        &d.title,
        html! {
            nav aria-label="Breadcrumb" { ol.chain { li { a href="/decisions" { "Decisions" } } li aria-current="page" { (d.title) } } }
            h1 { (d.title) " " (status_badge(&v)) }
            dl.facts {
                dt { "Decided" } dd { (format_date(d.decided_on)) " by " (d.decided_by) }
                dt { "Owner" } dd { (d.owner.name) }
                @if let Some(t) = &d.team { dt { "Team" } dd { a href=(format!("/decisions?team={}", t.id)) { (t.name) } } }
                @if let Some(o) = &d.objective { dt { "Objective" } dd { a href=(format!("/objectives/{}", o.id)) { (o.name) } } }
                dt { "Revisit on" } dd { (format_date(d.revisit_on)) }
            }
            h2 { "Why" }
            p.prose { (d.why) }
            @if !d.alternatives.is_empty() { h2 { "Alternatives considered" } p.prose { (d.alternatives) } }
            @if let Some(o) = &d.outcome {
                section aria-labelledby="came-of-it" {
                    h2 #came-of-it { "What came of it" }
                    p { strong { (o.verdict.label()) } " · recorded " (crate::pages::format_time(o.recorded_at, user)) }
                    @if !o.learned.is_empty() { p.prose { strong { "Learned: " } (o.learned) } }
                }
            }
            @if v.may_revisit { (revisit_forms(user, &v, errors)) }
        },
    ))
}

async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    decision_page(&state, &user, DecisionId(id), &[]).await
}

async fn outcome(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<RevisitForm>,
) -> Result<Response, PageError> {
    let id = DecisionId(id);
    let input = OutcomeInput {
        verdict: form.verdict.clone(),
        learned: form.learned.clone(),
    };
    let result =
        decisions::record_outcome(state.store.as_ref(), &user.viewer, id, &input, crate::now())
            .await;
    let (state, user) = (&state, &user);
    after_post(
        result,
        format!("/decisions/{id}"),
        Some(Flash::Saved),
        |errors| async move { decision_page(state, user, id, &errors).await },
    )
    .await
}

async fn revisit(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<RevisitForm>,
) -> Result<Response, PageError> {
    let id = DecisionId(id);
    let mut errors = Vec::new();
    let on = form_date(&mut errors, "revisit_on", &form.revisit_on);
    let result = if errors.is_empty() {
        decisions::move_revisit(state.store.as_ref(), &user.viewer, id, on, crate::now()).await
    } else {
        Err(CoreError::Invalid(errors))
    };
    let (state, user) = (&state, &user);
    after_post(
        result,
        format!("/decisions/{id}"),
        Some(Flash::Saved),
        |errors| async move { decision_page(state, user, id, &errors).await },
    )
    .await
}

pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/decisions", get(show_log).post(create))
        .route("/decisions/{id}", get(show))
        .route("/decisions/{id}/outcome", post(outcome))
        .route("/decisions/{id}/revisit", post(revisit))
}
