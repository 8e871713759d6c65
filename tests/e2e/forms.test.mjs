// Issue 7: the three real procedures (www/forms) filed end to end on the development portal, served
// by the real tokhai-server, by synthetic citizens with prefill; every conditional rule of each
// procedure exercised both ways, asserting what the citizen sees. The citizen's keyboard work is
// qa/citizen.mjs, shared with the QA runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SERVER_BINARY, usePortal } from './helpers.mjs';
import {
  CONTEXT_OPTIONS,
  Citizen,
  FORMS,
  addYears,
  chooseCitizens,
  control,
  dmy,
  field,
  file,
  fillStep,
  historyRows,
  isMinor,
  isoDate,
  LOCKED,
  login,
  openForm,
  periodRow,
  prefilled,
  shownDate,
  today,
} from '../../qa/citizen.mjs';

const CT01 = FORMS.ct01;
const BIRTH = FORMS['birth-registration'];
const JUDICIAL = FORMS['judicial-record'];
const env = usePortal();

/** The words of the provenance note of a prefilled field. */
const FROM_NATIONAL_DATA = 'Lấy từ Cơ sở dữ liệu quốc gia về dân cư';
const LOCKED_NOTE = `${FROM_NATIONAL_DATA} (không sửa được)`;

/** Opens a form on the portal in a fresh browser, logged in as `citizen` (or not logged in). */
async function session(t, form, citizen) {
  if (!env.portal) {
    t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
    return {};
  }
  const context = await env.browser.newContext(CONTEXT_OPTIONS);
  const errors = [];
  context.on('weberror', (e) => errors.push(e.error().message));
  t.after(async () => {
    await context.close();
    assert.deepEqual(errors, [], 'no error in the page');
  });
  if (citizen) await login(context, env.portal.url, citizen.pin);
  const page = await openForm(context, env.portal.url, form);
  return { context, page, c: new Citizen(page) };
}

/** Citizens suited to a form (the first ones of the registry), or none when the portal is missing. */
function citizens(form, count = 1, options = {}) {
  return env.portal ? chooseCitizens(env.portal.url, form, count, options) : [];
}

/** The provenance note beside a field. */
const note = (page, path) => page.locator(`${field(path)} .tk-prov`).first().textContent();

/** Titles of the sections the citizen sees on the current step. */
const sections = (page) =>
  page.$$eval('tokhai-form .tk-step:not([hidden]) .tk-section:not([hidden]) .tk-section-title', (hs) => hs.map((h) => h.textContent.trim()));

/** Whether a field is on screen (its step shown and the field not hidden by a condition). */
const shown = (page, path) => page.isVisible(field(path));

/** The inline error under a field, or '' when none. */
const inlineError = (page, path) =>
  page.$eval(field(path), (f) => [...f.querySelectorAll(':scope > .tk-error:not([hidden])')].map((e) => e.textContent).join(' '));

/** Every error message the citizen sees: the summary's entries and the lines under fields. */
const seenErrors = (page) =>
  page.$$eval('tokhai-form :is(.tk-summary:not([hidden]) li, .tk-error:not([hidden]) .tk-error-line)', (es) => [
    ...new Set(es.map((e) => (e.matches('li') ? e.textContent : e.lastElementChild.textContent).trim())),
  ]);

/** Asserts that a field shows a prefilled value locked: read-only and noted as from national data. */
async function assertLocked(page, path, value) {
  if (value !== undefined) assert.equal(await page.inputValue(control(path)), value, `${path} shows the national data`);
  assert.ok(await page.$eval(control(path), (e, locked) => e.matches(locked), LOCKED), `${path} cannot be edited`);
  assert.equal(await note(page, path), LOCKED_NOTE, `${path} names its source`);
}

/** Asserts the confirmation the citizen sees, and that the portal holds the dossier. */
async function assertReceipt(page, context, form, reference) {
  assert.equal(await page.textContent('tokhai-form .tk-done-title'), 'Đã gửi tờ khai');
  assert.equal(await page.textContent('tokhai-form .tk-reference'), `Mã hồ sơ: ${reference}`);
  const stored = await context.request.get(`${env.portal.url}/api/submissions/${reference}`);
  assert.equal(stored.status(), 200, 'the intake stored the dossier');
  assert.equal((await stored.json()).receipt.form_id, form.id);
}

// ----- CT01 -----

