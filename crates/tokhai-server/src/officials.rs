//! The officials' API: the dossiers received, as an agency's case-handling system (or an official's
//! browser tool) reads them, and the decision on each, kept beside the dossier with its reasons.

use crate::auth::{bearer_allowed, ApiError};
use crate::intake::{read_dossier, shown_id, Dossier, Stored};
use crate::limits::{invalid_value, parse, parse_query, read_body, Failure, Refusal};
use crate::{now_ms, reading, AppState};
use axum::extract::{ConnectInfo, Path, RawQuery, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value as Json_};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokhai_core::office_hours::OfficeHours;
use tokhai_core::text::{char_len, clean_line, clean_multiline, has_letter_or_digit, without_marks};
use tokhai_core::timing::Progress;
use tokhai_core::{path, Form, Issue};
use tower::Layer;

/// The status of a dossier until an official decides; then it is the decision.
pub(crate) const RECEIVED: &str = "received";

/// The statuses of a dossier.
const STATUSES: [&str; 3] = [RECEIVED, "accepted", "refused"];

/// The status a list asks for to have the dossiers waiting past their due time (received ones, overdue).
const OVERDUE: &str = "overdue";

/// Most dossiers in one page of the list.
const MAX_PAGE: i64 = 500;

/// Dossiers in one page of the list when the request does not say.
const DEFAULT_PAGE: i64 = 100;

/// Most characters of the name or id of the official who decides.
pub(crate) const MAX_OFFICIAL: usize = 200;

/// Most reasons of one decision.
const MAX_REASONS: usize = 50;

/// Most characters of a reason's message, in each language.
const MAX_MESSAGE: usize = 2000;

/// The officials' API, the whole of `/api/officials/…` behind the bearer tokens (a method a route does not
/// take too: its 405 and `Allow` are for the tokens' holders); without a token configured, no route at
/// all: its addresses are unknown ones.
pub fn router(state: &Arc<AppState>) -> Router<Arc<AppState>> {
    // The agency system's token, which names the official of each decision, then each official's own.
    let system = state.config.officials_token.iter().map(|t| (t.clone(), None));
    let own = state
        .config
        .officials
        .iter()
        .map(|o| (o.token.clone(), Some(o.name.clone())));
    let holders: Arc<[Holder]> = system.chain(own).collect();
    if holders.is_empty() {
        return Router::new();
    }
    let api = Router::new()
        .route("/me", get(me))
        .route("/dossiers", get(list))
        .route("/dossiers/{id}", get(dossier))
        .route("/dossiers/{id}/files/{upload}", get(file))
        .route("/dossiers/{id}/decision", post(decide))
        .with_state(state.clone());
    let gate = middleware::from_fn_with_state((state.clone(), holders), authorised);
    Router::new().nest_service("/api/officials", gate.layer(api))
}

/// A token of the officials' API and the official it is of (none: the agency system's, which names them).
type Holder = (String, Option<String>);

/// Who holds the token a request came with: the official it is of, or none for the agency system's.
#[derive(Clone, Debug)]
struct TokenOf(Option<String>);

/// Checks the officials' bearer token and tells the routes whose it is: a wrong one is 401 and costs its
/// client a token of the `officials:` bucket of the rate limit.
async fn authorised(
    State((state, holders)): State<(Arc<AppState>, Arc<[Holder]>)>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let unauthorized = ApiError::new(
        StatusCode::UNAUTHORIZED,
        "officials_unauthorized",
        "Cần mã truy cập của cơ quan tiếp nhận hồ sơ hoặc của cán bộ.",
        "The officials' API needs the agency's or an official's access token.",
    );
    let tokens: Vec<&str> = holders.iter().map(|(token, _)| token.as_str()).collect();
    match bearer_allowed(&state, request.headers(), client, &tokens, "officials", unauthorized) {
        Ok(i) => {
            request.extensions_mut().insert(TokenOf(holders[i].1.clone()));
            next.run(request).await
        }
        Err(refused) => refused.into_response(),
    }
}

