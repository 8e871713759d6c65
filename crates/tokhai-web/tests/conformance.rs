//! The conformance corpus (tests/conformance/cases) run in wasm: the same runner and files as the
//! native test, which also checks that the list below names every corpus file.
//!
//! One test per file: a panic aborts a wasm test, so one engine panic must not hide the other files.
#![cfg(target_arch = "wasm32")]

#[path = "../../../tests/conformance/runner.rs"]
mod runner;

use wasm_bindgen_test::wasm_bindgen_test;

/// Fewest cases the corpus may hold.
const MIN_CASES: usize = 150;

/// A test per corpus file (`test_name => "file.json"`, embedded at compile time), and the case count.
macro_rules! corpus {
    ($($test:ident => $file:literal),* $(,)?) => {
        $(
            #[wasm_bindgen_test]
            fn $test() {
                let json = include_str!(concat!("../../../tests/conformance/cases/", $file));
                tokhai_web::use_browser_unicode();
                if let Err(report) = runner::run_file($file, json) {
                    panic!("failing conformance cases:\n\n{report}");
                }
            }
        )*

        #[wasm_bindgen_test]
        fn the_corpus_has_enough_cases() {
            let files = [$(include_str!(concat!("../../../tests/conformance/cases/", $file))),*];
            let total: usize = files.iter().map(|json| case_count(json)).sum();
            assert!(total >= MIN_CASES, "the corpus has {total} cases, fewer than {MIN_CASES}");
        }
    };
}

/// Number of cases in a corpus file, without running them.
fn case_count(json: &str) -> usize {
    let file: serde_json::Value = serde_json::from_str(json).unwrap_or_default();
    file["cases"].as_array().map_or(0, Vec::len)
}

corpus! {
    address => "address.json",
    catalog => "catalog.json",
    checkbox => "checkbox.json",
    choice => "choice.json",
    computed => "computed.json",
    date => "date.json",
    email => "email.json",
    expressions => "expressions.json",
    file => "file.json",
    group => "group.json",
    hostile => "hostile.json",
    live => "live.json",
    members => "members.json",
    name => "name.json",
    number => "number.json",
    payload => "payload.json",
    periods => "periods.json",
    phone => "phone.json",
    pin => "pin.json",
    required => "required.json",
    rules => "rules.json",
    tax_code => "tax_code.json",
    text => "text.json",
    time_limit => "time_limit.json",
    visibility => "visibility.json",
    year_only => "year_only.json",
}
