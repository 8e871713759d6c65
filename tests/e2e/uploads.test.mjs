// Attached files on the real back end: a chosen file is uploaded at once and said so at the field, the
// filing waits for it with a reason, the dossier holds its bytes, and a file that could not be sent is
// asked for again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { axeViolations, fillToReview, loggedIn, SERVER_BINARY, toLeaseStep, usePortal } from './helpers.mjs';

const env = usePortal();

const NEXT = 'tokhai-form .tk-nav button[type=submit]';
const LEASE = 'tokhai-form input[data-path=lease]';
const LINE = 'tokhai-form [data-path=lease] .tk-upload';
const ERROR = 'tokhai-form [data-path=lease] .tk-error';
const STATUS = 'tokhai-form .tk-filing-status';
/** axe's WCAG 2.2 A/AA violations inside the widget. */
const violations = (page) => axeViolations(page, { include: 'tokhai-form' });

const PDF = { name: 'hợp đồng thuê.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7 lease of room 12') };

/** Opens the portal's CT01 as a logged-in citizen who rents, at the step that asks for the lease. */
async function atLease() {
  const { context } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${env.portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  await toLeaseStep(page);
  return { context, page, errors };
}

/** Goes on to the review page, submits and waits for the receipt; answers the values sent. */
async function fileIt(page) {
  const sent = page.waitForRequest((r) => r.url().endsWith('/api/submissions') && r.method() === 'POST');
  await fillToReview(page);
  await page.click(NEXT);
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');
  return (await sent).postDataJSON().values;
}

test('a chosen file is uploaded at once, a Submit meanwhile waits for it and sends, and the dossier holds its bytes', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atLease();
  // The upload is held until the test lets it go: the citizen submits meanwhile.
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route('**/api/uploads/**', async (route) => {
    await held;
    await route.continue();
  });
  const answered = page.waitForResponse((r) => r.url().includes('/api/uploads/ct01/lease'));
  await page.setInputFiles(LEASE, PDF);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.length > 0, LINE);
  assert.equal(await page.textContent(LINE), 'Đang tải lên: hợp đồng thuê.pdf…');

  // Submit while the file is on its way: the form says it waits, then sends by itself.
  await fillToReview(page);
  const sent = page.waitForRequest((r) => r.url().endsWith('/api/submissions') && r.method() === 'POST');
  await page.click(NEXT);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.length > 0, STATUS);
  assert.equal(await page.textContent(STATUS), 'Đang chờ tải tệp lên xong, hồ sơ sẽ được gửi ngay sau đó…');
  assert.equal(await page.locator('tokhai-form .tk-summary:not([hidden])').count(), 0, 'no error: nothing is wrong');
  assert.equal(await page.locator('tokhai-form .tk-review').isVisible(), true, 'the citizen stays on the review page');

  release();
  const upload = await (await answered).json();
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');
  const sha256 = createHash('sha256').update(PDF.buffer).digest('hex');
  assert.equal(upload.sha256, sha256);
  const lease = { name: PDF.name, size: PDF.buffer.length, type: 'application/pdf', upload: upload.upload };
  assert.deepEqual((await sent).postDataJSON().values.lease, [lease]);
  const reference = (await page.textContent('tokhai-form .tk-done')).match(/HS\d{8}-[0-9A-F]{16}/)[0];
  assert.equal(
    env.portal.sql(`SELECT name || '|' || size || '|' || sha256 || '|' || submission_id FROM uploads WHERE id = '${upload.upload}'`),
    `${PDF.name}|${PDF.buffer.length}|${sha256}|${reference}`,
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('a file that could not be uploaded is asked for again, and the same file can be chosen again', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atLease();
  let tries = 0;
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route('**/api/uploads/**', async (route) => {
    tries++;
    await held;
    return route.fulfill({ status: 503, contentType: 'application/json', body: '{"error":"unavailable"}' });
  });
  await page.setInputFiles(LEASE, PDF);
  // Submitted meanwhile (here by the JS API): once the upload gives up, the summary says why nothing was sent,
  // and so does the API's answer.
  await fillToReview(page);
  const outcome = page.evaluate(() => document.querySelector('tokhai-form').handle.submit());
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đang chờ'), STATUS);
  release();
  const { ok, issues } = await outcome;
  assert.deepEqual([ok, issues.map((i) => `${i.path} ${i.code}`)], [false, ['lease file.not_uploaded']]);
  await page.waitForSelector('tokhai-form .tk-summary:not([hidden]) a[data-path=lease]', { timeout: 20_000 });
  assert.equal(await page.textContent(STATUS), '');
  await page.waitForSelector(`${ERROR}:not([hidden])`);
  assert.equal(
    await page.textContent(ERROR),
    'Lỗi: Hợp đồng thuê, mượn, ở nhờ (nếu có): tệp hợp đồng thuê.pdf chưa được tải lên, vui lòng chọn lại tệp',
  );
  assert.equal(tries, 3, 'tried three times before giving up');
  // Screen readers hear the failure from the line, a live region; the eye reads the error.
  assert.equal(await page.textContent(LINE), 'Chưa tải lên được: hợp đồng thuê.pdf. Vui lòng chọn lại tệp.');
  assert.equal(await page.getAttribute(LINE, 'role'), 'status');
  assert.equal(await page.$eval(LINE, (e) => e.getBoundingClientRect().width <= 1), true, 'visually hidden');
  assert.equal(await page.$eval(LEASE, (e) => e.files.length), 0, 'the box is emptied for the same file');
  assert.equal(await page.getAttribute(LEASE, 'aria-invalid'), 'true');
  assert.deepEqual(await violations(page), [], 'axe, with the upload failed');

  // Going on to the review page is refused while the file is not kept.
  await page.click(NEXT);
  await page.waitForSelector('tokhai-form .tk-summary:not([hidden]) a[data-path=lease]');

  await page.unroute('**/api/uploads/**');
  await page.setInputFiles(LEASE, PDF);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đã tải lên'), LINE);
  assert.equal(await page.locator(ERROR).isVisible(), false);
  assert.equal(await page.getAttribute(LEASE, 'aria-invalid'), null);
  assert.deepEqual(await violations(page), [], 'axe, with the file uploaded');
  await page.click('tokhai-form [data-act=lang]');
  assert.equal(await page.textContent(LINE), 'Uploaded: hợp đồng thuê.pdf.');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a file the back end refuses for what it is says why, in both languages, not only “choose it again”', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atLease();
  await page.setInputFiles(LEASE, { name: 'hop-dong.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not a PDF at all') });
  await page.waitForSelector(`${ERROR}:not([hidden])`);
  const reason = /^Hợp đồng thuê, mượn, ở nhờ \(nếu có\): nội dung tệp hop-dong\.pdf không khớp với loại tệp/;
  assert.match((await page.textContent(ERROR)).replace(/^Lỗi: /, ''), reason);
  assert.match(await page.textContent(LINE), reason, 'screen readers hear the reason from the line');
  await page.click('tokhai-form [data-act=lang]');
  assert.match(await page.textContent(ERROR), /the content of hop-dong\.pdf does not match its type/);
  assert.match(await page.textContent(LINE), /the content of hop-dong\.pdf does not match its type/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a file whose name hides what it is is refused when chosen, with the reason, and not uploaded', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atLease();
  const uploads = [];
  page.on('request', (r) => r.url().includes('/api/uploads/') && uploads.push(r.url()));
  // Shown as "hosoexe.pdf", it is named "hoso" + right-to-left override + "fdp.exe".
  await page.setInputFiles(LEASE, { ...PDF, name: 'hoso\u202Efdp.exe' });
  await page.waitForSelector(`${ERROR}:not([hidden])`);
  assert.match(await page.textContent(ERROR), /tên tệp trống, quá dài hoặc có ký tự không hợp lệ/);
  await page.setInputFiles(LEASE, PDF);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đã tải lên'), LINE);
  assert.equal(uploads.length, 1, 'only the well-named file is sent');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a file that could not be uploaded holds nothing back once its field no longer applies', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atLease();
  await page.route('**/api/uploads/**', (route) => route.fulfill({ status: 400, body: '{}' }));
  await page.setInputFiles(LEASE, PDF);
  await page.waitForSelector(`${ERROR}:not([hidden])`);
  // The citizen owns the home after all: no lease is asked for, and the filing goes through.
  const owned = page.locator('tokhai-form input[data-path=housing][value=so_huu]');
  while (!(await owned.isVisible())) await page.click('tokhai-form .tk-nav [data-act=back]');
  await owned.check();
  assert.equal((await fileIt(page)).lease, undefined);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a phone's photo too large for the field is shrunk to fit before it is read and uploaded", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atLease();
  // A 12-megapixel picture with a camera's grain, as a lossless PNG: far over the lease's 5 MB.
  const photo = Buffer.from(
    await page.evaluate(async () => {
      const [w, h] = [4000, 3000];
      const canvas = new OffscreenCanvas(w, h);
      const ctx = canvas.getContext('2d');
      const image = ctx.createImageData(w, h);
      for (let i = 0; i < image.data.length; i += 4) {
        const x = (i / 4) % w;
        const grain = Math.random() * 24;
        image.data[i] = (x / w) * 200 + grain;
        image.data[i + 1] = 120 + grain;
        image.data[i + 2] = 180 - (x / w) * 100 + grain;
        image.data[i + 3] = 255;
      }
      ctx.putImageData(image, 0, 0);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      const url = await new Promise((ok) => {
        const reader = new FileReader();
        reader.onload = () => ok(reader.result);
        reader.readAsDataURL(blob);
      });
      return url.slice(url.indexOf(',') + 1);
    }),
    'base64',
  );
  assert.ok(photo.length > 5 * 1024 * 1024, `the picture is over the limit (${photo.length} bytes)`);
  const answered = page.waitForResponse((r) => r.url().includes('/api/uploads/ct01/lease'));
  await page.setInputFiles(LEASE, { name: 'anh-hop-dong.png', mimeType: 'image/png', buffer: photo });
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đã tải lên'), LINE);
  assert.equal(await page.textContent(LINE), 'Đã tải lên: anh-hop-dong.jpg.');
  assert.equal(await page.locator(ERROR).isVisible(), false, 'no "larger than 5 MB" error');
  const [lease] = await page.evaluate(() => document.querySelector('tokhai-form').handle.values().lease);
  assert.equal(lease.type, 'image/jpeg');
  assert.ok(lease.size > 0 && lease.size <= 5 * 1024 * 1024, `${lease.size} bytes`);
  const kept = await (await answered).json();
  assert.deepEqual([kept.name, kept.size, kept.type], [lease.name, lease.size, lease.type]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a slow connection the upload line shows how much is sent, to the eye only', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atLease();
  const cdp = await context.newCDPSession(page);
  // About 3G's upload speed: a 1 MB scan takes some 4 seconds.
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 40, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
  const scan = { name: 'ban-chup.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(1024 * 1024, '%PDF-1.7 ') };
  // What the line says is written when it changes, not again with every percent (a screen reader would
  // read it again each time).
  await page.$eval(LINE, (line) => {
    window.spoken = [];
    new MutationObserver((changes) => {
      for (const c of changes) for (const n of c.addedNodes) if (n.nodeType === Node.TEXT_NODE && n.parentNode === line) window.spoken.push(n.data);
    }).observe(line, { childList: true, subtree: true, characterData: true });
  });
  await page.setInputFiles(LEASE, scan);
  const shown = await page.waitForFunction(
    (s) => {
      const percent = document.querySelector(`${s} span[aria-hidden=true]`)?.textContent.match(/^ (\d+)%$/)?.[1];
      return percent > 0 && percent < 100 && Number(percent);
    },
    LINE,
    { polling: 50 },
  );
  assert.ok((await shown.jsonValue()) > 0);
  assert.ok((await page.textContent(LINE)).startsWith('Đang tải lên: ban-chup.pdf…'));
  // A second page chosen meanwhile: the percentage goes on at once over both, counting the first's bytes
  // on their way (not only once the first is kept: that would be 50% and more).
  await page.setInputFiles(LEASE, { ...scan, name: 'trang-2.pdf' });
  const both = await page.waitForFunction(
    (s) => {
      const line = document.querySelector(s);
      const percent = line?.querySelector('span[aria-hidden=true]')?.textContent.match(/^ (\d+)%$/)?.[1];
      return line?.textContent.startsWith('Đang tải lên: ban-chup.pdf, trang-2.pdf…') && percent > 0 && Number(percent);
    },
    LINE,
    { polling: 50 },
  );
  assert.ok((await both.jsonValue()) < 50, `${await both.jsonValue()}% while the first page is still on its way`);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đã tải lên'), LINE, { timeout: 30_000 });
  assert.equal(await page.textContent(LINE), 'Đã tải lên: ban-chup.pdf, trang-2.pdf.', 'no percentage once kept');
  const spoken = await page.evaluate(() => window.spoken);
  assert.ok(spoken.every((said, i) => said !== spoken[i - 1]), `${spoken.length} lines said: ${[...new Set(spoken)].join(' / ')}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a lease's pages are chosen one at a time, each uploaded once; one removed by keyboard is not sent; the dossier holds the others", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atLease();
  const uploads = [];
  page.on('request', (r) => r.url().includes('/api/uploads/ct01/lease') && uploads.push(new URL(r.url()).searchParams.get('name')));
  const page_ = (n) => ({ name: `trang-${n}.pdf`, mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.7 lease page ${n}`) });
  // The first page is held on its way while the second is chosen.
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route('**/api/uploads/**', async (route) => {
    if (route.request().url().includes('trang-1')) await held;
    await route.continue();
  });
  await page.setInputFiles(LEASE, page_(1));
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đang tải lên: trang-1.pdf'), LINE);
  await page.setInputFiles(LEASE, page_(2));
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đang tải lên: trang-1.pdf, trang-2.pdf'), LINE);
  const kept = () => page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đã tải lên'), LINE);
  release();
  await kept();
  await page.setInputFiles(LEASE, page_(3));
  await kept();
  assert.deepEqual(uploads.toSorted(), ['trang-1.pdf', 'trang-2.pdf', 'trang-3.pdf'], 'each page uploaded once, the one on its way too');
  assert.equal(await page.textContent(LINE), 'Đã tải lên: trang-1.pdf, trang-2.pdf, trang-3.pdf.');
  assert.deepEqual(await violations(page), [], 'axe: the box, its files and their buttons');
  const lease = () => page.evaluate(() => document.querySelector('tokhai-form').handle.values().lease ?? []);
  assert.ok((await lease()).every((f) => /^\S+$/.test(f.upload)), 'each with its reference');
  await page.focus('tokhai-form [data-path=lease] [data-act=remove-file] >> nth=1');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Bỏ tệp trang-3.pdf (1\u00a0KB)', 'focus on the next page');
  assert.equal(await page.textContent('tokhai-form .tk-notice'), 'Đã bỏ tệp trang-2.pdf (1\u00a0KB).', 'a screen reader hears what went');
  assert.deepEqual((await lease()).map((f) => f.name), ['trang-1.pdf', 'trang-3.pdf']);
  assert.equal(uploads.length, 3, 'a removal uploads nothing');
  const sent = await fileIt(page);
  assert.deepEqual(sent.lease.map((f) => f.name), ['trang-1.pdf', 'trang-3.pdf']);
  const reference = (await page.textContent('tokhai-form .tk-done')).match(/HS\d{8}-[0-9A-F]{16}/)[0];
  assert.equal(env.portal.sql(`SELECT group_concat(name, ',') FROM (SELECT name FROM uploads WHERE submission_id = '${reference}' ORDER BY name)`), 'trang-1.pdf,trang-3.pdf');
  assert.deepEqual(errors, []);
  await context.close();
});

