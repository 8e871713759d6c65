//! Server configuration: an optional TOML file, then environment variables, then defaults.

use crate::limits::ForwardedHeader;
use crate::officials::MAX_OFFICIAL;
use ipnet::IpNet;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use tokhai_core::office_hours::OfficeHours;
use tokhai_core::text::{char_len, clean_line};
use tokhai_core::timing::TARGET_MS;
use tokio::sync::Semaphore;

/// A configuration problem, reported before the server starts.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file could not be read.
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        /// File path.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The configuration file is not valid TOML of the expected shape.
    #[error("configuration file {path} is invalid: {message}")]
    Parse {
        /// File path.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// An environment variable or setting has a bad value.
    #[error("{name}: {message}")]
    Value {
        /// Variable or key name.
        name: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// Settings of the OpenID Connect relying party (a VNeID-style identity provider).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// Issuer URL; its `/.well-known/openid-configuration` is read at start.
    pub issuer: String,
    /// Client identifier registered with the provider.
    pub client_id: String,
    /// Client secret (omit for a public client).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// Redirect URL registered with the provider, ending in `/auth/oidc/callback`.
    pub redirect_url: String,
}

/// Settings of the HTTP national-data connector.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConnectorConfig {
    /// Base URL; a citizen is read from `<base>/citizens/<pin>`.
    pub base_url: String,
    /// Time limit of one attempt, in milliseconds.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Extra attempts after a failed one.
    #[serde(default = "default_retries")]
    pub retries: u32,
    /// Wait before the first retry, in milliseconds (doubled at each retry).
    #[serde(default = "default_backoff_ms")]
    pub backoff_ms: u64,
    /// Consecutive failed lookups that open the circuit breaker.
    #[serde(default = "default_breaker_threshold")]
    pub breaker_threshold: u32,
    /// How long an open breaker refuses calls, in milliseconds.
    #[serde(default = "default_breaker_cooldown_ms")]
    pub breaker_cooldown_ms: u64,
    /// Bearer token sent with every call, if the endpoint needs one.
    #[serde(default)]
    pub bearer_token: Option<String>,
}

fn default_timeout_ms() -> u64 {
    2_000
}
fn default_retries() -> u32 {
    2
}
fn default_backoff_ms() -> u64 {
    100
}
fn default_breaker_threshold() -> u32 {
    5
}
fn default_breaker_cooldown_ms() -> u64 {
    30_000
}

impl HttpConnectorConfig {
    /// Settings with the default timeout, retries and breaker for a base URL.
    pub fn new(base_url: &str) -> HttpConnectorConfig {
        HttpConnectorConfig {
            base_url: base_url.to_owned(),
            timeout_ms: default_timeout_ms(),
            retries: default_retries(),
            backoff_ms: default_backoff_ms(),
            breaker_threshold: default_breaker_threshold(),
            breaker_cooldown_ms: default_breaker_cooldown_ms(),
            bearer_token: None,
        }
    }
}

/// The configuration file's shape; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    units: Option<PathBuf>,
    www: Option<PathBuf>,
    pkg: Option<PathBuf>,
    forms: Option<PathBuf>,
    dev_login: Option<bool>,
    secure_cookies: Option<bool>,
    signing_key: Option<PathBuf>,
    subject_key: Option<PathBuf>,
    registry_size: Option<usize>,
    registry_seed: Option<u64>,
    prefill_ttl_secs: Option<i64>,
    session_ttl_secs: Option<i64>,
    max_body_bytes: Option<usize>,
    max_upload_bytes: Option<usize>,
    max_pending_upload_bytes: Option<usize>,
    upload_retention_secs: Option<i64>,
    client_timeout_secs: Option<u64>,
    body_timeout_secs: Option<u64>,
    max_connections: Option<usize>,
    max_fields: Option<usize>,
    rate_per_minute: Option<u32>,
    rate_burst: Option<u32>,
    trusted_proxies: Option<Vec<String>>,
    forwarded_header: Option<String>,
    target_secs: Option<u32>,
    qa_token: Option<String>,
    officials_token: Option<String>,
    officials: Option<Vec<Official>>,
    office_hours: Option<OfficeHours>,
    national_data: Option<HttpConnectorConfig>,
    oidc: Option<OidcConfig>,
}

