//! Mentoring: my goals as a mentee, my profile as a mentor and my mentorships; for people
//! admins, matching rounds to run, review and publish.

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_for, error_summary, input_field, settings};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::clock::local_date;
use trellis_core::ids::RoundId;
use trellis_core::mentoring::{
    self, MAX_CAPACITY, MenteeGoals, MentorInput, Mentorship, RoundGoal, RoundInput,
};
use trellis_core::{CoreError, FieldError, LevelId, PersonId};

/// Both forms of the page, as typed (skills comma-separated).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct MentoringForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub skills: String,
    #[serde(default)]
    pub must_have: String,
    #[serde(default)]
    pub target_level: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub strengths: String,
    #[serde(default)]
    pub capacity: String,
    #[serde(default)]
    pub mentor_note: String,
}

fn split_skills(text: &str) -> Vec<String> {
    text.split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// A mentorship's line as either side sees it, with a way to end it early for the mentee,
/// the mentor and admins. `back` is where to return after ending one.
pub(crate) fn mentorship_rows(
    list: &[Mentorship],
    person: PersonId,
    today: chrono::NaiveDate,
    user: &CurrentUser,
    back: &str,
) -> Markup {
    html! {
        table {
            thead { tr { th { "Role" } th { "With" } th { "Goals" } th { "When" } th { span.visually-hidden { "Actions" } } } }
            tbody {
                @for m in list {
                    @let mentee = m.mentee.id == person;
                    @let other = if mentee { &m.mentor } else { &m.mentee };
                    @let party = [m.mentee.id, m.mentor.id].contains(&user.viewer.person_id());
                    @let can_end = (party || user.viewer.may_administer()) && m.ended.is_none() && m.ends_on >= today;
                    tr {
                        td { @if mentee { "Mentee" } @else { "Mentor" } }
                        td { a href=(format!("/people/{}", other.id)) { (other.name) } }
                        td { (m.goals) }
                        td {
                            (crate::pages::format_date(m.starts_on)) " – " (crate::pages::format_date(m.ends_on))
                            @if m.running_on(today) { " " span.flag { "running" } }
                            @else if let Some(end) = &m.ended {
                                br;
                                span.muted {
                                    "Ended early on " (crate::pages::format_date(end.on))
                                    @if let Some(by) = &end.by { " by " (if by.id == user.viewer.person_id() { "you" } else { by.name.as_str() }) }
                                    @if !end.note.is_empty() { ": “" (end.note) "”" }
                                }
                            }
                            @else if m.ends_on < today { " " span.muted { "ended" } }
                        }
                        td {
                            @if can_end {
                                details.end-early {
                                    summary { "End early" }
                                    form method="post" action=(format!("/mentoring/mentorships/{}/end", m.id)) {
                                        (csrf_field(user))
                                        input type="hidden" name="back" value=(back);
                                        div.field {
                                            label for=(format!("end-note-{}", m.id)) { "Why (optional)" }
                                            input #(format!("end-note-{}", m.id)) type="text" name="note" maxlength="1000";
                                            p.hint { "Both of you, your managers and people admins can read it." }
                                        }
                                        button.secondary type="submit" { "End this mentorship today" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The form that ends a mentorship early.
#[derive(Debug, Deserialize)]
pub struct EndForm {
    pub csrf: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub back: String,
}

pub async fn end_mentorship(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<EndForm>,
) -> Result<Response, PageError> {
    mentoring::end_early(
        state.store.as_ref(),
        &user.viewer,
        trellis_core::ids::MentorshipId(id),
        &form.note,
        crate::now(),
    )
    .await?;
    // Only back to a page of this site.
    let back = if form.back.starts_with('/') && !form.back[1..].starts_with(['/', '\\']) {
        form.back.as_str()
    } else {
        "/mentoring"
    };
    Ok(Redirect::to(back).into_response())
}

async fn mentoring_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<&MentoringForm>,
    errors: &[FieldError],
    notice: Option<&str>,
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let mine = mentoring::mine(store, &user.viewer).await?;
    let levels = store.levels().await?;
    let today = local_date(None, crate::now());
    let filled = match form {
        Some(f) => f.clone(),
        None => MentoringForm {
            skills: mine
                .goals
                .as_ref()
                .map(|g| g.skills.join(", "))
                .unwrap_or_default(),
            must_have: mine
                .goals
                .as_ref()
                .and_then(|g| g.must_have.clone())
                .unwrap_or_default(),
            target_level: mine
                .goals
                .as_ref()
                .and_then(|g| g.target_level)
                .map(|l| l.to_string())
                .unwrap_or_default(),
            note: mine
                .goals
                .as_ref()
                .map(|g| g.note.clone())
                .unwrap_or_default(),
            strengths: mine
                .profile
                .as_ref()
                .map(|p| p.strengths.join(", "))
                .unwrap_or_default(),
            capacity: mine
                .profile
                .as_ref()
                .map(|p| p.capacity.to_string())
                .unwrap_or_default(),
            mentor_note: mine
                .profile
                .as_ref()
                .map(|p| p.note.clone())
                .unwrap_or_default(),
            ..MentoringForm::default()
        },
    };
    let me = user.viewer.person_id();
    let running_as_mentee = mine
        .mentorships
        .iter()
        .find(|m| m.mentee.id == me && m.running_on(today));
    let body = html! {
        h1 { "Mentoring" }
        p.lead { "Say what you would like to grow, or what you can help others grow. People admins run matching rounds; each pair works together for a few months." }
        @if let Some(n) = notice { p.notice role="status" { (n) } }
        @if user.viewer.may_administer() { p { a.button.secondary href="/mentoring/rounds" { "Matching rounds" } } }
        (error_summary(errors, "f-"))
        section aria-labelledby="mine" {
            h2 #mine { "My mentorships" }
            @if mine.mentorships.is_empty() { p.muted { "None yet." } }
            @else { (mentorship_rows(&mine.mentorships, me, today, user, "/mentoring")) }
        }
        div.grid {
            section.card aria-labelledby="mentee" {
                h2 #mentee { "As a mentee" }
                p.hint {
                    @if let Some(m) = running_as_mentee {
                        "Your mentorship with " (m.mentor.name) " runs until " (crate::pages::format_date(m.ends_on)) "; with goals saved, you take part in the first round after it."
                    } @else if mine.goals.is_some() { "You take part in the next round." }
                    @else { "Save your goals to take part in the next round." }
                }
                form method="post" action="/mentoring/goals" novalidate {
                    (csrf_field(user))
                    (input_field(errors, "f-", "skills", "Skills you would like to grow", &filled.skills, "text", Some("Separated by commas, for example: sql, public speaking.")))
                    (input_field(errors, "f-", "must_have", "A skill your mentor must have (optional)", &filled.must_have, "text", Some("One of the skills above. Only mentors who offer it are considered.")))
                    div.field {
                        label for="f-target_level" { "Career target (optional)" }
                        select #f-target_level name="target_level" aria-invalid=[error_for(errors, "target_level").map(|_| "true")] {
                            option value="" { "—" }
                            @for l in &levels { option value=(l.id) selected[filled.target_level == l.id.to_string()] { (l.code) " · " (l.name) } }
                        }
                        p.hint { "Mentors at this level score higher." }
                        @if let Some(e) = error_for(errors, "target_level") { p.field-error { (e) } }
                    }
                    (input_field(errors, "f-", "note", "Anything a mentor should know (optional)", &filled.note, "text", None))
                    button type="submit" { "Save my goals" }
                }
                @if mine.goals.is_some() {
                    form.inline-forms method="post" action="/mentoring/goals/delete" {
                        (csrf_field(user))
                        button.secondary type="submit" { "Stop taking part as a mentee" }
                    }
                }
            }
            (mentor_card(user, mine.profile.as_ref(), &filled, errors))
        }
    };
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "mentoring",
        },
        "Mentoring",
        body,
    ))
}

/// The viewer as a mentor: what they offer, to how many, and the form to change it.
fn mentor_card(
    user: &CurrentUser,
    profile: Option<&trellis_core::mentoring::MentorProfile>,
    filled: &MentoringForm,
    errors: &[FieldError],
) -> Markup {
    html! {
        section.card aria-labelledby="mentor" {
            h2 #mentor { "As a mentor" }
            p.hint { @if let Some(p) = profile { "You offer " (p.strengths.join(", ")) " to up to " (p.capacity) " mentee" @if p.capacity != 1 { "s" } " at a time." } @else { "Offer what you are good at to people outside your own team." } }
            form method="post" action="/mentoring/mentor" novalidate {
                (csrf_field(user))
                (input_field(errors, "f-", "strengths", "Skills you can help others grow", &filled.strengths, "text", Some("Separated by commas.")))
                (input_field(errors, "f-", "capacity", "How many mentees at a time", &filled.capacity, "number", Some(&format!("From 1 to {MAX_CAPACITY}."))))
                (input_field(errors, "f-", "mentor_note", "A note for mentees (optional)", &filled.mentor_note, "text", None))
                button type="submit" { "Save my mentor profile" }
            }
            @if profile.is_some() {
                form.inline-forms method="post" action="/mentoring/mentor/delete" {
                    (csrf_field(user))
                    button.secondary type="submit" { "Stop mentoring" }
                }
            }
        }
    }
}

pub async fn show_mentoring(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    mentoring_page(&state, &user, None, &[], None).await
}

async fn after(
    state: &AppState,
    user: &CurrentUser,
    form: &MentoringForm,
    r: Result<(), CoreError>,
) -> Result<Response, PageError> {
    crate::pages::after_post(
        r,
        "/mentoring".into(),
        Some(crate::pages::flash::Flash::Saved),
        |errors| async move { mentoring_page(state, user, Some(form), &errors, None).await },
    )
    .await
}

pub async fn save_goals(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<MentoringForm>,
) -> Result<Response, PageError> {
    let target = match form.target_level.trim() {
        "" => Ok(None),
        t => t
            .parse::<i64>()
            .map(|l| Some(LevelId(l)))
            .map_err(|_| CoreError::field("target_level", "choose a level from the list")),
    };
    let r = match target {
        Ok(target_level) => {
            let goals = MenteeGoals {
                skills: split_skills(&form.skills),
                must_have: Some(form.must_have.clone()),
                target_level,
                note: form.note.clone(),
            };
            mentoring::save_goals(state.store.as_ref(), &user.viewer, &goals, crate::now()).await
        }
        Err(e) => Err(e),
    };
    after(&state, &user, &form, r).await
}

pub async fn save_mentor(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<MentoringForm>,
) -> Result<Response, PageError> {
    let capacity = match form.capacity.trim() {
        "" => Ok(None),
        c => c.parse::<i64>().map(Some).map_err(|_| {
            CoreError::field(
                "capacity",
                format!(
                    "{c:?} is not a whole number; give how many mentees, from 1 to {MAX_CAPACITY}"
                ),
            )
        }),
    };
    let r = match capacity {
        Ok(capacity) => {
            let input = MentorInput {
                strengths: split_skills(&form.strengths),
                capacity,
                note: form.mentor_note.clone(),
            };
            mentoring::save_profile(state.store.as_ref(), &user.viewer, &input, crate::now()).await
        }
        Err(e) => Err(e),
    };
    after(&state, &user, &form, r).await
}

pub async fn delete_goals(
    State(state): State<AppState>,
    CsrfForm(user, _form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    state
        .store
        .delete_mentee_goals(user.viewer.person_id())
        .await?;
    Ok(Redirect::to("/mentoring").into_response())
}

pub async fn delete_mentor(
    State(state): State<AppState>,
    CsrfForm(user, _form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    state
        .store
        .delete_mentor_profile(user.viewer.person_id())
        .await?;
    Ok(Redirect::to("/mentoring").into_response())
}

/// The round form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct RoundForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub goal: String,
    #[serde(default)]
    pub ends_on: String,
}

async fn rounds_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<&RoundForm>,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let store = state.store.as_ref();
    let rounds = mentoring::rounds(store, &user.viewer).await?;
    let today = local_date(None, crate::now());
    let (mentees, mentors) = store.mentoring_pool(today).await?;
    let places: u32 = mentors.iter().map(|m| m.places).sum();
    let filled = form.cloned().unwrap_or_else(|| RoundForm {
        name: format!("Mentoring {}", today.format("%B %Y")),
        goal: RoundGoal::HighestTotal.as_str().into(),
        ends_on: (today + chrono::Months::new(6)).to_string(),
        ..RoundForm::default()
    });
    let body = html! {
        nav aria-label="Mentoring" { ol.chain { li { a href="/mentoring" { "Mentoring" } } li aria-current="page" { "Matching rounds" } } }
        h1 { "Matching rounds" }
        p.lead { (mentees.len()) " mentee" @if mentees.len() != 1 { "s" } " and " (mentors.len()) " mentor" @if mentors.len() != 1 { "s" } " (" (places) " places) are taking part now. People with a running mentorship wait for the next round." }
        (error_summary(errors, "f-"))
        section.card aria-labelledby="run" {
            h2 #run { "Run a round" }
            p.hint { "Pairs need a goal skill the mentor offers (and the mentee's must-have skill, if they named one). A pair scores up to 100: 60 for the goals the mentor covers, 20 when the mentor is at the mentee's target level, 20 when they are outside the mentee's reporting line. You review the result before anyone sees it." }
            form method="post" action="/mentoring/rounds" novalidate {
                (csrf_field(user))
                (input_field(errors, "f-", "name", "Name", &filled.name, "text", None))
                fieldset #f-goal {
                    legend { "Optimise for" }
                    @for g in [RoundGoal::HighestTotal, RoundGoal::MostMatched] {
                        label.choice {
                            input type="radio" name="goal" value=(g.as_str()) checked[filled.goal == g.as_str()];
                            " " (g.label())
                            span.hint { @match g { RoundGoal::HighestTotal => { " — the best pairs overall; someone may stay unmatched if their only match would cost a better pair." }, RoundGoal::MostMatched => { " — as many mentees matched as possible, then the best pairs among those." } } }
                        }
                    }
                    @if let Some(e) = error_for(errors, "goal") { p.field-error { (e) } }
                }
                (input_field(errors, "f-", "ends_on", "Mentorships end on", &filled.ends_on, "date", None))
                button type="submit" { "Run the matching" }
            }
        }
        section aria-labelledby="past" {
            h2 #past { "Rounds" }
            @if rounds.is_empty() { p.muted { "No rounds yet." } }
            @else {
                table {
                    thead { tr { th { "Round" } th { "Optimised for" } th.num { "Matched" } th.num { "Total score" } th { "Status" } } }
                    tbody { @for r in &rounds {
                        tr {
                            td { a href=(format!("/mentoring/rounds/{}", r.id)) { (r.name) } }
                            td { (r.goal.label()) }
                            td.num { (r.matched) " of " (r.mentees) }
                            td.num { (r.total_score) }
                            td { @if r.published { "Published" } @else { span.flag.warn { "Draft" } } }
                        }
                    } }
                }
            }
        }
    };
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "admin",
        },
        "Matching rounds",
        body,
    ))
}

pub async fn show_rounds(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    rounds_page(&state, &user, None, &[]).await
}

pub async fn run_round(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<RoundForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let ends_on = crate::pages::form_date(&mut errors, "ends_on", &form.ends_on);
    let r = if errors.is_empty() {
        let input = RoundInput {
            name: form.name.clone(),
            goal: Some(form.goal.clone()),
            ends_on,
        };
        mentoring::run_round(state.store.as_ref(), &user.viewer, &input, crate::now()).await
    } else {
        Err(CoreError::Invalid(errors))
    };
    match r {
        Ok(id) => Ok(Redirect::to(&format!("/mentoring/rounds/{id}")).into_response()),
        Err(CoreError::Invalid(errors)) => Ok((
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            rounds_page(&state, &user, Some(&form), &errors).await?,
        )
            .into_response()),
        Err(e) => Err(e.into()),
    }
}

pub async fn show_round(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let v = mentoring::show_round(state.store.as_ref(), &user.viewer, RoundId(id)).await?;
    let r = &v.round;
    let mentors_used = {
        let mut ids: Vec<PersonId> = v
            .pairs
            .iter()
            .filter_map(|p| p.mentor.as_ref().map(|m| m.id))
            .collect();
        ids.sort();
        ids.dedup();
        ids.len()
    };
    let average = if r.matched > 0 {
        r.total_score as f64 / r.matched as f64
    } else {
        0.0
    };
    let body = html! {
        nav aria-label="Mentoring" { ol.chain { li { a href="/mentoring" { "Mentoring" } } li { a href="/mentoring/rounds" { "Matching rounds" } } li aria-current="page" { (r.name) } } }
        h1 { (r.name) }
        p.lead {
            @if r.published { "Published: the mentorships run until " (crate::pages::format_date(r.ends_on)) "." }
            @else { span.flag.warn { "Draft" } " Only admins see this. Take out any pair that should not be, then publish." }
        }
        ul.figures {
            li { span.muted { "Matched" } strong { (r.matched) } "of " (r.mentees) " mentees" }
            li { span.muted { "Mentors with a mentee" } strong { (mentors_used) } "of " (r.mentors) " mentors" }
            li { span.muted { "Total score" } strong { (r.total_score) } (r.goal.label().to_lowercase()) }
            li { span.muted { "Average score" } strong { (format!("{average:.0}")) } "of 100 per pair" }
        }
        @if !r.published {
            form.inline-forms method="post" action=(format!("/mentoring/rounds/{id}/publish")) {
                (csrf_field(&user))
                button type="submit" { "Publish " (r.matched) " mentorship" @if r.matched != 1 { "s" } }
            }
        }
        table {
            thead { tr { th { "Mentee" } th { "Mentor" } th.num { "Score" } th { "Why" } @if !r.published { th { span.visually-hidden { "Actions" } } } } }
            tbody { @for p in &v.pairs {
                tr {
                    td { a href=(format!("/people/{}", p.mentee.id)) { (p.mentee.name) } }
                    td { @match &p.mentor { Some(m) => { a href=(format!("/people/{}", m.id)) { (m.name) } }, None => { span.muted { "Unmatched" } } } }
                    td.num { @if p.mentor.is_some() { (p.score) } @else { "—" } }
                    td { (p.explanation) }
                    @if !r.published {
                        td { @if p.mentor.is_some() {
                            form method="post" action=(format!("/mentoring/rounds/{id}/pairs/{}/delete", p.mentee.id)) {
                                (csrf_field(&user))
                                button.secondary.small type="submit" aria-label=(format!("Take out {}", p.mentee.name)) { "Take out" }
                            }
                        } }
                    }
                }
            } }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "admin",
        },
        &r.name,
        body,
    ))
}

pub async fn remove_pair(
    State(state): State<AppState>,
    Path((id, mentee)): Path<(i64, i64)>,
    CsrfForm(user, form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    if !crate::pages::confirmed(&form.confirmed) {
        return crate::pages::Confirmation {
            title: "Take this pair out?",
            question: html! { "The mentee stays unmatched in this round unless you run it again." },
            action: format!("/mentoring/rounds/{id}/pairs/{mentee}/delete"),
            fields: vec![],
            button: "Take the pair out",
            back: format!("/mentoring/rounds/{id}"),
        }
        .page(&state, &user)
        .await;
    }
    mentoring::remove_pair(
        state.store.as_ref(),
        &user.viewer,
        RoundId(id),
        PersonId(mentee),
        crate::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/mentoring/rounds/{id}")).into_response())
}

pub async fn publish(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    if !crate::pages::confirmed(&form.confirmed) {
        return crate::pages::Confirmation {
            title: "Publish this round?",
            question: html! { "Every pair becomes a mentorship that both people see on their pages. A published round cannot be taken back." },
            action: format!("/mentoring/rounds/{id}/publish"),
            fields: vec![],
            button: "Publish the round",
            back: format!("/mentoring/rounds/{id}"),
        }
        .page(&state, &user)
        .await;
    }
    mentoring::publish(
        state.store.as_ref(),
        &user.viewer,
        RoundId(id),
        crate::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/mentoring/rounds/{id}")).into_response())
}

crate::auth::csrf_form!(EndForm, MentoringForm, RoundForm);

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .route("/mentoring", axum::routing::get(show_mentoring))
        .route("/mentoring/goals", axum::routing::post(save_goals))
        .route("/mentoring/goals/delete", axum::routing::post(delete_goals))
        .route("/mentoring/mentor", axum::routing::post(save_mentor))
        .route(
            "/mentoring/mentor/delete",
            axum::routing::post(delete_mentor),
        )
        .route(
            "/mentoring/mentorships/{id}/end",
            axum::routing::post(end_mentorship),
        )
        .route(
            "/mentoring/rounds",
            axum::routing::get(show_rounds).post(run_round),
        )
        .route("/mentoring/rounds/{id}", axum::routing::get(show_round))
        .route(
            "/mentoring/rounds/{id}/pairs/{mentee}/delete",
            axum::routing::post(remove_pair),
        )
        .route(
            "/mentoring/rounds/{id}/publish",
            axum::routing::post(publish),
        )
}
