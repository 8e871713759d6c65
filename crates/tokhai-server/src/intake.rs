//! Submission intake: re-validation with the rules of the version filled in, prefill verification,
//! storage once per idempotency key, receipt or refusal with every reason.

use crate::auth::{current, mask_pin, ApiError, Login};
use crate::limits::{address_key, entries, form_unknown, parse, read_body, Failure, Limiter, Refusal};
use crate::uploads::{self, NamedUpload};
use crate::{broker, now_ms, officials, AppState};
use axum::extract::{ConnectInfo, Path, RawQuery, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value as Json_};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow, Row};
use std::net::SocketAddr;
use std::sync::Arc;
use tokhai_core::prefill::{
    check_bundle, check_subject, locks_any, locks_prefill, member_key, provenance, BundleContext, PrefillBundle,
};
use tokhai_core::submission::{is_valid_idempotency_key, values_digest, Submission};
use tokhai_core::vn::pin;
use tokhai_core::{Date, Form, Issue, Session};

/// What a handler answers: the response, or the refusal (or error) as a response.
type Answer = Result<Response, Failure>;

/// The rate-limit key of a request: the login's subject, or the client's address without one.
pub fn client_key(state: &AppState, parts: &Parts, login: Option<&Login>) -> String {
    match login {
        Some(l) => citizen_key(&l.subject),
        None => {
            let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
            address_key(state.config.proxies(), peer, &parts.headers)
        }
    }
}

/// The rate-limit key of a logged-in citizen.
fn citizen_key(subject: &str) -> String {
    format!("s:{subject}")
}

/// The login of a request, after taking one token of its client's rate limit.
pub async fn limited_login(state: &AppState, parts: &Parts) -> Result<Option<Login>, Failure> {
    let login = current(state, &parts.headers).await?;
    state
        .limiter
        .take(&client_key(state, parts, login.as_ref()), now_ms())
        .map_err(Limiter::refusal)?;
    Ok(login)
}

/// A stored dossier as its receipt shows it.
pub(crate) struct Stored {
    pub(crate) id: String,
    pub(crate) form_id: String,
    form_version: String,
    /// The PIN the citizen who filed it logged in with.
    pub(crate) subject: Option<String>,
    /// How the citizen logged in (`oidc`, `dev`).
    pub(crate) login_method: Option<String>,
    login_at: Option<i64>,
    pub(crate) received_at: i64,
    /// When the form's time limit for it ends, if the form has one.
    pub(crate) due_at: Option<i64>,
    digest: String,
    provenance: String,
    /// The values filed, as JSON text.
    pub(crate) payload: String,
}

/// The columns of `submissions` a [`Stored`] is read from.
const STORED_COLUMNS: &str =
    "id, form_id, form_version, subject, login_method, login_at, received_at, due_at, digest, provenance, payload";

impl FromRow<'_, AnyRow> for Stored {
    fn from_row(row: &AnyRow) -> sqlx::Result<Stored> {
        Ok(Stored {
            id: row.try_get("id")?,
            form_id: row.try_get("form_id")?,
            form_version: row.try_get("form_version")?,
            subject: row.try_get("subject")?,
            login_method: row.try_get("login_method")?,
            login_at: row.try_get("login_at")?,
            received_at: row.try_get("received_at")?,
            due_at: row.try_get("due_at")?,
            digest: row.try_get("digest")?,
            provenance: row.try_get("provenance")?,
            payload: row.try_get("payload")?,
        })
    }
}

impl Stored {
    /// The receipt: what the citizen was answered, as officials read it too.
    pub(crate) fn receipt(&self) -> Json_ {
        json!({
            "id": self.id,
            "form_id": self.form_id,
            "form_version": self.form_version,
            "received_at": self.received_at,
            "due_at": self.due_at,
            "login_at": self.login_at,
            "digest": self.digest,
            "provenance": serde_json::from_str::<Json_>(&self.provenance).unwrap_or(Json_::Null),
        })
    }
}

