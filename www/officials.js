// The officials' page: the dossiers received (GET /api/officials/dossiers), one dossier with its
// answers, the source of each and its files (GET /api/officials/dossiers/<id>), and the decision on it
// (POST /api/officials/dossiers/<id>/decision), its problems shown as GOV.UK shows a form's errors.
// The officials' token is kept in this tab's sessionStorage only. Plain DOM, under a strict CSP.
import { el, pageLanguage, save, vietnamTime, workingTime } from './page.js';
import { inLanguage } from './text.js';

const WORDS = {
  vi: {
    title: 'Hồ sơ tiếp nhận — Cổng dịch vụ công (phát triển)',
    switchTo: 'English',
    portal: 'Cổng dịch vụ công — môi trường phát triển tokhai',
    pages: 'Trang',
    navProcedures: 'Thủ tục',
    navGuide: 'Hướng dẫn nhúng (embedding guide)',
    navMinimal: 'Ví dụ tối thiểu',
    navCsp: 'Ví dụ CSP nghiêm ngặt',
    navLogin: 'Đăng nhập thử (công dân giả lập)',
    navOfficials: 'Hồ sơ tiếp nhận (cán bộ)',
    heading: 'Hồ sơ tiếp nhận',
    intro: 'Dành cho cán bộ tiếp nhận: xem hồ sơ người dân đã nộp, nguồn của từng thông tin và tệp đính kèm, rồi ghi quyết định chấp nhận hoặc từ chối.',
    token: 'Mã truy cập của cơ quan tiếp nhận',
    tokenHint: 'Mã chỉ được giữ trong thẻ trình duyệt này, đến khi đóng thẻ.',
    open: 'Mở danh sách hồ sơ',
    needToken: 'Nhập mã truy cập của cơ quan tiếp nhận hồ sơ, hoặc mã của riêng bạn, để xem hồ sơ.',
    wrongToken: 'Mã truy cập không đúng. Kiểm tra mã cơ quan đã cấp rồi nhập lại.',
    tooMany: (s) => `Đã nhập sai mã quá nhiều lần. Vui lòng đợi ${s} giây rồi nhập lại.`,
    apiOff: 'Máy chủ này chưa bật chức năng dành cho cán bộ tiếp nhận (chưa đặt TOKHAI_OFFICIALS_TOKEN hay officials).',
    failed: 'Không tải được dữ liệu. Vui lòng thử lại.',
    loading: 'Đang tải…',
    list: 'Danh sách hồ sơ',
    form: 'Thủ tục',
    allForms: 'Tất cả thủ tục',
    status: 'Trạng thái',
    allStatuses: 'Tất cả trạng thái',
    received: 'Chờ xử lý',
    accepted: 'Đã chấp nhận',
    refused: 'Đã từ chối',
    filter: 'Lọc',
    order: 'Thứ tự',
    newestFirst: 'Hồ sơ mới nhất ở trên cùng',
    oldestFirst: 'Hồ sơ tiếp nhận sớm nhất (chờ lâu nhất) ở trên cùng',
    reference: 'Mã hồ sơ',
    findLabel: 'Mở hồ sơ theo mã',
    findHint: 'Mã in trên giấy biên nhận của người nộp, ví dụ HS20261207-3185FF5D401203B8.',
    find: 'Mở hồ sơ',
    giveReference: 'Nhập mã hồ sơ in trên giấy biên nhận',
    receivedAt: 'Thời điểm tiếp nhận',
    workingTime: 'Thời gian xử lý (giờ làm việc)',
    due: 'Hạn giải quyết',
    noTimeLimit: 'Không quy định',
    on_time: 'đúng hạn',
    late: 'trễ hạn',
    overdue: 'quá hạn',
    running: 'trong hạn',
    overdueFilter: 'Quá hạn, chưa có quyết định',
    integrity: 'Kiểm tra toàn vẹn',
    intact: 'Nội dung đúng như khi tiếp nhận.',
    nationalIntact: (n) => `Dữ liệu lấy từ Cơ sở dữ liệu quốc gia về dân cư (${n} gói) có chữ ký số hợp lệ và không bị sửa.`,
    signedOnly: (n) => `Dữ liệu lấy từ Cơ sở dữ liệu quốc gia về dân cư (${n} gói) có chữ ký số hợp lệ; các giá trị khóa không kiểm tra lại được vì phiên bản biểu mẫu của hồ sơ không còn được lưu.`,
    noNational: 'Hồ sơ không có dữ liệu lấy từ Cơ sở dữ liệu quốc gia về dân cư.',
    altered: 'Cảnh báo: nội dung hồ sơ đã bị thay đổi sau khi tiếp nhận.',
    nationalAltered: (fields) => `Cảnh báo: dữ liệu quốc gia của hồ sơ không còn khớp chữ ký số (${fields}).`,
    none: 'Không có hồ sơ nào.',
    more: 'Xem thêm',
    listed: (n) => `Đang hiển thị ${n} hồ sơ.`,
    back: 'Danh sách hồ sơ',
    dossier: (id) => `Hồ sơ ${id}`,
    version: (v) => `phiên bản ${v}`,
    answers: 'Nội dung tờ khai',
    otherAnswers: 'Trường không có trong định nghĩa của biểu mẫu',
    source: 'Nguồn',
    nationalLocked: 'Cơ sở dữ liệu quốc gia về dân cư, đã khóa (người nộp không sửa được)',
    national: 'Cơ sở dữ liệu quốc gia về dân cư (người nộp giữ nguyên)',
    household: 'Cơ sở dữ liệu quốc gia về dân cư (thành viên hộ gia đình)',
    citizenEdited: 'Người nộp khai, thay cho dữ liệu quốc gia',
    citizen: 'Người nộp khai',
    files: 'Tệp đính kèm',
    noFiles: 'Không có tệp đính kèm.',
    bytes: (n) => (n < 1024 ? `${n} byte` : `${(n / 1024).toLocaleString('vi', { maximumFractionDigits: 1 })} KB`),
    downloadFailed: 'Không tải được tệp. Vui lòng thử lại.',
    decision: 'Quyết định',
    decidedAt: 'Thời điểm quyết định',
    official: 'Cán bộ xử lý',
    reasonsGiven: 'Lý do',
    wholeDossier: 'Cả hồ sơ',
    error: 'Lỗi',
    decideLegend: 'Quyết định về hồ sơ này',
    accept: 'Chấp nhận hồ sơ',
    refuse: 'Từ chối hồ sơ',
    reasons: 'Lý do từ chối',
    reasonsHint: 'Người nộp sẽ đọc các lý do này. Gắn lý do với một trường để người nộp biết cần sửa ở đâu.',
    reason: (n) => `Lý do ${n}`,
    reasonText: 'Nội dung lý do',
    reasonTextEn: 'Nội dung lý do bằng tiếng Anh (không bắt buộc)',
    reasonField: 'Trường liên quan',
    wholeDossierOption: 'Cả hồ sơ (không gắn với trường nào)',
    removeReason: (n) => `Bỏ lý do ${n}`,
    addReason: 'Thêm lý do',
    officialHint: 'Họ tên hoặc mã cán bộ; người nộp không thấy thông tin này.',
    officialOwnHint: 'Bạn dùng mã truy cập của riêng mình: quyết định được ghi tên bạn. Người nộp không thấy thông tin này.',
    send: 'Ghi quyết định',
    problem: 'Có lỗi cần sửa',
    chooseDecision: 'Chọn chấp nhận hoặc từ chối hồ sơ',
    giveOfficial: 'Nhập họ tên hoặc mã cán bộ xử lý, không quá 200 ký tự',
    decided: 'Đã ghi quyết định.',
    alreadyDecided: 'Hồ sơ này đã có quyết định từ trước; quyết định đó được giữ nguyên.',
    sendFailed: 'Không gửi được quyết định. Vui lòng thử lại.',
  },
  en: {
    title: 'Dossiers received — Public service portal (development)',
    switchTo: 'Tiếng Việt',
    portal: 'Public service portal — tokhai development environment',
    pages: 'Pages',
    navProcedures: 'Procedures',
    navGuide: 'Embedding guide',
    navMinimal: 'Minimal example',
    navCsp: 'Strict CSP example',
    navLogin: 'Test login (synthetic citizens)',
    navOfficials: 'Dossiers received (officials)',
    heading: 'Dossiers received',
    intro: 'For the officials who receive dossiers: read what citizens filed, the source of each answer and the attached files, then accept or refuse.',
    token: "Officials' access token",
    tokenHint: 'The token is kept in this browser tab only, until it is closed.',
    open: 'Open the dossiers',
    needToken: "Enter the agency's access token, or your own, to see the dossiers.",
    wrongToken: 'The access token is not right. Check the token your agency gave you and enter it again.',
    tooMany: (s) => `Too many wrong tokens. Please wait ${s} seconds and enter it again.`,
    apiOff: "This server has no officials' API (neither TOKHAI_OFFICIALS_TOKEN nor officials is set).",
    failed: 'The data could not be loaded. Please try again.',
    loading: 'Loading…',
    list: 'Dossiers',
    form: 'Procedure',
    allForms: 'All procedures',
    status: 'Status',
    allStatuses: 'All statuses',
    received: 'Awaiting a decision',
    accepted: 'Accepted',
    refused: 'Refused',
    filter: 'Filter',
    order: 'Order',
    newestFirst: 'Newest first',
    oldestFirst: 'Oldest first (waiting longest)',
    reference: 'Reference',
    findLabel: 'Open a dossier by its reference',
    findHint: "The reference on the citizen's receipt, such as HS20261207-3185FF5D401203B8.",
    find: 'Open',
    giveReference: "Enter the dossier's reference, as the receipt gives it",
    receivedAt: 'Received',
    workingTime: 'Time taken (working hours)',
    due: 'Due by',
    noTimeLimit: 'No time limit',
    on_time: 'decided on time',
    late: 'decided late',
    overdue: 'overdue',
    running: 'not due yet',
    overdueFilter: 'Overdue, awaiting a decision',
    integrity: 'Integrity check',
    intact: 'The content is as it was received.',
    nationalIntact: (n) => `The data from the national population database (${n} bundle${n === 1 ? '' : 's'}) carries a valid signature and was not changed.`,
    signedOnly: (n) => `The data from the national population database (${n} bundle${n === 1 ? '' : 's'}) carries a valid signature; its locked values could not be checked again, the dossier's form version being no longer kept.`,
    noNational: 'The dossier holds no data from the national population database.',
    altered: 'Warning: the content of the dossier was changed after it was received.',
    nationalAltered: (fields) => `Warning: the dossier's national data no longer matches its signature (${fields}).`,
    none: 'No dossiers.',
    more: 'Show more',
    listed: (n) => `${n} dossiers shown.`,
    back: 'Dossiers',
    dossier: (id) => `Dossier ${id}`,
    version: (v) => `version ${v}`,
    answers: 'Answers',
    otherAnswers: "Fields the form's definition does not have",
    source: 'Source',
    nationalLocked: 'National population database, locked (the citizen could not change it)',
    national: 'National population database (kept by the citizen)',
    household: 'National population database (household member)',
    citizenEdited: 'The citizen, instead of national data',
    citizen: 'The citizen',
    files: 'Attached files',
    noFiles: 'No files attached.',
    bytes: (n) => (n < 1024 ? `${n} bytes` : `${(n / 1024).toLocaleString('en', { maximumFractionDigits: 1 })} KB`),
    downloadFailed: 'The file could not be downloaded. Please try again.',
    decision: 'Decision',
    decidedAt: 'Decided',
    official: 'Official',
    reasonsGiven: 'Reasons',
    wholeDossier: 'The whole dossier',
    error: 'Error',
    decideLegend: 'Your decision on this dossier',
    accept: 'Accept the dossier',
    refuse: 'Refuse the dossier',
    reasons: 'Reasons for refusal',
    reasonsHint: 'The citizen will read these reasons. Tie a reason to a field to tell them what to correct.',
    reason: (n) => `Reason ${n}`,
    reasonText: 'Reason',
    reasonTextEn: 'The reason in English (optional)',
    reasonField: 'Field concerned',
    wholeDossierOption: 'The whole dossier (no field)',
    removeReason: (n) => `Remove reason ${n}`,
    addReason: 'Add a reason',
    officialHint: 'Your name or staff id; the citizen does not see it.',
    officialOwnHint: 'You use your own access token: the decision is recorded in your name. The citizen does not see it.',
    send: 'Record the decision',
    problem: 'There is a problem',
    chooseDecision: 'Choose whether to accept or refuse the dossier',
    giveOfficial: 'Enter your name or staff id, 200 characters at most',
    decided: 'The decision is recorded.',
    alreadyDecided: 'This dossier had already been decided; that decision stands.',
    sendFailed: 'The decision could not be sent. Please try again.',
  },
};

