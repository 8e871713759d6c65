//! End-to-end tests of the server against a real SQLite file, and PostgreSQL when `TOKHAI_TEST_PG` is set.

mod common;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use common::{config, postgres, submission, values_from, Client};
use serde_json::{json, Value};
use std::io::Write;
use tokhai_core::prefill::PrefillBundle;
use tokhai_server::config::Config;

/// The whole citizen path: portal, login, prefill, verification downstream, accepted and refused submissions.
async fn citizen_path(c: Config, engine: &str) {
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);

    let (status, page) = client.get_text("/").await;
    assert_eq!(status, 200);
    assert!(page.contains("Cổng thử nghiệm"));
    let (status, widget) = client.get_text("/pkg/index.js").await;
    assert_eq!((status, widget.as_str()), (200, "export const widget = 1;"));
    let (status, list) = client.get("/api/forms").await;
    assert_eq!(
        (status, list["forms"][0]["url"].as_str()),
        (200, Some("/forms/demo.json"))
    );
    let (status, def) = client.get("/forms/demo.json").await;
    assert_eq!((status, def["id"].as_str()), (200, Some("demo")));
    assert_eq!(client.get("/forms/none.json").await.0, 404);
    let (status, units) = client.get("/catalogs/admin-units.json").await;
    assert_eq!((status, units["provinces"].as_array().map(Vec::len)), (200, Some(34)));
    // Only what the widget's catalogue reads of each unit goes to browsers.
    assert_eq!(
        units["communes"][0]
            .as_object()
            .map(|u| u.keys().cloned().collect::<Vec<_>>()),
        Some(["code", "full_name", "name_en", "province"].map(String::from).to_vec())
    );

    let (status, refused) = client.get("/api/prefill/demo").await;
    assert_eq!((status, refused["error"].as_str()), (401, Some("login_required")));
    let pin = client.dev_login().await;
    let (_, me) = client.get("/api/me").await;
    assert_eq!(me["logged_in"], json!(true));
    assert!(
        me["login_at"].as_i64().is_some_and(|t| t > 1_700_000_000_000),
        "the filing clock starts at login: {me}"
    );
    assert!(!me.to_string().contains(&pin), "the PIN is only shown masked: {me}");
    // A write another site's page sends is refused, even a sibling origin's the cookie goes to: by the
    // browser's Sec-Fetch-Site, or by the Origin of a browser without it.
    let post_from = |path: &str, header: &'static str, value: String| {
        client
            .http
            .post(format!("{}{path}", client.base))
            .header("cookie", client.cookie.clone().unwrap())
            .header(header, value)
            .json(&json!({}))
            .send()
    };
    let foreign = [
        ("sec-fetch-site", "cross-site".to_owned()),
        ("sec-fetch-site", "same-site".to_owned()),
        ("origin", "http://127.0.0.1:1".to_owned()),
        ("origin", "null".to_owned()),
    ];
    for (header, value) in foreign {
        let r = post_from("/auth/logout", header, value.clone()).await.unwrap();
        let status = r.status().as_u16();
        let body: Value = r.json().await.unwrap();
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("cross_site")),
            "{header}: {value}"
        );
    }
    let own = post_from("/api/satisfaction", "origin", client.base.clone())
        .await
        .unwrap();
    assert_ne!(own.status().as_u16(), 403, "a page of the portal itself");
    assert_eq!(
        client.get("/api/me").await.1["logged_in"],
        json!(true),
        "still logged in"
    );
    // Drafts are kept per citizen by a key of their own: a masked PIN is shared by many citizens.
    let key = me["subject_key"].as_str().expect("a subject key").to_owned();
    let mut other = Client::new(&running);
    let (_, list) = other.get("/api/dev/citizens?limit=2").await;
    other
        .post("/api/dev/login", &json!({"pin": list["citizens"][1]["pin"]}))
        .await;
    let (_, theirs) = other.get("/api/me").await;
    let (_, again) = client.get("/api/me").await;
    assert_eq!(again["subject_key"], json!(key), "one key per citizen");
    assert!(
        theirs["subject_key"]
            .as_str()
            .is_some_and(|k| k.len() >= 24 && k != key),
        "{theirs}"
    );

    let r = client
        .http
        .get(format!("{}/api/prefill/demo", client.base))
        .header("cookie", client.cookie.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["cache-control"], "no-store", "personal data is not cached");
    let (status, bundle) = client.get("/api/prefill/demo").await;
    assert_eq!(status, 200, "{bundle}");
    assert_eq!(bundle["subject"].as_str(), Some(pin.as_str()));
    assert_eq!(bundle["values"]["pin"]["value"].as_str(), Some(pin.as_str()));
    assert_eq!(bundle["values"]["full_name"]["locked"], json!(true));
    assert!(bundle["values"]["dob"]["value"].as_str().is_some_and(|d| d.len() == 10));

    // An official's system verifies the bundle with the published key only.
    let (_, jwks) = client.get("/.well-known/tokhai-prefill-key").await;
    let jwk = &jwks["keys"][0];
    assert_eq!(
        (jwk["kty"].as_str(), jwk["crv"].as_str()),
        (Some("OKP"), Some("Ed25519"))
    );
    let x: [u8; 32] = URL_SAFE_NO_PAD
        .decode(jwk["x"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let public = ed25519_dalek::VerifyingKey::from_bytes(&x).unwrap();
    let typed: PrefillBundle = serde_json::from_value(bundle.clone()).unwrap();
    assert!(tokhai_server::signing::verify_with(
        &public,
        jwk["kid"].as_str().unwrap(),
        &typed
    ));

    let values = values_from(&bundle);
    let (status, receipt) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&bundle)),
        )
        .await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(
        receipt["receipt"]["provenance"]["full_name"]["source"],
        json!("population.full_name")
    );
    assert_eq!(receipt["receipt"]["provenance"]["reason"]["source"], json!("citizen"));
    let id = receipt["receipt"]["id"].as_str().unwrap().to_owned();
    let stored: (String, String, Option<String>) =
        sqlx::query_as("SELECT form_id, provenance, login_method FROM submissions WHERE id = $1")
            .bind(id)
            .fetch_one(&running.state.db)
            .await
            .expect("the dossier is stored");
    assert_eq!(stored.0, "demo");
    assert!(stored.1.contains("population.dob"));
    assert_eq!(
        stored.2.as_deref(),
        Some("dev"),
        "an official tells a test login from the identity provider's"
    );

    // A changed locked value is refused with a reason the citizen can read.
    let mut changed = values.clone();
    changed["full_name"] = json!("Nguyễn Văn Khác");
    let (status, refusal) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &changed, Some(&bundle)),
        )
        .await;
    assert_eq!(status, 422, "{refusal}");
    let reason = &refusal["reasons"][0];
    assert_eq!(
        (reason["path"].as_str(), reason["code"].as_str()),
        (Some("full_name"), Some("prefill.locked_changed"))
    );
    assert!(
        reason["message_vi"]
            .as_str()
            .is_some_and(|m| m.contains("không được sửa")),
        "{reason}"
    );
    assert!(
        reason["message_en"]
            .as_str()
            .is_some_and(|m| m.contains("cannot be changed")),
        "{reason}"
    );

    // An unlocked prefilled value may be edited; provenance says so.
    let mut edited = values.clone();
    edited["hometown"] = json!("Xã Yên Lạc, tỉnh Phú Thọ");
    let (status, receipt) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &edited, Some(&bundle)),
        )
        .await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(
        receipt["receipt"]["provenance"]["hometown"],
        json!({"source": "citizen", "edited_from": "population.hometown"})
    );

    // A bundle altered after signing is refused.
    let mut forged = bundle.clone();
    forged["values"]["full_name"]["value"] = json!("Nguyễn Văn Khác");
    let (status, refusal) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &changed, Some(&forged)),
        )
        .await;
    assert_eq!(
        (status, refusal["reasons"][0]["code"].as_str()),
        (422, Some("prefill.signature_invalid"))
    );

    // A bundle past its time (a long filing, validly signed) is no refusal: the values are checked against
    // national data fetched at intake, which the dossier records as their source.
    let mut expired = typed.clone();
    expired.expires_at = expired.issued_at - 1;
    running.state.keys.sign(&mut expired);
    let expired = serde_json::to_value(&expired).unwrap();
    let (status, receipt) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&expired)),
        )
        .await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(
        receipt["receipt"]["provenance"]["full_name"]["source"],
        "population.full_name"
    );
    // Its locked values are still held to national data, and the refusal brings it afresh.
    let (status, refusal) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &changed, Some(&expired)),
        )
        .await;
    assert_eq!(
        (status, refusal["reasons"][0]["code"].as_str()),
        (422, Some("prefill.locked_changed")),
        "{refusal}"
    );
    assert!(
        refusal["prefill"]["expires_at"].as_i64() > expired["expires_at"].as_i64(),
        "{refusal}"
    );

    // Another citizen's bundle is refused once someone else is logged in.
    let mut other = Client::new(&running);
    let (_, list) = other.get("/api/dev/citizens?limit=2").await;
    let second = list["citizens"][1]["pin"].as_str().unwrap().to_owned();
    other.post("/api/dev/login", &json!({"pin": second})).await;
    let (status, refusal) = other
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&bundle)),
        )
        .await;
    assert_eq!(
        (status, refusal["reasons"][0]["code"].as_str()),
        (422, Some("prefill.subject_mismatch"))
    );

    // A submission made against another version of the definition is refused.
    let mut stale = submission(&running, "demo", &values, Some(&bundle));
    stale["ruleset_hash"] = json!("0000");
    let (status, refusal) = client.post("/api/submissions", &stale).await;
    assert_eq!(
        (status, refusal["reasons"][0]["code"].as_str()),
        (422, Some("submission.form_changed"))
    );

    // A body that is not a dossier gets a readable answer, not a bare parser message.
    let (status, bad) = client.post("/api/submissions", &json!({"form_id": 3})).await;
    assert_eq!((status, bad["error"].as_str()), (400, Some("payload.wrong_type")));
    assert_eq!(bad["reasons"][0]["path"], json!("form_id"));
    assert!(
        bad["message_vi"].as_str().is_some_and(|m| m.contains("form_id")),
        "{bad}"
    );

    // The rules of the form itself are re-run at the server.
    let (status, refusal) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &json!({"reason": "x"}), None),
        )
        .await;
    assert_eq!(status, 422);
    assert!(refusal["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["path"] == "full_name" && r["code"] == "required"));

    let _ = writeln!(std::io::stderr(), "citizen path passed on {engine}");
    running.task.abort();
}

#[tokio::test]
async fn citizen_path_on_sqlite() {
    citizen_path(config("sqlite"), "SQLite").await;
}

#[tokio::test]
async fn citizen_path_on_postgres() {
    let Some((url, _held)) = postgres().await else { return };
    let mut c = config("postgres");
    c.database_url = Some(url.clone());
    // The full-size registry, so that its generation and insertion are measured on PostgreSQL too.
    c.registry_size = 10_000;
    c.registry_seed = 2026;
    let started = std::time::Instant::now();
    let running = tokhai_server::start(c.clone())
        .await
        .expect("server starts on PostgreSQL");
    let _ = writeln!(
        std::io::stderr(),
        "PostgreSQL: registry ready in {:?}",
        started.elapsed()
    );
    running.task.abort();
    citizen_path(c, "PostgreSQL").await;
}

#[tokio::test]
async fn every_api_error_is_json_with_a_code_and_both_languages() {
    let running = tokhai_server::start(config("api-errors")).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    let missing_pin = client.get("/api/prefill/ct01/row?group=members").await;
    let no_route = client.get("/api/nope").await;
    let (status, bad_body, _) = client.post_raw("/api/dev/login", "{", "application/json").await;
    let (wrong_type, no_json, _) = client.post_raw("/api/dev/login", "{}", "text/plain").await;
    let method = client
        .http
        .delete(format!("{}/api/submissions", client.base))
        .send()
        .await
        .unwrap();
    let allow = method.headers().get("allow").cloned();
    let wrong_method = (
        method.status().as_u16(),
        method.json::<Value>().await.unwrap_or_default(),
    );
    for ((status, body), code) in [
        (missing_pin, "request_invalid"),
        (no_route, "not_found"),
        ((status, bad_body), "request_invalid"),
        ((wrong_type, no_json), "unsupported_media_type"),
        (wrong_method, "method_not_allowed"),
    ] {
        assert_eq!(body["error"], code, "{status}: {body}");
        assert!(
            status >= 400 && body["message_vi"].is_string() && body["message_en"].is_string(),
            "{body}"
        );
    }
    assert!(allow.is_some(), "405 still says which methods the address takes");
    let (_, body) = client.get("/api/prefill/ct01/row?group=members").await;
    assert!(
        body["detail"].as_str().is_some_and(|d| d.contains("pin")),
        "the framework's reason kept: {body}"
    );
    running.task.abort();
}

#[tokio::test]
async fn development_login_is_refused_unless_enabled() {
    let mut c = config("nodev");
    c.dev_login = false;
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);
    let (status, body) = client.get("/api/dev/citizens").await;
    assert_eq!((status, body["error"].as_str()), (403, Some("dev_login_disabled")));
    let (status, _) = client.post("/api/dev/login", &json!({"pin": "001090012345"})).await;
    assert_eq!(status, 403);
    assert!(client.cookie.is_none());
    running.task.abort();
}

