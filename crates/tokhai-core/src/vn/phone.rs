//! Vietnamese phone numbers: mobiles (10 digits since the 2018 conversion) and landlines
//! (2017 area codes), read in any usual notation and stored as E.164.

use crate::issue::Finding;
use crate::text::strip_separators;
use PhoneKind::{Landline, Mobile};
use Status::{Confirmed, Uncertain};

/// Mobile or fixed line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhoneKind {
    /// Di động: 0 + 9 digits.
    Mobile,
    /// Cố định: 0 + area code + subscriber number, 11 digits in all.
    Landline,
}

impl PhoneKind {
    /// Digits in the national form, trunk 0 included.
    fn national_len(self) -> usize {
        match self {
            PhoneKind::Mobile => 10,
            PhoneKind::Landline => 11,
        }
    }
}

/// A usable Vietnamese phone number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone {
    /// E.164 form, e.g. `+84912345678`.
    pub e164: String,
    /// Mobile or landline.
    pub kind: PhoneKind,
}

/// Whether a block is in the carriers' published allocation (vn-domain §3.1) or only plausible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Confirmed,
    Uncertain,
}

/// Numbering blocks as national prefixes (trunk 0 included): the table to update when
/// blocks are allocated. No prefix may start another one (checked by a test).
#[rustfmt::skip]
const BLOCKS: &[(PhoneKind, Status, &[&str])] = &[
    // Viettel.
    (Mobile, Confirmed, &["032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098"]),
    // VinaPhone; 087 is the Itelecom MVNO.
    (Mobile, Confirmed, &["081", "082", "083", "084", "085", "087", "088", "091", "094"]),
    // MobiFone.
    (Mobile, Confirmed, &["070", "076", "077", "078", "079", "0896", "0897", "0898", "0899", "090", "093"]),
    // Vietnamobile.
    (Mobile, Confirmed, &["0522", "0523", "0528", "056", "058", "092"]),
    // Gmobile, Reddi, Indochina Telecom, and 095 (valid, no carrier named).
    (Mobile, Confirmed, &["059", "0993", "0994", "0995", "0996", "0997", "0559", "0998", "0999", "095"]),
    // libphonenumber-only blocks, and the unlisted rest of the partly allocated 052, 089, 099.
    (Mobile, Uncertain, &["030", "031", "051", "0520", "0521", "0524", "0525", "0526", "0527", "0529"]),
    (Mobile, Uncertain, &["0890", "0891", "0892", "0893", "0894", "0895", "0990", "0991", "0992"]),
    // Area codes since 2017: Hà Nội 024 and TP HCM 028 with 8-digit numbers, the rest with 7.
    (Landline, Confirmed, &["0203", "0204", "0205", "0206", "0207", "0208", "0209", "0210", "0211", "0212"]),
    (Landline, Confirmed, &["0213", "0214", "0215", "0216", "0218", "0219", "0220", "0221", "0222", "0225"]),
    (Landline, Confirmed, &["0226", "0227", "0228", "0229", "0232", "0233", "0234", "0235", "0236", "0237"]),
    (Landline, Confirmed, &["0238", "0239", "024", "0251", "0252", "0254", "0255", "0256", "0257", "0258"]),
    (Landline, Confirmed, &["0259", "0260", "0261", "0262", "0263", "0269", "0270", "0271", "0272", "0273"]),
    (Landline, Confirmed, &["0274", "0275", "0276", "0277", "028", "0290", "0291", "0292", "0293", "0294"]),
    (Landline, Confirmed, &["0296", "0297", "0299"]),
];

/// 11-digit mobile prefixes retired in 2018–2019 and their replacements; the last 7 digits stayed.
#[rustfmt::skip]
const RETIRED: [(&str, &str); 21] = [
    ("0162", "032"), ("0163", "033"), ("0164", "034"), ("0165", "035"), ("0166", "036"),
    ("0167", "037"), ("0168", "038"), ("0169", "039"), ("0120", "070"), ("0121", "079"),
    ("0122", "077"), ("0126", "076"), ("0128", "078"), ("0123", "083"), ("0124", "084"),
    ("0125", "085"), ("0127", "081"), ("0129", "082"), ("0186", "056"), ("0188", "058"),
    ("0199", "059"),
];

