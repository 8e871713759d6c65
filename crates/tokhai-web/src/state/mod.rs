//! One mounted form: the core's session, the DOM handles, and what the citizen's events do to them.
//! The wizard (steps, review, confirmation), the error summary, the citizen's events and the searchable
//! lists live in submodules.

mod combo;
mod events;
mod files;
mod filing;
mod frame;
mod household;
mod members;
mod summary;
mod wizard;

use crate::dom::{attr, flag, say_later, show, shown, write, Dom};
use crate::render::{Builder, Control, FieldNode, GroupNode, LOCKED};
use crate::ui::{Txt, Word};
use combo::{close_list, note_parent, say_cleared, waits_for_parent};
pub use filing::status_word;
use frame::Frame;
use serde_json::Value as Json;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;
use tokhai_core::answer;
use tokhai_core::catalog::{Catalog, CatalogView};
use tokhai_core::definition::FieldDef;
use tokhai_core::path::{field_id, top_field, ADDRESS_PARTS};
use tokhai_core::prefill::PrefillValue;
use tokhai_core::submission::is_valid_idempotency_key;
use tokhai_core::timing::{Event as TimedEvent, EventKind, Timeline};
use tokhai_core::{messages, Catalogs, Date, FieldKind, Form, Issue, Patch, Session};
use web_sys::{Element, HtmlElement};

/// Most options a search list shows.
const LIST_LIMIT: usize = 200;

/// Which page of the wizard is on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// A step, by index.
    Step(usize),
    /// The review page before submission.
    Review,
    /// The confirmation after submission.
    Done,
}

/// One step of the wizard on screen.
struct StepNode {
    id: String,
    el: Element,
    heading: HtmlElement,
    item: Element,
    /// The hidden words after its title in the progress list once it is done.
    done: Element,
    /// Its sections' elements, in definition order.
    sections: Vec<Element>,
    visible: bool,
    /// Whether the citizen has been on it (a step shown since, by an answer, has not).
    visited: bool,
}

/// The error summary at the top of the form.
struct Summary {
    el: Element,
    /// Announces the summary when it is shown (role=alert), and not again as it shrinks while the
    /// citizen mends the fields: the role goes at the first change.
    alert: Element,
    list: Element,
    /// The lines of each path, one per error.
    items: Vec<(String, Vec<Element>)>,
    /// The lines that name no field (the back end's reasons about the whole filing), with their issue.
    loose: Vec<(Issue, Element)>,
}

/// Everything one mounted form holds.
pub struct State {
    form: Arc<Form>,
    host: Arc<Catalogs>,
    session: Session,
    lang: String,
    dom: Dom,
    /// The widget's root element (`div.tk`) inside the host element.
    pub root: Element,
    nodes: HashMap<String, FieldNode>,
    groups: HashMap<String, GroupNode>,
    steps: Vec<StepNode>,
    /// Steps whose fields are not rendered yet: the first screen comes first (see `render_later`).
    pending: Vec<usize>,
    chrome: Vec<(Element, Txt)>,
    progress_label: Element,
    summary: Summary,
    review: Element,
    done: Element,
    nav: Element,
    back: HtmlElement,
    next: HtmlElement,
    screen: Screen,
    /// The furthest screen the citizen has reached (a step's index, the steps' count for the review
    /// page): going on from an earlier step returns there, past the steps still complete.
    furthest: usize,
    /// The answer whose "Sửa" the citizen pressed on the review page: focus returns to it there.
    changing: Option<String>,
    /// The bundle sent with the filing: the signed one national data gave, which a bundle of the host's
    /// own (unsigned) does not replace; else the last one applied.
    bundle: Option<Json>,
    /// Every value prefilled so far, by path (`{value, source, locked}`), from every bundle applied.
    prefilled: serde_json::Map<String, Json>,
    /// Paths the citizen typed or chose a value in: a prefill arriving later leaves them as they are,
    /// unless its value is locked.
    edited: Vec<String>,
    /// Signed bundles of household members' rows, as received.
    member_rows: Vec<members::MemberRow>,
    /// The household lists above groups filled from household members.
    households: Vec<household::Household>,
    /// The paths national data left to the citizen (values their fields cannot hold), until answered.
    left_out: Vec<String>,
    busy: bool,
    /// The receipt's reference, once the back end accepted the filing.
    reference: Option<String>,
    /// When the back end received the filing and when the agency's decision is due (ms since the epoch),
    /// as far as it said.
    received_at: Option<i64>,
    due_at: Option<i64>,
    /// Whether the back end had received the filing from an earlier attempt, before answers changed.
    received_earlier: bool,
    /// The status lines: about the form as it opens (top), about the filing (above the buttons).
    status: [Element; 2],
    /// The statuses shown (see `set_status`), with the text each fills in (a PIN, field names).
    status_words: Vec<(Word, String)>,
    /// A hidden live region that says what a button did where focus alone does not (a row removed).
    notice: Element,
    /// Whether the notice was written during the current call: what else it has to say then follows.
    pub noticed: Cell<bool>,
    /// The navigation button the mouse went down on, and how far down the page it was then.
    pressed: Option<(HtmlElement, i32)>,
    /// A button to press once the current call is over (its click runs in a call of its own).
    pub click_later: Option<HtmlElement>,
    satisfaction: bool,
    /// Chosen files by path when the JS face uploads them (the `uploads` option), else `None`.
    uploads: Option<Vec<(String, files::Upload)>>,
    /// Whether the citizen pressed Submit while files were uploading: the form goes once they are kept.
    send_after_uploads: bool,
    /// The back end's refusal reasons, each as its issue and its JSON: their words win over the core's.
    server_messages: Vec<(Issue, Json)>,
    idempotency_key: String,
    timeline: Timeline,
    /// The events of this filing's earlier visits (from its draft): they come before this page's.
    earlier_events: Vec<TimedEvent>,
    /// Milliseconds the back end's clock is ahead of this computer's: events are timed by the back end's
    /// clock, as the login is (a citizen's clock set 10 minutes fast would miss the target otherwise).
    clock_offset: f64,
    /// Whether the host fixed today's date.
    today_fixed: bool,
    /// Events for the JS face, sent once the state is no longer borrowed.
    pub events: Vec<(&'static str, Json)>,
    /// Element to focus once the state is no longer borrowed.
    pub focus: Option<HtmlElement>,
    /// Whether the screen's heading is to be focused then (as the screen is once the call is done: the
    /// review page may be written anew), if no element is.
    pub focus_heading: bool,
}

/// How to mount a form.
pub struct Options<'a> {
    /// The compiled form.
    pub form: Arc<Form>,
    /// Host catalogues.
    pub catalogs: Arc<Catalogs>,
    /// `vi` or `en`.
    pub lang: &'a str,
    /// Today's date, ISO.
    pub today: Date,
    /// Whether the host fixed today's date (tests): the back end's clock does not move it.
    pub today_fixed: bool,
    /// Whether to show the language switch.
    pub language_switch: bool,
    /// Prefix of element ids.
    pub prefix: String,
    /// Identifies this filing's submission across retries (chosen by the JS face).
    pub idempotency_key: String,
    /// When the citizen logged in to the portal (ms since the epoch), if the portal says.
    pub login_at: Option<f64>,
    /// Whether the receipt asks for a satisfaction rating.
    pub satisfaction: bool,
    /// Whether the JS face uploads chosen files (the `uploads` option).
    pub uploads: bool,
}

