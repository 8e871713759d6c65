//! The wizard: steps, the progress indicator, validation on the way, the review page and the confirmation.

use super::files::UPLOADING;
use super::{catalog_view, message, object, Screen, State};
use crate::dom::{attr, flag, html, show, shown};
use crate::ui::Word;
use serde_json::Value as Json;
use tokhai_core::answer;
use tokhai_core::definition::FieldDef;
use tokhai_core::timing::EventKind;
use tokhai_core::{Date, FieldKind, Issue, Severity};
use web_sys::{Element, HtmlElement, Node};

/// The param that numbers the back end's reasons in its answer.
const REASON: &str = "reason_index";

impl State {
    /// Indexes of the visible steps.
    pub(super) fn visible_steps(&self) -> Vec<usize> {
        self.steps
            .iter()
            .enumerate()
            .filter(|(_, s)| s.visible)
            .map(|(i, _)| i)
            .collect()
    }

    /// Shows a screen; `focus` moves focus to its heading.
    pub(super) fn go(&mut self, screen: Screen, focus: bool) {
        if screen != self.screen {
            self.forget_member_status(true);
            // What was said about the screen left is not left for a screen reader to meet on the next.
            self.notify(String::new());
        }
        self.screen = screen;
        for (i, s) in self.steps.iter().enumerate() {
            show(&s.el, screen == Screen::Step(i));
        }
        show(&self.review, screen == Screen::Review);
        show(&self.done, screen == Screen::Done);
        show(&self.nav, screen != Screen::Done);
        // The receipt ends the filing: no progress bar above it.
        if let Some(progress) = self.progress_label.parent_element() {
            show(&progress, screen != Screen::Done && self.steps.len() > 1);
        }
        match screen {
            Screen::Step(i) => {
                self.furthest = self.furthest.max(i);
                self.steps[i].visited = true;
            }
            Screen::Review => {
                self.furthest = self.steps.len();
                self.build_review();
            }
            Screen::Done => {}
        }
        self.update_progress();
        if focus {
            // Back from a "Sửa": to that answer's "Sửa" (its row read with it), not the page's top.
            let changing = if screen == Screen::Review {
                self.changing.take()
            } else {
                None
            };
            let change = changing.and_then(|p| {
                let edit = self
                    .review
                    .query_selector(&format!("[data-act=edit][data-path=\"{p}\"]"));
                edit.ok().flatten().map(|e| html(&e))
            });
            self.focus = change.or_else(|| self.screen_heading());
        }
        let shown = match screen {
            Screen::Step(i) => {
                let title = &self.form.def().steps[i].title;
                let title = [title.get("vi"), title.get("en")].map(Json::from);
                Some((i, self.steps[i].id.clone(), title))
            }
            Screen::Review => {
                let title = ["vi", "en"].map(|lang| Json::from(Word::ReviewTitle.get(lang)));
                Some((self.steps.len(), "review".to_owned(), title))
            }
            Screen::Done => None,
        };
        if let Some((index, id, [vi, en])) = shown {
            self.record(EventKind::Step { step: id.clone() });
            // The title in both languages: a host names its page by it (GOV.UK's titles say the step).
            let title = object([("vi", vi), ("en", en)]);
            let detail = object([("index", index.into()), ("id", id.into()), ("title", title)]);
            self.events.push(("step", detail));
        }
    }

