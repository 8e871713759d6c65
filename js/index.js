// The JS face of tokhai: loads the wasm widget, exports `mount` and defines <tokhai-form>.
// No eval, no inline script or style: it runs under `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`.
import init, { CatalogSet, CompiledForm, Widget } from './tokhai_web.js';
// The warm-up's form (see warmUp): two steps using every kind of field and most keywords, the second
// rendered after the first screen as in most real forms; tokhai-core's tests/forms.rs compiles it.
import WARM_UP from './warm-up.json' with { type: 'json' };

let loading = null;

/** Loads the wasm module once (optionally from another URL), then warms it up. */
export function load(wasm) {
  loading ??= init({ module_or_path: wasm ?? new URL('./tokhai_web_bg.wasm', import.meta.url) }).then((module) => {
    warmUp();
    return module;
  });
  return loading;
}

/** The element id prefix of the warm-up form. */
const WARM_UP_PREFIX = 'tk0-';

/** Values the warm-up prefills, by path. */
const WARM_UP_VALUES = {
  text: 'Nguyễn',
  dob: '1990-01-01',
  pin: '001090012345',
  phone: '0912345678',
  email: 'a@b.vn',
  number: 5,
  address: { province: '01', commune: '1' },
  'rows[0].r_from': '2004-01-01',
};

/**
 * Mounts WARM_UP once in a detached element through the same path as `mount` (prefilled, its later
 * steps rendered, typed into, submitted with errors, a row added and removed, validated), so that
 * the browser compiles the code a mount runs while the page still waits for its definition and
 * data, not during mount. The browser compiles a wasm function on its first call, and such a
 * compile can stall a mount for milliseconds: a Chromium trace (`wasm.CompileLazy` events) of the
 * first mount of the sample and 700-field forms, later steps included, should show none
 * (`npm run bench` counts them).
 */
function warmUp() {
  if (typeof document === 'undefined') return;
  // Only speed is lost (mount reports any real problem), but say so: the warm-up form has gone stale.
  const failed = (error) => console.warn('tokhai: the warm-up failed', error);
  try {
    const form = new CompiledForm(JSON.stringify(WARM_UP));
    const catalogs = new CatalogSet(
      JSON.stringify({ provinces: [{ value: '01', label: { vi: 'T', en: 'T' } }], communes: [{ value: '1', label: { vi: 'X', en: 'X' }, parent: '01' }] }),
    );
    const values = Object.entries(WARM_UP_VALUES).map(([path, value]) => [path, { value, source: 'warm-up', locked: path === 'pin' }]);
    const options = { drafts: false, prefill: { values: Object.fromEntries(values) } };
    start(document.createElement('div'), form, catalogs, options, ANY_HOST, WARM_UP_PREFIX)
      .then((handle) => {
        const prefilled = handle.values().text === WARM_UP_VALUES.text;
        // What a citizen does first: types, leaves the field, presses Continue (the step has errors).
        const field = handle.element.querySelector('[data-path="text"]');
        field.value = 'Nguyễn Văn';
        for (const type of ['input', 'change', 'focusout']) field.dispatchEvent(new Event(type, { bubbles: true }));
        handle.element.querySelector('form').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
        // A row added to a list and one taken away.
        handle.element.querySelector('[data-act="add"]').click();
        handle.element.querySelector('[data-act="remove"]').click();
        handle.validate();
        handle.destroy();
        if (!prefilled) throw new Error('the prefill was not applied');
      })
      .catch(failed)
      .finally(() => {
        form.free();
        catalogs.free();
      });
  } catch (error) {
    failed(error);
  }
}

/** The stylesheet added to each root (the document, or a shadow root the form is in): resolves when loaded. */
const styles = new WeakMap();

/**
 * Adds the widget's stylesheet once to the root `element` is in: the document's head, or the shadow
 * root of a host's own custom element (the document's styles do not reach into it).
 */
function addStyles(element, href) {
  const found = element.getRootNode();
  const root = found instanceof ShadowRoot ? found : element.ownerDocument;
  if (styles.has(root)) return styles.get(root);
  if (root.querySelector('link[data-tokhai]')) {
    styles.set(root, Promise.resolve());
    return styles.get(root);
  }
  const link = element.ownerDocument.createElement('link');
  link.rel = 'stylesheet';
  link.href = String(href ?? new URL('./tokhai.css', import.meta.url));
  link.dataset.tokhai = '';
  styles.set(root, new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true });
  }));
  (root instanceof ShadowRoot ? root : root.head).append(link);
  return styles.get(root);
}

/** Milliseconds a definition or catalogue may take to arrive before it is given up. */
const LOAD_TIMEOUT = 30000;

/** JSON text from a URL (fetched, given up after `timeout` ms; `answered` is told its response) or an object. */
async function jsonText(source, timeout = LOAD_TIMEOUT, answered = () => {}) {
  if (typeof source === 'string' || source instanceof URL) {
    const signal = AbortSignal.timeout(timeout);
    try {
      const res = await fetch(source, { credentials: 'same-origin', headers: { Accept: 'application/json' }, signal });
      if (!res.ok) throw Object.assign(new Error(`tokhai: ${source} answered ${res.status}`), { status: res.status });
      answered(res);
      return await res.text();
    } catch (error) {
      throw error?.name === 'TimeoutError' ? new Error(`tokhai: ${source} did not answer within ${timeout / 1000} s`) : error;
    }
  }
  return JSON.stringify(source);
}

/**
 * Milliseconds the clock of a back end is ahead of this computer's, from its fresh answer's `Date`
 * (`null` without one: a header a cross-origin answer does not show, or a proxy dropped).
 */
function clockOffset(res) {
  const date = Date.parse(res.headers.get('Date') ?? '');
  if (!Number.isFinite(date)) return null;
  // The header is truncated to the second: its middle is the best guess.
  return date + 500 - Date.now();
}

const byUrl = new Map();
const byObject = new WeakMap();
let noCatalogs = null;

/**
 * Parses options catalogues once (URL or object; an admin-units file or lists by name) and keeps
 * them for every later mount with the same source. `mount` calls it; call it early to preload.
 */
export async function loadCatalogs(source) {
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(new URL(source, document.baseURI));
    if (!byUrl.has(url)) {
      // Fetched while the wasm loads.
      const parsed = Promise.all([load(), jsonText(url)]).then(([, text]) => new CatalogSet(text));
      parsed.catch(() => byUrl.delete(url));
      byUrl.set(url, parsed);
    }
    return byUrl.get(url);
  }
  await load();
  if (source == null) return (noCatalogs ??= new CatalogSet(undefined));
  // Read once per object (reading a country's communes again costs a mount some 3 ms): a host that
  // changes its catalogues passes a new object.
  if (!byObject.has(source)) byObject.set(source, new CatalogSet(JSON.stringify(source)));
  return byObject.get(source);
}

const compiled = new Map();
/** Compiled definitions kept for later mounts (the oldest is let go beyond this). */
const COMPILED_KEPT = 8;

/**
 * Compiles a definition (object or URL) once and keeps it for every later mount
 * of the same definition. `mount` calls it; call it early to compile while other things load.
 */
