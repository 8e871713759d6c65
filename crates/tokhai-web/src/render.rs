//! Builds the form's DOM once from the definition and keeps handles on what patches change.

use crate::dom::{attr, flag, html, say_later, Attrs, Dom};
use crate::ui::{Txt, Word};
use std::collections::HashMap;
use std::rc::Rc;
use tokhai_core::catalog::Catalog;
use tokhai_core::definition::FieldDef;
use tokhai_core::messages::file_hint;
use tokhai_core::path::ADDRESS_PARTS;
use tokhai_core::prefill::member_key;
use tokhai_core::text::char_len;
use tokhai_core::{Date, FieldKind, Issue, Session, Text};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};

/// Catalogues by name: the form's own first, then the host's.
pub type Lookup<'a> = &'a dyn Fn(&str) -> Option<&'a Catalog>;

/// What the citizen edits for one value path.
pub enum Control {
    /// One-line text, dates, numbers, phones, identifiers.
    Input(HtmlInputElement),
    /// Several lines of text, with a character count if the field has a maximum length; or one
    /// line that wraps (`tk-wrap`).
    Area(web_sys::HtmlTextAreaElement, Option<Counter>),
    /// A native drop-down list of static options.
    Select(web_sys::HtmlSelectElement),
    /// A searchable list of catalogue options.
    Combo(Combo),
    /// A yes/no check box.
    Check(HtmlInputElement),
    /// Radio buttons (`multi` false) or check boxes (`multi` true).
    Choices { inputs: Vec<HtmlInputElement>, multi: bool },
    /// Attached files.
    File(Files),
    /// An address or a repeat group, whose parts are nodes of their own.
    Container,
}

/// The character count under a text area with a maximum length (GOV.UK's character count).
pub struct Counter {
    /// The line saying how many characters are left, or how many too many.
    pub el: Element,
    /// A hidden live region that repeats the line once typing pauses, for screen readers.
    pub live: Element,
    /// The maximum length, in characters after NFC.
    pub max: usize,
}

impl Counter {
    /// Shows how many characters `text` leaves, or how many it has too many.
    pub fn show(&self, text: &str, lang: &str) {
        let len = char_len(text);
        let over = len > self.max;
        let (word, n) = if over {
            (Word::CharactersOver, len - self.max)
        } else {
            (Word::CharactersLeft, self.max - len)
        };
        self.el.set_text_content(Some(&word.fill(lang, &n.to_string(), "")));
        let _ = self.el.class_list().toggle_with_force("tk-count-over", over);
    }

    /// Has a screen reader say the count once the citizen pauses typing.
    pub fn announce(&self) {
        say_later(&self.live, &self.el.text_content().unwrap_or_default());
    }
}

/// A file box with what goes with it.
pub struct Files {
    /// The `<input type=file>`, unseen over the box that shows the button and the files' names in
    /// the form's language; screen readers and drops still meet the input itself.
    pub input: HtmlInputElement,
    /// The names of the chosen files, or "No file chosen"; it describes the input too.
    pub chosen: Element,
    /// The line that says how the upload goes (a live region).
    pub line: Element,
    /// Holds a button per chosen file that removes it.
    pub remove: Element,
    /// The box's button: "Chọn tệp", or "Chọn thêm tệp" while a field taking several files has some.
    pub choose: Element,
    /// Whether the field takes several files: a choice then adds to those chosen before.
    pub several: bool,
}

/// A searchable list (ARIA combobox) over a catalogue, filtered by a parent code.
pub struct Combo {
    /// The text box with role `combobox`.
    pub input: HtmlInputElement,
    /// The `listbox` of matching options.
    pub list: Element,
    /// Live region saying the number of matches, or, while the list waits, which list to choose first.
    pub status: Element,
    /// A dependent list's note to choose the list it waits for first, shown while it waits.
    pub note: Option<Element>,
    /// A dependent list's line saying its choice was emptied by the list it follows (seen, and read with
    /// it), and the choice it names, until another is made.
    pub cleared: Option<(Element, Option<(Word, String)>)>,
    /// Catalogue name.
    pub catalog: String,
    /// The label of the list whose choice filters this one's options (a dependent list), if any.
    pub waits_for: Option<Txt>,
    /// Current parent code of a dependent list.
    pub parent: Option<String>,
    /// Chosen code.
    pub value: Option<String>,
    /// Codes of the listed options, in order.
    pub items: Vec<String>,
    /// Index of the highlighted option.
    pub active: Option<usize>,
}