/// `GET /api/officials/me`: `{official}`, the official whose own token the request came with (their
/// decisions are recorded in that name), or `null` for the agency system's token (each decision names its
/// official).
async fn me(Extension(TokenOf(official)): Extension<TokenOf>) -> Json<Json_> {
    Json(json!({ "official": official }))
}

/// The query of a list of dossiers: `form`, `status` (or `overdue`: those waiting past their due time),
/// `order` (`newest` first, the default, or `oldest`), `limit` (1 to 500, default 100), and the receipt
/// times `after` and `before` (ms, exclusive).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    #[serde(default)]
    form: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    order: Order,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    after: Option<i64>,
    #[serde(default)]
    before: Option<i64>,
}

/// The order of a list of dossiers, by the time they were received.
#[derive(Clone, Copy, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Order {
    /// The latest first; the next page is the ones received before the page's last.
    #[default]
    Newest,
    /// The earliest first (the longest waiting, among those awaiting a decision); the next page is the ones
    /// received after the page's last.
    Oldest,
}

impl ListQuery {
    /// The order the list asks for.
    pub(crate) fn order(&self) -> Order {
        self.order
    }
}

impl Order {
    /// The key of the next page's bound in a list's answer: `next_before` or `next_after`.
    pub(crate) fn next_key(self) -> &'static str {
        match self {
            Order::Newest => "next_before",
            Order::Oldest => "next_after",
        }
    }
}

/// A dossier as the list shows it: id, form, version, received at, decision and when it was made, and when
/// its time limit ends (none without one).
pub(crate) type Listed = (String, String, String, i64, Option<String>, Option<i64>, Option<i64>);

/// Reads the list's query; a key it does not know, or a value out of its range, is refused naming it.
pub(crate) fn list_query(query: Option<&str>) -> Result<ListQuery, Failure> {
    let refused = |at: &str| Failure::from(Refusal::new(StatusCode::BAD_REQUEST, invalid_value(at)));
    let q: ListQuery = parse_query(query)?;
    if q.status
        .as_deref()
        .is_some_and(|s| !STATUSES.contains(&s) && s != OVERDUE)
    {
        return Err(refused("status"));
    }
    if q.limit.is_some_and(|n| !(1..=MAX_PAGE).contains(&n)) {
        return Err(refused("limit"));
    }
    Ok(q)
}

/// The dossiers received in `[from, before)` that the query's form and status select (only the citizen
/// `subject`'s, when given), in the query's order, at most `limit`.
async fn listed(
    state: &AppState,
    q: &ListQuery,
    subject: Option<&str>,
    (from, before): (i64, i64),
    limit: i64,
) -> Result<Vec<Listed>, Failure> {
    let order = match q.order {
        Order::Newest => "s.received_at DESC, s.id DESC",
        Order::Oldest => "s.received_at, s.id",
    };
    let sql = format!(
        "SELECT s.id, s.form_id, s.form_version, s.received_at, d.decision, d.decided_at, s.due_at \
         FROM submissions s LEFT JOIN decisions d ON d.submission_id = s.id \
         WHERE s.received_at >= $1 AND s.received_at < $2 AND ($3 IS NULL OR s.form_id = $3) \
         AND ($4 IS NULL OR COALESCE(d.decision, $5) = $4 OR ($4 = $8 AND d.decision IS NULL AND s.due_at < $9)) \
         AND ($6 IS NULL OR s.subject = $6) ORDER BY {order} LIMIT $7"
    );
    let rows = sqlx::query_as(&sql)
        .bind(from)
        .bind(before)
        .bind(q.form.clone())
        .bind(q.status.clone())
        .bind(RECEIVED)
        .bind(subject.map(str::to_owned))
        .bind(limit)
        .bind(OVERDUE)
        .bind(now_ms())
        .fetch_all(&state.db)
        .await
        .map_err(ApiError::db)?;
    Ok(rows)
}

