//! Searchable lists (ARIA comboboxes) over catalogues: filtering without diacritics, choosing.

use super::{lookup, option_label, FieldNode, State, LIST_LIMIT};
use crate::dom::{attr, say_later, show};
use crate::render::{Combo, Control};
use crate::ui::Word;
use serde_json::Value as Json;
use tokhai_core::Issue;

/// The code of text left in a searchable list that chose no option: it holds the filing back.
const UNMATCHED: &str = "choice.unmatched";

impl State {
    /// The issue of a searchable list left with text that matches no option, or several: the core sees
    /// only an empty value, and would ask to choose as if nothing had been typed.
    pub(super) fn unmatched(&self, path: &str) -> Option<Issue> {
        let Some(FieldNode {
            control: Control::Combo(c),
            ..
        }) = self.nodes.get(path)
        else {
            return None;
        };
        let text = c.input.value();
        let text = text.trim();
        (c.value.is_none() && !text.is_empty()).then(|| Issue::error(path, UNMATCHED).with("text", text))
    }

    /// The issues of the visible lists left with text that chose nothing, put on their fields.
    pub(super) fn unmatched_issues(&mut self) -> Vec<Issue> {
        let visible = self.nodes.iter().filter(|(_, n)| n.st.visible);
        let issues: Vec<Issue> = visible.filter_map(|(path, _)| self.unmatched(path)).collect();
        for issue in &issues {
            if let Some(n) = self.nodes.get_mut(&issue.path) {
                n.st.issues = vec![issue.clone()];
            }
        }
        issues
    }

    /// After a list was left: puts on its field the issue of text that chose nothing or, once its text
    /// chose an option (or was emptied), the core's issues again.
    pub(super) fn recheck_unmatched(&mut self, path: &str) {
        let held = |s: &State| (s.nodes.get(path)).is_some_and(|n| n.st.issues.iter().any(|i| i.code == UNMATCHED));
        let issues = match self.unmatched(path) {
            Some(issue) => vec![issue],
            None if held(self) => self.session.issues().into_iter().filter(|i| i.path == path).collect(),
            None => return,
        };
        if let Some(n) = self.nodes.get_mut(path) {
            n.st.issues = issues;
        }
    }

    /// Fills and opens a list: with what was typed (`typed`), or all options.
    pub(super) fn filter_list(&mut self, path: &str, typed: bool) {
        let Some(n) = self.nodes.get_mut(path) else {
            return;
        };
        let Control::Combo(c) = &mut n.control else {
            return;
        };
        if c.input.read_only() {
            return;
        }
        if typed && waits_for_parent(c) {
            // Nothing to search yet: what is typed goes (it would stay unmatched once the list above is
            // chosen), and the note saying which list to choose first is said.
            c.input.set_value("");
            if let Some(note) = &c.note {
                say_later(&c.status, &note.text_content().unwrap_or_default());
            }
            return;
        }
        let query = if typed { c.input.value() } else { String::new() };
        let catalog = lookup(&self.form, &self.host, &c.catalog);
        let options = match catalog {
            Some(cat) if !waits_for_parent(c) => cat.search(c.parent.as_deref(), &query, LIST_LIMIT),
            _ => Vec::new(),
        };
        c.list.set_text_content(None);
        c.items.clear();
        c.active = None;
        let base = self.dom.id(path);
        for (i, o) in options.iter().enumerate() {
            let (id, index) = (format!("{base}-o{i}"), i.to_string());
            let selected = c.value.as_deref() == Some(o.value.as_str());
            let li_attrs = [
                ("class", "tk-option-item"),
                ("id", &id),
                ("role", "option"),
                ("data-act", "option"),
                ("data-path", path),
                ("data-index", &index),
                ("aria-selected", if selected { "true" } else { "false" }),
            ];
            self.dom.def_text(&c.list, "li", &li_attrs, &o.label, &self.lang);
            c.items.push(o.value.clone());
        }
        if !waits_for_parent(c) {
            let status = match c.items.len() {
                0 => Word::NoResults.get(&self.lang).to_owned(),
                1 => Word::OneResult.get(&self.lang).to_owned(),
                n => Word::Results.fill(&self.lang, &n.to_string(), ""),
            };
            // Said once typing pauses, not at every keystroke (as GOV.UK's accessible-autocomplete).
            say_later(&c.status, &status);
        }
        // Nothing matches what is typed: the open list says so to the eye too (the status says it aloud),
        // as GOV.UK's accessible-autocomplete does.
        let none = c.items.is_empty() && !query.trim().is_empty() && !waits_for_parent(c);
        if none {
            let attrs = [
                ("class", "tk-option-item tk-no-results"),
                ("role", "option"),
                ("aria-disabled", "true"),
                ("aria-selected", "false"),
            ];
            self.dom
                .make(Some(&c.list), "li", &attrs, Word::NoResults.get(&self.lang));
        }
        let open = none || !c.items.is_empty();
        show(&c.list, open);
        attr(&c.input, "aria-expanded", if open { "true" } else { "false" });
        c.input.remove_attribute("aria-activedescendant").ok();
    }

