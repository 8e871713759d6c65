//! Calendar dates: ISO 8601 on the wire, dd/mm/yyyy in the user interface.

use std::fmt;

/// A proleptic Gregorian calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, e.g. 2025.
    pub year: i32,
    /// Month, 1 to 12.
    pub month: u8,
    /// Day of the month, 1 to 31.
    pub day: u8,
}

impl Date {
    /// A date if the year, month and day name a real day.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        let valid =
            (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month) && (1..=9999).contains(&year);
        valid.then_some(Date { year, month, day })
    }

    /// Parses `yyyy-mm-dd`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        iso_parts(s).and_then(Date::from_parts)
    }

    /// Parses `dd/mm/yyyy` as written on Vietnamese forms (also `d/m/yyyy`, `-`, `.` or space separators).
    pub fn parse_dmy(s: &str) -> Option<Date> {
        dmy_parts(s).and_then(Date::from_parts)
    }

    /// Parses the compact `yyyymmdd` form returned by the national population database.
    pub fn parse_compact(s: &str) -> Option<Date> {
        eight_digits(s, 0, 4, 6).and_then(Date::from_parts)
    }

    /// Parses any of the accepted input forms: ISO, dd/mm/yyyy, yyyymmdd, or ddmmyyyy typed without
    /// separators (tried last: yyyymmdd reads no ddmmyyyy date of a year from 1300 on).
    pub fn parse_any(s: &str) -> Option<Date> {
        let s = s.trim();
        Date::parse_iso(s)
            .or_else(|| Date::parse_dmy(s))
            .or_else(|| Date::parse_compact(s))
            .or_else(|| eight_digits(s, 4, 2, 0).and_then(Date::from_parts))
    }

    /// The year of a year written alone, `yyyy` (a date of birth some records give only so).
    pub fn parse_year(s: &str) -> Option<i32> {
        let year = (s.len() == 4).then(|| digits(s)).flatten()? as i32;
        (year >= 1).then_some(year)
    }

    /// A date as a date field stores it: ISO, or a year alone (`year_only`) read as the last day of that
    /// year, wherever a day is needed (bounds, ages, comparisons): the youngest its person can be, so
    /// that a minor is never taken for an adult.
    pub fn parse_stored(s: &str) -> Option<Date> {
        match Date::parse_year(s) {
            Some(year) => Date::new(year, 12, 31),
            None => Date::parse_iso(s),
        }
    }

    /// The year of a date written with its day or month unknown (`00`), in any form [`Date::parse_any`]
    /// reads (`1950-00-00`, `00/00/1950`, `19500000`, `19500300`), or of a year alone.
    pub fn year_of_unknown_day(s: &str) -> Option<i32> {
        let s = s.trim();
        let readings = [
            iso_parts(s),
            dmy_parts(s),
            eight_digits(s, 0, 4, 6),
            eight_digits(s, 4, 2, 0),
        ];
        let unknown_day = |(year, month, day): Parts| {
            ((month == 0 || day == 0) && month <= 12 && day <= 31 && (1..=9999).contains(&year)).then_some(year)
        };
        readings
            .into_iter()
            .flatten()
            .find_map(unknown_day)
            .or_else(|| Date::parse_year(s))
    }

    /// Why a date written as a citizen writes one (ISO, dd/mm/yyyy, ddmmyyyy) names no day: its month,
    /// or its day in that month; `None` for text not written so, a real date, or a year out of range.
    pub fn no_such_day(s: &str) -> Option<NoSuchDay> {
        let s = s.trim();
        let (year, month, day) = match iso_parts(s).or_else(|| dmy_parts(s)) {
            Some(written) => written,
            // Eight digits read as ddmmyyyy and as yyyymmdd: only one reading with a real month says more.
            None => {
                let readings = [eight_digits(s, 4, 2, 0), eight_digits(s, 0, 4, 6)];
                let mut real_month = readings.into_iter().flatten().filter(|(_, m, _)| (1..=12).contains(m));
                match (real_month.next(), real_month.next()) {
                    (Some(one), None) => one,
                    _ => return None,
                }
            }
        };
        if Date::from_parts((year, month, day)).is_some() || !(1..=9999).contains(&year) {
            return None;
        }
        Some(if (1..=12).contains(&month) {
            NoSuchDay::Day { day, month, year }
        } else {
            NoSuchDay::Month(month)
        })
    }

    /// The date whose numbers are written, if it exists.
    fn from_parts((year, month, day): Parts) -> Option<Date> {
        Date::new(year, u8::try_from(month).ok()?, u8::try_from(day).ok()?)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day of the week, Monday 0 to Sunday 6.
    pub fn weekday(self) -> usize {
        // 1970-01-01 was a Thursday.
        (self.to_days() + 3).rem_euclid(7) as usize
    }

    /// The date in Viet Nam (UTC+7 all year) at a Unix time in milliseconds: the "today" of date rules.
    pub fn in_viet_nam(unix_ms: i64) -> Date {
        Date::from_days((unix_ms + VIET_NAM_OFFSET_MS).div_euclid(86_400_000))
    }

    /// The time and date in Viet Nam at a Unix time in milliseconds, as a receipt shows them:
    /// `14:05, 04/12/2026`, and in English with the month in words, which no reader takes for 12 April:
    /// `14:05, 4 December 2026`.
    pub fn viet_nam_time(unix_ms: i64, lang: &str) -> String {
        let d = Date::in_viet_nam(unix_ms);
        let date = match lang {
            "en" => format!(
                "{} {} {}",
                d.day,
                month_name(d.month.into()).unwrap_or_default(),
                d.year
            ),
            _ => d.to_dmy(),
        };
        format!("{}, {date}", Date::viet_nam_clock(unix_ms))
    }

    /// The hour and minute in Viet Nam at a Unix time in milliseconds: `14:05`.
    pub fn viet_nam_clock(unix_ms: i64) -> String {
        let minute = (unix_ms + VIET_NAM_OFFSET_MS).div_euclid(60_000).rem_euclid(24 * 60);
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }

    /// The time in Viet Nam at a Unix time in milliseconds, ISO 8601 with its offset: `2026-12-04T14:05:09+07:00`.
    pub fn viet_nam_iso(unix_ms: i64) -> String {
        let second = (unix_ms + VIET_NAM_OFFSET_MS).div_euclid(1000).rem_euclid(86_400);
        let (h, m, s) = (second / 3600, second / 60 % 60, second % 60);
        format!("{}T{h:02}:{m:02}:{s:02}+07:00", Date::in_viet_nam(unix_ms))
    }

    /// When this day begins in Viet Nam, in Unix milliseconds.
    pub fn viet_nam_start(self) -> i64 {
        self.to_days() * 86_400_000 - VIET_NAM_OFFSET_MS
    }

    /// The date a number of days after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// This date moved by whole years; 29 February becomes 28 February in common years.
    pub fn add_years(self, years: i32) -> Date {
        let year = self.year + years;
        let day = self.day.min(days_in_month(year, self.month));
        Date {
            year,
            month: self.month,
            day,
        }
    }

    /// This date moved by a number of days.
    pub fn add_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    /// Whole years from this date to `on` (an age), negative if `on` is earlier.
    pub fn years_until(self, on: Date) -> i32 {
        let mut years = on.year - self.year;
        if (on.month, on.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }

    /// The date as dd/mm/yyyy.
    pub fn to_dmy(self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }
}

impl fmt::Display for Date {
    /// Formats as ISO 8601 `yyyy-mm-dd`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// Whether a year is a Gregorian leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Number of days in a month of a year.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Viet Nam's offset from UTC (no daylight saving time).
const VIET_NAM_OFFSET_MS: i64 = 7 * 3_600_000;

/// The English name of month `n` (1 to 12).
pub fn month_name(n: u32) -> Option<&'static str> {
    MONTHS.get(usize::try_from(n).ok()?.checked_sub(1)?).copied()
}

/// The months' English names.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date's numbers as written (year, month, day), whether or not they name a real day.
type Parts = (i32, u32, u32);

/// What a written date that names no day gets wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoSuchDay {
    /// A month outside 1 to 12.
    Month(u32),
    /// A day its month does not have.
    Day {
        /// The day as written.
        day: u32,
        /// The month, 1 to 12.
        month: u32,
        /// The year.
        year: i32,
    },
}

