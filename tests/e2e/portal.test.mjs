// The development portal on the real back end (tokhai-server): a citizen logs in with the
// development login, gets CT01 prefilled and locked, files it and receives a receipt from the intake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fillToReview, loggedIn, readStore, SERVER_BINARY, usePortal } from './helpers.mjs';

const env = usePortal();

test('a logged-in citizen files CT01 on the development portal and gets a receipt', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context, citizen: adult } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${env.portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  const name = page.locator('tokhai-form input[data-path="full_name"]');
  assert.equal(await name.inputValue(), adult.full_name, 'prefilled from the registry');
  assert.equal(await name.getAttribute('readonly'), '', 'locked');
  // The draft is kept under the citizen's own key: a masked PIN is shared by many citizens.
  const me = await page.evaluate(() => fetch('/api/me').then((r) => r.json()));
  assert.equal(await page.getAttribute('tokhai-form', 'subject'), me.subject_key);
  assert.notEqual(me.subject_key, me.subject_masked);

  const next = await fillToReview(page);
  assert.ok((await page.textContent('tokhai-form .tk-review')).includes(adult.full_name));
  assert.equal(await page.isVisible('tokhai-form .tk-progress'), true);
  assert.ok((await page.title()).startsWith('Kiểm tra lại thông tin trước khi gửi — '), await page.title());
  await next.click();
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');
  await page.waitForFunction(() => document.title.startsWith('Đã gửi tờ khai — '));
  assert.match(await page.textContent('tokhai-form .tk-reference'), /\S+/, 'the intake answered with a receipt');
  // The reference stands on a line of its own, under its label; on a phone it wraps only after its hyphen
  // (its date, then its code), never inside its letters.
  const lineEnds = () =>
    page.$eval('tokhai-form .tk-reference-code', (code) => {
      const text = code.firstChild;
      const range = document.createRange();
      const top = (i) => {
        range.setStart(text, i);
        range.setEnd(text, i + 1);
        return range.getClientRects()[0]?.top;
      };
      const after = [];
      for (let i = 1; i < text.length; i++) if (top(i) > top(i - 1) + 1) after.push(text.data.slice(0, i));
      return after;
    });
  const [label, code] = await page.$eval('tokhai-form .tk-reference', (p) => {
    const words = document.createRange();
    words.selectNodeContents(p.firstChild);
    return [words.getClientRects()[0].top, p.lastElementChild.getBoundingClientRect().top];
  });
  assert.ok(code > label, 'under its label');
  for (const width of [360, 320]) {
    await page.setViewportSize({ width, height: 740 });
    const breaks = await lineEnds();
    assert.ok(breaks.every((head) => /^HS\d{8}-$/.test(head)), `${width} px: lines end after ${breaks.join(' | ')}`);
  }
  assert.equal(await page.isVisible('tokhai-form .tk-progress'), false, 'no progress bar above the receipt');
  // The rating's answers are spaced for a finger, as the form's own radio buttons are.
  const gaps = await page.$$eval('tokhai-form .tk-rate .tk-option', (rows) =>
    rows.slice(1).map((row, i) => row.getBoundingClientRect().top - rows[i].getBoundingClientRect().bottom),
  );
  assert.equal(gaps.length, 4);
  assert.ok(gaps.every((gap) => gap >= 8), `rating answers ${gaps.join(', ')} px apart`);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a portal's own prefill after national data's adds its values; the signed bundle is still the one filed, and the back end accepts it", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  await page.goto(`${env.portal.url}/?form=ct01`);
  await page.waitForSelector('tokhai-form .tk-prov');
  // The province's own portal fills in its authority (a bundle of its own, not signed).
  const leftOut = await page.evaluate(() =>
    document.querySelector('tokhai-form').handle.prefill({
      values: { authority_province: { value: '01', source: 'portal', locked: false } },
    }),
  );
  assert.deepEqual(leftOut, []);
  assert.equal((await page.evaluate(() => document.querySelector('tokhai-form').handle.values())).authority_province, '01');
  await page.evaluate(() =>
    document.querySelector('tokhai-form').addEventListener('tokhai-submit', ({ detail }) => (window.filed = detail)),
  );
  const next = await fillToReview(page);
  await next.click();
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');
  const filed = await page.evaluate(() => window.filed);
  assert.equal(typeof filed.prefill.signature, 'string', 'national data\'s signed bundle went with the filing');
  assert.equal(filed.values.authority_province, '01');
  await context.close();
});

