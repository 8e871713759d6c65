//! The timing collector (filing timelines sent as beacons) and the satisfaction rating after a receipt.
//!
//! A beacon holds field ids and issue codes only: unknown keys are refused, every name must be the
//! form's own, and every time is moved between the server's own login and receipt times.

use crate::auth::{ApiError, Login};
use crate::intake::{dossier_received, limited_login};
use crate::limits::{form_unknown, invalid_values, parse, read_body, Failure, Refusal};
use crate::{now_ms, AppState, DAY_MS};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use std::sync::Arc;
use tokhai_core::submission::is_valid_idempotency_key;
use tokhai_core::timing::{Timeline, TimelineError, CLOCK_SLACK_MS};
use tokhai_core::{Form, Issue};
use validator::{Validate, ValidationError};

/// What the widget sends with `navigator.sendBeacon` (as JSON, whatever the content type).
#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Beacon {
    /// Form identifier.
    #[validate(length(min = 1, max = 64))]
    pub form_id: String,
    /// The widget's filing session: a later beacon of the same session replaces an earlier one.
    #[validate(custom(function = "session_id_shape"))]
    pub session_id: String,
    /// The dossier the filing produced, once there is a receipt.
    #[serde(default)]
    #[validate(length(min = 1, max = 64))]
    pub dossier_id: Option<String>,
    /// The filing's events: field ids and issue codes, never values (bounded by `Timeline::check`).
    pub timeline: Timeline,
    /// When the beacon left, by the clock of its events (ms since the epoch): tells how far that clock is off.
    #[serde(default)]
    pub sent_at: Option<f64>,
}

fn session_id_shape(id: &str) -> Result<(), ValidationError> {
    if is_valid_idempotency_key(id) {
        Ok(())
    } else {
        Err(ValidationError::new("session_id"))
    }
}

/// A one-question rating of the filing after the receipt.
#[derive(Debug, Deserialize, Validate)]
#[serde(deny_unknown_fields)]
pub struct Rating {
    /// The dossier rated (the citizen's own).
    #[validate(length(min = 1, max = 64))]
    pub dossier_id: String,
    /// From 1 (very hard) to 5 (very easy).
    #[validate(range(min = 1, max = 5))]
    pub rating: u8,
    /// An optional comment.
    #[serde(default)]
    #[validate(length(max = 1000))]
    pub comment: Option<String>,
}

/// The subject of timing records and logins, kept as a keyed digest: QA data names nobody.
pub(crate) fn subject_hash(state: &AppState, subject: &str) -> String {
    state.keys.timing_subject(subject)
}

/// Reads a typed, validated body after the login and rate-limit checks; the login is required.
async fn read_typed<T: serde::de::DeserializeOwned + Validate>(
    state: &AppState,
    request: Request,
) -> Result<(Login, T), Failure> {
    let (parts, body) = request.into_parts();
    let login = limited_login(state, &parts)
        .await?
        .ok_or_else(ApiError::login_required)?;
    let bytes = read_body(body, state.config.max_body_bytes).await?;
    let typed: T = parse(&bytes)?;
    typed.validate().map_err(|e| invalid_values(&e))?;
    Ok((login, typed))
}

/// `POST /api/timings`: records a filing's timeline, its times bounded by the server's own (202).
pub async fn collect(State(state): State<Arc<AppState>>, request: Request) -> Response {
    record_beacon(&state, request)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn record_beacon(state: &AppState, request: Request) -> Result<Response, Failure> {
    let (login, mut beacon): (Login, Beacon) = read_typed(state, request).await?;
    let form = state
        .form(&beacon.form_id)
        .ok_or_else(|| form_unknown(&beacon.form_id))?;
    check_timeline(&beacon.timeline, form)?;
    let now = now_ms();
    // The clock runs from the server's login to its receipt (or to now, before any receipt). A filing
    // counts as submitted only with the dossier the back end received.
    let latest = match &beacon.dossier_id {
        Some(id) => receipt_time(state, &beacon, id, &login).await?,
        None if beacon.timeline.has_receipt() => {
            let issue = Issue::error("dossier_id", "timing.receipt_unbound");
            return Err(Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, issue).into());
        }
        None => now,
    };
    if beacon.dossier_id.is_none() {
        check_open_filings(state, &beacon, &login, now).await?;
    }
    put_on_server_clock(&mut beacon, now);
    let began = beacon.timeline.events.iter().map(|e| e.at as i64).min().unwrap_or(now);
    let login_at = filing_start(state, &login.subject, first_login(state, &beacon, &login).await?, began).await?;
    beacon.timeline.login_at = Some(login_at as f64);
    let clamped = beacon.timeline.clamp(login_at as f64, latest as f64);
    // A filing received is timed to the back end's own receipt, whatever the beacon says of it.
    if beacon.dossier_id.is_some() {
        beacon.timeline.received(latest as f64);
    }
    store_timing(state, &beacon, &login, login_at, now, clamped).await
}

