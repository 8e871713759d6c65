//! Small helpers over web-sys for building the widget's DOM; text is always set as text, never parsed.

use crate::ui::{falls_back, Txt};
use tokhai_core::Text;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlElement};

/// Attributes as name/value pairs.
pub type Attrs<'a> = &'a [(&'a str, &'a str)];

/// Creates elements of one widget instance, whose ids all share a prefix.
pub struct Dom {
    /// The document the widget lives in.
    pub doc: Document,
    /// Prefix of every id in this instance, e.g. `tk1-`.
    pub prefix: String,
}

#[wasm_bindgen(module = "/src/dom.js")]
extern "C" {
    /// Creates an element from a spec of its tag, `pairs` attributes and text (see [`encode`]),
    /// appended to a parent: one string to decode, one call.
    fn make(doc: &Document, parent: Option<&Element>, spec: &str, pairs: u32) -> Element;
    /// Writes `text` into the live region `to` once typing has paused for a second (empty: clears it now).
    #[wasm_bindgen(js_name = sayLater)]
    pub fn say_later(to: &Element, text: &str);
}

/// Separates the parts of a spec for dom.js.
const SEPARATOR: char = '\u{1f}';

/// The tag, the attributes and the text joined by [`SEPARATOR`] for dom.js (the text last, so that
/// it may hold separators); returns the spec, how many attributes it holds, and the attributes whose
/// value holds a separator (left out, to be set one by one).
fn encode<'a>(tag: &str, attrs: Attrs<'a>, text: &str) -> (String, u32, Vec<(&'a str, &'a str)>) {
    let mut spec = tag.to_owned();
    let mut pairs = 0;
    let mut odd = Vec::new();
    for &(name, value) in attrs {
        if value.contains(SEPARATOR) {
            odd.push((name, value));
        } else {
            spec.push(SEPARATOR);
            spec.push_str(name);
            spec.push(SEPARATOR);
            spec.push_str(value);
            pairs += 1;
        }
    }
    spec.push(SEPARATOR);
    spec.push_str(text);
    (spec, pairs, odd)
}

impl Dom {
    /// A new element with attributes and text (empty for none), appended to a parent if given.
    pub fn make(&self, parent: Option<&Element>, tag: &str, attrs: Attrs, text: &str) -> Element {
        let (spec, pairs, odd) = encode(tag, attrs, text);
        let e = make(&self.doc, parent, &spec, pairs);
        for (name, value) in odd {
            attr(&e, name, value);
        }
        e
    }

    /// A new element with a class and text, appended to a parent.
    pub fn add(&self, parent: &Element, tag: &str, class: &str, text: &str) -> Element {
        let attrs: Attrs = if class.is_empty() { &[] } else { &[("class", class)] };
        self.make(Some(parent), tag, attrs, text)
    }

    /// A new element holding a definition text in `lang`, marked `lang="vi"` where the English
    /// interface shows it in Vietnamese for want of a translation (WCAG 3.1.2: read in a Vietnamese voice).
    pub fn def_text(&self, parent: &Element, tag: &str, attrs: Attrs, t: &Text, lang: &str) -> Element {
        let e = self.make(Some(parent), tag, attrs, t.get(lang));
        if falls_back(t, lang) {
            attr(&e, "lang", "vi");
        }
        e
    }

    /// A new element holding a text of the widget in `lang` (see [`Dom::def_text`] and [`write`]).
    pub fn txt(&self, parent: &Element, tag: &str, attrs: Attrs, t: &Txt, lang: &str) -> Element {
        match t {
            Txt::Def(d) => self.def_text(parent, tag, attrs, d, lang),
            Txt::Naming(..) => {
                let e = self.make(Some(parent), tag, attrs, "");
                write(&e, t, lang);
                e
            }
            _ => self.make(Some(parent), tag, attrs, &t.render(lang)),
        }
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

/// Rewrites an element's text in another language, marked as [`Dom::def_text`] marks it; the text a
/// chrome word names goes in a span of its own, marked so too.
pub fn write(e: &Element, t: &Txt, lang: &str) {
    if let Txt::Naming(word, named) = t {
        let words = word.get(lang);
        let (before, after) = words.split_once("{label}").unwrap_or((words, ""));
        e.set_text_content(Some(before));
        let span = e.owner_document().and_then(|d| d.create_element("span").ok());
        if let Some(span) = span {
            write(&span, named, lang);
            let _ = e.append_child(&span);
        }
        let _ = e.append_with_str_1(after);
        return;
    }
    e.set_text_content(Some(&t.render(lang)));
    if let Txt::Def(d) = t {
        if falls_back(d, lang) {
            attr(e, "lang", "vi");
        } else {
            e.remove_attribute("lang").ok();
        }
    }
}

/// Sets an attribute, ignoring the impossible failure of a valid name.
pub fn attr(e: &Element, name: &str, value: &str) {
    let _ = e.set_attribute(name, value);
}

/// Shows or hides an element with the `hidden` attribute.
pub fn show(e: &Element, visible: bool) {
    let _ = e.toggle_attribute_with_force("hidden", !visible);
}

/// Sets a true/false ARIA state (`aria-invalid`, `aria-disabled`) as `"true"`, or removes it: an empty
/// value would mean false.
pub fn flag(e: &Element, name: &str, on: bool) {
    if on {
        attr(e, name, "true");
    } else {
        e.remove_attribute(name).ok();
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
    fn specs_leave_out_values_holding_the_separator() {
        let (spec, pairs, odd) = encode("input", &[("id", "a"), ("value", "x\u{1f}y"), ("class", "")], "");
        assert_eq!(spec, "input\u{1f}id\u{1f}a\u{1f}class\u{1f}\u{1f}");
        assert_eq!(pairs, 2);
        assert_eq!(odd, [("value", "x\u{1f}y")]);
    }

    #[test]
    fn specs_end_with_the_text_whatever_it_holds() {
        let (spec, pairs, odd) = encode("p", &[("class", "tk-hint")], "a\u{1f}b");
        assert_eq!(spec, "p\u{1f}class\u{1f}tk-hint\u{1f}a\u{1f}b");
        assert_eq!((pairs, odd.len()), (1, 0));
    }

    #[test]
    fn ids_are_safe_and_distinct() {
        let ids = ["members[2].pin", "residence.commune", "full_name", "a b"].map(|p| path_id("tk1-", p));
        assert_eq!(
            ids,
            ["tk1-members-2_pin", "tk1-residence_commune", "tk1-full_name", "tk1-axb"]
        );
    }
}