test('CT01 is filed end to end: prefill locked with its source, the authority searched without diacritics, members as a repeat group', async (t) => {
  const [citizen] = await citizens(CT01, 1, { suits: (c) => c.housemates.length > 0 && Boolean(prefilled(c, 'phone')) });
  const { page, context, c } = await session(t, CT01, citizen);
  if (!page) return;

  for (const path of ['full_name', 'pin', 'head_name', 'head_pin']) await assertLocked(page, path, prefilled(citizen, path));
  await assertLocked(page, 'dob', shownDate(prefilled(citizen, 'dob')));
  assert.equal(await c.value('current_address.street'), prefilled(citizen, 'current_address').street);
  assert.ok(await page.$eval(control('current_address.street'), (e) => e.readOnly), 'the residence is locked');
  assert.equal(await note(page, 'current_address'), LOCKED_NOTE);
  assert.ok(await c.locked('sex'), 'sex is locked');
  assert.ok(await page.isChecked(`${control('sex')}[value="${prefilled(citizen, 'sex')}"]`));
  assert.equal(await note(page, 'phone'), FROM_NATIONAL_DATA, 'the phone is prefilled, not locked');
  assert.ok(await page.isEditable(control('phone')));
  const phone = prefilled(citizen, 'phone');
  assert.match(phone, /^\+84\d{9}$/, 'the registry keeps E.164');
  assert.equal(await c.value('phone'), `0${phone.slice(3, 6)} ${phone.slice(6, 9)} ${phone.slice(9)}`, 'shown in the national form');
  await c.reach(control('full_name'));
  await c.keys('X');
  assert.equal(await c.value('full_name'), prefilled(citizen, 'full_name'), 'typing does not change a locked value');
  assert.ok(await page.isDisabled(control('authority_commune')), 'the commune waits for its province');

  await fillStep(c, CT01, citizen, 'declarant');
  assert.equal(await c.value('authority_province'), 'Thành phố Hà Nội');
  assert.equal(await c.value('authority_commune'), 'Phường Ba Đình', '"ba dinh" found Phường Ba Đình');
  await fillStep(c, CT01, citizen, 'request');

  // Members changing together: rows are added and removed, each row checked on its own.
  assert.equal(await c.screen(), 'Thành viên cùng thay đổi');
  const housemate = citizen.housemates[0];
  await c.addRow('members');
  await c.addRow('members');
  assert.deepEqual(await page.$$eval('tokhai-form [data-path="members"] .tk-row-legend', (ls) => ls.map((l) => l.textContent)), ['Thành viên 1', 'Thành viên 2']);
  // A PIN outside the household (born 1985, as its digits say) is the citizen's to complete, and checked.
  await c.memberPin('members[1].m_pin', '001085123456');
  await c.type('members[1].m_dob', '15/06/1900');
  const errors = await c.next();
  assert.ok(errors.includes('Số định danh cá nhân, thành viên 1: vui lòng nhập thông tin'), errors.join(' | '));
  assert.ok(
    errors.includes('Số định danh cá nhân, thành viên 2: năm sinh trong số định danh (1985) khác năm sinh đã khai (1900)'),
    errors.join(' | '),
  );
  await c.removeRow('members', 1);
  assert.equal(await page.locator('tokhai-form [data-path="members"] .tk-row').count(), 1, '"Xóa thành viên 2" removed the row');
  await fillStep(c, CT01, citizen, 'members_step');
  assert.deepEqual(await sections(page), ['Cam đoan'], 'an owner needs no consent');
  await fillStep(c, CT01, citizen, 'consents');

  const review = await page.textContent('tokhai-form .tk-review');
  for (const seen of [prefilled(citizen, 'full_name'), housemate.full_name, 'Số 12 phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội']) {
    assert.ok(review.includes(seen), `the review shows ${seen}`);
  }
  const { reference, submission } = await c.submit();
  await assertReceipt(page, context, CT01, reference);
  const v = submission.values;
  assert.equal(v.full_name, prefilled(citizen, 'full_name'));
  assert.equal(v.authority_commune, '00004');
  assert.deepEqual(v.new_address, { province: '01', commune: '00004', street: 'Số 12 phố Đội Cấn' });
  assert.equal(v.members.length, 1);
  assert.equal(v.members[0].m_pin, housemate.pin);
  assert.equal(v.members[0].m_dob.slice(0, 4), String(housemate.birth_year), 'the housemate as national data has them');
  assert.deepEqual(submission.row_prefills?.map((b) => b.row.member), [housemate.pin], "the housemate's signed row goes too");
  assert.equal(v.is_minor, false);
  assert.equal(submission.prefill?.values?.full_name?.locked, true, 'the signed bundle goes with the submission');
});

test('CT01: the commune list is searchable without diacritics and within the chosen province', async (t) => {
  const [citizen] = await citizens(CT01);
  const { page, c } = await session(t, CT01, citizen);
  if (!page) return;
  await c.pick('authority_province', 'ha noi', 'Thành phố Hà Nội');
  for (const query of ['ba dinh', 'Ba Đình', 'BA DINH', 'phuong ba dinh']) {
    await c.pick('authority_commune', query, 'Phường Ba Đình');
    assert.equal(await c.value('authority_commune'), 'Phường Ba Đình', query);
  }
  // The count of matches is said once typing pauses.
  const count = page.locator(`${field('authority_commune')} [role=status]`);
  await c.type('authority_commune', 'ba dinh');
  await count.filter({ hasText: /^\d+ kết quả$/ }).waitFor();
  await c.pick('authority_province', 'hai phong', 'Thành phố Hải Phòng');
  await c.type('authority_commune', 'ba dinh');
  await count.filter({ hasText: /kết quả$|Không tìm thấy/ }).waitFor();
  const status = await count.textContent();
  const listed = await page.$$eval(`${field('authority_commune')} [role=option]`, (os) => os.map((o) => o.textContent));
  assert.ok(!listed.includes('Phường Ba Đình'), 'Ba Đình is not a commune of Hải Phòng');
  assert.ok(status === 'Không tìm thấy' || /kết quả$/.test(status), status);
});

/** A date `n` days from today, as dd/mm/yyyy. */
function inDays(n) {
  const t = today();
  const d = new Date(Date.UTC(t.y, t.m - 1, t.d + n));
  return dmy({ y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() });
}

