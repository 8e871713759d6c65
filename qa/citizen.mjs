// A synthetic citizen on the development portal, shared by the QA runner (qa/run.mjs) and the
// browser tests (tests/e2e/forms.test.mjs): picks suitable synthetic citizens of the real
// tokhai-server (started by tests/e2e/helpers.mjs), logs in with the development login, opens a
// form, and fills it by keyboard at keystroke-level-model speeds (or at once, with speed Infinity).
import { setTimeout as sleep } from 'node:timers/promises';
import { request as playwrightRequest } from 'playwright-core';

/** The citizens' time zone: the widget's "today" must be the server's (Vietnam's) "today". */
const TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** Options of a browser context for a Vietnamese citizen on a desktop. */
export const CONTEXT_OPTIONS = { viewport: { width: 1024, height: 900 }, timezoneId: TIME_ZONE, locale: 'vi-VN' };

// ----- dates (Vietnam's calendar) -----

/** Today in Vietnam as {y, m, d}. */
export function today() {
  return isoDate(new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(new Date()));
}

/**
 * An ISO date (yyyy-mm-dd) as {y, m, d}; a year alone (a record giving only the year of birth) as its last
 * day, as the core reads it (the youngest the person can be).
 */
export function isoDate(iso) {
  const [y, m = 12, d = 31] = iso.split('-').map(Number);
  return { y, m, d };
}

/** A date as the widget shows it: dd/mm/yyyy. */
export function dmy({ y, m, d }) {
  return `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}`;
}

/** A date value (ISO, or a year alone) as the widget shows it: dd/mm/yyyy, or the year as it is. */
export function shownDate(value) {
  return /^\d{4}$/.test(value) ? value : dmy(isoDate(value));
}

/** A date `years` later (29 February becomes 28 February, as the core's add_years). */
export function addYears({ y, m, d }, years) {
  return { y: y + years, m, d: m === 2 && d === 29 ? 28 : d };
}

/** Age in whole years on a day. */
function ageOn(birth, day) {
  return day.y - birth.y - (day.m < birth.m || (day.m === birth.m && day.d < birth.d) ? 1 : 0);
}

// ----- the portal -----

/**
 * Logs a browser context in as a synthetic citizen: the runner's clock at the login response, and /api/me.
 * `qa`: the QA runner's login (with $TOKHAI_QA_TOKEN, if set), whose filings QA reports leave out unless asked.
 */
export async function login(context, url, pin, { qa = false } = {}) {
  const res = await context.request.post(`${url}/api/dev/login`, { data: { pin, qa }, headers: qaHeaders() });
  const at = Date.now();
  if (!res.ok()) throw new Error(`development login as ${pin}: ${res.status()} ${await res.text()}`);
  const me = await (await context.request.get(`${url}/api/me`)).json();
  return { at, me };
}

