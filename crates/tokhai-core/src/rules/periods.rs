//! Date periods in a group's rows (e.g. residence history): in order, not overlapping, covering a span.

use super::{Check, Rule};
use crate::expr::Expr;
use crate::issue::Finding;
use crate::Date;
use serde_json::Value as Json;

/// The periods check on a repeat group.
#[derive(Debug)]
pub(crate) struct Periods {
    pub group: u32,
    pub from: u32,
    pub to: u32,
    pub cover_from: Option<Expr>,
    pub cover_to: Option<Expr>,
}

impl Rule for Periods {
    fn check(&self, _value: &Json, cx: &mut Check<'_>) {
        let rows = cx.env.row_count(self.group);
        let mut periods: Vec<(Date, Date, usize)> = Vec::with_capacity(rows);
        let mut reversed = false;
        for row in 0..rows {
            let date = |field: u32| cx.env.value(field, Some(row)).as_date();
            let (Some(from), Some(to)) = (date(self.from), date(self.to)) else {
                continue;
            };
            if from > to {
                reversed = true;
                cx.report(Finding::error("periods.reversed").with("at", row + 1));
            } else {
                // Kept in order as they come (a handful of rows): no sort in the bundle for it.
                let period = (from, to, row);
                periods.insert(periods.partition_point(|p| *p < period), period);
            }
        }
        // Compare each period with the latest end so far, so one inside a longer one is caught.
        let mut latest: Option<(Date, usize)> = None;
        for &(from, to, row) in &periods {
            if let Some((end, end_row)) = latest {
                // Reported on the group (it is the group's rule), naming the rows, so the summary lists it.
                if from < end {
                    cx.report(
                        Finding::error("periods.overlap")
                            .with("at", row + 1)
                            .with("row", end_row + 1),
                    );
                } else if from > end.add_days(1) {
                    // The days no period covers: from the day after one ends to the day before the next.
                    let gap = Finding::error("periods.gap")
                        .with("from", end.add_days(1).to_dmy())
                        .with("to", from.add_days(-1).to_dmy());
                    cx.report(gap.with("at", row + 1));
                }
            }
            if latest.is_none_or(|(end, _)| to > end) {
                latest = Some((to, row));
            }
        }
        // A reversed period covers nothing yet: what it was meant to cover is judged once it is mended.
        if reversed {
            return;
        }
        let bound = |e: &Option<Expr>| e.as_ref().and_then(|e| e.eval(cx.env, None).as_date());
        let (start, end) = (bound(&self.cover_from), bound(&self.cover_to));
        let first = periods.first().map(|p| p.0);
        let last = latest.map(|(end, _)| end);
        if let Some(start) = start.filter(|s| first.is_none_or(|f| f > *s)) {
            cx.report(Finding::error("periods.start_uncovered").with("date", start.to_dmy()));
        }
        if let Some(end) = end.filter(|e| last.is_some_and(|l| l < *e)) {
            cx.report(Finding::error("periods.end_uncovered").with("date", end.to_dmy()));
        }
    }

    fn checks_empty(&self) -> bool {
        true
    }

    fn exprs(&self) -> Vec<&Expr> {
        self.cover_from.iter().chain(&self.cover_to).collect()
    }
}
