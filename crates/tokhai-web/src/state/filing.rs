//! Around the sending of a filing: the status line, a restored draft, the satisfaction rating and the metrics.

use super::{object, Screen, State};
use crate::dom::{attr, flag, html, show};
use crate::ui::{Txt, Word};
use serde_json::Value as Json;
use tokhai_core::canonical::without_key;
use tokhai_core::path::ADDRESS_PARTS;
use tokhai_core::timing::{Metrics, IDLE_THRESHOLD_MS, TARGET_MS};
use tokhai_core::FieldKind;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlTextAreaElement};

/// The ratings offered, from 1 (very hard) to 5 (very easy).
const RATINGS: [Word; 5] = [Word::Rate1, Word::Rate2, Word::Rate3, Word::Rate4, Word::Rate5];

/// The status word the JS face names.
pub fn status_word(name: &str) -> Option<Word> {
    Some(match name {
        "sending" => Word::SendingDossier,
        "offline" => Word::Offline,
        "offline_unsaved" => Word::OfflineUnsaved,
        "retrying" => Word::Retrying,
        "queued" => Word::Queued,
        "withdrawn" => Word::Withdrawn,
        "form_changed" => Word::FormChanged,
        "resending" => Word::Resending,
        "prefill_loading" => Word::PrefillLoading,
        "prefill_failed" => Word::PrefillFailed,
        "prefill_applied" => Word::PrefillApplied,
        "member_not_found" => Word::MemberNotFound,
        "member_retrying" => Word::MemberRetrying,
        "open_elsewhere" => Word::OpenElsewhere,
        "filed_elsewhere" => Word::FiledElsewhere,
        _ => return None,
    })
}

/// What a status is about: one of each is shown at a time, in this order (the warnings first: the form
/// changed since a filing was left to send, the form open or filed in another tab; then national data;
/// then what a draft brought back; the filing and a member's PIN apart).
fn status_topic(word: Word) -> u8 {
    use Word::*;
    match word {
        OpenElsewhere | FiledElsewhere => 1,
        PrefillLoading | PrefillFailed | PrefillApplied | PrefillPartial => 2,
        DraftRestored | DraftDropped | DraftFiles => 3,
        w if w.is_about_filing() => 4,
        MemberNotFound | MemberRetrying => 5,
        _ => 0,
    }
}

impl State {
    /// Shows a status message in the live region, in place of the one about the same thing (national
    /// data, a draft, the filing, anything else): what national data did and what a draft brought back
    /// are both said. `None` clears them all.
    pub fn set_status(&mut self, word: Option<(Word, String)>) {
        let filing = word.as_ref().is_some_and(|(w, _)| w.is_about_filing());
        if let Some((Word::MemberNotFound, about)) = &word {
            // A member ticked in the household list is asked by handle: their box clears.
            self.member_missing(about);
        }
        match word {
            Some((w, n)) => {
                self.status_words
                    .retain(|(shown, _)| status_topic(*shown) != status_topic(w));
                // In the order they are said (see `status_topic`).
                let at = (self.status_words).partition_point(|(shown, _)| status_topic(*shown) < status_topic(w));
                self.status_words.insert(at, (w, n));
            }
            None => self.status_words.clear(),
        }
        self.render_status();
        if filing {
            // The line pushes the buttons down: on a phone both stay in sight, the one pressed included.
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
            self.nav.scroll_into_view_with_scroll_into_view_options(&opts);
        }
    }

    /// Clears `word`'s status, if shown (what it says no longer holds; the others stay).
    pub fn clear_status(&mut self, word: Word) {
        if self.shows_status(word) {
            self.status_words.retain(|(shown, _)| *shown != word);
            self.render_status();
        }
    }

    /// Whether `word`'s status is shown.
    pub(super) fn shows_status(&self, word: Word) -> bool {
        self.status_words.iter().any(|(shown, _)| *shown == word)
    }