/// An official with an access token of their own (`[[officials]]` in the file): the decisions made
/// with it are recorded in their name.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Official {
    /// Name (or staff id) recorded with each decision, as the decision's `official`.
    pub name: String,
    /// Bearer token, 16 characters or more.
    pub token: String,
}

/// The complete, checked server configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to listen on (port 0 picks a free port).
    pub addr: SocketAddr,
    /// Directory of the SQLite file and the development signing key.
    pub data_dir: PathBuf,
    /// `postgres://…` to use PostgreSQL, otherwise SQLite in the data directory.
    pub database_url: Option<String>,
    /// Administrative-units catalogue (JSON).
    pub units: PathBuf,
    /// Static files of the development portal.
    pub www: PathBuf,
    /// The widget package, served at `/pkg/`.
    pub pkg: PathBuf,
    /// Directory of form definitions (`<id>.json`).
    pub forms: PathBuf,
    /// Whether the development login (synthetic citizens) is enabled.
    pub dev_login: bool,
    /// Whether the session cookie is `Secure` (sent over HTTPS only): set it where the portal is served
    /// over HTTPS (this server speaks HTTP behind a TLS proxy).
    pub secure_cookies: bool,
    /// Ed25519 signing key file; `None` means the development key in the data directory.
    pub signing_key: Option<PathBuf>,
    /// Key file of citizens' digests (drafts, timing); `None` means `subject.key` in the data directory.
    pub subject_key: Option<PathBuf>,
    /// Number of synthetic citizens in the local registry.
    pub registry_size: usize,
    /// Seed of the synthetic registry.
    pub registry_seed: u64,
    /// Lifetime of a prefill bundle, in seconds: a filing sent later is checked against national data
    /// fetched at intake instead (refused as expired only when that cannot be had).
    pub prefill_ttl_secs: i64,
    /// Lifetime of a login session, in seconds.
    pub session_ttl_secs: i64,
    /// Largest request body accepted by the write APIs, in bytes.
    pub max_body_bytes: usize,
    /// Largest attached file accepted by `POST /api/uploads`, in bytes (a field's `max_size` may be lower).
    pub max_upload_bytes: usize,
    /// Most bytes of attached files a citizen may keep on the portal that no dossier names yet.
    pub max_pending_upload_bytes: usize,
    /// How long an attached file no dossier names is kept, in seconds (the filing may resume from a draft).
    pub upload_retention_secs: i64,
    /// How long a client may take to send a request's head (or leave a kept-alive connection idle), take
    /// none of an answer, and leave a request body without its next bytes, in seconds, before the connection
    /// is closed: a client that sends a byte at a time, or reads nothing, would otherwise hold it forever.
    pub client_timeout_secs: u64,
    /// How long a request body may take to arrive whole, in seconds (bytes trickling in would hold a connection).
    pub body_timeout_secs: u64,
    /// Most connections open at once; past it, no more are accepted until one closes.
    pub max_connections: usize,
    /// Most entries (object keys and array items, at any depth) in a submission's values.
    pub max_fields: usize,
    /// Writes a client (login, or address without one) may make per minute, on average; 0 means no limit.
    pub rate_per_minute: u32,
    /// Writes a client may make in a burst.
    pub rate_burst: u32,
    /// Proxies whose `forwarded_header` names the client (addresses or CIDR ranges); none by default.
    pub trusted_proxies: Vec<IpNet>,
    /// The header those proxies write: `X-Forwarded-For` by default, or RFC 7239's `Forwarded`.
    pub forwarded_header: ForwardedHeader,
    /// The filing-time target of the QA aggregates, in seconds (login to submission).
    pub target_secs: u32,
    /// The bearer token of the QA summary; without one it is open only with the development login.
    pub qa_token: Option<String>,
    /// The bearer token of the officials' API (dossiers and decisions) for an agency's system, which names
    /// the official of each decision; without it or `officials`, that API does not exist.
    pub officials_token: Option<String>,
    /// Officials with tokens of their own, whose decisions are recorded in their name.
    pub officials: Vec<Official>,
    /// When the agency works, in which officials' processing time is counted.
    pub office_hours: OfficeHours,
    /// HTTP national-data connector; `None` uses the local registry.
    pub national_data: Option<HttpConnectorConfig>,
    /// OpenID Connect provider; `None` disables that login.
    pub oidc: Option<OidcConfig>,
}

