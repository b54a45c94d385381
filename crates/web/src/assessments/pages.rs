//! The 360 pages: the list and the form to ask for one, an assessment's progress and the
//! rater's form (which says whether the answer is named or anonymous), and the report as
//! server-drawn charts readable without colour.

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::flash::Flash;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_summary, format_date, settings};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;
use trellis_core::assessments::nominations::{self, NominationInput};
use trellis_core::assessments::org_view::{self, GroupFilter};
use trellis_core::assessments::report::{self, BehaviourLine, Report};
use trellis_core::assessments::team;
use trellis_core::assessments::{
    self, AnswerInput, AssessmentId, AssessmentInput, AssessmentState, Family, FeedbackKind,
    RaterGroup, RaterStatus, SCALE,
};

/// "Peer reviews in …" as it reads after "Your".
fn lowercase_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}
use trellis_core::{CoreError, FieldError};

fn frame<'a>(user: &'a CurrentUser, settings: &'a trellis_core::settings::Settings) -> Frame<'a> {
    Frame {
        user,
        settings,
        section: "reviews",
    }
}

/// A 360 as asked for on the page.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AskForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub due_on: String,
    #[serde(default)]
    pub peers: String,
    #[serde(default)]
    pub reports: String,
    #[serde(default)]
    pub others: String,
}

crate::auth::csrf_form!(AskForm);