test('CT01: the phone, the address, the lawful residence and the end of a temporary stay are asked only when they apply', async (t) => {
  const [citizen] = await citizens(CT01, 1, { suits: (c) => Boolean(prefilled(c, 'phone') && !prefilled(c, 'email')) });
  const { page, c } = await session(t, CT01, citizen);
  if (!page) return;
  await c.pick('authority_province', 'ha noi', 'Thành phố Hà Nội');
  await c.pick('authority_commune', 'ba dinh', 'Phường Ba Đình');
  await c.type('phone', '');
  await c.press('Backspace');
  let errors = await c.next();
  assert.ok(errors.includes('Số điện thoại liên hệ: vui lòng nhập thông tin'), 'no e-mail: the phone is required');
  await c.type('email', 'cong.dan@example.vn');
  assert.deepEqual(await c.next(), [], 'an e-mail instead of the phone');

  const asked = async () => Object.fromEntries(
    await Promise.all(['new_address', 'housing', 'stay_until'].map(async (p) => [p, await shown(page, p)])),
  );
  await c.choose('request_type', 'thuong_tru');
  assert.deepEqual(await asked(), { new_address: true, housing: true, stay_until: false }, 'permanent residence');
  await c.choose('request_type', 'tam_tru');
  assert.deepEqual(await asked(), { new_address: true, housing: true, stay_until: true }, 'temporary residence');
  await c.choose('request_type', 'tach_ho');
  assert.deepEqual(await asked(), { new_address: true, housing: false, stay_until: false }, 'household split');
  await c.choose('request_type', 'dieu_chinh');
  assert.deepEqual(await asked(), { new_address: false, housing: false, stay_until: false }, 'correction');
  await c.choose('request_type', 'xoa_dang_ky');
  assert.deepEqual(await asked(), { new_address: false, housing: false, stay_until: false }, 'deregistration');
  await c.choose('request_type', 'tam_tru');
  errors = await c.next();
  assert.ok(errors.includes('Tạm trú đến ngày: vui lòng nhập thông tin'), errors.join(' | '));
  await c.type('stay_until', inDays(0));
  await c.reach(control('housing'));
  assert.match(await inlineError(page, 'stay_until'), new RegExp(`Tạm trú đến ngày: không được trước ngày ${inDays(1)}`));
  await c.type('stay_until', inDays(90));
  await c.reach(control('housing'));
  assert.equal(await inlineError(page, 'stay_until'), '', 'a stay of three months is accepted');
});

test('CT01: the application goes to the police of the commune registered in, not of another', async (t) => {
  const [citizen] = await citizens(CT01);
  const { page, c } = await session(t, CT01, citizen);
  if (!page) return;
  await c.pick('authority_province', 'ninh binh', 'Tỉnh Ninh Bình');
  await c.pick('authority_commune', 'vinh tru', 'Xã Vĩnh Trụ');
  await c.typeIfEmpty('phone', '0912345678');
  assert.deepEqual(await c.next(), []);
  await c.choose('request_type', 'tam_tru');
  await c.address('new_address', { province: ['ha noi', 'Thành phố Hà Nội'], commune: ['hoan kiem', 'Phường Hoàn Kiếm'], street: 'Số 12 phố Hàng Bạc' });
  await c.type('stay_until', inDays(90));
  await c.choose('housing', 'so_huu');
  await c.type('request_detail', 'Đăng ký tạm trú.');
  const wrong = 'Hồ sơ gửi Công an xã, phường, đặc khu nơi bạn đề nghị đăng ký: chọn công an của xã, phường trong “Địa chỉ đề nghị đăng ký”';
  assert.deepEqual(await c.next(), [wrong]);
  assert.equal(await c.screen(), 'Người khai', 'back where the authority is chosen');
  await c.pick('authority_province', 'ha noi', 'Thành phố Hà Nội');
  // The commune the province emptied is not listed as an error before the citizen leaves it.
  assert.doesNotMatch(await page.textContent('tokhai-form .tk-summary'), /vui lòng chọn/);
  await c.pick('authority_commune', 'hoan kiem', 'Phường Hoàn Kiếm');
  assert.deepEqual(await c.next(), []);
  assert.equal(await c.screen(), 'Nội dung đề nghị', 'and straight back to the request');
  // A correction goes where the citizen lives: no address to register, no such rule.
  await c.choose('request_type', 'dieu_chinh');
  assert.deepEqual(await c.next(), []);
});

