// Type-checks the JavaScript examples of the embedding guide (www/guide.html) and of the README, as
// TypeScript users would paste them, misuse.ts, and the events js/form.js listens to, against the
// package's declarations (pkg/index.d.ts), with `tsc --strict`. A test step of scripts/test (after the web build); it prints tsc's errors and fails on any.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guideExamples, readmeExamples } from '../guide-examples.mjs';

const repo = resolve(fileURLToPath(import.meta.url), '../../..');
const read = (file) => readFileSync(join(repo, file), 'utf8');

// The script examples: the guide's code blocks that use the module or the element's events, and the README's.
const guide = guideExamples().filter((code) => /^(import |document\.)/.test(code));
const readme = readmeExamples('js');
if (guide.length < 4 || readme.length < 1) throw new Error(`the examples were not found (${guide.length}, ${readme.length})`);
const blocks = [...guide, ...readme];

const dir = mkdtempSync(join(tmpdir(), 'tokhai-types-'));
try {
  const files = blocks.map((code, i) => {
    const file = join(dir, `guide-${i + 1}.ts`);
    writeFileSync(file, `${code}\nexport {};\n`);
    return file;
  });
  files.push(join(repo, 'tests/types/misuse.ts'));
  // The events a handle's `on` takes at run time (js/form.js) are those the declarations name, but `ready`.
  const events = read('js/form.js').match(/const EVENTS = new Set\(\[([^\]]*)\]\)/)?.[1];
  if (!events) throw new Error("js/form.js's EVENTS were not found");
  const events_ts = join(dir, 'events.ts');
  writeFileSync(
    events_ts,
    `import type { TokhaiEventName } from 'tokhai';
const events = [${events}] as const;
type Run = (typeof events)[number];
type Declared = Exclude<TokhaiEventName, 'ready'>;
const _undeclared: [Exclude<Run, Declared>] extends [never] ? true : 'js/form.js EVENTS names an undeclared event' = true;
const _unheard: [Exclude<Declared, Run>] extends [never] ? true : 'js/form.js EVENTS misses a declared event' = true;
export {};
`,
  );
  files.push(events_ts);
  const types = join(repo, 'pkg/index.d.ts');
  const config = {
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', module: 'esnext', moduleResolution: 'bundler',
      lib: ['es2022', 'dom'], skipLibCheck: false, types: [],
      paths: { tokhai: [types], '/pkg/index.js': [types], 'tokhai/tokhai.css': [join(repo, 'tests/types/css.d.ts')] },
    },
    files,
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(config));
  try {
    execFileSync(join(repo, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], { stdio: 'inherit' });
  } catch {
    console.error('types: the declarations refuse an example, misuse.ts or the run-time event list, as shown above');
    process.exitCode = 1;
  }
  if (!process.exitCode) {
    console.log(`types: ${guide.length} examples of the guide, ${readme.length} of the README, misuse.ts and the run-time event list type-check against pkg/index.d.ts`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