#[tokio::test]
async fn definitions_and_the_catalogue_are_kept_by_browsers_and_asked_again() {
    let running = tokhai_server::start(config("etags")).await.expect("server starts");
    let client = Client::new(&running);
    /// GETs a path with an `If-None-Match` (none if empty): status, ETag, Cache-Control and body length.
    async fn fetch(client: &Client, path: &str, tags: &str) -> (u16, String, String, usize) {
        let mut request = client.http.get(format!("{}{path}", client.base));
        if !tags.is_empty() {
            request = request.header("if-none-match", tags);
        }
        let r = request.send().await.expect("GET");
        let header = |name| r.headers().get(name).map_or("", |v| v.to_str().unwrap()).to_owned();
        let (etag, cache) = (header("etag"), header("cache-control"));
        (r.status().as_u16(), etag, cache, r.bytes().await.expect("body").len())
    }
    let mut etags = Vec::new();
    for path in ["/catalogs/admin-units.json", "/forms/demo.json"] {
        let (status, etag, cache, length) = fetch(&client, path, "").await;
        assert_eq!((status, cache.as_str()), (200, "no-cache"), "{path}");
        assert!(
            etag.len() == 36 && etag.starts_with("W/\"") && etag.ends_with('"'),
            "{path}: {etag}"
        );
        assert!(length > 100, "{path}: {length} bytes");
        for kept in [
            etag.clone(),
            etag.trim_start_matches("W/").to_owned(),
            format!("\"other\", {etag}"),
            "*".to_owned(),
        ] {
            let (status, again, _, length) = fetch(&client, path, &kept).await;
            assert_eq!(
                (status, again.as_str(), length),
                (304, etag.as_str(), 0),
                "{path} with {kept}"
            );
        }
        let (status, _, _, length) = fetch(&client, path, "\"changed\"").await;
        assert!(
            status == 200 && length > 100,
            "{path}: a tag of another text gets the text"
        );
        etags.push(etag);
    }
    assert_ne!(etags[0], etags[1], "each file has its own tag");
    running.task.abort();
}

