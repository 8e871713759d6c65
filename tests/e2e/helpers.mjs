// Shared set-up of the browser tests: the static server, Debian's Chromium through playwright-core,
// and small keyboard helpers.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

/** axe-core's WCAG 2.2 A and AA rules. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa'];

/**
 * axe violations on the page (inside `include`, a selector, if given) under `tags`, as readable lines.
 */
export async function axeViolations(page, { include, tags = WCAG_TAGS } = {}) {
  const builder = new AxeBuilder({ page }).withTags(tags);
  const result = await (include ? builder.include(include) : builder).analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

/** Chromium flags for headless runs on CI machines. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The categories of a Chromium trace that `lazyCompiles` reads. */
export const COMPILE_TRACE = { categories: ['v8.wasm', 'blink.user_timing'] };

/**
 * The wasm functions Chromium compiled on their first call (`wasm.CompileLazy` events) between the page's
 * User Timing marks `from` and `to` in `trace` (what `browser.stopTracing()` gives, recorded with
 * COMPILE_TRACE); null when a mark is not in it.
 */
export function lazyCompiles(trace, from, to) {
  const events = JSON.parse(trace.toString()).traceEvents;
  const [start, end] = [from, to].map((name) => events.find((e) => e.name === name));
  if (!start || !end) return null;
  return events.filter((e) => e.name === 'wasm.CompileLazy' && e.pid === start.pid && e.ts >= start.ts && e.ts <= end.ts);
}

/** Launches Debian's Chromium headless, with extra command-line arguments if given. */
export function launch(extra = []) {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...extra] });
}

/** Starts the server and the browser before the file's tests and stops them after; returns a live view. */
export function useBrowser() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * Opens a page in a new context (with the cookies of `storageState`, a context's, if given: its login) and
 * fails the test on page errors, console errors and CSP violations. Returns { page, context, problems }.
 */
export async function open(env, path, { width = 1024, height = 900, ready = true, storageState } = {}) {
  const context = await env.browser.newContext({ viewport: { width, height }, storageState });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.text().startsWith('tokhai:')) problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(env.server.url + path);
  if (ready) await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  return { page, context, problems };
}

/**
 * A store of the widget's IndexedDB (`drafts`, `outbox`), read in the page: how many records it holds
 * (`count`), or every record as `{iv, text}`, its IV's length and its data as text (`records`).
 */
export function readStore(page, store, what = 'count') {
  return page.evaluate(
    ([store, what]) =>
      new Promise((ok, fail) => {
        const req = indexedDB.open('tokhai');
        req.onerror = () => fail(req.error);
        req.onsuccess = () => {
          const objects = req.result.transaction(store).objectStore(store);
          const read = what === 'count' ? objects.count() : objects.getAll();
          read.onsuccess = () =>
            ok(what === 'count' ? read.result : read.result.map((r) => ({ iv: r.iv?.byteLength, text: new TextDecoder().decode(r.data) })));
        };
      }),
    [store, what],
  );
}

