//! A date field without `year_only`: its value names a day, not a year alone.

use super::{Check, Rule};
use crate::issue::Finding;
use crate::Date;
use serde_json::Value as Json;

/// The full-date check of a date field that does not take a year alone.
#[derive(Debug)]
pub(crate) struct FullDate;

impl Rule for FullDate {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        if value.as_str().and_then(Date::parse_year).is_some() {
            cx.report(Finding::error("date.invalid"));
        }
    }
}
