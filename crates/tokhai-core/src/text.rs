//! Text normalisation for Vietnamese: NFC, whitespace, folding keys for matching and search.
//!
//! Unicode normalisation and case mapping come from the `unicode-tables` feature (native builds)
//! or from a function the host registers with [`set_converter`] (the browser's `normalize`,
//! `toLowerCase` and `toUpperCase`, which spare the wasm bundle their tables).

use std::sync::OnceLock;

/// The five Vietnamese tone marks as combining characters: huyền, sắc, ngã, hỏi, nặng.
const TONE_MARKS: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// The Unicode conversions the engine uses: normalisation forms and full case mappings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversion {
    /// Unicode normalisation form C (composed).
    Nfc,
    /// Unicode normalisation form D (decomposed).
    Nfd,
    /// Unicode normalisation form KC (compatibility, composed).
    Nfkc,
    /// Full lower-case mapping.
    Lowercase,
    /// Full upper-case mapping.
    Uppercase,
}

impl Conversion {
    /// The normalisation form's name as `String.prototype.normalize` takes it (`None` for case).
    pub fn form_name(self) -> Option<&'static str> {
        match self {
            Conversion::Nfc => Some("NFC"),
            Conversion::Nfd => Some("NFD"),
            Conversion::Nfkc => Some("NFKC"),
            Conversion::Lowercase | Conversion::Uppercase => None,
        }
    }
}

/// A function that converts text (the host's Unicode implementation).
pub type Converter = fn(&str, Conversion) -> String;

static CONVERTER: OnceLock<Converter> = OnceLock::new();

/// Makes `f` the engine's Unicode converter (the first registration wins). A build without the
/// `unicode-tables` feature must register one before it handles any text.
pub fn set_converter(f: Converter) {
    let _ = CONVERTER.set(f);
}

/// Whether `c` is left as it is by NFC whatever stands around it: the Latin letters Vietnamese is written
/// with, precomposed (a test checks each against the Unicode tables: quick-check Yes, combining class 0).
fn nfc_inert(c: char) -> bool {
    matches!(c, '\0'..='\u{2FF}' | '\u{1E00}'..='\u{1EFF}')
}

/// `s` converted (ASCII needs no tables, nor NFC of text already composed of `nfc_inert` letters).
pub fn convert(s: &str, conversion: Conversion) -> String {
    if s.is_ascii() {
        return match conversion {
            Conversion::Lowercase => s.to_ascii_lowercase(),
            Conversion::Uppercase => s.to_ascii_uppercase(),
            _ => s.to_owned(),
        };
    }
    if conversion == Conversion::Nfc && s.chars().all(nfc_inert) {
        return s.to_owned();
    }
    match CONVERTER.get() {
        Some(f) => f(s, conversion),
        None => with_tables(s, conversion),
    }
}

#[cfg(feature = "unicode-tables")]
fn with_tables(s: &str, conversion: Conversion) -> String {
    use unicode_normalization::UnicodeNormalization;
    match conversion {
        Conversion::Nfc => s.nfc().collect(),
        Conversion::Nfd => s.nfd().collect(),
        Conversion::Nfkc => s.nfkc().collect(),
        Conversion::Lowercase => s.to_lowercase(),
        Conversion::Uppercase => s.to_uppercase(),
    }
}

#[cfg(not(feature = "unicode-tables"))]
fn with_tables(_: &str, _: Conversion) -> String {
    panic!("tokhai-core is built without `unicode-tables`: call text::set_converter first")
}

/// An English word after "a" or "an": "an address", "a member".
pub fn with_article(word: &str) -> String {
    let article = if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {word}")
}

/// `s` in Unicode NFC.
pub fn nfc(s: &str) -> String {
    convert(s, Conversion::Nfc)
}

/// `s` in lower case (full Unicode mapping).
pub fn lowercase(s: &str) -> String {
    convert(s, Conversion::Lowercase)
}

