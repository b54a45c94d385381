//! The job and the career beside the agenda: for the report of a pair, their plate, their
//! objectives with check-ins due, delivery, plate wishes, career plan, mentorships and
//! stretch work — each a click away from being a talking point. Assembled here from the
//! capabilities below, each read through its own service and its own visibility rule, so
//! a chosen series (a mentor, a peer) shows nothing its viewer may not otherwise see.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::PageError;
use crate::pages::{csrf_field, hours};
use crate::work::pages::{delivery_text, due_text, workload_text};
use maud::{Markup, html};
use trellis_core::CoreError;
use trellis_core::conversations::Series;
use trellis_core::growth::wishes::Direction;
use trellis_core::work::CommitmentStatus;

/// "Add to agenda": a form that adds `text` (linking `link`) as a talking point.
fn to_agenda(user: &CurrentUser, series: &Series, text: &str, link: &str) -> Markup {
    html! {
        form.inline method="post" action=(format!("/one-on-ones/{}/points", series.id)) {
            (csrf_field(user))
            input type="hidden" name="text" value=(text);
            input type="hidden" name="link" value=(link);
            button.link type="submit" aria-label=(format!("Add to the agenda: {text}")) { "+ agenda" }
        }
    }
}

/// Days until a commitment counts as "due soon" on the panel.
const DUE_SOON_DAYS: i64 = 14;

/// The panel, or `None` when the viewer may not see the person's plate.
pub(crate) async fn about(
    state: &AppState,
    user: &CurrentUser,
    series: &Series,
) -> Result<Option<Markup>, PageError> {
    // A chosen series (a mentor, a skip-level) is about whatever its two people bring; the
    // job and the career are the reporting pair's.
    if series.kind != trellis_core::conversations::SeriesKind::Reporting {
        return Ok(None);
    }
    let store = state.store.as_ref();
    let person = series.about();
    let now = crate::now();
    let plate = match trellis_core::work::plate::show(store, &user.viewer, person.id, now).await {
        Ok(p) => p,
        Err(CoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let today = plate.today;
    let due: Vec<_> = plate
        .open
        .iter()
        .filter(|c| c.is_overdue(today) || (c.due_date - today).num_days() <= DUE_SOON_DAYS)
        .take(12)
        .collect();
    let wishes = trellis_core::growth::wishes::of_plate(store, &plate).await?;
    let career = trellis_core::growth::career::show(store, &user.viewer, person.id, now).await?;
    let support: Vec<_> = career
        .support
        .iter()
        .filter(|c| c.status == CommitmentStatus::Open)
        .collect();
    let mentorships: Vec<_> = store
        .mentorships_of(person.id)
        .await?
        .into_iter()
        .filter(|m| m.running_on(today))
        .collect();
    let stretch = store.running_stretch_of(person.id).await?;
    let checkins: Vec<_> = plate.objectives.iter().filter(|o| o.check_in_due).collect();
    let name = &person.name;
    Ok(Some(html! {
        aside.card.panel aria-labelledby="about" {
            h2 #about { "About " (name) }
            h3 { "Plate" }
            p { "Workload " (workload_text(&plate.workload)) }
            p { "Delivered as promised over 90 days: " (delivery_text(&plate.delivery)) }
            @if due.is_empty() { p.muted { "Nothing overdue or due in the next two weeks." } }
            ul.plain {
                @for c in &due {
                    li {
                        a href=(format!("/commitments/{}", c.id)) { (c.title) } " · " (due_text(c, today)) " · " (hours(c.remaining_hours)) " "
                        (to_agenda(user, series, &format!("{}: {}", if c.is_overdue(today) { "Overdue" } else { "Due soon" }, c.title), &format!("/commitments/{}", c.id)))
                    }
                }
            }
            @if !checkins.is_empty() {
                h3 { "Objectives with a check-in due" }
                ul.plain {
                    @for o in &checkins {
                        li { a href=(format!("/objectives/{}", o.objective.id)) { (o.objective.title) } " "
                            (to_agenda(user, series, &format!("Check in on {}", o.objective.title), &format!("/objectives/{}", o.objective.id))) }
                    }
                }
            }
            @if !wishes.is_empty() {
                h3 { "Plate wishes" }
                ul.plain {
                    @for w in &wishes {
                        li { @if w.direction == Direction::On { "Would like to take on: " } @else { "Would like off the plate: " } (w.what) " "
                            (to_agenda(user, series, &format!("Plate wish: {}", w.what), &format!("/people/{}/plate", person.id))) }
                    }
                }
            }
            h3 { "Career" }
            @match &career.plan {
                Some(plan) => {
                    p { "Next step: " strong { @if plan.fields.target_role.is_empty() { "not written yet" } @else { (plan.fields.target_role) } }
                        @if let Some(l) = &plan.target_level_label { " (" (l) ")" } }
                    @if !plan.fields.growth_areas.is_empty() {
                        p { "Growing: " (plan.fields.growth_areas.iter().map(|g| format!("{} {}→{}", g.skill, g.current, g.target)).collect::<Vec<_>>().join(", ")) }
                    }
                }
                None => p.muted { "No career plan yet." },
            }
            @if career.stale { p { span.flag.warn { "due for review" } " " (to_agenda(user, series, "Review the career plan together", &format!("/people/{}/career", person.id))) } }
            @for c in &support {
                p { "Support promised: " a href=(format!("/commitments/{}", c.id)) { (c.title) } " " (due_text(c, today)) " "
                    (to_agenda(user, series, &format!("Support promised: {}", c.title), &format!("/commitments/{}", c.id))) }
            }
            @if !mentorships.is_empty() || !stretch.is_empty() {
                h3 { "Growing through" }
                ul.plain {
                    @for m in &mentorships {
                        li { @if m.mentee.id == person.id { "Mentored by " (m.mentor.name) } @else { "Mentoring " (m.mentee.name) } " until " (crate::pages::format_date(m.ends_on)) " "
                            (to_agenda(user, series, &format!("Mentorship with {}", if m.mentee.id == person.id { &m.mentor.name } else { &m.mentee.name }), "/mentoring")) }
                    }
                    @for (opportunity, title) in &stretch {
                        li { "Stretch work: " a href=(format!("/opportunities/{opportunity}")) { (title) } " "
                            (to_agenda(user, series, &format!("Stretch work: {title}"), &format!("/opportunities/{opportunity}"))) }
                    }
                }
            }
            p.muted { a href=(format!("/people/{}/plate", person.id)) { "Whole plate" } " · " a href=(format!("/people/{}/career", person.id)) { "Career plan" } }
        }
    }))
}
