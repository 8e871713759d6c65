//! A bounded load benchmark of submission intake on loopback (a benchmark, not a test).
//!
//! Starts the server in-process with a temporary data directory (SQLite, or `DATABASE_URL`), logs
//! `--clients` synthetic citizens in through the development login, prefills CT01 for each, completes
//! it, and sends `--n` valid submissions in all (each fully re-validated, its bundle's signature
//! checked), replaying 1% of them. Prints throughput, latency percentiles and a check that each
//! submission is stored exactly once.
//!
//! ```sh
//! cargo run --release -p tokhai-server --example load -- --n 10000 --clients 50
//! ```

use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use tokhai_core::submission::values_digest;
use tokhai_core::timing::percentile;
use tokhai_core::Session;
use tokhai_server::config::Config;
use tokhai_server::{now_ms, Running};

/// Where the idempotency key goes in a client's body (as long as the keys it stands for).
const KEY_SLOT: &str = "KEY-SLOT-0000000000000000000";

/// Every how many submissions one is sent twice.
const REPLAY_EVERY: usize = 100;

struct Args {
    n: usize,
    clients: usize,
}

fn args() -> Result<Args, String> {
    let mut a = Args { n: 10_000, clients: 50 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number: usize = value.parse().map_err(|_| format!("{flag}: not a number: {value}"))?;
        match flag.as_str() {
            "--n" => a.n = number,
            "--clients" => a.clients = number,
            _ => return Err(format!("unknown option {flag} (use --n N --clients C)")),
        }
    }
    if a.clients == 0 || a.n < a.clients {
        return Err("need --clients ≥ 1 and --n ≥ --clients".into());
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("load: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("load: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("load: {e}");
            ExitCode::FAILURE
        }
    }
}

fn config() -> Config {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = std::env::temp_dir().join(format!("tokhai-load-{}", std::process::id()));
    let mut c = Config::defaults();
    c.addr = "127.0.0.1:0".parse().expect("a loopback address");
    c.data_dir = dir.join("data");
    c.www = repo.join("www");
    c.pkg = repo.join("pkg");
    c.forms = repo.join("www/forms");
    c.dev_login = true;
    c.database_url = std::env::var("DATABASE_URL").ok().filter(|u| !u.is_empty());
    // The limiter stays on the path, set high enough for 50 clients sending as fast as they can.
    c.rate_per_minute = 100_000_000;
    c.rate_burst = 1_000_000;
    c
}

/// A logged-in client and the CT01 submission it files, completed after the prefill.
struct Citizen {
    http: reqwest::Client,
    cookie: String,
    submission: Value,
    /// The submission as sent, with `KEY_SLOT` for the key.
    body: String,
}

async fn citizen(running: &Running, base: &str, pin: &str) -> Result<Citizen, String> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .build()
        .map_err(|e| e.to_string())?;
    let r = http
        .post(format!("{base}/api/dev/login"))
        .json(&json!({ "pin": pin }))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').next())
        .ok_or("no session cookie")?
        .to_owned();
    let bundle: Value = http
        .get(format!("{base}/api/prefill/ct01"))
        .header("cookie", &cookie)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let state = &running.state;
    let form = state.form("ct01").ok_or("the ct01 form is not loaded")?.clone();
    let mut values = serde_json::Map::new();
    for (k, v) in bundle["values"].as_object().ok_or("no prefill values")? {
        values.insert(k.clone(), v["value"].clone());
    }
    let address = values.get("current_address").cloned().unwrap_or(Value::Null);
    values.insert("authority_province".into(), address["province"].clone());
    values.insert("authority_commune".into(), address["commune"].clone());
    if values.get("phone").is_none_or(Value::is_null) {
        values.insert("phone".into(), json!("0912345678"));
    }
    values.insert("request_type".into(), json!("dieu_chinh"));
    values.insert(
        "request_detail".into(),
        json!("Điều chỉnh thông tin về cư trú theo giấy tờ mới được cấp"),
    );
    values.insert("declaration".into(), json!(true));
    let today = tokhai_core::Date::in_viet_nam(now_ms());
    let mut session = Session::new(form.clone(), state.catalogs.clone(), today).map_err(|e| e.to_string())?;
    session.load(&Value::Object(values));
    session.validate_all();
    let errors: Vec<_> = session.issues().into_iter().filter(|i| i.is_error()).collect();
    if !errors.is_empty() {
        return Err(format!("the completed CT01 is not valid: {errors:?}"));
    }
    let submission = session.submission(KEY_SLOT, Some(bundle), Vec::new());
    let body = serde_json::to_string(&submission).map_err(|e| e.to_string())?;
    let submission = serde_json::to_value(submission).map_err(|e| e.to_string())?;
    Ok(Citizen {
        http,
        cookie,
        submission,
        body,
    })
}

/// What one client measured.
#[derive(Default)]
struct Tally {
    latencies: Vec<f64>,
    accepted: Vec<String>,
    replays_ok: usize,
    failures: Vec<String>,
}

