// What a host page can lean on at the edges of the API: when `ready` fires, a form's life after
// `destroy`, one form per element, the element's attributes changing while it loads, a submission
// nothing would send, prefilled values that cannot be their field's (left to the citizen), and bundlers
// keeping the element.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { COMPILE_TRACE, lazyCompiles, open, readStore, useBrowser } from './helpers.mjs';

const env = useBrowser();
const SAMPLE = '/fixtures/ct01-sample.json';
const NAME = { value: 'Nguyễn Văn An', source: 'population.full_name', locked: true };
/** Every answer the sample's required fields need, as a prefill bundle's values (none locked). */
const VALID = {
  full_name: { value: 'Nguyễn Văn An', source: 't', locked: false },
  dob: { value: '1989-03-15', source: 't', locked: false },
  sex: { value: 'nam', source: 't', locked: false },
  pin: { value: '001089012345', source: 't', locked: false },
  phone: { value: '0912345678', source: 't', locked: false },
  residence: { value: { province: '01', commune: '00004', street: 'Số 1 Tràng Tiền' }, source: 't', locked: false },
  request_type: { value: 'thuong_tru', source: 't', locked: false },
  move_date: { value: '2026-10-01', source: 't', locked: false },
  housing: { value: 'so_huu', source: 't', locked: false },
  head_name: { value: 'Nguyễn Văn An', source: 't', locked: false },
  relation_to_head: { value: 'chu_ho', source: 't', locked: false },
  commitment: { value: true, source: 't', locked: false },
};

test('ready fires once the form is prefilled and the element holds its handle; the first screen is told after it', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const seen = await page.evaluate(
    async ({ sample, name }) => {
      const { mount } = await import('/pkg/index.js');
      const order = [];
      const host = document.body.appendChild(document.createElement('div'));
      for (const type of ['ready', 'step']) {
        host.addEventListener(`tokhai-${type}`, () => order.push(`${type} ${host.querySelector('input[data-path="full_name"]')?.value}`));
      }
      const handle = await mount(host, sample, { prefill: { values: { full_name: name } }, drafts: false, catalogs: '/catalogs/admin-units.json' });
      // What came before the form was ready is told a task later: a listener added at once hears it too.
      handle.on('step', ({ id, title }) => order.push(`handle step ${id}: ${title.vi} / ${title.en}`));
      await new Promise((ok) => setTimeout(ok, 20));
      handle.destroy();
      const element = document.createElement('tokhai-form');
      element.setAttribute('catalogs', '/catalogs/admin-units.json');
      const atReady = new Promise((ok) => element.addEventListener('tokhai-ready', () => ok(typeof element.handle?.values)));
      element.setAttribute('src', sample);
      document.body.append(element);
      return { order, handle: await atReady };
    },
    { sample: SAMPLE, name: NAME },
  );
  assert.deepEqual(seen, { order: ['ready Nguyễn Văn An', 'handle step declarant: Người kê khai / Declarant', 'step Nguyễn Văn An'], handle: 'function' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a destroyed form says so, a second destroy does nothing, and an element holds one form at a time', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async (sample) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    const tried = (f) => Promise.resolve().then(f).then(() => 'ok', (e) => e.message);
    const first = await mount(host, sample, { drafts: false, catalogs: '/catalogs/admin-units.json' });
    const twice = await tried(() => mount(host, sample, { drafts: false, catalogs: '/catalogs/admin-units.json' }));
    const forms = host.querySelectorAll('.tk').length;
    const nothing = await tried(() => first.prefill());
    first.destroy();
    const after = await Promise.all(
      [() => first.values(), () => first.submit(), () => first.setLanguage('en'), () => first.saveDraft(), () => first.discardDraft()].map(tried),
    );
    const again = await tried(() => first.destroy());
    const remounted = await mount(host, sample, { drafts: false, catalogs: '/catalogs/admin-units.json' });
    const values = typeof remounted.values();
    const noElement = await tried(() => mount(null, sample));
    const noDefinition = await tried(() => mount(document.createElement('div'), undefined));
    return { twice, forms, nothing, after, again, values, noElement, noDefinition };
  }, SAMPLE);
  assert.deepEqual(outcome, {
    twice: 'tokhai: this element already holds a form; destroy it first',
    forms: 1,
    nothing: 'tokhai: expected an object or a URL, got undefined',
    after: Array(5).fill('tokhai: this form was destroyed'),
    again: 'ok',
    values: 'object',
    noElement: 'tokhai: mount needs an element to render the form in',
    noDefinition: 'tokhai: no form definition (an object or its URL)',
  });
  assert.deepEqual(problems, []);
  await context.close();
});

test('options of the wrong type are refused with what they must be, attributes too; an element is found by its selector', async () => {
  const { page, context } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async (sample) => {
    const { mount } = await import('/pkg/index.js');
    const tried = (f) => Promise.resolve().then(f).then(() => 'ok', (e) => `${e.name}: ${e.message}`);
    const catalogs = '/catalogs/admin-units.json';
    const refused = {};
    const cases = [
      ['drafts', 'off'], ['loginAt', '1700000000000'], ['loginAt', 1700000000], ['today', 20250101], ['today', '2025-02-30'], ['retry', { attempts: '3' }],
      ['retry', 'fast'], ['draftKey', 'short'], ['draftDelay', -1], ['today', '2025-13-01'], ['draftKey', { key: 'q1w2e3' }],
    ];
    for (const [name, value] of cases) {
      const host = document.body.appendChild(document.createElement('div'));
      refused[`${name} ${JSON.stringify(value)}`] = await tried(() => mount(host, sample, { catalogs, [name]: value }));
    }
    // Options that are not an object (a language given where the options go).
    refused.en = await tried(() => mount(document.body.appendChild(document.createElement('div')), sample, 'en'));
    // A handle's listener must be a function, of an event there is, on a form not destroyed.
    const handle = await mount('#form-by-selector', sample, { catalogs, drafts: false, styles: false });
    const on = await Promise.all([() => handle.on('submited', () => {}), () => handle.on('ready', () => {}), () => handle.on('language', 'oops')].map(tried));
    handle.destroy();
    on.push(await tried(() => handle.on('step', () => {})));
    const missing = await tried(() => mount('#nowhere', sample));
    // An attribute says a switch with on/off or true/false; another word is refused, not taken as on.
    const element = (attributes) =>
      new Promise((ok) => {
        const e = document.createElement('tokhai-form');
        for (const [k, v] of Object.entries({ src: sample, catalogs, ...attributes })) e.setAttribute(k, v);
        // Ready, then an answer typed: with drafts on, it is saved (a draft event).
        let drafts = 0;
        e.addEventListener('tokhai-draft', () => drafts++);
        e.addEventListener('tokhai-ready', async () => {
          await new Promise((wait) => setTimeout(wait));
          await e.handle.restored;
          const phone = e.querySelector('input[data-path=phone]');
          phone.value = '0912345678';
          phone.dispatchEvent(new Event('input', { bubbles: true }));
          await new Promise((wait) => setTimeout(wait, 800));
          ok(`ready, ${drafts} drafts saved`);
        });
        e.addEventListener('tokhai-error', ({ detail }) => ok(detail.error.message));
        document.body.append(e);
      });
    const attributes = [
      await element({ drafts: 'nope' }),
      await element({ 'login-at': '2025-12-06T08:00:00+07:00' }),
      await element({ 'language-switch': 'false', history: 'OFF', drafts: 'false', 'login-at': '1700000000000' }),
      await element({ 'language-switch': 'off', drafts: 'on' }),
      // An empty attribute is none (a template that fills login-at for a visitor not logged in).
      await element({ 'login-at': '', today: '' }),
    ];
    return { refused, on, missing, attributes, switches: document.querySelectorAll('tokhai-form [data-act=lang]').length };
  }, SAMPLE);
  assert.deepEqual(outcome, {
    refused: {
      'drafts "off"': 'TypeError: tokhai: drafts (attribute drafts) must be true or false, not "off"',
      'loginAt "1700000000000"':
        'TypeError: tokhai: loginAt (attribute login-at) must be the login time in milliseconds since 1970, a number (as Date.now() gives; not seconds), not "1700000000000"',
      'loginAt 1700000000':
        'TypeError: tokhai: loginAt (attribute login-at) must be the login time in milliseconds since 1970, a number (as Date.now() gives; not seconds), not 1700000000',
      'today 20250101': 'TypeError: tokhai: today (attribute today) must be a date written yyyy-mm-dd, not 20250101',
      'today "2025-02-30"': 'TypeError: tokhai: today (attribute today) must be a date written yyyy-mm-dd, not "2025-02-30"',
      'retry {"attempts":"3"}':
        'TypeError: tokhai: retry must be an object of numbers ≥ 0 among attempts, baseMs, capMs, resendMs, not {"attempts":"3"}',
      'retry "fast"': 'TypeError: tokhai: retry must be an object of numbers ≥ 0 among attempts, baseMs, capMs, resendMs, not "fast"',
      'draftKey "short"':
        'TypeError: tokhai: draftKey (attribute draft-key) must be the citizen\'s key of 32 bytes in base64url (43 characters), as the portal gives it, not a string of 5 characters',
      'draftDelay -1': 'TypeError: tokhai: draftDelay must be milliseconds, a number ≥ 0, not -1',
      'today "2025-13-01"': 'TypeError: tokhai: today (attribute today) must be a date written yyyy-mm-dd, not "2025-13-01"',
      // A secret is never repeated, whatever its shape.
      'draftKey {"key":"q1w2e3"}':
        'TypeError: tokhai: draftKey (attribute draft-key) must be the citizen\'s key of 32 bytes in base64url (43 characters), as the portal gives it, not object',
      en: 'TypeError: tokhai: mount\'s options must be an object, not "en"',
    },
    on: [
      "TypeError: tokhai: no event 'submited' to listen to (the events are change, step, invalid, submit, submitted, refused, error, language, queued, draft, restored, timing, rating)",
      "TypeError: tokhai: no event 'ready' to listen to (it has come by the time there is a handle)",
      "TypeError: tokhai: the handler of 'language' is not a function",
      'Error: tokhai: this form was destroyed',
    ],
    missing: "TypeError: tokhai: no element matches '#nowhere' to render the form in",
    attributes: [
      'tokhai: drafts (attribute drafts) must be true or false, not "nope"',
      'tokhai: loginAt (attribute login-at) must be the login time in milliseconds since 1970, a number (as Date.now() gives; not seconds), not "2025-12-06T08:00:00+07:00"',
      'ready, 0 drafts saved',
      'ready, 1 drafts saved',
      'ready, 1 drafts saved',
    ],
    switches: 1, // the last element's alone: the others' switches say false and off
  });
  await context.close();
});

