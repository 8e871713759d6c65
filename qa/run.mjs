// The QA runner: files a form on the development portal in headless Chromium as synthetic citizens
// typing at keystroke-level-model speeds, and compares the SDK's login → submit with its own clock.
//
//   npm run qa -- <form> [--runs N] [--speed S]
//
// <form>: ct01, birth-registration or judicial-record (or a form id). --runs: filings, each by
// another synthetic citizen (default 1). --speed: divides every model delay (default 1, real time).
// The runner starts tokhai-server itself (the debug build of $CARGO_TARGET_DIR or target/), or uses the
// portal at $TOKHAI_URL (development login on; its summary then counts every QA run of the day; its
// $TOKHAI_QA_TOKEN, if it has one, is sent with the login and the summary's request). The runner logs in
// as the QA runner (`qa: true`): its filings are timed under the login method `qa`, which the portal's
// QA reports leave out unless asked (`include_qa=true` or `login_method=qa`), so they never mix with real ones.
// The SDK's figure is the widget's handle.timing() (tokhai-core's metrics, clock from the portal's
// login); the server's figure comes from the timing record the widget's beacon left. The target and
// the keystroke-level model's constants are the portal's QA summary's (tokhai-core's, as `tokhai estimate`).
// Exit status 1 when a filing got no receipt or the SDK's mean login → submit (the national target
// is an average) is over the target.
import { SERVER_BINARY, launch, startPortal } from '../tests/e2e/helpers.mjs';
import {
  CONTEXT_OPTIONS,
  Citizen,
  chooseCitizens,
  file,
  formNamed,
  login,
  openForm,
  qaHeaders,
  sdkTiming,
} from './citizen.mjs';

const USAGE = 'usage: npm run qa -- <ct01|birth-registration|judicial-record> [--runs N] [--speed S]';

/** The command line as {form, runs, speed}, or throws with the usage. */
function parseArgs(argv) {
  const args = { form: null, runs: 1, speed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs' || a === '--speed') {
      const n = Number(argv[++i]);
      if (!(n > 0) || (a === '--runs' && !Number.isInteger(n))) throw new Error(`${a} needs a positive number\n${USAGE}`);
      args[a.slice(2)] = n;
    } else if (!args.form && !a.startsWith('-')) {
      args.form = formNamed(a);
      if (!args.form) throw new Error(`unknown form ${a}\n${USAGE}`);
    } else {
      throw new Error(`unexpected argument ${a}\n${USAGE}`);
    }
  }
  if (!args.form) throw new Error(USAGE);
  return args;
}

/** Milliseconds as m:ss.mmm. */
function clock(ms) {
  const s = Math.floor(Math.abs(ms) / 1000);
  const milli = String(Math.round(Math.abs(ms) % 1000)).padStart(3, '0');
  return `${ms < 0 ? '-' : ''}${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}.${milli}`;
}

/** The median of numbers, nearest rank (as tokhai-core's `percentile(sorted, 0.5)` the server uses). */
function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.ceil(s.length / 2) - 1];
}

/** The mean of numbers. */
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** SDK minus runner, in ms and as a share of the runner's time. */
function difference(sdk, runner) {
  const ms = sdk - runner;
  const sign = ms < 0 ? '−' : '+';
  return `${sign}${Math.abs(ms).toFixed(0)} ms (${sign}${((Math.abs(ms) / runner) * 100).toFixed(2)}%)`;
}

/** A target in ms as m:ss. */
const target = (ms) => clock(ms).replace(/\.000$/, '');

/** The verdict of a login → submit time against the target. */
function verdict(ms, targetMs) {
  return `${ms <= targetMs ? 'within' : 'OVER'} ${target(targetMs)}`;
}

const COLUMNS = ['run', 'citizen', 'SDK login→submit', 'runner login→submit', 'difference', 'verdict'];

/** Prints rows under the column headings, padded. */
function table(rows) {
  const all = [COLUMNS, ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)));
  for (const r of all) console.log(r.map((v, i) => String(v ?? '').padEnd(widths[i])).join('  ').trimEnd());
}

/** Whether the widget sent its timing beacon (the server's timing record of the filing), waiting a little. */
async function beaconed(context, seen) {
  const isBeacon = (r) => r.url().endsWith('/api/timings') && r.method() === 'POST';
  if (seen.some(isBeacon)) return true;
  return context
    .waitForEvent('requestfinished', { predicate: isBeacon, timeout: 5000 })
    .then(() => true)
    .catch(() => false);
}

