//! The QA summary of a form: filing times against the target, slow steps and fields, error hot spots,
//! abandonment and satisfaction, computed by tokhai-core from the stored timelines.

use crate::auth::{bearer_allowed, ApiError};
use crate::limits::{form_unknown, invalid_value, parse_query, Failure, Refusal};
use crate::officials::{Verdict, RECEIVED};
use crate::{now_ms, AppState, DAY_MS};
use axum::extract::{ConnectInfo, FromRequestParts, OptionalFromRequestParts, Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value as Json_};
use sqlx::any::AnyRow;
use sqlx::FromRow;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokhai_core::estimate::Klm;
use tokhai_core::timing::{
    aggregate, error_hot_spots, field_times, filing_times, histogram, processing, satisfaction, step_times, Aggregate,
    Decided, Handled, Metrics, Outcome, Processing, Progress, Timeline, Timeliness, IDLE_THRESHOLD_MS,
    PROCESSING_REDUCTION_TARGET, SATISFACTION_TARGET,
};
use tokhai_core::{path, Date, Form, Issue};

/// Most rows of the field and hot-spot tables.
const TOP: usize = 15;

/// Bars of the histogram: ten per target, then one for everything beyond twice the target.
const BARS: usize = 21;

/// The query of a QA request: `days` back from now (1 to 366, default 30) or the calendar days `from` to
/// `to` (Viet Nam, inclusive, at most 366), the `target` in seconds (30 to 3600, default the server's), the
/// filings' `login_method`, whether the QA runner's filings count (`include_qa`, default false), and the
/// working time a dossier takes officials when filed in person (`in_person`, hours, 1 to 8760), to compare with.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SummaryQuery {
    #[serde(default)]
    days: Option<u32>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    target: Option<u32>,
    #[serde(default)]
    login_method: Option<String>,
    #[serde(default)]
    include_qa: bool,
    #[serde(default)]
    in_person: Option<u32>,
}

/// The login methods a report may be split by: the identity provider, the development login, the QA runner.
const LOGIN_METHODS: [&str; 3] = ["oidc", "dev", QA_METHOD];

/// The login method of the QA runner's filings, which reports leave out unless asked.
pub const QA_METHOD: &str = "qa";

/// The filings a report covers: their record written in the past days, or their clock started on calendar days.
#[derive(Debug, PartialEq)]
enum Period {
    Days(u32),
    Range(Date, Date),
}

impl Period {
    /// Since when a record was last written, and from and before when its clock started (ms).
    fn bounds(&self) -> (i64, i64, i64) {
        match *self {
            Period::Days(days) => (now_ms() - i64::from(days) * DAY_MS, i64::MIN, i64::MAX),
            Period::Range(from, to) => (i64::MIN, from.viet_nam_start(), to.add_days(1).viet_nam_start()),
        }
    }
}

/// What a QA request asks for, its query checked.
#[derive(Debug, PartialEq)]
struct Asked {
    period: Period,
    target_secs: u32,
    login_method: Option<String>,
    include_qa: bool,
    in_person_hours: Option<u32>,
}

impl Asked {
    /// The login method of the filings left out: the QA runner's, unless included or asked for by name.
    fn excluded_method(&self) -> Option<&'static str> {
        (!self.include_qa && self.login_method.is_none()).then_some(QA_METHOD)
    }

    /// The target in ms.
    fn target_ms(&self) -> f64 {
        f64::from(self.target_secs) * 1000.0
    }

    /// The time in person in ms, where one is given.
    fn in_person_ms(&self) -> Option<f64> {
        self.in_person_hours.map(|h| f64::from(h) * 3_600_000.0)
    }
}

/// A label in both languages.
fn label(vi: &str, en: &str) -> Json_ {
    json!({"vi": vi, "en": en})
}

/// The figures of an aggregate, as the summary and each of its days give them.
fn figures(a: &Aggregate) -> Json_ {
    json!({
        "filings": a.filings, "submitted": a.submitted, "attempted": a.attempted, "mean_ms": a.mean_ms,
        "median_ms": a.median_ms, "p90_ms": a.p90_ms,
        "share_within_target": a.share_within_target, "abandonment_rate": a.abandonment_rate,
        "prefill_share": a.prefill_share,
    })
}

