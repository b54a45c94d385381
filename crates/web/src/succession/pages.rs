//! `/succession` (coverage, bench strength per department, the key roles the viewer may
//! see, the hidden candidates; admins mark key roles) and `/succession/{id}` (the plan:
//! ranked candidates with readiness, note, review date and the evidence beside each).

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::flash::Flash;
use crate::pages::layout::{Frame, page};
use crate::pages::{
    ConfirmForm, after_post, csrf_field, error_for, error_summary, format_date, input_field,
    settings,
};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::ids::KeyRoleId;
use trellis_core::succession::evidence::{DELIVERY_DAYS, Evidence};
use trellis_core::succession::overview::{self, Cover, Overview, PlanView};
use trellis_core::succession::{
    self, Candidate, CandidateInput, Impact, KeyRoleChanges, KeyRoleInput, Readiness,
};
use trellis_core::{CoreError, FieldError, PersonId};

#[derive(Debug, Default, Clone, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub holder_email: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub team_id: String,
    #[serde(default)]
    pub reports_to_email: String,
    #[serde(default)]
    pub impact: String,
    #[serde(default)]
    pub why: String,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct CandidateForm {
    #[serde(default)]
    pub csrf: String,
    /// Set when changing someone on the plan; otherwise `email` names them.
    #[serde(default)]
    pub person_id: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub readiness: String,
    #[serde(default)]
    pub condition: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub rank: String,
}
crate::auth::csrf_form!(RoleForm, CandidateForm);

fn frame<'a>(user: &'a CurrentUser, settings: &'a trellis_core::settings::Settings) -> Frame<'a> {
    Frame {
        user,
        settings,
        section: "succession",
    }
}

fn cover_badge(cover: Cover) -> Markup {
    html! {
        @match cover {
            Cover::Covered => span.badge { (cover.label()) },
            _ => span.flag.warn { (cover.label()) },
        }
    }
}

fn per_role(n: u32, roles: u32) -> String {
    if roles == 0 {
        "—".into()
    } else {
        format!("{:.1}", f64::from(n) / f64::from(roles))
    }
}

fn overview_body(o: &Overview) -> Markup {
    let c = &o.coverage;
    html! {
        section aria-labelledby="coverage" {
            h2 #coverage { "Coverage" }
            @if c.key_roles == 0 {
                p.muted { "No key roles you may see yet." }
            } @else {
                ul.figures {
                    li { strong { (c.covered) } " of " (c.key_roles) " key roles have a successor ready now" }
                    li { strong { (c.not_ready_now) } " have successors, none ready now" }
                    li { strong { (c.no_successor) } " have no successor at all: single points of failure" }
                }
                @if !c.stretched.is_empty() {
                    p.notice { "Counted more than once: "
                        @for (i, s) in c.stretched.iter().enumerate() { @if i > 0 { ", " } (s.person.name) " (ready now for " (s.roles) " roles)" }
                        ". One person cannot step into two roles at once." }
                }
            }
        }
        @if !o.bench.is_empty() {
            section aria-labelledby="bench" {
                h2 #bench { "Bench strength by department" }
                div.table-scroll { table.data {
                    thead { tr { th { "Department" } th.num { "Key roles" } th.num { "Covered" } th.num { "Ready now per role" } th.num { "Ready later per role" } } }
                    tbody { @for b in &o.bench { tr {
                        td { (b.department) } td.num { (b.key_roles) } td.num { (b.covered) }
                        td.num { (per_role(b.ready_now, b.key_roles)) } td.num { (per_role(b.ready_later, b.key_roles)) }
                    } } }
                } }
            }
        }
        @if !o.roles.is_empty() {
            section aria-labelledby="roles" {
                h2 #roles { "Key roles" }
                div.table-scroll { table.data {
                    thead { tr { th { "Role" } th { "Held by" } th { "Team" } th { "Impact" } th.num { "Candidates" } th.num { "Ready now" } th { "Cover" } } }
                    tbody { @for r in &o.roles { tr {
                        td { a href=(format!("/succession/{}", r.id)) { (r.title) } }
                        td { @match &r.holder { Some(h) => { (h.name) @if !r.holder_active { " " span.flag.warn { "left" } } }, None => span.muted { "not yet filled" } } }
                        td { (r.team.as_ref().map(|t| t.name.as_str()).unwrap_or("")) }
                        td { (r.impact.as_str()) }
                        td.num { (r.candidates) } td.num { (r.ready_now) }
                        td { (cover_badge(r.cover)) }
                    } } }
                } }
            }
        }
        section aria-labelledby="hidden" {
            h2 #hidden { "Hidden candidates" }
            p.hint { "People in your reach on no plan whom at least two signals single out: sought for advice from outside their line, high delivery (90 % on time of at least five commitments in " (DELIVERY_DAYS) " days), a next step on their career plan." }
            @if o.hidden.is_empty() { p.muted { "Nobody right now." } }
            ul.cards { @for h in &o.hidden { li.card {
                h3 { a href=(format!("/people/{}", h.person.id)) { (h.person.name) } }
                p.muted { (h.title.as_deref().unwrap_or("")) @if let Some(t) = &h.team { " · " (t) } }
                ul { @for s in &h.signals { li { (s) } } }
            } } }
        }
    }
}

