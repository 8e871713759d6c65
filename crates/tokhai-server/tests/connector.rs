//! The HTTP national-data connector against a local stub that answers well, slowly, with 5xx, with
//! malformed bodies, or not at all: the form stays usable and nothing panics.

mod common;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use common::{config, submission, values_from, Client};
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokhai_server::config::HttpConnectorConfig;
use tokhai_server::connector::{Connector, ConnectorError, HttpConnector};

#[derive(Default)]
struct Hits {
    count: AtomicU32,
    flaky_failed: AtomicBool,
    /// The lookups of the `family` mode being answered now, and the most there were at once.
    in_flight: AtomicU32,
    most_in_flight: AtomicU32,
    /// The last PIN the `family` mode was asked for that is none of the relatives'.
    citizen: std::sync::Mutex<String>,
}

/// The `family` mode's father, mother and spouse (any other PIN is the citizen, born in 1992).
const FATHER: &str = "001060000001";
const MOTHER: &str = "001165000002";
const SPOUSE: &str = "001192000123";

/// A record of the `family` mode: the citizen names their father, mother and spouse, and the spouse
/// names `citizen` back.
fn family_record(pin: &str, citizen: &str) -> serde_json::Value {
    let person = |name: &str, pin: &str| json!({"HoVaTen": name, "SoDinhDanh": pin});
    match pin {
        FATHER => {
            json!({"SoDinhDanh": pin, "HoVaTen": "NGUYỄN VĂN BA", "GioiTinh": "1", "NgayThangNamSinh": "19600101"})
        }
        MOTHER => {
            json!({"SoDinhDanh": pin, "HoVaTen": "TRẦN THỊ MAI", "GioiTinh": "2", "NgayThangNamSinh": "19650000"})
        }
        SPOUSE => json!({"SoDinhDanh": pin, "HoVaTen": "LÊ THỊ HOA", "GioiTinh": "2", "NgayThangNamSinh": "19920304",
                         "VoChong": person("NGUYỄN VĂN AN", citizen)}),
        _ => json!({"SoDinhDanh": pin, "HoVaTen": "NGUYỄN VĂN AN", "GioiTinh": "1", "NgayThangNamSinh": "19900115",
                    "Cha": person("NGUYỄN VĂN BA", FATHER), "Me": person("TRẦN THỊ MAI", MOTHER),
                    "VoChong": person("LÊ THỊ HOA", SPOUSE)}),
    }
}

fn record(pin: &str) -> serde_json::Value {
    json!({
        "SoDinhDanh": pin,
        "HoVaTen": {"Ho": "", "ChuDem": "", "Ten": "LÊ THỊ HOA"},
        "GioiTinh": "2",
        "NgayThangNamSinh": {"NgayThangNam": "19920304", "Nam": "1992"},
        "ThuongTru": {"MaTinhThanh": "01", "MaPhuongXa": "00004", "ChiTiet": "SỐ 5 PHỐ ĐỘI CẤN"}
    })
}

