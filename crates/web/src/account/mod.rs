//! The signed-in account: signing in and out, `/api/v1/me`.

pub mod api;
pub mod links;
pub mod pages;
pub mod sso;
pub mod sso_api;

/// How people may sign in here, from the configuration: the sign-in page, the links a
/// mail opens and `/forgot` all offer the same.
#[derive(Clone, Copy)]
pub(crate) struct Ways<'a> {
    /// "Sign in with {label}" for single sign-on.
    pub sso: Option<&'a str>,
    pub passwords: bool,
}

pub(crate) fn ways(state: &crate::AppState) -> Ways<'_> {
    Ways {
        sso: state
            .config
            .sso
            .as_deref()
            .map(trellis_sso::Provider::label),
        passwords: state.config.local_passwords,
    }
}
