//! The JSON API under `/api/v1`, documented by an OpenAPI 3 document generated from these
//! handlers (`/api/v1/openapi.json`). Same services, same visibility policy as the pages.

// Each capability's API lives with it; the list of operations below names them so.

use crate::AppState;

use crate::error::ApiError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::de::DeserializeOwned;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .merge(documented_routes())
        .fallback(api_not_found)
        .layer(axum::middleware::map_response(errors_as_json))
}

/// The framework's own refusals (a path or query value that does not parse, a method the
/// path does not have) are plain text; an API client gets every error in the one JSON
/// shape the document promises.
async fn errors_as_json(response: axum::response::Response) -> axum::response::Response {
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/plain"));
    let status = response.status();
    if !plain || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid",
        _ => "bad_request",
    };
    let mut answer = axum::response::IntoResponse::into_response(ApiError::new(status, code, text));
    for (name, value) in parts.headers.iter() {
        if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            answer.headers_mut().insert(name.clone(), value.clone());
        }
    }
    answer
}

async fn api_not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "there is no API endpoint at this path; see /api/v1/openapi.json",
    )
}

/// A JSON body whose rejections are answered in the API's error format.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let mut value = match Json::<serde_json::Value>::from_request(req, state).await {
            Ok(Json(v)) => v,
            Err(rejection) => return Err(json_rejection(rejection)),
        };
        whole_numbers_as_integers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| {
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_json",
                    format!("Failed to deserialize the JSON body into the target type: {e}"),
                )
            })
    }
}

/// JSON has one number type, and JSON Schema counts `5.0` as the integer 5: a client that
/// writes integers with a fraction of zero is understood as Rust's integer fields expect.
fn whole_numbers_as_integers(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                *n = serde_json::Number::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        serde_json::Value::Object(fields) => {
            fields.values_mut().for_each(whole_numbers_as_integers)
        }
        _ => {}
    }
}

fn json_rejection(r: JsonRejection) -> ApiError {
    let status = r.status();
    let (code, message) = match status {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "too_large",
            format!(
                "the request body is larger than {} KB",
                crate::MAX_BODY_BYTES / 1024
            ),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json".to_string(),
        ),
        _ => ("invalid_json", r.body_text()),
    };
    ApiError::new(status, code, message)
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// The answers every operation may give besides its own, documented once for all: a
/// request that cannot be read (400), no valid token or session (401), a path id that
/// names nothing the caller may see (404), a body of another type (415), an invalid value
/// (422), an upload over the limit (413) and the database away (503).
struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Ref, RefOr, ResponseBuilder};
        let error = |description: &str| -> RefOr<utoipa::openapi::Response> {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        utoipa::openapi::Content::new(Some(Ref::from_schema_name("ErrorResponse"))),
                    )
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let in_path = path.contains('{');
            let reads = [(true, &mut item.get)];
            let writes = [
                (false, &mut item.put),
                (false, &mut item.post),
                (false, &mut item.delete),
                (false, &mut item.patch),
            ];
            for (read, op) in reads
                .into_iter()
                .chain(writes)
                .filter_map(|(read, op)| op.as_mut().map(|op| (read, op)))
            {
                let body = op.request_body.as_ref().and_then(|b| match b {
                    RefOr::T(b) => Some(b.content.keys().cloned().collect::<Vec<_>>()),
                    RefOr::Ref(_) => None,
                });
                let in_query = op.parameters.as_ref().is_some_and(|ps| {
                    ps.iter().any(|p| {
                        matches!(p, RefOr::T(p) if p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
                    })
                });
                let mut add = |code: &str, description: &str| {
                    op.responses
                        .responses
                        .entry(code.to_string())
                        .or_insert_with(|| error(description));
                };
                if body.is_some() || in_query || in_path {
                    add(
                        "400",
                        "The request cannot be read: malformed JSON, or a path or query value of the wrong type.",
                    );
                }
                if path != "/api/v1/openapi.json" {
                    add("401", "No valid token or session.");
                }
                if in_path && !read {
                    add(
                        "409",
                        "The change conflicts with the state it would change (already done, decided or answered).",
                    );
                }
                // An id in the query names something too.
                let names_an_id = op.parameters.as_ref().is_some_and(|ps| {
                    ps.iter()
                        .any(|p| matches!(p, RefOr::T(p) if p.name.ends_with("_id")))
                });
                if in_path || names_an_id {
                    add(
                        "404",
                        "Nothing with this id, or nothing the caller may see (the same answer for both).",
                    );
                }
                if let Some(types) = &body {
                    add("415", &format!("The body is not {}.", types.join(" or ")));
                    add(
                        "422",
                        "A value is invalid: `fields` names each field and what is wrong.",
                    );
                    if types.iter().any(|t| t == "text/csv") {
                        add("413", "The file is larger than the server's max_upload_mb.");
                    }
                } else if in_query {
                    add(
                        "422",
                        "A value is invalid: `fields` names each field and what is wrong.",
                    );
                }
                add(
                    "503",
                    "The database is unavailable; try again after Retry-After seconds.",
                );
            }
        }
    }
}

