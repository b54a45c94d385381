//! The home page's next actions: what is waiting for the person, assembled here from the
//! capabilities that own each part (work, growth, the notification centre, accounts,
//! mail). Each line says what and how many, and links where it is done.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::pages::plural;
use chrono::{Datelike, Duration};
use maud::{Markup, html};
use trellis_core::CoreError;
use trellis_core::growth::career::STALE_AFTER_DAYS;
use trellis_core::growth::placements::PlacementStatus;
use trellis_core::org::PersonCard;
use trellis_core::work::metrics::ObjectiveStatus;
use trellis_core::work::plate::Plate;

/// One thing to do.
pub struct Action {
    pub text: String,
    pub href: String,
    /// Late or blocking someone: shown first, marked.
    pub urgent: bool,
}

fn action(text: String, href: impl Into<String>, urgent: bool) -> Action {
    Action {
        text,
        href: href.into(),
        urgent,
    }
}

/// Everyone's own: late and due work, check-ins, unread notifications, stretch work asked
/// of them.
pub async fn for_everyone(
    state: &AppState,
    user: &CurrentUser,
    plate: &Plate,
) -> Result<Vec<Action>, CoreError> {
    let mut actions = Vec::new();
    let today = plate.today;
    let sunday = today + Duration::days(6 - i64::from(today.weekday().num_days_from_monday()));
    let overdue = plate.open.iter().filter(|c| c.is_overdue(today)).count() as i64;
    if overdue > 0 {
        actions.push(action(
            format!(
                "{} overdue: deliver, or agree a new date",
                plural(overdue, "commitment is", "commitments are")
            ),
            "/plate",
            true,
        ));
    }
    let due = plate
        .open
        .iter()
        .filter(|c| !c.is_overdue(today) && c.due_date <= sunday)
        .count() as i64;
    if due > 0 {
        actions.push(action(
            format!("{} due this week", plural(due, "commitment", "commitments")),
            "/plate",
            false,
        ));
    }
    let check_ins = plate.objectives.iter().filter(|o| o.check_in_due).count() as i64;
    if check_ins > 0 {
        actions.push(action(
            format!(
                "{} a check-in",
                plural(check_ins, "objective needs", "objectives need")
            ),
            "/plate",
            false,
        ));
    }
    let asked =
        trellis_core::growth::placements::asked_of_me(state.store.as_ref(), &user.viewer).await?;
    if let Some(first) = asked.first() {
        actions.push(action(
            format!(
                "{} your answer",
                plural(
                    asked.len() as i64,
                    "stretch offer waits for",
                    "stretch offers wait for"
                )
            ),
            format!("/opportunities/{}", first.opportunity_id),
            true,
        ));
    }
    one_on_ones(state, user, &mut actions).await?;
    if user.unread > 0 {
        actions.push(action(
            plural(user.unread, "unread notification", "unread notifications"),
            "/notifications",
            false,
        ));
    }
    Ok(actions)
}

/// 1:1s: proposals to answer, series whose time the person sets and has not, and the next
/// meeting when it is within two days (to add talking points).
async fn one_on_ones(
    state: &AppState,
    user: &CurrentUser,
    actions: &mut Vec<Action>,
) -> Result<(), CoreError> {
    use trellis_core::conversations::SeriesStatus;
    let now = crate::now();
    let list =
        trellis_core::conversations::series::list(state.store.as_ref(), &user.viewer, now).await?;
    let proposals = list.iter().filter(|s| s.awaits_me).count() as i64;
    if proposals > 0 {
        actions.push(action(
            format!(
                "{} your answer",
                plural(
                    proposals,
                    "1:1 proposal waits for",
                    "1:1 proposals wait for"
                )
            ),
            "/one-on-ones",
            true,
        ));
    }
    let unset: Vec<_> = list
        .iter()
        .filter(|s| {
            s.i_organise && s.series.status == SeriesStatus::Active && s.series.schedule.is_none()
        })
        .collect();
    if let Some(first) = unset.first() {
        actions.push(action(
            format!(
                "Set a time for {} so you both can prepare",
                plural(unset.len() as i64, "1:1 series", "1:1 series")
            ),
            format!("/one-on-ones/{}", first.series.id),
            false,
        ));
    }
    for s in &list {
        if let Some(m) = s
            .current
            .filter(|m| m.starts_at > now && m.starts_at - now <= 2 * 86_400)
        {
            actions.push(action(
                format!(
                    "1:1 with {} on {}: {} on the agenda",
                    s.series.partner_of(user.viewer.person_id()).name,
                    m.starts.format("%A at %H:%M"),
                    plural(s.open_points as i64, "point", "points")
                ),
                format!("/one-on-ones/{}/meetings/{}", s.series.id, m.occurrence),
                false,
            ));
        }
    }
    Ok(())
}

