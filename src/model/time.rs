//! Clock and calendar arithmetic, through `chrono` (one implementation for the
//! whole crate: audit times, package dates, deadline arithmetic).

use chrono::{Datelike, Local, NaiveDate, SecondsFormat, Utc};

/// Now, UTC, `YYYY-MM-DDTHH:MM:SSZ` (package metadata, reports).
pub fn now_utc() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A time as the catalogue stores it: UTC with milliseconds,
/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (one width, so text order is time order).
pub fn utc_millis(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Now, as the catalogue stores it ([`utc_millis`]).
pub fn now_utc_millis() -> String {
    utc_millis(Utc::now())
}

/// Now in the machine's time zone, `YYYY-MM-DD HH:MM:SS` (names people read).
pub fn local_now() -> String {
    Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// This year in the machine's time zone.
pub fn this_year() -> i32 {
    Local::now().year()
}

/// A stored UTC time (`2026-12-02T17:38:41.653Z`) in local time,
/// `YYYY-MM-DD HH:MM`; the text unchanged when it is not a time.
pub fn local_display(utc: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(utc) {
        Ok(t) => t.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string(),
        Err(_) => utc.to_string(),
    }
}

const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// Days since 1970-01-01 of a calendar date; `None` for a date that does not exist.
pub fn days_from_civil(year: i32, month: u32, day: u32) -> Option<i64> {
    NaiveDate::from_ymd_opt(year, month, day)
        .map(|d| d.num_days_from_ce() as i64 - UNIX_EPOCH_DAYS_FROM_CE)
}

/// The calendar date (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i32, u32, u32) {
    let d = i32::try_from(days + UNIX_EPOCH_DAYS_FROM_CE)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(NaiveDate::MIN);
    (d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(days_from_civil(2000, 3, 1), Some(11_017));
        assert_eq!(days_from_civil(2021, 2, 29), None);
        for days in [-1, 0, 11_016, 19_000, 20_454] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), Some(days));
        }
    }

    #[test]
    fn clock_formats() {
        let now = now_utc();
        assert_eq!(now.len(), 20, "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T');
        assert_eq!(local_now().len(), 19);
        assert!((2024..3000).contains(&this_year()));
        assert_eq!(local_display("not a time"), "not a time");
        assert_eq!(local_display("2026-12-02T17:38:41.653Z").len(), 16);
    }
}
