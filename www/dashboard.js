// QA dashboard of filing times: reads GET /api/qa/forms/<id>/summary (or /api/qa/summary, all
// procedures) and draws it with plain DOM and SVG; downloads the matching filings.csv and dossiers.csv.
// No inline script or style, no library: it runs under a strict Content-Security-Policy.
import { el, pageLanguage, save, workingTime } from './page.js';
import { inLanguage } from './text.js';

const SVG = 'http://www.w3.org/2000/svg';

const WORDS = {
  vi: {
    title: 'Thời gian khai hồ sơ — bảng theo dõi chất lượng',
    switchTo: 'English',
    form: 'Thủ tục',
    allForms: 'Tất cả thủ tục',
    days: 'Khoảng thời gian',
    d1: '1 ngày qua', d7: '7 ngày qua', d30: '30 ngày qua', d90: '90 ngày qua', d366: 'Một năm qua',
    range: 'Chọn từ ngày đến ngày',
    rangeLegend: 'Các ngày theo giờ Việt Nam (UTC+7), tính cả hai đầu',
    from: 'Từ ngày', to: 'Đến ngày',
    badRange: 'Hãy chọn ngày bắt đầu và ngày kết thúc, ngày bắt đầu không sau ngày kết thúc.',
    targetPick: 'Mục tiêu thời gian', targetServer: 'Theo cấu hình máy chủ', t300: '5 phút', t480: '8 phút',
    loginPick: 'Cách đăng nhập',
    loginAll: 'Tất cả (trừ lượt khai kiểm thử QA)', loginAllQa: 'Tất cả, kể cả lượt khai kiểm thử QA',
    loginOidc: 'Tài khoản định danh (OIDC)', loginDev: 'Đăng nhập thử nghiệm', loginQa: 'Chỉ lượt khai kiểm thử QA',
    inPersonPick: 'Thời gian cán bộ xử lý hồ sơ nộp trực tiếp (giờ làm việc, để so sánh)',
    badInPerson: 'Thời gian xử lý hồ sơ nộp trực tiếp: một số giờ làm việc từ 1 đến 8760.',
    refresh: 'Cập nhật',
    csv: 'Tải từng lượt khai (CSV)',
    dossiersCsv: 'Tải từng hồ sơ và thời gian xử lý (CSV)',
    csvFailed: 'Không tải được tệp CSV. Vui lòng thử lại.',
    key: 'Số liệu chính',
    hist: 'Phân bố thời gian từ đăng nhập đến nộp hồ sơ',
    details: 'Chi tiết',
    token: 'Mã truy cập QA',
    open: 'Mở thống kê',
    needToken: 'Trang này cần mã truy cập của cán bộ kiểm tra chất lượng.',
    loading: 'Đang tải số liệu…',
    loaded: (n) => `Đã tải số liệu của ${n} lượt khai.`,
    failed: 'Không tải được số liệu. Vui lòng thử lại.',
    noForms: 'Máy chủ chưa có biểu mẫu nào.',
    filings: 'Lượt khai', submitted: 'Đã nộp', attempted: 'Đã bấm nộp, chưa được tiếp nhận', mean: 'Trung bình',
    median: 'Trung vị', p90: 'Phân vị 90',
    within: (t) => `Nộp trong ${t}`, abandonment: 'Bỏ dở', satisfaction: 'Mức hài lòng (1–5)',
    satisfied: (t) => `Đánh giá 4–5 điểm (mục tiêu hài lòng ${t})`,
    prefilled: 'Trường điền sẵn từ dữ liệu quốc gia (trung bình, hồ sơ đã nộp)',
    chartTitle: (t) => `Biểu đồ phân bố thời gian khai, mục tiêu ${t}`,
    chartDesc: (n, med, p90, t) =>
      `${n} hồ sơ đã nộp. Trung vị ${med}, phân vị 90 ${p90}. Đường đỏ đứt nét là mục tiêu ${t}.`,
    target: (t) => `Mục tiêu ${t}`,
    minutes: 'phút',
    count: 'Số hồ sơ',
    noData: 'Chưa có số liệu trong khoảng thời gian này.',
    daily: 'Theo ngày', day: 'Ngày', byForm: 'Theo thủ tục', scroll: (t) => `${t} (cuộn ngang)`,
    steps: 'Các bước chậm nhất', step: 'Bước', entered: 'Lượt vào',
    fields: 'Các trường chậm nhất', field: 'Trường', dwell: 'Thời gian nhập (trung vị)',
    corrections: 'Lần sửa', errors: 'Lỗi hiển thị',
    hot: 'Điểm hay gặp lỗi', code: 'Mã lỗi', shown: 'Số lần hiện', inFilings: 'Số lượt khai',
    left: 'Nơi người dân bỏ dở', place: 'Bước / trường',
    rating: 'Đánh giá mức hài lòng', score: 'Điểm', votes: 'Số đánh giá',
    comments: (n) => `${n} đánh giá có kèm ý kiến (ý kiến không hiển thị ở đây).`,
    processing: 'Thời gian cán bộ xử lý hồ sơ', processingByForm: 'Cán bộ xử lý hồ sơ, theo thủ tục',
    received: 'Hồ sơ đã tiếp nhận', accepted: 'Đã chấp nhận', refused: 'Đã từ chối (có nêu lý do)',
    pending: 'Chưa có quyết định', handlingMean: 'Từ tiếp nhận đến quyết định (trung bình)',
    inPerson: 'Khi nộp trực tiếp',
    onTime: 'Giải quyết đúng hạn (thủ tục có quy định thời hạn)', late: 'Giải quyết trễ hạn', overdue: 'Quá hạn, chưa có quyết định',
    weekdays: { mon: 'Thứ Hai', tue: 'Thứ Ba', wed: 'Thứ Tư', thu: 'Thứ Năm', fri: 'Thứ Sáu', sat: 'Thứ Bảy', sun: 'Chủ nhật' },
    officeHours: (days, hours, off) =>
      `Tính theo thời gian làm việc của cơ quan: ${days}, ${hours}${off ? `, trừ ${off} ngày nghỉ đã khai báo` : ''}.`,
    reduction: (t) => `Nhanh hơn nộp trực tiếp (mục tiêu ${t})`, met: 'đạt', notMet: 'chưa đạt',
    none: '—',
  },
  en: {
    title: 'Filing time — quality dashboard',
    switchTo: 'Tiếng Việt',
    form: 'Procedure',
    allForms: 'All procedures',
    days: 'Period',
    d1: 'Last day', d7: 'Last 7 days', d30: 'Last 30 days', d90: 'Last 90 days', d366: 'Last year',
    range: 'From one day to another',
    rangeLegend: 'Days in Viet Nam time (UTC+7), both included',
    from: 'From', to: 'To',
    badRange: 'Choose a first and a last day, the first not after the last.',
    targetPick: 'Time target', targetServer: 'Server setting', t300: '5 minutes', t480: '8 minutes',
    loginPick: 'Login method',
    loginAll: 'All (QA test filings left out)', loginAllQa: 'All, QA test filings included',
    loginOidc: 'Identity account (OIDC)', loginDev: 'Development login', loginQa: 'QA test filings only',
    inPersonPick: 'Time officials take on a dossier filed in person (working hours, to compare)',
    badInPerson: 'Time officials take in person: a number of working hours from 1 to 8760.',
    refresh: 'Refresh',
    csv: 'Download each filing (CSV)',
    dossiersCsv: 'Download each dossier and its processing time (CSV)',
    csvFailed: 'The CSV file could not be downloaded. Please try again.',
    key: 'Key figures',
    hist: 'Time from login to submission',
    details: 'Details',
    token: 'QA access token',
    open: 'Open the figures',
    needToken: 'This page needs the QA access token.',
    loading: 'Loading figures…',
    loaded: (n) => `Figures of ${n} filings loaded.`,
    failed: 'The figures could not be loaded. Please try again.',
    noForms: 'The server has no forms yet.',
    filings: 'Filings', submitted: 'Submitted', attempted: 'Submit pressed, not received', mean: 'Average',
    median: 'Median', p90: '90th percentile',
    within: (t) => `Submitted within ${t}`, abandonment: 'Abandoned', satisfaction: 'Satisfaction (1–5)',
    satisfied: (t) => `Rated 4 or 5 (satisfaction target ${t})`,
    prefilled: 'Fields filled from national data (average, submitted)',
    chartTitle: (t) => `Histogram of filing times, target ${t}`,
    chartDesc: (n, med, p90, t) =>
      `${n} dossiers submitted. Median ${med}, 90th percentile ${p90}. The dashed red line is the ${t} target.`,
    target: (t) => `Target ${t}`,
    minutes: 'min',
    count: 'Dossiers',
    noData: 'No figures in this period yet.',
    daily: 'By day', day: 'Day', byForm: 'By procedure', scroll: (t) => `${t} (scrolls sideways)`,
    steps: 'Slowest steps', step: 'Step', entered: 'Visits',
    fields: 'Slowest fields', field: 'Field', dwell: 'Time typing (median)',
    corrections: 'Corrections', errors: 'Errors shown',
    hot: 'Error hot spots', code: 'Issue code', shown: 'Times shown', inFilings: 'Filings',
    left: 'Where citizens leave', place: 'Step / field',
    rating: 'Satisfaction ratings', score: 'Score', votes: 'Ratings',
    comments: (n) => `${n} ratings came with a comment (comments are not shown here).`,
    processing: 'Time officials take on a dossier', processingByForm: 'Officials’ processing by procedure',
    received: 'Dossiers received', accepted: 'Accepted', refused: 'Refused (with reasons)',
    pending: 'Awaiting a decision', handlingMean: 'Receipt to decision (average)',
    inPerson: 'Filed in person',
    onTime: 'Decided on time (procedures with a time limit)', late: 'Decided late', overdue: 'Overdue, awaiting a decision',
    weekdays: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
    officeHours: (days, hours, off) =>
      `Counted in the agency’s working time: ${days}, ${hours}${off ? `, less ${off} configured days off` : ''}.`,
    reduction: (t) => `Faster than in person (target ${t})`, met: 'met', notMet: 'not met',
    none: '—',
  },
};

