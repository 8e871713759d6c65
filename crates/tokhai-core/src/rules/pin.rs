//! Personal identification numbers: structure, and the cross-check with date of birth and sex.

use super::{Check, Rule};
use crate::expr::{Binding, Value};
use crate::issue::Finding;
use crate::vn::pin::{self, Sex};
use serde_json::Value as Json;

/// The PIN check, with the fields it is cross-checked against.
#[derive(Debug)]
pub(crate) struct Pin {
    /// A date of birth, or a year of birth.
    pub dob: Option<Binding>,
    pub sex: Option<Binding>,
    /// The sex the PIN must encode (a mother's, a father's).
    pub sex_is: Option<Sex>,
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
        let birth_year = self.dob.and_then(|b| match cx.read(b) {
            Value::Num(year) if year.fract() == 0.0 && year.abs() < 1e6 => Some(year as i32),
            // A date, or a year alone (`year_only`).
            value => value.as_date().map(|d| d.year),
        });
        let sex = self.sex.and_then(|b| match cx.read(b) {
            Value::Str(code) => Sex::from_code(&code),
            _ => None,
        });
        for finding in pin::cross_check(&info, birth_year, sex) {
            cx.report(finding);
        }
        match self.sex_is {
            Some(Sex::Female) if info.sex == Sex::Male => cx.report(Finding::error("pin.not_female")),
            Some(Sex::Male) if info.sex == Sex::Female => cx.report(Finding::error("pin.not_male")),
            _ => {}
        }
    }
}
