//! Personal identification numbers (số định danh cá nhân, the 12 digits on the CCCD card):
//! birth-registration province, century and sex, year of birth. There is no check digit.

use super::ascii_digits;
use crate::issue::Finding;
use crate::text::{clean_line, lowercase, strip_separators};

/// Sex as encoded in the PIN's fourth digit; written `nam`, `nu` in definitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Sex {
    /// Nam.
    #[serde(rename = "nam")]
    Male,
    /// Nữ.
    #[serde(rename = "nu")]
    Female,
}

impl Sex {
    /// The stored code: `nam` or `nu`.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "nam",
            Sex::Female => "nu",
        }
    }

    /// Reads `nam`/`nu`, `Nam`/`Nữ` or `male`/`female`, in any case.
    pub fn from_code(s: &str) -> Option<Sex> {
        match lowercase(&clean_line(s)).as_str() {
            "nam" | "male" => Some(Sex::Male),
            "nu" | "nữ" | "female" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// What a structurally valid PIN says about its holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinInfo {
    /// First three digits: the province where the birth was registered.
    pub prefix: String,
    /// That province's name (pre-2025 provinces), if the prefix is known.
    pub province: Option<&'static str>,
    /// Year of birth.
    pub birth_year: i32,
    /// Sex.
    pub sex: Sex,
}

/// PIN prefixes and the 63 provinces before 1 July 2025 (Circular 07/2016/TT-BCA, Appendix 1).
/// Issued PINs keep these prefixes after the 2025 merger.
pub const PROVINCE_CODES: [(&str, &str); 63] = [
    ("001", "Hà Nội"),
    ("002", "Hà Giang"),
    ("004", "Cao Bằng"),
    ("006", "Bắc Kạn"),
    ("008", "Tuyên Quang"),
    ("010", "Lào Cai"),
    ("011", "Điện Biên"),
    ("012", "Lai Châu"),
    ("014", "Sơn La"),
    ("015", "Yên Bái"),
    ("017", "Hòa Bình"),
    ("019", "Thái Nguyên"),
    ("020", "Lạng Sơn"),
    ("022", "Quảng Ninh"),
    ("024", "Bắc Giang"),
    ("025", "Phú Thọ"),
    ("026", "Vĩnh Phúc"),
    ("027", "Bắc Ninh"),
    ("030", "Hải Dương"),
    ("031", "Hải Phòng"),
    ("033", "Hưng Yên"),
    ("034", "Thái Bình"),
    ("035", "Hà Nam"),
    ("036", "Nam Định"),
    ("037", "Ninh Bình"),
    ("038", "Thanh Hóa"),
    ("040", "Nghệ An"),
    ("042", "Hà Tĩnh"),
    ("044", "Quảng Bình"),
    ("045", "Quảng Trị"),
    ("046", "Thừa Thiên Huế"),
    ("048", "Đà Nẵng"),
    ("049", "Quảng Nam"),
    ("051", "Quảng Ngãi"),
    ("052", "Bình Định"),
    ("054", "Phú Yên"),
    ("056", "Khánh Hòa"),
    ("058", "Ninh Thuận"),
    ("060", "Bình Thuận"),
    ("062", "Kon Tum"),
    ("064", "Gia Lai"),
    ("066", "Đắk Lắk"),
    ("067", "Đắk Nông"),
    ("068", "Lâm Đồng"),
    ("070", "Bình Phước"),
    ("072", "Tây Ninh"),
    ("074", "Bình Dương"),
    ("075", "Đồng Nai"),
    ("077", "Bà Rịa - Vũng Tàu"),
    ("079", "Hồ Chí Minh"),
    ("080", "Long An"),
    ("082", "Tiền Giang"),
    ("083", "Bến Tre"),
    ("084", "Trà Vinh"),
    ("086", "Vĩnh Long"),
    ("087", "Đồng Tháp"),
    ("089", "An Giang"),
    ("091", "Kiên Giang"),
    ("092", "Cần Thơ"),
    ("093", "Hậu Giang"),
    ("094", "Sóc Trăng"),
    ("095", "Bạc Liêu"),
    ("096", "Cà Mau"),
];

/// The province a PIN prefix stands for.
pub fn province(prefix: &str) -> Option<&'static str> {
    PROVINCE_CODES
        .iter()
        .find(|(code, _)| *code == prefix)
        .map(|(_, name)| *name)
}

/// The PIN as bare ASCII digits: full-width digits folded, spaces, dots and hyphens removed.
pub fn normalize(s: &str) -> String {
    strip_separators(s, &['.', '-'])
}

/// Whether a normalised value has a PIN's shape: 12 ASCII digits.
pub fn is_pin(normalized: &str) -> bool {
    ascii_digits::<12>(normalized).is_some()
}

/// Checks a PIN's structure against the current year (raw input is normalised first); the
/// info is there whenever 12 digits could be decoded, even with an error (future birth year).
pub fn check(normalized: &str, current_year: i32) -> (Option<PinInfo>, Vec<Finding>) {
    let s = normalize(normalized);
    let Some(d) = ascii_digits::<12>(&s) else {
        let finding = if s.bytes().all(|b| b.is_ascii_digit()) {
            Finding::error("pin.length").with("len", s.len())
        } else {
            Finding::error("pin.format")
        };
        return (None, vec![finding]);
    };
    let prefix = &s[..3];
    let info = PinInfo {
        prefix: prefix.to_owned(),
        province: province(prefix),
        birth_year: 1900 + 100 * i32::from(d[3] / 2) + 10 * i32::from(d[4]) + i32::from(d[5]),
        sex: if d[3] % 2 == 0 { Sex::Male } else { Sex::Female },
    };
    let mut findings = Vec::new();
    if info.province.is_none() {
        findings.push(Finding::warning("pin.unknown_prefix").with("prefix", prefix));
    }
    if info.birth_year > current_year {
        findings.push(Finding::error("pin.future_birth_year").with("year", info.birth_year));
    }
    (Some(info), findings)
}

