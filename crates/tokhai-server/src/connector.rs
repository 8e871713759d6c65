//! National-data connectors behind one trait: the local synthetic registry and an HTTP endpoint.

use crate::config::HttpConnectorConfig;
use crate::db::Db;
use serde_json::Value as Json;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokhai_core::vn::pin;

/// Why a lookup gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    /// The breaker is open after repeated failures; no call was made.
    #[error("national data temporarily unavailable (circuit open)")]
    CircuitOpen,
    /// The endpoint did not answer in time.
    #[error("national data endpoint timed out")]
    Timeout,
    /// The endpoint answered with an error status.
    #[error("national data endpoint answered HTTP {0}")]
    Status(u16),
    /// The endpoint answered something that is not a citizen record.
    #[error("national data endpoint sent a malformed reply: {0}")]
    Malformed(String),
    /// The endpoint could not be reached.
    #[error("national data endpoint unreachable: {0}")]
    Transport(String),
    /// The local registry's database failed.
    #[error("registry database: {0}")]
    Database(#[from] sqlx::Error),
}

/// The future of a lookup.
pub type Lookup<'a> = Pin<Box<dyn Future<Output = Result<Option<Json>, ConnectorError>> + Send + 'a>>;

/// A source of national population data: a citizen's reply (national-database shape) by PIN.
pub trait Connector: Send + Sync {
    /// Short name recorded as the origin of prefilled values, e.g. `registry.local`.
    fn origin(&self) -> &str;
    /// The citizen's record, `None` if the registry does not know the PIN.
    fn lookup<'a>(&'a self, pin: &'a str) -> Lookup<'a>;
}

/// The synthetic registry stored in the server's database.
pub struct LocalRegistry {
    db: Db,
}

impl LocalRegistry {
    /// A connector over the registry tables of a database.
    pub fn new(db: Db) -> LocalRegistry {
        LocalRegistry { db }
    }
}

impl Connector for LocalRegistry {
    fn origin(&self) -> &str {
        "registry.local"
    }

    fn lookup<'a>(&'a self, pin: &'a str) -> Lookup<'a> {
        Box::pin(async move { Ok(crate::registry::find(&self.db, pin).await?) })
    }
}

#[derive(Debug, Default)]
struct Breaker {
    failures: u32,
    open_until: Option<Instant>,
}

/// A national-data HTTP endpoint (`GET <base>/citizens/<pin>`) with timeout, retries with backoff and a circuit breaker.
pub struct HttpConnector {
    client: reqwest::Client,
    config: HttpConnectorConfig,
    breaker: Mutex<Breaker>,
}

impl HttpConnector {
    /// A connector with the given settings.
    pub fn new(config: HttpConnectorConfig) -> Result<HttpConnector, ConnectorError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(config.timeout_ms))
            .build()
            .map_err(|e| ConnectorError::Transport(e.to_string()))?;
        Ok(HttpConnector {
            client,
            config,
            breaker: Mutex::new(Breaker::default()),
        })
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn check_breaker(&self) -> Result<(), ConnectorError> {
        let mut b = self.breaker();
        match b.open_until {
            Some(until) if Instant::now() < until => Err(ConnectorError::CircuitOpen),
            Some(_) => {
                // Half-open: let this call through; one more failure opens the breaker again.
                b.open_until = None;
                b.failures = self.config.breaker_threshold.saturating_sub(1);
                Ok(())
            }
            None => Ok(()),
        }
    }

    fn record(&self, ok: bool) {
        let mut b = self.breaker();
        if ok {
            *b = Breaker::default();
        } else {
            b.failures += 1;
            if b.failures >= self.config.breaker_threshold.max(1) {
                b.open_until = Some(Instant::now() + Duration::from_millis(self.config.breaker_cooldown_ms));
            }
        }
    }

    async fn attempt(&self, pin: &str) -> Result<Option<Json>, ConnectorError> {
        let url = format!("{}/citizens/{}", self.config.base_url.trim_end_matches('/'), pin);
        let mut request = self.client.get(&url).header("accept", "application/json");
        if let Some(token) = &self.config.bearer_token {
            request = request.bearer_auth(token);
        }
        let reply = request.send().await.map_err(transport)?;
        let status = reply.status();
        if status == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(ConnectorError::Status(status.as_u16()));
        }
        let body = reply.bytes().await.map_err(transport)?;
        let json: Json = serde_json::from_slice(&body).map_err(|e| ConnectorError::Malformed(e.to_string()))?;
        if !json.is_object() {
            return Err(ConnectorError::Malformed("expected a JSON object".into()));
        }
        Ok(Some(json))
    }
}

/// An error's kind, without the URL (which holds the PIN).
fn transport(e: reqwest::Error) -> ConnectorError {
    if e.is_timeout() {
        ConnectorError::Timeout
    } else {
        ConnectorError::Transport(e.without_url().to_string())
    }
}

impl Connector for HttpConnector {
    fn origin(&self) -> &str {
        "national-data.http"
    }

    fn lookup<'a>(&'a self, pin: &'a str) -> Lookup<'a> {
        Box::pin(async move {
            // The PIN goes into the URL: anything else ("../admin?x#") would ask another path of the
            // national-data host, with the portal's token.
            if !pin::is_pin(pin) {
                return Ok(None);
            }
            self.check_breaker()?;
            let mut delay = Duration::from_millis(self.config.backoff_ms);
            let mut attempt = 0;
            loop {
                let result = self.attempt(pin).await;
                let retryable = matches!(
                    result,
                    Err(ConnectorError::Timeout | ConnectorError::Transport(_))
                        | Err(ConnectorError::Status(500..=599))
                );
                if !retryable || attempt >= self.config.retries {
                    self.record(result.is_ok());
                    return result;
                }
                attempt += 1;
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
        })
    }
}
