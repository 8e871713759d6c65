// The embedding guide's examples (www/guide.html) and the README's, pasted into pages as they are, on the
// real back end: the custom element, themed by the theming example, files CT01 and its listener hears the
// reference; the JavaScript API's tour runs from mount to destroy; the early start mounts the form; the
// README's element shows the form prefilled and its script files it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guideExamples, readmeExamples } from '../guide-examples.mjs';
import { fillToReview, loggedIn, SERVER_BINARY, usePortal } from './helpers.mjs';

const env = usePortal();

/** The guide's example that starts with `start`. */
function example(start) {
  const found = guideExamples().filter((code) => code.startsWith(start));
  assert.equal(found.length, 1, `one example of the guide starts with ${start}`);
  return found[0];
}

/**
 * Serves the portal's `/guide/<name>` from `files` in `context` (the pages are the portal's, with its
 * login, module and endpoints) and opens `page`; resolves to { page, problems, logs }.
 */
async function openExample(context, files, page) {
  const types = { html: 'text/html', js: 'text/javascript', css: 'text/css' };
  await context.route(`${env.portal.url}/guide/*`, (route) => {
    const name = new URL(route.request().url()).pathname.slice('/guide/'.length);
    if (!(name in files)) return route.fulfill({ status: 404, body: '' });
    route.fulfill({ contentType: `${types[name.split('.').pop()]}; charset=utf-8`, body: files[name] });
  });
  const tab = await context.newPage();
  const problems = [];
  const logs = [];
  tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  tab.on('console', (m) => (m.type() === 'error' ? problems : logs).push(m.text()));
  await tab.goto(`${env.portal.url}/guide/${page}`);
  return { page: tab, problems, logs };
}

/** An HTML page holding `body`, with `head`. */
const html = (body, head = '') =>
  `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Guide</title>${head}</head><body><main>${body}</main></body></html>`;

/** Resolves once `holds()` is true, polling (what a page logs may come after what it shows). */
async function until(holds, what) {
  for (let i = 0; i < 100 && !holds(); i++) await new Promise((ok) => setTimeout(ok, 50));
  assert.ok(holds(), what());
}

test("the custom element's example, themed, files CT01 for a logged-in citizen, and the listener's example hears its reference", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context, citizen } = await loggedIn(env.browser, env.portal);
  const { page, problems, logs } = await openExample(
    context,
    {
      'element.html': html(
        `${example('<script type="module"')}\n<script type="module" src="/guide/listener.js"></script>`,
        '<link rel="stylesheet" href="/guide/theme.css">',
      ),
      'listener.js': example("document.querySelector('tokhai-form')"),
      'theme.css': example('tokhai-form {'),
    },
    'element.html',
  );
  await page.waitForSelector('tokhai-form .tk-prov');
  assert.equal(await page.inputValue('tokhai-form input[data-path="full_name"]'), citizen.full_name, 'prefilled from national data');
  const look = await page.$eval('tokhai-form .tk-nav button[type=submit]', (b) => {
    const s = getComputedStyle(b);
    return [s.backgroundColor, s.color, s.borderTopLeftRadius];
  });
  assert.deepEqual(look, ['rgb(138, 21, 56)', 'rgb(255, 255, 255)', '4px'], "the theme's colours and radius");
  const next = await fillToReview(page);
  await next.click();
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');
  const reference = (await page.textContent('tokhai-form .tk-reference-code')).trim();
  assert.match(reference, /^HS\d{8}-/);
  await until(() => logs.includes(`reference ${reference}`), () => `the listener logs it: ${JSON.stringify(logs)}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the JavaScript API's example runs as written, from mount to destroy", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, citizen } = await loggedIn(env.browser, env.portal);
  // What the tour leaves behind: the values it read before destroying the form, and that it ran to its end.
  const probe = '\nwindow.guideRan = { values: form.values() };';
  const tour = example("import { mount } from '/pkg/index.js'").replace('\nform.destroy();', `${probe}\nform.destroy();`);
  assert.notEqual(tour, example("import { mount } from '/pkg/index.js'"), 'the tour ends with form.destroy()');
  const { page, problems, logs } = await openExample(
    context,
    { 'api.html': html('<div id="form"></div><script type="module" src="/guide/api.js"></script>'), 'api.js': tour },
    'api.html',
  );
  const ran = await page.waitForFunction(() => window.guideRan, null, { timeout: 15000 }).then(
    (h) => h.jsonValue(),
    (e) => assert.fail(`the tour did not run to its end: ${e.message} ${problems.join('; ')}`),
  );
  assert.equal(ran.values.full_name, citizen.full_name, 'mounted with the prefill option: the values hold national data');
  // `submit()` on the form as prefilled is refused for what it still asks, which the `invalid` handler logs.
  await page.waitForFunction(() => !document.querySelector('#form').hasChildNodes());
  await until(() => logs.some((line) => /^\[Tỉnh, thành phố: vui lòng chọn/.test(line)), () => `the invalid handler logs the reasons: ${JSON.stringify(logs)}`);
  assert.equal(await page.evaluate(() => document.querySelector('#form').childElementCount), 0, 'destroyed');
  assert.deepEqual(problems, []);
  await context.close();
});

test("the early start's example mounts the form", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const context = await env.browser.newContext();
  const { page, problems } = await openExample(
    context,
    {
      'early.html': html('<div id="form"></div><script type="module" src="/guide/early.js"></script>'),
      'early.js': `${example('import { load, compileForm')}\nwindow.guideForm = form;`,
    },
    'early.html',
  );
  await page.waitForFunction(() => window.guideForm);
  assert.match(await page.textContent('#form .tk-title'), /Mẫu CT01/);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the README's examples: the element shows CT01 prefilled, and the script files it and logs its reference", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, citizen } = await loggedIn(env.browser, env.portal);
  const [element] = readmeExamples('html');
  const [script] = readmeExamples('js');
  const { page: shown, problems: elementProblems } = await openExample(context, { 'element.html': html(element) }, 'element.html');
  await shown.waitForSelector('tokhai-form .tk-prov');
  assert.equal(await shown.inputValue('tokhai-form input[data-path="full_name"]'), citizen.full_name);
  await shown.close();
  const { page, problems, logs } = await openExample(
    context,
    { 'script.html': html('<div id="form"></div><script type="module" src="/guide/script.js"></script>'), 'script.js': script },
    'script.html',
  );
  await page.waitForSelector('#form .tk-prov');
  await (await fillToReview(page)).click();
  await page.waitForSelector('#form .tk-done:not([hidden])');
  const reference = (await page.textContent('#form .tk-reference-code')).trim();
  await until(() => logs.includes(reference), () => `the submitted handler logs ${reference}: ${JSON.stringify(logs)}`);
  assert.deepEqual([...elementProblems, ...problems], []);
  await context.close();
});
