//! Submission intake: replays, malformed and oversized bodies, definition versions, rate limit, receipts.
//! On SQLite, and on PostgreSQL when `TOKHAI_TEST_PG` is set.

mod common;

use common::{config, postgres, submission, values_from, Client};
use serde_json::{json, Value};
use std::io::Write;
use tokhai_core::prefill::PrefillBundle;
use tokhai_server::config::Config;

fn code(body: &Value) -> (&str, &str) {
    (
        body["reasons"][0]["code"].as_str().unwrap_or_default(),
        body["reasons"][0]["path"].as_str().unwrap_or_default(),
    )
}

async fn intake_rules(c: Config, engine: &str) {
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    let (_, bundle) = client.get("/api/prefill/demo").await;
    let values = values_from(&bundle);
    let sub = submission(&running, "demo", &values, Some(&bundle));
    let count = |key: String| {
        let db = running.state.db.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM submissions WHERE idempotency_key = $1")
                .bind(key)
                .fetch_one(&db)
                .await
                .expect("count");
            n
        }
    };

    // A replay returns the original receipt and stores nothing more.
    let (status, first) = client.post("/api/submissions", &sub).await;
    assert_eq!(status, 201, "{first}");
    let receipt = first["receipt"].clone();
    assert_eq!(receipt["digest"], sub["digest"]);
    assert!(
        receipt["id"].as_str().is_some_and(|id| id.starts_with("HS")),
        "{receipt}"
    );
    assert!(receipt["received_at"].as_i64().is_some());
    let (status, again) = client.post("/api/submissions", &sub).await;
    assert_eq!(
        (status, &again["receipt"], &again["replayed"]),
        (200, &receipt, &json!(true))
    );
    let key = sub["idempotency_key"].as_str().unwrap().to_owned();
    assert_eq!(count(key.clone()).await, 1, "a replay is never a second dossier");

    // The same citizen's key with changed values (the first answer was lost, then an answer changed):
    // the dossier already received, its receipt and the values filed, and nothing stored.
    let mut other_values = values.clone();
    other_values["reason"] = json!("Nội dung khác");
    let mut changed = submission(&running, "demo", &other_values, Some(&bundle));
    changed["idempotency_key"] = json!(key);
    let (status, conflict) = client.post("/api/submissions", &changed).await;
    assert_eq!(
        (status, code(&conflict)),
        (409, ("submission.already_received", "idempotency_key"))
    );
    assert_eq!(
        (&conflict["receipt"], &conflict["values"]),
        (&receipt, &values),
        "{conflict}"
    );
    let id = receipt["id"].as_str().unwrap();
    assert!(
        conflict["message_vi"].as_str().is_some_and(|m| m.contains(id)),
        "{conflict}"
    );
    assert_eq!(count(key.clone()).await, 1);

    // Simultaneous retries of one filing: one dossier, every answer the same receipt.
    let twin = submission(&running, "demo", &values, Some(&bundle));
    let sends = (0..12).map(|_| client.post_soon("/api/submissions", &twin));
    let answers: Vec<(u16, Value)> = futures_join(sends.collect())
        .await
        .into_iter()
        .map(|(status, body)| (status, body["receipt"]["id"].clone()))
        .collect();
    assert_eq!(answers.iter().filter(|a| a.0 == 201).count(), 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|a| (a.0 == 201 || a.0 == 200) && a.1 == answers[0].1),
        "{answers:?}"
    );
    assert_eq!(count(twin["idempotency_key"].as_str().unwrap().to_owned()).await, 1);

    // The receipt page reads the receipt, for its owner only.
    let (status, got) = client.get(&format!("/api/submissions/{id}")).await;
    assert_eq!(
        (status, got),
        (200, json!({"status": "accepted", "receipt": receipt, "decision": null})),
        "the filing's status, as its answer said, and no decision yet"
    );
    let mut stranger = Client::new(&running);
    let (_, list) = stranger.get("/api/dev/citizens?limit=2").await;
    let second = list["citizens"][1]["pin"].as_str().unwrap().to_owned();
    stranger.post("/api/dev/login", &json!({"pin": second})).await;
    let (status, body) = stranger.get(&format!("/api/submissions/{id}")).await;
    assert_eq!((status, code(&body).0), (404, "dossier.not_found"));
    let (status, _) = Client::new(&running).get(&format!("/api/submissions/{id}")).await;
    assert_eq!(status, 401);
    // Nor may a stranger, or someone without login, use someone else's key to learn the receipt or the values.
    for (status, refused) in [
        stranger.post("/api/submissions", &sub).await,
        stranger.post("/api/submissions", &changed).await,
    ] {
        assert_eq!((status, code(&refused).0), (409, "submission.key_reused"));
        assert!(
            refused.get("receipt").is_none() && refused.get("values").is_none(),
            "{refused}"
        );
    }
    // A form locking national data's values is filed logged in only: else its identity is anyone's.
    let mut anonymous = Client::new(&running);
    let fresh = submission(&running, "demo", &values, None);
    for (status, refused) in [
        anonymous.post("/api/submissions", &changed).await,
        anonymous.post("/api/submissions", &fresh).await,
    ] {
        assert_eq!(
            (status, refused["error"].as_str()),
            (401, Some("login_required")),
            "{refused}"
        );
        assert!(refused.get("receipt").is_none() && refused.get("values").is_none());
    }

    // Altered values, bad keys, unknown keys and wrong types are refused with reasons.
    let mut altered = sub.clone();
    altered["values"]["reason"] = json!("Sửa trên đường truyền");
    let (status, body) = client.post("/api/submissions", &altered).await;
    assert_eq!((status, code(&body)), (400, ("submission.digest_mismatch", "digest")));
    let mut bad_key = submission(&running, "demo", &values, None);
    bad_key["idempotency_key"] = json!("short");
    let (status, body) = client.post("/api/submissions", &bad_key).await;
    assert_eq!(
        (status, code(&body)),
        (400, ("submission.key_invalid", "idempotency_key"))
    );
    let mut extra = submission(&running, "demo", &values, None);
    extra["timing"] = json!({"total_ms": 1});
    let (status, body) = client.post("/api/submissions", &extra).await;
    assert_eq!((status, code(&body)), (400, ("payload.unexpected_key", "timing")));
    // A bundle carrying what its signature does not cover is no bundle (it would be stored as signed).
    let mut padded = bundle.clone();
    padded["note_from_registry"] = json!("Đã xác minh");
    let (status, body) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&padded)),
        )
        .await;
    assert_eq!((status, code(&body)), (422, ("prefill.format", "prefill")), "{body}");
    // A key given twice (in the values or the envelope) would lose one of the two: refused, not read.
    let text = submission(&running, "demo", &values, None).to_string();
    for twice in [
        text.replacen("\"values\":{", "\"values\":{\"reason\":\"Bỏ đi\",", 1),
        text.replacen('{', "{\"form_id\":\"demo\",", 1),
    ] {
        let (status, body, _) = client.post_raw("/api/submissions", twice, "application/json").await;
        assert_eq!((status, code(&body).0), (400, "payload.duplicate_key"), "{body}");
        assert!(
            body["message_en"].as_str().is_some_and(|m| m.contains("line 1")),
            "{body}"
        );
    }
    let mut typed = submission(&running, "demo", &values, None);
    typed["form_version"] = json!(2025);
    let (status, body) = client.post("/api/submissions", &typed).await;
    assert_eq!((status, code(&body)), (400, ("payload.wrong_type", "form_version")));
    let (status, body, _) = client
        .post_raw("/api/submissions", "{\"form_id\": \"demo\",", "application/json")
        .await;
    assert_eq!((status, code(&body).0), (400, "payload.malformed"));
    assert!(
        body["message_vi"].as_str().is_some_and(|m| m.contains("JSON")),
        "{body}"
    );

    // Bodies over the limit, and values with too many entries.
    let huge = format!("{{\"form_id\": \"{}\"}}", "x".repeat(300 * 1024));
    let (status, body, _) = client.post_raw("/api/submissions", huge, "application/json").await;
    assert_eq!((status, code(&body).0), (413, "payload.too_large"));
    let many: serde_json::Map<String, Value> = (0..2_500).map(|i| (format!("f{i}"), json!(1))).collect();
    let (status, body) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &Value::Object(many), None),
        )
        .await;
    assert_eq!((status, code(&body)), (413, ("payload.too_many_fields", "values")));

    // Unknown forms and unknown definition versions.
    let mut unknown = submission(&running, "demo", &values, None);
    unknown["form_id"] = json!("nope");
    let (status, body) = client.post("/api/submissions", &unknown).await;
    assert_eq!((status, code(&body)), (404, ("submission.form_unknown", "form_id")));
    let mut stale = submission(&running, "demo", &values, None);
    stale["form_version"] = json!("2020.1");
    let (status, body) = client.post("/api/submissions", &stale).await;
    assert_eq!((status, code(&body).0), (422, "submission.form_changed"));
    assert!(
        body["message_vi"].as_str().is_some_and(|m| m.contains("tải lại")),
        "{body}"
    );

    // A logout ends the session at once, although sessions are cached.
    let (status, _) = client.get(&format!("/api/submissions/{id}")).await;
    assert_eq!(status, 200);
    let session = client.cookie.clone();
    assert_eq!(client.post("/auth/logout", &json!({})).await.0, 200);
    client.cookie = session;
    let (status, body) = client.get(&format!("/api/submissions/{id}")).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("login_required")));

    let _ = writeln!(std::io::stderr(), "intake rules passed on {engine}");
    running.task.abort();
}

