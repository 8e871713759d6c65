//! Tax codes: 10 digits with check digit, the 10+3 branch form, or a 12-digit personal PIN.

use super::{Check, Rule};
use crate::vn::tax_code;
use serde_json::Value as Json;

/// The tax code check.
#[derive(Debug)]
pub(crate) struct TaxCode;

impl Rule for TaxCode {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        let Some(s) = value.as_str() else { return };
        for finding in tax_code::check(s, cx.current_year()) {
            cx.report(finding);
        }
    }
}