/// The label of a step id (`review` is the review page).
fn step_label(form: &Form, step: &str) -> Json_ {
    match form.def().steps.iter().find(|s| s.id == step) {
        Some(s) => label(s.title.get("vi"), s.title.get("en")),
        None if step == "review" => label("Xem lại và nộp", "Review and submit"),
        None => label(step, step),
    }
}

/// The step and field of a place where filings were left, as far as the form still has them: an older
/// version's step or field is left out, in the summary and in the CSV alike. A field is named by its id,
/// so that a group's rows (`members[1].m_pin`) and an address's parts (`home.commune`) count as one place.
fn known_place<'a>(form: &Form, step: Option<&'a str>, field: Option<&'a str>) -> (Option<&'a str>, Option<&'a str>) {
    let step = step.filter(|s| *s == "review" || form.def().steps.iter().any(|d| d.id == *s));
    (step, field.map(path::field_id).filter(|f| form.field(f).is_some()))
}

/// The label of a field id; a row field's with its group's ("Thành viên hộ gia đình › Ngày sinh"): the
/// citizen's date of birth and a member's are two rows of the dashboard, not two "Ngày sinh".
fn field_label(form: &Form, field: &str) -> Json_ {
    let Some(f) = form.field(field) else {
        return label(field, field);
    };
    let words = |lang| match form.group_of(f) {
        Some(group) => format!("{} › {}", group.label.get(lang), f.label.get(lang)),
        None => f.label.get(lang).to_owned(),
    };
    label(&words("vi"), &words("en"))
}

/// Whether a request may read QA summaries: it carries the configured bearer token, or (with no
/// token configured) the server runs the development login.
pub fn qa_allowed(state: &AppState, headers: &HeaderMap, client: SocketAddr) -> Result<(), Failure> {
    let Some(token) = &state.config.qa_token else {
        return if state.config.dev_login {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "qa_disabled",
                "Chưa cấu hình mã truy cập cho trang thống kê (TOKHAI_QA_TOKEN).",
                "The QA summary has no access token configured (TOKHAI_QA_TOKEN).",
            )
            .into())
        };
    };
    let unauthorized = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "qa_unauthorized",
        "Cần mã truy cập của cán bộ kiểm tra chất lượng để xem thống kê.",
        "The QA summary needs the QA access token.",
    );
    bearer_allowed(state, headers, client, &[token], "qa", unauthorized).map(|_| ())
}

/// A QA request, its token checked: the form it is about (`/api/qa/forms/<form_id>/…`; none: all
/// procedures) and what its query asks for.
pub struct QaRequest {
    form: Option<Arc<Form>>,
    asked: Asked,
}

impl FromRequestParts<Arc<AppState>> for QaRequest {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &Arc<AppState>) -> Result<QaRequest, Failure> {
        let ConnectInfo(client) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::internal())?;
        qa_allowed(state, &parts.headers, client)?;
        let asked = asked_of(parts.uri.query(), state.config.target_secs)?;
        let form_id = <Path<String> as OptionalFromRequestParts<_>>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::internal())?;
        let form = form_id
            .map(|Path(id)| state.form(&id).cloned().ok_or_else(|| form_unknown(&id)))
            .transpose()?;
        Ok(QaRequest { form, asked })
    }
}

impl QaRequest {
    /// The id of the form asked about; none: all procedures.
    fn form_id(&self) -> Option<&str> {
        self.form.as_deref().map(Form::id)
    }
}