/** Presses Tab (at most `max` times) until the focused element matches a selector. */
export async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${selector}`);
}

/** Tabs to a control and types into it. */
export async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

/** The trimmed text of an element. */
export function text(page, selector) {
  return page.locator(selector).first().evaluate((e) => e.textContent.trim());
}

/**
 * Records what the live regions matching `selector` are made to say: each text written into one while it
 * is shown, in order; `heard(page)` returns them.
 */
export function listen(page, selector = '.tk [role=status], .tk [role=alert]') {
  return page.$$eval(selector, (regions) => {
    window.tkHeard = [];
    for (const e of regions) {
      new MutationObserver(() => e.closest('[hidden]') || window.tkHeard.push(e.textContent)).observe(e, { childList: true, characterData: true, subtree: true });
    }
  });
}

/** What the live regions given to `listen` were made to say, in order. */
export function heard(page) {
  return page.evaluate(() => window.tkHeard);
}

/** The events the harness recorded, of one type. */
export function events(page, type) {
  return page.evaluate((t) => window.tkEvents.filter((e) => e.type === t).map((e) => e.detail), type);
}

// ----- the real back end (tokhai-server), for the submission and draft tests -----

const repo = resolve(fileURLToPath(import.meta.url), '../../..');

/** The debug build of tokhai-server (`cargo build -p tokhai-server`; scripts/test builds it). */
export const SERVER_BINARY = join(process.env.CARGO_TARGET_DIR ?? join(repo, 'target'), 'debug', 'tokhai-server');

/**
 * Runs tokhai-server with the development login on a free port and a temporary data directory;
 * `config` (TOML text) is passed with --config. `stop()` kills it (SIGKILL: as a crash), `start()` starts
 * it again on the same port and data, `close()` stops it for good and removes the data. Resolves to null
 * when the binary is not built.
 */
export async function startPortal({ config = '' } = {}) {
  if (!existsSync(SERVER_BINARY)) return null;
  const portal = { url: null, data: mkdtempSync(join(tmpdir(), 'tokhai-web-')), proc: null, addr: '127.0.0.1:0' };
  const args = ['serve'];
  if (config) {
    writeFileSync(join(portal.data, 'tokhai.toml'), config);
    args.push('--config', join(portal.data, 'tokhai.toml'));
  }
  portal.start = async () => {
    const proc = spawn(SERVER_BINARY, args, {
      cwd: repo,
      env: {
        ...process.env,
        TOKHAI_ADDR: portal.addr,
        TOKHAI_DATA_DIR: portal.data,
        TOKHAI_DEV_LOGIN: 'true',
        TOKHAI_REGISTRY_SIZE: '200',
        RUST_LOG: 'warn',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    portal.proc = proc;
    portal.url = await new Promise((ok, fail) => {
      let out = '';
      proc.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/listening on (http:\/\/\S+)/);
        if (m) ok(m[1]);
      });
      proc.on('exit', (code) => fail(new Error(`tokhai-server exited with ${code}`)));
    });
    portal.addr = new URL(portal.url).host;
    return portal;
  };
  portal.stop = async () => {
    const proc = portal.proc;
    portal.proc = null;
    if (!proc || proc.exitCode != null) return;
    const exited = new Promise((ok) => proc.once('exit', ok));
    proc.kill('SIGKILL');
    await exited;
  };
  portal.close = async () => {
    await portal.stop();
    rmSync(portal.data, { recursive: true, force: true });
  };
  portal.sql = (query) => execFileSync('sqlite3', [join(portal.data, 'tokhai.sqlite'), query], { encoding: 'utf8' }).trim();
  return portal.start();
}

/**
 * Starts the real back end (with `startPortal`'s options, e.g. a `config`) and the browser before the
 * file's tests and stops them after; returns a live view.
 */
export function usePortal(options) {
  const env = { portal: null, browser: null };
  before(async () => {
    env.portal = await startPortal(options);
    if (env.portal) env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.portal?.close();
  });
  return env;
}

/** How many logins took the next adult (see `loggedIn`). */
let logins = 0;

/**
 * A new browser context logged in (development login) as an adult of the synthetic registry: the `nth`
 * (from 0), else another one at each call, so that tests do not share one allowance of requests (the
 * back end limits each login's: a page of CT01 looks national data up twice, its bundle and household).
 */
export async function loggedIn(browser, portal, nth = logins++) {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 } });
  const { citizens } = await (await context.request.get(`${portal.url}/api/dev/citizens`)).json();
  const citizen = citizens.filter((c) => c.birth_year < 2000)[nth];
  const res = await context.request.post(`${portal.url}/api/dev/login`, { data: { pin: citizen.pin } });
  assert.equal(res.status(), 200, 'development login');
  return { context, citizen };
}

/** Answers whatever the error summary asks for, by the control's kind; text boxes get `words`. */
export async function answerSummary(page, words = 'Nguyễn Văn Bình') {
  const paths = await page.$$eval('.tk-summary a[data-path]', (as) => as.map((a) => a.dataset.path));
  for (const path of paths) {
    await page.click(`.tk-summary a[data-path="${path}"]`);
    const kind = await page.evaluate(() => {
      const e = document.activeElement;
      if (e.getAttribute('role') === 'combobox') return 'combo';
      if (e.type === 'radio' || e.type === 'checkbox') return 'press';
      return e.id.includes('pin') ? 'pin' : 'text';
    });
    if (kind === 'press') await page.keyboard.press('Space');
    else if (kind === 'combo') {
      // Places are Hà Nội, Phường Ba Đình (a form may hold two places to each other, as CT01 its
      // authority to the address); another list takes its first option of all.
      const query = /province$/.test(path) ? 'ha noi' : /commune$/.test(path) ? 'ba dinh' : '';
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.press('Backspace');
      if (query) await page.keyboard.type(query);
      else await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
    } else await page.keyboard.type(kind === 'pin' ? '001089012345' : words);
    await page.keyboard.press('Tab');
  }
  return paths.length;
}

/** Goes through the portal's CT01 (the page's one form, element or mounted) to its review page, answering what each step asks. */
export async function fillToReview(page, words) {
  const next = page.locator('.tk .tk-nav button[type=submit]');
  for (let round = 0; round < 12 && !(await page.locator('.tk .tk-review:not([hidden])').count()); round++) {
    await next.click();
    if (await page.locator('.tk .tk-summary:not([hidden])').count()) await answerSummary(page, words);
  }
  await page.waitForSelector('.tk .tk-review:not([hidden])');
  return next;
}

/** From the portal's CT01, as a citizen who rents: the consents step, which asks for the lease (a file). */
export async function toLeaseStep(page) {
  await fillToReview(page);
  await page.click('tokhai-form [data-act=edit][data-path=housing]');
  await page.check('tokhai-form input[data-path=housing][value=thue_muon]');
  await page.click('tokhai-form .tk-nav button[type=submit]');
  await page.waitForSelector('tokhai-form input[data-path=lease]', { state: 'visible' });
}

/** The officials' token the portals of the officials' and citizens' dossier tests are started with. */
export const OFFICIALS_TOKEN = 'officials-token-0123456789abcdef';

/** A time (Unix ms) in Viet Nam as dd/mm/yyyy hh:mm, by the time-zone database. */
export const vietnamTime = (ms) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).format(ms).replace(',', '');
