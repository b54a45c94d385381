//! Objectives: the alignment tree, a new objective, one objective with its key results,
//! check-ins, alignment and closing.

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{
    csrf_field, error_for, error_summary, form_date, form_number, input_field, settings,
};
use crate::work::pages::objective_figures;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::clock::local_date;
use trellis_core::ids::{KeyResultId, ObjectiveId};
use trellis_core::work::metrics::{Measure, key_result_progress};
use trellis_core::work::objectives::{
    self, AlignmentNode, CheckInInput, KeyResultInput, ObjectiveInput, quarter_of,
};
use trellis_core::work::store::ObjectiveFilter;
use trellis_core::work::{Confidence, Scope};
use trellis_core::{CoreError, FieldError, TeamId};

fn frame<'a>(user: &'a CurrentUser, settings: &'a trellis_core::settings::Settings) -> Frame<'a> {
    Frame {
        user,
        settings,
        section: "objectives",
    }
}

fn node(n: &AlignmentNode) -> Markup {
    let o = &n.view.objective;
    html! {
        li {
            span.badge { (o.scope.as_str()) } " "
            a href=(format!("/objectives/{}", o.id)) { (o.title) }
            " · " span.muted { (o.owner.name) @if let Some((_, team)) = &o.team { ", " (team) } }
            br; (objective_figures(&n.view))
            @if !n.children.is_empty() {
                ul { @for c in &n.children { (node(c)) } }
            }
        }
    }
}

/// The list's filters as given in the address.
#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    /// all, mine, team or at-risk.
    pub show: Option<String>,
    /// company, team or person.
    pub level: Option<String>,
}

pub async fn list_objectives(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    axum::extract::Query(params): axum::extract::Query<ListParams>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let now = crate::now();
    let showing = params
        .show
        .as_deref()
        .and_then(objectives::Showing::parse)
        .unwrap_or_default();
    let level = params.level.as_deref().and_then(Scope::parse);
    let filtered = showing != objectives::Showing::All || level.is_some();
    let store = state.store.as_ref();
    let body = html! {
        h1 { "Objectives" }
        p.lead { "Running on " (crate::pages::format_date(local_date(None, now))) ", company → team → person. Status compares progress with the time gone: under 15 points behind is on track, 15–30 behind, over 30 at risk. "
            a href="/objectives/new" { "New objective" } }
        form.inline-forms method="get" action="/objectives" {
            div.field {
                label for="show" { "Show" }
                select #show name="show" {
                    @for s in objectives::Showing::ALL { option value=(s.as_str()) selected[s == showing] { (s.label()) } }
                }
            }
            div.field {
                label for="level" { "Level" }
                select #level name="level" {
                    option value="" { "Every level" }
                    @for l in [Scope::Company, Scope::Team, Scope::Person] { option value=(l.as_str()) selected[Some(l) == level] { (scope_heading(l)) } }
                }
            }
            button.secondary type="submit" { "Filter" }
            @if filtered { " " a href="/objectives" { "Show the whole tree" } }
        }
        @if filtered {
            (grouped(&objectives::listed(store, &user.viewer, showing, level, now).await?))
        } @else {
            @let tree = objectives::alignment_tree(store, &user.viewer, now).await?;
            @if tree.is_empty() { p.muted { "No objectives are running. " a href="/objectives/new" { "Set the first one" } "." } }
            div.alignment { ul { @for n in &tree { (node(n)) } } }
        }
    };
    Ok(page(&frame(&user, &settings), "Objectives", body))
}

fn scope_heading(level: Scope) -> &'static str {
    match level {
        Scope::Company => "Company",
        Scope::Team => "Team",
        Scope::Person => "Personal",
    }
}

