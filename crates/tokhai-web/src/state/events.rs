//! What the citizen's events do: typing, choosing, clicking, keys, focus moving in and out.

use super::combo::{close_list, set_active};
use super::{lookup, message, object, option_label, Screen, State};
use crate::dom::html;
use crate::render::{Control, FieldNode, LOCKED};
use crate::ui::Word;
use serde_json::Value as Json;
use tokhai_core::normalize::normalize;
use tokhai_core::timing::EventKind;
use tokhai_core::FieldKind;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, KeyboardEvent};

impl State {
    /// A keystroke (or paste) in a text control.
    pub fn on_input(&mut self, target: &Element) {
        let Some(path) = target.get_attribute("data-path") else {
            return;
        };
        if target.has_attribute("data-combo") {
            self.filter_list(&path, true);
            return;
        }
        let Some(n) = self.nodes.get(&path) else {
            return;
        };
        let value = match &n.control {
            Control::Input(i) => Json::String(i.value()),
            Control::Area(a, counter) => {
                let text = a.value();
                if let Some(c) = counter {
                    c.show(&text, &self.lang);
                    c.announce();
                }
                Json::String(text)
            }
            _ => return,
        };
        let patches = self.session.input(&path, value).unwrap_or_default();
        self.apply(patches, Some(&path));
        self.note_edited(&path);
    }

    /// A committed change: the citizen left a text control, or picked an option.
    pub fn on_change(&mut self, target: &Element) {
        if target.matches(".tk-rate input").unwrap_or(false) {
            return self.rating_chosen();
        }
        if target.matches(".tk-household input").unwrap_or(false) {
            return self.pick_member(target);
        }
        let Some(path) = target.get_attribute("data-path") else {
            return;
        };
        if target.has_attribute("data-combo") {
            return;
        }
        let Some(n) = self.nodes.get(&path) else {
            return;
        };
        if target.has_attribute(LOCKED) {
            // Changed past the guards (a list's own picker): shown again as it is kept.
            let kept = self.session.value_at(&path).unwrap_or(Json::Null);
            return self.show_value(&path, &kept);
        }
        let typed = matches!(n.control, Control::Input(_) | Control::Area(..));
        let value = self.with_earlier_files(&path, read_value(&n.control, target));
        let patches = self.session.input(&path, value.clone()).unwrap_or_default();
        self.apply(patches, if typed { Some(&path) } else { None });
        // As the session keeps it (a name wanted in capitals is in capitals).
        let kept = self.session.value_at(&path).unwrap_or(value);
        self.commit(&path, kept);
    }

    /// Forgets the back end's reasons about a value changed since (by the citizen, or by national data):
    /// the field shows the core's issues again, as the next submission would be judged.
    pub(super) fn forget_refusal(&mut self, path: &str) {
        let about = |p: &str| p == path || p.strip_prefix(path).is_some_and(|rest| rest.starts_with('.'));
        if !self.server_messages.iter().any(|(i, _)| about(&i.path)) {
            return;
        }
        self.server_messages.retain(|(i, _)| !about(&i.path));
        let current = self.session.issues();
        let paths: Vec<String> = self.nodes.keys().filter(|p| about(p)).cloned().collect();
        for p in paths {
            if let Some(n) = self.nodes.get_mut(&p) {
                n.st.issues = current.iter().filter(|i| i.path == p).cloned().collect();
            }
            self.render_issues(&p);
        }
    }

    /// Remembers that the citizen gave the value at `path`.
    fn note_edited(&mut self, path: &str) {
        if !self.edited.iter().any(|p| p == path) {
            self.edited.push(path.to_owned());
        }
    }

    /// After a committed change: shows the value as the core stores it (phones as typed) and the
    /// field's issues, and tells the host.
    pub(super) fn commit(&mut self, path: &str, raw: Json) {
        self.record(EventKind::Change { field: path.to_owned() });
        self.note_edited(path);
        if !matches!(&raw, Json::Null) && raw != "" {
            self.answered_left_out(path);
        }
        let Some(n) = self.nodes.get_mut(path) else {
            return;
        };
        n.st.shown = true;
        let kind = if n.part.is_some() { FieldKind::Text } else { n.def.kind };
        let value = normalize(kind, raw);
        // Shown as stored (phones stay as typed); a file box shows whether it has files to remove.
        let typed = matches!(n.control, Control::Input(_) | Control::Area(..)) && kind != FieldKind::Phone;
        if typed || kind == FieldKind::File {
            self.show_value(path, &value);
        }
        // Another person's PIN in a member's row: the former person's details go (and a member already
        // looked up fills the row) before the PIN's errors are said, which they would make wrong.
        if let Some(group) = self.member_key_group(path) {
            self.clear_former_member(&group, path, &value);
            self.ask_member_row(&group, &value);
            self.refresh_member_marks(&group);
            self.forget_member_status(false);
            self.sync_households();
        }
        self.files_chosen(path, &value);
        self.say_refused_files(path);
        self.forget_refusal(path);
        self.recheck_unmatched(path);
        self.render_issues(path);
        // Focus has moved on: the box's error is said, unless it is the one said as the box was last left
        // (a file box says its own, above).
        let error = self.shown_error(path).filter(|_| kind != FieldKind::File);
        let said = (self.nodes.get_mut(path))
            .filter(|_| kind != FieldKind::File)
            .and_then(|n| std::mem::replace(&mut n.st.said, error.clone()));
        if let Some(text) = error.filter(|e| said.as_ref() != Some(e)) {
            self.notify(format!("{}{text}", Word::ErrorPrefix.get(&self.lang)));
        }
        if let Some(address) = path.strip_suffix(".province") {
            self.sync_commune(address, true);
        }
        self.events
            .push(("change", object([("path", path.into()), ("value", value)])));
        if self.reviewed() {
            // The answer may make a later step incomplete: the button then no longer returns to the review.
            self.update_progress();
        }
    }