/// A manager's: approvals, overload, career plans to review, objectives at risk, wishes.
pub async fn for_managers(
    state: &AppState,
    user: &CurrentUser,
    reports: &[PersonCard],
) -> Result<Vec<Action>, CoreError> {
    let store = state.store.as_ref();
    let me = user.viewer.person_id();
    let view =
        trellis_core::work::team_view::show(store, &user.viewer, me, 90, crate::now()).await?;
    let tree: Vec<_> = view
        .members
        .iter()
        .map(|m| m.person.id)
        .filter(|id| *id != me)
        .collect();
    let mut actions = Vec::new();
    let pending: Vec<_> = store
        .pending_placements_of(&tree)
        .await?
        .into_iter()
        .filter(|p| p.status == PlacementStatus::Pending)
        .collect();
    if let Some(first) = pending.first() {
        actions.push(action(
            format!(
                "{} your approval",
                plural(
                    pending.len() as i64,
                    "stretch placement waits for",
                    "stretch placements wait for"
                )
            ),
            format!("/opportunities/{}", first.opportunity_id),
            true,
        ));
    }
    if view.overloaded_count > 0 {
        actions.push(action(
            format!(
                "{} in your tree {} more work than time",
                plural(view.overloaded_count as i64, "person", "people"),
                if view.overloaded_count == 1 {
                    "has"
                } else {
                    "have"
                }
            ),
            "/team-work",
            true,
        ));
    }
    let mut stale = Vec::new();
    for report in reports {
        let plan = store.career_plan(report.id).await?;
        let reviewed = plan.and_then(|p| p.last_reviewed_on);
        if reviewed.is_none_or(|d| (view.today - d).num_days() > STALE_AFTER_DAYS) {
            stale.push(report);
        }
    }
    if let Some(first) = stale.first() {
        actions.push(action(
            format!(
                "{} due for a review together (none in six months)",
                plural(
                    stale.len() as i64,
                    "career plan of your reports is",
                    "career plans of your reports are"
                )
            ),
            format!("/people/{}/career", first.id),
            false,
        ));
    }
    let at_risk = view
        .objectives
        .iter()
        .filter(|o| o.status == Some(ObjectiveStatus::AtRisk))
        .count() as i64;
    if at_risk > 0 {
        actions.push(action(
            format!(
                "{} at risk",
                plural(at_risk, "team objective is", "team objectives are")
            ),
            "/team-work",
            true,
        ));
    }
    let wishes = store.plate_wishes(&tree).await?.len() as i64;
    if wishes > 0 {
        actions.push(action(
            format!(
                "{} for an answer",
                plural(
                    wishes,
                    "plate wish in your team waits",
                    "plate wishes in your team wait"
                )
            ),
            "/team-work",
            false,
        ));
    }
    Ok(actions)
}

/// An admin's: their imports waiting to be applied, people who cannot sign in, mail that
/// failed or cannot go.
pub async fn for_admins(state: &AppState, user: &CurrentUser) -> Result<Vec<Action>, CoreError> {
    let store = state.store.as_ref();
    let mut actions = Vec::new();
    for waiting in crate::admin::import::waiting_uploads(state, user).await? {
        actions.push(action(
            format!(
                "Your import of {} waits for you to check and apply it",
                waiting.file_name
            ),
            format!("/admin/import/waiting/{}", waiting.id),
            false,
        ));
    }
    let without = store.people_without_password().await?.len() as i64;
    if without > 0 {
        actions.push(action(
            format!(
                "{} cannot sign in yet: invite them",
                plural(without, "person", "people")
            ),
            "/admin/accounts",
            false,
        ));
    }
    let mail = store.mail_counts().await?;
    if mail.failed > 0 {
        actions.push(action(
            format!(
                "{} could not be delivered",
                plural(mail.failed, "e-mail", "e-mails")
            ),
            "/admin/mail",
            true,
        ));
    }
    if let (Some(problem), true) = (&state.config.mail_problem, mail.queued > 0) {
        actions.push(action(
            format!(
                "{} waiting: mail is not being sent ({problem})",
                plural(mail.queued, "e-mail is", "e-mails are")
            ),
            "/admin/mail",
            true,
        ));
    }
    Ok(actions)
}

/// The list, urgent first, or a sentence saying nothing waits.
pub fn list(mut actions: Vec<Action>) -> Markup {
    actions.sort_by_key(|a| !a.urgent);
    html! {
        section.card.next-actions aria-labelledby="next" {
            h2 #next { "What is waiting for you" }
            @if actions.is_empty() {
                p { "Nothing is waiting: no late work, approvals or unread notifications." }
            } @else {
                ul {
                    @for a in &actions {
                        li.urgent[a.urgent] { a href=(a.href) { (a.text) } }
                    }
                }
            }
        }
    }
}
