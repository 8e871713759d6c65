// `mount`: checks the element and the options, shows a loading line, adds the stylesheet, then starts the form.
import { ANY_HOST, GIVEN_UP, holders, start, TAKEN } from './form.js';
import { draftKeyBytes } from './drafts.js';
import { compileForm, load, loadCatalogs } from './load.js';
import { language } from './util.js';

/** The options `mount` understands (`MountOptions` in index.d.ts). */
const OPTIONS = new Set([
  'lang', 'catalogs', 'prefill', 'action', 'today', 'languageSwitch', 'styles', 'wasm', 'loginAt',
  'timingsEndpoint', 'satisfactionEndpoint', 'satisfaction', 'drafts', 'subject', 'draftKey', 'draftDelay', 'retry', 'uploads',
  'history',
]);

/**
 * Mounts a form in an element and resolves to its handle.
 * `definition`: the definition object or its URL. See index.d.ts for the options and events.
 */
export function mount(element, definition, options) {
  return mountIn(element, definition, options ?? {});
}

/**
 * `mount`, for a `host` that may stop wanting the form while it loads (`host.wanted()`: a form no
 * longer wanted is not rendered, or is destroyed, and the promise rejects) and takes the handle
 * (`host.adopt(handle)`) once the form is ready, before its `ready` event.
 */
export async function mountIn(element, definition, options, host = ANY_HOST) {
  if (element?.nodeType !== 1) throw new TypeError('tokhai: mount needs an element to render the form in');
  if (holders.has(element)) throw new Error(TAKEN);
  // A misspelt option would otherwise be ignored without a word.
  for (const name of Object.keys(options)) if (!OPTIONS.has(name)) console.warn(`tokhai: unknown option '${name}' (ignored)`);
  if (options.draftKey !== undefined && !draftKeyBytes(options.draftKey)) {
    throw new TypeError("tokhai: draftKey is the citizen's key of 32 bytes in base64url (43 characters), as the portal gives it");
  }
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