test('CT01: the consents of the head of household and of the owner are asked only when the residence needs them', async (t) => {
  const [citizen] = await citizens(CT01);
  const { page, context, c } = await session(t, CT01, citizen);
  if (!page) return;
  await fillStep(c, CT01, citizen, 'declarant');
  await fillStep(c, CT01, citizen, 'request');
  await fillStep(c, CT01, citizen, 'members_step', async () => {});

  /**
   * From the consents step, goes back to the request, changes it, and returns to the consents step: at
   * once, past the members' step, complete (the furthest step reached).
   */
  const consentsAfter = async (change) => {
    await c.back();
    await c.back();
    assert.equal(await c.screen(), 'Nội dung đề nghị');
    await change();
    assert.deepEqual(await c.next(), []);
    assert.equal(await c.screen(), 'Ý kiến đồng ý');
    return sections(page);
  };
  assert.deepEqual(await sections(page), ['Cam đoan'], 'own residence: no consent');
  const head = 'Ý kiến của chủ hộ';
  const owner = 'Ý kiến của chủ sở hữu chỗ ở hợp pháp';
  assert.deepEqual(await consentsAfter(() => c.choose('housing', 'thue_muon')), [owner, 'Cam đoan'], 'rented');
  assert.deepEqual(await consentsAfter(() => c.choose('housing', 'co_so_ton_giao')), [owner, 'Cam đoan'], 'religious establishment');
  assert.deepEqual(
    await consentsAfter(async () => {
      await c.choose('request_type', 'tach_ho');
      assert.equal(await shown(page, 'housing'), false, 'splitting a household asks no lawful residence');
      assert.equal(await shown(page, 'new_address'), true);
    }),
    ['Cam đoan'],
    'household split',
  );
  assert.deepEqual(
    await consentsAfter(async () => {
      await c.choose('request_type', 'thuong_tru');
      await c.choose('housing', 'nguoi_than');
    }),
    [head, 'Cam đoan'],
    "joining a relative's household",
  );
  await c.check('declaration');
  const errors = await c.next();
  for (const label of ['Họ và tên chủ hộ nơi đến', 'Số định danh cá nhân của chủ hộ nơi đến']) {
    assert.ok(errors.includes(`${label}: vui lòng nhập thông tin`), errors.join(' | '));
  }
  const host = citizen.housemates[0] ?? citizen;
  await c.type('host_head_name', host.full_name);
  await c.type('host_head_pin', host.pin);
  await c.check('head_consent');
  assert.deepEqual(await c.next(), []);
  const { reference, submission } = await c.submit();
  await assertReceipt(page, context, CT01, reference);
  assert.equal(submission.values.head_consent, true);
  assert.equal(submission.values.owner_name, undefined, 'a hidden consent is not submitted');
});

test('CT01: "Sửa" on the review page returns there past the steps still complete, or to the step a change made incomplete', async (t) => {
  const [citizen] = await citizens(CT01, 1, { suits: (c) => c.housemates.length > 0 && Boolean(prefilled(c, 'phone')) });
  const { page, c } = await session(t, CT01, citizen);
  if (!page) return;
  for (const id of Object.keys(CT01.steps)) await fillStep(c, CT01, citizen, id);
  const REVIEW = 'Kiểm tra lại thông tin trước khi gửi';
  assert.equal(await c.screen(), REVIEW);
  // Each answer's "Sửa" goes to its question, on its step.
  const change = async (id) => {
    await c.reach(`tokhai-form [data-act=edit][data-path="${id}"]`);
    await c.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.dataset.path), id, 'focus on the question');
  };

  // What national data filled and locked cannot be changed here, so it has no "Sửa"; the rest each has one.
  const changes = await page.$$eval('tokhai-form .tk-review [data-act=edit]', (bs) => bs.map((b) => b.dataset.path));
  assert.ok(changes.includes('phone') && changes.includes('housing'), `${changes}`);
  assert.ok(!changes.includes('full_name') && !changes.includes('pin'), `${changes}`);
  assert.equal(await page.locator('tokhai-form .tk-review [data-path=full_name] [data-locked=true], tokhai-form [data-path=full_name] .tk-prov[data-locked=true]').count(), 1);

  // A rented home now needs the owner's consent: "Tiếp tục" goes to it, past the members' step. The
  // button says where it goes: back to the review while nothing further on is missing.
  const button = () => page.textContent('tokhai-form .tk-nav button[type=submit]');
  await change('housing');
  assert.equal(await c.screen(), 'Nội dung đề nghị');
  assert.equal(await button(), 'Kiểm tra lại tờ khai');
  await c.choose('housing', 'thue_muon');
  assert.equal(await button(), 'Tiếp tục');
  assert.deepEqual(await c.next(), []);
  assert.equal(await c.screen(), 'Ý kiến đồng ý');
  assert.equal(await page.textContent('tokhai-form .tk-notice'), 'Câu trả lời vừa sửa cần thêm thông tin ở bước này.');
  const owner = citizen.housemates[0];
  await c.type('owner_name', owner.full_name);
  await c.type('owner_pin', owner.pin);
  await c.check('owner_consent');
  assert.deepEqual(await c.next(), []);
  assert.equal(await c.screen(), REVIEW);

  // A new phone number asks nothing new: straight back to the review page, which shows it, focus on its "Sửa".
  await change('phone');
  assert.equal(await c.screen(), 'Người khai');
  await c.type('phone', '0987654321');
  assert.deepEqual(await c.next(), []);
  assert.equal(await c.screen(), REVIEW);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Sửa: Số điện thoại liên hệ');
  // The members' "Sửa" goes to the first box of their first row.
  await page.click('tokhai-form [data-act=edit][data-path=members]');
  assert.match(await page.evaluate(() => document.activeElement.dataset.path), /^members\b.*m_pin$/);
  const review = await page.textContent('tokhai-form .tk-review');
  assert.ok(review.includes('0987 654 321') && review.includes(owner.full_name), 'the review shows both changes');
});

