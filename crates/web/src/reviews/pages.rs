//! Review pages: my reviews and the ones I write (`/reviews`), one review's forms or
//! reading view (`/reviews/{id}`), and for people admins the cycles with their progress
//! (`/admin/reviews`).

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
use trellis_core::reviews::forms::{self, AnswersInput, FollowThroughInput, ReviewView};
use trellis_core::reviews::{Answer, CycleState, GROWTH_QUESTIONS, Question, ReviewId};
use trellis_core::{CoreError, FieldError};

pub(crate) fn state_label(s: CycleState) -> &'static str {
    match s {
        CycleState::Draft => "draft",
        CycleState::Launched => "running",
        CycleState::Calibration => "in calibration",
        CycleState::Shared => "shared",
        CycleState::Closed => "closed",
    }
}

pub async fn my_reviews(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let m = forms::mine(state.store.as_ref(), &user.viewer).await?;
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "reviews",
        },
        "Reviews",
        html! {
            h1 { "Reviews" }
            p { a href="/assessments" { "360 assessments" } " of management and leadership behaviour"
                @if user.viewer.may_administer() { " · " a href="/admin/reviews" { "Review cycles" } } }
            section aria-labelledby="mine" {
                h2 #mine { "Your reviews" }
                @if m.mine.is_empty() { p.muted { "No review cycle has included you yet." } }
                ul.plain {
                    @for e in &m.mine {
                        li { a href=(format!("/reviews/{}", e.review.id)) { (e.cycle.name) } " · " span.flag { (state_label(e.cycle.state)) } " "
                            @if e.cycle.state == CycleState::Launched && e.cycle.self_review_due.is_some() && e.review.self_submitted_at.is_none() {
                                span.flag.warn { "self review due " (e.cycle.self_review_due.map(format_date).unwrap_or_default()) }
                            } }
                    }
                }
            }
            @if !m.to_write.is_empty() {
                section aria-labelledby="to-write" {
                    h2 #to-write { "Reviews you write" }
                    ul.plain {
                        @for e in &m.to_write {
                            li { a href=(format!("/reviews/{}", e.review.id)) { (e.review.reviewee.name) } " · " (e.cycle.name) " · "
                                @if e.review.manager_submitted_at.is_some() { span.flag.good { "handed in" } }
                                @else if e.cycle.state == CycleState::Launched { span.flag.warn { "due " (format_date(e.cycle.manager_review_due)) } } }
                        }
                    }
                }
            }
            @if !m.open_follow_through.is_empty() {
                section aria-labelledby="follow" {
                    h2 #follow { "Your follow-through still open" }
                    p.hint { "What you committed to in reviews, until it is done." }
                    ul.plain {
                        @for f in &m.open_follow_through {
                            li { a href=(format!("/commitments/{}", f.item.commitment)) { (f.item.what) } " · for " (f.reviewee.name) " · by " (format_date(f.item.due_date)) }
                        }
                    }
                }
            }
        },
    ))
}

fn answer_of(answers: &[Answer], i: usize) -> Option<&Answer> {
    answers.iter().find(|a| a.question == i)
}

/// One question's answer as read.
fn read_answer(q: &Question, a: Option<&Answer>) -> Markup {
    html! {
        dt { (q.text) }
        dd {
            @match a {
                Some(a) => {
                    @if let Some(r) = a.rating { strong { (q.scale.get(r as usize - 1).cloned().unwrap_or_default()) } " (" (r) " of " (q.scale.len()) ")" @if !a.text.is_empty() { br; } }
                    @if !a.text.is_empty() { span.text { (a.text) } }
                },
                None => span.muted { "not answered" },
            }
        }
    }
}

/// A form's fields for its questions (`rating-N`, `text-N`).
fn answer_fields(questions: &[(usize, &Question)], answers: &[Answer], reviewee: &str) -> Markup {
    html! {
        @for (i, q) in questions {
            fieldset.question {
                legend { (q.text) @if q.private { " " span.flag { "private" } } }
                @if q.private { p.hint { "Your manager chain and people admins read this; " (reviewee) " never does." } }
                @if !q.scale.is_empty() {
                    @for (k, label) in q.scale.iter().enumerate() {
                        label.choice { input type="radio" name=(format!("rating-{i}")) value=(k + 1) checked[answer_of(answers, *i).and_then(|a| a.rating) == Some(k as u8 + 1)]; " " (label) }
                    }
                }
                label.visually-hidden for=(format!("text-{i}")) { "Answer" }
                textarea id=(format!("text-{i}")) name=(format!("text-{i}")) rows="3" maxlength="10000" { (answer_of(answers, *i).map(|a| a.text.as_str()).unwrap_or("")) }
            }
        }
        div.inline-forms {
            button.secondary type="submit" name="submit" value="0" { "Save a draft" }
            button type="submit" name="submit" value="1" { "Hand it in" }
        }
    }
}

