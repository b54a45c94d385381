//! Who is asking: a session cookie (pages and API) or `Authorization: Bearer TOKEN` (API).
//! Extractors turn either into a [`CurrentUser`] carrying the core `Viewer`.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use trellis_core::access::Role;
use trellis_core::auth::{Account, SESSION_DAYS, token_digest};
use trellis_core::{CoreError, Viewer};

pub const SESSION_COOKIE: &str = "trellis_session";
pub const SIGNIN_CSRF_COOKIE: &str = "trellis_signin_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The signed-in person making this request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub viewer: Viewer,
    pub account: Account,
    /// The session's CSRF token; `None` when authenticated by an API token.
    pub csrf: Option<String>,
    /// Unread notifications, for the bell in the navigation (pages only; 0 for the API).
    pub unread: i64,
    /// The success message of the form just saved, for this page to show.
    pub flash: Option<crate::pages::flash::Flash>,
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        self.viewer.role()
    }

    /// Checks a form's CSRF token against the session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), CoreError> {
        match &self.csrf {
            Some(expected) if constant_time_eq(expected.as_bytes(), submitted.as_bytes()) => Ok(()),
            _ => Err(CoreError::Forbidden(
                "submit this form: it has expired or did not come from Trellis; reload the page and try again"
                    .into(),
            )),
        }
    }
}

pub use trellis_core::auth::constant_time_eq;

fn viewer_of(account: &Account) -> Viewer {
    Viewer::signed_in(
        account.id,
        account.person_id,
        account.is_admin,
        account.report_count,
    )
}

/// How authentication of a request ended.
enum Lookup {
    SignedIn(CurrentUser),
    Anonymous,
    /// A cookie or token was sent but is no longer (or never was) valid.
    Expired,
}

async fn lookup(parts: &Parts, state: &AppState) -> Result<Lookup, CoreError> {
    let now = crate::now();
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or("");
        let digest = token_digest(token);
        return Ok(
            match state.store.account_by_api_token(&digest, now).await? {
                Some(account) => Lookup::SignedIn(CurrentUser {
                    viewer: viewer_of(&account),
                    account,
                    csrf: None,
                    unread: 0,
                    flash: None,
                }),
                None => Lookup::Expired,
            },
        );
    }
    let jar = CookieJar::from_headers(&parts.headers);
    let Some(cookie) = jar.get(SESSION_COOKIE) else {
        return Ok(Lookup::Anonymous);
    };
    let digest = token_digest(cookie.value());
    Ok(match state.store.session(&digest, now).await? {
        Some(session) => Lookup::SignedIn(CurrentUser {
            viewer: viewer_of(&session.account),
            account: session.account,
            csrf: Some(session.csrf_token),
            unread: 0,
            flash: None,
        }),
        None => Lookup::Expired,
    })
}

/// A signed-in user on a page; anyone else is sent to the sign-in page.
pub struct PageUser(pub CurrentUser);

/// The signed-in person of a page request, with their unread count, or nobody.
pub(crate) async fn current_page_user(parts: &mut Parts, state: &AppState) -> Option<CurrentUser> {
    PageUser::from_request_parts(parts, state)
        .await
        .ok()
        .map(|PageUser(user)| user)
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match lookup(parts, state).await {
            Ok(Lookup::SignedIn(mut user)) => {
                user.flash = crate::pages::flash::carried(&parts.headers);
                user.unread = state
                    .store
                    .unread_count(user.viewer.person_id())
                    .await
                    .map_err(|e| crate::error::PageError::from(e).into_response())?;
                Ok(PageUser(user))
            }
            Ok(other) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let expired = matches!(other, Lookup::Expired);
                let target = format!(
                    "/signin?next={}{}",
                    encode_component(next),
                    if expired { "&expired=1" } else { "" }
                );
                Err(Redirect::to(&target).into_response())
            }
            Err(e) => Err(crate::error::PageError::from(e).into_response()),
        }
    }
}

