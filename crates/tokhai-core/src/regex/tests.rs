use super::{PatternError, Regex};

fn matches(pattern: &str, text: &str) -> bool {
    Regex::new(pattern)
        .unwrap_or_else(|e| panic!("{pattern}: {e}"))
        .matches(text)
}

fn refused(pattern: &str) -> PatternError {
    Regex::new(pattern)
        .err()
        .unwrap_or_else(|| panic!("{pattern} should be refused"))
}

#[test]
fn a_pattern_matches_the_whole_text() {
    assert!(matches(r"0\d{9}", "0912345678"));
    assert!(!matches(r"0\d{9}", "x0912345678"));
    assert!(!matches(r"0\d{9}", "09123456789"));
    assert!(!matches("b", "abc"));
    assert!(matches("a|abc", "abc"));
    assert!(matches("", ""));
    assert!(!matches("", "a"));
}

#[test]
fn alternation_binds_loosest_so_anchoring_cannot_be_escaped() {
    assert!(!matches("x|y", "xy"));
    assert!(matches("x|y|", ""));
}

#[test]
fn characters_and_classes() {
    assert!(matches("Nguy.n V.n An", "Nguyễn Văn An"));
    assert!(!matches(".", "\n"));
    assert!(matches("(?s).", "\n"));
    assert!(matches(r"[A-Z]{2}[0-9]{3}", "AB123"));
    assert!(!matches(r"[A-Z]{2}[0-9]{3}", "Ab123"));
    assert!(matches(r"[^0-9]+", "abc"));
    assert!(!matches(r"[^0-9]+", "a1"));
    assert!(matches(r"[]a]+", "]a]"));
    assert!(matches(r"[a-]+", "-a"));
    assert!(matches(r"[\d\s.]+", "1 2.3"));
    assert!(matches(r"[^\D]", "7"));
    assert!(matches(r"\w+", "ab_9"));
    assert!(!matches(r"\w", "ễ"), "word characters are ASCII");
    assert!(matches(r"\W", "ễ"));
    assert!(matches(r"[à-ỹ]", "ễ"));
    assert!(matches(r"\S\s\S", "a\tb"));
    assert!(matches(r"\x41\u0042\x{43}\u{1F600}", "ABC😀"));
    assert!(matches(r"\.\*\+\?\(\)\[\]\{\}\|\^\$\\\-", r".*+?()[]{}|^$\-"));
    assert!(matches(r"a\nb\tc", "a\nb\tc"));
}

#[test]
fn repetitions() {
    assert!(matches("a*", ""));
    assert!(matches("a+", "aaa"));
    assert!(!matches("a+", ""));
    assert!(matches("ab?c", "ac"));
    assert!(matches("a{2,3}", "aaa"));
    assert!(!matches("a{2,3}", "aaaa"));
    assert!(matches("a{2,}", "aaaaa"));
    assert!(!matches("a{2}", "a"));
    assert!(matches("a*?b+?c??", "aab"));
    assert!(matches("(a*)*", "aaa"), "an empty loop ends");
    assert!(matches("(?:ab|c){0,3}", "abcab"));
    assert!(matches("a**", "aa"));
}

#[test]
fn matching_time_is_linear_in_the_text() {
    let text = "a".repeat(10_000);
    assert!(!matches("(a*)*b", &text));
    assert!(!matches("(a|aa)+b", &text));
}

#[test]
fn flags_and_groups() {
    assert!(matches("(?i)lê", "Lê"));
    assert!(matches("(?i)[a-c]+", "AbC"));
    assert!(!matches("(?i)ê", "Ê"), "case folding is ASCII");
    assert!(matches("a(?i:b)c", "aBc"));
    assert!(!matches("a(?i:b)c", "aBC"));
    assert!(matches("(?i)a(?-i)b", "Ab"));
    assert!(!matches("(?i)a(?-i)b", "AB"));
    assert!(matches("(?i)x|y", "Y"), "flags hold for later alternatives");
    assert!(matches("(?<year>\\d{4})-(?P<month>\\d{2})", "2025-07"));
    assert!(matches("(?U)a+", "aa"));
}

#[test]
fn assertions() {
    assert!(matches(r"^\d+$", "123"));
    assert!(matches(r"\A\d+\z", "123"));
    assert!(matches(r"(?m)a$\n^b", "a\nb"));
    assert!(!matches(r"a$\n^b", "a\nb"));
    assert!(matches(r"a\b b", "a b"));
    assert!(!matches(r"a\B b", "a b"));
    assert!(matches(r"ab\Bc", "abc"));
}

#[test]
fn a_bad_pattern_is_refused_with_its_place() {
    let cases = [
        ("(", "unclosed group", 0),
        ("a)", "unopened group", 1),
        ("a)|(b", "unopened group", 1),
        ("[a", "unclosed class", 0),
        ("*a", "nothing to repeat", 0),
        ("a{2", "counted repetition", 1),
        ("a{3,2}", "below its minimum", 1),
        ("a{1001}", "above 1000", 1),
        ("[z-a]", "before its start", 2),
        ("a\\", "cannot end with", 1),
        (r"\p{L}", "unknown escape", 0),
        (r"\<", "unknown escape", 0),
        ("(?x)a", "unknown flag", 2),
        ("(?)", "sets no flag", 2),
        ("(?P=a)", "named group", 3),
        ("(?<1a>x)", "group name", 3),
        ("[[:alpha:]]", "must be written", 1),
        (r"[\w&&\d]", "not supported", 3),
        ("[a-z--b]", "not supported", 4),
        (r"\x{110000}", "character code", 0),
        (r"\xZ", "character code", 0),
    ];
    for (pattern, reason, at) in cases {
        let error = refused(pattern);
        assert!(error.reason.contains(reason), "{pattern}: {error}");
        assert_eq!(error.at, Some(at), "{pattern}: {error}");
    }
    assert_eq!(refused("(").to_string(), "unclosed group '(' at character 1");
    // A class listing its characters one by one, in reverse order, as many as a class may and one more.
    let listed = |n: u32| -> String { (0..n).rev().filter_map(|i| char::from_u32(0x20000 + i)).collect() };
    assert!(Regex::new(&format!("[{}]", listed(20_000))).is_ok());
    let error = refused(&format!("x[{}]", listed(20_001)));
    assert!(error.reason.contains("more than 20000"), "{error}");
    assert_eq!(error.at, Some(1));
}

#[test]
fn a_pattern_too_large_or_too_deep_is_refused() {
    assert_eq!(refused(r"(\d{1000}){1000}").at, None);
    assert!(refused(&"(".repeat(65)).reason.contains("nest too deep"));
    assert!(refused(&format!("a{}", "*".repeat(65)))
        .reason
        .contains("nest too deep"));
    assert!(Regex::new(&format!("{}a{}", "(".repeat(64), ")".repeat(64))).is_ok());
}

#[test]
fn a_class_is_stored_once_however_often_it_repeats() {
    let regex = Regex::new("[a-z]{1000}").unwrap();
    assert_eq!(regex.classes.len(), 1);
    assert!(regex.matches(&"q".repeat(1000)));
    // 20,000 single characters, every other code point from U+20000: one class of 20,000 ranges.
    let wide: String = (0..20_000).map(|i| char::from_u32(0x20000 + 2 * i).unwrap()).collect();
    let regex = Regex::new(&format!("[{wide}]{{2}}")).unwrap();
    assert!(regex.matches("\u{20000}\u{20002}"));
    assert!(!regex.matches("\u{20000}\u{20001}"));
}
