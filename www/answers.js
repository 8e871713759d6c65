// A dossier's answers as the citizen read them on the form's review page (tokhai-web's `answer`):
// options by their labels, addresses in words, dates as dd/mm/yyyy, phones in their national form,
// numbers as the language writes them.
import { inLanguage } from './text.js';

const WORDS = {
  vi: { yes: 'Có', no: 'Không', blank: 'Để trống' },
  en: { yes: 'Yes', no: 'No', blank: 'Left blank' },
};

/** The option lists of a definition and the administrative units (units-2025.json's shape), by name. */
export function optionLists(definition, units) {
  const unit = (u) => ({ value: u.code, label: { vi: u.full_name, en: u.name_en } });
  return { ...definition.catalogs, provinces: units.provinces.map(unit), communes: units.communes.map(unit) };
}

/** The label of option `code` among `options`, in `lang`; the code itself when it is none of them. */
function optionLabel(options = [], code, lang) {
  const option = options.find((o) => o.value === code);
  return option ? inLanguage(option.label, lang) : code;
}

/** The top-level field of `definition` a value path is in (`members[0].m_pin`: the group), if any. */
export function fieldAt(definition, path) {
  const id = path.split(/[[.]/)[0];
  return (definition.steps ?? []).flatMap((s) => s.sections.flatMap((section) => section.fields)).find((f) => f.id === id);
}

/** An ISO date as dd/mm/yyyy; anything else (a year alone) as it is. */
const dmy = (value) => value.replace(/^(\d{4})-(\d{2})-(\d{2})$/, '$3/$2/$1');

/** A Vietnamese number in E.164 as written at home (`0912 345 678`, `024 3825 3536`, `0236 312 3456`). */
function phone(e164) {
  if (!/^\+84\d+$/.test(e164)) return e164;
  const national = `0${e164.slice(3)}`;
  const mobile = national.length === 10 && /^0[35789]/.test(national);
  const landline = national.length === 11 && national.startsWith('02');
  const [a, b] = mobile ? [4, 7] : landline ? [/^02[48]/.test(national) ? 3 : 4, 7] : [];
  return a ? `${national.slice(0, a)} ${national.slice(a, b)} ${national.slice(b)}` : e164;
}

/** `value` of `field` in `lang`, as the review page shows it; `lists` are the option lists by name. */
export function answerText(field, value, lists, lang) {
  const label = (code, options = field.options ?? lists[field.catalog]) => optionLabel(options, code, lang);
  const text = (() => {
    if (value === null || value === undefined || (Array.isArray(value) && !value.length)) return '';
    switch (field.kind) {
      case 'checkbox': return WORDS[lang][value ? 'yes' : 'no'];
      case 'select':
      case 'radio': return label(value);
      case 'checkbox_group': return value.map((code) => label(code)).join(', ');
      case 'address': return [value.street, value.commune && label(value.commune, lists.communes), value.province && label(value.province, lists.provinces)].filter(Boolean).join(', ');
      case 'file': return value.map((f) => f.name).join(', ');
      case 'number': return value.toLocaleString(lang, { useGrouping: 'min2', maximumFractionDigits: 20 });
      case 'date': return dmy(value);
      case 'phone': return phone(value);
      default: return typeof value === 'string' ? value : JSON.stringify(value);
    }
  })();
  return text || WORDS[lang].blank;
}

/** The rows of a group, each as "label: answer; …" of the answers it holds. */
export function rowTexts(group, rows, lists, lang) {
  return rows.map((row) =>
    group.fields
      .filter((f) => row[f.id] !== null && row[f.id] !== undefined)
      .map((f) => `${inLanguage(f.label, lang)}: ${answerText(f, row[f.id], lists, lang)}`)
      .join('; '),
  );
}
