//! A person's calendar feed (iCalendar, RFC 5545): each 1:1 series as one recurring event
//! in the organiser's zone (`TZID` with a `VTIMEZONE` generated from the time-zone
//! database, so a weekly 10:00 stays at 10:00 across daylight saving), moved and cancelled
//! meetings as overrides (`RECURRENCE-ID`), skipped ones as `EXDATE`. Titles and times
//! only: never points, notes or feedback. Written by hand: a few lines of text format,
//! where a library would still leave the time zones to us.

use super::{Change, Exception, Series, SeriesStatus};
use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};
use std::collections::BTreeSet;
use std::fmt::Write;

/// One series with its changed meetings.
pub struct FeedEntry<'a> {
    pub series: &'a Series,
    pub exceptions: &'a [Exception],
}

fn utc_stamp(t: i64) -> String {
    DateTime::<Utc>::from_timestamp(t, 0)
        .unwrap_or_default()
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

fn local_stamp(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%S").to_string()
}

/// Escapes a TEXT value (RFC 5545, 3.3.11).
fn text(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace(['\r', '\n'], " ")
}

/// Adds one content line, folded at 75 octets (RFC 5545, 3.1), ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

/// A zone's offset, its daylight-saving part and its abbreviation at an instant.
fn observance(tz: Tz, at: i64) -> (i32, bool, String) {
    let utc = DateTime::<Utc>::from_timestamp(at, 0)
        .unwrap_or_default()
        .naive_utc();
    let offset = tz.offset_from_utc_datetime(&utc);
    let name = offset.abbreviation().unwrap_or("").to_string();
    (
        offset.fix().local_minus_utc(),
        !offset.dst_offset().is_zero(),
        name,
    )
}

/// A `VTIMEZONE` for `zone` covering `from` to `to`: its first observance, then each
/// change of offset, found day by day and then to the second.
pub fn vtimezone(zone: &str, from: NaiveDate, to: NaiveDate) -> String {
    let tz: Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let start = from
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp();
    let end = to
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
        .and_utc()
        .timestamp();
    let mut out = String::new();
    line(&mut out, "BEGIN:VTIMEZONE");
    line(&mut out, &format!("TZID:{zone}"));
    let component = |out: &mut String, at: i64, from: i32, to: (i32, bool, String)| {
        let kind = if to.1 { "DAYLIGHT" } else { "STANDARD" };
        let local = DateTime::<Utc>::from_timestamp(at + i64::from(from), 0)
            .unwrap_or_default()
            .naive_utc();
        line(out, &format!("BEGIN:{kind}"));
        line(out, &format!("DTSTART:{}", local_stamp(local)));
        line(out, &format!("TZOFFSETFROM:{}", offset_text(from)));
        line(out, &format!("TZOFFSETTO:{}", offset_text(to.0)));
        if !to.2.is_empty() {
            line(out, &format!("TZNAME:{}", text(&to.2)));
        }
        line(out, &format!("END:{kind}"));
    };
    let first = observance(tz, start);
    component(&mut out, start, first.0, first.clone());
    let mut before = first;
    let mut day = start;
    // A week at a time: offsets change at most a few times a year, never twice in a week.
    while day < end {
        let next = day + 7 * 86_400;
        let after = observance(tz, next);
        if after.0 != before.0 || after.1 != before.1 {
            // The first second of the new offset.
            let (mut lo, mut hi) = (day, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if observance(tz, mid).0 == before.0 && observance(tz, mid).1 == before.1 {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            component(&mut out, hi, before.0, after.clone());
            before = after;
        }
        day = next;
    }
    line(&mut out, "END:VTIMEZONE");
    out
}

/// A single event that capabilities above 1:1s add to the feed (a connection's suggested
/// meeting): a time in UTC, so it needs no zone of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct OneOffEvent {
    /// Unique within this Trellis, such as `connect-12`.
    pub key: String,
    pub starts_at: i64,
    pub minutes: i64,
    pub summary: String,
    /// A room or a link.
    pub location: Option<String>,
    pub cancelled: bool,
}

/// The whole feed. `host` makes the event UIDs unique to this Trellis.
pub fn feed(
    name: &str,
    entries: &[FeedEntry<'_>],
    one_offs: &[OneOffEvent],
    host: &str,
    now: i64,
) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//Trellis//Calendar//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(
        &mut out,
        &format!("X-WR-CALNAME:{}", text(&format!("Trellis: {name}"))),
    );
    let scheduled: Vec<_> = entries
        .iter()
        .filter(|e| matches!(e.series.status, SeriesStatus::Active | SeriesStatus::Ended))
        .filter_map(|e| e.series.schedule.as_ref().map(|s| (e, s)))
        .collect();
    out.push_str(&zones_of(&scheduled, now));
    let stamp = utc_stamp(now);
    for (entry, schedule) in scheduled {
        let series = entry.series;
        let uid = format!("series-{}@{host}", series.id);
        let zone = &schedule.time_zone;
        let summary = text(&series.title());
        let start = |t: NaiveDateTime| format!("TZID={zone}:{}", local_stamp(t));
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{uid}"));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(
            &mut out,
            &format!(
                "DTSTART;{}",
                start(schedule.first_date.and_time(schedule.start_time))
            ),
        );
        line(&mut out, &format!("DURATION:PT{}M", schedule.minutes));
        let mut rule = format!("RRULE:FREQ=WEEKLY;INTERVAL={}", schedule.every_weeks);
        if let Some(ended) = series.ended_at {
            let _ = write!(rule, ";UNTIL={}", utc_stamp(ended));
        }
        line(&mut out, &rule);
        for e in entry
            .exceptions
            .iter()
            .filter(|e| e.change == Change::Skipped)
        {
            line(
                &mut out,
                &format!(
                    "EXDATE;{}",
                    start(e.occurrence.and_time(schedule.start_time))
                ),
            );
        }
        line(&mut out, &format!("SUMMARY:{summary}"));
        line(
            &mut out,
            &format!(
                "ORGANIZER;CN={}:urn:trellis:person:{}",
                text(&series.organiser.name).replace(':', " "),
                series.organiser.id
            ),
        );
        line(&mut out, "END:VEVENT");
        for e in entry.exceptions {
            let (begins, cancelled) = match e.change {
                Change::Moved(to) => (to, false),
                Change::Cancelled => (e.occurrence.and_time(schedule.start_time), true),
                Change::Skipped => continue,
            };
            line(&mut out, "BEGIN:VEVENT");
            line(&mut out, &format!("UID:{uid}"));
            line(&mut out, &format!("DTSTAMP:{stamp}"));
            line(
                &mut out,
                &format!(
                    "RECURRENCE-ID;{}",
                    start(e.occurrence.and_time(schedule.start_time))
                ),
            );
            line(&mut out, &format!("DTSTART;{}", start(begins)));
            line(&mut out, &format!("DURATION:PT{}M", schedule.minutes));
            line(&mut out, &format!("SUMMARY:{summary}"));
            if cancelled {
                line(&mut out, "STATUS:CANCELLED");
            }
            line(&mut out, "END:VEVENT");
        }
    }
    for event in one_offs {
        one_off(&mut out, event, host, &stamp);
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// A `VTIMEZONE` for each zone the series use, from their earliest meeting (moved ones
/// included) to three years ahead.
fn zones_of(scheduled: &[(&FeedEntry<'_>, &super::Schedule)], now: i64) -> String {
    let zones: BTreeSet<&str> = scheduled
        .iter()
        .map(|(_, s)| s.time_zone.as_str())
        .collect();
    let today = crate::clock::local_date(None, now);
    let mut out = String::new();
    for zone in zones {
        let earliest = scheduled
            .iter()
            .filter(|(_, s)| s.time_zone == zone)
            .flat_map(|(e, s)| {
                std::iter::once(s.first_date).chain(e.exceptions.iter().filter_map(|x| {
                    match x.change {
                        Change::Moved(to) => Some(to.date().min(x.occurrence)),
                        _ => None,
                    }
                }))
            })
            .min()
            .unwrap_or(today);
        out.push_str(&vtimezone(
            zone,
            earliest - Duration::days(7),
            today + Duration::days(3 * 366),
        ));
    }
    out
}

/// A single event at a UTC time.
fn one_off(out: &mut String, event: &OneOffEvent, host: &str, stamp: &str) {
    line(out, "BEGIN:VEVENT");
    line(out, &format!("UID:{}@{host}", event.key));
    line(out, &format!("DTSTAMP:{stamp}"));
    line(out, &format!("DTSTART:{}", utc_stamp(event.starts_at)));
    line(out, &format!("DURATION:PT{}M", event.minutes));
    line(out, &format!("SUMMARY:{}", text(&event.summary)));
    if let Some(place) = &event.location {
        line(out, &format!("LOCATION:{}", text(place)));
    }
    if event.cancelled {
        line(out, "STATUS:CANCELLED");
    }
    line(out, "END:VEVENT");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_has_its_two_changes_a_year() {
        let z = vtimezone(
            "Europe/Berlin",
            "2026-01-01".parse().unwrap(),
            "2027-01-01".parse().unwrap(),
        );
        assert_eq!(z.matches("BEGIN:DAYLIGHT").count(), 1, "{z}");
        // The first observance, then the change back in October.
        assert_eq!(z.matches("BEGIN:STANDARD").count(), 2, "{z}");
        assert!(
            z.contains(
                "DTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST"
            ),
            "{z}"
        );
        assert!(
            z.contains("DTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"),
            "{z}"
        );
    }

    #[test]
    fn long_lines_fold_and_text_is_escaped() {
        let mut out = String::new();
        line(
            &mut out,
            &format!("SUMMARY:{}", text(&"a, b; c".repeat(20))),
        );
        assert!(out.contains("a\\, b\\; c"));
        assert!(out.split("\r\n").all(|l| l.len() <= 75));
    }
}

/// The services behind the feed: a person's secret address, made on first use, rotated on
/// request (the old one stops working at once), and the feed of an address.
pub mod feeds {
    use super::{FeedEntry, OneOffEvent};
    use crate::access::Viewer;
    use crate::conversations::sealed::NoteKey;
    use crate::conversations::store::ConversationStore;
    use crate::error::{CoreError, CoreResult};
    use crate::ids::PersonId;
    use sha2::{Digest, Sha256};

    fn digest(token: &str) -> String {
        Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    fn place(person: PersonId) -> String {
        format!("calendar:{person}")
    }

    /// The viewer's feed token, made on first use.
    pub async fn token(
        store: &dyn ConversationStore,
        key: &NoteKey,
        viewer: &Viewer,
        now: i64,
    ) -> CoreResult<String> {
        let me = viewer.person_id();
        if let Some(sealed) = store.calendar_token(me).await? {
            return key.open(&place(me), &sealed);
        }
        rotate(store, key, viewer, now).await
    }

    /// A new token for the viewer; the old address answers 404 from now on.
    pub async fn rotate(
        store: &dyn ConversationStore,
        key: &NoteKey,
        viewer: &Viewer,
        now: i64,
    ) -> CoreResult<String> {
        let me = viewer.person_id();
        let token = NoteKey::generate_hex();
        let mut work = store.begin_conversation_write().await?;
        work.set_calendar_token(me, &digest(&token), &key.seal(&place(me), &token)?, now)
            .await?;
        work.commit().await?;
        Ok(token)
    }

    /// Whose feed a token is; not found for a token that does not exist (or no longer
    /// does) and for someone who has left.
    pub async fn owner(store: &dyn ConversationStore, token: &str) -> CoreResult<PersonId> {
        let not_found = || CoreError::NotFound("calendar feed".into());
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(not_found());
        }
        let person = store
            .person_of_calendar(&digest(token))
            .await?
            .ok_or_else(not_found)?;
        store
            .person(person)
            .await?
            .filter(|p| p.is_active())
            .ok_or_else(not_found)?;
        Ok(person)
    }

    /// The feed of the person [`owner`] found: their 1:1s and the `one_offs` that
    /// capabilities above add.
    pub async fn feed(
        store: &dyn ConversationStore,
        person: PersonId,
        one_offs: &[OneOffEvent],
        host: &str,
        now: i64,
    ) -> CoreResult<String> {
        let who = store
            .person(person)
            .await?
            .ok_or_else(|| CoreError::NotFound("calendar feed".into()))?;
        let series = store.series_of(person).await?;
        let mut changed = store.exceptions_of(person).await?;
        let exceptions: Vec<Vec<super::Exception>> = series
            .iter()
            .map(|s| changed.remove(&s.id).unwrap_or_default())
            .collect();
        let entries: Vec<FeedEntry<'_>> = series
            .iter()
            .zip(&exceptions)
            .map(|(series, exceptions)| FeedEntry { series, exceptions })
            .collect();
        Ok(super::feed(
            &who.display_name(),
            &entries,
            one_offs,
            host,
            now,
        ))
    }
}