/** Where this tab keeps the officials' token: sessionStorage, gone with the tab. */
const TOKEN = 'tokhai-officials-token';

/** Dossiers asked for at a time. */
const PAGE = 50;

/**
 * The paths of a decision whose problems of the request's shape the page words itself: the server's words
 * name the request's keys (its `decision.*` problems, as another official's name, are told in its words).
 */
const OWN_WORDS = { decision: 'chooseDecision', official: 'giveOfficial' };

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);

/**
 * What the page shows, to draw again in the other language: the forms, the dossiers listed and the
 * time before which more may follow, the dossier opened (its answers as the citizen read them), the
 * problems the server found with the decision asked, and the status line and problems with the token
 * and with the reference asked for, as functions giving their words.
 */
const state = {
  forms: [], listed: [], next: null, workingDay: null, dossier: null, problems: [], sending: false,
  said: null, tokenProblem: null, findProblem: null,
  // Whose the token is (GET /api/officials/me), once asked.
  me: null,
};

const language = pageLanguage(WORDS, 'tokhai-officials-lang', redraw);
const { w } = language;
const text = (t) => inLanguage(t, language.lang);
/** The words of a refusal (or of one of its reasons) in the page's language. */
const saidBy = (body) => body[`message_${language.lang}`] || body.message_vi;

