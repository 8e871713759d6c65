//! What every write API shares: refusals with reasons in both languages, bounded bodies,
//! JSON read with a reason for every mistake, and a per-client rate limit.

use crate::auth::ApiError;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use hyper::body::{Frame, SizeHint};
use ipnet::IpNet;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value as Json_};
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, LazyLock, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokhai_core::canonical::{lone_surrogate, parse_unique};
use tokhai_core::{messages, Form, Issue};
use tokio::time::Sleep;

/// A definition with no fields, to render the messages of refusals that concern no form.
const GENERIC_DEFINITION: &str = r#"{"tokhai": 1, "id": "generic", "version": "0", "title": "-",
    "steps": [{"id": "only", "title": "-", "sections": [{"id": "none", "fields": []}]}]}"#;

/// The form used to render refusals that concern no form (labels are then the paths themselves).
static GENERIC: LazyLock<Arc<Form>> =
    LazyLock::new(|| Arc::new(Form::compile(GENERIC_DEFINITION).expect("the built-in empty definition compiles")));

/// A refusal: a status and every reason, rendered from the core catalogue in Vietnamese and English.
#[derive(Debug)]
pub struct Refusal {
    /// HTTP status.
    pub status: StatusCode,
    /// The reasons, in order.
    pub issues: Vec<Issue>,
    /// The form whose labels name the fields.
    pub form: Arc<Form>,
    /// Seconds to wait before trying again (rate limit).
    pub retry_after: Option<u64>,
    /// Further keys of the body, beside the reasons (what a refusal shows of a dossier already received).
    pub details: Map<String, Json_>,
}

impl Refusal {
    /// A refusal for one reason that concerns no particular form.
    pub fn new(status: StatusCode, issue: Issue) -> Refusal {
        Refusal::many(status, vec![issue])
    }

    /// A refusal for reasons that concern no particular form.
    pub fn many(status: StatusCode, issues: Vec<Issue>) -> Refusal {
        Refusal::of(status, issues, GENERIC.clone())
    }

    /// A refusal for reasons about a form's fields.
    pub fn of(status: StatusCode, issues: Vec<Issue>, form: Arc<Form>) -> Refusal {
        Refusal {
            status,
            issues,
            form,
            retry_after: None,
            details: Map::new(),
        }
    }
}

/// The refusal of a request naming a form this portal does not have (404 `submission.form_unknown`).
pub fn form_unknown(form_id: &str) -> Refusal {
    let issue = Issue::error("form_id", "submission.form_unknown").with("form_id", form_id);
    Refusal::new(StatusCode::NOT_FOUND, issue)
}

/// Why a request did not succeed: a refusal with reasons, or an error without (login, database).
#[derive(Debug)]
pub enum Failure {
    /// A refusal with reasons.
    Refused(Refusal),
    /// An error answer.
    Error(ApiError),
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Failure {
        Failure::Refused(r)
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        Failure::Error(e)
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Refused(r) => r.into_response(),
            Failure::Error(e) => e.into_response(),
        }
    }
}

