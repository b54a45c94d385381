//! Admin → Review cycles: drafting a cycle, launching, sharing and closing it, and its
//! progress per step, per manager and per team.

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
use trellis_core::reviews::cycles::{self, Completion, CycleInput};
use trellis_core::reviews::steps::FormStep;
use trellis_core::reviews::{
    CycleId, CycleState, FeedbackSettings, GROWTH_QUESTIONS, Nominator, PeerReviews, Question,
    Scope, StepOpenings,
};
use trellis_core::{CoreError, FieldError, TeamId};

/// A cycle as typed. Questions are one per line: `text`, or `text | label; label; …` for
/// a rating, followed by `[self]` to ask it in the self review too, or `[private]` for a
/// manager assessment the reviewee never reads.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CycleForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub team: String,
    #[serde(default)]
    pub people: String,
    #[serde(default)]
    pub questions: String,
    #[serde(default)]
    pub self_review_due: String,
    #[serde(default)]
    pub manager_review_due: String,
    #[serde(default)]
    pub share_on: String,
    /// 1-based question numbers, empty for none.
    #[serde(default)]
    pub performance_question: String,
    #[serde(default)]
    pub potential_question: String,
    /// Percent per label, separated by commas.
    #[serde(default)]
    pub guidance: String,
    #[serde(default)]
    pub managers_calibrate: Option<String>,
    /// `off`, `named` or `anonymous`.
    #[serde(default)]
    pub peers: String,
    #[serde(default)]
    pub upward: Option<String>,
    /// `reviewee` or `manager`.
    #[serde(default)]
    pub nominated_by: String,
    #[serde(default)]
    pub max_peers: String,
    #[serde(default)]
    pub nominations_due: String,
    #[serde(default)]
    pub feedback_due: String,
    #[serde(default)]
    pub opens_self_review: String,
    #[serde(default)]
    pub opens_feedback: String,
    #[serde(default)]
    pub opens_manager_review: String,
    #[serde(default)]
    pub opens_calibration: String,
}

crate::auth::csrf_form!(CycleForm);

/// One line of the questions box.
fn question(line: &str) -> Question {
    let mut text = line.trim().to_string();
    let mut flag = |f: &str| {
        let found = text.contains(f);
        text = text.replace(f, "").trim().to_string();
        found
    };
    let in_self_review = flag("[self]");
    let private = flag("[private]");
    let (text, scale) = match text.split_once('|') {
        Some((t, labels)) => (
            t.trim().to_string(),
            labels
                .split(';')
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect(),
        ),
        None => (text, Vec::new()),
    };
    Question {
        text,
        scale,
        in_self_review,
        in_manager_review: true,
        private,
    }
}