test('a form stays whole however many other definitions are compiled after it', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async (sample) => {
    const { mount, compileForm } = await import('/pkg/index.js');
    const definition = await (await fetch(sample)).json();
    const handle = await mount(document.body.appendChild(document.createElement('div')), definition, { catalogs: '/catalogs/admin-units.json' });
    // More definitions than the cache keeps: the first one's compiled form is let go.
    for (let n = 0; n < 12; n++) await compileForm({ ...definition, version: `v${n}` });
    await handle.restored;
    await handle.saveDraft();
    return { name: typeof handle.values(), valid: handle.validate().valid };
  }, SAMPLE);
  assert.deepEqual(outcome, { name: 'object', valid: false });
  assert.deepEqual(problems, []);
  await context.close();
});

test('the steps after the first screen render one a task after ready, each timed; a call that needs the whole form renders them at once', async () => {
  const { page, context, problems } = await open(env, SAMPLE, { ready: false });
  const outcome = await page.evaluate(async (sample) => {
    const { mount } = await import('/pkg/index.js');
    const definition = await (await fetch(sample)).json();
    const entries = () => performance.getEntriesByName('tokhai:later-steps').length;
    const task = () => new Promise((resolve) => setTimeout(resolve));
    // Which steps have their fields in the page.
    const rendered = (container) => [...container.querySelectorAll('section.tk-step')].map((step) => !!step.querySelector('[data-path]'));
    const first = document.body.appendChild(document.createElement('div'));
    await mount(first, definition, { catalogs: '/catalogs/admin-units.json', drafts: false, styles: false });
    const atReady = rendered(first);
    for (let n = 0; n < 200 && entries() < definition.steps.length - 1; n++) await task();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const timed = entries();
    const second = document.body.appendChild(document.createElement('div'));
    const handle = await mount(second, definition, { catalogs: '/catalogs/admin-units.json', drafts: false, styles: false });
    const beforeCall = rendered(second);
    handle.validate();
    const afterCall = rendered(second);
    await new Promise((resolve) => setTimeout(resolve, 100));
    return { steps: definition.steps.length, atReady, timed, all: rendered(first), beforeCall, afterCall, timedAfterCall: entries() - timed };
  }, SAMPLE);
  assert.deepEqual(outcome, {
    steps: 4,
    atReady: [true, false, false, false],
    timed: 3,
    all: [true, true, true, true],
    beforeCall: [true, false, false, false],
    afterCall: [true, true, true, true],
    // The next task finds nothing left to render, and says so once.
    timedAfterCall: 1,
  });
  assert.deepEqual(problems, []);
  await context.close();
});

test("the module's warm-up runs while the page waits for its form, never once a form has started, and leaves nothing", async () => {
  // The page's elements outside the mounted form, with and without the warm-up: the same.
  const outside = [];
  for (const waits of [true, false]) {
    const { page, context, problems } = await open(env, SAMPLE, { ready: false });
    const outcome = await page.evaluate(
      async ([sample, waits]) => {
        const { load, mount } = await import('/pkg/index.js');
        const [definition, catalogs] = await Promise.all([sample, '/catalogs/admin-units.json'].map(async (url) => (await fetch(url)).json()));
        const warmUps = () => performance.getEntriesByName('tokhai:warm-up').length;
        await load();
        // The warm-up is a task queued once the module is in: a page still waiting for its form lets it run.
        if (waits) await new Promise((resolve) => setTimeout(resolve, 100));
        const before = warmUps();
        const container = document.body.appendChild(document.createElement('div'));
        const handle = await mount(container, definition, { catalogs, drafts: false, styles: false });
        await new Promise((resolve) => setTimeout(resolve, 100));
        const rest = [...document.querySelectorAll('*')].filter((node) => !container.contains(node));
        return {
          before,
          after: warmUps(),
          forms: document.querySelectorAll('form').length,
          valid: handle.validate().valid,
          outside: rest.map((node) => `${node.tagName}#${node.id}.${node.className}`),
        };
      },
      [SAMPLE, waits],
    );
    outside.push(outcome.outside);
    delete outcome.outside;
    assert.deepEqual(outcome, { before: waits ? 1 : 0, after: waits ? 1 : 0, forms: 1, valid: false }, `waits: ${waits}`);
    assert.deepEqual(problems, []);
    await context.close();
  }
  assert.ok(outside[0].length > 0, 'the page has elements of its own');
  assert.deepEqual(outside[0], outside[1]);
});

test("after the warm-up, reading the country's administrative units compiles no wasm function: the warm-up read the same kind of file", async () => {
  const { page, context, problems } = await open(env, SAMPLE, { ready: false });
  await page.evaluate(async () => {
    const { load } = await import('/pkg/index.js');
    await load();
    await new Promise((resolve) => setTimeout(resolve, 100));
  });
  // The browser compiles a wasm function on its first call (wasm.CompileLazy in its trace).
  await env.browser.startTracing(page, COMPILE_TRACE);
  const warmUps = await page.evaluate(async () => {
    const { loadCatalogs } = await import('/pkg/index.js');
    performance.mark('read:start');
    await loadCatalogs('/catalogs/admin-units.json');
    performance.mark('read:end');
    return performance.getEntriesByName('tokhai:warm-up').length;
  });
  const compiled = lazyCompiles(await env.browser.stopTracing(), 'read:start', 'read:end');
  assert.equal(warmUps, 1, 'the warm-up ran');
  assert.ok(compiled, 'both marks are in the trace');
  assert.deepEqual(compiled.map((e) => e.args), [], 'wasm functions compiled during the read');
  assert.deepEqual(problems, []);
  await context.close();
});

test('with no action and no submit handler the filing is not said to be sent', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async ({ sample, values }) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    const handle = await mount(host, sample, { drafts: false, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' });
    const errors = [];
    handle.on('error', ({ error }) => errors.push(error.message));
    // Every answer of the sample's required fields, as the harness tests give them.
    await handle.prefill({ values });
    const valid = handle.validate().valid;
    const unsent = await handle.submit();
    const receipt = host.querySelectorAll('.tk-done:not([hidden])').length;
    // A counter's push returns a number: no answer. The sending handler's object is.
    handle.on('submit', () => [].push('gtm.formSubmit'));
    handle.on('submit', () => ({ receipt: { id: 'HOST-1' } }));
    const sent = await handle.submit();
    return { valid, unsent: unsent.ok, errors, receipt, sent: sent.ok && sent.response.receipt.id };
  }, { sample: SAMPLE, values: VALID });
  assert.deepEqual(outcome, {
    valid: true,
    unsent: false,
    errors: [
      "tokhai: no 'action' and no 'submit' handler: the submission was not sent (a tokhai-submit listener is told of it, but does not send it: give the form an action, or a handler with handle.on('submit'))",
    ],
    receipt: 0,
    sent: 'HOST-1',
  });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a submit handler that throws fails the filing as one that rejects does: no receipt, its error told', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async ({ sample, values }) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    const handle = await mount(host, sample, { drafts: false, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' });
    const told = [];
    handle.on('error', ({ error }) => told.push(error.message));
    handle.on('submitted', () => told.push('submitted'));
    await handle.prefill({ values });
    const stop = handle.on('submit', () => {
      throw new Error('the portal refused');
    });
    const thrown = await handle.submit();
    const receipt = host.querySelectorAll('.tk-done:not([hidden])').length;
    stop();
    handle.on('submit', () => ({ receipt: { id: 'HOST-2' } }));
    const sent = await handle.submit();
    // Filed: the same outcome again, nothing sent twice.
    const again = await handle.submit();
    return { thrown: [thrown.ok, thrown.error?.message], receipt, told, sent: sent.response.receipt.id, again: again === sent };
  }, { sample: SAMPLE, values: VALID });
  assert.deepEqual(outcome, {
    thrown: [false, 'the portal refused'],
    receipt: 0,
    told: ['the portal refused', 'submitted'],
    sent: 'HOST-2',
    again: true,
  });
  assert.deepEqual(problems, []);
  await context.close();
});

test("a submit handler that returns the back end's Response (a fetch with the portal's own headers) gets a refusal's reasons shown at their fields, then its receipt", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  let answers = 0;
  await page.route('**/portal-submissions', (route) =>
    ++answers === 1
      ? route.fulfill({
          status: 422,
          contentType: 'application/json',
          body: JSON.stringify({ reasons: [{ path: 'phone', code: 'phone.not_reachable', message_vi: 'Số điện thoại không liên lạc được', message_en: 'The phone cannot be reached' }] }),
        })
      : route.fulfill({ status: 201, contentType: 'application/json', body: JSON.stringify({ receipt: { id: 'HS-9' } }) }),
  );
  const outcome = await page.evaluate(async ({ sample, values }) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    const handle = await mount(host, sample, { drafts: false, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' });
    await handle.prefill({ values });
    const told = [];
    handle.on('refused', ({ status }) => told.push(`refused ${status}`));
    handle.on('submitted', () => told.push('submitted'));
    handle.on('submit', (submission) =>
      fetch('/portal-submissions', { method: 'POST', headers: { 'X-CSRF-Token': 'abc' }, body: JSON.stringify(submission) }),
    );
    const first = await handle.submit();
    const phone = host.querySelector('input[data-path=phone]');
    const marked = [phone.getAttribute('aria-invalid'), host.querySelector('.tk-summary:not([hidden])')?.textContent.includes('Số điện thoại không liên lạc được')];
    const second = await handle.submit();
    return { first: [first.ok, first.issues.map((i) => i.code)], marked, second: second.ok && second.response.receipt.id, told };
  }, { sample: SAMPLE, values: VALID });
  assert.deepEqual(outcome, {
    first: [false, ['phone.not_reachable']],
    marked: ['true', true],
    second: 'HS-9',
    told: ['refused 422', 'submitted'],
  });
  assert.deepEqual(problems.filter((p) => !p.includes('status of 422')), []);
  await context.close();
});

