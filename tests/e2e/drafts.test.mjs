// Drafts on the real back end: a reload in the middle of the form restores the answers and the step,
// drafts are encrypted at rest, a changed definition keeps what still fits and names what was dropped,
// and the receipt clears the draft.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerSummary, fillToReview, loggedIn, readStore, SERVER_BINARY, toLeaseStep, usePortal } from './helpers.mjs';

const env = usePortal();

const NEXT = 'tokhai-form .tk-nav button[type=submit]';
const STATUS = 'tokhai-form .tk-status';
const DETAIL = 'tokhai-form textarea[data-path=request_detail]';
const EMAIL = 'tokhai-form input[data-path=email]';
const SECRET = 'Đề nghị Quokka Zebra';
const LEASE = 'tokhai-form input[data-path=lease]';
const UPLOAD_LINE = 'tokhai-form [data-path=lease] .tk-upload';

/**
 * Resolves when the widget has saved a draft begun from now on (call before the change): a save already
 * on its way holds the answers from before it.
 */
const nextSave = (page) =>
  page.evaluate(
    () =>
      new Promise((ok) => {
        const since = Date.now();
        const saved = (event) => {
          if (event.detail.saved_at < since) return;
          document.removeEventListener('tokhai-draft', saved);
          ok();
        };
        document.addEventListener('tokhai-draft', saved);
      }),
  );

/** Every record of an IndexedDB store of the widget. */
const records = (page, store) => readStore(page, store, 'records');

/** Opens the portal's CT01 (prefilled) in a context. */
async function openForm(context) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  return { page, errors };
}