fn parse_answers(form: &HashMap<String, String>) -> Result<AnswersInput, CoreError> {
    let mut answers: Vec<Answer> = Vec::new();
    for (key, value) in form {
        let (kind, n) = match key.split_once('-') {
            Some((k, n)) if k == "rating" || k == "text" => (k, n),
            _ => continue,
        };
        let Ok(question) = n.parse::<usize>() else {
            continue;
        };
        let i = match answers.iter().position(|a| a.question == question) {
            Some(i) => i,
            None => {
                answers.push(Answer {
                    question,
                    rating: None,
                    text: String::new(),
                });
                answers.len() - 1
            }
        };
        if kind == "rating" {
            answers[i].rating = Some(
                value
                    .parse()
                    .map_err(|_| CoreError::field(key.clone(), "choose one of the labels"))?,
            );
        } else {
            answers[i].text = value.clone();
        }
    }
    answers.retain(|a| a.rating.is_some() || !a.text.trim().is_empty());
    answers.sort_by_key(|a| a.question);
    Ok(AnswersInput {
        answers,
        submit: form.get("submit").is_some_and(|v| v == "1"),
    })
}

/// The review's peer and upward reviews, and their reports once shared.
fn feedback_links(feedback: &[trellis_core::reviews::forms::FeedbackLink]) -> Markup {
    html! {
        @if !feedback.is_empty() {
            ul.plain { @for f in feedback {
                li { a href=(format!("/assessments/{}", f.assessment)) { @match f.kind {
                        trellis_core::assessments::FeedbackKind::Peer => "Peer reviews",
                        trellis_core::assessments::FeedbackKind::Upward => "Upward reviews (from direct reports)",
                    } }
                    @if f.shared { " · " a href=(format!("/assessments/{}/report", f.assessment)) { "read the report" } } }
            } }
        }
    }
}