test('CT01: a minor declarant needs the consent of a parent or guardian, whose name and number national data gives (an adult never sees it: see above)', async (t) => {
  const minorWithParents = (c) => Boolean(prefilled(c, 'dob') && prefilled(c, 'father_pin') && prefilled(c, 'mother_pin')) && isMinor(c);
  const [minor] = await citizens(CT01, 1, { ages: [15, 16], suits: minorWithParents });
  const { page, context, c } = await session(t, CT01, minor);
  if (!page) return;
  const guardian = 'Ý kiến của cha, mẹ hoặc người giám hộ';
  await fillStep(c, CT01, minor, 'declarant');
  await fillStep(c, CT01, minor, 'request');
  await fillStep(c, CT01, minor, 'members_step', async () => {});
  assert.deepEqual(await sections(page), [guardian, 'Cam đoan']);
  await c.check('declaration');
  const errors = await c.next();
  assert.ok(errors.includes('Người đồng ý: vui lòng chọn'), errors.join(' | '));
  const people = ['father_name', 'father_pin', 'mother_name', 'mother_pin', 'guardian_name', 'guardian_pin'];
  const onScreen = async () => (await Promise.all(people.map(async (p) => ((await shown(page, p)) ? p : null)))).filter(Boolean);
  assert.deepEqual(await onScreen(), []);
  // A parent: their name and number come from the minor's national record, locked.
  await c.choose('guardian_is', 'me');
  assert.deepEqual(await onScreen(), ['mother_name', 'mother_pin']);
  await assertLocked(page, 'mother_name', prefilled(minor, 'mother_name'));
  await assertLocked(page, 'mother_pin', prefilled(minor, 'mother_pin'));
  // Another guardian is typed.
  await c.choose('guardian_is', 'khac');
  assert.deepEqual(await onScreen(), ['guardian_name', 'guardian_pin']);
  assert.equal(await page.inputValue(control('guardian_name')), '');
  await c.choose('guardian_is', 'cha');
  assert.deepEqual(await onScreen(), ['father_name', 'father_pin']);
  await assertLocked(page, 'father_pin', prefilled(minor, 'father_pin'));
  await c.check('guardian_consent');
  assert.deepEqual(await c.next(), []);
  const { reference, submission } = await c.submit();
  await assertReceipt(page, context, CT01, reference);
  const { values } = submission;
  assert.equal(values.is_minor, true);
  assert.equal(values.guardian_is, 'cha');
  assert.equal(values.father_name, prefilled(minor, 'father_name'));
  assert.equal(values.father_pin, prefilled(minor, 'father_pin'));
  assert.equal(values.guardian_consent, true);
  for (const hidden of ['mother_name', 'mother_pin', 'guardian_name', 'guardian_pin']) assert.equal(values[hidden], undefined, hidden);
});

test('CT01 by a citizen whose national record gives only the year of birth: the year alone is shown, locked, and the filing is received', async (t) => {
  const yearAlone = (c) => /^\d{4}$/.test(prefilled(c, 'dob') ?? '');
  const [elder] = await citizens(CT01, 1, { ages: [60, 90], suits: yearAlone });
  const { page, context, c } = await session(t, CT01, elder);
  if (!page) return;
  const year = prefilled(elder, 'dob');
  assert.equal(year, String(elder.birth_year));
  await assertLocked(page, 'dob', year);
  assert.equal(await page.$eval(control('dob'), (e) => e.getAttribute('aria-invalid')), null, 'a year alone is no error');
  const { reference, submission } = await file(c, CT01, elder);
  await assertReceipt(page, context, CT01, reference);
  assert.equal(submission.values.dob, year, 'the year goes as national data has it, and the server accepts it');
  assert.equal(submission.values.is_minor, false, 'an age from a year alone is unknown: no minor is claimed');
});

// ----- Birth registration -----

test('Birth registration is filed end to end by a married parent: the child in capitals, the date also in words, ethnicity and hometown from a parent', async (t) => {
  const [parent] = await citizens(BIRTH);
  const { page, context, c } = await session(t, BIRTH, parent);
  if (!page) return;
  await assertLocked(page, 'req_name', prefilled(parent, 'req_name'));
  await assertLocked(page, 'req_pin', prefilled(parent, 'req_pin'));
  assert.equal(await shown(page, 'req_dob'), false, 'with a PIN, no date of birth is asked');
  assert.equal(await shown(page, 'req_residence'), false, 'with a PIN, no residence is asked');
  for (const path of ['mother_name', 'mother_ethnicity', 'father_name', 'father_hometown']) {
    assert.equal(await c.value(path), prefilled(parent, path), `${path} from the marriage record`);
    assert.equal(await note(page, path), FROM_NATIONAL_DATA, `${path} names its source`);
    assert.ok(await page.isEditable(control(path)), `${path} can be corrected`);
  }
  await fillStep(c, BIRTH, parent, 'requester_step');

  await c.type('child_name', 'lê minh anh');
  await c.reach(control('child_dob'));
  assert.equal(await c.value('child_name'), 'LÊ MINH ANH', 'typed in lower case, put in capitals');
  assert.equal(await inlineError(page, 'child_name'), '', 'not refused for want of capitals');
  await BIRTH.steps.child_step(c, parent);
  assert.equal(await inlineError(page, 'child_name'), '', 'capitals with diacritics are accepted');
  assert.equal(await c.value('child_dob_words'), 'Ngày hai mươi lăm tháng ba năm hai nghìn không trăm hai mươi lăm');
  assert.ok(await page.$eval(control('child_dob_words'), (e) => e.readOnly), 'the date in words is computed');
  assert.equal(await c.value('child_ethnicity'), prefilled(parent, 'father_ethnicity'), "the father's ethnicity");
  assert.equal(await c.value('child_hometown'), prefilled(parent, 'father_hometown'), "the father's hometown");
  await c.choose('ethnicity_from', 'me');
  await c.choose('hometown_from', 'me');
  assert.equal(await c.value('child_ethnicity'), prefilled(parent, 'mother_ethnicity'), "the mother's ethnicity");
  assert.equal(await c.value('child_hometown'), prefilled(parent, 'mother_hometown'), "the mother's hometown");
  assert.deepEqual(await c.next(), []);
  await fillStep(c, BIRTH, parent, 'parents_step');
  await fillStep(c, BIRTH, parent, 'copies_step');

  const { reference, submission } = await c.submit();
  await assertReceipt(page, context, BIRTH, reference);
  const v = submission.values;
  const surname = prefilled(parent, 'father_name').split(' ')[0].toLocaleUpperCase('vi');
  assert.equal(v.child_name, `${surname} MINH ANH`.normalize('NFC'));
  assert.equal(v.child_dob, '2025-03-25');
  assert.equal(v.child_dob_words, 'Ngày hai mươi lăm tháng ba năm hai nghìn không trăm hai mươi lăm');
  assert.equal(v.child_ethnicity, prefilled(parent, 'mother_ethnicity'));
  assert.equal(v.child_hometown, prefilled(parent, 'mother_hometown'));
  assert.equal(v.mother_name, prefilled(parent, 'mother_name'));
  assert.equal(v.req_dob, undefined, 'no date of birth with a PIN');
});

