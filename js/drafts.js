// Drafts and the outbox, sealed in IndexedDB (AES-GCM, a key never read): a form's draft saved, restored, told to other tabs.
// A citizen's drafts are sealed with their own key when the portal gives it (`draftKey`): on a computer
// others use, the next citizen's page cannot open them.
import { nextTask, randomId } from './util.js';

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

/** The citizens' own keys, imported once each, by their text. */
const citizenKeys = new Map();

/** The bytes of a citizen's draft key as the portal gives it (base64url of 32 bytes), or `null`. */
export function draftKeyBytes(text) {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  return Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='), (c) => c.charCodeAt(0));
}

/** The key of a form's drafts: the citizen's own (`options.draftKey`), else the browser's for the site. */
function keyOf(options) {
  if (options.draftKey === undefined) return draftKey();
  let key = citizenKeys.get(options.draftKey);
  if (!key) {
    const raw = draftKeyBytes(options.draftKey);
    key = crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    citizenKeys.set(options.draftKey, key);
  }
  return key;
}

/** Encrypts a value with `key` and stores it (fresh 96-bit IV each time). */
async function seal(store, id, value, key) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const plain = new TextEncoder().encode(JSON.stringify(value));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await key, plain);
  await idb(store, 'readwrite', (s) => s.put({ iv, data }, id));
}

/** Reads and decrypts a stored value with `key`; `null` if none or unreadable (then it is removed). */
async function unseal(store, id, key) {
  const record = await idb(store, 'readonly', (s) => s.get(id));
  if (!record) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: record.iv }, await key, record.data);
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

/** How many times the drafts were cleared: a form mounted before the last clear saves nothing more. */
let clears = 0;

/**
 * Forgets every draft and waiting filing this browser keeps for the site, and the site's key: for a
 * portal's logout, so that the next person on the computer finds nothing of the citizen's. The forms on
 * the page save no more (a single-page app unmounts them after: their last answers are not kept).
 */
export async function clearDrafts() {
  if (typeof indexedDB === 'undefined') return;
  clears++;
  await draftWrites;
  await Promise.all(['drafts', 'outbox', 'keys'].map((store) => idb(store, 'readwrite', (s) => s.clear())));
  aesKey = null;
}

/** The drafts the forms of this page keep: two forms with one draft would overwrite each other's answers. */
const openDrafts = new Set();

/** This page's identifier among the tabs of the browser. */
const PAGE_ID = randomId();

/**
 * The draft of the form in `element` and its filing in the outbox, when `options.drafts` allows and the
 * browser can (`enabled`). Saved as the citizen answers, restored once the form is mounted (`open`, then
 * `restore`): `timing` keeps the filing's session in it, `screens` its screen, and the locked values of
 * `prefill`'s bundle are never a draft's.
 */