export async function compileForm(definition) {
  if (definition == null) throw new TypeError('tokhai: no form definition (an object or its URL)');
  const [, text] = await Promise.all([load(), jsonText(definition)]);
  let form = compiled.get(text);
  if (!form) {
    form = new CompiledForm(text);
    compiled.set(text, form);
    if (compiled.size > COMPILED_KEPT) {
      const [oldest] = compiled.keys();
      compiled.get(oldest).free();
      compiled.delete(oldest);
    }
  }
  return form;
}

/** Resolves in a later task, once the browser has had its turn. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve));

/** A random identifier (a UUID: the shape idempotency keys and timing sessions take). */
function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** This page's identifier among the tabs of the browser. */
const PAGE_ID = randomId();

/** When the back end received the dossier (ms since the epoch), if its receipt says. */
function receivedAtOf(body) {
  const at = body?.receipt?.received_at;
  return Number.isFinite(at) ? at : undefined;
}

/** The reference in a back end's receipt (`receipt.id`), if any. */
function referenceOf(body) {
  const ref = body?.receipt?.id;
  return ref == null ? undefined : String(ref);
}

// ----- drafts and the outbox: IndexedDB, encrypted with a non-extractable AES-GCM key -----

let database = null;

/** The widget's IndexedDB database: `keys` (the AES-GCM key), `drafts` and `outbox` (encrypted records). */
function db() {
  database ??= new Promise((resolve, reject) => {
    const req = indexedDB.open('tokhai', 1);
    req.onupgradeneeded = () => {
      for (const name of ['keys', 'drafts', 'outbox']) req.result.createObjectStore(name);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  database.catch(() => (database = null));
  return database;
}

/** Runs one request on a store and resolves to its result once the transaction is done. */
async function idb(store, mode, make) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const tx = d.transaction(store, mode);
    const req = make(tx.objectStore(store));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

let aesKey = null;

/** The drafts this page's forms are writing (a form mounted again reads its draft after them). */
let draftWrites = Promise.resolve();

/** The AES-GCM key of drafts, created once and kept in IndexedDB; it can encrypt and decrypt, never be read. */
function draftKey() {
  aesKey ??= (async () => {
    const kept = await idb('keys', 'readonly', (s) => s.get('drafts'));
    if (kept) return kept;
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    await idb('keys', 'readwrite', (s) => s.add(key, 'drafts')).catch(() => {});
    // If another tab stored a key first, use that one.
    return (await idb('keys', 'readonly', (s) => s.get('drafts'))) ?? key;
  })();
  aesKey.catch(() => (aesKey = null));
  return aesKey;
}

/** Encrypts a value and stores it (fresh 96-bit IV each time). */
async function seal(store, id, value) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(value));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await draftKey(), plain);
  await idb(store, 'readwrite', (s) => s.put({ iv, data }, id));
}

/** Reads and decrypts a stored value; `null` if none or unreadable (then it is removed). */
async function unseal(store, id) {
  const record = await idb(store, 'readonly', (s) => s.get(id));
  if (!record) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: record.iv }, await draftKey(), record.data);
    return JSON.parse(new TextDecoder().decode(plain));
  } catch {
    await forget(store, id);
    return null;
  }
}

/** Removes a stored value. */
function forget(store, id) {
  return idb(store, 'readwrite', (s) => s.delete(id)).catch(() => {});
}

// ----- sending -----

/** Waits `ms` milliseconds. */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when the browser says it is online again. */
function online() {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve) => addEventListener('online', resolve, { once: true }));
}

/** Milliseconds before a notice says national data is slow, and before prefill is given up. */
const PREFILL_NOTICE_AFTER = 800;
const PREFILL_TIMEOUT = 10000;

/**
 * The reason shown for a refusal that gives none the widget can read (a gateway's HTML page, a login
 * check's bare code): by its status, in the core's words.
 */
const refusalOf = (status) =>
  status === 401 || status === 403
    ? { path: '', code: 'submission.login_required' }
    : status === 413
      ? { path: '', code: 'submission.too_large' }
      : { path: '', code: 'submission.refused', params: { status } };

/** Whether a status is worth retrying: the server or the way to it failed, or asked to wait. */
const retryable = (status) => status >= 500 || status === 408 || status === 429;

/** The delay a `Retry-After` header asks for, in ms (seconds or an HTTP date), if any. */
function retryAfter(res) {
  const v = res?.headers.get('Retry-After');
  if (!v) return null;
  const secs = Number(v);
  const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(v) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

/**
 * POSTs a body with XMLHttpRequest, the one API that tells how much of it was sent (`progress(bytes)`);
 * resolves to the answer as a `Response`, or null on a network error.
 */
function post(url, body, progress) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => progress(e.loaded);
    xhr.onload = () => {
      const headers = { 'Content-Type': xhr.getResponseHeader('Content-Type') ?? '' };
      const retry = xhr.getResponseHeader('Retry-After');
      if (retry) headers['Retry-After'] = retry;
      const text = [204, 205, 304].includes(xhr.status) ? null : xhr.responseText;
      resolve(new Response(text, { status: xhr.status, headers }));
    };
    xhr.onerror = xhr.onabort = xhr.ontimeout = () => resolve(null);
    xhr.send(body);
  });
}

/**
 * Default retry policy: exponential backoff from `baseMs`, capped at `capMs`, full jitter on the upper
 * half; a filing left queued after its `attempts` is sent again every `resendMs` while the page is open.
 */
const RETRY = { attempts: 8, baseMs: 500, capMs: 30000, resendMs: 60000 };

/** Whether a value is a JSON object (an answer that can be a receipt), not an array, a number or null. */
const isRecord = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

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

/** Tries of a household member's lookup before the citizen is asked to fill the row in. */
const MEMBER_ATTEMPTS = 4;

/** Tries of one file's upload before the citizen is asked to choose it again. */
const UPLOAD_ATTEMPTS = 3;

/** Longest side, in pixels, of a photo shrunk to fit its field (sharp enough to read a document). */
const PHOTO_MAX_SIDE = 2400;

/**
 * A photo larger than `maxSize` bytes as a JPEG that fits (at most PHOTO_MAX_SIDE pixels a side, the
 * quality lowered as needed): a phone's camera takes 3 to 10 MB pictures, more than most forms take.
 * Any other file, or a photo the browser cannot decode or shrink enough, comes back as it is.
 */
async function fitPhoto(file, maxSize) {
  if (!file.type.startsWith('image/') || file.size <= maxSize) return file;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = new OffscreenCanvas(Math.round(bitmap.width * scale), Math.round(bitmap.height * scale));
    canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    for (const quality of [0.85, 0.7, 0.5]) {
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
      if (blob.size <= maxSize) {
        const name = `${file.name.replace(/\.[^.]*$/, '')}.jpg`;
        return new File([blob], name, { type: 'image/jpeg', lastModified: file.lastModified });
      }
    }
  } catch {
    // Not decodable here (e.g. HEIC outside Safari): the field's rule says the file is too large.
  }
  return file;
}