/// Awaits spawned tasks in order.
async fn futures_join<T>(tasks: Vec<tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_rules_on_sqlite() {
    intake_rules(config("intake"), "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_rules_on_postgres() {
    let Some((url, _held)) = postgres().await else { return };
    let mut c = config("intake-pg");
    c.database_url = Some(url);
    c.registry_seed = 2027;
    intake_rules(c, "PostgreSQL").await;
}

#[tokio::test]
async fn an_archived_version_is_validated_with_its_own_rules() {
    let mut c = config("archive");
    let forms = c.data_dir.with_file_name("forms");
    std::fs::create_dir_all(forms.join("archive")).unwrap();
    let demo = std::fs::read_to_string(c.forms.join("demo.json")).unwrap();
    std::fs::write(forms.join("demo.json"), &demo).unwrap();
    // The earlier version did not ask for the request text.
    let old = demo.replace("\"2025.1\"", "\"2024.1\"").replace(
        "\"label\": {\"vi\": \"Nội dung đề nghị\", \"en\": \"Request\"}, \"required\": true",
        "\"label\": {\"vi\": \"Nội dung đề nghị\", \"en\": \"Request\"}",
    );
    assert_ne!(old, demo);
    std::fs::write(forms.join("archive/demo-2024.1.json"), &old).unwrap();
    c.forms = forms;
    let running = tokhai_server::start(c).await.expect("server starts");
    let old_form = tokhai_core::Form::compile(&old).unwrap();
    let mut client = Client::new(&running);
    client.dev_login().await;
    let (_, bundle) = client.get("/api/prefill/demo").await;
    let mut values = values_from(&bundle);
    values.as_object_mut().unwrap().remove("reason");
    let mut sub = submission(&running, "demo", &values, None);
    let (status, body) = client.post("/api/submissions", &sub).await;
    assert_eq!(
        (status, code(&body)),
        (422, ("required", "reason")),
        "the current version requires it"
    );
    sub["form_version"] = json!("2024.1");
    sub["ruleset_hash"] = json!(old_form.ruleset_hash());
    let (status, body) = client.post("/api/submissions", &sub).await;
    assert_eq!(status, 201, "the archived version does not: {body}");
    assert_eq!(body["receipt"]["form_version"], json!("2024.1"));
    running.task.abort();
}

#[tokio::test]
async fn a_time_limit_that_gives_no_limit_leaves_the_dossier_received_without_a_due_time() {
    let mut c = config("no-limit");
    let forms = c.data_dir.with_file_name("forms");
    std::fs::create_dir_all(&forms).unwrap();
    let demo = std::fs::read_to_string(c.forms.join("demo.json")).unwrap();
    // A definition's mistake: 400 working days is no limit the law sets.
    let odd = demo.replace("\"time_limit\": 2,", "\"time_limit\": \"if(reason == 'sai', 400, 2)\",");
    assert_ne!(odd, demo);
    std::fs::write(forms.join("demo.json"), &odd).unwrap();
    c.forms = forms;
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    let (_, bundle) = client.get("/api/prefill/demo").await;
    let mut values = values_from(&bundle);
    for (reason, due) in [("sai", false), ("đúng", true)] {
        values["reason"] = json!(reason);
        let (status, body) = client
            .post("/api/submissions", &submission(&running, "demo", &values, None))
            .await;
        assert_eq!(status, 201, "the citizen's dossier is received all the same: {body}");
        assert_eq!(body["receipt"]["due_at"].is_i64(), due, "{reason}: {body}");
    }
    running.task.abort();
}

#[tokio::test]
async fn each_client_is_rate_limited_with_a_reason() {
    let mut c = config("rate");
    c.rate_per_minute = 60;
    c.rate_burst = 3;
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    for _ in 0..3 {
        let (status, _, _) = client.post_raw("/api/submissions", "{}", "application/json").await;
        assert_eq!(status, 400);
    }
    let (status, body, headers) = client.post_raw("/api/submissions", "{}", "application/json").await;
    assert_eq!((status, code(&body).0), (429, "payload.rate_limited"));
    assert_eq!(headers["retry-after"], "1");
    assert!(
        body["message_vi"].as_str().is_some_and(|m| m.contains("1 giây")),
        "{body}"
    );
    assert!(
        body["message_en"].as_str().is_some_and(|m| m.contains("1 seconds")),
        "{body}"
    );
    // Lookups in national data take from the same bucket: they must not run unbounded.
    for path in [
        "/api/prefill/demo",
        "/api/prefill/demo/row?group=members&pin=001099999999",
    ] {
        let (status, body) = client.get(path).await;
        assert_eq!((status, code(&body).0), (429, "payload.rate_limited"), "{path}: {body}");
    }
    // Another citizen has a bucket of their own.
    let mut other = Client::new(&running);
    let (_, list) = other.get("/api/dev/citizens?limit=2").await;
    let second = list["citizens"][1]["pin"].as_str().unwrap().to_owned();
    other.post("/api/dev/login", &json!({"pin": second})).await;
    let (status, _, _) = other.post_raw("/api/submissions", "{}", "application/json").await;
    assert_eq!(status, 400);
    running.task.abort();
}

/// Behind a trusted proxy, each client it forwards has a bucket of its own; from any other peer, the
/// header is the client's own word and does not split the peer's bucket; nor does the header the
/// proxies do not write.
#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_a_bucket_of_its_own() {
    use tokhai_server::limits::ForwardedHeader::{Forwarded, XForwardedFor};
    // The tests' requests come from 127.0.0.1.
    for (proxies, written, sent, other_client) in [
        ("127.0.0.0/8", XForwardedFor, XForwardedFor, 400),
        ("10.0.0.0/8", XForwardedFor, XForwardedFor, 429),
        ("127.0.0.0/8", Forwarded, Forwarded, 400),
        ("127.0.0.0/8", Forwarded, XForwardedFor, 429),
        ("127.0.0.0/8", XForwardedFor, Forwarded, 429),
    ] {
        let mut c = config("proxied");
        (c.rate_per_minute, c.rate_burst) = (1, 1);
        c.trusted_proxies = vec![proxies.parse().unwrap()];
        c.forwarded_header = written;
        let running = tokhai_server::start(c).await.expect("server starts");
        let client = Client::new(&running);
        let mut statuses = Vec::new();
        for address in ["198.51.100.1", "198.51.100.1", "[2001:db8::2]"] {
            let value = match sent {
                XForwardedFor => address.trim_matches(['[', ']']).to_owned(),
                Forwarded => format!("for=\"{address}\";proto=https"),
            };
            let r = (client.http.post(format!("{}/api/submissions", client.base)))
                .header(sent.name(), value)
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .expect("POST");
            statuses.push(r.status().as_u16());
        }
        let case = format!("trusting {proxies}, which write {written:?}, sent {sent:?}");
        assert_eq!(statuses, [400, 429, other_client], "{case}");
        running.task.abort();
    }
}

#[tokio::test]
async fn a_value_not_in_canonical_form_is_refused_with_the_canonical_one() {
    let running = tokhai_server::start(config("canonical")).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    let (_, bundle) = client.get("/api/prefill/demo").await;
    let mut values = values_from(&bundle);
    values["phone"] = json!("0912 345 678");
    let spaced = submission(&running, "demo", &values, Some(&bundle));
    let (status, body) = client.post("/api/submissions", &spaced).await;
    assert_eq!((status, code(&body)), (422, ("value.not_canonical", "phone")), "{body}");
    assert_eq!(
        body["message_en"],
        json!("Phone: the value is not in canonical form; send: +84912345678")
    );
    values["phone"] = json!("+84912345678");
    let (status, body) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&bundle)),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    running.task.abort();
}