/// One value path on screen: its control, label, hint, error and state.
pub struct FieldNode {
    /// The field's definition (for an address part: the address).
    pub def: Rc<FieldDef>,
    /// Address part (`province`, `commune`, `street`), if this node is one.
    pub part: Option<&'static str>,
    /// Index of the step holding the field.
    pub step: usize,
    /// Container shown or hidden by visibility patches.
    pub wrap: Element,
    /// The label or legend, where the required marker goes.
    pub label: Element,
    /// The control.
    pub control: Control,
    /// What focus moves to (first control).
    pub focus: HtmlElement,
    /// Id of the focus target, for summary links.
    pub id: String,
    /// Element carrying `aria-describedby` and `aria-invalid`.
    pub described: Element,
    /// Ids always in `aria-describedby` (hint).
    pub hint_ids: String,
    /// The error message element goes before this one.
    pub anchor: Element,
    /// Texts to re-render on a language change.
    pub texts: Vec<(Element, Txt)>,
    /// What changes as the citizen fills the form.
    pub st: Status,
}

/// The changing state of a node.
pub struct Status {
    /// Error message element, created when first needed.
    pub error: Option<Element>,
    /// Required marker, created when first needed.
    pub req: Option<Element>,
    /// Provenance note of a prefilled value, created when prefilled.
    pub prov: Option<Element>,
    /// The core's current issues for this path.
    pub issues: Vec<Issue>,
    /// Whether issues are displayed (the citizen left the field, or tried to go on).
    pub shown: bool,
    /// The error message said as the citizen last left the field (a file box: why the files chosen are
    /// refused): said again only once it changed.
    pub said: Option<String>,
    /// Whether the field is visible.
    pub visible: bool,
    /// Ids of a group's error lines that name this box's row (a gap before it), read with the box.
    pub blamed_by: Option<String>,
}

impl Default for Status {
    fn default() -> Status {
        Status {
            error: None,
            req: None,
            prov: None,
            issues: Vec::new(),
            shown: false,
            said: None,
            visible: true,
            blamed_by: None,
        }
    }
}

impl FieldNode {
    /// The ids of its hints on show: a locked date hides how to type it, a list that no longer waits
    /// its note to choose the list it waits for (a hidden element named by `aria-describedby` is still read).
    pub fn shown_hints(&self) -> String {
        let hidden = |id: &str| {
            self.wrap
                .query_selector(&format!("[id=\"{id}\"][hidden]"))
                .ok()
                .flatten()
        };
        let shown = |id: &&str| hidden(id).is_none();
        self.hint_ids.split(' ').filter(shown).collect::<Vec<_>>().join(" ")
    }

    /// Whether national data filled it and locked it (its provenance note says so).
    pub fn locked(&self) -> bool {
        (self.st.prov.as_ref()).is_some_and(|p| p.get_attribute(LOCKED).as_deref() == Some("true"))
    }

    /// Makes a node's control read-only (`locked`) or editable. A list, a check box or a radio button
    /// has no read-only state in HTML: it stays focusable, says `aria-readonly` (its group does, for
    /// radios), and its `data-locked` mark makes the widget ignore the clicks and keys that would change it.
    pub fn lock(&self, locked: bool) {
        let guard = |e: &Element| {
            let _ = e.toggle_attribute_with_force(LOCKED, locked);
        };
        let read_only = |e: &Element| {
            guard(e);
            flag(e, "aria-readonly", locked);
        };
        match &self.control {
            Control::Input(i) => i.set_read_only(locked),
            Control::Area(a, _) => a.set_read_only(locked),
            Control::Combo(c) => {
                c.input.set_read_only(locked);
                flag(&c.input, "aria-readonly", locked);
            }
            Control::Select(s) => read_only(s),
            Control::Check(i) => read_only(i),
            Control::Choices { inputs, multi: true } => inputs.iter().for_each(|i| read_only(i)),
            Control::Choices { inputs, multi: false } => {
                inputs.iter().for_each(|i| guard(i));
                flag(&self.described, "aria-readonly", locked);
            }
            Control::File(f) => f.input.set_disabled(locked),
            Control::Container => {}
        }
    }
}

/// The mark of a locked list, check box or radio button, whose value the widget keeps as it is.
pub const LOCKED: &str = "data-locked";

/// A repeat group: its rows and its add button.
pub struct GroupNode {
    /// The group's definition.
    pub def: Rc<FieldDef>,
    /// Definitions of the row fields.
    pub fields: Vec<Rc<FieldDef>>,
    /// Step index.
    pub step: usize,
    /// Container of the rows.
    pub rows_el: Element,
    /// The add button.
    pub add: HtmlElement,
    /// The line shown in its place once the group holds its most rows, if it has a most.
    pub full: Option<Element>,
    /// Rows on screen.
    pub rows: Vec<RowNode>,
}

/// One row of a repeat group.
pub struct RowNode {
    /// The row's fieldset.
    pub el: Element,
    /// Paths of the row's nodes.
    pub paths: Vec<String>,
    /// Legend and remove button texts.
    pub texts: Vec<(Element, Txt)>,
    /// Says, under the row's PIN, what became of it (rows filled from household members).
    pub status: Option<Element>,
}