/// What a query asks for (`SummaryQuery`), or why it is refused: a reason naming the key.
fn asked_of(query: Option<&str>, target_secs: u32) -> Result<Asked, Failure> {
    let q: SummaryQuery = parse_query(query)?;
    let refused = |issue| Failure::from(Refusal::new(StatusCode::BAD_REQUEST, issue));
    let period = match (q.days, q.from, q.to) {
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            return Err(refused(
                Issue::error("days", "payload.unexpected_key").with("key", "days"),
            ))
        }
        (days, None, None) => Period::Days(
            Some(days.unwrap_or(30))
                .filter(|d| (1..=366).contains(d))
                .ok_or_else(|| refused(invalid_value("days")))?,
        ),
        (None, from, to) => {
            let day = |key: &str, text: Option<String>| match text {
                None => Err(refused(Issue::error(key, "payload.missing_key").with("key", key))),
                Some(t) => Date::parse_iso(&t).ok_or_else(|| refused(invalid_value(key))),
            };
            let (from, to) = (day("from", from)?, day("to", to)?);
            if !(0..366).contains(&(to.to_days() - from.to_days())) {
                return Err(refused(invalid_value("to")));
            }
            Period::Range(from, to)
        }
    };
    let target_secs = match q.target {
        Some(t) if !(30..=3600).contains(&t) => return Err(refused(invalid_value("target"))),
        t => t.unwrap_or(target_secs),
    };
    if q.login_method.as_deref().is_some_and(|m| !LOGIN_METHODS.contains(&m)) {
        return Err(refused(invalid_value("login_method")));
    }
    if q.in_person.is_some_and(|h| !(1..=8760).contains(&h)) {
        return Err(refused(invalid_value("in_person")));
    }
    Ok(Asked {
        period,
        target_secs,
        login_method: q.login_method,
        include_qa: q.include_qa,
        in_person_hours: q.in_person,
    })
}

/// One stored filing: its form, the day and time its clock started (Viet Nam), its dossier and when that
/// was received, how its citizen logged in, and its timeline.
struct Filing {
    form_id: String,
    day: String,
    login_at: i64,
    dossier_id: Option<String>,
    received_at: Option<i64>,
    login_method: Option<String>,
    timeline: Timeline,
}

/// A stored filing's row: form, day, clock start, dossier, receipt, login method, timeline.
type FilingRow = (String, String, i64, Option<String>, Option<i64>, Option<String>, String);

/// The filings of a form (none: of every form) a request asks for, in the order they started; a page
/// opened and left untouched is none, an unreadable record is logged and left out.
async fn filings(state: &AppState, form_id: Option<&str>, asked: &Asked) -> Result<Vec<Filing>, Failure> {
    let (since, from, before) = asked.period.bounds();
    let rows: Vec<FilingRow> = sqlx::query_as(
        "SELECT t.form_id, t.day, t.login_at, t.dossier_id, s.received_at, t.login_method, t.timeline \
         FROM timings t LEFT JOIN submissions s ON s.id = t.dossier_id \
         WHERE ($1 IS NULL OR t.form_id = $1) AND t.received_at >= $2 AND t.login_at >= $3 AND t.login_at < $4 \
         AND ($5 IS NULL OR t.login_method = $5) \
         AND ($6 IS NULL OR t.login_method IS NULL OR t.login_method <> $6) ORDER BY t.login_at",
    )
    .bind(form_id.map(str::to_owned))
    .bind(since)
    .bind(from)
    .bind(before)
    .bind(asked.login_method.clone())
    .bind(asked.excluded_method())
    .fetch_all(&state.db)
    .await
    .map_err(ApiError::db)?;
    Ok(rows
        .into_iter()
        .filter_map(
            |(form_id, day, login_at, dossier_id, received_at, login_method, text)| {
                match serde_json::from_str::<Timeline>(&text) {
                    // (Records stored before pages left untouched were refused.)
                    Ok(timeline) => timeline.has_activity().then_some(Filing {
                        form_id,
                        day,
                        login_at,
                        dossier_id,
                        received_at,
                        login_method,
                        timeline,
                    }),
                    Err(e) => {
                        tracing::warn!(form = %form_id, error = %e, "stored timeline unreadable");
                        None
                    }
                }
            },
        )
        .collect())
}

/// The rows of `sql` about what a request asks for, its `$1` to `$5` being the form (none: every form), the
/// first and the end of the period (ms), the login method asked for and the one left out.
async fn rows_asked<O>(state: &AppState, sql: &str, form_id: Option<&str>, asked: &Asked) -> Result<Vec<O>, Failure>
where
    O: for<'r> FromRow<'r, AnyRow> + Send + Unpin,
{
    let (since, from, before) = asked.period.bounds();
    sqlx::query_as(sql)
        .bind(form_id.map(str::to_owned))
        .bind(since.max(from))
        .bind(before)
        .bind(asked.login_method.clone())
        .bind(asked.excluded_method())
        .fetch_all(&state.db)
        .await
        .map_err(|e| ApiError::db(e).into())
}

