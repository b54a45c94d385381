//! What every page shares: the frame (`layout`), forms, formatting, errors. The pages
//! themselves live with their capability (`crate::org::pages`, `crate::work::pages`, …);
//! all of them go through the core services, so pages and API obey the same visibility
//! policy.

pub(crate) mod charts;
pub mod flash;
pub mod layout;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::settings::Settings;

pub fn routes() -> Router<AppState> {
    // Each module routes its own pages.
    Router::new()
        .merge(crate::home::pages::routes())
        .merge(crate::account::pages::routes())
        .merge(crate::account::links::routes())
        .merge(crate::account::sso::routes())
        .merge(crate::org::pages::routes())
        .merge(crate::work::pages::routes())
        .merge(crate::growth::pages::routes())
        .merge(crate::mentoring::pages::routes())
        .merge(crate::conversations::pages::routes())
        .merge(crate::reviews::pages::routes())
        .merge(crate::assessments::pages::routes())
        .merge(crate::admin::pages::routes())
        .merge(crate::influence::pages::routes())
        .merge(crate::connect::pages::routes())
        .merge(crate::digest::pages::routes())
        .merge(crate::development::pages::routes())
        .merge(crate::decisions::pages::routes())
        .merge(crate::succession::pages::routes())
        .merge(crate::transitions::pages::routes())
        .merge(crate::scorecards::pages::routes())
        .merge(crate::dashboards::pages::routes())
        .merge(crate::admin::accounts::routes())
        .merge(crate::provisioning::pages::routes())
        .merge(crate::inbox::pages::routes())
}

/// Settings for the frame; a failure here is a failure of the page.
pub(crate) async fn settings(state: &AppState) -> Result<Settings, PageError> {
    Ok(state.settings().await?)
}

/// A form that carries only its CSRF token (and, for actions asked once, `confirmed`).
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    pub csrf: String,
    #[serde(default)]
    pub confirmed: String,
}

/// An action that cannot be undone in one click is asked once: its button posts here
/// first, and this page repeats the form with `confirmed=1`. No JavaScript needed.
pub(crate) struct Confirmation<'a> {
    pub title: &'a str,
    pub question: Markup,
    pub action: String,
    /// Fields to send again with the confirmation (besides the CSRF token).
    pub fields: Vec<(&'a str, String)>,
    pub button: &'a str,
    pub back: String,
}

impl Confirmation<'_> {
    pub(crate) async fn page(
        self,
        state: &AppState,
        user: &CurrentUser,
    ) -> Result<axum::response::Response, PageError> {
        let settings = settings(state).await?;
        let frame = layout::Frame {
            user,
            settings: &settings,
            section: "",
        };
        let body = html! {
            h1 { (self.title) }
            p.lead { (self.question) }
            form.inline-forms method="post" action=(self.action) {
                (csrf_field(user))
                input type="hidden" name="confirmed" value="1";
                @for (name, value) in &self.fields { input type="hidden" name=(name) value=(value); }
                button type="submit" { (self.button) }
                " "
                a.button.secondary href=(self.back) { "Go back" }
            }
        };
        Ok(layout::page(&frame, self.title, body).into_response())
    }
}

/// Whether a posted form carries the confirmation.
pub(crate) fn confirmed(value: &str) -> bool {
    value == "1"
}

/// The hidden CSRF field of every form.
pub(crate) fn csrf_field(user: &CurrentUser) -> Markup {
    html! { input type="hidden" name="csrf" value=(user.csrf.clone().unwrap_or_default()); }
}

/// Unknown paths.
pub async fn not_found() -> impl IntoResponse {
    PageError::new(
        StatusCode::NOT_FOUND,
        "We could not find that",
        "There is no page at this address. It may have moved, or the link may be wrong.",
    )
}

/// "1 report" / "3 reports".
pub(crate) fn plural(n: i64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The first error for a field (or one of its items), to show beside it.
pub(crate) fn error_for<'a>(
    errors: &'a [trellis_core::FieldError],
    field: &str,
) -> Option<&'a str> {
    errors
        .iter()
        .find(|e| e.field == field || e.field.starts_with(&format!("{field}[")))
        .map(|e| e.message.as_str())
}

