//! Admin → Accounts (who can sign in, invitations sent, resent and withdrawn) and
//! Admin → E-mail (what was sent, what waits and why, a test mail).

use super::pages::require_admin;
use crate::AppState;
use crate::auth::{CsrfForm, CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, format_time, plural, settings};
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};
use serde::Deserialize;
use std::collections::HashMap;
use trellis_core::PersonId;
use trellis_core::auth::links::{self, Invited};
use trellis_core::auth::sso;
use trellis_core::mail::{MailStatus, Recipient, compose};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/accounts", get(show_accounts))
        .route("/admin/accounts/invite", post(invite_selected))
        .route("/admin/accounts/invite-all", post(invite_all))
        .route("/admin/accounts/withdraw", post(withdraw))
        .route("/admin/accounts/force-reset", post(force_reset))
        .route("/admin/accounts/sso-link", post(link_sso))
        .route("/admin/accounts/sso-unlink", post(unlink_sso))
        .route("/admin/mail", get(show_mail))
        .route("/admin/mail/test", post(send_test_mail))
}

/// A form of checkboxes named `person` (one per person chosen), or one `person` field.
#[derive(Debug, Deserialize)]
pub struct PeopleForm {
    pub csrf: String,
    #[serde(flatten)]
    pub fields: HashMap<String, String>,
}

impl PeopleForm {
    /// The people chosen: fields `p<id>` (checkboxes) and `person` (one button).
    fn people(&self) -> Vec<PersonId> {
        let mut ids: Vec<PersonId> = self
            .fields
            .iter()
            .filter_map(|(k, v)| match k.strip_prefix('p') {
                Some(id) if k != "person" => id.parse().ok(),
                _ if k == "person" => v.parse().ok(),
                _ => None,
            })
            .map(PersonId)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }
}

crate::auth::csrf_form!(PeopleForm);

#[derive(Debug, Deserialize)]
pub struct DoneParams {
    pub sent: Option<usize>,
    pub skipped: Option<String>,
    pub withdrawn: Option<String>,
    pub reset: Option<String>,
    pub test: Option<String>,
    pub linked: Option<String>,
    pub unlinked: Option<String>,
}

/// Linking a refused sign-in to a person by hand.
#[derive(Debug, Deserialize)]
pub struct LinkForm {
    pub csrf: String,
    pub issuer: String,
    pub subject: String,
    /// The person's e-mail in Trellis.
    #[serde(default)]
    pub email: String,
}

crate::auth::csrf_form!(LinkForm);

/// Unlinking a person's account at a provider.
#[derive(Debug, Deserialize)]
pub struct UnlinkForm {
    pub csrf: String,
    pub person: i64,
    pub issuer: String,
}

crate::auth::csrf_form!(UnlinkForm);

/// For admins, on a person's page: invite someone who cannot sign in, make them choose a
/// new password, or unlink their single sign-on account. Nothing for others, or for
/// people who left.
pub(crate) async fn sign_in_actions(
    state: &AppState,
    user: &CurrentUser,
    p: &trellis_core::org::Person,
) -> Result<Markup, PageError> {
    if !user.viewer.may_administer() || !p.is_active() {
        return Ok(html! {});
    }
    let store = state.store.as_ref();
    let password = store
        .account_of(p.id)
        .await?
        .is_some_and(|a| a.password_hash.is_some());
    let links = sso::links_of(store, &user.viewer, p.id).await?;
    let button = |action: &str, label: &str| {
        html! {
            form.inline method="post" action=(action) {
                (csrf_field(user))
                input type="hidden" name="person" value=(p.id);
                button.secondary type="submit" { (label) }
            }
        }
    };
    Ok(html! {
        @if password && state.config.local_passwords {
            " " (button("/admin/accounts/force-reset", "Force a password reset"))
        }
        @if !password && links.is_empty() {
            " " (button("/admin/accounts/invite", "Invite to sign in"))
        }
        @for link in &links {
            " " form.inline method="post" action="/admin/accounts/sso-unlink" {
                (csrf_field(user))
                input type="hidden" name="person" value=(p.id);
                input type="hidden" name="issuer" value=(link.issuer);
                button.secondary type="submit" title=(format!("{} · {}", link.issuer, link.subject)) { "Unlink single sign-on" }
            }
        }
    })
}