/** The form picker's value for all procedures together. */
const ALL = '*';

let lastSummary = null;
/** The status line as a function of the language, with whether it tells an error. */
let status = { say: () => '', error: false };
const $ = (id) => document.getElementById(id);
const language = pageLanguage(WORDS, 'tokhai-qa-lang', () => {
  fillForms(formsList);
  if (lastSummary) draw(lastSummary);
  showStatus();
});
const w = language.w;

function svg(tag, attrs = {}, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A duration in ms as "3 phút 20 giây" / "3 min 20 s". */
function duration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return w('none');
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  if (language.lang === 'en') return m ? (s ? `${m} min ${s} s` : `${m} min`) : `${s} s`;
  return m ? (s ? `${m} phút ${s} giây` : `${m} phút`) : `${s} giây`;
}

/** A processing time in ms, in the working days and hours of the summary's office hours, or "—" for none. */
function processingTime(ms, s) {
  return ms === null || ms === undefined || !Number.isFinite(ms) ? w('none') : workingTime(ms, s.working_day_ms, language.lang);
}

/** The agency's working time, as the server counts processing in it: days, hours and the days off configured. */
function officeHours({ days, hours, holidays }) {
  const dayNames = days.map((d) => w('weekdays')[d]).join(', ');
  return w('officeHours')(dayNames, hours.map((h) => h.replace('-', '–')).join(', '), holidays.length);
}

