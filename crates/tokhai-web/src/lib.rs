//! The <tokhai-form> browser widget: a thin wasm shell around tokhai-core.
//!
//! [`Widget`] mounts a form into an element: tokhai-core compiles the definition and runs the
//! session; this crate renders the definition once with web-sys and applies the core's patches
//! to the DOM. Rules, normalisation, messages and search all come from the core. The JS face
//! (`js/`) loads the wasm (load.js) and wraps a `Widget` in the `mount` handle (form.js) and the custom element.

mod dom;
mod render;
mod state;
mod ui;

use serde_json::Value as Json;
use state::{Options, State};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use tokhai_core::canonical::{json_text, lone_surrogate, parse_unique_str};
use tokhai_core::timing::EventKind;
use tokhai_core::{Catalogs, Date, Form};
use wasm_bindgen::prelude::*;
use web_sys::{Element, Event, KeyboardEvent};

/// The bundle's allocator: talc, smaller than the standard library's dlmalloc.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Where events go: `emit(type, detailJson)` in the JS face.
type Emit = js_sys::Function;

/// Shared state and the JS callback.
struct Inner {
    state: RefCell<State>,
    emit: Emit,
}

impl Inner {
    /// Runs `f` on the whole form (rendering first the steps mount left for later), then (with the
    /// state released) moves focus and sends queued events.
    fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> Option<R> {
        self.run(true, f)
    }

    /// Runs `f` like [`Inner::with`] without rendering the later steps: for what needs only the
    /// session or the first screen.
    fn peek<R>(&self, f: impl FnOnce(&mut State) -> R) -> Option<R> {
        self.run(false, f)
    }

    fn run<R>(&self, whole_form: bool, f: impl FnOnce(&mut State) -> R) -> Option<R> {
        let result = {
            let mut s = self.state.try_borrow_mut().ok()?;
            if whole_form {
                s.render_later(usize::MAX);
            }
            f(&mut s)
        };
        self.after();
        Some(result)
    }

    /// Moves focus, presses the button the last call left to press and sends the events it queued (one
    /// copy of this code, not one per call).
    #[inline(never)]
    fn after(&self) {
        let (events, focus, click_later) = {
            let Ok(mut s) = self.state.try_borrow_mut() else { return };
            s.noticed.set(false);
            let heading = std::mem::take(&mut s.focus_heading)
                .then(|| s.screen_heading())
                .flatten();
            (
                std::mem::take(&mut s.events),
                s.focus.take().or(heading),
                s.click_later.take(),
            )
        };
        if let Some(el) = focus {
            let _ = el.focus();
        }
        if let Some(button) = click_later {
            button.click();
        }
        for (name, detail) in events {
            let _ = self.emit.call2(
                &JsValue::NULL,
                &JsValue::from_str(name),
                &JsValue::from_str(&json_text(&detail)),
            );
        }
    }
}

/// Makes the browser's `normalize`, `toLowerCase` and `toUpperCase` the core's Unicode conversions,
/// so that the bundle carries no Unicode tables. Every entry point calls it first.
pub fn use_browser_unicode() {
    use tokhai_core::text::{set_converter, Conversion};
    set_converter(|s, conversion| {
        let s = js_sys::JsString::from(s);
        match conversion.form_name() {
            Some(form) => s.normalize(form),
            None if conversion == Conversion::Lowercase => s.to_lower_case(),
            None => s.to_upper_case(),
        }
        .into()
    });
}

/// JSON text from JS as a value, or an error that says `what` was not JSON.
fn parse(json: &str, what: &str) -> Result<Json, JsError> {
    let not_json = |e| match lone_surrogate(&e) {
        Some(words) => JsError::new(&format!("{what} holds {words}")),
        None => JsError::new(&format!("{what} is not JSON: {e}")),
    };
    parse_unique_str(json).map_err(not_json)
}

/// What a prefill left to the citizen as JSON text (none while the form is busy), or why it was refused.
fn left_out(outcome: Option<Result<Json, String>>) -> Result<String, JsError> {
    match outcome {
        Some(Ok(left)) => Ok(json_text(&left)),
        Some(Err(e)) => Err(JsError::new(&e)),
        None => Ok("[]".into()),
    }
}

