//! The `required` keyword: what counts as "no value" for each kind.

use serde_json::Value as Json;

/// Whether a value counts as not given: null, blank text, an unchecked box, no rows or files, an empty address.
pub(crate) fn is_empty(value: &Json) -> bool {
    match value {
        Json::Null | Json::Bool(false) => true,
        Json::String(s) => s.trim().is_empty(),
        Json::Array(items) => items.is_empty(),
        Json::Object(parts) => parts.values().all(is_empty),
        Json::Bool(true) | Json::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_values_by_kind() {
        for v in [json!(null), json!(""), json!("  "), json!(false), json!([]), json!({"province": null, "street": ""})] {
            assert!(is_empty(&v), "{v}");
        }
        for v in [json!("a"), json!(0), json!(true), json!(["x"]), json!({"province": "01"})] {
            assert!(!is_empty(&v), "{v}");
        }
    }
}
