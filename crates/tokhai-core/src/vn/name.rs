//! Personal names: letters of any script with their diacritics, single spaces, apostrophes
//! ("H'Mông") and hyphens; no digits or symbols (Civil Code 2015 Art. 26).

use crate::expr::insert_sorted;
use crate::issue::Finding;
use crate::text::{char_len, is_combining_mark, uppercase};

/// Names longer than this many characters get a warning; the law sets no limit.
pub const LONG_NAME: usize = 50;

/// Checks a name already cleaned by [`crate::text::clean_line`].
pub fn check(cleaned: &str, uppercase_required: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen = Vec::new();
    let invalid: String = cleaned
        .chars()
        .filter(|&c| !allowed(c) && insert_sorted(&mut seen, c.into()))
        .collect();
    if !invalid.is_empty() {
        findings.push(Finding::error("name.invalid_chars").with("chars", invalid));
    } else if !cleaned.is_empty() && !cleaned.chars().next().is_some_and(char::is_alphabetic) {
        findings.push(Finding::error("name.no_letter"));
    }
    if uppercase_required && cleaned != uppercase(cleaned) {
        findings.push(Finding::error("name.not_uppercase"));
    }
    if char_len(cleaned) > LONG_NAME {
        findings.push(Finding::warning("name.long").with("max", LONG_NAME));
    }
    findings
}

/// Whether a character may appear in a name.
fn allowed(c: char) -> bool {
    c.is_alphabetic() || is_combining_mark(c) || matches!(c, ' ' | '\'' | '\u{2019}' | '-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::clean_line;

    fn codes(s: &str, upper: bool) -> Vec<&'static str> {
        check(s, upper).iter().map(|f| f.code).collect()
    }

    #[test]
    fn accepts_vietnamese_and_minority_names() {
        for s in [
            "Nguyễn Văn An",
            "Đặng Thị Ánh",
            "H'Hen Niê",
            "Y’Moan Ênuôl",
            "Lê-Nguyễn Bảo",
            "Nguye\u{302}\u{303}n",
            "李小龍",
        ] {
            assert!(check(s, false).is_empty(), "{s}");
        }
        assert!(check("", true).is_empty());
        for s in ["\u{301}", "'", "-An", "' An"] {
            assert_eq!(codes(s, false), ["name.no_letter"], "{s}");
        }
    }

    #[test]
    fn reports_each_invalid_character_once_in_order() {
        assert_eq!(
            check("Nguyễn Văn 2 An1 @2", false),
            vec![Finding::error("name.invalid_chars").with("chars", "21@")]
        );
        assert_eq!(
            check("An😀.", false),
            vec![Finding::error("name.invalid_chars").with("chars", "😀.")]
        );
        assert_eq!(codes("Trần_Thị", false), ["name.invalid_chars"]);
    }

    #[test]
    fn uppercase_when_required() {
        assert!(check("NGUYỄN VĂN AN", true).is_empty());
        assert!(check("ĐẶNG THỊ ÁNH ĐÀO", true).is_empty());
        assert_eq!(codes("NGUYỄN Văn AN", true), ["name.not_uppercase"]);
        assert_eq!(codes("đẶNG", true), ["name.not_uppercase"]);
        assert!(check("Nguyễn Văn An", false).is_empty());
    }

    #[test]
    fn long_names_warn() {
        let long = clean_line(&"Nguyễn ".repeat(8));
        assert_eq!(char_len(&long), 55);
        assert_eq!(check(&long, false), vec![Finding::warning("name.long").with("max", 50)]);
        assert!(check(&"A".repeat(50), false).is_empty());
        // Counted in NFC: 50 decomposed letters are 50 characters, not 100.
        assert!(check(&"a\u{301}".repeat(50), false).is_empty());
    }

    #[test]
    fn odd_input_never_panics() {
        for s in ["\u{0}", "\u{301}", "שלום", "\u{202E}", &"ắ1".repeat(5000)] {
            let _ = check(s, true);
        }
    }
}
