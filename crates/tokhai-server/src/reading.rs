//! A dossier as people read it, in both languages: its answers as the citizen read them on the review
//! page (tokhai-core's `answer`), and the labels of the fields its files and reasons name.

use serde_json::{json, Value as Json_};
use std::collections::HashSet;
use tokhai_core::answer;
use tokhai_core::catalog::{CatalogView, Catalogs};
use tokhai_core::definition::FieldDef;
use tokhai_core::{messages, FieldKind, Form};

/// `{vi, en}`: what `words` says in each language.
fn both(words: impl Fn(&str) -> String) -> Json_ {
    json!({"vi": words("vi"), "en": words("en")})
}

/// The label of value path `path` of `form` in both languages (`members[1].pin`: the field's, with
/// its row), or null without a form or such a field.
pub fn path_label(form: Option<&Form>, path: &str) -> Json_ {
    match form.filter(|f| f.field(tokhai_core::path::field_id(path)).is_some()) {
        Some(form) => both(|lang| messages::path_label(form, path, lang)),
        None => Json_::Null,
    }
}

/// The answers of `values`, step by step as `form` shows them: `[{title, fields: [{path, label, text}]}]`
/// (a repeat group's `rows: [{text, fields: [{path, label}]}]` instead of `text`), the texts in both
/// languages; then, under a `null` title,
/// the values the form does not have (an older version's, or all of them without a form), as they are.
pub fn answers(form: Option<&Form>, host: &Catalogs, values: &Json_) -> Json_ {
    let Some(values) = values.as_object() else {
        return json!([]);
    };
    let mut known = HashSet::new();
    let mut steps = Vec::new();
    if let Some(form) = form {
        let catalogs = CatalogView {
            form: form.catalogs(),
            host,
        };
        for step in &form.def().steps {
            let answered = step.sections.iter().flat_map(|s| &s.fields).filter_map(|f| {
                let value = values.get(&f.id)?;
                known.insert(f.id.as_str());
                Some(answer_of(form, f, value, catalogs))
            });
            let fields: Vec<Json_> = answered.collect();
            if !fields.is_empty() {
                steps.push(json!({"title": both(|lang| step.title.get(lang).to_owned()), "fields": fields}));
            }
        }
    }
    let others: Vec<Json_> = values
        .iter()
        .filter(|(id, _)| !known.contains(id.as_str()))
        .map(|(id, value)| json!({"path": id, "label": null, "text": both(|lang| as_is(value, lang))}))
        .collect();
    if !others.is_empty() {
        steps.push(json!({"title": null, "fields": others}));
    }
    Json_::Array(steps)
}

/// One top-level answer: its path, label and text (a group: its rows, each with the paths and labels of
/// the answers it holds, for a reason to name one) in both languages.
fn answer_of(form: &Form, field: &FieldDef, value: &Json_, catalogs: CatalogView<'_>) -> Json_ {
    let label = both(|lang| field.label.get(lang).to_owned());
    // A group without rows reads as left blank, as on the review page.
    if field.kind != FieldKind::Group || value.as_array().is_none_or(Vec::is_empty) {
        let text = both(|lang| answer::text(field, value, catalogs, lang));
        return json!({"path": field.id, "label": label, "text": text});
    }
    let (vi, en) = (
        answer::rows(field, value, catalogs, "vi"),
        answer::rows(field, value, catalogs, "en"),
    );
    let rows = value.as_array().into_iter().flatten().zip(vi.into_iter().zip(en));
    let rows: Vec<Json_> = rows
        .enumerate()
        .map(|(i, (row, (vi, en)))| {
            let answered = field.fields.iter().flatten().filter(|f| !row[&f.id].is_null());
            let fields: Vec<Json_> = answered
                .map(|f| {
                    let path = format!("{}[{i}].{}", field.id, f.id);
                    json!({"label": path_label(Some(form), &path), "path": path})
                })
                .collect();
            json!({"text": {"vi": vi, "en": en}, "fields": fields})
        })
        .collect();
    json!({"path": field.id, "label": label, "rows": rows})
}