    /// The message of the first error a node shows.
    fn shown_error(&self, path: &str) -> Option<String> {
        let n = self.nodes.get(path).filter(|n| n.st.shown)?;
        let issue = n.st.issues.iter().find(|i| i.is_error())?;
        Some(message(&self.form, &self.server_messages, issue, &self.lang))
    }

    /// The mouse goes down: on a navigation button, where that button is is noted (see [`State::on_release`]).
    pub fn on_press(&mut self, target: &Element) {
        let button = target.closest(".tk-nav button").ok().flatten();
        self.pressed = button.map(|b| html(&b)).map(|b| (b.clone(), b.offset_top()));
    }

    /// The mouse comes up: if it went down on a navigation button that the box it left then pushed
    /// away (its error shown or gone), the press is that button's click, which the browser loses.
    pub fn on_release(&mut self, target: &Element) {
        let Some((button, top)) = self.pressed.take() else {
            return;
        };
        if button.offset_top() != top && !button.contains(Some(target)) {
            self.click_later = Some(button);
        }
    }

    /// A click: buttons, summary links, list options; returns whether to cancel it (a locked choice's).
    pub fn on_click(&mut self, target: &Element) -> bool {
        if target.has_attribute(LOCKED) {
            return true;
        }
        if target.has_attribute("data-combo") {
            let path = target.get_attribute("data-path").unwrap_or_default();
            let open = matches!(self.nodes.get(&path), Some(FieldNode { control: Control::Combo(c), .. }) if !c.list.has_attribute("hidden"));
            if open {
                if let Some(FieldNode {
                    control: Control::Combo(c),
                    ..
                }) = self.nodes.get_mut(&path)
                {
                    close_list(c);
                }
            } else {
                self.filter_list(&path, false);
            }
            return false;
        }
        let Ok(Some(el)) = target.closest("[data-act]") else {
            return false;
        };
        if !self.root.contains(Some(&el)) {
            return false;
        }
        let path = el.get_attribute("data-path").unwrap_or_default();
        let number = |name: &str| el.get_attribute(name).and_then(|v| v.parse::<usize>().ok());
        let act = el.get_attribute("data-act");
        // While the filing is sent, the answers and the screen stay as they are sent.
        if self.busy && !matches!(act.as_deref(), Some("lang" | "print")) {
            return true;
        }
        match act.as_deref() {
            Some("add") => {
                self.add_row(&path, true);
            }
            Some("remove") => {
                if let Some(i) = number("data-row") {
                    self.remove_row(&path, i, true);
                }
            }
            Some("back") => self.back(),
            Some("remove-file") => {
                if let Some(i) = number("data-index") {
                    self.remove_file(&path, i);
                }
            }
            Some("lang") => {
                let other = if self.lang == "en" { "vi" } else { "en" };
                self.set_language(other);
            }
            Some("link") => self.focus_field(&path, false),
            Some("edit") => {
                self.changing = Some(path.clone());
                self.focus_field(&path, true);
            }
            Some("print") => {
                if let Some(w) = web_sys::window() {
                    let _ = w.print();
                }
            }
            Some("rate") => self.rate(),
            Some("option") => {
                if let Some(i) = number("data-index") {
                    self.choose(&path, i);
                }
            }
            _ => return false,
        }
        true
    }

    /// The form's submit (Enter in a field, or the main button).
    pub fn on_submit(&mut self) {
        match self.screen {
            Screen::Step(_) => self.next(),
            Screen::Review => {
                self.submit();
            }
            Screen::Done => {}
        }
    }

