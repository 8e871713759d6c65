//! Reference portal back end of tokhai: static files, login, prefill broker, submission intake, timing collector.
//!
//! Thin by design: normalisation, prefill shaping, validation and messages come from tokhai-core.

pub mod auth;
pub mod broker;
pub mod config;
pub mod connector;
pub mod db;
pub mod forms;
pub mod intake;
pub mod limits;
pub mod officials;
pub mod oidc;
pub mod qa;
pub mod reading;
pub mod registry;
pub mod signing;
pub mod timings;
pub mod uploads;
pub mod web;
mod write_timeout;

use config::Config;
use connector::{Connector, HttpConnector, LocalRegistry};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokhai_core::catalog::Catalogs;
use tokhai_core::Form;
use write_timeout::WriteTimeout;

/// Anything that stops the server from starting or serving.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// Storage could not be opened or migrated.
    #[error(transparent)]
    Db(#[from] db::DbError),
    /// A database query failed.
    #[error("database: {0}")]
    Sql(#[from] sqlx::Error),
    /// A form definition or the units catalogue is invalid.
    #[error(transparent)]
    Forms(#[from] forms::LoadError),
    /// The synthetic registry could not be generated.
    #[error(transparent)]
    Registry(#[from] registry::GenerateError),
    /// A key file (signing or subject key) is unusable.
    #[error(transparent)]
    Key(#[from] signing::KeyError),
    /// The HTTP connector could not be set up.
    #[error("national data connector: {0}")]
    Connector(#[from] connector::ConnectorError),
    /// The OpenID Connect provider could not be set up.
    #[error(transparent)]
    Oidc(#[from] oidc::OidcError),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// Address.
        addr: SocketAddr,
        /// Underlying error.
        source: std::io::Error,
    },
}

/// Everything a request handler needs, shared by all requests.
pub struct AppState {
    /// The configuration the server started with.
    pub config: Config,
    /// The database.
    pub db: db::Db,
    /// The pool of the hot inserts (one connection on SQLite).
    pub writer: db::Db,
    /// Compiled forms by identifier.
    pub forms: BTreeMap<String, forms::LoadedForm>,
    /// Every version a submission may name (current and archived), by ruleset hash.
    pub versions: HashMap<String, Arc<Form>>,
    /// The per-client rate limit of the write APIs.
    pub limiter: limits::Limiter,
    /// Sessions recently read.
    pub sessions: auth::SessionCache,
    /// The administrative-units catalogues.
    pub catalogs: Arc<Catalogs>,
    /// The administrative-units file as served at `/catalogs/admin-units.json`.
    pub units_json: forms::Published,
    /// The key that signs prefill bundles.
    pub keys: signing::Keys,
    /// Where national data comes from.
    pub connector: Arc<dyn Connector>,
    /// The OpenID Connect relying party, when configured.
    pub oidc: Option<oidc::Client>,
}

impl AppState {
    /// A compiled form by identifier.
    pub fn form(&self, id: &str) -> Option<&Arc<Form>> {
        self.forms.get(id).map(|f| &f.form)
    }
}

/// One day in milliseconds.
pub const DAY_MS: i64 = 86_400_000;

/// The current time in Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A running server: its address and its task.
pub struct Running {
    /// The address actually bound (useful with port 0).
    pub addr: SocketAddr,
    /// The shared state (tests use its key and database).
    pub state: Arc<AppState>,
    /// The serving task.
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Builds the state from a configuration: database and migrations, catalogue, forms, registry, key, connectors.
pub async fn build(config: Config) -> Result<AppState, Error> {
    let (catalogs, units_json) = forms::load_units(&config.units)?;
    let loaded = forms::load_forms(&config.forms)?;
    let versions = forms::versions(&loaded, &config.forms.join("archive"))?;
    for (dir, hint) in [
        (&config.www, "TOKHAI_WWW"),
        (&config.pkg, "TOKHAI_PKG; npm run build makes it"),
    ] {
        if !dir.is_dir() {
            tracing::warn!(dir = %dir.display(), "directory not found, nothing is served from it ({hint})");
        }
    }
    let db::Pools { db, writer } = db::open(config.database_url.as_deref(), &config.data_dir).await?;
    let started = std::time::Instant::now();
    if registry::ensure(&db, config.registry_seed, config.registry_size, &catalogs).await? {
        tracing::info!(
            citizens = config.registry_size,
            ms = started.elapsed().as_millis() as u64,
            "synthetic registry generated"
        );
    }
    let keys = match &config.signing_key {
        Some(path) => signing::Keys::load(path, false)?,
        None => signing::Keys::load(&config.data_dir.join("prefill-signing.key"), true)?,
    }
    .remember(&config.data_dir.join("prefill-keys.json"))?;
    let keys = match &config.subject_key {
        Some(path) => keys.subjects_keyed_by(path, false)?,
        None => keys.subjects_keyed_by(&config.data_dir.join("subject.key"), true)?,
    };
    let connector: Arc<dyn Connector> = match &config.national_data {
        Some(http) => Arc::new(HttpConnector::new(http.clone())?),
        None => Arc::new(LocalRegistry::new(db.clone())),
    };
    let oidc = match &config.oidc {
        Some(c) => Some(oidc::Client::discover(c.clone()).await?),
        None => None,
    };
    Ok(AppState {
        db,
        writer,
        forms: loaded,
        versions,
        limiter: limits::Limiter::new(config.rate_per_minute, config.rate_burst),
        sessions: auth::SessionCache::default(),
        catalogs: Arc::new(catalogs),
        units_json,
        keys,
        connector,
        oidc,
        config,
    })
}

/// Builds the state, binds the address and serves in a background task.
pub async fn start(config: Config) -> Result<Running, Error> {
    let addr = config.addr;
    let state = Arc::new(build(config).await?);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| Error::Bind { addr, source })?;
    let addr = listener.local_addr().map_err(|source| Error::Bind { addr, source })?;
    let app = web::router(state.clone());
    let timeout = Duration::from_secs(state.config.client_timeout_secs);
    let max_connections = state.config.max_connections;
    // The first sweep of expired uploads runs at once, the others while the server serves.
    let sweep = uploads::sweep(state.writer.clone(), state.config.upload_retention_secs);
    let task = tokio::spawn(async move {
        tokio::select! {
            never = serve(listener, app, timeout, max_connections) => match never {},
            never = sweep => match never {},
        }
    });
    Ok(Running { addr, state, task })
}

/// Serves `app` over HTTP/1.1 on `listener`, each request knowing its client's address (`ConnectInfo`).
/// A connection is closed when its client takes longer than `timeout` to send a request's head, counted
/// from when the server waits for one (kept-alive idle connections too): `axum::serve` sets no such
/// deadline, and a client sending a byte at a time held its connection forever. So is one whose client
/// takes nothing of an answer for `timeout`: a client pipelining requests and reading none of the answers
/// held its connection forever too. At most `max_connections` are open at once: past that, the loop
/// accepts no more until one closes (the system queues the others).
async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    timeout: Duration,
    max_connections: usize,
) -> std::convert::Infallible {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;
    let open = Arc::new(tokio::sync::Semaphore::new(max_connections));
    loop {
        let permit = (open.clone().acquire_owned().await).expect("the semaphore is never closed");
        let (stream, client) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
                // A client gone before it was accepted is no trouble; out of file descriptors, for one, is:
                // wait rather than spin (as axum::serve does).
                if !matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
                    tracing::error!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                continue;
            }
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(client));
            app.clone().oneshot(request)
        });
        tokio::spawn(async move {
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(timeout)
                .serve_connection(TokioIo::new(WriteTimeout::new(stream, timeout)), service);
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, %client, "connection closed");
            }
            drop(permit);
        });
    }
}
