//! Login sessions (cookie), the development login and the filing clock that a login starts.

use crate::limits::{address_key, Failure, Limiter};
use crate::qa::{qa_allowed, QA_METHOD};
use crate::timings::{filing_start, subject_hash};
use crate::{now_ms, AppState, DAY_MS};
use axum::extract::{ConnectInfo, Form as FormBody, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;

/// Name of the session cookie.
pub const COOKIE: &str = "tokhai_session";

/// A logged-in citizen.
#[derive(Clone, Debug, Serialize)]
pub struct Login {
    /// The citizen's personal identification number.
    #[serde(skip)]
    pub subject: String,
    /// How the citizen logged in: `dev` or `oidc`.
    pub method: String,
    /// When the citizen logged in (Unix milliseconds): the start of the filing clock.
    pub login_at: i64,
}

/// A PIN for logs and screens: first three and last two digits only.
pub fn mask_pin(pin: &str) -> String {
    let n = pin.chars().count();
    pin.chars()
        .enumerate()
        .map(|(i, c)| if i < 3 || i + 2 >= n { c } else { '*' })
        .collect()
}

fn token_hash(token: &str) -> String {
    tokhai_core::digest::sha256_hex(token.as_bytes())
}

/// A random token of 32 bytes, base64url.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // Without system randomness no login can be made safely; the caller reports the error.
    if getrandom::getrandom(&mut bytes).is_err() {
        return String::new();
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Starts a session for a subject and returns the `Set-Cookie` value.
pub async fn create_session(state: &AppState, subject: &str, method: &str) -> Result<HeaderValue, ApiError> {
    let token = random_token();
    if token.is_empty() {
        return Err(ApiError::internal());
    }
    let now = now_ms();
    sqlx::query("DELETE FROM login_sessions WHERE expires_at < $1")
        .bind(now)
        .execute(&state.db)
        .await
        .map_err(ApiError::db)?;
    sqlx::query(
        "INSERT INTO login_sessions (token_hash, subject, method, login_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash(&token))
    .bind(subject.to_owned())
    .bind(method.to_owned())
    .bind(now)
    .bind(now + state.config.session_ttl_secs * 1000)
    .execute(&state.db)
    .await
    .map_err(ApiError::db)?;
    remember_login(state, subject, now).await?;
    tracing::info!(subject = %mask_pin(subject), method, "login");
    cookie(state, COOKIE, &token, "/", state.config.session_ttl_secs)
}

/// How long a login's time is kept for the filings begun under it: 30 days.
const LOGIN_MEMORY_MS: i64 = 30 * DAY_MS;

/// Keeps the time of a login of `subject` (hashed) for the filings begun under it, and forgets those
/// older than [`LOGIN_MEMORY_MS`].
async fn remember_login(state: &AppState, subject: &str, now: i64) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM logins WHERE login_at < $1")
        .bind(now - LOGIN_MEMORY_MS)
        .execute(&state.db)
        .await
        .map_err(ApiError::db)?;
    sqlx::query("INSERT INTO logins (subject_hash, login_at) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind(subject_hash(state, subject))
        .bind(now)
        .execute(&state.db)
        .await
        .map_err(ApiError::db)?;
    Ok(())
}

/// A cookie of this server (scripts cannot read it) holding `value` for `max_age` seconds (0 clears it).
/// Over HTTPS it is a `__Host-` cookie (for the whole site), which no other host of the domain can set.
pub fn cookie(state: &AppState, name: &str, value: &str, path: &str, max_age: i64) -> Result<HeaderValue, ApiError> {
    let (name, path, secure) = match state.config.secure_cookies {
        true => (cookie_name(state, name), "/", "; Secure"),
        false => (name.to_owned(), path, ""),
    };
    let cookie = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}");
    HeaderValue::from_str(&cookie).map_err(|_| ApiError::internal())
}

/// The name a cookie of this server goes by: `__Host-` first over HTTPS.
pub fn cookie_name(state: &AppState, name: &str) -> String {
    match state.config.secure_cookies {
        true => format!("__Host-{name}"),
        false => name.to_owned(),
    }
}

/// The value of the cookie `name` a request carries; none when it carries two: a page of a sibling origin
/// can set a second one (another path, or the parent domain) to log the citizen in as someone else.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut values = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(n, _)| *n == name);
    match (values.next(), values.next()) {
        (Some((_, value)), None) => Some(value.to_owned()),
        _ => None,
    }
}

/// How long a session read from the database is trusted without reading it again, in ms.
const SESSION_CACHE_MS: i64 = 30_000;

/// Sessions recently read, by token hash, so that a citizen's burst of requests reads the row once.
/// A logout here removes its entry; on another server of a cluster it takes effect within 30 s.
#[derive(Default)]
pub struct SessionCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Login, i64, i64)>>,
}

