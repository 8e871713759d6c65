// Talking to the back end: JSON fetched with a timeout, a POST that tells its progress, retries with backoff.
import { isUrl } from './util.js';

/** Milliseconds a definition or catalogue may take to arrive before it is given up. */
const LOAD_TIMEOUT = 30000;

/** JSON text from a URL (fetched, given up after `timeout` ms; `answered` is told its response) or an object. */
export function jsonText(source, timeout = LOAD_TIMEOUT, answered = () => {}) {
  return json(source, timeout, answered, false);
}

/** As `jsonText`, its UTF-8 bytes: a large catalogue goes to the wasm without being decoded and encoded again. */
export function jsonBytes(source) {
  return json(source, LOAD_TIMEOUT, () => {}, true);
}

/** The JSON of `source` as text, or as UTF-8 bytes with `bytes`. */
async function json(source, timeout, answered, bytes) {
  if (isUrl(source)) {
    const signal = AbortSignal.timeout(timeout);
    try {
      const res = await fetch(source, { credentials: 'same-origin', headers: { Accept: 'application/json' }, signal });
      if (!res.ok) throw Object.assign(new Error(`tokhai: ${source} answered ${res.status}`), { status: res.status });
      answered(res);
      return bytes ? new Uint8Array(await res.arrayBuffer()) : await res.text();
    } catch (error) {
      if (error?.status) throw error;
      // The browser says only "Failed to fetch": which URL is the host's to know.
      const why = error?.name === 'TimeoutError' ? `did not answer within ${timeout / 1000} s` : `could not be fetched (${error?.message ?? error})`;
      throw new Error(`tokhai: ${source} ${why}`, { cause: error });
    }
  }
  return objectJson(source, bytes);
}

/** The JSON of an object as text, or as UTF-8 bytes with `bytes`; refused when `source` has none. */
export function objectJson(source, bytes) {
  const text = JSON.stringify(source);
  if (text === undefined) throw new Error(`tokhai: expected an object or a URL, got ${typeof source}`);
  return bytes ? new TextEncoder().encode(text) : text;
}

/**
 * The URL of endpoint `base` (relative to `doc`) with `segments` added to its path and `params` to its
 * query: a query the portal put in it (a CSRF token) stays.
 */
export function endpoint(base, doc, segments, params) {
  const url = new URL(String(base), doc.baseURI);
  url.pathname = url.pathname.replace(/\/$/, '') + segments.map((s) => `/${encodeURIComponent(s)}`).join('');
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}

/** Waits `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when the browser says it is online again. */
export function online() {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve) => addEventListener('online', resolve, { once: true }));
}

/** Whether a status is worth retrying: the server or the way to it failed, or asked to wait. */
export const retryable = (status) => status >= 500 || status === 408 || status === 429;

/** The delay a `Retry-After` header asks for, in ms (seconds or an HTTP date), if any. */
export function retryAfter(res) {
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
export function post(url, body, progress) {
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
export const RETRY = { attempts: 8, baseMs: 500, capMs: 30000, resendMs: 60000 };

/** The wait before retry number `n` (0-based). */
export function backoff(n, policy) {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** n);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Tries something until it settles: `attempt(n, last)` (n = 0, 1, …; `last` from try number `attempts`
 * on) resolves to an outcome, final unless its `retry` is set, and `wait(n, outcome)` runs before the
 * next try. Resolves to the final outcome. Each caller says what is worth another try, and whether the
 * last try may still ask for one.
 */
export async function withRetries(attempts, attempt, wait) {
  for (let n = 0; ; n++) {
    const outcome = await attempt(n, n + 1 >= attempts);
    if (!outcome.retry) return outcome;
    await wait(n, outcome);
  }
}