function percent(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return w('none');
  return `${(x * 100).toLocaleString(language.lang, { maximumFractionDigits: 1 })} %`;
}

/** A share and whether it `met` its target, as the server tells ("96 % — đạt"), or "—" when there is none. */
function againstTarget(share, met) {
  return share === null || share === undefined ? w('none') : `${percent(share)} — ${w(met ? 'met' : 'notMet')}`;
}

function number(x, digits = 0) {
  if (x === null || x === undefined || !Number.isFinite(x)) return w('none');
  return x.toLocaleString(language.lang, { maximumFractionDigits: digits });
}

/** A label of the summary, or a form's title, in the page's language. */
const label = (text) => inLanguage(text, language.lang);

/** Shows a status: `say` gives its text in the page's language, now and after a switch of language. */
function setStatus(say, error = false) {
  status = { say, error };
  showStatus();
}

function showStatus() {
  $('status').textContent = status.say();
  $('status').classList.toggle('error', status.error);
}

function figures(s) {
  const a = s.aggregate;
  const items = [
    [w('filings'), number(a.filings)],
    [w('submitted'), number(a.submitted)],
    [w('attempted'), number(a.attempted)],
    // The national target is set on the average time from login to submission.
    [w('mean'), duration(a.mean_ms)],
    [w('median'), duration(a.median_ms)],
    [w('p90'), duration(a.p90_ms)],
    [w('within')(duration(s.target_ms)), percent(a.share_within_target)],
    [w('abandonment'), percent(a.abandonment_rate)],
    [w('prefilled'), percent(a.prefill_share)],
    [w('satisfaction'), number(s.satisfaction.mean, 2)],
    [w('satisfied')(percent(s.satisfaction.target)), againstTarget(s.satisfaction.satisfied_share, s.satisfaction.meets_target)],
  ];
  $('figures').replaceChildren(...items.map(([term, value]) => figure(term, value)));
}

