//! OpenID Connect login (authorization code + PKCE) against a local VNeID-style provider started by the test.

mod common;

use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::{config, Client};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use ring::signature::{Ed25519KeyPair, KeyPair};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokhai_server::config::OidcConfig;

const CLIENT_ID: &str = "tokhai-portal";
const REDIRECT: &str = "http://127.0.0.1:1/auth/oidc/callback";

struct Provider {
    issuer: String,
    pkcs8: Vec<u8>,
    public: Vec<u8>,
    pin: String,
    /// Code → (PKCE challenge, nonce).
    codes: Mutex<HashMap<String, (String, String)>>,
    wrong_nonce: AtomicBool,
}

async fn discovery(State(p): State<Arc<Provider>>) -> Json<Value> {
    Json(json!({
        "issuer": p.issuer,
        "authorization_endpoint": format!("{}/authorize", p.issuer),
        "token_endpoint": format!("{}/token", p.issuer),
        "jwks_uri": format!("{}/jwks", p.issuer),
    }))
}

async fn authorize(State(p): State<Arc<Provider>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let ok = q.get("response_type").map(String::as_str) == Some("code")
        && q.get("client_id").map(String::as_str) == Some(CLIENT_ID)
        && q.get("code_challenge_method").map(String::as_str) == Some("S256")
        && q.get("scope").is_some_and(|s| s.split(' ').any(|w| w == "openid"));
    let (Some(challenge), Some(nonce), Some(state), Some(redirect), true) = (
        q.get("code_challenge"),
        q.get("nonce"),
        q.get("state"),
        q.get("redirect_uri"),
        ok,
    ) else {
        return (StatusCode::BAD_REQUEST, "invalid_request").into_response();
    };
    let code = format!("code-{}", p.codes.lock().unwrap().len());
    p.codes
        .lock()
        .unwrap()
        .insert(code.clone(), (challenge.clone(), nonce.clone()));
    Redirect::to(&format!("{redirect}?code={code}&state={state}")).into_response()
}

async fn token(State(p): State<Arc<Provider>>, Form(f): Form<HashMap<String, String>>) -> Response {
    let Some((challenge, nonce)) = f.get("code").and_then(|c| p.codes.lock().unwrap().remove(c)) else {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant"}))).into_response();
    };
    let verifier = f.get("code_verifier").cloned().unwrap_or_default();
    let computed = URL_SAFE_NO_PAD.encode(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()));
    if computed != challenge || f.get("redirect_uri").map(String::as_str) != Some(REDIRECT) {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "invalid_grant"}))).into_response();
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let nonce = if p.wrong_nonce.load(Ordering::SeqCst) {
        "other".to_owned()
    } else {
        nonce
    };
    let claims = json!({
        "iss": p.issuer, "aud": CLIENT_ID, "sub": "vneid-account-42", "SoDinhDanh": p.pin,
        "iat": now, "exp": now + 300, "nonce": nonce, "IAL": 2,
    });
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some("p1".into());
    let id_token = encode(&header, &claims, &EncodingKey::from_ed_der(&p.pkcs8)).unwrap();
    Json(json!({"access_token": "opaque", "token_type": "Bearer", "id_token": id_token})).into_response()
}

async fn jwks(State(p): State<Arc<Provider>>) -> Json<Value> {
    Json(
        json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": "p1",
                          "x": URL_SAFE_NO_PAD.encode(&p.public)}]}),
    )
}

async fn provider(pin: &str) -> Arc<Provider> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let issuer = format!("http://{}", listener.local_addr().unwrap());
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new())
        .unwrap()
        .as_ref()
        .to_vec();
    let public = Ed25519KeyPair::from_pkcs8(&pkcs8)
        .unwrap()
        .public_key()
        .as_ref()
        .to_vec();
    let p = Arc::new(Provider {
        issuer,
        pkcs8,
        public,
        pin: pin.to_owned(),
        codes: Mutex::new(HashMap::new()),
        wrong_nonce: AtomicBool::new(false),
    });
    let app = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .route("/jwks", get(jwks))
        .with_state(p.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    p
}

