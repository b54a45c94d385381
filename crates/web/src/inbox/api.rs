//! `/api/v1/notifications`: the caller's own notifications and e-mail preferences.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use trellis_core::inbox;
use trellis_core::notify::{Delivery, Kept, Topic};
use utoipa::ToSchema;

/// A notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationResponse {
    pub id: i64,
    /// stretch_proposed, placement_to_approve, placement_answered, support_promised,
    /// work_reassigned, work_taken_away, due_date_moved, mentorship_started or
    /// mentorship_ended or import_applied
    pub topic: String,
    pub text: String,
    /// A path in Trellis where it can be seen or acted on.
    pub link: String,
    /// Unix seconds.
    pub at: i64,
    pub read_at: Option<i64>,
}

impl From<&Kept> for NotificationResponse {
    fn from(k: &Kept) -> Self {
        NotificationResponse {
            id: k.id,
            topic: k.note.topic.as_str().into(),
            text: k.note.text.clone(),
            link: k.note.link.clone(),
            at: k.note.at,
            read_at: k.read_at,
        }
    }
}

/// The caller's notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsResponse {
    pub unread: i64,
    /// Newest first, at most 200.
    pub notifications: Vec<NotificationResponse>,
}

/// My notifications, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "account",
    responses((status = 200, body = NotificationsResponse), (status = 401, body = ErrorResponse)))]
pub async fn list_notifications(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<NotificationsResponse>, ApiError> {
    let (list, unread) = inbox::mine(state.store.as_ref(), &user.viewer, 200).await?;
    Ok(Json(NotificationsResponse {
        unread,
        notifications: list.iter().map(Into::into).collect(),
    }))
}

/// Mark one of my notifications read (another person's is not found).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "account",
    params(("id" = i64, Path, description = "Notification id")),
    responses((status = 200, body = NotificationResponse), (status = 404, body = ErrorResponse)))]
pub async fn read_notification(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(id): Path<i64>,
) -> Result<Json<NotificationResponse>, ApiError> {
    let kept = inbox::open(state.store.as_ref(), &user.viewer, id, crate::now()).await?;
    Ok(Json((&kept).into()))
}

/// Mark all my notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read-all", tag = "account",
    responses((status = 204)))]
pub async fn read_all_notifications(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<StatusCode, ApiError> {
    inbox::read_all(state.store.as_ref(), &user.viewer, crate::now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How each topic is e-mailed: immediately, daily or never.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PreferencesBody {
    /// Topic → immediately, daily or never. On PUT, topics left out keep their choice.
    #[schema(value_type = BTreeMap<String, String>)]
    pub topics: BTreeMap<String, String>,
}

fn parse_choices(body: &PreferencesBody) -> Result<Vec<(Topic, Delivery)>, ApiError> {
    let mut errors = Vec::new();
    let mut choices = Vec::new();
    for (topic, delivery) in &body.topics {
        match (Topic::parse(topic), Delivery::parse(delivery)) {
            (Some(t), Some(d)) => choices.push((t, d)),
            (None, _) => errors.push(trellis_core::FieldError::new(
                format!("topics.{topic}"),
                "not a topic",
            )),
            (_, None) => errors.push(trellis_core::FieldError::new(
                format!("topics.{topic}"),
                "give immediately, daily or never",
            )),
        }
    }
    if errors.is_empty() {
        Ok(choices)
    } else {
        Err(trellis_core::CoreError::Invalid(errors).into())
    }
}

/// My e-mail preferences (my own choices over the organisation's defaults).
#[utoipa::path(get, path = "/api/v1/notifications/preferences", tag = "account",
    responses((status = 200, body = PreferencesBody)))]
pub async fn show_preferences(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<PreferencesBody>, ApiError> {
    let p = inbox::preferences(state.store.as_ref(), &user.viewer).await?;
    Ok(Json(PreferencesBody {
        topics: Topic::ALL
            .into_iter()
            .map(|t| (t.as_str().to_string(), p.delivery(t).as_str().to_string()))
            .collect(),
    }))
}

/// Change my e-mail preferences.
#[utoipa::path(put, path = "/api/v1/notifications/preferences", tag = "account",
    request_body = PreferencesBody,
    responses((status = 200, body = PreferencesBody), (status = 422, body = ErrorResponse)))]
pub async fn save_preferences(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<PreferencesBody>,
) -> Result<Json<PreferencesBody>, ApiError> {
    let choices = parse_choices(&body)?;
    inbox::choose(state.store.as_ref(), &user.viewer, &choices).await?;
    show_preferences(State(state), ApiUser(user)).await
}

crate::api::operations!(
    list_notifications,
    read_notification,
    read_all_notifications,
    show_preferences,
    save_preferences,
);
