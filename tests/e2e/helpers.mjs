// Shared set-up of the browser tests: the static server, Debian's Chromium through playwright-core,
// and small keyboard helpers.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from './serve.mjs';

/** Chromium flags for headless runs on CI machines. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Launches Debian's Chromium headless. */
export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
}

/** Starts the server and the browser before the file's tests and stops them after; returns a live view. */
export function useBrowser() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer();
    env.browser = await launch();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}

/**
 * Opens a page in a new context and fails the test on page errors, console errors and CSP violations.
 * Returns { page, context, problems }.
 */
export async function open(env, path, { width = 1024, height = 900, ready = true } = {}) {
  const context = await env.browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(env.server.url + path);
  if (ready) await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 });
  return { page, context, problems };
}

/** Presses Tab (at most `max` times) until the focused element matches a selector. */
export async function tabTo(page, selector, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached ${selector}`);
}

/** Tabs to a control and types into it. */
export async function typeInto(page, selector, text) {
  await tabTo(page, selector);
  await page.keyboard.type(text);
}

/** The trimmed text of an element. */
export function text(page, selector) {
  return page.locator(selector).first().evaluate((e) => e.textContent.trim());
}

/** The events the harness recorded, of one type. */
export function events(page, type) {
  return page.evaluate((t) => window.tkEvents.filter((e) => e.type === t).map((e) => e.detail), type);
}
