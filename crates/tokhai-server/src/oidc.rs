//! OpenID Connect relying party for a VNeID-style identity provider: authorization code with PKCE (S256).
//!
//! The citizen's PIN is read from the `SoDinhDanh` claim of the ID token (as VNeID does), or from
//! `sub` when that is a 12-digit number.

use crate::auth::{cookie, cookie_name, cookie_value, create_session, random_token, ApiError};
use crate::config::OidcConfig;
use crate::limits::{address_key, Failure, Limiter};
use crate::{now_ms, AppState};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value as Json;
use sha2::{Digest, Sha256};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// How long a started login may take, in milliseconds.
const PENDING_TTL_MS: i64 = 10 * 60 * 1000;

/// The cookie binding a login's `state` to the browser that began it: a callback with a state begun
/// elsewhere would log this browser in as someone else (login CSRF).
const STATE_COOKIE: &str = "tokhai_oidc_state";

/// A problem setting up the relying party.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider's discovery document could not be read.
    #[error("OpenID Connect provider {issuer}: cannot read its discovery document: {message}")]
    Discovery {
        /// Issuer URL.
        issuer: String,
        /// What went wrong.
        message: String,
    },
}

/// The provider's endpoints (from `/.well-known/openid-configuration`).
#[derive(Clone, Debug, Deserialize)]
pub struct Provider {
    /// Issuer identifier, compared with the `iss` claim.
    pub issuer: String,
    /// Where the citizen is sent to log in.
    pub authorization_endpoint: String,
    /// Where the code is exchanged for tokens.
    pub token_endpoint: String,
    /// The provider's signing keys.
    pub jwks_uri: String,
}

/// The relying party: configuration, provider endpoints and an HTTP client.
pub struct Client {
    config: OidcConfig,
    provider: Provider,
    http: reqwest::Client,
}

impl Client {
    /// Reads the provider's discovery document.
    pub async fn discover(config: OidcConfig) -> Result<Client, OidcError> {
        let fail = |message: String| OidcError::Discovery {
            issuer: config.issuer.clone(),
            message,
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| fail(e.to_string()))?;
        let url = format!(
            "{}/.well-known/openid-configuration",
            config.issuer.trim_end_matches('/')
        );
        let provider: Provider = async { http.get(&url).send().await?.error_for_status()?.json().await }
            .await
            .map_err(|e: reqwest::Error| fail(e.to_string()))?;
        if provider.issuer.trim_end_matches('/') != config.issuer.trim_end_matches('/') {
            return Err(fail(format!("it names another issuer ({})", provider.issuer)));
        }
        Ok(Client { config, provider, http })
    }

    /// The authorization URL for a state, nonce and PKCE challenge.
    fn authorization_url(&self, state: &str, nonce: &str, challenge: &str) -> String {
        let params = [
            ("response_type", "code"),
            ("client_id", self.config.client_id.as_str()),
            ("redirect_uri", self.config.redirect_url.as_str()),
            ("scope", "openid"),
            ("state", state),
            ("nonce", nonce),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
        ];
        let query = serde_urlencoded::to_string(params).unwrap_or_default();
        let sep = if self.provider.authorization_endpoint.contains('?') {
            '&'
        } else {
            '?'
        };
        format!("{}{sep}{query}", self.provider.authorization_endpoint)
    }

    /// Exchanges a code and returns the verified ID token's subject PIN.
    async fn redeem(&self, code: &str, verifier: &str, nonce: &str) -> Result<String, String> {
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.config.redirect_url.as_str()),
            ("client_id", self.config.client_id.as_str()),
            ("code_verifier", verifier),
        ];
        if let Some(secret) = &self.config.client_secret {
            form.push(("client_secret", secret.as_str()));
        }
        let reply = self
            .http
            .post(&self.provider.token_endpoint)
            .form(&form)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !reply.status().is_success() {
            return Err(format!("token endpoint answered HTTP {}", reply.status().as_u16()));
        }
        let tokens: Json = reply.json().await.map_err(|e| e.to_string())?;
        let id_token = tokens
            .get("id_token")
            .and_then(Json::as_str)
            .ok_or("no id_token in the token response")?;
        let claims = self.verify(id_token, nonce).await?;
        let pin = claims
            .get("SoDinhDanh")
            .or_else(|| claims.get("sub"))
            .and_then(Json::as_str)
            .unwrap_or_default();
        if pin.len() == 12 && pin.bytes().all(|b| b.is_ascii_digit()) {
            Ok(pin.to_owned())
        } else {
            Err("the ID token carries no personal identification number".into())
        }
    }

    /// Checks the ID token's signature (provider JWKS), issuer, audience, expiry and nonce.
    async fn verify(&self, id_token: &str, nonce: &str) -> Result<Json, String> {
        let head = decode_header(id_token).map_err(|e| e.to_string())?;
        let jwks: JwkSet = async {
            self.http
                .get(&self.provider.jwks_uri)
                .send()
                .await?
                .error_for_status()?
                .json()
                .await
        }
        .await
        .map_err(|e: reqwest::Error| e.to_string())?;
        let jwk = match &head.kid {
            Some(kid) => jwks.find(kid),
            None => jwks.keys.first(),
        }
        .ok_or("the ID token's key is not in the provider's key set")?;
        let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
        let mut validation = Validation::new(head.alg);
        validation.set_issuer(&[self.provider.issuer.as_str()]);
        validation.set_audience(&[self.config.client_id.as_str()]);
        let claims = decode::<Json>(id_token, &key, &validation)
            .map_err(|e| e.to_string())?
            .claims;
        if claims.get("nonce").and_then(Json::as_str) != Some(nonce) {
            return Err("the ID token's nonce does not match".into());
        }
        Ok(claims)
    }
}