/// One page of the dossiers the query selects (only the citizen `subject`'s, when given), in its order,
/// and the bound of the next page when more may follow (its `before`, or its `after` oldest first). A page
/// never splits a millisecond (that bound would skip the rest of it): it ends before the first one it
/// cannot hold whole, or holds all the dossiers of one millisecond when they are more than `limit`.
pub(crate) async fn page_of(
    state: &AppState,
    q: &ListQuery,
    subject: Option<&str>,
) -> Result<(Vec<Listed>, Option<i64>), Failure> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    let from = q.after.map_or(i64::MIN, |after| after.saturating_add(1));
    let mut page = listed(state, q, subject, (from, q.before.unwrap_or(i64::MAX)), limit + 1).await?;
    let more = page.len() as i64 > limit;
    if more {
        let cut = page[limit as usize].3;
        page.retain(|d| d.3 != cut);
        if page.is_empty() {
            page = listed(state, q, subject, (cut, cut + 1), i64::MAX).await?;
        }
    }
    let next = page.last().map(|d| d.3).filter(|_| more);
    Ok((page, next))
}

/// `GET /api/officials/dossiers?form=&status=&order=&limit=&after=&before=`: the dossiers received, newest
/// (or oldest) first (see [`page_of`]), each with the working time it took or has waited so far and how it
/// stands to its time limit, and `next_before` (or `next_after`) when more may follow.
async fn list(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Result<Response, Failure> {
    let q = list_query(query.as_deref())?;
    let (page, next) = page_of(&state, &q, None).await?;
    tracing::info!(endpoint = "list", form = ?q.form, status = ?q.status, count = page.len(), "officials listed dossiers");
    let (office, now) = (&state.config.office_hours, now_ms());
    let dossiers: Vec<Json_> = page
        .into_iter()
        .map(
            |(id, form_id, form_version, received_at, decision, decided_at, due_at)| {
                let mut d = json!({
                    "id": id, "form_id": form_id, "form_version": form_version, "received_at": received_at,
                    "status": decision.as_deref().unwrap_or(RECEIVED),
                });
                if let Some(at) = decided_at {
                    d["decided_at"] = json!(at);
                }
                if let Some(fields) = d.as_object_mut() {
                    fields.extend(progress(office, (received_at, due_at), decided_at, now));
                }
                d
            },
        )
        .collect();
    let mut body = paged(dossiers, q.order, next);
    body["working_day_ms"] = json!(office.day_ms());
    Ok(Json(body).into_response())
}

/// How long officials have taken on a dossier received at `received_at` and due at `due_at` (none without a
/// time limit): `working_ms` to its decision at `decided_at`, or so far at `now`, in working time; and, with
/// a time limit, `due_at` and how the dossier stands to it (`timeliness`).
fn progress(office: &OfficeHours, times: (i64, Option<i64>), decided_at: Option<i64>, now: i64) -> Map<String, Json_> {
    let Progress { working_ms, timeliness } = Progress::of(office, times, decided_at, now);
    let mut p = Map::new();
    p.insert("working_ms".to_owned(), json!(working_ms));
    if let Some(timeliness) = timeliness {
        p.insert("due_at".to_owned(), json!(times.1));
        p.insert("timeliness".to_owned(), json!(timeliness));
    }
    p
}

/// A page of a list of dossiers in an order: `{dossiers}`, with the next page's bound when more may follow.
pub(crate) fn paged(dossiers: Vec<Json_>, order: Order, next: Option<i64>) -> Json_ {
    let mut body = json!({ "dossiers": dossiers });
    if let Some(bound) = next {
        body[order.next_key()] = json!(bound);
    }
    body
}

/// JSON stored as text, as it was stored (`null` for none).
fn stored_json(text: Option<&str>) -> Json_ {
    text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Json_::Null)
}

/// A file bound to a dossier as the dossier lists it: id, field, name, media type, size and SHA-256.
type FileRow = (String, String, String, String, i64, String);

