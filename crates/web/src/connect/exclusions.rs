//! Private exclusions on `/connect`: the colleagues one is never paired with, chosen by
//! searching or by e-mail. Nobody else sees the list and the colleague never learns it.

use super::pages::{ProgrammeForm, list_page};
use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser};
use crate::error::PageError;
use crate::pages::{csrf_field, error_summary, settings};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::connect::programmes;
use trellis_core::{CoreError, FieldError, PersonId};

#[derive(Debug, Default, Clone, Deserialize)]
pub struct ExclusionForm {
    #[serde(default)]
    pub csrf: String,
    /// Chosen by the search (comma-separated ids).
    #[serde(default)]
    pub people: String,
    /// Typed without the search.
    #[serde(default)]
    pub emails: String,
}
crate::auth::csrf_form!(ExclusionForm);

pub(super) fn exclusions_section(
    user: &CurrentUser,
    excluded: &[(PersonId, String)],
    errors: &[FieldError],
) -> Markup {
    html! {
        section.card aria-labelledby="exclusions" {
            h2 #exclusions { "Colleagues you are never paired with" }
            p.hint {
                "Private: nobody else sees this list — not your " "manager, not admins — and the colleague never learns it. "
                "It holds in every programme."
            }
            @if excluded.is_empty() {
                p { "Nobody." }
            } @else {
                ul.exclusions {
                    @for (id, name) in excluded {
                        li {
                            (name) " "
                            form.inline method="post" action=(format!("/connect/exclusions/{id}/remove")) {
                                (csrf_field(user))
                                button.secondary type="submit" aria-label=(format!("Allow pairing with {name} again")) { "Remove" }
                            }
                        }
                    }
                }
            }
            (error_summary(errors, "x-"))
            form.advice-form method="post" action="/connect/exclusions" novalidate {
                (csrf_field(user))
                input type="hidden" name="people" value="" data-chosen-ids;
                ul.chosen aria-label="Colleagues to exclude" aria-live="polite" {}
                div.field {
                    label for="x-emails" { "Colleague" }
                    input #x-emails type="search" name="emails" autocomplete="off"
                        data-people-search="10" data-me=(user.viewer.person_id().0) placeholder="Type a name or e-mail"
                        aria-invalid=[(!errors.is_empty()).then_some("true")];
                    p.hint { "Type to search, then choose; or write e-mail addresses separated by commas." }
                    ul.search-results role="listbox" aria-label="Matching colleagues" {}
                }
                div.actions { button type="submit" { "Never pair us" } }
            }
        }
    }
}

/// People chosen by id (the search) or typed e-mail, each wrong one named at `field`.
pub(crate) async fn chosen(
    state: &AppState,
    ids: &str,
    emails: &str,
    field: &str,
) -> Result<Vec<PersonId>, CoreError> {
    let mut people = Vec::new();
    for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let id: i64 = id
            .parse()
            .map_err(|_| CoreError::field(field, format!("{id:?} is not a person's id")))?;
        people.push(PersonId(id));
    }
    for email in emails
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match state.store.person_id_by_email(email).await? {
            Some(id) => people.push(id),
            None => {
                return Err(CoreError::field(
                    field,
                    format!("nobody has the e-mail {email:?}"),
                ));
            }
        }
    }
    if people.is_empty() {
        return Err(CoreError::field(field, "choose a colleague"));
    }
    people.sort();
    people.dedup();
    Ok(people)
}

pub async fn add_exclusions(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<ExclusionForm>,
) -> Result<Response, PageError> {
    let mut result = chosen(&state, &form.people, &form.emails, "emails").await;
    if let Ok(people) = &result {
        for person in people {
            if let Err(e) = programmes::set_exclusion(
                state.store.as_ref(),
                &user.viewer,
                *person,
                true,
                crate::now(),
            )
            .await
            {
                result = Err(match e {
                    CoreError::NotFound(_) => {
                        CoreError::field("emails", "that colleague is not in Trellis")
                    }
                    other => other,
                });
                break;
            }
        }
    }
    match result {
        Ok(_) => Ok(axum::response::Redirect::to("/connect").into_response()),
        Err(CoreError::Invalid(errors)) => {
            let settings = settings(&state).await?;
            let errors: Vec<FieldError> = errors
                .into_iter()
                .map(|e| FieldError::new("emails", e.message))
                .collect();
            let today = trellis_core::clock::local_date(None, crate::now()).to_string();
            let programme = ProgrammeForm {
                first_round_on: today,
                ..Default::default()
            };
            let page = list_page(&state, &user, &settings, &[], &programme, &errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn remove_exclusion(
    State(state): State<AppState>,
    Path(person): Path<i64>,
    CsrfForm(user, _form): CsrfForm<crate::pages::ConfirmForm>,
) -> Result<Response, PageError> {
    programmes::set_exclusion(
        state.store.as_ref(),
        &user.viewer,
        PersonId(person),
        false,
        crate::now(),
    )
    .await?;
    Ok(axum::response::Redirect::to("/connect").into_response())
}