test('two files of the same name and size are two uploads; one removed on its way leaves the kept ones kept', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atLease();
  const scan = (text) => ({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.from(`%PDF-1.7 ${text}`) });
  const [one, two] = [scan('PAGE-ONE'), scan('PAGE-TWO')];
  const kept = () => page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đã tải lên'), LINE);
  await page.setInputFiles(LEASE, one);
  await kept();
  await page.setInputFiles(LEASE, two);
  await kept();
  // A third is removed while it is on its way.
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route('**/api/uploads/**', async (route) => {
    await held;
    await route.continue();
  });
  await page.setInputFiles(LEASE, PDF);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đang tải lên'), LINE);
  await page.click('tokhai-form [data-path=lease] [data-act=remove-file] >> nth=2');
  release();
  await page.waitForTimeout(300);
  assert.equal(await page.textContent(LINE), 'Đã tải lên: scan.pdf, scan.pdf.');
  assert.equal(await page.locator(ERROR).count(), 0, 'nothing to choose again');
  const sent = await fileIt(page);
  assert.equal(new Set(sent.lease.map((f) => f.upload)).size, 2, 'two references');
  const reference = (await page.textContent('tokhai-form .tk-done')).match(/HS\d{8}-[0-9A-F]{16}/)[0];
  const hashes = env.portal.sql(`SELECT group_concat(sha256, ',') FROM (SELECT sha256 FROM uploads WHERE submission_id = '${reference}' ORDER BY sha256)`);
  const sha = (b) => createHash('sha256').update(b).digest('hex');
  assert.equal(hashes, [sha(one.buffer), sha(two.buffer)].sort().join(','), 'the dossier holds both pages');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a chosen file can be removed again, by keyboard, and focus stays on its box', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atLease();
  const clear = 'tokhai-form [data-path=lease] [data-act=remove-file]';
  assert.equal(await page.locator(clear).count(), 0, 'nothing to remove yet');
  await page.setInputFiles(LEASE, PDF);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Đã tải lên'), LINE);
  assert.equal(await page.textContent(clear), 'Bỏ tệp hợp đồng thuê.pdf (1\u00a0KB)');
  await page.focus(clear);
  await page.keyboard.press('Enter');
  await page.waitForSelector(clear, { state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement.dataset.path), 'lease', 'focus on the file box');
  assert.equal(await page.$eval(LEASE, (e) => e.files.length), 0);
  assert.equal(await page.textContent(LINE), '');
  const values = await page.evaluate(() => document.querySelector('tokhai-form').handle.values());
  assert.equal(values.lease, undefined, 'no file in the values');
  // The lease is optional: the filing goes through without it.
  assert.equal((await fileIt(page)).lease, undefined);
  assert.deepEqual(errors, []);
  await context.close();
});
