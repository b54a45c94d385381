//! The web layer: an axum router with server-rendered pages (`pages`), the JSON API
//! (`api`) with its OpenAPI document, and sign-in (`auth`).
//!
//! Errors: handlers return [`error::PageError`] (HTML) or [`error::ApiError`] (JSON); both
//! are built from `CoreError` by the one mapping in [`error`].

pub mod account;
pub mod admin;
pub mod api;
pub mod assessments;
pub mod auth;
pub mod connect;
pub mod conversations;
pub mod dashboards;
pub mod decisions;
pub mod development;
pub mod digest;
pub mod error;
pub mod growth;
pub mod home;
pub mod inbox;
pub mod influence;
pub mod mentoring;
pub mod org;
pub mod pages;
pub mod provisioning;
pub mod reviews;
pub mod scorecards;
pub mod succession;
pub mod transitions;
pub mod work;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::Arc;
use trellis_core::Store;
use trellis_core::settings::Settings;

/// Largest request body outside imports.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Largest CSV upload through the web by default (`max_upload_mb`; the CLI takes larger).
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

/// Settings the web layer needs, passed down from the binary's configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` names the client; from anyone else it is ignored.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Largest CSV upload, decided from `Content-Length` before the body is read.
    pub max_upload_bytes: usize,
    /// Where people reach Trellis: links in mails start here.
    pub site: trellis_core::mail::Site,
    /// Why mail is not being sent, when it is not (no SMTP server configured, or a bad
    /// setting): shown to admins, who otherwise see queued mail wait.
    pub mail_problem: Option<String>,
    /// The OpenID provider people sign in with, when single sign-on is set up.
    pub sso: Option<Arc<trellis_sso::Provider>>,
    /// E-mail domains whose addresses the provider is trusted to have verified.
    pub trusted_domains: trellis_core::auth::sso::TrustedDomains,
    /// Whether people may sign in with a password (off: single sign-on only, and the
    /// command line's one-time links).
    pub local_passwords: bool,
    /// Why single sign-on is off although it is configured (shown to admins).
    pub sso_problem: Option<String>,
    /// Seals private 1:1 notes and calendar addresses (the `secret_key` setting).
    pub note_key: trellis_core::conversations::sealed::NoteKey,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            trusted_proxies: Vec::new(),
            max_upload_bytes: MAX_UPLOAD_BYTES,
            site: trellis_core::mail::Site::new("http://127.0.0.1:8080"),
            mail_problem: Some("no SMTP server is configured (smtp_url)".into()),
            sso: None,
            trusted_domains: Default::default(),
            local_passwords: true,
            sso_problem: None,
            // A key of this process only: notes sealed with it open until it stops. A real
            // server is given its key from configuration.
            note_key: trellis_core::conversations::sealed::NoteKey::from_hex(
                &trellis_core::conversations::sealed::NoteKey::generate_hex(),
            )
            .expect("a generated key"),
        }
    }
}

/// Shared state of every request. Nothing read from the database is kept here: the store
/// keeps its own caches, exact across instances, so a write anywhere shows at once.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<WebConfig>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: WebConfig) -> Self {
        AppState {
            store,
            config: Arc::new(config),
        }
    }

    /// The organisation's settings.
    pub async fn settings(&self) -> Result<Settings, trellis_core::CoreError> {
        self.store.settings().await
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .nest("/scim/v2", provisioning::scim::routes())
        .route("/healthz", get(healthz))
        .route("/static/app.css", get(stylesheet))
        .route("/static/app.js", get(script))
        .route("/static/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error_pages,
        ))
        .layer(axum::middleware::from_fn(pages::flash::shown))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            reads_in_one_view,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            upload_limit,
        ))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// An error page keeps the person's navigation and speaks in the organisation's words:
/// handlers answer a [`error::PageError`]; this draws it inside the layout of whoever is
/// signed in (a bare page for nobody).
async fn error_pages(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let mut looked_up = parts.clone();
    let response = next
        .run(axum::extract::Request::from_parts(parts, body))
        .await;
    let Some(error) = response.extensions().get::<error::PageError>().cloned() else {
        return response;
    };
    let Ok(settings) = state.settings().await else {
        return response;
    };
    let error = error.in_words(&settings);
    let user = match auth::current_page_user(&mut looked_up, &state).await {
        Some(user) => user,
        None => {
            let page = pages::layout::bare(&error.title, error.body());
            return (error.status, page).into_response();
        }
    };
    let frame = pages::layout::Frame {
        user: &user,
        settings: &settings,
        section: "",
    };
    let page = pages::layout::page(&frame, &error.title, error.body());
    (error.status, page).into_response()
}