impl Config {
    /// Defaults for a directory layout rooted at the current directory.
    pub fn defaults() -> Config {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            units: default_units(),
            www: PathBuf::from("www"),
            pkg: PathBuf::from("pkg"),
            forms: PathBuf::from("www/forms"),
            dev_login: false,
            secure_cookies: false,
            signing_key: None,
            subject_key: None,
            registry_size: 10_000,
            registry_seed: 2025,
            prefill_ttl_secs: 3_600,
            session_ttl_secs: 8 * 3_600,
            max_body_bytes: 256 * 1024,
            max_upload_bytes: 10 << 20,
            max_pending_upload_bytes: 100 << 20,
            upload_retention_secs: 7 * 24 * 3_600,
            client_timeout_secs: 30,
            body_timeout_secs: 300,
            max_connections: 1024,
            max_fields: 2_000,
            rate_per_minute: 60,
            rate_burst: 20,
            trusted_proxies: Vec::new(),
            forwarded_header: ForwardedHeader::XForwardedFor,
            target_secs: (TARGET_MS / 1000.0) as u32,
            qa_token: None,
            officials_token: None,
            officials: Vec::new(),
            office_hours: OfficeHours::default(),
            national_data: None,
            oidc: None,
        }
    }

    /// Reads the optional file, then the `TOKHAI_*` and `DATABASE_URL` variables of `env`.
    pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let mut c = Config::defaults();
        let f = match file {
            Some(path) => read_file(path)?,
            None => FileConfig::default(),
        };
        if let Some(a) = f.addr {
            c.addr = parse_addr("addr", &a)?;
        }
        c.data_dir = f.data_dir.unwrap_or(c.data_dir);
        c.database_url = f.database_url.or(c.database_url);
        c.units = f.units.unwrap_or(c.units);
        c.www = f.www.unwrap_or(c.www);
        c.pkg = f.pkg.unwrap_or(c.pkg);
        c.forms = f.forms.unwrap_or(c.forms);
        c.dev_login = f.dev_login.unwrap_or(c.dev_login);
        c.secure_cookies = f.secure_cookies.unwrap_or(c.secure_cookies);
        c.signing_key = f.signing_key.or(c.signing_key);
        c.subject_key = f.subject_key.or(c.subject_key);
        c.registry_size = f.registry_size.unwrap_or(c.registry_size);
        c.registry_seed = f.registry_seed.unwrap_or(c.registry_seed);
        c.prefill_ttl_secs = f.prefill_ttl_secs.unwrap_or(c.prefill_ttl_secs);
        c.session_ttl_secs = f.session_ttl_secs.unwrap_or(c.session_ttl_secs);
        c.max_body_bytes = f.max_body_bytes.unwrap_or(c.max_body_bytes);
        c.max_upload_bytes = f.max_upload_bytes.unwrap_or(c.max_upload_bytes);
        c.max_pending_upload_bytes = f.max_pending_upload_bytes.unwrap_or(c.max_pending_upload_bytes);
        c.upload_retention_secs = f.upload_retention_secs.unwrap_or(c.upload_retention_secs);
        c.client_timeout_secs = f.client_timeout_secs.unwrap_or(c.client_timeout_secs);
        c.body_timeout_secs = f.body_timeout_secs.unwrap_or(c.body_timeout_secs);
        c.max_connections = f.max_connections.unwrap_or(c.max_connections);
        c.max_fields = f.max_fields.unwrap_or(c.max_fields);
        c.rate_per_minute = f.rate_per_minute.unwrap_or(c.rate_per_minute);
        c.rate_burst = f.rate_burst.unwrap_or(c.rate_burst);
        if let Some(entries) = f.trusted_proxies {
            c.trusted_proxies = parse_proxies("trusted_proxies", entries.iter().map(String::as_str))?;
        }
        if let Some(name) = f.forwarded_header {
            c.forwarded_header = forwarded_header("forwarded_header", &name)?;
        }
        c.target_secs = f.target_secs.unwrap_or(c.target_secs);
        c.qa_token = bearer_token("qa_token", f.qa_token)?;
        c.officials_token = bearer_token("officials_token", f.officials_token)?;
        c.officials = officials(f.officials.unwrap_or_default())?;
        c.office_hours = f.office_hours.unwrap_or_default();
        c.national_data = f.national_data;
        c.oidc = f.oidc;

        if let Some(a) = env("TOKHAI_ADDR") {
            c.addr = parse_addr("TOKHAI_ADDR", &a)?;
        }
        let path = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        c.data_dir = path("TOKHAI_DATA_DIR").unwrap_or(c.data_dir);
        c.database_url = env("DATABASE_URL").filter(|v| !v.is_empty()).or(c.database_url);
        c.units = path("TOKHAI_UNITS").or_else(|| shared_units(env)).unwrap_or(c.units);
        c.www = path("TOKHAI_WWW").unwrap_or(c.www);
        c.pkg = path("TOKHAI_PKG").unwrap_or(c.pkg);
        c.forms = path("TOKHAI_FORMS").unwrap_or(c.forms);
        c.signing_key = path("TOKHAI_SIGNING_KEY").or(c.signing_key);
        c.subject_key = path("TOKHAI_SUBJECT_KEY").or(c.subject_key);
        if let Some(v) = env("TOKHAI_DEV_LOGIN") {
            c.dev_login = parse_bool("TOKHAI_DEV_LOGIN", &v)?;
        }
        if let Some(v) = env("TOKHAI_SECURE_COOKIES") {
            c.secure_cookies = parse_bool("TOKHAI_SECURE_COOKIES", &v)?;
        }
        if let Some(v) = env("TOKHAI_REGISTRY_SIZE") {
            c.registry_size = v.trim().parse().map_err(|_| ConfigError::Value {
                name: "TOKHAI_REGISTRY_SIZE",
                message: format!("expected a whole number of citizens, got {v:?}"),
            })?;
        }
        c.max_body_bytes = number(env, "TOKHAI_MAX_BODY_BYTES", c.max_body_bytes)?;
        c.max_upload_bytes = number(env, "TOKHAI_MAX_UPLOAD_BYTES", c.max_upload_bytes)?;
        c.max_pending_upload_bytes = number(env, "TOKHAI_MAX_PENDING_UPLOAD_BYTES", c.max_pending_upload_bytes)?;
        c.upload_retention_secs = number(env, "TOKHAI_UPLOAD_RETENTION_SECS", c.upload_retention_secs)?;
        c.client_timeout_secs = number(env, "TOKHAI_CLIENT_TIMEOUT_SECS", c.client_timeout_secs)?;
        c.body_timeout_secs = number(env, "TOKHAI_BODY_TIMEOUT_SECS", c.body_timeout_secs)?;
        c.max_connections = number(env, "TOKHAI_MAX_CONNECTIONS", c.max_connections)?;
        c.max_fields = number(env, "TOKHAI_MAX_FIELDS", c.max_fields)?;
        c.rate_per_minute = number(env, "TOKHAI_RATE_PER_MINUTE", c.rate_per_minute)?;
        c.rate_burst = number(env, "TOKHAI_RATE_BURST", c.rate_burst)?;
        if let Some(v) = env("TOKHAI_TRUSTED_PROXIES").filter(|v| !v.trim().is_empty()) {
            c.trusted_proxies = parse_proxies("TOKHAI_TRUSTED_PROXIES", v.split(','))?;
        }
        if let Some(name) = env("TOKHAI_FORWARDED_HEADER").filter(|v| !v.trim().is_empty()) {
            c.forwarded_header = forwarded_header("TOKHAI_FORWARDED_HEADER", &name)?;
        }
        c.target_secs = number(env, "TOKHAI_TARGET_SECS", c.target_secs)?;
        c.qa_token = bearer_token("TOKHAI_QA_TOKEN", env("TOKHAI_QA_TOKEN"))?.or(c.qa_token);
        let officials_env = bearer_token("TOKHAI_OFFICIALS_TOKEN", env("TOKHAI_OFFICIALS_TOKEN"))?;
        let officials_from = if officials_env.is_some() {
            "TOKHAI_OFFICIALS_TOKEN"
        } else {
            "officials_token"
        };
        c.officials_token = officials_env.or(c.officials_token);
        if c.officials_token.is_some() && c.officials_token == c.qa_token {
            // QA reads figures without names; the officials' token opens every dossier.
            return Err(ConfigError::Value {
                name: officials_from,
                message: "must differ from the QA token".into(),
            });
        }
        let others = [c.qa_token.as_deref(), c.officials_token.as_deref()];
        if c.officials.iter().any(|o| others.contains(&Some(o.token.as_str()))) {
            return Err(ConfigError::Value {
                name: "officials",
                message: "an official's token must differ from the QA and officials' tokens".into(),
            });
        }
        if let Some(url) = env("TOKHAI_NATIONAL_DATA_URL").filter(|v| !v.is_empty()) {
            c.national_data = Some(HttpConnectorConfig::new(&url));
        }
        if let Some(token) = env("TOKHAI_NATIONAL_DATA_TOKEN").filter(|v| !v.is_empty()) {
            match c.national_data.as_mut() {
                Some(n) => n.bearer_token = Some(token),
                None => {
                    return Err(ConfigError::Value {
                        name: "TOKHAI_NATIONAL_DATA_TOKEN",
                        message: "set TOKHAI_NATIONAL_DATA_URL (or [national_data]) too".into(),
                    })
                }
            }
        }
        if let Some(issuer) = env("TOKHAI_OIDC_ISSUER").filter(|v| !v.is_empty()) {
            let required = |name: &'static str| {
                env(name).filter(|v| !v.is_empty()).ok_or(ConfigError::Value {
                    name,
                    message: "required when TOKHAI_OIDC_ISSUER is set".into(),
                })
            };
            c.oidc = Some(OidcConfig {
                issuer,
                client_id: required("TOKHAI_OIDC_CLIENT_ID")?,
                client_secret: env("TOKHAI_OIDC_CLIENT_SECRET").filter(|v| !v.is_empty()),
                redirect_url: required("TOKHAI_OIDC_REDIRECT_URL")?,
            });
        }
        c.check()?;
        Ok(c)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if let Some(url) = &self.database_url {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://") || url.starts_with("sqlite:")) {
                return Err(ConfigError::Value {
                    name: "DATABASE_URL",
                    message: format!(
                        "must start with postgres://, postgresql:// or sqlite:, got {:?}",
                        scheme(url)
                    ),
                });
            }
        }
        if let Some(n) = &self.national_data {
            if !(n.base_url.starts_with("http://") || n.base_url.starts_with("https://")) {
                return Err(ConfigError::Value {
                    name: "national_data.base_url",
                    message: format!("must be an http:// or https:// URL, got {:?}", n.base_url),
                });
            }
        }
        let lifetimes = [self.prefill_ttl_secs, self.session_ttl_secs, self.upload_retention_secs];
        if lifetimes.into_iter().any(|secs| secs <= 0) || self.client_timeout_secs == 0 || self.body_timeout_secs == 0 {
            return Err(ConfigError::Value {
                name: "prefill_ttl_secs/session_ttl_secs/upload_retention_secs/client_timeout_secs/body_timeout_secs",
                message: "lifetimes and the client and body timeouts must be positive".into(),
            });
        }
        if self.max_body_bytes < 1024 || self.max_upload_bytes < 1024 || self.max_fields == 0 || self.target_secs == 0 {
            return Err(ConfigError::Value {
                name: "max_body_bytes/max_upload_bytes/max_fields/target_secs",
                message:
                    "the body and upload limits are at least 1024 bytes; the field limit and the target are positive"
                        .into(),
            });
        }
        if self.oidc.as_ref().is_some_and(|o| {
            o.redirect_url
                .get(..8)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
        }) && !self.secure_cookies
        {
            // The portal is reached over HTTPS: a session cookie without `Secure` would also be sent over
            // plain HTTP, where anyone on the network reads it.
            return Err(ConfigError::Value {
                name: "secure_cookies",
                message: "the OIDC redirect URL is https://: set secure_cookies = true (TOKHAI_SECURE_COOKIES=true)"
                    .into(),
            });
        }
        if !(1..=Semaphore::MAX_PERMITS).contains(&self.max_connections) {
            return Err(ConfigError::Value {
                name: "max_connections",
                message: format!("must be between 1 and {}", Semaphore::MAX_PERMITS),
            });
        }
        if self.rate_per_minute > 0 && self.rate_burst == 0 {
            return Err(ConfigError::Value {
                name: "rate_burst",
                message: "must be positive when rate_per_minute is set".into(),
            });
        }
        Ok(())
    }

    /// The trusted proxies and the header they write, from which a client's address is read.
    pub fn proxies(&self) -> (&[IpNet], ForwardedHeader) {
        (&self.trusted_proxies, self.forwarded_header)
    }

    /// Reads the real process environment.
    pub fn from_process(file: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load(file, &|name| std::env::var(name).ok())
    }
}