async fn input(state: &AppState, form: &CycleForm) -> Result<CycleInput, CoreError> {
    let date = |field: &str, v: &str| -> Result<Option<chrono::NaiveDate>, CoreError> {
        match v.trim() {
            "" => Ok(None),
            d => d
                .parse()
                .map(Some)
                .map_err(|_| CoreError::field(field, format!("{d:?} is not a date"))),
        }
    };
    let scope = if !form.people.trim().is_empty() {
        let mut people = Vec::new();
        for email in form
            .people
            .split([',', ';', ' ', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            people.push(
                state
                    .store
                    .person_id_by_email(email)
                    .await?
                    .ok_or_else(|| {
                        CoreError::field("scope", format!("nobody has the e-mail {email:?}"))
                    })?,
            );
        }
        Scope::People { people }
    } else if let Some(group) = form.team.trim().strip_prefix("group:") {
        Scope::Group {
            group_id: group
                .parse()
                .map_err(|_| CoreError::field("scope", format!("{group:?} is not a group")))?,
        }
    } else if let Ok(team) = form.team.trim().parse::<i64>() {
        Scope::Team {
            team_id: TeamId(team),
        }
    } else {
        Scope::Everyone
    };
    let number = |field: &str, v: &str| -> Result<Option<usize>, CoreError> {
        match v.trim() {
            "" => Ok(None),
            n => match n.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(Some(n - 1)),
                _ => Err(CoreError::field(
                    field,
                    format!("{n:?} is not a question number"),
                )),
            },
        }
    };
    let guidance = form
        .guidance
        .split([',', ';', ' '])
        .map(|g| g.trim().trim_end_matches('%'))
        .filter(|g| !g.is_empty())
        .map(|g| {
            g.parse::<u8>().map_err(|_| {
                CoreError::field("calibration.guidance", format!("{g:?} is not a percentage"))
            })
        })
        .collect::<Result<Vec<u8>, CoreError>>()?;
    Ok(CycleInput {
        calibration: trellis_core::reviews::CalibrationSettings {
            performance_question: number(
                "calibration.performance_question",
                &form.performance_question,
            )?,
            potential_question: number("calibration.potential_question", &form.potential_question)?,
            guidance,
            managers_calibrate: form.managers_calibrate.is_some(),
        },
        name: form.name.clone(),
        scope,
        questions: form
            .questions
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(question)
            .collect(),
        self_review_due: date("self_review_due", &form.self_review_due)?,
        manager_review_due: date("manager_review_due", &form.manager_review_due)?,
        share_on: date("share_on", &form.share_on)?,
        feedback: FeedbackSettings {
            peers: match form.peers.as_str() {
                "named" => PeerReviews::Named,
                "anonymous" => PeerReviews::Anonymous,
                _ => PeerReviews::Off,
            },
            upward: form.upward.is_some(),
            nominated_by: if form.nominated_by == "manager" {
                Nominator::Manager
            } else {
                Nominator::Reviewee
            },
            max_peers: match form.max_peers.trim() {
                "" => 5,
                n => n.parse().map_err(|_| {
                    CoreError::field("feedback.max_peers", format!("{n:?} is not a number"))
                })?,
            },
            nominations_due: date("feedback.nominations_due", &form.nominations_due)?,
            feedback_due: date("feedback.feedback_due", &form.feedback_due)?,
        },
        opens: StepOpenings {
            self_review: date("opens.self_review", &form.opens_self_review)?,
            feedback: date("opens.feedback", &form.opens_feedback)?,
            manager_review: date("opens.manager_review", &form.opens_manager_review)?,
            calibration: date("opens.calibration", &form.opens_calibration)?,
        },
    })
}

