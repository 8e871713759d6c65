//! The `min_date` and `max_date` keywords: expressions, often relative to today.

use super::{Check, Rule};
use crate::expr::Expr;
use crate::issue::Finding;
use crate::Date;
use serde_json::Value as Json;

/// Date bounds.
#[derive(Debug)]
pub(crate) struct DateBounds {
    pub min: Option<Expr>,
    pub max: Option<Expr>,
}

impl Rule for DateBounds {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        // A year alone is its last day, as everywhere (the youngest its person can be).
        let Some(date) = value.as_str().and_then(Date::parse_stored) else {
            return;
        };
        let (env, row) = (cx.env, cx.row);
        let bound = |e: &Option<Expr>| e.as_ref().and_then(|e| e.eval(env, row).as_date());
        if let Some(min) = bound(&self.min).filter(|&m| date < m) {
            cx.report(Finding::error("date.too_early").with("min", min.to_dmy()));
        }
        if let Some(max) = bound(&self.max).filter(|&m| date > m) {
            cx.report(Finding::error("date.too_late").with("max", max.to_dmy()));
        }
    }

    fn exprs(&self) -> Vec<&Expr> {
        self.min.iter().chain(&self.max).collect()
    }
}