fn read_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.to_owned(),
        message: e.to_string(),
    })
}

fn parse_addr(name: &'static str, value: &str) -> Result<SocketAddr, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Value {
        name,
        message: format!("expected an address such as 127.0.0.1:8080 (port 0 picks a free port), got {value:?}"),
    })
}

fn number<T: std::str::FromStr>(
    env: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    default: T,
) -> Result<T, ConfigError> {
    match env(name).filter(|v| !v.trim().is_empty()) {
        None => Ok(default),
        Some(v) => v.trim().parse().map_err(|_| ConfigError::Value {
            name,
            message: format!("expected a whole number, got {v:?}"),
        }),
    }
}

/// IP addresses and CIDR ranges, such as `10.0.0.1`, `10.0.0.0/8` or `fd00::/8`.
fn parse_proxies<'a>(name: &'static str, entries: impl Iterator<Item = &'a str>) -> Result<Vec<IpNet>, ConfigError> {
    entries
        .map(|entry| {
            let entry = entry.trim();
            (entry.parse().or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))).map_err(|_| ConfigError::Value {
                name,
                message: format!("expected IP addresses or CIDR ranges such as 10.0.0.1 or 10.0.0.0/8, got {entry:?}"),
            })
        })
        .collect()
}

/// The forwarding header named `value` (under the setting `name`).
fn forwarded_header(name: &'static str, value: &str) -> Result<ForwardedHeader, ConfigError> {
    ForwardedHeader::named(value).ok_or_else(|| ConfigError::Value {
        name,
        message: format!("expected X-Forwarded-For or Forwarded, got {value:?}"),
    })
}