/// Compares a decoded PIN with the year of birth and sex given elsewhere on the form.
pub fn cross_check(info: &PinInfo, birth_year: Option<i32>, sex: Option<Sex>) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(year) = birth_year.filter(|y| *y != info.birth_year) {
        findings.push(
            Finding::error("pin.birth_year_mismatch")
                .with("pin_year", info.birth_year)
                .with("dob_year", year),
        );
    }
    if sex.is_some_and(|s| s != info.sex) {
        findings.push(Finding::error("pin.sex_mismatch").with("pin_sex", info.sex.code()));
    }
    findings
}

/// Whether `s` looks like an old 9-digit identity card number (CMND); its format only.
pub fn is_cmnd9(s: &str) -> bool {
    ascii_digits::<9>(&normalize(s)).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code).collect()
    }

    #[test]
    fn decodes_century_sex_and_year() {
        let cases = [
            ("001089012345", 1989, Sex::Male),
            ("001189012345", 1989, Sex::Female),
            ("001200012345", 2000, Sex::Male),
            ("001399012345", 2099, Sex::Female),
            ("001800012345", 2300, Sex::Male),
            ("001999012345", 2399, Sex::Female),
        ];
        for (pin, year, sex) in cases {
            let (info, _) = check(pin, 9999);
            let info = info.expect(pin);
            assert_eq!(
                (info.birth_year, info.sex, info.province),
                (year, sex, Some("Hà Nội")),
                "{pin}"
            );
        }
    }

    #[test]
    fn structure_errors() {
        assert_eq!(check("", 2026).1, vec![Finding::error("pin.length").with("len", 0)]);
        assert_eq!(
            check("0010890123456", 2026).1,
            vec![Finding::error("pin.length").with("len", 13)]
        );
        assert_eq!(codes(&check("00108901234A", 2026).1), ["pin.format"]);
        assert_eq!(codes(&check("００１０８９０１２３４５😀", 2026).1), ["pin.format"]);
        assert_eq!(codes(&check("\u{0}", 2026).1), ["pin.format"]);
        // Digits from other scripts are not ASCII digits.
        assert_eq!(codes(&check("٠٠١٠٨٩٠١٢٣٤٥", 2026).1), ["pin.format"]);
    }

    #[test]
    fn future_year_is_an_error_but_still_decoded() {
        let (info, findings) = check("003227012345", 2026);
        assert_eq!(info.map(|i| i.birth_year), Some(2027));
        assert_eq!(
            findings,
            vec![
                Finding::warning("pin.unknown_prefix").with("prefix", "003"),
                Finding::error("pin.future_birth_year").with("year", 2027),
            ]
        );
        assert!(check("001226012345", 2026).1.is_empty());
    }

    #[test]
    fn cross_check_reports_each_mismatch() {
        let info = check("079301234567", 2026).0.unwrap();
        assert!(cross_check(&info, Some(2001), Some(Sex::Female)).is_empty());
        assert!(cross_check(&info, None, None).is_empty());
        assert_eq!(
            cross_check(&info, Some(1901), Some(Sex::Male)),
            vec![
                Finding::error("pin.birth_year_mismatch")
                    .with("pin_year", 2001)
                    .with("dob_year", 1901),
                Finding::error("pin.sex_mismatch").with("pin_sex", "nu"),
            ]
        );
    }

    #[test]
    fn sex_codes() {
        for (s, sex) in [
            ("nam", Sex::Male),
            (" NAM ", Sex::Male),
            ("Male", Sex::Male),
            ("nu", Sex::Female),
        ] {
            assert_eq!(Sex::from_code(s), Some(sex), "{s}");
        }
        for s in ["Nữ", "NỮ", "Nu\u{31B}\u{303}", "FEMALE"] {
            assert_eq!(Sex::from_code(s), Some(Sex::Female), "{s}");
        }
        for s in ["", "năm", "m", "nư", "khác"] {
            assert_eq!(Sex::from_code(s), None, "{s}");
        }
        for sex in [Sex::Male, Sex::Female] {
            assert_eq!(Sex::from_code(sex.code()), Some(sex));
        }
    }

    #[test]
    fn province_table_is_sorted_unique_and_well_formed() {
        assert!(PROVINCE_CODES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(PROVINCE_CODES
            .iter()
            .all(|(code, _)| code.len() == 3 && code.starts_with('0')));
        assert_eq!(province("079"), Some("Hồ Chí Minh"));
        assert_eq!(province("003"), None);
        assert_eq!(province(""), None);
    }

    #[test]
    fn cmnd9_is_nine_digits() {
        assert!(is_cmnd9("012345678"));
        assert!(is_cmnd9("012 345 678"));
        assert!(!is_cmnd9("01234567"));
        assert!(!is_cmnd9("0123456789"));
        assert!(!is_cmnd9("01234567A"));
        assert!(!is_cmnd9(""));
    }
}
