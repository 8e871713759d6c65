// One mounted form: the widget, its events and its handle, its drafts, sending, uploads, history and timing.
import { Widget } from './tokhai_web.js';
import { backoff, jsonText, online, post, RETRY, retryable, retryAfter, sleep, withRetries } from './http.js';
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

/** Widgets mounted so far, for unique id prefixes. */
let mounted = 0;

/**
 * Mounts a compiled form (`host`: as in `mountIn`; `idPrefix`: the prefix of element ids, by default
 * one per mount).
 */
export async function start(element, form, catalogs, options, host, idPrefix = `tk${++mounted}-`) {
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