/** The wait before retry number `n` (0-based). */
function backoff(n, policy) {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** n);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Tries something until it settles: `attempt(n, last)` (n = 0, 1, …; `last` from try number `attempts`
 * on) resolves to an outcome, final unless its `retry` is set, and `wait(n, outcome)` runs before the
 * next try. Resolves to the final outcome. Each caller says what is worth another try, and whether the
 * last try may still ask for one.
 */
async function withRetries(attempts, attempt, wait) {
  for (let n = 0; ; n++) {
    const outcome = await attempt(n, n + 1 >= attempts);
    if (!outcome.retry) return outcome;
    await wait(n, outcome);
  }
}

/** Most bytes a beacon (or a keepalive fetch) may carry. */
const BEACON_BYTES = 64 * 1024;

/** Events a timeline keeps when it must shrink: what login → submit, steps and retries are made of. */
const ESSENTIAL_EVENTS = new Set(['start', 'step', 'submit', 'retry', 'receipt', 'hidden']);

/**
 * Sends a timing beacon with `navigator.sendBeacon` (or a keepalive fetch). A long filing's timeline
 * can outgrow a beacon: then a smaller one goes as the beacon (without focus and blur, or with only
 * the essential events) and the whole one in a plain fetch, which the collector keeps instead
 * whenever it arrives (it keeps the timeline with the most events).
 */
function beacon(url, body) {
  // A CORS-safelisted type, so the beacon is never preflighted; the collector reads JSON whatever the type.
  const blob = (b) => new Blob([JSON.stringify(b)], { type: 'text/plain;charset=UTF-8' });
  const full = blob(body);
  // Shrunk only as far as needed: most timelines fit whole.
  let sent = full;
  for (const keep of [(e) => e.type !== 'focus' && e.type !== 'blur', (e) => ESSENTIAL_EVENTS.has(e.type)]) {
    if (sent.size <= BEACON_BYTES) break;
    sent = blob({ ...body, timeline: { ...body.timeline, events: body.timeline.events.filter(keep) } });
  }
  if (sent.size <= BEACON_BYTES && !navigator.sendBeacon?.(url, sent)) {
    fetch(url, { method: 'POST', body: sent, credentials: 'same-origin', keepalive: true }).catch(() => {});
  }
  if (sent !== full) fetch(url, { method: 'POST', body: full, credentials: 'same-origin' }).catch(() => {});
}

/** The options `mount` understands (`MountOptions` in index.d.ts). */
const OPTIONS = new Set([
  'lang', 'catalogs', 'prefill', 'action', 'today', 'languageSwitch', 'styles', 'wasm', 'loginAt',
  'timingsEndpoint', 'satisfactionEndpoint', 'satisfaction', 'drafts', 'subject', 'draftDelay', 'retry', 'uploads', 'history',
]);

/**
 * Mounts a form in an element and resolves to its handle.
 * `definition`: the definition object or its URL. See index.d.ts for the options and events.
 */
export function mount(element, definition, options) {
  return mountIn(element, definition, options ?? {});
}

/** Elements holding a mounted form: one form per element. */
const holders = new WeakSet();

/** A host that always wants its form and does nothing more with it (`mount`'s). */
const ANY_HOST = { wanted: () => true, adopt() {} };

/** Why a form is refused: its element holds one. */
const TAKEN = 'tokhai: this element already holds a form; destroy it first';

/** Why a form is given up before it is ready. */
const GIVEN_UP = 'tokhai: the element was removed or given another form before it was ready';

/**
 * `mount`, for a `host` that may stop wanting the form while it loads (`host.wanted()`: a form no
 * longer wanted is not rendered, or is destroyed, and the promise rejects) and takes the handle
 * (`host.adopt(handle)`) once the form is ready, before its `ready` event.
 */
async function mountIn(element, definition, options, host = ANY_HOST) {
  if (element?.nodeType !== 1) throw new TypeError('tokhai: mount needs an element to render the form in');
  if (holders.has(element)) throw new Error(TAKEN);
  // A misspelt option would otherwise be ignored without a word.
  for (const name of Object.keys(options)) if (!OPTIONS.has(name)) console.warn(`tokhai: unknown option '${name}' (ignored)`);
  load(options.wasm);
  const loaded = loadingNotice(element, options.lang);
  try {
    const [form, catalogs] = await Promise.all([
      compileForm(definition),
      loadCatalogs(options.catalogs),
      options.styles === false ? null : addStyles(element, options.styles),
    ]);
    if (!host.wanted()) throw new Error(GIVEN_UP);
    // The loading line goes once the form shows, not once it is prefilled (ready).
    return await start(element, form, catalogs, options, { ...host, rendered: loaded });
  } finally {
    loaded();
  }
}

/** The widget's language for a language tag (`en`, `EN`, `en-US` → English; anything else Vietnamese). */
const language = (tag) => (/^en(-|$)/i.test(String(tag ?? '')) ? 'en' : 'vi');

/** Milliseconds of loading before the citizen is told the form is on its way (a fast load shows nothing). */
const LOADING_NOTICE_AFTER = 300;

/**
 * In an empty host, a status line that says the form is loading once loading takes a while (on a slow
 * phone connection the module alone takes seconds); returns the function that removes it.
 */
function loadingNotice(element, lang) {
  if (element.childElementCount) return () => {};
  const notice = element.ownerDocument.createElement('p');
  notice.className = 'tk-loading';
  notice.setAttribute('role', 'status');
  element.append(notice);
  const timer = setTimeout(() => {
    notice.textContent = language(lang) === 'en' ? 'Loading the form…' : 'Đang tải biểu mẫu…';
  }, LOADING_NOTICE_AFTER);
  return () => {
    clearTimeout(timer);
    notice.remove();
  };
}

/** Widgets mounted so far, for unique id prefixes. */
let mounted = 0;

/**
 * Mounts a compiled form (`host`: as in `mountIn`; `idPrefix`: the prefix of element ids, by default
 * one per mount).
 */