fn emails(text: &str) -> Vec<String> {
    text.split([',', ';', ' ', '\n', '\r'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_string)
        .collect()
}

async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<&AskForm>,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let mine = assessments::mine(state.store.as_ref(), &user.viewer).await?;
    let blank = AskForm::default();
    let form = form.unwrap_or(&blank);
    let may_ask = user.viewer.may_administer() || user.viewer.has_reports();
    Ok(page(
        &frame(user, &settings),
        "360 assessments",
        html! {
            p { a href="/reviews" { "← Reviews" } }
            h1 { "360 assessments" }
            p.hint { "Management and leadership behaviour, rated by the person, their " (settings.manager_word) ", peers, direct reports and others. Answers of peers, reports and others are anonymous: a group with fewer than " (settings.anonymity_k_360) " answers is left out whole." }
            h2 { "To answer" }
            @if mine.to_answer.is_empty() { p.muted { "Nobody has asked you for a 360." } }
            ul.plain { @for a in &mine.to_answer {
                li { a href=(format!("/assessments/{}", a.id)) { (a.title()) ": " (a.subject.name) } " · due " (format_date(a.due_on))
                    @if a.raters.first().is_some_and(|r| r.answered) { " " span.flag.good { "answered" } }
                    @if a.state == AssessmentState::Shared { " " span.flag { "closed" } } }
            } }
            h2 { "About me" }
            @if mine.about_me.is_empty() { p.muted { "No 360 of you yet." } }
            ul.plain { @for a in &mine.about_me {
                li { a href=(format!("/assessments/{}", a.id)) { "Your " (lowercase_first(&a.title())) ", due " (format_date(a.due_on)) }
                    @if a.state == AssessmentState::Shared { " · " a href=(format!("/assessments/{}/report", a.id)) { "read the report" } } }
            } }
            @if user.viewer.has_reports() {
                p { a href=(format!("/assessments/team/{}", user.viewer.person_id())) { "Your team's 360 averages" } }
            }
            @if user.viewer.may_administer() {
                p { a href="/assessments/groups" { "Department and organisation averages" } " · " a href="/assessments/export.csv" { "export (CSV)" } }
            }
            @if may_ask {
                section.card aria-labelledby="ask" {
                    h2 #ask { "Ask for a 360" }
                    (error_summary(errors, "a-"))
                    form method="post" action="/assessments" {
                        (csrf_field(user))
                        div.field { label for="a-subject" { "Of (e-mail)" } input #a-subject type="email" name="subject" value=(form.subject) required; }
                        div.field { label for="a-due_on" { "Answers due" } input #a-due_on type="date" name="due_on" value=(form.due_on) required; }
                        p.hint { "The person rates themselves and their " (settings.manager_word) " rates them, both by name. Name the others by e-mail, separated by commas." }
                        div.field { label for="a-peers" { "Peers" } textarea #a-peers name="peers" rows="2" { (form.peers) } }
                        div.field { label for="a-reports" { "Direct reports" } textarea #a-reports name="reports" rows="2" { (form.reports) } }
                        div.field { label for="a-others" { "Others" } textarea #a-others name="others" rows="2" { (form.others) } }
                        button type="submit" { "Ask" }
                    }
                }
            }
        },
    ))
}

pub async fn show_list(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    list_page(&state, &user, None, &[]).await
}

pub async fn ask(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<AskForm>,
) -> Result<Response, PageError> {
    let store = state.store.as_ref();
    let result = async {
        let subject = store
            .person_id_by_email(form.subject.trim())
            .await?
            .ok_or_else(|| CoreError::field("subject", "nobody has this e-mail"))?;
        let due_on = form
            .due_on
            .trim()
            .parse()
            .map_err(|_| CoreError::field("due_on", "give the day answers are due"))?;
        assessments::create(
            store,
            &user.viewer,
            &AssessmentInput {
                subject,
                due_on,
                peers: emails(&form.peers),
                reports: emails(&form.reports),
                others: emails(&form.others),
                behaviours: None,
            },
            chrono::Utc::now().date_naive(),
            crate::now(),
        )
        .await
    }
    .await;
    match result {
        Ok(created) => Ok(crate::pages::flash::redirect(
            &format!("/assessments/{}", created.id),
            Flash::Saved,
        )),
        Err(CoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            list_page(&state, &user, Some(&form), &errors).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

async fn assessment_page(
    state: &AppState,
    user: &CurrentUser,
    id: AssessmentId,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let v = assessments::show(state.store.as_ref(), &user.viewer, id).await?;
    let a = &v.assessment;
    let k = a.k as usize;
    Ok(page(
        &frame(user, &settings),
        &format!("{} of {}", a.title(), a.subject.name),
        html! {
            p { a href="/assessments" { "← 360 assessments" } }
            h1 { (a.title()) ": " (a.subject.name) }
            @if let Some(c) = &a.in_cycle {
                p { a href=(format!("/reviews/{}", c.review)) { "The review this belongs to" }
                    @if let Some(on) = c.opens_on.filter(|d| *d > crate::today()) { " · answers open on " (format_date(on)) }
                    @if let Some(due) = c.nominations_due.filter(|_| c.kind == FeedbackKind::Peer && c.subject_nominates) { " · peers named by " (format_date(due)) } }
            }
            @for w in &v.warnings { p.warning { (w) } }
            p.muted { "Answers due " (format_date(a.due_on)) " · "
                @if a.state == AssessmentState::Shared { "shared: answers are locked" } @else { "open" } }
            @if a.state == AssessmentState::Shared { p { a href=(format!("/assessments/{id}/report")) { "Read the report" } } }
            h2 { "Answers" }
            div.table-scroll { table {
                thead { tr { th { "Group" } th { "Asked" } th { "Answered" } } }
                tbody { @for p in &v.progress {
                    tr { td { (p.group.label()) } td { (p.asked) } td { (p.answered)
                        @if !a.named(p.group) && p.asked < k { " " span.flag.warn { "fewer than " (k) " asked: left out of the report whole" } }
                        @else if !a.named(p.group) && p.answered < k && a.state == AssessmentState::Open { " " span.flag { (k - p.answered.min(k)) " more needed to show" } } } }
                } }
            } }
            @if v.can_share {
                form method="post" action=(format!("/assessments/{id}/share")) {
                    (csrf_field(user))
                    button type="submit" { "Share the report with " (a.subject.name) }
                }
            }
            @if v.runs {
                details { summary { "Who is asked" }
                    ul.plain { @for r in &a.raters { li { (r.person.name) " · " (r.group.label()) @if r.answered { " " span.flag.good { "answered" } } @if r.status != RaterStatus::Asked { " " span.flag { (r.status.as_str()) } } } } } }
            }
            @if v.can_nominate {
                @let proposed: Vec<_> = a.raters.iter().filter(|r| r.status == RaterStatus::Proposed).collect();
                section.card aria-labelledby="nominate" {
                    h2 #nominate { @if v.runs { "Ask someone" } @else { "Propose a rater" } }
                    @if let Some(c) = &a.in_cycle { p.hint { "Up to " (c.max_peers) " peers. " @if !c.peers_named { "Name at least " (k) ", or their answers are left out whole to protect anonymity." } } }
                    @if !v.runs { p.hint { "Your " (settings.manager_word) " asks the people you propose." } }
                    @if !proposed.is_empty() {
                        h3 { "Proposed, waiting" }
                        ul.plain { @for r in &proposed {
                            li { (r.person.name) " · " (r.group.label())
                                @if v.runs {
                                    @for (approve, label) in [(true, "Ask"), (false, "Not this time")] {
                                        form.inline method="post" action=(format!("/assessments/{id}/nominations/{}/decision", r.person.id)) {
                                            (csrf_field(user))
                                            input type="hidden" name="approve" value=(approve);
                                            button.secondary type="submit" { (label) }
                                        }
                                    }
                                } }
                        } }
                    }
                    form.inline-forms method="post" action=(format!("/assessments/{id}/nominations")) {
                        (csrf_field(user))
                        div.field { label for="n-group" { "Group" } select #n-group name="group" {
                            @for g in RaterGroup::ANONYMOUS.iter().filter(|g| a.in_cycle.is_none() || **g == RaterGroup::Peers) { option value=(g.as_str()) { (g.label()) } } } }
                        div.field { label for="n-email" { "E-mail" } input #n-email type="email" name="email" required; }
                        button.secondary type="submit" { @if v.runs { "Ask" } @else { "Propose" } }
                    }
                }
            }
            @if let Some(group) = v.my_group && a.state == AssessmentState::Open && !a.named(group) && !v.i_answered {
                form.inline method="post" action=(format!("/assessments/{id}/decline")) {
                    (csrf_field(user))
                    button.secondary type="submit" { "Decline to answer" }
                }
            }
            @if v.my_group.is_some() && !a.open_on(crate::today()) && a.state == AssessmentState::Open {
                p.notice { "Answers open on " (a.in_cycle.as_ref().and_then(|c| c.opens_on).map(format_date).unwrap_or_default()) "." }
            }
            @if let Some(group) = v.my_group && a.open_on(crate::today()) {
                section.card aria-labelledby="answer" {
                    h2 #answer { @if group == RaterGroup::Subject { "Rate yourself" } @else { "Your answer about " (a.subject.name) } }
                    @if a.named(group) {
                        p.notice { "Your answer is named: " (a.subject.name) " and their " (settings.manager_word) " chain read it as yours." }
                    } @else {
                        p.notice { "Your answer is anonymous. It is stored without your name and shown only pooled with at least " (k) " answers of your group (" (group.label()) "); if fewer answer, the group is left out whole. Comments are shown without names, in no particular order." }
                    }
                    @if v.i_answered { p.muted { "You have answered; you can change it until the report is shared." } }
                    (error_summary(errors, "r-"))
                    form method="post" action=(format!("/assessments/{id}/answer")) {
                        (csrf_field(user))
                        @for family in [Family::Management, Family::Leadership] {
                            h3 { (family.label()) }
                            @for (i, b) in a.behaviours.iter().enumerate().filter(|(_, b)| b.family == family) {
                                div.field {
                                    label for=(format!("r-ratings[{i}]")) { (b.text) }
                                    select id=(format!("r-ratings[{i}]")) name=(format!("rating_{i}")) {
                                        option value="" { "Can't say" }
                                        @for (n, l) in SCALE.iter().enumerate() { option value=(n + 1) { (n + 1) " · " (l) } }
                                    }
                                }
                            }
                            @let name = if family == Family::Management { "management_comment" } else { "leadership_comment" };
                            div.field { label for=(format!("r-{name}")) { "A comment (optional)" } textarea id=(format!("r-{name}")) name=(name) rows="3" {} }
                        }
                        button type="submit" { "Save my answer" }
                    }
                }
            }
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    assessment_page(&state, &user, AssessmentId(id), &[]).await
}

/// An answer as the form sends it: `rating_N` per behaviour and the two comments.
#[derive(Debug, Default, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(flatten)]
    pub fields: HashMap<String, String>,
}

crate::auth::csrf_form!(AnswerForm);

pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<AnswerForm>,
) -> Result<Response, PageError> {
    let fields = form.fields;
    let a = assessments::show(state.store.as_ref(), &user.viewer, AssessmentId(id)).await?;
    let input = AnswerInput {
        ratings: (0..a.assessment.behaviours.len())
            .map(|i| {
                fields
                    .get(&format!("rating_{i}"))
                    .and_then(|v| v.parse().ok())
            })
            .collect(),
        management_comment: fields
            .get("management_comment")
            .cloned()
            .unwrap_or_default(),
        leadership_comment: fields
            .get("leadership_comment")
            .cloned()
            .unwrap_or_default(),
    };
    let result = assessments::answer(
        state.store.as_ref(),
        &state.config.note_key,
        &user.viewer,
        AssessmentId(id),
        &input,
        crate::today(),
    )
    .await;
    match result {
        Ok(()) => Ok(crate::pages::flash::redirect(
            &format!("/assessments/{id}"),
            Flash::Saved,
        )),
        Err(CoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            assessment_page(&state, &user, AssessmentId(id), &errors).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn share(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    assessments::share(
        state.store.as_ref(),
        &user.viewer,
        AssessmentId(id),
        crate::now(),
    )
    .await?;
    Ok(crate::pages::flash::redirect(
        &format!("/assessments/{id}/report"),
        Flash::Saved,
    ))
}

/// One behaviour as horizontal bars: self, manager, all colleagues and each group, each
/// with its name and score written beside it (or why it is hidden).
fn behaviour_chart(i: usize, line: &BehaviourLine) -> Markup {
    let mut bars: Vec<(String, Option<f64>, Option<String>)> = vec![
        ("Self".into(), line.self_score, None),
        ("Manager".into(), line.manager_score, None),
    ];
    bars.extend(
        line.figures
            .iter()
            .map(|f| (f.label.clone(), f.score, f.hidden.clone())),
    );
    let row = 22;
    let height = bars.len() * row + 8;
    let scale = 60.0;
    html! {
        svg.behaviour role="img" aria-labelledby=(format!("b{i}-title")) width="560" height=(height) viewBox=(format!("0 0 560 {height}")) {
            title id=(format!("b{i}-title")) { (line.behaviour.text) ": "
                (bars.iter().map(|(l, s, h)| match (s, h) { (Some(s), _) => format!("{l} {s:.1}"), (None, Some(_)) => format!("{l} hidden"), _ => format!("{l} no answer") }).collect::<Vec<_>>().join(", ")) }
            @for (n, (label, score, hidden)) in bars.iter().enumerate() {
                @let y = n * row + 4;
                text x="0" y=(y + 14) { (label) }
                @match (score, hidden) {
                    (Some(s), _) => {
                        rect x="150" y=(y + 3) width=(s * scale) height="14" fill="#2f6b4f" {}
                        text x=(156.0 + s * scale) y=(y + 14) { (format!("{s:.1}")) }
                    }
                    (None, Some(h)) => { text x="150" y=(y + 14) font-style="italic" { (h) } }
                    _ => { text x="150" y=(y + 14) { "no answer" } }
                }
            }
        }
    }
}

fn report_body(r: &Report, goal_form: Option<&CurrentUser>) -> Markup {
    html! {
        @for d in &r.dropped { p.notice { (d) } }
        p.hint { "Ratings from 1 (" (SCALE[0]) ") to 5 (" (SCALE[4]) "). Each bar's number is its average; groups of peers, direct reports and others are shown only with at least " (r.assessment.k) " answers." }
        @for family in [Family::Management, Family::Leadership] {
            h2 { (family.label()) }
            @for (i, line) in r.lines.iter().enumerate().filter(|(_, l)| l.behaviour.family == family) {
                h3 { (line.behaviour.text)
                    @if let Some(g) = line.gap { " " span.muted { (format!("self {:+.1} against colleagues", g)) } } }
                (behaviour_chart(i, line))
                @if let Some(user) = goal_form {
                    form.inline method="post" action=(format!("/assessments/{}/growth-goals", r.assessment.id)) {
                        (csrf_field(user))
                        input type="hidden" name="behaviour" value=(i);
                        button.secondary type="submit" { "Make it a growth goal on my plan" }
                    }
                }
            }
            h3 { "Comments" }
            @let comments: Vec<_> = r.comments.iter().filter(|c| c.family == family).collect();
            @if comments.is_empty() { p.muted { "None." } }
            ul { @for c in comments { li { (c.text) " " span.muted { "— " (c.from) } } } }
        }
    }
}

pub async fn show_report(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let r = report::show(state.store.as_ref(), &user.viewer, AssessmentId(id)).await?;
    Ok(page(
        &frame(&user, &settings),
        &format!("360 report of {}", r.assessment.subject.name),
        html! {
            p { a href=(format!("/assessments/{id}")) { "← The 360" } }
            h1 { "360 report of " (r.assessment.subject.name) }
            (report_body(&r, (r.assessment.subject.id == user.viewer.person_id()).then_some(&user)))
        },
    ))
}

/// A behaviour to make a growth goal, as the report's button sends it.
#[derive(Debug, Default, Deserialize)]
pub struct GoalForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub behaviour: String,
}

crate::auth::csrf_form!(GoalForm);

pub async fn add_growth_goal(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<GoalForm>,
) -> Result<Response, PageError> {
    let behaviour = form.behaviour.trim().parse().unwrap_or(usize::MAX);
    match report::add_growth_goal(
        state.store.as_ref(),
        &user.viewer,
        AssessmentId(id),
        behaviour,
        crate::now(),
    )
    .await
    {
        Ok(_) => Ok(crate::pages::flash::redirect(
            &format!("/people/{}/career", user.viewer.person_id()),
            Flash::PlanSaved,
        )),
        Err(CoreError::Invalid(errors)) => Err(CoreError::Conflict(
            errors
                .first()
                .map(|e| e.message.clone())
                .unwrap_or_default(),
        )
        .into()),
        Err(e) => Err(e.into()),
    }
}

/// A nomination or a decision, as the page's forms send them.
#[derive(Debug, Default, Deserialize)]
pub struct NominationForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub approve: String,
}

crate::auth::csrf_form!(NominationForm);

async fn back(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    result: Result<(), CoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(crate::pages::flash::redirect(
            &format!("/assessments/{id}"),
            Flash::Saved,
        )),
        Err(CoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            assessment_page(state, user, AssessmentId(id), &errors).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn nominate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<NominationForm>,
) -> Result<Response, PageError> {
    let result = match RaterGroup::parse(form.group.trim()) {
        Some(group) => nominations::nominate(
            state.store.as_ref(),
            &user.viewer,
            AssessmentId(id),
            &NominationInput {
                group,
                email: form.email.clone(),
            },
            crate::today(),
            crate::now(),
        )
        .await
        .map(|_| ()),
        None => Err(CoreError::field("group", "choose a group")),
    };
    back(&state, &user, id, result).await
}

pub async fn decide(
    State(state): State<AppState>,
    Path((id, person)): Path<(i64, i64)>,
    CsrfForm(user, form): CsrfForm<NominationForm>,
) -> Result<Response, PageError> {
    let result = nominations::decide(
        state.store.as_ref(),
        &user.viewer,
        AssessmentId(id),
        trellis_core::PersonId(person),
        form.approve == "true",
        crate::now(),
    )
    .await;
    back(&state, &user, id, result).await
}

pub async fn decline(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    let result = nominations::decline(state.store.as_ref(), &user.viewer, AssessmentId(id)).await;
    back(&state, &user, id, result).await
}

pub async fn show_team(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(manager): Path<i64>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let v = team::show(
        state.store.as_ref(),
        &user.viewer,
        trellis_core::PersonId(manager),
    )
    .await?;
    Ok(page(
        &frame(&user, &settings),
        &format!("360 averages of {}'s team", v.manager.name),
        html! {
            p { a href="/assessments" { "← 360 assessments" } }
            h1 { "360 averages of " (v.manager.name) "'s team" }
            p.hint { (v.assessed) " of " (v.reports) " direct reports have a shared 360. Each average pools the colleagues' answers their own reports showed, and is shown only with at least " (v.k) " answers." }
            @if v.lines.is_empty() { p.muted { "No shared 360 in this team yet." } }
            @else {
                div.table-scroll { table {
                    thead { tr { th { "Behaviour" } th { "Average (1–5)" } th { "Answers" } } }
                    tbody { @for l in &v.lines {
                        tr { td { (l.behaviour.text) }
                            @match (l.average, &l.hidden) {
                                (Some(a), _) => { td { (format!("{a:.1}")) } td { (l.answers.unwrap_or(0)) } }
                                (None, Some(h)) => { td colspan="2" { em { (h) } } }
                                _ => { td colspan="2" { "—" } }
                            } }
                    } }
                } }
            }
        },
    ))
}

/// A department's or the organisation's averages (people admins), filtered by level.
pub async fn show_groups(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    axum::extract::Query(filter): axum::extract::Query<GroupFilterForm>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let filter = GroupFilter {
        team: filter.team.trim().parse().ok().map(trellis_core::TeamId),
        level: Some(filter.level.trim().to_string()).filter(|l| !l.is_empty()),
    };
    let v = org_view::show(state.store.as_ref(), &user.viewer, &filter).await?;
    let teams = state.store.teams().await?;
    Ok(page(
        &frame(&user, &settings),
        &format!("360 averages of {}", v.title),
        html! {
            p { a href="/assessments" { "← 360 assessments" } }
            h1 { "360 averages of " (v.title) @if let Some(l) = &v.level { " at " (l) } }
            form.inline-forms method="get" action="/assessments/groups" {
                div.field { label for="g-team" { "Department or team" }
                    select #g-team name="team" {
                        option value="" { "The organisation" }
                        @for t in &teams { option value=(t.id) selected[filter.team == Some(t.id)] { (t.name) } }
                    } }
                div.field { label for="g-level" { "Level" }
                    select #g-level name="level" {
                        option value="" { "Every level" }
                        @for l in &v.levels { option value=(l) selected[v.level.as_deref() == Some(l.as_str())] { (l) } }
                    } }
                button.secondary type="submit" { "Show" }
            }
            p.hint { (v.assessed) " people with a shared 360 or upward reviews. Each average pools the colleagues' answers their own reports showed and is shown only with at least " (v.k) " answers; a level that would differ from the whole, or from another level, by fewer than " (v.k) " answers is hidden." }
            div.table-scroll { table {
                thead { tr { th { "Behaviour" } th { "Average (1–5)" } th { "Answers" } } }
                tbody { @for l in &v.lines {
                    tr { td { (l.behaviour.text) }
                        @match (l.average, &l.hidden) {
                            (Some(a), _) => { td { (format!("{a:.1}")) } td { (l.answers.unwrap_or(0)) } }
                            (None, Some(h)) => { td colspan="2" { em { (h) } } }
                            _ => { td colspan="2" { "—" } }
                        } }
                } }
            } }
            p { a href="/assessments/export.csv" { "Export every shared report's figures (CSV)" } }
        },
    ))
}

/// The department filter as typed.
#[derive(Debug, Default, serde::Deserialize)]
pub struct GroupFilterForm {
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub level: String,
}

pub async fn export(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Response, PageError> {
    Ok(super::api::csv_download(
        super::api::export_csv(&state, &user.viewer).await?,
    ))
}

pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/assessments", get(show_list).post(ask))
        .route("/assessments/groups", get(show_groups))
        .route("/assessments/export.csv", get(export))
        .route("/assessments/{id}", get(show))
        .route("/assessments/{id}/answer", post(answer))
        .route("/assessments/{id}/share", post(share))
        .route("/assessments/{id}/report", get(show_report))
        .route("/assessments/team/{manager}", get(show_team))
        .route("/assessments/{id}/growth-goals", post(add_growth_goal))
        .route("/assessments/{id}/nominations", post(nominate))
        .route(
            "/assessments/{id}/nominations/{person}/decision",
            post(decide),
        )
        .route("/assessments/{id}/decline", post(decline))
}