/// The officials of the file, their names cleaned and checked (1 to 200 characters, each once), their
/// tokens as bearer tokens, each an official's own.
fn officials(listed: Vec<Official>) -> Result<Vec<Official>, ConfigError> {
    let refused = |message: String| ConfigError::Value {
        name: "officials",
        message,
    };
    let mut officials: Vec<Official> = Vec::with_capacity(listed.len());
    for (i, o) in listed.into_iter().enumerate() {
        let name = clean_line(&o.name);
        if name.is_empty() || char_len(&name) > MAX_OFFICIAL {
            return Err(refused(format!(
                "officials[{i}].name must have 1 to {MAX_OFFICIAL} characters"
            )));
        }
        let token = bearer_token("officials", Some(o.token))?
            .ok_or_else(|| refused(format!("officials[{i}].token is empty")))?;
        if officials.iter().any(|known| known.name == name || known.token == token) {
            return Err(refused(format!(
                "officials[{i}] repeats the name or token of an earlier official"
            )));
        }
        officials.push(Official { name, token });
    }
    Ok(officials)
}

/// A bearer token as set under `name` (none when empty), refused under 16 characters.
fn bearer_token(name: &'static str, token: Option<String>) -> Result<Option<String>, ConfigError> {
    match token.filter(|t| !t.is_empty()) {
        Some(t) if t.len() < 16 => Err(ConfigError::Value {
            name,
            message: "a bearer token needs at least 16 characters".into(),
        }),
        token => Ok(token),
    }
}

