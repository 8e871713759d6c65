// What the portal's tool pages share (the QA dashboard, the officials' dossiers, the citizen's own): elements made with
// plain DOM, and the page's language with its switch.

/** An element `tag` with attributes and, if given, its text. */
export function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * The page's language: `?lang=`, else the one last chosen (kept under `key` in localStorage), else
 * Vietnamese. Its words (`words.vi`, `words.en`) go into the title, the text of `data-t` elements and
 * the `aria-label` of `data-t-label` ones, now and whenever the button #lang switches the language;
 * `redraw` then redraws the rest. Returns `{lang, w}`: the current language and its word for a key.
 */
export function pageLanguage(words, key, redraw) {
  const asked = new URLSearchParams(location.search).get('lang') || localStorage.getItem(key);
  const language = { lang: asked === 'en' ? 'en' : 'vi', w: (k) => words[language.lang][k] };
  const button = document.getElementById('lang');
  const translate = () => {
    document.documentElement.lang = language.lang;
    document.title = language.w('title');
    for (const e of document.querySelectorAll('[data-t]')) e.textContent = language.w(e.dataset.t);
    for (const e of document.querySelectorAll('[data-t-label]')) e.setAttribute('aria-label', language.w(e.dataset.tLabel));
    button.textContent = language.w('switchTo');
    button.lang = language.lang === 'vi' ? 'en' : 'vi';
  };
  button.addEventListener('click', () => {
    language.lang = language.lang === 'vi' ? 'en' : 'vi';
    localStorage.setItem(key, language.lang);
    translate();
    redraw();
  });
  translate();
  return language;
}

const WORKING_WORDS = {
  vi: { days: (n) => `${n} ngày làm việc`, h: 'giờ', min: 'phút' },
  en: { days: (n) => `${n} working day${n === 1 ? '' : 's'}`, h: 'h', min: 'min' },
};

/**
 * A working time in ms (an agency's office hours, as the server counts it) in `lang`: "2 ngày làm việc 3 giờ" /
 * "2 working days 3 h" from a working day of `dayMs`, "5 giờ 20 phút" / "5 h 20 min" under it.
 */
export function workingTime(ms, dayMs, lang) {
  const words = WORKING_WORDS[lang];
  const joined = (big, small, unit) => (small ? `${big} ${small} ${unit}` : big);
  const minutes = Math.round(ms / 60_000);
  const dayMinutes = dayMs / 60_000;
  if (minutes < dayMinutes) {
    const [h, m] = [Math.floor(minutes / 60), minutes % 60];
    return h ? joined(`${h} ${words.h}`, m, words.min) : `${m} ${words.min}`;
  }
  // Whole working days, then the rest to the nearest hour (a rest that rounds to a whole day is one more day).
  let days = Math.floor(minutes / dayMinutes);
  let h = Math.round((minutes - days * dayMinutes) / 60);
  if (h * 60 >= dayMinutes) [days, h] = [days + 1, 0];
  return joined(words.days(days), h, words.h);
}

/** Saves `blob` as a file named `name`, as a download link would. */
export function save(blob, name) {
  const link = el('a', { href: URL.createObjectURL(blob), download: name });
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
}

/** A time (Unix ms) in Viet Nam (UTC+7, no daylight saving) as dd/mm/yyyy hh:mm. */
export function vietnamTime(ms) {
  const t = new Date(ms + 7 * 3600_000);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(t.getUTCDate())}/${two(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} ${two(t.getUTCHours())}:${two(t.getUTCMinutes())}`;
}