    /// Writes the status messages in the current language: what became of a member's PIN under it, in
    /// the rows that hold it (on a phone the form's own line is screens away), else (a member ticked in
    /// the household list, no row yet) at the form's top; what became of the filing above the buttons;
    /// the rest at the form's top.
    pub(super) fn render_status(&self) {
        let text = |(w, n): &(Word, String)| match w {
            Word::PrefillPartial => w.fill(
                &self.lang,
                &self.labels_of(self.left_out.iter().map(String::as_str)),
                "",
            ),
            _ => w.fill(&self.lang, n, ""),
        };
        let member = self
            .status_words
            .iter()
            .find(|(w, _)| matches!(w, Word::MemberNotFound | Word::MemberRetrying))
            .filter(|(_, pin)| self.groups.keys().any(|g| self.names_member(g, pin)));
        for (path, g) in &self.groups {
            for (i, row) in g.rows.iter().enumerate() {
                let Some(status) = &row.status else { continue };
                let here = member.filter(|(_, pin)| self.row_names(path, i, pin));
                status.set_text_content(here.map(text).as_deref());
            }
        }
        for (status, about_filing) in self.status.iter().zip([false, true]) {
            let said: Vec<String> = (self.status_words.iter())
                .filter(|s| Some(*s) != member && s.0.is_about_filing() == about_filing)
                .map(text)
                .collect();
            status.set_text_content(Some(&said.join(" ")));
        }
    }

    /// Loads a draft's values and shows them (on step `step` if visible); says which answers no longer
    /// fit the form or which files to choose again (returned as `[{path, code, label}]`, the files'
    /// with the code `file.not_kept`), and, unless `quiet` (answers the page carried across a remount:
    /// the citizen never left them), that the answers are back.
    pub fn restore(&mut self, values: &Json, step: Option<usize>, quiet: bool) -> Json {
        // A chosen file cannot come back (a browser keeps no file for a page): unless the back end
        // keeps it, it is asked for again.
        let mut kept = values.clone();
        let mut files = Vec::new();
        let mut file_fields = Vec::new();
        let form = self.form.clone();
        for (id, v) in values.as_object().into_iter().flatten() {
            let Some(f) = form.field(id).filter(|f| f.kind == FieldKind::File) else {
                continue;
            };
            let (uploaded, lost) = self.restore_uploaded(id, v);
            if lost.is_empty() {
                continue;
            }
            files.extend(lost.iter().filter_map(|f| f["name"].as_str().map(str::to_owned)));
            let label = f.label.get(&self.lang);
            file_fields.push(object([
                ("path", id.as_str().into()),
                ("code", "file.not_kept".into()),
                ("label", label.into()),
            ]));
            match uploaded {
                Json::Array(a) if a.is_empty() => kept = without_key(&kept, id),
                uploaded => {
                    if let Some(map) = kept.as_object_mut() {
                        map.insert(id.clone(), uploaded);
                    }
                }
            }
        }
        let problems = self.session.restore(&kept);
        let snapshot = self.session.snapshot();
        self.apply(snapshot, None);
        let dropped: Vec<&str> = problems.iter().map(|i| i.path.as_str()).collect();
        let mut restored = Vec::new();
        for (id, v) in kept.as_object().into_iter().flatten() {
            if dropped.contains(&id.as_str()) {
                continue;
            }
            match v {
                Json::Array(rows) if self.groups.contains_key(id) => {
                    for (r, row) in rows.iter().enumerate() {
                        for (c, cell) in row.as_object().into_iter().flatten() {
                            let path = format!("{id}[{r}].{c}");
                            if !dropped.contains(&path.as_str()) {
                                self.show_value(&path, cell);
                                restored.extend(given(cell).then_some(path));
                            }
                        }
                    }
                }
                _ => {
                    self.show_value(id, v);
                    restored.extend(given(v).then(|| id.clone()));
                }
            }
        }
        // What was wrong before the page was left is shown again, as it was.
        for path in restored {
            let parts = ADDRESS_PARTS.iter().map(|p| format!("{path}.{p}"));
            for p in std::iter::once(path.clone()).chain(parts) {
                if let Some(n) = self.nodes.get_mut(&p) {
                    n.st.shown = true;
                    self.render_issues(&p);
                }
            }
        }
        self.ask_restored_members();
        let list: Vec<Json> = problems
            .iter()
            .map(|i| {
                let label = self
                    .form
                    .field(tokhai_core::path::field_id(&i.path))
                    .map_or(i.path.as_str(), |f| f.label.get(&self.lang));
                object([
                    ("path", i.path.as_str().into()),
                    ("code", i.code.as_str().into()),
                    ("label", label.into()),
                ])
            })
            .collect();
        let names: Vec<&str> = list.iter().filter_map(|d| d["label"].as_str()).collect();
        let word = match (names.is_empty(), files.is_empty()) {
            (false, _) => Some((Word::DraftDropped, names.join(", "))),
            (true, false) => Some((Word::DraftFiles, files.join(", "))),
            (true, true) => (!quiet).then_some((Word::DraftRestored, String::new())),
        };
        if word.is_some() {
            self.set_status(word);
        }
        // The steps up to the screen left were the citizen's on the earlier visit.
        let reached = step.unwrap_or(0).min(self.steps.len());
        self.steps.iter_mut().take(reached).for_each(|s| s.visited = true);
        if step == Some(self.steps.len()) {
            // Left on the review page: back there, or to the first answer that no longer holds.
            self.furthest = self.steps.len();
            let errors = self.session.pending_errors();
            let screen = errors
                .iter()
                .find_map(|e| self.step_of(e))
                .map_or(Screen::Review, Screen::Step);
            self.go_if_elsewhere(screen);
        } else if let Some(i) = step.filter(|&i| self.steps.get(i).is_some_and(|s| s.visible)) {
            self.go_if_elsewhere(Screen::Step(i));
        }
        Json::Array(list.into_iter().chain(file_fields).collect())
    }