/** One figure of a list of figures: its term and its value. */
function figure(term, value) {
  const d = el('div');
  d.append(el('dt', {}, term), el('dd', {}, value));
  return d;
}

/** How officials handled the dossiers received: counts, receipt → decision, and the comparison with filing in person. */
function processing(s) {
  const p = s.processing;
  const items = [
    [w('received'), number(p.received)],
    [w('accepted'), number(p.accepted)],
    [w('refused'), number(p.refused)],
    [w('pending'), number(p.pending)],
    [w('handlingMean'), processingTime(p.mean_ms, s)],
    [w('median'), processingTime(p.median_ms, s)],
    [w('p90'), processingTime(p.p90_ms, s)],
    [w('inPerson'), processingTime(s.in_person_ms, s)],
    [w('reduction')(percent(s.processing_reduction_target)), againstTarget(p.reduction, p.meets_target)],
    [w('onTime'), percent(p.on_time_share)],
    [w('late'), number(p.late)],
    [w('overdue'), number(p.overdue)],
  ];
  $('processing').replaceChildren(...items.map(([term, value]) => figure(term, value)));
  $('office-hours').textContent = officeHours(s.office_hours);
}

/** The histogram: one bar per bucket, the target as a dashed line, median and p90 as markers. */
function histogram(s) {
  const box = $('histogram');
  const buckets = s.histogram.buckets;
  const a = s.aggregate;
  if (!a.submitted) {
    box.replaceChildren(el('p', { class: 'empty' }, w('noData')));
    return;
  }
  const width = 720;
  const height = 300;
  const left = 48;
  const bottom = 58;
  const top = 24;
  const plotW = width - left - 44;
  const plotH = height - top - bottom;
  const bucketMs = s.histogram.bucket_ms;
  const spanMs = bucketMs * buckets.length;
  const x = (ms) => left + (Math.min(ms, spanMs) / spanMs) * plotW;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const y = (n) => top + plotH - (n / max) * plotH;
  const target = duration(s.target_ms);
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-labelledby': 'hist-title hist-desc',
  });
  root.append(
    svg('title', { id: 'hist-title' }, w('chartTitle')(target)),
    svg('desc', { id: 'hist-desc' }, w('chartDesc')(a.submitted, duration(a.median_ms), duration(a.p90_ms), target)),
  );
  const bw = plotW / buckets.length;
  buckets.forEach((b, i) => {
    const bar = svg('rect', {
      class: b.to_ms === null ? 'bar over' : 'bar',
      x: left + i * bw + 1,
      y: y(b.count),
      width: Math.max(1, bw - 2),
      height: top + plotH - y(b.count),
    });
    const range = b.to_ms === null ? `≥ ${duration(b.from_ms)}` : `${duration(b.from_ms)} – ${duration(b.to_ms)}`;
    bar.append(svg('title', {}, `${range}: ${b.count}`));
    root.append(bar);
  });
  root.append(
    svg('line', { class: 'axis', x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH }),
    svg('line', { class: 'axis', x1: left, y1: top, x2: left, y2: top + plotH }),
    svg('text', { x: left - 6, y: top + 4, 'text-anchor': 'end' }, String(max)),
    svg('text', { x: left - 6, y: top + plotH, 'text-anchor': 'end' }, '0'),
    svg('text', { x: 12, y: top + plotH / 2, transform: `rotate(-90 12 ${top + plotH / 2})`, 'text-anchor': 'middle' }, w('count')),
  );
  const stepMin = Math.max(1, Math.round(spanMs / 60000 / 10));
  for (let m = 0; m * 60000 <= spanMs; m += stepMin) {
    root.append(svg('text', { x: x(m * 60000), y: top + plotH + 16, 'text-anchor': 'middle' }, String(m)));
  }
  root.append(svg('text', { x: left + plotW, y: top + plotH + 16, 'text-anchor': 'start', dx: 8 }, w('minutes')));
  const tx = x(s.target_ms);
  root.append(
    svg('line', { class: 'target', x1: tx, y1: top - 8, x2: tx, y2: top + plotH }),
    svg('text', { class: 'target-label', x: tx + 4, y: top - 10 }, w('target')(target)),
  );
  [['median', a.median_ms], ['p90', a.p90_ms]].forEach(([key, ms], row) => {
    if (ms === null) return;
    const mx = x(ms);
    const anchor = mx > left + plotW * 0.8 ? 'end' : mx < left + plotW * 0.2 ? 'start' : 'middle';
    root.append(
      svg('line', { class: 'marker', x1: mx, y1: top, x2: mx, y2: top + plotH + 22 + row * 14 }),
      svg('text', { x: mx, y: top + plotH + 32 + row * 14, 'text-anchor': anchor }, `${w(key)} ${duration(ms)}`),
    );
  });
  box.replaceChildren(root);
}