/** A refusal of the officials' API the page has dealt with: the token is asked for again, or the API is off. */
class Unanswered extends Error {}

/** This page's address with `changes` to its query (`null` removes a key). */
function here(changes) {
  const query = new URLSearchParams(location.search);
  for (const [key, value] of Object.entries(changes)) value === null ? query.delete(key) : query.set(key, value);
  return `${location.pathname}?${query}`;
}

/** The title of form `id`, or the id. */
const formTitle = (id) => text(state.forms.find((f) => f.id === id)?.title) || id;

/** Writes `words()` in the status line, as an error if `error`. */
function say(words, error = false) {
  state.said = { words, error };
  $('status').textContent = words();
  $('status').classList.toggle('error', error);
}

/** Says that `error` stopped the page, unless it was dealt with already. */
function failed(error, words = 'failed') {
  if (!(error instanceof Unanswered)) say(() => `${w(words)} (${error.message})`, true);
}

/** Shows `message` at the control of a form field (its `.field`), or clears it (`null`). */
function markField(control, message) {
  const field = control.closest('.field');
  const id = `${control.id}-error`;
  const described = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((d) => d && d !== id);
  field.querySelector('.field-error')?.remove();
  field.classList.toggle('invalid', message !== null);
  control.toggleAttribute('aria-invalid', message !== null);
  if (message !== null) {
    const error = el('p', { id, class: 'field-error' });
    error.append(el('span', { class: 'visually-hidden' }, `${w('error')}: `), message);
    field.querySelector('.choices, input, textarea, select').before(error);
    described.push(id);
  }
  control.setAttribute('aria-describedby', described.join(' '));
}