    /// Keys of the searchable lists, Enter in a one-line box that wraps (it goes on, as in any one-line
    /// box, instead of starting a new line), and those that would change a locked choice (refused);
    /// returns whether the key was used.
    pub fn on_keydown(&mut self, target: &Element, ev: &KeyboardEvent) -> bool {
        if target.has_attribute(LOCKED) {
            return changes_choice(ev);
        }
        if !target.has_attribute("data-combo") {
            let wraps = ev.key() == "Enter" && !ev.is_composing() && target.class_list().contains("tk-wrap");
            if wraps {
                self.on_submit();
            }
            return wraps;
        }
        let path = target.get_attribute("data-path").unwrap_or_default();
        let key = ev.key();
        let Some(FieldNode {
            control: Control::Combo(c),
            ..
        }) = self.nodes.get_mut(&path)
        else {
            return false;
        };
        let open = !c.list.has_attribute("hidden");
        match key.as_str() {
            "ArrowDown" | "ArrowUp" if !open => {
                // Text typed and not chosen yet opens on its matches; a chosen answer, on every option.
                let typed = c.value.is_none() && !c.input.value().trim().is_empty();
                self.filter_list(&path, typed);
                true
            }
            "ArrowDown" | "ArrowUp" => {
                if !c.items.is_empty() {
                    let last = c.items.len() - 1;
                    let next = match (c.active, key.as_str()) {
                        (None, "ArrowDown") => 0,
                        (None, _) => last,
                        (Some(a), "ArrowDown") => (a + 1).min(last),
                        (Some(a), _) => a.saturating_sub(1),
                    };
                    set_active(c, Some(next));
                }
                true
            }
            "Enter" if open => {
                if let Some(a) = c.active {
                    self.choose(&path, a);
                } else {
                    close_list(c);
                }
                true
            }
            "Escape" if open => {
                close_list(c);
                true
            }
            _ => false,
        }
    }

    /// Focus left a control: a searchable list commits what was typed.
    pub fn on_focusout(&mut self, target: &Element) {
        if let Some(field) = target.get_attribute("data-path") {
            self.record(EventKind::Blur { field });
        }
        if !target.has_attribute("data-combo") {
            return;
        }
        let Some(path) = target.get_attribute("data-path") else {
            return;
        };
        let Some(FieldNode {
            control: Control::Combo(c),
            ..
        }) = self.nodes.get_mut(&path)
        else {
            return;
        };
        close_list(c);
        let text = c.input.value();
        let current = c
            .value
            .as_deref()
            .map(|code| option_label(&self.form, &self.host, &c.catalog, code, &self.lang));
        if current.as_deref() == Some(text.trim()) {
            return;
        }
        let found = match lookup(&self.form, &self.host, &c.catalog) {
            Some(cat) if !text.trim().is_empty() => cat.search(c.parent.as_deref(), &text, 2),
            _ => Vec::new(),
        };
        let code = match found.as_slice() {
            [one] => Some(one.value.clone()),
            _ => None,
        };
        let label = code
            .as_deref()
            .map(|v| option_label(&self.form, &self.host, &c.catalog, v, &self.lang));
        if let Some(l) = &label {
            c.input.set_value(l);
        }
        c.value = code.clone();
        let value = code.map_or(Json::Null, Json::String);
        let patches = self.session.input(&path, value.clone()).unwrap_or_default();
        self.apply(patches, None);
        self.commit(&path, value);
    }

    /// A control got focus.
    pub fn on_focusin(&mut self, target: &Element) {
        if let Some(field) = target.get_attribute("data-path") {
            self.record(EventKind::Focus { field });
        }
    }
}

/// The value a non-text control holds, as the core expects it.
fn read_value(control: &Control, target: &Element) -> Json {
    match control {
        Control::Input(i) => Json::String(i.value()),
        Control::Area(a, _) => Json::String(a.value()),
        Control::Select(s) => match s.value() {
            v if v.is_empty() => Json::Null,
            v => Json::String(v),
        },
        Control::Check(i) => Json::Bool(i.checked()),
        Control::Choices { inputs, multi: true } => Json::Array(
            inputs
                .iter()
                .filter(|i| i.checked())
                .map(|i| Json::String(i.value()))
                .collect(),
        ),
        Control::Choices { .. } => match target.dyn_ref::<HtmlInputElement>() {
            Some(i) if i.checked() => Json::String(i.value()),
            _ => Json::Null,
        },
        Control::File(chosen) => {
            let files = chosen.input.files();
            let list = (0..files.as_ref().map_or(0, |f| f.length()))
                .filter_map(|k| files.as_ref().and_then(|f| f.get(k)))
                // The size as a whole number: the core refuses 12.0 bytes as not a file's metadata.
                .map(|f| {
                    object([
                        ("name", f.name().into()),
                        ("size", (f.size() as u64).into()),
                        ("type", f.type_().into()),
                    ])
                })
                .collect();
            Json::Array(list)
        }
        Control::Combo(c) => c.value.clone().map_or(Json::Null, Json::String),
        Control::Container => Json::Null,
    }
}

/// Whether a key would change the value of a focused list, check box or radio button.
fn changes_choice(ev: &KeyboardEvent) -> bool {
    let key = ev.key();
    let typed = key.chars().count() == 1 && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key();
    typed || key == "Enter" || key == "Home" || key == "End" || key.starts_with("Arrow") || key.starts_with("Page")
}