async function start(element, form, catalogs, options, host, idPrefix = `tk${++mounted}-`) {
  const doc = element.ownerDocument;
  const handlers = new Map();
  const policy = { ...RETRY, ...options.retry };
  const drafts = options.drafts !== false && typeof indexedDB !== 'undefined' && !!crypto.subtle;
  /** The filing's timing session: a draft's, once restored (a filing over several visits is one filing). */
  let sessionId = randomId();
  let lastIssues = [];
  let sending = null;
  let delivering = null;
  let receipt = null;
  let done = false;
  let queued = null;
  let resendTimer = 0;
  let step = null;
  let destroyed = false;
  /** Whether the element counts as holding this form (not the warm-up's). */
  let adopted = false;
  // Drafts are saved once the form is mounted and any earlier draft restored.
  let restoring = true;
  /** Paths the citizen changed before the earlier draft was restored. */
  const edited = new Set();

  /** Events of the form before it is ready (the first screen, a failed prefill): told after `ready`. */
  let early = [];

  const dispatch = (type, detail) => {
    if (early) {
      early.push([type, detail]);
      return [];
    }
    const results = [];
    for (const h of handlers.get(type) ?? []) {
      try {
        results.push(h(detail));
      } catch (error) {
        reportError(error);
      }
    }
    element.dispatchEvent(new CustomEvent(`tokhai-${type}`, { detail, bubbles: true, composed: true }));
    return results;
  };

  const emit = (type, json) => {
    const detail = JSON.parse(json);
    if (type === 'invalid') lastIssues = detail.issues;
    if (type === 'step') {
      step = detail.index;
      remember(step);
    }
    if (type === 'change' && restoring) edited.add(detail.path);
    if (type === 'change') pruneHeld(detail.path, detail.value);
    if (type === 'change' && queued && !delivering) {
      // An answer changed after the filing was queued: that filing no longer says what the citizen
      // wants, so it is not sent later; Submit sends the answers as they are now.
      queued = null;
      if (drafts) forget('outbox', draftId);
      widget.status('');
    }
    if (type === 'language' && info) tabStorage('setItem', languageKey(info.form_id), detail.lang);
    if (type === 'rate') return rate(detail);
    if (type === 'member') return memberRow(detail);
    if (type === 'attach') return attach(detail);
    if (type === 'waiting') {
      afterUploads = new Promise((settle) => (settleAfterUploads = settle));
      return;
    }
    const results = dispatch(type, detail);
    if (type === 'submit') sending = deliver(detail, results);
    if ((type === 'submit' || type === 'invalid') && settleAfterUploads) {
      settleAfterUploads(type === 'submit' ? sending : { ok: false, issues: detail.issues });
      afterUploads = settleAfterUploads = null;
    }
    // An answer given (the citizen left the box, or picked) is saved at once: a page reloaded or closed
    // right after keeps it (a save begun as the page goes does not finish).
    if (type === 'change' || type === 'step') saveSoon(type === 'change' ? 0 : undefined);
  };

  /**
   * A PIN typed in a household member's row: the member's details from the portal's prefill endpoint
   * (`<prefill>/row?group=&pin=`), which answers only for the citizen's own household.
   */
  const memberRow = async ({ group, pin }) => {
    if (typeof options.prefill !== 'string' && !(options.prefill instanceof URL)) return;
    const url = new URL(String(options.prefill), doc.baseURI);
    url.pathname += '/row';
    url.search = new URLSearchParams({ group, pin }).toString();
    // The back end's answer (not in the household) is final; a lost connection, a timeout or a 5xx
    // is not: asked again once the connection is back, or after a pause, a few times.
    const lookUp = async (attempt, last) => {
      if (destroyed) return {};
      try {
        return { text: await jsonText(url, PREFILL_TIMEOUT) };
      } catch (error) {
        const lost = error.status === undefined || retryable(error.status);
        return { error, retry: lost && !last && !destroyed };
      }
    };
    const wait = async (attempt) => {
      widget.status('member_retrying', pin);
      await (navigator.onLine ? sleep(backoff(attempt, policy)) : online());
    };
    const { text, error } = await withRetries(MEMBER_ATTEMPTS, lookUp, wait);
    if (destroyed) return;
    if (error) return notFound(error, pin);
    try {
      widget.prefillRow(text);
    } catch (error) {
      notFound(error, pin);
    }
  };

  /** The citizen fills the row of member `pin` in: the lookup failed for good, or its bundle is refused. */
  const notFound = (error, pin) => {
    widget.status('member_not_found', pin);
    dispatch('error', { error });
  };

  // ----- attached files -----

  /** The outcome of a Submit pressed while files were uploading, once they are (`handle.submit()` returns it). */
  let afterUploads = null;
  let settleAfterUploads = null;

  /** The change events this face sent itself, with the photos fitted: the files chosen, in order. */
  const fittedChanges = new WeakMap();

  /**
   * The files in each box that takes several, as chosen (`chosen`, before a photo is shrunk) and as the
   * widget got them (`sent`): a file chosen again is not added twice.
   */
  const heldFiles = new Map();

  /** Whether two files are one chosen twice (a phone names every photo image.jpg: its time tells them apart). */
  const sameFile = (a, b) => a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;

  /** Whether a file is the one an entry of a file field's value names (the value holds its name in NFC). */
  const isNamed = (file, entry) => file.size === entry.size && file.name.normalize('NFC') === entry.name;

  /** A file's remove button: that file is no longer held (two of one name and size are told apart by place). */
  const onRemoveFile = (event) => {
    const button = event.target.closest?.('[data-act=remove-file]');
    if (button) heldFiles.get(button.closest('[data-path]')?.dataset.path)?.splice(Number(button.dataset.index), 1);
  };
  element.addEventListener('click', onRemoveFile, true);

  /** Forgets the held files of `path` the field's new value no longer names (refused, or gone otherwise). */
  const pruneHeld = (path, value) => {
    const held = heldFiles.get(path);
    if (!held) return;
    const left = Array.isArray(value) ? [...value] : [];
    const named = ({ sent }) => {
      const i = left.findIndex((v) => isNamed(sent, v));
      return i >= 0 && left.splice(i, 1).length > 0;
    };
    heldFiles.set(path, held.filter(named));
  };

  /**
   * The files chosen in each file box and not uploaded yet, by path: a box holds only its latest choice,
   * while a field taking several files adds each choice to the earlier ones.
   */
  const chosenFiles = new Map();

  /**
   * Keeps the files chosen in a box for their upload. Photos too large for its field are first shrunk
   * to fit, before the widget reads the choice (this listener captures the change, then sends it again
   * with the new files).
   */
  const onFilesChosen = async (event) => {
    const input = event.target;
    if (input?.type !== 'file') return;
    const path = input.dataset.path;
    let files = [...(input.files ?? [])];
    if (input.multiple && !fittedChanges.has(event)) {
      const held = (heldFiles.get(path) ?? []).map(({ chosen }) => chosen);
      const again = files.filter((f) => held.some((h) => sameFile(h, f)));
      if (again.length) {
        widget.chosenAgain(again.map((f) => f.name).join(', '));
        files = files.filter((f) => !again.includes(f));
        if (!files.length) {
          // Nothing new: the box keeps its files, and the widget hears of no change.
          event.stopImmediatePropagation();
          input.value = '';
          return;
        }
        const fresh = new DataTransfer();
        for (const file of files) fresh.items.add(file);
        input.files = fresh.files;
      }
    }
    // The size photos must fit, on boxes whose field takes JPEG images and has a limit (the core says which).
    const maxSize = Number(input.dataset.fitPhotos);
    const fits = fittedChanges.has(event) || !maxSize || !files.some((f) => f.type.startsWith('image/') && f.size > maxSize);
    if (fits) {
      chosenFiles.set(path, [...(chosenFiles.get(path) ?? []), ...files]);
      if (input.multiple) {
        const chosen = fittedChanges.get(event) ?? files;
        heldFiles.set(path, [...(heldFiles.get(path) ?? []), ...files.map((sent, i) => ({ chosen: chosen[i] ?? sent, sent }))]);
      }
      return;
    }
    event.stopImmediatePropagation();
    const fitted = new DataTransfer();
    for (const file of files) fitted.items.add(await fitPhoto(file, maxSize));
    if (destroyed) return;
    input.files = fitted.files;
    const change = new Event('change', { bubbles: true });
    fittedChanges.set(change, files);
    input.dispatchEvent(change);
  };
  element.addEventListener('change', onFilesChosen, true);

  /** The latest upload of each file field: an answer for files no longer chosen is dropped. */
  const uploadRuns = new Map();

  /** Each file's upload on its way or done (its reference): a file chosen before is not sent twice. */
  const sentFiles = new WeakMap();

  /** The bytes of each file sent so far. */
  const bytesSent = new WeakMap();

  /** The files each field's latest upload waits for, and the percentage the widget was last told. */
  const uploadShown = new Map();

  /**
   * Tells the widget how much of a field's files is sent, as a whole percentage when it changes: files
   * sent by an earlier upload of the field (a page chosen while another was on its way) count too.
   */
  const tellProgress = (path) => {
    const shown = uploadShown.get(path);
    if (!shown || destroyed) return;
    const sent = shown.files.reduce((sum, f) => sum + Math.min(bytesSent.get(f) ?? 0, f.size), 0);
    const total = shown.files.reduce((sum, f) => sum + f.size, 0) || 1;
    const percent = Math.floor((sent * 100) / total);
    if (percent !== shown.percent) widget.uploadProgress(path, (shown.percent = percent));
  };

  /**
   * The files of a field the back end does not keep yet (`files`: their name, size and type in the
   * values): uploaded one by one, their references (or the failure) handed to the widget.
   */
  const attach = async ({ path, field, files: wanted }) => {
    // The chosen files the values name, in their order; the others were removed meanwhile.
    const pool = [...(chosenFiles.get(path) ?? [])];
    const take = (w) => {
      const i = pool.findIndex((f) => isNamed(f, w));
      return i < 0 ? undefined : pool.splice(i, 1)[0];
    };
    const files = wanted.map(take);
    chosenFiles.set(path, files.filter(Boolean));
    const run = (uploadRuns.get(path) ?? 0) + 1;
    uploadRuns.set(path, run);
    let references = null;
    uploadShown.set(path, { files: files.filter(Boolean), percent: 0 });
    try {
      if (!files.every(Boolean)) throw new Error(`tokhai: a file of ${path} is no longer at hand; it is to be chosen again`);
      references = [];
      for (const file of files) {
        if (!sentFiles.has(file)) {
          const sending = uploadFile(field, file, (sent) => {
            bytesSent.set(file, sent);
            tellProgress(path);
          });
          sentFiles.set(file, sending);
          sending.catch(() => sentFiles.delete(file));
        }
        references.push(await sentFiles.get(file));
        bytesSent.set(file, file.size);
      }
      // Kept by the back end: a later file of the same name and size is another file.
      chosenFiles.set(path, (chosenFiles.get(path) ?? []).filter((f) => !files.includes(f)));
    } catch (error) {
      references = null;
      dispatch('error', { error });
    }
    if (!destroyed && uploadRuns.get(path) === run) widget.uploaded(path, references?.join('\n'));
  };

  /**
   * POSTs a file's bytes to `<uploads>/<form_id>/<field>?name=<name>` (its type as the body's), retrying
   * network errors and 5xx a few times, telling `progress` the bytes sent; resolves to the back end's
   * reference (`upload` of the answer).
   */
  const uploadFile = async (field, file, progress) => {
    const url = new URL(`${String(options.uploads).replace(/\/$/, '')}/${encodeURIComponent(info.form_id)}/${encodeURIComponent(field)}`, doc.baseURI);
    url.search = new URLSearchParams({ name: file.name }).toString();
    const upload = async (attempt, last) => {
      const res = await post(url, file, progress);
      const answer = res ? await res.json().catch(() => null) : null;
      const ok = !!res?.ok && typeof answer?.upload === 'string' && /^[^\n]+$/.test(answer.upload);
      return { res, answer, ok, retry: !ok && (!res || retryable(res.status)) && !last && !destroyed };
    };
    const wait = (attempt, { res }) => sleep(retryAfter(res) ?? backoff(attempt, policy));
    const { res, answer, ok } = await withRetries(UPLOAD_ATTEMPTS, upload, wait);
    if (ok) return answer.upload;
    throw new Error(`tokhai: ${file.name} was not uploaded (${res ? res.status : 'network error'} ${answer?.error ?? ''})`);
  };

  // ----- drafts -----

  let info = null;
  let draftId = null;
  let saveTimer = null;
  let saving = Promise.resolve();

  // The same draft open in another tab of this browser: each tab's saves would overwrite the other's,
  // so both say so; once one files, the other stops saving (its draft would bring a filed form back).
  // (Another form of this page is not another tab.)
  const tabs = drafts && typeof BroadcastChannel === 'function' ? new BroadcastChannel('tokhai-drafts') : null;
  /** Tells the other tabs about this form's draft. */
  const tell = (message) => tabs?.postMessage({ ...message, draft: draftId, page: PAGE_ID });
  let elsewhere = false;
  let filedElsewhere = false;
  if (tabs) {
    tabs.onmessage = ({ data }) => {
      if (data?.draft !== draftId || data.page === PAGE_ID || done || destroyed) return;
      if (data.hello) tell({});
      if (data.filed !== undefined) {
        filedElsewhere = true;
        clearTimeout(saveTimer);
        widget.status('filed_elsewhere', data.filed || '—');
      } else if (!elsewhere && !filedElsewhere) {
        elsewhere = true;
        widget.status('open_elsewhere');
      }
    };
  }

  /** Saves the values as an encrypted draft now. */
  const saveDraft = () => {
    clearTimeout(saveTimer);
    saveTimer = null;
    if (!drafts || done || destroyed || restoring || filedElsewhere) return saving;
    const draft = { ...info, ruleset_hash: widget.rulesetHash(), values: JSON.parse(widget.values()), step, saved_at: Date.now() };
    draft.timing = { session: sessionId, events: JSON.parse(widget.timeline(false)).events };
    saving = saving
      .then(() => seal('drafts', draftId, draft))
      .then(() => {
        tell({});
        dispatch('draft', { saved_at: draft.saved_at });
      })
      .catch((error) => dispatch('error', { error }));
    draftWrites = Promise.all([draftWrites, saving]);
    return saving;
  };

  /** Saves the draft once the citizen pauses typing, or (`delay` 0) once the current task is over. */
  const saveSoon = (delay = options.draftDelay ?? 400) => {
    if (!drafts || done || restoring) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(saveDraft, delay);
  };

  // ----- sending, retrying, queueing -----

  /**
   * Tells the host and the citizen that the back end accepted the submission; `earlier`: it had received
   * another one of this filing (the first attempt, whose answer was lost), whose values it sent back.
   */
  const accepted = (submission, response, earlier = false) => {
    receipt = referenceOf(response) ?? '';
    done = true;
    queued = null;
    clearTimeout(saveTimer);
    if (drafts) {
      saving = saving.then(() => Promise.all([forget('outbox', draftId), forget('drafts', draftId)]));
    }
    tell({ filed: receipt });
    if (earlier && response.values) {
      replacing = true;
      widget.restore(JSON.stringify(response.values), undefined);
      replacing = false;
    }
    widget.receipt(receipt || undefined, receivedAtOf(response), earlier);
    dispatch('submitted', { submission, response, earlier });
    report(receipt || undefined);
    return { ok: true, submission, response };
  };

  /** Shows a final refusal (4xx) with its reasons, or the answer's own message. */
  const refused = (status, response) => {
    queued = null;
    if (drafts) forget('outbox', draftId);
    let issues = response?.issues ?? response?.reasons;
    if (!Array.isArray(issues)) {
      const code = response?.error ?? response?.code;
      issues = [code && response.message_vi ? { path: '', code: String(code), message_vi: response.message_vi, message_en: response.message_en ?? response.message_vi } : refusalOf(status)];
    }
    widget.refused(JSON.stringify(issues));
    // The national data the answers were checked against, when the form had none (its prefill had
    // failed): filled in and locked, and the refusal's reasons about it then go.
    if (response?.prefill) {
      try {
        widget.prefill(JSON.stringify(response.prefill));
        bundle = response.prefill;
        widget.status('prefill_applied');
      } catch (error) {
        dispatch('error', { error });
      }
    }
    dispatch('refused', { status, issues, response });
    return { ok: false, issues, response };
  };

  /**
   * POSTs the submission until the back end answers: retries network errors, 5xx, 408 and 429 with
   * exponential backoff (honouring Retry-After), waits for the connection when offline, and leaves the
   * submission queued in IndexedDB when the attempts run out.
   */
  const send = async (submission) => {
    const url = String(options.action);
    // Without national data's answer, the back end's answer tells its clock (before the receipt is timed).
    const answered = (res) => clock === null && readClock(res);
    let retrying = false;
    /** One try: its outcome's `result` is the filing's, unless it is to be tried again. */
    const tryOnce = async (attempt, last) => {
      if (destroyed) return { result: gone() };
      if (!navigator.onLine) {
        widget.status('offline');
        dispatch('queued', { offline: true });
        await online();
        if (destroyed) return { result: gone() };
        widget.status('sending');
        retrying = false;
      }
      if (attempt > 0) widget.retried();
      let res = null;
      try {
        res = await fetch(url, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(submission),
        });
      } catch {
        res = null;
      }
      if (res) answered(res);
      const response = res ? await res.json().catch(() => null) : null;
      if (destroyed) return { result: gone() };
      // Only JSON from the back end is a receipt: an expired login's redirect to a sign-in page, or any
      // other page, answers 200 too, and nothing was filed.
      if (res?.ok && isRecord(response)) return { result: accepted(submission, response) };
      if (res?.ok) return { result: refused(res.redirected ? 401 : res.status, null) };
      if (res?.status === 409 && response?.receipt) return { result: accepted(submission, response, true) };
      if (res && !retryable(res.status)) return { result: refused(res.status, response) };
      // Offline now: tried again once the connection is back, even after the last try.
      const offline = !navigator.onLine;
      return { res, offline, retry: offline || !last };
    };
    const wait = async (attempt, { res, offline }) => {
      if (offline) return;
      // Said once for all the attempts: a screen reader would hear every change of the line.
      if (!retrying) widget.status('retrying');
      retrying = true;
      await sleep(retryAfter(res) ?? backoff(attempt, policy));
    };
    const { result } = await withRetries(policy.attempts, tryOnce, wait);
    if (result) return result;
    widget.setBusy(false);
    if (!drafts) {
      widget.status('');
      widget.refused('[]');
      return { ok: false, queued: false, issues: [] };
    }
    widget.status('queued');
    queued = { submission };
    clearTimeout(resendTimer);
    resendTimer = setTimeout(resendIfQueued, policy.resendMs);
    dispatch('queued', { offline: false });
    return { ok: false, queued: true, issues: [] };
  };

  /** The outcome of a filing whose form was destroyed while it was sent: it stays in the outbox, if kept. */
  const gone = () => ({ ok: false, queued: drafts, issues: [], error: new Error('tokhai: this form was destroyed') });

  /**
   * Sends a valid submission to `options.action`, or waits for the host's submit handlers; `handle.sending`
   * and a second `submit()` meanwhile get this filing's outcome.
   */
  const deliver = async (submission, results) => {
    widget.setBusy(true);
    if (delivering) return delivering;
    const filing = options.action ? sendToAction(submission) : handOver(submission, results);
    delivering = filing.catch((error) => {
      if (!destroyed) widget.refused('[]');
      dispatch('error', { error });
      return { ok: false, issues: [], error };
    });
    try {
      return await delivering;
    } finally {
      delivering = null;
    }
  };

  /** Sends a submission to `options.action`, first kept in the outbox. */
  const sendToAction = async (submission) => {
    widget.status('sending');
    if (drafts) {
      await saveDraft();
      await seal('outbox', draftId, { submission, action: String(options.action), queued_at: Date.now() }).catch(() => {});
    }
    return send(submission);
  };

  /** The outcome of a submission the host's submit handlers send. */
  const handOver = async (submission, results) => {
    // Nothing would send it: say so rather than show a receipt for a filing never made.
    if (!handlers.get('submit')?.size) throw new Error("tokhai: no 'action' and no 'submit' handler: the submission was not sent");
    const answers = await Promise.all(results);
    if (destroyed) return gone();
    // The back end's answer is an object (or a promise of one); any other value (a counter's push) is none.
    return accepted(submission, answers.find(isRecord) ?? null);
  };

  // ----- timing -----

  /**
   * Milliseconds the filing is timed ahead of this computer's clock, once an answer of the portal told
   * the portal's: 0 when they differ by less than the core lets pass (a `Date` header is in whole seconds).
   */
  let clock = null;

  /** Times the filing by the clock of the back end that sent `res` (its `Date`, if it has one). */
  const readClock = (res) => {
    const offset = clockOffset(res);
    if (offset === null) return;
    clock = widget.setClockOffset(offset);
  };

  /**
   * Sends the timeline to the host's collector and tells the host the metrics. A page opened and left
   * untouched (nothing focused, changed or submitted) is no filing: its timeline is not sent.
   */
  const report = (dossierId) => {
    const metrics = JSON.parse(widget.metrics());
    dispatch('timing', metrics);
    if (!options.timingsEndpoint || !info) return;
    const timeline = widget.timeline(true);
    if (!timeline) return;
    const body = { form_id: info.form_id, session_id: sessionId, timeline: JSON.parse(timeline) };
    if (dossierId) body.dossier_id = dossierId;
    // By the clock the events are timed by: the collector reads any difference from its own.
    body.sent_at = Date.now() + (clock ?? 0);
    beacon(String(options.timingsEndpoint), body);
  };

  /** The citizen rated the filing: POST it, bound to the dossier. */
  const rate = async ({ rating, comment }) => {
    const body = { dossier_id: receipt, rating };
    if (comment) body.comment = comment;
    dispatch('rating', body);
    let ok = !options.satisfactionEndpoint;
    if (options.satisfactionEndpoint) {
      try {
        const res = await fetch(String(options.satisfactionEndpoint), {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(body),
        });
        ok = res.ok;
      } catch {
        ok = false;
      }
    }
    widget.rated(ok);
  };

  // ----- the browser's back and forward buttons -----

  /** Whether the browser's history follows the screens (the `history` option; never for the warm-up). */
  const followHistory = options.history !== false && idPrefix !== WARM_UP_PREFIX;
  /** Whether a screen shown now replaces the current history entry (the first screen, a back or forward press, a draft). */
  let replacing = false;
  /** Whether the first screen is in the history yet (from the task after mount: the first `replaceState` of a page can take milliseconds). */
  let inHistory = false;

  /**
   * Records screen `index` in the browser's history: a new entry for a screen the citizen went on to. An
   * entry holds the screen of every form of the page (by id prefix), so that two forms keep theirs.
   */
  const remember = (index) => {
    if (!followHistory || !inHistory) return;
    const state = { ...history.state, tokhai: { ...history.state?.tokhai, [idPrefix]: index } };
    if (replacing) history.replaceState(state, '');
    else history.pushState(state, '');
  };

  /** Back or forward to one of this form's entries: its screen (forward as the Next button goes). */
  const onPopState = (event) => {
    const at = event.state?.tokhai?.[idPrefix];
    if (destroyed || !Number.isInteger(at) || at === step) return;
    // After the receipt the filing's screens are behind the citizen: back leaves the form.
    if (done) return history.back();
    replacing = true;
    widget.showStep(at);
    // Where the widget is, should forward have stopped on errors.
    remember(step);
    replacing = false;
  };
  if (followHistory) addEventListener('popstate', onPopState);

  let widget;
  try {
    widget = new Widget(
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
  } catch (error) {
    // A form that cannot render (a catalogue it needs is missing) leaves nothing listening.
    removeEventListener('popstate', onPopState);
    element.removeEventListener('change', onFilesChosen, true);
    tabs?.close();
    throw error;
  }
  host.rendered?.();
  // The first screen is on; the other steps render in the next task, not before ready (the
  // warm-up's at once, in the same task as the rest of the warm-up).
  if (idPrefix === WARM_UP_PREFIX) widget.renderRest();
  else {
    nextTask().then(() => {
      if (destroyed) return;
      const start = performance.now();
      widget.renderRest();
      // A User Timing entry, for hosts and benchmarks that watch rendering.
      performance.measure?.('tokhai:later-steps', { start, end: performance.now() });
    });
  }
  nextTask().then(() => {
    inHistory = true;
    replacing = true;
    remember(step ?? 0);
    replacing = false;
  });
  info = JSON.parse(widget.info());
  // The language the citizen chose with the form's own switch comes back when the tab reloads (a host
  // that hides the switch owns the language).
  if (options.languageSwitch !== false) {
    const chosen = tabStorage('getItem', languageKey(info.form_id));
    if ((chosen === 'vi' || chosen === 'en') && chosen !== widget.language()) widget.setLanguage(chosen);
  }
  draftId = `${info.form_id}|${options.subject ?? ''}`;
  tell({ hello: true });
  // Looked up from the next task on (opening IndexedDB costs the first mount some 5 ms), and
  // applied once found (restoreDraft).
  // (After the drafts this page is still writing: a form removed and mounted again finds its last answer.)
  const earlier = drafts
    ? nextTask()
        .then(() => draftWrites)
        .then(() => Promise.all([unseal('drafts', draftId).catch(() => null), unseal('outbox', draftId).catch(() => null)]))
    : null;

  /** Applies the draft an earlier page left, once found; what the citizen typed meanwhile wins. */
  const restoreDraft = async () => {
    const [draft, pending] = earlier ? await earlier : [];
    if (destroyed) return;
    if (draft && !done) {
      // The same filing goes on: its timing too (a reload, or a visit the next day, is not another filing).
      // A draft whose timing cannot be read keeps its values; this visit is then timed as a filing of its own.
      if (typeof draft.timing?.session === 'string') {
        try {
          widget.continueTimeline(JSON.stringify(draft.timing.events));
          sessionId = draft.timing.session;
        } catch (error) {
          dispatch('error', { error });
        }
      }
      // Locked prefilled values come from the new bundle, never from the draft.
      const values = { ...draft.values };
      for (const [path, v] of Object.entries(bundle?.values ?? {})) if (v?.locked) delete values[path];
      for (const path of edited) delete values[path];
      const onStep = edited.size ? undefined : (draft.step ?? undefined);
      replacing = true;
      const dropped = JSON.parse(widget.restore(JSON.stringify(values), onStep));
      replacing = false;
      const definition_changed = draft.ruleset_hash !== widget.rulesetHash();
      dispatch('restored', { saved_at: draft.saved_at, dropped, definition_changed });
    }
    restoring = false;
    if (edited.size) saveSoon();
    if (pending?.submission && options.action && !done) {
      queued = pending;
      resend();
    }
  };

  let hiddenSent = false;
  const onHide = () => {
    if (hiddenSent) return;
    hiddenSent = true;
    widget.visibility(false);
    if (saveTimer) saveDraft();
    report(done ? receipt || undefined : undefined);
  };
  /**
   * The page is shown again (the tab, or the page back from the browser's cache): its step's time runs on,
   * and a tab left open overnight judges dates by the new day.
   */
  const onShow = () => {
    if (!hiddenSent) return;
    hiddenSent = false;
    widget.visibility(true);
    widget.setClockOffset(clock ?? 0);
  };
  const onVisibility = () => (doc.visibilityState === 'hidden' ? onHide() : onShow());
  const onPageHide = () => onHide();
  const onEdit = () => saveSoon();
  const resendIfQueued = () => {
    if (!delivering && !done && queued) resend();
  };
  doc.addEventListener('visibilitychange', onVisibility);
  addEventListener('pagehide', onPageHide);
  addEventListener('pageshow', onShow);
  addEventListener('online', resendIfQueued);
  element.addEventListener('input', onEdit);

  /** Sends again a submission left in the outbox (by an earlier page, or after the attempts ran out). */
  const resend = () => {
    const { submission } = queued;
    widget.setBusy(true);
    widget.status('resending');
    sending = (delivering = send(submission)).finally(() => {
      delivering = null;
    });
    return sending;
  };

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
      if (delivering) throw new Error('tokhai: a filing is being sent; prefill once it is settled');
      alive().prefill(text);
    },
    values: () => JSON.parse(alive().values()),
    validate() {
      const issues = JSON.parse(alive().validate());
      return { valid: issues.every((i) => i.severity !== 'error'), issues };
    },
    async submit() {
      alive();
      if (delivering) return delivering;
      sending = null;
      if (widget.submit() == null) return afterUploads ?? { ok: false, issues: lastIssues };
      return sending;
    },
    on(type, handler) {
      if (!handlers.has(type)) handlers.set(type, new Set());
      handlers.get(type).add(handler);
      return () => handlers.get(type)?.delete(handler);
    },
    setLanguage(lang) {
      if (alive().language() !== language(lang)) widget.setLanguage(language(lang));
    },
    get language() {
      return alive().language();
    },
    timeline: () => JSON.parse(alive().timeline(false)),
    timing: () => JSON.parse(alive().metrics()),
    saveDraft: () => saveDraft(),
    async discardDraft() {
      clearTimeout(saveTimer);
      if (drafts) await Promise.all([forget('drafts', draftId), forget('outbox', draftId)]);
    },
    get sending() {
      return delivering;
    },
    destroy() {
      if (destroyed) return;
      // The last answers, typed less than a pause ago, are kept (a single-page app's route changes at once).
      if (saveTimer) saveDraft();
      destroyed = true;
      if (adopted) holders.delete(element);
      host.released?.(handle);
      clearTimeout(saveTimer);
      clearTimeout(resendTimer);
      tabs?.close();
      doc.removeEventListener('visibilitychange', onVisibility);
      removeEventListener('pagehide', onPageHide);
      removeEventListener('pageshow', onShow);
      removeEventListener('online', resendIfQueued);
      removeEventListener('popstate', onPopState);
      element.removeEventListener('change', onFilesChosen, true);
      element.removeEventListener('click', onRemoveFile, true);
      element.removeEventListener('input', onEdit);
      widget.destroy();
      widget.free();
      handlers.clear();
    },
  };
  let bundle = null;
  if (options.prefill != null) {
    // Without prefill (not logged in, broker down) the citizen still gets an empty form.
    // Slow national data gets a notice; no answer within PREFILL_TIMEOUT leaves the form to the citizen.
    const slow = setTimeout(() => widget.status('prefill_loading'), PREFILL_NOTICE_AFTER);
    // The bundle comes fresh from the portal, whose clock also timed the login.
    await jsonText(options.prefill, PREFILL_TIMEOUT, readClock)
      .then((text) => {
        widget.prefill(text);
        bundle = JSON.parse(text);
        widget.status('');
      })
      .catch((error) => {
        widget.status('prefill_failed');
        dispatch('error', { error });
      })
      .finally(() => clearTimeout(slow));
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
  dispatch('ready', null);
  for (const [type, detail] of told) dispatch(type, detail);
  // The draft lookup (IndexedDB, WebCrypto) started at render runs on after the form is ready.
  handle.restored = restoreDraft().catch((error) => dispatch('error', { error }));
  return handle;
}

