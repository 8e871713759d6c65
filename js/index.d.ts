// Types of the tokhai widget: `mount`, its handle, its events and the <tokhai-form> element.

/** Text in Vietnamese, or Vietnamese and English. */
export type Text = string | { vi: string; en?: string };

/** One option of a list or catalogue. */
export interface OptionDef {
  value: string;
  label: Text;
  /** Parent code (e.g. the province of a commune). */
  parent?: string;
}

/** A form definition (`"tokhai": 1`, the only version so far); see the JSON Schema of the format for every key. */
export interface FormDefinition {
  tokhai: number;
  id: string;
  version: string;
  title: Text;
  steps: unknown[];
  [key: string]: unknown;
}

/**
 * Options catalogues the host provides: an administrative-units file
 * (`{provinces: [...], communes: [...]}`, as units-2025.json) or the lists `provinces` and `communes`
 * as options. A form's other lists live in its definition (`catalogs`).
 */
export type Catalogs =
  | { provinces: object[]; communes: object[]; [key: string]: unknown }
  | Record<string, OptionDef[]>;

/** One prefilled value. */
export interface PrefillValue {
  value: unknown;
  /** Registry attribute, e.g. `population.full_name`. */
  source: string;
  /** Whether the citizen may not change it. */
  locked: boolean;
}

/** A signed prefill bundle from the portal's back end. */
export interface PrefillBundle {
  values: Record<string, PrefillValue>;
  /** For a household member's row: the group and the member's PIN (values are then by row field id). */
  row?: { group: string; member: string };
  [key: string]: unknown;
}

/** A validation issue with its message in the current language. */
export interface Issue {
  /** Value path, e.g. `full_name`, `members[1].pin`, `residence.commune`. */
  path: string;
  /** Stable code, e.g. `required`, `pin.birth_year_mismatch`. */
  code: string;
  params?: Record<string, string>;
  severity: 'error' | 'warning';
  message: string;
}

/** Values by field id: groups are arrays of rows, addresses `{province, commune, street}`, files `AttachedFile[]`. */
export type Values = Record<string, unknown>;

/** A file in a file field's value: its metadata, and the back end's reference once uploaded (the `uploads` option). */
export interface AttachedFile {
  name: string;
  /** Bytes. */
  size: number;
  /** Media type, as the browser tells it (may be empty). */
  type: string;
  upload?: string;
}

/** What a valid form submits (the `submit` event's detail and the body POSTed to `action`). */
export interface Submission {
  form_id: string;
  form_version: string;
  /** Hex SHA-256 of the canonical definition the citizen filled in. */
  ruleset_hash: string;
  /** Visible values: keys sorted, text NFC, dates ISO 8601. */
  values: Values;
  /** Hex SHA-256 of the canonical JSON of `values`. */
  digest: string;
  /** Chosen once per filing and kept across retries, so the back end recognises a replay. */
  idempotency_key: string;
  /**
   * The prefill bundle the values came from, as received: the signed one national data gave, which a
   * bundle of the host's own (without `signature`) applied after it does not replace.
   */
  prefill?: PrefillBundle;
  /** The signed bundles of household members' rows the values came from. */
  row_prefills?: PrefillBundle[];
}

/** The back end's answer to a submission (tokhai-server's, or any JSON object with a receipt). */
export interface SubmissionResponse {
  receipt?: { id?: string; received_at?: number; due_at?: number | null; [key: string]: unknown };
  [key: string]: unknown;
}

/** The outcome of `handle.submit()`. */
export interface SubmitResult {
  ok: boolean;
  /** The back end could not be reached after every retry: the submission waits in IndexedDB and is sent
   * automatically every `retry.resendMs`, when the connection returns or when the page is opened again,
   * unless the citizen changes an answer meanwhile (then Submit sends the answers as they are). */
  queued?: boolean;
  submission?: Submission;
  /** The back end's answer (parsed JSON), if any. */
  response?: SubmissionResponse | null;
  /** Why the submission was not accepted (the form's errors, or the back end's reasons). */
  issues?: Issue[] | unknown[];
  error?: unknown;
}