test("Birth registration: without a PIN the requester's date of birth and residence are asked for and required", async (t) => {
  const { page, c } = await session(t, BIRTH, null);
  if (!page) return;
  assert.equal(await c.value('req_pin'), '', 'not logged in: nothing prefilled');
  assert.ok(await page.isEditable(control('req_pin')));
  for (const path of ['req_dob', 'req_residence']) {
    assert.equal(await shown(page, path), true, `${path} is asked`);
    assert.ok(await page.isVisible(`${field(path)} .tk-req`), `${path} is marked required`);
  }
  await c.type('req_name', 'Phạm Thị Hoa');
  await c.choose('req_relationship', 'me');
  let errors = await c.next();
  assert.ok(errors.includes('Ngày, tháng, năm sinh: vui lòng nhập thông tin'), errors.join(' | '));
  assert.ok(errors.some((e) => e.startsWith('Nơi cư trú')), errors.join(' | '));

  await c.type('req_pin', '001189012345');
  await c.reach(`${control('req_relationship')}[value="me"]`);
  assert.equal(await shown(page, 'req_dob'), false, 'a PIN stands for the date of birth');
  assert.equal(await shown(page, 'req_residence'), false, 'a PIN stands for the residence');
  errors = await c.next();
  assert.deepEqual(errors, [], 'with a PIN the step is complete');
  await c.back();
  await c.type('req_pin', '');
  await c.press('Backspace');
  await c.reach(`${control('req_relationship')}[value="me"]`);
  assert.equal(await shown(page, 'req_dob'), true, 'the PIN removed, the date of birth is asked again');
  assert.equal(await shown(page, 'req_residence'), true);
});

test("Birth registration: the requester's relationship to the child agrees with national data: the mother's PIN is the mother, the father's is the father, established", async (t) => {
  const [father] = await citizens(BIRTH, 1, { suits: (c) => c.sex === 'nam' && BIRTH.suits(c) });
  const { page, c } = await session(t, BIRTH, father);
  if (!page) return;
  await c.choose('req_relationship', 'me');
  assert.deepEqual(await c.next(), ['Số định danh của bạn là của cha trẻ: quan hệ với người được khai sinh là “Cha”']);
  await c.choose('req_relationship', 'cha');
  assert.deepEqual(await c.next(), []);
  await fillStep(c, BIRTH, father, 'child_step');
  await c.check('father_unknown');
  // Said at once, where the tick is, first; then what the child was to follow from the father.
  assert.deepEqual(await c.next(), [
    'Chưa xác định được cha: Bạn khai là cha của trẻ nên cha đã xác định được',
    'Chưa xác định được cha: dân tộc của trẻ theo dân tộc của mẹ',
    'Chưa xác định được cha: quê quán của trẻ theo quê quán của mẹ',
  ]);
  assert.equal(await c.screen(), 'Cha, mẹ', 'the citizen stays where the answer at fault is');

  const [mother] = await citizens(BIRTH, 1, { suits: (c) => c.sex === 'nu' && BIRTH.suits(c) });
  const other = await session(t, BIRTH, mother);
  await other.c.choose('req_relationship', 'cha');
  assert.deepEqual(await other.c.next(), ['Số định danh của bạn là của mẹ trẻ: quan hệ với người được khai sinh là “Mẹ”']);
});

test('Birth registration: when the father is not established, ethnicity and hometown follow the mother', async (t) => {
  // The mother files: a requester who is the child's father has the father established.
  const [parent] = await citizens(BIRTH, 1, { suits: (c) => c.sex === 'nu' && BIRTH.suits(c) });
  const { page, context, c } = await session(t, BIRTH, parent);
  if (!page) return;
  await fillStep(c, BIRTH, parent, 'requester_step');
  await fillStep(c, BIRTH, parent, 'child_step');
  assert.equal(await shown(page, 'father_name'), true);
  await c.check('father_unknown');
  for (const path of ['father_name', 'father_pin', 'father_birth_year', 'father_ethnicity', 'father_hometown', 'father_residence']) {
    assert.equal(await shown(page, path), false, `${path} is hidden`);
  }
  await c.back();
  assert.equal(await c.value('child_ethnicity'), '', "no father's ethnicity to follow");
  assert.ok((await inlineError(page, 'ethnicity_from')).includes('Chưa xác định được cha: dân tộc của trẻ theo dân tộc của mẹ'));
  const errors = await c.next();
  assert.ok(errors.includes('Chưa xác định được cha: quê quán của trẻ theo quê quán của mẹ'), errors.join(' | '));
  await c.choose('ethnicity_from', 'me');
  await c.choose('hometown_from', 'me');
  assert.equal(await inlineError(page, 'ethnicity_from'), '');
  assert.equal(await c.value('child_ethnicity'), prefilled(parent, 'mother_ethnicity'));
  assert.deepEqual(await c.next(), []);
  assert.deepEqual(await c.next(), []);
  await fillStep(c, BIRTH, parent, 'copies_step');
  const { reference, submission } = await c.submit();
  await assertReceipt(page, context, BIRTH, reference);
  assert.equal(submission.values.father_unknown, true);
  assert.equal(submission.values.father_name, undefined, "the father's hidden fields are not submitted");
});

