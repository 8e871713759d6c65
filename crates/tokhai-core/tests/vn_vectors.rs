//! Checks every vector of the shared `domain/vn-vectors.json` against the Vietnamese
//! validators and text functions. A list this file does not know makes the test fail.

use serde_json::{Map, Value};
use std::path::PathBuf;
use tokhai_core::text::{char_len, clean_line, match_key, nfc};
use tokhai_core::vn::phone::{self, PhoneKind};
use tokhai_core::vn::pin::{self, Sex, PROVINCE_CODES};
use tokhai_core::vn::{name, tax_code};
use tokhai_core::{Date, Finding, Severity};

/// The shared directory: `TOKHAI_SHARED`, else `../shared` beside the repository.
fn shared_dir() -> PathBuf {
    std::env::var_os("TOKHAI_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

fn load_vectors() -> Map<String, Value> {
    let path = shared_dir().join("domain/vn-vectors.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the test vectors {}: {e}. Set TOKHAI_SHARED to the shared directory.",
            path.display()
        )
    });
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => map,
        other => panic!("{} is not a JSON object: {other:?}", path.display()),
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector {v} has no string {key:?}"))
}

fn int_of(v: &Value, key: &str) -> i64 {
    v[key]
        .as_i64()
        .unwrap_or_else(|| panic!("vector {v} has no integer {key:?}"))
}

fn bool_of(v: &Value, key: &str) -> bool {
    v[key]
        .as_bool()
        .unwrap_or_else(|| panic!("vector {v} has no boolean {key:?}"))
}

fn strings_of<'a>(v: &'a Value, key: &str) -> Vec<&'a str> {
    let list = v[key]
        .as_array()
        .unwrap_or_else(|| panic!("vector {v} has no list {key:?}"));
    list.iter()
        .map(|s| s.as_str().unwrap_or_else(|| panic!("{key} of {v} holds a non-string")))
        .collect()
}

/// Decodes the `\uXXXX` escapes of the `*_escaped` fields.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("\\u") {
        out.push_str(&rest[..i]);
        let hex = rest.get(i + 2..i + 6).unwrap_or_else(|| panic!("bad escape in {s:?}"));
        let code = u32::from_str_radix(hex, 16).unwrap_or_else(|e| panic!("bad escape in {s:?}: {e}"));
        out.push(char::from_u32(code).unwrap_or_else(|| panic!("bad escape in {s:?}")));
        rest = &rest[i + 6..];
    }
    out + rest
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code).collect()
}

fn sex_of(v: &Value, key: &str) -> Sex {
    let s = str_of(v, key);
    Sex::from_code(s).unwrap_or_else(|| panic!("unknown sex {s:?} in {v}"))
}

/// Runs the checks of one vector list and returns how many vectors it checked.
fn check_list(name: &str, list: &Value, year: i32) -> usize {
    if let Some(map) = list.as_object() {
        assert_eq!(name, "cccd_province_codes_pre2025", "unexpected object {name}");
        return province_codes(map);
    }
    let vectors = list
        .as_array()
        .unwrap_or_else(|| panic!("{name} is neither a list nor an object"));
    let check: fn(&Value, i32) = match name {
        "cccd_valid" => cccd_valid,
        "cccd_invalid" => cccd_invalid,
        "cccd_unknown_prefix" => cccd_unknown_prefix,
        "cccd_normalizable" => cccd_normalizable,
        "cccd_crosscheck" => cccd_crosscheck,
        "cmnd9" => cmnd9,
        "mst_valid" => mst_valid,
        "mst_normalizable" => mst_normalizable,
        "mst_invalid" => mst_invalid,
        "mst_ambiguous" => mst_ambiguous,
        "mst_personal_pin" => mst_personal_pin,
        "phone_valid" => phone_valid,
        "phone_invalid" => phone_invalid,
        "phone_non_personal" => phone_non_personal,
        "phone_uncertain" => phone_uncertain,
        "names_nfc_pairs" => names_nfc_pairs,
        "names_not_equivalent" => names_not_equivalent,
        "names_case" => names_case,
        "names_whitespace" => names_whitespace,
        "dates_ddmmyyyy" => dates_ddmmyyyy,
        "provinces_34_from_2025_07_01" => provinces_34,
        _ => panic!("vector list {name} has no checks in tests/vn_vectors.rs"),
    };
    for v in vectors {
        check(v, year);
    }
    vectors.len()
}

fn province_codes(map: &Map<String, Value>) -> usize {
    assert_eq!(map.len(), PROVINCE_CODES.len());
    for (code, name) in map {
        assert_eq!(pin::province(code), name.as_str(), "province of prefix {code}");
    }
    map.len()
}

fn cccd_valid(v: &Value, year: i32) {
    let (info, findings) = pin::check(&pin::normalize(str_of(v, "value")), year);
    assert!(findings.is_empty(), "{v}: {findings:?}");
    let info = info.unwrap_or_else(|| panic!("{v} not decoded"));
    assert_eq!(info.prefix, str_of(v, "province_code"), "{v}");
    assert_eq!(info.province, Some(str_of(v, "province_name_pre2025")), "{v}");
    assert_eq!(info.sex, sex_of(v, "sex"), "{v}");
    assert_eq!(i64::from(info.birth_year), int_of(v, "birth_year"), "{v}");
}

