//! When an agency works: officials' processing time (see `timing::processing`) is counted in working
//! time (Viet Nam time), as procedures' time limits are, so a dossier received on Friday evening and
//! decided on Monday morning took officials an hour, not a weekend.

use crate::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Names of the days of the week, Monday first, as the configuration writes them.
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

const MINUTE_MS: i64 = 60_000;

/// The working week, the working periods of a day and the dates that break the week's rule
/// (`[office_hours]` in the configuration file).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(try_from = "OfficeHoursFile", into = "OfficeHoursFile")]
pub struct OfficeHours {
    /// Working days of the week, Monday first.
    weekdays: [bool; 7],
    /// Working periods of a working day, in ms from its midnight, in order and apart.
    periods: Vec<(i64, i64)>,
    /// Days off on working days of the week: public holidays, days off in exchange for worked ones.
    holidays: BTreeSet<Date>,
    /// Days worked outside the working week, in exchange for a day off.
    workdays: BTreeSet<Date>,
}

/// The configuration's shape: day names, `HH:MM-HH:MM` periods and ISO dates.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OfficeHoursFile {
    #[serde(default = "default_days")]
    days: Vec<String>,
    #[serde(default = "default_hours")]
    hours: Vec<String>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    workdays: Vec<String>,
}

fn default_days() -> Vec<String> {
    WEEKDAYS[..5].iter().map(|d| (*d).to_owned()).collect()
}

fn default_hours() -> Vec<String> {
    vec!["08:00-12:00".to_owned(), "13:00-17:00".to_owned()]
}

impl Default for OfficeHours {
    /// Monday to Friday, 08:00–12:00 and 13:00–17:00 (40 hours a week), no holidays.
    fn default() -> OfficeHours {
        OfficeHours::try_from(OfficeHoursFile {
            days: default_days(),
            hours: default_hours(),
            holidays: Vec::new(),
            workdays: Vec::new(),
        })
        .expect("the default office hours are valid")
    }
}

impl TryFrom<OfficeHoursFile> for OfficeHours {
    type Error = String;

    fn try_from(file: OfficeHoursFile) -> Result<OfficeHours, String> {
        let mut weekdays = [false; 7];
        for name in &file.days {
            let day = WEEKDAYS
                .iter()
                .position(|d| d.eq_ignore_ascii_case(name.trim()))
                .ok_or_else(|| format!("days: {name:?} is not one of {}", WEEKDAYS.join(", ")))?;
            weekdays[day] = true;
        }
        if !weekdays.contains(&true) {
            return Err("days: at least one working day of the week, such as \"mon\"".into());
        }
        let mut periods = file.hours.iter().map(|h| period(h)).collect::<Result<Vec<_>, _>>()?;
        periods.sort_unstable();
        if periods.is_empty() {
            return Err("hours: at least one working period, such as \"08:00-12:00\"".into());
        }
        if periods.windows(2).any(|p| p[0].1 > p[1].0) {
            return Err("hours: working periods overlap".into());
        }
        let holidays = dates("holidays", &file.holidays)?;
        let workdays = dates("workdays", &file.workdays)?;
        if let Some(both) = holidays.intersection(&workdays).next() {
            return Err(format!("{both} is both a holiday and a workday"));
        }
        Ok(OfficeHours {
            weekdays,
            periods,
            holidays,
            workdays,
        })
    }
}

impl From<OfficeHours> for OfficeHoursFile {
    fn from(o: OfficeHours) -> OfficeHoursFile {
        let clock = |ms: i64| format!("{:02}:{:02}", ms / 3_600_000, ms / MINUTE_MS % 60);
        OfficeHoursFile {
            days: WEEKDAYS
                .iter()
                .zip(o.weekdays)
                .filter(|(_, works)| *works)
                .map(|(d, _)| (*d).to_owned())
                .collect(),
            hours: o
                .periods
                .iter()
                .map(|&(a, b)| format!("{}-{}", clock(a), clock(b)))
                .collect(),
            holidays: o.holidays.iter().map(Date::to_string).collect(),
            workdays: o.workdays.iter().map(Date::to_string).collect(),
        }
    }
}