/// A form posted by a signed-in person, its CSRF token checked against their session's:
/// handlers take `CsrfForm(user, form): CsrfForm<TheForm>` instead of checking by hand.
pub struct CsrfForm<T>(pub CurrentUser, pub T);

/// A form that carries the session's CSRF token (implemented with [`csrf_form!`]).
pub trait WithCsrf {
    fn csrf(&self) -> &str;
}

/// Implements [`WithCsrf`] for forms whose token is their `csrf` field.
macro_rules! csrf_form {
    ($($form:ty),+ $(,)?) => {
        $(impl $crate::auth::WithCsrf for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })+
    };
}
pub(crate) use csrf_form;

impl<T> axum::extract::FromRequest<AppState> for CsrfForm<T>
where
    T: serde::de::DeserializeOwned + WithCsrf + Send,
{
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &AppState,
    ) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let PageUser(user) = PageUser::from_request_parts(&mut parts, state).await?;
        let axum::Form(form) =
            axum::Form::<T>::from_request(axum::extract::Request::from_parts(parts, body), state)
                .await
                .map_err(IntoResponse::into_response)?;
        user.check_csrf(form.csrf())
            .map_err(|e| crate::error::PageError::from(e).into_response())?;
        Ok(CsrfForm(user, form))
    }
}

/// A signed-in API client. Cookie-authenticated writes must carry the `X-CSRF-Token` header.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match lookup(parts, state).await? {
            Lookup::SignedIn(user) => {
                let writes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
                if writes && user.csrf.is_some() {
                    let sent = parts
                        .headers
                        .get(CSRF_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    user.check_csrf(sent).map_err(|_| {
                        ApiError::new(
                            StatusCode::FORBIDDEN,
                            "csrf",
                            "cookie-authenticated writes need the X-CSRF-Token header of the session",
                        )
                    })?;
                }
                Ok(ApiUser(user))
            }
            Lookup::Anonymous => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "sign-in required: send Authorization: Bearer TOKEN or a session cookie",
            )),
            Lookup::Expired => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "the session has expired or the API token is not valid; sign in again",
            )),
        }
    }
}

/// The session cookie for a new session.
pub fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .max_age(time_days(SESSION_DAYS))
        .build()
}

/// A short-lived cookie carrying the sign-in form's CSRF token (double submit).
pub fn signin_csrf_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SIGNIN_CSRF_COOKIE, token))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .build()
}

fn time_days(days: i64) -> time::Duration {
    time::Duration::days(days)
}

/// Percent-encodes a query component.
pub fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The client's address: the peer, or — when the peer is one of `trusted_proxies` — the
/// nearest address in `X-Forwarded-For` that is not itself a trusted proxy. Empty when the
/// server was started without peer addresses (in-process tests).
pub fn client_address(
    parts: &axum::http::request::Parts,
    trusted_proxies: &[std::net::IpAddr],
) -> String {
    let Some(peer) = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return String::new();
    };
    if !trusted_proxies.contains(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<std::net::IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|a| !trusted_proxies.contains(a))
        .unwrap_or(&peer)
        .to_string()
}

/// Only same-origin relative paths are followed after sign-in. Browsers drop tabs and line
/// breaks from URLs (so `/\t/host` becomes `//host`, another origin) and read `\` as `/`:
/// anything but visible ASCII, and any second `/` or `\`, sends the user home instead.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !matches!(n.as_bytes().get(1), Some(b'/' | b'\\'))
                && n.bytes().all(|b| b.is_ascii_graphic() && b != b'\\') =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/people/3")), "/people/3");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        for sneaky in [
            "/\t/127.0.0.1:8080/x",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "/\\evil.example",
            "/ /evil.example",
            "/people\nSet-Cookie: x=1",
            "/\u{2028}/evil.example",
        ] {
            assert_eq!(safe_next(Some(sneaky)), "/", "{sneaky:?}");
        }
        assert_eq!(
            safe_next(Some("/people?q=a%20b#top")),
            "/people?q=a%20b#top"
        );
    }
}
