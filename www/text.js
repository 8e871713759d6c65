// Text in a language, for the portal's pages: a definition's text, or a label of the QA summary.

/**
 * `text` in `lang` (`vi` or `en`), as tokhai-core's `Text::get` reads it: a plain string is Vietnamese
 * only; `{vi, en}` falls back to Vietnamese where there is no English.
 */
export const inLanguage = (text, lang) => (typeof text === 'string' ? text : (text?.[lang] ?? text?.vi ?? ''));