/// A filtered list under headings: level, then owner.
fn grouped(views: &[trellis_core::work::ObjectiveView]) -> Markup {
    html! {
        @if views.is_empty() { p.muted #no-objectives { "No running objective matches these filters." } }
        @for (i, v) in views.iter().enumerate() {
            @let o = &v.objective;
            @let new_level = i == 0 || views[i - 1].objective.scope != o.scope;
            @let new_owner = new_level || views[i - 1].objective.owner.id != o.owner.id;
            @if new_level { h2.objective-level { (scope_heading(o.scope)) } }
            @if new_owner { h3.objective-owner { a href=(format!("/people/{}", o.owner.id)) { (o.owner.name) } } }
            p.objective-row {
                a href=(format!("/objectives/{}", o.id)) { (o.title) }
                @if let Some((_, team)) = &o.team { " · " span.muted { (team) } }
                br; (objective_figures(v))
            }
        }
    }
}

/// An objective as a choice in the "aligned to" pickers: its level, title and owner, so
/// that identical titles can be told apart.
pub(crate) fn choice_label(o: &trellis_core::work::Objective) -> String {
    format!("{}: {} — {}", scope_heading(o.scope), o.title, o.owner.name)
}

#[derive(Debug, Default, Deserialize, Clone)]
pub struct ObjectiveForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub team_id: String,
    #[serde(default)]
    pub parent_id: String,
    #[serde(default)]
    pub quarter: String,
    #[serde(default)]
    pub period_start: String,
    #[serde(default)]
    pub period_end: String,
}

fn optional_id(errors: &mut Vec<FieldError>, field: &str, v: &str) -> Option<i64> {
    let t = v.trim();
    if t.is_empty() {
        return None;
    }
    t.parse()
        .map_err(|_| errors.push(FieldError::new(field, "choose from the list")))
        .ok()
}

async fn objective_form_page(
    state: &AppState,
    user: &CurrentUser,
    form: &ObjectiveForm,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let now = crate::now();
    let running = store
        .objectives(&ObjectiveFilter {
            active_on: Some(local_date(None, now)),
            ..ObjectiveFilter::default()
        })
        .await?;
    let teams = store.teams().await?;
    let scopes: Vec<(&str, &str)> = [
        ("person", "Personal", true),
        ("team", "Team", user.viewer.may_lead_teams()),
        ("company", "Company", user.viewer.may_administer()),
    ]
    .into_iter()
    .filter(|s| s.2)
    .map(|s| (s.0, s.1))
    .collect();
    let quarter = if form.quarter.is_empty() && form.period_start.is_empty() {
        quarter_of(local_date(None, now))
    } else {
        form.quarter.clone()
    };
    let body = html! {
        h1 { "New objective" }
        (error_summary(errors, "f-"))
        form method="post" action="/objectives" novalidate {
            (csrf_field(user))
            (input_field(errors, "f-", "title", "Objective", &form.title, "text", Some("What you want to achieve, in a sentence.")))
            div.field {
                label for="f-description" { "Why it matters" }
                textarea #f-description name="description" rows="2" { (form.description) }
            }
            div.field {
                label for="f-scope" { "Level" }
                select #f-scope name="scope" {
                    @for (value, label) in &scopes { option value=(value) selected[form.scope == *value] { (label) } }
                }
            }
            div.field {
                label for="f-team_id" { "Team (team objectives)" }
                select #f-team_id name="team_id" aria-invalid=[error_for(errors, "team_id").map(|_| "true")] {
                    option value="" { "—" }
                    @for t in &teams { option value=(t.id) selected[form.team_id == t.id.to_string()] { @if t.parent_id.is_some() { "— " } (t.name) } }
                }
                @if let Some(e) = error_for(errors, "team_id") { p.field-error { (e) } }
            }
            div.field {
                label for="f-parent_id" { "Aligned to" }
                select #f-parent_id name="parent_id" data-filter="Search by title or owner" aria-invalid=[error_for(errors, "parent_id").map(|_| "true")] {
                    option value="" { "Nothing (a top objective)" }
                    @for o in &running { option value=(o.id) selected[form.parent_id == o.id.to_string()] { (choice_label(o)) } }
                }
                @if let Some(e) = error_for(errors, "parent_id") { p.field-error { (e) } }
            }
            (input_field(errors, "f-", "quarter", "Quarter", &quarter, "text", Some("Like 2026-Q4. Or leave it empty and give the first and last day below.")))
            (input_field(errors, "f-", "period_start", "First day", &form.period_start, "date", None))
            (input_field(errors, "f-", "period_end", "Last day", &form.period_end, "date", None))
            @if let Some(e) = error_for(errors, "period") { p.field-error #f-period { (e) } }
            button type="submit" { "Create objective" }
        }
    };
    Ok(page(&frame(user, &settings), "New objective", body))
}

pub async fn new_objective_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    objective_form_page(&state, &user, &ObjectiveForm::default(), &[]).await
}

