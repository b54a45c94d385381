//! `/connect/working-hours`: when a person works, so each connection round suggests a
//! 30-minute meeting inside both people's hours, in each one's time zone.

use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::connect::api::WorkingHoursBody;
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, error_for, error_summary, settings};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::connect::slots::{self, WorkingHours};
use trellis_core::{CoreError, FieldError};

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The form as typed: a box per weekday (`day1` is Monday), two times, or "reset".
#[derive(Debug, Default, Clone, Deserialize)]
pub struct HoursForm {
    #[serde(default)]
    pub csrf: String,
    pub day1: Option<String>,
    pub day2: Option<String>,
    pub day3: Option<String>,
    pub day4: Option<String>,
    pub day5: Option<String>,
    pub day6: Option<String>,
    pub day7: Option<String>,
    #[serde(default)]
    pub starts: String,
    #[serde(default)]
    pub ends: String,
    #[serde(default)]
    pub reset: String,
}
crate::auth::csrf_form!(HoursForm);

impl HoursForm {
    fn from_hours(h: &WorkingHours) -> HoursForm {
        let body = WorkingHoursBody::from(h);
        let on = |d: u8| h.weekdays.contains(&d).then(|| "on".to_string());
        HoursForm {
            day1: on(1),
            day2: on(2),
            day3: on(3),
            day4: on(4),
            day5: on(5),
            day6: on(6),
            day7: on(7),
            starts: body.starts,
            ends: body.ends,
            ..HoursForm::default()
        }
    }

    fn days(&self) -> [bool; 7] {
        [
            &self.day1, &self.day2, &self.day3, &self.day4, &self.day5, &self.day6, &self.day7,
        ]
        .map(Option::is_some)
    }

    fn body(&self) -> WorkingHoursBody {
        WorkingHoursBody {
            weekdays: (1..=7).filter(|d| self.days()[*d as usize - 1]).collect(),
            starts: self.starts.clone(),
            ends: self.ends.clone(),
        }
    }
}

/// "Monday to Friday, 09:00–17:00", or "Monday, Wednesday and Friday, 08:00–12:00".
pub(crate) fn describe_hours(h: &WorkingHours) -> String {
    let name = |d: &u8| DAYS[(*d as usize).clamp(1, 7) - 1];
    let days = &h.weekdays;
    let run = days.windows(2).all(|w| w[1] == w[0] + 1);
    let named = match days.as_slice() {
        [] => String::new(),
        [one] => name(one).to_string(),
        [first, .., last] if run && days.len() > 2 => format!("{} to {}", name(first), name(last)),
        [init @ .., last] => format!(
            "{} and {}",
            init.iter().map(name).collect::<Vec<_>>().join(", "),
            name(last)
        ),
    };
    format!(
        "{named}, {}–{}",
        h.starts.format("%H:%M"),
        h.ends.format("%H:%M")
    )
}

/// The part of `/connect` that shows the hours and links to the form.
pub(crate) fn hours_section(hours: &WorkingHours) -> Markup {
    html! {
        section.card aria-labelledby="working-hours" {
            h2 #working-hours { "Your working hours" }
            p { (describe_hours(hours)) ", in your time zone." }
            p.hint { "Each round suggests 30 minutes inside the working hours of everyone in the group, on days none of you is away." }
            p { a href="/connect/working-hours" { "Change your working hours" } }
        }
    }
}

fn hours_page(
    user: &CurrentUser,
    settings: &trellis_core::settings::Settings,
    form: &HoursForm,
    errors: &[FieldError],
) -> Markup {
    let days = form.days();
    let invalid = |field: &str| error_for(errors, field).map(|_| "true");
    page(
        &Frame {
            user,
            settings,
            section: "connect",
        },
        "Your working hours",
        html! {
            p.breadcrumb { a href="/connect" { "Connect" } }
            h1 { "Your working hours" }
            p.lead { "Connection rounds suggest a 30-minute meeting inside these hours, in your time zone. Nobody else sees them; they only shape the suggestion." }
            (error_summary(errors, "h-"))
            form method="post" action="/connect/working-hours" novalidate {
                (csrf_field(user))
                fieldset #h-weekdays aria-invalid=[invalid("weekdays")] {
                    legend { "Days you work" }
                    @if let Some(e) = error_for(errors, "weekdays") { p.error-message { (e) } }
                    @for (i, day) in DAYS.iter().enumerate() {
                        label.check {
                            input type="checkbox" name=(format!("day{}", i + 1)) checked[days[i]];
                            " " (day)
                        }
                    }
                }
                @for (name, label) in [("starts", "Your day starts at"), ("ends", "and ends at")] {
                    div.field {
                        label for=(format!("h-{name}")) { (label) }
                        @if let Some(e) = error_for(errors, name) { p.error-message id=(format!("h-{name}-error")) { (e) } }
                        input id=(format!("h-{name}")) type="time" name=(name)
                            value=(if name == "starts" { &form.starts } else { &form.ends })
                            aria-invalid=[invalid(name)];
                    }
                }
                div.actions {
                    button type="submit" { "Save working hours" }
                    " "
                    button.secondary type="submit" name="reset" value="1" { "Back to 09:00–17:00 on weekdays" }
                }
            }
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    PageUser(user): PageUser,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let hours = slots::my_working_hours(state.store.as_ref(), &user.viewer).await?;
    Ok(hours_page(
        &user,
        &settings,
        &HoursForm::from_hours(&hours),
        &[],
    ))
}

pub async fn save(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<HoursForm>,
) -> Result<Response, PageError> {
    let hours = if form.reset.is_empty() {
        match form.body().parsed() {
            Ok(hours) => Some(hours),
            Err(CoreError::Invalid(errors)) => return refuse(&state, &user, &form, errors).await,
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    match slots::set_my_working_hours(state.store.as_ref(), &user.viewer, hours, crate::now()).await
    {
        Ok(_) => Ok(Redirect::to("/connect#working-hours").into_response()),
        Err(CoreError::Invalid(errors)) => refuse(&state, &user, &form, errors).await,
        Err(e) => Err(e.into()),
    }
}

async fn refuse(
    state: &AppState,
    user: &CurrentUser,
    form: &HoursForm,
    errors: Vec<FieldError>,
) -> Result<Response, PageError> {
    let settings = settings(state).await?;
    let page = hours_page(user, &settings, form, &errors);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    #[test]
    fn hours_read_as_a_sentence() {
        assert_eq!(
            describe_hours(&WorkingHours::default()),
            "Monday to Friday, 09:00–17:00"
        );
        let odd = WorkingHours {
            weekdays: vec![1, 3, 5],
            starts: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
            ends: NaiveTime::from_hms_opt(12, 30, 0).unwrap(),
        };
        assert_eq!(
            describe_hours(&odd),
            "Monday, Wednesday and Friday, 08:00–12:30"
        );
    }
}
