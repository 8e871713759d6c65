//! The `integer` keyword of number fields: whole numbers only.

use super::{Check, Rule};
use crate::issue::Finding;
use serde_json::Value as Json;

/// Whole numbers only.
#[derive(Debug)]
pub(crate) struct Integer;

impl Rule for Integer {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        if value.as_f64().is_some_and(|n| n.fract() != 0.0) {
            cx.report(Finding::error("number.not_integer"));
        }
    }
}
