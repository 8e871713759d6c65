// The JS face of tokhai: loads the wasm widget, exports `mount` and defines <tokhai-form>.
// No eval, no inline script or style: it runs under `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`.
import init, { CatalogSet, Widget } from './tokhai_web.js';

let loading = null;

/** Loads the wasm module once (optionally from another URL). */
export function load(wasm) {
  loading ??= init({ module_or_path: wasm ?? new URL('./tokhai_web_bg.wasm', import.meta.url) });
  return loading;
}

let styles = null;

/** Adds the widget's stylesheet to the document once; resolves when it has loaded. */
function addStyles(doc, href) {
  if (styles) return styles;
  const url = String(href ?? new URL('./tokhai.css', import.meta.url));
  if (doc.querySelector('link[data-tokhai]')) return (styles = Promise.resolve());
  const link = doc.createElement('link');
  link.rel = 'stylesheet';
  link.href = url;
  link.dataset.tokhai = '';
  styles = new Promise((resolve) => {
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', resolve, { once: true });
  });
  doc.head.append(link);
  return styles;
}

/** JSON text from a URL (fetched) or an object. */
async function jsonText(source) {
  if (typeof source === 'string' || source instanceof URL) {
    const res = await fetch(source, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(`tokhai: ${source} answered ${res.status}`);
    return res.text();
  }
  return JSON.stringify(source);
}

const byUrl = new Map();
const byObject = new WeakMap();
let noCatalogs = null;

/**
 * Parses options catalogues once (URL or object; an admin-units file or lists by name) and keeps
 * them for every later mount with the same source. `mount` calls it; call it early to preload.
 */
export async function loadCatalogs(source) {
  await load();
  if (source == null) return (noCatalogs ??= new CatalogSet(undefined));
  if (typeof source === 'string' || source instanceof URL) {
    const url = String(new URL(source, document.baseURI));
    if (!byUrl.has(url)) {
      const parsed = jsonText(url).then((text) => new CatalogSet(text));
      parsed.catch(() => byUrl.delete(url));
      byUrl.set(url, parsed);
    }
    return byUrl.get(url);
  }
  if (!byObject.has(source)) byObject.set(source, new CatalogSet(JSON.stringify(source)));
  return byObject.get(source);
}

/** Today's date in the citizen's time zone, as yyyy-mm-dd. */
function localToday() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A random idempotency key (32 hex digits) for one filing. */
function randomKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The reference in a back end's receipt, if any. */
function referenceOf(body) {
  const ref = body?.receipt?.id ?? body?.receipt?.reference ?? body?.reference ?? body?.id;
  return ref == null ? undefined : String(ref);
}

/**
 * Mounts a form in an element and resolves to its handle.
 * `definition`: the definition object or its URL. See index.d.ts for the options and events.
 */
export async function mount(element, definition, options = {}) {
  const doc = element.ownerDocument;
  const [, defText, catalogs] = await Promise.all([
    load(options.wasm),
    jsonText(definition),
    loadCatalogs(options.catalogs),
    options.styles === false ? null : addStyles(doc, options.styles),
  ]);
  const handlers = new Map();
  let lastIssues = [];
  let sending = null;

  const dispatch = (type, detail) => {
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
    const results = dispatch(type, detail);
    if (type === 'submit') sending = deliver(detail, results);
  };

  /** Sends a valid submission to `options.action`, or waits for the host's submit handlers. */
  const deliver = async (submission, results) => {
    widget.setBusy(true);
    try {
      if (!options.action) {
        const answers = await Promise.all(results);
        const response = answers.find((a) => a != null) ?? null;
        widget.receipt(referenceOf(response));
        dispatch('submitted', { submission, response });
        return { ok: true, submission, response };
      }
      const res = await fetch(options.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(submission),
      });
      const response = await res.json().catch(() => null);
      if (res.ok) {
        widget.receipt(referenceOf(response));
        dispatch('submitted', { submission, response });
        return { ok: true, submission, response };
      }
      const issues = response?.issues ?? response?.reasons ?? [];
      widget.refused(JSON.stringify(Array.isArray(issues) ? issues : []));
      dispatch('refused', { status: res.status, issues, response });
      return { ok: false, issues };
    } catch (error) {
      widget.refused('[]');
      dispatch('error', { error });
      return { ok: false, issues: [], error };
    }
  };

  const widget = new Widget(
    element,
    defText,
    catalogs,
    JSON.stringify({
      lang: options.lang === 'en' ? 'en' : 'vi',
      today: options.today ?? localToday(),
      languageSwitch: options.languageSwitch !== false,
      idempotencyKey: randomKey(),
      loginAt: options.loginAt,
    }),
    emit,
  );
  const onVisibility = () => doc.visibilityState === 'hidden' && widget.hidden();
  doc.addEventListener('visibilitychange', onVisibility);

  const handle = {
    element,
    async prefill(bundle) {
      widget.prefill(await jsonText(bundle));
    },
    values: () => JSON.parse(widget.values()),
    validate() {
      const issues = JSON.parse(widget.validate());
      return { valid: issues.every((i) => i.severity !== 'error'), issues };
    },
    async submit() {
      sending = null;
      if (widget.submit() == null) return { ok: false, issues: lastIssues };
      return sending;
    },
    on(type, handler) {
      if (!handlers.has(type)) handlers.set(type, new Set());
      handlers.get(type).add(handler);
      return () => handlers.get(type).delete(handler);
    },
    setLanguage: (lang) => widget.setLanguage(lang === 'en' ? 'en' : 'vi'),
    get language() {
      return widget.language();
    },
    timeline: () => JSON.parse(widget.timeline()),
    destroy() {
      doc.removeEventListener('visibilitychange', onVisibility);
      widget.destroy();
      widget.free();
      handlers.clear();
    },
  };
  if (options.prefill != null) {
    // Without prefill (not logged in, broker down) the citizen still gets an empty form.
    await handle.prefill(options.prefill).catch((error) => dispatch('error', { error }));
  }
  return handle;
}

