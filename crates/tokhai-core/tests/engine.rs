//! Compile-time checks of definitions and the behaviour of sessions, end to end through the public API.

use serde_json::{json, Value};
use std::sync::Arc;
use tokhai_core::definition::OptionDef;
use tokhai_core::{messages, Catalogs, Date, FieldKind, Form, Patch, Session, Text};

fn form(fields: Value) -> Value {
    json!({"tokhai": 1, "id": "t", "version": "1", "title": "T",
           "steps": [{"id": "s", "title": "S", "sections": [{"id": "a", "fields": fields}]}]})
}

fn compile_errors(fields: Value) -> Vec<(String, String)> {
    match Form::compile(&form(fields).to_string()) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.0.into_iter().map(|e| (e.path, e.message)).collect(),
    }
}

fn session(fields: Value) -> Session {
    let form = Arc::new(Form::compile(&form(fields).to_string()).expect("compiles"));
    Session::new(form, Arc::new(Catalogs::new()), Date::new(2026, 11, 23).unwrap()).unwrap()
}

/// A session over a whole definition, with empty address catalogues.
fn with_addresses(definition: Value) -> Session {
    let mut catalogs = Catalogs::new();
    for name in ["provinces", "communes"] {
        catalogs.insert(name, Vec::new()).unwrap();
    }
    let form = Arc::new(Form::compile(&definition.to_string()).unwrap());
    Session::new(form, Arc::new(catalogs), Date::new(2026, 11, 23).unwrap()).unwrap()
}

fn codes(s: &Session) -> Vec<(String, String)> {
    s.issues().into_iter().map(|i| (i.path, i.code)).collect()
}

#[test]
fn every_definition_problem_is_reported_with_its_path() {
    let errors = compile_errors(json!([
        {"id": "a", "kind": "text", "label": "A", "min_length": 5, "max_length": 2},
        {"id": "a", "kind": "number", "label": "B", "min": 3, "max": 1},
        {"id": "c", "kind": "text", "label": "C", "visible_if": "nope == 1"},
        {"id": "d", "kind": "select", "label": "D", "catalog": "planets"},
        {"id": "e", "kind": "text", "label": "E", "required": true, "visible_if": "false"},
        {"id": "f", "kind": "text", "label": "F", "pattern": "("},
        {"id": "g", "kind": "text", "label": "G", "options": []}
    ]));
    let paths: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
    let base = "$.steps[0].sections[0].fields";
    for expected in [
        format!("{base}[0].min_length"),
        format!("{base}[1].id"),
        format!("{base}[1].min"),
        format!("{base}[2].visible_if"),
        format!("{base}[3].catalog"),
        format!("{base}[4].required"),
        format!("{base}[5].pattern"),
        format!("{base}[6].options"),
    ] {
        assert!(paths.contains(&expected.as_str()), "missing {expected} in {errors:#?}");
    }
}

#[test]
fn definitions_no_citizen_could_file_or_read_right_are_refused() {
    let file = |extra: Value| {
        let mut f = json!({"id": "f", "kind": "file", "label": "F"});
        f.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        f
    };
    let errors = compile_errors(json!([
        file(json!({"max_files": 0})),
        file(json!({"max_size": 0})),
        file(json!({"accept": ["application/pdf", ".pdf", "*/*"]})),
        {"id": "p", "kind": "select", "label": "P", "catalog": "provinces", "parent": "p"},
        {"id": "a", "kind": "number", "label": "A", "rules": [
            {"check": "a > 1", "code": "custom.small", "message": "A lớn hơn 1"},
            {"check": "a > 2", "code": "custom no dots", "message": "A lớn hơn 2"}]},
        {"id": "b", "kind": "number", "label": "B", "rules": [
            {"check": "b > 5", "code": "custom.small", "message": "B lớn hơn 5"}]},
        {"id": "d", "kind": "date", "label": "D", "min_date": "'2020-13-45'", "max_date": "5"},
        {"id": "h", "kind": "group", "label": "H", "periods": {"from": "d", "to": "h_to"},
         "fields": [{"id": "h_to", "kind": "date", "label": "Đến"}]}
    ]));
    let paths: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
    let base = "$.steps[0].sections[0].fields";
    for expected in [
        format!("{base}[0].max_files"),
        format!("{base}[1].max_size"),
        format!("{base}[2].accept[1]"),
        format!("{base}[2].accept[2]"),
        format!("{base}[3].parent"),
        format!("{base}[4].rules[1].code"),
        format!("{base}[5].rules[0].code"),
        format!("{base}[6].min_date"),
        format!("{base}[6].max_date"),
        format!("{base}[7].periods"),
    ] {
        assert!(paths.contains(&expected.as_str()), "missing {expected} in {errors:#?}");
    }
    assert!(!paths.contains(&format!("{base}[2].accept[0]").as_str()), "{errors:#?}");
    // A form rule's code is held to the same shape.
    let mut definition = form(json!([{"id": "a", "kind": "text", "label": "A"}]));
    definition["rules"] = json!([{"check": "a != 'x'", "code": "required", "message": "A khác x", "path": "a"}]);
    let errors = Form::compile(&definition.to_string()).expect_err("refused").0;
    assert_eq!(errors[0].path, "$.rules[0].code", "{errors:?}");
}

#[test]
fn a_field_no_value_could_ever_pass_is_refused() {
    let text = |id: &str, extra: Value| {
        let mut f = json!({"id": id, "kind": "text", "label": id});
        f.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        f
    };
    let errors = compile_errors(json!([
        text("t1", json!({"pattern": "\\d{6}", "max_length": 5})),
        text("t2", json!({"pattern": "[A-Z]{2}(-\\d{1,3})?", "min_length": 7})),
        text("t3", json!({"pattern": "[^\\s\\S]+"})),
        {"id": "n", "kind": "number", "label": "N", "integer": true, "min": 1.5, "max": 1.7},
        // What can pass is kept: a pattern within its bounds, an optional empty class, a whole number.
        text("t4", json!({"pattern": "\\d{5}|\\d{7}", "min_length": 6, "max_length": 7})),
        text("t5", json!({"pattern": "a[^\\s\\S]*", "max_length": 1})),
        text("t6", json!({"pattern": "x*", "min_length": 900})),
        {"id": "w", "kind": "number", "label": "W", "integer": true, "min": 1.5, "max": 2}
    ]));
    let base = "$.steps[0].sections[0].fields";
    let found: Vec<String> = errors.iter().map(|(p, m)| format!("{p}: {m}")).collect();
    assert_eq!(
        found,
        [
            format!("{base}[0].pattern: the pattern takes at least 6 characters, more than max_length (5)"),
            format!("{base}[1].pattern: the pattern takes at most 6 characters, fewer than min_length (7)"),
            format!("{base}[2].pattern: the pattern matches no text, so no answer could be accepted"),
            format!("{base}[3].min: no whole number lies between min and max"),
        ],
        "{errors:#?}"
    );
}