/// The list of problems at the top of a form, each linking to its field.
pub(crate) fn error_summary(errors: &[trellis_core::FieldError], prefix: &str) -> Markup {
    html! {
        @if !errors.is_empty() {
            div.error-summary role="alert" {
                p { strong { "Please correct the following:" } }
                ul { @for e in errors {
                    li { a href=(format!("#{prefix}{}", e.field.split('[').next().unwrap_or(""))) { (e.message) } }
                } }
            }
        }
    }
}

/// A labelled input with its hint and error. `id` is `{prefix}{name}`.
pub(crate) fn input_field(
    errors: &[trellis_core::FieldError],
    prefix: &str,
    name: &str,
    label: &str,
    value: &str,
    kind: &str,
    hint: Option<&str>,
) -> Markup {
    let err = error_for(errors, name);
    let id = format!("{prefix}{name}");
    html! {
        div.field {
            label for=(id) { (label) }
            input id=(id) type=(kind) name=(name) value=(value) step=[(kind == "number").then_some("any")]
                aria-invalid=[err.map(|_| "true")] aria-describedby=[err.map(|_| format!("{id}-error"))];
            @if let Some(h) = hint { p.hint { (h) } }
            @if let Some(e) = err { p.field-error id=(format!("{id}-error")) { (e) } }
        }
    }
}

/// Reads a date typed in a form (`YYYY-MM-DD`); empty is `None`, nonsense an error.
pub(crate) fn form_date(
    errors: &mut Vec<trellis_core::FieldError>,
    field: &str,
    text: &str,
) -> Option<chrono::NaiveDate> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.push(trellis_core::FieldError::new(
                field,
                format!("{t:?} is not a date; use the form YYYY-MM-DD"),
            ));
            None
        }
    }
}

/// Reads a number typed in a form; empty is `None`, nonsense an error.
pub(crate) fn form_number(
    errors: &mut Vec<trellis_core::FieldError>,
    field: &str,
    text: &str,
) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.replace(',', ".").parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errors.push(trellis_core::FieldError::new(
                field,
                format!("{t:?} is not a number"),
            ));
            None
        }
    }
}

/// Hours without needless decimals: 6, 6.5, 44.8.
pub(crate) fn hours(h: f64) -> String {
    let rounded = (h * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0} h")
    } else {
        format!("{rounded:.1} h")
    }
}

/// A horizontal bar for a share (0–1, capped at 1.5 for drawing) with its text beside it,
/// so the figure never depends on colour or length alone.
pub(crate) fn bar(share: f64, label: &str, alert: bool) -> Markup {
    let width = (share.clamp(0.0, 1.5) / 1.5 * 100.0).round();
    html! {
        span.bar-wrap {
            span.bar-track aria-hidden="true" {
                span class=(if alert { "bar-fill alert" } else { "bar-fill" }) style=(format!("width:{width}%")) {}
                span.bar-mark style=(format!("left:{:.0}%", 100.0 / 1.5)) {}
            }
            span.bar-label { (label) }
        }
    }
}

/// A moment as pages show it: in the viewer's time zone, named (`2026-03-11 07:30 CET`);
/// in UTC when the viewer has none or an unknown one. Every page time goes through here.
pub(crate) fn format_time(at: i64, viewer: &CurrentUser) -> String {
    trellis_core::clock::local_time(viewer.account.time_zone.as_deref(), at)
}

/// A day as pages show it (`1 Dec 2026`). Every page date outside compact tables goes
/// through here.
pub(crate) fn format_date(day: chrono::NaiveDate) -> String {
    day.format("%-d %b %Y").to_string()
}

/// Progress (0–1) as a bar with a mark where it should be by now, and the figure beside it.
pub(crate) fn progress_bar(progress: f64, expected: f64, label: &str) -> Markup {
    let width = (progress.clamp(0.0, 1.0) * 100.0).round();
    html! {
        span.bar-wrap {
            span.bar-track aria-hidden="true" {
                span.bar-fill style=(format!("width:{width}%")) {}
                span.bar-mark style=(format!("left:{:.0}%", expected.clamp(0.0, 1.0) * 100.0)) {}
            }
            span.bar-label { (label) }
        }
    }
}

