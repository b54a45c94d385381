//! The people directory, the person page, and the forms that change a person.

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser, encode_component};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, plural, settings};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::org::csv_format::parse_skills;
use trellis_core::org::history::{self, HistoryEntry, HistoryField};
use trellis_core::org::people::{self, PersonPatch};
use trellis_core::org::{
    DirectoryFacets, PeopleFilter, Person, PersonCard, PersonStatus, SkillLevel, skills_notation,
};
use trellis_core::{CoreError, FieldError, LevelId, PersonId, TeamId};

/// A compact list of people with titles.
pub fn person_list(people: &[PersonCard]) -> Markup {
    html! {
        ul.plain {
            @for p in people {
                li {
                    a href=(format!("/people/{}", p.id)) { (p.display_name) }
                    @if let Some(t) = &p.title { " · " span.muted { (t) } }
                    @if p.report_count > 0 { " " span.badge { (plural(p.report_count, "report", "reports")) } }
                }
            }
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct DirectoryParams {
    pub q: Option<String>,
    pub team: Option<String>,
    pub location: Option<String>,
    pub level: Option<String>,
    pub include_left: Option<String>,
    pub page: Option<u32>,
}

fn parse_id(value: Option<&str>) -> Option<i64> {
    value.and_then(|v| v.trim().parse().ok())
}

pub async fn list_people(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(params): Query<DirectoryParams>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let filter = PeopleFilter {
        query: params.q.clone().filter(|q| !q.trim().is_empty()),
        team_id: parse_id(params.team.as_deref()).map(TeamId),
        location: params.location.clone().filter(|l| !l.is_empty()),
        level_id: parse_id(params.level.as_deref()).map(LevelId),
        include_left: params.include_left.is_some(),
        page: params.page.unwrap_or(1),
        per_page: 50,
        // Decided by the directory for the viewer.
        search_employee_ids: false,
    };
    let result = people::list(state.store.as_ref(), &user.viewer, &filter).await?;
    let facets: DirectoryFacets = state.store.directory_facets().await?;
    let is_admin = user.viewer.may_administer();
    let page_link = |n: u32| -> String {
        let mut parts = vec![format!("page={n}")];
        for (k, v) in [
            ("q", params.q.as_deref()),
            ("team", params.team.as_deref()),
            ("location", params.location.as_deref()),
            ("level", params.level.as_deref()),
            ("include_left", params.include_left.as_deref()),
        ] {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={}", encode_component(v)));
            }
        }
        format!("/people?{}", parts.join("&"))
    };
    let body = html! {
        h1 { "People" }
        form.filters method="get" action="/people" role="search" {
            div {
                label for="q" { "Search" }
                input #q type="search" name="q" value=(params.q.clone().unwrap_or_default()) placeholder="Name, e-mail or title";
            }
            div {
                label for="team" { "Team" }
                select #team name="team" {
                    option value="" { "All teams" }
                    @for t in &facets.teams {
                        option value=(t.id) selected[filter.team_id == Some(t.id)] {
                            @if t.parent_name.is_some() { "— " } (t.name)
                        }
                    }
                }
            }
            div {
                label for="location" { "Location" }
                select #location name="location" {
                    option value="" { "All locations" }
                    @for l in &facets.locations {
                        option value=(l) selected[filter.location.as_deref() == Some(l.as_str())] { (l) }
                    }
                }
            }
            @if is_admin {
                div {
                    label for="level" { "Level" }
                    select #level name="level" {
                        option value="" { "All levels" }
                        @for l in &facets.levels {
                            option value=(l.id) selected[filter.level_id == Some(l.id)] { (l.code) " " (l.name) }
                        }
                    }
                }
                div {
                    label { input type="checkbox" name="include_left" value="1" checked[filter.include_left]; " Include people who left" }
                }
            }
            button type="submit" { "Search" }
            @if is_admin { a.button.secondary href="/people/new" { "Add a person" } }
        }
        p.muted role="status" { (plural(result.total, "person", "people")) " found" }
        @if result.items.is_empty() {
            p { "Nobody matches. Try fewer words, or clear the filters." }
        } @else {
            table.responsive {
                thead { tr { th { "Name" } th { "Title" } th { "Team" } th { "Location" } th { "Reports" } } }
                tbody {
                    @for p in &result.items {
                        tr {
                            td data-label="Name" {
                                a href=(format!("/people/{}", p.id)) { (p.display_name) }
                                @if p.status == PersonStatus::Left { " " span.badge { "left" } }
                            }
                            td data-label="Title" { (p.title.clone().unwrap_or_default()) }
                            td data-label="Team" { (p.team_name.clone().unwrap_or_default()) }
                            td data-label="Location" { (p.location.clone().unwrap_or_default()) }
                            td data-label="Reports" { @if p.report_count > 0 { (p.report_count) } }
                        }
                    }
                }
            }
            nav.pager aria-label="Pages" {
                @if result.page > 1 { a href=(page_link(result.page - 1)) rel="prev" { "← Previous" } }
                span { "Page " (result.page) " of " (result.page_count()) }
                @if result.page < result.page_count() { a href=(page_link(result.page + 1)) rel="next" { "Next →" } }
            }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "people",
        },
        "People",
        body,
    ))
}

