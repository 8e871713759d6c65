//! JSON text: canonical (the same bytes for the same value on every platform, for digests and
//! signatures) and compact; and the check that no object names a key twice.

use serde::de::value::{MapDeserializer, SeqDeserializer};
use serde::de::{self, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor};
use serde_json::Value as Json;
use std::fmt;

/// JSON text as a value, refusing with its line and column a key given twice (parsers keep one of the two silently).
pub fn parse_unique(text: &[u8]) -> Result<Json, serde_json::Error> {
    unique(serde_json::Deserializer::from_slice(text))
}

/// [`parse_unique`] of a text already known to be UTF-8, whose strings are not checked again.
pub fn parse_unique_str(text: &str) -> Result<Json, serde_json::Error> {
    unique(serde_json::Deserializer::from_str(text))
}

/// The one JSON value `de` reads, refusing a key given twice.
fn unique<'de, R: serde_json::de::Read<'de>>(mut de: serde_json::Deserializer<R>) -> Result<Json, serde_json::Error> {
    let value = de.deserialize_any(UniqueKeys)?;
    de.end()?;
    Ok(value)
}

/// Where JSON text was refused for a `\\u` escape of half a UTF-16 surrogate pair without its other half,
/// that in words: no character, though JavaScript strings hold such halves and `JSON.stringify` writes
/// them so, and serde_json names it "lone leading surrogate" or "unexpected end of hex escape".
pub fn lone_surrogate(e: &serde_json::Error) -> Option<String> {
    let message = e.to_string();
    (message.starts_with("lone leading surrogate") || message.starts_with("unexpected end of hex escape")).then(|| {
        format!(
            "a lone UTF-16 surrogate (\\uD800 to \\uDFFF, half of a pair), which is no character, at line {} column {}",
            e.line(),
            e.column()
        )
    })
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

/// Reads a parsed value as serde_json's `&Value` does, but a struct from an object only: serde_json also
/// takes an array of its fields in order, which the format does not allow and whose code every struct
/// of the definition would carry into the wasm bundle (12 KB).
#[derive(Clone, Copy)]
pub struct Objects<'a>(pub &'a Json);

impl<'de> Deserializer<'de> for Objects<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Json::Null => v.visit_unit(),
            Json::Bool(b) => v.visit_bool(*b),
            Json::Number(n) => n.deserialize_any(v),
            Json::String(s) => v.visit_borrowed_str(s),
            Json::Array(items) => v.visit_seq(SeqDeserializer::new(items.iter().map(Objects))),
            Json::Object(map) => visit_object(map, v),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Json::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        match self.0 {
            Json::Object(map) => visit_object(map, v),
            other => Err(de::Error::invalid_type(unexpected(other), &v)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_enum(name, variants, v)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map identifier
    }
}

impl<'de> IntoDeserializer<'de, serde_json::Error> for Objects<'de> {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

/// Gives `v` the members of an object.
fn visit_object<'de, V: Visitor<'de>>(
    map: &'de serde_json::Map<String, Json>,
    v: V,
) -> Result<V::Value, serde_json::Error> {
    v.visit_map(MapDeserializer::new(map.iter().map(|(k, x)| (k.as_str(), Objects(x)))))
}

/// What a value is, in serde_json's words for an error.
fn unexpected(v: &Json) -> Unexpected<'_> {
    match v {
        Json::Null => Unexpected::Unit,
        Json::Bool(b) => Unexpected::Bool(*b),
        Json::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Unexpected::Unsigned(u),
            (None, Some(i)) => Unexpected::Signed(i),
            _ => Unexpected::Float(n.as_f64().unwrap_or_default()),
        },
        Json::String(s) => Unexpected::Str(s),
        Json::Array(_) => Unexpected::Seq,
        Json::Object(_) => Unexpected::Map,
    }
}

/// JSON with object keys sorted, no whitespace and whole numbers as integers: the same bytes on
/// every platform and after a round trip through JavaScript.
pub fn canonical_json(v: &Json) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