/// Sessions kept before the cache starts afresh.
const SESSION_CACHE_MAX: usize = 100_000;

impl SessionCache {
    fn get(&self, hash: &str, now: i64) -> Option<Login> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (login, expires_at, read_at) = entries.get(hash)?;
        (*expires_at > now && now - read_at < SESSION_CACHE_MS).then(|| login.clone())
    }

    fn put(&self, hash: String, login: Login, expires_at: i64, now: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= SESSION_CACHE_MAX {
            entries.clear();
        }
        entries.insert(hash, (login, expires_at, now));
    }

    fn forget(&self, hash: &str) {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).remove(hash);
    }
}

/// The logged-in citizen of a request, if the session is valid.
pub async fn current(state: &AppState, headers: &HeaderMap) -> Result<Option<Login>, ApiError> {
    let Some(token) = cookie_value(headers, &cookie_name(state, COOKIE)) else {
        return Ok(None);
    };
    let hash = token_hash(&token);
    let now = now_ms();
    if let Some(login) = state.sessions.get(&hash, now) {
        return Ok(Some(login));
    }
    let row: Option<(String, String, i64, i64)> =
        sqlx::query_as("SELECT subject, method, login_at, expires_at FROM login_sessions WHERE token_hash = $1")
            .bind(hash.clone())
            .fetch_optional(&state.db)
            .await
            .map_err(ApiError::db)?;
    let Some((subject, method, login_at, expires_at)) = row.filter(|r| r.3 > now) else {
        return Ok(None);
    };
    let login = Login {
        subject,
        method,
        login_at,
    };
    state.sessions.put(hash, login.clone(), expires_at, now);
    Ok(Some(login))
}

/// Which of `tokens` a request carries as its bearer token, for the APIs of people other than citizens
/// (QA, officials). Tokens are compared in constant time, which tells not even their length
/// (`same_token`), each of them whichever matches; a wrong one costs its client (by address) a token of
/// the rate limit in the bucket `bucket` (guesses have their own: they do not slow the client's filings,
/// nor its guesses at another API's token), and is answered `unauthorized`.
pub fn bearer_allowed(
    state: &AppState,
    headers: &HeaderMap,
    client: SocketAddr,
    tokens: &[&str],
    bucket: &str,
    unauthorized: ApiError,
) -> Result<usize, Failure> {
    let sent = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        // The scheme's name is case-insensitive (RFC 9110): "bearer" and "BEARER" are "Bearer".
        .and_then(|v| {
            v.split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        })
        .map_or("", |(_, token)| token.trim_start());
    let matched = (0..)
        .zip(tokens)
        .fold(None, |found, (i, token)| match same_token(sent, token) {
            true => Some(i),
            false => found,
        });
    if let Some(i) = matched {
        return Ok(i);
    }
    // Guesses have their bucket: they do not slow the client's filings.
    let key = format!(
        "{bucket}:{}",
        address_key(state.config.proxies(), Some(client), headers)
    );
    state.limiter.take(&key, now_ms()).map_err(Limiter::refusal)?;
    Err(unauthorized.into())
}

/// Whether `sent` is `token`, compared in a time that tells nothing of either: their SHA-256 digests,
/// of one length whatever the tokens', byte by byte to the end.
pub fn same_token(sent: &str, token: &str) -> bool {
    let (sent, token) = (Sha256::digest(sent), Sha256::digest(token));
    sent.iter().zip(token.iter()).fold(0, |d, (a, b)| d | (a ^ b)) == 0
}

/// An error answer with a code and messages in Vietnamese and English.
#[derive(Debug)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable code, e.g. `login_required`.
    pub code: &'static str,
    /// Message in Vietnamese.
    pub vi: &'static str,
    /// Message in English.
    pub en: &'static str,
}

impl ApiError {
    /// A new error answer.
    pub fn new(status: StatusCode, code: &'static str, vi: &'static str, en: &'static str) -> ApiError {
        ApiError { status, code, vi, en }
    }

    /// The citizen must log in first.
    pub fn login_required() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "login_required",
            "Vui lòng đăng nhập.",
            "Please log in.",
        )
    }

    /// A server fault with no detail for the client.
    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Hệ thống đang gặp sự cố. Vui lòng thử lại sau.",
            "The system has a problem. Please try again later.",
        )
    }

    /// A database failure, logged without its data.
    pub fn db(e: sqlx::Error) -> ApiError {
        tracing::error!(error = %e, "database");
        ApiError::internal()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": self.code, "message_vi": self.vi, "message_en": self.en})),
        )
            .into_response()
    }
}

