//! The real form definitions in www/forms compile, and the admin-unit catalogue they use loads; so does
//! the widget's warm-up form (js/warm-up.json).

use std::path::PathBuf;
use std::sync::Arc;
use tokhai_core::estimate::{estimate, Klm};
use tokhai_core::lint::lint;
use tokhai_core::{Catalogs, FieldKind, Form};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_definition_in_www_forms_compiles_lints_clean_and_fits_the_target() {
    let mut compiled = 0;
    for entry in std::fs::read_dir(repo().join("www/forms")).expect("www/forms exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let json = std::fs::read_to_string(&path).unwrap();
            let form = match Form::compile(&json) {
                Ok(form) => Arc::new(form),
                Err(e) => panic!("{} does not compile:\n{e}", path.display()),
            };
            let warnings = lint(&form);
            assert!(warnings.is_empty(), "{}: {warnings:#?}", path.display());
            let e = estimate(&form, Klm::default());
            assert!(
                e.with_prefill <= 300.0,
                "{}: {:.0} s with prefill",
                path.display(),
                e.with_prefill
            );
            compiled += 1;
        }
    }
    assert!(compiled >= 1, "no definitions found");
}

#[test]
fn the_shared_admin_units_catalogue_loads() {
    let shared = std::env::var_os("TOKHAI_SHARED").map_or_else(|| repo().join("../shared"), PathBuf::from);
    let path = shared.join("data/admin-units/units-2025.json");
    let json = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (set TOKHAI_SHARED)", path.display()));
    let catalogs = Catalogs::from_admin_units(&json).unwrap();
    assert_eq!(catalogs.get("provinces").unwrap().len(), 34);
    assert_eq!(catalogs.get("communes").unwrap().len(), 3321);
    let hits = catalogs.get("communes").unwrap().search(Some("01"), "ba dinh", 5);
    assert_eq!(
        hits.first().map(|o| o.value.as_str()),
        Some("00004"),
        "ba dinh finds the ward of Ba Đình"
    );
    // No two communes of a province share an English name: Xã Thanh An and Xã Thạnh An say theirs.
    let provinces = catalogs.get("provinces").unwrap();
    for province in provinces.options(None) {
        let mut names: Vec<&str> = catalogs
            .get("communes")
            .unwrap()
            .options(Some(&province.value))
            .map(|c| c.label.get("en"))
            .collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "province {}", province.value);
    }
    let hcm = catalogs.get("communes").unwrap().options(Some("79"));
    let thanh_an: Vec<&str> = hcm
        .map(|c| c.label.get("en"))
        .filter(|n| n.starts_with("Thanh An"))
        .collect();
    assert_eq!(thanh_an.len(), 2, "{thanh_an:?}");
    assert!(thanh_an.iter().all(|n| n.ends_with(')')), "{thanh_an:?}");
}

/// Every kind of field a definition can hold.
const EVERY_KIND: [FieldKind; 16] = [
    FieldKind::Text,
    FieldKind::Textarea,
    FieldKind::Number,
    FieldKind::Date,
    FieldKind::Select,
    FieldKind::Radio,
    FieldKind::Checkbox,
    FieldKind::CheckboxGroup,
    FieldKind::Email,
    FieldKind::Phone,
    FieldKind::Pin,
    FieldKind::TaxCode,
    FieldKind::Name,
    FieldKind::Address,
    FieldKind::File,
    FieldKind::Group,
];

/// EVERY_KIND holds every kind the format reads: the names serde lists when refusing an unknown one.
#[test]
fn every_kind_is_listed() {
    let refusal = serde_json::from_str::<FieldKind>("\"?\"")
        .expect_err("no kind '?'")
        .to_string();
    // "unknown variant `?`, expected one of `text`, `textarea`, …"
    let read: Vec<&str> = refusal.split('`').skip(3).step_by(2).collect();
    let listed: Vec<String> = EVERY_KIND.iter().map(FieldKind::to_string).collect();
    assert_eq!(read, listed, "{refusal}");
}

/// The form js/warm-up.js mounts once, detached, to warm the wasm up before a real form mounts: if it no
/// longer compiled, the browser would only warn, and the first mount would run cold.
#[test]
fn the_widget_warm_up_form_compiles_with_every_kind_of_field() {
    let path = repo().join("js/warm-up.json");
    let json = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let form = Form::compile(&json).unwrap_or_else(|e| panic!("{} does not compile:\n{e}", path.display()));
    let missing: Vec<&str> = EVERY_KIND
        .into_iter()
        .filter(|&kind| !form.fields().any(|f| f.kind == kind))
        .map(FieldKind::name)
        .collect();
    assert!(missing.is_empty(), "the warm-up form has no field of kind {missing:?}");
}