/// Refuses a timeline out of bounds, with no action of the citizen, or naming what the form does not have.
fn check_timeline(timeline: &Timeline, form: &Form) -> Result<(), Failure> {
    let bad = |issue: Issue| Failure::from(Refusal::new(StatusCode::BAD_REQUEST, issue));
    timeline
        .check()
        .map_err(|_| bad(Issue::error("timeline", "timing.invalid")))?;
    // A page opened and left is no filing: counted, it would be an abandoned one.
    if !timeline.has_activity() {
        let issue = Issue::error("timeline", "timing.no_activity");
        return Err(Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, issue).into());
    }
    timeline.check_names(form).map_err(|e| {
        let event = match e {
            TimelineError::UnknownField(i) | TimelineError::UnknownStep(i) | TimelineError::UnknownCode(i) => i,
            _ => 0,
        };
        bad(Issue::error(format!("timeline.events[{event}]"), "timing.unknown_name").with("event", event))
    })
}

/// Most filings without a dossier one citizen's beacons may record over a day: a citizen opens a form
/// a few times, and beacons past that would only invent abandoned filings in the QA figures.
const MAX_OPEN_FILINGS: i64 = 20;

/// Refuses a beacon of a new filing without a dossier once the citizen's day holds as many (429). The
/// count and the write are two steps: beacons sent at once may pass the cap by a few, which it allows.
async fn check_open_filings(state: &AppState, beacon: &Beacon, login: &Login, now: i64) -> Result<(), Failure> {
    let (open,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM timings WHERE subject_hash = $1 AND dossier_id IS NULL AND received_at >= $2 \
         AND session_id <> $3",
    )
    .bind(subject_hash(state, &login.subject))
    .bind(now - DAY_MS)
    .bind(&beacon.session_id)
    .fetch_one(&state.db)
    .await
    .map_err(ApiError::db)?;
    if open >= MAX_OPEN_FILINGS {
        let issue = Issue::error("session_id", "timing.too_many_open").with("max", MAX_OPEN_FILINGS);
        return Err(Refusal::new(StatusCode::TOO_MANY_REQUESTS, issue).into());
    }
    Ok(())
}

/// When the dossier `id` the beacon names was received: the citizen's own, of the beacon's form, and
/// timed by no other session (one filing's record per dossier: another would count it twice).
async fn receipt_time(state: &AppState, beacon: &Beacon, id: &str, login: &Login) -> Result<i64, Failure> {
    let (form_id, received_at) = dossier_received(state, id, &login.subject).await?;
    if form_id != beacon.form_id {
        let issue = Issue::error("dossier_id", "timing.form_mismatch").with("id", id);
        return Err(Refusal::new(StatusCode::BAD_REQUEST, issue).into());
    }
    let other: Option<(String,)> =
        sqlx::query_as("SELECT session_id FROM timings WHERE dossier_id = $1 AND session_id <> $2")
            .bind(id)
            .bind(&beacon.session_id)
            .fetch_optional(&state.db)
            .await
            .map_err(ApiError::db)?;
    if other.is_some() {
        let issue = Issue::error("dossier_id", "timing.dossier_taken").with("id", id);
        return Err(Refusal::new(StatusCode::CONFLICT, issue).into());
    }
    Ok(received_at)
}

/// Puts events timed by a computer whose clock is off (the widget could not read the portal's) on the
/// server's clock, as far as the beacon's sending time says it is off.
fn put_on_server_clock(beacon: &mut Beacon, now: i64) {
    if let Some(skew) = beacon
        .sent_at
        .map(|sent| now as f64 - sent)
        .filter(|s| s.abs() > CLOCK_SLACK_MS)
    {
        beacon.timeline.shift(skew);
    }
}

/// When the filing started: the login of this request, or the session's first login if the citizen
/// logged in again during the filing (its session may have ended since), as stored already or as the
/// widget says it (one of this citizen's logins, so it cannot be made up).
async fn first_login(state: &AppState, beacon: &Beacon, login: &Login) -> Result<i64, Failure> {
    let stored: Option<(i64,)> =
        sqlx::query_as("SELECT login_at FROM timings WHERE session_id = $1 AND subject_hash = $2")
            .bind(&beacon.session_id)
            .bind(subject_hash(state, &login.subject))
            .fetch_optional(&state.db)
            .await
            .map_err(ApiError::db)?;
    let said = beacon
        .timeline
        .login_at
        .filter(|&t| t < login.login_at as f64)
        .map(|t| t as i64);
    let earlier: Option<(i64,)> = match said {
        Some(t) => sqlx::query_as("SELECT login_at FROM logins WHERE subject_hash = $1 AND login_at = $2")
            .bind(subject_hash(state, &login.subject))
            .bind(t)
            .fetch_optional(&state.db)
            .await
            .map_err(ApiError::db)?,
        None => None,
    };
    Ok([stored, earlier]
        .into_iter()
        .flatten()
        .map(|(t,)| t)
        .fold(login.login_at, i64::min))
}