/// `s` in upper case (full Unicode mapping).
pub fn uppercase(s: &str) -> String {
    convert(s, Conversion::Uppercase)
}

/// Whether `c` is a combining diacritical mark (the blocks Latin, Greek and Cyrillic text uses,
/// Vietnamese tone and vowel marks among them).
pub fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}')
}

/// One line of user text: NFC, Unicode spaces and zero-width characters as single spaces,
/// control and invisible formatting characters removed, trimmed.
pub fn clean_line(s: &str) -> String {
    // NFC last, so marks separated from their letter by a removed character still compose.
    nfc(&collapse_spaces(s))
}

/// Cleans each character and keeps single inner spaces only.
fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter_map(clean_char) {
        if c != ' ' || !(out.is_empty() || out.ends_with(' ')) {
            out.push(c);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Multi-line user text: each line cleaned as by [`clean_line`], `\n` line breaks, no
/// leading or trailing blank lines.
pub fn clean_multiline(s: &str) -> String {
    let unified = s.replace("\r\n", "\n");
    let lines: Vec<String> = unified
        .split(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
        .map(clean_line)
        .collect();
    match (
        lines.iter().position(|l| !l.is_empty()),
        lines.iter().rposition(|l| !l.is_empty()),
    ) {
        (Some(first), Some(last)) => lines[first..=last].join("\n"),
        _ => String::new(),
    }
}

/// Key for comparing names: equal for spellings that differ only in case, whitespace,
/// Đ/Ð look-alikes or tone-mark placement ("Hòa" and "Hoà"); other diacritics still count.
pub fn match_key(s: &str) -> String {
    let lower = lowercase(&clean_line(s)).replace('ð', "đ");
    let mut out = String::with_capacity(lower.len());
    let mut tones = String::new();
    for c in convert(&lower, Conversion::Nfd).chars() {
        if TONE_MARKS.contains(&c) {
            tones.push(c);
            continue;
        }
        if !is_word_char(c) {
            out.push_str(&tones);
            tones.clear();
        }
        out.push(c);
    }
    out.push_str(&tones);
    // Each syllable now carries its tone at the end, wherever it was typed.
    nfc(&out)
}

/// Key for diacritic-insensitive search: lowercase ASCII-like letters, single spaces
/// ("Phường Hoàn Kiếm" gives "phuong hoan kiem").
pub fn search_key(s: &str) -> String {
    // A lone mark between spaces leaves two spaces behind.
    collapse_spaces(&without_marks(&lowercase(&clean_line(s))))
}

/// `s` without its diacritics, case kept ("Đỏ Hoàn Kiếm" gives "Do Hoan Kiem"): its letters in NFD without
/// the combining marks, and Đ/Ð as D.
pub fn without_marks(s: &str) -> String {
    convert(s, Conversion::Nfd)
        .chars()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' | 'ð' => 'd',
            'Đ' | 'Ð' => 'D',
            c => c,
        })
        .collect()
}

/// Length of `s` in Unicode scalar values once in NFC (what a citizen counts as letters).
pub fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        return s.len();
    }
    nfc(s).chars().count()
}

/// `s` in NFKC (full-width digits become ASCII) with dash look-alikes as `-`, and without
/// whitespace, invisible characters or any of `separators`: the shared first step of the
/// identifier parsers.
pub fn strip_separators(s: &str, separators: &[char]) -> String {
    convert(s, Conversion::Nfkc)
        .chars()
        .map(|c| {
            if matches!(c, '\u{2010}'..='\u{2015}' | '\u{2212}') {
                '-'
            } else {
                c
            }
        })
        .filter(|c| !(c.is_whitespace() || is_zero_width(*c) || is_invisible(*c) || separators.contains(c)))
        .collect()
}

/// What [`clean_line`] makes of one character: a space, nothing, or the character.
fn clean_char(c: char) -> Option<char> {
    if c.is_whitespace() || is_zero_width(c) {
        Some(' ')
    } else if c.is_control() || is_invisible(c) {
        None
    } else {
        Some(c)
    }
}