/// A capability's API operations, listed once in its own module: the OpenAPI document's
/// paths and the router are both made from the list, each handler routed at the path and
/// method of its annotation. `openapi_document` merges the capabilities' documents.
macro_rules! operations {
    ($($module:ident :: $handler:ident),+ $(,)?) => {
        /// This capability's part of the OpenAPI document.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($module::$handler),+))]
        pub struct Operations;

        /// This capability's operations, routed where their annotations say.
        pub(crate) fn routes() -> axum::Router<crate::AppState> {
            let document = <Operations as utoipa::OpenApi>::openapi();
            let mut router = axum::Router::new();
            $(
                router = crate::api::route_operation(router, &document, stringify!($handler), $module::$handler);
            )+
            router
        }
    };
    ($($handler:ident),+ $(,)?) => {
        /// This capability's part of the OpenAPI document.
        #[derive(utoipa::OpenApi)]
        #[openapi(paths($($handler),+))]
        pub struct Operations;

        /// This capability's operations, routed where their annotations say.
        pub(crate) fn routes() -> axum::Router<crate::AppState> {
            let document = <Operations as utoipa::OpenApi>::openapi();
            let mut router = axum::Router::new();
            $(
                router = crate::api::route_operation(router, &document, stringify!($handler), $handler);
            )+
            router
        }
    };
}
pub(crate) use operations;

/// The document's frame: what the capabilities' operations are merged into.
#[derive(OpenApi)]
#[openapi(
    info(title = "Trellis API", version = "1", description = "People, reporting lines, teams, imports, objectives, commitments, workload and delivery, stretch opportunities, skill sourcing, mentoring, 1:1s. Authenticate with `Authorization: Bearer TOKEN` (create one with `trellis token create`) or a session cookie plus the `X-CSRF-Token` header for writes. Errors are `{ \"error\": { \"code\", \"message\", \"fields\" } }`."),
    security(("bearer" = []), ("session" = [])),
    tags(
        (name = "account", description = "The signed-in account"),
        (name = "settings", description = "The organisation's settings"),
        (name = "people", description = "The people directory"),
        (name = "org", description = "Reporting lines and teams"),
        (name = "imports", description = "HRIS CSV imports"),
        (name = "work", description = "Objectives, commitments, priorities, workload and delivery"),
        (name = "growth", description = "Career plans, stretch opportunities, explained suggestions and placements"),
        (name = "mentoring", description = "Mentee goals, mentor profiles, matching rounds, mentorships and the talent pool"),
        (name = "conversations", description = "1:1 series, meetings, shared agendas, notes, action items, feedback and calendar feeds"),
        (name = "reviews", description = "Review cycles, self and manager reviews with the three growth questions, follow-through items"),
        (name = "assessments", description = "360 assessments of management and leadership behaviour, reported under the anonymity rule"),
        (name = "influence", description = "Influence outside the line, reach and brokerage, from advice ties and interactions"),
        (name = "connect", description = "Connection programmes: rounds in which everyone meets everyone, choices, private exclusions"),
        (name = "development", description = "Development programmes: cohorts, sessions, attendance and attendees' feedback"),
        (name = "decisions", description = "The decision log: what was decided and why, revisit dates and what came of each"),
        (name = "succession", description = "Key roles, succession plans with readiness and evidence, coverage and bench strength"),
        (name = "transitions", description = "New managers' transitions: the delegation ratio by week and the still-doing-the-old-job flag"),
        (name = "scorecards", description = "Each manager's two scorecards, the manager's job and the leader's job, with the organisation's medians"),
        (name = "dashboards", description = "Organisation dashboards per department, for admins and each manager's tree, with a CSV export"),
        (name = "digest", description = "The weekly digest: a person's week, the Monday e-mail, and the tip library"),
    )
)]
struct ApiDoc;

