// The JS face of tokhai: loads the wasm widget, exports `mount` and defines <tokhai-form>.
// No eval, no inline script or style: it runs under `script-src 'self' 'wasm-unsafe-eval'; style-src 'self'`.
// The parts, one module each (esbuild bundles them into one): load (the wasm, definitions, catalogues),
// mount, form (one mounted form and its handle) with drafts, send, uploads, prefill, history and timing,
// element (<tokhai-form>); warm-up, http and util serve them.
import { TokhaiFormElement } from './element.js';

export { clearDrafts } from './drafts.js';
export { compileForm, load, loadCatalogs } from './load.js';
export { mount } from './mount.js';
export { TokhaiFormElement };

if (typeof customElements !== 'undefined' && !customElements.get('tokhai-form')) {
  customElements.define('tokhai-form', TokhaiFormElement);
}