    /// Shows `screen` unless it is on already (its `step` was told: a host counting screens counts it once).
    fn go_if_elsewhere(&mut self, screen: Screen) {
        if screen != self.screen {
            self.go(screen, false);
        }
    }

    /// The metrics of the filing so far, computed by the core from the timeline.
    pub fn metrics(&self) -> Metrics {
        self.timeline().metrics(IDLE_THRESHOLD_MS, TARGET_MS)
    }

    /// Adds the one-question rating (1 to 5, optional comment) to the receipt; its words follow the language.
    pub(super) fn build_rating(&mut self) {
        let block = self.dom.add(&self.done, "div", "tk-rate", "");
        // An error above the choices, as a field's, asks for one when none is made; it describes them.
        let error_id = format!("{}rating-error", self.dom.prefix);
        let set_attrs = [
            ("class", "tk-field tk-choices"),
            ("role", "radiogroup"),
            ("aria-describedby", &error_id),
        ];
        let set = self.dom.make(Some(&block), "fieldset", &set_attrs, "");
        self.say(&self.dom.add(&set, "legend", "tk-legend", ""), Some(Word::RateQuestion));
        let error_attrs = [("class", "tk-error"), ("id", &error_id), ("hidden", "")];
        let error = self.dom.make(Some(&set), "p", &error_attrs, "");
        self.say(&self.dom.add(&error, "span", "tk-vh", ""), Some(Word::ErrorPrefix));
        self.dom.add(&error, "span", "", "");
        let name = format!("{}rating", self.dom.prefix);
        let options = self.dom.add(&set, "div", "tk-options", "");
        for (i, w) in RATINGS.iter().enumerate() {
            let row = self.dom.add(&options, "div", "tk-option", "");
            let value = (i + 1).to_string();
            let id = format!("{name}-{value}");
            let input_attrs = [
                ("class", "tk-choice"),
                ("type", "radio"),
                ("name", &name),
                ("id", &id),
                ("value", &value),
            ];
            self.dom.make(Some(&row), "input", &input_attrs, "");
            self.say(&self.dom.make(Some(&row), "label", &[("for", &id)], ""), Some(*w));
        }
        let comment_id = format!("{}rating-comment", self.dom.prefix);
        let label_attrs = [("class", "tk-label"), ("for", &comment_id)];
        self.say(
            &self.dom.make(Some(&block), "label", &label_attrs, ""),
            Some(Word::RateComment),
        );
        let area_attrs = [
            ("class", "tk-input"),
            ("id", &comment_id),
            ("maxlength", "1000"),
            ("rows", "3"),
        ];
        self.dom.make(Some(&block), "textarea", &area_attrs, "");
        let send_attrs = [("class", "tk-btn"), ("type", "button"), ("data-act", "rate")];
        self.say(
            &self.dom.make(Some(&block), "button", &send_attrs, ""),
            Some(Word::RateSend),
        );
        self.dom.make(
            Some(&block),
            "p",
            &[("class", "tk-rate-status"), ("role", "status")],
            "",
        );
    }

    /// Puts a word of the widget in an element (`None` empties it) and keeps it in the current language.
    pub(super) fn say(&mut self, e: &Element, word: Option<Word>) {
        // Lines said before and gone since (an earlier summary's) are not kept to be switched.
        self.chrome.retain(|(c, _)| c != e && c.is_connected());
        e.set_text_content(word.map(|w| w.get(&self.lang)));
        if let Some(w) = word {
            self.chrome.push((e.clone(), Txt::Word(w)));
        }
    }

