// The development portal on the real back end (tokhai-server): a citizen logs in with the
// development login, gets CT01 prefilled and locked, files it and receives a receipt from the intake.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch } from './helpers.mjs';

const repo = resolve(fileURLToPath(import.meta.url), '../../..');
const binary = join(process.env.CARGO_TARGET_DIR ?? join(repo, 'target'), 'debug', 'tokhai-server');
const env = { server: null, url: null, browser: null, data: null };

before(async () => {
  if (!existsSync(binary)) return;
  env.data = mkdtempSync(join(tmpdir(), 'tokhai-portal-'));
  env.server = spawn(binary, ['serve'], {
    cwd: repo,
    env: {
      ...process.env,
      TOKHAI_ADDR: '127.0.0.1:0',
      TOKHAI_DATA_DIR: env.data,
      TOKHAI_DEV_LOGIN: 'true',
      TOKHAI_REGISTRY_SIZE: '200',
      RUST_LOG: 'warn',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  env.url = await new Promise((ok, fail) => {
    let out = '';
    env.server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) ok(m[1]);
    });
    env.server.on('exit', (code) => fail(new Error(`tokhai-server exited with ${code}`)));
  });
  env.browser = await launch();
});

after(async () => {
  await env.browser?.close();
  env.server?.kill();
  if (env.data) rmSync(env.data, { recursive: true, force: true });
});

/** Answers whatever the error summary asks for, field by field, by the control's kind. */
async function answerSummary(page) {
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

test('a logged-in citizen files CT01 on the development portal and gets a receipt', async (t) => {
  if (!env.server) return t.skip(`no ${binary}: run cargo build -p tokhai-server`);
  const context = await env.browser.newContext({ viewport: { width: 1024, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const { citizens } = await (await context.request.get(`${env.url}/api/dev/citizens`)).json();
  const adult = citizens.find((c) => c.birth_year < 2000);
  assert.equal((await context.request.post(`${env.url}/api/dev/login`, { data: { pin: adult.pin } })).status(), 200);

  await page.goto(`${env.url}/`);
  await page.waitForSelector('tokhai-form .tk-prov');
  const name = page.locator('tokhai-form input[data-path="full_name"]');
  assert.equal(await name.inputValue(), adult.full_name, 'prefilled from the registry');
  assert.equal(await name.getAttribute('readonly'), '', 'locked');

  const next = page.locator('tokhai-form .tk-nav button[type=submit]');
  for (let round = 0; round < 12 && !(await page.locator('tokhai-form .tk-review:not([hidden])').count()); round++) {
    await next.click();
    if (await page.locator('tokhai-form .tk-summary:not([hidden])').count()) await answerSummary(page);
  }
  await page.waitForSelector('tokhai-form .tk-review:not([hidden])');
  assert.ok((await page.textContent('tokhai-form .tk-review')).includes(adult.full_name));
  await next.click();
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');
  assert.match(await page.textContent('tokhai-form .tk-reference'), /\S+/, 'the intake answered with a receipt');
  assert.deepEqual(errors, []);
  await context.close();
});
