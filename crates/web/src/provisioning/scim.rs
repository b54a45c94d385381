//! `/scim/v2`: the SCIM 2.0 server. Only provisioning tokens reach it, and they reach
//! nothing else; every answer, errors included, is `application/scim+json`.

use crate::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use serde_json::Value;
use trellis_core::provisioning::tokens::{self, ScimActor};
use trellis_core::provisioning::{
    self as scim, Paging, Projection, ScimError, discovery, groups, users,
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/ServiceProviderConfig", get(service_provider_config))
        .route("/ResourceTypes", get(resource_types))
        .route("/ResourceTypes/{id}", get(resource_type))
        .route("/Schemas", get(schemas))
        .route("/Schemas/{id}", get(schema))
        .route("/.search", axum::routing::post(search_everything))
        .route("/Users", get(list_users).post(create_user))
        .route("/Users/.search", axum::routing::post(search_users))
        .route(
            "/Users/{id}",
            get(get_user)
                .put(replace_user)
                .patch(patch_user)
                .delete(delete_user),
        )
        .route("/Groups", get(list_groups).post(create_group))
        .route("/Groups/.search", axum::routing::post(search_groups))
        .route(
            "/Groups/{id}",
            get(get_group)
                .put(replace_group)
                .patch(patch_group)
                .delete(delete_group),
        )
        .fallback(unknown)
        .method_not_allowed_fallback(not_allowed)
}

const SCIM_JSON: &str = "application/scim+json";

/// A SCIM answer: its status, its JSON and, for one resource, its ETag and location.
pub struct ScimResponse {
    status: StatusCode,
    body: Option<Value>,
    resource: bool,
}

impl ScimResponse {
    fn ok(body: Value) -> Self {
        ScimResponse {
            status: StatusCode::OK,
            body: Some(body),
            resource: false,
        }
    }

    fn resource(status: StatusCode, body: Value) -> Self {
        ScimResponse {
            status,
            body: Some(body),
            resource: true,
        }
    }
}

impl IntoResponse for ScimResponse {
    fn into_response(self) -> Response {
        let mut headers = HeaderMap::new();
        if self.body.is_some() {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
        }
        if self.resource
            && let Some(body) = &self.body
        {
            let meta = &body["meta"];
            if let Some(v) = meta["version"]
                .as_str()
                .and_then(|v| HeaderValue::from_str(v).ok())
            {
                headers.insert(header::ETAG, v);
            }
            if self.status == StatusCode::CREATED
                && let Some(l) = meta["location"]
                    .as_str()
                    .and_then(|l| HeaderValue::from_str(l).ok())
            {
                headers.insert(header::LOCATION, l);
            }
        }
        match self.body {
            Some(body) => (self.status, headers, body.to_string()).into_response(),
            None => (self.status, headers).into_response(),
        }
    }
}

/// A SCIM error as an answer.
pub struct ScimFailure(ScimError);

impl From<ScimError> for ScimFailure {
    fn from(e: ScimError) -> Self {
        ScimFailure(e)
    }
}

impl From<trellis_core::CoreError> for ScimFailure {
    fn from(e: trellis_core::CoreError) -> Self {
        ScimFailure(e.into())
    }
}

impl IntoResponse for ScimFailure {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() && status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(detail = %self.0.detail, "SCIM request failed");
        }
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"trellis-scim\""),
            );
        }
        (status, headers, self.0.body().to_string()).into_response()
    }
}

type ScimReply = Result<ScimResponse, ScimFailure>;

/// The identity provider behind a request: a live provisioning token.
pub struct ScimClient(pub ScimActor);

impl FromRequestParts<AppState> for ScimClient {
    type Rejection = ScimFailure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ScimFailure> {
        let secret = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            });
        let actor = tokens::authenticate(state.store.as_ref(), secret, crate::now()).await?;
        Ok(ScimClient(actor))
    }
}

fn base(state: &AppState) -> String {
    state.config.site.link("/scim/v2")
}

/// A request body as JSON, or `invalidSyntax` saying why not.
fn json_body(bytes: &Bytes) -> Result<Value, ScimFailure> {
    serde_json::from_slice(bytes).map_err(|e| {
        ScimFailure(ScimError::bad_request(
            "invalidSyntax",
            format!("the body is not valid JSON: {e}"),
        ))
    })
}