/// Five dots for a skill level, with the number for screen readers and print.
pub fn skill_level(level: u8) -> Markup {
    let filled = "●".repeat(level as usize);
    let empty = "○".repeat(5usize.saturating_sub(level as usize));
    html! { span.skill-level aria-hidden="true" { (filled) (empty) } " " span { (level) "/5" } }
}

#[derive(Debug, Deserialize, Default)]
pub struct SavedParams {
    pub saved: Option<String>,
}

pub async fn show_person(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(params): Query<SavedParams>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let view = people::show(state.store.as_ref(), &user.viewer, PersonId(id)).await?;
    let p = &view.person;
    let mentorships = trellis_core::mentoring::visible_mentorships(
        state.store.as_ref(),
        &user.viewer,
        p.id,
        view.reach,
    )
    .await?;
    let history = history::of_person(state.store.as_ref(), &user.viewer, p.id).await?;
    let sign_in = crate::admin::accounts::sign_in_actions(&state, &user, p).await?;
    let praise = crate::conversations::feedback::praise_card(&state, &user, p.id).await?;
    let influence =
        crate::influence::pages::influence_card(&state, &user, p.id, view.reach).await?;
    let today = trellis_core::clock::local_date(None, crate::now());
    let level_name = match (&p.level_code, &p.level_name) {
        (Some(code), Some(name)) if code != name => Some(format!("{code} · {name}")),
        (Some(code), _) => Some(code.clone()),
        _ => None,
    };
    let body = html! {
        @if params.saved.is_some() { p.notice role="status" { "Saved." } }
        @if !view.chain.is_empty() {
            nav aria-label=(format!("{} chain", settings.manager_word_title())) {
                ol.chain {
                    @for m in view.chain.iter().rev() {
                        li { a href=(format!("/people/{}", m.id)) { (m.display_name) } }
                    }
                    li aria-current="page" { (p.display_name()) }
                }
            }
        }
        h1 { (p.display_name())
            @if p.status == PersonStatus::Left { " " span.badge { "left" } } }
        p.lead {
            (p.title.clone().unwrap_or_default())
            @if let (Some(team), Some(team_id)) = (&p.team_name, p.team_id) { " · " a href=(format!("/teams/{team_id}")) { (team) } }
        }
        p {
            @if view.can_edit_profile { a.button href=(format!("/people/{}/edit", p.id)) { "Edit" } " " }
            a.button.secondary href=(format!("/org?root={}", p.id)) { "Show in org chart" }
            // The job side: a plate is private to the person, their chain and admins.
            @if view.reach.sees_private_fields() {
                " " a.button.secondary href=(format!("/people/{}/plate", p.id)) { "Plate" }
                " " a.button.secondary href=(format!("/people/{}/career", p.id)) { "Career plan" }
                @if p.report_count > 0 { " " a.button.secondary href=(format!("/team-work/{}", p.id)) { "Team work" } }
            }
            (sign_in)
        }
        div.grid {
            section.card aria-labelledby="profile" {
                h2 #profile { "Profile" }
                dl.facts {
                    dt { "E-mail" } dd { a href=(format!("mailto:{}", p.email)) { (p.email) } }
                    @if p.preferred_name.is_some() { dt { "Full name" } dd { (p.name) } }
                    @if let Some(l) = &p.location { dt { "Location" } dd { (l) } }
                    @if let Some(tz) = &p.time_zone { dt { "Time zone" } dd { (tz) } }
                    dt { (settings.manager_word_title()) }
                    dd { @match view.chain.first() { Some(m) => { a href=(format!("/people/{}", m.id)) { (m.display_name) } }, None => { "—" } } }
                    @if view.reach.sees_private_fields() {
                        @if let Some(eid) = &p.employee_id { dt { "Employee id" } dd { (eid) } }
                        dt { "Level" } dd { (level_name.clone().unwrap_or_else(|| "—".into())) }
                        @if let Some(d) = p.start_date { dt { "Start date" } dd { (crate::pages::format_date(d)) } }
                        dt { "Status" } dd { (if p.status == PersonStatus::Left { "Left" } else { "Active" }) }
                    }
                }
                @if view.reach.sees_private_fields() && !view.reach.is_self() {
                    p.hint { "You see employment details because " (if view.reach.is_above() { "this person is in your reporting tree." } else { "you are a people admin." }) }
                }
            }
            section.card aria-labelledby="reports" {
                h2 #reports { "Direct reports" }
                @if view.reports.is_empty() { p.muted { "Nobody reports to " (p.display_name()) "." } }
                @else { (person_list(&view.reports)) }
            }
            section.card aria-labelledby="skills" {
                h2 #skills { "Skills" }
                @if view.skills.is_empty() { p.muted { "No skills recorded yet." } }
                @else {
                    table {
                        thead { tr { th { "Skill" } th { "Level" } th { "Wants to grow" } } }
                        tbody {
                            @for s in &view.skills {
                                tr { td { (s.skill) } td { (skill_level(s.level)) } td { @if s.wants_to_grow { "Yes" } @else { span.muted { "—" } } } }
                            }
                        }
                    }
                }
            }
            @if !mentorships.is_empty() {
                section.card aria-labelledby="mentoring" {
                    h2 #mentoring { "Mentoring" }
                    (crate::mentoring::pages::mentorship_rows(&mentorships, p.id, today, &user, &format!("/people/{}", p.id)))
                }
            }
            (praise)
            (influence)
            (history_card(&history, &settings))
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "people",
        },
        &p.display_name(),
        body,
    ))
}