test("a submit handler given to an element's handle stays with the element when an attribute starts the form anew", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async ({ sample, values }) => {
    await import('/pkg/index.js');
    const el = document.createElement('tokhai-form');
    for (const [k, v] of Object.entries({ src: sample, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' })) el.setAttribute(k, v);
    document.body.append(el);
    const first = await el.ready;
    const sent = [];
    first.on('submit', () => {
      sent.push('sent');
      return { receipt: { id: 'HOST-3' } };
    });
    const stop = first.on('submit', () => sent.push('taken off'));
    stop();
    // Another citizen logged in: the form starts again.
    el.setAttribute('subject', 'citizen-2');
    await new Promise((wait) => setTimeout(wait));
    const second = await el.ready;
    await second.prefill({ values });
    const outcome = await second.submit();
    return { anew: first !== second, sent, receipt: outcome.ok && outcome.response.receipt.id };
  }, { sample: SAMPLE, values: VALID });
  assert.deepEqual(outcome, { anew: true, sent: ['sent'], receipt: 'HOST-3' });
  assert.deepEqual(problems, []);
  await context.close();
});

test("the portal's own loading line gives way to the form; a draft restored on the screen shown tells no second step", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async ({ sample }) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    host.innerHTML = '<p class="portal-loading">Đang tải…</p>';
    const options = { catalogs: '/catalogs/admin-units.json', today: '2026-11-23', history: false };
    const first = await mount(host, sample, options);
    const placeholder = host.querySelectorAll('.portal-loading').length;
    await first.restored;
    const phone = host.querySelector('input[data-path=phone]');
    phone.value = '0912345678';
    phone.dispatchEvent(new Event('input', { bubbles: true }));
    phone.dispatchEvent(new Event('change', { bubbles: true }));
    await first.saveDraft();
    first.destroy();
    const again = await mount(host, sample, options);
    const told = [];
    for (const type of ['step', 'restored']) again.on(type, (detail) => told.push(type === 'step' ? `step ${detail.index}` : type));
    await again.restored;
    return { placeholder, told, phone: again.values().phone };
  }, { sample: SAMPLE });
  assert.deepEqual(outcome, { placeholder: 0, told: ['step 0', 'restored'], phone: '+84912345678' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('two forms of one definition on a page keep a draft each when their elements have ids; without, the console says they share one', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async ({ sample }) => {
    const { mount } = await import('/pkg/index.js');
    const options = { catalogs: '/catalogs/admin-units.json', today: '2026-11-23', history: false };
    const host = (id) => Object.assign(document.body.appendChild(document.createElement('div')), id ? { id } : {});
    const type = async (handle, phone) => {
      await handle.restored;
      const box = handle.element.querySelector('input[data-path=phone]');
      box.value = phone;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      await handle.saveDraft();
    };
    const [one, two] = [host('applicant'), host('spouse')];
    const first = [await mount(one, sample, options), await mount(two, sample, options)];
    await type(first[0], '0912345678');
    await type(first[1], '0987654321');
    first.forEach((h) => h.destroy());
    const again = [await mount(one, sample, options), await mount(two, sample, options)];
    await Promise.all(again.map((h) => h.restored));
    const phones = again.map((h) => h.values().phone);
    again.forEach((h) => h.destroy());
    // Without ids: one draft, said so.
    await mount(host(), sample, options);
    await mount(host(), sample, options);
    return phones;
  }, { sample: SAMPLE });
  assert.deepEqual(outcome, ['+84912345678', '+84987654321']);
  assert.deepEqual(problems, [
    "console: tokhai: two forms of this page keep one draft of 'ct01_sample': give each element an id of its own",
  ]);
  await context.close();
});