/// One reason as sent: `{path, code, message_vi, message_en}`.
pub fn reason(issue: &Issue, form: &Form) -> Json_ {
    json!({
        "path": issue.path,
        "code": issue.code,
        "message_vi": messages::render(issue, form, "vi"),
        "message_en": messages::render(issue, form, "en"),
    })
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let reasons: Vec<Json_> = self.issues.iter().map(|i| reason(i, &self.form)).collect();
        let first = reasons.first().cloned().unwrap_or(Json_::Null);
        let mut body = json!({
            "status": "refused",
            "error": first["code"],
            "message_vi": first["message_vi"],
            "message_en": first["message_en"],
            "reasons": reasons,
        });
        if let Some(fields) = body.as_object_mut() {
            fields.extend(self.details);
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// The header in which the trusted proxies name the clients they forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1` (nginx, most proxies).
    XForwardedFor,
    /// `Forwarded: for=client, for="[2001:db8::5]:443"` (RFC 7239).
    Forwarded,
}

impl ForwardedHeader {
    /// The header's name (lowercase).
    pub fn name(self) -> &'static str {
        match self {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        }
    }

    /// The header named so, any case.
    pub fn named(name: &str) -> Option<ForwardedHeader> {
        [ForwardedHeader::XForwardedFor, ForwardedHeader::Forwarded]
            .into_iter()
            .find(|h| h.name().eq_ignore_ascii_case(name.trim()))
    }

    /// The host the browser addressed, as the proxies tell it: `X-Forwarded-Host`, or the `host` of the
    /// last element of `Forwarded` (the one the proxy in front of this server added).
    pub fn host(self, headers: &HeaderMap) -> Option<&str> {
        match self {
            ForwardedHeader::XForwardedFor => headers.get("x-forwarded-host")?.to_str().ok(),
            ForwardedHeader::Forwarded => {
                let last = headers.get_all("forwarded").iter().next_back()?.to_str().ok()?;
                parameter(outside_quotes(last, ',').pop()?, "host")
            }
        }
    }

    /// The address of each hop a value of the header lists, in order (`None` for one not understood).
    fn hops(self, value: &str) -> Vec<Option<IpAddr>> {
        match self {
            ForwardedHeader::XForwardedFor => value.split(',').map(hop_address).collect(),
            ForwardedHeader::Forwarded => outside_quotes(value, ',').into_iter().map(forwarded_for).collect(),
        }
    }
}

/// The rate-limit key of a client without a login: its address (`client_address`).
pub fn address_key(
    (trusted_proxies, header): (&[IpNet], ForwardedHeader),
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> String {
    let address = peer.map(|p| client_address(trusted_proxies, header, p.ip(), headers));
    format!("ip:{}", address.map_or_else(|| "?".to_owned(), |a| a.to_string()))
}

/// A request's client address: the peer's, or from a trusted proxy the right-most one of `header`
/// that is not a proxy.
fn client_address(trusted_proxies: &[IpNet], header: ForwardedHeader, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    let trusted = |ip: &IpAddr| trusted_proxies.iter().any(|net| net.contains(ip));
    // A dual-stack socket gives IPv4 peers as `::ffff:a.b.c.d`.
    let peer = peer.to_canonical();
    if !trusted(&peer) {
        return peer;
    }
    // From the right, each address was added by a proxy; left of the first untrusted one, by the client.
    // A header missing, malformed or naming proxies only leaves the peer.
    for value in headers.get_all(header.name()).iter().rev() {
        let Ok(text) = value.to_str() else { return peer };
        for hop in header.hops(text).into_iter().rev() {
            match hop.map(|ip| ip.to_canonical()) {
                Some(ip) if trusted(&ip) => continue,
                Some(ip) => return ip,
                None => return peer,
            }
        }
    }
    peer
}

/// An address of `X-Forwarded-For`, bare or with the port some proxies add (`203.0.113.9:51234`,
/// `[2001:db8::5]:443`).
fn hop_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    (hop.parse().ok()).or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The address of a `Forwarded` element's `for` (`for=192.0.2.60;proto=https`, `For="[2001:db8::5]:443"`,
/// `for="198.51.100.7:51234"`); `None` without one, or for `unknown` and hidden names (`_proxy1`).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    let value = parameter(element, "for")?;
    let bare = value
        .strip_prefix('[')
        .and_then(|v| v.strip_suffix(']'))
        .unwrap_or(value);
    (bare.parse().ok()).or_else(|| hop_address(value))
}

/// The value of parameter `name` (any case) of a `Forwarded` element, unquoted.
fn parameter<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let value = outside_quotes(element, ';').into_iter().find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim().eq_ignore_ascii_case(name).then(|| value.trim())
    })?;
    Some(
        value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value),
    )
}

