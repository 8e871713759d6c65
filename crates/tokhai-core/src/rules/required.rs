//! The `required` keyword: what counts as "no value" for each kind.

use crate::definition::FieldKind;
use serde_json::Value as Json;

/// Whether a value counts as not given: null, blank text, an unchecked box, no rows or files, an empty address.
/// An empty list or object of a kind that holds none (`[]` for an e-mail) is a value of the wrong type, as
/// `false` is anywhere but in a checkbox.
pub(crate) fn is_empty(kind: FieldKind, value: &Json) -> bool {
    let blank = |v: &Json| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty());
    match value {
        Json::Null => true,
        Json::Bool(false) => kind == FieldKind::Checkbox,
        Json::String(s) => s.trim().is_empty(),
        Json::Array(items) => {
            items.is_empty() && matches!(kind, FieldKind::CheckboxGroup | FieldKind::File | FieldKind::Group)
        }
        Json::Object(parts) => kind == FieldKind::Address && parts.values().all(blank),
        Json::Bool(true) | Json::Number(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_values_by_kind() {
        for v in [json!(null), json!(""), json!("  ")] {
            assert!(is_empty(FieldKind::Text, &v), "{v}");
        }
        // Of the wrong type: the type check says so.
        for v in [
            json!("a"),
            json!(0),
            json!(true),
            json!(false),
            json!(["x"]),
            json!([]),
            json!({}),
            json!({"x": {"y": ""}}),
        ] {
            assert!(!is_empty(FieldKind::Text, &v), "{v}");
        }
        assert!(is_empty(FieldKind::Checkbox, &json!(false)));
        assert!(is_empty(FieldKind::File, &json!([])) && is_empty(FieldKind::CheckboxGroup, &json!([])));
        assert!(is_empty(FieldKind::Address, &json!({"province": null, "street": " "})));
        assert!(!is_empty(FieldKind::Address, &json!({"province": {}})));
        assert!(!is_empty(FieldKind::Address, &json!({"province": "01"})));
    }
}