/// A working period `HH:MM-HH:MM` of a day (24:00 ends it), in ms from midnight.
fn period(text: &str) -> Result<(i64, i64), String> {
    let clock = |t: &str| -> Option<i64> {
        let (h, m) = t.trim().split_once(':')?;
        let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
        (m < 60 && (0..24).contains(&h) || (h, m) == (24, 0)).then_some((h * 60 + m) * MINUTE_MS)
    };
    text.split_once('-')
        .and_then(|(a, b)| Some((clock(a)?, clock(b)?)))
        .filter(|(a, b)| a < b)
        .ok_or_else(|| format!("hours: {text:?} is not a period such as \"08:00-12:00\" (start before end)"))
}

/// ISO dates of a configuration list.
fn dates(key: &str, texts: &[String]) -> Result<BTreeSet<Date>, String> {
    texts
        .iter()
        .map(|t| Date::parse_iso(t.trim()).ok_or_else(|| format!("{key}: {t:?} is not a date such as \"2026-09-02\"")))
        .collect()
}

impl OfficeHours {
    /// Whether officials work on a day.
    pub fn works_on(&self, day: Date) -> bool {
        self.workdays.contains(&day) || self.weekdays[day.weekday()] && !self.holidays.contains(&day)
    }

    /// The working time between two Unix times in ms (0 if `to` is not after `from`): the two ends'
    /// days period by period, the whole days between counted by the week.
    pub fn working_ms(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let (first, last) = (Date::in_viet_nam(from), Date::in_viet_nam(to));
        let within = |day: Date| self.within(day, from, to);
        if first == last {
            return within(first);
        }
        let between = self.working_days(first.to_days() + 1, last.to_days());
        within(first) + between * self.day_ms() + within(last)
    }

    /// The working time of a day that falls between two Unix times in ms.
    fn within(&self, day: Date, from: i64, to: i64) -> i64 {
        if !self.works_on(day) {
            return 0;
        }
        let midnight = day.viet_nam_start();
        self.periods
            .iter()
            .map(|&(a, b)| ((midnight + b).min(to) - (midnight + a).max(from)).max(0))
            .sum()
    }

    /// How many working days there are from one day (counted from 1970-01-01) to another, not before
    /// it (excluded).
    fn working_days(&self, start: i64, end: i64) -> i64 {
        let weeks = (end - start) / 7;
        let on_weekdays =
            |days: std::ops::Range<i64>| days.filter(|&d| self.weekdays[Date::from_days(d).weekday()]).count() as i64;
        let by_the_week = weeks * on_weekdays(0..7) + on_weekdays(start + weeks * 7..end);
        let range = Date::from_days(start)..Date::from_days(end);
        let days_off = self
            .holidays
            .range(range.clone())
            .filter(|d| self.weekdays[d.weekday()])
            .count() as i64;
        let days_worked = self
            .workdays
            .range(range)
            .filter(|d| !self.weekdays[d.weekday()])
            .count() as i64;
        by_the_week - days_off + days_worked
    }

    /// When a time limit of `working_days` ends for a dossier received at a Unix time in ms: at the close
    /// of the last of those working days, counted from the day after its receipt (as a time limit in
    /// days starts the day after the event); 0 days is the day received, or the next working day when
    /// received after its close or on a day off.
    pub fn due(&self, received_at: i64, working_days: u32) -> i64 {
        let close = |day: Date| day.viet_nam_start() + self.periods.last().map_or(0, |p| p.1);
        let mut day = Date::in_viet_nam(received_at);
        let mut left = working_days;
        if left == 0 && !(self.works_on(day) && received_at < close(day)) {
            left = 1;
        }
        while left > 0 {
            day = day.add_days(1);
            left -= u32::from(self.works_on(day));
        }
        close(day)
    }