    /// Updates the progress indicator and the navigation buttons for the current screen.
    pub(super) fn update_progress(&mut self) {
        let visible = self.visible_steps();
        let lang = self.lang.clone();
        let current = match self.screen {
            Screen::Step(i) => Some(i),
            _ => None,
        };
        for (i, s) in self.steps.iter().enumerate() {
            if Some(i) == current {
                attr(&s.item, "aria-current", "step");
            } else {
                s.item.remove_attribute("aria-current").ok();
            }
            let done = match self.screen {
                Screen::Step(c) => i < c,
                _ => true,
            };
            let said = done.then(|| Word::StepDone.get(&lang));
            s.done.set_text_content(said);
            s.item.set_class_name(if Some(i) == current {
                "tk-current"
            } else if done {
                "tk-done-step"
            } else {
                ""
            });
        }
        let total = visible.len();
        // Above the review page, what is done rather than the page's own title again.
        let (n, word) = match self.screen {
            Screen::Step(i) => (visible.iter().position(|&v| v == i).map_or(1, |p| p + 1), Word::StepOf),
            _ => (total, Word::StepsDone),
        };
        let label = word.fill(&lang, &n.to_string(), &total.to_string());
        self.progress_label.set_text_content(Some(&label));
        let first = visible.first().copied();
        let last = visible.last().copied();
        let (back, next) = match self.screen {
            Screen::Step(i) => (
                Some(i) != first,
                if Some(i) == last || self.returns_to_review(i) {
                    Word::ToReview
                } else {
                    Word::Next
                },
            ),
            _ => (true, Word::Submit),
        };
        self.back.set_hidden(!back);
        self.next.set_text_content(Some(if self.busy {
            Word::Sending.get(&lang)
        } else {
            next.get(&lang)
        }));
        // While the filing is sent nothing moves: neither button can be used (said as "true", not as an
        // empty attribute, which means false).
        for button in [&self.next, &self.back] {
            flag(button, "aria-disabled", self.busy);
        }
        let edits = self.review.get_elements_by_class_name("tk-edit");
        for edit in (0..edits.length()).filter_map(|i| edits.item(i)) {
            flag(&edit, "aria-disabled", self.busy);
        }
    }

    /// Every issue of the form after validating every visible field: the core's, with the widget's own
    /// (text in a list that chose nothing, in place of the core's; files not uploaded, or still uploading
    /// with `waiting_uploads`).
    fn checked_issues(&mut self, waiting_uploads: bool) -> Vec<Issue> {
        let patches = self.session.validate_all();
        self.apply(patches, None);
        let mut issues = self.session.issues();
        // Each where the page has it: in place of the core's issue of its field, or before the next field's.
        for issue in self.unmatched_issues() {
            let at = (issues.iter()).position(|i| i.path == issue.path || self.comes_after(&i.path, &issue.path));
            issues.retain(|i| i.path != issue.path);
            issues.insert(at.unwrap_or(issues.len()), issue);
        }
        issues.extend(self.upload_issues(waiting_uploads));
        issues
    }

    /// Every error of the form, after validating every visible field.
    pub(super) fn validate_errors(&mut self, waiting_uploads: bool) -> Vec<Issue> {
        self.checked_issues(waiting_uploads)
            .into_iter()
            .filter(Issue::is_error)
            .collect()
    }

    /// Whether the field at `later` comes after the field at `path` on the page.
    fn comes_after(&self, later: &str, path: &str) -> bool {
        match (self.nodes.get(later), self.nodes.get(path)) {
            (Some(l), Some(p)) => p.wrap.compare_document_position(&l.wrap) & Node::DOCUMENT_POSITION_FOLLOWING != 0,
            _ => false,
        }
    }

    /// The step of the field an issue is about (`None` when no field of a step has it).
    pub(super) fn step_of(&self, issue: &Issue) -> Option<usize> {
        self.nodes.get(&issue.path).map(|n| n.step)
    }

    /// Marks the paths of issues as shown and displays them.
    pub(super) fn reveal(&mut self, issues: &[Issue]) {
        for issue in issues {
            if let Some(n) = self.nodes.get_mut(&issue.path) {
                n.st.shown = true;
            }
        }
        for issue in issues {
            self.render_issues(&issue.path);
        }
    }

    /// Whether the citizen has reached the review page.
    pub(super) fn reviewed(&self) -> bool {
        self.furthest >= self.steps.len()
    }