/** The QA token of $TOKHAI_QA_TOKEN as request headers, if set. */
export function qaHeaders() {
  const token = process.env.TOKHAI_QA_TOKEN;
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/**
 * Synthetic citizens suited to a form, in the registry's order (deterministic for a registry seed
 * and size): each `{pin, full_name, sex, birth_year, household_id, age, bundle, housemates}`, where
 * `bundle` is the citizen's prefill for the form. `ages` ([min, max], by birth year) and `suits(citizen)`
 * default to the form's.
 */
export async function chooseCitizens(url, form, count, { ages = form.ages, suits = form.suits } = {}) {
  const api = await playwrightRequest.newContext();
  try {
    const { citizens } = await (await api.get(`${url}/api/dev/citizens?limit=100`)).json();
    const year = today().y;
    const chosen = [];
    for (const entry of citizens) {
      const age = year - entry.birth_year;
      if (age < ages[0] || age > ages[1]) continue;
      await api.post(`${url}/api/dev/login`, { data: { pin: entry.pin } });
      const res = await api.get(`${url}/api/prefill/${form.id}`);
      if (!res.ok()) continue;
      const housemates = citizens.filter((c) => c.household_id === entry.household_id && c.pin !== entry.pin);
      const citizen = { ...entry, age, bundle: await res.json(), housemates };
      if (!suits(citizen)) continue;
      chosen.push(citizen);
      if (chosen.length === count) return chosen;
    }
    throw new Error(`only ${chosen.length} of ${count} synthetic citizens suit ${form.id}`);
  } finally {
    await api.dispose();
  }
}

/** A prefilled value of a citizen's bundle, or undefined. */
export function prefilled(citizen, field) {
  return citizen.bundle?.values?.[field]?.value;
}

/**
 * Opens the development portal with a form in a new page and waits until it is mounted and prefilled.
 * The portal shows CT01; for another form its page (and portal.js, which adds the <tokhai-form>) is
 * served with the form's definition and prefill URLs instead (`?form=<id>` names it in the address).
 */
export async function openForm(context, url, form) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    // What the citizen saw the widget send and receive (and when, by this computer's clock, which the
    // runner's is), for the tests and the runner.
    window.tkQa = { submissions: [], answers: [], receivedAt: [] };
    document.addEventListener('tokhai-submit', (e) => window.tkQa.submissions.push(e.detail));
    document.addEventListener('tokhai-submitted', (e) => {
      window.tkQa.answers.push(e.detail.response);
      window.tkQa.receivedAt.push(Date.now());
    });
  });
  await page.goto(`${url}/?form=${form.id}`);
  await page.waitForFunction(() => document.querySelector('tokhai-form')?.handle != null, null, { timeout: 60_000 });
  return page;
}

/** The SDK's own metrics of the filing on a page (tokhai-core's `Timeline::metrics`, computed in the widget). */
export async function sdkTiming(page) {
  const timing = await page.evaluate(() => {
    const h = document.querySelector('tokhai-form').handle;
    return typeof h.timing === 'function' ? h.timing() : null;
  });
  if (!timing) throw new Error('the widget has no handle.timing(): rebuild the package (npm run build)');
  return timing;
}

// ----- the citizen at the keyboard -----

/** Keystrokes to type a character with Telex: one per diacritic more (ễ = e e x, đ = d d). */
function telexKeys(ch) {
  return ch.normalize('NFD').length + (ch === 'đ' || ch === 'Đ' ? 1 : 0);
}

/** The control of a value path inside the widget. */
export const control = (path) => `tokhai-form :is(input, textarea, select)[data-path="${path}"]`;

/** A locked control: a read-only box, or a list, check box or radio button the widget keeps as it is. */
export const LOCKED = ':is([readonly], [disabled], [data-locked])';

/** The container of a value path (label, control, provenance, error). */
export const field = (path) => `tokhai-form :is(div, fieldset)[data-path="${path}"]`;

const NEXT = 'tokhai-form .tk-nav button[type=submit]';
const BACK = 'tokhai-form .tk-nav [data-act=back]';

/**
 * A citizen filling the form on a page by keyboard: before each field a think and a point-and-click,
 * then one keystroke per key (Telex for diacritics). `klm`: the keystroke-level model's operators in
 * seconds (`{keystroke, point, click, think}`, the `klm` of the portal's QA summary: tokhai-core's).
 * `speed` divides every delay; Infinity types at once (and needs no model).
 */
export class Citizen {
  constructor(page, { speed = Infinity, klm } = {}) {
    this.page = page;
    this.speed = speed;
    this.klm = klm;
  }

  /** Waits the model's time `seconds(klm)`, scaled by the speed. */
  async wait(seconds) {
    if (Number.isFinite(this.speed)) await sleep((seconds(this.klm) * 1000) / this.speed);
  }

