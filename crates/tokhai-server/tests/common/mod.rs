//! Shared harness of the server's integration tests: a server on a loopback port with a fresh data directory.

#![allow(dead_code)]

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use tokhai_server::config::Config;
use tokhai_server::Running;
use tokio::sync::{Mutex, MutexGuard};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A fresh, empty directory of this test process under Cargo's directory for integration tests' data
/// (in the target directory, not the system's temporary one). The first one made also removes those of
/// earlier test processes that have exited (where `/proc` tells): runs do not pile up, nor does one
/// run remove another's, live, on the same target directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    if n == 0 {
        remove_exited(&root);
    }
    let dir = root.join(format!("it-{}-{name}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("www")).expect("temp dir");
    std::fs::write(
        dir.join("www/index.html"),
        "<!doctype html><title>Cổng thử nghiệm</title>",
    )
    .expect("index");
    std::fs::create_dir_all(dir.join("pkg")).expect("pkg dir");
    std::fs::write(dir.join("pkg/index.js"), "export const widget = 1;").expect("pkg file");
    dir
}

/// Removes the `it-<pid>-…` directories of test processes that no longer run (none where `/proc` is absent).
fn remove_exited(root: &Path) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let pid = name.strip_prefix("it-").and_then(|rest| rest.split('-').next());
        if pid.is_some_and(|pid| !Path::new("/proc").join(pid).exists()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A configuration for tests: loopback port 0, a small registry, the test forms, development login on.
pub fn config(name: &str) -> Config {
    let dir = temp_dir(name);
    let mut c = Config::defaults();
    c.addr = "127.0.0.1:0".parse().expect("addr");
    c.data_dir = dir.join("data");
    c.www = dir.join("www");
    c.pkg = dir.join("pkg");
    c.forms = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/forms");
    c.dev_login = true;
    c.registry_size = 300;
    // Tests send many requests as one citizen; the rate limit has a test of its own.
    c.rate_per_minute = 0;
    c
}

/// The tests of a file run at once, and share the PostgreSQL database: one at a time holds it.
static POSTGRES: Mutex<()> = Mutex::const_new(());

/// The PostgreSQL URL for tests with the database held until the guard drops, or `None` with the reason printed.
pub async fn postgres() -> Option<(String, MutexGuard<'static, ()>)> {
    match std::env::var("TOKHAI_TEST_PG").ok().filter(|v| !v.is_empty()) {
        Some(url) => Some((url, POSTGRES.lock().await)),
        None => {
            // Written past the test harness's capture so that the reason shows in every run.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: PostgreSQL test not run: set TOKHAI_TEST_PG=postgres://… (crates/tokhai-server/scripts/test-postgres.sh starts one)"
            );
            None
        }
    }
}

/// A client that keeps the session cookie by hand and never follows redirects.
pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub cookie: Option<String>,
}

impl Client {
    pub fn new(running: &Running) -> Client {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Client {
            base: format!("http://{}", running.addr),
            http,
            cookie: None,
        }
    }

    pub fn with_cookie(&self, rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.cookie {
            Some(c) => rb.header("cookie", c),
            None => rb,
        }
    }

    /// POSTs JSON as this client in a task of its own: requests sent at the same moment.
    pub fn post_soon(&self, path: &str, body: &Value) -> tokio::task::JoinHandle<(u16, Value)> {
        let request = self
            .with_cookie(self.http.post(format!("{}{path}", self.base)))
            .json(body);
        tokio::spawn(async move {
            let r = request.send().await.expect("POST");
            (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
        })
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let r = self
            .with_cookie(self.http.get(format!("{}{path}", self.base)))
            .send()
            .await
            .expect("GET");
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self
            .with_cookie(self.http.get(format!("{}{path}", self.base)))
            .send()
            .await
            .expect("GET");
        (r.status().as_u16(), r.text().await.unwrap_or_default())
    }

    pub async fn post(&mut self, path: &str, body: &Value) -> (u16, Value) {
        let r = self
            .with_cookie(self.http.post(format!("{}{path}", self.base)))
            .json(body)
            .send()
            .await
            .expect("POST");
        self.keep_cookie(&r);
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Posts a raw body with a content type; answers the status, the JSON body and the headers.
    pub async fn post_raw(
        &self,
        path: &str,
        body: impl Into<reqwest::Body>,
        content_type: &str,
    ) -> (u16, Value, reqwest::header::HeaderMap) {
        let r = self
            .with_cookie(self.http.post(format!("{}{path}", self.base)))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .expect("POST");
        let (status, headers) = (r.status().as_u16(), r.headers().clone());
        (status, r.json().await.unwrap_or(Value::Null), headers)
    }

    pub fn keep_cookie(&mut self, r: &reqwest::Response) {
        if let Some(c) = r.headers().get("set-cookie").and_then(|v| v.to_str().ok()) {
            self.cookie = c.split(';').next().map(str::to_owned);
        }
    }

    /// Logs in through the development login as the first synthetic citizen; returns the PIN.
    pub async fn dev_login(&mut self) -> String {
        let (status, list) = self.get("/api/dev/citizens?limit=1").await;
        assert_eq!(status, 200, "{list}");
        let pin = list["citizens"][0]["pin"].as_str().expect("a citizen").to_owned();
        let (status, me) = self.post("/api/dev/login", &serde_json::json!({"pin": pin})).await;
        assert_eq!(status, 200, "{me}");
        pin
    }
}

/// A complete submission (the core's shape) of values for a form of the running server, with a fresh key.
pub fn submission(running: &Running, form_id: &str, values: &Value, prefill: Option<&Value>) -> Value {
    let form = running.state.form(form_id).expect("a form of the server");
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let mut s = serde_json::json!({
        "form_id": form_id,
        "form_version": form.version(),
        "ruleset_hash": form.ruleset_hash(),
        "values": values,
        "digest": tokhai_core::submission::values_digest(values),
        "idempotency_key": format!("test-{}-{n:012}", std::process::id()),
    });
    if let Some(p) = prefill {
        s["prefill"] = p.clone();
    }
    s
}

/// The submission values a citizen sends when accepting every prefilled value and adding the rest.
pub fn values_from(bundle: &Value) -> Value {
    let mut values = serde_json::Map::new();
    for (k, v) in bundle["values"].as_object().expect("values") {
        values.insert(k.clone(), v["value"].clone());
    }
    values.insert(
        "reason".into(),
        Value::String("Xin cấp giấy xác nhận thông tin cư trú".into()),
    );
    Value::Object(values)
}

/// Uploads `bytes` as a file named `name` of `media_type` to a field of the demo form.
pub async fn upload(client: &Client, field: &str, name: &str, media_type: &str, bytes: &[u8]) -> (u16, Value) {
    let query = serde_urlencoded::to_string([("name", name)]).unwrap();
    let (status, body, _) = client
        .post_raw(
            &format!("/api/uploads/demo/{field}?{query}"),
            bytes.to_vec(),
            media_type,
        )
        .await;
    (status, body)
}

/// The metadata a widget sends for an upload's answer.
pub fn attached(answer: &Value) -> Value {
    serde_json::json!({"name": answer["name"], "size": answer["size"], "type": answer["type"], "upload": answer["upload"]})
}
