//! The `uppercase` keyword of text fields (a passport number, a vehicle plate): the value is in capitals.

use super::{Check, Rule};
use crate::issue::Finding;
use crate::text::uppercase;
use serde_json::Value as Json;

/// The capitals check; the widget keeps what is typed in capitals, so only a value sent otherwise fails it.
#[derive(Debug)]
pub(crate) struct Capitals;

impl Rule for Capitals {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        if value.as_str().is_some_and(|s| s != uppercase(s)) {
            cx.report(Finding::error("text.not_uppercase"));
        }
    }
}