  /** Presses Tab until the focused element matches a selector. */
  async tabTo(selector, max = 150) {
    for (let i = 0; i < max; i++) {
      if (await this.page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
      await this.page.keyboard.press('Tab');
    }
    throw new Error(`Tab never reached ${selector}`);
  }

  /** Thinks, points and clicks (the model's cost of reaching a control), getting there with Tab. */
  async reach(selector) {
    await this.wait((k) => k.think + k.point + k.click);
    await this.tabTo(selector);
  }

  /** Types text at the model's speed. */
  async keys(text) {
    if (!Number.isFinite(this.speed)) return this.page.keyboard.type(text);
    for (const ch of text) {
      await this.wait((k) => k.keystroke * telexKeys(ch));
      await this.page.keyboard.type(ch);
    }
  }

  /** Presses a key as one keystroke of the model. */
  async press(key) {
    await this.wait((k) => k.keystroke);
    await this.page.keyboard.press(key);
  }

  /** The text a control shows. */
  value(path) {
    return this.page.inputValue(control(path));
  }

  /** Types a value into a text control, replacing what it held. */
  async type(path, text) {
    await this.reach(control(path));
    if (await this.value(path)) await this.press('Control+A');
    await this.keys(text);
  }

  /** Whether a control is locked (prefilled from national data). */
  locked(path) {
    return this.page.$eval(control(path), (e, locked) => e.matches(locked), LOCKED);
  }

  /**
   * Types a household member's PIN in a row and leaves the box: the portal fills the member's details
   * from national data, or says the PIN is not in the household. Waits for either, as a citizen does.
   */
  async memberPin(path, pin) {
    await this.type(path, pin);
    await this.press('Tab');
    const name = control(path.replace(/[^.]+$/, 'm_name'));
    await this.page.waitForFunction(
      (s) =>
        document.querySelector(s)?.readOnly ||
        [...document.querySelectorAll('tokhai-form .tk-row-status')].some((e) => /hộ gia đình/.test(e.textContent)),
      name,
    );
  }

  /**
   * Ticks a household member in the list above the rows of `group` (Tab to the box, Space), as a citizen
   * does rather than typing the PIN: the portal fills the member's row. Resolves to that row's index.
   */
  async tickMember(group, key, pin) {
    // The list shows no PIN: the box is the one of the PIN as masked there.
    const masked = `(${pin.slice(0, 3)}${'*'.repeat(pin.length - 5)}${pin.slice(-2)})`;
    const options = `tokhai-form [data-path="${group}"] .tk-household .tk-option`;
    const id = await this.page.$$eval(options, (all, masked) => all.find((o) => o.textContent.includes(masked))?.querySelector('input').id, masked);
    await this.reach(`#${id}`);
    await this.press('Space');
    const index = await this.page.waitForFunction(
      ({ group, key, pin }) => {
        const box = [...document.querySelectorAll(`tokhai-form input[data-path^="${group}["][data-path$="].${key}"]`)].find((b) => b.value === pin);
        const name = box && document.querySelector(`tokhai-form input[data-path="${box.dataset.path.replace(/[^.]+$/, 'm_name')}"]`);
        return name?.readOnly && Number(box.dataset.path.match(/\[(\d+)\]/)[1]) + 1;
      },
      { group, key, pin },
    );
    return (await index.jsonValue()) - 1;
  }

  /** Fills a control with `fill` unless national data already did (a locked control is only read). */
  async unlessLocked(path, fill) {
    if (await this.locked(path)) return this.wait((k) => k.think);
    return fill(this, path);
  }

  /** Types a value only if the control is empty (nothing prefilled). */
  async typeIfEmpty(path, text) {
    if (!(await this.value(path))) await this.type(path, text);
  }

  /** Chooses a radio option with the arrow keys (Space when focus is already on it). */
  async choose(path, value) {
    const target = `tokhai-form input[data-path="${path}"][value="${value}"]`;
    await this.reach(`tokhai-form input[data-path="${path}"]`);
    for (let i = 0; i < 20 && !(await this.page.isChecked(target)); i++) {
      const on = await this.page.evaluate((s) => document.activeElement?.matches(s), target);
      await this.press(on ? 'Space' : 'ArrowDown');
    }
    if (!(await this.page.isChecked(target))) throw new Error(`could not choose ${value} in ${path}`);
  }

  /** Ticks (or unticks) a check box with Space. */
  async check(path, on = true) {
    await this.reach(control(path));
    if ((await this.page.isChecked(control(path))) !== on) await this.press('Space');
  }

  /** Chooses an option of a drop-down list with the arrow keys. */
  async select(path, value) {
    await this.reach(control(path));
    for (let i = 0; i < 50 && (await this.value(path)) !== value; i++) await this.press('ArrowDown');
    if ((await this.value(path)) !== value) throw new Error(`could not select ${value} in ${path}`);
  }

  /** Searches a list by typing `query` and picks the option labelled `label` with the arrows and Enter. */
  async pick(path, query, label) {
    await this.type(path, query);
    const list = `tokhai-form [data-path="${path}"] [role=listbox]:not([hidden])`;
    await this.page.waitForSelector(`${list} [role=option]`);
    const options = await this.page.$$eval(`${list} [role=option]`, (os) => os.map((o) => o.textContent));
    const index = options.indexOf(label);
    if (index < 0) throw new Error(`"${query}" in ${path} does not offer ${label}: ${options.slice(0, 5).join(', ')}`);
    for (let i = 0; i <= index; i++) await this.press('ArrowDown');
    await this.press('Enter');
    if ((await this.value(path)) !== label) throw new Error(`${path} shows ${await this.value(path)}, not ${label}`);
    return options;
  }

  /** Fills an address: province and commune searched as typed, then the street. */
  async address(path, { province, commune, street }) {
    await this.pick(`${path}.province`, ...province);
    await this.pick(`${path}.commune`, ...commune);
    await this.type(`${path}.street`, street);
  }

  /** Adds a row to a repeat group; resolves to its index (focus is in its first control). */
  async addRow(group) {
    await this.reach(`tokhai-form [data-act=add][data-path="${group}"]`);
    await this.press('Enter');
    return (await this.page.$$(`tokhai-form [data-path="${group}"] .tk-row`)).length - 1;
  }

  /** Removes row `index` of a repeat group with its "Xóa dòng" button. */
  async removeRow(group, index) {
    await this.reach(`tokhai-form [data-act=remove][data-path="${group}"][data-row="${index}"]`);
    await this.press('Enter');
  }

  /** The index of a repeat group's last row if nothing is filled in it (the form starts with its minimum rows). */
  emptyRow(group) {
    return this.page.$$eval(`tokhai-form [data-path="${group}"] .tk-row`, (rows) => {
      const last = rows.at(-1);
      const used = last && [...last.querySelectorAll('input, textarea')].some((i) => (i.type === 'radio' || i.type === 'checkbox' ? i.checked : i.value));
      return last && !used ? rows.length - 1 : null;
    });
  }

  /** Fills one row of a repeat group (an empty one, else a new one): `fields` maps row field ids to async fillers `(citizen, path)`. */
  async row(group, fields) {
    const index = (await this.emptyRow(group)) ?? (await this.addRow(group));
    for (const [id, fill] of Object.entries(fields)) await fill(this, `${group}[${index}].${id}`);
    return index;
  }

  /** Reads the step on screen: one think per prefilled value to check (the model's cost of prefill). */
  async readStep() {
    const checks = await this.page.$$eval('tokhai-form .tk-step:not([hidden]) .tk-prov', (ps) => ps.length);
    await this.wait((k) => k.think * checks);
  }

  /** The error summary's entries, if it is shown. */
  summary() {
    return this.page.$$eval('tokhai-form .tk-summary:not([hidden]) li', (lis) => lis.map((li) => li.textContent.trim()));
  }

  /** The title of the screen on show (step or review page). */
  screen() {
    return this.page.$eval('tokhai-form', (f) => {
      const step = f.querySelector('.tk-step:not([hidden]) .tk-step-title');
      const review = f.querySelector('.tk-review:not([hidden]) .tk-review-title');
      return (step ?? review)?.textContent.trim() ?? '';
    });
  }

  /** Presses the main button (Tiếp tục / Kiểm tra lại tờ khai); resolves to the error summary (empty when it went on). */
  async next() {
    await this.reach(NEXT);
    await this.press('Enter');
    return this.summary();
  }

  /** Goes back one step with "Quay lại". */
  async back() {
    await this.reach(BACK);
    await this.press('Enter');
  }

  /**
   * Presses "Gửi tờ khai" on the review page and waits for the answer. Resolves to `clock` (when the
   * receipt reached the page, by the runner's clock: a filing counts as submitted once received), the
   * receipt's `reference` and the submission sent.
   */
  async submit() {
    await this.reach(NEXT);
    await this.wait((k) => k.keystroke);
    await this.page.keyboard.press('Enter');
    await this.page.waitForSelector('tokhai-form :is(.tk-done, .tk-summary):not([hidden])');
    const { submission, answer, clock } = await this.page.evaluate(() => ({
      submission: window.tkQa.submissions.at(-1),
      answer: window.tkQa.answers.at(-1),
      clock: window.tkQa.receivedAt.at(-1),
    }));
    const reference = answer?.receipt?.id;
    if (!reference) throw new Error(`no receipt: ${(await this.summary()).join(' | ') || 'the form stayed open'}`);
    return { clock, reference, submission };
  }
}

// ----- the three procedures -----

/** Ha Noi, Ba Dinh: searched without diacritics, as most citizens type. */
const HA_NOI = ['ha noi', 'Thành phố Hà Nội'];
const BA_DINH = ['ba dinh', 'Phường Ba Đình'];

/** The relationship to the head of household of a housemate, from the registry's list. */
function relationship(housemate, head) {
  if (housemate.pin === head?.pin) return ['chu ho', 'Chủ hộ'];
  if (head && housemate.birth_year - head.birth_year >= 15) return ['con', 'Con'];
  return ['khac', 'Khác'];
}

/** CT01 rows: a housemate moving together (name, date of birth in the PIN's year, sex, relationship), once ticked. */
function memberRow(housemate, head) {
  return {
    m_name: (c, p) => c.unlessLocked(p, (c, p) => c.type(p, housemate.full_name)),
    m_dob: (c, p) => c.unlessLocked(p, (c, p) => c.type(p, `15/06/${housemate.birth_year}`)),
    m_sex: (c, p) => c.unlessLocked(p, (c, p) => c.choose(p, housemate.sex)),
    m_relationship: (c, p) => c.unlessLocked(p, (c, p) => c.pick(p, ...relationship(housemate, head))),
  };
}

/**
 * The residence history from the 14th birthday to today in two periods that meet:
 * school years at the permanent address, then work.
 */
export function historyRows(dob, day = today()) {
  const start = addYears(dob, 14);
  const split = start.y + Math.max(1, Math.floor((day.y - start.y) / 2));
  return [
    { from: dmy(start), to: dmy({ y: split, m: 12, d: 31 }), address: 'Số 5 ngõ 12 phố Kim Mã, Phường Ngọc Hà, Thành phố Hà Nội', occupation: 'Học sinh, sinh viên' },
    { from: dmy({ y: split + 1, m: 1, d: 1 }), to: dmy(day), address: 'Số 12 phố Đội Cấn, Phường Ba Đình, Thành phố Hà Nội', occupation: 'Nhân viên văn phòng' },
  ];
}

/** One residence period as row fillers. */
export function periodRow({ from, to, address, occupation }) {
  return {
    h_from: (c, p) => c.type(p, from),
    h_to: (c, p) => c.type(p, to),
    h_address: (c, p) => c.type(p, address),
    h_occupation: (c, p) => c.type(p, occupation),
  };
}

/**
 * The forms, by the name the runner takes: their definition file and id, who can file them, and
 * what a citizen fills on each step (in order) after the prefill.
 */
export const FORMS = {
  ct01: {
    id: 'ct01',
    file: 'ct01.json',
    ages: [20, 90],
    suits: (c) => c.housemates.length > 0,
    steps: {
      async declarant(c) {
        await c.pick('authority_province', ...HA_NOI);
        await c.pick('authority_commune', ...BA_DINH);
        if (!(await c.value('email'))) await c.typeIfEmpty('phone', '0912345678');
      },
      async request(c) {
        await c.choose('request_type', 'thuong_tru');
        await c.address('new_address', { province: HA_NOI, commune: BA_DINH, street: 'Số 12 phố Đội Cấn' });
        await c.choose('housing', 'so_huu');
        await c.type('request_detail', 'Đề nghị đăng ký thường trú cho tôi và con tại chỗ ở hợp pháp thuộc quyền sở hữu của tôi.');
      },
      async members_step(c, citizen) {
        const head = [citizen, ...citizen.housemates].find((h) => h.pin === prefilled(citizen, 'head_pin'));
        const housemate = citizen.housemates[0];
        const index = await c.tickMember('members', 'm_pin', housemate.pin);
        for (const [id, fill] of Object.entries(memberRow(housemate, head))) await fill(c, `members[${index}].${id}`);
      },
      async consents(c) {
        await c.check('declaration');
      },
    },
  },
  'birth-registration': {
    id: 'birth_registration',
    file: 'birth-registration.json',
    ages: [20, 50],
    suits: (c) => Boolean(prefilled(c, 'mother_name') && prefilled(c, 'father_name')),
    steps: {
      async requester_step(c, citizen) {
        await c.choose('req_relationship', citizen.sex === 'nam' ? 'cha' : 'me');
      },
      async child_step(c, citizen) {
        const surname = prefilled(citizen, 'father_name').split(' ')[0].toLocaleUpperCase('vi');
        await c.type('child_name', `${surname} MINH ANH`);
        await c.type('child_dob', '25/03/2025');
        await c.choose('child_sex', 'nam');
        await c.type('child_birth_place', 'Bệnh viện Phụ sản Hà Nội, số 929 đường La Thành, Phường Giảng Võ, Thành phố Hà Nội');
        await c.select('child_nationality', 'viet_nam');
        await c.choose('ethnicity_from', 'cha');
        await c.choose('hometown_from', 'cha');
      },
      async parents_step(c) {
        // What national data did not hold is typed.
        for (const parent of ['mother', 'father']) {
          await c.typeIfEmpty(`${parent}_ethnicity`, 'Kinh');
          await c.typeIfEmpty(`${parent}_nationality`, 'Việt Nam');
          await c.typeIfEmpty(`${parent}_hometown`, 'Xã Tam Hưng, Thành phố Hà Nội');
        }
      },
      async copies_step(c) {
        await c.type('copies', '1');
        await c.check('declaration');
      },
    },
  },
  'judicial-record': {
    id: 'judicial_record',
    file: 'judicial-record.json',
    ages: [20, 90],
    suits: (c) => Boolean(prefilled(c, 'dob')),
    steps: {
      async applicant_step(c) {
        if (!(await c.value('email'))) await c.typeIfEmpty('phone', '0912345678');
      },
      async family_step() {},
      async history_step(c, citizen) {
        for (const period of historyRows(isoDate(prefilled(citizen, 'dob')))) await c.row('history', periodRow(period));
      },
      async request_step(c) {
        await c.choose('certificate_type', 'so1');
        await c.choose('ban_on_posts', 'khong');
        await c.type('purpose', 'Bổ sung hồ sơ xin việc');
        await c.type('copies', '2');
        await c.check('declaration');
      },
    },
  },
};

/** A form by its runner name (ct01, birth-registration, judicial-record) or its id. */
export function formNamed(name) {
  return FORMS[name] ?? Object.values(FORMS).find((f) => f.id === name || f.file === name);
}

/** Whether a form's citizen is under 18 today (CT01's guardian consent). */
export function isMinor(citizen) {
  return ageOn(isoDate(prefilled(citizen, 'dob')), today()) < 18;
}

/**
 * Fills every step of a form on screen (each step read, then filled, then "Tiếp tục") up to the
 * review page, and submits. Resolves to what `Citizen.submit` resolves to.
 */
export async function file(c, form, citizen) {
  for (const [id, fill] of Object.entries(form.steps)) await fillStep(c, form, citizen, id, fill);
  await c.readStep();
  return c.submit();
}

/** Reads and fills one step, then goes on; throws with the error summary if the form stays. */
export async function fillStep(c, form, citizen, id, fill = form.steps[id]) {
  await c.readStep();
  await fill(c, citizen);
  const errors = await c.next();
  if (errors.length) throw new Error(`${form.id} step ${id}: ${errors.join(' | ')}`);
}