/// `v` without its member `key`, if an object: a copy, since `Map::remove` would bring the B-tree's
/// removal code into the wasm bundle (2 KiB gzip).
pub fn without_key(v: &Json, key: &str) -> Json {
    let Json::Object(members) = v else { return v.clone() };
    let mut copy = serde_json::Map::new();
    for (k, x) in members.iter().filter(|(k, _)| *k != key) {
        copy.insert(k.clone(), x.clone());
    }
    Json::Object(copy)
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
    use super::{canonical_json, lone_surrogate, parse_unique, parse_unique_str, without_key, Objects};
    use crate::definition::{FieldDef, OptionDef};
    use serde::Deserialize;
    use serde_json::json;
    use std::collections::BTreeMap;

    #[test]
    fn a_key_given_twice_is_found_at_any_depth() {
        for text in [
            r#"{"a": 1, "a": 2}"#,
            r#"[{"x": {"a": 1, "b": [{"c": 1, "c": 1}]}}]"#,
            r#"{"a": 1, "\u0061": 2}"#,
        ] {
            for e in [parse_unique(text.as_bytes()), parse_unique_str(text)].map(|r| r.expect_err(text)) {
                assert!(e.is_data() && e.to_string().contains("is given twice at line 1"), "{e}");
            }
        }
        for text in [
            r#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}"#,
            "[]",
            "null",
            r#""x""#,
            r#"[1, -2, 1.5e3, true, "N\u0067uy\u1ec5n"]"#,
        ] {
            for parsed in [parse_unique(text.as_bytes()), parse_unique_str(text)].map(|r| r.expect(text)) {
                assert_eq!(
                    parsed,
                    serde_json::from_str::<serde_json::Value>(text).unwrap(),
                    "{text}"
                );
            }
        }
        assert!(parse_unique(b"{\"a\": ").is_err_and(|e| e.is_eof()));
        assert!(parse_unique_str("{\"a\": ").is_err_and(|e| e.is_eof()));
    }

    #[test]
    fn a_lone_surrogate_is_named_as_such_and_a_pair_is_read() {
        let lone = "a lone UTF-16 surrogate";
        for (text, at) in [
            (r#"{"name": "\ud800"}"#, "line 1 column 17"),
            (r#"{"name": "\udc00"}"#, "line 1 column 16"),
            (r#"["\ud83d\u0041"]"#, "line 1 column 14"),
            (r#"["\ud83dx"]"#, "line 1 column 9"),
        ] {
            for e in [parse_unique(text.as_bytes()), parse_unique_str(text)].map(|r| r.expect_err(text)) {
                let words = lone_surrogate(&e).expect(text);
                assert!(words.starts_with(lone) && words.ends_with(at), "{text}: {words}");
            }
        }
        let other = parse_unique(br#"{"name": "\x"}"#).expect_err("a bad escape");
        assert_eq!(lone_surrogate(&other), None);
        assert_eq!(parse_unique(br#""\ud83d\ude00""#).unwrap(), json!("😀"));
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
    fn without_key_copies_all_but_the_key() {
        let v = json!({"a": 1, "fields": [{"b": 2}], "c": {"fields": 3}});
        assert_eq!(without_key(&v, "fields"), json!({"a": 1, "c": {"fields": 3}}));
        assert_eq!(without_key(&v, "d"), v);
        assert_eq!(without_key(&json!(["fields"]), "fields"), json!(["fields"]));
    }

    #[test]
    fn keys_sorted_and_whole_numbers_as_integers() {
        let a = json!({"b": [1965.0, 1.5], "a": {"z": [1, {"y": 2, "x": 1}], "c": "Nguyễn"}});
        assert_eq!(
            canonical_json(&a),
            r#"{"a":{"c":"Nguyễn","z":[1,{"x":1,"y":2}]},"b":[1965,1.5]}"#
        );
    }

    #[test]
    fn objects_read_a_definition_as_serde_json_does_but_no_struct_from_an_array() {
        let field = r#""id": "a", "kind": "text", "label": "A""#;
        for rest in [
            "",
            r#", "hint": null, "required": true, "min": 1.5, "max": 10, "min_length": 2"#,
            r#", "label": {"vi": "A", "en": null}"#,
            r#", "options": [{"value": "a", "label": {"vi": "A", "en": "A"}, "parent": "p"}]"#,
            r#", "fields": [{"id": "b", "kind": "date", "label": "B", "rules": []}]"#,
            r#", "periods": {"from": "f", "to": "t"}, "pin_links": {"dob": "d"}, "max_size": 5"#,
            r#", "rules": [{"check": "1", "code": "c", "message": "m", "warning": false}]"#,
            r#", "prefill": {"from": "population.full_name", "lock": true}"#,
            r#", "kind": {"date": null}"#,
            r#", "kind": 5"#,
            r#", "kind": "nope""#,
            r#", "kind": {}"#,
            r#", "label": 5"#,
            r#", "label": {"en": "A"}"#,
            r#", "label": {"vi": "A", "de": "A"}"#,
            r#", "required": "yes""#,
            r#", "min": "1""#,
            r#", "min_length": -1"#,
            r#", "min_length": 1.5"#,
            r#", "max_size": 1e30"#,
            r#", "options": [1]"#,
            r#", "options": {"a": 1}"#,
            r#", "options": [{"value": 1, "label": "A"}]"#,
            r#", "periods": "x""#,
            r#", "pin_links": 3"#,
            r#", "colour": "red""#,
            r#", "fields": [{"id": "b"}]"#,
        ] {
            let v: serde_json::Value = serde_json::from_str(&format!("{{{field}{rest}}}")).unwrap();
            let read = |r: Result<FieldDef, serde_json::Error>| r.map(|f| format!("{f:?}")).map_err(|e| e.to_string());
            assert_eq!(
                read(FieldDef::deserialize(Objects(&v))),
                read(FieldDef::deserialize(&v)),
                "{rest}"
            );
        }
        let lists = json!({"a": [{"value": "x", "label": "X"}], "b": []});
        assert_eq!(
            BTreeMap::<String, Vec<OptionDef>>::deserialize(Objects(&lists)).unwrap(),
            BTreeMap::<String, Vec<OptionDef>>::deserialize(&lists).unwrap()
        );
        let array = json!([{"value": "x", "label": "X"}, ["y", "Y"]]);
        assert!(Vec::<OptionDef>::deserialize(&array).is_ok());
        let e = Vec::<OptionDef>::deserialize(Objects(&array)).unwrap_err();
        assert_eq!(e.to_string(), "invalid type: sequence, expected struct OptionDef");
    }
}