#[test]
fn issues_come_in_the_order_the_page_shows_them_row_by_row() {
    let mut s = session(json!([
        {"id": "name", "kind": "text", "label": "Họ tên", "required": true},
        {"id": "rows", "kind": "group", "label": "Thành viên", "fields": [
            {"id": "pin", "kind": "text", "label": "Số định danh", "required": true},
            {"id": "who", "kind": "text", "label": "Họ tên", "required": true}]},
        {"id": "phone", "kind": "text", "label": "Điện thoại", "required": true}
    ]));
    s.add_row("rows").unwrap();
    s.add_row("rows").unwrap();
    s.validate_all();
    let paths: Vec<String> = codes(&s).into_iter().map(|(p, _)| p).collect();
    let order = [
        "name",
        "rows[0].pin",
        "rows[0].who",
        "rows[1].pin",
        "rows[1].who",
        "phone",
    ];
    assert_eq!(paths, order);
    let pending: Vec<String> = s.pending_errors().into_iter().map(|i| i.path).collect();
    assert_eq!(pending, order);
}

#[test]
fn a_definition_saved_with_a_byte_order_mark_compiles() {
    let text = format!("\u{feff}{}", form(json!([{"id": "a", "kind": "text", "label": "A"}])));
    assert!(Form::compile(&text).is_ok());
}

#[test]
fn an_expression_reads_the_parts_of_an_address_and_nothing_else() {
    let errors = compile_errors(json!([
        {"id": "home", "kind": "address", "label": "Nơi ở"},
        {"id": "name", "kind": "text", "label": "Tên"},
        {"id": "rows", "kind": "group", "label": "Dòng", "fields": [{"id": "r_home", "kind": "address", "label": "Nơi ở"}]},
        {"id": "a", "kind": "text", "label": "A", "visible_if": "home.city == 'x'"},
        {"id": "b", "kind": "text", "label": "B", "visible_if": "name.province == 'x'"},
        {"id": "c", "kind": "text", "label": "C", "visible_if": "r_home.province == 'x'"},
        {"id": "d", "kind": "text", "label": "D", "visible_if": "nowhere.province == 'x'"},
        {"id": "e", "kind": "text", "label": "E", "visible_if": "home.province == '01' and home. commune"}
    ]));
    let messages: Vec<&str> = errors.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(messages.len(), 5, "{errors:?}");
    assert!(
        messages[0].contains("'home.city': an address's parts are province, commune, street"),
        "{errors:?}"
    );
    assert!(
        messages[1].contains("'name.province': only an address outside a group's rows has parts"),
        "{errors:?}"
    );
    assert!(
        messages[2].contains("'r_home.province': only an address outside a group's rows has parts"),
        "{errors:?}"
    );
    assert!(messages[3].contains("unknown field 'nowhere'"), "{errors:?}");
    assert!(messages[4].contains("unexpected character '.'"), "{errors:?}");
}

#[test]
fn a_definition_nested_too_deep_says_so_not_that_it_is_not_json() {
    let deep = format!("{}{}", "[".repeat(300), "]".repeat(300));
    let text = form(json!([{"id": "a", "kind": "text", "label": "A"}]))
        .to_string()
        .replacen("\"A\"", &deep, 1);
    let errors = Form::compile(&text).err().unwrap().to_string();
    assert!(
        errors.starts_with("$: nested more than 128 levels deep at line 1 column "),
        "{errors}"
    );
}

