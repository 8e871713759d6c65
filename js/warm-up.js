// The warm-up: warm-up.json mounted once, detached, so that the browser compiles the wasm while a page waits for its form.
import { CatalogSet, CompiledForm } from './tokhai_web.js';
import { ANY_HOST, formsStarted, start, WARM_UP_PREFIX } from './form.js';
import { objectJson } from './http.js';
// The warm-up's form: two steps using every kind of field and most keywords, the second rendered
// after the first screen as in most real forms; tokhai-core's tests/forms.rs compiles it.
import WARM_UP from './warm-up.json' with { type: 'json' };

/**
 * The warm-up's catalogue: an administrative-units file as hosts give it (a field the widget does not
 * read, two communes of a province with one English name), so that the browser compiles the code that
 * reads a country's units before the real file comes; a catalogue of lists took another path, and
 * some 50 functions were compiled during the real read.
 */
const UNITS = {
  as_of: '2025-07-01',
  provinces: [{ code: '01', name: 'T', full_name: 'Thành phố T', name_en: 'T' }],
  communes: [
    { code: '1', name: 'Thanh An', full_name: 'Xã Thanh An', name_en: 'Thanh An', province: '01' },
    { code: '2', name: 'Thạnh An', full_name: 'Xã Thạnh An', name_en: 'Thanh An', province: '01' },
  ],
};

/** Values the warm-up prefills, by path. */
const WARM_UP_VALUES = {
  text: 'Nguyễn',
  dob: '1990-01-01',
  pin: '001090012345',
  phone: '0912345678',
  email: 'a@b.vn',
  number: 5,
  address: { province: '01', commune: '1' },
  'rows[0].r_from': '2004-01-01',
};

/**
 * Mounts WARM_UP once in a detached element through the same path as `mount` (prefilled, its later
 * steps rendered, typed into, submitted with errors, a row added and removed, validated), so that
 * the browser compiles the code a mount runs while the page still waits for its definition and
 * data, not during mount: the browser compiles a wasm function on its first call.
 * Only while the page waits: once a form has started, the warm-up is not run, for it does more than
 * a mount needs (a second form, its interactions). On the benchmark's phone, with the definition and
 * data there before the module, the sample form was ready 125-175 ms sooner without it (its mount
 * some 40 ms slower).
 */
export function warmUp() {
  if (typeof document === 'undefined' || formsStarted()) return;
  // Only speed is lost (mount reports any real problem), but say so: the warm-up form has gone stale.
  const failed = (error) => console.warn('tokhai: the warm-up failed', error);
  const begun = performance.now();
  try {
    const form = new CompiledForm(JSON.stringify(WARM_UP));
    const catalogs = new CatalogSet(objectJson(UNITS, true));
    const values = Object.entries(WARM_UP_VALUES).map(([path, value]) => [path, { value, source: 'warm-up', locked: path === 'pin' }]);
    const options = { drafts: false, prefill: { values: Object.fromEntries(values) } };
    start(document.createElement('div'), form, catalogs, options, ANY_HOST, WARM_UP_PREFIX)
      .then((handle) => {
        const prefilled = handle.values().text === WARM_UP_VALUES.text;
        // What a citizen does first: types, leaves the field, presses Continue (the step has errors).
        const field = handle.element.querySelector('[data-path="text"]');
        field.value = 'Nguyễn Văn';
        for (const type of ['input', 'change', 'focusout']) field.dispatchEvent(new Event(type, { bubbles: true }));
        handle.element.querySelector('form').dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
        // A row added to a list and one taken away.
        handle.element.querySelector('[data-act="add"]').click();
        handle.element.querySelector('[data-act="remove"]').click();
        handle.validate();
        handle.destroy();
        if (!prefilled) throw new Error('the prefill was not applied');
      })
      .catch(failed)
      .finally(() => {
        form.free();
        catalogs.free();
        // A User Timing entry, for hosts and benchmarks that watch whether the warm-up ran before a form.
        performance.measure?.('tokhai:warm-up', { start: begun, end: performance.now() });
      });
  } catch (error) {
    failed(error);
  }
}
