// Browser benchmark of the widget against a hand-written vanilla JS page of the same forms.
// A benchmark, not a test: it prints a table and asserts nothing. Run `npm run bench` after `npm run build`.
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { launch } from '../tests/e2e/helpers.mjs';
import { startServer } from '../tests/e2e/serve.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const KEYS = 300;
const root = new URL('..', import.meta.url);
const gz = (files) => files.reduce((n, f) => n + gzipSync(readFileSync(new URL(f, root)), { level: 9 }).length, 0);
const SHIPPED = {
  tokhai: gz([
    'pkg/index.js', 'pkg/tokhai_web.js', 'pkg/tokhai_web_bg.wasm', 'pkg/tokhai.css',
    ...readdirSync(new URL('pkg', root), { recursive: true }).filter((f) => f.startsWith('snippets') && f.endsWith('.js')).map((f) => `pkg/${f}`),
  ]),
  vanilla: gz(['bench/vanilla.js', 'pkg/tokhai.css']),
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

/** Valid values by field kind, and values every checker refuses. */
const VALID = { text: 'abc', name: 'Nguyễn An', textarea: 'abc', date: '01/01/2000', number: '5', phone: '0912345678', email: 'an@example.vn', pin: '001089012345' };
const SAMPLE_INVALID = {
  full_name: 'A'.repeat(101), dob: '32/13/1990', pin: '123', pin_issued: '99/99/2000', pin_place: 'x'.repeat(121),
  religion: 'x'.repeat(51), phone: '123', email: 'x@', occupation: 'x'.repeat(81), workplace: 'x'.repeat(121),
};
const GEN_INVALID = {
  f0: 'x'.repeat(61), f11: 'x'.repeat(61), f22: 'x'.repeat(61), f2: '99/99/9999', f13: '99/99/9999',
  f4: '123', f15: '123', f5: 'x', f16: 'x', f6: '1',
};

/** In the page: fills fields through input and change events (attribute `attr` names the field). */
function fill({ attr, values, requiredValid, valid }) {
  const set = (id, v) => {
    const els = document.querySelectorAll(`:is(input,select,textarea)[${attr}="${id}"]`);
    const el = [...els].find((e) => e.type !== 'radio' || e.value === v) ?? els[0];
    if (!el) return;
    if (el.type === 'checkbox' || el.type === 'radio') el.checked = true;
    else el.value = v;
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  };
  for (const [id, v] of Object.entries(requiredValid)) set(id, v);
  for (const f of valid) set(f.id, f.value);
  for (const [id, v] of Object.entries(values)) set(id, v);
}

async function measure(browser, url, impl, form) {
  const attr = impl === 'tokhai' ? 'data-path' : 'data-id';
  const loads = [];
  let last;
  for (let r = 0; r < RUNS; r++) {
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${url}/bench/${impl}.html?form=${form}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    loads.push(await page.evaluate(() => window.bench));
    if (last) await last.context.close();
    last = { context, page };
  }
  const { page, context } = last;
  const client = await context.newCDPSession(page);
  await client.send('HeapProfiler.collectGarbage');
  const heap = (await client.send('Runtime.getHeapUsage')).usedSize;
  const wasmBytes = loads.at(-1).wasmBytes ?? 0;

  const key = form === '700' ? 'f0' : 'full_name';
  const times = await page.evaluate(({ attr, key, n }) => {
    const input = document.querySelector(`:is(input,textarea)[${attr}="${key}"]`);
    const out = [];
    for (let i = 0; i < n + 30; i++) {
      input.value = `Nguyễn Văn ${'a'.repeat(i % 40)}`;
      const t0 = performance.now();
      input.dispatchEvent(new Event('input', { bubbles: true }));
      out.push(performance.now() - t0);
    }
    return out.slice(30);
  }, { attr, key, n: KEYS });

  // Ten invalid fields on the first step (every other required field valid), then "Continue".
  const def = await page.evaluate(async (f) => (await import('/bench/forms.js')).loadForm(f), form);
  const firstStep = def.steps[0].sections.flatMap((s) => s.fields);
  const invalid = form === '700' ? GEN_INVALID : SAMPLE_INVALID;
  const valid = firstStep
    .filter((f) => f.required && !(f.id in invalid))
    .map((f) => ({ id: f.id, value: VALID[f.kind] ?? (f.options ? f.options[0].value : 'x') }));
  await page.evaluate(fill, { attr, values: invalid, requiredValid: {}, valid });
  const submit = await page.evaluate(() => {
    const button = document.querySelector('.tk-nav button[type=submit]');
    const t0 = performance.now();
    button.click();
    document.body.getBoundingClientRect();
    const shown = document.querySelectorAll('.tk-summary:not([hidden]) .tk-summary-list li').length;
    return { ms: performance.now() - t0, shown };
  });
  await context.close();
  return {
    navReady: median(loads.map((l) => l.readyAt)),
    mountReady: median(loads.map((l) => l.mountMs)),
    allSteps: median(loads.map((l) => l.allStepsMs ?? l.mountMs)),
    mountWarm: median(loads.map((l) => l.warmMs)),
    catalogMs: median(loads.map((l) => l.catalogMs ?? 0)),
    keyP50: pct(times, 50),
    keyP95: pct(times, 95),
    submitMs: submit.ms,
    errorsShown: submit.shown,
    heap,
    wasmBytes,
  };
}

const server = await startServer({ isolate: true });
const browser = await launch();
const f = (n, d = 2) => n.toFixed(d);
try {
  console.log(`tokhai browser benchmark (Chromium ${browser.version()}, median of ${RUNS} loads, ${KEYS} keystrokes)`);
  console.log(`shipped (gzip -9): tokhai ${f(SHIPPED.tokhai / 1024, 1)} KiB, vanilla ${f(SHIPPED.vanilla / 1024, 1)} KiB, ratio ${f(SHIPPED.tokhai / SHIPPED.vanilla, 1)}×`);
  for (const form of ['sample', '700']) {
    const t = await measure(browser, server.url, 'tokhai', form);
    const v = await measure(browser, server.url, 'vanilla', form);
    const label = form === '700' ? 'generated 700-field form' : '40-field sample form (CT01)';
    console.log(`\n${label}`);
    console.log('metric                              tokhai     vanilla    ratio');
    const row = (name, a, b, unit, d = 2) =>
      console.log(`${name.padEnd(34)} ${`${f(a, d)}${unit}`.padStart(9)} ${`${f(b, d)}${unit}`.padStart(10)} ${`${f(a / b, 2)}×`.padStart(8)}`);
    row('navigation → ready', t.navReady, v.navReady, ' ms', 1);
    row('mount → ready (first form)', t.mountReady, v.mountReady, ' ms', 1);
    row('mount → every step in the page', t.allSteps, v.allSteps, ' ms', 1);
    row('mount → ready (warm, 5 more forms)', t.mountWarm, v.mountWarm, ' ms', 1);
    console.log(`${'  (catalogue parsed before mount)'.padEnd(34)} ${`${f(t.catalogMs, 1)} ms`.padStart(9)}`);
    row('keystroke p50', t.keyP50, v.keyP50, ' ms', 3);
    row('keystroke p95', t.keyP95, v.keyP95, ' ms', 3);
    row(`submit, 10 invalid → errors shown`, t.submitMs, v.submitMs, ' ms', 2);
    row('JS heap after render', t.heap / 1048576, v.heap / 1048576, ' MiB', 2);
    console.log(`${'wasm memory (not in the JS heap)'.padEnd(34)} ${`${f(t.wasmBytes / 1048576, 2)} MiB`.padStart(9)}`);
    console.log(`${'errors in the summary'.padEnd(34)} ${String(t.errorsShown).padStart(9)} ${String(v.errorsShown).padStart(10)}`);
  }
} finally {
  await browser.close();
  await server.close();
}