/**
 * A table with a caption; `columns` are [heading, numeric?], rows arrays of cell texts. It scrolls
 * sideways inside its own region (focusable, named by the caption), never the page (WCAG 1.4.10).
 */
function table(caption, columns, rows) {
  const region = el('div', { class: 'qa-scroll', role: 'region', tabindex: '0', 'aria-label': w('scroll')(caption) });
  const t = el('table');
  region.append(t);
  t.append(el('caption', {}, caption));
  const head = el('tr');
  for (const [h, num] of columns) head.append(el('th', { scope: 'col', class: num ? 'num' : '' }, h));
  const thead = el('thead');
  thead.append(head);
  t.append(thead);
  const body = el('tbody');
  if (!rows.length) {
    const tr = el('tr');
    tr.append(el('td', { colspan: String(columns.length), class: 'empty' }, w('noData')));
    body.append(tr);
  }
  for (const r of rows) {
    const tr = el('tr');
    r.forEach((cell, i) => tr.append(el(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : { class: columns[i][1] ? 'num' : '' }, cell)));
    body.append(tr);
  }
  t.append(body);
  return region;
}

function tables(s) {
  const sat = s.satisfaction;
  const ratings = table(
    w('rating'),
    [[w('score'), false], [w('votes'), true]],
    sat.count ? sat.distribution.map((n, i) => [`${i + 1}`, number(n)]).reverse() : [],
  );
  const wrap = el('div');
  wrap.append(ratings);
  if (sat.comments) wrap.append(el('p', {}, w('comments')(sat.comments)));
  // The national target is set on the average time: it comes first.
  const timeColumns = [[w('filings'), true], [w('submitted'), true], [w('mean'), true], [w('median'), true], [w('p90'), true],
    [w('within')(duration(s.target_ms)), true], [w('abandonment'), true]];
  const times = (x) => [number(x.filings), number(x.submitted), duration(x.mean_ms), duration(x.median_ms), duration(x.p90_ms),
    percent(x.share_within_target), percent(x.abandonment_rate)];
  const daily = table(w('daily'), [[w('day'), false], ...timeColumns], s.daily.map((d) => [d.day, ...times(d)]));
  if (s.forms) {
    const byForm = table(w('byForm'), [[w('form'), false], ...timeColumns], s.forms.map((f) => [label(f.title), ...times(f)]));
    const handled = table(
      w('processingByForm'),
      [[w('form'), false], [w('received'), true], [w('accepted'), true], [w('refused'), true], [w('pending'), true],
        [w('handlingMean'), true], [w('reduction')(percent(s.processing_reduction_target)), true], [w('onTime'), true],
        [w('overdue'), true]],
      s.processing_by_form.map((p) => [label(p.title), number(p.received), number(p.accepted), number(p.refused),
        number(p.pending), processingTime(p.mean_ms, s), againstTarget(p.reduction, p.meets_target), percent(p.on_time_share),
        number(p.overdue)]),
    );
    $('tables').replaceChildren(daily, byForm, handled, wrap);
    return;
  }
  $('tables').replaceChildren(
    daily,
    table(
      w('steps'),
      [[w('step'), false], [w('entered'), true], [w('median'), true], [w('p90'), true]],
      s.steps.map((x) => [label(x.label), number(x.filings), duration(x.median_ms), duration(x.p90_ms)]),
    ),
    table(
      w('fields'),
      [[w('field'), false], [w('inFilings'), true], [w('dwell'), true], [w('corrections'), true], [w('errors'), true]],
      s.fields.map((f) => [label(f.label), number(f.filings), duration(f.median_dwell_ms), number(f.corrections), number(f.errors)]),
    ),
    table(
      w('hot'),
      [[w('field'), false], [w('code'), false], [w('shown'), true], [w('inFilings'), true]],
      s.errors.map((h) => [label(h.label), h.code, number(h.shown), number(h.filings)]),
    ),
    table(
      w('left'),
      [[w('place'), false], [w('filings'), true]],
      s.abandoned_at.map((p) => [p.labels.map(label).join(' / '), number(p.count)]),
    ),
    wrap,
  );
}

