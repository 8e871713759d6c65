//! The HTTP routes: static files, widget package, definitions, catalogue, public key and the APIs.

use crate::broker::unknown_form;
use crate::forms::Published;
use crate::{auth, broker, intake, limits, officials, oidc, qa, timings, uploads, AppState};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tower::util::MapRequestLayer;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;

const JSON_UTF8: &str = "application/json; charset=utf-8";

/// The portal's pages run the widget under the policy the embedding guide asks of portals; no other
/// site may frame them.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
                   img-src 'self' blob: data:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";

/// All routes of the server.
pub fn router(state: Arc<AppState>) -> Router {
    let www = ServeDir::new(&state.config.www).append_index_html_on_directories(true);
    // The widget goes out as the build compressed it (pkg/*.br, *.gz), the bytes its size figures count.
    let pkg = ServeDir::new(&state.config.pkg).precompressed_br().precompressed_gzip();
    let body_timeout = Duration::from_secs(state.config.body_timeout_secs);
    // Answers that carry personal data or sessions are never stored by browsers or proxies.
    let private = Router::new()
        .route("/api/prefill/{form_id}", get(broker::prefill))
        .route("/api/prefill/{form_id}/row", get(broker::prefill_row))
        .route("/api/prefill/{form_id}/household", get(broker::household))
        .route("/api/submissions", get(intake::own_dossiers).post(intake::submit))
        .route("/api/submissions/{id}", get(intake::receipt))
        .route("/api/uploads/{form_id}/{field_id}", post(uploads::upload))
        .route("/api/timings", post(timings::collect))
        .route("/api/satisfaction", post(timings::rate))
        .route("/api/qa/forms/{form_id}/summary", get(qa::summary))
        .route("/api/qa/forms/{form_id}/filings.csv", get(qa::filings_csv))
        .route("/api/qa/forms/{form_id}/dossiers.csv", get(qa::dossiers_csv))
        .route("/api/qa/summary", get(qa::summary))
        .route("/api/qa/filings.csv", get(qa::filings_csv))
        .route("/api/qa/dossiers.csv", get(qa::dossiers_csv))
        .route("/api/me", get(auth::me))
        .route("/auth/logout", post(auth::logout))
        .route("/api/dev/citizens", get(auth::dev_citizens))
        .route("/api/dev/login", post(auth::dev_login_json))
        .route("/dev/login", get(auth::dev_login_page).post(auth::dev_login_form))
        .route("/auth/oidc/login", get(oidc::login))
        .route("/auth/oidc/callback", get(oidc::callback))
        .merge(officials::router(&state))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .route("/api/{*rest}", axum::routing::any(no_such_api))
        .layer(middleware::from_fn_with_state(state.clone(), same_origin_writes))
        .layer(middleware::from_fn(json_errors));
    // Public answers are gzipped for browsers that take it (the catalogue is 400 KB of JSON); personal
    // answers are not, so that no secret shares a compressed body with anything a page could choose.
    let public = Router::new()
        .route("/forms/{file}", get(form_definition))
        .route("/api/forms", get(form_list))
        .route("/catalogs/admin-units.json", get(admin_units))
        .route("/.well-known/tokhai-prefill-key", get(public_key))
        .fallback_service(www)
        .layer(CompressionLayer::new());
    public
        .merge(private)
        .nest_service("/pkg", pkg)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // A body whose next bytes do not come in time fails to read (the request is refused), as a
        // request's head does (lib.rs `serve`); so does one not all there by its deadline.
        .layer(RequestBodyTimeoutLayer::new(Duration::from_secs(
            state.config.client_timeout_secs,
        )))
        .layer(MapRequestLayer::new(move |request| {
            limits::with_body_deadline(request, body_timeout)
        }))
        .with_state(state)
}