/// Options catalogues parsed once and shared by every form mounted with them.
#[wasm_bindgen]
pub struct CatalogSet {
    inner: Arc<Catalogs>,
}

#[wasm_bindgen]
impl CatalogSet {
    /// Parses an administrative-units file or `{name: [{value, label, parent}]}` (JSON, UTF-8 bytes);
    /// empty for none.
    #[wasm_bindgen(constructor)]
    pub fn new(json: Option<Vec<u8>>) -> Result<CatalogSet, JsError> {
        use_browser_unicode();
        let catalogs = match json {
            Some(j) => Catalogs::from_json_bytes(&j).map_err(|e| JsError::new(&e.to_string()))?,
            None => Catalogs::new(),
        };
        Ok(CatalogSet {
            inner: Arc::new(catalogs),
        })
    }
}

/// A form definition compiled once and shared by every form mounted from it.
#[wasm_bindgen]
pub struct CompiledForm {
    inner: Arc<Form>,
}

#[wasm_bindgen]
impl CompiledForm {
    /// Compiles a definition (JSON); a bad one is refused with every problem and its place.
    #[wasm_bindgen(constructor)]
    pub fn new(definition: &str) -> Result<CompiledForm, JsError> {
        use_browser_unicode();
        let form = Form::compile(definition).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(CompiledForm { inner: Arc::new(form) })
    }
}

