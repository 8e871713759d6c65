// `mount`: checks the element and the options, shows a loading line, adds the stylesheet, then starts the form.
import { ANY_HOST, GIVEN_UP, holders, start, TAKEN } from './form.js';
import { draftKeyBytes } from './drafts.js';
import { compileForm, load, loadCatalogs } from './load.js';
import { RETRY } from './http.js';
import { askBundle } from './prefill.js';
import { isUrl, language } from './util.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof URL);
const isBoolean = (v) => typeof v === 'boolean';
const isMs = (v) => Number.isFinite(v) && v >= 0;
/** A day of the calendar written yyyy-mm-dd (not 2025-02-30). */
const isDay = (v) => {
  const day = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(`${v}T00:00:00Z`) : null;
  return day !== null && !Number.isNaN(day.getTime()) && day.toISOString().startsWith(v);
};
const A_URL = 'a URL';
const TRUE_OR_FALSE = 'true or false';

/** An attribute's text as it is. */
const asText = (v) => v;
/** A switch attribute: on (`on`, `true`, empty) or off (`off`, `false`); another word is left to be refused. */
const SWITCH = new Map([['on', true], ['true', true], ['', true], ['off', false], ['false', false]]);
const asSwitch = (v) => SWITCH.get(v.toLowerCase()) ?? v;
/** A number attribute: its digits as a number; anything else is left to be refused. */
const asNumber = (v) => (/^\d+$/.test(v.trim()) ? Number(v) : v);

/**
 * The options `mount` understands (`MountOptions` in index.d.ts): what each must be, how that is said when
 * it is not (a value of another type would be misread without a word: drafts 'off' kept drafts), and how
 * `<tokhai-form>` reads it from its attribute, if it has one.
 */
const OPTIONS = {
  lang: [(v) => typeof v === 'string', 'a language tag ("vi" or "en")', asText],
  catalogs: [(v) => isUrl(v) || isObject(v), 'a URL or an object of catalogues', asText],
  prefill: [(v) => isUrl(v) || isObject(v), 'a URL or a prefill bundle', asText],
  action: [isUrl, A_URL, asText],
  uploads: [isUrl, A_URL, asText],
  today: [isDay, 'a date written yyyy-mm-dd', asText],
  timingsEndpoint: [isUrl, A_URL, asText],
  satisfactionEndpoint: [isUrl, A_URL, asText],
  // From 2001 on: a login time in seconds (a JWT's iat, OpenID's auth_time) would be taken for 1970.
  loginAt: [(v) => Number.isFinite(v) && v >= 1e12, 'the login time in milliseconds since 1970, a number (as Date.now() gives; not seconds)', asNumber],
  subject: [(v) => typeof v === 'string', 'a string', asText],
  draftKey: [(v) => draftKeyBytes(v) !== null, "the citizen's key of 32 bytes in base64url (43 characters), as the portal gives it", asText],
  drafts: [isBoolean, TRUE_OR_FALSE, asSwitch],
  languageSwitch: [isBoolean, TRUE_OR_FALSE, asSwitch],
  history: [isBoolean, TRUE_OR_FALSE, asSwitch],
  satisfaction: [isBoolean, TRUE_OR_FALSE],
  styles: [(v) => v === false || isUrl(v), 'a stylesheet URL, or false'],
  wasm: [isUrl, A_URL],
  draftDelay: [isMs, 'milliseconds, a number ≥ 0'],
  retry: [
    (v) => isObject(v) && Object.entries(v).every(([k, ms]) => Object.hasOwn(RETRY, k) && isMs(ms)),
    `an object of numbers ≥ 0 among ${Object.keys(RETRY).join(', ')}`,
  ],
};

/** The attribute of `<tokhai-form>` an option comes from (`loginAt`: `login-at`). */
const attributeOf = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The options given by attributes, by their attributes' names. */
const BY_ATTRIBUTE = new Map(
  Object.entries(OPTIONS)
    .filter(([, [, , read]]) => read)
    .map(([name, [, , read]]) => [attributeOf(name), [name, read]]),
);

/** The attributes of `<tokhai-form>` that give options. */
export const OPTION_ATTRIBUTES = [...BY_ATTRIBUTE.keys()];

/**
 * The options an element's attributes give (those it has), for `mount`. An empty one is none (a template
 * that fills `login-at="{{loginAt}}"` for a visitor not logged in), but a switch's, which is on.
 */
export function optionsOf(element) {
  const options = {};
  for (const [attribute, [name, read]] of BY_ATTRIBUTE) {
    const value = element.getAttribute(attribute);
    if (value !== null && (value !== '' || read === asSwitch)) options[name] = read(value);
  }
  return options;
}

/** Options whose value is the citizen's secret: a refusal never repeats it (a page's errors reach logs). */
const SECRET = new Set(['draftKey']);

