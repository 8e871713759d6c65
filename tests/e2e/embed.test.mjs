// Embedding: the strict-CSP page, the custom element of the embedding guide, a page's global
// stylesheet, and text that looks like markup in a definition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CSP } from './serve.mjs';
import { open, text, useBrowser } from './helpers.mjs';

const env = useBrowser();

test('the widget runs on a page whose CSP forbids inline scripts, inline styles and eval', async () => {
  const { page, context, problems } = await open(env, '/csp.html', { ready: false });
  const response = await page.reload();
  assert.equal(response.headers()['content-security-policy'], CSP);
  await page.waitForSelector('.tk-title');
  await page.click('.tk-nav button[type=submit]');
  await page.waitForSelector('.tk-summary:not([hidden])');
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.tk-summary')).borderTopStyle), 'solid', 'the stylesheet applies');
  assert.deepEqual(problems, [], 'no CSP violation, no error');
  await context.close();
});

test('the custom element of the embedding example mounts from its attributes and switches language', async () => {
  const { page, context, problems } = await open(env, '/embed.html', { ready: false });
  await page.waitForSelector('tokhai-form .tk-title');
  assert.ok((await text(page, 'tokhai-form .tk-title')).length > 0);
  await page.evaluate(() => document.querySelector('tokhai-form').setAttribute('lang', 'en'));
  assert.equal(await page.getAttribute('tokhai-form .tk', 'lang'), 'en');
  const handle = await page.evaluate(async () => typeof (await document.querySelector('tokhai-form').ready).values);
  assert.equal(handle, 'function');
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a slow connection the page says the form is loading, then shows the form', async () => {
  const { page, context, problems } = await open(env, '/embed.html', { ready: false });
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route('**/tokhai_web_bg.wasm', async (route) => {
    await held;
    await route.continue();
  });
  await page.reload();
  const notice = page.locator('tokhai-form > p.tk-loading[role=status]');
  await notice.filter({ hasText: 'Đang tải biểu mẫu…' }).waitFor();
  assert.equal(await page.locator('tokhai-form .tk').count(), 0);
  release();
  await page.waitForSelector('tokhai-form .tk-title');
  assert.equal(await notice.count(), 0, 'the notice goes once the form is there');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the loading line goes once the form shows, while its national data is still on the way', async () => {
  const { page, context, problems } = await open(env, '/embed.html', { ready: false });
  await page.waitForSelector('tokhai-form .tk-title');
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route('**/api/prefill/slow', async (route) => {
    await held;
    await route.fulfill({ status: 503, body: '' });
  });
  await page.evaluate(() => {
    const slow = document.createElement('tokhai-form');
    slow.id = 'slow';
    for (const [name, value] of [['src', '/forms/ct01.json'], ['catalogs', '/catalogs/admin-units.json'], ['prefill', '/api/prefill/slow'], ['drafts', 'off'], ['history', 'off']]) {
      slow.setAttribute(name, value);
    }
    document.body.append(slow);
  });
  await page.waitForSelector('#slow .tk-title');
  await page.waitForTimeout(400);
  assert.equal(await page.locator('#slow > p.tk-loading').count(), 0, 'no loading line left above the form');
  release();
  await page.evaluate(() => document.getElementById('slow').ready);
  assert.deepEqual(problems.filter((p) => !p.includes('503')), []);
  await context.close();
});

test('the custom element keeps the answers when the page moves it, and unmounts when removed or given another src', async () => {
  const { page, context, problems } = await open(env, '/embed.html', { ready: false });
  await page.waitForSelector('tokhai-form .tk-title');
  await page.fill('tokhai-form input[data-path="full_name"]', 'Nguyễn Văn An');
  await page.dispatchEvent('tokhai-form input[data-path="full_name"]', 'change');
  const state = () =>
    page.evaluate(async () => {
      const form = document.querySelector('tokhai-form');
      const handle = await form.ready;
      return { name: handle.values().full_name, forms: form.querySelectorAll('.tk').length, title: form.querySelector('.tk-title').textContent };
    });
  const before = await state();
  assert.equal(before.name, 'Nguyễn Văn An');

  // A framework moves the element (into a dialog, another column): disconnected, then connected at once.
  await page.evaluate(() => document.body.append(document.querySelector('tokhai-form')));
  await page.waitForTimeout(50);
  assert.deepEqual(await state(), before, 'the same form, with its answers');
  assert.equal(await page.inputValue('tokhai-form input[data-path="full_name"]'), 'Nguyễn Văn An');

  await page.evaluate(() => document.querySelector('tokhai-form').setAttribute('src', '/fixtures/ct01-sample.json'));
  await page.waitForFunction((title) => document.querySelector('tokhai-form .tk-title')?.textContent !== title, before.title);
  const other = await state();
  assert.deepEqual([other.name, other.forms], [undefined, 1], 'another src: one new form, empty');

  const removed = await page.evaluate(async () => {
    const form = document.querySelector('tokhai-form');
    form.remove();
    await new Promise((ok) => setTimeout(ok, 0));
    return form.querySelectorAll('.tk').length;
  });
  assert.equal(removed, 0, 'removed from the page: unmounted');
  assert.deepEqual(problems, []);
  await context.close();
});

