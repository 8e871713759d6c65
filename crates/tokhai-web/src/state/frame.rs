//! The form's frame, rendered once at mount: title and language switch, progress, error summary, the
//! steps (with the fields of the first screen), the review and receipt places, status lines and buttons.

use super::{StepNode, Summary};
use crate::dom::{html, Attrs, Dom};
use crate::render::Builder;
use crate::ui::{Txt, Word};
use std::collections::HashSet;
use std::rc::Rc;
use tokhai_core::definition::FormDef;
use web_sys::{Element, HtmlElement};

/// The frame's elements that the form's state keeps.
pub(super) struct Frame {
    /// The widget's root (`.tk`), holding the form.
    pub root: Element,
    /// "Bước 2/4" above the steps' names.
    pub progress_label: Element,
    /// The error summary at the top (GOV.UK's pattern).
    pub summary: Summary,
    /// One per step of the definition.
    pub steps: Vec<StepNode>,
    /// Steps whose fields wait to be rendered after the first screen.
    pub pending: Vec<usize>,
    /// The review page, filled when shown.
    pub review: Element,
    /// The receipt, filled once the filing is received.
    pub done: Element,
    /// The status line about the form as it opens (national data, a draft), at its top.
    pub form_status: Element,
    /// The status line about the filing (sending, offline), above the buttons.
    pub filing_status: Element,
    /// A hidden live region for what focus alone does not say.
    pub notice: Element,
    /// The buttons' row.
    pub nav: Element,
    /// "Quay lại".
    pub back: HtmlElement,
    /// "Tiếp tục", "Kiểm tra lại tờ khai" or "Gửi tờ khai".
    pub next: HtmlElement,
    /// The widget's own texts, kept to be switched to another language.
    pub chrome: Vec<(Element, Txt)>,
}

/// Makes elements holding the widget's own texts, and keeps them for a language switch.
struct Chrome<'a> {
    dom: &'a Dom,
    lang: &'a str,
    texts: Vec<(Element, Txt)>,
}

impl Chrome<'_> {
    /// An element created with its text (one call across the boundary), kept for a language switch.
    fn add(&mut self, parent: &Element, tag: &str, attrs: Attrs, t: Txt) -> Element {
        let e = self.dom.txt(parent, tag, attrs, &t, self.lang);
        self.texts.push((e.clone(), t));
        e
    }
}

impl Frame {
    /// Renders the frame of `b`'s form (detached, in `root`), with the fields of the steps up to the
    /// first one with a `visible` field; the others wait in `pending`.
    pub fn render(b: &mut Builder, language_switch: bool, visible: &HashSet<&str>) -> Frame {
        let (dom, lang, def) = (b.dom, b.lang, b.session.form().def());
        let mut chrome = Chrome {
            dom,
            lang,
            texts: Vec::new(),
        };
        let root = dom.make(None, "div", &[("class", "tk"), ("lang", lang)], "");
        let title_id = format!("{}title", dom.prefix);
        let form_attrs = [("class", "tk-form"), ("novalidate", ""), ("aria-labelledby", &title_id)];
        let form_el = dom.make(Some(&root), "form", &form_attrs, "");
        let head = dom.add(&form_el, "div", "tk-head", "");
        let title_attrs = [("class", "tk-title"), ("id", title_id.as_str())];
        chrome.add(&head, "h2", &title_attrs, Txt::Def(def.title.clone()));
        if language_switch {
            let other = if lang == "en" { "vi" } else { "en" };
            let b_attrs = [
                ("class", "tk-btn tk-btn-link tk-lang"),
                ("type", "button"),
                ("data-act", "lang"),
                ("lang", other),
            ];
            chrome.add(&head, "button", &b_attrs, Txt::Word(Word::OtherLanguage));
        }
        if let Some(d) = &def.description {
            chrome.add(&form_el, "p", &[("class", "tk-desc")], Txt::Def(d.clone()));
        }
        let progress_name = Txt::Word(Word::Progress).render(lang);
        let mut nav_attrs = vec![("class", "tk-progress"), ("aria-label", progress_name.as_str())];
        if def.steps.len() < 2 {
            nav_attrs.push(("hidden", ""));
        }
        // A group, not a navigation landmark: its steps are no links.
        nav_attrs.push(("role", "group"));
        let nav_el = dom.make(Some(&form_el), "div", &nav_attrs, "");
        // The progress list's name is its aria-label.
        chrome.texts.push((nav_el.clone(), Txt::Word(Word::Progress)));
        let progress_id = format!("{}progress", dom.prefix);
        let label_attrs = [("class", "tk-progress-label"), ("id", progress_id.as_str())];
        let progress_label = dom.make(Some(&nav_el), "p", &label_attrs, "");
        let progress = dom.add(&nav_el, "ol", "tk-steps-list", "");
        let form_status = dom.make(Some(&form_el), "p", &[("class", "tk-status"), ("role", "status")], "");
        let summary = chrome.summary(&form_el);
        let body = dom.add(&form_el, "div", "tk-body", "");
        let (steps, pending) = chrome.steps(b, def, &body, &progress, &progress_id, visible);

        let review = dom.make(Some(&form_el), "section", &[("class", "tk-review"), ("hidden", "")], "");
        let done = dom.make(Some(&form_el), "div", &[("class", "tk-done"), ("hidden", "")], "");
        let filing_attrs = [("class", "tk-filing-status"), ("role", "status")];
        let filing_status = dom.make(Some(&form_el), "p", &filing_attrs, "");
        let notice_attrs = [("class", "tk-vh tk-notice"), ("role", "status")];
        let notice = dom.make(Some(&form_el), "p", &notice_attrs, "");
        let nav = dom.add(&form_el, "div", "tk-nav", "");
        let back_attrs = [
            ("class", "tk-btn tk-btn-secondary"),
            ("type", "button"),
            ("data-act", "back"),
        ];
        let back = chrome.add(&nav, "button", &back_attrs, Txt::Word(Word::Back));
        let next = dom.make(Some(&nav), "button", &[("class", "tk-btn"), ("type", "submit")], "");
        Frame {
            root,
            progress_label,
            summary,
            steps,
            pending,
            review,
            done,
            form_status,
            filing_status,
            notice,
            nav,
            back: html(&back),
            next: html(&next),
            chrome: chrome.texts,
        }
    }
}

