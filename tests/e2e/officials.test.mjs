// The officials' page on the real back end: an official finds the dossier a citizen filed, reads where
// each answer came from (a household member's row too) and refuses it with a reason at a field (a row's
// answer too), by keyboard on a 360 px screen; the list pages and filters; a wrong token, too many, and a
// server without the officials' API are said clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerSummary, axeViolations, fillToReview, loggedIn, OFFICIALS_TOKEN as TOKEN, open, SERVER_BINARY, startPortal, tabTo, text, typeInto, usePortal, vietnamTime } from './helpers.mjs';

/** An official with a token of their own, whose decisions the server records in their name. */
const LAN = { name: 'Nguyễn Thị Lan', token: 'lan-own-token-0123456789' };

const env = usePortal({ config: `officials_token = "${TOKEN}"\n[[officials]]\nname = "${LAN.name}"\ntoken = "${LAN.token}"\n` });

/** The officials' page of `portal` in a browser context of its own (no citizen's login), `width` px wide, asking for the token. */
async function officials(portal, width = 1024) {
  const opened = await open({ browser: env.browser, server: portal }, '/officials.html', { width, ready: false });
  await opened.page.waitForSelector('#access:not([hidden])');
  return opened;
}

/** Types a token where the page asks for it, and sends it with Enter. */
async function enterToken(page, token = TOKEN) {
  await page.fill('#token', token);
  await page.press('#token', 'Enter');
}

/** What a browser logs of an answer refused with `status`. */
const refusedLog = (status, words) => `console: Failed to load resource: the server responded with a status of ${status} (${words})`;

/** A logged-in citizen files CT01 on the portal: their browser context, their registry entry and the dossier's reference. */
async function filedCt01() {
  const { context, citizen } = await loggedIn(env.browser, env.portal);
  const filing = await context.newPage();
  await filing.goto(`${env.portal.url}/`);
  await filing.waitForSelector('tokhai-form .tk-prov');
  await (await fillToReview(filing)).click();
  await filing.waitForSelector('tokhai-form .tk-done:not([hidden])');
  return { context, citizen, id: await text(filing, 'tokhai-form .tk-reference-code') };
}