/// After a form post: to `redirect` with its success message on success, the form again
/// with its errors (422) when the input was invalid, the error page otherwise.
pub(crate) async fn after_post<Fut>(
    result: Result<(), trellis_core::CoreError>,
    redirect: String,
    done: Option<flash::Flash>,
    rerender: impl FnOnce(Vec<trellis_core::FieldError>) -> Fut,
) -> Result<axum::response::Response, PageError>
where
    Fut: std::future::Future<Output = Result<Markup, PageError>>,
{
    match result {
        Ok(()) => Ok(match done {
            Some(done) => flash::redirect(&redirect, done),
            None => axum::response::Redirect::to(&redirect).into_response(),
        }),
        Err(trellis_core::CoreError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, rerender(errors).await?).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

crate::auth::csrf_form!(ConfirmForm);

/// A core message as the start of a sentence.
pub(crate) fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A sentence in the organisation's words: "manager" becomes its word for a manager
/// (core's messages say "manager", in lower case; a capitalised "Manager" is left alone, as
/// it is part of a name or a job title such as "Engineering Manager").
pub(crate) fn in_org_words(text: &str, settings: &Settings) -> String {
    if settings.manager_word == "manager" {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("manager") {
        let whole_start = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..at]);
        rest = &rest[at + "manager".len()..];
        let plural = rest.starts_with('s') && !rest[1..].starts_with(char::is_alphanumeric);
        let whole_end = plural || !rest.starts_with(char::is_alphanumeric);
        if !(whole_start && whole_end) {
            out.push_str("manager");
        } else if plural {
            rest = &rest[1..];
            out.push_str(&settings.manager_word_plural);
        } else {
            out.push_str(&settings.manager_word);
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_use_the_organisations_word_for_a_manager() {
        let settings = Settings {
            manager_word: "lead".into(),
            manager_word_plural: "leads".into(),
            ..Default::default()
        };
        assert_eq!(
            in_org_words(
                "only the owner's manager chain can; ask their manager (managers decide)",
                &settings
            ),
            "only the owner's lead chain can; ask their lead (leads decide)"
        );
        assert_eq!(
            in_org_words("Max Manager, managerial, the manager's", &settings),
            "Max Manager, managerial, the lead's"
        );
    }
    use trellis_core::access::Viewer;
    use trellis_core::auth::Account;
    use trellis_core::{AccountId, PersonId};

    fn viewer_in(time_zone: Option<&str>) -> CurrentUser {
        CurrentUser {
            viewer: Viewer::signed_in(AccountId(1), PersonId(1), false, 0),
            account: Account {
                id: AccountId(1),
                person_id: PersonId(1),
                email: "ada@example.org".into(),
                display_name: "Ada".into(),
                is_admin: false,
                password_hash: None,
                report_count: 0,
                time_zone: time_zone.map(str::to_string),
            },
            csrf: None,
            unread: 0,
            flash: None,
        }
    }

    #[test]
    fn times_are_shown_in_the_viewers_time_zone_and_name_it() {
        // 2026-03-11 06:30 UTC; 2026-07-01 12:00 UTC (summer time in Berlin and New York).
        let (winter, summer) = (1_773_210_600, 1_782_907_200);
        let berlin = viewer_in(Some("Europe/Berlin"));
        assert_eq!(format_time(winter, &berlin), "2026-03-11 07:30 CET");
        assert_eq!(format_time(summer, &berlin), "2026-07-01 14:00 CEST");
        let new_york = viewer_in(Some("America/New_York"));
        assert_eq!(format_time(summer, &new_york), "2026-07-01 08:00 EDT");
        assert_eq!(
            format_time(winter, &viewer_in(None)),
            "2026-03-11 06:30 UTC"
        );
        assert_eq!(
            format_time(winter, &viewer_in(Some("Mars/Olympus"))),
            "2026-03-11 06:30 UTC"
        );
    }
}
