//! The one error type of the domain. The web layer maps each variant to a status code.

use serde::Serialize;

/// A problem with one input field, shown next to that field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a use case could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("you are not allowed to {0}")]
    Forbidden(String),
    #[error("sign-in required")]
    Unauthenticated,
    #[error("{}", describe_fields(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooManyAttempts(String),
    /// The database could not be reached or answered with an error.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

fn describe_fields(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

impl CoreError {
    /// A validation error on a single field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        CoreError::Invalid(vec![FieldError::new(field, message)])
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