/// The form's feedback step and opening days.
fn steps_fieldsets(form: &CycleForm) -> Markup {
    html! {
        fieldset {
            legend { "Peer and upward reviews (optional)" }
            p.hint { "Upward reviews ask every direct report to review their manager, always anonymously; a manager with fewer direct reports than the anonymity threshold gets none. Peer reviews are named or anonymous, fixed at launch." }
            div.inline-forms {
                div.field { label for="c-feedback.peers" { "Peer reviews" }
                    select #c-feedback.peers name="peers" {
                        option value="off" selected[form.peers.is_empty() || form.peers == "off"] { "None" }
                        option value="anonymous" selected[form.peers == "anonymous"] { "Anonymous" }
                        option value="named" selected[form.peers == "named"] { "Named" }
                    } }
                div.field { label for="c-nominated_by" { "Peers are named by" }
                    select #c-nominated_by name="nominated_by" {
                        option value="reviewee" selected[form.nominated_by != "manager"] { "the reviewee, asked by their manager" }
                        option value="manager" selected[form.nominated_by == "manager"] { "the manager" }
                    } }
                div.field { label for="c-feedback.max_peers" { "Most peers each" } input #c-feedback.max_peers type="number" min="1" max="12" name="max_peers" value=(if form.max_peers.is_empty() { "5" } else { &form.max_peers }); }
            }
            div.field { label { input type="checkbox" name="upward" checked[form.upward.is_some()]; " Upward reviews: reports review their manager" } }
            div.inline-forms {
                div.field { label for="c-feedback.nominations_due" { "Peers named by" } input #c-feedback.nominations_due type="date" name="nominations_due" value=(form.nominations_due); }
                div.field { label for="c-feedback.feedback_due" { "Peer and upward reviews due" } input #c-feedback.feedback_due type="date" name="feedback_due" value=(form.feedback_due); }
            }
        }
        fieldset {
            legend { "Steps that open later (optional)" }
            p.hint { "Empty: the step opens at launch. Calibration opens by itself on its day; an admin can open any step early." }
            div.inline-forms {
                div.field { label for="c-opens.self_review" { "Self reviews open" } input #c-opens.self_review type="date" name="opens_self_review" value=(form.opens_self_review); }
                div.field { label for="c-opens.feedback" { "Peer and upward reviews open" } input #c-opens.feedback type="date" name="opens_feedback" value=(form.opens_feedback); }
                div.field { label for="c-opens.manager_review" { "Manager reviews open" } input #c-opens.manager_review type="date" name="opens_manager_review" value=(form.opens_manager_review); }
                div.field { label for="c-opens.calibration" { "Calibration opens" } input #c-opens.calibration type="date" name="opens_calibration" value=(form.opens_calibration); }
            }
        }
    }
}

async fn cycles_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<&CycleForm>,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let list = cycles::list(state.store.as_ref(), &user.viewer).await?;
    let teams = state.store.teams().await?;
    let groups = state.store.groups(false).await?;
    let blank = CycleForm {
        questions: "How well did they deliver this half? | Below expectations; Meets expectations; Above expectations [self]\nWhat went well, and what would you do differently? [self]".into(),
        ..CycleForm::default()
    };
    let form = form.unwrap_or(&blank);
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "admin",
        },
        "Review cycles",
        html! {
            p { a href="/admin" { "← Admin" } }
            h1 { "Review cycles" }
            @if list.is_empty() { p.muted { "No cycles yet." } }
            ul.plain {
                @for c in &list {
                    li { a href=(format!("/admin/reviews/{}", c.id)) { (c.name) } " · " span.flag { (c.state.as_str()) } " · manager reviews due " (format_date(c.manager_review_due)) }
                }
            }
            section.card aria-labelledby="new" {
                h2 #new { "New cycle" }
                (error_summary(errors, "c-"))
                form method="post" action="/admin/reviews" {
                    (csrf_field(user))
                    div.field { label for="c-name" { "Name" } input #c-name type="text" name="name" value=(form.name) required; }
                    div.field {
                        label for="c-team" { "Who is reviewed" }
                        select #c-team name="team" {
                            option value="" { "Everyone" }
                            @for t in &teams { option value=(t.id) selected[form.team == t.id.to_string()] { (t.name) " and the teams under it" } }
                            @if !groups.is_empty() {
                                optgroup label="Groups" {
                                    @for g in &groups { option value=(format!("group:{}", g.id)) selected[form.team == format!("group:{}", g.id)] { "Group " (g.name) } }
                                }
                            }
                        }
                    }
                    div.field { label for="c-people" { "Or these people (e-mails)" } input #c-people type="text" name="people" value=(form.people); }
                    div.field {
                        label for="c-questions" { "Questions, one per line" }
                        textarea #c-questions name="questions" rows="5" { (form.questions) }
                        p.hint { "A rating: the question, then | and its labels separated by ; (lowest first). Add [self] to ask it in the self review too, [private] for a manager assessment the reviewee never reads. The manager form always ends with the three growth questions: " (GROWTH_QUESTIONS.join(" ")) }
                    }
                    div.inline-forms {
                        div.field { label for="c-self" { "Self reviews due (empty: none)" } input #c-self type="date" name="self_review_due" value=(form.self_review_due); }
                        div.field { label for="c-manager" { "Manager reviews due" } input #c-manager type="date" name="manager_review_due" value=(form.manager_review_due) required; }
                        div.field { label for="c-share" { "Shared on" } input #c-share type="date" name="share_on" value=(form.share_on) required; }
                    }
                    fieldset {
                        legend { "Calibration (optional)" }
                        p.hint { "Name two rating questions by their line number for a 9-box of performance and potential. Guidance: the share hoped for at each label of the performance question, lowest first, adding up to 100 (e.g. 15, 60, 25)." }
                        div.inline-forms {
                            div.field { label for="c-calibration.performance_question" { "Performance question (number)" } input #c-calibration.performance_question type="number" min="1" name="performance_question" value=(form.performance_question); }
                            div.field { label for="c-calibration.potential_question" { "Potential question (number)" } input #c-calibration.potential_question type="number" min="1" name="potential_question" value=(form.potential_question); }
                            div.field { label for="c-calibration.guidance" { "Distribution guidance (%)" } input #c-calibration.guidance type="text" name="guidance" value=(form.guidance); }
                        }
                        div.field { label { input type="checkbox" name="managers_calibrate" checked[form.managers_calibrate.is_some()]; " Managers calibrate their own tree (admins always do)" } }
                    }
                    (steps_fieldsets(form))
                    button type="submit" { "Save the draft" }
                }
            }
        },
    ))
}

pub async fn show_cycles(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    cycles_page(&state, &user, None, &[]).await
}

pub async fn create_cycle(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<CycleForm>,
) -> Result<Response, PageError> {
    let result = match input(&state, &form).await {
        Ok(i) => cycles::create(state.store.as_ref(), &user.viewer, &i, crate::now()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(crate::pages::flash::redirect(
            &format!("/admin/reviews/{id}"),
            Flash::Saved,
        )),
        Err(CoreError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            cycles_page(&state, &user, Some(&form), &errors).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

fn completion_rows(rows: &[Completion], with_self: bool) -> Markup {
    let pct = |n: usize, of: usize| {
        if of == 0 {
            "—".to_string()
        } else {
            format!("{n} of {of} ({:.0} %)", n as f64 * 100.0 / of as f64)
        }
    };
    html! {
        @for c in rows {
            tr {
                td { (c.group) }
                @if with_self { td { (pct(c.self_done, c.total)) } }
                td { (pct(c.manager_done, c.total)) }
            }
        }
    }
}

pub async fn show_cycle(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let p = cycles::progress(state.store.as_ref(), &user.viewer, CycleId(id)).await?;
    let c = &p.cycle;
    let with_self = c.self_review_due.is_some();
    let action = |what: &str, label: &str| {
        html! {
            form.inline method="post" action=(format!("/admin/reviews/{id}/{what}")) {
                (csrf_field(&user))
                button type="submit" { (label) }
            }
        }
    };
    let table = |title: &str, rows: &[Completion]| {
        html! {
            h2 { (title) }
            div.table-scroll { table {
                thead { tr { th { "" } @if with_self { th { "Self reviews" } } th { "Manager reviews" } } }
                tbody { (completion_rows(rows, with_self)) }
            } }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "admin",
        },
        &c.name,
        html! {
            p { a href="/admin/reviews" { "← Review cycles" } }
            h1 { (c.name) }
            p { span.flag { (c.state.as_str()) } " "
                @if let Some(d) = c.self_review_due { "Self reviews due " (format_date(d)) " · " }
                "manager reviews due " (format_date(c.manager_review_due)) " · shared on " (format_date(c.share_on)) }
            @match c.state {
                CycleState::Draft => (action("launch", "Launch: a review for everyone in scope")),
                CycleState::Launched => {
                    @for (step, on) in later_steps(c) {
                        (action(&format!("open/{}", step_key(step)), &format!("Open now: {} (opens {})", step.label().to_lowercase(), format_date(on))))
                        " "
                    }
                    (action("remind", "Remind everyone incomplete"))
                    " "
                    (action("calibration", "Open calibration: lock the manager reviews"))
                    " "
                    (action("share", "Share: lock the reviews and show them to their people"))
                },
                CycleState::Calibration => {
                    (action("share", "Share: lock the reviews and show them to their people"))
                },
                CycleState::Shared => (action("close", "Close the cycle")),
                CycleState::Closed => {},
            }
            @if c.state != CycleState::Draft {
                p { a href=(format!("/reviews/cycles/{id}/calibration")) { "Calibration: ratings side by side"
                    @if c.calibration.performance_question.is_some() && c.calibration.potential_question.is_some() { " and the 9-box" } } }
                ul.figures {
                    li { span.muted { "Reviews" } strong { (p.overall.total) } }
                    @if with_self { li { span.muted { "Self reviews handed in" } strong { (p.overall.self_done) } } }
                    li { span.muted { "Manager reviews handed in" } strong { (p.overall.manager_done) } }
                    @if p.without_manager > 0 { li { span.muted { "Without a manager" } strong { (p.without_manager) } "no manager review" } }
                }
                @if let Some(f) = &p.feedback { (feedback_figures(f, c)) }
                (table(&format!("By {}", settings.manager_word), &p.by_manager))
                (table("By team", &p.by_team))
            }
            h2 { "Questions" }
            ol {
                @for q in &c.questions { li { (q.text) @if !q.scale.is_empty() { " (" (q.scale.join(" · ")) ")" } @if q.in_self_review { " " span.flag { "self review too" } } @if q.private { " " span.flag { "private" } } } }
                @for g in GROWTH_QUESTIONS { li { (g) " " span.flag.good { "every manager review" } } }
            }
        },
    ))
}

/// The steps of a running cycle that open later, with their day.
fn later_steps(c: &trellis_core::reviews::Cycle) -> Vec<(FormStep, chrono::NaiveDate)> {
    let today = crate::today();
    [
        (
            FormStep::SelfReview,
            c.opens.self_review.filter(|_| c.self_review_due.is_some()),
        ),
        (
            FormStep::Feedback,
            c.opens.feedback.filter(|_| c.feedback.on()),
        ),
        (FormStep::ManagerReview, c.opens.manager_review),
    ]
    .into_iter()
    .filter_map(|(s, d)| d.filter(|d| *d > today).map(|d| (s, d)))
    .collect()
}

fn step_key(step: FormStep) -> &'static str {
    match step {
        FormStep::SelfReview => "self_review",
        FormStep::Feedback => "feedback",
        FormStep::ManagerReview => "manager_review",
    }
}

/// The feedback step's progress.
fn feedback_figures(
    f: &trellis_core::reviews::feedback::FeedbackProgress,
    c: &trellis_core::reviews::Cycle,
) -> Markup {
    html! {
        h2 { "Peer and upward reviews" }
        ul.figures {
            @if c.feedback.peers != PeerReviews::Off {
                li { span.muted { "Peer reviews answered" } strong { (f.peers_answered) " of " (f.peers_asked) } }
                li { span.muted { "Peers proposed, waiting for a manager" } strong { (f.proposals_waiting) } }
            }
            @if c.feedback.upward {
                li { span.muted { "Upward reviews answered" } strong { (f.upward_answered) " of " (f.upward_asked) } }
            }
        }
        @if f.short_of_peers > 0 {
            p.warning { (f.short_of_peers) " " @if f.short_of_peers == 1 { "person has" } @else { "people have" }
                " fewer peers named than the anonymity threshold: their peer reviews will be left out whole unless more are named." }
        }
        @if c.feedback.upward {
            p.hint { "A manager with fewer direct reports than the anonymity threshold gets no upward reviews: their answers could never be shown." }
        }
    }
}

async fn step(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    what: &str,
) -> Result<Response, PageError> {
    let store = state.store.as_ref();
    let now = crate::now();
    match what {
        "launch" => cycles::launch(store, &user.viewer, CycleId(id), now)
            .await
            .map(|_| ())?,
        "share" => cycles::share(store, &user.viewer, CycleId(id), now).await?,
        "calibration" => {
            trellis_core::reviews::calibration::open(store, &user.viewer, CycleId(id), now)
                .await
                .map(|_| ())?
        }
        open if open.starts_with("open/") => {
            let step = FormStep::parse(&open["open/".len()..])
                .ok_or_else(|| CoreError::NotFound("that step".into()))?;
            trellis_core::reviews::steps::open_now(store, &user.viewer, CycleId(id), step, now)
                .await?
        }
        "remind" => trellis_core::reviews::reminders::remind_incomplete(
            store,
            &user.viewer,
            CycleId(id),
            now,
        )
        .await
        .map(|_| ())?,
        _ => cycles::close(store, &user.viewer, CycleId(id), now).await?,
    }
    Ok(crate::pages::flash::redirect(
        &format!("/admin/reviews/{id}"),
        Flash::Saved,
    ))
}

pub async fn launch(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    step(&state, &user, id, "launch").await
}
pub async fn share(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    step(&state, &user, id, "share").await
}
pub async fn remind(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    step(&state, &user, id, "remind").await
}
pub async fn calibrate(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    step(&state, &user, id, "calibration").await
}
pub async fn open_step(
    State(state): State<AppState>,
    Path((id, which)): Path<(i64, String)>,
    CsrfForm(user, _): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    step(&state, &user, id, &format!("open/{which}")).await
}
pub async fn close(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    step(&state, &user, id, "close").await
}

/// The admin routes of review cycles.
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin/reviews", get(show_cycles).post(create_cycle))
        .route("/admin/reviews/{id}", get(show_cycle))
        .route("/admin/reviews/{id}/launch", post(launch))
        .route("/admin/reviews/{id}/share", post(share))
        .route("/admin/reviews/{id}/close", post(close))
        .route("/admin/reviews/{id}/calibration", post(calibrate))
        .route("/admin/reviews/{id}/remind", post(remind))
        .route("/admin/reviews/{id}/open/{step}", post(open_step))
}
