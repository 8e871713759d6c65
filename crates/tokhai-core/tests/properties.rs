//! Property tests: compiling never panics, and incremental input agrees with validating from scratch.

use proptest::prelude::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use tokhai_core::{Catalogs, Date, Form, Session};

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        "\\PC{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "text", "date", "group", "a", "b", "a == 1", "today()", "count(a)", "x("
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

const KINDS: [&str; 17] = [
    "text",
    "textarea",
    "number",
    "date",
    "select",
    "radio",
    "checkbox",
    "checkbox_group",
    "email",
    "phone",
    "pin",
    "tax_code",
    "name",
    "address",
    "file",
    "group",
    "bogus",
];
const ATTRS: [&str; 16] = [
    "required",
    "visible_if",
    "required_if",
    "compute",
    "min",
    "max",
    "min_length",
    "max_length",
    "pattern",
    "options",
    "catalog",
    "parent",
    "fields",
    "min_rows",
    "periods",
    "pin_links",
];

/// Field definitions that are nearly valid: real kinds and attributes with random values.
fn near_field() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec!["a", "b", "c", "d"]),
        prop::sample::select(KINDS.to_vec()),
        prop::collection::btree_map(prop::sample::select(ATTRS.to_vec()), any_json(), 0..4),
    )
        .prop_map(|(id, kind, attrs)| {
            let mut f = json!({"id": id, "kind": kind, "label": "L"});
            for (k, v) in attrs {
                f[k] = v;
            }
            f
        })
}

fn definition(fields: Vec<Value>) -> Value {
    json!({"tokhai": 1, "id": "p", "version": "1", "title": "P",
           "steps": [{"id": "s", "title": "S", "sections": [{"id": "x", "fields": fields}]}]})
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn compile_never_panics_on_arbitrary_json(v in any_json()) {
        let _ = Form::from_json(&v);
        let _ = Form::compile(&v.to_string());
    }

    #[test]
    fn compile_never_panics_on_nearly_valid_definitions(fields in prop::collection::vec(near_field(), 0..5)) {
        if let Ok(form) = Form::from_json(&definition(fields)) {
            // A definition that compiles must also run.
            let catalogs = Arc::new(Catalogs::new());
            if let Ok(mut s) = Session::new(Arc::new(form), catalogs, Date::new(2026, 1, 1).unwrap()) {
                s.validate_all();
            }
        }
    }
}

fn sample_form() -> Arc<Form> {
    let fields = json!([
        {"id": "dob", "kind": "date", "label": "Ngày sinh", "required": true, "max_date": "today()"},
        {"id": "sex", "kind": "radio", "label": "Giới tính",
         "options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]},
        {"id": "pin", "kind": "pin", "label": "Số định danh", "pin_links": {"dob": "dob", "sex": "sex"}},
        {"id": "adult", "kind": "checkbox", "label": "Đủ 18 tuổi", "compute": "age_on(dob, today()) >= 18"},
        {"id": "guardian", "kind": "name", "label": "Người giám hộ", "visible_if": "not adult", "required": true},
        {"id": "phone", "kind": "phone", "label": "Điện thoại", "required_if": "empty(email)"},
        {"id": "email", "kind": "email", "label": "Email"},
        {"id": "income", "kind": "number", "label": "Thu nhập", "min": 0, "max": 1000000000},
        {"id": "note", "kind": "text", "label": "Ghi chú", "max_length": 5,
         "rules": [{"check": "not contains(note, 'x')", "code": "custom.no_x", "message": "Không dùng x"}]}
    ]);
    Arc::new(Form::from_json(&definition(fields.as_array().unwrap().clone())).unwrap())
}

fn raw_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-5i64..3_000_000_000).prop_map(|n| json!(n)),
        prop::sample::select(vec![
            "",
            " ",
            "01/01/1990",
            "31/02/2001",
            "2012-06-30",
            "001089012345",
            "001190012345",
            "0912345678",
            "+84 912 345 678",
            "a@b.vn",
            "nam",
            "nu",
            "Nguyễn Văn An",
            "Nguye\u{0302}\u{0303}n",
            "xx",
            "12",
            "1e3",
        ])
        .prop_map(|s| json!(s)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn incremental_inputs_end_where_validating_from_scratch_does(
        steps in prop::collection::vec(
            (prop::sample::select(vec!["dob", "sex", "pin", "guardian", "phone", "email", "income", "note"]), raw_value()),
            0..24,
        )
    ) {
        let form = sample_form();
        let catalogs = Arc::new(Catalogs::new());
        let today = Date::new(2026, 11, 23).unwrap();
        let mut incremental = Session::new(Arc::clone(&form), Arc::clone(&catalogs), today).unwrap();
        let mut last = BTreeMap::new();
        for (path, value) in &steps {
            incremental.input(path, value.clone()).unwrap();
            last.insert(*path, value.clone());
        }
        incremental.validate_all();
        let mut fresh = Session::new(form, catalogs, today).unwrap();
        for (path, value) in last.into_iter().rev() {
            fresh.input(path, value).unwrap();
        }
        fresh.validate_all();
        prop_assert_eq!(incremental.values(), fresh.values());
        prop_assert_eq!(incremental.issues(), fresh.issues());
    }
}