/// `text` split at each `separator` that is not inside a quoted string.
fn outside_quotes(text: &str, separator: char) -> Vec<&str> {
    let (mut parts, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// A request whose body must arrive whole within `total` from now.
pub fn with_body_deadline(request: Request, total: Duration) -> Request {
    let deadline = Box::pin(tokio::time::sleep(total));
    request.map(|body| Body::new(BodyWithDeadline { body, deadline }))
}

/// A body that fails with `BodyTooSlow` when, past its deadline, its next bytes are not there yet.
struct BodyWithDeadline {
    body: Body,
    deadline: Pin<Box<Sleep>>,
}

/// The error of a body that did not arrive whole in time.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
struct BodyTooSlow;

impl HttpBody for BodyWithDeadline {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        match Pin::new(&mut self.body).poll_frame(cx) {
            Poll::Pending if self.deadline.as_mut().poll(cx).is_ready() => {
                Poll::Ready(Some(Err(axum::Error::new(BodyTooSlow))))
            }
            polled => polled,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// Reads a body of at most `max` bytes. One whose bytes came too late (the next ones, or all of them) is
/// 408, which clients send again; one that broke off otherwise (a malformed chunk, the client gone) is
/// 400; neither is 413.
pub async fn read_body(body: Body, max: usize) -> Result<Bytes, Refusal> {
    axum::body::to_bytes(body, max).await.map_err(|e| {
        if caused_by::<http_body_util::LengthLimitError>(&e) {
            let issue = Issue::error("", "payload.too_large").with("max", max);
            return Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, issue);
        }
        let late = caused_by::<tower_http::timeout::TimeoutError>(&e) || caused_by::<BodyTooSlow>(&e);
        let status = if late {
            StatusCode::REQUEST_TIMEOUT
        } else {
            StatusCode::BAD_REQUEST
        };
        Refusal::new(status, Issue::error("", "payload.incomplete"))
    })
}

/// Whether an error, or one it was caused by, is a `T`.
fn caused_by<T: std::error::Error + 'static>(e: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(e), |e| e.source()).any(|e| e.is::<T>())
}

/// Parses JSON into a typed request; every mistake becomes a reason naming where it is.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Refusal> {
    let refuse = |issue| Refusal::new(StatusCode::BAD_REQUEST, issue);
    // A key given twice would be read as one of the two, the other dropped without a word.
    let tree = parse_unique(bytes).map_err(|e| {
        refuse(if e.is_data() {
            Issue::error("", "payload.duplicate_key")
                .with("line", e.line())
                .with("column", e.column())
        } else {
            malformed(&e)
        })
    })?;
    serde_path_to_error::deserialize(&tree).map_err(|e| refuse(json_issue(&e)))
}

/// Reads a query string into a typed query: a key it does not know is 400 `payload.unexpected_key`, a
/// value it cannot read 400 `payload.invalid_value` at its key.
pub fn parse_query<T: DeserializeOwned>(query: Option<&str>) -> Result<T, Refusal> {
    let pairs = form_urlencoded::parse(query.unwrap_or_default().as_bytes());
    serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(pairs)).map_err(|e| {
        let (message, path) = (e.inner().to_string(), e.path().to_string());
        // A mistake of the query's keys (one unknown, one given twice) names its key in backticks.
        let key = message.split('`').nth(1).filter(|_| path == ".").unwrap_or(&path);
        let issue = if message.starts_with("unknown field") {
            Issue::error(key, "payload.unexpected_key").with("key", key)
        } else {
            invalid_value(key)
        };
        Refusal::new(StatusCode::BAD_REQUEST, issue)
    })
}

/// The reason for JSON text that is not JSON: a lone surrogate named as such, else malformed text.
fn malformed(e: &serde_json::Error) -> Issue {
    let code = match lone_surrogate(e) {
        Some(_) => "payload.lone_surrogate",
        None => "payload.malformed",
    };
    Issue::error("", code).with("line", e.line()).with("column", e.column())
}

