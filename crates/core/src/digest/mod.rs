//! The weekly digest: every Monday morning in each person's time zone, one e-mail (and the
//! same as a page) with what is due for them this week and overdue, their next 1:1s, what
//! waits for their answer or approval, their connection of the week, and one practical tip
//! — for a manager, aimed at the behaviour their latest 360 rated lowest. Above every
//! capability it reads; each part comes from the capability that owns it, as the person
//! themselves may see it.

pub mod send;
pub mod store;
pub mod tips;

use crate::access::Viewer;
use crate::clock::{local_date, zone};
use crate::connect::rounds::Outcome;
use crate::connect::slots::describe_slot;
use crate::error::{CoreError, CoreResult};
use crate::growth::placements::PlacementStatus;
use crate::store::Store;
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use tips::{Tip, TipAudience};

/// One line of the digest and where it is acted on.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DigestLine {
    pub text: String,
    /// A path in Trellis.
    pub link: String,
}

fn line(text: String, link: impl Into<String>) -> DigestLine {
    DigestLine {
        text,
        link: link.into(),
    }
}

/// A person's week.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Digest {
    pub name: String,
    /// The ISO week, "2026-W49".
    pub week: String,
    /// Its Monday, in the person's calendar.
    pub monday: NaiveDate,
    pub overdue: Vec<DigestLine>,
    pub due_this_week: Vec<DigestLine>,
    /// 1:1s in the next seven days.
    pub one_on_ones: Vec<DigestLine>,
    /// Approvals, answers and reviews waiting for the person.
    pub waiting: Vec<DigestLine>,
    pub connection: Option<DigestLine>,
    pub tip: Option<Tip>,
    /// The behaviour of the person's own latest 360 that chose the tip, when one did.
    pub tip_for: Option<String>,
}

impl Digest {
    pub fn is_quiet(&self) -> bool {
        self.overdue.is_empty()
            && self.due_this_week.is_empty()
            && self.one_on_ones.is_empty()
            && self.waiting.is_empty()
            && self.connection.is_none()
    }
}

