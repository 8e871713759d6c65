// The citizen's own dossiers (GET /api/submissions): each one's procedure, reference, time received and
// state; a refusal with its reasons, each at the field it names, and the way to file again. Plain DOM,
// under a strict CSP.
import { el, pageLanguage, vietnamTime } from './page.js';
import { inLanguage } from './text.js';

const WORDS = {
  vi: {
    title: 'Hồ sơ của tôi — Cổng dịch vụ công (phát triển)',
    switchTo: 'English',
    portal: 'Cổng dịch vụ công — môi trường phát triển tokhai',
    pages: 'Trang',
    navProcedures: 'Thủ tục',
    navOwn: 'Hồ sơ của tôi',
    heading: 'Hồ sơ của tôi',
    login: 'Đăng nhập',
    loginWhy: 'để xem các hồ sơ bạn đã nộp.',
    loggedOut: 'Bạn chưa đăng nhập.',
    none: 'Bạn chưa nộp hồ sơ nào.',
    fileOne: 'Chọn thủ tục để nộp hồ sơ',
    loading: 'Đang tải…',
    failed: 'Không tải được danh sách hồ sơ. Vui lòng thử lại.',
    listed: (n) => `Bạn có ${n} hồ sơ, mới nhất ở trên cùng.`,
    shown: (n) => `Đang hiển thị ${n} hồ sơ mới nhất; bấm “Xem thêm” để xem các hồ sơ trước đó.`,
    more: 'Xem thêm',
    reference: 'Mã hồ sơ',
    receivedAt: 'Thời điểm nộp',
    dueAt: 'Hẹn trả kết quả trước',
    state: 'Trạng thái',
    received: 'Đã tiếp nhận, đang xử lý',
    accepted: 'Đã chấp nhận',
    refused: 'Bị từ chối',
    decidedAt: 'Thời điểm quyết định',
    reasons: 'Lý do từ chối',
    wholeDossier: 'Toàn bộ hồ sơ',
    fileAgain: 'Nộp lại hồ sơ cho thủ tục này',
  },
  en: {
    title: 'My applications — Public service portal (development)',
    switchTo: 'Tiếng Việt',
    portal: 'Public service portal — tokhai development environment',
    pages: 'Pages',
    navProcedures: 'Procedures',
    navOwn: 'My applications',
    heading: 'My applications',
    login: 'Log in',
    loginWhy: 'to see the applications you have filed.',
    loggedOut: 'You are not logged in.',
    none: 'You have not filed any application.',
    fileOne: 'Choose a procedure to file one',
    loading: 'Loading…',
    failed: 'The applications could not be loaded. Please try again.',
    listed: (n) => `You have ${n} application${n === 1 ? '' : 's'}, newest first.`,
    shown: (n) => `Your ${n} latest applications are shown; press “Show more” for earlier ones.`,
    more: 'Show more',
    reference: 'Reference',
    receivedAt: 'Filed at',
    dueAt: 'Decision due by',
    state: 'State',
    received: 'Received, being processed',
    accepted: 'Accepted',
    refused: 'Refused',
    decidedAt: 'Decided at',
    reasons: 'Reasons for refusal',
    wholeDossier: 'The whole application',
    fileAgain: 'File this procedure again',
  },
};

const $ = (id) => document.getElementById(id);
const state = { dossiers: null, next: null, forms: [], said: null };
const language = pageLanguage(WORDS, 'tokhai-dossiers-lang', redraw);
const w = (key) => language.w(key);
const text = (t) => inLanguage(t, language.lang);

/** The JSON answer at `url`, or `null` when refused. */
const json = (url) =>
  fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then((res) => (res.ok ? res.json() : null));

/** Writes `words()` in the status line. */
function say(words) {
  state.said = words;
  $('status').textContent = words();
}

/** The procedure's title of `formId`, or the id. */
const formTitle = (formId) => text(state.forms.find((f) => f.id === formId)?.title) || formId;

