// One mounted form: the widget, its events and its handle, wired to its parts (drafts, send, uploads, prefill, history, timing).
import { Widget } from './tokhai_web.js';
import { drafts } from './drafts.js';
import { screens } from './history.js';
import { jsonText, RETRY } from './http.js';
import { prefill, PREFILL_TIMEOUT } from './prefill.js';
import { sending } from './send.js';
import { timing } from './timing.js';
import { uploads } from './uploads.js';
import { language, nextTask, randomId } from './util.js';

/** The element id prefix of the warm-up's form (warm-up.js): it is rendered at once and never in the history. */
export const WARM_UP_PREFIX = 'tk0-';

/** Elements holding a mounted form: one form per element. */
export const holders = new WeakSet();

/** A host that always wants its form and does nothing more with it (`mount`'s). */
export const ANY_HOST = { wanted: () => true, adopt() {} };

/** Why a form is refused: its element holds one. */
export const TAKEN = 'tokhai: this element already holds a form; destroy it first';

/** Why a form is given up before it is ready. */
export const GIVEN_UP = 'tokhai: the element was removed or given another form before it was ready';

/** The events a handle's `on` listens to (`TokhaiEvents` in index.d.ts, but `ready`, which has come by then). */
const EVENTS = new Set([
  'change', 'step', 'invalid', 'submit', 'submitted', 'refused', 'error', 'language', 'queued', 'draft', 'restored',
  'timing', 'rating',
]);

/** Where this tab keeps the language chosen for a form. */
const languageKey = (formId) => `tokhai-lang|${formId}`;

/** This tab's sessionStorage (`getItem`, `setItem`), if the page may use it. */
function tabStorage(method, ...args) {
  try {
    return sessionStorage[method](...args);
  } catch {
    return null;
  }
}

/** Widgets mounted so far (not the warm-up's), for unique id prefixes. */
let mounted = 0;

/** Whether a form (not the warm-up's) has started to render in this page. */
export const formsStarted = () => mounted > 0;

/**
 * Mounts a compiled form (`host`: as in `mountIn`, with `rendered()` called once the form shows and
 * `bundle` the national data asked for meanwhile, if it was; `idPrefix`: the prefix of element ids, by
 * default one per mount).
 */
