//! Normalisation of raw input per field kind: NFC text, ISO dates, E.164 phones, bare digits.
//!
//! Normalising never fails: a value that cannot be read keeps its cleaned form and the rules
//! report it. Text that ends up empty becomes `null`.

use crate::definition::FieldKind;
use crate::text::{clean_line, clean_multiline, convert, Conversion};
use crate::vn::{phone, pin, tax_code};
use crate::Date;
use serde_json::Value as Json;

/// The stored form of a raw value for a field kind.
pub fn normalize(kind: FieldKind, raw: Json) -> Json {
    use FieldKind::*;
    match (kind, raw) {
        (Textarea, Json::String(s)) => non_empty(clean_multiline(&s)),
        (Number, Json::String(s)) => number(&compatible(&s)),
        (Date, Json::String(s)) => {
            let s = compatible(&s);
            match crate::Date::parse_any(&s) {
                Some(d) => Json::String(d.to_string()),
                None => non_empty(s),
            }
        }
        (Phone, Json::String(s)) => {
            let s = clean_line(&s);
            match phone::parse(&s).0 {
                Some(p) => Json::String(p.e164),
                None => non_empty(s),
            }
        }
        // Ð (Icelandic eth, U+00D0) looks like Đ and comes from text decoded as Latin-1: a name with it
        // would never match the national record's.
        (Name, Json::String(s)) => non_empty(clean_line(&s).replace('\u{D0}', "Đ").replace('\u{F0}', "đ")),
        (Pin, Json::String(s)) => non_empty(pin::normalize(&s)),
        (TaxCode, Json::String(s)) => non_empty(tax_code::normalize(&s)),
        (CheckboxGroup, Json::Array(items)) => Json::Array(items.into_iter().map(line).collect()),
        (Address, Json::Object(mut parts)) => {
            for part in parts.values_mut() {
                *part = line(part.take());
            }
            Json::Object(parts)
        }
        (File, Json::Array(mut files)) => {
            // A Mac's browser names files in NFD.
            for name in files.iter_mut().filter_map(|f| f.get_mut("name")) {
                if let Json::String(s) = name {
                    *s = convert(s, Conversion::Nfc);
                }
            }
            Json::Array(files)
        }
        (Group, raw) => raw,
        (_, raw) => line(raw),
    }
}

/// A number as text: whole numbers without a decimal point, others in their shortest form.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < crate::expr::MAX_EXACT {
        (n as i64).to_string()
    } else {
        // serde_json's formatter, so that the wasm bundle carries one float formatter, not two.
        serde_json::Number::from_f64(n).map_or_else(|| "NaN".to_owned(), |x| x.to_string())
    }
}