fn parse_bool(name: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "" | "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Value {
            name,
            message: format!("expected 1/0, true/false, yes/no or on/off, got {value:?}"),
        }),
    }
}

/// The URL's scheme only, so that a password in the URL never reaches an error message.
fn scheme(url: &str) -> &str {
    url.split(':').next().unwrap_or_default()
}

/// `<repo>/../shared/data/admin-units/units-2025.json`, the repository being where this crate was built.
fn default_units() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/admin-units/units-2025.json")
}

fn shared_units(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    env("TOKHAI_SHARED")
        .filter(|v| !v.is_empty())
        .map(|s| Path::new(&s).join("data/admin-units/units-2025.json"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    /// Why the configuration with only the variable `name` set to `value` is refused.
    fn refusal(name: &str, value: &str) -> String {
        Config::load(None, &env_of(&[(name, value)])).unwrap_err().to_string()
    }

    #[test]
    fn environment_overrides_defaults() {
        let env = env_of(&[
            ("TOKHAI_ADDR", "127.0.0.1:0"),
            ("TOKHAI_DEV_LOGIN", "1"),
            ("TOKHAI_DATA_DIR", "/tmp/x"),
        ]);
        let c = Config::load(None, &env).unwrap();
        assert_eq!(c.addr.port(), 0);
        assert!(c.dev_login);
        assert_eq!(c.data_dir, PathBuf::from("/tmp/x"));
        assert!(c.units.ends_with("units-2025.json"));
    }

    #[test]
    fn bad_values_are_named_and_hide_passwords() {
        let err = refusal("TOKHAI_ADDR", "here");
        assert!(err.starts_with("TOKHAI_ADDR:"), "{err}");
        let err = refusal("DATABASE_URL", "mysql://u:secret@h/db");
        assert!(err.contains("DATABASE_URL") && !err.contains("secret"), "{err}");
        let err = refusal("TOKHAI_RATE_PER_MINUTE", "lots");
        assert!(err.starts_with("TOKHAI_RATE_PER_MINUTE:"), "{err}");
        let err = refusal("TOKHAI_OFFICIALS_TOKEN", "short");
        assert!(
            err.starts_with("TOKHAI_OFFICIALS_TOKEN:") && err.contains("16"),
            "{err}"
        );
        let shared = "one-token-0123456789";
        let err = Config::load(
            None,
            &env_of(&[("TOKHAI_QA_TOKEN", shared), ("TOKHAI_OFFICIALS_TOKEN", shared)]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("TOKHAI_OFFICIALS_TOKEN:"), "{err}");
        let err = refusal("TOKHAI_MAX_BODY_BYTES", "10");
        assert!(err.contains("max_body_bytes"), "{err}");
        let err = refusal("TOKHAI_CLIENT_TIMEOUT_SECS", "0");
        assert!(err.contains("client_timeout_secs"), "no timeout is no option: {err}");
        let err = refusal("TOKHAI_BODY_TIMEOUT_SECS", "0");
        assert!(err.contains("body_timeout_secs"), "no deadline is no option: {err}");
        let err = refusal("TOKHAI_MAX_CONNECTIONS", "0");
        assert!(err.starts_with("max_connections:"), "{err}");
        let err = refusal("TOKHAI_DEV_LOGIN", "maybe");
        assert!(err.contains("TOKHAI_DEV_LOGIN"), "{err}");
        let err = refusal("TOKHAI_OIDC_ISSUER", "http://127.0.0.1:9");
        assert!(err.starts_with("TOKHAI_OIDC_CLIENT_ID:"), "{err}");
        // A portal logged into over HTTPS keeps its session cookie off plain HTTP.
        let oidc = |redirect, secure| {
            Config::load(
                None,
                &env_of(&[
                    ("TOKHAI_OIDC_ISSUER", "https://id.example.vn"),
                    ("TOKHAI_OIDC_CLIENT_ID", "portal"),
                    ("TOKHAI_OIDC_REDIRECT_URL", redirect),
                    ("TOKHAI_SECURE_COOKIES", secure),
                ]),
            )
        };
        let err = oidc("HTTPS://dvc.example.vn/auth/oidc/callback", "false")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("secure_cookies:"), "{err}");
        assert!(oidc("https://dvc.example.vn/auth/oidc/callback", "true").is_ok());
        assert!(oidc("http://127.0.0.1:8080/auth/oidc/callback", "false").is_ok());
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let env = env_of(&[("TOKHAI_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16,fd00::/8, ::1")]);
        let c = Config::load(None, &env).unwrap();
        let shown: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["10.0.0.1/32", "192.168.0.0/16", "fd00::/8", "::1/128"]);
        assert!(
            Config::defaults().trusted_proxies.is_empty(),
            "no proxy is trusted unless named"
        );
        for (list, bad) in [
            ("10.0.0.0/33", "10.0.0.0/33"),
            ("10.0.0.1, proxy.local", "proxy.local"),
            ("10.0.0.1,,10.0.0.2", "\"\""),
            ("10.0.0.1:80", "10.0.0.1:80"),
            ("fd00::/8/8", "fd00::/8/8"),
        ] {
            let err = refusal("TOKHAI_TRUSTED_PROXIES", list);
            assert!(err.starts_with("TOKHAI_TRUSTED_PROXIES:") && err.contains(bad), "{err}");
        }
        // The header they name clients in: X-Forwarded-For unless set to RFC 7239's Forwarded.
        assert_eq!(Config::defaults().forwarded_header, ForwardedHeader::XForwardedFor);
        let c = Config::load(None, &env_of(&[("TOKHAI_FORWARDED_HEADER", "Forwarded")])).unwrap();
        assert_eq!(c.proxies().1, ForwardedHeader::Forwarded);
        let err = refusal("TOKHAI_FORWARDED_HEADER", "X-Real-IP");
        assert!(
            err.starts_with("TOKHAI_FORWARDED_HEADER:") && err.contains("X-Real-IP"),
            "{err}"
        );
    }

    #[test]
    fn file_is_read_and_unknown_keys_are_refused() {
        let dir = std::env::temp_dir().join(format!("tokhai-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(
            &good,
            "addr = \"127.0.0.1:9999\"\nregistry_size = 50\ntrusted_proxies = [\"10.0.0.0/8\", \"fd00::1\"]\n\
             forwarded_header = \"forwarded\"\nofficials_token = \"officials-0123456789\"\n\
             [national_data]\nbase_url = \"http://127.0.0.1:1\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&good), &env_of(&[])).unwrap();
        assert_eq!((c.addr.port(), c.registry_size), (9999, 50));
        assert_eq!(c.trusted_proxies.len(), 2);
        assert_eq!(c.forwarded_header, ForwardedHeader::Forwarded);
        assert_eq!(c.officials_token.as_deref(), Some("officials-0123456789"));
        assert_eq!(c.national_data.unwrap().retries, 2);
        let proxies = dir.join("proxies.toml");
        std::fs::write(&proxies, "trusted_proxies = [\"10.0.0.1\", \"fd00::/129\"]\n").unwrap();
        let err = Config::load(Some(&proxies), &env_of(&[])).unwrap_err().to_string();
        assert!(
            err.starts_with("trusted_proxies:") && err.contains("fd00::/129"),
            "{err}"
        );
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "adr = \"x\"\n").unwrap();
        let err = Config::load(Some(&bad), &env_of(&[])).unwrap_err().to_string();
        assert!(err.contains("bad.toml") && err.contains("adr"), "{err}");
        // A bad token of the file is named by its key, not by the variable that would have set it.
        for (toml, key) in [
            ("officials_token = \"short\"\n", "officials_token:"),
            ("qa_token = \"short\"\n", "qa_token:"),
            (
                "qa_token = \"one-token-0123456789\"\nofficials_token = \"one-token-0123456789\"\n",
                "officials_token:",
            ),
            ("[[officials]]\nname = \"Lan\"\ntoken = \"short\"\n", "officials:"),
            (
                "[[officials]]\nname = \" \"\ntoken = \"lan-token-0123456789\"\n",
                "officials:",
            ),
            ("[[officials]]\nname = \"Lan\"\n", "configuration file"),
            (
                "[[officials]]\nname = \"Lan\"\ntoken = \"lan-token-0123456789\"\n\
                 [[officials]]\nname = \"Bình\"\ntoken = \"lan-token-0123456789\"\n",
                "officials:",
            ),
            (
                "officials_token = \"one-token-0123456789\"\n\
                 [[officials]]\nname = \"Lan\"\ntoken = \"one-token-0123456789\"\n",
                "officials:",
            ),
        ] {
            let tokens = dir.join("tokens.toml");
            std::fs::write(&tokens, toml).unwrap();
            let err = Config::load(Some(&tokens), &env_of(&[])).unwrap_err().to_string();
            assert!(err.starts_with(key), "{toml}: {err}");
        }
        // Officials with tokens of their own, their names cleaned.
        let own = dir.join("own.toml");
        std::fs::write(
            &own,
            "[[officials]]\nname = \"  Nguyễn  Thị Lan \"\ntoken = \"lan-token-0123456789\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&own), &env_of(&[])).unwrap();
        assert_eq!(c.officials[0].name, "Nguyễn Thị Lan");
        let missing = Config::load(Some(&dir.join("none.toml")), &env_of(&[]))
            .unwrap_err()
            .to_string();
        assert!(missing.contains("none.toml"), "{missing}");
        // Office hours: read from the file, or refused with the file and the reason.
        let office = dir.join("office.toml");
        std::fs::write(&office, "[office_hours]\nhours = [\"07:30-11:30\", \"13:30-17:00\"]\n").unwrap();
        let c = Config::load(Some(&office), &env_of(&[])).unwrap();
        assert_eq!(c.office_hours.day_ms(), 27_000_000);
        assert_eq!(Config::defaults().office_hours.day_ms(), 28_800_000);
        std::fs::write(&office, "[office_hours]\nholidays = [\"2/9\"]\n").unwrap();
        let err = Config::load(Some(&office), &env_of(&[])).unwrap_err().to_string();
        assert!(
            err.contains("office.toml") && err.contains("holidays: \"2/9\" is not a date"),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
