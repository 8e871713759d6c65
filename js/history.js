// The browser's back and forward buttons: each screen of a form the citizen went on to is a history entry.
import { nextTask } from './util.js';

/**
 * The screens of a form in the browser's history (`follow`: whether the history follows them, the
 * `history` option; `idPrefix`: the form's key in an entry; `filed()`: whether the form is filed).
 * Keeps the screen shown.
 */
export function screens(widget, follow, idPrefix, filed) {
  let destroyed = false;
  /** The screen shown (the widget's step). */
  let step = null;
  /** Whether a screen shown now replaces the current history entry (the first screen, a back or forward press, a draft). */
  let replacing = false;
  /** Whether the first screen is in the history yet (from the task after mount: the first `replaceState` of a page can take milliseconds). */
  let inHistory = false;

  /**
   * Records screen `index` in the browser's history: a new entry for a screen the citizen went on to. An
   * entry holds the screen of every form of the page (by id prefix), so that two forms keep theirs.
   */
  const remember = (index) => {
    if (!follow || !inHistory) return;
    const state = { ...history.state, tokhai: { ...history.state?.tokhai, [idPrefix]: index } };
    if (replacing) history.replaceState(state, '');
    else history.pushState(state, '');
  };

  /** Runs `show` (which shows a screen), the screen it shows replacing the current entry; returns its result. */
  const inPlace = (show) => {
    replacing = true;
    const result = show();
    replacing = false;
    return result;
  };

  /** Back or forward to one of this form's entries: its screen (forward as the Next button goes). */
  const onPopState = (event) => {
    const at = event.state?.tokhai?.[idPrefix];
    if (destroyed || !Number.isInteger(at) || at === step) return;
    // After the receipt the filing's screens are behind the citizen: back leaves the form.
    if (filed()) return history.back();
    // Where the widget is, should forward have stopped on errors.
    inPlace(() => {
      widget.showStep(at);
      remember(step);
    });
  };
  if (follow) addEventListener('popstate', onPopState);

  return {
    /** The screen shown (the widget's step), `null` before the first. */
    get step() {
      return step;
    },
    /** The widget shows screen `index`. */
    shown(index) {
      step = index;
      remember(step);
    },
    inPlace,
    /** Puts the first screen in the history, from the next task. */
    start() {
      nextTask().then(() => {
        inHistory = true;
        inPlace(() => remember(step ?? 0));
      });
    },
    destroy() {
      destroyed = true;
      removeEventListener('popstate', onPopState);
    },
  };
}