/// Builds nodes into maps.
pub struct Builder<'a> {
    /// Element factory.
    pub dom: &'a Dom,
    /// The session (for the labels of other fields and the examples of date hints).
    pub session: &'a Session,
    /// Catalogue lookup for static option lists.
    pub catalog: Lookup<'a>,
    /// Language of the first render.
    pub lang: &'a str,
    /// Nodes by path.
    pub nodes: &'a mut HashMap<String, FieldNode>,
    /// Groups by path.
    pub groups: &'a mut HashMap<String, GroupNode>,
}

impl Builder<'_> {
    /// Renders a field (and its parts or rows) at a path into a parent.
    pub fn field(&mut self, parent: &Element, def: &Rc<FieldDef>, path: &str, step: usize) {
        match def.kind {
            FieldKind::Address => self.address(parent, def, path, step),
            FieldKind::Group => self.group(parent, def, path, step),
            FieldKind::Radio | FieldKind::CheckboxGroup => self.choices(parent, def, path, step),
            FieldKind::Checkbox => self.check(parent, def, path, step),
            _ => self.labelled(parent, def, None, path, step),
        }
    }

    /// A labelled single control (text kinds, numbers, dates, selects, files) or an address part.
    fn labelled(&mut self, parent: &Element, def: &Rc<FieldDef>, part: Option<&'static str>, path: &str, step: usize) {
        let dom = self.dom;
        let id = dom.id(path);
        let mut texts = Vec::new();
        let (label_txt, hint) = match part {
            Some("province") => (Txt::Word(Word::Province), None),
            Some("commune") => (Txt::Word(Word::Commune), None),
            Some(_) => (Txt::Word(Word::Street), None),
            None => (Txt::Def(def.label.clone()), def.hint.clone()),
        };
        let kind = part_kind(def.kind, part);
        let wrap = dom.make(Some(parent), "div", &[("class", "tk-field"), ("data-path", path)], "");
        // A select over a catalogue is a combobox, whose list is labelled by the label.
        let catalog = match part {
            Some("province") => Some("provinces".to_owned()),
            Some("commune") => Some("communes".to_owned()),
            _ => def.catalog.clone(),
        }
        .filter(|_| kind == FieldKind::Select);
        let label_id = format!("{id}-label");
        let mut label_attrs = vec![("class", "tk-label"), ("for", id.as_str())];
        if catalog.is_some() {
            label_attrs.push(("id", &label_id));
        }
        let label = dom.make(Some(&wrap), "label", &label_attrs, "");
        texts.push((dom.txt(&label, "span", &[], &label_txt, self.lang), label_txt));
        let format = match kind {
            _ if part.is_none() && def.compute.is_some() => computed_note(def),
            FieldKind::Date => Some(date_hint(self.session.example_date(&def.id), def.year_only)),
            FieldKind::File => file_hint(def, "vi").map(|vi| {
                Txt::Def(Text::Both {
                    vi,
                    en: file_hint(def, "en"),
                })
            }),
            _ => None,
        };
        let mut hint_ids = self.hints(&wrap, &id, hint, format, &mut texts);
        if kind == FieldKind::File {
            // The files chosen come first: the browser's own words ("2 files") know neither those chosen
            // before nor those removed.
            hint_ids = [chosen_id(&id), hint_ids].join(" ").trim_end().to_owned();
        }
        let waits_for = catalog.as_ref().and_then(|_| self.waits_for(def, part));
        let dependent = waits_for.is_some();
        if dependent {
            // "Choose “Province” first" describes the list while it waits.
            hint_ids = [hint_ids, note_id(&id)].join(" ").trim_start().to_owned();
        }
        let counted = def.max_length.filter(|_| kind == FieldKind::Textarea);
        let count_id = format!("{id}-count");
        if counted.is_some() {
            if !hint_ids.is_empty() {
                hint_ids.push(' ');
            }
            hint_ids.push_str(&count_id);
        }
        // What emptied a dependent list describes it too, while it shows (never at first).
        let node_hints = if dependent {
            format!("{hint_ids} {}", cleared_id(&id))
        } else {
            hint_ids.clone()
        };
        let mut el_attrs = vec![("id", id.as_str()), ("data-path", path)];
        if !hint_ids.is_empty() {
            el_attrs.push(("aria-describedby", &hint_ids));
        }
        let (mut control, el) = self.control(
            &wrap,
            def,
            kind,
            catalog.map(|c| (c, waits_for)),
            part,
            &id,
            &el_attrs,
            &mut texts,
        );
        if let (Control::Area(_, counter), Some(max)) = (&mut control, counted) {
            let attrs = [("class", "tk-hint tk-count"), ("id", count_id.as_str())];
            let c = Counter {
                el: dom.make(Some(&wrap), "div", &attrs, ""),
                live: dom.make(Some(&wrap), "div", &[("class", "tk-vh"), ("role", "status")], ""),
                max,
            };
            c.show("", self.lang);
            *counter = Some(c);
        }
        let focus = html(&el);
        // A file's error goes above its box, not into it.
        let anchor = match control {
            Control::File(_) => el.parent_element().unwrap_or_else(|| el.clone()),
            _ => el.clone(),
        };
        let node = FieldNode {
            def: def.clone(),
            part,
            step,
            wrap,
            label,
            control,
            focus,
            id,
            described: el,
            hint_ids: node_hints,
            anchor,
            texts,
            st: Status::default(),
        };
        self.insert(path, node);
    }

    /// The hint element(s) under a label: the definition's hint, then what the value must look like
    /// (`format`: a date's, a file's); returns the ids for `aria-describedby`.
    fn hints(
        &self,
        wrap: &Element,
        id: &str,
        hint: Option<Text>,
        format: Option<Txt>,
        texts: &mut Vec<(Element, Txt)>,
    ) -> String {
        if hint.is_none() && format.is_none() {
            return String::new();
        }
        let hint_id = format!("{id}-hint");
        let el = self
            .dom
            .make(Some(wrap), "div", &[("class", "tk-hint"), ("id", &hint_id)], "");
        if let Some(h) = hint {
            let t = Txt::Def(h);
            let s = self.dom.txt(&el, "span", &[], &t, self.lang);
            texts.push((s, t));
        }
        if let Some(t) = format {
            let s = self.dom.txt(&el, "span", &[("class", "tk-hint-format")], &t, self.lang);
            texts.push((s, t));
        }
        hint_id
    }

    /// The control element for a kind (a combobox over `catalog` if given, with the label of the list it
    /// waits for), with the attributes `own` (id, data-path…) on what the citizen edits.
    #[allow(clippy::too_many_arguments)]
    fn control(
        &self,
        wrap: &Element,
        def: &FieldDef,
        kind: FieldKind,
        catalog: Option<(String, Option<Txt>)>,
        part: Option<&'static str>,
        id: &str,
        own: Attrs,
        texts: &mut Vec<(Element, Txt)>,
    ) -> (Control, Element) {
        let dom = self.dom;
        match (kind, catalog) {
            (FieldKind::Select, Some((catalog, waits_for))) => {
                let combo = self.combo(wrap, id, own, catalog, waits_for, texts);
                let el: Element = combo.input.clone().into();
                (Control::Combo(combo), el)
            }
            (FieldKind::Select, None) => {
                let sel = dom.make(Some(wrap), "select", &[own, &[("class", "tk-select")]].concat(), "");
                let choose = dom.make(Some(&sel), "option", &[("value", "")], Word::Choose.get(self.lang));
                texts.push((choose, Txt::Word(Word::Choose)));
                for (value, label) in self.options(def) {
                    let o = dom.def_text(&sel, "option", &[("value", &value)], &label, self.lang);
                    texts.push((o, Txt::Def(label)));
                }
                let sel: web_sys::HtmlSelectElement = sel.unchecked_into();
                let el: Element = sel.clone().into();
                (Control::Select(sel), el)
            }
            (FieldKind::Textarea, _) => {
                let area = dom.make(
                    Some(wrap),
                    "textarea",
                    &[own, &[("class", "tk-textarea"), ("rows", "4")]].concat(),
                    "",
                );
                (Control::Area(area.clone().unchecked_into(), None), area)
            }
            // A value the citizen mostly reads (computed, or from national data and maybe locked), or one
            // long enough to outgrow the box (an address, a place of birth), wraps on a phone, where a
            // one-line box would cut 'Cục cảnh sát quản lý hành chính về…' off.
            (FieldKind::Text, _)
                if def.compute.is_some() || def.prefill.is_some() || def.max_length.is_some_and(|m| m >= LONG_LINE) =>
            {
                // One line that wraps: screen readers are told it is one line (Enter goes on, as in one).
                let mut attrs = vec![
                    ("class", "tk-input tk-wrap"),
                    ("rows", "1"),
                    ("aria-multiline", "false"),
                ];
                attrs.extend(own_purpose(def, part).map(|token| ("autocomplete", token)));
                let area = dom.make(Some(wrap), "textarea", &[own, &attrs].concat(), "");
                (Control::Area(area.clone().unchecked_into(), None), area)
            }
            (FieldKind::File, _) => {
                let accept = def.accept.as_ref().map(|a| a.join(","));
                // For the JS face, which shrinks a photo too large for the field (to a JPEG) before it is read.
                let fit_photos = (def.max_size)
                    .filter(|_| def.accepts_file("image/jpeg"))
                    .map(|m| m.to_string());
                let mut attrs = [own, &[("class", "tk-file"), ("type", "file")]].concat();
                if let Some(accept) = &accept {
                    attrs.push(("accept", accept));
                }
                if let Some(max_size) = &fit_photos {
                    attrs.push(("data-fit-photos", max_size));
                }
                if def.max_files.is_some_and(|n| n > 1) {
                    attrs.push(("multiple", ""));
                }
                let pick = dom.add(wrap, "div", "tk-file-box", "");
                let input = dom.make(Some(&pick), "input", &attrs, "");
                let seen = [
                    ("class", "tk-btn tk-btn-secondary tk-file-button"),
                    ("aria-hidden", "true"),
                ];
                let choose = dom.make(Some(&pick), "span", &seen, Word::ChooseFile.get(self.lang));
                let chosen = dom.make(
                    Some(&pick),
                    "span",
                    &[
                        ("class", "tk-file-chosen"),
                        ("id", &chosen_id(id)),
                        ("aria-hidden", "true"),
                    ],
                    Word::NoFileChosen.get(self.lang),
                );
                let line = dom.make(
                    Some(wrap),
                    "p",
                    &[("class", "tk-hint tk-upload"), ("role", "status")],
                    "",
                );
                let remove = dom.add(wrap, "div", "tk-file-remove", "");
                let files = Files {
                    input: input.clone().unchecked_into(),
                    chosen,
                    line,
                    remove,
                    choose,
                    several: def.max_files.is_some_and(|n| n > 1),
                };
                (Control::File(files), input)
            }
            _ => {
                let mut attrs = [own, &line_attrs(kind, own_purpose(def, part))].concat();
                if def.uppercase {
                    // Capitals from a phone's keyboard, and on screen as typed (the widget stores capitals).
                    attrs.push(("autocapitalize", "characters"));
                }
                if def.integer {
                    // A phone's keypad of digits alone, without a decimal separator.
                    attrs.retain(|(name, _)| *name != "inputmode");
                    attrs.push(("inputmode", "numeric"));
                }
                let input = dom.make(Some(wrap), "input", &attrs, "");
                (Control::Input(input.clone().unchecked_into()), input)
            }
        }
    }

    /// The label of the list a list waits for: a commune's province, or a select's `parent`.
    fn waits_for(&self, def: &FieldDef, part: Option<&str>) -> Option<Txt> {
        if part == Some("commune") {
            return Some(Txt::Word(Word::Province));
        }
        let parent = self.session.form().field(def.parent.as_deref()?)?;
        Some(Txt::Def(parent.label.clone()))
    }

    /// A combobox over a catalogue.
    fn combo(
        &self,
        wrap: &Element,
        id: &str,
        own: Attrs,
        catalog: String,
        waits_for: Option<Txt>,
        texts: &mut Vec<(Element, Txt)>,
    ) -> Combo {
        let dom = self.dom;
        let box_el = dom.add(wrap, "div", "tk-combo", "");
        let list_id = format!("{id}-list");
        let mut attrs = [
            own,
            &[
                ("class", "tk-input"),
                ("type", "text"),
                ("role", "combobox"),
                ("autocomplete", "off"),
                ("aria-autocomplete", "list"),
                ("aria-expanded", "false"),
                ("aria-controls", &list_id),
                ("data-combo", ""),
            ],
        ]
        .concat();
        if waits_for.is_some() {
            attrs.push(("aria-disabled", "true"));
        }
        let input = dom.make(Some(&box_el), "input", &attrs, "");
        let labelled_by = format!("{id}-label");
        // Not a stop of its own for Tab, which Chromium makes of a box that scrolls: the text box leads its
        // options (aria-activedescendant), and Tab from it goes on to the next field.
        let list_attrs = [
            ("class", "tk-listbox"),
            ("id", &list_id),
            ("role", "listbox"),
            ("aria-labelledby", &labelled_by),
            ("tabindex", "-1"),
            ("hidden", ""),
        ];
        let list = dom.make(Some(&box_el), "ul", &list_attrs, "");
        let status_attrs = [("class", "tk-vh"), ("role", "status"), ("id", &format!("{id}-status"))];
        let status = dom.make(Some(&box_el), "div", &status_attrs, "");
        // A dependent list waits for the list it is filtered by, and says so by name (shown, and read with
        // the list; not a live region, which would say it again at a language switch), until that is chosen.
        let note = waits_for.clone().map(|parent| {
            let t = Txt::Naming(Word::ChooseParentFirst, Box::new(parent));
            let attrs = [("class", "tk-hint tk-parent-first"), ("id", &note_id(id))];
            let note = dom.txt(&box_el, "div", &attrs, &t, self.lang);
            texts.push((note.clone(), t));
            note
        });
        let cleared = waits_for.is_some().then(|| {
            let attrs = [("class", "tk-hint tk-cleared"), ("id", &cleared_id(id)), ("hidden", "")];
            (dom.make(Some(&box_el), "div", &attrs, ""), None)
        });
        Combo {
            input: input.unchecked_into(),
            list,
            status,
            note,
            cleared,
            catalog,
            waits_for,
            parent: None,
            value: None,
            items: Vec::new(),
            active: None,
        }
    }

    /// Static options of a select, radio set or check-box group: inline, or a whole catalogue.
    fn options(&self, def: &FieldDef) -> Vec<(String, Text)> {
        if let Some(options) = &def.options {
            return options.iter().map(|o| (o.value.clone(), o.label.clone())).collect();
        }
        let catalog = def.catalog.as_deref().and_then(|name| (self.catalog)(name));
        catalog.map_or_else(Vec::new, |c| {
            c.options(None).map(|o| (o.value.clone(), o.label.clone())).collect()
        })
    }

    /// A fieldset for the value at `path`, with a legend and hint; returns (fieldset, legend, hint ids).
    fn fieldset(
        &self,
        parent: &Element,
        class: &str,
        def: &FieldDef,
        path: &str,
        texts: &mut Vec<(Element, Txt)>,
    ) -> (Element, Element, String) {
        let dom = self.dom;
        let id = dom.id(path);
        let fs = dom.make(Some(parent), "fieldset", &[("class", class), ("data-path", path)], "");
        let legend_id = format!("{id}-legend");
        let legend = dom.make(Some(&fs), "legend", &[("class", "tk-legend"), ("id", &legend_id)], "");
        let t = Txt::Def(def.label.clone());
        let s = dom.txt(&legend, "span", &[], &t, self.lang);
        texts.push((s, t));
        let hint_ids = self.hints(&fs, &id, def.hint.clone(), computed_note(def), texts);
        if !hint_ids.is_empty() {
            attr(&fs, "aria-describedby", &hint_ids);
        }
        (fs, legend, hint_ids)
    }

    /// Radio buttons or a check-box group in a fieldset.
    fn choices(&mut self, parent: &Element, def: &Rc<FieldDef>, path: &str, step: usize) {
        let dom = self.dom;
        let id = dom.id(path);
        let mut texts = Vec::new();
        let (fs, legend, hint_ids) = self.fieldset(parent, "tk-field tk-choices", def, path, &mut texts);
        let box_el = dom.add(&fs, "div", "tk-options", "");
        let multi = def.kind == FieldKind::CheckboxGroup;
        if !multi {
            // A radio group can say it is required or read-only; a plain fieldset cannot.
            attr(&fs, "role", "radiogroup");
        }
        let mut inputs = Vec::new();
        let input_type = if multi { "checkbox" } else { "radio" };
        for (i, (value, label)) in self.options(def).into_iter().enumerate() {
            let row = dom.add(&box_el, "div", "tk-option", "");
            let input_id = format!("{id}-{i}");
            let input_attrs = [
                ("class", "tk-choice"),
                ("type", input_type),
                ("id", &input_id),
                ("name", &id),
                ("value", &value),
                ("data-path", path),
            ];
            let input = dom.make(Some(&row), "input", &input_attrs, "");
            let l = dom.def_text(&row, "label", &[("for", &input_id)], &label, self.lang);
            texts.push((l, Txt::Def(label)));
            inputs.push(input.unchecked_into::<HtmlInputElement>());
        }
        let focus: HtmlElement = inputs.first().map_or_else(|| html(&fs), |i| i.clone().into());
        let focus_id = if inputs.is_empty() {
            id.clone()
        } else {
            format!("{id}-0")
        };
        let control = Control::Choices { inputs, multi };
        let node = FieldNode {
            def: def.clone(),
            part: None,
            step,
            wrap: fs.clone(),
            label: legend,
            control,
            focus,
            id: focus_id,
            described: fs,
            hint_ids,
            anchor: box_el,
            texts,
            st: Status::default(),
        };
        self.insert(path, node);
    }

    /// A single yes/no check box.
    fn check(&mut self, parent: &Element, def: &Rc<FieldDef>, path: &str, step: usize) {
        let dom = self.dom;
        let id = dom.id(path);
        let mut texts = Vec::new();
        let wrap = dom.make(
            Some(parent),
            "div",
            &[("class", "tk-field tk-check"), ("data-path", path)],
            "",
        );
        let row = dom.add(&wrap, "div", "tk-option", "");
        let input_attrs = [
            ("class", "tk-choice"),
            ("type", "checkbox"),
            ("id", &id),
            ("data-path", path),
        ];
        let input = dom.make(Some(&row), "input", &input_attrs, "");
        let label = dom.make(Some(&row), "label", &[("for", &id)], "");
        let t = Txt::Def(def.label.clone());
        let s = dom.txt(&label, "span", &[], &t, self.lang);
        texts.push((s, t));
        let hint_ids = self.hints(&wrap, &id, def.hint.clone(), computed_note(def), &mut texts);
        if !hint_ids.is_empty() {
            attr(&input, "aria-describedby", &hint_ids);
        }
        let control = Control::Check(input.clone().unchecked_into());
        let node = FieldNode {
            def: def.clone(),
            part: None,
            step,
            wrap,
            label,
            control,
            focus: html(&input),
            id,
            described: input,
            hint_ids,
            anchor: row,
            texts,
            st: Status::default(),
        };
        self.insert(path, node);
    }

    /// An address: a fieldset with province, commune and street parts.
    fn address(&mut self, parent: &Element, def: &Rc<FieldDef>, path: &str, step: usize) {
        let dom = self.dom;
        let mut texts = Vec::new();
        let (fs, legend, hint_ids) = self.fieldset(parent, "tk-field tk-address", def, path, &mut texts);
        let parts = dom.add(&fs, "div", "tk-parts", "");
        for part in ADDRESS_PARTS {
            self.labelled(&parts, def, Some(part), &format!("{path}.{part}"), step);
        }
        let province_id = dom.id(&format!("{path}.province"));
        let focus = self
            .nodes
            .get(&format!("{path}.province"))
            .map_or_else(|| html(&fs), |n| n.focus.clone());
        let node = FieldNode {
            def: def.clone(),
            part: None,
            step,
            wrap: fs.clone(),
            label: legend,
            control: Control::Container,
            focus,
            id: province_id,
            described: fs,
            hint_ids,
            anchor: parts,
            texts,
            st: Status::default(),
        };
        self.insert(path, node);
    }

    /// A repeat group: a fieldset with rows (added by `Rows` patches) and an add button.
    fn group(&mut self, parent: &Element, def: &Rc<FieldDef>, path: &str, step: usize) {
        let dom = self.dom;
        let id = dom.id(path);
        let mut texts = Vec::new();
        let (fs, legend, hint_ids) = self.fieldset(parent, "tk-field tk-group", def, path, &mut texts);
        // The error summary's links to the group's own errors land on it: it is read with them.
        attr(&fs, "id", &id);
        attr(&fs, "tabindex", "-1");
        let rows_el = dom.add(&fs, "div", "tk-rows", "");
        let add_id = format!("{id}-add");
        // "Thêm dòng" is heard with the group it adds to.
        let legend_id = format!("{id}-legend");
        let add_attrs = [
            ("class", "tk-btn tk-btn-secondary tk-add"),
            ("type", "button"),
            ("id", &add_id),
            ("aria-describedby", &legend_id),
            ("data-act", "add"),
            ("data-path", path),
        ];
        let add_txt = Txt::Rows(Word::AddRow, 0, def.row_name.clone().map(Box::new));
        let add = dom.make(Some(&fs), "button", &add_attrs, &add_txt.render(self.lang));
        texts.push((add.clone(), add_txt));
        // Where the button was once the group is full, a line says why it is gone.
        let full = def.max_rows.map(|max| {
            let full_txt = Txt::Rows(Word::RowsFull, max, def.row_name.clone().map(Box::new));
            let text = full_txt.render(self.lang);
            let full = dom.make(
                Some(&fs),
                "p",
                &[("class", "tk-hint tk-rows-full"), ("hidden", "")],
                &text,
            );
            texts.push((full.clone(), full_txt));
            full
        });
        let fields = def.fields.iter().flatten().map(|f| Rc::new(f.clone())).collect();
        self.groups.insert(
            path.to_owned(),
            GroupNode {
                def: def.clone(),
                fields,
                step,
                rows_el: rows_el.clone(),
                add: html(&add),
                full,
                rows: Vec::new(),
            },
        );
        let node = FieldNode {
            def: def.clone(),
            part: None,
            step,
            wrap: fs.clone(),
            label: legend,
            control: Control::Container,
            focus: html(&fs),
            id,
            described: fs,
            hint_ids,
            anchor: rows_el,
            texts,
            st: Status::default(),
        };
        self.insert(path, node);
    }

    /// Renders row `index` of a group at the end of its rows.
    pub fn row(&mut self, group_path: &str, index: usize) {
        let Some(group) = self.groups.get(group_path) else {
            return;
        };
        let (fields, step, rows_el) = (group.fields.clone(), group.step, group.rows_el.clone());
        let key = member_key(&group.def).map(str::to_owned);
        let row_name = group.def.row_name.clone().map(Box::new);
        let dom = self.dom;
        let el = dom.add(&rows_el, "fieldset", "tk-row", "");
        let legend = dom.add(&el, "legend", "tk-legend tk-row-legend", "");
        let n = index + 1;
        let legend_txt = Txt::Rows(Word::Row, n, row_name.clone());
        legend.set_text_content(Some(&legend_txt.render(self.lang)));
        let (mut paths, mut status) = (Vec::new(), None);
        for def in &fields {
            let path = format!("{group_path}[{index}].{}", def.id);
            self.field(&el, def, &path, step);
            if key.as_deref() == Some(def.id.as_str()) {
                // What became of the member is said as it comes, and read again with the PIN's box.
                let id = format!("{}-member", dom.id(&path));
                let attrs = [("class", "tk-row-status"), ("role", "status"), ("id", &id)];
                status = Some(dom.make(Some(&el), "p", &attrs, ""));
                if let Some(node) = self.nodes.get_mut(&path) {
                    node.hint_ids = [node.hint_ids.as_str(), &id].join(" ").trim_start().to_owned();
                    attr(&node.described, "aria-describedby", &node.hint_ids);
                }
            }
            paths.push(path);
        }
        let remove_txt = Txt::Rows(Word::RemoveRow, n, row_name);
        let row_index = index.to_string();
        let remove_attrs = [
            ("class", "tk-btn tk-btn-secondary tk-remove"),
            ("type", "button"),
            ("data-act", "remove"),
            ("data-path", group_path),
            ("data-row", &row_index),
        ];
        let remove = dom.make(Some(&el), "button", &remove_attrs, &remove_txt.render(self.lang));
        let texts = vec![(legend, legend_txt), (remove, remove_txt)];
        if let Some(group) = self.groups.get_mut(group_path) {
            group.rows.push(RowNode {
                el,
                paths,
                texts,
                status,
            });
        }
    }

    /// Records a node under its path; a computed field's control is read-only, whatever its kind.
    fn insert(&mut self, path: &str, node: FieldNode) {
        if node.def.compute.is_some() && node.part.is_none() {
            node.lock(true);
        }
        self.nodes.insert(path.to_owned(), node);
    }
}

