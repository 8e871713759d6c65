// Random use of every real form, seeded so that a failure replays: hostile text typed anywhere, keys
// pressed, buttons clicked, junk prefill bundles, the language switched. Whatever happens, the widget
// must not trap, throw or log an error, and must still answer afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, useBrowser } from './helpers.mjs';

const env = useBrowser();
/** Operations on each form; `MONKEY_OPERATIONS` sets more, `MONKEY_SEED` (the first seed) and `MONKEY_RUNS` other runs. */
const OPERATIONS = Number(process.env.MONKEY_OPERATIONS ?? 150);
const FIRST_SEED = Number(process.env.MONKEY_SEED ?? 1);
const RUNS = Number(process.env.MONKEY_RUNS ?? 4);

/** Text a citizen (or a hostile page) might put into any control. */
const TEXTS = [
  '', ' ', '0', '001089012345', '05/03/1990', '31/02/2024', '99/99/9999', '1/1/1', 'Nguyễn Văn An',
  'NGUYỄN VĂN AN', 'Nguye\u0301n', '\u0000\u0001\u001f', '😀'.repeat(40), 'x'.repeat(3000),
  '<img src=x onerror=alert(1)>', '-1e308', '1e400', 'NaN', '0912345678', '+84912345678', '0100109106',
  '0100109106-001', 'ha noi', '\uFEFF', 'a\nb', '{"a":1}', '٣٤٥', '\uD800',
];

/** Prefill bundles that are not bundles, or not valid ones, as JSON (a string is a URL to fetch). */
const BUNDLES = [
  'null', '[]', '{}', '5', '"/fixtures/harness.html"', '{"values":null}', '{"values":{"full_name":5}}',
  '{"values":{"x":{"value":[1,2]}}}', '{"values":{},"signature":1,"expires_at":"x"}', '['.repeat(200) + ']'.repeat(200),
];

const KEYS = ['Tab', 'Shift+Tab', 'Enter', 'Escape', 'ArrowDown', 'ArrowUp', 'Backspace', 'Space'];

/** A small deterministic generator (a linear congruential one): `next(n)` is in [0, n), from its high bits. */
function random(seed) {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return Math.floor((state / 2147483648) * n);
  };
}

/**
 * One of the visible elements of the widget that match a selector, picked at random, or null: a handle
 * on that element, not a locator by its index, which names another element once an answer has added
 * or removed fields before it (seed 313 of the real CT01 went to fill a radio button so).
 */
async function pick(page, selector, next) {
  const all = page.locator(`#form ${selector}`);
  const shown = await all.evaluateAll((els) => els.flatMap((e, i) => (e.checkVisibility() ? [i] : [])));
  return shown.length ? all.nth(shown[next(shown.length)]).elementHandle() : null;
}

/** Performs one random operation; returns its kind, or null when there was nothing to do it on. */
async function operate(page, next) {
  const choice = next(10);
  if (choice < 5) {
    const control = await pick(page, 'input:not([type=file]):not([readonly]):not([disabled]):not([aria-disabled=true]), textarea:not([readonly]), select:not([disabled])', next);
    if (!control) return null;
    const kind = await control.evaluate((e) => (e.tagName === 'SELECT' ? 'select' : e.type));
    await control.focus();
    if (kind === 'select') {
      await control.selectOption({ index: next(await control.evaluate((e) => e.options.length)) });
    } else if (kind !== 'radio' && kind !== 'checkbox') {
      // Cleared by keys, as a citizen clears a box: focusing it may have changed it (leaving the province
      // with a name it does not know clears the province, and the commune then waits for one: seed 517).
      if (next(2)) {
        await page.keyboard.press('ControlOrMeta+a');
        await page.keyboard.press('Backspace');
      }
      await page.keyboard.insertText(TEXTS[next(TEXTS.length)]);
    }
    await page.keyboard.press(KEYS[next(KEYS.length)]);
    return 'type';
  }
  if (choice < 8) {
    const button = await pick(page, 'button:not([disabled]):not([aria-disabled=true])', next);
    if (!button) return null;
    // Forced: the click lands on whatever is on top, as a citizen's does (an open list over the button takes it).
    await button.click({ force: true });
    return 'click';
  }
  if (choice === 8) {
    const bundle = BUNDLES[next(BUNDLES.length)];
    const outcome = await page.evaluate((b) => window.tk.prefill(JSON.parse(b)).then(() => 'taken', (e) => `refused: ${e.message}`), bundle);
    assert.doesNotMatch(outcome, /unreachable|RuntimeError|panicked|undefined/, `prefill(${bundle.slice(0, 40)})`);
    return 'prefill';
  }
  await page.evaluate((lang) => window.tk.setLanguage(lang), next(2) ? 'en' : 'vi');
  return 'language';
}

/** The forms used, one a run in turn. */
const FORMS = ['ct01-sample.json', '/forms/ct01.json', '/forms/birth-registration.json', '/forms/judicial-record.json'];
for (let run = 0; run < RUNS; run++) {
  const [seed, form] = [FIRST_SEED + run, FORMS[run % FORMS.length]];
  test(`${form}: ${OPERATIONS} random operations (seed ${seed}) leave the widget working, with no error`, async () => {
    const { page, context, problems } = await open(env, `/fixtures/harness.html?action=1&form=${form}`);
    const next = random(seed);
    const done = { type: 0, click: 0, prefill: 0, language: 0 };
    for (let i = 0; i < OPERATIONS; i++) {
      const kind = await operate(page, next);
      if (kind) done[kind] += 1;
    }
    assert.ok(done.type > OPERATIONS / 4 && done.click > OPERATIONS / 8 && done.prefill > 0, JSON.stringify(done));

    const answers = await page.evaluate(() => ({ values: window.tk.values(), valid: window.tk.validate().valid }));
    assert.equal(typeof answers.values, 'object', 'values() still answers');
    assert.equal(typeof answers.valid, 'boolean', 'validate() still answers');
    assert.deepEqual(problems, []);
    await context.close();
  });
}
