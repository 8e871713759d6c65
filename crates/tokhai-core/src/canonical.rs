//! JSON text: canonical (the same bytes for the same value on every platform, for digests and
//! signatures) and compact; and the check that no object names a key twice.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value as Json;
use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

/// A key an object of JSON text names twice, as an error with its line and column: parsers keep one of
/// the two without a word (serde_json the last), so a definition, payload or bundle would lose the other.
pub fn repeated_key(text: &[u8]) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    de.deserialize_any(UniqueKeys)?;
    de.end()
}

/// Walks a JSON value, refusing an object with a key twice.
struct UniqueKeys;

/// The number of keys from which an object's keys are looked up in a hash set.
const HASH_FROM: usize = 16;

impl<'de> Visitor<'de> for UniqueKeys {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(UniqueKeys)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Most objects have a handful of keys: a list searched in turn costs less than hashing them.
        let mut few = Vec::new();
        let mut many = HashSet::new();
        while let Some(Key(key)) = map.next_key()? {
            let repeated = if few.len() < HASH_FROM {
                let repeated = few.contains(&key);
                few.push(key.clone());
                repeated
            } else {
                if many.is_empty() {
                    many.extend(few.iter().cloned());
                }
                !many.insert(key.clone())
            };
            if repeated {
                return Err(de::Error::custom(format_args!("the key \"{key}\" is given twice")));
            }
            map.next_value_seed(UniqueKeys)?;
        }
        Ok(())
    }
}

impl<'de> de::DeserializeSeed<'de> for UniqueKeys {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

/// An object's key, borrowed from the text unless it holds escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
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
    use super::{canonical_json, repeated_key};
    use serde_json::json;

    #[test]
    fn a_key_given_twice_is_found_at_any_depth() {
        for text in [
            r#"{"a": 1, "a": 2}"#,
            r#"[{"x": {"a": 1, "b": [{"c": 1, "c": 1}]}}]"#,
            r#"{"a": 1, "\u0061": 2}"#,
        ] {
            let e = repeated_key(text.as_bytes()).expect_err(text);
            assert!(e.is_data() && e.to_string().contains("is given twice at line 1"), "{e}");
        }
        for text in [
            r#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}"#,
            "[]",
            "null",
            r#""x""#,
        ] {
            assert!(repeated_key(text.as_bytes()).is_ok(), "{text}");
        }
        assert!(repeated_key(b"{\"a\": ").is_err_and(|e| e.is_eof()));
    }

    #[test]
    fn a_key_given_twice_is_found_in_a_big_object() {
        let object = |keys: &[usize]| {
            let members: Vec<String> = keys.iter().map(|k| format!("\"k{k}\": {k}")).collect();
            format!("{{{}}}", members.join(", "))
        };
        let distinct: Vec<usize> = (0..40).collect();
        assert!(repeated_key(object(&distinct).as_bytes()).is_ok());
        for (again, at) in [(0, 3), (0, 30), (20, 30), (39, 40)] {
            let mut keys = distinct.clone();
            keys.insert(at, again);
            let e = repeated_key(object(&keys).as_bytes()).expect_err("repeated");
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
