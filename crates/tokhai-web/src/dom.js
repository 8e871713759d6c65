// DOM helpers imported by the wasm side: one call across the boundary (and one string) per element,
// however many attributes it has. Text is always set as text, never parsed as HTML.

/**
 * A new element from `spec` = "tag␟name␟value…␟text" (␟ is U+001F) holding `pairs` attributes,
 * appended to `parent` if given. The text comes last: it may itself hold ␟.
 */
export function make(doc, parent, spec, pairs) {
  const parts = spec.split('\x1f');
  const e = doc.createElement(parts[0]);
  for (let i = 1; i < 2 * pairs; i += 2) e.setAttribute(parts[i], parts[i + 1]);
  const text = parts.length === 2 * pairs + 2 ? parts[2 * pairs + 1] : parts.slice(2 * pairs + 1).join('\x1f');
  if (text) e.textContent = text;
  if (parent) parent.append(e);
  return e;
}

/** Pending announcements, by live region. */
const pending = new WeakMap();

/**
 * Writes `text` into the live region `to` once typing has paused for a second, so that a screen reader
 * says a count then, not at every keystroke (GOV.UK's character count); an empty text clears it at once.
 */
export function sayLater(to, text) {
  clearTimeout(pending.get(to));
  if (text) pending.set(to, setTimeout(() => (to.textContent = text), 1000));
  else to.textContent = '';
}
