//! Generated definitions of any size, built from a block of typical citizen fields.

use serde_json::{json, Value};

/// A definition with `n` fields in steps of at most 50, mixing kinds, conditions and cross-checks.
pub fn definition(n: usize) -> Value {
    let fields: Vec<Value> = (0..n).map(field).collect();
    let steps: Vec<Value> = fields
        .chunks(50)
        .enumerate()
        .map(|(i, chunk)| {
            json!({"id": format!("step_{i}"), "title": {"vi": format!("Bước {}", i + 1), "en": format!("Step {}", i + 1)},
                   "sections": [{"id": format!("section_{i}"), "fields": chunk}]})
        })
        .collect();
    json!({"tokhai": 1, "id": format!("generated_{n}"), "version": "1",
           "title": {"vi": format!("Biểu mẫu {n} trường"), "en": format!("{n}-field form")}, "steps": steps})
}

/// The i-th field: a block of ten kinds, each block cross-linked within itself.
fn field(i: usize) -> Value {
    let block = i / 10;
    let id = |k: usize| format!("f{}", block * 10 + k);
    let label = |vi: &str, en: &str| json!({"vi": format!("{vi} {i}"), "en": format!("{en} {i}")});
    let mut f = match i % 10 {
        0 => json!({"kind": "name", "label": label("Họ và tên", "Full name"), "required": true, "max_length": 100}),
        1 => {
            json!({"kind": "date", "label": label("Ngày sinh", "Date of birth"), "required": true, "max_date": "today()"})
        }
        2 => json!({"kind": "radio", "label": label("Giới tính", "Sex"),
                    "options": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}]}),
        3 => json!({"kind": "pin", "label": label("Số định danh", "PIN"), "required": true,
                    "pin_links": {"dob": id(1), "sex": id(2)}}),
        4 => {
            json!({"kind": "phone", "label": label("Điện thoại", "Phone"), "required_if": format!("empty({})", id(5))})
        }
        5 => json!({"kind": "email", "label": label("Thư điện tử", "E-mail")}),
        6 => json!({"kind": "checkbox", "label": label("Có ghi chú", "Has a note")}),
        7 => json!({"kind": "textarea", "label": label("Ghi chú", "Note"), "visible_if": id(6), "max_length": 500}),
        8 => json!({"kind": "number", "label": label("Số năm cư trú", "Years of residence"), "min": 0, "max": 120}),
        _ => json!({"kind": "text", "label": label("Tuổi", "Age"), "compute": format!("age_on({}, today())", id(1))}),
    };
    f["id"] = json!(format!("f{i}"));
    f
}
