//! The organisation's pages: the directory, the org chart, teams, the ladder and uploads.

pub mod ladder;
pub mod org;
pub mod people;
pub mod teams;
pub(crate) mod upload;

pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .merge(people::routes())
        .merge(org::routes())
        .merge(teams::routes())
}
