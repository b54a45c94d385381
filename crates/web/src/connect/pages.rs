//! Connection pages: `/connect` (the programmes one is in or runs, a new programme, and the
//! colleagues one never wants to be paired with) and `/connect/{id}` (one's pairing this
//! round with "we met" / "we couldn't", opting out or snoozing, and for those who run it
//! what each round did and the coverage chart). Each page states the result of a form, so the
//! forms redirect back without a notice of their own.

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_for, error_summary, format_date, input_field, settings};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::connect::format_coverage;
use trellis_core::connect::programmes::{self, Choice, ProgrammeInput};
use trellis_core::connect::rounds::{self, Outcome};
use trellis_core::connect::views::{self, ProgrammeSummary, ProgrammeView};
use trellis_core::ids::{ConnectGroupId, ProgrammeId};
use trellis_core::settings::Settings;
use trellis_core::{CoreError, FieldError};

/// The new-programme form, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ProgrammeForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub audience: String,
    #[serde(default)]
    pub audience_value: String,
    #[serde(default)]
    pub rhythm_weeks: String,
    #[serde(default)]
    pub group_size: String,
    #[serde(default)]
    pub odd_one: String,
    #[serde(default)]
    pub prefer_across: String,
    #[serde(default)]
    pub first_round_on: String,
    /// A list audience: ids chosen by the search, comma-separated.
    #[serde(default)]
    pub people: String,
    /// A list audience typed without the search: e-mail addresses.
    #[serde(default)]
    pub people_emails: String,
}
crate::auth::csrf_form!(ProgrammeForm);

#[derive(Debug, Default, Clone, Deserialize)]
pub struct ChoiceForm {
    #[serde(default)]
    pub csrf: String,
    /// in, out or snooze
    #[serde(default)]
    pub choice: String,
    #[serde(default)]
    pub snoozed_until: String,
}
crate::auth::csrf_form!(ChoiceForm);

#[derive(Debug, Default, Clone, Deserialize)]
pub struct OutcomeForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub programme: i64,
}
crate::auth::csrf_form!(OutcomeForm);

fn may_create(user: &CurrentUser) -> bool {
    user.viewer.may_administer() || user.viewer.has_reports()
}

fn rhythm(weeks: u32) -> String {
    match weeks {
        1 => "Every week".into(),
        n => format!("Every {n} weeks"),
    }
}

fn programme_card(s: &ProgrammeSummary) -> Markup {
    let p = &s.programme;
    html! {
        li.card {
            h3 { a href=(format!("/connect/{}", p.id)) { (p.name) } }
            p {
                (s.audience) " · " (s.members) " people · " (rhythm(p.rhythm_weeks)) " · "
                (if p.group_size == 3 { "trios" } else { "pairs" })
            }
            p.hint {
                (s.rounds_run) " rounds so far"
                @if let Some(at) = p.archived_at { " · archived " (format_date(trellis_core::clock::local_date(None, at))) }
                @if let Some(next) = s.next_round_on { " · next round " (format_date(next)) }
                @if s.member {
                    @if s.choice.opted_out { " · you are out of it" }
                    @else if let Some(until) = s.choice.snoozed_until { " · you snoozed it until " (format_date(until)) }
                }
            }
        }
    }
}