/** Asks for the token (again), saying `problem()` at its box if given, and shows no dossier meanwhile. */
function askToken(problem = null) {
  state.tokenProblem = problem;
  $('access').hidden = false;
  $('list-view').hidden = true;
  $('dossier-view').hidden = true;
  markField($('token'), problem && problem());
  say(() => w('needToken'));
  $('token').focus();
}

/** A request to the officials' API with the token; the token refused or the API off are dealt with here. */
async function api(path, init = {}) {
  const Authorization = `Bearer ${sessionStorage.getItem(TOKEN)}`;
  const res = await fetch(path, { ...init, headers: { Accept: 'application/json', ...init.headers, Authorization } });
  if (res.status === 401 || res.status === 429) {
    sessionStorage.removeItem(TOKEN);
    state.me = null;
    const wait = res.headers.get('Retry-After') ?? '60';
    askToken(res.status === 401 ? () => w('wrongToken') : () => w('tooMany')(wait));
    throw new Unanswered();
  }
  // Without its token configured the server has no officials' API: a 404 of an unknown address, not of a dossier.
  if (res.status === 404 && !(await res.clone().json().catch(() => ({}))).error?.startsWith('dossier.')) {
    $('access').hidden = true;
    say(() => w('apiOff'), true);
    throw new Unanswered();
  }
  return res;
}

/** The JSON answer of `res`; a refusal is thrown with its words and its body. */
async function answer(res) {
  const body = await res.json();
  if (!res.ok) throw Object.assign(new Error(saidBy(body)), { body });
  return body;
}

/** A row of a summary list: a term and its descriptions (texts or elements). */
function summaryRow(term, ...descriptions) {
  const div = el('div');
  div.append(el('dt', {}, term));
  for (const d of descriptions) {
    const dd = el('dd');
    dd.append(d);
    div.append(dd);
  }
  return div;
}

