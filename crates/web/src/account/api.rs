//! The signed-in account.

use crate::auth::ApiUser;
use crate::error::ErrorResponse;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

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

crate::api::operations!(show_me,);
