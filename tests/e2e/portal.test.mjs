// The development portal on the real back end (tokhai-server): a citizen logs in with the
// development login, gets CT01 prefilled and locked, files it and receives a receipt from the intake.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillToReview, loggedIn, SERVER_BINARY, usePortal } from './helpers.mjs';

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

  const next = await fillToReview(page);
  assert.ok((await page.textContent('tokhai-form .tk-review')).includes(adult.full_name));
  await next.click();
  await page.waitForSelector('tokhai-form .tk-done:not([hidden])');
  assert.match(await page.textContent('tokhai-form .tk-reference'), /\S+/, 'the intake answered with a receipt');
  assert.deepEqual(errors, []);
  await context.close();
});
