//! The officials' API: dossiers listed, opened and their files downloaded, decisions made once with the
//! reasons a refusal states, and the citizen's receipt and own list telling the decision. On SQLite, and on
//! PostgreSQL when `TOKHAI_TEST_PG` is set.

mod common;

use common::{attached, config, postgres, submission, upload, values_from, Client};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::{json, Value};
use std::io::Write;
use tokhai_core::office_hours::OfficeHours;
use tokhai_core::prefill::PrefillBundle;
use tokhai_core::Date;
use tokhai_server::config::Config;
use tokhai_server::Running;

const TOKEN: &str = "officials-token-0123456789";

/// A test configuration with the officials' API open to `TOKEN`.
fn officials_config(name: &str) -> Config {
    let mut c = config(name);
    c.officials_token = Some(TOKEN.into());
    c
}

fn reason(body: &Value) -> (&str, &str) {
    (
        body["reasons"][0]["code"].as_str().unwrap_or_default(),
        body["reasons"][0]["path"].as_str().unwrap_or_default(),
    )
}

/// An agency's system calling the officials' API with a bearer token.
struct Official<'a> {
    client: &'a Client,
    token: &'a str,
}

impl Official<'_> {
    async fn get(&self, path: &str) -> (u16, Value, HeaderMap) {
        self.send(Method::GET, path).await
    }

    async fn send(&self, method: Method, path: &str) -> (u16, Value, HeaderMap) {
        let r = (self.client.http.request(method, format!("{}{path}", self.client.base)))
            .bearer_auth(self.token)
            .send()
            .await
            .expect("request");
        let (status, headers) = (r.status().as_u16(), r.headers().clone());
        (status, r.json().await.unwrap_or(Value::Null), headers)
    }

    async fn bytes(&self, path: &str) -> (u16, Vec<u8>, HeaderMap) {
        let r = (self.client.http.get(format!("{}{path}", self.client.base)))
            .bearer_auth(self.token)
            .send()
            .await
            .expect("GET");
        let (status, headers) = (r.status().as_u16(), r.headers().clone());
        (status, r.bytes().await.expect("bytes").to_vec(), headers)
    }

    async fn decide(&self, dossier: &str, body: &Value) -> (u16, Value) {
        let url = format!("{}/api/officials/dossiers/{dossier}/decision", self.client.base);
        let r = (self.client.http.post(url))
            .bearer_auth(self.token)
            .json(body)
            .send()
            .await
            .expect("POST");
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }
}

/// Sets columns of dossier `id` as someone with the database's keys would: `set` binds `$1`… to `values`.
async fn tamper<const N: usize>(running: &Running, id: &str, set: &str, values: [String; N]) {
    let sql = format!("UPDATE submissions SET {set} WHERE id = ${}", N + 1);
    let query = values.into_iter().fold(sqlx::query(&sql), |q, v| q.bind(v));
    query.bind(id.to_owned()).execute(&running.state.db).await.unwrap();
}

/// A citizen logged in as the `nth` synthetic citizen, with their prefill bundle.
async fn citizen(running: &Running, nth: usize) -> (Client, Value) {
    let mut client = Client::new(running);
    let (_, list) = client.get("/api/dev/citizens?limit=5").await;
    let pin = list["citizens"][nth]["pin"].as_str().expect("a citizen").to_owned();
    let (status, me) = client.post("/api/dev/login", &json!({"pin": pin})).await;
    assert_eq!(status, 200, "{me}");
    let (status, bundle) = client.get("/api/prefill/demo").await;
    assert_eq!(status, 200, "{bundle}");
    (client, bundle)
}

/// Files the demo form as the citizen of `client`, with `file` (an upload's answer) as its evidence if
/// given; answers the receipt.
async fn file(client: &mut Client, running: &Running, bundle: &Value, file: Option<&Value>) -> Value {
    let mut values = values_from(bundle);
    if let Some(file) = file {
        values["evidence"] = json!([attached(file)]);
    }
    let (status, body) = client
        .post("/api/submissions", &submission(running, "demo", &values, Some(bundle)))
        .await;
    assert_eq!(status, 201, "{body}");
    body["receipt"].clone()
}

/// The id of the dossier [`file`] files.
async fn file_id(client: &mut Client, running: &Running, bundle: &Value, file: Option<&Value>) -> String {
    let receipt = self::file(client, running, bundle, file).await;
    receipt["id"].as_str().expect("a receipt id").to_owned()
}

