// National data: the prefill bundle applied at mount or with a refusal, the household's members listed, and a
// member looked up by handle (ticked in the list) or by PIN (typed).
import { backoff, endpoint, jsonText, online, retryable, sleep, withRetries } from './http.js';
import { isUrl } from './util.js';

/** Milliseconds before a notice says national data is slow, and before prefill is given up. */
const PREFILL_NOTICE_AFTER = 800;
export const PREFILL_TIMEOUT = 10000;

/** Tries of a household member's lookup before the citizen is asked to fill the row in. */
const MEMBER_ATTEMPTS = 4;

/**
 * Asks the portal's prefill endpoint (`source`, a URL; or takes the bundle, an object) at once, while the
 * module and the definition load, rather than once the form shows: resolves to `{ text, res, at }` (the
 * answer, and when it came by this computer's clock; none for an object); its failure is told when the
 * form takes it.
 */
export function askBundle(source) {
  let res;
  let at;
  const asked = jsonText(source, PREFILL_TIMEOUT, (r) => {
    res = r;
    at = Date.now();
  }).then((text) => ({ text, res, at }));
  asked.catch(() => {});
  return asked;
}

/** The national data of the form in `element` (`options.prefill`: the bundle or its URL). */
export function prefill(element, widget, options, dispatch, policy) {
  const doc = element.ownerDocument;
  let destroyed = false;
  /** Whether national data comes from the portal's endpoint (not a bundle given as it is). */
  const fromPortal = isUrl(options.prefill);
  /** The paths of the values the bundle applied locked: those are never a draft's. */
  let locked = [];

  /**
   * Fills the form from bundle `text` (`widget.prefill` throws if it is refused); the values their fields
   * cannot hold are left to the citizen (the form names them), with `error` for the portal: true if any were.
   */
  const take = (text) => {
    const left = JSON.parse(widget.prefill(text));
    const unfit = new Set(left.map((entry) => entry.path));
    locked = Object.entries(JSON.parse(text).values).flatMap(([path, v]) => (v?.locked && !unfit.has(path) ? [path] : []));
    if (left.length) dispatch('error', { error: leftOutError(left) });
    return left.length > 0;
  };

  /**
   * The members of the citizen's household, listed above each group filled from them, when the portal's
   * prefill answer says where (`Tokhai-Household: household`: `<prefill>/household?group=`), each with their
   * PIN masked and a handle: ticking one asks for their row by handle. A list that fails (no answer, or one
   * of another shape) is an `error`, and PINs are typed.
   */
  const listHousehold = async (where) => {
    if (!/^[\w-]+$/.test(where ?? '')) return;
    for (const group of JSON.parse(widget.memberGroups())) {
      try {
        const text = await jsonText(endpoint(options.prefill, doc, [where], { group }), PREFILL_TIMEOUT);
        if (!destroyed) widget.household(group, text);
      } catch (error) {
        if (!destroyed) dispatch('error', { error });
      }
    }
  };

  /**
   * The citizen fills the row of member `about` (a PIN, or a handle from the list) in: the lookup failed for
   * good, or its bundle is refused.
   */
  const notFound = (error, about) => {
    widget.status('member_not_found', about);
    dispatch('error', { error });
  };

  return {
    /** The paths the bundle applied locked. */
    get locked() {
      return locked;
    },

    /**
     * Applies the bundle of `options.prefill`, as `asked` already (`askBundle`) if it was (`answered` is
     * told its response and when it came). Without prefill (not logged in, broker down) the citizen still
     * gets an empty form. Slow national data gets a notice; no answer within PREFILL_TIMEOUT leaves the
     * form to the citizen.
     */
    load(answered, asked = askBundle(options.prefill)) {
      const slow = setTimeout(() => widget.status('prefill_loading'), PREFILL_NOTICE_AFTER);
      return asked
        .then(({ text, res, at }) => {
          // A bundle given as it is (an object) has no answer.
          if (res) answered(res, at);
          if (!take(text)) widget.clearStatus('prefill_loading');
          // Not waited for: the rows come later in the form.
          listHousehold(res?.headers.get('Tokhai-Household'));
        })
        .catch((error) => {
          widget.status('prefill_failed');
          dispatch('error', { error });
        })
        .finally(() => clearTimeout(slow));
    },

    /**
     * The national data the answers were checked against, sent with a refusal when the form had none (its
     * prefill had failed): filled in and locked, and the refusal's reasons about it then go.
     */
    apply(sent) {
      try {
        if (!take(JSON.stringify(sent))) widget.status('prefill_applied');
      } catch (error) {
        dispatch('error', { error });
      }
    },

    /**
     * A member ticked in the household list (`{group, member}`: their handle) or a PIN typed in a household
     * member's row (`{group, pin}`): the member's details from the portal's prefill endpoint
     * (`<prefill>/row?group=&member=` or `&pin=`), which answers only for the citizen's own household and
     * names the member's handle (`Tokhai-Member`).
     */
    async member(asked) {
      if (!fromPortal) return;
      const about = asked.pin ?? asked.member;
      const url = endpoint(options.prefill, doc, ['row'], asked);
      let handle;
      const heard = (res) => {
        handle = res.headers.get('Tokhai-Member') ?? undefined;
      };
      // The back end's answer (not in the household) is final; a lost connection, a timeout or a 5xx
      // is not: asked again once the connection is back, or after a pause, a few times.
      const lookUp = async (attempt, last) => {
        if (destroyed) return {};
        try {
          return { text: await jsonText(url, PREFILL_TIMEOUT, heard) };
        } catch (error) {
          const lost = error.status === undefined || retryable(error.status);
          return { error, retry: lost && !last && !destroyed };
        }
      };
      const wait = async (attempt) => {
        widget.status('member_retrying', about);
        await (navigator.onLine ? sleep(backoff(attempt, policy)) : online());
      };
      const { text, error } = await withRetries(MEMBER_ATTEMPTS, lookUp, wait);
      if (destroyed) return;
      if (error) return notFound(error, about);
      try {
        const left = JSON.parse(widget.prefillRow(text, handle));
        if (left.length) dispatch('error', { error: leftOutError(left) });
      } catch (error) {
        notFound(error, about);
      }
    },

    destroy() {
      destroyed = true;
    },
  };
}

/** The error naming a bundle's entries left to the citizen (`[{path, code}]`): values their fields cannot hold. */
export function leftOutError(left) {
  const entries = left.map(({ path, code }) => `'${path}' (${code})`).join('; ');
  return new Error(`prefill: left to the citizen, as their fields cannot hold these values: ${entries}`);
}
