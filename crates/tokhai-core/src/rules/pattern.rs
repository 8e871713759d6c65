//! The `pattern` keyword: a regular expression compiled once, matched against the whole value.

use super::{Check, Rule};
use crate::issue::Finding;
use serde_json::Value as Json;

/// A compiled pattern.
#[derive(Debug)]
pub(crate) struct Pattern {
    regex: regex_lite::Regex,
}

impl Pattern {
    /// Compiles a pattern anchored at both ends.
    pub fn new(pattern: &str) -> Result<Pattern, String> {
        let regex = regex_lite::RegexBuilder::new(&format!("^(?:{pattern})$"))
            .size_limit(1 << 20)
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Pattern { regex })
    }
}

impl Rule for Pattern {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        if value.as_str().is_some_and(|s| !self.regex.is_match(s)) {
            cx.report(Finding::error("pattern.mismatch"));
        }
    }
}