test('a login that expires while the citizen fills the form: the page offers to log in again, and the filing goes through after, its answers kept', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, citizen } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  await page.goto(`${env.portal.url}/?form=ct01`);
  await page.waitForSelector('tokhai-form .tk-prov');
  const next = await fillToReview(page);
  const typed = await page.evaluate(() => document.querySelector('tokhai-form').handle.values().request_detail);
  assert.ok(typed);
  // The login ends (as one that expired): Submit is refused, and the page says how to go on.
  await context.request.post(`${env.portal.url}/auth/logout`);
  await next.click();
  const relogin = page.locator('#relogin a');
  await relogin.waitFor();
  assert.equal(await relogin.getAttribute('href'), `/dev/login?next=${encodeURIComponent('/?form=ct01')}`);
  assert.match(await page.textContent('tokhai-form .tk-summary'), /đăng nhập lại/);
  await relogin.click();
  await page.fill('input[name=q]', citizen.pin);
  await page.click('form[method=get] button');
  await page.click('li form button');
  await page.waitForURL(`${env.portal.url}/?form=ct01`);
  // Back on the form, the answers come back from the draft, and Submit sends them.
  await page.waitForSelector('tokhai-form .tk-review:not([hidden])');
  assert.equal(await page.locator('.portal-logout').count(), 1, 'logged in again');
  await page.click('tokhai-form .tk-nav button[type=submit]');
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');
  const sent = JSON.parse(env.portal.sql('SELECT payload FROM submissions ORDER BY received_at DESC LIMIT 1'));
  assert.equal(sent.request_detail, typed, 'the answers typed before the login ended');
  await context.close();
});

