// Sending a filing: to `options.action` or the host's submit handlers, retried, queued in the outbox, then its receipt or refusal.
import { backoff, online, retryable, retryAfter, sleep, withRetries } from './http.js';

/**
 * The reason shown for a refusal that gives none the widget can read (a gateway's HTML page, a login
 * check's bare code): by its status, in the core's words; a 2xx page that is no receipt (a proxy's, a
 * Wi-Fi sign-in's) says so, not an error code.
 */
const refusalOf = (status) =>
  status === 401 || status === 403
    ? { path: '', code: 'submission.login_required' }
    : status === 413
      ? { path: '', code: 'submission.too_large' }
      : status >= 200 && status < 300
        ? { path: '', code: 'submission.no_receipt' }
        : { path: '', code: 'submission.refused', params: { status } };

/** Whether a value is a JSON object (an answer that can be a receipt), not an array, a number or null. */
const isRecord = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A time (ms since the epoch) the back end's receipt gives, if it does: `received_at`, `due_at`. */
function receiptTime(body, key) {
  const at = body?.receipt?.[key];
  return Number.isFinite(at) ? at : undefined;
}

/** The reference in a back end's receipt (`receipt.id`), if any. */
function referenceOf(body) {
  const ref = body?.receipt?.id;
  return ref == null ? undefined : String(ref);
}

/**
 * The filing of a form: sent (retried by `policy`), kept in `drafts`' outbox while on its way, its
 * receipt or refusal shown; `screens` shows the back end's values in place, `timing` reads the portal's
 * clock and reports the filing, `prefill` applies national data sent with a refusal.
 */
