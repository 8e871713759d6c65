//! The `min_length` and `max_length` keywords, counted in characters after NFC.

use super::{Check, Rule};
use crate::issue::Finding;
use crate::text::char_len;
use serde_json::Value as Json;

/// Text length bounds.
#[derive(Debug)]
pub(crate) struct Length {
    pub min: Option<usize>,
    pub max: Option<usize>,
}

impl Rule for Length {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        let Some(s) = value.as_str() else { return };
        let len = char_len(s);
        if let Some(min) = self.min.filter(|&m| len < m) {
            cx.report(Finding::error("text.too_short").with("min", min));
        }
        if let Some(max) = self.max.filter(|&m| len > m) {
            cx.report(Finding::error("text.too_long").with("max", max).with("len", len));
        }
    }
}
