//! The audit log: who changed what, when. Every capability writes its lines in the same
//! transaction as the change they record. The bottom layer: it imports no capability.

use crate::error::CoreResult;
use crate::ids::PersonId;
use async_trait::async_trait;
use serde::Serialize;

/// One line of the audit log.
#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: Option<PersonId>,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

impl AuditEntry {
    /// A line about a person: the log names and links them.
    pub fn about_person(
        at: i64,
        actor: PersonId,
        action: &str,
        person: PersonId,
        detail: String,
    ) -> Self {
        AuditEntry {
            at,
            actor: Some(actor),
            action: action.into(),
            subject: format!("person {person}"),
            detail,
        }
    }
}

/// An audit line as the log shows it: with the names of the person who acted and, when
/// the subject is a person, of that person.
#[derive(Debug, Clone, Serialize)]
pub struct AuditLine {
    pub entry: AuditEntry,
    pub actor_name: Option<String>,
    pub subject_person: Option<(PersonId, String)>,
}

/// Where audit lines are kept.
#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn audit(&self, entry: &AuditEntry) -> CoreResult<()>;
    async fn audit_log(&self, limit: i64) -> CoreResult<Vec<AuditLine>>;
}