/// `GET /api/me`: the logged-in citizen and the filing clock's start.
pub async fn me(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    let Some(login) = current(&state, &headers).await? else {
        return Ok(Json(
            json!({"logged_in": false, "dev_login": state.config.dev_login, "oidc": state.oidc.is_some()}),
        )
        .into_response());
    };
    let name: Option<(String,)> = sqlx::query_as("SELECT full_name FROM citizens WHERE pin = $1")
        .bind(login.subject.clone())
        .fetch_optional(&state.db)
        .await
        .map_err(ApiError::db)?;
    Ok(Json(json!({
        "logged_in": true,
        "subject_masked": mask_pin(&login.subject),
        "subject_key": state.keys.subject_key(&login.subject),
        "draft_key": state.keys.draft_key(&login.subject),
        "full_name": name.map(|row| tokhai_core::prefill::title_case(&row.0)),
        "method": login.method,
        "login_at": login.login_at,
        // The clock of a filing begun now starts here: the login, or the dossier filed since.
        "filing_from": filing_start(&state, &login.subject, login.login_at, now_ms()).await?,
    }))
    .into_response())
}

/// `POST /auth/logout`: ends the session.
pub async fn logout(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Result<Response, ApiError> {
    if let Some(token) = cookie_value(&headers, &cookie_name(&state, COOKIE)) {
        state.sessions.forget(&token_hash(&token));
        sqlx::query("DELETE FROM login_sessions WHERE token_hash = $1")
            .bind(token_hash(&token))
            .execute(&state.db)
            .await
            .map_err(ApiError::db)?;
    }
    let clear = cookie(&state, COOKIE, "", "/", 0)?;
    Ok(([(header::SET_COOKIE, clear)], Json(json!({"logged_in": false}))).into_response())
}

fn dev_disabled() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "dev_login_disabled",
        "Đăng nhập thử nghiệm chỉ dùng khi phát triển và đang bị tắt (TOKHAI_DEV_LOGIN).",
        "The development login is for development only and is disabled (TOKHAI_DEV_LOGIN).",
    )
}

/// Query of the development citizen list.
#[derive(Debug, Deserialize)]
pub struct CitizenQuery {
    /// Part of a name, or a whole PIN.
    #[serde(default)]
    pub q: String,
    /// Most entries (default 20, at most 100).
    #[serde(default)]
    pub limit: Option<i64>,
    /// Where the login page sends the citizen afterwards (a local path).
    #[serde(default)]
    pub next: Option<String>,
}

/// `GET /api/dev/citizens`: synthetic citizens to log in as (development only).
pub async fn dev_citizens(
    State(state): State<Arc<AppState>>,
    Query(q): Query<CitizenQuery>,
) -> Result<Response, ApiError> {
    if !state.config.dev_login {
        return Err(dev_disabled());
    }
    let list = crate::registry::list(&state.db, &q.q, q.limit.unwrap_or(20).clamp(1, 100))
        .await
        .map_err(ApiError::db)?;
    let items: Vec<_> = list
        .into_iter()
        .map(|c| {
            json!({
                "pin": c.pin, "full_name": tokhai_core::prefill::title_case(&c.full_name), "sex": c.sex,
                "birth_year": c.birth_year, "province": c.province, "household_id": c.household_id,
            })
        })
        .collect();
    Ok(Json(json!({"development_only": true, "citizens": items})).into_response())
}

/// Body of the development login.
#[derive(Debug, Deserialize)]
pub struct DevLogin {
    /// PIN of a synthetic citizen.
    pub pin: String,
    /// Where to go afterwards (a local path; form posts only).
    #[serde(default)]
    pub next: Option<String>,
    /// Whether the QA runner logs in (JSON only, with the QA token when one is set): its filings are
    /// timed under the login method `qa`, which QA reports leave out unless asked.
    #[serde(default)]
    pub qa: bool,
}

async fn dev_login_as(state: &AppState, pin: &str, method: &str) -> Result<HeaderValue, ApiError> {
    if !state.config.dev_login {
        return Err(dev_disabled());
    }
    let pin = tokhai_core::vn::pin::normalize(pin);
    let known: Option<(String,)> = sqlx::query_as("SELECT pin FROM citizens WHERE pin = $1")
        .bind(pin.clone())
        .fetch_optional(&state.db)
        .await
        .map_err(ApiError::db)?;
    if known.is_none() {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "unknown_citizen",
            "Không có công dân thử nghiệm với số định danh này.",
            "No synthetic citizen has this PIN.",
        ));
    }
    create_session(state, &pin, method).await
}

/// `POST /api/dev/login` (JSON `{pin}`): logs in as a synthetic citizen (development only).
pub async fn dev_login_json(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Json(body): Json<DevLogin>,
) -> Result<Response, Failure> {
    let method = match body.qa {
        true => qa_allowed(&state, &headers, client).map(|_| QA_METHOD)?,
        false => "dev",
    };
    let cookie = dev_login_as(&state, &body.pin, method).await?;
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({"logged_in": true, "subject_masked": mask_pin(&body.pin)})),
    )
        .into_response())
}