/** What a wrong value is, for the error that refuses it: the value itself when short, else its type. */
const described = (name, v) => {
  const kind = Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
  if (SECRET.has(name)) return typeof v === 'string' ? `a string of ${v.length} characters` : kind;
  const text = ['function', 'symbol', 'bigint'].includes(typeof v) ? undefined : JSON.stringify(v);
  return text !== undefined && text.length <= 60 ? text : kind;
};

/** Refuses an option of the wrong type (TypeError), and names an unknown one in a console warning. */
function checkOptions(options) {
  for (const [name, value] of Object.entries(options)) {
    if (!Object.hasOwn(OPTIONS, name)) {
      console.warn(`tokhai: unknown option '${name}' (ignored)`);
      continue;
    }
    const [fits, expected] = OPTIONS[name];
    if (value !== undefined && !fits(value)) {
      const attribute = OPTIONS[name][2] ? ` (attribute ${attributeOf(name)})` : '';
      throw new TypeError(`tokhai: ${name}${attribute} must be ${expected}, not ${described(name, value)}`);
    }
  }
}

/**
 * Mounts a form in an element (or the first the selector `element` matches) and resolves to its handle.
 * `definition`: the definition object or its URL. See index.d.ts for the options and events.
 */
export async function mount(element, definition, options) {
  if (typeof element !== 'string') return mountIn(element, definition, options ?? {});
  const found = document.querySelector(element);
  if (!found) throw new TypeError(`tokhai: no element matches '${element}' to render the form in`);
  return mountIn(found, definition, options ?? {});
}

/**
 * `mount`, for a `host` that may stop wanting the form while it loads (`host.wanted()`: a form no
 * longer wanted is not rendered, or is destroyed, and the promise rejects) and takes the handle
 * (`host.adopt(handle)`) once the form is ready, before its `ready` event.
 */
export async function mountIn(element, definition, options, host = ANY_HOST) {
  if (element?.nodeType !== 1) throw new TypeError('tokhai: mount needs an element to render the form in');
  if (holders.has(element)) throw new Error(TAKEN);
  if (!isObject(options)) throw new TypeError(`tokhai: mount's options must be an object, not ${described('', options)}`);
  checkOptions(options);
  load(options.wasm);
  // National data is asked for while the module loads: on a phone, one round trip less before the form is ready.
  const bundle = isUrl(options.prefill) ? askBundle(options.prefill) : undefined;
  const loaded = loadingNotice(element, options.lang);
  try {
    const [form, catalogs] = await Promise.all([
      compileForm(definition),
      loadCatalogs(options.catalogs),
      options.styles === false ? null : addStyles(element, options.styles),
    ]);
    if (!host.wanted()) throw new Error(GIVEN_UP);
    // The loading line goes once the form shows, not once it is prefilled (ready).
    return await start(element, form, catalogs, options, { ...host, rendered: loaded, bundle });
  } finally {
    loaded();
  }
}

/** Milliseconds of loading before the citizen is told the form is on its way (a fast load shows nothing). */
const LOADING_NOTICE_AFTER = 300;

/**
 * In an empty host, a status line that says the form is loading once loading takes a while (on a slow
 * phone connection the module alone takes seconds); returns the function that removes it. The line is
 * added empty once loading waits for a task (a form whose module and definition are loaded mounts at
 * once, without it), so that it is heard when its words come.
 */
function loadingNotice(element, lang) {
  if (element.childElementCount) return () => {};
  const notice = element.ownerDocument.createElement('p');
  notice.className = 'tk-loading';
  notice.setAttribute('role', 'status');
  const added = setTimeout(() => element.append(notice));
  const timer = setTimeout(() => {
    notice.textContent = language(lang) === 'en' ? 'Loading the form…' : 'Đang tải biểu mẫu…';
  }, LOADING_NOTICE_AFTER);
  return () => {
    clearTimeout(added);
    clearTimeout(timer);
    notice.remove();
  };
}

/** The stylesheet added to each root (the document, or a shadow root the form is in): resolves when loaded. */
const styles = new WeakMap();

/**
 * Adds the widget's stylesheet once to the root `element` is in: the document's head, or the shadow
 * root of a host's own custom element (the document's styles do not reach into it); none where the page
 * already has it (linked, or bundled under any name): one added after the host's own rules would undo them.
 */
function addStyles(element, href) {
  const found = element.getRootNode();
  const root = found instanceof ShadowRoot ? found : element.ownerDocument;
  if (styles.has(root)) return styles.get(root);
  if (root.querySelector('link[data-tokhai]') || styled(element)) {
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

/** Whether the widget's stylesheet styles what `element` holds: it marks `.tk` with `--tk-stylesheet`. */
function styled(element) {
  const probe = element.ownerDocument.createElement('div');
  probe.className = 'tk';
  probe.hidden = true;
  element.append(probe);
  const marked = getComputedStyle(probe).getPropertyValue('--tk-stylesheet') !== '';
  probe.remove();
  return marked;
}
