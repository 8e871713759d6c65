//! Attached files: kept as chosen, checked with the field's rules, bound to the dossier that names them.
//! On SQLite, and on PostgreSQL when `TOKHAI_TEST_PG` is set.

mod common;

use common::{attached, config, postgres, submission, upload, values_from, Client};
use serde_json::{json, Value};
use std::io::Write;
use tokhai_server::config::Config;
use tokhai_server::db::Db;
use tokhai_server::Running;

fn reason(body: &Value) -> (&str, &str) {
    (
        body["reasons"][0]["code"].as_str().unwrap_or_default(),
        body["reasons"][0]["path"].as_str().unwrap_or_default(),
    )
}

/// Submits `values` as the citizen of `client` and checks that the file at `evidence` is refused as not
/// uploaded; answers the refusal.
async fn refused_as_not_uploaded(client: &mut Client, running: &Running, values: &Value, bundle: &Value) -> Value {
    let (status, body) = client
        .post("/api/submissions", &submission(running, "demo", values, Some(bundle)))
        .await;
    assert_eq!(
        (status, reason(&body)),
        (422, ("file.not_uploaded", "evidence")),
        "{body}"
    );
    body
}

/// How many kept files have this id (0 or 1).
async fn kept_count(db: &Db, id: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM uploads WHERE id = $1")
        .bind(id)
        .fetch_one(db)
        .await
        .expect("count");
    n
}

