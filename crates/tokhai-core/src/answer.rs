//! Answers as people read them: on the citizen's review page and receipt, and in the dossier an official
//! opens. Options by their labels, addresses in words, dates as dd/mm/yyyy, phones in their national
//! form, numbers as the language writes them.

use crate::catalog::CatalogView;
use crate::definition::{FieldDef, FieldKind};
use crate::normalize::{date_for_display, number_in, number_in_box};
use crate::vn::phone;
use serde_json::Value as Json;

/// What an answer left blank reads as, in `lang`.
pub fn blank(lang: &str) -> &'static str {
    if lang == "en" {
        "Left blank"
    } else {
        "Để trống"
    }
}

/// A check box's answer in `lang`.
fn yes_no(checked: bool, lang: &str) -> &'static str {
    match (checked, lang == "en") {
        (true, true) => "Yes",
        (true, false) => "Có",
        (false, true) => "No",
        (false, false) => "Không",
    }
}

/// `value` of field `def` in `lang`, its options looked up in `catalogs` ([`blank`] when there is none).
pub fn text(def: &FieldDef, value: &Json, catalogs: CatalogView<'_>, lang: &str) -> String {
    let label = |catalog: Option<&str>, code: &str| -> String {
        let own = def.options.iter().flatten().find(|o| o.value == code);
        let listed = || catalogs.get(catalog?)?.get(code);
        own.or_else(listed)
            .map_or_else(|| code.to_owned(), |o| o.label.get(lang).to_owned())
    };
    let text = match (def.kind, value) {
        (_, Json::Null) => String::new(),
        (FieldKind::Checkbox, Json::Bool(b)) => yes_no(*b, lang).to_owned(),
        (FieldKind::Select | FieldKind::Radio, Json::String(code)) => label(def.catalog.as_deref(), code),
        (FieldKind::CheckboxGroup, Json::Array(codes)) => codes
            .iter()
            .filter_map(Json::as_str)
            .map(|c| label(def.catalog.as_deref(), c))
            .collect::<Vec<_>>()
            .join(", "),
        (FieldKind::Address, Json::Object(p)) => {
            let part = |k: &str, catalog: &str| p.get(k).and_then(Json::as_str).map(|c| label(Some(catalog), c));
            let street = p.get("street").and_then(Json::as_str).map(str::to_owned);
            [street, part("commune", "communes"), part("province", "provinces")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        }
        (FieldKind::File, Json::Array(files)) => files
            .iter()
            .filter_map(|f| f.get("name").and_then(Json::as_str))
            .collect::<Vec<_>>()
            .join(", "),
        (FieldKind::Number, Json::Number(n)) => number_in(n.as_f64().unwrap_or_default(), lang),
        (kind, value) => in_box(kind, value, lang),
    };
    if text.is_empty() {
        blank(lang).to_owned()
    } else {
        text
    }
}

/// The rows of repeat group `def`, each as "label: answer; …" of the answers the row holds.
pub fn rows(def: &FieldDef, value: &Json, catalogs: CatalogView<'_>, lang: &str) -> Vec<String> {
    let rows = value.as_array().map(Vec::as_slice).unwrap_or_default();
    let row = |row: &Json| -> String {
        let answered = def.fields.iter().flatten().filter_map(|f| {
            let v = row.get(&f.id).filter(|v| !v.is_null())?;
            Some(format!("{}: {}", f.label.get(lang), text(f, v, catalogs, lang)))
        });
        answered.collect::<Vec<_>>().join("; ")
    };
    rows.iter().map(row).collect()
}

/// The text a value shows in a text box: dates as dd/mm/yyyy, Vietnamese phones in their national form
/// (`0912 345 678`), numbers as `lang` writes them (`1,5` in Vietnamese).
pub fn in_box(kind: FieldKind, value: &Json, lang: &str) -> String {
    match value {
        Json::String(s) if kind == FieldKind::Date => date_for_display(s),
        Json::String(s) if kind == FieldKind::Phone => phone::display(s),
        Json::String(s) => s.clone(),
        Json::Number(n) => number_in_box(n.as_f64().unwrap_or_default(), lang),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalogs;
    use serde_json::json;

    /// A field from its JSON definition.
    fn field(def: Json) -> FieldDef {
        serde_json::from_value(def).unwrap()
    }

    /// The text of `value` for field `def`, with `host` as the host's catalogues, in `lang`.
    fn shown(def: Json, value: Json, host: &Catalogs, lang: &str) -> String {
        let view = CatalogView {
            form: &Catalogs::new(),
            host,
        };
        text(&field(def), &value, view, lang)
    }

    /// The administrative units of the repository's reference data.
    fn units() -> Catalogs {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/admin-units/units-2025.json"
        );
        Catalogs::from_admin_units(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn options_read_as_their_labels_and_unknown_codes_as_they_are() {
        let def = json!({"id": "s", "kind": "radio", "label": "Giới tính",
            "options": [{"value": "nam", "label": {"vi": "Nam", "en": "Male"}}]});
        let none = Catalogs::new();
        assert_eq!(shown(def.clone(), json!("nam"), &none, "vi"), "Nam");
        assert_eq!(shown(def.clone(), json!("nam"), &none, "en"), "Male");
        assert_eq!(shown(def, json!("khac"), &none, "vi"), "khac");
    }

    #[test]
    fn addresses_read_in_words_from_the_catalogues() {
        let def = json!({"id": "a", "kind": "address", "label": "Nơi thường trú"});
        let value = json!({"street": "12 Lý Thường Kiệt", "commune": "00004", "province": "01"});
        let vi = shown(def.clone(), value.clone(), &units(), "vi");
        assert_eq!(vi, "12 Lý Thường Kiệt, Phường Ba Đình, Thành phố Hà Nội");
        assert_eq!(shown(def, value, &units(), "en"), "12 Lý Thường Kiệt, Ba Dinh, Hanoi");
    }

    #[test]
    fn checkboxes_numbers_dates_and_phones_read_as_the_language_writes_them() {
        let none = Catalogs::new();
        let check = json!({"id": "c", "kind": "checkbox", "label": "Đồng ý"});
        assert_eq!(shown(check.clone(), json!(true), &none, "vi"), "Có");
        assert_eq!(shown(check, json!(false), &none, "en"), "No");
        let number = json!({"id": "n", "kind": "number", "label": "Diện tích"});
        assert_eq!(shown(number.clone(), json!(12345.5), &none, "vi"), "12.345,5");
        assert_eq!(shown(number, json!(12345.5), &none, "en"), "12,345.5");
        let date = json!({"id": "d", "kind": "date", "label": "Ngày sinh"});
        assert_eq!(shown(date.clone(), json!("1990-03-05"), &none, "vi"), "05/03/1990");
        assert_eq!(shown(date, json!("1990"), &none, "vi"), "1990");
        let phone = json!({"id": "p", "kind": "phone", "label": "Điện thoại"});
        assert_eq!(shown(phone.clone(), json!("+84912345678"), &none, "vi"), "0912 345 678");
        assert_eq!(shown(phone, json!("+12025550123"), &none, "vi"), "+12025550123");
    }

    #[test]
    fn boxes_show_numbers_as_they_read_back() {
        assert_eq!(in_box(FieldKind::Number, &json!(42), "vi"), "42");
        assert_eq!(in_box(FieldKind::Number, &json!(1.5), "vi"), "1,5");
        assert_eq!(in_box(FieldKind::Number, &json!(1.5), "en"), "1.5");
        assert_eq!(in_box(FieldKind::Number, &json!(12345.5), "en"), "12345.5");
        assert_eq!(in_box(FieldKind::Text, &Json::Null, "vi"), "");
    }

    #[test]
    fn blanks_read_as_left_blank() {
        let none = Catalogs::new();
        let def = json!({"id": "t", "kind": "text", "label": "Ghi chú"});
        assert_eq!(shown(def.clone(), Json::Null, &none, "vi"), "Để trống");
        assert_eq!(shown(def, json!(""), &none, "en"), "Left blank");
        let files = json!({"id": "f", "kind": "file", "label": "Giấy tờ"});
        assert_eq!(shown(files, json!([]), &none, "vi"), "Để trống");
    }

    #[test]
    fn group_rows_list_the_answers_each_row_holds() {
        let def = field(json!({"id": "m", "kind": "group", "label": "Thành viên", "fields": [
            {"id": "name", "kind": "text", "label": {"vi": "Họ tên", "en": "Name"}},
            {"id": "dob", "kind": "date", "label": {"vi": "Ngày sinh", "en": "Born"}}]}));
        let value = json!([{"name": "Lê Văn A", "dob": "2001-02-03"}, {"name": "Lê Thị B", "dob": null}]);
        let (form, host) = (Catalogs::new(), Catalogs::new());
        let view = CatalogView {
            form: &form,
            host: &host,
        };
        assert_eq!(
            rows(&def, &value, view, "en"),
            ["Name: Lê Văn A; Born: 03/02/2001", "Name: Lê Thị B"]
        );
        assert!(rows(&def, &Json::Null, view, "vi").is_empty());
    }
}