/// A person's org history, newest first, for those who may see it.
fn history_card(
    history: &[trellis_core::org::history::HistoryEntry],
    settings: &trellis_core::settings::Settings,
) -> Markup {
    html! {
        @if !history.is_empty() {
            section.card aria-labelledby="history" {
                h2 #history { "History" }
                table {
                    thead { tr { th { "Since" } th { "Change" } th { "By" } } }
                    tbody {
                        @for e in history.iter().take(HISTORY_SHOWN) {
                            tr {
                                td data-label="Since" { (crate::pages::format_date(e.effective_on)) }
                                td data-label="Change" { (history_change(e, settings)) }
                                td data-label="By" {
                                    @match (&e.actor, &e.actor_name) {
                                        (Some(a), Some(name)) => { a href=(format!("/people/{a}")) { (name) } }
                                        _ => { span.muted { "—" } }
                                    }
                                    " " span.muted { "(" (e.source) ")" }
                                }
                            }
                        }
                    }
                }
                @if history.len() > HISTORY_SHOWN {
                    p.muted { (history.len() - HISTORY_SHOWN) " earlier changes are not shown." }
                }
            }
        }
    }
}

/// The most recent changes a person page lists.
const HISTORY_SHOWN: usize = 25;

/// "Level: L3 → L4", in the organisation's words.
fn history_change(e: &HistoryEntry, settings: &trellis_core::settings::Settings) -> Markup {
    let label = match e.field {
        HistoryField::Manager => settings.manager_word_title(),
        HistoryField::Level => "Level".into(),
        HistoryField::Title => "Title".into(),
        HistoryField::Team => "Team".into(),
        HistoryField::Status => "Status".into(),
        HistoryField::Skills => "Skills".into(),
    };
    let value = |v: &Option<String>| match (e.field, v.as_deref()) {
        (_, None) => html! { span.muted { "none" } },
        (HistoryField::Status, Some("left")) => html! { "Left" },
        (HistoryField::Status, Some(_)) => html! { "Active" },
        (_, Some(v)) => html! { (v) },
    };
    html! { strong { (label) } ": " (value(&e.before)) " → " (value(&e.after)) }
}

