// Prefill from national data on the real back end: provenance and locks in the widget, and every kind
// of tampering refused at submission with a reason the citizen can read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { answerSummary, axeViolations, fillToReview, launch, loggedIn, SERVER_BINARY, startPortal } from './helpers.mjs';
import { Citizen, LOCKED } from '../../qa/citizen.mjs';

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

/** The URL of a form's prefill bundle (not its household list or a member's row under it). */
const BUNDLE = (url) => /^\/api\/prefill\/[^/]+$/.test(url.pathname);

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
  // The prefill lands after the form shows: answering the summary before it would answer fields it then fills.
  await page.waitForSelector('tokhai-form .tk-prov');
  const next = await fillToReview(page);
  await next.click();
  const summary = page.locator('tokhai-form .tk-summary:not([hidden])');
  await summary.waitFor({ timeout: 15000 });
  return summary.textContent();
}

const skip = (t) => t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
/** What became of a PIN typed in a household row: said under the rows, not at the foot of the form. */
/** The lines under the rows' PINs that say what became of them. */
const ROW_STATUS = 'tokhai-form [data-path="members"] .tk-row-status';
/** Waits until row `row`'s line says the PIN is not in the household (or, with `words`, says those). */
const rowSays = (page, row, words = 'hộ gia đình') =>
  page.waitForFunction(([s, row, words]) => document.querySelectorAll(s)[row]?.textContent.includes(words), [ROW_STATUS, row, words]);
/** The texts of the rows' lines. */
const rowStatuses = (page) => page.$$eval(ROW_STATUS, (lines) => lines.map((l) => l.textContent));

test('at least 8 fields are prefilled with their source, and the authoritative ones are locked', async (t) => {
  if (!env.portal) return skip(t);
  const { context, page, citizen } = await openCt01(env.portal);
  await page.waitForSelector('tokhai-form .tk-prov');
  const notes = await page.$$eval('tokhai-form .tk-prov', (ps) => ps.map((p) => p.textContent));
  assert.ok(notes.length >= 8, `${notes.length} provenance notes`);
  assert.ok(notes.every((n) => n.includes('Cơ sở dữ liệu quốc gia về dân cư')), notes.join(' | '));
  const locked = await page.$$eval(`tokhai-form [data-path]${LOCKED}`, (els) => els.map((e) => e.dataset.path));
  for (const path of ['full_name', 'dob', 'pin', 'head_name', 'head_pin']) {
    assert.ok(locked.some((p) => p === path || p.startsWith(`${path}.`)), `${path} is locked (locked: ${locked})`);
  }
  assert.equal(await page.inputValue('tokhai-form input[data-path="full_name"]'), citizen.full_name);
  // The prefilled phone is not authoritative: the citizen may change it.
  const phone = page.locator('tokhai-form input[data-path="phone"]');
  if (await phone.count()) assert.equal(await phone.getAttribute('readonly'), null);
  await context.close();
});


