// The benchmark page of the widget: loads the wasm, the definition and the catalogue, then times mount.
import { load, loadCatalogs, mount } from '/pkg/index.js';
import { loadForm } from './forms.js';

const q = new URLSearchParams(location.search);
const [wasm, def, units] = await Promise.all([
  load(),
  loadForm(q.get('form')),
  fetch('/catalogs/admin-units.json').then((r) => r.json()),
]);
// The catalogue is parsed before mount, as the vanilla page parses its JSON before rendering.
const c0 = performance.now();
await loadCatalogs(units);
const catalogMs = performance.now() - c0;
// Whether the module's warm-up had run before this mount: it runs only while the page still waits.
const warmedUp = performance.getEntriesByName('tokhai:warm-up').length > 0;
const t0 = performance.now();
const catalogs = units;
performance.mark('bench:mount');
const handle = await mount(document.getElementById('form'), def, { catalogs, today: '2026-11-23', styles: false });
const mountMs = performance.now() - t0;
const readyAt = performance.now();
// The steps after the first render one a task, each timed: mount plus their rendering (the browser
// may paint in between; the vanilla page is timed without painting too). The first screen is step 1.
const later = () => performance.getEntriesByName('tokhai:later-steps');
while (later().length < Math.max(1, def.steps.length - 1)) await new Promise((resolve) => setTimeout(resolve));
performance.mark('bench:every-step');
const allStepsMs = mountMs + later().reduce((sum, e) => sum + e.duration, 0);
const longestStepMs = Math.max(...later().map((e) => e.duration));
// Five more forms on the same page, once the code is compiled and warm: the median.
const warm = [];
for (let i = 0; i < 5; i++) {
  const spare = document.createElement('div');
  document.body.append(spare);
  const t1 = performance.now();
  const more = await mount(spare, def, { catalogs, today: '2026-11-23', styles: false });
  warm.push(performance.now() - t1);
  more.destroy();
  spare.remove();
}
const warmMs = warm.sort((a, b) => a - b)[2];
window.bench = { mountMs, allStepsMs, longestStepMs, warmMs, catalogMs, warmedUp, readyAt, wasmBytes: wasm.memory.buffer.byteLength };
window.tk = handle;
document.body.dataset.ready = 'true';
