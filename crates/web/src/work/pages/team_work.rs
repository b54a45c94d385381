//! The team job view: priorities, due work, workload and delivery of a manager's tree, with
//! a monthly delivery trend drawn as SVG on the server.

use crate::AppState;
use crate::auth::CsrfForm;
use crate::auth::{CurrentUser, PageUser};
use crate::error::PageError;
use crate::pages::layout::{Frame, page};
use crate::pages::{csrf_field, hours, plural, settings};
use crate::work::pages::{delivery_text, due_text, objective_figures, workload_text};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;
use trellis_core::PersonId;
use trellis_core::ids::CommitmentId;
use trellis_core::work::commitments;
use trellis_core::work::reports::percent;
use trellis_core::work::team_view::{self, MonthDelivery, TeamJobView};

pub async fn my_team_work(PageUser(user): PageUser) -> Redirect {
    Redirect::to(&format!("/team-work/{}", user.account.person_id))
}

#[derive(Debug, Deserialize)]
pub struct TeamWorkParams {
    pub window: Option<u32>,
    /// Show every priority rather than the first few.
    pub all: Option<String>,
    /// How people are ordered: tree, workload, reliability, overdue or name.
    pub sort: Option<String>,
    /// Show every person rather than the first [`PEOPLE_SHOWN`].
    pub everyone: Option<String>,
}

/// People listed before "show everyone" (a top manager's tree has hundreds).
const PEOPLE_SHOWN: usize = 50;

/// Priorities shown before "show all".
const PRIORITIES_SHOWN: usize = 20;

const WINDOWS: [(u32, &str); 4] = [
    (30, "30 days"),
    (90, "90 days"),
    (180, "6 months"),
    (365, "a year"),
];

/// Delivery per month as bars with the percentage written on each, and "no data" where
/// nothing was due.
fn trend_chart(trend: &[MonthDelivery]) -> Markup {
    let width = 64;
    let height = 120.0;
    html! {
        @if trend.is_empty() { p.muted { "No work was due in this window." } }
        @else {
            svg.trend role="img" aria-labelledby="trend-title" width=(trend.len() * width + 10) height="160" viewBox=(format!("0 0 {} 160", trend.len() * width + 10)) {
                title #trend-title { "Delivered on time per month: "
                    (trend.iter().map(|m| format!("{} {}", m.month, percent(m.reliability))).collect::<Vec<_>>().join(", ")) }
                line x1="0" y1=(height + 5.0) x2=(trend.len() * width + 10) y2=(height + 5.0) stroke="#999" {}
                @for (i, m) in trend.iter().enumerate() {
                    @let x = i * width + 10;
                    @let share = m.reliability.unwrap_or(0.0);
                    @let h = share * (height - 20.0);
                    rect x=(x) y=(height + 5.0 - h) width=(width - 16) height=(h) fill="#2f6b4f" {}
                    text x=(x) y=(height + 5.0 - h - 4.0) { (percent(m.reliability)) }
                    text x=(x) y="140" { (m.month) }
                    text x=(x) y="154" { (m.delivery.on_time) "/" (m.delivery.due) }
                }
            }
        }
    }
}

