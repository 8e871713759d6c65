//! Submission intake: re-validation with the form's own rules, prefill verification, storage, receipt or refusal.

use crate::auth::{current, mask_pin, ApiError};
use crate::broker::unknown_form;
use crate::{now_ms, AppState};
use axum::extract::rejection::JsonRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value as Json_};
use std::sync::Arc;
use tokhai_core::prefill::{check_bundle, provenance, BundleContext, PrefillBundle};
use tokhai_core::{messages, Date, Form, Issue};

/// Offset of Vietnam's time zone (UTC+7), which decides "today" for date rules.
const VIETNAM_OFFSET_SECS: i64 = 7 * 3600;

/// A submitted dossier.
#[derive(Debug, Deserialize)]
pub struct Submission {
    /// Form identifier.
    pub form_id: String,
    /// Definition version the citizen filled in (checked when given).
    #[serde(default)]
    pub form_version: Option<String>,
    /// Hash of the definition the citizen filled in (checked when given).
    #[serde(default)]
    pub ruleset_hash: Option<String>,
    /// The values, as the session gives them.
    pub values: Json_,
    /// The signed prefill bundle the form was filled from, if any.
    #[serde(default)]
    pub prefill: Option<PrefillBundle>,
}

/// Today's date in Vietnam at a Unix time in milliseconds.
pub fn vietnam_today(now_ms: i64) -> Date {
    Date::from_days((now_ms / 1000 + VIETNAM_OFFSET_SECS).div_euclid(86_400))
}

/// One refusal reason in both languages.
fn reason(issue: &Issue, form: &Form) -> Json_ {
    json!({
        "path": issue.path,
        "code": issue.code,
        "message_vi": messages::render(issue, form, "vi"),
        "message_en": messages::render(issue, form, "en"),
    })
}

fn refusal(form: &Form, issues: &[Issue]) -> Response {
    let reasons: Vec<Json_> = issues.iter().map(|i| reason(i, form)).collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({"status": "refused", "reasons": reasons})),
    )
        .into_response()
}

/// `POST /api/submissions`: a receipt (201) or a refusal with reasons (422).
pub async fn submit(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Json<Submission>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(sub) = body.map_err(|e| {
        tracing::info!(status = e.status().as_u16(), "submission body unreadable");
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Dữ liệu gửi lên không đúng định dạng của hồ sơ.",
            "The submitted data is not in the format of a dossier.",
        )
    })?;
    let form = state.form(&sub.form_id).ok_or_else(unknown_form)?.clone();
    let changed = sub.form_version.as_deref().is_some_and(|v| v != form.version())
        || sub.ruleset_hash.as_deref().is_some_and(|h| h != form.ruleset_hash());
    if changed {
        let issue = Issue::error("", "submission.form_changed").with("version", form.version());
        return Ok(refusal(&form, &[issue]));
    }
    let login = current(&state, &headers).await?;
    let now = now_ms();
    let mut issues: Vec<Issue> =
        match tokhai_core::validate_submission(&form, &state.catalogs, &sub.values, vietnam_today(now)) {
            Ok(issues) => issues.into_iter().filter(Issue::is_error).collect(),
            Err(e) => {
                tracing::error!(form = form.id(), error = %e, "submission could not be validated");
                return Err(ApiError::internal());
            }
        };
    if let Some(bundle) = &sub.prefill {
        if state.keys.verify(bundle) {
            let ctx = BundleContext {
                form: form.def(),
                subject: login.as_ref().map(|l| l.subject.as_str()),
                now: now / 1000,
            };
            issues.extend(check_bundle(bundle, ctx, &sub.values));
        } else {
            issues.push(Issue::error("", "prefill.signature_invalid"));
        }
    }
    let subject = login.as_ref().map(|l| mask_pin(&l.subject)).unwrap_or_default();
    if !issues.is_empty() {
        let codes: Vec<&str> = issues.iter().map(|i| i.code.as_str()).collect();
        tracing::info!(form = form.id(), subject, ?codes, "submission refused");
        return Ok(refusal(&form, &issues));
    }
    let digest = tokhai_core::submission::values_digest(&sub.values);
    let sources = provenance(form.def(), sub.prefill.as_ref(), &sub.values);
    let nonce = tokhai_core::digest::sha256_hex(crate::auth::random_token().as_bytes());
    let receipt_id = format!(
        "HS{}-{}",
        vietnam_today(now).to_string().replace('-', ""),
        nonce[..12].to_uppercase()
    );
    let prefill_json = sub
        .prefill
        .as_ref()
        .map(|b| serde_json::to_string(b).unwrap_or_default());
    sqlx::query(
        "INSERT INTO submissions (id, form_id, form_version, subject, login_at, received_at, digest, payload, provenance, prefill) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(receipt_id.clone())
    .bind(form.id().to_owned())
    .bind(form.version().to_owned())
    .bind(login.as_ref().map(|l| l.subject.clone()))
    .bind(login.as_ref().map(|l| l.login_at))
    .bind(now)
    .bind(digest.clone())
    .bind(sub.values.to_string())
    .bind(serde_json::to_string(&sources).unwrap_or_default())
    .bind(prefill_json)
    .execute(&state.db)
    .await
    .map_err(ApiError::db)?;
    tracing::info!(form = form.id(), subject, receipt = %receipt_id, "submission accepted");
    let receipt = json!({
        "id": receipt_id,
        "form_id": form.id(),
        "form_version": form.version(),
        "received_at": now,
        "login_at": login.as_ref().map(|l| l.login_at),
        "digest": digest,
        "provenance": sources,
    });
    Ok((
        StatusCode::CREATED,
        Json(json!({"status": "accepted", "receipt": receipt})),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_taken_in_vietnam() {
        // 2025-06-30T18:00:00Z is already 1 July in Vietnam.
        let ms = Date::new(2025, 6, 30).unwrap().to_days() * 86_400_000 + 18 * 3_600_000;
        assert_eq!(vietnam_today(ms), Date::new(2025, 7, 1).unwrap());
    }
}