/// The values of the person form, as typed.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct PersonForm {
    pub csrf: String,
    pub name: Option<String>,
    pub preferred_name: Option<String>,
    pub email: Option<String>,
    pub employee_id: Option<String>,
    pub title: Option<String>,
    pub team_id: Option<String>,
    pub level_id: Option<String>,
    pub manager_email: Option<String>,
    pub location: Option<String>,
    pub time_zone: Option<String>,
    pub start_date: Option<String>,
    pub status: Option<String>,
    pub skills: Option<String>,
    /// The new skills, near misses of known ones, that the person was asked about and
    /// saves as typed by saving again.
    pub keep_new_skills: Option<String>,
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

impl PersonForm {
    fn from_person(p: &Person, skills: &[SkillLevel], manager_email: Option<String>) -> Self {
        PersonForm {
            csrf: String::new(),
            name: Some(p.name.clone()),
            preferred_name: p.preferred_name.clone(),
            email: Some(p.email.clone()),
            employee_id: p.employee_id.clone(),
            title: p.title.clone(),
            team_id: p.team_id.map(|t| t.to_string()),
            level_id: p.level_id.map(|l| l.to_string()),
            manager_email,
            location: p.location.clone(),
            time_zone: p.time_zone.clone(),
            start_date: p.start_date.map(|d| d.format("%Y-%m-%d").to_string()),
            status: Some(p.status.as_str().to_string()),
            skills: Some(skills_notation(skills)),
            keep_new_skills: None,
        }
    }

    /// Turns the typed values into a patch; `admin` decides which fields are read at all.
    /// A new skill that looks like a typo of a known one is asked about once: the form
    /// comes back naming the known skill, and saving it again unchanged keeps it as typed.
    async fn read_patch(
        &mut self,
        state: &AppState,
        admin: bool,
    ) -> Result<PersonPatch, CoreError> {
        let mut errors = Vec::new();
        let skills = match parse_skills(self.skills.as_deref().unwrap_or("")) {
            Ok(s) => Some(s),
            Err(m) => {
                errors.push(FieldError::new("skills", m));
                None
            }
        };
        if let Some(skills) = &skills {
            let misses = people::skill_near_misses(state.store.as_ref(), skills).await?;
            let asked: Vec<&str> = misses.iter().map(|m| m.typed.as_str()).collect();
            let asked = asked.join("; ");
            if !misses.is_empty() && self.keep_new_skills.as_deref() != Some(asked.as_str()) {
                let questions: Vec<String> = misses
                    .iter()
                    .map(|m| {
                        format!(
                            "{:?} would be a new skill; did you mean {}?",
                            m.typed, m.known
                        )
                    })
                    .collect();
                errors.push(FieldError::new(
                    "skills",
                    format!(
                        "{} Correct it, or save again to add it as typed.",
                        questions.join(" ")
                    ),
                ));
                self.keep_new_skills = Some(asked);
            }
        }
        let mut patch = PersonPatch {
            preferred_name: Some(text(&self.preferred_name)),
            location: Some(text(&self.location)),
            time_zone: Some(text(&self.time_zone)),
            skills,
            ..PersonPatch::default()
        };
        if admin {
            patch.name = Some(self.name.clone().unwrap_or_default());
            patch.email = Some(self.email.clone().unwrap_or_default());
            patch.employee_id = Some(text(&self.employee_id));
            patch.title = Some(text(&self.title));
            patch.team_id = Some(parse_id(self.team_id.as_deref()).map(TeamId));
            patch.level_id = Some(parse_id(self.level_id.as_deref()).map(LevelId));
            patch.manager_id = Some(match text(&self.manager_email) {
                None => None,
                Some(email) => match state.store.person_id_by_email(&email).await? {
                    Some(id) => Some(id),
                    None => {
                        errors.push(FieldError::new(
                            "manager_email",
                            format!("nobody in Trellis has the e-mail address {email}"),
                        ));
                        None
                    }
                },
            });
            patch.start_date = Some(match text(&self.start_date) {
                None => None,
                Some(d) => match chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                    Ok(d) => Some(d),
                    Err(_) => {
                        errors.push(FieldError::new(
                            "start_date",
                            format!("{d:?} is not a date; use YYYY-MM-DD"),
                        ));
                        None
                    }
                },
            });
            patch.status = Some(match self.status.as_deref() {
                Some("left") => PersonStatus::Left,
                _ => PersonStatus::Active,
            });
        }
        if errors.is_empty() {
            Ok(patch)
        } else {
            Err(CoreError::Invalid(errors))
        }
    }
}

fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field || e.field.starts_with(&format!("{field}[")))
        .map(|e| e.message.as_str())
}

async fn person_form_page(
    state: &AppState,
    user: &CurrentUser,
    action: &str,
    heading: &str,
    form: &PersonForm,
    admin: bool,
    errors: &[FieldError],
) -> Result<Markup, PageError> {
    let settings = settings(state).await?;
    let facets = state.store.directory_facets().await?;
    let field = |name: &str,
                 label: &str,
                 value: &Option<String>,
                 kind: &str,
                 hint: Option<&str>|
     -> Markup {
        let err = error_for(errors, name);
        let id = format!("f-{name}");
        html! {
            div.field {
                label for=(id) { (label) }
                input id=(id) type=(kind) name=(name) value=(value.clone().unwrap_or_default())
                    aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| format!("{id}-error"))];
                @if let Some(h) = hint { p.hint { (h) } }
                @if let Some(e) = err { p.field-error id=(format!("{id}-error")) { (e) } }
            }
        }
    };
    let body = html! {
        h1 { (heading) }
        @if !errors.is_empty() {
            div.error-summary role="alert" {
                p { strong { "Please correct the following:" } }
                ul { @for e in errors { li { a href=(format!("#f-{}", e.field.split('[').next().unwrap_or(""))) { (e.message) } } } }
            }
        }
        form method="post" action=(action) novalidate {
            (csrf_field(user))
            @if admin {
                (field("name", "Full name", &form.name, "text", None))
            }
            (field("preferred_name", "Preferred name", &form.preferred_name, "text", Some("Shown instead of the first name, e.g. Bob for Robert.")))
            @if admin {
                (field("email", "Work e-mail", &form.email, "email", None))
                (field("employee_id", "Employee id", &form.employee_id, "text", None))
                (field("title", "Title", &form.title, "text", None))
                (field("manager_email", &format!("{}'s e-mail", settings.manager_word_title()), &form.manager_email, "email", Some("Leave empty for someone at the top of the organisation.")))
                div.field {
                    label for="f-team_id" { "Team" }
                    select #f-team_id name="team_id" {
                        option value="" { "No team" }
                        @for t in &facets.teams {
                            option value=(t.id) selected[form.team_id.as_deref() == Some(t.id.to_string().as_str())] { @if t.parent_name.is_some() { "— " } (t.name) }
                        }
                    }
                    @if let Some(e) = error_for(errors, "team_id") { p.field-error { (e) } }
                }
                div.field {
                    label for="f-level_id" { "Level" }
                    select #f-level_id name="level_id" {
                        option value="" { "No level" }
                        @for l in &facets.levels {
                            option value=(l.id) selected[form.level_id.as_deref() == Some(l.id.to_string().as_str())] { (l.code) " · " (l.name) }
                        }
                    }
                }
                (field("start_date", "Start date", &form.start_date, "date", None))
                div.field {
                    label for="f-status" { "Status" }
                    select #f-status name="status" {
                        option value="active" selected[form.status.as_deref() != Some("left")] { "Active" }
                        option value="left" selected[form.status.as_deref() == Some("left")] { "Left" }
                    }
                }
            }
            (field("location", "Location", &form.location, "text", None))
            (field("time_zone", "Time zone", &form.time_zone, "text", Some("An IANA name such as Europe/Berlin, or UTC.")))
            (field("skills", "Skills", &form.skills, "text", Some("Name and level 1–5, separated by semicolons; add + to a skill you want to grow. Example: rust:4; sql:3+")))
            @if let Some(asked) = &form.keep_new_skills {
                input type="hidden" name="keep_new_skills" value=(asked);
            }
            button type="submit" { "Save" }
        }
    };
    Ok(page(
        &Frame {
            user,
            settings: &settings,
            section: "people",
        },
        heading,
        body,
    ))
}