impl Chrome<'_> {
    /// The error summary (hidden until the citizen tries to go on with errors).
    fn summary(&mut self, form_el: &Element) -> Summary {
        let dom = self.dom;
        let summary_attrs = [("class", "tk-summary"), ("tabindex", "-1"), ("hidden", "")];
        let el = dom.make(Some(form_el), "div", &summary_attrs, "");
        let alert = dom.make(Some(&el), "div", &[("role", "alert")], "");
        self.add(
            &alert,
            "h2",
            &[("class", "tk-summary-title")],
            Txt::Word(Word::SummaryTitle),
        );
        let list = dom.add(&alert, "ul", "tk-summary-list", "");
        Summary {
            el,
            alert,
            list,
            items: Vec::new(),
            loose: Vec::new(),
        }
    }

    /// Each step's section, title and sections, and its item in the `progress` list; fields are
    /// rendered up to the first step with a `visible` one, and the later steps' indexes returned to wait.
    fn steps(
        &mut self,
        b: &mut Builder,
        def: &FormDef,
        body: &Element,
        progress: &Element,
        progress_id: &str,
        visible: &HashSet<&str>,
    ) -> (Vec<StepNode>, Vec<usize>) {
        let dom = self.dom;
        let mut steps = Vec::with_capacity(def.steps.len());
        let mut pending = Vec::new();
        let mut first_screen_done = false;
        for (si, step) in def.steps.iter().enumerate() {
            let render_fields = !first_screen_done;
            first_screen_done |= step
                .sections
                .iter()
                .flat_map(|s| &s.fields)
                .any(|f| visible.contains(f.id.as_str()));
            if !render_fields {
                pending.push(si);
            }
            let hid = format!("{}step-{si}", dom.prefix);
            let step_attrs = [("class", "tk-step"), ("hidden", ""), ("aria-labelledby", &hid)];
            let el = dom.make(Some(body), "section", &step_attrs, "");
            // Focused on arrival, a step's title is read with where it stands ("Bước 2/4").
            let h_attrs = [
                ("class", "tk-step-title"),
                ("id", &hid),
                ("tabindex", "-1"),
                ("aria-describedby", progress_id),
            ];
            let h = self.add(&el, "h3", &h_attrs, Txt::Def(step.title.clone()));
            let item = dom.add(progress, "li", "", "");
            self.add(&item, "span", &[], Txt::Def(step.title.clone()));
            // What the border's colour shows, said: "(đã xong)" after a step done.
            let done = dom.add(&item, "span", "tk-vh", "");
            let mut sections = Vec::with_capacity(step.sections.len());
            for sec in &step.sections {
                let s = dom.add(&el, "div", "tk-section", "");
                if let Some(t) = &sec.title {
                    self.add(&s, "h4", &[("class", "tk-section-title")], Txt::Def(t.clone()));
                }
                if let Some(t) = &sec.hint {
                    self.add(&s, "p", &[("class", "tk-hint")], Txt::Def(t.clone()));
                }
                if render_fields {
                    for f in &sec.fields {
                        b.field(&s, &Rc::new(f.clone()), &f.id, si);
                    }
                }
                sections.push(s);
            }
            steps.push(StepNode {
                id: step.id.clone(),
                el,
                heading: html(&h),
                item,
                done,
                sections,
                visible: true,
                visited: false,
            });
        }
        (steps, pending)
    }
}