fn priorities(user: &CurrentUser, v: &TeamJobView, shown: usize, window: u32) -> Markup {
    let manager = v.manager.id;
    html! {
        @if v.priorities.is_empty() { p.muted { "No open commitments in this team." } }
        @else if v.can_reorder && v.priorities.len() > 2 { p.hint { "Drag a row to its place, or type its place and choose Move." } }
        ol.priorities {
            @for (i, c) in v.priorities.iter().enumerate().take(shown) {
                li {
                    a href=(format!("/commitments/{}", c.id)) { (c.title) }
                    " · " a href=(format!("/people/{}", c.owner.id)) { (c.owner.name) }
                    " · " (due_text(c, v.today)) " · " (hours(c.remaining_hours))
                    @if v.can_reorder {
                        @if i > 0 {
                            form method="post" action=(format!("/team-work/{manager}/priorities")) {
                                (csrf_field(user))
                                input type="hidden" name="commitment" value=(c.id);
                                input type="hidden" name="direction" value="up";
                                input type="hidden" name="window" value=(window);
                                @if shown == usize::MAX { input type="hidden" name="all" value="1"; }
                                button.secondary type="submit" aria-label=(format!("Move {} up", c.title)) { "▲" }
                            }
                        }
                        @if i + 1 < v.priorities.len() {
                            form method="post" action=(format!("/team-work/{manager}/priorities")) {
                                (csrf_field(user))
                                input type="hidden" name="commitment" value=(c.id);
                                input type="hidden" name="direction" value="down";
                                input type="hidden" name="window" value=(window);
                                @if shown == usize::MAX { input type="hidden" name="all" value="1"; }
                                button.secondary type="submit" aria-label=(format!("Move {} down", c.title)) { "▼" }
                            }
                        }
                        @if v.priorities.len() > 2 {
                            form.move-to method="post" action=(format!("/team-work/{manager}/priorities")) {
                                (csrf_field(user))
                                input type="hidden" name="commitment" value=(c.id);
                                input type="hidden" name="direction" value="to";
                                input type="hidden" name="window" value=(window);
                                @if shown == usize::MAX { input type="hidden" name="all" value="1"; }
                                label.visually-hidden for=(format!("place-{}", c.id)) { "Place of " (c.title) }
                                input.place id=(format!("place-{}", c.id)) type="number" name="position" min="1" max=(v.priorities.len()) value=(i + 1) inputmode="numeric";
                                button.secondary type="submit" aria-label=(format!("Move {} to this place", c.title)) { "Move" }
                            }
                        }
                    }
                }
            }
        }
        @if shown < v.priorities.len() {
            p { a href=(format!("/team-work/{manager}?window={window}&all=1#priorities")) { "Show all " (v.priorities.len()) @if v.priorities_truncated { "+" } " priorities" } }
        } @else if v.priorities_truncated { p.muted { "Showing the first " (v.priorities.len()) " priorities." } }
    }
}

/// Career support coverage, for those who see the whole team.
async fn support_of(
    state: &AppState,
    user: &crate::auth::CurrentUser,
    v: &team_view::TeamJobView,
) -> Result<Option<trellis_core::development::coverage::CareerSupportCoverage>, PageError> {
    if !v.full {
        return Ok(None);
    }
    Ok(Some(
        trellis_core::development::coverage::career_support_coverage(
            state.store.as_ref(),
            &user.viewer,
            v.manager.id,
            crate::now(),
        )
        .await?,
    ))
}

