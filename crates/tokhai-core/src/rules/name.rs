//! Personal names: letters with diacritics, spaces, apostrophes and hyphens; capitals where the form asks.

use super::{Check, Rule};
use crate::vn::name;
use serde_json::Value as Json;

/// The personal name check.
#[derive(Debug)]
pub(crate) struct Name {
    pub uppercase: bool,
}

impl Rule for Name {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        let Some(s) = value.as_str() else { return };
        for finding in name::check(s, self.uppercase) {
            cx.report(finding);
        }
    }
}