test("without drafts, an element started anew by a changed attribute keeps the answers in the page; another citizen's form does not get them", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async ({ sample }) => {
    await import('/pkg/index.js');
    const el = document.createElement('tokhai-form');
    for (const [k, v] of Object.entries({ src: sample, catalogs: '/catalogs/admin-units.json', drafts: 'off', subject: 'citizen-1', history: 'off' })) el.setAttribute(k, v);
    document.body.append(el);
    const first = await el.ready;
    await first.restored;
    const box = el.querySelector('input[data-path=phone]');
    box.value = '0912345678';
    box.dispatchEvent(new Event('input', { bubbles: true }));
    const told = [];
    el.addEventListener('tokhai-restored', () => told.push('restored'));
    const anew = async (name, value) => {
      el.setAttribute(name, value);
      await new Promise((wait) => setTimeout(wait));
      const handle = await el.ready;
      await handle.restored;
      return [handle.values().phone ?? null, el.querySelector('.tk-status')?.textContent ?? ''];
    };
    const endpoint = await anew('timings-endpoint', '/api/timings');
    return { endpoint, citizen: await anew('subject', 'citizen-2'), told };
  }, { sample: SAMPLE });
  // The citizen never left the answers: nothing says they are "restored", to the citizen or the host.
  assert.deepEqual(outcome, { endpoint: ['+84912345678', ''], citizen: [null, ''], told: [] });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a host may destroy the form from any of its events: the filing accepted stays accepted, and nothing breaks', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async ({ sample, values }) => {
    const { mount } = await import('/pkg/index.js');
    const options = { action: '/api/submissions', drafts: false, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' };
    const mountOne = async () => {
      const host = document.body.appendChild(document.createElement('div'));
      const handle = await mount(host, sample, options);
      return { host, handle };
    };
    const results = {};
    const filed = await mountOne();
    await filed.handle.prefill({ values });
    filed.handle.on('submitted', () => filed.handle.destroy());
    const accepted = await filed.handle.submit();
    results.submitted = [accepted.ok, accepted.response?.receipt?.id, filed.host.childElementCount];
    const switched = await mountOne();
    switched.handle.on('language', () => switched.handle.destroy());
    switched.handle.setLanguage('en');
    results.language = switched.host.childElementCount;
    const refused = await mountOne();
    refused.handle.on('invalid', () => refused.handle.destroy());
    const invalid = await refused.handle.submit();
    results.invalid = [invalid.ok, refused.host.childElementCount];
    // The element is free for another form.
    const again = await mount(refused.host, sample, options);
    results.again = typeof again.values();
    return results;
  }, { sample: SAMPLE, values: VALID });
  assert.deepEqual(outcome, { submitted: [true, 'TK-000001', 0], language: 0, invalid: [false, 0], again: 'object' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a filing submitted right after mount is sent once, even with an earlier draft of the form still being looked up', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  let posts = 0;
  await page.route('**/api/submissions', (route) => {
    posts++;
    return route.fulfill({ status: 201, contentType: 'application/json', body: JSON.stringify({ receipt: { id: `R-${posts}` } }) });
  });
  const outcome = await page.evaluate(async ({ sample, values }) => {
    const { mount } = await import('/pkg/index.js');
    const seen = [];
    for (let round = 0; round < 3; round++) {
      const host = document.body.appendChild(document.createElement('div'));
      const handle = await mount(host, sample, { action: '/api/submissions', prefill: { values }, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' });
      let submitted = 0;
      handle.on('submitted', () => submitted++);
      const result = await handle.submit();
      await handle.restored;
      await new Promise((ok) => setTimeout(ok, 300));
      seen.push([result.ok, submitted]);
      handle.destroy();
    }
    return seen;
  }, { sample: SAMPLE, values: VALID });
  assert.deepEqual(outcome, [[true, 1], [true, 1], [true, 1]]);
  assert.equal(posts, 3, 'one POST per filing');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a back end answering 204 received the filing: a receipt without reference; a rating that fails to go says so, not the filing', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  await page.route('**/api/submissions', (route) => route.fulfill({ status: 204 }));
  await page.route('**/api/satisfaction', (route) => route.fulfill({ status: 503, body: '{}' }));
  const outcome = await page.evaluate(async ({ sample, values }) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    const options = { action: '/api/submissions', satisfactionEndpoint: '/api/satisfaction', drafts: false, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' };
    const handle = await mount(host, sample, options);
    const told = [];
    handle.on('submitted', ({ response }) => told.push(response));
    await handle.prefill({ values });
    const result = await handle.submit();
    const rated = new Promise((ok) => handle.on('rating', ok));
    host.querySelector('.tk-rate input[value="4"]').click();
    host.querySelector('.tk-rate [data-act=rate]').click();
    await rated;
    const status = host.querySelector('.tk-rate-status');
    for (let i = 0; i < 50 && !status.textContent; i++) await new Promise((ok) => setTimeout(ok, 20));
    return {
      ok: result.ok,
      told,
      receipt: !!host.querySelector('.tk-done:not([hidden])'),
      reference: host.querySelector('.tk-reference'),
      rating: status.textContent,
    };
  }, { sample: SAMPLE, values: VALID });
  assert.deepEqual(outcome, { ok: true, told: [null], receipt: true, reference: null, rating: 'Chưa gửi được đánh giá. Vui lòng thử lại.' });
  assert.deepEqual(problems.filter((p) => !p.includes('status of 503')), []);
  await context.close();
});

test('a wasm module that failed to load is fetched again by the next mount, and the error names it', async () => {
  const { page, context, problems } = await open(env, '/fixtures/ct01-sample.json', { ready: false });
  let fetches = 0;
  await page.route('**/pkg/tokhai_web_bg.wasm', (route) => (++fetches === 1 ? route.abort() : route.continue()));
  const outcome = await page.evaluate(async (sample) => {
    const { mount } = await import('/pkg/index.js');
    const tried = (f) => Promise.resolve().then(f).then(() => 'ok', (e) => e.message);
    const options = { drafts: false, catalogs: '/catalogs/admin-units.json' };
    const first = await tried(() => mount(document.body.appendChild(document.createElement('div')), sample, options));
    const second = await tried(() => mount(document.body.appendChild(document.createElement('div')), sample, options));
    return { first, second };
  }, SAMPLE);
  assert.match(outcome.first, /^tokhai: could not load http:\/\/[^ ]+\/pkg\/tokhai_web_bg\.wasm: /);
  assert.equal(outcome.second, 'ok');
  assert.equal(fetches, 2);
  assert.deepEqual(problems.filter((p) => !p.includes('ERR_FAILED')), []);
  await context.close();
});

test('an element that cannot load says why in the console and to a listener a later script adds, naming the URL at fault', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const logged = [];
  page.on('console', (m) => m.type() === 'error' && logged.push(m.text()));
  // A portal's page: the elements in its markup, its own listener in a module after the widget's.
  await page.route('**/late-listener.html', (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="vi"><body>
        <tokhai-form id="missing" src="/nowhere.json"></tokhai-form>
        <tokhai-form id="html" src="/fixtures/harness.html"></tokhai-form>
        <tokhai-form id="typo" src="${SAMPLE}" drafts="nope"></tokhai-form>
        <script type="module" src="/pkg/index.js"></script>
        <script type="module">
          window.heard = {};
          for (const el of document.querySelectorAll('tokhai-form'))
            el.addEventListener('tokhai-error', ({ detail }) => (window.heard[el.id] = detail.error.message));
        </script>`,
    }),
  );
  await page.goto(`${env.server.url}/late-listener.html`);
  await page.waitForFunction(() => Object.keys(window.heard ?? {}).length === 3);
  const heard = await page.evaluate(() => window.heard);
  assert.equal(heard.missing, 'tokhai: /nowhere.json answered 404');
  assert.match(heard.html, /^tokhai: \/fixtures\/harness\.html: .*JSON/);
  assert.equal(heard.typo, 'tokhai: drafts (attribute drafts) must be true or false, not "nope"');
  for (const [id, src] of [['missing', '/nowhere.json'], ['html', '/fixtures/harness.html'], ['typo', SAMPLE]]) {
    assert.ok(logged.some((line) => line.startsWith(`tokhai: <tokhai-form src="${src}"> could not be loaded:`)), `${id}: ${logged.join(' | ')}`);
  }
  await context.close();
});

test("the language the host sets is not kept as the citizen's choice; the one the citizen picks is", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const kept = await page.evaluate(async (sample) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    const handle = await mount(host, sample, { drafts: false, catalogs: '/catalogs/admin-units.json' });
    const key = Object.keys(sessionStorage).length;
    handle.setLanguage('en');
    const byHost = Object.entries(sessionStorage);
    host.querySelector('[data-act=lang]').click();
    const byCitizen = Object.entries(sessionStorage);
    return { key, byHost, byCitizen, lang: handle.language };
  }, SAMPLE);
  assert.deepEqual(kept, { key: 0, byHost: [], byCitizen: [['tokhai-lang|ct01_sample', 'vi']], lang: 'vi' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a 2xx answer that is not JSON (an expired login sent to a sign-in page) is no receipt: refused with its reason, the draft kept', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  // Sent on to an HTML page, as a sign-in page (the browser fetches a redirect's target past the test's routes).
  await page.route('**/api/submissions', (route) => route.fulfill({ status: 302, headers: { location: '/fixtures/harness.html' } }));
  await page.route('**/api/plain', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<p>OK</p>' }));
  const outcome = await page.evaluate(async ({ sample, values }) => {
    const { mount } = await import('/pkg/index.js');
    const results = [];
    for (const [action, drafts] of [['/api/submissions', true], ['/api/plain', false]]) {
      const host = document.body.appendChild(document.createElement('div'));
      const handle = await mount(host, sample, { action, drafts, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' });
      let submitted = 0;
      handle.on('submitted', () => submitted++);
      await handle.restored;
      await handle.prefill({ values });
      const result = await handle.submit();
      const receipt = !!host.querySelector('.tk-done:not([hidden])');
      const summary = ['.tk-summary-title', '.tk-summary li'].map((q) => host.querySelector(q).textContent).join(': ');
      handle.setLanguage('en');
      const english = ['.tk-summary-title', '.tk-summary li'].map((q) => host.querySelector(q).textContent).join(': ');
      handle.setLanguage('vi');
      results.push({ ok: result.ok, codes: result.issues.map((i) => i.code), submitted, receipt, summary, english });
      if (!drafts) handle.destroy();
    }
    return results;
  }, { sample: SAMPLE, values: VALID });
  assert.deepEqual(outcome.map(({ summary, english, ...rest }) => rest), [
    { ok: false, codes: ['submission.login_required'], submitted: 0, receipt: false },
    { ok: false, codes: ['submission.no_receipt'], submitted: 0, receipt: false },
  ]);
  assert.match(outcome[0].summary, /^Chưa gửi được tờ khai: Phiên đăng nhập đã hết hạn/, 'headed by what happened: nothing to correct');
  assert.match(outcome[1].summary, /^Chưa gửi được tờ khai: Cổng dịch vụ công trả lời nhưng không gửi biên nhận/);
  assert.match(outcome[0].english, /^The declaration was not sent: Your login has expired/, 'the reason follows a language switch');
  assert.match(outcome[1].english, /answered without a receipt/);
  assert.equal(await readStore(page, 'drafts'), 1, 'the answers are kept');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a form destroyed while its filing waits between retries ends quietly; with drafts off a filing out of retries fails with its error, not queued', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  await page.route('**/api/submissions', (route) => route.fulfill({ status: 503, body: '{}' }));
  const outcome = await page.evaluate(async ({ sample, values }) => {
    const { mount } = await import('/pkg/index.js');
    const options = { action: '/api/submissions', drafts: false, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' };
    const mountOne = async (retry) => {
      const handle = await mount(document.body.appendChild(document.createElement('div')), sample, { ...options, retry });
      await handle.prefill({ values });
      return handle;
    };
    const waiting = await mountOne({ attempts: 5, baseMs: 200, capMs: 200 });
    const sending = waiting.submit();
    await new Promise((ok) => setTimeout(ok, 100));
    waiting.destroy();
    const destroyed = await sending;
    const spent = await mountOne({ attempts: 2, baseMs: 1, capMs: 1 });
    let queuedEvents = 0;
    const errors = [];
    spent.on('queued', () => queuedEvents++);
    spent.on('error', ({ error }) => errors.push(error));
    const result = await spent.submit();
    // Headed by what happened: nothing in the answers is to be corrected.
    const said = ['.tk-summary-title', '.tk-summary li'].map((q) => spent.element.querySelector(q).textContent).join(': ');
    return {
      destroyed: [destroyed.ok, destroyed.error?.message],
      spent: [result.ok, result.queued === true, queuedEvents, errors.length, errors[0] === result.error, result.error?.message, said],
    };
  }, { sample: SAMPLE, values: VALID });
  assert.deepEqual(outcome, {
    destroyed: [false, 'tokhai: this form was destroyed'],
    spent: [false, false, 0, 1, true, 'tokhai: no answer from /api/submissions after 2 attempts: the submission was not sent',
      'Chưa gửi được tờ khai: Thông tin bạn đã nhập vẫn được giữ; vui lòng bấm Gửi tờ khai để thử lại.'],
  });
  assert.deepEqual(problems.filter((p) => !p.includes('status of 503')), []);
  await context.close();
});

test('two reasons of the back end with the same code at the same field are both shown, under the heading of answers to correct', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  // As tokhai-server words them: no params, only the message.
  const reason = (name) => ({ path: 'full_name', code: 'value.refused', message_vi: `Lý do về ${name}`, message_en: `About ${name}` });
  await page.route('**/api/refuse', (route) => route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ issues: [reason('a'), reason('b')] }) }));
  const shown = await page.evaluate(async ({ sample, values }) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    const handle = await mount(host, sample, { action: '/api/refuse', drafts: false, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' });
    await handle.prefill({ values });
    await handle.submit();
    return {
      lines: [...host.querySelectorAll('[data-path="full_name"] .tk-error-line')].map((e) => e.textContent),
      title: host.querySelector('.tk-summary-title').textContent,
    };
  }, { sample: SAMPLE, values: VALID });
  assert.deepEqual(shown, { lines: ['Lỗi: Lý do về a', 'Lỗi: Lý do về b'], title: 'Có thông tin cần sửa' });
  assert.deepEqual(problems.filter((p) => !p.includes('status of 422')), []);
  await context.close();
});

test('a filing left queued after its retries is not sent later once the citizen changed an answer; Submit sends the new answers', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  await page.route('**/api/submissions', (route) => route.fulfill({ status: 503, body: '{}' }));
  const queued = await page.evaluate(async ({ sample, values }) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    host.id = 'queued';
    const options = { action: '/api/submissions', retry: { attempts: 2, baseMs: 1, capMs: 1 }, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' };
    window.queuedForm = await mount(host, sample, options);
    await window.queuedForm.prefill({ values });
    return window.queuedForm.submit();
  }, { sample: SAMPLE, values: VALID });
  assert.deepEqual([queued.ok, queued.queued], [false, true]);
  // The citizen changes the phone number; then the connection is back.
  await page.evaluate(() => {
    const phone = document.querySelector('#queued input[data-path="phone"]');
    phone.value = '0987654321';
    for (const type of ['input', 'change']) phone.dispatchEvent(new Event(type, { bubbles: true }));
  });
  // Said, not only done: the filing that waited will not go.
  assert.match(await page.textContent('#queued .tk-filing-status'), /^Vì bạn đã sửa thông tin, hồ sơ đang chờ sẽ không được gửi/);
  await page.unroute('**/api/submissions');
  const before = env.server.submissions.length;
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await page.waitForTimeout(300);
  assert.equal(env.server.submissions.length, before, 'the queued filing, with the old number, is not sent');
  const sent = await page.evaluate(() => window.queuedForm.submit());
  assert.equal(sent.ok, true);
  assert.equal(env.server.submissions.at(-1).values.phone, '+84987654321');
  assert.deepEqual(problems.filter((p) => !p.includes('status of 503')), []);
  await context.close();
});

/**
 * Answers the page's submissions as tokhai-server keeps filings: one per idempotency key, and a key it has
 * answered with that filing's receipt (409, with what was filed). While `lost()`, a filing is stored and its
 * answer lost. Resolves to the filings by key (`filed`, which pages may share).
 */
async function backEnd(page, { lost = () => false, filed = new Map() } = {}) {
  await page.route('**/api/submissions', (route) => {
    const { idempotency_key: key, values } = route.request().postDataJSON();
    const known = filed.get(key);
    if (!known) filed.set(key, { id: `HS-${filed.size + 1}`, values });
    if (lost()) return route.abort('connectionreset');
    const { id, values: kept } = filed.get(key);
    const [status, body] = known ? [409, { receipt: { id }, values: kept }] : [201, { receipt: { id } }];
    return route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  });
  return filed;
}

/** Resolves once the form has saved a draft begun from now on. */
const nextSave = (page) =>
  page.evaluate(() => new Promise((ok) => document.addEventListener('tokhai-draft', ok, { once: true })));

test('a filing whose answer was lost goes on with its key after the citizen changes an answer and reloads: one filing at the back end', async () => {
  const retry = encodeURIComponent(JSON.stringify({ attempts: 2, baseMs: 1, capMs: 1 }));
  const { page, context, problems } = await open(env, `/fixtures/harness.html?action=1&retry=${retry}`);
  let lost = true;
  const filed = await backEnd(page, { lost: () => lost });
  await page.evaluate((values) => window.tk.prefill({ values }), VALID);
  const queued = await page.evaluate(() => window.tk.submit());
  assert.deepEqual([queued.ok, queued.queued], [false, true]);
  // The citizen changes the phone number (the waiting filing is withdrawn) and reloads the page.
  const saved = nextSave(page);
  await page.evaluate(() => {
    const phone = document.querySelector('input[data-path="phone"]');
    phone.value = '0987654321';
    for (const type of ['input', 'change']) phone.dispatchEvent(new Event(type, { bubbles: true }));
  });
  await saved;
  lost = false;
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  const sent = await page.evaluate(async () => {
    await window.tk.restored;
    return window.tk.submit();
  });
  assert.deepEqual([sent.ok, sent.response.receipt.id], [true, 'HS-1'], 'the receipt of the filing the back end has');
  assert.equal(filed.size, 1, 'one filing: the reloaded page went on with its key');
  assert.match(await page.textContent('.tk-done'), /đã được tiếp nhận từ lần gửi trước/, 'the receipt says it was received earlier');
  assert.deepEqual(problems.filter((p) => !p.includes('ERR_CONNECTION_RESET') && !p.includes('status of 409')), []);
  await context.close();
});

test('filed from one tab, the form in another tab is that filing: its Submit gets the same receipt, never a second filing', async () => {
  const { page: first, context, problems } = await open(env, '/fixtures/harness.html?action=1');
  const second = await context.newPage();
  await second.goto(`${env.server.url}/fixtures/harness.html?action=1`);
  await second.waitForSelector('body[data-ready="true"]');
  const filed = await backEnd(first);
  await backEnd(second, { filed });
  for (const page of [first, second]) await page.evaluate((values) => window.tk.prefill({ values }), VALID);
  const one = await first.evaluate(() => window.tk.submit());
  await second.waitForFunction(() => document.querySelector('.tk-status').textContent.includes('thẻ khác'));
  const two = await second.evaluate(() => window.tk.submit());
  assert.deepEqual([one.ok, two.ok, one.response.receipt.id, two.response.receipt.id], [true, true, 'HS-1', 'HS-1']);
  assert.equal(filed.size, 1, 'one filing');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a filing left waiting under a definition since changed is not sent as it was: the citizen is told to check and send', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  let posts = 0;
  await page.route('**/api/submissions', (route) => {
    posts++;
    return route.fulfill({ status: 503, body: '{}' });
  });
  const outcome = await page.evaluate(async ({ sample, values }) => {
    const { mount } = await import('/pkg/index.js');
    const definition = await (await fetch(sample)).json();
    const options = { action: '/api/submissions', retry: { attempts: 1 }, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' };
    const host = document.body.appendChild(document.createElement('div'));
    const before = await mount(host, definition, options);
    await before.restored;
    await before.prefill({ values });
    const queued = await before.submit();
    before.destroy();
    const after = await mount(host, { ...definition, version: `${definition.version}.1` }, options);
    await after.restored;
    return { queued: queued.queued, status: host.querySelector('.tk-status').textContent };
  }, { sample: SAMPLE, values: VALID });
  assert.equal(outcome.queued, true);
  // Both said, the warning first: the filing that waited was not sent, and the answers came back.
  assert.match(outcome.status, /^Biểu mẫu đã được cập nhật nên hồ sơ đang chờ chưa được gửi\..* Đã khôi phục thông tin bạn nhập trước đó\.$/);
  assert.equal(posts, 1, 'the filing made on the old form is not sent again');
  assert.equal(await readStore(page, 'outbox'), 0);
  assert.deepEqual(problems.filter((p) => !p.includes('status of 503')), []);
  await context.close();
});

test('the element follows src and lang set while it loads, mirrors the language switch, and gives up a form removed while loading', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route('**/fixtures/xss.json', async (route) => {
    await held;
    await route.continue();
  });
  // Given a src once in the page, then another (held back) and a language while that one loads.
  await page.evaluate((sample) => {
    const element = document.createElement('tokhai-form');
    element.id = 'late';
    element.setAttribute('catalogs', '/catalogs/admin-units.json');
    document.body.append(element);
    element.setAttribute('src', '/fixtures/xss.json');
    element.setAttribute('src', sample);
    element.setAttribute('lang', 'EN');
  }, SAMPLE);
  const late = await page.evaluate(async () => {
    const element = document.getElementById('late');
    const handle = await element.ready;
    return { lang: handle.language, forms: element.querySelectorAll('.tk').length };
  });
  assert.deepEqual(late, { lang: 'en', forms: 1 });
  // The built-in switch: the attribute follows it.
  await page.click('#late .tk-lang');
  assert.equal(await page.getAttribute('#late', 'lang'), 'vi');
  assert.equal(await page.evaluate(() => document.getElementById('late').handle.language), 'vi');
  // Once the src given up arrives, no form of it is rendered, not even for a moment.
  await page.evaluate(() => {
    window.rendered = 0;
    new MutationObserver((changes) => {
      for (const c of changes) window.rendered += [...c.addedNodes].filter((n) => n.classList?.contains('tk')).length;
    }).observe(document.getElementById('late'), { childList: true });
  });
  release();
  await page.waitForTimeout(200);
  assert.equal(await page.locator('#late .tk').count(), 1, 'the src given up never shows');
  assert.equal(await page.evaluate(() => window.rendered), 0);
  assert.equal(await page.locator('#late .tk-load-error').count(), 0);

  // Removed while loading: `ready` says why, and nothing is left in it.
  const removed = await page.evaluate(async (sample) => {
    const element = document.createElement('tokhai-form');
    element.setAttribute('catalogs', '/catalogs/admin-units.json');
    element.setAttribute('src', `${sample}?removed`);
    document.body.append(element);
    const ready = element.ready.then(() => 'mounted', (e) => e.message);
    element.remove();
    return { ready: await ready, forms: element.querySelectorAll('.tk').length, handle: element.handle };
  }, SAMPLE);
  assert.deepEqual(removed, {
    ready: 'tokhai: the element was removed or given another form before it was ready',
    forms: 0,
    handle: null,
  });
  assert.deepEqual(problems, []);
  await context.close();
});

test("the element's ready asked for before it is in the page resolves once it is; a handle the host destroys leaves the element empty", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async (sample) => {
    await import('/pkg/index.js');
    const element = document.createElement('tokhai-form');
    element.setAttribute('src', sample);
    element.setAttribute('catalogs', '/catalogs/admin-units.json');
    element.setAttribute('drafts', 'off');
    const ready = element.ready;
    await new Promise((ok) => setTimeout(ok, 300));
    document.body.append(element);
    const handle = await ready;
    const loaded = { same: handle === element.handle, controls: element.querySelectorAll('input[data-path]').length > 0 };
    handle.destroy();
    element.setAttribute('lang', 'en');
    const after = { handle: element.handle, children: element.childElementCount };
    const again = await element.ready;
    return { loaded, after, remounted: again !== handle && typeof again.values() };
  }, SAMPLE);
  assert.deepEqual(outcome, {
    loaded: { same: true, controls: true },
    after: { handle: null, children: 0 },
    remounted: 'object',
  });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a form that cannot render (a catalogue it needs is missing) leaves nothing listening', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const cdp = await context.newCDPSession(page);
  /** The listeners of a type on an object of the page (`window`, or an element by id). */
  const listeners = async (expression, type) => {
    const { result } = await cdp.send('Runtime.evaluate', { expression });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
    return listeners.filter((l) => l.type === type).length;
  };
  await page.evaluate(() => (document.body.appendChild(document.createElement('div')).id = 'failing'));
  const before = [await listeners('window', 'popstate'), await listeners("document.getElementById('failing')", 'change')];
  const errors = await page.evaluate(async (sample) => {
    const { mount } = await import('/pkg/index.js');
    const errors = [];
    for (let i = 0; i < 3; i++) await mount(document.getElementById('failing'), sample, { drafts: false }).catch((e) => errors.push(e.message));
    return errors;
  }, SAMPLE);
  assert.equal(errors.length, 3);
  assert.match(errors[0], /catalogue 'provinces'/);
  const after = [await listeners('window', 'popstate'), await listeners("document.getElementById('failing')", 'change')];
  assert.deepEqual(after, before);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a prefilled value its field cannot hold is left for the citizen and named; a malformed bundle is refused whole', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const prefill = (values) => page.evaluate((v) => window.tk.prefill({ values: v }).then((left) => left, (e) => e.message), values);
  const left = await prefill({
    full_name: NAME,
    dob: { value: '2099-99-99', source: 'population.dob', locked: true },
    sex: { value: 'zzz', source: 'population.sex', locked: true },
  });
  assert.deepEqual(left, [
    { path: 'dob', code: 'date.invalid' },
    { path: 'sex', code: 'option.unknown' },
  ]);
  assert.equal(await page.inputValue('#tk1-full_name'), 'Nguyễn Văn An', 'the rest is filled');
  assert.equal(await page.getAttribute('#tk1-full_name', 'readonly'), '', 'and locked');
  assert.equal(await page.inputValue('#tk1-dob'), '');
  assert.equal(await page.getAttribute('#tk1-dob', 'readonly'), null, 'the citizen types the date');
  const refused = await prefill({ pin: { value: '001089012345', source: 'population.pin', locked: true }, dob: { value: '1989-03-15' } });
  assert.equal(refused, "prefill: the bundle is refused: 'dob' is not {value, source, locked}");
  assert.equal(await page.inputValue('#tk1-pin'), '', 'nothing filled');
  assert.deepEqual(problems, []);
  await context.close();
});

test('national data a field on a later step cannot hold is left open there too, not locked empty when the step is drawn', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const seen = await page.evaluate(async ({ sample, name }) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    const values = { full_name: name, relation_to_head: { value: 'zzz', source: 'population.relationship_to_head', locked: true } };
    const handle = await mount(host, sample, { drafts: false, prefill: { values }, catalogs: '/catalogs/admin-units.json' });
    // The later steps are drawn now.
    handle.validate();
    const box = host.querySelector('[data-path="relation_to_head"]:is(select, input)');
    const note = host.querySelector('.tk-field[data-path="relation_to_head"] .tk-prov, [data-path="relation_to_head"] > .tk-prov');
    return { locked: box.hasAttribute('data-locked') || box.readOnly === true, note: note?.textContent ?? null };
  }, { sample: SAMPLE, name: NAME });
  assert.deepEqual(seen, { locked: false, note: 'Không điền sẵn được từ Cơ sở dữ liệu quốc gia về dân cư: vui lòng tự nhập' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('at mount, national data a field cannot hold is named in error and left to the citizen, whose answer the draft keeps', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(
    async ({ sample, name }) => {
      const { mount } = await import('/pkg/index.js');
      const values = { full_name: name, sex: { value: 'khac', source: 'population.sex', locked: true } };
      const options = { prefill: { values }, subject: 'citizen-unfit', catalogs: '/catalogs/admin-units.json' };
      const host = document.body.appendChild(document.createElement('div'));
      const errors = [];
      host.addEventListener('tokhai-error', (e) => errors.push(e.detail.error.message));
      const handle = await mount(host, sample, options);
      await handle.restored;
      const status = host.querySelector('.tk-status').textContent;
      const noteOf = () => host.querySelector('[data-path="sex"] .tk-prov')?.textContent ?? null;
      const note = noteOf();
      const female = host.querySelector('input[type="radio"][value="nu"]');
      female.click();
      const answered = [host.querySelector('.tk-status').textContent, noteOf()];
      await handle.saveDraft();
      handle.destroy();
      const again = await mount(host, sample, options);
      await again.restored;
      return { errors, status, note, answered, sex: again.values().sex ?? null, name: again.values().full_name };
    },
    { sample: SAMPLE, name: NAME },
  );
  assert.deepEqual(outcome, {
    // One per mount.
    errors: Array(2).fill("prefill: left to the citizen, as their fields cannot hold these values: 'sex' (option.unknown)"),
    status: 'Một số thông tin không điền sẵn được vào tờ khai: Giới tính. Vui lòng tự nhập.',
    note: 'Không điền sẵn được từ Cơ sở dữ liệu quốc gia về dân cư: vui lòng tự nhập',
    answered: ['', null],
    sex: 'nu',
    name: 'Nguyễn Văn An',
  });
  assert.deepEqual(problems, []);
  await context.close();
});

test("a single-page app's logout, clearDrafts() then the form unmounted, leaves nothing of the citizen's answers", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async (sample) => {
    const { mount, clearDrafts } = await import('/pkg/index.js');
    const type = (root, text) => {
      const box = root.querySelector('input[data-path="full_name"]');
      box.value = text;
      for (const name of ['input', 'change']) box.dispatchEvent(new Event(name, { bubbles: true }));
    };
    const options = { catalogs: '/catalogs/admin-units.json' };
    const seen = [];
    const mounted = async () => {
      const element = document.body.appendChild(document.createElement('div'));
      return [element, await mount(element, sample, options)];
    };
    const asElement = async () => {
      const element = document.createElement('tokhai-form');
      element.setAttribute('catalogs', options.catalogs);
      element.setAttribute('src', sample);
      return [element, await document.body.appendChild(element).ready];
    };
    // Unmounted by destroy(), and by the element leaving the page.
    for (const [form, unmount] of [[mounted, ([, handle]) => handle.destroy()], [asElement, ([element]) => element.remove()]]) {
      const [element, handle] = await form();
      await handle.restored;
      type(element, 'Bí Mật Của An');
      await handle.saveDraft();
      await clearDrafts();
      unmount([element, handle]);
      await new Promise((ok) => setTimeout(ok, 200));
      const next = await mount(document.body.appendChild(document.createElement('div')), sample, options);
      await next.restored;
      seen.push(next.values().full_name ?? null);
      next.destroy();
      await clearDrafts();
    }
    return seen;
  }, SAMPLE);
  assert.deepEqual(outcome, [null, null], 'the next visitor finds nothing');
  assert.equal(await readStore(page, 'drafts'), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("endpoints with a query of the portal's (a CSRF token) keep it: a file's upload and a household member's lookup", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const asked = [];
  await page.route('**/api/up/**', (route) => {
    asked.push(route.request().url());
    return route.fulfill({ status: 201, contentType: 'application/json', body: JSON.stringify({ upload: 'U1' }) });
  });
  await page.route('**/api/pre/**', (route) => {
    asked.push(route.request().url());
    return route.fulfill({ status: 404, contentType: 'application/json', body: '{}' });
  });
  const definition = {
    tokhai: 1, id: 'probe', version: '1', title: 'Thử',
    steps: [{ id: 's', title: 'Bước', sections: [{ id: 'a', fields: [
      { id: 'doc', kind: 'file', label: 'Giấy tờ' },
      { id: 'members', kind: 'group', label: 'Thành viên', fields: [
        { id: 'm_pin', kind: 'pin', label: 'Số định danh cá nhân', prefill: { from: 'member.pin' } },
        { id: 'm_name', kind: 'name', label: 'Họ và tên', prefill: { from: 'member.full_name' } },
      ] },
    ] }] }],
  };
  await page.evaluate(async (definition) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    host.id = 'probe';
    await mount(host, definition, { drafts: false, uploads: '/api/up?csrf=abc', prefill: '/api/pre/probe?portal=1' });
  }, definition);
  await page.setInputFiles('#probe input[type=file]', { name: 'giấy.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7') });
  await page.click('#probe button[data-act=add]');
  await page.fill('#probe input[data-path="members[0].m_pin"]', '001089012345');
  await page.press('#probe input[data-path="members[0].m_pin"]', 'Tab');
  for (let i = 0; i < 50 && asked.length < 3; i++) await new Promise((ok) => setTimeout(ok, 50));
  const urls = asked.map((u) => new URL(u)).map((u) => `${u.pathname}?${[...u.searchParams].map(([k, v]) => `${k}=${v}`).join('&')}`).sort();
  assert.deepEqual(urls, [
    '/api/pre/probe/row?portal=1&group=members&pin=001089012345',
    '/api/pre/probe?portal=1',
    '/api/up/probe/doc?csrf=abc&name=giấy.pdf',
  ]);
  assert.deepEqual(problems.filter((p) => !p.includes('404')), []);
  await context.close();
});

test('the household is asked for only where the portal says it lists it; a list of another shape is an error naming what is wrong', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const lists = [];
  await page.route('**/api/pre/probe/members-list?*', (route) => {
    lists.push(new URL(route.request().url()).search);
    return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ members: [{ pin: '001089012345', name: 'An', birth_year: '1989' }] }) });
  });
  let says = false;
  await page.route('**/api/pre/probe', (route) =>
    route.fulfill({ contentType: 'application/json', headers: says ? { 'Tokhai-Household': 'members-list' } : {}, body: '{"values": {}}' }));
  const definition = {
    tokhai: 1, id: 'probe', version: '1', title: 'Thử',
    steps: [{ id: 's', title: 'Bước', sections: [{ id: 'a', fields: [
      { id: 'members', kind: 'group', label: 'Thành viên', fields: [
        { id: 'm_pin', kind: 'pin', label: 'Số định danh cá nhân', prefill: { from: 'member.pin' } },
      ] },
    ] }] }],
  };
  const mounted = () => page.evaluate(async (definition) => {
    const { mount } = await import('/pkg/index.js');
    document.getElementById('probe')?.remove();
    const host = document.body.appendChild(document.createElement('div'));
    host.id = 'probe';
    const errors = [];
    host.addEventListener('tokhai-error', (e) => errors.push(e.detail.error.message));
    await mount(host, definition, { drafts: false, prefill: '/api/pre/probe' });
    for (let i = 0; i < 20 && !errors.length; i++) await new Promise((ok) => setTimeout(ok, 25));
    return errors;
  }, definition);
  assert.deepEqual(await mounted(), []);
  assert.deepEqual(lists, [], 'not asked: the portal did not say it lists households');
  says = true;
  assert.deepEqual(await mounted(), ['household: member 0 is not {handle, pin_masked, name, birth_year} (texts, and a year or nothing)']);
  assert.deepEqual(lists, ['?group=members']);
  assert.equal(await page.locator('#probe .tk-household').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a page that has the stylesheet (linked, or bundled under another name) gets no second one after its own rules", async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const override = '.tk .tk-btn { padding: 2px 40px; }';
  await page.route('**/own/*', (route) => {
    const name = new URL(route.request().url()).pathname.split('/').pop();
    const pages = {
      'linked.html': '<link rel="stylesheet" href="/pkg/tokhai.css"><link rel="stylesheet" href="/own/override.css"><div id="form"></div>',
      'bundled.html': '<link rel="stylesheet" href="/own/app.3f2a.css"><div id="form"></div>',
      'override.css': override,
    };
    if (name === 'app.3f2a.css') return route.fetch({ url: new URL('/pkg/tokhai.css', route.request().url()).href }).then(async (res) =>
      route.fulfill({ response: res, body: `${await res.text()}\n${override}` }));
    return route.fulfill({ contentType: name.endsWith('.css') ? 'text/css' : 'text/html', body: pages[name] });
  });
  const seen = [];
  for (const name of ['linked.html', 'bundled.html']) {
    await page.goto(`${env.server.url}/own/${name}`);
    seen.push(await page.evaluate(async (sample) => {
      const { mount } = await import('/pkg/index.js');
      const host = document.getElementById('form');
      await mount(host, sample, { drafts: false, history: false, catalogs: '/catalogs/admin-units.json' });
      const sheets = [...document.querySelectorAll('link[rel=stylesheet]')].map((l) => new URL(l.href).pathname);
      return { sheets, padding: getComputedStyle(host.querySelector('.tk-btn')).padding };
    }, SAMPLE));
  }
  assert.deepEqual(seen, [
    { sheets: ['/pkg/tokhai.css', '/own/override.css'], padding: '2px 40px' },
    { sheets: ['/own/app.3f2a.css'], padding: '2px 40px' },
  ]);
  await context.close();
});

test('offline at submit, a form that keeps nothing (drafts off, or cleared at a logout) says to keep the page open, not that it is saved', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const said = [];
  for (const drafts of [false, 'cleared']) {
    await context.setOffline(false);
    const host = await page.evaluateHandle(async ({ sample, values, drafts }) => {
      const { mount, clearDrafts } = await import('/pkg/index.js');
      const host = document.body.appendChild(document.createElement('div'));
      const handle = await mount(host, sample, { drafts: drafts !== false, action: '/api/submissions', catalogs: '/catalogs/admin-units.json', today: '2026-11-23' });
      await handle.prefill({ values });
      if (drafts === 'cleared') await clearDrafts();
      window.probe = handle;
      return host;
    }, { sample: SAMPLE, values: VALID, drafts });
    await context.setOffline(true);
    await page.evaluate(() => { window.probe.submit(); });
    await page.waitForFunction((h) => h.querySelector('.tk-filing-status')?.textContent.startsWith('Mất kết nối'), host);
    said.push(await page.evaluate((h) => h.querySelector('.tk-filing-status').textContent, host));
    await page.evaluate(() => window.probe.destroy());
  }
  await context.setOffline(false);
  const unsaved = 'Mất kết nối — hồ sơ sẽ được gửi khi có mạng. Vui lòng giữ trang này mở cho đến khi gửi xong.';
  assert.deepEqual(said, [unsaved, unsaved]);
  assert.equal(await readStore(page, 'outbox'), 0, 'nothing kept');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a bundler keeps the module that defines <tokhai-form> when an app imports it for that alone', async () => {
  const entry = fileURLToPath(new URL('../../pkg/index.js', import.meta.url));
  const { outputFiles } = await build({
    stdin: { contents: `import ${JSON.stringify(entry)};`, resolveDir: '.' },
    bundle: true,
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  assert.ok(outputFiles[0].text.includes('tokhai-form'), 'the element is still defined in the bundle');
});

test('attributes a framework sets one by one are all read; changed later, the form starts again with them, its last answer kept in the draft', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(
    async (sample) => {
      await import('/pkg/index.js');
      const type = (root, text) => {
        const box = root.querySelector('input[data-path="full_name"]');
        box.value = text;
        for (const name of ['input', 'change']) box.dispatchEvent(new Event(name, { bubbles: true }));
      };
      // In the page first, then its attributes: the catalogue comes after src.
      const element = document.body.appendChild(document.createElement('tokhai-form'));
      element.setAttribute('src', sample);
      element.setAttribute('catalogs', '/catalogs/admin-units.json');
      element.setAttribute('subject', 'citizen-a');
      element.setAttribute('history', 'off');
      const a = await element.ready;
      await a.restored;
      // Another citizen signs in within the draft's pause after A's last answer.
      type(element, 'Nguyễn Văn An');
      element.setAttribute('subject', 'citizen-b');
      const b = await element.ready;
      await b.restored;
      const seenByB = b.values().full_name ?? null;
      element.setAttribute('subject', 'citizen-a');
      const again = await element.ready;
      await again.restored;
      return { fresh: b !== a, seenByB, backForA: again.values().full_name, forms: element.querySelectorAll('.tk').length };
    },
    SAMPLE,
  );
  assert.deepEqual(outcome, { fresh: true, seenByB: null, backForA: 'Nguyễn Văn An', forms: 1 });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a copy of a rendered element holds one form; two forms of a page keep their own screens in the history, and neither says it is open in another tab', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  await page.evaluate(
    async ({ sample, values }) => {
      await import('/pkg/index.js');
      const first = document.body.appendChild(document.createElement('tokhai-form'));
      first.id = 'first';
      first.setAttribute('catalogs', '/catalogs/admin-units.json');
      first.setAttribute('src', sample);
      const handle = await first.ready;
      await handle.prefill({ values });
      const copy = first.cloneNode(true);
      copy.id = 'second';
      document.body.append(copy);
      await copy.ready;
    },
    { sample: SAMPLE, values: VALID },
  );
  assert.equal(await page.locator('#second .tk').count(), 1);
  const repeated = await page.$$eval('[id]', (es) => es.length - new Set(es.map((e) => e.id)).size);
  assert.equal(repeated, 0, 'no id is used twice');
  await page.click('#first .tk-nav button[type=submit]');
  await page.waitForFunction(() => document.querySelector('#first .tk-progress-label').textContent === 'Bước 2/4');
  await page.goBack();
  await page.waitForFunction(() => document.querySelector('#first .tk-progress-label').textContent === 'Bước 1/4');
  assert.equal(await page.textContent('#second .tk-progress-label'), 'Bước 1/4');
  const statuses = await page.$$eval('.tk-status', (ss) => ss.map((s) => s.textContent).join(' '));
  assert.doesNotMatch(statuses, /thẻ khác/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('submit() called again while the host sends the filing gets its outcome, and a prefill meanwhile is refused: the receipt shows what was sent', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(
    async ({ sample, values }) => {
      const { mount } = await import('/pkg/index.js');
      const host = document.body.appendChild(document.createElement('div'));
      const handle = await mount(host, sample, { drafts: false, history: false, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' });
      await handle.prefill({ values });
      let release;
      const held = new Promise((ok) => (release = ok));
      handle.on('submit', async () => {
        await held;
        return { receipt: { id: 'HOST-2' } };
      });
      const first = handle.submit();
      const second = handle.submit();
      const sending = handle.sending instanceof Promise;
      const changed = { ...values, head_name: { value: 'Lê Văn Cư', source: 't', locked: false } };
      const prefill = await handle.prefill({ values: changed }).then(() => 'applied', (e) => e.message);
      release();
      const outcomes = (await Promise.all([first, second])).map((o) => o.ok && o.response.receipt.id);
      const receipt = host.querySelector('.tk-done').textContent;
      return { outcomes, sending, prefill, sent: receipt.includes('Nguyễn Văn An'), changed: receipt.includes('Lê Văn Cư') };
    },
    { sample: SAMPLE, values: VALID },
  );
  assert.deepEqual(outcome, {
    outcomes: ['HOST-2', 'HOST-2'],
    sending: true,
    prefill: 'tokhai: a filing is being sent; prefill once it is settled',
    sent: true,
    changed: false,
  });
  assert.deepEqual(problems, []);
  await context.close();
});

test("in a host's shadow root the form gets its styles; catalogue objects are read once each, a new one with its new options", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const outcome = await page.evaluate(async (sample) => {
    const { mount } = await import('/pkg/index.js');
    const root = document.body.appendChild(document.createElement('div')).attachShadow({ mode: 'open' });
    const inside = root.appendChild(document.createElement('div'));
    const shadowed = await mount(inside, sample, { drafts: false, history: false, catalogs: '/catalogs/admin-units.json' });
    const button = getComputedStyle(inside.querySelector('.tk-nav button[type=submit]'));
    const styled = { links: root.querySelectorAll('link[data-tokhai]').length, padding: button.paddingLeft };
    shadowed.destroy();

    const definition = {
      tokhai: 1, id: 'office', version: '1', title: 'Nơi nộp',
      steps: [{ id: 's', title: 'Nơi nộp', sections: [{ id: 'a', fields: [{ id: 'p', kind: 'select', label: 'Tỉnh', catalog: 'provinces' }] }] }],
    };
    const catalogs = { provinces: [{ value: '01', label: 'Hà Nội' }] };
    const host = document.body.appendChild(document.createElement('div'));
    // Whether Hồ Chí Minh (79) is one of the list's options.
    const valid = async (catalogs) => {
      const handle = await mount(host, definition, { drafts: false, history: false, catalogs });
      // A value no option fits is left to the citizen.
      const left = await handle.prefill({ values: { p: { value: '79', source: 't', locked: false } } });
      const taken = left.length === 0;
      handle.destroy();
      return taken;
    };
    const before = await valid(catalogs);
    // The same object changed is what was read (once); a new object is read.
    catalogs.provinces.push({ value: '79', label: 'Hồ Chí Minh' });
    const same = await valid(catalogs);
    return { styled, before, same, after: await valid({ provinces: [...catalogs.provinces] }) };
  }, SAMPLE);
  assert.equal(outcome.styled.links, 1);
  assert.notEqual(outcome.styled.padding, '6px', "the button is the widget's, not the browser's");
  assert.deepEqual({ before: outcome.before, same: outcome.same, after: outcome.after }, { before: false, same: false, after: true });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a catalogue URL whose file cannot be read is refused with the URL and why; mended, it is read', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const utf8 = (text) => Buffer.from(text, 'utf8');
  const provinces = '{"provinces": [{"value": "01", "label": "Hà Nội"}]}';
  // What /catalogs/served.json answers, one after the other.
  const bodies = [
    // "Hà" in Windows-1258: à is byte 0xE0, at offset 42.
    Buffer.concat([utf8('{"provinces": [{"value": "01", "label": "H'), Buffer.from([0xe0]), utf8('"}]}')]),
    utf8('{"provinces": ['),
    // With a byte-order mark, as some editors save (the BOM is not read as part of the JSON).
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8(provinces)]),
  ];
  await page.route('**/catalogs/served.json', (route) => route.fulfill({ contentType: 'application/json', body: bodies.shift() }));
  const outcome = await page.evaluate(async () => {
    const { mount } = await import('/pkg/index.js');
    const definition = {
      tokhai: 1, id: 'office', version: '1', title: 'Nơi nộp',
      steps: [{ id: 's', title: 'Nơi nộp', sections: [{ id: 'a', fields: [{ id: 'p', kind: 'select', label: 'Tỉnh', catalog: 'provinces' }] }] }],
    };
    const host = document.body.appendChild(document.createElement('div'));
    const tries = [];
    for (let i = 0; i < 3; i++) {
      try {
        const handle = await mount(host, definition, { drafts: false, history: false, catalogs: '/catalogs/served.json' });
        // Hà Nội (01) is an option when the file was read.
        const left = await handle.prefill({ values: { p: { value: '01', source: 't', locked: false } } });
        tries.push(left.length === 0 ? 'read' : 'not read');
        handle.destroy();
      } catch (error) {
        tries.push(error.message);
      }
    }
    return tries;
  });
  assert.equal(outcome[0], 'tokhai: /catalogs/served.json: catalogue: not UTF-8 text: byte 42 is not UTF-8');
  assert.match(outcome[1], /^tokhai: \/catalogs\/served\.json: catalogue: EOF while parsing/);
  assert.equal(outcome[2], 'read');
  assert.deepEqual(problems, []);
  await context.close();
});

test("the filing is timed by the portal's clock, and a step left for another tab counts again once the tab is back", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  // The portal's clock is 10 minutes ahead of this computer's.
  await page.route('**/prefill-ahead', (route) =>
    route.fulfill({ contentType: 'application/json', headers: { Date: new Date(Date.now() + 600_000).toUTCString() }, body: '{"values": {}}' }),
  );
  const outcome = await page.evaluate(async (sample) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    const loginAt = Date.now() + 600_000 - 5_000;
    const handle = await mount(host, sample, { drafts: false, history: false, catalogs: '/catalogs/admin-units.json', prefill: '/prefill-ahead', loginAt });
    const ahead = handle.timeline().events.map((e) => Math.round((e.at - Date.now()) / 1000));
    const visibility = (state) => {
      Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    visibility('hidden');
    visibility('visible');
    dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
    return { ahead, last: handle.timeline().events.slice(-2).map((e) => e.type) };
  }, SAMPLE);
  assert.ok(outcome.ahead.length > 0 && outcome.ahead.every((s) => s >= 598 && s <= 602), `events ahead by ${outcome.ahead} s`);
  assert.deepEqual(outcome.last, ['hidden', 'shown']);
  assert.deepEqual(problems, []);
  await context.close();
});

test("dates are judged by the portal's day: a computer a day behind does not refuse the portal's today", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  await page.route('**/prefill-tomorrow', (route) =>
    route.fulfill({ contentType: 'application/json', headers: { Date: new Date(Date.now() + 86_400_000).toUTCString() }, body: '{"values": {}}' }),
  );
  const issues = await page.evaluate(async () => {
    const { mount } = await import('/pkg/index.js');
    const field = { id: 'd', kind: 'date', label: 'Ngày', max_date: 'today()' };
    const definition = { tokhai: 1, id: 'day', version: '1', title: 'Ngày', steps: [{ id: 's', title: 'S', sections: [{ id: 'a', fields: [field] }] }] };
    const host = document.body.appendChild(document.createElement('div'));
    const handle = await mount(host, definition, { drafts: false, history: false, prefill: '/prefill-tomorrow' });
    // The portal's date in Viet Nam (UTC+7).
    const portalDay = new Date(Date.now() + 86_400_000 + 7 * 3_600_000).toISOString().slice(0, 10);
    await handle.prefill({ values: { d: { value: portalDay, source: 't', locked: false } } });
    return handle.validate().issues.map((i) => i.code);
  });
  assert.deepEqual(issues, []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a page opened and left untouched sends no timeline (it is no filing); once the citizen acts, leaving it sends one', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const sent = [];
  await page.route('**/collect-timings', (route) => {
    sent.push(JSON.parse(route.request().postData()).timeline.events.map((e) => e.type));
    return route.fulfill({ status: 202, body: '{}' });
  });
  await page.evaluate(async (sample) => {
    const { mount } = await import('/pkg/index.js');
    const host = document.body.appendChild(document.createElement('div'));
    await mount(host, sample, { drafts: false, history: false, catalogs: '/catalogs/admin-units.json', timingsEndpoint: '/collect-timings' });
    const visibility = (state) => {
      Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    visibility('hidden');
    visibility('visible');
    host.querySelector('input[data-path="full_name"]').focus();
    visibility('hidden');
  }, SAMPLE);
  // The first timeline to arrive is the one after the citizen acted.
  while (!sent.length) await new Promise((ok) => setTimeout(ok, 20));
  assert.ok(sent[0].includes('focus'), `timelines sent: ${JSON.stringify(sent)}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("without national data's answer, the back end's answer to the filing tells the portal's clock; the beacon says by which clock it was sent", async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const ahead = () => ({ Date: new Date(Date.now() + 600_000).toUTCString() });
  await page.route('**/file-ahead', (route) =>
    route.fulfill({ status: 201, contentType: 'application/json', headers: ahead(), body: '{"receipt": {"id": "HS-1"}}' }),
  );
  let beacon = null;
  await page.route('**/collect-timings', (route) => {
    beacon = JSON.parse(route.request().postData());
    return route.fulfill({ status: 202, body: '{}' });
  });
  const outcome = await page.evaluate(
    async ({ sample, values }) => {
      const { mount } = await import('/pkg/index.js');
      const host = document.body.appendChild(document.createElement('div'));
      const options = { drafts: false, history: false, catalogs: '/catalogs/admin-units.json', today: '2026-11-23' };
      const handle = await mount(host, sample, { ...options, action: '/file-ahead', timingsEndpoint: '/collect-timings' });
      await handle.prefill({ values });
      const filed = await handle.submit();
      const seconds = handle.timeline().events.map((e) => Math.round((e.at - Date.now()) / 1000));
      return { ok: filed.ok, ahead: seconds.every((s) => s >= 598 && s <= 602), now: Date.now() };
    },
    { sample: SAMPLE, values: VALID },
  );
  assert.deepEqual({ ok: outcome.ok, ahead: outcome.ahead }, { ok: true, ahead: true });
  while (!beacon) await new Promise((ok) => setTimeout(ok, 20));
  assert.ok(Math.abs(beacon.sent_at - (outcome.now + 600_000)) < 5_000, `sent at ${beacon.sent_at}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a tab left open overnight judges dates by the new day once it is shown again', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  // 23:50 in Viet Nam (UTC+7).
  await page.clock.install({ time: new Date('2026-12-05T16:50:00Z') });
  const valid = await page.evaluate(async () => {
    const { mount } = await import('/pkg/index.js');
    const field = { id: 'd', kind: 'date', label: 'Ngày', max_date: 'today()' };
    const definition = { tokhai: 1, id: 'night', version: '1', title: 'Ngày', steps: [{ id: 's', title: 'S', sections: [{ id: 'a', fields: [field] }] }] };
    const host = document.body.appendChild(document.createElement('div'));
    const handle = await mount(host, definition, { drafts: false, history: false });
    await handle.prefill({ values: { d: { value: '2026-12-06', source: 't', locked: false } } });
    window.night = handle;
    return handle.validate().valid;
  });
  assert.equal(valid, false, "the 6th is after the day the tab was opened");
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.clock.fastForward('00:20:00');
  const after = await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
    return window.night.validate().valid;
  });
  assert.equal(after, true, 'past midnight it is today');
  assert.deepEqual(problems, []);
  await context.close();
});

test('drafts are written one at a time: changes made while one is written make one more, with the last answers; after discardDraft the next change is saved again', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  const seen = await page.evaluate(async () => {
    await window.tk.restored;
    let saves = 0;
    document.addEventListener('tokhai-draft', () => saves++);
    const box = document.querySelector('input[data-path="email"]');
    const type = (text) => {
      box.value = text;
      box.dispatchEvent(new Event('input', { bubbles: true }));
    };
    // 40 changes, each asking for a save at once while the first is being written.
    const asked = [];
    for (let i = 1; i <= 40; i++) {
      type(`an${i}@example.vn`);
      asked.push(window.tk.saveDraft());
    }
    await Promise.all(asked);
    const burst = saves;
    await window.tk.discardDraft();
    const discarded = saves;
    const next = new Promise((ok) => document.addEventListener('tokhai-draft', ok, { once: true }));
    type('after@example.vn');
    await next;
    return { burst, discarded };
  });
  assert.equal(seen.burst, 2, 'the first write, then one with every change made meanwhile');
  assert.equal(seen.discarded, 2, 'nothing written after the discard until the next change');
  assert.equal(await readStore(page, 'drafts'), 1, 'the change after the discard is saved again');
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  await page.evaluate(() => window.tk.restored);
  assert.equal(await page.inputValue('input[data-path="email"]'), 'after@example.vn', 'the last answer is the one kept');
  assert.deepEqual(problems, []);
  await context.close();
});