// ----- Judicial record -----

test('Judicial record is filed end to end: identity prefilled and locked, residence history from age 14, certificate No. 1', async (t) => {
  const [applicant] = await citizens(JUDICIAL, 1, {
    suits: (c) => Boolean(prefilled(c, 'spouse_dob') && !prefilled(c, 'father_name') && prefilled(c, 'temporary_address')),
  });
  const { page, context, c } = await session(t, JUDICIAL, applicant);
  if (!page) return;
  await assertLocked(page, 'full_name', prefilled(applicant, 'full_name'));
  assert.equal(await c.value('full_name'), (await c.value('full_name')).toLocaleUpperCase('vi'), 'the name in capitals');
  await assertLocked(page, 'id_number', prefilled(applicant, 'id_number'));
  await assertLocked(page, 'id_issue_date', dmy(isoDate(prefilled(applicant, 'id_issue_date'))));
  await assertLocked(page, 'id_issuer', prefilled(applicant, 'id_issuer'));
  await assertLocked(page, 'birth_place', prefilled(applicant, 'birth_place'));
  assert.equal(await note(page, 'temporary_address'), FROM_NATIONAL_DATA, 'the temporary residence may be corrected');
  assert.equal(await c.value('temporary_address.street'), prefilled(applicant, 'temporary_address').street);
  await fillStep(c, JUDICIAL, applicant, 'applicant_step');
  // A spouse on record: their date of birth is read from their own record, not asked again.
  await assertLocked(page, 'spouse_dob', shownDate(prefilled(applicant, 'spouse_dob')));
  assert.equal(await shown(page, 'father_dob'), false, "no father on record: no father's date of birth");
  await fillStep(c, JUDICIAL, applicant, 'family_step');
  await fillStep(c, JUDICIAL, applicant, 'history_step');
  await fillStep(c, JUDICIAL, applicant, 'request_step');
  const { reference, submission } = await c.submit();
  await assertReceipt(page, context, JUDICIAL, reference);
  const v = submission.values;
  const rows = historyRows(isoDate(prefilled(applicant, 'dob')));
  assert.deepEqual(
    v.history.map((r) => [r.h_from, r.h_to]),
    rows.map((r) => [r.from, r.to].map((d) => d.split('/').reverse().join('-'))),
  );
  assert.equal(v.certificate_type, 'so1');
  assert.equal(v.ban_on_posts, 'khong');
});

test('Judicial record on a phone: a long value from national data wraps instead of being cut off; Enter in such a box goes on', async (t) => {
  const [applicant] = await citizens(JUDICIAL, 1, { suits: (c) => (prefilled(c, 'id_issuer') ?? '').length > 40 && Boolean(prefilled(c, 'temporary_address')) });
  const { page } = await session(t, JUDICIAL, applicant);
  if (!page) return;
  await page.setViewportSize({ width: 360, height: 740 });
  await assertLocked(page, 'id_issuer', prefilled(applicant, 'id_issuer'));
  const box = (path) =>
    page.$eval(control(path), (e) => ({ cut: e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight, height: e.clientHeight }));
  const issuer = await box('id_issuer');
  assert.equal(issuer.cut, false, 'the whole issuer can be read');
  assert.ok(issuer.height > (await box('nationality')).height, 'on more than one line');

  // The temporary address's street is prefilled but may be corrected: Enter there goes on, as in any one-line box.
  const street = control('temporary_address.street');
  const before = await page.inputValue(street);
  await page.focus(street);
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  await page.locator('tokhai-form .tk-progress-label', { hasText: 'Bước 2/4' }).waitFor();
  assert.equal(await page.inputValue(street), before, 'no new line in the street');
});