/** One filing by one citizen at the model's pace (`klm`, `speed`): the runner's and the SDK's login → submit. */
async function fileOnce(browser, url, form, citizen, { klm, speed }) {
  const context = await browser.newContext(CONTEXT_OPTIONS);
  try {
    const seen = [];
    context.on('requestfinished', (r) => seen.push(r));
    const { at: loginClock, me } = await login(context, url, citizen.pin, { qa: true });
    const page = await openForm(context, url, form);
    const { clock: submitClock, reference } = await file(new Citizen(page, { speed, klm }), form, citizen);
    const timing = await sdkTiming(page);
    if (!timing.from_login) throw new Error('the widget counted from mount, not from login (no login-at on the portal page)');
    const record = await beaconed(context, seen);
    return { citizen: me.subject_masked, reference, runner: submitClock - loginClock, sdk: timing.to_submit_ms, record };
  } finally {
    await context.close();
  }
}

/**
 * The portal's QA summary of the runner's filings of the form over the last day (login method `qa`: the
 * runner logs in as the QA runner, whose filings the portal's reports leave out unless asked): the figures
 * of its stored timing records (`aggregate`), the target (`target_ms`) and the keystroke-level model
 * (`klm`), all tokhai-core's.
 */
async function serverSummary(url, form) {
  // A portal with a QA token ($TOKHAI_QA_TOKEN) answers only with it.
  const res = await fetch(`${url}/api/qa/forms/${form.id}/summary?days=1&login_method=qa`, { headers: qaHeaders() });
  if (!res.ok) throw new Error(`QA summary: ${res.status} ${await res.text()}`);
  return res.json();
}

async function main() {
  const { form, runs, speed } = parseArgs(process.argv.slice(2));
  const portal = process.env.TOKHAI_URL
    ? { url: process.env.TOKHAI_URL.replace(/\/$/, ''), close: async () => {} }
    : await startPortal();
  if (!portal) throw new Error(`no ${SERVER_BINARY}: run cargo build -p tokhai-server`);
  const browser = await launch();
  let failed = 0;
  let over = false;
  try {
    const citizens = await chooseCitizens(portal.url, form, runs);
    const { target_ms: targetMs, klm } = await serverSummary(portal.url, form);
    if (!klm) throw new Error(`the QA summary of ${portal.url} has no keystroke-level model (klm): a tokhai-server too old`);
    console.log(`QA: ${form.file} (${form.id}) on ${portal.url}, ${runs} run(s) at speed ×${speed}, target ${target(targetMs)} login → submit`);
    const rows = [];
    const results = [];
    for (const [i, citizen] of citizens.entries()) {
      try {
        const r = await fileOnce(browser, portal.url, form, citizen, { klm, speed });
        results.push(r);
        rows.push([i + 1, r.citizen, clock(r.sdk), clock(r.runner), difference(r.sdk, r.runner), verdict(r.sdk, targetMs)]);
      } catch (e) {
        failed++;
        rows.push([i + 1, citizen.pin.replace(/^(\d{3})\d{7}/, '$1*******'), '—', '—', '—', `FAILED: ${e.message}`]);
      }
    }
    const runner = results.length ? median(results.map((r) => r.runner)) : null;
    if (results.length) {
      const sdk = median(results.map((r) => r.sdk));
      rows.push(['median', '', clock(sdk), clock(runner), difference(sdk, runner), verdict(sdk, targetMs)]);
      const [sdkMean, runnerMean] = [mean(results.map((r) => r.sdk)), mean(results.map((r) => r.runner))];
      rows.push(['mean', '', clock(sdkMean), clock(runnerMean), difference(sdkMean, runnerMean), verdict(sdkMean, targetMs)]);
      over = sdkMean > targetMs;
    }
    table(rows);
    if (over) console.log(`the mean login → submit is over the target ${target(targetMs)}: exit status 1`);
    if (results.length) {
      console.log(`SDK figure: handle.timing().to_submit_ms; receipts ${results.map((r) => r.reference).join(', ')}`);
      const missing = results.filter((r) => !r.record).map((r) => r.reference);
      if (missing.length) console.log(`no timing beacon seen for ${missing.join(', ')}`);
      const server = (await serverSummary(portal.url, form)).aggregate;
      if (process.env.TOKHAI_URL) {
        // A running portal's records hold every QA run of the last day, not only this one.
        const figure = server.median_ms == null ? '—' : clock(server.median_ms);
        console.log(`portal's timing records of the QA runner's filings of the last day (not only this run's): ${server.submitted} submitted of ${server.filings}, median login→submit ${figure}`);
      } else {
        const figure = server.median_ms == null
          ? '—'
          : `${clock(server.median_ms)}, ${difference(server.median_ms, runner)} against the runner's median ${clock(runner)}`;
        console.log(`server timing records: ${server.submitted} submitted of ${server.filings}, median login→submit ${figure}`);
      }
    }
    if (speed !== 1) console.log(`(at speed ×${speed} every delay of the model is divided by ${speed}: the verdict is not a real-time one)`);
  } finally {
    await browser.close();
    await portal.close();
  }
  process.exitCode = failed || over ? 1 : 0;
}

main().catch((e) => {
  console.error(e.message ?? e);
  process.exitCode = 2;
});
