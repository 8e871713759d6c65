//! Keystroke-level-model estimate of filing time, with and without prefill, per step and in total.
//!
//! The model (Card, Moran and Newell) adds up elementary operators: think (M), point (P),
//! click (B), keystroke (K). Each field costs a think, a point and a click to reach it, then the
//! keystrokes its kind typically needs; a prefilled field costs one think to check it.

use crate::catalog::Catalogs;
use crate::definition::FieldKind;
use crate::form::Form;
use crate::session::Session;
use crate::Date;
use serde::Serialize;
use serde_json::Value as Json;
use std::sync::Arc;

/// The model's constants, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Klm {
    /// One keystroke (average typist, about 40 words a minute).
    pub keystroke: f64,
    /// Pointing at a target.
    pub point: f64,
    /// Pressing and releasing a button.
    pub click: f64,
    /// Mental preparation (deciding, reading, checking).
    pub think: f64,
    /// Extra keystrokes per character for Vietnamese diacritics typed with Telex.
    pub telex_factor: f64,
    /// Choosing a file in the system dialog.
    pub file_dialog: f64,
}

impl Default for Klm {
    fn default() -> Klm {
        Klm {
            keystroke: 0.28,
            point: 1.1,
            click: 0.2,
            think: 1.35,
            telex_factor: 1.3,
            file_dialog: 8.0,
        }
    }
}

/// The estimate of one step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepEstimate {
    /// Step id.
    pub step: String,
    /// Fields on the typical path.
    pub fields: usize,
    /// Of which prefilled.
    pub prefilled: usize,
    /// Seconds when the citizen types everything.
    pub without_prefill: f64,
    /// Seconds when prefilled fields only need checking.
    pub with_prefill: f64,
}

/// The estimate of a whole form.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Estimate {
    /// Constants used.
    pub klm: Klm,
    /// Per step, then the review page as a last row.
    pub steps: Vec<StepEstimate>,
    /// Total seconds without prefill.
    pub without_prefill: f64,
    /// Total seconds with prefill.
    pub with_prefill: f64,
    /// Fields hidden on the typical path (shown only in some cases) and their seconds if shown.
    pub conditional_fields: usize,
    /// Seconds those conditional fields would add, typed by hand.
    pub conditional_seconds: f64,
}

/// Typical number of characters typed into a field of a kind (before the Telex factor).
fn typical_chars(kind: FieldKind) -> f64 {
    match kind {
        FieldKind::Name => 18.0,
        FieldKind::Text => 20.0,
        FieldKind::Textarea => 80.0,
        FieldKind::Email => 22.0,
        FieldKind::Date => 10.0,
        FieldKind::Pin => 12.0,
        FieldKind::TaxCode | FieldKind::Phone => 10.0,
        FieldKind::Number => 3.0,
        _ => 0.0,
    }
}

/// Whether typing the kind involves Vietnamese diacritics.
fn has_diacritics(kind: FieldKind) -> bool {
    matches!(kind, FieldKind::Name | FieldKind::Text | FieldKind::Textarea)
}

impl Klm {
    /// Seconds to fill one field by hand.
    fn manual(&self, kind: FieldKind) -> f64 {
        let reach = self.think + self.point + self.click;
        let choose = self.point + self.click;
        let search = 6.0 * self.keystroke;
        let typing = typical_chars(kind) * self.keystroke * if has_diacritics(kind) { self.telex_factor } else { 1.0 };
        reach
            + typing
            + match kind {
                FieldKind::Select => search + choose,
                FieldKind::CheckboxGroup => choose,
                FieldKind::Address => 2.0 * (search + choose + choose) + 25.0 * self.keystroke * self.telex_factor,
                FieldKind::File => self.file_dialog,
                _ => 0.0,
            }
    }

    /// Seconds to check a prefilled field.
    fn check(&self) -> f64 {
        self.think
    }

    /// Seconds to read a step and press Next.
    fn step(&self) -> f64 {
        self.think + self.point + self.click
    }
}