async fn answer(
    State(hits): State<Arc<Hits>>,
    Path((mode, pin)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Response {
    hits.count.fetch_add(1, Ordering::SeqCst);
    if mode == "family" {
        let now = hits.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        hits.most_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(100)).await;
        hits.in_flight.fetch_sub(1, Ordering::SeqCst);
        let mut citizen = hits.citizen.lock().unwrap();
        if ![FATHER, MOTHER, SPOUSE].contains(&pin.as_str()) {
            citizen.clone_from(&pin);
        }
        return axum::Json(family_record(&pin, &citizen)).into_response();
    }
    let authorised = headers.get("authorization").is_some_and(|v| v == "Bearer s3cret");
    match mode.as_str() {
        "secured" if authorised => axum::Json(record(&pin)).into_response(),
        "secured" => StatusCode::UNAUTHORIZED.into_response(),
        "ok" => axum::Json(record(&pin)).into_response(),
        "slow" => {
            tokio::time::sleep(Duration::from_secs(3)).await;
            axum::Json(record(&pin)).into_response()
        }
        "fail" => (StatusCode::SERVICE_UNAVAILABLE, "maintenance").into_response(),
        "flaky" if !hits.flaky_failed.swap(true, Ordering::SeqCst) => StatusCode::BAD_GATEWAY.into_response(),
        "flaky" => axum::Json(record(&pin)).into_response(),
        "malformed" => ([("content-type", "application/json")], "{\"SoDinhDanh\": \"0010").into_response(),
        "array" => ([("content-type", "application/json")], "[1, 2, 3]").into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Starts the stub; returns its base URL and hit counter.
async fn stub() -> (String, Arc<Hits>) {
    let hits = Arc::new(Hits::default());
    let app = Router::new()
        .route("/{mode}/citizens/{pin}", get(answer))
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), hits)
}

fn settings(base: &str) -> HttpConnectorConfig {
    HttpConnectorConfig {
        base_url: base.to_owned(),
        timeout_ms: 300,
        retries: 2,
        backoff_ms: 10,
        breaker_threshold: 3,
        breaker_cooldown_ms: 60_000,
        bearer_token: None,
    }
}

const PIN: &str = "001192000123";

#[tokio::test]
async fn good_flaky_and_missing_answers() {
    let (base, hits) = stub().await;
    let ok = HttpConnector::new(settings(&format!("{base}/ok"))).unwrap();
    assert_eq!(ok.lookup(PIN).await.unwrap().unwrap()["SoDinhDanh"], json!(PIN));
    let flaky = HttpConnector::new(settings(&format!("{base}/flaky"))).unwrap();
    let before = hits.count.load(Ordering::SeqCst);
    assert!(flaky.lookup(PIN).await.unwrap().is_some(), "a 5xx is retried");
    assert_eq!(hits.count.load(Ordering::SeqCst) - before, 2);
    let mut secured = settings(&format!("{base}/secured"));
    let anonymous = HttpConnector::new(secured.clone()).unwrap();
    assert!(matches!(anonymous.lookup(PIN).await, Err(ConnectorError::Status(401))));
    secured.bearer_token = Some("s3cret".into());
    let with_token = HttpConnector::new(secured).unwrap();
    assert!(
        with_token.lookup(PIN).await.unwrap().is_some(),
        "the bearer token is sent"
    );
    let missing = HttpConnector::new(settings(&format!("{base}/missing"))).unwrap();
    assert!(missing.lookup(PIN).await.unwrap().is_none());
    // What is no PIN asks nothing: in the URL, it would reach another path of the host with the token.
    let before = hits.count.load(Ordering::SeqCst);
    for forged in ["../../admin/export?all=1#", "0011920001234", "001192 000123"] {
        assert!(ok.lookup(forged).await.unwrap().is_none(), "{forged}");
    }
    assert_eq!(hits.count.load(Ordering::SeqCst), before);
}

#[tokio::test]
async fn faults_are_errors_and_the_breaker_opens() {
    let (base, hits) = stub().await;
    let slow = HttpConnector::new(settings(&format!("{base}/slow"))).unwrap();
    assert!(matches!(slow.lookup(PIN).await, Err(ConnectorError::Timeout)));
    let malformed = HttpConnector::new(settings(&format!("{base}/malformed"))).unwrap();
    assert!(matches!(malformed.lookup(PIN).await, Err(ConnectorError::Malformed(_))));
    let array = HttpConnector::new(settings(&format!("{base}/array"))).unwrap();
    assert!(matches!(array.lookup(PIN).await, Err(ConnectorError::Malformed(_))));

    let fail = HttpConnector::new(settings(&format!("{base}/fail"))).unwrap();
    let before = hits.count.load(Ordering::SeqCst);
    let err = fail.lookup(PIN).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Status(503)));
    assert!(!err.to_string().contains(PIN), "errors carry no PIN: {err}");
    assert_eq!(
        hits.count.load(Ordering::SeqCst) - before,
        3,
        "one attempt and two retries"
    );
    for _ in 0..2 {
        let _ = fail.lookup(PIN).await;
    }
    let before = hits.count.load(Ordering::SeqCst);
    assert!(matches!(fail.lookup(PIN).await, Err(ConnectorError::CircuitOpen)));
    assert_eq!(
        hits.count.load(Ordering::SeqCst),
        before,
        "an open breaker makes no call"
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let down = HttpConnector::new(settings(&dead)).unwrap();
    assert!(matches!(down.lookup(PIN).await, Err(ConnectorError::Transport(_))));
}

