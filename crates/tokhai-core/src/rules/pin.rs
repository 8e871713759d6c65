//! Personal identification numbers: structure, and the cross-check with date of birth and sex.

use super::{Check, Rule};
use crate::expr::Binding;
use crate::vn::pin::{self, Sex};
use serde_json::Value as Json;

/// The PIN check, with the fields it is cross-checked against.
#[derive(Debug)]
pub(crate) struct Pin {
    pub dob: Option<Binding>,
    pub sex: Option<Binding>,
}

impl Rule for Pin {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        let Some(s) = value.as_str() else { return };
        let (info, findings) = pin::check(s, cx.current_year());
        let structural_error = findings.iter().any(|f| f.severity == crate::Severity::Error);
        for finding in findings {
            cx.report(finding);
        }
        let Some(info) = info.filter(|_| !structural_error) else {
            return;
        };
        let birth_year = self.dob.and_then(|b| cx.read(b).as_date()).map(|d| d.year);
        let sex = self.sex.and_then(|b| match cx.read(b) {
            crate::expr::Value::Str(code) => Sex::from_code(&code),
            _ => None,
        });
        for finding in pin::cross_check(&info, birth_year, sex) {
            cx.report(finding);
        }
    }
}
