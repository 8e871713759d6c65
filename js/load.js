// The wasm module, loaded once and warmed up; definitions and catalogues, compiled once for every mount.
import init, { CatalogSet, CompiledForm } from './tokhai_web.js';
import { jsonBytes, jsonText } from './http.js';
import { isUrl } from './util.js';
import { warmUp } from './warm-up.js';

let loading = null;

/**
 * Loads the wasm module once (optionally from another URL), then warms it up in a task of its own
 * unless a form has started by then; a failed load is tried again at the next call.
 */
export function load(wasm) {
  const url = wasm ?? new URL('./tokhai_web_bg.wasm', import.meta.url);
  loading ??= init({ module_or_path: url }).then(
    (module) => {
      setTimeout(warmUp);
      return module;
    },
    (error) => {
      loading = null;
      throw new Error(`tokhai: could not load ${url}: ${error?.message ?? error}`, { cause: error });
    },
  );
  return loading;
}

/** What `make()` returns; its error names the URL `source` the text came from (a page may load several). */
function fromSource(source, make) {
  try {
    return make();
  } catch (error) {
    if (!isUrl(source)) throw error;
    throw new Error(`tokhai: ${source}: ${error?.message ?? error}`, { cause: error });
  }
}

const byUrl = new Map();
const byObject = new WeakMap();
let noCatalogs = null;

/**
 * Parses options catalogues once (URL or object; an admin-units file or lists by name) and keeps
 * them for every later mount with the same source. `mount` calls it; call it early to preload.
 */
export async function loadCatalogs(source) {
  if (source == null) {
    await load();
    return (noCatalogs ??= new CatalogSet(undefined));
  }
  // Read once per URL or object (reading a country's communes again costs a mount some 3 ms): a host
  // that changes its catalogues passes a new object.
  const [known, key] = isUrl(source) ? [byUrl, String(new URL(source, document.baseURI))] : [byObject, source];
  if (!known.has(key)) {
    // A URL is fetched while the wasm loads; its bytes go to the wasm as they came.
    const parsed = Promise.all([load(), jsonBytes(key)]).then(([, json]) =>
      fromSource(source, () => new CatalogSet(json)),
    );
    parsed.catch(() => known.delete(key));
    known.set(key, parsed);
  }
  return known.get(key);
}

const compiled = new Map();
/** Compiled definitions kept for later mounts (the oldest is let go beyond this). */
const COMPILED_KEPT = 8;

/**
 * Compiles a definition (object or URL) once and keeps it for every later mount
 * of the same definition. `mount` calls it; call it early to compile while other things load.
 */
export async function compileForm(definition) {
  if (definition == null) throw new TypeError('tokhai: no form definition (an object or its URL)');
  const [, text] = await Promise.all([load(), jsonText(definition)]);
  let form = compiled.get(text);
  if (!form) {
    form = fromSource(definition, () => new CompiledForm(text));
    compiled.set(text, form);
    if (compiled.size > COMPILED_KEPT) {
      const [oldest] = compiled.keys();
      compiled.get(oldest).free();
      compiled.delete(oldest);
    }
  }
  return form;
}
