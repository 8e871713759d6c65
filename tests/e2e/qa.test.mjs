// Issue 6: the QA runner (qa/run.mjs) files CT01 once on the development portal at 20 times the
// model's speed; the SDK's login → submit and the server's timing record must match the runner's
// own clock within 1%, and the table must have its columns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SERVER_BINARY } from './helpers.mjs';

const repo = resolve(fileURLToPath(import.meta.url), '../../..');

/** m:ss.mmm as milliseconds. */
function ms(clock) {
  const m = clock.match(/^(\d+):(\d{2})\.(\d{3})$/);
  assert.ok(m, `a time like 2:31.412, not ${clock}`);
  return (Number(m[1]) * 60 + Number(m[2])) * 1000 + Number(m[3]);
}

test('npm run qa -- ct01 files once and the SDK, the timing record and the runner agree within 1%', async (t) => {
  if (!existsSync(SERVER_BINARY)) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const { stdout } = await promisify(execFile)(process.execPath, ['qa/run.mjs', 'ct01', '--runs', '1', '--speed', '20'], {
    cwd: repo,
    // The portal the runner starts takes a QA token from its environment, as a real one would have.
    env: { ...process.env, TOKHAI_URL: '', TOKHAI_QA_TOKEN: 'qa-token-for-the-runner-test' },
    timeout: 240_000,
  });
  const lines = stdout.split('\n');
  const header = lines.findIndex((l) => l.startsWith('run '));
  assert.ok(header > 0, stdout);
  assert.deepEqual(lines[header].split(/\s{2,}/), ['run', 'citizen', 'SDK login→submit', 'runner login→submit', 'difference', 'verdict']);

  const [run, citizen, sdk, runner, difference, verdict] = lines[header + 1].split(/\s{2,}/);
  assert.equal(run, '1');
  assert.match(citizen, /^\d{3}\*{7}\d{2}$/, 'the citizen is shown masked');
  assert.ok(Math.abs(ms(sdk) - ms(runner)) / ms(runner) <= 0.01, `SDK ${sdk} against the runner's ${runner}`);
  assert.match(difference, /^[+−]\d+ ms \([+−]\d+\.\d{2}%\)$/);
  assert.match(verdict, /^(within|OVER) 5:00$/);
  assert.ok(lines[header + 2].startsWith('median '), 'a median row follows the runs');
  assert.ok(lines[header + 3].startsWith('mean '), 'and the mean, which the national target is set on');

  const record = stdout.match(/server timing records: (\d+) submitted of (\d+), median login→submit (\d+:\d{2}\.\d{3})/);
  assert.ok(record, stdout);
  assert.equal(record[1], '1', 'the filing left one submitted timing record');
  assert.ok(Math.abs(ms(record[3]) - ms(runner)) / ms(runner) <= 0.01, `timing record ${record[3]} against the runner's ${runner}`);
});

test('the QA runner fails (exit status 1) when the mean login → submit is over the target', async (t) => {
  if (!existsSync(SERVER_BINARY)) return t.skip(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const run = promisify(execFile)(process.execPath, ['qa/run.mjs', 'ct01', '--runs', '1', '--speed', '20'], {
    cwd: repo,
    env: { ...process.env, TOKHAI_URL: '', TOKHAI_TARGET_SECS: '1' },
    timeout: 240_000,
  });
  const failure = await run.then(() => null, (e) => e);
  assert.equal(failure?.code, 1, `exit status 1, not ${failure?.code}: ${failure?.stdout}`);
  assert.match(failure.stdout, /the mean login → submit is over the target 0:01: exit status 1/);
});
