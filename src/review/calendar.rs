//! Working days (工作日) for periods stated in them: weekends and the official
//! public holidays are not working days, the make-up working days (调休上班) on a
//! weekend are. The holidays are data (`assets/calendar/cn-workdays.json`, from
//! the State Council's yearly notices), not code.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use crate::indexing::values::Date;

#[derive(Debug, Deserialize)]
struct File {
    years: BTreeMap<String, Year>,
}

#[derive(Debug, Deserialize)]
struct Year {
    holidays: Vec<String>,
    workdays: Vec<String>,
}

/// The calendar of working days.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    /// Days since 1970-01-01 of days off that fall on a weekday (or any day).
    holidays: BTreeSet<i64>,
    /// Weekend days that are working days.
    workdays: BTreeSet<i64>,
    /// Years the calendar knows.
    years: BTreeSet<i32>,
}

/// `2021-02-11` or `2021-02-11..2021-02-17` as a list of day numbers.
fn days_of(spec: &str) -> Result<Vec<i64>, String> {
    let parse = |s: &str| Date::parse_iso(s.trim()).ok_or_else(|| format!("not a date: {s}"));
    let (from, to) = match spec.split_once("..") {
        Some((a, b)) => (parse(a)?, parse(b)?),
        None => (parse(spec)?, parse(spec)?),
    };
    if to < from {
        return Err(format!("range ends before it starts: {spec}"));
    }
    Ok((from.days()..=to.days()).collect())
}

impl WorkCalendar {
    pub fn from_json(text: &str) -> Result<Self, String> {
        let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut cal = WorkCalendar::default();
        for (year, y) in &file.years {
            cal.years
                .insert(year.parse().map_err(|_| format!("not a year: {year}"))?);
            for spec in &y.holidays {
                cal.holidays.extend(days_of(spec)?);
            }
            for spec in &y.workdays {
                cal.workdays.extend(days_of(spec)?);
            }
        }
        Ok(cal)
    }

    /// The calendar shipped in `assets/`.
    pub fn builtin() -> &'static WorkCalendar {
        static CAL: std::sync::OnceLock<WorkCalendar> = std::sync::OnceLock::new();
        CAL.get_or_init(|| {
            WorkCalendar::from_json(include_str!("../../assets/calendar/cn-workdays.json"))
                .expect("assets/calendar/cn-workdays.json is valid")
        })
    }

    /// Does the calendar know the holidays of this year?
    pub fn knows(&self, year: i32) -> bool {
        self.years.contains(&year)
    }

    pub fn is_working_day(&self, day: i64) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        // 1970-01-01 was a Thursday: day % 7 == 2 is Saturday, 3 Sunday.
        let weekend = matches!(day.rem_euclid(7), 2 | 3);
        !weekend && !self.holidays.contains(&day)
    }

    /// The last day of a period of `n` days (or working days) that starts the day
    /// after `start` (期间开始之日不计算在内).
    pub fn period_end(&self, start: Date, n: i64, working: bool) -> i64 {
        let mut day = start.days();
        if !working {
            return day + n;
        }
        let mut left = n;
        while left > 0 {
            day += 1;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn days_round_trip() {
        for s in ["1970-01-01", "2019-04-05", "2024-02-29", "2026-12-31"] {
            assert_eq!(Date::from_days(d(s).days()).iso(), s);
        }
    }

    #[test]
    fn weekends_holidays_and_make_up_days() {
        let cal = WorkCalendar::builtin();
        let wd = |s: &str| cal.is_working_day(d(s).days());
        assert!(wd("2021-03-08"), "a Monday");
        assert!(!wd("2021-03-06") && !wd("2021-03-07"), "a weekend");
        assert!(!wd("2019-04-05"), "清明 2019, a Friday");
        assert!(wd("2019-04-28"), "a Sunday worked for 劳动节 2019");
        assert!(!wd("2020-01-31"), "春节 2020 as extended");
        assert!(cal.knows(2019) && cal.knows(2026) && !cal.knows(2018));
    }

    #[test]
    fn periods_in_working_days_skip_what_is_not_worked() {
        let cal = WorkCalendar::builtin();
        // Served on Tuesday 2019-04-02; 清明 on Friday the 5th: five working days
        // are the 3rd, 4th, 8th, 9th and 10th.
        let end = cal.period_end(d("2019-04-02"), 5, true);
        assert_eq!(Date::from_days(end).iso(), "2019-04-10");
        // Three calendar days are three days, whatever they fall on.
        let end = cal.period_end(d("2021-03-01"), 3, false);
        assert_eq!(Date::from_days(end).iso(), "2021-03-04");
    }

    #[test]
    fn a_bad_calendar_is_refused_with_the_reason() {
        let err = WorkCalendar::from_json(
            r#"{"years": {"2020": {"holidays": ["2020-13-01"], "workdays": []}}}"#,
        )
        .unwrap_err();
        assert!(err.contains("2020-13-01"), "{err}");
    }
}