/// The single sign-on section of Admin → Accounts: how it is set up, and the refused
/// sign-ins an admin can link by hand.
async fn sso_section(state: &AppState, user: &CurrentUser) -> Result<Markup, PageError> {
    let Some(provider) = state.config.sso.as_deref() else {
        return Ok(html! {
            section.card #sso {
                h2 { "Single sign-on" }
                @if let Some(problem) = &state.config.sso_problem {
                    p.warning role="alert" { "Single sign-on is off: " (problem) ". People sign in with Trellis passwords until the configuration is fixed and Trellis restarted." }
                }
                p { "Not set up: people sign in with a Trellis password. To sign in through your identity provider, set oidc_issuer, oidc_client_id and oidc_client_secret (see the README)." }
            }
        });
    };
    let refused = sso::refusals(state.store.as_ref(), &user.viewer).await?;
    let trusted = state.config.trusted_domains.list();
    Ok(html! {
        section.card #sso {
            h2 { "Single sign-on with " (provider.label()) }
            dl.facts {
                dt { "Provider" } dd { (provider.issuer()) }
                dt { "Redirect URI" } dd { code { (provider.redirect_uri()) } " (register it with the provider)" }
                dt { "E-mail counts as verified" } dd {
                    "when the provider says so"
                    @if !trusted.is_empty() { ", and always for " (trusted.join(", ")) }
                }
                dt { "Trellis passwords" } dd { @if state.config.local_passwords { "on" } @else { "off: single sign-on only (the command line's one-time links still work)" } }
            }
            h3 { "Sign-ins waiting for a link (" (refused.len()) ")" }
            @if refused.is_empty() {
                p { "None: everyone who signed in with " (provider.label()) " was matched." }
            } @else {
                p.hint { "Trellis refused these sign-ins because it could not tell who they are. Link one to a person only when you know the account is theirs." }
                table {
                    thead { tr { th { "Account" } th { "Refused" } th { "Why" } th { "Link to the person with the e-mail" } } }
                    tbody {
                        @for r in &refused {
                            tr {
                                td { (r.name.as_deref().unwrap_or("")) br; small { (r.email.as_deref().unwrap_or("no e-mail")) " · " (r.subject) } }
                                td { (format_time(r.attempted_at, user)) }
                                td { (r.reason) }
                                td {
                                    form.inline method="post" action="/admin/accounts/sso-link" {
                                        (csrf_field(user))
                                        input type="hidden" name="issuer" value=(r.issuer);
                                        input type="hidden" name="subject" value=(r.subject);
                                        label.visually-hidden for=(format!("link-{}", r.subject)) { "E-mail of the person" }
                                        input id=(format!("link-{}", r.subject)) type="email" name="email" value=(r.email.as_deref().unwrap_or("")) required;
                                        button type="submit" { "Link" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
}

async fn show_accounts(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(done): Query<DoneParams>,
) -> Result<Markup, PageError> {
    require_admin(&user)?;
    let settings = settings(&state).await?;
    let store = state.store.as_ref();
    let invitations = links::invitations(store, &user.viewer).await?;
    let waiting = store.people_without_password().await?;
    let sso = sso_section(&state, &user).await?;
    let now = crate::now();
    let invited: std::collections::HashSet<PersonId> = invitations
        .iter()
        .filter(|i| i.state(now) == "waiting")
        .map(|i| i.person.id)
        .collect();
    let body = html! {
        h1 { "Accounts and invitations" }
        @if let Some(n) = done.sent {
            p.notice role="status" { (plural(n as i64, "invitation", "invitations")) " queued for sending."
                @if let Some(s) = &done.skipped { " Passed over: " (s) "." } }
        }
        @if done.withdrawn.is_some() { p.notice role="status" { "The invitation was withdrawn: its link no longer works." } }
        @if done.reset.is_some() { p.notice role="status" { "The password no longer works; a link to choose a new one was mailed." } }
        @if done.linked.is_some() { p.notice role="status" { "The account was linked: its owner can sign in now." } }
        @if done.unlinked.is_some() { p.notice role="status" { "The account was unlinked: it no longer signs in here." } }
        @if let Some(problem) = &state.config.mail_problem {
            p.warning role="alert" { "Mail is not being sent: " (problem) ". Invitations wait in the queue — see " a href="/admin/mail" { "E-mail" } "." }
        }
        (sso)
        section.card {
            h2 { "People who cannot sign in yet (" (waiting.len()) ")" }
            @if waiting.is_empty() {
                p { "Everyone active can sign in." }
            } @else {
                form method="post" action="/admin/accounts/invite-all" {
                    (csrf_field(&user))
                    button type="submit" { "Invite all " (waiting.len()) }
                }
                form method="post" action="/admin/accounts/invite" {
                    (csrf_field(&user))
                    table {
                        thead { tr { th { span.visually-hidden { "Choose" } } th { "Name" } th { "E-mail" } th { "Invitation" } } }
                        tbody {
                            @for (person, email) in &waiting {
                                tr {
                                    td { input type="checkbox" name=(format!("p{}", person.id)) id=(format!("p{}", person.id)) value="1"; }
                                    td { label for=(format!("p{}", person.id)) { a href=(format!("/people/{}", person.id)) { (person.name) } } }
                                    td { (email) }
                                    td { @if invited.contains(&person.id) { "sent, waiting" } @else { "not sent" } }
                                }
                            }
                        }
                    }
                    button type="submit" { "Invite the people chosen" }
                }
            }
        }
        section.card {
            h2 { "Invitations" }
            @if invitations.is_empty() {
                p { "None sent yet." }
            } @else {
                table {
                    thead { tr { th { "Name" } th { "Sent" } th { "State" } th { "Actions" } } }
                    tbody {
                        @for i in &invitations {
                            @let state_text = i.state(now);
                            tr {
                                td { a href=(format!("/people/{}", i.person.id)) { (i.person.name) } br; small { (i.email) } }
                                td { (format_time(i.sent_at, &user)) @if let Some(by) = &i.sent_by { " by " (by.name) } }
                                td data-state=(state_text) { (state_text)
                                    @if let Some(at) = i.accepted_at { " " (format_time(at, &user)) } }
                                td {
                                    @if !i.signs_in {
                                        form.inline method="post" action="/admin/accounts/invite" {
                                            (csrf_field(&user))
                                            input type="hidden" name="person" value=(i.person.id);
                                            button type="submit" { "Resend" }
                                        }
                                    }
                                    @if state_text == "waiting" {
                                        form.inline method="post" action="/admin/accounts/withdraw" {
                                            (csrf_field(&user))
                                            input type="hidden" name="person" value=(i.person.id);
                                            button.secondary type="submit" { "Withdraw" }
                                        }
                                    }
                                    @if i.signs_in && state.config.local_passwords {
                                        form.inline method="post" action="/admin/accounts/force-reset" {
                                            (csrf_field(&user))
                                            input type="hidden" name="person" value=(i.person.id);
                                            button.secondary type="submit" { "Force a password reset" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    Ok(page(
        &frame(&user, &settings),
        "Accounts and invitations",
        body,
    ))
}

fn frame<'a>(user: &'a CurrentUser, settings: &'a trellis_core::settings::Settings) -> Frame<'a> {
    Frame {
        user,
        settings,
        section: "admin",
    }
}

fn after_invite(invited: Invited) -> Redirect {
    let mut to = format!("/admin/accounts?sent={}", invited.sent.len());
    if !invited.skipped.is_empty() {
        let reasons: Vec<String> = invited
            .skipped
            .iter()
            .map(|(p, why)| format!("person {p} {why}"))
            .collect();
        to.push_str(&format!(
            "&skipped={}",
            crate::auth::encode_component(&reasons.join("; "))
        ));
    }
    Redirect::to(&to)
}

async fn invite_selected(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<PeopleForm>,
) -> Result<Response, PageError> {
    let people = form.people();
    let invited = links::invite(
        state.store.as_ref(),
        &user.viewer,
        &people,
        &state.config.site,
        crate::now(),
    )
    .await?;
    Ok(after_invite(invited).into_response())
}

async fn invite_all(
    State(state): State<AppState>,
    CsrfForm(user, _form): CsrfForm<PeopleForm>,
) -> Result<Response, PageError> {
    let invited = links::invite_all_without_account(
        state.store.as_ref(),
        &user.viewer,
        &state.config.site,
        crate::now(),
    )
    .await?;
    Ok(after_invite(invited).into_response())
}

async fn withdraw(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<PeopleForm>,
) -> Result<Response, PageError> {
    for person in form.people() {
        links::revoke_invitation(state.store.as_ref(), &user.viewer, person, crate::now()).await?;
    }
    Ok(Redirect::to("/admin/accounts?withdrawn=1").into_response())
}

async fn force_reset(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<PeopleForm>,
) -> Result<Response, PageError> {
    passwords_on(&state)?;
    for person in form.people() {
        links::force_reset(
            state.store.as_ref(),
            &user.viewer,
            person,
            &state.config.site,
            crate::now(),
        )
        .await?;
    }
    Ok(Redirect::to("/admin/accounts?reset=1").into_response())
}

/// Refuses password resets when passwords are turned off: a reset link would let its
/// holder in without single sign-on.
pub(crate) fn passwords_on(state: &AppState) -> Result<(), trellis_core::CoreError> {
    if state.config.local_passwords {
        Ok(())
    } else {
        Err(trellis_core::CoreError::Conflict(
            "Trellis passwords are turned off: people sign in with single sign-on, and \
             `trellis user reset-password` prints a one-time link when that fails"
                .into(),
        ))
    }
}

async fn link_sso(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<LinkForm>,
) -> Result<Response, PageError> {
    let store = state.store.as_ref();
    let email = form.email.trim().to_lowercase();
    let person = store.person_id_by_email(&email).await?.ok_or_else(|| {
        trellis_core::CoreError::field("email", format!("nobody in Trellis has the e-mail {email}"))
    })?;
    sso::link_by_hand(
        store,
        &user.viewer,
        person,
        &form.issuer,
        &form.subject,
        crate::now(),
    )
    .await?;
    Ok(Redirect::to("/admin/accounts?linked=1#sso").into_response())
}

async fn unlink_sso(
    State(state): State<AppState>,
    CsrfForm(user, form): CsrfForm<UnlinkForm>,
) -> Result<Response, PageError> {
    let person = PersonId(form.person);
    sso::unlink(
        state.store.as_ref(),
        &user.viewer,
        person,
        &form.issuer,
        crate::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/people/{person}?saved=unlinked")).into_response())
}

async fn show_mail(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Query(done): Query<DoneParams>,
) -> Result<Markup, PageError> {
    require_admin(&user)?;
    let settings = settings(&state).await?;
    let counts = state.store.mail_counts().await?;
    let mails = state.store.recent_mails(100).await?;
    let body = html! {
        h1 { "E-mail" }
        @if done.test.is_some() { p.notice role="status" { "A test mail to you was queued; it shows below once sent." } }
        @match &state.config.mail_problem {
            Some(problem) => p.warning role="alert" { "Mail is not being sent: " (problem) ". Mail waits in the queue until it is set up (smtp_url and mail_from in the configuration) and Trellis restarted." },
            None => p { "Mail is sent from " (state.config.site.public_url) " by the background worker; a refused or unreachable server is tried again, waiting longer each time." },
        }
        p.lead { (counts.queued) " queued · " (counts.sent) " sent · " (counts.failed) " failed" }
        form method="post" action="/admin/mail/test" {
            (csrf_field(&user))
            button type="submit" { "Send a test mail to me" }
        }
        @if mails.is_empty() {
            p { "Nothing sent yet." }
        } @else {
            table {
                thead { tr { th { "Queued" } th { "To" } th { "Subject" } th { "State" } th { "The server's last answer" } } }
                tbody {
                    @for m in &mails {
                        @let status = m.status();
                        tr {
                            td { (format_time(m.created_at, &user)) }
                            td { (m.to_name) br; small { (m.to_address) } }
                            td { (m.subject) }
                            td data-state=(status.as_str()) { (status.as_str())
                                @if status == MailStatus::Queued && m.attempts > 0 { " (" (plural(m.attempts, "attempt", "attempts")) ")" }
                                @if let Some(at) = m.sent_at { " " (format_time(at, &user)) } }
                            td { (m.last_error.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        }
    };
    Ok(page(&frame(&user, &settings), "E-mail", body))
}

async fn send_test_mail(
    State(state): State<AppState>,
    CsrfForm(user, _form): CsrfForm<PeopleForm>,
) -> Result<Response, PageError> {
    require_admin(&user)?;
    let settings = settings(&state).await?;
    let now = crate::now();
    let key = format!("test {} {now}", user.viewer.person_id());
    let site = &state.config.site;
    let to = Recipient {
        person: Some(user.viewer.person_id()),
        address: user.account.email.clone(),
        name: user.account.display_name.clone(),
    };
    let mail = compose(
        &to,
        format!("Test mail from Trellis at {}", settings.organisation_name),
        format!(
            "This is a test mail from Trellis ({}). If you read it, mail works.\n",
            site.public_url
        ),
        &site.link("/admin/mail"),
        "Open Admin → E-mail",
        site,
        key,
    );
    state.store.queue_mail_now(&mail, now).await?;
    Ok(Redirect::to("/admin/mail?test=1").into_response())
}
