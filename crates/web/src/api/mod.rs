//! The JSON API under `/api/v1`, documented by an OpenAPI 3 document generated from these
//! handlers (`/api/v1/openapi.json`). Same services, same visibility policy as the pages.

pub mod growth;
pub mod imports;
pub mod mentoring;
pub mod org;
pub mod people;
pub mod settings;
pub mod work;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/me", get(show_me))
        .route(
            "/settings",
            get(settings::show_settings).patch(settings::update_settings),
        )
        .route(
            "/people",
            get(people::list_people).post(people::create_person),
        )
        .route(
            "/people/{id}",
            get(people::show_person).patch(people::update_person),
        )
        .route("/people/{id}/history", get(people::person_history))
        .route("/org", get(org::list_org_roots))
        .route("/org/{id}", get(org::show_org_subtree))
        .route("/teams", get(org::list_teams))
        .route("/teams/{id}", get(org::show_team))
        .route("/commitments", post(work::create_commitment))
        .route(
            "/commitments/{id}",
            get(work::show_commitment).patch(work::update_commitment),
        )
        .route(
            "/commitments/{id}/renegotiate",
            post(work::renegotiate_commitment),
        )
        .route(
            "/commitments/{id}/reassign",
            post(work::reassign_commitment),
        )
        .route(
            "/commitments/{id}/status",
            post(work::set_commitment_status),
        )
        .route(
            "/commitments/{id}/comments",
            post(work::comment_on_commitment),
        )
        .route("/people/{id}/plate", get(work::show_plate))
        .route("/people/{id}/capacity", put(work::set_capacity))
        .route("/people/{id}/absences", post(work::add_absence))
        .route("/absences/{id}", delete(work::delete_absence))
        .route("/people/{id}/wishes", post(work::add_wish))
        .route("/wishes/{id}", delete(work::remove_wish))
        .route("/people/{id}/team-work", get(work::show_team_work))
        .route(
            "/people/{id}/team-work/priorities",
            put(work::reorder_priorities),
        )
        .route(
            "/objectives",
            get(work::list_objectives).post(work::create_objective),
        )
        .route(
            "/objectives/{id}",
            get(work::show_objective).patch(work::update_objective),
        )
        .route("/objectives/{id}/key-results", post(work::add_key_result))
        .route("/key-results/{id}/check-ins", post(work::check_in))
        .route("/reports/work", get(work::work_report))
        .route(
            "/opportunities",
            get(growth::list_opportunities).post(growth::create_opportunity),
        )
        .route("/opportunities/plan", get(growth::plan_opportunities))
        .route("/opportunities/{id}", get(growth::show_opportunity))
        .route(
            "/opportunities/{id}/accept",
            post(growth::accept_suggestion),
        )
        .route("/placements/{id}/decision", post(growth::decide_placement))
        .route("/placements/{id}/answer", post(growth::answer_placement))
        .route("/placements/asked", get(growth::asked_placements))
        .route(
            "/people/{id}/career-plan",
            get(growth::show_career_plan).put(growth::save_career_plan),
        )
        .route(
            "/people/{id}/career-plan/review",
            post(growth::review_career_plan),
        )
        .route(
            "/people/{id}/career-plan/support",
            post(growth::add_career_support),
        )
        .route("/levels", get(org::list_levels))
        .route("/levels/{code}", put(org::save_level))
        .route("/levels/import", post(org::import_levels))
        .route("/mentoring/me", get(mentoring::show_my_mentoring))
        .route(
            "/mentoring/me/goals",
            put(mentoring::save_my_goals).delete(mentoring::delete_my_goals),
        )
        .route(
            "/mentoring/me/mentor",
            put(mentoring::save_my_mentor_profile).delete(mentoring::delete_my_mentor_profile),
        )
        .route(
            "/people/{id}/mentorships",
            get(mentoring::person_mentorships),
        )
        .route(
            "/mentoring/rounds",
            get(mentoring::list_rounds).post(mentoring::run_round),
        )
        .route("/mentoring/rounds/{id}", get(mentoring::show_round))
        .route(
            "/mentoring/rounds/{id}/pairs/{mentee}",
            delete(mentoring::remove_pair),
        )
        .route(
            "/mentoring/rounds/{id}/publish",
            post(mentoring::publish_round),
        )
        .route(
            "/talent",
            get(mentoring::list_talent).post(mentoring::add_talent),
        )
        .route("/mentorships/{id}/end", post(mentoring::end_mentorship))
        .route("/talent/{id}", delete(mentoring::remove_talent))
        .route(
            "/talent/import",
            post(mentoring::import_talent).layer(crate::upload_body()),
        )
        .route(
            "/imports/people",
            post(imports::import_people).layer(crate::upload_body()),
        )
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