/// `POST /dev/login` (HTML form): logs in and redirects to `next` (a local path) or `/`.
pub async fn dev_login_form(
    State(state): State<Arc<AppState>>,
    FormBody(body): FormBody<DevLogin>,
) -> Result<Response, ApiError> {
    let cookie = dev_login_as(&state, &body.pin, "dev").await?;
    let next = body.next.filter(|n| is_local_path(n)).unwrap_or_else(|| "/".into());
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response())
}

/// `GET /dev/login`: a page listing synthetic citizens to log in as (development only).
pub async fn dev_login_page(
    State(state): State<Arc<AppState>>,
    Query(q): Query<CitizenQuery>,
) -> Result<Response, ApiError> {
    if !state.config.dev_login {
        return Err(dev_disabled());
    }
    let list = crate::registry::list(&state.db, &q.q, q.limit.unwrap_or(30).clamp(1, 100))
        .await
        .map_err(ApiError::db)?;
    let next = q.next.as_deref().filter(|n| is_local_path(n)).unwrap_or("/");
    let next = escape(next);
    let province = |code: &str| {
        let name = state.catalogs.get("provinces").and_then(|p| p.get(code));
        name.map_or_else(|| code.to_owned(), |o| o.label.get("vi").to_owned())
    };
    let rows: String = list
        .iter()
        .map(|c| {
            format!(
                "<li><form method=post action=/dev/login>\
                 <input type=hidden name=pin value=\"{}\"><input type=hidden name=next value=\"{next}\">\
                 <button>{}</button> <span>{} · {} · {} · {}</span></form></li>",
                escape(&c.pin),
                escape(&tokhai_core::prefill::title_case(&c.full_name)),
                escape(&mask_pin(&c.pin)),
                if c.sex == "nam" { "Nam" } else { "Nữ" },
                c.birth_year,
                escape(&province(&c.province)),
            )
        })
        .collect();
    Ok(Html(format!(
        "<!doctype html><html lang=vi><meta charset=utf-8>\
         <meta name=viewport content=\"width=device-width, initial-scale=1\">\
         <title>Đăng nhập thử nghiệm</title>\
         <h1>Đăng nhập thử nghiệm <small>(development only)</small></h1>\
         <p><strong>CHỈ DÙNG KHI PHÁT TRIỂN.</strong> Chọn một công dân giả lập để đăng nhập. \
         Development only: pick a synthetic citizen.</p>\
         <form method=get><label>Tìm theo tên hoặc số định danh / Search \
         <input name=q value=\"{}\"></label><input type=hidden name=next value=\"{next}\"> \
         <button>Tìm / Search</button></form>\
         <ul>{rows}</ul></html>",
        escape(&q.q)
    ))
    .into_response())
}

/// Whether a redirect target is a path on this site (not `//host` or a URL).
fn is_local_path(next: &str) -> bool {
    // Browsers drop tabs and line breaks from a URL ("/\t/host" is "//host"), and a header holds none;
    // they also resolve dot segments ("/.//host" is "//host"), so a path holds no empty or dot segment.
    let plain = next.chars().all(|c| c.is_ascii_graphic());
    let path = next.split(['?', '#']).next().unwrap_or_default();
    let segments_ok = path.split('/').skip(1).all(|s| s != "." && s != "..") && !path.contains("//");
    plain && next.starts_with('/') && segments_ok && !next.contains('\\')
}

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_the_same_one_only() {
        let token = "officials-token-0123456789";
        assert!(same_token(token, token));
        for other in [
            "",
            "officials-token-012345678",
            "officials-token-01234567890",
            "officials-token-0123456780",
        ] {
            assert!(!same_token(other, token), "{other}");
        }
    }

    #[test]
    fn pins_are_masked_and_cookies_read() {
        assert_eq!(mask_pin("001090012345"), "001*******45");
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; tokhai_session=abc; b=2"));
        assert_eq!(cookie_value(&h, COOKIE).as_deref(), Some("abc"));
        h.append(header::COOKIE, HeaderValue::from_static("tokhai_session=planted"));
        assert_eq!(cookie_value(&h, COOKIE), None, "two sessions: a planted one, so none");
        assert_eq!(random_token().len(), 43);
        assert_eq!(escape("<a \"b\">&"), "&lt;a &quot;b&quot;&gt;&amp;");
        assert!(is_local_path("/ct01.html?x=1"));
        assert!(is_local_path("/") && is_local_path("/?form=ct01"));
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "/.//evil.example",
            "/a/../b",
            "/x//y",
        ] {
            assert!(!is_local_path(bad), "{bad}");
        }
    }
}