/// A stored dossier with what officials read beside its receipt: the version of the form it was filled
/// against and the signed national data its values were checked against.
pub(crate) struct Dossier {
    pub(crate) stored: Stored,
    pub(crate) ruleset_hash: Option<String>,
    /// The citizen's own prefill bundle, as JSON text.
    pub(crate) prefill: Option<String>,
    /// Household members' row bundles, a JSON array as text.
    pub(crate) row_prefills: Option<String>,
}

impl FromRow<'_, AnyRow> for Dossier {
    fn from_row(row: &AnyRow) -> sqlx::Result<Dossier> {
        Ok(Dossier {
            stored: Stored::from_row(row)?,
            ruleset_hash: row.try_get("ruleset_hash")?,
            prefill: row.try_get("prefill")?,
            row_prefills: row.try_get("row_prefills")?,
        })
    }
}

impl Dossier {
    /// Whether the dossier is still as it was received, checked again as on that day: the digest of its
    /// values (`digest_matches`), and the national data it was checked against (`bundles`, how many):
    /// signed by our keys, the citizen's and the form's, its locked values unchanged (`problems`, each
    /// `{path, code, label}` as the intake would have refused it). Without the form version (no longer
    /// kept), the signatures alone are checked (`values_checked` false).
    pub(crate) fn integrity(&self, state: &AppState, form: Option<&Arc<Form>>) -> Result<Json_, Failure> {
        let stored = &self.stored;
        let values: Json_ = serde_json::from_str(&stored.payload).unwrap_or(Json_::Null);
        let own = (self.prefill.as_deref()).map(|text| serde_json::from_str::<PrefillBundle>(text).ok());
        let rows: Vec<Json_> = (self.row_prefills.as_deref())
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default();
        let rows: Vec<Option<PrefillBundle>> = rows.into_iter().map(|b| serde_json::from_value(b).ok()).collect();
        let problems = match form {
            Some(form) => {
                let (session, _) = validated(state, form, &values, stored.received_at)?;
                let subject = stored.subject.as_deref();
                national_issues(
                    state,
                    &session,
                    &values,
                    subject,
                    stored.received_at,
                    (own.as_ref(), &rows),
                )
            }
            // Without the form version, only the signatures.
            None => {
                let unsigned = |bundle: &Option<PrefillBundle>, path: &str| {
                    let signed = bundle.as_ref().is_some_and(|b| state.keys.verify(b));
                    (!signed).then(|| Issue::error(path, "prefill.signature_invalid"))
                };
                let own = own.iter().map(|b| unsigned(b, "prefill"));
                own.chain(rows.iter().map(|b| unsigned(b, "row_prefills")))
                    .flatten()
                    .collect()
            }
        };
        let label = |path: &str| crate::reading::path_label(form.map(Arc::as_ref), path);
        let problems: Vec<Json_> = (problems.iter())
            .map(|i| json!({"path": i.path, "code": i.code, "label": label(&i.path)}))
            .collect();
        Ok(json!({
            "digest_matches": values_digest(&values) == stored.digest,
            "bundles": own.iter().count() + rows.len(),
            "values_checked": form.is_some(),
            "problems": problems,
        }))
    }
}

/// The dossier `id` (only if it is the citizen `owner`'s, when one is given), or 404 `dossier.not_found`.
pub(crate) async fn read_dossier(state: &AppState, id: &str, owner: Option<&str>) -> Result<Dossier, Failure> {
    let found: Option<Dossier> = sqlx::query_as(&format!(
        "SELECT {STORED_COLUMNS}, ruleset_hash, prefill, row_prefills FROM submissions \
         WHERE id = $1 AND ($2 IS NULL OR subject = $2)"
    ))
    .bind(id.to_owned())
    .bind(owner.map(str::to_owned))
    .fetch_optional(&state.db)
    .await
    .map_err(ApiError::db)?;
    found.ok_or_else(|| not_found(id))
}

