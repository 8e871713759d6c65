//! Conversions and comparisons of [`Value`]s.

use super::Value;
use crate::date::Date;
use std::cmp::Ordering;

/// Largest integer every f64 holds exactly (2^53).
pub(crate) const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

impl Value {
    /// Whether the value counts as true: Null, false, 0, NaN, "" and [] are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Num(n) => *n != 0.0 && !n.is_nan(),
            Value::Str(s) => !s.is_empty(),
            Value::Date(_) => true,
            Value::List(items) => !items.is_empty(),
        }
    }

    /// The value of a JSON value; objects become Null.
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null | serde_json::Value::Object(_) => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => n.as_f64().map_or(Value::Null, Value::Num),
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
        }
    }

    /// The value as JSON: dates as `yyyy-mm-dd`, whole numbers as integers, NaN and infinities as null.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Num(n) if n.fract() == 0.0 && n.abs() <= MAX_EXACT => serde_json::Value::from(*n as i64),
            Value::Num(n) => {
                serde_json::Number::from_f64(*n).map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Date(d) => serde_json::Value::String(d.to_string()),
            Value::List(items) => serde_json::Value::Array(items.iter().map(Value::to_json).collect()),
        }
    }

    /// The value as a real calendar date: a Date, or a Str in any form [`Date::parse_any`] accepts, or a
    /// year alone (read as [`Date::parse_stored`] reads it).
    pub fn as_date(&self) -> Option<Date> {
        match self {
            Value::Date(d) => Date::new(d.year, d.month, d.day),
            Value::Str(s) => Date::parse_any(s).or_else(|| Date::parse_stored(s)),
            _ => None,
        }
    }

    /// The number, if the value is a finite number.
    pub(crate) fn as_num(&self) -> Option<f64> {
        match self {
            Value::Num(n) if n.is_finite() => Some(*n),
            _ => None,
        }
    }

    /// A number value, or Null when the result is NaN or infinite.
    pub(crate) fn num(n: f64) -> Value {
        if n.is_finite() {
            Value::Num(n)
        } else {
            Value::Null
        }
    }
}

/// Equality of `==`: by value, a Date equals a Str holding the same ISO date, Null equals Null.
pub(crate) fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Num(x), Value::Num(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Date(x), Value::Date(y)) => x == y,
        (Value::Date(d), Value::Str(s)) | (Value::Str(s), Value::Date(d)) => Date::parse_iso(s) == Some(*d),
        (Value::List(x), Value::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| loose_eq(x, y)),
        _ => false,
    }
}

/// Order of `<` and friends: numbers, texts, dates (with texts that are stored dates: ISO, or a year
/// alone, see [`Date::parse_stored`]); None when incomparable.
pub(crate) fn order(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.partial_cmp(y),
        (Value::Str(x), Value::Str(y)) => match (Date::parse_stored(x), Date::parse_stored(y)) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => Some(x.cmp(y)),
        },
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::Date(x), Value::Str(s)) => Date::parse_stored(s).map(|y| x.cmp(&y)),
        (Value::Str(s), Value::Date(y)) => Date::parse_stored(s).map(|x| x.cmp(y)),
        _ => None,
    }
}

/// Membership of `in`: an item of a list, or a substring of a text; false otherwise.
pub(crate) fn contains(haystack: &Value, needle: &Value) -> bool {
    match (haystack, needle) {
        (Value::List(items), x) => items.iter().any(|item| loose_eq(item, x)),
        (Value::Str(s), Value::Str(sub)) => s.contains(sub.as_str()),
        _ => false,
    }
}
