//! Reference portal back end of tokhai: `tokhai-server serve [--config tokhai.toml]`.

use std::path::PathBuf;
use std::process::ExitCode;
use tokhai_server::config::Config;

const USAGE: &str = "usage: tokhai-server serve [--config FILE]

Environment: TOKHAI_ADDR (127.0.0.1:8080; port 0 picks a free port), TOKHAI_DATA_DIR (data),
DATABASE_URL (postgres://… for PostgreSQL; SQLite in the data directory otherwise), TOKHAI_UNITS,
TOKHAI_SHARED, TOKHAI_WWW (www), TOKHAI_PKG (pkg), TOKHAI_FORMS (www/forms), TOKHAI_DEV_LOGIN (0/1),
TOKHAI_SECURE_COOKIES (0/1; 1 where the portal is served over HTTPS),
TOKHAI_SIGNING_KEY (base64 Ed25519 seed file), TOKHAI_SUBJECT_KEY (base64 32-byte key file),
TOKHAI_REGISTRY_SIZE (10000),
TOKHAI_NATIONAL_DATA_URL with TOKHAI_NATIONAL_DATA_TOKEN,
TOKHAI_OIDC_ISSUER with TOKHAI_OIDC_CLIENT_ID, TOKHAI_OIDC_CLIENT_SECRET, TOKHAI_OIDC_REDIRECT_URL,
TOKHAI_MAX_BODY_BYTES (262144), TOKHAI_MAX_UPLOAD_BYTES (10485760), TOKHAI_MAX_PENDING_UPLOAD_BYTES (104857600),
TOKHAI_UPLOAD_RETENTION_SECS (604800), TOKHAI_CLIENT_TIMEOUT_SECS (30), TOKHAI_BODY_TIMEOUT_SECS (300),
TOKHAI_MAX_CONNECTIONS (1024), TOKHAI_MAX_FIELDS (2000), TOKHAI_RATE_PER_MINUTE (60; 0 = off), TOKHAI_RATE_BURST (20),
TOKHAI_TRUSTED_PROXIES (the reverse proxies in front: addresses or CIDR ranges, comma-separated),
TOKHAI_FORWARDED_HEADER (X-Forwarded-For, or Forwarded: the header those proxies write),
TOKHAI_TARGET_SECS (300), TOKHAI_QA_TOKEN and TOKHAI_OFFICIALS_TOKEN (bearer tokens of 16 characters or more;
without the officials' token or officials with tokens of their own, [[officials]] in the file, there is no
officials' API), RUST_LOG (info). The file alone sets [office_hours]: the working days, hours and
holidays officials' processing time is counted in (Monday to Friday, 08:00-12:00 and 13:00-17:00).";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config_file = match args.as_slice() {
        [cmd] if cmd == "serve" => None,
        [cmd, flag, file] if cmd == "serve" && flag == "--config" => Some(PathBuf::from(file)),
        [cmd] if cmd == "--help" || cmd == "-h" || cmd == "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let config = match Config::from_process(config_file.as_deref()) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    runtime.block_on(async {
        let running = match tokhai_server::start(config).await {
            Ok(r) => r,
            Err(e) => return fail(&e),
        };
        println!("tokhai: listening on http://{}", running.addr);
        tokio::select! {
            result = running.task => match result {
                Ok(Ok(())) => ExitCode::SUCCESS,
                Ok(Err(e)) => fail(&e),
                Err(e) => fail(&e),
            },
            _ = tokio::signal::ctrl_c() => ExitCode::SUCCESS,
        }
    })
}

fn fail(e: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("tokhai: error: {e}");
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    /// Every `TOKHAI_*` variable the configuration reads is in the usage.
    #[test]
    fn the_usage_names_every_variable() {
        let variables = include_str!("config.rs")
            .split('"')
            .filter(|s| s.starts_with("TOKHAI_") && s.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
        let missing: Vec<&str> = variables.filter(|v| !super::USAGE.contains(v)).collect();
        assert!(missing.is_empty(), "not in the usage: {missing:?}");
    }
}
