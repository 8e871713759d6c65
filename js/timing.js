// Timing: the filing's session and the portal's clock, its timeline sent as a beacon, the citizen's rating.
import { randomId } from './util.js';

/**
 * Milliseconds the clock of a back end is ahead of this computer's, from the `Date` of its answer that
 * came at `at` (`null` without one: a header a cross-origin answer does not show, or a proxy dropped).
 */
function clockOffset(res, at) {
  const date = Date.parse(res.headers.get('Date') ?? '');
  if (!Number.isFinite(date)) return null;
  // The header is truncated to the second: its middle is the best guess.
  return date + 500 - at;
}

/** Most bytes a beacon (or a keepalive fetch) may carry. */
const BEACON_BYTES = 64 * 1024;

/**
 * Sends a timing beacon with `navigator.sendBeacon` (or a keepalive fetch). A long filing's timeline
 * can outgrow a beacon: then a smaller one goes as the beacon (without focus and blur, or without any
 * event that names a field: the filing's own course, its start, steps, absences, submission, retries
 * and receipt, whatever kinds tokhai-core has) and the whole one in a plain fetch, which the collector
 * keeps instead whenever it arrives (it keeps the timeline with the most events).
 */
function beacon(url, body) {
  // A CORS-safelisted type, so the beacon is never preflighted; the collector reads JSON whatever the type.
  const blob = (b) => new Blob([JSON.stringify(b)], { type: 'text/plain;charset=UTF-8' });
  const full = blob(body);
  // Shrunk only as far as needed: most timelines fit whole.
  let sent = full;
  for (const keep of [(e) => e.type !== 'focus' && e.type !== 'blur', (e) => e.field === undefined]) {
    if (sent.size <= BEACON_BYTES) break;
    sent = blob({ ...body, timeline: { ...body.timeline, events: body.timeline.events.filter(keep) } });
  }
  if (sent.size <= BEACON_BYTES && !navigator.sendBeacon?.(url, sent)) {
    fetch(url, { method: 'POST', body: sent, credentials: 'same-origin', keepalive: true }).catch(() => {});
  }
  if (sent !== full) fetch(url, { method: 'POST', body: full, credentials: 'same-origin' }).catch(() => {});
}

/**
 * The timing of a form's filing: its session (a draft's, once restored: a filing over several visits is
 * one filing), the portal's clock, the report to the host and the collector, the rating.
 * `formId()`: the form's id, once known.
 */
export function timing(widget, options, dispatch, formId) {
  let session = randomId();
  /**
   * Milliseconds the filing is timed ahead of this computer's clock, once an answer of the portal told
   * the portal's: 0 when they differ by less than the core lets pass (a `Date` header is in whole seconds).
   */
  let clock = null;

  return {
    /** The session and its events so far, as a draft keeps them. */
    saved: () => {
      const { events, login_at } = JSON.parse(widget.timeline(false));
      return { session, events, login_at };
    },

    /** Goes on with a draft's timing; one that cannot be read leaves this visit timed as a filing of its own. */
    resume(timing) {
      if (typeof timing?.session !== 'string') return;
      try {
        widget.continueTimeline(JSON.stringify(timing.events), typeof timing.login_at === 'number' ? timing.login_at : undefined);
        session = timing.session;
      } catch (error) {
        dispatch('error', { error });
      }
    },

    /** The portal's clock offset, once read (`null` before). */
    get clock() {
      return clock;
    },

    /** Times the filing by the clock of the back end that sent `res` (its `Date`, if it has one), answered at `at` (now). */
    readClock(res, at = Date.now()) {
      const offset = clockOffset(res, at);
      if (offset === null) return;
      clock = widget.setClockOffset(offset);
    },

    /**
     * Sends the timeline to the host's collector and tells the host the metrics, with the dossier
     * received. A page opened and left untouched (nothing focused, changed or submitted) is no filing:
     * its timeline is not sent.
     */
    report(dossierId) {
      const metrics = JSON.parse(widget.metrics());
      dispatch('timing', dossierId ? { ...metrics, dossier_id: dossierId } : metrics);
      if (!options.timingsEndpoint || formId() === undefined) return;
      const timeline = widget.timeline(true);
      if (!timeline) return;
      const body = { form_id: formId(), session_id: session, timeline: JSON.parse(timeline) };
      if (dossierId) body.dossier_id = dossierId;
      // By the clock the events are timed by: the collector reads any difference from its own.
      body.sent_at = Date.now() + (clock ?? 0);
      beacon(String(options.timingsEndpoint), body);
    },

    /** The citizen rated the filing of dossier `dossierId`: POST it, bound to the dossier. */
    async rate({ rating, comment }, dossierId) {
      const body = { dossier_id: dossierId, rating };
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
    },
  };
}
