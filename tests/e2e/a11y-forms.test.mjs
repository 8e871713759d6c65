// Accessibility of the three real procedures on a 360 px phone: axe-core with the WCAG 2.2 A/AA tags
// and its best practices reports no violation on any screen a citizen meets while filing them on the
// development portal (each step pristine, with its errors, with a list open, in English, filled; the
// review page; the receipt, also at 320 px with WCAG's text spacing), and no screen scrolls sideways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, SERVER_BINARY, usePortal, WCAG_TAGS } from './helpers.mjs';
import { CONTEXT_OPTIONS, Citizen, FORMS, chooseCitizens, login, openForm } from '../../qa/citizen.mjs';

const env = usePortal();
const TAGS = [...WCAG_TAGS, 'best-practice'];
const PHONE = { width: 360, height: 740 };

/** What is wrong with the screen on show: axe violations inside the widget, and sideways scrolling. */
async function faults(page) {
  const found = await axeViolations(page, { include: 'tokhai-form', tags: TAGS });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  if (overflow > 0) found.push(`the page scrolls sideways by ${overflow} px`);
  return found;
}

for (const [name, form] of Object.entries(FORMS)) {
  test(`${name}: every screen of the filing is accessible on a 360 px phone`, async (t) => {
    if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
    const [citizen] = await chooseCitizens(env.portal.url, form, 1);
    const context = await env.browser.newContext({ ...CONTEXT_OPTIONS, viewport: PHONE });
    const errors = [];
    context.on('weberror', (e) => errors.push(e.error().message));
    await login(context, env.portal.url, citizen.pin);
    const page = await openForm(context, env.portal.url, form);
    const c = new Citizen(page);
    const seen = {};
    const check = async (screen) => {
      seen[screen] = await faults(page);
    };
    const steps = Object.entries(form.steps);
    for (const [index, [id, fill]] of steps.entries()) {
      await check(`${id}, pristine`);
      if ((await c.next()).length) await check(`${id}, with its errors`);
      else await c.back();
      const combo = page.locator('tokhai-form [role=combobox]:not([readonly]):not([disabled]):visible').first();
      if (await combo.count()) {
        await combo.focus();
        await page.keyboard.press('ArrowDown');
        await page.waitForSelector('tokhai-form .tk-listbox:not([hidden]) li');
        await check(`${id}, a list open`);
        await page.keyboard.press('Escape');
      }
      if (index === 1) {
        await page.click('tokhai-form [data-act=lang]');
        await check(`${id}, in English`);
        await page.click('tokhai-form [data-act=lang]');
      }
      await fill(c, citizen);
      await check(`${id}, filled`);
      assert.deepEqual(await c.next(), [], `${id} is filled`);
    }
    await check('review page');
    await c.submit();
    await check('receipt');
    // At 320 px (WCAG 1.4.10) with WCAG's text spacing (1.4.12) the receipt's reference, one long word,
    // stays inside the receipt.
    await page.setViewportSize({ width: 320, height: 740 });
    await page.evaluate(() => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync('* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important } p { margin-bottom: 2em !important }');
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
    });
    await check('receipt, 320 px with text spacing');
    await context.close();
    const faulty = Object.entries(seen).filter(([, found]) => found.length);
    assert.deepEqual(faulty, [], 'no screen has a fault');
    assert.ok(Object.keys(seen).length >= 2 * steps.length + 2, `screens checked: ${Object.keys(seen).join('; ')}`);
    assert.deepEqual(errors, [], 'no error in the page');
  });
}