    /// Whether going on from step `i` returns to the review page (as after "Sửa", when no step further
    /// on would stop the citizen), so that its button says so.
    fn returns_to_review(&self, i: usize) -> bool {
        self.reviewed() && !(self.session.pending_errors().iter()).any(|e| self.step_of(e).is_some_and(|s| s > i))
    }

    /// Goes on from a step: to the next visible step, or back to the furthest screen reached (the review
    /// page, or a later step) past the steps the citizen has seen and that are still complete; stays with
    /// a summary on errors. An error on an earlier step holds it back too: an answer here made it wrong
    /// (the father not established, whose ethnicity the child was to follow), and it is shown now, not
    /// steps later, after this step's own.
    pub(super) fn next(&mut self) {
        let Screen::Step(i) = self.screen else { return };
        let (all, warnings): (Vec<Issue>, Vec<Issue>) =
            self.checked_issues(false).into_iter().partition(Issue::is_error);
        // This step's errors lead, and the citizen stays with them (the answer at fault is likely here);
        // those it made on earlier steps follow.
        let (mut errors, earlier): (Vec<Issue>, Vec<Issue>) = (all.iter())
            .filter(|e| self.step_of(e).is_none_or(|s| s <= i))
            .cloned()
            .partition(|e| self.step_of(e).is_none_or(|s| s == i));
        errors.extend(earlier);
        if !errors.is_empty() {
            // The step's warnings show with its errors: a total the form works out, never left, says so too.
            let warnings: Vec<Issue> = warnings.into_iter().filter(|w| self.step_of(w) == Some(i)).collect();
            self.reveal(&warnings);
            return self.refuse(&errors);
        }
        let after = (self.visible_steps().into_iter())
            .filter(|&s| s > i)
            .find(|&s| !self.steps[s].visited || s >= self.furthest || all.iter().any(|e| self.step_of(e) == Some(s)));
        self.hide_summary();
        self.go(after.map_or(Screen::Review, Screen::Step), true);
        if after.is_some() && self.reviewed() {
            // Not the review page the button led to before the answer changed: said why.
            self.notify(Word::MoreToAnswer.get(&self.lang).to_owned());
        }
    }

    /// Shows errors that hold the filing back: on the step of the first, with the summary of them all.
    fn refuse(&mut self, errors: &[Issue]) {
        self.reveal(errors);
        let first = errors.iter().find_map(|e| self.step_of(e));
        let back = match (self.screen, first) {
            (Screen::Step(now), Some(step)) => step < now,
            _ => false,
        };
        if let Some(step) = first.filter(|&s| self.screen != Screen::Step(s)) {
            self.go(Screen::Step(step), false);
        }
        self.show_summary(errors);
        if back {
            // Taken back to an earlier step: the summary's heading says why, before its reasons.
            self.head_summary(Word::SummaryEarlierStep);
        }
        self.events
            .push(("invalid", object([("issues", self.issue_list(errors))])));
    }

    /// Goes back one visible step.
    pub(super) fn back(&mut self) {
        let visible = self.visible_steps();
        let target = match self.screen {
            Screen::Step(i) => visible.into_iter().rev().find(|&s| s < i),
            _ => visible.last().copied(),
        };
        if let Some(t) = target {
            self.hide_summary();
            self.go(Screen::Step(t), true);
        }
    }

    /// Goes to screen `index` (a step, or the review page after the last) as the browser's back and
    /// forward buttons ask: back to it (or the visible step before it) freely, forward as the Next
    /// button goes. Nothing moves while the filing is sent, nor once it is done.
    pub fn show_step(&mut self, index: usize) {
        if self.busy {
            return;
        }
        let current = match self.screen {
            Screen::Step(i) => i,
            Screen::Review => self.steps.len(),
            Screen::Done => return,
        };
        if index > current {
            return self.next();
        }
        let target = self.visible_steps().into_iter().rev().find(|&s| s <= index);
        if let Some(t) = target.filter(|&t| t != current) {
            self.hide_summary();
            self.go(Screen::Step(t), true);
        }
    }