/// The ISO week of a day, as "2026-W49".
pub fn week_label(day: NaiveDate) -> String {
    let week = day.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// The Monday of a day's week.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// Weeks since a fixed Monday: the built-in tips go round in this order.
fn week_number(monday: NaiveDate) -> i64 {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    (monday - start).num_days().div_euclid(7)
}

/// The viewer's digest now.
pub async fn compose(store: &dyn Store, viewer: &Viewer, now: i64) -> CoreResult<Digest> {
    let me = viewer.person_id();
    let person = store
        .person(me)
        .await?
        .ok_or_else(|| CoreError::NotFound(format!("person {me}")))?;
    let time_zone = person.time_zone.clone();
    let today = local_date(time_zone.as_deref(), now);
    let monday = monday_of(today);
    let sunday = monday + Duration::days(6);
    let mut digest = Digest {
        name: person.display_name(),
        week: week_label(today),
        monday,
        overdue: Vec::new(),
        due_this_week: Vec::new(),
        one_on_ones: Vec::new(),
        waiting: Vec::new(),
        connection: None,
        tip: None,
        tip_for: None,
    };
    let plate = crate::work::plate::show(store, viewer, me, now).await?;
    for c in &plate.open {
        let due = c.due_date.format("%a %-d %b");
        if c.is_overdue(plate.today) {
            digest
                .overdue
                .push(line(format!("{} (was due {due})", c.title), "/plate"));
        } else if c.due_date <= sunday {
            digest
                .due_this_week
                .push(line(format!("{} (due {due})", c.title), "/plate"));
        }
    }
    one_on_ones(store, viewer, now, &mut digest).await?;
    waiting(store, viewer, &mut digest).await?;
    connection(store, viewer, time_zone.as_deref(), monday, &mut digest).await?;
    tip(store, viewer, monday, &mut digest).await?;
    Ok(digest)
}

async fn one_on_ones(
    store: &dyn Store,
    viewer: &Viewer,
    now: i64,
    digest: &mut Digest,
) -> CoreResult<()> {
    let me = viewer.person_id();
    for s in crate::conversations::series::list(store, viewer, now).await? {
        let partner = &s.series.partner_of(me).name;
        if s.awaits_me {
            digest.waiting.push(line(
                format!("{partner}'s 1:1 proposal waits for your answer"),
                "/one-on-ones",
            ));
        }
        if let Some(m) = s
            .current
            .filter(|m| m.happens() && m.starts_at >= now && m.starts_at < now + 7 * 86_400)
        {
            digest.one_on_ones.push(line(
                format!("1:1 with {partner} on {}", m.starts.format("%A at %H:%M")),
                format!("/one-on-ones/{}", s.series.id),
            ));
        }
    }
    Ok(())
}

/// Stretch offers, approvals of reports' placements and plate wishes, reviews to write and
/// 360s to answer.
async fn waiting(store: &dyn Store, viewer: &Viewer, digest: &mut Digest) -> CoreResult<()> {
    let me = viewer.person_id();
    for p in crate::growth::placements::asked_of_me(store, viewer).await? {
        digest.waiting.push(line(
            format!(
                "The stretch offer \"{}\" waits for your answer",
                p.opportunity_title
            ),
            format!("/opportunities/{}", p.opportunity_id),
        ));
    }
    if viewer.has_reports() {
        let reports: Vec<_> = store
            .direct_reports(me)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        for p in store.pending_placements_of(&reports).await? {
            if p.status == PlacementStatus::Pending {
                digest.waiting.push(line(
                    format!(
                        "{}'s stretch placement in \"{}\" waits for your approval",
                        p.person.name, p.opportunity_title
                    ),
                    format!("/opportunities/{}", p.opportunity_id),
                ));
            }
        }
        let wishes = store.plate_wishes(&reports).await?.len();
        if wishes > 0 {
            digest.waiting.push(line(
                match wishes {
                    1 => "1 plate wish of your reports waits for an answer".to_string(),
                    n => format!("{n} plate wishes of your reports wait for an answer"),
                },
                "/team-work",
            ));
        }
    }
    let reviews = crate::reviews::forms::mine(store, viewer).await?;
    for r in &reviews.mine {
        let cycle = &r.cycle;
        if let (crate::reviews::CycleState::Launched, Some(due), None) = (
            cycle.state,
            r.review.self_due_extended.or(cycle.self_review_due),
            r.review.self_submitted_at,
        ) {
            digest.waiting.push(line(
                format!(
                    "Your self-review in {}, due {}",
                    cycle.name,
                    due.format("%a %-d %b")
                ),
                "/reviews",
            ));
        }
    }
    for r in &reviews.to_write {
        let cycle = &r.cycle;
        if cycle.state == crate::reviews::CycleState::Launched
            && r.review.manager_submitted_at.is_none()
        {
            let due = r
                .review
                .manager_due_extended
                .unwrap_or(cycle.manager_review_due);
            digest.waiting.push(line(
                format!(
                    "Your review of {} in {}, due {}",
                    r.review.reviewee.name,
                    cycle.name,
                    due.format("%a %-d %b")
                ),
                "/reviews",
            ));
        }
    }
    for a in crate::assessments::mine(store, viewer).await?.to_answer {
        digest.waiting.push(line(
            format!(
                "Your answers to the 360 of {}, due {}",
                a.subject.name,
                a.due_on.format("%a %-d %b")
            ),
            format!("/assessments/{}", a.id),
        ));
    }
    Ok(())
}

/// The newest connection from a round run this week or last, while it has not been said
/// whether they met.
async fn connection(
    store: &dyn Store,
    viewer: &Viewer,
    time_zone: Option<&str>,
    monday: NaiveDate,
    digest: &mut Digest,
) -> CoreResult<()> {
    let Some(m) = store
        .connect_meetings_of(viewer.person_id())
        .await?
        .into_iter()
        .next()
        .filter(|m| m.run_on >= monday - Duration::days(7) && m.outcome != Some(Outcome::Met))
    else {
        return Ok(());
    };
    if m.outcome == Some(Outcome::Missed) {
        return Ok(());
    }
    let when = match m.starts_at {
        Some(at) => format!(
            " — suggested: {} your time",
            describe_slot(at, zone(time_zone).unwrap_or(chrono_tz::UTC))
        ),
        None => String::new(),
    };
    digest.connection = Some(line(
        format!("{}: you meet {}{when}", m.programme, m.with.join(" and ")),
        "/connect",
    ));
    Ok(())
}

/// The library for the viewer's audience, built-in first, then the organisation's own.
pub async fn library_for(store: &dyn Store, audience: TipAudience) -> CoreResult<Vec<Tip>> {
    let mut library = tips::built_in(audience);
    library.extend(
        store
            .digest_tips()
            .await?
            .into_iter()
            .filter(|t| t.audience == audience),
    );
    Ok(library)
}

/// The behaviour the viewer's latest shared 360 rated lowest, from their report as they
/// see it (a figure hidden by the anonymity rule does not count).
async fn lowest_behaviour(store: &dyn Store, viewer: &Viewer) -> CoreResult<Option<String>> {
    let latest = crate::assessments::mine(store, viewer)
        .await?
        .about_me
        .into_iter()
        .filter(|a| a.state == crate::assessments::AssessmentState::Shared)
        .max_by_key(|a| (a.shared_at, a.id));
    let Some(latest) = latest else {
        return Ok(None);
    };
    let report = crate::assessments::report::show(store, viewer, latest.id).await?;
    Ok(report
        .lines
        .iter()
        .filter_map(|l| {
            let all = l.figures.iter().find(|f| f.group == "all")?;
            Some((all.score?, &l.behaviour.text))
        })
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, text)| text.clone()))
}