pub async fn create_objective(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<ObjectiveForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let input = ObjectiveInput {
        title: form.title.clone(),
        description: form.description.clone(),
        scope: Scope::parse(&form.scope),
        team_id: optional_id(&mut errors, "team_id", &form.team_id).map(TeamId),
        owner_id: Some(user.viewer.person_id()),
        parent_id: optional_id(&mut errors, "parent_id", &form.parent_id).map(ObjectiveId),
        quarter: Some(form.quarter.clone()).filter(|q| !q.trim().is_empty()),
        period_start: form_date(&mut errors, "period_start", &form.period_start),
        period_end: form_date(&mut errors, "period_end", &form.period_end),
    };
    let result = if errors.is_empty() {
        objectives::create(state.store.as_ref(), &user.viewer, &input, crate::now()).await
    } else {
        Err(CoreError::Invalid(errors))
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/objectives/{id}")).into_response()),
        Err(CoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            objective_form_page(&state, &user, &form, &errors).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// Values typed into the forms of the objective page.
#[derive(Debug, Default, Deserialize)]
pub struct ObjectiveActionForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub key_result: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub done: String,
    #[serde(default)]
    pub confidence: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub unit: String,
    #[serde(default)]
    pub parent_id: String,
    #[serde(default)]
    pub closed: String,
}

fn measure_text(m: &Measure) -> String {
    match m {
        Measure::Numeric {
            start,
            target,
            current,
            unit,
        } => format!("{current} {unit} (from {start} to {target})").replace("  ", " "),
        Measure::Done { done } => if *done { "done" } else { "not done" }.into(),
    }
}

async fn objective_page(
    state: &AppState,
    user: &CurrentUser,
    id: ObjectiveId,
    form: &ObjectiveActionForm,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let now = crate::now();
    let d = objectives::show(store, &user.viewer, id, now).await?;
    let o = &d.view.objective;
    let running = if d.can_change {
        store
            .objectives(&ObjectiveFilter {
                active_on: Some(local_date(None, now)),
                ..ObjectiveFilter::default()
            })
            .await?
    } else {
        Vec::new()
    };
    let decisions = trellis_core::decisions::list(
        store,
        &user.viewer,
        &trellis_core::decisions::DecisionFilter {
            objective: Some(id),
            ..Default::default()
        },
        None,
        now,
    )
    .await?;
    let kr_title = |k: KeyResultId| {
        o.key_results
            .iter()
            .find(|kr| kr.id == k)
            .map(|kr| kr.title.clone())
            .unwrap_or_default()
    };
    let body = html! {
        @if let Some((pid, title)) = &o.parent {
            nav aria-label="Aligned to" { ol.chain { li { a href=(format!("/objectives/{pid}")) { (title) } } li aria-current="page" { (o.title) } } }
        }
        h1 { (o.title) }
        p.lead { span.badge { (o.scope.as_str()) } " " (o.owner.name) @if let Some((_, t)) = &o.team { ", " (t) }
            " · " (crate::pages::format_date(o.period_start)) " – " (crate::pages::format_date(o.period_end))
            @if o.closed { " · " span.flag.warn { "closed" } } }
        p { (objective_figures(&d.view)) }
        @if !o.description.is_empty() { p { (o.description) } }
        (error_summary(errors, "f-"))
        h2 { "Key results" }
        @if o.key_results.is_empty() { p.muted { "No key results yet: progress is measured by them." } }
        div.table-scroll {
            table.data {
                thead { tr { th { "Key result" } th { "Now" } th.num { "Progress" } th { "Last check-in" } } }
                tbody {
                    @for k in &o.key_results {
                        tr {
                            td { (k.title) }
                            td { (measure_text(&k.measure)) }
                            td.num { (format!("{:.0} %", key_result_progress(&k.measure) * 100.0)) }
                            td { @match k.last_check_in_at { Some(at) => { (crate::pages::format_time(at, user)) @if let Some(c) = k.last_confidence { " · " (c.label()) } } None => { span.muted { "none yet" } } } }
                        }
                    }
                }
            }
        }
        @if d.can_change && !o.closed {
            (objective_forms(user, o, form, errors))
        }
        @if !d.children.is_empty() {
            h2 { "Aligned to this" }
            ul.plain { @for c in &d.children { li { a href=(format!("/objectives/{}", c.objective.id)) { (c.objective.title) } " · " span.muted { (c.objective.owner.name) } br; (objective_figures(c)) } } }
        }
        @if d.can_change {
            section aria-labelledby="manage" {
                h2 #manage { "Alignment and status" }
                div.inline-forms {
                    form method="post" action=(format!("/objectives/{}/update", o.id)) novalidate {
                        (csrf_field(user))
                        div.field {
                            label for="f-parent_id" { "Aligned to" }
                            select #f-parent_id name="parent_id" data-filter="Search by title or owner" {
                                option value="" { "Nothing" }
                                @for p in &running { @if p.id != o.id { option value=(p.id) selected[o.parent.as_ref().map(|x| x.0) == Some(p.id)] { (choice_label(p)) } } }
                            }
                            @if let Some(e) = error_for(errors, "parent_id") { p.field-error { (e) } }
                        }
                        button.secondary type="submit" { "Save alignment" }
                    }
                    form method="post" action=(format!("/objectives/{}/update", o.id)) {
                        (csrf_field(user))
                        input type="hidden" name="closed" value=(if o.closed { "0" } else { "1" });
                        input type="hidden" name="parent_id" value=(o.parent.as_ref().map(|p| p.0.to_string()).unwrap_or_default());
                        button.secondary type="submit" { @if o.closed { "Reopen objective" } @else { "Close objective" } }
                    }
                }
            }
        }
        section aria-labelledby="objective-decisions" {
            h2 #objective-decisions { "Decisions" }
            @if decisions.is_empty() { p.muted { "No decisions recorded about this objective." } }
            ul.plain { @for v in &decisions { li { a href=(format!("/decisions/{}", v.decision.id)) { (v.decision.title) } " · " span.muted { (crate::pages::format_date(v.decision.decided_on)) " · " (trellis_core::decisions::Status::parse(&v.status).map(|s| s.label()).unwrap_or("")) } } } }
            @if user.viewer.may_lead_teams() { p { a href=(format!("/decisions?objective={}#new", o.id)) { "Record a decision about this objective" } } }
        }
        h2 { "Check-ins" }
        @if d.check_ins.is_empty() { p.muted { "No check-ins yet." } }
        ul.history {
            @for c in &d.check_ins {
                li { strong { (kr_title(c.key_result_id)) } ": "
                    @if let Some(v) = c.value { (v) } @else { @if c.done { "done" } @else { "not done" } }
                    " · " (c.confidence.label())
                    @if !c.note.is_empty() { " · \u{201c}" (c.note) "\u{201d}" }
                    br; span.muted { (c.author.name) " · " (crate::pages::format_time(c.at, user)) } }
            }
        }
    };
    Ok(page(&frame(user, &settings), &o.title, body))
}

/// The forms of an objective its owner side may change: the weekly check-in (once it has
/// key results) and a new key result.
fn objective_forms(
    user: &CurrentUser,
    o: &trellis_core::work::Objective,
    form: &ObjectiveActionForm,
    errors: &[FieldError],
) -> Markup {
    html! {
        @if !o.key_results.is_empty() {
            section.card aria-labelledby="check-in" {
                h2 #check-in { "Weekly check-in" }
                form method="post" action=(format!("/objectives/{}/check-in", o.id)) novalidate {
                    (csrf_field(user))
                    div.field {
                        label for="f-key_result" { "Key result" }
                        select #f-key_result name="key_result" {
                            @for k in &o.key_results { option value=(k.id) selected[form.key_result == k.id.to_string()] { (k.title) } }
                        }
                    }
                    (input_field(errors, "f-", "value", "New value", &form.value, "number", Some("For numeric key results.")))
                    div.field {
                        label { input type="checkbox" name="done" value="1" checked[form.done == "1"]; " Done (for done / not done key results)" }
                    }
                    div.field {
                        label for="f-confidence" { "Confidence" }
                        select #f-confidence name="confidence" aria-invalid=[error_for(errors, "confidence").map(|_| "true")] {
                            option value="" { "Choose…" }
                            @for c in [Confidence::OnTrack, Confidence::Unsure, Confidence::OffTrack] {
                                option value=(c.as_str()) selected[form.confidence == c.as_str()] { (c.label()) }
                            }
                        }
                        @if let Some(e) = error_for(errors, "confidence") { p.field-error { (e) } }
                    }
                    (input_field(errors, "f-", "note", "Note", &form.note, "text", None))
                    button type="submit" { "Check in" }
                }
            }
        }
            section.card aria-labelledby="add-kr" {
                h2 #add-kr { "Add a key result" }
                form method="post" action=(format!("/objectives/{}/key-results", o.id)) novalidate {
                    (csrf_field(user))
                    (input_field(errors, "f-", "title", "Key result", &form.title, "text", None))
                    div.field {
                        label for="f-kind" { "Measured as" }
                        select #f-kind name="kind" {
                            option value="numeric" selected[form.kind != "done"] { "A number from a start to a target" }
                            option value="done" selected[form.kind == "done"] { "Done or not done" }
                        }
                    }
                    (input_field(errors, "f-", "start", "Start", &form.start, "number", None))
                    (input_field(errors, "f-", "target", "Target", &form.target, "number", Some("May be below the start, for things that should go down.")))
                    (input_field(errors, "f-", "unit", "Unit", &form.unit, "text", None))
                    button type="submit" { "Add key result" }
                }
            }
    }
}