test("the citizen's own fields, those from their national record, tell the browser their purpose (WCAG 1.3.5); others' do not", async (t) => {
  if (!env.portal) return skip(t);
  const { context, page } = await openCt01(env.portal);
  const purposes = await page.$$eval('tokhai-form [data-path]:is(input, textarea)', (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.path, e.getAttribute('autocomplete')])),
  );
  assert.equal(purposes.full_name, 'name');
  assert.equal(purposes.dob, 'bday');
  assert.equal(purposes.phone, 'tel');
  assert.equal(purposes.email, 'email');
  assert.equal(purposes['current_address.street'], 'address-line1');
  // The household head's name is not the citizen's.
  assert.equal(purposes.head_name, null);
  await context.close();
});
test('a locked value changed in the page is refused with the reason shown', async (t) => {
  if (!env.portal) return skip(t);
  const { context, page } = await openCt01(env.portal);
  // Tampered once national data has landed: a bundle landing later would put the locked name back.
  await page.waitForSelector('tokhai-form .tk-prov');
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
    p.route(BUNDLE, async (route) => {
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

test('a filing whose bundle has expired (a long filing) is received, checked against national data fetched again', async (t) => {
  if (!env.portal) return skip(t);
  const { context, page } = await openCt01(env.short);
  await page.waitForSelector('tokhai-form .tk-prov');
  await page.waitForTimeout(2500);
  const next = await fillToReview(page);
  await next.click();
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])', { timeout: 15000 });
  assert.equal(await page.locator('tokhai-form .tk-summary:not([hidden])').count(), 0, 'no refusal to read');
  await context.close();
});

test('when national data fails, the form stays usable, editable, and says so', async (t) => {
  if (!env.portal) return skip(t);
  const { context, page } = await openCt01(env.portal, (p) =>
    p.route(BUNDLE, (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: '{"code":"prefill_unavailable"}' }),
    ),
  );
  const name = page.locator('tokhai-form input[data-path="full_name"]');
  assert.equal(await name.inputValue(), '');
  assert.equal(await name.getAttribute('readonly'), null, 'nothing is locked without a bundle');
  await name.fill('Nguyễn Văn An');
  assert.equal(await page.locator('tokhai-form .tk-prov').count(), 0);
  assert.match(await page.textContent('tokhai-form .tk-status'), /Chưa lấy được thông tin/);
  // Said at the top of the form, where the citizen starts, not below the step's questions.
  const place = await page.$eval('tokhai-form .tk-status', (s) => ({
    beforeQuestions: Boolean(s.compareDocumentPosition(s.closest('form').querySelector('.tk-body')) & Node.DOCUMENT_POSITION_FOLLOWING),
    top: s.getBoundingClientRect().top - s.closest('form').getBoundingClientRect().top,
  }));
  assert.ok(place.beforeQuestions, 'the line comes before the questions');
  assert.ok(place.top < 300, `the line is near the form's top (${place.top} px below it)`);
  await context.close();
});

test('when national data is slow, a notice says so until the values arrive', async (t) => {
  if (!env.portal) return skip(t);
  let release;
  const held = new Promise((ok) => (release = ok));
  const { context, page } = await openCt01(env.portal, (p) =>
    p.route(BUNDLE, async (route) => {
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

test('national data is asked for while the module loads, not once it has: on a phone, a round trip less before the form is ready', async (t) => {
  if (!env.portal) return skip(t);
  // The module is held back until the bundle is asked for, or for 5 seconds.
  let release;
  let released = false;
  const held = new Promise((ok) => (release = () => ok((released = true))));
  let askedWhileHeld = false;
  const { context, page } = await openCt01(env.portal, async (p) => {
    await p.route((url) => url.pathname.endsWith('/tokhai_web_bg.wasm'), async (route) => {
      await held;
      return route.continue();
    });
    p.on('request', (request) => {
      if (!BUNDLE(new URL(request.url()))) return;
      askedWhileHeld ||= !released;
      release();
    });
    setTimeout(release, 5000);
  });
  assert.ok(askedWhileHeld, 'the bundle was asked for while the module was held back');
  await page.waitForSelector('tokhai-form .tk-prov');
  await context.close();
});

/** How many times a test went to the members step (see `atMembers`). */
let membersVisits = 0;

/**
 * A logged-in adult who lives with others (at least `housemates`), on CT01's household members (every
 * earlier step answered): the page, the add button, the row controls and a PIN typer. `prepare` runs
 * before the page loads.
 */
async function atMembers(prepare = async () => {}, { housemates = 1 } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1024, height: 900 } });
  const { citizens } = await (await context.request.get(`${env.portal.url}/api/dev/citizens?limit=300`)).json();
  const others = (a) => citizens.filter((b) => b.household_id === a.household_id && b.pin !== a.pin);
  // Another citizen each time: one citizen's lookups of national data are rate-limited.
  const eligible = citizens.filter((a) => a.birth_year < 2000 && others(a).length >= housemates);
  const me = eligible[membersVisits++ % eligible.length];
  const [member, second] = others(me);
  const stranger = citizens.find((c) => c.household_id !== me.household_id);
  assert.equal((await context.request.post(`${env.portal.url}/api/dev/login`, { data: { pin: me.pin } })).status(), 200);
  const page = await context.newPage();
  await prepare(page);
  await page.goto(`${env.portal.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  const next = page.locator('tokhai-form .tk-nav button[type=submit]');
  const add = page.locator('tokhai-form button[data-act="add"]');
  for (let round = 0; round < 12 && !(await add.isVisible()); round++) {
    await next.click();
    if (await page.locator('tokhai-form .tk-summary:not([hidden])').count()) await answerSummary(page);
  }
  const row = (i, field) => page.locator(`tokhai-form :is(input,select,textarea)[data-path="members[${i}].${field}"]`);
  const typePin = async (i, pin) => {
    await row(i, 'm_pin').fill(pin);
    await row(i, 'm_pin').press('Tab');
  };
  return { context, page, member, second, stranger, add, row, typePin };
}

/**
 * Prepares a page whose members' row bundles, as the portal sends them, also hold `entries`; the messages
 * of the form's `error` events go to `errors`.
 */
function rowBundlesWith(entries, errors) {
  return async (page) => {
    await page.route('**/api/prefill/**/row?*', async (route) => {
      const res = await route.fetch();
      const bundle = await res.json();
      Object.assign(bundle.values, entries);
      return route.fulfill({ response: res, body: JSON.stringify(bundle) });
    });
    await page.exposeFunction('failed', (message) => errors.push(message));
    await page.addInitScript(() => document.addEventListener('tokhai-error', (e) => window.failed(String(e.detail.error?.message))));
  };
}

test("a row whose PIN is changed to another person's loses what national data filled for the person before", async (t) => {
  if (!env.portal) return skip(t);
  const { context, page, member, stranger, add, row, typePin } = await atMembers();
  await add.click();
  await typePin(0, member.pin);
  await page.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  const filled = await page.evaluate(() => document.querySelector('tokhai-form').handle.values().members[0]);
  const others = Object.keys(filled).filter((f) => f !== 'm_pin' && filled[f] != null);
  assert.ok(others.length >= 2, `national data filled ${others.join(', ')}`);
  await typePin(0, stranger.pin);
  await page.waitForFunction(() => !document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  // The former person's date of birth went before the new PIN was judged: no error of theirs is said.
  assert.doesNotMatch(await page.textContent('tokhai-form .tk-notice'), /Lỗi/);
  const now = await page.evaluate(() => document.querySelector('tokhai-form').handle.values().members[0]);
  assert.deepEqual(others.filter((f) => now[f] != null), [], "none of the former person's details stays");
  assert.equal(await row(0, 'm_name').inputValue(), '');
  assert.equal(now.m_pin, stranger.pin);
  await context.close();
});

test("a household member's PIN in a row fills the row from national data, locked, and a stranger's does not", async (t) => {
  if (!env.portal) return skip(t);
  const errors = [];
  const { context, page, member, stranger, add, row, typePin } = await atMembers((p) => p.on('pageerror', (e) => errors.push(e.message)));

  await add.click();
  await typePin(0, member.pin);
  await page.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  assert.equal((await row(0, 'm_name').inputValue()).toUpperCase(), member.full_name.toUpperCase());
  assert.match(await row(0, 'm_dob').inputValue(), /^\d{2}\/\d{2}\/\d{4}$/);
  assert.equal(await row(0, 'm_pin').getAttribute('readonly'), null, 'the PIN itself stays editable');
  const note = await page.textContent('tokhai-form [id$="members-0_m_name-prov"]');
  assert.ok(note.includes('Cơ sở dữ liệu quốc gia về dân cư'), note);

  await add.click();
  await typePin(1, stranger.pin);
  await rowSays(page, 1);
  assert.equal(await row(1, 'm_name').getAttribute('readonly'), null, "a stranger's row stays the citizen's to fill");
  assert.equal(await row(1, 'm_name').inputValue(), '');

  // Removing the first row moves the stranger's row up: the marks follow the people, not the places.
  await page.locator('tokhai-form button[data-act="remove"]').first().click();
  await page.waitForFunction(() => !document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  assert.equal(await row(0, 'm_pin').inputValue(), stranger.pin);
  assert.equal(await page.locator('tokhai-form [id$="members-0_m_name-prov"]').count(), 0);
  await typePin(0, member.pin);
  await page.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);

  // A reload restores the draft; national data fills and locks the member's row again.
  await page.evaluate(() => document.querySelector('tokhai-form').handle.saveDraft());
  await page.reload();
  await page.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly, null, { timeout: 15000 });
  assert.equal((await row(0, 'm_name').inputValue()).toUpperCase(), member.full_name.toUpperCase());
  assert.ok((await page.textContent('tokhai-form [id$="members-0_m_name-prov"]')).includes('Cơ sở dữ liệu quốc gia về dân cư'));

  await page.evaluate(() =>
    document.addEventListener('tokhai-submit', (e) => console.log(`rows ${JSON.stringify(e.detail.row_prefills ?? [])}`)),
  );
  const send = await fillToReview(page);
  const submitted = page.waitForEvent('console', { predicate: (m) => m.text().startsWith('rows '), timeout: 15000 });
  await send.click();
  const rows = JSON.parse((await submitted).text().slice('rows '.length));
  assert.deepEqual(rows.map((b) => b.row.member), [member.pin], 'the signed row goes with the submission');
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');
  assert.deepEqual(errors, []);
  await context.close();
});

test("the line saying a PIN is not in the household is under that PIN, follows its row, and goes on another screen", async (t) => {
  if (!env.portal) return skip(t);
  const { context, page, member, stranger, add, typePin } = await atMembers();
  await add.click();
  await typePin(0, member.pin);
  await page.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  await add.click();
  await typePin(1, stranger.pin);
  await rowSays(page, 1);
  const [, line] = await rowStatuses(page);
  assert.deepEqual(await rowStatuses(page), ['', line]);
  const under = await page.$$eval(ROW_STATUS, (lines) => lines[1].previousElementSibling.querySelector('input')?.dataset.path);
  assert.equal(under, 'members[1].m_pin', 'right under the PIN it is about');
  // Said once as it comes, and read again with the PIN's box when the citizen comes back to it.
  const described = await page.$eval('tokhai-form input[data-path="members[1].m_pin"]', (box) =>
    box.getAttribute('aria-describedby').split(' ').map((id) => document.getElementById(id)?.textContent).join(' '));
  assert.ok(described.includes(line), `the PIN's box is described by "${line}": ${described}`);
  // The member's row removed, the stranger's moves up, and its line with it.
  await page.locator('tokhai-form button[data-act="remove"]').first().click();
  assert.deepEqual(await rowStatuses(page), [line]);
  await page.locator('tokhai-form button[data-act="remove"]').first().click();
  await add.click();
  assert.deepEqual(await rowStatuses(page), [''], "gone with the stranger's row");
  await typePin(0, stranger.pin);
  await rowSays(page, 0);
  await page.click('tokhai-form .tk-nav [data-act=back]');
  assert.deepEqual(await rowStatuses(page), [''], 'not on another screen');
  await context.close();
});

test("a member's lookup that loses the connection says so and is asked again once it is back: the row fills, and a screen reader hears it", async (t) => {
  if (!env.portal) return skip(t);
  const { context, page, member, add, row, typePin } = await atMembers();
  await add.click();
  await context.setOffline(true);
  await typePin(0, member.pin);
  await rowSays(page, 0, 'mất kết nối');
  assert.deepEqual(
    await rowStatuses(page),
    ['Chưa lấy được thông tin người này từ hộ gia đình do mất kết nối; tờ khai sẽ tự thử lại khi có mạng.'],
    'not "not in your household"',
  );
  await context.setOffline(false);
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await page.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  assert.equal((await row(0, 'm_name').inputValue()).toUpperCase(), member.full_name.toUpperCase());
  assert.deepEqual(await rowStatuses(page), [''], 'the waiting line goes');
  assert.equal(
    await page.textContent('tokhai-form .tk-notice'),
    'Đã điền thông tin người này từ hộ gia đình của bạn (Cơ sở dữ liệu quốc gia về dân cư).',
  );
  await context.close();
});

test("a member's row bundle with a field the group lacks is refused whole: the row stays the citizen's, and the page says so", async (t) => {
  if (!env.portal) return skip(t);
  const refusals = [];
  const entry = { m_nickname: { value: 'Bé', source: 'population.nickname', locked: true } };
  const { context, page, member, add, row, typePin } = await atMembers(rowBundlesWith(entry, refusals));

  await add.click();
  await typePin(0, member.pin);
  await page.waitForFunction((s) => document.querySelector(s)?.textContent.trim(), ROW_STATUS);
  assert.deepEqual(refusals, ["prefill: the bundle is refused: 'members' has no field 'm_nickname'"]);
  assert.equal(await row(0, 'm_name').inputValue(), '', 'nothing of the bundle filled');
  assert.equal(await row(0, 'm_name').getAttribute('readonly'), null);
  await context.close();
});

test("a member's row value its field cannot hold is left to the citizen and named; the rest of the row fills and locks", async (t) => {
  if (!env.portal) return skip(t);
  const errors = [];
  // A portal's back end whose relationship codes the form does not use.
  const entry = { m_relationship: { value: 'zzz', source: 'member.relationship_to_head', locked: true } };
  const { context, page, member, add, row, typePin } = await atMembers(rowBundlesWith(entry, errors));

  await add.click();
  await typePin(0, member.pin);
  await page.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  assert.equal((await row(0, 'm_name').inputValue()).toUpperCase(), member.full_name.toUpperCase());
  assert.deepEqual(errors, ["prefill: left to the citizen, as their fields cannot hold these values: 'm_relationship' (option.unknown)"]);
  assert.equal(await row(0, 'm_relationship').inputValue(), '', 'left to the citizen');
  assert.match(await page.textContent('tokhai-form .tk-notice'), /^Đã điền thông tin người này từ hộ gia đình của bạn, trừ: [^.]*quan hệ với chủ hộ\. Vui lòng tự nhập\.$/i);
  assert.equal(await row(0, 'm_relationship').isDisabled(), false);
  // The field says so itself, to a screen reader too, until it is answered.
  const notes = () =>
    page.$$eval('tokhai-form [data-path="members[0].m_relationship"] .tk-prov', (ps) => ps.map((p) => p.textContent));
  assert.deepEqual(await notes(), ['Không điền sẵn được từ Cơ sở dữ liệu quốc gia về dân cư: vui lòng tự nhập']);
  assert.equal(
    await row(0, 'm_relationship').evaluate((s) => s.getAttribute('aria-describedby')?.split(' ').includes(`${s.id}-prov`)),
    true,
    'a screen reader hears it with the field',
  );
  await new Citizen(page).pick('members[0].m_relationship', 'vo', 'Vợ');
  await page.waitForFunction(() => !document.querySelector('tokhai-form [data-path="members[0].m_relationship"] .tk-prov'));
  assert.deepEqual(await notes(), []);
  await context.close();
});

/** A PIN as the household list shows it: its first three and last two digits. */
const masked = (pin) => `${pin.slice(0, 3)}*******${pin.slice(-2)}`;

test("the household's members are listed above the rows: a box ticked by keyboard adds the member's row, filled and locked; the boxes follow the rows", async (t) => {
  if (!env.portal) return skip(t);
  // What the portal sends: the list, and the rows asked for.
  const sent = { list: null, rows: [] };
  const watch = async (page) => {
    page.on('request', (r) => r.url().includes('/row?') && sent.rows.push(new URL(r.url()).searchParams));
    page.on('response', async (r) => {
      if (r.url().includes('/household?')) sent.list = await r.text();
    });
  };
  const { context, page, member, second, add, row, typePin } = await atMembers(watch, { housemates: 2 });
  const list = page.locator('tokhai-form .tk-household');
  await list.waitFor();
  assert.equal(await list.locator('legend').textContent(), 'Người trong hộ gia đình của bạn');
  // No member's PIN came with the list: each is masked, and a handle asks for the member's row.
  for (const pin of [member.pin, second.pin]) assert.ok(!sent.list.includes(pin), `${pin} is in the list: ${sent.list}`);
  const labels = await list.locator('label').allTextContents();
  const index = labels.findIndex((l) => l.toUpperCase().startsWith(member.full_name.toUpperCase()));
  const mine = labels[index];
  assert.ok(mine, `${member.full_name} among ${labels.join(' | ')}`);
  assert.ok(mine.includes(`, sinh năm ${member.birth_year} (${masked(member.pin)})`), mine);
  assert.ok(labels.every((l) => !l.includes(member.pin) && !l.includes(second.pin)), labels.join(' | '));
  // Heard as the digits shown, not as asterisks.
  const heard = list.locator('label .tk-vh').nth(index);
  assert.equal(await heard.textContent(), `, số định danh bắt đầu ${member.pin.slice(0, 3)}, kết thúc ${member.pin.slice(-2)}`);
  assert.equal(await list.locator('label .tk-pin-masked').nth(index).getAttribute('aria-hidden'), 'true');
  assert.deepEqual(await axeViolations(page, { include: 'tokhai-form' }), []);

  // Ticked with the keyboard: the row comes (in the empty row there is, not one more), filled from
  // national data and locked; focus stays on the box. It was asked for by the member's handle.
  await add.click();
  const box = list.locator('input').nth(index);
  await box.focus();
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  const handle = JSON.parse(sent.list).members[index].handle;
  assert.deepEqual(sent.rows.map((q) => [q.get('member'), q.get('pin')]), [[handle, null]], 'asked by handle, not by PIN');
  assert.equal(await row(0, 'm_pin').inputValue(), member.pin);
  assert.equal(await page.locator('tokhai-form .tk-row').count(), 1, 'the empty row took it');
  assert.equal((await row(0, 'm_name').inputValue()).toUpperCase(), member.full_name.toUpperCase());
  assert.equal(await page.evaluate(() => document.activeElement?.closest('.tk-household') !== null), true, 'focus stays on the list');
  // Said once filled (after "Đã thêm thành viên 1."): what the citizen does not see from the box.
  assert.match(await page.textContent('tokhai-form .tk-notice'), /^Đã điền thông tin người này/);

  // A second person ticked gets a row of their own.
  const secondBox = list.locator('input').nth(labels.findIndex((l) => l.toUpperCase().startsWith(second.full_name.toUpperCase())));
  await secondBox.check();
  await page.waitForFunction(() => document.querySelector('input[data-path="members[1].m_name"]')?.readOnly);
  assert.deepEqual([await row(0, 'm_pin').inputValue(), await row(1, 'm_pin').inputValue()], [member.pin, second.pin]);
  assert.deepEqual([await box.isChecked(), await secondBox.isChecked()], [true, true]);
  await secondBox.uncheck();
  assert.equal(await row(1, 'm_pin').count(), 0, "the second person's row goes, the first stays");
  assert.equal(await row(0, 'm_pin').inputValue(), member.pin);

  // Cleared: the row goes. The row's own Remove clears the box; a PIN typed in a row ticks it.
  await box.focus();
  await page.keyboard.press('Space');
  assert.equal(await row(0, 'm_pin').count(), 0, 'the row is removed');
  await box.check();
  await page.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  await page.locator('tokhai-form button[data-act="remove"]').first().click();
  assert.equal(await box.isChecked(), false, 'its row removed, the box is clear');
  await add.click();
  await typePin(0, member.pin);
  assert.equal(await box.isChecked(), true, 'the PIN typed ticks it');
  // The same person typed again in another row: one person is declared once.
  await add.click();
  await typePin(1, member.pin);
  await page.click('tokhai-form .tk-nav button[type=submit]');
  const summary = await page.locator('tokhai-form .tk-summary li').allTextContents();
  assert.ok(summary.includes('Những thành viên trong hộ gia đình cùng thay đổi: thành viên 2 là cùng một người với thành viên 1'), summary.join(' | '));

  // In English.
  await page.click('tokhai-form [data-act=lang]');
  assert.equal(await list.locator('legend').textContent(), 'People in your household');
  assert.ok((await list.locator('label').allTextContents()).some((l) => l.includes(`, born in ${member.birth_year} (`)));
  assert.equal(await heard.textContent(), `, ID number starting ${member.pin.slice(0, 3)}, ending ${member.pin.slice(-2)}`);
  await context.close();
});

test("a PIN typed ticks its member's box in the household list; a member ticked whose row cannot be had is cleared, and the page says so", async (t) => {
  if (!env.portal) return skip(t);
  let refuse = false;
  const refusing = async (page) => {
    await page.route('**/api/prefill/**/row?*', (route) =>
      refuse ? route.fulfill({ status: 404, contentType: 'application/json', body: '{"error": "not_household_member"}' }) : route.continue());
  };
  const { context, page, member, second, add, typePin } = await atMembers(refusing, { housemates: 2 });
  const list = page.locator('tokhai-form .tk-household');
  await list.waitFor();
  const labels = await list.locator('label').allTextContents();
  const boxOf = (person) => list.locator('input').nth(labels.findIndex((l) => l.toUpperCase().startsWith(person.full_name.toUpperCase())));

  // No box ticked yet: the row's answer names the member's handle, so the box of the PIN typed ticks.
  await add.click();
  await typePin(0, member.pin);
  await page.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  assert.deepEqual([await boxOf(member).isChecked(), await boxOf(second).isChecked()], [true, false]);

  // Ticked, but the row does not come: the box clears and the form says so at its top (no row to say it under).
  refuse = true;
  await boxOf(second).click();
  await page.waitForFunction(() => document.querySelector('tokhai-form .tk-status')?.textContent.includes('Không lấy được thông tin'));
  assert.equal(await boxOf(second).isChecked(), false);
  assert.equal(await page.locator('tokhai-form .tk-row').count(), 1, 'no row for them');
  await context.close();
});

test("a member whose row came before the household list (a PIN typed, a draft restored) has their box ticked once the list comes", async (t) => {
  if (!env.portal) return skip(t);
  // The list is held until a member's row has come (within the widget's 10 s for an answer).
  let rowCame;
  const came = new Promise((ok) => (rowCame = ok));
  const holding = async (page) => {
    page.on('response', (r) => r.url().includes('/row?') && rowCame());
    await page.route('**/api/prefill/**/household?*', async (route) => {
      await came;
      return route.continue();
    });
  };
  const { context, page, member, add, typePin } = await atMembers(holding);
  await add.click();
  await typePin(0, member.pin);
  await page.waitForFunction(() => document.querySelector('input[data-path="members[0].m_name"]')?.readOnly);
  const list = page.locator('tokhai-form .tk-household');
  await list.waitFor();
  const labels = await list.locator('label').allTextContents();
  const index = labels.findIndex((l) => l.toUpperCase().startsWith(member.full_name.toUpperCase()));
  assert.equal(await list.locator('input').nth(index).isChecked(), true);
  await context.close();
});
