// The code blocks of the embedding guide (www/guide.html) and of the README, as a portal developer copies
// them: read by the type check (tests/types) and run in Chromium against the portal (tests/e2e/guide.test.mjs).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(fileURLToPath(import.meta.url), '../..');
const read = (file) => readFileSync(join(repo, file), 'utf8');
const unescape = (html) => html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** Every `<pre><code>` block of the guide, unescaped, in the guide's order. */
export function guideExamples() {
  return [...read('www/guide.html').matchAll(/<pre><code>([\s\S]*?)<\/code><\/pre>/g)].map((m) => unescape(m[1]));
}

/** The README's fenced blocks in `language` (`js`, `html`), in order. */
export function readmeExamples(language) {
  return [...read('README.md').matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]);
}