/// Follows the login through the provider and returns the callback's path and query on our server, and
/// the cookie binding the login to the browser that began it.
async fn through_provider(client: &Client) -> (String, String) {
    let r = client
        .http
        .get(format!("{}/auth/oidc/login", client.base))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "login redirects to the provider");
    let to_provider = r.headers()["location"].to_str().unwrap().to_owned();
    let bound = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        bound.contains("HttpOnly") && bound.contains("Path=/auth/oidc"),
        "{bound}"
    );
    let bound = bound.split(';').next().unwrap().to_owned();
    assert!(
        to_provider.contains("code_challenge_method=S256") && to_provider.contains("nonce="),
        "{to_provider}"
    );
    let r = client.http.get(&to_provider).send().await.unwrap();
    assert!(
        r.status().is_redirection(),
        "the provider redirects back: {}",
        r.status()
    );
    let back = r.headers()["location"].to_str().unwrap().to_owned();
    let callback = back.strip_prefix("http://127.0.0.1:1").expect("our redirect URL");
    (callback.to_owned(), bound)
}

/// The server's OpenID configuration for the provider at `issuer`.
fn oidc_config(issuer: String) -> OidcConfig {
    OidcConfig {
        issuer,
        client_id: CLIENT_ID.into(),
        client_secret: None,
        redirect_url: REDIRECT.into(),
    }
}

#[tokio::test]
async fn login_with_code_and_pkce() {
    let pin = "001090012345";
    let p = provider(pin).await;
    let mut c = config("oidc");
    c.oidc = Some(oidc_config(p.issuer.clone()));
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);

    let (callback, bound) = through_provider(&client).await;
    // In a browser that did not begin the login (a link an attacker sent), the callback logs no one in.
    let r = client
        .http
        .get(format!("{}{callback}", client.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400, "login CSRF");
    assert!(r.headers().get("set-cookie").is_none());
    let r = client
        .http
        .get(format!("{}{callback}", client.base))
        .header("cookie", &bound)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "callback succeeds: {}", r.status());
    client.keep_cookie(&r);
    let (_, me) = client.get("/api/me").await;
    assert_eq!(
        (me["logged_in"].as_bool(), me["method"].as_str()),
        (Some(true), Some("oidc")),
        "{me}"
    );
    assert_eq!(me["subject_masked"], json!("001*******45"));
    assert!(me["login_at"].as_i64().is_some(), "the login starts the filing clock");

    // The same callback cannot be used twice (state consumed, code redeemed).
    let r = client
        .http
        .get(format!("{}{callback}", client.base))
        .header("cookie", &bound)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // An unknown state is refused.
    let r = client
        .http
        .get(format!("{}/auth/oidc/callback?code=x&state=forged", client.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    // A provider error is refused with a readable message.
    let (status, body) = Client::new(&running)
        .get("/auth/oidc/callback?error=access_denied")
        .await;
    assert_eq!((status, body["error"].as_str()), (400, Some("oidc_failed")));

    // An ID token with another nonce is refused.
    p.wrong_nonce.store(true, Ordering::SeqCst);
    let fresh = Client::new(&running);
    let (callback, bound) = through_provider(&fresh).await;
    let r = fresh
        .http
        .get(format!("{}{callback}", fresh.base))
        .header("cookie", bound)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.headers().get("set-cookie").is_none());
    running.task.abort();
}

#[tokio::test]
async fn logins_begun_again_and_again_are_slowed_down() {
    let p = provider("001090012345").await;
    let mut c = config("oidc-flood");
    c.oidc = Some(oidc_config(p.issuer.clone()));
    (c.rate_per_minute, c.rate_burst) = (60, 3);
    let running = tokhai_server::start(c).await.expect("server starts");
    let client = Client::new(&running);
    let begin = || client.http.get(format!("{}/auth/oidc/login", client.base)).send();
    for _ in 0..3 {
        assert!(begin().await.unwrap().status().is_redirection(), "to the provider");
    }
    let r = begin().await.unwrap();
    assert_eq!(
        r.status().as_u16(),
        429,
        "each stores a pending login: a loop of them is refused"
    );
    assert!(r.headers().get("retry-after").is_some());
    let (pending,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM oidc_pending")
        .fetch_one(&running.state.db)
        .await
        .unwrap();
    assert_eq!(pending, 3);
    running.task.abort();
}

#[tokio::test]
async fn an_unreachable_provider_is_a_clear_start_up_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let mut c = config("oidc-down");
    c.oidc = Some(oidc_config(dead.clone()));
    let err = tokhai_server::start(c).await.err().expect("start fails").to_string();
    assert!(err.contains(&dead) && err.contains("discovery"), "{err}");
}