pub async fn edit_person_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
) -> Result<Markup, PageError> {
    let view = people::show(state.store.as_ref(), &user.viewer, PersonId(id)).await?;
    if !view.can_edit_profile {
        return Err(CoreError::Forbidden("edit another person's profile".into()).into());
    }
    let manager_email = view.chain.first().map(|m| m.email.clone());
    let form = PersonForm::from_person(&view.person, &view.skills, manager_email);
    person_form_page(
        &state,
        &user,
        &format!("/people/{id}/edit"),
        &format!("Edit {}", view.person.display_name()),
        &form,
        view.can_edit_everything,
        &[],
    )
    .await
}

pub async fn update_person(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, mut form): CsrfForm<PersonForm>,
) -> Result<Response, PageError> {
    let admin = user.viewer.may_administer();
    let result = match form.read_patch(&state, admin).await {
        Ok(patch) => {
            people::update(
                state.store.as_ref(),
                &user.viewer,
                PersonId(id),
                patch,
                "profile",
                crate::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/people/{id}?saved=1")).into_response()),
        Err(CoreError::Invalid(errors)) => {
            let page = person_form_page(
                &state,
                &user,
                &format!("/people/{id}/edit"),
                "Edit person",
                &form,
                admin,
                &errors,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn new_person_form(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    if !user.viewer.may_administer() {
        return Err(CoreError::Forbidden("add people".into()).into());
    }
    person_form_page(
        &state,
        &user,
        "/people/new",
        "Add a person",
        &PersonForm::default(),
        true,
        &[],
    )
    .await
}

pub async fn create_person(
    State(state): State<AppState>,
    CsrfForm(user, mut form): CsrfForm<PersonForm>,
) -> Result<Response, PageError> {
    if !user.viewer.may_administer() {
        return Err(CoreError::Forbidden("add people".into()).into());
    }
    let result = match form.read_patch(&state, true).await {
        Ok(patch) => {
            people::create(
                state.store.as_ref(),
                &user.viewer,
                patch.into(),
                "profile",
                crate::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/people/{id}?saved=1")).into_response()),
        Err(CoreError::Invalid(errors)) => {
            let page = person_form_page(
                &state,
                &user,
                "/people/new",
                "Add a person",
                &form,
                true,
                &errors,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

crate::auth::csrf_form!(PersonForm);

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .route("/people", axum::routing::get(list_people))
        .route(
            "/people/new",
            axum::routing::get(new_person_form).post(create_person),
        )
        .route("/people/{id}", axum::routing::get(show_person))
        .route(
            "/people/{id}/edit",
            axum::routing::get(edit_person_form).post(update_person),
        )
}