#[tokio::test]
async fn the_widget_goes_out_as_built_compressed_and_public_answers_gzipped() {
    let c = config("compressed");
    for (file, body) in [("index.js.br", "brotli bytes"), ("index.js.gz", "gzip bytes")] {
        std::fs::write(c.pkg.join(file), body).expect("pkg file");
    }
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);
    /// GETs a path accepting an encoding: (Content-Encoding, Content-Type, body bytes).
    async fn fetch(client: &Client, path: &str, accept: &str) -> (String, String, Vec<u8>) {
        let url = format!("{}{path}", client.base);
        let request = client.http.get(url).header("accept-encoding", accept);
        let r = client.with_cookie(request).send().await.expect("GET");
        let header = |name| r.headers().get(name).map_or("", |v| v.to_str().unwrap()).to_owned();
        let (encoding, kind) = (header("content-encoding"), header("content-type"));
        (encoding, kind, r.bytes().await.expect("body").to_vec())
    }

    let (encoding, kind, body) = fetch(&client, "/pkg/index.js", "gzip, deflate, br").await;
    assert_eq!((encoding.as_str(), body.as_slice()), ("br", &b"brotli bytes"[..]));
    assert!(kind.starts_with("text/javascript"), "{kind}");
    let (encoding, _, body) = fetch(&client, "/pkg/index.js", "gzip").await;
    assert_eq!((encoding.as_str(), body.as_slice()), ("gzip", &b"gzip bytes"[..]));
    let (encoding, _, body) = fetch(&client, "/pkg/index.js", "identity").await;
    assert_eq!(
        (encoding.as_str(), body.as_slice()),
        ("", &b"export const widget = 1;"[..])
    );

    let (_, plain) = client.get_text("/catalogs/admin-units.json").await;
    let (encoding, kind, body) = fetch(&client, "/catalogs/admin-units.json", "gzip, br").await;
    assert_eq!(
        (encoding.as_str(), kind.as_str()),
        ("gzip", "application/json; charset=utf-8")
    );
    let mut unzipped = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(body.as_slice()), &mut unzipped).expect("gzip");
    assert_eq!(unzipped, plain);
    assert!(
        body.len() * 4 < plain.len(),
        "{} bytes gzipped from {}",
        body.len(),
        plain.len()
    );
    assert_eq!(fetch(&client, "/", "gzip").await.0, "gzip", "the portal's pages");

    client.dev_login().await;
    let (encoding, _, body) = fetch(&client, "/api/prefill/demo", "gzip, br").await;
    assert_eq!(encoding, "", "personal data is never compressed");
    assert!(serde_json::from_slice::<Value>(&body).is_ok_and(|b| b["values"].is_object()));
    running.task.abort();
}