/** A reason of a refusal: the label of the field it names (or the whole dossier) and its words. */
function reasonText(reason) {
  const label = reason.path ? text(reason.label) || reason.path : w('wholeDossier');
  return `${label}: ${(language.lang === 'en' && reason.message_en) || reason.message_vi}`;
}

/** A row of a summary list: a term and its description (a text or an element). */
function summaryRow(term, description) {
  const div = el('div');
  const dd = el('dd');
  dd.append(description);
  div.append(el('dt', {}, term), dd);
  return div;
}

/**
 * One dossier: its procedure, reference, time filed, when the decision is due (if its procedure has a time
 * limit) and state; a refusal's reasons and the way to file again.
 */
function dossierCard(d, index) {
  const { decision } = d;
  const heading = `dossier-${index}`;
  const card = el('section', { class: 'card', 'aria-labelledby': heading });
  const list = el('dl', { class: 'summary-list' });
  list.append(
    summaryRow(w('reference'), d.id),
    summaryRow(w('receivedAt'), vietnamTime(d.received_at)),
    ...(d.due_at ? [summaryRow(w('dueAt'), vietnamTime(d.due_at))] : []),
    summaryRow(w('state'), w(decision?.decision ?? 'received')),
  );
  if (decision) list.append(summaryRow(w('decidedAt'), vietnamTime(decision.decided_at)));
  if (decision?.reasons.length) {
    const reasons = el('ul', { class: 'reasons' });
    reasons.append(...decision.reasons.map((r) => el('li', {}, reasonText(r))));
    list.append(summaryRow(w('reasons'), reasons));
  }
  card.append(el('h2', { id: heading, tabindex: '-1' }, formTitle(d.form_id)), list);
  if (decision?.decision === 'refused') {
    const again = el('p');
    again.append(el('a', { href: `/?form=${encodeURIComponent(d.form_id)}` }, w('fileAgain')));
    card.append(again);
  }
  return card;
}

/** Draws the dossiers listed, and "Xem thêm" while earlier ones may follow. */
function drawList() {
  $('dossiers').replaceChildren(...state.dossiers.map(dossierCard));
  $('empty').hidden = state.dossiers.length > 0;
  $('more').hidden = state.next === null;
  say(() => w(state.next === null ? 'listed' : 'shown')(state.dossiers.length));
}

/** Adds the next page of dossiers (the first without `before`) to those listed. */
async function listMore(before) {
  const own = await json(`/api/submissions${before ? `?before=${before}` : ''}`);
  if (!own) throw new Error('not listed');
  state.dossiers = [...(state.dossiers ?? []), ...own.dossiers];
  state.next = own.next_before ?? null;
}

/** Shows the next page of dossiers and moves the focus to the first of them. */
async function showMore() {
  const first = state.dossiers.length;
  try {
    await listMore(state.next);
    drawList();
    $('dossiers').children[first]?.querySelector('h2').focus();
  } catch {
    say(() => w('failed'));
  }
}

/** Draws again what the page shows, in the language just chosen. */
function redraw() {
  if (state.said) say(state.said);
  if (state.dossiers) drawList();
}

/** Says the citizen is not logged in, with the login the server has (development or OpenID), coming back here. */
function offerLogin(me) {
  const href = me.dev_login ? `/dev/login?next=${encodeURIComponent('/dossiers.html')}` : me.oidc ? '/auth/oidc/login' : null;
  if (href) $('login-link').href = href;
  $('login').hidden = !href;
  say(() => w('loggedOut'));
}

async function start() {
  say(() => w('loading'));
  try {
    // Asked first: the list itself would be refused before login, an error in the browser's console.
    const me = (await json('/api/me')) ?? {};
    if (!me.logged_in) return offerLogin(me);
    const [forms] = await Promise.all([json('/api/forms'), listMore(null)]);
    state.forms = forms?.forms ?? [];
    drawList();
  } catch {
    say(() => w('failed'));
  }
}

$('more').addEventListener('click', showMore);
start();
