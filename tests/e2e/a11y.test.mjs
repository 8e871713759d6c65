// Accessibility: axe-core with the WCAG 2.2 A/AA tags reports no violation on the pristine form,
// with errors shown, and on the review page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations as violations, open, useBrowser } from './helpers.mjs';

const env = useBrowser();

test('axe finds no WCAG 2.2 AA violation: pristine, with errors, on the review page', async () => {
  const { page, context, problems } = await open(env, '/fixtures/harness.html');
  assert.deepEqual(await violations(page), [], 'pristine form');

  await page.click('.tk-nav button[type=submit]');
  await page.waitForSelector('.tk-summary:not([hidden])');
  assert.deepEqual(await violations(page), [], 'errors shown');

  await page.evaluate(() => {
    const bundle = {
      values: {
        full_name: { value: 'Nguyễn Văn An', source: 'population.full_name', locked: true },
        dob: { value: '1989-03-15', source: 'population.dob', locked: true },
        sex: { value: 'nam', source: 'population.sex', locked: true },
        pin: { value: '001089012345', source: 'population.pin', locked: true },
        phone: { value: '0912345678', source: 'population.phone', locked: false },
        request_type: { value: 'tam_tru', source: 'test', locked: false },
        temp_until: { value: '2027-01-01', source: 'test', locked: false },
        residence: { value: { province: '01', commune: '00004', street: 'Số 1' }, source: 'test', locked: false },
        move_date: { value: '2026-10-01', source: 'test', locked: false },
        housing: { value: 'so_huu', source: 'test', locked: false },
        head_name: { value: 'Nguyễn Văn An', source: 'test', locked: false },
        relation_to_head: { value: 'chu_ho', source: 'test', locked: false },
        commitment: { value: true, source: 'test', locked: false },
      },
    };
    return window.tk.prefill(bundle);
  });
  assert.deepEqual(await violations(page), [], 'prefilled and locked');
  for (let step = 0; step < 4; step++) await page.click('.tk-nav button[type=submit]');
  await page.waitForSelector('.tk-review:not([hidden])');
  assert.deepEqual(await violations(page), [], 'review page');
  assert.deepEqual(problems, []);
  await context.close();
});
