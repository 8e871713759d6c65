// The development portal page: reads the login (GET /api/me) so that the filing clock starts at the
// login and drafts are kept per citizen, then adds the CT01 form with the back end's endpoints.
const me = await fetch('/api/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } })
  .then((res) => (res.ok ? res.json() : {}))
  .catch(() => ({}));
const form = document.createElement('tokhai-form');
const attributes = {
  src: '/forms/ct01.json',
  lang: 'vi',
  catalogs: '/catalogs/admin-units.json',
  prefill: '/api/prefill/ct01',
  action: '/api/submissions',
  'timings-endpoint': '/api/timings',
  'satisfaction-endpoint': '/api/satisfaction',
};
if (me.logged_in) {
  attributes['login-at'] = String(me.login_at);
  attributes.subject = me.subject_masked;
}
for (const [name, value] of Object.entries(attributes)) form.setAttribute(name, value);
document.getElementById('filing').append(form);