/// `GET /api/officials/dossiers/<id>`: the receipt, the values, the source of every field, the signed
/// bundles as stored, the files bound to it (with where to download them), its status and decision, and
/// the working time it took or has waited so far and how it stands to its time limit (as the list gives them).
async fn dossier(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> Result<Response, Failure> {
    let dossier = read_dossier(&state, &id, None).await?;
    let files: Vec<FileRow> = sqlx::query_as(
        "SELECT id, field, name, media_type, size, sha256 FROM uploads WHERE submission_id = $1 ORDER BY received_at, id",
    )
    .bind(id.clone())
    .fetch_all(&state.db)
    .await
    .map_err(ApiError::db)?;
    let decision = decision_on(&state, &id).await?;
    let form = form_of(&state, dossier.ruleset_hash.as_deref(), &dossier.stored.form_id);
    let stored = &dossier.stored;
    let mut body = stored.receipt();
    // Each file's path in the values, as the provenance names it (else, for dossiers filed before
    // it did, its field).
    let paths: HashMap<&str, &str> = body["provenance"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(path, entry)| {
            let files = entry["files"].as_array().map(Vec::as_slice).unwrap_or_default();
            files
                .iter()
                .filter_map(move |f| Some((f["upload"].as_str()?, path.as_str())))
        })
        .collect();
    let files: Vec<Json_> = files
        .iter()
        .map(|(upload, field, name, media_type, size, sha256)| {
            let path = paths.get(upload.as_str()).copied().unwrap_or(field);
            json!({
                "path": path, "label": reading::path_label(form, path), "name": name, "size": size,
                "type": media_type, "sha256": sha256,
                "href": format!("/api/officials/dossiers/{}/files/{upload}", stored.id),
            })
        })
        .collect();
    let values = stored_json(Some(&stored.payload));
    let office = &state.config.office_hours;
    let decided_at = decision.as_ref().map(|d| d.decided_at);
    let progress = progress(office, (stored.received_at, stored.due_at), decided_at, now_ms());
    let integrity = dossier.integrity(&state, version_of(&state, dossier.ruleset_hash.as_deref()))?;
    let extra = json!({
        "subject": stored.subject,
        "login_method": stored.login_method,
        "answers": reading::answers(form, &state.catalogs, &values),
        "values": values,
        "prefill": stored_json(dossier.prefill.as_deref()),
        "row_prefills": stored_json(dossier.row_prefills.as_deref()),
        "files": files,
        "integrity": integrity,
        "status": status(decision.as_ref()),
        "working_day_ms": office.day_ms(),
    });
    if let (Some(body), Json_::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
        body.extend(progress);
    }
    if let Some(decision) = &decision {
        body["decision"] = decision.for_officials(form, stored, office);
    }
    tracing::info!(dossier = %stored.id, endpoint = "dossier", "officials read a dossier");
    Ok(Json(body).into_response())
}

/// `GET /api/officials/dossiers/<id>/files/<upload>`: the bytes of a file bound to that dossier, to
/// save, never to open in the browser (`attachment`, and a sandbox should it be opened anyway).
async fn file(
    State(state): State<Arc<AppState>>,
    Path((id, upload)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let found: Option<(String, String, Vec<u8>)> =
        sqlx::query_as("SELECT name, media_type, content FROM uploads WHERE id = $1 AND submission_id = $2")
            .bind(upload.clone())
            .bind(id.clone())
            .fetch_optional(&state.db)
            .await
            .map_err(ApiError::db)?;
    let Some((name, media_type, content)) = found else {
        let issue = Issue::error("", "dossier.file_not_found")
            .with("id", shown_id(&id))
            .with("upload", shown_id(&upload));
        return Err(Refusal::new(StatusCode::NOT_FOUND, issue).into());
    };
    tracing::info!(dossier = %id, upload = %upload, endpoint = "file", "officials read a file");
    let media_type = HeaderValue::from_str(&media_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let disposition = HeaderValue::from_str(&attachment(&name)).map_err(|_| ApiError::internal())?;
    let headers = [
        (header::CONTENT_TYPE, media_type),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox")),
    ];
    Ok((headers, content).into_response())
}

/// The `Content-Disposition` of a file to save as `name`: `filename` in ASCII first, for clients that do
/// not read `filename*` (`curl -OJ`), then `filename*` with the name as it is (RFC 6266 §4.3).
fn attachment(name: &str) -> String {
    format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_name(name),
        percent_encoded(name)
    )
}

/// A file name in printable ASCII for a quoted `filename`: Vietnamese letters without their marks
/// (`Giấy đỏ` gives `Giay do`), any other character outside ASCII as `_`, without `"`, `\` or controls.
fn ascii_name(name: &str) -> String {
    without_marks(name)
        .chars()
        .filter(|&c| !(c.is_control() || c == '"' || c == '\\'))
        .map(|c| if c.is_ascii() { c } else { '_' })
        .collect()
}

/// A file name as `filename*` carries it (RFC 8187): its UTF-8 bytes, all but letters, digits and
/// ``!#$&+-.^_`|~`` percent-encoded.
fn percent_encoded(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// An official's decision as asked: `accepted` or `refused`, who decides, and the reasons.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Asked {
    decision: Verdict,
    #[serde(default)]
    official: Option<String>,
    #[serde(default)]
    reasons: Vec<Reason>,
}

/// What an official decides on a dossier.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Verdict {
    Accepted,
    Refused,
}

impl Verdict {
    /// The word stored and answered for it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Verdict::Accepted => "accepted",
            Verdict::Refused => "refused",
        }
    }
}