/** Whether the address asks for the oldest dossiers first. */
const oldestFirst = () => params.get('order') === 'oldest';

/** Lists the next page of dossiers (the first without `bound`) with the filters and order of the address. */
async function listMore(bound) {
  const query = new URLSearchParams({ limit: PAGE });
  for (const key of ['form', 'status', 'order']) if (params.get(key)) query.set(key, params.get(key));
  if (bound) query.set(oldestFirst() ? 'after' : 'before', bound);
  say(() => w('loading'));
  const body = await answer(await api(`/api/officials/dossiers?${query}`));
  state.listed.push(...body.dossiers);
  state.next = (oldestFirst() ? body.next_after : body.next_before) ?? null;
  state.workingDay = body.working_day_ms;
  $('list-view').hidden = false;
  drawList();
}

/** Draws the dossiers listed. */
function drawList() {
  const rows = state.listed.map((d) => {
    const tr = el('tr');
    const th = el('th', { scope: 'row' });
    th.append(el('a', { href: here({ dossier: d.id }) }, d.id));
    const cell = (label, words) => el('td', { 'data-label': w(label) }, words);
    tr.append(th, cell('form', formTitle(d.form_id)), cell('receivedAt', vietnamTime(d.received_at)), cell('status', w(d.status)),
      cell('workingTime', workingTime(d.working_ms, state.workingDay, language.lang)), cell('due', dueWords(d)));
    tr.lastChild.classList.toggle('late', isLate(d));
    return tr;
  });
  $('dossiers').tBodies[0].replaceChildren(...rows);
  $('dossiers').hidden = !rows.length;
  $('empty').hidden = rows.length > 0;
  $('more').hidden = state.next === null;
  say(() => w('listed')(state.listed.length));
}

/** When a dossier is due and how it stands to it (`due_at`, `timeliness`, as the server tells them), in words. */
const dueWords = (d) => (d.timeliness ? `${vietnamTime(d.due_at)} (${w(d.timeliness)})` : w('noTimeLimit'));

/** Whether a dossier was decided after its due time, or still waits past it. */
const isLate = (d) => d.timeliness === 'late' || d.timeliness === 'overdue';

/** Shows the next page of dossiers and moves the focus to the first of them. */
async function showMore() {
  const first = state.listed.length;
  try {
    await listMore(state.next);
    $('dossiers').tBodies[0].rows[first]?.querySelector('a').focus();
  } catch (error) {
    failed(error);
  }
}

/** The JSON at a URL of the portal. */
const json = (url) => fetch(url, { headers: { Accept: 'application/json' } }).then((res) => res.json());

/** Opens dossier `id`: its answers come as the citizen read them, with the labels of its fields. */
async function openDossier(id) {
  say(() => w('loading'));
  state.dossier = await answer(await api(`/api/officials/dossiers/${encodeURIComponent(id)}`));
  $('dossier-view').hidden = false;
  drawDossier();
  say(() => w('dossier')(id));
}

/** The label of the field a value path names (with its row), in the page's language, or the path. */
const fieldLabel = (path, label) => text(label) || path;

/** Where an answer comes from, as its provenance says. */
function sourceOf(entry = { source: 'citizen' }) {
  if (entry.source !== 'citizen') return w(entry.locked ? 'nationalLocked' : 'national');
  return w(entry.edited_from ? 'citizenEdited' : 'citizen');
}

/** One answer of the dossier: its field's label, the answer as the citizen read it, and its source. */
function answerRow(field, entry) {
  const shown = field.rows ? el('ol') : text(field.text);
  field.rows?.forEach((row, i) => {
    const household = entry?.rows?.[i] ? ` (${w('household')})` : '';
    shown.append(el('li', {}, text(row.text) + household));
  });
  const div = summaryRow(fieldLabel(field.path, field.label), shown, `${w('source')}: ${sourceOf(entry)}`);
  div.dataset.path = field.path;
  div.lastElementChild.className = entry && entry.source !== 'citizen' ? 'source national' : 'source';
  return div;
}

/** The answers of the dossier, step by step, then those its form's definition does not have. */
function answers() {
  const { provenance } = state.dossier;
  return state.dossier.answers.flatMap((step) => {
    const list = el('dl', { class: 'summary-list answers' });
    list.append(...step.fields.map((f) => answerRow(f, provenance?.[f.path])));
    return [el('h4', {}, step.title ? text(step.title) : w('otherAnswers')), list];
  });
}

