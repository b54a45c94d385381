//! Growth's pages: career plans, opportunities and the talent pool.

pub mod career;
pub mod opportunities;
pub mod talent;

pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .merge(opportunities::routes())
        .merge(career::routes())
        .merge(talent::routes())
}