    /// Validates everything: shows every error and returns the issues with their messages.
    pub fn validate(&mut self) -> Json {
        let issues = self.checked_issues(true);
        self.reveal(&issues);
        self.issue_list(&issues)
    }

    /// Issues as JSON with their messages in the current language.
    pub(super) fn issue_list(&self, issues: &[Issue]) -> Json {
        let list = issues
            .iter()
            .map(|i| {
                let mut v = i.to_json();
                if let Some(o) = v.as_object_mut() {
                    o.insert(
                        "severity".into(),
                        (if i.severity == Severity::Error {
                            "error"
                        } else {
                            "warning"
                        })
                        .into(),
                    );
                    o.insert(
                        "message".into(),
                        message(&self.form, &self.server_messages, i, &self.lang).into(),
                    );
                }
                v
            })
            .collect();
        Json::Array(list)
    }

    /// The submission of a valid form; or `None`, with the errors shown with the summary, or while
    /// the files still uploading are waited for (the form is then sent, or its errors shown, after them).
    pub fn submit(&mut self) -> Option<Json> {
        if self.busy || self.screen == Screen::Done {
            return None;
        }
        self.record(EventKind::Submit);
        self.send_if_valid()
    }

    /// [`State::submit`] once the press is recorded.
    pub(super) fn send_if_valid(&mut self) -> Option<Json> {
        let errors = self.validate_errors(true);
        if !errors.is_empty() && errors.iter().all(|e| e.code == UPLOADING) {
            self.wait_for_uploads();
            return None;
        }
        if !errors.is_empty() {
            self.refuse(&errors);
            return None;
        }
        let submission = self
            .session
            .submission(&self.idempotency_key, self.bundle.clone(), self.member_bundles());
        let detail = submission.into_json();
        self.events.push(("submit", detail.clone()));
        Some(detail)
    }

    /// Marks the form as being sent (or not).
    pub fn set_busy(&mut self, busy: bool) {
        self.busy = busy;
        self.update_progress();
    }

    /// Shows the confirmation after the back end accepted the submission (`earlier`: from an earlier
    /// attempt, before answers changed).
    pub fn receipt(&mut self, reference: Option<String>, [received_at, due_at]: [Option<f64>; 2], earlier: bool) {
        self.record(EventKind::Receipt);
        self.busy = false;
        self.hide_summary();
        self.reference = reference;
        self.received_earlier = earlier;
        let time = |ms: Option<f64>| ms.filter(|ms| ms.is_finite()).map(|ms| ms as i64);
        self.received_at = time(received_at);
        self.due_at = time(due_at);
        self.done.set_text_content(None);
        self.chrome.retain(|(e, _)| !self.done.contains(Some(e)));
        let sheet = self.dom.add(&self.done, "div", "tk-receipt", "");
        self.write_receipt(&sheet);
        if self.satisfaction {
            self.build_rating();
        }
        self.set_status(None);
        self.go(Screen::Done, true);
        self.focus = sheet.first_element_child().map(|h| html(&h));
    }

