//! Opportunities: the list, posting one, its explained suggestions and placements, the plan
//! for all open ones, and approving or declining a placement.

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_for, error_summary, hours, input_field, settings};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::growth::opportunities::{
    self, Opportunity, OpportunityInput, OpportunityStatus, Placement, PlacementStatus, Suggestion,
};
use trellis_core::growth::sourcing::Sourcing;
use trellis_core::growth::stretch::Requirement;
use trellis_core::ids::{OpportunityId, PlacementId};
use trellis_core::{CoreError, FieldError, PersonId};

fn frame<'a>(user: &'a CurrentUser, settings: &'a trellis_core::settings::Settings) -> Frame<'a> {
    Frame {
        user,
        settings,
        section: "opportunities",
    }
}

fn requirements_text(o: &Opportunity) -> String {
    o.requirements
        .iter()
        .map(|r| format!("{} {}", r.skill, r.level))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Hours, weeks, skills and who approves, in the organisation's word for a manager.
fn summary(o: &Opportunity, manager: &str) -> Markup {
    html! {
        span.muted { (hours(o.hours_per_week)) " a week for " (crate::pages::plural(i64::from(o.weeks), "week", "weeks"))
            " · needs " (requirements_text(o))
            @if o.needs_manager_approval { " · the chosen person\u{2019}s " (manager) " approves" } }
    }
}

pub async fn list_opportunities(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let open = state
        .store
        .opportunities(Some(OpportunityStatus::Open))
        .await?;
    let may_post = user.viewer.may_lead_teams();
    let body = html! {
        h1 { "Opportunities" }
        p.lead { "Stretch work looking for an owner: a way to grow a skill on real work."
            @if may_post { " " a href="/opportunities/new" { "Post an opportunity" } " · " a href="/opportunities/plan" { "Plan owners for all of mine" } " · " a href="/talent" { "Talent pool" } } }
        @if open.is_empty() { p.muted { "No open opportunities right now." } }
        ul.plain {
            @for o in &open {
                li { a href=(format!("/opportunities/{}", o.id)) { (o.title) } " · " (o.poster.name) br; (summary(o, &settings.manager_word)) }
            }
        }
    };
    Ok(page(&frame(&user, &settings), "Opportunities", body))
}

#[derive(Debug, Default, Deserialize, Clone)]
pub struct OpportunityForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub hours_per_week: String,
    #[serde(default)]
    pub weeks: String,
    #[serde(default)]
    pub skills: String,
    #[serde(default)]
    pub needs_manager_approval: String,
}

/// Reads `sql 3, rust 2` (or `sql:3; rust:2`) into requirements.
fn parse_requirements(errors: &mut Vec<FieldError>, text: &str) -> Vec<Requirement> {
    let mut out = Vec::new();
    for part in text
        .split([',', ';'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (skill, level) = match part.rsplit_once([' ', ':']) {
            Some((s, l)) => (s.trim(), l.trim()),
            None => (part, ""),
        };
        match level.parse::<u8>() {
            Ok(l) => out.push(Requirement {
                skill: skill.to_string(),
                level: l,
            }),
            Err(_) => errors.push(FieldError::new(
                "skills",
                format!("{part:?}: write a skill and its level 1–5, like \u{201c}sql 3\u{201d}"),
            )),
        }
    }
    out
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    form: &OpportunityForm,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let body = html! {
        h1 { "Post an opportunity" }
        (error_summary(errors, "f-"))
        form method="post" action="/opportunities" novalidate {
            (csrf_field(user))
            (input_field(errors, "f-", "title", "What is the work", &form.title, "text", None))
            div.field {
                label for="f-description" { "Details" }
                textarea #f-description name="description" rows="3" { (form.description) }
            }
            (input_field(errors, "f-", "skills", "Skills it needs, with levels", &form.skills, "text", Some("Skill and level 1–5, comma-separated: sql 3, writing 2")))
            @if let Some(e) = error_for(errors, "requirements") { p.field-error { (e) } }
            (input_field(errors, "f-", "hours_per_week", "Hours a week", &form.hours_per_week, "number", None))
            (input_field(errors, "f-", "weeks", "For how many weeks", &form.weeks, "number", None))
            div.field {
                label { input type="checkbox" name="needs_manager_approval" value="1" checked[form.needs_manager_approval == "1"]; " The chosen person\u{2019}s manager must approve (always so for people outside your reporting tree)" }
            }
            button type="submit" { "Post opportunity" }
        }
    };
    Ok(page(&frame(user, &settings), "Post an opportunity", body))
}

pub async fn new_opportunity_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    form_page(&state, &user, &OpportunityForm::default(), &[]).await
}