/// When the clock of a filing begun at `began` under the login of `login_at` starts: at that login, or
/// when the citizen's dossier filed since was received (a second filing in one login is not timed from
/// the login, which its citizen spent on the first).
pub async fn filing_start(state: &AppState, subject: &str, login_at: i64, began: i64) -> Result<i64, ApiError> {
    let filed: (Option<i64>,) = sqlx::query_as(
        "SELECT MAX(received_at) FROM submissions WHERE subject = $1 AND received_at >= $2 AND received_at <= $3",
    )
    .bind(subject.to_owned())
    .bind(login_at)
    .bind(began)
    .fetch_one(&state.db)
    .await
    .map_err(ApiError::db)?;
    Ok(filed.0.unwrap_or(login_at))
}

/// Stores the session's timing record (202), unless a longer one is stored already (202, kept) or
/// the session is another citizen's (409).
async fn store_timing(
    state: &AppState,
    beacon: &Beacon,
    login: &Login,
    login_at: i64,
    now: i64,
    clamped: usize,
) -> Result<Response, Failure> {
    let text = serde_json::to_string(&beacon.timeline).map_err(|_| Failure::from(ApiError::internal()))?;
    let owner = subject_hash(state, &login.subject);
    let written = sqlx::query(
        "INSERT INTO timings (session_id, form_id, subject_hash, dossier_id, login_at, received_at, day, events, \
         clamped, timeline, login_method) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (session_id) DO UPDATE SET form_id = excluded.form_id, \
         dossier_id = COALESCE(excluded.dossier_id, timings.dossier_id), login_at = excluded.login_at, \
         received_at = excluded.received_at, day = excluded.day, events = excluded.events, \
         clamped = excluded.clamped, timeline = excluded.timeline \
         WHERE timings.subject_hash = excluded.subject_hash AND timings.events <= excluded.events",
    )
    .bind(beacon.session_id.clone())
    .bind(beacon.form_id.clone())
    .bind(owner.clone())
    .bind(beacon.dossier_id.clone())
    .bind(login_at)
    .bind(now)
    .bind(tokhai_core::Date::in_viet_nam(login_at).to_string())
    .bind(beacon.timeline.events.len() as i64)
    .bind(clamped as i64)
    .bind(text)
    .bind(login.method.clone())
    .execute(&state.writer)
    .await
    .map_err(ApiError::db)?;
    if written.rows_affected() == 0 {
        let (stored_owner,): (String,) = sqlx::query_as("SELECT subject_hash FROM timings WHERE session_id = $1")
            .bind(beacon.session_id.clone())
            .fetch_one(&state.db)
            .await
            .map_err(ApiError::db)?;
        if stored_owner != owner {
            let issue = Issue::error("session_id", "timing.session_taken");
            return Err(Refusal::new(StatusCode::CONFLICT, issue).into());
        }
        // An older beacon arriving late: the longer timeline already stored is kept.
        return Ok((StatusCode::ACCEPTED, Json(json!({"status": "kept_newer"}))).into_response());
    }
    let body = json!({"status": "recorded", "clamped": clamped});
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// `POST /api/satisfaction`: one rating per dossier, by its owner (201, or 409 the second time).
pub async fn rate(State(state): State<Arc<AppState>>, request: Request) -> Response {
    record_rating(&state, request)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn record_rating(state: &AppState, request: Request) -> Result<Response, Failure> {
    let (login, rating): (Login, Rating) = read_typed(state, request).await?;
    let (form_id, _) = dossier_received(state, &rating.dossier_id, &login.subject).await?;
    let comment = rating
        .comment
        .as_deref()
        .map(tokhai_core::text::clean_multiline)
        .filter(|c| !c.is_empty());
    let inserted = sqlx::query(
        "INSERT INTO satisfaction (dossier_id, form_id, rating, comment, rated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (dossier_id) DO NOTHING",
    )
    .bind(rating.dossier_id.clone())
    .bind(form_id)
    .bind(i64::from(rating.rating))
    .bind(comment)
    .bind(now_ms())
    .execute(&state.writer)
    .await
    .map_err(ApiError::db)?;
    if inserted.rows_affected() == 0 {
        let issue = Issue::error("dossier_id", "satisfaction.already_rated");
        return Err(Refusal::new(StatusCode::CONFLICT, issue).into());
    }
    Ok((StatusCode::CREATED, Json(json!({"status": "recorded"}))).into_response())
}