/// Through the server: a good endpoint prefills; a faulty one answers 503 with a reason, and the form can still be
/// submitted (without a bundle, and national data still failing, its locked values go unchecked but the PIN,
/// which the login knows).
#[tokio::test]
async fn the_form_stays_usable_when_national_data_fails() {
    let (base, _) = stub().await;
    for (mode, expected) in [
        ("ok", 200),
        ("slow", 503),
        ("fail", 503),
        ("malformed", 503),
        ("array", 503),
        ("missing", 404),
    ] {
        let mut c = config(mode);
        c.national_data = Some(settings(&format!("{base}/{mode}")));
        let running = tokhai_server::start(c).await.expect("server starts");
        let mut client = Client::new(&running);
        let pin = client.dev_login().await;
        let (status, body) = client.get("/api/prefill/demo").await;
        assert_eq!(status, expected, "{mode}: {body}");
        if status == 200 {
            assert_eq!(body["origin"], json!("national-data.http"));
            assert_eq!(body["values"]["full_name"]["value"], json!("Lê Thị Hoa"));
            assert_eq!(body["values"]["dob"]["value"], json!("1992-03-04"));
        } else {
            assert!(
                body["message_vi"].as_str().is_some_and(|m| !m.is_empty()),
                "{mode}: {body}"
            );
            let mut values = json!({
                "full_name": "Lê Thị Hoa", "dob": "1992-03-04", "sex": "nu", "pin": "001192000123",
                "residence": {"province": "01", "commune": "00004", "street": "Số 5 phố Đội Cấn"},
                "reason": "Xin xác nhận thông tin cư trú"
            });
            // The login still says whose PIN it is.
            let (status, body) = client
                .post("/api/submissions", &submission(&running, "demo", &values, None))
                .await;
            let reason = (
                status,
                body["reasons"][0]["code"].as_str(),
                body["reasons"][0]["path"].as_str(),
            );
            assert_eq!(
                reason,
                (422, Some("prefill.not_own_pin"), Some("pin")),
                "{mode}: {body}"
            );
            let (_, list) = client.get(&format!("/api/dev/citizens?q={pin}")).await;
            let me = &list["citizens"][0];
            values["pin"] = json!(pin);
            values["sex"] = me["sex"].clone();
            values["dob"] = json!(format!("{}-03-04", me["birth_year"]));
            let (status, receipt) = client
                .post("/api/submissions", &submission(&running, "demo", &values, None))
                .await;
            assert_eq!(status, 201, "{mode}: the form is still usable: {receipt}");
        }
        running.task.abort();
    }
}

/// A submission's household rows sent without their bundles are checked against national data: once per
/// member, and not at all for rows the form refuses anyway (a forged filing of 900 rows asked 1,801 times).
#[tokio::test]
async fn a_submission_asks_national_data_once_per_member_and_never_for_rows_beyond_the_form() {
    let (base, hits) = stub().await;
    let mut c = config("member-lookups");
    c.national_data = Some(settings(&format!("{base}/ok")));
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    let (status, bundle) = client.get("/api/prefill/demo").await;
    assert_eq!(status, 200, "{bundle}");
    let values = values_from(&bundle);
    let row = |pin: String| json!({"m_pin": pin, "m_name": "Người Lạ"});
    let lookups = |rows: Vec<serde_json::Value>| {
        let mut values = values.clone();
        values["members"] = json!(rows);
        let sub = submission(&running, "demo", &values, Some(&bundle));
        let (client, hits) = (&client, &hits);
        async move {
            let before = hits.count.load(Ordering::SeqCst);
            client.post_soon("/api/submissions", &sub).await.expect("sent");
            hits.count.load(Ordering::SeqCst) - before
        }
    };
    let eleven = (0..11).map(|i| row(format!("0011920001{i:02}"))).collect();
    assert_eq!(
        lookups(eleven).await,
        0,
        "more rows than the group's 10: refused, never looked up"
    );
    let same = (0..3).map(|_| row("001192000177".into())).collect();
    assert_eq!(lookups(same).await, 2, "the citizen and the member, once");
    let three = (0..3).map(|i| row(format!("00119200017{i}"))).collect();
    assert_eq!(lookups(three).await, 4, "the citizen once, then each member");
    running.task.abort();
}

/// A form with the dates of birth of the citizen's relatives: their three records are read at the same
/// time, not one after the other (each lookup a round trip to national data on the way to the form).
#[tokio::test]
async fn the_records_of_the_relatives_a_form_needs_are_read_at_the_same_time() {
    let (base, hits) = stub().await;
    let mut c = config("family-lookups");
    c.forms = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/forms");
    c.national_data = Some(settings(&format!("{base}/family")));
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    let (status, bundle) = client.get("/api/prefill/judicial_record").await;
    assert_eq!(status, 200, "{bundle}");
    let value = |id: &str| bundle["values"][id]["value"].clone();
    assert_eq!(
        [value("father_dob"), value("mother_dob"), value("spouse_dob")],
        [json!("1960-01-01"), json!("1965"), json!("1992-03-04")],
        "{bundle}"
    );
    assert_eq!(
        hits.count.load(Ordering::SeqCst),
        4,
        "the citizen, then each relative once"
    );
    assert_eq!(
        hits.most_in_flight.load(Ordering::SeqCst),
        3,
        "the three relatives at once"
    );
    running.task.abort();
}