/// The maximum length from which a one-line text wraps instead of scrolling out of sight.
const LONG_LINE: usize = 200;

/// The id of a dependent list's note to choose the list it waits for first.
fn note_id(id: &str) -> String {
    format!("{id}-note")
}

/// The id of a dependent list's line saying its choice was emptied.
fn cleared_id(id: &str) -> String {
    format!("{id}-cleared")
}

/// What a field the form fills itself says under its label: it is read-only, and follows other answers.
fn computed_note(def: &FieldDef) -> Option<Txt> {
    def.compute.as_ref().map(|_| Txt::Word(Word::Computed))
}

/// The id of the line of a file box that names the files chosen.
fn chosen_id(id: &str) -> String {
    format!("{id}-chosen")
}

/// The kind a control renders as: address parts are selects and a text line.
fn part_kind(kind: FieldKind, part: Option<&str>) -> FieldKind {
    match part {
        Some("street") => FieldKind::Text,
        Some(_) => FieldKind::Select,
        None => kind,
    }
}

/// The autofill token of a value about the citizen filing (WCAG 1.3.5, input purpose): one prefilled from
/// their own record in national data, so the browser can offer what it keeps when the record has none.
fn own_purpose(def: &FieldDef, part: Option<&str>) -> Option<&'static str> {
    let attribute = def.prefill.as_ref()?.from.strip_prefix("population.")?;
    Some(match (attribute, part) {
        ("full_name", None) => "name",
        ("dob", None) => "bday",
        ("phone", None) => "tel",
        ("email", None) => "email",
        // Province and commune are lists of the 2025 units, which a browser's address book does not know.
        ("current_address", Some("street")) => "address-line1",
        ("permanent_address", Some("street")) => "section-permanent address-line1",
        ("temporary_address", Some("street")) => "section-temporary address-line1",
        _ => return None,
    })
}

