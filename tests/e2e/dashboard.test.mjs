// The QA dashboard on the real back end: a filing's timing reaches the collector and the dashboard
// shows it, in an accessible page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, fillToReview, loggedIn, SERVER_BINARY, startPortal, usePortal } from './helpers.mjs';

const env = usePortal();

test('a filing appears on the dashboard with its time, against the target', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  await page.goto(`${env.portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  const next = await fillToReview(page);
  await next.click();
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');

  // The beacon is sent after the receipt; wait until the collector has it.
  const summaryUrl = `${env.portal.url}/api/qa/forms/ct01/summary?days=1`;
  let summary;
  for (let i = 0; i < 50; i++) {
    summary = await (await context.request.get(summaryUrl)).json();
    if (summary.aggregate.submitted >= 1) break;
    await page.waitForTimeout(100);
  }
  assert.equal(summary.aggregate.submitted, 1, 'the filing was recorded as submitted');
  assert.ok(summary.aggregate.median_ms > 0, 'with a login → submit time');

  await page.goto(`${env.portal.url}/dashboard.html?form=ct01&days=1`);
  await page.waitForSelector('#histogram svg');
  const figures = await page.textContent('#figures');
  assert.match(figures, /Đã nộp\s*1/, figures);
  assert.match(figures, /Đã bấm nộp, chưa được tiếp nhận\s*0/, figures);
  assert.match(figures, /Trung bình\s*\d/, figures);
  // CT01 on the portal is partly filled from national data: the share of its fields, as the filing's beacon counted them.
  assert.ok(summary.aggregate.prefill_share > 0.2 && summary.aggregate.prefill_share < 1, JSON.stringify(summary.aggregate));
  const prefilled = `${(summary.aggregate.prefill_share * 100).toLocaleString('vi', { maximumFractionDigits: 1 })} %`;
  assert.ok(figures.includes(`Trường điền sẵn từ dữ liệu quốc gia (trung bình, hồ sơ đã nộp)${prefilled}`), figures);
  assert.equal(await page.locator('#histogram svg line.target').count(), 1, 'the 5-minute target line');
  assert.match(await page.textContent('#histogram svg desc'), /^1 hồ sơ đã nộp/);
  assert.deepEqual(await axeViolations(page), []);

  // The same filing as a line of the CSV file the dashboard downloads, for a report.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
  assert.equal(download.suggestedFilename(), 'ct01-filings-1d.csv');
  const { readFile } = await import('node:fs/promises');
  const [head, ...lines] = (await readFile(await download.path(), 'utf8')).split('\r\n').filter(Boolean);
  assert.equal(lines.length, summary.aggregate.filings, head);
  const columns = head.split(',');
  const submitted = lines.map((l) => l.split(',')).find((l) => l[columns.indexOf('outcome')] === 'submitted');
  assert.equal(Number(submitted[columns.indexOf('login_to_submit_s')]), Math.round(summary.aggregate.median_ms / 100) / 10);
  assert.match(submitted[columns.indexOf('dossier_id')], /^HS/);
  assert.match(submitted[columns.indexOf('started_at')], /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$/);

  // The daily table gives the average first: the national target is set on it.
  const heads = await page.locator('#tables table').first().locator('thead th').allTextContents();
  assert.deepEqual(heads.slice(0, 5), ['Ngày', 'Lượt khai', 'Đã nộp', 'Trung bình', 'Trung vị']);

  // The status line follows the language switch.
  await page.click('#lang');
  assert.equal(await page.textContent('#status'), `Figures of ${summary.aggregate.filings} filings loaded.`);
  await page.click('#lang');

  /** Chooses `value` in the select `id` and waits for the figures it loads. */
  const choose = async (id, value) => {
    await page.selectOption(id, value);
    await page.waitForFunction(() => /^Đã tải/.test(document.getElementById('status').textContent));
  };
  // The 8-minute target of 2025 next to the server's 5 minutes.
  await choose('#target', '480');
  assert.match(await page.textContent('#figures'), /Nộp trong 8 phút\s*100 %/);
  // Calendar days in Viet Nam: today's filing, none tomorrow; the range goes into the CSV's name.
  const today = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
  const said = () => page.$eval('#status', (p) => [p.textContent, p.classList.contains('error')]);
  const before = await said();
  await page.selectOption('#days', 'range');
  assert.ok(await page.isVisible('#from'), 'two date boxes');
  assert.deepEqual(await said(), before, 'no error while the days are being chosen');
  // The last day before the first: said once both are given.
  await page.fill('#from', today);
  await page.fill('#to', '2020-01-01');
  await page.dispatchEvent('#to', 'change');
  assert.deepEqual(await said(), ['Hãy chọn ngày bắt đầu và ngày kết thúc, ngày bắt đầu không sau ngày kết thúc.', true]);
  await page.fill('#from', today);
  await page.fill('#to', today);
  await page.dispatchEvent('#to', 'change');
  await page.waitForFunction(() => /^Đã tải/.test(document.getElementById('status').textContent));
  assert.match(await page.textContent('#figures'), /Đã nộp\s*1/);
  const [ranged] = await Promise.all([page.waitForEvent('download'), page.click('#csv')]);
  assert.equal(ranged.suggestedFilename(), `ct01-filings-${today}_${today}.csv`);
  // All procedures: the same filing, in a table by procedure.
  await choose('#form', '*');
  assert.match(await page.textContent('#figures'), /Đã nộp\s*1/);
  assert.match(await page.textContent('#tables'), /Theo thủ tục/);
  assert.deepEqual(await axeViolations(page), []);
  await context.close();
});

test("officials' processing time against filing in person, and citizens' satisfaction against its target", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  // Three birth registrations received on a Monday at 09:00 in Viet Nam, two weeks or more back: one accepted
  // at 11:00, one refused on Tuesday at 11:00 (10 working hours, 26 on the clock), one waiting; each due at 13:00.
  const hour = 3_600_000;
  const inVietNam = new Date(Date.now() + 7 * hour);
  const sinceMonday = (inVietNam.getUTCDay() + 6) % 7;
  const monday = Date.UTC(inVietNam.getUTCFullYear(), inVietNam.getUTCMonth(), inVietNam.getUTCDate() - sinceMonday - 14);
  const received = monday - 7 * hour + 9 * hour;
  const day = new Date(monday).toISOString().slice(0, 10);
  env.portal.sql(`INSERT INTO submissions (id, form_id, form_version, received_at, due_at, digest, payload, provenance)
    VALUES ('HS-PROC-1', 'birth_registration', '1', ${received}, ${received + 4 * hour}, '', '{}', '{}'),
      ('HS-PROC-2', 'birth_registration', '1', ${received}, ${received + 4 * hour}, '', '{}', '{}'),
      ('HS-PROC-3', 'birth_registration', '1', ${received}, ${received + 4 * hour}, '', '{}', '{}');
    INSERT INTO decisions (submission_id, decision, official, reasons, decided_at)
    VALUES ('HS-PROC-1', 'accepted', 'x', '[]', ${received + 2 * hour}),
      ('HS-PROC-2', 'refused', 'x', '[{"message_vi":"Thiếu giấy tờ"}]', ${received + 26 * hour});`);
  // Twenty ratings: nineteen of 5, one of 3.
  env.portal.sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
    INSERT INTO satisfaction (dossier_id, form_id, rating, rated_at)
    SELECT 'HS-RATE-' || i, 'birth_registration', CASE i WHEN 20 THEN 3 ELSE 5 END, ${received} FROM n;`);
  const context = await env.browser.newContext();
  const page = await context.newPage();
  // A shared address carries the time in person (working hours).
  await page.goto(`${env.portal.url}/dashboard.html?form=birth_registration&from=${day}&to=${day}&in_person=10`);
  await page.waitForSelector('#processing div');
  const figures = () =>
    page.$$eval('#processing > div', (rows) => rows.map((r) => `${r.querySelector('dt').textContent}: ${r.querySelector('dd').textContent}`));
  assert.deepEqual(await figures(), [
    'Hồ sơ đã tiếp nhận: 3', 'Đã chấp nhận: 1', 'Đã từ chối (có nêu lý do): 1', 'Chưa có quyết định: 1',
    'Từ tiếp nhận đến quyết định (trung bình): 6 giờ', 'Trung vị: 2 giờ', 'Phân vị 90: 1 ngày làm việc 2 giờ',
    'Khi nộp trực tiếp: 1 ngày làm việc 2 giờ', 'Nhanh hơn nộp trực tiếp (mục tiêu 30 %): 40 % — đạt',
    'Giải quyết đúng hạn (thủ tục có quy định thời hạn): 50 %', 'Giải quyết trễ hạn: 1', 'Quá hạn, chưa có quyết định: 1',
  ]);
  assert.equal(
    await page.textContent('#office-hours'),
    'Tính theo thời gian làm việc của cơ quan: Thứ Hai, Thứ Ba, Thứ Tư, Thứ Năm, Thứ Sáu, 08:00–12:00, 13:00–17:00.',
  );
  assert.equal(await page.inputValue('#in-person'), '10');
  // Each dossier, a line of a CSV file: its decision and the working hours it took.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#dossiers-csv')]);
  assert.equal(download.suggestedFilename(), `birth_registration-dossiers-${day}_${day}.csv`);
  const { readFile } = await import('node:fs/promises');
  const lines = (await readFile(await download.path(), 'utf8')).split('\r\n').filter(Boolean).map((l) => l.split(','));
  assert.deepEqual(lines.filter((l) => l[0].startsWith('HS-PROC')).map((l) => [l[0], l[3], l[5], l[8]]), [
    ['HS-PROC-1', 'accepted', '2.00', 'on_time'], ['HS-PROC-2', 'refused', '10.00', 'late'], ['HS-PROC-3', 'received', lines[3][5], 'overdue'],
  ]);
  assert.match(await page.textContent('#figures'), /Đánh giá 4–5 điểm \(mục tiêu hài lòng 95 %\)95 % — đạt/);
  assert.deepEqual(await axeViolations(page), []);

  // 6 hours on average against 8 in person is 25% faster: short of the target; in English too.
  await page.click('#lang');
  await page.fill('#in-person', '8');
  await page.dispatchEvent('#in-person', 'change');
  await page.waitForFunction(() => document.getElementById('processing').textContent.includes('25 % — not met'));
  assert.deepEqual((await figures()).slice(4), [
    'Receipt to decision (average): 6 h', 'Median: 2 h', '90th percentile: 1 working day 2 h', 'Filed in person: 1 working day',
    'Faster than in person (target 30 %): 25 % — not met', 'Decided on time (procedures with a time limit): 50 %', 'Decided late: 1',
    'Overdue, awaiting a decision: 1',
  ]);
  assert.equal(
    await page.textContent('#office-hours'),
    'Counted in the agency’s working time: Mon, Tue, Wed, Thu, Fri, 08:00–12:00, 13:00–17:00.',
  );
  // Days of work in person.
  await page.fill('#in-person', '30');
  await page.dispatchEvent('#in-person', 'change');
  await page.waitForFunction(() => document.getElementById('processing').textContent.includes('Filed in person3 working days 6 h'));
  // All procedures: the birth registrations' processing in a table by procedure.
  await page.selectOption('#form', '*');
  await page.waitForFunction(() => /Officials’ processing by procedure/.test(document.getElementById('tables').textContent));
  const row = await page.$$eval('#tables table', (tables) => {
    const table = tables.find((t) => t.caption.textContent === 'Officials’ processing by procedure');
    const tr = [...table.tBodies[0].rows].find((r) => /birth/i.test(r.cells[0].textContent));
    return [...tr.cells].map((c) => c.textContent);
  });
  assert.deepEqual(row.slice(1), ['3', '1', '1', '1', '6 h', '80 % — met', '50 %', '1']);
  // Not a number of hours: said, and nothing asked of the server.
  await page.fill('#in-person', '0');
  await page.dispatchEvent('#in-person', 'change');
  assert.deepEqual(
    await page.$eval('#status', (p) => [p.textContent, p.classList.contains('error')]),
    ['Time officials take in person: a number of working hours from 1 to 8760.', true],
  );
  await context.close();
});

