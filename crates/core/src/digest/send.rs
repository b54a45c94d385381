//! Sending the weekly digest: the hourly pass queues a job for each person whose Monday
//! 07:00 has come this week (in their zone) and who has none for the week yet; the job
//! writes the mail. Once per person and week however many instances run and restart: the
//! week is recorded with its job in one transaction, and the mail's idempotency key is
//! the person and the week.

use super::{compose, mail_text, monday_of, week_label};
use crate::access::Viewer;
use crate::clock::local_date;
use crate::error::CoreResult;
use crate::ids::PersonId;
use crate::mail::{Recipient, Site, compose as compose_mail};
use crate::store::Store;
use chrono::{NaiveTime, TimeZone};
use std::collections::HashMap;

/// The job that writes one person's digest: payload "PERSON WEEK".
pub const WEEKLY_JOB: &str = "weekly_digest";

/// The hour of Monday, in the person's zone, from which their digest goes.
const SEND_HOUR: u32 = 7;

/// The week whose digest is due for someone in `time_zone` at `now`: from Monday 07:00
/// to the end of Sunday. A server that was down on Monday sends it when it is back.
pub fn due_week(time_zone: Option<&str>, now: i64) -> Option<String> {
    let tz: chrono_tz::Tz = crate::clock::zone(time_zone).unwrap_or(chrono_tz::UTC);
    let today = local_date(time_zone, now);
    let monday = monday_of(today);
    let from = tz
        .from_local_datetime(&monday.and_time(NaiveTime::from_hms_opt(SEND_HOUR, 0, 0)?))
        .earliest()?
        .timestamp();
    (now >= from).then(|| week_label(today))
}

/// Queues the digests due now that are not queued yet; how many.
pub async fn queue_due(store: &dyn Store, now: i64) -> CoreResult<usize> {
    let mut week_in: HashMap<Option<String>, Option<String>> = HashMap::new();
    let due: Vec<(PersonId, String)> = store
        .digest_recipients()
        .await?
        .into_iter()
        .filter_map(|r| {
            let week = week_in
                .entry(r.time_zone.clone())
                .or_insert_with(|| due_week(r.time_zone.as_deref(), now))
                .clone()?;
            // Labels sort by time: anything queued this week or later is done.
            let done = r.last_week.is_some_and(|last| last >= week);
            (!done).then_some((r.person, week))
        })
        .collect();
    store.queue_weekly_digests(WEEKLY_JOB, &due, now).await
}

/// Writes one digest job's mail; what happened, for the log.
pub async fn send(store: &dyn Store, site: &Site, payload: &str, now: i64) -> CoreResult<String> {
    let mut parts = payload.split_whitespace();
    let (Some(Ok(person)), Some(week)) = (parts.next().map(str::parse::<i64>), parts.next()) else {
        return Ok(format!("weekly digest {payload:?}: not a person and week"));
    };
    let person = PersonId(person);
    let Some(account) = store.account_of(person).await? else {
        return Ok(format!("weekly digest of person {person}: no account"));
    };
    let Some(who) = store.person(person).await?.filter(|p| p.is_active()) else {
        return Ok(format!("weekly digest of person {person}: they left"));
    };
    if !store.weekly_digest_on(person).await? {
        return Ok(format!("weekly digest of person {person}: turned off"));
    }
    // A job that waited past its week would describe the wrong one.
    if due_week(who.time_zone.as_deref(), now).as_deref() != Some(week) {
        return Ok(format!("weekly digest of person {person}: {week} is over"));
    }
    let viewer = Viewer::signed_in(account.id, person, account.is_admin, account.report_count);
    let digest = compose(store, &viewer, now).await?;
    let organisation = store.settings().await?.organisation_name;
    let link = site.link("/digest");
    let subject = match digest.overdue.len() + digest.due_this_week.len() {
        0 => format!("Your week at {organisation}"),
        n => format!(
            "Your week at {organisation}: {n} {} due",
            if n == 1 { "item" } else { "items" }
        ),
    };
    let mail = compose_mail(
        &Recipient {
            person: Some(person),
            address: who.email.clone(),
            name: who.display_name(),
        },
        subject,
        mail_text(&digest, &organisation, &link),
        &link,
        "Open my week",
        site,
        format!("weekly {person} {week}"),
    );
    let queued = store.queue_mail_now(&mail, now).await?;
    Ok(match queued {
        Some(_) => format!("weekly digest of person {person} for {week} queued"),
        None => format!("weekly digest of person {person} for {week} was already queued"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    #[test]
    fn the_digest_is_due_from_seven_on_monday_where_the_person_is() {
        // Monday 30 November 2026, 06:30 UTC: 07:30 in Berlin, 01:30 in New York.
        let now = at("2026-11-30T06:30:00Z");
        assert_eq!(
            due_week(Some("Europe/Berlin"), now).as_deref(),
            Some("2026-W49")
        );
        assert_eq!(due_week(Some("America/New_York"), now), None);
        assert_eq!(due_week(None, now), None, "06:30 in UTC");
        assert_eq!(
            due_week(Some("America/New_York"), at("2026-11-30T12:00:00Z")).as_deref(),
            Some("2026-W49")
        );
        // Still due later in the week for a server that was down on Monday.
        assert_eq!(
            due_week(None, at("2026-12-03T10:00:00Z")).as_deref(),
            Some("2026-W49")
        );
        // Sunday night in Tokyo is already Monday morning there.
        assert_eq!(
            due_week(Some("Asia/Tokyo"), at("2026-12-06T23:00:00Z")).as_deref(),
            Some("2026-W50")
        );
    }
}
