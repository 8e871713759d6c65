// The development portal page: lists the procedures (GET /api/forms), reads the login (GET /api/me) so
// that the filing clock starts at the login and drafts are kept per citizen, then adds the form the
// address names (`/?form=ct01`, the default) with the back end's endpoints.
const json = (url) =>
  fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    .then((res) => (res.ok ? res.json() : {}))
    .catch(() => ({}));
const [me, { forms = [] }] = await Promise.all([json('/api/me'), json('/api/forms')]);
const wanted = new URLSearchParams(location.search).get('form') ?? 'ct01';
const chosen = forms.find((f) => f.id === wanted) ?? forms.find((f) => f.id === 'ct01') ?? { id: 'ct01', url: '/forms/ct01.json' };

const list = document.getElementById('procedures');
for (const f of forms) {
  const a = document.createElement('a');
  a.href = `/?form=${encodeURIComponent(f.id)}`;
  a.textContent = f.title?.vi ?? f.id;
  if (f.id === chosen.id) a.setAttribute('aria-current', 'page');
  const li = document.createElement('li');
  li.append(a);
  list.append(li);
}
if (chosen.title?.vi) document.title = `Cổng dịch vụ công (phát triển) — ${chosen.title.vi}`;

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
  attributes['login-at'] = String(me.login_at);
  attributes.subject = me.subject_key;
}
for (const [name, value] of Object.entries(attributes)) form.setAttribute(name, value);
document.getElementById('filing').append(form);
