//! The storage boundary: the aggregate of every capability's storage trait.
//! `trellis-store` implements them with sqlx for SQLite and PostgreSQL.

use crate::error::CoreResult;
use async_trait::async_trait;
use std::future::Future;
use std::pin::Pin;

/// A future a store may run in a context of its own.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Everything the services need from a database: each capability's storage trait, which
/// `trellis-store` implements for SQL. A service takes the narrowest of them it needs (a
/// `&dyn Store` coerces to any); this aggregate is what the web and the binary hold.
#[async_trait]
pub trait Store:
    crate::org::store::OrgStore
    + crate::auth::store::AuthStore
    + crate::auth::store::LinksStore
    + crate::auth::sso::SsoStore
    + crate::settings::SettingsStore
    + crate::jobs::JobStore
    + crate::mail::MailStore
    + crate::audit::AuditStore
    + crate::notify::OutboxStore
    + crate::work::store::WorkStore
    + crate::growth::store::GrowthStore
    + crate::mentoring::store::MentoringStore
    + crate::conversations::store::ConversationStore
    + crate::reviews::store::ReviewStore
    + crate::assessments::store::AssessmentStore
    + crate::influence::store::InfluenceStore
    + crate::connect::store::ConnectStore
    + crate::digest::store::DigestStore
    + crate::development::store::DevelopmentStore
    + crate::decisions::store::DecisionStore
    + crate::succession::store::SuccessionStore
    + crate::transitions::store::TransitionStore
    + crate::scorecards::store::ScorecardStore
    + crate::provisioning::store::ProvisioningStore
    + Send
    + Sync
{
    /// Runs a request that only reads against one view of the database: a store that
    /// caches reads may check once whether anything changed, at the first cached read, and
    /// serve the rest of the request as of then. Requests that write must not use this, so
    /// that they read back their own writes. By default the request runs as it is.
    fn read_in_one_view<'a>(&'a self, request: BoxFuture<'a, ()>) -> BoxFuture<'a, ()> {
        request
    }

    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> CoreResult<()>;
}

/// Every storage trait, for code that holds a concrete store (the binary, the store's own
/// tests) rather than a `&dyn Store`, whose methods need no import.
pub mod prelude {
    pub use super::Store;
    pub use crate::assessments::store::AssessmentStore;
    pub use crate::audit::AuditStore;
    pub use crate::auth::sso::SsoStore;
    pub use crate::auth::store::AuthStore;
    pub use crate::connect::store::ConnectStore;
    pub use crate::conversations::store::ConversationStore;
    pub use crate::decisions::store::DecisionStore;
    pub use crate::development::store::DevelopmentStore;
    pub use crate::digest::store::DigestStore;
    pub use crate::growth::store::{GrowthStore, TalentStore};
    pub use crate::influence::store::InfluenceStore;
    pub use crate::jobs::JobStore;
    pub use crate::mail::MailStore;
    pub use crate::mentoring::store::MentoringStore;
    pub use crate::notify::OutboxStore;
    pub use crate::org::store::{DirectoryStore, ImportStore, OrgStore, PersonStore, TeamStore};
    pub use crate::provisioning::store::ProvisioningStore;
    pub use crate::reviews::store::ReviewStore;
    pub use crate::scorecards::store::ScorecardStore;
    pub use crate::settings::SettingsStore;
    pub use crate::succession::store::SuccessionStore;
    pub use crate::transitions::store::TransitionStore;
    pub use crate::work::store::{
        CapacityStore, CommitmentStore, DeliveryStore, ObjectiveStore, WorkStore,
    };
}