function draw(s) {
  figures(s);
  histogram(s);
  processing(s);
  tables(s);
}

/**
 * The query of the chosen period, target, login method and time in person; or, when a choice is not one,
 * the key of the words that say why (`badRange`, `badInPerson`).
 */
function query() {
  const q = new URLSearchParams();
  if ($('days').value === 'range') {
    const [from, to] = [$('from').value, $('to').value];
    if (!from || !to || from > to) return 'badRange';
    q.set('from', from);
    q.set('to', to);
  } else {
    q.set('days', $('days').value);
  }
  if ($('target').value) q.set('target', $('target').value);
  const login = $('login').value;
  if (login === 'include_qa') q.set('include_qa', 'true');
  else if (login) q.set('login_method', login);
  const inPerson = $('in-person');
  if (!inPerson.validity.valid) return 'badInPerson';
  if (inPerson.value) q.set('in_person', inPerson.value);
  return q;
}

/** GETs a QA resource (`summary`, `filings.csv`) of the chosen form, or of all, with the QA token, if any. */
function fetchQa(form, resource, accept, q) {
  // The QA token (when the server has one) lives in this tab's session storage only.
  const token = sessionStorage.getItem('tokhai-qa-token');
  const path = form === ALL ? `/api/qa/${resource}` : `/api/qa/forms/${encodeURIComponent(form)}/${resource}`;
  return fetch(`${path}?${q}`, {
    headers: { Accept: accept, ...(token ? { Authorization: `Bearer ${token}` } : {}) },
  });
}