/**
 * `<tokhai-form src lang catalogs prefill action uploads today timings-endpoint satisfaction-endpoint login-at
 * subject drafts language-switch history>`: the widget as a custom element.
 */
export class TokhaiFormElement extends HTMLElement {
  static observedAttributes = [
    'lang', 'src', 'catalogs', 'prefill', 'action', 'uploads', 'today', 'timings-endpoint', 'satisfaction-endpoint',
    'login-at', 'subject', 'drafts', 'language-switch', 'history',
  ];
  #handle = null;
  #ready = null;
  /** `ready` asked for before the element is in the page: settled once it is and its form is ready. */
  #waiting = null;
  /** Whether the form starts at the end of this task (once the host has set all its attributes). */
  #soon = false;

  /**
   * Resolves to the mounted form's handle (rejects while the element has no `src`); asked for before the
   * element is in the page, once it is.
   */
  get ready() {
    if (this.#ready) return this.#ready;
    if (!this.getAttribute('src')) return Promise.reject(new Error('tokhai: <tokhai-form> has no src yet'));
    if (this.isConnected && !this.#soon) return this.#start();
    if (!this.#waiting) {
      const waiting = {};
      waiting.promise = new Promise((ok, fail) => Object.assign(waiting, { ok, fail }));
      this.#waiting = waiting;
    }
    return this.#waiting.promise;
  }

  /** The handle, once mounted. */
  get handle() {
    return this.#handle;
  }

  connectedCallback() {
    this.#startSoon();
  }

  disconnectedCallback() {
    // Moved within the page (disconnected, then connected again at once): the form and its answers stay.
    queueMicrotask(() => this.isConnected || this.#stop());
  }

  attributeChangedCallback(name, old, value) {
    if (old === value) return;
    // A language set while the form loads is applied once it is ready.
    if (name === 'lang') return this.#handle?.setLanguage(value);
    // The others are read at mount: the form starts again with them (another citizen signed in, another
    // endpoint), its draft kept, once the task has set them all (a framework sets them one by one).
    this.#stop();
    if (this.isConnected) this.#startSoon();
  }

  /** Starts the form once the current task is over, if the element is still in the page with a `src`. */
  #startSoon() {
    if (this.#soon) return;
    this.#soon = true;
    queueMicrotask(() => {
      this.#soon = false;
      if (this.#ready || !this.getAttribute('src')) return;
      if (!this.isConnected) {
        // Asked for while in the page, removed before it started.
        this.#waiting?.fail(new Error(GIVEN_UP));
        this.#waiting = null;
        return;
      }
      const ready = this.#start();
      ready.catch(() => {});
      if (this.#waiting) {
        ready.then(this.#waiting.ok, this.#waiting.fail);
        this.#waiting = null;
      }
    });
  }

  /** Unmounts the form (or gives up the one loading). */
  #stop() {
    this.#handle?.destroy();
    this.#handle = null;
    this.#ready = null;
  }

  #start() {
    // What a copy of another element (cloneNode) brought along is no form.
    this.replaceChildren();
    const attr = (n) => this.getAttribute(n) ?? undefined;
    // The language the form starts in (a citizen's earlier choice in this tab may win over it).
    const asked = this.getAttribute('lang');
    const host = {
      // Wanted while this element is in the page and still asks for this src.
      wanted: () => this.#ready === ready && this.isConnected,
      /** The form is ready: held, with the language asked for meanwhile. */
      adopt: (handle) => {
        this.#handle = handle;
        if (this.hasAttribute('lang') && this.getAttribute('lang') !== asked) handle.setLanguage(this.getAttribute('lang'));
        // The attribute follows the built-in language switch.
        handle.on('language', ({ lang }) => {
          if (this.hasAttribute('lang') && language(this.getAttribute('lang')) !== lang) this.setAttribute('lang', lang);
        });
      },
      /** The host destroyed the handle itself: the element holds no form (until `ready` or a new `src`). */
      released: (handle) => {
        if (this.#handle !== handle) return;
        this.#handle = null;
        this.#ready = null;
      },
    };
    const options = {
      lang: attr('lang'),
      catalogs: attr('catalogs'),
      prefill: attr('prefill'),
      action: attr('action'),
      uploads: attr('uploads'),
      today: attr('today'),
      languageSwitch: this.getAttribute('language-switch') !== 'off',
      timingsEndpoint: attr('timings-endpoint'),
      satisfactionEndpoint: attr('satisfaction-endpoint'),
      loginAt: Number(this.getAttribute('login-at')) || undefined,
      subject: attr('subject'),
      drafts: this.getAttribute('drafts') !== 'off',
      history: this.getAttribute('history') !== 'off',
    };
    const ready = mountIn(this, attr('src'), options, host).catch((error) => {
      // A form given up (removed, or another src) fails quietly; one that could not load says so.
      if (this.#ready === ready) {
        const p = this.ownerDocument.createElement('p');
        p.className = 'tk-load-error';
        p.setAttribute('role', 'alert');
        p.textContent = 'Không tải được biểu mẫu. / The form could not be loaded.';
        this.replaceChildren(p);
        this.dispatchEvent(new CustomEvent('tokhai-error', { detail: { error }, bubbles: true, composed: true }));
      }
      throw error;
    });
    this.#ready = ready;
    return ready;
  }
}

if (typeof customElements !== 'undefined' && !customElements.get('tokhai-form')) {
  customElements.define('tokhai-form', TokhaiFormElement);
}