export function drafts(element, widget, options, dispatch, { timing, screens, prefill, carried }) {
  // Whether the browser has IndexedDB, asked without reading it: a page's first read makes its database
  // factory, which costs the first mount up to 0.8 ms; the lookup from the next task on makes it.
  const enabled = options.drafts !== false && 'indexedDB' in globalThis && !!crypto.subtle;
  /** The drafts cleared (a logout) since the form was mounted: it keeps nothing more. */
  const clearsBefore = clears;
  const cleared = () => clears !== clearsBefore;
  let info = null;
  let draftId = null;
  let saveTimer = null;
  /** When the save `saveTimer` waits for begins (ms). */
  let saveAt = 0;
  let saving = Promise.resolve();
  /** Whether a save is on its way (sealed, then written). */
  let writing = false;
  /** The one save that waits for the one on its way, taking every change made meanwhile. */
  let pending = null;
  let done = false;
  let destroyed = false;
  /** The draft and outbox entry an earlier page left, once looked up (`open`). */
  let earlier = null;
  // Drafts are saved once the form is mounted and any earlier draft restored.
  let restoring = true;
  /** Whether this filing has a draft (saved or restored here): its timeline is kept up to date in it. */
  let kept = false;
  /** Paths the citizen changed before the earlier draft was restored. */
  const edited = new Set();

  // The same draft open in another tab of this browser: each tab's saves would overwrite the other's,
  // so both say so; once one files, the other stops saving (its draft would bring a filed form back).
  // (Another form of this page is not another tab.) The channel is joined from the next task on (`open`):
  // a page's first one costs its first mount some 1 ms.
  const joins = enabled && typeof BroadcastChannel === 'function';
  let tabs = null;
  /** Tells the other tabs about this form's draft. */
  const tell = (message) => tabs?.postMessage({ ...message, draft: draftId, page: PAGE_ID });
  /** The other tabs holding this draft, by page. */
  const others = new Set();
  let elsewhere = false;
  let filedElsewhere = false;
  /** This page goes (a tab closed, or the form), or comes back from the browser's cache. */
  let gone = false;
  const bye = () => {
    gone = true;
    tell({ bye: true });
  };
  const hello = () => {
    gone = false;
    tell({ hello: true });
  };
  if (joins) {
    addEventListener('pagehide', bye);
    addEventListener('pageshow', hello);
  }
  /** What another tab says about its draft. */
  const heard = ({ data }) => {
    if (data?.draft !== draftId || data.page === PAGE_ID || done || destroyed) return;
    if (data.bye) {
      // The other tab is gone: the warning no longer holds.
      others.delete(data.page);
      if (elsewhere && !others.size) {
        elsewhere = false;
        widget.clearStatus('open_elsewhere');
      }
      return;
    }
    others.add(data.page);
    if (data.hello) tell({});
    if (data.filed !== undefined) {
      filedElsewhere = true;
      cancelSave();
      // Submitted here too, it is that filing: the back end answers with its receipt, never files it twice.
      if (typeof data.key === 'string') widget.continueFiling(data.key);
      widget.status('filed_elsewhere', data.filed || '—');
    } else if (!elsewhere && !filedElsewhere) {
      elsewhere = true;
      widget.status('open_elsewhere');
    }
  };

  /** Forgets a save waiting for its time. */
  const cancelSave = () => {
    clearTimeout(saveTimer);
    saveTimer = null;
  };

  /** The draft of the form as it is now. */
  const snapshot = () => ({
    ...info,
    ruleset_hash: widget.rulesetHash(),
    values: JSON.parse(widget.values()),
    step: screens.step,
    // The filing's key: a page reloaded after a submission whose answer was lost goes on with it.
    idempotency_key: widget.idempotencyKey(),
    saved_at: Date.now(),
    timing: timing.saved(),
  });

  /**
   * Saves the values as an encrypted draft now, or, while a save is on its way, once it is done: one save
   * then waits, whatever the number of changes, and takes the values as they are when it begins.
   */
  const save = () => {
    cancelSave();
    if (!enabled || done || destroyed || restoring || filedElsewhere || cleared()) return saving;
    if (writing) {
      pending ??= saving.then(() => {
        pending = null;
        return save();
      });
      return pending;
    }
    writing = true;
    kept = true;
    const draft = snapshot();
    saving = saving
      .then(() => seal('drafts', draftId, draft, keyOf(options)))
      .then(() => {
        // A draft saved as the page goes (its last answers) is no news of an open tab once it said bye.
        if (!gone) tell({});
        dispatch('draft', { saved_at: draft.saved_at });
      })
      .catch((error) => dispatch('error', { error }))
      .finally(() => {
        writing = false;
      });
    draftWrites = Promise.all([draftWrites, saving]).then(() => {});
    return saving;
  };

  /**
   * Saves the draft `delay` ms from now (by default once the current task is over), unless a save comes
   * sooner: it takes this change too. Typing never puts a save off, so a page reloaded or closed while the
   * citizen types keeps all but what the last moment's save had no time to write (a save begun as the page
   * goes does not finish).
   */
  const saveSoon = (delay = options.draftDelay ?? 0) => {
    if (!enabled || done || restoring || cleared()) return;
    const at = Date.now() + delay;
    if (saveTimer && saveAt <= at) return;
    clearTimeout(saveTimer);
    saveAt = at;
    saveTimer = setTimeout(save, delay);
  };

  /**
   * Saves the draft now if a save is waiting or the filing has one (the page goes, or the form): the
   * draft's timeline then says when the page went, and the time it stayed closed is no step's.
   */
  const flush = () => {
    if (saveTimer || kept) save();
  };

  const onEdit = () => saveSoon();
  element.addEventListener('input', onEdit);

  return {
    /** Whether the form keeps its draft and a filing waiting in the outbox (not once the drafts were cleared). */
    get enabled() {
      return enabled && !cleared();
    },
    save,
    saveSoon,
    flush,

    /** An answer changed: before the earlier draft is restored, the citizen's answer wins over it. */
    changed(path) {
      if (restoring) edited.add(path);
    },

    /**
     * The form's draft is that of `info` (its `form_id`) and `options.subject`: tells the other tabs,
     * and looks up what an earlier page left.
     */
    open(formInfo) {
      info = formInfo;
      // An element with an id of its own keeps a draft of its own, beside another form of the definition.
      draftId = `${info.form_id}|${options.subject ?? ''}${element.id ? `|${element.id}` : ''}`;
      if (enabled && openDrafts.has(draftId)) {
        console.warn(`tokhai: two forms of this page keep one draft of '${info.form_id}': give each element an id of its own`);
      }
      openDrafts.add(draftId);
      if (joins) {
        nextTask().then(() => {
          if (destroyed) return;
          tabs = new BroadcastChannel('tokhai-drafts');
          tabs.onmessage = heard;
          if (!gone) tell({ hello: true });
        });
      }
      // Without drafts, what the form held as its element started it anew (another endpoint) is all there is.
      const held = carried?.get(draftId);
      carried?.delete(draftId);
      // Looked up from the next task on (opening IndexedDB costs the first mount some 5 ms), and
      // applied once found (restore).
      // (After the drafts this page is still writing: a form removed and mounted again finds its last answer.)
      earlier = enabled
        ? nextTask()
            .then(() => draftWrites)
            .then(() => Promise.all(['drafts', 'outbox'].map((store) => unseal(store, draftId, keyOf(options)).catch(() => null))))
        : held && Promise.resolve([held, null]);
    },

    /**
     * Applies the draft an earlier page left, once found; what the citizen typed meanwhile wins, and a
     * filing this page began meanwhile (`filing.begun`) keeps the answers it sends. A filing the earlier
     * page left in the outbox goes to `filing.resume`.
     */
    async restore(filing) {
      const [draft, pending] = earlier ? await earlier : [];
      if (destroyed) return;
      if (draft && !done && !filing.begun) {
        // The same filing goes on: its key and its timing too (a reload, or a visit the next day, is not another filing).
        if (typeof draft.idempotency_key === 'string') widget.continueFiling(draft.idempotency_key);
        timing.resume(draft.timing);
        kept = true;
        // Locked prefilled values come from the new bundle, never from the draft.
        const values = { ...draft.values };
        for (const path of prefill.locked) delete values[path];
        for (const path of edited) delete values[path];
        const onStep = edited.size ? undefined : (draft.step ?? undefined);
        // Without drafts, the answers come from this page (the element started anew): the citizen never
        // left them, so nothing is said of them unless some no longer fit.
        const quiet = !enabled;
        const dropped = JSON.parse(screens.inPlace(() => widget.restore(JSON.stringify(values), onStep, quiet)));
        // Saves here overwrite those of the other tab: that warning outweighs “restored”.
        if (elsewhere) widget.status('open_elsewhere');
        const definition_changed = draft.ruleset_hash !== widget.rulesetHash();
        if (!quiet || dropped.length) dispatch('restored', { saved_at: draft.saved_at, dropped, definition_changed });
      }
      restoring = false;
      if (edited.size) saveSoon();
      filing.resume(pending);
    },

    /** Keeps a submission in the outbox, with the draft, before it is sent to `options.action`. */
    async queue(submission) {
      if (!enabled || cleared()) return;
      await save();
      const waiting = { submission, action: String(options.action), queued_at: Date.now() };
      await seal('outbox', draftId, waiting, keyOf(options)).catch(() => {});
    },

    /** The submission in the outbox is not to be sent (refused, or the answers changed). */
    unqueue() {
      if (enabled) forget('outbox', draftId);
    },

    /** The filing was accepted (reference `receipt`): draft and outbox go, and the other tabs are told. */
    filed(receipt) {
      done = true;
      cancelSave();
      if (enabled) {
        saving = saving.then(() => Promise.all([forget('outbox', draftId), forget('drafts', draftId)]));
      }
      tell({ filed: receipt, key: widget.idempotencyKey() });
    },

    /** Forgets the draft and the outbox entry, once the saves on their way are written; later changes are saved again. */
    async discard() {
      cancelSave();
      kept = false;
      if (!enabled) return;
      saving = (pending ?? saving).then(() => Promise.all([forget('drafts', draftId), forget('outbox', draftId)]));
      await saving;
    },

    /** The form goes: the last answers, typed since the last save, are kept (a single-page app's route changes at once). */
    destroy() {
      flush();
      // Kept in the page only, for the element that starts the form anew (a form filed or cleared keeps nothing).
      if (!enabled && carried && info && !done && !cleared()) carried.set(draftId, snapshot());
      bye();
      destroyed = true;
      openDrafts.delete(draftId);
      cancelSave();
      removeEventListener('pagehide', bye);
      removeEventListener('pageshow', hello);
      tabs?.close();
      element.removeEventListener('input', onEdit);
    },
  };
}
