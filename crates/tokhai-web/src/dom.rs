//! Small helpers over web-sys for building the widget's DOM; text is always set as text, never parsed.

use std::cell::RefCell;
use std::collections::HashMap;
use tokhai_core::FieldKind;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

/// Creates elements of one widget instance, whose ids all share a prefix.
pub struct Dom {
    /// The document the widget lives in.
    pub doc: Document,
    /// Prefix of every id in this instance, e.g. `tk1-`.
    pub prefix: String,
    /// Skeletons by kind (one-line fields; option rows of radio sets and check-box groups), cloned
    /// for each use: fewer DOM calls than building.
    pub templates: RefCell<HashMap<FieldKind, Element>>,
}

#[wasm_bindgen(module = "/src/dom.js")]
extern "C" {
    /// Creates an element with a class and text and appends it to a parent, in one call.
    fn make(doc: &Document, parent: Option<&Element>, tag: &str, class: &str, text: &str) -> Element;
}

impl Dom {
    /// A new element with a class (empty for none).
    pub fn el(&self, tag: &str, class: &str) -> Element {
        make(&self.doc, None, tag, class, "")
    }

    /// A new element with a class and text, appended to a parent.
    pub fn add(&self, parent: &Element, tag: &str, class: &str, text: &str) -> Element {
        make(&self.doc, Some(parent), tag, class, text)
    }

    /// A fresh copy of the skeleton for a kind, built by `build` the first time.
    pub fn clone_template(&self, kind: FieldKind, build: impl FnOnce() -> Element) -> Element {
        let mut templates = self.templates.borrow_mut();
        let template = templates.entry(kind).or_insert_with(build);
        template
            .clone_node_with_deep(true)
            .expect("cloning an element")
            .unchecked_into()
    }

    /// The element id of a value path: `members[2].pin` → `tk1-members-2_pin`.
    pub fn id(&self, path: &str) -> String {
        path_id(&self.prefix, path)
    }
}

/// An element id from a prefix and a value path, using only `[A-Za-z0-9_-]`.
pub fn path_id(prefix: &str, path: &str) -> String {
    let mut id = prefix.to_owned();
    for c in path.chars() {
        match c {
            '.' => id.push('_'),
            '[' => id.push('-'),
            ']' => {}
            c if c.is_ascii_alphanumeric() || c == '_' || c == '-' => id.push(c),
            _ => id.push('x'),
        }
    }
    id
}

/// Sets an attribute, ignoring the impossible failure of a valid name.
pub fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}

/// Shows or hides an element with the `hidden` attribute.
pub fn show(e: &Element, visible: bool) {
    if let Some(h) = e.dyn_ref::<HtmlElement>() {
        h.set_hidden(!visible);
    }
}

/// Whether an element is shown (no `hidden` attribute).
pub fn shown(e: &Element) -> bool {
    !e.has_attribute("hidden")
}

/// The element as an `HtmlElement` (every element the widget creates is one).
pub fn html(e: &Element) -> HtmlElement {
    e.clone().unchecked_into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe_and_distinct() {
        let ids = ["members[2].pin", "residence.commune", "full_name", "a b"].map(|p| path_id("tk1-", p));
        assert_eq!(
            ids,
            ["tk1-members-2_pin", "tk1-residence_commune", "tk1-full_name", "tk1-axb"]
        );
    }
}