/** A file of the dossier: a link that downloads it (with the token), its field, size and SHA-256. */
function fileItem(file) {
  const li = el('li');
  const link = el('a', { href: file.href, download: file.name }, file.name);
  link.addEventListener('click', (event) => {
    event.preventDefault();
    download(file);
  });
  li.append(link, ` — ${fieldLabel(file.path, file.label)}, ${w('bytes')(file.size)}`, el('br'), el('code', { class: 'sha256' }, `SHA-256 ${file.sha256}`));
  return li;
}

/** Downloads a file of the dossier with the token, and saves it under its name. */
async function download(file) {
  try {
    const res = await api(file.href, { headers: { Accept: '*/*' } });
    if (!res.ok) throw new Error(saidBy(await res.json()));
    save(await res.blob(), file.name);
  } catch (error) {
    failed(error, 'downloadFailed');
  }
}

/** Draws the dossier opened: its receipt, answers, files and decision. */
function drawDossier() {
  const d = state.dossier;
  $('back').href = here({ dossier: null });
  $('dossier-heading').textContent = w('dossier')(d.id);
  $('receipt').replaceChildren(
    summaryRow(w('form'), `${formTitle(d.form_id)}, ${w('version')(d.form_version)}`),
    summaryRow(w('receivedAt'), vietnamTime(d.received_at)),
    summaryRow(w('status'), w(d.status)),
    summaryRow(w('workingTime'), workingTime(d.working_ms, d.working_day_ms, language.lang)),
    dueRow(d),
    integrityRow(d.integrity),
  );
  $('answers').replaceChildren(...answers());
  $('files').replaceChildren(...(d.files.length ? d.files.map(fileItem) : [el('li', {}, w('noFiles'))]));
  drawDecision();
  showTitle();
}

/** When the dossier is due and how it stands to it; late or overdue stands out. */
function dueRow(d) {
  const row = summaryRow(w('due'), dueWords(d));
  row.classList.toggle('warning', isLate(d));
  return row;
}

/** The integrity check of the dossier: its content as received, its national data as signed; warnings stand out. */
function integrityRow({ digest_matches: same, bundles, values_checked: checked, problems }) {
  const fields = [...new Set(problems.map((p) => text(p.label) || w('wholeDossier')))].join(', ');
  const national = () => {
    if (problems.length) return w('nationalAltered')(fields);
    if (!bundles) return w('noNational');
    return w(checked ? 'nationalIntact' : 'signedOnly')(bundles);
  };
  const words = [w(same ? 'intact' : 'altered'), national()];
  const row = summaryRow(w('integrity'), words.join(' '));
  if (!same || problems.length) row.classList.add('warning');
  return row;
}

/** The page's title: the dossier opened, if any, after "Lỗi: " while the decision or the reference asked for has problems shown. */
function showTitle() {
  const title = [state.dossier?.id, w('title')].filter(Boolean).join(' — ');
  document.title = state.problems.length || state.findProblem ? `${w('error')}: ${title}` : title;
}

/** Draws the decision on the dossier if one was made, else the form to make it. */
function drawDecision() {
  const { decision } = state.dossier;
  $('decision-made').hidden = !decision;
  $('decide').hidden = Boolean(decision);
  if (!decision) {
    if (!reasonRows().length) $('reason-list').append(newReason());
    drawReasons();
    drawProblems();
    return;
  }
  const reasons = el('ul');
  for (const r of decision.reasons) {
    const words = (language.lang === 'en' && r.message_en) || r.message_vi;
    reasons.append(el('li', {}, `${r.path ? fieldLabel(r.path, r.label) : w('wholeDossier')}: ${words}`));
  }
  $('decision-made').replaceChildren(
    summaryRow(w('decision'), w(decision.decision)),
    summaryRow(w('decidedAt'), vietnamTime(decision.decided_at)),
    summaryRow(w('official'), decision.official),
    ...(decision.reasons.length ? [summaryRow(w('reasonsGiven'), reasons)] : []),
  );
}

/** The reasons of the refusal, a fieldset each. */
const reasonRows = () => [...$('reason-list').children];

/** A new reason's fieldset, from its template. */
const newReason = () => $('reason-row').content.firstElementChild.cloneNode(true);