/// A precondition on the resource's version (`If-Match`), checked before a write.
fn check_if_match(headers: &HeaderMap, current: &Value) -> Result<(), ScimFailure> {
    let Some(wanted) = headers.get(header::IF_MATCH).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let version = current["meta"]["version"].as_str().unwrap_or_default();
    let matches = wanted.split(',').map(str::trim).any(|w| {
        w == "*" || w == version || w.trim_start_matches("W/") == version.trim_start_matches("W/")
    });
    if matches {
        Ok(())
    } else {
        Err(ScimFailure(ScimError {
            status: 412,
            scim_type: None,
            detail: format!("the resource has changed: its version is now {version}"),
        }))
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    filter: Option<String>,
    #[serde(rename = "startIndex")]
    start_index: Option<String>,
    count: Option<String>,
    attributes: Option<String>,
    #[serde(rename = "excludedAttributes")]
    excluded_attributes: Option<String>,
}

impl ListQuery {
    fn paging(&self) -> Result<Paging, ScimFailure> {
        let number = |name: &str, v: &Option<String>| -> Result<Option<i64>, ScimFailure> {
            match v.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(text) => text.parse::<i64>().map(Some).map_err(|_| {
                    ScimFailure(ScimError::bad_request(
                        "invalidValue",
                        format!("{name} must be a whole number, not \"{text}\""),
                    ))
                }),
            }
        };
        Ok(Paging::new(
            number("startIndex", &self.start_index)?,
            number("count", &self.count)?,
        ))
    }

    fn projection(&self) -> Projection {
        Projection::parse(
            self.attributes.as_deref(),
            self.excluded_attributes.as_deref(),
        )
    }

    /// A `.search` body read as the query it stands for.
    fn from_search(body: &Value) -> ListQuery {
        let text = |k: &str| match scim::filter::field(body, k) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => None,
        };
        ListQuery {
            filter: text("filter"),
            start_index: text("startIndex"),
            count: text("count"),
            attributes: text("attributes"),
            excluded_attributes: text("excludedAttributes"),
        }
    }
}

async fn service_provider_config(State(state): State<AppState>, _c: ScimClient) -> ScimReply {
    Ok(ScimResponse::ok(discovery::service_provider_config(&base(
        &state,
    ))))
}

fn listed(resources: Vec<Value>) -> Value {
    let total = resources.len();
    scim::list_body(resources, total, Paging::new(None, Some(total as i64)))
}

async fn resource_types(State(state): State<AppState>, _c: ScimClient) -> ScimReply {
    Ok(ScimResponse::ok(listed(discovery::resource_types(&base(
        &state,
    )))))
}

async fn resource_type(
    State(state): State<AppState>,
    _c: ScimClient,
    Path(id): Path<String>,
) -> ScimReply {
    discovery::resource_types(&base(&state))
        .into_iter()
        .find(|r| r["id"] == id.as_str())
        .map(ScimResponse::ok)
        .ok_or_else(|| ScimFailure(ScimError::not_found(format!("ResourceType {id}"))))
}

async fn schemas(State(state): State<AppState>, _c: ScimClient) -> ScimReply {
    Ok(ScimResponse::ok(listed(discovery::schemas(&base(&state)))))
}

async fn schema(
    State(state): State<AppState>,
    _c: ScimClient,
    Path(id): Path<String>,
) -> ScimReply {
    discovery::schemas(&base(&state))
        .into_iter()
        .find(|r| r["id"] == id.as_str())
        .map(ScimResponse::ok)
        .ok_or_else(|| ScimFailure(ScimError::not_found(format!("Schema {id}"))))
}

async fn unknown(_c: ScimClient) -> ScimFailure {
    ScimFailure(ScimError::not_found("this SCIM endpoint"))
}

async fn not_allowed() -> ScimFailure {
    ScimFailure(ScimError {
        status: 405,
        scim_type: None,
        detail: "this method is not supported here".into(),
    })
}

