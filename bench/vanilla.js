// A hand-written vanilla JS page of the same forms: the baseline of the benchmark.
// Same markup and stylesheet as the widget, a hand-written subset of its checks
// (required, lengths, dd/mm/yyyy dates, numbers, phones, e-mails, PINs), no catalogue search.
import { loadForm } from './forms.js';

const q = new URLSearchParams(location.search);
const t = (text) => (typeof text === 'string' ? text : text.vi);

const CHECKS = {
  date: (v) => /^\d{1,2}\/\d{1,2}\/\d{4}$/.test(v) || 'Ngày không hợp lệ',
  number: (v) => /^-?\d+([.,]\d+)?$/.test(v) || 'Số không hợp lệ',
  phone: (v) => /^(0|\+84)\d{9}$/.test(v.replace(/[\s.-]/g, '')) || 'Số điện thoại không hợp lệ',
  email: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) || 'Thư điện tử không hợp lệ',
  pin: (v) => /^\d{12}$/.test(v.replace(/\s/g, '')) || 'Số định danh phải có 12 chữ số',
};

/** Renders a definition like the widget does and wires its validation. */
export function render(root, def, units) {
  const fields = new Map();
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  };
  const wrap = el('div', 'tk');
  const form = el('form', 'tk-form');
  form.noValidate = true;
  form.append(el('h2', 'tk-title', t(def.title)));
  const summary = el('div', 'tk-summary');
  summary.hidden = true;
  summary.tabIndex = -1;
  const list = el('ul', 'tk-summary-list');
  summary.append(el('h2', 'tk-summary-title', 'Có thông tin cần sửa'), list);
  form.append(summary);
  const steps = def.steps.map((step, si) => {
    const sec = el('section', 'tk-step');
    sec.hidden = si > 0;
    sec.append(el('h3', 'tk-step-title', t(step.title)));
    for (const s of step.sections) {
      const box = el('div', 'tk-section');
      if (s.title) box.append(el('h4', 'tk-section-title', t(s.title)));
      for (const f of s.fields) box.append(field(f, si));
      sec.append(box);
    }
    form.append(sec);
    return sec;
  });
  let current = 0;
  const next = el('button', 'tk-btn', 'Tiếp tục');
  next.type = 'submit';
  const nav = el('div', 'tk-nav');
  nav.append(next);
  form.append(nav);
  wrap.append(form);
  root.append(wrap);

  function field(f, step) {
    const id = `v-${f.id}`;
    if (f.kind === 'radio' || f.kind === 'checkbox_group') return choices(f, step, id);
    const w = el('div', 'tk-field');
    const label = el('label', 'tk-label');
    label.htmlFor = id;
    label.append(el('span', '', t(f.label)));
    if (f.required) label.append(el('span', 'tk-req', ' *'));
    w.append(label);
    if (f.hint) w.append(el('div', 'tk-hint', t(f.hint)));
    let input;
    const options = f.options ?? (f.catalog === 'provinces' ? units.provinces.map((p) => ({ value: p.code, label: p.full_name })) : null);
    if (f.kind === 'select') {
      input = el('select', 'tk-select');
      input.append(el('option', '', '— Chọn —'));
      for (const o of options ?? []) {
        const opt = el('option', '', t(o.label));
        opt.value = o.value;
        input.append(opt);
      }
    } else if (f.kind === 'textarea') {
      input = el('textarea', 'tk-textarea');
    } else if (f.kind === 'checkbox') {
      input = el('input', 'tk-choice');
      input.type = 'checkbox';
    } else {
      input = el('input', 'tk-input');
      input.type = 'text';
    }
    input.id = id;
    input.dataset.id = f.id;
    w.append(input);
    const entry = { def: f, wrap: w, input, error: null, step, shown: false, visible: true };
    fields.set(f.id, entry);
    return w;
  }

  /** Radio buttons or check boxes in a fieldset, as the widget renders them. */
  function choices(f, step, id) {
    const fs = el('fieldset', 'tk-field tk-choices');
    const legend = el('legend', 'tk-legend');
    legend.append(el('span', '', t(f.label)));
    if (f.required) legend.append(el('span', 'tk-req', ' *'));
    fs.append(legend);
    const box = el('div', 'tk-options');
    f.options.forEach((o, i) => {
      const row = el('div', 'tk-option');
      const input = el('input', 'tk-choice');
      input.type = f.kind === 'radio' ? 'radio' : 'checkbox';
      input.id = `${id}-${i}`;
      input.name = id;
      input.value = o.value;
      input.dataset.id = f.id;
      const label = el('label', '', t(o.label));
      label.htmlFor = input.id;
      row.append(input, label);
      box.append(row);
    });
    fs.append(box);
    const first = box.querySelector('input');
    fields.set(f.id, { def: f, wrap: fs, input: first, inputs: [...box.querySelectorAll('input')], error: null, step, shown: false, visible: true });
    return fs;
  }

  const value = (e) =>
    e.inputs ? (e.inputs.find((i) => i.checked)?.value ?? '') : e.input.type === 'checkbox' ? e.input.checked : e.input.value.trim();
  function problem(e) {
    const v = value(e);
    if (v === '' || v === false) return e.def.required ? `${t(e.def.label)}: vui lòng nhập thông tin` : null;
    if (typeof v === 'string' && e.def.max_length && v.length > e.def.max_length) return `${t(e.def.label)}: quá dài`;
    const check = CHECKS[e.def.kind];
    const r = check ? check(v) : true;
    return r === true ? null : `${t(e.def.label)}: ${r}`;
  }
  function show(e) {
    const msg = e.visible && e.shown ? problem(e) : null;
    if (!msg) {
      if (e.error) e.error.hidden = true;
      e.input.removeAttribute('aria-invalid');
      return;
    }
    if (!e.error) {
      e.error = el('p', 'tk-error');
      e.error.id = `${e.input.id}-error`;
      const anchor = e.inputs ? e.wrap.lastElementChild : e.input;
      anchor.parentNode.insertBefore(e.error, anchor);
    }
    e.error.textContent = msg;
    e.error.hidden = false;
    e.input.setAttribute('aria-invalid', 'true');
    e.input.setAttribute('aria-describedby', e.error.id);
  }
  function conditions() {
    for (const e of fields.values()) {
      const cond = e.def.visible_if;
      if (!cond) continue;
      const m = cond.match(/^not empty\((\w+)\)$/);
      const other = fields.get(m ? m[1] : cond.split(' ')[0]);
      let on = true;
      if (m) on = value(other) !== '';
      else if (cond.includes("'")) on = cond.split(' or ').some((c) => value(fields.get(c.split(' ')[0])) === c.split("'")[1]);
      else if (other) on = value(other) === true;
      if (on !== e.visible) {
        e.visible = on;
        e.wrap.hidden = !on;
      }
    }
  }
  form.addEventListener('input', (ev) => {
    const e = fields.get(ev.target.dataset.id);
    if (!e) return;
    if (e.shown) show(e);
    conditions();
  });
  form.addEventListener('change', (ev) => {
    const e = fields.get(ev.target.dataset.id);
    if (!e) return;
    e.shown = true;
    show(e);
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const bad = [];
    for (const e of fields.values()) {
      if (e.step !== current || !e.visible) continue;
      e.shown = true;
      show(e);
      if (problem(e)) bad.push(e);
    }
    list.replaceChildren();
    for (const e of bad) {
      const li = el('li');
      const a = el('a', '', e.error.textContent);
      a.href = `#${e.input.id}`;
      li.append(a);
      list.append(li);
    }
    summary.hidden = bad.length === 0;
    if (bad.length) summary.focus();
    else if (current < steps.length - 1) {
      steps[current].hidden = true;
      current += 1;
      steps[current].hidden = false;
    }
  });
  return { fields };
}

if (q.get('form')) {
  const [def, units] = await Promise.all([loadForm(q.get('form')), fetch('/catalogs/admin-units.json').then((r) => r.json())]);
  const t0 = performance.now();
  render(document.getElementById('form'), def, units);
  const mountMs = performance.now() - t0;
  const readyAt = performance.now();
  const warm = [];
  for (let i = 0; i < 5; i++) {
    const spare = document.createElement('div');
    document.body.append(spare);
    const t1 = performance.now();
    render(spare, def, units);
    warm.push(performance.now() - t1);
    spare.remove();
  }
  const warmMs = warm.sort((a, b) => a - b)[2];
  window.bench = { mountMs, warmMs, readyAt };
  document.body.dataset.ready = 'true';
}