/// A GET or HEAD only reads: its cached reads are checked against the database once (see
/// `Store::read_in_one_view`). Other methods check at every read, so that they read back
/// what they wrote.
async fn reads_in_one_view(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    ) {
        return next.run(request).await;
    }
    let mut response = None;
    let slot = &mut response;
    state
        .store
        .read_in_one_view(Box::pin(async move {
            *slot = Some(next.run(request).await);
        }))
        .await;
    // The store runs the request to its end; a store that did not would answer 500.
    response.unwrap_or_else(|| axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Upload routes take bodies up to `max_upload_bytes` (checked by [`upload_limit`]) instead
/// of the small default.
pub(crate) fn upload_body() -> DefaultBodyLimit {
    DefaultBodyLimit::disable()
}

/// Room for a multipart form's fields and boundaries around the file.
const FORM_OVERHEAD_BYTES: usize = 64 * 1024;

/// Refuses a body over the upload limit from its `Content-Length`, before reading it, so a
/// browser shows the sentence rather than a reset connection; a body without a length is
/// cut at the limit as it streams in.
async fn upload_limit(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let limit = state.config.max_upload_bytes + FORM_OVERHEAD_BYTES;
    let length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if length.is_some_and(|l| l > limit as u64) {
        let mb = state.config.max_upload_bytes / (1024 * 1024);
        let sentence = format!(
            "The upload is larger than {mb} MB, the most this server takes. Split the file, \
             import it from the command line (trellis import), or ask the administrator to \
             raise max_upload_mb."
        );
        return if request.uri().path().starts_with("/api/") {
            error::ApiError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                sentence,
            )
            .into_response()
        } else {
            error::PageError::new(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                "File too large",
                sentence,
            )
            .into_response()
        };
    }
    // An import holds the file, its rows and its plan at once; once it is answered that
    // memory is free but the allocator keeps it, so a server that took one 20 MB file
    // would stay 75 MB larger for good.
    let large = length.is_some_and(|l| l > 1024 * 1024) || request.uri().path().contains("import");
    let (parts, body) = request.into_parts();
    let body = axum::body::Body::new(http_body_util::Limited::new(body, limit));
    let response = next
        .run(axum::extract::Request::from_parts(parts, body))
        .await;
    if large {
        give_memory_back();
    }
    response
}

static MEMORY_RELEASE: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets how freed memory is handed back to the system, for a binary with its own global
/// allocator (glibc's `malloc_trim` otherwise).
pub fn set_memory_release(release: fn()) {
    let _ = MEMORY_RELEASE.set(release);
}

/// Returns freed heap memory to the system: allocators keep it for reuse, and a large block
/// freed in the middle of a heap (an upload, an import's rows) would stay with the process.
pub fn give_memory_back() {
    if let Some(release) = MEMORY_RELEASE.get() {
        release();
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of glibc's heaps; it takes no pointers
    // and may run at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Scripts and styles only from Trellis itself (an injected `<script>` does not run);
/// `style` attributes stay allowed for the bar widths drawn on the server; no framing, no
/// plugins, forms post only here.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Headers on every answer. Pages and API answers hold private data: no cache keeps them
/// (static assets set their own caching). A 503 says when to try again.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();
    let set = |headers: &mut axum::http::HeaderMap, name, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(
        headers,
        header::CONTENT_SECURITY_POLICY,
        CONTENT_SECURITY_POLICY,
    );
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "same-origin");
    if !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    if status == axum::http::StatusCode::SERVICE_UNAVAILABLE
        && !headers.contains_key(header::RETRY_AFTER)
    {
        set(headers, header::RETRY_AFTER, "5");
    }
    response
}

/// Liveness and database reachability, for load balancers.
async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::response::Response {
    match state.store.ping().await {
        Ok(()) => {
            axum::Json(serde_json::json!({"status": "ok", "database": state.store.backend()}))
                .into_response()
        }
        Err(e) => {
            // Anyone may call this: the database's own words go to the log only.
            tracing::warn!(error = %e, "health check: database unreachable");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(
                    serde_json::json!({"status": "unavailable", "message": "database unreachable"}),
                ),
            )
                .into_response()
        }
    }
}

const CSS: &str = include_str!("../static/app.css");
const JS: &str = include_str!("../static/app.js");
const FAVICON: &str = include_str!("../static/favicon.svg");

fn asset(body: &'static str, content_type: &'static str) -> axum::response::Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

async fn stylesheet() -> axum::response::Response {
    asset(CSS, "text/css; charset=utf-8")
}

async fn script() -> axum::response::Response {
    asset(JS, "text/javascript; charset=utf-8")
}

async fn favicon() -> axum::response::Response {
    asset(FAVICON, "image/svg+xml")
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// Today on the server's calendar.
pub fn today() -> chrono::NaiveDate {
    trellis_core::clock::local_date(None, now())
}
