//! Differential test: tokhai's patterns accept and match exactly as regex-lite (which the engine
//! used before) on the dialect both share, anchored at both ends.

use proptest::prelude::*;
use tokhai_core::regex::Regex;

/// Random patterns from the shared dialect, over a small alphabet so that texts often match.
fn pattern() -> impl Strategy<Value = String> {
    let atom = prop::sample::select(vec![
        "a",
        "b",
        "ê",
        "A",
        "-",
        ".",
        r"\d",
        r"\w",
        r"\s",
        r"\D",
        r"\W",
        r"\.",
        "[ab]",
        "[^a]",
        "[a-cê]",
        r"[\dA-]",
        "[]a]",
        r"[^\s_]",
        "(?i:a)",
        "(?i)[^a-c]",
        "^",
        "$",
        r"\b",
        r"\B",
        r"\n",
        r"\x41",
        "()",
        "(?i)",
        "(?m)",
        "(?s)",
        "(?-i)",
        "(?m:^a$)",
        r"(?m:$\n^)",
    ])
    .prop_map(str::to_string);
    atom.prop_recursive(4, 24, 4, |inner| {
        let quantifier = prop::sample::select(vec!["*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "{0,2}?"]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|parts| parts.concat()),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|parts| format!("(?:{})", parts.join("|"))),
            (inner.clone(), quantifier).prop_map(|(p, q)| format!("(?:{p}){q}")),
            inner.prop_map(|p| format!("({p})")),
        ]
    })
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            'a', 'b', 'A', 'C', 'ê', '-', '_', '1', ' ', '\n', '\r', '\x0B', '.',
        ]),
        0..8,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Any text at all, heavy in syntax, is compiled or refused, never a panic.
    #[test]
    fn any_pattern_is_compiled_or_refused(pattern in r"[()\[\]{}|*+?.^$\\:<>=P!,0-9a-zA-Z_ê-]{0,24}", text in text()) {
        if let Ok(regex) = Regex::new(&pattern) {
            regex.matches(&text);
        }
    }

    #[test]
    fn patterns_match_as_regex_lite_does(pattern in pattern(), texts in prop::collection::vec(text(), 8)) {
        let ours = Regex::new(&pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
        let theirs = regex_lite::Regex::new(&format!(r"\A(?:{pattern})\z")).unwrap();
        for text in &texts {
            prop_assert_eq!(ours.matches(text), theirs.is_match(text), "{:?} on {:?}", pattern, text);
            if ours.matches(text) {
                // A text it matches is within the lengths it says it takes.
                let (shortest, longest) = ours.lengths().expect("matches a text, so takes one");
                let len = text.chars().count() as u32;
                prop_assert!(shortest <= len && longest.is_none_or(|l| len <= l), "{:?} on {:?}", pattern, text);
            }
        }
    }
}

#[test]
fn the_same_patterns_are_refused() {
    let bad = [
        "(",
        "a)",
        "[a",
        "*a",
        "a{2",
        "a{3,2}",
        "[z-a]",
        "a\\",
        r"\p{L}",
        "(?)",
        "(?P=a)",
        r"\xZ",
        r"[\w&&\d]",
        "[a-z--b]",
        "[a~~b]",
        "[!--]",
        "[+--x]",
    ];
    for pattern in bad {
        assert!(Regex::new(pattern).is_err(), "{pattern}");
        assert!(regex_lite::Regex::new(pattern).is_err(), "{pattern}");
    }
    // A class may start with '--': a range from '-'.
    assert!(Regex::new("[--a]").unwrap().matches("-"));
    assert!(regex_lite::Regex::new("^[--a]$").unwrap().is_match("-"));
}