    /// The length of a working day in ms.
    pub fn day_ms(&self) -> i64 {
        self.periods.iter().map(|(a, b)| b - a).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    /// A time in Viet Nam: the day and the hour and minute.
    fn at(day: &str, h: i64, m: i64) -> i64 {
        Date::parse_iso(day).unwrap().viet_nam_start() + h * HOUR + m * MINUTE_MS
    }

    /// Office hours from their configuration's shape, as JSON; the reason they are refused.
    fn hours(file: &str) -> Result<OfficeHours, String> {
        let file: OfficeHoursFile = serde_json::from_str(file).map_err(|e| e.to_string())?;
        OfficeHours::try_from(file)
    }

    #[test]
    fn working_time_leaves_out_nights_lunch_and_weekends() {
        let o = OfficeHours::default();
        // Monday 2026-11-02, 09:30 → 11:00 the same morning.
        assert_eq!(
            o.working_ms(at("2026-11-02", 9, 30), at("2026-11-02", 11, 0)),
            90 * MINUTE_MS
        );
        // Over lunch: 11:00 → 14:00 is 2 hours.
        assert_eq!(o.working_ms(at("2026-11-02", 11, 0), at("2026-11-02", 14, 0)), 2 * HOUR);
        // Received at night, decided the next morning at 09:00: one hour.
        assert_eq!(o.working_ms(at("2026-11-02", 22, 0), at("2026-11-03", 9, 0)), HOUR);
        // Friday 16:00 → Monday 09:00: two hours, the weekend left out.
        assert_eq!(o.working_ms(at("2026-11-06", 16, 0), at("2026-11-09", 9, 0)), 2 * HOUR);
        // A whole week, Monday midnight to the next: five working days of eight hours.
        assert_eq!(o.working_ms(at("2026-11-02", 0, 0), at("2026-11-09", 0, 0)), 40 * HOUR);
        assert_eq!(o.day_ms(), 8 * HOUR);
        // Nothing, or the wrong way round.
        assert_eq!(o.working_ms(at("2026-11-07", 8, 0), at("2026-11-08", 17, 0)), 0);
        assert_eq!(o.working_ms(at("2026-11-03", 9, 0), at("2026-11-02", 9, 0)), 0);
    }

    #[test]
    fn holidays_are_left_out_and_workdays_counted() {
        let o = hours(
            r#"{"hours": ["07:30-11:30", "13:30-17:00"], "holidays": ["2026-09-01", "2026-09-02"],
                "workdays": ["2026-09-05"]}"#,
        )
        .unwrap();
        assert_eq!(o.day_ms(), 7 * HOUR + 30 * MINUTE_MS);
        // Monday 31 August 17:00 → Thursday 3 September 09:30: the two holidays left out.
        assert_eq!(o.working_ms(at("2026-08-31", 17, 0), at("2026-09-03", 9, 30)), 2 * HOUR);
        // Saturday 5 September is worked.
        assert!(o.works_on(Date::parse_iso("2026-09-05").unwrap()));
        assert!(!o.works_on(Date::parse_iso("2026-09-12").unwrap()));
        // Written back as read.
        assert_eq!(
            serde_json::to_string(&o).unwrap(),
            r#"{"days":["mon","tue","wed","thu","fri"],"hours":["07:30-11:30","13:30-17:00"],"holidays":["2026-09-01","2026-09-02"],"workdays":["2026-09-05"]}"#
        );
    }

