// DOM helpers imported by the wasm side: one call across the boundary instead of four.
// Text is always set as text, never parsed as HTML.

/** A new element with a class (empty for none) and text (empty for none), appended to `parent` if given. */
export function make(doc, parent, tag, cls, text) {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  if (text) e.textContent = text;
  if (parent) parent.append(e);
  return e;
}