/// The hint of a date box, whose example is a date the field takes (and its year, where a year alone does).
fn date_hint(example: Date, year_only: bool) -> Txt {
    let dmy = example.to_dmy();
    let word = if year_only {
        Word::DateHintYearOnly
    } else {
        Word::DateHint
    };
    let fill = |lang| {
        word.get(lang)
            .replace("{date}", &dmy)
            .replace("{digits}", &dmy.replace('/', ""))
            .replace("{year}", &example.year.to_string())
    };
    Txt::Def(Text::Both {
        vi: fill("vi"),
        en: Some(fill("en")),
    })
}

/// The input type, input mode and autocomplete token of a one-line kind (`None` for other kinds).
fn input_type(kind: FieldKind) -> Option<(&'static str, &'static str, &'static str)> {
    Some(match kind {
        FieldKind::Email => ("email", "", "email"),
        FieldKind::Phone => ("tel", "tel", "tel"),
        FieldKind::Number => ("text", "decimal", ""),
        // A phone's keypad of digits: a date is read from its 8 digits alone (05031990), and the hint says so.
        FieldKind::Date => ("text", "numeric", "off"),
        FieldKind::Pin | FieldKind::TaxCode => ("text", "numeric", "off"),
        FieldKind::Text | FieldKind::Name => ("text", "", ""),
        _ => return None,
    })
}

/// The attributes of a text box for a one-line kind; `purpose`, an autofill token, wins over the kind's.
fn line_attrs(kind: FieldKind, purpose: Option<&'static str>) -> Vec<(&'static str, &'static str)> {
    let short = matches!(kind, FieldKind::Date | FieldKind::Pin);
    let (ty, mode, auto) = input_type(kind).unwrap_or(("text", "", ""));
    let auto = purpose.unwrap_or(auto);
    let mut attrs = vec![
        ("class", if short { "tk-input tk-input-short" } else { "tk-input" }),
        ("type", ty),
    ];
    if !mode.is_empty() {
        attrs.push(("inputmode", mode));
    }
    if !auto.is_empty() {
        attrs.push(("autocomplete", auto));
    }
    attrs
}