/// A value of no known field: a text as it is, anything else as JSON; blank as the review page says it.
fn as_is(value: &Json_, lang: &str) -> String {
    match value {
        Json_::Null => answer::blank(lang).to_owned(),
        Json_::String(s) if !s.is_empty() => s.clone(),
        Json_::String(_) => answer::blank(lang).to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-step form with a choice, a date and a repeat group.
    fn form() -> Form {
        Form::compile(
            r#"{"tokhai": 1, "id": "t", "version": "1", "title": "T", "steps": [
              {"id": "a", "title": {"vi": "Người khai", "en": "You"}, "sections": [{"id": "s", "fields": [
                {"id": "sex", "kind": "radio", "label": {"vi": "Giới tính", "en": "Sex"},
                 "options": [{"value": "nu", "label": {"vi": "Nữ", "en": "Female"}}]},
                {"id": "dob", "kind": "date", "label": {"vi": "Ngày sinh", "en": "Date of birth"}}]}]},
              {"id": "b", "title": {"vi": "Thành viên", "en": "Members"}, "sections": [{"id": "s2", "fields": [
                {"id": "members", "kind": "group", "label": {"vi": "Thành viên", "en": "Members"}, "fields": [
                  {"id": "name", "kind": "text", "label": {"vi": "Họ tên", "en": "Name"}}]}]}]}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn answers_read_step_by_step_in_both_languages() {
        let values = json!({"sex": "nu", "dob": "1990-03-05", "members": [{"name": "Lê Văn A"}], "old": 42});
        let read = answers(Some(&form()), &Catalogs::new(), &values);
        assert_eq!(
            read,
            json!([
                {"title": {"vi": "Người khai", "en": "You"}, "fields": [
                    {"path": "sex", "label": {"vi": "Giới tính", "en": "Sex"}, "text": {"vi": "Nữ", "en": "Female"}},
                    {"path": "dob", "label": {"vi": "Ngày sinh", "en": "Date of birth"},
                     "text": {"vi": "05/03/1990", "en": "05/03/1990"}}]},
                {"title": {"vi": "Thành viên", "en": "Members"}, "fields": [
                    {"path": "members", "label": {"vi": "Thành viên", "en": "Members"},
                     "rows": [{"text": {"vi": "Họ tên: Lê Văn A", "en": "Name: Lê Văn A"}, "fields": [
                        {"path": "members[0].name", "label": {"vi": "Họ tên, dòng 1", "en": "Name, row 1"}}]}]}]},
                {"title": null, "fields": [{"path": "old", "label": null, "text": {"vi": "42", "en": "42"}}]}
            ])
        );
    }

    #[test]
    fn steps_without_answers_are_left_out_and_without_a_form_all_values_are_as_they_are() {
        let read = answers(Some(&form()), &Catalogs::new(), &json!({"dob": null, "members": []}));
        let blank = json!({"vi": "Để trống", "en": "Left blank"});
        assert_eq!(read[0]["fields"][0]["text"], blank);
        assert_eq!(read[1]["fields"][0]["text"], blank, "a group without rows");
        assert_eq!(
            read.as_array().map(Vec::len),
            Some(2),
            "a step for each answer, no other"
        );
        let bare = answers(None, &Catalogs::new(), &json!({"sex": "nu"}));
        assert_eq!(
            bare,
            json!([{"title": null, "fields": [{"path": "sex", "label": null, "text": {"vi": "nu", "en": "nu"}}]}])
        );
    }

    #[test]
    fn paths_are_labelled_with_their_row() {
        assert_eq!(
            path_label(Some(&form()), "members[1].name"),
            json!({"vi": "Họ tên, dòng 2", "en": "Name, row 2"})
        );
        assert_eq!(path_label(None, "sex"), Json_::Null);
        assert_eq!(path_label(Some(&form()), "prefill"), Json_::Null, "no field");
    }
}