/// Refuses a write another site's page sent: the session cookie's SameSite=Lax lets pages of a sibling
/// origin (another port or subdomain) post with the citizen's login. By the browser's `Sec-Fetch-Site`
/// (which a proxy rewriting `Host` does not change); from a browser without it, by its `Origin`, which
/// must be the host addressed (behind a proxy, as its header tells it: `X-Forwarded-Host`, or `Forwarded`'s
/// `host`; else `Host`).
async fn same_origin_writes(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let foreign = match text("sec-fetch-site") {
        Some(site) => matches!(site, "cross-site" | "same-site"),
        None => text("origin").is_some_and(|origin| {
            let host = state.config.forwarded_header.host(headers).or(text("host"));
            origin.split_once("://").map(|(_, authority)| authority) != host
        }),
    };
    let write = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if write && foreign {
        return auth::ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site",
            "Yêu cầu này phải được gửi từ chính trang của cổng dịch vụ công.",
            "This request must come from the portal's own pages.",
        )
        .into_response();
    }
    next.run(request).await
}

/// `/api/…` that is no route: 404 in the API's own words.
async fn no_such_api() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

/// An API error the framework answers in plain text or with no body (a query or body it cannot read, a
/// method or path the API does not have) goes out as the API's others do: JSON with a stable code, the
/// reason in both languages and the framework's own words as `detail`.
async fn json_errors(request: Request, next: Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let json =
        (response.headers().get(header::CONTENT_TYPE)).is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    if !api || json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (code, vi, en) = match status {
        StatusCode::NOT_FOUND => ("not_found", "Không có địa chỉ này.", "There is no such address."),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "Địa chỉ này không nhận yêu cầu kiểu này.",
            "This address does not take this kind of request.",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Nội dung gửi lên phải là JSON (Content-Type: application/json).",
            "The body must be JSON (Content-Type: application/json).",
        ),
        _ => ("request_invalid", "Yêu cầu không hợp lệ.", "The request is not valid."),
    };
    let (mut parts, body) = response.into_parts();
    let detail = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let detail = String::from_utf8_lossy(&detail);
    let body = json!({"error": code, "message_vi": vi, "message_en": en, "detail": detail.trim()});
    parts.headers.remove(header::CONTENT_LENGTH);
    parts
        .headers
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8));
    Response::from_parts(parts, axum::body::Body::from(body.to_string()))
}

/// `GET /forms/<id>.json` (or the file's own name): the definition file of a compiled form.
async fn form_definition(State(state): State<Arc<AppState>>, Path(file): Path<String>, headers: HeaderMap) -> Response {
    let name = file.strip_suffix(".json").unwrap_or_default();
    let by_file = || state.forms.values().find(|f| f.file == name);
    let Some(loaded) = state.forms.get(name).or_else(by_file) else {
        return unknown_form().into_response();
    };
    published(&loaded.source, &headers)
}

/// `GET /api/forms`: identifier, version, ruleset hash and title of every form.
async fn form_list(State(state): State<Arc<AppState>>) -> Response {
    let forms: Vec<_> = state
        .forms
        .values()
        .map(|f| {
            let def = f.form.def();
            json!({
                "id": def.id, "version": def.version, "ruleset_hash": f.form.ruleset_hash(), "title": def.title,
                "url": format!("/forms/{}.json", f.file),
            })
        })
        .collect();
    Json(json!({ "forms": forms })).into_response()
}

/// `GET /catalogs/admin-units.json`: the administrative-units catalogue the server was configured with.
async fn admin_units(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    published(&state.units_json, &headers)
}

/// A JSON file as loaded, with its entity tag, kept by browsers but asked again at each use
/// (`no-cache`): 304 without a body when the request's `If-None-Match` names the tag, weak or strong
/// (or `*`).
fn published(file: &Published, headers: &HeaderMap) -> Response {
    let tags = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok());
    let mut named = tags
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"));
    let tag = file.etag.trim_start_matches("W/");
    let kept = named.any(|t| t == "*" || t == tag);
    let cache = [(header::ETAG, file.etag.as_str()), (header::CACHE_CONTROL, "no-cache")];
    if kept {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (cache, [(header::CONTENT_TYPE, JSON_UTF8)], file.text.clone()).into_response()
}

/// `GET /.well-known/tokhai-prefill-key`: the public key of prefill bundles as a JSON Web Key Set.
async fn public_key(State(state): State<Arc<AppState>>) -> Response {
    Json(state.keys.jwks()).into_response()
}
