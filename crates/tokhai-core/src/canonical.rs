//! JSON text: canonical (the same bytes for the same value on every platform, for digests and
//! signatures) and compact.

use serde_json::Value as Json;

/// JSON with object keys sorted, no whitespace and whole numbers as integers: the same bytes on
/// every platform and after a round trip through JavaScript.
pub fn canonical_json(v: &Json) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

/// Compact JSON text of a value, keys in the map's order (the one writer of JSON text: `Value`'s
/// `Display` would bring a second, pretty-printing one into the browser bundle).
pub fn json_text(v: &Json) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// A whole number as an integer (`1965`, not `1965.0`), as JavaScript writes it, so that a bundle
/// that went through a browser's `JSON.parse`/`JSON.stringify` keeps its signature.
fn canonical_number(n: &serde_json::Number) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match n.as_f64() {
        Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < EXACT => format!("{}", f as i64),
        _ => n.to_string(),
    }
}

fn write_canonical(v: &Json, out: &mut String) {
    match v {
        Json::Object(o) => {
            // serde_json's map is a BTreeMap (no `preserve_order`): its keys come sorted.
            out.push('{');
            for (i, (k, v)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap_or_default());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        Json::Number(n) => out.push_str(&canonical_number(n)),
        other => out.push_str(&json_text(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::canonical_json;
    use serde_json::json;

    #[test]
    fn keys_sorted_and_whole_numbers_as_integers() {
        let a = json!({"b": [1965.0, 1.5], "a": {"z": [1, {"y": 2, "x": 1}], "c": "Nguyễn"}});
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"c":"Nguyễn","z":[1,{"x":1,"y":2}]},"b":[1965,1.5]}"#
        );
    }
}
