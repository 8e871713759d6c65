// Browser benchmark of the widget against a hand-written vanilla JS page of the same forms.
// A benchmark, not a test: it prints a table and asserts nothing. Run `npm run bench` after `npm run build`.
// BENCH_RUNS sets the loads of each page; BENCH_JS_FLAGS passes V8 flags for a diagnosis (for example
// `--no-liftoff`: the wasm runs optimised from the start, so the figures show the widget's own work
// without the browser's baseline tier), never for the figures the goals are checked against.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { COMPILE_TRACE, launch, lazyCompiles } from '../tests/e2e/helpers.mjs';
import { startServer } from '../tests/e2e/serve.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const JS_FLAGS = process.env.BENCH_JS_FLAGS ?? '';
const KEYS = 300;
const root = new URL('..', import.meta.url);
const gz = (files) => files.reduce((n, f) => n + gzipSync(readFileSync(new URL(f, root)), { level: 9 }).length, 0);
const SHIPPED = {
  tokhai: gz(['pkg/index.js', 'pkg/tokhai_web_bg.wasm', 'pkg/tokhai.css']),
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

/**
 * A citizen's phone: Lighthouse's "slow 4G" (150 ms round trips, 1.6 Mbit/s down, 750 kbit/s up) and
 * a processor 4× slower than this machine's, on a 360 px screen.
 */
const PHONE = {
  viewport: { width: 360, height: 740 },
  network: { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 7.5e5 / 8 },
  cpuSlowdown: 4,
};

/** Opens the page of `impl` in a fresh context (on `PHONE` if asked); resolves when it is ready, with its own figures. */
async function open(browser, url, impl, form, phone = false) {
  const context = await browser.newContext({ viewport: phone ? PHONE.viewport : { width: 1024, height: 800 } });
  const page = await context.newPage();
  if (phone) {
    const client = await context.newCDPSession(page);
    await client.send('Network.enable');
    await client.send('Network.emulateNetworkConditions', PHONE.network);
    await client.send('Emulation.setCPUThrottlingRate', { rate: PHONE.cpuSlowdown });
  }
  await page.goto(`${url}/bench/${impl}.html?form=${form}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  return { context, page, load: await page.evaluate(() => window.bench) };
}

/** In the page: the handling time (ms) of each of `n` keystrokes into the field `key` (after 30 unmeasured ones). */
function keystrokes({ attr, key, n }) {
  const input = document.querySelector(`:is(input,textarea)[${attr}="${key}"]`);
  const out = [];
  for (let i = 0; i < n + 30; i++) {
    input.value = `Nguyễn Văn ${'a'.repeat(i % 40)}`;
    const t0 = performance.now();
    input.dispatchEvent(new Event('input', { bubbles: true }));
    out.push(performance.now() - t0);
  }
  return out.slice(30);
}

/**
 * Loads both pages RUNS times, in turns (so that the machine's ups and downs fall on both), types KEYS
 * keystrokes into each page loaded, then measures the rest on the last one.
 */
async function compare(browser, url, form) {
  const loads = { tokhai: [], vanilla: [] };
  const last = {};
  const key = form === '700' ? 'f0' : 'full_name';
  for (let r = 0; r < RUNS; r++) {
    for (const impl of ['tokhai', 'vanilla']) {
      const opened = await open(browser, url, impl, form);
      const attr = impl === 'tokhai' ? 'data-path' : 'data-id';
      opened.load.keys = await opened.page.evaluate(keystrokes, { attr, key, n: KEYS });
      loads[impl].push(opened.load);
      await last[impl]?.context.close();
      last[impl] = opened;
    }
  }
  return {
    tokhai: await measure(last.tokhai, loads.tokhai, 'tokhai', form),
    vanilla: await measure(last.vanilla, loads.vanilla, 'vanilla', form),
  };
}

/** Navigation → ready of each page on `PHONE`, loaded RUNS times in turns (a fresh cache each time). */
async function phoneLoads(browser, url, form) {
  const ready = { tokhai: [], vanilla: [] };
  for (let r = 0; r < RUNS; r++) {
    for (const impl of ['tokhai', 'vanilla']) {
      const { context, load } = await open(browser, url, impl, form, true);
      ready[impl].push(load.readyAt);
      await context.close();
    }
  }
  return ready;
}

/** Figures of one implementation: its loads and keystrokes, then submit and heap on its last page. */
async function measure({ page, context }, loads, impl, form) {
  const attr = impl === 'tokhai' ? 'data-path' : 'data-id';
  const client = await context.newCDPSession(page);
  await client.send('HeapProfiler.collectGarbage');
  const heap = (await client.send('Runtime.getHeapUsage')).usedSize;
  const wasmBytes = loads.at(-1).wasmBytes ?? 0;

  // Every keystroke of every page loaded, together: one page's 300 vary too much from page to page.
  const times = loads.flatMap((l) => l.keys);

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
    navReady: loads.map((l) => l.readyAt),
    mountReady: loads.map((l) => l.mountMs),
    // The first mount by whether the module's warm-up had run before it (the vanilla page has none).
    mountAfterWarmUp: loads.filter((l) => l.warmedUp).map((l) => l.mountMs),
    mountBeforeWarmUp: loads.filter((l) => l.warmedUp === false).map((l) => l.mountMs),
    allSteps: loads.map((l) => l.allStepsMs ?? l.mountMs),
    longestStep: median(loads.map((l) => l.longestStepMs ?? 0)),
    mountWarm: loads.map((l) => l.warmMs),
    catalogMs: median(loads.map((l) => l.catalogMs ?? 0)),
    keyP50: pct(times, 50),
    keyP95: pct(times, 95),
    submitMs: submit.ms,
    errorsShown: submit.shown,
    heap,
    wasmBytes,
  };
}

/**
 * The wasm functions Chromium compiles for the first time during the first mount and the rendering
 * of its later steps (its trace's `wasm.CompileLazy` events between the page's marks): each can
 * stall the page. The warm-up form leaves none when it ran before the mount (the page waited for
 * its definition or catalogue after the module had loaded), and leaves them to the mount otherwise.
 */
async function firstCompiles(browser, url, form) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await browser.startTracing(page, COMPILE_TRACE);
  await page.goto(`${url}/bench/tokhai.html?form=${form}`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  const lazy = lazyCompiles(await browser.stopTracing(), 'bench:mount', 'bench:every-step');
  const warmedUp = await page.evaluate(() => window.bench.warmedUp);
  await context.close();
  if (!lazy) return { count: NaN, cpuMs: NaN, ms: NaN, warmedUp };
  const total = (field) => lazy.reduce((sum, e) => sum + (e[field] ?? 0), 0) / 1000;
  // The thread's own time, and the time that passed (which also counts the thread waiting for a core).
  return { count: lazy.length, cpuMs: total('tdur'), ms: total('dur'), warmedUp };
}

const server = await startServer({ isolate: true, compress: true });
const browser = await launch(JS_FLAGS ? [`--js-flags=${JS_FLAGS}`] : []);
const f = (n, d = 2) => n.toFixed(d);
try {
  console.log(`tokhai browser benchmark (Chromium ${browser.version()}, ${RUNS} loads of each page in turns, ${KEYS} keystrokes in each)`);
  if (JS_FLAGS) console.log(`DIAGNOSIS with V8 flags ${JS_FLAGS}: not the browser citizens use`);
  console.log('load figures: the median, and in brackets the quartiles (25th–75th percentile)');
  console.log(`shipped (gzip -9): tokhai ${f(SHIPPED.tokhai / 1024, 1)} KiB, vanilla ${f(SHIPPED.vanilla / 1024, 1)} KiB, ratio ${f(SHIPPED.tokhai / SHIPPED.vanilla, 1)}×`);
  for (const form of ['sample', '700']) {
    const { tokhai: t, vanilla: v } = await compare(browser, server.url, form);
    const label = form === '700' ? 'generated 700-field form' : '40-field sample form (CT01)';
    console.log(`\n${label}`);
    console.log('metric                              tokhai     vanilla    ratio   tokhai quartiles   vanilla quartiles');
    const row = (name, a, b, unit, d = 2, rest = '') =>
      console.log(`${name.padEnd(34)} ${`${f(a, d)}${unit}`.padStart(9)} ${`${f(b, d)}${unit}`.padStart(10)} ${`${f(a / b, 2)}×`.padStart(8)}${rest}`);
    const quartiles = (xs) => `[${f(pct(xs, 25), 1)}–${f(pct(xs, 75), 1)}]`.padStart(18);
    const loadRow = (name, a, b) => row(name, median(a), median(b), ' ms', 1, ` ${quartiles(a)}  ${quartiles(b)}`);
    loadRow('navigation → ready', t.navReady, v.navReady);
    loadRow('mount → ready (first form)', t.mountReady, v.mountReady);
    console.log(`${'  (the warm-up ran before it)'.padEnd(34)} ${`${t.mountAfterWarmUp.length} of ${RUNS}`.padStart(9)} loads`);
    if (t.mountAfterWarmUp.length && t.mountBeforeWarmUp.length) {
      loadRow('  those after the warm-up', t.mountAfterWarmUp, v.mountReady);
      loadRow('  those before it', t.mountBeforeWarmUp, v.mountReady);
    }
    loadRow('mount → every step in the page', t.allSteps, v.allSteps);
    console.log(`${'  (longest step rendered after it)'.padEnd(34)} ${`${f(t.longestStep, 1)} ms`.padStart(9)}  one step a task`);
    loadRow('mount → ready (warm, 5 more forms)', t.mountWarm, v.mountWarm);
    const lazy = await firstCompiles(browser, server.url, form);
    const traced = `one traced load, ${lazy.warmedUp ? 'after' : 'before'} the warm-up`;
    console.log(`${'  (wasm compiled, mount→every step)'.padEnd(34)} ${`${lazy.count} fn`.padStart(9)}  ${f(lazy.cpuMs)} ms CPU (${f(lazy.ms)} ms wall), ${traced}`);
    console.log(`${'  (catalogue parsed before mount)'.padEnd(34)} ${`${f(t.catalogMs, 1)} ms`.padStart(9)}`);
    row('keystroke p50', t.keyP50, v.keyP50, ' ms', 3);
    row('keystroke p95', t.keyP95, v.keyP95, ' ms', 3);
    row(`submit, 10 invalid → errors shown`, t.submitMs, v.submitMs, ' ms', 2);
    row('JS heap after render', t.heap / 1048576, v.heap / 1048576, ' MiB', 2);
    console.log(`${'wasm memory (not in the JS heap)'.padEnd(34)} ${`${f(t.wasmBytes / 1048576, 2)} MiB`.padStart(9)}`);
    console.log(`${'errors in the summary'.padEnd(34)} ${String(t.errorsShown).padStart(9)} ${String(v.errorsShown).padStart(10)}`);
    if (form === 'sample') {
      const phone = await phoneLoads(browser, server.url, form);
      loadRow('on a phone: navigation → ready', phone.tokhai, phone.vanilla);
      console.log('  (slow 4G: 150 ms, 1.6 Mbit/s; processor 4× slower; 360 px; nothing cached)');
    }
  }
} finally {
  await browser.close();
  await server.close();
}
