// The citizen's own dossiers on the real back end: a CT01 filed through the portal is listed as received,
// then, once an official refuses it with a reason at the phone, as refused with that reason under the
// phone's label and the way to file again, in Vietnamese and English, at 360 px; more than a page of them
// a page at a time; before login the page says so with the way to log in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, fillToReview, loggedIn, OFFICIALS_TOKEN as TOKEN, open, SERVER_BINARY, text, usePortal, vietnamTime } from './helpers.mjs';

const env = usePortal({ config: `officials_token = "${TOKEN}"\n` });

/** The rows of the first dossier's summary list, term and description run together. */
const summary = (page) => page.$$eval('#dossiers section:first-child .summary-list > div', (rows) => rows.map((r) => r.textContent));

test('a citizen reads that the CT01 they filed is received, then refused with the reason at the phone, and can file it again, at 360 px', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context: citizen } = await loggedIn(env.browser, env.portal);
  const filing = await citizen.newPage();
  await filing.goto(`${env.portal.url}/`);
  await filing.waitForSelector('tokhai-form .tk-prov');
  assert.equal(await filing.getAttribute('.portal-header nav a[href="/dossiers.html"]', 'href'), '/dossiers.html', 'the logged-in portal links to the dossiers');
  await (await fillToReview(filing)).click();
  await filing.waitForSelector('tokhai-form .tk-done:not([hidden])');
  const id = await text(filing, 'tokhai-form .tk-reference-code');
  const [receivedAt, dueAt] = env.portal.sql(`SELECT received_at || '|' || due_at FROM submissions WHERE id = '${id}'`).split('|').map(Number);
  assert.ok(dueAt > receivedAt, 'CT01 for permanent residence has a time limit');
  const storageState = await citizen.storageState();

  const { page, context, problems } = await open({ browser: env.browser, server: env.portal }, '/dossiers.html', { width: 360, ready: false, storageState });
  await page.waitForSelector('#dossiers section');
  assert.equal(await text(page, '#dossiers h2'), 'Tờ khai thay đổi thông tin cư trú (Mẫu CT01)');
  assert.deepEqual(await summary(page), [
    `Mã hồ sơ${id}`, `Thời điểm nộp${vietnamTime(receivedAt)}`, `Hẹn trả kết quả trước${vietnamTime(dueAt)}`, 'Trạng tháiĐã tiếp nhận, đang xử lý',
  ]);

  const reason = 'Số điện thoại không liên lạc được, vui lòng kiểm tra lại';
  const decided = await fetch(`${env.portal.url}/api/officials/dossiers/${id}/decision`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ decision: 'refused', official: 'Trần Thị B', reasons: [{ path: 'phone', message_vi: reason }] }),
  });
  assert.equal(decided.status, 201);
  const { decided_at: decidedAt } = await decided.json();

  await page.reload();
  await page.waitForSelector('#dossiers section .reasons');
  assert.deepEqual(await summary(page), [
    `Mã hồ sơ${id}`,
    `Thời điểm nộp${vietnamTime(receivedAt)}`,
    `Hẹn trả kết quả trước${vietnamTime(dueAt)}`,
    'Trạng tháiBị từ chối',
    `Thời điểm quyết định${vietnamTime(decidedAt)}`,
    `Lý do từ chốiSố điện thoại liên hệ: ${reason}`,
  ]);
  const again = page.locator('#dossiers section a');
  assert.deepEqual([await again.textContent(), await again.getAttribute('href')], ['Nộp lại hồ sơ cho thủ tục này', '/?form=ct01']);
  assert.equal(await text(page, '#status'), 'Bạn có 1 hồ sơ, mới nhất ở trên cùng.');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360, 'nothing wider than the screen');
  assert.deepEqual(await axeViolations(page), []);

  await page.click('#lang');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.deepEqual((await summary(page)).slice(2), [`Decision due by${vietnamTime(dueAt)}`, 'StateRefused', `Decided at${vietnamTime(decidedAt)}`, `Reasons for refusalContact phone: ${reason}`]);
  assert.equal(await again.textContent(), 'File this procedure again');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);
  assert.deepEqual(problems, []);
  await context.close();
  await citizen.close();
});

test('a citizen with more than 100 dossiers sees the latest 100, then the earlier ones with "Xem thêm", the focus on the first of them', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context: citizen, citizen: who } = await loggedIn(env.browser, env.portal);
  // 130 birth registrations of this citizen's, a minute apart from 01/01/2025 07:01 (Viet Nam).
  env.portal.sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 130)
    INSERT INTO submissions (id, form_id, form_version, received_at, digest, payload, provenance, subject)
    SELECT printf('HS20250101-MINE%03d', i), 'birth_registration', '1', ${Date.UTC(2025, 0, 1)} + i * 60000, '', '{}', '{}', '${who.pin}' FROM n;`);
  const storageState = await citizen.storageState();
  const { page, context, problems } = await open({ browser: env.browser, server: env.portal }, '/dossiers.html', { width: 360, ready: false, storageState });
  await page.waitForSelector('#dossiers section');
  const references = () => page.$$eval('#dossiers section .summary-list > div:first-child dd', (dds) => dds.map((d) => d.textContent));
  const first = await references();
  assert.deepEqual([first.length, first[0], first.at(-1)], [100, 'HS20250101-MINE130', 'HS20250101-MINE031']);
  assert.equal(await text(page, '#status'), 'Đang hiển thị 100 hồ sơ mới nhất; bấm “Xem thêm” để xem các hồ sơ trước đó.');
  assert.deepEqual(await axeViolations(page), []);

  await page.click('#more');
  await page.waitForFunction(() => document.querySelectorAll('#dossiers section').length === 130);
  const all = await references();
  assert.deepEqual([all[100], all.at(-1), new Set(all).size], ['HS20250101-MINE030', 'HS20250101-MINE001', 130]);
  assert.equal(await page.evaluate(() => document.activeElement.closest('section')?.querySelector('dd')?.textContent), 'HS20250101-MINE030', 'the focus on the first new one');
  assert.equal(await page.isHidden('#more'), true, 'nothing more');
  assert.equal(await text(page, '#status'), 'Bạn có 130 hồ sơ, mới nhất ở trên cùng.');
  assert.deepEqual(problems, []);
  await context.close();
  await citizen.close();
});

test('before login the page says so and offers the login, coming back to it', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { page, context, problems } = await open({ browser: env.browser, server: env.portal }, '/dossiers.html', { width: 360, ready: false });
  await page.waitForSelector('#login:not([hidden])');
  assert.equal(await text(page, '#status'), 'Bạn chưa đăng nhập.');
  assert.equal(await page.getAttribute('#login-link', 'href'), '/dev/login?next=%2Fdossiers.html');
  assert.equal(await page.locator('#dossiers section').count(), 0);
  assert.deepEqual(await axeViolations(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
