//! The `pattern` keyword: a regular expression compiled once, matched against the whole value.

use super::{Check, Rule};
use crate::issue::Finding;
use crate::regex::Regex;
use serde_json::Value as Json;

/// A compiled pattern.
#[derive(Debug)]
pub(crate) struct Pattern {
    regex: Regex,
}

impl Pattern {
    /// Compiles a pattern.
    pub fn new(pattern: &str) -> Result<Pattern, String> {
        Regex::new(pattern)
            .map(|regex| Pattern { regex })
            .map_err(|e| e.to_string())
    }

    /// The fewest and most characters of a value it takes, or `None` when it takes none.
    pub fn lengths(&self) -> Option<(u32, Option<u32>)> {
        self.regex.lengths()
    }
}

impl Rule for Pattern {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        if value.as_str().is_some_and(|s| !self.regex.matches(s)) {
            cx.report(Finding::error("pattern.mismatch"));
        }
    }
}