/// A listener the widget added to its root.
type Listener = (&'static str, Closure<dyn FnMut(Event)>);

/// One form mounted in an element.
#[wasm_bindgen]
pub struct Widget {
    inner: Rc<Inner>,
    /// The root's listeners, let go by `destroy` (which a host may call from one of the form's events).
    listeners: RefCell<Vec<Listener>>,
}

#[wasm_bindgen]
impl Widget {
    /// Renders a compiled form into `host` and listens to the citizen.
    ///
    /// `options` is the JSON of `{lang, today? (yyyy-mm-dd), now, languageSwitch, idempotencyKey, loginAt?, satisfaction?, uploads?, idPrefix}`;
    /// `emit(type, detailJson)` receives the widget's events. Values cross as JSON text, parsed
    /// by the JS face: smaller than serde-wasm-bindgen and always plain objects.
    #[wasm_bindgen(constructor)]
    pub fn new(
        host: &Element,
        form: &CompiledForm,
        catalogs: &CatalogSet,
        options: &str,
        emit: js_sys::Function,
    ) -> Result<Widget, JsError> {
        use_browser_unicode();
        // Written by the JS face (not by the host): read field by field, with no deserialiser of its own.
        let o = parse(options, "the options")?;
        let text = |key: &str| o.get(key).and_then(Json::as_str);
        let flag = |key: &str| o.get(key).and_then(Json::as_bool).unwrap_or(false);
        let prefix = text("idPrefix")
            .ok_or_else(|| JsError::new("idPrefix is missing"))?
            .to_owned();
        let opts = Options {
            form: form.inner.clone(),
            catalogs: catalogs.inner.clone(),
            lang: text("lang").unwrap_or("vi"),
            today: match text("today") {
                Some(t) => {
                    Date::parse_iso(t).ok_or_else(|| JsError::new(&format!("today: '{t}' is not a yyyy-mm-dd date")))?
                }
                None => Date::in_viet_nam(o.get("now").and_then(Json::as_f64).unwrap_or(0.0) as i64),
            },
            today_fixed: text("today").is_some(),
            language_switch: flag("languageSwitch"),
            prefix,
            idempotency_key: text("idempotencyKey").unwrap_or_default().to_owned(),
            login_at: o.get("loginAt").and_then(Json::as_f64),
            satisfaction: flag("satisfaction"),
            uploads: flag("uploads"),
        };
        let state = State::mount(host, opts).map_err(|e| JsError::new(&e))?;
        let root = state.root.clone();
        let inner = Rc::new(Inner {
            state: RefCell::new(state),
            emit,
        });
        let mut widget = Widget {
            inner,
            listeners: RefCell::default(),
        };
        widget.listen(&root, "input", |s, _, t| s.on_input(t));
        widget.listen(&root, "change", |s, _, t| s.on_change(t));
        widget.listen(&root, "focusin", |s, _, t| s.on_focusin(t));
        widget.listen(&root, "focusout", |s, _, t| s.on_focusout(t));
        widget.listen(&root, "click", |s, e, t| {
            if s.on_click(t) {
                e.prevent_default();
            }
        });
        widget.listen(&root, "mouseup", |s, _, t| s.on_release(t));
        widget.listen(&root, "mousedown", |s, e, t| {
            s.on_press(t);
            // Keep focus in a searchable list's text box while an option or the list's scroll bar is
            // clicked; a locked list's picker stays shut.
            if t.has_attribute(render::LOCKED) || t.closest("[role=listbox]").ok().flatten().is_some() {
                e.prevent_default();
            }
        });
        widget.listen(&root, "keydown", |s, e, t| {
            if let Some(k) = e.dyn_ref::<KeyboardEvent>() {
                if s.on_keydown(t, k) {
                    e.prevent_default();
                }
            }
        });
        widget.listen(&root, "submit", |s, e, _| {
            e.prevent_default();
            s.on_submit();
        });
        Ok(widget)
    }

    /// Adds a delegated listener on the root that runs `f` on the state with the event's target.
    fn listen(&mut self, root: &Element, name: &'static str, f: fn(&mut State, &Event, &Element)) {
        let inner = Rc::downgrade(&self.inner);
        let closure = Closure::<dyn FnMut(Event)>::new(move |e: Event| {
            let Some(inner) = inner.upgrade() else { return };
            let Some(target) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            inner.with(|s| f(s, &e, &target));
        });
        let _ = root.add_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        self.listeners.borrow_mut().push((name, closure));
    }

    /// The current values (visible fields only, normalised), as JSON.
    pub fn values(&self) -> Option<String> {
        self.inner.peek(|s| json_text(&s.values()))
    }

    /// Validates every visible field, shows the errors and returns the issues with their messages (JSON).
    pub fn validate(&self) -> Option<String> {
        self.inner.with(|s| json_text(&s.validate()))
    }

    /// Validates and, when valid, returns the core's canonical submission as JSON (also sent as the `submit`
    /// event); otherwise shows the error summary and returns `null`.
    pub fn submit(&self) -> Option<String> {
        self.inner.with(|s| s.submit().map(|d| json_text(&d))).flatten()
    }

    /// Goes to screen `index` (a step, or the review page after the last) for the browser's back and
    /// forward buttons: back freely, forward as the Next button goes.
    #[wasm_bindgen(js_name = showStep)]
    pub fn show_step(&self, index: u32) {
        self.inner.with(|s| s.show_step(index as usize));
    }

    /// Marks the form as being sent (the submit button says so and ignores presses).
    #[wasm_bindgen(js_name = setBusy)]
    pub fn set_busy(&self, busy: bool) {
        self.inner.peek(|s| s.set_busy(busy));
    }

    /// Shows the confirmation page, with the back end's reference, time of receipt and time the decision
    /// is due (ms since the epoch) if it gave them; `earlier`: the back end had received the filing from an
    /// earlier attempt, before the answers shown now changed (show its values with `restore` first).
    pub fn receipt(&self, reference: Option<String>, received_at: Option<f64>, due_at: Option<f64>, earlier: bool) {
        self.inner
            .with(|s| s.receipt(reference, [received_at, due_at], earlier));
    }

    /// Shows a refusal: the back end's reasons (JSON `[{path, code, params, message_vi, message_en}]`),
    /// or a general failure if there are none.
    pub fn refused(&self, reasons: &str) -> Result<(), JsError> {
        let reasons = match parse(reasons, "the refusal")? {
            Json::Array(list) => list,
            _ => Vec::new(),
        };
        self.inner.with(|s| s.refused(reasons));
        Ok(())
    }

    /// Says that files `names` (comma-separated), already in a box, were chosen again and not added twice.
    #[wasm_bindgen(js_name = chosenAgain)]
    pub fn chosen_again(&self, names: &str) {
        self.inner.peek(|s| s.chosen_again(names));
    }

    /// How much of the files chosen at `path` the JS face has sent, in percent.
    #[wasm_bindgen(js_name = uploadProgress)]
    pub fn upload_progress(&self, path: &str, percent: u32) {
        self.inner.peek(|s| s.upload_progress(path, percent));
    }

    /// Takes the back end's references to the files chosen at `path`, in order, one per line; or
    /// none when their upload failed, with the back end's `refusal` (JSON `{message_vi, message_en}`)
    /// if it refused them.
    pub fn uploaded(&self, path: &str, references: Option<String>, refusal: Option<String>) {
        let references = references.map(|r| r.lines().map(str::to_owned).collect());
        let refusal = refusal.and_then(|r| parse_unique_str(&r).ok());
        self.inner.with(|s| s.uploaded(path, references, refusal));
    }

    /// Fills fields from a prefill bundle (JSON `{values: {path: {value, source, locked}}, ...}`); returns
    /// the entries left to the citizen (JSON `[{path, code}]`: values their fields cannot hold).
    pub fn prefill(&self, bundle: &str) -> Result<String, JsError> {
        let json = parse(bundle, "prefill: the bundle")?;
        left_out(self.inner.peek(|s| s.prefill(json)))
    }

    /// Fills the rows of a household member from a signed row bundle (JSON `{row: {group, member}, values, ...}`),
    /// `handle` being the member's in the household list (the `Tokhai-Member` header of its answer);
    /// returns the entries left to the citizen, as `prefill` does.
    #[wasm_bindgen(js_name = prefillRow)]
    pub fn prefill_row(&self, bundle: &str, handle: Option<String>) -> Result<String, JsError> {
        let json = parse(bundle, "prefill: the bundle")?;
        left_out(self.inner.with(|s| s.prefill_row(json, handle.as_deref())))
    }

    /// The repeat groups filled from household members (JSON array of their ids).
    #[wasm_bindgen(js_name = memberGroups)]
    pub fn member_groups(&self) -> String {
        let groups = self.inner.peek(|s| s.member_groups()).unwrap_or_default();
        json_text(&Json::from(groups))
    }

    /// Lists the members of the citizen's household above the rows of `group` (JSON `{members: [{handle,
    /// pin_masked, name, birth_year}]}`, from the portal): ticking one asks for the member's row by handle.
    pub fn household(&self, group: &str, list: &str) -> Result<(), JsError> {
        let json = parse(list, "household: the list")?;
        self.inner
            .with(|s| s.household(group, &json))
            .unwrap_or(Ok(()))
            .map_err(|e| JsError::new(&e))
    }

    /// The filing's timeline as JSON (`{login_at, fields_total, fields_prefilled, events}`), for the
    /// portal's timing collector; with `filed_only`, none when the citizen did nothing (focused,
    /// changed or submitted): a page opened and left is no filing.
    pub fn timeline(&self, filed_only: bool) -> Option<String> {
        self.inner
            .peek(|s| Some(s.timeline()).filter(|t| !filed_only || t.has_activity()))
            .flatten()
            .map(|t| serde_json::to_string(&t).unwrap_or_default())
    }

    /// Continues a filing begun on an earlier page: `events` (JSON, from its draft's timing) come
    /// before this page's, in the timeline and the metrics, which run from `login_at` when it is the
    /// earlier login (the filing began under it).
    #[wasm_bindgen(js_name = continueTimeline)]
    pub fn continue_timeline(&self, events: &str, login_at: Option<f64>) -> Result<(), JsError> {
        let events = serde_json::from_str(events)
            .map_err(|e| JsError::new(&format!("the draft's timing is not a list of events: {e}")))?;
        self.inner.peek(|s| s.continue_timeline(events, login_at));
        Ok(())
    }

    /// The metrics of the filing so far (JSON), computed by tokhai-core from the timeline.
    pub fn metrics(&self) -> Option<String> {
        self.inner
            .peek(|s| serde_json::to_string(&s.metrics()).unwrap_or_default())
    }

    /// Renders the next step after the first screen (mount leaves them for later tasks; any other
    /// call renders them all first anyway); returns whether steps are still left.
    #[wasm_bindgen(js_name = renderNext)]
    pub fn render_next(&self) -> bool {
        self.inner.peek(|s| s.render_later(1)).unwrap_or(false)
    }

    /// Hex SHA-256 of the canonical definition of the form mounted (a draft records it).
    #[wasm_bindgen(js_name = rulesetHash)]
    pub fn ruleset_hash(&self) -> Option<String> {
        self.inner.peek(|s| s.ruleset_hash())
    }

    /// The key that makes this filing's submissions one at the back end (a draft keeps it).
    #[wasm_bindgen(js_name = idempotencyKey)]
    pub fn idempotency_key(&self) -> Option<String> {
        self.inner.peek(|s| s.idempotency_key())
    }

    /// Goes on with the filing another page began, by its key: one that reached the back end is
    /// answered with its receipt, never filed twice.
    #[wasm_bindgen(js_name = continueFiling)]
    pub fn continue_filing(&self, key: &str) {
        self.inner.peek(|s| s.continue_filing(key));
    }

    /// The form's identity as JSON: `{form_id, version}`.
    pub fn info(&self) -> Option<String> {
        self.inner.peek(|s| json_text(&s.info()))
    }

    /// Restores a draft's values (JSON) on step `step`; returns the answers dropped because they no
    /// longer fit the form, as JSON `[{path, code, label}]`, and tells the citizen (that the answers are
    /// back too, unless `quiet`).
    pub fn restore(&self, values: &str, step: Option<u32>, quiet: bool) -> Result<String, JsError> {
        let values = parse(values, "the draft")?;
        let dropped = self.inner.with(|s| s.restore(&values, step.map(|i| i as usize), quiet));
        Ok(json_text(&dropped.unwrap_or(Json::Null)))
    }

    /// Shows a status named as `state::status_word` lists them in the live region, `n` filling its blank
    /// (`filed_elsewhere`: the reference); any other name clears it.
    pub fn status(&self, name: &str, n: Option<String>) {
        let word = state::status_word(name).map(|w| (w, n.unwrap_or_default()));
        self.inner.peek(|s| s.set_status(word));
    }

    /// Clears the status named (as [`Widget::status`] names it) if it is the one shown.
    #[wasm_bindgen(js_name = clearStatus)]
    pub fn clear_status(&self, name: &str) {
        if let Some(word) = state::status_word(name) {
            self.inner.peek(|s| s.clear_status(word));
        }
    }

    /// Records that the submission is being sent again.
    pub fn retried(&self) {
        self.inner.peek(|s| s.record(EventKind::Retry));
    }

    /// Shows whether the satisfaction rating was recorded.
    pub fn rated(&self, ok: bool) {
        self.inner.with(|s| s.rated(ok));
    }

    /// Times the filing, and dates "today", by the back end's clock, read `offset` ms ahead of this
    /// computer's; a difference within the slack the server allows is left alone
    /// ([`tokhai_core::timing::clock_offset`]). Returns the offset applied.
    #[wasm_bindgen(js_name = setClockOffset)]
    pub fn set_clock_offset(&self, offset: f64) -> f64 {
        let offset = tokhai_core::timing::clock_offset(offset);
        self.inner.with(|s| s.set_clock_offset(offset));
        offset
    }

    /// Records that the page was hidden (tab switched or closed), or shown again.
    pub fn visibility(&self, visible: bool) {
        let kind = if visible { EventKind::Shown } else { EventKind::Hidden };
        self.inner.peek(|s| s.record(kind));
    }

    /// Switches the widget to `vi` or `en`.
    #[wasm_bindgen(js_name = setLanguage)]
    pub fn set_language(&self, lang: &str) {
        self.inner.with(|s| s.set_language(lang));
    }

    /// The current language.
    pub fn language(&self) -> String {
        self.inner.peek(|s| s.lang().to_owned()).unwrap_or_default()
    }

    /// Stops listening and removes the widget's DOM; called from one of the form's events too, while
    /// another of its methods runs (which is why it takes `&self`).
    pub fn destroy(&self) {
        let root = self.inner.state.borrow().root.clone();
        for (name, closure) in self.listeners.take() {
            let _ = root.remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
        self.inner.state.borrow().unmount();
    }
}
