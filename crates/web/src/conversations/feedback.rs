//! The feedback page: requests to answer, giving praise or a note, asking for feedback,
//! and what the person received, gave and asked — each saying who reads it. The praise
//! card of a person's page.

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::flash::Flash;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_summary, format_date, format_time, settings};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::conversations::SeriesStatus;
use trellis_core::conversations::feedback::{
    self, Feedback, FeedbackInput, FeedbackKind, Request, RequestInput,
};
use trellis_core::ids::{FeedbackId, RequestId, SeriesId};
use trellis_core::{CoreError, FieldError, PersonId};

/// Every form of the page, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub share_on_page: String,
    #[serde(default)]
    pub share_with_manager: String,
    #[serde(default)]
    pub about: String,
    #[serde(default)]
    pub ask: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub due_date: String,
    #[serde(default)]
    pub series: String,
}

crate::auth::csrf_form!(FeedbackForm);

fn who_reads(f: &Feedback) -> String {
    match (&f.asked_by, f.kind) {
        (Some(a), _) if a.id != f.about.id => format!("{} asked; they read it", a.name),
        (Some(_), _) => format!("{} asked; they read it", f.about.name),
        (None, FeedbackKind::Praise) if f.share_on_page => "shown on their page".into(),
        (None, _) if f.share_with_manager => "they and their manager read it".into(),
        (None, _) => "only they read it".into(),
    }
}

fn feedback_item(f: &Feedback, user: &CurrentUser, bring: Option<&Markup>) -> Markup {
    html! {
        li.feedback {
            p { strong { (f.from.name) } " → " (f.about.name) " · "
                @if f.kind == FeedbackKind::Praise { span.flag.good { "praise" } } @else { span.flag { "note" } }
                " " span.muted { (format_time(f.created_at, user)) " · " (who_reads(f)) } }
            @if let Some(q) = &f.question { p.muted { "Asked: " (q) } }
            p.text { (f.text) }
            @if let Some(form) = bring { (form) }
        }
    }
}

fn bring_form(user: &CurrentUser, f: &Feedback, series: &[(SeriesId, String)]) -> Markup {
    html! {
        @if !series.is_empty() {
            form.inline-forms method="post" action=(format!("/feedback/{}/bring", f.id)) {
                (csrf_field(user))
                label.visually-hidden for=(format!("bring-{}", f.id)) { "1:1 to bring it to" }
                select id=(format!("bring-{}", f.id)) name="series" {
                    @for (id, name) in series { option value=(id) { (name) } }
                }
                button.small.secondary type="submit" { "Bring to this 1:1" }
            }
        }
    }
}

fn request_line(r: &Request, user: &CurrentUser, answer: bool) -> Markup {
    let me = user.viewer.person_id();
    let subject = if r.about.id == r.asked_by.id {
        "themself".to_string()
    } else {
        r.about.name.clone()
    };
    html! {
        li.request {
            p { strong { (r.asked_by.name) } " asks about " (subject) ", by " (format_date(r.due_date)) }
            p.text { (r.question) }
            @if answer {
                form method="post" action=(format!("/feedback/requests/{}/answer", r.id)) {
                    (csrf_field(user))
                    label.visually-hidden for=(format!("answer-{}", r.id)) { "Your answer" }
                    textarea id=(format!("answer-{}", r.id)) name="text" rows="3" maxlength="5000" required {}
                    p.hint { (r.asked_by.name) " reads your answer"
                        @if r.about.id != r.asked_by.id && r.about.id != me { "; " (r.about.name) " does not" } "." }
                    button type="submit" { "Send my answer" }
                }
                form.inline method="post" action=(format!("/feedback/requests/{}/decline", r.id)) {
                    (csrf_field(user))
                    button.link type="submit" { "Decline" }
                }
            } @else {
                ul.plain {
                    @for a in &r.asked {
                        li { (a.person.name) ": "
                            @if a.answered_at.is_some() { span.flag.good { "answered" } }
                            @else if a.declined_at.is_some() { span.flag { "declined" } }
                            @else if r.expired(crate::now()) { span.flag { "expired" } }
                            @else { span.muted { "waiting" } } }
                    }
                }
            }
        }
    }
}