#[tokio::test]
async fn a_locked_value_its_field_cannot_hold_is_the_citizens_to_give() {
    let running = tokhai_server::start(config("unfit")).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    let (_, bundle) = client.get("/api/prefill/demo").await;
    let values = values_from(&bundle);
    // A portal's own back end signs a sex its form does not offer: the widget leaves it to the citizen.
    let mut unfit: PrefillBundle = serde_json::from_value(bundle).expect("a bundle");
    let sex = unfit.values.get_mut("sex").expect("sex is prefilled");
    (sex.value, sex.locked) = (json!("khac"), true);
    running.state.keys.sign(&mut unfit);
    let unfit = serde_json::to_value(&unfit).expect("JSON");
    let (status, body) = client
        .post("/api/submissions", &submission(&running, "demo", &values, Some(&unfit)))
        .await;
    assert_eq!(status, 201, "{body}");
    let sex = &body["receipt"]["provenance"]["sex"];
    assert_eq!(sex["source"], "citizen", "{body}");
    // Its other locked values still bind.
    let mut renamed = values.clone();
    renamed["full_name"] = json!("Trần Văn Bình");
    let (status, body) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &renamed, Some(&unfit)),
        )
        .await;
    assert_eq!((status, code(&body)), (422, ("prefill.locked_changed", "full_name")));
    running.task.abort();
}

