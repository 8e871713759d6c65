//! Cross-field rules written by form authors: an expression that must hold, with its own message code.

use super::{Check, Rule};
use crate::expr::{Expr, Value};
use crate::issue::{Issue, Severity};
use serde_json::Value as Json;

/// A `check` expression and the issue raised when it is false.
#[derive(Debug)]
pub(crate) struct Custom {
    pub check: Expr,
    pub code: String,
    pub warning: bool,
}

impl Rule for Custom {
    fn check(&self, _value: &Json, cx: &mut Check<'_>) {
        // Null means "cannot tell yet" (a value it needs is missing): no issue.
        let outcome = self.check.eval(cx.env, cx.row);
        if outcome != Value::Null && !outcome.truthy() {
            let severity = if self.warning {
                Severity::Warning
            } else {
                Severity::Error
            };
            cx.issues.push(Issue {
                severity,
                ..Issue::error(cx.path, self.code.as_str())
            });
        }
    }

    fn checks_empty(&self) -> bool {
        true
    }

    fn exprs(&self) -> Vec<&Expr> {
        vec![&self.check]
    }
}