/// The PKCE S256 challenge of a verifier.
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn not_configured() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "oidc_not_configured",
        "Đăng nhập bằng VNeID chưa được cấu hình trên máy chủ này.",
        "VNeID login is not configured on this server.",
    )
}

fn login_failed() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "oidc_failed",
        "Đăng nhập không thành công. Vui lòng thử lại.",
        "The login did not succeed. Please try again.",
    )
}

/// `GET /auth/oidc/login`: sends the citizen to the identity provider. Each one stores a pending login
/// until the provider sends the citizen back, so each costs its client (by address) a token of the rate
/// limit (a bucket of their own): a loop of them would otherwise fill the table.
pub async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(from): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let client = state.oidc.as_ref().ok_or_else(not_configured)?;
    let key = format!("oidc:{}", address_key(state.config.proxies(), Some(from), &headers));
    state.limiter.take(&key, now_ms()).map_err(Limiter::refusal)?;
    let (st, nonce, verifier) = (random_token(), random_token(), random_token());
    if verifier.is_empty() {
        return Err(ApiError::internal().into());
    }
    let now = now_ms();
    sqlx::query("DELETE FROM oidc_pending WHERE created_at < $1")
        .bind(now - PENDING_TTL_MS)
        .execute(&state.db)
        .await
        .map_err(ApiError::db)?;
    sqlx::query("INSERT INTO oidc_pending (state, verifier, nonce, created_at) VALUES ($1, $2, $3, $4)")
        .bind(st.clone())
        .bind(verifier.clone())
        .bind(nonce.clone())
        .bind(now)
        .execute(&state.db)
        .await
        .map_err(ApiError::db)?;
    let bound = cookie(&state, STATE_COOKIE, &st, "/auth/oidc", PENDING_TTL_MS / 1000)?;
    let to = Redirect::to(&client.authorization_url(&st, &nonce, &pkce_challenge(&verifier)));
    Ok(([(header::SET_COOKIE, bound)], to).into_response())
}

/// Query of the provider's redirect back.
#[derive(Debug, Deserialize)]
pub struct Callback {
    /// Authorization code.
    #[serde(default)]
    pub code: Option<String>,
    /// The state sent at login.
    #[serde(default)]
    pub state: Option<String>,
    /// Error code, when the provider refused.
    #[serde(default)]
    pub error: Option<String>,
}

/// `GET /auth/oidc/callback`: redeems the code, verifies the ID token, starts the session.
pub async fn callback(
    State(state): State<Arc<AppState>>,
    Query(cb): Query<Callback>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let client = state.oidc.as_ref().ok_or_else(not_configured)?;
    if let Some(error) = &cb.error {
        tracing::warn!(error, "identity provider refused the login");
        return Err(login_failed());
    }
    let (Some(code), Some(st)) = (cb.code, cb.state) else {
        return Err(login_failed());
    };
    if cookie_value(&headers, &cookie_name(&state, STATE_COOKIE)).as_deref() != Some(st.as_str()) {
        tracing::warn!("login callback in a browser that did not begin that login");
        return Err(login_failed());
    }
    let pending: Option<(String, String, i64)> =
        sqlx::query_as("SELECT verifier, nonce, created_at FROM oidc_pending WHERE state = $1")
            .bind(st.clone())
            .fetch_optional(&state.db)
            .await
            .map_err(ApiError::db)?;
    sqlx::query("DELETE FROM oidc_pending WHERE state = $1")
        .bind(st)
        .execute(&state.db)
        .await
        .map_err(ApiError::db)?;
    let Some((verifier, nonce, created_at)) = pending.filter(|p| p.2 + PENDING_TTL_MS > now_ms()) else {
        tracing::warn!("login callback with an unknown or expired state");
        return Err(login_failed());
    };
    let _ = created_at;
    let pin = client.redeem(&code, &verifier, &nonce).await.map_err(|e| {
        tracing::warn!(error = %e, "login could not be verified");
        login_failed()
    })?;
    let session = create_session(&state, &pin, "oidc").await?;
    let unbound = cookie(&state, STATE_COOKIE, "", "/auth/oidc", 0)?;
    Ok((
        AppendHeaders([(header::SET_COOKIE, session), (header::SET_COOKIE, unbound)]),
        Redirect::to("/"),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc7636_appendix_b() {
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