/// A JSON object of these members (`json!` would bring a serialiser and a panic path for each type of member).
fn object<const N: usize>(members: [(&str, Json); N]) -> Json {
    let mut map = serde_json::Map::new();
    for (key, value) in members {
        map.insert(key.to_owned(), value);
    }
    Json::Object(map)
}

/// A catalogue by name: the form's own first, then the host's.
fn lookup<'a>(form: &'a Form, host: &'a Catalogs, name: &str) -> Option<&'a Catalog> {
    catalog_view(form, host).get(name)
}

/// The catalogues the widget looks in: the form's own, then the host's.
fn catalog_view<'a>(form: &'a Form, host: &'a Catalogs) -> CatalogView<'a> {
    CatalogView {
        form: form.catalogs(),
        host,
    }
}

impl State {
    /// Compiles the definition, starts a session and renders the form into `host`.
    pub fn mount(host: &Element, opts: Options<'_>) -> Result<State, String> {
        let form = opts.form;
        let host_catalogs = opts.catalogs;
        let session = Session::new(form.clone(), host_catalogs.clone(), opts.today).map_err(|e| e.to_string())?;
        let doc = host.owner_document().ok_or("the host element has no document")?;
        let dom = Dom {
            doc,
            prefix: opts.prefix,
        };
        let lang = if opts.lang == "en" { "en" } else { "vi" }.to_owned();
        let mut nodes = HashMap::new();
        let mut groups = HashMap::new();
        let frame = {
            let find = |name: &str| lookup(&form, &host_catalogs, name);
            let mut b = Builder {
                dom: &dom,
                session: &session,
                catalog: &find,
                lang: &lang,
                nodes: &mut nodes,
                groups: &mut groups,
            };
            let visible_fields = session.visible_fields();
            let visible: HashSet<&str> = visible_fields.iter().map(String::as_str).collect();
            Frame::render(&mut b, opts.language_switch, &visible)
        };
        let mut state = State {
            form,
            host: host_catalogs,
            session,
            lang,
            dom,
            root: frame.root,
            nodes,
            groups,
            steps: frame.steps,
            pending: frame.pending,
            chrome: frame.chrome,
            progress_label: frame.progress_label,
            summary: frame.summary,
            review: frame.review,
            done: frame.done,
            nav: frame.nav,
            back: frame.back,
            next: frame.next,
            screen: Screen::Step(0),
            furthest: 0,
            changing: None,
            bundle: None,
            prefilled: serde_json::Map::new(),
            edited: Vec::new(),
            member_rows: Vec::new(),
            households: Vec::new(),
            left_out: Vec::new(),
            busy: false,
            reference: None,
            received_at: None,
            due_at: None,
            received_earlier: false,
            status: [frame.form_status, frame.filing_status],
            status_words: Vec::new(),
            notice: frame.notice,
            noticed: Cell::new(false),
            pressed: None,
            click_later: None,
            satisfaction: opts.satisfaction,
            uploads: opts.uploads.then(Vec::new),
            send_after_uploads: false,
            server_messages: Vec::new(),
            idempotency_key: opts.idempotency_key,
            timeline: Timeline {
                login_at: opts.login_at,
                ..Timeline::default()
            },
            earlier_events: Vec::new(),
            clock_offset: 0.0,
            today_fixed: opts.today_fixed,
            events: Vec::new(),
            focus: None,
            focus_heading: false,
        };
        let snapshot = state.session.snapshot();
        state.apply(snapshot, None);
        if !state.pending.is_empty() {
            state.update_layout();
        }
        state.record(EventKind::Start);
        let first = state.visible_steps().first().copied().unwrap_or(0);
        state.go(Screen::Step(first), false);
        let _ = host.append_child(&state.root);
        Ok(state)
    }

    /// The current language.
    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// The form's identity: id and version.
    pub fn info(&self) -> Json {
        object([
            ("form_id", self.form.id().into()),
            ("version", self.form.version().into()),
        ])
    }

    /// Hex SHA-256 of the canonical definition (made on first use).
    pub fn ruleset_hash(&self) -> String {
        self.form.ruleset_hash().to_owned()
    }

    /// The key that makes this filing's submissions one at the back end.
    pub fn idempotency_key(&self) -> String {
        self.idempotency_key.clone()
    }

    /// Goes on with the filing another page began (its draft's, or another tab's that filed it), by its
    /// key; a key the back end would refuse is ignored.
    pub fn continue_filing(&mut self, key: &str) {
        if is_valid_idempotency_key(key) {
            self.idempotency_key = key.to_owned();
        }
    }