/// A dossier as officials handled it: id, form, received at, decided at and decision (none yet), login
/// method, due at (none without a time limit).
type HandledRow = (
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// The dossiers of a form (none: of every form) received in the period a request asks for, from the citizens
/// it asks for, in the order received, with the decisions on them.
async fn handled(state: &AppState, form_id: Option<&str>, asked: &Asked) -> Result<Vec<HandledRow>, Failure> {
    rows_asked(
        state,
        "SELECT s.id, s.form_id, s.received_at, d.decided_at, d.decision, s.login_method, s.due_at FROM submissions s \
         LEFT JOIN decisions d ON d.submission_id = s.id \
         WHERE ($1 IS NULL OR s.form_id = $1) AND s.received_at >= $2 AND s.received_at < $3 \
         AND ($4 IS NULL OR s.login_method = $4) \
         AND ($5 IS NULL OR s.login_method IS NULL OR s.login_method <> $5) ORDER BY s.received_at, s.id",
        form_id,
        asked,
    )
    .await
}

/// How officials handled the dossiers of a form (none: of every form) received in the period a request asks
/// for, from the citizens it asks for: receipt → decision in working time, against the time in person where
/// it gives one; altogether and by form.
async fn processing_of(
    state: &AppState,
    form_id: Option<&str>,
    asked: &Asked,
) -> Result<(Processing, BTreeMap<String, Processing>), Failure> {
    // Each form's dossiers received, with the decisions on them and how they stand to their time limit.
    let mut by_form: BTreeMap<String, Vec<Handled>> = BTreeMap::new();
    let (office, now) = (&state.config.office_hours, now_ms());
    for (_, form_id, received_at, decided_at, decision, _, due_at) in handled(state, form_id, asked).await? {
        // Working time counts for decided dossiers only: a waiting one's is not yet what it took.
        let decided = decided_at.zip(decision).map(|(at, decision)| Decided {
            after_ms: office.working_ms(received_at, at) as f64,
            accepted: decision == Verdict::Accepted.as_str(),
        });
        by_form.entry(form_id).or_default().push(Handled {
            decided,
            timeliness: Timeliness::of(due_at, decided_at, now),
        });
    }
    let in_person = asked.in_person_ms();
    let all: Vec<Handled> = by_form.values().flatten().copied().collect();
    let each = by_form
        .into_iter()
        .map(|(id, dossiers)| (id, processing(&dossiers, in_person)))
        .collect();
    Ok((processing(&all, in_person), each))
}

/// The title of a form id, its id once the server no longer has it.
fn form_title(state: &AppState, form_id: &str) -> Json_ {
    match state.form(form_id) {
        Some(form) => label(form.def().title.get("vi"), form.def().title.get("en")),
        None => label(form_id, form_id),
    }
}

/// `GET /api/qa/forms/<form_id>/summary`: everything the QA dashboard shows for a form; `GET
/// /api/qa/summary`: the summary of all procedures together, with each one's figures (`forms`) and without
/// a form's steps, fields, errors and places left (`Authorization: Bearer <TOKHAI_QA_TOKEN>`; the query is
/// `SummaryQuery`'s).
pub async fn summary(State(state): State<Arc<AppState>>, request: QaRequest) -> Result<Response, Failure> {
    let (state, form_id, form, asked) = (&*state, request.form_id(), request.form.as_deref(), &request.asked);
    let filed = filings(state, form_id, asked).await?;
    // A rating is of a dossier: its login method is the dossier's.
    let ratings: Vec<(i64, Option<String>)> = rows_asked(
        state,
        "SELECT rating, comment FROM satisfaction WHERE ($1 IS NULL OR form_id = $1) AND rated_at >= $2 \
         AND rated_at < $3 AND ($4 IS NULL OR dossier_id IN (SELECT id FROM submissions WHERE login_method = $4)) \
         AND ($5 IS NULL OR dossier_id NOT IN (SELECT id FROM submissions WHERE login_method = $5))",
        form_id,
        asked,
    )
    .await?;
    let (handled, handled_by_form) = processing_of(state, form_id, asked).await?;

    let target_ms = asked.target_ms();
    let mut by_day: BTreeMap<String, Vec<Metrics>> = BTreeMap::new();
    let mut by_form: BTreeMap<&str, Vec<Metrics>> = BTreeMap::new();
    for f in &filed {
        let m = f.timeline.metrics(IDLE_THRESHOLD_MS, target_ms);
        by_form.entry(&f.form_id).or_default().push(m.clone());
        by_day.entry(f.day.clone()).or_default().push(m);
    }
    let metrics: Vec<Metrics> = by_day.values().flatten().cloned().collect();
    let overall = aggregate(&metrics);
    let daily: Vec<Json_> = by_day
        .iter()
        .map(|(day, m)| {
            let mut figures = figures(&aggregate(m));
            figures["day"] = json!(day);
            figures
        })
        .collect();
    let scores: Vec<u8> = ratings.iter().filter_map(|(r, _)| u8::try_from(*r).ok()).collect();
    let rated = satisfaction(&scores);
    let comments = ratings.iter().filter(|(_, c)| c.is_some()).count();
    // The core's figures, with how many ratings came with a comment (never the comments) and the target.
    let mut satisfaction_figures = json!(rated);
    satisfaction_figures["comments"] = json!(comments);
    satisfaction_figures["target"] = json!(SATISFACTION_TARGET);
    let width = target_ms / 10.0;
    let (days, from, to) = match asked.period {
        Period::Days(days) => (Some(days), None, None),
        Period::Range(from, to) => (None, Some(from.to_string()), Some(to.to_string())),
    };
    let mut summary = json!({
        "form_id": form_id,
        "days": days, "from": from, "to": to,
        "login_method": asked.login_method,
        "include_qa": asked.include_qa,
        "target_ms": target_ms,
        // The keystroke-level model of `tokhai estimate`, in seconds: the QA runner's citizens type at its pace.
        "klm": Klm::default(),
        "aggregate": figures(&overall),
        "daily": daily,
        "histogram": {"bucket_ms": width, "buckets": histogram(&filing_times(&metrics), width, BARS)},
        "satisfaction": satisfaction_figures,
        "in_person_ms": asked.in_person_ms(),
        // Processing times are working time: these hours, and a working day's length to read them in days.
        "office_hours": state.config.office_hours,
        "working_day_ms": state.config.office_hours.day_ms(),
        "processing_reduction_target": PROCESSING_REDUCTION_TARGET,
        "processing": handled,
    });
    let Some(form) = form else {
        summary["title"] = label("Tất cả thủ tục", "All procedures");
        summary["forms"] = by_form
            .iter()
            .map(|(id, m)| {
                let mut figures = figures(&aggregate(m));
                figures["form_id"] = json!(id);
                figures["title"] = form_title(state, id);
                figures
            })
            .collect();
        summary["processing_by_form"] = handled_by_form
            .into_iter()
            .map(|(id, p)| {
                let mut figures = json!(p);
                figures["title"] = form_title(state, &id);
                figures["form_id"] = json!(id);
                figures
            })
            .collect();
        return Ok(Json(summary).into_response());
    };
    let timelines: Vec<Timeline> = filed.into_iter().map(|f| f.timeline).collect();
    let mut places: BTreeMap<(Option<&str>, Option<&str>), usize> = BTreeMap::new();
    for (place, count) in &overall.abandoned_at {
        *places
            .entry(known_place(form, place.step.as_deref(), place.field.as_deref()))
            .or_default() += count;
    }
    let mut places: Vec<_> = places.into_iter().collect();
    places.sort_by_key(|p| std::cmp::Reverse(p.1));
    summary["abandoned_at"] = places
        .into_iter()
        .map(|((step, field), count)| {
            let step = step.map(|s| (s, step_label(form, s)));
            let field = field.map(|f| (f, field_label(form, f)));
            let (ids, labels): (Vec<&str>, Vec<Json_>) = step.into_iter().chain(field).unzip();
            if ids.is_empty() {
                return json!({"place": "—", "labels": [label("—", "—")], "count": count});
            }
            json!({"place": ids.join(" / "), "labels": labels, "count": count})
        })
        .collect();
    summary["steps"] = step_times(&metrics)
        .into_iter()
        .map(|s| json!({"step": s.step, "label": step_label(form, &s.step), "filings": s.filings, "median_ms": s.median_ms, "p90_ms": s.p90_ms}))
        .collect();
    summary["fields"] = field_times(&metrics)
        .into_iter()
        .take(TOP)
        .map(|f| {
            json!({"field": f.field, "label": field_label(form, &f.field), "filings": f.filings,
                   "median_dwell_ms": f.median_dwell_ms, "corrections": f.corrections, "errors": f.errors})
        })
        .collect();
    summary["errors"] = error_hot_spots(&timelines)
        .into_iter()
        .take(TOP)
        .map(|h| {
            json!({"field": h.field, "label": field_label(form, &h.field), "code": h.code,
                   "shown": h.shown, "filings": h.filings})
        })
        .collect();
    summary["title"] = form_title(state, form.id());
    summary["version"] = json!(form.version());
    Ok(Json(summary).into_response())
}

/// The columns of the filings' CSV, in order (columns are only ever added at the end).
const CSV_HEAD: &str = "day,start_time,timed_from,outcome,login_to_submit_s,within_target,active_s,steps,\
                        corrections,errors_shown,retries,prefill_share,left_at_step,left_at_field,\
                        form_id,dossier_id,received_at,started_at,login_method";

/// `GET /api/qa/forms/<form_id>/filings.csv`: one line per filing (the summary's figures before they are
/// aggregated) for a QA report or a spreadsheet; `GET /api/qa/filings.csv`: those of all procedures; same
/// query and access as the summary. Times are in Viet Nam, durations in seconds; no line names a citizen or
/// holds an answer.
pub async fn filings_csv(State(state): State<Arc<AppState>>, request: QaRequest) -> Result<Response, Failure> {
    let (state, form_id, asked) = (&*state, request.form_id(), &request.asked);
    let target_ms = asked.target_ms();
    let seconds = |ms: f64| format!("{:.1}", ms / 1000.0);
    let mut csv = format!("{CSV_HEAD}\r\n");
    for f in filings(state, form_id, asked).await? {
        let m = f.timeline.metrics(IDLE_THRESHOLD_MS, target_ms);
        let (outcome, (step, field)) = match (&m.outcome, state.form(&f.form_id)) {
            (Outcome::Submitted, _) => ("submitted", (None, None)),
            (Outcome::Attempted, _) => ("attempted", (None, None)),
            (Outcome::Abandoned { step, field }, Some(form)) => {
                ("abandoned", known_place(form, step.as_deref(), field.as_deref()))
            }
            (Outcome::Abandoned { .. }, None) => ("abandoned", (None, None)),
        };
        let line = [
            f.day,
            Date::viet_nam_clock(f.login_at),
            (if m.from_login { "login" } else { "page_open" }).to_owned(),
            outcome.to_owned(),
            m.to_submit_ms.map(seconds).unwrap_or_default(),
            m.within_target
                .map(|w| if w { "yes" } else { "no" })
                .unwrap_or_default()
                .to_owned(),
            seconds(m.active_ms),
            m.steps.len().to_string(),
            m.corrections.to_string(),
            m.errors_shown.to_string(),
            m.retries.to_string(),
            format!("{:.2}", m.prefill_coverage),
            // Ids of the form (a-z, 0-9, _), which need no quoting; so are the form's, the dossier's
            // (HS…-…) and the login method's.
            step.unwrap_or_default().to_owned(),
            field.unwrap_or_default().to_owned(),
            f.form_id,
            f.dossier_id.unwrap_or_default(),
            f.received_at.map(Date::viet_nam_iso).unwrap_or_default(),
            Date::viet_nam_iso(f.login_at),
            f.login_method.unwrap_or_default(),
        ];
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    }
    Ok(csv_file(form_id, "filings", csv))
}

/// The columns of the dossiers' CSV, in order (columns are only ever added at the end).
const DOSSIERS_CSV_HEAD: &str =
    "dossier_id,form_id,received_at,status,decided_at,working_hours,login_method,due_at,timeliness";

/// `GET /api/qa/forms/<form_id>/dossiers.csv`: one line per dossier received, in the order received, with
/// officials' decision and the working time it took them, or has waited so far (the summary's `processing`
/// before it is aggregated); `GET /api/qa/dossiers.csv`: those of all procedures; same query and access as
/// the summary. No line names a citizen or holds an answer.
pub async fn dossiers_csv(State(state): State<Arc<AppState>>, request: QaRequest) -> Result<Response, Failure> {
    let (form_id, asked) = (request.form_id(), &request.asked);
    let (office, now) = (&state.config.office_hours, now_ms());
    let mut csv = format!("{DOSSIERS_CSV_HEAD}\r\n");
    for (id, form, received_at, decided_at, decision, login_method, due_at) in handled(&state, form_id, asked).await? {
        let Progress { working_ms, timeliness } = Progress::of(office, (received_at, due_at), decided_at, now);
        // Ids (HS…-…, a form's, a login method's) and ISO times, which need no quoting.
        let line = [
            id,
            form,
            Date::viet_nam_iso(received_at),
            decision.unwrap_or_else(|| RECEIVED.to_owned()),
            decided_at.map(Date::viet_nam_iso).unwrap_or_default(),
            format!("{:.2}", working_ms as f64 / 3_600_000.0),
            login_method.unwrap_or_default(),
            due_at.map(Date::viet_nam_iso).unwrap_or_default(),
            timeliness.map(Timeliness::as_str).unwrap_or_default().to_owned(),
        ];
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    }
    Ok(csv_file(form_id, "dossiers", csv))
}

/// A CSV to download as `<form or "all">-<what>.csv`.
fn csv_file(form_id: Option<&str>, what: &str, csv: String) -> Response {
    let file = format!("attachment; filename=\"{}-{what}.csv\"", form_id.unwrap_or("all"));
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, file),
        ],
        csv,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_field_is_named_with_its_group() {
        let form = Form::compile(include_str!("../tests/forms/demo.json")).unwrap();
        assert_eq!(
            field_label(&form, "m_dob"),
            label(
                "Thành viên hộ gia đình › Ngày sinh",
                "Household members › Date of birth"
            )
        );
        assert_eq!(field_label(&form, "phone")["vi"], "Số điện thoại");
    }

    #[test]
    fn calendar_days_are_taken_in_viet_nam() {
        let asked = asked_of(Some("from=2026-12-01&to=2026-12-02&target=480"), 300).unwrap();
        let day = |d| Date::new(2026, 12, d).unwrap();
        let expected = Asked {
            period: Period::Range(day(1), day(2)),
            target_secs: 480,
            login_method: None,
            include_qa: false,
            in_person_hours: None,
        };
        assert_eq!(asked, expected);
        // From midnight of 1 December to midnight of 3 December in Viet Nam: 17:00 UTC the day before.
        let (_, from, before) = asked.period.bounds();
        let seven_hours = 7 * 3_600_000;
        assert_eq!(
            (from, before),
            (
                day(1).to_days() * DAY_MS - seven_hours,
                day(3).to_days() * DAY_MS - seven_hours
            )
        );
        assert_eq!(asked.excluded_method(), Some(QA_METHOD));
    }

    #[test]
    fn a_place_keeps_only_what_the_form_still_has() {
        let form = Form::compile(include_str!("../tests/forms/demo.json")).unwrap();
        let place = |step, field| known_place(&form, Some(step), Some(field));
        assert_eq!(place("citizen", "phone"), (Some("citizen"), Some("phone")));
        assert_eq!(place("review", "gone"), (Some("review"), None));
        assert_eq!(place("old_step", "phone"), (None, Some("phone")));
        assert_eq!(place("members_step", "members[1].m_dob"), (None, Some("m_dob")));
        assert_eq!(
            place("citizen", "residence.commune"),
            (Some("citizen"), Some("residence"))
        );
    }
}