async fn file(c: Citizen, url: String, client: usize, count: usize, run: u128) -> Tally {
    let mut t = Tally::default();
    for i in 0..count {
        // Only the key changes between submissions: the body is written once, the key put in each time.
        let bytes = c.body.replace(KEY_SLOT, &format!("load-{run}-{client:03}-{i:06}"));
        let sends = if (client * count + i).is_multiple_of(REPLAY_EVERY) {
            2
        } else {
            1
        };
        let mut first_id = None;
        for attempt in 0..sends {
            let started = Instant::now();
            let sent = c
                .http
                .post(&url)
                .header("cookie", &c.cookie)
                .header("content-type", "application/json")
                .body(bytes.clone())
                .send()
                .await;
            let answer = match sent {
                Ok(r) => (r.status().as_u16(), r.json::<Value>().await.unwrap_or(Value::Null)),
                Err(e) => {
                    t.failures.push(e.to_string());
                    continue;
                }
            };
            t.latencies.push(started.elapsed().as_secs_f64() * 1000.0);
            let id = answer.1["receipt"]["id"].as_str().map(str::to_owned);
            match (attempt, answer.0, id) {
                (0, 201, Some(id)) => {
                    first_id = Some(id.clone());
                    t.accepted.push(id);
                }
                (1, 200, Some(id)) if Some(&id) == first_id.as_ref() => t.replays_ok += 1,
                (_, status, _) => t.failures.push(format!("HTTP {status}: {}", answer.1)),
            }
        }
    }
    t
}

async fn run(args: Args) -> Result<(), String> {
    let c = config();
    let engine = if c.database_url.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let data_dir = c.data_dir.clone();
    let running = tokhai_server::start(c).await.map_err(|e| e.to_string())?;
    let base = format!("http://{}", running.addr);
    let today = tokhai_core::Date::in_viet_nam(now_ms());
    let adults: Vec<String> = tokhai_server::registry::list(&running.state.db, "", 1_000)
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|c| c.birth_year <= i64::from(today.year) - 18)
        .map(|c| c.pin)
        .take(args.clients)
        .collect();
    if adults.len() < args.clients {
        return Err(format!("only {} adult citizens in the registry", adults.len()));
    }
    let mut citizens = Vec::with_capacity(args.clients);
    for pin in &adults {
        citizens.push(citizen(&running, &base, pin).await?);
    }
    let sample = &citizens[0].submission;
    println!(
        "load: {} submissions of CT01 from {} clients on {engine} ({} values, {} bytes each, 1 in {REPLAY_EVERY} replayed)",
        args.n,
        args.clients,
        sample["values"].as_object().map_or(0, |v| v.len()),
        sample.to_string().len()
    );
    if sample["digest"] != json!(values_digest(&sample["values"])) {
        return Err("the session's digest does not match its values".into());
    }

    let url = format!("{base}/api/submissions");
    let run_id = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let started = Instant::now();
    let tasks: Vec<_> = citizens
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let count = args.n / args.clients + usize::from(i < args.n % args.clients);
            tokio::spawn(file(c, url.clone(), i, count, run_id))
        })
        .collect();
    let mut all = Tally::default();
    for task in tasks {
        let t = task.await.map_err(|e| e.to_string())?;
        all.latencies.extend(t.latencies);
        all.accepted.extend(t.accepted);
        all.replays_ok += t.replays_ok;
        all.failures.extend(t.failures);
    }
    let elapsed = started.elapsed();
    report(&running, &mut all, elapsed, args.n, run_id).await?;
    running.task.abort();
    running.state.db.close().await;
    let _ = std::fs::remove_dir_all(data_dir.parent().unwrap_or(&data_dir));
    if all.failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} failures, first: {}", all.failures.len(), all.failures[0]))
    }
}

async fn report(running: &Running, all: &mut Tally, elapsed: Duration, n: usize, run: u128) -> Result<(), String> {
    all.latencies.sort_by(f64::total_cmp);
    let requests = all.latencies.len();
    let secs = elapsed.as_secs_f64();
    let p = |q: f64| percentile(&all.latencies, q).unwrap_or(f64::NAN);
    println!(
        "load: {} accepted + {} replays in {secs:.2} s: {:.0} submissions/s ({:.0} requests/s)",
        all.accepted.len(),
        all.replays_ok,
        all.accepted.len() as f64 / secs,
        requests as f64 / secs
    );
    println!(
        "load: latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        p(0.5),
        p(0.99),
        p(1.0)
    );
    let (rows, keys): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT idempotency_key) FROM submissions WHERE idempotency_key LIKE $1",
    )
    .bind(format!("load-{run}-%"))
    .fetch_one(&running.state.db)
    .await
    .map_err(|e| e.to_string())?;
    let mut ids = all.accepted.clone();
    ids.sort();
    ids.dedup();
    let exact = rows as usize == n && keys as usize == n && ids.len() == n;
    println!(
        "load: stored exactly once: {} ({rows} dossiers, {keys} distinct keys, {} distinct receipts for {n} submissions; {} replays answered with the original receipt)",
        if exact { "yes" } else { "NO" },
        ids.len(),
        all.replays_ok
    );
    if !exact {
        return Err("the count check failed".into());
    }
    Ok(())
}