/// One reason of a decision: the field it is about (a value path of the dossier's form), if any, and
/// the words for the citizen in Vietnamese and, if given, English.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Reason {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    message_vi: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message_en: Option<String>,
}

/// A decision on a dossier, as stored.
struct Decision {
    /// `accepted` or `refused`.
    decision: String,
    /// Who decided: a name or an id of the agency's system.
    official: String,
    reasons: Vec<Reason>,
    decided_at: i64,
}

impl Decision {
    /// The decision as officials see it: with who made it, the working time from the dossier's receipt and,
    /// with a time limit, whether it was made by the dossier's due time.
    fn for_officials(&self, form: Option<&Form>, dossier: &Stored, office: &OfficeHours) -> Json_ {
        let mut seen = self.for_citizen(form);
        seen["official"] = json!(self.official);
        let (at, times) = (Some(self.decided_at), (dossier.received_at, dossier.due_at));
        if let Some(seen) = seen.as_object_mut() {
            seen.extend(progress(office, times, at, self.decided_at));
        }
        seen
    }

    /// The decision as the citizen sees it: what was decided, when and why, each reason with the label
    /// of the field it names. Not who: the decision is the agency's, and `official` may be an id of the
    /// agency's own system, not meant for the public.
    fn for_citizen(&self, form: Option<&Form>) -> Json_ {
        let reasons: Vec<Json_> = self
            .reasons
            .iter()
            .map(|r| {
                let mut reason = json!(r);
                if let Some(path) = &r.path {
                    reason["label"] = reading::path_label(form, path);
                }
                reason
            })
            .collect();
        json!({"decision": self.decision, "reasons": reasons, "decided_at": self.decided_at})
    }
}

/// The status of a dossier with this decision, or none.
fn status(decision: Option<&Decision>) -> &str {
    decision.map_or(RECEIVED, |d| d.decision.as_str())
}

/// A decision as the `decisions` table holds it: decision, official, reasons (JSON text), decided at.
type DecisionRow = (String, String, String, i64);

/// A decision on one of a citizen's dossiers: the dossier's id, form and ruleset hash, then as [`DecisionRow`].
type CitizenDecisionRow = (String, String, Option<String>, String, String, String, i64);

impl Decision {
    /// The decision on the dossier `id` from its row; its reasons unreadable are an internal error.
    fn from_row(id: &str, (decision, official, reasons, decided_at): DecisionRow) -> Result<Decision, Failure> {
        let reasons = serde_json::from_str(&reasons).map_err(|e| {
            tracing::error!(dossier = %id, error = %e, "stored reasons of a decision unreadable");
            ApiError::internal()
        })?;
        Ok(Decision {
            decision,
            official,
            reasons,
            decided_at,
        })
    }
}

