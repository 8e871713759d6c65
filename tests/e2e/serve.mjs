// A tiny dependency-free stand-in for tokhai-server, for the widget's browser tests and benchmark.
// Serves /pkg/ (the built package), /fixtures/ (tests/fixtures), /bench/ (bench/), the routes of
// tokhai-server the widget uses (/catalogs/admin-units.json from the shared catalogue,
// /api/prefill/<form> from tests/fixtures/prefill-<form>.json, POST /api/submissions answering a
// receipt) and everything else from www/. HTML pages get a strict Content-Security-Policy.
// Run alone: `node tests/e2e/serve.mjs`.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const repo = resolve(fileURLToPath(import.meta.url), '../../..');
const shared = process.env.TOKHAI_SHARED ?? join(repo, '..', 'shared');

/** The Content-Security-Policy every HTML page is served with. */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const MOUNTS = [
  ['/pkg/', join(repo, 'pkg')],
  ['/fixtures/', join(repo, 'tests', 'fixtures')],
  ['/bench/', join(repo, 'bench')],
  ['/', join(repo, 'www')],
];

/** The file a URL path names, or null when it is outside the served folders. */
function fileFor(pathname) {
  if (pathname === '/catalogs/admin-units.json') return join(shared, 'data', 'admin-units', 'units-2025.json');
  const prefill = pathname.match(/^\/api\/prefill\/([a-z0-9_]+)$/);
  if (prefill) return join(repo, 'tests', 'fixtures', `prefill-${prefill[1]}.json`);
  if (pathname.endsWith('/')) pathname += 'index.html';
  for (const [prefix, dir] of MOUNTS) {
    if (!pathname.startsWith(prefix)) continue;
    const file = normalize(join(dir, decodeURIComponent(pathname.slice(prefix.length))));
    return file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

/**
 * Starts the server on a free loopback port.
 * `isolate` adds cross-origin isolation headers (finer performance.now() for benchmarks); `compress`
 * sends gzip to a browser that takes it, as tokhai-server does (the build's `.gz` beside a file, if any).
 * Resolves to { url, submissions, close() }; POST /api/submissions answers with a receipt (or, when
 * the values' `note` is "refuse", with a 422 refusal shaped as tokhai-server's).
 */
export async function startServer({ isolate = false, compress = false } = {}) {
  const submissions = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://localhost');
    const headers = { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' };
    if (isolate) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      headers['Cross-Origin-Resource-Policy'] = 'same-origin';
    }
    if (req.method === 'POST' && url.pathname === '/api/submissions') {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      if (body?.values?.note === 'refuse') {
        // Lets the tests see a refusal, shaped as tokhai-server's intake sends it.
        const reasons = [{ path: 'full_name', code: 'prefill.locked_changed', message_vi: 'Không được sửa họ tên', message_en: 'The name cannot be changed' }];
        res.writeHead(422, { ...headers, 'Content-Type': TYPES['.json'] });
        res.end(JSON.stringify({ status: 'refused', reasons }));
        return;
      }
      submissions.push(body);
      const receipt = { status: 'accepted', receipt: { id: `TK-${String(submissions.length).padStart(6, '0')}` } };
      res.writeHead(201, { ...headers, 'Content-Type': TYPES['.json'] });
      res.end(JSON.stringify(receipt));
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204, headers);
      res.end();
      return;
    }
    const file = req.method === 'GET' || req.method === 'HEAD' ? fileFor(url.pathname) : null;
    let body;
    try {
      body = file && (await readFile(file));
    } catch {
      body = null;
    }
    if (!body) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('not found');
      return;
    }
    const type = TYPES[extname(file)] ?? 'application/octet-stream';
    if (type.startsWith('text/html')) headers['Content-Security-Policy'] = CSP;
    if (compress && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
      body = await readFile(`${file}.gz`).catch(() => gzipSync(body));
      headers['Content-Encoding'] = 'gzip';
    }
    res.writeHead(200, { ...headers, 'Content-Type': type });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    submissions,
    close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { url } = await startServer();
  console.log(`serving ${repo} at ${url}/ (Ctrl-C stops)`);
}