fn create_form(user: &CurrentUser, errors: &[FieldError], form: &ProgrammeForm) -> Markup {
    let admin = user.viewer.may_administer();
    let option = |value: &str, label: &str, current: &str| {
        html! { option value=(value) selected[current == value] { (label) } }
    };
    html! {
        section.card aria-labelledby="new-programme" {
            h2 #new-programme { "New connection programme" }
            p.hint {
                "Each round pairs everyone taking part so that nobody meets the same colleague twice until everyone has met everyone."
            }
            (error_summary(errors, "p-"))
            form method="post" action="/connect" novalidate {
                (csrf_field(user))
                (input_field(errors, "p-", "name", "Name", &form.name, "text", Some("For example “Coffee roulette”.")))
                div.field {
                    label for="p-audience" { "Who is in it" }
                    select #p-audience name="audience" {
                        @if admin {
                            (option("everyone", "Everyone", &form.audience))
                            (option("department", "A department", &form.audience))
                            (option("location", "A location", &form.audience))
                        }
                        (option("tree", if admin { "A manager's organisation (their e-mail below)" } else { "My organisation" }, &form.audience))
                        @if admin {
                            (option("list", "A list of people (chosen below)", &form.audience))
                            (option("group", "A group (its name below)", &form.audience))
                        }
                    }
                    @if let Some(e) = error_for(errors, "audience") { p.field-error { (e) } }
                }
                @if admin {
                    (input_field(errors, "p-", "audience_value", "Department, location, manager's e-mail or group", &form.audience_value, "text", Some("Leave empty for everyone or a list.")))
                    div.field {
                        label for="p-people_emails" { "People of a list" }
                        input type="hidden" name="people" value=(form.people) data-chosen-ids;
                        ul.chosen aria-label="People in the list" aria-live="polite" {}
                        input #p-people_emails type="search" name="people_emails" value=(form.people_emails) autocomplete="off"
                            data-people-search="1000" data-me="0" placeholder="Type a name or e-mail"
                            aria-invalid=[error_for(errors, "people").map(|_| "true")];
                        @if let Some(e) = error_for(errors, "people") { p.field-error { (e) } }
                        p.hint { "Type to search, then choose; or write e-mail addresses separated by commas." }
                        ul.search-results role="listbox" aria-label="Matching people" {}
                    }
                } @else {
                    input type="hidden" name="audience_value" value=(user.viewer.person_id().0);
                }
                div.field {
                    label for="p-rhythm_weeks" { "Rhythm" }
                    select #p-rhythm_weeks name="rhythm_weeks" {
                        (option("1", "Every week", &form.rhythm_weeks))
                        (option("2", "Every two weeks", if form.rhythm_weeks.is_empty() { "2" } else { &form.rhythm_weeks }))
                        (option("4", "Every four weeks", &form.rhythm_weeks))
                    }
                    @if let Some(e) = error_for(errors, "rhythm_weeks") { p.field-error { (e) } }
                }
                div.field {
                    label for="p-group_size" { "Groups" }
                    select #p-group_size name="group_size" {
                        (option("2", "Pairs", &form.group_size))
                        (option("3", "Trios", &form.group_size))
                    }
                    @if let Some(e) = error_for(errors, "group_size") { p.field-error { (e) } }
                }
                div.field {
                    label for="p-odd_one" { "With an odd count, in pairs" }
                    select #p-odd_one name="odd_one" {
                        (option("trio", "One trio (never the same person twice in a row)", &form.odd_one))
                        (option("sit_out", "One person sits out, in turn", &form.odd_one))
                    }
                }
                div.field {
                    label for="p-prefer_across" { "Prefer meeting across" }
                    select #p-prefer_across name="prefer_across" {
                        (option("team", "Teams", &form.prefer_across))
                        (option("department", "Departments", &form.prefer_across))
                        (option("location", "Locations", &form.prefer_across))
                        (option("nothing", "No preference", &form.prefer_across))
                    }
                }
                (input_field(errors, "p-", "first_round_on", "First round", &form.first_round_on, "date", Some("Today or later; the server runs each round on its day.")))
                div.actions { button type="submit" { "Create programme" } }
            }
        }
    }
}