/** Numbers the reasons (legends, ids, the paths of the request they fill) and words them in the page's language. */
function drawReasons() {
  const rows = reasonRows();
  rows.forEach((reason, i) => {
    const [message, english, field] = ['.reason-vi', '.reason-en', 'select'].map((s) => reason.querySelector(s));
    message.id = `reason-${i}-text`;
    message.dataset.path = `reasons[${i}].message_vi`;
    english.id = `reason-${i}-text-en`;
    english.dataset.path = `reasons[${i}].message_en`;
    field.id = `reason-${i}-field`;
    field.dataset.path = `reasons[${i}].path`;
    const labels = reason.querySelectorAll('label');
    [message, english, field].forEach((control, n) => (labels[n].htmlFor = control.id));
    for (const e of reason.querySelectorAll('[data-t]')) e.textContent = w(e.dataset.t);
    reason.querySelector('legend').textContent = w('reason')(i + 1);
    const remove = reason.querySelector('button');
    remove.textContent = w('removeReason')(i + 1);
    remove.hidden = rows.length === 1;
    offerFields(field);
  });
}

/**
 * Offers in `select` the whole dossier and, step by step, the fields the dossier answers, a repeat group's
 * followed by the answers of each of its rows; keeps the choice.
 */
function offerFields(select) {
  const chosen = select.value;
  const option = (f) => el('option', { value: f.path }, text(f.label));
  const groups = state.dossier.answers.filter((step) => step.title).map((step) => {
    const group = el('optgroup', { label: text(step.title) });
    group.append(...step.fields.flatMap((f) => [option(f), ...(f.rows ?? []).flatMap((row) => row.fields.map(option))]));
    return group;
  });
  select.replaceChildren(el('option', { value: '' }, w('wholeDossierOption')), ...groups);
  select.value = chosen;
}

/** The control of a path of the decision asked (`reasons[0].path`); `reasons` alone is the first reason's text. */
function controlAt(path) {
  const form = $('decide');
  const at = CSS.escape(path);
  return form.querySelector(`[data-path="${at}"]`) ?? form.querySelector(`[data-path^="${at}"]`) ?? $('decision-accepted');
}

/** Shows the problems the server found with the decision asked: at their controls and in the error summary. */
function drawProblems() {
  for (const control of $('decide').querySelectorAll('[aria-invalid]')) markField(control, null);
  const items = state.problems.map((problem) => {
    const control = controlAt(problem.path);
    const own = OWN_WORDS[problem.path] && !problem.code?.startsWith('decision.');
    const words = own ? w(OWN_WORDS[problem.path]) : saidBy(problem);
    markField(control, words);
    const li = el('li');
    li.append(el('a', { href: `#${control.id}` }, words));
    return li;
  });
  $('problems').replaceChildren(...items);
  $('error-summary').hidden = !items.length;
  showTitle();
}

/** The decision the form asks for: accepted, or refused with its reasons; without a choice, none. */
function asked() {
  const decision = new FormData($('decide')).get('decision');
  const reasons = reasonRows().map((reason) => {
    const path = reason.querySelector('select').value;
    const english = reason.querySelector('.reason-en').value;
    return { message_vi: reason.querySelector('.reason-vi').value, ...(english.trim() && { message_en: english }), ...(path && { path }) };
  });
  return { ...(decision && { decision }), official: $('official').value, ...(decision === 'refused' && { reasons }) };
}

/** Sends the decision asked; shows it once recorded, else the problems the server found with it. */
async function decide(event) {
  event.preventDefault();
  if (state.sending) return;
  state.sending = true;
  try {
    const res = await api(`/api/officials/dossiers/${encodeURIComponent(state.dossier.id)}/decision`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(asked()),
    });
    const body = await res.json();
    if (res.status === 201 || res.status === 409) return decided(res.status === 201 ? body : body.decision, res.status === 201);
    if (!body.reasons) throw new Error(saidBy(body));
    state.problems = body.reasons;
    drawProblems();
    $('error-summary').focus();
  } catch (error) {
    failed(error, 'sendFailed');
  } finally {
    state.sending = false;
  }
}

/** Shows the decision on the dossier, with the focus: the one just made (`now`), or one made before. */
function decided(decision, now) {
  Object.assign(state.dossier, { decision, status: decision.decision, working_ms: decision.working_ms, timeliness: decision.timeliness });
  state.problems = [];
  drawDossier();
  say(() => w(now ? 'decided' : 'alreadyDecided'), !now);
  $('decision-heading').focus();
}

