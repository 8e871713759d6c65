// Prefill from national data on the real back end: provenance and locks in the widget, and every kind
// of tampering refused at submission with a reason the citizen can read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fillToReview, launch, loggedIn, SERVER_BINARY, startPortal } from './helpers.mjs';

const env = { portal: null, short: null, browser: null };

before(async () => {
  env.portal = await startPortal();
  if (!env.portal) return;
  // A second portal whose bundles expire after 2 seconds.
  env.short = await startPortal({ config: 'prefill_ttl_secs = 2\n' });
  env.browser = await launch();
});

after(async () => {
  await env.browser?.close();
  await env.portal?.close();
  await env.short?.close();
});

/** A logged-in citizen's CT01 page, prefilled. */
async function openCt01(portal, prepare = async () => {}) {
  const { context, citizen } = await loggedIn(env.browser, portal);
  const page = await context.newPage();
  await prepare(page);
  await page.goto(`${portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-nav');
  return { context, page, citizen };
}

/** Submits from the review page and returns the text of the error summary that the refusal shows. */
async function submitRefused(page) {
  const next = await fillToReview(page);
  await next.click();
  const summary = page.locator('tokhai-form .tk-summary:not([hidden])');
  await summary.waitFor({ timeout: 15000 });
  return summary.textContent();
}

const skip = (t) => t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);

test('at least 8 fields are prefilled with their source, and the authoritative ones are locked', async (t) => {
  if (!env.portal) return skip(t);
  const { context, page, citizen } = await openCt01(env.portal);
  await page.waitForSelector('tokhai-form .tk-prov');
  const notes = await page.$$eval('tokhai-form .tk-prov', (ps) => ps.map((p) => p.textContent));
  assert.ok(notes.length >= 8, `${notes.length} provenance notes`);
  assert.ok(notes.every((n) => n.includes('Cơ sở dữ liệu quốc gia về dân cư')), notes.join(' | '));
  const locked = await page.$$eval('tokhai-form [data-path]', (els) =>
    els.filter((e) => e.readOnly || e.disabled).map((e) => e.dataset.path),
  );
  for (const path of ['full_name', 'dob', 'pin', 'head_name', 'head_pin']) {
    assert.ok(locked.some((p) => p === path || p.startsWith(`${path}.`)), `${path} is locked (locked: ${locked})`);
  }
  assert.equal(await page.inputValue('tokhai-form input[data-path="full_name"]'), citizen.full_name);
  // The prefilled phone is not authoritative: the citizen may change it.
  const phone = page.locator('tokhai-form input[data-path="phone"]');
  if (await phone.count()) assert.equal(await phone.getAttribute('readonly'), null);
  await context.close();
});

test('a locked value changed in the page is refused with the reason shown', async (t) => {
  if (!env.portal) return skip(t);
  const { context, page } = await openCt01(env.portal);
  const name = page.locator('tokhai-form input[data-path="full_name"]');
  await name.evaluate((input) => input.removeAttribute('readonly'));
  await name.fill('NGUYỄN VĂN GIẢ');
  await name.press('Tab');
  const reasons = await submitRefused(page);
  assert.match(reasons, /không được sửa/, reasons);
  await context.close();
});

test('a locked value changed in the payload on its way is refused with the reason shown', async (t) => {
  if (!env.portal) return skip(t);
  const { context, page } = await openCt01(env.portal, (p) =>
    p.route('**/api/submissions', (route) => {
      const body = JSON.parse(route.request().postData());
      body.values.full_name = 'NGUYỄN VĂN GIẢ';
      return route.continue({ postData: JSON.stringify(body) });
    }),
  );
  const reasons = await submitRefused(page);
  assert.ok(reasons.trim().length > 0, 'a reason is shown');
  assert.doesNotMatch(reasons, /^\s*\d{3}\s*$/, 'not a bare status code');
  await context.close();
});

test('a bundle with a bad signature is refused with the reason shown', async (t) => {
  if (!env.portal) return skip(t);
  const { context, page } = await openCt01(env.portal, (p) =>
    p.route('**/api/prefill/**', async (route) => {
      const res = await route.fetch();
      const bundle = await res.json();
      const s = bundle.signature;
      bundle.signature = (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
      return route.fulfill({ response: res, body: JSON.stringify(bundle) });
    }),
  );
  const reasons = await submitRefused(page);
  assert.match(reasons, /chữ ký/, reasons);
  await context.close();
});

test('a bundle past its expiry is refused with the reason shown', async (t) => {
  if (!env.portal) return skip(t);
  const { context, page } = await openCt01(env.short);
  await page.waitForTimeout(2500);
  const reasons = await submitRefused(page);
  assert.match(reasons, /hết hạn/, reasons);
  await context.close();
});

test('when national data fails, the form stays usable, editable, and says so', async (t) => {
  if (!env.portal) return skip(t);
  const { context, page } = await openCt01(env.portal, (p) =>
    p.route('**/api/prefill/**', (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: '{"code":"prefill_unavailable"}' }),
    ),
  );
  const name = page.locator('tokhai-form input[data-path="full_name"]');
  assert.equal(await name.inputValue(), '');
  assert.equal(await name.getAttribute('readonly'), null, 'nothing is locked without a bundle');
  await name.fill('Nguyễn Văn An');
  assert.equal(await page.locator('tokhai-form .tk-prov').count(), 0);
  assert.match(await page.textContent('tokhai-form .tk-status'), /Chưa lấy được thông tin/);
  await context.close();
});

test('when national data is slow, a notice says so until the values arrive', async (t) => {
  if (!env.portal) return skip(t);
  let release;
  const held = new Promise((ok) => (release = ok));
  const { context, page } = await openCt01(env.portal, (p) =>
    p.route('**/api/prefill/**', async (route) => {
      await held;
      return route.continue();
    }),
  );
  const status = page.locator('tokhai-form .tk-status');
  await page.waitForFunction(() => /Đang lấy thông tin/.test(document.querySelector('tokhai-form .tk-status')?.textContent ?? ''));
  release();
  await page.waitForSelector('tokhai-form .tk-prov');
  assert.equal((await status.textContent()).trim(), '');
  await context.close();
});