test('Judicial record: the residence history must run from the 14th birthday to today without overlaps or gaps', async (t) => {
  const [applicant] = await citizens(JUDICIAL);
  const { page, c } = await session(t, JUDICIAL, applicant);
  if (!page) return;
  await fillStep(c, JUDICIAL, applicant, 'applicant_step');
  await fillStep(c, JUDICIAL, applicant, 'family_step');
  const dob = isoDate(prefilled(applicant, 'dob'));
  const [first, second] = historyRows(dob);
  const split = Number(first.to.slice(-4));
  const label = 'Quá trình cư trú';

  /** Presses "Tiếp tục", which must not go on, and returns the errors on screen. */
  const refused = async () => {
    await c.next();
    assert.equal(await c.screen(), label, 'the history step stays');
    return seenErrors(page);
  };
  await c.row('history', periodRow(first));
  let errors = await refused();
  assert.ok(errors.includes(`${label}: phải kê khai đến ngày ${dmy(today())}`), errors.join(' | '));

  await c.row('history', periodRow({ ...second, from: `01/06/${split}` }));
  errors = await refused();
  assert.ok(errors.includes(`${label}: giai đoạn 2 trùng thời gian với giai đoạn 1`), errors.join(' | '));
  assert.match(await page.textContent('tokhai-form .tk-summary'), /giai đoạn 2 trùng thời gian với giai đoạn 1/, 'listed in the error summary');

  await c.type('history[1].h_from', `01/01/${split + 2}`);
  errors = await refused();
  assert.ok(errors.includes(`${label}: thiếu thời gian từ 01/01/${split + 1} đến 31/12/${split + 1} (trước giai đoạn 2)`), errors.join(' | '));
  // The summary's link goes to where the gap is mended: the start of row 2.
  await page.click('tokhai-form .tk-summary a:has-text("thiếu thời gian")');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.path), 'history[1].h_from');
  /** The focused box's invalid state and what it is read with. */
  const described = () =>
    page.evaluate(() => {
      const box = document.activeElement;
      const ids = (box.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
      return { invalid: box.getAttribute('aria-invalid'), text: ids.map((id) => document.getElementById(id)?.textContent).join(' | ') };
    });
  let box = await described();
  assert.equal(box.invalid, 'true', 'the box the link lands on is marked invalid');
  assert.match(box.text, /thiếu thời gian từ .* \(trước giai đoạn 2\)/, 'and read with the gap');
  assert.doesNotMatch(box.text, /phải kê khai đến ngày/, 'not with the group\'s other errors');

  await c.type('history[1].h_from', second.from);
  await page.focus('tokhai-form [data-path="history[1].h_from"]');
  box = await described();
  assert.notEqual(box.invalid, 'true', 'mended: no longer invalid');
  assert.doesNotMatch(box.text, /thiếu thời gian/);
  await c.type('history[0].h_from', dmy(addYears(dob, 15)));
  errors = await refused();
  assert.ok(errors.includes(`${label}: phải kê khai từ ngày ${dmy(addYears(dob, 14))}`), errors.join(' | '));

  await c.type('history[0].h_from', first.from);
  assert.deepEqual(await c.next(), [], 'covered from the 14th birthday to today');
  assert.equal(await c.screen(), 'Yêu cầu cấp phiếu');
});

test('Judicial record: a history that covers neither end gives two summary lines, each landing on the history read with its error', async (t) => {
  const [applicant] = await citizens(JUDICIAL);
  const { page, c } = await session(t, JUDICIAL, applicant);
  if (!page) return;
  await fillStep(c, JUDICIAL, applicant, 'applicant_step');
  await fillStep(c, JUDICIAL, applicant, 'family_step');
  const [first] = historyRows(isoDate(prefilled(applicant, 'dob')));
  await c.row('history', periodRow({ ...first, from: `01/01/${Number(first.to.slice(-4))}` }));
  await c.next();
  const lines = await page.$$eval('tokhai-form .tk-summary li', (lis) => lis.map((li) => [...li.querySelectorAll('a')].map((a) => a.textContent)));
  assert.equal(lines.length, 2, JSON.stringify(lines));
  for (const [message, ...more] of lines) {
    assert.deepEqual(more, [], 'one link a line');
    await page.click(`tokhai-form .tk-summary a:text-is("${message}")`);
    const focused = await page.evaluate(() => {
      const e = document.activeElement;
      const ids = (e.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
      return { path: e.dataset.path, invalid: e.getAttribute('aria-invalid'), text: ids.map((id) => document.getElementById(id)?.textContent).join(' | ') };
    });
    assert.equal(focused.path, 'history', 'on the history');
    assert.equal(focused.invalid, 'true');
    assert.ok(focused.text.includes(message), `read with "${message}": ${focused.text}`);
  }
});

test('Judicial record: the ban-on-posts question is asked only for certificate No. 1', async (t) => {
  const [applicant] = await citizens(JUDICIAL);
  const { page, context, c } = await session(t, JUDICIAL, applicant);
  if (!page) return;
  for (const step of ['applicant_step', 'family_step', 'history_step']) await fillStep(c, JUDICIAL, applicant, step);
  const ban = 'Yêu cầu xác nhận về việc cấm đảm nhiệm chức vụ, thành lập, quản lý doanh nghiệp, hợp tác xã';
  assert.equal(await shown(page, 'ban_on_posts'), false, 'no certificate chosen yet');
  await c.choose('certificate_type', 'so2');
  assert.equal(await shown(page, 'ban_on_posts'), false, 'certificate No. 2');
  await c.choose('certificate_type', 'so1');
  assert.equal(await shown(page, 'ban_on_posts'), true, 'certificate No. 1');
  const errors = await c.next();
  assert.ok(errors.includes(`${ban}: vui lòng chọn`), errors.join(' | '));
  await JUDICIAL.steps.request_step(c);
  await c.choose('certificate_type', 'so2');
  assert.equal(await shown(page, 'ban_on_posts'), false);
  assert.deepEqual(await c.next(), []);
  assert.ok(!(await page.textContent('tokhai-form .tk-review')).includes(ban), 'the review does not ask it either');
  const { reference, submission } = await c.submit();
  await assertReceipt(page, context, JUDICIAL, reference);
  assert.equal(submission.values.certificate_type, 'so2');
  assert.equal(submission.values.ban_on_posts, undefined, 'a hidden answer is not submitted');
});