/// The forms to give feedback and to ask for it, each with its own errors.
fn forms(
    user: &CurrentUser,
    settings: &trellis_core::settings::Settings,
    form: &FeedbackForm,
    errors: &[FieldError],
    reports: &[trellis_core::org::PersonCard],
) -> Markup {
    let of = |fields: &[&str]| -> Vec<FieldError> {
        errors
            .iter()
            .filter(|e| fields.contains(&e.field.as_str()))
            .cloned()
            .collect()
    };
    let give_errors = of(&["to", "kind", "text"]);
    let ask_errors = of(&["about", "ask", "question", "due_date"]);
    html! {
        div.grid {
            section.card #give aria-labelledby="give-title" {
                h2 #give-title { "Give feedback" }
                (error_summary(&give_errors, "g-"))
                form method="post" action="/feedback" {
                    (csrf_field(user))
                    div.field { label for="g-to" { "To (their e-mail)" } input #g-to type="email" name="to" value=(form.to) required autocomplete="off"; }
                    fieldset {
                        legend { "What" }
                        label.choice { input type="radio" name="kind" value="praise" checked[form.kind != "note"]; " Praise" }
                        label.choice { input type="radio" name="kind" value="note" checked[form.kind == "note"]; " A note to them" }
                    }
                    div.field { label for="g-text" { "Feedback" } textarea #g-text name="text" rows="4" maxlength="5000" required { (form.text) } }
                    label.choice { input type="checkbox" name="share_on_page" value="1" checked[!form.share_on_page.is_empty()]; " Praise only: show it on their page" }
                    label.choice { input type="checkbox" name="share_with_manager" value="1" checked[!form.share_with_manager.is_empty()]; " Share it with their " (settings.manager_word) }
                    p.hint { "They read it. Nobody else does unless you tick a box; people admins do not." }
                    button type="submit" { "Give feedback" }
                }
            }
            section.card #ask-title-card aria-labelledby="ask-title" {
                h2 #ask-title { "Ask for feedback" }
                (error_summary(&ask_errors, "k-"))
                form method="post" action="/feedback/requests" {
                    (csrf_field(user))
                    div.field {
                        label for="k-about" { "About" }
                        select #k-about name="about" {
                            option value="" { "Me" }
                            @for r in reports { option value=(r.id) selected[form.about == r.id.to_string()] { (r.display_name) } }
                        }
                    }
                    div.field { label for="k-ask" { "Whom to ask (e-mails, comma-separated, up to 10)" } input #k-ask type="text" name="ask" value=(form.ask) required; }
                    div.field { label for="k-question" { "Question" } textarea #k-question name="question" rows="2" maxlength="5000" required { (form.question) } }
                    div.field { label for="k-due" { "By" } input #k-due type="date" name="due_date" value=(form.due_date); }
                    p.hint { "You read the answers. Requests are reminded after 3 working days and expire after 30 days." }
                    button type="submit" { "Ask" }
                }
            }
        }
    }
}

async fn feedback_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<&FeedbackForm>,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let now = crate::now();
    let mine = feedback::mine(store, &user.viewer, now).await?;
    let me = user.viewer.person_id();
    let series: Vec<(SeriesId, String)> =
        trellis_core::conversations::series::list(store, &user.viewer, now)
            .await?
            .into_iter()
            .filter(|s| s.series.status == SeriesStatus::Active)
            .map(|s| {
                (
                    s.series.id,
                    format!("1:1 with {}", s.series.partner_of(me).name),
                )
            })
            .collect();
    let reports = store.direct_reports(me).await?;
    let blank = FeedbackForm {
        kind: "praise".into(),
        ..Default::default()
    };
    let form = form.unwrap_or(&blank);
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "feedback",
        },
        "Feedback",
        html! {
            h1 { "Feedback" }
            @if !mine.to_answer.is_empty() {
                section.card #to-answer aria-labelledby="to-answer-title" {
                    h2 #to-answer-title { "Asked of you" }
                    ul.plain { @for r in &mine.to_answer { (request_line(r, user, true)) } }
                }
            }
            (forms(user, &settings, form, errors, &reports))
            section #received aria-labelledby="received-title" {
                h2 #received-title { "Received" }
                @if mine.received.is_empty() { p.muted { "Nothing yet." } }
                ul.plain.feedback-list { @for f in &mine.received { (feedback_item(f, user, Some(&bring_form(user, f, &series)))) } }
            }
            @if !mine.about_my_reports.is_empty() {
                section aria-labelledby="reports-title" {
                    h2 #reports-title { "Answers about your reports" }
                    ul.plain.feedback-list { @for f in &mine.about_my_reports { (feedback_item(f, user, Some(&bring_form(user, f, &series)))) } }
                }
            }
            @if !mine.shared_with_me.is_empty() {
                section aria-labelledby="shared-title" {
                    h2 #shared-title { "Shared with you as their " (settings.manager_word) }
                    ul.plain.feedback-list { @for f in &mine.shared_with_me { (feedback_item(f, user, None)) } }
                }
            }
            @if !mine.asked.is_empty() {
                section #asked aria-labelledby="asked-title" {
                    h2 #asked-title { "You asked" }
                    ul.plain { @for r in &mine.asked { (request_line(r, user, false)) } }
                }
            }
            @if !mine.given.is_empty() {
                section aria-labelledby="given-title" {
                    h2 #given-title { "Given" }
                    ul.plain.feedback-list { @for f in &mine.given { (feedback_item(f, user, None)) } }
                }
            }
        },
    ))
}

