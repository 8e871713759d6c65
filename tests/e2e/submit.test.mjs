// Submitting on the real back end (tokhai-server): the dossier is stored exactly once whatever the network
// does (a crash mid-submit, offline, a double click), refusals show every reason, the receipt and the
// rating, and the timing beacons never carry a value the citizen typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { axeViolations, fillToReview, loggedIn, readStore, SERVER_BINARY, usePortal } from './helpers.mjs';

const env = usePortal();

const SUBMIT = 'tokhai-form .tk-nav button[type=submit]';
const STATUS = 'tokhai-form .tk-filing-status';
/** Words typed into every free-text box: they must never reach a timing beacon. */
const SECRET = 'Quokka Zebra';

/** Dossiers stored by the server. */
const dossiers = () => Number(env.portal.sql('SELECT count(*) FROM submissions'));

/** A logged-in citizen on the portal's CT01, on the review page; records page errors and submission POSTs. */
async function atReview() {
  const { context, citizen } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  const errors = [];
  const posts = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => r.method() === 'POST' && r.url().endsWith('/api/submissions') && posts.push(r));
  await page.addInitScript(() => {
    // Keeps a copy of every beacon's body for the privacy checks.
    window.beaconBodies = [];
    const send = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = (url, data) => {
      window.beaconBodies.push(data.text());
      return send(url, data);
    };
  });
  await page.goto(`${env.portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  await fillToReview(page, SECRET);
  return { context, page, citizen, errors, posts };
}

/** The dossier code on the receipt. */
async function reference(page) {
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])', { timeout: 60000 });
  return (await page.textContent('tokhai-form .tk-reference')).replace(/^[^:]*:\s*/, '').trim();
}

test('the server crashes while the dossier is being stored: the retry gets the same receipt, one dossier', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context, page, errors } = await atReview();
  const before = dossiers();
  let restarted = null;
  await page.route('**/api/submissions', async (route) => {
    if (restarted) return route.continue();
    // The server stores the dossier, then dies before its answer reaches the browser.
    const stored = await route.fetch();
    assert.equal(stored.status(), 201);
    await env.portal.stop();
    restarted = new Promise((ok) => setTimeout(ok, 1500)).then(() => env.portal.start());
    await route.abort('connectionreset');
  });
  await page.evaluate((s) => {
    window.statusSeen = [];
    const el = document.querySelector(s);
    new MutationObserver(() => window.statusSeen.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
  }, STATUS);
  await page.click(SUBMIT);
  await restarted;
  const code = await reference(page);
  assert.match(code, /^HS\d{8}-[0-9A-F]{16}$/);
  assert.equal(dossiers(), before + 1, 'stored exactly once');
  assert.equal(env.portal.sql(`SELECT count(*) FROM submissions WHERE id = '${code}'`), '1', 'the receipt names the stored dossier');
  const timing = await page.evaluate(() => document.querySelector('tokhai-form').handle.timing());
  assert.ok(timing.retries >= 1, `retries recorded: ${JSON.stringify(timing)}`);
  assert.equal(timing.outcome.outcome, 'submitted');
  const seen = await page.evaluate(() => window.statusSeen);
  // Said once each, not again at every attempt (a screen reader would hear them all).
  const times = (words) => seen.filter((s) => s === words).length;
  assert.equal(times('Đang gửi hồ sơ…'), 1, seen.join(' | '));
  assert.equal(times('Chưa gửi được hồ sơ, đang tự động thử lại…'), 1, seen.join(' | '));
  assert.deepEqual(errors, []);
  await context.close();
});

test('offline at submit: the citizen is told, the dossier waits in IndexedDB and goes once the connection returns', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors, posts } = await atReview();
  const before = dossiers();
  await context.setOffline(true);
  await page.click(SUBMIT);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Mất kết nối'), STATUS);
  assert.equal(
    await page.textContent(STATUS),
    'Mất kết nối — hồ sơ đã được lưu và sẽ tự động gửi khi có mạng.',
  );
  // Said where the citizen pressed "Gửi tờ khai": just above the buttons, below the review.
  const between = await page.$eval(STATUS, (s) => {
    const [review, nav] = ['.tk-review', '.tk-nav'].map((c) => s.closest('form').querySelector(c));
    return [review, nav].map((e) => s.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
  });
  assert.deepEqual(between.map(Boolean), [false, true], 'after the review, before the buttons');
  assert.equal(await page.textContent('tokhai-form .tk-status'), '', 'said once');
  const queued = await page.evaluate(
    () =>
      new Promise((ok) => {
        const req = indexedDB.open('tokhai');
        req.onsuccess = () => {
          const get = req.result.transaction('outbox').objectStore('outbox').getAll();
          get.onsuccess = () => ok(get.result.map((r) => new TextDecoder().decode(r.data)));
        };
      }),
  );
  assert.equal(queued.length, 1, 'one submission queued');
  assert.ok(!queued[0].includes(SECRET), 'queued encrypted');
  assert.equal(dossiers(), before);
  await context.setOffline(false);
  const code = await reference(page);
  assert.equal(dossiers(), before + 1, 'stored exactly once');
  assert.equal(env.portal.sql(`SELECT count(*) FROM submissions WHERE id = '${code}'`), '1');
  assert.equal(new Set(posts.map((p) => JSON.parse(p.postData()).idempotency_key)).size, 1, 'one idempotency key');
  assert.equal(await readStore(page, 'outbox'), 0, 'the outbox is emptied after the receipt');
  assert.deepEqual(errors, []);
  await context.close();
});

test('queued offline, then the tab is closed: the next visit sends the saved dossier once', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atReview();
  const before = dossiers();
  await context.setOffline(true);
  await page.click(SUBMIT);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.startsWith('Mất kết nối'), STATUS);
  await page.close();
  await context.setOffline(false);
  const again = await context.newPage();
  again.on('pageerror', (e) => errors.push(e.message));
  await again.goto(`${env.portal.url}/`);
  const code = await reference(again);
  assert.equal(dossiers(), before + 1, 'stored exactly once');
  assert.equal(env.portal.sql(`SELECT count(*) FROM submissions WHERE id = '${code}'`), '1');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a double click on submit makes one request and one dossier', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors, posts } = await atReview();
  const before = dossiers();
  await page.dblclick(SUBMIT);
  await reference(page);
  assert.equal(posts.length, 1, 'one POST');
  assert.equal(dossiers(), before + 1, 'one dossier');
  assert.deepEqual(errors, []);
  await context.close();
});

/** JSON with sorted keys and no spaces: tokhai-core's canonical form, whose SHA-256 is the digest. */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

test('a refusal shows every reason in Vietnamese, next to its field and in the error summary', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors } = await atReview();
  const before = dossiers();
  // A tampered submission (as a modified client would send): locked values changed, digest kept valid.
  await page.route('**/api/submissions', async (route) => {
    const sub = JSON.parse(route.request().postData());
    sub.values.full_name = 'Nguyễn Văn Giả';
    sub.values.dob = '1950-01-01';
    sub.values.phone = '12';
    sub.digest = createHash('sha256').update(canonical(sub.values)).digest('hex');
    await route.continue({ postData: JSON.stringify(sub) });
  });
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/submissions'));
  await page.click(SUBMIT);
  const res = await answer;
  assert.equal(res.status(), 422);
  const { reasons } = await res.json();
  assert.ok(reasons.length >= 3, JSON.stringify(reasons));
  await page.waitForSelector('tokhai-form .tk-summary:not([hidden])');
  const summary = await page.textContent('tokhai-form .tk-summary');
  for (const r of reasons) {
    assert.ok(summary.includes(r.message_vi), `summary shows "${r.message_vi}"`);
    const id = await page.evaluate((p) => document.querySelector(`tokhai-form [data-path="${p}"]`)?.id, r.path);
    if (id) {
      await page.waitForSelector(`#${id}-error:not([hidden])`);
      assert.ok((await page.textContent(`#${id}-error`)).includes(r.message_vi), `${r.path} shows its reason`);
    }
  }
  assert.ok(reasons.some((r) => r.path === 'full_name'), 'the locked name is a reason');
  assert.equal(await page.textContent(STATUS), '', 'no sending status left');
  assert.equal(dossiers(), before, 'nothing stored');
  assert.deepEqual(errors, []);
  await context.close();
});