/// Whether the kept file `id` is deleted within 10 seconds.
async fn deleted_soon(db: &Db, id: &str) -> bool {
    for _ in 0..100 {
        if kept_count(db, id).await == 0 {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

async fn uploads(mut c: Config, engine: &str) {
    c.max_upload_bytes = 8192;
    let running = tokhai_server::start(c.clone()).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    let (_, bundle) = client.get("/api/prefill/demo").await;
    let pdf = b"%PDF-1.7 a lease".repeat(8);

    // A file the field accepts is kept, named in NFC (a Mac's browser gives names in NFD), with its digest.
    let mac_name = "Gia\u{302}\u{301}y xa\u{301}c nha\u{323}\u{302}n.pdf";
    assert_ne!(mac_name, "Giấy xác nhận.pdf");
    let (status, kept) = upload(&client, "evidence", mac_name, "application/pdf", &pdf).await;
    assert_eq!(status, 201, "{kept}");
    assert_eq!(
        (&kept["name"], &kept["size"], &kept["type"]),
        (
            &json!("Giấy xác nhận.pdf"),
            &json!(pdf.len()),
            &json!("application/pdf")
        )
    );
    assert_eq!(kept["sha256"], json!(tokhai_core::digest::sha256_hex(&pdf)));
    let id = kept["upload"].as_str().expect("an upload reference").to_owned();

    // The field's own rules refuse a file, in the form's words; so do the server's limits.
    let (status, body) = upload(&client, "evidence", "ghi chú.txt", "text/plain", b"x").await;
    assert_eq!((status, reason(&body)), (422, ("file.type", "evidence")), "{body}");
    assert!(
        body["message_vi"]
            .as_str()
            .unwrap()
            .starts_with("Giấy tờ kèm theo: tệp ghi chú.txt"),
        "{body}"
    );
    // A file is what it says; a picture list takes no SVG (a document that may hold scripts) unless named.
    let page = b"<html><script>alert(1)</script></html>";
    let (status, body) = upload(&client, "evidence", "giay.pdf", "application/pdf", page).await;
    assert_eq!(
        (status, reason(&body)),
        (422, ("file.content_mismatch", "evidence")),
        "{body}"
    );
    // An SVG (a document that may hold scripts) is refused by its name before its type.
    let (status, body) = upload(&client, "evidence", "anh.svg", "image/svg+xml", page).await;
    assert_eq!((status, reason(&body)), (422, ("file.runnable", "evidence")), "{body}");
    // A page named so that Windows saves it as one, sent as a PDF: refused by its name, unread.
    let (status, body) = upload(
        &client,
        "evidence",
        "ho-so.html.",
        "application/pdf",
        b"%PDF-1.4\n<html>",
    )
    .await;
    assert_eq!(
        (status, reason(&body)),
        (422, ("file.name_invalid", "evidence")),
        "{body}"
    );
    let (status, body) = upload(&client, "evidence", "anh.png", "image/png,text/html", page).await;
    assert_eq!(
        (status, reason(&body).0),
        (422, "file.type"),
        "a type as no browser writes it: {body}"
    );
    let (status, body) = upload(&client, "evidence", "hopdong.HTML", "application/pdf", &pdf).await;
    assert_eq!((status, reason(&body)), (422, ("file.runnable", "evidence")), "{body}");
    for kind in ["image/x-icon", "image/jpg", "image/bmp", "image/avif", "image/svg"] {
        let (status, body) = upload(&client, "evidence", "anh", kind, page).await;
        assert_eq!(
            (status, reason(&body).0),
            (422, "file.content_mismatch"),
            "{kind}: {body}"
        );
    }
    // Names that hide what they are, or that a query cannot carry, are refused in JSON.
    for name in ["hoso\u{202E}fdp.exe", "a\u{FFFD}.pdf"] {
        let (status, body) = upload(&client, "evidence", name, "application/pdf", &pdf).await;
        assert_eq!(
            (status, reason(&body)),
            (422, ("file.name_invalid", "evidence")),
            "{name}: {body}"
        );
    }
    for query in ["", "?name=a.pdf&name=b.pdf"] {
        let path = format!("/api/uploads/demo/evidence{query}");
        let (status, body, _) = client.post_raw(&path, pdf.to_vec(), "application/pdf").await;
        assert_eq!(
            (status, reason(&body)),
            (422, ("file.name_invalid", "evidence")),
            "{query}: {body}"
        );
    }
    let (status, body) = upload(&client, "evidence", "to.pdf", "application/pdf", &[b'x'; 5000]).await;
    assert_eq!((status, reason(&body)), (422, ("file.too_large", "evidence")), "{body}");
    let (status, body) = upload(&client, "evidence", "rat-to.pdf", "application/pdf", &[b'x'; 9000]).await;
    assert_eq!((status, reason(&body).0), (413, "payload.too_large"), "{body}");
    // A name or type the field refuses is refused before the bytes are read: whatever their size.
    let (status, body) = upload(&client, "evidence", "a\u{202E}b.pdf", "application/pdf", &[b'x'; 9000]).await;
    assert_eq!((status, reason(&body).0), (422, "file.name_invalid"), "{body}");
    let (status, body) = upload(&client, "reason", "a.pdf", "application/pdf", &pdf).await;
    assert_eq!(
        (status, reason(&body)),
        (404, ("payload.unknown_field", "reason")),
        "{body}"
    );
    let (status, body) = upload(&client, "evidence", "  ", "application/pdf", &pdf).await;
    assert_eq!(
        (status, reason(&body)),
        (422, ("file.name_invalid", "evidence")),
        "{body}"
    );
    let (status, body, _) = client
        .post_raw(
            "/api/uploads/nothing/evidence?name=a.pdf",
            pdf.clone(),
            "application/pdf",
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (404, Some("unknown_form")));

    // A dossier naming a file that was never uploaded is refused, naming the file.
    let mut values = values_from(&bundle);
    values["evidence"] = json!([{"name": "scan.pdf", "size": 10, "type": "application/pdf"}]);
    let body = refused_as_not_uploaded(&mut client, &running, &values, &bundle).await;
    assert!(body["message_vi"].as_str().unwrap().contains("scan.pdf"), "{body}");
    // So is one whose metadata differs from what was kept.
    let mut altered = attached(&kept);
    altered["size"] = json!(1);
    values["evidence"] = json!([altered]);
    refused_as_not_uploaded(&mut client, &running, &values, &bundle).await;

    // A file in a household member's row is kept and checked the same way.
    let (status, paper) = upload(&client, "m_paper", "khai sinh.pdf", "application/pdf", b"%PDF-1.4").await;
    assert_eq!(status, 201, "{paper}");
    // Named as the browser named it (NFD), the dossier is not canonical, and says only that.
    let mut as_browsed = attached(&kept);
    as_browsed["name"] = json!(mac_name);
    values["evidence"] = json!([as_browsed]);
    values["members"] = json!([{"m_pin": "001085000017", "m_name": "NGUYỄN VĂN AN", "m_paper": [attached(&paper)]}]);
    let (status, body) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&bundle)),
        )
        .await;
    assert_eq!(
        (status, reason(&body)),
        (422, ("value.not_canonical", "evidence")),
        "{body}"
    );
    assert_eq!(body["reasons"].as_array().map(Vec::len), Some(1), "{body}");
    // Named in NFC, as the form sends it.
    values["evidence"] = json!([attached(&kept)]);
    let (status, accepted) = client
        .post(
            "/api/submissions",
            &submission(&running, "demo", &values, Some(&bundle)),
        )
        .await;
    assert_eq!(status, 201, "{accepted}");
    let dossier = accepted["receipt"]["id"].as_str().unwrap().to_owned();
    // The dossier names each file by the digest of its bytes, in a row too: an official can tell the
    // file is the one filed, and the citizen's receipt says which.
    let provenance = &accepted["receipt"]["provenance"];
    assert_eq!(
        provenance["evidence"]["files"],
        json!([{"upload": id, "sha256": kept["sha256"]}]),
        "{provenance}"
    );
    assert_eq!(
        provenance["members[0].m_paper"]["files"][0]["sha256"], paper["sha256"],
        "{provenance}"
    );

    // Both files are bound to the dossier, bytes as sent.
    let bound: Vec<(String, String, Vec<u8>)> =
        sqlx::query_as("SELECT id, field, content FROM uploads WHERE submission_id = $1 ORDER BY field")
            .bind(dossier.clone())
            .fetch_all(&running.state.db)
            .await
            .expect("bound uploads");
    let fields: Vec<(&str, &str)> = bound.iter().map(|(i, f, _)| (i.as_str(), f.as_str())).collect();
    assert_eq!(
        fields,
        [
            (id.as_str(), "evidence"),
            (paper["upload"].as_str().unwrap(), "m_paper")
        ]
    );
    assert_eq!(bound[0].2, pdf);

    // A file already in a dossier cannot be named by another one.
    values["members"] = json!([]);
    refused_as_not_uploaded(&mut client, &running, &values, &bundle).await;

    // A form locking national data's values takes files from a logged-in citizen only.
    let (status, body) = upload(&Client::new(&running), "evidence", "a.pdf", "application/pdf", &pdf).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("login_required")),
        "{body}"
    );

    // Two dossiers filed at the same moment naming one file: one holds it, the other is refused.
    for _ in 0..5 {
        let (_, one) = upload(&client, "evidence", "c.pdf", "application/pdf", &pdf).await;
        let mut values = values_from(&bundle);
        values["evidence"] = json!([attached(&one)]);
        let send = || {
            client.post_soon(
                "/api/submissions",
                &submission(&running, "demo", &values, Some(&bundle)),
            )
        };
        let (a, b) = (send(), send());
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 422], "{a:?} {b:?}");
        let refused = if a.0 == 422 { &a.1 } else { &b.1 };
        assert_eq!(reason(refused), ("file.not_uploaded", "evidence"), "{refused}");
        // The moment itself, which the requests above may miss: binding a file another dossier holds.
        let mut tx = running.state.writer.begin().await.unwrap();
        let id = one["upload"].as_str().unwrap().to_owned();
        let named = tokhai_server::uploads::NamedUpload {
            id,
            path: "evidence".into(),
            sha256: one["sha256"].as_str().unwrap().to_owned(),
            not_uploaded: tokhai_core::Issue::error("evidence", "file.not_uploaded"),
        };
        let taken = tokhai_server::uploads::bind(&mut tx, &[named], "HS-OTHER")
            .await
            .unwrap();
        assert_eq!(taken.len(), 1, "a file another dossier holds is not bound again");
    }

    // Another citizen cannot name this citizen's file.
    let (status, fresh) = upload(&client, "evidence", "b.pdf", "application/pdf", &pdf).await;
    assert_eq!(status, 201, "{fresh}");
    let mut other = Client::new(&running);
    let (_, list) = other.get("/api/dev/citizens?limit=2").await;
    let pin = list["citizens"][1]["pin"].as_str().unwrap().to_owned();
    other.post("/api/dev/login", &json!({"pin": pin})).await;
    let (_, theirs) = other.get("/api/prefill/demo").await;
    let mut their_values = values_from(&theirs);
    their_values["evidence"] = json!([attached(&fresh)]);
    refused_as_not_uploaded(&mut other, &running, &their_values, &theirs).await;

    // A file no dossier names is kept for the retention only; a dossier's stays. A server deletes the
    // others as it starts.
    let db = running.state.db.clone();
    let age = |id: String| {
        let db = db.clone();
        async move {
            sqlx::query("UPDATE uploads SET received_at = received_at - $1 WHERE id = $2")
                .bind(8 * 24 * 3_600_000_i64)
                .bind(id)
                .execute(&db)
                .await
                .expect("aged");
        }
    };
    let unbound = fresh["upload"].as_str().unwrap().to_owned();
    age(unbound.clone()).await;
    age(id.clone()).await;
    running.task.abort();
    let restarted = tokhai_server::start(c.clone()).await.expect("server starts again");
    assert!(
        deleted_soon(&db, &unbound).await,
        "past the retention (7 days), deleted at start"
    );
    assert_eq!(kept_count(&db, &id).await, 1, "the dossier's file stays");
    restarted.task.abort();

    // A server that receives nothing deletes them too, while it runs.
    c.upload_retention_secs = 2;
    let quiet = tokhai_server::start(c)
        .await
        .expect("server starts with a retention of 2 s");
    let mut client = Client::new(&quiet);
    client.dev_login().await;
    let (status, late) = upload(&client, "evidence", "d.pdf", "application/pdf", &pdf).await;
    assert_eq!(status, 201);
    let late = late["upload"].as_str().unwrap().to_owned();
    assert_eq!(kept_count(&db, &late).await, 1, "kept at first");
    assert!(deleted_soon(&db, &late).await, "deleted with no further request");
    assert_eq!(kept_count(&db, &id).await, 1, "the dossier's file stays");

    let _ = writeln!(std::io::stderr(), "uploads passed on {engine}");
    quiet.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_on_sqlite() {
    uploads(config("uploads"), "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_on_postgres() {
    let Some((url, _held)) = postgres().await else { return };
    let mut c = config("uploads-pg");
    c.database_url = Some(url);
    c.registry_seed = 2029;
    uploads(c, "PostgreSQL").await;
}

#[tokio::test]
async fn a_citizen_keeps_at_most_so_many_bytes_of_files_no_dossier_names() {
    let mut c = config("uploads-quota");
    c.max_pending_upload_bytes = 300;
    let running = tokhai_server::start(c).await.expect("server starts");
    let mut client = Client::new(&running);
    client.dev_login().await;
    let pdf = b"%PDF-1.7 ".repeat(12);
    for name in ["a.pdf", "b.pdf"] {
        assert_eq!(
            upload(&client, "evidence", name, "application/pdf", &pdf).await.0,
            201,
            "{name}"
        );
    }
    let (status, body) = upload(&client, "evidence", "c.pdf", "application/pdf", &pdf).await;
    assert_eq!((status, reason(&body)), (413, ("upload.quota", "evidence")), "{body}");
    let message = body["reasons"][0]["message_vi"].as_str().unwrap_or_default();
    assert!(message.contains("(tổng quá 1\u{a0}KB)"), "{message}");
    // Another citizen is not held to this one's files.
    let mut other = Client::new(&running);
    let (_, list) = other.get("/api/dev/citizens?limit=2").await;
    other
        .post("/api/dev/login", &json!({"pin": list["citizens"][1]["pin"]}))
        .await;
    assert_eq!(
        upload(&other, "evidence", "a.pdf", "application/pdf", &pdf).await.0,
        201
    );
    running.task.abort();
}