test('at 360 px the dashboard reflows: only its tables scroll sideways, in their own labelled regions', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const context = await env.browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${env.portal.url}/dashboard.html?form=ct01&days=1`);
  await page.waitForSelector('#tables table');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scrolling of the page');
  const region = page.locator('#tables .qa-scroll').first();
  assert.equal(await region.getAttribute('role'), 'region');
  assert.equal(await region.getAttribute('tabindex'), '0');
  assert.match(await region.getAttribute('aria-label'), /^Theo ngày/);
  assert.deepEqual(await axeViolations(page), []);
  await context.close();
});

test('with a QA token configured, the dashboard asks for it and shows nothing without it', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const TOKEN = 'qa-token-0123456789abcdef';
  const portal = await startPortal({ config: `qa_token = "${TOKEN}"\n` });
  try {
    const context = await env.browser.newContext();
    const anonymous = await context.request.get(`${portal.url}/api/qa/forms/ct01/summary`);
    assert.equal(anonymous.status(), 401);
    const page = await context.newPage();
    await page.goto(`${portal.url}/dashboard.html`);
    await page.waitForSelector('#access:not([hidden])');
    assert.equal(await page.textContent('#status'), 'Trang này cần mã truy cập của cán bộ kiểm tra chất lượng.');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'token', 'focus on the token box');
    assert.equal(await page.locator('#figures dt').count(), 0, 'no figures without the token');
    await page.fill('#token', TOKEN);
    await page.click('#access button[type=submit]');
    await page.waitForSelector('#figures dt');
    assert.ok(await page.isHidden('#access'));
    assert.deepEqual(await axeViolations(page), []);
    await context.close();
  } finally {
    await portal.close();
  }
});
