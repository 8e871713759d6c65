//! JSON text: canonical (the same bytes for the same value on every platform, for digests and
//! signatures) and compact; and the check that no object names a key twice.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;
use std::fmt;

/// JSON text as a value, refusing with its line and column a key given twice (parsers keep one of the two silently).
pub fn parse_unique(text: &[u8]) -> Result<Json, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let value = de.deserialize_any(UniqueKeys)?;
    de.end()?;
    Ok(value)
}

/// Builds a JSON value, refusing an object with a key twice.
struct UniqueKeys;

impl<'de> Visitor<'de> for UniqueKeys {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
        Ok(Json::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Json, E> {
        Ok(n.into())
    }

    fn visit_u64<E>(self, n: u64) -> Result<Json, E> {
        Ok(n.into())
    }

    fn visit_f64<E>(self, n: f64) -> Result<Json, E> {
        Ok(n.into())
    }

    fn visit_str<E>(self, s: &str) -> Result<Json, E> {
        Ok(s.into())
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(UniqueKeys)? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!("the key \"{key}\" is given twice")));
            }
            object.insert(key, map.next_value_seed(UniqueKeys)?);
        }
        Ok(Json::Object(object))
    }
}

impl<'de> de::DeserializeSeed<'de> for UniqueKeys {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Json, D::Error> {
        d.deserialize_any(self)
    }
}

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
    use super::{canonical_json, parse_unique};
    use serde_json::json;

    #[test]
    fn a_key_given_twice_is_found_at_any_depth() {
        for text in [
            r#"{"a": 1, "a": 2}"#,
            r#"[{"x": {"a": 1, "b": [{"c": 1, "c": 1}]}}]"#,
            r#"{"a": 1, "\u0061": 2}"#,
        ] {
            let e = parse_unique(text.as_bytes()).expect_err(text);
            assert!(e.is_data() && e.to_string().contains("is given twice at line 1"), "{e}");
        }
        for text in [
            r#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}"#,
            "[]",
            "null",
            r#""x""#,
            r#"[1, -2, 1.5e3, true, "N\u0067uy\u1ec5n"]"#,
        ] {
            let parsed = parse_unique(text.as_bytes()).expect(text);
            assert_eq!(
                parsed,
                serde_json::from_str::<serde_json::Value>(text).unwrap(),
                "{text}"
            );
        }
        assert!(parse_unique(b"{\"a\": ").is_err_and(|e| e.is_eof()));
    }

    #[test]
    fn a_key_given_twice_is_found_in_a_big_object() {
        let object = |keys: &[usize]| {
            let members: Vec<String> = keys.iter().map(|k| format!("\"k{k}\": {k}")).collect();
            format!("{{{}}}", members.join(", "))
        };
        let distinct: Vec<usize> = (0..40).collect();
        assert!(parse_unique(object(&distinct).as_bytes()).is_ok());
        for (again, at) in [(0, 3), (0, 30), (20, 30), (39, 40)] {
            let mut keys = distinct.clone();
            keys.insert(at, again);
            let e = parse_unique(object(&keys).as_bytes()).expect_err("repeated");
            assert!(
                e.to_string().contains(&format!("the key \"k{again}\" is given twice")),
                "{e}"
            );
        }
    }

    #[test]
    fn keys_sorted_and_whole_numbers_as_integers() {
        let a = json!({"b": [1965.0, 1.5], "a": {"z": [1, {"y": 2, "x": 1}], "c": "Nguyễn"}});
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"c":"Nguyễn","z":[1,{"x":1,"y":2}]},"b":[1965,1.5]}"#
        );
    }
}