pub async fn show_objective(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    objective_page(
        &state,
        &user,
        ObjectiveId(id),
        &ObjectiveActionForm::default(),
        &[],
    )
    .await
}

async fn action_result(
    state: &AppState,
    user: &CurrentUser,
    id: ObjectiveId,
    form: &ObjectiveActionForm,
    result: Result<(), CoreError>,
) -> Result<Response, PageError> {
    crate::pages::after_post(
        result,
        format!("/objectives/{id}"),
        Some(crate::pages::flash::Flash::Saved),
        |errors| async move { objective_page(state, user, id, form, &errors).await },
    )
    .await
}

pub async fn check_in(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<ObjectiveActionForm>,
) -> Result<Response, PageError> {
    let id = ObjectiveId(id);
    let mut errors = Vec::new();
    let value = form_number(&mut errors, "value", &form.value);
    let kr = optional_id(&mut errors, "key_result", &form.key_result).map(KeyResultId);
    let result = match (kr, errors.is_empty()) {
        (Some(kr), true) => {
            let input = CheckInInput {
                value,
                done: form.done == "1",
                confidence: Confidence::parse(&form.confidence),
                note: form.note.clone(),
            };
            objectives::check_in(state.store.as_ref(), &user.viewer, kr, &input, crate::now()).await
        }
        (None, true) => Err(CoreError::field("key_result", "choose the key result")),
        _ => Err(CoreError::Invalid(errors)),
    };
    action_result(&state, &user, id, &form, result).await
}

