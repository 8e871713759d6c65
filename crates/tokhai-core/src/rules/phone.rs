//! Vietnamese phone numbers (mobile and landline), stored as E.164.

use super::{Check, Rule};
use crate::vn::phone;
use serde_json::Value as Json;

/// The phone number check.
#[derive(Debug)]
pub(crate) struct Phone;

impl Rule for Phone {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        let Some(s) = value.as_str() else { return };
        for finding in phone::parse(s).1 {
            cx.report(finding);
        }
    }
}
