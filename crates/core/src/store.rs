//! The storage boundary: the aggregate of every capability's storage trait.
//! `trellis-store` implements them with sqlx for SQLite and PostgreSQL.

use crate::error::CoreResult;
use async_trait::async_trait;

/// Everything the services need from a database: each capability's storage trait, which
/// `trellis-store` implements for SQL. A service takes the narrowest of them it needs (a
/// `&dyn Store` coerces to any); this aggregate is what the web and the binary hold.
#[async_trait]
pub trait Store:
    crate::org::store::OrgStore
    + crate::auth::store::AuthStore
    + crate::settings::SettingsStore
    + crate::jobs::JobStore
    + crate::audit::AuditStore
    + crate::work::store::WorkStore
    + crate::growth::store::GrowthStore
    + Send
    + Sync
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    async fn ping(&self) -> CoreResult<()>;
}

tokio::task_local! {
    /// The database's change counts that the cached reads of this request were checked
    /// against; taken at the request's first cached read.
    static READ_VIEW: std::cell::RefCell<Option<Vec<i64>>>;
}

/// Runs a request that only reads (GET) against one view of the database: a store that
/// caches reads asks the database whether anything changed once, at the first cached read,
/// and the rest of the request reads as of then. Requests that write must not use this,
/// so that they read back their own writes.
pub async fn in_one_view<F: std::future::Future>(request: F) -> F::Output {
    READ_VIEW
        .scope(std::cell::RefCell::new(None), request)
        .await
}

/// The change counts this request already read, when it runs in one view.
pub fn request_view() -> Option<Vec<i64>> {
    READ_VIEW.try_with(|v| v.borrow().clone()).ok().flatten()
}

/// Keeps the change counts just read for the rest of this request (when it runs in one view).
pub fn keep_request_view(counts: &[i64]) {
    let _ = READ_VIEW.try_with(|v| *v.borrow_mut() = Some(counts.to_vec()));
}

#[cfg(test)]
mod view_tests {
    use super::*;

    #[tokio::test]
    async fn a_view_lasts_one_request() {
        keep_request_view(&[1, 2]);
        assert_eq!(request_view(), None, "outside a request nothing is kept");
        let seen = in_one_view(async {
            assert_eq!(request_view(), None);
            keep_request_view(&[3, 4]);
            request_view()
        })
        .await;
        assert_eq!(seen, Some(vec![3, 4]));
        assert_eq!(in_one_view(async { request_view() }).await, None);
    }
}

/// Every storage trait, for code that holds a concrete store (the binary, the store's own
/// tests) rather than a `&dyn Store`, whose methods need no import.
pub mod prelude {
    pub use super::Store;
    pub use crate::audit::AuditStore;
    pub use crate::auth::store::AuthStore;
    pub use crate::growth::store::GrowthStore;
    pub use crate::jobs::JobStore;
    pub use crate::org::store::OrgStore;
    pub use crate::settings::SettingsStore;
    pub use crate::work::store::WorkStore;
}