fn cccd_invalid(v: &Value, year: i32) {
    let (info, findings) = pin::check(&pin::normalize(str_of(v, "value")), year);
    let code = match str_of(v, "reason") {
        "length" => "pin.length",
        "format" => "pin.format",
        "future_birth_year" => "pin.future_birth_year",
        other => panic!("unmapped PIN reason {other}"),
    };
    assert!(
        findings.iter().any(|f| f.code == code && f.severity == Severity::Error),
        "{v}: {findings:?}"
    );
    if code != "pin.future_birth_year" {
        assert_eq!(info, None, "{v}");
    }
}

fn cccd_unknown_prefix(v: &Value, year: i32) {
    assert_eq!(str_of(v, "reason"), "unknown_prefix");
    let value = str_of(v, "value");
    let (info, findings) = pin::check(&pin::normalize(value), year);
    assert_eq!(
        findings,
        vec![Finding::warning("pin.unknown_prefix").with("prefix", &value[..3])],
        "{v}"
    );
    assert_eq!(info.map(|i| i.province), Some(None), "{v}");
}

fn cccd_normalizable(v: &Value, year: i32) {
    let normalized = pin::normalize(str_of(v, "input"));
    assert_eq!(normalized, str_of(v, "normalized"), "{v}");
    assert!(pin::check(&normalized, year).1.is_empty(), "{v}");
}

fn cccd_crosscheck(v: &Value, year: i32) {
    let (info, findings) = pin::check(&pin::normalize(str_of(v, "pin")), year);
    assert!(findings.is_empty(), "{v}: {findings:?}");
    let info = info.unwrap_or_else(|| panic!("{v} not decoded"));
    let dob = Date::parse_dmy(str_of(v, "dob")).unwrap_or_else(|| panic!("bad dob in {v}"));
    let expected: &[&str] = match str_of(v, "expect") {
        "consistent" => &[],
        "mismatch_sex" => &["pin.sex_mismatch"],
        "mismatch_year" => &["pin.birth_year_mismatch"],
        other => panic!("unmapped cross-check outcome {other}"),
    };
    assert_eq!(
        codes(&pin::cross_check(&info, Some(dob.year), Some(sex_of(v, "sex")))),
        expected,
        "{v}"
    );
}

fn cmnd9(v: &Value, _year: i32) {
    assert_eq!(pin::is_cmnd9(str_of(v, "value")), bool_of(v, "valid_format"), "{v}");
}

fn mst_valid(v: &Value, year: i32) {
    let findings = tax_code::check(&tax_code::normalize(str_of(v, "value")), year);
    assert!(findings.is_empty(), "{v}: {findings:?}");
}

fn mst_normalizable(v: &Value, year: i32) {
    let normalized = tax_code::normalize(str_of(v, "input"));
    assert_eq!(normalized, str_of(v, "normalized"), "{v}");
    assert!(tax_code::check(&normalized, year).is_empty(), "{v}");
}

fn mst_invalid(v: &Value, year: i32) {
    let findings = tax_code::check(&tax_code::normalize(str_of(v, "value")), year);
    let code = match str_of(v, "reason") {
        "checksum" => "tax_code.checksum",
        "branch_000" => "tax_code.branch_000",
        "length" => "tax_code.length",
        other => panic!("unmapped tax code reason {other}"),
    };
    assert_eq!(codes(&findings), [code], "{v}");
}

fn mst_ambiguous(v: &Value, year: i32) {
    let findings = tax_code::check(&tax_code::normalize(str_of(v, "value")), year);
    assert_eq!(findings, vec![Finding::warning("tax_code.ambiguous_check")], "{v}");
}

fn mst_personal_pin(v: &Value, year: i32) {
    let value = str_of(v, "value");
    assert!(tax_code::check(&tax_code::normalize(value), year).is_empty(), "{v}");
    assert!(pin::check(value, year).0.is_some(), "{v}");
}

fn phone_valid(v: &Value, _year: i32) {
    let (phone, findings) = phone::parse(str_of(v, "value"));
    assert!(findings.is_empty(), "{v}: {findings:?}");
    let phone = phone.unwrap_or_else(|| panic!("{v} not parsed"));
    assert_eq!(phone.e164, str_of(v, "e164"), "{v}");
    let kind = match str_of(v, "type") {
        "mobile" => PhoneKind::Mobile,
        "fixed_line" => PhoneKind::Landline,
        other => panic!("unmapped phone type {other}"),
    };
    assert_eq!(phone.kind, kind, "{v}");
    let shown = phone::display(&phone.e164);
    assert_eq!(
        phone::parse(&shown).0,
        Some(phone),
        "{v}: display {shown} does not read back"
    );
}

