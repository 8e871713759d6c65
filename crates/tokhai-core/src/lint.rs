//! The definition linter: warnings about forms that compile but would serve citizens badly.

use crate::definition::{FieldDef, Text};
use crate::form::Form;
use serde::Serialize;
use std::collections::HashMap;

/// A warning about a definition, located by a JSON path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// Where in the definition.
    pub path: String,
    /// What to improve.
    pub message: String,
}

/// Every warning for a compiled form: missing translations, unreachable fields, labels repeated
/// within a step and patterns whose error cannot say what is expected. (Unknown prefill
/// attributes are compile errors.)
pub fn lint(form: &Form) -> Vec<Warning> {
    let mut out = Vec::new();
    let def = form.def();
    let mut warn = |path: String, message: String| out.push(Warning { path, message });
    english(&def.title, "$.title", &mut warn);
    if let Some(d) = &def.description {
        english(d, "$.description", &mut warn);
    }
    for (name, options) in &def.catalogs {
        for (i, o) in options.iter().enumerate() {
            english(&o.label, &format!("$.catalogs.{name}[{i}].label"), &mut warn);
        }
    }
    for (i, rule) in def.rules.iter().enumerate() {
        english(&rule.message, &format!("$.rules[{i}].message"), &mut warn);
    }
    for (i, step) in def.steps.iter().enumerate() {
        let step_path = format!("$.steps[{i}]");
        english(&step.title, &format!("{step_path}.title"), &mut warn);
        let mut labels: HashMap<String, String> = HashMap::new();
        for (j, section) in step.sections.iter().enumerate() {
            let section_path = format!("{step_path}.sections[{j}]");
            for (text, key) in [(&section.title, "title"), (&section.hint, "hint")] {
                if let Some(t) = text {
                    english(t, &format!("{section_path}.{key}"), &mut warn);
                }
            }
            for (k, field) in section.fields.iter().enumerate() {
                field_warnings(field, &format!("{section_path}.fields[{k}]"), &mut labels, &mut warn);
            }
        }
    }
    for field in form.fields() {
        if field.never_visible() {
            warn(
                field.def_path.clone(),
                format!("'{}' can never be shown (a condition is always false)", field.id),
            );
        }
    }
    out
}

fn field_warnings(
    field: &FieldDef,
    path: &str,
    labels: &mut HashMap<String, String>,
    warn: &mut impl FnMut(String, String),
) {
    english(&field.label, &format!("{path}.label"), warn);
    if let Some(h) = &field.hint {
        english(h, &format!("{path}.hint"), warn);
    }
    for (i, o) in field.options.iter().flatten().enumerate() {
        english(&o.label, &format!("{path}.options[{i}].label"), warn);
    }
    for (i, r) in field.rules.iter().enumerate() {
        english(&r.message, &format!("{path}.rules[{i}].message"), warn);
    }
    match (&field.pattern, &field.pattern_message) {
        (_, Some(m)) => english(m, &format!("{path}.pattern_message"), warn),
        (Some(_), None) => warn(
            format!("{path}.pattern"),
            "a value that does not match is only told its format is not right: say what it must look like in \
             'pattern_message'"
                .to_owned(),
        ),
        (None, None) => {}
    }
    let label = crate::text::lowercase(field.label.get("vi").trim());
    if let Some(other) = labels.insert(label, field.id.clone()) {
        warn(
            format!("{path}.label"),
            format!("'{}' has the same label as '{other}' on this step", field.id),
        );
    }
    for (i, child) in field.fields.iter().flatten().enumerate() {
        // Row fields are labelled within their row: compare them among themselves only.
        field_warnings(child, &format!("{path}.fields[{i}]"), &mut HashMap::new(), warn);
    }
}

fn english(text: &Text, path: &str, warn: &mut impl FnMut(String, String)) {
    if !text.has_english() {
        warn(path.to_owned(), format!("no English text for '{}'", text.get("vi")));
    }
}

impl crate::form::Field {
    /// Whether one of the field's conditions is a constant false.
    fn never_visible(&self) -> bool {
        self.visible.iter().any(|e| e.constant().is_some_and(|v| !v.truthy()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn warnings_name_what_to_fix() {
        let form = Form::from_json(
            &json!({"tokhai": 1, "id": "l", "version": "1", "title": {"vi": "L", "en": "L"},
            "steps": [{"id": "s", "title": "S", "sections": [{"id": "a", "fields": [
                {"id": "a", "kind": "text", "label": {"vi": "Tên", "en": "Name"}, "visible_if": "1 > 2"},
                {"id": "b", "kind": "text", "label": {"vi": "tên", "en": "Name"}},
                {"id": "c", "kind": "text", "label": {"vi": "Biển số", "en": "Plate"}, "pattern": "\\d{2}[A-Z]-\\d{5}"},
                {"id": "d", "kind": "text", "label": {"vi": "Mã", "en": "Code"}, "pattern": "[A-Z]{3}",
                 "pattern_message": "nhập 3 chữ cái in hoa"}
            ]}]}]}),
        )
        .unwrap();
        let messages: Vec<String> = lint(&form)
            .into_iter()
            .map(|w| format!("{}: {}", w.path, w.message))
            .collect();
        let all = messages.join("\n");
        assert!(all.contains("$.steps[0].title: no English text"), "{all}");
        assert!(all.contains("can never be shown"), "{all}");
        assert!(all.contains("same label as 'a'"), "{all}");
        assert!(all.contains("fields[2].pattern: a value that does not match"), "{all}");
        assert!(all.contains("fields[3].pattern_message: no English text"), "{all}");
        assert_eq!(messages.len(), 5, "{all}");
    }
}