    #[test]
    fn a_six_day_week_and_a_day_ending_at_midnight() {
        let o = hours(r#"{"days": ["Mon", "tue", "wed", "thu", "fri", "sat"], "hours": ["20:00-24:00"]}"#).unwrap();
        // Saturday 20:00 → Monday 21:00: Saturday's four hours and Monday's one.
        assert_eq!(o.working_ms(at("2026-11-07", 20, 0), at("2026-11-09", 21, 0)), 5 * HOUR);
    }

    #[test]
    fn a_time_limit_ends_at_the_close_of_its_last_working_day() {
        let o = hours(r#"{"holidays": ["2026-09-01", "2026-09-02"], "workdays": ["2026-09-05"]}"#).unwrap();
        // Received on Friday 28 August: 7 working days are 31 August, 3, 4, 5 (a Saturday worked), 7, 8
        // and 9 September (the holidays left out); due at 17:00 on Wednesday 9 September.
        assert_eq!(o.due(at("2026-08-28", 10, 0), 7), at("2026-09-09", 17, 0));
        // Received on a Saturday night, 3 working days: Monday, Tuesday, Wednesday.
        assert_eq!(o.due(at("2026-11-07", 23, 0), 3), at("2026-11-11", 17, 0));
        // The same day: before the close, the day received; after it or on a day off, the next working day.
        assert_eq!(o.due(at("2026-11-09", 16, 59), 0), at("2026-11-09", 17, 0));
        assert_eq!(o.due(at("2026-11-09", 17, 0), 0), at("2026-11-10", 17, 0));
        assert_eq!(o.due(at("2026-11-08", 9, 0), 0), at("2026-11-09", 17, 0));
    }

    proptest::proptest! {
        /// Counting whole days by the week gives what counting every day does, around holidays,
        /// workdays, a six-day week and a day ending at midnight.
        #[test]
        fn whole_weeks_count_as_every_day_does(
            from in 0i64..3 * 365 * 24 * 60, length in 0i64..800 * 24 * 60, six_days: bool,
        ) {
            let days = if six_days { r#""mon","tue","wed","thu","fri","sat""# } else { r#""mon","fri""# };
            let o = hours(&format!(
                r#"{{"days": [{days}], "hours": ["07:30-11:30", "13:00-17:00", "22:00-24:00"],
                    "holidays": ["2026-01-01", "2026-02-16", "2026-02-17", "2026-02-21", "2026-09-02", "2027-04-26"],
                    "workdays": ["2026-01-03", "2026-02-22", "2027-05-09"]}}"#
            ))
            .unwrap();
            let from = at("2025-12-01", 0, 0) + from * MINUTE_MS;
            let to = from + length * MINUTE_MS;
            let every_day: i64 = (Date::in_viet_nam(from).to_days()..=Date::in_viet_nam(to).to_days())
                .map(|d| o.within(Date::from_days(d), from, to))
                .sum();
            proptest::prop_assert_eq!(o.working_ms(from, to), every_day);
        }
    }

    #[test]
    fn bad_office_hours_are_refused_with_the_reason() {
        for (file, reason) in [
            (
                r#"{"days": ["monday"]}"#,
                "days: \"monday\" is not one of mon, tue, wed, thu, fri, sat, sun",
            ),
            (
                r#"{"days": []}"#,
                "days: at least one working day of the week, such as \"mon\"",
            ),
            (
                r#"{"hours": []}"#,
                "hours: at least one working period, such as \"08:00-12:00\"",
            ),
            (
                r#"{"hours": ["12:00-08:00"]}"#,
                "hours: \"12:00-08:00\" is not a period such as \"08:00-12:00\" (start before end)",
            ),
            (
                r#"{"hours": ["8h-12h"]}"#,
                "hours: \"8h-12h\" is not a period such as \"08:00-12:00\" (start before end)",
            ),
            (
                r#"{"hours": ["08:00-24:30"]}"#,
                "hours: \"08:00-24:30\" is not a period such as \"08:00-12:00\" (start before end)",
            ),
            (
                r#"{"hours": ["08:00-12:00", "11:00-17:00"]}"#,
                "hours: working periods overlap",
            ),
            (
                r#"{"holidays": ["02/09/2026"]}"#,
                "holidays: \"02/09/2026\" is not a date such as \"2026-09-02\"",
            ),
            (
                r#"{"holidays": ["2026-09-05"], "workdays": ["2026-09-05"]}"#,
                "2026-09-05 is both a holiday and a workday",
            ),
        ] {
            assert_eq!(hours(file), Err(reason.to_owned()), "{file}");
        }
        assert!(hours(r#"{"weekdays": ["mon"]}"#)
            .unwrap_err()
            .contains("unknown field `weekdays`"));
    }
}
