// The real development portal (tokhai-server) for browser tests: started on a free loopback port
// with a throwaway data directory and the development login, stopped after the tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = resolve(fileURLToPath(import.meta.url), '../../..');
export const serverBinary = join(process.env.CARGO_TARGET_DIR ?? join(repo, 'target'), 'debug', 'tokhai-server');

/**
 * Starts tokhai-server. `config` (TOML text) is written to a file passed with --config; `env` adds variables.
 * Returns { url, data, process, stop() }, or null when the binary is not built.
 */
export async function startPortal({ config = '', env = {}, data } = {}) {
  if (!existsSync(serverBinary)) return null;
  const dir = data ?? mkdtempSync(join(tmpdir(), 'tokhai-portal-'));
  const args = ['serve'];
  if (config) {
    writeFileSync(join(dir, 'tokhai.toml'), config);
    args.push('--config', join(dir, 'tokhai.toml'));
  }
  const child = spawn(serverBinary, args, {
    cwd: repo,
    env: {
      ...process.env,
      TOKHAI_ADDR: '127.0.0.1:0',
      TOKHAI_DATA_DIR: dir,
      TOKHAI_DEV_LOGIN: 'true',
      TOKHAI_REGISTRY_SIZE: '200',
      RUST_LOG: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((ok, fail) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) ok(m[1]);
    });
    child.on('exit', (code) => fail(new Error(`tokhai-server exited with ${code}`)));
  });
  return {
    url,
    data: dir,
    process: child,
    async stop({ keepData = false } = {}) {
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill();
        await exited;
      }
      if (!keepData && !data) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Logs a browser context in as a synthetic citizen chosen by `pick(citizens)`; returns that citizen. */
export async function devLogin(context, url, pick = (citizens) => citizens.find((c) => c.birth_year < 2000)) {
  const { citizens } = await (await context.request.get(`${url}/api/dev/citizens`)).json();
  const citizen = pick(citizens);
  const res = await context.request.post(`${url}/api/dev/login`, { data: { pin: citizen.pin } });
  if (res.status() !== 200) throw new Error(`dev login answered ${res.status()}`);
  return citizen;
}

/** Answers whatever the error summary asks for, field by field, by the control's kind. */
export async function answerSummary(page) {
  const paths = await page.$$eval('.tk-summary a[data-path]', (as) => as.map((a) => a.dataset.path));
  for (const path of paths) {
    await page.click(`.tk-summary a[data-path="${path}"]`);
    const kind = await page.evaluate(() => {
      const e = document.activeElement;
      if (e.getAttribute('role') === 'combobox') return 'combo';
      return e.type === 'radio' || e.type === 'checkbox' ? e.type : e.tagName === 'TEXTAREA' ? 'textarea' : e.id.includes('pin') ? 'pin' : 'text';
    });
    if (kind === 'radio' || kind === 'checkbox') await page.keyboard.press('Space');
    else if (kind === 'combo') {
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
    } else await page.keyboard.type(kind === 'pin' ? '001089012345' : 'Nguyễn Văn Bình');
    await page.keyboard.press('Tab');
  }
  return paths.length;
}


/** Presses Continue, answering whatever the error summary asks, until the review page shows; returns the button. */
export async function fillToReview(page) {
  const next = page.locator('tokhai-form .tk-nav button[type=submit]');
  for (let round = 0; round < 12 && !(await page.locator('tokhai-form .tk-review:not([hidden])').count()); round++) {
    await next.click();
    if (await page.locator('tokhai-form .tk-summary:not([hidden])').count()) await answerSummary(page);
  }
  await page.waitForSelector('tokhai-form .tk-review:not([hidden])');
  return next;
}
