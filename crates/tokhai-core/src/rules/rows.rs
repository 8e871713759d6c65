//! The `min_rows` and `max_rows` keywords of repeat groups.

use super::{Check, Rule};
use crate::issue::Finding;
use serde_json::Value as Json;

/// Row count bounds; the group's value is its row count.
#[derive(Debug)]
pub(crate) struct Rows {
    pub min: usize,
    pub max: Option<usize>,
}

impl Rule for Rows {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        let rows = value.as_u64().unwrap_or(0) as usize;
        if rows < self.min {
            cx.report(Finding::error("rows.too_few").with("min", self.min));
        }
        if let Some(max) = self.max.filter(|&m| rows > m) {
            cx.report(Finding::error("rows.too_many").with("max", max));
        }
    }

    fn checks_empty(&self) -> bool {
        true
    }
}
