// The development portal page: lists the procedures (GET /api/forms), reads the login (GET /api/me) so
// that the filing clock starts at the login and drafts are kept per citizen, then adds the form the
// address names (`/?form=ct01`, the default; one it does not have is said so) with the back end's endpoints.
import { clearDrafts } from '/pkg/index.js';
import { inLanguage } from './text.js';

const json = (url) =>
  fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : {}))
    .catch(() => ({}));
const [me, { forms = [] }] = await Promise.all([json('/api/me'), json('/api/forms')]);
const asked = new URLSearchParams(location.search).get('form');
// A procedure the portal does not have is said so, never replaced by another one the citizen did not ask for.
const chosen = forms.find((f) => f.id === (asked ?? 'ct01')) ?? (asked === null ? { id: 'ct01', url: '/forms/ct01.json' } : null);

const list = document.getElementById('procedures');
const links = forms.map((f) => {
  const a = document.createElement('a');
  a.href = `/?form=${encodeURIComponent(f.id)}`;
  if (f.id === chosen?.id) a.setAttribute('aria-current', 'page');
  const li = document.createElement('li');
  li.append(a);
  list.append(li);
  return [a, f];
});

// The page follows the form's language switch, and its title says where the citizen is (the step, the
// review, the receipt, "Lỗi:" while errors are shown), as a screen reader announces a page by its title.
const PAGE = { vi: 'Cổng dịch vụ công (phát triển)', en: 'Public service portal (development)' };
const PLACES = {
  vi: { done: 'Đã gửi tờ khai', error: 'Lỗi' },
  en: { done: 'Declaration sent', error: 'Error' },
};
// `place`: the title of the screen the form shows (its `step` event says it in both languages), or `done`.
const page = { lang: 'vi', place: null, errors: false };
const show = () => {
  const { lang, place, errors } = page;
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-en]')) {
    el.dataset.vi ??= el.textContent;
    el.textContent = lang === 'en' ? el.dataset.en : el.dataset.vi;
  }
  for (const el of document.querySelectorAll('[data-en-label]')) {
    el.dataset.viLabel ??= el.getAttribute('aria-label');
    el.setAttribute('aria-label', lang === 'en' ? el.dataset.enLabel : el.dataset.viLabel);
  }
  for (const [a, f] of links) a.textContent = inLanguage(f.title, lang) || f.id;
  const here = place === 'done' ? PLACES[lang].done : place?.[lang];
  const parts = [here, inLanguage(chosen?.title, lang), PAGE[lang]].filter(Boolean);
  document.title = `${errors ? `${PLACES[lang].error}: ` : ''}${parts.join(' — ')}`;
};
show();

const form = chosen && fileIn(chosen);
if (!chosen) noSuchProcedure(asked);
// A procedure the address names comes first: on a phone the list of procedures would push its form a
// screen down.
if (asked !== null) document.getElementById('filing').after(document.getElementById('intro'));

/** The form of procedure `chosen` in the filing card, with the back end's endpoints. */
function fileIn(chosen) {
  const form = document.createElement('tokhai-form');
  const attributes = {
    src: chosen.url,
    lang: 'vi',
    catalogs: '/catalogs/admin-units.json',
    prefill: `/api/prefill/${chosen.id}`,
    action: '/api/submissions',
    uploads: '/api/uploads',
    'timings-endpoint': '/api/timings',
    'satisfaction-endpoint': '/api/satisfaction',
  };
  if (me.logged_in) {
    // The filing's clock starts at the login, or at the dossier this citizen filed since.
    attributes['login-at'] = String(me.filing_from ?? me.login_at);
    // Drafts are the citizen's, sealed with their own key: the next person on the computer cannot open them.
    attributes.subject = me.subject_key;
    attributes['draft-key'] = me.draft_key;
  } else {
    // Nobody known: nothing typed is left on a computer others may use.
    attributes.drafts = 'off';
  }
  for (const [name, value] of Object.entries(attributes)) form.setAttribute(name, value);
  const on = (type, change) =>
    form.addEventListener(`tokhai-${type}`, ({ detail }) => {
      change(detail);
      show();
    });
  on('ready', () => (page.lang = form.handle?.language ?? page.lang));
  on('language', ({ lang }) => (page.lang = lang));
  on('step', ({ title }) => Object.assign(page, { place: title, errors: false }));
  on('invalid', () => (page.errors = true));
  on('refused', ({ status }) => {
    page.errors = true;
    if (status === 401) offerLogin();
  });
  on('submitted', () => Object.assign(page, { place: 'done', errors: false }));
  document.getElementById('filing').append(form);
  return form;
}

/** Says that the address names no procedure of this portal (`?form=` wrong), where the form would be. */
function noSuchProcedure(id) {
  const p = document.createElement('p');
  p.className = 'portal-unknown';
  p.setAttribute('role', 'alert');
  p.textContent = `Cổng không có thủ tục “${id}”. Vui lòng chọn một thủ tục trong danh sách.`;
  p.dataset.en = `This portal has no procedure “${id}”. Please choose one from the list.`;
  document.getElementById('filing').append(p);
  show();
}

/**
 * A login that expired while the citizen filled the form: the form says so and keeps the answers; the
 * page gives the way to log in again and come back here, where the draft brings the answers back.
 */
async function offerLogin() {
  const now = await json('/api/me');
  if (now.logged_in || document.getElementById('relogin')) return;
  const back = encodeURIComponent(location.pathname + location.search);
  const href = now.dev_login ? `/dev/login?next=${back}` : now.oidc ? '/auth/oidc/login' : null;
  if (!href) return;
  const p = document.createElement('p');
  p.id = 'relogin';
  p.className = 'portal-relogin';
  const a = document.createElement('a');
  a.href = href;
  a.textContent = 'Đăng nhập lại';
  a.dataset.en = 'Log in again';
  p.append(a);
  const words = document.createElement('span');
  words.textContent = ' để gửi tờ khai: những gì bạn đã nhập vẫn được giữ.';
  words.dataset.en = ' to send the declaration: what you entered is kept.';
  p.append(words);
  form.before(p);
  show();
}

// A logged-in citizen's own dossiers are a link away; logging out forgets their drafts on this computer, then the login.
if (me.logged_in) {
  const logout = document.createElement('button');
  logout.type = 'button';
  logout.className = 'portal-logout';
  logout.textContent = 'Đăng xuất';
  logout.dataset.en = 'Log out';
  logout.addEventListener('click', async () => {
    logout.disabled = true;
    await clearDrafts().catch(() => {});
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
    location.assign('/');
  });
  const own = document.createElement('a');
  own.href = '/dossiers.html';
  own.textContent = 'Hồ sơ của tôi';
  own.dataset.en = 'My applications';
  document.querySelector('.portal-header nav').append(own, logout);
  show();
}
