//! Tax codes (mã số thuế): 10 digits with a mod-11 check digit, `10 digits-3 digits` for
//! branches, or since 1 July 2025 an individual's 12-digit PIN.

use super::{ascii_digits, pin};
use crate::issue::Finding;
use crate::text::strip_separators;

/// Weights of N1..N9 in the check digit N10 = 10 − (Σ Ni·Wi mod 11).
const WEIGHTS: [u32; 9] = [31, 29, 23, 19, 17, 13, 7, 5, 3];

/// The tax code without spaces or dots, full-width characters folded, 13 bare digits
/// written in the official `0314409058-002` form, and a personal PIN without its hyphens
/// (`001-089-012-345`; a single hyphen means the branch form).
pub fn normalize(s: &str) -> String {
    let s = strip_separators(s, &['.']);
    let pin = pin::normalize(&s);
    let pin_like = s.matches('-').count() != 1;
    match (ascii_digits::<13>(&s), ascii_digits::<12>(&pin).filter(|_| pin_like)) {
        (Some(_), _) => format!("{}-{}", &s[..10], &s[10..]),
        (None, Some(_)) => pin,
        (None, None) => s,
    }
}

/// Checks a tax code (raw input is normalised first); 12 digits are checked as a personal PIN.
pub fn check(normalized: &str, current_year: i32) -> Vec<Finding> {
    let s = normalize(normalized);
    if !s.bytes().all(|b| b.is_ascii_digit() || b == b'-') || s.matches('-').count() > 1 {
        return vec![Finding::error("tax_code.format")];
    }
    if ascii_digits::<12>(&s).is_some() {
        return pin::check(&s, current_year).1;
    }
    let (main, branch) = s.split_once('-').map_or((s.as_str(), None), |(m, b)| (m, Some(b)));
    let Some(digits) = ascii_digits::<10>(main) else {
        return vec![Finding::error("tax_code.length")];
    };
    let mut findings = check_digits(&digits);
    match branch {
        Some(b) if b.len() != 3 => return vec![Finding::error("tax_code.length")],
        Some("000") => findings.push(Finding::error("tax_code.branch_000")),
        _ => {}
    }
    findings
}

/// Sequence and check digit of a 10-digit code.
fn check_digits(d: &[u8; 10]) -> Vec<Finding> {
    if d[2..9].iter().all(|&x| x == 0) {
        return vec![Finding::error("tax_code.sequence_zero")];
    }
    let sum: u32 = WEIGHTS.iter().zip(d).map(|(w, x)| w * u32::from(*x)).sum();
    match sum % 11 {
        // The formula gives 10, not a digit; some implementations accept 0 here, the law is silent.
        0 if d[9] == 0 => vec![Finding::warning("tax_code.ambiguous_check")],
        r if 10 - r == u32::from(d[9]) => Vec::new(),
        _ => vec![Finding::error("tax_code.checksum")],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(s: &str) -> Vec<&'static str> {
        check(s, 2026).iter().map(|f| f.code).collect()
    }

    #[test]
    fn normalizes_separators_and_branch_hyphen() {
        assert_eq!(normalize(" 01.00.112.437 "), "0100112437");
        assert_eq!(normalize("0312 68 78 78 – 001"), "0312687878-001");
        assert_eq!(normalize("０３１４４０９０５８００２"), "0314409058-002");
        assert_eq!(normalize("03144090580021"), "03144090580021");
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn check_digit() {
        assert!(codes("0100109106").is_empty());
        assert!(codes("0100233488").is_empty());
        assert_eq!(codes("0100233480"), ["tax_code.checksum"]);
        assert_eq!(codes("0100109107"), ["tax_code.checksum"]);
        // Σ mod 11 == 0: check digit 0 is ambiguous, any other digit is wrong either way.
        assert_eq!(
            check("0100000050", 2026),
            vec![Finding::warning("tax_code.ambiguous_check")]
        );
        assert_eq!(codes("0100000051"), ["tax_code.checksum"]);
        assert_eq!(codes("0100000000"), ["tax_code.sequence_zero"]);
    }

    #[test]
    fn branch_form() {
        assert!(codes("0312687878-001").is_empty());
        assert!(codes("0312687878-999").is_empty());
        assert_eq!(codes("0312687878-000"), ["tax_code.branch_000"]);
        assert_eq!(codes("0312687870-000"), ["tax_code.checksum", "tax_code.branch_000"]);
        assert_eq!(codes("0100233488-01"), ["tax_code.length"]);
        assert_eq!(normalize("001-089-012-345"), "001089012345");
        assert_eq!(codes("0100233488-0"), ["tax_code.length"]);
        assert_eq!(codes("0100233488-0001"), ["tax_code.length"]);
        assert_eq!(codes("010023348-001"), ["tax_code.length"]);
        assert_eq!(codes("-001"), ["tax_code.length"]);
        assert_eq!(codes("0100233488-"), ["tax_code.length"]);
        assert_eq!(codes("0100233488-001-1"), ["tax_code.format"]);
    }

    #[test]
    fn twelve_digits_are_a_pin() {
        assert!(codes("001089012345").is_empty());
        assert_eq!(codes("001489012345"), ["pin.future_birth_year"]);
        assert_eq!(codes("003089012345"), ["pin.unknown_prefix"]);
    }

    #[test]
    fn bad_shapes() {
        for s in ["", "12345", "01002334881", "01002334880000"] {
            assert_eq!(codes(s), ["tax_code.length"], "{s:?}");
        }
        for s in ["010023348A", "0100233488/001", "😀", "\u{0}", "٠١٠٠١٠٩١٠٦"] {
            assert_eq!(codes(s), ["tax_code.format"], "{s:?}");
        }
    }
}