/** `<tokhai-form src lang catalogs prefill action today>`: the widget as a custom element. */
export class TokhaiFormElement extends HTMLElement {
  static observedAttributes = ['lang', 'src'];
  #handle = null;
  #ready = null;

  /** Resolves to the mounted form's handle. */
  get ready() {
    return this.#ready ?? this.#start();
  }

  /** The handle, once mounted. */
  get handle() {
    return this.#handle;
  }

  connectedCallback() {
    if (!this.#ready && this.getAttribute('src')) this.#start().catch(() => {});
  }

  disconnectedCallback() {
    this.#handle?.destroy();
    this.#handle = null;
    this.#ready = null;
  }

  attributeChangedCallback(name, old, value) {
    if (old === value || !this.#handle) return;
    if (name === 'lang') this.#handle.setLanguage(value);
    if (name === 'src') {
      this.disconnectedCallback();
      this.connectedCallback();
    }
  }

  #start() {
    const attr = (n) => this.getAttribute(n) ?? undefined;
    this.#ready = mount(this, attr('src'), {
      lang: attr('lang'),
      catalogs: attr('catalogs'),
      prefill: attr('prefill'),
      action: attr('action'),
      today: attr('today'),
      languageSwitch: this.getAttribute('language-switch') !== 'off',
    }).then(
      (handle) => {
        if (!this.isConnected) {
          handle.destroy();
          return handle;
        }
        this.#handle = handle;
        return handle;
      },
      (error) => {
        const p = this.ownerDocument.createElement('p');
        p.className = 'tk-load-error';
        p.setAttribute('role', 'alert');
        p.textContent = 'Không tải được biểu mẫu. / The form could not be loaded.';
        this.replaceChildren(p);
        this.dispatchEvent(new CustomEvent('tokhai-error', { detail: { error }, bubbles: true, composed: true }));
        throw error;
      },
    );
    return this.#ready;
  }
}

if (typeof customElements !== 'undefined' && !customElements.get('tokhai-form')) {
  customElements.define('tokhai-form', TokhaiFormElement);
}
