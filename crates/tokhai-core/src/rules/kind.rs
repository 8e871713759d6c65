//! The JSON type each field kind's value must have; other rules only see well-typed values.

use crate::date::NoSuchDay;
use crate::definition::FieldKind;
use crate::issue::Finding;
use crate::path::ADDRESS_PARTS;
use serde_json::Value as Json;

/// The finding for a value of the wrong type for a field of `kind` (a date that takes a year alone when
/// `year_only`), if any.
pub(crate) fn check(kind: FieldKind, year_only: bool, value: &Json) -> Option<Finding> {
    use FieldKind::*;
    let expected = match kind {
        Text | Textarea | Email | Phone | Pin | TaxCode | Name | Select | Radio => "text",
        Number => "number",
        Date => "date",
        Checkbox => "boolean",
        CheckboxGroup => "list",
        Address => "address",
        File => "files",
        Group => return None,
    };
    let ok = match kind {
        Number => value.is_number(),
        // A year alone only where the field takes one.
        Date => value.as_str().is_some_and(|s| match crate::Date::parse_year(s) {
            Some(_) => year_only,
            None => crate::Date::parse_iso(s).is_some(),
        }),
        Checkbox => value.is_boolean(),
        CheckboxGroup => value.as_array().is_some_and(|a| a.iter().all(Json::is_string)),
        Address => value.as_object().is_some_and(|o| {
            o.keys().all(|k| ADDRESS_PARTS.contains(&k.as_str())) && o.values().all(|v| v.is_string() || v.is_null())
        }),
        File => value.as_array().is_some_and(|a| a.iter().all(is_file_metadata)),
        _ => value.is_string(),
    };
    if ok {
        return None;
    }
    Some(match (kind, value) {
        (Number, Json::String(_)) => Finding::error("number.invalid"),
        (Date, Json::String(s)) => invalid_date(s, year_only),
        _ => Finding::error("type.invalid").with("expected", expected),
    })
}

/// A date that is not one; written as a date but naming no day, it says which part is wrong; where the
/// field takes a year alone, the message says so.
fn invalid_date(s: &str, year_only: bool) -> Finding {
    let finding = Finding::error("date.invalid");
    match crate::Date::no_such_day(s) {
        Some(NoSuchDay::Month(month)) => finding.with("month", month),
        Some(NoSuchDay::Day { day, month, year }) => finding.with("day", day).with("month", month).with("year", year),
        None if year_only => finding.with("year_only", true),
        // A year alone where the field wants the day and month too.
        None => match crate::Date::parse_year(s) {
            Some(year) => finding.with("year_alone", year),
            None => finding,
        },
    }
}

fn is_file_metadata(file: &Json) -> bool {
    file.get("name").is_some_and(Json::is_string)
        && file.get("type").is_some_and(Json::is_string)
        && file.get("size").is_some_and(Json::is_u64)
        // The back end's reference to the file's bytes, once uploaded.
        && file.get("upload").is_none_or(Json::is_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_types_are_named() {
        assert_eq!(check(FieldKind::Text, false, &json!(5)).unwrap().code, "type.invalid");
        assert_eq!(
            check(FieldKind::Number, false, &json!("abc")).unwrap().code,
            "number.invalid"
        );
        let no_31st = check(FieldKind::Date, false, &json!("31/04/2020")).unwrap();
        assert_eq!(no_31st.code, "date.invalid");
        assert_eq!(
            no_31st.params,
            [("day", "31".into()), ("month", "4".into()), ("year", "2020".into())]
        );
        assert!(check(FieldKind::Date, false, &json!("hôm qua"))
            .unwrap()
            .params
            .is_empty());
        assert_eq!(
            check(FieldKind::Address, false, &json!({"ward": "x"})).unwrap().code,
            "type.invalid"
        );
        assert!(check(FieldKind::Date, false, &json!("2020-04-30")).is_none());
        assert_eq!(
            check(FieldKind::Date, false, &json!("1950")).unwrap().code,
            "date.invalid"
        );
        assert!(check(FieldKind::Date, true, &json!("1950")).is_none(), "year_only");
        assert!(check(
            FieldKind::File,
            false,
            &json!([{"name": "a.pdf", "type": "application/pdf", "size": 10}])
        )
        .is_none());
        assert!(check(FieldKind::File, false, &json!([{"name": "a.pdf", "size": -1}])).is_some());
        let uploaded = json!([{"name": "a.pdf", "size": 8, "type": "application/pdf", "upload": "UP1"}]);
        assert!(check(FieldKind::File, false, &uploaded).is_none());
        let bad_reference = json!([{"name": "a.pdf", "size": 8, "type": "application/pdf", "upload": 1}]);
        assert!(check(FieldKind::File, false, &bad_reference).is_some());
    }
}
