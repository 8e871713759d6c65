//! No personal data in logs: a whole citizen path logged at debug level shows PINs only masked, and no names.

mod common;

use common::{config, submission, values_from, Client};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_hold_no_personal_data() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let running = tokhai_server::start(config("privacy")).await.expect("server starts");
    let mut client = Client::new(&running);
    let pin = client.dev_login().await;
    let (_, bundle) = client.get("/api/prefill/demo").await;
    let name = bundle["values"]["full_name"]["value"].as_str().unwrap().to_owned();
    let values = values_from(&bundle);
    client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&bundle)),
        )
        .await;
    let mut changed = values.clone();
    changed["full_name"] = json!("Nguyễn Văn Khác");
    client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &changed, Some(&bundle)),
        )
        .await;
    running.task.abort();

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    let masked = tokhai_server::auth::mask_pin(&pin);
    assert!(logs.contains(&masked), "the PIN appears masked:\n{logs}");
    assert!(
        logs.contains("submission accepted") && logs.contains("submission refused"),
        "{logs}"
    );
    for secret in [
        pin.as_str(),
        name.as_str(),
        &name.to_uppercase(),
        "Khác",
        "Xin cấp giấy",
    ] {
        assert!(!logs.contains(secret), "{secret:?} must not be logged:\n{logs}");
    }
    let _ = writeln!(std::io::stderr(), "privacy: {} log lines checked", logs.lines().count());
}
