// Small helpers the modules share: random ids, the next task, the widget's language for a tag, URLs told
// from objects.

/** Resolves in a later task, once the browser has had its turn. */
export const nextTask = () => new Promise((resolve) => setTimeout(resolve));

/** A random identifier (a UUID: the shape idempotency keys and timing sessions take). */
export function randomId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Whether `v` is a URL (a string or a URL object), not an object given in its place. */
export const isUrl = (v) => typeof v === 'string' || v instanceof URL;

/** The widget's language for a language tag (`en`, `EN`, `en-US` → English; anything else Vietnamese). */
export const language = (tag) => (/^en(-|$)/i.test(String(tag ?? '')) ? 'en' : 'vi');