#[tokio::test]
async fn locked_values_sent_without_their_bundle_are_checked_against_national_data() {
    let running = tokhai_server::start(config("unbundled")).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    let (_, bundle) = client.get("/api/prefill/demo").await;
    let values = values_from(&bundle);
    let reasons = |body: &Value| body["reasons"].as_array().cloned().unwrap_or_default();

    // A changed name is refused as with the bundle: the same code and the same words.
    let mut renamed = values.clone();
    renamed["full_name"] = json!("Trần Văn Bình");
    let (status, unbundled) = client
        .post("/api/submissions", &submission(&running, "demo", &renamed, None))
        .await;
    assert_eq!(
        (status, code(&unbundled)),
        (422, ("prefill.locked_changed", "full_name"))
    );
    let (_, bundled) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &renamed, Some(&bundle)),
        )
        .await;
    assert_eq!(reasons(&unbundled), reasons(&bundled));
    assert!(bundled.get("prefill").is_none(), "a bundle sent is not sent back");
    // The bundle built goes with the refusal: sent with it, the national values are filed.
    let fresh = unbundled["prefill"].clone();
    assert_eq!(
        fresh["values"]["full_name"]["value"], values["full_name"],
        "{unbundled}"
    );
    let (status, body) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values_from(&fresh), Some(&fresh)),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    // And a locked value left out, with the bundle or without.
    let mut dropped = values.clone();
    dropped.as_object_mut().expect("values").remove("full_name");
    for bundle in [Some(&bundle), None] {
        let (status, body) = client
            .post("/api/submissions", &submission(&running, "demo", &dropped, bundle))
            .await;
        assert_eq!(status, 422, "{body}");
        let left_out = reasons(&body)
            .iter()
            .any(|r| r["code"] == "prefill.locked_changed" && r["path"] == "full_name");
        assert!(left_out, "{body}");
    }

    // So is another person's PIN.
    let (_, list) = client.get("/api/dev/citizens?limit=2").await;
    let mut borrowed = values.clone();
    borrowed["pin"] = list["citizens"][1]["pin"].clone();
    let (status, body) = client
        .post("/api/submissions", &submission(&running, "demo", &borrowed, None))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        reasons(&body)
            .iter()
            .any(|r| r["code"] == "prefill.locked_changed" && r["path"] == "pin"),
        "{body}"
    );

    // The citizen's true values are accepted without a bundle, and the dossier says they were checked
    // against national data: its provenance and the bundle it keeps are those fetched at intake.
    let (status, body) = client
        .post("/api/submissions", &submission(&running, "demo", &values, None))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["receipt"]["provenance"]["full_name"]["source"], "population.full_name",
        "{body}"
    );
    let kept: (Option<String>,) = sqlx::query_as("SELECT prefill FROM submissions WHERE id = $1")
        .bind(body["receipt"]["id"].as_str().unwrap().to_owned())
        .fetch_one(&running.state.db)
        .await
        .unwrap();
    assert!(kept.0.is_some_and(|b| b.contains("population.full_name")));
    running.task.abort();
}
