// End-to-end tests of the widget on the CT01-like sample form (tests/fixtures/ct01-sample.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { events, heard, listen, open, readStore, tabTo, text, typeInto, useBrowser } from './helpers.mjs';

const env = useBrowser();
const HARNESS = '/fixtures/harness.html';
const next = '.tk-nav button[type=submit]';

/** Visible error texts inside the widget. */
const inlineErrors = (page) =>
  page.$$eval('.tk-error:not([hidden])', (els) => els.map((e) => e.textContent.trim()));

/** Fills step 1 correctly by keyboard (from wherever focus is). */
async function fillDeclarant(page) {
  await typeInto(page, '#tk1-full_name', 'Nguyễn Văn An');
  await typeInto(page, '#tk1-dob', '15/03/1989');
  await tabTo(page, '#tk1-sex-0');
  await page.keyboard.press('Space');
  await typeInto(page, '#tk1-pin', '001 089 012 345');
  await typeInto(page, '#tk1-phone', '0912345678');
}

/** Picks an option of a searchable list by typing and arrowing, like a keyboard user. */
async function pick(page, selector, query) {
  await typeInto(page, selector, query);
  await page.waitForSelector(`${selector} + .tk-listbox:not([hidden]) [role=option]`);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
}

/** Makes the sample form valid through the JS API: a prefill bundle (the name locked), then the rest as typed. */
async function fillValid(page) {
  await page.evaluate(() => {
    const bundle = {
      format: 1,
      values: {
        full_name: { value: 'Nguyễn Văn An', source: 'population.full_name', locked: true },
        dob: { value: '1989-03-15', source: 'population.dob', locked: false },
        residence: { value: { province: '01', commune: '00004', street: 'Số 1 Tràng Tiền' }, source: 'population.current_address', locked: false },
      },
    };
    return window.tk.prefill(bundle);
  });
  const fill = {
    sex: 'nam', pin: '001089012345', phone: '0912345678', request_type: 'thuong_tru', move_date: '01/10/2026',
    housing: 'so_huu', head_name: 'Nguyễn Văn An', relation_to_head: 'chu_ho', commitment: true,
  };
  await page.evaluate(async (f) => {
    for (const [path, value] of Object.entries(f)) {
      const el = document.querySelector(`[data-path="${path}"]:is(input,select,textarea)${path === 'sex' || path === 'housing' ? `[value="${value}"]` : ''}`);
      if (typeof value === 'boolean' || el.type === 'radio') el.checked = true;
      else el.value = value;
      el.dispatchEvent(new Event('input', { bubbles: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }, fill);
}

test('the sample form is filled and submitted by keyboard alone, through the review page', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await fillDeclarant(page);
  await page.keyboard.press('Enter'); // implicit submission: next step
  await page.waitForSelector('#tk1-step-1:focus');
  assert.equal(await text(page, '.tk-progress-label'), 'Bước 2/4');
  // The focused title is read with where it stands.
  const progress = await page.getAttribute('#tk1-step-1', 'aria-describedby');
  assert.equal(await text(page, `#${progress}`), 'Bước 2/4');

  await tabTo(page, '#tk1-request_type');
  await page.keyboard.press('ArrowDown'); // "Đăng ký thường trú"
  await pick(page, '#tk1-residence_province', 'ha noi');
  assert.equal(await page.inputValue('#tk1-residence_province'), 'Thành phố Hà Nội');
  await pick(page, '#tk1-residence_commune', 'ba dinh');
  assert.equal(await page.inputValue('#tk1-residence_commune'), 'Phường Ba Đình');
  await typeInto(page, '#tk1-residence_street', 'Số 12 phố Hàng Bài');
  await typeInto(page, '#tk1-move_date', '1/10/2026');
  await tabTo(page, '#tk1-housing-0');
  await page.keyboard.press('Space');
  await tabTo(page, next);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#tk1-step-2:focus');
  assert.equal(await page.inputValue('#tk1-move_date'), '01/10/2026', 'the date is shown as dd/mm/yyyy');

  await typeInto(page, '#tk1-head_name', 'Nguyễn Văn Bình');
  await tabTo(page, '#tk1-relation_to_head');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown'); // "Vợ/chồng"
  await tabTo(page, '#tk1-members-add');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#tk1-members-0_m_name:focus'); // focus moves into the new row
  await page.keyboard.type('Trần Thị Cúc');
  await typeInto(page, '#tk1-members-0_m_dob', '02/02/2015');
  await typeInto(page, '#tk1-members-0_m_relation', 'Con');
  assert.equal(await page.inputValue('#tk1-household_size'), '2', 'computed from the rows');
  // A box the form fills itself cannot be typed in, and says where its value comes from.
  assert.equal(await page.getAttribute('#tk1-household_size', 'readonly'), '');
  const computed = await page.getAttribute('#tk1-household_size', 'aria-describedby');
  assert.equal(await text(page, `#${computed}`), 'Tự động điền từ các thông tin bạn đã khai');
  await tabTo(page, next);
  await page.keyboard.press('Enter');

  await page.waitForSelector('#tk1-step-3:focus');
  // A file field says what it accepts before a file is chosen, and refuses another type in the same words.
  assert.equal(await text(page, '#tk1-attachments-hint'), 'Tệp PDF hoặc ảnh, mỗi tệp tối đa 5\u00a0MB, tối đa 3 tệp.');
  assert.equal(await page.getAttribute('#tk1-attachments', 'aria-describedby'), 'tk1-attachments-chosen tk1-attachments-hint', 'the files chosen, then which may be');
  await page.setInputFiles('#tk1-attachments', { name: 'ghichu.txt', mimeType: 'text/plain', buffer: Buffer.from('x') });
  assert.deepEqual(await inlineErrors(page), [
    'Lỗi: Giấy tờ chứng minh chỗ ở hợp pháp: tệp ghichu.txt không đúng loại cho phép (PDF hoặc ảnh)',
  ]);
  await page.setInputFiles('#tk1-attachments', { name: 'hop-dong.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7') });
  assert.deepEqual(await inlineErrors(page), []);
  assert.deepEqual(await page.evaluate(() => window.tk.values().attachments), [{ name: 'hop-dong.pdf', size: 8, type: 'application/pdf' }]);
  await tabTo(page, '#tk1-commitment');
  await page.keyboard.press('Space');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.tk-review:not([hidden]) .tk-review-title:focus');
  assert.equal(await text(page, '.tk-progress-label'), 'Đã khai xong 4/4 bước', 'the steps done, not the title below again');
  // Each answer has its "Sửa", named with its question as read by Chromium (no stray space before the colon).
  const cdp = await context.newCDPSession(page);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  const edits = nodes.filter((n) => n.role?.value === 'button' && n.name?.value.startsWith('Sửa')).map((n) => n.name.value);
  const questions = await page.$$eval('.tk-review .tk-answer dt', (dts) => dts.map((dt) => `Sửa: ${dt.textContent}`));
  assert.equal(questions.length, 34);
  const worked = 'Sửa: Số người trong hộ kê khai';
  assert.ok(questions.includes(worked));
  assert.deepEqual(edits, questions.filter((q) => q !== worked), 'every answer but the one the form works out');
  assert.deepEqual(edits.slice(0, 2), ['Sửa: Họ, chữ đệm và tên', 'Sửa: Tên gọi khác']);
  const review = await text(page, '.tk-review');
  for (const shown of ['Nguyễn Văn An', '15/03/1989', '0912 345 678', 'Số 12 phố Hàng Bài, Phường Ba Đình, Thành phố Hà Nội', 'Trần Thị Cúc', 'Vợ/chồng']) {
    assert.ok(review.includes(shown), `review shows ${shown}`);
  }
  await tabTo(page, next);
  assert.equal(await text(page, next), 'Gửi tờ khai');
  await page.keyboard.press('Enter');

  await page.waitForSelector('.tk-done:not([hidden])');
  const [submission] = await events(page, 'submit');
  assert.equal(submission.form_id, 'ct01_sample');
  assert.match(submission.ruleset_hash, /^[0-9a-f]{64}$/);
  const v = submission.values;
  assert.equal(v.full_name, 'Nguyễn Văn An');
  assert.equal(v.dob, '1989-03-15');
  assert.equal(v.pin, '001089012345');
  assert.equal(v.phone, '+84912345678');
  assert.deepEqual(v.residence, { province: '01', commune: '00004', street: 'Số 12 phố Hàng Bài' });
  assert.equal(v.request_type, 'thuong_tru');
  assert.equal(v.commitment, true);
  assert.equal(v.members.length, 1);
  assert.equal(v.members[0].m_dob, '2015-02-02');
  assert.equal(v.temp_until, undefined, 'a hidden field is not submitted');
  const timeline = await page.evaluate(() => window.tk.timeline());
  const types = new Set(timeline.events.map((e) => e.type));
  for (const type of ['start', 'focus', 'blur', 'change', 'step', 'submit', 'receipt']) assert.ok(types.has(type), type);
  assert.ok(timeline.fields_total > 20 && timeline.fields_prefilled === 0);
  assert.ok(!JSON.stringify(timeline).includes('Nguyễn'), 'no value in the timeline');
  // After the receipt, the browser's back button leaves the form (to the page before it), not into its steps.
  await page.goBack();
  await page.waitForURL('about:blank');
  assert.deepEqual(problems, []);
  await context.close();
});

test("the browser's back and forward buttons move between the form's screens, forward as the Next button goes", async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const address = page.url();
  await fillDeclarant(page);
  await page.click(next);
  await page.waitForSelector('#tk1-step-1:focus');
  await page.goBack();
  await page.waitForSelector('#tk1-step-0:focus');
  assert.equal(await text(page, '.tk-progress-label'), 'Bước 1/4');
  assert.equal(page.url(), address, 'the page stays, and so does its address');
  assert.equal(await page.inputValue('#tk1-full_name'), 'Nguyễn Văn An', 'the answers stay');
  await page.goForward();
  await page.waitForSelector('#tk1-step-1:focus');
  assert.equal(await text(page, '.tk-progress-label'), 'Bước 2/4');

  // Forward checks the step, as Next does: with an error it stays, and so does the history entry.
  await page.goBack();
  await page.waitForSelector('#tk1-step-0:focus');
  await page.fill('#tk1-full_name', '');
  await page.goForward();
  await page.waitForSelector('.tk-summary:not([hidden]):focus');
  assert.equal(await text(page, '.tk-progress-label'), 'Bước 1/4');
  assert.equal(await page.evaluate(() => history.state.tokhai['tk1-']), 0);
  // The widget's own Back button is a step the browser's back returns from.
  await page.fill('#tk1-full_name', 'Nguyễn Văn An');
  await page.click(next);
  await page.waitForSelector('#tk1-step-1:focus');
  await page.click('.tk-nav [data-act=back]');
  await page.waitForSelector('#tk1-step-0:focus');
  await page.goBack();
  await page.waitForSelector('#tk1-step-1:focus');
  assert.deepEqual(problems, []);
  await context.close();
});

test('errors show after leaving a field, the summary links to them, and fixing clears both', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await typeInto(page, '#tk1-pin', '123');
  assert.deepEqual(await inlineErrors(page), [], 'no error while typing');
  await page.keyboard.press('Tab');
  const [pinError] = await inlineErrors(page);
  assert.ok(pinError.startsWith('Lỗi:'), pinError);
  assert.equal(await page.getAttribute('#tk1-pin', 'aria-invalid'), 'true');
  assert.match(await page.getAttribute('#tk1-pin', 'aria-describedby'), /tk1-pin-hint tk1-pin-error/);

  await page.click(next);
  await page.waitForSelector('.tk-summary:focus');
  const alerting = () => page.locator('.tk-summary [role=alert]').count();
  assert.equal(await alerting(), 1);
  const links = await page.$$eval('.tk-summary a', (as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
  assert.deepEqual(links.map(([href]) => href), ['#tk1-full_name', '#tk1-dob', '#tk1-sex-0', '#tk1-pin', '#tk1-phone']);
  assert.ok(links[0][1].includes('Họ, chữ đệm và tên'));
  assert.equal(await text(page, '.tk-progress-label'), 'Bước 1/4', 'stays on the step');

  await page.click('.tk-summary a[href="#tk1-pin"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tk1-pin');
  await page.fill('#tk1-pin', '');
  await page.keyboard.type('001089012345');
  assert.equal(await page.locator('#tk1-pin-error').isHidden(), true, 'cleared as soon as fixed');
  assert.equal(await page.getAttribute('#tk1-pin', 'aria-invalid'), null);
  assert.equal(await page.locator('.tk-summary a[href="#tk1-pin"]').count(), 0, 'summary entry gone');
  // The summary was announced when shown; mending a field shrinks it without announcing it again at
  // every keystroke. The next Next announces it anew.
  assert.equal(await alerting(), 0);
  await page.click(next);
  await page.waitForSelector('.tk-summary:focus');
  assert.equal(await alerting(), 1);
  assert.equal(await page.locator('.tk-summary a').count(), 4);

  await fillDeclarant(page);
  await page.click(next);
  await page.waitForSelector('#tk1-step-1:focus');
  assert.equal(await page.locator('.tk-summary').isHidden(), true);
  assert.ok((await events(page, 'invalid')).length >= 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('an error that appears as the citizen leaves a box is said once, politely, and again once it changed; the summary then speaks alone', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const notice = '.tk-notice[role=status]';
  await listen(page, notice);
  await typeInto(page, '#tk1-pin', '123');
  await page.keyboard.press('Tab');
  const [pinError] = await inlineErrors(page);
  assert.ok(pinError.startsWith('Lỗi: '), pinError);
  assert.deepEqual(await heard(page), [pinError], 'said although focus moved on');
  // Back in the box, a change that keeps the same error does not say it again.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('End');
  await page.keyboard.type('4');
  await page.keyboard.press('Tab');
  assert.deepEqual(await inlineErrors(page), [pinError]);
  assert.deepEqual(await heard(page), [pinError], 'an error already shown is not said again');
  // Another error of the same box is said; so is the first again, once the box was right in between.
  const retype = async (value) => {
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(value);
    await page.keyboard.press('Tab');
  };
  await retype('12345678901x');
  const [formatError] = await inlineErrors(page);
  assert.notEqual(formatError, pinError);
  await retype('001089012345');
  assert.deepEqual(await inlineErrors(page), []);
  await retype('123');
  assert.deepEqual(await heard(page), [pinError, formatError, pinError]);
  // Another box's error, then Next: the summary, announced itself, is not spoken over.
  await typeInto(page, '#tk1-phone', '12');
  await page.keyboard.press('Tab');
  assert.equal((await heard(page)).length, 4);
  await page.click(next);
  await page.waitForSelector('.tk-summary:focus');
  assert.equal(await text(page, notice), '', 'nothing left to say beside the summary');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an address with an error marks its boxes: all of them when it is missing, the wrong ones alone otherwise', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const invalid = () =>
    page.$$eval('[data-path^="residence."]:is(input,select)', (els) => els.map((e) => `${e.dataset.path} ${e.getAttribute('aria-invalid')}`));
  await page.evaluate(() => window.tk.validate());
  assert.deepEqual(await invalid(), ['residence.province true', 'residence.commune true', 'residence.street true']);
  await page.evaluate(() => window.tk.prefill({ values: { residence: { value: { province: '01' }, source: 't', locked: false } } }));
  await page.evaluate(() => window.tk.validate());
  assert.deepEqual(await invalid(), ['residence.province null', 'residence.commune true', 'residence.street true']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a conditional field appears and disappears; dependent lists follow their parent', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await page.evaluate(() => {
    // Patches change the DOM in place: these very nodes must survive everything below.
    window.kept = [...document.querySelectorAll('.tk input, .tk select, .tk-field')];
  });
  await fillDeclarant(page);
  await page.click(next);
  await page.waitForSelector('#tk1-step-1:focus');
  const until = page.locator('[data-path="temp_until"].tk-field');
  assert.equal(await until.isHidden(), true);
  await page.selectOption('#tk1-request_type', 'tam_tru');
  assert.equal(await until.isVisible(), true);
  await page.selectOption('#tk1-request_type', 'thuong_tru');
  assert.equal(await until.isHidden(), true);

  // The hometown commune list waits for its province, says so by the province list's label, and stays
  // reachable (by Tab, by a summary link); it searches without diacritics. An address's commune names its province.
  const waiting = () =>
    page.evaluate(() => {
      const input = document.getElementById('tk1-home_commune');
      const note = input.parentElement.querySelector('.tk-parent-first');
      return { aria: input.getAttribute('aria-disabled'), disabled: input.disabled, note: note.hidden ? '' : note.textContent };
    });
  assert.deepEqual(await waiting(), { aria: 'true', disabled: false, note: 'Chọn “Tỉnh/thành phố quê quán” trước' });
  const describedBy = await page.getAttribute('#tk1-home_commune', 'aria-describedby');
  assert.equal(await text(page, `#${describedBy}`), 'Chọn “Tỉnh/thành phố quê quán” trước', 'the note describes the list');
  assert.equal(await page.textContent('[data-path="residence.commune"] .tk-parent-first'), 'Chọn “Tỉnh/thành phố” trước');
  // The note is one line: the list it names runs on in it.
  const lines = await page.$eval('[data-path="residence.commune"] .tk-parent-first', (p) => p.offsetHeight / parseFloat(getComputedStyle(p).lineHeight));
  assert.ok(lines < 1.5, `the note takes ${lines} lines`);
  await page.click('#tk1-home_province');
  // Names with a word starting so come first, then those whose former provinces' names do (Tuyên
  // Quang took in Hà Giang in 2025), then the others: 'ha' lists Hà Nội before Lai Châu (cHAu).
  await page.keyboard.type('ha');
  const found = await page.$$eval('#tk1-home_province-list [role=option]', (o) => o.map((e) => e.textContent));
  assert.deepEqual(found.slice(0, 4), ['Thành phố Hà Nội', 'Thành phố Hải Phòng', 'Tỉnh Hà Tĩnh', 'Tỉnh Tuyên Quang']);
  assert.ok(found.indexOf('Tỉnh Lai Châu') > 3, found.join());
  // A province merged in 2025 is still found by its old name; "TP. HCM" as citizens write it.
  for (const query of ['Bình Dương', 'tp hcm']) {
    await page.fill('#tk1-home_province', '');
    await page.keyboard.type(query);
    assert.deepEqual(await page.$$eval('#tk1-home_province-list [role=option]', (o) => o.map((e) => e.textContent)), ['Thành phố Hồ Chí Minh'], query);
  }
  await page.fill('#tk1-home_province', '');
  await page.keyboard.type('da nang');
  await page.click('#tk1-home_province-list [role=option] >> nth=0');
  assert.equal(await page.inputValue('#tk1-home_province'), 'Thành phố Đà Nẵng');
  assert.equal(await text(page, '#tk1-home_province-status'), '', 'no count of matches left once chosen');
  assert.deepEqual(await waiting(), { aria: null, disabled: false, note: '' });
  const noted = await page.getAttribute('#tk1-home_commune', 'aria-describedby');
  assert.ok(!(noted ?? '').includes(describedBy), `the note no longer describes the list: ${noted}`);
  await page.click('#tk1-home_commune');
  await page.keyboard.type('hai chau');
  const options = await page.$$eval('#tk1-home_commune-list [role=option]', (o) => o.map((e) => e.textContent));
  assert.ok(options.length >= 1 && options.every((o) => o.includes('Hải Châu')), options.join());
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.ok((await page.evaluate(() => window.tk.values().home_commune)).length === 5);

  // Another province empties a commune that is not in it, and its error is the empty choice's; Tab
  // from the province goes on to the commune.
  await page.click('#tk1-home_province');
  await page.fill('#tk1-home_province', '');
  await page.keyboard.type('ha noi');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#tk1-home_province'), 'Thành phố Hà Nội');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tk1-home_commune');
  assert.equal(await page.inputValue('#tk1-home_commune'), '');
  assert.equal(await page.evaluate(() => window.tk.values().home_commune), undefined);
  const communeIssues = await page.evaluate(() => window.tk.validate().issues.filter((i) => i.path === 'home_commune').map((i) => i.code));
  const shown = await page.locator('#tk1-home_commune-error').textContent().catch(() => '');
  assert.ok(!shown.includes('không thuộc'), `no error of the commune given up: ${shown} ${communeIssues}`);
  const replaced = await page.evaluate(() => window.kept.filter((e) => !e.isConnected).length);
  assert.equal(replaced, 0, 'no node of the form was re-rendered');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the language switches at run time, messages included', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await page.click('#tk1-ethnicity');
  await page.keyboard.type('kinh');
  await page.locator('[data-path="ethnicity"] [role=status]', { hasText: '1 kết quả' }).waitFor();
  await page.click(next);
  await page.click('.tk-lang');
  assert.equal(await page.getAttribute('.tk', 'lang'), 'en');
  assert.equal(await text(page, '[data-path="ethnicity"] [role=status]'), '', 'no search status left in the other language');
  await page.fill('#tk1-ethnicity', 'kinh');
  await page.locator('[data-path="ethnicity"] [role=status]', { hasText: '1 result' }).waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await text(page, '.tk-title'), 'Residence information change declaration (CT01)');
  assert.equal(await text(page, next), 'Continue');
  assert.equal(await text(page, '.tk-summary-title'), 'There is a problem');
  assert.ok((await text(page, '.tk-summary a')).startsWith('Full name'));
  assert.ok((await text(page, '#tk1-full_name-error')).startsWith('Error:'));
  assert.equal(await text(page, '.tk-lang'), 'Tiếng Việt');
  assert.equal(await page.getAttribute('.tk-progress', 'aria-label'), 'Steps');
  assert.equal(await text(page, '.tk-nav [data-act=back]'), 'Back');
  await page.evaluate(() => window.tk.setLanguage('vi'));
  assert.equal(await text(page, next), 'Tiếp tục');
  assert.equal(await page.getAttribute('.tk-progress', 'aria-label'), 'Các bước');
  assert.deepEqual((await events(page, 'language')).map((e) => e.lang), ['en', 'vi']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the language switch says the switch, in the new language, and no other status again', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await listen(page);
  await page.click('.tk-lang');
  // The hometown commune list still waits for its province: its note is rewritten, not said again.
  const note = await page.getAttribute('#tk1-home_commune', 'aria-describedby');
  assert.equal(await text(page, `#${note}`), 'Choose “Province of hometown” first');
  assert.deepEqual(await heard(page), ['Switched to English.']);
  assert.equal(await page.$eval('.tk-notice', (e) => e.closest('[lang]').lang), 'en');
  await page.click('.tk-lang');
  assert.deepEqual(await heard(page), ['Switched to English.', 'Đã chuyển sang tiếng Việt.']);
  assert.equal(await page.$eval('.tk-notice', (e) => e.closest('[lang]').lang), 'vi');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a searchable list says its count of matches once typing pauses, not at every keystroke', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const status = '[data-path="ethnicity"] [role=status]';
  await listen(page, status);
  await page.click('#tk1-ethnicity');
  await page.keyboard.type('kinh');
  await page.locator(status, { hasText: '1 kết quả' }).waitFor();
  assert.deepEqual(await heard(page), ['1 kết quả'], 'one count, not one per keystroke');
  assert.deepEqual(problems, []);
  await context.close();
});

test('Tab from a searchable list whose open list scrolls goes on to the next field, as from a closed one', async () => {
  // CT01's first list, the 34 provinces, scrolls when open.
  const { page, context, problems } = await open(env, '/embed.html', { ready: false });
  await page.waitForSelector('tokhai-form .tk-title');
  const list = '#tk1-authority_province';
  const focused = () => page.evaluate(() => `${document.activeElement.tagName} ${document.activeElement.id}`);
  await page.focus(list);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  const next = await focused();
  assert.equal(next, 'INPUT tk1-authority_commune');
  await page.click(list);
  assert.ok(await page.$eval(`${list}-list`, (l) => !l.hidden && l.scrollHeight > l.clientHeight), 'the open list scrolls');
  await page.keyboard.press('Tab');
  assert.equal(await focused(), next);
  // A press on the list itself (its edge, its scroll bar) leaves it open and the focus in its text box.
  await page.click(list);
  const box = await page.locator(`${list}-list`).boundingBox();
  await page.mouse.click(box.x + 1, box.y + 40);
  assert.equal(await focused(), 'INPUT tk1-authority_province');
  assert.equal(await page.$eval(`${list}-list`, (l) => l.hidden), false, 'still open');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a list waiting for another takes no typing and says which list to choose first; its choice emptied by another is said', async () => {
  const { page, context, problems } = await open(env, '/embed.html', { ready: false });
  await page.waitForSelector('tokhai-form .tk-title');
  await page.focus('#tk1-authority_commune');
  await page.keyboard.type('ba dinh');
  assert.equal(await page.inputValue('#tk1-authority_commune'), '', 'no text left to stay unmatched');
  const status = '[data-path="authority_commune"] [role=status]';
  await page.locator(status, { hasText: 'Chọn “Tỉnh, thành phố” trước' }).waitFor();
  // Once the province is chosen, the list searches what is typed.
  await pick(page, '#tk1-authority_province', 'ha noi');
  await page.focus('#tk1-authority_commune');
  await page.keyboard.type('ba dinh');
  await page.locator('#tk1-authority_commune-list [role=option]', { hasText: 'Ba Đình' }).first().waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('#tk1-authority_commune'), 'Phường Ba Đình');
  // Another province empties the commune, and says so: a screen reader user would not see it go.
  await page.fill('#tk1-authority_province', '');
  await pick(page, '#tk1-authority_province', 'hai phong');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#tk1-authority_commune'), '');
  assert.equal(await text(page, '.tk-notice'), 'Đã bỏ “Phường Ba Đình” vì không thuộc “Tỉnh, thành phố” vừa chọn.');
  // The same words stay under the list, seen and read with it, until another choice, in the language shown.
  const cleared = '[data-path="authority_commune"] .tk-cleared';
  assert.equal(await text(page, cleared), 'Đã bỏ “Phường Ba Đình” vì không thuộc “Tỉnh, thành phố” vừa chọn.');
  assert.equal(await page.isVisible(cleared), true);
  const clearedId = await page.getAttribute(cleared, 'id');
  assert.ok((await page.getAttribute('#tk1-authority_commune', 'aria-describedby')).split(' ').includes(clearedId));
  // Emptied by another answer, the list says no error before the citizen leaves it empty or goes on.
  const communeError = '[data-path="authority_commune"] .tk-error';
  assert.equal(await page.locator(communeError).isVisible(), false, 'no error for a list the citizen has not left');
  assert.notEqual(await page.getAttribute('#tk1-authority_commune', 'aria-invalid'), 'true');
  await page.focus('#tk1-authority_commune');
  await page.keyboard.press('Tab');
  await page.locator(communeError, { hasText: 'vui lòng chọn' }).waitFor();
  await page.click('tokhai-form [data-act=lang]');
  assert.match(await text(page, cleared), /^“.+” was cleared: it is not in the “Province or city” just chosen\.$/);
  await page.click('tokhai-form [data-act=lang]');
  // An emptied province empties the commune too, and says that.
  await page.focus('#tk1-authority_commune');
  await page.keyboard.type('phuong');
  await page.locator('#tk1-authority_commune-list [role=option]').first().waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const commune = await page.inputValue('#tk1-authority_commune');
  assert.ok(commune.length > 0);
  assert.equal(await page.isVisible(cleared), false, 'another choice made');
  assert.ok(!((await page.getAttribute('#tk1-authority_commune', 'aria-describedby')) ?? '').split(' ').includes(clearedId));
  await page.fill('#tk1-authority_province', '');
  await page.focus('#tk1-authority_commune');
  assert.equal(await page.inputValue('#tk1-authority_commune'), '');
  const emptied = `Đã bỏ “${commune}” vì “Tỉnh, thành phố” đã bị xóa.`;
  assert.equal(await text(page, '.tk-notice'), `${emptied} Lỗi: Tỉnh, thành phố: vui lòng chọn`, 'then the emptied list its own error');
  assert.deepEqual(problems, []);
  await context.close();
});

test('text left in a searchable list that is no option is kept and said so, at once and in the summary, even in an optional list', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const error = '[data-path="ethnicity"] .tk-error';
  const unmatched = (typed) => `Dân tộc: “${typed}” không có trong danh sách, vui lòng chọn một mục trong danh sách`;
  await typeInto(page, '#tk1-ethnicity', 'Kinhh');
  // While typing, the open list shows that nothing matches (its status says so aloud).
  await page.waitForSelector('#tk1-ethnicity-list:not([hidden]) .tk-no-results');
  assert.equal(await text(page, '#tk1-ethnicity-list'), 'Không tìm thấy');
  assert.equal(await page.getAttribute('#tk1-ethnicity', 'aria-expanded'), 'true');
  await page.keyboard.press('ArrowDown');
  assert.equal(await page.getAttribute('#tk1-ethnicity', 'aria-activedescendant'), null, 'nothing to arrow to');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#tk1-ethnicity'), 'Kinhh', 'what was typed stays');
  assert.equal(await text(page, error), `Lỗi: ${unmatched('Kinhh')}`);
  assert.equal(await page.getAttribute('#tk1-ethnicity', 'aria-invalid'), 'true');
  await page.waitForFunction((t) => document.querySelector('.tk-notice').textContent.includes(t), unmatched('Kinhh'));
  // The list is optional, yet the step does not go on with what was typed silently dropped.
  await fillDeclarant(page);
  await page.fill('#tk1-ethnicity', 'T');
  await page.fill('#tk1-phone', '');
  await page.click(next);
  await page.waitForSelector('.tk-summary:not([hidden])');
  const summary = await page.$$eval('.tk-summary a', (links) => links.map((a) => a.textContent.trim()));
  // Several options match "T": none is chosen. The summary lists the errors as the page has them.
  assert.deepEqual(summary, [unmatched('T'), 'Số điện thoại: vui lòng nhập thông tin']);
  await typeInto(page, '#tk1-phone', '0912345678');
  // Emptied, the optional list has no error; an option chosen, none either.
  await page.fill('#tk1-ethnicity', '');
  await page.keyboard.press('Tab');
  assert.equal(await page.isHidden(error), true);
  await typeInto(page, '#tk1-ethnicity', 'Kin');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#tk1-ethnicity'), 'Kinh', 'the one match is chosen');
  assert.equal(await page.isHidden(error), true);
  // A required list says the same, in English too, not "choose an option" as if nothing were typed.
  await page.click('.tk-lang');
  await page.click(next);
  await page.waitForSelector('#tk1-step-1:focus');
  await typeInto(page, '#tk1-residence_province', 'Ha Tay');
  await page.keyboard.press('Tab');
  assert.equal(await text(page, '[data-path="residence.province"] .tk-error'), 'Error: Address to register (province): “Ha Tay” is not an option of the list; choose one from the list');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an answer that makes one on an earlier step wrong is shown as the citizen goes on from it; fixed, the form returns where the citizen was', async () => {
  const { page, context, problems } = await open(env, `${HARNESS}?form=cross-step.json`);
  // Steps: the child (0), a guardian (1, shown only with one), the father (2), the mother (3).
  await page.click('label[for=tk1-ethnicity_from-0]');
  await page.click(next);
  await page.waitForSelector('#tk1-step-2:focus');
  await page.click(next);
  await page.waitForSelector('#tk1-step-3:focus');
  // Back on the father's step, the father is not established: going on shows what that made wrong, and why
  // the citizen is taken back.
  await page.click('.tk-nav [data-act=back]');
  await page.waitForSelector('#tk1-step-2:focus');
  await page.click('label[for=tk1-father_unknown]');
  await page.click(next);
  await page.waitForSelector('.tk-summary:focus');
  assert.equal(await page.isVisible('#tk1-step-0'), true, 'back on the step of the answer now wrong');
  assert.equal(await text(page, '.tk-summary-title'), 'Câu trả lời ở bước sau làm thông tin ở bước này cần sửa');
  const rule = 'Chưa xác định được cha: dân tộc của trẻ theo dân tộc của mẹ';
  assert.deepEqual(await page.$$eval('.tk-summary a', (links) => links.map((a) => a.textContent.trim())), [rule]);
  // Fixed there, the form goes straight back to the furthest step reached, past the father's, complete.
  await page.click('label[for=tk1-ethnicity_from-1]');
  await page.click(next);
  await page.waitForSelector('#tk1-step-3:focus');
  // A step an answer shows between here and there is not passed over: the citizen has never seen it.
  await page.click('.tk-nav [data-act=back]');
  await page.click('.tk-nav [data-act=back]');
  await page.waitForSelector('#tk1-step-0:focus');
  await page.click('label[for=tk1-has_guardian]');
  await page.click(next);
  await page.waitForSelector('#tk1-step-1:focus');
  await page.click(next);
  await page.waitForSelector('#tk1-step-3:focus');
  await page.click(next);
  await page.waitForSelector('.tk-review:not([hidden])');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the option of a searchable list arrowed to is the selected one, and no other', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await page.click('#tk1-ethnicity');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const options = () =>
    page.$$eval('#tk1-ethnicity-list [role=option]', (os) => os.map((o) => `${o.id} ${o.getAttribute('aria-selected')}`));
  const [first, second, ...rest] = await options();
  const active = await page.getAttribute('#tk1-ethnicity', 'aria-activedescendant');
  assert.equal(second, `${active} true`, 'the active option is selected');
  assert.ok([first, ...rest].every((o) => o.endsWith(' false')), [first, ...rest].join());
  await page.keyboard.press('ArrowUp');
  assert.ok((await options())[0].endsWith(' true') && (await options())[1].endsWith(' false'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('the language the citizen chose with the switch comes back when the tab reloads', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await page.click('.tk-lang');
  assert.equal(await page.getAttribute('.tk', 'lang'), 'en');
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.equal(await page.getAttribute('.tk', 'lang'), 'en');
  assert.equal(await text(page, next), 'Continue');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the JS API: values, validate, submit to the action endpoint with a receipt, destroy', async () => {
  const { page, context, problems } = await open(env, `${HARNESS}?action=1`);
  const invalid = await page.evaluate(() => window.tk.submit());
  assert.equal(invalid.ok, false);
  assert.ok(invalid.issues.some((i) => i.path === 'full_name' && i.code === 'required'));
  await fillValid(page);
  assert.equal(await page.inputValue('#tk1-full_name'), 'Nguyễn Văn An');
  assert.equal(await page.getAttribute('#tk1-full_name', 'readonly'), '');
  assert.ok((await text(page, '#tk1-full_name-prov')).includes('không sửa được'));
  assert.equal(await page.inputValue('#tk1-dob'), '15/03/1989');
  assert.equal(await page.inputValue('#tk1-residence_commune'), 'Phường Ba Đình');
  const { valid } = await page.evaluate(() => window.tk.validate());
  assert.equal(valid, true);
  assert.equal((await page.evaluate(() => window.tk.values())).pin, '001089012345');
  const setNote = (v) =>
    page.evaluate((v) => {
      const note = document.getElementById('tk1-note');
      note.value = v;
      note.dispatchEvent(new Event('input', { bubbles: true }));
      note.dispatchEvent(new Event('change', { bubbles: true }));
    }, v);
  await setNote('refuse');
  const refused = await page.evaluate(() => window.tk.submit());
  assert.equal(refused.ok, false);
  assert.equal(await text(page, '.tk-summary a[data-path="full_name"]'), 'Không được sửa họ tên', 'the back end\'s reason');
  assert.ok((await text(page, '#tk1-full_name-error')).includes('Không được sửa họ tên'));
  assert.equal((await events(page, 'refused')).length, 1);
  await setNote('');
  const result = await page.evaluate(() => window.tk.submit());
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(result.response.receipt.id, 'TK-000001');
  assert.equal(env.server.submissions.at(-1).values.full_name, 'Nguyễn Văn An');
  assert.equal(env.server.submissions.at(-1).prefill.values.full_name.locked, true);
  assert.ok((await text(page, '.tk-done')).includes('TK-000001'));
  // The heading focused on arrival is read with the reference.
  const reference = await page.getAttribute('.tk-done-title', 'aria-describedby');
  assert.ok(reference, 'described');
  assert.equal(await text(page, `#${reference}`), 'Mã hồ sơ: TK-000001');
  assert.equal((await events(page, 'submitted')).length, 1);
  await page.evaluate(() => window.tk.destroy());
  assert.equal(await page.locator('.tk').count(), 0);
  assert.deepEqual(problems.filter((p) => !p.includes('status of 422')), [], 'only the refusal on the network');
  await context.close();
});

test('while the filing is sent nothing moves: Back, "Sửa" and the browser\'s back wait, and the buttons say so', async () => {
  const { page, context, problems } = await open(env, `${HARNESS}?action=1`);
  await fillValid(page);
  while ((await text(page, next)) !== 'Gửi tờ khai') await page.click(next);
  await page.waitForSelector('.tk-review:not([hidden])');
  let release;
  const held = new Promise((ok) => (release = ok));
  await page.route('**/api/submissions', async (route) => {
    await held;
    await route.continue();
  });
  await page.click(next);
  await page.waitForSelector(`${next}[aria-disabled="true"]`);
  assert.equal(await page.getAttribute('.tk-nav [data-act=back]', 'aria-disabled'), 'true');
  const edits = () => page.$$eval('.tk-review [data-act=edit]', (bs) => bs.map((b) => b.getAttribute('aria-disabled')));
  const waiting = await edits();
  assert.ok(waiting.length > 4 && waiting.every((w) => w === 'true'), `each "Sửa" says it waits too: ${waiting}`);
  const steps = (await events(page, 'step')).length;
  await page.evaluate(() => {
    document.querySelector('.tk-nav [data-act=back]').click();
    document.querySelector('.tk-review [data-act=edit]').click();
  });
  await page.goBack();
  await page.waitForTimeout(100);
  assert.equal((await events(page, 'step')).length, steps, 'no other screen while sending');
  assert.equal(await page.isVisible('.tk-review'), true);
  release();
  await page.waitForSelector('.tk-done:not([hidden])');
  assert.equal(env.server.submissions.at(-1).values.commitment, true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a prefill arriving after the citizen typed keeps what they typed, unless its value is locked', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await typeInto(page, '#tk1-phone', '0912345678');
  await typeInto(page, '#tk1-full_name', 'Nguyen Van A');
  await page.evaluate(() =>
    window.tk.prefill({
      values: {
        phone: { value: '0987654321', source: 'population.phone', locked: false },
        full_name: { value: 'Nguyễn Văn An', source: 'population.full_name', locked: true },
        dob: { value: '1989-03-15', source: 'population.dob', locked: true },
      },
    }),
  );
  assert.equal((await page.evaluate(() => window.tk.values())).phone, '+84912345678', 'typed, kept');
  assert.equal(await page.inputValue('#tk1-full_name'), 'Nguyễn Văn An', 'locked national data wins');
  // How to type a date is no help in a box that cannot be typed in.
  assert.equal(await page.getAttribute('#tk1-dob', 'readonly'), '');
  assert.equal(await page.locator('[data-path="dob"].tk-field .tk-hint-format').isVisible(), false);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a malformed prefill bundle is refused whole, naming every wrong entry, and fills nothing', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const prefill = (bundle) => page.evaluate((b) => window.tk.prefill(b).then(() => 'taken', (e) => e.message), bundle);
  const name = { value: 'Nguyễn Văn An', source: 'population.full_name', locked: true };
  const refused = await prefill({ values: { full_name: name, pin: '001089012345', nickname: { value: 'An', source: 'x', locked: false } } });
  assert.match(refused, /^prefill: the bundle is refused: /);
  assert.ok(refused.includes("'pin' is not {value, source, locked}"), refused);
  assert.ok(refused.includes("unknown path 'nickname'"), refused);
  assert.equal(await page.inputValue('#tk1-full_name'), '', 'nothing filled, not even the good entry');
  assert.equal(await page.locator('.tk-prov').count(), 0);
  assert.match(await prefill('/fixtures/harness.html'), /^prefill: the bundle is not JSON: /, 'a URL that answers HTML');
  // Half an emoji (a JavaScript string can hold it): named as such, where "not JSON" would mislead.
  const halved = await prefill({ values: { full_name: { ...name, value: 'Nguyễn \ud83d' } } });
  assert.match(halved, /^prefill: the bundle holds a lone UTF-16 surrogate .* at line 1 column \d+$/);
  assert.equal(await prefill({ values: { full_name: name } }), 'taken');
  assert.equal(await page.inputValue('#tk1-full_name'), 'Nguyễn Văn An');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an option mount does not know is named in a console warning, and every documented option is known', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const declarations = readFileSync(new URL('../../js/index.d.ts', import.meta.url), 'utf8');
  const documented = [...declarations.match(/interface MountOptions \{([\s\S]*?)\n\}/)[1].matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
  assert.ok(documented.length >= 10, documented.join());
  await page.evaluate(async (names) => {
    const { mount } = await import('/pkg/index.js');
    const options = { ...Object.fromEntries(names.map((n) => [n, undefined])), catalogs: '/catalogs/admin-units.json', actoin: '/api/submissions' };
    const handle = await mount(document.body.appendChild(document.createElement('div')), '/fixtures/ct01-sample.json', options);
    handle.destroy();
  }, documented);
  assert.deepEqual(problems, ["console: tokhai: unknown option 'actoin' (ignored)"]);
  await context.close();
});

test('a definition is compiled once for all its mounts, its first step shown first; a malformed one is refused with every reason', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const result = await page.evaluate(async () => {
    const { compileForm, mount } = await import('/pkg/index.js');
    const def = await (await fetch('/fixtures/ct01-sample.json')).json();
    const same = (await compileForm(def)) === (await compileForm(structuredClone(def)));
    const host = document.createElement('div');
    document.body.append(host);
    const handle = await mount(host, structuredClone(def), { catalogs: '/catalogs/admin-units.json', drafts: false });
    const count = () => host.querySelectorAll(':is(input,select,textarea)[data-path]').length;
    const firstScreen = count();
    await new Promise((ok) => setTimeout(ok));
    const controls = count();
    handle.destroy();
    const bad = structuredClone(def);
    bad.steps[0].sections[0].fields[0].kind = 'nonsense';
    bad.steps[0].sections[0].fields[2].required = 'yes';
    const error = await mount(host, bad, { drafts: false }).then(() => null, (e) => String(e.message ?? e));
    return { same, firstScreen, controls, error, left: host.childElementCount };
  });
  assert.equal(result.same, true, 'one compiled form for equal definitions');
  assert.ok(result.firstScreen > 0 && result.firstScreen < result.controls, 'the first step first, the others in the next task');
  assert.ok(result.controls > 30, `${result.controls} controls`);
  assert.match(result.error, /\$\.steps\[0\]\.sections\[0\]\.fields\[0\]: .*nonsense/);
  assert.match(result.error, /\$\.steps\[0\]\.sections\[0\]\.fields\[2\]: .*"yes"/);
  assert.equal(result.left, 0, 'nothing rendered for a refused definition');
  assert.deepEqual(problems, []);
  await context.close();
});

test('repeat-group rows are added and removed with focus moved sensibly', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await page.evaluate(() => {
    for (const s of document.querySelectorAll('.tk-step')) s.hidden = !s.querySelector('[data-path=members]');
  });
  const group = await page.getAttribute('#tk1-members-add', 'aria-describedby');
  assert.equal(await text(page, `#${group}`), 'Thành viên hộ gia đình cùng thay đổi', '"Thêm thành viên" is heard with its group');
  // The group calls its rows "thành viên" (its row_name): the button, the rows and what is said use it.
  assert.equal(await text(page, '#tk1-members-add'), 'Thêm thành viên');
  const notice = '.tk-notice[role=status]';
  await page.click('#tk1-members-add');
  await page.click('#tk1-members-add');
  await page.click('#tk1-members-add');
  assert.equal(await text(page, notice), 'Đã thêm thành viên 3.', 'an added row is said');
  assert.deepEqual(await page.$$eval('[data-path=members] .tk-row-legend', (ls) => ls.map((l) => l.textContent)), ['Thành viên 1', 'Thành viên 2', 'Thành viên 3']);
  assert.equal(await text(page, '.tk-row:nth-child(2) .tk-remove'), 'Xóa thành viên 2');
  await page.fill('#tk1-members-1_m_name', 'Hàng hai');
  await page.fill('#tk1-members-2_m_name', 'Hàng ba');
  await page.click('.tk-row:nth-child(2) .tk-remove');
  assert.equal(await page.locator('.tk-row').count(), 2);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tk1-members-1_m_name', 'focus on the row that moved up');
  assert.equal(await text(page, notice), 'Đã xóa thành viên 2, còn 2.', 'a removed row is said: focus is on the one that moved up');
  assert.equal(await page.inputValue('#tk1-members-1_m_name'), 'Hàng ba');
  await page.click('.tk-row:nth-child(2) .tk-remove');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tk1-members-0_m_name', 'focus on the row before');
  await page.evaluate(() => window.tk.setLanguage('en'));
  assert.equal(await text(page, notice), 'Switched to English.', 'nothing left in the old language');
  await page.click('.tk-row .tk-remove');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tk1-members-add', 'focus on the add button');
  assert.equal(await text(page, notice), 'Member 1 removed, 0 left.');
  assert.equal(await text(page, '#tk1-members-add'), 'Add a member');
  assert.equal(await page.evaluate(() => window.tk.values().household_size), 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone, a long free-text answer (an address, up to 200 characters or more) wraps in its box instead of scrolling out of sight', async () => {
  const { page, context, problems } = await open(env, HARNESS, { width: 360, height: 740 });
  await page.evaluate(() => {
    for (const s of document.querySelectorAll('.tk-step')) s.hidden = !s.querySelector('[data-path=previous_residence]');
    for (const f of document.querySelectorAll('.tk-field[data-path=previous_residence]')) f.hidden = false;
  });
  const address = 'Số 12 ngõ 45 đường Nguyễn Chí Thanh, Phường Láng, Thành phố Hà Nội';
  await page.fill('[data-path=previous_residence] :is(input, textarea)', address);
  const box = await page.$eval('[data-path=previous_residence] :is(input, textarea)', (e) => ({
    tag: e.tagName,
    cut: e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight,
    lines: Math.round(e.clientHeight / parseFloat(getComputedStyle(e).lineHeight)),
  }));
  assert.deepEqual({ tag: box.tag, cut: box.cut }, { tag: 'TEXTAREA', cut: false });
  assert.ok(box.lines >= 2, `${box.lines} lines`);
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('[data-path=previous_residence] textarea'), address, 'Enter adds no new line');
  assert.deepEqual(problems, []);
  await context.close();
});

test('usable on a 360 px phone and at 200% zoom: no sideways scrolling', async () => {
  for (const width of [360, 640, 320]) {
    const { page, context, problems } = await open(env, HARNESS, { width, height: 740 });
    await page.click(next);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, `no horizontal scroll at ${width}px`);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("on a phone what a finger presses is 44 px tall at least: a choice's row and label, a box, a list's option, the language switch", async () => {
  const { page, context, problems } = await open(env, HARNESS, { width: 360, height: 740 });
  const targets = '.tk-option:has(.tk-choice), .tk-option:has(.tk-choice) label, .tk-btn-link, .tk-input, .tk-select, .tk-option-item';
  const small = () =>
    page.$$eval(targets, (es) =>
      es.filter((e) => e.offsetParent).filter((e) => e.getBoundingClientRect().height < 44).map((e) => e.id || e.textContent.trim()),
    );
  assert.ok((await page.$$('.tk-option:has(.tk-choice)')).length > 0, 'the first screen has choices');
  assert.deepEqual(await small(), []);
  await page.click('#tk1-ethnicity');
  await page.waitForSelector('#tk1-ethnicity-list [role=option]');
  assert.deepEqual(await small(), [], 'with a list open');
  assert.deepEqual(problems, []);
  await context.close();
});

test("with WCAG's text spacing (1.4.12) on a phone, no text is cut off and nothing scrolls sideways", async () => {
  const { page, context, problems } = await open(env, HARNESS, { width: 360, height: 740 });
  await page.evaluate(() => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`* { line-height: 1.5 !important; letter-spacing: .12em !important; word-spacing: .16em !important }
      p { margin-bottom: 2em !important }`);
    document.adoptedStyleSheets = [sheet];
  });
  await page.click(next);
  await page.waitForSelector('.tk-summary:not([hidden])');
  const cut = await page.$$eval('.tk *', (es) =>
    es
      .filter((e) => e.offsetParent && !e.matches('input, textarea, select, .tk-vh') && getComputedStyle(e).overflow !== 'visible')
      .filter((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
      .map((e) => e.className),
  );
  assert.deepEqual(cut, [], 'text cut off');
  const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.equal(sideways, 0, 'no sideways scrolling');
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone the progress shows the current step alone, under "Bước 2/4", without a wrong number', async () => {
  for (const [width, numbered] of [[360, false], [1024, true]]) {
    const { page, context, problems } = await open(env, HARNESS, { width, height: 740 });
    await fillDeclarant(page);
    await page.click(next);
    await page.waitForSelector('#tk1-step-1:focus');
    assert.equal(await text(page, '.tk-progress-label'), 'Bước 2/4');
    const shown = await page.$$eval('.tk-steps-list li', (items) =>
      items.filter((li) => li.getClientRects().length).map((li) => getComputedStyle(li, '::before').content),
    );
    // A CSS counter skips steps that are not displayed: on a phone the second step would read "1.".
    if (numbered) assert.deepEqual(shown, Array(4).fill('counter(tk-step) ". "'));
    else assert.deepEqual(shown, ['none'], 'one step shown, and no counter on it');
    // On the review page no step is current: a phone then shows (and exposes) no empty list.
    await fillValid(page);
    for (let i = 0; i < 6 && (await text(page, next)) !== 'Gửi tờ khai'; i++) await page.click(next);
    await page.waitForSelector('.tk-review:not([hidden])');
    assert.equal(await page.$eval('.tk-steps-list', (list) => getComputedStyle(list).display !== 'none'), numbered);
    assert.deepEqual(problems, []);
    await context.close();
  }
});

test("in a contrast theme (forced colours) the highlighted option, the steps reached and a list's arrow still stand out", async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await page.emulateMedia({ forcedColors: 'active' });
  await fillDeclarant(page);
  await page.click(next);
  await page.waitForSelector('#tk1-step-1:focus');
  // How an element looks: the colour behind it (its own or, when transparent, its ancestors'), its text and its top border.
  const looks = (selector) =>
    page.$$eval(selector, (es) =>
      es.map((e) => {
        let back = e;
        while (back.parentElement && /^rgba\(.*, 0\)$|^transparent$/.test(getComputedStyle(back).backgroundColor)) back = back.parentElement;
        const s = getComputedStyle(e);
        return `${getComputedStyle(back).backgroundColor} ${s.color} ${s.borderTopColor}`;
      }),
    );
  const [done, current, ahead, later] = await looks('.tk-steps-list li');
  assert.equal(later, ahead);
  assert.notEqual(done, ahead, 'a step done looks unlike a step ahead');
  assert.notEqual(current, ahead, 'the current step looks unlike a step ahead');

  // A list to choose from keeps its arrow (a contrast theme drops gradients unless they are the theme's
  // own colours); a list waiting for its parent has none.
  const arrow = (id) => page.$eval(id, (e) => getComputedStyle(e).backgroundImage);
  assert.match(await arrow('#tk1-residence_province'), /^linear-gradient.*linear-gradient/);
  assert.equal(await arrow('#tk1-residence_commune'), 'none');

  await page.click('#tk1-residence_province');
  await page.keyboard.type('ha');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  const [active] = await looks('#tk1-residence_province-list .tk-active');
  const others = new Set(await looks('#tk1-residence_province-list li:not(.tk-active)'));
  assert.equal(others.size, 1, 'the other options look alike');
  assert.ok(!others.has(active), `the highlighted option (${active}) looks unlike the others (${[...others]})`);
  // In a dark contrast theme the current step's name is written in the theme's text colour, as the others are.
  await page.emulateMedia({ forcedColors: 'active', colorScheme: 'dark' });
  const colours = await page.$$eval('.tk-steps-list li', (es) => es.map((e) => getComputedStyle(e).color));
  assert.equal(new Set(colours).size, 1, `every step name in the text colour: ${colours}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("on a narrow phone a required field's star stays with the last word of its label", async () => {
  const { page, context, problems } = await open(env, HARNESS, { width: 320, height: 640 });
  // The labels whose star is not on the line of their last word, or not after it.
  const apart = () =>
    page.$$eval('.tk-req:not([hidden]) > [aria-hidden]', (stars) =>
      stars
        .filter((star) => star.offsetParent !== null)
        .filter((star) => {
          const words = star.parentElement.previousElementSibling.lastChild;
          const last = document.createRange();
          last.setStart(words, words.length - 1);
          last.setEnd(words, words.length);
          const [word, mark] = [[...last.getClientRects()].pop(), star.getBoundingClientRect()];
          return Math.abs(mark.top - word.top) > 2 || mark.left < word.right - 1;
        })
        .map((star) => star.parentElement.parentElement.textContent),
    );
  await page.waitForSelector('.tk-req');
  assert.deepEqual(await apart(), []);
  await fillValid(page);
  for (const step of [1, 2, 3]) {
    await page.click(next);
    await page.waitForSelector(`#tk1-step-${step}:focus`);
    assert.deepEqual(await apart(), [], `step ${step + 1}`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('on a phone a link of the error summary brings the question to the top of the screen, not only its box', async () => {
  const { page, context, problems } = await open(env, HARNESS, { width: 360, height: 740 });
  await page.click(next);
  await page.waitForSelector('.tk-summary:not([hidden])');
  await page.click('.tk-summary a[data-path="full_name"]');
  await page.waitForSelector('#tk1-full_name:focus');
  const [label, box] = await page.$eval('#tk1-full_name', (i) => [i.labels[0].getBoundingClientRect().top, i.getBoundingClientRect().bottom]);
  assert.ok(label > -1 && label < 40, `the label is at the top (${label} px from it)`);
  assert.ok(box < 740 / 2, `the box is above where an on-screen keyboard opens (its bottom ${box} px from the top)`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a date is read as the citizen writes it: with slashes, dashes, dots or no separator at all', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  // A phone shows its keypad of digits, which has no "/": the hint says the digits alone will do.
  assert.equal(await page.getAttribute('#tk1-dob', 'inputmode'), 'numeric');
  const hint = await page.getAttribute('#tk1-dob', 'aria-describedby');
  assert.match(await text(page, `#${hint.split(' ')[0]}`), /ví dụ 05\/03\/1990, hoặc gõ liền 05031990/);
  // Its example is a date the field takes: a temporary residence lasts until a day to come.
  const until = await page.getAttribute('#tk1-temp_until', 'aria-describedby');
  assert.match(await text(page, `#${until.split(' ')[0]}`), /ví dụ 05\/03\/2027, hoặc gõ liền 05032027/);
  for (const typed of ['15/3/1989', '15-03-1989', '15.03.1989', '15031989']) {
    await page.fill('#tk1-dob', '');
    await typeInto(page, '#tk1-dob', typed);
    await page.keyboard.press('Tab');
    assert.equal(await page.inputValue('#tk1-dob'), '15/03/1989', `"${typed}" is shown as dd/mm/yyyy`);
    assert.equal(await page.evaluate(() => window.tk.values().dob), '1989-03-15', `"${typed}" is stored as ISO`);
    assert.deepEqual(await inlineErrors(page), []);
  }
  // A date written as one that names no day says which part is wrong, in either language.
  await page.fill('#tk1-dob', '');
  await typeInto(page, '#tk1-dob', '31/02/2027');
  await page.keyboard.press('Tab');
  assert.deepEqual(await inlineErrors(page), ['Lỗi: Ngày, tháng, năm sinh: tháng 2/2027 không có ngày 31']);
  await page.click('.tk-lang');
  assert.deepEqual(await inlineErrors(page), ['Error: Date of birth: February 2027 has no day 31']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a date of birth may be the year alone, as some national records give it; a date of issue may not', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const hint = async (id) => text(page, `#${(await page.getAttribute(id, 'aria-describedby')).split(' ')[0]}`);
  assert.match(await hint('#tk1-dob'), /; chỉ ghi năm \(1990\) nếu giấy tờ chỉ có năm sinh$/);
  assert.doesNotMatch(await hint('#tk1-pin_issued'), /chỉ ghi năm/);
  await typeInto(page, '#tk1-dob', '195');
  await page.keyboard.press('Tab');
  assert.deepEqual(await inlineErrors(page), [
    'Lỗi: Ngày, tháng, năm sinh: ngày không hợp lệ; nhập ngày/tháng/năm, năm đủ 4 chữ số (ví dụ 05/03/1990 hoặc 05031990), hoặc chỉ năm sinh (1990) nếu giấy tờ chỉ ghi năm',
  ]);
  await page.fill('#tk1-dob', '');
  await typeInto(page, '#tk1-dob', '1950');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue('#tk1-dob'), '1950');
  assert.equal(await page.evaluate(() => window.tk.values().dob), '1950', 'stored as the year alone');
  await typeInto(page, '#tk1-pin_issued', '2021');
  await page.keyboard.press('Tab');
  assert.deepEqual(await inlineErrors(page), [
    'Lỗi: Ngày cấp thẻ căn cước: nhập đủ ngày, tháng và năm, không chỉ năm (ví dụ 05/03/2021)',
  ]);
  await page.click('.tk-lang');
  assert.match(await hint('#tk1-dob'), /; the year alone \(1990\) if your papers give only the year$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('what was said about a screen is not left to be met on the next', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await typeInto(page, '#tk1-pin', '123');
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => document.querySelector('.tk-notice').textContent.startsWith('Lỗi: '));
  await page.fill('#tk1-pin', '');
  await fillDeclarant(page);
  await page.click(next);
  await page.waitForSelector('#tk1-step-1:focus');
  assert.equal(await text(page, '.tk-notice'), '');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a text area with a maximum length counts the characters left, then those too many, in the language shown', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await fillDeclarant(page);
  await page.click(next);
  await page.waitForSelector('#tk1-step-1:focus');
  const count = '#tk1-reason-count';
  assert.equal(await text(page, count), 'Còn lại 500 ký tự');
  assert.match(await page.getAttribute('#tk1-reason', 'aria-describedby'), /\btk1-reason-count\b/, 'read with the box');
  // A screen reader hears the count once typing pauses (a hidden live region), not at every keystroke.
  const live = '#tk1-reason-count + [role=status]';
  await page.$eval(live, (e) => {
    window.announced = [];
    new MutationObserver(() => window.announced.push(e.textContent)).observe(e, { childList: true, characterData: true, subtree: true });
  });
  await typeInto(page, '#tk1-reason', 'Chuyển đến ở cùng gia đình');
  assert.equal(await text(page, count), 'Còn lại 474 ký tự', 'counted in letters, diacritics included');
  await page.waitForFunction(() => window.announced.length > 0);
  await page.waitForTimeout(1200);
  assert.deepEqual(await page.evaluate(() => window.announced), ['Còn lại 474 ký tự'], 'said once, after the pause');
  await page.keyboard.type('x'.repeat(480));
  assert.equal(await text(page, count), 'Vượt quá 6 ký tự');
  assert.equal(await page.$eval(count, (e) => e.classList.contains('tk-count-over')), true);
  await page.waitForFunction(() => window.announced.length === 2);
  assert.equal(await text(page, live), 'Vượt quá 6 ký tự');
  await page.click('.tk-lang');
  assert.equal(await text(page, count), 'Characters over the limit: 6');
  assert.equal(await text(page, live), '', 'nothing left to say in the other language');
  await page.keyboard.press('Tab');
  assert.ok((await inlineErrors(page)).some((e) => e.startsWith('Error:')), 'the maximum is still a rule');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a required control says so to assistive technology (aria-required), and stops saying it when it no longer is', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const required = () =>
    page.$$eval('.tk [data-path][aria-required=true]', (els) => [...new Set(els.map((e) => e.dataset.path))]);
  // A radio set says it on its radio group; a check-box group in its legend alone (ARIA has no required
  // state for a fieldset). A hidden field, temp_until, keeps it for when it shows.
  assert.deepEqual(await required(), [
    'full_name', 'dob', 'sex', 'pin', 'phone', 'request_type', 'temp_until', 'residence.province', 'residence.commune',
    'residence.street', 'move_date', 'housing', 'head_name', 'relation_to_head', 'commitment',
  ]);
  assert.equal(await page.getAttribute('fieldset[data-path=sex]', 'role'), 'radiogroup');
  assert.equal(await page.locator('.tk [aria-required]:not([aria-required=true])').count(), 0);

  const phone = await page.evaluate(async () => {
    const { mount } = await import('/pkg/index.js');
    const def = await (await fetch('/fixtures/ct01-sample.json')).json();
    const field = def.steps[0].sections.flatMap((s) => s.fields).find((f) => f.id === 'phone');
    delete field.required;
    field.required_if = 'empty(email)';
    const host = document.createElement('div');
    document.body.append(host);
    const handle = await mount(host, def, { catalogs: '/catalogs/admin-units.json', drafts: false });
    const state = () => host.querySelector('input[data-path=phone]').getAttribute('aria-required');
    const before = state();
    const email = host.querySelector('input[data-path=email]');
    email.value = 'an@example.vn';
    email.dispatchEvent(new Event('input', { bubbles: true }));
    email.dispatchEvent(new Event('change', { bubbles: true }));
    const after = state();
    handle.destroy();
    return { before, after };
  });
  assert.deepEqual(phone, { before: 'true', after: null });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a text a definition gives only in Vietnamese is marked lang="vi" in the English interface, and nothing else is', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const marked = await page.evaluate(async () => {
    const { mount } = await import('/pkg/index.js');
    const def = await (await fetch('/fixtures/ct01-sample.json')).json();
    const fields = def.steps.flatMap((step) => step.sections).flatMap((s) => s.fields);
    const field = (id) => fields.find((f) => f.id === id);
    def.steps[0].title = def.steps[0].title.vi;
    field('other_name').label = field('other_name').label.vi;
    const sex = field('sex');
    sex.options[0].label = { vi: sex.options[0].label.vi };
    // Named in the English note of the list that waits for it: "Choose “…” first".
    field('home_province').label = field('home_province').label.vi;
    const host = document.createElement('div');
    document.body.append(host);
    const handle = await mount(host, def, { catalogs: '/catalogs/admin-units.json', drafts: false, lang: 'en' });
    await new Promise((later) => setTimeout(later));
    const list = () => [...host.querySelectorAll('.tk [lang]:not(.tk):not([data-act=lang])')].map((e) => `${e.lang}:${e.textContent}`);
    const seen = { en: list() };
    handle.setLanguage('vi');
    seen.vi = list();
    handle.setLanguage('en');
    seen.back = list();
    handle.destroy();
    return seen;
  });
  const expected = ['vi:Người kê khai', 'vi:Người kê khai', 'vi:Tên gọi khác', 'vi:Nam', 'vi:Tỉnh/thành phố quê quán', 'vi:Tỉnh/thành phố quê quán'];
  assert.deepEqual(marked.en.toSorted(), expected.toSorted(), 'the Vietnamese texts in the English interface');
  assert.deepEqual(marked.vi, [], 'nothing to mark in the Vietnamese interface');
  assert.deepEqual(marked.back.toSorted(), expected.toSorted(), 'marked again after a switch');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an answer is saved in the draft once the citizen leaves its box: a reload right after keeps it', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await page.evaluate(() => window.tk.restored);
  await page.fill('#tk1-full_name', 'Nguyễn Văn Bình');
  await page.keyboard.press('Tab');
  // A reload a moment later (before the pause after typing would have saved it).
  await page.waitForTimeout(60);
  await page.reload();
  await page.waitForFunction(() => window.tk);
  await page.evaluate(() => window.tk.restored);
  assert.equal(await page.inputValue('#tk1-full_name'), 'Nguyễn Văn Bình');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a filing over a reload is one filing: the draft carries its timing session, its login and the earlier visit\'s events', async () => {
  // The citizen logged in, began, and comes back under a new login: the filing is timed from the first.
  const [firstLogin, secondLogin] = [Date.now() - 60_000, Date.now() - 1_000];
  const { page, context, problems } = await open(env, `${HARNESS}?timings=1&loginAt=${firstLogin}`);
  const beacons = [];
  await page.route('**/collect-timings', (route) => {
    beacons.push(JSON.parse(route.request().postData()));
    return route.fulfill({ status: 202, body: '{}' });
  });
  const leave = () =>
    page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
  const beaconCount = async (n) => {
    while (beacons.length < n) await new Promise((ok) => setTimeout(ok, 20));
  };
  await page.evaluate(() => window.tk.restored);
  const saved = page.evaluate(() => new Promise((ok) => document.addEventListener('tokhai-draft', ok, { once: true })));
  await page.fill('#tk1-full_name', 'Nguyễn Văn Bình');
  await page.keyboard.press('Tab');
  await saved;
  await leave();
  await beaconCount(1);
  await page.goto(new URL(`${HARNESS}?timings=1&loginAt=${secondLogin}`, page.url()).href);
  // The page's load comes before the harness has mounted the form again.
  await page.waitForSelector('body[data-ready="true"]');
  await page.evaluate(() => window.tk.restored);
  await page.focus('#tk1-dob');
  const savedOnLeaving = page.evaluate(() => new Promise((ok) => document.addEventListener('tokhai-draft', ok, { once: true })));
  await leave();
  await beaconCount(2);
  const [first, second] = beacons;
  assert.equal(second.session_id, first.session_id, 'one filing');
  assert.equal(second.timeline.login_at, firstLogin, 'timed from the login it began under');
  // The first visit's leaving is in the draft: the time the page stayed closed counts for no step.
  const kinds = second.timeline.events.map((e) => e.type);
  assert.equal(kinds[kinds.lastIndexOf('start') - 1], 'hidden', kinds.join());
  // Leaving again saves the draft with its timeline, though no answer changed since the last save.
  await savedOnLeaving;
  const changed = (b) => b.timeline.events.filter((e) => e.type === 'change').map((e) => e.field);
  assert.deepEqual(changed(second), changed(first), "the first visit's answers are in the filing's timeline");
  assert.ok(second.timeline.events.length > first.timeline.events.length);
  // The handle's figures are the filing's too, the earlier visit included, as the collector's record is.
  const [timeline, timing] = await page.evaluate(() => [window.tk.timeline(), window.tk.timing()]);
  assert.deepEqual(timeline.events, second.timeline.events);
  assert.equal(timing.fields.find((f) => f.field === 'full_name')?.changes, 1);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a file chosen again in a box that takes several is not added twice, and a screen reader hears so', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await fillValid(page);
  for (const step of [1, 2, 3]) {
    await page.click(next);
    await page.waitForSelector(`#tk1-step-${step}:focus`);
  }
  // As a phone's camera gives them: every photo named image.jpg, told apart by its time.
  const choose = (files) =>
    page.evaluate((files) => {
      const input = document.querySelector('input[data-path="attachments"]');
      const list = new DataTransfer();
      for (const [name, lastModified] of files) list.items.add(new File(['%PDF-1.7'], name, { type: 'application/pdf', lastModified }));
      input.files = list.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }, files);
  const names = () => page.evaluate(() => (window.tk.values().attachments ?? []).map((f) => f.name));
  await choose([['image.pdf', 1]]);
  await choose([['image.pdf', 1]]);
  assert.deepEqual(await names(), ['image.pdf'], 'the same file once');
  assert.equal(await text(page, '.tk-notice'), 'Tệp image.pdf đã có trong danh sách, không thêm lần nữa.');
  await choose([['image.pdf', 1], ['image.pdf', 2]]);
  assert.deepEqual(await names(), ['image.pdf', 'image.pdf'], 'another photo of the same name is added');
  // Removed, it may be chosen again.
  await page.click('[data-path=attachments] [data-act=remove-file] >> nth=0');
  await choose([['image.pdf', 1]]);
  assert.deepEqual(await names(), ['image.pdf', 'image.pdf']);
  assert.deepEqual(problems, []);
  await context.close();
});

test("a file box speaks the form's language, shows the names chosen, and opens the chooser by click or keyboard", async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await fillValid(page);
  await page.click(next);
  await page.waitForSelector('#tk1-step-1:focus');
  await page.click(next);
  await page.waitForSelector('#tk1-step-2:focus');
  await page.click(next);
  await page.waitForSelector('#tk1-step-3:focus');
  // Chromium cancels a chooser that opens before Playwright intercepts it: listen from the start.
  let chosen = null;
  page.on('filechooser', (c) => chosen?.(c));
  const chooser = () => new Promise((ok) => { chosen = ok; });
  await page.evaluate(() => new Promise(requestAnimationFrame));
  const box = '[data-path=attachments] .tk-file-box';
  const seen = () => page.$eval(box, (b) => b.innerText.replace(/\s+/g, ' ').trim());
  assert.equal(await seen(), 'Chọn tệp Chưa chọn tệp');

  // A click on the form's button reaches the browser's input lying unseen over it.
  const button = await page.locator(`${box} .tk-file-button`).boundingBox();
  const [first] = await Promise.all([chooser(), page.mouse.click(button.x + button.width / 2, button.y + button.height / 2)]);
  assert.equal(first.isMultiple(), true);
  const pdf = (name) => ({ name, mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7') });
  await first.setFiles([pdf('hop-dong.pdf'), pdf('so-ho-khau.pdf')]);
  assert.equal(await seen(), 'Chọn thêm tệp hop-dong.pdf, so-ho-khau.pdf', 'the field takes more: a choice adds to these');
  // A screen reader hears the files chosen with the box: the browser's own words know only its last choice.
  const cdp = await context.newCDPSession(page);
  const described = async () => {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const box = nodes.filter((n) => n.role?.value === 'button' && /^(Giấy tờ|Proof)/.test(n.name?.value));
    return box.map((n) => n.description?.value);
  };
  assert.deepEqual(await described(), ['hop-dong.pdf, so-ho-khau.pdf Tệp PDF hoặc ảnh, mỗi tệp tối đa 5\u00a0MB, tối đa 3 tệp.']);
  await page.evaluate(() => window.tk.setLanguage('en'));
  assert.equal(await seen(), 'Choose more files hop-dong.pdf, so-ho-khau.pdf');
  const removers = () => page.$$eval('[data-path=attachments] [data-act=remove-file]', (bs) => bs.map((b) => b.textContent));
  assert.deepEqual(await removers(), ['Remove hop-dong.pdf (1\u00a0KB)', 'Remove so-ho-khau.pdf (1\u00a0KB)'], 'one button per file');
  await page.click('[data-path=attachments] [data-act=remove-file] >> nth=0');
  assert.equal(await seen(), 'Choose more files so-ho-khau.pdf');
  assert.equal(await text(page, '.tk-notice'), 'hop-dong.pdf (1\u00a0KB) removed.', 'which file went is said');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Remove so-ho-khau.pdf (1\u00a0KB)', 'focus on the next file');
  await page.keyboard.press('Enter');
  assert.equal(await seen(), 'Choose file No file chosen');
  assert.match((await described())[0], /^No file chosen /);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tk1-attachments', 'none left: focus on the box');
  await page.evaluate(() => window.tk.setLanguage('vi'));
  assert.equal(await seen(), 'Chọn tệp Chưa chọn tệp');

  // By keyboard: the box shows the focus of the input inside it, and Space opens the chooser.
  const outline = () => page.$eval(box, (b) => getComputedStyle(b).outlineStyle);
  await page.focus('#tk1-step-3');
  assert.equal(await outline(), 'none');
  await tabTo(page, '#tk1-attachments');
  assert.equal(await outline(), 'solid');
  const [again] = await Promise.all([chooser(), page.keyboard.press('Space')]);
  await again.setFiles([pdf('giay-to.pdf')]);
  assert.equal(await seen(), 'Chọn thêm tệp giay-to.pdf');
  // A phone's camera gives one photo at a time: each choice adds to the files, up to the field's three.
  const names = () => page.evaluate(() => window.tk.values().attachments.map((f) => f.name));
  const [third] = await Promise.all([chooser(), page.keyboard.press('Space')]);
  await third.setFiles([pdf('anh-1.pdf')]);
  assert.deepEqual(await names(), ['giay-to.pdf', 'anh-1.pdf']);
  const [fourth] = await Promise.all([chooser(), page.keyboard.press('Space')]);
  await fourth.setFiles([pdf('anh-2.pdf'), pdf('anh-3.pdf')]);
  assert.deepEqual(await names(), ['giay-to.pdf', 'anh-1.pdf', 'anh-2.pdf', 'anh-3.pdf']);
  assert.match(await text(page, '[data-path=attachments] .tk-error'), /tối đa 3 tệp/, 'one too many is said');
  await page.click('[data-path=attachments] [data-act=remove-file] >> nth=1');
  assert.deepEqual(await names(), ['giay-to.pdf', 'anh-2.pdf', 'anh-3.pdf']);
  assert.equal(await page.locator('[data-path=attachments] .tk-error:not([hidden])').count(), 0, 'mended by a removal');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a computed check box is read-only like a locked one: a click or Space leaves it as computed, and it looks it', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const seen = await page.evaluate(async () => {
    const { mount } = await import('/pkg/index.js');
    const def = await (await fetch('/fixtures/ct01-sample.json')).json();
    const identity = def.steps[0].sections[0].fields;
    identity.push({ id: 'is_adult', kind: 'checkbox', label: { vi: 'Đủ 18 tuổi', en: 'Aged 18 or over' }, compute: 'age_on(dob, today()) >= 18' });
    const host = document.body.appendChild(document.createElement('div'));
    const handle = await mount(host, def, { catalogs: '/catalogs/admin-units.json', drafts: false, today: '2026-11-23', prefill: { values: { dob: { value: '1989-03-15', source: 't', locked: false } } } });
    const box = host.querySelector('input[data-path="is_adult"]');
    box.click();
    box.focus();
    box.dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true, cancelable: true }));
    const out = { checked: box.checked, value: handle.values().is_adult, readonly: box.getAttribute('aria-readonly'), locked: box.hasAttribute('data-locked'), accent: getComputedStyle(box).accentColor };
    handle.destroy();
    return out;
  });
  assert.deepEqual(seen, { checked: true, value: true, readonly: 'true', locked: true, accent: 'rgb(74, 74, 74)' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a locked date is not described by how to type a date, in either language; an editable one is', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  /** The texts a box is read with (its aria-describedby). */
  const described = (selector) =>
    page.$eval(selector, (e) => (e.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent));
  const typing = /Nhập ngày\/tháng\/năm|Day\/month\/year/;
  assert.ok((await described('#tk1-dob')).some((t) => typing.test(t)), 'an editable date says how to type it');
  await page.evaluate(() => window.tk.prefill({ values: { dob: { value: '1989-03-15', source: 'population.dob', locked: true } } }));
  assert.equal(await page.getAttribute('#tk1-dob', 'readonly'), '');
  assert.ok(!(await described('#tk1-dob')).some((t) => typing.test(t)), (await described('#tk1-dob')).join(' | '));
  await page.click('.tk-lang');
  assert.ok(!(await described('#tk1-dob')).some((t) => typing.test(t)), (await described('#tk1-dob')).join(' | '));
  assert.ok((await described('#tk1-dob')).some((t) => t.includes('cannot be changed')), 'read with its provenance');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a locked radio set, list or check box stays reachable by Tab, says it is read-only, and keeps its value', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await page.evaluate(() => {
    const locked = (value) => ({ value, source: 'population', locked: true });
    return window.tk.prefill({
      values: {
        sex: locked('nu'), request_type: locked('thuong_tru'), commitment: locked(true),
        residence: locked({ province: '01', commune: '00004', street: 'Số 1 Tràng Tiền' }),
      },
    });
  });
  const state = () =>
    page.evaluate(() => {
      const all = (s) => [...document.querySelectorAll(s)];
      return {
        disabled: all('.tk [data-path]:disabled').map((e) => e.dataset.path),
        readonly: all('.tk [aria-readonly=true]').map((e) => e.dataset.path),
        values: (({ sex, request_type, commitment }) => ({ sex, request_type, commitment }))(window.tk.values()),
      };
    });
  const expected = {
    disabled: [],
    readonly: ['sex', 'request_type', 'residence.province', 'residence.commune', 'commitment'],
    values: { sex: 'nu', request_type: 'thuong_tru', commitment: true },
  };
  assert.deepEqual(await state(), expected);
  assert.equal(await page.getAttribute('[data-path=sex]', 'role'), 'radiogroup');
  // Each part of a locked address names the address's source in its description.
  for (const part of ['province', 'commune']) {
    assert.match(await page.getAttribute(`#tk1-residence_${part}`, 'aria-describedby'), /\btk1-residence-prov\b/);
  }
  // A locked box can still be focused: its edge keeps 3:1 against the white page (WCAG 1.4.11).
  const edge = await page.$eval('#tk1-residence_province', (e) => getComputedStyle(e).borderTopColor);
  const luminance = edge.match(/\d+/g).slice(0, 3).map((c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const ratio = 1.05 / (0.2126 * luminance[0] + 0.7152 * luminance[1] + 0.0722 * luminance[2] + 0.05);
  assert.ok(ratio >= 3, `the locked box's edge ${edge} has ${ratio.toFixed(2)}:1`);

  // Tab reaches the chosen radio button; arrows, Space and clicks change nothing.
  await page.focus('#tk1-dob');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'tk1-sex-1');
  for (const key of ['ArrowUp', 'ArrowDown', 'Space']) await page.keyboard.press(key);
  await page.click('label[for=tk1-sex-0]');
  await page.click('#tk1-sex-0');
  // A list changed past the guards (its own picker on a phone) shows its kept value again.
  await page.evaluate(() => {
    const list = document.getElementById('tk1-request_type');
    list.value = 'tam_tru';
    list.dispatchEvent(new Event('change', { bubbles: true }));
  });
  assert.equal(await page.inputValue('#tk1-request_type'), 'thuong_tru');
  assert.deepEqual(await state(), expected);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a refusal that gives no reason the widget can read is explained by its status, in the form\'s words', async () => {
  const { page, context } = await open(env, `${HARNESS}?action=1`);
  await fillValid(page);
  while ((await text(page, next)) !== 'Gửi tờ khai') await page.click(next);
  for (const [status, body, words] of [
    // As tokhai-server answers: its own short words give way to the form's, which say what to do.
    [401, '{"error":"login_required","message_vi":"Vui lòng đăng nhập.","message_en":"Please log in."}', 'Phiên đăng nhập đã hết hạn nên tờ khai chưa được gửi.'],
    [413, '<html><body>Request Entity Too Large</body></html>', 'Hồ sơ quá lớn để gửi.'],
    [400, '<html><body>Bad Request</body></html>', 'Cổng dịch vụ công chưa nhận tờ khai (mã lỗi 400).'],
  ]) {
    await page.unroute('**/api/submissions');
    await page.route('**/api/submissions', (route) => route.fulfill({ status, body }));
    await page.click(next);
    await page.waitForSelector('.tk-summary:not([hidden]):focus');
    assert.ok((await text(page, '.tk-summary-list')).startsWith(words), `${status}: ${await text(page, '.tk-summary-list')}`);
  }
  assert.equal(await page.isVisible('.tk-review'), true, 'the answers are still there to send');
  await context.close();
});

test('a filing left queued after its attempts is sent again while the page stays open', async () => {
  const retry = encodeURIComponent(JSON.stringify({ attempts: 2, baseMs: 10, capMs: 20, resendMs: 400 }));
  const { page, context, problems } = await open(env, `${HARNESS}?action=1&retry=${retry}`);
  await fillValid(page);
  while ((await text(page, next)) !== 'Gửi tờ khai') await page.click(next);
  let failing = true;
  let posts = 0;
  await page.route('**/api/submissions', (route) => {
    posts++;
    return failing ? route.fulfill({ status: 503, body: '' }) : route.continue();
  });
  const stored = env.server.submissions.length;
  await page.click(next);
  await page.waitForFunction(() => document.querySelector('.tk-filing-status').textContent.includes('sẽ tự động gửi lại sau ít phút'));
  assert.equal(posts, 2);
  failing = false;
  await page.waitForSelector('.tk-done:not([hidden])');
  assert.equal(posts, 3);
  assert.equal(env.server.submissions.length, stored + 1);
  assert.deepEqual(problems.filter((p) => !p.includes('503')), []);
  await context.close();
});

test('a filing the back end had received before the answers changed shows its receipt and what was received, not a refusal', async () => {
  const { page, context, problems } = await open(env, `${HARNESS}?action=1`);
  await fillValid(page);
  while ((await text(page, next)) !== 'Gửi tờ khai') await page.click(next);
  const filed = await page.evaluate(() => ({ ...window.tk.values(), phone: '+84987654321' }));
  // The answer tokhai-server gives a resend with changed values under the same key, from the same citizen.
  await page.route('**/api/submissions', (route) =>
    route.fulfill({
      status: 409,
      contentType: 'application/json',
      body: JSON.stringify({
        issues: [{ path: 'idempotency_key', code: 'submission.already_received', params: { id: 'HS20261205-0BFDB15EB1947448' } }],
        receipt: { id: 'HS20261205-0BFDB15EB1947448', received_at: Date.UTC(2026, 11, 5, 3, 0) },
        values: filed,
      }),
    }),
  );
  await page.click(next);
  await page.waitForSelector('.tk-done:not([hidden])');
  assert.equal(await text(page, '.tk-reference'), 'Mã hồ sơ: HS20261205-0BFDB15EB1947448');
  assert.ok((await text(page, '.tk-earlier')).startsWith('Hồ sơ này đã được tiếp nhận từ lần gửi trước'));
  const received = await text(page, '.tk-receipt-summary');
  assert.ok(received.includes('0987 654 321') && !received.includes('0912 345 678'), 'the phone received, not the one changed since');
  const [submitted] = await events(page, 'submitted');
  assert.equal(submitted.earlier, true);
  assert.equal((await events(page, 'refused')).length, 0);
  assert.deepEqual(problems.filter((p) => !p.includes('409')), []);
  await context.close();
});

test('the same form open in two tabs: both say so, and once one files it the other stops saving a draft', async () => {
  const { page, context, problems } = await open(env, `${HARNESS}?action=1`);
  const other = await context.newPage();
  await other.goto(`${env.server.url}${HARNESS}?action=1`);
  await other.waitForSelector('body[data-ready=true]');
  const status = (p) => p.textContent('.tk-status');
  for (const p of [page, other]) {
    await p.waitForFunction(() => document.querySelector('.tk-status').textContent !== '');
    assert.equal(
      await status(p),
      'Tờ khai này đang được mở ở một thẻ khác của trình duyệt. Để không mất thông tin, vui lòng chỉ khai ở một thẻ và đóng thẻ còn lại.',
    );
  }
  await fillValid(page);
  while ((await text(page, next)) !== 'Gửi tờ khai') await page.click(next);
  await page.click(next);
  await page.waitForSelector('.tk-done:not([hidden])');
  const reference = (await text(page, '.tk-reference')).replace('Mã hồ sơ: ', '');
  await other.waitForFunction(() => document.querySelector('.tk-status').textContent.includes('đã được gửi'));
  assert.equal(await status(other), `Tờ khai này đã được gửi từ một thẻ khác (mã hồ sơ ${reference}). Những gì nhập thêm ở đây không được lưu.`);

  // What the other tab types now is not kept as a draft: it would bring the filed form back later.
  await other.fill('#tk1-email', 'an@example.vn');
  await other.press('#tk1-email', 'Tab');
  await other.waitForTimeout(800);
  assert.equal(await readStore(other, 'drafts'), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a tab opened second keeps the warning once its draft is restored, and the warning goes once the other tab is closed', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  // (Listened for before the answer: the save may be done by the time the test would listen.)
  const saved = page.evaluate(() => new Promise((ok) => document.addEventListener('tokhai-draft', () => ok(true), { once: true })));
  await page.fill('#tk1-email', 'an@example.vn');
  await page.press('#tk1-email', 'Tab');
  await saved;
  const other = await context.newPage();
  await other.goto(`${env.server.url}${HARNESS}`);
  await other.waitForSelector('body[data-ready=true]');
  await other.evaluate(() => window.tk.restored);
  assert.equal(await other.inputValue('#tk1-email'), 'an@example.vn', 'the draft is restored');
  const warning = 'Tờ khai này đang được mở ở một thẻ khác của trình duyệt.';
  await other.waitForFunction((w) => document.querySelector('.tk-status').textContent.startsWith(w), warning);
  await page.waitForFunction((w) => document.querySelector('.tk-status').textContent.startsWith(w), warning);
  await other.close();
  await page.waitForFunction(() => document.querySelector('.tk-status').textContent === '');
  assert.deepEqual(problems, []);
  await context.close();
});

/**
 * A definition of one or more steps, each a list of fields (a form of its own for a test); mounted
 * beside the harness's form by `mountBeside`.
 */
const definitionOf = (id, ...steps) => ({
  tokhai: 1,
  id,
  version: '1',
  title: id,
  steps: steps.map((fields, i) => ({ id: `s${i}`, title: `Bước ${i + 1}`, sections: [{ id: `p${i}`, fields }] })),
});

/** Mounts `definition` in a new element `#<its id>` of the page; its handle is `window[<its id>]`. */
const mountBeside = (page, definition, options = {}) =>
  page.evaluate(
    async ({ definition, options }) => {
      const { mount } = await import('/pkg/index.js');
      const host = document.body.appendChild(document.createElement('div'));
      host.id = definition.id;
      window[definition.id] = await mount(host, definition, { drafts: false, history: false, ...options });
    },
    { definition, options },
  );

test('a press on Next is not lost when leaving the box above it shows an error that moves the button', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const fields = [
    { id: 'tax', kind: 'tax_code', label: 'Mã số thuế', required: true },
    { id: 'home', kind: 'address', label: 'Địa chỉ thường trú', required: true },
  ];
  await mountBeside(page, definitionOf('moved', fields, [{ id: 'note', kind: 'text', label: 'Ghi chú' }]), {
    catalogs: '/catalogs/admin-units.json',
  });
  await page.evaluate(() => {
    window.refusals = 0;
    window.moved.on('invalid', () => window.refusals++);
  });
  const next = '#moved .tk-nav button[type=submit]';
  await page.click(next);
  await typeInto(page, '#moved input[data-path="tax"]', '123');
  await typeInto(page, '#moved input[data-path="home.province"]', 'Hà Nội');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const top = () => page.$eval(next, (b) => b.getBoundingClientRect().top);
  const before = await top();
  // Pressed by mouse: leaving the commune's box shows its error, which pushes the button down under the pointer.
  await page.click(next);
  assert.notEqual(await top(), before, 'the button moved');
  assert.equal(await page.evaluate(() => window.refusals), 2, 'the second press was heard');
  assert.equal(await page.evaluate(() => document.activeElement.className), 'tk-summary');
  assert.deepEqual(problems, []);
  await context.close();
});

test('numbers read as each language writes them: 600.000.000 and 1,5 in Vietnamese, 600,000,000 and 1.5 in English', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const fields = [
    { id: 'capital', kind: 'number', label: { vi: 'Vốn (đồng)', en: 'Capital (dong)' } },
    { id: 'weight', kind: 'number', label: { vi: 'Khối lượng (tấn)', en: 'Weight (tonnes)' } },
    { id: 'year', kind: 'number', label: { vi: 'Năm', en: 'Year' } },
  ];
  await mountBeside(page, definitionOf('amounts', fields));
  for (const [path, typed, shown] of [['capital', '600000000', '600.000.000'], ['weight', '1,5', '1,5'], ['year', '1965', '1965']]) {
    await typeInto(page, `#amounts input[data-path="${path}"]`, typed);
    await page.keyboard.press('Tab');
    assert.equal(await page.inputValue(`#amounts input[data-path="${path}"]`), shown, `${typed} in its box`);
  }
  assert.deepEqual(await page.evaluate(() => window.amounts.values()), { capital: 600000000, weight: 1.5, year: 1965 });
  await page.click('#amounts .tk-nav button[type=submit]');
  const review = () => page.$$eval('#amounts .tk-review dd:not(.tk-answer-change)', (dds) => dds.map((d) => d.textContent.trim()));
  assert.deepEqual((await review()).slice(0, 3), ['600.000.000', '1,5', '1965']);
  await page.click('#amounts [data-act=lang]');
  assert.deepEqual((await review()).slice(0, 3), ['600,000,000', '1.5', '1965']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a warning on a total the form works out shows with the errors at the first Next, though the citizen never left its box', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const warning = { check: 'total <= 100', code: 'custom.high', message: { vi: 'Tổng thu nhập cao', en: 'A high income' }, warning: true };
  const fields = [
    { id: 'salary', kind: 'number', label: 'Lương' },
    { id: 'rent', kind: 'number', label: 'Cho thuê' },
    { id: 'total', kind: 'number', label: 'Tổng', compute: 'salary + rent', rules: [warning] },
    { id: 'note', kind: 'text', label: 'Ghi chú', required: true },
  ];
  await mountBeside(page, definitionOf('income', fields, [{ id: 'other', kind: 'text', label: 'Khác' }]));
  await typeInto(page, '#income input[data-path="salary"]', '90');
  await typeInto(page, '#income input[data-path="rent"]', '20');
  await page.click('#income .tk-nav button[type=submit]');
  await page.waitForSelector('#income .tk-summary:not([hidden])');
  assert.equal(await text(page, '#income [data-path="total"] .tk-warning-line'), 'Lưu ý: Tổng thu nhập cao');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a name the form wants in capitals is put in capitals as it is typed, not refused for want of them', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const id = await page.evaluate(async () => {
    const { mount } = await import('/pkg/index.js');
    const def = await (await fetch('/fixtures/ct01-sample.json')).json();
    def.steps[0].sections[0].fields.find((f) => f.id === 'full_name').uppercase = true;
    const host = document.createElement('div');
    document.body.append(host);
    window.upper = await mount(host, def, { catalogs: '/catalogs/admin-units.json', drafts: false });
    return host.querySelector('input[data-path=full_name]').id;
  });
  const box = `#${id}`;
  assert.equal(await page.getAttribute(box, 'autocapitalize'), 'characters', "a phone's keyboard types capitals");
  await page.click(box);
  await page.keyboard.type('nguyễn văn an');
  assert.equal(await page.$eval(box, (e) => getComputedStyle(e).textTransform), 'uppercase', 'shown in capitals as typed');
  await page.keyboard.press('Tab');
  assert.equal(await page.inputValue(box), 'NGUYỄN VĂN AN');
  assert.equal(await page.evaluate(() => window.upper.values().full_name), 'NGUYỄN VĂN AN');
  assert.equal(await page.getAttribute(box, 'aria-invalid'), null);
  // A bundle a host wrote in mixed case is shown as it is kept and sent: in capitals.
  await page.evaluate(() => window.upper.prefill({ values: { full_name: { value: 'Trần Thị Bình', source: 'population.full_name', locked: true } } }));
  assert.equal(await page.inputValue(box), 'TRẦN THỊ BÌNH');
  assert.equal(await page.evaluate(() => window.upper.values().full_name), 'TRẦN THỊ BÌNH');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a refusal that brings the national data the answers were checked against fills it in, locked, for the next submission', async () => {
  const { page, context, problems } = await open(env, `${HARNESS}?action=1`);
  await fillValid(page);
  while ((await text(page, next)) !== 'Gửi tờ khai') await page.click(next);
  // As tokhai-server answers a submission sent without a bundle whose locked values differ.
  const national = {
    format: 1,
    values: { full_name: { value: 'Nguyễn Văn Ân', source: 'population.full_name', locked: true } },
    signature: 'signed-by-the-portal',
  };
  const reason = { path: 'full_name', code: 'prefill.locked_changed', message_vi: 'Họ, chữ đệm và tên: thông tin này lấy từ Cơ sở dữ liệu quốc gia về dân cư và không được sửa.' };
  await page.route('**/api/submissions', (route) =>
    route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ issues: [reason], prefill: national }) }),
    { times: 1 },
  );
  await page.click(next);
  await page.waitForFunction(() => document.querySelector('.tk-status').textContent.includes('đã được điền vào tờ khai'));
  assert.equal(await page.inputValue('#tk1-full_name'), 'Nguyễn Văn Ân');
  assert.equal(await page.getAttribute('#tk1-full_name', 'readonly'), '');
  assert.ok((await text(page, '.tk-review')).includes('Nguyễn Văn Ân'), 'the review page shows it');
  assert.equal(await page.locator('.tk-summary').isHidden(), true, 'the reason about the value replaced is gone');
  // Focus was in the summary that went: it is on the review page's heading, not lost to the page.
  assert.equal(await page.evaluate(() => document.activeElement.className), 'tk-review-title');
  await page.click(next);
  await page.waitForSelector('.tk-done:not([hidden])');
  const sent = env.server.submissions.at(-1);
  assert.equal(sent.values.full_name, 'Nguyễn Văn Ân');
  assert.deepEqual(sent.prefill, national);
  assert.deepEqual(problems.filter((p) => !p.includes('422')), []);
  await context.close();
});

test("the back end's reason about a field goes once the citizen changes that field", async () => {
  const { page, context } = await open(env, `${HARNESS}?action=1`);
  await fillValid(page);
  while ((await text(page, next)) !== 'Gửi tờ khai') await page.click(next);
  const reason = { path: 'phone', code: 'phone.not_reachable', message_vi: 'Số điện thoại liên hệ: số này không nhận được tin nhắn' };
  await page.route('**/api/submissions', (route) =>
    route.fulfill({ status: 422, contentType: 'application/json', body: JSON.stringify({ issues: [reason] }) }),
    { times: 1 },
  );
  await page.click(next);
  await page.waitForSelector('.tk-summary:not([hidden])');
  await page.click('.tk-summary a[data-path=phone]');
  assert.ok((await text(page, '#tk1-phone-error')).includes('không nhận được tin nhắn'));
  await page.fill('#tk1-phone', '0987654321');
  await page.keyboard.press('Tab');
  assert.equal(await page.locator('#tk1-phone-error').isHidden(), true);
  assert.equal(await page.getAttribute('#tk1-phone', 'aria-invalid'), null);
  assert.equal(await page.locator('.tk-summary a[data-path=phone]').count(), 0);
  await context.close();
});

test('a file refused as chosen (its type) is said to screen readers, not only written under the label', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await fillValid(page);
  for (let i = 1; i <= 3; i++) {
    await page.click(next);
    await page.waitForSelector(`#tk1-step-${i}:focus`);
  }
  const line = '[data-path=attachments] .tk-upload';
  await page.setInputFiles('#tk1-attachments', { name: 'ghichu.txt', mimeType: 'text/plain', buffer: Buffer.from('x') });
  assert.equal(await page.getAttribute(line, 'role'), 'status');
  assert.equal(await text(page, line), 'Giấy tờ chứng minh chỗ ở hợp pháp: tệp ghichu.txt không đúng loại cho phép (PDF hoặc ảnh)');
  assert.equal(await page.getAttribute(line, 'class'), 'tk-hint tk-upload tk-vh', 'heard, not seen twice');
  await page.setInputFiles('#tk1-attachments', { name: 'hop-dong.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.7') });
  assert.equal(await text(page, line), '');
  // A refusal is said once: removing another file says that removal, not the refusal again.
  await page.setInputFiles('#tk1-attachments', { name: 'ghichu.txt', mimeType: 'text/plain', buffer: Buffer.from('x') });
  assert.match(await text(page, line), /ghichu\.txt không đúng loại/);
  await page.click('[data-path=attachments] .tk-file-remove button:first-child');
  assert.match(await text(page, '.tk-notice[role=status]'), /^Đã bỏ tệp hop-dong\.pdf/);
  assert.equal(await text(page, line), '', 'the refusal of ghichu.txt is not said again');
  assert.deepEqual(problems, []);
  await context.close();
});