    /// Renders the fields of the next `count` steps mount left for later, and brings them up to date
    /// with the session (values, visibility, issues, prefill); returns whether steps are still left.
    /// Every call into the state renders all of them first.
    pub fn render_later(&mut self, count: usize) -> bool {
        if self.pending.is_empty() {
            return false;
        }
        let pending: Vec<usize> = self.pending.drain(..count.min(self.pending.len())).collect();
        let form = self.form.clone();
        // (section element, field, step) of every field left for later.
        let mut later: Vec<(Element, &FieldDef, usize)> = Vec::new();
        for &si in &pending {
            for (sec, el) in form.def().steps[si].sections.iter().zip(&self.steps[si].sections) {
                later.extend(sec.fields.iter().map(|f| (el.clone(), f, si)));
            }
        }
        self.build(|b| {
            for (el, f, si) in &later {
                b.field(el, &Rc::new((*f).clone()), &f.id, *si);
            }
        });
        let fresh: HashSet<&str> = later.iter().map(|(_, f, _)| f.id.as_str()).collect();
        let patches = self.session.snapshot_of(|step| pending.contains(&step));
        self.apply(patches, None);
        let prefilled: Vec<(String, bool)> = (self.prefilled.iter())
            .filter(|(path, _)| fresh.contains(top_field(path)))
            .map(|(path, pv)| (path.clone(), pv.get("locked").and_then(Json::as_bool).unwrap_or(false)))
            .collect();
        for (path, locked) in prefilled {
            let source = match self.left_out.contains(&path) {
                true => Source::LeftOut,
                false => Source::filled(locked),
            };
            self.mark_source(&path, source);
        }
        self.update_layout();
        !self.pending.is_empty()
    }

    /// Runs `f` with a builder that adds nodes to this form.
    fn build(&mut self, f: impl FnOnce(&mut Builder)) {
        let find = |name: &str| lookup(&self.form, &self.host, name);
        let mut b = Builder {
            dom: &self.dom,
            session: &self.session,
            catalog: &find,
            lang: &self.lang,
            nodes: &mut self.nodes,
            groups: &mut self.groups,
        };
        f(&mut b);
    }

    // ----- patches -----

    /// Applies the core's patches; `typing` is the path whose control the citizen is editing.
    fn apply(&mut self, patches: Vec<Patch>, typing: Option<&str>) {
        let lists_change = self.lists_follow(&patches);
        // Rows first (the other patches may be about their fields); a new parent last, since the choice
        // it empties brings fresh issues that the batch's own (of the old choice) must not overwrite.
        let (rows, rest): (Vec<Patch>, Vec<Patch>) = patches.into_iter().partition(|p| matches!(p, Patch::Rows { .. }));
        let (parents, rest): (Vec<Patch>, Vec<Patch>) =
            rest.into_iter().partition(|p| matches!(p, Patch::Options { .. }));
        let mut layout = false;
        for p in rows.into_iter().chain(rest).chain(parents) {
            match p {
                Patch::Rows { path, count } => self.sync_rows(&path, count),
                Patch::Value { path, value } => self.show_value(&path, &value),
                Patch::Visible { path, visible } => {
                    layout |= self.set_visible(&path, visible);
                }
                Patch::Required { path, required } => self.set_required(&path, required),
                Patch::Issues { path, issues } => self.set_issues(&path, issues, typing),
                Patch::Options { path, parent } => self.set_parent(&path, parent, true),
            }
        }
        if layout {
            self.update_layout();
        }
        if lists_change {
            // A row added, removed or given another PIN: the household lists tick whom the rows name.
            self.sync_households();
        }
    }

    /// Stores a field's issues (an address's go to its parts) and displays them if shown.
    fn set_issues(&mut self, path: &str, issues: Vec<Issue>, typing: Option<&str>) {
        let mut targets = vec![path.to_owned()];
        if matches!(
            self.nodes.get(path),
            Some(FieldNode {
                control: Control::Container,
                ..
            })
        ) {
            targets.extend(
                ADDRESS_PARTS
                    .iter()
                    .map(|p| format!("{path}.{p}"))
                    .filter(|p| self.nodes.contains_key(p)),
            );
        }
        for t in &targets {
            let own: Vec<Issue> = issues
                .iter()
                .filter(|i| &i.path == t || (t == path && !targets.contains(&i.path)))
                .cloned()
                .collect();
            let own = self.unmatched(t).map_or(own, |issue| vec![issue]);
            let Some(n) = self.nodes.get_mut(t) else {
                continue;
            };
            if n.st.issues == own {
                continue;
            }
            if typing == Some(t.as_str()) && own.iter().all(|i| !i.is_error()) {
                // Reward early: a fixed value clears at once; new errors wait until the citizen leaves.
                n.st.shown = false;
            }
            n.st.issues = own;
            self.render_issues(t);
        }
    }