pub async fn add_key_result(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<ObjectiveActionForm>,
) -> Result<Response, PageError> {
    let id = ObjectiveId(id);
    let mut errors = Vec::new();
    let input = KeyResultInput {
        title: form.title.clone(),
        kind: Some(form.kind.clone()).filter(|k| !k.is_empty()),
        start: form_number(&mut errors, "start", &form.start),
        target: form_number(&mut errors, "target", &form.target),
        current: None,
        unit: form.unit.clone(),
    };
    let result = if errors.is_empty() {
        objectives::add_key_result(state.store.as_ref(), &user.viewer, id, &input)
            .await
            .map(|_| ())
    } else {
        Err(CoreError::Invalid(errors))
    };
    action_result(&state, &user, id, &form, result).await
}

pub async fn update_objective(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<ObjectiveActionForm>,
) -> Result<Response, PageError> {
    let id = ObjectiveId(id);
    let store = state.store.as_ref();
    let mut errors = Vec::new();
    let parent = optional_id(&mut errors, "parent_id", &form.parent_id).map(ObjectiveId);
    let result = if !errors.is_empty() {
        Err(CoreError::Invalid(errors))
    } else if !form.closed.is_empty() {
        objectives::set_closed(store, &user.viewer, id, form.closed == "1").await
    } else {
        objectives::set_parent(store, &user.viewer, id, parent).await
    };
    action_result(&state, &user, id, &form, result).await
}

crate::auth::csrf_form!(ObjectiveActionForm, ObjectiveForm);

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .route(
            "/objectives",
            axum::routing::get(list_objectives).post(create_objective),
        )
        .route("/objectives/new", axum::routing::get(new_objective_form))
        .route("/objectives/{id}", axum::routing::get(show_objective))
        .route("/objectives/{id}/check-in", axum::routing::post(check_in))
        .route(
            "/objectives/{id}/key-results",
            axum::routing::post(add_key_result),
        )
        .route(
            "/objectives/{id}/update",
            axum::routing::post(update_objective),
        )
}