export function sending(widget, options, dispatch, policy, { drafts, screens, timing, prefill }) {
  let destroyed = false;
  let delivering = null;
  let receipt = null;
  /** The outcome of the filing the back end accepted. */
  let outcome = null;
  let queued = null;
  let resendTimer = 0;
  /** Whether this page began a filing (then the outbox holds that filing, not an earlier page's). */
  let begun = false;

  /**
   * Tells the host and the citizen that the back end accepted the submission; `earlier`: it had received
   * another one of this filing (the first attempt, whose answer was lost), whose values it sent back.
   */
  const accepted = (submission, response, earlier = false) => {
    outcome = { ok: true, submission, response };
    receipt = referenceOf(response) ?? '';
    queued = null;
    drafts.filed(receipt);
    if (earlier && response.values) screens.inPlace(() => widget.restore(JSON.stringify(response.values), undefined, false));
    widget.receipt(receipt || undefined, receiptTime(response, 'received_at'), receiptTime(response, 'due_at'), earlier);
    dispatch('submitted', { submission, response, earlier });
    timing.report(receipt || undefined);
    return outcome;
  };

  /** Shows a final refusal (4xx) with its reasons, or the answer's own message. */
  const refused = (status, response) => {
    queued = null;
    drafts.unqueue();
    let issues = response?.issues ?? response?.reasons;
    if (!Array.isArray(issues)) {
      const code = response?.error ?? response?.code;
      // An expired login is said in the form's words, which also say the answers are kept and what to do.
      issues = [code && response.message_vi && status !== 401 ? { path: '', code: String(code), message_vi: response.message_vi, message_en: response.message_en ?? response.message_vi } : refusalOf(status)];
    }
    widget.refused(JSON.stringify(issues));
    if (response?.prefill) prefill.apply(response.prefill);
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
    const answered = (res) => timing.clock === null && timing.readClock(res);
    let retrying = false;
    /** One try: its outcome's `result` is the filing's, unless it is to be tried again. */
    const tryOnce = async (attempt, last) => {
      if (destroyed) return { result: gone() };
      if (!navigator.onLine) {
        // Said kept only where the outbox keeps it.
        widget.status(drafts.enabled ? 'offline' : 'offline_unsaved');
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
      const result = res && (await outcomeOf(submission, res));
      if (result) return { result };
      if (destroyed) return { result: gone() };
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
    // Without drafts nothing keeps it to send later: the filing fails (`deliver` says so).
    if (!drafts.enabled) throw new Error(`tokhai: no answer from ${url} after ${policy.attempts} attempts: the submission was not sent`);
    widget.setBusy(false);
    widget.status('queued');
    queued = { submission };
    clearTimeout(resendTimer);
    resendTimer = setTimeout(resendIfQueued, policy.resendMs);
    dispatch('queued', { offline: false });
    return { ok: false, queued: true, issues: [] };
  };

  /**
   * The outcome the back end's answer `res` to `submission` says, or none for an answer worth trying again
   * (5xx, 408, 429). Only JSON is a receipt, or 204 (received, no reference): an expired login's redirect
   * to a sign-in page, or any other page, answers 200 too, and nothing was filed.
   */
  const outcomeOf = async (submission, res) => {
    const response = await res.json().catch(() => null);
    if (destroyed) return gone();
    if (res.ok && isRecord(response)) return accepted(submission, response);
    if (res.status === 204 && !res.redirected) return accepted(submission, null);
    if (res.ok) return refused(res.redirected ? 401 : res.status, null);
    if (res.status === 409 && response?.receipt) return accepted(submission, response, true);
    if (!retryable(res.status)) return refused(res.status, response);
    return null;
  };

  /** The outcome of a filing whose form was destroyed while it was sent: it stays in the outbox, if kept. */
  const gone = () => ({ ok: false, queued: drafts.enabled, issues: [], error: new Error('tokhai: this form was destroyed') });

  /** Sends a submission to `options.action`, first kept in the outbox. */
  const sendToAction = async (submission) => {
    widget.status('sending');
    if (drafts.enabled) await drafts.queue(submission);
    return send(submission);
  };

  /**
   * The outcome of a submission the host's submit handlers send (`handled`: whether there are any;
   * `results`: what they returned): the back end's `Response` (a `fetch` of the host's own, with its
   * headers) is read as `action`'s answer is, its reasons shown at their fields; another object is a receipt.
   */
  const handOver = async (submission, results, handled) => {
    // Nothing would send it: say so rather than show a receipt for a filing never made.
    if (!handled) {
      throw new Error(
        "tokhai: no 'action' and no 'submit' handler: the submission was not sent (a tokhai-submit listener is told of it, but does not send it: give the form an action, or a handler with handle.on('submit'))",
      );
    }
    const answers = await Promise.all(results);
    if (destroyed) return gone();
    const res = answers.find((a) => a instanceof Response);
    if (res) {
      const result = await outcomeOf(submission, res);
      if (result) return result;
      throw new Error(`tokhai: the back end answered ${res.status}: the submission was not sent`);
    }
    // The back end's answer is an object (or a promise of one); any other value (a counter's push) is none.
    return accepted(submission, answers.find(isRecord) ?? null);
  };

  /** Sends again a submission left in the outbox (by an earlier page, or after the attempts ran out). */
  const resend = () => {
    const { submission } = queued;
    widget.setBusy(true);
    widget.status('resending');
    return (delivering = send(submission)).finally(() => {
      delivering = null;
    });
  };

  const resendIfQueued = () => {
    if (!delivering && !outcome && queued) resend();
  };
  addEventListener('online', resendIfQueued);

  return {
    /** The filing on its way, if any. */
    get delivering() {
      return delivering;
    },
    /** The outcome of the filing the back end accepted, if it did. */
    get outcome() {
      return outcome;
    },
    /** Whether this page began a filing. */
    get begun() {
      return begun;
    },
    /** The reference of the filing's receipt, once accepted (`''` if the back end gave none). */
    get receipt() {
      return receipt;
    },

    /**
     * Sends a valid submission to `options.action`, or waits for the host's submit handlers (`handled`:
     * whether there are any; `results`: what they returned); a second submission meanwhile gets this
     * filing's outcome.
     */
    async deliver(submission, results, handled) {
      widget.setBusy(true);
      if (delivering) return delivering;
      begun = true;
      const filing = options.action ? sendToAction(submission) : handOver(submission, results, handled);
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
    },

    /** An answer changed after the filing was queued: that filing no longer says what the citizen wants, so it is not sent later; Submit sends the answers as they are now. */
    changed() {
      if (!queued || delivering) return;
      queued = null;
      drafts.unqueue();
      widget.status('withdrawn');
    },

    /**
     * Sends the filing an earlier page left in the outbox (`pending`), unless this page began one before it
     * was found (a Submit right after mount: the outbox then holds that very filing).
     */
    resume(pending) {
      if (!pending?.submission || !options.action || begun) return;
      // Left under another definition, it would be refused as made on a form since changed: the answers
      // restored are checked against the new one, and the citizen sends them.
      if (pending.submission.ruleset_hash !== widget.rulesetHash()) {
        drafts.unqueue();
        widget.status('form_changed');
        return;
      }
      queued = pending;
      resend();
    },

    destroy() {
      destroyed = true;
      clearTimeout(resendTimer);
      removeEventListener('online', resendIfQueued);
    },
  };
}