fn role_form(
    user: &CurrentUser,
    form: &RoleForm,
    errors: &[FieldError],
    teams: &[trellis_core::org::Team],
) -> Markup {
    html! {
        section.card #new aria-labelledby="new-role" {
            h2 #new-role { "Mark a key role" }
            (error_summary(errors, "k-"))
            form method="post" action="/succession" novalidate {
                (csrf_field(user))
                (input_field(errors, "k-", "holder_email", "Held by (e-mail)", &form.holder_email, "email", Some("Leave empty for a role not yet filled.")))
                (input_field(errors, "k-", "title", "Title", &form.title, "text", Some("The holder's job title when empty.")))
                div.field {
                    label for="k-team_id" { "Team (a role not yet filled)" }
                    select #k-team_id name="team_id" {
                        option value="" { "—" }
                        @for t in teams { option value=(t.id) selected[form.team_id == t.id.to_string()] { (t.name) } }
                    }
                    @if let Some(e) = error_for(errors, "team_id") { p.field-error { (e) } }
                }
                (input_field(errors, "k-", "reports_to_email", "Reports to (a role not yet filled)", &form.reports_to_email, "email", Some("That manager and their chain see its plan.")))
                div.field {
                    label for="k-impact" { "Impact of losing them" }
                    select #k-impact name="impact" aria-invalid=[error_for(errors, "impact").map(|_| "true")] {
                        @for i in Impact::ALL { option value=(i.as_str()) selected[form.impact == i.as_str()] { (i.label()) } }
                    }
                    @if let Some(e) = error_for(errors, "impact") { p.field-error { (e) } }
                }
                div.field {
                    label for="k-why" { "Why it matters" }
                    textarea #k-why name="why" rows="2" { (form.why) }
                }
                div.actions { button type="submit" { "Mark key role" } }
            }
        }
    }
}

async fn overview_page(
    state: &AppState,
    user: &CurrentUser,
    form: &RoleForm,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let o = overview::overview(state.store.as_ref(), &user.viewer, crate::now()).await?;
    let teams = if user.viewer.may_administer() {
        state.store.teams().await?
    } else {
        Vec::new()
    };
    Ok(page(
        &frame(user, &settings),
        "Succession",
        html! {
            h1 { "Succession" }
            p.lead { "Key roles, who could step into each and how soon — with the evidence Trellis holds beside every judgement. Plans are seen by admins and the managers above each role; candidates are not told they are listed." }
            (overview_body(&o))
            @if user.viewer.may_administer() { (role_form(user, form, errors, &teams)) }
        },
    ))
}

async fn show_overview(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    overview_page(&state, &user, &RoleForm::default(), &[]).await
}

async fn person_by_email(
    state: &AppState,
    errors: &mut Vec<FieldError>,
    field: &str,
    email: &str,
) -> Result<Option<i64>, CoreError> {
    let email = email.trim();
    if email.is_empty() {
        return Ok(None);
    }
    match state.store.person_id_by_email(email).await? {
        Some(id) => Ok(Some(id.0)),
        None => {
            errors.push(FieldError::new(
                field,
                format!("nobody has the e-mail {email}"),
            ));
            Ok(None)
        }
    }
}

