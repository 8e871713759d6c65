//! The prefill broker: national data for the logged-in citizen, shaped for a form and signed.

use crate::auth::{current, mask_pin, ApiError};
use crate::{now_ms, AppState};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use std::sync::Arc;
use tokhai_core::prefill::{
    family_attributes, normalize_population, prefill_values, uses_family, Attributes, PrefillBundle, BUNDLE_FORMAT,
};
use tokhai_core::Form;

fn unavailable() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "prefill_unavailable",
        "Chưa lấy được dữ liệu từ Cơ sở dữ liệu quốc gia về dân cư. Bạn vẫn có thể tự khai và nộp tờ khai.",
        "National population data could not be fetched. You can still fill in and submit the form yourself.",
    )
}

/// The form unknown to this server.
pub fn unknown_form() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_form",
        "Không có biểu mẫu này.",
        "No such form.",
    )
}

/// Builds and signs the bundle of a form for a subject, asking the configured connector.
pub async fn bundle_for(state: &AppState, form: &Form, subject: &str) -> Result<PrefillBundle, ApiError> {
    let origin = state.connector.origin().to_owned();
    let reply = match state.connector.lookup(subject).await {
        Ok(Some(reply)) => reply,
        Ok(None) => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "citizen_not_found",
                "Không tìm thấy thông tin công dân trong Cơ sở dữ liệu quốc gia về dân cư. Bạn vẫn có thể tự khai.",
                "The citizen is not in the national population database. You can still fill in the form yourself.",
            ))
        }
        Err(e) => {
            tracing::warn!(origin, subject = %mask_pin(subject), error = %e, "prefill lookup failed");
            return Err(unavailable());
        }
    };
    let mut attrs = normalize_population(&reply, &state.catalogs).map_err(|e| {
        tracing::warn!(origin, subject = %mask_pin(subject), error = %e, "prefill reply unreadable");
        unavailable()
    })?;
    if uses_family(form.def()) {
        let spouse = match attrs.get("population.spouse_pin").and_then(|p| p.as_str()) {
            Some(pin) => spouse_attributes(state, pin).await,
            None => None,
        };
        attrs.extend(family_attributes(&attrs, spouse.as_ref()));
    }
    let now = now_ms() / 1000;
    let mut bundle = PrefillBundle {
        format: BUNDLE_FORMAT,
        kid: String::new(),
        origin,
        subject: subject.to_owned(),
        form_id: form.id().to_owned(),
        form_version: form.version().to_owned(),
        issued_at: now,
        expires_at: now + state.config.prefill_ttl_secs,
        values: prefill_values(form.def(), &attrs),
        signature: String::new(),
    };
    state.keys.sign(&mut bundle);
    tracing::info!(form = form.id(), subject = %mask_pin(subject), fields = bundle.values.len(), "prefill bundle issued");
    Ok(bundle)
}

/// The spouse's attributes; a failed lookup only leaves the spouse's fields to the citizen.
async fn spouse_attributes(state: &AppState, pin: &str) -> Option<Attributes> {
    match state.connector.lookup(pin).await {
        Ok(Some(reply)) => normalize_population(&reply, &state.catalogs).ok(),
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(subject = %mask_pin(pin), error = %e, "spouse lookup failed");
            None
        }
    }
}

/// `GET /api/prefill/<form_id>`: the signed bundle for the logged-in citizen.
pub async fn prefill(
    State(state): State<Arc<AppState>>,
    Path(form_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<PrefillBundle>, ApiError> {
    let form_id = form_id.trim_end_matches(".json");
    let form = state.form(form_id).ok_or_else(unknown_form)?.clone();
    let login = current(&state, &headers).await?.ok_or_else(ApiError::login_required)?;
    Ok(Json(bundle_for(&state, &form, &login.subject).await?))
}