/// Zero-width spaces and joiners, often pasted between words.
fn is_zero_width(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// Soft hyphen and bidirectional controls: invisible, and never meant to be in a form value.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{AD}' | '\u{61C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether a text has something to read: a letter or a digit, not a Hangul filler (a letter of Unicode
/// that shows as nothing).
pub fn has_letter_or_digit(text: &str) -> bool {
    let filler = |c: char| matches!(c, '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}');
    text.chars().any(|c| c.is_alphanumeric() && !filler(c))
}

/// Whether a character belongs to a word (syllable) for tone folding: anything but spaces and
/// punctuation, so that marks of any script stay inside their word.
fn is_word_char(c: char) -> bool {
    !(c.is_whitespace() || c.is_ascii_punctuation() || matches!(c, '\u{2010}'..='\u{2027}' | '\u{3000}'..='\u{3003}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_blank_without_a_letter_or_digit_that_shows() {
        for blank in [
            "",
            "\u{2800}",
            "\u{3164}",
            "\u{115F}\u{1160}",
            "\u{FFA0}",
            "\u{301}",
            "- . \u{2800}",
        ] {
            assert!(!has_letter_or_digit(blank), "{blank:?}");
        }
        for words in ["Thiếu", "3", "ệ", "\u{3164}x"] {
            assert!(has_letter_or_digit(words), "{words:?}");
        }
    }

    #[test]
    fn text_of_nfc_inert_letters_is_nfc_in_any_order() {
        use unicode_normalization::char::canonical_combining_class;
        use unicode_normalization::{is_nfc_quick, IsNormalized};
        let inert: Vec<char> = (0..=0x10FFFF)
            .filter_map(char::from_u32)
            .filter(|&c| nfc_inert(c))
            .collect();
        assert_eq!(inert.len(), 0x300 + 0x100);
        for c in inert {
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
        }
        // Marks typed apart from their letter are still composed.
        assert!(!nfc_inert('\u{301}'));
        assert_eq!(nfc("Vie\u{302}\u{323}t Nam"), "Vi\u{1EC7}t Nam");
    }

    #[test]
    fn nfc_composes_stacked_marks() {
        assert_eq!(nfc("Nguye\u{302}\u{303}n"), "Nguy\u{1EC5}n");
        assert_eq!(nfc("Nguy\u{EA}\u{303}n"), "Nguy\u{1EC5}n");
        assert_eq!(char_len("Nguye\u{302}\u{303}n"), 6);
        assert_eq!(char_len(""), 0);
    }

    #[test]
    fn clean_line_handles_spaces_and_invisibles() {
        assert_eq!(
            clean_line("  Nguy\u{1EC5}n \t  V\u{103}n\u{A0}An "),
            "Nguy\u{1EC5}n V\u{103}n An"
        );
        assert_eq!(clean_line("A\u{200B}B\u{FEFF}C"), "A B C");
        assert_eq!(clean_line("A\u{0}B\u{7}C\u{202E}D"), "ABCD");
        assert_eq!(clean_line("\u{3000}A\u{2003}B\u{202F}"), "A B");
        // A removed control between a letter and its mark no longer blocks composition.
        assert_eq!(clean_line("e\u{0}\u{301}"), "\u{E9}");
        assert_eq!(clean_line(""), "");
        assert_eq!(clean_line(" \u{200B} \n"), "");
        assert_eq!(clean_line("\u{301}"), "\u{301}");
    }

    #[test]
    fn clean_multiline_keeps_line_breaks() {
        assert_eq!(
            clean_multiline("\r\n  \r\n số 1  phố Huế  \r\nHà Nội\t\n\n"),
            "số 1 phố Huế\nHà Nội"
        );
        assert_eq!(clean_multiline("a\r\rb"), "a\n\nb");
        assert_eq!(clean_multiline("a\u{2028}b"), "a\nb");
        assert_eq!(clean_multiline(" \n \r\n"), "");
    }

    #[test]
    fn match_key_folds_tone_placement_case_and_eth() {
        assert_eq!(match_key("H\u{F2}a"), match_key("Ho\u{E0}"));
        assert_eq!(match_key("Th\u{1EE7}y"), match_key("Thu\u{1EF7}"));
        assert_eq!(match_key("Kh\u{E1}nh H\u{F2}a"), match_key("KHÁNH  HOÀ"));
        assert_eq!(match_key("\u{110}\u{1ED6}"), match_key("\u{D0}\u{1ED6}"));
        assert_eq!(match_key("Nguye\u{302}\u{303}n"), match_key("nguyễn"));
        assert_ne!(match_key("An"), match_key("Ân"));
        assert_ne!(match_key("Hòa"), match_key("Hóa"));
        assert_ne!(match_key("Hòa"), match_key("Hoa"));
        assert_ne!(match_key("Dung"), match_key("Đung"));
        // Tones stay with their own syllable.
        assert_ne!(match_key("Hòa An"), match_key("Hoa Àn"));
        assert_eq!(match_key(" \u{301}"), "\u{301}");
        // Marks of other scripts stay in their word (found by the property test below).
        let mixed = "\u{C0}\u{A32}\u{EC8}a";
        assert_eq!(match_key(&match_key(mixed)), match_key(mixed));
    }

    #[test]
    fn without_marks_keeps_case() {
        assert_eq!(without_marks("Đỏ Hoàn Kiếm"), "Do Hoan Kiem");
        assert_eq!(without_marks("\u{D0}\u{F0}ệ"), "Dde");
    }

    #[test]
    fn search_key_strips_all_diacritics() {
        assert_eq!(search_key("Phường Hoàn Kiếm"), "phuong hoan kiem");
        assert_eq!(search_key("  ĐẶNG\u{A0}THỊ  ÁNH "), "dang thi anh");
        assert_eq!(search_key("\u{D0}\u{F0}"), "dd");
        assert_eq!(search_key("Thanh Hoá"), search_key("Thanh Hóa"));
        assert_eq!(search_key("\u{301}"), "");
    }

    #[test]
    fn strip_separators_folds_width_and_dashes() {
        assert_eq!(strip_separators("０１２ ３４", &[]), "01234");
        assert_eq!(strip_separators("01.2–3\u{200B}4", &['.']), "012-34");
        assert_eq!(strip_separators("0１2-3", &['-']), "0123");
        assert_eq!(strip_separators("", &['-']), "");
    }

    proptest::proptest! {
        #[test]
        fn keys_are_stable(s in proptest::prelude::any::<String>()) {
            let line = clean_line(&s);
            proptest::prop_assert_eq!(clean_line(&line), line.clone());
            proptest::prop_assert!(!line.starts_with(' ') && !line.ends_with(' ') && !line.contains("  "));
            proptest::prop_assert_eq!(match_key(&match_key(&s)), match_key(&s));
            proptest::prop_assert_eq!(search_key(&search_key(&s)), search_key(&s));
            proptest::prop_assert_eq!(char_len(&s), char_len(&nfc(&s)));
            let text = clean_multiline(&s);
            proptest::prop_assert_eq!(clean_multiline(&text), text);
        }
    }

    #[test]
    fn odd_input_never_panics() {
        for s in [
            "",
            "\u{0}",
            "😀👨‍👩‍👧",
            "שלום עולם",
            "\u{301}\u{303}",
            "\u{202E}abc",
            &"ắ".repeat(10_000),
        ] {
            let _ = (
                clean_line(s),
                clean_multiline(s),
                match_key(s),
                search_key(s),
                char_len(s),
            );
            let _ = strip_separators(s, &['-']);
        }
    }
}