    /// Writes the receipt in the current language: heading, reference, print button and what was sent.
    pub(super) fn write_receipt(&self, sheet: &Element) {
        let lang = &self.lang;
        // Focused on arrival, the heading is read with the reference.
        let ref_id = format!("{}reference", self.dom.prefix);
        let mut h_attrs = vec![("class", "tk-done-title"), ("tabindex", "-1")];
        if self.reference.is_some() {
            h_attrs.push(("aria-describedby", &ref_id));
        }
        self.dom.make(Some(sheet), "h3", &h_attrs, Word::Submitted.get(lang));
        if let Some(r) = &self.reference {
            // The reference a citizen copies down stands on a line of its own, as GOV.UK's panel has it.
            let words = Word::Reference.get(lang);
            let (before, after) = words.split_once("{n}").unwrap_or((words, ""));
            let p = self
                .dom
                .make(Some(sheet), "p", &[("class", "tk-reference"), ("id", &ref_id)], before);
            self.dom.add(&p, "span", "tk-reference-code", r);
            let _ = p.append_with_str_1(after);
        }
        for (ms, class, word) in [
            (self.received_at, "tk-received", Word::ReceivedAt),
            (self.due_at, "tk-due", Word::DueAt),
        ] {
            if let Some(ms) = ms {
                let at = Date::viet_nam_time(ms, lang);
                self.dom.add(sheet, "p", class, &word.fill(lang, &at, ""));
            }
        }
        if self.received_earlier {
            self.dom.add(sheet, "p", "tk-earlier", Word::ReceivedEarlier.get(lang));
        }
        let print_attrs = [
            ("class", "tk-btn tk-btn-secondary tk-print"),
            ("type", "button"),
            ("data-act", "print"),
        ];
        self.dom
            .make(Some(sheet), "button", &print_attrs, Word::Print.get(lang));
        let sid = format!("{}receipt-summary", self.dom.prefix);
        let summary_attrs = [("class", "tk-receipt-summary"), ("aria-labelledby", &sid)];
        let summary = self.dom.make(Some(sheet), "section", &summary_attrs, "");
        self.dom
            .make(Some(&summary), "h4", &[("id", &sid)], Word::SubmittedSummary.get(lang));
        self.write_answers(&summary, false);
    }

    /// The heading of the screen shown: the step's, the review page's, or the receipt.
    pub fn screen_heading(&self) -> Option<HtmlElement> {
        match self.screen {
            Screen::Step(i) => Some(self.steps[i].heading.clone()),
            Screen::Review => self.review.first_element_child().map(|e| html(&e)),
            Screen::Done => Some(html(&self.done)),
        }
    }

    /// Shows the back end's refusal reasons (`{path, code, params, message_vi, message_en}`, the
    /// back end's words winning over the core's), or a general failure when there are none.
    pub fn refused(&mut self, reasons: Vec<Json>) {
        // Each reason keeps its own words, even when two share a place and a code and give no params
        // (two files refused alike): its place in the answer tells them apart.
        let reasons: Vec<(Issue, Json)> = (reasons.into_iter().enumerate())
            .filter_map(|(k, r)| Some((Issue::from_json(&r)?.with(REASON, k), r)))
            .collect();
        let issues: Vec<Issue> = reasons.iter().map(|(i, _)| i.clone()).collect();
        // Reasons of the same kind at the same place, from this answer or an earlier one, give way to
        // this answer's (all of them: two files can be refused for the same reason).
        let replaced = |i: &Issue| issues.iter().any(|n| n.path == i.path && n.code == i.code);
        self.server_messages.retain(|(i, _)| !replaced(i));
        self.server_messages.extend(reasons);
        self.busy = false;
        self.set_status(None);
        self.update_progress();
        if issues.is_empty() {
            self.summary.list.set_text_content(None);
            self.summary.items.clear();
            self.summary.loose.clear();
            let li = self.dom.add(&self.summary.list, "li", "", "");
            self.say(&li, Some(Word::SendFailed));
            self.summary.items.push((String::new(), vec![li]));
            show(&self.summary.el, true);
            self.head_summary(Word::NotSent);
            self.focus = Some(html(&self.summary.el));
            return;
        }
        for n in self.nodes.values_mut() {
            n.st.issues.retain(|i| !replaced(i));
        }
        for issue in &issues {
            if let Some(n) = self.nodes.get_mut(&issue.path) {
                n.st.issues.push(issue.clone());
            }
        }
        self.files_refused(&issues);
        self.reveal(&issues);
        self.show_summary(&issues);
        // Reasons that name no answer (an expired login, a form changed) are not for the citizen to correct.
        if !issues.iter().any(|i| self.nodes.contains_key(&i.path)) {
            self.head_summary(Word::NotSent);
        }
    }