    /// Shows a value in its control.
    fn show_value(&mut self, path: &str, value: &Json) {
        let Some(node) = self.nodes.get_mut(path) else {
            return;
        };
        let kind = node.def.kind;
        match &mut node.control {
            Control::Input(i) => i.set_value(&answer::in_box(
                if node.part.is_some() { FieldKind::Text } else { kind },
                value,
                &self.lang,
            )),
            Control::Area(a, counter) => {
                let text = answer::in_box(kind, value, &self.lang);
                a.set_value(&text);
                if let Some(c) = counter {
                    c.show(&text, &self.lang);
                }
            }
            Control::Select(s) => s.set_value(value.as_str().unwrap_or("")),
            Control::Combo(c) => {
                c.value = value.as_str().map(str::to_owned);
                let label = c.value.as_deref().map_or_else(String::new, |code| {
                    option_label(&self.form, &self.host, &c.catalog, code, &self.lang)
                });
                c.input.set_value(&label);
            }
            Control::Check(i) => i.set_checked(value.as_bool().unwrap_or(false)),
            Control::Choices { inputs, multi } => {
                for i in inputs.iter() {
                    let v = i.value();
                    let on = if *multi {
                        value
                            .as_array()
                            .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(v.as_str())))
                    } else {
                        value.as_str() == Some(v.as_str())
                    };
                    i.set_checked(on);
                }
            }
            Control::File(f) => f.show_chosen(&self.dom, path, value, &self.lang),
            Control::Container => {
                if let Some(parts) = value.as_object() {
                    for (k, v) in parts {
                        self.show_value(&format!("{path}.{k}"), v);
                    }
                    self.sync_commune(path, false);
                }
            }
        }
    }

    /// Points an address's commune list at its chosen province; `clear` empties a commune of another province.
    fn sync_commune(&mut self, address: &str, clear: bool) {
        let province = match self.nodes.get(&format!("{address}.province")) {
            Some(FieldNode {
                control: Control::Combo(c),
                ..
            }) => c.value.clone(),
            _ => return,
        };
        self.set_parent(&format!("{address}.commune"), province, clear);
    }

    /// Filters a dependent list by a new parent code; `clear` empties a choice that is not its child.
    fn set_parent(&mut self, path: &str, parent: Option<String>, clear: bool) {
        let Some(FieldNode {
            control: Control::Combo(c),
            ..
        }) = self.nodes.get_mut(path)
        else {
            return;
        };
        if c.parent == parent {
            return;
        }
        c.parent = parent;
        // Still focusable while it waits (a disabled box would be skipped by Tab and by the error
        // summary's link), saying why it cannot be filled yet.
        flag(&c.input, "aria-disabled", waits_for_parent(c));
        note_parent(c);
        close_list(c);
        let catalog = lookup(&self.form, &self.host, &c.catalog);
        let orphan = c
            .value
            .as_deref()
            .is_some_and(|v| catalog.and_then(|cat| cat.get(v)).is_none_or(|o| o.parent != c.parent));
        if clear && orphan {
            let word = if c.parent.is_some() {
                Word::ChoiceCleared
            } else {
                Word::ChoiceClearedWithParent
            };
            let dropped = c.value.take().unwrap_or_default();
            c.input.set_value("");
            // Seen under the list and read with it, as well as said now.
            let catalog = c.catalog.clone();
            let label = |code: &str| option_label(&self.form, &self.host, &catalog, code, &self.lang);
            let said = say_cleared(c, Some((word, dropped)), label, &self.lang);
            // Emptied by another answer, not by the citizen: its "please choose" waits until they leave it
            // or go on, as for a list never touched (the notice below says why it is empty).
            if let Some(n) = self.nodes.get_mut(path) {
                n.st.shown = false;
            }
            let patches = self.session.input(path, Json::Null).unwrap_or_default();
            self.apply(patches, None);
            // Heard at once too: a screen reader user moving on would not learn the choice went.
            self.notify(said.unwrap_or_default());
        }
    }

    /// Shows or hides a field; returns whether sections and steps may need showing or hiding too.
    fn set_visible(&mut self, path: &str, visible: bool) -> bool {
        let Some(n) = self.nodes.get_mut(path) else {
            return false;
        };
        if n.st.visible == visible {
            // The first snapshot reports every field; most are already shown.
            return false;
        }
        show(&n.wrap, visible);
        n.st.visible = visible;
        if !visible {
            self.update_summary_item(path);
        }
        !path.contains('[')
    }

    /// Hides sections whose fields are all hidden, and steps whose sections are.
    fn update_layout(&mut self) {
        let def = self.form.def();
        let mut changed = false;
        // Fields of steps not rendered yet are as visible as the session says.
        let visible = if self.pending.is_empty() {
            Vec::new()
        } else {
            self.session.visible_fields()
        };
        let later: HashSet<&str> = visible.iter().map(String::as_str).collect();
        for (i, step) in def.steps.iter().enumerate() {
            let mut any = false;
            for (sec, el) in step.sections.iter().zip(&self.steps[i].sections) {
                let on = sec.fields.iter().any(|f| match self.nodes.get(&f.id) {
                    Some(n) => n.st.visible,
                    None => later.contains(f.id.as_str()),
                });
                show(el, on);
                any |= on;
            }
            if self.steps[i].visible != any {
                self.steps[i].visible = any;
                show(&self.steps[i].item, any);
                changed = true;
            }
        }
        if changed {
            self.update_progress();
        }
    }

    /// Shows or hides a field's required marker, and sets `aria-required` on its controls.
    fn set_required(&mut self, path: &str, required: bool) {
        let Some(n) = self.nodes.get(path) else {
            return;
        };
        // ARIA allows the state on text boxes, lists, check boxes and radio groups, not on a fieldset:
        // an address marks its three boxes (each is then required); a check-box group says it in its
        // legend only.
        let controls: Vec<&Element> = match &n.control {
            Control::Choices { multi: true, .. } => Vec::new(),
            Control::Container if n.def.kind == FieldKind::Address => ADDRESS_PARTS
                .iter()
                .filter_map(|part| self.nodes.get(&format!("{path}.{part}")))
                .map(|p| &p.described)
                .collect(),
            Control::Container => Vec::new(),
            _ => vec![&n.described],
        };
        controls.into_iter().for_each(|c| flag(c, "aria-required", required));
        let Some(n) = self.nodes.get_mut(path) else {
            return;
        };
        match &n.st.req {
            Some(r) => show(r, required),
            None if required => {
                let req = self.dom.add(&n.label, "span", "tk-req", "");
                // Joined to the label's last word: a star alone on a line would seem to belong to nothing.
                self.dom.make(Some(&req), "span", &[("aria-hidden", "true")], "\u{a0}*");
                let t = Txt::Word(Word::Required);
                let vh = self.dom.add(&req, "span", "tk-vh", &t.render(&self.lang));
                n.texts.push((vh, t));
                n.st.req = Some(req);
            }
            None => {}
        }
    }

    /// Makes a group's rows on screen match a count.
    fn sync_rows(&mut self, path: &str, count: usize) {
        let have = self.groups.get(path).map_or(0, |g| g.rows.len());
        if count > have {
            self.build(|b| (have..count).for_each(|i| b.row(path, i)));
        } else if let Some(g) = self.groups.get_mut(path) {
            for row in g.rows.drain(count..) {
                row.el.remove();
                for p in &row.paths {
                    self.nodes.remove(p);
                }
            }
        }
        if count < have {
            // Rows moved up: their marks follow the members they now hold.
            self.refresh_member_marks(path);
        }
        if let Some(g) = self.groups.get(path) {
            let max = g.def.max_rows.unwrap_or(usize::MAX);
            let min = g.def.min_rows.unwrap_or(0);
            g.add.set_hidden(count >= max);
            if let Some(full) = &g.full {
                show(full, count >= max);
            }
            for row in &g.rows {
                if let Ok(Some(b)) = row.el.query_selector(":scope > .tk-remove") {
                    show(&b, count > min);
                }
            }
        }
    }

    /// Displays (or clears) a node's issues, and keeps the error summary in step.
    fn render_issues(&mut self, path: &str) {
        let prov = self.prov_id(path);
        let Some(n) = self.nodes.get_mut(path) else {
            return;
        };
        let shown_issues: &[Issue] = if n.st.shown { &n.st.issues } else { &[] };
        let was_shown = n.st.error.as_ref().is_some_and(shown);
        let first_error = shown_issues.iter().find(|i| i.is_error()).map(|i| i.code.clone());
        let error_id = format!("{}-error", self.dom.id(path));
        let blamed = n.st.blamed_by.clone();
        if shown_issues.is_empty() {
            if let Some(e) = &n.st.error {
                show(e, false);
                e.set_text_content(None);
            }
            flag(&n.described, "aria-invalid", blamed.is_some());
            set_described(&n.described, &n.shown_hints(), prov, blamed.as_deref());
        } else {
            let e = n.st.error.get_or_insert_with(|| {
                let e = self
                    .dom
                    .make(None, "p", &[("class", "tk-error"), ("id", &error_id)], "");
                if let Some(parent) = n.anchor.parent_node() {
                    let _ = parent.insert_before(&e, Some(&n.anchor));
                }
                e
            });
            e.set_text_content(None);
            for (k, issue) in shown_issues.iter().enumerate() {
                let (class, prefix) = if issue.is_error() {
                    ("tk-error-line", Word::ErrorPrefix)
                } else {
                    ("tk-warning-line", Word::WarningPrefix)
                };
                let line = self.dom.make(
                    Some(e),
                    "span",
                    &[("class", class), ("id", &format!("{error_id}-{k}"))],
                    "",
                );
                self.dom.add(&line, "span", "tk-vh", prefix.get(&self.lang));
                self.dom.add(
                    &line,
                    "span",
                    "",
                    &message(&self.form, &self.server_messages, issue, &self.lang),
                );
            }
            show(e, true);
            let invalid = blamed.is_some() || shown_issues.iter().any(Issue::is_error);
            flag(&n.described, "aria-invalid", invalid);
            let errors = blamed.map_or_else(|| error_id.clone(), |b| format!("{error_id} {b}"));
            set_described(&n.described, &n.shown_hints(), prov, Some(&errors));
        }
        self.mark_parts(path);
        self.blame_rows(path);
        match (was_shown, first_error) {
            (false, Some(code)) => self.record(EventKind::ErrorShown {
                field: path.to_owned(),
                code,
            }),
            (true, None) => self.record(EventKind::ErrorCleared { field: path.to_owned() }),
            _ => {}
        }
        self.update_summary_item(path);
    }

    /// Marks the start date of each row that a shown error of a group's periods names (a gap before
    /// it, an overlap) as invalid and described by that error's line: the summary links there.
    fn blame_rows(&mut self, group: &str) {
        let Some(from) = self.row_blamed_field(group) else {
            return;
        };
        let Some(n) = self.nodes.get(group) else {
            return;
        };
        let error_id = format!("{}-error", self.dom.id(group));
        let shown_issues: &[Issue] = if n.st.shown { &n.st.issues } else { &[] };
        let named: Vec<(usize, String)> = shown_issues
            .iter()
            .enumerate()
            .filter(|(_, i)| i.is_error())
            .filter_map(|(k, i)| Some((i.params.get("at")?.parse().ok()?, format!("{error_id}-{k}"))))
            .collect();
        for row in 0..self.groups[group].rows.len() {
            let lines: Vec<&str> = named
                .iter()
                .filter(|(at, _)| *at == row + 1)
                .map(|(_, id)| id.as_str())
                .collect();
            let blame = (!lines.is_empty()).then(|| lines.join(" "));
            let path = format!("{group}[{row}].{from}");
            let Some(n) = self.nodes.get_mut(&path) else {
                continue;
            };
            if n.st.blamed_by != blame {
                n.st.blamed_by = blame;
                self.render_issues(&path);
            }
        }
    }

    /// Marks every box of an address invalid while the address as a whole has an error shown (as
    /// GOV.UK marks every box of a wrong date), else each box by its own errors; `path` is the address
    /// or one of its boxes.
    fn mark_parts(&self, path: &str) {
        let address = match self.nodes.get(path) {
            Some(FieldNode {
                control: Control::Container,
                ..
            }) => path,
            _ => match path.rsplit_once('.') {
                Some((address, part)) if ADDRESS_PARTS.contains(&part) => address,
                _ => return,
            },
        };
        let has_error = |n: &FieldNode| n.st.shown && n.st.issues.iter().any(Issue::is_error);
        let whole = self.nodes.get(address).is_some_and(has_error);
        for part in ADDRESS_PARTS {
            let Some(n) = self.nodes.get(&format!("{address}.{part}")) else {
                continue;
            };
            flag(&n.described, "aria-invalid", whole || has_error(n));
        }
    }

    // ----- timing -----

    /// Adds an event to the filing's timeline, timed now.
    pub fn record(&mut self, kind: EventKind) {
        self.timeline.push(TimedEvent {
            at: js_sys::Date::now() + self.clock_offset,
            kind,
        });
    }

    /// Continues a filing begun on an earlier page: its events (from the draft) come before this page's,
    /// and it is timed from the earlier page's login when that came first.
    pub fn continue_timeline(&mut self, events: Vec<TimedEvent>, login_at: Option<f64>) {
        self.earlier_events = events;
        // A filing begun under an earlier login is timed from it, as the collector times it.
        if let Some(earlier) = login_at.filter(|&t| self.timeline.login_at.is_none_or(|now| t < now)) {
            self.timeline.login_at = Some(earlier);
        }
    }

    /// Times events by the back end's clock, `offset` ms ahead of this computer's (those recorded so far
    /// too), and takes its date as today, as the back end will when it checks the filing.
    pub fn set_clock_offset(&mut self, offset: f64) {
        for e in &mut self.timeline.events {
            e.at += offset - self.clock_offset;
        }
        self.clock_offset = offset;
        let today = Date::in_viet_nam((js_sys::Date::now() + offset) as i64);
        if !self.today_fixed && today != self.session.today() {
            let patches = self.session.set_today(today);
            self.apply(patches, None);
        }
    }

    /// The filing's timeline, earlier visits included: events (field paths and issue codes, never values)
    /// and prefill coverage.
    pub fn timeline(&self) -> Timeline {
        // Sets: a draft is saved with its timeline at every pause in typing, and a form may have 700 fields.
        let top: HashSet<&str> = self.form.def().top_fields().map(|f| f.id.as_str()).collect();
        // As the session has them, whether or not their step is rendered yet.
        let visible = (self.session.visible_fields().iter())
            .filter(|id| top.contains(id.as_str()))
            .count();
        let prefilled = (self.prefilled.keys()).filter(|k| top.contains(&k.as_str())).count();
        let mut timeline = Timeline {
            login_at: self.timeline.login_at,
            fields_total: visible,
            fields_prefilled: prefilled.min(visible),
            events: Vec::new(),
        };
        // Within the bound as one timeline keeps itself, when the visits hold more than a collector takes.
        for event in self.earlier_events.iter().chain(&self.timeline.events) {
            timeline.push(event.clone());
        }
        timeline
    }

    // ----- rows -----

    /// Adds a row to a group, says so, and (with `focus`) focuses its first control; the new row's index.
    fn add_row(&mut self, path: &str, focus: bool) -> Option<usize> {
        let patches = self.session.add_row(path).ok()?;
        self.apply(patches, None);
        let first = self
            .groups
            .get(path)
            .and_then(|g| g.rows.last())
            .and_then(|r| r.paths.first().cloned());
        if let Some(p) = first.filter(|_| focus) {
            self.focus = self.nodes.get(&p).map(|n| n.focus.clone());
        }
        let g = self.groups.get(path)?;
        let (rows, row_name) = (g.rows.len(), g.def.row_name.as_ref());
        let mut notice = Word::RowAdded.rows(&self.lang, row_name, rows, 0);
        if g.add.hidden() {
            notice = format!("{notice} {}", Word::RowsFull.rows(&self.lang, row_name, rows, 0));
        }
        self.notify(notice);
        rows.checked_sub(1)
    }

    /// Removes row `index` of a group, says so, and (with `focus`) focuses the row now in its place, the one
    /// before, or the add button.
    fn remove_row(&mut self, path: &str, index: usize, focus: bool) {
        let patches = self.session.remove_row(path, index).unwrap_or_default();
        self.apply(patches, None);
        self.forget_uploads(path);
        self.forget_member_status(false);
        let Some(g) = self.groups.get(path) else {
            return;
        };
        let row = g
            .rows
            .get(index)
            .or_else(|| index.checked_sub(1).and_then(|i| g.rows.get(i)));
        let target = row
            .and_then(|r| r.paths.first())
            .and_then(|p| self.nodes.get(p))
            .map(|n| n.focus.clone());
        if focus {
            self.focus = Some(target.unwrap_or_else(|| g.add.clone()));
        }
        let notice = Word::RowRemoved.rows(&self.lang, g.def.row_name.as_ref(), index + 1, g.rows.len());
        self.notify(notice);
    }

    /// Says an outcome to screen readers (focus moves, but the row it was on is gone), after what the
    /// current call has said already (a commune emptied, then the error of the province left empty).
    pub(super) fn notify(&self, text: String) {
        let earlier = (self.noticed.replace(true))
            .then(|| self.notice.text_content())
            .flatten();
        let text = match earlier.filter(|e| !e.is_empty()) {
            Some(earlier) => format!("{earlier} {text}"),
            None => text,
        };
        self.notice.set_text_content(Some(&text));
    }

    /// Moves focus to a field, switching step if needed. From a "Sửa" (`to_answer`), a repeat group's
    /// focus goes where its answer is given: its first row's first box, or its add button without rows;
    /// from a summary link, to the group itself, read with the errors that name no row.
    fn focus_field(&mut self, path: &str, to_answer: bool) {
        let Some(n) = self.nodes.get(path) else {
            return;
        };
        let first_box = (self.groups.get(path)).filter(|_| to_answer).map(|g| {
            let first = g
                .rows
                .first()
                .and_then(|r| r.paths.first())
                .and_then(|p| self.nodes.get(p));
            first.map_or_else(|| g.add.clone(), |f| f.focus.clone())
        });
        let (step, focus, wrap) = (n.step, first_box.unwrap_or_else(|| n.focus.clone()), n.wrap.clone());
        if self.screen != Screen::Step(step) {
            self.go(Screen::Step(step), false);
        }
        // As GOV.UK's error summary does: the question (label or legend) comes to the top, not only its box.
        wrap.scroll_into_view();
        self.focus = Some(focus);
    }

    // ----- language, values, prefill -----

    /// Switches every text of the widget to another language.
    pub fn set_language(&mut self, lang: &str) {
        let lang = if lang == "en" { "en" } else { "vi" };
        if lang == self.lang {
            return;
        }
        self.lang = lang.to_owned();
        attr(&self.root, "lang", lang);
        self.notify(Word::LanguageSwitched.get(lang).to_owned());
        for (e, t) in &self.chrome {
            if t_is_label(e) {
                attr(e, "aria-label", &t.render(lang));
            } else {
                write(e, t, lang);
            }
        }
        if let Ok(Some(b)) = self.root.query_selector("[data-act=lang]") {
            attr(&b, "lang", if lang == "en" { "vi" } else { "en" });
        }
        let paths: Vec<String> = self.nodes.keys().cloned().collect();
        for (_, g) in self.groups.iter() {
            for row in &g.rows {
                for (e, t) in &row.texts {
                    write(e, t, lang);
                }
            }
        }
        for p in &paths {
            if let Some(n) = self.nodes.get_mut(p) {
                for (e, t) in &n.texts {
                    write(e, t, lang);
                }
                if let Control::Area(a, Some(c)) = &n.control {
                    c.show(&a.value(), lang);
                    say_later(&c.live, "");
                }
                if let Control::Combo(c) = &mut n.control {
                    close_list(c);
                    let catalog = c.catalog.clone();
                    let label = |code: &str| option_label(&self.form, &self.host, &catalog, code, lang);
                    if let Some(code) = &c.value {
                        c.input.set_value(&label(code));
                    }
                    let cleared = c.cleared.as_ref().and_then(|(_, said)| said.clone());
                    if cleared.is_some() {
                        say_cleared(c, cleared, label, lang);
                    }
                }
                if let Some(prov) = &n.st.prov {
                    prov.set_text_content(Some(&Source::of(prov).note(lang)));
                }
            }
            if let Some(Control::File(f)) = self.nodes.get(p).map(|n| &n.control) {
                let value = self.session.value_at(p).unwrap_or(Json::Null);
                f.show_chosen(&self.dom, p, &value, lang);
            }
            self.render_issues(p);
            self.render_upload(p);
        }
        let summary: Vec<String> = self.summary.items.iter().map(|(p, _)| p.clone()).collect();
        for p in summary {
            self.update_summary_item(&p);
        }
        self.rewrite_loose_summary();
        self.render_status();
        self.update_progress();
        match self.screen {
            Screen::Review => self.build_review(),
            Screen::Done => {
                if let Ok(Some(sheet)) = self.done.query_selector(".tk-receipt") {
                    sheet.set_text_content(None);
                    self.write_receipt(&sheet);
                }
            }
            Screen::Step(_) => {}
        }
        self.events.push(("language", object([("lang", lang.into())])));
    }

    /// The visible values (normalised).
    pub fn values(&self) -> Json {
        self.session.values()
    }

    /// Fills fields from a prefill bundle (`{ values: { path: { value, source, locked } } }`), but for
    /// the entries it returns (`[{path, code}]`: values their fields cannot hold, left to the citizen);
    /// or refuses the whole bundle, naming every malformed entry or unknown path, and fills nothing.
    pub fn prefill(&mut self, bundle: Json) -> Result<Json, String> {
        let values = bundle
            .get("values")
            .and_then(Json::as_object)
            .ok_or("prefill: the bundle has no values")?;
        let problems: Vec<String> = values
            .iter()
            .filter_map(|(path, pv)| match self.session.check_input(path) {
                Err(e) => Some(e.to_string()),
                Ok(()) => PrefillValue::shape_problem(path, pv),
            })
            .collect();
        refuse_if_any(problems)?;
        let left_out = self.unfit_entries(values.iter());
        for (path, pv) in values {
            let (value, locked) = (pv["value"].clone(), pv["locked"] == true);
            // What the citizen typed before national data arrived stays theirs.
            let typed = !locked && self.edited.iter().any(|p| top_field(p) == path);
            if typed {
                continue;
            }
            if left_out.iter().any(|u| u["path"] == **path) {
                self.mark_source(path, Source::LeftOut);
                continue;
            }
            let patches = self.session.input(path, value.clone()).unwrap_or_default();
            self.apply(patches, None);
            // As the session keeps it (a name wanted in capitals is in capitals).
            self.show_value(path, &self.session.value_at(path).unwrap_or(value));
            self.mark_source(path, Source::filled(locked));
            self.forget_refusal(path);
        }
        self.prefilled
            .extend(values.iter().map(|(p, pv)| (p.clone(), pv.clone())));
        let signed = |b: &Json| b.get("signature").is_some();
        if signed(&bundle) || !self.bundle.as_ref().is_some_and(signed) {
            self.bundle = Some(bundle);
        }
        self.left_out = (left_out.iter().filter_map(|u| u["path"].as_str().map(str::to_owned))).collect();
        if !self.left_out.is_empty() {
            // The fields are named as the line is shown, in the language of the moment.
            self.set_status(Some((Word::PrefillPartial, String::new())));
        }
        if self.screen == Screen::Review {
            // A bundle that comes with a refusal finds the citizen on the review page.
            self.build_review();
        }
        Ok(Json::Array(left_out))
    }

    /// The labels of fields by path (a row field's by its id), in the current language, joined with commas.
    pub(super) fn labels_of<'a>(&self, paths: impl Iterator<Item = &'a str>) -> String {
        let label = |p: &str| {
            self.form
                .field(field_id(p))
                .map_or(p, |f| f.label.get(&self.lang))
                .to_owned()
        };
        paths.map(label).collect::<Vec<_>>().join(", ")
    }

    /// Takes `path`, answered, off the fields national data left to the citizen (a member's row's too): its
    /// note goes, and the line naming them with the last of them.
    fn answered_left_out(&mut self, path: &str) {
        // In a member's row: the marks of the group's rows follow what the rows hold.
        let row_note = self.nodes.get(path).and_then(|n| n.st.prov.as_ref());
        if let Some((group, _)) = path
            .split_once('[')
            .filter(|_| row_note.is_some_and(|p| Source::of(p) == Source::LeftOut))
        {
            self.refresh_member_marks(group);
        }
        let Some(at) = self.left_out.iter().position(|p| p == path || p == top_field(path)) else {
            return;
        };
        let field = self.left_out.remove(at);
        self.unmark_prefilled(&field);
        match self.left_out.is_empty() {
            true => self.clear_status(Word::PrefillPartial),
            // The line names the fields still to answer.
            false => self.render_status(),
        }
    }

    /// The entries (`path` or row field id → `{value, …}`) whose value cannot be their field's (a date
    /// that does not exist, an option the field lacks), as `{path, code}`: locked, the citizen could not
    /// correct them, so they are left to the citizen (the server's check of the bundle agrees).
    pub(super) fn unfit_entries<'a>(&self, entries: impl Iterator<Item = (&'a String, &'a Json)>) -> Vec<Json> {
        entries
            .filter_map(|(path, entry)| {
                let misfit = self.session.misfit(path, &entry["value"])?;
                Some(object([("path", path.as_str().into()), ("code", misfit.code.into())]))
            })
            .collect()
    }

    /// Says at a field what national data did for it, and makes a locked one read-only.
    pub(super) fn mark_source(&mut self, path: &str, source: Source) {
        let locked = source == Source::Locked;
        self.set_locked(path, locked);
        let Some(n) = self.nodes.get_mut(path) else {
            return;
        };
        let prov_id = format!("{}-prov", self.dom.id(path));
        let prov = n.st.prov.get_or_insert_with(|| {
            let e = self.dom.make(None, "p", &[("class", "tk-prov"), ("id", &prov_id)], "");
            if let Some(parent) = n.anchor.parent_node() {
                let _ = parent.insert_before(&e, Some(&n.anchor));
            }
            e
        });
        attr(prov, "data-locked", if locked { "true" } else { "false" });
        flag(prov, "data-left-out", source == Source::LeftOut);
        prov.set_text_content(Some(&source.note(&self.lang)));
        self.render_field_issues(path);
    }

    /// The id of the provenance note that describes a path: its own, or its address's for a part.
    fn prov_id(&self, path: &str) -> Option<String> {
        let owner = match self.nodes.get(path)?.part {
            Some(_) => path.rsplit_once('.')?.0,
            None => path,
        };
        self.nodes.get(owner)?.st.prov.as_ref()?;
        Some(format!("{}-prov", self.dom.id(owner)))
    }

    /// Renders a field's issues, and its parts' too for an address (their descriptions name its
    /// provenance).
    fn render_field_issues(&mut self, path: &str) {
        self.render_issues(path);
        if self
            .nodes
            .get(path)
            .is_some_and(|n| n.def.kind == FieldKind::Address && n.part.is_none())
        {
            ADDRESS_PARTS
                .iter()
                .for_each(|p| self.render_issues(&format!("{path}.{p}")));
        }
    }

    /// Makes a field's controls (an address's parts) read-only, or editable again.
    fn set_locked(&self, path: &str, locked: bool) {
        let paths: Vec<String> = match self.nodes.get(path) {
            Some(FieldNode {
                control: Control::Container,
                ..
            }) => ADDRESS_PARTS.iter().map(|p| format!("{path}.{p}")).collect(),
            Some(_) => vec![path.to_owned()],
            None => return,
        };
        for n in paths.iter().filter_map(|p| self.nodes.get(p)) {
            n.lock(locked);
            // How to type a date is no help in a box that cannot be typed in.
            if let Ok(Some(format)) = n.wrap.query_selector(".tk-hint-format") {
                show(&format, !locked);
                if let Some(hint) = format.parent_element().filter(|h| h.child_element_count() == 1) {
                    show(&hint, !locked);
                }
            }
        }
    }

    /// Takes a prefilled mark (and lock) off a field the citizen fills again.
    fn unmark_prefilled(&mut self, path: &str) {
        let Some(n) = self.nodes.get_mut(path) else {
            return;
        };
        let Some(prov) = n.st.prov.take() else {
            return;
        };
        prov.remove();
        self.set_locked(path, false);
        self.render_field_issues(path);
    }
}

