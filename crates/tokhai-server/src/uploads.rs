//! Attached files: kept as the citizen chooses them (`POST /api/uploads/<form>/<field>?name=`),
//! checked with the field's own rules, and bound to the dossier whose values name them.

use crate::auth::{random_token, ApiError};
use crate::broker::unknown_form;
use crate::db::Db;
use crate::intake::limited_login;
use crate::limits::{read_body, Failure, Refusal};
use crate::{now_ms, AppState};
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value as Json_};
use sqlx::AnyConnection;
use std::sync::Arc;
use tokhai_core::digest::sha256_hex;
use tokhai_core::prefill::locks_any;
use tokhai_core::text::nfc;
use tokhai_core::{Date, FieldKind, Form, Issue, Session};

/// The query of an upload.
#[derive(Deserialize)]
pub struct Named {
    /// The file's name on the citizen's device.
    name: String,
}

/// `POST /api/uploads/<form_id>/<field_id>?name=<file name>`: the file's bytes as the body, its media
/// type as `Content-Type` → 201 `{upload, name, size, type, sha256}`, or a refusal with the field's words.
pub async fn upload(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    named: Result<Query<Named>, QueryRejection>,
    request: Request,
) -> Response {
    // A path or query axum cannot read is refused in JSON, with the form's words where it can.
    let Ok(Path((form_id, field_id))) = path else {
        return unknown_form().into_response();
    };
    let named = named.map_or_else(|_| Named { name: String::new() }, |Query(named)| named);
    keep(&state, &form_id, &field_id, named, request)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn keep(
    state: &AppState,
    form_id: &str,
    field_id: &str,
    named: Named,
    request: Request,
) -> Result<Response, Failure> {
    let (parts, body) = request.into_parts();
    let login = limited_login(state, &parts).await?;
    let form = state.form(form_id).ok_or_else(unknown_form)?.clone();
    // As its filing, a file for a form locking national data's values comes from a logged-in citizen.
    if login.is_none() && locks_any(form.def()) {
        return Err(ApiError::login_required().into());
    }
    let refuse = |status, issue: Issue| Failure::from(Refusal::of(status, vec![issue], form.clone()));
    if form.field(field_id).is_none_or(|f| f.kind != FieldKind::File) {
        return Err(refuse(
            StatusCode::NOT_FOUND,
            Issue::error(field_id, "payload.unknown_field"),
        ));
    }
    let name = nfc(named.name.trim());
    let media_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let today = Date::in_viet_nam(now_ms());
    let session = Session::new(form.clone(), state.catalogs.clone(), today).map_err(|_| ApiError::internal())?;
    // The field's rules on the file's metadata: its name and type before its bytes are read, then its size.
    let check = |size: usize| -> Result<(), Failure> {
        let metadata = json!([{"name": name, "size": size, "type": media_type}]);
        let errors: Vec<Issue> = (session.check_value(field_id, &metadata))
            .unwrap_or_default()
            .into_iter()
            .filter(Issue::is_error)
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Refusal::of(StatusCode::UNPROCESSABLE_ENTITY, errors, form.clone()).into())
        }
    };
    check(0)?;
    let bytes = read_body(body, state.config.max_upload_bytes).await?;
    check(bytes.len())?;
    if !begins_as(&media_type, &bytes) {
        let issue = Issue::error(field_id, "file.content_mismatch")
            .with("name", &name)
            .with("type", &media_type);
        return Err(refuse(StatusCode::UNPROCESSABLE_ENTITY, issue));
    }
    if let Some(subject) = login.as_ref().map(|l| l.subject.clone()) {
        // One citizen cannot fill the portal's disk with files no dossier names (kept for days).
        let (pending,): (Option<i64>,) =
            // (A sum of BIGINT is NUMERIC in PostgreSQL: cast back.)
            sqlx::query_as("SELECT CAST(SUM(size) AS BIGINT) FROM uploads WHERE subject = $1 AND submission_id IS NULL")
                .bind(subject)
                .fetch_one(&state.db)
                .await
                .map_err(ApiError::db)?;
        let max = state.config.max_pending_upload_bytes;
        if pending.unwrap_or(0) as usize + bytes.len() > max {
            let issue = Issue::error(field_id, "upload.quota").with("max_size", max);
            return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE, issue));
        }
    }
    let id = random_token();
    if id.is_empty() {
        return Err(ApiError::internal().into());
    }
    let sha256 = sha256_hex(&bytes);
    let now = now_ms();
    sqlx::query(
        "INSERT INTO uploads (id, subject, form_id, field, name, media_type, size, sha256, content, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id.clone())
    .bind(login.map(|l| l.subject))
    .bind(form_id.to_owned())
    .bind(field_id.to_owned())
    .bind(name.clone())
    .bind(media_type.clone())
    .bind(bytes.len() as i64)
    .bind(sha256.clone())
    .bind(bytes.to_vec())
    .bind(now)
    .execute(&state.writer)
    .await
    .map_err(ApiError::db)?;
    tracing::info!(form = form_id, field = field_id, size = bytes.len(), "file kept");
    let body = json!({"upload": id, "name": name, "size": bytes.len(), "type": media_type, "sha256": sha256});
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// Whether the bytes begin as files of their media type do: a file is what it says (a page of HTML sent as
/// a PDF would open as a page on an official's computer). A picture of a kind whose start is not known
/// here is refused (`image/*` would take any); other types, which a form names one by one, are taken.
fn begins_as(media_type: &str, bytes: &[u8]) -> bool {
    match media_type {
        "application/pdf" => bytes.starts_with(b"%PDF-"),
        "image/jpeg" => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
        "image/png" => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/gif" => bytes.starts_with(b"GIF8"),
        "image/webp" => bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"),
        "image/heic" | "image/heif" | "image/avif" => bytes.get(4..8) == Some(b"ftyp"),
        "image/bmp" => bytes.starts_with(b"BM"),
        "image/tiff" => bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*"),
        "image/svg+xml" => true,
        other => !other.starts_with("image/"),
    }
}

/// Deletes the files no dossier names that are older than the retention: documents of filings never
/// made are not kept.
pub async fn forget_expired(db: &Db, retention_secs: i64, now: i64) -> Result<u64, sqlx::Error> {
    let deleted = sqlx::query("DELETE FROM uploads WHERE submission_id IS NULL AND received_at < $1")
        .bind(now - retention_secs * 1000)
        .execute(db)
        .await?;
    Ok(deleted.rows_affected())
}

/// Runs [`forget_expired`] for as long as the server serves, every hour (or every retention when that
/// is shorter), so that a file is gone at most an hour past its retention even on a quiet server.
pub async fn sweep(db: Db, retention_secs: i64) -> std::convert::Infallible {
    let period = std::time::Duration::from_secs(retention_secs.clamp(1, 3_600) as u64);
    let mut ticks = tokio::time::interval(period);
    loop {
        ticks.tick().await;
        match forget_expired(&db, retention_secs, now_ms()).await {
            Ok(0) => {}
            Ok(files) => tracing::info!(files, "attached files past their retention deleted"),
            Err(e) => tracing::warn!(error = %e, "attached files past their retention not deleted yet"),
        }
    }
}

/// A kept upload as a submission checks it: owner, form, field, name, media type, size and dossier.
type KeptRow = (
    Option<String>,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    String,
);

/// An upload a submission names.
pub struct NamedUpload {
    /// Its id.
    pub id: String,
    /// The path of the file field naming it (`members[0].paper` in a row).
    pub path: String,
    /// SHA-256 of its bytes, as received.
    pub sha256: String,
    /// The refusal it gets if another dossier takes it first.
    pub not_uploaded: Issue,
}

/// The uploads a submission's file values name, in order, or why a file was not kept: each must be
/// the citizen's own upload for that form and field, with the same name, size and type, and in no
/// other dossier.
pub async fn named_uploads(
    state: &AppState,
    form: &Form,
    values: &Json_,
    subject: Option<&str>,
) -> Result<(Vec<NamedUpload>, Vec<Issue>), Failure> {
    let (mut kept, mut issues) = (Vec::new(), Vec::new());
    for (path, field, file) in attached(form, values) {
        let name = file["name"].as_str().unwrap_or_default();
        let id = file["upload"].as_str();
        let row: Option<KeptRow> = match id {
            Some(id) => sqlx::query_as(
                "SELECT subject, form_id, field, name, media_type, size, submission_id, sha256 FROM uploads WHERE id = $1",
            )
            .bind(id.to_owned())
            .fetch_optional(&state.db)
            .await
            .map_err(ApiError::db)?,
            None => None,
        };
        let sha256 = row.as_ref().map(|r| r.7.clone()).unwrap_or_default();
        let matches = row.is_some_and(
            |(owner, form_id, kept_field, kept_name, media_type, size, dossier, _)| {
                owner.as_deref() == subject
                && form_id == form.id()
                && kept_field == field
                // Kept in NFC, as the form sends it; a name in NFD (a Mac's) is refused as not canonical, not as never uploaded.
                && kept_name == nfc(name)
                && media_type == file["type"].as_str().unwrap_or_default()
                && Some(size) == file["size"].as_i64()
                && dossier.is_none()
            },
        );
        let not_uploaded = Issue::error(&path, "file.not_uploaded").with("name", name);
        match id.filter(|_| matches) {
            Some(id) => kept.push(NamedUpload {
                id: id.to_owned(),
                path,
                sha256,
                not_uploaded,
            }),
            None => issues.push(not_uploaded),
        }
    }
    Ok((kept, issues))
}

/// Binds kept uploads to the dossier that names them, in the dossier's transaction; the refusals of
/// those another dossier took meanwhile (two filings at once naming one file: one of them must not
/// name a file it does not hold).
pub async fn bind(tx: &mut AnyConnection, uploads: &[NamedUpload], dossier: &str) -> Result<Vec<Issue>, Failure> {
    let mut taken = Vec::new();
    for NamedUpload { id, not_uploaded, .. } in uploads {
        let bound = sqlx::query("UPDATE uploads SET submission_id = $1 WHERE id = $2 AND submission_id IS NULL")
            .bind(dossier.to_owned())
            .bind(id.clone())
            .execute(&mut *tx)
            .await
            .map_err(ApiError::db)?;
        if bound.rows_affected() == 0 {
            taken.push(not_uploaded.clone());
        }
    }
    Ok(taken)
}

/// Every file in the values of the form's file fields, at the top level or in a group's rows, as
/// (value path, field id, file metadata).
fn attached<'a>(form: &'a Form, values: &'a Json_) -> Vec<(String, &'a str, &'a Json_)> {
    let mut out = Vec::new();
    for field in form.fields().filter(|f| f.kind == FieldKind::File) {
        let lists: Vec<(String, &Json_)> = match form.group_of(field) {
            None => vec![(field.id.clone(), &values[&field.id])],
            Some(group) => {
                let group = &group.id;
                let rows = values[group].as_array().map(Vec::as_slice).unwrap_or_default();
                (rows.iter().enumerate())
                    .map(|(i, row)| (format!("{group}[{i}].{}", field.id), &row[&field.id]))
                    .collect()
            }
        };
        for (path, list) in lists {
            for file in list.as_array().into_iter().flatten() {
                out.push((path.clone(), field.id.as_str(), file));
            }
        }
    }
    out
}