/** Events of a mounted form, by name, with their detail. DOM events are named `tokhai-<name>`. */
export interface TokhaiEvents {
  /**
   * The form is rendered, prefilled and ready for input; a `<tokhai-form>` holds its handle by then. A DOM
   * event (`tokhai-ready`): `mount` resolves just after it, and the first screen's `step` follows it.
   */
  ready: null;
  /** The citizen committed a value (left the field, or picked an option). */
  change: { path: string; value: unknown };
  /**
   * A step (or the review page, id `review`) is on screen. `title`: its title in both languages (English
   * falls back to Vietnamese where the definition gives none), for the page's own title.
   */
  step: { index: number; id: string; title: { vi: string; en: string } };
  /** The citizen tried to go on with errors; they are shown with the error summary. */
  invalid: { issues: Issue[] };
  /**
   * The form is valid and being submitted. Without `action`, a handler registered with `on('submit')`
   * sends it (with headers of the portal's own) and returns the back end's `Response`, read as `action`'s
   * answer is (a receipt; a refusal, its reasons shown at their fields; 5xx, 408 or 429 fails the filing), or
   * its answer as an object (e.g. `{receipt: {id, received_at}}`), or a promise of either: it completes the
   * submission, a rejection fails it; a value that is neither (a `dataLayer.push` count) is no answer. With
   * neither `action` nor a handler, nothing is sent: `error`, and no receipt (a DOM `tokhai-submit`
   * listener is told, but sends nothing).
   */
  submit: Submission;
  /**
   * The back end (or the host's handler) accepted the submission. `earlier`: it had already received this
   * filing from an earlier attempt whose answer was lost (409 with its `receipt` and `values`), before the
   * citizen changed answers; the receipt then shows what was received, and says so.
   */
  submitted: { submission: Submission; response: SubmissionResponse | null; earlier: boolean };
  /** The back end refused the submission with reasons. */
  refused: { status: number; issues: unknown[]; response: unknown };
  /**
   * Something failed that the form does not settle alone; `error` says what (an `Error`, or what a `submit`
   * handler threw or rejected with). It comes when:
   * - the submission could not be sent: neither `action` nor a `submit` handler, the handler threw or
   *   rejected, or (with `drafts: false`, nothing keeps it to send later) `action` gave no answer after every
   *   retry (`submit()`'s outcome holds the same `error`);
   * - the prefill at mount failed (no answer, none within 10 s, or a bundle refused as malformed): the form
   *   stays empty and says so;
   * - a bundle (at mount, with a refusal or a household member's) held values their fields cannot hold: the
   *   rest is filled, those are left for the citizen to type (the error names them);
   * - the national data a refusal sent back (its `prefill`) could not be applied;
   * - a household member's lookup failed for good (after its retries) or its bundle was refused: the citizen
   *   fills the row in;
   * - a file could not be uploaded (after its retries), or is no longer at hand: it is to be chosen again;
   * - a draft could not be saved, or an earlier draft (or its timing) could not be restored.
   * A `<tokhai-form>` whose form cannot load at all also dispatches `tokhai-error`, with `{ error }`.
   */
  error: { error: unknown };
  /** The language changed. */
  language: { lang: 'vi' | 'en' };
  /** The submission waits: the browser is offline (`offline: true`) or every retry failed (`offline: false`). */
  queued: { offline: boolean };
  /** The draft was saved (encrypted in IndexedDB). */
  draft: { saved_at: number };
  /**
   * A draft was restored at mount; `dropped` lists the answers that no longer fit the definition, and the
   * file fields whose files are to be chosen again (`file.not_kept`: a browser keeps no chosen file).
   * Without drafts, answers an element carries across its restart (a changed attribute) are restored
   * without this event, unless some are dropped.
   */
  restored: { saved_at: number; dropped: DroppedAnswer[]; definition_changed: boolean };
  /**
   * The filing's metrics (computed by tokhai-core), after the receipt and whenever the page is hidden;
   * with the dossier received once there is one. Count filings by `dossier_id`: one dossier filed from
   * two tabs (the same answers, one receipt) is reported by both, as the collector records it once.
   */
  timing: TimingMetrics & { dossier_id?: string };
  /** The citizen rated the filing after the receipt (sent to `satisfactionEndpoint` if set). */
  rating: { dossier_id: string; rating: 1 | 2 | 3 | 4 | 5; comment?: string };
}

/** A prefill bundle's entry left for the citizen to type: its value cannot be its field's (`code`: why, e.g. `option.unknown`). */
export interface LeftOutEntry {
  /** The entry's path (a row field's id in a household member's row bundle). */
  path: string;
  code: string;
}

/** An answer of a draft that the current definition no longer accepts. */
export interface DroppedAnswer {
  path: string;
  /** Why: `payload.unknown_field` (the field was removed), `type.invalid`, `file.not_kept`, ... */
  code: string;
  /** The field's label in the current language, or its path when the field no longer exists. */
  label: string;
}

