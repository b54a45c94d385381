//! The one place where domain errors become HTTP responses: JSON for the API
//! (`{ "error": { "code", "message", "fields" } }`) and an HTML page for the UI.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use trellis_core::{CoreError, FieldError};
use utoipa::ToSchema;

/// Status and machine-readable code of a domain error.
pub fn classify(e: &CoreError) -> (StatusCode, &'static str) {
    match e {
        CoreError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
        CoreError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
        CoreError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        CoreError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
        CoreError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        CoreError::TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_attempts"),
        CoreError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        CoreError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
    }
}

/// What clients may read of an error: internal detail is logged, never sent.
fn public_message(e: &CoreError) -> String {
    match e {
        CoreError::Internal(detail) => {
            tracing::error!(%detail, "internal error");
            "something went wrong on our side; the error has been logged".into()
        }
        CoreError::Unavailable(detail) => {
            tracing::warn!(%detail, "database unavailable");
            "the database is unavailable right now; try again in a moment".into()
        }
        other => other.to_string(),
    }
}

/// The body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

/// Details of an API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine-readable: not_found, forbidden, unauthenticated, invalid, conflict, …
    pub code: String,
    pub message: String,
    /// Field-level problems, for `invalid`.
    pub fields: Vec<FieldErrorResponse>,
}

/// A problem with one field of the request.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorResponse {
    pub field: String,
    pub message: String,
}

impl From<&FieldError> for FieldErrorResponse {
    fn from(f: &FieldError) -> Self {
        FieldErrorResponse {
            field: f.field.clone(),
            message: f.message.clone(),
        }
    }
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorResponse,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            body: ErrorResponse {
                error: ErrorBody {
                    code: code.into(),
                    message: message.into(),
                    fields: Vec::new(),
                },
            },
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        let (status, code) = classify(&e);
        let fields = match &e {
            CoreError::Invalid(f) => f.iter().map(FieldErrorResponse::from).collect(),
            _ => Vec::new(),
        };
        ApiError {
            status,
            body: ErrorResponse {
                error: ErrorBody {
                    code: code.into(),
                    message: public_message(&e),
                    fields,
                },
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("5"));
        }
        response
    }
}

/// An error answered as an HTML page. It is drawn inside the site's layout, with the
/// person's navigation, by [`crate::error_pages`]; on its own it is a bare page.
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub title: String,
    pub message: String,
    pub fields: Vec<FieldError>,
}

impl PageError {
    pub fn new(status: StatusCode, title: &str, message: impl Into<String>) -> Self {
        PageError {
            status,
            title: title.into(),
            message: message.into(),
            fields: Vec::new(),
        }
    }
}

impl From<CoreError> for PageError {
    fn from(e: CoreError) -> Self {
        let (status, _) = classify(&e);
        let (title, message) = match &e {
            CoreError::NotFound(what) => (
                "We could not find that",
                format!(
                    "Trellis has nothing at this address (it looked for the {what}). The link \
                     may be old, or what it pointed to was removed."
                ),
            ),
            CoreError::Forbidden(what) => {
                // Core says "verb the thing; who can": a sentence, then who to ask.
                let (action, who) = what.split_once("; ").unwrap_or((what, ""));
                let mut text = format!("You cannot {action}.");
                if !who.is_empty() {
                    text.push(' ');
                    text.push_str(&crate::pages::capitalised(who));
                    text.push('.');
                }
                text.push_str(" If you need to, ask your manager or a people admin.");
                ("This is not open to you", text)
            }
            CoreError::Invalid(_) => ("Please check your input", public_message(&e)),
            CoreError::Conflict(why) => (
                "That could not be done",
                format!("{}.", crate::pages::capitalised(why.trim_end_matches('.'))),
            ),
            CoreError::Unavailable(_) => ("Temporarily unavailable", public_message(&e)),
            CoreError::TooManyAttempts(_) => ("Too many attempts", public_message(&e)),
            _ => ("Something went wrong", public_message(&e)),
        };
        let fields = match &e {
            CoreError::Invalid(f) => f.clone(),
            _ => Vec::new(),
        };
        PageError {
            status,
            title: title.into(),
            message,
            fields,
        }
    }
}

impl PageError {
    /// The page's body: what happened, and the ways on.
    pub(crate) fn body(&self) -> maud::Markup {
        maud::html! {
            h1 { (self.title) }
            p.lead { (self.message) }
            @if !self.fields.is_empty() {
                ul.errors { @for f in &self.fields { li { strong { (f.field) } ": " (f.message) } } }
            }
            p { a href="/" { "Go to your home page" } " · " a href="/people" { "Search the directory" } }
        }
    }

    /// The message and fields in the organisation's words.
    pub(crate) fn in_words(mut self, settings: &trellis_core::settings::Settings) -> Self {
        self.message = crate::pages::in_org_words(&self.message, settings);
        self.title = crate::pages::in_org_words(&self.title, settings);
        for f in &mut self.fields {
            f.message = crate::pages::in_org_words(&f.message, settings);
        }
        self
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let body = crate::pages::layout::bare(&self.title, self.body());
        let mut response = (self.status, body).into_response();
        // For `error_pages`, which draws it again in the person's layout.
        response.extensions_mut().insert(self);
        response
    }
}