    /// Builds the review page from the session's values, with the procedure's time limit for them.
    pub(super) fn build_review(&mut self) {
        let r = self.review.clone();
        r.set_text_content(None);
        let h_attrs = [("class", "tk-review-title"), ("tabindex", "-1")];
        self.dom
            .make(Some(&r), "h3", &h_attrs, Word::ReviewTitle.get(&self.lang));
        let limit = match self.session.time_limit().ok().flatten() {
            Some(0) => Some(Word::TimeLimitSameDay.get(&self.lang).to_owned()),
            Some(days) => Some(Word::TimeLimit.fill(&self.lang, &days.to_string(), "")),
            None => None,
        };
        if let Some(words) = limit {
            self.dom.add(&r, "p", "tk-time-limit", &words);
        }
        self.write_answers(&r, true);
    }

    /// Writes the visible answers step by step into `parent`; with `edit`, each answer the citizen can
    /// change has its own "Sửa" that goes to its question (GOV.UK's check answers pattern). An answer
    /// locked from national data or worked out by the form has none.
    pub(super) fn write_answers(&self, parent: &Element, edit: bool) {
        let lang = self.lang.clone();
        let values = self.session.values();
        let def = self.form.def();
        for (i, step) in def.steps.iter().enumerate() {
            if !self.steps[i].visible {
                continue;
            }
            let block = self.dom.add(parent, "div", "tk-review-step", "");
            // Under the review's h3, or under the receipt's "what was sent" h4.
            self.dom.add(
                &block,
                if edit { "h4" } else { "h5" },
                "tk-review-head",
                step.title.get(&lang),
            );
            let dl = self.dom.add(&block, "dl", "tk-answers", "");
            for (sec, el) in step.sections.iter().zip(&self.steps[i].sections) {
                if !shown(el) {
                    continue;
                }
                for f in &sec.fields {
                    let node = self.nodes.get(&f.id);
                    if node.is_some_and(|n| !shown(&n.wrap)) {
                        continue;
                    }
                    let row = self.dom.add(&dl, "div", "tk-answer", "");
                    self.dom.def_text(&row, "dt", &[], &f.label, &lang);
                    let dd = self.dom.add(&row, "dd", "", "");
                    let v = values.get(&f.id).unwrap_or(&Json::Null);
                    if f.kind == FieldKind::Group {
                        self.review_rows(&dd, f, v);
                    } else {
                        dd.set_text_content(Some(&answer::text(
                            f,
                            v,
                            catalog_view(&self.form, &self.host),
                            &self.lang,
                        )));
                    }
                    if edit && f.compute.is_none() && node.is_some_and(|n| !n.locked()) {
                        self.change_button(&row, f, &lang);
                    }
                }
            }
        }
    }

    /// The "Sửa" of one answer, named with its question ("Sửa: Số điện thoại"), starting with the word seen.
    fn change_button(&self, row: &Element, f: &FieldDef, lang: &str) {
        let dd = self.dom.add(row, "dd", "tk-answer-change", "");
        let name = format!("{}: {}", Word::Change.get(lang), f.label.get(lang));
        let attrs = [
            ("class", "tk-btn tk-btn-link tk-edit"),
            ("type", "button"),
            ("data-act", "edit"),
            ("data-path", &f.id),
            ("aria-label", &name),
        ];
        self.dom.make(Some(&dd), "button", &attrs, Word::Change.get(lang));
    }

    /// The rows of a group on the review page.
    pub(super) fn review_rows(&self, dd: &Element, def: &FieldDef, value: &Json) {
        let rows = answer::rows(def, value, catalog_view(&self.form, &self.host), &self.lang);
        if rows.is_empty() {
            dd.set_text_content(Some(answer::blank(&self.lang)));
            return;
        }
        let ol = self.dom.add(dd, "ol", "tk-answer-rows", "");
        for row in rows {
            self.dom.add(&ol, "li", "", &row);
        }
    }

    /// Removes the widget's DOM.
    pub fn unmount(&self) {
        self.root.remove();
    }
}