/// A number as `lang` writes it for reading: thousands grouped from 10 000 on (a year stays `1965`),
/// Vietnamese `1.234.567,5`, English `1,234,567.5`.
pub fn number_in(n: f64, lang: &str) -> String {
    let (group, point) = if lang == "en" { (',', '.') } else { ('.', ',') };
    let text = number_text(n.abs());
    if text.contains(['e', 'E', 'N']) {
        return number_text(n);
    }
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::from(if n < 0.0 { "-" } else { "" });
    for (i, digit) in int.chars().enumerate() {
        if int.len() > 4 && i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(digit);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// A number in the box it was typed in: as `lang` writes it, in a form the box reads back as the same
/// number (English without grouping, and the Vietnamese way where its decimal point would read as a
/// grouping one: `1,125`).
pub fn number_in_box(n: f64, lang: &str) -> String {
    let plain = number_text(n);
    let same = |text: &str| number(text).as_f64() == Some(n);
    if lang == "en" && same(&plain) {
        plain
    } else {
        number_in(n, "vi")
    }
}

/// A plain decimal (`[+-]digits[.digits]`, `.5` and `5.` too) as a number, without the standard
/// library's float parser (its tables would be the bundle's largest): correctly rounded up to 15
/// significant digits and 22 decimal places (any amount a form holds), within an ulp or so beyond.
pub fn parse_decimal(s: &str) -> Option<f64> {
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = int.bytes().chain(frac.bytes());
    if int.len() + frac.len() == 0 || !digits.clone().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Up to 19 significant digits in an integer; the ones after only move the decimal exponent.
    let (mut significand, mut kept, mut exponent) = (0u64, 0, -(frac.len() as i32));
    for d in digits.map(|b| u64::from(b - b'0')) {
        if kept < 19 {
            significand = significand * 10 + d;
            kept += u32::from(significand > 0);
        } else {
            exponent += 1;
        }
    }
    // Trailing zeros are exact in the exponent, and keep the significand small enough to be exact.
    while significand != 0 && significand % 10 == 0 {
        significand /= 10;
        exponent += 1;
    }
    let mut n = significand as f64;
    while exponent != 0 {
        let step = exponent.clamp(-22, 22);
        n = if step > 0 {
            n * POW10[step as usize]
        } else {
            n / POW10[(-step) as usize]
        };
        exponent -= step;
    }
    Some(if negative { -n } else { n })
}

/// A date value's display form, dd/mm/yyyy, or the value as it is.
pub fn date_for_display(value: &str) -> String {
    Date::parse_iso(value).map_or_else(|| value.to_owned(), Date::to_dmy)
}

/// A cleaned line with compatibility forms folded (full-width digits become ASCII).
fn compatible(s: &str) -> String {
    clean_line(&convert(s, Conversion::Nfkc))
}

fn line(value: Json) -> Json {
    match value {
        Json::String(s) => non_empty(clean_line(&s)),
        other => other,
    }
}

fn non_empty(s: String) -> Json {
    if s.is_empty() {
        Json::Null
    } else {
        Json::String(s)
    }
}

/// A number typed as text, read the Vietnamese way when it is written so: dots group thousands and a
/// comma marks decimals (`1.234.567,5`); otherwise a dot is the decimal point (`1.5`). Spaces are ignored.
fn number(s: &str) -> Json {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let decimal = if is_vietnamese_grouping(&compact) {
        compact.replace('.', "").replace(',', ".")
    } else if compact.contains('.') {
        compact.clone()
    } else {
        compact.replace(',', ".")
    };
    match parse_decimal(&decimal).filter(|n| n.is_finite()) {
        // Whole numbers as integers, as JavaScript writes them (`1965`, not `1965.0`).
        Some(n) if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 => Json::from(n as i64),
        Some(n) => serde_json::Number::from_f64(n).map_or(Json::Null, Json::Number),
        None => non_empty(s.to_owned()),
    }
}

/// Whether digits are grouped by thousands with dots, optionally with a decimal comma: `5.000`, `1.234,5`.
fn is_vietnamese_grouping(s: &str) -> bool {
    let integer = s.split(',').next().unwrap_or_default();
    let mut groups = integer.trim_start_matches('-').split('.');
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()));
    let rest: Vec<&str> = groups.collect();
    first_ok
        && !rest.is_empty()
        && rest
            .iter()
            .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_names_are_nfc_and_the_rest_of_a_file_as_it_was() {
        let mac = json!([{"name": "Gia\u{302}\u{301}y xa\u{301}c nha\u{323}\u{302}n.pdf", "size": 8, "type": "application/pdf", "upload": "U1"}]);
        let stored = normalize(FieldKind::File, mac);
        assert_eq!(
            stored,
            json!([{"name": "Giấy xác nhận.pdf", "size": 8, "type": "application/pdf", "upload": "U1"}])
        );
        assert_eq!(
            normalize(FieldKind::File, json!("a.pdf")),
            json!("a.pdf"),
            "not files: left for the type rule"
        );
    }

    #[test]
    fn decimals_read_as_the_standard_parser_reads_them() {
        for s in [
            "0",
            "-0",
            "+7",
            "007",
            "5.",
            ".5",
            "1.5",
            "0.1",
            "0.3",
            "-12.75",
            "9007199254740991",
            "123456789012345.6",
        ] {
            assert_eq!(parse_decimal(s), s.parse::<f64>().ok(), "{s}");
        }
        for s in ["", ".", "-", "+-1", "1.2.3", "1e5", "inf", "NaN", "1,5", " 1", "١"] {
            assert_eq!(parse_decimal(s), None, "{s}");
        }
        assert_eq!(parse_decimal(&format!("1{}", "0".repeat(400))), Some(f64::INFINITY));
        assert_eq!(parse_decimal(&format!("0.{}1", "0".repeat(30))), Some(1e-31));
    }

    proptest::proptest! {
        #[test]
        fn decimals_up_to_15_digits_are_correctly_rounded(
            int in 0u64..1_000_000_000_000_000, frac in 0u64..1_000_000_000_000_000, places in 0usize..=22,
        ) {
            // Up to 15 significant digits in all: the integer part's digits, then the fraction's.
            let int_text = int.to_string();
            let room = 15usize.saturating_sub(if int == 0 { 0 } else { int_text.len() }).min(places);
            let frac_text = format!("{frac:0>22}")[..room].to_owned();
            let s = format!("{int_text}.{frac_text}{}", "0".repeat(places - room));
            proptest::prop_assert_eq!(parse_decimal(&s), s.parse::<f64>().ok(), "{}", s);
        }
    }

    #[test]
    fn numbers_read_as_each_language_writes_them_and_come_back_from_their_box() {
        assert_eq!(number_in(600_000_000.0, "vi"), "600.000.000");
        assert_eq!(number_in(600_000_000.0, "en"), "600,000,000");
        assert_eq!(number_in(1234567.5, "vi"), "1.234.567,5");
        assert_eq!(number_in(-12345.25, "en"), "-12,345.25");
        assert_eq!(number_in(1965.0, "vi"), "1965", "a year is not grouped");
        assert_eq!(number_in(1.5, "vi"), "1,5");
        assert_eq!(number_in_box(1.5, "en"), "1.5");
        assert_eq!(number_in_box(600_000_000.0, "en"), "600000000");
        assert_eq!(number_in_box(1.125, "en"), "1,125", "1.125 would read as 1125");
        assert_eq!(number_in_box(600_000_000.0, "vi"), "600.000.000");
        for n in [
            0.0,
            7.0,
            1965.0,
            10_000.0,
            1.125,
            1234.5,
            1_000_000.001,
            -42.75,
            123_456_789.0,
            0.5,
        ] {
            for lang in ["vi", "en"] {
                assert_eq!(number(&number_in_box(n, lang)).as_f64(), Some(n), "{n} in {lang}");
            }
        }
    }

    #[test]
    fn values_are_normalised_by_kind() {
        assert_eq!(normalize(FieldKind::Date, json!("05/03/2025")), json!("2025-03-05"));
        assert_eq!(normalize(FieldKind::Date, json!("31/04/2020")), json!("31/04/2020"));
        assert_eq!(normalize(FieldKind::Number, json!("1 234,5")), json!(1234.5));
        assert_eq!(normalize(FieldKind::Number, json!("5.000")), json!(5000));
        assert_eq!(normalize(FieldKind::Number, json!("1.234.567,5")), json!(1234567.5));
        assert_eq!(normalize(FieldKind::Number, json!("1.5")), json!(1.5));
        assert_eq!(normalize(FieldKind::Number, json!("１２")), json!(12));
        assert_eq!(
            normalize(FieldKind::Date, json!("０５/０３/２０２５")),
            json!("2025-03-05")
        );
        assert_eq!(normalize(FieldKind::Number, json!("NaN")), json!("NaN"));
        assert_eq!(normalize(FieldKind::Number, json!("1e400")), json!("1e400"));
        assert_eq!(normalize(FieldKind::Text, json!("   ")), json!(null));
        assert_eq!(normalize(FieldKind::Name, json!(" \u{D0}ỗ Văn ð ")), json!("Đỗ Văn đ"));
        assert_eq!(
            normalize(FieldKind::Text, json!("\u{D0}")),
            json!("\u{D0}"),
            "names only"
        );
        assert_eq!(normalize(FieldKind::Text, json!(7)), json!(7));
        assert_eq!(
            normalize(FieldKind::Phone, json!("0912 345 678")),
            json!("+84912345678")
        );
        assert_eq!(
            normalize(FieldKind::Pin, json!("001 089 012 345")),
            json!("001089012345")
        );
        assert_eq!(
            normalize(
                FieldKind::Address,
                json!({"province": " 01 ", "street": "  Số 1  Phố Huế "})
            ),
            json!({"province": "01", "street": "Số 1 Phố Huế"})
        );
        assert_eq!(date_for_display("2025-03-05"), "05/03/2025");
    }
}