/// `POST /.search`: Users, then Groups, in one list. A filter naming an attribute only one
/// of them has matches nothing of the other.
async fn search_everything(
    State(state): State<AppState>,
    _c: ScimClient,
    body: Bytes,
) -> ScimReply {
    let q = ListQuery::from_search(&json_body(&body)?);
    let paging = q.paging()?;
    let projection = q.projection();
    let store = state.store.as_ref();
    let base = base(&state);
    let filter = q.filter.as_deref();
    let foreign = |e: &ScimError| {
        e.scim_type == Some("invalidFilter") && e.detail.starts_with("filtering on")
    };
    let (mut users, user_total) = match users::list(store, filter, paging, &base).await {
        Ok(found) => found,
        Err(e) if foreign(&e) => (Vec::new(), 0),
        Err(e) => return Err(e.into()),
    };
    for user in &mut users {
        projection.apply(user);
    }
    // Groups continue where the Users end.
    let group_paging = Paging {
        start_index: paging.start_index.saturating_sub(user_total).max(1),
        count: paging.count - users.len(),
    };
    let (groups, group_total) =
        match groups::list(store, filter, group_paging, &base, &projection).await {
            Ok(found) => found,
            Err(e) if foreign(&e) => (Vec::new(), 0),
            Err(e) => return Err(e.into()),
        };
    users.extend(groups);
    Ok(ScimResponse::ok(scim::list_body(
        users,
        user_total + group_total,
        paging,
    )))
}

async fn list_users(
    State(state): State<AppState>,
    _c: ScimClient,
    Query(q): Query<ListQuery>,
) -> ScimReply {
    users_page(&state, q).await
}

async fn search_users(State(state): State<AppState>, _c: ScimClient, body: Bytes) -> ScimReply {
    users_page(&state, ListQuery::from_search(&json_body(&body)?)).await
}

async fn users_page(state: &AppState, q: ListQuery) -> ScimReply {
    let paging = q.paging()?;
    let projection = q.projection();
    let (mut page, total) = users::list(
        state.store.as_ref(),
        q.filter.as_deref(),
        paging,
        &base(state),
    )
    .await?;
    for user in &mut page {
        projection.apply(user);
    }
    Ok(ScimResponse::ok(scim::list_body(page, total, paging)))
}

#[derive(Debug, Default, Deserialize)]
pub struct OneQuery {
    attributes: Option<String>,
    #[serde(rename = "excludedAttributes")]
    excluded_attributes: Option<String>,
}

impl OneQuery {
    fn projection(&self) -> Projection {
        Projection::parse(
            self.attributes.as_deref(),
            self.excluded_attributes.as_deref(),
        )
    }
}

/// One resource as rendered, answered 304 when the client holds this version.
fn one(
    status: StatusCode,
    mut body: Value,
    headers: &HeaderMap,
    projection: &Projection,
) -> ScimReply {
    let version = body["meta"]["version"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if status == StatusCode::OK
        && headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|w| w.trim() == version))
    {
        return Ok(ScimResponse {
            status: StatusCode::NOT_MODIFIED,
            body: None,
            resource: false,
        });
    }
    projection.apply(&mut body);
    Ok(ScimResponse::resource(status, body))
}

async fn get_user(
    State(state): State<AppState>,
    _c: ScimClient,
    Path(id): Path<String>,
    Query(q): Query<OneQuery>,
    headers: HeaderMap,
) -> ScimReply {
    let user = users::get(state.store.as_ref(), &id, &base(&state)).await?;
    one(StatusCode::OK, user, &headers, &q.projection())
}

async fn create_user(
    State(state): State<AppState>,
    ScimClient(actor): ScimClient,
    Query(q): Query<OneQuery>,
    body: Bytes,
) -> ScimReply {
    let body = json_body(&body)?;
    let id = users::create(state.store.as_ref(), &actor, &body, crate::now()).await?;
    let user = users::get(state.store.as_ref(), &id.0.to_string(), &base(&state)).await?;
    one(
        StatusCode::CREATED,
        user,
        &HeaderMap::new(),
        &q.projection(),
    )
}

async fn list_groups(
    State(state): State<AppState>,
    _c: ScimClient,
    Query(q): Query<ListQuery>,
) -> ScimReply {
    groups_page(&state, q).await
}

async fn search_groups(State(state): State<AppState>, _c: ScimClient, body: Bytes) -> ScimReply {
    groups_page(&state, ListQuery::from_search(&json_body(&body)?)).await
}

