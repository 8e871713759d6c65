//! Two-level addresses of the 2025 reform: province, commune of that province, street line.

use super::{Check, Rule};
use crate::issue::Finding;
use serde_json::Value as Json;

/// Longest street line, in characters.
const STREET_MAX: usize = 200;

/// The address check against the `provinces` and `communes` catalogues.
#[derive(Debug)]
pub(crate) struct Address;

impl Rule for Address {
    fn check(&self, value: &Json, cx: &mut Check<'_>) {
        let part = |name: &str| value.get(name).and_then(Json::as_str).filter(|s| !s.trim().is_empty());
        let catalogs = cx.catalogs;
        match part("province") {
            None => cx.report_at(".province", Finding::error("address.province_missing")),
            Some(p) if catalogs.get("provinces").and_then(|c| c.get(p)).is_none() => {
                cx.report_at(".province", Finding::error("option.unknown").with("value", p))
            }
            Some(_) => {}
        }
        match part("commune") {
            None => cx.report_at(".commune", Finding::error("address.commune_missing")),
            Some(c) => match catalogs.get("communes").and_then(|cat| cat.get(c)) {
                None => cx.report_at(".commune", Finding::error("option.unknown").with("value", c)),
                Some(commune) if part("province").is_some_and(|p| commune.parent.as_deref() != Some(p)) => {
                    cx.report_at(".commune", Finding::error("option.not_in_parent").with("value", c))
                }
                Some(_) => {}
            },
        }
        match part("street") {
            None => cx.report_at(".street", Finding::error("address.street_missing")),
            Some(s) if crate::text::char_len(s) > STREET_MAX => {
                cx.report_at(".street", Finding::error("text.too_long").with("max", STREET_MAX))
            }
            Some(_) => {}
        }
    }
}