test("a page's rules for elements (bare or with attributes) and its root text size, as an old global stylesheet has them, change nothing of the widget's look", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  await page.click('.tk-nav button[type=submit]');
  await page.waitForSelector('.tk-summary:not([hidden])');
  // The line a form that cannot load shows instead is the widget's too.
  await page.evaluate(() => {
    const element = document.createElement('tokhai-form');
    element.setAttribute('src', '/fixtures/missing.json');
    document.querySelector('main').append(element);
  });
  await page.waitForSelector('.tk-load-error');
  assert.deepEqual(problems.splice(0).map((p) => p.replace(/:.*/s, '')), ['console', 'console'], 'the failed load, as the browser and the widget tell it');
  // Every computed property of every element of the form (its later steps too) and of their ::before and
  // ::after, but where the page puts the widget (the offsets of what is positioned against the page).
  const looks = () =>
    page.evaluate(() => {
      const placed = /^(top|right|bottom|left|inset-.*)$/;
      const seen = {};
      for (const [i, e] of [...document.querySelectorAll('.tk, .tk *, .tk-load-error')].entries()) {
        for (const pseudo of ['', '::before', '::after']) {
          const style = getComputedStyle(e, pseudo || null);
          for (const name of style) {
            if (!placed.test(name)) seen[`${i} ${e.tagName.toLowerCase()}.${e.classList[0] ?? ''}${pseudo} ${name}`] = style.getPropertyValue(name);
          }
        }
      }
      return seen;
    });
  const plain = await looks();
  const heading = () => page.evaluate(() => getComputedStyle(document.querySelector('h1')).textTransform);
  assert.equal(await heading(), 'none');
  await page.addStyleTag({ url: '/fixtures/page-globals.css' });
  assert.equal(await heading(), 'uppercase', "the page's stylesheet applies to the page");
  const under = await looks();
  const changed = Object.keys(plain).filter((k) => plain[k] !== under[k]);
  assert.ok(Object.keys(plain).length > 50000, `${Object.keys(plain).length} values compared`);
  assert.deepEqual(changed.slice(0, 20).map((k) => `${k}: ${plain[k]} -> ${under[k]}`), []);
  // Its text size is the browser's, whatever the page's root size (10 px here), or the host's --tk-font-size.
  const sizes = () => page.evaluate(() => ['.tk', '.tk-title', '.tk-hint'].map((s) => getComputedStyle(document.querySelector(s)).fontSize));
  assert.deepEqual(await sizes(), ['16px', '24px', '16px']);
  await page.evaluate(() => document.getElementById('form').style.setProperty('--tk-font-size', '20px'));
  assert.deepEqual(await sizes(), ['20px', '30px', '20px']);
  // A page that hides the part holding the form (a tab not shown) or disables it (under a dialog) still
  // does; a dark page's scheme still draws the form's controls (radio buttons, scroll bars).
  const held = () =>
    page.evaluate(() => ['visibility', 'pointerEvents', 'colorScheme'].map((p) => getComputedStyle(document.querySelector('.tk-choice'))[p]));
  assert.deepEqual(await held(), ['visible', 'auto', 'normal']);
  await page.evaluate(() => Object.assign(document.getElementById('form').style, { visibility: 'hidden', pointerEvents: 'none', colorScheme: 'dark' }));
  assert.deepEqual(await held(), ['hidden', 'none', 'dark']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('markup in a definition is shown as text, never parsed', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html?form=xss.json');
  assert.equal(await text(page, 'label[for="tk1-a"] > span'), '<img src=x onerror=alert(1)>');
  assert.equal(await text(page, '.tk-title'), '<b>Tiêu đề</b> <script>alert(1)</script>');
  assert.equal(await page.locator('.tk img, .tk script, .tk svg, .tk b, .tk em, .tk a[href^=javascript]').count(), 0);
  await page.click('.tk-nav button[type=submit]');
  assert.ok((await text(page, '.tk-summary a')).includes('<img src=x onerror=alert(1)>'));
  assert.deepEqual(problems, [], 'no script ran');
  await context.close();
});

test("the WebAssembly the embedding example preloads is the module the widget loads: fetched once, and no warning", async () => {
  const { page, context, problems } = await open(env, '/embed.html', { ready: false });
  const fetched = [];
  const warnings = [];
  page.on('request', (request) => request.url().endsWith('/tokhai_web_bg.wasm') && fetched.push(request.url()));
  page.on('console', (message) => /preload/i.test(message.text()) && warnings.push(message.text()));
  await page.reload();
  await page.waitForSelector('tokhai-form .tk-title');
  // Chromium says an unused preload only after a few seconds of it lying unused.
  await page.waitForTimeout(3500);
  assert.equal(fetched.length, 1, `the module fetched ${fetched.length} times: the preload's mode or credentials do not match the widget's fetch`);
  assert.deepEqual(warnings, []);
  assert.deepEqual(problems, []);
  await context.close();
});