/// The decision on the dossier `id`, if one was made.
async fn decision_on(state: &AppState, id: &str) -> Result<Option<Decision>, Failure> {
    let row: Option<DecisionRow> =
        sqlx::query_as("SELECT decision, official, reasons, decided_at FROM decisions WHERE submission_id = $1")
            .bind(id.to_owned())
            .fetch_optional(&state.db)
            .await
            .map_err(ApiError::db)?;
    row.map(|row| Decision::from_row(id, row)).transpose()
}

/// The decision on `dossier` as its citizen's receipt (`GET /api/submissions/<id>`) tells it: `null`
/// until one is made.
pub(crate) async fn citizen_decision(state: &AppState, dossier: &Dossier) -> Result<Json_, Failure> {
    let form = form_of(state, dossier.ruleset_hash.as_deref(), &dossier.stored.form_id);
    let decision = decision_on(state, &dossier.stored.id).await?;
    Ok(decision.map_or(Json_::Null, |d| d.for_citizen(form)))
}

/// The decisions on the dossiers of the citizen `subject` received in `[from, to]` (a page of their
/// list), as their receipts tell them, by dossier id: one query for the page.
pub async fn citizen_decisions(
    state: &AppState,
    subject: &str,
    (from, to): (i64, i64),
) -> Result<HashMap<String, Json_>, Failure> {
    let rows: Vec<CitizenDecisionRow> = sqlx::query_as(
        "SELECT d.submission_id, s.form_id, s.ruleset_hash, d.decision, d.official, d.reasons, d.decided_at \
         FROM decisions d JOIN submissions s ON s.id = d.submission_id \
         WHERE s.subject = $1 AND s.received_at >= $2 AND s.received_at <= $3",
    )
    .bind(subject.to_owned())
    .bind(from)
    .bind(to)
    .fetch_all(&state.db)
    .await
    .map_err(ApiError::db)?;
    rows.into_iter()
        .map(|(id, form_id, ruleset_hash, decision, official, reasons, at)| {
            let d = Decision::from_row(&id, (decision, official, reasons, at))?;
            let form = form_of(state, ruleset_hash.as_deref(), &form_id);
            Ok((id, d.for_citizen(form)))
        })
        .collect()
}

/// The version of form `form_id` a dossier was filled against, by its ruleset hash (the current one if
/// that version is no longer kept).
fn form_of<'s>(state: &'s AppState, ruleset_hash: Option<&str>, form_id: &str) -> Option<&'s Form> {
    let version = version_of(state, ruleset_hash).or_else(|| state.form(form_id));
    version.map(Arc::as_ref)
}

/// The form version a dossier was filled against, by its ruleset hash, if it is kept.
fn version_of<'s>(state: &'s AppState, ruleset_hash: Option<&str>) -> Option<&'s Arc<Form>> {
    ruleset_hash.and_then(|h| state.versions.get(h))
}