async fn whole_flow(c: Config, engine: &str) {
    let running = tokhai_server::start(c).await.expect("server starts");
    let (mut citizen, bundle) = citizen(&running, 0).await;
    let pdf = b"%PDF-1.7 a lease".repeat(8);
    let (status, kept) = upload(&citizen, "evidence", "Giấy xác nhận.pdf", "application/pdf", &pdf).await;
    assert_eq!(status, 201, "{kept}");
    let receipt = file(&mut citizen, &running, &bundle, Some(&kept)).await;
    let id = receipt["id"].as_str().unwrap().to_owned();
    // Before any decision, the citizen's receipt has the intake's status, as the filing's answer did, and no
    // decision.
    let (status, before) = citizen.get(&format!("/api/submissions/{id}")).await;
    assert_eq!(
        (status, &before["status"], &before["receipt"], &before["decision"]),
        (200, &json!("accepted"), &receipt, &Value::Null)
    );

    // The official lists the dossiers received: this one is there, received, undecided.
    let agency = Client::new(&running);
    let official = Official {
        client: &agency,
        token: TOKEN,
    };
    let (status, list, headers) = official.get("/api/officials/dossiers?form=demo&limit=500").await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(headers["cache-control"], "no-store");
    let listed = list["dossiers"].as_array().unwrap();
    let mut entry = listed
        .iter()
        .find(|d| d["id"] == json!(id))
        .expect("the dossier is listed")
        .clone();
    // The working time it has waited: a moment (none outside office hours).
    let waited = entry.as_object_mut().unwrap().remove("working_ms");
    assert!(
        waited
            .and_then(|w| w.as_i64())
            .is_some_and(|w| (0..60_000).contains(&w)),
        "{list}"
    );
    // Due at the close of the demo form's time limit, as its receipt says; not due yet.
    assert_eq!(
        entry,
        json!({"id": id, "form_id": "demo", "form_version": "2025.1", "received_at": receipt["received_at"],
               "status": "received", "due_at": receipt["due_at"], "timeliness": "running"})
    );
    assert_eq!(list["working_day_ms"], json!(8 * 3_600_000));
    // Not due yet: not among the overdue.
    let (status, overdue, _) = official.get("/api/officials/dossiers?status=overdue").await;
    assert_eq!((status, &overdue["dossiers"]), (200, &json!([])), "{overdue}");

    // Opens it: the receipt, the values as filed, the source of every field, the bundle as signed, the file.
    let (status, dossier, headers) = official.get(&format!("/api/officials/dossiers/{id}")).await;
    assert_eq!(status, 200, "{dossier}");
    assert_eq!(headers["cache-control"], "no-store");
    for key in [
        "id",
        "form_id",
        "form_version",
        "received_at",
        "login_at",
        "digest",
        "provenance",
    ] {
        assert_eq!(dossier[key], receipt[key], "{key}");
    }
    let mut values = values_from(&bundle);
    values["evidence"] = json!([attached(&kept)]);
    assert_eq!(dossier["values"], values);
    // The answers as the citizen read them on the review page, in both languages.
    let step = &dossier["answers"][0];
    assert_eq!(step["title"], json!({"vi": "Người khai", "en": "Declarant"}));
    let paths: Vec<&str> = step["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    // In the form's order, those the citizen's national data gave (not every record has a phone).
    let order = [
        "full_name",
        "dob",
        "sex",
        "pin",
        "residence",
        "hometown",
        "phone",
        "reason",
        "evidence",
    ];
    let answered: Vec<&str> = order.into_iter().filter(|p| values.get(p).is_some()).collect();
    assert_eq!(paths, answered);
    let shown = |path: &str| {
        step["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap()["text"]
            .clone()
    };
    let dob: Vec<&str> = values["dob"].as_str().unwrap().split('-').collect();
    let dmy = format!("{}/{}/{}", dob[2], dob[1], dob[0]);
    assert_eq!(shown("dob"), json!({"vi": dmy, "en": dmy}));
    assert_eq!(
        shown("evidence"),
        json!({"vi": "Giấy xác nhận.pdf", "en": "Giấy xác nhận.pdf"})
    );
    let residence = shown("residence");
    let commune = values["residence"]["commune"].as_str().unwrap();
    assert!(
        !residence["vi"].as_str().unwrap().contains(commune),
        "the commune by its name: {residence}"
    );
    assert!(
        residence["vi"].as_str().unwrap().contains(", Thành phố ")
            || residence["vi"].as_str().unwrap().contains(", Tỉnh "),
        "{residence}"
    );
    assert_eq!(
        dossier["answers"].as_array().map(Vec::len),
        Some(1),
        "no value outside the form"
    );
    assert_eq!(dossier["status"], "received");
    assert!(dossier.get("decision").is_none(), "{dossier}");
    assert_eq!(
        (&dossier["subject"], &dossier["login_method"]),
        (&bundle["subject"], &json!("dev"))
    );
    assert_eq!(dossier["prefill"], bundle);
    // Checked again as on the day it was received: as filed, its national data signed and unchanged.
    assert_eq!(
        dossier["integrity"],
        json!({"digest_matches": true, "bundles": 1, "values_checked": true, "problems": []})
    );
    let signed: PrefillBundle = serde_json::from_value(dossier["prefill"].clone()).unwrap();
    assert!(
        running.state.keys.verify(&signed),
        "the bundle still verifies with the published key"
    );
    let href = format!(
        "/api/officials/dossiers/{id}/files/{}",
        kept["upload"].as_str().unwrap()
    );
    assert_eq!(
        dossier["files"],
        json!([{"path": "evidence", "label": {"vi": "Giấy tờ kèm theo", "en": "Supporting documents"},
                "name": "Giấy xác nhận.pdf", "size": pdf.len(),
                "type": "application/pdf", "sha256": kept["sha256"], "href": href}])
    );

    // Someone with the database's keys changes the name national data locked: the dossier says so.
    let mut altered = values.clone();
    altered["full_name"] = json!("Nguyễn Văn Giả");
    tamper(&running, &id, "payload = $1", [altered.to_string()]).await;
    let (_, tampered, _) = official.get(&format!("/api/officials/dossiers/{id}")).await;
    assert_eq!(
        tampered["integrity"],
        json!({"digest_matches": false, "bundles": 1, "values_checked": true,
               "problems": [{"path": "full_name", "code": "prefill.locked_changed",
                             "label": {"vi": "Họ, chữ đệm và tên", "en": "Full name"}}]})
    );
    // Its form version no longer kept, the signature alone is checked, and said so; a forged one is caught.
    let mut forged = bundle.clone();
    forged["values"]["full_name"]["value"] = json!("Nguyễn Văn Giả");
    tamper(
        &running,
        &id,
        "ruleset_hash = 'retired', prefill = $1",
        [forged.to_string()],
    )
    .await;
    let (_, retired, _) = official.get(&format!("/api/officials/dossiers/{id}")).await;
    assert_eq!(
        (
            &retired["integrity"]["values_checked"],
            &retired["integrity"]["problems"]
        ),
        (
            &json!(false),
            &json!([{"path": "prefill", "code": "prefill.signature_invalid", "label": null}])
        )
    );
    // As it was.
    let hash = running.state.form("demo").unwrap().ruleset_hash().to_owned();
    let set = "ruleset_hash = $1, prefill = $2, payload = $3";
    tamper(&running, &id, set, [hash, bundle.to_string(), values.to_string()]).await;

    // Downloads the file: its bytes, as an attachment never shown inline.
    let (status, bytes, headers) = official.bytes(&href).await;
    assert_eq!((status, bytes), (200, pdf.clone()));
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"Giay xac nhan.pdf\"; filename*=UTF-8''Gi%E1%BA%A5y%20x%C3%A1c%20nh%E1%BA%ADn.pdf"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["content-security-policy"], "sandbox");
    assert_eq!(headers["cache-control"], "no-store");

    // Refuses it, with reasons: one about a field, one about the whole dossier.
    let reasons = json!([
        {"path": "evidence", "message_vi": "Giấy tờ kèm theo không rõ nét", "message_en": "The document cannot be read"},
        {"message_vi": "Thiếu xác nhận của Công an xã"},
    ]);
    let (status, decided) = official
        .decide(
            &id,
            &json!({"decision": "refused", "official": "Nguyễn Thị Hoa", "reasons": reasons}),
        )
        .await;
    assert_eq!(status, 201, "{decided}");
    // Each reason at a field is told with the field's label.
    let mut labelled = reasons.clone();
    labelled[0]["label"] = json!({"vi": "Giấy tờ kèm theo", "en": "Supporting documents"});
    assert_eq!(
        (&decided["decision"], &decided["official"], &decided["reasons"]),
        (&json!("refused"), &json!("Nguyễn Thị Hoa"), &labelled)
    );
    let decided_at = decided["decided_at"].as_i64().expect("decided_at");
    assert!(decided_at >= receipt["received_at"].as_i64().unwrap());

    // The list and the dossier say so.
    let (_, refused, _) = official.get("/api/officials/dossiers?status=refused&limit=500").await;
    let entry = (refused["dossiers"].as_array().unwrap().iter())
        .find(|d| d["id"] == json!(id))
        .expect("listed as refused");
    assert_eq!(
        (&entry["status"], &entry["decided_at"]),
        (&json!("refused"), &json!(decided_at))
    );
    let (_, received, _) = official.get("/api/officials/dossiers?status=received&limit=500").await;
    assert!(
        !(received["dossiers"].as_array().unwrap().iter()).any(|d| d["id"] == json!(id)),
        "{received}"
    );
    let (_, dossier, _) = official.get(&format!("/api/officials/dossiers/{id}")).await;
    assert_eq!(
        (&dossier["status"], &dossier["decision"]),
        (&json!("refused"), &decided)
    );

    // The citizen's receipt tells the refusal and its reasons (not who decided), the receipt unchanged.
    let (status, after) = citizen.get(&format!("/api/submissions/{id}")).await;
    assert_eq!(status, 200, "{after}");
    assert_eq!((&after["status"], &after["receipt"]), (&json!("accepted"), &receipt));
    assert_eq!(
        after["decision"],
        json!({"decision": "refused", "reasons": labelled, "decided_at": decided_at})
    );

    let _ = writeln!(std::io::stderr(), "officials' flow passed on {engine}");
    running.task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_lists_opens_downloads_and_refuses_and_the_citizen_reads_why_on_sqlite() {
    whole_flow(officials_config("officials"), "SQLite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_official_lists_opens_downloads_and_refuses_and_the_citizen_reads_why_on_postgres() {
    let Some((url, _held)) = postgres().await else { return };
    let mut c = officials_config("officials-pg");
    c.database_url = Some(url);
    c.registry_seed = 2031;
    whole_flow(c, "PostgreSQL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_qa_summary_tells_how_long_officials_took_against_the_time_in_person() {
    let running = tokhai_server::start(officials_config("officials-processing"))
        .await
        .expect("server starts");
    let mut ids = Vec::new();
    for nth in 0..3 {
        let (mut citizen, bundle) = citizen(&running, nth).await;
        ids.push(file_id(&mut citizen, &running, &bundle, None).await);
    }
    let agency = Client::new(&running);
    let official = Official {
        client: &agency,
        token: TOKEN,
    };
    let refusal = json!({"decision": "refused", "official": "Cán bộ", "reasons": [{"message_vi": "Thiếu giấy tờ"}]});
    let hours = |h: i64| h * 3_600_000;
    // The demo form's time limit is 2 working days: each dossier is due at the close of the second working
    // day after its receipt (the default office hours: Monday to Friday, 08:00–12:00 and 13:00–17:00).
    let (_, first, _) = official.get(&format!("/api/officials/dossiers/{}", ids[0])).await;
    let received_at = first["received_at"].as_i64().unwrap();
    assert_eq!(
        first["due_at"],
        json!(OfficeHours::default().due(received_at, 2)),
        "{first}"
    );
    // Received on a Monday at 09:00 two weeks or more back (Viet Nam time); the default office hours are
    // Monday to Friday, 08:00–12:00 and 13:00–17:00.
    let today = Date::in_viet_nam(tokhai_server::now_ms());
    let monday = today.add_days(-14 - today.weekday() as i64);
    let at = |days: i64, h: i64| monday.add_days(days).viet_nam_start() + hours(h);
    // Accepted on Tuesday at 11:00: 10 working hours (26 hours on the clock); refused on the next Tuesday at
    // 11:00: 50 working hours (the weekend left out).
    for (id, body, decided) in [
        (
            &ids[0],
            json!({"decision": "accepted", "official": "Cán bộ"}),
            at(1, 11),
        ),
        (&ids[1], refusal, at(8, 11)),
    ] {
        assert_eq!(official.decide(id, &body).await.0, 201);
        sqlx::query("UPDATE decisions SET decided_at = $2 WHERE submission_id = $1")
            .bind(id)
            .bind(decided)
            .execute(&running.state.db)
            .await
            .unwrap();
    }
    // Due on Wednesday at 17:00: the acceptance on time, the refusal late, the one waiting overdue.
    sqlx::query("UPDATE submissions SET received_at = $1, due_at = $2")
        .bind(at(0, 9))
        .bind(at(2, 17))
        .execute(&running.state.db)
        .await
        .unwrap();
    let period = format!("from={monday}&to={monday}");
    // The officials' list tells each dossier's working time: to its decision, or so far.
    let (_, list, _) = official.get("/api/officials/dossiers?form=demo").await;
    let working = |id: &str| {
        list["dossiers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap()["working_ms"]
            .clone()
    };
    assert_eq!(
        (working(&ids[0]), working(&ids[1])),
        (json!(hours(10)), json!(hours(50)))
    );
    // Officials can list the overdue alone.
    let (_, overdue, _) = official.get("/api/officials/dossiers?form=demo&status=overdue").await;
    let overdue: Vec<&Value> = overdue["dossiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| &d["id"])
        .collect();
    assert_eq!(overdue, [&json!(ids[2])]);
    let standing = |id: &str| {
        let d = list["dossiers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == id)
            .unwrap();
        (d["due_at"].clone(), d["timeliness"].clone())
    };
    assert_eq!(
        [standing(&ids[0]), standing(&ids[1]), standing(&ids[2])],
        [
            (json!(at(2, 17)), json!("on_time")),
            (json!(at(2, 17)), json!("late")),
            (json!(at(2, 17)), json!("overdue"))
        ]
    );
    assert!(working(&ids[2]).as_i64().is_some_and(|w| w >= hours(50)), "{list}");
    // The dossier opened tells it too, and its decision (as a second decision's refusal repeats it) the
    // working time it took.
    let (_, accepted, _) = official.get(&format!("/api/officials/dossiers/{}", ids[0])).await;
    assert_eq!(
        (
            &accepted["working_ms"],
            &accepted["decision"]["working_ms"],
            &accepted["working_day_ms"]
        ),
        (&json!(hours(10)), &json!(hours(10)), &json!(hours(8)))
    );
    assert_eq!(
        (
            &accepted["due_at"],
            &accepted["timeliness"],
            &accepted["decision"]["timeliness"]
        ),
        (&json!(at(2, 17)), &json!("on_time"), &json!("on_time"))
    );
    let (status, again) = official
        .decide(&ids[1], &json!({"decision": "accepted", "official": "Cán bộ"}))
        .await;
    assert_eq!(
        (
            status,
            &again["decision"]["working_ms"],
            &again["decision"]["timeliness"]
        ),
        (409, &json!(hours(50)), &json!("late")),
        "{again}"
    );
    let (_, waiting, _) = official.get(&format!("/api/officials/dossiers/{}", ids[2])).await;
    assert_eq!(waiting["decision"], Value::Null);
    assert!(
        waiting["working_ms"].as_i64().is_some_and(|w| w >= hours(50)),
        "{waiting}"
    );

    let qa = Client::new(&running);
    let (status, s) = qa
        .get(&format!("/api/qa/forms/demo/summary?{period}&in_person=48"))
        .await;
    assert_eq!(status, 200, "{s}");
    let h = |x: i64| json!(hours(x) as f64);
    assert_eq!(
        s["processing"],
        json!({"received": 3, "accepted": 1, "refused": 1, "pending": 1, "mean_ms": h(30), "median_ms": h(10),
               "p90_ms": h(50), "reduction": 0.375, "meets_target": true,
               "on_time": 1, "late": 1, "overdue": 1, "on_time_share": 0.5}),
    );
    assert_eq!(
        (&s["in_person_ms"], &s["processing_reduction_target"]),
        (&h(48), &json!(0.3))
    );
    assert_eq!(
        (&s["office_hours"], &s["working_day_ms"]),
        (
            &json!({"days": ["mon", "tue", "wed", "thu", "fri"], "hours": ["08:00-12:00", "13:00-17:00"],
                    "holidays": [], "workdays": []}),
            &json!(hours(8))
        )
    );
    // 30 hours on average against 40 in person: 25% shorter, short of the 30% target.
    let (_, s) = qa.get(&format!("/api/qa/summary?{period}&in_person=40")).await;
    let p = &s["processing"];
    assert_eq!(
        (&p["received"], &p["reduction"], &p["meets_target"]),
        (&json!(3), &json!(0.25), &json!(false))
    );
    // All procedures: each one's own figures too.
    let by_form = &s["processing_by_form"];
    assert_eq!(by_form.as_array().map(Vec::len), Some(1), "{s}");
    assert_eq!(
        (&by_form[0]["form_id"], &by_form[0]["received"], &by_form[0]["mean_ms"]),
        (&json!("demo"), &json!(3), &h(30))
    );
    assert!(by_form[0]["title"]["vi"].is_string(), "{s}");
    // Each dossier a line, in the order received: its decision and the working hours it took (or has waited).
    let (status, csv) = qa.get_text(&format!("/api/qa/forms/demo/dossiers.csv?{period}")).await;
    assert_eq!(status, 200, "{csv}");
    let lines: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        (lines[0].join(","), lines.len()),
        (
            "dossier_id,form_id,received_at,status,decided_at,working_hours,login_method,due_at,timeliness".to_owned(),
            4
        )
    );
    let line = |id: &str| {
        lines
            .iter()
            .find(|l| l[0] == id)
            .expect("a line of each dossier")
            .clone()
    };
    let iso = Date::viet_nam_iso;
    assert_eq!(
        line(&ids[0])[1..],
        [
            "demo",
            &iso(at(0, 9)),
            "accepted",
            &iso(at(1, 11)),
            "10.00",
            "dev",
            &iso(at(2, 17)),
            "on_time"
        ]
    );
    assert_eq!(line(&ids[1])[3..6], ["refused", &iso(at(8, 11)), "50.00"]);
    assert_eq!(line(&ids[1])[8], "late");
    assert_eq!(line(&ids[2])[3..5], ["received", ""]);
    assert_eq!(line(&ids[2])[8], "overdue");
    let (_, all) = qa.get_text(&format!("/api/qa/dossiers.csv?{period}")).await;
    assert_eq!(all, csv, "all procedures: the demo's alone here");
    // Without a time in person, nothing to compare; the QA runner's dossiers alone: none.
    let (_, s) = qa.get("/api/qa/forms/demo/summary").await;
    assert_eq!(
        (&s["processing"]["reduction"], &s["in_person_ms"]),
        (&Value::Null, &Value::Null)
    );
    let (_, s) = qa.get("/api/qa/forms/demo/summary?login_method=qa").await;
    assert_eq!(
        (&s["processing"]["received"], &s["processing"]["mean_ms"]),
        (&json!(0), &Value::Null)
    );
    for query in ["in_person=0", "in_person=8761", "in_person=2d"] {
        let (status, body) = qa.get(&format!("/api/qa/forms/demo/summary?{query}")).await;
        assert_eq!(
            (status, reason(&body)),
            (400, ("payload.invalid_value", "in_person")),
            "{query}: {body}"
        );
    }
    running.task.abort();
}

#[tokio::test]
async fn without_a_token_configured_the_officials_api_is_an_unknown_address() {
    let running = tokhai_server::start(config("officials-none"))
        .await
        .expect("server starts");
    let (mut citizen, bundle) = citizen(&running, 0).await;
    let id = file_id(&mut citizen, &running, &bundle, None).await;
    let anyone = Client::new(&running);
    let (status, unknown) = anyone.get("/api/no-such-thing").await;
    assert_eq!((status, unknown["error"].as_str()), (404, Some("not_found")));
    let guess = Official {
        client: &anyone,
        token: "officials-token-0123456789",
    };
    for path in [
        "/api/officials/dossiers".to_owned(),
        format!("/api/officials/dossiers/{id}"),
    ] {
        let (status, body, _) = guess.get(&path).await;
        assert_eq!((status, &body), (404, &unknown), "{path}");
    }
    let (status, body) = guess
        .decide(&id, &json!({"decision": "accepted", "official": "x"}))
        .await;
    assert_eq!((status, &body), (404, &unknown));
    // Nor does a method they do not take tell that they exist: no 405, no Allow.
    for (method, path) in [
        (Method::POST, "/api/officials/dossiers".to_owned()),
        (Method::GET, format!("/api/officials/dossiers/{id}/decision")),
        (Method::DELETE, format!("/api/officials/dossiers/{id}")),
    ] {
        let (status, body, headers) = guess.send(method, &path).await;
        assert_eq!((status, &body, headers.get("allow")), (404, &unknown, None), "{path}");
    }
    // The citizen's dossier stays undecided.
    let (_, receipt) = citizen.get(&format!("/api/submissions/{id}")).await;
    assert_eq!(
        (&receipt["status"], &receipt["decision"]),
        (&json!("accepted"), &Value::Null)
    );
    running.task.abort();
}

#[tokio::test]
async fn a_method_the_api_does_not_take_is_told_to_its_token_only() {
    let running = tokhai_server::start(officials_config("officials-methods"))
        .await
        .expect("server starts");
    let client = Client::new(&running);
    let official = Official {
        client: &client,
        token: TOKEN,
    };
    let guess = Official {
        client: &client,
        token: "officials-token-guess-0000",
    };
    for (method, path, allowed) in [
        (Method::POST, "/api/officials/dossiers", "GET,HEAD"),
        (Method::GET, "/api/officials/dossiers/HS1/decision", "POST"),
        (Method::DELETE, "/api/officials/dossiers/HS1", "GET,HEAD"),
    ] {
        let (status, body, headers) = guess.send(method.clone(), path).await;
        assert_eq!(
            (status, body["error"].as_str(), headers.get("allow")),
            (401, Some("officials_unauthorized"), None),
            "{method} {path}"
        );
        let (status, _, headers) = official.send(method.clone(), path).await;
        assert_eq!(
            (status, headers["allow"].to_str().ok()),
            (405, Some(allowed)),
            "{method} {path}"
        );
    }
    running.task.abort();
}

#[tokio::test]
async fn wrong_tokens_are_refused_and_guesses_slowed_down_in_a_bucket_of_their_own() {
    let mut c = officials_config("officials-guesses");
    c.qa_token = Some("qa-token-0123456789abcdef".into());
    (c.rate_per_minute, c.rate_burst) = (60, 3);
    let running = tokhai_server::start(c).await.expect("server starts");
    let client = Client::new(&running);
    let (status, body) = client.get("/api/officials/dossiers").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("officials_unauthorized")),
        "no token is a wrong one"
    );
    for guess in ["officials-token-0123456789X", "officials-token-012345678"] {
        let guesser = Official {
            client: &client,
            token: guess,
        };
        let (status, body, _) = guesser.get("/api/officials/dossiers").await;
        assert_eq!(
            (status, body["error"].as_str()),
            (401, Some("officials_unauthorized")),
            "{guess}"
        );
    }
    let guesser = Official {
        client: &client,
        token: "officials-token-0123456780",
    };
    let (status, body, headers) = guesser.get("/api/officials/dossiers/HS1").await;
    assert_eq!((status, reason(&body).0), (429, "payload.rate_limited"), "{body}");
    assert_eq!(headers["retry-after"], "1");
    let (status, body) = guesser
        .decide("HS1", &json!({"decision": "accepted", "official": "x"}))
        .await;
    assert_eq!((status, reason(&body).0), (429, "payload.rate_limited"), "{body}");
    // The token still opens; guesses at the QA token have their own bucket.
    let official = Official {
        client: &client,
        token: TOKEN,
    };
    assert_eq!(official.get("/api/officials/dossiers").await.0, 200);
    let qa = Official {
        client: &client,
        token: "qa-token-guess-0000000",
    };
    assert_eq!(qa.get("/api/qa/forms/demo/summary").await.0, 401);
    // Nor is the QA token the officials'.
    let qa = Official {
        client: &client,
        token: "qa-token-0123456789abcdef",
    };
    assert_eq!(qa.get("/api/qa/forms/demo/summary").await.0, 200);
    running.task.abort();
}

#[tokio::test]
async fn a_decision_is_checked_and_made_once() {
    let running = tokhai_server::start(officials_config("officials-decide"))
        .await
        .expect("server starts");
    let (mut citizen, bundle) = citizen(&running, 0).await;
    let id = file_id(&mut citizen, &running, &bundle, None).await;
    let agency = Client::new(&running);
    let official = Official {
        client: &agency,
        token: TOKEN,
    };
    let refusal = |reasons: Value| json!({"decision": "refused", "official": "Cán bộ một cửa", "reasons": reasons});

    // A refusal states at least one reason.
    let mut unreasoned = refusal(json!([]));
    unreasoned.as_object_mut().unwrap().remove("reasons");
    for body in [unreasoned, refusal(json!([]))] {
        let (status, refused) = official.decide(&id, &body).await;
        assert_eq!(
            (status, reason(&refused)),
            (422, ("decision.reasons_required", "reasons")),
            "{body}: {refused}"
        );
        assert!(refused["message_vi"].as_str().unwrap().contains("lý do"), "{refused}");
    }
    // No reason of a decision, a refusal's or an acceptance's, is blank: each has a letter or digit that
    // shows (not spaces, a braille blank, a Hangul filler, a mark alone).
    let acceptance = |reasons: Value| json!({"decision": "accepted", "official": "Cán bộ", "reasons": reasons});
    for blank in [
        " \n ",
        "\u{2800}",
        "\u{3164}",
        "\u{115F}",
        "\u{301}",
        "\u{3164}\u{2800} \n\u{301}",
    ] {
        for body in [
            refusal(json!([{"message_vi": blank, "message_en": "Unclear"}])),
            acceptance(json!([{"message_vi": blank}])),
        ] {
            let (status, refused) = official.decide(&id, &body).await;
            assert_eq!(
                (status, reason(&refused)),
                (422, ("decision.reason_blank", "reasons[0].message_vi")),
                "{body}: {refused}"
            );
            assert!(
                !refused["message_en"].as_str().unwrap().contains("refusal"),
                "{refused}"
            );
        }
    }
    // A decision has at most 50 reasons of at most 2000 characters each.
    let many = vec![json!({"message_vi": "Thiếu"}); 51];
    let (status, refused) = official.decide(&id, &refusal(json!(many))).await;
    assert_eq!((status, reason(&refused)), (400, ("payload.invalid_value", "reasons")));
    let long = "Thiếu giấy tờ. ".repeat(134);
    for (body, at) in [
        (refusal(json!([{"message_vi": long}])), "reasons[0].message_vi"),
        (
            refusal(json!([{"message_vi": "Thiếu", "message_en": long}])),
            "reasons[0].message_en",
        ),
    ] {
        let (status, refused) = official.decide(&id, &body).await;
        assert_eq!(
            (status, reason(&refused)),
            (400, ("payload.invalid_value", at)),
            "{refused}"
        );
    }
    // A reason names a field of the dossier's form, or none.
    let (status, refused) = official
        .decide(
            &id,
            &refusal(json!([{"path": "evidence", "message_vi": "Thiếu"}, {"path": "salary", "message_vi": "Sai"}])),
        )
        .await;
    assert_eq!(
        (
            status,
            refused["reasons"][0]["code"].as_str(),
            refused["reasons"][0]["path"].as_str()
        ),
        (422, Some("decision.unknown_field"), Some("reasons[1].path")),
        "{refused}"
    );
    assert_eq!(refused["reasons"].as_array().unwrap().len(), 1, "{refused}");
    assert!(refused["message_en"].as_str().unwrap().contains("salary"), "{refused}");
    // A row past the group's `max_rows` (10) is no field of the form either.
    for path in [
        "members[0].nope",
        "residence.house",
        "full_name[0]",
        "members[10].m_pin",
        "members[99999].m_pin",
    ] {
        let (status, refused) = official
            .decide(&id, &refusal(json!([{"path": path, "message_vi": "Sai"}])))
            .await;
        assert_eq!((status, reason(&refused).0), (422, "decision.unknown_field"), "{path}");
    }
    // An empty path is no path: the message would have no field to name.
    let (status, refused) = official
        .decide(&id, &refusal(json!([{"path": "", "message_vi": "Sai"}])))
        .await;
    assert_eq!(
        (status, reason(&refused)),
        (400, ("payload.invalid_value", "reasons[0].path"))
    );
    // Every reason a decision is refused for is told at once, with one status.
    let (status, refused) = official
        .decide(
            &id,
            &json!({"decision": "refused", "official": " ", "reasons": [{"path": "members[10].m_pin", "message_vi": "\u{2800}"}]}),
        )
        .await;
    let told: Vec<(&str, &str)> = (refused["reasons"].as_array().unwrap().iter())
        .map(|r| (r["code"].as_str().unwrap(), r["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        (status, told),
        (
            400,
            vec![
                ("payload.invalid_value", "official"),
                ("decision.reason_blank", "reasons[0].message_vi"),
                ("decision.unknown_field", "reasons[0].path"),
            ]
        ),
        "{refused}"
    );
    // Unknown keys, wrong values and no official are refused as the intake refuses them.
    let mut extra = refusal(json!([{"message_vi": "Thiếu"}]));
    extra["note"] = json!("nội bộ");
    let (status, refused) = official.decide(&id, &extra).await;
    assert_eq!((status, reason(&refused)), (400, ("payload.unexpected_key", "note")));
    let (status, refused) = official
        .decide(&id, &refusal(json!([{"message_vi": "Thiếu", "code": "x"}])))
        .await;
    assert_eq!(
        (status, reason(&refused)),
        (400, ("payload.unexpected_key", "reasons[0].code")),
        "{refused}"
    );
    let (status, refused) = official
        .decide(&id, &json!({"decision": "maybe", "official": "Cán bộ"}))
        .await;
    assert_eq!((status, reason(&refused)), (400, ("payload.wrong_type", "decision")));
    let (status, refused) = official
        .decide(&id, &json!({"decision": "accepted", "official": " \u{200B} "}))
        .await;
    assert_eq!((status, reason(&refused)), (400, ("payload.invalid_value", "official")));
    let (status, refused) = official
        .decide(
            "HS20250101-0000000000000000",
            &json!({"decision": "accepted", "official": "Cán bộ"}),
        )
        .await;
    assert_eq!((status, reason(&refused).0), (404, "dossier.not_found"));
    let (_, dossier, _) = official.get(&format!("/api/officials/dossiers/{id}")).await;
    assert_eq!(dossier["status"], "received", "nothing refused was kept");

    // An acceptance needs no reason; and a decision is made once: the second is refused with the first.
    let (status, accepted) = official
        .decide(&id, &json!({"decision": "accepted", "official": "  Cán bộ   một cửa "}))
        .await;
    assert_eq!(status, 201, "{accepted}");
    assert_eq!(
        (&accepted["official"], &accepted["reasons"]),
        (&json!("Cán bộ một cửa"), &json!([]))
    );
    let (status, second) = official.decide(&id, &refusal(json!([{"message_vi": "Đổi ý"}]))).await;
    assert_eq!(
        (status, reason(&second)),
        (409, ("decision.already_made", "")),
        "{second}"
    );
    assert_eq!(second["decision"], accepted);
    let (_, dossier, _) = official.get(&format!("/api/officials/dossiers/{id}")).await;
    assert_eq!(
        (&dossier["status"], &dossier["decision"]),
        (&json!("accepted"), &accepted)
    );
    // The citizen reads the acceptance, not who decided.
    let (_, receipt) = citizen.get(&format!("/api/submissions/{id}")).await;
    assert_eq!(
        (&receipt["status"], &receipt["decision"]["decision"]),
        (&json!("accepted"), &json!("accepted"))
    );
    assert!(receipt["decision"].get("official").is_none(), "{receipt}");

    // Two officials deciding at the same moment: one decision is made, the other is told it.
    let other = file_id(&mut citizen, &running, &bundle, None).await;
    let accept = json!({"decision": "accepted", "official": "Cán bộ A"});
    let refuse = refusal(json!([{"message_vi": "Thiếu giấy tờ"}]));
    let (a, b) = tokio::join!(official.decide(&other, &accept), official.decide(&other, &refuse));
    let (made, told) = if a.0 == 201 { (a, b) } else { (b, a) };
    assert_eq!((made.0, told.0), (201, 409), "{made:?} {told:?}");
    assert_eq!(told.1["decision"], made.1);
    running.task.abort();
}

/// An official with a token of their own decides in their name, which no body can change; the agency
/// system's token names the official of each decision; `/me` tells whose a token is.
#[tokio::test]
async fn an_officials_own_token_decides_in_their_name() {
    let mut c = officials_config("officials-own");
    let (lan, lan_token) = ("Nguyễn Thị Lan (CA phường Ba Đình)", "lan-own-token-0123456789");
    c.officials = vec![tokhai_server::config::Official {
        name: lan.into(),
        token: lan_token.into(),
    }];
    let running = tokhai_server::start(c).await.expect("server starts");
    let (mut citizen, bundle) = citizen(&running, 0).await;
    let first = file_id(&mut citizen, &running, &bundle, None).await;
    let second = file_id(&mut citizen, &running, &bundle, None).await;
    let agency = Client::new(&running);
    let (own, system) = (
        Official {
            client: &agency,
            token: lan_token,
        },
        Official {
            client: &agency,
            token: TOKEN,
        },
    );
    assert_eq!(own.get("/api/officials/me").await.1, json!({"official": lan}));
    assert_eq!(system.get("/api/officials/me").await.1, json!({"official": null}));
    assert_eq!(
        own.get("/api/officials/dossiers").await.0,
        200,
        "the official's token opens the API"
    );
    // Another name in the body is refused, saying whose the token is; none, or the same, is the official's.
    let (status, refused) = own
        .decide(&first, &json!({"decision": "accepted", "official": "Trần Văn Bình"}))
        .await;
    assert_eq!(
        (status, reason(&refused)),
        (422, ("decision.official_not_token", "official")),
        "{refused}"
    );
    assert!(refused["message_vi"].as_str().unwrap().contains(lan), "{refused}");
    let (status, made) = own.decide(&first, &json!({"decision": "accepted"})).await;
    assert_eq!((status, made["official"].as_str()), (201, Some(lan)), "{made}");
    // The agency system's token names the official; without one, the decision is refused.
    let (status, refused) = system.decide(&second, &json!({"decision": "accepted"})).await;
    assert_eq!(
        (status, reason(&refused)),
        (400, ("payload.invalid_value", "official")),
        "{refused}"
    );
    let (status, made) = system
        .decide(&second, &json!({"decision": "accepted", "official": "Trần Văn Bình"}))
        .await;
    assert_eq!(
        (status, made["official"].as_str()),
        (201, Some("Trần Văn Bình")),
        "{made}"
    );
    running.task.abort();
}

#[tokio::test]
async fn a_file_is_served_with_its_own_dossier_only() {
    let running = tokhai_server::start(officials_config("officials-files"))
        .await
        .expect("server starts");
    let pdf = b"%PDF-1.4 evidence".to_vec();
    let (mut first, first_bundle) = citizen(&running, 0).await;
    let (_, one) = upload(&first, "evidence", "a.pdf", "application/pdf", &pdf).await;
    let mine = file_id(&mut first, &running, &first_bundle, Some(&one)).await;
    let (mut second, second_bundle) = citizen(&running, 1).await;
    let (_, two) = upload(&second, "evidence", "b.pdf", "application/pdf", &pdf).await;
    let theirs = file_id(&mut second, &running, &second_bundle, Some(&two)).await;
    let (_, unfiled) = upload(&first, "evidence", "c.pdf", "application/pdf", &pdf).await;
    let agency = Client::new(&running);
    let official = Official {
        client: &agency,
        token: TOKEN,
    };
    let href = |dossier: &str, upload: &Value| {
        format!(
            "/api/officials/dossiers/{dossier}/files/{}",
            upload["upload"].as_str().unwrap()
        )
    };
    assert_eq!(official.bytes(&href(&mine, &one)).await.0, 200);
    assert_eq!(official.bytes(&href(&theirs, &two)).await.0, 200);
    for path in [href(&mine, &two), href(&theirs, &one), href(&mine, &unfiled)] {
        let (status, body, _) = official.get(&path).await;
        assert_eq!((status, reason(&body).0), (404, "dossier.file_not_found"), "{path}");
    }
    running.task.abort();
}

#[tokio::test]
async fn a_citizen_lists_their_own_dossiers_newest_first_with_a_refusals_reasons() {
    let running = tokhai_server::start(officials_config("officials-own-list"))
        .await
        .expect("server starts");
    let (status, body) = Client::new(&running).get("/api/submissions").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("login_required")),
        "{body}"
    );
    let (mut citizen, bundle) = self::citizen(&running, 0).await;
    let older = file_id(&mut citizen, &running, &bundle, None).await;
    let newer = file_id(&mut citizen, &running, &bundle, None).await;
    let (mut other, other_bundle) = self::citizen(&running, 1).await;
    let theirs = file_id(&mut other, &running, &other_bundle, None).await;
    let agency = Client::new(&running);
    let official = Official {
        client: &agency,
        token: TOKEN,
    };
    let reasons = json!([{"path": "phone", "message_vi": "Số điện thoại không liên lạc được"}]);
    let mut labelled = reasons.clone();
    labelled[0]["label"] = json!({"vi": "Số điện thoại", "en": "Phone"});
    let (status, decided) = official
        .decide(
            &older,
            &json!({"decision": "refused", "official": "x", "reasons": reasons}),
        )
        .await;
    assert_eq!(status, 201, "{decided}");

    let (status, body) = citizen.get("/api/submissions").await;
    assert_eq!(status, 200, "{body}");
    let dossiers = body["dossiers"].as_array().expect("dossiers");
    let ids: Vec<&str> = dossiers.iter().filter_map(|d| d["id"].as_str()).collect();
    assert_eq!(ids, [newer.as_str(), older.as_str()], "newest first, not {theirs}");
    assert_eq!(dossiers[0]["decision"], Value::Null);
    assert_eq!(
        dossiers[1]["decision"],
        json!({"decision": "refused", "reasons": labelled, "decided_at": decided["decided_at"]})
    );
    let version = running.state.form("demo").expect("the demo form").version();
    assert_eq!(
        (&dossiers[1]["form_id"], &dossiers[1]["form_version"]),
        (&json!("demo"), &json!(version))
    );
    // When the answer is due, as the receipt said: the demo form's 2 working days after receipt.
    let received_at = dossiers[1]["received_at"].as_i64().expect("received_at");
    assert_eq!(
        dossiers[1]["due_at"],
        json!(OfficeHours::default().due(received_at, 2)),
        "{body}"
    );
    assert!(body.get("next_before").is_none(), "all on one page: {body}");
    // Oldest first, each with its decision.
    let (_, oldest) = citizen.get("/api/submissions?order=oldest").await;
    assert_eq!(oldest["dossiers"], json!([dossiers[1], dossiers[0]]), "{oldest}");

    // A page at a time, as the officials' list: the next one from `next_before`; a key it does not know is
    // refused naming it.
    let (_, first) = citizen.get("/api/submissions?limit=1").await;
    assert_eq!(first["dossiers"].as_array().map(Vec::len), Some(1), "{first}");
    assert_eq!(first["dossiers"][0], dossiers[0]);
    let before = first["next_before"].as_i64().expect("more to come");
    let (_, second) = citizen.get(&format!("/api/submissions?limit=1&before={before}")).await;
    assert_eq!(second["dossiers"], json!([dossiers[1]]), "{second}");
    assert!(second.get("next_before").is_none(), "{second}");
    let (status, refused) = citizen.get("/api/submissions?subject=someone-else").await;
    assert_eq!(
        (status, refused["reasons"][0]["path"].as_str()),
        (400, Some("subject")),
        "{refused}"
    );
    running.task.abort();
}

async fn paging(c: Config, engine: &str) {
    let running = tokhai_server::start(c).await.expect("server starts");
    let (mut citizen, bundle) = citizen(&running, 0).await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(file_id(&mut citizen, &running, &bundle, None).await);
    }
    // Received "before 1970", two of them in one millisecond: a PostgreSQL database is shared between runs,
    // and each run's times are below those of the runs before it (and of every real dossier), so that
    // paging back from them finds this run's alone.
    let base = -10 * tokhai_server::now_ms();
    let times = [base + 1, base + 2, base + 2, base + 3, base + 4];
    for (id, at) in ids.iter().zip(times) {
        sqlx::query("UPDATE submissions SET received_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id.clone())
            .execute(&running.state.db)
            .await
            .unwrap();
    }
    let agency = Client::new(&running);
    let official = Official {
        client: &agency,
        token: TOKEN,
    };
    // A page of the dossiers before `before` (those of this test when no earlier), as times since `base`.
    let page = |query: &str, before: i64| {
        let official = &official;
        let path = format!("/api/officials/dossiers?{query}&before={}", base + before);
        async move {
            let (status, body, _) = official.get(&path).await;
            assert_eq!(status, 200, "{path}: {body}");
            let got: Vec<i64> = (body["dossiers"].as_array().unwrap().iter())
                .map(|d| d["received_at"].as_i64().unwrap() - base)
                .collect();
            (got, body["next_before"].as_i64().map(|t| t - base))
        }
    };
    // Pages of two: a page ends before a millisecond it cannot hold whole.
    assert_eq!(page("limit=2", 5).await, (vec![4, 3], Some(3)));
    assert_eq!(page("limit=2", 3).await, (vec![2, 2], Some(2)));
    assert_eq!(page("limit=2", 2).await, (vec![1], None));
    // Pages of one: the millisecond of two is one page of two.
    assert_eq!(page("limit=1", 3).await, (vec![2, 2], Some(2)));
    // Every dossier once, newest first, by default.
    assert_eq!(page("", 5).await, (vec![4, 3, 2, 2, 1], None));
    // Oldest first, the longest waiting at the top: pages forward from `after`, as pages back from `before`.
    let oldest = |query: &str, after: i64| {
        let official = &official;
        let path = format!(
            "/api/officials/dossiers?order=oldest&{query}&after={}&before={}",
            base + after,
            base + 5
        );
        async move {
            let (status, body, _) = official.get(&path).await;
            assert_eq!(status, 200, "{path}: {body}");
            assert!(body.get("next_before").is_none(), "{body}");
            let got: Vec<i64> = (body["dossiers"].as_array().unwrap().iter())
                .map(|d| d["received_at"].as_i64().unwrap() - base)
                .collect();
            (got, body["next_after"].as_i64().map(|t| t - base))
        }
    };
    assert_eq!(oldest("limit=2", 0).await, (vec![1], Some(1)));
    assert_eq!(oldest("limit=2", 1).await, (vec![2, 2], Some(2)));
    assert_eq!(oldest("limit=2", 2).await, (vec![3, 4], None));
    assert_eq!(oldest("limit=1", 1).await, (vec![2, 2], Some(2)));
    assert_eq!(oldest("", 0).await, (vec![1, 2, 2, 3, 4], None));
    // Filters by form and status.
    assert_eq!(page("form=other", 5).await, (vec![], None));
    official
        .decide(&ids[3], &json!({"decision": "accepted", "official": "Cán bộ"}))
        .await;
    assert_eq!(page("status=accepted&form=demo", 5).await, (vec![3], None));
    assert_eq!(page("status=received", 5).await.0, vec![4, 2, 2, 1]);
    // A query out of its bounds is refused, naming its key; a key the list does not know is unexpected, as
    // in a body.
    for (query, code, at) in [
        ("limit=0", "payload.invalid_value", "limit"),
        ("limit=501", "payload.invalid_value", "limit"),
        ("limit=ten", "payload.invalid_value", "limit"),
        ("status=pending", "payload.invalid_value", "status"),
        ("before=yesterday", "payload.invalid_value", "before"),
        ("after=yesterday", "payload.invalid_value", "after"),
        ("order=random", "payload.invalid_value", "order"),
        ("form=demo&page=2", "payload.unexpected_key", "page"),
    ] {
        let (status, body, _) = official.get(&format!("/api/officials/dossiers?{query}")).await;
        assert_eq!((status, reason(&body)), (400, (code, at)), "{query}");
        assert!(body["message_en"].as_str().unwrap().contains(at), "{body}");
    }
    let _ = writeln!(std::io::stderr(), "officials' paging passed on {engine}");
    running.task.abort();
}

#[tokio::test]
async fn the_list_pages_back_by_reception_time_without_losing_a_dossier_on_sqlite() {
    paging(officials_config("officials-pages"), "SQLite").await;
}

#[tokio::test]
async fn the_list_pages_back_by_reception_time_without_losing_a_dossier_on_postgres() {
    let Some((url, _held)) = postgres().await else { return };
    let mut c = officials_config("officials-pages-pg");
    c.database_url = Some(url);
    c.registry_seed = 2032;
    paging(c, "PostgreSQL").await;
}
