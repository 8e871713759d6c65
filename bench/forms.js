// Forms of the browser benchmark: the 40-field sample and a generated 700-field form.

/** A deterministic 700-field form: 10 steps of 70 fields of every simple kind, with conditions. */
export function generated(n = 700, perStep = 70) {
  const kinds = ['text', 'name', 'date', 'number', 'phone', 'email', 'pin', 'select', 'radio', 'checkbox', 'textarea'];
  const steps = [];
  for (let s = 0; s < n / perStep; s++) {
    const fields = [];
    for (let i = 0; i < perStep; i++) {
      const k = s * perStep + i;
      const kind = kinds[k % kinds.length];
      const f = { id: `f${k}`, kind, label: { vi: `Trường số ${k + 1} (${kind})`, en: `Field ${k + 1} (${kind})` } };
      if (k % 3 === 0) f.required = true;
      if (kind === 'text' || kind === 'name' || kind === 'textarea') f.max_length = 60;
      if (kind === 'number') Object.assign(f, { min: 0, max: 1000 });
      if (kind === 'date') f.max_date = 'today()';
      if (kind === 'select' || kind === 'radio') {
        f.options = ['a', 'b', 'c'].map((v) => ({ value: v, label: { vi: `Lựa chọn ${v}`, en: `Option ${v}` } }));
      }
      if (i > 0 && k % 10 === 9) {
        const prev = fields[i - 1];
        f.visible_if = prev.kind === 'checkbox' ? prev.id : `not empty(${prev.id})`;
        delete f.required;
      }
      fields.push(f);
    }
    steps.push({ id: `s${s}`, title: { vi: `Bước ${s + 1}`, en: `Step ${s + 1}` }, sections: [{ id: `sec${s}`, fields }] });
  }
  return { tokhai: 1, id: 'bench_700', version: '1', title: { vi: 'Biểu mẫu 700 trường', en: '700-field form' }, steps };
}

/** The definition named in the page's query string (`?form=sample|700`). */
export async function loadForm(name) {
  if (name === '700') return generated();
  const res = await fetch('/fixtures/ct01-sample.json');
  return res.json();
}
