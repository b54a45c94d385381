//! The signed-in account; invitations, forced password resets and the mail queue for
//! admins.

use crate::AppState;
use crate::api::ApiJson;
use crate::auth::ApiUser;
use crate::error::{ApiError, ErrorResponse};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use trellis_core::PersonId;
use trellis_core::auth::links;
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

/// An invitation to sign in: its person's newest.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationResponse {
    pub person: crate::work::api::PersonRef,
    pub email: String,
    /// Unix seconds.
    pub sent_at: i64,
    pub sent_by: Option<crate::work::api::PersonRef>,
    pub expires_at: i64,
    /// waiting, accepted, withdrawn or expired
    pub state: String,
    /// The person signs in now.
    pub signs_in: bool,
}

/// Every invitation sent, the newest of each person first (admins).
#[utoipa::path(get, path = "/api/v1/invitations", tag = "account",
    responses((status = 200, body = Vec<InvitationResponse>), (status = 403, body = ErrorResponse)))]
pub async fn list_invitations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<InvitationResponse>>, ApiError> {
    let list = links::invitations(state.store.as_ref(), &user.viewer).await?;
    let now = crate::now();
    Ok(Json(
        list.iter()
            .map(|i| InvitationResponse {
                person: (&i.person).into(),
                email: i.email.clone(),
                sent_at: i.sent_at,
                sent_by: i.sent_by.as_ref().map(Into::into),
                expires_at: i.expires_at,
                state: i.state(now).into(),
                signs_in: i.signs_in,
            })
            .collect(),
    ))
}

/// Whom to invite: some people, or everyone active who cannot sign in yet.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    #[serde(default)]
    pub person_ids: Vec<i64>,
    #[serde(default)]
    pub all_without_account: bool,
}

/// Who was invited, and who was passed over and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitedResponse {
    pub sent: Vec<i64>,
    pub skipped: Vec<SkippedResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkippedResponse {
    pub person_id: i64,
    /// not found, has left, or signs in already
    pub reason: String,
}

/// Invite people to choose a password (admins): each gets a mail with a link valid for 7
/// days; an earlier invitation of theirs stops working.
#[utoipa::path(post, path = "/api/v1/invitations", tag = "account", request_body = InviteRequest,
    responses((status = 202, body = InvitedResponse), (status = 403, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
pub async fn send_invitations(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<InviteRequest>,
) -> Result<(StatusCode, Json<InvitedResponse>), ApiError> {
    let (store, site, now) = (state.store.as_ref(), &state.config.site, crate::now());
    let invited = if body.all_without_account {
        links::invite_all_without_account(store, &user.viewer, site, now).await?
    } else {
        let people: Vec<PersonId> = body.person_ids.iter().copied().map(PersonId).collect();
        links::invite(store, &user.viewer, &people, site, now).await?
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(InvitedResponse {
            sent: invited.sent.iter().map(|p| p.0).collect(),
            skipped: invited
                .skipped
                .into_iter()
                .map(|(p, reason)| SkippedResponse {
                    person_id: p.0,
                    reason,
                })
                .collect(),
        }),
    ))
}

/// Withdraw a person's open invitation (admins): its link stops working.
#[utoipa::path(delete, path = "/api/v1/invitations/{person_id}", tag = "account",
    params(("person_id" = i64, Path, description = "The invited person")),
    responses((status = 204), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
pub async fn withdraw_invitation(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(person): Path<i64>,
) -> Result<StatusCode, ApiError> {
    links::revoke_invitation(
        state.store.as_ref(),
        &user.viewer,
        PersonId(person),
        crate::now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Make a person choose a new password (admins): the old one stops working, their
/// sessions end, and a link valid one hour is mailed.
#[utoipa::path(post, path = "/api/v1/people/{id}/password-reset", tag = "account",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 202), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)))]
pub async fn force_password_reset(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    Path(person): Path<i64>,
) -> Result<StatusCode, ApiError> {
    crate::admin::accounts::passwords_on(&state)?;
    links::force_reset(
        state.store.as_ref(),
        &user.viewer,
        PersonId(person),
        &state.config.site,
        crate::now(),
    )
    .await?;
    Ok(StatusCode::ACCEPTED)
}

/// Mail Trellis sent or is sending.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailResponse {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub created_at: i64,
    /// queued, sent or failed
    pub status: String,
    pub sent_at: Option<i64>,
    pub attempts: i64,
    /// The server's last answer, or why it could not be reached.
    pub last_error: Option<String>,
}

/// The mail queue for admins: counts, the newest 100 mails, and why mail is not sent
/// when it is not.
#[derive(Debug, Serialize, ToSchema)]
pub struct MailQueueResponse {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
    pub problem: Option<String>,
    pub recent: Vec<MailResponse>,
}

/// The mail queue (admins).
#[utoipa::path(get, path = "/api/v1/mail", tag = "account",
    responses((status = 200, body = MailQueueResponse), (status = 403, body = ErrorResponse)))]
pub async fn show_mail(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<MailQueueResponse>, ApiError> {
    if !user.viewer.may_administer() {
        return Err(trellis_core::CoreError::Forbidden("see the mail queue".into()).into());
    }
    let counts = state.store.mail_counts().await?;
    let recent = state.store.recent_mails(100).await?;
    Ok(Json(MailQueueResponse {
        queued: counts.queued,
        sent: counts.sent,
        failed: counts.failed,
        problem: state.config.mail_problem.clone(),
        recent: recent
            .iter()
            .map(|m| MailResponse {
                id: m.id,
                to_address: m.to_address.clone(),
                subject: m.subject.clone(),
                created_at: m.created_at,
                status: m.status().as_str().into(),
                sent_at: m.sent_at,
                attempts: m.attempts,
                last_error: m.last_error.clone(),
            })
            .collect(),
    }))
}

crate::api::operations!(
    show_me,
    list_invitations,
    send_invitations,
    withdraw_invitation,
    force_password_reset,
    show_mail,
);
