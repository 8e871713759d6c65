//! Rows filled from household members: one person per row (the same PIN twice declares a person twice).

use super::{Check, Rule};
use crate::expr::Value;
use crate::issue::Finding;
use serde_json::Value as Json;

/// The key (`member.pin`) field of a group's rows holds each person once.
#[derive(Debug)]
pub(crate) struct DistinctMembers {
    pub group: u32,
    pub key: u32,
}

impl Rule for DistinctMembers {
    fn check(&self, _value: &Json, cx: &mut Check<'_>) {
        let rows = cx.env.row_count(self.group);
        let keys: Vec<Option<String>> = (0..rows)
            .map(|row| match cx.env.value(self.key, Some(row)) {
                Value::Str(pin) if !pin.is_empty() => Some(pin),
                _ => None,
            })
            .collect();
        for (row, key) in keys.iter().enumerate().filter(|(_, k)| k.is_some()) {
            // Reported on the group, naming the rows, as the periods of rows are.
            if let Some(first) = keys[..row].iter().position(|k| k == key) {
                cx.report(
                    Finding::error("members.duplicate")
                        .with("at", row + 1)
                        .with("row", first + 1),
                );
            }
        }
    }

    fn checks_empty(&self) -> bool {
        true
    }
}