pub(super) async fn list_page(
    state: &AppState,
    user: &CurrentUser,
    settings: &Settings,
    errors: &[FieldError],
    form: &ProgrammeForm,
    exclusion_errors: &[FieldError],
) -> Result<Markup, PageError> {
    let list = views::programmes_for(state.store.as_ref(), &user.viewer, crate::now()).await?;
    let mut excluded = Vec::new();
    for id in state.store.exclusions_by(user.viewer.person_id()).await? {
        excluded.push((
            id,
            trellis_core::org::people::name_of(state.store.as_ref(), id).await?,
        ));
    }
    let hours =
        trellis_core::connect::slots::my_working_hours(state.store.as_ref(), &user.viewer).await?;
    Ok(page(
        &Frame {
            user,
            settings,
            section: "connect",
        },
        "Connect",
        html! {
            h1 { "Connect" }
            p.lead { "Meet colleagues you would not otherwise meet: a short conversation each round, with someone new every time." }
            @if list.is_empty() {
                p { "You are not in a connection programme yet." }
            } @else {
                ul.cards { @for s in &list { (programme_card(s)) } }
            }
            (super::exclusions::exclusions_section(user, &excluded, exclusion_errors))
            (super::hours::hours_section(&hours))
            @if may_create(user) { (create_form(user, errors, form)) }
        },
    ))
}

pub async fn show_list(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let today = trellis_core::clock::local_date(None, crate::now()).to_string();
    let form = ProgrammeForm {
        first_round_on: today,
        ..Default::default()
    };
    list_page(&state, &user, &settings, &[], &form, &[]).await
}

