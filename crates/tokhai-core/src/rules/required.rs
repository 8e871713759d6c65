//! The `required` keyword: what counts as "no value" for each kind.

use crate::definition::FieldKind;
use serde_json::Value as Json;

/// Whether a value counts as not given: null, blank text, an unchecked box, no rows or files, an empty address.
/// `false` is "not given" only for a checkbox; elsewhere it is a value of the wrong type.
pub(crate) fn is_empty(kind: FieldKind, value: &Json) -> bool {
    match value {
        Json::Null => true,
        Json::Bool(false) => kind == FieldKind::Checkbox,
        Json::String(s) => s.trim().is_empty(),
        Json::Array(items) => items.is_empty(),
        Json::Object(parts) => parts.values().all(|v| is_empty(kind, v)),
        Json::Bool(true) | Json::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_values_by_kind() {
        for v in [
            json!(null),
            json!(""),
            json!("  "),
            json!([]),
            json!({"province": null, "street": ""}),
        ] {
            assert!(is_empty(FieldKind::Text, &v), "{v}");
        }
        for v in [
            json!("a"),
            json!(0),
            json!(true),
            json!(false),
            json!(["x"]),
            json!({"province": "01"}),
        ] {
            assert!(!is_empty(FieldKind::Text, &v), "{v}");
        }
        assert!(is_empty(FieldKind::Checkbox, &json!(false)));
    }
}