    /// Picks option `index` of a list.
    pub(super) fn choose(&mut self, path: &str, index: usize) {
        let Some(n) = self.nodes.get_mut(path) else {
            return;
        };
        let Control::Combo(c) = &mut n.control else {
            return;
        };
        let Some(code) = c.items.get(index).cloned() else {
            return;
        };
        c.input
            .set_value(&option_label(&self.form, &self.host, &c.catalog, &code, &self.lang));
        c.value = Some(code.clone());
        close_list(c);
        say_cleared(c, None, |_| String::new(), &self.lang);
        self.focus = Some(c.input.clone().into());
        let value = Json::String(code);
        let patches = self.session.input(path, value.clone()).unwrap_or_default();
        self.apply(patches, None);
        self.commit(path, value);
    }
}

/// Whether a dependent list waits for the list it is filtered by (and is not locked).
pub(super) fn waits_for_parent(c: &Combo) -> bool {
    c.waits_for.is_some() && c.parent.is_none() && !c.input.read_only()
}

/// Shows the note under a list that waits for another (to choose that first) while it waits, and
/// describes the list by it only then.
pub(super) fn note_parent(c: &Combo) {
    let Some(note) = &c.note else { return };
    let waits = waits_for_parent(c);
    show(note, waits);
    let (id, described) = (note.id(), c.input.get_attribute("aria-describedby").unwrap_or_default());
    let others = described.split(' ').filter(|t| !t.is_empty() && *t != id);
    let ids: Vec<&str> = others.chain(waits.then_some(id.as_str())).collect();
    attr(&c.input, "aria-describedby", &ids.join(" "));
}

/// Says under a dependent list that its choice `code` was emptied by the list it follows (`word`), in
/// `lang` (the list is described by the line while it shows), and returns what it says; `None` takes the
/// line away (another choice).
pub(super) fn say_cleared(
    c: &mut Combo,
    cleared: Option<(Word, String)>,
    label: impl Fn(&str) -> String,
    lang: &str,
) -> Option<String> {
    let (line, said) = c.cleared.as_mut()?;
    let text = cleared.as_ref().map(|(word, code)| {
        let parent = c.waits_for.as_ref().map(|t| t.render(lang)).unwrap_or_default();
        word.fill(lang, &label(code), "").replace("{label}", &parent)
    });
    line.set_text_content(text.as_deref());
    show(line, text.is_some());
    *said = cleared;
    text
}

/// Closes a searchable list.
pub(super) fn close_list(c: &mut Combo) {
    show(&c.list, false);
    // The count of matches is no longer true once the list is shut.
    say_later(&c.status, "");
    attr(&c.input, "aria-expanded", "false");
    c.input.remove_attribute("aria-activedescendant").ok();
    c.active = None;
}

/// Highlights option `index` of an open list, the one selected (as the APG's listbox: selection follows focus).
pub(super) fn set_active(c: &mut Combo, index: Option<usize>) {
    let children = c.list.children();
    for (i, li) in (0..children.length()).filter_map(|i| Some((i as usize, children.item(i)?))) {
        let on = index == Some(i);
        let _ = li.class_list().toggle_with_force("tk-active", on);
        attr(&li, "aria-selected", if on { "true" } else { "false" });
    }
    c.active = index;
    match index.and_then(|a| children.item(a as u32)) {
        Some(li) => {
            attr(&c.input, "aria-activedescendant", &li.id());
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
            li.scroll_into_view_with_scroll_into_view_options(&opts);
        }
        None => {
            c.input.remove_attribute("aria-activedescendant").ok();
        }
    }
}