test('a draft restored while national data fails: the page says both, not only the last', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context } = await loggedIn(env.browser, env.portal);
  const { page, errors } = await openForm(context);
  const saved = nextSave(page);
  await page.fill(EMAIL, 'an.quokka@example.vn');
  await saved;
  await page.route(/\/api\/prefill\/[^/]+$/, (route) =>
    route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"prefill_unavailable"}' }),
  );
  await page.reload();
  await page.waitForFunction(
    (s) => /Chưa lấy được/.test(document.querySelector(s)?.textContent) && /Đã khôi phục/.test(document.querySelector(s)?.textContent),
    STATUS,
  );
  const said = await page.textContent(STATUS);
  assert.match(said, /Chưa lấy được thông tin/, said);
  assert.match(said, /Đã khôi phục thông tin bạn nhập trước đó\./, said);
  assert.equal(await page.inputValue(EMAIL), 'an.quokka@example.vn');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a reload in the middle of the form, or on the review page, restores the answers and the screen, from an encrypted draft', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context } = await loggedIn(env.browser, env.portal);
  const { page, errors } = await openForm(context);
  let saved = nextSave(page);
  await page.fill(EMAIL, 'an.quokka@example.vn');
  await saved;
  for (let round = 0; round < 6 && !(await page.locator(DETAIL).isVisible()); round++) {
    await page.click(NEXT);
    if (await page.locator('tokhai-form .tk-summary:not([hidden])').count()) await answerSummary(page);
  }
  await page.waitForSelector(DETAIL, { state: 'visible' });
  const step = await page.textContent('tokhai-form .tk-progress-label');
  saved = nextSave(page);
  await page.fill(DETAIL, SECRET);
  await saved;

  const [draft] = await records(page, 'drafts');
  assert.equal(draft.iv, 12, 'a 96-bit IV');
  assert.ok(!draft.text.includes('Quokka') && !draft.text.includes('quokka'), 'encrypted at rest');
  // Sealed with the citizen's own key, which the portal gives their logged-in pages: the browser keeps none.
  assert.equal(await readStore(page, 'keys'), 0, 'no key kept in the browser');

  await page.reload();
  await page.waitForSelector('tokhai-form .tk-prov', { state: 'attached' });
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.length > 0, STATUS);
  assert.equal(await page.textContent(STATUS), 'Đã khôi phục thông tin bạn nhập trước đó.');
  assert.equal(await page.textContent('tokhai-form .tk-progress-label'), step, 'back on the same step');
  assert.equal(await page.inputValue(DETAIL), SECRET);
  assert.equal(await page.inputValue(EMAIL), 'an.quokka@example.vn');

  await fillToReview(page);
  assert.ok((await page.textContent('tokhai-form .tk-review')).includes(SECRET));
  // Reloaded on the review page, the citizen is back on it, not on step 1.
  await page.evaluate(() => document.querySelector('tokhai-form').handle.saveDraft());
  await page.reload();
  await page.waitForSelector('tokhai-form .tk-review:not([hidden])');
  assert.ok((await page.textContent('tokhai-form .tk-review')).includes(SECRET));
  await page.click(NEXT);
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');
  await page.waitForFunction(
    () =>
      new Promise((ok) => {
        indexedDB.open('tokhai').onsuccess = (e) => {
          const count = e.target.result.transaction('drafts').objectStore('drafts').count();
          count.onsuccess = () => ok(count.result === 0);
        };
      }),
  );
  assert.deepEqual(await records(page, 'drafts'), [], 'the receipt clears the draft');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a file not yet uploaded cannot come back from a draft and is asked for again; an uploaded one comes back', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context } = await loggedIn(env.browser, env.portal);
  const { page, errors } = await openForm(context);
  // A rented home: the consents step asks for the lease, a file.
  await toLeaseStep(page);
  const file = { name: 'hop-dong-thue.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7') };
  // The upload never finishes: the draft has the file's name, not the file.
  await page.route('**/api/uploads/**', () => {});
  let saved = nextSave(page);
  await page.setInputFiles(LEASE, file);
  await saved;
  assert.equal((await page.evaluate(() => document.querySelector('tokhai-form').handle.values().lease))[0].name, 'hop-dong-thue.pdf');

  await page.addInitScript(() => document.addEventListener('tokhai-restored', (e) => (window.restored = e.detail)));
  // (Let go of the upload only once the page is gone: let go before, it is tried again, reaches the back
  // end, and the draft then rightly keeps the file.)
  await page.reload();
  await page.unroute('**/api/uploads/**');
  await page.waitForSelector(LEASE, { state: 'visible' });
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.length > 0, STATUS);
  assert.equal(
    await page.textContent(STATUS),
    'Đã khôi phục thông tin bạn nhập trước đó. Tệp đã chọn không được lưu lại, bạn hãy chọn lại: hop-dong-thue.pdf.',
  );
  assert.deepEqual(
    await page.evaluate(() => window.restored.dropped),
    [{ path: 'lease', code: 'file.not_kept', label: 'Hợp đồng thuê, mượn, ở nhờ (nếu có)' }],
    'the host is told too',
  );
  assert.equal(await page.$eval(LEASE, (e) => e.files.length), 0);
  let values = await page.evaluate(() => document.querySelector('tokhai-form').handle.values());
  assert.equal(values.lease, undefined, 'no file the citizen no longer has');
  assert.equal(values.housing, 'thue_muon', 'the other answers are back');

  // Uploaded this time: the back end keeps the file, and the draft its reference. A second page is still
  // on its way when the tab reloads: the first comes back, the second alone is asked for again.
  await page.setInputFiles(LEASE, file);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đã tải lên'), UPLOAD_LINE);
  await page.route('**/api/uploads/**', () => {});
  saved = nextSave(page);
  await page.setInputFiles(LEASE, { name: 'trang-2.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7 page 2') });
  await saved;
  await page.reload();
  await page.unroute('**/api/uploads/**');
  await page.waitForSelector(LEASE, { state: 'visible' });
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.length > 0, STATUS);
  assert.equal(
    await page.textContent(STATUS),
    'Đã khôi phục thông tin bạn nhập trước đó. Tệp đã chọn không được lưu lại, bạn hãy chọn lại: trang-2.pdf.',
  );
  assert.equal(await page.textContent(UPLOAD_LINE), 'Đã tải lên: hop-dong-thue.pdf.');
  assert.ok(await page.isVisible('tokhai-form [data-path=lease] [data-act=remove-file]'), 'and can be removed');
  values = await page.evaluate(() => document.querySelector('tokhai-form').handle.values());
  assert.match(values.lease[0].upload, /^\S+$/, 'the reference is back');
  // And the back end takes the dossier with it.
  await fillToReview(page);
  assert.ok((await page.textContent('tokhai-form .tk-review')).includes('hop-dong-thue.pdf'));
  await page.click(NEXT);
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an uploaded file the back end no longer keeps (past its retention) is asked for again when the dossier is sent', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context } = await loggedIn(env.browser, env.portal);
  const { page, errors } = await openForm(context);
  await toLeaseStep(page);
  await page.setInputFiles(LEASE, { name: 'hop-dong-cu.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7') });
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đã tải lên'), UPLOAD_LINE);
  const saved = nextSave(page);
  await page.evaluate(() => document.querySelector('tokhai-form').handle.saveDraft());
  await saved;
  await page.reload();
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đã tải lên'), UPLOAD_LINE);
  // The citizen came back after the retention: the back end no longer has the file.
  env.portal.sql("DELETE FROM uploads WHERE name = 'hop-dong-cu.pdf'");
  await fillToReview(page);
  await page.click(NEXT);
  await page.waitForSelector('tokhai-form .tk-summary:not([hidden]) a[data-path=lease]');
  assert.match(await page.textContent('tokhai-form .tk-summary'), /tệp hop-dong-cu\.pdf chưa được tải lên, vui lòng chọn lại tệp/);
  // The field no longer says the file is uploaded; screen readers hear that it is to be chosen again.
  assert.equal(await page.textContent(UPLOAD_LINE), 'Chưa tải lên được: hop-dong-cu.pdf. Vui lòng chọn lại tệp.');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a draft saved under another definition keeps what still fits and says what was dropped', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context } = await loggedIn(env.browser, env.portal);
  const { page, errors } = await openForm(context);
  const saved = nextSave(page);
  await page.fill(EMAIL, 'binh.quokka@example.vn');
  await saved;
  // Rewrite the draft as an older definition would have left it: another ruleset and a field that is gone.
  await page.evaluate(
    () =>
      new Promise((ok, fail) => {
        indexedDB.open('tokhai').onsuccess = async (e) => {
          const db = e.target.result;
          const read = (store, key) =>
            new Promise((r) => {
              const g = db.transaction(store).objectStore(store).get(key);
              g.onsuccess = () => r(g.result);
            });
          const keys = await new Promise((r) => {
            const g = db.transaction('drafts').objectStore('drafts').getAllKeys();
            g.onsuccess = () => r(g.result);
          });
          // The citizen's own key, as the portal gives their pages.
          const { draft_key: key } = await fetch('/api/me').then((r) => r.json());
          const raw = Uint8Array.from(atob(key.replace(/-/g, '+').replace(/_/g, '/') + '='), (c) => c.charCodeAt(0));
          const aes = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
          const rec = await read('drafts', keys[0]);
          const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: rec.iv }, aes, rec.data);
          const draft = JSON.parse(new TextDecoder().decode(plain));
          draft.ruleset_hash = '0'.repeat(64);
          draft.version = '2024.1';
          draft.values.old_fax = '024 3825 0000';
          const iv = crypto.getRandomValues(new Uint8Array(12));
          const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, new TextEncoder().encode(JSON.stringify(draft)));
          const tx = db.transaction('drafts', 'readwrite');
          tx.objectStore('drafts').put({ iv, data }, keys[0]);
          tx.oncomplete = () => ok();
          tx.onerror = () => fail(tx.error);
        };
      }),
  );
  const restored = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('restored '), timeout: 15000 });
  await page.addInitScript(() =>
    document.addEventListener('tokhai-restored', (e) => console.log(`restored ${JSON.stringify(e.detail)}`)),
  );
  await page.reload();
  const detail = JSON.parse((await restored).text().slice('restored '.length));
  assert.equal(detail.definition_changed, true);
  assert.deepEqual(detail.dropped.map((d) => [d.path, d.code]), [['old_fax', 'payload.unknown_field']]);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.includes('old_fax'), STATUS);
  assert.match(await page.textContent(STATUS), /^Đã khôi phục thông tin bạn nhập trước đó\. Biểu mẫu đã thay đổi.*: old_fax\.$/);
  assert.equal(await page.inputValue(EMAIL), 'binh.quokka@example.vn', 'what still fits is kept');
  assert.deepEqual(errors, []);
  await context.close();
});