/** The metrics of one filing, as tokhai-core computes them (the same on the server and in the QA runner). */
export interface TimingMetrics {
  /** Whether the clock started at the portal's login (`loginAt`), else at mount. */
  from_login: boolean;
  /**
   * Milliseconds from login (or mount) to the receipt (the filing received: one sent late, once back
   * online, is timed to then), or to the last submit press of a filing not received.
   */
  to_submit_ms: number | null;
  /** Milliseconds of activity, idle gaps excluded. */
  active_ms: number;
  steps: { step: string; ms: number }[];
  fields: { field: string; dwell_ms: number; changes: number; corrections: number; errors: number }[];
  corrections: number;
  errors_shown: number;
  retries: number;
  /** Share of fields prefilled, 0 to 1. */
  prefill_coverage: number;
  /** How the filing ended; an abandoned one says where the citizen was last. */
  outcome: { outcome: 'submitted' | 'attempted' } | { outcome: 'abandoned'; step: string | null; field: string | null };
  /** Whether login to submission was within the national target (5 minutes), once submitted. */
  within_target: boolean | null;
}

/** How submissions are retried on network errors, 5xx, 408 and 429 (a `Retry-After` header wins). */
export interface RetryPolicy {
  /** Attempts before the submission is left queued (default 8). */
  attempts?: number;
  /** First backoff in ms (default 500), doubled each time, with jitter. */
  baseMs?: number;
  /** Longest backoff in ms (default 30000). */
  capMs?: number;
  /** A submission left queued is sent again after this many ms while the page stays open (default 60000). */
  resendMs?: number;
}

export type TokhaiEventName = keyof TokhaiEvents;

/**
 * Options of `mount`. An option not listed here is ignored, and named in a console warning; one of the wrong
 * type (`drafts: 'off'`, `loginAt: '1700000000000'`) is refused: `mount` rejects with a TypeError saying what
 * it must be. `<tokhai-form>` reads the same options from its attributes (`login-at`, `drafts="off"`).
 */
export interface MountOptions {
  /** `vi` (the default) or `en`; a tag such as `en-US` is English, any other Vietnamese. */
  lang?: string;
  /**
   * Options catalogues: a URL (of JSON in UTF-8; a file in another encoding is refused) or an object. Forms with
   * addresses need `provinces` and `communes`. An object is read once: to change the lists, pass a new object.
   */
  catalogs?: string | URL | Catalogs;
  /**
   * A prefill bundle, or the URL of the portal endpoint that returns one (a failed fetch leaves the form empty and
   * emits `error`). With a URL, a household member's PIN typed in a row filled from `member.*` fetches
   * `<url>/row?group=&pin=` for that row (a query of the URL is kept); and when the bundle's answer says where the
   * household is listed (header `Tokhai-Household: household`: `<url>/household?group=` answers
   * `{members: [{handle, pin_masked, name, birth_year}]}`, no member's PIN), the household's members are listed
   * above the rows to tick, with their PINs masked: a member ticked fetches `<url>/row?group=&member=<handle>`.
   * A row's answer may name its member's handle (header `Tokhai-Member`): a PIN typed then ticks them.
   */
  prefill?: string | URL | PrefillBundle;
  /**
   * URL the submission is POSTed to as JSON; the answer's `receipt.id` is shown as the reference and its
   * `receipt.received_at` (ms since the epoch, optional) as the time of receipt and `receipt.due_at` (optional)
   * as the time the agency's decision is due, in Viet Nam time. A 2xx answer
   * is a receipt when it is a JSON object, or 204 (received, no reference); any other (an HTML page, a login's
   * redirect to its sign-in page) is a refusal: nothing was filed.
   */
  action?: string | URL;
  /**
   * URL that keeps attached files (tokhai-server: `/api/uploads`): each file chosen is POSTed at once to
   * `<uploads>/<form_id>/<field_id>?name=<file name>` (its bytes, its type as `Content-Type`; a query of the URL,
   * such as a CSRF token, is kept before `name`), and the answer's
   * `upload` reference joins the file's metadata in the values; the filing waits for its files. Without it, the
   * values carry only each file's name, size and type. In a field taking several files (`max_files`), each choice
   * adds to the files chosen before, and each file is sent once.
   */
  uploads?: string | URL;
  /** Today's date (`yyyy-mm-dd`) for date rules; default: today in Viet Nam (UTC+7), whatever the browser's time zone. */
  today?: string;
  /** Show the Vietnamese/English switch (default true). */
  languageSwitch?: boolean;
  /** Stylesheet URL, or `false` to add none (none is added where the page already has `tokhai.css`, under any name). */
  styles?: string | URL | false;
  /** URL of `tokhai_web_bg.wasm` if not beside this module. */
  wasm?: string | URL;
  /**
   * When the citizen logged in to the portal, in milliseconds since the epoch (a JWT's `iat` and OpenID's
   * `auth_time` are seconds: times 1000): the filing clock starts there.
   */
  loginAt?: number;
  /**
   * URL of the timing collector (e.g. `/api/timings`): the timeline (field ids and issue codes, never a value)
   * goes there with `navigator.sendBeacon` after the receipt and when the page is hidden.
   */
  timingsEndpoint?: string | URL;
  /** URL the satisfaction rating is POSTed to (`{dossier_id, rating, comment?}`); set, the receipt asks for it. */
  satisfactionEndpoint?: string | URL;
  /** Ask for the rating after the receipt even without `satisfactionEndpoint` (the `rating` event carries it). */
  satisfaction?: boolean;
  /**
   * Autosave an encrypted draft in IndexedDB (AES-GCM, non-extractable key) and queue submissions there
   * while offline (default true). Drafts are cleared after the receipt.
   */
  drafts?: boolean;
  /** Whose draft it is: an opaque id, one per citizen (not a masked PIN, which many share); drafts are kept per form and subject. */
  subject?: string;
  /**
   * The citizen's own key for their drafts, 32 bytes in base64url (43 characters), as the portal gives it
   * (tokhai-server: `draft_key` of `/api/me`): drafts are sealed with it, so that another citizen's page
   * on the same computer cannot open them. Without it, drafts are sealed with a key the browser keeps
   * for the site. A malformed key throws.
   */
  draftKey?: string;
  /** Most milliseconds a typed change waits before the draft is saved (default 0: once the current task is over; typing never puts a save off). */
  draftDelay?: number;
  /**
   * The browser's back and forward buttons move between the form's screens (default true): each screen the
   * citizen goes on to is a history entry of the page (`history.pushState`, same URL, the page's own state kept
   * under `tokhai`); back returns to the screen before, forward goes on as the Next button does, and after the
   * receipt back leaves the form. `false` leaves the page's history alone (e.g. when a router owns it).
   */
  history?: boolean;
  /** Retry policy of submissions. */
  retry?: RetryPolicy;
}