pub async fn show_team_work(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Path(id): Path<i64>,
    Query(params): Query<TeamWorkParams>,
) -> Result<Markup, PageError> {
    let settings = settings(&state).await?;
    let window = params.window.unwrap_or(90);
    let mut v = team_view::show(
        state.store.as_ref(),
        &user.viewer,
        PersonId(id),
        window,
        crate::now(),
    )
    .await?;
    let order = params
        .sort
        .as_deref()
        .and_then(team_view::MemberOrder::parse)
        .unwrap_or_default();
    order.sort(&mut v.members);
    let listing = Listing {
        order,
        window,
        everyone: params.everyone.is_some(),
    };
    let own = v.manager.id == user.viewer.person_id();
    let member_ids: Vec<PersonId> = v.members.iter().map(|m| m.person.id).collect();
    let pending = if v.full {
        // Only what the viewer may decide: never their own placement.
        let mut pending = state.store.pending_placements_of(&member_ids).await?;
        pending.retain(|p| p.person.id != user.viewer.person_id() && p.awaits_manager());
        pending
    } else {
        Vec::new()
    };
    let trellis_core::growth::wishes::TeamWishes { wishes, offers } =
        trellis_core::growth::wishes::of_team(state.store.as_ref(), &v).await?;
    let support = support_of(&state, &user, &v).await?;
    let shown = if params.all.is_some() {
        usize::MAX
    } else {
        PRIORITIES_SHOWN
    };
    let heading = if own {
        "My team\u{2019}s work".to_string()
    } else {
        format!("{}\u{2019}s team", v.manager.name)
    };
    let body = html! {
        h1 { (heading) }
        @if !v.full {
            p.lead { "Your team\u{2019}s priorities, as " (v.manager.name) " has ordered them." }
            h2 { "Priorities" }
            (priorities(&user, &v, shown, window))
        } @else {
            p.lead { (plural(v.members.len() as i64, "person", "people")) " in the tree · "
                a href=(format!("/org?root={}", v.manager.id)) { "org chart" } " · "
                a href=(format!("/commitments/new?owner={}", v.manager.id)) { "New commitment" } }
            form.inline-forms method="get" action=(format!("/team-work/{}", v.manager.id)) {
                div.field {
                    label for="window" { "Delivery window" }
                    select #window name="window" {
                        @for (days, label) in WINDOWS { option value=(days) selected[days == window] { (label) } }
                    }
                }
                button.secondary type="submit" { "Show" }
            }
            ul.figures {
                li { span.muted { "Delivered as promised" } strong { (percent(v.team_reliability)) } (delivery_text(&v.team_delivery)) }
                li { span.muted { "Overloaded people" } strong { (v.overloaded_count) } "workload over 1.2" }
                li { span.muted { "Overdue" } strong { (v.overdue.len()) } "open past their date" }
                li { span.muted { "Due this week" } strong { (v.due_this_week.len()) } "by Sunday" }
            }
            (crate::growth::pages::opportunities::approvals(&user, &pending, &settings.manager_word))
            div.grid {
                section.card aria-labelledby="priorities" {
                    h2 #priorities { "Priorities" }
                    (priorities(&user, &v, shown, window))
                }
                section.card aria-labelledby="due" {
                    h2 #due { "Overdue and due this week" }
                    @if v.overdue.is_empty() && v.due_this_week.is_empty() { p.muted { "Nothing overdue or due this week." } }
                    ul.plain {
                        @for c in v.overdue.iter().chain(v.due_this_week.iter()) {
                            li { a href=(format!("/commitments/{}", c.id)) { (c.title) } " · " (c.owner.name) " · " (due_text(c, v.today)) }
                        }
                    }
                }
            }
            (people_table(&v, &wishes, &listing))
            @if let Some(c) = &support { (crate::development::pages::career_support(c)) }
            @if !offers.is_empty() { (offers_section(&user, &offers)) }
            section aria-labelledby="trend" {
                h2 #trend { "Delivery by month" }
                (trend_chart(&v.trend))
            }
            section aria-labelledby="objectives" {
                h2 #objectives { "Objectives" }
                @if v.objectives.is_empty() { p.muted { "No running objectives for this team. " a href="/objectives/new" { "Set one" } } }
                ul.plain {
                    @for o in &v.objectives {
                        li { a href=(format!("/objectives/{}", o.objective.id)) { (o.objective.title) } " · " span.muted { (o.objective.owner.name) } br; (objective_figures(o)) }
                    }
                }
            }
        }
    };
    Ok(page(
        &Frame {
            user: &user,
            settings: &settings,
            section: "team-work",
        },
        &heading,
        body,
    ))
}

/// How the people table is shown: its order, and whether everyone is listed.
struct Listing {
    order: team_view::MemberOrder,
    window: u32,
    everyone: bool,
}