/** The texts of the cells of the list's rows. */
const listed = (page) => page.$$eval('#dossiers tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));

test('an official finds the CT01 a citizen filed, sees what national data filled and locked, and refuses it with a reason at a field, by keyboard at 360 px', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context: citizen, citizen: adult, id } = await filedCt01();
  const [receivedAt, payload] = env.portal.sql(`SELECT received_at || '|' || payload FROM submissions WHERE id = '${id}'`).split('|');

  const { page, context, problems } = await officials(env.portal, 360);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'token', 'the page asks for the token first');
  await enterToken(page);
  const row = page.locator('#dossiers tbody tr', { hasText: id });
  await row.waitFor();
  const cells = await row.locator('th, td').allTextContents();
  assert.deepEqual(cells.slice(0, 4), [id, 'Tờ khai thay đổi thông tin cư trú (Mẫu CT01)', vietnamTime(Number(receivedAt)), 'Chờ xử lý']);
  // Waiting for minutes at most (none outside office hours).
  assert.match(cells[4], /^\d+ phút$/);
  assert.deepEqual(
    await page.evaluate(() => [sessionStorage.getItem('tokhai-officials-token'), Object.values(localStorage).length]),
    [TOKEN, 0],
    'the token is kept in the tab only',
  );
  assert.deepEqual(await axeViolations(page), [], 'the list');

  await tabTo(page, `#dossiers a[href$="${id}"]`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#answers dl');
  const answer = (path) => page.locator(`#answers [data-path="${path}"]`).locator('dt, dd').allTextContents();
  assert.deepEqual(await answer('full_name'), [
    'Họ, chữ đệm và tên khai sinh', adult.full_name, 'Nguồn: Cơ sở dữ liệu quốc gia về dân cư, đã khóa (người nộp không sửa được)',
  ]);
  const dob = JSON.parse(payload).dob.split('-').reverse().join('/');
  assert.deepEqual((await answer('dob')).slice(1, 2), [dob], 'a date as the citizen read it, dd/mm/yyyy');
  assert.deepEqual(await answer('authority_province'), ['Tỉnh, thành phố', 'Thành phố Hà Nội', 'Nguồn: Người nộp khai']);
  const integrity = () => page.$eval('#receipt > div:last-child', (row) => [row.textContent, row.className]);
  assert.deepEqual(await integrity(), [
    'Kiểm tra toàn vẹnNội dung đúng như khi tiếp nhận. Dữ liệu lấy từ Cơ sở dữ liệu quốc gia về dân cư (1 gói) có chữ ký số hợp lệ và không bị sửa.',
    '',
  ]);
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360, 'nothing wider than the screen');
  assert.deepEqual(await axeViolations(page), [], 'the dossier');
  // CT01 for permanent residence is due in 7 working days: not due yet, then decided on time.
  const due = () => page.$eval('#receipt > div:nth-child(5)', (row) => row.textContent);
  assert.match(await due(), /^Hạn giải quyết\d\d\/\d\d\/\d{4} 17:00 \(trong hạn\)$/);

  // Refused without a reason: the server says a refusal must state one; the summary links to its box.
  await tabTo(page, '#decision-accepted');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.isChecked('#decision-refused'), true);
  await typeInto(page, '#official', 'Trần Thị B');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#error-summary:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary', 'the summary takes the focus');
  const required = 'Lý do để trống: cần ghi nội dung, có ít nhất một chữ cái hoặc chữ số';
  assert.deepEqual(await page.$$eval('#problems a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')])), [[required, '#reason-0-text']]);
  assert.equal(await text(page, '#reason-0-text-error'), `Lỗi: ${required}`);
  assert.match(await page.getAttribute('#reason-0-text', 'aria-describedby'), /\breason-0-text-error\b/);
  assert.ok((await page.title()).startsWith(`Lỗi: ${id} — `), await page.title());
  assert.deepEqual(await axeViolations(page), [], 'the problem shown');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'reason-0-text', 'the link leads to the box');

  const reason = 'Số điện thoại không liên lạc được, đề nghị khai lại.';
  await page.keyboard.type(reason);
  await page.keyboard.press('Tab');
  await page.selectOption('#reason-0-field', { label: 'Số điện thoại liên hệ' });
  await tabTo(page, '#decide [type=submit]');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#decide', { state: 'hidden' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'decision-heading');
  const decision = await page.$$eval('#decision-made > div', (rows) => rows.map((r) => r.textContent));
  assert.equal(decision[0], 'Quyết địnhĐã từ chối');
  assert.equal(decision[2], 'Cán bộ xử lýTrần Thị B');
  assert.equal(decision[3], `Lý doSố điện thoại liên hệ: ${reason}`);
  assert.match(await due(), /^Hạn giải quyết\d\d\/\d\d\/\d{4} 17:00 \(đúng hạn\)$/);
  assert.equal(await text(page, '#status'), 'Đã ghi quyết định.');
  assert.equal((await page.title()).startsWith('Lỗi'), false);
  // The citizen's receipt has it: the dossier received (the intake's status), refused, the reason at the phone.
  const receipt = await (await citizen.request.get(`${env.portal.url}/api/submissions/${id}`)).json();
  assert.deepEqual([receipt.status, receipt.decision.decision], ['accepted', 'refused']);
  const label = { vi: 'Số điện thoại liên hệ', en: 'Contact phone' };
  assert.deepEqual(receipt.decision.reasons, [{ path: 'phone', label, message_vi: reason }], 'the reason with the label of its field');

  await page.click('#lang');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.$$eval('#decision-made > div', (rows) => rows.map((r) => r.textContent)))[3], `ReasonsContact phone: ${reason}`);
  assert.equal((await answer('full_name'))[2], 'Source: National population database, locked (the citizen could not change it)');
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);
  assert.deepEqual(problems, [refusedLog(422, 'Unprocessable Entity')], 'no error but the refusal asked for');
  await context.close();
  await citizen.close();
});

