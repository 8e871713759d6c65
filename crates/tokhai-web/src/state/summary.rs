//! The error summary at the top of the form (the GOV.UK pattern): a line per error, each a link to its field.

use super::{message, State};
use crate::dom::{attr, html, show, shown, write};
use crate::ui::{Txt, Word};
use tokhai_core::Issue;
use web_sys::Element;

impl State {
    /// Fills the summary with errors and shows it, focused.
    pub(super) fn show_summary(&mut self, issues: &[Issue]) {
        self.summary.list.set_text_content(None);
        self.summary.items.clear();
        self.summary.loose.clear();
        for issue in issues.iter().filter(|i| i.is_error()) {
            if self.summary.items.iter().any(|(p, _)| p == &issue.path) && self.nodes.contains_key(&issue.path) {
                continue;
            }
            let li = self.dom.add(&self.summary.list, "li", "", "");
            self.summary.items.push((issue.path.clone(), vec![li.clone()]));
            self.update_summary_item(&issue.path.clone());
            if !self.nodes.contains_key(&issue.path) {
                // A form-level issue: text without a link.
                li.set_text_content(Some(&message(&self.form, &self.server_messages, issue, &self.lang)));
                self.summary.loose.push((issue.clone(), li));
            }
        }
        attr(&self.summary.alert, "role", "alert");
        self.head_summary(Word::SummaryTitle);
        // The summary speaks for every error: a box's error said as it was left is not said over it.
        self.notice.set_text_content(None);
        show(&self.summary.el, !self.summary.items.is_empty());
        self.focus = Some(html(&self.summary.el));
    }

    /// Heads the summary with `word`: what to correct, or that the declaration was not sent.
    pub(super) fn head_summary(&mut self, word: Word) {
        let title = self
            .chrome
            .iter_mut()
            .find(|(e, _)| e.class_name() == "tk-summary-title");
        if let Some((e, t)) = title {
            *t = Txt::Word(word);
            write(e, t, &self.lang);
        }
    }

    /// Rewrites the summary's lines that name no field in the current language.
    pub(super) fn rewrite_loose_summary(&self) {
        for (issue, li) in &self.summary.loose {
            li.set_text_content(Some(&message(&self.form, &self.server_messages, issue, &self.lang)));
        }
    }

    /// Hides and empties the summary.
    pub(super) fn hide_summary(&mut self) {
        self.summary.list.set_text_content(None);
        self.summary.items.clear();
        self.summary.loose.clear();
        show(&self.summary.el, false);
    }

    /// Rewrites (or removes) the summary entry of a path after its issues changed.
    pub(super) fn update_summary_item(&mut self, path: &str) {
        let Some(pos) = self.summary.items.iter().position(|(p, _)| p == path) else {
            return;
        };
        let Some(n) = self.nodes.get(path) else {
            return;
        };
        self.summary.alert.remove_attribute("role").ok();
        // Only what the field shows too: a list emptied by another answer waits for the citizen to leave it.
        let errors =
            n.st.issues
                .iter()
                .filter(|i| i.is_error() && shown(&n.wrap) && n.st.shown);
        let old = std::mem::take(&mut self.summary.items[pos].1);
        let mut lines = Vec::new();
        for issue in errors {
            let li = self.dom.make(None, "li", &[], "");
            let _ = self.summary.list.insert_before(&li, old.first().map(|e| e.as_ref()));
            let target = self.link_target(path, issue);
            let id = self.nodes.get(&target).map_or(&n.id, |t| &t.id);
            let href = format!("#{id}");
            let text = message(&self.form, &self.server_messages, issue, &self.lang);
            let a_attrs = [("href", href.as_str()), ("data-act", "link"), ("data-path", &target)];
            self.dom.make(Some(&li), "a", &a_attrs, &text);
            lines.push(li);
        }
        old.iter().for_each(Element::remove);
        if lines.is_empty() {
            self.summary.items.remove(pos);
            if self.summary.items.is_empty() {
                // Focus in a summary that goes (its errors mended by national data filled in) goes to the
                // screen's heading, not to the page's top.
                let focused = self.dom.doc.active_element();
                let held = focused.is_some_and(|a| self.summary.el.contains(Some(&a)));
                show(&self.summary.el, false);
                self.focus_heading |= held;
            }
        } else {
            self.summary.items[pos].1 = lines;
        }
    }

    /// The field of a group's rows where an issue of the group naming a row (`at`) is mended: the start
    /// date of periods (a gap or an overlap), the PIN of a household member (a person twice).
    pub(super) fn row_blamed_field(&self, group: &str) -> Option<String> {
        let periods = self.groups.get(group)?.def.periods.as_ref();
        periods.map(|p| p.from.clone()).or_else(|| self.member_key_of(group))
    }

    /// Where an issue's summary link takes the citizen: its field (a repeat group itself, described by its
    /// errors); for an issue naming a row, that row's field where it is mended (see `row_blamed_field`).
    fn link_target(&self, path: &str, issue: &Issue) -> String {
        let row = issue.params.get("at").and_then(|at| at.parse::<usize>().ok());
        let from = self.row_blamed_field(path);
        let target = row
            .zip(from)
            .map(|(at, from)| format!("{path}[{}].{from}", at.saturating_sub(1)));
        target
            .filter(|t| self.nodes.contains_key(t))
            .unwrap_or_else(|| path.to_owned())
    }
}