test('receipt, rating and beacons: the timeline reaches the collector with no value typed in the form', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page, errors, citizen } = await atReview();
  const beacons = [];
  const kinds = [];
  page.on('request', (r) => r.url().endsWith('/api/timings') && kinds.push(r.resourceType()));
  const timing = page.evaluate(
    () => new Promise((ok) => document.addEventListener('tokhai-timing', (e) => ok(e.detail), { once: true })),
  );
  // Before sending, the review page says how long the agency has: CT01 for permanent residence, 7 working days.
  assert.equal(
    await page.textContent('tokhai-form .tk-time-limit'),
    'Thời hạn giải quyết: 7 ngày làm việc kể từ ngày tiếp nhận hồ sơ. Giấy biên nhận sẽ ghi thời điểm hẹn trả kết quả.',
  );
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/submissions'));
  await page.click(SUBMIT);
  const code = await reference(page);
  const { received_at: receivedAt, due_at: dueAt } = (await (await answer).json()).receipt;
  const two = (n) => String(n).padStart(2, '0');
  /** A time as the receipt writes it in Vietnamese ("14:05, 04/12/2026") and in English ("14:05, 4 December 2026"). */
  const written = (ms) => {
    const hanoi = new Date(ms + 7 * 3_600_000);
    const clock = `${two(hanoi.getUTCHours())}:${two(hanoi.getUTCMinutes())}`;
    // In English the month is in words: 04/12 would read as 12 April to many.
    const month = hanoi.toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
    return {
      vi: `${clock}, ${two(hanoi.getUTCDate())}/${two(hanoi.getUTCMonth() + 1)}/${hanoi.getUTCFullYear()}`,
      en: `${clock}, ${hanoi.getUTCDate()} ${month} ${hanoi.getUTCFullYear()}`,
    };
  };
  assert.equal(await page.textContent('tokhai-form .tk-received'), `Thời gian tiếp nhận: ${written(receivedAt).vi}`, 'the time of receipt, in Viet Nam');
  // CT01 for permanent residence: 7 working days, due at the close of office hours.
  assert.ok(dueAt - receivedAt > 7 * 86_400_000 && dueAt - receivedAt < 16 * 86_400_000, `${receivedAt} → ${dueAt}`);
  assert.match(written(dueAt).vi, /^17:00, /);
  assert.equal(await page.textContent('tokhai-form .tk-due'), `Hẹn trả kết quả: trước ${written(dueAt).vi}`, 'when the decision is due');
  const metrics = await timing;
  assert.deepEqual([metrics.outcome.outcome, metrics.dossier_id], ['submitted', code], 'submitted, with its dossier');
  assert.equal(metrics.from_login, true, 'the clock starts at the login (/api/me)');
  assert.ok((await page.textContent('tokhai-form .tk-receipt-summary')).includes(SECRET), 'the receipt summarises the answers');
  assert.equal(await page.locator('tokhai-form .tk-done [data-act=print]').count(), 1, 'printable');
  assert.deepEqual(await axeViolations(page, { include: 'tokhai-form' }), [], 'the receipt and the rating are accessible');

  // Sent without a choice, the rating group says what it wants as a field does: an error above its
  // choices, which describes the group, now invalid.
  await page.click('tokhai-form .tk-rate [data-act=rate]');
  const group = 'tokhai-form .tk-rate fieldset';
  assert.equal(await page.getAttribute(group, 'aria-invalid'), 'true');
  const asked = `#${await page.getAttribute(group, 'aria-describedby')}`;
  assert.equal(await page.textContent(asked), 'Lỗi: Vui lòng chọn một mức đánh giá.');
  assert.equal(await page.$eval(asked, (e) => e.matches(`${e.parentElement.tagName} > legend + .tk-error`)), true, 'under the question');
  assert.equal(await page.textContent('tokhai-form .tk-rate-status'), '', 'not said again on a language switch');
  await page.click('tokhai-form .tk-rate label[for$="rating-4"]');
  assert.equal(await page.getAttribute(group, 'aria-invalid'), null, 'a choice mends the group');
  assert.equal(await page.isHidden(asked), true, 'and it no longer asks for one');
  await page.fill('tokhai-form .tk-rate textarea', 'Nhanh gọn');
  // The receipt and the rating follow the language; the citizen's rating and comment stay.
  await page.click('tokhai-form [data-act=lang]');
  assert.equal(await page.textContent('tokhai-form .tk-done-title'), 'Declaration submitted');
  assert.equal(await page.textContent('tokhai-form .tk-reference'), `Reference: ${code}`);
  assert.equal(await page.textContent('tokhai-form .tk-received'), `Received: ${written(receivedAt).en}`);
  assert.equal(await page.textContent('tokhai-form .tk-due'), `Decision due by ${written(dueAt).en}`);
  assert.equal(await page.textContent('tokhai-form .tk-receipt-summary h4'), 'What you submitted');
  // The steps' titles sit under that heading, a level below it.
  const levels = await page.$$eval('tokhai-form .tk-receipt-summary :is(h4, h5, h6)', (hs) => hs.map((h) => h.tagName));
  assert.ok(levels.length > 2 && levels.slice(1).every((l) => l === 'H5'), levels.join());
  assert.equal(await page.textContent('tokhai-form .tk-rate legend'), 'How easy was it to fill in this form?');
  await page.click('tokhai-form [data-act=lang]');
  assert.equal(await page.textContent('tokhai-form .tk-done-title'), 'Đã gửi tờ khai');
  assert.ok(await page.isChecked('tokhai-form .tk-rate input[value="4"]'), 'the rating chosen stays');
  assert.equal(await page.inputValue('tokhai-form .tk-rate textarea'), 'Nhanh gọn');
  await page.click('tokhai-form .tk-rate [data-act=rate]');
  await page.waitForFunction(() => document.querySelector('tokhai-form .tk-rate-status')?.textContent === 'Cảm ơn bạn đã đánh giá.');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'tk-rate-status', 'focus on the thanks, not lost with the button');
  assert.equal(await page.getAttribute('tokhai-form .tk-rate-status', 'role'), null, 'read once, as focused, not also as a live region');
  assert.equal(env.portal.sql(`SELECT rating || ' ' || comment FROM satisfaction WHERE dossier_id = '${code}'`), '4 Nhanh gọn');

  beacons.push(...(await page.evaluate(() => Promise.all(window.beaconBodies))));
  // The citizen leaves: another beacon on page hide, with the dossier.
  await page.close({ runBeforeUnload: true });
  let stored = '';
  for (let i = 0; i < 50 && !stored; i++) {
    stored = env.portal.sql(`SELECT timeline FROM timings WHERE dossier_id = '${code}'`);
    if (!stored) await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.ok(stored, 'the collector stored the timeline');
  assert.ok(beacons.length >= 1 && kinds.includes('ping'), 'sent with sendBeacon');
  assert.equal(JSON.parse(beacons[0]).dossier_id, code, 'bound to the dossier');
  for (const body of [...beacons, stored]) {
    assert.ok(!body.includes(SECRET), 'no typed value in a beacon');
    assert.ok(!body.includes('Quokka'), 'no typed value in a beacon');
    assert.ok(!body.includes(citizen.pin) && !body.includes(citizen.full_name), 'no prefilled value either');
  }
  assert.ok(JSON.parse(stored).events.some((e) => e.type === 'receipt'), 'the stored timeline ends with the receipt');
  assert.deepEqual(errors, []);
  await context.close();
});