test('an answer that was wrong before a reload is shown wrong again after it, not only at Next', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context } = await loggedIn(env.browser, env.portal);
  const { page, errors } = await openForm(context);
  const error = 'tokhai-form div[data-path=email] > .tk-error';
  const saved = nextSave(page);
  await page.fill(EMAIL, 'an.quokka@');
  await page.press(EMAIL, 'Tab');
  await saved;
  const shown = await page.textContent(error);
  assert.ok(shown.includes('Thư điện tử'), shown);
  await page.reload();
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.length > 0, STATUS);
  assert.equal(await page.inputValue(EMAIL), 'an.quokka@');
  assert.equal(await page.textContent(error), shown);
  assert.equal(await page.getAttribute(EMAIL, 'aria-invalid'), 'true');
  assert.deepEqual(errors, []);
  await context.close();
});

test('what a citizen types is saved as they type: a reload in the middle of a word keeps what was typed', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context } = await loggedIn(env.browser, env.portal);
  const { page, errors } = await openForm(context);
  // Typed without a pause, and the page reloaded at once, before the citizen leaves the box.
  const typed = 'an.quokka.zebra@example.vn';
  await page.fill(EMAIL, '');
  await page.keyboard.type(typed, { delay: 25 });
  await page.reload();
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.length > 0, STATUS);
  const kept = await page.inputValue(EMAIL);
  // All of it but at most what the last moment's save had no time to write (a save begun as the page
  // goes does not finish): with saves put off until a pause, nothing was kept.
  assert.ok(kept.length >= typed.length - 2 && typed.startsWith(kept), `kept "${kept}" of "${typed}"`);
  assert.deepEqual(errors, []);
  await context.close();
});