#[test]
fn a_label_holding_half_an_emoji_is_named_so_not_a_json_typo() {
    let text = form(json!([{"id": "a", "kind": "text", "label": "A"}]))
        .to_string()
        .replacen("\"A\"", r#""Nh\ud83d""#, 1);
    let errors = Form::compile(&text).err().unwrap().to_string();
    assert!(
        errors.starts_with("$: a string holds a lone UTF-16 surrogate"),
        "{errors}"
    );
}

#[test]
fn a_key_written_twice_is_refused_with_where_it_is() {
    let field = r#"{"id": "a", "kind": "text", "label": "A"}"#;
    let cases = [
        (field.replace(r#""id": "a""#, r#""id": "a", "id": "b""#), "\"id\""),
        (
            field.replace(r#""label": "A""#, r#""label": {"vi": "A", "vi": "B"}"#),
            "\"vi\"",
        ),
        (
            field.replace(r#""label": "A""#, r#""label": "A", "\u006cabel": "B""#),
            "\"label\"",
        ),
    ];
    for (field, key) in cases {
        let text = form(json!([])).to_string().replace("[]", &format!("[{field}]"));
        let errors = Form::compile(&text).expect_err("refused").0;
        assert!(
            errors.len() == 1
                && errors[0]
                    .message
                    .contains(&format!("the key {key} is given twice at line 1")),
            "{errors:?}"
        );
    }
    let catalogs = r#"{"c": [{"value": "1", "label": "1"}], "c": [{"value": "2", "label": "2"}]}"#;
    let text = form(json!([]))
        .to_string()
        .replacen('{', &format!("{{\"catalogs\": {catalogs}, "), 1);
    assert!(
        Form::compile(&text).is_err(),
        "a catalogue named twice: one would be lost"
    );
}

#[test]
fn attributes_that_would_do_nothing_are_refused() {
    let errors = compile_errors(json!([
        {"id": "a", "kind": "text", "label": "A",
         "rules": [{"check": "true", "code": "custom.a", "message": "A", "path": "b"}]},
        {"id": "b", "kind": "select", "label": "B", "options": [{"value": "x", "label": "X", "parent": "zz"}]}
    ]));
    let paths: Vec<&str> = errors.iter().map(|(p, _)| p.as_str()).collect();
    assert!(
        paths.iter().any(|p| p.ends_with("fields[0].rules[0].path")),
        "{errors:?}"
    );
    assert!(
        paths.iter().any(|p| p.ends_with("fields[1].options[0].parent")),
        "{errors:?}"
    );
}

#[test]
fn expressions_that_could_never_hold_are_refused_with_what_to_write() {
    let errors = compile_errors(json!([
        {"id": "status", "kind": "select", "label": "S",
         "options": [{"value": "da_ket_hon", "label": "Đã kết hôn"}, {"value": "ly_hon", "label": "Ly hôn"}]},
        {"id": "times", "kind": "number", "label": "T"},
        {"id": "home", "kind": "address", "label": "H"},
        {"id": "a", "kind": "text", "label": "A", "visible_if": "status != 'married'"},
        {"id": "b", "kind": "text", "label": "B", "visible_if": "times == '1'"},
        {"id": "c", "kind": "text", "label": "C", "visible_if": "not empty(home)"},
        {"id": "d", "kind": "text", "label": "D", "visible_if": "status in ['da_ket_hon', 'goa']"},
        {"id": "e", "kind": "date", "label": "E", "max_date": "'2006-13-01'"},
        {"id": "fine", "kind": "text", "label": "F",
         "visible_if": "status in ['da_ket_hon', 'ly_hon'] and times == 1 and home.province == '01' and 'x' in trim(home.street) and 'a' in picks and empty(status)"},
        {"id": "picks", "kind": "checkbox_group", "label": "P", "options": [{"value": "a", "label": "A"}]},
        {"id": "f", "kind": "text", "label": "F", "visible_if": "status != ''"},
        {"id": "g", "kind": "text", "label": "G", "visible_if": "status == 1"},
        {"id": "h", "kind": "text", "label": "H", "visible_if": "picks == 'a'"},
        {"id": "i", "kind": "text", "label": "I", "visible_if": "'zz' in picks"},
        {"id": "j", "kind": "text", "label": "J", "visible_if": "contains(picks, 'zz') or contains(picks, 'a')"}
    ]));
    let at = |i: usize| -> Vec<&str> {
        let path = format!("fields[{i}]");
        errors
            .iter()
            .filter(|(p, _)| p.contains(&path))
            .map(|(_, m)| m.as_str())
            .collect()
    };
    let one = |i: usize, words: &str| {
        let found = at(i);
        assert!(found.len() == 1 && found[0].contains(words), "field {i}: {found:?}");
    };
    one(3, "'status' has no option 'married': its values are da_ket_hon, ly_hon");
    one(4, "'times' holds a number: compare it with a number, not the text '1'");
    one(
        5,
        "'home' is an address: read one of its parts, home.province, home.commune, home.street",
    );
    one(6, "'status' has no option 'goa'");
    one(7, "'max_date' is no date: '2006-13-01' is no day of the calendar");
    assert_eq!(at(8), Vec::<&str>::new());
    one(
        10,
        "'status' is never the text '': to ask whether it is answered, write empty(status)",
    );
    one(
        11,
        "'status' holds an option's value, a text: compare it with '1', not the number 1",
    );
    one(
        12,
        "'picks' is a list of choices, never one value: write 'code' in picks",
    );
    one(13, "'picks' has no option 'zz'");
    one(14, "'picks' has no option 'zz'");
    assert_eq!(errors.len(), 10, "{errors:?}");
}

#[test]
fn kind_errors_name_the_kind_as_definitions_write_it() {
    let errors = compile_errors(json!([
        {"id": "a", "kind": "checkbox_group", "label": "A", "options": [{"value": "x", "label": "X"}],
         "pattern": "x", "compute": "'x'"},
        {"id": "b", "kind": "text", "label": "B", "row_name": "dòng"},
        {"id": "d", "kind": "pin", "label": "D", "pin_links": {"sex_is": "nu", "sex": "s"}},
        {"id": "s", "kind": "radio", "label": "S", "options": [{"value": "nam", "label": "Nam"}]},
        {"id": "home", "kind": "address", "label": "H", "compute": "'x'"}
    ]));
    let messages: Vec<&str> = errors.iter().map(|(_, m)| m.as_str()).collect();
    assert!(
        messages.contains(&"'pattern' does not apply to a checkbox_group field"),
        "{errors:?}"
    );
    assert!(
        messages.contains(&"'row_name' does not apply to a text field"),
        "{errors:?}"
    );
    assert!(messages.contains(&"give 'sex' or 'sex_is', not both"), "{errors:?}");
    assert!(messages.contains(&"an address field cannot be computed"), "{errors:?}");
    assert!(
        messages.contains(&"a checkbox_group field cannot be computed"),
        "{errors:?}"
    );
    // Every kind the JSON schema (generated from the types) lists has the same name as serde's.
    let schema: Value = serde_json::from_str(include_str!("../../../schema/tokhai-form.schema.json")).unwrap();
    let names: Vec<&str> = schema["$defs"]["FieldKind"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|kind| kind["const"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"checkbox_group"), "{names:?}");
    for name in names {
        let kind: FieldKind = serde_json::from_value(json!(name)).unwrap();
        assert_eq!(kind.name(), name);
    }
}

#[test]
fn a_parents_pin_names_the_sex_it_encodes_as_nam_or_nu() {
    let errors = compile_errors(json!([{"id": "m", "kind": "pin", "label": "M", "pin_links": {"sex_is": "female"}}]));
    assert!(
        errors
            .iter()
            .any(|(p, m)| p.ends_with("pin_links.sex_is") && m.contains("`nam`") && m.contains("`nu`")),
        "{errors:?}"
    );
}

#[test]
fn structural_errors_of_several_fields_are_all_reported() {
    let errors = compile_errors(json!([
        {"id": "a", "kind": "colour", "label": "A"},
        {"id": "b", "kind": "text", "label": "B", "maxlength": 3}
    ]));
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].0.ends_with("fields[0].kind"), "{errors:?}");
    assert!(errors[1].1.contains("maxlength"), "{errors:?}");
}

#[test]
fn a_bad_condition_every_field_of_a_section_inherits_is_reported_once() {
    let def = json!({"tokhai": 1, "id": "t", "version": "1", "title": "T",
    "steps": [{"id": "s", "title": "S", "sections": [{"id": "a", "visible_if": "nope == 1", "fields": [
        {"id": "b", "kind": "text", "label": "B"},
        {"id": "c", "kind": "text", "label": "C"},
        {"id": "d", "kind": "text", "label": "D"}
    ]}]}]});
    let errors = Form::compile(&def.to_string()).expect_err("an unknown name").0;
    let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["$.steps[0].sections[0].visible_if"], "{errors:?}");
}

#[test]
fn the_json_schema_takes_the_ids_the_compiler_takes_and_no_other() {
    let schema: Value = serde_json::from_str(include_str!("../../../schema/tokhai-form.schema.json")).unwrap();
    let pattern = schema["properties"]["id"]["pattern"]
        .as_str()
        .expect("ids have a pattern");
    let id_rule = tokhai_core::regex::Regex::new(pattern).unwrap();
    let long = "a".repeat(64);
    let too_long = "a".repeat(65);
    for id in [
        "a",
        "ct01",
        "so_cccd_2",
        long.as_str(),
        "Bad",
        "1a",
        "_a",
        "a-b",
        "a b",
        "",
        "á",
        too_long.as_str(),
    ] {
        let compiles = Form::compile(&form(json!([{"id": id, "kind": "text", "label": "L"}])).to_string()).is_ok();
        assert_eq!(id_rule.matches(id), compiles, "{id:?}");
    }
    for def in ["FieldDef", "SectionDef", "StepDef"] {
        assert_eq!(schema["$defs"][def]["properties"]["id"]["pattern"], pattern, "{def}");
    }
}

#[test]
fn arithmetic_on_dates_is_refused_with_what_to_write_instead() {
    let dates = |check: &str| {
        compile_errors(json!([
            {"id": "from", "kind": "date", "label": "Từ ngày"},
            {"id": "to", "kind": "date", "label": "Đến ngày"},
            {"id": "n", "kind": "number", "label": "Số ngày"},
            {"id": "c", "kind": "text", "label": "Ghi chú", "rules": [{"check": check, "code": "custom.c", "message": "Sai"}]}
        ]))
    };
    for check in [
        "to - from >= 30",
        "today() + 1 > to",
        "add_days(from, 2) * 2 > 1",
        "from + 'x' == 'y'",
    ] {
        let errors = dates(check);
        assert!(
            errors
                .iter()
                .any(|(_, m)| m.contains("dates take no arithmetic: use days_between")),
            "{check}: {errors:?}"
        );
    }
    // What it means, written as the language has it, compiles; so does arithmetic on numbers.
    for check in ["days_between(from, to) >= 30", "add_days(from, 30) <= to", "n + 1 > 2"] {
        assert!(
            Form::compile(&form(json!([
                {"id": "from", "kind": "date", "label": "Từ ngày"},
                {"id": "to", "kind": "date", "label": "Đến ngày"},
                {"id": "n", "kind": "number", "label": "Số ngày"},
                {"id": "c", "kind": "text", "label": "Ghi chú", "rules": [{"check": check, "code": "custom.c", "message": "Sai"}]}
            ]))
            .to_string())
            .is_ok(),
            "{check}"
        );
    }
}

#[test]
fn a_rule_message_naming_a_blank_no_one_fills_is_refused() {
    let rule = |message: Value| {
        json!([{"id": "code", "kind": "text", "label": "Mã",
                "rules": [{"check": "len(code) <= 5", "code": "custom.short", "message": message}]}])
    };
    let errors = compile_errors(rule(
        json!({"vi": "{label}: tối đa {max} ký tự", "en": "{label}: at most 5"}),
    ));
    assert_eq!(
        errors,
        [(
            "$.steps[0].sections[0].fields[0].rules[0].message".to_owned(),
            "a rule's message fills in only {label}: {max} would show as written".to_owned()
        )]
    );
    let fine = rule(json!({"vi": "{label}: tối đa 5 ký tự {}", "en": "{label}: at most 5"}));
    assert!(Form::compile(&form(fine).to_string()).is_ok());
}

#[test]
fn a_field_that_cannot_hold_its_prefilled_attribute_is_refused() {
    let errors = compile_errors(json!([
        {"id": "sex", "kind": "radio", "label": "Giới tính", "prefill": {"from": "population.sex"},
         "options": [{"value": "1", "label": "Nam"}, {"value": "2", "label": "Nữ"}]},
        {"id": "n", "kind": "number", "label": "Số", "prefill": {"from": "population.full_name"}},
        {"id": "home", "kind": "address", "label": "Nơi ở", "prefill": {"from": "population.dob"}},
        {"id": "dob", "kind": "date", "label": "Ngày sinh", "prefill": {"from": "population.dob"}}
    ]));
    let at = |k: usize| format!("$.steps[0].sections[0].fields[{k}].prefill.from");
    assert_eq!(
        errors,
        [
            (at(0), "'population.sex' cannot fill this radio field: it gives nam or nu, which its options must have as values".to_owned()),
            (at(1), "'population.full_name' cannot fill this number field: it holds a name".to_owned()),
            (at(2), "'population.dob' cannot fill this address field: it holds a date".to_owned()),
        ]
    );
}

#[test]
fn dependency_cycles_are_refused() {
    let errors = compile_errors(json!([
        {"id": "a", "kind": "number", "label": "A", "compute": "b + 1"},
        {"id": "b", "kind": "number", "label": "B", "compute": "a + 1"}
    ]));
    assert!(
        errors
            .iter()
            .any(|(_, m)| m.contains("cycle") && m.contains('a') && m.contains('b')),
        "{errors:?}"
    );
}

#[test]
fn malformed_input_is_refused_without_panic() {
    for bad in [
        "",
        "{",
        "[]",
        "null",
        "{\"tokhai\": 2}",
        "{\"tokhai\": 1, \"steps\": 5}",
    ] {
        assert!(Form::compile(bad).is_err(), "{bad}");
    }
}

#[test]
fn conditional_fields_appear_and_disappear_with_patches() {
    let mut s = session(json!([
        {"id": "has_phone", "kind": "checkbox", "label": "Có điện thoại"},
        {"id": "phone", "kind": "phone", "label": "Điện thoại", "visible_if": "has_phone", "required": true}
    ]));
    let patches = s.input("has_phone", json!(true)).unwrap();
    assert!(
        patches.contains(&Patch::Visible {
            path: "phone".into(),
            visible: true
        }),
        "{patches:?}"
    );
    s.validate_all();
    assert_eq!(codes(&s), [("phone".into(), "required".into())]);
    let patches = s.input("has_phone", json!(false)).unwrap();
    assert!(patches.contains(&Patch::Visible {
        path: "phone".into(),
        visible: false
    }));
    assert!(patches.contains(&Patch::Issues {
        path: "phone".into(),
        issues: vec![]
    }));
    assert_eq!(s.values(), json!({"has_phone": false}));
}

#[test]
fn a_snapshot_of_some_steps_is_the_whole_snapshot_of_their_fields() {
    let step = |id: &str, fields: Value| json!({"id": id, "title": id, "sections": [{"id": format!("{id}a"), "fields": fields}]});
    let definition = json!({"tokhai": 1, "id": "t", "version": "1", "title": "T", "steps": [
        step("one", json!([{"id": "name", "kind": "text", "label": "Tên", "required": true}])),
        step("two", json!([
            {"id": "rows", "kind": "group", "label": "Nơi ở", "min_rows": 2, "fields": [
                {"id": "place", "kind": "text", "label": "Nơi", "required": true}]},
            {"id": "note", "kind": "text", "label": "Ghi chú", "visible_if": "not empty(name)"}
        ])),
    ]});
    let mut s = with_addresses(definition);
    s.input("name", json!("An")).unwrap();
    s.validate_all();
    let on_two = |p: &Patch| ["rows", "note"].contains(&p.path().split(['.', '[']).next().unwrap());
    let whole = s.snapshot();
    let two: Vec<Patch> = whole.iter().filter(|p| on_two(p)).cloned().collect();
    assert!(two.iter().any(|p| p.path() == "rows[1].place"), "{two:?}");
    assert!(whole.len() > two.len());
    assert_eq!(s.snapshot_of(|step| step == 1), two);
    assert!(s.snapshot_of(|_| false).is_empty());
}

#[test]
fn pin_is_cross_checked_with_date_of_birth_and_sex() {
    let mut s = session(json!([
        {"id": "dob", "kind": "date", "label": "Ngày sinh"},
        {"id": "sex", "kind": "radio", "label": "Giới tính",
         "options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]},
        {"id": "pin", "kind": "pin", "label": "Số định danh", "pin_links": {"dob": "dob", "sex": "sex"}}
    ]));
    s.input("pin", json!("001 089 012 345")).unwrap();
    assert!(codes(&s).is_empty());
    let patches = s.input("dob", json!("15/03/1990")).unwrap();
    let pin_issues = patches.iter().find_map(|p| match p {
        Patch::Issues { path, issues } if path == "pin" => Some(issues.clone()),
        _ => None,
    });
    assert_eq!(pin_issues.unwrap()[0].code, "pin.birth_year_mismatch");
    s.input("dob", json!("15/03/1989")).unwrap();
    s.input("sex", json!("nu")).unwrap();
    assert_eq!(codes(&s), [("pin".into(), "pin.sex_mismatch".into())]);
    let issue = &s.issues()[0];
    assert!(messages::render(issue, s.form(), "vi").starts_with("Số định danh: giới tính"));
    assert!(messages::render(issue, s.form(), "en").contains("sex encoded"));
}

#[test]
fn a_pattern_error_says_what_the_value_must_look_like_when_the_definition_tells() {
    let mut s = session(json!([
        {"id": "plate", "kind": "text", "label": {"vi": "Biển số", "en": "Plate"}, "pattern": "\\d{2}[A-Z]-\\d{3}\\.\\d{2}",
         "pattern_message": {"vi": "nhập theo dạng 51A-123.45", "en": "enter it as 51A-123.45"}},
        {"id": "code", "kind": "text", "label": "Mã", "pattern": "[A-Z]{3}"}
    ]));
    s.input("plate", json!("51A12345")).unwrap();
    s.input("code", json!("ab")).unwrap();
    let rendered = |lang| {
        s.issues()
            .iter()
            .map(|i| messages::render(i, s.form(), lang))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rendered("vi"),
        ["Biển số: nhập theo dạng 51A-123.45", "Mã: không đúng định dạng"]
    );
    assert_eq!(
        rendered("en"),
        ["Plate: enter it as 51A-123.45", "Mã: the format is not right"]
    );
    s.input("plate", json!("51A-123.45")).unwrap();
    assert_eq!(codes(&s), [("code".into(), "pattern.mismatch".into())]);
    let errors = compile_errors(json!([{"id": "a", "kind": "text", "label": "A", "pattern_message": "x"}]));
    assert_eq!(
        errors[0].1, "'pattern_message' explains 'pattern': give 'pattern' too",
        "{errors:?}"
    );
}

#[test]
fn a_path_is_checked_for_input_without_changing_anything() {
    let definition = form(json!([
        {"id": "members", "kind": "group", "label": "Thành viên", "min_rows": 1, "fields": [
            {"id": "m_name", "kind": "name", "label": "Họ tên"}
        ]},
        {"id": "home", "kind": "address", "label": "Nơi ở"},
        {"id": "count", "kind": "number", "label": "Số người", "compute": "count(members)"}
    ]));
    let s = with_addresses(definition);
    let before = s.values();
    for fine in ["members[0].m_name", "home", "home.commune"] {
        assert_eq!(s.check_input(fine), Ok(()), "{fine}");
    }
    for (bad, reason) in [
        ("nickname", "unknown path 'nickname'"),
        ("members[1].m_name", "unknown path 'members[1].m_name'"),
        ("home.district", "unknown path 'home.district'"),
        ("count", "'count' is read-only"),
        ("members", "'members' is read-only"),
    ] {
        assert_eq!(
            s.check_input(bad).map_err(|e| e.to_string()),
            Err(reason.to_owned()),
            "{bad}"
        );
    }
    assert_eq!(s.values(), before);
}

#[test]
fn a_name_wanted_in_capitals_is_kept_in_capitals_however_typed() {
    let mut s = session(json!([
        {"id": "full_name", "kind": "name", "label": "Họ tên", "required": true, "uppercase": true},
        {"id": "other_name", "kind": "name", "label": "Tên khác"}
    ]));
    s.input("full_name", json!("nguyễn văn an")).unwrap();
    s.input("other_name", json!("Bé Na")).unwrap();
    assert_eq!(s.value_at("full_name"), Some(json!("NGUYỄN VĂN AN")));
    assert_eq!(s.value_at("other_name"), Some(json!("Bé Na")), "no capitals wanted");
    assert_eq!(codes(&s), vec![], "not refused for want of capitals");
}

#[test]
fn a_value_is_read_at_its_path_in_a_row_or_an_address() {
    let definition = form(json!([
        {"id": "members", "kind": "group", "label": "Thành viên", "min_rows": 2, "fields": [
            {"id": "m_name", "kind": "name", "label": "Họ tên"}
        ]},
        {"id": "home", "kind": "address", "label": "Nơi ở"}
    ]));
    let mut s = with_addresses(definition);
    s.input("members[1].m_name", json!("Lê Thị Hoa")).unwrap();
    s.input("home.street", json!("Số 1")).unwrap();
    assert_eq!(s.value_at("members[1].m_name"), Some(json!("Lê Thị Hoa")));
    assert_eq!(s.value_at("members[0].m_name"), Some(Value::Null));
    assert_eq!(s.value_at("home.street"), Some(json!("Số 1")));
    assert_eq!(s.value_at("home.province"), Some(Value::Null));
    for unknown in ["members[2].m_name", "home.district", "nickname"] {
        assert_eq!(s.value_at(unknown), None, "{unknown}");
    }
}

#[test]
fn computed_values_and_aggregates_follow_rows() {
    let mut s = session(json!([
        {"id": "members", "kind": "group", "label": "Thành viên", "min_rows": 1, "max_rows": 3, "fields": [
            {"id": "m_name", "kind": "name", "label": "Họ tên", "required": true},
            {"id": "m_age", "kind": "number", "label": "Tuổi"}
        ]},
        {"id": "count", "kind": "number", "label": "Số người", "compute": "count(members)"},
        {"id": "minors", "kind": "number", "label": "Trẻ em", "compute": "sum(members, if(m_age < 18, 1, 0))"}
    ]));
    s.input("members[0].m_age", json!("10")).unwrap();
    let patches = s.add_row("members").unwrap();
    assert!(patches.contains(&Patch::Rows {
        path: "members".into(),
        count: 2
    }));
    assert!(
        patches.contains(&Patch::Value {
            path: "count".into(),
            value: json!(2)
        }),
        "{patches:?}"
    );
    s.input("members[1].m_age", json!(40)).unwrap();
    assert_eq!(s.values()["minors"], json!(1));
    s.remove_row("members", 0).unwrap();
    assert_eq!(s.values()["minors"], json!(0));
    s.validate_all();
    assert_eq!(codes(&s), [("members[0].m_name".into(), "required".into())]);
    assert!(s.add_row("members").is_ok() && s.add_row("members").is_ok());
    assert!(s.add_row("members").is_err(), "a fourth row is refused");
    let four = json!({"members": [{"m_name": "An"}, {"m_name": "Bình"}, {"m_name": "Chi"}, {"m_name": "Dũng"}]});
    assert!(s.load(&four).is_empty());
    s.validate_all();
    assert_eq!(codes(&s), [("members".into(), "rows.too_many".into())]);
}

#[test]
fn residence_periods_must_not_overlap_and_must_cover_from_age_14() {
    let mut s = session(json!([
        {"id": "dob", "kind": "date", "label": "Ngày sinh"},
        {"id": "history", "kind": "group", "label": "Quá trình cư trú",
         "periods": {"from": "h_from", "to": "h_to", "cover_from": "add_years(dob, 14)", "cover_to": "today()"},
         "fields": [
            {"id": "h_from", "kind": "date", "label": "Từ ngày", "required": true},
            {"id": "h_to", "kind": "date", "label": "Đến ngày", "required": true}
         ]}
    ]));
    s.input("dob", json!("01/01/2000")).unwrap();
    s.add_row("history").unwrap();
    s.add_row("history").unwrap();
    s.input("history[0].h_from", json!("01/01/2014")).unwrap();
    s.input("history[0].h_to", json!("31/12/2020")).unwrap();
    s.input("history[1].h_from", json!("01/06/2020")).unwrap();
    s.input("history[1].h_to", json!("01/11/2026")).unwrap();
    s.validate_all();
    let found = codes(&s);
    assert!(
        found.contains(&("history".into(), "periods.overlap".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("history".into(), "periods.end_uncovered".into())),
        "{found:?}"
    );
    s.input("history[1].h_from", json!("01/01/2021")).unwrap();
    s.input("history[1].h_to", json!("23/11/2026")).unwrap();
    assert!(codes(&s).is_empty(), "{:?}", codes(&s));
}

#[test]
fn the_server_refuses_what_the_form_would_never_send() {
    let form = Arc::new(
        Form::compile(
            &form(json!([
                {"id": "a", "kind": "checkbox", "label": "A"},
                {"id": "b", "kind": "text", "label": "B", "visible_if": "a"},
                {"id": "c", "kind": "text", "label": "C", "compute": "upper(b)"}
            ]))
            .to_string(),
        )
        .unwrap(),
    );
    let catalogs = Arc::new(Catalogs::new());
    let today = Date::new(2026, 11, 23).unwrap();
    let check = |v: Value| -> Vec<String> {
        tokhai_core::validate_submission(&form, &catalogs, &v, today)
            .unwrap()
            .into_iter()
            .map(|i| i.code)
            .collect()
    };
    assert!(check(json!({"a": true, "b": "x", "c": "X"})).is_empty());
    assert_eq!(check(json!({"a": false, "b": "x"})), ["payload.hidden_field"]);
    assert_eq!(
        check(json!({"a": true, "b": "x", "c": "Y"})),
        ["payload.computed_mismatch"]
    );
    assert_eq!(check(json!({"z": 1})), ["payload.unknown_field"]);
    assert_eq!(check(json!({"a": "yes"})), ["type.invalid"]);
    assert_eq!(check(json!([1])), ["payload.not_object"]);
}

#[test]
fn the_server_refuses_values_not_in_canonical_form_and_names_the_canonical_one() {
    let form = Arc::new(
        Form::compile(
            &form(json!([
                {"id": "phone", "kind": "phone", "label": "Điện thoại"},
                {"id": "mobile", "kind": "phone", "label": "Di động"},
                {"id": "pin", "kind": "pin", "label": "Số định danh", "prefill": {"from": "population.pin", "lock": true}},
                {"id": "dob", "kind": "date", "label": "Ngày sinh"},
                {"id": "email", "kind": "email", "label": "Thư điện tử"},
                {"id": "hometown", "kind": "text", "label": "Quê quán"},
                {"id": "upper", "kind": "text", "label": "Viết hoa", "compute": "upper(hometown)"},
                {"id": "members", "kind": "group", "label": "Thành viên", "fields": [
                    {"id": "m_phone", "kind": "phone", "label": "Điện thoại"}
                ]}
            ]))
            .to_string(),
        )
        .unwrap(),
    );
    let catalogs = Arc::new(Catalogs::new());
    let today = Date::new(2026, 11, 23).unwrap();
    let not_canonical = |v: Value| -> Vec<(String, String)> {
        let issues = tokhai_core::validate_submission(&form, &catalogs, &v, today).unwrap();
        let refused = issues.into_iter().filter(|i| i.code == "value.not_canonical");
        refused.map(|i| (i.path, i.params["expected"].clone())).collect()
    };
    let canonical = json!({
        "phone": "+84912345678", "mobile": "+84912345678", "pin": "030065051188", "dob": "1965-05-20",
        "email": "an@example.vn", "hometown": "Nguyễn", "upper": "NGUYỄN", "members": [{"m_phone": "+84912345678"}]
    });
    assert_eq!(not_canonical(canonical.clone()), []);
    let sent = json!({
        "phone": "0912 345 678", "mobile": "+84 912 345 678", "pin": "030 065 051188", "dob": "20/5/1965",
        "email": " an@example.vn ", "hometown": "Nguye\u{302}\u{303}n", "upper": "NGUYỄN",
        "members": [{"m_phone": "0912345678"}]
    });
    let expected = |path: &str, value: &str| (path.to_owned(), value.to_owned());
    assert_eq!(
        not_canonical(sent),
        [
            expected("dob", "1965-05-20"),
            expected("email", "an@example.vn"),
            expected("hometown", "Nguyễn"),
            expected("members[0].m_phone", "+84912345678"),
            expected("mobile", "+84912345678"),
            expected("phone", "+84912345678"),
            expected("pin", "030065051188"),
        ]
    );
    // A control or bidirectional-override character in free text (which the widget drops as typed).
    let mut hidden = canonical.clone();
    hidden["hometown"] = json!("Ngu\u{0}y\u{202e}ễn");
    assert_eq!(not_canonical(hidden), [expected("hometown", "Nguyễn")]);
    // Blanks are an absent value, as the rules take them; a computed value is judged by its expression.
    let mut blank = canonical.clone();
    blank["hometown"] = json!("  ");
    blank["upper"] = json!(null);
    assert_eq!(not_canonical(blank), []);
    let issue = tokhai_core::Issue::error("phone", "value.not_canonical").with("expected", "+84912345678");
    assert_eq!(
        messages::render(&issue, &form, "vi"),
        "Điện thoại: giá trị chưa ở dạng chuẩn, cần gửi: +84912345678"
    );
}

#[test]
fn a_draft_keeps_what_still_fits_and_reports_what_was_dropped() {
    let mut s = session(json!([
        {"id": "name", "kind": "name", "label": "Họ tên"},
        {"id": "sex", "kind": "radio", "label": "Giới tính",
         "options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]},
        {"id": "age", "kind": "number", "label": "Tuổi"}
    ]));
    let draft = json!({"name": "Nguyễn Văn An", "sex": "khac", "age": "abc", "fax": "024 1234 5678"});
    let dropped: Vec<(String, String)> = s.restore(&draft).into_iter().map(|i| (i.path, i.code)).collect();
    assert_eq!(
        dropped,
        [
            ("fax".into(), "payload.unknown_field".into()),
            ("sex".into(), "option.unknown".into())
        ]
    );
    assert_eq!(
        s.values(),
        json!({"name": "Nguyễn Văn An", "age": "abc"}),
        "a mistyped number is the citizen's own answer"
    );
}

#[test]
fn a_value_is_checked_on_its_own_whether_its_field_shows_or_not() {
    let s = session(json!([
        {"id": "renting", "kind": "checkbox", "label": "Thuê nhà"},
        {"id": "lease", "kind": "file", "label": "Hợp đồng", "visible_if": "renting", "required": true,
         "accept": ["application/pdf"], "max_size": 1024}
    ]));
    let check = |value: Value| -> Vec<String> {
        let issues = s.check_value("lease", &value).expect("a field of the form");
        issues.into_iter().map(|i| format!("{} {}", i.path, i.code)).collect()
    };
    // Hidden (renting is not ticked) and required, yet its own rules still judge a file.
    assert_eq!(
        check(json!([{"name": "a.pdf", "size": 10, "type": "application/pdf"}])),
        Vec::<String>::new()
    );
    assert_eq!(
        check(json!([{"name": "a.txt", "size": 10, "type": "text/plain"}])),
        ["lease file.type"]
    );
    assert_eq!(
        check(json!([{"name": "a.pdf", "size": 2048, "type": "application/pdf"}])),
        ["lease file.too_large"]
    );
    assert_eq!(
        check(json!([{"name": "a.pdf", "size": 1.5, "type": "application/pdf"}])),
        ["lease type.invalid"]
    );
    assert_eq!(check(json!([])), Vec::<String>::new(), "not required on its own");
    assert!(s.check_value("nothing", &json!([])).is_none());
}

#[test]
fn a_date_hint_s_example_is_a_date_its_field_takes() {
    let s = session(json!([
        {"id": "dob", "kind": "date", "label": "Ngày sinh", "max_date": "today()"},
        {"id": "child_dob", "kind": "date", "label": "Ngày sinh của trẻ", "max_date": "today()",
         "min_date": "add_years(today(), -18)"},
        {"id": "born_1990", "kind": "date", "label": "Sinh năm 1990", "max_date": "'1990-01-31'"},
        {"id": "appointment", "kind": "date", "label": "Ngày hẹn", "min_date": "add_days(today(), 2)",
         "max_date": "add_days(today(), 30)"},
        {"id": "new_year_2030", "kind": "date", "label": "Ngày 1/1/2030", "min_date": "'2030-01-01'",
         "max_date": "'2030-01-01'"}
    ]));
    let example = |id: &str| s.example_date(id).to_string();
    assert_eq!(example("dob"), "1990-03-05", "the usual example where it fits");
    assert_eq!(
        example("child_dob"),
        "2009-03-05",
        "the nearest 5 March within 18 years of today"
    );
    assert_eq!(example("born_1990"), "1989-03-05");
    assert_eq!(
        example("appointment"),
        "2026-11-25",
        "a range shorter than a year: the day nearest today"
    );
    assert_eq!(example("new_year_2030"), "2026-11-23", "none tried fits: today");
}

#[test]
fn a_value_that_cannot_be_its_field_s_is_a_misfit_one_its_rules_refuse_is_not() {
    let s = session(json!([
        {"id": "dob", "kind": "date", "label": "Ngày sinh", "max_date": "today()"},
        {"id": "birth", "kind": "date", "label": "Ngày sinh", "year_only": true},
        {"id": "sex", "kind": "radio", "label": "Giới tính",
         "options": [{"value": "M", "label": "Nam"}, {"value": "F", "label": "Nữ"}]},
        {"id": "rows", "kind": "group", "label": "Dòng",
         "fields": [{"id": "age", "kind": "number", "label": "Tuổi", "max": 150}]}
    ]));
    let misfit = |id: &str, value: Value| s.misfit(id, &value).map(|i| format!("{} {}", i.path, i.code));
    assert_eq!(misfit("dob", json!("2099-99-99")).as_deref(), Some("dob date.invalid"));
    assert_eq!(misfit("dob", json!(12345)).as_deref(), Some("dob type.invalid"));
    assert_eq!(misfit("sex", json!("zzz")).as_deref(), Some("sex option.unknown"));
    assert_eq!(misfit("age", json!("many")).as_deref(), Some("age number.invalid"));
    // A year alone, as some national records give a date of birth, fits only a `year_only` date.
    assert_eq!(misfit("dob", json!("1950")).as_deref(), Some("dob date.invalid"));
    assert_eq!(misfit("birth", json!("1950")), None);
    // Values of the right kind are no misfits, even those a rule refuses (a date after today).
    assert_eq!(misfit("dob", json!("2099-01-01")), None);
    assert_eq!(misfit("dob", json!("15/03/1989")), None, "normalised first");
    assert_eq!(misfit("sex", json!("F")), None);
    assert_eq!(misfit("age", json!(200)), None);
    assert_eq!(misfit("nothing", json!(1)), None);
}

#[test]
fn a_part_of_an_address_is_a_misfit_as_its_address_would_be() {
    let mut catalogs = Catalogs::new();
    let option = |value: &str, parent: Option<&str>| OptionDef {
        value: value.into(),
        label: Text::Vi(value.into()),
        parent: parent.map(Into::into),
    };
    catalogs
        .insert("provinces", vec![option("01", None), option("02", None)])
        .unwrap();
    catalogs.insert("communes", vec![option("00004", Some("01"))]).unwrap();
    let definition = form(json!([{"id": "home", "kind": "address", "label": "Nơi ở"}]));
    let form = Arc::new(Form::compile(&definition.to_string()).unwrap());
    let s = Session::new(form, Arc::new(catalogs), Date::new(2026, 11, 23).unwrap()).unwrap();
    let misfit = |path: &str, value: Value| s.misfit(path, &value).map(|i| i.code);
    assert_eq!(misfit("home.province", json!(0)).as_deref(), Some("type.invalid"));
    assert_eq!(misfit("home.province", json!("99")).as_deref(), Some("option.unknown"));
    assert_eq!(
        misfit("home.commune", json!("77777")).as_deref(),
        Some("option.unknown")
    );
    assert_eq!(misfit("home.province", json!("01")), None);
    // A commune of another province is no place at all: locked, the citizen could not mend it.
    let elsewhere = json!({"province": "02", "commune": "00004"});
    assert_eq!(misfit("home", elsewhere).as_deref(), Some("option.not_in_parent"));
    assert_eq!(misfit("home.street", json!("Số 5 phố Đội Cấn")), None);
}

#[test]
fn a_group_may_not_ask_for_more_rows_than_a_form_holds() {
    let row = json!([{"id": "x", "kind": "text", "label": "X"}]);
    let errors = compile_errors(json!([
        {"id": "many", "kind": "group", "label": "M", "min_rows": 100000, "max_rows": 100000, "fields": row},
        {"id": "open", "kind": "group", "label": "O", "max_rows": 501, "fields": [{"id": "y", "kind": "text", "label": "Y"}]}
    ]));
    let base = "$.steps[0].sections[0].fields";
    assert_eq!(
        errors,
        [
            (format!("{base}[0].min_rows"), "min_rows must be at most 500".to_owned()),
            (format!("{base}[0].max_rows"), "max_rows must be at most 500".to_owned()),
            (format!("{base}[1].max_rows"), "max_rows must be at most 500".to_owned()),
        ]
    );
    let text = Form::compile(&form(json!([{"id": "z", "kind": "text", "label": "Z", "max_length": -1}])).to_string())
        .expect_err("refused")
        .to_string();
    assert!(
        !text.ends_with('\n'),
        "one line per problem, no blank line after: {text:?}"
    );
}

#[test]
fn an_empty_required_field_has_one_error_whatever_its_other_rules() {
    let mut s = session(json!([
        {"id": "mother_birth_year", "kind": "number", "label": "Năm sinh của mẹ", "required": true,
         "rules": [{"check": "mother_birth_year >= 1900", "code": "custom.year", "message": "không hợp lý"}]}
    ]));
    s.validate_all();
    assert_eq!(codes(&s), [("mother_birth_year".to_owned(), "required".to_owned())]);
    s.input("mother_birth_year", json!(1800)).unwrap();
    assert_eq!(codes(&s), [("mother_birth_year".to_owned(), "custom.year".to_owned())]);
}

#[test]
fn an_integer_field_takes_whole_numbers_only() {
    let mut s = session(json!([
        {"id": "copies", "kind": "number", "label": "Số bản", "integer": true, "min": 1}
    ]));
    s.input("copies", json!("2,5")).unwrap();
    assert_eq!(codes(&s), [("copies".to_owned(), "number.not_integer".to_owned())]);
    s.input("copies", json!("3")).unwrap();
    assert_eq!(codes(&s), Vec::<(String, String)>::new());
    let errors = compile_errors(json!([{"id": "n", "kind": "text", "label": "N", "integer": true}]));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].0.ends_with(".integer"), "{errors:?}");
}

#[test]
fn pending_errors_are_what_validating_would_show_without_showing_them() {
    let mut s = session(json!([
        {"id": "name", "kind": "text", "label": "Tên", "required": true},
        {"id": "renting", "kind": "checkbox", "label": "Thuê"},
        {"id": "lease", "kind": "text", "label": "Hợp đồng", "required": true, "visible_if": "renting"}
    ]));
    let pending = |s: &Session| -> Vec<String> {
        s.pending_errors()
            .into_iter()
            .map(|i| format!("{} {}", i.path, i.code))
            .collect()
    };
    assert_eq!(pending(&s), ["name required"]);
    assert!(s.issues().is_empty(), "nothing shown");
    s.input("renting", json!(true)).unwrap();
    assert_eq!(pending(&s), ["name required", "lease required"]);
    s.validate_all();
    assert_eq!(codes(&s).len(), 2, "validating shows the same");
}

#[test]
fn a_form_locking_only_household_rows_still_locks_national_data() {
    use tokhai_core::prefill::{locks_any, locks_prefill};
    let rows_only = form(json!([
        {"id": "members", "kind": "group", "label": "Thành viên", "fields": [
            {"id": "m_pin", "kind": "pin", "label": "Số định danh", "prefill": {"from": "member.pin"}},
            {"id": "m_name", "kind": "name", "label": "Họ tên", "prefill": {"from": "member.full_name", "lock": true}}
        ]}
    ]));
    let def = Form::compile(&rows_only.to_string()).unwrap();
    assert!(locks_any(def.def()) && !locks_prefill(def.def()));
    let free = Form::compile(&form(json!([{"id": "a", "kind": "text", "label": "A"}])).to_string()).unwrap();
    assert!(!locks_any(free.def()));
}

#[test]
fn a_prefill_leaves_out_what_its_locked_values_hide_for_good() {
    use tokhai_core::prefill::{shown_values, PrefillValue};
    let definition = json!({"tokhai": 1, "id": "t", "version": "1", "title": "T", "steps": [{"id": "s", "title": "S", "sections": [
        {"id": "me", "fields": [
            {"id": "dob", "kind": "date", "label": "Ngày sinh"},
            {"id": "is_minor", "kind": "checkbox", "label": "Chưa thành niên", "compute": "age_on(dob, today()) < 18"},
            {"id": "who", "kind": "radio", "label": "Ai", "options": [{"value": "cha", "label": "Cha"}, {"value": "khac", "label": "Khác"}]},
            {"id": "spouse", "kind": "name", "label": "Vợ/chồng", "visible_if": "age_on(dob, today()) >= 18"}
        ]},
        {"id": "consent", "visible_if": "is_minor", "fields": [
            {"id": "father", "kind": "name", "label": "Cha", "visible_if": "who == 'cha'"}
        ]}
    ]}]});
    let form = Arc::new(Form::compile(&definition.to_string()).unwrap());
    let shown = |dob: &str, dob_locked: bool| {
        let mut s = Session::new(
            form.clone(),
            Arc::new(Catalogs::new()),
            Date::new(2026, 11, 23).unwrap(),
        )
        .unwrap();
        let value = |value: &str, locked| PrefillValue {
            value: json!(value),
            source: "population".into(),
            locked,
        };
        let prefill = [
            ("dob", value(dob, dob_locked)),
            ("father", value("NGUYỄN VĂN AN", true)),
            ("spouse", value("TRẦN THỊ BÌNH", true)),
        ];
        let kept = shown_values(&mut s, prefill.map(|(k, v)| (k.to_owned(), v)).into());
        kept.into_keys().collect::<Vec<_>>()
    };
    // An adult's locked date of birth hides the consent section for good: the father's name is not sent.
    assert_eq!(shown("1990-05-01", true), ["dob", "spouse"]);
    // A minor's shows it: the father's name stays, though it shows only once the minor picks the father
    // (an answer, not a locked value); the spouse's is hidden for good.
    assert_eq!(shown("2012-05-01", true), ["dob", "father"]);
    // A date of birth the citizen may change decides nothing for good.
    assert_eq!(shown("1990-05-01", false), ["dob", "father", "spouse"]);
}

#[test]
fn a_row_is_empty_until_one_of_its_fields_holds_an_answer() {
    let mut s = session(json!([
        {"id": "members", "kind": "group", "label": "Thành viên", "min_rows": 1, "fields": [
            {"id": "m_name", "kind": "name", "label": "Họ tên"},
            {"id": "m_agree", "kind": "checkbox", "label": "Đồng ý"},
            {"id": "m_caps", "kind": "text", "label": "In hoa", "compute": "upper(m_name)"}
        ]}
    ]));
    s.add_row("members").unwrap();
    // A computed field of nothing and an unchecked box are no answer.
    s.input("members[1].m_agree", json!(false)).unwrap();
    s.input("members[1].m_name", json!("  ")).unwrap();
    assert!(s.row_is_empty("members", 0) && s.row_is_empty("members", 1));
    s.input("members[1].m_name", json!("An")).unwrap();
    assert!(!s.row_is_empty("members", 1));
    assert!(!s.row_is_empty("members", 2), "no such row");
    assert!(!s.row_is_empty("m_name", 0), "no such group");
}

#[test]
fn a_time_limit_is_read_from_the_answers_and_a_bad_one_refused() {
    let fields = json!([
        {"id": "kind", "kind": "radio", "label": "K", "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]},
        {"id": "days", "kind": "number", "label": "D"},
        {"id": "rows", "kind": "group", "label": "R", "fields": [{"id": "x", "kind": "text", "label": "X"}]}
    ]);
    // A limit is an expression in a string, or a number of days written as a JSON number.
    let compiled = |limit: Value| {
        let mut definition = form(fields.clone());
        definition["time_limit"] = limit;
        Form::compile(&definition.to_string())
    };
    let errors = |limit: Value| -> Vec<(String, String)> {
        compiled(limit)
            .unwrap_err()
            .0
            .into_iter()
            .map(|e| (e.path, e.message))
            .collect()
    };
    let words = "a time limit is a whole number of working days from 0 to 365, or null";
    for bad in ["-1", "366", "2.5", "'7'"] {
        assert_eq!(
            errors(json!(bad)),
            [("$.time_limit".to_owned(), words.to_owned())],
            "{bad}"
        );
    }
    for bad in [json!(-1), json!(366), json!(2.5)] {
        assert_eq!(
            errors(bad.clone()),
            [("$.time_limit".to_owned(), words.to_owned())],
            "{bad}"
        );
    }
    let not_a_limit = errors(json!(true));
    assert_eq!(not_a_limit[0].0, "$.time_limit");
    assert!(
        not_a_limit[0]
            .1
            .contains("expected a number of working days, an expression"),
        "{not_a_limit:?}"
    );
    assert!(errors(json!("nope + 1"))[0].0 == "$.time_limit", "an unknown field");
    assert!(
        errors(json!("x"))[0].0 == "$.time_limit",
        "a row's field outside its row"
    );

    let session = |limit: Value, answers: Value| {
        let form = Arc::new(compiled(limit).expect("compiles"));
        let mut s = Session::new(form, Arc::new(Catalogs::new()), Date::new(2026, 11, 23).unwrap()).unwrap();
        s.load(&answers);
        s.time_limit()
    };
    let by_kind = json!("if(kind == 'a', 3, if(kind == 'b', 7, null))");
    assert_eq!(session(by_kind.clone(), json!({"kind": "a"})), Ok(Some(3)));
    assert_eq!(session(by_kind.clone(), json!({"kind": "b"})), Ok(Some(7)));
    assert_eq!(session(by_kind, json!({})), Ok(None), "no answer, no limit");
    assert_eq!(session(json!("0"), json!({})), Ok(Some(0)));
    assert_eq!(session(json!(7), json!({})), Ok(Some(7)));
    assert_eq!(session(json!("null"), json!({})), Ok(None));
    assert_eq!(session(json!(null), json!({})), Ok(None));
    assert_eq!(session(json!("days"), json!({"days": 10})), Ok(Some(10)));
    // An answer that makes the expression give what no limit can be: none, and what it gave.
    assert_eq!(session(json!("days"), json!({"days": 400})), Err(json!(400)));
    assert_eq!(session(json!("days"), json!({"days": -1})), Err(json!(-1)));
    let none = Form::compile(&form(fields.clone()).to_string()).unwrap();
    let mut s = Session::new(
        Arc::new(none),
        Arc::new(Catalogs::new()),
        Date::new(2026, 11, 23).unwrap(),
    )
    .unwrap();
    s.load(&json!({"kind": "a"}));
    assert_eq!(s.time_limit(), Ok(None), "a form without a limit");
}