async fn review_page(
    state: &AppState,
    user: &CurrentUser,
    id: ReviewId,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let v: ReviewView = forms::show(state.store.as_ref(), &user.viewer, id, crate::today()).await?;
    let r = &v.review;
    let self_qs: Vec<(usize, &Question)> = v
        .cycle
        .questions
        .iter()
        .enumerate()
        .filter(|(_, q)| q.in_self_review)
        .collect();
    let manager_qs: Vec<(usize, &Question)> = v
        .manager_questions
        .iter()
        .enumerate()
        .filter(|(_, q)| q.in_manager_review)
        .collect();
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "reviews",
        },
        &format!("Review of {}", r.reviewee.name),
        html! {
            p { a href="/reviews" { "← Reviews" } }
            h1 { "Review of " (r.reviewee.name) }
            p.muted { (v.cycle.name) " · " (state_label(v.cycle.state))
                @if let Some(m) = &r.manager { " · manager review by " (m.name) ", due " (format_date(v.cycle.manager_review_due)) } }
            (error_summary(errors, ""))
            @if let Some(d) = v.opens_on { p.notice { "Your part of this review opens on " (format_date(d)) "." } }
            (feedback_links(&v.feedback))
            @if let Some(d) = r.self_due_extended { p.notice { "Self review extended to " (format_date(d)) "." } }
            @if let Some(d) = r.manager_due_extended { p.notice { "Manager review extended to " (format_date(d)) "." } }
            @if user.viewer.may_administer() && v.cycle.state == CycleState::Launched {
                details {
                    summary { "Give more time (people admins)" }
                    form.inline-forms method="post" action=(format!("/reviews/{id}/extension")) {
                        (csrf_field(user))
                        div.field {
                            label for="x-step" { "Step" }
                            select #x-step name="step" {
                                @if v.cycle.self_review_due.is_some() { option value="self" { "Self review" } }
                                option value="manager" { "Manager review" }
                                @if v.cycle.feedback.on() { option value="feedback" { "Peer and upward reviews about them" } }
                            }
                        }
                        div.field { label for="x-until" { "Until" } input #x-until type="date" name="until" required; }
                        button.secondary type="submit" { "Extend" }
                    }
                }
            }
            @if v.can_write_self {
                section.card aria-labelledby="self" {
                    h2 #self { "Your self review" }
                    p.hint { "Due " (v.cycle.self_review_due.map(format_date).unwrap_or_default()) ". Your manager reads it; so do you, with their review, once the cycle is shared." }
                    form method="post" action=(format!("/reviews/{id}/self")) {
                        (csrf_field(user))
                        (answer_fields(&self_qs, &r.self_answers, &r.reviewee.name))
                    }
                }
            } @else if !self_qs.is_empty() {
                section.card aria-labelledby="self" {
                    h2 #self { "Self review" @if r.self_submitted_at.is_none() { " " span.flag.warn { "not handed in" } } }
                    dl.answers { @for (i, q) in &self_qs { (read_answer(q, answer_of(&r.self_answers, *i))) } }
                }
            }
            @if v.can_write_manager {
                section.card aria-labelledby="manager" {
                    h2 #manager { "Your review of " (r.reviewee.name) }
                    p.hint { "The last three questions are asked on every review. Add follow-through items below: they go on your plate now and into your 1:1s with " (r.reviewee.name) " once the cycle is shared." }
                    form method="post" action=(format!("/reviews/{id}/manager")) {
                        (csrf_field(user))
                        (answer_fields(&manager_qs, &r.manager_answers, &r.reviewee.name))
                    }
                }
            } @else if v.manager_review_visible && r.manager.is_some() {
                section.card aria-labelledby="manager" {
                    h2 #manager { "Manager review" @if r.manager_submitted_at.is_none() { " " span.flag.warn { "not handed in" } } }
                    dl.answers {
                        @for (i, q) in &manager_qs {
                            @if r.manager_answers.iter().any(|a| a.question == *i) || r.reviewee.id != user.viewer.person_id() || !q.private {
                                (read_answer(q, answer_of(&r.manager_answers, *i)))
                            }
                        }
                    }
                }
            } @else if r.manager.is_some() {
                p.muted { "Your manager's review is shown here once the cycle is shared." }
            }
            (next_step_and_calibration(user, &v, &manager_qs))
            @if r.manager.as_ref().is_some_and(|m| m.id == user.viewer.person_id()) || !r.follow_through.is_empty() {
                section.card aria-labelledby="follow" {
                    h2 #follow { "Follow-through" }
                    @for (g, text) in GROWTH_QUESTIONS.iter().enumerate() {
                        h3 { (text) }
                        ul.plain {
                            @for f in r.follow_through.iter().filter(|f| f.growth_question == g) {
                                li { a href=(format!("/commitments/{}", f.commitment)) { (f.what) } " · by " (format_date(f.due_date)) @if !f.open { " " span.flag.good { "done" } } }
                            }
                        }
                        @if v.cycle.state == CycleState::Launched && r.manager.as_ref().is_some_and(|m| m.id == user.viewer.person_id()) {
                            form.inline-forms method="post" action=(format!("/reviews/{id}/follow-through")) {
                                (csrf_field(user))
                                input type="hidden" name="growth_question" value=(g);
                                div.field { label for=(format!("ft-what-{g}")) { "I will" } input id=(format!("ft-what-{g}")) type="text" name="what" maxlength="200" required; }
                                div.field { label for=(format!("ft-due-{g}")) { "By" } input id=(format!("ft-due-{g}")) type="date" name="due_date" required; }
                                button.secondary type="submit" { "Add" }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// The manager side's next step onto the career plan (once shared) and calibration's
/// changes (the manager chain and admins only: the reviewee's view has none).
fn next_step_and_calibration(
    user: &CurrentUser,
    v: &ReviewView,
    manager_qs: &[(usize, &Question)],
) -> Markup {
    let r = &v.review;
    let id = r.id;
    html! {
            @if matches!(v.cycle.state, CycleState::Shared | CycleState::Closed) && r.reviewee.id != user.viewer.person_id() {
                section.card aria-labelledby="next-step" {
                    h2 #next-step { "Next step on the career plan" }
                    p.hint { "Name the role the first growth answer points to; it goes on " (r.reviewee.name) "'s career plan, noted in its history with this cycle." }
                    form.inline-forms method="post" action=(format!("/reviews/{id}/next-step")) {
                        (csrf_field(user))
                        div.field { label for="target_role" { "Next role" } input #target_role type="text" name="target_role" maxlength="200" required; }
                        button.secondary type="submit" { "Put it on the plan" }
                    }
                    p { a href=(format!("/people/{}/career", r.reviewee.id)) { "Open the career plan" } }
                }
            }
            @if !r.rating_changes.is_empty() || !r.box_moves.is_empty() {
                section.card aria-labelledby="calibrated" {
                    h2 #calibrated { "Calibration" }
                    p.hint { "Only " (r.reviewee.name) "'s manager chain and people admins see this." }
                    ul.plain {
                        @for c in &r.rating_changes {
                            @let scale = manager_qs.iter().find(|(i, _)| *i == c.question).map(|(_, q)| q.scale.clone()).unwrap_or_default();
                            @let label = |n: Option<u8>| n.and_then(|n| scale.get(usize::from(n) - 1).cloned()).unwrap_or_else(|| "no rating".into());
                            li { "Question " (c.question + 1) ": " (label(c.from)) " → " strong { (label(Some(c.to))) } " · " (c.reason)
                                @if let Some(b) = &c.by { " · " (b.name) } }
                        }
                        @for m in &r.box_moves {
                            li { "9-box: " (crate::reviews::calibration_pages::box_name(m.performance, m.potential)) " · " (m.reason)
                                @if let Some(b) = &m.by { " · " (b.name) } }
                        }
                    }
                }
            }
    }
}

pub async fn show_review(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    review_page(&state, &user, ReviewId(id), &[]).await
}

async fn after(
    state: &AppState,
    user: &CurrentUser,
    id: ReviewId,
    result: Result<(), CoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(crate::pages::flash::redirect(
            &format!("/reviews/{id}"),
            Flash::Saved,
        )),
        Err(CoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            review_page(state, user, id, &errors).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

/// The session's CSRF token must match: the answer forms carry fields by question, so
/// they are read as a map rather than through `CsrfForm`.
fn checked_form(user: &CurrentUser, form: &HashMap<String, String>) -> Result<(), PageError> {
    if user.csrf.is_none() || form.get("csrf").map(String::as_str) != user.csrf.as_deref() {
        return Err(CoreError::Forbidden(
            "send this form from its page (the form expired; reload it)".into(),
        )
        .into());
    }
    Ok(())
}

pub async fn save_self(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    checked_form(&user, &form)?;
    let r = match parse_answers(&form) {
        Ok(input) => {
            forms::save_self(
                state.store.as_ref(),
                &user.viewer,
                ReviewId(id),
                &input,
                crate::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &user, ReviewId(id), r).await
}

pub async fn save_manager(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    checked_form(&user, &form)?;
    let r = match parse_answers(&form) {
        Ok(input) => {
            forms::save_manager(
                state.store.as_ref(),
                &user.viewer,
                ReviewId(id),
                &input,
                crate::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    after(&state, &user, ReviewId(id), r).await
}

/// A follow-through item as typed.
#[derive(Debug, Default, Deserialize)]
pub struct FollowForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub growth_question: String,
    #[serde(default)]
    pub what: String,
    #[serde(default)]
    pub due_date: String,
}

crate::auth::csrf_form!(FollowForm);

pub async fn add_follow_through(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<FollowForm>,
) -> Result<Response, PageError> {
    let input = FollowThroughInput {
        growth_question: form.growth_question.trim().parse().unwrap_or(usize::MAX),
        what: form.what.clone(),
        due_date: form.due_date.trim().parse().ok(),
        effort_hours: None,
    };
    let r = forms::add_follow_through(
        state.store.as_ref(),
        &user.viewer,
        ReviewId(id),
        &input,
        crate::now(),
    )
    .await
    .map(|_| ());
    after(&state, &user, ReviewId(id), r).await
}

/// A next step as typed.
#[derive(Debug, Default, Deserialize)]
pub struct NextStepForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub target_role: String,
}

crate::auth::csrf_form!(NextStepForm);

pub async fn set_next_step(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<NextStepForm>,
) -> Result<Response, PageError> {
    let r = forms::set_next_step(
        state.store.as_ref(),
        &user.viewer,
        ReviewId(id),
        &forms::NextStepInput {
            target_role: form.target_role.clone(),
        },
        crate::now(),
    )
    .await;
    after(&state, &user, ReviewId(id), r).await
}

pub(crate) use super::admin_pages::routes as admin_routes;

/// An extension as typed.
#[derive(Debug, Default, Deserialize)]
pub struct ExtensionForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub step: String,
    #[serde(default)]
    pub until: String,
}

crate::auth::csrf_form!(ExtensionForm);

pub async fn extend(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<ExtensionForm>,
) -> Result<Response, PageError> {
    use trellis_core::reviews::reminders::{self, ExtendableStep};
    let step = match form.step.as_str() {
        "self" => ExtendableStep::SelfReview,
        "feedback" => ExtendableStep::Feedback,
        _ => ExtendableStep::Manager,
    };
    let r = match form.until.trim().parse() {
        Ok(until) => {
            reminders::extend(
                state.store.as_ref(),
                &user.viewer,
                ReviewId(id),
                step,
                until,
                crate::now(),
            )
            .await
        }
        Err(_) => Err(CoreError::field("until", "give the new deadline")),
    };
    after(&state, &user, ReviewId(id), r).await
}

/// The routes of the review pages.
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/reviews", get(my_reviews))
        .route("/reviews/{id}", get(show_review))
        .route("/reviews/{id}/self", post(save_self))
        .route("/reviews/{id}/manager", post(save_manager))
        .route("/reviews/{id}/follow-through", post(add_follow_through))
        .route("/reviews/{id}/next-step", post(set_next_step))
        .route("/reviews/{id}/extension", post(extend))
        .merge(admin_routes())
        .merge(super::calibration_pages::routes())
}