test("the language a citizen chose with the form's switch comes back on reload, though the portal's element says lang=vi, until the portal sets one", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  await page.goto(`${env.portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  assert.equal(await page.getAttribute('tokhai-form', 'lang'), 'vi');
  await page.click('tokhai-form .tk-lang');
  await page.reload();
  await page.waitForSelector('tokhai-form .tk-prov');
  assert.equal(await page.getAttribute('tokhai-form .tk', 'lang'), 'en');
  assert.equal(await page.getAttribute('tokhai-form', 'lang'), 'en', 'the attribute follows');
  // The portal's own switch, later, is the latest choice: a reload keeps it.
  await page.evaluate(() => document.querySelector('tokhai-form').setAttribute('lang', 'vi'));
  await page.waitForSelector('tokhai-form .tk[lang=vi]');
  await page.reload();
  await page.waitForSelector('tokhai-form .tk-prov');
  assert.equal(await page.getAttribute('tokhai-form .tk', 'lang'), 'vi');
  await context.close();
});

test('the portal page follows the form: its language, and a title that says where the citizen is', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  const definitions = [];
  page.on('request', (request) => new URL(request.url()).pathname.startsWith('/forms/') && definitions.push(request.url()));
  await page.goto(`${env.portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  const title = () => page.title();
  await page.waitForFunction(() => document.title.startsWith('Người khai — '));
  // The page names the step by the form's `step` event: the definition is fetched by the form alone.
  assert.deepEqual(definitions, [`${env.portal.url}/forms/ct01.json`]);
  assert.ok((await title()).endsWith(' — Cổng dịch vụ công (phát triển)'), await title());
  // Continue with the authority not chosen: the title says there are errors, as GOV.UK's pages do.
  await page.click('tokhai-form .tk-nav button[type=submit]');
  await page.waitForSelector('tokhai-form .tk-summary:not([hidden])');
  assert.ok((await title()).startsWith('Lỗi: Người khai — '), await title());
  await page.click('tokhai-form .tk-lang');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.ok((await title()).startsWith('Error: Declarant — '), await title());
  assert.ok((await title()).endsWith(' — Public service portal (development)'), await title());
  assert.equal(await page.textContent('h1'), 'Online public services');
  assert.equal(await page.getAttribute('nav.procedures, nav[data-en-label="Procedures"]', 'aria-label'), 'Procedures');
  // The language chosen comes back on reload, the page's with it.
  await page.reload();
  await page.waitForSelector('tokhai-form .tk-prov');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.ok((await title()).startsWith('Declarant — '), await title());
  await page.click('tokhai-form .tk-lang');
  assert.equal(await page.textContent('h1'), 'Dịch vụ công trực tuyến');
  await context.close();
});

test('the portal lists every procedure and opens the one its address names, prefilled; one it does not have is said so', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context, citizen } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(`${env.portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  const links = await page.$$eval('#procedures a', (as) => as.map((a) => [a.getAttribute('href'), a.getAttribute('aria-current')]));
  assert.deepEqual(
    links.map(([href]) => href).sort(),
    ['/?form=birth_registration', '/?form=ct01', '/?form=judicial_record'],
  );
  assert.deepEqual(links.find(([, current]) => current === 'page'), ['/?form=ct01', 'page'], 'CT01 by default');
  const formFirst = () =>
    page.$eval('#filing', (filing) => !!(filing.compareDocumentPosition(document.getElementById('intro')) & Node.DOCUMENT_POSITION_FOLLOWING));
  assert.equal(await formFirst(), false, 'the portal\'s own page begins with the list of procedures');

  await page.click('#procedures a[href="/?form=judicial_record"]');
  await page.waitForSelector('tokhai-form .tk-prov');
  assert.equal(await page.getAttribute('tokhai-form', 'src'), '/forms/judicial-record.json');
  assert.equal(await formFirst(), true, 'a procedure chosen comes before the list: on a phone it is not a screen down');
  assert.match(await page.title(), /lý lịch tư pháp/);
  const name = page.locator('tokhai-form input[data-path="full_name"]');
  assert.equal(await name.inputValue(), citizen.full_name.toUpperCase(), 'prefilled (in capitals, as form 03 asks) for this procedure too');

  // A link with the definition's file name, not the procedure's id: said so, not another procedure.
  await page.goto(`${env.portal.url}/?form=judicial-record`);
  const notice = page.locator('#filing [role=alert]');
  await notice.waitFor();
  assert.equal(await notice.textContent(), 'Cổng không có thủ tục “judicial-record”. Vui lòng chọn một thủ tục trong danh sách.');
  assert.equal(await page.locator('tokhai-form').count(), 0, 'no form of another procedure');
  assert.equal(await page.locator('#procedures a').count(), 3, 'the list to choose from');
  assert.deepEqual(errors, []);
  await context.close();
});

test('every page of the development portal loads without a console error, a failed request or a CSP violation', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}`);
  const { context } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(`${page.url()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`${r.url()}: ${r.status()}`));
  const pages = readdirSync(new URL('../../www', import.meta.url)).filter((f) => f.endsWith('.html'));
  assert.ok(pages.length >= 5, `the portal's pages: ${pages}`);
  for (const file of pages) {
    await page.goto(`${env.portal.url}/${file}`, { waitUntil: 'networkidle' });
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test("a citizen's draft is sealed with their own key, and logging out leaves nothing of it on the computer", async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  await page.goto(`${env.portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  const saved = page.evaluate(() => new Promise((ok) => document.addEventListener('tokhai-draft', ok, { once: true })));
  await page.fill('tokhai-form input[data-path="email"]', 'an@example.vn');
  await page.keyboard.press('Tab');
  await saved;
  assert.equal(await readStore(page, 'drafts'), 1);
  // A page that gives no citizen's key (the minimal example, same form) seals its draft with the browser's
  // key for the site: that key opens its draft, and nothing of the citizen's, which the next person on the
  // computer could otherwise read.
  const embed = await context.newPage();
  await embed.goto(`${env.portal.url}/embed.html`);
  await embed.waitForSelector('tokhai-form .tk-nav');
  const siteSaved = embed.evaluate(() => new Promise((ok) => document.addEventListener('tokhai-draft', ok, { once: true })));
  await embed.fill('tokhai-form input[data-path="email"]', 'ai@example.vn');
  await embed.keyboard.press('Tab');
  await siteSaved;
  await embed.close();
  const { subject_key: subject } = await page.evaluate(() => fetch('/api/me').then((r) => r.json()));
  const opened = await page.evaluate(
    (subject) =>
      new Promise((ok) => {
        const req = indexedDB.open('tokhai');
        req.onsuccess = () => {
          const tx = req.result.transaction(['keys', 'drafts']);
          const key = tx.objectStore('keys').get('drafts');
          const drafts = tx.objectStore('drafts');
          const [mine, site] = [drafts.get(`ct01|${subject}`), drafts.get('ct01|')];
          tx.oncomplete = async () => {
            const open = (record) =>
              crypto.subtle.decrypt({ name: 'AES-GCM', iv: record.iv }, key.result, record.data).then(() => 'opened', () => 'not opened');
            ok({ citizen: await open(mine.result), site: await open(site.result) });
          };
        };
      }),
    subject,
  );
  assert.deepEqual(opened, { citizen: 'not opened', site: 'opened' }, "the site's key opens its own draft, not the citizen's");
  await page.click('.portal-logout');
  // The page after the logout (the one before was at the same address): its form keeps no drafts.
  await page.waitForSelector('tokhai-form[drafts=off] .tk-nav');
  assert.deepEqual([await readStore(page, 'drafts'), await readStore(page, 'outbox'), await readStore(page, 'keys')], [0, 0, 0]);
  assert.equal(await page.getAttribute('tokhai-form', 'drafts'), 'off', 'logged out, nothing typed is kept');
  assert.equal((await page.evaluate(() => fetch('/api/me').then((r) => r.json()))).logged_in, false);
  await context.close();
});

test('a second visit takes the catalogue and the definition from the browser, asked again but not downloaded', async (t) => {
  if (!env.portal) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { context } = await loggedIn(env.browser, env.portal);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  // Bytes received for each request of the two files: a 304 is its headers alone.
  const pending = new Map();
  let received = [];
  cdp.on('Network.responseReceived', (e) => {
    if (/\/catalogs\/admin-units\.json|\/forms\/ct01\.json/.test(e.response.url)) pending.set(e.requestId, new URL(e.response.url).pathname);
  });
  cdp.on('Network.loadingFinished', (e) => pending.has(e.requestId) && received.push([pending.get(e.requestId), e.encodedDataLength]));
  const visit = async () => {
    received = [];
    await page.goto(`${env.portal.url}/`);
    await page.waitForSelector('tokhai-form .tk-prov');
    const paths = ['/catalogs/admin-units.json', '/forms/ct01.json'];
    // The protocol's events may come after the page has rendered: waited for, 5 s at most.
    for (let i = 0; i < 50 && !paths.every((p) => received.some(([q]) => q === p)); i++) await page.waitForTimeout(100);
    return Object.fromEntries(paths.map((p) => [p, received.filter(([q]) => q === p).map(([, n]) => n)]));
  };
  const first = await visit();
  assert.ok(first['/catalogs/admin-units.json'][0] > 20000, `the first visit downloads the catalogue: ${JSON.stringify(first)}`);
  const second = await visit();
  for (const [path, sizes] of Object.entries(second)) {
    assert.ok(sizes.length > 0 && sizes.every((n) => n < 2000), `${path} is asked again, not downloaded: ${JSON.stringify(second)}`);
  }
  await context.close();
});