fn phone_invalid(v: &Value, _year: i32) {
    let (phone, findings) = phone::parse(str_of(v, "value"));
    assert_eq!(phone, None, "{v}");
    let code = match str_of(v, "reason") {
        "retired_11_digit" => "phone.retired",
        "no_such_range" => "phone.no_such_range",
        "too_long" | "landline_wrong_length" => "phone.length",
        other => panic!("unmapped phone reason {other}"),
    };
    assert_eq!(codes(&findings), [code], "{v}");
    if let Some((_, suggestion)) = findings[0].params.iter().find(|(k, _)| *k == "suggestion") {
        let (new, new_findings) = phone::parse(suggestion);
        assert!(
            new.is_some() && new_findings.is_empty(),
            "{v}: suggestion {suggestion} is not valid"
        );
        assert!(
            str_of(v, "value").ends_with(&suggestion[3..]),
            "{v}: suggestion {suggestion} changes the last 7 digits"
        );
    }
}

fn phone_non_personal(v: &Value, _year: i32) {
    assert_eq!(
        phone::parse(str_of(v, "value")),
        (None, vec![Finding::error("phone.non_personal")]),
        "{v}"
    );
}

fn phone_uncertain(v: &Value, _year: i32) {
    // Blocks outside libphonenumber but plausible: usable, with a warning.
    assert!(!bool_of(v, "libphonenumber_9_0_43_valid"), "{v}");
    let (phone, findings) = phone::parse(str_of(v, "value"));
    assert!(phone.is_some(), "{v}");
    assert_eq!(codes(&findings), ["phone.unknown_range"], "{v}");
    assert_eq!(findings[0].severity, Severity::Warning, "{v}");
}

fn names_nfc_pairs(v: &Value, _year: i32) {
    let input = str_of(v, "input");
    assert_eq!(unescape(str_of(v, "input_escaped")), input, "{v}");
    assert_eq!(input.chars().count() as i64, int_of(v, "len_input"), "{v}");
    let nfc_form = str_of(v, "nfc");
    assert_eq!(nfc(input), nfc_form, "{v}");
    assert_eq!(clean_line(input), nfc_form, "{v}");
    assert_eq!(char_len(input) as i64, int_of(v, "len_nfc"), "{v}");
    assert!(name::check(&clean_line(input), false).is_empty(), "{v}");
}

fn names_not_equivalent(v: &Value, _year: i32) {
    let (a, b) = (str_of(v, "a"), str_of(v, "b"));
    assert_eq!(unescape(str_of(v, "a_escaped")), a, "{v}");
    assert_eq!(unescape(str_of(v, "b_escaped")), b, "{v}");
    assert_ne!(nfc(a), nfc(b), "{v}");
    assert_eq!(match_key(a), match_key(b), "{v}");
}

fn names_case(v: &Value, _year: i32) {
    let (input, upper) = (str_of(v, "input"), str_of(v, "upper"));
    assert_eq!(nfc(input).to_uppercase(), upper, "{v}");
    assert!(name::check(upper, true).is_empty(), "{v}");
    assert_eq!(
        name::check(input, true),
        vec![Finding::error("name.not_uppercase")],
        "{v}"
    );
}

fn names_whitespace(v: &Value, _year: i32) {
    assert_eq!(
        clean_line(&unescape(str_of(v, "input_escaped"))),
        str_of(v, "normalized"),
        "{v}"
    );
}

fn dates_ddmmyyyy(v: &Value, _year: i32) {
    assert_eq!(
        Date::parse_dmy(str_of(v, "value")).is_some(),
        bool_of(v, "valid"),
        "{v}"
    );
}

fn provinces_34(v: &Value, _year: i32) {
    let prefixes = strings_of(v, "pin_prefixes_in_issued_ids");
    let names = strings_of(v, "merged_from_old_names");
    assert_eq!(prefixes.len(), names.len(), "{v}");
    for (prefix, old_name) in prefixes.iter().zip(names) {
        assert_eq!(pin::province(prefix), Some(old_name), "prefix {prefix} in {v}");
    }
}

#[test]
fn every_vector_holds() {
    let vectors = load_vectors();
    let year = vectors["_meta"]["as_of_year_for_future_checks"]
        .as_i64()
        .and_then(|y| i32::try_from(y).ok())
        .expect("_meta.as_of_year_for_future_checks");
    let mut expected = 0;
    let mut checked = 0;
    for (name, list) in vectors.iter().filter(|(name, _)| *name != "_meta") {
        expected += list
            .as_array()
            .map_or_else(|| list.as_object().map_or(0, Map::len), Vec::len);
        checked += check_list(name, list, year);
    }
    assert_eq!(checked, expected, "some vectors were not checked");
    println!("checked {checked} vectors from {} lists", vectors.len() - 1);
}

#[test]
fn the_34_provinces_cover_every_pin_prefix_once() {
    let vectors = load_vectors();
    let provinces = vectors["provinces_34_from_2025_07_01"]
        .as_array()
        .expect("provinces list");
    let mut prefixes: Vec<&str> = provinces
        .iter()
        .flat_map(|p| strings_of(p, "pin_prefixes_in_issued_ids"))
        .collect();
    prefixes.sort_unstable();
    let table: Vec<&str> = PROVINCE_CODES.iter().map(|(code, _)| *code).collect();
    assert_eq!(prefixes, table);
}