#[tokio::test]
async fn development_login_page_logs_in_and_returns() {
    let mut c = config("devpage");
    c.secure_cookies = true;
    let running = tokhai_server::start(c).await.expect("server starts");
    let client = Client::new(&running);
    let (status, page) = client.get_text("/dev/login?next=/form.html").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("development only") && page.contains("name=next value=\"/form.html\""),
        "{page}"
    );
    let pin = page
        .split("name=pin value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a citizen")
        .to_owned();
    let r = client
        .http
        .post(format!("{}/dev/login", client.base))
        .form(&[("pin", pin.as_str()), ("next", "/form.html")])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    assert_eq!(r.headers()["location"], "/form.html");
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("Secure"), "{cookie}");
    assert!(
        cookie.starts_with("__Host-tokhai_session=") && cookie.contains("Path=/;"),
        "only this host sets it: {cookie}"
    );
    // The portal's pages carry the widget's policy and may not be framed by another site.
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval'") && csp.contains("frame-ancestors 'self'"));
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    let (_, evil) = client.get_text("/dev/login?next=//evil.example").await;
    assert!(!evil.contains("evil.example"), "only local paths are kept");
    // A browser drops tabs and line breaks from a URL: "/\t/evil.example" would be "//evil.example".
    for next in ["/\t/evil.example/", "/\n", "/a b"] {
        let r = client
            .http
            .post(format!("{}/dev/login", client.base))
            .form(&[("pin", pin.as_str()), ("next", next)])
            .send()
            .await
            .unwrap();
        assert_eq!(
            (r.status().as_u16(), &r.headers()["location"]),
            (303, &"/".parse().unwrap()),
            "{next:?}"
        );
    }
    running.task.abort();
}