/// Characters people put inside phone numbers.
const SEPARATORS: [char; 7] = ['.', '-', '(', ')', '[', ']', '/'];

/// Reads a phone number written as `0…`, `+84…`, `0084…`, `84…` or `+840…`; the phone is
/// there when the number can be used, possibly with a warning.
pub fn parse(s: &str) -> (Option<Phone>, Vec<Finding>) {
    let compact = strip_separators(s, &SEPARATORS);
    let (plus, digits) = match compact.strip_prefix('+') {
        Some(rest) => (true, rest),
        None => (false, compact.as_str()),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return (None, vec![Finding::error("phone.format")]);
    }
    let Some(national) = national_form(digits, plus) else {
        return (None, vec![Finding::error("phone.no_such_range")]);
    };
    match classify(&national) {
        Ok((kind, status, prefix)) => {
            let phone = Phone {
                e164: format!("+84{}", &national[1..]),
                kind,
            };
            let findings = match status {
                Confirmed => Vec::new(),
                Uncertain => vec![Finding::warning("phone.unknown_range").with("prefix", prefix)],
            };
            (Some(phone), findings)
        }
        Err(finding) => (None, vec![finding]),
    }
}

/// The national way of writing an E.164 number: `0912 345 678`, `024 3825 3536`,
/// `0236 312 3456`; anything else is returned unchanged.
pub fn display(e164: &str) -> String {
    let Some(national) = e164
        .strip_prefix("+84")
        .filter(|rest| rest.bytes().all(|b| b.is_ascii_digit()))
        .map(|rest| format!("0{rest}"))
    else {
        return e164.to_owned();
    };
    let groups: [usize; 2] = match block(&national) {
        Some((Mobile, _, _)) if national.len() == 10 => [4, 7],
        Some((Landline, _, prefix)) if national.len() == 11 => [prefix.len(), 7],
        _ => return e164.to_owned(),
    };
    format!(
        "{} {} {}",
        &national[..groups[0]],
        &national[groups[0]..groups[1]],
        &national[groups[1]..]
    )
}

/// The national form (trunk 0 first) of ASCII digits, or `None` for another country's number.
fn national_form(digits: &str, plus: bool) -> Option<String> {
    let significant = if plus {
        digits.strip_prefix("84")?
    } else if let Some(rest) = digits.strip_prefix("0084").or_else(|| digits.strip_prefix("84")) {
        rest
    } else {
        return Some(digits.to_owned());
    };
    // `+840…`: the trunk 0 kept after the country code by mistake.
    Some(format!("0{}", significant.strip_prefix('0').unwrap_or(significant)))
}

/// Kind, status and prefix of a national number, or why it cannot be used.
fn classify(national: &str) -> Result<(PhoneKind, Status, &'static str), Finding> {
    if national.starts_with("1800") || national.starts_with("1900") {
        return Err(Finding::error("phone.non_personal"));
    }
    if let Some(suggestion) = converted(national) {
        return Err(Finding::error("phone.retired").with("suggestion", suggestion));
    }
    let length = || Finding::error("phone.length").with("len", national.len());
    if !(10..=11).contains(&national.len()) {
        return Err(length());
    }
    let (kind, status, prefix) = block(national).ok_or_else(|| Finding::error("phone.no_such_range"))?;
    if national.len() != kind.national_len() {
        return Err(length());
    }
    Ok((kind, status, prefix))
}

/// The 10-digit number that replaced a retired 11-digit mobile number.
fn converted(national: &str) -> Option<String> {
    if national.len() != 11 {
        return None;
    }
    let (_, new) = RETIRED.iter().find(|(old, _)| national.starts_with(old))?;
    Some(format!("{new}{}", &national[4..]))
}