/// The decision asked, cleaned (text as tokhai-core cleans a citizen's), or every reason it is refused
/// for, in one refusal: 400 when one is a value out of bounds (an official blank or over 200 characters,
/// over 50 reasons, a message over 2000 characters, an empty path), else 422 (a refusal without reasons,
/// a reason without a letter or digit, a path that is no field of the dossier's form).
fn checked(
    asked: Asked,
    token_of: Option<&str>,
    form: Option<&Form>,
    form_id: &str,
) -> Result<(Verdict, String, Vec<Reason>), Failure> {
    let mut issues = Vec::new();
    let named = asked.official.as_deref().map(clean_line);
    // An official's own token decides in their name; the agency system's names the official.
    let official = match (token_of, named) {
        (Some(own), Some(named)) if named != own => {
            issues.push(Issue::error("official", "decision.official_not_token").with("official", own));
            named
        }
        (Some(own), _) => own.to_owned(),
        (None, named) => named.unwrap_or_default(),
    };
    if official.is_empty() || char_len(&official) > MAX_OFFICIAL {
        issues.push(invalid_value("official"));
    }
    if asked.decision == Verdict::Refused && asked.reasons.is_empty() {
        issues.push(Issue::error("reasons", "decision.reasons_required"));
    }
    if asked.reasons.len() > MAX_REASONS {
        issues.push(invalid_value("reasons"));
    }
    let mut reasons = Vec::with_capacity(asked.reasons.len());
    for (i, reason) in asked.reasons.into_iter().enumerate().take(MAX_REASONS) {
        let at = |key: &str| format!("reasons[{i}].{key}");
        let message_vi = clean_multiline(&reason.message_vi);
        if !has_letter_or_digit(&message_vi) {
            issues.push(Issue::error(at("message_vi"), "decision.reason_blank"));
        }
        // An English message with nothing to read is none, as an empty one is.
        let message_en = reason
            .message_en
            .map(|m| clean_multiline(&m))
            .filter(|m| has_letter_or_digit(m));
        for (key, message) in [("message_vi", Some(&message_vi)), ("message_en", message_en.as_ref())] {
            if message.is_some_and(|m| char_len(m) > MAX_MESSAGE) {
                issues.push(invalid_value(&at(key)));
            }
        }
        if let Some(p) = reason.path.as_deref() {
            issues.extend(path_issue(form, form_id, p, &at("path")));
        }
        reasons.push(Reason {
            path: reason.path,
            message_vi,
            message_en,
        });
    }
    if issues.is_empty() {
        return Ok((asked.decision, official, reasons));
    }
    let status = if issues.iter().any(|i| i.code == "payload.invalid_value") {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Err(Refusal::many(status, issues).into())
}

/// Why a reason's `path` (at `at`) is refused, if it is: empty (400), or no field of the form, nor a row
/// its group may have (422). A group whose form sets no `max_rows` may have any row.
fn path_issue(form: Option<&Form>, form_id: &str, path: &str, at: &str) -> Option<Issue> {
    if path.is_empty() {
        return Some(invalid_value(at));
    }
    let known = form.is_some_and(|form| path::parse(form, path).is_ok_and(|target| row_fits(form, path, target.row)));
    (!known).then(|| {
        Issue::error(at, "decision.unknown_field")
            .with("field", path)
            .with("form_id", form_id)
    })
}

/// Whether `row` of the group `path` begins with is one the group may have (any, without `max_rows`).
fn row_fits(form: &Form, path: &str, row: Option<usize>) -> bool {
    let group = form.def().top_fields().find(|f| f.id == path::top_field(path));
    let max_rows = group.and_then(|g| g.max_rows);
    row.zip(max_rows).is_none_or(|(row, max)| row < max)
}

/// `POST /api/officials/dossiers/<id>/decision` `{decision, official, reasons?}`: 201 with the decision,
/// made once (409 `decision.already_made` with the first one); a refusal states its reasons.
async fn decide(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Extension(TokenOf(token_of)): Extension<TokenOf>,
    request: Request,
) -> Result<Response, Failure> {
    let bytes = read_body(request.into_body(), state.config.max_body_bytes).await?;
    let asked: Asked = parse(&bytes)?;
    let dossier = read_dossier(&state, &id, None).await?;
    let form = form_of(&state, dossier.ruleset_hash.as_deref(), &dossier.stored.form_id);
    let (verdict, official, reasons) = checked(asked, token_of.as_deref(), form, &dossier.stored.form_id)?;
    let decision = Decision {
        decision: verdict.as_str().to_owned(),
        official,
        reasons,
        decided_at: now_ms(),
    };
    let text = serde_json::to_string(&decision.reasons).map_err(|_| ApiError::internal())?;
    let inserted = sqlx::query(
        "INSERT INTO decisions (submission_id, decision, official, reasons, decided_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (submission_id) DO NOTHING",
    )
    .bind(id.clone())
    .bind(decision.decision.clone())
    .bind(decision.official.clone())
    .bind(text)
    .bind(decision.decided_at)
    .execute(&state.writer)
    .await
    .map_err(ApiError::db)?;
    if inserted.rows_affected() == 0 {
        let first = decision_on(&state, &id).await?.ok_or_else(ApiError::internal)?;
        let issue = Issue::error("", "decision.already_made").with("id", shown_id(&id));
        let mut refusal = Refusal::new(StatusCode::CONFLICT, issue);
        let first = first.for_officials(form, &dossier.stored, &state.config.office_hours);
        refusal.details.insert("decision".to_owned(), first);
        return Err(refusal.into());
    }
    let reasons = decision.reasons.len();
    tracing::info!(dossier = %id, endpoint = "decision", decision = %decision.decision, reasons, "officials decided");
    let decision = decision.for_officials(form, &dossier.stored, &state.config.office_hours);
    Ok((StatusCode::CREATED, Json(decision)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decision asked with these reasons.
    fn asked(decision: &str, reasons: Json_) -> Asked {
        let asked = json!({"decision": decision, "official": "Cán bộ", "reasons": reasons});
        serde_json::from_value(asked).unwrap()
    }

    /// The status and the codes and paths of what `checked` refused, or `None` if it took the decision.
    fn refused(asked: Asked, form: Option<&Form>) -> Option<(StatusCode, Vec<(String, String)>)> {
        match checked(asked, None, form, "f") {
            Ok(_) => None,
            Err(Failure::Refused(r)) => Some((r.status, r.issues.into_iter().map(|i| (i.code, i.path)).collect())),
            Err(Failure::Error(e)) => panic!("{e:?}"),
        }
    }

    #[test]
    fn a_decision_has_at_most_fifty_reasons_of_at_most_2000_characters() {
        let longest = json!({"message_vi": "ệ".repeat(2000), "message_en": "e".repeat(2000)});
        assert_eq!(refused(asked("refused", json!(vec![longest.clone(); 50])), None), None);
        let bad = |at: &str| {
            (
                StatusCode::BAD_REQUEST,
                vec![("payload.invalid_value".into(), at.into())],
            )
        };
        assert_eq!(
            refused(asked("refused", json!(vec![longest; 51])), None),
            Some(bad("reasons"))
        );
        let too_long = json!([{"message_vi": "ệ".repeat(2001)}]);
        assert_eq!(
            refused(asked("accepted", too_long), None),
            Some(bad("reasons[0].message_vi"))
        );
    }

    #[test]
    fn a_row_past_the_groups_max_rows_is_no_field_and_any_row_is_one_without_it() {
        let demo = Form::compile(include_str!("../tests/forms/demo.json")).unwrap();
        let at_path = |form: &Form, path: &str| {
            let reason = json!([{"path": path, "message_vi": "Sai"}]);
            refused(asked("refused", reason), Some(form))
        };
        assert_eq!(at_path(&demo, "members[9].m_pin"), None, "max_rows 10: rows 0 to 9");
        assert_eq!(
            at_path(&demo, "members[10].m_pin"),
            Some((
                StatusCode::UNPROCESSABLE_ENTITY,
                vec![("decision.unknown_field".into(), "reasons[0].path".into())]
            ))
        );
        let unbounded = Form::compile(
            r#"{"tokhai": 1, "id": "rows", "version": "1", "title": "-", "steps": [{"id": "s", "title": "-",
                "sections": [{"id": "x", "fields": [{"id": "kids", "kind": "group", "label": "Con",
                "fields": [{"id": "k_name", "kind": "text", "label": "Tên"}]}]}]}]}"#,
        )
        .unwrap();
        assert_eq!(at_path(&unbounded, "kids[99999].k_name"), None);
    }

    #[test]
    fn a_download_is_named_in_ascii_first_then_as_it_is() {
        assert_eq!(
            attachment("Giấy xác nhận Đỏ.pdf"),
            "attachment; filename=\"Giay xac nhan Do.pdf\"; \
             filename*=UTF-8''Gi%E1%BA%A5y%20x%C3%A1c%20nh%E1%BA%ADn%20%C4%90%E1%BB%8F.pdf"
        );
        assert_eq!(ascii_name("a\"b\\c\u{7}\td.pdf"), "abcd.pdf");
        assert_eq!(ascii_name("Ảnh 日本 Ω.jpg"), "Anh __ _.jpg");
        assert_eq!(ascii_name("don-to.khai_01.PDF"), "don-to.khai_01.PDF");
    }
}
