//! Vietnamese number and date words, for dates "in words" on civil-status forms.
//!
//! Conventions (the Northern standard used in civil-status books and birth certificates):
//! - units after "mươi" (twenty and up): 1 is "mốt", 4 is "tư", 5 is "lăm"
//!   ("hai mươi mốt", "chín mươi tư", "hai mươi lăm"); the plain "bốn" is also heard after
//!   "mươi", but "tư" is what birth certificates write ("ngày hai mươi tư");
//! - after "mười" 5 is "lăm" and the others are plain ("mười một", "mười bốn", "mười lăm");
//! - zero tens before a unit is "linh" ("một trăm linh năm"), not the Southern "lẻ";
//! - a group of three digits after a higher group is read whole, with "không trăm" for its zero
//!   hundreds ("hai nghìn không trăm hai mươi lăm"); groups that are all zero are skipped
//!   ("một triệu không trăm linh năm");
//! - scale words are "nghìn" (not "ngàn"), "triệu" and "tỷ", with "nghìn tỷ" and so on above;
//! - in dates, April is "tháng tư" and days and months carry no "mùng"/"mồng".

use crate::date::Date;

const DIGITS: [&str; 10] = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"];
const BILLION: u64 = 1_000_000_000;

/// A number in Vietnamese words, e.g. 1994 is "một nghìn chín trăm chín mươi tư".
pub fn number_in_words(n: u64) -> String {
    if n == 0 {
        return DIGITS[0].to_string();
    }
    let mut words = Vec::new();
    push_number(&mut words, n, false);
    words.join(" ")
}

/// A date in words as on birth certificates, e.g.
/// "Ngày hai mươi lăm tháng ba năm hai nghìn không trăm hai mươi lăm".
pub fn date_in_words(d: Date) -> String {
    let month = match d.month {
        4 => "tư".to_string(),
        m => number_in_words(u64::from(m)),
    };
    format!(
        "Ngày {} tháng {month} năm {}",
        number_in_words(u64::from(d.day)),
        number_in_words(u64::from(d.year.unsigned_abs()))
    )
}

/// Pushes the words of `n` (not zero); `full` reads a zero hundreds because a higher group precedes.
fn push_number(words: &mut Vec<&'static str>, n: u64, full: bool) {
    let (billions, rest) = (n / BILLION, n % BILLION);
    let mut full = full;
    if billions > 0 {
        push_number(words, billions, full);
        words.push("tỷ");
        full = true;
    }
    let groups = [
        (rest / 1_000_000, "triệu"),
        (rest / 1000 % 1000, "nghìn"),
        (rest % 1000, ""),
    ];
    for (group, scale) in groups {
        if group == 0 {
            continue;
        }
        push_group(words, group, full);
        if !scale.is_empty() {
            words.push(scale);
        }
        full = true;
    }
}

/// Pushes the words of a group of three digits (1 to 999).
fn push_group(words: &mut Vec<&'static str>, n: u64, full: bool) {
    let (hundreds, tens, units) = ((n / 100) as usize, (n / 10 % 10) as usize, (n % 10) as usize);
    if full || hundreds > 0 {
        words.extend([DIGITS[hundreds], "trăm"]);
    }
    let unit = match (tens, units) {
        (_, 0) => None,
        (0, u) => {
            if full || hundreds > 0 {
                words.push("linh");
            }
            Some(DIGITS[u])
        }
        (1, 5) | (2.., 5) => Some("lăm"),
        (2.., 1) => Some("mốt"),
        (2.., 4) => Some("tư"),
        (_, u) => Some(DIGITS[u]),
    };
    match tens {
        0 => {}
        1 => words.push("mười"),
        t => words.extend([DIGITS[t], "mươi"]),
    }
    words.extend(unit);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_words() {
        let cases: &[(u64, &str)] = &[
            (0, "không"),
            (1, "một"),
            (4, "bốn"),
            (5, "năm"),
            (10, "mười"),
            (11, "mười một"),
            (14, "mười bốn"),
            (15, "mười lăm"),
            (20, "hai mươi"),
            (21, "hai mươi mốt"),
            (24, "hai mươi tư"),
            (25, "hai mươi lăm"),
            (31, "ba mươi mốt"),
            (55, "năm mươi lăm"),
            (100, "một trăm"),
            (101, "một trăm linh một"),
            (104, "một trăm linh bốn"),
            (105, "một trăm linh năm"),
            (110, "một trăm mười"),
            (115, "một trăm mười lăm"),
            (999, "chín trăm chín mươi chín"),
            (1000, "một nghìn"),
            (1994, "một nghìn chín trăm chín mươi tư"),
            (2000, "hai nghìn"),
            (2001, "hai nghìn không trăm linh một"),
            (2010, "hai nghìn không trăm mười"),
            (2025, "hai nghìn không trăm hai mươi lăm"),
            (10_500, "mười nghìn năm trăm"),
            (1_000_005, "một triệu không trăm linh năm"),
            (1_005_000, "một triệu không trăm linh năm nghìn"),
            (21_000_000, "hai mươi mốt triệu"),
            (1_000_000_000, "một tỷ"),
            (2_000_000_001, "hai tỷ không trăm linh một"),
            (1_000_000_000_000, "một nghìn tỷ"),
        ];
        for (n, words) in cases {
            assert_eq!(number_in_words(*n), *words, "{n}");
        }
        let max = number_in_words(u64::MAX);
        assert!(max.starts_with("mười tám tỷ bốn trăm bốn mươi sáu triệu"), "{max}");
        assert!(
            max.ends_with("tỷ bảy trăm linh chín triệu năm trăm năm mươi mốt nghìn sáu trăm mười lăm"),
            "{max}"
        );
    }

    #[test]
    fn dates_in_words() {
        let words = |y, m, d| date_in_words(Date::new(y, m, d).unwrap());
        assert_eq!(
            words(2025, 3, 25),
            "Ngày hai mươi lăm tháng ba năm hai nghìn không trăm hai mươi lăm"
        );
        assert_eq!(
            words(1994, 4, 24),
            "Ngày hai mươi tư tháng tư năm một nghìn chín trăm chín mươi tư"
        );
        assert_eq!(
            words(2001, 12, 1),
            "Ngày một tháng mười hai năm hai nghìn không trăm linh một"
        );
        assert_eq!(
            words(2019, 11, 30),
            "Ngày ba mươi tháng mười một năm hai nghìn không trăm mười chín"
        );
        assert_eq!(
            words(2020, 1, 15),
            "Ngày mười lăm tháng một năm hai nghìn không trăm hai mươi"
        );
    }
}