/** A logged-in citizen's CT01 page with an e-mail address typed in. */
async function startFiling(email) {
  const { context } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  await page.goto(`${env.portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  await page.fill('tokhai-form input[data-path=email]', email);
  await page.press('tokhai-form input[data-path=email]', 'Tab');
  return { context, page };
}

/** Closes the page as a citizen leaving mid-form; resolves to the timeline the collector stored for it. */
async function leave(page) {
  const count = () => Number(env.portal.sql('SELECT count(*) FROM timings WHERE dossier_id IS NULL'));
  const rows = count();
  await page.close({ runBeforeUnload: true });
  let now = rows;
  for (let i = 0; i < 50 && now === rows; i++) {
    await new Promise((ok) => setTimeout(ok, 100));
    now = count();
  }
  assert.equal(now, rows + 1, 'the abandoned filing is recorded');
  return env.portal.sql('SELECT timeline FROM timings WHERE dossier_id IS NULL ORDER BY received_at DESC LIMIT 1');
}

test('a citizen who leaves mid-form sends an abandonment beacon without values', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page } = await startFiling('quokka.zebra@example.vn');
  const stored = await leave(page);
  assert.ok(!/quokka/i.test(stored), 'no typed value');
  assert.ok(JSON.parse(stored).events.some((e) => e.type === 'change' && e.field === 'email'), 'the field id is there');
  await context.close();
});

test('a long filing whose timeline outgrows a beacon is still recorded when the citizen leaves', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page } = await startFiling('long.filing@example.vn');
  // A citizen going back and forth for a long time: thousands of focus events, more than a beacon's 64 KiB.
  const bytes = await page.evaluate(() => {
    const phone = document.querySelector('tokhai-form input[data-path=phone]');
    for (let i = 0; i < 1500; i++) {
      phone.dispatchEvent(new FocusEvent('focusin', { bubbles: true }));
      phone.dispatchEvent(new FocusEvent('focusout', { bubbles: true }));
    }
    return new Blob([JSON.stringify(document.querySelector('tokhai-form').handle.timeline())]).size;
  });
  assert.ok(bytes > 64 * 1024, `a timeline of ${bytes} bytes`);
  const stored = JSON.parse(await leave(page));
  assert.ok(stored.events.some((e) => e.type === 'change' && e.field === 'email'), 'its changes are there');
  await context.close();
});

test("a timeline too big for a beacon even without focus and blur keeps the filing's own course, a return to the page too", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, page } = await startFiling('long.course@example.vn');
  const beacons = await page.evaluate(async () => {
    const bodies = [];
    const send = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = (url, data) => {
      bodies.push(data.text());
      return send(url, data);
    };
    // A citizen changing the e-mail address thousands of times: more than a beacon's 64 KiB of changes alone.
    const email = document.querySelector('tokhai-form input[data-path=email]');
    for (let i = 0; i < 2000; i++) {
      email.value = `long.course${i % 2}@example.vn`;
      email.dispatchEvent(new Event('change', { bubbles: true }));
    }
    // Then leaves the page, comes back to it and leaves again.
    for (const type of ['pagehide', 'pageshow', 'pagehide']) dispatchEvent(new Event(type));
    return (await Promise.all(bodies)).map((b) => JSON.parse(b).timeline.events);
  });
  assert.equal(beacons.length, 2, 'a beacon each time the page is left');
  const events = beacons[1];
  assert.ok(events.every((e) => e.field === undefined), 'no event about a field');
  const types = events.map((e) => e.type);
  for (const type of ['start', 'hidden', 'shown']) assert.ok(types.includes(type), `${type} is kept: ${types.join(' ')}`);
  await context.close();
});
