// Type-checks the embedding guide's JavaScript examples (www/guide.html), as TypeScript users would
// paste them, and misuse.ts against the package's declarations (pkg/index.d.ts), with `tsc --strict`
// (null checks aside: the examples are JavaScript, where `querySelector` is not checked for null).
// A test step of scripts/test (after the web build); it prints tsc's errors and fails on any.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(import.meta.url), '../../..');
const unescape = (html) => html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

// The guide's script examples: code blocks that use the module or the element's events.
const blocks = [...readFileSync(join(repo, 'www/guide.html'), 'utf8').matchAll(/<pre><code>([\s\S]*?)<\/code><\/pre>/g)]
  .map((m) => unescape(m[1]))
  .filter((code) => /^(import |document\.)/.test(code));
if (blocks.length < 4) throw new Error(`the guide's script examples were not found (${blocks.length})`);

const dir = mkdtempSync(join(tmpdir(), 'tokhai-types-'));
try {
  const files = blocks.map((code, i) => {
    const file = join(dir, `guide-${i + 1}.ts`);
    // The examples' free names, as a page embedding the form has them.
    writeFileSync(file, `declare const element: HTMLElement;\n${code}\nexport {};\n`);
    return file;
  });
  files.push(join(repo, 'tests/types/misuse.ts'));
  const types = join(repo, 'pkg/index.d.ts');
  const config = {
    compilerOptions: {
      strict: true, strictNullChecks: false, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler',
      lib: ['es2022', 'dom'], skipLibCheck: false, types: [],
      paths: { tokhai: [types], '/pkg/index.js': [types], 'tokhai/tokhai.css': [join(repo, 'tests/types/css.d.ts')] },
    },
    files,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
  try {
    execFileSync(join(repo, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], { stdio: 'inherit' });
  } catch {
    console.error('types: the declarations refuse the guide or misuse.ts as shown above');
    process.exitCode = 1;
  }
  if (!process.exitCode) console.log(`types: ${blocks.length} examples of the guide and misuse.ts type-check against pkg/index.d.ts`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
