//! Time as people see it: instants are UTC seconds in storage, and dates and times are
//! read in a person's IANA time zone, or in UTC when they have none (or one Trellis does
//! not know). The bottom layer: every capability uses it, it uses none.

use chrono::{NaiveDate, TimeZone};

/// A time zone by its IANA name; `None` for no name or an unknown one.
pub fn zone(name: Option<&str>) -> Option<chrono_tz::Tz> {
    name.and_then(|z| z.parse().ok())
}

/// The calendar date of an instant in a person's time zone (UTC when the zone is unknown).
pub fn local_date(time_zone: Option<&str>, at_unix: i64) -> NaiveDate {
    let utc = chrono::DateTime::from_timestamp(at_unix, 0).unwrap_or_default();
    match zone(time_zone) {
        Some(tz) => tz.from_utc_datetime(&utc.naive_utc()).date_naive(),
        None => utc.date_naive(),
    }
}

/// An instant as a date and time in a time zone, with the zone named
/// (`2026-03-11 07:30 CET`), or in UTC when the zone is unknown; empty for an instant
/// outside the calendar.
pub fn local_time(time_zone: Option<&str>, at_unix: i64) -> String {
    let Some(utc) = chrono::DateTime::from_timestamp(at_unix, 0) else {
        return String::new();
    };
    match zone(time_zone) {
        Some(zone) => utc
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string(),
        None => utc.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_are_read_in_the_persons_zone_or_utc() {
        // 2026-03-10 23:30 UTC.
        let at = 1_773_185_400;
        assert_eq!(local_date(None, at).to_string(), "2026-03-10");
        assert_eq!(
            local_date(Some("Europe/Berlin"), at).to_string(),
            "2026-03-11"
        );
        assert_eq!(
            local_date(Some("Europe/Madird"), at).to_string(),
            "2026-03-10"
        );
        assert_eq!(
            local_time(Some("Europe/Berlin"), at),
            "2026-03-11 00:30 CET"
        );
        assert_eq!(
            local_time(Some("America/New_York"), at),
            "2026-03-10 19:30 EDT"
        );
        assert_eq!(local_time(None, at), "2026-03-10 23:30 UTC");
        assert_eq!(local_time(None, i64::MAX), "");
    }
}