/** Downloads the chosen `filings` or `dossiers` (officials' processing), one line each, as a CSV file for a report or a spreadsheet. */
async function downloadCsv(what) {
  const form = $('form').value;
  const q = query();
  if (!form) return;
  if (typeof q === 'string') return setStatus(() => w(q), true);
  try {
    const res = await fetchQa(form, `${what}.csv`, 'text/csv', q);
    if (res.status === 401) return load();
    if (!res.ok) throw new Error(res.statusText);
    const period = q.has('days') ? `${q.get('days')}d` : `${q.get('from')}_${q.get('to')}`;
    save(await res.blob(), `${form === ALL ? 'all' : form}-${what}-${period}.csv`);
  } catch (error) {
    setStatus(() => `${w('csvFailed')} (${error.message})`, true);
  }
}

/**
 * Loads the figures of the choices made. Days still being chosen are said to be wrong only when both are
 * given, or when the figures are `asked` for (the form sent).
 */
async function load({ asked = false } = {}) {
  const form = $('form').value;
  const q = query();
  $('range').hidden = $('days').value !== 'range';
  if (!form) return;
  if (typeof q === 'string') {
    if (q !== 'badRange' || asked || ($('from').value && $('to').value)) setStatus(() => w(q), true);
    return;
  }
  setStatus(() => w('loading'));
  try {
    const res = await fetchQa(form, 'summary', 'application/json', q);
    const body = await res.json();
    $('access').hidden = res.status !== 401;
    if (res.status === 401) {
      sessionStorage.removeItem('tokhai-qa-token');
      setStatus(() => w('needToken'), true);
      $('token').focus();
      return;
    }
    if (!res.ok) throw new Error(body[`message_${language.lang}`] || body.message_vi || res.statusText);
    lastSummary = body;
    draw(body);
    setStatus(() => w('loaded')(body.aggregate.filings));
  } catch (error) {
    setStatus(() => `${w('failed')} (${error.message})`, true);
  }
}

async function start() {
  $('pick').addEventListener('submit', (e) => {
    e.preventDefault();
    load({ asked: true });
  });
  $('access').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem('tokhai-qa-token', $('token').value);
    $('token').value = '';
    load();
  });
  $('csv').addEventListener('click', () => downloadCsv('filings'));
  $('dossiers-csv').addEventListener('click', () => downloadCsv('dossiers'));
  for (const id of ['form', 'days', 'from', 'to', 'target', 'login', 'in-person']) $(id).addEventListener('change', () => load());
  try {
    const res = await fetch('/api/forms', { headers: { Accept: 'application/json' } });
    formsList = (await res.json()).forms || [];
  } catch {
    formsList = [];
  }
  if (!formsList.length) {
    setStatus(() => w('noForms'), true);
    return;
  }
  // A shared address keeps its choices: dashboard.html?form=ct01&days=7 (or &from=…&to=…), &target=480,
  // &login_method=oidc (or include_qa), &in_person=56 (working hours).
  const shared = new URLSearchParams(location.search);
  fillForms(formsList, shared.get('form'));
  const pick = (id, value) => {
    if ([...$(id).options].some((o) => o.value === value)) $(id).value = value;
  };
  pick('days', shared.has('from') ? 'range' : shared.get('days'));
  pick('target', shared.get('target'));
  pick('login', shared.get('login_method'));
  $('from').value = shared.get('from') || '';
  $('to').value = shared.get('to') || '';
  $('in-person').value = shared.get('in_person') || '';
  await load();
}

let formsList = [];

/** Fills the form picker, keeping (or choosing) the selection. */
function fillForms(forms, wanted) {
  const select = $('form');
  const keep = wanted || select.value;
  select.replaceChildren(
    el('option', { value: ALL }, w('allForms')),
    ...forms.map((f) => el('option', { value: f.id }, `${label(f.title) || f.id} (${f.id}, ${f.version})`)),
  );
  if (keep === ALL || forms.some((f) => f.id === keep)) select.value = keep;
}

start();