pub async fn create(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<ProgrammeForm>,
) -> Result<Response, PageError> {
    let mut errors = Vec::new();
    let first = crate::pages::form_date(&mut errors, "first_round_on", &form.first_round_on);
    let number = |field: &str, text: &str, errors: &mut Vec<FieldError>| -> i64 {
        text.trim().parse().unwrap_or_else(|_| {
            errors.push(FieldError::new(field, "choose one of the options"));
            0
        })
    };
    let rhythm_weeks = number("rhythm_weeks", &form.rhythm_weeks, &mut errors);
    let group_size = number("group_size", &form.group_size, &mut errors);
    let (audience_value, people) = match audience_people(&state, &form).await {
        Ok(found) => found,
        Err(CoreError::Invalid(mut found)) => {
            errors.append(&mut found);
            (None, None)
        }
        Err(e) => return Err(e.into()),
    };
    let result = match (first, errors.is_empty()) {
        (Some(first_round_on), true) => {
            let input = ProgrammeInput {
                name: form.name.clone(),
                audience: form.audience.clone(),
                audience_value: audience_value.or_else(|| Some(form.audience_value.clone())),
                people,
                rhythm_weeks,
                group_size,
                odd_one: Some(form.odd_one.clone()),
                prefer_across: Some(form.prefer_across.clone()),
                first_round_on,
            };
            programmes::create_programme(state.store.as_ref(), &user.viewer, &input, crate::now())
                .await
        }
        (None, true) => Err(CoreError::field(
            "first_round_on",
            "give the first round's day",
        )),
        _ => Err(CoreError::Invalid(errors)),
    };
    match result {
        Ok(id) => Ok(axum::response::Redirect::to(&format!("/connect/{id}")).into_response()),
        Err(CoreError::Invalid(errors)) => {
            let settings = settings(&state).await?;
            let page = list_page(&state, &user, &settings, &errors, &form, &[]).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A manager's organisation named by their e-mail, or a list's people, as the core takes
/// them: a person id, and ids.
async fn audience_people(
    state: &AppState,
    form: &ProgrammeForm,
) -> Result<(Option<String>, Option<Vec<i64>>), CoreError> {
    let value = form.audience_value.trim();
    match form.audience.as_str() {
        "tree" if value.contains('@') => match state.store.person_id_by_email(value).await? {
            Some(id) => Ok((Some(id.0.to_string()), None)),
            None => Err(CoreError::field(
                "audience_value",
                format!("nobody has the e-mail {value:?}"),
            )),
        },
        "list" => {
            let people =
                super::exclusions::chosen(state, &form.people, &form.people_emails, "people")
                    .await?;
            Ok((None, Some(people.into_iter().map(|p| p.0).collect())))
        }
        _ => Ok((None, None)),
    }
}

/// Coverage over the rounds, drawn on the server.
fn coverage_chart(by_round: &[f64]) -> Markup {
    let (width, height) = (600.0, 160.0);
    let n = by_round.len().max(2) as f64;
    let points: Vec<String> = by_round
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let x = 40.0 + (width - 50.0) * i as f64 / (n - 1.0);
            let y = 10.0 + (height - 30.0) * (1.0 - c);
            format!("{x:.1},{y:.1}")
        })
        .collect();
    let last = by_round.last().copied().unwrap_or(0.0);
    html! {
        svg.chart viewBox=(format!("0 0 {width} {height}")) role="img"
            aria-label=(format!("Coverage after each of {} rounds, now {} %", by_round.len(), (last * 100.0).round())) {
            line x1="40" y1="10" x2="40" y2=(height - 20.0) stroke="currentColor" stroke-opacity="0.4" {}
            line x1="40" y1=(height - 20.0) x2=(width - 10.0) y2=(height - 20.0) stroke="currentColor" stroke-opacity="0.4" {}
            text x="4" y="16" font-size="11" { "100 %" }
            text x="14" y=(height - 20.0) font-size="11" { "0 %" }
            text x="40" y=(height - 4.0) font-size="11" { "round 1" }
            text x=(width - 60.0) y=(height - 4.0) font-size="11" { "round " (by_round.len()) }
            polyline points=(points.join(" ")) fill="none" stroke="currentColor" stroke-width="2" {}
        }
    }
}

/// The member's pairing this round with "we met" / "we couldn't", "met X of Y" and the
/// earlier rounds.
fn your_connection(user: &CurrentUser, view: &ProgrammeView) -> Markup {
    let s = &view.summary;
    let p = &s.programme;
    let latest = view.mine.first();
    html! {
                section.card aria-labelledby="this-round" {
                    h2 #this-round { "Your connection" }
                    @match latest {
                        None => p { "No round has paired you yet." @if let Some(next) = s.next_round_on { " The next round is on " (format_date(next)) "." } },
                        Some(m) if m.sat_out => p { "Round " (m.round) ": you sit out this round." },
                        Some(m) => {
                            p.connection {
                                "Round " (m.round) " (" (format_date(m.run_on)) "): you meet "
                                @for (i, person) in m.with.iter().enumerate() {
                                    @if i > 0 { " and " }
                                    a href=(format!("/people/{}", person.id)) { (person.name) }
                                }
                                "."
                            }
                            @if let Some(when) = &m.suggested {
                                @if m.outcome.is_none() {
                                    p.slot { "Suggested: " strong { (when) } " your time, for 30 minutes — it is in your "
                                        a href="/one-on-ones#calendar" { "calendar feed" } ". Any other time suits too." }
                                }
                            }
                            @match m.outcome {
                                Some(Outcome::Met) => p.notice role="status" { "You met. Thank you." },
                                Some(Outcome::Missed) => p.notice role="status" { "You could not meet this time; you may be paired again later." },
                                None => @if let Some(group) = m.group {
                                    form.inline method="post" action=(format!("/connect/groups/{group}/outcome")) {
                                        (csrf_field(user))
                                        input type="hidden" name="programme" value=(p.id.0);
                                        button type="submit" name="outcome" value="met" { "We met" }
                                        " "
                                        button.secondary type="submit" name="outcome" value="missed" { "We couldn't" }
                                    }
                                },
                            }
                        }
                    }
                    @if let Some((met, of)) = view.met {
                        p.figure { "You have met " (met) " of your " (of) " colleagues here." }
                    }
                    @if view.mine.len() > 1 {
                        h3 { "Earlier rounds" }
                        ul {
                            @for m in &view.mine[1..] {
                                li {
                                    "Round " (m.round) ": "
                                    @if m.sat_out { "sat out" } @else {
                                        (m.with.iter().map(|w| w.name.as_str()).collect::<Vec<_>>().join(" and "))
                                        @match m.outcome { Some(Outcome::Met) => " — met", Some(Outcome::Missed) => " — could not meet", None => "" }
                                    }
                                }
                            }
                        }
                    }
                }
    }
}

fn programme_page(user: &CurrentUser, settings: &Settings, view: &ProgrammeView) -> Markup {
    let s = &view.summary;
    let p = &s.programme;
    page(
        &Frame {
            user,
            settings,
            section: "connect",
        },
        &p.name,
        html! {
            p.breadcrumb { a href="/connect" { "Connect" } }
            h1 { (p.name) }
            p.lead { (s.audience) " · " (s.members) " people · " (rhythm(p.rhythm_weeks)) " · "
                (if p.group_size == 3 { "trios" } else { "pairs" }) }
            @if s.member {
                (your_connection(user, view))
                section.card aria-labelledby="taking-part" {
                    h2 #taking-part { "Taking part" }
                    p {
                        @if s.choice.opted_out { "You are out of this programme." }
                        @else if let Some(until) = s.choice.snoozed_until { "You snoozed it until " (format_date(until)) "." }
                        @else { "You take part in every round." }
                    }
                    form method="post" action=(format!("/connect/{}/choice", p.id)) {
                        (csrf_field(user))
                        div.field {
                            label for="c-snoozed_until" { "Snooze until" }
                            input #c-snoozed_until type="date" name="snoozed_until";
                        }
                        div.actions {
                            button type="submit" name="choice" value="snooze" { "Snooze" }
                            " "
                            @if s.choice.opted_out || s.choice.snoozed_until.is_some() {
                                button.secondary type="submit" name="choice" value="in" { "Take part again" }
                            } @else {
                                button.secondary type="submit" name="choice" value="out" { "Opt out" }
                            }
                        }
                    }
                }
            }
            @if s.runs_it {
                section.card aria-labelledby="rounds" {
                    h2 #rounds { "Rounds" }
                    @if let Some(at) = p.archived_at {
                        p { "Archived on " (format_date(trellis_core::clock::local_date(None, at))) ": it runs no more rounds." }
                    } @else {
                        form method="post" action=(format!("/connect/{}/round", p.id)) {
                            (csrf_field(user))
                            button type="submit" { "Run the next round now" }
                            p.hint { "Otherwise the server runs each round on its day." }
                        }
                        form method="post" action=(format!("/connect/{}/archive", p.id)) {
                            (csrf_field(user))
                            button.secondary type="submit" { "Archive this programme" }
                        }
                    }
                    @if let Some(c) = &view.coverage {
                        h3 { "Coverage" }
                        p.figure {
                            "Pairs who have met: " (format_coverage(c.by_round.last().copied().unwrap_or(0.0)))
                            @if let Some(full) = c.full_at_round {
                                " · everyone will have met everyone " @if c.estimated { "by about " } @else { "at " }
                                "round " (full) " (" (format_date(p.round_due_on(full))) ")"
                            }
                        }
                        @if !c.by_round.is_empty() { (coverage_chart(&c.by_round)) }
                    } @else {
                        p.hint { "Coverage shows once at least " (settings.anonymity_k_survey) " people take part." }
                    }
                    @if view.rounds.is_empty() { p { "No rounds yet." } }
                    ul.rounds {
                        @for r in &view.rounds {
                            li { strong { "Round " (r.number) } " · " (format_date(r.run_on))
                                @if r.automatic { " · run by the server" } " — " (r.summary) }
                        }
                    }
                }
            }
        },
    )
}

pub async fn show_programme(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let view = views::programme_view(
        state.store.as_ref(),
        &user.viewer,
        ProgrammeId(id),
        settings.anonymity_k_survey,
        crate::now(),
    )
    .await?;
    Ok(programme_page(&user, &settings, &view))
}

pub async fn run_round(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, _form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    let settings = settings(&state).await?;
    // Someone who may not see the programme learns nothing about it.
    views::programme_view(
        state.store.as_ref(),
        &user.viewer,
        ProgrammeId(id),
        settings.anonymity_k_survey,
        crate::now(),
    )
    .await?;
    rounds::run_round(
        state.store.as_ref(),
        Some(&user.viewer),
        ProgrammeId(id),
        crate::now(),
    )
    .await?;
    Ok(axum::response::Redirect::to(&format!("/connect/{id}")).into_response())
}

/// Asks once, then archives: no more rounds; the history stays.
pub async fn archive(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    let settings = settings(&state).await?;
    let view = views::programme_view(
        state.store.as_ref(),
        &user.viewer,
        ProgrammeId(id),
        settings.anonymity_k_survey,
        crate::now(),
    )
    .await?;
    if !crate::pages::confirmed(&form.confirmed) {
        return crate::pages::Confirmation {
            title: "Archive this programme?",
            question: html! {
                "\"" (view.summary.programme.name) "\" will run no more rounds and send no more \
                 pairings. What its rounds did and who met stays here to read."
            },
            action: format!("/connect/{id}/archive"),
            fields: Vec::new(),
            button: "Archive",
            back: format!("/connect/{id}"),
        }
        .page(&state, &user)
        .await;
    }
    programmes::archive_programme(
        state.store.as_ref(),
        &user.viewer,
        ProgrammeId(id),
        crate::now(),
    )
    .await?;
    Ok(axum::response::Redirect::to(&format!("/connect/{id}")).into_response())
}

pub async fn set_choice(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<ChoiceForm>,
) -> Result<Response, PageError> {
    let choice = match form.choice.as_str() {
        "out" => Choice {
            opted_out: true,
            snoozed_until: None,
        },
        "snooze" => {
            let mut errors = Vec::new();
            match crate::pages::form_date(&mut errors, "snoozed_until", &form.snoozed_until) {
                Some(day) => Choice {
                    opted_out: false,
                    snoozed_until: Some(day),
                },
                None => {
                    return Err(
                        CoreError::field("snoozed_until", "give the day to snooze until").into(),
                    );
                }
            }
        }
        _ => Choice::default(),
    };
    programmes::set_choice(
        state.store.as_ref(),
        &user.viewer,
        ProgrammeId(id),
        &choice,
        crate::now(),
    )
    .await?;
    Ok(axum::response::Redirect::to(&format!("/connect/{id}")).into_response())
}

pub async fn set_outcome(
    State(state): State<AppState>,
    Path(group): Path<i64>,
    CsrfForm(user, form): CsrfForm<OutcomeForm>,
) -> Result<Response, PageError> {
    let outcome = Outcome::parse(&form.outcome)
        .ok_or_else(|| CoreError::field("outcome", "say met, or missed"))?;
    rounds::set_outcome(
        state.store.as_ref(),
        &user.viewer,
        ConnectGroupId(group),
        outcome,
        crate::now(),
    )
    .await?;
    Ok(axum::response::Redirect::to(&format!("/connect/{}", form.programme)).into_response())
}

pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/connect", get(show_list).post(create))
        .route(
            "/connect/exclusions",
            post(super::exclusions::add_exclusions),
        )
        .route(
            "/connect/working-hours",
            get(super::hours::show).post(super::hours::save),
        )
        .route(
            "/connect/exclusions/{person}/remove",
            post(super::exclusions::remove_exclusion),
        )
        .route("/connect/{id}", get(show_programme))
        .route("/connect/{id}/round", post(run_round))
        .route("/connect/{id}/archive", post(archive))
        .route("/connect/{id}/choice", post(set_choice))
        .route("/connect/groups/{group}/outcome", post(set_outcome))
}