/// Workload, wishes and delivery per person of the tree, in the order chosen.
fn people_table(
    v: &trellis_core::work::team_view::TeamJobView,
    wishes: &[trellis_core::growth::wishes::PlateWish],
    listing: &Listing,
) -> Markup {
    let shown = if listing.everyone {
        v.members.len()
    } else {
        PEOPLE_SHOWN.min(v.members.len())
    };
    let tree = listing.order == team_view::MemberOrder::Tree;
    html! {
        section aria-labelledby="people" {
            h2 #people { "Workload and delivery per person" }
            p.hint { "Workload: open work due by " (v.horizon.last.format("%-d %b")) " against capacity over the same days (absences taken off). Delivery: commitments due "
                (crate::pages::format_date(v.window.first)) " – " (crate::pages::format_date(v.window.last)) " done by their agreed date." }
            form.inline-forms method="get" action=(format!("/team-work/{}#people", v.manager.id)) {
                input type="hidden" name="window" value=(listing.window);
                div.field {
                    label for="sort" { "Order by" }
                    select #sort name="sort" {
                        @for o in team_view::MemberOrder::ALL { option value=(o.as_str()) selected[o == listing.order] { (o.label()) } }
                    }
                }
                button.secondary type="submit" { "Sort" }
            }
            div.table-scroll {
                table.data #people-table {
                    thead { tr { th { "Person" } th { "Workload" } th { "Would like moved" } th.num { "Overdue" } th.num { "Delivered on time" } th.num { "Reliability" } } }
                    tbody {
                        @for m in v.members.iter().take(shown) {
                            tr {
                                td style=(format!("padding-left:{}rem", 0.5 + if tree { f64::from(m.depth.min(6)) * 0.8 } else { 0.0 })) {
                                    a href=(format!("/people/{}/plate", m.person.id)) { (m.person.name) }
                                    @if let Some(t) = &m.title { br; span.muted { (t) } }
                                }
                                td { (workload_text(&m.workload)) }
                                td {
                                    @for w in wishes.iter().filter(|w| w.person_id == m.person.id) {
                                        span.badge { (w.direction.as_str()) } " " (w.what) br;
                                    }
                                }
                                td.num { @if m.overdue > 0 { span.flag.bad { (m.overdue) } } @else { span.muted { "0" } } }
                                td.num { (m.delivery.on_time) " of " (m.delivery.due) }
                                td.num { (percent(m.reliability)) }
                            }
                        }
                    }
                }
            }
            @if shown < v.members.len() {
                p { a href=(format!("/team-work/{}?window={}&sort={}&everyone=1#people", v.manager.id, listing.window, listing.order.as_str())) {
                    "Show all " (v.members.len()) " people" } " (" (shown) " shown)" }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct MoveForm {
    pub csrf: String,
    pub commitment: i64,
    /// up, down, or to (with `position`).
    pub direction: String,
    #[serde(default)]
    pub position: String,
    pub window: Option<u32>,
    pub all: Option<String>,
}

pub async fn move_priority(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    CsrfForm(user, form): CsrfForm<MoveForm>,
) -> Result<Response, PageError> {
    let store = state.store.as_ref();
    let commitment = CommitmentId(form.commitment);
    if form.direction == "to" {
        let position = form.position.trim().parse::<usize>().map_err(|_| {
            trellis_core::CoreError::field(
                "position",
                format!("{:?} is not a place such as 3", form.position),
            )
        })?;
        commitments::move_to(store, &user.viewer, PersonId(id), commitment, position).await?;
    } else {
        commitments::move_priority(
            store,
            &user.viewer,
            PersonId(id),
            commitment,
            form.direction == "up",
        )
        .await?;
    }
    let window = form.window.unwrap_or(90);
    let all = if form.all.is_some() { "&all=1" } else { "" };
    Ok(Redirect::to(&format!("/team-work/{id}?window={window}{all}#priorities")).into_response())
}

/// Work people would like moved off their plates, and who in the team wants it.
fn offers_section(user: &CurrentUser, offers: &[trellis_core::growth::wishes::Offer]) -> Markup {
    html! {
        section aria-labelledby="offers" {
            h2 #offers { "Work people would like moved off their plate" }
            p.hint { "Who in the team wants it: they want to grow one of its skills, or asked for that kind of work, and have hours free. Giving a commitment to someone moves it and grants the wish." }
            @let (wanted, unwanted): (Vec<_>, Vec<_>) = offers.iter().partition(|o| !o.takers.is_empty());
            @if wanted.is_empty() { p.muted { "Nobody in the team has asked for any of this work yet." } }
            ul.plain {
                @for o in &wanted {
                    li.offer {
                        strong { (o.from.name) } " would like to move off "
                        @match &o.commitment {
                            Some(c) => { a href=(format!("/commitments/{}", c.id)) { (c.title) } }
                            None => { "\u{201c}" (o.wish.what) "\u{201d}" }
                        }
                        ul {
                            @for t in &o.takers {
                                li {
                                    (t.reason)
                                    @if let Some(c) = &o.commitment {
                                        " "
                                        form.inline-forms method="post" action=(format!("/commitments/{}/reassign", c.id)) {
                                            (csrf_field(user))
                                            input type="hidden" name="owner_id" value=(t.person.id);
                                            input type="hidden" name="note" value=(format!("Moved off {}\u{2019}s plate at their wish; {}", o.from.name, t.reason));
                                            button.secondary.small type="submit" { "Give it to " (t.person.name) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !unwanted.is_empty() {
                p { span.muted { "Also wished off, and nobody has asked for it yet: " }
                    @for (i, o) in unwanted.iter().enumerate() {
                        @if i > 0 { "; " }
                        @match &o.commitment { Some(c) => { a href=(format!("/commitments/{}", c.id)) { (c.title) } }, None => { (o.wish.what) } }
                        " (" (o.from.name) ")"
                    }
                }
            }
        }
    }
}

crate::auth::csrf_form!(MoveForm);

/// The pages of this module.
pub(crate) fn routes() -> axum::Router<crate::AppState> {
    axum::Router::new()
        .route("/team-work", axum::routing::get(my_team_work))
        .route("/team-work/{id}", axum::routing::get(show_team_work))
        .route(
            "/team-work/{id}/priorities",
            axum::routing::post(move_priority),
        )
}