test("an official with a token of their own decides in their name: the page shows it fixed, and another name is refused saying whose the token is", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context: citizen, id } = await filedCt01();

  const { page, context, problems } = await officials(env.portal);
  await enterToken(page, LAN.token);
  await page.click(`#dossiers a[href$="${id}"]`);
  await page.waitForSelector('#answers dl');
  assert.deepEqual(
    await page.$eval('#official', (box) => [box.value, box.readOnly, getComputedStyle(box).backgroundColor, document.getElementById('official-hint').textContent]),
    [LAN.name, true, 'rgb(243, 242, 241)', 'Bạn dùng mã truy cập của riêng mình: quyết định được ghi tên bạn. Người nộp không thấy thông tin này.'],
  );
  assert.deepEqual(await axeViolations(page), [], 'the dossier, the name fixed');
  // A name changed in the page (the box is read-only) is refused by the server, in its words, at the box.
  await page.check('#decision-accepted');
  await page.$eval('#official', (box) => (box.value = 'Trần Văn Bình'));
  await page.click('#decide [type=submit]');
  await page.waitForSelector('#error-summary:not([hidden])');
  const notYours = `Mã truy cập này là của cán bộ ${LAN.name}: quyết định chỉ được ghi tên người này`;
  assert.deepEqual(await page.$$eval('#problems a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')])), [[notYours, '#official']]);
  await page.$eval('#official', (box, name) => (box.value = name), LAN.name);
  await page.click('#decide [type=submit]');
  await page.waitForSelector('#decide', { state: 'hidden' });
  const decision = await page.$$eval('#decision-made > div', (rows) => rows.map((r) => r.textContent));
  assert.deepEqual([decision[0], decision[2]], ['Quyết địnhĐã chấp nhận', `Cán bộ xử lý${LAN.name}`]);
  assert.deepEqual(problems, [refusedLog(422, 'Unprocessable Entity')], 'no error but the refusal asked for');
  await context.close();
  await citizen.close();
});

test("a household member's row reads as the citizen read it, from national data, and a reason can name one of its answers", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  // A citizen with a housemate (the dev portal's synthetic registry), the housemate added on CT01's members step.
  const context = await env.browser.newContext({ viewport: { width: 1024, height: 900 } });
  const { citizens } = await (await context.request.get(`${env.portal.url}/api/dev/citizens?limit=300`)).json();
  const housemates = (a) => citizens.filter((b) => b.household_id === a.household_id && b.pin !== a.pin);
  const me = citizens.filter((a) => a.birth_year < 2000 && housemates(a).length).at(-1);
  const [member] = housemates(me);
  assert.equal((await context.request.post(`${env.portal.url}/api/dev/login`, { data: { pin: me.pin } })).status(), 200);
  const filing = await context.newPage();
  await filing.goto(`${env.portal.url}/`);
  await filing.waitForSelector('tokhai-form .tk-prov');
  const add = filing.locator('tokhai-form button[data-act="add"]');
  for (let round = 0; round < 12 && !(await add.isVisible()); round++) {
    await filing.click('tokhai-form .tk-nav button[type=submit]');
    if (await filing.locator('tokhai-form .tk-summary:not([hidden])').count()) await answerSummary(filing);
  }
  await add.click();
  await filing.fill('tokhai-form input[data-path="members[0].m_pin"]', member.pin);
  await filing.press('tokhai-form input[data-path="members[0].m_pin"]', 'Tab');
  await filing.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  await (await fillToReview(filing)).click();
  await filing.waitForSelector('tokhai-form .tk-done:not([hidden])');
  const id = await text(filing, 'tokhai-form .tk-reference-code');

  const { page, context: agency, problems } = await officials(env.portal);
  await enterToken(page);
  await page.click(`#dossiers a[href$="${id}"]`);
  await page.waitForSelector('#answers [data-path="members"]');
  const [, rows] = await page.locator('#answers [data-path="members"]').locator('dt, dd').allTextContents();
  assert.ok(rows.startsWith(`Số định danh cá nhân: ${member.pin}; Họ, chữ đệm và tên: ${member.full_name}; `), rows);
  assert.ok(rows.endsWith(' (Cơ sở dữ liệu quốc gia về dân cư (thành viên hộ gia đình))'), rows);

  // The reason names the member's name: offered among the fields, as the citizen's receipt then labels it;
  // in English too, for a citizen who reads the portal in English.
  await page.check('#decision-refused');
  await page.fill('#official', 'Trần Thị B');
  await page.fill('#reason-0-text', 'Họ tên không khớp giấy khai sinh.');
  await page.fill('#reason-0-text-en', 'The name does not match the birth certificate.');
  await page.selectOption('#reason-0-field', { label: 'Họ, chữ đệm và tên, thành viên 1' });
  await page.click('#decide [type=submit]');
  await page.waitForSelector('#decide', { state: 'hidden' });
  const receipt = await (await context.request.get(`${env.portal.url}/api/submissions/${id}`)).json();
  assert.deepEqual(receipt.decision.reasons, [{
    path: 'members[0].m_name',
    label: { vi: 'Họ, chữ đệm và tên, thành viên 1', en: 'Full name, member 1' },
    message_vi: 'Họ tên không khớp giấy khai sinh.',
    message_en: 'The name does not match the birth certificate.',
  }]);

  // Someone with the database's keys changes the member's name national data gave: the dossier warns.
  env.portal.sql(`UPDATE submissions SET payload = replace(payload, '${member.full_name}', 'Nguyễn Văn Giả') WHERE id = '${id}'`);
  await page.reload();
  await page.waitForSelector('#receipt .warning');
  assert.equal(
    await page.$eval('#receipt .warning dd', (dd) => dd.textContent),
    'Cảnh báo: nội dung hồ sơ đã bị thay đổi sau khi tiếp nhận. Cảnh báo: dữ liệu quốc gia của hồ sơ không còn khớp chữ ký số (Họ, chữ đệm và tên, thành viên 1).',
  );
  assert.deepEqual(await axeViolations(page), [], 'the warning');
  assert.deepEqual(problems, []);
  await agency.close();
  await context.close();
});