/// Core errors name ids; the form names e-mails.
fn in_form_words(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| match e.field.as_str() {
            "holder_id" => FieldError::new("holder_email", e.message),
            "reports_to_id" => FieldError::new("reports_to_email", e.message),
            "person_id" => FieldError::new("email", e.message),
            _ => e,
        })
        .collect()
}

async fn create(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<RoleForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let holder_id =
        person_by_email(&state, &mut errors, "holder_email", &form.holder_email).await?;
    let reports_to_id = person_by_email(
        &state,
        &mut errors,
        "reports_to_email",
        &form.reports_to_email,
    )
    .await?;
    let input = KeyRoleInput {
        title: form.title.clone(),
        holder_id,
        team_id: form.team_id.trim().parse().ok(),
        reports_to_id,
        impact: form.impact.clone(),
        why: form.why.clone(),
    };
    let result =
        match succession::mark_role(state.store.as_ref(), &user.viewer, &input, crate::now()).await
        {
            Err(CoreError::Invalid(more)) => {
                errors.extend(in_form_words(more));
                Err(CoreError::Invalid(errors))
            }
            Ok(_) if !errors.is_empty() => Err(CoreError::Invalid(errors)),
            other => other,
        };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/succession/{id}")).into_response()),
        Err(CoreError::Invalid(errors)) => {
            let page = overview_page(&state, &user, &form, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn evidence_list(e: &Evidence) -> Markup {
    let score = |s: Option<f64>| {
        s.map(|s| format!("{s:.1} of 5"))
            .unwrap_or_else(|| "not shown".into())
    };
    html! {
        dl.facts.evidence {
            dt { "Delivery" }
            dd { @match &e.delivery {
                Some(d) => { (format!("{:.0} %", d.reliability * 100.0)) " on time (" (d.on_time) " of " (d.due) ", " (DELIVERY_DAYS) " days)" },
                None => span.muted { "nothing due in " (DELIVERY_DAYS) " days" },
            } }
            dt { "Stretch work completed" } dd { (e.stretch_completed) }
            dt { "Last review" }
            dd { @match &e.last_review {
                Some(r) => { (r.cycle) @if let Some(rating) = &r.rating { ": " (rating) }
                    @if let Some(b) = r.nine_box { " · 9-box: " (third(b.performance)) " performance, " (third(b.potential)) " potential" } },
                None => span.muted { "none written" },
            } }
            dt { "360 (all colleagues)" }
            dd { @if e.management_360.is_none() && e.leadership_360.is_none() { span.muted { "no shared 360, or too few answers to show" } }
                 @else { "management " (score(e.management_360)) " · leadership " (score(e.leadership_360)) } }
            dt { "Influence outside the line" }
            dd { @match e.influence_outside_line { Some(n) => { (n) " people sought their advice" @if e.informal_leader { " · informal leader" } }, None => span.muted { "not computed yet" } } }
            dt { "Programme sessions attended" } dd { (e.sessions_attended) }
            dt { "Next step on their plan" } dd { (e.next_step.as_deref().unwrap_or("—")) }
        }
    }
}

fn third(n: u8) -> &'static str {
    match n {
        0 => "low",
        1 => "moderate",
        _ => "high",
    }
}

fn readiness_fields(prefix: &str, c: Option<&Candidate>, errors: &[FieldError]) -> Markup {
    let current = c.map(|c| c.readiness);
    html! {
        div.field {
            label for=(format!("{prefix}readiness")) { "Readiness" }
            select id=(format!("{prefix}readiness")) name="readiness" {
                @for r in Readiness::ALL { option value=(r.as_str()) selected[current == Some(r)] { (r.label()) } }
            }
            @if let Some(e) = error_for(errors, "readiness") { p.field-error { (e) } }
        }
        div.field {
            label for=(format!("{prefix}condition")) { "Ready once … (for “ready once”)" }
            input id=(format!("{prefix}condition")) type="text" name="condition" value=(c.map(|c| c.condition.as_str()).unwrap_or(""))
                placeholder="after leading the Q3 migration";
            @if let Some(e) = error_for(errors, "condition") { p.field-error { (e) } }
        }
        div.field {
            label for=(format!("{prefix}note")) { "Note" }
            textarea id=(format!("{prefix}note")) name="note" rows="2" { (c.map(|c| c.note.as_str()).unwrap_or("")) }
        }
    }
}

fn candidate_row(user: &CurrentUser, plan: &PlanView, c: &Candidate) -> Markup {
    let id = plan.role.id;
    let last = plan.role.candidates.len() as u32;
    let move_to = |rank: u32, label: &str| {
        html! {
            form.inline method="post" action=(format!("/succession/{id}/candidates")) {
                (csrf_field(user))
                input type="hidden" name="person_id" value=(c.person.id.0);
                input type="hidden" name="readiness" value=(c.readiness.as_str());
                input type="hidden" name="condition" value=(c.condition);
                input type="hidden" name="note" value=(c.note);
                input type="hidden" name="rank" value=(rank);
                button.secondary type="submit" aria-label=(format!("{label}: {}", c.person.name)) { (label) }
            }
        }
    };
    html! {
        li.card.candidate {
            h3 { (c.rank) ". " (c.person.name) " — " (c.readiness.label().trim_end_matches(" …"))
                @if !c.condition.is_empty() { " " (c.condition) }
                @if !c.active { " " span.flag.warn { "left the organisation" } } }
            @if !c.note.is_empty() { p { (c.note) } }
            p.muted { "Reviewed " (format_date(c.reviewed_on)) }
            @match plan.evidence_of(c.person.id) {
                Some(e) => (evidence_list(e)),
                None => p.hint { "The evidence is for " (c.person.name) "'s own manager chain and admins." },
            }
            div.inline-forms {
                @if c.rank > 1 { (move_to(c.rank - 1, "Move up")) }
                @if c.rank < last { (move_to(c.rank + 1, "Move down")) }
                form.inline method="post" action=(format!("/succession/{id}/candidates/{}/remove", c.person.id.0)) {
                    (csrf_field(user))
                    button.secondary type="submit" aria-label=(format!("Take {} off the plan", c.person.name)) { "Take off the plan" }
                }
            }
            details {
                summary { "Change readiness or note" }
                form method="post" action=(format!("/succession/{id}/candidates")) {
                    (csrf_field(user))
                    input type="hidden" name="person_id" value=(c.person.id.0);
                    (readiness_fields(&format!("c{}-", c.person.id.0), Some(c), &[]))
                    button type="submit" { "Save and mark reviewed" }
                }
            }
        }
    }
}

async fn plan_page(
    state: &AppState,
    user: &CurrentUser,
    id: KeyRoleId,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let plan = overview::plan(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    let r = &plan.role;
    Ok(page(
        &frame(user, &settings),
        &r.title,
        html! {
            nav aria-label="Breadcrumb" { ol.chain { li { a href="/succession" { "Succession" } } li aria-current="page" { (r.title) } } }
            h1 { (r.title) }
            p.lead {
                @match &r.holder {
                    Some(h) => { "Held by " a href=(format!("/people/{}", h.id)) { (h.name) } @if !r.holder_active { " " span.flag.warn { "left: the role is vacant" } } },
                    None => { "Not yet filled" @if let Some(m) = &r.reports_to { " · reports to " (m.name) } },
                }
                @if let Some(t) = &r.team { " · " (t.name) }
                " · impact: " (r.impact.label())
            }
            @if !r.why.is_empty() { p { (r.why) } }
            p.notice { "Confidential: admins and the managers above this role see this plan. Candidates are not told they are listed." }
            h2 { "Candidates" }
            (error_summary(errors, "a-"))
            @if r.candidates.is_empty() { p.muted { "Nobody yet: this role is a single point of failure." } }
            ol.plain.candidates { @for c in &r.candidates { (candidate_row(user, &plan, c)) } }
            section.card aria-labelledby="add-candidate" {
                h2 #add-candidate { "Add a candidate" }
                form method="post" action=(format!("/succession/{}/candidates", r.id)) novalidate {
                    (csrf_field(user))
                    (input_field(errors, "a-", "email", "Their e-mail", "", "email", None))
                    (readiness_fields("a-", None, errors))
                    button type="submit" { "Add to the plan" }
                }
            }
            @if plan.may_change_role {
                section.card aria-labelledby="change-role" {
                    h2 #change-role { "The role" }
                    form method="post" action=(format!("/succession/{}/change", r.id)) {
                        (csrf_field(user))
                        (input_field(errors, "r-", "title", "Title", &r.title, "text", None))
                        div.field {
                            label for="r-impact" { "Impact of losing them" }
                            select #r-impact name="impact" { @for i in Impact::ALL { option value=(i.as_str()) selected[r.impact == i] { (i.label()) } } }
                        }
                        div.field { label for="r-why" { "Why it matters" } textarea #r-why name="why" rows="2" { (r.why) } }
                        button type="submit" { "Save" }
                    }
                    form.inline method="post" action=(format!("/succession/{}/remove", r.id)) {
                        (csrf_field(user))
                        button.secondary type="submit" { "No longer a key role" }
                    }
                }
            }
        },
    ))
}

async fn show_plan(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    plan_page(&state, &user, KeyRoleId(id), &[]).await
}

async fn save_candidate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<CandidateForm>,
) -> Result<Response, PageError> {
    let id = KeyRoleId(id);
    let mut errors = Vec::new();
    let person = match form.person_id.trim().parse::<i64>() {
        Ok(p) => Some(p),
        Err(_) if form.email.trim().is_empty() => {
            errors.push(FieldError::new("email", "give the candidate's e-mail"));
            None
        }
        Err(_) => person_by_email(&state, &mut errors, "email", &form.email).await?,
    };
    let input = CandidateInput {
        readiness: form.readiness.clone(),
        condition: form.condition.clone(),
        note: form.note.clone(),
        rank: form.rank.trim().parse().ok(),
    };
    let result = match person {
        Some(p) => succession::save_candidate(
            state.store.as_ref(),
            &user.viewer,
            id,
            p,
            &input,
            crate::now(),
        )
        .await
        .map_err(|e| match e {
            CoreError::Invalid(more) => CoreError::Invalid(in_form_words(more)),
            e => e,
        }),
        None => Err(CoreError::Invalid(errors)),
    };
    let (state, user) = (&state, &user);
    after_post(
        result,
        format!("/succession/{id}"),
        Some(Flash::Saved),
        |errors| async move { plan_page(state, user, id, &errors).await },
    )
    .await
}

async fn remove_candidate(
    State(state): State<AppState>,
    Path((id, person)): Path<(i64, i64)>,
    CsrfForm(user, _form): CsrfForm<ConfirmForm>,
) -> Result<Response, PageError> {
    succession::remove_candidate(
        state.store.as_ref(),
        &user.viewer,
        KeyRoleId(id),
        PersonId(person),
    )
    .await?;
    Ok(crate::pages::flash::redirect(
        &format!("/succession/{id}"),
        Flash::Saved,
    ))
}

async fn change_role(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<RoleForm>,
) -> Result<Response, PageError> {
    let id = KeyRoleId(id);
    let changes = KeyRoleChanges {
        title: Some(form.title.clone()),
        impact: Some(form.impact.clone()),
        why: Some(form.why.clone()),
    };
    let result = succession::change_role(state.store.as_ref(), &user.viewer, id, &changes).await;
    let (state, user) = (&state, &user);
    after_post(
        result,
        format!("/succession/{id}"),
        Some(Flash::Saved),
        |errors| async move { plan_page(state, user, id, &errors).await },
    )
    .await
}

async fn remove_role(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<ConfirmForm>,
) -> Result<Response, PageError> {
    let role = succession::visible_role(state.store.as_ref(), &user.viewer, KeyRoleId(id)).await?;
    if !crate::pages::confirmed(&form.confirmed) {
        return crate::pages::Confirmation {
            title: "No longer a key role?",
            question: html! { "“" (role.title) "” and its plan of " (role.candidates.len()) " candidates are removed." },
            action: format!("/succession/{id}/remove"),
            fields: vec![],
            button: "Remove the key role",
            back: format!("/succession/{id}"),
        }
        .page(&state, &user)
        .await;
    }
    succession::remove_role(state.store.as_ref(), &user.viewer, role.id, crate::now()).await?;
    Ok(Redirect::to("/succession").into_response())
}

pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/succession", get(show_overview).post(create))
        .route("/succession/{id}", get(show_plan))
        .route("/succession/{id}/candidates", post(save_candidate))
        .route(
            "/succession/{id}/candidates/{person}/remove",
            post(remove_candidate),
        )
        .route("/succession/{id}/change", post(change_role))
        .route("/succession/{id}/remove", post(remove_role))
}