test("a group's errors are listed row by row, as the page shows them; a full group says why it takes no more rows; a step done says so", async () => {
  const { page, context, problems } = await open(env, HARNESS);
  const people = {
    id: 'people', kind: 'group', label: 'Người cùng chuyển đến', min_rows: 1, max_rows: 2, fields: [
      { id: 'who', kind: 'text', label: 'Họ tên', required: true },
      { id: 'born', kind: 'text', label: 'Năm sinh', required: true },
    ],
  };
  await mountBeside(page, definitionOf('rows', [people], [{ id: 'note', kind: 'text', label: 'Ghi chú' }]));
  const full = '#rows .tk-rows-full';
  assert.equal(await page.isHidden(full), true, 'room for a row: the add button, no line');
  await page.click('#rows [data-act=add]');
  assert.equal(await text(page, '#rows .tk-notice[role=status]'), 'Đã thêm dòng 2. Đã đủ số dòng tối đa (2).');
  assert.equal(await page.isHidden('#rows [data-act=add]'), true);
  assert.equal(await text(page, full), 'Đã đủ số dòng tối đa (2).', 'where the button was, why it is gone');
  await page.click('#rows .tk-nav button[type=submit]');
  await page.waitForSelector('#rows .tk-summary:not([hidden])');
  const links = await page.$$eval('#rows .tk-summary a', (as) => as.map((a) => a.textContent.replace(/:.*/, '').trim()));
  assert.deepEqual(links, ['Họ tên, dòng 1', 'Năm sinh, dòng 1', 'Họ tên, dòng 2', 'Năm sinh, dòng 2']);
  // One row removed, the line goes and the button is back.
  await page.click('#rows .tk-row:nth-child(2) .tk-remove');
  assert.equal(await page.isHidden(full), true);
  assert.equal(await page.isVisible('#rows [data-act=add]'), true);
  // The progress is a group of steps, not a landmark without links; a step done says so, not by colour alone.
  await page.fill('#rows input[data-path="people[0].who"]', 'Trần Thị Bình');
  await page.fill('#rows input[data-path="people[0].born"]', '1990');
  await page.click('#rows .tk-nav button[type=submit]');
  await page.waitForSelector('#rows .tk-step:nth-child(2):not([hidden])');
  assert.equal(await page.getAttribute('#rows .tk-progress', 'role'), 'group');
  const steps = () => page.$$eval('#rows .tk-steps-list li', (lis) => lis.map((li) => li.textContent));
  assert.deepEqual(await steps(), ['Bước 1 (đã xong)', 'Bước 2']);
  await page.click('#rows [data-act=lang]');
  assert.deepEqual(await steps(), ['Bước 1 (done)', 'Bước 2']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a searchable list opened with the arrow key shows the matches of what is typed in it, not every option', async () => {
  const { page, context, problems } = await open(env, HARNESS);
  await typeInto(page, '#tk1-ethnicity', 'Kin');
  await page.waitForSelector('#tk1-ethnicity-list:not([hidden]) [role=option]');
  await page.keyboard.press('Escape');
  assert.equal(await page.isHidden('#tk1-ethnicity-list'), true);
  await page.keyboard.press('ArrowDown');
  const options = await page.$$eval('#tk1-ethnicity-list [role=option]', (os) => os.map((o) => o.textContent));
  assert.deepEqual(options, ['Kinh']);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('#tk1-ethnicity'), 'Kinh');
  assert.deepEqual(problems, []);
  await context.close();
});
