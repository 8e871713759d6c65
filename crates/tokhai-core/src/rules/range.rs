//! The `min` and `max` keywords of number fields.

use super::{Check, Rule};
use crate::issue::Finding;
use crate::normalize::number_text;
use serde_json::Value as Json;

/// Numeric bounds.
#[derive(Debug)]
pub(crate) struct Range {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Rule for Range {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        let Some(n) = value.as_f64() else { return };
        if let Some(min) = self.min.filter(|&m| n < m) {
            cx.report(Finding::error("number.too_small").with("min", number_text(min)));
        }
        if let Some(max) = self.max.filter(|&m| n > m) {
            cx.report(Finding::error("number.too_large").with("max", number_text(max)));
        }
    }
}