pub async fn create_opportunity(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<OpportunityForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let hours = crate::pages::form_number(&mut errors, "hours_per_week", &form.hours_per_week);
    let weeks = match form.weeks.trim() {
        "" => None,
        w => w
            .parse::<u32>()
            .map_err(|_| {
                errors.push(FieldError::new(
                    "weeks",
                    format!("{w:?} is not a whole number of weeks"),
                ))
            })
            .ok(),
    };
    let requirements = parse_requirements(&mut errors, &form.skills);
    let result = if errors.is_empty() {
        let input = OpportunityInput {
            title: form.title.clone(),
            description: form.description.clone(),
            hours_per_week: hours,
            weeks,
            needs_manager_approval: form.needs_manager_approval == "1",
            requirements,
        };
        opportunities::create(state.store.as_ref(), &user.viewer, &input, crate::now()).await
    } else {
        Err(CoreError::Invalid(errors))
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/opportunities/{id}")).into_response()),
        Err(CoreError::Invalid(mut errors)) => {
            for e in &mut errors {
                if e.field.starts_with("requirements") {
                    e.field = "skills".into();
                }
            }
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                form_page(&state, &user, &form, &errors).await?,
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn placement_line(user: &CurrentUser, p: &Placement, decide: bool, manager: &str) -> Markup {
    html! {
        li {
            a href=(format!("/people/{}", p.person.id)) { (p.person.name) } " · "
            @match p.status {
                PlacementStatus::Pending => {
                    @if p.awaits_manager() { span.flag.warn { "waiting for their " (manager) } " " }
                    @if p.awaits_candidate() { span.flag.warn { "waiting for " (p.person.name) "\u{2019}s answer" } }
                }
                PlacementStatus::Approved => { span.flag.good { "approved" }
                    @if let Some(c) = p.commitment_id { " · " a href=(format!("/commitments/{c}")) { "the commitment" } } }
                PlacementStatus::Declined => { span.flag.bad { "declined" } }
            }
            br; span.muted { (p.explanation) " Proposed by " (p.proposed_by.name) "." }
            @if decide && p.awaits_manager() {
                div.inline-forms {
                    form method="post" action=(format!("/placements/{}/decision", p.id)) {
                        (csrf_field(user)) input type="hidden" name="approve" value="1";
                        button type="submit" aria-label=(format!("Approve {} for {}", p.person.name, p.opportunity_title)) { "Approve" }
                    }
                    form method="post" action=(format!("/placements/{}/decision", p.id)) {
                        (csrf_field(user)) input type="hidden" name="approve" value="0";
                        button.secondary type="submit" { "Decline" }
                    }
                }
            }
        }
    }
}

/// A placement the candidate is asked about, with their two answers.
pub fn asked_line(user: &CurrentUser, p: &Placement) -> Markup {
    html! {
        li {
            a href=(format!("/opportunities/{}", p.opportunity_id)) { (p.opportunity_title) }
            " · proposed by " (p.proposed_by.name)
            @if p.manager_approved_at.is_some() { " · " span.flag.good { "your manager agreed" } }
            br; span.muted { (p.explanation) }
            div.inline-forms {
                form method="post" action=(format!("/placements/{}/answer", p.id)) {
                    (csrf_field(user)) input type="hidden" name="agree" value="1";
                    button type="submit" aria-label=(format!("Agree to {}", p.opportunity_title)) { "I\u{2019}d like to" }
                }
                form method="post" action=(format!("/placements/{}/answer", p.id)) {
                    (csrf_field(user)) input type="hidden" name="agree" value="0";
                    button.secondary type="submit" aria-label=(format!("Decline {}", p.opportunity_title)) { "No, thanks" }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    pub csrf: String,
    pub agree: String,
    #[serde(default)]
    pub confirmed: String,
}

/// The candidate's answer; declining is asked once.
pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<AnswerForm>,
) -> Result<Response, PageError> {
    let back = format!("/people/{}/plate", user.viewer.person_id());
    if form.agree != "1" && !crate::pages::confirmed(&form.confirmed) {
        return crate::pages::Confirmation {
            title: "Decline this stretch work?",
            question: html! { "You will not be given this work; the poster can propose someone else." },
            action: format!("/placements/{id}/answer"),
            fields: vec![("agree", "0".into())],
            button: "Decline",
            back,
        }
        .page(&state, &user)
        .await;
    }
    trellis_core::growth::placements::answer(
        state.store.as_ref(),
        &user.viewer,
        PlacementId(id),
        form.agree == "1",
        crate::now(),
    )
    .await?;
    Ok(Redirect::to(&back).into_response())
}

/// The score, or a dash with the reason for people outside the viewer's tree.
fn score_cell(s: &Suggestion) -> Markup {
    html! {
        @if s.details_visible { (format!("{:.0}", s.fit.score * 100.0)) }
        @else { span title="Private: this person is outside your reporting tree; the order still counts it" { "—" } }
    }
}

fn suggestion_row(user: &CurrentUser, o: &Opportunity, s: &Suggestion) -> Markup {
    html! {
        tr {
            td { a href=(format!("/people/{}", s.person.id)) { (s.person.name) }
                @if s.team.is_some() || s.manager.is_some() {
                    " " span.muted.who {
                        "(" @if let Some(t) = &s.team { (t) } @if s.team.is_some() && s.manager.is_some() { ", " }
                        @if let Some(m) = &s.manager { "reports to " (m) } ")"
                    }
                }
                br; span.muted { (s.fit.explanation) } }
            td.num { (score_cell(s)) }
            td { "fit " (format!("{:.0} %", s.fit.parts.skill_fit * 100.0)) ", growth wish " (format!("{:.0} %", s.fit.parts.growth_wish * 100.0))
                ", stretch " (format!("{:.0} %", s.fit.parts.stretch * 100.0))
                @if s.details_visible {
                    ", time " (format!("{:.0} %", s.fit.parts.free_capacity * 100.0))
                    @if s.fit.parts.move_off > 0.0 { ", work to move off" }
                } }
            td {
                form method="post" action=(format!("/opportunities/{}/accept", o.id)) {
                    (csrf_field(user))
                    input type="hidden" name="person_id" value=(s.person.id);
                    button type="submit" aria-label=(format!("Accept {}", s.person.name)) { "Accept" }
                }
            }
        }
    }
}

pub async fn show_opportunity(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let d = opportunities::show(
        state.store.as_ref(),
        &user.viewer,
        OpportunityId(id),
        crate::now(),
    )
    .await?;
    let o = &d.opportunity;
    let body = html! {
        nav aria-label="Opportunities" { ol.chain { li { a href="/opportunities" { "Opportunities" } } li aria-current="page" { (o.title) } } }
        h1 { (o.title) }
        p.lead { "Posted by " (o.poster.name) " · " (o.status.as_str()) }
        p { (summary(o, &settings.manager_word)) }
        @if !o.description.is_empty() { p { (o.description) } }
        @if o.status == OpportunityStatus::Open && o.poster.id != user.viewer.person_id() {
            form.interest method="post" action=(format!("/opportunities/{}/interest", o.id)) {
                (csrf_field(&user))
                @if d.i_am_interested {
                    input type="hidden" name="interested" value="0";
                    p { span.flag.good { "You said you are interested" } " " button.secondary.small type="submit" { "Withdraw my interest" } }
                } @else {
                    input type="hidden" name="interested" value="1";
                    p { button type="submit" { "I\u{2019}m interested" } " " span.muted { "The poster sees it, and it counts in your ranking as a wish to grow." } }
                }
            }
        }
        @if d.can_manage && !d.interested.is_empty() {
            section aria-labelledby="interested" {
                h2 #interested { "Interested (" (d.interested.len()) ")" }
                ul.inline-list { @for p in &d.interested { li { a href=(format!("/people/{}", p.id)) { (p.name) } } } }
            }
        }
        @if !d.placements.is_empty() {
            h2 { "Proposed" }
            ul.plain { @for p in &d.placements { (placement_line(&user, p, false, &settings.manager_word)) } }
        }
        @if d.can_manage && o.status == OpportunityStatus::Open {
            section aria-labelledby="suggestions" {
                h2 #suggestions { "Suggested owners" }
                p.hint { "Score out of 100: skill fit, a wish to grow a required skill, a growth step (one level below what the work needs), and free time. People without the free hours come last." }
                @if d.suggestions.is_empty() { p.muted { "Nobody has any of these skills yet." } }
                @else {
                    div.table-scroll { table.data {
                        thead { tr { th { "Person and why" } th.num { "Score" } th { "Parts" } th { "" } } }
                        tbody { @for s in &d.suggestions { (suggestion_row(&user, o, s)) } }
                    } }
                }
            }
            @if let Some(sourcing) = &d.sourcing { (sourcing_section(sourcing, &settings.currency)) }
        }
    };
    Ok(page(&frame(&user, &settings), &o.title, body))
}

#[derive(Debug, Deserialize)]
pub struct InterestForm {
    pub csrf: String,
    /// 1 to say so, 0 to withdraw.
    pub interested: String,
}

crate::auth::csrf_form!(InterestForm);

pub async fn set_interest(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<InterestForm>,
) -> Result<Response, PageError> {
    opportunities::set_interest(
        state.store.as_ref(),
        &user.viewer,
        OpportunityId(id),
        form.interested == "1",
        crate::now(),
    )
    .await?;
    Ok(crate::pages::flash::redirect(
        &format!("/opportunities/{id}"),
        crate::pages::flash::Flash::Saved,
    ))
}

#[derive(Debug, Deserialize)]
pub struct AcceptForm {
    pub csrf: String,
    pub person_id: i64,
    #[serde(default)]
    pub confirmed: String,
}

pub async fn accept(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<AcceptForm>,
) -> Result<Response, PageError> {
    if !crate::pages::confirmed(&form.confirmed) {
        let person = state
            .store
            .person(PersonId(form.person_id))
            .await?
            .map(|p| p.display_name())
            .unwrap_or_else(|| "this person".into());
        let manager = settings(&state).await?.manager_word;
        return crate::pages::Confirmation {
            title: "Propose for this opportunity?",
            question: html! { "Propose " strong { (person) } " for it. In your reporting tree the work goes onto their plate now; otherwise their " (manager) " decides." },
            action: format!("/opportunities/{id}/accept"),
            fields: vec![("person_id", form.person_id.to_string())],
            button: "Propose",
            back: format!("/opportunities/{id}"),
        }
        .page(&state, &user)
        .await;
    }
    opportunities::accept(
        state.store.as_ref(),
        &user.viewer,
        OpportunityId(id),
        PersonId(form.person_id),
        crate::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/opportunities/{id}")).into_response())
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    pub csrf: String,
    pub approve: String,
    #[serde(default)]
    pub confirmed: String,
}

pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<DecisionForm>,
) -> Result<Response, PageError> {
    if form.approve != "1" && !crate::pages::confirmed(&form.confirmed) {
        return crate::pages::Confirmation {
            title: "Decline this placement?",
            question: html! { "The person will not take this stretch work; the poster can propose someone else." },
            action: format!("/placements/{id}/decision"),
            fields: vec![("approve", "0".into())],
            button: "Decline",
            back: "/team-work#approvals".into(),
        }
        .page(&state, &user)
        .await;
    }
    trellis_core::growth::placements::decide(
        state.store.as_ref(),
        &user.viewer,
        PlacementId(id),
        form.approve == "1",
        crate::now(),
    )
    .await?;
    Ok(Redirect::to("/team-work#approvals").into_response())
}

pub async fn show_plan(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let plan = opportunities::plan(state.store.as_ref(), &user.viewer, crate::now()).await?;
    let body = html! {
        h1 { @if user.viewer.may_administer() { "Owners for all open opportunities" } @else { "Owners for all my open opportunities" } }
        p.lead { "The plan with the highest total score in which nobody takes two opportunities and nobody takes work they have no free hours for. " @if let Some(total) = plan.total_score { "Total score " (format!("{:.0}", total * 100.0)) "." } }
        @if plan.rows.is_empty() { p.muted { "You have no open opportunities. " a href="/opportunities/new" { "Post one" } } }
        div.table-scroll { table.data {
            thead { tr { th { "Opportunity" } th { "Suggested owner and why" } th.num { "Score" } th { "" } } }
            tbody {
                @for r in &plan.rows {
                    tr {
                        td { a href=(format!("/opportunities/{}", r.opportunity.id)) { (r.opportunity.title) } br; (summary(&r.opportunity, &settings.manager_word)) }
                        @match &r.suggestion {
                            Some(s) => {
                                td { (s.person.name) br; span.muted { (s.fit.explanation) } }
                                td.num { (score_cell(s)) }
                                td { form method="post" action=(format!("/opportunities/{}/accept", r.opportunity.id)) {
                                    (csrf_field(&user)) input type="hidden" name="person_id" value=(s.person.id);
                                    button type="submit" { "Accept" } } }
                            }
                            None => { td colspan="3" { span.muted { (r.unfilled.map(|u| u.sentence()).unwrap_or_default()) } } }
                        }
                    }
                }
            }
        } }
    };
    Ok(page(&frame(&user, &settings), "Plan owners", body))
}

/// The approvals a manager gives, for the team view.
pub(crate) fn approvals(user: &CurrentUser, pending: &[Placement], manager: &str) -> Markup {
    html! {
        @if !pending.is_empty() {
            section.card #approvals aria-labelledby="approvals-title" {
                h2 #approvals-title { "Stretch work waiting for your approval" }
                ul.plain { @for p in pending {
                    li { a href=(format!("/opportunities/{}", p.opportunity_id)) { (p.opportunity_title) } }
                    (placement_line(user, p, true, manager))
                } }
            }
        }
    }
}

/// The options side by side when nobody inside qualifies.
fn sourcing_section(s: &Sourcing, currency: &str) -> Markup {
    html! {
        section aria-labelledby="sourcing" {
            h2 #sourcing { "Other ways to get it done" }
            p { (s.reason) }
            @if s.options.is_empty() {
                p.muted { "Nobody inside has the time to stretch into it, and nobody in the " a href="/talent" { "talent pool" } " has the skills at these levels." }
            } @else {
                div.options {
                    @for option in &s.options {
                        article.card {
                            h3 { (option.summary) }
                            dl.facts {
                                dt { "Cost" } dd { strong { @if option.cost > 0.0 { (crate::growth::pages::talent::money(option.cost, currency)) } @else { "nothing external" } } }
                                dt { "Time inside" } dd { (hours(option.internal_hours)) }
                                dt { "Can start" } dd { @if option.lead_time_days == 0 { "now" } @else { "in " (option.lead_time_days) " days" } }
                                dt { "Skill fit" } dd { (format!("{:.0} %", option.skill_fit * 100.0)) }
                            }
                            p { (option.explanation) }
                        }
                    }
                }
                p.hint { "Specialists come from the " a href="/talent" { "talent pool" } "; cost is their rate × the hours the work needs." }
            }
        }
    }
}

crate::auth::csrf_form!(AcceptForm, AnswerForm, DecisionForm, OpportunityForm);

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .route(
            "/opportunities",
            axum::routing::get(list_opportunities).post(create_opportunity),
        )
        .route(
            "/opportunities/new",
            axum::routing::get(new_opportunity_form),
        )
        .route("/opportunities/plan", axum::routing::get(show_plan))
        .route("/opportunities/{id}", axum::routing::get(show_opportunity))
        .route("/opportunities/{id}/accept", axum::routing::post(accept))
        .route(
            "/opportunities/{id}/interest",
            axum::routing::post(set_interest),
        )
        .route("/placements/{id}/decision", axum::routing::post(decide))
        .route("/placements/{id}/answer", axum::routing::post(answer))
}