/// The reason for a JSON error: malformed text, or an unexpected, missing or mistyped key.
fn json_issue(e: &serde_path_to_error::Error<serde_json::Error>) -> Issue {
    let inner = e.inner();
    if !inner.is_data() {
        return malformed(inner);
    }
    let at = match e.path().to_string() {
        p if p == "." => String::new(),
        p => p,
    };
    let message = inner.to_string();
    let quoted = message.split('`').nth(1).unwrap_or_default();
    let joined = |key: &str| {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    };
    if message.starts_with("unknown field") {
        // The path ends with the unknown key, except inside flattened structs.
        let key = if at.ends_with(quoted) {
            at.clone()
        } else {
            joined(quoted)
        };
        Issue::error(key.clone(), "payload.unexpected_key").with("key", key)
    } else if message.starts_with("missing field") {
        let key = joined(quoted);
        Issue::error(key.clone(), "payload.missing_key").with("key", key)
    } else {
        let shown = if at.is_empty() { "(JSON)".to_owned() } else { at.clone() };
        Issue::error(at, "payload.wrong_type").with("at", shown)
    }
}

/// The reason for a value out of its length or range at `at` (400 `payload.invalid_value`).
pub fn invalid_value(at: &str) -> Issue {
    Issue::error(at, "payload.invalid_value").with("at", at)
}

/// The reasons for failed `validator` checks, one per field.
pub fn invalid_values(errors: &validator::ValidationErrors) -> Refusal {
    let mut fields: Vec<String> = errors.field_errors().keys().map(|k| k.to_string()).collect();
    fields.sort_unstable();
    let issues = fields.iter().map(|f| invalid_value(f)).collect();
    Refusal::many(StatusCode::BAD_REQUEST, issues)
}

/// Entries of a JSON value: object keys and array items at any depth.
pub fn entries(v: &Json_) -> usize {
    match v {
        Json_::Object(map) => map.values().map(|v| 1 + entries(v)).sum(),
        Json_::Array(items) => items.iter().map(|v| 1 + entries(v)).sum(),
        _ => 0,
    }
}

/// A token bucket per client: `per_minute` writes on average, `burst` at once.
pub struct Limiter {
    per_ms: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, (f64, i64)>>,
}

/// Buckets kept before full (idle) ones are forgotten.
const MAX_BUCKETS: usize = 100_000;

impl Limiter {
    /// A limiter; `per_minute` 0 lets everything through.
    pub fn new(per_minute: u32, burst: u32) -> Limiter {
        Limiter {
            per_ms: f64::from(per_minute) / 60_000.0,
            burst: f64::from(burst),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token for a client at a time (Unix ms), or says how many seconds to wait.
    pub fn take(&self, client: &str, now_ms: i64) -> Result<(), u64> {
        if self.per_ms == 0.0 {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() >= MAX_BUCKETS {
            let (per_ms, burst) = (self.per_ms, self.burst);
            buckets.retain(|_, (tokens, at)| *tokens + (now_ms - *at) as f64 * per_ms < burst);
        }
        let (tokens, at) = buckets.entry(client.to_owned()).or_insert((self.burst, now_ms));
        let elapsed = (now_ms - *at).max(0) as f64;
        *tokens = (*tokens + elapsed * self.per_ms).min(self.burst);
        *at = now_ms;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.per_ms / 1000.0).ceil().max(1.0) as u64)
        }
    }

    /// The refusal for a client that must wait.
    pub fn refusal(seconds: u64) -> Refusal {
        let mut r = Refusal::new(
            StatusCode::TOO_MANY_REQUESTS,
            Issue::error("", "payload.rate_limited").with("seconds", seconds),
        );
        r.retry_after = Some(seconds);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        inner: Inner,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u8,
    }

    fn code_of(text: &str) -> (String, String) {
        let r = parse::<Sample>(text.as_bytes()).expect_err("refused");
        (r.issues[0].path.clone(), r.issues[0].code.clone())
    }