#[tokio::test]
async fn start_up_errors_name_what_is_wrong() {
    let mut c = config("badforms");
    let forms = c.data_dir.with_file_name("forms");
    std::fs::create_dir_all(&forms).unwrap();
    std::fs::write(
        forms.join("broken.json"),
        r#"{"tokhai": 1, "id": "broken", "version": "1", "title": "B", "steps": [{"id": "s"}]}"#,
    )
    .unwrap();
    c.forms = forms;
    let err = tokhai_server::start(c)
        .await
        .err()
        .expect("a bad definition stops the start")
        .to_string();
    assert!(err.contains("broken.json") && err.contains("$.steps[0]"), "{err}");

    let mut c = config("badprefill");
    let forms = c.data_dir.with_file_name("forms");
    std::fs::create_dir_all(&forms).unwrap();
    let demo = std::fs::read_to_string(c.forms.join("demo.json")).unwrap();
    std::fs::write(
        forms.join("demo.json"),
        demo.replace("population.dob", "population.birthday"),
    )
    .unwrap();
    c.forms = forms;
    let err = tokhai_server::start(c)
        .await
        .err()
        .expect("an unknown attribute stops the start")
        .to_string();
    assert!(
        err.contains("demo.json") && err.contains("population.birthday") && err.contains(".prefill.from"),
        "{err}"
    );

    let mut c = config("badunits");
    c.units = c.data_dir.join("missing-units.json");
    let err = tokhai_server::start(c)
        .await
        .err()
        .expect("a missing catalogue stops the start")
        .to_string();
    assert!(err.contains("missing-units.json"), "{err}");
}