    /// The rating block's parts: the chosen rating, the comment box, the button and the status line.
    fn rating_parts(&self) -> Option<(Option<String>, HtmlTextAreaElement, Element, Element)> {
        let block = self.done.query_selector(".tk-rate").ok()??;
        let chosen = block
            .query_selector("input:checked")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
            .map(|i| i.value());
        let comment = block.query_selector("textarea").ok()??.dyn_into().ok()?;
        let button = block.query_selector("[data-act=rate]").ok()??;
        let note = block.query_selector(".tk-rate-status").ok()??;
        Some((chosen, comment, button, note))
    }

    /// The citizen sends the rating: the `rate` event carries it to the JS face.
    pub(super) fn rate(&mut self) {
        let Some((chosen, comment, button, note)) = self.rating_parts() else {
            return;
        };
        if button.get_attribute("aria-disabled").as_deref() == Some("true") {
            return;
        }
        let set = self.done.query_selector(".tk-rate fieldset").ok().flatten();
        let rating = chosen.and_then(|v| v.parse::<u8>().ok());
        if let Some(set) = &set {
            flag(set, "aria-invalid", rating.is_none());
        }
        let Some(rating) = rating else {
            self.ask_rating(true);
            self.focus = self
                .done
                .query_selector(".tk-rate input")
                .ok()
                .flatten()
                .map(|e| html(&e));
            return;
        };
        flag(&button, "aria-disabled", true);
        self.say(&note, None);
        let text = comment.value();
        let comment = Some(text.trim()).filter(|t| !t.is_empty());
        self.events
            .push(("rate", object([("rating", rating.into()), ("comment", comment.into())])));
    }

    /// A rating chosen after one was asked for: the group no longer asks.
    pub(super) fn rating_chosen(&mut self) {
        let Ok(Some(set)) = self.done.query_selector(".tk-rate fieldset[aria-invalid]") else {
            return;
        };
        flag(&set, "aria-invalid", false);
        self.ask_rating(false);
    }

    /// Shows (or hides) the error above the rating's choices that asks for one.
    fn ask_rating(&mut self, ask: bool) {
        let Ok(Some(error)) = self.done.query_selector(".tk-rate .tk-error") else {
            return;
        };
        show(&error, ask);
        if let Some(words) = error.last_element_child() {
            self.say(&words, ask.then_some(Word::RateChoose));
        }
    }

    /// Shows whether the rating was recorded (thanks), or lets the citizen send it again.
    pub fn rated(&mut self, ok: bool) {
        let Some((_, _, button, note)) = self.rating_parts() else {
            return;
        };
        if ok {
            if let Ok(Some(set)) = self.done.query_selector(".tk-rate fieldset") {
                show(&set, false);
            }
            for sel in [".tk-rate textarea", ".tk-rate > label", ".tk-rate [data-act=rate]"] {
                if let Ok(Some(e)) = self.done.query_selector(sel) {
                    show(&e, false);
                }
            }
            // The button pressed is gone: focus goes to the thanks, not to the page's start; being
            // focused, it is read, so it is no longer a live region as well (it would be read twice).
            note.remove_attribute("role").ok();
            self.say(&note, Some(Word::RateThanks));
            attr(&note, "tabindex", "-1");
            self.focus = Some(html(&note));
        } else {
            flag(&button, "aria-disabled", false);
            self.say(&note, Some(Word::RateFailed));
        }
    }
}

/// Whether a draft's value holds an answer (not nothing, an empty text or an empty list).
fn given(value: &Json) -> bool {
    !matches!(value, Json::Null) && value != "" && value.as_array().is_none_or(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_js_face_names_every_status() {
        assert_eq!(status_word("offline"), Some(Word::Offline));
        assert_eq!(status_word("retrying"), Some(Word::Retrying));
        assert_eq!(status_word(""), None, "an unknown name clears the status");
    }

    #[test]
    fn statuses_of_different_kinds_are_said_together() {
        let kinds = [
            Word::FormChanged,
            Word::OpenElsewhere,
            Word::PrefillFailed,
            Word::DraftRestored,
            Word::Queued,
            Word::MemberNotFound,
        ];
        let topics: Vec<u8> = kinds.into_iter().map(status_topic).collect();
        assert_eq!(
            topics,
            [0, 1, 2, 3, 4, 5],
            "each its own kind, in the order they are said"
        );
        assert_eq!(
            status_topic(Word::OpenElsewhere),
            status_topic(Word::FiledElsewhere),
            "filed in another tab replaces open in another tab"
        );
        assert_eq!(
            status_topic(Word::PrefillLoading),
            status_topic(Word::PrefillPartial),
            "one replaces the other"
        );
    }
}