    #[test]
    fn json_mistakes_are_named() {
        assert_eq!(code_of("{\"name\": "), (String::new(), "payload.malformed".into()));
        assert_eq!(
            code_of(r#"{"name": "a", "inner": {"count": 1}} trailing"#).1,
            "payload.malformed"
        );
        assert_eq!(
            code_of(r#"{"name": "a", "inner": {"count": 1, "value": "x"}}"#),
            ("inner.value".into(), "payload.unexpected_key".into())
        );
        assert_eq!(
            code_of(r#"{"name": "a"}"#),
            ("inner".into(), "payload.missing_key".into())
        );
        assert_eq!(
            code_of(r#"{"name": "a", "inner": {"count": 300}}"#),
            ("inner.count".into(), "payload.wrong_type".into())
        );
        assert!(parse::<Sample>(br#"{"name": "a", "inner": {"count": 3}}"#).is_ok());
        // JSON.stringify of a JavaScript string holding half of an emoji.
        assert_eq!(
            code_of(r#"{"name": "\ud83d", "inner": {"count": 1}}"#).1,
            "payload.lone_surrogate"
        );
    }

    #[test]
    fn every_code_used_has_words() {
        for code in [
            "payload.malformed",
            "payload.lone_surrogate",
            "payload.unexpected_key",
            "payload.missing_key",
            "payload.wrong_type",
            "payload.invalid_value",
            "payload.too_large",
            "payload.incomplete",
            "payload.too_many_fields",
            "payload.rate_limited",
            "submission.form_unknown",
            "submission.form_changed",
            "submission.digest_mismatch",
            "submission.key_invalid",
            "submission.key_reused",
            "submission.already_received",
            "dossier.not_found",
            "timing.invalid",
            "timing.unknown_name",
            "timing.session_taken",
            "timing.form_mismatch",
            "timing.no_activity",
            "timing.receipt_unbound",
            "upload.quota",
            "timing.dossier_taken",
            "satisfaction.already_rated",
            "dossier.file_not_found",
            "decision.reasons_required",
            "decision.reason_blank",
            "decision.unknown_field",
            "decision.already_made",
        ] {
            assert!(messages::knows(code), "{code}");
        }
        let r = Limiter::refusal(7).into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "7");
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Query {
        #[serde(default)]
        limit: Option<i64>,
        #[serde(default)]
        form: Option<String>,
    }

    #[test]
    fn query_mistakes_are_named() {
        let issue = |query: &str| {
            let r = parse_query::<Query>(Some(query)).expect_err("refused");
            (r.status, r.issues[0].path.clone(), r.issues[0].code.clone())
        };
        let bad = |at: &str, code: &str| (StatusCode::BAD_REQUEST, at.to_owned(), code.to_owned());
        assert_eq!(issue("limit=ten"), bad("limit", "payload.invalid_value"));
        assert_eq!(issue("form=a&page=2"), bad("page", "payload.unexpected_key"));
        assert_eq!(issue("limit=1&limit=2"), bad("limit", "payload.invalid_value"));
        let q = parse_query::<Query>(Some("limit=3&form=T%C3%AA%20n")).unwrap();
        assert_eq!((q.limit, q.form.as_deref()), (Some(3), Some("Tê n")));
        assert!(parse_query::<Query>(None).is_ok());
    }

    #[tokio::test]
    async fn a_body_all_there_is_read_even_past_its_deadline() {
        let request = with_body_deadline(Request::new(Body::from("{}")), Duration::ZERO);
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(read_body(request.into_body(), 1024).await.unwrap(), "{}");
    }

    #[test]
    fn entries_count_every_level() {
        assert_eq!(entries(&json!({"a": 1, "b": {"c": [1, 2]}})), 5);
        assert_eq!(entries(&json!("x")), 0);
    }

    /// The client address of a request from `peer` with these `X-Forwarded-For` headers.
    fn client_of(trusted: &[&str], peer: &str, forwarded: &[&str]) -> IpAddr {
        client_by(ForwardedHeader::XForwardedFor, trusted, peer, forwarded)
    }

    /// The client address of a request from `peer` with these values of `header`.
    fn client_by(header: ForwardedHeader, trusted: &[&str], peer: &str, values: &[&str]) -> IpAddr {
        let trusted: Vec<IpNet> = trusted.iter().map(|t| t.parse().unwrap()).collect();
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header.name(), HeaderValue::from_str(value).unwrap());
        }
        client_address(&trusted, header, peer.parse().unwrap(), &headers)
    }

    #[test]
    fn proxies_writing_forwarded_name_the_client_in_it() {
        let rfc = |values: &[&str]| client_by(ForwardedHeader::Forwarded, &["10.0.0.0/8"], "10.0.0.2", values);
        assert_eq!(rfc(&["for=198.51.100.7;proto=https;by=10.0.0.2"]), ip("198.51.100.7"));
        // A chain, walked from the right as X-Forwarded-For is; quoted, with ports, in any case.
        assert_eq!(
            rfc(&["for=1.1.1.1, For=\"198.51.100.7:51234\", for=10.0.0.1"]),
            ip("198.51.100.7")
        );
        assert_eq!(
            rfc(&["for=\"[2001:db8::5]:443\";proto=https", "for=10.0.0.1"]),
            ip("2001:db8::5")
        );
        assert_eq!(rfc(&["for=\"[2001:db8::6]\""]), ip("2001:db8::6"));
        // A comma or semicolon in a quoted value of another parameter splits nothing.
        assert_eq!(
            rfc(&["for=198.51.100.7;ext=\"a,b;c\", for=10.0.0.1"]),
            ip("198.51.100.7")
        );
        // Unknown, hidden or missing clients, and X-Forwarded-For when proxies write Forwarded, leave the proxy.
        for values in [&["for=unknown"][..], &["for=_hidden"], &["proto=https"], &[]] {
            assert_eq!(rfc(values), ip("10.0.0.2"), "{values:?}");
        }
        assert_eq!(client_of(&["10.0.0.0/8"], "10.0.0.2", &[]), ip("10.0.0.2"));
        // From a peer that is not a proxy, the header is ignored.
        assert_eq!(
            client_by(
                ForwardedHeader::Forwarded,
                &["10.0.0.0/8"],
                "203.0.113.9",
                &["for=198.51.100.7"]
            ),
            ip("203.0.113.9")
        );
        assert_eq!(ForwardedHeader::named(" Forwarded "), Some(ForwardedHeader::Forwarded));
        // The host the browser addressed, from the element the last proxy added.
        let mut headers = HeaderMap::new();
        headers.append("forwarded", HeaderValue::from_static("for=1.1.1.1;host=evil.example"));
        headers.append(
            "forwarded",
            HeaderValue::from_static("for=198.51.100.7;HOST=\"portal.gov.vn\";proto=https"),
        );
        headers.append("x-forwarded-host", HeaderValue::from_static("other.example"));
        assert_eq!(ForwardedHeader::Forwarded.host(&headers), Some("portal.gov.vn"));
        assert_eq!(ForwardedHeader::XForwardedFor.host(&headers), Some("other.example"));
        assert_eq!(ForwardedHeader::Forwarded.host(&HeaderMap::new()), None);
        assert_eq!(ForwardedHeader::named("x-real-ip"), None);
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_header_from_an_untrusted_peer_is_ignored() {
        assert_eq!(client_of(&[], "203.0.113.9", &["198.51.100.1"]), ip("203.0.113.9"));
        let proxies = ["10.0.0.0/8"];
        assert_eq!(client_of(&proxies, "203.0.113.9", &["198.51.100.1"]), ip("203.0.113.9"));
        assert_eq!(client_of(&proxies, "10.1.2.3", &["198.51.100.1"]), ip("198.51.100.1"));
    }

    #[test]
    fn a_chain_of_proxies_is_walked_from_the_right() {
        let proxies = ["10.0.0.1/32", "10.0.0.2/32"];
        let client = ip("198.51.100.7");
        assert_eq!(client_of(&proxies, "10.0.0.2", &["198.51.100.7, 10.0.0.1"]), client);
        // What the client wrote itself, left of the address the first proxy saw, is not believed.
        assert_eq!(
            client_of(&proxies, "10.0.0.2", &["10.0.0.1, 1.1.1.1, 198.51.100.7, 10.0.0.1"]),
            client
        );
        // Several headers are one list, in order.
        assert_eq!(client_of(&proxies, "10.0.0.2", &["198.51.100.7", "10.0.0.1"]), client);
        assert_eq!(
            client_of(&proxies, "10.0.0.2", &["1.1.1.1", "198.51.100.7,10.0.0.1"]),
            client
        );
    }

    #[test]
    fn an_address_with_the_port_a_proxy_added_is_the_address() {
        let proxies = ["10.0.0.0/8"];
        assert_eq!(
            client_of(&proxies, "10.0.0.2", &["198.51.100.7:51234"]),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_of(&proxies, "10.0.0.2", &["[2001:db8::5]:443, 10.0.0.1:80"]),
            ip("2001:db8::5")
        );
        // A port without brackets around an IPv6 address cannot be told from the address: malformed.
        assert_eq!(client_of(&proxies, "10.0.0.2", &["2001:db8::5:443:x"]), ip("10.0.0.2"));
    }

    #[test]
    fn ipv6_proxies_and_clients() {
        let proxies = ["fd00::/8", "10.0.0.0/8"];
        assert_eq!(client_of(&proxies, "fd00::1", &["2001:db8::5"]), ip("2001:db8::5"));
        assert_eq!(
            client_of(&proxies, "fd00::1", &["2001:db8::5, fd12::9"]),
            ip("2001:db8::5")
        );
        assert_eq!(
            client_of(&proxies, "2001:db8::66", &["2001:db8::5"]),
            ip("2001:db8::66")
        );
        // An IPv4 proxy seen through a dual-stack socket.
        assert_eq!(
            client_of(&proxies, "::ffff:10.0.0.1", &["198.51.100.7"]),
            ip("198.51.100.7")
        );
        assert_eq!(client_of(&proxies, "::ffff:203.0.113.9", &[]), ip("203.0.113.9"));
    }

    #[test]
    fn a_missing_or_malformed_header_leaves_the_peer() {
        let proxies = ["10.0.0.0/8"];
        let peer = ip("10.0.0.1");
        assert_eq!(client_of(&proxies, "10.0.0.1", &[]), peer);
        for malformed in [
            "",
            "not-an-ip",
            "198.51.100.7:x",
            "198.51.100.7,",
            "10.0.0.5, 256.1.1.1",
        ] {
            assert_eq!(client_of(&proxies, "10.0.0.1", &[malformed]), peer, "{malformed:?}");
        }
        // Only proxies: no client address in the header.
        assert_eq!(client_of(&proxies, "10.0.0.1", &["10.0.0.3, 10.0.0.2"]), peer);
        // A mistake left of the client's address is the client's own.
        assert_eq!(
            client_of(&proxies, "10.0.0.1", &["junk, 198.51.100.7"]),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn buckets_refill_over_time() {
        let l = Limiter::new(60, 2);
        assert_eq!(l.take("a", 0), Ok(()));
        assert_eq!(l.take("a", 0), Ok(()));
        assert_eq!(l.take("a", 0), Err(1));
        assert_eq!(l.take("b", 0), Ok(()), "clients have their own buckets");
        assert_eq!(l.take("a", 1_000), Ok(()));
        assert!(Limiter::new(0, 0).take("a", 0).is_ok());
    }
}