/** One timed event of a filing (field paths and issue codes only, never values). */
export type TimelineEvent = { at: number } & (
  | { type: 'start' | 'submit' | 'retry' | 'receipt' | 'hidden' | 'shown' }
  | { type: 'focus' | 'blur' | 'change' | 'error_cleared'; field: string }
  | { type: 'error_shown'; field: string; code: string }
  | { type: 'step'; step: string }
);

/** The timeline of one filing, for the portal's timing collector. */
export interface Timeline {
  login_at: number | null;
  fields_total: number;
  fields_prefilled: number;
  events: TimelineEvent[];
}

/** A mounted form. */
export interface TokhaiHandle {
  readonly element: HTMLElement;
  /**
   * Fills (and locks) fields from a bundle or the URL returning one. A malformed bundle (not JSON, no
   * `values`, an entry that is not `{value, source, locked}` or names no field) is refused whole: the
   * promise rejects with every reason and nothing is filled. A value its field cannot hold (a date that
   * does not exist, an option the field lacks) is left for the citizen to type: the promise resolves with
   * those entries (empty when everything was filled). A value the citizen already typed stays unless the
   * bundle's value is locked. Bundles add up: a bundle of the portal's own (without `signature`) fills its
   * fields, and the signed bundle of national data stays the one sent with the filing, as the back end
   * checks it.
   */
  prefill(bundle: string | URL | PrefillBundle): Promise<LeftOutEntry[]>;
  /** The current values of visible fields, normalised as submitted. */
  values(): Values;
  /**
   * Validates every field the form shows, on every step, marks each error at its field (seen when its step
   * is on screen) and returns the issues. The error summary comes with `submit()` or the Continue button.
   */
  validate(): { valid: boolean; issues: Issue[] };
  /**
   * Validates and submits (as the final button does); with files still uploading, once they are. Once the
   * back end accepted the filing, the same outcome again: nothing is sent twice.
   */
  submit(): Promise<SubmitResult>;
  /**
   * Listens to an event; returns a function that stops listening. `ready` has come by the time there is a
   * handle: listen to the DOM event `tokhai-ready`, or await `mount`. What happened before the form was ready
   * (its first `step`, an `error` of its prefill) is told a task after `mount` resolves, so that listeners
   * added at once hear it. An unknown event, a handler that is not a function or a destroyed form throws.
   */
  on<K extends Exclude<TokhaiEventName, 'ready'>>(type: K, handler: (detail: TokhaiEvents[K]) => unknown): () => void;
  /** Switches the language at run time (`en`, `EN`, `en-US`: English; anything else: Vietnamese). */
  setLanguage(lang: 'vi' | 'en' | string): void;
  /** The current language. */
  readonly language: 'vi' | 'en';
  /** The filing's timeline so far (a filing continued from its draft: its earlier visits too). */
  timeline(): Timeline;
  /** The filing's metrics so far, computed by tokhai-core from the timeline. */
  timing(): TimingMetrics;
  /** Saves the draft now (it is also saved after every change). */
  saveDraft(): Promise<void>;
  /** Removes this form's draft and queued submission. */
  discardDraft(): Promise<void>;
  /** Resolves once an earlier draft, looked up after the form is ready, is restored (or found absent). */
  readonly restored: Promise<void>;
  /** The submission being sent (with retries), or null. */
  readonly sending: Promise<SubmitResult> | null;
  /**
   * Removes the form and its listeners; the element can then hold another. `values`, `validate`, `submit`,
   * `prefill`, `setLanguage`, `language`, `timeline`, `timing`, `saveDraft` and `discardDraft` then throw.
   * A handler of the form's events may call it.
   */
  destroy(): void;
}