async fn groups_page(state: &AppState, q: ListQuery) -> ScimReply {
    let paging = q.paging()?;
    let (page, total) = groups::list(
        state.store.as_ref(),
        q.filter.as_deref(),
        paging,
        &base(state),
        &q.projection(),
    )
    .await?;
    Ok(ScimResponse::ok(scim::list_body(page, total, paging)))
}

async fn get_group(
    State(state): State<AppState>,
    _c: ScimClient,
    Path(id): Path<String>,
    Query(q): Query<OneQuery>,
    headers: HeaderMap,
) -> ScimReply {
    let projection = q.projection();
    let group = groups::get(state.store.as_ref(), &id, &base(&state), &projection).await?;
    one(StatusCode::OK, group, &headers, &Projection::default())
}

async fn create_group(
    State(state): State<AppState>,
    ScimClient(actor): ScimClient,
    Query(q): Query<OneQuery>,
    body: Bytes,
) -> ScimReply {
    let body = json_body(&body)?;
    let id = groups::create(state.store.as_ref(), &actor, &body, crate::now()).await?;
    let group = groups::get(
        state.store.as_ref(),
        &id.to_string(),
        &base(&state),
        &q.projection(),
    )
    .await?;
    one(
        StatusCode::CREATED,
        group,
        &HeaderMap::new(),
        &Projection::default(),
    )
}

/// Which resource a write is about.
#[derive(Clone, Copy)]
enum Resource {
    User,
    Group,
}

/// How a write changes it.
#[derive(Clone, Copy)]
enum Change {
    Replace,
    Patch,
    Delete,
}

/// The resource as it is now, whole.
async fn current(state: &AppState, resource: Resource, id: &str) -> Result<Value, ScimFailure> {
    let (store, base) = (state.store.as_ref(), base(state));
    Ok(match resource {
        Resource::User => users::get(store, id, &base).await?,
        Resource::Group => groups::get(store, id, &base, &Projection::default()).await?,
    })
}

/// PUT, PATCH or DELETE of one resource, after its `If-Match` is checked.
async fn write(
    state: &AppState,
    actor: &ScimActor,
    (resource, change): (Resource, Change),
    id: &str,
    (q, headers): (OneQuery, HeaderMap),
    body: Bytes,
) -> ScimReply {
    check_if_match(&headers, &current(state, resource, id).await?)?;
    let (store, base, now) = (state.store.as_ref(), base(state), crate::now());
    let body = match change {
        Change::Delete => Value::Null,
        _ => json_body(&body)?,
    };
    match (resource, change) {
        (Resource::User, Change::Replace) => users::replace(store, actor, id, &body, now).await?,
        (Resource::User, Change::Patch) => {
            users::patch(store, actor, id, &body, &base, now).await?
        }
        (Resource::User, Change::Delete) => users::delete(store, actor, id, now).await?,
        (Resource::Group, Change::Replace) => groups::replace(store, actor, id, &body, now).await?,
        (Resource::Group, Change::Patch) => {
            groups::patch(store, actor, id, &body, &base, now).await?
        }
        (Resource::Group, Change::Delete) => groups::delete(store, actor, id, now).await?,
    }
    if let Change::Delete = change {
        return Ok(ScimResponse {
            status: StatusCode::NO_CONTENT,
            body: None,
            resource: false,
        });
    }
    let after = current(state, resource, id).await?;
    one(StatusCode::OK, after, &HeaderMap::new(), &q.projection())
}

/// The handlers of one resource's writes.
macro_rules! writes {
    ($($name:ident => $resource:expr, $change:expr;)+) => {
        $(async fn $name(
            State(state): State<AppState>,
            ScimClient(actor): ScimClient,
            Path(id): Path<String>,
            Query(q): Query<OneQuery>,
            headers: HeaderMap,
            body: Bytes,
        ) -> ScimReply {
            write(&state, &actor, ($resource, $change), &id, (q, headers), body).await
        })+
    };
}

writes! {
    replace_user => Resource::User, Change::Replace;
    patch_user => Resource::User, Change::Patch;
    delete_user => Resource::User, Change::Delete;
    replace_group => Resource::Group, Change::Replace;
    patch_group => Resource::Group, Change::Patch;
    delete_group => Resource::Group, Change::Delete;
}