/// The numbers of `yyyy-mm-dd`.
fn iso_parts(s: &str) -> Option<Parts> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    Some((digits(&s[0..4])? as i32, digits(&s[5..7])?, digits(&s[8..10])?))
}

/// The numbers of `dd/mm/yyyy` (or `d/m/yyyy`, with `-`, `.` or space separators).
fn dmy_parts(s: &str) -> Option<Parts> {
    let mut parts = s.split(['/', '-', '.', ' ']);
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || d.len() > 2 || m.len() > 2 || y.len() != 4 {
        return None;
    }
    Some((digits(y)? as i32, digits(m)?, digits(d)?))
}

/// The numbers of eight digits, the year, month and day starting at the given places.
fn eight_digits(s: &str, year: usize, month: usize, day: usize) -> Option<Parts> {
    if s.len() != 8 || !s.is_ascii() {
        return None;
    }
    Some((
        digits(&s[year..year + 4])? as i32,
        digits(&s[month..month + 2])?,
        digits(&s[day..day + 2])?,
    ))
}

fn digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_alone_is_its_last_day_where_a_day_is_needed() {
        assert_eq!(Date::parse_stored("1950"), Date::new(1950, 12, 31));
        assert_eq!(Date::parse_stored("1950-03-05"), Date::new(1950, 3, 5));
        for no_year in ["0000", "195", "19500", "195O", "05/03/1950"] {
            assert_eq!(Date::parse_stored(no_year), None, "{no_year}");
        }
        assert_eq!(Date::year_of_unknown_day("1950-03-00"), Some(1950));
        assert_eq!(
            Date::year_of_unknown_day("1950-03-05"),
            None,
            "a day known is no unknown day"
        );
        assert_eq!(Date::year_of_unknown_day("0000-00-00"), None);
    }

    #[test]
    fn weekdays_count_from_monday() {
        // 2 September 2026 is a Wednesday; 1 January 1970 a Thursday; 31 December 1969 a Wednesday.
        let days = [
            (2026, 9, 2, 2),
            (2026, 9, 6, 6),
            (2026, 9, 7, 0),
            (1970, 1, 1, 3),
            (1969, 12, 31, 2),
        ];
        for (y, m, d, weekday) in days {
            assert_eq!(Date::new(y, m, d).unwrap().weekday(), weekday, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn today_is_taken_in_viet_nam() {
        // 2025-06-30T18:00:00Z is already 1 July in Viet Nam; 16:59:59Z is still 30 June.
        let ms = Date::new(2025, 6, 30).unwrap().to_days() * 86_400_000 + 18 * 3_600_000;
        assert_eq!(Date::in_viet_nam(ms), Date::new(2025, 7, 1).unwrap());
        assert_eq!(Date::in_viet_nam(ms - 3_600_001), Date::new(2025, 6, 30).unwrap());
        assert_eq!(Date::viet_nam_time(ms, "vi"), "01:00, 01/07/2025");
        assert_eq!(Date::viet_nam_time(ms - 3_600_001, "vi"), "23:59, 30/06/2025");
        let afternoon = ms + 13 * 3_600_000 + 5 * 60_000;
        assert_eq!(Date::viet_nam_time(afternoon, "vi"), "14:05, 01/07/2025");
        assert_eq!(Date::viet_nam_time(afternoon, "en"), "14:05, 1 July 2025");
        assert_eq!(Date::viet_nam_time(ms - 3_600_001, "en"), "23:59, 30 June 2025");
        assert_eq!(Date::viet_nam_iso(ms + 9_999), "2025-07-01T01:00:09+07:00");
        assert_eq!(Date::viet_nam_iso(ms - 3_600_001), "2025-06-30T23:59:59+07:00");
        let day = Date::new(2025, 7, 1).unwrap();
        assert_eq!(day.viet_nam_start(), ms - 3_600_000);
        assert_eq!(
            Date::in_viet_nam(day.viet_nam_start() - 1),
            Date::new(2025, 6, 30).unwrap()
        );
    }

    #[test]
    fn a_date_that_names_no_day_says_which_part_is_wrong() {
        let day = |day, month, year| Some(NoSuchDay::Day { day, month, year });
        assert_eq!(Date::no_such_day("31/02/2027"), day(31, 2, 2027));
        assert_eq!(Date::no_such_day("29.02.1900"), day(29, 2, 1900));
        assert_eq!(Date::no_such_day("31042020"), day(31, 4, 2020));
        assert_eq!(
            Date::no_such_day("20250231"),
            day(31, 2, 2025),
            "yyyymmdd, the one reading with a month"
        );
        assert_eq!(Date::no_such_day("2026-04-00"), day(0, 4, 2026));
        assert_eq!(Date::no_such_day("15/13/2027"), Some(NoSuchDay::Month(13)));
        assert_eq!(Date::no_such_day("2026-13-01"), Some(NoSuchDay::Month(13)));
        for fine_or_not_a_date in [
            "29/02/2000",
            "hôm qua",
            "05/03/25",
            "01/01/0000",
            "",
            "31/02",
            "19900315",
            "15132027",
        ] {
            assert_eq!(Date::no_such_day(fine_or_not_a_date), None, "{fine_or_not_a_date}");
        }
    }

    #[test]
    fn parses_the_three_forms() {
        let d = Date::new(2000, 2, 29).unwrap();
        assert_eq!(Date::parse_iso("2000-02-29"), Some(d));
        assert_eq!(Date::parse_dmy("29/02/2000"), Some(d));
        assert_eq!(Date::parse_compact("20000229"), Some(d));
        assert_eq!(Date::parse_dmy("5/3/2025"), Date::new(2025, 3, 5));
        assert_eq!(Date::parse_dmy("31 12 2027"), Date::new(2027, 12, 31));
        assert_eq!(Date::parse_dmy("31/04/2020"), None);
        assert_eq!(Date::parse_dmy("29/02/1900"), None);
        assert_eq!(Date::parse_iso("2000-2-29"), None);
        assert_eq!(Date::parse_dmy("+1/03/2025"), None);
        assert_eq!(Date::parse_compact("'\\\u{1FBEB}:"), None);
        // Typed without separators: ddmmyyyy; the database's yyyymmdd first.
        assert_eq!(Date::parse_any("15031989"), Date::new(1989, 3, 15));
        assert_eq!(Date::parse_any(" 29022000 "), Some(d));
        assert_eq!(Date::parse_any("20000229"), Some(d));
        assert_eq!(Date::parse_any("31042020"), None);
        assert_eq!(Date::parse_any("1503198"), None);
    }

    #[test]
    fn day_numbers_round_trip() {
        assert_eq!(Date::new(1970, 1, 1).unwrap().to_days(), 0);
        assert_eq!(Date::new(2000, 3, 1).unwrap().to_days(), 11_017);
        for days in (-800_000..800_000).step_by(997) {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
    }

    #[test]
    fn ages_and_year_arithmetic() {
        let dob = Date::new(2008, 2, 29).unwrap();
        assert_eq!(dob.add_years(14), Date::new(2022, 2, 28).unwrap());
        assert_eq!(dob.years_until(Date::new(2026, 2, 28).unwrap()), 17);
        assert_eq!(dob.years_until(Date::new(2026, 3, 1).unwrap()), 18);
        assert_eq!(Date::new(2025, 3, 5).unwrap().to_dmy(), "05/03/2025");
        assert_eq!(Date::new(2025, 3, 5).unwrap().to_string(), "2025-03-05");
    }
}