/** Wires the decision form: reasons shown for a refusal, added and removed, and the summary's links. */
function wireDecision() {
  $('decide').addEventListener('submit', decide);
  $('decide').addEventListener('change', () => ($('reasons').hidden = !$('decision-refused').checked));
  $('add-reason').addEventListener('click', () => {
    const reason = newReason();
    $('reason-list').append(reason);
    drawReasons();
    reason.querySelector('.reason-vi').focus();
  });
  $('reason-list').addEventListener('click', (event) => {
    const reason = event.target.closest('button')?.closest('.reason');
    if (!reason) return;
    reason.remove();
    // The server's problems name reasons by their place, which has changed.
    state.problems = [];
    drawReasons();
    drawProblems();
    $('add-reason').focus();
  });
  $('problems').addEventListener('click', (event) => {
    const link = event.target.closest('a');
    if (!link) return;
    event.preventDefault();
    const control = $(link.hash.slice(1));
    control.closest('.field').scrollIntoView();
    control.focus({ preventScroll: true });
  });
}

/** Draws again what the page shows, in the language just chosen. */
function redraw() {
  const { said } = state;
  labelForms();
  if (!$('list-view').hidden) drawList();
  if (state.dossier) drawDossier();
  if (state.tokenProblem) markField($('token'), state.tokenProblem());
  if (state.findProblem) markField($('find-id'), state.findProblem());
  showTitle();
  // What the status line said, which drawing the list says over.
  if (said) say(said.words, said.error);
}

/**
 * The official's box: with an official's own token, their name, fixed (the server records decisions
 * in it); with the agency's, the name to give.
 */
function drawOfficial() {
  const own = state.me?.official;
  $('official').readOnly = Boolean(own);
  if (own) $('official').value = own;
  $('official-hint').dataset.t = own ? 'officialOwnHint' : 'officialHint';
  $('official-hint').textContent = w($('official-hint').dataset.t);
}

/** Shows what the address asks for: a dossier (`?dossier=`), else the dossiers listed. */
async function show() {
  $('access').hidden = true;
  try {
    state.me ??= await answer(await api('/api/officials/me'));
    drawOfficial();
    await (params.has('dossier') ? openAsked(params.get('dossier')) : listMore(null));
  } catch (error) {
    failed(error);
  }
}

/** Opens the dossier the address names; one there is not is said at the reference's box, over the list. */
async function openAsked(id) {
  try {
    await openDossier(id);
  } catch (error) {
    if (error.body?.error !== 'dossier.not_found') throw error;
    await listMore(null);
    showFindProblem(() => saidBy(error.body), id);
  }
}

/** Says `problem()` at the reference's box, which holds `id`, and moves the focus there. */
function showFindProblem(problem, id) {
  state.findProblem = problem;
  $('find-id').value = id;
  markField($('find-id'), problem());
  say(problem, true);
  showTitle();
  $('find-id').focus();
}

/** Fills the filters with the forms of the portal and the choices of the address. */
function fillFilters() {
  $('form-filter').append(...state.forms.map((f) => el('option', { value: f.id })));
  labelForms();
  $('form-filter').value = params.get('form') ?? '';
  $('status-filter').value = params.get('status') ?? '';
  $('order-filter').value = oldestFirst() ? 'oldest' : 'newest';
  const caption = $('dossiers').caption;
  caption.dataset.t = oldestFirst() ? 'oldestFirst' : 'newestFirst';
  caption.textContent = w(caption.dataset.t);
}

/** Names the forms of the filter in the page's language. */
function labelForms() {
  for (const option of $('form-filter').options) if (option.value) option.textContent = formTitle(option.value);
}

async function start() {
  state.forms = (await json('/api/forms').catch(() => ({}))).forms ?? [];
  fillFilters();
  $('access').addEventListener('submit', async (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN, $('token').value.trim());
    $('token').value = '';
    state.tokenProblem = null;
    markField($('token'), null);
    await show();
    document.querySelector('main > :not([hidden]) h2')?.focus();
  });
  $('more').addEventListener('click', showMore);
  // A reference as a receipt prints it, whatever its case and spaces; none asked for is said at the box.
  $('find').addEventListener('submit', (event) => {
    const id = $('find-id').value.replace(/\s/g, '').toUpperCase();
    $('find-id').value = id;
    if (id) return;
    event.preventDefault();
    showFindProblem(() => w('giveReference'), id);
  });
  wireDecision();
  if (sessionStorage.getItem(TOKEN)) await show();
  else askToken();
}

start();