/// Reads `null` as `Some(None)` so that PATCH can clear a field, while a missing field
/// stays `None` (unchanged).
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// The signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeResponse {
    pub person_id: i64,
    pub display_name: String,
    pub email: String,
    /// member, manager or admin.
    pub role: String,
    pub is_admin: bool,
    pub is_manager: bool,
}

/// Who am I?
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorResponse)))]
pub async fn show_me(ApiUser(user): ApiUser) -> Json<MeResponse> {
    Json(MeResponse {
        person_id: user.account.person_id.0,
        display_name: user.account.display_name.clone(),
        email: user.account.email.clone(),
        role: user.role().as_str().to_string(),
        is_admin: user.viewer.may_administer(),
        is_manager: user.viewer.has_reports(),
    })
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

/// The OpenAPI document of the API.
#[derive(OpenApi)]
#[openapi(
    info(title = "Trellis API", version = "1", description = "People, reporting lines, teams, imports, objectives, commitments, workload and delivery, stretch opportunities, skill sourcing, mentoring. Authenticate with `Authorization: Bearer TOKEN` (create one with `trellis token create`) or a session cookie plus the `X-CSRF-Token` header for writes. Errors are `{ \"error\": { \"code\", \"message\", \"fields\" } }`."),
    paths(
        show_me,
        settings::show_settings, settings::update_settings,
        people::list_people, people::show_person, people::create_person, people::update_person,
        people::person_history,
        org::list_org_roots, org::show_org_subtree, org::list_teams, org::show_team,
        org::list_levels, org::save_level, org::import_levels,
        imports::import_people,
        work::create_commitment, work::show_commitment, work::update_commitment,
        work::renegotiate_commitment, work::reassign_commitment, work::set_commitment_status,
        work::comment_on_commitment, work::show_plate, work::set_capacity, work::add_absence,
        work::delete_absence, work::show_team_work, work::reorder_priorities,
        work::list_objectives, work::create_objective, work::show_objective,
        work::update_objective, work::add_key_result, work::check_in, work::work_report,
        growth::list_opportunities, growth::create_opportunity, growth::show_opportunity,
        growth::accept_suggestion, growth::decide_placement,
        growth::answer_placement, growth::asked_placements, growth::plan_opportunities,
        growth::show_career_plan, growth::save_career_plan, growth::review_career_plan,
        growth::add_career_support, work::add_wish, work::remove_wish,
        mentoring::show_my_mentoring, mentoring::save_my_goals, mentoring::delete_my_goals,
        mentoring::save_my_mentor_profile, mentoring::delete_my_mentor_profile,
        mentoring::person_mentorships, mentoring::list_rounds, mentoring::run_round,
        mentoring::show_round, mentoring::remove_pair, mentoring::publish_round,
        mentoring::list_talent, mentoring::add_talent, mentoring::remove_talent,
        mentoring::import_talent, mentoring::end_mentorship,
    ),
    modifiers(&SecuritySchemes, &CommonResponses),
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
    )
)]
pub struct ApiDoc;

/// The document as served.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi_document())
}