/// Estimates the filing time of a form on its typical path: the fields a blank form shows, and those
/// the choices every citizen must make show (see [`typical_path`]).
pub fn estimate(form: &Arc<Form>, klm: Klm) -> Estimate {
    let mut catalogs = Catalogs::new();
    for name in form.external_catalogs() {
        // Visibility never depends on catalogue contents; empty lists are enough here.
        let _ = catalogs.insert(name, Vec::new());
    }
    let today = Date {
        year: 2026,
        month: 1,
        day: 1,
    };
    let visible = Session::new(Arc::clone(form), Arc::new(catalogs), today)
        .map(|mut s| typical_path(form, &mut s))
        .unwrap_or_default();
    let mut steps: Vec<StepEstimate> = form
        .def()
        .steps
        .iter()
        .map(|s| StepEstimate {
            step: s.id.clone(),
            fields: 0,
            prefilled: 0,
            without_prefill: klm.step(),
            with_prefill: klm.step(),
        })
        .collect();
    let (mut conditional_fields, mut conditional_seconds) = (0, 0.0);
    for field in form.fields() {
        if field.kind == FieldKind::Group || field.is_computed() {
            continue;
        }
        let manual = klm.manual(field.kind);
        if !visible.contains(&field.id) {
            conditional_fields += 1;
            conditional_seconds += manual;
            continue;
        }
        let step = &mut steps[field.step];
        step.fields += 1;
        step.without_prefill += manual;
        // A household member's PIN is typed by the citizen: it fills the rest of the row.
        if field.prefill.as_ref().is_some_and(|p| p.from != "member.pin") {
            step.prefilled += 1;
            step.with_prefill += klm.check();
        } else {
            step.with_prefill += manual;
        }
    }
    // Groups: one row typed by hand, plus the click that adds it.
    for field in form
        .fields()
        .filter(|f| f.kind == FieldKind::Group && visible.contains(&f.id))
    {
        let add = klm.point + klm.click;
        let step = &mut steps[field.step];
        step.without_prefill += add;
        step.with_prefill += add;
    }
    let review = 3.0 * klm.think + klm.point + klm.click;
    steps.push(StepEstimate {
        step: "review".into(),
        fields: 0,
        prefilled: 0,
        without_prefill: review,
        with_prefill: review,
    });
    Estimate {
        klm,
        without_prefill: steps.iter().map(|s| s.without_prefill).sum(),
        with_prefill: steps.iter().map(|s| s.with_prefill).sum(),
        steps,
        conditional_fields,
        conditional_seconds,
    }
}

/// The fields a typical citizen sees: the blank form's, then again with each required choice shown
/// answered by its first option and each required check box ticked, until no more show (a residence
/// request must choose its type, and the type shows its own questions).
fn typical_path(form: &Form, session: &mut Session) -> Vec<String> {
    let blank =
        |v: Option<Json>| matches!(v, None | Some(Json::Null | Json::Bool(false))) || v.is_some_and(|v| v == "");
    for _ in 0..form.fields().count() {
        let visible = session.visible_fields();
        let answer = (form.def().top_fields())
            .filter(|d| d.required && visible.contains(&d.id) && blank(session.value_at(&d.id)))
            .find_map(|d| match d.kind {
                FieldKind::Checkbox => Some((d.id.as_str(), Json::Bool(true))),
                FieldKind::Radio | FieldKind::Select => {
                    Some((d.id.as_str(), Json::String(d.options.as_ref()?.first()?.value.clone())))
                }
                _ => None,
            });
        let Some((id, value)) = answer else { break };
        if session.input(id, value).is_err() {
            break;
        }
    }
    session.visible_fields()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn prefill_saves_the_typing_of_prefilled_fields() {
        let def = json!({"tokhai": 1, "id": "e", "version": "1", "title": "E", "steps": [
        {"id": "one", "title": "1", "sections": [{"id": "a", "fields": [
            {"id": "name", "kind": "name", "label": "Tên", "prefill": {"from": "population.full_name", "lock": true}},
            {"id": "note", "kind": "text", "label": "Ghi chú"},
            {"id": "more", "kind": "text", "label": "Thêm", "visible_if": "note == 'x'"}
        ]}]}]});
        let form = Arc::new(Form::from_json(&def).unwrap());
        let klm = Klm::default();
        let e = estimate(&form, klm);
        let name = klm.manual(FieldKind::Name);
        assert!((e.without_prefill - e.with_prefill - (name - klm.check())).abs() < 1e-9);
        assert_eq!((e.steps[0].fields, e.steps[0].prefilled), (2, 1));
        assert_eq!(e.conditional_fields, 1);
        assert_eq!(e.steps.last().unwrap().step, "review");
    }

    #[test]
    fn the_questions_every_citizen_answers_are_on_the_path_and_a_member_s_pin_is_typed() {
        let def = json!({"tokhai": 1, "id": "e", "version": "1", "title": "E", "steps": [
        {"id": "one", "title": "1", "sections": [{"id": "a", "fields": [
            {"id": "type", "kind": "radio", "label": "Loại", "required": true,
             "options": [{"value": "new", "label": "Mới"}, {"value": "old", "label": "Cũ"}]},
            {"id": "address", "kind": "text", "label": "Địa chỉ mới", "visible_if": "type == 'new'"},
            {"id": "previous", "kind": "text", "label": "Địa chỉ cũ", "visible_if": "type == 'old'"},
            {"id": "agree", "kind": "checkbox", "label": "Cam kết", "required": true},
            {"id": "signed", "kind": "text", "label": "Ký tên", "visible_if": "agree"},
            {"id": "members", "kind": "group", "label": "Thành viên", "fields": [
                {"id": "m_pin", "kind": "pin", "label": "Số định danh", "prefill": {"from": "member.pin"}},
                {"id": "m_name", "kind": "name", "label": "Họ tên", "prefill": {"from": "member.full_name"}}]}
        ]}]}]});
        let e = estimate(&Arc::new(Form::from_json(&def).unwrap()), Klm::default());
        // type, address, agree, signed, m_pin and m_name; the other type's question only in some cases.
        assert_eq!((e.steps[0].fields, e.conditional_fields), (6, 1));
        assert_eq!(
            e.steps[0].prefilled, 1,
            "the member's name, not the PIN typed to find them"
        );
    }
}
