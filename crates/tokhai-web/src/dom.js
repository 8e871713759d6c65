// DOM helpers imported by the wasm side: one call across the boundary per element, however many
// attributes it has. Text is always set as text, never parsed as HTML.

/**
 * A new element from `spec` = "tag␟name␟value␟name␟value…" (␟ is U+001F) with text (none if null),
 * appended to `parent` if given.
 */
export function make(doc, parent, spec, text) {
  const [tag, ...pairs] = spec.split('\x1f');
  const e = doc.createElement(tag);
  for (let i = 0; i + 1 < pairs.length; i += 2) e.setAttribute(pairs[i], pairs[i + 1]);
  if (text) e.textContent = text;
  if (parent) parent.append(e);
  return e;
}
