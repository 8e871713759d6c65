//! The browser-test fixtures compile, and a session on them behaves as the widget expects (native and wasm).

use std::sync::Arc;
use tokhai_core::{Catalogs, Date, Form, Session};
use wasm_bindgen_test::wasm_bindgen_test;

const SAMPLE: &str = include_str!("../../../tests/fixtures/ct01-sample.json");
const XSS: &str = include_str!("../../../tests/fixtures/xss.json");
const UNITS: &str = r#"{"provinces":[{"code":"01","full_name":"Thành phố Hà Nội","name_en":"Hanoi"}],
  "communes":[{"code":"00004","province":"01","full_name":"Phường Hoàn Kiếm","name_en":"Hoan Kiem"}]}"#;

fn session(definition: &str) -> Session {
    #[cfg(target_arch = "wasm32")]
    tokhai_web::use_browser_unicode();
    let form = Arc::new(Form::compile(definition).unwrap_or_else(|e| panic!("{e}")));
    let catalogs = Catalogs::from_json(UNITS).expect("catalogue");
    Session::new(form, Arc::new(catalogs), Date::new(2026, 11, 23).unwrap()).expect("session")
}

#[test]
#[wasm_bindgen_test]
fn the_sample_form_has_forty_fields_and_a_conditional_one() {
    let mut s = session(SAMPLE);
    assert_eq!(s.form().fields().count(), 40);
    s.input("request_type", "tam_tru".into()).unwrap();
    s.input("residence.province", "01".into()).unwrap();
    s.input("residence.commune", "00004".into()).unwrap();
    let values = s.values();
    assert_eq!(values["residence"]["commune"], "00004");
    s.validate_all();
    let paths: Vec<String> = s.issues().into_iter().map(|i| i.path).collect();
    assert!(paths.contains(&"temp_until".to_owned()), "{paths:?}");
    assert!(paths.contains(&"residence.street".to_owned()), "{paths:?}");
}

#[test]
#[wasm_bindgen_test]
fn the_markup_fixture_compiles() {
    let s = session(XSS);
    assert!(s.form().def().steps[0].sections[0].fields[0]
        .label
        .get("vi")
        .starts_with("<img"));
}

#[test]
#[wasm_bindgen_test]
fn a_catalogue_named_twice_is_refused_not_half_read() {
    let lists = r#"{"c": [{"value": "1", "label": "1"}], "c": [{"value": "2", "label": "2"}]}"#;
    let error = Catalogs::from_json(lists).expect_err("refused").to_string();
    assert!(error.contains("given twice"), "{error}");
    assert!(Catalogs::from_json(r#"{"c": [{"value": "1", "label": "1"}]}"#).is_ok());
}