export async function start(element, form, catalogs, options, host, idPrefix = `tk${++mounted}-`) {
  const doc = element.ownerDocument;
  const handlers = new Map();
  const policy = { ...RETRY, ...options.retry };
  let lastIssues = [];
  /** The outcome of the Submit being pressed (`handle.submit()` returns it). */
  let outcome = null;
  let info = null;
  let destroyed = false;
  /** Whether the element counts as holding this form (not the warm-up's). */
  let adopted = false;
  /** The outcome of a Submit pressed while files were uploading, once they are (`handle.submit()` returns it). */
  let afterUploads = null;
  let settleAfterUploads = null;

  /** Whether the host is setting the language (its choice, unlike the citizen's, is not kept for the tab). */
  let hostLanguage = false;

  /** Events of the form before it is ready (the first screen, a failed prefill): told a task after `ready`. */
  let early = [];

  const dispatch = (type, detail) => {
    if (early) {
      early.push([type, detail]);
      return [];
    }
    return tell(type, detail);
  };

  /** Tells an event to the handle's listeners, then to the element's. */
  const tell = (type, detail) => {
    const results = [];
    for (const h of handlers.get(type) ?? []) {
      try {
        results.push(h(detail));
      } catch (error) {
        // A submit handler that throws fails the filing, as one that rejects does; another is reported.
        if (type === 'submit') results.push(Promise.reject(error));
        else reportError(error);
      }
    }
    element.dispatchEvent(new CustomEvent(`tokhai-${type}`, { detail, bubbles: true, composed: true }));
    return results;
  };

  /** The widget's events, to the part each concerns, then to the host. */
  const emit = (type, json) => {
    const detail = JSON.parse(json);
    if (type === 'invalid') lastIssues = detail.issues;
    if (type === 'step') steps.shown(detail.index);
    if (type === 'change') {
      draft.changed(detail.path);
      files.changed(detail.path, detail.value);
      filing.changed();
    }
    if (type === 'language' && info && !hostLanguage) tabStorage('setItem', languageKey(info.form_id), detail.lang);
    if (type === 'rate') return timer.rate(detail, filing.receipt);
    if (type === 'member') return national.member(detail);
    if (type === 'attach') return files.attach(detail);
    if (type === 'waiting') {
      afterUploads = new Promise((settle) => (settleAfterUploads = settle));
      return;
    }
    const results = dispatch(type, detail);
    if (type === 'submit') outcome = filing.deliver(detail, results, !!handlers.get('submit')?.size);
    if ((type === 'submit' || type === 'invalid') && settleAfterUploads) {
      settleAfterUploads(type === 'submit' ? outcome : { ok: false, issues: detail.issues });
      afterUploads = settleAfterUploads = null;
    }
    // An answer given (the citizen left the box, or picked) is saved at once, whatever the draft delay: a
    // page reloaded or closed right after keeps it (a save begun as the page goes does not finish).
    if (type === 'change' || type === 'step') draft.saveSoon(type === 'change' ? 0 : undefined);
  };

  // What the element held (the portal's "loading…" line) gives way to the form, as in <tokhai-form>.
  element.replaceChildren();
  // A form that cannot render (a catalogue it needs is missing) throws here, before any part listens.
  const widget = new Widget(
    element,
    form,
    catalogs,
    JSON.stringify({
      lang: language(options.lang),
      today: options.today,
      now: Date.now(),
      languageSwitch: options.languageSwitch !== false,
      idempotencyKey: randomId(),
      loginAt: options.loginAt,
      satisfaction: !!options.satisfactionEndpoint || options.satisfaction === true,
      uploads: !!options.uploads,
      idPrefix,
    }),
    emit,
  );
  // The parts, made before the widget's first call sends them its events (the form's id is read right after).
  const formId = () => info?.form_id;
  const timer = timing(widget, options, dispatch, formId);
  // The browser's history follows the screens (the `history` option; never for the warm-up).
  const steps = screens(widget, options.history !== false && idPrefix !== WARM_UP_PREFIX, idPrefix, () => !!filing.outcome);
  const files = uploads(element, widget, options, dispatch, policy, formId);
  const national = prefill(element, widget, options, dispatch, policy);
  const draft = drafts(element, widget, options, dispatch, { timing: timer, screens: steps, prefill: national, carried: host.carried });
  const filing = sending(widget, options, dispatch, policy, { drafts: draft, screens: steps, timing: timer, prefill: national });

  host.rendered?.();
  // The first screen is on; the other steps render after ready, one a task, so that a citizen's
  // keystroke waits for one step's rendering at most, not the whole form's (the warm-up's at once,
  // in the same task as the rest of the warm-up).
  if (idPrefix === WARM_UP_PREFIX) while (widget.renderNext());
  else {
    (async () => {
      for (let more = true; more; ) {
        await nextTask();
        if (destroyed) return;
        const start = performance.now();
        more = widget.renderNext();
        // A User Timing entry a step, for hosts and benchmarks that watch rendering.
        performance.measure?.('tokhai:later-steps', { start, end: performance.now() });
      }
    })();
  }
  steps.start();
  info = JSON.parse(widget.info());
  // The language the citizen chose with the form's own switch comes back when the tab reloads (a host
  // that hides the switch owns the language).
  if (options.languageSwitch !== false) {
    const chosen = tabStorage('getItem', languageKey(info.form_id));
    if ((chosen === 'vi' || chosen === 'en') && chosen !== widget.language()) widget.setLanguage(chosen);
  }
  draft.open(info);

  let hiddenSent = false;
  const onHide = () => {
    if (hiddenSent) return;
    hiddenSent = true;
    widget.visibility(false);
    draft.flush();
    timer.report(filing.outcome ? filing.receipt || undefined : undefined);
  };
  /**
   * The page is shown again (the tab, or the page back from the browser's cache): its step's time runs on,
   * and a tab left open overnight judges dates by the new day.
   */
  const onShow = () => {
    if (!hiddenSent) return;
    hiddenSent = false;
    widget.visibility(true);
    widget.setClockOffset(timer.clock ?? 0);
  };
  const onVisibility = () => (doc.visibilityState === 'hidden' ? onHide() : onShow());
  const onPageHide = () => onHide();
  doc.addEventListener('visibilitychange', onVisibility);
  addEventListener('pagehide', onPageHide);
  addEventListener('pageshow', onShow);

  /** Throws when the form was destroyed: its widget is gone. */
  const alive = () => {
    if (destroyed) throw new Error('tokhai: this form was destroyed');
    return widget;
  };

  const handle = {
    element,
    async prefill(bundle) {
      alive();
      const text = await jsonText(bundle, PREFILL_TIMEOUT);
      // The receipt shows what was sent: values do not change under a filing on its way.
      if (filing.delivering) throw new Error('tokhai: a filing is being sent; prefill once it is settled');
      return JSON.parse(alive().prefill(text));
    },
    values: () => JSON.parse(alive().values()),
    validate() {
      const issues = JSON.parse(alive().validate());
      return { valid: issues.every((i) => i.severity !== 'error'), issues };
    },
    async submit() {
      alive();
      // Filed already: the same outcome (the receipt stays; nothing is sent again).
      if (filing.outcome) return filing.outcome;
      if (filing.delivering) return filing.delivering;
      outcome = null;
      if (widget.submit() == null) return afterUploads ?? { ok: false, issues: lastIssues };
      return outcome;
    },
    on(type, handler) {
      alive();
      if (!EVENTS.has(type)) {
        const why = type === 'ready' ? 'it has come by the time there is a handle' : `the events are ${[...EVENTS].join(', ')}`;
        throw new TypeError(`tokhai: no event '${type}' to listen to (${why})`);
      }
      if (typeof handler !== 'function') throw new TypeError(`tokhai: the handler of '${type}' is not a function`);
      if (!handlers.has(type)) handlers.set(type, new Set());
      handlers.get(type).add(handler);
      return () => handlers.get(type)?.delete(handler);
    },
    setLanguage(lang) {
      if (alive().language() === language(lang)) return;
      hostLanguage = true;
      try {
        widget.setLanguage(language(lang));
      } finally {
        hostLanguage = false;
      }
      // The host's choice is the latest: a reload no longer brings back the citizen's earlier one.
      tabStorage('removeItem', languageKey(info.form_id));
    },
    get language() {
      return alive().language();
    },
    timeline: () => JSON.parse(alive().timeline(false)),
    timing: () => JSON.parse(alive().metrics()),
    async saveDraft() {
      alive();
      return draft.save();
    },
    async discardDraft() {
      alive();
      return draft.discard();
    },
    get sending() {
      return filing.delivering;
    },
    destroy() {
      if (destroyed) return;
      // The last answers are saved first.
      draft.destroy();
      destroyed = true;
      if (adopted) holders.delete(element);
      host.released?.(handle);
      filing.destroy();
      files.destroy();
      steps.destroy();
      national.destroy();
      doc.removeEventListener('visibilitychange', onVisibility);
      removeEventListener('pagehide', onPageHide);
      removeEventListener('pageshow', onShow);
      widget.destroy();
      // Freed once the current task is over: a host may destroy the form from one of its events, while
      // the widget is still inside the call that told it (and the parts finish with it).
      queueMicrotask(() => widget.free());
      handlers.clear();
    },
  };
  if (options.prefill != null) {
    // The bundle comes fresh from the portal, whose clock also timed the login.
    await national.load(timer.readClock, host.bundle);
  }
  // One form per element (a form mounted twice at once is refused here), and one its host still wants.
  const taken = holders.has(element);
  if (taken || !host.wanted()) {
    handle.destroy();
    throw new Error(taken ? TAKEN : GIVEN_UP);
  }
  host.adopt(handle);
  adopted = idPrefix !== WARM_UP_PREFIX;
  if (adopted) holders.add(element);
  const told = early;
  early = null;
  tell('ready', null);
  // What happened before (its first step, a prefill refused) is told a task later: once `await mount(…)`
  // has given the host its handle, and the listeners it adds at once hear it too. What happens from now
  // on is told as it happens (a host's submit handler answers at once).
  const toldEarly = new Promise((ok) =>
    setTimeout(() => {
      if (!destroyed) for (const [type, detail] of told) tell(type, detail);
      ok();
    }),
  );
  // The draft lookup (IndexedDB, WebCrypto) started at render goes on once the first screen is told, so
  // that a draft's screen is told after it, never before.
  handle.restored = toldEarly
    .then(() => (destroyed ? undefined : draft.restore(filing)))
    .catch((error) => dispatch('error', { error }));
  return handle;
}
