//! The page frame: navigation that shows only what exists, in the organisation's words.

use crate::auth::CurrentUser;
use maud::{DOCTYPE, Markup, html};
use trellis_core::settings::Settings;

/// What every signed-in page needs to draw its frame.
pub struct Frame<'a> {
    pub user: &'a CurrentUser,
    pub settings: &'a Settings,
    /// Which navigation entry is current: home, people, org, teams, admin.
    pub section: &'a str,
}

fn head(title: &str, org: Option<&str>) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) @if let Some(o) = org { " · " (o) } " · Trellis" }
            link rel="stylesheet" href="/static/app.css";
            link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
            script src="/static/app.js" defer {}
        }
    }
}

/// A signed-in page.
pub fn page(frame: &Frame, title: &str, body: Markup) -> Markup {
    let user = frame.user;
    let mut nav: Vec<(&str, &str, &str)> =
        vec![("home", "/", "Home"), ("plate", "/plate", "My plate")];
    if user.viewer.has_reports() {
        nav.push(("team-work", "/team-work", "Team work"));
        nav.push(("scorecard", "/scorecards/me", "Scorecard"));
    }
    nav.extend([
        ("one-on-ones", "/one-on-ones", "1:1s"),
        ("feedback", "/feedback", "Feedback"),
        ("reviews", "/reviews", "Reviews"),
        ("objectives", "/objectives", "Objectives"),
        ("decisions", "/decisions", "Decisions"),
        ("opportunities", "/opportunities", "Opportunities"),
        ("mentoring", "/mentoring", "Mentoring"),
        ("development", "/development", "Programmes"),
        ("connect", "/connect", "Connect"),
        ("people", "/people", "People"),
        ("org", "/org", "Org chart"),
        ("teams", "/teams", "Teams"),
    ]);
    if user.viewer.may_lead_teams() {
        nav.push(("influence", "/influence", "Influence"));
        nav.push(("succession", "/succession", "Succession"));
        nav.push(("transitions", "/transitions", "New managers"));
        nav.push(("dashboard", "/dashboard", "Dashboard"));
    }
    if frame.settings.advice_pulse_every_months > 0 {
        nav.push(("advice", "/advice", "Advice pulse"));
    }
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title, Some(&frame.settings.organisation_name)))
            body {
                a.skip href="#main" { "Skip to content" }
                header.top {
                    div.bar {
                        a.brand href="/" { (frame.settings.organisation_name) }
                        nav aria-label="Main" {
                            ul {
                                @for (key, href, label) in &nav {
                                    li { a href=(href) aria-current=[(frame.section == *key).then_some("page")] { (label) } }
                                }
                                @if user.viewer.may_administer() {
                                    li { a href="/admin" aria-current=[(frame.section == "admin").then_some("page")] { "Admin" } }
                                }
                            }
                        }
                        div.who {
                            a.bell href="/notifications" aria-current=[(frame.section == "notifications").then_some("page")] {
                                span aria-hidden="true" { "🔔" }
                                @if user.unread > 0 {
                                    span.count { (user.unread) }
                                    span.visually-hidden { " unread notifications" }
                                } @else {
                                    span.visually-hidden { "Notifications" }
                                }
                            }
                            a href=(format!("/people/{}", user.account.person_id)) { (user.account.display_name) }
                            span.badge { (role_label(user, frame.settings)) }
                            form method="post" action="/signout" {
                                input type="hidden" name="csrf" value=(user.csrf.clone().unwrap_or_default());
                                button type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                main #main {
                    @if let Some(done) = user.flash { p.notice.flash role="status" { (done.sentence()) } }
                    (body)
                }
            }
        }
    }
}

/// The role in the organisation's own words.
pub fn role_label(user: &CurrentUser, settings: &Settings) -> String {
    use trellis_core::access::Role;
    match user.role() {
        Role::Admin => "people admin".into(),
        Role::Manager => settings.manager_word.clone(),
        Role::Member => "member".into(),
    }
}

/// A page without navigation: sign-in and errors.
pub fn bare(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head(title, None))
            body {
                header.top { div.bar { a.brand href="/" { "Trellis" } } }
                main #main { (body) }
            }
        }
    }
}
