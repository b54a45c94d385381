//! The advice pulse page (`/advice`): the question, a search that finds colleagues as one
//! types (up to ten), and what answering means. Who was named is never shown back, not
//! even to the person who answered: the page says how many they named.

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_summary, format_date, settings};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::influence::pulse::{self, PulseAsk};
use trellis_core::{CoreError, FieldError, PersonId};

/// The answer form: the chosen colleagues' ids (comma-separated, filled in by the search),
/// and e-mail addresses typed without it.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub advisers: String,
    #[serde(default)]
    pub emails: String,
}

crate::auth::csrf_form!(AnswerForm);

fn pulse_page(
    user: &CurrentUser,
    settings: &trellis_core::settings::Settings,
    ask: &PulseAsk,
    errors: &[FieldError],
    typed: &str,
) -> Markup {
    page(
        &Frame {
            user,
            settings,
            section: "advice",
        },
        "Advice pulse",
        html! {
            h1 { "Advice pulse" }
            @if !ask.asked {
                p { "The advice pulse does not ask you: your organisation has it off, or asks other departments." }
            } @else if let Some(round) = ask.round {
                section.card aria-labelledby="question" {
                    h2 #question { (ask.question) }
                    p.hint {
                        "Name up to " (ask.most_named) " colleagues whose advice you sought — about work, a decision, your career. "
                        "Answering is optional. Nobody sees who named whom: not your " (settings.manager_word) ", not admins, not exports. "
                        "Only counts are shown — how many people outside someone's reporting line seek their advice."
                    }
                    @if let Some(n) = ask.named {
                        p.notice role="status" {
                            "You answered this round, naming " (n) " " (if n == 1 { "colleague" } else { "colleagues" }) ". "
                            "You can answer again until " (format_date(ask.next_round.unwrap_or(round) - chrono::Duration::days(1))) " to replace it."
                        }
                    }
                    (error_summary(errors, "a-"))
                    form.advice-form method="post" action="/advice" novalidate {
                        (csrf_field(user))
                        input type="hidden" name="advisers" value="" data-chosen-ids;
                        ul.chosen aria-label="Colleagues you name" aria-live="polite" {}
                        div.field {
                            label for="a-emails" { "Colleagues" }
                            input #a-emails type="search" name="emails" value=(typed) autocomplete="off"
                                data-people-search=(ask.most_named) data-me=(user.viewer.person_id().0) placeholder="Type a name or e-mail"
                                aria-invalid=[(!errors.is_empty()).then_some("true")];
                            p.hint { "Type to search, then choose. Without the search, write e-mail addresses separated by commas." }
                            ul.search-results role="listbox" aria-label="Matching colleagues" {}
                        }
                        div.actions {
                            button type="submit" { "Send my answer" }
                            button.secondary type="submit" name="nobody" value="1" formaction="/advice?nobody=1" { "Nobody this time" }
                        }
                    }
                }
            } @else {
                p { "The advice pulse is on; its first round has not asked yet. You will be told when it does." }
            }
        },
    )
}

pub async fn show_pulse(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let ask = pulse::my_pulse(state.store.as_ref(), &user.viewer, crate::now()).await?;
    Ok(pulse_page(&user, &settings, &ask, &[], ""))
}

/// Who the form names: the chosen ids, then each typed e-mail address.
async fn named(state: &AppState, form: &AnswerForm) -> Result<Vec<PersonId>, CoreError> {
    let mut people = Vec::new();
    for id in form
        .advisers
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let id: i64 = id
            .parse()
            .map_err(|_| CoreError::field("emails", format!("{id:?} is not a person's id")))?;
        people.push(PersonId(id));
    }
    for email in form
        .emails
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match state.store.person_id_by_email(email).await? {
            Some(id) => people.push(id),
            None => {
                return Err(CoreError::field(
                    "emails",
                    format!("nobody has the e-mail {email:?}"),
                ));
            }
        }
    }
    Ok(people)
}

#[derive(Debug, Default, Deserialize)]
pub struct AnswerParams {
    pub nobody: Option<String>,
}

pub async fn answer_pulse(
    State(state): State<AppState>,
    axum::extract::Query(params): axum::extract::Query<AnswerParams>,
    CsrfForm(user, form): CsrfForm<AnswerForm>,
) -> Result<Response, PageError> {
    let result = match params.nobody {
        Some(_) => Ok(Vec::new()),
        None => named(&state, &form).await,
    };
    let result = match result {
        Ok(people) => {
            pulse::answer(state.store.as_ref(), &user.viewer, &people, crate::now()).await
        }
        Err(e) => Err(e),
    };
    match result {
        // The page itself says how many were named: no second notice.
        Ok(_) => Ok(axum::response::Redirect::to("/advice").into_response()),
        Err(CoreError::Invalid(errors)) => {
            let settings = settings(&state).await?;
            let ask = pulse::my_pulse(state.store.as_ref(), &user.viewer, crate::now()).await?;
            let errors: Vec<FieldError> = errors
                .into_iter()
                .map(|e| FieldError::new("emails", e.message))
                .collect();
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                pulse_page(&user, &settings, &ask, &errors, &form.emails),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