/** Loads the wasm module (done by `mount`; call early to preload). */
export function load(wasm?: string | URL): Promise<unknown>;

/** Parses options catalogues once and keeps them for later mounts (done by `mount`; call early to preload). */
export function loadCatalogs(source?: string | URL | Catalogs): Promise<unknown>;

/** Compiles a definition once and keeps it for later mounts of it (done by `mount`; call early to preload). */
export function compileForm(definition: string | URL | FormDefinition): Promise<unknown>;

/**
 * Forgets every draft and waiting filing this browser keeps for the site, and the site's draft key: call
 * it when the citizen logs out, so that the next person on the computer finds nothing of theirs. The forms
 * mounted then save nothing more, even as they are unmounted; forms mounted after it save again.
 */
export function clearDrafts(): Promise<void>;

/**
 * Mounts a form definition (object or URL) in an element, or the page's first element a CSS selector
 * matches (`'#form'`; none matching rejects). An empty element says the form is loading (a `p.tk-loading`
 * status line) once loading has taken 300 ms; what the element holds (the portal's own "loading…" line)
 * stays until the form shows, and gives way to it. An element holds one form: mounting in one that holds a
 * form rejects until that form is destroyed.
 */
export function mount(
  element: HTMLElement | string,
  definition: string | URL | FormDefinition,
  options?: MountOptions,
): Promise<TokhaiHandle>;

/**
 * `<tokhai-form src="/forms/ct01.json" lang="vi" catalogs="/catalogs/admin-units.json"
 *   prefill="/api/prefill/ct01" action="/api/submissions" uploads="/api/uploads">`.
 * Attributes: `src` (definition URL), `lang`, `catalogs`, `prefill`, `action`, `uploads`, `today`,
 * `language-switch="off"`, `timings-endpoint`, `satisfaction-endpoint`, `login-at` (ms since the epoch),
 * `subject`, `draft-key`, `drafts="off"`, `history="off"`. Moving the element within the page keeps the form and its
 * answers; removing it unmounts the form; another `src` mounts another form, also while one loads. `lang`
 * switches the language, also while the form loads, and follows the form's own language switch.
 */
export class TokhaiFormElement extends HTMLElement {
  /**
   * Resolves to the handle once the form is mounted; rejects while there is no `src`, when the form cannot
   * load, or when the element is removed or given another `src` before it is ready.
   */
  readonly ready: Promise<TokhaiHandle>;
  /** The handle, or null before mounting. */
  readonly handle: TokhaiHandle | null;
}

type TokhaiDomEvents = {
  [K in TokhaiEventName as `tokhai-${K}`]: CustomEvent<TokhaiEvents[K]>;
};

declare global {
  interface HTMLElementTagNameMap {
    'tokhai-form': TokhaiFormElement;
  }
  // The events bubble out of the element (and out of a shadow root): a page can listen on the document.
  interface HTMLElementEventMap extends TokhaiDomEvents {}
  interface DocumentEventMap extends TokhaiDomEvents {}
  interface WindowEventMap extends TokhaiDomEvents {}
}