async fn tip(
    store: &dyn Store,
    viewer: &Viewer,
    monday: NaiveDate,
    digest: &mut Digest,
) -> CoreResult<()> {
    let audience = if viewer.has_reports() {
        TipAudience::Managers
    } else {
        TipAudience::Everyone
    };
    let library = library_for(store, audience).await?;
    let lowest = lowest_behaviour(store, viewer).await?;
    let chosen = tips::choose(&library, lowest.as_deref(), week_number(monday)).cloned();
    digest.tip_for = lowest.filter(|b| chosen.as_ref().is_some_and(|t| &t.behaviour == b));
    digest.tip = chosen;
    Ok(())
}

/// The digest as the e-mail's text: each part a paragraph, empty parts left out.
pub fn mail_text(d: &Digest, organisation: &str, link: &str) -> String {
    let mut parts = vec![
        format!("Hello {},", d.name),
        format!(
            "Your week at {organisation}, from Monday {}.",
            d.monday.format("%-d %B")
        ),
    ];
    let mut list = |title: &str, lines: &[DigestLine]| {
        if !lines.is_empty() {
            let items: Vec<String> = lines.iter().map(|l| format!("- {}", l.text)).collect();
            parts.push(format!("{title}\n{}", items.join("\n")));
        }
    };
    list("Overdue:", &d.overdue);
    list("Due this week:", &d.due_this_week);
    list("Your next 1:1s:", &d.one_on_ones);
    list("Waiting for you:", &d.waiting);
    if let Some(c) = &d.connection {
        parts.push(format!("Your connection this week:\n{}", c.text));
    }
    if d.is_quiet() {
        parts.push("Nothing is due or waiting for you this week.".into());
    }
    if let Some(t) = &d.tip {
        let why = match &d.tip_for {
            Some(b) => format!(" — for \"{b}\", from your latest 360"),
            None => String::new(),
        };
        parts.push(format!("Tip of the week{why}:\n{}", t.text));
    }
    parts.push(format!("Your week in Trellis:\n{link}"));
    parts.join("\n\n") + "\n"
}

/// The longest tip an admin may add: a tip is read in a glance.
pub const MAX_TIP: usize = 600;

