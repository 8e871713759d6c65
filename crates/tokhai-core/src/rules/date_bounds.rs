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
        // A year alone is within bounds when some day of it is: its first day is not after `max`, its
        // last not before `min`.
        let Some((first, last)) = value.as_str().and_then(|s| match Date::parse_year(s) {
            Some(year) => Some((
                Date { year, month: 1, day: 1 },
                Date {
                    year,
                    month: 12,
                    day: 31,
                },
            )),
            None => Date::parse_iso(s).map(|d| (d, d)),
        }) else {
            return;
        };
        let (env, row) = (cx.env, cx.row);
        let bound = |e: &Option<Expr>| e.as_ref().and_then(|e| e.eval(env, row).as_date());
        if let Some(min) = bound(&self.min).filter(|&m| last < m) {
            cx.report(Finding::error("date.too_early").with("min", min.to_dmy()));
        }
        if let Some(max) = bound(&self.max).filter(|&m| first > m) {
            cx.report(Finding::error("date.too_late").with("max", max.to_dmy()));
        }
    }

    fn exprs(&self) -> Vec<&Expr> {
        self.min.iter().chain(&self.max).collect()
    }
}