/// Whether a chrome text goes into the element's `aria-label` (rather than its content).
fn t_is_label(e: &Element) -> bool {
    e.has_attribute("aria-label")
}

/// The words of an issue: the back end's for a refusal, else the core's catalogue.
fn message(form: &Form, server: &[(Issue, Json)], issue: &Issue, lang: &str) -> String {
    let own = server
        .iter()
        .find(|(i, _)| i == issue)
        .and_then(|(_, r)| r.get(if lang == "en" { "message_en" } else { "message_vi" }));
    match own.and_then(Json::as_str) {
        Some(text) => text.to_owned(),
        None => messages::render(issue, form, lang),
    }
}

/// The label of a catalogue option in a language, or the code when unknown.
fn option_label(form: &Form, host: &Catalogs, catalog: &str, code: &str, lang: &str) -> String {
    lookup(form, host, catalog)
        .and_then(|c| c.get(code))
        .map_or_else(|| code.to_owned(), |o| o.label.get(lang).to_owned())
}

/// Sets `aria-describedby` from the hint, provenance and error ids.
fn set_described(el: &Element, hint_ids: &str, prov: Option<String>, error: Option<&str>) {
    let ids: Vec<&str> = [Some(hint_ids), prov.as_deref(), error]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        el.remove_attribute("aria-describedby").ok();
    } else {
        attr(el, "aria-describedby", &ids.join(" "));
    }
}

/// What national data did for a field, as the note at the field says.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// Filled, and not to be changed.
    Locked,
    /// Filled; the citizen may change it.
    Filled,
    /// Not filled: its value cannot be the field's, and the citizen gives it.
    LeftOut,
}

impl Source {
    /// A value filled in, locked or not.
    fn filled(locked: bool) -> Source {
        if locked {
            Source::Locked
        } else {
            Source::Filled
        }
    }

    /// The source a note says.
    fn of(note: &Element) -> Source {
        if note.has_attribute("data-left-out") {
            Source::LeftOut
        } else if note.get_attribute(LOCKED).as_deref() == Some("true") {
            Source::Locked
        } else {
            Source::Filled
        }
    }

    /// The note's words in a language.
    fn note(self, lang: &str) -> String {
        match self {
            Source::Locked => format!("{} ({})", Word::Prefilled.get(lang), Word::Locked.get(lang)),
            Source::Filled => Word::Prefilled.get(lang).to_owned(),
            Source::LeftOut => Word::NotPrefilled.get(lang).to_owned(),
        }
    }
}

/// Refuses a prefill bundle with every problem found in it, if there is one.
pub(super) fn refuse_if_any(problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("prefill: the bundle is refused: {}", problems.join("; ")))
    }
}