async fn stored_by_key(state: &AppState, key: &str) -> Result<Option<Stored>, Failure> {
    let stored = sqlx::query_as(&format!(
        "SELECT {STORED_COLUMNS} FROM submissions WHERE idempotency_key = $1"
    ))
    .bind(key.to_owned())
    .fetch_optional(&state.db)
    .await
    .map_err(ApiError::db)?;
    Ok(stored)
}

/// The answer to a submission whose key is already stored: the original receipt (a replay); for the same
/// subject with other values, 409 `already_received` with what was filed; for anyone else, 409 `key_reused`.
fn replay(stored: &Stored, sub: &Submission, subject: Option<&str>) -> Answer {
    if stored.subject.as_deref() != subject {
        let issue = Issue::error("idempotency_key", "submission.key_reused");
        return Err(Refusal::new(StatusCode::CONFLICT, issue).into());
    }
    if stored.digest != sub.digest {
        let issue = Issue::error("idempotency_key", "submission.already_received").with("id", &stored.id);
        let mut refusal = Refusal::new(StatusCode::CONFLICT, issue);
        let values = serde_json::from_str(&stored.payload).unwrap_or(Json_::Null);
        refusal.details = Map::from_iter([("receipt".to_owned(), stored.receipt()), ("values".to_owned(), values)]);
        tracing::info!(form = %stored.form_id, receipt = %stored.id, "submission already received, other values");
        return Err(refusal.into());
    }
    tracing::info!(form = %stored.form_id, receipt = %stored.id, "submission replayed");
    let body = json!({"status": "accepted", "replayed": true, "receipt": stored.receipt()});
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// The original receipt if the key is stored (a retry is answered even when it would now be refused,
/// e.g. after its bundle expired), else the refusal.
async fn replay_or(state: &AppState, sub: &Submission, subject: Option<&str>, refused: Failure) -> Answer {
    match stored_by_key(state, &sub.idempotency_key).await? {
        Some(stored) => replay(&stored, sub, subject),
        None => Err(refused),
    }
}

/// `POST /api/submissions`: 201 with a receipt, 200 with the original receipt for a replay, or a refusal.
pub async fn submit(State(state): State<Arc<AppState>>, request: Request) -> Response {
    intake(&state, request)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn intake(state: &AppState, request: Request) -> Answer {
    let (parts, body) = request.into_parts();
    let login = limited_login(state, &parts).await?;
    let bytes = read_body(body, state.config.max_body_bytes).await?;
    let sub: Submission = parse(&bytes)?;
    check_envelope(state, &sub)?;
    let subject = login.as_ref().map(|l| l.subject.as_str());
    let form = match version_of(state, &sub) {
        Ok(form) => form,
        Err(refused) => return replay_or(state, &sub, subject, refused).await,
    };
    // A form locking values from national data is filed logged in: else nothing ties its identity to anyone.
    if login.is_none() && locks_any(form.def()) {
        return Err(ApiError::login_required().into());
    }
    let now = now_ms();
    let sent = SentBundles::of(&sub);
    // Without a bundle, or with one past its time (a long filing), a logged-in citizen's locked values are
    // checked against one built now; the bundle sent is refused as expired only when none can be built.
    let stale = sent
        .own
        .as_ref()
        .is_some_and(|b| b.as_ref().is_some_and(|b| is_stale(state, b, now)));
    let built = match (&sent.own, &login) {
        (None, Some(login)) => national_bundle(state, &form, login).await.map(Some),
        (Some(_), Some(login)) if stale => national_bundle(state, &form, login).await.map(Some),
        _ => None,
    };
    let checked = built.as_ref().or(sent.own.as_ref());
    let checked_rows = checked_rows(state, &form, login.as_ref(), &sub.values, &sent.rows).await?;
    let (session, mut issues) = check(state, &form, &sub, checked, &checked_rows, login.as_ref(), now)?;
    let (attached, not_kept) = uploads::named_uploads(state, &form, &sub.values, subject).await?;
    issues.extend(not_kept);
    if !issues.is_empty() {
        return refuse(state, &sub, subject, form, issues, built).await;
    }
    let own = checked.cloned().flatten();
    let evidence = Evidence {
        own: own.as_ref(),
        rows: checked_rows.iter().flatten().collect(),
        files: &attached,
    };
    let due_at = match session.time_limit() {
        Ok(days) => days.map(|days| state.config.office_hours.due(now, days)),
        Err(given) => {
            // The definition's fault, not the citizen's: the dossier is received, with no due time.
            tracing::warn!(form = form.id(), %given, "time_limit gives no whole number of working days from 0 to 365: no due time");
            None
        }
    };
    let stored = Stored::accepted(&sub, &form, login.as_ref(), &evidence, (now, due_at));
    store(state, &sub, form, &stored, &evidence).await
}

/// What a dossier's values were checked against: the national data of the citizen's own bundle and
/// of household members' rows (sent with the values or built at intake), and the files it binds.
struct Evidence<'a> {
    own: Option<&'a PrefillBundle>,
    rows: Vec<&'a PrefillBundle>,
    files: &'a [NamedUpload],
}

/// Whether a bundle is ours, validly signed, and past its time.
fn is_stale(state: &AppState, bundle: &PrefillBundle, now: i64) -> bool {
    now / 1000 > bundle.expires_at && state.keys.verify(bundle)
}

/// Refuses a submission too large to read through, or whose key or digest is not well formed.
fn check_envelope(state: &AppState, sub: &Submission) -> Result<(), Failure> {
    let bad = |issue: Issue| Failure::from(Refusal::new(StatusCode::BAD_REQUEST, issue));
    let count = entries(&sub.values);
    if count > state.config.max_fields {
        let issue = Issue::error("values", "payload.too_many_fields")
            .with("count", count)
            .with("max", state.config.max_fields);
        return Err(Refusal::new(StatusCode::PAYLOAD_TOO_LARGE, issue).into());
    }
    if !is_valid_idempotency_key(&sub.idempotency_key) {
        return Err(bad(Issue::error("idempotency_key", "submission.key_invalid")));
    }
    if !sub.digest_matches() {
        return Err(bad(Issue::error("digest", "submission.digest_mismatch")));
    }
    Ok(())
}

/// The prefill bundles a submission sent, each read as a bundle of its kind or as none.
struct SentBundles {
    /// The citizen's own: `Some(None)` when one was sent but is not one, or is a household member's
    /// row bundle (which checks that row alone: in its place, the citizen's own locked values would go
    /// unchecked).
    own: Option<Option<PrefillBundle>>,
    /// Each household member's row bundle, the same way.
    rows: Vec<Option<PrefillBundle>>,
}

impl SentBundles {
    /// The bundles `sub` sent.
    fn of(sub: &Submission) -> SentBundles {
        let read = |b: &Json_, row: bool| {
            serde_json::from_value::<PrefillBundle>(b.clone())
                .ok()
                .filter(|b| b.row.is_some() == row)
        };
        SentBundles {
            own: sub.prefill.as_ref().map(|b| read(b, false)),
            rows: sub.row_prefills.iter().map(|b| read(b, true)).collect(),
        }
    }
}

/// The household members' row bundles a submission's rows are checked against: those sent and, for a
/// logged-in citizen, those built now for the members' rows sent without theirs.
async fn checked_rows(
    state: &AppState,
    form: &Form,
    login: Option<&Login>,
    values: &Json_,
    sent: &[Option<PrefillBundle>],
) -> Result<Vec<Option<PrefillBundle>>, Failure> {
    let mut checked = sent.to_vec();
    if let Some(login) = login {
        checked.extend(
            member_bundles(state, form, login, values, sent)
                .await?
                .into_iter()
                .map(Some),
        );
    }
    Ok(checked)
}

/// The refusal of a submission for its reasons (the original receipt instead if its key is stored).
/// A citizen who never saw the national data their answers were checked against (the widget's own
/// prefill had failed) gets it with the refusal, `built`, for the widget to fill in and lock.
async fn refuse(
    state: &AppState,
    sub: &Submission,
    subject: Option<&str>,
    form: Arc<Form>,
    issues: Vec<Issue>,
    built: Option<Option<PrefillBundle>>,
) -> Answer {
    let masked = subject.map(mask_pin).unwrap_or_default();
    let codes: Vec<&str> = issues.iter().map(|i| i.code.as_str()).collect();
    tracing::info!(form = form.id(), subject = masked, ?codes, "submission refused");
    let differs = issues.iter().any(|i| i.code.starts_with("prefill."));
    let mut refusal = Refusal::of(StatusCode::UNPROCESSABLE_ENTITY, issues, form);
    if let Some(built) = built.filter(|_| differs) {
        refusal
            .details
            .insert("prefill".into(), serde_json::to_value(built).unwrap_or_default());
    }
    replay_or(state, sub, subject, Failure::from(refusal)).await
}

impl Stored {
    /// The dossier an accepted submission becomes, received `now` and due at `due_at`: its values'
    /// provenance is that of the national data they were checked against (sent with them, or built at intake).
    fn accepted(
        sub: &Submission,
        form: &Form,
        login: Option<&Login>,
        evidence: &Evidence<'_>,
        (now, due_at): (i64, Option<i64>),
    ) -> Stored {
        let rows: Vec<PrefillBundle> = evidence.rows.iter().map(|&b| b.clone()).collect();
        let mut provenance = provenance(form.def(), evidence.own, &rows, &sub.values);
        // Each file by the digest of its bytes as received: an official can tell it is the one filed.
        for file in evidence.files {
            let entry = provenance
                .entry(file.path.clone())
                .or_insert_with(|| json!({"source": "citizen"}));
            if let Some(entry) = entry.as_object_mut() {
                let files = entry.entry("files").or_insert_with(|| json!([]));
                if let Some(files) = files.as_array_mut() {
                    files.push(json!({"upload": file.id, "sha256": file.sha256}));
                }
            }
        }
        Stored {
            id: receipt_id(&sub.idempotency_key, now),
            form_id: form.id().to_owned(),
            form_version: form.version().to_owned(),
            subject: login.map(|l| l.subject.clone()),
            login_method: login.map(|l| l.method.clone()),
            login_at: login.map(|l| l.login_at),
            received_at: now,
            due_at,
            digest: sub.digest.clone(),
            provenance: serde_json::to_string(&provenance).unwrap_or_default(),
            payload: sub.values.to_string(),
        }
    }
}

/// Stores an accepted dossier with the national data it was checked against and binds its files to it,
/// in one transaction: 201 with its receipt; the answer to a concurrent twin with the same key that
/// stored first; or, when another dossier filed at the same moment holds one of the files, the refusal.
async fn store(
    state: &AppState,
    sub: &Submission,
    form: Arc<Form>,
    stored: &Stored,
    evidence: &Evidence<'_>,
) -> Answer {
    let mut tx = state.writer.begin().await.map_err(ApiError::db)?;
    if !insert(&mut tx, sub, &form, stored, evidence).await? {
        drop(tx);
        let twin = stored_by_key(state, &sub.idempotency_key).await?;
        return match twin {
            Some(twin) => replay(&twin, sub, stored.subject.as_deref()),
            None => Err(Failure::from(ApiError::internal())),
        };
    }
    let taken = uploads::bind(&mut tx, evidence.files, &stored.id).await?;
    if !taken.is_empty() {
        // Rolled back: another dossier filed at the same moment holds the file.
        drop(tx);
        return Err(Refusal::of(StatusCode::UNPROCESSABLE_ENTITY, taken, form).into());
    }
    tx.commit().await.map_err(ApiError::db)?;
    let masked = stored.subject.as_deref().map(mask_pin).unwrap_or_default();
    let checked = evidence.own.is_some();
    tracing::info!(form = form.id(), subject = masked, receipt = %stored.id, checked, "submission accepted");
    let body = json!({"status": "accepted", "receipt": stored.receipt()});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Inserts a dossier unless its key is stored already; whether it did. One statement inserts: the
/// unique index on the key makes a concurrent twin insert nothing.
async fn insert(
    tx: &mut AnyConnection,
    sub: &Submission,
    form: &Form,
    stored: &Stored,
    evidence: &Evidence<'_>,
) -> Result<bool, Failure> {
    let inserted = sqlx::query(
        "INSERT INTO submissions (id, form_id, form_version, ruleset_hash, subject, login_at, received_at, digest, \
         payload, provenance, prefill, idempotency_key, row_prefills, login_method, due_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(stored.id.clone())
    .bind(stored.form_id.clone())
    .bind(stored.form_version.clone())
    .bind(form.ruleset_hash().to_owned())
    .bind(stored.subject.clone())
    .bind(stored.login_at)
    .bind(stored.received_at)
    .bind(stored.digest.clone())
    .bind(stored.payload.clone())
    .bind(stored.provenance.clone())
    .bind(evidence.own.and_then(|b| serde_json::to_string(b).ok()))
    .bind(sub.idempotency_key.clone())
    .bind((!evidence.rows.is_empty()).then(|| serde_json::to_string(&evidence.rows).unwrap_or_default()))
    .bind(stored.login_method.clone())
    .bind(stored.due_at)
    .execute(&mut *tx)
    .await
    .map_err(ApiError::db)?;
    Ok(inserted.rows_affected() > 0)
}

/// The definition version the submission names by its ruleset hash (current or archived).
fn version_of(state: &AppState, sub: &Submission) -> Result<Arc<Form>, Failure> {
    let named = state
        .versions
        .get(&sub.ruleset_hash)
        .filter(|f| f.id() == sub.form_id && f.version() == sub.form_version);
    if let Some(form) = named {
        return Ok(form.clone());
    }
    match state.form(&sub.form_id) {
        Some(current) => {
            let issue = Issue::error("", "submission.form_changed").with("version", current.version());
            Err(Refusal::of(StatusCode::UNPROCESSABLE_ENTITY, vec![issue], current.clone()).into())
        }
        None => Err(form_unknown(&sub.form_id).into()),
    }
}

/// The session of the values, and every error of them under the form's rules and of the prefill bundle.
fn check(
    state: &AppState,
    form: &Arc<Form>,
    sub: &Submission,
    bundle: Option<&Option<PrefillBundle>>,
    rows: &[Option<PrefillBundle>],
    login: Option<&Login>,
    now: i64,
) -> Result<(Session, Vec<Issue>), Failure> {
    let (session, mut issues) = validated(state, form, &sub.values, now)?;
    issues.retain(Issue::is_error);
    let subject = login.map(|l| l.subject.as_str());
    issues.extend(national_issues(
        state,
        &session,
        &sub.values,
        subject,
        now,
        (bundle, rows),
    ));
    // With no bundle (national data could not be had), the login still says whose PIN it is.
    if let (None, Some(login)) = (bundle, login) {
        issues.extend(check_subject(form.def(), &sub.values, &login.subject));
    }
    Ok((session, issues))
}

/// The session of `values` under `form` as on `now` (ms) in Viet Nam, and the issues its rules find.
pub(crate) fn validated(
    state: &AppState,
    form: &Arc<Form>,
    values: &Json_,
    now: i64,
) -> Result<(Session, Vec<Issue>), Failure> {
    Session::submitted(form, &state.catalogs, values, Date::in_viet_nam(now)).map_err(|e| {
        tracing::error!(form = form.id(), error = %e, "submission could not be validated");
        Failure::from(ApiError::internal())
    })
}

/// What national data finds wrong with `values` (those of `session`), at `now` (ms), for the citizen
/// `subject`: a bundle (the citizen's own, if one was sent, `Some(None)` for one that is not; then each
/// row's) not signed by our keys, not the citizen's or the form's, expired, or whose locked values were
/// changed.
pub(crate) fn national_issues(
    state: &AppState,
    session: &Session,
    values: &Json_,
    subject: Option<&str>,
    now: i64,
    (own, rows): (Option<&Option<PrefillBundle>>, &[Option<PrefillBundle>]),
) -> Vec<Issue> {
    // A locked value left out of a field the form shows is a change.
    let shown = |path: &str| session.is_shown(path);
    // A locked value its field cannot hold was left to the citizen (the widget does not fill it).
    let fits = |path: &str, value: &Json_| session.misfit(path, value).is_none();
    let ctx = BundleContext {
        form: session.form().def(),
        subject,
        now: now / 1000,
    };
    let verify = |bundle: Option<&PrefillBundle>, path: &str| match bundle {
        Some(b) if state.keys.verify(b) => check_bundle(b, ctx, values, &shown, &fits),
        Some(_) => vec![Issue::error(path, "prefill.signature_invalid")],
        None => vec![Issue::error(path, "prefill.format")],
    };
    let own = own.map(|b| verify(b.as_ref(), "prefill"));
    let rows = rows.iter().map(|b| verify(b.as_ref(), "row_prefills"));
    own.into_iter().chain(rows).flatten().collect()
}

/// The bundle `GET /api/prefill/<form>` would give a logged-in citizen now, to check the locked values
/// of a submission sent without one (left out, it would let a changed name or another person's PIN
/// through). `None` when the form locks nothing, or when national data cannot be had: the widget sends
/// no bundle when its own prefill failed and the citizen filled the form in, so such values are then
/// accepted unchecked, as before, with a warning in the log.
async fn national_bundle(state: &AppState, form: &Arc<Form>, login: &Login) -> Option<PrefillBundle> {
    if !locks_prefill(form.def()) {
        return None;
    }
    match broker::bundle_for(state, form, &login.subject).await {
        Ok(bundle) => Some(bundle),
        Err(e) => {
            let subject = mask_pin(&login.subject);
            tracing::warn!(
                form = form.id(),
                subject,
                error = e.code,
                "no bundle sent nor built: locked values unchecked"
            );
            None
        }
    }
}

/// The bundles of the rows of household members (by their PIN) that a submission names but sent no
/// bundle for, built now: left out, they would let a member's changed name through. A row of someone
/// outside the household is the citizen's own; without national data, rows are accepted unchecked.
async fn member_bundles(
    state: &AppState,
    form: &Form,
    login: &Login,
    values: &Json_,
    sent: &[Option<PrefillBundle>],
) -> Result<Vec<PrefillBundle>, Failure> {
    let groups = form.def().top_fields();
    // The members to look up: once each, none for rows the form refuses anyway.
    let mut wanted: Vec<(&str, &str)> = Vec::new();
    for (def, key) in groups.filter_map(|g| Some((g, member_key(g)?))) {
        let group = def.id.as_str();
        let rows = values
            .get(group)
            .and_then(Json_::as_array)
            .map_or(&[][..], Vec::as_slice);
        if rows.len() > def.max_rows.unwrap_or(usize::MAX) {
            continue;
        }
        let covered = |member: &str| {
            let scopes = sent.iter().flatten().filter_map(|b| b.row.as_ref());
            scopes.into_iter().any(|s| s.group == group && s.member == member)
        };
        let members = rows.iter().filter_map(|row| row.get(key)?.as_str());
        wanted.extend(members.filter(|m| pin::is_pin(m) && !covered(m)).map(|m| (group, m)));
    }
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    // Each member looked up costs a token of the citizen's rate, as a row's lookup does: one filing
    // naming twenty strangers' PINs would otherwise look up twenty people for one token.
    let client = citizen_key(&login.subject);
    for _ in &wanted {
        state.limiter.take(&client, now_ms()).map_err(Limiter::refusal)?;
    }
    let citizen = match broker::attributes_of(state, &login.subject).await {
        Ok(Some(citizen)) => citizen,
        Ok(None) => return Ok(Vec::new()),
        Err(e) => {
            tracing::warn!(form = form.id(), error = e.code, "member rows not checked");
            return Ok(Vec::new());
        }
    };
    let mut built = Vec::new();
    for (group, member) in wanted {
        match broker::member_bundle(state, form, &login.subject, &citizen, group, member).await {
            Ok(Some(bundle)) => built.push(bundle),
            Ok(None) => {}
            Err(e) => tracing::warn!(form = form.id(), group, error = e.code, "member row not checked"),
        }
    }
    Ok(built)
}

/// A dossier code: the Vietnamese date and 16 hex digits of the key's hash, e.g. `HS20251123-0F8E2B6C3D1A4C55`.
fn receipt_id(key: &str, now: i64) -> String {
    let hash = tokhai_core::digest::sha256_hex(key.as_bytes());
    format!(
        "HS{}-{}",
        Date::in_viet_nam(now).to_string().replace('-', ""),
        hash[..16].to_uppercase()
    )
}

/// `GET /api/submissions/<id>`: one of the logged-in citizen's dossiers, with the intake's `status` as
/// `POST` answered it, its receipt and the official's `decision` (null until one is made).
pub async fn receipt(State(state): State<Arc<AppState>>, Path(id): Path<String>, headers: HeaderMap) -> Answer {
    let login = current(&state, &headers).await?.ok_or_else(ApiError::login_required)?;
    let dossier = read_dossier(&state, &id, Some(&login.subject)).await?;
    let decision = officials::citizen_decision(&state, &dossier).await?;
    let stored = dossier.stored;
    let body = json!({"status": "accepted", "receipt": stored.receipt(), "decision": decision});
    Ok(Json(body).into_response())
}

/// `GET /api/submissions?limit=&before=&form=&status=`: the logged-in citizen's own dossiers, newest
/// first, a page at a time as the officials' list gives them (`order=oldest&after=` too), each as `{id,
/// form_id, form_version, received_at, due_at, decision}`, the decision as the receipt tells it; and
/// `next_before` when more may follow.
pub async fn own_dossiers(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery, headers: HeaderMap) -> Answer {
    let login = current(&state, &headers).await?.ok_or_else(ApiError::login_required)?;
    let q = officials::list_query(query.as_deref())?;
    let (page, next) = officials::page_of(&state, &q, Some(&login.subject)).await?;
    let times = page.iter().map(|d| d.3);
    let span = (times.clone().min().unwrap_or(0), times.max().unwrap_or(-1));
    let mut decisions = officials::citizen_decisions(&state, &login.subject, span).await?;
    let dossiers: Vec<Json_> = page
        .into_iter()
        .map(|(id, form_id, form_version, received_at, .., due_at)| {
            let decision = decisions.remove(&id).unwrap_or(Json_::Null);
            json!({"id": id, "form_id": form_id, "form_version": form_version, "received_at": received_at,
                   "due_at": due_at, "decision": decision})
        })
        .collect();
    Ok(Json(officials::paged(dossiers, q.order(), next)).into_response())
}

/// The refusal for a dossier that does not exist or is not the citizen's (which are not told apart).
pub fn not_found(id: &str) -> Failure {
    Refusal::new(
        StatusCode::NOT_FOUND,
        Issue::error("", "dossier.not_found").with("id", shown_id(id)),
    )
    .into()
}

/// An id from a request's path as a refusal repeats it: its first 64 characters.
pub(crate) fn shown_id(id: &str) -> String {
    id.chars().take(64).collect()
}

/// When one of a citizen's dossiers was received and its form.
pub async fn dossier_received(state: &AppState, id: &str, subject: &str) -> Result<(String, i64), Failure> {
    let d = read_dossier(state, id, Some(subject)).await?.stored;
    Ok((d.form_id, d.received_at))
}