/// The numbering block a national number belongs to.
fn block(national: &str) -> Option<(PhoneKind, Status, &'static str)> {
    BLOCKS.iter().find_map(|(kind, status, prefixes)| {
        prefixes
            .iter()
            .find(|p| national.starts_with(*p))
            .map(|p| (*kind, *status, *p))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(s: &str) -> Option<String> {
        parse(s).0.map(|p| p.e164)
    }

    fn codes(s: &str) -> Vec<&'static str> {
        parse(s).1.iter().map(|f| f.code).collect()
    }

    #[test]
    fn accepts_every_usual_notation() {
        for s in [
            "0912345678",
            "0912 345 678",
            "0912.345.678",
            "+84912345678",
            "+84 (0) 912 345 678",
            "+840912345678",
            "0084912345678",
            "84912345678",
            "(+84) 912-345-678",
            "０９１２３４５６７８",
            "\u{A0}0912\u{200B}345678 ",
        ] {
            assert_eq!(
                parse(s),
                (
                    Some(Phone {
                        e164: "+84912345678".into(),
                        kind: Mobile
                    }),
                    vec![]
                ),
                "{s:?}"
            );
        }
        assert_eq!(parse("028 3829 5125").0.map(|p| p.kind), Some(Landline));
        assert_eq!(e164("+84 292 3820 123").as_deref(), Some("+842923820123"));
    }

    #[test]
    fn retired_numbers_get_a_suggestion() {
        for (old, new) in [
            ("01212345678", "0792345678"),
            ("01699123456", "0399123456"),
            ("+84 199 1234567", "0591234567"),
        ] {
            assert_eq!(
                parse(old),
                (None, vec![Finding::error("phone.retired").with("suggestion", new)]),
                "{old}"
            );
            assert!(parse(new).1.is_empty(), "{new}");
        }
        assert_eq!(codes("01012345678"), ["phone.no_such_range"]);
    }

    #[test]
    fn lengths_and_ranges() {
        assert_eq!(
            parse("09123456789").1,
            vec![Finding::error("phone.length").with("len", 11)]
        );
        assert_eq!(
            parse("0241234567").1,
            vec![Finding::error("phone.length").with("len", 10)]
        );
        assert_eq!(parse("02363123").1, vec![Finding::error("phone.length").with("len", 8)]);
        assert_eq!(parse("").1, vec![Finding::error("phone.length").with("len", 0)]);
        assert_eq!(codes("912345678"), ["phone.length"]);
        assert_eq!(codes("+84"), ["phone.length"]);
        for s in [
            "0123456789",
            "0000000000",
            "0612345678",
            "1234567890",
            "+33612345678",
            "0201234567",
        ] {
            assert_eq!(codes(s), ["phone.no_such_range"], "{s}");
        }
    }

    #[test]
    fn non_digits_and_service_numbers() {
        for s in [
            "0912a45678",
            "09+12345678",
            "++84912345678",
            "😀",
            "\u{0}",
            "٠٩١٢٣٤٥٦٧٨",
        ] {
            assert_eq!(codes(s), ["phone.format"], "{s:?}");
        }
        for s in ["1900 1234", "1800 123 456", "19001234567"] {
            assert_eq!(codes(s), ["phone.non_personal"], "{s}");
        }
    }

    #[test]
    fn uncertain_blocks_warn_but_are_usable() {
        let (phone, findings) = parse("0891234567");
        assert_eq!(phone.map(|p| p.e164).as_deref(), Some("+84891234567"));
        assert_eq!(
            findings,
            vec![Finding::warning("phone.unknown_range").with("prefix", "0891")]
        );
        assert_eq!(codes("0301234567"), ["phone.unknown_range"]);
        assert!(codes("0961234567").is_empty());
    }

    #[test]
    fn displays_national_groups() {
        assert_eq!(display("+84912345678"), "0912 345 678");
        assert_eq!(display("+842438253536"), "024 3825 3536");
        assert_eq!(display("+842363123456"), "0236 312 3456");
        for odd in ["", "+84", "+8491234567", "+1 555", "+84９12345678", "+8461234567"] {
            assert_eq!(display(odd), odd);
        }
    }

    #[test]
    fn tables_are_consistent() {
        let all: Vec<&str> = BLOCKS.iter().flat_map(|(_, _, p)| p.iter().copied()).collect();
        for a in &all {
            assert!(a.starts_with('0') && a.bytes().all(|b| b.is_ascii_digit()), "{a}");
            assert_eq!(
                all.iter().filter(|b| b.starts_with(a)).count(),
                1,
                "{a} overlaps another block"
            );
        }
        assert_eq!(all.iter().filter(|p| p.starts_with("02")).count(), 63);
        for (old, new) in RETIRED {
            assert_eq!(block(&format!("{new}1234567")).map(|b| b.1), Some(Confirmed), "{old}");
        }
    }
}