/// An admin adds a tip of their own, filed under a behaviour of the 360 for its audience
/// (the upward 360's for managers, the peer 360's for everyone). Checked at the field.
pub async fn add_tip(
    store: &dyn Store,
    viewer: &Viewer,
    audience: &str,
    behaviour: &str,
    text: &str,
    now: i64,
) -> CoreResult<i64> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden("only people admins add tips".into()));
    }
    let mut errors = Vec::new();
    let audience = TipAudience::parse(audience.trim());
    if audience.is_none() {
        errors.push(crate::FieldError::new(
            "audience",
            "choose managers or everyone",
        ));
    }
    let behaviours: Vec<String> = match audience {
        Some(TipAudience::Everyone) => crate::assessments::peer_template(),
        _ => crate::assessments::template(),
    }
    .into_iter()
    .map(|b| b.text)
    .collect();
    let behaviour = behaviours
        .iter()
        .find(|b| b.eq_ignore_ascii_case(behaviour.trim()))
        .cloned();
    if behaviour.is_none() && audience.is_some() {
        errors.push(crate::FieldError::new(
            "behaviour",
            format!(
                "choose one of the 360's behaviours: {}",
                behaviours.join(", ")
            ),
        ));
    }
    let text = text.trim();
    if text.chars().count() < 20 {
        errors.push(crate::FieldError::new(
            "text",
            "write the tip: at least 20 characters",
        ));
    } else if text.chars().count() > MAX_TIP {
        errors.push(crate::FieldError::new(
            "text",
            format!("keep a tip under {MAX_TIP} characters"),
        ));
    }
    let (Some(audience), Some(behaviour), true) = (audience, behaviour, errors.is_empty()) else {
        return Err(CoreError::Invalid(errors));
    };
    let id = store
        .add_digest_tip(audience, &behaviour, text, viewer.actor(), now)
        .await?;
    store
        .audit(&crate::audit::AuditEntry {
            at: now,
            actor: viewer.actor(),
            action: "digest_tip.add".into(),
            subject: format!("tip {id} for {}", audience.as_str()),
            detail: format!("{behaviour}: {text}"),
        })
        .await?;
    Ok(id)
}

/// An admin removes one of the organisation's tips.
pub async fn remove_tip(store: &dyn Store, viewer: &Viewer, id: i64, now: i64) -> CoreResult<()> {
    if !viewer.may_administer() {
        return Err(CoreError::Forbidden(
            "only people admins remove tips".into(),
        ));
    }
    if !store.remove_digest_tip(id).await? {
        return Err(CoreError::NotFound(format!("tip {id}")));
    }
    store
        .audit(&crate::audit::AuditEntry {
            at: now,
            actor: viewer.actor(),
            action: "digest_tip.remove".into(),
            subject: format!("tip {id}"),
            detail: String::new(),
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_are_iso_weeks_and_begin_on_monday() {
        let day: NaiveDate = "2026-12-03".parse().unwrap();
        assert_eq!(week_label(day), "2026-W49");
        assert_eq!(monday_of(day), "2026-11-30".parse::<NaiveDate>().unwrap());
        let new_year: NaiveDate = "2027-01-01".parse().unwrap();
        assert_eq!(week_label(new_year), "2026-W53");
        assert!(
            week_label(day) < week_label(new_year),
            "labels sort by time"
        );
    }

    #[test]
    fn the_mail_leaves_out_empty_parts_and_says_why_the_tip() {
        let d = Digest {
            name: "Dana".into(),
            week: "2026-W49".into(),
            monday: "2026-11-30".parse().unwrap(),
            overdue: vec![line("Ship it (was due Fri 27 Nov)".into(), "/plate")],
            due_this_week: Vec::new(),
            one_on_ones: Vec::new(),
            waiting: Vec::new(),
            connection: None,
            tip: tips::built_in(TipAudience::Managers).into_iter().next(),
            tip_for: Some("Makes priorities clear".into()),
        };
        let text = mail_text(&d, "Acme", "https://t.example/digest");
        assert!(
            text.contains("Overdue:\n- Ship it (was due Fri 27 Nov)"),
            "{text}"
        );
        assert!(!text.contains("Due this week"), "{text}");
        assert!(
            text.contains(
                "Tip of the week — for \"Makes priorities clear\", from your latest 360:"
            ),
            "{text}"
        );
    }
}