/// Every capability's operations, routed where their annotations say.
fn documented_routes() -> Router<AppState> {
    Router::new()
        .merge(crate::account::api::routes())
        .merge(crate::account::sso_api::routes())
        .merge(crate::inbox::api::routes())
        .merge(crate::admin::api::routes())
        .merge(crate::org::api::routes())
        .merge(crate::work::api::routes())
        .merge(crate::growth::api::routes())
        .merge(crate::mentoring::api::routes())
        .merge(crate::conversations::api::routes())
        .merge(crate::reviews::api::routes())
        .merge(crate::assessments::api::routes())
        .merge(crate::influence::api::routes())
        .merge(crate::connect::api::routes())
        .merge(crate::digest::api::routes())
        .merge(crate::development::api::routes())
        .merge(crate::decisions::api::routes())
        .merge(crate::succession::api::routes())
        .merge(crate::transitions::api::routes())
        .merge(crate::scorecards::api::routes())
        .merge(crate::dashboards::api::routes())
}

/// Operations whose body is a file, which may be up to `max_upload_mb`.
const UPLOADS: [&str; 3] = ["import_people", "import_talent", "import_interactions"];

/// Routes `handler` at the path and method the document gives its operation. The API's
/// paths are documented whole (`/api/v1/...`) and routed under `/api/v1`.
pub(crate) fn route_operation<H, T>(
    router: Router<AppState>,
    document: &utoipa::openapi::OpenApi,
    operation_id: &str,
    handler: H,
) -> Router<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    use axum::routing::MethodFilter;
    for (path, item) in document.paths.paths.iter() {
        let methods = [
            (MethodFilter::GET, &item.get),
            (MethodFilter::PUT, &item.put),
            (MethodFilter::POST, &item.post),
            (MethodFilter::DELETE, &item.delete),
            (MethodFilter::PATCH, &item.patch),
        ];
        for (method, operation) in methods {
            if operation
                .as_ref()
                .is_some_and(|o| o.operation_id.as_deref() == Some(operation_id))
            {
                let local = path.strip_prefix("/api/v1").unwrap_or(path);
                let route = axum::routing::on(method, handler);
                let route = if UPLOADS.contains(&operation_id) {
                    route.layer(crate::upload_body())
                } else {
                    route
                };
                return router.route(local, route);
            }
        }
    }
    // The list that routes a handler also puts its operation in the document.
    unreachable!("operation {operation_id} is documented")
}

/// The document as served.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    let mut document = ApiDoc::openapi();
    for part in [
        crate::account::api::Operations::openapi(),
        crate::account::sso_api::Operations::openapi(),
        crate::inbox::api::Operations::openapi(),
        crate::admin::api::Operations::openapi(),
        crate::org::api::Operations::openapi(),
        crate::work::api::Operations::openapi(),
        crate::growth::api::Operations::openapi(),
        crate::mentoring::api::Operations::openapi(),
        crate::conversations::api::Operations::openapi(),
        crate::reviews::api::Operations::openapi(),
        crate::assessments::api::Operations::openapi(),
        crate::influence::api::Operations::openapi(),
        crate::connect::api::Operations::openapi(),
        crate::digest::api::Operations::openapi(),
        crate::development::api::Operations::openapi(),
        crate::decisions::api::Operations::openapi(),
        crate::succession::api::Operations::openapi(),
        crate::transitions::api::Operations::openapi(),
        crate::scorecards::api::Operations::openapi(),
        crate::dashboards::api::Operations::openapi(),
    ] {
        document.merge(part);
    }
    SecuritySchemes.modify(&mut document);
    CommonResponses.modify(&mut document);
    document
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}