#[tokio::test]
async fn ten_thousand_citizens_generate_and_insert() {
    let mut c = config("registry");
    c.registry_size = 10_000;
    let started = std::time::Instant::now();
    let running = tokhai_server::start(c).await.expect("server starts");
    let _ = writeln!(
        std::io::stderr(),
        "10,000 synthetic citizens generated and stored in {:?} (SQLite)",
        started.elapsed()
    );
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM citizens")
        .fetch_one(&running.state.db)
        .await
        .unwrap();
    assert_eq!(n, 10_000);
    let households: (i64,) = sqlx::query_as("SELECT COUNT(DISTINCT household_id) FROM citizens")
        .fetch_one(&running.state.db)
        .await
        .unwrap();
    assert!(
        households.0 > 2_000 && households.0 < 6_000,
        "households of several members: {}",
        households.0
    );
    running.task.abort();
}

#[tokio::test]
async fn a_restart_keeps_the_registry_and_the_keys() {
    let c = config("restart");
    let first = tokhai_server::start(c.clone()).await.expect("first start");
    let kid = first.state.keys.kid().to_owned();
    let pin = "030065051188";
    let digests =
        |keys: &tokhai_server::signing::Keys| [keys.subject_key(pin), keys.draft_key(pin), keys.timing_subject(pin)];
    let citizen = digests(&first.state.keys);
    let sample: Value = tokhai_server::registry::find(
        &first.state.db,
        &tokhai_server::registry::list(&first.state.db, "", 1).await.unwrap()[0].pin,
    )
    .await
    .unwrap()
    .unwrap();
    first.task.abort();
    let _ = first.task.await;
    first.state.db.close().await;
    let second = tokhai_server::start(c.clone()).await.expect("second start");
    assert_eq!(second.state.keys.kid(), kid, "the development key is created once");
    let again = tokhai_server::registry::find(&second.state.db, sample["SoDinhDanh"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(again, Some(sample));
    assert_eq!(digests(&second.state.keys), citizen);
    second.task.abort();
    let _ = second.task.await;
    second.state.db.close().await;

    // A new signing key signs from now on; citizens' drafts and timing records keep their keys.
    let mut rotated = c.clone();
    let key_file = c.data_dir.join("new-signing.key");
    std::fs::write(&key_file, format!("{}\n", STANDARD.encode([9u8; 32]))).unwrap();
    rotated.signing_key = Some(key_file);
    let third = tokhai_server::start(rotated)
        .await
        .expect("start with a new signing key");
    assert_ne!(third.state.keys.kid(), kid);
    assert_eq!(digests(&third.state.keys), citizen, "the subject key stays");
    third.task.abort();
}

/// Behind a proxy that writes `Forwarded` (and addresses this server by another host), a browser without
/// `Sec-Fetch-Site` (an older Safari) writes from the portal's own pages: its `Origin` is the host the
/// proxy says it addressed; another page's is refused.
#[tokio::test]
async fn behind_a_proxy_writing_forwarded_the_portals_own_pages_may_write() {
    let mut c = config("forwarded-host");
    c.forwarded_header = tokhai_server::limits::ForwardedHeader::Forwarded;
    let running = tokhai_server::start(c).await.expect("server starts");
    let client = Client::new(&running);
    let logout = |origin: &str| {
        (client.http.post(format!("{}/auth/logout", client.base)))
            .header("origin", origin)
            .header("forwarded", "for=198.51.100.7;host=portal.gov.vn;proto=https")
            .send()
    };
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_ne!(status(logout("https://portal.gov.vn").await.unwrap()), 403);
    assert_eq!(status(logout("https://evil.example").await.unwrap()), 403);
    running.task.abort();
}