pub async fn show_feedback(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    feedback_page(&state, &user, None, &[]).await
}

async fn after(
    state: &AppState,
    user: &CurrentUser,
    form: &FeedbackForm,
    anchor: &str,
    result: Result<(), CoreError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(crate::pages::flash::redirect(
            &format!("/feedback#{anchor}"),
            Flash::Saved,
        )),
        Err(CoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            feedback_page(state, user, Some(form), &errors).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

async fn by_email(state: &AppState, field: &str, email: &str) -> Result<PersonId, CoreError> {
    state
        .store
        .person_id_by_email(email.trim())
        .await?
        .ok_or_else(|| CoreError::field(field, format!("nobody has the e-mail {:?}", email.trim())))
}

pub async fn give(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<FeedbackForm>,
) -> Result<Response, PageError> {
    let result = async {
        let to = by_email(&state, "to", &form.to).await?;
        let input = FeedbackInput {
            to: Some(to),
            kind: FeedbackKind::parse(&form.kind).unwrap_or(FeedbackKind::Praise),
            text: form.text.clone(),
            share_on_page: !form.share_on_page.is_empty(),
            share_with_manager: !form.share_with_manager.is_empty(),
        };
        feedback::give(state.store.as_ref(), &user.viewer, &input, crate::now())
            .await
            .map(|_| ())
    }
    .await;
    after(&state, &user, &form, "give", result).await
}

pub async fn ask(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<FeedbackForm>,
) -> Result<Response, PageError> {
    let result = async {
        let mut ask = Vec::new();
        for email in form
            .ask
            .split([',', ';', ' ', '\n'])
            .filter(|e| !e.trim().is_empty())
        {
            ask.push(by_email(&state, "ask", email).await?);
        }
        let input =
            RequestInput {
                about: form.about.trim().parse().ok().map(PersonId),
                ask,
                question: form.question.clone(),
                due_date: match form.due_date.trim() {
                    "" => None,
                    d => Some(d.parse().map_err(|_| {
                        CoreError::field("due_date", format!("{d:?} is not a date"))
                    })?),
                },
            };
        feedback::ask(state.store.as_ref(), &user.viewer, &input, crate::now())
            .await
            .map(|_| ())
    }
    .await;
    after(&state, &user, &form, "asked", result).await
}

pub async fn answer(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<FeedbackForm>,
) -> Result<Response, PageError> {
    let r = feedback::answer(
        state.store.as_ref(),
        &user.viewer,
        RequestId(id),
        &form.text,
        crate::now(),
    )
    .await
    .map(|_| ());
    after(&state, &user, &form, "to-answer", r).await
}

pub async fn decline(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<FeedbackForm>,
) -> Result<Response, PageError> {
    let r = feedback::decline(
        state.store.as_ref(),
        &user.viewer,
        RequestId(id),
        crate::now(),
    )
    .await;
    after(&state, &user, &form, "to-answer", r).await
}

pub async fn bring(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<FeedbackForm>,
) -> Result<Response, PageError> {
    let series = form
        .series
        .trim()
        .parse()
        .map(SeriesId)
        .map_err(|_| CoreError::field("series", "choose a 1:1"))?;
    feedback::bring_to_one_on_one(
        state.store.as_ref(),
        &user.viewer,
        FeedbackId(id),
        series,
        crate::now(),
    )
    .await?;
    Ok(crate::pages::flash::redirect(
        &format!("/one-on-ones/{series}/meetings/current#agenda"),
        Flash::Saved,
    ))
}

/// The praise shown on a person's page, for whoever sees the page.
pub(crate) async fn praise_card(
    state: &AppState,
    user: &CurrentUser,
    person: PersonId,
) -> Result<Markup, PageError> {
    let praise = feedback::praise_on_page(state.store.as_ref(), &user.viewer, person).await?;
    Ok(html! {
        @if !praise.is_empty() {
            section.card aria-labelledby="praise" {
                h2 #praise { "Praise" }
                ul.plain.feedback-list {
                    @for f in praise.iter().take(10) {
                        li { p.text { (f.text) } p.muted { "— " (f.from.name) ", " (format_date(trellis_core::clock::local_date(None, f.created_at))) } }
                    }
                }
            }
        }
    })
}

/// The routes of the feedback page.
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/feedback", get(show_feedback).post(give))
        .route("/feedback/requests", post(ask))
        .route("/feedback/requests/{id}/answer", post(answer))
        .route("/feedback/requests/{id}/decline", post(decline))
        .route("/feedback/{id}/bring", post(bring))
}