test('the list shows 50 dossiers, then the next with "Xem thêm", newest first, by form and status; a dossier is found by its reference', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  // 120 dossiers a minute apart from 01/01/2025 07:01 (Viet Nam), birth registrations at even minutes;
  // the last one refused at 11:00, an hour past its due time; the one before it due a day later, still waiting.
  const start = Date.UTC(2025, 0, 1);
  env.portal.sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 120)
    INSERT INTO submissions (id, form_id, form_version, received_at, digest, payload, provenance)
    SELECT printf('HS20250101-PAGE%03d', i), CASE i % 2 WHEN 0 THEN 'birth_registration' ELSE 'judicial_record' END,
      '1', ${start} + i * 60000, '', '{}', '{}' FROM n;
    INSERT INTO decisions (submission_id, decision, official, reasons, decided_at)
    VALUES ('HS20250101-PAGE120', 'refused', 'x', '[{"message_vi":"Thiếu giấy tờ"}]', ${start + 4 * 3600000});
    UPDATE submissions SET due_at = ${start + 3 * 3600000} WHERE id = 'HS20250101-PAGE120';
    UPDATE submissions SET due_at = ${start + 27 * 3600000} WHERE id = 'HS20250101-PAGE118';`);
  const { page, context, problems } = await officials(env.portal);
  await enterToken(page);
  await page.waitForSelector('#dossiers tbody tr');
  const filter = async (form, status, order = 'newest') => {
    await page.selectOption('#form-filter', form);
    await page.selectOption('#status-filter', status);
    await page.selectOption('#order-filter', order);
    await Promise.all([
      page.waitForURL((url) => url.search === `?form=${form}&status=${status}&order=${order}`),
      page.click('#filter [type=submit]'),
    ]);
    await page.waitForFunction(() => document.querySelector('#status').textContent.startsWith('Đang hiển thị'));
  };

  await filter('birth_registration', '');
  let rows = await listed(page);
  assert.equal(rows.length, 50);
  // Refused two working hours after its receipt; the others waiting since, for working days.
  assert.deepEqual(rows[0], ['HS20250101-PAGE120', 'Tờ khai đăng ký khai sinh', '01/01/2025 09:00', 'Đã từ chối', '2 giờ', '01/01/2025 10:00 (trễ hạn)']);
  assert.deepEqual(rows[1].slice(0, 4), ['HS20250101-PAGE118', 'Tờ khai đăng ký khai sinh', '01/01/2025 08:58', 'Chờ xử lý']);
  assert.match(rows[1][4], /^\d+ ngày làm việc( \d+ giờ)?$/);
  assert.equal(rows[1][5], '02/01/2025 10:00 (quá hạn)');
  assert.equal(rows[2][5], 'Không quy định', 'a form without a time limit');
  assert.deepEqual(await page.$$eval('#dossiers tbody tr:nth-child(-n+3) td:last-child', (tds) => tds.map((td) => td.className)),
    ['late', 'late', ''], 'late and overdue stand out');
  await page.focus('#more');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#dossiers tbody tr').length === 60);
  rows = await listed(page);
  assert.deepEqual(rows.at(-1).slice(0, 4), ['HS20250101-PAGE002', 'Tờ khai đăng ký khai sinh', '01/01/2025 07:02', 'Chờ xử lý']);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'HS20250101-PAGE020', 'the focus on the first dossier added');
  assert.equal(await page.isHidden('#more'), true, 'no more to show');
  assert.equal(await text(page, '#status'), 'Đang hiển thị 60 hồ sơ.');
  assert.deepEqual(await axeViolations(page), []);

  // Oldest first: the longest waiting at the top, the next page after the last shown.
  await filter('birth_registration', '', 'oldest');
  assert.equal(await text(page, '#dossiers caption'), 'Hồ sơ tiếp nhận sớm nhất (chờ lâu nhất) ở trên cùng');
  rows = await listed(page);
  assert.equal(rows.length, 50);
  assert.deepEqual(rows[0].slice(0, 4), ['HS20250101-PAGE002', 'Tờ khai đăng ký khai sinh', '01/01/2025 07:02', 'Chờ xử lý']);
  await page.focus('#more');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#dossiers tbody tr').length === 60);
  assert.deepEqual((await listed(page)).at(-1), ['HS20250101-PAGE120', 'Tờ khai đăng ký khai sinh', '01/01/2025 09:00', 'Đã từ chối', '2 giờ', '01/01/2025 10:00 (trễ hạn)']);
  assert.equal(await page.isHidden('#more'), true, 'no more to show');

  await filter('birth_registration', 'refused');
  assert.deepEqual(await listed(page), [['HS20250101-PAGE120', 'Tờ khai đăng ký khai sinh', '01/01/2025 09:00', 'Đã từ chối', '2 giờ', '01/01/2025 10:00 (trễ hạn)']]);
  // Found by its reference as a citizen reads it out, whatever its case and spaces, the dossier tells the
  // working time it took too.
  await tabTo(page, '#find-id');
  await page.keyboard.type(' hs20250101-page 120 ');
  await Promise.all([page.waitForURL((url) => url.search === '?dossier=HS20250101-PAGE120'), page.keyboard.press('Enter')]);
  await page.waitForSelector('#receipt div');
  const receipt = await page.$$eval('#receipt > div', (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  assert.deepEqual(receipt[3], ['Thời gian xử lý (giờ làm việc)', '2 giờ']);
  assert.deepEqual(receipt[4], ['Hạn giải quyết', '01/01/2025 10:00 (trễ hạn)']);
  assert.equal(await page.$eval('#receipt > div:nth-child(5)', (row) => row.className), 'warning');
  // A reference no dossier has is said at its box, over the list; none at all too.
  const findError = () => Promise.all([text(page, '#find-id-error'), page.getAttribute('#find-id', 'aria-invalid'),
    page.evaluate(() => [document.activeElement.id, document.getElementById('find-id').value, document.title])]);
  await page.goto(`${env.portal.url}/officials.html?dossier=HS20250101-NOPE`);
  await page.waitForSelector('#find-id[aria-invalid]');
  assert.deepEqual(await findError(), ['Lỗi: Không tìm thấy hồ sơ HS20250101-NOPE', '',
    ['find-id', 'HS20250101-NOPE', 'Lỗi: Hồ sơ tiếp nhận — Cổng dịch vụ công (phát triển)']]);
  assert.equal(await text(page, '#status'), 'Không tìm thấy hồ sơ HS20250101-NOPE');
  assert.equal((await listed(page)).length, 50, 'the list under it');
  assert.deepEqual(problems.splice(0), ['console: Failed to load resource: the server responded with a status of 404 (Not Found)'],
    "the browser's own line about the 404, and nothing else");
  assert.deepEqual(await axeViolations(page), [], 'the reference not found');
  await page.click('#lang');
  assert.deepEqual(await findError(), ['Error: No application HS20250101-NOPE was found', '',
    ['lang', 'HS20250101-NOPE', 'Error: Dossiers received — Public service portal (development)']]);
  assert.equal(await text(page, '#status'), 'No application HS20250101-NOPE was found', 'said again in English over the list');
  await page.click('#lang');
  await page.fill('#find-id', ' ');
  await page.click('#find [type=submit]');
  assert.deepEqual(await findError(), ['Lỗi: Nhập mã hồ sơ in trên giấy biên nhận', '',
    ['find-id', '', 'Lỗi: Hồ sơ tiếp nhận — Cổng dịch vụ công (phát triển)']]);
  await page.goto(`${env.portal.url}/officials.html`);
  await page.waitForSelector('#dossiers tbody tr');
  await filter('birth_registration', 'overdue');
  assert.deepEqual((await listed(page)).map((row) => [row[0], row[5]]), [['HS20250101-PAGE118', '02/01/2025 10:00 (quá hạn)']]);
  await filter('judicial_record', 'accepted');
  assert.equal(await text(page, '#empty'), 'Không có hồ sơ nào.');
  assert.equal(await page.isHidden('#dossiers'), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a wrong token, too many of them, and a server without the officials' API are said clearly; the token is kept only once right", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const guarded = await startPortal({ config: `officials_token = "${TOKEN}"\nrate_per_minute = 1\nrate_burst = 1\n` });
  const off = await startPortal();
  try {
    const { page, context, problems } = await officials(guarded, 360);
    await enterToken(page, 'not-the-officials-token-000');
    await page.waitForSelector('#token-error');
    assert.equal(await text(page, '#token-error'), 'Lỗi: Mã truy cập không đúng. Kiểm tra mã cơ quan đã cấp rồi nhập lại.');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'token');
    assert.equal(await page.getAttribute('#token', 'aria-describedby'), 'token-hint token-error');
    assert.equal(await page.evaluate(() => sessionStorage.getItem('tokhai-officials-token')), null, 'a wrong token is not kept');
    assert.equal(await page.isHidden('#list-view'), true);
    assert.deepEqual(await axeViolations(page), []);
    // The next guess is over the rate limit: the page says to wait.
    await enterToken(page, 'not-the-officials-token-001');
    await page.waitForFunction(() => document.querySelector('#token-error')?.textContent.includes('quá nhiều lần'));
    assert.match(await text(page, '#token-error'), /^Lỗi: Đã nhập sai mã quá nhiều lần\. Vui lòng đợi \d+ giây rồi nhập lại\.$/);
    await enterToken(page);
    await page.waitForSelector('#list-view:not([hidden])');
    assert.equal(await page.locator('#token-error').count(), 0);
    assert.equal(await text(page, '#empty'), 'Không có hồ sơ nào.');
    assert.deepEqual(problems, [refusedLog(401, 'Unauthorized'), refusedLog(429, 'Too Many Requests')]);
    await context.close();

    const offPage = await officials(off);
    await enterToken(offPage.page);
    await offPage.page.waitForSelector('#status.error');
    assert.equal(await text(offPage.page, '#status'), 'Máy chủ này chưa bật chức năng dành cho cán bộ tiếp nhận (chưa đặt TOKHAI_OFFICIALS_TOKEN hay officials).');
    assert.equal(await offPage.page.isHidden('#access'), true);
    assert.deepEqual(offPage.problems, [refusedLog(404, 'Not Found')]);
    await offPage.context.close();
  } finally {
    await guarded.close();
    await off.close();
  }
});
